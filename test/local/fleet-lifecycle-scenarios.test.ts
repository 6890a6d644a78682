// Fault scenarios of issue 19 (a fleet keeps every promise a Workspace keeps), through the runner
// and the local endpoint with the real bundled handlers, in compressed time (fleet-helpers.ts).
// Each ends with the inventory check, beside the rollback it implies. Needs `npx projen bundle`.
import {
  DESTROY,
  expectFleetInventory,
  FleetScenario,
  startFleetScenario,
  synthFleet,
  users,
} from './fleet-helpers';
import { Handlers, sleep } from './runner';
import { countCalls, DIRECTORY_ID, EMPTY_TEMPLATE } from './scenario-helpers';
import { parseFleetId } from '../../lambda/resources/fleet/fleet-generations';
import { RunningMode } from '../../src';
import { OWNERSHIP_TAG_KEY } from '../../src/private/rules';

jest.setTimeout(120_000);

let scenario: FleetScenario | undefined;

afterEach(async () => {
  await scenario?.stop();
  scenario = undefined;
});

describe('the test clock', () => {
  test('a refusal in compressed time fails at once, as permanent, not as clock skew retried until the timeout', async () => {
    scenario = await startFleetScenario();
    const { endpoint, stack, now } = scenario;
    const names = users(3);
    const v1 = synthFleet({ users: names });
    expect((await stack.deploy(v1)).ok).toBe(true);
    // Well past the SDK's 240 s of tolerated skew, had the endpoint answered with the real time.
    expect(now() - Date.now()).toBeGreaterThan(300_000);

    endpoint.authorize = async ({ operation }) => (operation === 'ModifyWorkspaceProperties'
      ? 'User is not authorized to perform: workspaces:ModifyWorkspaceProperties' : undefined);
    endpoint.resetCalls();
    const result = await stack.deploy(synthFleet({ users: names, runningMode: RunningMode.ALWAYS_ON }));
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/ModifyWorkspaceProperties.*failed for WorkSpace ws-\w+: AccessDeniedException: User is not authorized/);
    // No refused call is retried by the SDK (at most one per user), and the request fails at the
    // poll that took the step, not at the fleet's timeout (110 polls of 30 s).
    expect(countCalls(endpoint.callLog(), 'ModifyWorkspaceProperties', 'all')).toBeLessThanOrEqual(3);
    expect(result.operations.find((o) => o.operation === 'Update')!.polls).toBeLessThanOrEqual(2);
    expect(result.rolledBack).toBe(true);
    endpoint.authorize = undefined;
    expectFleetInventory(endpoint, stack, v1);
  });
});

/** Each user's WorkSpace id, by user name. */
const idsOf = (s: FleetScenario) => new Map(s.endpoint.inventory().map((w) => [w.UserName.toLowerCase(), w.WorkspaceId]));

