// isComplete of a fleet's Create and Update: one observation of the fleet's WorkSpaces per poll,
// the plan of each (as for a Custom::Workspace), then the steps, paced, while the invocation has
// time. A failure names every user that failed.
import { ANSWER_RESERVE_MS, forgetRequest, PollBudget, requestMemory, rotated, WORK_BUDGET_MS } from './fleet-budget';
import { fleetDeleteComplete } from './fleet-delete';
import { groupByUser, lower, MAX_REPORTED_REFUSALS, TAG_READS_PER_SECOND } from './fleet-members';
import { fleetMigrates, fleetMigrationIsComplete } from './fleet-migrate';
import { parseFleetProperties, readFleetUserNames, userPropertiesOf } from './fleet-properties';
import { errorText, isRateLimitRefusal, isRetryLater, isStateRefusal, isTemporary, Pacer, sdkErrorOf, WorkspacesApi } from '../../api';
import {
  attributesOf,
  endSentence,
  errorMessage,
  IsCompleteResult,
  ResolvedDeps,
  secondsSince,
  WorkspaceIsCompleteEvent,
  WorkspaceResourceEvent,
} from '../../core/contract';
import { lastRefusals, rememberRefusal } from '../../core/refusals';
import { DesiredWorkspace, previousTagKeys } from '../../parse';
import {
  ConnectionObservation,
  Decision,
  describeStep,
  formatSeconds,
  needsTags,
  planReconcile,
  ReconcileInput,
  refusalPersists,
  Step,
} from '../../plan';
import { withRemovedDefaults } from '../../preflight';


/** How many users a failure or timeout message names, before "and N more". */
const MAX_NAMED = 10;

/** One member of a fleet in one poll: who, what is declared, what the service shows, what the plan decided. */
interface Member {
  readonly desired: DesiredWorkspace;
  readonly input: ReconcileInput;
  decision: Decision;
}

/**
 * isComplete of a fleet: one look at the whole directory (pages of 25) for all its WorkSpaces,
 * then the plan of each WorkSpace, as for a Custom::Workspace; the connection status of those
 * whose next step would disconnect their user in calls of 25; then the steps, paced to the
 * fleet's request rate, as many as fit in this invocation (the rest at the next poll).
 *
 * One user's failure (a WorkSpace in ERROR, a refusal that persists, the timeout) fails the
 * request at the poll that sees it, naming every user that failed and how many others were
 * done: CloudFormation then rolls the whole fleet back, as it would any failed resource.
 */
