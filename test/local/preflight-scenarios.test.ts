// Directories and bundles as objects (issue 12), through the real bundled handlers against the
// local endpoint, driven as CloudFormation and the Provider framework would (runner.ts); each
// scenario ends with an inventory check. A wrong directory or bundle fails in the first
// onEvent, with nothing created; a bundle by name is resolved over every page, and its id is
// the WorkSpace's BundleId attribute; Workspace.fromUserName finds a WorkSpace made elsewhere.
// Needs the bundle: `npx projen bundle` first.
import { App, Size, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadBundledHandlers } from './runner';
import {
  BUNDLE_ID,
  countCalls,
  DIRECTORY_ID,
  EMPTY_TEMPLATE,
  expectInventory,
  mutatingCalls,
  Scenario,
  startScenario,
  synth,
} from './scenario-helpers';
import { BundleChange, BundleOwner, Workspace, WorkspaceBundle, WorkspacesDirectory } from '../../src';
import { directory } from '../directories';

type Json = any;

let scenario: Scenario | undefined;

afterEach(async () => {
  await scenario?.stop();
  scenario = undefined;
});

/** Amazon's public bundles beyond the endpoint's six, so that a name search reads several pages of 25. */
function seedManyAmazonBundles(s: Scenario): void {
  for (let i = 0; i < 40; i++) {
    s.endpoint.addBundle(`wsb-amzn${String(i).padStart(5, '0')}`, { owner: 'AMAZON', name: `Value with Amazon Linux 2 edition ${i}`, computeType: 'VALUE' });
  }
  s.endpoint.addBundle('wsb-amznlast01', { owner: 'AMAZON', name: 'Power with Windows 11 (last page)', computeType: 'POWER', rootVolumeSizeGib: 175, userVolumeSizeGib: 100 });
}

describe('a wrong directory or bundle fails in the first onEvent, with nothing created', () => {
  test('a directory that is not registered: the service\'s own refusal never comes, the pre-flight names the prop', async () => {
    scenario = await startScenario();
    const { endpoint, stack } = scenario;
    const template = synth([{ userName: 'alice', directory: directory('d-0000000001') }]);

    const result = await stack.deploy(template);

    expect(result.ok).toBe(false);
    expect(result.rolledBack).toBe(true);
    expect(result.reason).toContain('Invalid directory (DirectoryId d-0000000001): DescribeWorkspaceDirectories does not list it');
    // One onEvent, no isComplete poll: it failed at once.
    expect(result.operations.find((o) => o.operation === 'Create')?.polls ?? 0).toBe(0);
    expect(mutatingCalls(endpoint.callLog())).toEqual([]);
    expectInventory(endpoint, { stack, template: EMPTY_TEMPLATE });
  }, 30_000);

  test('a directory that is deregistering fails the same way, naming its state', async () => {
    scenario = await startScenario();
    scenario.endpoint.addDirectory('d-0000000002', { State: 'DEREGISTERING' });
    const template = synth([{ userName: 'alice', directory: directory('d-0000000002') }]);

    const result = await scenario.stack.deploy(template);

    expect(result.reason).toContain('DescribeWorkspaceDirectories reports it as DEREGISTERING');
    expect(mutatingCalls(scenario.endpoint.callLog())).toEqual([]);
    expectInventory(scenario.endpoint, { stack: scenario.stack, template: EMPTY_TEMPLATE });
  }, 30_000);

  test('a bundle name that does not exist: fails listing the closest names; the other WorkSpaces of the deployment roll back', async () => {
    scenario = await startScenario();
    const { endpoint, stack } = scenario;
    const template = synth([
      { userName: 'alice' },
      { userName: 'bob', bundle: WorkspaceBundle.fromName('Standard with Windows 10 (Server 2022)') },
    ]);

    const result = await stack.deploy(template);

    expect(result.ok).toBe(false);
    expect(result.rolledBack).toBe(true);
    expect(result.reason).toContain('Invalid bundle (BundleName "Standard with Windows 10 (Server 2022)"): DescribeWorkspaceBundles lists no bundle '
      + 'of that exact name among Amazon\'s bundles or this account\'s own in this region (6 listed). The closest names: "Standard with '
      + 'Windows 10 (Server 2022 based)", ');
    // Bob's Create asked for nothing; alice's, made beside it, is terminated by the rollback.
    const created = endpoint.callLog().filter((c) => c.operation === 'CreateWorkspaces' && c.status === 200);
    expect(created).toHaveLength(1);
    expectInventory(endpoint, { stack, template: EMPTY_TEMPLATE });
  }, 30_000);

  test('declared volumes that do not fit the bundle fail before CreateWorkspaces', async () => {
    scenario = await startScenario();
    const { endpoint, stack } = scenario;
    const template = synth([{ userName: 'alice', rootVolumeSize: Size.gibibytes(175) }]);

    const result = await stack.deploy(template);

    expect(result.reason).toContain(`Invalid rootVolumeSize of user "alice": with bundle ${BUNDLE_ID}`);
    expect(result.reason).toContain('a root volume of 175 GiB or more needs a user volume of at least 100 GiB');
    expect(countCalls(endpoint.callLog(), 'CreateWorkspaces', 'all')).toBe(0);
    expectInventory(endpoint, { stack, template: EMPTY_TEMPLATE });
  }, 30_000);
});

