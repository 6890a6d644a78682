import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DataReplication, StandbyWorkspace, Workspace, WorkspaceBundle, WorkspaceFleet, WorkspacesDirectory } from '../src';

function twoStacks(crossRegionReferences = true): { app: App; primary: Stack; secondary: Stack } {
  const app = new App();
  const env = (region: string) => ({ account: '111122223333', region });
  const primary = new Stack(app, 'Primary', { env: env('us-east-1'), crossRegionReferences });
  const secondary = new Stack(app, 'Secondary', { env: env('us-west-2'), crossRegionReferences });
  return { app, primary, secondary };
}

function alice(stack: Stack): Workspace {
  return new Workspace(stack, 'Alice', {
    directory: WorkspacesDirectory.fromDirectoryId(stack, 'Directory', 'd-1234567890'),
    bundle: WorkspaceBundle.fromBundleId('wsb-12345678'),
    userName: 'alice',
  });
}

describe('StandbyWorkspace', () => {
  test('a standby in the secondary Region\'s stack takes the primary\'s id through a cross-Region reference', () => {
    const { primary, secondary } = twoStacks();
    const directory = new WorkspacesDirectory(secondary, 'Directory', { directoryId: 'd-2234567890' });
    const standby = new StandbyWorkspace(secondary, 'AliceStandby', {
      primary: alice(primary),
      directory,
      dataReplication: DataReplication.PRIMARY_AS_SOURCE,
      timeout: Duration.minutes(40),
    });
    const template = Template.fromStack(secondary);
    const [[logicalId, resource]] = Object.entries(template.findResources('Custom::WorkspacesStandby'));
    const [reader] = Object.keys(template.findResources('Custom::CrossRegionExportReader'));
    expect(resource.Properties).toEqual({
      ServiceToken: expect.anything(),
      ServiceTimeout: '2700',
      PrimaryRegion: 'us-east-1',
      PrimaryWorkspaceId: { 'Fn::GetAtt': [reader, expect.stringMatching(/^\/cdk\/exports\/Secondary\/.*WorkspaceId/)] },
      DirectoryId: 'd-2234567890',
      DataReplication: 'PRIMARY_AS_SOURCE',
      TimeoutSeconds: 2400,
    });
    // After the secondary directory's registration; kept on removal, as a Workspace is.
    expect(resource.DependsOn).toContain(Object.keys(template.findResources('Custom::WorkspacesDirectory'))[0]);
    expect(resource.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(secondary.resolve(standby.workspaceId)).toEqual({ 'Fn::GetAtt': [logicalId, 'WorkspaceId'] });
    // The primary's stack writes the id into the secondary Region.
    Template.fromStack(primary).hasResourceProperties('Custom::CrossRegionExportWriter', { WriterProps: { region: 'us-west-2' } });
  });

  test('the provider may create standbys with this stack\'s ownership tag, in the declared directory', () => {
    const { primary, secondary } = twoStacks();
    new StandbyWorkspace(secondary, 'AliceStandby', {
      primary: alice(primary),
      directory: WorkspacesDirectory.fromDirectoryId(secondary, 'Directory', 'd-2234567890'),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const statements = Object.values(Template.fromStack(secondary).findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => s.Action === 'workspaces:CreateStandbyWorkspaces');
    expect(statements).toHaveLength(1);
    expect(statements[0].Resource).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':workspaces:*:111122223333:workspace/*']] },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':workspaces:us-west-2:111122223333:directory/d-2234567890']] },
    ]);
    expect(Object.keys(statements[0].Condition.StringLike)).toEqual(['aws:RequestTag/cdk-workspaces:owner']);
  });

  test('forFleet declares one standby per user of the fleet', () => {
    const { primary, secondary } = twoStacks();
    const fleet = new WorkspaceFleet(primary, 'Fleet', {
      directory: WorkspacesDirectory.fromDirectoryId(primary, 'Directory', 'd-1234567890'),
      bundle: WorkspaceBundle.fromBundleId('wsb-12345678'),
      users: ['alice', 'bob'],
    });
    fleet.addUser('carol');
    const standbys = StandbyWorkspace.forFleet(secondary, 'Standbys', {
      fleet,
      directory: WorkspacesDirectory.fromDirectoryId(secondary, 'Directory', 'd-2234567890'),
    });
    expect(standbys.map((s) => s.node.path)).toEqual(['Secondary/Standbys/Standby0', 'Secondary/Standbys/Standby1', 'Secondary/Standbys/Standby2']);
    expect(Object.keys(Template.fromStack(secondary).findResources('Custom::WorkspacesStandby'))).toHaveLength(3);
  });

  test('a primary in the same Region, or a directory of another Region, fails at synth time', () => {
    const { primary, secondary } = twoStacks();
    const workspace = alice(primary);
    expect(() => new StandbyWorkspace(primary, 'Same', { primary: workspace, directory: WorkspacesDirectory.fromDirectoryId(primary, 'D2', 'd-2234567890') }))
      .toThrow('Primary/Same: Invalid primary Primary/Alice: it is in us-east-1, as this standby; a standby WorkSpace is in another Region');
    expect(() => new StandbyWorkspace(secondary, 'Far', { primary: workspace, directory: WorkspacesDirectory.fromDirectoryId(primary, 'D3', 'd-2234567890') }))
      .toThrow('Secondary/Far: Invalid directory Primary/D3: it is in us-east-1; the standby\'s directory is in the standby\'s Region, us-west-2');
  });

  test('a stack without Regions fails at synth time, saying why', () => {
    const app = new App();
    const primary = new Stack(app, 'Primary');
    const secondary = new Stack(app, 'Secondary');
    expect(() => new StandbyWorkspace(secondary, 'Standby', { primary: alice(primary), directory: WorkspacesDirectory.fromDirectoryId(secondary, 'D', 'd-2234567890') }))
      .toThrow(/^Secondary\/Standby: Invalid primary Primary\/Alice: the Regions of the primary's stack and of this stack must be given/);
  });
});