describe('removals happen in CloudFormation\'s cleanup phase', () => {
  test('a removed user\'s WorkSpace is untouched when another resource of the deployment fails, and terminated once one succeeds', async () => {
    scenario = await startFleetScenario({ faults: { forceErrorForUser: 'erin' } });
    const { endpoint, stack } = scenario;
    const v1 = synthFleet({ users: ['alice', 'bob', 'carol', 'dave'], removalPolicy: DESTROY });
    expect((await stack.deploy(v1)).ok).toBe(true);
    const before = idsOf(scenario);
    const firstId = stack.resources.get('Fleet30813DF3')!.physicalId;

    // carol and dave leave the fleet while erin's new Workspace goes to ERROR: the stack rolls back.
    endpoint.resetCalls();
    const failed = await stack.deploy(synthFleet({ users: ['alice', 'bob'], removalPolicy: DESTROY, workspaces: [{ userName: 'erin', removalPolicy: DESTROY }] }));
    expect(failed.ok).toBe(false);
    expect(failed.reason).toMatch(/Erin\w*: .*ERROR/);
    expect(failed.rolledBack).toBe(true);
    // The fleet's update succeeded with a new id; the rollback deleted that id, after the update back.
    const fleetOps = failed.operations.filter((o) => o.logicalId === 'Fleet30813DF3');
    expect(fleetOps.map((o) => [o.operation, o.ok])).toEqual([['Update', true], ['Delete', true]]);
    expect(fleetOps[0].physicalId).not.toBe(firstId);
    expect(idsOf(scenario)).toEqual(before);
    expect(countCalls(endpoint.callLog(), 'TerminateWorkspaces', 'all')).toBe(1); // erin's, by the Workspace's rollback
    expectFleetInventory(endpoint, stack, v1);
    expect(stack.resources.get('Fleet30813DF3')!.physicalId).toBe(firstId);

    // The same removal in a deployment that succeeds: carol and dave go in the cleanup, alice and bob stay.
    endpoint.faults.forceErrorForUser = undefined;
    const v2 = synthFleet({ users: ['alice', 'bob'], removalPolicy: DESTROY });
    const result = await stack.deploy(v2);
    expect(result.reason).toBeUndefined();
    const cleanup = result.operations.filter((o) => o.operation === 'Delete');
    expect(cleanup.map((o) => o.physicalId)).toEqual([firstId]);
    expectFleetInventory(endpoint, stack, v2);
    expect(idsOf(scenario).get('alice')).toBe(before.get('alice'));
    expect((await stack.destroy()).ok).toBe(true);
    expect(endpoint.inventory()).toEqual([]);
  });

  test('an update under DESTROY that only adds users keeps every member when its cleanup comes, and its rollback terminates only the added', async () => {
    scenario = await startFleetScenario({ faults: { forceErrorForUser: 'erin' } });
    const { endpoint, stack } = scenario;
    const v1 = synthFleet({ users: ['alice', 'bob'], removalPolicy: DESTROY });
    expect((await stack.deploy(v1)).ok).toBe(true);
    const before = idsOf(scenario);
    const firstId = stack.resources.get('Fleet30813DF3')!.physicalId;

    // carol joins while erin's new Workspace goes to ERROR: the rollback's Delete of the new
    // generation terminates carol's new WorkSpace and nothing else.
    const failed = await stack.deploy(synthFleet({
      users: ['alice', 'bob', 'carol'],
      removalPolicy: DESTROY,
      workspaces: [{ userName: 'erin', removalPolicy: DESTROY }],
    }));
    expect(failed).toMatchObject({ ok: false, rolledBack: true });
    expect(failed.rollbackFailure).toBeUndefined();
    expect(idsOf(scenario)).toEqual(before);
    expectFleetInventory(endpoint, stack, v1);

    // The same addition in a deployment that succeeds: the cleanup Delete of the old id (the
    // generation before the addition) releases and terminates nothing: no user was removed.
    endpoint.faults.forceErrorForUser = undefined;
    endpoint.resetCalls();
    const v2 = synthFleet({ users: ['alice', 'bob', 'carol'], removalPolicy: DESTROY });
    const result = await stack.deploy(v2);
    expect(result.reason).toBeUndefined();
    expect(result.operations.filter((o) => o.operation === 'Delete').map((o) => [o.physicalId, o.ok])).toEqual([[firstId, true]]);
    expect(countCalls(endpoint.callLog(), 'TerminateWorkspaces', 'all')).toBe(0);
    expectFleetInventory(endpoint, stack, v2);
    expect(idsOf(scenario).get('alice')).toBe(before.get('alice'));
    expect(idsOf(scenario).get('bob')).toBe(before.get('bob'));

    // The generation is committed: removing the fleet afterwards terminates every member.
    expect((await stack.destroy()).ok).toBe(true);
    expect(endpoint.inventory()).toEqual([]);
  });

  test('the fleet\'s own failure after a removal: its rollback terminates what it created and keeps every WorkSpace that existed', async () => {
    scenario = await startFleetScenario({ faults: { forceErrorForUser: 'frank' } });
    const { endpoint, stack } = scenario;
    const v1 = synthFleet({ users: ['alice', 'bob', 'carol'], removalPolicy: DESTROY });
    expect((await stack.deploy(v1)).ok).toBe(true);
    const before = idsOf(scenario);
    const failed = await stack.deploy(synthFleet({ users: ['alice', 'erin', 'frank'], removalPolicy: DESTROY }));
    expect(failed.ok).toBe(false);
    expect(failed.reason).toMatch(/user "frank"/);
    expect(failed.rollbackFailure).toBeUndefined();
    expect(idsOf(scenario)).toEqual(before);
    expectFleetInventory(endpoint, stack, v1);
  });

  for (const operationOrder of ['template', 'reverse'] as const) {
    test(`a user moved from the fleet to a Workspace in one deployment is refused, whatever the order (${operationOrder}), and keeps the WorkSpace`, async () => {
      scenario = await startFleetScenario({ operationOrder });
      const { endpoint, stack } = scenario;
      const v1 = synthFleet({ users: ['alice', 'carol'], removalPolicy: DESTROY });
      expect((await stack.deploy(v1)).ok).toBe(true);
      const before = idsOf(scenario);
      const moved = await stack.deploy(synthFleet({ users: ['alice'], removalPolicy: DESTROY, workspaces: [{ userName: 'carol', removalPolicy: DESTROY }] }));
      expect(moved.ok).toBe(false);
      expect(moved.reason).toMatch(/WorkSpace ws-\w+ of user "carol" .* already exists and is managed by another construct of this stack, logical id Fleet30813DF3/);
      expect(moved.rolledBack).toBe(true);
      expect(idsOf(scenario)).toEqual(before);
      expectFleetInventory(endpoint, stack, v1);
    });
  }
});

