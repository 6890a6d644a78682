// A fleet's bundle change (issue 21): its members are migrated in waves of migrationBatchSize,
// through the runner and the local endpoint in compressed time (FLEET_TIMING, 1000 times faster),
// with the real bundled handlers. The inventory check: every user has a WorkSpace throughout
// (two while the service migrates theirs: the documented window), their data marker survives, and
// nothing else is touched. Needs the bundle: `npx projen bundle` first.
import { expectFleetInventory, fleetOf, FleetScenario, startFleetScenario, synthFleet, users } from './fleet-helpers';
import { essentials, PERFORMANCE_BUNDLE_ID } from './scenario-helpers';

let scenario: FleetScenario | undefined;

afterEach(async () => {
  await scenario?.stop();
  scenario = undefined;
});

/**
 * Two minutes of migration, as simulated time (the service takes up to an hour): six waves of
 * five fit in the 55-minute timeout with room for a loaded machine, whose slowness stretches the
 * simulated time.
 */
const MIGRATING_MS = 120_000;

async function start(watch: readonly string[], options: { forceErrorForUser?: string } = {}) {
  const gaps: string[] = [];
  let started = false;
  scenario = await startFleetScenario({
    timing: { migratingMs: MIGRATING_MS, snapshotIntervalMs: 24 * 3600_000 },
    faults: options.forceErrorForUser ? { forceErrorForUser: options.forceErrorForUser } : undefined,
    onProgress: () => {
      if (!started || scenario === undefined) return;
      const present = new Set(scenario.endpoint.inventory().map((w) => w.UserName));
      for (const user of watch) {
        if (!present.has(user)) gaps.push(user);
      }
    },
  });
  return { scenario, gaps, watching: () => { started = true; } };
}

/** Deploys the fleet, gives every member a data marker and a snapshot newer than it. */
async function withData(s: FleetScenario, template: any, names: readonly string[]): Promise<Map<string, string>> {
  const result = await s.stack.deploy(template);
  expect(result.reason).toBeUndefined();
  const ids = new Map<string, string>();
  for (const w of s.endpoint.inventory().filter((x) => names.includes(x.UserName))) {
    s.endpoint.writeUserData(w.WorkspaceId, 'marker.txt', `data of ${w.UserName}`);
    ids.set(w.UserName, w.WorkspaceId);
  }
  await new Promise((r) => setTimeout(r, 5));
  for (const id of ids.values()) {
    s.endpoint.takeSnapshot(id);
  }
  s.endpoint.resetCalls();
  return ids;
}

function expectMarkers(s: FleetScenario, names: readonly string[]): void {
  const wrong = s.endpoint.inventory()
    .filter((w) => names.includes(w.UserName))
    .filter((w) => s.endpoint.userVolume(w.WorkspaceId)['marker.txt'] !== `data of ${w.UserName}`)
    .map((w) => w.UserName);
  expect(wrong).toEqual([]);
}

test('a fleet of 30 migrates in waves of migrationBatchSize: every user keeps a WorkSpace and their data, nothing else is touched', async () => {
  const names = users(30);
  const { scenario: s, gaps, watching } = await start(names);
  const stranger = s.endpoint.seedWorkspace({ UserName: 'stranger', Tags: { owner: 'someone else' } });
  const v1 = synthFleet({ users: names });
  const before = await withData(s, v1, names);
  const v2 = synthFleet({ users: names, bundleId: PERFORMANCE_BUNDLE_ID });
  watching();

  const result = await s.stack.deploy(v2);

  expect(result.reason).toBeUndefined();
  const migrations = s.endpoint.migrations();
  expect(migrations).toHaveLength(30);
  expect(migrations.every((m) => m.outcome === 'succeeded' && m.toBundleId === PERFORMANCE_BUNDLE_ID)).toBe(true);
  expect(new Set(migrations.map((m) => m.sourceWorkspaceId))).toEqual(new Set(before.values()));
  // Waves: a migration starts either with its wave (before any of the wave has ended) or once
  // every earlier one has ended; each wave has at most 5 (the default migrationBatchSize).
  const sorted = [...migrations].sort((a, b) => a.startedAt - b.startedAt);
  const waves: Array<typeof migrations> = [];
  for (const m of sorted) {
    const previous = sorted.filter((x) => x.startedAt < m.startedAt);
    if (previous.every((x) => (x.endedAt ?? Infinity) <= m.startedAt)) {
      waves.push([m]);
    } else {
      const wave = waves[waves.length - 1];
      expect(wave.every((x) => (x.endedAt ?? Infinity) > m.startedAt)).toBe(true);
      wave.push(m);
    }
  }
  expect(waves.map((w) => w.length)).toEqual([5, 5, 5, 5, 5, 5]);
  // In simulated time (about 23 minutes here), well inside the 55-minute timeout.
  const span = Math.max(...migrations.map((m) => m.endedAt!)) - Math.min(...migrations.map((m) => m.startedAt));
  expect(span).toBeLessThan(45 * 60_000);
  expect(gaps).toEqual([]);
  expectMarkers(s, names);
  expect(s.endpoint.calls().CreateWorkspaces ?? 0).toBe(0);
  expect(s.endpoint.calls().TerminateWorkspaces ?? 0).toBe(0);
  expectFleetInventory(s.endpoint, s.stack, v2, { unchanged: ['stranger'] });
  expect(essentials(s.endpoint.inventory().find((w) => w.UserName === 'stranger')!)).toEqual(essentials(stranger));
}, 120_000);

