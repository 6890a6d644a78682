import type { Workspace, WorkspaceProperties, WorkspaceRequest } from '@aws-sdk/client-workspaces';
import type { DesiredWorkspace, WorkspaceTag } from '../parse/properties';
import { OWNERSHIP_TAG_KEY } from '../../src/private/rules';

// The plan is pure: given what the template wants and what the service reports, it decides the
// one next thing to do. Progress lives in the service, never in the event, so every poll
// starts again from what it observes.

/** States in which a WorkSpace accepts ModifyWorkspaceProperties. */
const SETTLED_STATES: ReadonlySet<string> = new Set(['AVAILABLE', 'STOPPED']);
/** States from which a WorkSpace will not come back without someone's help. */
const DEAD_END_STATES: ReadonlySet<string> = new Set(['ERROR', 'TERMINATING', 'TERMINATED', 'SUSPENDED']);
/** States of a WorkSpace that is going away: nothing declared can be reached any more. */
const GONE_STATES: ReadonlySet<string> = new Set(['TERMINATING', 'TERMINATED']);
/**
 * States in which the service is still building or changing the WorkSpace, so what
 * DescribeWorkspaces shows is not yet what it will be (the old values while UPDATING).
 */
const IN_FLIGHT_STATES: ReadonlySet<string> = new Set(['PENDING', 'UPDATING']);
/**
 * States that do not change by themselves: a refusal the service gives in one of these comes
 * again at every poll, so it is reported at once rather than waited out.
 */
const STEADY_STATES: ReadonlySet<string> = new Set(['AVAILABLE', 'STOPPED', 'ERROR', 'SUSPENDED']);

/** One change, made by exactly one API call. */
export type Step =
  | { readonly kind: 'deleteTags'; readonly keys: readonly string[] }
  | { readonly kind: 'createTags'; readonly tags: readonly WorkspaceTag[] }
  | { readonly kind: 'modifyProperties'; readonly setting: PropertySetting; readonly properties: WorkspaceProperties };

/** What ModifyWorkspaceProperties changes, one at a time, in the order they are applied. */
export type PropertySetting = 'RunningMode' | 'Protocols' | 'ComputeTypeName' | 'RootVolumeSizeGib' | 'UserVolumeSizeGib';

/**
 * The settings whose change disconnects the user: a new compute type reboots the WorkSpace on
 * the new hardware (the Administration Guide, "Modify a WorkSpace"), and a protocol change
 * restarts the streaming session on the other protocol (treated as disruptive: nothing says it
 * keeps the session). Tags, the running mode, the auto-stop timeout and volume growth change
 * nothing the connected user sees at the time (see the README's table and its sources).
 */
const DISRUPTIVE_SETTINGS: ReadonlySet<PropertySetting> = new Set<PropertySetting>(['ComputeTypeName', 'Protocols']);

/** Whether this step disconnects the user, so that WAIT_FOR_DISCONNECT holds it back while they are connected. */
export function isDisruptive(step: Step): boolean {
  return step.kind === 'modifyProperties' && DISRUPTIVE_SETTINGS.has(step.setting);
}

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

/** The next step towards the desired state, or why there is none the service would accept. */
export type NextStep = Step | { readonly kind: 'impossible'; readonly message: string };

export type DeleteDecision =
  | { readonly kind: 'complete' }
  | { readonly kind: 'wait'; readonly reason: string }
  | { readonly kind: 'terminate' }
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

/** "45 seconds", "12 minutes", "2 hours 5 minutes", "3 days 4 hours". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const unit = (n: number, name: string) => `${n} ${name}${n === 1 ? '' : 's'}`;
  if (s < 60) {
    return unit(s, 'second');
  }
  const minutes = Math.floor(s / 60);
  if (minutes < 60) {
    return unit(minutes, 'minute');
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    return minutes % 60 === 0 ? unit(hours, 'hour') : `${unit(hours, 'hour')} ${unit(minutes % 60, 'minute')}`;
  }
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? unit(days, 'day') : `${unit(days, 'day')} ${unit(hours % 24, 'hour')}`;
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

/** " The last refusal the service gave: ...", or nothing when none is known. */
function lastRefusalNote(refusal: string | undefined): string {
  return refusal === undefined ? '' : ` The last refusal the service gave: ${refusal}${/[.!?]$/.test(refusal) ? '' : '.'}`;
}

