import {
  CreateWorkspacesCommand,
  DescribeTagsCommand,
  DescribeWorkspacesCommand,
  TerminateWorkspacesCommand,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CREATE, DELETE, deps, depsWithWaits, NEW_WORKSPACE_ID, OWNER, PROPS, serverError, STACK_ID, STARTED_AT, throttled, UPDATE, WORKSPACE_ID, answerPreflight } from './events';
import { LOOK_AGAIN_DELAYS_MS } from '../../lambda/core/contract';
import { ownershipMarking } from '../../lambda/core/ownership';
import { onEvent as handler } from '../../lambda/index';
import { onEvent } from '../../lambda/router';

const workspaces = mockClient(WorkSpacesClient);

// Every Create passes the pre-flight (its own tests are in preflight.test.ts).
beforeEach(() => answerPreflight(workspaces));

/** The WorkSpace of the base event, as DescribeWorkspaces reports it. */
const EXISTING = {
  WorkspaceId: WORKSPACE_ID,
  DirectoryId: 'd-1234567890',
  UserName: 'alice',
  BundleId: 'wsb-12345678',
  State: 'AVAILABLE' as const,
};

afterEach(() => {
  workspaces.reset();
});

/** A refused request must have sent no command that changes something: only reads. */
function expectNothingChanged(): void {
  const sent = workspaces.calls().map((call) => call.args[0].constructor.name);
  expect(sent.filter((name) => !name.startsWith('Describe'))).toEqual([]);
  expect(workspaces).not.toHaveReceivedCommand(CreateWorkspacesCommand);
}

