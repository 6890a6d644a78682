// `cdk-workspaces import`: the WorkSpaces of a directory as CDK code that declares them as they
// are, each with adoptExisting so that the first deploy takes the WorkSpace over instead of
// asking for a second one.
import type { Workspace } from '@aws-sdk/client-workspaces';
import { GONE_STATES, listDirectory, LiveWorkspace, printable, Progress, withTags } from './live';
import type { WorkspacesApi } from '../lambda/api';
import { ComputeType } from '../src/compute-type';
import { checkDirectoryId, OWNERSHIP_TAG_KEY } from '../src/private/rules';
import { Protocol } from '../src/protocol';
import { RunningMode } from '../src/running-mode';

export type Language = 'typescript' | 'python';
export const LANGUAGES: readonly Language[] = ['typescript', 'python'];

/** A WorkSpace that the generated code leaves out, and why. */
export interface LeftOut {
  readonly workspaceId: string;
  readonly userName: string;
  readonly reason: string;
}

/** One stack class of the generated code. */
export interface GeneratedStack {
  /** The class name, such as ImportedWorkspacesStack. */
  readonly className: string;
  /** The construct id the app file gives it (the stack's name). */
  readonly stackId: string;
  /** How many WorkSpaces it declares. */
  readonly workspaces: number;
}

/** The generated code: a module of stack classes, with no App in it. */
export interface GeneratedCode {
  readonly code: string;
  readonly stacks: readonly GeneratedStack[];
}

export interface ImportResult extends GeneratedCode {
  readonly declared: readonly LiveWorkspace[];
  readonly leftOut: readonly LeftOut[];
}

/**
 * Most WorkSpaces one generated stack declares. CloudFormation allows 500 resources a stack; each
 * WorkSpace is one, and the provider adds about 20 (its functions, roles, policies, log groups,
 * and what a VPC-attached provider adds), so a directory beyond this becomes several stacks.
 */
export const MAX_WORKSPACES_PER_STACK = 400;

/** Reads the directory and writes the code that declares its WorkSpaces. */
export async function importDirectory(api: WorkspacesApi, directoryId: string, language: Language, progress: Progress): Promise<ImportResult> {
  checkDirectoryId('--directory', directoryId);
  // An unknown or unregistered directory has no WorkSpaces to list: say so, rather than write an empty app.
  const directory = await api.directory(directoryId);
  if (directory === undefined || directory.State !== 'REGISTERED') {
    throw new Error(`Directory ${directoryId} is ${directory === undefined ? 'not registered with WorkSpaces in this account and region (DescribeWorkspaceDirectories does not list it)' : `${directory.State}, not REGISTERED, in WorkSpaces`}: `
      + 'check --directory, and --region / AWS_REGION (or the profile\'s region); register the directory first (WorkspacesDirectory, or the WorkSpaces console). No file was written.');
  }
  const all = await listDirectory(api, directoryId, progress);
  const leftOut: LeftOut[] = [];
  const present = all.filter((w) => {
    if (GONE_STATES.has(w.State ?? '')) {
      leftOut.push(leftOutEntry(w, `it is ${w.State}`));
      return false;
    }
    return true;
  });
  const live = await withTags(api, present, progress);
  const declared = live.filter(({ workspace, tags }) => {
    const owner = tags[OWNERSHIP_TAG_KEY];
    if (owner !== undefined) {
      leftOut.push(leftOutEntry(workspace, `already managed by cdk-workspaces (${OWNERSHIP_TAG_KEY}: ${printable(owner)})`));
      return false;
    }
    return true;
  });
  declared.sort((a, b) => compareText(a.workspace.UserName ?? '', b.workspace.UserName ?? ''));
  leftOut.sort((a, b) => compareText(a.userName, b.userName));
  const code = language === 'python'
    ? renderPython(directoryId, declared, leftOut.length)
    : renderTypeScript(directoryId, declared, leftOut.length);
  return { ...code, declared, leftOut };
}

function leftOutEntry(w: Workspace, reason: string): LeftOut {
  return { workspaceId: w.WorkspaceId ?? '(no id)', userName: w.UserName ?? '(no user)', reason };
}

/**
 * One WorkSpace's declaration, independent of the language: every property the service
 * reports, so that the construct's own defaults (such as AUTO_STOP) never stand in for it.
 * Text from the service is only ever written as an escaped literal (see literal()); what is
 * written as code (enum members, numbers, construct ids) is checked here first.
 */
