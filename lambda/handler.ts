import type { Workspace } from '@aws-sdk/client-workspaces';
import { ALIAS_ASSOCIATION_RESOURCE_TYPE, aliasAssociationIsComplete, aliasAssociationOnEvent } from './alias-association';
import { DIRECTORY_RESOURCE_TYPE, directoryIsComplete, directoryOnEvent } from './directory';
import { fleetIsComplete, fleetOnEvent } from './fleet';
import { FLEET_RESOURCE_TYPE } from './fleet-properties';
import { LOOKUP_RESOURCE_TYPE, onLookupEvent } from './lookup';
import { describeOwner, ownershipMarking, parseOwnership, Reader, relationOf } from './ownership';
import {
  afterTimeout,
  ConnectionObservation,
  creationRequest,
  describeStep,
  formatSeconds,
  needsTags,
  planDelete,
  planReconcile,
  refusalPersists,
  Step,
} from './plan';
import { preflight } from './preflight';
import { STANDBY_RESOURCE_TYPE, standbyIsComplete, standbyOnEvent } from './standby';
import {
  DesiredWorkspace,
  parseProperties,
  previousTagKeys,
  readTimeoutSeconds,
  removedWorkspaceProperties,
  replacementChanges,
  withBundleId,
} from './properties';
import {
  errorText,
  FailedRequestError,
  getDefaultApi,
  ON_EVENT_MAX_ATTEMPTS,
  isRateLimitRefusal,
  isRetryLater,
  isStateRefusal,
  isTemporary,
  RESOURCE_EXISTS_CODE,
  sdkErrorOf,
  WorkspacesApi,
} from './workspaces-api';
import { OWNERSHIP_TAG_KEY, WORKSPACE_ID_PATTERN } from '../src/private/rules';

/** The custom resource event, as the Provider framework passes it to onEvent. */
export interface WorkspaceResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly StackId: string;
  readonly LogicalResourceId: string;
  readonly RequestId?: string;
  readonly ResourceType?: string;
  readonly ResponseURL?: string;
  readonly ServiceToken?: string;
  /** Absent on Create. */
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
  /** Present on Update only. */
  readonly OldResourceProperties?: Record<string, unknown>;
}

/** The event isComplete receives: the onEvent event with onEvent's result merged in. */
export interface WorkspaceIsCompleteEvent extends WorkspaceResourceEvent {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, unknown>;
}

export interface OnEventResult {
  readonly PhysicalResourceId: string;
  /**
   * When the request started, so that every poll can enforce the resource's timeout (and, for a
   * fleet, what its onEvent found: see lambda/fleet.ts).
   */
  readonly Data: { readonly StartedAt: string; readonly [key: string]: string };
}

export interface IsCompleteResult {
  readonly IsComplete: boolean;
  /** Only with IsComplete true: the framework fails a resource that returns Data otherwise. */
  readonly Data?: WorkspaceAttributes | Record<string, string>;
}

/** What the construct exposes with GetAtt. Never absent, so that a GetAtt never fails. */
export interface WorkspaceAttributes {
  readonly WorkspaceId: string;
  readonly IpAddress: string;
  readonly ComputerName: string;
  readonly SubnetId: string;
  readonly State: string;
  /** The WorkSpace's bundle: for a bundle declared by name, the id it resolved to. */
  readonly BundleId: string;
}

/** What the handler needs from outside; the defaults are those of a Lambda container. */
export interface HandlerDeps {
  readonly api?: WorkspacesApi;
  readonly now?: () => Date;
  readonly log?: (message: string) => void;
  /** Waits this many milliseconds. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The milliseconds left before the Lambda invocation times out (the context's getRemainingTimeInMillis). */
  readonly remainingMs?: () => number;
}

/**
 * How long onEvent waits, in turn, before it looks again for a WorkSpace that CreateWorkspaces
 * says exists but DescribeWorkspaces does not show yet: 90 seconds in all, at most.
 */
