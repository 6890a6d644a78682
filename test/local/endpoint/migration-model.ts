// MigrateWorkspace and the snapshots it restores from, for the local endpoint, as the API reference
// and the Administration Guide ("Migrate a WorkSpace") describe them:
//
// - MigrateWorkspace answers at once with a new TargetWorkspaceId. The new WorkSpace is built from
//   the target bundle (invisible for a while, then PENDING) with the user volume restored from the
//   last snapshot of the original; when it is AVAILABLE the original is terminated and its id goes
//   away. If the migration fails, the new WorkSpace is terminated and the original keeps its id,
//   untouched.
// - Tags and the running mode carry over; the compute type and protocol come from the target
//   bundle; a volume grows to the target bundle's size when that is larger, never shrinks.
// - The limits the Guide lists and a request shows: the bundles must differ, BYOL goes only to
//   BYOL (and nothing else to BYOL), no Windows 11 to Windows 10, no move between Windows and
//   Linux, and only from AVAILABLE, STOPPED or ERROR.
// - The service snapshots each WorkSpace regularly (Timing.snapshotIntervalMs, 12 hours by default;
//   the first one that long after creation). DescribeWorkspaceSnapshots lists their times.
//
// Each WorkSpace has a user volume a test can write to and read back (a data marker): writing is
// what a connected user does, so it also sets the user's last connection. What was written after
// the snapshot a migration restores from is lost, as it would be.
import type { WorkspaceProperties } from '@aws-sdk/client-workspaces';
import { ApiError, MigrationAccess, WsRecord } from './model';

const WS_ID = /^ws-[0-9a-z]{8,63}$/;
const BUNDLE_ID = /^wsb-[0-9a-z]{8,63}$/;
/** The states MigrateWorkspace accepts a WorkSpace in (the Guide's best practices; ADMIN_MAINTENANCE is named as refused). */
const MIGRATABLE_STATES: readonly string[] = ['AVAILABLE', 'STOPPED', 'ERROR'];

/** One MigrateWorkspace the endpoint accepted, as a test sees it. */
export interface MigrationRecord {
  readonly sourceWorkspaceId: string;
  readonly targetWorkspaceId: string;
  readonly userName: string;
  readonly fromBundleId: string;
  readonly toBundleId: string;
  /** Clock time (ms) of the request. */
  readonly startedAt: number;
  /** Clock time (ms) of the snapshot the user volume was restored from. */
  readonly snapshotAt: number;
  /** Set once it ended: `succeeded` (the original terminated) or `failed` (the new one terminated). */
  outcome?: 'succeeded' | 'failed';
  /** Clock time (ms) it ended. */
  endedAt?: number;
}

interface UserVolumeWrite {
  readonly at: number;
  readonly key: string;
  readonly value: string;
}

export class MigrationModel {
  /** What was written to each WorkSpace's user volume, in order. */
  private readonly writes = new Map<string, UserVolumeWrite[]>();
  /** A migrated WorkSpace's user volume as restored: the original's content at the snapshot. */
  private readonly restored = new Map<string, ReadonlyMap<string, string>>();
  /** Snapshots a test asked for, beside the regular ones. */
  private readonly extraSnapshots = new Map<string, number[]>();
  /** Migrations under way, by the original's id. */
  private readonly underWay = new Map<string, MigrationRecord>();
  private readonly failingTargets = new Set<string>();
  private readonly history: MigrationRecord[] = [];

  constructor(private readonly access: MigrationAccess) {}

  /** Writes a value to the WorkSpace's user volume now, as its connected user would (their last connection is now). */
  writeUserData(workspaceId: string, key: string, value: string): void {
    const ws = this.require(workspaceId);
    const now = this.access.clock();
    this.writesOf(ws.id).push({ at: now, key, value });
    if (!ws.session || ws.session.until <= now) {
      ws.session = { since: now, until: now };
    }
  }

  /** The WorkSpace's user volume now. */
  userVolume(workspaceId: string): Record<string, string> {
    return Object.fromEntries(this.contentAt(this.require(workspaceId, true), this.access.clock()));
  }

