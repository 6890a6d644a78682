// The Custom::WorkspacesDirectory handler (lambda/resources/directory/), through the handler's routing,
// against a mocked WorkSpaces client.
import {
  AssociateIpGroupsCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  DeregisterWorkspaceDirectoryCommand,
  DescribeTagsCommand,
  DescribeWorkspaceDirectoriesCommand,
  DisassociateIpGroupsCommand,
  ModifySelfservicePermissionsCommand,
  ModifyWorkspaceAccessPropertiesCommand,
  ModifyWorkspaceCreationPropertiesCommand,
  ModifyWorkspaceAccessPropertiesCommand as AccessCommand,
  RegisterWorkspaceDirectoryCommand,
  SelfservicePermissions,
  WorkspaceDirectory,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { deps, STACK_ID, STARTED_AT } from './events';
import type { WorkspaceResourceEvent } from '../../lambda/core/contract';
import { DIRECTORY_RESOURCE_TYPE } from '../../lambda/resources/directory/directory';
import { isComplete, onEvent } from '../../lambda/router';

const workspaces = mockClient(WorkSpacesClient);
beforeEach(() => workspaces.reset());

const DIRECTORY_ID = 'd-9067783251';
const PERMISSIONS: SelfservicePermissions = { RestartWorkspace: 'ENABLED', IncreaseVolumeSize: 'DISABLED', ChangeComputeType: 'DISABLED', SwitchRunningMode: 'DISABLED', RebuildWorkspace: 'DISABLED' };
// As CloudFormation passes them: booleans as strings.
const PROPS = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
  DirectoryId: DIRECTORY_ID,
  SubnetIds: ['subnet-aaaa1111', 'subnet-bbbb2222'],
  EnableSelfService: 'false',
  SelfservicePermissions: PERMISSIONS,
  WorkspaceCreationProperties: { EnableInternetAccess: 'false', EnableMaintenanceMode: 'true', UserEnabledAsLocalAdministrator: 'false' },
  IpGroupIds: ['wsipg-12345678'],
};

function event(requestType: 'Create' | 'Update' | 'Delete', extra: Partial<WorkspaceResourceEvent> = {}): WorkspaceResourceEvent {
  return {
    RequestType: requestType,
    StackId: STACK_ID,
    LogicalResourceId: 'Directory1A2B3C4D',
    RequestId: 'r-1',
    ResourceType: DIRECTORY_RESOURCE_TYPE,
    ResourceProperties: PROPS,
    ...extra,
  };
}

function polled(e: WorkspaceResourceEvent, physicalResourceId: string) {
  return { ...e, PhysicalResourceId: physicalResourceId, Data: { StartedAt: STARTED_AT } };
}

function described(directory: WorkspaceDirectory | undefined): void {
  workspaces.on(DescribeWorkspaceDirectoriesCommand).resolves({ Directories: directory ? [directory] : [] });
}

const REGISTERED: WorkspaceDirectory = {
  DirectoryId: DIRECTORY_ID,
  State: 'REGISTERED',
  RegistrationCode: 'SLiad+ABCDEF',
  SubnetIds: ['subnet-bbbb2222', 'subnet-aaaa1111'],
  Tenancy: 'SHARED',
  SelfservicePermissions: PERMISSIONS,
  WorkspaceCreationProperties: { EnableInternetAccess: false, EnableMaintenanceMode: true, UserEnabledAsLocalAdministrator: false },
  ipGroupIds: ['wsipg-12345678'],
};

