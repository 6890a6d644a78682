// Issue 15: the `cdk-workspaces` command, as shipped (the esbuild bundle in assets/cli), against
// the local endpoint: import of a directory that spans several DescribeWorkspaces pages, the
// generated app compiled and synthesized to the live properties, and drift in sync, drifted
// (property, tag, state, terminated) and failing.
import { readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { CreateTagsCommand, DeleteTagsCommand, ModifyWorkspacePropertiesCommand, TerminateWorkspacesCommand, WorkSpacesClient } from '@aws-sdk/client-workspaces';
import { LocalWorkspaces, startLocalWorkspaces, WorkspaceSnapshot } from './endpoint';
import { parseProperties } from '../../lambda/parse';
import { OWNERSHIP_TAG_KEY } from '../../src/private/rules';
import { generatedAppDir, removeGeneratedAppDir, ROOT, runCli, runProcess } from '../cli/run-cli';

jest.setTimeout(240_000);

const DIRECTORY_ID = 'd-1234567890';
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
/** More than two pages of DescribeWorkspaces (the endpoint's page holds 25, as the service's does). */
const IMPORTED = 57;

let endpoint: LocalWorkspaces;
let client: WorkSpacesClient;
/** The cloud assembly synthesized from the generated TypeScript, shared by the drift tests. */
let assembly: string;
const generated: string[] = [];

beforeAll(async () => {
  endpoint = await startLocalWorkspaces({ seed: 15, timing: { updatingMs: 50, terminatingMs: 50, terminatedVisibleMs: 60_000 } });
  client = new WorkSpacesClient({ ...endpoint.clientConfig(), maxAttempts: 1 });
  seedDirectory(endpoint);
});

afterAll(async () => {
  generated.forEach(removeGeneratedAppDir);
  client?.destroy();
  await endpoint?.stop();
});

/** A directory made in the console: many users, every running mode, several bundles, tags. */
function seedDirectory(ws: LocalWorkspaces): void {
  for (let i = 0; i < IMPORTED; i++) {
    const userName = i === 0 ? 'john.doe@example.com' : i === 1 ? 'Jane-Smith' : `user${String(i).padStart(3, '0')}`;
    const tags: Record<string, string> = { team: `team-${i % 4}` };
    if (i % 5 === 0) {
      tags['cost-center'] = String(4000 + i);
    }
    if (i % 3 === 0) {
      ws.seedWorkspace({
        UserName: userName,
        WorkspaceProperties: { RunningMode: 'AUTO_STOP', RunningModeAutoStopTimeoutInMinutes: 60 * (1 + (i % 4)) },
        Tags: tags,
      });
    } else if (i % 3 === 1) {
      ws.seedWorkspace({
        UserName: userName,
        BundleId: 'wsb-34567890',
        WorkspaceProperties: { RunningMode: 'ALWAYS_ON', UserVolumeSizeGib: 200 },
        Tags: tags,
        ...(i === 4 ? { RootVolumeEncryptionEnabled: true, UserVolumeEncryptionEnabled: true, VolumeEncryptionKey: KEY_ARN } : {}),
      });
    } else {
      ws.seedWorkspace({ UserName: userName, BundleId: 'wsb-56789012', WorkspaceProperties: { RunningMode: 'MANUAL' }, Tags: tags });
    }
  }
  // Already managed by a stack: left out.
  ws.seedWorkspace({ UserName: 'managed1', Tags: { [OWNERSHIP_TAG_KEY]: 'Managed1ABCD/1111-2222', team: 'x' } });
  ws.seedWorkspace({ UserName: 'managed2', Tags: { [OWNERSHIP_TAG_KEY]: 'Managed2ABCD/1111-2222' } });
  // Gone: nothing to declare.
  ws.seedWorkspace({ UserName: 'leaver', State: 'TERMINATED' });
  // Another directory's WorkSpace is not this directory's.
  ws.addDirectory('d-9999999999');
  ws.seedWorkspace({ UserName: 'elsewhere', DirectoryId: 'd-9999999999' });
}

function importedLive(): WorkspaceSnapshot[] {
  return endpoint.inventory().filter((w) => w.DirectoryId === DIRECTORY_ID && !(OWNERSHIP_TAG_KEY in w.Tags));
}

function byUser(userName: string): WorkspaceSnapshot {
  const found = endpoint.inventory().find((w) => w.UserName === userName);
  if (!found) {
    throw new Error(`no WorkSpace of ${userName}`);
  }
  return found;
}

test('import writes a TypeScript app that compiles and synthesizes to the live WorkSpaces, across pages', async () => {
  const dir = generatedAppDir('import-ts');
  generated.push(dir);
  const out = path.join(dir, 'workspaces.ts');
  endpoint.resetCalls();
  const result = await runCli(['import', '--directory', DIRECTORY_ID, '--out', out, '--app-file', path.join(dir, 'app.ts')], endpoint.env());
  expect(result).toMatchObject({ code: 0, stdout: '' });

  // The directory's registration, every page, then one DescribeTags per WorkSpace that is not gone; nothing changed.
  const calls = endpoint.calls();
  expect(calls.DescribeWorkspaceDirectories).toBe(1);
  expect(calls.DescribeWorkspaces).toBe(Math.ceil((IMPORTED + 3) / 25));
  expect(calls.DescribeTags).toBe(IMPORTED + 2);
  expect(calls.total).toBe(calls.DescribeWorkspaceDirectories + calls.DescribeWorkspaces + calls.DescribeTags);
  // Progress and the notes on what is left out, on stderr.
  expect(result.stderr).toContain(`DescribeWorkspaces: 25 WorkSpaces of directory ${DIRECTORY_ID} so far`);
  expect(result.stderr).toContain(`DescribeTags: ${IMPORTED + 2} of ${IMPORTED + 2} WorkSpaces`);
  expect(result.stderr).toContain(`Left out managed1 (${byUser('managed1').WorkspaceId}): already managed by cdk-workspaces (${OWNERSHIP_TAG_KEY}: Managed1ABCD/1111-2222)`);
  expect(result.stderr).toMatch(/Left out managed2 \(ws-\w+\): already managed/);
  expect(result.stderr).toMatch(/Left out leaver \(ws-\w+\): it is TERMINATED/);
  expect(result.stderr).toContain(`Wrote ${IMPORTED} WorkSpaces to ${out}`);
  const code = readFileSync(out, 'utf8');
  // The file names no left-out WorkSpace (its text would be in a comment): the command did, above.
  expect(code).toContain('// 3 WorkSpaces were left out');
  expect(code).not.toContain('managed1');
  expect(code).not.toContain('elsewhere');

  // It compiles, strictly, against this library.
  const tsc = await runProcess(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', dir], { cwd: dir });
  expect(tsc.stdout + tsc.stderr).toBe('');
  expect(tsc.code).toBe(0);

  // It synthesizes, and each declared WorkSpace is the live one: the properties that the
  // handler reads from the template equal what DescribeWorkspaces and DescribeTags say.
  assembly = path.join(dir, 'cdk.out');
  const synth = await runProcess(process.execPath, [require.resolve('tsx/cli'), 'app.ts'], { cwd: dir, env: { CDK_OUTDIR: assembly } });
  expect(synth.stderr).toBe('');
  expect(synth.code).toBe(0);
  const template = JSON.parse(readFileSync(path.join(assembly, 'ImportedWorkspaces.template.json'), 'utf8'));
  const declared = Object.values<any>(template.Resources).filter((r) => r.Type === 'Custom::Workspace').map((r) => r.Properties);
  const live = importedLive();
  expect(declared).toHaveLength(IMPORTED);
  expect(live).toHaveLength(IMPORTED);
  for (const w of live) {
    const raw = declared.find((p) => p.UserName === w.UserName);
    expect(raw).toBeDefined();
    expect(raw.AdoptExisting).toBe('true');
    const { ServiceToken, AdoptExisting, ...rest } = raw;
    const desired = parseProperties(rest);
    const p = w.WorkspaceProperties!;
    expect({
      directoryId: desired.directoryId,
      bundleId: desired.bundleId,
      rootVolumeEncryptionEnabled: desired.rootVolumeEncryptionEnabled,
      userVolumeEncryptionEnabled: desired.userVolumeEncryptionEnabled,
      volumeEncryptionKey: desired.volumeEncryptionKey,
      properties: desired.properties,
      tags: Object.fromEntries(desired.tags.map((t) => [t.Key, t.Value])),
    }).toEqual({
      directoryId: w.DirectoryId,
      bundleId: w.BundleId,
      rootVolumeEncryptionEnabled: w.RootVolumeEncryptionEnabled ?? false,
      userVolumeEncryptionEnabled: w.UserVolumeEncryptionEnabled ?? false,
      volumeEncryptionKey: w.VolumeEncryptionKey,
      properties: {
        runningMode: p.RunningMode,
        ...(p.RunningMode === 'AUTO_STOP' ? { runningModeAutoStopTimeoutInMinutes: p.RunningModeAutoStopTimeoutInMinutes } : {}),
        computeTypeName: p.ComputeTypeName,
        rootVolumeSizeGib: p.RootVolumeSizeGib,
        userVolumeSizeGib: p.UserVolumeSizeGib,
        protocols: p.Protocols,
      },
      tags: w.Tags,
    });
  }
  // The sample covers what the generated code must express.
  expect(new Set(live.map((w) => w.WorkspaceProperties?.RunningMode))).toEqual(new Set(['AUTO_STOP', 'ALWAYS_ON', 'MANUAL']));
  expect(new Set(live.map((w) => w.WorkspaceProperties?.Protocols?.join()))).toEqual(new Set(['PCOIP', 'WSP']));
  expect(live.some((w) => w.VolumeEncryptionKey === KEY_ARN)).toBe(true);
});

test('import writes a Python app with the same declarations', async () => {
  const dir = generatedAppDir('import-py');
  generated.push(dir);
  const result = await runCli(['import', '--directory', DIRECTORY_ID, '--language', 'python'], endpoint.env());
  expect(result.code).toBe(0);
  const code = result.stdout;
  expect(code.match(/cdk_workspaces\.Workspace\(/g)).toHaveLength(IMPORTED);
  expect(code.match(/adopt_existing=True/g)).toHaveLength(IMPORTED);
  expect(code).toContain('user_name="john.doe@example.com"');
  expect(code).toContain('running_mode=cdk_workspaces.RunningMode.MANUAL');
  expect(code).toContain(`volume_encryption_key=kms.Key.from_key_arn(self, "User004Key", "${KEY_ARN}")`);
  expect(code).not.toContain('app.synth()');
  // Valid Python (the binding test runs such a file with the built package).
  writeFileSync(path.join(dir, 'app.py'), code);
  const compiled = await runProcess('python3', ['-m', 'py_compile', 'app.py'], { cwd: dir });
  expect(compiled.stderr).toBe('');
  expect(compiled.code).toBe(0);
});

describe('drift', () => {
  const drift = (args: string[], env = endpoint.env()) => runCli(['drift', '--app', assembly, ...args], env);

  test('in sync right after import: exit 0', async () => {
    expect(assembly).toBeDefined();
    const result = await drift([]);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Stack ImportedWorkspaces');
    expect(result.stdout).toMatch(/\[=\] Custom::Workspace JohnDoeExampleCom[0-9A-F]{8}\s+john\.doe@example\.com in d-1234567890 ws-\w+ AVAILABLE\s+in sync/);
    expect(result.stdout).toContain(`${IMPORTED} WorkSpaces: ${IMPORTED} in sync, 0 drifted, 0 missing, 0 not compared (error)`);
  });

  test('a property, a tag, a state and a terminated WorkSpace changed outside the stack: exit 1, each named', async () => {
    const id = (user: string) => byUser(user).WorkspaceId;
    await client.send(new ModifyWorkspacePropertiesCommand({ WorkspaceId: id('user003'), WorkspaceProperties: { ComputeTypeName: 'POWER' } }));
    await client.send(new CreateTagsCommand({ ResourceId: id('user005'), Tags: [{ Key: 'team', Value: 'moved' }, { Key: 'added-in-console', Value: 'yes' }] }));
    await client.send(new DeleteTagsCommand({ ResourceId: id('user010'), TagKeys: ['cost-center'] }));
    const terminated = id('user006');
    await client.send(new TerminateWorkspacesCommand({ TerminateWorkspaceRequests: [{ WorkspaceId: terminated }] }));
    endpoint.setWorkspaceState(id('user007'), 'ERROR', { code: 'InternalError', message: 'disk failure' });
    await waitUntil(() => byUser('user003').WorkspaceProperties?.ComputeTypeName === 'POWER'
      && endpoint.inventory({ includeTerminated: true }).find((w) => w.WorkspaceId === terminated)?.State === 'TERMINATED');

    const json = await drift(['--json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    const of = (user: string) => report.resources.find((r: any) => r.userName === user);
    expect(of('user003')).toMatchObject({
      status: 'drifted',
      differences: [{ property: 'WorkspaceProperties.ComputeTypeName', declared: 'STANDARD', live: 'POWER' }],
    });
    // A tag the app does not declare is not the stack's: the handler leaves it, and so does drift.
    expect(of('user005')).toMatchObject({ status: 'drifted', differences: [{ property: 'Tags.team', declared: 'team-1', live: 'moved' }] });
    expect(of('user010')).toMatchObject({ status: 'drifted', differences: [{ property: 'Tags.cost-center', declared: '4010', live: '(absent)' }] });
    expect(of('user006')).toMatchObject({ status: 'missing', workspaceId: terminated, state: 'TERMINATED', notes: [`its WorkSpace ${terminated} is TERMINATED`] });
    expect(of('user007')).toMatchObject({
      status: 'drifted',
      differences: [{ property: 'State', declared: 'AVAILABLE or STOPPED', live: 'ERROR (InternalError: disk failure)' }],
    });
    expect(report.resources.filter((r: any) => r.status === 'in-sync')).toHaveLength(IMPORTED - 5);

    const table = await drift([]);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/\[~\] Custom::Workspace User003[0-9A-F]{8}\s+user003 in d-1234567890 ws-\w+ AVAILABLE\s+drifted\n └─ \[~\] WorkspaceProperties.ComputeTypeName: live POWER, declared STANDARD\n/);
    expect(table.stdout).toMatch(/\[-\] Custom::Workspace User006[0-9A-F]{8}\s+user006 in d-1234567890 ws-\w+ TERMINATED\s+missing\n └─ +its WorkSpace ws-\w+ is TERMINATED\n/);
    expect(table.stdout).toContain(`${IMPORTED} WorkSpaces: ${IMPORTED - 5} in sync, 4 drifted, 1 missing, 0 not compared (error)`);

    // One stack by name gives the same; a stack the app does not have is an error.
    expect((await drift(['--stack', 'ImportedWorkspaces'])).code).toBe(1);
    const unknown = await drift(['--stack', 'Nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No stack Nope in');
  });

  test('errors: exit 2, with the reason', async () => {
    const notAnAssembly = await runCli(['drift', '--app', path.join(ROOT, 'test')], endpoint.env());
    expect(notAnAssembly.code).toBe(2);
    expect(notAnAssembly.stderr).toContain('is not a cloud assembly: it has no manifest.json');

    // Nothing answers: each WorkSpace is reported as not compared, naming the call.
    const down = await drift(['--json'], { ...endpoint.env(), AWS_ENDPOINT_URL_WORKSPACES: 'http://127.0.0.1:9' });
    expect(down.code).toBe(2);
    const report = JSON.parse(down.stdout);
    expect(report.resources.every((r: any) => r.status === 'error')).toBe(true);
    expect(report.resources[0].notes[0]).toMatch(/^WorkspacesCallError: DescribeWorkspaces for directory d-1234567890 failed: /);

    // The region comes from the standard settings, or from --region.
    const { AWS_REGION, ...noRegion } = endpoint.env();
    const withoutRegion = await runCli(['import', '--directory', DIRECTORY_ID], noRegion);
    expect(withoutRegion.code).toBe(2);
    expect(withoutRegion.stderr).toContain('No AWS region is set. Pass --region <region>');
    expect((await runCli(['import', '--directory', DIRECTORY_ID, '--region', AWS_REGION], noRegion)).code).toBe(0);

    const usage = await runCli(['drift'], endpoint.env());
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('drift needs --app <cdk.out>');
    const badDirectory = await runCli(['import', '--directory', 'nope'], endpoint.env());
    expect(badDirectory.code).toBe(2);
    expect(badDirectory.stderr).toContain('Invalid --directory "nope": must match');
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('timed out waiting for the endpoint');
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
