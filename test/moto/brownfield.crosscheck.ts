/**
 * Issue 15 against moto_server: the bundled `cdk-workspaces` command imports a moto directory
 * of WorkSpaces made with CreateWorkspaces (as a console would), the generated TypeScript
 * compiles and synthesizes to moto's properties and tags, and drift is in sync, then drifted.
 *
 * Run with `bash test/moto/run.sh` (see moto.crosscheck.ts). It uses its own directory
 * (MOTO_SETUP.brownfieldDirectoryId), so the other suite's WorkSpaces are never in it.
 *
 * What moto does differently here (asserted below):
 * - DescribeWorkspaces by DirectoryId: moto answers every WorkSpace in one page (no NextToken),
 *   where the service and the local endpoint page by 25; the SDK paginator handles both.
 * - moto implements neither ModifyWorkspaceProperties nor DeleteTags, so a property drift is
 *   made from the app's side (the declared compute type changed) rather than the WorkSpace's.
 * - CreateTags with a key that exists appends a second tag with that key; DescribeTags then
 *   lists both and the handler's tag map (and so drift) takes the last value, the new one.
 * - TerminateWorkspaces removes the WorkSpace at once: drift reports it missing, with no
 *   TERMINATED WorkSpace to name.
 */
import { readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { CreateTagsCommand, CreateWorkspacesCommand, TerminateWorkspacesCommand, WorkspaceRequest, WorkSpacesClient } from '@aws-sdk/client-workspaces';
import { WorkspacesApi } from '../../lambda/api';
import { parseProperties } from '../../lambda/parse';
import { OWNERSHIP_TAG_KEY } from '../../src/private/rules';
import { generatedAppDir, removeGeneratedAppDir, runCli, runProcess } from '../cli/run-cli';

jest.setTimeout(240_000);

const MOTO_ENDPOINT = process.env.MOTO_ENDPOINT ?? '';
const SETUP = JSON.parse(process.env.MOTO_SETUP ?? '{}') as { brownfieldDirectoryId?: string };
const DIRECTORY_ID = SETUP.brownfieldDirectoryId ?? '';
const COUNT = 40;
const ENV = { AWS_ENDPOINT_URL_WORKSPACES: MOTO_ENDPOINT, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };

let client: WorkSpacesClient;
let api: WorkspacesApi;
let appDir: string;
const ids = new Map<string, string>();

beforeAll(async () => {
  if (!MOTO_ENDPOINT || !DIRECTORY_ID) {
    throw new Error('MOTO_ENDPOINT and MOTO_SETUP.brownfieldDirectoryId are not set: run this suite with "bash test/moto/run.sh"');
  }
  client = new WorkSpacesClient({ endpoint: MOTO_ENDPOINT, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 });
  api = new WorkspacesApi(client);
  const requests: WorkspaceRequest[] = [];
  for (let i = 0; i < COUNT; i++) {
    const modes = ['AUTO_STOP', 'ALWAYS_ON', 'MANUAL'] as const;
    const mode = modes[i % 3];
    requests.push({
      DirectoryId: DIRECTORY_ID,
      UserName: `console-user-${i}`,
      BundleId: 'wsb-12345678',
      WorkspaceProperties: {
        RunningMode: mode,
        ...(mode === 'AUTO_STOP' ? { RunningModeAutoStopTimeoutInMinutes: 60 * (1 + (i % 2)) } : {}),
        ComputeTypeName: i % 2 === 0 ? 'STANDARD' : 'PERFORMANCE',
        RootVolumeSizeGib: i % 2 === 0 ? 80 : 175,
        UserVolumeSizeGib: i % 2 === 0 ? 50 : 100,
        Protocols: [i % 4 === 1 ? 'WSP' : 'PCOIP'],
      },
      Tags: [{ Key: 'team', Value: `team-${i % 3}` }],
    });
  }
  requests.push({ DirectoryId: DIRECTORY_ID, UserName: 'stack-managed', BundleId: 'wsb-12345678', Tags: [{ Key: OWNERSHIP_TAG_KEY, Value: 'Desk/1234' }] });
  for (let i = 0; i < requests.length; i += 25) {
    const out = await client.send(new CreateWorkspacesCommand({ Workspaces: requests.slice(i, i + 25) }));
    expect(out.FailedRequests ?? []).toEqual([]);
    for (const pending of out.PendingRequests ?? []) {
      ids.set(pending.UserName!, pending.WorkspaceId!);
    }
  }
});

afterAll(() => {
  removeGeneratedAppDir(appDir);
  client?.destroy();
});

test('import reads the moto directory and writes an app that synthesizes to moto\'s WorkSpaces', async () => {
  appDir = generatedAppDir('moto-import');
  const out = path.join(appDir, 'workspaces.ts');
  const result = await runCli(['import', '--directory', DIRECTORY_ID, '--out', out, '--app-file', path.join(appDir, 'app.ts')], ENV);
  // One page: moto returns the whole directory at once (the local endpoint pages by 25).
  expect(result.stderr.match(/^DescribeWorkspaces: .*$/gm)).toEqual([`DescribeWorkspaces: ${COUNT + 1} WorkSpaces of directory ${DIRECTORY_ID} so far`]);
  expect(result.stderr).toContain(`Left out stack-managed (${ids.get('stack-managed')}): already managed by cdk-workspaces`);
  expect(result.stderr).toContain(`Wrote ${COUNT} WorkSpaces to ${out}`);
  expect(result.code).toBe(0);

  const tsc = await runProcess(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', appDir], { cwd: appDir });
  expect(tsc.stdout + tsc.stderr).toBe('');
  const synth = await runProcess(process.execPath, [require.resolve('tsx/cli'), 'app.ts'], { cwd: appDir, env: { CDK_OUTDIR: path.join(appDir, 'cdk.out') } });
  expect(synth.stderr).toBe('');
  const template = JSON.parse(readFileSync(path.join(appDir, 'cdk.out', 'ImportedWorkspaces.template.json'), 'utf8'));
  const declared = Object.values<any>(template.Resources).filter((r) => r.Type === 'Custom::Workspace').map((r) => r.Properties);
  expect(declared).toHaveLength(COUNT);
  for (const raw of declared) {
    const { ServiceToken, AdoptExisting, ...rest } = raw;
    expect(AdoptExisting).toBe('true');
    const desired = parseProperties(rest);
    const live = await api.describe(ids.get(desired.userName)!);
    const p = live!.WorkspaceProperties!;
    expect(desired.properties).toEqual({
      runningMode: p.RunningMode,
      ...(p.RunningMode === 'AUTO_STOP' ? { runningModeAutoStopTimeoutInMinutes: p.RunningModeAutoStopTimeoutInMinutes } : {}),
      computeTypeName: p.ComputeTypeName,
      rootVolumeSizeGib: p.RootVolumeSizeGib,
      userVolumeSizeGib: p.UserVolumeSizeGib,
      protocols: p.Protocols,
    });
    expect(Object.fromEntries(desired.tags.map((t) => [t.Key, t.Value]))).toEqual(await api.tags(live!.WorkspaceId!));
    expect([desired.directoryId, desired.bundleId]).toEqual([live!.DirectoryId, live!.BundleId]);
  }
});

test('drift: in sync, then a declared property, a tag and a termination differ', async () => {
  const drift = (args: string[] = []) => runCli(['drift', '--app', path.join(appDir, 'cdk.out'), ...args], ENV);
  const inSync = await drift();
  expect(inSync.stdout).toContain(`${COUNT} WorkSpaces: ${COUNT} in sync, 0 drifted, 0 missing, 0 not compared (error)`);
  expect(inSync.code).toBe(0);

  // The app now declares another compute type for user 0 (moto cannot modify a WorkSpace).
  const source = readFileSync(path.join(appDir, 'workspaces.ts'), 'utf8');
  const changed = source.replace(/(userName: "console-user-0",\n(?:.*\n)*?\s+computeType: )ComputeType\.STANDARD/, '$1ComputeType.POWER');
  expect(changed).not.toBe(source);
  writeFileSync(path.join(appDir, 'workspaces.ts'), changed);
  const synth = await runProcess(process.execPath, [require.resolve('tsx/cli'), 'app.ts'], { cwd: appDir, env: { CDK_OUTDIR: path.join(appDir, 'cdk.out') } });
  expect(synth.stderr).toBe('');
  await client.send(new CreateTagsCommand({ ResourceId: ids.get('console-user-1'), Tags: [{ Key: 'team', Value: 'moved' }] }));
  await client.send(new TerminateWorkspacesCommand({ TerminateWorkspaceRequests: [{ WorkspaceId: ids.get('console-user-2') }] }));

  const result = await drift(['--json']);
  expect(result.code).toBe(1);
  const report = JSON.parse(result.stdout);
  const of = (user: string) => report.resources.find((r: any) => r.userName === user);
  expect(of('console-user-0')).toMatchObject({
    status: 'drifted',
    differences: [{ property: 'WorkspaceProperties.ComputeTypeName', declared: 'POWER', live: 'STANDARD' }],
  });
  expect(of('console-user-1')).toMatchObject({ status: 'drifted', differences: [{ property: 'Tags.team', declared: 'team-1', live: 'moved' }] });
  expect(of('console-user-2')).toMatchObject({ status: 'missing', notes: [`no WorkSpace of user console-user-2 in directory ${DIRECTORY_ID}`] });
  expect(report.resources.filter((r: any) => r.status === 'in-sync')).toHaveLength(COUNT - 3);
});
