// `cdk-workspaces drift`: what a synthesized app declares, compared with what is live: each
// Workspace, each member of each WorkspaceFleet (found by directory and user name, as the
// service identifies a WorkSpace), each WorkspacesDirectory and each Workspace.fromUserName
// lookup. CloudFormation never reports drift for a custom resource. It reads CloudFormation
// only for ids that the template holds as tokens (with --stack), and only ListStackResources.
import type { Workspace } from '@aws-sdk/client-workspaces';
import { AssemblyStack, readAssembly } from './assembly';
import type { DeployedResource, StackResourceReader } from './cloudformation';
import { ABSENT, compare, compareDirectorySettings, Difference, mergeProperties, mergeTags } from './compare';
import { GONE_STATES, listDirectory, printable, Progress } from './live';
import { errorText, WorkspacesApi } from '../lambda/api';
import { parseLookupId } from '../lambda/core/lookup-id';
import { DesiredWorkspace, isObject, parseProperties, withBundleId } from '../lambda/parse';
import { resolveBundle } from '../lambda/preflight';
import { checkDirectoryId } from '../src/private/rules';

/** The resource types this command compares; the names are the wire contract's. */
export const WORKSPACE_TYPE = 'Custom::Workspace';
export const FLEET_TYPE = 'Custom::WorkspaceFleet';
export const DIRECTORY_TYPE = 'Custom::WorkspacesDirectory';
export const LOOKUP_TYPE = 'Custom::WorkspaceLookup';
const TYPES = [WORKSPACE_TYPE, FLEET_TYPE, DIRECTORY_TYPE, LOOKUP_TYPE];

/** Template properties that say how to deploy, not what the WorkSpace is. */
const NOT_COMPARED = ['ServiceToken', 'ServiceTimeout', 'AdoptExisting', 'TimeoutSeconds', 'DisruptionPolicy'];

export type { Difference } from './compare';
export { compare, compareDirectorySettings } from './compare';

export type Status = 'in-sync' | 'drifted' | 'missing' | 'error';

export interface ResourceDrift {
  readonly stack: string;
  readonly logicalId: string;
  /** Custom::Workspace, Custom::WorkspaceFleet (one entry per member), Custom::WorkspacesDirectory or Custom::WorkspaceLookup. */
  readonly resourceType: string;
  /** The construct's path, when the template has it (the CDK CLI writes it). */
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
  /** About the app as a whole: a newer assembly schema, or that it declares nothing to compare. */
  readonly notes: readonly string[];
}

/** Ids given on the command line for directory ids that the template holds as tokens. */
export interface DirectoryOverrides {
  /** For every token-valued directory id not named otherwise (`--directory d-...`). */
  readonly all?: string;
  /** By the logical id the token refers to, or the declaring resource's logical id or path (`--directory X=d-...`). */
  readonly byResource: ReadonlyMap<string, string>;
}

export interface DriftOptions {
  readonly overrides?: DirectoryOverrides;
  /** How to read the deployed stack (with --stack): CloudFormation's ListStackResources. */
  readonly stackResources?: StackResourceReader;
}

/**
 * 0 only when everything the app declares was compared and is in sync; 1 drifted or missing;
 * 2 when anything could not be compared, or the app declares nothing this command compares.
 */
export function exitCode(report: DriftReport): number {
  if (report.resources.length === 0 || report.resources.some((r) => r.status === 'error')) {
    return 2;
  }
  return report.resources.some((r) => r.status === 'drifted' || r.status === 'missing') ? 1 : 0;
}

/** A declared resource as the template has it. */
interface Declared {
  readonly stack: AssemblyStack;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly path?: string;
  readonly properties: Record<string, unknown>;
}

