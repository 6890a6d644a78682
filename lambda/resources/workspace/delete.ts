// Deleting a WorkSpace: only one that a request of this resource created is terminated; one it
// adopted is released; anyone else's is left alone.
import type { Workspace } from '@aws-sdk/client-workspaces';
import { findMigratedFrom, markOf, markTags } from './migration';
import { tryAtNextPoll } from './poll';
import { MIGRATION_TAG_KEY, OWNERSHIP_TAG_KEY, WORKSPACE_ID_PATTERN } from '../../../src/private/rules';
import { FailedRequestError, WorkspacesApi } from '../../api';
import { endSentence, errorMessage, IsCompleteResult, WorkspaceIsCompleteEvent, WorkspaceResourceEvent } from '../../core/contract';
import { describeOwner, parseOwnership, readerOf, relationOf } from '../../core/ownership';
import { lastRefusals, rememberRefusal } from '../../core/refusals';
import { readTimeoutSeconds } from '../../parse';
import { formatSeconds, keptMigrationNote, planDelete } from '../../plan';

/** What a Delete does with a WorkSpace, from its ownership tag. */
type DeleteVerdict = { readonly kind: 'terminate' } | { readonly kind: 'release' | 'leave'; readonly reason: string };

/**
 * Only a WorkSpace that a request of this resource created is ever terminated. One it adopted
 * existed before: it is released (the marking removed, the WorkSpace left running). One that is
 * not this resource's (taken by another, or released already) is left alone.
 */
function deleteVerdict(event: WorkspaceResourceEvent, marking: string | undefined): DeleteVerdict {
  const reader = readerOf(event, true);
  const relation = relationOf(reader, marking);
  if (relation !== 'this-request' && relation !== 'earlier-lifetime') {
    return { kind: 'leave', reason: `it is managed by ${describeOwner(reader, marking)}, not by this resource` };
  }
  if (parseOwnership(marking)!.kind === 'adopted') {
    return { kind: 'release', reason: 'this resource adopted it (adoptExisting), so it existed before and is released, never terminated' };
  }
  return { kind: 'terminate' };
}

export async function startDelete(
  api: WorkspacesApi,
  workspaceId: string,
  event: WorkspaceResourceEvent,
  log: (message: string) => void,
): Promise<void> {
  if (!WORKSPACE_ID_PATTERN.test(workspaceId)) {
    log(`${workspaceId} is not a WorkSpace id (the Create failed): nothing to delete`);
    return;
  }
  const workspace = await api.describe(workspaceId);
  if (workspace === undefined || workspace.State === 'TERMINATED' || workspace.State === 'TERMINATING') {
    if (await deleteMigrated(api, workspaceId, event, log)) {
      return;
    }
  }
  if (workspace === undefined) {
    // Only a WorkSpace that a request has just created is invisible: this resource's own.
    await terminateUnseen(api, workspaceId, log);
    return;
  }
  if (workspace.State !== 'TERMINATED') {
    const tags = await api.tags(workspaceId);
    if (await keepUncommittedMigration(api, workspace, tags, event, log)) {
      return;
    }
    const verdict = deleteVerdict(event, tags[OWNERSHIP_TAG_KEY]);
    if (verdict.kind === 'leave') {
      log(`${workspaceId}: not terminated: ${verdict.reason}`);
      return;
    }
    if (verdict.kind === 'release') {
      await api.deleteTags(workspaceId, [OWNERSHIP_TAG_KEY]);
      log(`${workspaceId}: released, not terminated: ${verdict.reason}. The property and tag changes made while `
        + 'it was managed stay on it.');
      return;
    }
  }
  const decision = planDelete({ workspaceId, workspace, timeoutSeconds: Infinity });
  switch (decision.kind) {
    case 'complete':
      log(`${workspaceId} is already gone`);
      return;
    case 'wait':
      log(`${workspaceId}: ${decision.reason}`);
      return;
    case 'terminate': {
      const outcome = await api.terminate(workspaceId);
      log(`${workspaceId}: TerminateWorkspaces: ${outcome}`);
      return;
    }
    case 'fail':
      throw new Error(decision.message);
  }
}

/**
 * The Delete of an id whose WorkSpace is gone: was it migrated? A migration still pending from
 * this id was committed by CloudFormation (this is the cleanup of the original id after success):
 * the marking is removed and nothing is terminated. One rolled back lives on as the resource's
 * WorkSpace under CloudFormation's record of this id: it is deleted as the resource's own.
 * Returns whether a migrated WorkSpace was found (and dealt with).
 */
async function deleteMigrated(
  api: WorkspacesApi,
  workspaceId: string,
  event: WorkspaceResourceEvent,
  log: (message: string) => void,
): Promise<boolean> {
  const props = event.ResourceProperties ?? {};
  if (typeof props.DirectoryId !== 'string' || typeof props.UserName !== 'string') {
    return false;
  }
  const migrated = await findMigratedFrom(api, readerOf(event, true), props.DirectoryId, props.UserName, workspaceId);
  if (migrated === undefined) {
    return false;
  }
  const migratedId = migrated.workspace.WorkspaceId!;
  if (migrated.mark.state === 'pending') {
    await api.deleteTags(migratedId, [MIGRATION_TAG_KEY]);
    log(`${workspaceId} was migrated to ${migratedId}, which CloudFormation has committed: nothing to terminate; the migration `
      + 'marking is removed');
    return true;
  }
  const verdict = deleteVerdict(event, migrated.tags[OWNERSHIP_TAG_KEY]);
  if (verdict.kind === 'leave') {
    log(`${migratedId} (migrated from ${workspaceId}): not terminated: ${verdict.reason}`);
  } else if (verdict.kind === 'release') {
    await api.deleteTags(migratedId, [OWNERSHIP_TAG_KEY, MIGRATION_TAG_KEY]);
    log(`${migratedId} (migrated from ${workspaceId}): released, not terminated: ${verdict.reason}`);
  } else {
    log(`${migratedId} (migrated from ${workspaceId}, kept by an earlier rollback): TerminateWorkspaces: ${await api.terminate(migratedId)}`);
  }
  return true;
}

