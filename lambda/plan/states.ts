import type { Workspace } from '@aws-sdk/client-workspaces';

// What a WorkSpace's state says about what can be done with it now.

/** States in which a WorkSpace accepts ModifyWorkspaceProperties. */
export const SETTLED_STATES: ReadonlySet<string> = new Set(['AVAILABLE', 'STOPPED']);
/** States from which a WorkSpace will not come back without someone's help. */
export const DEAD_END_STATES: ReadonlySet<string> = new Set(['ERROR', 'TERMINATING', 'TERMINATED', 'SUSPENDED']);
/** States of a WorkSpace that is going away: nothing declared can be reached any more. */
export const GONE_STATES: ReadonlySet<string> = new Set(['TERMINATING', 'TERMINATED']);
/**
 * States in which the service is still building or changing the WorkSpace, so what
 * DescribeWorkspaces shows is not yet what it will be (the old values while UPDATING).
 */
export const IN_FLIGHT_STATES: ReadonlySet<string> = new Set(['PENDING', 'UPDATING']);
/**
 * States that do not change by themselves: a refusal the service gives in one of these comes
 * again at every poll, so it is reported at once rather than waited out.
 */
export const STEADY_STATES: ReadonlySet<string> = new Set(['AVAILABLE', 'STOPPED', 'ERROR', 'SUSPENDED']);

/** Whether a WorkSpace in this state is ready for the next change. */
export function isSettled(workspace: Workspace | undefined): boolean {
  return workspace !== undefined
    && SETTLED_STATES.has(workspace.State ?? '')
    && (workspace.ModificationStates ?? []).length === 0;
}

/**
 * Whether planReconcile needs the WorkSpace's tags to decide: always, except while there is
 * nothing to compare yet (not visible, going away, or a new WorkSpace still being built).
 */
export function needsTags(workspace: Workspace | undefined, newWorkspace: boolean): boolean {
  if (workspace === undefined || GONE_STATES.has(workspace.State ?? '')) {
    return false;
  }
  return newWorkspace ? isSettled(workspace) : !isInFlight(workspace);
}

/**
 * Whether a refusal of a step (InvalidResourceStateException), seen on this WorkSpace as
 * DescribeWorkspaces shows it right after the refusal, will come again: the WorkSpace is in a
 * state that does not change by itself and nothing is being changed on it.
 */
export function refusalPersists(workspace: Workspace | undefined): boolean {
  return workspace !== undefined
    && STEADY_STATES.has(workspace.State ?? '')
    && (workspace.ModificationStates ?? []).length === 0;
}

export function isInFlight(workspace: Workspace): boolean {
  return IN_FLIGHT_STATES.has(workspace.State ?? '') || (workspace.ModificationStates ?? []).length > 0;
}

export function modificationNote(workspace: Workspace): string {
  const changes = (workspace.ModificationStates ?? []).map((m) => `${m.Resource} ${m.State}`);
  return changes.length > 0 ? ` (${changes.join(', ')})` : '';
}

export function lastState(workspace: Workspace | undefined): string {
  if (workspace === undefined) {
    return 'not visible (DescribeWorkspaces did not return it)';
  }
  return `${workspace.State ?? 'UNKNOWN'}${modificationNote(workspace)}`;
}
