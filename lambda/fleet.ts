// Custom::WorkspaceFleet: one request for the WorkSpaces of many users of one directory. The
// parse layer (fleet-properties.ts) turns the properties into one DesiredWorkspace per user; the
// plan (plan.ts) decides for each WorkSpace exactly as it does for a Custom::Workspace; the API
// layer (workspaces-api.ts) batches and paces the calls. Only the shape of the request is the
// fleet's own: one CreateWorkspaces per 25 users, one observation of the whole directory per poll.
import type { Workspace } from '@aws-sdk/client-workspaces';
import { fleetDeleteComplete, fleetDeleteOnEvent } from './fleet-delete';
import { FleetId, fleetTags, firstGeneration, formatFleetId, formatFleetTag, membership, NONE, ObservedMember, parseFleetId } from './fleet-generations';
import { GONE, groupByUser, lower, observeMembers, TAG_READS_PER_SECOND } from './fleet-members';
import { FleetSpec, parseFleetProperties, readFleetUserNames, userPropertiesOf } from './fleet-properties';
import {
  attributesOf,
  endSentence,
  errorMessage,
  IsCompleteResult,
  lastRefusals,
  LOOK_AGAIN_DELAYS_MS,
  OnEventResult,
  readerOf,
  rememberRefusal,
  requirePhysicalResourceId,
  ResolvedDeps,
  secondsSince,
  takeExisting,
  WorkspaceIsCompleteEvent,
  WorkspaceResourceEvent,
  withRemovedDefaults,
} from './handler';
import { ownershipMarking, parseOwnership, Reader, relationOf } from './ownership';
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
} from './plan';
import { preflight } from './preflight';
import { DesiredWorkspace, previousTagKeys, replacementChanges } from './properties';
import {
  CreateOutcome,
  errorText,
  isRateLimitRefusal,
  isRetryLater,
  isStateRefusal,
  isTemporary,
  Pacer,
  RESOURCE_EXISTS_CODE,
  sdkErrorOf,
  WorkspacesApi,
} from './workspaces-api';
import { FLEET_TAG_KEY, OWNERSHIP_TAG_KEY } from '../src/private/rules';

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
/** What a poll keeps of its invocation's time for its last calls and its answer (the Lambda timeout is 5 minutes). */
const ANSWER_RESERVE_MS = 60_000;

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
      const reader = readerOf(event);
      const id = firstGeneration(spec.directoryId, reader.requestId);
      const { bundleId, refusals } = await createMembers(deps, spec, spec.userNames, reader, id.lifetime, false);
      return { PhysicalResourceId: formatFleetId(id), Data: dataOf(startedAt, bundleId, refusals) };
    }
    case 'Update': {
      const currentId = requirePhysicalResourceId(event);
      const current = parseFleetId(currentId);
      const spec = parseFleetProperties(event.ResourceProperties);
      const reader = readerOf(event);
      if (current === undefined || current.directoryId !== spec.directoryId) {
        // Another directory: a new lifetime there; CloudFormation deletes the old id (or keeps it,
        // as its UpdateReplacePolicy says) only once the whole stack update succeeded.
        const id = firstGeneration(spec.directoryId, reader.requestId);
        log(`Fleet moves from ${currentId} to directory ${spec.directoryId}: a new fleet there`);
        const { bundleId, refusals } = await createMembers(deps, spec, spec.userNames, reader, id.lifetime, false);
        return { PhysicalResourceId: formatFleetId(id), Data: dataOf(startedAt, bundleId, refusals) };
      }
      const oldNames = readFleetUserNames(event.OldResourceProperties);
      const oldSet = new Set(oldNames.map(lower));
      const newNames = new Set(spec.userNames.map(lower));
      const added = spec.userNames.filter((u) => !oldSet.has(lower(u)));
      const removed = oldNames.filter((u) => !newNames.has(lower(u)));
      const named = spec.bundle.bundleId === undefined;
      const listing = added.length > 0 || removed.length > 0 || bundleChanged(event) || named ? await api.listDirectory(spec.directoryId) : [];
      const bundleId = await bundleOf(deps, spec, event, added, listing);
      checkReplacementSettings(spec, bundleId, event, listing);
      // Under DESTROY, an update that adds or removes users is a new generation (a new id): the
      // removed users' WorkSpaces are only marked here, and released or terminated by the Delete
      // of the old id, which CloudFormation sends once the whole stack update has succeeded.
      const next = spec.removalPolicy === 'DESTROY' && (added.length > 0 || removed.length > 0)
        ? await markGeneration(deps, current, reader, spec, removed, listing)
        : current;
      const { refusals } = await createMembers(deps, spec, added, reader, current.lifetime, true, listing, bundleId);
      log(`Fleet update of ${currentId}: ${added.length} users added, ${removed.length} removed (${spec.removalPolicy}); `
        + 'isComplete applies the changes in place');
      return { PhysicalResourceId: formatFleetId(next), Data: dataOf(startedAt, bundleId, refusals) };
    }
    case 'Delete':
      return fleetDeleteOnEvent(event, deps, startedAt);
    default:
      throw new Error(`Unknown RequestType ${JSON.stringify((event as { RequestType: unknown }).RequestType)}`);
  }
}

