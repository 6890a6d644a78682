import type { BundleChangeName, BundleSpec, DesiredProperties, DesiredWorkspace, DisruptionPolicyName } from './desired';
import { asObject, dropUndefined, isObject, optionalNumber, optionalString, parseBoolean, parseTags, rejectUnknownKeys, requiredString } from './strict';
import {
  checkAutoStopTimeout,
  checkBundleId,
  checkComputeTypeName,
  checkDirectoryId,
  checkProtocols,
  checkRootVolumeSize,
  checkRunningMode,
  checkUserName,
  checkUserVolumeSize,
  checkVolumePair,
  InputError,
  MAX_TIMEOUT_SECONDS,
  OWNERSHIP_TAG_KEY,
  TIMEOUT_MARGIN_SECONDS,
} from '../../src/private/rules';

/** The resource type of a single WorkSpace, as messages name it. */
export const WORKSPACE_RESOURCE_TYPE = 'Custom::Workspace';

const DISRUPTION_POLICIES: readonly DisruptionPolicyName[] = ['WAIT_FOR_DISCONNECT', 'IMMEDIATE'];
const BUNDLE_CHANGES: readonly BundleChangeName[] = ['MIGRATE', 'REFUSE'];

/** The construct's default `timeout` is the longest one: what lets the handler fail first. */
export const DEFAULT_TIMEOUT_SECONDS = MAX_TIMEOUT_SECONDS;
/**
 * Earlier versions of the construct accepted up to 2 hours. Such a template must still update
 * and roll back, so the handler accepts it but never waits past MAX_TIMEOUT_SECONDS.
 */
const LEGACY_MAX_TIMEOUT_SECONDS = 7200;

const TOP_LEVEL_KEYS = new Set([
  'ServiceToken', 'DirectoryId', 'BundleId', 'BundleName', 'BundleOwner', 'UserName', 'RootVolumeEncryptionEnabled',
  'UserVolumeEncryptionEnabled', 'VolumeEncryptionKey', 'WorkspaceProperties', 'Tags', 'TimeoutSeconds', 'AdoptExisting',
  // CloudFormation hands the resource's ServiceTimeout to the handler with the other properties.
  'ServiceTimeout',
  'DisruptionPolicy',
  'BundleChange',
]);
const WORKSPACE_PROPERTY_KEYS = new Set([
  'RunningMode', 'RunningModeAutoStopTimeoutInMinutes', 'ComputeTypeName', 'RootVolumeSizeGib',
  'UserVolumeSizeGib', 'Protocols',
]);

/**
 * Reads and validates the custom resource's properties. The construct has validated them at
 * synth time already, but a template can be written by hand, so every rule is applied again.
 *
 * @throws InputError naming the property, the value and the rule
 */
export function parseProperties(raw: unknown): DesiredWorkspace {
  const props = asObject('ResourceProperties', raw);
  rejectUnknownKeys(WORKSPACE_RESOURCE_TYPE, '', props, TOP_LEVEL_KEYS);

  const directoryId = requiredString('DirectoryId', props.DirectoryId);
  checkDirectoryId('DirectoryId', directoryId);
  const bundle = parseBundle(props);
  const userName = requiredString('UserName', props.UserName);
  checkUserName('UserName', userName);

  const volumeEncryptionKey = optionalString('VolumeEncryptionKey', props.VolumeEncryptionKey);
  if (volumeEncryptionKey !== undefined && volumeEncryptionKey.length === 0) {
    throw new InputError('VolumeEncryptionKey', volumeEncryptionKey, 'must be a KMS key ARN when set');
  }

  return {
    directoryId,
    bundleId: bundle.bundleId,
    bundle,
    userName,
    rootVolumeEncryptionEnabled: parseBoolean('RootVolumeEncryptionEnabled', props.RootVolumeEncryptionEnabled),
    userVolumeEncryptionEnabled: parseBoolean('UserVolumeEncryptionEnabled', props.UserVolumeEncryptionEnabled),
    volumeEncryptionKey,
    properties: parseWorkspaceProperties(props.WorkspaceProperties),
    tags: parseTags('Tags', props.Tags),
    timeoutSeconds: withinServiceTimeout(parseTimeoutSeconds(props.TimeoutSeconds), props.ServiceTimeout),
    adoptExisting: parseBoolean('AdoptExisting', props.AdoptExisting),
    disruptionPolicy: parseDisruptionPolicy(props.DisruptionPolicy),
    bundleChange: parseBundleChange(props.BundleChange),
  };
}