describe('Create', () => {
  test('registers a directory that is not registered, with its subnets, self-service and tenancy', async () => {
    described(undefined);
    const started = await onEvent(event('Create'), deps());
    expect(started.PhysicalResourceId).toBe(DIRECTORY_ID);
    expect(workspaces).toHaveReceivedCommandWith(RegisterWorkspaceDirectoryCommand, {
      DirectoryId: DIRECTORY_ID, SubnetIds: PROPS.SubnetIds, EnableSelfService: false,
    });
  });

  test('a directory already registered (elsewhere, or by an earlier attempt) is adopted: no second registration, and its Delete never deregisters', async () => {
    described(REGISTERED);
    const started = await onEvent(event('Create'), deps());
    expect(started.PhysicalResourceId).toBe(`${DIRECTORY_ID}/adopted`);
    expect(workspaces).not.toHaveReceivedCommand(RegisterWorkspaceDirectoryCommand);

    await onEvent(event('Delete', { PhysicalResourceId: started.PhysicalResourceId }), deps());
    expect(await isComplete(polled(event('Delete'), started.PhysicalResourceId), deps())).toEqual({ IsComplete: true });
    expect(workspaces).not.toHaveReceivedCommand(DeregisterWorkspaceDirectoryCommand);
  });

  test('isComplete waits while REGISTERING, then applies only the settings that differ and returns the attributes', async () => {
    described({ ...REGISTERED, State: 'REGISTERING' });
    expect(await isComplete(polled(event('Create'), DIRECTORY_ID), deps())).toEqual({ IsComplete: false });
    expect(workspaces).not.toHaveReceivedCommand(ModifySelfservicePermissionsCommand);

    workspaces.reset();
    described({ ...REGISTERED, SelfservicePermissions: { ...PERMISSIONS, RestartWorkspace: 'DISABLED' }, ipGroupIds: [] });
    const done = await isComplete(polled(event('Create'), DIRECTORY_ID), deps());
    expect(done).toEqual({
      IsComplete: true,
      Data: expect.objectContaining({ DirectoryId: DIRECTORY_ID, RegistrationCode: 'SLiad+ABCDEF', State: 'REGISTERED' }),
    });
    expect(workspaces).toHaveReceivedCommandWith(ModifySelfservicePermissionsCommand, {
      ResourceId: DIRECTORY_ID,
      SelfservicePermissions: PERMISSIONS,
    });
    expect(workspaces).not.toHaveReceivedCommand(ModifyWorkspaceCreationPropertiesCommand);
    expect(workspaces).not.toHaveReceivedCommand(ModifyWorkspaceAccessPropertiesCommand);
    expect(workspaces).toHaveReceivedCommandWith(AssociateIpGroupsCommand, { DirectoryId: DIRECTORY_ID, GroupIds: ['wsipg-12345678'] });
  });

  test.each([
    ['ERROR', 'Directory d-9067783251 is ERROR (DescribeWorkspaceDirectories: The subnets are in an unsupported zone)'],
    ['DEREGISTERED', 'Directory d-9067783251 is DEREGISTERED'],
  ])('a registration that ends %s fails with the service\'s words', async (state, message) => {
    described({ ...REGISTERED, State: state as any, ErrorMessage: state === 'ERROR' ? 'The subnets are in an unsupported zone' : undefined });
    await expect(isComplete(polled(event('Create'), DIRECTORY_ID), deps())).rejects.toThrow(message);
  });

  test('a registration that takes more than 30 minutes fails', async () => {
    described({ ...REGISTERED, State: 'REGISTERING' });
    await expect(isComplete(polled(event('Create'), DIRECTORY_ID), deps(31 * 60))).rejects.toThrow('is still REGISTERING after 1860 s');
  });
});

