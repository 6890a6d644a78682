// Issue 21: the bundleChange prop as the template carries it, and the permissions a migration needs.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { directory } from './directories';
import { BundleChange, Workspace, WorkspaceBundle, WorkspaceFleet } from '../src';

const base = { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' };

function synth(props: Partial<{ bundleChange: BundleChange }>): Template {
  const stack = new Stack(new App(), 'TestStack', { env: { account: '111122223333', region: 'eu-west-1' } });
  new Workspace(stack, 'Alice', { ...base, ...props });
  return Template.fromStack(stack);
}

function properties(template: Template): Record<string, unknown> {
  return (Object.values(template.findResources('Custom::Workspace'))[0] as { Properties: Record<string, unknown> }).Properties;
}

test('left out, the template carries no BundleChange: the handler\'s default is MIGRATE, and templates of apps that do not set it stay as they were', () => {
  expect(properties(synth({}))).not.toHaveProperty('BundleChange');
});

test.each([BundleChange.MIGRATE, BundleChange.REFUSE])('%s is passed to the custom resource', (bundleChange) => {
  expect(properties(synth({ bundleChange }))).toMatchObject({ BundleChange: bundleChange });
});

test('only isComplete may migrate, a WorkSpace only with this stack\'s ownership tag, and read snapshots', () => {
  const statements = Object.entries(synth({}).findResources('AWS::IAM::Policy'))
    .flatMap(([id, r]) => (r.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown; Condition?: unknown }>)
      .map((s) => ({ id, ...s })));
  const of = (action: string) => statements.filter((s) => ([] as unknown[]).concat(s.Action).includes(action));
  const migrating = of('workspaces:MigrateWorkspace');
  expect(migrating.length).toBeGreaterThan(0);
  for (const s of migrating) {
    expect(s.id).toMatch(/IsCompleteHandler/);
  }
  const onWorkspaces = migrating.filter((s) => JSON.stringify(s.Resource).includes(':workspace/*'));
  expect(onWorkspaces).toHaveLength(1);
  expect(JSON.stringify(onWorkspaces[0].Condition)).toContain('aws:ResourceTag/cdk-workspaces:owner');
  expect(of('workspaces:DescribeWorkspaceSnapshots').map((s) => s.id)).toEqual([expect.stringMatching(/IsCompleteHandler/)]);
});

test('a fleet carries BundleChange and MigrationBatchSize, and refuses a batch size outside 1 to 25 at synth time, naming the prop', () => {
  const stack = new Stack(new App(), 'TestStack', { env: { account: '111122223333', region: 'eu-west-1' } });
  new WorkspaceFleet(stack, 'Fleet', { ...base, users: ['alice'], bundleChange: BundleChange.MIGRATE, migrationBatchSize: 10 });
  expect((Object.values(Template.fromStack(stack).findResources('Custom::WorkspaceFleet'))[0] as { Properties: Record<string, unknown> }).Properties)
    .toMatchObject({ BundleChange: 'MIGRATE', MigrationBatchSize: 10 });
  for (const size of [0, 26, 2.5]) {
    expect(() => new WorkspaceFleet(stack, `Bad${size}`.replace('.', '_'), { ...base, users: ['bob'], migrationBatchSize: size }))
      .toThrow(new RegExp(`Invalid migrationBatchSize ${size} WorkSpaces: must be a whole number from 1 to 25`));
  }
});
