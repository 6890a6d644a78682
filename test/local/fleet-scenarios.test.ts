// Fault scenarios of issue 14 (WorkspaceFleet), through the runner and the local endpoint with the
// real bundled handlers, in compressed time (see fleet-helpers.ts). Each ends with the inventory
// check, and each has its rollback beside it. Needs the bundle: `npx projen bundle` first.
import {
  DESTROY,
  expectFleetInventory,
  FleetScenario,
  startFleetScenario,
  synthFleet,
  users,
} from './fleet-helpers';
import { countCalls, EMPTY_TEMPLATE } from './scenario-helpers';
import { ComputeType, RunningMode } from '../../src';
import { handlerPolicies, iamAuthorizer } from '../iam/simulated-iam';

jest.setTimeout(120_000);

let scenario: FleetScenario | undefined;

afterEach(async () => {
  await scenario?.stop();
  scenario = undefined;
});

describe('a small fleet', () => {
  test('creates every user\'s WorkSpace in one CreateWorkspaces, with overrides and tags, then destroys it', async () => {
    scenario = await startFleetScenario();
    const { endpoint, stack } = scenario;
    const template = synthFleet({
      users: ['alice', 'bob'],
      removalPolicy: DESTROY,
      overrides: { carol: { computeType: ComputeType.PERFORMANCE, tags: { role: 'lead' } } },
      tags: { team: 'desk' },
      exported: ['bob'],
    });
    const result = await scenario.stack.deploy(template);
    expect(result.reason).toBeUndefined();
    expectFleetInventory(endpoint, stack, template);
    expect(countCalls(endpoint.callLog(), 'CreateWorkspaces')).toBe(1);
    const bob = endpoint.inventory().find((w) => w.UserName === 'bob')!;
    expect([...stack.resources.values()][0].data.WorkspaceId0).toBe(bob.WorkspaceId);

    expect((await stack.destroy()).ok).toBe(true);
    expect(endpoint.inventory()).toEqual([]);
  });
});

describe('500 users behind 5 requests per second and 10% server errors', () => {
  test('all 500 complete within one poll of the provisioning time, in calls of 25', async () => {
    scenario = await startFleetScenario({ speedUp: 300, faults: { rateLimitPerSecond: 5, serverErrorRate: 0.1 } });
    const { endpoint, stack, now, pollStarts } = scenario;
    const template = synthFleet({ users: users(500), removalPolicy: DESTROY, tags: { team: 'all' } });
    const result = await stack.deploy(template);
    const done = now();
    expect(result.reason).toBeUndefined();
    expectFleetInventory(endpoint, stack, template);
    // 20 calls of 25 (a call refused with a 5xx is sent again by the SDK, never twice after a success).
    expect(countCalls(endpoint.callLog(), 'CreateWorkspaces')).toBe(20);
    // Every WorkSpace is AVAILABLE 10 s (invisible) + 300 s (PENDING) after its creation: the
    // poll running when the last one is (it reads the directory page by page), or else the first
    // that begins after, completes the fleet: within one 30 s interval of the provisioning time.
    // (Counted in polls, not in simulated seconds: the handlers' own CPU time is multiplied by
    // the speed-up too, and depends on the machine's load.)
    const settled = Math.max(...endpoint.inventory().map((w) => w.CreatedAt)) + 310_000;
    expect(pollStarts.filter((t) => t >= settled && t <= done).length).toBeLessThanOrEqual(1);
    // About 20 pages of DescribeWorkspaces per poll and 20 CreateWorkspaces, retries included: no call per WorkSpace.
    expect(endpoint.calls().total).toBeLessThan(500);
  });

  test('its rollback, when one of the 500 goes to ERROR, terminates exactly what it created', async () => {
    scenario = await startFleetScenario({ speedUp: 300, faults: { rateLimitPerSecond: 5, serverErrorRate: 0.1, forceErrorForUser: 'user250' } });
    const { endpoint, stack } = scenario;
    const template = synthFleet({ users: users(500) });
    const result = await stack.deploy(template);
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/1 of 500 users failed .*user "user250": WorkSpace ws-\w+ is in state ERROR/);
    expect(result.rollbackFailure).toBeUndefined();
    expect(result.rolledBack).toBe(true);
    expect(endpoint.inventory()).toEqual([]);
  });
});