describe('ownership per WorkSpace, as for a Workspace', () => {
  test('a fleet declared again after its removal is refused without adoptExisting, its rollback terminates nothing it kept; with adoptExisting it adopts', async () => {
    scenario = await startFleetScenario();
    const { endpoint, stack } = scenario;
    const v1 = synthFleet({ users: ['alice', 'bob'] });
    expect((await stack.deploy(v1)).ok).toBe(true);
    const before = idsOf(scenario);
    expect((await stack.deploy(EMPTY_TEMPLATE)).ok).toBe(true);
    expect(idsOf(scenario)).toEqual(before);

    const again = await stack.deploy(v1);
    expect(again.ok).toBe(false);
    expect(again.reason).toMatch(/user "alice".* is managed by this resource in an earlier lifetime .* set adoptExisting: true/);
    expect(again.rollbackFailure).toBeUndefined();
    expect(idsOf(scenario)).toEqual(before);

    const adopting = synthFleet({ users: ['alice', 'bob'], adoptExisting: true, removalPolicy: DESTROY });
    expect((await stack.deploy(adopting)).reason).toBeUndefined();
    expectFleetInventory(endpoint, stack, adopting);
    expect(idsOf(scenario)).toEqual(before);
    // Adopted: the fleet's Delete releases them, never terminates them.
    expect((await stack.destroy()).ok).toBe(true);
    expect(idsOf(scenario)).toEqual(before);
    expect(endpoint.inventory().every((w) => w.Tags[OWNERSHIP_TAG_KEY] === undefined)).toBe(true);
  });

  test('a fleet moved to another directory and back is refused without adoptExisting, its rollback keeps both directories\' WorkSpaces; with adoptExisting it adopts', async () => {
    scenario = await startFleetScenario();
    const { endpoint, stack } = scenario;
    const other = 'd-abcdef0123';
    endpoint.addDirectory(other);
    const inDirectory = (template: any, directoryId: string, adoptExisting = false) => {
      const copy = JSON.parse(JSON.stringify(template));
      const props = Object.values<any>(copy.Resources).find((r) => r.Type === 'Custom::WorkspaceFleet').Properties;
      props.DirectoryId = directoryId;
      if (adoptExisting) {
        props.AdoptExisting = true;
      }
      return copy;
    };
    const byDirectory = () => endpoint.inventory().map((w) => `${w.DirectoryId}/${w.UserName}/${w.WorkspaceId}`).sort();
    const v1 = synthFleet({ users: ['alice', 'bob'] });
    expect((await stack.deploy(v1)).reason).toBeUndefined();
    const first = idsOf(scenario);

    // To the other directory: a new fleet there; the default policy keeps the first directory's WorkSpaces.
    const moved = inDirectory(v1, other);
    expect((await stack.deploy(moved)).reason).toBeUndefined();
    expect(endpoint.inventory().filter((w) => w.DirectoryId === DIRECTORY_ID).map((w) => w.WorkspaceId).sort()).toEqual([...first.values()].sort());
    expect(endpoint.inventory().filter((w) => w.DirectoryId === other).map((w) => w.UserName).sort()).toEqual(['alice', 'bob']);
    const settled = byDirectory();

    // And back: the WorkSpaces there belong to the fleet's earlier lifetime, as a Workspace's would.
    const back = await stack.deploy(v1);
    expect(back.ok).toBe(false);
    expect(back.reason).toMatch(/user "alice".* is managed by this resource in an earlier lifetime .* set adoptExisting: true/);
    expect(back.rolledBack).toBe(true);
    expect(back.rollbackFailure).toBeUndefined();
    expect(byDirectory()).toEqual(settled);
    expect(countCalls(endpoint.callLog(), 'TerminateWorkspaces', 'all')).toBe(0);
    expect(parseFleetId(stack.resources.get('Fleet30813DF3')!.physicalId)!.directoryId).toBe(other);

    // With adoptExisting the fleet takes the first directory's WorkSpaces back, as they are.
    const adopting = inDirectory(v1, DIRECTORY_ID, true);
    expect((await stack.deploy(adopting)).reason).toBeUndefined();
    expect(byDirectory()).toEqual(settled);
    expectFleetInventory(endpoint, stack, adopting, { otherDirectories: 'ignore' });
    // The default policy keeps every WorkSpace when the stack goes.
    expect((await stack.destroy()).ok).toBe(true);
    expect(byDirectory()).toEqual(settled);
  });

  test('a user kept by the default policy and taken back by a DESTROY update that fails elsewhere keeps the WorkSpace', async () => {
    scenario = await startFleetScenario({ faults: { forceErrorForUser: 'erin' } });
    const { endpoint, stack } = scenario;
    expect((await stack.deploy(synthFleet({ users: ['alice', 'bob', 'carol'] }))).ok).toBe(true);
    const before = idsOf(scenario);
    const v2 = synthFleet({ users: ['alice', 'bob'] });
    expect((await stack.deploy(v2)).ok).toBe(true);
    const failed = await stack.deploy(synthFleet({ users: ['alice', 'bob', 'carol'], removalPolicy: DESTROY, workspaces: [{ userName: 'erin' }] }));
    expect(failed.ok).toBe(false);
    expect(failed.rolledBack).toBe(true);
    expect(idsOf(scenario)).toEqual(before);
    expectFleetInventory(endpoint, stack, v2, { kept: ['carol'] });
  });
});

