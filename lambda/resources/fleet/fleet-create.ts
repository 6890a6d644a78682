// The creation of a fleet's members: one look at the directory, the ownership decisions of
// Custom::Workspace for each user (takeExisting), then CreateWorkspaces 25 at a time with the
// request's marking and the fleet's lifetime. Once anything may have been created, nothing here
// throws: every user's failure becomes a refusal that isComplete reports.
import type { Workspace } from '@aws-sdk/client-workspaces';
import { fleetTags, formatFleetTag, membership, NONE } from './fleet-generations';
import { GONE, groupByUser, lower, PLACEHOLDER_BUNDLE_ID, Refusal } from './fleet-members';
import { FleetSpec } from './fleet-properties';
import { FLEET_TAG_KEY, OWNERSHIP_TAG_KEY } from '../../../src/private/rules';
import { CreateOutcome, errorText, isTemporary, RESOURCE_EXISTS_CODE, sdkErrorOf, WorkspacesApi } from '../../api';
import { errorMessage, LOOK_AGAIN_DELAYS_MS, ResolvedDeps } from '../../core/contract';
import { ownershipMarking, parseOwnership, Reader, relationOf, takeExisting } from '../../core/ownership';
import { DesiredWorkspace } from '../../parse';
import { creationRequest } from '../../plan';
import { preflight } from '../../preflight';


/**
 * Creates (or takes over) the WorkSpaces of these users: one pre-flight for all of them, one look
 * at the directory, then CreateWorkspaces 25 at a time. Returns the resolved bundle id and one
 * line per user whose WorkSpace was refused or may not be taken.
 */
export async function createMembers(
  deps: ResolvedDeps,
  spec: FleetSpec,
  userNames: readonly string[],
  reader: Reader,
  lifetime: string,
  isUpdate: boolean,
  knownListing?: readonly Workspace[],
  resolvedBundleId?: string,
): Promise<{ bundleId: string; refusals: Refusal[]; ids: Map<string, string> }> {
  const { api, log } = deps;
  const wanted = new Set(userNames.map(lower));
  const toCreate = spec.desired(spec.bundle.bundleId ?? PLACEHOLDER_BUNDLE_ID).filter((d) => wanted.has(lower(d.userName)));
  const bundleId = resolvedBundleId ?? (await preflight(api, {
    directoryId: spec.directoryId,
    bundle: spec.bundle,
    workspaces: toCreate.map((d) => ({ userName: d.userName, properties: d.properties })),
  })).bundleId;
  if (toCreate.length === 0) {
    return { bundleId, refusals: [], ids: new Map() };
  }
  const desired = spec.desired(bundleId).filter((d) => wanted.has(lower(d.userName)));
  const listing = knownListing ?? await api.listDirectory(spec.directoryId);
  const byUser = groupByUser(listing);
  const refusals: Refusal[] = [];
  // Each user's WorkSpace id, by lower-case user name: what isComplete describes by id.
  const ids = new Map<string, string>();
  const pending: DesiredWorkspace[] = [];
  for (const d of desired) {
    const found = (byUser.get(lower(d.userName)) ?? []).filter((w) => w.State !== 'TERMINATED');
    try {
      const taken = (isUpdate ? await takeBack(api, d, reader, lifetime, found, log) : undefined)
        ?? await takeExisting(api, d, reader, found, log, undefined, memberTag(lifetime));
      if (taken === undefined) {
        pending.push(d);
      } else {
        ids.set(lower(d.userName), taken);
      }
    } catch (e) {
      if (isTemporary(e)) {
        throw e;
      }
      refusals.push({ userName: d.userName, message: errorMessage(e) });
    }
  }
  if (pending.length === 0) {
    return { bundleId, refusals, ids };
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
        ids.set(lower(sent[i].userName), outcome.workspaceId);
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
      refusals.push(...await lookAgainForFleet(deps, spec.directoryId, exists, reader, lifetime, failures, ids));
    } catch (e) {
      // Something may have been created: the fleet's id must reach CloudFormation (so that the
      // rollback finds it), so this fails the request at isComplete's first poll, not here.
      refusals.push(...exists.map((d) => ({ userName: d.userName, message: `its WorkSpace could not be looked for: ${errorMessage(e)}` })));
    }
  }
  return { bundleId, refusals, ids };
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
  lifetime: string, failures: ReadonlyMap<DesiredWorkspace, string>, ids: Map<string, string>): Promise<Refusal[]> {
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
        const taken = found.length === 0 ? undefined : await takeExisting(api, d, reader, found, log, undefined, memberTag(lifetime));
        if (taken === undefined) {
          still.push(d);
        } else {
          ids.set(lower(d.userName), taken);
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
