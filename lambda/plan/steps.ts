import type { Workspace, WorkspaceProperties, WorkspaceRequest } from '@aws-sdk/client-workspaces';
import { OWNERSHIP_TAG_KEY } from '../../src/private/rules';
import type { DesiredWorkspace, WorkspaceTag } from '../parse';

// The steps: each change is one API call, and the next one is the first difference between
// the desired and the observed WorkSpace, in an order the service accepts.

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
 * nothing the connected user sees at the time (see the table in docs/how-it-works.md and its sources).
 */
const DISRUPTIVE_SETTINGS: ReadonlySet<PropertySetting> = new Set<PropertySetting>(['ComputeTypeName', 'Protocols']);

/** Whether this step disconnects the user, so that WAIT_FOR_DISCONNECT holds it back while they are connected. */
export function isDisruptive(step: Step): boolean {
  return step.kind === 'modifyProperties' && DISRUPTIVE_SETTINGS.has(step.setting);
}

/** The next step towards the desired state, or why there is none the service would accept. */
export type NextStep = Step | { readonly kind: 'impossible'; readonly message: string };

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

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
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
