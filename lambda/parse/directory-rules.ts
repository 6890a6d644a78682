// What a Custom::WorkspacesDirectory may declare: its keys, and the service's enums and patterns
// (RegisterWorkspaceDirectory and the Modify* actions of the 2015-04-08 API, with the SDK's newer
// values), read through the strict helpers so that its messages are those of Custom::Workspace.
import {
  optionalBoolean,
  optionalEnum,
  optionalEnumRecord,
  optionalObject,
  optionalPattern,
  optionalString,
  optionalStringList,
  rejectUnknownKeys,
  requiredString,
  dropUndefined,
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
export const SELF_SERVICE_PERMISSIONS: ReadonlySet<string> = new Set([
  'RestartWorkspace', 'IncreaseVolumeSize', 'ChangeComputeType', 'SwitchRunningMode', 'RebuildWorkspace',
]);
export const DEVICE_TYPES: ReadonlySet<string> = new Set([
  'DeviceTypeWindows', 'DeviceTypeOsx', 'DeviceTypeWeb', 'DeviceTypeIos', 'DeviceTypeAndroid', 'DeviceTypeChromeOs',
  'DeviceTypeZeroClient', 'DeviceTypeLinux', 'DeviceTypeWorkSpacesThinClient',
]);

const DIRECTORY_KEYS: ReadonlySet<string> = new Set([
  'ServiceToken', 'ServiceTimeout', 'DirectoryId', 'SubnetIds', 'EnableSelfService', 'Tenancy', 'SelfservicePermissions',
  'WorkspaceCreationProperties', 'WorkspaceAccessProperties', 'IpGroupIds',
]);
const CREATION_BOOLEANS = ['EnableInternetAccess', 'EnableMaintenanceMode', 'UserEnabledAsLocalAdministrator'] as const;
const CREATION_KEYS: ReadonlySet<string> = new Set([...CREATION_BOOLEANS, 'DefaultOu', 'CustomSecurityGroupId', 'InstanceIamRoleArn']);

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

