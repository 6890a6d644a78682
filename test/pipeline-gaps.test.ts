import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Workspace, WorkspaceBundle, WorkspaceFleet, WorkspaceProvider, WorkspacesDirectory } from '../src';

// What a platform team's pipeline trips over at synth time (issue 24, points 6 and 8): each
// becomes a clear error, a dependency, or a setting of the provider.

const DIRECTORY_ID = 'd-1234567890';
const BUNDLE = WorkspaceBundle.fromBundleId('wsb-12345678');

function newStack(app = new App(), id = 'Desks'): Stack {
  return new Stack(app, id, { env: { account: '111122223333', region: 'eu-west-1' } });
}

/** The logical ids each resource of this type depends on. */
function dependsOn(stack: Stack, type: string): string[][] {
  return Object.values(Template.fromStack(stack).findResources(type)).map((r) => (r.DependsOn ?? []) as string[]);
}

describe('Workspace.fromUserName of a user whose WorkSpace the same app creates', () => {
  test('the lookup waits for the Workspace declared before it', () => {
    const stack = newStack();
    const directory = WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID);
    const alice = new Workspace(stack, 'Alice', { directory, bundle: BUNDLE, userName: 'alice' });
    Workspace.fromUserName(stack, 'AliceAgain', { directory, userName: 'ALICE' });
    const aliceId = stack.getLogicalId(alice.node.defaultChild!.node.defaultChild as any);
    expect(dependsOn(stack, 'Custom::WorkspaceLookup')).toEqual([expect.arrayContaining([aliceId])]);
  });

  test('and for one declared after it', () => {
    const stack = newStack();
    const directory = WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID);
    Workspace.fromUserName(stack, 'AliceEarly', { directory, userName: 'alice' });
    const alice = new Workspace(stack, 'Alice', { directory, bundle: BUNDLE, userName: 'alice' });
    const aliceId = stack.getLogicalId(alice.node.defaultChild!.node.defaultChild as any);
    expect(dependsOn(stack, 'Custom::WorkspaceLookup')).toEqual([expect.arrayContaining([aliceId])]);
  });

  test('and for a member of a fleet', () => {
    const stack = newStack();
    const directory = WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID);
    const fleet = new WorkspaceFleet(stack, 'Team', { directory, bundle: BUNDLE, users: ['bob'] });
    Workspace.fromUserName(stack, 'Bob', { directory, userName: 'bob' });
    const fleetId = stack.getLogicalId(fleet.node.defaultChild as any);
    expect(dependsOn(stack, 'Custom::WorkspaceLookup')).toEqual([expect.arrayContaining([fleetId])]);
  });

  test('in another stack of the app: that stack is deployed first', () => {
    const app = new App();
    const desks = newStack(app, 'Desks');
    const ops = newStack(app, 'Ops');
    new Workspace(desks, 'Alice', { directory: WorkspacesDirectory.fromDirectoryId(desks, 'Directory', DIRECTORY_ID), bundle: BUNDLE, userName: 'alice' });
    Workspace.fromUserName(ops, 'Alice', { directory: WorkspacesDirectory.fromDirectoryId(ops, 'Directory', DIRECTORY_ID), userName: 'alice' });
    app.synth();
    expect(ops.dependencies.map((s) => s.stackName)).toEqual(['Desks']);
  });

  test('a user the app does not declare is looked up without a dependency', () => {
    const stack = newStack();
    const directory = WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID);
    new Workspace(stack, 'Alice', { directory, bundle: BUNDLE, userName: 'alice' });
    Workspace.fromUserName(stack, 'Carol', { directory, userName: 'carol' });
    expect(dependsOn(stack, 'Custom::WorkspaceLookup')).toEqual([[]]);
  });
});

describe('a fleet without users', () => {
  test.each([
    ['users: []', { users: [] }],
    ['no users and no addUser()', {}],
  ])('%s fails the synthesis, naming the fleet, the prop and the rule', (_name, users) => {
    const stack = newStack();
    new WorkspaceFleet(stack, 'Team', { directory: WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID), bundle: BUNDLE, ...users });
    expect(() => Template.fromStack(stack)).toThrow(/Desks\/Team[\s\S]*Invalid users \[\]: a fleet needs at least one user; give them in users, or add them with addUser\(\)/);
  });

  test('users added with addUser() are enough', () => {
    const stack = newStack();
    const fleet = new WorkspaceFleet(stack, 'Team', { directory: WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID), bundle: BUNDLE, users: [] });
    fleet.addUser('alice');
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});

