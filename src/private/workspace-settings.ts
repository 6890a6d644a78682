// The WorkSpace settings that Workspace and WorkspaceFleet share, rendered and validated the same
// way for both (the fleet's defaults and each user's overrides are such settings), and the
// per-app registry of users that both join.
import { Duration, Size, SizeRoundingBehavior, RemovalPolicy, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { validationError } from './errors';
import * as rules from './rules';
import { IWorkspaceBundle } from '../bundle';
import { ComputeType } from '../compute-type';
import { Protocol } from '../protocol';
import { RunningMode } from '../running-mode';

/** The settings of one WorkSpace that can change in place, as Workspace and WorkspaceFleet take them. */
export interface WorkspaceSettings {
  readonly runningMode?: RunningMode;
  readonly autoStopTimeout?: Duration;
  readonly computeType?: ComputeType;
  readonly rootVolumeSize?: Size;
  readonly userVolumeSize?: Size;
  readonly protocols?: Protocol[];
}

/** Apply a rule to a string prop unless it is a token, whose value is only known at deploy time. */
export function checkString(prop: string, value: string, rule: (prop: string, value: string) => void): void {
  if (!Token.isUnresolved(value)) {
    rule(prop, value);
  }
}

/** A bundle's id must look like one; a bundle's name is resolved at deploy time, and only an empty one is refused here. */
/**
 * The bundle as the wire names it: by id when the id is known (at synth, or as a deploy-time
 * attribute of a bundle of this app), else by name.
 */
export function bundleProperties(bundle: IWorkspaceBundle): { BundleId?: string; BundleName?: string; BundleOwner?: string } {
  return bundle.bundleId !== undefined
    ? { BundleId: bundle.bundleId }
    : { BundleName: bundle.bundleName, BundleOwner: bundle.owner };
}

export function checkBundle(bundle: IWorkspaceBundle): void {
  if (bundle.bundleId !== undefined) {
    checkString('bundle.bundleId', bundle.bundleId, rules.checkBundleId);
  } else if (bundle.bundleName !== undefined && !Token.isUnresolved(bundle.bundleName) && bundle.bundleName.trim() === '') {
    throw new rules.InputError('bundle.bundleName', bundle.bundleName, 'must be a bundle\'s name, not empty');
  }
}

export function checkTimeout(timeout: Duration): void {
  if (timeout.isUnresolved()) {
    return;
  }
  const seconds = timeout.toSeconds();
  if (seconds < rules.MIN_TIMEOUT_SECONDS || seconds > rules.MAX_TIMEOUT_SECONDS) {
    throw new rules.InputError('timeout', timeout.toHumanString(), rules.TIMEOUT_RULE);
  }
}

export const ALLOWED_REMOVAL_POLICIES: readonly RemovalPolicy[] = [
  RemovalPolicy.DESTROY,
  RemovalPolicy.RETAIN,
  RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
];

/**
 * Refuses a removal policy a custom resource cannot honour (SNAPSHOT); `why` is added to the
 * message where the resource type has more to say.
 */
export function checkRemovalPolicy(scope: IConstruct, removalPolicy: RemovalPolicy, why?: string): void {
  if (!ALLOWED_REMOVAL_POLICIES.includes(removalPolicy)) {
    throw validationError(scope, `Invalid removalPolicy ${removalPolicy}: must be RemovalPolicy.DESTROY, RemovalPolicy.RETAIN or `
      + `RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE${why === undefined ? '' : `; ${why}`}`);
  }
}

/**
 * CloudFormation's own deadline for a resource whose handler waits `timeout`: after the handler's,
 * so that the handler fails first with its own message, and never past the Provider's hour.
 */
export function serviceTimeoutOf(timeout: Duration): Duration {
  return timeout.isUnresolved()
    ? Duration.seconds(rules.SERVICE_TIMEOUT_SECONDS)
    : Duration.seconds(Math.min(rules.SERVICE_TIMEOUT_SECONDS, timeout.toSeconds() + rules.TIMEOUT_MARGIN_SECONDS));
}

/** The Workspaces of each app, by directory and user (lower case): a user has one WorkSpace per directory. */
const usersByApp = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Refuses a second Workspace for the same user in the same directory anywhere in the app (in
 * this stack or another): the service compares user names without regard to case, and the
 * second CreateWorkspaces would fail only at deploy time.
 */
export function claimUser(workspace: Construct, directoryId: string, userName: string, path: string = workspace.node.path): void {
  if (Token.isUnresolved(directoryId) || Token.isUnresolved(userName)) {
    return;
  }
  const root = workspace.node.root;
  let users = usersByApp.get(root);
  if (users === undefined) {
    users = new Map();
    usersByApp.set(root, users);
  }
  const key = `${directoryId}/${userName.toLowerCase()}`;
  const first = users.get(key);
  if (first !== undefined) {
    throw validationError(workspace, `Invalid userName "${userName}": user "${userName}" already has a Workspace `
      + `in directory ${directoryId} in this app (${first}); a user can have only one WorkSpace per directory, and user names `
      + 'are compared without regard to case. Remove one of them, or use another user or directory.');
  }
  users.set(key, path);
}

export function renderWorkspaceProperties(
  props: WorkspaceSettings,
  prefix = '',
  options: { readonly defaults?: boolean; readonly inheritedRunningMode?: string } = {},
): { [key: string]: unknown } {
  const withDefaults = options.defaults ?? true;
  const runningMode = props.runningMode ?? (withDefaults ? RunningMode.AUTO_STOP : undefined);
  if (runningMode !== undefined) {
    rules.checkRunningMode(`${prefix}runningMode`, runningMode);
  }
  const effectiveMode = runningMode ?? options.inheritedRunningMode ?? RunningMode.AUTO_STOP;

  let autoStopMinutes: number | undefined;
  if (props.autoStopTimeout !== undefined) {
    autoStopMinutes = durationInWholeMinutes(props.autoStopTimeout, `${prefix}autoStopTimeout`);
    if (!Token.isUnresolved(autoStopMinutes)) {
      rules.checkAutoStopTimeout(`${prefix}autoStopTimeout`, autoStopMinutes, effectiveMode);
    }
  } else if (runningMode === RunningMode.AUTO_STOP) {
    autoStopMinutes = 60;
  }

  const computeTypeName = props.computeType?.name;
  if (computeTypeName !== undefined) {
    checkString(`${prefix}computeType`, computeTypeName, rules.checkComputeTypeName);
  }

  const rootGib = props.rootVolumeSize && sizeInWholeGib(`${prefix}rootVolumeSize`, props.rootVolumeSize);
  const userGib = props.userVolumeSize && sizeInWholeGib(`${prefix}userVolumeSize`, props.userVolumeSize);
  const known = (n: number | undefined): n is number => n !== undefined && !Token.isUnresolved(n);
  if (known(rootGib)) {
    rules.checkRootVolumeSize(`${prefix}rootVolumeSize`, rootGib);
  }
  if (known(userGib)) {
    rules.checkUserVolumeSize(`${prefix}userVolumeSize`, userGib);
  }
  if (known(rootGib) && known(userGib)) {
    rules.checkVolumePair(`${prefix}rootVolumeSize/userVolumeSize`, rootGib, userGib);
  }

  if (props.protocols !== undefined) {
    rules.checkProtocols(`${prefix}protocols`, props.protocols);
  }

  return {
    RunningMode: runningMode,
    RunningModeAutoStopTimeoutInMinutes: autoStopMinutes,
    ComputeTypeName: computeTypeName,
    RootVolumeSizeGib: rootGib,
    UserVolumeSizeGib: userGib,
    Protocols: props.protocols,
  };
}

function durationInWholeMinutes(duration: Duration, prop: string): number {
  if (duration.isUnresolved()) {
    return duration.toMinutes();
  }
  try {
    return duration.toMinutes({ integral: true });
  } catch {
    throw new rules.InputError(prop, duration.toHumanString(),
      'must be a whole number of hours, at least 1 hour (60, 120, 180 ... minutes)');
  }
}

export function sizeInWholeGib(prop: string, size: Size): number {
  if (size.isUnresolved()) {
    return size.toGibibytes();
  }
  try {
    return size.toGibibytes({ rounding: SizeRoundingBehavior.FAIL });
  } catch {
    throw new rules.InputError(prop, `${size.toMebibytes({ rounding: SizeRoundingBehavior.NONE })} MiB`, 'must be a whole number of GiB');
  }
}
