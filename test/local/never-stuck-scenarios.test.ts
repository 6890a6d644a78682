// Fault scenarios of issue 10 (never stuck, never silent), through the runner and the local
// endpoint with the real bundled handlers. Each ends with the inventory check.
// Needs the bundle: `npx projen bundle` first.
import type { WorkspaceState } from '@aws-sdk/client-workspaces';
import { Size } from 'aws-cdk-lib';
import {
  countCalls,
  EMPTY_TEMPLATE,
  expectInventory,
  HeldClock,
  logicalIdOf,
  Scenario,
  startScenario,
  synth,
  VALUE_BUNDLE_ID,
  WorkspaceSpec,
} from './scenario-helpers';
import { BundleChange, ComputeType, WorkspaceBundle } from '../../src';

let scenario: Scenario | undefined;

afterEach(async () => {
  await scenario?.stop();
  scenario = undefined;
});

const ALICE: WorkspaceSpec = { userName: 'alice', computeType: ComputeType.STANDARD, tags: { team: 'desk' } };

describe('a rollback that changes nothing completes in any state', () => {
  test.each<[WorkspaceState, RegExp]>([
    ['ERROR', /is in state ERROR: InternalError: The WorkSpace failed to boot\..*still to do.*Reboot or rebuild it/],
    ['SUSPENDED', /is SUSPENDED and cannot be changed.*still to do/],
    ['UNHEALTHY', /did not reach the desired state within 1 second.*last observed state was UNHEALTHY, with ModifyWorkspaceProperties ComputeTypeName .* still to do/],
  ])('a compute type change on a WorkSpace in %s fails, its rollback completes, and once repaired the change deploys', async (state, reason) => {
    scenario = await startScenario();
    const { endpoint, stack } = scenario;
    const v1 = synth([ALICE]);
    expect((await stack.deploy(v1)).ok).toBe(true);
    const logicalId = logicalIdOf(v1, 'alice');
    const workspaceId = stack.resources.get(logicalId)!.physicalId;
    endpoint.setWorkspaceState(workspaceId, state, state === 'ERROR' ? { code: 'InternalError', message: 'The WorkSpace failed to boot.' } : undefined);
    endpoint.resetCalls();
    const v2 = synth([{ ...ALICE, computeType: ComputeType.PERFORMANCE }]);
    // An UNHEALTHY WorkSpace may recover by itself, so the handler waits for it: here only a second.
    const impatient = JSON.parse(JSON.stringify(v2));
    impatient.Resources[logicalId].Properties.TimeoutSeconds = 1;

    const result = await stack.deploy(impatient);

    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(reason);
    expect(result.rollbackFailure).toBeUndefined();
    expect(result.rolledBack).toBe(true);
    const rollback = result.operations[result.operations.length - 1];
    expect(rollback).toMatchObject({ operation: 'Update', ok: true, data: { State: state, WorkspaceId: workspaceId } });
    expect(countCalls(endpoint.callLog(), 'ModifyWorkspaceProperties', 'all')).toBe(0);

    // Someone repairs the WorkSpace; deploying again applies the change.
    endpoint.setWorkspaceState(workspaceId, 'AVAILABLE');
    const again = await stack.deploy(v2);
    expect(again.reason).toBeUndefined();
    expectInventory(endpoint, { stack, template: v2 });
  }, 30_000);

  test('a tag change on an UNHEALTHY WorkSpace is applied at once and completes', async () => {
    scenario = await startScenario();
    const { endpoint, stack } = scenario;
    const v1 = synth([ALICE]);
    expect((await stack.deploy(v1)).ok).toBe(true);
    const workspaceId = stack.resources.get(logicalIdOf(v1, 'alice'))!.physicalId;
    endpoint.setWorkspaceState(workspaceId, 'UNHEALTHY');
    const v2 = synth([{ ...ALICE, tags: { team: 'platform' } }]);

    const result = await stack.deploy(v2);

    expect(result.reason).toBeUndefined();
    expect(result.operations[0]).toMatchObject({ ok: true, data: { State: 'UNHEALTHY' } });
    expect(result.operations[0].polls).toBeLessThanOrEqual(2);
    expect(endpoint.inventory()[0].Tags.team).toBe('platform');
    endpoint.setWorkspaceState(workspaceId, 'AVAILABLE');
    expectInventory(endpoint, { stack, template: v2 });
  }, 30_000);
});