describe('batches keep every outcome', () => {
  test('a refusal in the first call of 25 survives the failure of the second; the failure names each user, and the rollback leaves nothing', async () => {
    scenario = await startFleetScenario();
    const { endpoint, stack } = scenario;
    const names = users(30);
    // mallory is not a user of the directory: CreateWorkspaces refuses her request in the first call.
    endpoint.addDirectory('d-abcdef0123', { users: names });
    let creates = 0;
    endpoint.authorize = async ({ operation }) => (operation === 'CreateWorkspaces' && ++creates === 2
      ? 'User is not authorized to perform: workspaces:CreateWorkspaces' : undefined);
    const template = JSON.parse(JSON.stringify(synthFleet({ users: ['mallory', ...names.slice(1)] })));
    Object.values<any>(template.Resources).find((r) => r.Type === 'Custom::WorkspaceFleet').Properties.DirectoryId = 'd-abcdef0123';
    const result = await stack.deploy(template);
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/the WorkSpaces of 6 of 30 users could not be created or taken over: user "mallory": CreateWorkspaces refused it: ResourceNotFound\.User: /);
    expect(result.reason).toMatch(/user "user025": CreateWorkspaces failed: \w+: User is not authorized/);
    // It fails at the first poll, not at the fleet's timeout.
    expect(result.operations.find((o) => o.operation === 'Create')!.polls).toBe(1);
    expect(result.rolledBack).toBe(true);
    expect(endpoint.inventory()).toEqual([]);
  });
});

