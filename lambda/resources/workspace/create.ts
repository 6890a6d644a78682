// Creating a WorkSpace: at most one CreateWorkspaces per request, since the call has no
// idempotency token; an earlier attempt's WorkSpace is found again by its ownership marking.
import type { Workspace } from '@aws-sdk/client-workspaces';
import { resolvedDesired } from './replacement';
import { FailedRequestError, isTemporary, RESOURCE_EXISTS_CODE } from '../../api';
import { errorMessage, LOOK_AGAIN_DELAYS_MS, RESERVE_MS, ResolvedDeps } from '../../core/contract';
import { ownershipMarking, Reader, takeExisting } from '../../core/ownership';
import type { DesiredWorkspace } from '../../parse';
import { creationRequest } from '../../plan';

/**
 * Requests a WorkSpace, unless an earlier attempt of this same request already did, or takes
 * over the user's existing one when `adoptExisting` allows it.
 */
export async function createOrAdopt(deps: ResolvedDeps, declared: DesiredWorkspace, reader: Reader, currentId?: string): Promise<string> {
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
