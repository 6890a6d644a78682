import type { Workspace } from '@aws-sdk/client-workspaces';
import { afterTimeout, formatDuration, formatSeconds, lastRefusalNote } from './messages';
import { DEAD_END_STATES, GONE_STATES, isInFlight, isSettled, lastState, modificationNote } from './states';
import { describeStep, isDisruptive, nextStep, keptAsIs, Step } from './steps';
import type { DesiredWorkspace } from '../parse';

// The plan is pure: given what the template wants and what the service reports, it decides the
// one next thing to do. Progress lives in the service, never in the event, so every poll
// starts again from what it observes.

/**
 * What DescribeWorkspacesConnectionStatus reported for the WorkSpace. Asked only when the next
 * step disconnects the user and the policy is WAIT_FOR_DISCONNECT, once per poll.
 */
export interface ConnectionObservation {
  /** CONNECTED, DISCONNECTED or UNKNOWN; undefined when the service did not report the WorkSpace at all. */
  readonly state?: string;
  /** The service's LastKnownUserConnectionTimestamp: when the user last connected. */
  readonly lastKnownUserConnection?: Date;
  /** When the status was read (the handler's clock), to say how long the user has been connected. */
  readonly observedAt: Date;
}

/** Why a disruptive step waits: the user is (or may be) connected. */
export interface HeldBack {
  readonly userName: string;
  readonly connection: ConnectionObservation;
}

export type Decision =
  /** `kept`: what was declared but left as it is, since the service cannot undo it (a grown volume). */
  | { readonly kind: 'complete'; readonly kept: readonly string[] }
  /**
   * `pending`: the step that waits for the WorkSpace, when one is known; `heldBack`: set when
   * it waits because the user is connected (WAIT_FOR_DISCONNECT).
   */
  | { readonly kind: 'wait'; readonly reason: string; readonly pending?: Step; readonly heldBack?: HeldBack }
  | { readonly kind: 'step'; readonly step: Step }
  /**
   * The next step disconnects the user and the policy is WAIT_FOR_DISCONNECT: read the
   * connection status (one DescribeWorkspacesConnectionStatus) and plan again with it.
   */
  | { readonly kind: 'observeConnection'; readonly step: Step }
  | { readonly kind: 'fail'; readonly message: string };

export interface ReconcileInput {
  readonly workspaceId: string;
  readonly desired: DesiredWorkspace;
  /** Tag keys that the previous deployment declared; only these may be deleted. */
  readonly previousTagKeys: readonly string[];
  /** The WorkSpace as DescribeWorkspaces reports it; undefined when it is not described. */
  readonly workspace: Workspace | undefined;
  /** The WorkSpace's tags; needed once the WorkSpace is settled. */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * The WorkSpace is new, created by this request (a Create, or an Update that replaces it):
   * it is invisible for a while, as the API documents, and CloudFormation's rollback
   * terminates it if this request fails. Otherwise the request changes an existing WorkSpace
   * in place.
   */
  readonly mayBeInvisible: boolean;
  /** Seconds since onEvent started the request; undefined means no timeout is enforced here. */
  readonly elapsedSeconds?: number;
  /** The last refusal the service gave this request (for the timeout message), if one is known. */
  readonly lastRefusal?: string;
  /** The connection status, once an `observeConnection` decision asked for it. */
  readonly connection?: ConnectionObservation;
}

/** The next thing to do for a Create or Update. */
export function planReconcile(input: ReconcileInput): Decision {
  const decision = reconcileIgnoringTime(input);
  // observeConnection is not an answer yet: the plan made with the connection status decides,
  // so that a timeout names the connected user.
  if (decision.kind === 'complete' || decision.kind === 'fail' || decision.kind === 'observeConnection') {
    return decision;
  }
  const timeout = input.desired.timeoutSeconds;
  if (input.elapsedSeconds !== undefined && input.elapsedSeconds > timeout) {
    if (decision.kind === 'wait' && decision.heldBack !== undefined && decision.pending !== undefined) {
      return { kind: 'fail', message: heldBackMessage(input, decision.heldBack, decision.pending) };
    }
    const refusal = lastRefusalNote(input.lastRefusal);
    return {
      kind: 'fail',
      message: `WorkSpace ${input.workspaceId} did not reach the desired state within ${formatSeconds(timeout)} (TimeoutSeconds); `
        + `its last observed state was ${lastState(input.workspace)}${stillToDo(decision)}.`
        + `${refusal} ${afterTimeout(input.mayBeInvisible)}`,
    };
  }
  return decision;
}

