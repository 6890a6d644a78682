// Custom::WorkspaceFleet: one request for the WorkSpaces of many users of one directory. The
// parse layer (fleet-properties.ts) turns the properties into one DesiredWorkspace per user; the
// plan decides for each WorkSpace exactly as it does for a Custom::Workspace; the API layer
// batches and paces the calls. This module is the fleet's onEvent; fleet-create.ts makes its
// members, fleet-poll.ts is isComplete, fleet-delete.ts the Delete, and fleet-generations.ts says
// how a fleet reaches CloudFormation's cleanup phase.
import type { Workspace } from '@aws-sdk/client-workspaces';
import { createMembers } from './fleet-create';
import { fleetDeleteOnEvent } from './fleet-delete';
import { FleetId, fleetTags, firstGeneration, formatFleetId, NONE, ObservedMember, parseFleetId } from './fleet-generations';
import { GONE, groupByUser, lower, observeMembers, TAG_READS_PER_SECOND, MAX_REPORTED_REFUSALS, PLACEHOLDER_BUNDLE_ID, Refusal } from './fleet-members';
import { fleetMigrates, fleetMigrationPreflight } from './fleet-migrate';
import { FleetSpec, parseFleetProperties, readFleetUserNames, userPropertiesOf } from './fleet-properties';
import { Pacer } from '../../api';
import { OnEventResult, requirePhysicalResourceId, ResolvedDeps, WorkspaceResourceEvent } from '../../core/contract';
import { Reader, readerOf } from '../../core/ownership';
import { boundData } from '../../core/response-limit';
import { replacementChanges } from '../../parse';
import { preflight } from '../../preflight';

export { fleetIsComplete } from './fleet-poll';

/** The most characters of member ids onEvent hands on to isComplete (about 100 WorkSpaces). */
const MAX_MEMBER_IDS_LENGTH = 1_500;

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
      const { bundleId, refusals, ids } = await createMembers(deps, spec, spec.userNames, reader, id.lifetime, false);
      return { PhysicalResourceId: formatFleetId(id), Data: dataOf(startedAt, bundleId, refusals, ids, spec.userNames) };
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
        const { bundleId, refusals, ids } = await createMembers(deps, spec, spec.userNames, reader, id.lifetime, false);
        return { PhysicalResourceId: formatFleetId(id), Data: dataOf(startedAt, bundleId, refusals, ids, spec.userNames) };
      }
      const oldNames = readFleetUserNames(event.OldResourceProperties);
      const oldSet = new Set(oldNames.map(lower));
      const newNames = new Set(spec.userNames.map(lower));
      const added = spec.userNames.filter((u) => !oldSet.has(lower(u)));
      const removed = oldNames.filter((u) => !newNames.has(lower(u)));
      const migrating = fleetMigrates(spec, event);
      const settings = replacementSettingChanges(spec, event).filter((c) => !migrating || c !== 'the bundle');
      // The members are read whenever they are compared with: a change of the encryption settings
      // checked against no listing would pass for every WorkSpace and change none.
      // One listing per request: the members' ids, which isComplete then describes by id.
      const listing = await api.listDirectory(spec.directoryId);
      const bundleId = await bundleOf(deps, spec, event, added, listing);
      checkReplacementSettings(spec, bundleId, event, listing, settings);
      if (migrating) {
        // A bundle change migrates the members, in waves, in isComplete: their ids change, so
        // none is handed on.
        await fleetMigrationPreflight(api, spec, event, listing, bundleId, added.length > 0 || removed.length > 0);
        log(`Fleet update of ${currentId} changes the bundle to ${bundleId}: isComplete migrates the members in waves of `
          + `${spec.migrationBatchSize}`);
        return { PhysicalResourceId: currentId, Data: dataOf(startedAt, bundleId, [], new Map(), spec.userNames) };
      }
      // Under DESTROY, an update that adds or removes users is a new generation (a new id): the
      // removed users' WorkSpaces are only marked here, and released or terminated by the Delete
      // of the old id, which CloudFormation sends once the whole stack update has succeeded.
      const next = spec.removalPolicy === 'DESTROY' && (added.length > 0 || removed.length > 0)
        ? await markGeneration(deps, current, reader, spec, removed, listing)
        : current;
      const { refusals, ids } = await createMembers(deps, spec, added, reader, current.lifetime, true, listing, bundleId);
      const byUser = groupByUser(listing);
      for (const userName of spec.userNames.filter((u) => !ids.has(lower(u)))) {
        const workspace = (byUser.get(lower(userName)) ?? []).find((w) => !GONE.has(w.State ?? ''));
        if (workspace?.WorkspaceId !== undefined) {
          ids.set(lower(userName), workspace.WorkspaceId);
        }
      }
      log(`Fleet update of ${currentId}: ${added.length} users added, ${removed.length} removed (${spec.removalPolicy}); `
        + 'isComplete applies the changes in place');
      return { PhysicalResourceId: formatFleetId(next), Data: dataOf(startedAt, bundleId, refusals, ids, spec.userNames) };
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