interface Declaration {
  readonly constructId: string;
  /** The construct id of the imported key, when there is one. */
  readonly keyId?: string;
  readonly bundleId: string;
  readonly userName: string;
  readonly runningMode?: RunningMode;
  readonly autoStopMinutes?: number;
  readonly computeType?: string;
  readonly rootGib?: number;
  readonly userGib?: number;
  readonly protocols?: readonly Protocol[];
  readonly rootEncrypted: boolean;
  readonly userEncrypted: boolean;
  readonly volumeEncryptionKey?: string;
  readonly tags: ReadonlyArray<[string, string]>;
}

/** The construct id of the imported directory in each stack; no WorkSpace's id can take it. */
const DIRECTORY_CONSTRUCT_ID = 'WorkspacesDirectory';

function declarations(live: readonly LiveWorkspace[]): Declaration[] {
  // One namespace per stack for every construct id the file declares (the directory, each
  // WorkSpace, each imported key), compared without case as the logical ids are.
  const ids = new Set<string>([DIRECTORY_CONSTRUCT_ID.toLowerCase()]);
  return live.map(({ workspace: w, tags }) => {
    const p = w.WorkspaceProperties ?? {};
    const who = `WorkSpace ${w.WorkspaceId ?? ''} of user ${JSON.stringify(w.UserName ?? '')}`;
    const runningMode = p.RunningMode === undefined ? undefined : member(RunningMode, p.RunningMode, `${who}: RunningMode`);
    const constructId = uniqueId(pascalCase(w.UserName ?? 'Workspace'), ids);
    const volumeEncryptionKey = w.VolumeEncryptionKey || undefined;
    return {
      constructId,
      keyId: volumeEncryptionKey === undefined ? undefined : uniqueId(`${constructId}Key`, ids),
      bundleId: w.BundleId ?? '',
      userName: w.UserName ?? '',
      runningMode,
      autoStopMinutes: runningMode === RunningMode.AUTO_STOP ? wholeNumber(p.RunningModeAutoStopTimeoutInMinutes, `${who}: RunningModeAutoStopTimeoutInMinutes`) : undefined,
      computeType: p.ComputeTypeName,
      rootGib: wholeNumber(p.RootVolumeSizeGib, `${who}: RootVolumeSizeGib`),
      userGib: wholeNumber(p.UserVolumeSizeGib, `${who}: UserVolumeSizeGib`),
      protocols: p.Protocols && p.Protocols.length > 0 ? p.Protocols.map((x) => member(Protocol, x, `${who}: Protocols`)) : undefined,
      rootEncrypted: w.RootVolumeEncryptionEnabled === true,
      userEncrypted: w.UserVolumeEncryptionEnabled === true,
      volumeEncryptionKey,
      tags: Object.entries(tags).sort(([a], [b]) => compareText(a, b)),
    };
  });
}

/** A value of one of the library's enums, or an error: an enum member is written as code. */
function member<T extends string>(values: Record<string, T>, value: string, what: string): T {
  const found = Object.values(values).find((v) => v === value);
  if (found === undefined) {
    throw new Error(`${what} is ${JSON.stringify(value)}, which this version of cdk-workspaces cannot declare (it knows ${Object.values(values).join(', ')}): upgrade cdk-workspaces. No file was written.`);
  }
  return found;
}

function wholeNumber(value: unknown, what: string): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${what} is ${JSON.stringify(value)}, not a whole number. No file was written.`);
  }
  return value;
}

/** The declarations split into stacks that each fit CloudFormation's resource limit. */
function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += MAX_WORKSPACES_PER_STACK) {
    out.push(items.slice(i, i + MAX_WORKSPACES_PER_STACK));
  }
  return out.length > 0 ? out : [[]];
}

function stackNames(count: number): Array<{ className: string; stackId: string }> {
  return Array.from({ length: count }, (_, i) => (count === 1
    ? { className: 'ImportedWorkspacesStack', stackId: 'ImportedWorkspaces' }
    : { className: `ImportedWorkspaces${i + 1}Stack`, stackId: `ImportedWorkspaces${i + 1}` }));
}

/**
 * The file's header. It holds no text from the service or the command line (a comment cannot
 * escape anything: a line break or U+2028 in a tag value would end it), only counts and the date.
 */
function header(comment: string, stacks: readonly GeneratedStack[], leftOut: number): string[] {
  const declared = stacks.reduce((n, s) => n + s.workspaces, 0);
  const lines = [
    `Generated by \`cdk-workspaces import\` on ${new Date().toISOString()}.`,
    `${declared} WorkSpace${declared === 1 ? '' : 's'} of one directory as they are, each with adoptExisting:`,
    'the first deploy takes the existing WorkSpace over instead of creating another one.',
  ];
  if (stacks.length > 1) {
    lines.push(`${stacks.length} stacks of at most ${MAX_WORKSPACES_PER_STACK} WorkSpaces each, so that each stays within CloudFormation's 500 resources.`);
  }
  if (leftOut > 0) {
    lines.push(`${leftOut} WorkSpace${leftOut === 1 ? ' was' : 's were'} left out: the command listed them, with the reason, when it wrote this file.`);
  }
  lines.push('This module declares stack classes only; instantiate them in your app (or write one with --app-file).');
  return lines.map((l) => `${comment} ${l}`);
}