/**
 * The timeout of a disruptive step that waited the whole time for the user to disconnect: who,
 * since when, what waited, that nothing disconnected them, and what to do.
 */
function heldBackMessage(input: ReconcileInput, heldBack: HeldBack, step: Step): string {
  const { connection, userName } = heldBack;
  const since = connection.lastKnownUserConnection;
  const how = connection.state === 'CONNECTED'
    ? `user "${userName}" is connected`
    : `the service reports the connection state of user "${userName}" as ${connection.state ?? '(not reported)'}, which counts `
      + 'as connected (it cannot tell that no one is)';
  const howLong = since === undefined
    ? ' (the service gives no LastKnownUserConnectionTimestamp)'
    : `, connected for ${formatDuration((connection.observedAt.getTime() - since.getTime()) / 1000)} (since ${since.toISOString()}, `
      + 'the service\'s LastKnownUserConnectionTimestamp)';
  return `WorkSpace ${input.workspaceId}: ${describeStep(step)} was not made within ${formatSeconds(input.desired.timeoutSeconds)} `
    + `(TimeoutSeconds): it disconnects the user, and ${how}${howLong}. With disruptionPolicy WAIT_FOR_DISCONNECT it waited `
    + 'for them to disconnect; nothing that disconnects the user was done, and the changes that disturb no one are applied. '
    + `Ask "${userName}" to disconnect (or deploy outside their working hours) and deploy again, or set disruptionPolicy to `
    + `DisruptionPolicy.IMMEDIATE to make the change while they are connected. ${afterTimeout(input.mayBeInvisible)}`;
}

/**
 * Whether the connection status says no one can be disturbed. UNKNOWN counts as connected
 * (the service cannot tell, so neither can the plan) except on a STOPPED WorkSpace: the API
 * reference says the service answers UNKNOWN for a stopped WorkSpace, and no one is connected to
 * a stopped desktop. A WorkSpace the service does not report counts as UNKNOWN.
 */
export function userDisconnected(connection: ConnectionObservation, workspace: Workspace): boolean {
  if (connection.state === 'DISCONNECTED') {
    return true;
  }
  return connection.state !== 'CONNECTED' && workspace.State === 'STOPPED';
}

function stillToDo(decision: Decision): string {
  const step = decision.kind === 'step' || decision.kind === 'observeConnection'
    ? decision.step
    : decision.kind === 'wait' ? decision.pending : undefined;
  return step === undefined ? '' : `, with ${describeStep(step)} still to do`;
}

