import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Decision, decide as simulate, handlerPolicies, requestTags, resourceTags, Role } from './simulated-iam';
import { ownershipMarking } from '../../lambda/core/ownership';
import { Workspace, WorkspaceBundle } from '../../src';
import { OWNERSHIP_TAG_KEY } from '../../src/private/rules';
import { directory as importedDirectory } from '../directories';

// The handlers' roles, as synthesized, evaluated against concrete requests by an IAM policy
// simulator that applies AWS's evaluation logic (explicit deny over allow, condition operators
// and set operators, wildcards, actions that support no resource-level permissions). The
// template's intrinsics are resolved the way CloudFormation would for one concrete stack.

type Json = any;

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const STACK_UUID = '0b9f8a70-5e2d-11ef-9c4b-0a1b2c3d4e5f';
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Desks/${STACK_UUID}`;
const OTHER_STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Other/7e57ab1e-0000-4000-8000-000000000001`;
const DIRECTORY = 'd-1234567890';
const BUNDLE = 'wsb-12345678';
const ENCRYPTED_BUNDLE = 'wsb-23456789';

const ours = ownershipMarking(STACK_ID, 'AliceD4D33764', 'c0ffee00-1111-2222-3333-444455556666', 'created');
const oursAdopted = ownershipMarking(STACK_ID, 'BobC0FFEE00', 'c0ffee00-1111-2222-3333-444455556667', 'adopted');
const theirs = ownershipMarking(OTHER_STACK_ID, 'AliceD4D33764', 'c0ffee00-1111-2222-3333-444455556666', 'created');

const arn = (resource: string) => `arn:aws:workspaces:${REGION}:${ACCOUNT}:${resource}`;
const WORKSPACE = arn('workspace/ws-abc12345');
const NEW_WORKSPACE = arn('workspace/ws-new98765');

const ENV = { stackId: STACK_ID, account: ACCOUNT, region: REGION };
let policies: Record<Role, Json[]>;
beforeAll(() => {
  policies = synthesizePolicies();
});

/** Evaluates one request against a handler role's policies. */
function decide(role: Role, action: string, resource: string, context: Record<string, string | string[]> = {}): Promise<Decision> {
  return simulate(policies[role], ENV, action, resource, context);
}

/** CreateWorkspaces is authorized once per resource it names: the WorkSpace, its directory and its bundle. */
async function createWorkspaces(role: Role, directory: string, bundle: string, tags: Record<string, string>): Promise<Decision[]> {
  const context = requestTags(tags);
  return Promise.all([
    decide(role, 'workspaces:CreateWorkspaces', NEW_WORKSPACE, context),
    decide(role, 'workspaces:CreateWorkspaces', arn(`directory/${directory}`), context),
    // A custom bundle of this account. (Amazon's public bundles have an empty account field,
    // which the policy's `*` also matches, but which the simulator does not take as an ARN.)
    decide(role, 'workspaces:CreateWorkspaces', arn(`workspacebundle/${bundle}`), context),
  ]);
}

