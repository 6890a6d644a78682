// Issue 13: the disruptionPolicy prop as the template carries it, and the permission it needs.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { directory } from './directories';
import { DisruptionPolicy, Workspace, WorkspaceBundle } from '../src';

const base = { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' };

function synth(props: Partial<{ disruptionPolicy: DisruptionPolicy }>): Template {
  const stack = new Stack(new App(), 'TestStack', { env: { account: '111122223333', region: 'eu-west-1' } });
  new Workspace(stack, 'Alice', { ...base, ...props });
  return Template.fromStack(stack);
}

function properties(template: Template): Record<string, unknown> {
  return (Object.values(template.findResources('Custom::Workspace'))[0] as { Properties: Record<string, unknown> }).Properties;
}

test('left out, the template carries no DisruptionPolicy: the handler\'s default is WAIT_FOR_DISCONNECT, and templates of apps that do not set it stay as they were', () => {
  expect(properties(synth({}))).not.toHaveProperty('DisruptionPolicy');
});

test.each([DisruptionPolicy.IMMEDIATE, DisruptionPolicy.WAIT_FOR_DISCONNECT])('%s is passed to the custom resource', (policy) => {
  expect(properties(synth({ disruptionPolicy: policy }))).toMatchObject({ DisruptionPolicy: policy });
});

test('only isComplete may ask for the connection status, on "*", in a statement of its own', () => {
  const template = synth({});
  const statements = Object.entries(template.findResources('AWS::IAM::Policy'))
    .flatMap(([id, r]) => (r.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>).map((s) => ({ id, ...s })));
  const asking = statements.filter((s) => ([] as unknown[]).concat(s.Action).includes('workspaces:DescribeWorkspacesConnectionStatus'));
  expect(asking).toHaveLength(1);
  expect(asking[0]).toMatchObject({ Action: 'workspaces:DescribeWorkspacesConnectionStatus', Resource: '*' });
  expect(asking[0].id).toMatch(/IsCompleteHandler/);
});
