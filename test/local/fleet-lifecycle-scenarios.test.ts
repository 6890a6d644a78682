// Fault scenarios of issue 19 (a fleet keeps every promise a Workspace keeps), through the runner
// and the local endpoint with the real bundled handlers, in compressed time (fleet-helpers.ts).
// Each ends with the inventory check, beside the rollback it implies. Needs `npx projen bundle`.
import {
  DESTROY,
  expectFleetInventory,
  FleetScenario,
  startFleetScenario,
  synthFleet,
  users,
} from './fleet-helpers';
import { countCalls } from './scenario-helpers';
import { RunningMode } from '../../src';

jest.setTimeout(120_000);

let scenario: FleetScenario | undefined;

afterEach(async () => {
  await scenario?.stop();
  scenario = undefined;
});

describe('the test clock', () => {
  test('a refusal in compressed time fails at once, as permanent, not as clock skew retried until the timeout', async () => {
    scenario = await startFleetScenario();
    const { endpoint, stack, now } = scenario;
    const names = users(3);
    const v1 = synthFleet({ users: names });
    expect((await stack.deploy(v1)).ok).toBe(true);
    // Well past the SDK's 240 s of tolerated skew, had the endpoint answered with the real time.
    expect(now() - Date.now()).toBeGreaterThan(300_000);

    endpoint.authorize = async ({ operation }) => (operation === 'ModifyWorkspaceProperties'
      ? 'User is not authorized to perform: workspaces:ModifyWorkspaceProperties' : undefined);
    endpoint.resetCalls();
    const result = await stack.deploy(synthFleet({ users: names, runningMode: RunningMode.ALWAYS_ON }));
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/ModifyWorkspaceProperties.*failed for WorkSpace ws-\w+: AccessDeniedException: User is not authorized/);
    // The refused call is not retried by the SDK, and the request fails at the first poll that took the step.
    expect(countCalls(endpoint.callLog(), 'ModifyWorkspaceProperties', 'all')).toBe(1);
    expect(result.operations.find((o) => o.operation === 'Update')!.polls).toBe(1);
    expect(result.rolledBack).toBe(true);
    endpoint.authorize = undefined;
    expectFleetInventory(endpoint, stack, v1);
  });
});
