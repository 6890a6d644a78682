// Fault scenarios of issue 13 (disruption-aware updates), through the runner and the local
// endpoint with the real bundled handlers: a connected user holds back what would disconnect
// them. Each ends with the inventory check. Needs the bundle: `npx projen bundle` first.
import {
  countCalls,
  expectInventory,
  logicalIdOf,
  Scenario,
  startScenario,
  synth,
  WorkspaceSpec,
} from './scenario-helpers';
import { ComputeType, DisruptionPolicy, RunningMode } from '../../src';

let scenario: Scenario | undefined;

afterEach(async () => {
  await scenario?.stop();
  scenario = undefined;
});

const ALICE: WorkspaceSpec = { userName: 'alice', computeType: ComputeType.STANDARD, runningMode: RunningMode.AUTO_STOP, tags: { team: 'desk' } };

/** Deploys ALICE and returns the scenario and her WorkSpace's id. */
async function aliceDeployed(): Promise<{ scenario: Scenario; workspaceId: string; logicalId: string }> {
  scenario = await startScenario();
  const v1 = synth([ALICE]);
  expect((await scenario.stack.deploy(v1)).ok).toBe(true);
  const logicalId = logicalIdOf(v1, 'alice');
  const workspaceId = scenario.stack.resources.get(logicalId)!.physicalId;
  scenario.endpoint.resetCalls();
  return { scenario, workspaceId, logicalId };
}

test('a compute type change waits while the user is connected and is made once they leave', async () => {
  const { scenario: { endpoint, stack }, workspaceId } = await aliceDeployed();
  const v2 = synth([{ ...ALICE, computeType: ComputeType.PERFORMANCE }]);
  endpoint.connectUser(workspaceId, 1_500);
  const leftAt = endpoint.connection(workspaceId).LastKnownUserConnectionTimestamp! + 1_500;

  const result = await stack.deploy(v2);

  expect(result.reason).toBeUndefined();
  const log = endpoint.callLog();
  const modifies = log.filter((c) => c.operation === 'ModifyWorkspaceProperties');
  expect(modifies).toHaveLength(1);
  expect(modifies[0].at).toBeGreaterThanOrEqual(leftAt);
  // It asked poll by poll while she was there.
  expect(log.filter((c) => c.operation === 'DescribeWorkspacesConnectionStatus' && c.at < leftAt).length).toBeGreaterThan(3);
  expect(endpoint.connection(workspaceId).DisconnectedByChange).toBe(0);
  expectInventory(endpoint, { stack, template: v2 });
}, 30_000);

test('IMMEDIATE changes the compute type at once, disconnecting the user, without asking', async () => {
  const { scenario: { endpoint, stack }, workspaceId } = await aliceDeployed();
  endpoint.connectUser(workspaceId);
  const v2 = synth([{ ...ALICE, computeType: ComputeType.PERFORMANCE, disruptionPolicy: DisruptionPolicy.IMMEDIATE }]);

  const result = await stack.deploy(v2);

  expect(result.reason).toBeUndefined();
  expect(countCalls(endpoint.callLog(), 'DescribeWorkspacesConnectionStatus', 'all')).toBe(0);
  expect(endpoint.connection(workspaceId)).toMatchObject({ ConnectionState: 'DISCONNECTED', DisconnectedByChange: 1 });
  expectInventory(endpoint, { stack, template: v2 });
}, 30_000);

test('tags and the running mode are applied while the user stays connected', async () => {
  const { scenario: { endpoint, stack }, workspaceId } = await aliceDeployed();
  endpoint.connectUser(workspaceId);
  const v2 = synth([{ ...ALICE, runningMode: RunningMode.ALWAYS_ON, tags: { team: 'platform', cost: 'c-42' } }]);

  const result = await stack.deploy(v2);

  expect(result.reason).toBeUndefined();
  expect(countCalls(endpoint.callLog(), 'DescribeWorkspacesConnectionStatus', 'all')).toBe(0);
  expect(endpoint.connection(workspaceId)).toMatchObject({ ConnectionState: 'CONNECTED', DisconnectedByChange: 0 });
  expectInventory(endpoint, { stack, template: v2 });
}, 30_000);

test('a user who never leaves: the update fails naming them, nothing disconnects them, and the rollback completes', async () => {
  const { scenario: { endpoint, stack }, workspaceId, logicalId } = await aliceDeployed();
  endpoint.connectUser(workspaceId);
  const v1 = synth([ALICE]);
  const v2 = synth([{ ...ALICE, computeType: ComputeType.PERFORMANCE, tags: { team: 'platform' } }]);
  // Here the resource's timeout is 2 seconds instead of up to 55 minutes.
  const impatient = JSON.parse(JSON.stringify(v2));
  impatient.Resources[logicalId].Properties.TimeoutSeconds = 2;

  const result = await stack.deploy(impatient);

  expect(result.ok).toBe(false);
  expect(result.reason).toMatch(new RegExp(`WorkSpace ${workspaceId}: ModifyWorkspaceProperties ComputeTypeName \\{"ComputeTypeName":"PERFORMANCE"\\} `
    + 'was not made within 2 seconds \\(TimeoutSeconds\\): it disconnects the user, and user "alice" is connected, connected for \\d+ seconds? '
    + '\\(since .*\\)\\. With disruptionPolicy WAIT_FOR_DISCONNECT it waited for them to disconnect; nothing that disconnects the user was done'));
  expect(result.reason).toMatch(/Ask "alice" to disconnect .* or set disruptionPolicy to DisruptionPolicy\.IMMEDIATE/);
  // The tag was changed while she worked, and the rollback changed it back; the compute type never moved.
  expect(result.rolledBack).toBe(true);
  expect(result.rollbackFailure).toBeUndefined();
  expect(countCalls(endpoint.callLog(), 'ModifyWorkspaceProperties', 'all')).toBe(0);
  expect(countCalls(endpoint.callLog(), 'CreateTags')).toBe(2);
  expect(endpoint.connection(workspaceId)).toMatchObject({ ConnectionState: 'CONNECTED', DisconnectedByChange: 0 });
  expectInventory(endpoint, { stack, template: v1 });
}, 30_000);
