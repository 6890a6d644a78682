import { isComplete, IsCompleteResult, WorkspaceIsCompleteEvent } from './resources/workspace/handler';

/** The isComplete handler of the stack's WorkSpaces Provider. */
export const handler = (event: WorkspaceIsCompleteEvent): Promise<IsCompleteResult> => isComplete(event);
