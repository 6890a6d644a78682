import type { Workspace, WorkspaceBundle } from '@aws-sdk/client-workspaces';
import { formatDuration, formatSeconds } from './messages';
import { userDisconnected, type ConnectionObservation } from './reconcile';

// The decisions about a bundle change that migrates a WorkSpace (MigrateWorkspace), pure like the
// rest of the plan: which pairs of bundles the service supports (what DescribeWorkspaceBundles and
// DescribeWorkspaces show of the Administration Guide's limits), and whether a migration may start
// now without losing what the user wrote (the newest snapshot against the last connection).
//
// A migration rebuilds the root volume from the new bundle and restores the user volume from the
// WorkSpace's last snapshot: whatever was written after that snapshot is lost. The service
// snapshots a WorkSpace about every 12 hours; the first snapshot comes about 12 hours after the
// WorkSpace was created (or migrated).

/** The states in which the service migrates a WorkSpace (the Guide: AVAILABLE, STOPPED or ERROR). */
export const MIGRATABLE_STATES: ReadonlySet<string> = new Set(['AVAILABLE', 'STOPPED', 'ERROR']);
/** States that pass by themselves: a migration waits for them to end. */
const PASSING_STATES: ReadonlySet<string> = new Set(['PENDING', 'STARTING', 'STOPPING', 'REBOOTING', 'REBUILDING', 'RESTORING', 'UPDATING', 'MAINTENANCE']);

/**
 * The Guide's limits on a pair of bundles that the handler can check before anything changes,
 * from DescribeWorkspaceBundles (the target) and DescribeWorkspaces (the WorkSpace): the target
 * is usable and is another bundle, and, for Amazon's public bundles (whose names say their
 * operating system), no Windows 7 target, no Windows 11 to Windows 10, no move between Windows and
 * Linux. GPU-enabled (Graphics) and other bundles may be migrated both ways. BYOL to BYOL only,
 * and the limits of a custom bundle's image, are not visible in these calls: the service's own
 * refusal of MigrateWorkspace reports them, also before anything changes.
 *
 * @returns the rule the pair breaks, as a sentence; undefined when nothing visible forbids it
 */
export function migrationPairRefusal(workspace: Workspace, target: WorkspaceBundle): string | undefined {
  const targetName = `bundle ${target.BundleId} (${JSON.stringify(target.Name ?? '')})`;
  if (workspace.BundleId === target.BundleId) {
    return `the WorkSpace already has ${targetName}: the source and target bundles of a migration must differ`;
  }
  if (target.State !== undefined && target.State !== 'AVAILABLE') {
    return `${targetName} is ${target.State} (DescribeWorkspaceBundles), and a WorkSpace is migrated only to an AVAILABLE bundle`;
  }
  if (target.BundleType === 'STANDBY') {
    return `${targetName} is a STANDBY bundle, which serves standby WorkSpaces only`;
  }
  if (target.Owner !== 'AMAZON') {
    return undefined;
  }
  const targetOs = publicBundleOs(target.Name ?? '');
  const sourceOs = workspace.WorkspaceProperties?.OperatingSystemName ?? '';
  if (targetOs === 'WINDOWS_7') {
    return `${targetName} is a Windows 7 bundle, and no WorkSpace can be migrated to Windows 7 (the Administration Guide, "Migrate a WorkSpace")`;
  }
  if (sourceOs === 'WINDOWS_11' && targetOs === 'WINDOWS_10') {
    return `the WorkSpace runs Windows 11 (DescribeWorkspaces) and ${targetName} is a Windows 10 bundle: migration from Windows 11 to `
      + 'Windows 10 is not supported (the Administration Guide, "Migrate a WorkSpace")';
  }
  if (targetOs !== undefined && sourceOs !== '' && isLinux(sourceOs) !== (targetOs === 'LINUX')) {
    return `the WorkSpace runs ${sourceOs} (DescribeWorkspaces) and ${targetName} is a ${targetOs === 'LINUX' ? 'Linux' : 'Windows'} `
      + 'bundle: a WorkSpace is migrated only between bundles of the same platform';
  }
  return undefined;
}

