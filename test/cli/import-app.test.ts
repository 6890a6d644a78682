// Issue 25 (points 1-4) and 24 (point 7): what `cdk-workspaces import` writes, as shipped (the
// bundle in assets/cli) against the local endpoint, and then run. Text that a hostile or careless
// tag value or user name carries (quotes, backslashes, `${}`, backticks, line breaks, U+2028 and
// U+2029, NUL, non-ASCII, bidirectional controls) stays text in both languages; the construct ids
// never collide; a directory beyond one stack's resources becomes several stacks; files are
// checked before any call; a directory WorkSpaces does not know is refused.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { generatedAppDir, removeGeneratedAppDir, runCli, runProcess } from './run-cli';
import { MAX_WORKSPACES_PER_STACK } from '../../cli/import';
import { Workspace, WorkspaceBundle, WorkspacesDirectory } from '../../src';
import { OWNERSHIP_TAG_KEY } from '../../src/private/rules';
import { LocalWorkspaces, startLocalWorkspaces } from '../local/endpoint';

jest.setTimeout(240_000);

const DIRECTORY_ID = 'd-1234567890';
const LARGE_DIRECTORY_ID = 'd-2222222222';
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/**
 * Code that would run if it ended a comment or a string: it sets the exit code, prints, and
 * writes a file, in each language. The markers are checked for after every run.
 */
const TS_PAYLOAD = 'process.exitCode = 42; console.log("INJECTED"); require("fs").writeFileSync("INJECTED-TS", "");';
const PY_PAYLOAD = 'print("INJECTED"); open("INJECTED-PY", "w")';
const HOSTILE: Record<string, string> = {
  'quotes': '"\'`"""\'\'\'',
  'backslashes': '\\\\"\\n\\u2028\\',
  'template': '${' + TS_PAYLOAD + '}',
  'backtick': `\`; ${TS_PAYLOAD} \``,
  'newline': `x\n${PY_PAYLOAD}\n${TS_PAYLOAD}\r\n`,
  'separators': `\u2028${TS_PAYLOAD}\u2029${TS_PAYLOAD}`,
  'nul': 'a\u0000b',
  'non-ascii': 'Zoë 中文 \u{1F600} \u00a0',
  'bidi': 'admin\u202e\u2066 //',
  'braces': '{0}{x}%s',
};

let endpoint: LocalWorkspaces;
const dirs: string[] = [];

beforeAll(async () => {
  endpoint = await startLocalWorkspaces({ seed: 25 });
  // The WorkSpace that is left out (managed by a stack) carries the payload in its ownership tag,
  // which the header used to copy into a comment.
  endpoint.seedWorkspace({ UserName: 'managed', Tags: { [OWNERSHIP_TAG_KEY]: `Desk/1\u2028${TS_PAYLOAD}//\n${PY_PAYLOAD} #` } });
  endpoint.seedWorkspace({ UserName: 'tagged', Tags: HOSTILE });
  endpoint.seedWorkspace({ UserName: 'q"\\`${x}\u2028é', WorkspaceProperties: { RunningMode: 'ALWAYS_ON' } });
  // Names whose construct ids would be the directory's and carol's key's.
  endpoint.seedWorkspace({ UserName: 'workspaces.directory' });
  endpoint.seedWorkspace({ UserName: 'carol', UserVolumeEncryptionEnabled: true, VolumeEncryptionKey: KEY_ARN });
  endpoint.seedWorkspace({ UserName: 'carol.key' });
  endpoint.addDirectory(LARGE_DIRECTORY_ID);
  for (let i = 0; i <= MAX_WORKSPACES_PER_STACK; i++) {
    endpoint.seedWorkspace({ UserName: `user${String(i).padStart(4, '0')}`, DirectoryId: LARGE_DIRECTORY_ID });
  }
  endpoint.addDirectory('d-3333333333', { State: 'ERROR' });
  endpoint.addDirectory('d-4444444444');
  endpoint.seedWorkspace({ UserName: 'only-managed', DirectoryId: 'd-4444444444', Tags: { [OWNERSHIP_TAG_KEY]: 'Other/1' } });
});

afterAll(async () => {
  dirs.forEach(removeGeneratedAppDir);
  await endpoint?.stop();
});

