// Ownership and adoption: the marking that tells a resource's own WorkSpaces (and their
// lifetimes) apart, and the one decision the Workspace and the fleet share about a WorkSpace
// that already exists: take it (a retry, or adoptExisting) or refuse with what to do.
import { createHash } from 'crypto';
import type { Workspace } from '@aws-sdk/client-workspaces';
import type { WorkspaceResourceEvent } from './contract';
import { OWNERSHIP_TAG_KEY, quoteValue } from '../../src/private/rules';
import type { WorkspacesApi } from '../api';
import type { DesiredWorkspace } from '../parse';

/** The service's limit on a tag value. */
const MAX_TAG_VALUE_LENGTH = 255;
/** A logical id longer than this is replaced by its hash, so that the whole marking fits a tag value. */
const MAX_LOGICAL_ID_LENGTH = 160;
const HASH_PREFIX = 'sha256:';

/**
 * How a resource came to own a WorkSpace: `created` by its own request (its rollback may
 * terminate it), or `adopted` on purpose (it existed before; it is released, never terminated).
 */
export type OwnershipKind = 'created' | 'adopted';

/** What the ownership tag says, read back. */
export interface Ownership {
  /** The UUID of the owning stack (the last part of its StackId). */
  readonly stack: string;
  /** The owning resource's logical id, or `sha256:<hex>` of a long one. */
  readonly resource: string;
  readonly kind: OwnershipKind;
  /** The CloudFormation RequestId of the request that created or adopted the WorkSpace. */
  readonly request: string;
}

/**
 * The value of the ownership tag: `<stack UUID>/<logical id>/<created|adopted>/<RequestId>`.
 *
 * The stack's UUID rather than its name, so that a new stack that reuses a deleted stack's
 * name does not own what the old one left behind, and first, so that an IAM condition can
 * confine the handlers to their own stack's WorkSpaces with one pattern (`<UUID>/*`).
 * The RequestId tells lifetimes of a logical id apart: CloudFormation keeps it for every
 * retry of one request (the Provider framework passes it on unchanged), and a later Create of
 * the same logical id has another one.
 */
export function ownershipMarking(stackId: string, logicalResourceId: string, requestId: string, kind: OwnershipKind): string {
  const value = `${stackPrefix(stackId)}${resourcePart(logicalResourceId)}/${kind}/${requestId}`;
  if (value.length > MAX_TAG_VALUE_LENGTH) {
    throw new Error(`The ownership tag value for request ${requestId} would be ${value.length} characters long; `
      + `the service allows ${MAX_TAG_VALUE_LENGTH}`);
  }
  return value;
}

/** What every ownership tag value of this stack starts with: its UUID and a slash. */
export function stackPrefix(stackId: string): string {
  return `${stackUuid(stackId)}/`;
}

/** The stack's UUID, the last part of a StackId (`arn:...:stack/<name>/<uuid>`). */
export function stackUuid(stackId: string): string {
  return stackId.split('/').pop() ?? stackId;
}

/** The logical id as the marking holds it: itself, or its hash when it is too long to fit. */
export function resourcePart(logicalResourceId: string): string {
  return logicalResourceId.length <= MAX_LOGICAL_ID_LENGTH
    ? logicalResourceId
    : `${HASH_PREFIX}${createHash('sha256').update(logicalResourceId).digest('hex')}`;
}

/** Reads an ownership tag value; undefined when it is absent or not one this library writes. */
export function parseOwnership(value: string | undefined): Ownership | undefined {
  const parts = (value ?? '').split('/');
  if (parts.length !== 4 || parts.some((p) => p.length === 0) || (parts[2] !== 'created' && parts[2] !== 'adopted')) {
    return undefined;
  }
  return { stack: parts[0], resource: parts[1], kind: parts[2], request: parts[3] };
}

/** The resource whose point of view a marking is read from. */
export interface Reader {
  readonly stackId: string;
  readonly logicalResourceId: string;
  readonly requestId: string;
}

