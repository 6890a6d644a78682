import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeTagsCommand,
  DescribeWorkspacesCommand,
  DescribeWorkspacesConnectionStatusCommand,
  ModifyWorkspacePropertiesCommand,
  OperationInProgressException,
  TerminateWorkspacesCommand,
  Workspace,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AVAILABLE_WORKSPACE, CREATE, DELETE, deps, NEW_WORKSPACE_ID, OWNER, polled, PROPS, serverError, throttled, UPDATE, WORKSPACE_ID, answerPreflight } from './events';
import { isComplete as handler } from '../../lambda/index';
import { isComplete } from '../../lambda/router';

const workspaces = mockClient(WorkSpacesClient);

// Every Create passes the pre-flight (its own tests are in preflight.test.ts).
beforeEach(() => answerPreflight(workspaces));

// No one is connected: a change that disconnects the user goes ahead as it always did
// (disruption-aware updates have their own tests in disruption.test.ts).
beforeEach(() => {
  workspaces.on(DescribeWorkspacesConnectionStatusCommand).resolves({
    WorkspacesConnectionStatus: [{ WorkspaceId: WORKSPACE_ID, ConnectionState: 'DISCONNECTED' }],
  });
});

afterEach(() => {
  workspaces.reset();
});

const AVAILABLE = AVAILABLE_WORKSPACE;

const CREATED_TAGS = [{ Key: 'team', Value: 'desk' }, { Key: 'cdk-workspaces:owner', Value: OWNER }];

/**
 * A WorkSpace that changes as the service would: each modify puts it in UPDATING with the new
 * value, and `settle()` plays the end of the operation.
 */
function simulate(initial: Workspace, initialTags: Record<string, string>) {
  const sim = { workspace: { ...initial }, tags: { ...initialTags } };
  workspaces.on(DescribeWorkspacesCommand).callsFake(() => ({ Workspaces: [sim.workspace] }));
  workspaces.on(DescribeTagsCommand).callsFake(() => ({ TagList: Object.entries(sim.tags).map(([Key, Value]) => ({ Key, Value })) }));
  workspaces.on(ModifyWorkspacePropertiesCommand).callsFake((input) => {
    sim.workspace = {
      ...sim.workspace,
      State: 'UPDATING',
      WorkspaceProperties: { ...sim.workspace.WorkspaceProperties, ...input.WorkspaceProperties },
    };
    return {};
  });
  workspaces.on(CreateTagsCommand).callsFake((input) => {
    for (const t of input.Tags) {
      sim.tags[t.Key] = t.Value;
    }
    return {};
  });
  workspaces.on(DeleteTagsCommand).callsFake((input) => {
    for (const k of input.TagKeys) {
      delete sim.tags[k];
    }
    return {};
  });
  return {
    sim,
    settle(state = 'AVAILABLE') {
      sim.workspace = { ...sim.workspace, State: state as Workspace['State'] };
    },
  };
}

function modifyInputs() {
  return workspaces.commandCalls(ModifyWorkspacePropertiesCommand).map((c) => c.args[0].input.WorkspaceProperties);
}

