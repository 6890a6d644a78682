// Custom::WorkspaceFleet: one request for the WorkSpaces of many users of one directory. The
// parse layer (fleet-properties.ts) turns the properties into one DesiredWorkspace per user; the
// plan (plan.ts) decides for each WorkSpace exactly as it does for a Custom::Workspace; the API
// layer (workspaces-api.ts) batches and paces the calls. Only the shape of the request is the
// fleet's own: one CreateWorkspaces per 25 users, one observation of the whole directory per poll.
import type { Workspace } from '@aws-sdk/client-workspaces';
import { FleetSpec, parseFleetProperties, readFleetUserNames, userPropertiesOf, UserRemovalPolicy } from './fleet-properties';
import { MAX_TIMEOUT_SECONDS, OWNERSHIP_TAG_KEY } from '../../../src/private/rules';
import {
  DEFAULT_REQUESTS_PER_SECOND,
  errorText,
  isRateLimitRefusal,
  isRetryLater,
  isStateRefusal,
  isTemporary,
  Pacer,
  RESOURCE_EXISTS_CODE,
  sdkErrorOf,
  WorkspacesApi,
} from '../../api';
import {
  attributesOf,
  endSentence,
  errorMessage,
  IsCompleteResult,
  LOOK_AGAIN_DELAYS_MS,
  OnEventResult,
  requirePhysicalResourceId,
  ResolvedDeps,
  secondsSince,
  WorkspaceIsCompleteEvent,
  WorkspaceResourceEvent,
} from '../../core/contract';
import { ownershipMarking, parseOwnership, Reader, readerOf, relationOf, takeExisting } from '../../core/ownership';
import { lastRefusals, rememberRefusal } from '../../core/refusals';
import { boundData } from '../../core/response-limit';
import { DesiredWorkspace, previousTagKeys, replacementChanges } from '../../parse';
import {
  ConnectionObservation,
  creationRequest,
  Decision,
  describeStep,
  formatSeconds,
  needsTags,
  planReconcile,
  ReconcileInput,
  refusalPersists,
  Step,
} from '../../plan';
import { preflight, withRemovedDefaults } from '../../preflight';

/** A fleet's PhysicalResourceId names its directory: a new directory is a new fleet (a replacement). */
const FLEET_ID_PREFIX = 'workspace-fleet:';
const FLEET_ID_PATTERN = /^workspace-fleet:(d-[0-9a-f]{8,63})$/;
/** Stands for a bundle named, not yet resolved, while the users' settings are validated. */
const PLACEHOLDER_BUNDLE_ID = 'wsb-00000000';
/** How many users' refusals onEvent hands on to isComplete (the event and CloudFormation's answer are small). */
const MAX_REPORTED_REFUSALS = 10;
/** How many users a failure or timeout message names, before "and N more". */
const MAX_NAMED = 10;
/**
 * The share of an invocation's time that a poll spends on changes: the rest is kept for the
 * observation and the answer. What does not fit waits for the next poll (30 s later).
 */
const STEP_BUDGET_MS = 120_000;

export function fleetPhysicalId(directoryId: string): string {
  return `${FLEET_ID_PREFIX}${directoryId}`;
}

/**
 * onEvent of a fleet. Create: pre-flight, then every user's WorkSpace is created (25 per call) or
 * taken over as Custom::Workspace would. Update: users added are created the same way; users
 * removed follow the removal policy; changes in place are left to isComplete. Delete: the
 * WorkSpaces the fleet created are terminated (25 per call), the ones it adopted released.
 *
 * A refusal of one user's creation does not stop the others: once any WorkSpace was requested
 * the fleet's id must reach CloudFormation (so that a rollback can find what was made), so the
 * refusals are handed on to isComplete, which fails the request with them at its first poll.
 */
