// The pre-flight of a bundle change that migrates a WorkSpace: Describe calls only, before anything
// changes, so that a target bundle that does not exist, does not fit the declared properties, or
// makes a pair the service does not migrate fails in seconds, naming the rule.
import type { Workspace, WorkspaceBundle } from '@aws-sdk/client-workspaces';
import { preflight, PreflightError } from './preflight';
import type { WorkspacesApi } from '../api';
import type { DesiredWorkspace } from '../parse';
import { migrationPairRefusal } from '../plan';

/**
 * Checks that the declared bundle exists and fits (the same pre-flight as a Create) and that the
 * service can migrate this WorkSpace to it; returns the target bundle.
 *
 * @throws PreflightError naming the prop and the rule
 */
export async function migrationPreflight(api: WorkspacesApi, workspace: Workspace, desired: DesiredWorkspace): Promise<WorkspaceBundle> {
  const { bundleId, bundleDescription } = await preflight(api, {
    directoryId: desired.directoryId,
    bundle: desired.bundle,
    workspaces: [{ userName: desired.userName, properties: desired.properties }],
  });
  const target = bundleDescription ?? { BundleId: bundleId };
  const refusal = migrationPairRefusal(workspace, target);
  if (refusal !== undefined) {
    throw new PreflightError('bundle', `Cannot migrate WorkSpace ${workspace.WorkspaceId} (user "${desired.userName}") to bundle `
      + `${bundleId}: ${refusal}. Nothing was changed.`);
  }
  return target;
}