describe('Create', () => {
  test('waits while the new WorkSpace is invisible and PENDING, then completes with its attributes', async () => {
    workspaces.on(DescribeWorkspacesCommand)
      .resolvesOnce({ Workspaces: [] })
      .resolvesOnce({ Workspaces: [{ ...AVAILABLE, State: 'PENDING', IpAddress: undefined, ComputerName: undefined }] })
      .resolves({ Workspaces: [AVAILABLE] });
    workspaces.on(DescribeTagsCommand).resolves({ TagList: CREATED_TAGS });
    const event = polled(CREATE);

    await expect(isComplete(event, deps(30))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(event, deps(600))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(event, deps(1200))).resolves.toEqual({
      IsComplete: true,
      Data: {
        WorkspaceId: WORKSPACE_ID,
        IpAddress: '10.0.1.23',
        ComputerName: 'WSAMZN-ALICE01',
        SubnetId: 'subnet-0123456789abcdef0',
        State: 'AVAILABLE',
        // The WorkSpace's own bundle: for a bundle given by name, the id it resolved to.
        BundleId: 'wsb-12345678',
      },
    });
    expect(workspaces).toHaveReceivedCommandWith(DescribeWorkspacesCommand, { WorkspaceIds: [WORKSPACE_ID] });
    expect(workspaces).not.toHaveReceivedCommand(ModifyWorkspacePropertiesCommand);
    expect(workspaces).not.toHaveReceivedCommand(CreateTagsCommand);
  });

  test('returns empty strings for attributes the service does not report, so that GetAtt never fails', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [{ WorkspaceId: WORKSPACE_ID, State: 'STOPPED' }] });
    workspaces.on(DescribeTagsCommand).resolves({ TagList: CREATED_TAGS });

    await expect(isComplete(polled(CREATE), deps())).resolves.toEqual({
      IsComplete: true,
      Data: { WorkspaceId: WORKSPACE_ID, IpAddress: '', ComputerName: '', SubnetId: '', State: 'STOPPED', BundleId: '' },
    });
  });

  test('fails with the service\'s ErrorCode and ErrorMessage when the WorkSpace goes to ERROR', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({
      Workspaces: [{ ...AVAILABLE, State: 'ERROR', ErrorCode: 'InvalidSubnet', ErrorMessage: 'The subnet has no free addresses.' }],
    });

    await expect(isComplete(polled(CREATE), deps())).rejects.toThrow(
      'WorkSpace ws-abc12345 is in state ERROR: InvalidSubnet: The subnet has no free addresses.');
  });

  test('fails past the timeout, naming the WorkSpace and its last observed state', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [{ ...AVAILABLE, State: 'PENDING' }] });

    await expect(isComplete(polled(CREATE), deps(3601))).rejects.toThrow(
      /WorkSpace ws-abc12345 did not reach the desired state within 3300 seconds.*last observed state was PENDING/);
  });

  test('says after a timeout of one second "1 second", and that the rollback terminates the new WorkSpace', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [{ ...AVAILABLE, State: 'PENDING' }] });
    const event = polled({ ...CREATE, ResourceProperties: { ...PROPS, TimeoutSeconds: '1' } });

    await expect(isComplete(event, deps(2))).rejects.toThrow(
      'WorkSpace ws-abc12345 did not reach the desired state within 1 second (TimeoutSeconds); its last observed state was PENDING. '
      + 'CloudFormation\'s rollback now terminates this new WorkSpace (unless its removal policy is RETAIN or the rollback is disabled: '
      + 'then it stays, and a later deploy takes it over only with adoptExisting).');
  });

  test('enforces the resource\'s own TimeoutSeconds', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [] });
    const event = polled({ ...CREATE, ResourceProperties: { ...PROPS, TimeoutSeconds: '600' } });

    await expect(isComplete(event, deps(599))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(event, deps(601))).rejects.toThrow(/ws-abc12345.*600 seconds.*not visible/);
  });

  test('fails clearly when the WorkSpace is terminated behind the stack\'s back', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [{ ...AVAILABLE, State: 'TERMINATING' }] });

    await expect(isComplete(polled(CREATE), deps())).rejects.toThrow(/ws-abc12345 is TERMINATING/);
  });

  test('the Lambda entrypoint answers through the default client', async () => {
    process.env.AWS_REGION ??= 'eu-west-1';
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [{ ...AVAILABLE, State: 'STARTING' }] });
    jest.spyOn(console, 'log').mockImplementation(() => {});

    const event = { ...polled(CREATE), Data: { StartedAt: new Date().toISOString() } };

    await expect(handler(event)).resolves.toEqual({ IsComplete: false });
  });
});