export async function fleetIsComplete(event: WorkspaceIsCompleteEvent, deps: ResolvedDeps): Promise<IsCompleteResult> {
  const { api, now, log } = deps;
  const elapsedSeconds = secondsSince(event.Data?.StartedAt, now(), log);
  if (event.RequestType === 'Delete') {
    return fleetDeleteComplete(event, deps, elapsedSeconds);
  }
  const spec = parseFleetProperties(event.ResourceProperties);
  const refusedUsers = new Set(readRefusedUsers(event.Data, spec.userNames).map(lower));
  const bundleId = String(event.Data?.BundleId || spec.bundle.bundleId || '');
  const newFleet = event.RequestType === 'Create' || event.OldResourceProperties?.DirectoryId !== spec.directoryId;
  const oldNames = new Set(readFleetUserNames(event.OldResourceProperties).map(lower));
  const refusalPrefix = [event.StackId, event.LogicalResourceId, event.RequestId ?? ''].join('|');
  const memoryKey = `${refusalPrefix}|${event.PhysicalResourceId}`;
  const pacer = new Pacer(spec.requestsPerSecond, () => now().getTime(), deps.sleep);
  try {
    // A bundle change migrates the members first, in waves (fleet-migrate.ts).
    const migration = fleetMigrates(spec, event) ? await fleetMigrationIsComplete(event, deps, spec, bundleId, elapsedSeconds) : undefined;
    if (migration !== undefined) {
      return migration;
    }
    // By id (25 a call) when onEvent handed on every member's id: the cost follows the fleet,
    // not the directory it is in.
    const memberIds = typeof event.Data?.MemberIds === 'string' && event.Data.MemberIds !== '' ? event.Data.MemberIds.split(',') : [];
    const listing = memberIds.length > 0 && memberIds.length >= spec.userNames.length - refusedUsers.size
      ? [...(await api.describeMany(memberIds)).values()]
      : await api.listDirectory(spec.directoryId);
    const byUser = groupByUser(listing);
    const observed = spec.desired(bundleId).filter((d) => !refusedUsers.has(lower(d.userName))).map((desired) => {
      const isNew = newFleet || !oldNames.has(lower(desired.userName));
      const workspace = (byUser.get(lower(desired.userName)) ?? []).find((w) => w.State !== 'TERMINATED');
      const old = isNew ? undefined : userPropertiesOf(event.OldResourceProperties, desired.userName);
      return { desired, isNew, workspace, old, workspaceId: workspace?.WorkspaceId ?? `(the WorkSpace of user "${desired.userName}")` };
    });

    // The per-user reads and the steps share one budget of this invocation's time; the reads go
    // on from where the last poll of this request stopped, and what was read stays read.
    const memory = requestMemory(memoryKey);
    const budget = new PollBudget(deps);
    const tagsByIndex = new Map<number, Readonly<Record<string, string>>>();
    const toRead = new Set<number>();
    observed.forEach((o, i) => {
      if (!needsTags(o.workspace, o.isNew)) {
        return;
      }
      const known = declaredTagsWhenKnown(o.desired, o.old, o.isNew && event.RequestType === 'Create' && !spec.adoptExisting)
        ?? memory.tags.get(o.workspace!.WorkspaceId!);
      if (known === undefined) {
        toRead.add(i);
      } else {
        tagsByIndex.set(i, known);
      }
    });
    const reads = new Pacer(TAG_READS_PER_SECOND, () => now().getTime(), deps.sleep);
    const readOrder = rotated(observed.length, memory.cursor).filter((i) => toRead.has(i));
    let notRead = 0;
    for (const i of readOrder) {
      if (notRead > 0 || !budget.allows(reads.delayMs())) {
        // The next poll begins with the first user this one did not read.
        if (notRead++ === 0) {
          memory.cursor = i;
        }
        continue;
      }
      await reads.take();
      const tags = await api.tags(observed[i].workspace!.WorkspaceId!);
      tagsByIndex.set(i, tags);
      memory.tags.set(observed[i].workspace!.WorkspaceId!, tags);
    }
    const bundleReads = new Map<string, Promise<string | undefined>>();
    const computeTypes = {
      // One read per bundle and poll, however many users went back to its compute type.
      bundleComputeType: (id: string) => bundleReads.get(id) ?? bundleReads.set(id, api.bundleComputeType(id)).get(id)!,
    };

    const members: Member[] = [];
    for (const [i, o] of observed.entries()) {
      const tags = tagsByIndex.get(i);
      const effective = !o.isNew && tags !== undefined ? await withRemovedDefaults(computeTypes, o.workspace, o.desired, o.old, log) : o.desired;
      const input: ReconcileInput = {
        workspaceId: o.workspaceId,
        desired: effective,
        previousTagKeys: o.isNew ? [] : previousTagKeys(o.old),
        workspace: o.workspace,
        tags,
        mayBeInvisible: o.isNew,
        elapsedSeconds,
        lastRefusal: lastRefusals.get(`${refusalPrefix}|${o.workspaceId}`),
      };
      // A user whose tags this poll did not read waits for the next poll, unless the plan fails
      // it on what was observed (ERROR, gone, the timeout): those never wait for a read.
      const unread = toRead.has(i) && tags === undefined;
      // An unread user is planned as if its tags were the declared ones: only a failure of that
      // plan counts (never a step or "complete", which its tags could change).
      const planned = planReconcile(unread ? { ...input, tags: Object.fromEntries(effective.tags.map((t) => [t.Key, t.Value])) } : input);
      const timedOut = elapsedSeconds !== undefined && elapsedSeconds > effective.timeoutSeconds;
      const unreadTimeout = `WorkSpace ${o.workspaceId} did not reach the desired state within `
        + `${formatSeconds(effective.timeoutSeconds)} (TimeoutSeconds): no poll had time left to read its tags`;
      const decision: Decision = unread && planned.kind !== 'fail'
        ? (timedOut ? { kind: 'fail', message: unreadTimeout } : { kind: 'wait', reason: 'its tags are read at the next poll' })
        : planned;
      members.push({ desired: o.desired, input, decision });
    }

    // Those whose next step would disconnect their user: one look at their connections, 25 a call.
    const observe = members.filter((m) => m.decision.kind === 'observeConnection');
    if (observe.length > 0) {
      const statuses = await api.connectionStatus(observe.map((m) => m.input.workspaceId));
      for (const m of observe) {
        const status = statuses.get(m.input.workspaceId);
        const connection: ConnectionObservation = {
          state: status?.ConnectionState,
          lastKnownUserConnection: status?.LastKnownUserConnectionTimestamp,
          observedAt: now(),
        };
        m.decision = planReconcile({ ...m.input, connection });
      }
    }

    // The steps, paced, while this poll's budget and its invocation have time for them; none once
    // the request has failed (the rollback would only have more to undo).
    let deferred = 0;
    const failing = refusedUsers.size > 0 || members.some((m) => m.decision.kind === 'fail');
    for (const m of members) {
      if (m.decision.kind !== 'step' || failing) {
        continue;
      }
      if (!budget.allows(pacer.delayMs())) {
        deferred++;
        continue;
      }
      await pacer.take();
      const step = m.decision.step;
      if (step.kind === 'createTags' || step.kind === 'deleteTags') {
        // What was read of its tags no longer holds: the next poll reads them again.
        memory.tags.delete(m.input.workspaceId);
      }
      const failure = await takeFleetStep(api, m.input.workspaceId, step, log, `${refusalPrefix}|${m.input.workspaceId}`, m.input.mayBeInvisible);
      if (failure !== undefined) {
        m.decision = { kind: 'fail', message: failure };
      }
    }

    const failed = members.filter((m) => m.decision.kind === 'fail');
    const complete = members.filter((m) => m.decision.kind === 'complete');
    if (failed.length > 0 || refusedUsers.size > 0) {
      // The rollback's Delete finds the fleet's WorkSpaces by listing the directory, so the
      // request fails only once every WorkSpace it created is visible (the invisible window
      // lasts seconds), or at the timeout.
      const invisible = members.filter((m) => m.input.mayBeInvisible && m.input.workspace === undefined
        && !refusedUsers.has(lower(m.desired.userName)));
      const timedOut = elapsedSeconds !== undefined && elapsedSeconds > spec.timeoutSeconds;
      if (invisible.length > 0 && !timedOut) {
        log(`Fleet ${event.LogicalResourceId} has failed; it reports so once its ${invisible.length} new WorkSpaces not `
          + 'visible yet are, so that the rollback finds them');
        return { IsComplete: false };
      }
      forgetRequest(memoryKey);
      throw new Error(refusedUsers.size > 0
        ? refusalMessage(event, spec.userNames.length)
        : failureMessage(event, members.length, failed, complete.length));
    }
    const waiting = members.length - complete.length;
    if (waiting > 0) {
      log(`Fleet ${event.LogicalResourceId}: ${complete.length} of ${members.length} complete; ${countByReason(members)}`
        + `${notRead > 0 ? `; ${notRead} users' tags are read at the next poll (${TAG_READS_PER_SECOND} reads/s)` : ''}`
        + `${deferred > 0 ? `; ${deferred} steps wait for the next poll (request rate ${spec.requestsPerSecond}/s)` : ''}`
        + `${budget.stopped === undefined ? '' : `: ${budget.stopped === 'deadline'
          ? `this invocation has ${Math.round(budget.remainingMs() / 1000)} s left, and keeps ${ANSWER_RESERVE_MS / 1000} s to answer`
          : `this poll spent its ${WORK_BUDGET_MS / 1000} s on reads and steps`}`}`);
      return { IsComplete: false };
    }
    for (const m of complete) {
      if (m.decision.kind === 'complete') {
        for (const kept of m.decision.kept) {
          log(`${m.input.workspaceId}: ${kept}. Left as it is.`);
        }
      }
    }
    forgetRequest(memoryKey);
    log(`Fleet ${event.LogicalResourceId}: all ${members.length} WorkSpaces have the desired properties`);
    return { IsComplete: true, Data: fleetAttributes(event, members, bundleId) };
  } catch (e) {
    if (!isTemporary(e)) {
      throw e;
    }
    if (elapsedSeconds !== undefined && elapsedSeconds > spec.timeoutSeconds) {
      throw new Error(`WorkSpace fleet ${event.LogicalResourceId} did not reach the desired state within `
        + `${formatSeconds(spec.timeoutSeconds)} (TimeoutSeconds): the service kept failing; the last error: ${errorMessage(e)}. `
        + afterFleetFailure(event));
    }
    log(`${errorMessage(e)}: temporary, trying again at the next poll`);
    return { IsComplete: false };
  }
}

