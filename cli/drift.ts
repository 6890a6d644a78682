// `cdk-workspaces drift`: each WorkSpace that a synthesized app declares, compared with the
// live one. CloudFormation never reports drift for a custom resource, and this needs no
// CloudFormation access: the WorkSpace is found by directory and user name, as the service
// itself identifies it.
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import type { Workspace, WorkspaceProperties } from '@aws-sdk/client-workspaces';
import { GONE_STATES, listDirectory, Progress } from './live';
import { errorText, WorkspacesApi } from '../lambda/api';
import { DesiredWorkspace, parseProperties, withBundleId } from '../lambda/parse';
import { nextStep } from '../lambda/plan';
import { resolveBundle } from '../lambda/preflight';

/** The resource type of the construct's custom resource. */
const RESOURCE_TYPE = 'Custom::Workspace';
/** Template properties that say how to deploy, not what the WorkSpace is. */
const NOT_COMPARED = ['ServiceToken', 'AdoptExisting', 'TimeoutSeconds'];
/** States in which a WorkSpace cannot be used or changed without someone's help. */
const TROUBLED_STATES: ReadonlySet<string> = new Set(['ERROR', 'SUSPENDED', 'UNHEALTHY', 'IMPAIRED']);
/** More single steps than any real difference takes (tags, running mode, protocols, compute, volumes). */
const MAX_STEPS = 16;

export type Status = 'in-sync' | 'drifted' | 'missing' | 'error';

export interface Difference {
  /** The template's name for it, such as `WorkspaceProperties.ComputeTypeName` or `Tags.team`. */
  readonly property: string;
  readonly declared: string;
  readonly live: string;
}

export interface ResourceDrift {
  readonly stack: string;
  readonly logicalId: string;
  /** The Workspace's construct path, when the template has it (the CDK CLI writes it). */
  readonly path?: string;
  readonly directoryId?: string;
  readonly userName?: string;
  readonly workspaceId?: string;
  readonly state?: string;
  readonly status: Status;
  readonly differences: readonly Difference[];
  /** Why the resource could not be compared (status error), or what was not compared. */
  readonly notes: readonly string[];
}

export interface DriftReport {
  readonly resources: readonly ResourceDrift[];
}

/** 0 in sync, 1 drifted (or missing), 2 when something could not be compared. */
export function exitCode(report: DriftReport): number {
  if (report.resources.some((r) => r.status === 'error')) {
    return 2;
  }
  return report.resources.some((r) => r.status === 'drifted' || r.status === 'missing') ? 1 : 0;
}

/** A declared WorkSpace as the template has it. */
interface Declared {
  readonly stack: string;
  readonly logicalId: string;
  readonly path?: string;
  readonly properties: Record<string, unknown>;
}

/** Every stack template of the cloud assembly (nested assemblies of stages included). */
export function readStacks(assemblyDir: string): Array<{ name: string; aliases: string[]; template: any }> {
  const manifestFile = path.join(assemblyDir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new Error(`${assemblyDir} is not a cloud assembly: it has no manifest.json (synthesize the app with \`cdk synth\` first)`);
  }
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  const stacks: Array<{ name: string; aliases: string[]; template: any }> = [];
  for (const [id, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      const template = JSON.parse(readFileSync(path.join(assemblyDir, artifact.properties.templateFile), 'utf8'));
      const name: string = artifact.displayName ?? artifact.properties.stackName ?? id;
      // A stack is named as `cdk` names it: by its path (Stage/Stack), its id, or its CloudFormation name.
      const aliases = [name, id, name.split('/').pop() ?? name, artifact.properties.stackName].filter((a): a is string => typeof a === 'string');
      stacks.push({ name, aliases, template });
    } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      stacks.push(...readStacks(path.join(assemblyDir, artifact.properties.directoryName)));
    }
  }
  return stacks;
}

/** The declared WorkSpaces of the assembly, of one stack (by name or display name) or all. */
export function declaredWorkspaces(assemblyDir: string, stackName?: string): Declared[] {
  const stacks = readStacks(assemblyDir);
  const chosen = stackName === undefined
    ? stacks
    : stacks.filter((s) => s.aliases.includes(stackName));
  if (stackName !== undefined && chosen.length === 0) {
    throw new Error(`No stack ${stackName} in ${assemblyDir} (its stacks: ${stacks.map((s) => s.name).join(', ') || 'none'})`);
  }
  const declared: Declared[] = [];
  for (const { name, template } of chosen) {
    for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
      if (resource.Type === RESOURCE_TYPE) {
        // The path of the Workspace construct, not of the custom resource inside it.
        const constructPath: string | undefined = resource.Metadata?.['aws:cdk:path']?.replace(/\/Resource\/Default$/, '');
        declared.push({ stack: name, logicalId, path: constructPath, properties: resource.Properties ?? {} });
      }
    }
  }
  return declared;
}