/** The operating system a public bundle's name states, where it states one. */
function publicBundleOs(name: string): 'WINDOWS_7' | 'WINDOWS_10' | 'WINDOWS_11' | 'WINDOWS' | 'LINUX' | undefined {
  if (/Linux|Ubuntu|Rocky|Red Hat|RHEL/i.test(name)) return 'LINUX';
  if (/Windows 7\b/i.test(name)) return 'WINDOWS_7';
  if (/Windows 11\b/i.test(name)) return 'WINDOWS_11';
  // "Windows 10 (Server 2022 based)" is a Windows Server desktop, not the Windows 10 client.
  if (/Windows 10\b/i.test(name)) return /Server/i.test(name) ? 'WINDOWS' : 'WINDOWS_10';
  if (/Windows/i.test(name)) return 'WINDOWS';
  return undefined;
}

function isLinux(operatingSystemName: string): boolean {
  return /LINUX|UBUNTU|RHEL|ROCKY/.test(operatingSystemName);
}

/** What the handler observed before a migration: the WorkSpace, its snapshots and its user's connection. */
export interface MigrationObservation {
  readonly workspaceId: string;
  readonly userName: string;
  readonly workspace: Workspace;
  readonly targetBundleId: string;
  /** Every snapshot time DescribeWorkspaceSnapshots listed (restore and rebuild snapshots alike). */
  readonly snapshotTimes: readonly Date[];
  readonly connection: ConnectionObservation;
  readonly timeoutSeconds: number;
  /** Seconds since the request started; undefined: no timeout is enforced. */
  readonly elapsedSeconds?: number;
}

export type MigrationDecision =
  | { readonly kind: 'migrate'; readonly snapshotTime: Date }
  | { readonly kind: 'wait'; readonly reason: string }
  | { readonly kind: 'fail'; readonly message: string };

/**
 * Whether the migration may start now. It starts only when nothing the user wrote can be lost:
 * the WorkSpace is in a state the service migrates from, no one is connected (a connected user's
 * last connection is now, so no snapshot can be newer), and the newest snapshot is newer than
 * the user's last connection (LastKnownUserConnectionTimestamp). Otherwise it waits, since the
 * service takes a snapshot regularly, and past the timeout it fails saying when the last snapshot
 * was taken and what to do; nothing has changed then.
 *
 * disruptionPolicy makes no difference here: a migration disconnects the user, and with either
 * policy it waits for them to disconnect, because what they write while connected is newer than
 * any snapshot.
 */
export function planMigration(input: MigrationObservation): MigrationDecision {
  const { workspace, workspaceId } = input;
  const state = workspace.State ?? 'UNKNOWN';
  const newest = input.snapshotTimes.reduce<Date | undefined>((a, b) => (a === undefined || b > a ? b : a), undefined);
  const last = input.connection.lastKnownUserConnection;
  let reason: string;
  if (!MIGRATABLE_STATES.has(state)) {
    if (!PASSING_STATES.has(state)) {
      return {
        kind: 'fail',
        message: `WorkSpace ${workspaceId} (user "${input.userName}") is ${state}, and the service migrates a WorkSpace only when it is `
          + `AVAILABLE, STOPPED or ERROR, so it was not migrated to bundle ${input.targetBundleId}. Nothing was changed. `
          + 'Bring it to AVAILABLE or STOPPED (resume it, or end its maintenance), then deploy again.',
      };
    }
    reason = `the WorkSpace is ${state}; a migration starts from AVAILABLE, STOPPED or ERROR`;
  } else if (!userDisconnected(input.connection, workspace)) {
    reason = `user "${input.userName}" is connected (connection state ${input.connection.state ?? 'not reported'}); what they write now `
      + 'is newer than any snapshot, and a migration disconnects them';
  } else if (newest === undefined) {
    reason = 'the WorkSpace has no snapshot yet (the first is taken about 12 hours after it was created or migrated)';
  } else if (last !== undefined && newest <= last) {
    reason = `its newest snapshot (${newest.toISOString()}) is older than the user's last connection (${last.toISOString()}), so `
      + 'what they wrote since would be lost';
  } else {
    return { kind: 'migrate', snapshotTime: newest };
  }
  if (input.elapsedSeconds !== undefined && input.elapsedSeconds > input.timeoutSeconds) {
    return { kind: 'fail', message: notSafeMessage(input, newest, last, reason) };
  }
  return { kind: 'wait', reason: `the migration to bundle ${input.targetBundleId} waits: ${reason}` };
}