  /** Takes a snapshot of the WorkSpace's volumes now, beside the regular ones. */
  takeSnapshot(workspaceId: string): void {
    const ws = this.require(workspaceId);
    const list = this.extraSnapshots.get(ws.id) ?? [];
    list.push(this.access.clock());
    this.extraSnapshots.set(ws.id, list);
  }

  /** Clock times (ms) of the WorkSpace's snapshots so far, oldest first. */
  snapshotTimes(workspaceId: string): number[] {
    const ws = this.require(workspaceId, true);
    const now = this.access.clock();
    const every = this.access.timing.snapshotIntervalMs;
    const times: number[] = [];
    for (let t = ws.createdAt + every; t <= now && times.length < 1000; t += every) {
      times.push(t);
    }
    return [...times, ...this.extraSnapshots.get(ws.id) ?? []].sort((a, b) => a - b);
  }

  /** Migrations to this bundle are accepted, then fail: the new WorkSpace is terminated and the original stays. */
  failMigrationsTo(bundleId: string): void {
    this.failingTargets.add(bundleId);
  }

  /** Every migration the endpoint accepted, oldest first. */
  migrations(): MigrationRecord[] {
    for (const ws of this.underWay.values()) {
      this.access.live(ws.targetWorkspaceId, true);
    }
    return this.history.map((m) => ({ ...m }));
  }

  describeWorkspaceSnapshots(body: any): any {
    checkId(body.WorkspaceId, 'WorkspaceId', WS_ID);
    const ws = this.access.live(body.WorkspaceId);
    if (!ws) throw new ApiError('ResourceNotFoundException', `The WorkSpace ${body.WorkspaceId} could not be found.`);
    const snapshots = this.snapshotTimes(ws.id).reverse().map((t) => ({ SnapshotTime: t / 1000 }));
    return { RebuildSnapshots: snapshots, RestoreSnapshots: snapshots };
  }

  migrateWorkspace(body: any): any {
    checkId(body.SourceWorkspaceId, 'SourceWorkspaceId', WS_ID);
    checkId(body.BundleId, 'BundleId', BUNDLE_ID);
    const source = this.access.live(body.SourceWorkspaceId);
    if (!source) throw new ApiError('ResourceNotFoundException', `The WorkSpace ${body.SourceWorkspaceId} could not be found.`);
    const to = this.access.bundle(body.BundleId);
    if (!to) throw new ApiError('ResourceNotFoundException', `The bundle ${body.BundleId} could not be found.`);
    const running = this.underWay.get(source.id);
    if (running && this.access.live(running.targetWorkspaceId, true) && running.outcome === undefined) {
      throw new ApiError('OperationInProgressException', `The WorkSpace ${source.id} is being migrated to ${running.targetWorkspaceId}.`);
    }
    if (!MIGRATABLE_STATES.includes(source.phase.state)) {
      throw new ApiError('ResourceUnavailableException', `The WorkSpace ${source.id} is ${source.phase.state}; it can be migrated only when it is `
        + `${MIGRATABLE_STATES.join(', ')}.`);
    }
    if (source.bundleId === to.id) {
      throw new ApiError('InvalidParameterValuesException', `The WorkSpace ${source.id} already has bundle ${to.id}: the source and target bundles must differ.`);
    }
    const from = this.access.bundle(source.bundleId);
    const refused = pairRefusal(source, from?.byol ?? false, from?.os ?? source.props.OperatingSystemName, to);
    if (refused) throw new ApiError('OperationNotSupportedException', `The WorkSpace ${source.id} cannot be migrated to bundle ${to.id}: ${refused}.`);
    const snapshotAt = this.snapshotTimes(source.id).pop();
    if (snapshotAt === undefined) {
      throw new ApiError('ResourceUnavailableException', `The WorkSpace ${source.id} has no snapshot of its user volume yet, so there is nothing `
        + 'to restore it from. A WorkSpace is first snapshotted about 12 hours after it was created.');
    }
    const props: WorkspaceProperties = {
      RunningMode: source.props.RunningMode,
      RunningModeAutoStopTimeoutInMinutes: source.props.RunningModeAutoStopTimeoutInMinutes,
      ComputeTypeName: to.computeType,
      RootVolumeSizeGib: Math.max(source.props.RootVolumeSizeGib ?? 0, to.root),
      UserVolumeSizeGib: Math.max(source.props.UserVolumeSizeGib ?? 0, to.user),
      Protocols: [to.protocol],
    };
    const target = this.access.newRecord(source, to, props);
    this.restored.set(target.id, this.contentAt(source, snapshotAt));
    const record: MigrationRecord = {
      sourceWorkspaceId: source.id,
      targetWorkspaceId: target.id,
      userName: source.userName,
      fromBundleId: source.bundleId,
      toBundleId: to.id,
      startedAt: this.access.clock(),
      snapshotAt,
    };
    this.history.push(record);
    this.underWay.set(source.id, record);
    // The user is disconnected for the migration.
    this.access.endSession(source);
    const timing = this.access.timing;
    const gone = [
      { state: 'TERMINATED' as const, ms: timing.terminatedVisibleMs },
      { state: 'GONE' as const, ms: Infinity },
    ];
    const fails = this.failingTargets.has(to.id);
    this.access.schedule(target, [
      { state: 'HIDDEN', ms: timing.invisibleMs },
      { state: 'PENDING', ms: timing.migratingMs, enter: (w) => { w.ipAddress = w.plannedIp; } },
      fails
        ? {
          state: 'TERMINATING',
          ms: timing.terminatingMs,
          enter: () => {
            record.outcome = 'failed';
            record.endedAt = this.access.clock();
            this.underWay.delete(source.id);
          },
        }
        : {
          state: 'AVAILABLE',
          ms: Infinity,
          enter: (w) => {
            w.computerName ??= this.access.computerName();
            record.outcome = 'succeeded';
            record.endedAt = this.access.clock();
            this.underWay.delete(source.id);
            const original = this.access.live(source.id, true);
            if (original && original.phase.state !== 'TERMINATING' && original.phase.state !== 'TERMINATED') {
              this.access.schedule(original, [{ state: 'TERMINATING', ms: timing.terminatingMs }, ...gone]);
            }
          },
        },
      ...(fails ? gone : []),
    ]);
    return { SourceWorkspaceId: source.id, TargetWorkspaceId: target.id };
  }

