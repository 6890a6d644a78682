// The Custom::WorkspacesStandby handler (lambda/resources/standby), through the router, against a
// mocked WorkSpaces client. Its Delete is a Workspace's (the router sends it there).
import {
  CreateStandbyWorkspacesCommand,
  DescribeTagsCommand,
  DescribeWorkspaceDirectoriesCommand,
  DescribeWorkspacesCommand,
  ModifyWorkspacePropertiesCommand,
  TerminateWorkspacesCommand,
  Workspace,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { deps, REQUEST_ID, STACK_ID, STARTED_AT } from './events';
import type { WorkspaceResourceEvent } from '../../lambda/core/contract';
import { ownershipMarking } from '../../lambda/core/ownership';
import { STANDBY_RESOURCE_TYPE } from '../../lambda/resources/standby/standby';
import { isComplete, onEvent } from '../../lambda/router';
import { OWNERSHIP_TAG_KEY } from '../../src/private/rules';

const workspaces = mockClient(WorkSpacesClient);
const DIRECTORY_ID = 'd-2234567890';
const PRIMARY_ID = 'ws-primary01';
const STANDBY_ID = 'ws-standby01';
const LOGICAL_ID = 'AliceStandby1A2B3C4D';
const MARKING = ownershipMarking(STACK_ID, LOGICAL_ID, REQUEST_ID, 'created');
const PROPS = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
  ServiceTimeout: '3600',
  PrimaryRegion: 'us-east-1',
  PrimaryWorkspaceId: PRIMARY_ID,
  DirectoryId: DIRECTORY_ID,
  DataReplication: 'PRIMARY_AS_SOURCE',
  TimeoutSeconds: '3300',
};

let region: string | undefined;
beforeAll(() => {
  region = process.env.AWS_REGION;
  process.env.AWS_REGION = 'eu-west-1';
});
afterAll(() => {
  process.env.AWS_REGION = region;
});
beforeEach(() => {
  workspaces.reset();
  workspaces.on(DescribeWorkspaceDirectoriesCommand).resolves({ Directories: [{ DirectoryId: DIRECTORY_ID, State: 'REGISTERED' }] });
  workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [] });
  workspaces.on(DescribeTagsCommand).resolves({ TagList: [] });
});

function event(requestType: 'Create' | 'Update' | 'Delete', extra: Partial<WorkspaceResourceEvent> = {}): WorkspaceResourceEvent {
  return {
    RequestType: requestType,
    StackId: STACK_ID,
    LogicalResourceId: LOGICAL_ID,
    RequestId: REQUEST_ID,
    ResourceType: STANDBY_RESOURCE_TYPE,
    ResourceProperties: PROPS,
    ...extra,
  };
}

function polled(e: WorkspaceResourceEvent, id = STANDBY_ID) {
  return { ...e, PhysicalResourceId: id, Data: { StartedAt: STARTED_AT } };
}

function standby(state: Workspace['State'], extra: Partial<Workspace> = {}): Workspace {
  return {
    WorkspaceId: STANDBY_ID,
    DirectoryId: DIRECTORY_ID,
    UserName: 'alice',
    State: state,
    RelatedWorkspaces: [{ WorkspaceId: PRIMARY_ID, Region: 'us-east-1', Type: 'PRIMARY' }],
    DataReplicationSettings: { DataReplication: 'PRIMARY_AS_SOURCE' },
    ...extra,
  };
}