export async function fleetOnEvent(event: WorkspaceResourceEvent, deps: ResolvedDeps, startedAt: string): Promise<OnEventResult> {
  const { api, log } = deps;
  switch (event.RequestType) {
    case 'Create': {
      const spec = parseFleetProperties(event.ResourceProperties);
      const { bundleId, refusals } = await createMembers(deps, spec, spec.userNames, readerOf(event), false);
      return { PhysicalResourceId: fleetPhysicalId(spec.directoryId), Data: dataOf(startedAt, bundleId, refusals, spec.userNames) };
    }
    case 'Update': {
      const current = requirePhysicalResourceId(event);
      const spec = parseFleetProperties(event.ResourceProperties);
      const physicalResourceId = fleetPhysicalId(spec.directoryId);
      if (physicalResourceId !== current) {
        // Another directory: a new fleet there; CloudFormation then deletes the old one (or keeps
        // it, as its UpdateReplacePolicy says).
        log(`Fleet moves from ${current} to directory ${spec.directoryId}: a new fleet there`);
        const { bundleId, refusals } = await createMembers(deps, spec, spec.userNames, readerOf(event), false);
        return { PhysicalResourceId: physicalResourceId, Data: dataOf(startedAt, bundleId, refusals, spec.userNames) };
      }
      const oldNames = new Set(readFleetUserNames(event.OldResourceProperties).map(lower));
      const newNames = new Set(spec.userNames.map(lower));
      const added = spec.userNames.filter((u) => !oldNames.has(lower(u)));
      const removed = readFleetUserNames(event.OldResourceProperties).filter((u) => !newNames.has(lower(u)));
      const listing = added.length > 0 || removed.length > 0 || bundleChanged(event) ? await api.listDirectory(spec.directoryId) : [];
      // One pre-flight for the request: for the users it adds, and whenever the bundle changed or
      // is named (its id is what every WorkSpace is compared with).
      const needsPreflight = added.length > 0 || bundleChanged(event) || spec.bundle.bundleId === undefined;
      const addedNames = new Set(added.map(lower));
      const resolved = needsPreflight
        ? (await preflight(api, {
          directoryId: spec.directoryId,
          bundle: spec.bundle,
          workspaces: spec.desired(spec.bundle.bundleId ?? PLACEHOLDER_BUNDLE_ID).filter((d) => addedNames.has(lower(d.userName)))
            .map((d) => ({ userName: d.userName, properties: d.properties })),
        })).bundleId
        : spec.bundle.bundleId!;
      checkReplacementSettings(spec, resolved, event, listing);
      const { bundleId, refusals } = await createMembers(deps, spec, added, readerOf(event), true, listing, resolved);
      // Removed users are left as they are here: under DESTROY, isComplete terminates what the
      // fleet created for them once every other user is complete, so that a failed update (and
      // its rollback, which adds them back) finds them untouched.
      log(`Fleet update of ${current}: ${added.length} users added, ${removed.length} removed (${spec.removalPolicy}); `
        + 'isComplete applies the changes in place');
      return { PhysicalResourceId: current, Data: dataOf(startedAt, bundleId, refusals, spec.userNames) };
    }
    case 'Delete': {
      const physicalResourceId = requirePhysicalResourceId(event);
      const match = FLEET_ID_PATTERN.exec(physicalResourceId);
      if (match === null) {
        log(`${physicalResourceId} is not a fleet's id (its Create failed): nothing to delete`);
        return { PhysicalResourceId: physicalResourceId, Data: { StartedAt: startedAt } };
      }
      const users = readFleetUserNames(event.ResourceProperties);
      const listing = await api.listDirectory(match[1]);
      await removeMembers(deps, match[1], users, 'DESTROY', event, listing, new Pacer(readRate(event.ResourceProperties)));
      return { PhysicalResourceId: physicalResourceId, Data: { StartedAt: startedAt } };
    }
    default:
      throw new Error(`Unknown RequestType ${JSON.stringify((event as { RequestType: unknown }).RequestType)}`);
  }
}

/** A user whose WorkSpace could not be created or taken over, and why. */
interface Refusal {
  readonly userName: string;
  readonly message: string;
}

/**
 * onEvent's result. A request with refusals fails at its first poll, and the framework sends this
 * Data with that failure: it counts against CloudFormation's 4,096 bytes as the reason does. So
 * the refused users are a bit per declared user (250 characters for 1,000 users, whose names
 * could take 65,000), and the refusals' text is cut to the Data's budget.
 */
