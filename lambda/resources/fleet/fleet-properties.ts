// The parse layer of Custom::WorkspaceFleet: its properties become one DesiredWorkspace per
// user, through the very parser of Custom::Workspace (so every rule is applied the same way), from
// the fleet's defaults and each user's overrides.
import { checkBundleId, checkDirectoryId, checkTagCount, checkUserName, FLEET_RESERVED_TAGS, InputError } from '../../../src/private/rules';
import { DEFAULT_REQUESTS_PER_SECOND } from '../../api';
import {
  asObject, BundleChangeName, BundleSpec, DesiredWorkspace, dropUndefined, isObject, optionalNumber, optionalObject, optionalString,
  parseBoolean, parseBundleChange, parseProperties, parseTags, rejectUnknownKeys, requiredString,
} from '../../parse';

/** The resource type of a fleet, as the construct renders it and the handlers route by it. */
export const FLEET_RESOURCE_TYPE = 'Custom::WorkspaceFleet';

/** What happens to the WorkSpace of a user removed from the fleet, as the wire names it. */
export type UserRemovalPolicy = 'RETAIN_ON_UPDATE_OR_DELETE' | 'RETAIN' | 'DESTROY';
const USER_REMOVAL_POLICIES: readonly UserRemovalPolicy[] = ['RETAIN_ON_UPDATE_OR_DELETE', 'RETAIN', 'DESTROY'];

/** The most users one fleet may have: what its observation and the CloudFormation hour are sized for. */
export const MAX_FLEET_USERS = 1000;
/** The highest request rate a fleet may be told, in requests per second. */
export const MAX_REQUESTS_PER_SECOND = 50;

const FLEET_KEYS = new Set([
  'ServiceToken', 'ServiceTimeout', 'DirectoryId', 'BundleId', 'BundleName', 'BundleOwner', 'RootVolumeEncryptionEnabled',
  'UserVolumeEncryptionEnabled', 'VolumeEncryptionKey', 'WorkspaceProperties', 'Tags', 'Users', 'TimeoutSeconds',
  'AdoptExisting', 'DisruptionPolicy', 'RemovalPolicy', 'RequestsPerSecond', 'ExportedUsers', 'BundleChange', 'MigrationBatchSize',
]);
/**
 * How many members a bundle change migrates at once by default: a bad bundle shows in the first
 * wave, and the Administration Guide advises at most 25 at a time (MAX_MIGRATION_BATCH_SIZE).
 */
export const DEFAULT_MIGRATION_BATCH_SIZE = 5;
export const MAX_MIGRATION_BATCH_SIZE = 25;
const USER_KEYS = new Set(['UserName', 'WorkspaceProperties', 'Tags']);

/** A fleet as its properties declare it, before the bundle is resolved. */
export interface FleetSpec {
  readonly directoryId: string;
  readonly bundle: BundleSpec;
  /** In the order declared; compared without case. */
  readonly userNames: readonly string[];
  readonly removalPolicy: UserRemovalPolicy;
  readonly requestsPerSecond: number;
  readonly timeoutSeconds: number;
  readonly adoptExisting: boolean;
  /** What a bundle change does: migrate the members in waves, or refuse. */
  readonly bundleChange: BundleChangeName;
  /** How many members one wave of a migration moves. */
  readonly migrationBatchSize: number;
  /** The desired state of each user's WorkSpace, once the bundle's id is known. */
  desired(bundleId: string): DesiredWorkspace[];
}

/**
 * Reads and validates a fleet's properties. Each user's WorkSpace is checked as a
 * Custom::Workspace with the fleet's settings and the user's overrides would be, so an error
 * names the user as well as the property.
 *
 * @throws InputError naming the property, the value and the rule
 */
