// Issues 15 and 9 together: what `cdk-workspaces import` writes is deployed as a user would
// deploy it, through the real bundled handlers (runner.ts) against the local endpoint. The
// console-made WorkSpaces are adopted, not created again; nothing about them changes; drift
// stays in sync; and destroying the stack releases them instead of terminating them.
import { readFileSync } from 'fs';
import * as path from 'path';
import { LocalWorkspaces, startLocalWorkspaces, WorkspaceSnapshot } from './endpoint';
import { LocalStack } from './runner';
import { parseOwnership } from '../../lambda/core/ownership';
import { OWNERSHIP_TAG_KEY } from '../../src/private/rules';
import { generatedAppDir, removeGeneratedAppDir, runCli, runProcess } from '../cli/run-cli';

jest.setTimeout(240_000);

const DIRECTORY_ID = 'd-1234567890';
/** Two pages of DescribeWorkspaces. */
const USERS = 30;

let endpoint: LocalWorkspaces | undefined;
let appDir: string | undefined;

afterEach(async () => {
  if (appDir) {
    removeGeneratedAppDir(appDir);
  }
  await endpoint?.stop();
});

/** What must not change when a stack adopts a WorkSpace: everything but the ownership marking. */
function essence(w: WorkspaceSnapshot): unknown {
  const { [OWNERSHIP_TAG_KEY]: _marking, ...tags } = w.Tags;
  return { id: w.WorkspaceId, user: w.UserName, bundle: w.BundleId, state: w.State, properties: w.WorkspaceProperties, tags };
}

test('an imported directory deploys by adoption: no WorkSpace created or changed, drift in sync, destroy releases them', async () => {
  endpoint = await startLocalWorkspaces({ seed: 9 });
  Object.assign(process.env, endpoint.env(), { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  for (let i = 0; i < USERS; i++) {
    endpoint.seedWorkspace({
      UserName: `console${String(i).padStart(2, '0')}`,
      WorkspaceProperties: i % 2 === 0
        ? { RunningMode: 'AUTO_STOP', RunningModeAutoStopTimeoutInMinutes: 120 }
        : { RunningMode: 'ALWAYS_ON', ComputeTypeName: 'POWER', UserVolumeSizeGib: 100 },
      Tags: { team: `team-${i % 3}` },
    });
  }
  const before = endpoint.inventory().map(essence);

  appDir = generatedAppDir('adopt');
  const out = path.join(appDir, 'workspaces.ts');
  const imported = await runCli(['import', '--directory', DIRECTORY_ID, '--out', out, '--app-file', path.join(appDir, 'app.ts')], endpoint.env());
  expect(imported.code).toBe(0);
  const assembly = path.join(appDir, 'cdk.out');
  const synth = await runProcess(process.execPath, [require.resolve('tsx/cli'), 'app.ts'], { cwd: appDir, env: { CDK_OUTDIR: assembly } });
  expect(synth.stderr).toBe('');
  expect(synth.code).toBe(0);
  const template = JSON.parse(readFileSync(path.join(assembly, 'ImportedWorkspaces.template.json'), 'utf8'));

  const stack = new LocalStack({ stackName: 'ImportedWorkspaces', pollIntervalMs: 20 });
  endpoint.resetCalls();
  const deployed = await stack.deploy(template);

  expect(deployed.reason).toBeUndefined();
  expect(deployed.ok).toBe(true);
  const calls = endpoint.calls();
  expect(calls.CreateWorkspaces ?? 0).toBe(0);
  expect(calls.ModifyWorkspaceProperties ?? 0).toBe(0);
  expect(calls.TerminateWorkspaces ?? 0).toBe(0);
  const after = endpoint.inventory();
  expect(after.map(essence)).toEqual(before);
  // Each is now marked as adopted by this stack, by the resource that declares it.
  for (const w of after) {
    const marking = parseOwnership(w.Tags[OWNERSHIP_TAG_KEY]);
    expect(marking).toMatchObject({ kind: 'adopted', stack: stack.stackId.split('/').pop() });
    expect(deployed.operations.find((op) => op.physicalId === w.WorkspaceId)?.logicalId).toMatch(new RegExp(`^${marking!.resource}`));
  }

  const drift = await runCli(['drift', '--app', assembly], endpoint.env());
  expect(drift.stdout).toContain(`${USERS} WorkSpaces: ${USERS} in sync, 0 drifted, 0 missing`);
  expect(drift.code).toBe(0);

  // The stack never terminates what it adopted, even where the app says RemovalPolicy.DESTROY
  // (the default keeps the WorkSpaces and their marking without asking the handler): it lets go.
  for (const resource of Object.values<any>(template.Resources)) {
    if (resource.Type === 'Custom::Workspace') {
      resource.DeletionPolicy = 'Delete';
      resource.UpdateReplacePolicy = 'Delete';
    }
  }
  expect((await stack.deploy(template)).ok).toBe(true);
  const destroyed = await stack.destroy();
  expect(destroyed.ok).toBe(true);
  expect(endpoint.calls().TerminateWorkspaces ?? 0).toBe(0);
  const released = endpoint.inventory();
  expect(released.map(essence)).toEqual(before);
  expect(released.every((w) => !(OWNERSHIP_TAG_KEY in w.Tags))).toBe(true);
});
