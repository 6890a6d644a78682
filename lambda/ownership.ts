import { createHash } from 'crypto';

/** The service's limit on a tag value. */
const MAX_TAG_VALUE_LENGTH = 255;

/**
 * The value of the ownership tag: which custom resource of which stack created a WorkSpace.
 *
 * The stack's UUID rather than its name, so that a new stack that reuses a deleted stack's
 * name does not adopt the WorkSpaces the old one left behind (RETAIN).
 */
export function ownershipTagValue(stackId: string, logicalResourceId: string): string {
  const stackUuid = stackId.split('/').pop() ?? stackId;
  const value = `${logicalResourceId}/${stackUuid}`;
  if (value.length <= MAX_TAG_VALUE_LENGTH) {
    return value;
  }
  return `sha256:${createHash('sha256').update(value).digest('hex')}`;
}