/** The bundle change; absent means the construct's default, MIGRATE (rendered only when the prop is given). */
export function parseBundleChange(raw: unknown): BundleChangeName {
  const value = optionalString('BundleChange', raw);
  if (value === undefined) {
    return 'MIGRATE';
  }
  if (!(BUNDLE_CHANGES as readonly string[]).includes(value)) {
    throw new InputError('BundleChange', value, `must be one of ${BUNDLE_CHANGES.join(', ')}`);
  }
  return value as BundleChangeName;
}

/** The bundle declared by `BundleId`, or by `BundleName` with an optional `BundleOwner`: one of the two. */
function parseBundle(props: Record<string, unknown>): BundleSpec {
  const bundleId = optionalString('BundleId', props.BundleId);
  const bundleName = optionalString('BundleName', props.BundleName);
  const owner = optionalString('BundleOwner', props.BundleOwner);
  if (bundleId !== undefined) {
    if (bundleName !== undefined) {
      throw new InputError('BundleName', bundleName, 'must not be given with BundleId: a bundle is named by its id or by its name');
    }
    if (owner !== undefined) {
      throw new InputError('BundleOwner', owner, 'is only used with BundleName');
    }
    checkBundleId('BundleId', bundleId);
    return { bundleId };
  }
  if (bundleName === undefined) {
    throw new InputError('BundleId', undefined, 'is required, unless BundleName is given');
  }
  if (bundleName.trim().length === 0) {
    throw new InputError('BundleName', bundleName, 'must be a bundle\'s name, not empty');
  }
  if (owner !== undefined && owner !== 'AMAZON' && owner !== 'ACCOUNT') {
    throw new InputError('BundleOwner', owner, 'must be AMAZON or ACCOUNT (absent: both)');
  }
  return owner === undefined ? { bundleName } : { bundleName, bundleOwner: owner };
}

/** The desired state with its bundle's id, resolved by the pre-flight. */
export function withBundleId(desired: DesiredWorkspace, bundleId: string): DesiredWorkspace {
  return { ...desired, bundleId };
}

/** The bundle as one comparable string: a change of it is a change of the bundle. */
function bundleKey(spec: { bundleId?: unknown; bundleName?: unknown; bundleOwner?: unknown }): string {
  return spec.bundleId !== undefined && spec.bundleId !== ''
    ? `id:${String(spec.bundleId)}`
    : `name:${String(spec.bundleOwner ?? '')}:${String(spec.bundleName ?? '')}`;
}

/**
 * The disruption policy; absent means the construct's default, WAIT_FOR_DISCONNECT (the
 * construct renders the property only when the prop is given, so that templates of apps that
 * do not set it stay as they were).
 */
function parseDisruptionPolicy(raw: unknown): DisruptionPolicyName {
  const value = optionalString('DisruptionPolicy', raw);
  if (value === undefined) {
    return 'WAIT_FOR_DISCONNECT';
  }
  if (!(DISRUPTION_POLICIES as readonly string[]).includes(value)) {
    throw new InputError('DisruptionPolicy', value, `must be one of ${DISRUPTION_POLICIES.join(', ')}`);
  }
  return value as DisruptionPolicyName;
}

/**
 * The timeout, read without failing: a Delete must go ahead even when the properties it
 * carries are ones that failed validation on Create.
 */
