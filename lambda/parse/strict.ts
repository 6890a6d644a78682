// The strict reading every resource type's properties go through. A template can be written by
// hand, so nothing a handler acts on is taken on trust: an unknown key, a wrong type, a value
// outside the service's enum or pattern is refused before any API call, with one message form
// (InputError: the property, the value quoted within bounds, the rule) whatever the resource type.
import type { WorkspaceTag } from './desired';
import { checkTagCount, checkTagKey, checkTagValue, InputError, MAX_TIMEOUT_SECONDS, MIN_TIMEOUT_SECONDS } from '../../src/private/rules';

export function isObject(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw);
}

export function asObject(prop: string, raw: unknown): Record<string, unknown> {
  if (!isObject(raw)) {
    throw new InputError(prop, raw, 'must be an object');
  }
  return raw;
}

/** An object property that may be absent. */
export function optionalObject(prop: string, raw: unknown): Record<string, unknown> | undefined {
  return raw === undefined ? undefined : asObject(prop, raw);
}

export function dropUndefined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Refuses a key the resource type does not know: a misspelt property would otherwise be
 * ignored, and the resource deployed without the setting its author meant.
 *
 * @param resourceType named in the message, e.g. `Custom::Workspace`, or `a fleet's user`
 * @param prefix the path of `obj` inside the properties, e.g. `WorkspaceProperties.`
 */
export function rejectUnknownKeys(resourceType: string, prefix: string, obj: Record<string, unknown>, known: ReadonlySet<string>): void {
  for (const key of Object.keys(obj)) {
    if (!known.has(key)) {
      throw new InputError(`${prefix}${key}`, obj[key], `is not a property of ${resourceType} (known: ${[...known].join(', ')})`);
    }
  }
}

export function optionalString(prop: string, raw: unknown): string | undefined {
  if (raw === undefined) {
    return undefined;
  }
  if (typeof raw !== 'string') {
    throw new InputError(prop, raw, 'must be a string');
  }
  return raw;
}

export function requiredString(prop: string, raw: unknown): string {
  if (raw === undefined) {
    throw new InputError(prop, raw, 'is required');
  }
  return optionalString(prop, raw) ?? '';
}

/** CloudFormation turns every number into a string; a hand-written template may not. */
export function optionalNumber(prop: string, raw: unknown): number | undefined {
  if (raw === undefined) {
    return undefined;
  }
  if (typeof raw === 'number' && Number.isFinite(raw)) {
    return raw;
  }
  if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) {
    return Number(raw);
  }
  throw new InputError(prop, raw, 'must be a number');
}

/**
 * A boolean as CloudFormation passes it ("true" or "false"; a hand-written template may give a
 * JSON boolean). Anything else is refused: reading "yes" as false would turn a setting off
 * that its author meant on.
 */
export function optionalBoolean(prop: string, raw: unknown): boolean | undefined {
  if (raw === undefined) {
    return undefined;
  }
  if (raw === true || raw === 'true') {
    return true;
  }
  if (raw === false || raw === 'false') {
    return false;
  }
  throw new InputError(prop, raw, 'must be "true" or "false"');
}

/** A boolean whose absence means false. */
export function parseBoolean(prop: string, raw: unknown): boolean {
  return optionalBoolean(prop, raw) ?? false;
}

/** A string that must be one of the service's enum values. */
export function optionalEnum<T extends string>(prop: string, raw: unknown, allowed: readonly T[]): T | undefined {
  const value = optionalString(prop, raw);
  if (value !== undefined && !(allowed as readonly string[]).includes(value)) {
    throw new InputError(prop, value, `must be one of ${allowed.join(', ')}`);
  }
  return value as T | undefined;
}

/** A string that must match one of the service's patterns; `example` says what it names. */
export function optionalPattern(prop: string, raw: unknown, pattern: RegExp, example: string): string | undefined {
  const value = optionalString(prop, raw);
  if (value !== undefined && !pattern.test(value)) {
    throw new InputError(prop, value, `must match ${pattern.source} (${example})`);
  }
  return value;
}