/** The resources this command compares, of one stack (by any of its names) or all. */
export function declaredResources(assemblyDir: string, stackName?: string): { declared: Declared[]; notes: string[] } {
  const { stacks, notes } = readAssembly(assemblyDir);
  const chosen = stackName === undefined ? stacks : stacks.filter((s) => s.aliases.includes(stackName));
  if (stackName !== undefined && chosen.length === 0) {
    throw new Error(`No stack ${stackName} in ${assemblyDir} (its stacks: ${stacks.map((s) => s.name).join(', ') || 'none'})`);
  }
  const declared: Declared[] = [];
  for (const stack of chosen) {
    const resources = stack.template.Resources ?? {};
    if (typeof resources !== 'object') {
      throw new Error(`${stack.templateFile}: Resources is not an object`);
    }
    for (const [logicalId, resource] of Object.entries<any>(resources)) {
      if (TYPES.includes(resource?.Type)) {
        // The path of the construct, not of the custom resource inside it.
        const raw = resource.Metadata?.['aws:cdk:path'];
        const constructPath = typeof raw === 'string' ? raw.replace(/\/(Resource|Lookup)\/Default$/, '') : undefined;
        const properties = isObject(resource.Properties) ? resource.Properties : {};
        declared.push({ stack, logicalId, resourceType: resource.Type, path: constructPath, properties });
      }
    }
  }
  return { declared, notes: [...notes] };
}

/** Compares everything declared with what is live; reads each directory's WorkSpaces once. */
export async function drift(
  api: WorkspacesApi, assemblyDir: string, stackName: string | undefined, progress: Progress, options: DriftOptions = {},
): Promise<DriftReport> {
  const { declared, notes } = declaredResources(assemblyDir, stackName);
  notes.forEach((n) => progress(`Note: ${n}`));
  progress(`${declared.length} declared resource${declared.length === 1 ? '' : 's'} to compare in ${assemblyDir}`);
  const listings = new Map<string, Promise<Workspace[]>>();
  const listing = (directoryId: string) => {
    let found = listings.get(directoryId);
    if (!found) {
      found = listDirectory(api, directoryId, progress);
      listings.set(directoryId, found);
    }
    return found;
  };
  const deployed = new Map<string, Promise<ReadonlyMap<string, DeployedResource>>>();
  const deployedOf = (stack: AssemblyStack) => {
    if (stackName === undefined || options.stackResources === undefined) {
      return undefined;
    }
    let found = deployed.get(stack.stackName);
    if (!found) {
      found = options.stackResources(stack.stackName);
      deployed.set(stack.stackName, found);
    }
    return found;
  };
  const context: Context = { api, listing, deployedOf, overrides: options.overrides ?? { byResource: new Map() } };

  const resources: ResourceDrift[] = [];
  for (const d of declared) {
    const base = { stack: d.stack.name, logicalId: d.logicalId, resourceType: d.resourceType, path: d.path };
    try {
      if (d.resourceType === WORKSPACE_TYPE) {
        resources.push(await compareWorkspace(context, d, base, d.properties));
      } else if (d.resourceType === FLEET_TYPE) {
        resources.push(...await compareFleet(context, d, base));
      } else if (d.resourceType === DIRECTORY_TYPE) {
        resources.push(await compareDirectory(context, d, base));
      } else {
        resources.push(await compareLookup(context, d, base));
      }
    } catch (e) {
      resources.push({ ...base, status: 'error', differences: [], notes: [errorMessage(e)] });
    }
  }
  if (resources.length === 0) {
    notes.push(`The app declares no ${TYPES.join(', ')}${stackName === undefined ? '' : ` in stack ${stackName}`}: nothing was compared`);
  }
  return { resources, notes };
}

interface Context {
  readonly api: WorkspacesApi;
  readonly listing: (directoryId: string) => Promise<Workspace[]>;
  readonly deployedOf: (stack: AssemblyStack) => Promise<ReadonlyMap<string, DeployedResource>> | undefined;
  readonly overrides: DirectoryOverrides;
}

type Base = Pick<ResourceDrift, 'stack' | 'logicalId' | 'resourceType' | 'path'>;

/** An error the user can act on, kept apart from the SDK's own. */
class NotComparable extends Error {}

function errorMessage(e: unknown): string {
  return e instanceof Error && (e instanceof NotComparable || e.name === 'Error') ? e.message : errorText(e);
}

/**
 * The directory id a resource declares: a literal, or a token (Ref or Fn::GetAtt of a resource
 * of the same stack) resolved from --directory or from the deployed stack.
 */
