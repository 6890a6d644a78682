// Every resource type reads its properties through the parse layer's strict rules
// (lambda/parse/strict.ts): what Custom::Workspace refuses, Custom::WorkspacesDirectory,
// Custom::WorkspaceFleet, Custom::WorkspaceLookup, Custom::WorkspacesConnectionAliasAssociation,
// Custom::WorkspacesStandby, Custom::WorkspaceImage and Custom::WorkspaceCustomBundle refuse too,
// with the same message, before any API call (a template can be written by hand).
import { DescribeWorkspaceDirectoriesCommand, RegisterWorkspaceDirectoryCommand, WorkSpacesClient } from '@aws-sdk/client-workspaces';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CREATE, deps, PROPS as WORKSPACE_PROPS } from './events';
import type { WorkspaceResourceEvent } from '../../lambda/core/contract';
import { onEvent } from '../../lambda/router';

const workspaces = mockClient(WorkSpacesClient);
beforeEach(() => workspaces.reset());

const SERVICE_TOKEN = 'arn:aws:lambda:eu-west-1:123456789012:function:desks-Provider';
const DIRECTORY_PROPS = {
  ServiceToken: SERVICE_TOKEN,
  DirectoryId: 'd-1234567890',
  SubnetIds: ['subnet-aaaa1111', 'subnet-0123456789abcdef0'],
  EnableSelfService: 'false',
  Tenancy: 'SHARED',
  SelfservicePermissions: { RestartWorkspace: 'ENABLED', IncreaseVolumeSize: 'DISABLED' },
  WorkspaceCreationProperties: {
    EnableInternetAccess: 'false',
    EnableMaintenanceMode: 'true',
    UserEnabledAsLocalAdministrator: 'false',
    DefaultOu: 'OU=desks,DC=corp,DC=example,DC=com',
    CustomSecurityGroupId: 'sg-0123456789abcdef0',
    InstanceIamRoleArn: 'arn:aws:iam::123456789012:role/desks',
  },
  WorkspaceAccessProperties: { DeviceTypeWindows: 'ALLOW', DeviceTypeWeb: 'DENY' },
  IpGroupIds: ['wsipg-12345678'],
};
const FLEET_PROPS = {
  ServiceToken: SERVICE_TOKEN,
  DirectoryId: 'd-1234567890',
  BundleId: 'wsb-12345678',
  WorkspaceProperties: { RunningMode: 'AUTO_STOP' },
  Tags: [{ Key: 'team', Value: 'desk' }],
  Users: [{ UserName: 'alice' }, { UserName: 'bob', Tags: [{ Key: 'cost', Value: 'b' }] }],
};

const STANDBY_PROPS = {
  ServiceToken: SERVICE_TOKEN,
  PrimaryRegion: 'us-east-1',
  PrimaryWorkspaceId: 'ws-primary01',
  DirectoryId: 'd-1234567890',
};

function eventOf(resourceType: string, properties: Record<string, unknown>): WorkspaceResourceEvent {
  return { ...CREATE, ResourceType: resourceType, ResourceProperties: properties };
}

/** The message onEvent fails with, having made no API call at all (so neither a registration nor a creation). */
async function refusal(resourceType: string, properties: Record<string, unknown>): Promise<string> {
  const failure = await onEvent(eventOf(resourceType, properties), deps()).then(() => undefined, (e: Error) => e);
  expect(failure).toBeInstanceOf(Error);
  expect(workspaces.calls()).toHaveLength(0);
  return failure!.message;
}

