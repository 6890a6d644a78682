// The drift command's reading of a cloud assembly and its comparison, in process against the
// local endpoint: user names without case, stacks inside a Stage, a key only CloudFormation
// can resolve, and the comparison's own cases (volumes, bundle, encryption, undeclared tags).
import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { WorkSpacesClient, Workspace as LiveWorkspace } from '@aws-sdk/client-workspaces';
import { App, CfnParameter, Size, Stack, Stage, Tags } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { compare, drift, exitCode, renderTable } from '../../cli/drift';
// The handler's parser, to check that the command reads a fleet as the handler does (a test may
// import a resource module; cli/ itself may not).
import { WorkspacesApi } from '../../lambda/api';
import { parseProperties } from '../../lambda/parse';
import { parseFleetProperties } from '../../lambda/resources/fleet/fleet-properties';
import { RunningMode, Workspace, WorkspaceBundle, WorkspaceFleet } from '../../src';
import { directory } from '../directories';
import { LocalWorkspaces, startLocalWorkspaces } from '../local/endpoint';

// Each test synthesizes an app: more than jest's 5 seconds on a loaded machine.
jest.setTimeout(30_000);

const DIRECTORY_ID = 'd-1234567890';
const BUNDLE_ID = 'wsb-12345678';

let endpoint: LocalWorkspaces;
let client: WorkSpacesClient;
let api: WorkspacesApi;

beforeAll(async () => {
  endpoint = await startLocalWorkspaces({ seed: 3 });
  client = new WorkSpacesClient({ ...endpoint.clientConfig(), maxAttempts: 1 });
  api = new WorkspacesApi(client);
});

afterAll(async () => {
  client.destroy();
  await endpoint.stop();
});

function assemblyOf(build: (app: App) => void): string {
  // Path metadata, as the CDK CLI asks for it.
  const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'drift-')), context: { 'aws:cdk:enable-path-metadata': true } });
  build(app);
  return app.synth().directory;
}

test('finds the WorkSpace by user name without case, in a stack inside a Stage; a key from the stack is not compared', async () => {
  endpoint.seedWorkspace({ UserName: 'Dana.Lee', WorkspaceProperties: { RunningMode: 'ALWAYS_ON' }, Tags: { team: 'a', extra: 'console' }, UserVolumeEncryptionEnabled: true, VolumeEncryptionKey: 'arn:aws:kms:us-east-1:123456789012:key/abc' });
  const dir = assemblyOf((app) => {
    const stack = new Stack(new Stage(app, 'Prod'), 'Desktops');
    const ws = new Workspace(stack, 'Dana', {
      directory: directory(DIRECTORY_ID),
      bundle: WorkspaceBundle.fromBundleId(BUNDLE_ID),
      userName: 'dana.lee',
      runningMode: RunningMode.ALWAYS_ON,
      userVolumeEncrypted: true,
      volumeEncryptionKey: new kms.Key(stack, 'Key'),
    });
    Tags.of(ws).add('team', 'a');
  });
  const report = await drift(api, dir, 'Desktops', () => {});
  // The same stack by its path and by its CloudFormation name.
  expect((await drift(api, dir, 'Prod/Desktops', () => {})).resources).toHaveLength(1);
  expect((await drift(api, dir, 'Prod-Desktops', () => {})).resources).toHaveLength(1);
  expect(report.resources).toEqual([expect.objectContaining({
    stack: 'Prod/Desktops',
    path: 'Prod/Desktops/Dana',
    userName: 'dana.lee',
    state: 'AVAILABLE',
    status: 'in-sync',
    differences: [],
    notes: [expect.stringMatching(/^VolumeEncryptionKey is resolved at deploy time \(\{"Fn::GetAtt":\["Key\w+","Arn"\]\}\): not compared$/)],
  })]);
  expect(exitCode(report)).toBe(0);
  expect(renderTable(report)).toContain('[=] Custom::Workspace Prod/Desktops/Dana  dana.lee in d-1234567890 ws-');
});