describe('the onEvent role', () => {
  test('may describe WorkSpaces and their tags (no resource-level permissions: "*")', async () => {
    expect(await decide('onEvent', 'workspaces:DescribeWorkspaces', '*')).toBe('Allowed');
    expect(await decide('onEvent', 'workspaces:DescribeTags', '*')).toBe('Allowed');
  });

  test('may create a WorkSpace in a declared directory from a declared bundle, marked as this stack\'s', async () => {
    expect(await createWorkspaces('onEvent', DIRECTORY, BUNDLE, { team: 'desk', [OWNERSHIP_TAG_KEY]: ours })).toEqual(['Allowed', 'Allowed', 'Allowed']);
    expect(await createWorkspaces('onEvent', DIRECTORY, ENCRYPTED_BUNDLE, { [OWNERSHIP_TAG_KEY]: ours })).toEqual(['Allowed', 'Allowed', 'Allowed']);
  });

  test('may not create a WorkSpace without this stack\'s ownership tag', async () => {
    expect(await createWorkspaces('onEvent', DIRECTORY, BUNDLE, { team: 'desk' })).not.toContain('Allowed');
    expect(await createWorkspaces('onEvent', DIRECTORY, BUNDLE, { [OWNERSHIP_TAG_KEY]: theirs })).not.toContain('Allowed');
    expect(await createWorkspaces('onEvent', DIRECTORY, BUNDLE, { [OWNERSHIP_TAG_KEY]: `x${ours}` })).not.toContain('Allowed');
  });

  test('may not create a WorkSpace in an undeclared directory or from an undeclared bundle', async () => {
    const tags = { [OWNERSHIP_TAG_KEY]: ours };
    expect((await createWorkspaces('onEvent', 'd-0000000000', BUNDLE, tags))[1]).toBe('ImplicitlyDenied');
    expect((await createWorkspaces('onEvent', DIRECTORY, 'wsb-99999999', tags))[2]).toBe('ImplicitlyDenied');
  });

  test('may terminate only WorkSpaces that carry this stack\'s ownership tag, created or adopted', async () => {
    expect(await decide('onEvent', 'workspaces:TerminateWorkspaces', WORKSPACE, resourceTags({ [OWNERSHIP_TAG_KEY]: ours }))).toBe('Allowed');
    expect(await decide('onEvent', 'workspaces:TerminateWorkspaces', WORKSPACE, resourceTags({ [OWNERSHIP_TAG_KEY]: oursAdopted }))).toBe('Allowed');
    expect(await decide('onEvent', 'workspaces:TerminateWorkspaces', WORKSPACE, resourceTags({ [OWNERSHIP_TAG_KEY]: theirs }))).toBe('ImplicitlyDenied');
    expect(await decide('onEvent', 'workspaces:TerminateWorkspaces', WORKSPACE, resourceTags({ team: 'desk' }))).toBe('ImplicitlyDenied');
    expect(await decide('onEvent', 'workspaces:TerminateWorkspaces', WORKSPACE)).toBe('ImplicitlyDenied');
  });

  test('may not modify a WorkSpace\'s properties, not even one of this stack (isComplete does that)', async () => {
    expect(await decide('onEvent', 'workspaces:ModifyWorkspaceProperties', WORKSPACE, resourceTags({ [OWNERSHIP_TAG_KEY]: ours }))).toBe('ImplicitlyDenied');
  });

  test('may mark an adopted WorkSpace with this stack\'s ownership tag, and nothing else', async () => {
    expect(await decide('onEvent', 'workspaces:CreateTags', '*', requestTags({ [OWNERSHIP_TAG_KEY]: oursAdopted }))).toBe('Allowed');
    expect(await decide('onEvent', 'workspaces:CreateTags', '*', requestTags({ [OWNERSHIP_TAG_KEY]: theirs }))).toBe('ImplicitlyDenied');
    expect(await decide('onEvent', 'workspaces:CreateTags', '*', requestTags({ [OWNERSHIP_TAG_KEY]: oursAdopted, team: 'desk' }))).toBe('ImplicitlyDenied');
    expect(await decide('onEvent', 'workspaces:CreateTags', '*', requestTags({ team: 'desk' }))).toBe('ImplicitlyDenied');
    expect(await decide('onEvent', 'workspaces:CreateTags', '*')).toBe('ImplicitlyDenied');
  });

  test('may release a WorkSpace (remove the ownership tag), and remove no other tag', async () => {
    expect(await decide('onEvent', 'workspaces:DeleteTags', '*', { 'aws:TagKeys': [OWNERSHIP_TAG_KEY] })).toBe('Allowed');
    expect(await decide('onEvent', 'workspaces:DeleteTags', '*', { 'aws:TagKeys': [OWNERSHIP_TAG_KEY, 'team'] })).toBe('ImplicitlyDenied');
    expect(await decide('onEvent', 'workspaces:DeleteTags', '*', { 'aws:TagKeys': ['team'] })).toBe('ImplicitlyDenied');
    expect(await decide('onEvent', 'workspaces:DeleteTags', '*')).toBe('ImplicitlyDenied');
  });
});