describe('refusals carry the service\'s reason', () => {
  test('a compute type change the service rate-limits fails at its first refusal with the service\'s message, and rolls back', async () => {
    scenario = await startScenario();
    const { endpoint, stack } = scenario;
    expect((await stack.deploy(synth([ALICE]))).ok).toBe(true);
    const v2 = synth([{ ...ALICE, computeType: ComputeType.PERFORMANCE }]);
    expect((await stack.deploy(v2)).ok).toBe(true);
    endpoint.resetCalls();

    // A second larger compute type within 6 hours.
    const result = await stack.deploy(synth([{ ...ALICE, computeType: ComputeType.POWER }]));

    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/ModifyWorkspaceProperties ComputeTypeName \{"ComputeTypeName":"POWER"\} was refused for WorkSpace ws-\w+, which is AVAILABLE: InvalidResourceStateException: The compute type of WorkSpace ws-\w+ cannot be changed from PERFORMANCE to POWER now: it was changed to a larger compute type less than 6 hours ago\./);
    expect(result.reason).toMatch(/deploy this change again once that time has passed, or declare what the WorkSpace has now/);
    expect(result.operations[0].polls).toBe(1);
    expect(countCalls(endpoint.callLog(), 'ModifyWorkspaceProperties', 'all')).toBe(1);
    expect(result.rolledBack).toBe(true);
    expect(result.rollbackFailure).toBeUndefined();
    expectInventory(endpoint, { stack, template: v2 });
  }, 30_000);
});

describe('removing a prop', () => {
  test('removing computeType brings the WorkSpace back to its bundle\'s compute type', async () => {
    scenario = await startScenario();
    const { endpoint, stack } = scenario;
    expect((await stack.deploy(synth([{ ...ALICE, computeType: ComputeType.POWER }]))).ok).toBe(true);
    expect(endpoint.inventory()[0].WorkspaceProperties.ComputeTypeName).toBe('POWER');
    endpoint.resetCalls();
    const v2 = synth([{ ...ALICE, computeType: undefined }]);

    const result = await stack.deploy(v2);

    expect(result.reason).toBeUndefined();
    // The bundle of the scenarios (wsb-12345678) is a STANDARD one.
    expect(endpoint.inventory()[0].WorkspaceProperties.ComputeTypeName).toBe('STANDARD');
    expect(countCalls(endpoint.callLog(), 'DescribeWorkspaceBundles')).toBeGreaterThanOrEqual(1);
    expectInventory(endpoint, { stack, template: v2 });
  }, 30_000);
});

describe('inside CloudFormation\'s hour', () => {
  // The handlers' clock, and CloudFormation's, run 400 times faster: an hour passes in 9 s, the
  // Provider polls every 30 s (75 ms), and CloudFormation's request reaches onEvent a minute
  // late (150 ms: delivery, the framework's cold start). The margin is then 0.75 s of real time,
  // enough for a busy test machine.
  const SPEED_UP = 400;
  const anHour = {
    timing: { pendingMs: 600_000 },
    handlerSpeedUp: SPEED_UP,
    pollIntervalMs: 30_000 / SPEED_UP,
    stackOptions: { cloudFormationSpeedUp: SPEED_UP, startDelayMs: 60_000 / SPEED_UP },
  };

  test('a Create still PENDING near the hour fails with the handler\'s own message and id first, and the rollback terminates it', async () => {
    scenario = await startScenario(anHour);
    const { endpoint, stack } = scenario;
    const template = synth([ALICE]);
    const logicalId = logicalIdOf(template, 'alice');
    expect(template.Resources[logicalId].Properties).toMatchObject({ TimeoutSeconds: 3300, ServiceTimeout: '3600' });

    const result = await stack.deploy(template);

    expect(result.ok).toBe(false);
    const created = result.operations.find((o) => o.operation === 'Create')!;
    expect(created.physicalId).toMatch(/^ws-/);
    expect(result.reason).toMatch(new RegExp(`^${logicalId}: WorkSpace ${created.physicalId} did not reach the desired state within 3300 seconds `
      + '\\(TimeoutSeconds\\); its last observed state was PENDING\\. CloudFormation\'s rollback now terminates this new WorkSpace'));
    expect(result.operations.find((o) => o.operation === 'Delete')).toMatchObject({ ok: true, physicalId: created.physicalId });
    expectInventory(endpoint, { stack, template: EMPTY_TEMPLATE });
  }, 30_000);

  test('a hand-written ServiceTimeout shorter than the timeout: the handler still fails first, 5 minutes before it', async () => {
    scenario = await startScenario(anHour);
    const { endpoint, stack } = scenario;
    const template = synth([ALICE]);
    const logicalId = logicalIdOf(template, 'alice');
    template.Resources[logicalId].Properties.ServiceTimeout = 1800;

    const result = await stack.deploy(template);

    expect(result.reason).toMatch(new RegExp(`^${logicalId}: WorkSpace ws-\\w+ did not reach the desired state within 1500 seconds`));
    expect(result.operations.find((o) => o.operation === 'Delete')).toMatchObject({ ok: true });
    expectInventory(endpoint, { stack, template: EMPTY_TEMPLATE });
  }, 30_000);

  test('when CloudFormation reaches onEvent later than the margin allows, its deadline comes first and the WorkSpace is orphaned', async () => {
    // The control case: the runner fails the resource as CloudFormation does, without the id.
    scenario = await startScenario({ ...anHour, stackOptions: { ...anHour.stackOptions, startDelayMs: 400_000 / SPEED_UP } });
    const { endpoint, stack } = scenario;

    const result = await stack.deploy(synth([ALICE]));

    expect(result.reason).toMatch(/CloudFormation did not receive a response from the custom resource within its ServiceTimeout \(3600 seconds\)/);
    expect(result.operations.find((o) => o.operation === 'Delete')).toBeUndefined();
    // The orphan: a WorkSpace no stack holds, what the margin prevents when onEvent runs in time.
    expect(endpoint.inventory()).toHaveLength(1);
    expectInventory(endpoint, { stack, template: EMPTY_TEMPLATE, unchanged: endpoint.inventory() });
  }, 30_000);
});