describe('every wait ends', () => {
  test('a removed user\'s SUSPENDED WorkSpace fails the cleanup at once, naming it and its state; the update stands', async () => {
    scenario = await startFleetScenario();
    const { endpoint, stack } = scenario;
    const v1 = synthFleet({ users: ['alice', 'carol'], removalPolicy: DESTROY });
    expect((await stack.deploy(v1)).ok).toBe(true);
    const carol = idsOf(scenario).get('carol')!;
    endpoint.setWorkspaceState(carol, 'SUSPENDED');
    const result = await stack.deploy(synthFleet({ users: ['alice'], removalPolicy: DESTROY }));
    expect(result.ok).toBe(false);
    expect(result.rolledBack).toBe(false);
    expect(result.reason).toMatch(new RegExp(`${carol} \\(user "carol", SUSPENDED\\) is SUSPENDED, and a suspended WorkSpace cannot be terminated`));
    const cleanup = result.operations.find((o) => o.operation === 'Delete')!;
    expect(cleanup.polls).toBeLessThanOrEqual(2);
    expect(idsOf(scenario).get('carol')).toBe(carol);
  });
});

/**
 * Handlers whose first poll of each fleet request begins `realMs` into its invocation (a cold
 * start, a slow look), once `when()` says so: the context's remaining time has run down by then.
 */
function beginLate(realMs: number, when: () => boolean = () => true): (handlers: Handlers) => Handlers {
  const started = new Set<string>();
  return (handlers) => ({
    onEvent: handlers.onEvent,
    isComplete: async (event, context) => {
      if (event.ResourceType === 'Custom::WorkspaceFleet' && when() && !started.has(event.RequestId)) {
        started.add(event.RequestId);
        await sleep(realMs);
      }
      return handlers.isComplete(event, context);
    },
  });
}

describe('a poll fits its invocation', () => {
  test('a poll that begins with little of its invocation left stops taking steps, the next poll goes on; the same in the rollback', async () => {
    const speedUp = 100;
    // The first poll of each request begins 220 s into its 5-minute invocation (a cold start, a
    // slow look): 80 s left, of which it keeps 60 s to answer. The runner's context runs down in
    // simulated time, from the timeout the provider gives the function.
    const lateStart = beginLate(220_000 / speedUp);
    scenario = await startFleetScenario({ speedUp, wrapHandlers: lateStart, faults: { forceErrorForUser: 'erin' } });
    const { endpoint, stack, handlerLog, pollStarts } = scenario;
    const names = users(20);
    // One change every 2 s: 20 users' changes take 40 s, more than the 20 s the late poll has.
    const v1 = synthFleet({ users: names, requestsPerSecond: 0.5 });
    expect((await stack.deploy(v1)).reason).toBeUndefined();

    const firstPoll = pollStarts.length;
    endpoint.resetCalls();
    const v2 = synthFleet({ users: names, requestsPerSecond: 0.5, runningMode: RunningMode.ALWAYS_ON });
    const result = await stack.deploy(v2);
    expect(result.reason).toBeUndefined();
    const modifiedBy = (from: number, to: number) => endpoint.callLog()
      .filter((c) => c.operation === 'ModifyWorkspaceProperties' && c.at >= from && c.at < to).length;
    // The late poll took some of the changes, not all; the polls after it took the rest.
    expect(modifiedBy(pollStarts[firstPoll], pollStarts[firstPoll + 1])).toBeLessThan(names.length);
    expect(countCalls(endpoint.callLog(), 'ModifyWorkspaceProperties')).toBe(names.length);
    expect(handlerLog.some((l) => /steps wait for the next poll .*: this invocation has \d+ s left, and keeps 60 s to answer/.test(l))).toBe(true);
    expectFleetInventory(endpoint, stack, v2);

    // Back to AUTO_STOP while erin's new Workspace fails: the rollback's own first poll begins
    // late too, stops in time, and the rollback completes.
    const failed = await stack.deploy(synthFleet({ users: names, requestsPerSecond: 0.5, workspaces: [{ userName: 'erin' }] }));
    expect(failed.ok).toBe(false);
    expect(failed.reason).toMatch(/Erin/);
    expect(failed.rolledBack).toBe(true);
    expect(failed.operations.filter((o) => o.logicalId === 'Fleet30813DF3').map((o) => [o.operation, o.ok])).toEqual([['Update', true], ['Update', true]]);
    expectFleetInventory(endpoint, stack, v2);
    expect(handlerLog.filter((l) => /keeps 60 s to answer/.test(l)).length).toBeGreaterThanOrEqual(3);
    // No invocation ran past the timeout its function has.
    const overran = stack.invocations.filter((i) => i.durationMs > i.timeoutMs);
    expect(overran).toEqual([]);
    expect(stack.invocations.find((i) => i.handler === 'isComplete')!.timeoutMs).toBe(300_000);
  });
});

