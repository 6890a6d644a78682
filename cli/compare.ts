// The comparisons of `cdk-workspaces drift`, one declared resource against what the service
// describes: a WorkSpace (as the handler's own plan sees the difference), a directory's settings,
// and how a fleet's member is declared (the fleet's settings with the user's on top).
import type { Workspace, WorkspaceDirectory, WorkspaceProperties } from '@aws-sdk/client-workspaces';
import { DesiredWorkspace, isObject } from '../lambda/parse';
import { nextStep } from '../lambda/plan';

/** States in which a WorkSpace cannot be used or changed without someone's help. */
const TROUBLED_STATES: ReadonlySet<string> = new Set(['ERROR', 'SUSPENDED', 'UNHEALTHY', 'IMPAIRED']);
/** More single steps than any real difference takes (tags, running mode, protocols, compute, volumes). */
const MAX_STEPS = 16;

export interface Difference {
  /** The template's name for it, such as `WorkspaceProperties.ComputeTypeName` or `Tags.team`. */
  readonly property: string;
  readonly declared: string;
  readonly live: string;
}

/**
 * What differs, as the handler sees it: the properties and tags that its next deploy would
 * change (found by playing its own plan, nextStep, forward on a copy), the ones that would need
 * a replacement, and a state that needs someone's help. Tags the app does not declare are not
 * the stack's, and the handler leaves them alone: they are not drift.
 */
export function compare(desired: DesiredWorkspace, live: Workspace, liveTags: Readonly<Record<string, string>>): Difference[] {
  const differences: Difference[] = [];
  const replacement: Array<[string, string, string]> = [
    ['BundleId', desired.bundleId ?? '', live.BundleId ?? ''],
    ['RootVolumeEncryptionEnabled', String(desired.rootVolumeEncryptionEnabled), String(live.RootVolumeEncryptionEnabled === true)],
    ['UserVolumeEncryptionEnabled', String(desired.userVolumeEncryptionEnabled), String(live.UserVolumeEncryptionEnabled === true)],
  ];
  if (desired.volumeEncryptionKey !== undefined) {
    replacement.push(['VolumeEncryptionKey', desired.volumeEncryptionKey, live.VolumeEncryptionKey ?? '']);
  }
  for (const [property, want, have] of replacement) {
    if (want !== have) {
      differences.push({ property, declared: want, live: have || ABSENT });
    }
  }

  const start = live.WorkspaceProperties ?? {};
  let properties: WorkspaceProperties = { ...start };
  const tags: Record<string, string> = { ...liveTags };
  for (let i = 0; i < MAX_STEPS; i++) {
    const step = nextStep(desired, [], { ...live, WorkspaceProperties: properties }, tags);
    if (step === undefined) {
      break;
    }
    if (step.kind === 'impossible') {
      // No order of single changes gets there; the volumes still differ, and that is the drift.
      properties = {
        ...properties,
        RootVolumeSizeGib: desired.properties.rootVolumeSizeGib ?? properties.RootVolumeSizeGib,
        UserVolumeSizeGib: desired.properties.userVolumeSizeGib ?? properties.UserVolumeSizeGib,
      };
      break;
    }
    if (step.kind === 'createTags') {
      step.tags.forEach((t) => { tags[t.Key] = t.Value; });
    } else if (step.kind === 'deleteTags') {
      step.keys.forEach((k) => { delete tags[k]; });
    } else {
      properties = { ...properties, ...step.properties };
    }
  }
  const fields: Array<keyof WorkspaceProperties> = [
    'RunningMode', 'RunningModeAutoStopTimeoutInMinutes', 'ComputeTypeName', 'RootVolumeSizeGib', 'UserVolumeSizeGib', 'Protocols',
  ];
  for (const field of fields) {
    const want = show(properties[field]);
    const have = show(start[field]);
    if (want !== have) {
      differences.push({ property: `WorkspaceProperties.${field}`, declared: want, live: have });
    }
  }
  for (const key of Object.keys(tags).sort()) {
    if (tags[key] !== liveTags[key]) {
      differences.push({ property: `Tags.${key}`, declared: tags[key], live: liveTags[key] ?? ABSENT });
    }
  }
  const state = live.State ?? 'UNKNOWN';
  if (TROUBLED_STATES.has(state)) {
    const error = live.ErrorCode ? ` (${live.ErrorCode}: ${live.ErrorMessage ?? ''})` : '';
    differences.push({ property: 'State', declared: 'AVAILABLE or STOPPED', live: `${state}${error}` });
  }
  return differences;
}