async function directoryIdOf(context: Context, d: Declared, value: unknown): Promise<string> {
  if (typeof value === 'string') {
    return value;
  }
  const target = tokenTarget(value);
  const shown = JSON.stringify(value);
  const named = [target, d.logicalId, d.path].filter((x): x is string => x !== undefined);
  const override = named.map((n) => context.overrides.byResource.get(n)).find((x) => x !== undefined) ?? context.overrides.all;
  if (override !== undefined) {
    return override;
  }
  const reading = target === undefined ? undefined : context.deployedOf(d.stack);
  if (reading === undefined) {
    throw new NotComparable(`DirectoryId is ${shown}, resolved only at deploy time: pass --stack ${d.stack.stackName} to read it from the deployed stack, `
      + `or --directory ${target ?? d.logicalId}=<directory id>`);
  }
  const physicalId = (await reading).get(target!)?.physicalId;
  // A registration's physical id is the directory id, with a suffix when it was adopted.
  const directoryId = physicalId?.split('/')[0];
  if (directoryId === undefined || !/^d-[0-9a-f]{8,63}$/.test(directoryId)) {
    throw new NotComparable(`DirectoryId is ${shown}, and the deployed stack ${d.stack.stackName} has ${physicalId === undefined ? `no resource ${target}` : `${JSON.stringify(physicalId)} for ${target}, not a directory id`}: `
      + `pass --directory ${target}=<directory id>`);
  }
  return directoryId;
}

/** The logical id a Ref or Fn::GetAtt names. */
function tokenTarget(value: unknown): string | undefined {
  if (!isObject(value)) {
    return undefined;
  }
  if (typeof value.Ref === 'string') {
    return value.Ref;
  }
  const getAtt = value['Fn::GetAtt'];
  return Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
}

async function compareWorkspace(context: Context, d: Declared, base: Base, properties: Record<string, unknown>): Promise<ResourceDrift> {
  const notes: string[] = [];
  let desired: DesiredWorkspace;
  const raw = comparable(properties, notes);
  try {
    raw.DirectoryId = await directoryIdOf(context, d, properties.DirectoryId);
  } catch (e) {
    return { ...base, userName: typeof properties.UserName === 'string' ? properties.UserName : undefined, status: 'error', differences: [], notes: [...notes, errorMessage(e)] };
  }
  try {
    desired = parseProperties(raw);
  } catch (e) {
    return { ...base, status: 'error', differences: [], notes: [...notes, `cannot read its properties: ${(e as Error).message}`] };
  }
  const found = { ...base, directoryId: desired.directoryId, userName: desired.userName };
  try {
    const candidates = (await context.listing(desired.directoryId)).filter((w) => (w.UserName ?? '').toLowerCase() === desired.userName.toLowerCase());
    const live = candidates.find((w) => !GONE_STATES.has(w.State ?? ''));
    if (!live) {
      const gone = candidates[0];
      return {
        ...found,
        workspaceId: gone?.WorkspaceId,
        state: gone?.State,
        status: 'missing',
        differences: [],
        notes: [gone ? `its WorkSpace ${gone.WorkspaceId} is ${gone.State}` : `no WorkSpace of user ${desired.userName} in directory ${desired.directoryId}`],
      };
    }
    if (desired.bundleId === undefined) {
      // A bundle declared by name is compared as the handler would create it: by its id here.
      const bundle = await resolveBundle(context.api, desired.bundle);
      notes.push(`bundle ${JSON.stringify(desired.bundle.bundleName)} is ${bundle.BundleId} here`);
      desired = withBundleId(desired, bundle.BundleId!);
    }
    const tags = await context.api.tags(live.WorkspaceId ?? '');
    const differences = compare(desired, live, tags);
    return { ...found, workspaceId: live.WorkspaceId, state: live.State, status: differences.length > 0 ? 'drifted' : 'in-sync', differences, notes };
  } catch (e) {
    return { ...found, status: 'error', differences: [], notes: [...notes, errorMessage(e)] };
  }
}