test('a property that is a token the command cannot resolve is an error for that WorkSpace only', async () => {
  const dir = assemblyOf((app) => {
    const stack = new Stack(app, 'Tokens');
    new Workspace(stack, 'Eve', { directory: directory(DIRECTORY_ID), bundle: WorkspaceBundle.fromBundleId(BUNDLE_ID), userName: 'eve', userVolumeSize: Size.gibibytes(50) });
    new Workspace(stack, 'Tok', { directory: directory(DIRECTORY_ID), bundle: WorkspaceBundle.fromBundleId(BUNDLE_ID), userName: new CfnParameter(stack, 'UserName').valueAsString });
  });
  const report = await drift(api, dir, undefined, () => {});
  const tok = report.resources.find((r) => r.logicalId.startsWith('Tok'))!;
  expect(tok.status).toBe('error');
  expect(tok.notes[0]).toMatch(/^cannot read its properties: Invalid UserName \{"Ref":"UserName"\}: must be a string$/);
  expect(report.resources.find((r) => r.logicalId.startsWith('Eve'))).toMatchObject({ status: 'missing', notes: [`no WorkSpace of user eve in directory ${DIRECTORY_ID}`] });
  expect(exitCode(report)).toBe(2);
});

describe('compare', () => {
  const desired = (props: Record<string, unknown> = {}) => parseProperties({
    DirectoryId: DIRECTORY_ID,
    BundleId: BUNDLE_ID,
    UserName: 'alice',
    WorkspaceProperties: { RunningMode: 'AUTO_STOP', RunningModeAutoStopTimeoutInMinutes: 60, RootVolumeSizeGib: 80, UserVolumeSizeGib: 50, Protocols: ['PCOIP'] },
    Tags: [{ Key: 'team', Value: 'a' }],
    ...props,
  });
  const live = (over: Partial<LiveWorkspace> = {}): LiveWorkspace => ({
    WorkspaceId: 'ws-abcd12345',
    DirectoryId: DIRECTORY_ID,
    BundleId: BUNDLE_ID,
    UserName: 'alice',
    State: 'AVAILABLE',
    WorkspaceProperties: { RunningMode: 'AUTO_STOP', RunningModeAutoStopTimeoutInMinutes: 60, RootVolumeSizeGib: 80, UserVolumeSizeGib: 50, Protocols: ['PCOIP'], ComputeTypeName: 'STANDARD' },
    ...over,
  });

  test('in sync: an undeclared compute type and an undeclared tag are not drift', () => {
    expect(compare(desired(), live(), { 'team': 'a', 'added-in-console': 'x' })).toEqual([]);
  });

  test('every differing field once, with its declared and live value, even when the handler would go through steps', () => {
    const want = desired({ WorkspaceProperties: { RunningMode: 'ALWAYS_ON', RootVolumeSizeGib: 175, UserVolumeSizeGib: 200, Protocols: ['WSP'] } });
    expect(compare(want, live({ BundleId: 'wsb-99999999', RootVolumeEncryptionEnabled: true }), {})).toEqual([
      { property: 'BundleId', declared: BUNDLE_ID, live: 'wsb-99999999' },
      { property: 'RootVolumeEncryptionEnabled', declared: 'false', live: 'true' },
      { property: 'WorkspaceProperties.RunningMode', declared: 'ALWAYS_ON', live: 'AUTO_STOP' },
      // The handler sends the timeout only with AUTO_STOP; the service drops it: not a difference of the app's.
      { property: 'WorkspaceProperties.RootVolumeSizeGib', declared: '175', live: '80' },
      { property: 'WorkspaceProperties.UserVolumeSizeGib', declared: '200', live: '50' },
      { property: 'WorkspaceProperties.Protocols', declared: 'WSP', live: 'PCOIP' },
      { property: 'Tags.team', declared: 'a', live: '(absent)' },
    ]);
  });

  test('volumes that no order of single changes reaches are still reported', () => {
    // Live 175/100 to declared 80/50: the service only grows volumes, and the plan says impossible.
    const want = desired({ WorkspaceProperties: { RootVolumeSizeGib: 80, UserVolumeSizeGib: 50 } });
    const have = live({ WorkspaceProperties: { RunningMode: 'AUTO_STOP', RootVolumeSizeGib: 2000, UserVolumeSizeGib: 10 } });
    expect(compare(want, have, { team: 'a' })).toEqual([
      { property: 'WorkspaceProperties.RootVolumeSizeGib', declared: '80', live: '2000' },
      { property: 'WorkspaceProperties.UserVolumeSizeGib', declared: '50', live: '10' },
    ]);
  });

  test('a SUSPENDED or ERROR WorkSpace is drift; a STOPPED one is not', () => {
    expect(compare(desired(), live({ State: 'STOPPED' }), { team: 'a' })).toEqual([]);
    expect(compare(desired(), live({ State: 'SUSPENDED' }), { team: 'a' })).toEqual([{ property: 'State', declared: 'AVAILABLE or STOPPED', live: 'SUSPENDED' }]);
  });
});