describe('a bundle by name', () => {
  test('is found on the last page of Amazon\'s bundles; the WorkSpace is created from its id, which is its BundleId attribute', async () => {
    scenario = await startScenario();
    seedManyAmazonBundles(scenario);
    const { endpoint, stack } = scenario;
    const template = synth([{ userName: 'alice', bundle: WorkspaceBundle.fromName('Power with Windows 11 (last page)') }]);

    const result = await stack.deploy(template);

    expect(result.reason).toBeUndefined();
    expect(result.ok).toBe(true);
    const [alice] = endpoint.inventory();
    expect(alice.BundleId).toBe('wsb-amznlast01');
    expect([...stack.resources.values()][0].data.BundleId).toBe('wsb-amznlast01');
    // Amazon's 47 bundles in two pages, then the account's own (none).
    const bundleCalls = endpoint.callLog().filter((c) => c.operation === 'DescribeWorkspaceBundles');
    expect(bundleCalls.length).toBeGreaterThanOrEqual(3);
    expectInventory(endpoint, { stack, template });
  }, 30_000);

  test('the account\'s own bundle of a name Amazon also has: ambiguous, unless the owner is given', async () => {
    scenario = await startScenario();
    const { endpoint, stack } = scenario;
    endpoint.addBundle('wsb-own0000001', { name: 'Standard with Windows 10 (Server 2022 based)' });

    const ambiguous = synth([{ userName: 'alice', bundle: WorkspaceBundle.fromName('Standard with Windows 10 (Server 2022 based)') }]);
    const failed = await stack.deploy(ambiguous);
    expect(failed.reason).toContain('2 bundles among Amazon\'s bundles or this account\'s own have that name: wsb-12345678 (owner AMAZON), '
      + 'wsb-own0000001 (owner 123456789012)');
    expect(mutatingCalls(endpoint.callLog())).toEqual([]);
    expectInventory(endpoint, { stack, template: EMPTY_TEMPLATE });

    const own = synth([{ userName: 'alice', bundle: WorkspaceBundle.fromName('Standard with Windows 10 (Server 2022 based)', BundleOwner.ACCOUNT) }]);
    const deployed = await stack.deploy(own);
    expect(deployed.reason).toBeUndefined();
    expect(endpoint.inventory()[0].BundleId).toBe('wsb-own0000001');
    expectInventory(endpoint, { stack, template: own });
  }, 30_000);

  test('from an id to the name of the same bundle is in place; back again (the rollback\'s direction) too', async () => {
    scenario = await startScenario();
    const { endpoint, stack } = scenario;
    const byId = synth([{ userName: 'alice' }]);
    expect((await stack.deploy(byId)).ok).toBe(true);
    const [before] = endpoint.inventory();

    const byName = synth([{ userName: 'alice', bundle: WorkspaceBundle.fromName('Standard with Windows 10 (Server 2022 based)', BundleOwner.AMAZON) }]);
    const forward = await stack.deploy(byName);
    expect(forward.reason).toBeUndefined();
    expect(endpoint.inventory().map((w) => w.WorkspaceId)).toEqual([before.WorkspaceId]);
    expectInventory(endpoint, { stack, template: byName });

    const back = await stack.deploy(byId);
    expect(back.reason).toBeUndefined();
    expect(endpoint.inventory().map((w) => w.WorkspaceId)).toEqual([before.WorkspaceId]);
    expect(countCalls(endpoint.callLog(), 'CreateWorkspaces')).toBe(1);
    expectInventory(endpoint, { stack, template: byId });
  }, 30_000);

  test('with bundleChange REFUSE, a name that resolves to another bundle for the same user fails before any change, and the stack stays as it was', async () => {
    scenario = await startScenario();
    const { endpoint, stack } = scenario;
    const byId = synth([{ userName: 'alice' }]);
    expect((await stack.deploy(byId)).ok).toBe(true);
    const callsBefore = endpoint.callLog().length;

    const other = synth([{ userName: 'alice', bundle: WorkspaceBundle.fromName('Value with Windows 10 (Server 2022 based)'), bundleChange: BundleChange.REFUSE }]);
    const result = await stack.deploy(other);

    expect(result.ok).toBe(false);
    expect(result.rolledBack).toBe(true);
    expect(result.reason).toContain('Cannot change BundleName of WorkSpace');
    expect(mutatingCalls(endpoint.callLog().slice(callsBefore))).toEqual([]);
    expectInventory(endpoint, { stack, template: byId });
  }, 30_000);
});

