import { createHash } from 'crypto';

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