/**
 * onEvent's result. A request with refusals fails at its first poll, and the framework sends this
 * Data with that failure: it counts against CloudFormation's 4,096 bytes as the reason does. So
 * the refused users are a bit per declared user (250 characters for 1,000 users), and the
 * refusals' text is cut to the Data's budget. Without refusals, the members' ids go on to
 * isComplete, which describes the fleet by id (and empties them from its answer).
 */
function dataOf(startedAt: string, bundleId: string, refusals: readonly Refusal[], ids: ReadonlyMap<string, string>,
  userNames: readonly string[]): OnEventResult['Data'] {
  const data: Record<string, string> = { StartedAt: startedAt, BundleId: bundleId };
  if (refusals.length > 0) {
    data.RefusedCount = String(refusals.length);
    data.RefusedMask = refusedMask(userNames, new Set(refusals.map((r) => lower(r.userName))));
    // The first in full (it says what to do), the others shortened.
    data.Refused = refusals.slice(0, MAX_REPORTED_REFUSALS)
      .map((r, i) => `user "${r.userName}": ${r.message}`.slice(0, i === 0 ? 1_500 : 300)).join(' | ');
  } else {
    const joined = [...ids.values()].join(',');
    if (joined.length <= MAX_MEMBER_IDS_LENGTH) {
      data.MemberIds = joined;
    }
  }
  return boundData(data, ['StartedAt', 'BundleId', 'RefusedCount', 'RefusedMask', 'MemberIds']) as OnEventResult['Data'];
}

/** A hex digit per four declared users, in their order: a set bit is a refused user. */
function refusedMask(userNames: readonly string[], refused: ReadonlySet<string>): string {
  const bits = userNames.map((name) => (refused.has(lower(name)) ? '1' : '0')).join('');
  return (bits.match(/.{1,4}/g) ?? []).map((nibble) => parseInt(nibble.padEnd(4, '0'), 2).toString(16)).join('');
}

/**
 * A change of the bundle or of the volume encryption would need a new WorkSpace for every user,
 * and a user has only one per directory: refused before anything changes, unless every
 * WorkSpace of the fleet already has the settings asked for (CloudFormation rolling back a
 * refused change).
 */
function checkReplacementSettings(spec: FleetSpec, bundleId: string, event: WorkspaceResourceEvent, listing: readonly Workspace[],
  changes: readonly string[]): void {
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
      + 'from this one; a change of the bundle alone migrates the members (bundleChange MIGRATE, the default).');
  }
}

/** The settings only a new WorkSpace could have that this Update changes, fleet-wide (the users cannot override them). */
function replacementSettingChanges(spec: FleetSpec, event: WorkspaceResourceEvent): string[] {
  const sample = spec.desired(spec.bundle.bundleId ?? PLACEHOLDER_BUNDLE_ID)[0];
  const oldName = readFleetUserNames(event.OldResourceProperties)[0];
  const old = oldName === undefined ? undefined : userPropertiesOf(event.OldResourceProperties, oldName);
  const changes = sample === undefined || old === undefined ? []
    : replacementChanges({ ...sample, userName: oldName }, { ...old, UserName: oldName })
      .filter((c) => c !== 'UserName' && c !== 'DirectoryId' && c !== 'BundleId');
  if (bundleChanged(event)) {
    changes.push('the bundle');
  }
  return changes;
}

function bundleChanged(event: WorkspaceResourceEvent): boolean {
  const old = (event.OldResourceProperties ?? {}) as Record<string, unknown>;
  const now = event.ResourceProperties;
  return old.BundleId !== now.BundleId || old.BundleName !== now.BundleName || old.BundleOwner !== now.BundleOwner;
}
