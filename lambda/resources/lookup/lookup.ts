// Custom::WorkspaceLookup: the WorkSpace of one user in one directory, found at deploy time
// (Workspace.fromUserName). Read-only: it never creates, changes or terminates anything, and
// its Delete does nothing.
import type { Workspace } from '@aws-sdk/client-workspaces';
import { checkDirectoryId, checkUserName } from '../../../src/private/rules';
import { WorkspacesApi } from '../../api';
import { formatLookupId, parseLookupId } from '../../core/lookup-id';
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
 * Create and Update: finds the user's WorkSpace. The physical id is the WorkSpace's id with the
 * directory and user it was found for (`ws-…:d-…:user`), so that a lookup that finds another
 * WorkSpace (the user's was replaced elsewhere, or the lookup names another user) is a new
 * resource to CloudFormation, and what uses its id is updated. Delete: nothing to do.
 *
 * A user without a WorkSpace fails a Create, and an Update that names another user: that is
 * where the answer can stop a deployment from using a WorkSpace that is not there. An Update
 * back to the directory and user that the stack already holds (CloudFormation's rollback of a
 * refused move, or an update that leaves the user as it was) completes even when that WorkSpace
 * has since been terminated: refusing could only strand the rollback (UPDATE_ROLLBACK_FAILED).
 * It keeps the WorkSpace id the stack held, with State `TERMINATED`, and logs why.
 */
export async function onLookupEvent(
  api: WorkspacesApi,
  requestType: 'Create' | 'Update' | 'Delete',
  properties: Record<string, unknown>,
  physicalResourceId: string | undefined,
  log: (message: string) => void = () => undefined,
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
  if (found.length > 0) {
    const workspace: Workspace = found[0];
    return { PhysicalResourceId: formatLookupId(workspace.WorkspaceId!, directoryId, userName), Data: lookupAttributes(workspace) };
  }
  const held = requestType === 'Update' && physicalResourceId !== undefined
    ? await heldTarget(api, physicalResourceId) : undefined;
  if (held !== undefined && held.directoryId === directoryId && held.userName.toLowerCase() === userName.toLowerCase()) {
    const gone = await api.describe(held.workspaceId);
    log(`Workspace.fromUserName: user "${userName}" no longer has a WorkSpace in directory ${directoryId}: ${held.workspaceId} `
      + `${gone === undefined ? 'is no longer described' : `is ${gone.State}`}. This update goes back to the user the stack `
      + 'already held (CloudFormation\'s rollback of a refused move, or an update that keeps the user), so it completes and keeps '
      + `${held.workspaceId} with State TERMINATED rather than strand the rollback. Point the lookup at a user with a WorkSpace, or remove it.`);
    return {
      PhysicalResourceId: physicalResourceId!,
      Data: { ...lookupAttributes(gone ?? { WorkspaceId: held.workspaceId }), State: 'TERMINATED' },
    };
  }
  const directory = await api.directory(directoryId);
  const why = directory === undefined
    ? `directory ${directoryId} is not registered with WorkSpaces in this account and region (DescribeWorkspaceDirectories does not list it)`
    : `DescribeWorkspaces lists no WorkSpace of user "${userName}" in directory ${directoryId} (terminated ones do not count)`;
  throw new Error(`Workspace.fromUserName: no WorkSpace for user "${userName}": ${why}. Nothing was changed.`);
}

/** The WorkSpace a lookup's id names, and the directory and user it was found for. */
interface LookupTarget {
  readonly workspaceId: string;
  readonly directoryId: string;
  readonly userName: string;
}

/**
 * The directory and user of the WorkSpace a lookup's id names. An id of an earlier version (the
 * WorkSpace's id alone) says it only while the service still describes the WorkSpace.
 */
async function heldTarget(api: WorkspacesApi, physicalResourceId: string): Promise<LookupTarget | undefined> {
  const id = parseLookupId(physicalResourceId);
  if (id === undefined) {
    return undefined;
  }
  if (id.directoryId !== undefined && id.userName !== undefined) {
    return { workspaceId: id.workspaceId, directoryId: id.directoryId, userName: id.userName };
  }
  const w = await api.describe(id.workspaceId);
  return w?.DirectoryId === undefined || w.UserName === undefined
    ? undefined : { workspaceId: id.workspaceId, directoryId: w.DirectoryId, userName: w.UserName };
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
