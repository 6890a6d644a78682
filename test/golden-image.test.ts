import { App, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  ComputeType,
  CustomWorkspaceBundle,
  Workspace,
  WorkspaceBundle,
  WorkspaceFleet,
  WorkspaceImage,
  WorkspacesDirectory,
} from '../src';

type Json = any;

function builderStack(): { stack: Stack; builder: Workspace; directory: ReturnType<typeof WorkspacesDirectory.fromDirectoryId> } {
  const stack = new Stack(new App(), 'Golden');
  const directory = WorkspacesDirectory.fromDirectoryId(stack, 'Directory', 'd-1234567890');
  const builder = new Workspace(stack, 'Builder', { directory, bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'builder' });
  return { stack, builder, directory };
}

function statements(stack: Stack, action: string): Json[] {
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .flatMap((p: Json) => p.Properties.PolicyDocument.Statement)
    .filter((s: Json) => ([] as string[]).concat(s.Action).includes(action));
}

describe('WorkspaceImage.fromWorkspace', () => {
  test('captures the builder\'s WorkSpace once it is deployed, and exposes the image id', () => {
    const { stack, builder } = builderStack();
    const image = WorkspaceImage.fromWorkspace(stack, 'Golden', builder, { imageName: 'golden-1', timeout: Duration.minutes(50) });
    const template = Template.fromStack(stack);
    const [[logicalId, resource]] = Object.entries(template.findResources('Custom::WorkspaceImage'));
    const [builderId] = Object.keys(template.findResources('Custom::Workspace'));
    expect(resource.Properties).toEqual({
      ServiceToken: expect.anything(),
      ServiceTimeout: '3300',
      SourceWorkspaceId: { 'Fn::GetAtt': [builderId, 'WorkspaceId'] },
      ImageName: 'golden-1',
      ImageDescription: 'Captured by cdk-workspaces',
      TimeoutSeconds: 3000,
    });
    expect(resource.DeletionPolicy).toBe('Delete');
    expect(stack.resolve(image.imageId)).toEqual({ 'Fn::GetAtt': [logicalId, 'ImageId'] });
  });

  test.each([
    [{ imageName: 'golden image' }, /Golden\/Image: Invalid imageName "golden image": must be 1 to 64 characters of letters, digits and _ \. \/ \( \) -/],
    [{ imageName: 'x'.repeat(65) }, /Invalid imageName "x+…" \(65 characters\): must be 1 to 64 characters/],
    [{ imageName: 'ok', description: 'no: colons' }, /Invalid description "no: colons": must be 1 to 256 characters of letters, digits, spaces/],
    [{ imageName: 'ok', timeout: Duration.minutes(58) }, /Invalid timeout "58 minutes": must be from 1 minute to 55 minutes/],
  ])('refuses %j at synth time, naming the construct, the prop, the value and the rule', (options, message) => {
    const { stack, builder } = builderStack();
    expect(() => WorkspaceImage.fromWorkspace(stack, 'Image', builder, options)).toThrow(message);
  });

  test('the provider may capture only the declared WorkSpace, with this stack\'s ownership tag, and delete only this stack\'s images', () => {
    const { stack, builder } = builderStack();
    WorkspaceImage.fromWorkspace(stack, 'Golden', builder, { imageName: 'golden-1' });
    const [image, source] = statements(stack, 'workspaces:CreateWorkspaceImage');
    expect(JSON.stringify(image.Resource)).toContain('workspaceimage/*');
    expect(Object.keys(image.Condition.StringLike)).toEqual(['aws:RequestTag/cdk-workspaces:owner']);
    // The source: a WorkSpace of this stack, named by its ownership tag (its id would make a dependency cycle).
    expect(JSON.stringify(source.Resource)).toContain(':workspace/*');
    expect(Object.keys(source.Condition.StringLike)).toEqual(['aws:ResourceTag/cdk-workspaces:owner']);
    const deletes = statements(stack, 'workspaces:DeleteWorkspaceImage');
    expect(deletes.length).toBeGreaterThan(0);
    for (const statement of deletes) {
      expect(Object.keys(statement.Condition.StringLike)).toEqual(['aws:ResourceTag/cdk-workspaces:owner']);
    }
  });
});

describe('WorkspaceImage.fromImageId', () => {
  test('refers to an image by id, checked against the API\'s pattern', () => {
    const { stack } = builderStack();
    expect(WorkspaceImage.fromImageId(stack, 'Existing', 'wsi-123456789').imageId).toBe('wsi-123456789');
    expect(() => WorkspaceImage.fromImageId(stack, 'Bad', 'wsb-123456789'))
      .toThrow(/Golden\/Bad: Invalid imageId "wsb-123456789": must match \^wsi-/);
  });
});