/**
 * The Delete of a migrated WorkSpace's new id while its migration is not committed: CloudFormation
 * rolls back the request that proposed this id. Terminating it would lose the user's data (the
 * original is gone), and migrating back needs a snapshot it does not have yet: it is kept, marked
 * rolled back, and the resource's next request follows the original id to it.
 */
async function keepUncommittedMigration(
  api: WorkspacesApi,
  workspace: Workspace,
  tags: Readonly<Record<string, string>>,
  event: WorkspaceResourceEvent,
  log: (message: string) => void,
): Promise<boolean> {
  const workspaceId = workspace.WorkspaceId!;
  const mark = markOf(tags);
  if (mark === undefined || mark.from === workspaceId) {
    return false;
  }
  if (mark.state === 'pending') {
    await api.createTags(workspaceId, markTags(tags, { request: event.RequestId ?? mark.request, state: 'rolledback', from: mark.from }));
  }
  log(`${workspaceId}: not terminated, this Delete rolls back its migration: ${keptMigrationNote(workspace, mark.from, undefined)}`);
  return true;
}

/**
 * Terminates a WorkSpace that DescribeWorkspaces does not show. It may be gone, or it may be so
 * new that it is not visible yet (the rollback of a Create that failed or timed out within the
 * invisible window): the service accepts TerminateWorkspaces for such an id, and answers "not
 * found" for one that does not exist, so asking is always right. isComplete then counts "not
 * described" as done, since the termination has been requested.
 */
async function terminateUnseen(api: WorkspacesApi, workspaceId: string, log: (message: string) => void): Promise<void> {
  try {
    const outcome = await api.terminate(workspaceId);
    log(`${workspaceId} is not described: TerminateWorkspaces (in case it is not visible yet): ${outcome}`);
  } catch (e) {
    // An endpoint that names no error, only a bare HTTP status (moto answers "400" for an
    // unknown id), says nothing more than "not found" here: the id is unknown to both calls.
    if (e instanceof FailedRequestError && /^\d{3}$/.test(e.errorCode)) {
      log(`${workspaceId} is not described and TerminateWorkspaces answered ${e.errorCode}: it is gone`);
      return;
    }
    throw e;
  }
}

export async function isDeleteComplete(
  api: WorkspacesApi,
  event: WorkspaceIsCompleteEvent,
  elapsedSeconds: number | undefined,
  log: (message: string) => void,
): Promise<IsCompleteResult> {
  const workspaceId = event.PhysicalResourceId;
  if (!WORKSPACE_ID_PATTERN.test(workspaceId)) {
    return { IsComplete: true };
  }
  const timeoutSeconds = readTimeoutSeconds(event.ResourceProperties);
  const refusalKey = [event.StackId, event.LogicalResourceId, event.RequestId ?? '', workspaceId].join('|');
  try {
    // Not described = complete: onEvent has requested the termination of this id whether or
    // not DescribeWorkspaces showed it, so a WorkSpace that was still invisible is on its way out.
    const decision = planDelete({
      workspaceId,
      workspace: await api.describe(workspaceId),
      timeoutSeconds,
      elapsedSeconds,
      lastRefusal: lastRefusals.get(refusalKey),
    });
    switch (decision.kind) {
      case 'complete':
        log(`${workspaceId} is gone`);
        lastRefusals.delete(refusalKey);
        return { IsComplete: true };
      case 'wait':
        log(`${workspaceId}: waiting, ${decision.reason}`);
        return { IsComplete: false };
      case 'terminate': {
        // Still there: the earlier request was refused while the WorkSpace was busy, or onEvent
        // released it (adopted), left it alone (not this resource's) or kept it (a migration
        // that the rollback cannot undo).
        const tags = await api.tags(workspaceId);
        const mark = markOf(tags);
        if (mark !== undefined && mark.from !== workspaceId) {
          log(`${workspaceId}: not terminated: it holds the user's data since its migration from ${mark.from}`);
          return { IsComplete: true };
        }
        const verdict = deleteVerdict(event, tags[OWNERSHIP_TAG_KEY]);
        if (verdict.kind !== 'terminate') {
          log(`${workspaceId}: not terminated: ${verdict.reason}`);
          return { IsComplete: true };
        }
        const outcome = await api.terminate(workspaceId, (refusal) => rememberRefusal(refusalKey, refusal));
        log(`${workspaceId}: TerminateWorkspaces again: ${outcome}`);
        return { IsComplete: false };
      }
      case 'fail':
        throw new Error(decision.message);
    }
  } catch (e) {
    const refusal = lastRefusals.get(refusalKey);
    return tryAtNextPoll(e, {
      log,
      elapsedSeconds,
      timeoutSeconds,
      timeoutMessage: `WorkSpace ${workspaceId} was not terminated within ${formatSeconds(timeoutSeconds)} (TimeoutSeconds): `
        + `the service kept failing; the last error: ${errorMessage(e)}.`
        + `${refusal === undefined ? '' : ` The last refusal the service gave: ${endSentence(refusal)}`} Delete again to continue.`,
    });
  }
}
