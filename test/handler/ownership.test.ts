import {
  CreateTagsCommand,
  CreateWorkspacesCommand,
  DeleteTagsCommand,
  DescribeTagsCommand,
  DescribeWorkspacesCommand,
  ModifyWorkspacePropertiesCommand,
  TerminateWorkspacesCommand,
  Workspace,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CREATE, DELETE, deps, LOGICAL_ID, NEW_WORKSPACE_ID, OWNER, polled, PROPS, REQUEST_ID, STACK_ID, UPDATE, WORKSPACE_ID, answerPreflight } from './events';
import { ownershipMarking, parseOwnership } from '../../lambda/core/ownership';
import { parseProperties } from '../../lambda/parse';
import { isComplete, onEvent } from '../../lambda/router';
import { OWNERSHIP_TAG_KEY } from '../../src/private/rules';

const workspaces = mockClient(WorkSpacesClient);

// Every Create passes the pre-flight (its own tests are in preflight.test.ts).
beforeEach(() => answerPreflight(workspaces));

afterEach(() => {
  workspaces.reset();
});

/** The user's WorkSpace, as DescribeWorkspaces reports it, with the declared immutable settings. */
const EXISTING: Workspace = {
  WorkspaceId: WORKSPACE_ID,
  DirectoryId: 'd-1234567890',
  UserName: 'alice',
  BundleId: 'wsb-12345678',
  State: 'AVAILABLE',
  WorkspaceProperties: { RunningMode: 'ALWAYS_ON', ComputeTypeName: 'STANDARD', RootVolumeSizeGib: 80, UserVolumeSizeGib: 50 },
};

const ADOPT = { ...CREATE, ResourceProperties: { ...PROPS, AdoptExisting: 'true' } };
/** This resource's marking from a Create of an earlier lifetime (another request). */
const EARLIER_LIFETIME = ownershipMarking(STACK_ID, LOGICAL_ID, 'earlier-request-0000', 'created');
const ANOTHER_STACK = ownershipMarking('arn:aws:cloudformation:eu-west-1:123456789012:stack/other/7e57ab1e-0000-4000-8000-000000000001',
  LOGICAL_ID, REQUEST_ID, 'created');
const ADOPTED_BY_THIS_REQUEST = ownershipMarking(STACK_ID, LOGICAL_ID, REQUEST_ID, 'adopted');

