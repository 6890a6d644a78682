// A bundle change that migrates the WorkSpace (MigrateWorkspace), and how each later request of the
// resource tells, from the migration marking (lambda/plan/migration.ts), what CloudFormation has
// committed.
//
// The physical id follows the WorkSpace: isComplete answers the new id once the migrated WorkSpace
// is done. CloudFormation then holds two ids for one WorkSpace for a while, and sends a Delete for
// one of them: the original id after success (the cleanup, which finds the original gone and
// commits the marking), or the new id after a rollback. A migration cannot be undone without
// another migration, which restores the user volume from a snapshot the new WorkSpace does not
// have yet; so the rollback's Delete keeps the migrated WorkSpace and marks it rolled back, and the
// resource's next request follows the original id to it. Nothing the user wrote is lost either way.
import type { Workspace } from '@aws-sdk/client-workspaces';
import { takeStep } from './poll';
import { MIGRATION_TAG_KEY, OWNERSHIP_TAG_KEY } from '../../../src/private/rules';
import { errorText, isRetryLater, sdkErrorOf, tagUnlessGone, WorkspacesApi } from '../../api';
import { attributesOf, IsCompleteResult, ResolvedDeps, WorkspaceIsCompleteEvent, WorkspaceResourceEvent } from '../../core/contract';
import { Reader, readerOf, relationOf } from '../../core/ownership';
import { lastConnectionSeen } from '../../core/refusals';
import { DesiredWorkspace, previousTagKeys } from '../../parse';
import {
  formatMigrationMark,
  keptMigrationNote,
  MigrationMark,
  parseMigrationMark,
  planMigration,
  planReconcile,
} from '../../plan';
import { resolveBundle } from '../../preflight';

/** A WorkSpace and what its migration marking says. */
export interface Migrated {
  readonly workspace: Workspace;
  readonly tags: Readonly<Record<string, string>>;
  readonly mark: MigrationMark;
}

/** The migration marking of a WorkSpace's tags, when it has one. */
export function markOf(tags: Readonly<Record<string, string>>): MigrationMark | undefined {
  return parseMigrationMark(tags[MIGRATION_TAG_KEY]);
}

/**
 * The tags that write a marking from onEvent: the ownership tag goes with it, unchanged (onEvent's
 * role may tag only with it).
 */
export function markTags(tags: Readonly<Record<string, string>>, mark: MigrationMark): Array<{ Key: string; Value: string }> {
  return [{ Key: OWNERSHIP_TAG_KEY, Value: tags[OWNERSHIP_TAG_KEY] }, ...markTag(mark)];
}

/** The tag that writes a marking from isComplete, whose role may never touch the ownership tag. */
export function markTag(mark: MigrationMark): Array<{ Key: string; Value: string }> {
  return [{ Key: MIGRATION_TAG_KEY, Value: formatMigrationMark(mark) }];
}

/**
 * The WorkSpace of this user and directory that was migrated from `fromId` and is this resource's
 * (its ownership carried over from the original), if there is one.
 */
export async function findMigratedFrom(
  api: WorkspacesApi,
  reader: Reader,
  directoryId: string,
  userName: string,
  fromId: string,
): Promise<Migrated | undefined> {
  for (const workspace of await api.findByUser(directoryId, userName)) {
    if (workspace.WorkspaceId === undefined || workspace.WorkspaceId === fromId || workspace.State === 'TERMINATED') {
      continue;
    }
    const tags = await api.tags(workspace.WorkspaceId);
    const mark = markOf(tags);
    const relation = relationOf(reader, tags[OWNERSHIP_TAG_KEY]);
    if (mark?.from === fromId && (relation === 'this-request' || relation === 'earlier-lifetime')) {
      return { workspace, tags, mark };
    }
  }
  return undefined;
}

/** Whether only the bundle changes among the settings that only a new WorkSpace could have: a migration does that. */
export function onlyBundleChanges(changes: readonly string[]): boolean {
  return changes.length > 0 && changes.every((c) => c === 'BundleId' || c === 'BundleName');
}

/**
 * isComplete of an Update whose WorkSpace changes bundle by migration, or was migrated: observes,
 * starts the migration when it is safe, waits for it, reconciles the migrated WorkSpace and
 * answers its id as the new physical id. Undefined when the request has nothing to do with a
 * migration (the WorkSpace already has the declared bundle and none is under way): the ordinary
 * reconciler goes on.
 */
