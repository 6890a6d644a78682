// Issue 24 (points 2 and 3) and 25 (points 4 and 5): `cdk-workspaces drift` compares everything
// the app declares (every fleet member by directory and user, directories, lookups), resolves a
// directory id that is a token from the deployed stack (a loopback CloudFormation endpoint that
// answers ListStackResources only) or from --directory, and never exits 0 unless it compared
// all of it. The command runs as shipped (assets/cli) against the local WorkSpaces endpoint.
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { ModifySelfservicePermissionsCommand, ModifyWorkspacePropertiesCommand, TerminateWorkspacesCommand, WorkSpacesClient } from '@aws-sdk/client-workspaces';
import { App, SecretValue, Stack, Tags } from 'aws-cdk-lib';
import { CfnMicrosoftAD } from 'aws-cdk-lib/aws-directoryservice';
import { LocalCloudFormation, startLocalCloudFormation } from './cloudformation-endpoint';
import { runCli } from './run-cli';
import { KNOWN_SCHEMA_MAJOR } from '../../cli/assembly';
import { RunningMode, Workspace, WorkspaceBundle, WorkspaceFleet, WorkspacesDirectory } from '../../src';
import { LocalWorkspaces, startLocalWorkspaces } from '../local/endpoint';

jest.setTimeout(120_000);

const DIRECTORY_ID = 'd-5555555555';
const BUNDLE_ID = 'wsb-12345678';
const DEFAULT_PERMISSIONS = { RestartWorkspace: 'ENABLED', IncreaseVolumeSize: 'DISABLED', ChangeComputeType: 'DISABLED', SwitchRunningMode: 'DISABLED', RebuildWorkspace: 'DISABLED' } as const;

let endpoint: LocalWorkspaces;
let cloudFormation: LocalCloudFormation;
let client: WorkSpacesClient;
/** An app whose directory is created in it (the directory id is a token), with a fleet and a lookup. */
let tokenApp: string;
/** The same with the directory id written out: everything comparable without CloudFormation. */
let literalApp: string;

function synth(build: (stack: Stack) => void, stackName = 'desks-prod'): string {
  const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'drift-res-')), context: { 'aws:cdk:enable-path-metadata': true } });
  build(new Stack(app, 'Desks', { stackName }));
  return app.synth().directory;
}

/** A directory the same stack creates: its id is a token until CloudFormation creates it. */
function directoryService(stack: Stack): CfnMicrosoftAD {
  return new CfnMicrosoftAD(stack, 'AD', {
    name: 'corp.example.com',
    password: SecretValue.ssmSecure('/corp/admin-password').unsafeUnwrap(),
    vpcSettings: { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'] },
  });
}

function declare(stack: Stack, directoryId: string): void {
  const directory = new WorkspacesDirectory(stack, 'Directory', { directoryId, userEnabledAsLocalAdministrator: true });
  const fleet = new WorkspaceFleet(stack, 'Fleet', { directory, bundle: WorkspaceBundle.fromBundleId(BUNDLE_ID), users: ['ann', 'ben'], runningMode: RunningMode.ALWAYS_ON });
  fleet.addUser('cat', { runningMode: RunningMode.AUTO_STOP, tags: { team: 'night' } });
  Tags.of(fleet).add('cost-center', '42');
  Workspace.fromUserName(stack, 'Eve', { directory, userName: 'eve' });
}

beforeAll(async () => {
  endpoint = await startLocalWorkspaces({ seed: 24, timing: { updatingMs: 20, terminatingMs: 20, terminatedVisibleMs: 60_000 } });
  cloudFormation = await startLocalCloudFormation();
  client = new WorkSpacesClient({ ...endpoint.clientConfig(), maxAttempts: 1 });
  endpoint.addDirectory(DIRECTORY_ID, { SelfservicePermissions: DEFAULT_PERMISSIONS });
  for (const user of ['ann', 'ben', 'eve']) {
    endpoint.seedWorkspace({ UserName: user, DirectoryId: DIRECTORY_ID, WorkspaceProperties: { RunningMode: 'ALWAYS_ON' }, Tags: { 'cost-center': '42' } });
  }
  endpoint.seedWorkspace({ UserName: 'cat', DirectoryId: DIRECTORY_ID, WorkspaceProperties: { RunningMode: 'AUTO_STOP', RunningModeAutoStopTimeoutInMinutes: 60 }, Tags: { 'cost-center': '42', 'team': 'night' } });
  tokenApp = synth((stack) => {
    declare(stack, directoryService(stack).ref);
  });
  literalApp = synth((stack) => declare(stack, DIRECTORY_ID));
});

afterAll(async () => {
  client?.destroy();
  await cloudFormation?.stop();
  await endpoint?.stop();
});

const env = () => ({ ...endpoint.env(), AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.url });
const logicalIds = (assembly: string, type: string) => {
  const template = JSON.parse(readFileSync(path.join(assembly, 'Desks.template.json'), 'utf8'));
  return Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type).map(([id]) => id);
};
const idOf = (user: string) => endpoint.inventory().find((w) => w.UserName === user)!.WorkspaceId;