test('a bad bundle stops after the first wave: the request fails naming the members, no further wave starts, the rest is untouched', async () => {
  const names = users(30);
  const { scenario: s, gaps, watching } = await start(names);
  const v1 = synthFleet({ users: names, migrationBatchSize: 3 });
  const before = await withData(s, v1, names);
  s.endpoint.failMigrationsTo(PERFORMANCE_BUNDLE_ID);
  watching();

  const result = await s.stack.deploy(synthFleet({ users: names, migrationBatchSize: 3, bundleId: PERFORMANCE_BUNDLE_ID }));

  expect(result.ok).toBe(false);
  expect(result.reason).toMatch(/the migration of 3 of 30 members to bundle wsb-34567890 failed, and no further wave was started: user "user00\d"/);
  expect(result.reason).toContain('keeps its id, its bundle and its user volume');
  expect(result.rolledBack).toBe(true);
  expect(result.rollbackFailure).toBeUndefined();
  expect(s.endpoint.migrations()).toHaveLength(3);
  expect(s.endpoint.migrations().every((m) => m.outcome === 'failed')).toBe(true);
  expect(gaps).toEqual([]);
  // Every member keeps its id and data on the old bundle.
  expect(new Map(s.endpoint.inventory().map((w) => [w.UserName, w.WorkspaceId]))).toEqual(before);
  expectMarkers(s, names);
  expectFleetInventory(s.endpoint, s.stack, v1);
}, 120_000);

test('the rollback of a fleet\'s migration (another resource failed) completes, keeping the migrated members and their data', async () => {
  const names = users(8);
  const { scenario: s, gaps, watching } = await start(names, { forceErrorForUser: 'zed' });
  const v1 = synthFleet({ users: names });
  await withData(s, v1, names);
  watching();

  const result = await s.stack.deploy(synthFleet({
    users: names,
    bundleId: PERFORMANCE_BUNDLE_ID,
    workspaces: [{ userName: 'zed' }],
  }));

  expect(result.ok).toBe(false);
  expect(result.reason).toMatch(/^Zed/);
  expect(result.rolledBack).toBe(true);
  expect(result.rollbackFailure).toBeUndefined();
  // The fleet was updated back to the old bundle: its members, migrated moments ago, have no
  // snapshot to be migrated back from, so they stay on the new bundle, reported; none is lost.
  const rollback = result.operations.filter((o) => o.logicalId === fleetOf(v1).logicalId);
  expect(rollback.map((o) => [o.operation, o.ok])).toEqual([['Update', true], ['Update', true]]);
  expect(s.endpoint.migrations()).toHaveLength(8);
  const members = s.endpoint.inventory().filter((w) => names.includes(w.UserName));
  expect(members).toHaveLength(8);
  expect(members.every((w) => w.BundleId === PERFORMANCE_BUNDLE_ID && w.State === 'AVAILABLE')).toBe(true);
  expect(s.handlerLog.some((l) => /stays on bundle wsb-34567890, to which it was migrated from ws-\w+: it has no snapshot of its own yet/.test(l))).toBe(true);
  expect(gaps).toEqual([]);
  expectMarkers(s, names);
}, 120_000);