describe('fleets and the exit code', () => {
  test('a fleet member is read as the fleet\'s own parser reads it: the fleet\'s settings and tags with the user\'s on top', async () => {
    endpoint.seedWorkspace({ UserName: 'fa', WorkspaceProperties: { RunningMode: 'ALWAYS_ON', UserVolumeSizeGib: 50 }, Tags: { team: 'a', level: 'x' } });
    endpoint.seedWorkspace({ UserName: 'fb', WorkspaceProperties: { RunningMode: 'AUTO_STOP', RunningModeAutoStopTimeoutInMinutes: 60, UserVolumeSizeGib: 100 }, Tags: { team: 'b', level: 'x' } });
    const dir = assemblyOf((app) => {
      const stack = new Stack(app, 'Fleets');
      const fleet = new WorkspaceFleet(stack, 'Fleet', { directory: directory(DIRECTORY_ID), bundle: WorkspaceBundle.fromBundleId(BUNDLE_ID), users: ['fa'], runningMode: RunningMode.ALWAYS_ON });
      fleet.addUser('fb', { runningMode: RunningMode.AUTO_STOP, userVolumeSize: Size.gibibytes(100), tags: { team: 'b' } });
      Tags.of(fleet).add('team', 'a');
      Tags.of(fleet).add('level', 'x');
    });
    const report = await drift(api, dir, 'Fleets', () => {});
    expect(report.resources.map((r) => [r.userName, r.status, r.differences])).toEqual([['fa', 'in-sync', []], ['fb', 'in-sync', []]]);

    // The handler's parser gives each member the same desired state as the command compares.
    const template = JSON.parse(readFileSync(path.join(dir, 'Fleets.template.json'), 'utf8'));
    const raw = Object.values<any>(template.Resources).find((r) => r.Type === 'Custom::WorkspaceFleet').Properties;
    const byHandler = parseFleetProperties({ ...raw, ServiceToken: 'x' }).desired(BUNDLE_ID);
    expect(byHandler.map((d) => [d.userName, d.properties, d.tags])).toEqual([
      ['fa', { runningMode: 'ALWAYS_ON' }, [{ Key: 'level', Value: 'x' }, { Key: 'team', Value: 'a' }]],
      ['fb', { runningMode: 'AUTO_STOP', runningModeAutoStopTimeoutInMinutes: 60, userVolumeSizeGib: 100 }, [{ Key: 'level', Value: 'x' }, { Key: 'team', Value: 'b' }]],
    ]);
  });

  test('nothing declared is exit 2, never "in sync"', () => {
    expect(exitCode({ resources: [], notes: [] })).toBe(2);
  });
});
