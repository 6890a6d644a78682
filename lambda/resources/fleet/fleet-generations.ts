// A fleet's lifetimes and generations: how a Custom::WorkspaceFleet reaches CloudFormation's
// cleanup phase, and how each Delete it receives knows what it may release or terminate.
//
// CloudFormation deletes a removed resource only after the whole stack update succeeded, and a
// custom resource gets the same by returning a new physical id from an Update: the Delete of the
// old id comes only after success, the Delete of the new id only after a rollback. So an Update of
// a fleet under DESTROY that adds or removes users returns a new id (a generation) and changes
// nothing that existed before: the WorkSpaces of removed users are only tagged as "removing" by
// that generation. The Delete event carries the properties of the id it deletes and nothing else,
// so what it may touch is read from the service:
//
// - The fleet tag names the lifetime a WorkSpace belongs to (the request that created the fleet,
//   or moved it to this directory). A WorkSpace of an earlier lifetime of the same logical id is
//   not a member: the fleet declared again must adopt it (adoptExisting), as a Workspace must.
// - A generation names an anchor: one member WorkSpace of the users it was built from, tagged as
//   the anchor of that generation. The cleanup Delete of the old id (the proof that the new
//   generation was committed) resets the anchor; the rollback Delete of the new id finds it still
//   set. A removal tag counts only while its generation's anchor still names that generation, so
//   the tags a rolled-back generation left behind are inert.
import type { Workspace } from '@aws-sdk/client-workspaces';
import { FLEET_TAG_KEY, OWNERSHIP_TAG_KEY } from '../../../src/private/rules';
import { parseOwnership, Reader, relationOf } from '../../core/ownership';

/** Stands for "none" in an id or a tag: a fleet of an earlier version of the library, or no anchor. */
export const NONE = '-';
const FLEET_ID_PREFIX = 'workspace-fleet:';
const LEGACY_ID = /^workspace-fleet:(d-[0-9a-f]{8,63})$/;
const FLEET_ID = /^workspace-fleet:(d-[0-9a-f]{8,63}):([^:/]+):([^:/]+):([^:/]+)$/;

/** What a fleet's PhysicalResourceId says. */
export interface FleetId {
  readonly directoryId: string;
  /** The request that began this lifetime of the fleet in this directory; NONE for an id without one. */
  readonly lifetime: string;
  /** The request that made this generation (the lifetime's own for the first). */
  readonly generation: string;
  /** The WorkSpace whose fleet tag tells whether this generation was committed; NONE when it has none. */
  readonly anchor: string;
}

export function formatFleetId(id: FleetId): string {
  return `${FLEET_ID_PREFIX}${id.directoryId}:${id.lifetime}:${id.generation}:${id.anchor}`;
}

export function parseFleetId(physicalId: string): FleetId | undefined {
  const legacy = LEGACY_ID.exec(physicalId);
  if (legacy !== null) {
    return { directoryId: legacy[1], lifetime: NONE, generation: NONE, anchor: NONE };
  }
  const m = FLEET_ID.exec(physicalId);
  return m === null ? undefined : { directoryId: m[1], lifetime: m[2], generation: m[3], anchor: m[4] };
}

/** The first generation of a lifetime: a Create, or an Update that moves the fleet to another directory. */
export function firstGeneration(directoryId: string, requestId: string): FleetId {
  return { directoryId, lifetime: requestId, generation: requestId, anchor: NONE };
}

/** What a member's fleet tag says. */
export type FleetTag =
  | { readonly kind: 'member'; readonly lifetime: string }
  /** A member that the generation's Update left as it was, but whose tag proves whether that generation was committed. */
  | { readonly kind: 'anchor'; readonly lifetime: string; readonly generation: string }
  /** A member whose user the generation removed: released or terminated by the cleanup Delete of the id before it. */
  | { readonly kind: 'removing'; readonly lifetime: string; readonly generation: string; readonly anchor: string };

export function formatFleetTag(tag: FleetTag): string {
  switch (tag.kind) {
    case 'member':
      return tag.lifetime;
    case 'anchor':
      return `${tag.lifetime}/anchor/${tag.generation}`;
    case 'removing':
      return `${tag.lifetime}/removing/${tag.generation}/${tag.anchor}`;
  }
}

export function parseFleetTag(value: string | undefined): FleetTag | undefined {
  if (value === undefined) {
    return undefined;
  }
  const parts = value.split('/');
  if (parts.length === 1 && parts[0] !== '') {
    return { kind: 'member', lifetime: parts[0] };
  }
  if (parts.length === 3 && parts[1] === 'anchor') {
    return { kind: 'anchor', lifetime: parts[0], generation: parts[2] };
  }
  if (parts.length === 4 && parts[1] === 'removing') {
    return { kind: 'removing', lifetime: parts[0], generation: parts[2], anchor: parts[3] };
  }
  return undefined;
}

/**
 * The fleet tag of a member of this lifetime of this fleet, or undefined when the WorkSpace is not
 * one: marked by another resource, unmarked, or left by an earlier lifetime of the same logical id.
 * A WorkSpace of a fleet whose id has no lifetime (an earlier version) carries no fleet tag.
 */
