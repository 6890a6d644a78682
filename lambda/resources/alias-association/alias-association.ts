// Custom::WorkspacesConnectionAliasAssociation: associates a connection alias with a directory of
// its Region (AssociateConnectionAlias), which CloudFormation's AWS::WorkSpaces::ConnectionAlias
// does not do, and waits until the association is ASSOCIATED. Its Delete disassociates only what
// this resource associated.
import {
  AssociateConnectionAliasCommand,
  ConnectionAlias,
  ConnectionAliasAssociation,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeConnectionAliasesCommand,
  DescribeTagsCommand,
  DisassociateConnectionAliasCommand,
} from '@aws-sdk/client-workspaces';
import { ALIAS_ID_PATTERN, checkAliasId } from '../../../src/private/network-rules';
import { checkDirectoryId, DIRECTORY_ID_PATTERN, InputError, OWNERSHIP_TAG_KEY } from '../../../src/private/rules';
import { isRetryLater, isTemporary, WorkspacesApi, WorkspacesCallError } from '../../api';
import { WorkspaceResourceEvent } from '../../core/contract';
import { ownershipMarking, Reader, relationOf, resourcePart, stackUuid, parseOwnership } from '../../core/ownership';
import { boundedTimeoutSeconds, rejectUnknownKeys } from '../../parse/strict';

export const ALIAS_ASSOCIATION_RESOURCE_TYPE = 'Custom::WorkspacesConnectionAliasAssociation';

/** How long an association may take when the template gives no TimeoutSeconds. */
export const DEFAULT_ASSOCIATION_TIMEOUT_SECONDS = 15 * 60;

/** The physical id of an association that existed before this resource: its Delete leaves it. */
const ADOPTED_SUFFIX = '/adopted';

/** The properties the construct writes; anything else is refused before any call. */
const PROPERTIES: ReadonlySet<string> = new Set(['ServiceToken', 'ServiceTimeout', 'AliasId', 'ResourceId', 'TimeoutSeconds']);

export interface DesiredAssociation {
  readonly aliasId: string;
  /** The directory, as the API names it (AssociateConnectionAlias's ResourceId). */
  readonly directoryId: string;
  readonly timeoutSeconds: number;
}

/** The Provider framework's event: the contract every resource type shares. */
export type AssociationEvent = WorkspaceResourceEvent;

/**
 * The properties, strictly: an unknown key, a value of the wrong type or one that breaks the
 * API's pattern fails here, naming the property, before any call to the service.
 */
export function parseAssociationProperties(raw: Record<string, unknown>): DesiredAssociation {
  rejectUnknownKeys(ALIAS_ASSOCIATION_RESOURCE_TYPE, '', raw, PROPERTIES);
  const aliasId = requiredString('AliasId', raw.AliasId);
  checkAliasId('AliasId', aliasId);
  const directoryId = requiredString('ResourceId', raw.ResourceId);
  checkDirectoryId('ResourceId', directoryId);
  return { aliasId, directoryId, timeoutSeconds: boundedTimeoutSeconds(raw.TimeoutSeconds, DEFAULT_ASSOCIATION_TIMEOUT_SECONDS) };
}

function requiredString(prop: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw new InputError(prop, value, 'is required, as a string');
  }
  return value;
}


/** Which association a physical id names, and whether this resource made it. */
export function parseAssociationId(physicalId: string | undefined): { aliasId: string; directoryId: string; associatedHere: boolean } | undefined {
  if (physicalId === undefined) {
    return undefined;
  }
  const adopted = physicalId.endsWith(ADOPTED_SUFFIX);
  const [aliasId, directoryId, ...rest] = (adopted ? physicalId.slice(0, -ADOPTED_SUFFIX.length) : physicalId).split('/');
  if (rest.length > 0 || !ALIAS_ID_PATTERN.test(aliasId ?? '') || !DIRECTORY_ID_PATTERN.test(directoryId ?? '')) {
    return undefined;
  }
  return { aliasId, directoryId, associatedHere: !adopted };
}

function associationId(desired: { aliasId: string; directoryId: string }, adopted = false): string {
  return `${desired.aliasId}/${desired.directoryId}${adopted ? ADOPTED_SUFFIX : ''}`;
}

const LIVE = ['ASSOCIATED_WITH_OWNER_ACCOUNT', 'PENDING_ASSOCIATION'];

/** This account's association of the alias with the directory, when it is there (or on its way). */
function associationWith(alias: ConnectionAlias, directoryId: string): ConnectionAliasAssociation | undefined {
  return (alias.Associations ?? []).find((a) => a.ResourceId === directoryId && a.AssociationStatus !== 'NOT_ASSOCIATED');
}