describe('Create', () => {
  test('requests the WorkSpace with every setting, the user tags and the ownership tag, parsing stringified numbers', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [] });
    workspaces.on(CreateWorkspacesCommand).resolves({ PendingRequests: [{ WorkspaceId: WORKSPACE_ID, State: 'PENDING' }], FailedRequests: [] });

    const result = await onEvent({
      ...CREATE,
      ResourceProperties: {
        ...PROPS,
        RootVolumeEncryptionEnabled: 'true',
        UserVolumeEncryptionEnabled: 'false',
        VolumeEncryptionKey: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        WorkspaceProperties: {
          RunningMode: 'AUTO_STOP',
          RunningModeAutoStopTimeoutInMinutes: '120',
          ComputeTypeName: 'PERFORMANCE',
          RootVolumeSizeGib: '175',
          UserVolumeSizeGib: 100,
          Protocols: ['WSP'],
        },
        TimeoutSeconds: '5400',
      },
    }, deps(0));

    expect(result).toEqual({ PhysicalResourceId: WORKSPACE_ID, Data: { StartedAt: STARTED_AT } });
    expect(workspaces).toHaveReceivedCommandWith(DescribeWorkspacesCommand, { DirectoryId: 'd-1234567890', UserName: 'alice' });
    expect(workspaces).toHaveReceivedCommandTimes(CreateWorkspacesCommand, 1);
    expect(workspaces).toHaveReceivedCommandWith(CreateWorkspacesCommand, {
      Workspaces: [{
        DirectoryId: 'd-1234567890',
        UserName: 'alice',
        BundleId: 'wsb-12345678',
        RootVolumeEncryptionEnabled: true,
        VolumeEncryptionKey: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        WorkspaceProperties: {
          RunningMode: 'AUTO_STOP',
          RunningModeAutoStopTimeoutInMinutes: 120,
          ComputeTypeName: 'PERFORMANCE',
          RootVolumeSizeGib: 175,
          UserVolumeSizeGib: 100,
          Protocols: ['WSP'],
        },
        Tags: [{ Key: 'team', Value: 'desk' }, { Key: 'cdk-workspaces:owner', Value: OWNER }],
      }],
    });
  });

  test('sends no WorkspaceProperties and no encryption flags when none are declared', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [] });
    workspaces.on(CreateWorkspacesCommand).resolves({ PendingRequests: [{ WorkspaceId: WORKSPACE_ID }] });

    await onEvent(CREATE, deps());

    const request = workspaces.commandCalls(CreateWorkspacesCommand)[0].args[0].input.Workspaces![0];
    expect(Object.keys(request).sort()).toEqual(['BundleId', 'DirectoryId', 'Tags', 'UserName']);
  });

  test('fails with the ErrorCode and ErrorMessage of a refused request', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [] });
    workspaces.on(CreateWorkspacesCommand).resolves({
      FailedRequests: [{ ErrorCode: 'ResourceLimitExceeded.WorkSpaces', ErrorMessage: 'You have reached the limit of WorkSpaces.' }],
      PendingRequests: [],
    });

    await expect(onEvent(CREATE, deps())).rejects.toThrow(
      /alice.*d-1234567890.*ResourceLimitExceeded\.WorkSpaces: You have reached the limit of WorkSpaces\./);
  });

  test('adopts the WorkSpace that an earlier attempt of this resource created, without creating another', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [{ WorkspaceId: WORKSPACE_ID, State: 'PENDING' }] });
    workspaces.on(DescribeTagsCommand, { ResourceId: WORKSPACE_ID }).resolves({
      TagList: [{ Key: 'team', Value: 'desk' }, { Key: 'cdk-workspaces:owner', Value: OWNER }],
    });

    const result = await onEvent(CREATE, deps());

    expect(result.PhysicalResourceId).toBe(WORKSPACE_ID);
    expectNothingChanged();
  });

  test('fails naming the WorkSpace, the user and the directory when the user already has a WorkSpace this stack does not manage', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [{ WorkspaceId: 'ws-f0re1gn00', State: 'AVAILABLE' }] });
    workspaces.on(DescribeTagsCommand).resolves({ TagList: [{ Key: 'team', Value: 'someone-else' }] });

    const error = await onEvent(CREATE, deps()).catch((e: Error) => e);

    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/ws-f0re1gn00/);
    expect((error as Error).message).toMatch(/"alice"/);
    expect((error as Error).message).toMatch(/d-1234567890/);
    expect((error as Error).message).toMatch(/managed by no cdk-workspaces resource.*set adoptExisting: true/);
    expectNothingChanged();
  });

  test('does not adopt a WorkSpace owned by another resource of the same stack, and names its logical id', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [{ WorkspaceId: 'ws-0ther0000', State: 'AVAILABLE' }] });
    workspaces.on(DescribeTagsCommand).resolves({
      TagList: [{ Key: 'cdk-workspaces:owner', Value: ownershipMarking(STACK_ID, 'OtherDesk', 'another-request', 'created') }],
    });

    await expect(onEvent(CREATE, deps())).rejects.toThrow(/ws-0ther0000.*another construct of this stack, logical id OtherDesk,/);
    expectNothingChanged();
  });

  test('ignores a TERMINATED WorkSpace of the same user and creates a new one', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [{ WorkspaceId: 'ws-0ld000000', State: 'TERMINATED' }] });
    workspaces.on(CreateWorkspacesCommand).resolves({ PendingRequests: [{ WorkspaceId: WORKSPACE_ID }] });

    const result = await onEvent(CREATE, deps());

    expect(result.PhysicalResourceId).toBe(WORKSPACE_ID);
    expect(workspaces).not.toHaveReceivedCommand(DescribeTagsCommand);
  });

  test('fails naming BundleId when a hand-written template has a bad bundle id, before any call', async () => {
    await expect(onEvent({ ...CREATE, ResourceProperties: { ...PROPS, BundleId: 'bundle-1' } }, deps()))
      .rejects.toThrow(/BundleId "bundle-1".*wsb-/);
    expect(workspaces.calls()).toHaveLength(0);
  });

  test('fails naming the property when a hand-written template has an unknown property', async () => {
    await expect(onEvent({ ...CREATE, ResourceProperties: { ...PROPS, WorkspaceProperties: { RunningMod: 'AUTO_STOP' } } }, deps()))
      .rejects.toThrow(/WorkspaceProperties\.RunningMod\b/);
    expect(workspaces.calls()).toHaveLength(0);
  });

  test('logs the event without its ResponseURL', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [] });
    workspaces.on(CreateWorkspacesCommand).resolves({ PendingRequests: [{ WorkspaceId: WORKSPACE_ID }] });
    const lines: string[] = [];

    await onEvent(CREATE, deps(0, (line) => lines.push(line)));

    const log = lines.join('\n');
    expect(log).toContain('AliceDesk1A2B3C4D');
    expect(log).not.toContain('X-Amz-Signature');
    expect(log).not.toContain('SECRET');
  });

  test('the Lambda entrypoint creates through the default client', async () => {
    process.env.AWS_REGION ??= 'eu-west-1';
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [] });
    workspaces.on(CreateWorkspacesCommand).resolves({ PendingRequests: [{ WorkspaceId: WORKSPACE_ID }] });
    jest.spyOn(console, 'log').mockImplementation(() => {});

    const result = await handler(CREATE);

    expect(result.PhysicalResourceId).toBe(WORKSPACE_ID);
    expect(Date.parse(result.Data.StartedAt)).not.toBeNaN();
    expect(workspaces).toHaveReceivedCommandTimes(CreateWorkspacesCommand, 1);
  });
});

