// Custom::WorkspacesStandby: a standby WorkSpace in this Region for a primary WorkSpace of another
// Region (CreateStandbyWorkspaces, Multi-Region Resilience), which CloudFormation cannot make.
// Create and Update are here; a Delete is a Workspace's (handler.ts routes it there): the standby
// is a WorkSpace of this Region, marked like one, and terminated or released by the same rules.
import { CreateStandbyWorkspacesCommand, ModifyWorkspacePropertiesCommand, Workspace } from '@aws-sdk/client-workspaces';
import {
  checkDirectoryId,
  InputError,
  MAX_TIMEOUT_SECONDS,
  OWNERSHIP_TAG_KEY,
  WORKSPACE_ID_PATTERN,
} from '../../../src/private/rules';
import { isRetryLater, isTemporary, WorkspacesApi, WorkspacesCallError } from '../../api';
import { endSentence, WorkspaceResourceEvent } from '../../core/contract';
import { describeOwner, ownershipMarking, Reader, relationOf } from '../../core/ownership';
import { boundedTimeoutSeconds, rejectUnknownKeys } from '../../parse/strict';
import { afterTimeout, formatSeconds } from '../../plan';

export const STANDBY_RESOURCE_TYPE = 'Custom::WorkspacesStandby';

const PROPERTIES: ReadonlySet<string> = new Set(['ServiceToken', 'ServiceTimeout', 'PrimaryRegion', 'PrimaryWorkspaceId', 'DirectoryId',
  'DataReplication', 'VolumeEncryptionKey', 'TimeoutSeconds']);
const REGION_PATTERN = /^[-0-9a-z]{1,31}$/;
const DATA_REPLICATION = ['NO_REPLICATION', 'PRIMARY_AS_SOURCE'];
/** How long a new standby may stay invisible to DescribeWorkspaces (as a new WorkSpace may). */
const INVISIBLE_GRACE_SECONDS = 120;
const DONE_STATES = ['AVAILABLE', 'STOPPED'];

export interface DesiredStandby {
  readonly primaryRegion: string;
  readonly primaryWorkspaceId: string;
  readonly directoryId: string;
  readonly dataReplication: string;
  readonly volumeEncryptionKey?: string;
  readonly timeoutSeconds: number;
}

/** The Provider framework's event: the contract every resource type shares. */
export type StandbyEvent = WorkspaceResourceEvent;

/** The properties, strictly: unknown keys, wrong types and broken patterns fail before any call, naming the property. */
export function parseStandbyProperties(raw: Record<string, unknown>): DesiredStandby {
  rejectUnknownKeys(STANDBY_RESOURCE_TYPE, '', raw, PROPERTIES);
  const primaryRegion = string('PrimaryRegion', raw.PrimaryRegion);
  if (!REGION_PATTERN.test(primaryRegion)) {
    throw new InputError('PrimaryRegion', primaryRegion, `must match ${REGION_PATTERN.source} (a Region such as "us-east-1")`);
  }
  const primaryWorkspaceId = string('PrimaryWorkspaceId', raw.PrimaryWorkspaceId);
  if (!WORKSPACE_ID_PATTERN.test(primaryWorkspaceId)) {
    throw new InputError('PrimaryWorkspaceId', primaryWorkspaceId, `must match ${WORKSPACE_ID_PATTERN.source} (a WorkSpace id)`);
  }
  const directoryId = string('DirectoryId', raw.DirectoryId);
  checkDirectoryId('DirectoryId', directoryId);
  const dataReplication = raw.DataReplication === undefined ? 'NO_REPLICATION' : string('DataReplication', raw.DataReplication);
  if (!DATA_REPLICATION.includes(dataReplication)) {
    throw new InputError('DataReplication', dataReplication, `must be one of ${DATA_REPLICATION.join(', ')}`);
  }
  const volumeEncryptionKey = raw.VolumeEncryptionKey === undefined ? undefined : string('VolumeEncryptionKey', raw.VolumeEncryptionKey);
  return {
    primaryRegion,
    primaryWorkspaceId,
    directoryId,
    dataReplication,
    volumeEncryptionKey,
    timeoutSeconds: boundedTimeoutSeconds(raw.TimeoutSeconds, MAX_TIMEOUT_SECONDS),
  };
}

function string(prop: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new InputError(prop, value, 'is required, as a string');
  }
  return value;
}


function region(): string {
  return process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? '';
}

/** The standby of this primary in this directory, as DescribeWorkspaces relates them. */
function isStandbyOf(workspace: Workspace, desired: DesiredStandby): boolean {
  return workspace.DirectoryId === desired.directoryId && workspace.State !== 'TERMINATED'
    && (workspace.RelatedWorkspaces ?? []).some((r) => r.WorkspaceId === desired.primaryWorkspaceId && r.Type === 'PRIMARY');
}

