// The Delete of a fleet's id: the only request that releases or terminates a fleet's WorkSpaces.
// CloudFormation sends it for an id the stack no longer holds: the old generation after a
// successful update (cleanup), the new generation after a rollback, or the fleet itself (removed
// from the app, the stack deleted, its Create rolled back). fleet-generations.ts tells which.
import type { Workspace } from '@aws-sdk/client-workspaces';
import {
  classifyDelete,
  DeleteKind,
  FleetId,
  fleetTags,
  NONE,
  ObservedMember,
  parseFleetId,
  parseFleetTag,
  removalOf,
} from './fleet-generations';
import { fleetTagOf, lower, observeMembers, readRate, readTimeout, summarize, TAG_READS_PER_SECOND, tagsUnlessGone } from './fleet-members';
import { readFleetUserNames } from './fleet-properties';
import { FLEET_TAG_KEY, OWNERSHIP_TAG_KEY } from '../../../src/private/rules';
import { isTemporary, Pacer } from '../../api';
import {
  errorMessage,
  IsCompleteResult,
  OnEventResult,
  requirePhysicalResourceId,
  ResolvedDeps,
  WorkspaceIsCompleteEvent,
  WorkspaceResourceEvent,
} from '../../core/contract';
import { readerOf } from '../../core/ownership';
import { formatSeconds } from '../../plan';

/** The most WorkSpace ids onEvent hands to isComplete in Data (CloudFormation's answer is at most 4 KB). */
const MAX_HANDED_IDS_LENGTH = 2_500;
/** How many WorkSpaces a failure or timeout message names, before "and N more". */
const MAX_NAMED = 10;

export async function fleetDeleteOnEvent(event: WorkspaceResourceEvent, deps: ResolvedDeps, startedAt: string): Promise<OnEventResult> {
  const { api, log } = deps;
  const physicalResourceId = requirePhysicalResourceId(event);
  const id = parseFleetId(physicalResourceId);
  if (id === undefined) {
    log(`${physicalResourceId} is not a fleet's id (its Create failed): nothing to delete`);
    return { PhysicalResourceId: physicalResourceId, Data: { StartedAt: startedAt } };
  }
  const reader = readerOf(event, true);
  const reads = new Pacer(TAG_READS_PER_SECOND, () => deps.now().getTime(), deps.sleep);
  const members = await observeMembers(api, await api.listDirectory(id.directoryId), readFleetUserNames(event.ResourceProperties),
    reader, id.lifetime, reads);
  const kind = await classifyDelete(id, members, async (workspaceId) => {
    const known = members.find((m) => m.workspace.WorkspaceId === workspaceId);
    return known !== undefined && known.workspace.State !== 'TERMINATING' ? known.tag : fleetTagOf(api, workspaceId, reader, id.lifetime);
  });
  log(`Fleet ${event.LogicalResourceId}, ${physicalResourceId}: ${describeKind(kind)}`);
  const pacer = new Pacer(readRate(event.ResourceProperties), () => deps.now().getTime(), deps.sleep);
  await settleAnchor(deps, id, kind, members, pacer);

  const toTerminate: ObservedMember[] = [];
  for (const m of members.filter((x) => x.workspace.State !== 'TERMINATING')) {
    switch (removalOf(kind, id, m)) {
      case 'terminate':
        toTerminate.push(m);
        break;
      case 'release':
        await pacer.take();
        await api.deleteTags(m.workspace.WorkspaceId!, [OWNERSHIP_TAG_KEY, FLEET_TAG_KEY]);
        log(`${m.workspace.WorkspaceId} (user "${m.userName}"): released, not terminated: the fleet adopted it, so it existed before`);
        break;
      case 'keep':
        break;
    }
  }
  const ids = toTerminate.map((m) => m.workspace.WorkspaceId!);
  if (ids.length > 0) {
    const outcomes = await api.terminateMany(ids, pacer, `fleet ${event.LogicalResourceId}`);
    log(`TerminateWorkspaces for ${ids.length} WorkSpaces (${toTerminate.map((m) => m.userName).join(', ')}): ${summarize(outcomes)}`);
  }
  // Those already terminating are waited for too: an earlier attempt of this Delete asked.
  const waitFor = [...ids, ...members.filter((m) => m.workspace.State === 'TERMINATING' && removalOf(kind, id, m) === 'terminate')
    .map((m) => m.workspace.WorkspaceId!)];
  const data: Record<string, string> = { StartedAt: startedAt, ...kindData(kind) };
  const joined = waitFor.join(',');
  if (joined.length <= MAX_HANDED_IDS_LENGTH) {
    data.Terminating = joined;
  }
  return { PhysicalResourceId: physicalResourceId, Data: data as OnEventResult['Data'] };
}