describe('Create while the WorkSpace an earlier attempt requested is still invisible', () => {
  const EXISTS = { FailedRequests: [{ ErrorCode: 'ResourceExists.WorkSpace', ErrorMessage: 'The user already has a WorkSpace.' }] };
  const byUser = { DirectoryId: 'd-1234567890', UserName: 'alice' };

  test('looks again after ResourceExists.WorkSpace and adopts the WorkSpace once it is visible with this resource\'s tag', async () => {
    workspaces.on(DescribeWorkspacesCommand, byUser)
      .resolvesOnce({ Workspaces: [] })
      .resolvesOnce({ Workspaces: [] })
      .resolves({ Workspaces: [{ WorkspaceId: WORKSPACE_ID, State: 'PENDING' }] });
    workspaces.on(CreateWorkspacesCommand).resolves(EXISTS);
    workspaces.on(DescribeTagsCommand, { ResourceId: WORKSPACE_ID }).resolves({ TagList: [{ Key: 'cdk-workspaces:owner', Value: OWNER }] });
    const d = depsWithWaits();

    const result = await onEvent(CREATE, d);

    expect(result.PhysicalResourceId).toBe(WORKSPACE_ID);
    expect(workspaces).toHaveReceivedCommandTimes(CreateWorkspacesCommand, 1);
    expect(d.waits).toEqual(LOOK_AGAIN_DELAYS_MS.slice(0, 2));
    expect(d.lines.some((l) => l.includes(`Adopting ${WORKSPACE_ID}`))).toBe(true);
  });

  test('fails as foreign when the WorkSpace that appears is not this resource\'s', async () => {
    workspaces.on(DescribeWorkspacesCommand, byUser)
      .resolvesOnce({ Workspaces: [] })
      .resolves({ Workspaces: [{ WorkspaceId: 'ws-f0re1gn00', State: 'AVAILABLE' }] });
    workspaces.on(CreateWorkspacesCommand).resolves(EXISTS);
    workspaces.on(DescribeTagsCommand).resolves({ TagList: [] });

    await expect(onEvent(CREATE, depsWithWaits())).rejects.toThrow(/WorkSpace ws-f0re1gn00 of user "alice".*managed by no cdk-workspaces resource/);
    expect(workspaces).toHaveReceivedCommandTimes(CreateWorkspacesCommand, 1);
  });

  test('fails clearly after a bounded wait when the WorkSpace stays invisible, and never creates twice', async () => {
    workspaces.on(DescribeWorkspacesCommand, byUser).resolves({ Workspaces: [] });
    workspaces.on(CreateWorkspacesCommand).resolves(EXISTS);
    const d = depsWithWaits();

    const error = await onEvent(CREATE, d).catch((e: Error) => e);

    expect((error as Error).message).toBe('CreateWorkspaces answered ResourceExists.WorkSpace: user "alice" already has a WorkSpace '
      + 'in directory d-1234567890, but DescribeWorkspaces does not show it yet (a WorkSpace requested moments ago, perhaps by an '
      + 'earlier attempt of this same deployment, is invisible for a while). No WorkSpace was created. Look at it in a few '
      + 'minutes: if its ownership tag names this resource, deploy again with adoptExisting: true to take it over, or terminate it.');
    expect(workspaces).toHaveReceivedCommandTimes(CreateWorkspacesCommand, 1);
    expect(d.waits).toEqual(LOOK_AGAIN_DELAYS_MS);
    expect(d.waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(90_000);
  });

  test('waits no longer than the invocation\'s remaining time allows, keeping a minute in reserve', async () => {
    workspaces.on(DescribeWorkspacesCommand, byUser).resolves({ Workspaces: [] });
    workspaces.on(CreateWorkspacesCommand).resolves(EXISTS);
    const d = depsWithWaits(60, 70_000);

    await expect(onEvent(CREATE, d)).rejects.toThrow(/does not show it yet/);
    expect(d.waits).toEqual([1_000, 2_000, 4_000]);
  });

  test('a temporary error of a look is waited out, not a failure', async () => {
    workspaces.on(DescribeWorkspacesCommand, byUser)
      .resolvesOnce({ Workspaces: [] })
      .rejectsOnce(throttled())
      .resolves({ Workspaces: [{ WorkspaceId: WORKSPACE_ID, State: 'PENDING' }] });
    workspaces.on(CreateWorkspacesCommand).resolves(EXISTS);
    workspaces.on(DescribeTagsCommand).resolves({ TagList: [{ Key: 'cdk-workspaces:owner', Value: OWNER }] });

    await expect(onEvent(CREATE, depsWithWaits())).resolves.toMatchObject({ PhysicalResourceId: WORKSPACE_ID });
  });

  test('a CreateWorkspaces that failed with a server error may have created the WorkSpace: it is looked for and adopted', async () => {
    workspaces.on(DescribeWorkspacesCommand, byUser)
      .resolvesOnce({ Workspaces: [] })
      .resolves({ Workspaces: [{ WorkspaceId: WORKSPACE_ID, State: 'PENDING' }] });
    workspaces.on(CreateWorkspacesCommand).rejects(serverError(500));
    workspaces.on(DescribeTagsCommand).resolves({ TagList: [{ Key: 'cdk-workspaces:owner', Value: OWNER }] });

    await expect(onEvent(CREATE, depsWithWaits())).resolves.toMatchObject({ PhysicalResourceId: WORKSPACE_ID });
    expect(workspaces).toHaveReceivedCommandTimes(CreateWorkspacesCommand, 1);
  });

  test('a CreateWorkspaces that failed with a server error and created nothing fails naming the call, the user and that it is temporary', async () => {
    workspaces.on(DescribeWorkspacesCommand, byUser).resolves({ Workspaces: [] });
    workspaces.on(CreateWorkspacesCommand).rejects(serverError(503));

    await expect(onEvent(CREATE, depsWithWaits())).rejects.toThrow(
      'CreateWorkspaces for user "alice" in directory d-1234567890 failed: ServiceUnavailable: Service is unavailable, try again. '
      + 'This error is temporary');
    expect(workspaces).toHaveReceivedCommandTimes(CreateWorkspacesCommand, 1);
  });
});

describe('the Lambda entrypoint', () => {
  test('bounds the wait for an invisible WorkSpace by the invocation\'s remaining time', async () => {
    process.env.AWS_REGION ??= 'eu-west-1';
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [] });
    workspaces.on(CreateWorkspacesCommand).resolves({ FailedRequests: [{ ErrorCode: 'ResourceExists.WorkSpace', ErrorMessage: 'exists' }] });
    jest.spyOn(console, 'log').mockImplementation(() => {});
    const started = Date.now();

    // 60.5 s left: less than the first wait plus the minute kept in reserve, so no wait at all.
    await expect(handler(CREATE, { getRemainingTimeInMillis: () => 60_500 })).rejects.toThrow(/does not show it yet/);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(workspaces).toHaveReceivedCommandTimes(DescribeWorkspacesCommand, 1);
  });
});

