import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { directory } from './directories';
import { Workspace, WorkspaceBundle, WorkspaceProvider } from '../src';

function newStack(): Stack {
  return new Stack(new App(), 'TestStack', { env: { account: '111122223333', region: 'eu-west-1' } });
}

function patternOf(stack: Stack, rulePath: string): any {
  const rules = Template.fromStack(stack).findResources('AWS::Events::Rule');
  const found = Object.entries(rules).find(([id]) => id.startsWith(rulePath));
  if (!found) {
    throw new Error(`no rule ${rulePath} in ${Object.keys(rules).join(', ')}`);
  }
  return found[1].Properties.EventPattern;
}

describe('onOutOfBandChange', () => {
  const byTheProvider = (stack: Stack) => {
    const provider = WorkspaceProvider.getOrCreate(stack);
    const arnOf = (role: iam.IRole) => ({ 'Fn::GetAtt': [stack.getLogicalId(role.node.defaultChild as CfnElement), 'Arn'] });
    return { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': [arnOf(provider.onEventRole), arnOf(provider.isCompleteRole)] }, { exists: false }] } } };
  };

  test('is onCloudTrailEvent\'s pattern, without read-only calls and without the calls of the provider\'s roles', () => {
    const stack = newStack();
    new Workspace(stack, 'Alice', { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' });
    const ws = Workspace.fromWorkspaceId(stack, 'Imported', 'ws-abcd12345');
    ws.onCloudTrailEvent('AllCalls');
    ws.onOutOfBandChange('Changes');

    const all = patternOf(stack, 'ImportedAllCalls');
    const changes = patternOf(stack, 'ImportedChanges');
    expect(changes).toEqual({
      ...all,
      detail: {
        ...all.detail,
        eventName: [{ 'anything-but': { prefix: 'Describe' } }],
        userIdentity: byTheProvider(stack),
      },
    });
  });

  test('does not look at the user agent, which any caller can send', () => {
    const stack = newStack();
    new Workspace(stack, 'Alice', { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' });
    Workspace.fromWorkspaceId(stack, 'Imported', 'ws-abcd12345').onOutOfBandChange('Changes');
    expect(JSON.stringify(patternOf(stack, 'ImportedChanges'))).not.toContain('userAgent');
  });

  test('in a stack without a provider (only imported WorkSpaces), every change is out of band', () => {
    const stack = newStack();
    Workspace.fromWorkspaceId(stack, 'Imported', 'ws-abcd12345').onOutOfBandChange('Changes');
    expect(patternOf(stack, 'ImportedChanges').detail.userIdentity).toBeUndefined();
    expect(stack.node.tryFindChild('cdk-workspaces.WorkspaceProvider')).toBeUndefined();
  });

  test('a provider created after the rule is still left out: the roles are read at synthesis', () => {
    const stack = newStack();
    Workspace.fromWorkspaceId(stack, 'Imported', 'ws-abcd12345').onOutOfBandChange('Changes');
    new Workspace(stack, 'Alice', { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' });
    expect(patternOf(stack, 'ImportedChanges').detail.userIdentity).toEqual(byTheProvider(stack));
  });

  test('on a declared WorkSpace: the rule names its id attribute and sends to the target', () => {
    const stack = newStack();
    const ws = new Workspace(stack, 'Alice', { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' });
    const topic = new sns.Topic(stack, 'Alerts');
    ws.onOutOfBandChange('Changes', { target: new targets.SnsTopic(topic), description: 'Alice changed outside the stack' });

    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      Description: 'Alice changed outside the stack',
      EventPattern: Match.objectLike({
        detail: Match.objectLike({
          $or: Match.arrayWith([{ requestParameters: { workspaceId: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Alice'), 'WorkspaceId'] }] } }]),
          userIdentity: byTheProvider(stack),
        }),
      }),
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^Alerts') } })],
    });
  });
});

describe('adoptExisting', () => {
  test('reaches the custom resource only when true', () => {
    const stack = newStack();
    const base = { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678') };
    new Workspace(stack, 'Adopted', { ...base, userName: 'alice', adoptExisting: true });
    new Workspace(stack, 'New', { ...base, userName: 'bob' });
    new Workspace(stack, 'Explicit', { ...base, userName: 'carol', adoptExisting: false });
    const props = Object.values(Template.fromStack(stack).findResources('Custom::Workspace')).map((r) => r.Properties);
    expect(props.find((p) => p.UserName === 'alice').AdoptExisting).toBe('true');
    expect('AdoptExisting' in props.find((p) => p.UserName === 'bob')).toBe(false);
    expect('AdoptExisting' in props.find((p) => p.UserName === 'carol')).toBe(false);
  });
});