test('an app with a fleet, a directory and a lookup: every member compared, in sync, exit 0', async () => {
  const result = await runCli(['drift', '--app', literalApp], env());
  expect(result.stdout).toContain('3 fleet members, 1 directory, 1 lookup: 5 in sync, 0 drifted, 0 missing, 0 not compared (error)');
  expect(result.stdout).toMatch(/\[=\] Custom::WorkspaceFleet Desks\/Fleet\s+cat in d-5555555555 ws-\w+ AVAILABLE\s+in sync/);
  expect(result.stdout).toMatch(/\[=\] Custom::WorkspacesDirectory Desks\/Directory\s+d-5555555555 REGISTERED\s+in sync/);
  expect(result.code).toBe(0);
  // No CloudFormation call without a token to resolve.
  expect(cloudFormation.requests).toEqual([]);
});

test('a directory id that is a token: not compared without --stack (exit 2, saying how); read from the deployed stack with it', async () => {
  const unresolved = await runCli(['drift', '--app', tokenApp, '--json'], env());
  expect(unresolved.code).toBe(2);
  const report = JSON.parse(unresolved.stdout);
  expect(report.resources).toHaveLength(5);
  for (const r of report.resources) {
    expect(r).toMatchObject({ status: 'error', notes: [expect.stringContaining('DirectoryId is {"Ref":"AD"}, resolved only at deploy time: pass --stack desks-prod')] });
  }
  const table = await runCli(['drift', '--app', tokenApp], env());
  expect(table.stdout).toContain('Not compared: Desks/Directory, Desks/Fleet (ann), Desks/Fleet (ben), Desks/Fleet (cat), Desks/Eve');

  // Deployed: the stack's resources name the directory (the registration's id says it was adopted).
  const [directoryLogicalId] = logicalIds(tokenApp, 'Custom::WorkspacesDirectory');
  const [lookupLogicalId] = logicalIds(tokenApp, 'Custom::WorkspaceLookup');
  cloudFormation.deploy('desks-prod', [
    { logicalId: 'AD', physicalId: DIRECTORY_ID, type: 'AWS::DirectoryService::MicrosoftAD' },
    { logicalId: directoryLogicalId, physicalId: `${DIRECTORY_ID}/adopted`, type: 'Custom::WorkspacesDirectory' },
    // The lookup's id names the WorkSpace, and the directory and user it was found for.
    { logicalId: lookupLogicalId, physicalId: `${idOf('eve')}:${DIRECTORY_ID}:eve`, type: 'Custom::WorkspaceLookup' },
  ]);
  cloudFormation.requests.length = 0;
  const resolved = await runCli(['drift', '--app', tokenApp, '--stack', 'Desks'], env());
  expect(resolved.stdout).toContain('3 fleet members, 1 directory, 1 lookup: 5 in sync, 0 drifted, 0 missing, 0 not compared (error)');
  expect(resolved.code).toBe(0);
  // Read-only, once per stack, over its pages.
  expect(new Set(cloudFormation.requests.map((r) => `${r.action} ${r.stackName}`))).toEqual(new Set(['ListStackResources desks-prod']));

  // --directory instead of CloudFormation: by the logical id the token names, or for every token.
  cloudFormation.requests.length = 0;
  expect((await runCli(['drift', '--app', tokenApp, '--directory', `AD=${DIRECTORY_ID}`], env())).code).toBe(0);
  expect((await runCli(['drift', '--app', tokenApp, '--directory', DIRECTORY_ID], env())).code).toBe(0);
  expect(cloudFormation.requests).toEqual([]);
  const bad = await runCli(['drift', '--app', tokenApp, '--directory', 'AD=d-1;rm'], env());
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('Invalid --directory "d-1;rm": must match');

  // A stack that is not deployed: each is not compared, with CloudFormation's reason.
  const other = await runCli(['drift', '--app', synth((stack) => {
    Workspace.fromUserName(stack, 'Eve', { directory: WorkspacesDirectory.fromDirectoryId(stack, 'D', directoryService(stack).ref), userName: 'eve' });
  }, 'desks-staging'), '--stack', 'Desks', '--json'], env());
  expect(other.code).toBe(2);
  expect(JSON.parse(other.stdout).resources[0].notes[0]).toMatch(/^CloudFormation ListStackResources for stack desks-staging failed: ValidationError: Stack with id desks-staging does not exist/);
});