describe('temporary errors in onEvent', () => {
  test('a throttled lookup fails the Create, naming the call, the user and the directory', async () => {
    workspaces.on(DescribeWorkspacesCommand).rejects(throttled());

    const error = await onEvent(CREATE, deps()).catch((e: Error) => e);

    expect((error as Error).message).toBe('DescribeWorkspaces for user "alice" in directory d-1234567890 failed: '
      + 'ThrottlingException: Rate exceeded. This error is temporary (throttling or a service-side failure) and outlasted '
      + 'the SDK\'s own retries. Try the deployment again.');
    expectNothingChanged();
  });

  test('a server error of the termination fails the Delete, naming the call and the WorkSpace', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [EXISTING] });
    workspaces.on(DescribeTagsCommand).resolves({ TagList: [{ Key: 'cdk-workspaces:owner', Value: OWNER }] });
    workspaces.on(TerminateWorkspacesCommand).rejects(serverError(500));

    await expect(onEvent(DELETE, deps())).rejects.toThrow(
      /^TerminateWorkspaces for WorkSpace ws-abc12345 failed: InternalFailure: .*This error is temporary/);
  });

  test('any other error keeps its own message', async () => {
    workspaces.on(DescribeWorkspacesCommand).rejects(Object.assign(new Error('User: x is not authorized'), { name: 'AccessDeniedException' }));

    await expect(onEvent(CREATE, deps())).rejects.toThrow(
      /^DescribeWorkspaces for user "alice" in directory d-1234567890 failed: AccessDeniedException: User: x is not authorized$/);
  });
});

