// Bundle changes that migrate a WorkSpace in place (issue 21), through the runner and the local
// endpoint with the real bundled handlers: forward, refused, waiting for a snapshot, failed at the
// service, and rolled back when another resource of the deployment fails. Each checks the user's
// data marker and the inventory. Needs the bundle: `npx projen bundle` first.
//
// The documented window: while the service migrates, the user has two WorkSpaces (the original,
// which they can no longer use, and the new one, PENDING, invisible at first); at no moment has
// the user none.
import { RemovalPolicy } from 'aws-cdk-lib';
import {
  countCalls,
  expectInventory,
  logicalIdOf,
  PERFORMANCE_BUNDLE_ID,
  Scenario,
  startScenario,
  synth,
  WorkspaceSpec,
} from './scenario-helpers';
import { parseMigrationMark } from '../../lambda/plan';
import { BundleChange, RunningMode, WorkspaceBundle } from '../../src';
import { MIGRATION_TAG_KEY } from '../../src/private/rules';
import { handlerPolicies, iamAuthorizer } from '../iam/simulated-iam';

let scenario: Scenario | undefined;

afterEach(async () => {
  await scenario?.stop();
  scenario = undefined;
});

const ALICE: WorkspaceSpec = { userName: 'alice', runningMode: RunningMode.AUTO_STOP, tags: { team: 'desk' } };
const ON_PERFORMANCE: WorkspaceSpec = { ...ALICE, bundle: WorkspaceBundle.fromBundleId(PERFORMANCE_BUNDLE_ID) };
/** Snapshots every 400 ms of the endpoint's clock (12 hours at the service). */
const SNAPSHOT_MS = 400;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a scenario whose endpoint snapshots every SNAPSHOT_MS, and records whether alice ever had no WorkSpace. */
async function start(options: { snapshotIntervalMs?: number; forceErrorForUser?: string } = {}) {
  const gaps: string[] = [];
  let endpointRef: Scenario['endpoint'] | undefined;
  let seen = false;
  scenario = await startScenario({
    timing: { snapshotIntervalMs: options.snapshotIntervalMs ?? SNAPSHOT_MS, migratingMs: 300 },
    faults: options.forceErrorForUser ? { forceErrorForUser: options.forceErrorForUser } : undefined,
    stackOptions: {
      onProgress: (e) => {
        // From her first WorkSpace on, alice always has one.
        const has = (endpointRef?.inventory().map((w) => w.UserName) ?? []).includes('alice');
        if (seen && !has) {
          gaps.push(`${e.logicalId} ${e.operation} ${e.phase}`);
        }
        seen ||= has;
      },
    },
  });
  endpointRef = scenario.endpoint;
  return { ...scenario, gaps };
}

/** Deploys ALICE, writes her data marker and waits for a snapshot newer than it. */
async function aliceWithData(s: Scenario, template = synth([ALICE])): Promise<string> {
  expect((await s.stack.deploy(template)).ok).toBe(true);
  const workspaceId = s.stack.resources.get(logicalIdOf(template, 'alice'))!.physicalId;
  s.endpoint.writeUserData(workspaceId, 'notes.txt', 'written before the migration');
  await sleep(s.endpoint.timing.snapshotIntervalMs + 100);
  s.endpoint.resetCalls();
  return workspaceId;
}

function aliceInventory(s: Scenario) {
  return s.endpoint.inventory().filter((w) => w.UserName === 'alice');
}