/** The TypeScript stack classes. */
export function renderTypeScript(directoryId: string, live: readonly LiveWorkspace[], leftOut: number): GeneratedCode {
  const parts = chunks(live);
  const names = stackNames(parts.length);
  const needs = { duration: false, size: false, tags: false, kms: false, computeType: false, protocol: false, runningMode: false };
  const classes: string[] = [];
  const stacks: GeneratedStack[] = [];
  parts.forEach((part, index) => {
    const decls = declarations(part);
    const variables = new Set<string>();
    const body: string[] = [];
    for (const d of decls) {
      const variable = uniqueId(`${camelCase(d.constructId)}Workspace`, variables);
      const props: string[] = [
        'directory',
        // By id: adoption needs the WorkSpace's own bundle, whatever its name.
        `bundle: WorkspaceBundle.fromBundleId(${literal(d.bundleId, 'typescript')})`,
        `userName: ${literal(d.userName, 'typescript')}`,
      ];
      if (d.runningMode !== undefined) {
        needs.runningMode = true;
        props.push(`runningMode: RunningMode.${d.runningMode}`);
      }
      if (d.autoStopMinutes !== undefined) {
        needs.duration = true;
        props.push(`autoStopTimeout: ${d.autoStopMinutes % 60 === 0 ? `Duration.hours(${d.autoStopMinutes / 60})` : `Duration.minutes(${d.autoStopMinutes})`}`);
      }
      if (d.computeType !== undefined) {
        needs.computeType = true;
        props.push(`computeType: ${isListedComputeType(d.computeType) ? `ComputeType.${d.computeType}` : `ComputeType.of(${literal(d.computeType, 'typescript')})`}`);
      }
      if (d.rootGib !== undefined) {
        needs.size = true;
        props.push(`rootVolumeSize: Size.gibibytes(${d.rootGib})`);
      }
      if (d.userGib !== undefined) {
        needs.size = true;
        props.push(`userVolumeSize: Size.gibibytes(${d.userGib})`);
      }
      if (d.protocols !== undefined) {
        needs.protocol = true;
        props.push(`protocols: [${d.protocols.map((p) => `Protocol.${p}`).join(', ')}]`);
      }
      if (d.rootEncrypted) {
        props.push('rootVolumeEncrypted: true');
      }
      if (d.userEncrypted) {
        props.push('userVolumeEncrypted: true');
      }
      if (d.volumeEncryptionKey !== undefined) {
        needs.kms = true;
        props.push(`volumeEncryptionKey: kms.Key.fromKeyArn(this, ${literal(d.keyId!, 'typescript')}, ${literal(d.volumeEncryptionKey, 'typescript')})`);
      }
      props.push('adoptExisting: true');
      const assign = d.tags.length > 0 ? `const ${variable} = ` : '';
      body.push(`    ${assign}new Workspace(this, ${literal(d.constructId, 'typescript')}, {`, ...props.map((p) => `      ${p},`), '    });');
      if (d.tags.length > 0) {
        needs.tags = true;
        body.push(...d.tags.map(([k, v]) => `    Tags.of(${variable}).add(${literal(k, 'typescript')}, ${literal(v, 'typescript')});`));
      }
    }
    stacks.push({ ...names[index], workspaces: decls.length });
    classes.push(
      `export class ${names[index].className} extends Stack {`,
      '  constructor(scope: Construct, id: string, props?: StackProps) {',
      '    super(scope, id, props);',
      '',
      ...(decls.length > 0 ? [`    const directory = WorkspacesDirectory.fromDirectoryId(this, ${literal(DIRECTORY_CONSTRUCT_ID, 'typescript')}, ${literal(directoryId, 'typescript')});`] : []),
      ...body,
      '  }',
      '}',
      '',
    );
  });
  const cdkImports = [...(needs.duration ? ['Duration'] : []), ...(needs.size ? ['Size'] : []), 'Stack', 'StackProps', ...(needs.tags ? ['Tags'] : [])];
  const libImports = [
    ...(needs.computeType ? ['ComputeType'] : []), ...(needs.protocol ? ['Protocol'] : []),
    ...(needs.runningMode ? ['RunningMode'] : []), ...(live.length > 0 ? ['Workspace', 'WorkspaceBundle', 'WorkspacesDirectory'] : []),
  ];
  const code = [
    ...header('//', stacks, leftOut),
    `import { ${cdkImports.join(', ')} } from 'aws-cdk-lib';`,
    ...(needs.kms ? ['import * as kms from \'aws-cdk-lib/aws-kms\';'] : []),
    ...(libImports.length > 0 ? [`import { ${libImports.join(', ')} } from 'cdk-workspaces';`] : []),
    'import { Construct } from \'constructs\';',
    '',
    ...classes,
  ].join('\n');
  return { code, stacks };
}