describe('nothing created is orphaned', () => {
  test('another stack\'s WorkSpace appearing for one user while the others are created fails the fleet in isComplete; the rollback terminates what it created', async () => {
    scenario = await startFleetScenario();
    const { endpoint, stack } = scenario;
    let other: string | undefined;
    // Between the fleet's look at the directory and its CreateWorkspaces, another stack creates bob's.
    endpoint.authorize = async ({ operation }) => {
      if (operation === 'CreateWorkspaces' && other === undefined) {
        other = endpoint.seedWorkspace({ UserName: 'bob', Tags: { [OWNERSHIP_TAG_KEY]: 'another-stack-uuid/Other/created/r-1' } }).WorkspaceId;
      }
      return undefined;
    };
    const result = await stack.deploy(synthFleet({ users: ['alice', 'bob', 'carol'], removalPolicy: DESTROY }));
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/user "bob": WorkSpace ws-\w+ of user "bob" .* is managed by a resource of another stack/);
    // onEvent answered with the fleet's id, so the rollback knew it and terminated alice's and carol's.
    expect(result.operations.map((o) => [o.operation, o.ok])).toEqual([['Create', false], ['Delete', true]]);
    expect(endpoint.inventory().map((w) => w.WorkspaceId)).toEqual([other]);
  });
});

describe('every declared setting reaches every member or the request fails', () => {
  test('a change of the volume encryption alone is refused, naming the settings, and its rollback completes', async () => {
    scenario = await startFleetScenario();
    const { endpoint, stack } = scenario;
    const v1 = synthFleet({ users: ['alice', 'bob'] });
    expect((await stack.deploy(v1)).ok).toBe(true);
    const before = endpoint.inventory();
    const v2 = JSON.parse(JSON.stringify(v1));
    Object.assign(Object.values<any>(v2.Resources).find((r) => r.Type === 'Custom::WorkspaceFleet').Properties, {
      RootVolumeEncryptionEnabled: true,
      VolumeEncryptionKey: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });
    const result = await stack.deploy(v2);
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/Cannot change RootVolumeEncryptionEnabled and VolumeEncryptionKey of WorkSpace fleet \w+ .* Nothing was changed/);
    expect(result.rolledBack).toBe(true);
    expect(endpoint.inventory()).toEqual(before);
    expectFleetInventory(endpoint, stack, v1);
  });
});

describe('rollbacks complete', () => {
  test('a tags-only update of a fleet whose bundle name has since become ambiguous succeeds, and so does its rollback', async () => {
    scenario = await startFleetScenario({ faults: { forceErrorForUser: 'erin' } });
    const { endpoint, stack } = scenario;
    endpoint.addBundle('wsb-abcdef12', { name: 'Desk' });
    const byName = (template: any) => {
      const copy = JSON.parse(JSON.stringify(template));
      const props = Object.values<any>(copy.Resources).find((r) => r.Type === 'Custom::WorkspaceFleet').Properties;
      delete props.BundleId;
      props.BundleName = 'Desk';
      return copy;
    };
    const v1 = byName(synthFleet({ users: ['alice', 'bob'], tags: { team: 'desk' } }));
    expect((await stack.deploy(v1)).reason).toBeUndefined();
    endpoint.addBundle('wsb-abcdef34', { name: 'Desk' });

    // A tag change while another resource fails: the update and its rollback need no pre-flight.
    const failed = await stack.deploy(byName(synthFleet({ users: ['alice', 'bob'], tags: { team: 'sales' }, workspaces: [{ userName: 'erin' }] })));
    expect(failed.ok).toBe(false);
    expect(failed.reason).toMatch(/Erin/);
    expect(failed.rollbackFailure).toBeUndefined();
    expectFleetInventory(endpoint, stack, v1);

    const v2 = byName(synthFleet({ users: ['alice', 'bob'], tags: { team: 'sales' } }));
    expect((await stack.deploy(v2)).reason).toBeUndefined();
    expectFleetInventory(endpoint, stack, v2);
    expect(endpoint.inventory().every((w) => w.BundleId === 'wsb-abcdef12')).toBe(true);
  });
});