export async function migrationIsComplete(
  event: WorkspaceIsCompleteEvent,
  deps: ResolvedDeps,
  declared: DesiredWorkspace,
  elapsedSeconds: number | undefined,
  refusalKey: string,
): Promise<IsCompleteResult | undefined> {
  const { api, log, now } = deps;
  const physicalId = event.PhysicalResourceId;
  const reader = readerOf(event, true);
  const requestId = event.RequestId ?? '';
  const source = await api.describe(physicalId);
  if (source !== undefined && source.BundleId === declared.bundleId && !['TERMINATING', 'TERMINATED'].includes(source.State ?? '')) {
    // Already on the declared bundle (the rollback of a refused change, or nothing to migrate).
    return undefined;
  }
  const tags = source === undefined ? {} : await api.tags(physicalId);
  const mark = markOf(tags);

  // Gone, or going: a WorkSpace terminating after a migration that is not this request's own.
  if (source === undefined || source.State === 'TERMINATED' || (source.State === 'TERMINATING' && mark?.request !== requestId)) {
    const migrated = await findMigratedFrom(api, reader, declared.directoryId, declared.userName, physicalId);
    if (migrated === undefined) {
      return undefined;
    }
    if (migrated.mark.state === 'rolledback' && migrated.mark.request === requestId) {
      // onEvent found this request to be the rollback of a migration it cannot undo.
      log(`${keptMigrationNote(migrated.workspace, physicalId, declared.bundleId)}.`);
      return { IsComplete: true, Data: attributesOf(migrated.workspace.WorkspaceId!, migrated.workspace) };
    }
    if (migrated.mark.state === 'rolledback') {
      // Kept by an earlier rollback: this request follows it, and proposes its id to CloudFormation.
      const proposed: MigrationMark = { request: requestId, state: 'pending', from: physicalId };
      await api.createTags(migrated.workspace.WorkspaceId!, markTag(proposed));
      log(`${physicalId} was migrated to ${migrated.workspace.WorkspaceId} (kept by an earlier rollback): the resource follows it`);
      return reconcileMigrated(event, deps, declared, { ...migrated, mark: proposed }, elapsedSeconds, refusalKey);
    }
    return reconcileMigrated(event, deps, declared, migrated, elapsedSeconds, refusalKey);
  }

  if (mark?.state === 'pending' && mark.request === requestId && mark.from === physicalId) {
    // This request started a migration of the WorkSpace: follow it.
    const target = mark.to !== undefined
      ? await api.describe(mark.to)
      : (await findMigratedFrom(api, reader, declared.directoryId, declared.userName, physicalId))?.workspace;
    const targetId = mark.to ?? target?.WorkspaceId ?? '(not known yet)';
    if (target !== undefined && mark.to !== undefined && !mark.seen) {
      // Seen once: should it disappear, the migration failed (a new WorkSpace is invisible only at first).
      await tagUnlessGone(api, physicalId, markTag({ ...mark, seen: true }));
    }
    if (target === undefined && mark.seen) {
      await api.deleteTags(physicalId, [MIGRATION_TAG_KEY]);
      throw new Error(`The migration of WorkSpace ${physicalId} (user "${declared.userName}") to bundle ${declared.bundleId} failed: the `
        + `service terminated the new WorkSpace ${targetId} (it is gone). WorkSpace ${physicalId} keeps its id, its bundle and its user `
        + 'volume; nothing else was changed. Look at the bundle\'s image, then deploy again.');
    }
    if (target === undefined || target.State === 'PENDING') {
      return waitOrTimeout(declared, elapsedSeconds, log, `${physicalId}: migrating to bundle ${declared.bundleId} as ${targetId}: `
        + `${target === undefined ? 'the new WorkSpace is not visible yet' : 'the new WorkSpace is PENDING'}`,
      `the migration of WorkSpace ${physicalId} to ${targetId} (bundle ${declared.bundleId}) did not finish; the service goes on with it `
        + 'and, should it fail, the WorkSpace keeps its id and its data');
    }
    if (target.State === 'TERMINATING') {
      return waitOrTimeout(declared, elapsedSeconds, log, `${physicalId}: the new WorkSpace ${targetId} is TERMINATING: the migration failed`,
        `the new WorkSpace ${targetId} of the failed migration of WorkSpace ${physicalId} was not terminated; WorkSpace ${physicalId} keeps `
        + 'its id, its bundle and its user volume');
    }
    if (['TERMINATED', 'ERROR'].includes(target.State ?? '')) {
      await api.deleteTags(physicalId, [MIGRATION_TAG_KEY]);
      throw new Error(`The migration of WorkSpace ${physicalId} (user "${declared.userName}") to bundle ${declared.bundleId} failed: the `
        + `service ${target.State === 'ERROR' ? 'left' : 'terminated'} the new WorkSpace ${targetId} (${target.State}`
        + `${target.ErrorCode ? `: ${target.ErrorCode}: ${target.ErrorMessage ?? ''}` : ''}). WorkSpace ${physicalId} keeps its id, its `
        + 'bundle and its user volume; nothing else was changed. Look at the bundle\'s image, then deploy again.');
    }
    if (target.State === 'AVAILABLE' || target.State === 'STOPPED') {
      // The service terminates the original once the new WorkSpace is ready: done when it is gone.
      return waitOrTimeout(declared, elapsedSeconds, log, `${physicalId}: migrated to ${targetId}, which is ${target.State}; the `
        + `original is ${source.State} until the service has terminated it`,
      `the original WorkSpace ${physicalId} was not terminated after its migration to ${targetId}; deploy again to continue`);
    }
    const migrated: Migrated = { workspace: target, tags: await api.tags(target.WorkspaceId!), mark };
    return reconcileMigrated(event, deps, declared, migrated, elapsedSeconds, refusalKey);
  }

  const bundleId = declared.bundleId ?? (await resolveBundle(api, declared.bundle)).BundleId!;
  if (source.BundleId === bundleId) {
    return undefined;
  }
  const connection = (await api.connectionStatus([physicalId])).get(physicalId);
  const decision = planMigration({
    workspaceId: physicalId,
    userName: declared.userName,
    workspace: source,
    targetBundleId: bundleId,
    snapshotTimes: await api.snapshotTimes(physicalId),
    connection: {
      state: connection?.ConnectionState,
      lastKnownUserConnection: lastConnectionSeen(physicalId, connection?.ConnectionState, connection?.LastKnownUserConnectionTimestamp, now()),
      observedAt: now(),
    },
    timeoutSeconds: declared.timeoutSeconds,
    elapsedSeconds,
  });
  switch (decision.kind) {
    case 'wait':
      log(`${physicalId}: ${decision.reason}`);
      return { IsComplete: false };
    case 'fail':
      throw new Error(decision.message);
    case 'migrate':
      break;
  }
  // The marking first: the service carries it over to the new WorkSpace.
  const started: MigrationMark = { request: requestId, state: 'pending', from: physicalId };
  await api.createTags(physicalId, markTag(started));
  let targetId: string;
  try {
    targetId = await api.migrate(physicalId, bundleId);
  } catch (e) {
    if (isRetryLater(e)) {
      log(`${physicalId}: MigrateWorkspace must wait: ${errorText(sdkErrorOf(e))}`);
      return { IsComplete: false };
    }
    await api.deleteTags(physicalId, [MIGRATION_TAG_KEY]);
    throw new Error(`MigrateWorkspace refused to migrate WorkSpace ${physicalId} (user "${declared.userName}") to bundle ${bundleId}: `
      + `${errorText(sdkErrorOf(e))}. Nothing was changed.`);
  }
  await api.createTags(physicalId, markTag({ ...started, to: targetId }));
  log(`${physicalId}: MigrateWorkspace to bundle ${bundleId} (user volume from the snapshot of ${decision.snapshotTime.toISOString()}, `
    + `newer than the user's last connection): the new WorkSpace is ${targetId}`);
  return { IsComplete: false };
}