function existing(workspace: Workspace, tags: Record<string, string>): void {
  workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [workspace] });
  workspaces.on(DescribeTagsCommand).resolves({ TagList: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
}

/** Only reads were sent. */
function expectNothingChanged(): void {
  const sent = workspaces.calls().map((call) => call.args[0].constructor.name);
  expect(sent.filter((name) => !name.startsWith('Describe'))).toEqual([]);
}

describe('a Create that finds the user\'s WorkSpace', () => {
  test('takes the one an earlier attempt of this same request created (same RequestId), changing nothing', async () => {
    existing({ ...EXISTING, State: 'PENDING' }, { [OWNERSHIP_TAG_KEY]: OWNER });

    await expect(onEvent(CREATE, deps())).resolves.toMatchObject({ PhysicalResourceId: WORKSPACE_ID });
    expectNothingChanged();
  });

  test('takes the one an earlier attempt of this same request adopted, changing nothing', async () => {
    existing(EXISTING, { [OWNERSHIP_TAG_KEY]: ADOPTED_BY_THIS_REQUEST });

    await expect(onEvent(ADOPT, deps())).resolves.toMatchObject({ PhysicalResourceId: WORKSPACE_ID });
    expectNothingChanged();
  });

  test('never takes one left behind by an earlier lifetime of this resource without adoptExisting, and says so', async () => {
    existing(EXISTING, { [OWNERSHIP_TAG_KEY]: EARLIER_LIFETIME });

    const error = await onEvent(CREATE, deps()).catch((e: Error) => e);

    expect((error as Error).message).toMatch(
      /^WorkSpace ws-abc12345 of user "alice" in directory d-1234567890 already exists and is managed by this resource in an earlier lifetime \(request earlier-request-0000\).*set adoptExisting: true/);
    expectNothingChanged();
  });

  test('never takes an unmarked one without adoptExisting', async () => {
    existing(EXISTING, { owner: 'it-department' });

    await expect(onEvent(CREATE, deps())).rejects.toThrow(/ws-abc12345.*"alice".*d-1234567890.*managed by no cdk-workspaces resource.*adoptExisting/);
    expectNothingChanged();
  });

  test.each([
    ['unmarked', { owner: 'it-department' }],
    ['left behind by an earlier lifetime', { [OWNERSHIP_TAG_KEY]: EARLIER_LIFETIME }],
  ])('with adoptExisting adopts one %s: marks it with the ownership tag alone, as adopted by this request', async (_, tags) => {
    existing(EXISTING, tags);
    workspaces.on(CreateTagsCommand).resolves({});

    await expect(onEvent(ADOPT, deps())).resolves.toMatchObject({ PhysicalResourceId: WORKSPACE_ID });

    expect(workspaces).not.toHaveReceivedCommand(CreateWorkspacesCommand);
    expect(workspaces).toHaveReceivedCommandTimes(CreateTagsCommand, 1);
    expect(workspaces).toHaveReceivedCommandWith(CreateTagsCommand, {
      ResourceId: WORKSPACE_ID,
      Tags: [{ Key: OWNERSHIP_TAG_KEY, Value: ADOPTED_BY_THIS_REQUEST }],
    });
    expect(parseOwnership(ADOPTED_BY_THIS_REQUEST)).toEqual({ stack: '0b9f8a70-5e2d-11ef-9c4b-0a1b2c3d4e5f', resource: LOGICAL_ID, kind: 'adopted', request: REQUEST_ID });
  });

  test('with adoptExisting refuses one whose bundle and encryption differ, naming each difference, before any change', async () => {
    existing({ ...EXISTING, BundleId: 'wsb-99999999', UserVolumeEncryptionEnabled: true, VolumeEncryptionKey: 'arn:aws:kms:eu-west-1:123456789012:key/k' }, {});

    const error = await onEvent({ ...ADOPT, ResourceProperties: { ...ADOPT.ResourceProperties, RootVolumeEncryptionEnabled: 'true' } }, deps())
      .catch((e: Error) => e);

    const message = (error as Error).message;
    expect(message).toMatch(/^Cannot adopt WorkSpace ws-abc12345 of user "alice" in directory d-1234567890 \(adoptExisting\)/);
    expect(message).toContain('its bundle is "wsb-99999999", declared "wsb-12345678"');
    expect(message).toContain('its root volume encryption is false, declared true');
    expect(message).toContain('its user volume encryption is true, declared false');
    expect(message).toContain('its volume encryption key is "arn:aws:kms:eu-west-1:123456789012:key/k", declared none');
    expect(message).toContain('nothing was changed');
    expectNothingChanged();
  });

  test('with adoptExisting refuses one that another construct of this stack manages, naming its logical id', async () => {
    existing(EXISTING, { [OWNERSHIP_TAG_KEY]: ownershipMarking(STACK_ID, 'BobDesk0F0F0F0F', 'r-1', 'created') });

    await expect(onEvent(ADOPT, deps())).rejects.toThrow(
      /ws-abc12345.*managed by another construct of this stack, logical id BobDesk0F0F0F0F, not by this resource.*not even with adoptExisting/);
    expectNothingChanged();
  });

  test('with adoptExisting refuses one that another stack manages, naming that stack', async () => {
    existing(EXISTING, { [OWNERSHIP_TAG_KEY]: ANOTHER_STACK });

    const error = await onEvent(ADOPT, deps()).catch((e: Error) => e);

    expect((error as Error).message).toMatch(
      /ws-abc12345.*managed by a resource of another stack \(stack 7e57ab1e-0000-4000-8000-000000000001, logical id AliceDesk1A2B3C4D\)/);
    // What to do when that stack is gone but kept the WorkSpace.
    expect((error as Error).message).toContain('remove the WorkSpace\'s cdk-workspaces:owner tag, then deploy again with adoptExisting: true');
    expectNothingChanged();
  });

  test('with adoptExisting refuses one in ERROR, which could not reach the declared state', async () => {
    existing({ ...EXISTING, State: 'ERROR' }, {});

    await expect(onEvent(ADOPT, deps())).rejects.toThrow(/Cannot adopt WorkSpace ws-abc12345.*it is ERROR.*Nothing was changed/);
    expectNothingChanged();
  });

  test('a replacement (another user) with adoptExisting adopts that user\'s WorkSpace', async () => {
    existing({ ...EXISTING, WorkspaceId: NEW_WORKSPACE_ID, UserName: 'bob' }, {});
    workspaces.on(CreateTagsCommand).resolves({});

    const result = await onEvent({ ...UPDATE, ResourceProperties: { ...ADOPT.ResourceProperties, UserName: 'bob' } }, deps());

    expect(result.PhysicalResourceId).toBe(NEW_WORKSPACE_ID);
    expect(workspaces).not.toHaveReceivedCommand(CreateWorkspacesCommand);
    expect(workspaces).toHaveReceivedCommandWith(CreateTagsCommand, {
      ResourceId: NEW_WORKSPACE_ID,
      Tags: [{ Key: OWNERSHIP_TAG_KEY, Value: ADOPTED_BY_THIS_REQUEST }],
    });
  });

  test('the rollback of a failed replacement (an Update back to the current user) keeps the current WorkSpace, changing nothing', async () => {
    existing({ ...EXISTING, UserName: 'bob' }, { [OWNERSHIP_TAG_KEY]: EARLIER_LIFETIME });

    const result = await onEvent({
      ...UPDATE,
      ResourceProperties: { ...PROPS, UserName: 'bob' },
      OldResourceProperties: { ...PROPS, UserName: 'alice', AdoptExisting: 'true' },
    }, deps());

    expect(result.PhysicalResourceId).toBe(WORKSPACE_ID);
    expectNothingChanged();
  });

  test('a Create without a RequestId fails before any call: its marking could not tell its retries from an earlier lifetime', async () => {
    await expect(onEvent({ ...CREATE, RequestId: undefined }, deps())).rejects.toThrow(/Create request without a RequestId/);
    expect(workspaces.calls()).toHaveLength(0);
  });
});

describe('the rollback\'s Delete', () => {
  test('terminates a WorkSpace that this resource created', async () => {
    existing(EXISTING, { [OWNERSHIP_TAG_KEY]: OWNER });
    workspaces.on(TerminateWorkspacesCommand).resolves({ FailedRequests: [] });

    await onEvent(DELETE, deps());

    expect(workspaces).toHaveReceivedCommandWith(TerminateWorkspacesCommand, { TerminateWorkspaceRequests: [{ WorkspaceId: WORKSPACE_ID }] });
  });

  test('of an adopting Create releases the WorkSpace: removes the ownership tag alone and never terminates it', async () => {
    existing(EXISTING, { [OWNERSHIP_TAG_KEY]: ADOPTED_BY_THIS_REQUEST, team: 'desk', owner: 'it-department' });
    workspaces.on(DeleteTagsCommand).resolves({});

    const rollback = { ...DELETE, ResourceProperties: ADOPT.ResourceProperties };

    await expect(onEvent(rollback, deps())).resolves.toMatchObject({ PhysicalResourceId: WORKSPACE_ID });

    expect(workspaces).toHaveReceivedCommandWith(DeleteTagsCommand, { ResourceId: WORKSPACE_ID, TagKeys: [OWNERSHIP_TAG_KEY] });
    expect(workspaces).toHaveReceivedCommandTimes(DeleteTagsCommand, 1);
    expect(workspaces).not.toHaveReceivedCommand(TerminateWorkspacesCommand);
  });

  test('then completes without terminating the released WorkSpace', async () => {
    existing(EXISTING, { team: 'desk', owner: 'it-department' });

    await expect(isComplete(polled(DELETE), deps())).resolves.toEqual({ IsComplete: true });
    expect(workspaces).not.toHaveReceivedCommand(TerminateWorkspacesCommand);
    expectNothingChanged();
  });

  test.each([
    ['unmarked', {}],
    ['managed by another construct of this stack', { [OWNERSHIP_TAG_KEY]: ownershipMarking(STACK_ID, 'BobDesk0F0F0F0F', 'r-1', 'created') }],
    ['managed by another stack', { [OWNERSHIP_TAG_KEY]: ANOTHER_STACK }],
  ])('leaves a WorkSpace %s alone', async (_, tags) => {
    existing(EXISTING, tags);

    await expect(onEvent(DELETE, deps())).resolves.toMatchObject({ PhysicalResourceId: WORKSPACE_ID });
    await expect(isComplete(polled(DELETE), deps())).resolves.toEqual({ IsComplete: true });
    expectNothingChanged();
  });
});

describe('user names compare without case', () => {
  test('a change of only the case of UserName is in place: same WorkSpace, no call', async () => {
    const result = await onEvent({ ...UPDATE, ResourceProperties: { ...PROPS, UserName: 'ALICE' } }, deps());

    expect(result.PhysicalResourceId).toBe(WORKSPACE_ID);
    expect(workspaces.calls()).toHaveLength(0);
  });

  test('and isComplete applies the tag removals of the same deployment, as for any in-place update', async () => {
    existing(EXISTING, { [OWNERSHIP_TAG_KEY]: OWNER, team: 'desk', cost: 'cc-1' });
    workspaces.on(DeleteTagsCommand).resolves({});
    const event = {
      ...UPDATE,
      ResourceProperties: { ...PROPS, UserName: 'ALICE' },
      OldResourceProperties: { ...PROPS, Tags: [{ Key: 'team', Value: 'desk' }, { Key: 'cost', Value: 'cc-1' }] },
    };

    await expect(isComplete(polled(event), deps())).resolves.toEqual({ IsComplete: false });

    expect(workspaces).toHaveReceivedCommandWith(DeleteTagsCommand, { ResourceId: WORKSPACE_ID, TagKeys: ['cost'] });
    expect(workspaces).not.toHaveReceivedCommand(ModifyWorkspacePropertiesCommand);
  });

  test('and the rollback of that change (the case back) is in place too', async () => {
    const result = await onEvent({
      ...UPDATE,
      ResourceProperties: PROPS,
      OldResourceProperties: { ...PROPS, UserName: 'ALICE' },
    }, deps());

    expect(result.PhysicalResourceId).toBe(WORKSPACE_ID);
    expect(workspaces.calls()).toHaveLength(0);
  });
});

test('a declared tag may not be the ownership tag in any case: isComplete\'s role is denied any change of it', () => {
  expect(() => parseProperties({ ...PROPS, Tags: [{ Key: 'CDK-Workspaces:Owner', Value: 'x' }] }))
    .toThrow(/Invalid Tags\[0\]\.Key "CDK-Workspaces:Owner": this tag key is reserved by cdk-workspaces, in any case/);
});