describe('poll cost bounded by the fleet', () => {
  test('a tag change for every user reads each WorkSpace\'s tags once, paced, going on from where a poll stopped; the same in the rollback', async () => {
    const speedUp = 100;
    let late = false;
    // The update's first poll has 10 s for its work: at most 100 reads at 10 a second, of 200.
    scenario = await startFleetScenario({ speedUp, wrapHandlers: beginLate(230_000 / speedUp, () => late), faults: { forceErrorForUser: 'erin' } });
    const { endpoint, stack, pollStarts, handlerLog } = scenario;
    const names = users(200);
    const v1 = synthFleet({ users: names, tags: { team: 'blue' } });
    expect((await stack.deploy(v1)).reason).toBeUndefined();
    late = true;
    const firstPoll = pollStarts.length;
    endpoint.resetCalls();
    const v2 = synthFleet({ users: names, tags: { team: 'green' } });
    expect((await stack.deploy(v2)).reason).toBeUndefined();
    const reads = endpoint.callLog().filter((c) => c.operation === 'DescribeTags');
    const firstPollReads = reads.filter((c) => c.at >= pollStarts[firstPoll] && c.at < pollStarts[firstPoll + 1]).length;
    expect(firstPollReads).toBeLessThan(names.length);
    expect(handlerLog.some((l) => /\d+ users' tags are read at the next poll \(10 reads\/s\)/.test(l))).toBe(true);
    // Each WorkSpace's tags read once before its change and once after it, however many polls it took.
    expect(reads.length).toBeLessThanOrEqual(2 * names.length);
    expect(countCalls(endpoint.callLog(), 'CreateTags')).toBe(names.length);
    // Paced: never more than 10 reads in a simulated second (and a little for the clock's rounding).
    const perSecond = new Map<number, number>();
    reads.forEach((c) => perSecond.set(Math.floor(c.at / 1000), (perSecond.get(Math.floor(c.at / 1000)) ?? 0) + 1));
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(11);
    expectFleetInventory(endpoint, stack, v2);

    const failed = await stack.deploy(synthFleet({ users: names, tags: { team: 'red' }, workspaces: [{ userName: 'erin' }] }));
    expect(failed.ok).toBe(false);
    expect(failed.rolledBack).toBe(true);
    expectFleetInventory(endpoint, stack, v2);
  });

  test('a 10-user fleet in a directory of 5,000 WorkSpaces makes at most ceil(10/25) + 2 DescribeWorkspaces calls per poll', async () => {
    // A slower clock: the endpoint's own time to filter 5,000 WorkSpaces would otherwise count a thousand times over.
    scenario = await startFleetScenario({ speedUp: 100 });
    const { endpoint, stack, pollStarts } = scenario;
    for (const userName of users(4990, 'other')) {
      endpoint.seedWorkspace({ UserName: userName });
    }
    const template = synthFleet({ users: users(10), removalPolicy: DESTROY });
    endpoint.resetCalls();
    expect((await stack.deploy(template)).reason).toBeUndefined();
    const polls = pollStarts.length;
    const duringPolls = endpoint.callLog().filter((c) => c.operation === 'DescribeWorkspaces' && c.at >= pollStarts[0]).length;
    expect(polls).toBeGreaterThan(3);
    expect(duringPolls / polls).toBeLessThanOrEqual(Math.ceil(10 / 25) + 2);
    expect(endpoint.inventory().filter((w) => w.Tags[OWNERSHIP_TAG_KEY] !== undefined)).toHaveLength(10);
  });
});