export function readTimeoutSeconds(raw: unknown): number {
  try {
    return parseTimeoutSeconds(isObject(raw) ? raw.TimeoutSeconds : undefined);
  } catch {
    return DEFAULT_TIMEOUT_SECONDS;
  }
}

/** The properties whose change needs a new WorkSpace, as the wire names them. */
export const REPLACEMENT_PROPERTIES = [
  'DirectoryId',
  'UserName',
  'BundleId',
  'RootVolumeEncryptionEnabled',
  'UserVolumeEncryptionEnabled',
  'VolumeEncryptionKey',
] as const;

/**
 * Which replacement properties differ between the desired state and the properties of the
 * previous deployment. The old properties are read leniently: they were accepted once, and
 * an older template must not block an update.
 */
export function replacementChanges(desired: DesiredWorkspace, oldRaw: unknown): string[] {
  const old = isObject(oldRaw) ? oldRaw : {};
  const current: Record<(typeof REPLACEMENT_PROPERTIES)[number], string> = {
    DirectoryId: desired.directoryId,
    // The service compares user names without case: "Alice" and "alice" are one user.
    UserName: desired.userName.toLowerCase(),
    BundleId: bundleKey(desired.bundle),
    RootVolumeEncryptionEnabled: String(desired.rootVolumeEncryptionEnabled),
    UserVolumeEncryptionEnabled: String(desired.userVolumeEncryptionEnabled),
    VolumeEncryptionKey: desired.volumeEncryptionKey ?? '',
  };
  const previous: Record<(typeof REPLACEMENT_PROPERTIES)[number], string> = {
    DirectoryId: String(old.DirectoryId ?? ''),
    UserName: String(old.UserName ?? '').toLowerCase(),
    BundleId: bundleKey({ bundleId: old.BundleId, bundleName: old.BundleName, bundleOwner: old.BundleOwner }),
    RootVolumeEncryptionEnabled: String(lenientBoolean(old.RootVolumeEncryptionEnabled)),
    UserVolumeEncryptionEnabled: String(lenientBoolean(old.UserVolumeEncryptionEnabled)),
    VolumeEncryptionKey: String(old.VolumeEncryptionKey ?? ''),
  };
  // A bundle named by name reports its change as BundleName: the id may be the same.
  return REPLACEMENT_PROPERTIES.filter((p) => current[p] !== previous[p])
    .map((p) => (p === 'BundleId' && desired.bundle.bundleName !== undefined ? 'BundleName' : p));
}

/**
 * The WorkspaceProperties that the previous deployment declared and this one does not. Only
 * OldResourceProperties tells a removed prop from one never declared: a prop never declared
 * leaves the WorkSpace as it is, a removed one goes back to the default where the service has
 * one (the bundle's compute type).
 */
export function removedWorkspaceProperties(desired: DesiredWorkspace, oldRaw: unknown): string[] {
  const old = isObject(oldRaw) && isObject(oldRaw.WorkspaceProperties) ? oldRaw.WorkspaceProperties : {};
  const now = desired.properties as Record<string, unknown>;
  const wireToDesired: Record<string, keyof DesiredProperties> = {
    RunningMode: 'runningMode',
    RunningModeAutoStopTimeoutInMinutes: 'runningModeAutoStopTimeoutInMinutes',
    ComputeTypeName: 'computeTypeName',
    RootVolumeSizeGib: 'rootVolumeSizeGib',
    UserVolumeSizeGib: 'userVolumeSizeGib',
    Protocols: 'protocols',
  };
  return Object.keys(old).filter((key) => key in wireToDesired && old[key] !== undefined && now[wireToDesired[key]] === undefined);
}

/** The tag keys the previous deployment declared: only those may ever be deleted. */
export function previousTagKeys(oldRaw: unknown): string[] {
  if (!isObject(oldRaw) || !Array.isArray(oldRaw.Tags)) {
    return [];
  }
  return oldRaw.Tags
    .filter(isObject)
    .map((t) => t.Key)
    .filter((k): k is string => typeof k === 'string' && k !== OWNERSHIP_TAG_KEY);
}