describe('one user\'s WorkSpace goes to ERROR', () => {
  test('the Create fails naming the user; the rollback terminates every WorkSpace the fleet created', async () => {
    scenario = await startFleetScenario({ faults: { forceErrorForUser: 'carol' } });
    const { endpoint, stack } = scenario;
    const result = await stack.deploy(synthFleet({ users: ['alice', 'bob', 'carol', 'dave'] }));
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/1 of 4 users failed \(3 complete, 0 still in progress\): user "carol": .*ERROR: InternalError/);
    expect(result.rollbackFailure).toBeUndefined();
    expect(endpoint.inventory()).toEqual([]);
  });

  test('an Update that adds a user who goes to ERROR fails; its rollback keeps the others as they were', async () => {
    scenario = await startFleetScenario({ faults: { forceErrorForUser: 'erin' } });
    const { endpoint, stack } = scenario;
    const v1 = synthFleet({ users: ['alice', 'bob'], removalPolicy: DESTROY });
    expect((await stack.deploy(v1)).ok).toBe(true);
    const before = endpoint.inventory().map((w) => w.WorkspaceId).sort();

    const result = await stack.deploy(synthFleet({ users: ['alice', 'bob', 'erin'], removalPolicy: DESTROY }));
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/user "erin"/);
    expect(result.rolledBack).toBe(true);
    // DESTROY: the rollback removes erin again and terminates what the failed update created for her.
    expectFleetInventory(endpoint, stack, v1);
    expect(endpoint.inventory().map((w) => w.WorkspaceId).sort()).toEqual(before);
  });
});

describe('users added and removed in one update', () => {
  test('added users are created, removed users keep their WorkSpace (the default), and adding one back takes it back', async () => {
    scenario = await startFleetScenario();
    const { endpoint, stack } = scenario;
    const v1 = synthFleet({ users: ['alice', 'bob', 'carol', 'dave'] });
    expect((await stack.deploy(v1)).ok).toBe(true);
    const carol = endpoint.inventory().find((w) => w.UserName === 'carol')!.WorkspaceId;

    const v2 = synthFleet({ users: ['alice', 'bob', 'erin', 'frank'] });
    const result = await stack.deploy(v2);
    expect(result.reason).toBeUndefined();
    expectFleetInventory(endpoint, stack, v2, { kept: ['carol', 'dave'] });
    expect(countCalls(endpoint.callLog(), 'TerminateWorkspaces', 'all')).toBe(0);

    const v3 = synthFleet({ users: ['alice', 'bob', 'carol', 'erin', 'frank'] });
    expect((await stack.deploy(v3)).reason).toBeUndefined();
    expectFleetInventory(endpoint, stack, v3, { kept: ['dave'] });
    expect(endpoint.inventory().find((w) => w.UserName === 'carol')!.WorkspaceId).toBe(carol);
  });

  test('with DESTROY the removed users go, but only once the rest is done; a failed update\'s rollback terminates none that existed before', async () => {
    scenario = await startFleetScenario({ faults: { forceErrorForUser: 'frank' } });
    const { endpoint, stack } = scenario;
    const v1 = synthFleet({ users: ['alice', 'bob', 'carol', 'dave'], removalPolicy: DESTROY });
    expect((await stack.deploy(v1)).ok).toBe(true);
    const before = new Map(endpoint.inventory().map((w) => [w.UserName, w.WorkspaceId]));

    // frank goes to ERROR: the update fails before carol and dave are touched.
    const failed = await stack.deploy(synthFleet({ users: ['alice', 'bob', 'erin', 'frank'], removalPolicy: DESTROY }));
    expect(failed.ok).toBe(false);
    expect(failed.rolledBack).toBe(true);
    expectFleetInventory(endpoint, stack, v1);
    expect(new Map(endpoint.inventory().map((w) => [w.UserName, w.WorkspaceId]))).toEqual(before);

    endpoint.faults.forceErrorForUser = undefined;
    const v2 = synthFleet({ users: ['alice', 'bob', 'erin', 'frank'], removalPolicy: DESTROY });
    expect((await stack.deploy(v2)).reason).toBeUndefined();
    expectFleetInventory(endpoint, stack, v2);
    expect(endpoint.inventory().find((w) => w.UserName === 'alice')!.WorkspaceId).toBe(before.get('alice'));
  });
});

