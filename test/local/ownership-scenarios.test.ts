// Ownership scenarios (issue #9): a WorkSpace that existed before a deployment is never lost by
// it. The real bundled handlers, driven as CloudFormation and the Provider framework would
// (runner.ts), talk to the local WorkSpaces endpoint; each scenario ends with an inventory check.
// The endpoint authorizes every call as IAM would, with the policies the deployed template gives
// each handler's role (each handler signs with its own access key), so every scenario also
// proves that the handlers never need more than their roles allow.
// Needs the bundle: `npx projen bundle` first.
import { DeleteTagsCommand, ModifyWorkspacePropertiesCommand, TerminateWorkspacesCommand, WorkSpacesClient } from '@aws-sdk/client-workspaces';
import { LocalWorkspaces, WorkspaceSnapshot } from './endpoint';
import { DeployResult, LocalStack, loadBundledHandlers } from './runner';
import {
  DIRECTORY_ID,
  EMPTY_TEMPLATE,
  expectInventory,
  logicalIdOf,
  mutatingCalls,
  Scenario,
  startScenario,
  synth,
  VALUE_BUNDLE_ID,
} from './scenario-helpers';
import { parseOwnership, stackUuid } from '../../lambda/core/ownership';
import { RunningMode } from '../../src';
import { OWNERSHIP_TAG_KEY } from '../../src/private/rules';
import { Caller, handlerPolicies, iamAuthorizer } from '../iam/simulated-iam';

type Json = any;
type Keys = { readonly onEvent: string; readonly isComplete: string };
const KEYS: Keys = { onEvent: 'AKIAONEVENT', isComplete: 'AKIAISCOMPLETE' };
const OTHER_KEYS: Keys = { onEvent: 'AKIAOTHERONEVENT', isComplete: 'AKIAOTHERISCOMPLETE' };

/** Who may call the endpoint, by access key id, with which role's policies. */
const callers = new Map<string, Caller>();

/**
 * Deploys, with the handlers' calls authorized by the policies this template gives their roles
 * (a template without the provider keeps the ones before: CloudFormation deletes the roles last).
 */
async function deploy(endpoint: LocalWorkspaces, stack: LocalStack, template: Json, keys: Keys = KEYS): Promise<DeployResult> {
  const provider = Object.values<Json>(template.Resources).some((r) => r.Type === 'AWS::Lambda::Function');
  if (provider) {
    const env = { stackId: stack.stackId, account: '123456789012', region: 'us-east-1' };
    const policies = handlerPolicies(template, env);
    callers.set(keys.onEvent, { env, policies: policies.onEvent });
    callers.set(keys.isComplete, { env, policies: policies.isComplete });
  }
  endpoint.authorize = iamAuthorizer(callers);
  const result = await stack.deploy(template);
  // Nothing the handlers asked for was refused by IAM.
  expect(endpoint.callLog().filter((c) => c.errorType === 'AccessDeniedException')).toEqual([]);
  return result;
}

let scenario: Scenario | undefined;

afterEach(async () => {
  await scenario?.stop();
  scenario = undefined;
  callers.clear();
});

/** The WorkSpace as it is now. */
function current(scenarioNow: Scenario, workspaceId: string): WorkspaceSnapshot {
  return scenarioNow.endpoint.inventory().find((w) => w.WorkspaceId === workspaceId)!;
}

/** The snapshot without the ownership tag: what a released WorkSpace looks like. */
function released(before: WorkspaceSnapshot, extraTags: Record<string, string> = {}): WorkspaceSnapshot {
  const { [OWNERSHIP_TAG_KEY]: _, ...tags } = before.Tags;
  return { ...before, Tags: { ...tags, ...extraTags } };
}

/** Deploys alice's WorkSpace, then removes it from the app: the default removal policy keeps it. */
async function retainedWorkspace(s: Scenario): Promise<WorkspaceSnapshot> {
  const first = await deploy(s.endpoint, s.stack, synth([{ userName: 'alice', tags: { 'cost-center': '42' } }]));
  expect(first.ok).toBe(true);
  const removed = await deploy(s.endpoint, s.stack, EMPTY_TEMPLATE);
  expect(removed.ok).toBe(true);
  const [kept] = s.endpoint.inventory();
  expect(kept.State).toBe('AVAILABLE');
  expect(parseOwnership(kept.Tags[OWNERSHIP_TAG_KEY])?.kind).toBe('created');
  return kept;
}

