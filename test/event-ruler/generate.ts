// Writes what the event-ruler test matches (into test/event-ruler/target/, ignored by git):
// - the EventPattern of onOutOfBandChange and of onCloudTrailEvent, as the construct synthesizes them;
// - CloudTrail records of WorkSpaces API calls in the EventBridge envelope, shaped like the
//   WorkSpaces CloudTrail page's example, each with whether onOutOfBandChange must match it.
// The provider's records are made by its handlers' roles (the session issuer CloudTrail records,
// resolved from the synthesized pattern's role ARNs as CloudFormation would name the roles) and
// carry the User-Agent header that the handler's own client really sends (captured from a
// request it makes here); a script that copies that User-Agent with another role is still
// someone else's change.
import { mkdirSync, writeFileSync } from 'fs';
import { createServer, IncomingHttpHeaders } from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createClient, WorkspacesApi } from '../../lambda/api';
import { Workspace, WorkspaceBundle, WorkspaceProvider, WorkspacesDirectory } from '../../src';

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

const ACCOUNT = '111122223333';

/** The ARN CloudFormation gives a role of this logical id in the stack `Patterns` (its name is `<stack>-<logical id>-<suffix>`). */
function roleArn(logicalId: string): string {
  return `arn:aws:iam::${ACCOUNT}:role/Patterns-${logicalId.slice(0, 40)}-1A2B3C4D5E6F`;
}

/** Replaces each role's `Fn::GetAtt` Arn with the ARN CloudFormation would give it. */
function resolveRoles(value: any): any {
  if (Array.isArray(value)) {
    return value.map(resolveRoles);
  }
  if (value !== null && typeof value === 'object') {
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt) && getAtt[1] === 'Arn') {
      return roleArn(getAtt[0]);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRoles(v)]));
  }
  return value;
}

function patterns(): { outOfBand: unknown; cloudTrail: unknown; providerRoles: { onEvent: string; isComplete: string } } {
  const stack = new Stack(new App(), 'Patterns', { env: { account: ACCOUNT, region: 'us-east-1' } });
  // A stack that declares a WorkSpace has the provider whose calls the rule leaves out.
  new Workspace(stack, 'Bob', {
    directory: WorkspacesDirectory.fromDirectoryId(stack, 'Directory', 'd-1234567890'),
    bundle: WorkspaceBundle.fromBundleId('wsb-12345678'),
    userName: 'bob',
  });
  const ws = Workspace.fromWorkspaceId(stack, 'Alice', WORKSPACE_ID);
  const outOfBand = ws.onOutOfBandChange('OutOfBand');
  const cloudTrail = ws.onCloudTrailEvent('AllCalls');
  const template = Template.fromStack(stack).toJSON();
  const patternOf = (rule: typeof outOfBand) =>
    resolveRoles(template.Resources[stack.getLogicalId(rule.node.defaultChild as any)].Properties.EventPattern);
  const provider = WorkspaceProvider.getOrCreate(stack);
  const logicalIdOf = (role: any) => stack.getLogicalId(role.node.defaultChild);
  return {
    outOfBand: patternOf(outOfBand),
    cloudTrail: patternOf(cloudTrail),
    providerRoles: { onEvent: roleArn(logicalIdOf(provider.onEventRole)), isComplete: roleArn(logicalIdOf(provider.isCompleteRole)) },
  };
}