/**
 * A list of strings, each checked by `check` (given its own property, e.g. `SubnetIds[1]`), with
 * no value twice: the service would take a repeated id as one, or refuse the call.
 */
export function optionalStringList(prop: string, raw: unknown, check: (itemProp: string, value: string) => void = () => {}): string[] | undefined {
  if (raw === undefined) {
    return undefined;
  }
  if (!Array.isArray(raw)) {
    throw new InputError(prop, raw, 'must be a list of strings');
  }
  const seen = new Set<string>();
  return raw.map((item, i) => {
    const value = requiredString(`${prop}[${i}]`, item);
    check(`${prop}[${i}]`, value);
    if (seen.has(value)) {
      throw new InputError(`${prop}[${i}]`, value, 'is listed twice');
    }
    seen.add(value);
    return value;
  });
}

/**
 * An object whose keys are the service's names for a group of settings (e.g. the self-service
 * permissions) and whose values are one enum (e.g. ENABLED or DISABLED).
 */
export function optionalEnumRecord<T extends string>(
  prop: string, raw: unknown, resourceType: string, keys: ReadonlySet<string>, values: readonly T[],
): Record<string, T> | undefined {
  const obj = optionalObject(prop, raw);
  if (obj === undefined) {
    return undefined;
  }
  rejectUnknownKeys(resourceType, `${prop}.`, obj, keys);
  return dropUndefined(Object.fromEntries(Object.keys(obj).map((key) => [key, optionalEnum(`${prop}.${key}`, obj[key], values)]))) as Record<string, T>;
}

/**
 * A list of {Key, Value} tags: at most 49 (the ownership tag is the 50th), keys 1..127 and not
 * `aws:` or the ownership tag's, values up to 255 characters, no key twice.
 */
export function parseTags(prop: string, raw: unknown): WorkspaceTag[] {
  return optionalTags(prop, raw) ?? [];
}

/**
 * Like parseTags, but tells absent tags (undefined) from an empty list. `reserved` and `resource`
 * are checkTagCount's: a directory's registration carries no tag of cdk-workspaces.
 */
export function optionalTags(prop: string, raw: unknown, reserved = 1, resource = 'a WorkSpace'): WorkspaceTag[] | undefined {
  if (raw === undefined) {
    return undefined;
  }
  if (!Array.isArray(raw)) {
    throw new InputError(prop, raw, 'must be a list of {Key, Value} objects');
  }
  checkTagCount(prop, raw.length, reserved, resource);
  const seen = new Set<string>();
  return raw.map((entry, i) => {
    const tag = asObject(`${prop}[${i}]`, entry);
    rejectUnknownKeys('a tag', `${prop}[${i}].`, tag, TAG_KEYS);
    const key = requiredString(`${prop}[${i}].Key`, tag.Key);
    checkTagKey(`${prop}[${i}].Key`, key);
    // CloudFormation may drop an empty string on the way; an empty value is still a tag.
    const value = optionalString(`${prop}[${i}].Value`, tag.Value) ?? '';
    checkTagValue(`${prop}[${i}].Value`, key, value);
    if (seen.has(key)) {
      throw new InputError(`${prop}[${i}].Key`, key, 'a tag key may be declared only once');
    }
    seen.add(key);
    return { Key: key, Value: value };
  });
}

const TAG_KEYS: ReadonlySet<string> = new Set(['Key', 'Value']);

/**
 * A resource's TimeoutSeconds (CloudFormation passes it as a string): whole seconds within what
 * the Provider framework's hour leaves, or the resource type's default when absent.
 */
export function boundedTimeoutSeconds(value: unknown, defaultSeconds: number): number {
  if (value === undefined) {
    return defaultSeconds;
  }
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(seconds) || seconds < MIN_TIMEOUT_SECONDS || seconds > MAX_TIMEOUT_SECONDS) {
    throw new InputError('TimeoutSeconds', value, `must be a whole number of seconds from ${MIN_TIMEOUT_SECONDS} to ${MAX_TIMEOUT_SECONDS}`);
  }
  return seconds;
}