/**
 * The tags planReconcile compares with, when they are known without a read: a WorkSpace this
 * request created carries the tags it was created with, and one whose declared tags did not
 * change has them (tags changed by hand outside the stack are what `cdk-workspaces drift`
 * reports). Else (a WorkSpace this request may have adopted or taken back, or whose declared
 * tags changed) undefined: they are read, one call per WorkSpace.
 */
function declaredTagsWhenKnown(
  desired: DesiredWorkspace,
  old: Record<string, unknown> | undefined,
  createdByThisRequest: boolean,
): Record<string, string> | undefined {
  const unchanged = old !== undefined && JSON.stringify(Array.isArray(old.Tags) ? old.Tags : []) === JSON.stringify(desired.tags);
  return createdByThisRequest || unchanged ? Object.fromEntries(desired.tags.map((t) => [t.Key, t.Value])) : undefined;
}

/** One step for one WorkSpace; returns the failure message when the refusal fails that user. */
async function takeFleetStep(
  api: WorkspacesApi,
  workspaceId: string,
  step: Step,
  log: (message: string) => void,
  refusalKey: string,
  newWorkspace: boolean,
): Promise<string | undefined> {
  const what = describeStep(step);
  log(`${workspaceId}: ${what}`);
  try {
    switch (step.kind) {
      case 'deleteTags':
        await api.deleteTags(workspaceId, step.keys);
        return undefined;
      case 'createTags':
        await api.createTags(workspaceId, step.tags);
        return undefined;
      case 'modifyProperties':
        await api.modifyProperties(workspaceId, step.properties);
        return undefined;
    }
  } catch (e) {
    if (isRetryLater(e)) {
      const refusal = errorText(sdkErrorOf(e));
      rememberRefusal(refusalKey, `${what}: ${refusal}`);
      if (isStateRefusal(e)) {
        const after = (await api.describeMany([workspaceId])).get(workspaceId);
        if (isRateLimitRefusal(e) || refusalPersists(after)) {
          return `${what} was refused for WorkSpace ${workspaceId}, which is ${after?.State ?? 'not described'}: `
            + `${endSentence(refusal)} The service would refuse again at every poll.`
            + (newWorkspace ? '' : ' Bring the WorkSpace to AVAILABLE or STOPPED (or declare what it has now), then deploy again.');
        }
      }
      log(`${workspaceId}: ${what} must wait: ${refusal}`);
      return undefined;
    }
    if (isTemporary(e)) {
      log(`${workspaceId}: ${what}: ${errorMessage(e)}: temporary, at the next poll`);
      return undefined;
    }
    return `${what} failed for WorkSpace ${workspaceId}: ${errorText(sdkErrorOf(e))}`;
  }
}

