import { onEvent, OnEventResult, WorkspaceResourceEvent } from './handler';

/** The onEvent handler of the stack's WorkSpaces Provider. */
export const handler = (event: WorkspaceResourceEvent): Promise<OnEventResult> => onEvent(event);