describe('Update', () => {
  const changed = { ...PROPS, SelfservicePermissions: { ...PERMISSIONS, RebuildWorkspace: 'ENABLED' } as SelfservicePermissions, IpGroupIds: [] };

  test('settings change in place; a group no longer declared is disassociated', async () => {
    described(REGISTERED);
    const update = event('Update', { PhysicalResourceId: DIRECTORY_ID, ResourceProperties: changed, OldResourceProperties: PROPS });
    expect((await onEvent(update, deps())).PhysicalResourceId).toBe(DIRECTORY_ID);
    expect(await isComplete(polled(update, DIRECTORY_ID), deps())).toMatchObject({ IsComplete: true });
    expect(workspaces).toHaveReceivedCommandWith(ModifySelfservicePermissionsCommand, { SelfservicePermissions: changed.SelfservicePermissions });
    expect(workspaces).toHaveReceivedCommandWith(DisassociateIpGroupsCommand, { DirectoryId: DIRECTORY_ID, GroupIds: ['wsipg-12345678'] });
    expect(workspaces).not.toHaveReceivedCommand(RegisterWorkspaceDirectoryCommand);
  });

  test('the Update back (the rollback) restores the settings', async () => {
    described({ ...REGISTERED, SelfservicePermissions: changed.SelfservicePermissions, ipGroupIds: [] });
    const back = event('Update', { PhysicalResourceId: DIRECTORY_ID, ResourceProperties: PROPS, OldResourceProperties: changed });
    await onEvent(back, deps());
    expect(await isComplete(polled(back, DIRECTORY_ID), deps())).toMatchObject({ IsComplete: true });
    expect(workspaces).toHaveReceivedCommandWith(ModifySelfservicePermissionsCommand, { SelfservicePermissions: PERMISSIONS });
    expect(workspaces).toHaveReceivedCommandWith(AssociateIpGroupsCommand, { GroupIds: ['wsipg-12345678'] });
  });

  test('new subnets need a new registration: refused before anything changes, saying what to do', async () => {
    described(REGISTERED);
    const update = event('Update', {
      PhysicalResourceId: DIRECTORY_ID,
      ResourceProperties: { ...PROPS, SubnetIds: ['subnet-cccc3333', 'subnet-dddd4444'] },
      OldResourceProperties: PROPS,
    });
    await expect(onEvent(update, deps())).rejects.toThrow(
      `WorkspacesDirectory: changing SubnetIds of directory ${DIRECTORY_ID} needs a new registration, which this resource does not make in place. Nothing was changed.`);
    expect(workspaces).not.toHaveReceivedCommand(RegisterWorkspaceDirectoryCommand);
    expect(workspaces).not.toHaveReceivedCommand(DeregisterWorkspaceDirectoryCommand);
  });

  test('the rollback of that refused Update completes: the registration already has the old subnets', async () => {
    described(REGISTERED);
    const back = event('Update', {
      PhysicalResourceId: DIRECTORY_ID,
      ResourceProperties: PROPS,
      OldResourceProperties: { ...PROPS, SubnetIds: ['subnet-cccc3333', 'subnet-dddd4444'] },
    });
    expect((await onEvent(back, deps())).PhysicalResourceId).toBe(DIRECTORY_ID);
    expect(await isComplete(polled(back, DIRECTORY_ID), deps())).toMatchObject({ IsComplete: true });
  });
});

/** The calls that change something: none may come before a refusal. */
function changingCalls(): string[] {
  return workspaces.calls().map((c) => c.args[0].constructor.name).filter((name) => !name.startsWith('Describe'));
}

