// The migration decisions (lambda/plan/migration.ts): which bundle pairs the service migrates, and
// when a migration may start without losing what the user wrote.
import type { Workspace, WorkspaceBundle } from '@aws-sdk/client-workspaces';
import {
  formatMigrationMark,
  MigrationObservation,
  migrationPairRefusal,
  parseMigrationMark,
  planMigration,
} from '../../lambda/plan';

const WINDOWS_11: Workspace = {
  WorkspaceId: 'ws-aaaaaaaaa',
  UserName: 'alice',
  BundleId: 'wsb-11111111',
  State: 'AVAILABLE',
  WorkspaceProperties: { OperatingSystemName: 'WINDOWS_11' },
};
const publicBundle = (id: string, name: string, extra: Partial<WorkspaceBundle> = {}): WorkspaceBundle => ({
  BundleId: id, Name: name, Owner: 'AMAZON', State: 'AVAILABLE', BundleType: 'REGULAR', ...extra,
});

describe('migrationPairRefusal', () => {
  test('refuses the bundle the WorkSpace has, an unusable or standby bundle, and names the rule', () => {
    expect(migrationPairRefusal(WINDOWS_11, publicBundle('wsb-11111111', 'Standard with Windows 11'))).toMatch(/must differ/);
    expect(migrationPairRefusal(WINDOWS_11, publicBundle('wsb-22222222', 'x', { State: 'ERROR' }))).toMatch(/is ERROR .* only to an AVAILABLE bundle/);
    expect(migrationPairRefusal(WINDOWS_11, publicBundle('wsb-22222222', 'x', { BundleType: 'STANDBY' }))).toMatch(/STANDBY bundle/);
  });

  test('refuses Windows 11 to a Windows 10 public bundle, Windows 7, and Windows to Linux', () => {
    expect(migrationPairRefusal(WINDOWS_11, publicBundle('wsb-22222222', 'Standard with Windows 10'))).toMatch(/from Windows 11 to Windows 10 is not supported/);
    expect(migrationPairRefusal(WINDOWS_11, publicBundle('wsb-22222222', 'Value with Windows 7'))).toMatch(/Windows 7/);
    expect(migrationPairRefusal(WINDOWS_11, publicBundle('wsb-22222222', 'Standard with Ubuntu 22.04'))).toMatch(/same platform/);
  });

  test('allows GPU-enabled bundles both ways, a Server-based "Windows 10" desktop, and any custom bundle (the service judges those)', () => {
    const graphics = publicBundle('wsb-22222222', 'Graphics.g4dn with Windows 10 (Server 2022 based)', { ComputeType: { Name: 'GRAPHICS_G4DN' } });
    expect(migrationPairRefusal({ ...WINDOWS_11, WorkspaceProperties: { OperatingSystemName: 'WINDOWS_SERVER_2022' } }, graphics)).toBeUndefined();
    expect(migrationPairRefusal(WINDOWS_11, publicBundle('wsb-33333333', 'Standard with Windows 10 (Server 2022 based)'))).toBeUndefined();
    expect(migrationPairRefusal(WINDOWS_11, { BundleId: 'wsb-44444444', Name: 'Windows 10 golden image', Owner: '123456789012' })).toBeUndefined();
  });
});

describe('planMigration', () => {
  const t = (iso: string) => new Date(`2026-01-01T${iso}Z`);
  const base: MigrationObservation = {
    workspaceId: 'ws-aaaaaaaaa',
    userName: 'alice',
    workspace: { ...WINDOWS_11 },
    targetBundleId: 'wsb-22222222',
    snapshotTimes: [t('06:00:00'), t('09:00:00')],
    connection: { state: 'DISCONNECTED', lastKnownUserConnection: t('08:00:00'), observedAt: t('10:00:00') },
    timeoutSeconds: 3600,
    elapsedSeconds: 10,
  };

  test('migrates when the newest snapshot is newer than the last connection and no one is connected', () => {
    expect(planMigration(base)).toEqual({ kind: 'migrate', snapshotTime: t('09:00:00') });
    expect(planMigration({ ...base, connection: { state: 'DISCONNECTED', observedAt: t('10:00:00') } })).toMatchObject({ kind: 'migrate' });
  });

  test('waits while the newest snapshot is older than the last connection, then fails naming the snapshot time, changing nothing', () => {
    const stale = { ...base, connection: { ...base.connection, lastKnownUserConnection: t('09:30:00') } };
    expect(planMigration(stale)).toMatchObject({ kind: 'wait', reason: expect.stringContaining('older than the user\'s last connection') });
    const failed = planMigration({ ...stale, elapsedSeconds: 3601 });
    expect(failed.kind).toBe('fail');
    const message = (failed as { message: string }).message;
    expect(message).toContain('newest snapshot was taken at 2026-01-01T09:00:00.000Z');
    expect(message).toContain('last connected at 2026-01-01T09:30:00.000Z');
    expect(message).toContain('Nothing was changed');
    expect(message).toContain('log off');
  });

  test('waits while the user is connected, whatever the snapshots; a STOPPED WorkSpace\'s UNKNOWN state is no one connected', () => {
    expect(planMigration({ ...base, connection: { ...base.connection, state: 'CONNECTED' } })).toMatchObject({ kind: 'wait', reason: expect.stringContaining('is connected') });
    expect(planMigration({ ...base, connection: { ...base.connection, state: 'UNKNOWN' } })).toMatchObject({ kind: 'wait' });
    expect(planMigration({ ...base, workspace: { ...WINDOWS_11, State: 'STOPPED' }, connection: { ...base.connection, state: 'UNKNOWN' } }))
      .toMatchObject({ kind: 'migrate' });
  });

  test('waits for a WorkSpace without a snapshot or in a passing state; fails at once in a state that does not pass', () => {
    expect(planMigration({ ...base, snapshotTimes: [] })).toMatchObject({ kind: 'wait', reason: expect.stringContaining('no snapshot yet') });
    expect(planMigration({ ...base, workspace: { ...WINDOWS_11, State: 'REBOOTING' } })).toMatchObject({ kind: 'wait' });
    expect(planMigration({ ...base, workspace: { ...WINDOWS_11, State: 'SUSPENDED' } }))
      .toMatchObject({ kind: 'fail', message: expect.stringContaining('SUSPENDED') });
  });
});

test('the migration marking reads back what it wrote, and nothing else', () => {
  const mark = { request: 'req-1', state: 'pending' as const, from: 'ws-aaaaaaaaa', to: 'ws-bbbbbbbbb' };
  expect(parseMigrationMark(formatMigrationMark(mark))).toEqual(mark);
  expect(parseMigrationMark(formatMigrationMark({ request: 'r', state: 'rolledback', from: 'ws-aaaaaaaaa' })))
    .toEqual({ request: 'r', state: 'rolledback', from: 'ws-aaaaaaaaa', to: undefined });
  expect(parseMigrationMark('r/committed/ws-aaaaaaaaa')).toBeUndefined();
  expect(parseMigrationMark(undefined)).toBeUndefined();
});