describe('Custom::WorkspacesDirectory refuses before RegisterWorkspaceDirectory', () => {
  const refused = (patch: Record<string, unknown>) => refusal('Custom::WorkspacesDirectory', { ...DIRECTORY_PROPS, ...patch });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['an unknown key', { EnableSelfServce: 'true' }, /^Invalid EnableSelfServce "true": is not a property of Custom::WorkspacesDirectory \(known: ServiceToken, /],
    ['EnableSelfService "yes"', { EnableSelfService: 'yes' }, /^Invalid EnableSelfService "yes": must be "true" or "false"$/],
    ['a self-service permission outside the enum', { SelfservicePermissions: { RestartWorkspace: 'YES' } },
      /^Invalid SelfservicePermissions\.RestartWorkspace "YES": must be one of ENABLED, DISABLED$/],
    ['an unknown self-service permission', { SelfservicePermissions: { RestartEverything: 'ENABLED' } },
      /^Invalid SelfservicePermissions\.RestartEverything "ENABLED": is not a property of Custom::WorkspacesDirectory/],
    ['a device access outside the enum', { WorkspaceAccessProperties: { DeviceTypeWindows: 'ALLOWED' } },
      /^Invalid WorkspaceAccessProperties\.DeviceTypeWindows "ALLOWED": must be one of ALLOW, DENY$/],
    ['an unknown device type', { WorkspaceAccessProperties: { DeviceTypeToaster: 'ALLOW' } },
      /^Invalid WorkspaceAccessProperties\.DeviceTypeToaster "ALLOW": is not a property of Custom::WorkspacesDirectory/],
    ['a tenancy outside the enum', { Tenancy: 'dedicated' }, /^Invalid Tenancy "dedicated": must be one of SHARED, DEDICATED$/],
    ['a bad IP group id', { IpGroupIds: ['sg-12345678'] }, /^Invalid IpGroupIds\[0\] "sg-12345678": must match \^wsipg-\[0-9a-z\]\{8,63\}\$/],
    ['IP group ids as a string', { IpGroupIds: 'wsipg-12345678' }, /^Invalid IpGroupIds "wsipg-12345678": must be a list of strings$/],
    ['an IP group id twice', { IpGroupIds: ['wsipg-12345678', 'wsipg-12345678'] }, /^Invalid IpGroupIds\[1\] "wsipg-12345678": is listed twice$/],
    ['a bad directory id', { DirectoryId: 'd-XYZ' }, /^Invalid DirectoryId "d-XYZ": must match \^d-\[0-9a-f\]\{8,63\}\$/],
    ['a missing directory id', { DirectoryId: undefined }, /^Invalid DirectoryId undefined: is required$/],
    ['a bad subnet id', { SubnetIds: ['subnet-1', 'subnet-aaaa1111'] }, /^Invalid SubnetIds\[0\] "subnet-1": must match/],
    ['a subnet id that is not a string', { SubnetIds: [7, 'subnet-aaaa1111'] }, /^Invalid SubnetIds\[0\] 7: must be a string$/],
    ['a creation setting "yes"', { WorkspaceCreationProperties: { EnableInternetAccess: 'yes' } },
      /^Invalid WorkspaceCreationProperties\.EnableInternetAccess "yes": must be "true" or "false"$/],
    ['an unknown creation setting', { WorkspaceCreationProperties: { EnableWorkDocs: 'true' } },
      /^Invalid WorkspaceCreationProperties\.EnableWorkDocs "true": is not a property of Custom::WorkspacesDirectory/],
    ['a bad security group id', { WorkspaceCreationProperties: { CustomSecurityGroupId: 'sg-xyz' } },
      /^Invalid WorkspaceCreationProperties\.CustomSecurityGroupId "sg-xyz": must match/],
    ['permissions as a string', { SelfservicePermissions: 'ENABLED' }, /^Invalid SelfservicePermissions "ENABLED": must be an object$/],
  ])('%s', async (_, patch, message) => {
    expect(await refused(patch)).toMatch(message);
  });

  test('the declaration the construct renders is accepted (control: the refusals above come from the value, not the rest)', async () => {
    workspaces.on(DescribeWorkspaceDirectoriesCommand).resolves({ Directories: [] });
    await onEvent(eventOf('Custom::WorkspacesDirectory', DIRECTORY_PROPS), deps());
    expect(workspaces).toHaveReceivedCommandWith(RegisterWorkspaceDirectoryCommand, { DirectoryId: 'd-1234567890', EnableSelfService: false, Tenancy: 'SHARED' });
  });

  test('an Update is not blocked by what an earlier, more lenient version accepted in the old properties', async () => {
    workspaces.on(DescribeWorkspaceDirectoriesCommand).resolves({ Directories: [] });
    const result = await onEvent({
      ...eventOf('Custom::WorkspacesDirectory', DIRECTORY_PROPS),
      RequestType: 'Update',
      PhysicalResourceId: 'd-1234567890',
      OldResourceProperties: { ...DIRECTORY_PROPS, EnableSelfService: 'yes', Tenancy: 'SHARED' },
    }, deps());
    expect(result.PhysicalResourceId).toBe('d-1234567890');
  });
});

describe('Custom::WorkspaceFleet refuses before CreateWorkspaces', () => {
  const refused = (patch: Record<string, unknown>) => refusal('Custom::WorkspaceFleet', { ...FLEET_PROPS, ...patch });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['tags given as a string', { Tags: 'team=desk' }, /^Invalid Tags "team=desk": must be a list of \{Key, Value\} objects$/],
    ['a tag entry that is not an object', { Tags: ['team'] }, /^Invalid Tags\[0\] "team": must be an object$/],
    ['a tag key twice', { Tags: [{ Key: 'team', Value: 'a' }, { Key: 'team', Value: 'b' }] }, /^Invalid Tags\[1\]\.Key "team": a tag key may be declared only once$/],
    ['a user\'s tag entry that is not an object', { Users: [{ UserName: 'alice', Tags: [7] }] }, /^Invalid Users\[0\]\.Tags\[0\] 7: must be an object$/],
    ['a user\'s tag key twice', { Users: [{ UserName: 'alice', Tags: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] }] },
      /^Invalid Users\[0\]\.Tags\[1\]\.Key "a": a tag key may be declared only once$/],
    ['a fleet-level WorkspaceProperties that is not an object', { WorkspaceProperties: 'AUTO_STOP' }, /^Invalid WorkspaceProperties "AUTO_STOP": must be an object$/],
    ['a user\'s WorkspaceProperties that is not an object', { Users: [{ UserName: 'alice', WorkspaceProperties: ['ALWAYS_ON'] }] },
      /^Invalid Users\[0\]\.WorkspaceProperties \["ALWAYS_ON"\]: must be an object$/],
    ['AdoptExisting "yes"', { AdoptExisting: 'yes' }, /AdoptExisting "yes": must be "true" or "false"$/],
    ['a request rate that is not a number', { RequestsPerSecond: true }, /^Invalid RequestsPerSecond true: must be a number$/],
    ['an unknown key', { Userz: [] }, /^Invalid Userz \[\]: is not a property of Custom::WorkspaceFleet/],
  ])('%s', async (_, patch, message) => {
    expect(await refused(patch)).toMatch(message);
  });
});

