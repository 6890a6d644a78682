// Every failure reaches the user: the longest message each handler can produce, sent through
// aws-cdk-lib's own Provider framework runtime (the code that runs in the framework's Lambda
// functions: it adds the log group line and the Lambda error's trace to the reason, and onEvent's
// Data to a failure of isComplete), fits CloudFormation's 4,096-byte response, with the longest
// ids CloudFormation and Lambda allow. Only the framework's network calls are replaced: the Lambda
// invoke runs our handler in-process and answers as the Node.js runtime does, and the PUT to the
// ResponseURL is captured.
import * as path from 'path';
import {
  CreateWorkspacesCommand,
  DescribeTagsCommand,
  DescribeWorkspaceDirectoriesCommand,
  DescribeWorkspacesCommand,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { mockClient } from 'aws-sdk-client-mock';
import { answerPreflight, CREATE, deps, PROPS } from './events';
import { boundMessage, MAX_REASON_BYTES, RESPONSE_LIMIT_BYTES } from '../../lambda/core/response-limit';
import * as router from '../../lambda/router';
import { quoteValue } from '../../src/private/rules';

// The framework's Lambda and Step Functions clients (the Lambda runtime provides the packages):
// never called here, since its network calls are replaced below.
jest.mock('@aws-sdk/client-lambda', () => ({}), { virtual: true });
jest.mock('@aws-sdk/client-sfn', () => ({}), { virtual: true });

const workspaces = mockClient(WorkSpacesClient);
beforeEach(() => workspaces.reset());

const RUNTIME = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'custom-resources/lib/provider-framework/runtime');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const outbound = require(path.join(RUNTIME, 'outbound.js'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const framework = require(path.join(RUNTIME, 'framework.js'));

// The longest names there are: a 128-character stack name in the longest partition and region, a
// 255-character logical id, 64-character function names.
const STACK_ID = `arn:aws-iso-b:cloudformation:us-isob-east-1:123456789012:stack/${'S'.repeat(128)}/0b9f8a70-5e2d-11ef-9c4b-0a1b2c3d4e5f`;
const LOGICAL_ID = 'L'.repeat(255);
const FUNCTION = (name: string) => `arn:aws:lambda:us-isob-east-1:123456789012:function:${name.padEnd(64, 'x')}`;

interface Response { readonly bytes: number; readonly body: Record<string, any> }

/** What the framework PUTs to the ResponseURL after the whole request (onEvent, then isComplete until it fails or completes). */
async function throughFramework(event: Record<string, unknown>): Promise<Response> {
  const responses: string[] = [];
  const waiters: string[] = [];
  const saved = { ...outbound };
  process.env.USER_ON_EVENT_FUNCTION_ARN = FUNCTION('onEvent');
  process.env.USER_IS_COMPLETE_FUNCTION_ARN = FUNCTION('isComplete');
  process.env.WAITER_STATE_MACHINE_ARN = 'arn:aws:states:us-isob-east-1:123456789012:stateMachine:waiter';
  const log = jest.spyOn(console, 'log').mockImplementation(() => {});
  outbound.httpRequest = async (_options: unknown, body: string) => { responses.push(body); };
  outbound.startExecution = async (req: { input: string }) => { waiters.push(req.input); };
  outbound.invokeFunction = async (req: { FunctionName: string; Payload: string }) => {
    const payload = JSON.parse(req.Payload);
    const handler = req.FunctionName.includes(':onEvent') ? router.onEvent : router.isComplete;
    try {
      return { Payload: Buffer.from(JSON.stringify(await handler(payload, deps()))) };
    } catch (e) {
      // As the Node.js Lambda runtime reports an unhandled error.
      const error = e as Error;
      return {
        FunctionError: 'Unhandled',
        Payload: Buffer.from(JSON.stringify({ errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') })),
      };
    }
  };
  try {
    await framework.onEvent({ ResponseURL: 'https://cloudformation-custom-resource-response.s3.amazonaws.com/x?sig=1', ...event });
    for (let poll = 0; responses.length === 0 && poll < 3; poll++) {
      await framework.isComplete(JSON.parse(waiters[0])).catch((e: Error) => {
        if (e.constructor.name !== 'Retry') throw e;
      });
    }
  } finally {
    Object.assign(outbound, saved);
    log.mockRestore();
  }
  expect(responses).toHaveLength(1);
  return { bytes: Buffer.byteLength(responses[0], 'utf8'), body: JSON.parse(responses[0]) };
}

const base = { ...CREATE, StackId: STACK_ID, LogicalResourceId: LOGICAL_ID };
const long = (n: number, c = 'a') => c.repeat(n);

describe('the longest failure of each handler fits CloudFormation\'s response, with the reason in it', () => {
  test.each<[string, Record<string, unknown>, RegExp]>([
    ['Custom::Workspace: a 5,000-character user name', { ...base, ResourceProperties: { ...PROPS, UserName: long(5000) } },
      /^Invalid UserName "a{64}…" \(5,000 characters\): must be 1 to 63 characters long \(it is 5000\)/],
    ['Custom::Workspace: a 5,000-character tag value', { ...base, ResourceProperties: { ...PROPS, Tags: [{ Key: 'team', Value: long(5000, 'é') }] } },
      /^Invalid Tags\[0\]\.Value "é{64}…" \(5,000 characters\): the value of tag "team" must be at most 255 characters long/],
    ['Custom::Workspace: a 5,000-character unknown key', { ...base, ResourceProperties: { ...PROPS, [long(5000, 'K')]: 'x' } },
      /^Invalid K+… \(message cut after [\d,]+ of [\d,]+ characters; the whole message is in the handler's log\)/],
    ['Custom::WorkspacesDirectory: a 5,000-character directory id',
      { ...base, ResourceType: 'Custom::WorkspacesDirectory', ResourceProperties: { ServiceToken: 'x', DirectoryId: long(5000, '\u2028') } },
      /^Invalid DirectoryId "(\\u2028){64}…" \(5,000 characters\): must match/],
    ['Custom::WorkspaceFleet: 50 users, each with a 5,000-character name',
      {
        ...base,
        ResourceType: 'Custom::WorkspaceFleet',
        ResourceProperties: {
          ServiceToken: 'x',
          DirectoryId: 'd-1234567890',
          BundleId: 'wsb-12345678',
          Users: Array.from({ length: 50 }, (_, i) => ({ UserName: `${i}${long(5000)}` })),
        },
      },
      /^Invalid Users\[0\]\.UserName "0a{63}…" \(5,001 characters\)/],
  ])('%s', async (_, event, reason) => {
    const response = await throughFramework(event);
    expect(response.body.Status).toBe('FAILED');
    expect(response.body.Reason).toMatch(reason);
    expect(response.bytes).toBeLessThanOrEqual(RESPONSE_LIMIT_BYTES);
  });

  test('Custom::WorkspaceFleet: 1,000 users refused by CreateWorkspaces with long messages, reported by isComplete with onEvent\'s Data', async () => {
    answerPreflight(workspaces);
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [] });
    workspaces.on(DescribeTagsCommand).resolves({ TagList: [] });
    workspaces.on(CreateWorkspacesCommand).callsFake((input) => ({
      FailedRequests: input.Workspaces.map((w: any) => ({ WorkspaceRequest: w, ErrorCode: 'ResourceNotFound.User', ErrorMessage: `no such user ${long(2000, 'm')}` })),
    }));
    const users = Array.from({ length: 1000 }, (_, i) => ({ UserName: `user${String(i).padStart(3, '0')}${long(55, 'u')}` }));
    const response = await throughFramework({
      ...base,
      ResourceType: 'Custom::WorkspaceFleet',
      ResourceProperties: { ServiceToken: 'x', DirectoryId: 'd-1234567890', BundleId: 'wsb-12345678', Users: users, Tags: [{ Key: 'k', Value: long(255) }] },
    });
    expect(response.body.Status).toBe('FAILED');
    expect(response.body.Reason).toMatch(new RegExp('^WorkSpace fleet L{255}: the WorkSpaces of 1000 of 1000 users could not be created or taken over: user "user000u+": '));
    // The rollback's Delete needs the physical id (the directory and this Create's lifetime and
    // generation, no anchor yet); isComplete needed the refused users (a bit each).
    expect(response.body.PhysicalResourceId).toBe(`workspace-fleet:d-1234567890:${base.RequestId}:${base.RequestId}:-`);
    expect(response.body.Data.RefusedCount).toBe('1000');
    expect(response.bytes).toBeLessThanOrEqual(RESPONSE_LIMIT_BYTES);
  });

  test('Custom::Workspace: adoption refused for every difference, the declared key 5,000 characters long', async () => {
    answerPreflight(workspaces);
    workspaces.on(DescribeWorkspacesCommand).resolves({
      Workspaces: [{
        WorkspaceId: 'ws-f0re1gn00',
        DirectoryId: 'd-1234567890',
        UserName: 'alice',
        State: 'AVAILABLE',
        BundleId: 'wsb-99999999',
        RootVolumeEncryptionEnabled: true,
        UserVolumeEncryptionEnabled: true,
        VolumeEncryptionKey: `arn:aws:kms:us-east-1:123456789012:key/${long(2000, 'q')}`,
      }],
    });
    workspaces.on(DescribeTagsCommand).resolves({ TagList: [] });
    const response = await throughFramework({
      ...base,
      ResourceProperties: {
        ...PROPS,
        AdoptExisting: 'true',
        VolumeEncryptionKey: `arn:aws:kms:us-east-1:123456789012:key/${long(5000, 'k')}`,
      },
    });
    expect(response.body.Status).toBe('FAILED');
    expect(response.body.Reason).toMatch(/^Cannot adopt .*: its bundle is "wsb-99999999", declared "wsb-12345678"; its root volume encryption is true, declared false; .*its volume encryption key is "arn:aws:kms:us-east-1:123456789012:key\/q+…" \(2,039 characters\), declared "arn:aws:kms:[^"]*…" \(5,039 characters\)\. These settings/);
    expect(response.bytes).toBeLessThanOrEqual(RESPONSE_LIMIT_BYTES);
  });

  test('Custom::WorkspaceFleet: many users failed with long service messages (ERROR)', async () => {
    answerPreflight(workspaces);
    const users = Array.from({ length: 200 }, (_, i) => `user${i}${long(50, 'u')}`);
    let created = false;
    workspaces.on(CreateWorkspacesCommand).callsFake((input) => {
      created = true;
      return { PendingRequests: input.Workspaces.map((w: any, i: number) => ({ ...w, WorkspaceId: `ws-${String(users.indexOf(w.UserName)).padStart(8, '0')}`, i })) };
    });
    workspaces.on(DescribeWorkspacesCommand).callsFake(() => ({
      Workspaces: created ? users.map((u, i) => ({
        WorkspaceId: `ws-${String(i).padStart(8, '0')}`,
        DirectoryId: 'd-1234567890',
        UserName: u,
        BundleId: 'wsb-12345678',
        State: 'ERROR',
        ErrorCode: 'InternalError',
        ErrorMessage: `the WorkSpace could not be provisioned: ${long(3000, 'e')}`,
      })) : [],
    }));
    workspaces.on(DescribeTagsCommand).resolves({ TagList: [] });
    workspaces.on(DescribeWorkspaceDirectoriesCommand).callsFake((input: { DirectoryIds?: string[] }) => ({
      Directories: (input.DirectoryIds ?? ['d-1234567890']).map((id) => ({ DirectoryId: id, State: 'REGISTERED' })),
    }));
    const response = await throughFramework({
      ...base,
      ResourceType: 'Custom::WorkspaceFleet',
      ResourceProperties: { ServiceToken: 'x', DirectoryId: 'd-1234567890', BundleId: 'wsb-12345678', Users: users.map((u) => ({ UserName: u })) },
    });
    expect(response.body.Status).toBe('FAILED');
    expect(response.body.Reason).toMatch(/^WorkSpace fleet L{255}: 200 of 200 users failed .*user "user0u+": .*e+… \(message cut after/);
    expect(response.bytes).toBeLessThanOrEqual(RESPONSE_LIMIT_BYTES);
  });
});

describe('values are quoted within bounds, with their length', () => {
  test('a long string: its first 64 characters, then its length', () => {
    expect(quoteValue('a'.repeat(5000))).toBe(`"${'a'.repeat(64)}…" (5,000 characters)`);
  });

  test('a short string comes back whole, line separators escaped', () => {
    expect(quoteValue('a\u2028b"c\n')).toBe('"a\\u2028b\\"c\\n"');
  });

  test('a long object: its JSON, cut, with the JSON\'s length', () => {
    expect(quoteValue({ k: 'v'.repeat(100) })).toBe(`{"k":"${'v'.repeat(58)}… (108 characters as JSON)`);
  });

  test('a cut never splits a character made of two UTF-16 units', () => {
    expect(quoteValue('😀'.repeat(100))).toBe(`"${'😀'.repeat(64)}…" (100 characters)`);
  });
});

describe('a message is cut to its budget', () => {
  test('on one line, within MAX_REASON_BYTES as JSON, saying how much was cut', () => {
    const cut = boundMessage(`first line\n${'\u0001'.repeat(5000)}`);
    expect(cut).not.toMatch(/\n/);
    expect(Buffer.byteLength(JSON.stringify(cut)) - 2).toBeLessThanOrEqual(MAX_REASON_BYTES);
    expect(cut).toMatch(/^first line \u0001+… \(message cut after \d+ of 5,011 characters; the whole message is in the handler's log\)$/);
  });

  test('a message within its budget is left as it is', () => {
    expect(boundMessage('Invalid UserName "": must be 1 to 63 characters long (it is 0)')).toBe('Invalid UserName "": must be 1 to 63 characters long (it is 0)');
  });
});