/**
 * Create: pre-flight (the primary is in another Region, this Region's directory is registered),
 * then the standby of an earlier attempt of this same request is taken back; a standby of the
 * primary made by anything else fails the request before any change (a primary has one standby).
 * Else CreateStandbyWorkspaces, with the ownership tag; a refusal (FailedStandbyRequests, e.g. the
 * primary's bundle not available in this Region) fails the request with the service's reason,
 * nothing created. Update: a new primary, directory or key would need a new standby, which the
 * service allows only once the old one is gone: refused before any change, unless the standby
 * already is what is asked (a rollback); a new DataReplication is applied by isComplete.
 */
export async function standbyOnEvent(api: WorkspacesApi, event: StandbyEvent, log: (message: string) => void): Promise<string> {
  const desired = parseStandbyProperties(event.ResourceProperties);
  if (event.RequestType === 'Update') {
    const current = event.PhysicalResourceId ?? '';
    const old = parseStandbyProperties(event.OldResourceProperties ?? {});
    const changed = (['primaryRegion', 'primaryWorkspaceId', 'directoryId', 'volumeEncryptionKey'] as const)
      .filter((k) => desired[k] !== old[k]);
    if (changed.length === 0) {
      return current;
    }
    const standby = WORKSPACE_ID_PATTERN.test(current) ? await api.describe(current) : undefined;
    if (standby !== undefined && isStandbyOf(standby, desired)) {
      log(`Update of ${current}: the standby already has the ${changed.join(', ')} asked for (an Update back); in place`);
      return current;
    }
    throw new Error(`StandbyWorkspace ${current}: changing ${changed.join(', ')} needs a new standby WorkSpace, and a primary has one `
      + 'standby at a time. Nothing was changed. Remove the StandbyWorkspace (with removalPolicy DESTROY) in one deployment and '
      + 'declare the new one in the next.');
  }
  if (!event.RequestId) {
    throw new Error('Create request without a RequestId: the ownership tag of a new standby WorkSpace names the request');
  }
  const reader: Reader = { stackId: event.StackId, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId };
  if (desired.primaryRegion === region()) {
    throw new Error(`Invalid PrimaryRegion "${desired.primaryRegion}": the standby is made in ${region()}, which must be another Region `
      + 'than its primary\'s. Nothing was changed.');
  }
  const directory = await api.directory(desired.directoryId);
  if (directory?.State !== 'REGISTERED') {
    throw new Error(`Directory ${desired.directoryId} is ${directory?.State ?? 'not registered with WorkSpaces'} in ${region()} `
      + '(DescribeWorkspaceDirectories): a standby WorkSpace needs a registered directory in its Region, with the primary\'s user. '
      + 'Nothing was changed.');
  }
  for (const workspace of (await api.listDirectory(desired.directoryId)).filter((w) => isStandbyOf(w, desired))) {
    const marking = (await api.tags(workspace.WorkspaceId!))[OWNERSHIP_TAG_KEY];
    if (relationOf(reader, marking) === 'this-request') {
      log(`${workspace.WorkspaceId} is the standby an earlier attempt of this same request created`);
      return workspace.WorkspaceId!;
    }
    throw new Error(`Primary WorkSpace ${desired.primaryWorkspaceId} (${desired.primaryRegion}) has a standby already: `
      + `${workspace.WorkspaceId} in directory ${desired.directoryId}, managed by ${describeOwner(reader, marking)}. A primary has one `
      + 'standby at a time, so nothing was created and nothing was changed.');
  }
  let out;
  try {
    out = await api.client.send(new CreateStandbyWorkspacesCommand({
      PrimaryRegion: desired.primaryRegion,
      StandbyWorkspaces: [{
        PrimaryWorkspaceId: desired.primaryWorkspaceId,
        DirectoryId: desired.directoryId,
        DataReplication: desired.dataReplication as any,
        VolumeEncryptionKey: desired.volumeEncryptionKey,
        Tags: [{ Key: OWNERSHIP_TAG_KEY, Value: ownershipMarking(event.StackId, event.LogicalResourceId, event.RequestId, 'created') }],
      }],
    }));
  } catch (e) {
    throw new WorkspacesCallError('CreateStandbyWorkspaces', `primary WorkSpace ${desired.primaryWorkspaceId} (${desired.primaryRegion})`, e);
  }
  const failed = out.FailedStandbyRequests?.[0];
  if (failed) {
    throw new Error(`CreateStandbyWorkspaces refused the standby of primary WorkSpace ${desired.primaryWorkspaceId} `
      + `(${desired.primaryRegion}) in directory ${desired.directoryId}: ${failed.ErrorCode ?? '(no error code)'}: `
      + `${endSentence(failed.ErrorMessage ?? '(no error message)')} Nothing was created.`);
  }
  const standbyId = out.PendingStandbyRequests?.[0]?.WorkspaceId;
  if (!standbyId) {
    throw new Error(`CreateStandbyWorkspaces returned no WorkSpace id for the standby of ${desired.primaryWorkspaceId}`);
  }
  log(`CreateStandbyWorkspaces: ${standbyId} for primary ${desired.primaryWorkspaceId} (${desired.primaryRegion})`);
  return standbyId;
}