function dataOf(startedAt: string, bundleId: string, refusals: readonly Refusal[], userNames: readonly string[]): OnEventResult['Data'] {
  const data: Record<string, string> = { StartedAt: startedAt, BundleId: bundleId };
  if (refusals.length > 0) {
    data.RefusedCount = String(refusals.length);
    data.RefusedMask = refusedMask(userNames, new Set(refusals.map((r) => lower(r.userName))));
    data.Refused = refusals.slice(0, MAX_REPORTED_REFUSALS).map((r) => `user "${r.userName}": ${r.message}`.slice(0, 300)).join(' | ');
  }
  return boundData(data, ['StartedAt', 'BundleId', 'RefusedCount', 'RefusedMask']) as OnEventResult['Data'];
}

/** A hex digit per four declared users, in their order: a set bit is a refused user. */
function refusedMask(userNames: readonly string[], refused: ReadonlySet<string>): string {
  const bits = userNames.map((name) => (refused.has(lower(name)) ? '1' : '0')).join('');
  return (bits.match(/.{1,4}/g) ?? []).map((nibble) => parseInt(nibble.padEnd(4, '0'), 2).toString(16)).join('');
}

/**
 * Creates (or takes over) the WorkSpaces of these users: one pre-flight for all of them, one look
 * at the directory, then CreateWorkspaces 25 at a time. Returns the resolved bundle id and one
 * line per user whose WorkSpace was refused or may not be taken.
 */
async function createMembers(
  deps: ResolvedDeps,
  spec: FleetSpec,
  userNames: readonly string[],
  reader: Reader,
  isUpdate: boolean,
  knownListing?: Workspace[],
  resolvedBundleId?: string,
): Promise<{ bundleId: string; refusals: Refusal[] }> {
  const { api, log } = deps;
  const wanted = new Set(userNames.map(lower));
  const toCreate = spec.desired(spec.bundle.bundleId ?? PLACEHOLDER_BUNDLE_ID).filter((d) => wanted.has(lower(d.userName)));
  const bundleId = resolvedBundleId ?? (await preflight(api, {
    directoryId: spec.directoryId,
    bundle: spec.bundle,
    workspaces: toCreate.map((d) => ({ userName: d.userName, properties: d.properties })),
  })).bundleId;
  if (toCreate.length === 0) {
    return { bundleId, refusals: [] };
  }
  const desired = spec.desired(bundleId).filter((d) => wanted.has(lower(d.userName)));
  const listing = knownListing ?? await api.listDirectory(spec.directoryId);
  const byUser = groupByUser(listing);
  const refusals: Refusal[] = [];
  const pending: DesiredWorkspace[] = [];
  for (const d of desired) {
    const found = (byUser.get(lower(d.userName)) ?? []).filter((w) => w.State !== 'TERMINATED');
    try {
      const taken = isUpdate ? await takeBack(api, d, reader, found, log) : undefined;
      if (taken === undefined && await takeExisting(api, d, reader, found, log) === undefined) {
        pending.push(d);
      }
    } catch (e) {
      if (isTemporary(e)) {
        throw e;
      }
      refusals.push({ userName: d.userName, message: errorMessage(e) });
    }
  }
  if (pending.length === 0) {
    return { bundleId, refusals };
  }
  const marking = ownershipMarking(reader.stackId, reader.logicalResourceId, reader.requestId, 'created');
  const exists: DesiredWorkspace[] = [];
  let requested = 0;
  let remaining = pending;
  for (let attempt = 0; remaining.length > 0; attempt++) {
    try {
      const outcomes = await api.createMany(remaining.map((d) => creationRequest(d, marking)));
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.workspaceId !== undefined) {
          requested++;
        } else if (outcome.errorCode === RESOURCE_EXISTS_CODE) {
          exists.push(remaining[i]);
        } else {
          refusals.push({ userName: remaining[i].userName, message: `CreateWorkspaces refused it: ${outcome.errorCode}: ${outcome.errorMessage}` });
        }
      }
      remaining = [];
    } catch (e) {
      const partial = (e as { partial?: unknown[] }).partial ?? [];
      const sent = remaining.slice(0, partial.length);
      requested += sent.length;
      const unsent = remaining.slice(partial.length);
      if (!isTemporary(e) || attempt >= 1) {
        // Whether the failed call created anything is unknown: look for those users below, and
        // report the ones not found.
        exists.push(...unsent);
        log(`CreateWorkspaces failed for ${unsent.length} users: ${errorMessage(e)}; looking for what it may have created`);
        remaining = [];
      } else {
        // A temporary error that outlasted the SDK's retries: the same requests once more. A
        // request of the failed call that did create a WorkSpace is refused now as
        // ResourceExists, and found below by its marking.
        log(`CreateWorkspaces failed (${errorMessage(e)}): sending the ${unsent.length} requests left once more`);
        remaining = unsent;
      }
    }
  }
  log(`Requested ${requested} WorkSpaces in calls of 25`);
  if (exists.length > 0) {
    refusals.push(...await lookAgainForFleet(deps, spec.directoryId, exists, reader));
  }
  return { bundleId, refusals };
}