function stillToDo(decision: Decision): string {
  const step = decision.kind === 'step' || decision.kind === 'observeConnection'
    ? decision.step
    : decision.kind === 'wait' ? decision.pending : undefined;
  return step === undefined ? '' : `, with ${describeStep(step)} still to do`;
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

function isInFlight(workspace: Workspace): boolean {
  return IN_FLIGHT_STATES.has(workspace.State ?? '') || (workspace.ModificationStates ?? []).length > 0;
}

/**
 * What happens to the WorkSpace after a Create or Update fails, for the message that says so.
 * A new WorkSpace is terminated by the rollback's Delete (the default removal policy,
 * RETAIN_ON_UPDATE_OR_DELETE, and DESTROY both let the rollback delete what the failed request
 * created; only RETAIN keeps it). A WorkSpace changed in place keeps the changes made so far,
 * and the rollback (an Update back to the previous properties) or the next deploy reconciles
 * from there.
 */
export function afterTimeout(newWorkspace: boolean): string {
  return newWorkspace
    ? 'CloudFormation\'s rollback now terminates this new WorkSpace (unless its removal policy is RETAIN or the rollback is '
      + 'disabled: then it stays, and a later deploy takes it over only with adoptExisting).'
    : 'The changes made so far stay on the WorkSpace; the rollback, or the next deploy, continues from its current state.';
}

/** "1 second", "90 seconds". */
export function formatSeconds(seconds: number): string {
  return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
}

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

/**
 * The first difference between the desired and the observed WorkSpace, as the call that
 * removes it, or undefined when there is none. Tags come first because they take effect at once
 * and never conflict with a property change; then the properties, one per call, because the
 * service refuses a compute type change together with a volume change, and a root volume change
 * together with a user volume change. The volumes go in an order in which every pair of sizes
 * on the way is one the service accepts (see nextVolumeStep).
 */
export function nextStep(
  desired: DesiredWorkspace,
  previousTagKeys: readonly string[],
  workspace: Workspace,
  tags: Readonly<Record<string, string>>,
): NextStep | undefined {
  const wanted = new Set(desired.tags.map((t) => t.Key));
  const removed = previousTagKeys.filter((k) => k !== OWNERSHIP_TAG_KEY && !wanted.has(k) && k in tags);
  if (removed.length > 0) {
    return { kind: 'deleteTags', keys: removed };
  }
  const missing = desired.tags.filter((t) => tags[t.Key] !== t.Value);
  if (missing.length > 0) {
    return { kind: 'createTags', tags: missing };
  }

  const want = desired.properties;
  const have = workspace.WorkspaceProperties ?? {};
  const runningModeDiffers = want.runningMode !== undefined && want.runningMode !== have.RunningMode;
  const autoStopDiffers = want.runningModeAutoStopTimeoutInMinutes !== undefined
    && want.runningModeAutoStopTimeoutInMinutes !== have.RunningModeAutoStopTimeoutInMinutes;
  if (runningModeDiffers || autoStopDiffers) {
    // Sent together: the timeout only means something for the mode it comes with.
    const properties: WorkspaceProperties = { RunningMode: (want.runningMode ?? have.RunningMode) as WorkspaceProperties['RunningMode'] };
    if (want.runningModeAutoStopTimeoutInMinutes !== undefined) {
      properties.RunningModeAutoStopTimeoutInMinutes = want.runningModeAutoStopTimeoutInMinutes;
    }
    return { kind: 'modifyProperties', setting: 'RunningMode', properties };
  }
  const protocolsStep: Step | undefined = want.protocols !== undefined && !sameSet(want.protocols, have.Protocols ?? [])
    ? { kind: 'modifyProperties', setting: 'Protocols', properties: { Protocols: [...want.protocols] as WorkspaceProperties['Protocols'] } }
    : undefined;
  const computeStep: Step | undefined = want.computeTypeName !== undefined && want.computeTypeName !== have.ComputeTypeName
    ? { kind: 'modifyProperties', setting: 'ComputeTypeName', properties: { ComputeTypeName: want.computeTypeName as WorkspaceProperties['ComputeTypeName'] } }
    : undefined;
  const volumesStep = () => nextVolumeStep(workspace.WorkspaceId ?? '(unknown id)', want, have);
  if (desired.disruptionPolicy === 'IMMEDIATE') {
    return protocolsStep ?? computeStep ?? volumesStep();
  }
  // WAIT_FOR_DISCONNECT: everything that disturbs no one first (a volume change that cannot be
  // made fails here, before anything disconnects the user), the steps that disconnect the user
  // last, so that a user who stays connected holds back only those.
  return volumesStep() ?? protocolsStep ?? computeStep;
}

/**
 * Whether the service accepts this pair of volume sizes: a root volume of 175 GiB or more only
 * with a user volume of at least 100 GiB (the rule of checkVolumePair), and a smaller root
 * volume (80, or 100 for graphics bundles) only with a user volume of at most 100 GiB (the
 * service offers root 80 with user 10, 50 or 100).
 */
export function volumePairAccepted(rootGib: number, userGib: number): boolean {
  return rootGib >= LARGE_ROOT_GIB ? userGib >= BOUNDARY_USER_GIB : userGib <= BOUNDARY_USER_GIB;
}

/** The smallest root volume that needs a user volume of at least BOUNDARY_USER_GIB. */
const LARGE_ROOT_GIB = 175;
/** The one user volume size that goes with both a small and a large root volume. */
const BOUNDARY_USER_GIB = 100;

type VolumeSetting = 'RootVolumeSizeGib' | 'UserVolumeSizeGib';

/**
 * The next volume change: each call changes one volume, and the pair of sizes after each call
 * must be one the service accepts, so the order matters. Growing 80/50 to 175/100 must grow the
 * user volume first (root 175 with user 50 is refused); 80/50 to 175/200 goes through user 100,
 * then root 175, then user 200. This finds the shortest such sequence (the sizes on the way are
 * the current ones, the desired ones and the 100 GiB user volume that both kinds of root accept),
 * preferring the root volume first when both orders work, and returns its first call. A volume
 * the template has no opinion about stays as it is.
 */
export function nextVolumeStep(
  workspaceId: string,
  want: DesiredWorkspace['properties'],
  have: WorkspaceProperties,
): NextStep | undefined {
  const from = { root: have.RootVolumeSizeGib, user: have.UserVolumeSizeGib };
  // The service only grows volumes: a declared size below the current one (the rollback of a
  // grown volume, or a smaller size declared later) keeps the current size (see keptAsIs).
  const to = { root: atLeast(want.rootVolumeSizeGib, from.root), user: atLeast(want.userVolumeSizeGib, from.user) };
  if (to.root === from.root && to.user === from.user) {
    return undefined;
  }
  if (from.root === undefined || from.user === undefined || to.root === undefined || to.user === undefined) {
    // The service did not report both sizes: there is no pair to check, so change what differs.
    return to.root !== from.root && to.root !== undefined
      ? volumeStep('RootVolumeSizeGib', to.root)
      : volumeStep('UserVolumeSizeGib', to.user!);
  }

  const userSizes = [...new Set([from.user, to.user, BOUNDARY_USER_GIB])]
    .filter((u) => u === to.user || u === from.user || between(u, from.user!, to.user!));
  const rootSizes = [...new Set([from.root, to.root])];
  const key = (root: number, user: number) => `${root}/${user}`;
  const first = new Map<string, Step>();
  const queue: Array<[number, number]> = [[from.root, from.user]];
  const seen = new Set([key(from.root, from.user)]);
  while (queue.length > 0) {
    const [root, user] = queue.shift()!;
    const firstStep = first.get(key(root, user));
    if (root === to.root && user === to.user) {
      return firstStep;
    }
    const moves: Array<[number, number, Step]> = [
      ...rootSizes.filter((r) => r !== root).map((r): [number, number, Step] => [r, user, volumeStep('RootVolumeSizeGib', r)]),
      ...userSizes.filter((u) => u !== user).map((u): [number, number, Step] => [root, u, volumeStep('UserVolumeSizeGib', u)]),
    ];
    for (const [r, u, step] of moves) {
      if (!seen.has(key(r, u)) && volumePairAccepted(r, u)) {
        seen.add(key(r, u));
        first.set(key(r, u), firstStep ?? step);
        queue.push([r, u]);
      }
    }
  }
  const undeclared = want.rootVolumeSizeGib === undefined
    ? ' The root volume is not declared, so it stays as it is.'
    : want.userVolumeSizeGib === undefined ? ' The user volume is not declared, so it stays as it is.' : '';
  return {
    kind: 'impossible',
    message: `Cannot change the volumes of WorkSpace ${workspaceId} from root ${from.root} GiB / user ${from.user} GiB `
      + `to root ${to.root} GiB / user ${to.user} GiB: the service changes one volume per call, accepts a root volume of `
      + `${LARGE_ROOT_GIB} GiB or more only with a user volume of at least ${BOUNDARY_USER_GIB} GiB and a smaller root volume only `
      + `with a user volume of at most ${BOUNDARY_USER_GIB} GiB, and no order of single changes gets there through sizes it accepts.`
      + `${undeclared} Declare sizes that the service accepts together (e.g. root 80 with user 10, 50 or 100, `
      + 'or root 175 to 2000 with user 100 to 2000).',
  };
}

/** The declared size, or the current one when it is larger or nothing is declared. */
function atLeast(declared: number | undefined, current: number | undefined): number | undefined {
  if (declared === undefined || current === undefined) {
    return declared ?? current;
  }
  return Math.max(declared, current);
}

/**
 * What is declared but stays as it is because the service cannot undo it: a volume larger than
 * declared cannot shrink. Reported (logged) when the request completes, never a failure: the
 * rollback of an update that grew a volume must complete, and a forward update that declares
 * a smaller size asks for the same impossible thing, so both keep the larger volume.
 */
export function keptAsIs(desired: DesiredWorkspace, workspace: Workspace): string[] {
  const have = workspace.WorkspaceProperties ?? {};
  const kept: string[] = [];
  const check = (what: string, declared: number | undefined, current: number | undefined) => {
    if (declared !== undefined && current !== undefined && current > declared) {
      kept.push(`the ${what} volume stays at ${current} GiB although ${declared} GiB is declared: a volume cannot shrink`);
    }
  };
  check('root', desired.properties.rootVolumeSizeGib, have.RootVolumeSizeGib);
  check('user', desired.properties.userVolumeSizeGib, have.UserVolumeSizeGib);
  return kept;
}

function volumeStep(setting: VolumeSetting, gib: number): Step {
  return { kind: 'modifyProperties', setting, properties: { [setting]: gib } };
}

function between(x: number, a: number, b: number): boolean {
  return (x > a && x < b) || (x > b && x < a);
}

/** A short description of a step, for the log. */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'deleteTags': return `DeleteTags ${step.keys.join(', ')}`;
    case 'createTags': return `CreateTags ${step.tags.map((t) => t.Key).join(', ')}`;
    case 'modifyProperties': return `ModifyWorkspaceProperties ${step.setting} ${JSON.stringify(step.properties)}`;
  }
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

