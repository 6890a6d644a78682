// What one poll does with the plan's decision: take the step, or judge the service's refusal.
import {
  errorText,
  isRateLimitRefusal,
  isRetryLater,
  isStateRefusal,
  isTemporary,
  sdkErrorOf,
  WorkspacesApi,
} from '../../api';
import { endSentence, errorMessage, IsCompleteResult } from '../../core/contract';
import { rememberRefusal } from '../../core/refusals';
import { afterTimeout, describeStep, refusalPersists, Step } from '../../plan';

/**
 * A poll whose call failed with a temporary error (throttling, a 5xx) that outlasted the SDK's
 * own retries: nothing is lost, since every poll observes again, so the next poll tries again.
 * The resource's timeout still bounds it. Any other error fails the request.
 */
export function tryAtNextPoll(error: unknown, context: {
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

export async function takeStep(
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