function parseWorkspaceProperties(raw: unknown): DesiredProperties {
  if (raw === undefined) {
    return {};
  }
  const props = asObject('WorkspaceProperties', raw);
  rejectUnknownKeys(WORKSPACE_RESOURCE_TYPE, 'WorkspaceProperties.', props, WORKSPACE_PROPERTY_KEYS);

  const runningMode = optionalString('WorkspaceProperties.RunningMode', props.RunningMode);
  if (runningMode !== undefined) {
    checkRunningMode('WorkspaceProperties.RunningMode', runningMode);
  }
  const autoStop = optionalNumber('WorkspaceProperties.RunningModeAutoStopTimeoutInMinutes', props.RunningModeAutoStopTimeoutInMinutes);
  if (autoStop !== undefined) {
    checkAutoStopTimeout('WorkspaceProperties.RunningModeAutoStopTimeoutInMinutes', autoStop, runningMode ?? '(not set)');
  }
  const computeTypeName = optionalString('WorkspaceProperties.ComputeTypeName', props.ComputeTypeName);
  if (computeTypeName !== undefined) {
    checkComputeTypeName('WorkspaceProperties.ComputeTypeName', computeTypeName);
  }
  const rootVolumeSizeGib = optionalNumber('WorkspaceProperties.RootVolumeSizeGib', props.RootVolumeSizeGib);
  if (rootVolumeSizeGib !== undefined) {
    checkRootVolumeSize('WorkspaceProperties.RootVolumeSizeGib', rootVolumeSizeGib);
  }
  const userVolumeSizeGib = optionalNumber('WorkspaceProperties.UserVolumeSizeGib', props.UserVolumeSizeGib);
  if (userVolumeSizeGib !== undefined) {
    checkUserVolumeSize('WorkspaceProperties.UserVolumeSizeGib', userVolumeSizeGib);
  }
  if (rootVolumeSizeGib !== undefined && userVolumeSizeGib !== undefined) {
    checkVolumePair('WorkspaceProperties.RootVolumeSizeGib', rootVolumeSizeGib, userVolumeSizeGib);
  }
  let protocols: string[] | undefined;
  if (props.Protocols !== undefined) {
    if (!Array.isArray(props.Protocols) || !props.Protocols.every((p) => typeof p === 'string')) {
      throw new InputError('WorkspaceProperties.Protocols', props.Protocols, 'must be a list of protocol names');
    }
    protocols = props.Protocols as string[];
    checkProtocols('WorkspaceProperties.Protocols', protocols);
  }

  return dropUndefined({
    runningMode,
    runningModeAutoStopTimeoutInMinutes: autoStop,
    computeTypeName,
    rootVolumeSizeGib,
    userVolumeSizeGib,
    protocols,
  });
}

/**
 * The timeout, cut so that the handler fails before CloudFormation does: the construct sets
 * ServiceTimeout to the timeout plus the margin, but a template written by hand may not.
 */
function withinServiceTimeout(timeoutSeconds: number, serviceTimeout: unknown): number {
  const service = Number(serviceTimeout);
  if (serviceTimeout === undefined || !Number.isFinite(service)) {
    return timeoutSeconds;
  }
  return Math.max(1, Math.min(timeoutSeconds, service - TIMEOUT_MARGIN_SECONDS));
}

function parseTimeoutSeconds(raw: unknown): number {
  const seconds = optionalNumber('TimeoutSeconds', raw);
  if (seconds === undefined) {
    return DEFAULT_TIMEOUT_SECONDS;
  }
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > LEGACY_MAX_TIMEOUT_SECONDS) {
    throw new InputError('TimeoutSeconds', raw, `must be a whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}`);
  }
  return Math.min(seconds, MAX_TIMEOUT_SECONDS);
}

function lenientBoolean(raw: unknown): boolean {
  return raw === true || raw === 'true';
}