describe('CustomWorkspaceBundle', () => {
  test('is a bundle that Workspace and WorkspaceFleet take as they take WorkspaceBundle.fromName, and are created after', () => {
    const { stack, builder, directory } = builderStack();
    const image = WorkspaceImage.fromWorkspace(stack, 'Golden', builder, { imageName: 'golden-1' });
    const bundle = new CustomWorkspaceBundle(stack, 'Bundle', {
      image, bundleName: 'golden-standard', computeType: ComputeType.STANDARD, userVolumeSize: Size.gibibytes(100),
    });
    new Workspace(stack, 'Alice', { directory, bundle, userName: 'alice' });
    new WorkspaceFleet(stack, 'Fleet', { directory, bundle, users: ['bob', 'carol'] });
    const template = Template.fromStack(stack);
    const [[bundleId, resource]] = Object.entries(template.findResources('Custom::WorkspaceCustomBundle'));
    const [imageId] = Object.keys(template.findResources('Custom::WorkspaceImage'));
    expect(resource.Properties).toEqual({
      ServiceToken: expect.anything(),
      BundleName: 'golden-standard',
      BundleDescription: 'Made by cdk-workspaces',
      ImageId: { 'Fn::GetAtt': [imageId, 'ImageId'] },
      ComputeTypeName: 'STANDARD',
      RootVolumeSizeGib: 80,
      UserVolumeSizeGib: 100,
    });
    template.hasResourceProperties('Custom::Workspace', { UserName: 'alice', BundleId: { 'Fn::GetAtt': [bundleId, 'BundleId'] } });
    const alice = Object.values(template.findResources('Custom::Workspace')).find((r: Json) => r.Properties.UserName === 'alice') as Json;
    expect(alice.Properties.BundleName).toBeUndefined();
    template.hasResourceProperties('Custom::WorkspaceFleet', { BundleId: { 'Fn::GetAtt': [bundleId, 'BundleId'] } });
  });

  test.each([
    [{ rootVolumeSize: Size.gibibytes(90) }, /Golden\/Bundle: Invalid rootVolumeSize 90 GiB: root volume must be 80 or 100 GiB, or 175 to 2000 GiB/],
    [{ userVolumeSize: Size.mebibytes(1500) }, /Invalid userVolumeSize "1500 MiB": must be a whole number of GiB/],
    [{ rootVolumeSize: Size.gibibytes(175), userVolumeSize: Size.gibibytes(50) }, /Invalid rootVolumeSize\/userVolumeSize "175\/50 GiB": a root volume of 175 GiB or more needs a user volume of at least 100 GiB/],
    [{ bundleName: 'golden standard' }, /Invalid bundleName "golden standard": must be 1 to 64 characters/],
    [{ description: 'x'.repeat(256) }, /Invalid description "x+…" \(256 characters\): must be 1 to 255 characters/],
    [{ computeType: ComputeType.of('standard') }, /Invalid computeType "standard": must be a compute type name in upper case/],
  ])('refuses %j at synth time, naming the construct, the prop, the value with its unit and the rule', (override, message) => {
    const { stack } = builderStack();
    const image = WorkspaceImage.fromImageId(stack, 'Image', 'wsi-123456789');
    expect(() => new CustomWorkspaceBundle(stack, 'Bundle', {
      image, bundleName: 'golden', computeType: ComputeType.STANDARD, ...override,
    })).toThrow(message);
  });

  test('the provider may change and delete only bundles that carry this stack\'s ownership tag', () => {
    const { stack } = builderStack();
    new CustomWorkspaceBundle(stack, 'Bundle', {
      image: WorkspaceImage.fromImageId(stack, 'Image', 'wsi-123456789'),
      bundleName: 'golden',
      computeType: ComputeType.STANDARD,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const [create] = statements(stack, 'workspaces:CreateWorkspaceBundle');
    expect(Object.keys(create.Condition.StringLike)).toEqual(['aws:RequestTag/cdk-workspaces:owner']);
    const [del] = statements(stack, 'workspaces:DeleteWorkspaceBundle');
    expect(Object.keys(del.Condition.StringLike)).toEqual(['aws:ResourceTag/cdk-workspaces:owner']);
    const [resource] = Object.values(Template.fromStack(stack).findResources('Custom::WorkspaceCustomBundle'));
    expect(resource.DeletionPolicy).toBe('Retain');
  });
});
