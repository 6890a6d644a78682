import {
  CreateWorkspacesCommand,
  DescribeWorkspacesCommand,
  TerminateWorkspacesCommand,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { Pacer, WorkspacesApi } from '../../lambda/api';
import { PollBudget, rotated } from '../../lambda/resources/fleet/fleet-budget';
import { parseFleetProperties } from '../../lambda/resources/fleet/fleet-properties';

const workspaces = mockClient(WorkSpacesClient);
const api = new WorkspacesApi(new WorkSpacesClient({ region: 'us-east-1' }));
const DIRECTORY_ID = 'd-1234567890';
const ids = (n: number) => Array.from({ length: n }, (_, i) => `ws-${String(i).padStart(8, '0')}`);

beforeEach(() => workspaces.reset());

describe('the API layer batches', () => {
  test('CreateWorkspaces: 60 requests in calls of 25, 25 and 10, one outcome per request in order', async () => {
    workspaces.on(CreateWorkspacesCommand).callsFake((input) => ({
      PendingRequests: input.Workspaces.filter((w: any) => w.UserName !== 'u7').map((w: any) => ({ UserName: w.UserName, WorkspaceId: `ws-${w.UserName}aaaaaaa` })),
      FailedRequests: input.Workspaces.filter((w: any) => w.UserName === 'u7')
        .map((w: any) => ({ WorkspaceRequest: w, ErrorCode: 'ResourceNotFound.User', ErrorMessage: 'no such user' })),
    }));
    const requests = Array.from({ length: 60 }, (_, i) => ({ DirectoryId: DIRECTORY_ID, BundleId: 'wsb-12345678', UserName: `u${i}` }));
    const outcomes = await api.createMany(requests);
    expect(workspaces.commandCalls(CreateWorkspacesCommand).map((c) => c.args[0].input.Workspaces!.length)).toEqual([25, 25, 10]);
    expect(outcomes).toHaveLength(60);
    expect(outcomes[8]).toMatchObject({ request: requests[8], workspaceId: 'ws-u8aaaaaaa' });
    expect(outcomes[7]).toMatchObject({ request: requests[7], errorCode: 'ResourceNotFound.User', errorMessage: 'no such user' });
  });

  test('DescribeWorkspaces: 30 ids in calls of 25 and 5; an id not described is absent', async () => {
    workspaces.on(DescribeWorkspacesCommand).callsFake((input) => ({
      Workspaces: input.WorkspaceIds.filter((id: string) => id !== ids(30)[3]).map((id: string) => ({ WorkspaceId: id, State: 'AVAILABLE' })),
    }));
    const found = await api.describeMany(ids(30));
    expect(workspaces.commandCalls(DescribeWorkspacesCommand).map((c) => c.args[0].input.WorkspaceIds!.length)).toEqual([25, 5]);
    expect(found.size).toBe(29);
    expect(found.has(ids(30)[3])).toBe(false);
  });

  test('DescribeWorkspaces by directory: every page', async () => {
    workspaces.on(DescribeWorkspacesCommand, { DirectoryId: DIRECTORY_ID })
      .resolvesOnce({ Workspaces: [{ WorkspaceId: 'ws-aaaaaaaa' }], NextToken: 'next' })
      .resolvesOnce({ Workspaces: [{ WorkspaceId: 'ws-bbbbbbbb' }] });
    const pages: number[] = [];
    const listing = await api.listDirectory(DIRECTORY_ID, (n) => pages.push(n));
    expect(listing.map((w) => w.WorkspaceId)).toEqual(['ws-aaaaaaaa', 'ws-bbbbbbbb']);
    expect(pages).toEqual([1, 2]);
  });

  test('TerminateWorkspaces: 30 in calls of 25 and 5, each call paced; busy and not-found are outcomes, not errors', async () => {
    workspaces.on(TerminateWorkspacesCommand).callsFake((input) => ({
      FailedRequests: input.TerminateWorkspaceRequests
        .filter((r: any) => r.WorkspaceId === ids(30)[0] || r.WorkspaceId === ids(30)[26])
        .map((r: any) => ({ WorkspaceId: r.WorkspaceId, ErrorCode: r.WorkspaceId === ids(30)[0] ? 'ResourceNotFound.Workspace' : 'OperationInProgressException' })),
    }));
    let clock = 0;
    const waits: number[] = [];
    const pacer = new Pacer(0.5, () => clock, async (ms) => { waits.push(ms); clock += ms; });
    const outcomes = await api.terminateMany(ids(30), pacer, 'a test');
    expect(workspaces.commandCalls(TerminateWorkspacesCommand).map((c) => c.args[0].input.TerminateWorkspaceRequests!.length)).toEqual([25, 5]);
    expect(outcomes[0]).toBe('not-found');
    expect(outcomes[26]).toBe('busy');
    expect(outcomes.filter((o) => o === 'requested')).toHaveLength(28);
    // The second call waited its turn: 2 s at half a request per second.
    expect(waits).toEqual([2000]);
  });
});

describe('Pacer', () => {
  test('spaces calls 1/rate apart and does not bank the time it was idle beyond one call', async () => {
    let clock = 1_000;
    const sleeps: number[] = [];
    const pacer = new Pacer(4, () => clock, async (ms) => { sleeps.push(ms); clock += ms; });
    for (let i = 0; i < 5; i++) await pacer.take();
    expect(sleeps).toEqual([250, 250, 250, 250]);
    clock += 10_000;
    await pacer.take();
    await pacer.take();
    expect(sleeps).toEqual([250, 250, 250, 250, 250]);
  });

  test('refuses a rate of 0', () => {
    expect(() => new Pacer(0)).toThrow(/more than 0/);
  });
});

describe('a poll\'s budget', () => {
  test('stops at two minutes of work, or earlier when less than a minute of the invocation is left', () => {
    let remaining = 300_000;
    let now = 0;
    const budget = new PollBudget({ remainingMs: () => remaining, now: () => new Date(now) });
    expect(budget.allows(500)).toBe(true);
    remaining -= 119_000;
    expect(budget.allows(500)).toBe(true);
    expect(budget.allows(1_500)).toBe(false);
    expect(budget.stopped).toBe('budget');

    // A poll that began with 80 s left: 20 s of work, whatever its own budget.
    remaining = 80_000;
    const late = new PollBudget({ remainingMs: () => remaining, now: () => new Date(now) });
    expect(late.allows(500)).toBe(true);
    remaining -= 19_600;
    expect(late.allows(500)).toBe(false);
    expect(late.stopped).toBe('deadline');

    // Outside Lambda the context does not run down: the clock bounds the work.
    const scripted = new PollBudget({ remainingMs: () => 300_000, now: () => new Date(now) });
    now += 120_000;
    expect(scripted.allows(1)).toBe(false);
  });

  test('the reads go on from where the last poll stopped, round the list', () => {
    expect(rotated(5, 3)).toEqual([3, 4, 0, 1, 2]);
    expect(rotated(5, 7)).toEqual([2, 3, 4, 0, 1]);
    expect(rotated(0, 3)).toEqual([]);
  });
});

describe('the fleet\'s properties', () => {
  const base = {
    DirectoryId: DIRECTORY_ID,
    BundleId: 'wsb-12345678',
    WorkspaceProperties: { RunningMode: 'AUTO_STOP', RunningModeAutoStopTimeoutInMinutes: '120', ComputeTypeName: 'STANDARD' },
    Tags: [{ Key: 'team', Value: 'desk' }, { Key: 'cost', Value: 'a' }],
  };

  test('each user is the fleet\'s settings with their own on top', () => {
    const spec = parseFleetProperties({
      ...base,
      Users: [
        { UserName: 'alice' },
        { UserName: 'bob', WorkspaceProperties: { RunningMode: 'ALWAYS_ON' }, Tags: [{ Key: 'cost', Value: 'b' }] },
      ],
    });
    const [alice, bob] = spec.desired('wsb-12345678');
    expect(alice.properties).toEqual({ runningMode: 'AUTO_STOP', runningModeAutoStopTimeoutInMinutes: 120, computeTypeName: 'STANDARD' });
    // Another running mode drops the fleet's AUTO_STOP timeout, which means nothing with it.
    expect(bob.properties).toEqual({ runningMode: 'ALWAYS_ON', computeTypeName: 'STANDARD' });
    expect(bob.tags).toEqual([{ Key: 'team', Value: 'desk' }, { Key: 'cost', Value: 'b' }]);
    expect(spec).toMatchObject({
      removalPolicy: 'RETAIN_ON_UPDATE_OR_DELETE', requestsPerSecond: 2, userNames: ['alice', 'bob'], bundleChange: 'MIGRATE', migrationBatchSize: 5,
    });
  });

  test.each<[string, object, RegExp]>([
    ['a user twice, without case', { Users: [{ UserName: 'alice' }, { UserName: 'Alice' }] }, /Invalid Users\[1\]\.UserName "Alice": the user is declared twice \(also Users\[0\]/],
    ['a user\'s bad volume', { Users: [{ UserName: 'bob', WorkspaceProperties: { UserVolumeSizeGib: '60' } }] }, /Invalid Users\[0\] \(user "bob"\): WorkspaceProperties\.UserVolumeSizeGib 60 GiB/],
    ['both a bundle id and a name', { BundleName: 'Standard' }, /exactly one of BundleId and BundleName/],
    ['a rate of 0', { RequestsPerSecond: '0', Users: [] }, /Invalid RequestsPerSecond "0"/],
    ['a migration batch of 26', { MigrationBatchSize: '26' }, /Invalid MigrationBatchSize "26": must be a whole number of WorkSpaces from 1 to 25/],
    ['an unknown bundle change', { BundleChange: 'REPLACE' }, /BundleChange "REPLACE": must be one of MIGRATE, REFUSE/],
    ['an unknown property', { Color: 'red' }, /Invalid Color "red": is not a property of Custom::WorkspaceFleet/],
    // 49 declared tags, with the ownership and membership tags the handler adds, would be 51.
    ['49 tags on a user', { Users: [{ UserName: 'alice', Tags: Array.from({ length: 47 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }] },
      /Invalid Users\[0\] \(user "alice"\): Tags 49: .* cdk-workspaces uses 2 of them, so at most 48 may be declared/],
  ])('refuses %s, naming the user and the property', (_what, props, error) => {
    expect(() => parseFleetProperties({ ...base, Users: [{ UserName: 'alice' }], ...props })).toThrow(error);
  });
});
