// Custom::Workspace, isComplete: the reconciler. Each poll observes the WorkSpace, asks the plan,
// and takes at most one step.
import { isDeleteComplete } from './delete';
import { commitMigration, migrationIsComplete } from './migration';
import { takeStep, tryAtNextPoll } from './poll';
import { changesBundle, needsNewWorkspace } from './replacement';
import {
  attributesOf,
  endSentence,
  errorMessage,
  IsCompleteResult,
  RESERVE_MS,
  ResolvedDeps,
  secondsSince,
  WorkspaceIsCompleteEvent,
} from '../../core/contract';
import { lastRefusals } from '../../core/refusals';
import { parseProperties, previousTagKeys, replacementChanges } from '../../parse';
import { afterTimeout, ConnectionObservation, describeStep, formatSeconds, needsTags, planReconcile } from '../../plan';
import { withRemovedDefaults } from '../../preflight';

/**
 * isComplete: observes the WorkSpace, and either reports it done, waits, takes the one next
 * step towards the desired state, or fails with what went wrong.
 */
export async function workspaceIsComplete(event: WorkspaceIsCompleteEvent, resolved: ResolvedDeps): Promise<IsCompleteResult> {
  const { api, now, log } = resolved;
  const workspaceId = event.PhysicalResourceId;
  const elapsedSeconds = secondsSince(event.Data?.StartedAt, now(), log);

  if (event.RequestType === 'Delete') {
    return isDeleteComplete(api, event, elapsedSeconds, log);
  }

  const declared = parseProperties(event.ResourceProperties);
  // A new WorkSpace (a Create, or an Update that changed user or directory) or one changed in
  // place: the same decision as onEvent's, from the same properties.
  const changes = replacementChanges(declared, event.OldResourceProperties);
  const replaced = event.RequestType === 'Create' || needsNewWorkspace(changes);
  const refusalKey = [event.StackId, event.LogicalResourceId, event.RequestId ?? '', workspaceId].join('|');
  try {
    let workspace = await api.describe(workspaceId);
    // A bundle change migrates; and a WorkSpace no longer described may have been migrated (the
    // rollback of the request that migrated it, or a migration under way that has just ended).
    const gone = workspace === undefined || workspace.State === 'TERMINATED' || workspace.State === 'TERMINATING';
    if (event.RequestType === 'Update' && !replaced && ((declared.bundleChange === 'MIGRATE' && changesBundle(changes)) || gone)) {
      const migration = await migrationIsComplete(event, resolved, declared, elapsedSeconds, refusalKey);
      if (migration !== undefined) {
        return migration;
      }
      workspace = await api.describe(workspaceId);
    }
    const tags = needsTags(workspace, replaced) ? await api.tags(workspaceId) : undefined;
    const desired = !replaced && tags !== undefined
      ? await withRemovedDefaults(api, workspace, declared, event.OldResourceProperties, log)
      : declared;
    const input = {
      workspaceId,
      desired,
      previousTagKeys: event.RequestType === 'Update' && !replaced ? previousTagKeys(event.OldResourceProperties) : [],
      workspace,
      tags,
      mayBeInvisible: replaced,
      elapsedSeconds,
      lastRefusal: lastRefusals.get(refusalKey),
    };
    await commitMigration(api, workspaceId, tags, event.RequestId, log);
    let decision = planReconcile(input);
    if (decision.kind === 'observeConnection') {
      // Only here, where the next step would disconnect the user: one call per poll.
      const status = (await api.connectionStatus([workspaceId])).get(workspaceId);
      const connection: ConnectionObservation = {
        state: status?.ConnectionState,
        lastKnownUserConnection: status?.LastKnownUserConnectionTimestamp,
        observedAt: now(),
      };
      decision = planReconcile({ ...input, connection });
    }

    switch (decision.kind) {
      case 'complete':
        for (const kept of decision.kept) {
          log(`${workspaceId}: ${kept}. Left as it is.`);
        }
        log(`${workspaceId} is ${workspace?.State} with the desired properties`);
        lastRefusals.delete(refusalKey);
        return { IsComplete: true, Data: attributesOf(workspaceId, workspace) };
      case 'wait':
        log(`${workspaceId}: waiting, ${decision.reason}`);
        return { IsComplete: false };
      case 'step':
        // A poll that began late (a cold start, the SDK's retries under throttling) leaves its
        // step to the next poll rather than risk being cut off mid-call without an answer.
        if (resolved.remainingMs() < RESERVE_MS) {
          log(`${workspaceId}: ${describeStep(decision.step)} waits for the next poll: this invocation has `
            + `${Math.round(resolved.remainingMs() / 1000)} s left, and keeps ${RESERVE_MS / 1000} s to answer`);
          return { IsComplete: false };
        }
        await takeStep(api, workspaceId, decision.step, log, { refusalKey, newWorkspace: replaced });
        return { IsComplete: false };
      case 'observeConnection':
        throw new Error(`internal error: the plan for ${workspaceId} asked for the connection status twice`);
      case 'fail':
        throw new Error(decision.message);
    }
  } catch (e) {
    const refusal = lastRefusals.get(refusalKey);
    return tryAtNextPoll(e, {
      log,
      elapsedSeconds,
      timeoutSeconds: declared.timeoutSeconds,
      timeoutMessage: `WorkSpace ${workspaceId} did not reach the desired state within ${formatSeconds(declared.timeoutSeconds)} `
        + `(TimeoutSeconds): the service kept failing; the last error: ${errorMessage(e)}.`
        + `${refusal === undefined ? '' : ` The last refusal the service gave: ${endSentence(refusal)}`} ${afterTimeout(replaced)}`,
    });
  }
}
