// A fleet's bundle change: its members are migrated (MigrateWorkspace) in waves of
// MigrationBatchSize, each wave only once the one before has finished, so that a bad bundle fails
// the request after its first wave, with the other members untouched. Each member is migrated
// by the same rules as a Workspace (lambda/plan/migration.ts): only when no one is connected and
// its newest snapshot is newer than its user's last connection.
//
// The fleet's id does not change, so CloudFormation rolls a failed deployment back with an Update
// to the old bundle. A member migrated by an earlier request of the fleet has no snapshot of its
// own yet (the first comes about 12 hours after the migration): migrating it back would have
// nothing to restore from, so such a member stays where it is and the request reports it. That
// is what lets the rollback of a fleet's migration complete, losing nothing.
import type { Workspace } from '@aws-sdk/client-workspaces';
import { groupByUser, lower } from './fleet-members';
import type { FleetSpec } from './fleet-properties';
import { MIGRATION_TAG_KEY } from '../../../src/private/rules';
import { errorText, isRetryLater, Pacer, sdkErrorOf, tagUnlessGone, WorkspacesApi } from '../../api';
import { IsCompleteResult, ResolvedDeps, WorkspaceIsCompleteEvent, WorkspaceResourceEvent } from '../../core/contract';
import { lastConnectionSeen } from '../../core/refusals';
import { formatMigrationMark, MigrationDecision, MigrationMark, migrationPairRefusal, parseMigrationMark, planMigration } from '../../plan';

/** How many users a failure message names, before "and N more". */
const MAX_NAMED = 10;
const GONE_STATES = new Set(['TERMINATING', 'TERMINATED']);

/** Whether this fleet Update changes the bundle, so that its members are migrated. */
export function fleetMigrates(spec: FleetSpec, event: WorkspaceResourceEvent): boolean {
  const old = (event.OldResourceProperties ?? {}) as Record<string, unknown>;
  const now = event.ResourceProperties;
  return event.RequestType === 'Update' && spec.bundleChange === 'MIGRATE' && old.DirectoryId === now.DirectoryId
    && (old.BundleId !== now.BundleId || old.BundleName !== now.BundleName || old.BundleOwner !== now.BundleOwner);
}

/**
 * onEvent's pre-flight of a fleet migration, before anything changes: the bundle (already
 * resolved and checked to fit by the fleet's pre-flight) is one the service migrates each member
 * to, and no user is added or removed in the same request (a migration is a deployment of its own).
 *
 * @throws Error naming the rule and the users it refuses
 */
export async function fleetMigrationPreflight(
  api: WorkspacesApi,
  spec: FleetSpec,
  event: WorkspaceResourceEvent,
  listing: readonly Workspace[],
  bundleId: string,
  usersChanged: boolean,
): Promise<void> {
  const fleet = `WorkSpace fleet ${event.LogicalResourceId}`;
  if (usersChanged) {
    throw new Error(`Cannot change the bundle of ${fleet} and its users in one deployment: deploy the new users (or the removal) `
      + 'first, then the bundle change, which migrates the members in waves. Nothing was changed.');
  }
  const target = await api.bundle(bundleId) ?? { BundleId: bundleId };
  const byUser = groupByUser(listing);
  const refused: string[] = [];
  for (const userName of spec.userNames) {
    const workspace = (byUser.get(lower(userName)) ?? []).find((w) => !GONE_STATES.has(w.State ?? ''));
    const refusal = workspace === undefined || workspace.BundleId === bundleId ? undefined : migrationPairRefusal(workspace, target);
    if (refusal !== undefined) {
      refused.push(`user "${userName}" (${workspace!.WorkspaceId}): ${refusal}`);
    }
  }
  if (refused.length > 0) {
    throw new Error(`Cannot migrate the members of ${fleet} to bundle ${bundleId}: ${named(refused)}. Nothing was changed.`);
  }
}