/**
 * A TypeScript app file that instantiates the stacks of the module at `moduleSpecifier` (such as
 * '../lib/imported-workspaces'), and nothing else.
 */
export function renderTypeScriptApp(stacks: readonly GeneratedStack[], moduleSpecifier: string): string {
  return [
    '// Generated by `cdk-workspaces import --app-file`: the app that deploys the imported stacks.',
    'import { App } from \'aws-cdk-lib\';',
    `import { ${stacks.map((s) => s.className).join(', ')} } from ${literal(moduleSpecifier, 'typescript')};`,
    '',
    'const app = new App();',
    ...stacks.map((s) => `new ${s.className}(app, ${literal(s.stackId, 'typescript')});`),
    '',
  ].join('\n');
}

/** The Python stack classes, the same declarations as renderTypeScript. */
export function renderPython(directoryId: string, live: readonly LiveWorkspace[], leftOut: number): GeneratedCode {
  const parts = chunks(live);
  const names = stackNames(parts.length);
  let needsKms = false;
  const classes: string[] = [];
  const stacks: GeneratedStack[] = [];
  parts.forEach((part, index) => {
    const decls = declarations(part);
    const variables = new Set<string>();
    const body: string[] = [];
    for (const d of decls) {
      const variable = uniqueId(`${snakeCase(d.constructId)}_workspace`, variables);
      const props: string[] = [
        'directory=directory',
        `bundle=cdk_workspaces.WorkspaceBundle.from_bundle_id(${literal(d.bundleId, 'python')})`,
        `user_name=${literal(d.userName, 'python')}`,
      ];
      if (d.runningMode !== undefined) {
        props.push(`running_mode=cdk_workspaces.RunningMode.${d.runningMode}`);
      }
      if (d.autoStopMinutes !== undefined) {
        props.push(`auto_stop_timeout=${d.autoStopMinutes % 60 === 0 ? `cdk.Duration.hours(${d.autoStopMinutes / 60})` : `cdk.Duration.minutes(${d.autoStopMinutes})`}`);
      }
      if (d.computeType !== undefined) {
        props.push(`compute_type=${isListedComputeType(d.computeType) ? `cdk_workspaces.ComputeType.${d.computeType}` : `cdk_workspaces.ComputeType.of(${literal(d.computeType, 'python')})`}`);
      }
      if (d.rootGib !== undefined) {
        props.push(`root_volume_size=cdk.Size.gibibytes(${d.rootGib})`);
      }
      if (d.userGib !== undefined) {
        props.push(`user_volume_size=cdk.Size.gibibytes(${d.userGib})`);
      }
      if (d.protocols !== undefined) {
        props.push(`protocols=[${d.protocols.map((p) => `cdk_workspaces.Protocol.${p}`).join(', ')}]`);
      }
      if (d.rootEncrypted) {
        props.push('root_volume_encrypted=True');
      }
      if (d.userEncrypted) {
        props.push('user_volume_encrypted=True');
      }
      if (d.volumeEncryptionKey !== undefined) {
        needsKms = true;
        props.push(`volume_encryption_key=kms.Key.from_key_arn(self, ${literal(d.keyId!, 'python')}, ${literal(d.volumeEncryptionKey, 'python')})`);
      }
      props.push('adopt_existing=True');
      const assign = d.tags.length > 0 ? `${variable} = ` : '';
      body.push(`        ${assign}cdk_workspaces.Workspace(`, `            self, ${literal(d.constructId, 'python')},`, ...props.map((p) => `            ${p},`), '        )');
      body.push(...d.tags.map(([k, v]) => `        cdk.Tags.of(${variable}).add(${literal(k, 'python')}, ${literal(v, 'python')})`));
    }
    stacks.push({ ...names[index], workspaces: decls.length });
    classes.push(
      '',
      '',
      `class ${names[index].className}(cdk.Stack):`,
      '    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:',
      '        super().__init__(scope, construct_id, **kwargs)',
      ...(body.length > 0
        ? [`        directory = cdk_workspaces.WorkspacesDirectory.from_directory_id(self, ${literal(DIRECTORY_CONSTRUCT_ID, 'python')}, ${literal(directoryId, 'python')})`, ...body]
        : []),
    );
  });
  const code = [
    ...header('#', stacks, leftOut),
    'import aws_cdk as cdk',
    ...(needsKms ? ['from aws_cdk import aws_kms as kms'] : []),
    ...(live.length > 0 ? ['import cdk_workspaces'] : []),
    'from constructs import Construct',
    ...classes,
    '',
  ].join('\n');
  return { code, stacks };
}

