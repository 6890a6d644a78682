import { App, CfnElement, Duration, RemovalPolicy, Size, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { directory } from './directories';
import { ComputeType, Protocol, RunningMode, Workspace, WorkspaceProvider, WorkspaceBundle } from '../src';

const base = { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' };

function newStack(): Stack {
  return new Stack(new App(), 'TestStack', { env: { account: '111122223333', region: 'eu-west-1' } });
}

function workspaces(template: Template) {
  return Object.values(template.findResources('Custom::Workspace')) as Array<{ [key: string]: any }>;
}

describe('Workspace properties', () => {
  test('renders the required props and the documented defaults', () => {
    const stack = newStack();
    new Workspace(stack, 'Alice', base);
    const template = Template.fromStack(stack);

    const [ws] = workspaces(template);
    expect(ws.Properties).toEqual({
      ServiceToken: expect.anything(),
      DirectoryId: 'd-1234567890',
      BundleId: 'wsb-12345678',
      UserName: 'alice',
      RootVolumeEncryptionEnabled: 'false',
      UserVolumeEncryptionEnabled: 'false',
      WorkspaceProperties: { RunningMode: 'AUTO_STOP', RunningModeAutoStopTimeoutInMinutes: 60 },
      TimeoutSeconds: 3300,
      ServiceTimeout: '3600',
    });
  });

  test('renders every optional prop under the API names', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    new Workspace(stack, 'Bob', {
      ...base,
      userName: 'bob',
      runningMode: RunningMode.AUTO_STOP,
      autoStopTimeout: Duration.hours(3),
      computeType: ComputeType.POWER,
      rootVolumeSize: Size.gibibytes(175),
      userVolumeSize: Size.gibibytes(100),
      protocols: [Protocol.WSP],
      rootVolumeEncrypted: true,
      userVolumeEncrypted: true,
      volumeEncryptionKey: key,
      timeout: Duration.minutes(30),
    });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('Custom::Workspace', {
      UserName: 'bob',
      RootVolumeEncryptionEnabled: 'true',
      UserVolumeEncryptionEnabled: 'true',
      VolumeEncryptionKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      WorkspaceProperties: {
        RunningMode: 'AUTO_STOP',
        RunningModeAutoStopTimeoutInMinutes: 180,
        ComputeTypeName: 'POWER',
        RootVolumeSizeGib: 175,
        UserVolumeSizeGib: 100,
        Protocols: ['WSP'],
      },
      TimeoutSeconds: 1800,
      ServiceTimeout: '2100',
    });
  });

  test('sends no auto-stop timeout with ALWAYS_ON or MANUAL', () => {
    const stack = newStack();
    new Workspace(stack, 'On', { ...base, userName: 'on', runningMode: RunningMode.ALWAYS_ON });
    new Workspace(stack, 'Manual', { ...base, userName: 'manual', runningMode: RunningMode.MANUAL });
    const modes = workspaces(Template.fromStack(stack)).map((r) => r.Properties.WorkspaceProperties);
    expect(modes).toEqual([{ RunningMode: 'ALWAYS_ON' }, { RunningMode: 'MANUAL' }]);
  });

  test('ComputeType.of names a compute type this library does not list', () => {
    const stack = newStack();
    new Workspace(stack, 'New', { ...base, computeType: ComputeType.of('GRAPHICS_G7_XLARGE') });
    Template.fromStack(stack).hasResourceProperties('Custom::Workspace', {
      WorkspaceProperties: Match.objectLike({ ComputeTypeName: 'GRAPHICS_G7_XLARGE' }),
    });
  });
});

describe('Workspace tags', () => {
  test('tags from Tags.of at stack and construct level reach the WorkSpace', () => {
    const stack = newStack();
    Tags.of(stack).add('team', 'platform');
    const ws = new Workspace(stack, 'Alice', base);
    Tags.of(ws).add('cost-center', '42');
    Tags.of(ws).add('team', 'desktops');

    const [resource] = workspaces(Template.fromStack(stack));
    expect(resource.Properties.Tags).toEqual([
      { Key: 'cost-center', Value: '42' },
      { Key: 'team', Value: 'desktops' },
    ]);
  });

  test('a stack tag reaches every WorkSpace of the stack', () => {
    const stack = newStack();
    Tags.of(stack).add('env', 'prod');
    new Workspace(stack, 'A', { ...base, userName: 'a' });
    new Workspace(stack, 'B', { ...base, userName: 'b' });
    const tags = workspaces(Template.fromStack(stack)).map((r) => r.Properties.Tags);
    expect(tags).toEqual([[{ Key: 'env', Value: 'prod' }], [{ Key: 'env', Value: 'prod' }]]);
  });

  test('a WorkSpace without tags has no Tags property', () => {
    const stack = newStack();
    new Workspace(stack, 'Alice', base);
    const [resource] = workspaces(Template.fromStack(stack));
    expect(resource.Properties).not.toHaveProperty('Tags');
  });
});

describe('Workspace removal policy', () => {
  test('retains the WorkSpace by default on delete and on replacement, but not when its own creation rolls back', () => {
    const stack = newStack();
    new Workspace(stack, 'Alice', base);
    Template.fromStack(stack).hasResource('Custom::Workspace', {
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('RemovalPolicy.RETAIN keeps the WorkSpace in every case', () => {
    const stack = newStack();
    new Workspace(stack, 'Alice', { ...base, removalPolicy: RemovalPolicy.RETAIN });
    Template.fromStack(stack).hasResource('Custom::Workspace', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('RemovalPolicy.DESTROY lets CloudFormation terminate it', () => {
    const stack = newStack();
    new Workspace(stack, 'Alice', { ...base, removalPolicy: RemovalPolicy.DESTROY });
    Template.fromStack(stack).hasResource('Custom::Workspace', {
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
  });
});

describe('Workspace provider', () => {
  test('one provider serves every WorkSpace of a stack', () => {
    const stack = newStack();
    for (const user of ['a', 'b', 'c']) {
      new Workspace(stack, user, { ...base, userName: user });
    }
    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::Workspace', 3);
    // onEvent, isComplete, and the framework's onEvent, isComplete and onTimeout functions.
    template.resourceCountIs('AWS::Lambda::Function', 5);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    const tokens = new Set(workspaces(template).map((r) => JSON.stringify(r.Properties.ServiceToken)));
    expect(tokens.size).toBe(1);
  });

  test('getOrCreate returns the same provider from any scope of the stack', () => {
    const stack = newStack();
    const ws = new Workspace(stack, 'Alice', base);
    expect(WorkspaceProvider.getOrCreate(ws)).toBe(WorkspaceProvider.getOrCreate(stack));
  });

  test('each stack gets its own provider', () => {
    const app = new App();
    const one = new Stack(app, 'One');
    const two = new Stack(app, 'Two');
    new Workspace(one, 'Alice', base);
    new Workspace(two, 'Bob', { ...base, userName: 'bob' });
    expect(WorkspaceProvider.getOrCreate(one)).not.toBe(WorkspaceProvider.getOrCreate(two));
    Template.fromStack(two).resourceCountIs('AWS::StepFunctions::StateMachine', 1);
  });

  test('handlers run on Node.js 24 and poll every 30 seconds', () => {
    const stack = newStack();
    new Workspace(stack, 'Alice', base);
    const template = Template.fromStack(stack);
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Description: Match.stringLikeRegexp('^cdk-workspaces: ') }, 2);
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0];
    expect(JSON.stringify(machine.Properties.DefinitionString)).toContain('\\"IntervalSeconds\\":30');
  });

  test('the onEvent handler may create in the declared directories and bundles only', () => {
    const stack = newStack();
    new Workspace(stack, 'A', { ...base, userName: 'a' });
    new Workspace(stack, 'B', { ...base, userName: 'b', bundle: WorkspaceBundle.fromBundleId('wsb-87654321') });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'workspaces:CreateWorkspaces',
            Condition: Match.anyValue(),
            Effect: 'Allow',
            Resource: [
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':workspaces:eu-west-1:111122223333:workspace/*']] },
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':workspaces:eu-west-1:111122223333:directory/d-1234567890']] },
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':workspaces:eu-west-1:*:workspacebundle/wsb-12345678']] },
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':workspaces:eu-west-1:*:workspacebundle/wsb-87654321']] },
            ],
          },
        ]),
      },
    });
  });

  test('the isComplete handler may modify, tag and terminate WorkSpaces but not create them', () => {
    const stack = newStack();
    new Workspace(stack, 'Alice', base);
    const template = Template.fromStack(stack);
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const isCompletePolicy = policies.find((p) => JSON.stringify(p.Properties.Roles).includes('IsCompleteHandler'));
    const actions = isCompletePolicy!.Properties.PolicyDocument.Statement
      .filter((s: any) => s.Effect === 'Allow')
      .flatMap((s: any) => ([] as string[]).concat(s.Action));
    expect(actions.sort()).toEqual([
      'workspaces:CreateTags',
      'workspaces:DeleteTags',
      'workspaces:DescribeTags',
      'workspaces:DescribeWorkspaceBundles',
      'workspaces:DescribeWorkspaceSnapshots',
      'workspaces:DescribeWorkspaces',
      'workspaces:DescribeWorkspacesConnectionStatus',
      'workspaces:MigrateWorkspace',
      'workspaces:MigrateWorkspace',
      'workspaces:ModifyWorkspaceProperties',
      'workspaces:TerminateWorkspaces',
    ]);
  });

  test('a customer managed key is granted to the handler that creates encrypted WorkSpaces', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    new Workspace(stack, 'Alice', { ...base, userVolumeEncrypted: true, volumeEncryptionKey: key });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['kms:CreateGrant', 'kms:DescribeKey'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } }),
        ]),
      },
    });
  });
});