/**
 * What the fleet's GetAtt can read: `Count`, `BundleId`, and the id of each user the app asked
 * for with `fleet.workspace(userName)` (property `ExportedUsers`), as `WorkspaceId<i>`, in
 * the order of that list. Only those: CloudFormation takes at most 4 KB of attributes, which 500
 * users' ids would not fit.
 */
function fleetAttributes(event: WorkspaceIsCompleteEvent, members: readonly Member[], bundleId: string): Record<string, string> {
  // MemberIds emptied: CloudFormation's answer (onEvent's Data with these on top) is at most 4 KB.
  const data: Record<string, string> = { Count: String(members.length), BundleId: bundleId, MemberIds: '' };
  const exported = Array.isArray(event.ResourceProperties.ExportedUsers) ? event.ResourceProperties.ExportedUsers : [];
  exported.forEach((userName, i) => {
    const m = members.find((x) => lower(x.desired.userName) === lower(String(userName)));
    if (m !== undefined) {
      const attributes = attributesOf(m.input.workspaceId, m.input.workspace);
      data[`WorkspaceId${i}`] = attributes.WorkspaceId;
    }
  });
  return data;
}

/** The users onEvent could not create or take over (see dataOf; RefusedUsers: an earlier version's list of names). */
function readRefusedUsers(data: Record<string, unknown> | undefined, userNames: readonly string[]): string[] {
  if (typeof data?.RefusedMask === 'string') {
    const bits = Array.from(data.RefusedMask, (digit) => parseInt(digit, 16).toString(2).padStart(4, '0')).join('');
    return userNames.filter((_, i) => bits[i] === '1');
  }
  try {
    const names = typeof data?.RefusedUsers === 'string' ? JSON.parse(data.RefusedUsers) : [];
    return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
  } catch {
    return [];
  }
}