export const LOOK_AGAIN_DELAYS_MS: readonly number[] = [1_000, 2_000, 4_000, 8_000, 15_000, 30_000, 30_000];
/** Time that onEvent keeps in reserve for its last calls and its answer (its Lambda timeout is 5 minutes). */
const RESERVE_MS = 60_000;

/** HandlerDeps resolved for one invocation, with what the invocation had left when it began. */
export type ResolvedDeps = Required<HandlerDeps> & { readonly startRemainingMs: number };

/**
 * The last refusal the service gave each request (by stack, resource, request and WorkSpace),
 * for the message of a later timeout. The event is the same at every poll and a WorkSpace's
 * tags are the user's, so the only place for it is the container: a warm isComplete container
 * (polled every 30 seconds) keeps it; a new one has none, and the message then has none. No
 * decision depends on it: a refusal that persists is recognised within the poll that got it.
 */
export const lastRefusals = new Map<string, string>();
const MAX_REMEMBERED_REFUSALS = 100;

export function rememberRefusal(key: string, refusal: string): void {
  lastRefusals.delete(key);
  lastRefusals.set(key, refusal);
  if (lastRefusals.size > MAX_REMEMBERED_REFUSALS) {
    lastRefusals.delete(lastRefusals.keys().next().value!);
  }
}

/**
 * onEvent: starts the request and returns the WorkSpace id. Create and replacement request a
 * WorkSpace (or adopt the one an earlier attempt requested); Delete requests termination; an
 * in-place Update does nothing here, since isComplete reconciles.
 */
export async function onEvent(event: WorkspaceResourceEvent, deps: HandlerDeps = {}): Promise<OnEventResult> {
  const resolved = resolveDeps(deps, ON_EVENT_MAX_ATTEMPTS);
  const { api, now, log } = resolved;
  log(`onEvent: ${JSON.stringify(redact(event))}`);
  const startedAt = now().toISOString();
  if (event.ResourceType === LOOKUP_RESOURCE_TYPE) {
    // Read-only: never routed to what creates or terminates (its Delete does nothing).
    const found = await onLookupEvent(api, event.RequestType, event.ResourceProperties, event.PhysicalResourceId);
    return { PhysicalResourceId: found.PhysicalResourceId, Data: { StartedAt: startedAt, ...found.Data } };
  }

  let physicalResourceId: string;
  try {
    // One provider serves both resource types: a fleet's request is one request for many WorkSpaces.
    if (event.ResourceType === FLEET_RESOURCE_TYPE) {
      return await fleetOnEvent(event, resolved, startedAt);
    }
    if (event.ResourceType === DIRECTORY_RESOURCE_TYPE) {
      return { PhysicalResourceId: await directoryOnEvent(api, event, log), Data: { StartedAt: startedAt } };
    }
    if (event.ResourceType === ALIAS_ASSOCIATION_RESOURCE_TYPE) {
      return { PhysicalResourceId: await aliasAssociationOnEvent(api, event, log), Data: { StartedAt: startedAt } };
    }
    // A standby's Delete is a Workspace's (below): the same ownership rules terminate or release it.
    if (event.ResourceType === STANDBY_RESOURCE_TYPE && event.RequestType !== 'Delete') {
      return { PhysicalResourceId: await standbyOnEvent(api, event, log), Data: { StartedAt: startedAt } };
    }
    switch (event.RequestType) {
      case 'Create': {
        const desired = parseProperties(event.ResourceProperties);
        physicalResourceId = await createOrAdopt(resolved, desired, readerOf(event));
        break;
      }
      case 'Update': {
        const current = requirePhysicalResourceId(event);
        const desired = parseProperties(event.ResourceProperties);
        const changes = replacementChanges(desired, event.OldResourceProperties);
        if (changes.length === 0) {
          physicalResourceId = current;
          log(`Update of ${current} is in place; isComplete applies the changes`);
          break;
        }
        if (!needsNewWorkspace(changes)) {
          // The same user in the same directory cannot get a second WorkSpace. But this may be
          // CloudFormation rolling back a refused change (an Update with the old and the new
          // properties swapped): then the WorkSpace already is what the template asks for, and
          // the update is in place. isComplete decides the same way (needsNewWorkspace). A
          // bundle named by name is compared by the id it names now.
          const workspace = await api.describe(current);
          const withBundle = workspace !== undefined && changesBundle(changes) ? await resolvedDesired(api, desired) : desired;
          if (workspace === undefined || !hasImmutableSettings(workspace, withBundle)) {
            throw new Error(sameUserReplacementMessage(current, desired, changes));
          }
          physicalResourceId = current;
          log(`Update of ${current} is in place: the WorkSpace already has the ${changes.join(', ')} asked for `
            + '(a rollback to what it is); isComplete applies the other changes');
          break;
        }
        log(`Update of ${current} needs a new WorkSpace (${changes.join(', ')} changed)`);
        physicalResourceId = await createOrAdopt(resolved, desired, readerOf(event), current);
        break;
      }
      case 'Delete': {
        physicalResourceId = requirePhysicalResourceId(event);
        await startDelete(api, physicalResourceId, event, log);
        break;
      }
      default:
        throw new Error(`Unknown RequestType ${JSON.stringify((event as { RequestType: unknown }).RequestType)}`);
    }
  } catch (e) {
    // CloudFormation retries nothing: a temporary error that outlasted the SDK's retries fails
    // the request, but says so (the message already names the call and the WorkSpace or user).
    if (isTemporary(e)) {
      throw new Error(`${(e as Error).message}. This error is temporary (throttling or a service-side failure) and outlasted `
        + 'the SDK\'s own retries. Try the deployment again.');
    }
    throw e;
  }
  return { PhysicalResourceId: physicalResourceId, Data: { StartedAt: startedAt } };
}