describe('Create of a directory registered already: adopted only with the declared subnets and tenancy', () => {
  test('other subnets: refused before anything changes, naming the prop, both subnet lists and the rule', async () => {
    described({ ...REGISTERED, SubnetIds: ['subnet-cccc3333', 'subnet-dddd4444'] });
    await expect(onEvent(event('Create'), deps())).rejects.toThrow(
      `WorkspacesDirectory Directory1A2B3C4D: directory ${DIRECTORY_ID} is REGISTERED with WorkSpaces already, and vpcSubnets (SubnetIds) `
      + 'declares subnet-aaaa1111, subnet-bbbb2222, but the registration has subnet-cccc3333, subnet-dddd4444. A registration\'s '
      + 'subnets and tenancy change only with a new registration');
    expect(changingCalls()).toEqual([]);
  });

  test('a DEDICATED registration when none is declared (SHARED, the default): refused, naming both', async () => {
    described({ ...REGISTERED, Tenancy: 'DEDICATED' });
    await expect(onEvent(event('Create'), deps())).rejects.toThrow(
      'tenancy (Tenancy) declares SHARED (the default), but the registration has DEDICATED');
    expect(changingCalls()).toEqual([]);
  });

  test('the rollback of that refused Create (a Delete of the failed Create\'s id) leaves the registration as it was', async () => {
    described({ ...REGISTERED, Tenancy: 'DEDICATED' });
    await expect(onEvent(event('Create'), deps())).rejects.toThrow();
    const failedId = '2026/01/01/[$LATEST]request-1';
    await onEvent(event('Delete', { PhysicalResourceId: failedId }), deps());
    expect(await isComplete(polled(event('Delete'), failedId), deps())).toEqual({ IsComplete: true });
    expect(changingCalls()).toEqual([]);
  });

  test('the declared subnets in another order and the declared tenancy: adopted', async () => {
    described({ ...REGISTERED, Tenancy: 'DEDICATED' });
    const started = await onEvent(event('Create', { ResourceProperties: { ...PROPS, Tenancy: 'DEDICATED' } }), deps());
    expect(started.PhysicalResourceId).toBe(`${DIRECTORY_ID}/adopted`);
  });

  test('no subnets declared: the registration\'s own are taken, whatever they are', async () => {
    const { SubnetIds, ...withoutSubnets } = PROPS;
    void SubnetIds;
    described({ ...REGISTERED, SubnetIds: ['subnet-cccc3333', 'subnet-dddd4444'] });
    expect((await onEvent(event('Create', { ResourceProperties: withoutSubnets }), deps())).PhysicalResourceId).toBe(`${DIRECTORY_ID}/adopted`);
  });
});