test('a fleet member, a directory setting and a lookup changed outside the stack: exit 1, each named', async () => {
  await client.send(new ModifyWorkspacePropertiesCommand({ WorkspaceId: idOf('ben'), WorkspaceProperties: { RunningMode: 'AUTO_STOP' } }));
  await client.send(new ModifySelfservicePermissionsCommand({ ResourceId: DIRECTORY_ID, SelfservicePermissions: { ...DEFAULT_PERMISSIONS, RebuildWorkspace: 'ENABLED' } as any }));
  const oldEve = idOf('eve');
  await client.send(new TerminateWorkspacesCommand({ TerminateWorkspaceRequests: [{ WorkspaceId: oldEve }] }));
  await waitUntil(() => endpoint.inventory().find((w) => w.UserName === 'ben')?.WorkspaceProperties?.RunningMode === 'AUTO_STOP'
    && !endpoint.inventory().some((w) => w.WorkspaceId === oldEve));
  endpoint.seedWorkspace({ UserName: 'eve', DirectoryId: DIRECTORY_ID });

  const result = await runCli(['drift', '--app', tokenApp, '--stack', 'desks-prod', '--json'], env());
  expect(result.code).toBe(1);
  const report = JSON.parse(result.stdout);
  const of = (type: string, user?: string) => report.resources.find((r: any) => r.resourceType === type && r.userName === user);
  expect(of('Custom::WorkspaceFleet', 'ben')).toMatchObject({
    status: 'drifted',
    path: 'Desks/Fleet',
    differences: [{ property: 'WorkspaceProperties.RunningMode', declared: 'ALWAYS_ON', live: 'AUTO_STOP' }],
  });
  expect(of('Custom::WorkspaceFleet', 'ann')).toMatchObject({ status: 'in-sync' });
  expect(of('Custom::WorkspacesDirectory')).toMatchObject({
    status: 'drifted',
    differences: [{ property: 'SelfservicePermissions.RebuildWorkspace', declared: 'DISABLED', live: 'ENABLED' }],
  });
  expect(of('Custom::WorkspaceLookup', 'eve')).toMatchObject({
    status: 'drifted',
    differences: [{ property: 'WorkspaceId', declared: `${oldEve} (read at the last deploy)`, live: idOf('eve') }],
  });
  // A member whose WorkSpace is gone is missing (exit 1 still).
  await client.send(new TerminateWorkspacesCommand({ TerminateWorkspaceRequests: [{ WorkspaceId: idOf('ann') }] }));
  await waitUntil(() => endpoint.inventory().every((w) => w.UserName !== 'ann'));
  const missing = JSON.parse((await runCli(['drift', '--app', literalApp, '--json'], env())).stdout);
  expect(missing.resources.find((r: any) => r.userName === 'ann')).toMatchObject({ status: 'missing', resourceType: 'Custom::WorkspaceFleet' });
});

