import { isComplete, IsCompleteResult, WorkspaceIsCompleteEvent } from './handler';

/** The isComplete handler of the stack's WorkSpaces Provider. */
export const handler = (
  event: WorkspaceIsCompleteEvent,
  context?: { getRemainingTimeInMillis?: () => number },
): Promise<IsCompleteResult> => {
  // A poll of a large fleet stops taking steps before the invocation's deadline.
  const remaining = context?.getRemainingTimeInMillis?.bind(context);
  return isComplete(event, remaining ? { remainingMs: remaining } : {});
};