export function parseFleetProperties(raw: unknown): FleetSpec {
  const props = asObject('ResourceProperties', raw);
  rejectUnknownKeys(FLEET_RESOURCE_TYPE, '', props, FLEET_KEYS);
  // The fleet's own tags and properties, before they are merged into each user's: the merge
  // keeps only objects, and the last of two tags with one key.
  parseTags('Tags', props.Tags);
  optionalObject('WorkspaceProperties', props.WorkspaceProperties);
  const directoryId = requiredString('DirectoryId', props.DirectoryId);
  checkDirectoryId('DirectoryId', directoryId);
  const bundle = parseBundle(props);
  const removalPolicy = (optionalString('RemovalPolicy', props.RemovalPolicy) ?? 'RETAIN_ON_UPDATE_OR_DELETE') as UserRemovalPolicy;
  if (!USER_REMOVAL_POLICIES.includes(removalPolicy)) {
    throw new InputError('RemovalPolicy', removalPolicy, `must be one of ${USER_REMOVAL_POLICIES.join(', ')}`);
  }
  const requestsPerSecond = optionalNumber('RequestsPerSecond', props.RequestsPerSecond) ?? DEFAULT_REQUESTS_PER_SECOND;
  if (!Number.isFinite(requestsPerSecond) || requestsPerSecond <= 0 || requestsPerSecond > MAX_REQUESTS_PER_SECOND) {
    throw new InputError('RequestsPerSecond', props.RequestsPerSecond, `must be a number of requests per second above 0 and at most ${MAX_REQUESTS_PER_SECOND}`);
  }
  const users = parseUsers(props.Users);
  const migrationBatchSize = optionalNumber('MigrationBatchSize', props.MigrationBatchSize) ?? DEFAULT_MIGRATION_BATCH_SIZE;
  if (!Number.isInteger(migrationBatchSize) || migrationBatchSize < 1 || migrationBatchSize > MAX_MIGRATION_BATCH_SIZE) {
    throw new InputError('MigrationBatchSize', props.MigrationBatchSize, `must be a whole number of WorkSpaces from 1 to ${MAX_MIGRATION_BATCH_SIZE}`);
  }

  const common = (bundleId: string) => ({
    DirectoryId: directoryId,
    BundleId: bundleId,
    RootVolumeEncryptionEnabled: props.RootVolumeEncryptionEnabled,
    UserVolumeEncryptionEnabled: props.UserVolumeEncryptionEnabled,
    VolumeEncryptionKey: props.VolumeEncryptionKey,
    TimeoutSeconds: props.TimeoutSeconds,
    ServiceTimeout: props.ServiceTimeout,
    AdoptExisting: props.AdoptExisting,
    DisruptionPolicy: props.DisruptionPolicy,
    BundleChange: props.BundleChange,
  });
  // Parsed once per bundle id: a poll of a large fleet asks for it more than once.
  const parsed = new Map<string, DesiredWorkspace[]>();
  const desired = (bundleId: string): DesiredWorkspace[] => {
    let list = parsed.get(bundleId);
    if (list === undefined) {
      list = parseUsersOf(bundleId);
      parsed.set(bundleId, list);
    }
    return list;
  };
  const parseUsersOf = (bundleId: string): DesiredWorkspace[] => users.map((user, i) => {
    try {
      const tags = mergeTags(props.Tags, user.Tags);
      // A fleet's WorkSpace carries its membership tag beside the ownership tag.
      checkTagCount('Tags', tags?.length ?? 0, FLEET_RESERVED_TAGS);
      return parseProperties(dropUndefined({
        ...common(bundleId),
        UserName: user.UserName,
        WorkspaceProperties: mergeProperties(props.WorkspaceProperties, user.WorkspaceProperties),
        Tags: tags,
      }));
    } catch (e) {
      if (e instanceof InputError) {
        throw new InputError(`Users[${i}] (user "${user.UserName}"): ${e.prop}`, e.value, e.rule, e.unit);
      }
      throw e;
    }
  });
  // Validate every user now (with a placeholder bundle id when the bundle is named): an error
  // surfaces before anything is created.
  const first = desired(bundle.bundleId ?? 'wsb-00000000');
  return {
    directoryId,
    bundle,
    userNames: users.map((u) => u.UserName),
    removalPolicy,
    requestsPerSecond,
    timeoutSeconds: first[0]?.timeoutSeconds ?? parseProperties({ ...common('wsb-00000000'), UserName: 'x' }).timeoutSeconds,
    adoptExisting: parseBoolean('AdoptExisting', props.AdoptExisting),
    bundleChange: parseBundleChange(props.BundleChange),
    migrationBatchSize,
    desired,
  };
}

/**
 * The user names of a fleet's properties, read without failing (the old properties of an
 * Update, or those of a Delete whose Create was refused): only the names are needed.
 */
export function readFleetUserNames(raw: unknown): string[] {
  if (!isObject(raw) || !Array.isArray(raw.Users)) {
    return [];
  }
  return raw.Users.filter(isObject).map((u) => u.UserName).filter((u): u is string => typeof u === 'string' && u.length > 0);
}

/** The tags each user's WorkSpace was declared with, by lower-case user name, read without failing. */
export function readFleetTags(raw: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!isObject(raw) || !Array.isArray(raw.Users)) {
    return out;
  }
  for (const user of raw.Users.filter(isObject)) {
    if (typeof user.UserName === 'string') {
      const merged = mergeTags(raw.Tags, user.Tags) ?? [];
      out.set(user.UserName.toLowerCase(), merged.map((t) => t.Key));
    }
  }
  return out;
}

