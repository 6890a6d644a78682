// The service's input rules, as plain functions on plain values. The construct applies them
// at synth time and the handler applies them again (a template can be written by hand), so
// this file must not import aws-cdk-lib: it is bundled into the handler.

/**
 * A problem with one input: the prop as the caller named it, the value (with its unit, when it
 * has one: "60 minutes", not "60"), and the rule.
 */
export class InputError extends Error {
  constructor(readonly prop: string, readonly value: unknown, readonly rule: string, readonly unit?: string) {
    super(`Invalid ${prop} ${formatValue(value, unit)}: ${rule}`);
    this.name = 'InputError';
  }
}

function formatValue(value: unknown, unit: string | undefined): string {
  return unit !== undefined && typeof value === 'number' ? `${value} ${unit}` : quoteValue(value);
}

/**
 * The most characters of a value that a message quotes. A handler's message has to fit in
 * CloudFormation's 4,096-byte response with the Provider framework's additions, and a value can
 * be as long as a template allows (a 5,000-character user name is refused, but named).
 */
export const MAX_QUOTED_CHARACTERS = 64;

/**
 * A value as a message quotes it: JSON, so that quotes, control characters and line separators
 * show as escapes (a message is one line), cut after MAX_QUOTED_CHARACTERS characters with its
 * whole length stated: `"aaaa…" (5,000 characters)`.
 */