function notSafeMessage(input: MigrationObservation, newest: Date | undefined, last: Date | undefined, reason: string): string {
  const snapshot = newest === undefined
    ? 'It has no snapshot yet (DescribeWorkspaceSnapshots lists none)'
    : `Its newest snapshot was taken at ${newest.toISOString()} (DescribeWorkspaceSnapshots)`;
  const connection = last === undefined
    ? ''
    : `, and user "${input.userName}" last connected at ${last.toISOString()}, ${formatDuration((input.connection.observedAt.getTime() - last.getTime()) / 1000)} `
      + 'before the last check (LastKnownUserConnectionTimestamp)';
  return `WorkSpace ${input.workspaceId} (user "${input.userName}") was not migrated to bundle ${input.targetBundleId} within `
    + `${formatSeconds(input.timeoutSeconds)} (TimeoutSeconds): ${reason}. ${snapshot}${connection}. A migration restores the user `
    + 'volume from the last snapshot, so it starts only when that snapshot is newer than the user\'s last connection. '
    + 'Nothing was changed. The service takes a snapshot about every 12 hours: ask the user to log off and stay logged off until '
    + 'the next snapshot, then deploy again (or declare the bundle the WorkSpace has, or set bundleChange to BundleChange.REFUSE).';
}

// The migration marking: a tag on the WorkSpace that a migration made, so that each later request
// of the resource tells what CloudFormation has committed. The service carries a WorkSpace's tags
// over to the migrated one, so the marking written on the original before MigrateWorkspace is on
// the new WorkSpace from its start.

/** What the migration tag says. */
export interface MigrationMark {
  /** The request that migrated the WorkSpace (or that last proposed its id to CloudFormation). */
  readonly request: string;
  /**
   * `pending`: the new id is proposed to CloudFormation, not known to be committed: the cleanup
   * Delete of the original id commits it, the rollback's Delete of the new id rolls it back.
   * `rolledback`: CloudFormation's record still names the original id, whose WorkSpace lives on
   * as this one: the resource's next request follows it here.
   */
  readonly state: 'pending' | 'rolledback';
  /** The id of the WorkSpace it was migrated from (CloudFormation's physical id before). */
  readonly from: string;
  /** The id of the migrated WorkSpace, once MigrateWorkspace has answered (written on the original). */
  readonly to?: string;
  /**
   * The migrated WorkSpace has been seen (written on the original): a new WorkSpace is invisible
   * for a while, so only one seen before and no longer described is known to be gone (the
   * migration failed, and the service terminated it).
   */
  readonly seen?: boolean;
}

const SEEN = 'seen';

export function formatMigrationMark(mark: MigrationMark): string {
  const to = mark.to === undefined ? [] : [mark.to, ...mark.seen ? [SEEN] : []];
  return [mark.request, mark.state, mark.from, ...to].join('/');
}

export function parseMigrationMark(value: string | undefined): MigrationMark | undefined {
  const parts = (value ?? '').split('/');
  if (parts.length < 3 || parts.length > 5 || parts.some((p) => p === '')) {
    return undefined;
  }
  const [request, state, from, to, seen] = parts;
  if ((state !== 'pending' && state !== 'rolledback') || (seen !== undefined && seen !== SEEN)) {
    return undefined;
  }
  return seen === SEEN ? { request, state, from, to, seen: true } : { request, state, from, to };
}

/**
 * What a rollback leaves when it cannot undo a migration, for the log and the report: the
 * WorkSpace stays on the bundle it was migrated to, with the user's data, and why.
 */
export function keptMigrationNote(workspace: Workspace, from: string, declaredBundleId: string | undefined): string {
  return `WorkSpace ${workspace.WorkspaceId} (user "${workspace.UserName}") stays on bundle ${workspace.BundleId}, to which it was `
    + `migrated from ${from}: going back to bundle ${declaredBundleId ?? '(the declared one)'} would take another migration, which `
    + 'restores the user volume from a snapshot the migrated WorkSpace does not have yet (the first is taken about 12 hours after '
    + 'the migration), so the rollback leaves it where it is and loses nothing. Deploy the bundle it has, or deploy the old bundle '
    + 'again after its first snapshot to migrate it back';
}
