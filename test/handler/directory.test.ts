// The Custom::WorkspacesDirectory handler (lambda/resources/directory/), through the handler's routing,
// against a mocked WorkSpaces client.
import {
  AssociateIpGroupsCommand,
  DeregisterWorkspaceDirectoryCommand,
  DescribeWorkspaceDirectoriesCommand,
  DisassociateIpGroupsCommand,
  ModifySelfservicePermissionsCommand,
  ModifyWorkspaceAccessPropertiesCommand,
  ModifyWorkspaceCreationPropertiesCommand,
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
