// The endpoint at a fleet's scale (issue 14): hundreds of WorkSpaces, created 25 per call and
// listed in pages of 25, behind a request rate counted on the endpoint's own clock.
import { CreateWorkspacesCommand, DescribeWorkspacesCommand, paginateDescribeWorkspaces, WorkSpacesClient } from '@aws-sdk/client-workspaces';
import { LocalWorkspaces, startLocalWorkspaces } from './index';

let endpoint: LocalWorkspaces;
let client: WorkSpacesClient;
let now = 0;

beforeEach(async () => {
  now = Date.parse('2026-01-01T09:00:00Z');
  endpoint = await startLocalWorkspaces({ clock: () => now, timing: { invisibleMs: 0, pendingMs: 1_000 } });
  client = new WorkSpacesClient({ ...endpoint.clientConfig(), maxAttempts: 1 });
});

afterEach(async () => {
  client.destroy();
  await endpoint.stop();
});

const request = (i: number) => ({ DirectoryId: 'd-1234567890', BundleId: 'wsb-12345678', UserName: `user${i}` });

test('holds 600 WorkSpaces, created 25 per call, listed by directory in pages of 25', async () => {
  for (let start = 0; start < 600; start += 25) {
    const out = await client.send(new CreateWorkspacesCommand({ Workspaces: Array.from({ length: 25 }, (_, i) => request(start + i)) }));
    expect(out.FailedRequests).toEqual([]);
  }
  await expect(client.send(new CreateWorkspacesCommand({ Workspaces: Array.from({ length: 26 }, (_, i) => request(1000 + i)) })))
    .rejects.toThrow(/between 1 and 25/);
  now += 1_000;
  let pages = 0;
  const states = new Map<string, number>();
  for await (const page of paginateDescribeWorkspaces({ client }, { DirectoryId: 'd-1234567890' })) {
    pages++;
    for (const w of page.Workspaces ?? []) states.set(w.State!, (states.get(w.State!) ?? 0) + 1);
  }
  expect(pages).toBe(24);
  expect(Object.fromEntries(states)).toEqual({ AVAILABLE: 600 });
  expect(endpoint.inventory()).toHaveLength(600);
});

test('the request rate is enforced on the endpoint\'s clock: 5 per second, then throttled until time passes', async () => {
  endpoint.faults.rateLimitPerSecond = 5;
  const describe = () => client.send(new DescribeWorkspacesCommand({ DirectoryId: 'd-1234567890' }));
  for (let i = 0; i < 5; i++) await describe();
  await expect(describe()).rejects.toMatchObject({ name: 'ThrottlingException' });
  now += 200;
  await describe();
  await expect(describe()).rejects.toMatchObject({ name: 'ThrottlingException' });
  expect(endpoint.calls()['fault:rateLimit']).toBe(2);
});