/** The userIdentity of a call made with a role session (a Lambda function's, or a person's through SSO). */
function roleSession(role: string, session: string): Record<string, unknown> {
  const name = role.split('/').pop();
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLE:${session}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/${session}`,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLE', arn: role, accountId: ACCOUNT, userName: name },
      attributes: { creationDate: '2026-11-21T11:59:00Z', mfaAuthenticated: 'false' },
    },
  };
}

interface Case {
  readonly name: string;
  readonly outOfBand: boolean;
  /** Made by the provider's handlers themselves. */
  readonly byProvider: boolean;
  readonly event: unknown;
}

/** One CloudTrail record as EventBridge delivers it (detail = the record). */
function record(eventName: string, userAgent: string, requestParameters: unknown, identity: Record<string, unknown>): unknown {
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
      userIdentity: { accountId: ACCOUNT, ...identity },
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
  const { outOfBand, cloudTrail, providerRoles } = patterns();
  const console = 'console.amazonaws.com';
  const cli = 'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.8 md/command#workspaces.modify-workspace-properties';
  const admin = roleSession(`arn:aws:iam::${ACCOUNT}:role/Admin`, 'admin');
  const iamUser = { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: `arn:aws:iam::${ACCOUNT}:user/ops`, userName: 'ops' };
  const script = roleSession(`arn:aws:iam::${ACCOUNT}:role/NightlyScript`, 'nightly');
  const onEvent = roleSession(providerRoles.onEvent, 'Patterns-OnEventHandler');
  const isComplete = roleSession(providerRoles.isComplete, 'Patterns-IsCompleteHandler');
  const modify = { workspaceId: WORKSPACE_ID, workspaceProperties: { computeTypeName: 'POWER' } };
  const change = (name: string, event: unknown): Case => ({ name, outOfBand: true, byProvider: false, event });
  const own = (name: string, event: unknown): Case => ({ name, outOfBand: false, byProvider: true, event });
  const ignored = (name: string, event: unknown): Case => ({ name, outOfBand: false, byProvider: false, event });
  const cases: Case[] = [
    change('a compute type changed in the console', record('ModifyWorkspaceProperties', console, modify, admin)),
    change('a compute type changed with the AWS CLI by an IAM user (no role session)', record('ModifyWorkspaceProperties', cli, modify, iamUser)),
    change('a tag added in the console', record('CreateTags', console, { resourceId: WORKSPACE_ID, tags: [{ key: 'team', value: 'x' }] }, admin)),
    change('stopped in the console', record('StopWorkspaces', console, { stopWorkspaceRequests: [{ workspaceId: OTHER_WORKSPACE_ID }, { workspaceId: WORKSPACE_ID }] }, admin)),
    change('terminated in the console', record('TerminateWorkspaces', console, { terminateWorkspaceRequests: [{ workspaceId: WORKSPACE_ID }] }, admin)),
    change('a script that sends the provider\'s User-Agent changes the compute type', record('ModifyWorkspaceProperties', providerAgent, modify, script)),
    change('a script that sends the provider\'s User-Agent terminates the WorkSpace',
      record('TerminateWorkspaces', providerAgent, { terminateWorkspaceRequests: [{ workspaceId: WORKSPACE_ID }] }, script)),
    own('the provider changes the compute type', record('ModifyWorkspaceProperties', providerAgent, modify, isComplete)),
    own('the provider tags the WorkSpace', record('CreateTags', providerAgent, { resourceId: WORKSPACE_ID, tags: [{ key: 'team', value: 'x' }] }, isComplete)),
    own('the provider removes a tag', record('DeleteTags', providerAgent, { resourceId: WORKSPACE_ID, tagKeys: ['team'] }, isComplete)),
    own('the provider terminates the WorkSpace', record('TerminateWorkspaces', providerAgent, { terminateWorkspaceRequests: [{ workspaceId: WORKSPACE_ID }] }, onEvent)),
    own('the provider marks the WorkSpace it adopts', record('CreateTags', providerAgent, { resourceId: WORKSPACE_ID, tags: [{ key: 'cdk-workspaces:owner', value: 'x' }] }, onEvent)),
    ignored('tags read in the console (read-only)', record('DescribeTags', console, { resourceId: WORKSPACE_ID }, admin)),
    ignored('another WorkSpace changed in the console', record('ModifyWorkspaceProperties', console, { ...modify, workspaceId: OTHER_WORKSPACE_ID }, admin)),
  ];
  mkdirSync(OUT, { recursive: true });
  writeFileSync(path.join(OUT, 'patterns.json'), JSON.stringify({ outOfBand, cloudTrail }, undefined, 2));
  writeFileSync(path.join(OUT, 'cases.json'), JSON.stringify({ providerUserAgent: providerAgent, cases }, undefined, 2));
  process.stdout.write(`[test:event-ruler] the handler's client sends User-Agent: ${providerAgent}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