describe('Update in place', () => {
  test('changes the running mode with its timeout in one call, then completes', async () => {
    const service = simulate(AVAILABLE, { team: 'desk', ['cdk-workspaces:owner']: OWNER });
    const event = polled({
      ...UPDATE,
      ResourceProperties: { ...PROPS, WorkspaceProperties: { RunningMode: 'AUTO_STOP', RunningModeAutoStopTimeoutInMinutes: '180' } },
    });

    await expect(isComplete(event, deps())).resolves.toEqual({ IsComplete: false });
    service.settle();
    await expect(isComplete(event, deps())).resolves.toMatchObject({ IsComplete: true });

    expect(modifyInputs()).toEqual([{ RunningMode: 'AUTO_STOP', RunningModeAutoStopTimeoutInMinutes: 180 }]);
    expect(workspaces).toHaveReceivedCommandWith(ModifyWorkspacePropertiesCommand, { WorkspaceId: WORKSPACE_ID });
  });

  test('a poll that begins with less than a minute of its invocation left takes its step at the next poll', async () => {
    const service = simulate(AVAILABLE, { team: 'desk', ['cdk-workspaces:owner']: OWNER });
    const event = polled({ ...UPDATE, ResourceProperties: { ...PROPS, WorkspaceProperties: { RunningMode: 'ALWAYS_ON' } } });
    const lines: string[] = [];

    await expect(isComplete(event, { ...deps(60, (l) => lines.push(l)), remainingMs: () => 45_000 })).resolves.toEqual({ IsComplete: false });
    expect(workspaces).not.toHaveReceivedCommand(ModifyWorkspacePropertiesCommand);
    expect(lines.join('\n')).toMatch(/waits for the next poll: this invocation has 45 s left, and keeps 60 s to answer/);
    await expect(isComplete(event, deps())).resolves.toEqual({ IsComplete: false });
    service.settle();
    await expect(isComplete(event, deps())).resolves.toMatchObject({ IsComplete: true });
    expect(modifyInputs()).toEqual([{ RunningMode: 'ALWAYS_ON' }]);
  });

  test('changes compute type, user volume and root volume in three separate calls, each only once the WorkSpace is settled', async () => {
    const service = simulate(AVAILABLE, { team: 'desk', ['cdk-workspaces:owner']: OWNER });
    const event = polled({
      ...UPDATE,
      ResourceProperties: {
        ...PROPS,
        WorkspaceProperties: { ComputeTypeName: 'POWER', RootVolumeSizeGib: '175', UserVolumeSizeGib: '100' },
        // Today's order, compute type first (WAIT_FOR_DISCONNECT grows the volumes first).
        DisruptionPolicy: 'IMMEDIATE',
      },
    });

    await expect(isComplete(event, deps())).resolves.toEqual({ IsComplete: false });
    expect(modifyInputs()).toEqual([{ ComputeTypeName: 'POWER' }]);

    // While the service works on it, a poll changes nothing.
    await expect(isComplete(event, deps())).resolves.toEqual({ IsComplete: false });
    expect(workspaces).toHaveReceivedCommandTimes(ModifyWorkspacePropertiesCommand, 1);

    // 80/50 to 175/100: the service refuses root 175 with user 50, so the user volume grows first.
    service.settle('STOPPED');
    await expect(isComplete(event, deps())).resolves.toEqual({ IsComplete: false });
    expect(modifyInputs()).toEqual([{ ComputeTypeName: 'POWER' }, { UserVolumeSizeGib: 100 }]);

    service.settle();
    await expect(isComplete(event, deps())).resolves.toEqual({ IsComplete: false });
    expect(modifyInputs()).toEqual([{ ComputeTypeName: 'POWER' }, { UserVolumeSizeGib: 100 }, { RootVolumeSizeGib: 175 }]);

    service.settle();
    await expect(isComplete(event, deps())).resolves.toMatchObject({ IsComplete: true, Data: { State: 'AVAILABLE' } });
    expect(workspaces).toHaveReceivedCommandTimes(ModifyWorkspacePropertiesCommand, 3);
  });

  test('waits while a modification is reported in progress even though the state reads AVAILABLE', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({
      Workspaces: [{ ...AVAILABLE, ModificationStates: [{ Resource: 'COMPUTE_TYPE', State: 'UPDATE_IN_PROGRESS' }] }],
    });
    const event = polled({ ...UPDATE, ResourceProperties: { ...PROPS, WorkspaceProperties: { ComputeTypeName: 'POWER' } } });

    await expect(isComplete(event, deps())).resolves.toEqual({ IsComplete: false });
    expect(workspaces).not.toHaveReceivedCommand(ModifyWorkspacePropertiesCommand);
  });

  test('an OperationInProgressException means "not yet", not failure', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [AVAILABLE] });
    workspaces.on(DescribeTagsCommand).resolves({ TagList: CREATED_TAGS });
    workspaces.on(ModifyWorkspacePropertiesCommand).rejects(new OperationInProgressException({ message: 'busy', $metadata: {} }));
    const event = polled({ ...UPDATE, ResourceProperties: { ...PROPS, WorkspaceProperties: { ComputeTypeName: 'POWER' } } });

    await expect(isComplete(event, deps())).resolves.toEqual({ IsComplete: false });
    expect(workspaces).toHaveReceivedCommandTimes(ModifyWorkspacePropertiesCommand, 1);
  });

  test('an InvalidResourceStateException named by a plain 4xx error also means "not yet" when the WorkSpace is moving', async () => {
    // The user connected to it just now: the refusal comes from a state that passes by itself.
    workspaces.on(DescribeWorkspacesCommand).resolvesOnce({ Workspaces: [AVAILABLE] }).resolves({ Workspaces: [{ ...AVAILABLE, State: 'STARTING' }] });
    workspaces.on(DescribeTagsCommand).resolves({ TagList: CREATED_TAGS });
    workspaces.on(ModifyWorkspacePropertiesCommand).rejects(Object.assign(new Error('busy'), { name: 'InvalidResourceStateException' }));
    const event = polled({ ...UPDATE, ResourceProperties: { ...PROPS, WorkspaceProperties: { RootVolumeSizeGib: '100' } } });

    await expect(isComplete(event, deps())).resolves.toEqual({ IsComplete: false });
  });

  test('any other error of a change fails, naming the change and the service\'s error', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [AVAILABLE] });
    workspaces.on(DescribeTagsCommand).resolves({ TagList: CREATED_TAGS });
    workspaces.on(ModifyWorkspacePropertiesCommand)
      .rejects(Object.assign(new Error('Compute type not supported'), { name: 'UnsupportedWorkspaceConfigurationException' }));
    const event = polled({ ...UPDATE, ResourceProperties: { ...PROPS, WorkspaceProperties: { ComputeTypeName: 'GRAPHICS' } } });

    await expect(isComplete(event, deps())).rejects.toThrow(
      /ComputeTypeName.*ws-abc12345.*UnsupportedWorkspaceConfigurationException: Compute type not supported/);
  });

  test('adds, changes and removes declared tags, and never touches the ownership tag or tags nobody declared', async () => {
    const before = { team: 'desk', cost: 'c-1', ['cdk-workspaces:owner']: OWNER, manual: 'added-by-hand' };
    const service = simulate(AVAILABLE, before);
    const event = polled({
      ...UPDATE,
      OldResourceProperties: {
        ...PROPS,
        Tags: [{ Key: 'team', Value: 'desk' }, { Key: 'cost', Value: 'c-1' }, { Key: 'already-gone', Value: 'x' }],
      },
      ResourceProperties: { ...PROPS, Tags: [{ Key: 'team', Value: 'ops' }, { Key: 'project', Value: 'p-9' }] },
    });

    await expect(isComplete(event, deps())).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(event, deps())).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(event, deps())).resolves.toMatchObject({ IsComplete: true });

    expect(workspaces).toHaveReceivedCommandTimes(DeleteTagsCommand, 1);
    expect(workspaces).toHaveReceivedCommandWith(DeleteTagsCommand, { ResourceId: WORKSPACE_ID, TagKeys: ['cost'] });
    expect(workspaces).toHaveReceivedCommandTimes(CreateTagsCommand, 1);
    expect(workspaces).toHaveReceivedCommandWith(CreateTagsCommand, {
      ResourceId: WORKSPACE_ID,
      Tags: [{ Key: 'team', Value: 'ops' }, { Key: 'project', Value: 'p-9' }],
    });
    expect(service.sim.tags).toEqual({ 'team': 'ops', 'project': 'p-9', 'cdk-workspaces:owner': OWNER, 'manual': 'added-by-hand' });
    expect(workspaces).not.toHaveReceivedCommand(ModifyWorkspacePropertiesCommand);
  });

  test('leaves properties the template has no opinion about as they are', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [AVAILABLE] });
    workspaces.on(DescribeTagsCommand).resolves({ TagList: CREATED_TAGS });
    const event = polled({ ...UPDATE, ResourceProperties: { ...PROPS, WorkspaceProperties: { RunningMode: 'AUTO_STOP' } } });

    await expect(isComplete(event, deps())).resolves.toMatchObject({ IsComplete: true });
    expect(workspaces).not.toHaveReceivedCommand(ModifyWorkspacePropertiesCommand);
  });

  test('fails when the WorkSpace is no longer described', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [] });

    await expect(isComplete(polled(UPDATE), deps())).rejects.toThrow(/ws-abc12345 no longer exists/);
  });
});