  /** The user volume of a WorkSpace as it was at a time: what it was restored from, then what was written. */
  private contentAt(ws: WsRecord, at: number): Map<string, string> {
    const content = new Map(this.restored.get(ws.id) ?? []);
    for (const w of this.writes.get(ws.id) ?? []) {
      if (w.at <= at) content.set(w.key, w.value);
    }
    return content;
  }

  private writesOf(id: string): UserVolumeWrite[] {
    let list = this.writes.get(id);
    if (!list) {
      list = [];
      this.writes.set(id, list);
    }
    return list;
  }

  private require(workspaceId: string, includeHidden = false): WsRecord {
    const ws = this.access.live(workspaceId, includeHidden);
    if (!ws) throw new Error(`no WorkSpace ${workspaceId}`);
    return ws;
  }
}

/** The Guide's limits on a pair that a request shows, as the service's refusal; undefined when the pair is allowed. */
function pairRefusal(
  source: WsRecord,
  fromByol: boolean,
  fromOs: string | undefined,
  to: { readonly byol: boolean; readonly os: string | undefined },
): string | undefined {
  if (fromByol && !to.byol) return 'a BYOL WorkSpace can be migrated only to another BYOL bundle';
  if (!fromByol && to.byol) return 'a WorkSpace of a public or custom bundle cannot be migrated to a BYOL bundle';
  const os = source.props.OperatingSystemName ?? fromOs;
  if (os === 'WINDOWS_11' && to.os === 'WINDOWS_10') return 'migration from Windows 11 to Windows 10 is not supported';
  if (isLinux(os) !== isLinux(to.os)) return 'a WorkSpace cannot be migrated between Windows and Linux';
  return undefined;
}

function isLinux(os: string | undefined): boolean {
  return /LINUX|UBUNTU|RHEL|ROCKY/.test(os ?? '');
}

function checkId(v: unknown, name: string, pattern: RegExp): void {
  if (v === undefined || v === null) throw new ApiError('InvalidParameterValuesException', `${name} is required.`);
  if (typeof v !== 'string' || !pattern.test(v)) {
    throw new ApiError('InvalidParameterValuesException', `The value ${String(v)} of ${name} does not match ${pattern}.`);
  }
}