/**
 * The bundle id every WorkSpace is compared with. The pre-flight runs only where its answer can
 * change the outcome: for users being added, or a bundle that changed. A bundle given by name that
 * did not change is the one the members have, so a tags-only update or a rollback never fails
 * because the name has since become ambiguous or been retired.
 */
async function bundleOf(deps: ResolvedDeps, spec: FleetSpec, event: WorkspaceResourceEvent, added: readonly string[],
  listing: readonly Workspace[]): Promise<string> {
  const addedNames = new Set(added.map(lower));
  if (added.length === 0 && !bundleChanged(event)) {
    if (spec.bundle.bundleId !== undefined) {
      return spec.bundle.bundleId;
    }
    const declared = new Set(spec.userNames.map(lower));
    const members = listing.filter((w) => declared.has(lower(w.UserName ?? '')) && !GONE.has(w.State ?? '') && w.BundleId !== undefined);
    if (members.length > 0) {
      return members[0].BundleId!;
    }
  }
  return (await preflight(deps.api, {
    directoryId: spec.directoryId,
    bundle: spec.bundle,
    workspaces: spec.desired(spec.bundle.bundleId ?? PLACEHOLDER_BUNDLE_ID).filter((d) => addedNames.has(lower(d.userName)))
      .map((d) => ({ userName: d.userName, properties: d.properties })),
  })).bundleId;
}

/**
 * Makes this Update a new generation: picks its anchor (a member of the users it was built from:
 * one kept if any, else one removed) and marks the removed users' WorkSpaces as removed by it.
 * Nothing else changes: a rollback finds every WorkSpace as it was, and its Delete of the new id
 * resets the anchor, which takes the force out of these marks.
 */
async function markGeneration(deps: ResolvedDeps, current: FleetId, reader: Reader, spec: FleetSpec, removed: readonly string[],
  listing: readonly Workspace[]): Promise<FleetId> {
  const { api, log } = deps;
  const reads = new Pacer(TAG_READS_PER_SECOND, () => deps.now().getTime(), deps.sleep);
  const live = listing.filter((w) => !GONE.has(w.State ?? ''));
  const removedMembers = await observeMembers(api, live, removed, reader, current.lifetime, reads);
  let anchor: ObservedMember | undefined;
  const kept = spec.userNames.filter((u) => !removed.some((r) => lower(r) === lower(u)));
  for (const userName of kept) {
    // Usually the first kept user's WorkSpace: one tag read.
    [anchor] = await observeMembers(api, live, [userName], reader, current.lifetime, reads);
    if (anchor !== undefined) {
      break;
    }
  }
  const anchorWorkspace = anchor ?? removedMembers[0];
  const generation = reader.requestId;
  const next: FleetId = { ...current, generation, anchor: anchorWorkspace?.workspace.WorkspaceId ?? NONE };
  const pacer = new Pacer(spec.requestsPerSecond, () => deps.now().getTime(), deps.sleep);
  if (anchor !== undefined) {
    await pacer.take();
    await api.createTags(next.anchor, fleetTags(anchor.tags, { kind: 'anchor', lifetime: current.lifetime, generation }));
  }
  for (const m of removedMembers) {
    await pacer.take();
    await api.createTags(m.workspace.WorkspaceId!, fleetTags(m.tags, { kind: 'removing', lifetime: current.lifetime, generation, anchor: next.anchor }));
  }
  log(`Generation ${generation} of the fleet (anchor ${next.anchor}): ${removedMembers.length} removed users' WorkSpaces are `
    + `released or terminated only once the whole stack update has succeeded (${removedMembers.map((m) => `${m.workspace.WorkspaceId} of "${m.userName}"`).join(', ') || 'none'})`);
  return next;
}