/** The migrated WorkSpace: the declared tags and properties, then done with its id as the physical id. */
async function reconcileMigrated(
  event: WorkspaceIsCompleteEvent,
  deps: ResolvedDeps,
  declared: DesiredWorkspace,
  migrated: Migrated,
  elapsedSeconds: number | undefined,
  refusalKey: string,
): Promise<IsCompleteResult> {
  const { api, log } = deps;
  const workspaceId = migrated.workspace.WorkspaceId!;
  const decision = planReconcile({
    workspaceId,
    desired: { ...declared, bundleId: declared.bundleId ?? migrated.workspace.BundleId },
    previousTagKeys: previousTagKeys(event.OldResourceProperties),
    workspace: migrated.workspace,
    tags: migrated.tags,
    mayBeInvisible: false,
    elapsedSeconds,
  });
  switch (decision.kind) {
    case 'complete':
      log(`${workspaceId} (migrated from ${event.PhysicalResourceId}) is ${migrated.workspace.State} on bundle `
        + `${migrated.workspace.BundleId}: it is the resource's WorkSpace now`);
      return { IsComplete: true, PhysicalResourceId: workspaceId, Data: attributesOf(workspaceId, migrated.workspace) };
    case 'wait':
      log(`${workspaceId}: waiting, ${decision.reason}`);
      return { IsComplete: false };
    case 'step':
      await takeStep(api, workspaceId, decision.step, log, { refusalKey, newWorkspace: false });
      return { IsComplete: false };
    case 'observeConnection': {
      const status = (await api.connectionStatus([workspaceId])).get(workspaceId);
      log(`${workspaceId}: ${status?.ConnectionState ?? 'no connection state'}; the next step disconnects the user and waits for the next poll`);
      if (status?.ConnectionState === 'DISCONNECTED' || (status?.ConnectionState !== 'CONNECTED' && migrated.workspace.State === 'STOPPED')) {
        await takeStep(api, workspaceId, decision.step, log, { refusalKey, newWorkspace: false });
      }
      return { IsComplete: false };
    }
    case 'fail':
      throw new Error(decision.message);
  }
}