/** The alias's association with another directory of this account, which rules out a second one. */
function otherAssociation(alias: ConnectionAlias, directoryId: string): ConnectionAliasAssociation | undefined {
  return (alias.Associations ?? []).find((a) => a.ResourceId !== directoryId && a.AssociationStatus !== undefined
    && [...LIVE, 'PENDING_DISASSOCIATION'].includes(a.AssociationStatus));
}

async function send<T>(api: WorkspacesApi, call: string, target: string, command: any): Promise<T> {
  try {
    return await api.client.send(command) as T;
  } catch (e) {
    throw new WorkspacesCallError(call, target, e);
  }
}

/** The alias, or undefined when the service does not know it (in this Region). */
async function describeAlias(api: WorkspacesApi, aliasId: string): Promise<ConnectionAlias | undefined> {
  try {
    const out = await api.client.send(new DescribeConnectionAliasesCommand({ AliasIds: [aliasId] }));
    return (out.ConnectionAliases ?? []).find((a) => a.AliasId === aliasId);
  } catch (e) {
    if (/ResourceNotFound/.test((e as Error).name ?? '')) {
      return undefined;
    }
    throw new WorkspacesCallError('DescribeConnectionAliases', `connection alias ${aliasId}`, e);
  }
}

async function marking(api: WorkspacesApi, aliasId: string): Promise<string | undefined> {
  const out = await send<{ TagList?: Array<{ Key?: string; Value?: string }> }>(api, 'DescribeTags', `connection alias ${aliasId}`,
    new DescribeTagsCommand({ ResourceId: aliasId }));
  return out.TagList?.find((t) => t.Key === OWNERSHIP_TAG_KEY)?.Value;
}

function region(): string {
  return process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'this Region';
}

function notFound(aliasId: string): Error {
  return new Error(`Connection alias ${aliasId} does not exist in ${region()} (DescribeConnectionAliases). An alias is associated `
    + 'only with a directory of its own Region: declare the association in a stack of the alias\'s Region.');
}

async function associate(api: WorkspacesApi, desired: DesiredAssociation, log: (message: string) => void): Promise<void> {
  await send(api, 'AssociateConnectionAlias', `connection alias ${desired.aliasId} and directory ${desired.directoryId}`,
    new AssociateConnectionAliasCommand({ AliasId: desired.aliasId, ResourceId: desired.directoryId }));
  log(`AssociateConnectionAlias ${desired.aliasId} with ${desired.directoryId} requested`);
}

/**
 * Create marks the alias with the ownership tag of this request, then associates (or, while the
 * alias is still being created, leaves that to isComplete). An association of the alias with the
 * directory that exists already is this resource's only when the marking says this very request
 * made it (a retried Create); otherwise it is adopted, and its physical id says so. An association
 * with another directory fails before anything changes. Update to another alias makes a new
 * association (CloudFormation then deletes the old one); to another directory with the same alias,
 * it fails before anything changes, since the alias would first have to leave its directory.
 * Delete disassociates an association this resource made.
 */