export function membership(reader: Reader, tags: Readonly<Record<string, string>>, lifetime: string): FleetTag | undefined {
  const relation = relationOf(reader, tags[OWNERSHIP_TAG_KEY]);
  if (relation !== 'this-request' && relation !== 'earlier-lifetime') {
    return undefined;
  }
  const raw = tags[FLEET_TAG_KEY];
  if (raw === undefined) {
    return lifetime === NONE ? { kind: 'member', lifetime } : undefined;
  }
  const tag = parseFleetTag(raw);
  return tag?.lifetime === lifetime ? tag : undefined;
}

/**
 * The tags onEvent writes to change a member's fleet tag: the ownership tag goes with it, unchanged,
 * since the role's CreateTags is allowed only with this stack's ownership tag in the request.
 */
export function fleetTags(tags: Readonly<Record<string, string>>, tag: FleetTag): Array<{ Key: string; Value: string }> {
  return [{ Key: OWNERSHIP_TAG_KEY, Value: tags[OWNERSHIP_TAG_KEY] }, { Key: FLEET_TAG_KEY, Value: formatFleetTag(tag) }];
}

/** One user's WorkSpace as a Delete sees it. */
export interface ObservedMember {
  readonly userName: string;
  readonly workspace: Workspace;
  readonly tags: Readonly<Record<string, string>>;
  readonly tag: FleetTag;
}

/** What a Delete of a fleet id is, as the service tells it. */
export type DeleteKind =
  /** The Delete of a generation that was never committed (the rollback of its Update): only what its own request made goes. */
  | { readonly kind: 'rollback' }
  /** The cleanup Delete of a generation a newer one replaced: only the users the newer one removed go. */
  | { readonly kind: 'cleanup'; readonly removedBy: string; readonly anchor: string }
  /** The Delete of the fleet itself (removed from the app, the stack deleted, or a Create rolled back): every member goes. */
  | { readonly kind: 'all' };

/**
 * Whether the anchor's tag (undefined: the anchor is gone) still names this generation as
 * uncommitted: only then is a removal tag of that generation in force, and only then is a Delete of
 * that generation's id the rollback's.
 */
export function anchorPending(anchorTag: FleetTag | undefined, generation: string, anchorId: string): boolean {
  if (anchorTag === undefined) {
    return false;
  }
  return (anchorTag.kind === 'anchor' && anchorTag.generation === generation)
    || (anchorTag.kind === 'removing' && anchorTag.generation === generation && anchorTag.anchor === anchorId);
}

/**
 * What a Delete of this id is. `anchorTagOf` reads a WorkSpace's fleet tag, undefined when the
 * WorkSpace is gone or no longer a member (terminated, released).
 */
export async function classifyDelete(
  id: FleetId,
  members: readonly ObservedMember[],
  anchorTagOf: (workspaceId: string) => Promise<FleetTag | undefined>,
): Promise<DeleteKind> {
  const own = id.generation !== id.lifetime && id.generation !== NONE;
  if (own) {
    if (id.anchor === NONE) {
      // A generation with no member to anchor it (the fleet had no WorkSpace when it was made):
      // whether it was committed cannot be told, so only what its own request made goes.
      return { kind: 'rollback' };
    }
    if (anchorPending(await anchorTagOf(id.anchor), id.generation, id.anchor)) {
      return { kind: 'rollback' };
    }
  }
  const checked = new Map<string, boolean>();
  for (const m of members) {
    if (m.tag.kind === 'anchor' && m.tag.generation !== id.generation) {
      // A newer generation that removed no user (it only added some) is told by its anchor alone:
      // its tag is in force by being there, so this is its cleanup, with nothing to remove.
      return { kind: 'cleanup', removedBy: m.tag.generation, anchor: m.workspace.WorkspaceId! };
    }
    if (m.tag.kind !== 'removing' || m.tag.generation === id.generation) {
      continue;
    }
    const key = `${m.tag.generation}|${m.tag.anchor}`;
    if (!checked.has(key)) {
      const anchorTag = m.tag.anchor === m.workspace.WorkspaceId ? m.tag : await anchorTagOf(m.tag.anchor);
      checked.set(key, anchorPending(anchorTag, m.tag.generation, m.tag.anchor));
    }
    if (checked.get(key)) {
      return { kind: 'cleanup', removedBy: m.tag.generation, anchor: m.tag.anchor };
    }
  }
  return { kind: 'all' };
}

/** What a Delete does to one member. */
export type MemberRemoval = 'terminate' | 'release' | 'keep';

/**
 * The members a Delete of this kind releases or terminates. Only what a request of this fleet
 * created is terminated; what it adopted existed before and is released. A rollback touches only
 * what the generation's own request created or adopted: a WorkSpace taken back or kept existed before.
 */
export function removalOf(kind: DeleteKind, id: FleetId, member: ObservedMember): MemberRemoval {
  const owner = parseOwnership(member.tags[OWNERSHIP_TAG_KEY]);
  if (owner === undefined) {
    return 'keep';
  }
  switch (kind.kind) {
    case 'rollback':
      if (owner.request !== id.generation) {
        return 'keep';
      }
      break;
    case 'cleanup':
      if (member.tag.kind !== 'removing' || member.tag.generation !== kind.removedBy || member.tag.anchor !== kind.anchor) {
        return 'keep';
      }
      break;
    case 'all':
      break;
  }
  return owner.kind === 'adopted' ? 'release' : 'terminate';
}
