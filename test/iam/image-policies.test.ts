import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Decision, decide as simulate, handlerPolicies, requestTags, resourceTags, Role } from './simulated-iam';
import { ownershipMarking } from '../../lambda/core/ownership';
import { ComputeType, CustomWorkspaceBundle, Workspace, WorkspaceBundle, WorkspaceImage } from '../../src';
import { OWNERSHIP_TAG_KEY } from '../../src/private/rules';
import { directory } from '../directories';

// The handlers' roles in a stack with a golden image (captured from a Workspace of the stack and
// from an imported one) and a custom bundle, evaluated by the IAM policy simulator: image and bundle
// actions reach only what this stack captured or made.

type Json = any;

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Golden/0b9f8a70-5e2d-11ef-9c4b-0a1b2c3d4e5f`;
const OTHER_STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Other/7e57ab1e-0000-4000-8000-000000000001`;
const ENV = { stackId: STACK_ID, account: ACCOUNT, region: REGION };
const IMPORTED_SOURCE = 'ws-imported01';

const ours = (logicalId: string) => ownershipMarking(STACK_ID, logicalId, 'c0ffee00-1111-2222-3333-444455556666', 'created');
const theirs = ownershipMarking(OTHER_STACK_ID, 'Golden', 'c0ffee00-1111-2222-3333-444455556666', 'created');
const arn = (resource: string) => `arn:aws:workspaces:${REGION}:${ACCOUNT}:${resource}`;

let policies: Record<Role, Json[]>;
beforeAll(() => {
  const stack = new Stack(new App(), 'Golden', { env: { account: ACCOUNT, region: REGION } });
  const builder = new Workspace(stack, 'Builder', { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'builder' });
  const image = WorkspaceImage.fromWorkspace(stack, 'Image', builder, { imageName: 'golden-1' });
  WorkspaceImage.fromWorkspace(stack, 'Imported', Workspace.fromWorkspaceId(stack, 'Other', IMPORTED_SOURCE), { imageName: 'other-1' });
  new CustomWorkspaceBundle(stack, 'Bundle', { image, bundleName: 'golden', computeType: ComputeType.STANDARD });
  policies = handlerPolicies(Template.fromStack(stack).toJSON(), ENV);
});

function decide(role: Role, action: string, resource: string, context: Record<string, string | string[]> = {}): Promise<Decision> {
  return simulate(policies[role], ENV, action, resource, context);
}

/** CreateWorkspaceImage is authorized on the new image and on the source WorkSpace, each with the request's tags. */
async function capture(source: string, sourceTags: Record<string, string>, tags: Record<string, string>): Promise<Decision[]> {
  const context = requestTags(tags);
  return Promise.all([
    decide('onEvent', 'workspaces:CreateWorkspaceImage', arn('workspaceimage/wsi-new123456'), context),
    decide('onEvent', 'workspaces:CreateWorkspaceImage', arn(`workspace/${source}`), { ...context, ...resourceTags(sourceTags) }),
  ]);
}