/**
 * The anchor's tag after this Delete: a rollback resets it (the generation never was, so its
 * removal tags lose their force), a cleanup resets it before anything is removed (the generation
 * is committed: a later Delete of its id is the fleet's own). A removed anchor goes with the others.
 */
async function settleAnchor(deps: ResolvedDeps, id: FleetId, kind: DeleteKind, members: readonly ObservedMember[], pacer: Pacer): Promise<void> {
  const anchor = kind.kind === 'rollback' ? id.anchor : kind.kind === 'cleanup' ? kind.anchor : NONE;
  if (anchor === NONE) {
    return;
  }
  const known = members.find((x) => x.workspace.WorkspaceId === anchor);
  if (kind.kind === 'cleanup' && known?.tag.kind === 'removing') {
    return;
  }
  // A rollback's anchor may be the WorkSpace of a user the failed update removed, whom this id
  // does not declare: read by id. One that is gone needs nothing.
  const tags = known?.tags ?? await tagsUnlessGone(deps.api, anchor);
  if (tags === undefined || parseFleetTag(tags[FLEET_TAG_KEY])?.lifetime !== id.lifetime) {
    return;
  }
  await pacer.take();
  await deps.api.createTags(anchor, fleetTags(tags, { kind: 'member', lifetime: id.lifetime }));
  deps.log(`${anchor}: the anchor of generation ${kind.kind === 'cleanup' ? kind.removedBy : id.generation} is a plain member again (${kind.kind})`);
}

function describeKind(kind: DeleteKind): string {
  switch (kind.kind) {
    case 'rollback':
      return 'the rollback of the update that made this generation: only what that request created is terminated, and only what '
        + 'it adopted is released; every WorkSpace that existed before stays, and the users it removed stay members';
    case 'cleanup':
      return `the cleanup of a generation replaced by ${kind.removedBy}: only the users that generation removed are released or terminated`;
    case 'all':
      return 'the fleet itself is deleted: the WorkSpaces its requests created are terminated, the ones it adopted released';
  }
}

function kindData(kind: DeleteKind): Record<string, string> {
  return kind.kind === 'cleanup' ? { DeleteKind: kind.kind, RemovedBy: kind.removedBy, RemovedAnchor: kind.anchor } : { DeleteKind: kind.kind };
}

function kindOfData(data: Record<string, unknown> | undefined): DeleteKind {
  switch (data?.DeleteKind) {
    case 'rollback':
      return { kind: 'rollback' };
    case 'cleanup':
      return { kind: 'cleanup', removedBy: String(data.RemovedBy), anchor: String(data.RemovedAnchor) };
    default:
      return { kind: 'all' };
  }
}

/**
 * isComplete of a fleet's Delete: the WorkSpaces onEvent asked to terminate, described by id (25 a
 * call), until they are gone. One refused while busy is asked again; a SUSPENDED one, which the
 * service does not terminate, fails the request naming it; so does the fleet's timeout, naming
 * each WorkSpace still there and its state.
 */