export const ABSENT = '(absent)';

function show(value: unknown): string {
  if (value === undefined) {
    return ABSENT;
  }
  return Array.isArray(value) ? [...value].sort().join(',') : String(value);
}

/**
 * The settings the handler applies, each declared one against the live one; what the directory
 * has beyond them (an IP group associated elsewhere, a setting left to its default) is not drift.
 */
export function compareDirectorySettings(declared: Record<string, unknown>, live: WorkspaceDirectory, notes: string[]): Difference[] {
  const differences: Difference[] = [];
  if (live.State !== 'REGISTERED') {
    differences.push({ property: 'State', declared: 'REGISTERED', live: `${live.State ?? 'UNKNOWN'}${live.ErrorMessage ? ` (${live.ErrorMessage})` : ''}` });
  }
  const subnets = declared.SubnetIds;
  if (Array.isArray(subnets)) {
    if (subnets.every((s) => typeof s === 'string')) {
      const want = show(subnets);
      const have = show(live.SubnetIds ?? []);
      if (want !== have) {
        differences.push({ property: 'SubnetIds', declared: want, live: have });
      }
    } else {
      notes.push(`SubnetIds is resolved at deploy time (${JSON.stringify(subnets)}): not compared`);
    }
  }
  const tenancy = typeof declared.Tenancy === 'string' ? declared.Tenancy : 'SHARED';
  if (tenancy !== (live.Tenancy ?? 'SHARED')) {
    differences.push({ property: 'Tenancy', declared: tenancy, live: live.Tenancy ?? 'SHARED' });
  }
  const groups: Array<[string, Record<string, unknown> | undefined]> = [
    ['SelfservicePermissions', live.SelfservicePermissions as Record<string, unknown> | undefined],
    ['WorkspaceCreationProperties', live.WorkspaceCreationProperties as Record<string, unknown> | undefined],
    ['WorkspaceAccessProperties', live.WorkspaceAccessProperties as Record<string, unknown> | undefined],
  ];
  for (const [group, liveValues] of groups) {
    const want = declared[group];
    if (!isObject(want)) {
      continue;
    }
    for (const [key, value] of Object.entries(want)) {
      if (value === undefined || value === null) {
        continue;
      }
      if (typeof value === 'object') {
        notes.push(`${group}.${key} is resolved at deploy time (${JSON.stringify(value)}): not compared`);
        continue;
      }
      const have = liveValues?.[key];
      if (String(value) !== String(have ?? ABSENT)) {
        differences.push({ property: `${group}.${key}`, declared: String(value), live: have === undefined ? ABSENT : String(have) });
      }
    }
  }
  if (Array.isArray(declared.IpGroupIds)) {
    const associated = live.ipGroupIds ?? [];
    const notThere = declared.IpGroupIds.filter((g) => typeof g === 'string' && !associated.includes(g));
    if (notThere.length > 0) {
      differences.push({ property: 'IpGroupIds', declared: show(declared.IpGroupIds), live: show(associated) || ABSENT });
    }
  }
  return differences;
}

/** The fleet's WorkspaceProperties with the user's on top; a user's other running mode drops the fleet's auto-stop timeout. */
export function mergeProperties(fleet: unknown, user: unknown): unknown {
  if (user === undefined) {
    return fleet;
  }
  if (!isObject(user) || (fleet !== undefined && !isObject(fleet))) {
    return user;
  }
  const merged: Record<string, unknown> = { ...(fleet ?? {}), ...user };
  if (user.RunningMode !== undefined && user.RunningModeAutoStopTimeoutInMinutes === undefined) {
    delete merged.RunningModeAutoStopTimeoutInMinutes;
  }
  return merged;
}

/** The fleet's tags, then the user's: a user's tag of the same key wins. */
export function mergeTags(fleet: unknown, user: unknown): unknown {
  if (fleet === undefined && user === undefined) {
    return undefined;
  }
  if ((fleet !== undefined && !Array.isArray(fleet)) || (user !== undefined && !Array.isArray(user))) {
    // Not a list: passed on as it is, for the parser to refuse by name.
    return fleet !== undefined && !Array.isArray(fleet) ? fleet : user;
  }
  const byKey = new Map<unknown, unknown>();
  for (const tag of [...(fleet ?? []), ...(user ?? [])]) {
    byKey.set(isObject(tag) ? tag.Key : tag, tag);
  }
  return [...byKey.values()];
}