/**
 * Whether a change of these replacement properties needs a new WorkSpace. Without a change of
 * user or directory it cannot have one (one WorkSpace per user per directory): such an Update
 * either is refused by onEvent or, when the WorkSpace already has the settings asked for, is
 * in place. onEvent and isComplete both decide with this.
 */
function needsNewWorkspace(changes: readonly string[]): boolean {
  return changes.includes('DirectoryId') || changes.includes('UserName');
}

/** Whether the WorkSpace has the settings that only a new WorkSpace could change. */
function hasImmutableSettings(workspace: Workspace, desired: DesiredWorkspace): boolean {
  return workspace.DirectoryId === desired.directoryId
    // The service compares user names without regard to case.
    && (workspace.UserName ?? '').toLowerCase() === desired.userName.toLowerCase()
    && workspace.BundleId === desired.bundleId
    && (workspace.RootVolumeEncryptionEnabled ?? false) === desired.rootVolumeEncryptionEnabled
    && (workspace.UserVolumeEncryptionEnabled ?? false) === desired.userVolumeEncryptionEnabled
    && (workspace.VolumeEncryptionKey || undefined) === desired.volumeEncryptionKey;
}

/**
 * isComplete: observes the WorkSpace, and either reports it done, waits, takes the one next
 * step towards the desired state, or fails with what went wrong.
 */