describe('Workspace attributes', () => {
  test('attributes are read from the custom resource with GetAtt', () => {
    const stack = newStack();
    const ws = new Workspace(stack, 'Alice', base);
    const resolved = (v: string) => stack.resolve(v);
    const logicalId = stack.getLogicalId(ws.node.findChild('Resource').node.defaultChild as CfnElement);
    expect(resolved(ws.workspaceId)).toEqual({ 'Fn::GetAtt': [logicalId, 'WorkspaceId'] });
    expect(resolved(ws.ipAddress)).toEqual({ 'Fn::GetAtt': [logicalId, 'IpAddress'] });
    expect(resolved(ws.computerName)).toEqual({ 'Fn::GetAtt': [logicalId, 'ComputerName'] });
    expect(resolved(ws.subnetId)).toEqual({ 'Fn::GetAtt': [logicalId, 'SubnetId'] });
    expect(resolved(ws.workspaceArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':workspaces:eu-west-1:111122223333:workspace/', { 'Fn::GetAtt': [logicalId, 'WorkspaceId'] }]],
    });
  });

  test('the custom resource is the construct\'s default child, with id Resource', () => {
    const stack = newStack();
    const ws = new Workspace(stack, 'Alice', base);
    expect(ws.node.defaultChild?.node.id).toBe('Resource');
  });

  test('fromWorkspaceId imports a WorkSpace with its ARN', () => {
    const stack = newStack();
    const ws = Workspace.fromWorkspaceId(stack, 'Imported', 'ws-abcd12345');
    expect(ws.workspaceId).toBe('ws-abcd12345');
    expect(stack.resolve(ws.workspaceArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':workspaces:eu-west-1:111122223333:workspace/ws-abcd12345']],
    });
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Function', 0);
  });
});