describe('the isComplete role', () => {
  test('may describe WorkSpaces and their tags', async () => {
    expect(await decide('isComplete', 'workspaces:DescribeWorkspaces', '*')).toBe('Allowed');
    expect(await decide('isComplete', 'workspaces:DescribeTags', '*')).toBe('Allowed');
  });

  test('may add, change and remove the declared tags', async () => {
    expect(await decide('isComplete', 'workspaces:CreateTags', '*', requestTags({ team: 'desk', cost: 'cc-1' }))).toBe('Allowed');
    expect(await decide('isComplete', 'workspaces:DeleteTags', '*', { 'aws:TagKeys': ['team'] })).toBe('Allowed');
  });

  test('can never add, change or remove the ownership tag: an explicit deny, whatever the case of the key', async () => {
    expect(await decide('isComplete', 'workspaces:CreateTags', '*', requestTags({ [OWNERSHIP_TAG_KEY]: ours }))).toBe('ExplicitlyDenied');
    expect(await decide('isComplete', 'workspaces:CreateTags', '*', requestTags({ team: 'desk', [OWNERSHIP_TAG_KEY]: ours }))).toBe('ExplicitlyDenied');
    expect(await decide('isComplete', 'workspaces:CreateTags', '*', requestTags({ 'CDK-Workspaces:Owner': ours }))).toBe('ExplicitlyDenied');
    expect(await decide('isComplete', 'workspaces:DeleteTags', '*', { 'aws:TagKeys': [OWNERSHIP_TAG_KEY] })).toBe('ExplicitlyDenied');
    expect(await decide('isComplete', 'workspaces:DeleteTags', '*', { 'aws:TagKeys': ['team', OWNERSHIP_TAG_KEY] })).toBe('ExplicitlyDenied');
  });

  test('may modify and terminate only WorkSpaces that carry this stack\'s ownership tag', async () => {
    for (const action of ['workspaces:ModifyWorkspaceProperties', 'workspaces:TerminateWorkspaces']) {
      expect(await decide('isComplete', action, WORKSPACE, resourceTags({ [OWNERSHIP_TAG_KEY]: ours }))).toBe('Allowed');
      expect(await decide('isComplete', action, WORKSPACE, resourceTags({ [OWNERSHIP_TAG_KEY]: oursAdopted }))).toBe('Allowed');
      expect(await decide('isComplete', action, WORKSPACE, resourceTags({ [OWNERSHIP_TAG_KEY]: theirs }))).toBe('ImplicitlyDenied');
      expect(await decide('isComplete', action, WORKSPACE, resourceTags({ team: 'desk' }))).toBe('ImplicitlyDenied');
    }
  });

  test('may not create WorkSpaces', async () => {
    expect(await createWorkspaces('isComplete', DIRECTORY, BUNDLE, { [OWNERSHIP_TAG_KEY]: ours })).not.toContain('Allowed');
  });
});

test('each marking a handler writes fits the stack\'s pattern: the policies are resolved for this stack', () => {
  // The condition values are the resolved template's, not strings copied from the code.
  const conditions = JSON.stringify(policies.onEvent);
  expect(conditions).toContain(`"${STACK_UUID}/*"`);
  expect(ours.startsWith(`${STACK_UUID}/`)).toBe(true);
});

/** The handlers' policies of a stack with two WorkSpaces, resolved for STACK_ID. */
function synthesizePolicies(): Record<Role, Json[]> {
  const stack = new Stack(new App(), 'Desks', { env: { account: ACCOUNT, region: REGION } });
  new Workspace(stack, 'Alice', { directory: importedDirectory(DIRECTORY), bundle: WorkspaceBundle.fromBundleId(BUNDLE), userName: 'alice' });
  new Workspace(stack, 'Bob', { directory: importedDirectory(DIRECTORY), bundle: WorkspaceBundle.fromBundleId(ENCRYPTED_BUNDLE), userName: 'bob', adoptExisting: true });
  return handlerPolicies(Template.fromStack(stack).toJSON(), ENV);
}