describe('Update that rolls back a refused replacement (same user, old and new properties swapped)', () => {
  // onEvent found that the WorkSpace already has the bundle asked for and kept it, in place.
  const rollback = polled({
    ...UPDATE,
    OldResourceProperties: { ...PROPS, BundleId: 'wsb-87654321', Tags: [{ Key: 'team', Value: 'desk' }, { Key: 'extra', Value: 'x' }] },
  });

  test('reconciles in place like any in-place update, deleting only tags the old properties declared', async () => {
    const service = simulate(AVAILABLE, { team: 'desk', extra: 'x', ['cdk-workspaces:owner']: OWNER });

    await expect(isComplete(rollback, deps())).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(rollback, deps())).resolves.toMatchObject({ IsComplete: true, Data: { WorkspaceId: WORKSPACE_ID } });
    expect(workspaces).toHaveReceivedCommandWith(DeleteTagsCommand, { ResourceId: WORKSPACE_ID, TagKeys: ['extra'] });
    expect(service.sim.tags).toEqual({ 'team': 'desk', 'cdk-workspaces:owner': OWNER });
  });

  test('does not take the WorkSpace for a new, possibly invisible one: not described means it is gone', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [] });

    await expect(isComplete(rollback, deps())).rejects.toThrow(/ws-abc12345 no longer exists/);
  });

  test('says after a timeout that the changes made so far stay, not that the rollback terminates it', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [{ ...AVAILABLE, State: 'UPDATING' }] });

    const error = await isComplete(rollback, deps(3601)).catch((e: Error) => e);

    expect((error as Error).message).toMatch(/within 3300 seconds.*The changes made so far stay on the WorkSpace/);
    expect((error as Error).message).not.toMatch(/terminates/);
  });
});

