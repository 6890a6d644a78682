// Custom::WorkspaceLookup: the WorkSpace of one user in one directory, found at deploy time
// (Workspace.fromUserName). Read-only: it never creates, changes or terminates anything, and
// its Delete does nothing.
import type { Workspace } from '@aws-sdk/client-workspaces';
import { checkDirectoryId, checkUserName } from '../../../src/private/rules';
import { WorkspacesApi } from '../../api';
import { rejectUnknownKeys, requiredString } from '../../parse';

export const LOOKUP_RESOURCE_TYPE = 'Custom::WorkspaceLookup';
const LOOKUP_KEYS: ReadonlySet<string> = new Set(['ServiceToken', 'ServiceTimeout', 'DirectoryId', 'UserName']);

/** What the lookup returns, and the construct reads with GetAtt. */
export interface LookupAttributes {
  readonly WorkspaceId: string;
  readonly IpAddress: string;
  readonly ComputerName: string;
  readonly SubnetId: string;
  readonly State: string;
  readonly BundleId: string;
}

/** States in which a WorkSpace is on its way out or gone: not the user's WorkSpace any more. */
const GONE_STATES: ReadonlySet<string> = new Set(['TERMINATING', 'TERMINATED']);

/**
 * Create and Update: finds the user's WorkSpace. The physical id is the WorkSpace's id, so that
 * a lookup that finds another WorkSpace (the user's was replaced elsewhere) is a new resource
 * to CloudFormation, and what uses its id is updated. Delete: nothing to do.
 */
export async function onLookupEvent(
  api: WorkspacesApi,
  requestType: 'Create' | 'Update' | 'Delete',
  properties: Record<string, unknown>,
  physicalResourceId: string | undefined,
): Promise<{ PhysicalResourceId: string; Data: LookupAttributes | Record<string, never> }> {
  if (requestType === 'Delete') {
    return { PhysicalResourceId: physicalResourceId ?? 'none', Data: {} };
  }
  rejectUnknownKeys(LOOKUP_RESOURCE_TYPE, '', properties, LOOKUP_KEYS);
  const directoryId = requiredString('DirectoryId', properties.DirectoryId);
  checkDirectoryId('DirectoryId', directoryId);
  const userName = requiredString('UserName', properties.UserName);
  checkUserName('UserName', userName);

  const found = (await api.findByUser(directoryId, userName))
    .filter((w) => !GONE_STATES.has(w.State ?? '') && w.WorkspaceId !== undefined
      && (w.UserName ?? '').toLowerCase() === userName.toLowerCase());
  if (found.length === 0) {
    const directory = await api.directory(directoryId);
    const why = directory === undefined
      ? `directory ${directoryId} is not registered with WorkSpaces in this account and region (DescribeWorkspaceDirectories does not list it)`
      : `DescribeWorkspaces lists no WorkSpace of user "${userName}" in directory ${directoryId} (terminated ones do not count)`;
    throw new Error(`Workspace.fromUserName: no WorkSpace for user "${userName}": ${why}. Nothing was changed.`);
  }
  const workspace: Workspace = found[0];
  return { PhysicalResourceId: workspace.WorkspaceId!, Data: lookupAttributes(workspace) };
}

function lookupAttributes(w: Workspace): LookupAttributes {
  return {
    WorkspaceId: w.WorkspaceId ?? '',
    IpAddress: w.IpAddress ?? '',
    ComputerName: w.ComputerName ?? '',
    SubnetId: w.SubnetId ?? '',
    State: w.State ?? '',
    BundleId: w.BundleId ?? '',
  };
}