function waitOrTimeout(
  declared: DesiredWorkspace,
  elapsedSeconds: number | undefined,
  log: (message: string) => void,
  reason: string,
  what: string,
): IsCompleteResult {
  if (elapsedSeconds !== undefined && elapsedSeconds > declared.timeoutSeconds) {
    throw new Error(`Within ${declared.timeoutSeconds} seconds (TimeoutSeconds), ${what}.`);
  }
  log(reason);
  return { IsComplete: false };
}

/**
 * A request of the resource for this very WorkSpace id proves that CloudFormation committed it:
 * a marking still pending from another id (the cleanup Delete of the original id is not sent
 * under the default removal policy, which retains on replacement) is removed.
 */
export async function commitMigration(
  api: WorkspacesApi,
  workspaceId: string,
  tags: Readonly<Record<string, string>> | undefined,
  requestId: string | undefined,
  log: (message: string) => void,
): Promise<void> {
  const mark = tags === undefined ? undefined : markOf(tags);
  if (mark !== undefined && mark.state === 'pending' && mark.from !== workspaceId && mark.request !== requestId) {
    await api.deleteTags(workspaceId, [MIGRATION_TAG_KEY]);
    log(`${workspaceId}: its migration from ${mark.from} is committed (CloudFormation names it): the migration marking is removed`);
  }
}

/**
 * onEvent of an Update whose WorkSpace is no longer described: was it migrated?
 * - A migrated WorkSpace still pending from this id: the request that migrated it failed, and
 *   this is CloudFormation's rollback. It cannot be undone without another migration, so the
 *   WorkSpace stays migrated, marked rolled back; the rollback completes (`rolledBack`).
 * - One marked rolled back: an earlier rollback kept it, and this request follows it (its id
 *   becomes the physical id, pending until CloudFormation commits or rolls back this request).
 */
export async function followMigration(
  deps: ResolvedDeps,
  event: WorkspaceResourceEvent,
  desired: DesiredWorkspace,
  physicalId: string,
): Promise<{ readonly rolledBack: boolean; readonly workspace?: Workspace }> {
  const { api, log } = deps;
  const migrated = await findMigratedFrom(api, readerOf(event, true), desired.directoryId, desired.userName, physicalId);
  if (migrated === undefined) {
    return { rolledBack: false };
  }
  const workspaceId = migrated.workspace.WorkspaceId!;
  if (migrated.mark.state === 'pending') {
    await api.createTags(workspaceId, markTags(migrated.tags, { request: event.RequestId ?? '', state: 'rolledback', from: physicalId }));
    log(`Update of ${physicalId} rolls back its migration to ${workspaceId}: ${keptMigrationNote(migrated.workspace, physicalId, desired.bundleId)}`);
    return { rolledBack: true };
  }
  await api.createTags(workspaceId, markTags(migrated.tags, { request: event.RequestId ?? '', state: 'pending', from: physicalId }));
  log(`${physicalId} was migrated to ${workspaceId} (kept by an earlier rollback): the resource follows it`);
  return { rolledBack: false, workspace: migrated.workspace };
}