/** What the construct reads with GetAtt. */
export interface StandbyAttributes {
  readonly [key: string]: string;
}

/**
 * isComplete: the standby is done once AVAILABLE or STOPPED (with the declared DataReplication);
 * ERROR fails with the service's reason; past the timeout, the request fails naming the standby
 * and its last state, and the rollback terminates it (it is this request's).
 */
export async function standbyIsComplete(
  api: WorkspacesApi,
  event: StandbyEvent & { PhysicalResourceId: string },
  elapsedSeconds: number | undefined,
  log: (message: string) => void,
): Promise<{ IsComplete: boolean; Data?: StandbyAttributes }> {
  const desired = parseStandbyProperties(event.ResourceProperties);
  const standbyId = event.PhysicalResourceId;
  const elapsed = elapsedSeconds ?? 0;
  const isNew = event.RequestType === 'Create';
  let last = 'not described yet';
  try {
    const standby = await api.describe(standbyId);
    last = standby?.State ?? last;
    if (standby === undefined) {
      if (isNew && elapsed < INVISIBLE_GRACE_SECONDS) {
        return waitOrFail(elapsed, desired, standbyId, last, isNew);
      }
      throw new Error(`Standby WorkSpace ${standbyId} is not described by DescribeWorkspaces in ${region()}: it is gone.`);
    }
    if (standby.State === 'ERROR') {
      throw new Error(`Standby WorkSpace ${standbyId} (user "${standby.UserName}", directory ${standby.DirectoryId}) is ERROR: `
        + `${standby.ErrorCode ?? '(no error code)'}: ${endSentence(standby.ErrorMessage ?? '(no error message)')} ${afterTimeout(isNew)}`);
    }
    if (!DONE_STATES.includes(standby.State ?? '')) {
      log(`${standbyId}: waiting, the standby is ${standby.State}`);
      return waitOrFail(elapsed, desired, standbyId, last, isNew);
    }
    const replication = standby.DataReplicationSettings?.DataReplication ?? 'NO_REPLICATION';
    if (replication !== desired.dataReplication) {
      try {
        await api.client.send(new ModifyWorkspacePropertiesCommand({ WorkspaceId: standbyId, DataReplication: desired.dataReplication as any }));
        log(`${standbyId}: ModifyWorkspaceProperties DataReplication ${replication} -> ${desired.dataReplication}`);
      } catch (e) {
        if (!isRetryLater(e)) {
          throw new WorkspacesCallError('ModifyWorkspaceProperties', `standby WorkSpace ${standbyId}`, e);
        }
      }
      return waitOrFail(elapsed, desired, standbyId, last, isNew);
    }
    log(`${standbyId} is ${standby.State}: the standby of ${desired.primaryWorkspaceId} (${desired.primaryRegion})`);
    return {
      IsComplete: true,
      Data: {
        WorkspaceId: standbyId,
        State: standby.State ?? '',
        UserName: standby.UserName ?? '',
        DirectoryId: standby.DirectoryId ?? '',
        PrimaryWorkspaceId: desired.primaryWorkspaceId,
        DataReplication: replication,
      },
    };
  } catch (e) {
    if (isTemporary(e) && elapsed <= desired.timeoutSeconds) {
      log(`Temporary error, trying again at the next poll: ${(e as Error).message}`);
      return { IsComplete: false };
    }
    throw e;
  }
}

function waitOrFail(elapsed: number, desired: DesiredStandby, standbyId: string, last: string, isNew: boolean): { IsComplete: boolean } {
  if (elapsed > desired.timeoutSeconds) {
    throw new Error(`Standby WorkSpace ${standbyId} did not become AVAILABLE or STOPPED within ${formatSeconds(desired.timeoutSeconds)} `
      + `(TimeoutSeconds); its last state: ${last}. ${afterTimeout(isNew)}`);
  }
  return { IsComplete: false };
}