function refusalMessage(event: WorkspaceIsCompleteEvent, total: number): string {
  const count = Number(event.Data?.RefusedCount ?? 1);
  const more = count > MAX_REPORTED_REFUSALS ? ` (and ${count - MAX_REPORTED_REFUSALS} more)` : '';
  return `WorkSpace fleet ${event.LogicalResourceId}: the WorkSpaces of ${count} of ${total} users could not be created or `
    + `taken over: ${String(event.Data?.Refused ?? '')}${more}. ${afterFleetFailure(event)}`;
}

function failureMessage(event: WorkspaceIsCompleteEvent, total: number, failed: readonly Member[], complete: number): string {
  const named = failed.slice(0, MAX_NAMED).map((m) => `user "${m.desired.userName}": ${(m.decision as { message: string }).message}`);
  const more = failed.length > MAX_NAMED ? ` (and ${failed.length - MAX_NAMED} more users)` : '';
  return `WorkSpace fleet ${event.LogicalResourceId}: ${failed.length} of ${total} users failed (${complete} complete, `
    + `${total - complete - failed.length} still in progress): ${named.join(' | ')}${more}. ${afterFleetFailure(event)}`;
}

/** What CloudFormation's rollback does next, for the failure message. */
function afterFleetFailure(event: WorkspaceResourceEvent): string {
  return event.RequestType === 'Create'
    ? 'CloudFormation\'s rollback now deletes the fleet: it terminates the WorkSpaces this fleet created and releases the ones '
      + 'it adopted (unless the fleet\'s removal policy is RETAIN); no WorkSpace that existed before is terminated.'
    : 'CloudFormation\'s rollback now updates the fleet back: changes in place are reverted where the service allows, users '
      + 'added by this update are removed as the removal policy says, and no WorkSpace that existed before this update is terminated.';
}

function countByReason(members: readonly Member[]): string {
  const counts = new Map<string, number>();
  for (const m of members) {
    if (m.decision.kind === 'complete') {
      continue;
    }
    const state = m.input.workspace?.State ?? 'not visible yet';
    const key = m.decision.kind === 'step' ? `changed (${state})` : `waiting (${state})`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()].map(([k, n]) => `${n} ${k}`).join(', ');
}