describe('Update', () => {
  test('in place: returns the same id and leaves the changes to isComplete', async () => {
    const result = await onEvent({
      ...UPDATE,
      ResourceProperties: { ...PROPS, WorkspaceProperties: { RunningMode: 'ALWAYS_ON' }, Tags: [{ Key: 'team', Value: 'ops' }] },
    }, deps(0));

    expect(result).toEqual({ PhysicalResourceId: WORKSPACE_ID, Data: { StartedAt: STARTED_AT } });
    expect(workspaces.calls()).toHaveLength(0);
  });

  test('a new bundle for another user creates a new WorkSpace and returns its id, leaving the old one to the Delete', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [] });
    workspaces.on(CreateWorkspacesCommand).resolves({ PendingRequests: [{ WorkspaceId: NEW_WORKSPACE_ID }] });

    const result = await onEvent({ ...UPDATE, ResourceProperties: { ...PROPS, BundleId: 'wsb-87654321', UserName: 'bob' } }, deps());

    expect(result.PhysicalResourceId).toBe(NEW_WORKSPACE_ID);
    expect(workspaces).toHaveReceivedCommandWith(DescribeWorkspacesCommand, { DirectoryId: 'd-1234567890', UserName: 'bob' });
    expect(workspaces).toHaveReceivedCommandWith(CreateWorkspacesCommand, {
      Workspaces: [expect.objectContaining({ UserName: 'bob', BundleId: 'wsb-87654321' })],
    });
    expect(workspaces).not.toHaveReceivedCommand(TerminateWorkspacesCommand);
  });

  test('with bundleChange REFUSE, a new bundle for the same user fails before any change, saying why and what to do', async () => {
    workspaces.on(DescribeWorkspacesCommand, { WorkspaceIds: [WORKSPACE_ID] }).resolves({ Workspaces: [EXISTING] });

    const error = await onEvent({ ...UPDATE, ResourceProperties: { ...PROPS, BundleId: 'wsb-87654321', BundleChange: 'REFUSE' } }, deps())
      .catch((e: Error) => e);

    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/BundleId/);
    expect(message).toMatch(/ws-abc12345/);
    expect(message).toMatch(/only one WorkSpace per directory/);
    expect(message).toMatch(/remove the Workspace from the app/);
    expect(message).toMatch(/bundleChange to BundleChange\.MIGRATE/);
    expectNothingChanged();
  });

  test('turning on volume encryption for the same user fails before any change, naming the property', async () => {
    workspaces.on(DescribeWorkspacesCommand, { WorkspaceIds: [WORKSPACE_ID] }).resolves({ Workspaces: [EXISTING] });

    await expect(onEvent({ ...UPDATE, ResourceProperties: { ...PROPS, UserVolumeEncryptionEnabled: 'true' } }, deps()))
      .rejects.toThrow(/UserVolumeEncryptionEnabled.*only one WorkSpace per directory/);
    expectNothingChanged();
  });

  test('a same-user bundle change is refused also when the WorkSpace is no longer described', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [] });

    await expect(onEvent({ ...UPDATE, ResourceProperties: { ...PROPS, BundleId: 'wsb-87654321' } }, deps()))
      .rejects.toThrow(/Cannot change BundleId of WorkSpace ws-abc12345/);
    expectNothingChanged();
  });

  test('the rollback of a refused bundle change (old and new swapped) is in place: the WorkSpace already has that bundle', async () => {
    // The refused Update asked for wsb-87654321; CloudFormation rolls back with an Update from
    // those properties back to the WorkSpace's real ones.
    workspaces.on(DescribeWorkspacesCommand, { WorkspaceIds: [WORKSPACE_ID] }).resolves({ Workspaces: [EXISTING] });
    const lines: string[] = [];

    const result = await onEvent({ ...UPDATE, OldResourceProperties: { ...PROPS, BundleId: 'wsb-87654321' } }, deps(0, (l) => lines.push(l)));

    expect(result).toEqual({ PhysicalResourceId: WORKSPACE_ID, Data: { StartedAt: STARTED_AT } });
    expectNothingChanged();
    expect(lines).toContain(`Update of ${WORKSPACE_ID} is in place: the WorkSpace already has the BundleId asked for `
      + '(a rollback to what it is); isComplete applies the other changes');
  });

  test('the rollback of a refused encryption change is in place when the WorkSpace has the encryption asked for', async () => {
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    workspaces.on(DescribeWorkspacesCommand, { WorkspaceIds: [WORKSPACE_ID] }).resolves({
      Workspaces: [{ ...EXISTING, UserName: 'Alice', RootVolumeEncryptionEnabled: true, VolumeEncryptionKey: key }],
    });
    const desired = { ...PROPS, RootVolumeEncryptionEnabled: 'true', VolumeEncryptionKey: key };

    await expect(onEvent({ ...UPDATE, ResourceProperties: desired, OldResourceProperties: PROPS }, deps()))
      .resolves.toMatchObject({ PhysicalResourceId: WORKSPACE_ID });
    // With another key, it is a real change again.
    await expect(onEvent({ ...UPDATE, ResourceProperties: { ...desired, VolumeEncryptionKey: `${key}0` }, OldResourceProperties: PROPS }, deps()))
      .rejects.toThrow(/Cannot change RootVolumeEncryptionEnabled and VolumeEncryptionKey/);
    expectNothingChanged();
  });
});