/**
 * An Update that adds back a user this fleet has held before (removed and kept, or a rollback that
 * re-adds a user the failed update removed): the WorkSpace is still marked as this fleet's, by an
 * earlier request, and is taken back as it is. Its marking stays: what the fleet created it may
 * still terminate under DESTROY, what it adopted it never does. (Under DESTROY a removed user's
 * WorkSpace is terminated at the end of the request that removed them, so one is found here only
 * after a failed request, or when the policy was RETAIN before.)
 */
async function takeBack(api: WorkspacesApi, desired: DesiredWorkspace, reader: Reader, found: readonly Workspace[],
  log: (message: string) => void): Promise<string | undefined> {
  for (const workspace of found) {
    const marking = (await api.tags(workspace.WorkspaceId!))[OWNERSHIP_TAG_KEY];
    if (relationOf(reader, marking) === 'earlier-lifetime' && workspace.State !== 'TERMINATING') {
      log(`${workspace.WorkspaceId}: user "${desired.userName}" is back in the fleet, which kept this WorkSpace: taken back, `
        + `its marking (${parseOwnership(marking)!.kind} by this fleet) unchanged`);
      return workspace.WorkspaceId;
    }
  }
  return undefined;
}

/**
 * The users whose creation the service answered with ResourceExists (or whose call failed
 * without an answer): a WorkSpace an earlier attempt of this request asked for may be invisible
 * for a while, so the directory is looked at again, within the invocation's time. Returns a
 * refusal line for each user still not found.
 */
async function lookAgainForFleet(deps: ResolvedDeps, directoryId: string, users: DesiredWorkspace[], reader: Reader): Promise<Refusal[]> {
  const { api, log, sleep, remainingMs } = deps;
  let pending = users;
  let lookMs = Math.max(0, deps.startRemainingMs - remainingMs());
  for (const delay of LOOK_AGAIN_DELAYS_MS) {
    if (pending.length === 0 || remainingMs() - delay - lookMs < 60_000) {
      break;
    }
    log(`${pending.length} users may have a WorkSpace that is not visible yet: looking again in ${delay} ms`);
    await sleep(delay);
    const lookStart = remainingMs();
    let listing: Workspace[];
    try {
      listing = await api.listDirectory(directoryId);
    } catch (e) {
      if (!isTemporary(e)) {
        throw e;
      }
      lookMs = Math.max(lookMs, lookStart - remainingMs());
      continue;
    }
    const byUser = groupByUser(listing);
    const still: DesiredWorkspace[] = [];
    for (const d of pending) {
      const found = (byUser.get(lower(d.userName)) ?? []).filter((w) => w.State !== 'TERMINATED');
      if (found.length === 0 || await takeExisting(api, d, reader, found, log) === undefined) {
        still.push(d);
      }
    }
    pending = still;
    lookMs = Math.max(lookMs, lookStart - remainingMs());
  }
  return pending.map((d) => ({
    userName: d.userName,
    message: `CreateWorkspaces answered ${RESOURCE_EXISTS_CODE} or failed, and no WorkSpace `
    + `of this request is visible for the user in directory ${directoryId}. Look at it in a few minutes: if its ownership tag `
    + 'names this fleet, deploy again with adoptExisting: true to take it over, or terminate it.',
  }));
}

