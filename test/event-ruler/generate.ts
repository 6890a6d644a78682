// Writes what the event-ruler test matches (into test/event-ruler/target/, ignored by git):
// - the EventPattern of onOutOfBandChange and of onCloudTrailEvent, as the construct synthesizes them;
// - CloudTrail records of WorkSpaces API calls in the EventBridge envelope, shaped like the
//   WorkSpaces CloudTrail page's example, each with whether onOutOfBandChange must match it.
// The provider's records carry the User-Agent header that the handler's own client really
// sends (captured from a request it makes here), so the test proves the pattern against the
// code that runs, not against a string copied into the test.
import { mkdirSync, writeFileSync } from 'fs';
import { createServer, IncomingHttpHeaders } from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createClient, WorkspacesApi } from '../../lambda/api';
import { Workspace } from '../../src';

const OUT = path.join(__dirname, 'target');
const WORKSPACE_ID = 'ws-abcd12345';
const OTHER_WORKSPACE_ID = 'ws-zzzz99999';

/** The User-Agent header of a real call of the handler's client (createClient, as onEvent uses it). */
async function providerUserAgent(): Promise<string> {
  let headers: IncomingHttpHeaders | undefined;
  const server = createServer((req, res) => {
    headers = req.headers;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, { AWS_ENDPOINT_URL_WORKSPACES: url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
  const client = createClient(1);
  try {
    await new WorkspacesApi(client).modifyProperties(WORKSPACE_ID, { ComputeTypeName: 'POWER' });
  } finally {
    client.destroy();
    server.close();
  }
  const userAgent = headers?.['user-agent'];
  if (typeof userAgent !== 'string') {
    throw new Error('the handler\'s client sent no User-Agent header');
  }
  return userAgent;
}

function patterns(): { outOfBand: unknown; cloudTrail: unknown } {
  const stack = new Stack(new App(), 'Patterns', { env: { account: '111122223333', region: 'us-east-1' } });
  const ws = Workspace.fromWorkspaceId(stack, 'Alice', WORKSPACE_ID);
  const outOfBand = ws.onOutOfBandChange('OutOfBand');
  const cloudTrail = ws.onCloudTrailEvent('AllCalls');
  const template = Template.fromStack(stack).toJSON();
  const patternOf = (rule: typeof outOfBand) => template.Resources[stack.getLogicalId(rule.node.defaultChild as any)].Properties.EventPattern;
  return { outOfBand: patternOf(outOfBand), cloudTrail: patternOf(cloudTrail) };
}

interface Case {
  readonly name: string;
  readonly outOfBand: boolean;
  readonly event: unknown;
}

/** One CloudTrail record as EventBridge delivers it (detail = the record). */
function record(eventName: string, userAgent: string, requestParameters: unknown, identity: Record<string, string>): unknown {
  return {
    'version': '0',
    'id': `evt-${eventName}`,
    'detail-type': 'AWS API Call via CloudTrail',
    'source': 'aws.workspaces',
    'account': '111122223333',
    'time': '2026-11-21T12:00:00Z',
    'region': 'us-east-1',
    'resources': [],
    'detail': {
      eventVersion: '1.08',
      userIdentity: { accountId: '111122223333', ...identity },
      eventTime: '2026-11-21T12:00:00Z',
      eventSource: 'workspaces.amazonaws.com',
      eventName,
      awsRegion: 'us-east-1',
      sourceIPAddress: '198.51.100.7',
      userAgent,
      requestParameters,
      responseElements: { failedRequests: [] },
      requestID: '11111111-2222-3333-4444-555555555555',
      eventID: '66666666-7777-8888-9999-000000000000',
      eventType: 'AwsApiCall',
      recipientAccountId: '111122223333',
    },
  };
}

async function main(): Promise<void> {
  const providerAgent = await providerUserAgent();
  const console = 'console.amazonaws.com';
  const cli = 'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.8 md/command#workspaces.modify-workspace-properties';
  const admin = { type: 'AssumedRole', principalId: 'AROAEXAMPLE:admin', arn: 'arn:aws:sts::111122223333:assumed-role/Admin/admin' };
  const provider = { type: 'AssumedRole', principalId: 'AROAEXAMPLE:OnEvent', arn: 'arn:aws:sts::111122223333:assumed-role/Stack-OnEventHandlerRole/OnEvent' };
  const modify = { workspaceId: WORKSPACE_ID, workspaceProperties: { computeTypeName: 'POWER' } };
  const cases: Case[] = [
    { name: 'a compute type changed in the console', outOfBand: true, event: record('ModifyWorkspaceProperties', console, modify, admin) },
    { name: 'a compute type changed with the AWS CLI', outOfBand: true, event: record('ModifyWorkspaceProperties', cli, modify, admin) },
    { name: 'a tag added in the console', outOfBand: true, event: record('CreateTags', console, { resourceId: WORKSPACE_ID, tags: [{ key: 'team', value: 'x' }] }, admin) },
    { name: 'stopped in the console', outOfBand: true, event: record('StopWorkspaces', console, { stopWorkspaceRequests: [{ workspaceId: OTHER_WORKSPACE_ID }, { workspaceId: WORKSPACE_ID }] }, admin) },
    { name: 'terminated in the console', outOfBand: true, event: record('TerminateWorkspaces', console, { terminateWorkspaceRequests: [{ workspaceId: WORKSPACE_ID }] }, admin) },
    { name: 'the provider changes the compute type', outOfBand: false, event: record('ModifyWorkspaceProperties', providerAgent, modify, provider) },
    { name: 'the provider tags the WorkSpace', outOfBand: false, event: record('CreateTags', providerAgent, { resourceId: WORKSPACE_ID, tags: [{ key: 'team', value: 'x' }] }, provider) },
    { name: 'the provider removes a tag', outOfBand: false, event: record('DeleteTags', providerAgent, { resourceId: WORKSPACE_ID, tagKeys: ['team'] }, provider) },
    { name: 'the provider terminates the WorkSpace', outOfBand: false, event: record('TerminateWorkspaces', providerAgent, { terminateWorkspaceRequests: [{ workspaceId: WORKSPACE_ID }] }, provider) },
    { name: 'tags read in the console (read-only)', outOfBand: false, event: record('DescribeTags', console, { resourceId: WORKSPACE_ID }, admin) },
    { name: 'another WorkSpace changed in the console', outOfBand: false, event: record('ModifyWorkspaceProperties', console, { ...modify, workspaceId: OTHER_WORKSPACE_ID }, admin) },
  ];
  mkdirSync(OUT, { recursive: true });
  writeFileSync(path.join(OUT, 'patterns.json'), JSON.stringify(patterns(), undefined, 2));
  writeFileSync(path.join(OUT, 'cases.json'), JSON.stringify({ providerUserAgent: providerAgent, cases }, undefined, 2));
  process.stdout.write(`[test:event-ruler] the handler's client sends User-Agent: ${providerAgent}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