export async function aliasAssociationOnEvent(
  api: WorkspacesApi,
  event: AssociationEvent,
  log: (message: string) => void,
): Promise<string> {
  if (event.RequestType === 'Delete') {
    return startDelete(api, event, log);
  }
  const desired = parseAssociationProperties(event.ResourceProperties);
  const current = parseAssociationId(event.PhysicalResourceId);
  if (event.RequestType === 'Update' && current !== undefined) {
    if (current.aliasId === desired.aliasId && current.directoryId === desired.directoryId) {
      log(`Update of ${event.PhysicalResourceId}: the same alias and directory; in place`);
      return event.PhysicalResourceId!;
    }
    if (current.aliasId === desired.aliasId) {
      throw new Error(`ConnectionAliasAssociation: moving connection alias ${desired.aliasId} from directory ${current.directoryId} `
        + `to ${desired.directoryId} needs it disassociated first, which CloudFormation would do only after the new association. `
        + 'Nothing was changed. Remove the association in one deployment and declare the new one in the next.');
    }
  }
  if (!event.RequestId) {
    throw new Error(`${event.RequestType} request without a RequestId: the ownership tag of an association names the request`);
  }
  const reader: Reader = { stackId: event.StackId, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId };
  const directory = await api.directory(desired.directoryId);
  if (directory?.State !== 'REGISTERED') {
    throw new Error(`Directory ${desired.directoryId} is ${directory?.State ?? 'not registered with WorkSpaces'} in ${region()} `
      + '(DescribeWorkspaceDirectories): a connection alias is associated only with a registered directory of its own Region. '
      + 'Nothing was changed.');
  }
  const alias = await describeAlias(api, desired.aliasId);
  if (alias === undefined || alias.State === 'DELETING') {
    throw notFound(desired.aliasId);
  }
  const other = otherAssociation(alias, desired.directoryId);
  if (other) {
    throw new Error(`Connection alias ${desired.aliasId} is ${other.AssociationStatus} with directory ${other.ResourceId}; `
      + `an alias is associated with one directory at a time, so it cannot be associated with ${desired.directoryId}. Nothing was `
      + 'changed. Disassociate it from the other directory first, or associate another alias.');
  }
  const existing = associationWith(alias, desired.directoryId);
  const mark = await marking(api, desired.aliasId);
  if (existing !== undefined && existing.AssociationStatus !== 'PENDING_DISASSOCIATION') {
    if (relationOf(reader, mark) === 'this-request') {
      log(`${desired.aliasId} is ${existing.AssociationStatus} with ${desired.directoryId}, by this request (a retried Create)`);
      return associationId(desired);
    }
    log(`${desired.aliasId} is ${existing.AssociationStatus} with ${desired.directoryId} already: adopted, and never disassociated `
      + 'by this resource');
    return associationId(desired, true);
  }
  // The marking first: should this invocation die after the association, a retry knows it as its own.
  await send(api, 'CreateTags', `connection alias ${desired.aliasId}`, new CreateTagsCommand({
    ResourceId: desired.aliasId,
    Tags: [{ Key: OWNERSHIP_TAG_KEY, Value: ownershipMarking(event.StackId, event.LogicalResourceId, event.RequestId, 'created') }],
  }));
  if (alias.State === 'CREATED' && existing === undefined) {
    try {
      await associate(api, desired, log);
    } catch (e) {
      if (!isRetryLater(e)) {
        throw e;
      }
      log(`AssociateConnectionAlias ${desired.aliasId}: ${(e as Error).message}; isComplete tries again`);
    }
  } else {
    log(`${desired.aliasId} is ${alias.State}${existing ? ` (${existing.AssociationStatus})` : ''}: isComplete associates it when it can`);
  }
  return associationId(desired);
}

async function startDelete(api: WorkspacesApi, event: AssociationEvent, log: (message: string) => void): Promise<string> {
  const physicalId = event.PhysicalResourceId ?? 'none';
  const association = parseAssociationId(event.PhysicalResourceId);
  if (association === undefined) {
    log(`Delete of ${physicalId}: not an association (a Create that failed before it made one); nothing to do`);
    return physicalId;
  }
  if (!association.associatedHere) {
    log(`Delete of ${physicalId}: the association existed before this resource adopted it; it stays`);
    return physicalId;
  }
  const alias = await describeAlias(api, association.aliasId);
  const existing = alias && associationWith(alias, association.directoryId);
  if (existing?.AssociationStatus === 'ASSOCIATED_WITH_OWNER_ACCOUNT') {
    await disassociate(api, association.aliasId, log);
  } else {
    log(`Delete of ${physicalId}: ${existing?.AssociationStatus ?? 'not associated'}; isComplete waits until it is gone`);
  }
  if (alias !== undefined) {
    const mark = await marking(api, association.aliasId);
    const owner = parseOwnership(mark);
    // Only this resource's marking: a later association by another resource keeps its own.
    if (owner !== undefined && owner.stack === stackUuid(event.StackId) && owner.resource === resourcePart(event.LogicalResourceId)) {
      await send(api, 'DeleteTags', `connection alias ${association.aliasId}`,
        new DeleteTagsCommand({ ResourceId: association.aliasId, TagKeys: [OWNERSHIP_TAG_KEY] }));
    }
  }
  return physicalId;
}

async function disassociate(api: WorkspacesApi, aliasId: string, log: (message: string) => void): Promise<void> {
  try {
    await send(api, 'DisassociateConnectionAlias', `connection alias ${aliasId}`, new DisassociateConnectionAliasCommand({ AliasId: aliasId }));
    log(`DisassociateConnectionAlias ${aliasId} requested`);
  } catch (e) {
    if (!isRetryLater(e)) {
      throw e;
    }
    log(`DisassociateConnectionAlias ${aliasId}: ${(e as Error).message}; isComplete tries again`);
  }
}

