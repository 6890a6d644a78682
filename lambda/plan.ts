import type { Workspace, WorkspaceProperties, WorkspaceRequest } from '@aws-sdk/client-workspaces';
import type { DesiredWorkspace, WorkspaceTag } from './properties';
import { OWNERSHIP_TAG_KEY } from '../src/private/rules';

// The plan is pure: given what the template wants and what the service reports, it decides the
// one next thing to do. Progress lives in the service, never in the event, so every poll
// starts again from what it observes.

/** States in which a WorkSpace accepts ModifyWorkspaceProperties. */
const SETTLED_STATES: ReadonlySet<string> = new Set(['AVAILABLE', 'STOPPED']);
/** States from which a WorkSpace will not come back without someone's help. */
const DEAD_END_STATES: ReadonlySet<string> = new Set(['ERROR', 'TERMINATING', 'TERMINATED', 'SUSPENDED']);

/** One change, made by exactly one API call. */
export type Step =
  | { readonly kind: 'deleteTags'; readonly keys: readonly string[] }
  | { readonly kind: 'createTags'; readonly tags: readonly WorkspaceTag[] }
  | { readonly kind: 'modifyProperties'; readonly setting: PropertySetting; readonly properties: WorkspaceProperties };

/** What ModifyWorkspaceProperties changes, one at a time, in the order they are applied. */
export type PropertySetting = 'RunningMode' | 'Protocols' | 'ComputeTypeName' | 'RootVolumeSizeGib' | 'UserVolumeSizeGib';

export type Decision =
  | { readonly kind: 'complete' }
  | { readonly kind: 'wait'; readonly reason: string }
  | { readonly kind: 'step'; readonly step: Step }
  | { readonly kind: 'fail'; readonly message: string };

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
  /** A WorkSpace created by this request is invisible for a while, as the API documents. */
  readonly mayBeInvisible: boolean;
  /** Seconds since onEvent started the request; undefined means no timeout is enforced here. */
  readonly elapsedSeconds?: number;
}

/** Whether a WorkSpace in this state is ready for the next change. */
export function isSettled(workspace: Workspace | undefined): boolean {
  return workspace !== undefined
    && SETTLED_STATES.has(workspace.State ?? '')
    && (workspace.ModificationStates ?? []).length === 0;
}

/** The next thing to do for a Create or Update. */
export function planReconcile(input: ReconcileInput): Decision {
  const decision = reconcileIgnoringTime(input);
  if (decision.kind === 'complete' || decision.kind === 'fail') {
    return decision;
  }
  const timeout = input.desired.timeoutSeconds;
  if (input.elapsedSeconds !== undefined && input.elapsedSeconds > timeout) {
    return {
      kind: 'fail',
      message: `WorkSpace ${input.workspaceId} did not reach the desired state within ${timeout} seconds (TimeoutSeconds); `
        + `its last observed state was ${lastState(input.workspace)}. It is left as it is; deploy again to continue.`,
    };
  }
  return decision;
}

/** The next thing to do for a Delete. */
export function planDelete(input: {
  readonly workspaceId: string;
  readonly workspace: Workspace | undefined;
  readonly timeoutSeconds: number;
  readonly elapsedSeconds?: number;
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
      message: `WorkSpace ${workspaceId} was not terminated within ${input.timeoutSeconds} seconds (TimeoutSeconds); `
        + `its last observed state was ${lastState(workspace)}.`,
    };
  }
  return decision;
}

/**
 * The first difference between the desired and the observed WorkSpace, as the call that
 * removes it, or undefined when there is none. Tags come first because they take effect at once
 * and never conflict with a property change; then the properties, one per call, because the
 * service refuses a compute type change together with a volume change, and a root volume change
 * together with a user volume change.
 */
export function nextStep(
  desired: DesiredWorkspace,
  previousTagKeys: readonly string[],
  workspace: Workspace,
  tags: Readonly<Record<string, string>>,
): Step | undefined {
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
  if (want.protocols !== undefined && !sameSet(want.protocols, have.Protocols ?? [])) {
    return {
      kind: 'modifyProperties',
      setting: 'Protocols',
      properties: { Protocols: [...want.protocols] as WorkspaceProperties['Protocols'] },
    };
  }
  if (want.computeTypeName !== undefined && want.computeTypeName !== have.ComputeTypeName) {
    return {
      kind: 'modifyProperties',
      setting: 'ComputeTypeName',
      properties: { ComputeTypeName: want.computeTypeName as WorkspaceProperties['ComputeTypeName'] },
    };
  }
  if (want.rootVolumeSizeGib !== undefined && want.rootVolumeSizeGib !== have.RootVolumeSizeGib) {
    return { kind: 'modifyProperties', setting: 'RootVolumeSizeGib', properties: { RootVolumeSizeGib: want.rootVolumeSizeGib } };
  }
  if (want.userVolumeSizeGib !== undefined && want.userVolumeSizeGib !== have.UserVolumeSizeGib) {
    return { kind: 'modifyProperties', setting: 'UserVolumeSizeGib', properties: { UserVolumeSizeGib: want.userVolumeSizeGib } };
  }
  return undefined;
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
  if (DEAD_END_STATES.has(state)) {
    return { kind: 'fail', message: deadEndMessage(workspaceId, workspace, state) };
  }
  if (!isSettled(workspace)) {
    return { kind: 'wait', reason: `the WorkSpace is ${state}${modificationNote(workspace)}` };
  }
  if (input.tags === undefined) {
    throw new Error(`internal error: the tags of WorkSpace ${workspaceId} were not read before planning`);
  }
  const step = nextStep(input.desired, input.previousTagKeys, workspace, input.tags);
  return step === undefined ? { kind: 'complete' } : { kind: 'step', step };
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
