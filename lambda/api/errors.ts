// Error classification: which failures are temporary (the SDK's own verdict), which mean "the
// WorkSpace is busy, try at the next poll", which are refusals to report.
// The SDK's own error classification (the same functions its retry strategy decides with).
// @smithy/core is a dependency of @aws-sdk/client-workspaces, which requires this very
// submodule, so importing it adds nothing to the bundle.
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';

/**
 * A call to the service that failed (after the SDK's own retries): the message names the call
 * and what it was about; `cause` is the SDK's error, which decides whether it is worth trying
 * again later.
 */
export class WorkspacesCallError extends Error {
  constructor(readonly call: string, readonly target: string, readonly cause: unknown) {
    super(`${call} for ${target} failed: ${errorText(cause)}`);
    this.name = 'WorkspacesCallError';
  }
}

/** A request that the service answered, but refused in its FailedRequests. */
export class FailedRequestError extends Error {
  constructor(message: string, readonly call: string, readonly errorCode: string) {
    super(message);
    this.name = 'FailedRequestError';
  }
}

/** The FailedRequests code of CreateWorkspaces when the user already has a WorkSpace in the directory. */
export const RESOURCE_EXISTS_CODE = 'ResourceExists.WorkSpace';

/**
 * Whether an error means "the WorkSpace is busy with something else": the change is to be
 * tried again at the next poll, not to fail the deployment.
 */
export function isRetryLater(error: unknown): boolean {
  return isBusyCode(errorName(sdkErrorOf(error)));
}

/**
 * Whether an error is one the SDK itself counts as temporary (throttling such as
 * ThrottlingException, TooManyRequestsException or RequestLimitExceeded; HTTP 5xx such as
 * InternalFailure or ServiceUnavailable; timeouts and network errors), and which is left only
 * because the SDK's own retries ran out. The classification is the SDK's, not a list of ours.
 */
export function isTemporary(error: unknown): boolean {
  const e = sdkErrorOf(error);
  if (typeof e !== 'object' || e === null) {
    return false;
  }
  const sdkError = e as Parameters<typeof isTransientError>[0];
  return isThrottlingError(sdkError) || isTransientError(sdkError) || isServerError(sdkError)
    // Some throttling answers carry no known name, only the message.
    || /\bRate exceeded\b/i.test(String((e as { message?: unknown }).message ?? ''));
}

/** Whether the service answered that the WorkSpace (or other resource) named is not there (any more). */
export function isNotFound(error: unknown): boolean {
  return /ResourceNotFound/.test(errorName(sdkErrorOf(error)));
}

/**
 * Tags a WorkSpace that may be gone by now: a migration's original is terminated by the service as
 * soon as the new WorkSpace is AVAILABLE, which can come between a poll's look and its mark. A mark
 * on what is gone has nothing left to say, and the next poll decides from what it then sees.
 */
export async function tagUnlessGone(api: { createTags(id: string, tags: Array<{ Key: string; Value: string }>): Promise<unknown> },
  workspaceId: string, tags: Array<{ Key: string; Value: string }>): Promise<void> {
  try {
    await api.createTags(workspaceId, tags);
  } catch (e) {
    if (!isNotFound(e)) {
      throw e;
    }
  }
}

/** Whether the service refused a step because of the WorkSpace's state (not "busy, try in a moment"). */
export function isStateRefusal(error: unknown): boolean {
  return /InvalidResourceState/.test(errorName(sdkErrorOf(error)));
}

/**
 * Whether a refusal names one of the service's documented limits on how often a WorkSpace may
 * be changed (the administration guide: a larger compute type once in 6 hours, a smaller one
 * once in 30 days, volumes once in 6 hours). Only the advice given with it depends on this:
 * whether a refusal fails the request is decided from the WorkSpace's state (refusalPersists).
 */
export function isRateLimitRefusal(error: unknown): boolean {
  const message = String((sdkErrorOf(error) as { message?: unknown } | undefined)?.message ?? '');
  return /\bonce (?:every|in|per)\b[^.]*\b(?:hours?|days?)\b/i.test(message);
}

/** The SDK's error behind a WorkspacesCallError, or the error itself. */
export function sdkErrorOf(error: unknown): unknown {
  return error instanceof WorkspacesCallError ? error.cause : error;
}

/** An error as "Name: message", for messages and the log. */
export function errorText(e: unknown): string {
  if (e instanceof Error) {
    return `${e.name}: ${e.message}`;
  }
  return String(e);
}

export function isBusyCode(code: string): boolean {
  return /OperationInProgress|InvalidResourceState/.test(code);
}

export function errorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) {
    return '';
  }
  const e = error as { name?: unknown; Code?: unknown; code?: unknown; __type?: unknown };
  return [e.name, e.Code, e.code, e.__type].filter((x) => typeof x === 'string').join(' ');
}
