import type { Workspace } from '@aws-sdk/client-workspaces';
import { formatSeconds, lastRefusalNote } from './messages';
import { lastState } from './states';

export type DeleteDecision =
  | { readonly kind: 'complete' }
  | { readonly kind: 'wait'; readonly reason: string }
  | { readonly kind: 'terminate' }
  | { readonly kind: 'fail'; readonly message: string };


/** The next thing to do for a Delete. */
export function planDelete(input: {
  readonly workspaceId: string;
  readonly workspace: Workspace | undefined;
  readonly timeoutSeconds: number;
  readonly elapsedSeconds?: number;
  /** The last refusal the service gave this request (for the timeout message), if one is known. */
  readonly lastRefusal?: string;
}): DeleteDecision {
  const { workspaceId, workspace } = input;
  const state = workspace?.State;
  let decision: DeleteDecision;
  if (workspace === undefined || state === 'TERMINATED') {
    decision = { kind: 'complete' };
  } else if (state === 'SUSPENDED') {
    return {
      kind: 'fail',
      message: `WorkSpace ${workspaceId} is SUSPENDED, and a suspended WorkSpace cannot be terminated. `
        + 'Resume it first, then delete again.',
    };
  } else if (state === 'TERMINATING') {
    decision = { kind: 'wait', reason: 'the WorkSpace is TERMINATING' };
  } else {
    decision = { kind: 'terminate' };
  }
  if (decision.kind !== 'complete' && input.elapsedSeconds !== undefined && input.elapsedSeconds > input.timeoutSeconds) {
    return {
      kind: 'fail',
      message: `WorkSpace ${workspaceId} was not terminated within ${formatSeconds(input.timeoutSeconds)} (TimeoutSeconds); `
        + `its last observed state was ${lastState(workspace)}.${lastRefusalNote(input.lastRefusal)} `
        + 'Its termination may still be under way: delete again to wait for it.',
    };
  }
  return decision;
}
