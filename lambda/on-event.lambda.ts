import { onEvent, OnEventResult, WorkspaceResourceEvent } from './resources/workspace/handler';

/** The onEvent handler of the stack's WorkSpaces Provider. */
export const handler = (
  event: WorkspaceResourceEvent,
  context?: { getRemainingTimeInMillis?: () => number },
): Promise<OnEventResult> => {
  const remaining = context?.getRemainingTimeInMillis?.bind(context);
  return onEvent(event, remaining ? { remainingMs: remaining } : {});
};