describe('a WorkSpace retained by the default removal policy', () => {
  test('declared again under the same construct id fails without adoptExisting, naming it, and is untouched', async () => {
    scenario = await startScenario({ accessKeyIds: KEYS });
    const { endpoint, stack } = scenario;
    const kept = await retainedWorkspace(scenario);
    endpoint.resetCalls();

    const result = await deploy(endpoint, stack, synth([{ userName: 'alice', tags: { 'cost-center': '42' } }]));

    expect(result.ok).toBe(false);
    expect(result.reason).toContain(`WorkSpace ${kept.WorkspaceId} of user "alice" in directory ${DIRECTORY_ID} already exists`);
    expect(result.reason).toContain('this resource in an earlier lifetime');
    expect(result.reason).toContain('adoptExisting: true');
    expect(mutatingCalls(endpoint.callLog())).toEqual([]);
    expectInventory(endpoint, { stack, template: EMPTY_TEMPLATE, unchanged: [kept] });
  }, 30_000);

  test('declared again with adoptExisting is adopted: marked as adopted, brought to the declared properties and tags', async () => {
    scenario = await startScenario({ accessKeyIds: KEYS });
    const { endpoint, stack } = scenario;
    const kept = await retainedWorkspace(scenario);
    endpoint.resetCalls();
    const template = synth([{ userName: 'alice', adoptExisting: true, runningMode: RunningMode.ALWAYS_ON, tags: { project: 'apollo' } }]);

    const result = await deploy(endpoint, stack, template);

    expect(result.reason).toBeUndefined();
    const aliceId = logicalIdOf(template, 'alice');
    expect(stack.resources.get(aliceId)!.physicalId).toBe(kept.WorkspaceId);
    expect(endpoint.callLog().filter((c) => c.operation === 'CreateWorkspaces')).toEqual([]);
    // The tag put on it in its earlier lifetime stays: the new lifetime never declared it before.
    expectInventory(endpoint, { stack, template, adoptedTags: { [aliceId]: { 'cost-center': '42' } } });
    expect(parseOwnership(current(scenario, kept.WorkspaceId).Tags[OWNERSHIP_TAG_KEY])?.kind).toBe('adopted');
  }, 30_000);

  test.each([false, true])('declared again (adoptExisting: %s) in a deployment that fails elsewhere survives the rollback', async (adoptExisting) => {
    scenario = await startScenario({ accessKeyIds: KEYS });
    const { endpoint, stack } = scenario;
    const kept = await retainedWorkspace(scenario);
    const foreign = endpoint.seedWorkspace({ UserName: 'bob', Tags: { owner: 'it-department' } });
    endpoint.resetCalls();

    const result = await deploy(endpoint, stack, synth([
      { userName: 'alice', adoptExisting, tags: { 'cost-center': '42' } },
      { userName: 'bob' },
    ]));

    expect(result.ok).toBe(false);
    expect(result.rolledBack).toBe(true);
    expect(endpoint.callLog().filter((c) => c.operation === 'TerminateWorkspaces')).toEqual([]);
    // Adopted, then released by the rollback: running, without the marking. Not adopted: untouched.
    const expected = adoptExisting ? released(kept) : kept;
    expectInventory(endpoint, { stack, template: EMPTY_TEMPLATE, unchanged: [expected, foreign] });
  }, 30_000);
});

test.each([false, true])('a user change reverted (alice, bob, alice; adoptExisting: %s) in a deployment that fails elsewhere: alice\'s WorkSpace survives', async (adoptExisting) => {
  scenario = await startScenario({ accessKeyIds: KEYS });
  const { endpoint, stack } = scenario;
  expect((await deploy(endpoint, stack, synth([{ id: 'Desk', userName: 'alice' }]))).ok).toBe(true);
  const toBob = synth([{ id: 'Desk', userName: 'bob' }]);
  expect((await deploy(endpoint, stack, toBob)).reason).toBeUndefined();
  // The replacement kept alice's WorkSpace (the default removal policy).
  const alices = endpoint.inventory().find((w) => w.UserName === 'alice')!;
  const foreign = endpoint.seedWorkspace({ UserName: 'carol', Tags: { owner: 'it-department' } });
  endpoint.resetCalls();

  const result = await deploy(endpoint, stack, synth([{ id: 'Desk', userName: 'alice', adoptExisting }, { userName: 'carol' }]));

  expect(result.ok).toBe(false);
  expect(result.rollbackFailure).toBeUndefined();
  expect(result.rolledBack).toBe(true);
  if (!adoptExisting) {
    expect(result.reason).toMatch(/Desk[0-9A-F]+: WorkSpace ws-\w+ of user "alice" .*this resource in an earlier lifetime|carol/);
  }
  expect(endpoint.callLog().filter((c) => c.operation === 'TerminateWorkspaces')).toEqual([]);
  expectInventory(endpoint, { stack, template: toBob, unchanged: [adoptExisting ? released(alices) : alices, foreign] });
}, 30_000);