describe('Workspace.fromUserName', () => {
  /** The lookup resource of a template, as the runner would hand it to the handlers. */
  function lookupEvent(template: Json, requestType: 'Create' | 'Delete', physicalResourceId?: string): Json {
    const [logicalId, resource] = Object.entries<Json>(template.Resources).find(([, r]) => r.Type === 'Custom::WorkspaceLookup')!;
    return {
      RequestType: requestType,
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Lookup/0b9f8a70-5e2d-11ef-9c4b-0a1b2c3d4e5f',
      LogicalResourceId: logicalId,
      RequestId: 'c0ffee00-1111-2222-3333-444455556666',
      ResourceType: resource.Type,
      PhysicalResourceId: physicalResourceId,
      ResourceProperties: { ...resource.Properties, ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:p' },
    };
  }

  /** A stack with a lookup of this user, and a Workspace of each of `alsoCreated`. */
  function lookupTemplate(userName: string, alsoCreated: string[] = []): Json {
    const stack = new Stack(new App(), 'Lookup');
    const dir = WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID);
    Workspace.fromUserName(stack, 'Console', { directory: dir, userName });
    for (const user of alsoCreated) {
      new Workspace(stack, user, { directory: dir, bundle: WorkspaceBundle.fromBundleId(BUNDLE_ID), userName: user });
    }
    return Template.fromStack(stack).toJSON();
  }

  test('finds a WorkSpace made elsewhere (compared without case), read-only; its Delete leaves it alone', async () => {
    scenario = await startScenario();
    const { endpoint } = scenario;
    const made = endpoint.seedWorkspace({ UserName: 'Carol', Tags: { team: 'console' } });
    const handlers = loadBundledHandlers(() => undefined);
    const context = { awsRequestId: 'r', getRemainingTimeInMillis: () => 300_000 };
    const template = lookupTemplate('carol');

    const started = await handlers.onEvent(lookupEvent(template, 'Create'), context);
    const done = await handlers.isComplete({ ...lookupEvent(template, 'Create'), ...started }, context);

    // The WorkSpace, and the directory and user it was found for.
    expect(started.PhysicalResourceId).toBe(`${made.WorkspaceId}:${DIRECTORY_ID}:carol`);
    expect(done).toEqual({ IsComplete: true });
    expect(started.Data).toMatchObject({ WorkspaceId: made.WorkspaceId, BundleId: BUNDLE_ID, State: 'AVAILABLE', IpAddress: made.IpAddress });

    await handlers.onEvent(lookupEvent(template, 'Delete', made.WorkspaceId), context);
    expect(await handlers.isComplete({ ...lookupEvent(template, 'Delete', made.WorkspaceId), Data: {} }, context)).toEqual({ IsComplete: true });
    expect(mutatingCalls(endpoint.callLog())).toEqual([]);
    expect(endpoint.inventory().map((w) => [w.WorkspaceId, w.State, w.Tags])).toEqual([[made.WorkspaceId, 'AVAILABLE', { team: 'console' }]]);
  }, 30_000);

  test('a lookup moved to a user without a WorkSpace is refused, and its rollback to a user whose WorkSpace was terminated meanwhile completes', async () => {
    scenario = await startScenario({
      faults: { forceErrorForUser: 'erin' },
      stackOptions: { resourceTypes: ['Custom::Workspace', 'Custom::WorkspaceLookup'] },
    });
    const { endpoint, stack, handlerLog } = scenario;
    const alice = endpoint.seedWorkspace({ UserName: 'alice' });
    endpoint.seedWorkspace({ UserName: 'carol' });
    const v1 = lookupTemplate('alice');
    expect((await stack.deploy(v1)).reason).toBeUndefined();
    const [lookupId] = Object.keys(Template.fromJSON(v1).findResources('Custom::WorkspaceLookup'));
    const held = stack.resources.get(lookupId)!.physicalId;
    expect(stack.resources.get(lookupId)!.data.WorkspaceId).toBe(alice.WorkspaceId);

    // alice's WorkSpace is terminated outside the stack; then the lookup is moved to bob, who has none.
    endpoint.setWorkspaceState(alice.WorkspaceId, 'TERMINATED');
    const before = endpoint.inventory();
    endpoint.resetCalls();
    const moved = await stack.deploy(lookupTemplate('bob'));
    expect(moved.ok).toBe(false);
    expect(moved.reason).toMatch(/no WorkSpace for user "bob": DescribeWorkspaces lists no WorkSpace of user "bob"/);
    // The rollback goes back to alice, whom the stack held: it completes, and says her WorkSpace is gone.
    expect(moved.rolledBack).toBe(true);
    expect(moved.rollbackFailure).toBeUndefined();
    const back = moved.operations.filter((o) => o.logicalId === lookupId);
    expect(back.map((o) => [o.operation, o.ok])).toEqual([['Update', false], ['Update', true]]);
    expect(back[1].data).toMatchObject({ WorkspaceId: alice.WorkspaceId, State: 'TERMINATED' });
    expect(stack.resources.get(lookupId)!.physicalId).toBe(held);
    expect(handlerLog.join('\n')).toMatch(new RegExp(`user "alice" no longer has a WorkSpace in directory ${DIRECTORY_ID}: ${alice.WorkspaceId} is TERMINATED\\. .*completes and keeps`));

    // Moved to carol, who has one, while erin's new Workspace fails: that rollback completes too.
    const failed = await stack.deploy(lookupTemplate('carol', ['erin']));
    expect(failed.ok).toBe(false);
    expect(failed.reason).toMatch(/erin/);
    expect(failed.rolledBack).toBe(true);
    expect(failed.rollbackFailure).toBeUndefined();
    expect(stack.resources.get(lookupId)!.physicalId).toBe(held);

    // Read-only: nothing lost, nothing left behind; the only changes were erin's, undone by her rollback.
    expect(mutatingCalls(endpoint.callLog()).map((c) => c.operation).sort()).toEqual(['CreateWorkspaces', 'TerminateWorkspaces']);
    expect(endpoint.inventory()).toEqual(before);
  }, 60_000);

  test('a user without a WorkSpace fails naming the user and the directory', async () => {
    scenario = await startScenario();
    const handlers = loadBundledHandlers(() => undefined);
    const context = { awsRequestId: 'r', getRemainingTimeInMillis: () => 300_000 };
    await expect(handlers.onEvent(lookupEvent(lookupTemplate('nobody'), 'Create'), context)).rejects.toThrow(
      `Workspace.fromUserName: no WorkSpace for user "nobody": DescribeWorkspaces lists no WorkSpace of user "nobody" in directory ${DIRECTORY_ID}`);
    expect(mutatingCalls(scenario.endpoint.callLog())).toEqual([]);
  }, 30_000);
});