/** One user's migration, as one poll sees it. */
type MemberState =
  | { readonly kind: 'done' }
  /** Migrated; the service is terminating the original. */
  | { readonly kind: 'finishing' }
  | { readonly kind: 'inFlight'; readonly reason: string }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'kept'; readonly workspace: Workspace; readonly note: string }
  | { readonly kind: 'toMigrate'; readonly workspace: Workspace; readonly tags: Record<string, string> };

/**
 * isComplete of a fleet Update that changes the bundle: the migration, wave by wave. Returns
 * undefined once every member is on the new bundle (or kept, reported): the fleet's reconciler
 * then applies the other changes and completes.
 */
export async function fleetMigrationIsComplete(
  event: WorkspaceIsCompleteEvent,
  deps: ResolvedDeps,
  spec: FleetSpec,
  bundleId: string,
  elapsedSeconds: number | undefined,
): Promise<IsCompleteResult | undefined> {
  const { api, log, now } = deps;
  const requestId = event.RequestId ?? '';
  const fleet = `WorkSpace fleet ${event.LogicalResourceId}`;
  const byUser = groupByUser(await api.listDirectory(spec.directoryId));
  const states = new Map<string, MemberState>();
  for (const userName of spec.userNames) {
    states.set(userName, await memberState(api, byUser.get(lower(userName)) ?? [], bundleId, requestId));
  }
  const of = (kind: MemberState['kind']) => [...states.entries()].filter(([, s]) => s.kind === kind);

  const failed = of('failed');
  const inFlight = of('inFlight');
  const timedOut = elapsedSeconds !== undefined && elapsedSeconds > spec.timeoutSeconds;
  if (failed.length > 0 && inFlight.length > 0 && !timedOut) {
    // The wave ends first, so that the failure names all of its members that failed.
    log(`${fleet}: ${failed.length} migrations of this wave failed; no further wave starts, the failure is reported once the `
      + `${inFlight.length} others of the wave have ended`);
    return { IsComplete: false };
  }
  if (failed.length > 0) {
    throw new Error(`${fleet}: the migration of ${failed.length} of ${spec.userNames.length} members to bundle ${bundleId} failed, and `
      + `no further wave was started: ${named(failed.map(([u, s]) => `user "${u}": ${(s as { message: string }).message}`))}. `
      + `${of('done').length} members were migrated (they keep their data on the new bundle); the others were not touched.`);
  }
  if (inFlight.length > 0) {
    if (timedOut) {
      throw new Error(`${fleet}: ${inFlight.length} migrations to bundle ${bundleId} did not finish within ${spec.timeoutSeconds} seconds `
        + `(TimeoutSeconds): ${named(inFlight.map(([u, s]) => `user "${u}": ${(s as { reason: string }).reason}`))}. The service goes on with `
        + 'them; a member whose migration fails keeps its id and its data.');
    }
    log(`${fleet}: a wave of ${inFlight.length} migrations is under way (${of('done').length} of ${spec.userNames.length} done)`);
    return { IsComplete: false };
  }
  const toMigrate = of('toMigrate') as Array<[string, Extract<MemberState, { kind: 'toMigrate' }>]>;
  const finishing = of('finishing');
  if (toMigrate.length === 0 && finishing.length > 0) {
    // Done but for the service's termination of the originals: the reconciler must see one WorkSpace per user.
    log(`${fleet}: ${finishing.length} originals are being terminated by the service after their migration`);
    return waitWithin(timedOut, fleet, finishing.length);
  }
  if (toMigrate.length === 0) {
    for (const [, s] of of('kept')) {
      log(`${(s as { note: string }).note}.`);
    }
    log(`${fleet}: every member is on bundle ${bundleId}${of('kept').length > 0 ? ` or kept (${of('kept').length})` : ''}`);
    return undefined;
  }

  // The next wave: the first members that may be migrated safely, up to the batch size.
  const statuses = await api.connectionStatus(toMigrate.map(([, s]) => s.workspace.WorkspaceId!));
  const wave: Array<[string, Extract<MemberState, { kind: 'toMigrate' }>, Date]> = [];
  const waiting: Array<[string, Extract<MigrationDecision, { kind: 'wait' | 'fail' }>]> = [];
  for (const [userName, s] of toMigrate) {
    if (wave.length >= spec.migrationBatchSize) {
      break;
    }
    const id = s.workspace.WorkspaceId!;
    const status = statuses.get(id);
    const decision = planMigration({
      workspaceId: id,
      userName,
      workspace: s.workspace,
      targetBundleId: bundleId,
      snapshotTimes: await api.snapshotTimes(id),
      connection: {
        state: status?.ConnectionState,
        lastKnownUserConnection: lastConnectionSeen(id, status?.ConnectionState, status?.LastKnownUserConnectionTimestamp, now()),
        observedAt: now(),
      },
      timeoutSeconds: spec.timeoutSeconds,
      elapsedSeconds,
    });
    if (decision.kind === 'migrate') {
      wave.push([userName, s, decision.snapshotTime]);
    } else {
      waiting.push([userName, decision]);
    }
  }
  const refused = waiting.filter(([, d]) => d.kind === 'fail');
  if (refused.length > 0 && wave.length === 0) {
    throw new Error(`${fleet}: ${refused.length} members could not be migrated to bundle ${bundleId}: `
      + `${named(refused.map(([u, d]) => `user "${u}": ${(d as { message: string }).message}`))}`);
  }
  const pacer = new Pacer(spec.requestsPerSecond, () => now().getTime(), deps.sleep);
  for (const [userName, s, snapshotTime] of wave) {
    const id = s.workspace.WorkspaceId!;
    const started: MigrationMark = { request: requestId, state: 'pending', from: id };
    await pacer.take();
    await api.createTags(id, markTag(started));
    await pacer.take();
    let targetId: string;
    try {
      targetId = await api.migrate(id, bundleId);
    } catch (e) {
      if (isRetryLater(e)) {
        log(`${id} (user "${userName}"): MigrateWorkspace must wait: ${errorText(sdkErrorOf(e))}`);
        continue;
      }
      await api.deleteTags(id, [MIGRATION_TAG_KEY]);
      throw new Error(`${fleet}: MigrateWorkspace refused to migrate WorkSpace ${id} of user "${userName}" to bundle ${bundleId}: `
        + `${errorText(sdkErrorOf(e))}. No further wave was started.`);
    }
    await pacer.take();
    await api.createTags(id, markTag({ ...started, to: targetId }));
    log(`${id} (user "${userName}"): MigrateWorkspace to bundle ${bundleId} (snapshot of ${snapshotTime.toISOString()}): ${targetId}`);
  }
  log(`${fleet}: started a wave of ${wave.length} migrations (batch size ${spec.migrationBatchSize}); ${toMigrate.length - wave.length} `
    + `members wait for a later wave${waiting.length > 0 ? `, ${waiting.length} of them until it is safe` : ''}`);
  return { IsComplete: false };
}

