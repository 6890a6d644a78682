// The endpoint's model of the user's connection (issue 13): DescribeWorkspacesConnectionStatus,
// a user connected for a while or for good, and the changes that end their session.
import {
  DescribeWorkspacesConnectionStatusCommand,
  ModifyWorkspacePropertiesCommand,
  RebootWorkspacesCommand,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { LocalWorkspaces, startLocalWorkspaces } from './index';

let endpoint: LocalWorkspaces;
let client: WorkSpacesClient;
let now = Date.parse('2026-01-01T09:00:00Z');

beforeEach(async () => {
  now = Date.parse('2026-01-01T09:00:00Z');
  endpoint = await startLocalWorkspaces({ clock: () => now, timing: { updatingMs: 0, rebootingMs: 0 } });
  client = new WorkSpacesClient({ ...endpoint.clientConfig(), maxAttempts: 1 });
});

afterEach(async () => {
  client.destroy();
  await endpoint.stop();
});

async function status(ids: string[]) {
  const out = await client.send(new DescribeWorkspacesConnectionStatusCommand({ WorkspaceIds: ids }));
  return out.WorkspacesConnectionStatus ?? [];
}

test('a user connected for a while: CONNECTED with the time they connected, then DISCONNECTED', async () => {
  const { WorkspaceId } = endpoint.seedWorkspace({ UserName: 'alice' });
  expect((await status([WorkspaceId]))[0]).toMatchObject({ WorkspaceId, ConnectionState: 'DISCONNECTED' });

  endpoint.connectUser(WorkspaceId, 60_000);
  now += 59_000;
  expect((await status([WorkspaceId]))[0]).toMatchObject({
    ConnectionState: 'CONNECTED',
    LastKnownUserConnectionTimestamp: new Date('2026-01-01T09:00:00Z'),
    ConnectionStateCheckTimestamp: new Date('2026-01-01T09:00:59Z'),
  });
  now += 1_000;
  expect((await status([WorkspaceId]))[0]).toMatchObject({
    ConnectionState: 'DISCONNECTED',
    LastKnownUserConnectionTimestamp: new Date('2026-01-01T09:00:00Z'),
  });
});

test('a STOPPED WorkSpace reports UNKNOWN, as the API reference says', async () => {
  const { WorkspaceId } = endpoint.seedWorkspace({ UserName: 'alice', State: 'STOPPED' });
  expect((await status([WorkspaceId]))[0].ConnectionState).toBe('UNKNOWN');
});

test('a compute type change, a protocol change and a reboot end the session; a running mode change does not', async () => {
  const { WorkspaceId } = endpoint.seedWorkspace({ UserName: 'alice', WorkspaceProperties: { RunningMode: 'AUTO_STOP', ComputeTypeName: 'STANDARD', Protocols: ['PCOIP'] } });
  const modify = async (WorkspaceProperties: object) => {
    await client.send(new ModifyWorkspacePropertiesCommand({ WorkspaceId, WorkspaceProperties }));
    now += 1;
    await status([WorkspaceId]);
  };

  endpoint.connectUser(WorkspaceId);
  await modify({ RunningMode: 'ALWAYS_ON' });
  expect(endpoint.connection(WorkspaceId)).toMatchObject({ ConnectionState: 'CONNECTED', DisconnectedByChange: 0 });
  await modify({ ComputeTypeName: 'POWER' });
  expect(endpoint.connection(WorkspaceId)).toMatchObject({ ConnectionState: 'DISCONNECTED', DisconnectedByChange: 1 });

  endpoint.connectUser(WorkspaceId);
  await modify({ Protocols: ['WSP'] });
  expect(endpoint.connection(WorkspaceId).DisconnectedByChange).toBe(2);

  endpoint.connectUser(WorkspaceId);
  await client.send(new RebootWorkspacesCommand({ RebootWorkspaceRequests: [{ WorkspaceId }] }));
  expect(endpoint.connection(WorkspaceId)).toMatchObject({ ConnectionState: 'DISCONNECTED', DisconnectedByChange: 3 });
});

test('more than 25 ids are refused; unknown ids are left out of the answer', async () => {
  const ids = Array.from({ length: 26 }, (_, i) => `ws-${String(i).padStart(9, '0')}`);
  await expect(status(ids)).rejects.toThrow(/WorkspaceIds must contain between 1 and 25 items/);
  await expect(status(ids.slice(0, 25))).resolves.toEqual([]);
});