/** How a marking relates to the resource reading it. */
export type Relation =
  /** Not marked: made outside any cdk-workspaces stack, or released. */
  | 'unmarked'
  /** Created or adopted by this very request (an earlier attempt of it). */
  | 'this-request'
  /** This logical id of this stack, by an earlier request: left behind by an earlier lifetime. */
  | 'earlier-lifetime'
  /** Another resource of this stack. */
  | 'other-resource'
  /** A resource of another stack, or a marking this library does not write. */
  | 'other-stack';

export function relationOf(reader: Reader, value: string | undefined): Relation {
  if (value === undefined) {
    return 'unmarked';
  }
  const owner = parseOwnership(value);
  if (owner === undefined || owner.stack !== stackUuid(reader.stackId)) {
    return 'other-stack';
  }
  if (owner.resource !== resourcePart(reader.logicalResourceId)) {
    return 'other-resource';
  }
  return owner.request === reader.requestId ? 'this-request' : 'earlier-lifetime';
}

/**
 * Whether a marking says this logical id of this stack created the resource, in any lifetime: an
 * image or bundle whose id CloudFormation holds as this resource's may be deleted, one that this
 * resource only adopted or never made is left alone.
 */
export function createdByThisResource(reader: Reader, value: string | undefined): boolean {
  const owner = parseOwnership(value);
  return owner !== undefined && owner.kind === 'created' && owner.stack === stackUuid(reader.stackId)
    && owner.resource === resourcePart(reader.logicalResourceId);
}

/** Who owns a WorkSpace, for a message: "resource X of this stack", "another stack (...)". */
export function describeOwner(reader: Reader, value: string | undefined): string {
  const owner = parseOwnership(value);
  switch (relationOf(reader, value)) {
    case 'unmarked':
      return 'no cdk-workspaces resource';
    case 'this-request':
      return 'this resource, by this request';
    case 'earlier-lifetime':
      return `this resource in an earlier lifetime (request ${owner!.request}): it was left behind when the resource `
        + 'was removed from the stack or replaced';
    case 'other-resource':
      return `another construct of this stack, logical id ${owner!.resource}`;
    case 'other-stack':
      return owner === undefined
        ? `a resource this library does not recognise (ownership tag "${value}")`
        : `a resource of another stack (stack ${owner.stack}, logical id ${owner.resource})`;
  }
}

/**
 * The resource and request an event is for. A Delete needs no RequestId (it never marks), and
 * a hand-written Create without one could not tell its own retries from an earlier lifetime.
 */
export function readerOf(event: WorkspaceResourceEvent, optionalRequestId = false): Reader {
  if (!event.RequestId && !optionalRequestId) {
    throw new Error(`${event.RequestType} request without a RequestId: the ownership tag of a new WorkSpace names the request`);
  }
  return { stackId: event.StackId, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId ?? '' };
}

/** States from which an adopted WorkSpace could not reach the declared state. */
const NOT_ADOPTABLE_STATES: ReadonlySet<string> = new Set(['ERROR', 'SUSPENDED', 'TERMINATING', 'TERMINATED']);

/**
 * The id of the user's WorkSpace among these when this resource may take it: an earlier attempt
 * of this same request created or adopted it, or `adoptExisting` is set and it is unmarked or
 * left behind by an earlier lifetime of this resource, with the declared immutable settings (it
 * is then marked as adopted by this request). Undefined when the user has no WorkSpace here.
 *
 * @throws Error, before any change, when the user has a WorkSpace that this resource may not take
 */