/** The fleet's properties as a Custom::Workspace's, for the parts that read those (old properties). */
export function userPropertiesOf(raw: unknown, userName: string): Record<string, unknown> | undefined {
  if (!isObject(raw) || !Array.isArray(raw.Users)) {
    return undefined;
  }
  const user = raw.Users.filter(isObject).find((u) => typeof u.UserName === 'string' && u.UserName.toLowerCase() === userName.toLowerCase());
  if (user === undefined) {
    return undefined;
  }
  return dropUndefined({
    DirectoryId: raw.DirectoryId,
    BundleId: raw.BundleId,
    UserName: user.UserName,
    RootVolumeEncryptionEnabled: raw.RootVolumeEncryptionEnabled,
    UserVolumeEncryptionEnabled: raw.UserVolumeEncryptionEnabled,
    VolumeEncryptionKey: raw.VolumeEncryptionKey,
    WorkspaceProperties: mergeProperties(raw.WorkspaceProperties, user.WorkspaceProperties),
    Tags: mergeTags(raw.Tags, user.Tags),
  });
}

function parseBundle(props: Record<string, unknown>): BundleSpec {
  const bundleId = optionalString('BundleId', props.BundleId);
  const bundleName = optionalString('BundleName', props.BundleName);
  const bundleOwner = optionalString('BundleOwner', props.BundleOwner);
  if ((bundleId === undefined) === (bundleName === undefined)) {
    throw new InputError('BundleId', bundleId ?? bundleName, 'exactly one of BundleId and BundleName must be given');
  }
  if (bundleId !== undefined) {
    checkBundleId('BundleId', bundleId);
    if (bundleOwner !== undefined) {
      throw new InputError('BundleOwner', bundleOwner, 'is only used with BundleName');
    }
    return { bundleId };
  }
  if (bundleOwner !== undefined && bundleOwner !== 'AMAZON' && bundleOwner !== 'ACCOUNT') {
    throw new InputError('BundleOwner', bundleOwner, 'must be AMAZON or ACCOUNT');
  }
  return { bundleName, bundleOwner: bundleOwner as BundleSpec['bundleOwner'] };
}

interface UserEntry {
  readonly UserName: string;
  readonly WorkspaceProperties?: unknown;
  readonly Tags?: unknown;
}

function parseUsers(raw: unknown): UserEntry[] {
  if (raw === undefined) {
    return [];
  }
  if (!Array.isArray(raw)) {
    throw new InputError('Users', raw, 'must be a list of {UserName, WorkspaceProperties?, Tags?} objects');
  }
  if (raw.length > MAX_FLEET_USERS) {
    throw new InputError('Users', `${raw.length} users`, `a fleet has at most ${MAX_FLEET_USERS} users`);
  }
  const seen = new Map<string, number>();
  return raw.map((entry, i) => {
    const user = asObject(`Users[${i}]`, entry);
    rejectUnknownKeys('a fleet\'s user', `Users[${i}].`, user, USER_KEYS);
    parseTags(`Users[${i}].Tags`, user.Tags);
    optionalObject(`Users[${i}].WorkspaceProperties`, user.WorkspaceProperties);
    const userName = requiredString(`Users[${i}].UserName`, user.UserName);
    checkUserName(`Users[${i}].UserName`, userName);
    const key = userName.toLowerCase();
    if (seen.has(key)) {
      throw new InputError(`Users[${i}].UserName`, userName, `the user is declared twice (also Users[${seen.get(key)}]; names are compared without case)`);
    }
    seen.set(key, i);
    return { UserName: userName, WorkspaceProperties: user.WorkspaceProperties, Tags: user.Tags };
  });
}

/** The fleet's WorkspaceProperties with the user's on top; a user's auto-stop timeout goes with its running mode. */
function mergeProperties(fleet: unknown, user: unknown): unknown {
  if (user === undefined) {
    return fleet;
  }
  if (!isObject(user) || (fleet !== undefined && !isObject(fleet))) {
    return user;
  }
  const merged: Record<string, unknown> = { ...(fleet ?? {}), ...user };
  // A user who declares another running mode without a timeout does not inherit the fleet's
  // AUTO_STOP timeout, which means nothing (and is refused) with the other modes.
  if (user.RunningMode !== undefined && user.RunningModeAutoStopTimeoutInMinutes === undefined) {
    delete merged.RunningModeAutoStopTimeoutInMinutes;
  }
  return merged;
}

/** The fleet's tags, then the user's: a user's tag of the same key wins. */
function mergeTags(fleet: unknown, user: unknown): Array<{ Key: string; Value: string }> | undefined {
  const list = (raw: unknown) => (Array.isArray(raw) ? raw.filter(isObject) : []);
  if (fleet === undefined && user === undefined) {
    return undefined;
  }
  const byKey = new Map<string, { Key: string; Value: string }>();
  for (const tag of [...list(fleet), ...list(user)]) {
    byKey.set(String(tag.Key), tag as { Key: string; Value: string });
  }
  return [...byKey.values()];
}