test('adopting a WorkSpace with another bundle fails before any change, naming the difference, and leaves it untouched', async () => {
  scenario = await startScenario({ accessKeyIds: KEYS });
  const { endpoint, stack } = scenario;
  const existing = endpoint.seedWorkspace({ UserName: 'alice', BundleId: VALUE_BUNDLE_ID, Tags: { owner: 'it-department' } });
  endpoint.resetCalls();

  const result = await deploy(endpoint, stack, synth([{ userName: 'alice', adoptExisting: true }]));

  expect(result.ok).toBe(false);
  expect(result.reason).toContain(`Cannot adopt WorkSpace ${existing.WorkspaceId} of user "alice" in directory ${DIRECTORY_ID}`);
  expect(result.reason).toContain(`its bundle is "${VALUE_BUNDLE_ID}", declared "wsb-12345678"`);
  expect(mutatingCalls(endpoint.callLog())).toEqual([]);
  expectInventory(endpoint, { stack, template: EMPTY_TEMPLATE, unchanged: [existing] });
}, 30_000);

test('an adopting Create that fails is rolled back by releasing the WorkSpace: running, unmarked, with the changes already made', async () => {
  // The adopting resource itself fails: every ModifyWorkspaceProperties answers 500 until the
  // Provider's total timeout. The declared tag (the first step) was applied by then.
  scenario = await startScenario({
    accessKeyIds: KEYS,
    handlerSpeedUp: 50,
    faults: { serverErrorRate: 1, operations: ['ModifyWorkspaceProperties'] },
    stackOptions: { totalTimeoutMs: 4_000 },
  });
  const { endpoint, stack } = scenario;
  const existing = endpoint.seedWorkspace({ UserName: 'alice', Tags: { owner: 'it-department' } });
  endpoint.resetCalls();

  const result = await deploy(endpoint, stack, synth([{ userName: 'alice', adoptExisting: true, runningMode: RunningMode.MANUAL, tags: { project: 'apollo' } }]));

  expect(result.ok).toBe(false);
  expect(result.reason).toContain('timed out');
  expect(result.rolledBack).toBe(true);
  const rollback = result.operations.find((o) => o.operation === 'Delete')!;
  expect(rollback).toMatchObject({ ok: true, physicalId: existing.WorkspaceId });
  expect(endpoint.callLog().filter((c) => c.operation === 'TerminateWorkspaces')).toEqual([]);
  // The properties step was reached (and refused), so the tag step before it was made.
  expect(endpoint.callLog().some((c) => c.operation === 'ModifyWorkspaceProperties' && c.status >= 500)).toBe(true);
  expect(current(scenario, existing.WorkspaceId).State).toBe('AVAILABLE');
  expectInventory(endpoint, { stack, template: EMPTY_TEMPLATE, unchanged: [released(existing, { project: 'apollo' })] });
}, 30_000);

test('adopting a WorkSpace that another stack manages is refused, naming that stack, and leaves it untouched', async () => {
  scenario = await startScenario({ accessKeyIds: KEYS });
  const { endpoint, stack } = scenario;
  const template = synth([{ userName: 'alice' }]);
  expect((await deploy(endpoint, stack, template)).ok).toBe(true);
  const [owned] = endpoint.inventory();
  const other = new LocalStack({ stackName: 'Other', pollIntervalMs: 20, handlers: loadBundledHandlers(() => undefined, { accessKeyIds: OTHER_KEYS }) });
  endpoint.resetCalls();

  const result = await deploy(endpoint, other, synth([{ userName: 'alice', adoptExisting: true }]), OTHER_KEYS);

  expect(result.ok).toBe(false);
  expect(result.reason).toContain(`WorkSpace ${owned.WorkspaceId} of user "alice"`);
  expect(result.reason).toContain(`a resource of another stack (stack ${stackUuid(stack.stackId)}, logical id ${logicalIdOf(template, 'alice')})`);
  expect(mutatingCalls(endpoint.callLog())).toEqual([]);
  expectInventory(endpoint, { stack: other, template: EMPTY_TEMPLATE, unchanged: [owned] });
  expectInventory(endpoint, { stack, template });
}, 30_000);

