// The endpoint's model of the service's limits on compute type changes (issue 10): a larger
// compute type at most once in 6 hours, a smaller one at most once in 30 days.
import {
  DescribeWorkspacesCommand,
  InvalidResourceStateException,
  ModifyWorkspacePropertiesCommand,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { LocalWorkspaces, startLocalWorkspaces } from './index';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

let endpoint: LocalWorkspaces;
let client: WorkSpacesClient;
let now = Date.parse('2026-01-01T00:00:00Z');

beforeEach(async () => {
  now = Date.parse('2026-01-01T00:00:00Z');
  endpoint = await startLocalWorkspaces({ clock: () => now, timing: { updatingMs: 0 } });
  client = new WorkSpacesClient({ ...endpoint.clientConfig(), maxAttempts: 1 });
});

afterEach(async () => {
  client.destroy();
  await endpoint.stop();
});

async function setComputeType(workspaceId: string, computeType: 'VALUE' | 'STANDARD' | 'PERFORMANCE' | 'POWER'): Promise<unknown> {
  try {
    await client.send(new ModifyWorkspacePropertiesCommand({ WorkspaceId: workspaceId, WorkspaceProperties: { ComputeTypeName: computeType } }));
    // The change ends with the UPDATING phase, which takes no time here but needs a read to pass.
    now += 1;
    await client.send(new DescribeWorkspacesCommand({ WorkspaceIds: [workspaceId] }));
    return undefined;
  } catch (e) {
    return e;
  }
}

test('a larger compute type is refused within 6 hours of the last increase, with InvalidResourceStateException, then accepted', async () => {
  const { WorkspaceId } = endpoint.seedWorkspace({ UserName: 'alice', WorkspaceProperties: { ComputeTypeName: 'STANDARD' } });

  expect(await setComputeType(WorkspaceId, 'PERFORMANCE')).toBeUndefined();
  now += 5 * HOUR;
  const refused = await setComputeType(WorkspaceId, 'POWER');

  expect(refused).toBeInstanceOf(InvalidResourceStateException);
  expect((refused as Error).message).toBe(`The compute type of WorkSpace ${WorkspaceId} cannot be changed from PERFORMANCE to POWER now: `
    + 'it was changed to a larger compute type less than 6 hours ago. You can change a WorkSpace to a larger compute type once every '
    + '6 hours, and to a smaller one once every 30 days.');
  expect(endpoint.inventory()[0].WorkspaceProperties.ComputeTypeName).toBe('PERFORMANCE');

  now += HOUR + 1;
  expect(await setComputeType(WorkspaceId, 'POWER')).toBeUndefined();
  expect(endpoint.inventory()[0].WorkspaceProperties.ComputeTypeName).toBe('POWER');
});

test('a smaller compute type is refused within 30 days of the last decrease; an increase in between is not', async () => {
  const { WorkspaceId } = endpoint.seedWorkspace({ UserName: 'alice', WorkspaceProperties: { ComputeTypeName: 'POWER' } });

  expect(await setComputeType(WorkspaceId, 'STANDARD')).toBeUndefined();
  expect(await setComputeType(WorkspaceId, 'PERFORMANCE')).toBeUndefined();
  now += 29 * DAY;
  expect(await setComputeType(WorkspaceId, 'VALUE')).toBeInstanceOf(InvalidResourceStateException);

  now += DAY;
  expect(await setComputeType(WorkspaceId, 'VALUE')).toBeUndefined();
  expect(endpoint.inventory()[0].WorkspaceProperties.ComputeTypeName).toBe('VALUE');
});
