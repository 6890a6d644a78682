// What a Custom::WorkspacesDirectory may declare: its keys, and the service's enums and patterns
// (RegisterWorkspaceDirectory and the Modify* actions of the 2015-04-08 API, with the SDK's newer
// values), read through the strict helpers so that its messages are those of Custom::Workspace.
import type { WorkspaceTag } from './desired';
import {
  optionalBoolean,
  optionalEnum,
  optionalEnumRecord,
  optionalObject,
  optionalPattern,
  optionalString,
  optionalStringList,
  optionalTags,
  rejectUnknownKeys,
  requiredString,
  dropUndefined,
  isObject,
} from './strict';
import { checkDirectoryId, InputError } from '../../src/private/rules';

export const DIRECTORY_RESOURCE_TYPE = 'Custom::WorkspacesDirectory';

export const IP_GROUP_ID_PATTERN = /^wsipg-[0-9a-z]{8,63}$/;
/** The 2015-04-08 reference has 8 hex digits; VPCs made since 2018 have 17. */
export const SUBNET_ID_PATTERN = /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/;
export const SECURITY_GROUP_ID_PATTERN = /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** The service's ARN pattern (InstanceIamRoleArn), with the partitions other than aws. */
export const ARN_PATTERN = /^arn:aws[a-z-]{0,7}:[A-Za-z0-9][A-Za-z0-9_/.-]{0,62}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9][A-Za-z0-9:_/+=,@.-]{0,1023}$/;

export const TENANCIES = ['SHARED', 'DEDICATED'] as const;
export const SELF_SERVICE_VALUES = ['ENABLED', 'DISABLED'] as const;
export const ACCESS_VALUES = ['ALLOW', 'DENY'] as const;

/**
 * What the service gives a registration for each setting it is not told, as
 * DescribeWorkspaceDirectories shows a new one: the self-service permissions (restart only), the
 * creation properties (no public IP, maintenance on, users local administrators) and the device
 * access (Linux, web and WorkSpaces Thin Client clients must be turned on per directory). A setting
 * removed from a declaration goes back to these. The keys of each group are the ones a
 * declaration may name: this table is the one list of them.
 */
export const SERVICE_DEFAULTS = {
  SelfservicePermissions: {
    RestartWorkspace: 'ENABLED',
    IncreaseVolumeSize: 'DISABLED',
    ChangeComputeType: 'DISABLED',
    SwitchRunningMode: 'DISABLED',
    RebuildWorkspace: 'DISABLED',
  } as Readonly<Record<string, typeof SELF_SERVICE_VALUES[number]>>,
  WorkspaceCreationProperties: {
    EnableInternetAccess: false,
    EnableMaintenanceMode: true,
    UserEnabledAsLocalAdministrator: true,
  } as Readonly<Record<string, boolean>>,
  WorkspaceAccessProperties: {
    DeviceTypeWindows: 'ALLOW',
    DeviceTypeOsx: 'ALLOW',
    DeviceTypeWeb: 'DENY',
    DeviceTypeIos: 'ALLOW',
    DeviceTypeAndroid: 'ALLOW',
    DeviceTypeChromeOs: 'ALLOW',
    DeviceTypeZeroClient: 'ALLOW',
    DeviceTypeLinux: 'DENY',
    DeviceTypeWorkSpacesThinClient: 'DENY',
  } as Readonly<Record<string, typeof ACCESS_VALUES[number]>>,
} as const;

/**
 * The creation properties the service keeps once set: ModifyWorkspaceCreationProperties leaves a
 * property it is not given as it is, and refuses an empty one (below the security group's minimum
 * length, or not an OU's or a role's form), so no call clears them. With the construct's prop of each.
 */
export const KEPT_ONCE_SET: Readonly<Record<string, string>> = {
  DefaultOu: 'defaultOu',
  CustomSecurityGroupId: 'customSecurityGroup',
  InstanceIamRoleArn: 'instanceRole',
};

export const SELF_SERVICE_PERMISSIONS: ReadonlySet<string> = new Set(Object.keys(SERVICE_DEFAULTS.SelfservicePermissions));
export const DEVICE_TYPES: ReadonlySet<string> = new Set(Object.keys(SERVICE_DEFAULTS.WorkspaceAccessProperties));