/** Compares every declared WorkSpace with the live one; reads each directory once. */
export async function drift(api: WorkspacesApi, assemblyDir: string, stackName: string | undefined, progress: Progress): Promise<DriftReport> {
  const declared = declaredWorkspaces(assemblyDir, stackName);
  progress(`${declared.length} declared WorkSpace${declared.length === 1 ? '' : 's'} in ${assemblyDir}`);
  const directories = new Map<string, Promise<Workspace[]>>();
  const resources: ResourceDrift[] = [];
  for (const d of declared) {
    const base = { stack: d.stack, logicalId: d.logicalId, path: d.path };
    const notes: string[] = [];
    let desired: DesiredWorkspace;
    try {
      desired = parseProperties(comparable(d.properties, notes));
    } catch (e) {
      resources.push({ ...base, status: 'error', differences: [], notes: [...notes, `cannot read its properties: ${(e as Error).message}`] });
      continue;
    }
    const found = { ...base, directoryId: desired.directoryId, userName: desired.userName };
    try {
      let listing = directories.get(desired.directoryId);
      if (!listing) {
        listing = listDirectory(api, desired.directoryId, progress);
        directories.set(desired.directoryId, listing);
      }
      const candidates = (await listing).filter((w) => (w.UserName ?? '').toLowerCase() === desired.userName.toLowerCase());
      const live = candidates.find((w) => !GONE_STATES.has(w.State ?? ''));
      if (!live) {
        const gone = candidates[0];
        resources.push({
          ...found,
          workspaceId: gone?.WorkspaceId,
          state: gone?.State,
          status: 'missing',
          differences: [],
          notes: [gone ? `its WorkSpace ${gone.WorkspaceId} is ${gone.State}` : `no WorkSpace of user ${desired.userName} in directory ${desired.directoryId}`],
        });
        continue;
      }
      if (desired.bundleId === undefined) {
        // A bundle declared by name is compared as the handler would create it: by its id here.
        const bundle = await resolveBundle(api, desired.bundle);
        notes.push(`bundle ${JSON.stringify(desired.bundle.bundleName)} is ${bundle.BundleId} here`);
        desired = withBundleId(desired, bundle.BundleId!);
      }
      const tags = await api.tags(live.WorkspaceId ?? '');
      const differences = compare(desired, live, tags);
      resources.push({
        ...found,
        workspaceId: live.WorkspaceId,
        state: live.State,
        status: differences.length > 0 ? 'drifted' : 'in-sync',
        differences,
        notes,
      });
    } catch (e) {
      resources.push({ ...found, status: 'error', differences: [], notes: [...notes, errorText(e)] });
    }
  }
  return { resources };
}

/**
 * The properties that parseProperties reads, without the ones about deploying and without
 * values that only CloudFormation can resolve (a key created in the same stack, say).
 */
function comparable(properties: Record<string, unknown>, notes: string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(properties)) {
    if (NOT_COMPARED.includes(key)) {
      continue;
    }
    if (key === 'VolumeEncryptionKey' && typeof value !== 'string') {
      notes.push(`VolumeEncryptionKey is resolved at deploy time (${JSON.stringify(value)}): not compared`);
      continue;
    }
    result[key] = value;
  }
  return result;
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

const ABSENT = '(absent)';

function show(value: unknown): string {
  if (value === undefined) {
    return ABSENT;
  }
  return Array.isArray(value) ? [...value].sort().join(',') : String(value);
}

/** A report like `cdk diff`'s: one block per stack, one line per WorkSpace, one per difference. */
export function renderTable(report: DriftReport): string {
  const lines: string[] = [];
  const stacks = [...new Set(report.resources.map((r) => r.stack))];
  for (const stack of stacks) {
    lines.push(`Stack ${stack}`);
    const rows = report.resources.filter((r) => r.stack === stack);
    const rowText = rows.map((r) => [`${MARK[r.status]} ${RESOURCE_TYPE} ${r.path ?? r.logicalId}`, who(r), STATUS_TEXT[r.status]]);
    const widths = [0, 1].map((c) => Math.max(...rowText.map((t) => t[c].length)));
    rows.forEach((r, i) => {
      lines.push(rowText[i].map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell)).join('  ').trimEnd());
      const details = [
        ...r.differences.map((d) => `[~] ${d.property}: live ${d.live}, declared ${d.declared}`),
        ...r.notes.map((n) => `    ${n}`),
      ];
      details.forEach((text, j) => lines.push(` ${j === details.length - 1 ? '└─' : '├─'} ${text}`));
    });
    lines.push('');
  }
  const count = (s: Status) => report.resources.filter((r) => r.status === s).length;
  lines.push(report.resources.length === 0
    ? 'No Custom::Workspace resources in the app.'
    : `${report.resources.length} WorkSpace${report.resources.length === 1 ? '' : 's'}: ${count('in-sync')} in sync, `
      + `${count('drifted')} drifted, ${count('missing')} missing, ${count('error')} not compared (error)`);
  return lines.join('\n') + '\n';
}

const MARK: Record<Status, string> = { 'in-sync': '[=]', 'drifted': '[~]', 'missing': '[-]', 'error': '[!]' };
const STATUS_TEXT: Record<Status, string> = { 'in-sync': 'in sync', 'drifted': 'drifted', 'missing': 'missing', 'error': 'error' };

function who(r: ResourceDrift): string {
  const user = r.userName !== undefined ? `${r.userName} in ${r.directoryId}` : '';
  const ws = r.workspaceId !== undefined ? ` ${r.workspaceId}${r.state ? ` ${r.state}` : ''}` : '';
  return `${user}${ws}`;
}