export async function takeExisting(
  api: WorkspacesApi,
  desired: DesiredWorkspace,
  reader: Reader,
  found: readonly Workspace[],
  log: (message: string) => void,
  currentId?: string,
  adoptionTags: ReadonlyArray<{ readonly Key: string; readonly Value: string }> = [],
): Promise<string | undefined> {
  const existing = found.filter((w) => w.State !== 'TERMINATED' && w.WorkspaceId !== undefined);
  for (const workspace of existing) {
    const workspaceId = workspace.WorkspaceId!;
    const marking = (await api.tags(workspaceId))[OWNERSHIP_TAG_KEY];
    const where = `WorkSpace ${workspaceId} of user "${desired.userName}" in directory ${desired.directoryId}`;
    const owner = describeOwner(reader, marking);
    const relation = relationOf(reader, marking);
    if (relation === 'this-request') {
      if (workspace.State === 'TERMINATING') {
        throw new Error(`${where} is still being terminated. A user can have only one WorkSpace per directory: `
          + 'deploy again once it is gone.');
      }
      log(`Adopting ${workspaceId}: an earlier attempt of this same request ${parseOwnership(marking)!.kind} it`);
      return workspaceId;
    }
    if (relation === 'earlier-lifetime' && workspaceId === currentId) {
      // An Update back to the WorkSpace the resource has now: CloudFormation's rollback of a
      // failed replacement, whose new WorkSpace was never made or taken.
      log(`${workspaceId} is this resource's current WorkSpace: the update goes back to it, changing nothing of its ownership`);
      return workspaceId;
    }
    if (relation === 'other-resource' || relation === 'other-stack') {
      throw new Error(`${where} already exists and is managed by ${owner}, not by this resource. A user can have only one `
        + 'WorkSpace per directory, so no WorkSpace was created and nothing was changed. A WorkSpace that another '
        + 'cdk-workspaces resource manages is never taken over, not even with adoptExisting. If that resource is gone (removed '
        + `from its stack, or its stack deleted, keeping the WorkSpace), remove the WorkSpace's ${OWNERSHIP_TAG_KEY} tag, then `
        + 'deploy again with adoptExisting: true; otherwise use another user or directory.');
    }
    if (desired.adoptExisting !== true) {
      throw new Error(`${where} already exists and is managed by ${owner}. A user can have only one WorkSpace per `
        + 'directory, so no WorkSpace was created and nothing was changed. To bring this WorkSpace under this stack, '
        + 'set adoptExisting: true on the Workspace (its bundle and volume encryption must be the declared ones); '
        + 'otherwise use another user or directory, or terminate the existing WorkSpace first.');
    }
    const differences = immutableDifferences(workspace, desired);
    if (differences.length > 0) {
      throw new Error(`Cannot adopt ${where} (adoptExisting): ${differences.join('; ')}. These settings can only be chosen `
        + 'when a WorkSpace is created, so nothing was changed. Declare the WorkSpace\'s own settings, or terminate it '
        + 'and let this stack create a new one.');
    }
    if (NOT_ADOPTABLE_STATES.has(workspace.State ?? '')) {
      throw new Error(`Cannot adopt ${where} (adoptExisting): it is ${workspace.State}, and could not be brought to the `
        + 'declared state. Nothing was changed.');
    }
    await api.createTags(workspaceId, [{
      Key: OWNERSHIP_TAG_KEY,
      Value: ownershipMarking(reader.stackId, reader.logicalResourceId, reader.requestId, 'adopted'),
    }, ...adoptionTags]);
    log(`Adopted ${workspaceId} (adoptExisting; it was managed by ${owner}): isComplete brings it to the declared `
      + 'properties and tags; a rollback of this request releases it and never terminates it');
    return workspaceId;
  }
  return undefined;
}

/** Each setting that only a new WorkSpace could change and that differs, as "bundle is X, declared Y". */
export function immutableDifferences(workspace: Workspace, desired: DesiredWorkspace): string[] {
  const differences: string[] = [];
  const differ = (what: string, have: unknown, want: unknown) => {
    if (have !== want) {
      const show = (v: unknown) => (v === undefined ? 'none' : quoteValue(v));
      differences.push(`its ${what} is ${show(have)}, declared ${show(want)}`);
    }
  };
  differ('bundle', workspace.BundleId, desired.bundleId);
  differ('root volume encryption', workspace.RootVolumeEncryptionEnabled ?? false, desired.rootVolumeEncryptionEnabled);
  differ('user volume encryption', workspace.UserVolumeEncryptionEnabled ?? false, desired.userVolumeEncryptionEnabled);
  differ('volume encryption key', workspace.VolumeEncryptionKey || undefined, desired.volumeEncryptionKey);
  return differences;
}
