// What the fleet's requests share about its members: who they are in a listing of the directory,
// their tags, read at a bounded pace, and the few properties read without failing.
import type { Workspace } from '@aws-sdk/client-workspaces';
import { FleetTag, membership, ObservedMember } from './fleet-generations';
import { MAX_TIMEOUT_SECONDS } from '../../../src/private/rules';
import { DEFAULT_REQUESTS_PER_SECOND, errorText, Pacer, sdkErrorOf, WorkspacesApi } from '../../api';
import type { Reader } from '../../core/ownership';

/** Stands for a bundle named, not yet resolved, while the users' settings are validated. */
export const PLACEHOLDER_BUNDLE_ID = 'wsb-00000000';
/** How many users' refusals onEvent hands on to isComplete (the event and CloudFormation's answer are small). */
export const MAX_REPORTED_REFUSALS = 10;

/** A user whose WorkSpace could not be created or taken over, and why. */
export interface Refusal {
  readonly userName: string;
  readonly message: string;
}

/** States of a WorkSpace that is on its way out or gone: nothing is asked of it any more. */
export const GONE: ReadonlySet<string> = new Set(['TERMINATING', 'TERMINATED']);

/**
 * How many tag reads a request makes per second at most: DescribeTags is one call per WorkSpace,
 * and a large fleet would otherwise send a burst of them that the account's other callers pay for.
 */
export const TAG_READS_PER_SECOND = 10;

export function lower(userName: string): string {
  return userName.toLowerCase();
}

export function groupByUser(listing: readonly Workspace[]): Map<string, Workspace[]> {
  const byUser = new Map<string, Workspace[]>();
  for (const workspace of listing) {
    const key = lower(workspace.UserName ?? '');
    byUser.set(key, [...(byUser.get(key) ?? []), workspace]);
  }
  return byUser;
}

/**
 * The members of this lifetime of the fleet among these users' WorkSpaces (gone ones included,
 * since their tags still tell which generation removed them), with their tags. One tag read per
 * WorkSpace of these users, paced.
 */
export async function observeMembers(
  api: WorkspacesApi,
  listing: readonly Workspace[],
  userNames: readonly string[],
  reader: Reader,
  lifetime: string,
  pacer: Pacer,
): Promise<ObservedMember[]> {
  const byUser = groupByUser(listing);
  const members: ObservedMember[] = [];
  for (const userName of userNames) {
    for (const workspace of (byUser.get(lower(userName)) ?? []).filter((w) => w.State !== 'TERMINATED')) {
      await pacer.take();
      const tags = await tagsUnlessGone(api, workspace.WorkspaceId!);
      const tag = tags === undefined ? undefined : membership(reader, tags, lifetime);
      if (tag !== undefined) {
        members.push({ userName, workspace, tags: tags!, tag });
      }
    }
  }
  return members;
}

/** A WorkSpace's fleet tag for this lifetime, read by id: undefined when it is gone or not a member. */
export async function fleetTagOf(api: WorkspacesApi, workspaceId: string, reader: Reader, lifetime: string): Promise<FleetTag | undefined> {
  const workspace = (await api.describeMany([workspaceId])).get(workspaceId);
  if (workspace === undefined || GONE.has(workspace.State ?? '')) {
    return undefined;
  }
  const tags = await tagsUnlessGone(api, workspaceId);
  return tags === undefined ? undefined : membership(reader, tags, lifetime);
}

/** A WorkSpace's tags; undefined when it went away since it was listed (the service no longer knows it). */
export async function tagsUnlessGone(api: WorkspacesApi, workspaceId: string): Promise<Record<string, string> | undefined> {
  try {
    return await api.tags(workspaceId);
  } catch (e) {
    if (/ResourceNotFound/.test(errorText(sdkErrorOf(e)))) {
      return undefined;
    }
    throw e;
  }
}

export function summarize(outcomes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) {
    counts.set(o, (counts.get(o) ?? 0) + 1);
  }
  return [...counts.entries()].map(([k, n]) => `${n} ${k}`).join(', ');
}

export function readRate(raw: unknown): number {
  const rate = Number((raw as Record<string, unknown> | undefined)?.RequestsPerSecond);
  return Number.isFinite(rate) && rate > 0 ? rate : DEFAULT_REQUESTS_PER_SECOND;
}

export function readTimeout(raw: unknown): number {
  const seconds = Number((raw as Record<string, unknown> | undefined)?.TimeoutSeconds);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, MAX_TIMEOUT_SECONDS) : MAX_TIMEOUT_SECONDS;
}