export async function fleetDeleteComplete(
  event: WorkspaceIsCompleteEvent,
  deps: ResolvedDeps,
  elapsedSeconds: number | undefined,
): Promise<IsCompleteResult> {
  const { api, log } = deps;
  const id = parseFleetId(event.PhysicalResourceId);
  if (id === undefined) {
    return { IsComplete: true };
  }
  const timeoutSeconds = readTimeout(event.ResourceProperties);
  try {
    const ids = await terminatingIds(event, deps, id);
    const described = await api.describeMany(ids);
    const left: Workspace[] = [];
    const again: string[] = [];
    const suspended: Workspace[] = [];
    for (const workspaceId of ids) {
      const workspace = described.get(workspaceId);
      if (workspace === undefined || workspace.State === 'TERMINATED') {
        continue;
      }
      left.push(workspace);
      if (workspace.State === 'SUSPENDED') {
        suspended.push(workspace);
      } else if (workspace.State !== 'TERMINATING') {
        again.push(workspaceId);
      }
    }
    if (suspended.length > 0) {
      throw new Error(`WorkSpace fleet ${event.LogicalResourceId}: ${named(suspended)} SUSPENDED, and a suspended WorkSpace cannot `
        + 'be terminated. Resume them first, then delete again (or deploy again: a cleanup is retried by the next update\'s).');
    }
    if (left.length === 0) {
      log(`Fleet ${event.LogicalResourceId}: every WorkSpace this Delete terminates is gone`);
      return { IsComplete: true };
    }
    if (elapsedSeconds !== undefined && elapsedSeconds > timeoutSeconds) {
      throw new Error(`WorkSpace fleet ${event.LogicalResourceId}: ${left.length} WorkSpaces were not terminated within `
        + `${formatSeconds(timeoutSeconds)} (TimeoutSeconds): ${named(left)}. Their termination may still be under way: delete again to wait for it.`);
    }
    if (again.length > 0) {
      const pacer = new Pacer(readRate(event.ResourceProperties), () => deps.now().getTime(), deps.sleep);
      const outcomes = await api.terminateMany(again, pacer, `fleet ${event.LogicalResourceId}`);
      log(`TerminateWorkspaces again for ${again.length}: ${summarize(outcomes)}`);
    }
    log(`Fleet ${event.LogicalResourceId}: ${left.length} WorkSpaces still terminating`);
    return { IsComplete: false };
  } catch (e) {
    if (!isTemporary(e) || (elapsedSeconds !== undefined && elapsedSeconds > timeoutSeconds)) {
      throw e;
    }
    log(`${errorMessage(e)}: temporary, trying again at the next poll`);
    return { IsComplete: false };
  }
}

/** The ids onEvent handed on, or (for a Delete of more than fit) the same selection made again. */
async function terminatingIds(event: WorkspaceIsCompleteEvent, deps: ResolvedDeps, id: FleetId): Promise<string[]> {
  const handed = event.Data?.Terminating;
  if (typeof handed === 'string') {
    return handed === '' ? [] : handed.split(',');
  }
  const reader = readerOf(event, true);
  const users = new Set(readFleetUserNames(event.ResourceProperties).map(lower));
  const reads = new Pacer(TAG_READS_PER_SECOND, () => deps.now().getTime(), deps.sleep);
  const listing = (await deps.api.listDirectory(id.directoryId)).filter((w) => users.has(lower(w.UserName ?? '')));
  const members = await observeMembers(deps.api, listing, [...users], reader, id.lifetime, reads);
  const kind = kindOfData(event.Data);
  return members.filter((m) => removalOf(kind, id, m) === 'terminate').map((m) => m.workspace.WorkspaceId!);
}

function named(workspaces: readonly Workspace[]): string {
  const list = workspaces.slice(0, MAX_NAMED).map((w) => `${w.WorkspaceId} (user "${w.UserName}", ${w.State})`).join(', ');
  const more = workspaces.length > MAX_NAMED ? ` and ${workspaces.length - MAX_NAMED} more` : '';
  return `${list}${more}${workspaces.length === 1 ? ' is' : ' are'}`;
}
