import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { decide, handlerPolicies, requestTags, Role } from './simulated-iam';
import { ownershipMarking } from '../../lambda/core/ownership';
import { IpAccessControlGroup, Workspace, WorkspaceBundle, WorkspaceProvider, WorkspacesDirectory } from '../../src';
import { OWNERSHIP_TAG_KEY } from '../../src/private/rules';

// The roles of a stack that registers one directory (with an IP access control group) and
// creates a WorkSpace in another, imported one, evaluated with the IAM simulator. Which actions
// take which resources is the Service Authorization Reference's (Amazon WorkSpaces: the
// `directoryid` and `workspaceipgroup` resource types; AWS Directory Service: `directory`).

type Json = any;

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Desks/0b9f8a70-5e2d-11ef-9c4b-0a1b2c3d4e5f`;
const ENV = { stackId: STACK_ID, account: ACCOUNT, region: REGION };
const REGISTERED = 'd-2234567890';
const IMPORTED = 'd-1234567890';
const ELSEWHERE = 'd-9999999999';
const IP_GROUP = 'wsipg-12345678';
const OTHER_IP_GROUP = 'wsipg-99999999';
const workspaces = (resource: string) => `arn:aws:workspaces:${REGION}:${ACCOUNT}:${resource}`;
const ds = (directoryId: string) => `arn:aws:ds:${REGION}:${ACCOUNT}:directory/${directoryId}`;

/**
 * Every WorkSpaces action that the Service Authorization Reference lets a policy scope to a
 * directory (resource type `directoryid`), and every Directory Service action on a `directory`
 * that registration involves.
 */
const WORKSPACES_DIRECTORY_ACTIONS = ['AssociateConnectionAlias', 'AssociateIpGroups', 'CreateConnectClientAddIn',
  'CreateStandbyWorkspaces', 'CreateWorkspaces', 'CreateWorkspacesPool', 'DeleteClientBranding', 'DeleteConnectClientAddIn',
  'DeregisterWorkspaceDirectory', 'DescribeClientBranding', 'DescribeClientProperties', 'DescribeConnectClientAddIns',
  'DirectoryAccessManagement', 'DisassociateIpGroups', 'ImportClientBranding', 'ModifyCertificateBasedAuthProperties',
  'ModifyClientProperties', 'ModifyEndpointEncryptionMode', 'ModifySamlProperties', 'ModifySelfservicePermissions',
  'ModifyStreamingProperties', 'ModifyWorkspaceAccessProperties', 'ModifyWorkspaceCreationProperties',
  'RegisterWorkspaceDirectory', 'Stream', 'UpdateConnectClientAddIn'];
const DS_ACTIONS = ['AuthorizeApplication', 'UnauthorizeApplication', 'UpdateAuthorizedApplication', 'DeleteDirectory',
  'ResetUserPassword', 'ShareDirectory', 'UpdateSettings'];

function synthesize(options: { vpc?: boolean } = {}): Record<Role, Json[]> {
  const stack = new Stack(new App(), 'Desks', { env: { account: ACCOUNT, region: REGION } });
  if (options.vpc) {
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
    });
    WorkspaceProvider.configure(stack, { vpc });
  }
  const registered = new WorkspacesDirectory(stack, 'Registered', { directoryId: REGISTERED, ipGroups: [IpAccessControlGroup.fromGroupId(stack, 'Office', IP_GROUP)] });
  new Workspace(stack, 'Alice', { directory: registered, bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' });
  new Workspace(stack, 'Bob', {
    directory: WorkspacesDirectory.fromDirectoryId(stack, 'Imported', IMPORTED),
    bundle: WorkspaceBundle.fromName('Standard with Windows 10 (Server 2022 based)'),
    userName: 'bob',
  });
  return handlerPolicies(Template.fromStack(stack).toJSON(), ENV);
}

describe.each([
  ['a provider with the defaults', false],
  ['a provider in a VPC', true],
])('%s', (_name, vpc) => {
  const policies = synthesize({ vpc });
  const may = (role: Role, action: string, resource: string, context: Record<string, string | string[]> = {}) =>
    decide(policies[role], ENV, action, resource, context);

  test('onEvent and isComplete may register and deregister the declared directory, and no other', async () => {
    for (const role of ['onEvent', 'isComplete'] as const) {
      for (const action of ['workspaces:RegisterWorkspaceDirectory', 'workspaces:DeregisterWorkspaceDirectory']) {
        expect([role, action, await may(role, action, workspaces(`directory/${REGISTERED}`))]).toEqual([role, action, 'Allowed']);
        expect([role, action, await may(role, action, workspaces(`directory/${ELSEWHERE}`))]).toEqual([role, action, 'ImplicitlyDenied']);
        expect([role, action, await may(role, action, workspaces(`directory/${IMPORTED}`))]).toEqual([role, action, 'ImplicitlyDenied']);
      }
    }
  });

  test('isComplete may change the declared directory\'s settings, and no other directory\'s', async () => {
    for (const action of ['ModifySelfservicePermissions', 'ModifyWorkspaceCreationProperties', 'ModifyWorkspaceAccessProperties']) {
      expect([action, await may('isComplete', `workspaces:${action}`, workspaces(`directory/${REGISTERED}`))]).toEqual([action, 'Allowed']);
      expect([action, await may('isComplete', `workspaces:${action}`, workspaces(`directory/${ELSEWHERE}`))]).toEqual([action, 'ImplicitlyDenied']);
      expect([action, await may('onEvent', `workspaces:${action}`, workspaces(`directory/${REGISTERED}`))]).toEqual([action, 'ImplicitlyDenied']);
    }
  });

  test('isComplete may associate the declared IP group with the declared directory, and nothing else', async () => {
    const action = 'workspaces:AssociateIpGroups';
    expect(await may('isComplete', action, workspaces(`directory/${REGISTERED}`))).toBe('Allowed');
    expect(await may('isComplete', action, workspaces(`workspaceipgroup/${IP_GROUP}`))).toBe('Allowed');
    expect(await may('isComplete', action, workspaces(`workspaceipgroup/${OTHER_IP_GROUP}`))).toBe('ImplicitlyDenied');
    expect(await may('isComplete', action, workspaces(`directory/${ELSEWHERE}`))).toBe('ImplicitlyDenied');
  });

  test('isComplete may disassociate a group that is no longer declared, only from the declared directory', async () => {
    const action = 'workspaces:DisassociateIpGroups';
    expect(await may('isComplete', action, workspaces(`directory/${REGISTERED}`))).toBe('Allowed');
    expect(await may('isComplete', action, workspaces(`workspaceipgroup/${OTHER_IP_GROUP}`))).toBe('Allowed');
    expect(await may('isComplete', action, workspaces(`directory/${ELSEWHERE}`))).toBe('ImplicitlyDenied');
  });

  test('both may authorize and unauthorize WorkSpaces as an application of the declared directory only', async () => {
    for (const role of ['onEvent', 'isComplete'] as const) {
      for (const action of ['ds:AuthorizeApplication', 'ds:UnauthorizeApplication']) {
        expect([role, action, await may(role, action, ds(REGISTERED))]).toEqual([role, action, 'Allowed']);
        expect([role, action, await may(role, action, ds(ELSEWHERE))]).toEqual([role, action, 'ImplicitlyDenied']);
      }
    }
  });

  // The Service Authorization Reference gives CreateTags, DeleteTags and DescribeTags no resource
  // type (so "*", not the directory's ARN): the tag keys are what the conditions can limit.
  test('isComplete may tag the registration with the declared tags and read them, never with a key cdk-workspaces reserves', async () => {
    expect(await may('isComplete', 'workspaces:DescribeTags', '*')).toBe('Allowed');
    expect(await may('isComplete', 'workspaces:CreateTags', '*', requestTags({ 'team': 'desk', 'cost-center': 'cc-1' }))).toBe('Allowed');
    expect(await may('isComplete', 'workspaces:DeleteTags', '*', { 'aws:TagKeys': ['cost-center'] })).toBe('Allowed');
    expect(await may('isComplete', 'workspaces:CreateTags', '*', requestTags({ team: 'desk', [OWNERSHIP_TAG_KEY]: 'x' }))).toBe('ExplicitlyDenied');
    expect(await may('onEvent', 'workspaces:CreateTags', '*', requestTags({ team: 'desk' }))).toBe('ImplicitlyDenied');
  });

  test('isComplete may describe directories (a List action without resource-level permissions)', async () => {
    expect(await may('isComplete', 'workspaces:DescribeWorkspaceDirectories', '*')).toBe('Allowed');
  });

  test('no directory action of WorkSpaces or Directory Service is allowed on a directory the stack does not declare', async () => {
    const allowed: string[] = [];
    for (const role of ['onEvent', 'isComplete'] as const) {
      for (const action of WORKSPACES_DIRECTORY_ACTIONS) {
        const context = action === 'CreateWorkspaces'
          ? requestTags({ [OWNERSHIP_TAG_KEY]: ownershipMarking(STACK_ID, 'Alice', 'c0ffee00-1111-2222-3333-444455556666', 'created') })
          : {};
        if (await may(role, `workspaces:${action}`, workspaces(`directory/${ELSEWHERE}`), context) !== 'ImplicitlyDenied') {
          allowed.push(`${role} workspaces:${action}`);
        }
      }
      for (const action of DS_ACTIONS) {
        if (await may(role, `ds:${action}`, ds(ELSEWHERE)) !== 'ImplicitlyDenied') {
          allowed.push(`${role} ds:${action}`);
        }
      }
    }
    expect(allowed).toEqual([]);
  });

  test('the only directory actions on the declared directories are the ones the handlers call', async () => {
    const allowed: string[] = [];
    for (const role of ['onEvent', 'isComplete'] as const) {
      for (const action of WORKSPACES_DIRECTORY_ACTIONS.filter((a) => a !== 'CreateWorkspaces')) {
        for (const directoryId of [REGISTERED, IMPORTED]) {
          if (await may(role, `workspaces:${action}`, workspaces(`directory/${directoryId}`)) === 'Allowed') {
            allowed.push(`${role} ${action} ${directoryId}`);
          }
        }
      }
    }
    expect(allowed.sort()).toEqual([
      `isComplete AssociateIpGroups ${REGISTERED}`,
      `isComplete DeregisterWorkspaceDirectory ${REGISTERED}`,
      `isComplete DisassociateIpGroups ${REGISTERED}`,
      `isComplete ModifySelfservicePermissions ${REGISTERED}`,
      `isComplete ModifyWorkspaceAccessProperties ${REGISTERED}`,
      `isComplete ModifyWorkspaceCreationProperties ${REGISTERED}`,
      `isComplete RegisterWorkspaceDirectory ${REGISTERED}`,
      `onEvent DeregisterWorkspaceDirectory ${REGISTERED}`,
      `onEvent RegisterWorkspaceDirectory ${REGISTERED}`,
    ]);
  });
});