/** What happens to the WorkSpace of a user no longer in the fleet (or of every user, on Delete). */
type Removal = 'terminate' | 'release' | 'keep' | 'leave';

/**
 * A user removed from the fleet (or every user, on a Delete of the fleet), by the policy and the
 * WorkSpace's marking. Only what a request of this fleet created is ever terminated, and only
 * under DESTROY (which is what a Delete of the fleet means: CloudFormation sends it only under
 * DESTROY, or to roll back the Create that made them). A WorkSpace the fleet adopted or took back
 * existed before: a Delete releases it. Under the retaining policies a removed user's WorkSpace is
 * kept, still marked as this fleet's, so that adding the user back (or rolling back the update
 * that removed them) takes it back.
 */
function removalOf(reader: Reader, marking: string | undefined, policy: UserRemovalPolicy): Removal {
  const relation = relationOf(reader, marking);
  if (relation !== 'this-request' && relation !== 'earlier-lifetime') {
    return 'leave';
  }
  if (policy !== 'DESTROY') {
    return 'keep';
  }
  return parseOwnership(marking)!.kind === 'adopted' ? 'release' : 'terminate';
}

async function removeMembers(
  deps: ResolvedDeps,
  directoryId: string,
  userNames: readonly string[],
  policy: UserRemovalPolicy,
  event: WorkspaceResourceEvent,
  listing: Workspace[],
  pacer: Pacer,
): Promise<void> {
  const { api, log } = deps;
  if (userNames.length === 0) {
    return;
  }
  const reader = readerOf(event, true);
  const byUser = groupByUser(listing);
  const toTerminate: string[] = [];
  for (const userName of userNames) {
    for (const workspace of (byUser.get(lower(userName)) ?? []).filter((w) => !GONE.has(w.State ?? ''))) {
      const workspaceId = workspace.WorkspaceId!;
      const removal = removalOf(reader, (await api.tags(workspaceId))[OWNERSHIP_TAG_KEY], policy);
      switch (removal) {
        case 'terminate':
          toTerminate.push(workspaceId);
          break;
        case 'release':
          await pacer.take();
          await api.deleteTags(workspaceId, [OWNERSHIP_TAG_KEY]);
          log(`${workspaceId} (user "${userName}"): released, not terminated: the fleet adopted it, so it existed before`);
          break;
        case 'keep':
          log(`${workspaceId} (user "${userName}"): kept (${policy}); still marked as this fleet's, so that adding the user back takes it back`);
          break;
        case 'leave':
          log(`${workspaceId} (user "${userName}"): not this fleet's, left alone`);
          break;
      }
    }
  }
  if (toTerminate.length > 0) {
    const outcomes = await api.terminateMany(toTerminate, pacer, directoryId);
    log(`${directoryId}: TerminateWorkspaces for ${toTerminate.length} WorkSpaces: ${summarize(outcomes)}`);
  }
}

const GONE: ReadonlySet<string> = new Set(['TERMINATING', 'TERMINATED']);

/**
 * A change of the bundle or of the volume encryption would need a new WorkSpace for every user,
 * and a user has only one per directory: refused before anything changes, unless every
 * WorkSpace of the fleet already has the settings asked for (CloudFormation rolling back a
 * refused change).
 */