describe('Create', () => {
  test('checks the directory, asks for the standby with this request\'s ownership tag, and waits until it is AVAILABLE', async () => {
    workspaces.on(CreateStandbyWorkspacesCommand).resolves({ PendingStandbyRequests: [{ WorkspaceId: STANDBY_ID, State: 'PENDING' }] });
    const started = await onEvent(event('Create'), deps());
    expect(started.PhysicalResourceId).toBe(STANDBY_ID);
    expect(workspaces).toHaveReceivedCommandWith(CreateStandbyWorkspacesCommand, {
      PrimaryRegion: 'us-east-1',
      StandbyWorkspaces: [{
        PrimaryWorkspaceId: PRIMARY_ID,
        DirectoryId: DIRECTORY_ID,
        DataReplication: 'PRIMARY_AS_SOURCE',
        VolumeEncryptionKey: undefined,
        Tags: [{ Key: OWNERSHIP_TAG_KEY, Value: MARKING }],
      }],
    });
    // Not visible yet, then PENDING: wait.
    expect(await isComplete(polled(event('Create')), deps(5))).toEqual({ IsComplete: false });
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [standby('PENDING')] });
    expect(await isComplete(polled(event('Create')), deps(60))).toEqual({ IsComplete: false });
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [standby('AVAILABLE')] });
    expect(await isComplete(polled(event('Create')), deps(600))).toEqual({
      IsComplete: true,
      Data: { WorkspaceId: STANDBY_ID, State: 'AVAILABLE', UserName: 'alice', DirectoryId: DIRECTORY_ID, PrimaryWorkspaceId: PRIMARY_ID, DataReplication: 'PRIMARY_AS_SOURCE' },
    });
  });

  test('a retried Create takes back the standby its earlier attempt made; another\'s standby of the primary fails before any change', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [standby('PENDING')] });
    workspaces.on(DescribeTagsCommand).resolves({ TagList: [{ Key: OWNERSHIP_TAG_KEY, Value: MARKING }] });
    expect((await onEvent(event('Create'), deps())).PhysicalResourceId).toBe(STANDBY_ID);
    expect(workspaces).not.toHaveReceivedCommand(CreateStandbyWorkspacesCommand);

    workspaces.on(DescribeTagsCommand).resolves({ TagList: [{ Key: OWNERSHIP_TAG_KEY, Value: ownershipMarking(STACK_ID, 'Other', 'r-2', 'created') }] });
    await expect(onEvent(event('Create'), deps())).rejects.toThrow(`Primary WorkSpace ${PRIMARY_ID} (us-east-1) has a standby already: `
      + `${STANDBY_ID} in directory ${DIRECTORY_ID}, managed by another construct of this stack, logical id Other.`);
    expect(workspaces).not.toHaveReceivedCommand(CreateStandbyWorkspacesCommand);
  });

  test('pre-flight: a directory that is not registered here, or a primary of this same Region, fails before any change', async () => {
    workspaces.on(DescribeWorkspaceDirectoriesCommand).resolves({ Directories: [] });
    await expect(onEvent(event('Create'), deps())).rejects.toThrow(`Directory ${DIRECTORY_ID} is not registered with WorkSpaces in eu-west-1`);
    await expect(onEvent(event('Create', { ResourceProperties: { ...PROPS, PrimaryRegion: 'eu-west-1' } }), deps()))
      .rejects.toThrow('Invalid PrimaryRegion "eu-west-1": the standby is made in eu-west-1, which must be another Region');
    expect(workspaces).not.toHaveReceivedCommand(CreateStandbyWorkspacesCommand);
  });

  test('a refusal (the primary\'s bundle not offered here) fails with the service\'s reason, nothing created', async () => {
    workspaces.on(CreateStandbyWorkspacesCommand).resolves({
      FailedStandbyRequests: [{ ErrorCode: 'ResourceNotFound.Bundle', ErrorMessage: 'The bundle is not available in eu-west-1.' }],
    });
    await expect(onEvent(event('Create'), deps())).rejects.toThrow(`CreateStandbyWorkspaces refused the standby of primary WorkSpace ${PRIMARY_ID} `
      + `(us-east-1) in directory ${DIRECTORY_ID}: ResourceNotFound.Bundle: The bundle is not available in eu-west-1. Nothing was created.`);
  });

  test('ERROR fails at once with the service\'s reason; past the timeout, the wait fails naming the standby and its state', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [standby('ERROR', { ErrorCode: 'InternalError', ErrorMessage: 'broken' })] });
    await expect(isComplete(polled(event('Create')), deps(60))).rejects.toThrow(`Standby WorkSpace ${STANDBY_ID} (user "alice", directory `
      + `${DIRECTORY_ID}) is ERROR: InternalError: broken. CloudFormation's rollback now terminates this new WorkSpace`);
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [standby('PENDING')] });
    await expect(isComplete(polled(event('Create')), deps(3301))).rejects.toThrow(`Standby WorkSpace ${STANDBY_ID} did not become AVAILABLE `
      + 'or STOPPED within 3300 seconds (TimeoutSeconds); its last state: PENDING.');
  });

  test.each([
    [{ ...PROPS, Extra: '1' }, 'Invalid Extra "1": is not a property of Custom::WorkspacesStandby'],
    [{ ...PROPS, PrimaryWorkspaceId: 'alice' }, 'Invalid PrimaryWorkspaceId "alice": must match ^ws-'],
    [{ ...PROPS, PrimaryRegion: 'US East' }, 'Invalid PrimaryRegion "US East": must match'],
    [{ ...PROPS, DataReplication: 'ALWAYS' }, 'Invalid DataReplication "ALWAYS": must be one of NO_REPLICATION, PRIMARY_AS_SOURCE'],
    [{ ...PROPS, DirectoryId: 7 }, 'Invalid DirectoryId 7: is required, as a string'],
  ])('strict properties: %j fails before any call', async (properties, message) => {
    await expect(onEvent(event('Create', { ResourceProperties: properties }), deps())).rejects.toThrow(message);
    expect(workspaces.calls()).toHaveLength(0);
  });
});

