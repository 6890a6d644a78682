import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { decide as simulate, handlerPolicies, requestTags, Role } from './simulated-iam';
import { ownershipMarking } from '../../lambda/core/ownership';
import { ConnectionAlias, ConnectionAliasAssociation, StandbyWorkspace, Workspace, WorkspacesDirectory } from '../../src';
import { OWNERSHIP_TAG_KEY } from '../../src/private/rules';

// The handlers' roles of a stack with an alias association and a standby, as synthesized, against
// concrete requests (an IAM policy simulator that applies AWS's evaluation logic).

type Json = any;

const ACCOUNT = '123456789012';
const REGION = 'us-west-2';
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Secondary/0b9f8a70-5e2d-11ef-9c4b-0a1b2c3d4e5f`;
const OTHER_STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Other/7e57ab1e-0000-4000-8000-000000000001`;
const ENV = { stackId: STACK_ID, account: ACCOUNT, region: REGION };
const arn = (resource: string, region = REGION) => `arn:aws:workspaces:${region}:${ACCOUNT}:${resource}`;

let policies: Record<Role, Json[]>;
beforeAll(() => {
  const app = new App();
  const primary = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const stack = new Stack(app, 'Secondary', { env: { account: ACCOUNT, region: REGION } });
  const directory = WorkspacesDirectory.fromDirectoryId(stack, 'Directory', 'd-2234567890');
  new ConnectionAliasAssociation(stack, 'Association', { alias: ConnectionAlias.fromAliasId(stack, 'Alias', 'wsca-abcd1234'), directory });
  new StandbyWorkspace(stack, 'Standby', { primary: Workspace.fromWorkspaceId(primary, 'Alice', 'ws-primary01'), directory });
  policies = handlerPolicies(Template.fromStack(stack).toJSON(), ENV);
});

const decide = (role: Role, action: string, resource: string, context: Record<string, string | string[]> = {}) =>
  simulate(policies[role], ENV, action, resource, context);

test('both roles may associate and disassociate the declared alias with the declared directory, and no other', async () => {
  for (const role of ['onEvent', 'isComplete'] as const) {
    for (const action of ['workspaces:AssociateConnectionAlias', 'workspaces:DisassociateConnectionAlias']) {
      expect(await decide(role, action, arn('connectionalias/wsca-abcd1234'))).toBe('Allowed');
      expect(await decide(role, action, arn('connectionalias/wsca-other000'))).toBe('ImplicitlyDenied');
    }
    // AssociateConnectionAlias is also authorized on the directory (DisassociateConnectionAlias names none).
    expect(await decide(role, 'workspaces:AssociateConnectionAlias', arn('directory/d-2234567890'))).toBe('Allowed');
    expect(await decide(role, 'workspaces:AssociateConnectionAlias', arn('directory/d-9999999999'))).toBe('ImplicitlyDenied');
    expect(await decide(role, 'workspaces:DescribeConnectionAliases', '*')).toBe('Allowed');
  }
});

test('onEvent may create a standby only with this stack\'s ownership tag; isComplete may not create one', async () => {
  const ours = requestTags({ [OWNERSHIP_TAG_KEY]: ownershipMarking(STACK_ID, 'Standby1A2B3C4D', 'r-1', 'created') });
  const theirs = requestTags({ [OWNERSHIP_TAG_KEY]: ownershipMarking(OTHER_STACK_ID, 'Standby1A2B3C4D', 'r-1', 'created') });
  const action = 'workspaces:CreateStandbyWorkspaces';
  expect(await decide('onEvent', action, arn('workspace/ws-new98765'), ours)).toBe('Allowed');
  // The primary, in its own Region.
  expect(await decide('onEvent', action, arn('workspace/ws-primary01', 'us-east-1'), ours)).toBe('Allowed');
  expect(await decide('onEvent', action, arn('directory/d-2234567890'), ours)).toBe('Allowed');
  expect(await decide('onEvent', action, arn('directory/d-9999999999'), ours)).toBe('ImplicitlyDenied');
  expect(await decide('onEvent', action, arn('workspace/ws-new98765'), theirs)).toBe('ImplicitlyDenied');
  expect(await decide('onEvent', action, arn('workspace/ws-new98765'))).toBe('ImplicitlyDenied');
  expect(await decide('isComplete', action, arn('workspace/ws-new98765'), ours)).toBe('ImplicitlyDenied');
});