function checkReplacementSettings(spec: FleetSpec, bundleId: string, event: WorkspaceResourceEvent, listing: readonly Workspace[]): void {
  const sample = spec.desired(bundleId)[0];
  const oldName = readFleetUserNames(event.OldResourceProperties)[0];
  const old = oldName === undefined ? undefined : userPropertiesOf(event.OldResourceProperties, oldName);
  if (sample === undefined || old === undefined) {
    return;
  }
  const changes = replacementChanges({ ...sample, userName: oldName }, { ...old, UserName: oldName })
    .filter((c) => c !== 'UserName' && c !== 'DirectoryId' && c !== 'BundleId');
  if (bundleChanged(event)) {
    changes.push('the bundle');
  }
  if (changes.length === 0) {
    return;
  }
  const byUser = groupByUser(listing);
  const alreadyThere = spec.desired(bundleId).every((d) => {
    const w = (byUser.get(lower(d.userName)) ?? []).find((x) => !GONE.has(x.State ?? ''));
    return w === undefined || (w.BundleId === d.bundleId
      && (w.RootVolumeEncryptionEnabled ?? false) === d.rootVolumeEncryptionEnabled
      && (w.UserVolumeEncryptionEnabled ?? false) === d.userVolumeEncryptionEnabled
      && (w.VolumeEncryptionKey || undefined) === d.volumeEncryptionKey);
  });
  if (!alreadyThere) {
    throw new Error(`Cannot change ${changes.join(' and ')} of WorkSpace fleet ${event.LogicalResourceId} in directory `
      + `${spec.directoryId}: it needs a new WorkSpace for every user, and a user can have only one WorkSpace per directory. `
      + 'Nothing was changed. Declare a new fleet (another construct id) for the users that should move, after removing them '
      + 'from this one, or use the service\'s MigrateWorkspace outside CloudFormation to change the bundle.');
  }
}