describe('deploying again continues where the last deploy stopped', () => {
  test('an update of two volumes that outlasts its timeout keeps the step it took; the next deploy takes only the rest', async () => {
    const clock = new HeldClock();
    let failed = false;
    scenario = await startScenario({ timing: { updatingMs: 1_500 }, clock: clock.now, stackOptions: { onProgress: (e) => { failed ||= e.phase === 'failed'; } } });
    const { endpoint, stack } = scenario;
    const v1 = synth([ALICE]);
    expect((await stack.deploy(v1)).ok).toBe(true);
    const logicalId = logicalIdOf(v1, 'alice');
    const v2 = synth([{ ...ALICE, rootVolumeSize: Size.gibibytes(175), userVolumeSize: Size.gibibytes(100) }]);
    const hurried = JSON.parse(JSON.stringify(v2));
    hurried.Resources[logicalId].Properties.TimeoutSeconds = 1;
    // The handler's second runs on real time, the 1.5 s of UPDATING on the endpoint's clock: that
    // clock stands still until the timeout has come, or a loaded machine could end the UPDATING first.
    clock.holdUntil(() => failed);

    const result = await stack.deploy(hurried);

    expect(result.ok).toBe(false);
    // The user volume grows first (root 175 needs user 100); the timeout comes while it does.
    expect(result.reason).toMatch(/within 1 second \(TimeoutSeconds\); its last observed state was UPDATING \(USER_VOLUME UPDATE_IN_PROGRESS\)\. The changes made so far stay/);
    // The rollback waits for that step, keeps the grown user volume (a volume never shrinks) and completes.
    expect(result.rolledBack).toBe(true);
    expect(endpoint.inventory()[0].WorkspaceProperties).toMatchObject({ RootVolumeSizeGib: 80, UserVolumeSizeGib: 100 });

    endpoint.resetCalls();
    const again = await stack.deploy(v2);

    expect(again.reason).toBeUndefined();
    expect(endpoint.callLog().filter((c) => c.operation === 'ModifyWorkspaceProperties').map((c) => c.status)).toEqual([200]);
    expectInventory(endpoint, { stack, template: v2 });
  }, 30_000);
});

describe('a grown volume cannot shrink', () => {
  test('the rollback of an update that grew a volume completes with the larger volume, and says so', async () => {
    scenario = await startScenario();
    const { endpoint, stack, handlerLog } = scenario;
    const bob: WorkspaceSpec = { userName: 'bob' };
    const v1 = synth([{ ...ALICE, userVolumeSize: Size.gibibytes(50) }, bob]);
    expect((await stack.deploy(v1)).ok).toBe(true);
    const aliceId = stack.resources.get(logicalIdOf(v1, 'alice'))!.physicalId;

    // Alice's user volume grows; bob's bundle change is refused, so the deploy rolls back.
    const valueBob = { ...bob, bundle: WorkspaceBundle.fromBundleId(VALUE_BUNDLE_ID), bundleChange: BundleChange.REFUSE };
    const result = await stack.deploy(synth([{ ...ALICE, userVolumeSize: Size.gibibytes(100) }, valueBob]));

    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/Cannot change BundleId/);
    expect(result.rollbackFailure).toBeUndefined();
    expect(result.rolledBack).toBe(true);
    expect(endpoint.inventory().find((w) => w.WorkspaceId === aliceId)!.WorkspaceProperties.UserVolumeSizeGib).toBe(100);
    expect(handlerLog).toContain(`${aliceId}: the user volume stays at 100 GiB although 50 GiB is declared: a volume cannot shrink. Left as it is.`);

    // Declaring what the WorkSpace has deploys without a call that changes anything.
    endpoint.resetCalls();
    const v3 = synth([{ ...ALICE, userVolumeSize: Size.gibibytes(100) }, bob]);
    expect((await stack.deploy(v3)).reason).toBeUndefined();
    expect(countCalls(endpoint.callLog(), 'ModifyWorkspaceProperties', 'all')).toBe(0);
    expectInventory(endpoint, { stack, template: v3 });
  }, 30_000);
});