describe('temporary errors after the SDK\'s retries', () => {
  test.each([
    ['throttled', throttled()],
    ['500', serverError(500)],
    ['503', serverError(503)],
  ])('a %s DescribeWorkspaces means "try at the next poll", logged with the call and the WorkSpace', async (_, error) => {
    workspaces.on(DescribeWorkspacesCommand).rejects(error);
    const lines: string[] = [];

    await expect(isComplete(polled(CREATE), deps(60, (l) => lines.push(l)))).resolves.toEqual({ IsComplete: false });
    expect(lines.some((l) => l.startsWith('DescribeWorkspaces for WorkSpace ws-abc12345 failed: ') && l.endsWith('trying again at the next poll'))).toBe(true);
  });

  test('a TooManyRequests (HTTP 429) DescribeTags also waits', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [AVAILABLE] });
    workspaces.on(DescribeTagsCommand).rejects(Object.assign(new Error('Too Many Requests'), {
      name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 },
    }));

    await expect(isComplete(polled(CREATE), deps())).resolves.toEqual({ IsComplete: false });
  });

  test('a throttled change is not a failure: the next poll observes again and takes the step again', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [AVAILABLE] });
    workspaces.on(DescribeTagsCommand).resolves({ TagList: CREATED_TAGS });
    workspaces.on(ModifyWorkspacePropertiesCommand).rejectsOnce(throttled()).resolves({});
    const event = polled({ ...UPDATE, ResourceProperties: { ...PROPS, WorkspaceProperties: { ComputeTypeName: 'POWER' } } });

    await expect(isComplete(event, deps())).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(event, deps())).resolves.toEqual({ IsComplete: false });
    expect(workspaces).toHaveReceivedCommandTimes(ModifyWorkspacePropertiesCommand, 2);
  });

  test('past the timeout, a temporary error fails the resource, naming the timeout and the last error', async () => {
    workspaces.on(DescribeWorkspacesCommand).rejects(throttled());

    await expect(isComplete(polled(CREATE), deps(3601))).rejects.toThrow(
      'WorkSpace ws-abc12345 did not reach the desired state within 3300 seconds (TimeoutSeconds): the service kept failing; '
      + 'the last error: DescribeWorkspaces for WorkSpace ws-abc12345 failed: ThrottlingException: Rate exceeded. '
      + 'CloudFormation\'s rollback now terminates this new WorkSpace');
  });

  test('a Delete poll waits out a temporary error too, within the timeout', async () => {
    workspaces.on(DescribeWorkspacesCommand).rejects(serverError(503));

    await expect(isComplete(polled(DELETE), deps())).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(polled(DELETE), deps(3601))).rejects.toThrow(
      /^WorkSpace ws-abc12345 was not terminated within 3300 seconds \(TimeoutSeconds\): the service kept failing; the last error: DescribeWorkspaces .*ServiceUnavailable/);
  });

  test('an error that is not temporary still fails at once', async () => {
    workspaces.on(DescribeWorkspacesCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));

    await expect(isComplete(polled(CREATE), deps())).rejects.toThrow(/DescribeWorkspaces for WorkSpace ws-abc12345 failed: AccessDeniedException: not authorized/);
  });
});