function modificationNote(workspace: Workspace): string {
  const changes = (workspace.ModificationStates ?? []).map((m) => `${m.Resource} ${m.State}`);
  return changes.length > 0 ? ` (${changes.join(', ')})` : '';
}

function lastState(workspace: Workspace | undefined): string {
  if (workspace === undefined) {
    return 'not visible (DescribeWorkspaces did not return it)';
  }
  return `${workspace.State ?? 'UNKNOWN'}${modificationNote(workspace)}`;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((x) => right.has(x));
}

/** The CreateWorkspaces request for the desired WorkSpace, marked as owned by this resource. */
export function creationRequest(desired: DesiredWorkspace, ownerTagValue: string): WorkspaceRequest {
  const request: WorkspaceRequest = {
    DirectoryId: desired.directoryId,
    UserName: desired.userName,
    BundleId: desired.bundleId,
    Tags: [...desired.tags.map((t) => ({ Key: t.Key, Value: t.Value })), { Key: OWNERSHIP_TAG_KEY, Value: ownerTagValue }],
  };
  if (desired.rootVolumeEncryptionEnabled) {
    request.RootVolumeEncryptionEnabled = true;
  }
  if (desired.userVolumeEncryptionEnabled) {
    request.UserVolumeEncryptionEnabled = true;
  }
  if (desired.volumeEncryptionKey !== undefined) {
    request.VolumeEncryptionKey = desired.volumeEncryptionKey;
  }
  const want = desired.properties;
  const properties: WorkspaceProperties = {
    RunningMode: want.runningMode as WorkspaceProperties['RunningMode'],
    RunningModeAutoStopTimeoutInMinutes: want.runningModeAutoStopTimeoutInMinutes,
    ComputeTypeName: want.computeTypeName as WorkspaceProperties['ComputeTypeName'],
    RootVolumeSizeGib: want.rootVolumeSizeGib,
    UserVolumeSizeGib: want.userVolumeSizeGib,
    Protocols: want.protocols ? [...want.protocols] as WorkspaceProperties['Protocols'] : undefined,
  };
  const set = Object.entries(properties).filter(([, v]) => v !== undefined);
  if (set.length > 0) {
    request.WorkspaceProperties = Object.fromEntries(set) as WorkspaceProperties;
  }
  return request;
}
