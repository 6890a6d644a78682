import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { directory } from './directories';
import { IWorkspace, Workspace, WorkspaceProvider, WorkspaceBundle } from '../src';

const base = { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' };

function newStack(): Stack {
  return new Stack(new App(), 'TestStack', { env: { account: '111122223333', region: 'eu-west-1' } });
}

function arn(resource: string): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:workspaces:eu-west-1:111122223333:${resource}`]] };
}

/** The statements of the one policy attached to the given role, as `{ actions, resources }`. */
type Statement = { Action: string | string[]; Effect: string; Resource: unknown; Condition?: unknown };

function statementsOf(template: Template, roleIdPart: string): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleIdPart));
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument.Statement;
}

function declared(stack: Stack): { ws: Workspace; resourceArn: unknown } {
  const ws = new Workspace(stack, 'Alice', base);
  return { ws, resourceArn: stack.resolve(ws.workspaceArn) };
}

describe('grants', () => {
  test('grantStartStop allows starting and stopping this WorkSpace only', () => {
    const stack = newStack();
    const { ws, resourceArn } = declared(stack);
    const role = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    ws.grantStartStop(role);

    expect(statementsOf(Template.fromStack(stack), 'Operator')).toEqual([
      { Action: ['workspaces:StartWorkspaces', 'workspaces:StopWorkspaces'], Effect: 'Allow', Resource: resourceArn },
    ]);
  });

  test('grantReboot and grantRebuild allow exactly their action on this WorkSpace', () => {
    const stack = newStack();
    const { ws, resourceArn } = declared(stack);
    const reboot = new iam.Role(stack, 'Rebooter', { assumedBy: new iam.AccountRootPrincipal() });
    const rebuild = new iam.Role(stack, 'Rebuilder', { assumedBy: new iam.AccountRootPrincipal() });
    ws.grantReboot(reboot);
    ws.grantRebuild(rebuild);

    const template = Template.fromStack(stack);
    expect(statementsOf(template, 'Rebooter')).toEqual([{ Action: 'workspaces:RebootWorkspaces', Effect: 'Allow', Resource: resourceArn }]);
    expect(statementsOf(template, 'Rebuilder')).toEqual([{ Action: 'workspaces:RebuildWorkspaces', Effect: 'Allow', Resource: resourceArn }]);
  });

  test('an imported WorkSpace grants on its own ARN', () => {
    const stack = newStack();
    const ws: IWorkspace = Workspace.fromWorkspaceId(stack, 'Imported', 'ws-abcd12345');
    const role = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    ws.grantStartStop(role);
    ws.grantReboot(role);
    ws.grantRebuild(role);

    expect(statementsOf(Template.fromStack(stack), 'Operator')).toEqual([
      { Action: ['workspaces:StartWorkspaces', 'workspaces:StopWorkspaces'], Effect: 'Allow', Resource: arn('workspace/ws-abcd12345') },
      { Action: 'workspaces:RebootWorkspaces', Effect: 'Allow', Resource: arn('workspace/ws-abcd12345') },
      { Action: 'workspaces:RebuildWorkspaces', Effect: 'Allow', Resource: arn('workspace/ws-abcd12345') },
    ]);
  });

  test('grant gives any action that supports resource-level permissions, scoped to the WorkSpace', () => {
    const stack = newStack();
    const ws = Workspace.fromWorkspaceId(stack, 'Imported', 'ws-abcd12345');
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
    });
    const grant = ws.grant(fn, 'workspaces:ModifyWorkspaceState');

    expect(grant.success).toBe(true);
    expect(statementsOf(Template.fromStack(stack), 'FnServiceRole')).toEqual([
      { Action: 'workspaces:ModifyWorkspaceState', Effect: 'Allow', Resource: arn('workspace/ws-abcd12345') },
    ]);
  });

  test('grant refuses actions that cannot be scoped to a WorkSpace, naming them', () => {
    const stack = newStack();
    const ws = Workspace.fromWorkspaceId(stack, 'Imported', 'ws-abcd12345');
    const role = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => ws.grant(role, 'workspaces:RebootWorkspaces', 'workspaces:DescribeWorkspaces', 'workspaces:CreateTags'))
      .toThrow(/workspaces:DescribeWorkspaces, workspaces:CreateTags cannot be scoped to a WorkSpace's ARN/);
  });
});

describe('metrics', () => {
  const cases: Array<[string, (ws: IWorkspace) => cloudwatch.Metric, string]> = [
    ['Available', (ws) => ws.metricAvailable(), 'Maximum'],
    ['Unhealthy', (ws) => ws.metricUnhealthy(), 'Maximum'],
    ['ConnectionAttempt', (ws) => ws.metricConnectionAttempt(), 'Sum'],
    ['ConnectionSuccess', (ws) => ws.metricConnectionSuccess(), 'Sum'],
    ['ConnectionFailure', (ws) => ws.metricConnectionFailure(), 'Sum'],
    ['SessionLaunchTime', (ws) => ws.metricSessionLaunchTime(), 'Average'],
    ['InSessionLatency', (ws) => ws.metricInSessionLatency(), 'Average'],
    ['SessionDisconnect', (ws) => ws.metricSessionDisconnect(), 'Sum'],
    ['UserConnected', (ws) => ws.metricUserConnected(), 'Maximum'],
    ['Stopped', (ws) => ws.metricStopped(), 'Maximum'],
    ['Maintenance', (ws) => ws.metricMaintenance(), 'Maximum'],
  ];

  test.each(cases)('%s is read in AWS/WorkSpaces for this WorkSpace with its statistic', (metricName, metricOf, statistic) => {
    const stack = newStack();
    const metric = metricOf(Workspace.fromWorkspaceId(stack, 'Imported', 'ws-abcd12345'));
    expect(metric.namespace).toBe('AWS/WorkSpaces');
    expect(metric.metricName).toBe(metricName);
    expect(metric.dimensions).toEqual({ WorkspaceId: 'ws-abcd12345' });
    expect(metric.statistic).toBe(statistic);
    expect(metric.period.toMinutes()).toBe(5);
  });

  test('a declared WorkSpace\'s metrics take its id from the custom resource', () => {
    const stack = newStack();
    const { ws } = declared(stack);
    const metric = ws.metricInSessionLatency();
    expect(stack.resolve(metric.dimensions)).toEqual({ WorkspaceId: stack.resolve(ws.workspaceId) });
  });

  test('props override the statistic and the period, not the namespace or the dimension', () => {
    const stack = newStack();
    const ws = Workspace.fromWorkspaceId(stack, 'Imported', 'ws-abcd12345');
    const metric = ws.metricInSessionLatency({ statistic: 'p90', period: Duration.minutes(1) });
    expect(metric.statistic).toBe('p90');
    expect(metric.period.toMinutes()).toBe(1);
    expect(metric.namespace).toBe('AWS/WorkSpaces');
    expect(metric.dimensions).toEqual({ WorkspaceId: 'ws-abcd12345' });
  });

  test('metric names any other metric of the WorkSpace, by default its average', () => {
    const stack = newStack();
    const metric = Workspace.fromWorkspaceId(stack, 'Imported', 'ws-abcd12345').metric('TrafficIn');
    expect(metric.metricName).toBe('TrafficIn');
    expect(metric.statistic).toBe('Average');
  });

  test('an alarm on a metric watches this WorkSpace', () => {
    const stack = newStack();
    const { ws } = declared(stack);
    ws.metricUnhealthy().createAlarm(stack, 'Unhealthy', { threshold: 1, evaluationPeriods: 1 });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/WorkSpaces',
      MetricName: 'Unhealthy',
      Statistic: 'Maximum',
      Dimensions: [{ Name: 'WorkspaceId', Value: stack.resolve(ws.workspaceId) }],
    });
  });
});

describe('events', () => {
  test('onAccess matches this WorkSpace\'s WorkSpaces Access events and sends them to the target', () => {
    const stack = newStack();
    const { ws } = declared(stack);
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
    });
    ws.onAccess('Logins', { target: new targets.LambdaFunction(fn), description: 'logins of alice' });

    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      Description: 'logins of alice',
      EventPattern: {
        'source': ['aws.workspaces'],
        'detail-type': ['WorkSpaces Access'],
        'detail': { workspaceId: [stack.resolve(ws.workspaceId)] },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Fn'), 'Arn'] } })],
    });
  });

  test('onCloudTrailEvent matches WorkSpaces API calls that name this WorkSpace in any request field', () => {
    const stack = newStack();
    const ws = Workspace.fromWorkspaceId(stack, 'Imported', 'ws-abcd12345');
    ws.onCloudTrailEvent('ApiCalls');

    const id = ['ws-abcd12345'];
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.workspaces'],
        'detail-type': ['AWS API Call via CloudTrail'],
        'detail': {
          eventSource: ['workspaces.amazonaws.com'],
          $or: [
            { requestParameters: { workspaceId: id } },
            { requestParameters: { resourceId: id } },
            { requestParameters: { startWorkspaceRequests: { workspaceId: id } } },
            { requestParameters: { stopWorkspaceRequests: { workspaceId: id } } },
            { requestParameters: { rebootWorkspaceRequests: { workspaceId: id } } },
            { requestParameters: { rebuildWorkspaceRequests: { workspaceId: id } } },
            { requestParameters: { terminateWorkspaceRequests: { workspaceId: id } } },
          ],
        },
      },
    });
  });

  test('a further event pattern narrows the rule, such as to some API calls', () => {
    const stack = newStack();
    const ws = Workspace.fromWorkspaceId(stack, 'Imported', 'ws-abcd12345');
    ws.onCloudTrailEvent('Terminations', { eventPattern: { detail: { eventName: ['TerminateWorkspaces'] } } });

    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: Match.objectLike({ eventName: ['TerminateWorkspaces'], eventSource: ['workspaces.amazonaws.com'] }),
      }),
    });
  });
});

describe('least privilege of the provider', () => {
  function providerTemplate(withKey = false): Template {
    const stack = newStack();
    const key = withKey ? new kms.Key(stack, 'Key') : undefined;
    new Workspace(stack, 'Alice', { ...base, userVolumeEncrypted: withKey, volumeEncryptionKey: key });
    new Workspace(stack, 'Bob', { ...base, userName: 'bob', directory: directory('d-0987654321') });
    return Template.fromStack(stack);
  }

  // What each statement allows is proved by evaluating these policies in test/iam/provider-policies.test.ts.
  const thisStacksMarking = { 'Fn::Join': ['', [{ 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }, '/*']] };
  // The fleet's membership tag and the migration mark are reserved beside the ownership tag.
  const onlyTheOwnershipTag = {
    'ForAllValues:StringEquals': { 'aws:TagKeys': ['cdk-workspaces:owner', 'cdk-workspaces:fleet', 'cdk-workspaces:migration'] },
    'Null': { 'aws:TagKeys': 'false' },
  };

  test('the onEvent handler may describe, create in the declared directories and bundles, terminate and mark, all as this stack\'s', () => {
    expect(statementsOf(providerTemplate(), 'OnEventHandler')).toEqual([
      { Action: ['workspaces:DescribeWorkspaces', 'workspaces:DescribeTags'], Effect: 'Allow', Resource: '*' },
      // The pre-flight before CreateWorkspaces: is the directory registered, does the bundle exist.
      { Action: ['workspaces:DescribeWorkspaceDirectories', 'workspaces:DescribeWorkspaceBundles'], Effect: 'Allow', Resource: '*' },
      {
        Action: 'workspaces:CreateWorkspaces',
        Condition: { StringLike: { 'aws:RequestTag/cdk-workspaces:owner': thisStacksMarking } },
        Effect: 'Allow',
        Resource: [
          arn('workspace/*'),
          arn('directory/d-1234567890'),
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':workspaces:eu-west-1:*:workspacebundle/wsb-12345678']] },
          arn('directory/d-0987654321'),
        ],
      },
      {
        Action: 'workspaces:TerminateWorkspaces',
        Condition: { StringLike: { 'aws:ResourceTag/cdk-workspaces:owner': thisStacksMarking } },
        Effect: 'Allow',
        Resource: arn('workspace/*'),
      },
      {
        Action: 'workspaces:CreateTags',
        Condition: { ...onlyTheOwnershipTag, StringLike: { 'aws:RequestTag/cdk-workspaces:owner': thisStacksMarking } },
        Effect: 'Allow',
        Resource: '*',
      },
      { Action: 'workspaces:DeleteTags', Condition: onlyTheOwnershipTag, Effect: 'Allow', Resource: '*' },
    ]);
  });

  test('the isComplete handler may describe, tag, untag, modify and terminate this stack\'s WorkSpaces, never touch the ownership tag, and not create', () => {
    expect(statementsOf(providerTemplate(), 'IsCompleteHandler')).toEqual([
      { Action: ['workspaces:DescribeWorkspaces', 'workspaces:DescribeTags'], Effect: 'Allow', Resource: '*' },
      { Action: 'workspaces:DescribeWorkspaceBundles', Effect: 'Allow', Resource: '*' },
      { Action: 'workspaces:DescribeWorkspacesConnectionStatus', Effect: 'Allow', Resource: '*' },
      { Action: ['workspaces:CreateTags', 'workspaces:DeleteTags'], Effect: 'Allow', Resource: '*' },
      {
        Action: ['workspaces:CreateTags', 'workspaces:DeleteTags'],
        Condition: { 'ForAnyValue:StringEqualsIgnoreCase': { 'aws:TagKeys': ['cdk-workspaces:owner', 'cdk-workspaces:fleet'] } },
        Effect: 'Deny',
        Resource: '*',
      },
      {
        Action: ['workspaces:ModifyWorkspaceProperties', 'workspaces:TerminateWorkspaces', 'workspaces:MigrateWorkspace'],
        Condition: { StringLike: { 'aws:ResourceTag/cdk-workspaces:owner': thisStacksMarking } },
        Effect: 'Allow',
        Resource: arn('workspace/*'),
      },
      // MigrateWorkspace names the target bundle too: Amazon's bundles belong to other accounts.
      { Action: 'workspaces:MigrateWorkspace', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':workspaces:eu-west-1:*:workspacebundle/*']] } },
      // Whether the newest snapshot is newer than the user's last connection, before a migration.
      { Action: 'workspaces:DescribeWorkspaceSnapshots', Effect: 'Allow', Resource: arn('workspace/*') },
    ]);
  });

  test('"*" is only used for the actions that support no resource-level permissions', () => {
    const template = providerTemplate();
    const wildcardActions = ['OnEventHandler', 'IsCompleteHandler']
      .flatMap((role) => statementsOf(template, role))
      .filter((s) => s.Resource === '*' && s.Effect === 'Allow')
      .flatMap((s) => ([] as string[]).concat(s.Action));
    expect(new Set(wildcardActions)).toEqual(new Set([
      'workspaces:DescribeWorkspaces', 'workspaces:DescribeTags', 'workspaces:CreateTags', 'workspaces:DeleteTags',
      'workspaces:DescribeWorkspaceBundles', 'workspaces:DescribeWorkspacesConnectionStatus', 'workspaces:DescribeWorkspaceDirectories',
    ]));
  });

  test('a customer managed key is granted to the onEvent handler only, for CreateGrant and DescribeKey', () => {
    const template = providerTemplate(true);
    const keyArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] };
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('OnEventHandler') }],
      PolicyDocument: { Statement: Match.arrayWith([{ Action: ['kms:CreateGrant', 'kms:DescribeKey'], Effect: 'Allow', Resource: keyArn }]) },
    });
    const kmsActions = statementsOf(template, 'IsCompleteHandler').flatMap((s) => ([] as string[]).concat(s.Action)).filter((a) => a.startsWith('kms:'));
    expect(kmsActions).toEqual([]);
  });

  test('a WorkSpace with a customer managed key is created only once the key is granted', () => {
    const template = providerTemplate(true);
    const [alice] = Object.values(template.findResources('Custom::Workspace'));
    expect(alice.DependsOn).toEqual([expect.stringMatching(/OnEventHandlerServiceRoleDefaultPolicy/)]);
  });

  test('the WorkSpaces handlers carry no suppression of the Lambda runtime rule: they run on the latest Node.js', () => {
    const stack = newStack();
    new Workspace(stack, 'Alice', base);
    const provider = WorkspaceProvider.getOrCreate(stack);
    for (const handler of [provider.onEventHandler, provider.isCompleteHandler]) {
      const cfn = handler.node.defaultChild as lambda.CfnFunction;
      expect(cfn.runtime).toBe('nodejs24.x');
      expect(cfn.getMetadata('cdk_nag')).toBeUndefined();
    }
  });
});
