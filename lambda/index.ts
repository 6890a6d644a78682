// The entry points of the stack's WorkSpaces Provider: one bundle, two exported handlers
// (`index.onEvent` and `index.isComplete`), both routed by ResourceType.
import { IsCompleteResult, OnEventResult, WorkspaceIsCompleteEvent, WorkspaceResourceEvent } from './core/contract';
import * as router from './router';

/** The onEvent handler of the stack's WorkSpaces Provider. */
export const onEvent = (
  event: WorkspaceResourceEvent,
  context?: { getRemainingTimeInMillis?: () => number },
): Promise<OnEventResult> => {
  const remaining = context?.getRemainingTimeInMillis?.bind(context);
  return router.onEvent(event, remaining ? { remainingMs: remaining } : {});
};

/** The isComplete handler of the stack's WorkSpaces Provider. */
export const isComplete = (
  event: WorkspaceIsCompleteEvent,
  context?: { getRemainingTimeInMillis?: () => number },
): Promise<IsCompleteResult> => {
  // A poll of a large fleet stops taking steps before the invocation's deadline.
  const remaining = context?.getRemainingTimeInMillis?.bind(context);
  return router.isComplete(event, remaining ? { remainingMs: remaining } : {});
};