/** What the construct reads with GetAtt. Never absent, so that a GetAtt never fails. */
export interface AssociationAttributes {
  readonly [key: string]: string;
  readonly ConnectionIdentifier: string;
  readonly AliasId: string;
  readonly ResourceId: string;
  readonly AssociationStatus: string;
}

/**
 * isComplete: waits until the association is ASSOCIATED (associating once the alias is CREATED,
 * for a Create whose onEvent could not yet), or, for a Delete, until it is gone.
 */
export async function aliasAssociationIsComplete(
  api: WorkspacesApi,
  event: AssociationEvent & { PhysicalResourceId: string },
  elapsedSeconds: number | undefined,
  log: (message: string) => void,
): Promise<{ IsComplete: boolean; Data?: AssociationAttributes }> {
  const elapsed = elapsedSeconds ?? 0;
  const association = parseAssociationId(event.PhysicalResourceId);
  let timeoutSeconds = DEFAULT_ASSOCIATION_TIMEOUT_SECONDS;
  let last = 'not observed yet';
  try {
    if (event.RequestType === 'Delete') {
      if (association === undefined || !association.associatedHere) {
        return { IsComplete: true };
      }
      try {
        timeoutSeconds = parseAssociationProperties(event.ResourceProperties).timeoutSeconds;
      } catch {
        // A Delete goes ahead with the default timeout even when the properties were refused on Create.
      }
      const alias = await describeAlias(api, association.aliasId);
      const existing = alias && associationWith(alias, association.directoryId);
      last = existing?.AssociationStatus ?? 'NOT_ASSOCIATED';
      if (existing === undefined) {
        log(`${association.aliasId} is no longer associated with ${association.directoryId}`);
        return { IsComplete: true };
      }
      if (existing.AssociationStatus === 'ASSOCIATED_WITH_OWNER_ACCOUNT') {
        // An association that was still under way when the Delete came.
        await disassociate(api, association.aliasId, log);
      }
      return overdueOrWait(elapsed, timeoutSeconds, `disassociate connection alias ${association.aliasId} from directory `
        + `${association.directoryId}`, last);
    }

    const desired = parseAssociationProperties(event.ResourceProperties);
    timeoutSeconds = desired.timeoutSeconds;
    const alias = await describeAlias(api, desired.aliasId);
    if (alias === undefined || alias.State === 'DELETING') {
      throw notFound(desired.aliasId);
    }
    const existing = associationWith(alias, desired.directoryId);
    last = `alias ${alias.State}, association ${existing?.AssociationStatus ?? 'NOT_ASSOCIATED'}`;
    if (existing?.AssociationStatus === 'ASSOCIATED_WITH_OWNER_ACCOUNT') {
      log(`${desired.aliasId} is associated with ${desired.directoryId} (connection identifier ${existing.ConnectionIdentifier})`);
      return {
        IsComplete: true,
        Data: {
          ConnectionIdentifier: existing.ConnectionIdentifier ?? '',
          AliasId: desired.aliasId,
          ResourceId: desired.directoryId,
          AssociationStatus: existing.AssociationStatus,
        },
      };
    }
    const other = otherAssociation(alias, desired.directoryId);
    if (other) {
      throw new Error(`Connection alias ${desired.aliasId} is ${other.AssociationStatus} with directory ${other.ResourceId}, not `
        + `${desired.directoryId}: it was associated elsewhere while this deployment waited.`);
    }
    if (existing === undefined && association?.associatedHere === false) {
      throw new Error(`Connection alias ${desired.aliasId} is no longer associated with directory ${desired.directoryId}: the `
        + 'association this resource adopted was removed while it waited. Deploy again to associate it anew.');
    }
    if (existing === undefined && alias.State === 'CREATED') {
      try {
        await associate(api, desired, log);
      } catch (e) {
        if (!isRetryLater(e)) {
          throw e;
        }
      }
    }
    return overdueOrWait(elapsed, timeoutSeconds, `associate connection alias ${desired.aliasId} with directory ${desired.directoryId}`, last);
  } catch (e) {
    if (isTemporary(e) && elapsed <= timeoutSeconds) {
      log(`Temporary error, trying again at the next poll: ${(e as Error).message}`);
      return { IsComplete: false };
    }
    throw e;
  }
}

function overdueOrWait(elapsed: number, timeoutSeconds: number, what: string, last: string): { IsComplete: boolean } {
  if (elapsed > timeoutSeconds) {
    throw new Error(`Could not ${what} within ${timeoutSeconds} s (TimeoutSeconds); last seen: ${last}.`);
  }
  return { IsComplete: false };
}