test('a bundle change migrates the WorkSpace: same user and directory, new id as the physical id, the user\'s data kept', async () => {
  const s = await start();
  const v1 = synth([ALICE]);
  const before = await aliceWithData(s, v1);
  const logicalId = logicalIdOf(v1, 'alice');
  const v2 = synth([ON_PERFORMANCE]);

  const result = await s.stack.deploy(v2);

  expect(result.reason).toBeUndefined();
  const after = s.stack.resources.get(logicalId)!.physicalId;
  expect(after).not.toBe(before);
  const [migrated] = aliceInventory(s);
  expect(aliceInventory(s)).toHaveLength(1);
  expect(migrated).toMatchObject({ WorkspaceId: after, BundleId: PERFORMANCE_BUNDLE_ID, DirectoryId: 'd-1234567890', State: 'AVAILABLE' });
  expect(s.endpoint.userVolume(after)).toEqual({ 'notes.txt': 'written before the migration' });
  expect(s.endpoint.migrations()).toEqual([expect.objectContaining({ sourceWorkspaceId: before, targetWorkspaceId: after, outcome: 'succeeded' })]);
  expect(countCalls(s.endpoint.callLog(), 'MigrateWorkspace')).toBe(1);
  expect(countCalls(s.endpoint.callLog(), 'CreateWorkspaces', 'all')).toBe(0);
  expect(countCalls(s.endpoint.callLog(), 'TerminateWorkspaces', 'all')).toBe(0);
  expect(s.gaps).toEqual([]);
  expectInventory(s.endpoint, { stack: s.stack, template: v2 });
  // Under the default removal policy CloudFormation sends no Delete of the old id; the next request
  // for the new id commits the migration (its marking goes).
  expect(parseMigrationMark(migrated.Tags[MIGRATION_TAG_KEY])).toMatchObject({ state: 'pending', from: before });
  const v3 = synth([{ ...ON_PERFORMANCE, tags: { team: 'platform' } }]);
  expect((await s.stack.deploy(v3)).reason).toBeUndefined();
  expect(aliceInventory(s)[0].Tags[MIGRATION_TAG_KEY]).toBeUndefined();
  expectInventory(s.endpoint, { stack: s.stack, template: v3 });
}, 30_000);

test('under DESTROY, CloudFormation\'s Delete of the old id finds it gone, terminates nothing and commits the migration', async () => {
  const s = await start();
  const v1 = synth([{ ...ALICE, removalPolicy: RemovalPolicy.DESTROY }]);
  const before = await aliceWithData(s, v1);
  const v2 = synth([{ ...ON_PERFORMANCE, removalPolicy: RemovalPolicy.DESTROY }]);

  const result = await s.stack.deploy(v2);

  expect(result.reason).toBeUndefined();
  const cleanup = result.operations.filter((o) => o.operation === 'Delete');
  expect(cleanup).toEqual([expect.objectContaining({ ok: true, physicalId: before })]);
  expect(countCalls(s.endpoint.callLog(), 'TerminateWorkspaces', 'all')).toBe(0);
  const [migrated] = aliceInventory(s);
  expect(migrated.Tags[MIGRATION_TAG_KEY]).toBeUndefined();
  expect(s.endpoint.userVolume(migrated.WorkspaceId)).toEqual({ 'notes.txt': 'written before the migration' });
  expectInventory(s.endpoint, { stack: s.stack, template: v2 });
}, 30_000);