export function quoteValue(value: unknown): string {
  if (value === undefined) {
    return 'undefined';
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  // By code points, so that a cut never splits a surrogate pair.
  const chars = Array.from(text);
  if (chars.length <= MAX_QUOTED_CHARACTERS) {
    return typeof value === 'string' ? escapeSeparators(JSON.stringify(value)) : escapeSeparators(text);
  }
  const head = chars.slice(0, MAX_QUOTED_CHARACTERS).join('');
  const length = `${chars.length.toLocaleString('en-US')} characters${typeof value === 'string' ? '' : ' as JSON'}`;
  return typeof value === 'string'
    ? `${escapeSeparators(JSON.stringify(head).slice(0, -1))}…" (${length})`
    : `${escapeSeparators(head)}… (${length})`;
}

/** JSON leaves U+2028 and U+2029 as they are; a message shows them as escapes, like the other line breaks. */
function escapeSeparators(text: string): string {
  return text.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * CloudFormation waits at most this long for a custom resource (its ServiceTimeout is 1 to 3600
 * seconds), counted from its request, before it fails the resource without the resource's id.
 */
export const SERVICE_TIMEOUT_SECONDS = 3600;
/**
 * What the handler keeps of CloudFormation's hour to fail first, with its own message and the
 * WorkSpace's id: the time before onEvent ran (CloudFormation to the Provider framework, a cold
 * start), one poll interval (30 s) by which the last poll may come late, the last isComplete
 * invocation itself (the SDK's retries under throttling), and the framework's answer.
 */
export const TIMEOUT_MARGIN_SECONDS = 300;
/** The longest `timeout`: what lets the handler fail before CloudFormation's hour is over. */
export const MAX_TIMEOUT_SECONDS = SERVICE_TIMEOUT_SECONDS - TIMEOUT_MARGIN_SECONDS;
/** The shortest `timeout`: a WorkSpace takes minutes for anything. */
export const MIN_TIMEOUT_SECONDS = 60;

/** The timeout rule, in the words of the message. */
export const TIMEOUT_RULE = `must be from ${MIN_TIMEOUT_SECONDS / 60} minute to ${MAX_TIMEOUT_SECONDS / 60} minutes: CloudFormation fails a custom `
  + `resource ${SERVICE_TIMEOUT_SECONDS / 60} minutes after its request, and the handler keeps ${TIMEOUT_MARGIN_SECONDS / 60} minutes `
  + 'of that hour to fail first with its own message and the WorkSpace\'s id';

export const BUNDLE_ID_PATTERN = /^wsb-[0-9a-z]{8,63}$/;
export const DIRECTORY_ID_PATTERN = /^d-[0-9a-f]{8,63}$/;
export const WORKSPACE_ID_PATTERN = /^ws-[0-9a-z]{8,63}$/;
export const WORKSPACE_IMAGE_ID_PATTERN = /^wsi-[0-9a-z]{9,63}$/;
/** Names of images and bundles (the API reference of CreateWorkspaceImage and CreateWorkspaceBundle). */
export const IMAGE_OR_BUNDLE_NAME_PATTERN = /^[a-zA-Z0-9_./()-]+$/;
/** Their descriptions: the same characters, and spaces. */
export const IMAGE_OR_BUNDLE_DESCRIPTION_PATTERN = /^[a-zA-Z0-9_./() -]+$/;
export const COMPUTE_TYPE_PATTERN = /^[A-Z][A-Z0-9_]*$/;

export const RUNNING_MODES = ['AUTO_STOP', 'ALWAYS_ON', 'MANUAL'] as const;
export const PROTOCOLS = ['PCOIP', 'WSP'] as const;

export const MAX_TAGS = 50;
/** The tag that marks a WorkSpace as created by one custom resource; never user-managed. */
export const OWNERSHIP_TAG_KEY = 'cdk-workspaces:owner';
/**
 * The tag that says which lifetime of a fleet a WorkSpace belongs to, and whether a generation of
 * that fleet is about to release or terminate it (lambda/fleet-generations.ts); never user-managed.
 */
export const FLEET_TAG_KEY = 'cdk-workspaces:fleet';
/**
 * The tag that a bundle migration leaves on the migrated WorkSpace until CloudFormation has
 * committed (or rolled back) its new id (lambda/plan/migration.ts); never user-managed.
 */
export const MIGRATION_TAG_KEY = 'cdk-workspaces:migration';
/** The tag keys cdk-workspaces writes itself, which no app may declare. */
export const RESERVED_TAG_KEYS: readonly string[] = [OWNERSHIP_TAG_KEY, FLEET_TAG_KEY, MIGRATION_TAG_KEY];
/** How many tags cdk-workspaces adds to a fleet's WorkSpace (ownership and membership). */
export const FLEET_RESERVED_TAGS = 2;

export function checkBundleId(prop: string, value: string): void {
  if (!BUNDLE_ID_PATTERN.test(value)) {
    throw new InputError(prop, value, `must match ${BUNDLE_ID_PATTERN.source} (a bundle id such as "wsb-12345678")`);
  }
}

export function checkDirectoryId(prop: string, value: string): void {
  if (!DIRECTORY_ID_PATTERN.test(value)) {
    throw new InputError(prop, value, `must match ${DIRECTORY_ID_PATTERN.source} (a directory id such as "d-1234567890")`);
  }
}

export function checkUserName(prop: string, value: string): void {
  if (value.length < 1 || value.length > 63) {
    throw new InputError(prop, value, `must be 1 to 63 characters long (it is ${value.length})`);
  }
}

export function checkComputeTypeName(prop: string, value: string): void {
  if (!COMPUTE_TYPE_PATTERN.test(value)) {
    throw new InputError(prop, value, 'must be a compute type name in upper case, such as "STANDARD" or "GRAPHICS_G4DN"');
  }
}

export function checkRunningMode(prop: string, value: string): void {
  if (!(RUNNING_MODES as readonly string[]).includes(value)) {
    throw new InputError(prop, value, `must be one of ${RUNNING_MODES.join(', ')}`);
  }
}

/**
 * The auto-stop timeout is set in 60-minute steps, and only means something with AUTO_STOP.
 */
export function checkAutoStopTimeout(prop: string, minutes: number, runningMode: string): void {
  if (runningMode !== 'AUTO_STOP') {
    throw new InputError(prop, minutes, `can only be set when the running mode is AUTO_STOP (it is ${runningMode})`, 'minutes');
  }
  if (!Number.isInteger(minutes) || minutes < 60 || minutes % 60 !== 0) {
    throw new InputError(prop, minutes, 'must be a whole number of hours, at least 1 hour (60, 120, 180 ... minutes)', 'minutes');
  }
}

/** Root volume sizes the service allows, in GiB. */
export const ROOT_VOLUME_RULE = '80 or 100 GiB, or 175 to 2000 GiB';
/** User volume sizes the service allows, in GiB. */
export const USER_VOLUME_RULE = '10 or 50 GiB, or 100 to 2000 GiB';

export function checkRootVolumeSize(prop: string, gib: number): void {
  const ok = Number.isInteger(gib) && (gib === 80 || gib === 100 || (gib >= 175 && gib <= 2000));
  if (!ok) {
    throw new InputError(prop, gib, `root volume must be ${ROOT_VOLUME_RULE}, in whole GiB`, 'GiB');
  }
}

export function checkUserVolumeSize(prop: string, gib: number): void {
  const ok = Number.isInteger(gib) && (gib === 10 || gib === 50 || (gib >= 100 && gib <= 2000));
  if (!ok) {
    throw new InputError(prop, gib, `user volume must be ${USER_VOLUME_RULE}, in whole GiB`, 'GiB');
  }
}

/** The service pairs a root volume of 175 GiB or more only with a user volume of 100 GiB or more. */
export function checkVolumePair(prop: string, rootGib: number, userGib: number): void {
  if (rootGib >= 175 && userGib < 100) {
    throw new InputError(prop, `${rootGib}/${userGib} GiB`,
      'a root volume of 175 GiB or more needs a user volume of at least 100 GiB');
  }
}

export function checkProtocols(prop: string, protocols: readonly string[]): void {
  if (protocols.length === 0) {
    throw new InputError(prop, protocols, 'must name at least one protocol (PCOIP or WSP)');
  }
  for (const p of protocols) {
    if (!(PROTOCOLS as readonly string[]).includes(p)) {
      throw new InputError(prop, p, `must be one of ${PROTOCOLS.join(', ')}`);
    }
  }
  if (new Set(protocols).size !== protocols.length) {
    throw new InputError(prop, protocols, 'must not name a protocol twice');
  }
}

export function checkTagKey(prop: string, key: string): void {
  if (key.length < 1 || key.length > 127) {
    throw new InputError(prop, key, `a tag key must be 1 to 127 characters long (it is ${key.length})`);
  }
  if (key.toLowerCase().startsWith('aws:')) {
    throw new InputError(prop, key, 'a tag key must not start with "aws:", which AWS reserves');
  }
  // In any case: IAM compares the key of aws:ResourceTag/<key> without case, and the handlers'
  // roles are denied any tag change that names it.
  if (RESERVED_TAG_KEYS.includes(key.toLowerCase())) {
    throw new InputError(prop, key, 'this tag key is reserved by cdk-workspaces, in any case, to mark the resources it owns');
  }
}

export function checkTagValue(prop: string, key: string, value: string): void {
  if (value.length > 255) {
    throw new InputError(prop, value, `the value of tag "${key}" must be at most 255 characters long (it is ${value.length})`);
  }
}

/**
 * At most 50 tags, counting the ones cdk-workspaces adds: the ownership tag, and for a fleet's
 * WorkSpace its membership tag as well (`reserved`). A directory's registration carries none of
 * them (`reserved` 0, `resource` 'a directory').
 */
export function checkTagCount(prop: string, count: number, reserved = 1, resource = 'a WorkSpace'): void {
  if (count > MAX_TAGS - reserved) {
    throw new InputError(prop, count, reserved === 0
      ? `${resource} takes at most ${MAX_TAGS} tags`
      : `${resource} takes at most ${MAX_TAGS} tags, and cdk-workspaces uses ${reserved === 1 ? 'one' : reserved} of them, `
        + `so at most ${MAX_TAGS - reserved} may be declared`);
  }
}

function checkText(prop: string, value: string, max: number, pattern: RegExp, what: string): void {
  if (value.length < 1 || value.length > max || !pattern.test(value)) {
    throw new InputError(prop, value, `must be 1 to ${max} characters of ${what} (the API's pattern ${pattern.source})`);
  }
}

export function checkWorkspaceImageName(prop: string, value: string): void {
  checkText(prop, value, 64, IMAGE_OR_BUNDLE_NAME_PATTERN, 'letters, digits and _ . / ( ) -');
}

export function checkWorkspaceImageDescription(prop: string, value: string): void {
  checkText(prop, value, 256, IMAGE_OR_BUNDLE_DESCRIPTION_PATTERN, 'letters, digits, spaces and _ . / ( ) -');
}

export function checkBundleName(prop: string, value: string): void {
  checkText(prop, value, 64, IMAGE_OR_BUNDLE_NAME_PATTERN, 'letters, digits and _ . / ( ) -');
}

export function checkBundleDescription(prop: string, value: string): void {
  checkText(prop, value, 255, IMAGE_OR_BUNDLE_DESCRIPTION_PATTERN, 'letters, digits, spaces and _ . / ( ) -');
}

export function checkImageId(prop: string, value: string): void {
  if (!WORKSPACE_IMAGE_ID_PATTERN.test(value)) {
    throw new InputError(prop, value, `must match ${WORKSPACE_IMAGE_ID_PATTERN.source} (an image id such as "wsi-123456789")`);
  }
}