async function memberState(api: WorkspacesApi, workspaces: readonly Workspace[], bundleId: string, requestId: string): Promise<MemberState> {
  const live = workspaces.filter((w) => w.State !== 'TERMINATED');
  const onTarget = live.find((w) => w.BundleId === bundleId);
  const others = live.filter((w) => w.BundleId !== bundleId && w.State !== 'TERMINATING');
  if (onTarget !== undefined) {
    if (onTarget.State === 'PENDING' || ['TERMINATING', 'ERROR'].includes(onTarget.State ?? '')) {
      const original = others[0];
      const tags = original === undefined ? {} : await api.tags(original.WorkspaceId!);
      const mark = parseMigrationMark(tags[MIGRATION_TAG_KEY]);
      const ours = mark?.request === requestId && mark.to === onTarget.WorkspaceId;
      if (onTarget.State !== 'PENDING') {
        return ours
          ? {
            kind: 'failed',
            message: `the service ${onTarget.State === 'ERROR' ? 'left' : 'is terminating'} the new WorkSpace ${onTarget.WorkspaceId} `
              + `(${onTarget.State}); ${original!.WorkspaceId} keeps its id, its bundle and its user volume`,
          }
          : { kind: 'inFlight', reason: `${onTarget.WorkspaceId} is ${onTarget.State}` };
      }
      if (ours && !mark.seen) {
        // Seen once: should it disappear, the migration failed (a new WorkSpace is invisible only at first).
        await tagUnlessGone(api, original!.WorkspaceId!, markTag({ ...mark, seen: true }));
      }
      return { kind: 'inFlight', reason: `${onTarget.WorkspaceId} is PENDING` };
    }
    if (others.length > 0) {
      return { kind: 'inFlight', reason: `${onTarget.WorkspaceId} is ${onTarget.State}; the original is still there` };
    }
    if (live.some((w) => w.BundleId !== bundleId && w.State === 'TERMINATING')) {
      // The next wave need not wait for this: the migration itself has ended.
      return { kind: 'finishing' };
    }
    return { kind: 'done' };
  }
  const source = others[0];
  if (source === undefined) {
    // No WorkSpace: the fleet's reconciler reports it.
    return { kind: 'done' };
  }
  const tags = await api.tags(source.WorkspaceId!);
  const mark = parseMigrationMark(tags[MIGRATION_TAG_KEY]);
  if (mark?.request === requestId && mark.state === 'pending' && mark.from === source.WorkspaceId) {
    if (mark.to === undefined) {
      return { kind: 'inFlight', reason: `${source.WorkspaceId} is being migrated` };
    }
    const target = workspaces.find((w) => w.WorkspaceId === mark.to) ?? await api.describe(mark.to);
    if (target === undefined && !mark.seen) {
      return { kind: 'inFlight', reason: `the new WorkSpace ${mark.to} is not visible yet` };
    }
    if (target !== undefined && !mark.seen) {
      // Seen once: should it disappear, the migration failed (a new WorkSpace is invisible only at first).
      await tagUnlessGone(api, source.WorkspaceId!, markTag({ ...mark, seen: true }));
    }
    if (target === undefined || ['TERMINATING', 'TERMINATED', 'ERROR'].includes(target.State ?? '')) {
      return {
        kind: 'failed',
        message: `the service ${target?.State === 'ERROR' ? 'left' : 'terminated'} the new WorkSpace ${mark.to} (${target?.State ?? 'gone'}); `
          + `${source.WorkspaceId} keeps its id, its bundle and its user volume`,
      };
    }
    return { kind: 'inFlight', reason: `the new WorkSpace ${mark.to} is ${target.State}` };
  }
  if (mark !== undefined && mark.from !== source.WorkspaceId && (await api.snapshotTimes(source.WorkspaceId!)).length === 0) {
    return {
      kind: 'kept',
      workspace: source,
      note: `${source.WorkspaceId} (user "${source.UserName}") stays on bundle ${source.BundleId}, to which it was migrated from `
        + `${mark.from}: it has no snapshot of its own yet, so another migration would have nothing to restore its user volume from `
        + '(a rollback of that migration leaves it where it is and loses nothing); deploy again after its first snapshot to move it',
    };
  }
  return { kind: 'toMigrate', workspace: source, tags };
}

function waitWithin(timedOut: boolean, fleet: string, count: number): IsCompleteResult {
  if (timedOut) {
    throw new Error(`${fleet}: the service did not terminate ${count} originals after their migration within the timeout; the `
      + 'migrated WorkSpaces hold their users\' data. Deploy again to continue.');
  }
  return { IsComplete: false };
}

/** isComplete writes the marking alone: its role may never touch the ownership tag. */
function markTag(mark: MigrationMark): Array<{ Key: string; Value: string }> {
  return [{ Key: MIGRATION_TAG_KEY, Value: formatMigrationMark(mark) }];
}

function named(items: readonly string[]): string {
  const more = items.length > MAX_NAMED ? ` (and ${items.length - MAX_NAMED} more)` : '';
  return `${items.slice(0, MAX_NAMED).join(' | ')}${more}`;
}