/** Keys of a fleet's properties that are not a member's (how the fleet deploys). */
const FLEET_ONLY = ['Users', 'RemovalPolicy', 'RequestsPerSecond', 'ExportedUsers'];

/**
 * Each member of a fleet, compared as the Custom::Workspace it behaves as: the fleet's settings
 * with the user's overrides (WorkspaceProperties key by key, Tags by key), as the fleet's
 * construct documents them.
 */
async function compareFleet(context: Context, d: Declared, base: Base): Promise<ResourceDrift[]> {
  const users = d.properties.Users;
  if (users !== undefined && !Array.isArray(users)) {
    throw new NotComparable(`cannot read its properties: Users is ${JSON.stringify(users)}, not a list`);
  }
  if (users === undefined || users.length === 0) {
    return [{ ...base, status: 'in-sync', differences: [], notes: ['the fleet declares no users: nothing to compare'] }];
  }
  const common = Object.fromEntries(Object.entries(d.properties).filter(([k]) => !FLEET_ONLY.includes(k)));
  const results: ResourceDrift[] = [];
  for (const [i, user] of users.entries()) {
    if (!isObject(user)) {
      results.push({ ...base, status: 'error', differences: [], notes: [`cannot read its properties: Users[${i}] is ${JSON.stringify(user)}, not an object`] });
      continue;
    }
    const member = {
      ...common,
      UserName: user.UserName,
      WorkspaceProperties: mergeProperties(d.properties.WorkspaceProperties, user.WorkspaceProperties),
      Tags: mergeTags(d.properties.Tags, user.Tags),
    };
    results.push(await compareWorkspace(context, d, base, Object.fromEntries(Object.entries(member).filter(([, v]) => v !== undefined))));
  }
  return results;
}

/** A directory's registration and its declared settings, as DescribeWorkspaceDirectories shows them. */
async function compareDirectory(context: Context, d: Declared, base: Base): Promise<ResourceDrift> {
  const directoryId = await directoryIdOf(context, d, d.properties.DirectoryId);
  checkDirectoryId('DirectoryId', directoryId);
  const found = { ...base, directoryId };
  const live = await context.api.directory(directoryId);
  if (live === undefined) {
    return { ...found, status: 'missing', differences: [], notes: [`directory ${directoryId} is not registered with WorkSpaces (DescribeWorkspaceDirectories does not list it)`] };
  }
  const notes: string[] = [];
  const differences = compareDirectorySettings(d.properties, live, notes);
  return { ...found, state: live.State, status: differences.length > 0 ? 'drifted' : 'in-sync', differences, notes };
}

/**
 * A lookup names the user's WorkSpace at deploy time: it has drifted when the user has none
 * any more, or (with the deployed stack) when the user's WorkSpace is another one than the
 * stack read, so what uses its id points at the old one.
 */
