// What the Workspace's onEvent and isComplete decide alike about an Update that changes a
// setting only a new WorkSpace can have.
import type { Workspace } from '@aws-sdk/client-workspaces';
import type { WorkspacesApi } from '../../api';
import { DesiredWorkspace, withBundleId } from '../../parse';
import { preflight } from '../../preflight';

/**
 * Whether a change of these replacement properties needs a new WorkSpace. Without a change of
 * user or directory it cannot have one (one WorkSpace per user per directory): such an Update
 * either is refused by onEvent or, when the WorkSpace already has the settings asked for, is
 * in place. onEvent and isComplete both decide with this.
 */
export function needsNewWorkspace(changes: readonly string[]): boolean {
  return changes.includes('DirectoryId') || changes.includes('UserName');
}

/** Whether the WorkSpace has the settings that only a new WorkSpace could change. */
export function hasImmutableSettings(workspace: Workspace, desired: DesiredWorkspace): boolean {
  return workspace.DirectoryId === desired.directoryId
    // The service compares user names without regard to case.
    && (workspace.UserName ?? '').toLowerCase() === desired.userName.toLowerCase()
    && workspace.BundleId === desired.bundleId
    && (workspace.RootVolumeEncryptionEnabled ?? false) === desired.rootVolumeEncryptionEnabled
    && (workspace.UserVolumeEncryptionEnabled ?? false) === desired.userVolumeEncryptionEnabled
    && (workspace.VolumeEncryptionKey || undefined) === desired.volumeEncryptionKey;
}

/**
 * The pre-flight (Describe calls only): the directory is registered, the bundle exists and the
 * declared properties fit it. Returns the desired state with the bundle's id.
 */
export async function resolvedDesired(api: WorkspacesApi, desired: DesiredWorkspace): Promise<DesiredWorkspace> {
  const { bundleId } = await preflight(api, {
    directoryId: desired.directoryId,
    bundle: desired.bundle,
    workspaces: [{ userName: desired.userName, properties: desired.properties }],
  });
  return withBundleId(desired, bundleId);
}

export function changesBundle(changes: readonly string[]): boolean {
  return changes.includes('BundleId') || changes.includes('BundleName');
}


export function sameUserReplacementMessage(workspaceId: string, desired: DesiredWorkspace, changes: readonly string[]): string {
  const changed = changes.join(' and ');
  const bundleHint = changesBundle(changes)
    ? ' To move this user to another bundle and keep the user volume, set bundleChange to BundleChange.MIGRATE (the default): '
      + 'the WorkSpace is then migrated in place.'
    : '';
  return `Cannot change ${changed} of WorkSpace ${workspaceId} (user "${desired.userName}" in directory ${desired.directoryId}): `
    + `a change of ${changed} needs a new WorkSpace, and a user can have only one WorkSpace per directory. Nothing was changed. `
    + 'Either change UserName or DirectoryId as well, or remove the Workspace from the app and deploy '
    + '(this terminates it when its removal policy is DESTROY), then add it back with the new settings.'
    + bundleHint;
}