describe('Update with replacement', () => {
  test('waits while the new WorkSpace is invisible, as for a Create', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [] });
    const event = polled({ ...UPDATE, ResourceProperties: { ...PROPS, UserName: 'bob' } }, NEW_WORKSPACE_ID);

    await expect(isComplete(event, deps())).resolves.toEqual({ IsComplete: false });
    expect(workspaces).toHaveReceivedCommandWith(DescribeWorkspacesCommand, { WorkspaceIds: [NEW_WORKSPACE_ID] });
  });
});

describe('Delete', () => {
  test('of a Create that failed (no WorkSpace id) is complete without any call', async () => {
    await expect(isComplete(polled(DELETE, 'AWSCDK::CustomResourceProviderFramework::MISSING_PHYSICAL_ID'), deps()))
      .resolves.toEqual({ IsComplete: true });
    expect(workspaces.calls()).toHaveLength(0);
  });

  test('waits while TERMINATING and completes once the WorkSpace is TERMINATED or no longer described', async () => {
    workspaces.on(DescribeWorkspacesCommand)
      .resolvesOnce({ Workspaces: [{ ...AVAILABLE, State: 'TERMINATING' }] })
      .resolvesOnce({ Workspaces: [{ ...AVAILABLE, State: 'TERMINATED' }] })
      .resolves({ Workspaces: [] });
    const event = polled(DELETE);

    await expect(isComplete(event, deps())).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(event, deps())).resolves.toEqual({ IsComplete: true });
    await expect(isComplete(event, deps())).resolves.toEqual({ IsComplete: true });
    expect(workspaces).not.toHaveReceivedCommand(TerminateWorkspacesCommand);
  });

  test('is complete once the WorkSpace is not described, even if it never was: onEvent has requested its termination', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [] });

    await expect(isComplete(polled(DELETE), deps())).resolves.toEqual({ IsComplete: true });
    expect(workspaces).not.toHaveReceivedCommand(TerminateWorkspacesCommand);
  });

  test('asks again to terminate a WorkSpace that is still there because it was busy', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [AVAILABLE] });
    workspaces.on(DescribeTagsCommand).resolves({ TagList: CREATED_TAGS });
    workspaces.on(TerminateWorkspacesCommand).resolves({ FailedRequests: [] });

    await expect(isComplete(polled(DELETE), deps())).resolves.toEqual({ IsComplete: false });
    expect(workspaces).toHaveReceivedCommandWith(TerminateWorkspacesCommand, { TerminateWorkspaceRequests: [{ WorkspaceId: WORKSPACE_ID }] });
  });

  test('fails past the timeout, naming the WorkSpace and its last state', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [{ ...AVAILABLE, State: 'TERMINATING' }] });

    await expect(isComplete(polled(DELETE), deps(3601))).rejects.toThrow(/ws-abc12345 was not terminated within 3300 seconds.*TERMINATING/);
  });

  test('fails clearly for a SUSPENDED WorkSpace without trying to terminate it', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [{ ...AVAILABLE, State: 'SUSPENDED' }] });

    await expect(isComplete(polled(DELETE), deps())).rejects.toThrow(/SUSPENDED.*cannot be terminated/);
    expect(workspaces).not.toHaveReceivedCommand(TerminateWorkspacesCommand);
  });
});