describe('Delete', () => {
  beforeEach(() => {
    // A WorkSpace that this resource created, as every Delete here but the ownership tests finds it.
    workspaces.on(DescribeTagsCommand).resolves({ TagList: [{ Key: 'cdk-workspaces:owner', Value: OWNER }] });
  });

  test('of a Create that failed (no WorkSpace id) is done without any call', async () => {
    const id = '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef';

    const result = await onEvent({ ...DELETE, PhysicalResourceId: id }, deps());

    expect(result.PhysicalResourceId).toBe(id);
    expect(workspaces.calls()).toHaveLength(0);
  });

  test('of a WorkSpace that is not described still requests its termination, since it may not be visible yet', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [] });
    workspaces.on(TerminateWorkspacesCommand).resolves({ FailedRequests: [] });

    const result = await onEvent(DELETE, deps());

    expect(result.PhysicalResourceId).toBe(WORKSPACE_ID);
    expect(workspaces).toHaveReceivedCommandWith(TerminateWorkspacesCommand, { TerminateWorkspaceRequests: [{ WorkspaceId: WORKSPACE_ID }] });
  });

  test.each([
    ['ResourceNotFound.Workspace', 'The WorkSpace does not exist.'],
    ['400', 'Unknown WorkSpace'], // moto's answer for an unknown id
  ])('of a WorkSpace that is not described accepts a %s refusal of the termination as gone', async (ErrorCode, ErrorMessage) => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [] });
    workspaces.on(TerminateWorkspacesCommand).resolves({ FailedRequests: [{ WorkspaceId: WORKSPACE_ID, ErrorCode, ErrorMessage }] });

    await expect(onEvent(DELETE, deps())).resolves.toMatchObject({ PhysicalResourceId: WORKSPACE_ID });
  });

  test('of a WorkSpace that is described as TERMINATED does not terminate it again', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [{ WorkspaceId: WORKSPACE_ID, State: 'TERMINATED' }] });

    await expect(onEvent(DELETE, deps())).resolves.toMatchObject({ PhysicalResourceId: WORKSPACE_ID });
    expect(workspaces).not.toHaveReceivedCommand(TerminateWorkspacesCommand);
  });

  test('requests termination of an AVAILABLE WorkSpace', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [{ WorkspaceId: WORKSPACE_ID, State: 'AVAILABLE' }] });
    workspaces.on(TerminateWorkspacesCommand).resolves({ FailedRequests: [] });

    await onEvent(DELETE, deps());

    expect(workspaces).toHaveReceivedCommandWith(TerminateWorkspacesCommand, { TerminateWorkspaceRequests: [{ WorkspaceId: WORKSPACE_ID }] });
  });

  test('accepts a "not found" refusal of the termination as done', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [{ WorkspaceId: WORKSPACE_ID, State: 'AVAILABLE' }] });
    workspaces.on(TerminateWorkspacesCommand).resolves({
      FailedRequests: [{ WorkspaceId: WORKSPACE_ID, ErrorCode: 'ResourceNotFound.Workspace', ErrorMessage: 'gone' }],
    });

    await expect(onEvent(DELETE, deps())).resolves.toMatchObject({ PhysicalResourceId: WORKSPACE_ID });
  });

  test('accepts a "busy" refusal of the termination, to be retried by isComplete', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [{ WorkspaceId: WORKSPACE_ID, State: 'UPDATING' }] });
    workspaces.on(TerminateWorkspacesCommand).resolves({
      FailedRequests: [{ WorkspaceId: WORKSPACE_ID, ErrorCode: 'InvalidResourceStateException', ErrorMessage: 'busy' }],
    });

    await expect(onEvent(DELETE, deps())).resolves.toMatchObject({ PhysicalResourceId: WORKSPACE_ID });
  });

  test('fails with the service\'s code and message when the termination is refused for another reason', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [{ WorkspaceId: WORKSPACE_ID, State: 'AVAILABLE' }] });
    workspaces.on(TerminateWorkspacesCommand).resolves({
      FailedRequests: [{ WorkspaceId: WORKSPACE_ID, ErrorCode: 'AccessDenied', ErrorMessage: 'not allowed' }],
    });

    await expect(onEvent(DELETE, deps())).rejects.toThrow(/ws-abc12345.*AccessDenied: not allowed/);
  });

  test('of a SUSPENDED WorkSpace fails saying it cannot be terminated until resumed', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [{ WorkspaceId: WORKSPACE_ID, State: 'SUSPENDED' }] });

    await expect(onEvent(DELETE, deps())).rejects.toThrow(/ws-abc12345 is SUSPENDED.*cannot be terminated.*Resume it first/);
    expect(workspaces).not.toHaveReceivedCommand(TerminateWorkspacesCommand);
  });

  test('does not validate the properties, so that a Create that failed validation can be rolled back', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [] });
    workspaces.on(TerminateWorkspacesCommand).resolves({ FailedRequests: [] });

    await expect(onEvent({ ...DELETE, ResourceProperties: { ...PROPS, BundleId: 'nonsense' } }, deps()))
      .resolves.toMatchObject({ PhysicalResourceId: WORKSPACE_ID });
  });
});