describe('images', () => {
  test('onEvent may capture a WorkSpace of this stack, or the imported one, into an image marked as this stack\'s', async () => {
    expect(await capture('ws-builder01', { [OWNERSHIP_TAG_KEY]: ours('Builder') }, { [OWNERSHIP_TAG_KEY]: ours('Image') })).toEqual(['Allowed', 'Allowed']);
    expect(await capture(IMPORTED_SOURCE, {}, { [OWNERSHIP_TAG_KEY]: ours('Imported') })).toEqual(['Allowed', 'Allowed']);
  });

  test('onEvent may not capture another stack\'s or an unmarked WorkSpace, nor make an image without this stack\'s marking', async () => {
    expect((await capture('ws-foreign01', { [OWNERSHIP_TAG_KEY]: theirs }, { [OWNERSHIP_TAG_KEY]: ours('Image') }))[1]).toBe('ImplicitlyDenied');
    expect((await capture('ws-foreign01', {}, { [OWNERSHIP_TAG_KEY]: ours('Image') }))[1]).toBe('ImplicitlyDenied');
    expect((await capture('ws-builder01', { [OWNERSHIP_TAG_KEY]: ours('Builder') }, { [OWNERSHIP_TAG_KEY]: theirs }))[0]).toBe('ImplicitlyDenied');
    expect((await capture('ws-builder01', { [OWNERSHIP_TAG_KEY]: ours('Builder') }, {}))[0]).toBe('ImplicitlyDenied');
  });

  test('both handlers may delete only images marked as this stack\'s; isComplete may capture nothing', async () => {
    for (const role of ['onEvent', 'isComplete'] as const) {
      expect(await decide(role, 'workspaces:DeleteWorkspaceImage', arn('workspaceimage/wsi-abc123456'), resourceTags({ [OWNERSHIP_TAG_KEY]: ours('Image') }))).toBe('Allowed');
      expect(await decide(role, 'workspaces:DeleteWorkspaceImage', arn('workspaceimage/wsi-abc123456'), resourceTags({ [OWNERSHIP_TAG_KEY]: theirs }))).toBe('ImplicitlyDenied');
      expect(await decide(role, 'workspaces:DeleteWorkspaceImage', arn('workspaceimage/wsi-abc123456'))).toBe('ImplicitlyDenied');
      expect(await decide(role, 'workspaces:DescribeWorkspaceImages', '*')).toBe('Allowed');
    }
    expect(await decide('isComplete', 'workspaces:CreateWorkspaceImage', arn('workspaceimage/wsi-new123456'), requestTags({ [OWNERSHIP_TAG_KEY]: ours('Image') }))).toBe('ImplicitlyDenied');
  });
});

describe('custom bundles', () => {
  test('onEvent may create a bundle only marked as this stack\'s', async () => {
    const create = (tags: Record<string, string>) => Promise.all([
      decide('onEvent', 'workspaces:CreateWorkspaceBundle', arn('workspacebundle/wsb-new123456'), requestTags(tags)),
      decide('onEvent', 'workspaces:CreateWorkspaceBundle', arn('workspaceimage/wsi-abc123456'), requestTags(tags)),
    ]);
    expect(await create({ [OWNERSHIP_TAG_KEY]: ours('Bundle') })).toEqual(['Allowed', 'Allowed']);
    expect(await create({ [OWNERSHIP_TAG_KEY]: theirs })).not.toContain('Allowed');
    expect(await create({})).not.toContain('Allowed');
  });

  test('onEvent may point at a new image, and delete, only bundles marked as this stack\'s', async () => {
    for (const action of ['workspaces:UpdateWorkspaceBundle', 'workspaces:DeleteWorkspaceBundle']) {
      expect(await decide('onEvent', action, arn('workspacebundle/wsb-abc123456'), resourceTags({ [OWNERSHIP_TAG_KEY]: ours('Bundle') }))).toBe('Allowed');
      expect(await decide('onEvent', action, arn('workspacebundle/wsb-abc123456'), resourceTags({ [OWNERSHIP_TAG_KEY]: theirs }))).toBe('ImplicitlyDenied');
      expect(await decide('onEvent', action, arn('workspacebundle/wsb-12345678'))).toBe('ImplicitlyDenied');
    }
  });

  test('isComplete may delete only this stack\'s bundles (once their last WorkSpaces are gone), and not create or change any', async () => {
    const bundle = arn('workspacebundle/wsb-abc123456');
    expect(await decide('isComplete', 'workspaces:DeleteWorkspaceBundle', bundle, resourceTags({ [OWNERSHIP_TAG_KEY]: ours('Bundle') }))).toBe('Allowed');
    expect(await decide('isComplete', 'workspaces:DeleteWorkspaceBundle', bundle, resourceTags({ [OWNERSHIP_TAG_KEY]: theirs }))).toBe('ImplicitlyDenied');
    for (const action of ['workspaces:CreateWorkspaceBundle', 'workspaces:UpdateWorkspaceBundle']) {
      expect(await decide('isComplete', action, arn('workspacebundle/wsb-abc123456'), {
        ...requestTags({ [OWNERSHIP_TAG_KEY]: ours('Bundle') }), ...resourceTags({ [OWNERSHIP_TAG_KEY]: ours('Bundle') }),
      })).toBe('ImplicitlyDenied');
    }
  });
});