export async function isComplete(event: WorkspaceIsCompleteEvent, deps: HandlerDeps = {}): Promise<IsCompleteResult> {
  const resolved = resolveDeps(deps);
  const { api, now, log } = resolved;
  log(`isComplete: ${JSON.stringify(redact(event))}`);
  if (event.ResourceType === LOOKUP_RESOURCE_TYPE) {
    // onEvent found it; the framework hands onEvent's Data on as the attributes.
    return { IsComplete: true };
  }
  if (event.ResourceType === FLEET_RESOURCE_TYPE) {
    return fleetIsComplete(event, resolved);
  }
  if (event.ResourceType === DIRECTORY_RESOURCE_TYPE) {
    return directoryIsComplete(api, event, secondsSince(event.Data?.StartedAt, now(), log), log);
  }
  if (event.ResourceType === ALIAS_ASSOCIATION_RESOURCE_TYPE) {
    return aliasAssociationIsComplete(api, event, secondsSince(event.Data?.StartedAt, now(), log), log);
  }
  if (event.ResourceType === STANDBY_RESOURCE_TYPE && event.RequestType !== 'Delete') {
    return standbyIsComplete(api, event, secondsSince(event.Data?.StartedAt, now(), log), log);
  }
  const workspaceId = event.PhysicalResourceId;
  const elapsedSeconds = secondsSince(event.Data?.StartedAt, now(), log);

  if (event.RequestType === 'Delete') {
    return isDeleteComplete(api, event, elapsedSeconds, log);
  }

  const declared = parseProperties(event.ResourceProperties);
  // A new WorkSpace (a Create, or an Update that changed user or directory) or one changed in
  // place: the same decision as onEvent's, from the same properties.
  const replaced = event.RequestType === 'Create' || needsNewWorkspace(replacementChanges(declared, event.OldResourceProperties));
  const refusalKey = [event.StackId, event.LogicalResourceId, event.RequestId ?? '', workspaceId].join('|');
  try {
    const workspace = await api.describe(workspaceId);
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

/**
 * The desired state with the service's default for each WorkspaceProperties setting that the
 * previous deployment declared and this one removed: the bundle's compute type (removing
 * `computeType` must stop paying for the larger one). Volumes and protocols have no such
 * default to go back to (a volume cannot shrink; a protocol stays as it is), so they stay.
 */
export async function withRemovedDefaults(
  api: WorkspacesApi,
  workspace: Workspace | undefined,
  desired: DesiredWorkspace,
  oldProperties: unknown,
  log: (message: string) => void,
): Promise<DesiredWorkspace> {
  if (!removedWorkspaceProperties(desired, oldProperties).includes('ComputeTypeName')) {
    return desired;
  }
  // The WorkSpace's own bundle: a bundle declared by name has its id only there.
  const bundleId = workspace?.BundleId ?? desired.bundleId;
  const computeTypeName = bundleId === undefined ? undefined : await api.bundleComputeType(bundleId);
  if (computeTypeName === undefined) {
    log(`computeType was removed, but bundle ${bundleId} is not described: the compute type stays as it is`);
    return desired;
  }
  log(`computeType was removed: the WorkSpace goes back to its bundle's compute type, ${computeTypeName}`);
  return { ...desired, properties: { ...desired.properties, computeTypeName } };
}

/**
 * A poll whose call failed with a temporary error (throttling, a 5xx) that outlasted the SDK's
 * own retries: nothing is lost, since every poll observes again, so the next poll tries again.
 * The resource's timeout still bounds it. Any other error fails the request.
 */
function tryAtNextPoll(error: unknown, context: {
  readonly log: (message: string) => void;
  readonly elapsedSeconds: number | undefined;
  readonly timeoutSeconds: number;
  readonly timeoutMessage: string;
}): IsCompleteResult {
  if (!isTemporary(error)) {
    throw error;
  }
  if (context.elapsedSeconds !== undefined && context.elapsedSeconds > context.timeoutSeconds) {
    throw new Error(context.timeoutMessage);
  }
  context.log(`${errorMessage(error)}: temporary, trying again at the next poll`);
  return { IsComplete: false };
}

async function isDeleteComplete(
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
        // released it (adopted) or left it alone (not this resource's).
        const verdict = deleteVerdict(event, (await api.tags(workspaceId))[OWNERSHIP_TAG_KEY]);
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

/**
 * Requests a WorkSpace, unless an earlier attempt of this same request already did, or takes
 * over the user's existing one when `adoptExisting` allows it.
 */
async function createOrAdopt(deps: ResolvedDeps, declared: DesiredWorkspace, reader: Reader, currentId?: string): Promise<string> {
  const { api, log } = deps;
  // Before anything else: a directory that is not registered, or a bundle that is not there or
  // does not fit, fails here in seconds, with nothing created or changed.
  const desired = await resolvedDesired(api, declared);
  if (declared.bundle.bundleName !== undefined) {
    log(`Bundle ${JSON.stringify(declared.bundle.bundleName)} is ${desired.bundleId}`);
  }
  const users = await api.findByUser(desired.directoryId, desired.userName);
  const taken = await takeExisting(api, desired, reader, users, log, currentId);
  if (taken !== undefined) {
    return taken;
  }
  let workspaceId: string;
  try {
    workspaceId = await api.create(creationRequest(desired, ownershipMarking(reader.stackId, reader.logicalResourceId, reader.requestId, 'created')));
  } catch (e) {
    const exists = e instanceof FailedRequestError && e.errorCode === RESOURCE_EXISTS_CODE;
    if (!exists && !isTemporary(e)) {
      throw e;
    }
    // CreateWorkspaces has no idempotency token, so it must never be sent twice for one
    // request; the only link between this request and a WorkSpace an earlier attempt of it
    // requested is the ownership tag (which names the request), and a new WorkSpace is
    // invisible to DescribeWorkspaces for a short while (as the API documents). So when the
    // service says the user already has a WorkSpace that the lookup above did not see (an
    // earlier invocation of this same request asked for it moments ago), or when
    // CreateWorkspaces failed in a way that leaves open whether it created one (a temporary
    // error after the SDK's retries), look again for a bounded time, here, where the id can
    // still become the PhysicalResourceId: once onEvent has failed without an id, the
    // rollback's Delete has nothing to terminate and the WorkSpace would be left behind.
    const found = await lookAgain(deps, desired, reader);
    if (found !== undefined) {
      return found;
    }
    if (exists) {
      throw new Error(`CreateWorkspaces answered ${RESOURCE_EXISTS_CODE}: user "${desired.userName}" already has a WorkSpace in `
        + `directory ${desired.directoryId}, but DescribeWorkspaces does not show it yet (a WorkSpace requested moments ago, `
        + 'perhaps by an earlier attempt of this same deployment, is invisible for a while). No WorkSpace was created. '
        + 'Look at it in a few minutes: if its ownership tag names this resource, deploy again with adoptExisting: true '
        + 'to take it over, or terminate it.');
    }
    throw e;
  }
  log(`Requested ${workspaceId}`);
  return workspaceId;
}

/**
 * The pre-flight (Describe calls only): the directory is registered, the bundle exists and the
 * declared properties fit it. Returns the desired state with the bundle's id.
 */
async function resolvedDesired(api: WorkspacesApi, desired: DesiredWorkspace): Promise<DesiredWorkspace> {
  const { bundleId } = await preflight(api, {
    directoryId: desired.directoryId,
    bundle: desired.bundle,
    workspaces: [{ userName: desired.userName, properties: desired.properties }],
  });
  return withBundleId(desired, bundleId);
}

function changesBundle(changes: readonly string[]): boolean {
  return changes.includes('BundleId') || changes.includes('BundleName');
}

/**
 * Looks for the user's WorkSpace a few times, waiting in between, within the invocation's time.
 * The budget counts the calls as well as the waits: under throttling one DescribeWorkspaces
 * (with the SDK's retries) takes as long as the longest wait, so each look is expected to take
 * as long as the slowest one so far (at first: all the calls this invocation made before), and
 * is made only when it ends with RESERVE_MS left for the answer.
 */
async function lookAgain(deps: ResolvedDeps, desired: DesiredWorkspace, reader: Reader): Promise<string | undefined> {
  const { api, log, sleep, remainingMs } = deps;
  let lookMs = Math.max(0, deps.startRemainingMs - remainingMs());
  for (const delay of LOOK_AGAIN_DELAYS_MS) {
    if (remainingMs() - delay - lookMs < RESERVE_MS) {
      log(`Not looking again: ${remainingMs()} ms left, and a wait of ${delay} ms and a look of about ${lookMs} ms `
        + `would leave less than ${RESERVE_MS} ms to answer`);
      break;
    }
    log(`The WorkSpace of user "${desired.userName}" in directory ${desired.directoryId} may exist but is not visible: `
      + `looking again in ${delay} ms`);
    await sleep(delay);
    const lookStart = remainingMs();
    let found: Workspace[];
    try {
      found = await api.findByUser(desired.directoryId, desired.userName);
    } catch (e) {
      if (!isTemporary(e)) {
        throw e;
      }
      lookMs = Math.max(lookMs, lookStart - remainingMs());
      log(`${errorMessage(e)}: temporary, looking again`);
      continue;
    }
    const taken = await takeExisting(api, desired, reader, found, log);
    if (taken !== undefined) {
      return taken;
    }
    lookMs = Math.max(lookMs, lookStart - remainingMs());
  }
  return undefined;
}

/** States from which an adopted WorkSpace could not reach the declared state. */
const NOT_ADOPTABLE_STATES: ReadonlySet<string> = new Set(['ERROR', 'SUSPENDED', 'TERMINATING', 'TERMINATED']);

/**
 * The id of the user's WorkSpace among these when this resource may take it: an earlier attempt
 * of this same request created or adopted it, or `adoptExisting` is set and it is unmarked or
 * left behind by an earlier lifetime of this resource, with the declared immutable settings (it
 * is then marked as adopted by this request). Undefined when the user has no WorkSpace here.
 *
 * @throws Error, before any change, when the user has a WorkSpace that this resource may not take
 */
export async function takeExisting(
  api: WorkspacesApi,
  desired: DesiredWorkspace,
  reader: Reader,
  found: readonly Workspace[],
  log: (message: string) => void,
  currentId?: string,
): Promise<string | undefined> {
  const existing = found.filter((w) => w.State !== 'TERMINATED' && w.WorkspaceId !== undefined);
  for (const workspace of existing) {
    const workspaceId = workspace.WorkspaceId!;
    const marking = (await api.tags(workspaceId))[OWNERSHIP_TAG_KEY];
    const where = `WorkSpace ${workspaceId} of user "${desired.userName}" in directory ${desired.directoryId}`;
    const owner = describeOwner(reader, marking);
    const relation = relationOf(reader, marking);
    if (relation === 'this-request') {
      if (workspace.State === 'TERMINATING') {
        throw new Error(`${where} is still being terminated. A user can have only one WorkSpace per directory: `
          + 'deploy again once it is gone.');
      }
      log(`Adopting ${workspaceId}: an earlier attempt of this same request ${parseOwnership(marking)!.kind} it`);
      return workspaceId;
    }
    if (relation === 'earlier-lifetime' && workspaceId === currentId) {
      // An Update back to the WorkSpace the resource has now: CloudFormation's rollback of a
      // failed replacement, whose new WorkSpace was never made or taken.
      log(`${workspaceId} is this resource's current WorkSpace: the update goes back to it, changing nothing of its ownership`);
      return workspaceId;
    }
    if (relation === 'other-resource' || relation === 'other-stack') {
      throw new Error(`${where} already exists and is managed by ${owner}, not by this resource. A user can have only one `
        + 'WorkSpace per directory, so no WorkSpace was created and nothing was changed. A WorkSpace that another '
        + 'cdk-workspaces resource manages is never taken over, not even with adoptExisting. If that resource is gone (removed '
        + `from its stack, or its stack deleted, keeping the WorkSpace), remove the WorkSpace's ${OWNERSHIP_TAG_KEY} tag, then `
        + 'deploy again with adoptExisting: true; otherwise use another user or directory.');
    }
    if (desired.adoptExisting !== true) {
      throw new Error(`${where} already exists and is managed by ${owner}. A user can have only one WorkSpace per `
        + 'directory, so no WorkSpace was created and nothing was changed. To bring this WorkSpace under this stack, '
        + 'set adoptExisting: true on the Workspace (its bundle and volume encryption must be the declared ones); '
        + 'otherwise use another user or directory, or terminate the existing WorkSpace first.');
    }
    const differences = immutableDifferences(workspace, desired);
    if (differences.length > 0) {
      throw new Error(`Cannot adopt ${where} (adoptExisting): ${differences.join('; ')}. These settings can only be chosen `
        + 'when a WorkSpace is created, so nothing was changed. Declare the WorkSpace\'s own settings, or terminate it '
        + 'and let this stack create a new one.');
    }
    if (NOT_ADOPTABLE_STATES.has(workspace.State ?? '')) {
      throw new Error(`Cannot adopt ${where} (adoptExisting): it is ${workspace.State}, and could not be brought to the `
        + 'declared state. Nothing was changed.');
    }
    await api.createTags(workspaceId, [{
      Key: OWNERSHIP_TAG_KEY,
      Value: ownershipMarking(reader.stackId, reader.logicalResourceId, reader.requestId, 'adopted'),
    }]);
    log(`Adopted ${workspaceId} (adoptExisting; it was managed by ${owner}): isComplete brings it to the declared `
      + 'properties and tags; a rollback of this request releases it and never terminates it');
    return workspaceId;
  }
  return undefined;
}

/** Each setting that only a new WorkSpace could change and that differs, as "bundle is X, declared Y". */
function immutableDifferences(workspace: Workspace, desired: DesiredWorkspace): string[] {
  const differences: string[] = [];
  const differ = (what: string, have: unknown, want: unknown) => {
    if (have !== want) {
      const show = (v: unknown) => (v === undefined ? 'none' : JSON.stringify(v));
      differences.push(`its ${what} is ${show(have)}, declared ${show(want)}`);
    }
  };
  differ('bundle', workspace.BundleId, desired.bundleId);
  differ('root volume encryption', workspace.RootVolumeEncryptionEnabled ?? false, desired.rootVolumeEncryptionEnabled);
  differ('user volume encryption', workspace.UserVolumeEncryptionEnabled ?? false, desired.userVolumeEncryptionEnabled);
  differ('volume encryption key', workspace.VolumeEncryptionKey || undefined, desired.volumeEncryptionKey);
  return differences;
}

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

async function startDelete(
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
  if (workspace === undefined) {
    // Only a WorkSpace that a request has just created is invisible: this resource's own.
    await terminateUnseen(api, workspaceId, log);
    return;
  }
  if (workspace.State !== 'TERMINATED') {
    const verdict = deleteVerdict(event, (await api.tags(workspaceId))[OWNERSHIP_TAG_KEY]);
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

async function takeStep(
  api: WorkspacesApi,
  workspaceId: string,
  step: Step,
  log: (message: string) => void,
  context: { readonly refusalKey: string; readonly newWorkspace: boolean },
): Promise<void> {
  const what = describeStep(step);
  log(`${workspaceId}: ${what}`);
  try {
    switch (step.kind) {
      case 'deleteTags':
        return await api.deleteTags(workspaceId, step.keys);
      case 'createTags':
        return await api.createTags(workspaceId, step.tags);
      case 'modifyProperties':
        return await api.modifyProperties(workspaceId, step.properties);
    }
  } catch (e) {
    if (isRetryLater(e)) {
      const refusal = errorText(sdkErrorOf(e));
      rememberRefusal(context.refusalKey, `${what}: ${refusal}`);
      if (isStateRefusal(e)) {
        // The event is the same at every poll, so "the same refusal at the next poll" is
        // observed here instead: a WorkSpace that is still in a state that does not change by
        // itself right after refusing will refuse again at every poll until the timeout. A
        // refusal that names one of the service's limits on how often a WorkSpace may change
        // lasts hours or days, whatever the state.
        const after = await api.describe(workspaceId);
        const rateLimit = isRateLimitRefusal(e);
        if (rateLimit || refusalPersists(after)) {
          throw new Error(refusedMessage(workspaceId, after?.State ?? 'not described', what, refusal, rateLimit, context.newWorkspace));
        }
      }
      log(`${workspaceId}: ${what} must wait: ${refusal}`);
      return;
    }
    if (isTemporary(e)) {
      // isComplete tries again at the next poll, within the timeout.
      throw e;
    }
    throw new Error(`${what} failed for WorkSpace ${workspaceId}: ${errorText(sdkErrorOf(e))}`);
  }
}

function refusedMessage(workspaceId: string, state: string, what: string, refusal: string, rateLimit: boolean, newWorkspace: boolean): string {
  const advice = rateLimit
    ? 'This is the service\'s limit on how often a WorkSpace may be changed (a larger compute type once in 6 hours, a smaller '
      + 'one once in 30 days, volumes once in 6 hours): deploy this change again once that time has passed, or declare what the '
      + 'WorkSpace has now.'
    : state === 'AVAILABLE' || state === 'STOPPED'
      ? `The WorkSpace is ${state} with nothing under way, so the service would refuse again at every poll: resolve what the `
        + 'message names (or declare what the WorkSpace has now), then deploy again.'
      : `The WorkSpace stays ${state} unless someone acts, so the service would refuse again at every poll: bring it to `
        + 'AVAILABLE or STOPPED, then deploy again.';
  return `${what} was refused for WorkSpace ${workspaceId}, which is ${state}: ${endSentence(refusal)} ${advice} ${afterTimeout(newWorkspace)}`;
}

function sameUserReplacementMessage(workspaceId: string, desired: DesiredWorkspace, changes: readonly string[]): string {
  const changed = changes.join(' and ');
  const bundleHint = changesBundle(changes)
    ? ' To move this user to another bundle and keep the user volume, use the service\'s MigrateWorkspace outside CloudFormation.'
    : '';
  return `Cannot change ${changed} of WorkSpace ${workspaceId} (user "${desired.userName}" in directory ${desired.directoryId}): `
    + `a change of ${changed} needs a new WorkSpace, and a user can have only one WorkSpace per directory. Nothing was changed. `
    + 'Either change UserName or DirectoryId as well, or remove the Workspace from the app and deploy '
    + '(this terminates it when its removal policy is DESTROY), then add it back with the new settings.'
    + bundleHint;
}

export function attributesOf(workspaceId: string, workspace: Workspace | undefined): WorkspaceAttributes {
  return {
    WorkspaceId: workspace?.WorkspaceId ?? workspaceId,
    IpAddress: workspace?.IpAddress ?? '',
    ComputerName: workspace?.ComputerName ?? '',
    SubnetId: workspace?.SubnetId ?? '',
    State: workspace?.State ?? '',
    BundleId: workspace?.BundleId ?? '',
  };
}

/**
 * The resource and request an event is for. A Delete needs no RequestId (it never marks), and
 * a hand-written Create without one could not tell its own retries from an earlier lifetime.
 */
export function readerOf(event: WorkspaceResourceEvent, optionalRequestId = false): Reader {
  if (!event.RequestId && !optionalRequestId) {
    throw new Error(`${event.RequestType} request without a RequestId: the ownership tag of a new WorkSpace names the request`);
  }
  return { stackId: event.StackId, logicalResourceId: event.LogicalResourceId, requestId: event.RequestId ?? '' };
}

export function requirePhysicalResourceId(event: WorkspaceResourceEvent): string {
  if (!event.PhysicalResourceId) {
    throw new Error(`${event.RequestType} request without a PhysicalResourceId`);
  }
  return event.PhysicalResourceId;
}

export function secondsSince(startedAt: unknown, now: Date, log: (message: string) => void): number | undefined {
  const start = typeof startedAt === 'string' ? Date.parse(startedAt) : NaN;
  if (Number.isNaN(start)) {
    log('No valid Data.StartedAt in the event: the timeout is not enforced');
    return undefined;
  }
  return (now.getTime() - start) / 1000;
}

/** The ResponseURL is a presigned URL: anyone holding it can answer for the resource. */
function redact(event: WorkspaceResourceEvent): WorkspaceResourceEvent {
  return event.ResponseURL === undefined ? event : { ...event, ResponseURL: '(hidden)' };
}

/** The service's message as a sentence of ours: one full stop at the end, not two. */
export function endSentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function resolveDeps(deps: HandlerDeps, maxAttempts?: number): ResolvedDeps {
  // Outside Lambda (tests, scripts) there is no invocation deadline: the 5-minute Lambda timeout.
  const remainingMs = deps.remainingMs ?? (() => 300_000);
  return {
    api: deps.api ?? getDefaultApi(maxAttempts),
    now: deps.now ?? (() => new Date()),
    log: deps.log ?? ((message: string) => console.log(message)),
    sleep: deps.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms))),
    remainingMs,
    startRemainingMs: remainingMs(),
  };
}