/** A Python app file (app.py) that instantiates the stacks of the module `moduleName`, and nothing else. */
export function renderPythonApp(stacks: readonly GeneratedStack[], moduleName: string): string {
  if (!isPythonModuleName(moduleName)) {
    throw new Error(`${JSON.stringify(moduleName)} is not a Python module name (letters, digits and _, not a keyword): name the --out file such as imported_workspaces.py`);
  }
  return [
    '# Generated by `cdk-workspaces import --app-file`: the app that deploys the imported stacks.',
    'import aws_cdk as cdk',
    `from ${moduleName} import ${stacks.map((s) => s.className).join(', ')}`,
    '',
    'app = cdk.App()',
    ...stacks.map((s) => `${s.className}(app, ${literal(s.stackId, 'python')})`),
    'app.synth()',
    '',
  ].join('\n');
}

const PYTHON_KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except',
  'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try',
  'while', 'with', 'yield',
]);

/** Whether an app file can import the module by this name. */
export function isPythonModuleName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !PYTHON_KEYWORDS.has(name);
}

/**
 * A string literal that reads back as exactly `value` in the language, and is plain ASCII in the
 * file: every character outside printable ASCII is an escape (line breaks, U+2028/U+2029, NUL,
 * and the bidirectional controls that could make the code read differently from what it does),
 * and the literal has no interpolation (double quotes in both languages).
 */
export function literal(value: string, language: Language): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') {
      out += `\\${ch}`;
    } else if (cp >= 0x20 && cp <= 0x7e) {
      out += ch;
    } else if (cp <= 0xffff) {
      out += `\\u${cp.toString(16).padStart(4, '0')}`;
    } else {
      out += language === 'python' ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u{${cp.toString(16)}}`;
    }
  }
  return `${out}"`;
}

function isListedComputeType(name: string): boolean {
  return /^[A-Z][A-Z0-9_]*$/.test(name) && (ComputeType as unknown as Record<string, unknown>)[name] instanceof ComputeType;
}

/** The words of a user name such as "john.doe@example.com": john, doe, example, com. */
function words(text: string): string[] {
  return text.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
}

function pascalCase(text: string): string {
  const joined = words(text).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  // A construct id is free text, but it becomes part of a CloudFormation logical id: keep it readable.
  return joined === '' ? 'Workspace' : /^[0-9]/.test(joined) ? `User${joined}` : joined;
}

function camelCase(pascal: string): string {
  return pascal[0].toLowerCase() + pascal.slice(1);
}

function snakeCase(pascal: string): string {
  return pascal.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** The name, or the name with a number, so that no two constructs share one (user names differ in case only, say). */
function uniqueId(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) {
    candidate = `${name}${n}`;
  }
  taken.add(candidate.toLowerCase());
  return candidate;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
