// The endpoint's model of MigrateWorkspace (issue 21): a new id at once, the old one gone once the
// new WorkSpace is AVAILABLE, the user volume restored from the last snapshot, a failure that
// keeps the original id, the Guide's limits, and the snapshots and connection times a handler
// compares before it migrates.
//
// Not cross-checked with moto: moto (5.2.5, the newest test/moto/run.sh installs) implements none
// of MigrateWorkspace, DescribeWorkspaceSnapshots and DescribeWorkspacesConnectionStatus, so these
// follow the API reference and the Administration Guide alone.
import {
  DescribeTagsCommand,
  DescribeWorkspacesCommand,
  DescribeWorkspacesConnectionStatusCommand,
  DescribeWorkspaceSnapshotsCommand,
  MigrateWorkspaceCommand,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { LocalWorkspaces, startLocalWorkspaces } from './index';

const HOUR = 3600_000;
const START = Date.parse('2026-01-01T09:00:00Z');
/** STANDARD, Windows Server 2022 based (the endpoint's default bundle). */
const STANDARD = 'wsb-12345678';
/** PERFORMANCE, root 175 GiB / user 100 GiB. */
const PERFORMANCE = 'wsb-34567890';

let endpoint: LocalWorkspaces;
let client: WorkSpacesClient;
let now = START;

beforeEach(async () => {
  now = START;
  endpoint = await startLocalWorkspaces({
    clock: () => now,
    timing: { invisibleMs: 1_000, migratingMs: 60_000, terminatingMs: 1_000, terminatedVisibleMs: 1_000, snapshotIntervalMs: 12 * HOUR },
  });
  client = new WorkSpacesClient({ ...endpoint.clientConfig(), maxAttempts: 1 });
});

afterEach(async () => {
  client.destroy();
  await endpoint.stop();
});

async function describe(id: string) {
  return (await client.send(new DescribeWorkspacesCommand({ WorkspaceIds: [id] }))).Workspaces?.[0];
}

async function migrate(id: string, bundleId: string) {
  return client.send(new MigrateWorkspaceCommand({ SourceWorkspaceId: id, BundleId: bundleId }));
}

function seed(user = 'alice', bundleId = STANDARD) {
  return endpoint.seedWorkspace({ UserName: user, BundleId: bundleId, Tags: { team: 'blue' }, WorkspaceProperties: { RunningMode: 'AUTO_STOP' } }).WorkspaceId;
}

test('snapshots are taken every 12 hours of the endpoint\'s clock and listed newest first, with their times', async () => {
  const id = seed();
  expect((await client.send(new DescribeWorkspaceSnapshotsCommand({ WorkspaceId: id }))).RestoreSnapshots).toEqual([]);
  now += 25 * HOUR;
  const out = await client.send(new DescribeWorkspaceSnapshotsCommand({ WorkspaceId: id }));
  expect(out.RestoreSnapshots?.map((s) => s.SnapshotTime)).toEqual([new Date(START + 24 * HOUR), new Date(START + 12 * HOUR)]);
  expect(out.RebuildSnapshots).toEqual(out.RestoreSnapshots);
  endpoint.takeSnapshot(id);
  expect(endpoint.snapshotTimes(id)).toEqual([START + 12 * HOUR, START + 24 * HOUR, now]);
});

test('writing to the user volume is a connection: LastKnownUserConnectionTimestamp is the time of the write', async () => {
  const id = seed();
  now += HOUR;
  endpoint.writeUserData(id, 'report.docx', 'v1');
  const status = (await client.send(new DescribeWorkspacesConnectionStatusCommand({ WorkspaceIds: [id] }))).WorkspacesConnectionStatus?.[0];
  expect(status).toMatchObject({ ConnectionState: 'DISCONNECTED', LastKnownUserConnectionTimestamp: new Date(START + HOUR) });
  expect(endpoint.userVolume(id)).toEqual({ 'report.docx': 'v1' });
});

test('a migration answers with a new id at once; the new WorkSpace has the user volume of the last snapshot, and the old id goes away', async () => {
  const id = seed();
  endpoint.writeUserData(id, 'kept.txt', 'before the snapshot');
  now += 12 * HOUR + 1;
  endpoint.writeUserData(id, 'lost.txt', 'after the snapshot');
  const out = await migrate(id, PERFORMANCE);
  expect(out.SourceWorkspaceId).toBe(id);
  const target = out.TargetWorkspaceId!;
  expect(target).toMatch(/^ws-[0-9a-z]{9}$/);
  expect(target).not.toBe(id);
  // Invisible for a while, as every new WorkSpace; the original is still there.
  expect(await describe(target)).toBeUndefined();
  expect((await describe(id))?.State).toBe('AVAILABLE');
  now += 1_000;
  expect(await describe(target)).toMatchObject({ State: 'PENDING', UserName: 'alice', BundleId: PERFORMANCE });
  now += 60_000;
  const migrated = await describe(target);
  expect(migrated).toMatchObject({
    State: 'AVAILABLE',
    BundleId: PERFORMANCE,
    DirectoryId: 'd-1234567890',
    // The running mode carries over; the compute type comes from the new bundle, and the volumes grow to its sizes.
    WorkspaceProperties: expect.objectContaining({ RunningMode: 'AUTO_STOP', ComputeTypeName: 'PERFORMANCE', RootVolumeSizeGib: 175, UserVolumeSizeGib: 100 }),
  });
  expect(migrated?.ComputerName).toMatch(/^WSAMZN-/);
  // Tags carry over (the Guide, "What happens during migration").
  const tags = (await client.send(new DescribeTagsCommand({ ResourceId: target }))).TagList;
  expect(tags).toEqual([{ Key: 'team', Value: 'blue' }]);
  expect(endpoint.userVolume(target)).toEqual({ 'kept.txt': 'before the snapshot' });
  // The original is terminated once the new one is AVAILABLE, and then its id is unknown.
  expect((await describe(id))?.State).toBe('TERMINATING');
  now += 2_000;
  expect(await describe(id)).toBeUndefined();
  expect(endpoint.migrations()).toEqual([expect.objectContaining({
    sourceWorkspaceId: id, targetWorkspaceId: target, outcome: 'succeeded', snapshotAt: START + 12 * HOUR, fromBundleId: STANDARD, toBundleId: PERFORMANCE,
  })]);
  // The new WorkSpace has no snapshot of its own until the interval has passed.
  expect(endpoint.snapshotTimes(target)).toEqual([]);
});

test('a failed migration keeps the original id and its user volume; the new id goes away', async () => {
  const id = seed();
  endpoint.writeUserData(id, 'kept.txt', 'v1');
  now += 12 * HOUR + 1;
  endpoint.failMigrationsTo(PERFORMANCE);
  const target = (await migrate(id, PERFORMANCE)).TargetWorkspaceId!;
  now += 61_000;
  expect((await describe(target))?.State).toBe('TERMINATING');
  now += 2_000;
  expect(await describe(target)).toBeUndefined();
  expect(await describe(id)).toMatchObject({ State: 'AVAILABLE', BundleId: STANDARD });
  expect(endpoint.userVolume(id)).toEqual({ 'kept.txt': 'v1' });
  expect(endpoint.migrations()[0].outcome).toBe('failed');
});

test('a migration under way refuses another, and the user is disconnected by it', async () => {
  const id = seed();
  now += 12 * HOUR + 1;
  endpoint.connectUser(id);
  await migrate(id, PERFORMANCE);
  expect(endpoint.connection(id)).toMatchObject({ ConnectionState: 'DISCONNECTED', DisconnectedByChange: 1 });
  await expect(migrate(id, 'wsb-45678901')).rejects.toMatchObject({ name: 'OperationInProgressException' });
});

test('refusals: no snapshot yet, the same bundle, a state that does not allow it, an unknown bundle or WorkSpace', async () => {
  const id = seed();
  await expect(migrate(id, PERFORMANCE)).rejects.toMatchObject({ name: 'ResourceUnavailableException', message: expect.stringContaining('no snapshot') });
  now += 12 * HOUR + 1;
  await expect(migrate(id, STANDARD)).rejects.toMatchObject({ name: 'InvalidParameterValuesException', message: expect.stringContaining('must differ') });
  await expect(migrate(id, 'wsb-99999999')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  await expect(migrate('ws-999999999', PERFORMANCE)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  endpoint.setWorkspaceState(id, 'SUSPENDED');
  await expect(migrate(id, PERFORMANCE)).rejects.toMatchObject({ name: 'ResourceUnavailableException', message: expect.stringContaining('SUSPENDED') });
  expect(endpoint.migrations()).toEqual([]);
});

test('the Guide\'s pair limits: BYOL only to BYOL, nothing else to BYOL, no Windows 11 to Windows 10, no Windows to Linux', async () => {
  endpoint.addBundle('wsb-b10000001', { byol: true, operatingSystemName: 'WINDOWS_10' });
  endpoint.addBundle('wsb-b11000001', { byol: true, operatingSystemName: 'WINDOWS_11' });
  endpoint.addBundle('wsb-w10000001', { operatingSystemName: 'WINDOWS_10' });
  endpoint.addBundle('wsb-w11000001', { operatingSystemName: 'WINDOWS_11' });
  endpoint.addBundle('wsb-ub2200001', { operatingSystemName: 'UBUNTU_22_04' });
  const byol = seed('byol', 'wsb-b10000001');
  const win11 = seed('win11', 'wsb-w11000001');
  const win10 = seed('win10', 'wsb-w10000001');
  now += 12 * HOUR + 1;
  const refusal = (text: string) => expect.objectContaining({ name: 'OperationNotSupportedException', message: expect.stringContaining(text) });
  await expect(migrate(byol, 'wsb-w11000001')).rejects.toEqual(refusal('only to another BYOL bundle'));
  await expect(migrate(win10, 'wsb-b11000001')).rejects.toEqual(refusal('cannot be migrated to a BYOL bundle'));
  await expect(migrate(win11, 'wsb-w10000001')).rejects.toEqual(refusal('Windows 11 to Windows 10'));
  await expect(migrate(win10, 'wsb-ub2200001')).rejects.toEqual(refusal('between Windows and Linux'));
  // Allowed: BYOL Windows 10 to BYOL Windows 11, and Windows 10 to Windows 11.
  await expect(migrate(byol, 'wsb-b11000001')).resolves.toMatchObject({ SourceWorkspaceId: byol });
  await expect(migrate(win10, 'wsb-w11000001')).resolves.toMatchObject({ SourceWorkspaceId: win10 });
});