describe('what drift cannot read is never "in sync"', () => {
  function assemblyWith(manifest: unknown, template?: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'drift-bad-'));
    writeFileSync(path.join(dir, 'manifest.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
    if (template !== undefined) {
      writeFileSync(path.join(dir, 'Desks.template.json'), template);
    }
    return dir;
  }
  const stackArtifact = { Desks: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Desks.template.json' } } };

  test('a manifest without a schema version, or not JSON, or a template not JSON: exit 2 naming the file', async () => {
    const noVersion = assemblyWith({ artifacts: stackArtifact }, '{}');
    const a = await runCli(['drift', '--app', noVersion], env());
    expect(a.code).toBe(2);
    expect(a.stderr).toContain(`${path.join(noVersion, 'manifest.json')} has no cloud assembly schema version this command understands (version undefined`);

    const notJson = assemblyWith('{"version": "55.0.0", ');
    const b = await runCli(['drift', '--app', notJson], env());
    expect(b.code).toBe(2);
    expect(b.stderr).toContain(`${path.join(notJson, 'manifest.json')} (the cloud assembly manifest) is not JSON: `);

    const badTemplate = assemblyWith({ version: '55.0.0', artifacts: stackArtifact }, '{"Resources": ');
    const c = await runCli(['drift', '--app', badTemplate], env());
    expect(c.code).toBe(2);
    expect(c.stderr).toContain(`${path.join(badTemplate, 'Desks.template.json')} (the template of stack Desks) is not JSON: `);
  });

  test('a newer schema version is read with a note; one without the artifacts it knows, or an app with nothing to compare, exits 2', async () => {
    const newer = assemblyWith({ version: `${KNOWN_SCHEMA_MAJOR + 1}.0.0`, artifacts: { Desks: { type: 'aws:cloudformation:stack:v2', properties: { template: {} } } } });
    const a = await runCli(['drift', '--app', newer], env());
    expect(a.stderr).toContain(`has cloud assembly schema version ${KNOWN_SCHEMA_MAJOR + 1}.0.0, newer than ${KNOWN_SCHEMA_MAJOR}.x`);
    expect(a.stdout).toContain('Note: The app declares no Custom::Workspace, Custom::WorkspaceFleet, Custom::WorkspacesDirectory, Custom::WorkspaceLookup: nothing was compared');
    expect(a.code).toBe(2);

    const empty = assemblyWith({ version: '55.0.0', artifacts: stackArtifact }, '{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}');
    const b = await runCli(['drift', '--app', empty, '--json'], env());
    expect(JSON.parse(b.stdout)).toEqual({ resources: [], notes: [expect.stringContaining('nothing was compared')] });
    expect(b.code).toBe(2);

    const noTemplateFile = assemblyWith({ version: '55.0.0', artifacts: { Desks: { type: 'aws:cloudformation:stack', properties: {} } } });
    const c = await runCli(['drift', '--app', noTemplateFile], env());
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('the stack artifact "Desks" names no templateFile');
  });

  test('the schema version this command knows is the one aws-cdk-lib writes', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Manifest } = require('aws-cdk-lib/cloud-assembly-schema');
    expect(Number(Manifest.version().split('.')[0])).toBeLessThanOrEqual(KNOWN_SCHEMA_MAJOR);
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