const DIRECTORY_KEYS: ReadonlySet<string> = new Set([
  'ServiceToken', 'ServiceTimeout', 'DirectoryId', 'SubnetIds', 'EnableSelfService', 'Tenancy', 'SelfservicePermissions',
  'WorkspaceCreationProperties', 'WorkspaceAccessProperties', 'IpGroupIds', 'Tags',
]);
const CREATION_BOOLEANS = Object.keys(SERVICE_DEFAULTS.WorkspaceCreationProperties);
const CREATION_KEYS: ReadonlySet<string> = new Set([...CREATION_BOOLEANS, ...Object.keys(KEPT_ONCE_SET)]);

/** A directory registration as declared, every value checked (API names and types). */
export interface DirectoryRegistrationSpec {
  readonly directoryId: string;
  readonly subnetIds?: string[];
  readonly enableSelfService: boolean;
  readonly tenancy?: string;
  readonly selfservicePermissions?: Record<string, string>;
  readonly workspaceCreationProperties?: Record<string, string | boolean>;
  readonly workspaceAccessProperties?: Record<string, string>;
  readonly ipGroupIds: string[];
  /** The registration's tags (none of cdk-workspaces' own: a directory carries no ownership tag). */
  readonly tags: WorkspaceTag[];
}

/**
 * Reads and validates a Custom::WorkspacesDirectory's properties.
 *
 * @throws InputError naming the property, the value and the rule
 */
export function parseDirectoryRegistration(raw: Record<string, unknown>): DirectoryRegistrationSpec {
  rejectUnknownKeys(DIRECTORY_RESOURCE_TYPE, '', raw, DIRECTORY_KEYS);
  const directoryId = requiredString('DirectoryId', raw.DirectoryId);
  checkDirectoryId('DirectoryId', directoryId);
  return {
    directoryId,
    subnetIds: optionalStringList('SubnetIds', raw.SubnetIds, (prop, value) => checkPattern(prop, value, SUBNET_ID_PATTERN, 'a subnet id such as "subnet-0123456789abcdef0"')),
    enableSelfService: optionalBoolean('EnableSelfService', raw.EnableSelfService) ?? false,
    tenancy: optionalEnum('Tenancy', raw.Tenancy, TENANCIES),
    selfservicePermissions: optionalEnumRecord('SelfservicePermissions', raw.SelfservicePermissions, DIRECTORY_RESOURCE_TYPE,
      SELF_SERVICE_PERMISSIONS, SELF_SERVICE_VALUES),
    workspaceCreationProperties: parseCreationProperties(raw.WorkspaceCreationProperties),
    workspaceAccessProperties: optionalEnumRecord('WorkspaceAccessProperties', raw.WorkspaceAccessProperties, DIRECTORY_RESOURCE_TYPE,
      DEVICE_TYPES, ACCESS_VALUES),
    ipGroupIds: optionalStringList('IpGroupIds', raw.IpGroupIds, (prop, value) => checkPattern(prop, value, IP_GROUP_ID_PATTERN,
      'an IP access control group id such as "wsipg-12345678"')) ?? [],
    tags: optionalTags('Tags', raw.Tags, 0, 'a directory') ?? [],
  };
}

function parseCreationProperties(raw: unknown): Record<string, string | boolean> | undefined {
  const prop = 'WorkspaceCreationProperties';
  const obj = optionalObject(prop, raw);
  if (obj === undefined) {
    return undefined;
  }
  rejectUnknownKeys(DIRECTORY_RESOURCE_TYPE, `${prop}.`, obj, CREATION_KEYS);
  const booleans = Object.fromEntries(CREATION_BOOLEANS.map((key) => [key, optionalBoolean(`${prop}.${key}`, obj[key])]));
  return dropUndefined({
    ...booleans,
    DefaultOu: optionalString(`${prop}.DefaultOu`, obj.DefaultOu),
    CustomSecurityGroupId: optionalPattern(`${prop}.CustomSecurityGroupId`, obj.CustomSecurityGroupId, SECURITY_GROUP_ID_PATTERN,
      'a security group id such as "sg-0123456789abcdef0"'),
    InstanceIamRoleArn: optionalPattern(`${prop}.InstanceIamRoleArn`, obj.InstanceIamRoleArn, ARN_PATTERN, 'an IAM role\'s ARN'),
  }) as Record<string, string | boolean>;
}

function checkPattern(prop: string, value: string, pattern: RegExp, example: string): void {
  if (!pattern.test(value)) {
    throw new InputError(prop, value, `must match ${pattern.source} (${example})`);
  }
}