describe('Update', () => {
  test('a new DataReplication is applied by isComplete; a new primary is refused before any change', async () => {
    const update = event('Update', { PhysicalResourceId: STANDBY_ID, OldResourceProperties: { ...PROPS, DataReplication: 'NO_REPLICATION' } });
    expect((await onEvent(update, deps())).PhysicalResourceId).toBe(STANDBY_ID);
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [standby('AVAILABLE', { DataReplicationSettings: { DataReplication: 'NO_REPLICATION' } })] });
    expect(await isComplete(polled(update), deps(10))).toEqual({ IsComplete: false });
    expect(workspaces).toHaveReceivedCommandWith(ModifyWorkspacePropertiesCommand, { WorkspaceId: STANDBY_ID, DataReplication: 'PRIMARY_AS_SOURCE' });

    const moved = event('Update', { PhysicalResourceId: STANDBY_ID, OldResourceProperties: { ...PROPS, PrimaryWorkspaceId: 'ws-primary00' } });
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [standby('AVAILABLE', { RelatedWorkspaces: [{ WorkspaceId: 'ws-primary00', Type: 'PRIMARY' }] })] });
    await expect(onEvent(moved, deps())).rejects.toThrow(`StandbyWorkspace ${STANDBY_ID}: changing primaryWorkspaceId needs a new standby `
      + 'WorkSpace, and a primary has one standby at a time. Nothing was changed.');
  });
});

describe('Delete (a Workspace\'s)', () => {
  test('terminates the standby this resource created', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [standby('AVAILABLE')] });
    workspaces.on(DescribeTagsCommand).resolves({ TagList: [{ Key: OWNERSHIP_TAG_KEY, Value: MARKING }] });
    workspaces.on(TerminateWorkspacesCommand).resolves({ FailedRequests: [] });
    await onEvent(event('Delete', { PhysicalResourceId: STANDBY_ID }), deps());
    expect(workspaces).toHaveReceivedCommandWith(TerminateWorkspacesCommand, { TerminateWorkspaceRequests: [{ WorkspaceId: STANDBY_ID }] });
  });

  test('leaves a standby another resource owns', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [standby('AVAILABLE')] });
    workspaces.on(DescribeTagsCommand).resolves({ TagList: [{ Key: OWNERSHIP_TAG_KEY, Value: ownershipMarking(STACK_ID, 'Other', 'r-2', 'created') }] });
    await onEvent(event('Delete', { PhysicalResourceId: STANDBY_ID }), deps());
    expect(workspaces).not.toHaveReceivedCommand(TerminateWorkspacesCommand);
    expect(await isComplete(polled(event('Delete')), deps())).toEqual({ IsComplete: true });
  });
});