describe('a running-mode change for all', () => {
  test('every WorkSpace changes, paced, and the rollback of a failed change puts every one back', async () => {
    scenario = await startFleetScenario();
    const { endpoint, stack } = scenario;
    const names = users(60);
    const v1 = synthFleet({ users: names });
    expect((await stack.deploy(v1)).ok).toBe(true);

    endpoint.resetCalls();
    const v2 = synthFleet({ users: names, runningMode: RunningMode.ALWAYS_ON, requestsPerSecond: 5 });
    expect((await stack.deploy(v2)).reason).toBeUndefined();
    expectFleetInventory(endpoint, stack, v2);
    const modifies = endpoint.callLog().filter((c) => c.operation === 'ModifyWorkspaceProperties');
    expect(modifies).toHaveLength(60);
    // Paced to 5 per second: 60 changes take at least 11.8 s of service time.
    expect(modifies[59].at - modifies[0].at).toBeGreaterThanOrEqual(11_800);

    // The same change back, but one WorkSpace is SUSPENDED and refuses: the update fails and its
    // rollback (to ALWAYS_ON) completes, leaving every WorkSpace as it was.
    const suspended = endpoint.inventory().find((w) => w.UserName === 'user030')!.WorkspaceId;
    endpoint.setWorkspaceState(suspended, 'SUSPENDED');
    const result = await stack.deploy(synthFleet({ users: names, runningMode: RunningMode.AUTO_STOP }));
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/user "user030": WorkSpace ws-\w+ is SUSPENDED/);
    expect(result.rolledBack).toBe(true);
    endpoint.setWorkspaceState(suspended, 'AVAILABLE');
    expectFleetInventory(endpoint, stack, v2);
  });
});

test('the fleet\'s Create rolls back to nothing when onEvent is refused for one user', async () => {
  scenario = await startFleetScenario();
  const { endpoint, stack } = scenario;
  endpoint.addDirectory('d-abcdef0123', { users: ['alice', 'bob'] });
  const template = JSON.parse(JSON.stringify(synthFleet({ users: ['alice', 'bob', 'mallory'] })));
  const fleet = Object.values<any>(template.Resources).find((r) => r.Type === 'Custom::WorkspaceFleet');
  fleet.Properties.DirectoryId = 'd-abcdef0123';
  const result = await stack.deploy(template);
  expect(result.ok).toBe(false);
  expect(result.reason).toMatch(/1 of 3 users could not be created .*user "mallory": CreateWorkspaces refused it: /);
  expect(result.rolledBack).toBe(true);
  expect(endpoint.inventory()).toEqual([]);
  expect((await stack.deploy(EMPTY_TEMPLATE)).ok).toBe(true);
});

test('everything a fleet does is within what the provider\'s roles allow', async () => {
  const keys = { onEvent: 'AKIAFLEETONEVENT', isComplete: 'AKIAFLEETISCOMPLETE' };
  scenario = await startFleetScenario({ accessKeyIds: keys });
  const { endpoint, stack } = scenario;
  const v1 = synthFleet({ users: ['alice', 'bob', 'carol'], removalPolicy: DESTROY, tags: { team: 'desk' } });
  const env = { stackId: stack.stackId, account: '123456789012', region: 'us-east-1' };
  const policies = handlerPolicies(v1, env);
  endpoint.authorize = iamAuthorizer(new Map([
    [keys.onEvent, { env, policies: policies.onEvent }],
    [keys.isComplete, { env, policies: policies.isComplete }],
  ]));
  expect((await stack.deploy(v1)).reason).toBeUndefined();
  // Tags changed in place, one user removed (terminated by isComplete at the end), one added.
  const v2 = synthFleet({ users: ['alice', 'bob', 'dave'], removalPolicy: DESTROY, tags: { team: 'sales' } });
  expect((await stack.deploy(v2)).reason).toBeUndefined();
  expectFleetInventory(endpoint, stack, v2);
  expect((await stack.destroy()).ok).toBe(true);
  expect(endpoint.inventory()).toEqual([]);
  expect(endpoint.callLog().filter((c) => c.errorType === 'AccessDeniedException')).toEqual([]);
  expect(countCalls(endpoint.callLog(), 'TerminateWorkspaces')).toBeGreaterThan(0);
});

test('with bundleChange REFUSE, a bundle change is refused before anything changes, and its rollback completes', async () => {
  scenario = await startFleetScenario();
  const { endpoint, stack } = scenario;
  const v1 = synthFleet({ users: ['alice', 'bob'] });
  expect((await stack.deploy(v1)).ok).toBe(true);
  const before = endpoint.inventory();
  const v2 = JSON.parse(JSON.stringify(v1));
  const fleet = Object.values<any>(v2.Resources).find((r) => r.Type === 'Custom::WorkspaceFleet');
  fleet.Properties.BundleId = 'wsb-23456789';
  fleet.Properties.BundleChange = 'REFUSE';
  endpoint.resetCalls();
  const result = await stack.deploy(v2);
  expect(result.ok).toBe(false);
  expect(result.reason).toMatch(/Cannot change the bundle of WorkSpace fleet \w+ in directory d-1234567890: it needs a new WorkSpace for every user/);
  expect(result.rolledBack).toBe(true);
  expect(countCalls(endpoint.callLog(), 'CreateWorkspaces', 'all') + countCalls(endpoint.callLog(), 'ModifyWorkspaceProperties', 'all')).toBe(0);
  expectFleetInventory(endpoint, stack, v1);
  expect(endpoint.inventory()).toEqual(before);
});