test('a migration waits while the user\'s last connection is newer than the newest snapshot, and starts after the next one', async () => {
  const s = await start({ snapshotIntervalMs: 1_500 });
  const before = await aliceWithData(s);
  // Written just now: only the next snapshot holds it.
  s.endpoint.writeUserData(before, 'late.txt', 'written after the last snapshot');
  const writtenAt = Date.now();

  const result = await s.stack.deploy(synth([ON_PERFORMANCE]));

  expect(result.reason).toBeUndefined();
  const [record] = s.endpoint.migrations();
  expect(record.snapshotAt).toBeGreaterThan(writtenAt);
  expect(s.endpoint.userVolume(record.targetWorkspaceId)).toEqual({
    'notes.txt': 'written before the migration',
    'late.txt': 'written after the last snapshot',
  });
  expect(s.handlerLog.some((l) => /newest snapshot .* is older than the user's last connection/.test(l))).toBe(true);
}, 30_000);

test('a snapshot older than the last connection: the update waits, then fails with the snapshot time and changes nothing', async () => {
  // No regular snapshot comes within the test: the one taken by hand is the newest.
  const s = await start({ snapshotIntervalMs: 3600_000 });
  const v1 = synth([ALICE]);
  expect((await s.stack.deploy(v1)).ok).toBe(true);
  const logicalId = logicalIdOf(v1, 'alice');
  const workspaceId = s.stack.resources.get(logicalId)!.physicalId;
  s.endpoint.takeSnapshot(workspaceId);
  const snapshotAt = new Date(s.endpoint.snapshotTimes(workspaceId)[0]).toISOString();
  await sleep(20);
  s.endpoint.writeUserData(workspaceId, 'notes.txt', 'newer than the snapshot');
  s.endpoint.resetCalls();
  const impatient = synth([ON_PERFORMANCE]);
  impatient.Resources[logicalId].Properties.TimeoutSeconds = 2;

  const result = await s.stack.deploy(impatient);

  expect(result.ok).toBe(false);
  expect(result.reason).toContain(`WorkSpace ${workspaceId} (user "alice") was not migrated to bundle ${PERFORMANCE_BUNDLE_ID} within 2 seconds`);
  expect(result.reason).toContain(`Its newest snapshot was taken at ${snapshotAt} (DescribeWorkspaceSnapshots)`);
  expect(result.reason).toContain('Nothing was changed');
  expect(result.reason).toContain('ask the user to log off');
  expect(result.rolledBack).toBe(true);
  expect(countCalls(s.endpoint.callLog(), 'MigrateWorkspace', 'all')).toBe(0);
  expect(countCalls(s.endpoint.callLog(), 'CreateTags', 'all')).toBe(0);
  expect(s.endpoint.userVolume(workspaceId)).toEqual({ 'notes.txt': 'newer than the snapshot' });
  expectInventory(s.endpoint, { stack: s.stack, template: v1 });
}, 30_000);

test('pre-flight refusals come in seconds, name the rule and change nothing: no such bundle, Windows 11 to Windows 10, REFUSE', async () => {
  const s = await start();
  s.endpoint.addBundle('wsb-w11000001', { owner: 'AMAZON', name: 'Standard with Windows 11', operatingSystemName: 'WINDOWS_11' });
  s.endpoint.addBundle('wsb-w10000001', { owner: 'AMAZON', name: 'Standard with Windows 10', operatingSystemName: 'WINDOWS_10' });
  const v1 = synth([{ ...ALICE, bundle: WorkspaceBundle.fromBundleId('wsb-w11000001') }]);
  const workspaceId = await aliceWithData(s, v1);

  const started = Date.now();
  const missing = await s.stack.deploy(synth([{ ...ALICE, bundle: WorkspaceBundle.fromBundleId('wsb-99999999') }]));
  const windows10 = await s.stack.deploy(synth([{ ...ALICE, bundle: WorkspaceBundle.fromBundleId('wsb-w10000001') }]));
  const refused = await s.stack.deploy(synth([{ ...ON_PERFORMANCE, bundleChange: BundleChange.REFUSE }]));

  expect(Date.now() - started).toBeLessThan(5_000);
  expect(missing.reason).toMatch(/Invalid bundle \(BundleId wsb-99999999\): DescribeWorkspaceBundles does not list it/);
  expect(windows10.reason).toMatch(/Cannot migrate WorkSpace ws-\w+ \(user "alice"\) to bundle wsb-w10000001: the WorkSpace runs Windows 11 .* migration from Windows 11 to Windows 10 is not supported/);
  expect(refused.reason).toMatch(/Cannot change BundleId of WorkSpace .*a user can have only one WorkSpace per directory/);
  for (const r of [missing, windows10, refused]) {
    expect(r.rolledBack).toBe(true);
  }
  expect(countCalls(s.endpoint.callLog(), 'MigrateWorkspace', 'all')).toBe(0);
  expect(aliceInventory(s)).toEqual([expect.objectContaining({ WorkspaceId: workspaceId, BundleId: 'wsb-w11000001' })]);
  expectInventory(s.endpoint, { stack: s.stack, template: v1 });
}, 30_000);

test('a migration that fails at the service fails the update; the WorkSpace keeps its id, bundle and data, and the rollback completes', async () => {
  const s = await start();
  const v1 = synth([ALICE]);
  const workspaceId = await aliceWithData(s, v1);
  s.endpoint.failMigrationsTo(PERFORMANCE_BUNDLE_ID);

  const result = await s.stack.deploy(synth([ON_PERFORMANCE]));

  expect(result.ok).toBe(false);
  expect(result.reason).toMatch(new RegExp(`The migration of WorkSpace ${workspaceId} \\(user "alice"\\) to bundle ${PERFORMANCE_BUNDLE_ID} failed: `
    + `the service terminated the new WorkSpace ws-\\w+ .*WorkSpace ${workspaceId} keeps its id, its bundle and its user volume`));
  expect(result.rolledBack).toBe(true);
  expect(result.rollbackFailure).toBeUndefined();
  expect(s.endpoint.migrations()[0].outcome).toBe('failed');
  expect(s.endpoint.userVolume(workspaceId)).toEqual({ 'notes.txt': 'written before the migration' });
  expect(aliceInventory(s)[0].Tags[MIGRATION_TAG_KEY]).toBeUndefined();
  expectInventory(s.endpoint, { stack: s.stack, template: v1 });
}, 30_000);

test('another resource of the deployment fails after the migration: the rollback keeps the migrated WorkSpace and its data, and the next deploy follows it', async () => {
  const s = await start({ forceErrorForUser: 'bob' });
  const v1 = synth([ALICE]);
  const logicalId = logicalIdOf(v1, 'alice');
  const before = await aliceWithData(s, v1);

  const result = await s.stack.deploy(synth([ON_PERFORMANCE, { userName: 'bob' }]));

  expect(result.ok).toBe(false);
  expect(result.reason).toMatch(/^Bob/);
  expect(result.rolledBack).toBe(true);
  expect(result.rollbackFailure).toBeUndefined();
  // The rollback's Delete of the new id terminated nothing of alice's: her migrated WorkSpace
  // holds her data, and going back would take another migration without a snapshot to restore.
  const [kept] = aliceInventory(s);
  expect(aliceInventory(s)).toHaveLength(1);
  expect(kept).toMatchObject({ BundleId: PERFORMANCE_BUNDLE_ID, State: 'AVAILABLE' });
  expect(kept.WorkspaceId).not.toBe(before);
  expect(s.endpoint.userVolume(kept.WorkspaceId)).toEqual({ 'notes.txt': 'written before the migration' });
  expect(parseMigrationMark(kept.Tags[MIGRATION_TAG_KEY])).toMatchObject({ state: 'rolledback', from: before });
  expect(s.stack.resources.get(logicalId)!.physicalId).toBe(before);
  expect(s.gaps).toEqual([]);
  expect(s.handlerLog.some((l) => l.includes(`stays on bundle ${PERFORMANCE_BUNDLE_ID}, to which it was migrated from ${before}`))).toBe(true);
  expect(s.endpoint.inventory().filter((w) => w.UserName === 'bob')).toEqual([]);

  // The next deploy of the new bundle follows the old id to the migrated WorkSpace and migrates nothing.
  s.endpoint.faults.forceErrorForUser = undefined;
  s.endpoint.resetCalls();
  const v2 = synth([ON_PERFORMANCE]);
  const again = await s.stack.deploy(v2);
  expect(again.reason).toBeUndefined();
  expect(s.stack.resources.get(logicalId)!.physicalId).toBe(kept.WorkspaceId);
  expect(countCalls(s.endpoint.callLog(), 'MigrateWorkspace', 'all')).toBe(0);
  expectInventory(s.endpoint, { stack: s.stack, template: v2 });
}, 30_000);

test('a connected user holds the migration back until they leave, as a compute type change would be (WAIT_FOR_DISCONNECT)', async () => {
  const s = await start();
  const workspaceId = await aliceWithData(s);
  // She connected before the last snapshot and stays for 1.5 s more: a snapshot taken while she
  // works is not enough, what she writes now is newer.
  s.endpoint.connectUser(workspaceId, 1_500, 1_000);
  const leftAt = Date.now() + 1_500;

  const result = await s.stack.deploy(synth([ON_PERFORMANCE]));

  expect(result.reason).toBeUndefined();
  const [record] = s.endpoint.migrations();
  expect(record.startedAt).toBeGreaterThanOrEqual(leftAt - 5);
  expect(s.endpoint.connection(workspaceId)).toMatchObject({ DisconnectedByChange: 0 });
  expect(s.handlerLog.some((l) => /user "alice" is connected \(connection state CONNECTED\)/.test(l))).toBe(true);
  expect(s.endpoint.userVolume(record.targetWorkspaceId)).toEqual({ 'notes.txt': 'written before the migration' });
}, 30_000);

test('the migrating resource itself fails after its migration: the rollback completes, keeps the migrated WorkSpace and its data, and the next deploy follows it', async () => {
  const s = await start();
  const v1 = synth([ALICE]);
  const logicalId = logicalIdOf(v1, 'alice');
  const before = await aliceWithData(s, v1);
  // The new tag is refused (as IAM would refuse it): the request fails after the migration.
  s.endpoint.authorize = async (request) => (request.operation === 'CreateTags'
    && (request.body.Tags ?? []).some((t: { Key: string }) => t.Key === 'cost') ? 'not allowed to tag cost' : undefined);

  const result = await s.stack.deploy(synth([{ ...ON_PERFORMANCE, tags: { team: 'desk', cost: 'c-1' } }]));

  expect(result.ok).toBe(false);
  expect(result.reason).toContain('not allowed to tag cost');
  expect(result.rollbackFailure).toBeUndefined();
  expect(result.rolledBack).toBe(true);
  const [kept] = aliceInventory(s);
  expect(aliceInventory(s)).toHaveLength(1);
  expect(kept).toMatchObject({ BundleId: PERFORMANCE_BUNDLE_ID, State: 'AVAILABLE' });
  expect(s.endpoint.userVolume(kept.WorkspaceId)).toEqual({ 'notes.txt': 'written before the migration' });
  expect(parseMigrationMark(kept.Tags[MIGRATION_TAG_KEY])).toMatchObject({ state: 'rolledback', from: before });
  expect(s.stack.resources.get(logicalId)!.physicalId).toBe(before);

  s.endpoint.authorize = undefined;
  const v2 = synth([ON_PERFORMANCE]);
  expect((await s.stack.deploy(v2)).reason).toBeUndefined();
  expect(s.stack.resources.get(logicalId)!.physicalId).toBe(kept.WorkspaceId);
  expect(s.endpoint.migrations()).toHaveLength(1);
  expectInventory(s.endpoint, { stack: s.stack, template: v2 });
}, 30_000);

test('everything a migration does, forward, in the cleanup and in a rollback, is within what the provider\'s roles allow', async () => {
  const keys = { onEvent: 'AKIAMIGRATEONEVENT', isComplete: 'AKIAMIGRATEISCOMPLETE' };
  scenario = await startScenario({ accessKeyIds: keys, timing: { snapshotIntervalMs: SNAPSHOT_MS, migratingMs: 300 }, faults: { forceErrorForUser: 'bob' } });
  const s = scenario;
  const destroy = { removalPolicy: RemovalPolicy.DESTROY };
  const v1 = synth([{ ...ALICE, ...destroy }]);
  const env = { stackId: s.stack.stackId, account: '123456789012', region: 'us-east-1' };
  const policies = handlerPolicies(v1, env);
  s.endpoint.authorize = iamAuthorizer(new Map([
    [keys.onEvent, { env, policies: policies.onEvent }],
    [keys.isComplete, { env, policies: policies.isComplete }],
  ]));
  await aliceWithData(s, v1);

  // Forward, with the cleanup Delete of the old id (DESTROY).
  const v2 = synth([{ ...ON_PERFORMANCE, ...destroy }]);
  expect((await s.stack.deploy(v2)).reason).toBeUndefined();
  // Back to the first bundle after the new WorkSpace's first snapshot, while another resource fails: the rollback keeps it.
  await sleep(SNAPSHOT_MS + 100);
  const failing = await s.stack.deploy(synth([{ ...ALICE, ...destroy }, { userName: 'bob' }]));
  expect(failing.rolledBack).toBe(true);
  expect(failing.rollbackFailure).toBeUndefined();

  expect(s.endpoint.callLog().filter((c) => c.errorType === 'AccessDeniedException')).toEqual([]);
  expect(countCalls(s.endpoint.callLog(), 'MigrateWorkspace')).toBe(2);
  expect(countCalls(s.endpoint.callLog(), 'DeleteTags')).toBeGreaterThan(0);
  const [alice] = aliceInventory(s);
  expect(s.endpoint.userVolume(alice.WorkspaceId)).toEqual({ 'notes.txt': 'written before the migration' });
}, 30_000);