describe('the same refusal, in the same words, whatever the resource type', () => {
  // Each case as Custom::Workspace reads it and as the other type does: the message is the same
  // but for the resource type it names.
  test.each<[string, string, Record<string, unknown>, Record<string, unknown>]>([
    ['tags given as a string', 'Custom::WorkspaceFleet', { Tags: 'x' }, { ...FLEET_PROPS, Tags: 'x' }],
    ['a tag entry that is not an object', 'Custom::WorkspaceFleet', { Tags: [null] }, { ...FLEET_PROPS, Tags: [null] }],
    ['a tag key twice', 'Custom::WorkspaceFleet', { Tags: [{ Key: 'k', Value: '1' }, { Key: 'k', Value: '2' }] },
      { ...FLEET_PROPS, Tags: [{ Key: 'k', Value: '1' }, { Key: 'k', Value: '2' }] }],
    ['an aws: tag key', 'Custom::WorkspaceFleet', { Tags: [{ Key: 'aws:x', Value: '1' }] }, { ...FLEET_PROPS, Tags: [{ Key: 'aws:x', Value: '1' }] }],
    ['WorkspaceProperties that is not an object', 'Custom::WorkspaceFleet', { WorkspaceProperties: 'x' }, { ...FLEET_PROPS, WorkspaceProperties: 'x' }],
    ['a boolean "yes"', 'Custom::WorkspacesDirectory', { AdoptExisting: 'yes' }, { ...DIRECTORY_PROPS, EnableSelfService: 'yes' }],
    ['an unknown key', 'Custom::WorkspacesDirectory', { Colour: 'blue' }, { ...DIRECTORY_PROPS, Colour: 'blue' }],
    ['a bad directory id', 'Custom::WorkspacesDirectory', { DirectoryId: 'd-1' }, { ...DIRECTORY_PROPS, DirectoryId: 'd-1' }],
    ['a bad directory id', 'Custom::WorkspaceLookup', { DirectoryId: 'd-1' }, { ServiceToken: SERVICE_TOKEN, DirectoryId: 'd-1', UserName: 'alice' }],
    ['an unknown key', 'Custom::WorkspaceLookup', { Colour: 'blue' }, { ServiceToken: SERVICE_TOKEN, DirectoryId: 'd-1234567890', UserName: 'alice', Colour: 'blue' }],
    ['an unknown key', 'Custom::WorkspacesConnectionAliasAssociation', { Colour: 'blue' },
      { ServiceToken: SERVICE_TOKEN, AliasId: 'wsca-abcd1234', ResourceId: 'd-1234567890', Colour: 'blue' }],
    ['an unknown key', 'Custom::WorkspacesStandby', { Colour: 'blue' }, { ...STANDBY_PROPS, Colour: 'blue' }],
    ['a bad directory id', 'Custom::WorkspacesStandby', { DirectoryId: 'd-1' }, { ...STANDBY_PROPS, DirectoryId: 'd-1' }],
    ['an unknown key', 'Custom::WorkspaceImage', { Colour: 'blue' },
      { ServiceToken: SERVICE_TOKEN, SourceWorkspaceId: 'ws-abcdefgh1', ImageName: 'golden', ImageDescription: 'golden', Colour: 'blue' }],
    ['an unknown key', 'Custom::WorkspaceCustomBundle', { Colour: 'blue' },
      { ServiceToken: SERVICE_TOKEN, BundleName: 'golden', ImageId: 'wsi-abcdefgh1', ComputeTypeName: 'STANDARD', Colour: 'blue' }],
  ])('%s: %s', async (_, otherType, workspacePatch, otherProps) => {
    const asWorkspace = await refusal('Custom::Workspace', { ...WORKSPACE_PROPS, ...workspacePatch });
    const asOther = await refusal(otherType, otherProps);
    const rule = (message: string) => message.replace(/^Invalid \S+ (.*?): /, '').replace(/ \(known: .*\)$/, '').replace(otherType, 'Custom::Workspace');
    expect(rule(asOther)).toBe(rule(asWorkspace));
    expect(asOther.replace(/ \(known: .*\)$/, '')).toContain(Object.keys(workspacePatch)[0] === 'AdoptExisting' ? 'EnableSelfService' : Object.keys(workspacePatch)[0]);
  });
});
