import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { decide, handlerPolicies, requestTags, Role } from './simulated-iam';
import { ownershipMarking } from '../../lambda/core/ownership';
import { Workspace, WorkspaceBundle, WorkspacesDirectory } from '../../src';
import { OWNERSHIP_TAG_KEY } from '../../src/private/rules';

// Issue 12's IAM: the pre-flight's Describe actions for onEvent and nothing more, and what a
// bundle chosen by name does to CreateWorkspaces' resources. Evaluated with the IAM simulator
// on the synthesized policies, resolved for one concrete stack (see provider-policies.test.ts).

type Json = any;

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Desks/0b9f8a70-5e2d-11ef-9c4b-0a1b2c3d4e5f`;
const ENV = { stackId: STACK_ID, account: ACCOUNT, region: REGION };
const arn = (resource: string) => `arn:aws:workspaces:${REGION}:${ACCOUNT}:${resource}`;
const ours = ownershipMarking(STACK_ID, 'AliceD4D33764', 'c0ffee00-1111-2222-3333-444455556666', 'created');

function policiesOf(bundle: WorkspaceBundle): Record<Role, Json[]> {
  const stack = new Stack(new App(), 'Desks', { env: { account: ACCOUNT, region: REGION } });
  const directory = WorkspacesDirectory.fromDirectoryId(stack, 'Directory', 'd-1234567890');
  new Workspace(stack, 'Alice', { directory, bundle, userName: 'alice' });
  return handlerPolicies(Template.fromStack(stack).toJSON(), ENV);
}

const byId = policiesOf(WorkspaceBundle.fromBundleId('wsb-12345678'));
const byName = policiesOf(WorkspaceBundle.fromName('Standard with Windows 10 (Server 2022 based)'));

describe('the pre-flight\'s reads', () => {
  test.each(['workspaces:DescribeWorkspaceDirectories', 'workspaces:DescribeWorkspaceBundles'])('onEvent may call %s (a List action: "*")', async (action) => {
    expect(await decide(byId.onEvent, ENV, action, '*')).toBe('Allowed');
  });

  test('isComplete may not describe directories: it never creates', async () => {
    expect(await decide(byId.isComplete, ENV, 'workspaces:DescribeWorkspaceDirectories', '*')).toBe('ImplicitlyDenied');
  });

  test('no other directory or bundle action is granted: registering, modifying or deleting them is not the provider\'s', async () => {
    for (const action of ['RegisterWorkspaceDirectory', 'DeregisterWorkspaceDirectory', 'ModifyWorkspaceCreationProperties',
      'ModifySelfservicePermissions', 'CreateWorkspaceBundle', 'DeleteWorkspaceBundle', 'UpdateWorkspaceBundle']) {
      for (const role of ['onEvent', 'isComplete'] as const) {
        expect([action, role, await decide(byName[role], ENV, `workspaces:${action}`, '*')]).toEqual([action, role, 'ImplicitlyDenied']);
      }
    }
  });
});

describe('CreateWorkspaces and the bundle', () => {
  const context = requestTags({ [OWNERSHIP_TAG_KEY]: ours });

  test('declared by id: only that bundle', async () => {
    expect(await decide(byId.onEvent, ENV, 'workspaces:CreateWorkspaces', arn('workspacebundle/wsb-12345678'), context)).toBe('Allowed');
    expect(await decide(byId.onEvent, ENV, 'workspaces:CreateWorkspaces', arn('workspacebundle/wsb-99999999'), context)).toBe('ImplicitlyDenied');
  });

  test('declared by name: any bundle (its id is known only at deploy time), still only in the declared directory and with the marking', async () => {
    expect(await decide(byName.onEvent, ENV, 'workspaces:CreateWorkspaces', arn('workspacebundle/wsb-99999999'), context)).toBe('Allowed');
    expect(await decide(byName.onEvent, ENV, 'workspaces:CreateWorkspaces', arn('directory/d-0000000000'), context)).toBe('ImplicitlyDenied');
    expect(await decide(byName.onEvent, ENV, 'workspaces:CreateWorkspaces', arn('workspacebundle/wsb-99999999'), {})).toBe('ImplicitlyDenied');
  });
});