type SettingGroup = keyof typeof SERVICE_DEFAULTS;
const SETTING_GROUPS = Object.keys(SERVICE_DEFAULTS) as SettingGroup[];
const GROUP_KEYS: Readonly<Record<SettingGroup, ReadonlySet<string>>> = {
  SelfservicePermissions: SELF_SERVICE_PERMISSIONS,
  WorkspaceCreationProperties: CREATION_KEYS,
  WorkspaceAccessProperties: DEVICE_TYPES,
};

/**
 * What an earlier declaration named, read without failing: it was accepted once (perhaps by an
 * older, more lenient version), and must not block the update that corrects it.
 */
export interface PreviousDirectoryDeclaration {
  readonly directoryId: string;
  readonly subnetIds?: string[];
  readonly tenancy?: string;
  readonly ipGroupIds: string[];
  readonly tagKeys: string[];
  /** The known settings each group named (any value). */
  readonly settingKeys: Readonly<Record<SettingGroup, readonly string[]>>;
}

export function readPreviousDirectoryDeclaration(raw: unknown): PreviousDirectoryDeclaration {
  const old = isObject(raw) ? raw : {};
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);
  const keysOf = (group: SettingGroup) => {
    const value = old[group];
    return isObject(value) ? Object.keys(value).filter((k) => GROUP_KEYS[group].has(k) && value[k] !== undefined) : [];
  };
  return {
    directoryId: typeof old.DirectoryId === 'string' ? old.DirectoryId : '',
    subnetIds: list(old.SubnetIds),
    tenancy: typeof old.Tenancy === 'string' ? old.Tenancy : undefined,
    ipGroupIds: list(old.IpGroupIds) ?? [],
    tagKeys: Array.isArray(old.Tags)
      ? old.Tags.filter(isObject).map((t) => t.Key).filter((k): k is string => typeof k === 'string')
      : [],
    settingKeys: Object.fromEntries(SETTING_GROUPS.map((g) => [g, keysOf(g)])) as Record<SettingGroup, string[]>,
  };
}

/** The settings an earlier declaration named and this one does not. */
export interface RemovedSettings {
  /** Per group, each removed setting at the service's default: declaring these puts it back. */
  readonly resets: Readonly<Record<SettingGroup, Readonly<Record<string, string | boolean>>>>;
  /** Removed creation properties that the service keeps once set (KEPT_ONCE_SET's keys). */
  readonly keptOnceSet: readonly string[];
}

export function removedSettings(desired: DirectoryRegistrationSpec, previous: PreviousDirectoryDeclaration): RemovedSettings {
  const declared: Record<SettingGroup, Record<string, unknown> | undefined> = {
    SelfservicePermissions: desired.selfservicePermissions,
    WorkspaceCreationProperties: desired.workspaceCreationProperties,
    WorkspaceAccessProperties: desired.workspaceAccessProperties,
  };
  const removed = (group: SettingGroup) => previous.settingKeys[group].filter((k) => declared[group]?.[k] === undefined);
  const defaults = SERVICE_DEFAULTS as Record<SettingGroup, Record<string, string | boolean>>;
  const resets = Object.fromEntries(SETTING_GROUPS.map((group) => [group, Object.fromEntries(
    removed(group).filter((k) => k in defaults[group]).map((k) => [k, defaults[group][k]]))])) as RemovedSettings['resets'];
  return { resets, keptOnceSet: removed('WorkspaceCreationProperties').filter((k) => k in KEPT_ONCE_SET) };
}

/** The declaration with each removed setting at the service's default. */
export function withServiceDefaults(desired: DirectoryRegistrationSpec, removed: RemovedSettings): DirectoryRegistrationSpec {
  const merge = <T extends string | boolean>(resets: Readonly<Record<string, string | boolean>>, declared?: Record<string, T>) =>
    (Object.keys(resets).length === 0 ? declared : { ...resets, ...declared } as Record<string, T>);
  return {
    ...desired,
    selfservicePermissions: merge(removed.resets.SelfservicePermissions, desired.selfservicePermissions),
    workspaceCreationProperties: merge(removed.resets.WorkspaceCreationProperties, desired.workspaceCreationProperties),
    workspaceAccessProperties: merge(removed.resets.WorkspaceAccessProperties, desired.workspaceAccessProperties),
  };
}