/** A user whose WorkSpace could not be created or taken over, and why. */
interface Refusal {
  readonly userName: string;
  readonly message: string;
}

/**
 * onEvent's result. A request with refusals fails at its first poll, so CloudFormation never
 * sees this Data (its 4 KB limit applies only to a success's): it may name every refused user.
 */
function dataOf(startedAt: string, bundleId: string, refusals: readonly Refusal[]): OnEventResult['Data'] {
  const data: Record<string, string> = { StartedAt: startedAt, BundleId: bundleId };
  if (refusals.length > 0) {
    data.RefusedCount = String(refusals.length);
    data.RefusedUsers = JSON.stringify(refusals.map((r) => r.userName));
    // The first in full (it says what to do), the others shortened: the message has to fit
    // CloudFormation's status reason.
    data.Refused = refusals.slice(0, MAX_REPORTED_REFUSALS)
      .map((r, i) => `user "${r.userName}": ${r.message}`.slice(0, i === 0 ? 1_500 : 300)).join(' | ');
  }
  return data as OnEventResult['Data'];
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
  lifetime: string,
  isUpdate: boolean,
  knownListing?: readonly Workspace[],
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
      const taken = isUpdate ? await takeBack(api, d, reader, lifetime, found, log) : undefined;
      if (taken === undefined && await takeExisting(api, d, reader, found, log, undefined, memberTag(lifetime)) === undefined) {
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
  const requestOf = (d: DesiredWorkspace) => {
    const request = creationRequest(d, marking);
    return { ...request, Tags: [...(request.Tags ?? []), ...memberTag(lifetime)] };
  };
  const exists: DesiredWorkspace[] = [];
  let requested = 0;
  let remaining = pending;
  const failures = new Map<DesiredWorkspace, string>();
  // Every answered request keeps its outcome, whichever call of the request failed after it.
  const settle = (sent: readonly DesiredWorkspace[], outcomes: readonly CreateOutcome[]) => {
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.workspaceId !== undefined) {
        requested++;
      } else if (outcome.errorCode === RESOURCE_EXISTS_CODE) {
        exists.push(sent[i]);
      } else {
        refusals.push({ userName: sent[i].userName, message: `CreateWorkspaces refused it: ${outcome.errorCode}: ${outcome.errorMessage}` });
      }
    }
  };
  for (let attempt = 0; remaining.length > 0; attempt++) {
    try {
      settle(remaining, await api.createMany(remaining.map(requestOf)));
      remaining = [];
    } catch (e) {
      const partial = ((e as { partial?: CreateOutcome[] }).partial ?? []);
      settle(remaining.slice(0, partial.length), partial);
      const unsent = remaining.slice(partial.length);
      if (!isTemporary(e) || attempt >= 1) {
        // Whether the failed call created anything is unknown: look for those users below, and
        // report the ones not found.
        exists.push(...unsent);
        unsent.forEach((d) => failures.set(d, `CreateWorkspaces failed: ${errorText(sdkErrorOf(e))}`));
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
    try {
      refusals.push(...await lookAgainForFleet(deps, spec.directoryId, exists, reader, lifetime, failures));
    } catch (e) {
      // Something may have been created: the fleet's id must reach CloudFormation (so that the
      // rollback finds it), so this fails the request at isComplete's first poll, not here.
      refusals.push(...exists.map((d) => ({ userName: d.userName, message: `its WorkSpace could not be looked for: ${errorMessage(e)}` })));
    }
  }
  return { bundleId, refusals };
}

/** The fleet tag a new or adopted member carries: the lifetime it belongs to. */
function memberTag(lifetime: string): Array<{ Key: string; Value: string }> {
  return [{ Key: FLEET_TAG_KEY, Value: formatFleetTag({ kind: 'member', lifetime }) }];
}

/**
 * An Update that adds back a user this lifetime of the fleet has held before (removed and kept by
 * the removal policy, or a rollback that re-adds a user the failed update marked as removed): the
 * WorkSpace is still a member, and is taken back as it is, its ownership marking unchanged (what
 * the fleet created it may still terminate under DESTROY, what it adopted it never does), and any
 * removal mark on it cleared. A WorkSpace of an earlier lifetime is not taken back: the fleet
 * declared again adopts it only with adoptExisting, as a Workspace would (takeExisting).
 */
async function takeBack(api: WorkspacesApi, desired: DesiredWorkspace, reader: Reader, lifetime: string, found: readonly Workspace[],
  log: (message: string) => void): Promise<string | undefined> {
  for (const workspace of found.filter((w) => !GONE.has(w.State ?? ''))) {
    const tags = await api.tags(workspace.WorkspaceId!);
    const tag = membership(reader, tags, lifetime);
    if (tag === undefined || relationOf(reader, tags[OWNERSHIP_TAG_KEY]) !== 'earlier-lifetime') {
      continue;
    }
    if (tag.kind !== 'member' || (lifetime !== NONE && tags[FLEET_TAG_KEY] === undefined)) {
      await api.createTags(workspace.WorkspaceId!, fleetTags(tags, { kind: 'member', lifetime }));
    }
    log(`${workspace.WorkspaceId}: user "${desired.userName}" is back in the fleet, which kept this WorkSpace: taken back, `
      + `its marking (${parseOwnership(tags[OWNERSHIP_TAG_KEY])!.kind} by this fleet) unchanged`);
    return workspace.WorkspaceId;
  }
  return undefined;
}

/**
 * The users whose creation the service answered with ResourceExists (or whose call failed
 * without an answer): a WorkSpace an earlier attempt of this request asked for may be invisible
 * for a while, so the directory is looked at again, within the invocation's time. Returns a
 * refusal line for each user still not found.
 */
async function lookAgainForFleet(deps: ResolvedDeps, directoryId: string, users: DesiredWorkspace[], reader: Reader,
  lifetime: string, failures: ReadonlyMap<DesiredWorkspace, string>): Promise<Refusal[]> {
  const { api, log, sleep, remainingMs } = deps;
  const refused: Refusal[] = [];
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
      try {
        if (found.length === 0 || await takeExisting(api, d, reader, found, log, undefined, memberTag(lifetime)) === undefined) {
          still.push(d);
        }
      } catch (e) {
        // The WorkSpace that appeared is not this request's to take (another's, or not adoptable).
        if (isTemporary(e)) {
          still.push(d);
        } else {
          refused.push({ userName: d.userName, message: errorMessage(e) });
        }
      }
    }
    pending = still;
    lookMs = Math.max(lookMs, lookStart - remainingMs());
  }
  return [...refused, ...pending.map((d) => ({
    userName: d.userName,
    message: `${failures.get(d) ?? `CreateWorkspaces answered ${RESOURCE_EXISTS_CODE}`}, and no WorkSpace `
    + `of this request is visible for the user in directory ${directoryId}. Look at it in a few minutes: if its ownership tag `
    + 'names this fleet, deploy again with adoptExisting: true to take it over, or terminate it.',
  }))];
}

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
  const refusedUsers = new Set(readRefusedUsers(event.Data?.RefusedUsers).map(lower));
  const bundleId = String(event.Data?.BundleId || spec.bundle.bundleId || '');
  const newFleet = event.RequestType === 'Create' || event.OldResourceProperties?.DirectoryId !== spec.directoryId;
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
      // The invocation's own deadline too: a poll that began late (a slow observation, the
      // SDK's retries under throttling) stops in time to answer, and the next poll goes on.
      if (Date.now() - stepStart + pacer.delayMs() > STEP_BUDGET_MS || deps.remainingMs() - pacer.delayMs() < ANSWER_RESERVE_MS) {
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
    if (waiting > 0) {
      log(`Fleet ${event.LogicalResourceId}: ${complete.length} of ${members.length} complete; `
        + `${countByReason(members)}${deferred > 0 ? `; ${deferred} steps wait for the next poll (request rate ${spec.requestsPerSecond}/s)` : ''}`);
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

/** The users onEvent could not create or take over (see dataOf). */
function readRefusedUsers(raw: unknown): string[] {
  try {
    const names = typeof raw === 'string' ? JSON.parse(raw) : [];
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