function reconcileIgnoringTime(input: ReconcileInput): Decision {
  const { workspaceId, workspace } = input;
  if (workspace === undefined) {
    if (input.mayBeInvisible) {
      return { kind: 'wait', reason: 'the new WorkSpace is not visible yet' };
    }
    return {
      kind: 'fail',
      message: `WorkSpace ${workspaceId} no longer exists: it was terminated outside this stack. `
        + 'Remove the Workspace from the app and deploy, then add it back to create a new one.',
    };
  }
  const state = workspace.State ?? 'UNKNOWN';
  if (GONE_STATES.has(state)) {
    return { kind: 'fail', message: deadEndMessage(workspaceId, workspace, state) };
  }
  if (input.mayBeInvisible) {
    // A new WorkSpace is done only once its creation is: one in ERROR has failed to be built.
    if (DEAD_END_STATES.has(state)) {
      return { kind: 'fail', message: deadEndMessage(workspaceId, workspace, state) };
    }
    if (!isSettled(workspace)) {
      return { kind: 'wait', reason: `the WorkSpace is ${state}${modificationNote(workspace)}` };
    }
  } else if (isInFlight(workspace)) {
    // Compare only what is final: while UPDATING, DescribeWorkspaces still shows the old values.
    return { kind: 'wait', reason: `the WorkSpace is ${state}${modificationNote(workspace)}` };
  }
  if (input.tags === undefined) {
    throw new Error(`internal error: the tags of WorkSpace ${workspaceId} were not read before planning`);
  }
  // Compare first: a WorkSpace that already has what is declared is complete in any state
  // (ERROR, SUSPENDED, UNHEALTHY ...), so that the rollback of an update that changed nothing
  // completes whatever has become of the WorkSpace meanwhile.
  const step = nextStep(input.desired, input.previousTagKeys, workspace, input.tags);
  if (step === undefined) {
    return { kind: 'complete', kept: keptAsIs(input.desired, workspace) };
  }
  if (step.kind === 'impossible') {
    return { kind: 'fail', message: step.message };
  }
  if (step.kind !== 'modifyProperties' || isSettled(workspace)) {
    if (isDisruptive(step) && input.desired.disruptionPolicy !== 'IMMEDIATE') {
      return holdBackIfConnected(input, workspace, step);
    }
    // Tags are taken in any state the WorkSpace is in; a refusal is judged when it comes.
    return { kind: 'step', step };
  }
  if (DEAD_END_STATES.has(state)) {
    const repair = state === 'ERROR' ? ' Reboot or rebuild it until it is AVAILABLE, then deploy again.' : '';
    return {
      kind: 'fail',
      message: `${deadEndMessage(workspaceId, workspace, state)} ${describeStep(step)} is still to do, and the `
      + `service changes properties only when a WorkSpace is AVAILABLE or STOPPED.${repair}`,
    };
  }
  return {
    kind: 'wait',
    reason: `the WorkSpace is ${state}${modificationNote(workspace)}; ${describeStep(step)} waits for AVAILABLE or STOPPED`,
    pending: step,
  };
}

/** WAIT_FOR_DISCONNECT: a step that disconnects the user is taken only once no one is connected. */
function holdBackIfConnected(input: ReconcileInput, workspace: Workspace, step: Step): Decision {
  const connection = input.connection;
  if (connection === undefined) {
    return { kind: 'observeConnection', step };
  }
  if (userDisconnected(connection, workspace)) {
    return { kind: 'step', step };
  }
  const userName = input.desired.userName;
  const since = connection.lastKnownUserConnection;
  const who = connection.state === 'CONNECTED'
    ? `user "${userName}" is connected${since === undefined ? '' : ` (for ${formatDuration((connection.observedAt.getTime() - since.getTime()) / 1000)})`}`
    : `the connection state of user "${userName}" is ${connection.state ?? 'not reported'} (counts as connected)`;
  return {
    kind: 'wait',
    reason: `${who}; ${describeStep(step)} disconnects the user and waits for them to disconnect (disruptionPolicy WAIT_FOR_DISCONNECT)`,
    pending: step,
    heldBack: { userName, connection },
  };
}

function deadEndMessage(workspaceId: string, workspace: Workspace, state: string): string {
  switch (state) {
    case 'ERROR':
      return `WorkSpace ${workspaceId} is in state ERROR: ${workspace.ErrorCode ?? '(no error code)'}: `
        + `${workspace.ErrorMessage ?? '(no error message)'}`;
    case 'SUSPENDED':
      return `WorkSpace ${workspaceId} is SUSPENDED and cannot be changed. Resume it first, then deploy again.`;
    default:
      return `WorkSpace ${workspaceId} is ${state}: it is being or was terminated outside this stack. `
        + 'Remove the Workspace from the app and deploy, then add it back to create a new one.';
  }
}