function appDir(name: string): string {
  const dir = generatedAppDir(name);
  dirs.push(dir);
  return dir;
}

function expectNoInjection(dir: string, result: { code: number; stdout: string; stderr: string }): void {
  expect(result.stdout).not.toContain('INJECTED');
  expect(readdirSync(dir).filter((f) => f.startsWith('INJECTED'))).toEqual([]);
  expect(result.code).not.toBe(42);
}

function manifestStacks(assembly: string): string[] {
  const manifest = JSON.parse(readFileSync(path.join(assembly, 'manifest.json'), 'utf8'));
  return Object.entries<any>(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack').map(([id]) => id).sort();
}

function declaredWorkspaces(assembly: string, stack: string): any[] {
  const template = JSON.parse(readFileSync(path.join(assembly, `${stack}.template.json`), 'utf8'));
  return Object.values<any>(template.Resources).filter((r) => r.Type === 'Custom::Workspace').map((r) => r.Properties);
}

test('TypeScript: every character class stays text; the app synthesizes exactly the declared stack and nothing else runs', async () => {
  const dir = appDir('hostile-ts');
  const result = await runCli(['import', '--directory', DIRECTORY_ID, '--out', 'imported.ts', '--app-file', 'app.ts'], endpoint.env(), dir);
  expect(result.stderr).toContain('Wrote 5 WorkSpaces to imported.ts: ImportedWorkspaces (class ImportedWorkspacesStack, 5 WorkSpaces)');
  expect(result.code).toBe(0);
  const code = readFileSync(path.join(dir, 'imported.ts'), 'utf8');
  // Nothing but printable ASCII and line feeds: no character can end a comment or a string early.
  expect(code).toMatch(/^[\x20-\x7e\n]*$/);
  // The payloads are in the file only as string literals; comments hold no text from the service.
  const comments = code.split('\n').filter((l) => l.trimStart().startsWith('//'));
  expect(comments.length).toBeGreaterThan(0);
  expect(comments.filter((l) => /INJECTED|Desk\/1|tagged|carol/.test(l))).toEqual([]);
  expect(code).not.toContain('Desk/1');

  // (brownfield.test.ts compiles a generated module strictly with tsc; here it runs.)
  const assembly = path.join(dir, 'cdk.out');
  const synth = await runProcess(process.execPath, [require.resolve('tsx/cli'), 'app.ts'], { cwd: dir, env: { CDK_OUTDIR: assembly } });
  expectNoInjection(dir, synth);
  expect(synth).toEqual({ code: 0, stdout: '', stderr: '' });
  expect(manifestStacks(assembly)).toEqual(['ImportedWorkspaces']);

  const declared = declaredWorkspaces(assembly, 'ImportedWorkspaces');
  expect(declared.map((p) => p.UserName).sort()).toEqual(['carol', 'carol.key', 'q"\\`${x}\u2028é', 'tagged', 'workspaces.directory'].sort());
  const tagged = declared.find((p) => p.UserName === 'tagged');
  expect(Object.fromEntries(tagged.Tags.map((t: any) => [t.Key, t.Value]))).toEqual(HOSTILE);
  expect(declared.find((p) => p.UserName === 'carol').VolumeEncryptionKey).toBe(KEY_ARN);
});

test('TypeScript: the stack class imported into an app of the user\'s own adds only the stack the app asks for', async () => {
  const dir = appDir('own-app');
  expect((await runCli(['import', '--directory', DIRECTORY_ID, '--out', 'imported.ts'], endpoint.env(), dir)).code).toBe(0);
  writeFileSync(path.join(dir, 'main.ts'), [
    'import { App, CfnWaitConditionHandle, Stack } from \'aws-cdk-lib\';',
    'import { ImportedWorkspacesStack } from \'./imported\';',
    'const app = new App();',
    'new CfnWaitConditionHandle(new Stack(app, \'Network\'), \'Handle\');',
    'new ImportedWorkspacesStack(app, \'Desktops\');',
    '',
  ].join('\n'));
  const assembly = path.join(dir, 'cdk.out');
  const synth = await runProcess(process.execPath, [require.resolve('tsx/cli'), 'main.ts'], { cwd: dir, env: { CDK_OUTDIR: assembly } });
  expect(synth).toEqual({ code: 0, stdout: '', stderr: '' });
  expect(manifestStacks(assembly)).toEqual(['Desktops', 'Network']);
});

test('Python: every character class stays text; the module and app.py hold only the declarations (read with Python\'s own parser)', async () => {
  const dir = appDir('hostile-py');
  const result = await runCli(['import', '--directory', DIRECTORY_ID, '--language', 'python', '--out', 'imported_workspaces.py', '--app-file', 'app.py'], endpoint.env(), dir);
  expect(result.code).toBe(0);
  for (const file of ['imported_workspaces.py', 'app.py']) {
    const compiled = await runProcess('python3', ['-m', 'py_compile', file], { cwd: dir });
    expect(compiled).toMatchObject({ code: 0, stderr: '' });
  }
  const read = async (file: string) => {
    const out = await runProcess('python3', [path.join(__dirname, 'check_generated_python.py'), file], { cwd: dir });
    expect(out.stderr).toBe('');
    return JSON.parse(out.stdout);
  };
  const module = await read('imported_workspaces.py');
  expect(module.ascii).toBe(true);
  expect(module.top).toEqual(['Import', 'ImportFrom', 'Import', 'ImportFrom', 'ClassDef']);
  expect(module.methods).toEqual({ 'ImportedWorkspacesStack.__init__': ['Expr', 'Assign', ...module.methods['ImportedWorkspacesStack.__init__'].slice(2)] });
  expect(new Set(module.methods['ImportedWorkspacesStack.__init__'])).toEqual(new Set(['Expr', 'Assign']));
  // Only the library's constructors and the CDK's value helpers are called: no print, open, exec.
  expect(module.calls).toEqual([
    'cdk.Size.gibibytes', 'cdk.Tags.of', 'cdk.Tags.of().add', 'cdk_workspaces.Workspace', 'cdk_workspaces.WorkspaceBundle.from_bundle_id',
    'cdk_workspaces.WorkspacesDirectory.from_directory_id', 'kms.Key.from_key_arn', 'super', 'super().__init__',
  ]);
  // Every hostile value is one string constant, exactly; no string holds the left-out WorkSpace's tag.
  for (const [key, value] of Object.entries(HOSTILE)) {
    expect(module.strings).toContain(key);
    expect(module.strings).toContain(value);
  }
  expect(module.strings).toContain('q"\\`${x}\u2028é');
  expect(module.strings.some((s: string) => s.includes('Desk/1'))).toBe(false);

  const app = await read('app.py');
  expect(app).toMatchObject({
    ascii: true,
    top: ['Import', 'ImportFrom', 'Assign', 'Expr', 'Expr'],
    calls: ['ImportedWorkspacesStack', 'app.synth', 'cdk.App'],
    strings: ['ImportedWorkspaces'],
  });
});

test('a directory beyond one stack\'s resources becomes several stacks that each synthesize within CloudFormation\'s 500', async () => {
  const dir = appDir('large');
  const result = await runCli(['import', '--directory', LARGE_DIRECTORY_ID, '--out', 'imported.ts', '--app-file', 'app.ts'], endpoint.env(), dir);
  expect(result.code).toBe(0);
  expect(result.stderr).toContain(`${MAX_WORKSPACES_PER_STACK + 1} WorkSpaces are more than one stack holds within CloudFormation's 500 resources: 2 stacks`);
  const assembly = path.join(dir, 'cdk.out');
  const synth = await runProcess(process.execPath, [require.resolve('tsx/cli'), 'app.ts'], { cwd: dir, env: { CDK_OUTDIR: assembly } });
  expect(synth).toEqual({ code: 0, stdout: '', stderr: '' });
  expect(manifestStacks(assembly)).toEqual(['ImportedWorkspaces1', 'ImportedWorkspaces2']);
  const counts = ['ImportedWorkspaces1', 'ImportedWorkspaces2'].map((s) => {
    const template = JSON.parse(readFileSync(path.join(assembly, `${s}.template.json`), 'utf8'));
    expect(Object.keys(template.Resources).length).toBeLessThanOrEqual(500);
    return declaredWorkspaces(assembly, s).length;
  });
  expect(counts).toEqual([MAX_WORKSPACES_PER_STACK, 1]);
});

describe('files are checked before any call', () => {
  test('an existing --out is kept unless --force, and nothing is read', async () => {
    const dir = appDir('existing');
    const out = path.join(dir, 'imported.ts');
    writeFileSync(out, 'my work\n');
    endpoint.resetCalls();
    const refused = await runCli(['import', '--directory', DIRECTORY_ID, '--out', out], endpoint.env());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`--out "${out}" exists: pass --force to overwrite it, or choose another file. Nothing was read or written.`);
    expect(endpoint.calls().total ?? 0).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('my work\n');

    const forced = await runCli(['import', '--directory', DIRECTORY_ID, '--out', out, '--force'], endpoint.env());
    expect(forced.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('export class ImportedWorkspacesStack');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('an --out or --app-file in a folder that does not exist is refused before the directory is listed', async () => {
    const dir = appDir('nofolder');
    endpoint.resetCalls();
    const missing = await runCli(['import', '--directory', DIRECTORY_ID, '--out', path.join(dir, 'lib', 'imported.ts')], endpoint.env());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`the folder ${path.join(dir, 'lib')} does not exist; create it first. Nothing was read or written.`);
    const app = await runCli(['import', '--directory', DIRECTORY_ID, '--out', path.join(dir, 'imported.ts'), '--app-file', path.join(dir, 'bin', 'app.ts')], endpoint.env());
    expect(app.code).toBe(2);
    expect(app.stderr).toContain(`--app-file "${path.join(dir, 'bin', 'app.ts')}": the folder`);
    const keyword = await runCli(['import', '--directory', DIRECTORY_ID, '--language', 'python', '--out', path.join(dir, 'class.py'), '--app-file', path.join(dir, 'app.py')], endpoint.env());
    expect(keyword.code).toBe(2);
    expect(keyword.stderr).toContain('with --app-file, a Python module name such as imported_workspaces.py');
    expect(endpoint.calls().total ?? 0).toBe(0);
    expect(existsSync(path.join(dir, 'imported.ts'))).toBe(false);
  });

  test('the app file imports the module by its relative path', async () => {
    const dir = appDir('layout');
    mkdirSync(path.join(dir, 'lib'));
    mkdirSync(path.join(dir, 'bin'));
    const result = await runCli(['import', '--directory', DIRECTORY_ID, '--out', 'lib/imported-workspaces.ts', '--app-file', 'bin/app.ts'], endpoint.env(), dir);
    expect(result.code).toBe(0);
    expect(readFileSync(path.join(dir, 'bin', 'app.ts'), 'utf8')).toContain('import { ImportedWorkspacesStack } from "../lib/imported-workspaces";');
  });
});

describe('nothing to import is not a success', () => {
  test('a directory WorkSpaces does not list, or not REGISTERED: exit 2, saying so, no file', async () => {
    const dir = appDir('unknown');
    for (const [id, why] of [['d-0000000009', 'is not registered with WorkSpaces in this account and region'], ['d-3333333333', 'is ERROR, not REGISTERED']]) {
      const result = await runCli(['import', '--directory', id, '--out', 'x.ts'], endpoint.env(), dir);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`Directory ${id} ${why}`);
      expect(result.stderr).toContain('--region');
      expect(existsSync(path.join(dir, 'x.ts'))).toBe(false);
    }
  });

  test('a directory whose every WorkSpace is managed already: exit 2, no file', async () => {
    const dir = appDir('managed');
    const result = await runCli(['import', '--directory', 'd-4444444444', '--out', 'x.ts'], endpoint.env(), dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Nothing to import: directory d-4444444444 has no WorkSpace that is not gone or already managed by cdk-workspaces (1 left out). No file was written.');
    expect(existsSync(path.join(dir, 'x.ts'))).toBe(false);
  });
});

test('no region: the message says how to give one, and no call is made', async () => {
  const { AWS_REGION, ...noRegion } = endpoint.env();
  endpoint.resetCalls();
  for (const command of [['import', '--directory', DIRECTORY_ID], ['drift', '--app', path.join(__dirname)]]) {
    const result = await runCli(command, noRegion);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No AWS region is set. Pass --region <region> (such as --region us-east-1), set AWS_REGION, '
      + 'or use a profile that has one (--profile <name> or AWS_PROFILE, with region = ... in ~/.aws/config).');
  }
  expect(endpoint.calls().total ?? 0).toBe(0);
});

describe('what already held, and must keep holding', () => {
  test('a --directory with shell metacharacters or a path is refused before any call', async () => {
    endpoint.resetCalls();
    for (const value of ['d-1234567890; rm -rf ~', '$(id)', '../../etc/passwd', 'd-1234567890/../x', 'd-1234567890\n']) {
      const result = await runCli(['import', '--directory', value], endpoint.env());
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`Invalid --directory ${JSON.stringify(value)}: must match`);
    }
    expect(endpoint.calls().total ?? 0).toBe(0);
  });

  test.each([
    // Throttling that never ends takes the SDK's adaptive backoff (about 20 s a call): import only.
    ['throttling', { throttleRate: 1 }, /ThrottlingException/, false],
    ['server errors', { serverErrorRate: 1 }, /InternalFailure|ServiceUnavailable/, true],
  ])('%s during import end in exit 2 with no file written (and during drift in exit 2)', async (_name, faults, reason, alsoDrift) => {
    const dir = appDir('faults');
    // A directory of one WorkSpace, so that the SDK's retries are few: its DescribeTags fails every time.
    Object.assign(endpoint.faults, faults, { operations: ['DescribeTags'] });
    try {
      const result = await runCli(['import', '--directory', 'd-4444444444', '--out', 'x.ts'], endpoint.env(), dir);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(reason);
      expect(readdirSync(dir).filter((f) => f.startsWith('x.ts'))).toEqual([]);
    } finally {
      endpoint.resetFaults();
    }
    if (!alsoDrift) {
      return;
    }
    const app = new App({ outdir: path.join(dir, 'cdk.out') });
    const stack = new Stack(app, 'Desks');
    new Workspace(stack, 'Only', { directory: WorkspacesDirectory.fromDirectoryId(stack, 'D', 'd-4444444444'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'only-managed' });
    const assembly = app.synth().directory;
    Object.assign(endpoint.faults, faults, { operations: ['DescribeWorkspaces'] });
    try {
      const drift = await runCli(['drift', '--app', assembly, '--json'], endpoint.env());
      expect(drift.code).toBe(2);
      const report = JSON.parse(drift.stdout);
      expect(report.resources).toHaveLength(1);
      expect(report.resources[0]).toMatchObject({ status: 'error', notes: [expect.stringMatching(reason)] });
    } finally {
      endpoint.resetFaults();
    }
  });

  test('3,000 WorkSpaces import in pages, with progress, into stacks of at most the limit', async () => {
    const big = await startLocalWorkspaces({ seed: 3000 });
    try {
      big.addDirectory('d-3000000000');
      for (let i = 0; i < 3000; i++) {
        big.seedWorkspace({ UserName: `u${i}`, DirectoryId: 'd-3000000000' });
      }
      const started = Date.now();
      const result = await runCli(['import', '--directory', 'd-3000000000'], big.env());
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('DescribeWorkspaces: 25 WorkSpaces of directory d-3000000000 so far');
      expect(result.stderr).toContain('DescribeWorkspaces: 3000 WorkSpaces of directory d-3000000000 so far');
      expect(result.stderr).toContain('DescribeTags: 1500 of 3000 WorkSpaces');
      expect(result.stderr).toContain('DescribeTags: 3000 of 3000 WorkSpaces');
      expect(result.stderr).toContain(`3000 WorkSpaces are more than one stack holds within CloudFormation's 500 resources: ${Math.ceil(3000 / MAX_WORKSPACES_PER_STACK)} stacks`);
      expect(result.stdout.match(/new Workspace\(this, /g)).toHaveLength(3000);
      expect(big.calls().DescribeWorkspaces).toBe(3000 / 25);
      process.stderr.write(`3,000 WorkSpaces imported in ${Date.now() - started} ms\n`);
    } finally {
      await big.stop();
    }
  });
});