describe('Update: a setting removed from the declaration goes back to the service\'s default', () => {
  const ACCESS = {
    DeviceTypeWindows: 'ALLOW',
    DeviceTypeOsx: 'DENY',
    DeviceTypeWeb: 'ALLOW',
    DeviceTypeIos: 'DENY',
    DeviceTypeAndroid: 'DENY',
    DeviceTypeChromeOs: 'DENY',
    DeviceTypeZeroClient: 'DENY',
    DeviceTypeLinux: 'ALLOW',
    DeviceTypeWorkSpacesThinClient: 'ALLOW',
  } as const;
  const SERVICE_ACCESS = {
    DeviceTypeWindows: 'ALLOW',
    DeviceTypeOsx: 'ALLOW',
    DeviceTypeWeb: 'DENY',
    DeviceTypeIos: 'ALLOW',
    DeviceTypeAndroid: 'ALLOW',
    DeviceTypeChromeOs: 'ALLOW',
    DeviceTypeZeroClient: 'ALLOW',
    DeviceTypeLinux: 'DENY',
    DeviceTypeWorkSpacesThinClient: 'DENY',
  };
  const withAccess = { ...PROPS, WorkspaceAccessProperties: ACCESS };

  test('allowedDeviceTypes removed: every device type goes back to the service\'s default', async () => {
    described({ ...REGISTERED, WorkspaceAccessProperties: ACCESS });
    const update = event('Update', { PhysicalResourceId: DIRECTORY_ID, ResourceProperties: PROPS, OldResourceProperties: withAccess });
    await onEvent(update, deps());
    expect(await isComplete(polled(update, DIRECTORY_ID), deps())).toMatchObject({ IsComplete: true });
    expect(workspaces).toHaveReceivedCommandWith(AccessCommand, { ResourceId: DIRECTORY_ID, WorkspaceAccessProperties: SERVICE_ACCESS });
  });

  test('its rollback declares the device types again', async () => {
    described({ ...REGISTERED, WorkspaceAccessProperties: SERVICE_ACCESS as any });
    const back = event('Update', { PhysicalResourceId: DIRECTORY_ID, ResourceProperties: withAccess, OldResourceProperties: PROPS });
    await onEvent(back, deps());
    expect(await isComplete(polled(back, DIRECTORY_ID), deps())).toMatchObject({ IsComplete: true });
    expect(workspaces).toHaveReceivedCommandWith(AccessCommand, { WorkspaceAccessProperties: ACCESS });
  });

  test('a creation property or permission left out of a hand-written template goes back to the service\'s: users local administrators, restart allowed', async () => {
    described({ ...REGISTERED, SelfservicePermissions: { ...PERMISSIONS, RestartWorkspace: 'DISABLED' } });
    const update = event('Update', {
      PhysicalResourceId: DIRECTORY_ID,
      ResourceProperties: { ...PROPS, WorkspaceCreationProperties: { EnableInternetAccess: 'false' }, SelfservicePermissions: { RebuildWorkspace: 'DISABLED' } },
      OldResourceProperties: { ...PROPS, SelfservicePermissions: { ...PERMISSIONS, RestartWorkspace: 'DISABLED' } },
    });
    await onEvent(update, deps());
    expect(await isComplete(polled(update, DIRECTORY_ID), deps())).toMatchObject({ IsComplete: true });
    expect(workspaces).toHaveReceivedCommandWith(ModifyWorkspaceCreationPropertiesCommand, {
      WorkspaceCreationProperties: { EnableInternetAccess: false, EnableMaintenanceMode: true, UserEnabledAsLocalAdministrator: true },
    });
    expect(workspaces).toHaveReceivedCommandWith(ModifySelfservicePermissionsCommand, { SelfservicePermissions: expect.objectContaining({ RestartWorkspace: 'ENABLED' }) });
  });

  const withGroup = { ...PROPS, WorkspaceCreationProperties: { ...PROPS.WorkspaceCreationProperties, CustomSecurityGroupId: 'sg-0123456789abcdef0' } };

  test('customSecurityGroup removed while the registration has it: refused before anything changes, naming the prop, the value and why', async () => {
    described({ ...REGISTERED, WorkspaceCreationProperties: { ...REGISTERED.WorkspaceCreationProperties, CustomSecurityGroupId: 'sg-0123456789abcdef0' } });
    const update = event('Update', { PhysicalResourceId: DIRECTORY_ID, ResourceProperties: { ...PROPS, IpGroupIds: [] }, OldResourceProperties: withGroup });
    await expect(onEvent(update, deps())).rejects.toThrow(
      'WorkspacesDirectory Directory1A2B3C4D: customSecurityGroup (WorkspaceCreationProperties.CustomSecurityGroupId, now "sg-0123456789abcdef0") '
      + `was removed from the declaration, but directory ${DIRECTORY_ID} cannot go back to none: ModifyWorkspaceCreationProperties keeps `
      + 'a creation property it is not given, and refuses an empty one. Nothing was changed.');
    expect(changingCalls()).toEqual([]);
  });

  test('the rollback of that refused Update completes (it declares the group again)', async () => {
    described({ ...REGISTERED, WorkspaceCreationProperties: { ...REGISTERED.WorkspaceCreationProperties, CustomSecurityGroupId: 'sg-0123456789abcdef0' } });
    const back = event('Update', { PhysicalResourceId: DIRECTORY_ID, ResourceProperties: withGroup, OldResourceProperties: PROPS });
    expect((await onEvent(back, deps())).PhysicalResourceId).toBe(DIRECTORY_ID);
    expect(await isComplete(polled(back, DIRECTORY_ID), deps())).toMatchObject({ IsComplete: true });
  });

  test('a group the registration no longer has (registered anew since): the removal completes', async () => {
    described(REGISTERED);
    const update = event('Update', { PhysicalResourceId: DIRECTORY_ID, ResourceProperties: PROPS, OldResourceProperties: withGroup });
    await onEvent(update, deps());
    expect(await isComplete(polled(update, DIRECTORY_ID), deps())).toMatchObject({ IsComplete: true });
  });
});