function bundleChanged(event: WorkspaceResourceEvent): boolean {
  const old = (event.OldResourceProperties ?? {}) as Record<string, unknown>;
  const now = event.ResourceProperties;
  return old.BundleId !== now.BundleId || old.BundleName !== now.BundleName || old.BundleOwner !== now.BundleOwner;
}

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
  const newFleet = event.RequestType === 'Create'
    || fleetPhysicalId(spec.directoryId) !== (event.OldResourceProperties?.DirectoryId ? fleetPhysicalId(String(event.OldResourceProperties.DirectoryId)) : '');
  const oldNames = new Set(readFleetUserNames(event.OldResourceProperties).map(lower));
  const refusalPrefix = [event.StackId, event.LogicalResourceId, event.RequestId ?? ''].join('|');
  const pacer = new Pacer(spec.requestsPerSecond, () => now().getTime(), deps.sleep);
  try {
    const listing = await api.listDirectory(spec.directoryId);
    const byUser = groupByUser(listing);
    const members: Member[] = [];
    for (const desired of spec.desired(bundleId).filter((d) => !refusedUsers.has(lower(d.userName)))) {
      const isNew = newFleet || !oldNames.has(lower(desired.userName));
      const workspace = (byUser.get(lower(desired.userName)) ?? []).find((w) => w.State !== 'TERMINATED');
      const workspaceId = workspace?.WorkspaceId ?? `(the WorkSpace of user "${desired.userName}")`;
      const old = isNew ? undefined : userPropertiesOf(event.OldResourceProperties, desired.userName);
      const tags = needsTags(workspace, isNew)
        ? await tagsOf(api, workspace!, desired, old, isNew && event.RequestType === 'Create' && !spec.adoptExisting)
        : undefined;
      const effective = !isNew && tags !== undefined ? await withRemovedDefaults(api, workspace, desired, old, log) : desired;
      const input: ReconcileInput = {
        workspaceId,
        desired: effective,
        previousTagKeys: isNew ? [] : previousTagKeys(old),
        workspace,
        tags,
        mayBeInvisible: isNew,
        elapsedSeconds,
        lastRefusal: lastRefusals.get(`${refusalPrefix}|${workspaceId}`),
      };
      members.push({ desired, input, decision: planReconcile(input) });
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

    // The steps, paced, while this invocation has time for them; none once the request has
    // failed (the rollback would only have more to undo).
    const stepStart = Date.now();
    let deferred = 0;
    const failing = refusedUsers.size > 0 || members.some((m) => m.decision.kind === 'fail');
    for (const m of members) {
      if (m.decision.kind !== 'step' || failing) {
        continue;
      }
      if (Date.now() - stepStart + pacer.delayMs() > STEP_BUDGET_MS) {
        deferred++;
        continue;
      }
      await pacer.take();
      const failure = await takeFleetStep(api, m.input.workspaceId, m.decision.step, log, `${refusalPrefix}|${m.input.workspaceId}`, m.input.mayBeInvisible);
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
      throw new Error(refusedUsers.size > 0
        ? refusalMessage(event, spec.userNames.length)
        : failureMessage(event, members.length, failed, complete.length));
    }
    const waiting = members.length - complete.length;
    // Removed users' WorkSpaces go last, once every declared one is complete (DESTROY only).
    const removed = waiting === 0 ? await removedStillTerminating(api, event, listing, spec, pacer) : 0;
    if (waiting > 0 || removed > 0) {
      log(`Fleet ${event.LogicalResourceId}: ${complete.length} of ${members.length} complete; `
        + `${countByReason(members)}${deferred > 0 ? `; ${deferred} steps wait for the next poll (request rate ${spec.requestsPerSecond}/s)` : ''}`
        + `${removed > 0 ? `; ${removed} removed WorkSpaces still terminating` : ''}`);
      return { IsComplete: false };
    }
    for (const m of complete) {
      if (m.decision.kind === 'complete') {
        for (const kept of m.decision.kept) {
          log(`${m.input.workspaceId}: ${kept}. Left as it is.`);
        }
      }
    }
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
 * The tags planReconcile compares with. Reading them costs one call per WorkSpace, so it is done
 * only where they can differ from what is declared: a WorkSpace this request may have adopted or
 * taken back, and one whose declared tags changed. A WorkSpace this fleet created carries the tags it was created
 * with (tags changed by hand outside the stack are what `cdk-workspaces drift` reports).
 */
async function tagsOf(
  api: WorkspacesApi,
  workspace: Workspace,
  desired: DesiredWorkspace,
  old: Record<string, unknown> | undefined,
  createdByThisRequest: boolean,
): Promise<Record<string, string>> {
  const declared = Object.fromEntries(desired.tags.map((t) => [t.Key, t.Value]));
  const unchanged = old !== undefined && JSON.stringify(Array.isArray(old.Tags) ? old.Tags : []) === JSON.stringify(desired.tags);
  if (createdByThisRequest || unchanged) {
    return declared;
  }
  return api.tags(workspace.WorkspaceId!);
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
 * Users removed by this Update whose WorkSpaces are being terminated (DESTROY): the request is
 * complete once they are gone. One whose termination was refused while it was busy is asked again.
 */
async function removedStillTerminating(
  api: WorkspacesApi,
  event: WorkspaceIsCompleteEvent,
  listing: Workspace[],
  spec: FleetSpec,
  pacer: Pacer,
): Promise<number> {
  if (event.RequestType !== 'Update' || spec.removalPolicy !== 'DESTROY') {
    return 0;
  }
  const newNames = new Set(spec.userNames.map(lower));
  const removed = new Set(readFleetUserNames(event.OldResourceProperties).map(lower).filter((u) => !newNames.has(u)));
  const reader = readerOf(event, true);
  let terminating = 0;
  const toTerminate: string[] = [];
  for (const workspace of listing) {
    if (!removed.has(lower(workspace.UserName ?? '')) || workspace.State === 'TERMINATED') {
      continue;
    }
    if (workspace.State === 'TERMINATING') {
      terminating++;
      continue;
    }
    if (removalOf(reader, (await api.tags(workspace.WorkspaceId!))[OWNERSHIP_TAG_KEY], 'DESTROY') === 'terminate') {
      toTerminate.push(workspace.WorkspaceId!);
    }
  }
  if (toTerminate.length > 0) {
    await api.terminateMany(toTerminate, pacer, `users removed from fleet ${event.LogicalResourceId}`);
  }
  return terminating + toTerminate.length;
}

async function fleetDeleteComplete(
  event: WorkspaceIsCompleteEvent,
  deps: ResolvedDeps,
  elapsedSeconds: number | undefined,
): Promise<IsCompleteResult> {
  const { api, log } = deps;
  const match = FLEET_ID_PATTERN.exec(event.PhysicalResourceId);
  if (match === null) {
    return { IsComplete: true };
  }
  const users = new Set(readFleetUserNames(event.ResourceProperties).map(lower));
  const reader = readerOf(event, true);
  const timeoutSeconds = readTimeout(event.ResourceProperties);
  try {
    const listing = (await api.listDirectory(match[1])).filter((w) => users.has(lower(w.UserName ?? '')) && w.State !== 'TERMINATED');
    let waiting = 0;
    const again: string[] = [];
    for (const workspace of listing) {
      if (workspace.State === 'TERMINATING') {
        waiting++;
      } else if (removalOf(reader, (await api.tags(workspace.WorkspaceId!))[OWNERSHIP_TAG_KEY], 'DESTROY') === 'terminate') {
        if (workspace.State === 'SUSPENDED') {
          throw new Error(`WorkSpace ${workspace.WorkspaceId} (user "${workspace.UserName}") of fleet ${event.LogicalResourceId} is SUSPENDED, `
            + 'and a suspended WorkSpace cannot be terminated. Resume it first, then delete again.');
        }
        again.push(workspace.WorkspaceId!);
      }
    }
    if (again.length > 0) {
      const pacer = new Pacer(readRate(event.ResourceProperties), () => deps.now().getTime(), deps.sleep);
      const outcomes = await api.terminateMany(again, pacer, match[1]);
      log(`TerminateWorkspaces again for ${again.length}: ${summarize(outcomes)}`);
    }
    const left = waiting + again.length;
    if (left === 0) {
      log(`Fleet ${event.LogicalResourceId}: every WorkSpace it created is gone`);
      return { IsComplete: true };
    }
    if (elapsedSeconds !== undefined && elapsedSeconds > timeoutSeconds) {
      throw new Error(`WorkSpace fleet ${event.LogicalResourceId}: ${left} WorkSpaces were not terminated within `
        + `${formatSeconds(timeoutSeconds)} (TimeoutSeconds). Their termination may still be under way: delete again to wait for it.`);
    }
    log(`Fleet ${event.LogicalResourceId}: ${left} WorkSpaces still terminating`);
    return { IsComplete: false };
  } catch (e) {
    if (!isTemporary(e) || (elapsedSeconds !== undefined && elapsedSeconds > timeoutSeconds)) {
      throw e;
    }
    log(`${errorMessage(e)}: temporary, trying again at the next poll`);
    return { IsComplete: false };
  }
}

/**
 * What the fleet's GetAtt can read: `Count`, `BundleId`, and the id of each user the app asked
 * for with `fleet.workspace(userName)` (property `ExportedUsers`), as `WorkspaceId<i>`, in
 * the order of that list. Only those: CloudFormation takes at most 4 KB of attributes, which 500
 * users' ids would not fit.
 */
function fleetAttributes(event: WorkspaceIsCompleteEvent, members: readonly Member[], bundleId: string): Record<string, string> {
  const data: Record<string, string> = { Count: String(members.length), BundleId: bundleId };
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

function summarize(outcomes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) {
    counts.set(o, (counts.get(o) ?? 0) + 1);
  }
  return [...counts.entries()].map(([k, n]) => `${n} ${k}`).join(', ');
}

function groupByUser(listing: readonly Workspace[]): Map<string, Workspace[]> {
  const byUser = new Map<string, Workspace[]>();
  for (const workspace of listing) {
    const key = lower(workspace.UserName ?? '');
    byUser.set(key, [...(byUser.get(key) ?? []), workspace]);
  }
  return byUser;
}

function readRate(raw: unknown): number {
  const rate = Number((raw as Record<string, unknown> | undefined)?.RequestsPerSecond);
  return Number.isFinite(rate) && rate > 0 ? rate : DEFAULT_REQUESTS_PER_SECOND;
}

function readTimeout(raw: unknown): number {
  const seconds = Number((raw as Record<string, unknown> | undefined)?.TimeoutSeconds);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, MAX_TIMEOUT_SECONDS) : MAX_TIMEOUT_SECONDS;
}

function lower(userName: string): string {
  return userName.toLowerCase();
}