test('a change of only the case of the user name is in place: same WorkSpace, and the tag removal of the same deploy is made', async () => {
  scenario = await startScenario({ accessKeyIds: KEYS });
  const { endpoint, stack } = scenario;
  expect((await deploy(endpoint, stack, synth([{ id: 'Desk', userName: 'alice', tags: { team: 'desk', cost: 'cc-1' } }]))).ok).toBe(true);
  const [before] = endpoint.inventory();
  endpoint.resetCalls();
  const template = synth([{ id: 'Desk', userName: 'ALICE', tags: { team: 'desk' } }]);

  const result = await deploy(endpoint, stack, template);

  expect(result.reason).toBeUndefined();
  expect(endpoint.callLog().filter((c) => c.operation === 'CreateWorkspaces' || c.operation === 'TerminateWorkspaces')).toEqual([]);
  expect(stack.resources.get(logicalIdOf(template, 'ALICE'))!.physicalId).toBe(before.WorkspaceId);
  expectInventory(endpoint, { stack, template });
}, 30_000);

test('the endpoint refuses, as IAM would, what the roles do not allow: another stack\'s termination, isComplete touching the marking', async () => {
  scenario = await startScenario({ accessKeyIds: KEYS });
  const { endpoint, stack } = scenario;
  expect((await deploy(endpoint, stack, synth([{ userName: 'alice' }]))).ok).toBe(true);
  const other = new LocalStack({ stackName: 'Other', pollIntervalMs: 20, handlers: loadBundledHandlers(() => undefined, { accessKeyIds: OTHER_KEYS }) });
  expect((await deploy(endpoint, other, synth([{ userName: 'bob' }]), OTHER_KEYS)).ok).toBe(true);
  const [alices] = endpoint.inventory().filter((w) => w.UserName === 'alice');
  const as = (accessKeyId: string) => new WorkSpacesClient({ ...endpoint.clientConfig(), credentials: { accessKeyId, secretAccessKey: 'local' } });
  endpoint.resetCalls();

  await expect(as(OTHER_KEYS.onEvent).send(new TerminateWorkspacesCommand({ TerminateWorkspaceRequests: [{ WorkspaceId: alices.WorkspaceId }] })))
    .rejects.toThrow(/not authorized to perform: workspaces:TerminateWorkspaces/);
  await expect(as(OTHER_KEYS.isComplete).send(new ModifyWorkspacePropertiesCommand({
    WorkspaceId: alices.WorkspaceId, WorkspaceProperties: { RunningMode: 'ALWAYS_ON' },
  }))).rejects.toThrow(/not authorized to perform: workspaces:ModifyWorkspaceProperties/);
  await expect(as(KEYS.isComplete).send(new DeleteTagsCommand({ ResourceId: alices.WorkspaceId, TagKeys: [OWNERSHIP_TAG_KEY] })))
    .rejects.toThrow(/ExplicitlyDenied/);
  // This stack's own handler may: the same call that was refused to the other stack's.
  await as(KEYS.isComplete).send(new ModifyWorkspacePropertiesCommand({ WorkspaceId: alices.WorkspaceId, WorkspaceProperties: { RunningMode: 'ALWAYS_ON' } }));

  expect(endpoint.callLog().map((c) => [c.operation, c.status])).toEqual([
    ['TerminateWorkspaces', 400], ['ModifyWorkspaceProperties', 400], ['DeleteTags', 400], ['ModifyWorkspaceProperties', 200],
  ]);
  expect(current(scenario, alices.WorkspaceId).Tags[OWNERSHIP_TAG_KEY]).toBe(alices.Tags[OWNERSHIP_TAG_KEY]);
}, 30_000);