describe('Tags of the registration', () => {
  const tagged = (tags: Record<string, string>) => ({ ...PROPS, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });

  test('isComplete creates the declared tags once registered', async () => {
    described(REGISTERED);
    workspaces.on(DescribeTagsCommand).resolves({ TagList: [] });
    expect(await isComplete(polled(event('Create', { ResourceProperties: tagged({ team: 'desk' }) }), DIRECTORY_ID), deps())).toMatchObject({ IsComplete: true });
    expect(workspaces).toHaveReceivedCommandWith(CreateTagsCommand, { ResourceId: DIRECTORY_ID, Tags: [{ Key: 'team', Value: 'desk' }] });
  });

  test('an Update deletes a key no longer declared and changes a value; a tag set elsewhere stays', async () => {
    described(REGISTERED);
    workspaces.on(DescribeTagsCommand).resolves({ TagList: [{ Key: 'team', Value: 'desk' }, { Key: 'cost', Value: 'cc-1' }, { Key: 'owner', Value: 'ops' }] });
    const update = event('Update', { PhysicalResourceId: DIRECTORY_ID, ResourceProperties: tagged({ team: 'floor' }), OldResourceProperties: tagged({ team: 'desk', cost: 'cc-1' }) });
    await onEvent(update, deps());
    expect(await isComplete(polled(update, DIRECTORY_ID), deps())).toMatchObject({ IsComplete: true });
    expect(workspaces).toHaveReceivedCommandWith(DeleteTagsCommand, { ResourceId: DIRECTORY_ID, TagKeys: ['cost'] });
    expect(workspaces).toHaveReceivedCommandWith(CreateTagsCommand, { ResourceId: DIRECTORY_ID, Tags: [{ Key: 'team', Value: 'floor' }] });
  });

  test('a reserved key is refused before any call, as for a Workspace', async () => {
    await expect(onEvent(event('Create', { ResourceProperties: tagged({ 'cdk-workspaces:owner': 'x' }) }), deps()))
      .rejects.toThrow('Invalid Tags[0].Key "cdk-workspaces:owner": this tag key is reserved by cdk-workspaces');
    expect(workspaces.calls()).toHaveLength(0);
  });

  test('a directory takes 50 declared tags (no ownership tag of its own), not 51', async () => {
    described(undefined);
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    await onEvent(event('Create', { ResourceProperties: tagged(fifty) }), deps());
    await expect(onEvent(event('Create', { ResourceProperties: tagged({ ...fifty, k50: 'v' }) }), deps()))
      .rejects.toThrow('Invalid Tags 51: a directory takes at most 50 tags');
  });
});

describe('Delete (removalPolicy DESTROY)', () => {
  test('deregisters what this resource registered, and waits until it is gone', async () => {
    described(REGISTERED);
    await onEvent(event('Delete', { PhysicalResourceId: DIRECTORY_ID }), deps());
    expect(workspaces).toHaveReceivedCommandWith(DeregisterWorkspaceDirectoryCommand, { DirectoryId: DIRECTORY_ID });

    workspaces.reset();
    described({ ...REGISTERED, State: 'DEREGISTERING' });
    expect(await isComplete(polled(event('Delete'), DIRECTORY_ID), deps())).toEqual({ IsComplete: false });
    workspaces.reset();
    described(undefined);
    expect(await isComplete(polled(event('Delete'), DIRECTORY_ID), deps())).toEqual({ IsComplete: true });
  });

  test('the Delete of a failed Create (whose id is no directory id) is done at once, calling nothing', async () => {
    const failedId = 'c0ffee00-1111-2222-3333-444455556666';
    expect((await onEvent(event('Delete', { PhysicalResourceId: failedId }), deps())).PhysicalResourceId).toBe(failedId);
    expect(await isComplete(polled(event('Delete'), failedId), deps())).toEqual({ IsComplete: true });
    expect(workspaces.calls()).toHaveLength(0);
  });
});