async function compareLookup(context: Context, d: Declared, base: Base): Promise<ResourceDrift> {
  const directoryId = await directoryIdOf(context, d, d.properties.DirectoryId);
  const userName = d.properties.UserName;
  if (typeof userName !== 'string') {
    throw new NotComparable(`cannot read its properties: UserName is ${JSON.stringify(userName)}, not a string`);
  }
  checkDirectoryId('DirectoryId', directoryId);
  const found = { ...base, directoryId, userName };
  const live = (await context.listing(directoryId))
    .find((w) => (w.UserName ?? '').toLowerCase() === userName.toLowerCase() && !GONE_STATES.has(w.State ?? ''));
  if (live === undefined) {
    return { ...found, status: 'missing', differences: [], notes: [`no WorkSpace of user ${userName} in directory ${directoryId}: the next deploy's lookup fails`] };
  }
  const differences: Difference[] = [];
  const notes: string[] = [];
  const reading = context.deployedOf(d.stack);
  let deployedId: string | undefined;
  try {
    const physicalId = reading === undefined ? undefined : (await reading).get(d.logicalId)?.physicalId;
    deployedId = physicalId === undefined ? undefined : parseLookupId(physicalId)?.workspaceId ?? physicalId;
  } catch (e) {
    // The lookup itself was compared; only the id the last deploy read is unknown.
    notes.push(`the WorkSpace id the last deploy read is not compared: ${errorMessage(e)}`);
  }
  if (deployedId === undefined) {
    if (reading === undefined) {
      notes.push('the WorkSpace id the last deploy read is compared with --stack');
    }
  } else if (deployedId !== live.WorkspaceId) {
    differences.push({ property: 'WorkspaceId', declared: `${deployedId} (read at the last deploy)`, live: live.WorkspaceId ?? ABSENT });
  }
  return { ...found, workspaceId: live.WorkspaceId, state: live.State, status: differences.length > 0 ? 'drifted' : 'in-sync', differences, notes };
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

/** A report like `cdk diff`'s: one block per stack, one line per resource (per fleet member), one per difference. */
export function renderTable(report: DriftReport): string {
  const lines: string[] = [];
  const stacks = [...new Set(report.resources.map((r) => r.stack))];
  for (const stack of stacks) {
    lines.push(`Stack ${printable(stack)}`);
    const rows = report.resources.filter((r) => r.stack === stack);
    const rowText = rows.map((r) => [`${MARK[r.status]} ${r.resourceType} ${printable(r.path ?? r.logicalId)}`, who(r), STATUS_TEXT[r.status]]);
    const widths = [0, 1].map((c) => Math.max(...rowText.map((t) => t[c].length)));
    rows.forEach((r, i) => {
      lines.push(rowText[i].map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell)).join('  ').trimEnd());
      const details = [
        ...r.differences.map((d) => `[~] ${printable(d.property)}: live ${printable(d.live)}, declared ${printable(d.declared)}`),
        ...r.notes.map((n) => `    ${printable(n)}`),
      ];
      details.forEach((text, j) => lines.push(` ${j === details.length - 1 ? '└─' : '├─'} ${text}`));
    });
    lines.push('');
  }
  report.notes.forEach((n) => lines.push(`Note: ${printable(n)}`));
  const count = (s: Status) => report.resources.filter((r) => r.status === s).length;
  if (report.resources.length > 0) {
    lines.push(`${kinds(report.resources)}: ${count('in-sync')} in sync, `
      + `${count('drifted')} drifted, ${count('missing')} missing, ${count('error')} not compared (error)`);
  }
  const notCompared = report.resources.filter((r) => r.status === 'error');
  if (notCompared.length > 0) {
    lines.push(`Not compared: ${notCompared.map((r) => `${printable(r.path ?? `${r.stack}/${r.logicalId}`)}${r.userName !== undefined ? ` (${printable(r.userName)})` : ''}`).join(', ')}`);
  }
  return lines.join('\n') + '\n';
}

/** "3 WorkSpaces, 2 fleet members, 1 directory": what the report counts. */
function kinds(resources: readonly ResourceDrift[]): string {
  const names: Array<[string, string, string]> = [
    [WORKSPACE_TYPE, 'WorkSpace', 'WorkSpaces'], [FLEET_TYPE, 'fleet member', 'fleet members'],
    [DIRECTORY_TYPE, 'directory', 'directories'], [LOOKUP_TYPE, 'lookup', 'lookups'],
  ];
  return names.map(([type, one, many]) => {
    const n = resources.filter((r) => r.resourceType === type).length;
    return n === 0 ? '' : `${n} ${n === 1 ? one : many}`;
  }).filter((x) => x !== '').join(', ');
}

const MARK: Record<Status, string> = { 'in-sync': '[=]', 'drifted': '[~]', 'missing': '[-]', 'error': '[!]' };
const STATUS_TEXT: Record<Status, string> = { 'in-sync': 'in sync', 'drifted': 'drifted', 'missing': 'missing', 'error': 'error' };

function who(r: ResourceDrift): string {
  const where = r.directoryId !== undefined ? ` in ${r.directoryId}` : '';
  const user = r.userName !== undefined ? `${printable(r.userName)}${where}` : r.directoryId ?? '';
  const ws = r.workspaceId !== undefined ? ` ${r.workspaceId}${r.state ? ` ${r.state}` : ''}` : r.userName === undefined && r.state ? ` ${r.state}` : '';
  return `${user}${ws}`;
}