describe('the subnets error of a VPC made in the app', () => {
  test('names the subnets by construct path and says the zones are chosen at deployment, never ${Token[...]}', () => {
    const stack = new Stack(new App(), 'Desks');
    // Environment-agnostic: the subnet ids and their zones are tokens.
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2,
      subnetConfiguration: [
        { name: 'desks', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        { name: 'servers', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });
    let message = '';
    try {
      new WorkspacesDirectory(stack, 'Directory', { directoryId: DIRECTORY_ID, vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).not.toContain('${Token');
    expect(message).toMatch(/^Desks\/Directory: Invalid vpcSubnets: it selects 4 subnets \(the subnet Desks\/Vpc\/desksSubnet1 \(an Availability Zone chosen at deployment\), /);
    expect(message).toContain('WorkSpaces need exactly two subnets, in different Availability Zones');
  });
});

describe('WorkspaceProvider.configure', () => {
  function logGroups(stack: Stack): Array<Record<string, unknown>> {
    return Object.values(Template.fromStack(stack).findResources('AWS::Logs::LogGroup')).map((r) => r.Properties);
  }

  test('by default every function of the provider logs to a log group that keeps logs for a year', () => {
    const stack = newStack();
    new Workspace(stack, 'Alice', { directory: WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID), bundle: BUNDLE, userName: 'alice' });
    const groups = logGroups(stack);
    expect(groups.length).toBeGreaterThanOrEqual(3);
    expect(groups.map((g) => g.RetentionInDays)).toEqual(groups.map(() => 365));
    // Each function names its log group, none is left to Lambda's own (which never expires).
    const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThanOrEqual(3);
    for (const fn of functions) {
      expect(fn.Properties.LoggingConfig?.LogGroup).toBeDefined();
    }
    expect(Object.keys(Template.fromStack(stack).findResources('Custom::LogRetention'))).toEqual([]);
  });

  test('sets the retention, and puts every function of the provider in the VPC\'s subnets with the security groups', () => {
    const stack = newStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
    });
    const securityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Egress', 'sg-0123456789abcdef0');
    const provider = WorkspaceProvider.configure(stack, { logRetention: logs.RetentionDays.ONE_MONTH, vpc, securityGroups: [securityGroup] });
    new Workspace(stack, 'Alice', { directory: WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID), bundle: BUNDLE, userName: 'alice' });
    expect(WorkspaceProvider.getOrCreate(stack)).toBe(provider);
    expect(logGroups(stack).map((g) => g.RetentionInDays)).toEqual(logGroups(stack).map(() => 30));
    const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThanOrEqual(3);
    for (const fn of functions) {
      expect(fn.Properties.VpcConfig).toEqual({
        SubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
        SecurityGroupIds: ['sg-0123456789abcdef0'],
      });
    }
  });

  test('after the provider exists it fails, naming the stack and the construct the provider was made for', () => {
    const stack = newStack();
    new Workspace(stack, 'Alice', { directory: WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID), bundle: BUNDLE, userName: 'alice' });
    expect(() => WorkspaceProvider.configure(stack, { logRetention: logs.RetentionDays.ONE_MONTH })).toThrow(
      'Desks: Invalid WorkspaceProvider.configure(): the provider of stack Desks exists already (created for Desks/Alice); '
      + 'call configure() before the first construct of cdk-workspaces in the stack, and only once');
  });

  test('subnets or security groups without a VPC fail', () => {
    const stack = newStack();
    expect(() => WorkspaceProvider.configure(stack, { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }))
      .toThrow('Desks (WorkspaceProvider.configure): Invalid vpcSubnets: it applies to the functions in `vpc`, which is not given; give the VPC too');
  });

  test('the roles are reachable, for grants the provider needs beyond its own', () => {
    const stack = newStack();
    const provider = WorkspaceProvider.configure(stack, {});
    provider.onEventRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: ['arn:aws:kms:eu-west-1:111122223333:key/1234'] }));
    const onEventRoleId = stack.getLogicalId(provider.onEventRole.node.defaultChild as any);
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === onEventRoleId));
    expect(JSON.stringify(policies)).toContain('kms:Decrypt');
    expect(provider.isCompleteRole).not.toBe(provider.onEventRole);
  });
});
