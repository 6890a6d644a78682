import * as http from 'http';
import type { AddressInfo } from 'net';
import { createClient, getDefaultApi, ON_EVENT_MAX_ATTEMPTS, WorkspacesApi } from '../../lambda/api';

// No mock here: a real client against a throwaway HTTP server proves where the calls go.

interface Received {
  readonly target?: string;
  readonly userAgent: string;
  readonly body: string;
}

let server: http.Server;
let received: Received[];
const savedEnv = { ...process.env };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => body += chunk);
    req.on('end', () => {
      received.push({
        target: req.headers['x-amz-target'] as string | undefined,
        userAgent: `${req.headers['user-agent'] ?? ''} ${req.headers['x-amz-user-agent'] ?? ''}`,
        body,
      });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ Workspaces: [{ WorkspaceId: 'ws-abc12345', State: 'AVAILABLE' }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

beforeEach(() => {
  received = [];
  const { port } = server.address() as AddressInfo;
  process.env.AWS_ENDPOINT_URL_WORKSPACES = `http://127.0.0.1:${port}`;
  process.env.AWS_REGION = 'eu-west-1';
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'not-a-secret';
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS;
});

afterAll(async () => {
  process.env = savedEnv;
  await new Promise((resolve) => server.close(resolve));
});

test('the client sends its calls to the endpoint named by AWS_ENDPOINT_URL_WORKSPACES, with the cdk-workspaces user agent', async () => {
  // The construct sets this on both functions (src/provider.ts).
  process.env.CDK_WORKSPACES_VERSION = '1.42.7';
  const api = new WorkspacesApi(createClient());

  const workspace = await api.describe('ws-abc12345');

  expect(workspace).toEqual({ WorkspaceId: 'ws-abc12345', State: 'AVAILABLE' });
  expect(received).toHaveLength(1);
  expect(received[0].target).toBe('WorkspacesService.DescribeWorkspaces');
  expect(JSON.parse(received[0].body)).toEqual({ WorkspaceIds: ['ws-abc12345'] });
  expect(received[0].userAgent).toMatch(/(^| )cdk-workspaces[/#]1\.42\.7( |$)/);
});

test('without the version in its environment, the user agent still carries the cdk-workspaces/ marker', async () => {
  delete process.env.CDK_WORKSPACES_VERSION;
  const api = new WorkspacesApi(createClient());

  await api.describe('ws-abc12345');

  // onOutOfBandChange filters on `cdk-workspaces/`, so the marker must be there in every case.
  expect(received[0].userAgent).toMatch(/(^| )cdk-workspaces[/#]unknown( |$)/);
});

test('the client is configured with adaptive retry and no endpoint of its own', async () => {
  const client = createClient();

  const strategy = await client.config.retryStrategy();
  expect((strategy as { mode?: string }).mode).toBe('adaptive');
  await expect(client.config.maxAttempts()).resolves.toBe(8);
  expect(client.config.isCustomEndpoint).toBe(false);
});

test('onEvent gets a larger retry budget than isComplete, which can wait for its next poll', async () => {
  await expect(getDefaultApi(ON_EVENT_MAX_ATTEMPTS).client.config.maxAttempts()).resolves.toBe(15);
  await expect(getDefaultApi().client.config.maxAttempts()).resolves.toBe(8);
  expect(getDefaultApi(ON_EVENT_MAX_ATTEMPTS)).toBe(getDefaultApi(ON_EVENT_MAX_ATTEMPTS));
});
