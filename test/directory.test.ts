import { App, CfnParameter, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DEVICE_TYPES, SERVICE_DEFAULTS } from '../lambda/parse';
import { BundleOwner, DeviceType, IpAccessControlGroup, Tenancy, Workspace, WorkspaceBundle, WorkspacesDirectory } from '../src';

const DIRECTORY_ID = 'd-1234567890';

function newStack(): Stack {
  return new Stack(new App(), 'Desks', { env: { account: '111122223333', region: 'eu-west-1' } });
}

/** A VPC whose subnets are known at synth time: two private subnets in two zones, and a third zone's. */
function vpcIn(stack: Stack, zones: string[], subnetIds: string[]): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: zones,
    privateSubnetIds: subnetIds,
  });
}

function directoryResource(stack: Stack): { Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string } {
  const all = Object.values(Template.fromStack(stack).findResources('Custom::WorkspacesDirectory'));
  expect(all).toHaveLength(1);
  return all[0] as { Properties: Record<string, unknown> };
}

/** The registration's properties, without the provider's service token. */
function directoryProperties(stack: Stack): Record<string, unknown> {
  const { ServiceToken, ...properties } = directoryResource(stack).Properties;
  expect(ServiceToken).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^cdkworkspacesWorkspaceProvider/), 'Arn'] });
  return properties;
}

describe('WorkspacesDirectory: the template', () => {
  test('with only the directory id: registers it with the safe defaults', () => {
    const stack = newStack();
    new WorkspacesDirectory(stack, 'Directory', { directoryId: DIRECTORY_ID });
    expect(directoryProperties(stack)).toEqual({
      DirectoryId: DIRECTORY_ID,
      EnableSelfService: false,
      SelfservicePermissions: {
        RestartWorkspace: 'ENABLED',
        IncreaseVolumeSize: 'DISABLED',
        ChangeComputeType: 'DISABLED',
        SwitchRunningMode: 'DISABLED',
        RebuildWorkspace: 'DISABLED',
      },
      WorkspaceCreationProperties: {
        EnableInternetAccess: false,
        EnableMaintenanceMode: true,
        UserEnabledAsLocalAdministrator: false,
      },
    });
  });

  test('the registration outlives the stack by default, as its WorkSpaces do; DESTROY deregisters', () => {
    const kept = newStack();
    new WorkspacesDirectory(kept, 'Directory', { directoryId: DIRECTORY_ID });
    expect(directoryResource(kept)).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const destroyed = newStack();
    new WorkspacesDirectory(destroyed, 'Directory', { directoryId: DIRECTORY_ID, removalPolicy: RemovalPolicy.DESTROY });
    expect(directoryResource(destroyed)).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  test('every prop reaches its property', () => {
    const stack = newStack();
    const vpc = vpcIn(stack, ['eu-west-1a', 'eu-west-1b'], ['subnet-aaaa1111', 'subnet-bbbb2222']);
    const group = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Group', 'sg-0123456789abcdef0');
    const role = iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::111122223333:role/workspace-instance');
    new WorkspacesDirectory(stack, 'Directory', {
      directoryId: DIRECTORY_ID,
      vpc,
      selfservicePermissions: {
        restartWorkspace: false, increaseVolumeSize: true, changeComputeType: true, switchRunningMode: true, rebuildWorkspace: true,
      },
      enableSelfService: true,
      defaultOu: 'OU=WorkSpaces,DC=corp,DC=example,DC=com',
      customSecurityGroup: group,
      enableInternetAccess: true,
      enableMaintenanceMode: false,
      userEnabledAsLocalAdministrator: true,
      instanceRole: role,
      ipGroups: [IpAccessControlGroup.fromGroupId(stack, 'Office', 'wsipg-12345678')],
      allowedDeviceTypes: [DeviceType.WINDOWS, DeviceType.OSX, DeviceType.WEB],
      tenancy: Tenancy.DEDICATED,
    });
    expect(directoryProperties(stack)).toEqual({
      DirectoryId: DIRECTORY_ID,
      SubnetIds: ['subnet-aaaa1111', 'subnet-bbbb2222'],
      EnableSelfService: true,
      SelfservicePermissions: {
        RestartWorkspace: 'DISABLED',
        IncreaseVolumeSize: 'ENABLED',
        ChangeComputeType: 'ENABLED',
        SwitchRunningMode: 'ENABLED',
        RebuildWorkspace: 'ENABLED',
      },
      WorkspaceCreationProperties: {
        DefaultOu: 'OU=WorkSpaces,DC=corp,DC=example,DC=com',
        CustomSecurityGroupId: 'sg-0123456789abcdef0',
        EnableInternetAccess: true,
        EnableMaintenanceMode: false,
        UserEnabledAsLocalAdministrator: true,
        InstanceIamRoleArn: 'arn:aws:iam::111122223333:role/workspace-instance',
      },
      IpGroupIds: ['wsipg-12345678'],
      WorkspaceAccessProperties: {
        DeviceTypeWindows: 'ALLOW',
        DeviceTypeOsx: 'ALLOW',
        DeviceTypeWeb: 'ALLOW',
        DeviceTypeLinux: 'DENY',
        DeviceTypeIos: 'DENY',
        DeviceTypeAndroid: 'DENY',
        DeviceTypeChromeOs: 'DENY',
        DeviceTypeZeroClient: 'DENY',
        DeviceTypeWorkSpacesThinClient: 'DENY',
      },
      Tenancy: 'DEDICATED',
    });
  });

  test('vpcSubnets picks two of more subnets', () => {
    const stack = newStack();
    const vpc = vpcIn(stack, ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], ['subnet-aaaa1111', 'subnet-bbbb2222', 'subnet-cccc3333']);
    new WorkspacesDirectory(stack, 'Directory', {
      directoryId: DIRECTORY_ID,
      vpc,
      vpcSubnets: { availabilityZones: ['eu-west-1b', 'eu-west-1c'] },
    });
    expect(directoryProperties(stack).SubnetIds).toEqual(['subnet-bbbb2222', 'subnet-cccc3333']);
  });

  test('the id and ARN are known at synth time', () => {
    const stack = newStack();
    const directory = new WorkspacesDirectory(stack, 'Directory', { directoryId: DIRECTORY_ID });
    expect(directory.directoryId).toBe(DIRECTORY_ID);
    expect(stack.resolve(directory.directoryArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':workspaces:eu-west-1:111122223333:directory/d-1234567890']],
    });
  });
});

describe('WorkspacesDirectory: tags', () => {
  test('Tags.of() on the directory, or on its stack, reaches the registration', () => {
    const stack = newStack();
    const directory = new WorkspacesDirectory(stack, 'Directory', { directoryId: DIRECTORY_ID });
    Tags.of(stack).add('cost-center', 'cc-42');
    Tags.of(directory).add('team', 'desk');
    expect(directoryProperties(stack).Tags).toEqual([{ Key: 'cost-center', Value: 'cc-42' }, { Key: 'team', Value: 'desk' }]);
  });

  test('a reserved key fails at synth time, naming the path, as for a Workspace', () => {
    const stack = newStack();
    const directory = new WorkspacesDirectory(stack, 'Directory', { directoryId: DIRECTORY_ID });
    Tags.of(directory).add('cdk-workspaces:owner', 'mine');
    expect(() => Template.fromStack(stack)).toThrow(
      /\[Desks\/Directory\] Invalid tags "cdk-workspaces:owner": this tag key is reserved by cdk-workspaces/);
  });

  test('51 tags fail at synth time: a directory takes at most 50', () => {
    const stack = newStack();
    const directory = new WorkspacesDirectory(stack, 'Directory', { directoryId: DIRECTORY_ID });
    for (let i = 0; i < 51; i++) Tags.of(directory).add(`k${i}`, 'v');
    expect(() => Template.fromStack(stack)).toThrow(/\[Desks\/Directory\] Invalid tags 51: a directory takes at most 50 tags/);
  });
});

describe('WorkspacesDirectory: the device types and defaults are the handler\'s', () => {
  test('DeviceType names exactly the device types the handler knows', () => {
    expect(Object.values(DeviceType).sort()).toEqual([...DEVICE_TYPES].sort());
  });

  test('the documented defaults of the props are the service\'s, except userEnabledAsLocalAdministrator', () => {
    const stack = newStack();
    new WorkspacesDirectory(stack, 'Directory', { directoryId: DIRECTORY_ID });
    const properties = directoryProperties(stack) as any;
    expect(properties.SelfservicePermissions).toEqual(SERVICE_DEFAULTS.SelfservicePermissions);
    expect(properties.WorkspaceCreationProperties)
      .toEqual({ ...SERVICE_DEFAULTS.WorkspaceCreationProperties, UserEnabledAsLocalAdministrator: false });
  });
});

describe('WorkspacesDirectory: synth-time validation names the path, the prop, the value and the rule', () => {
  test('a directory id that is not one', () => {
    expect(() => new WorkspacesDirectory(newStack(), 'Directory', { directoryId: 'dir-123' }))
      .toThrow(/^Desks\/Directory: Invalid directoryId "dir-123": must match \^d-\[0-9a-f\]\{8,63\}\$/);
  });

  test('fromDirectoryId validates too, naming the path of the construct it would make', () => {
    expect(() => WorkspacesDirectory.fromDirectoryId(newStack(), 'Imported', 'd-ABCDEF1234'))
      .toThrow(/^Desks\/Imported: Invalid directoryId "d-ABCDEF1234"/);
  });

  test('a directory id only known at deploy time is accepted', () => {
    const stack = newStack();
    const id = new CfnParameter(stack, 'DirectoryId').valueAsString;
    expect(() => WorkspacesDirectory.fromDirectoryId(stack, 'Imported', id)).not.toThrow();
  });

  test('three subnets', () => {
    const stack = newStack();
    const vpc = vpcIn(stack, ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], ['subnet-aaaa1111', 'subnet-bbbb2222', 'subnet-cccc3333']);
    expect(() => new WorkspacesDirectory(stack, 'Directory', { directoryId: DIRECTORY_ID, vpc })).toThrow(
      'Desks/Directory: Invalid vpcSubnets: it selects 3 subnets (subnet-aaaa1111 (eu-west-1a), subnet-bbbb2222 (eu-west-1b), '
      + 'subnet-cccc3333 (eu-west-1c)): WorkSpaces need exactly two subnets, in different Availability Zones');
  });

  test('two subnets in one Availability Zone', () => {
    const stack = newStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['eu-west-1a'],
      privateSubnetIds: ['subnet-aaaa1111', 'subnet-aaaa2222'],
      privateSubnetNames: ['one', 'two'],
    });
    expect(() => new WorkspacesDirectory(stack, 'Directory', { directoryId: DIRECTORY_ID, vpc, vpcSubnets: { subnetGroupName: 'one' } }))
      .toThrow(/Invalid vpcSubnets: it selects 1 subnets/);
    const twoInOne = ec2.Vpc.fromVpcAttributes(stack, 'Vpc2', {
      vpcId: 'vpc-0123456789abcdef1',
      availabilityZones: ['eu-west-1a', 'eu-west-1a'],
      privateSubnetIds: ['subnet-aaaa1111', 'subnet-aaaa2222'],
    });
    expect(() => new WorkspacesDirectory(stack, 'Directory2', { directoryId: DIRECTORY_ID, vpc: twoInOne }))
      .toThrow('Desks/Directory2: Invalid vpcSubnets: both subnets (subnet-aaaa1111 (eu-west-1a), subnet-aaaa2222 (eu-west-1a)) are in eu-west-1a');
  });

  test('vpcSubnets without vpc', () => {
    expect(() => new WorkspacesDirectory(newStack(), 'Directory', { directoryId: DIRECTORY_ID, vpcSubnets: {} }))
      .toThrow('Desks/Directory: Invalid vpcSubnets: it selects subnets of `vpc`, which is not given; give the VPC too');
  });

  test('an imported IP group id that is not one', () => {
    expect(() => IpAccessControlGroup.fromGroupId(newStack(), 'Office', 'sg-123'))
      .toThrow(/^Desks\/Office: Invalid groupId "sg-123": must match \^wsipg-/);
  });
});

describe('Workspace with a directory and a bundle', () => {
  test('a WorkSpace of a directory registered in the same stack is created after the registration', () => {
    const stack = newStack();
    const directory = new WorkspacesDirectory(stack, 'Directory', { directoryId: DIRECTORY_ID });
    new Workspace(stack, 'Alice', { directory, bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' });
    const template = Template.fromStack(stack);
    const [directoryLogicalId] = Object.keys(template.findResources('Custom::WorkspacesDirectory'));
    template.hasResource('Custom::Workspace', { DependsOn: Match.arrayWith([directoryLogicalId]) });
  });

  test('a WorkSpace of an imported directory depends on nothing for it', () => {
    const stack = newStack();
    const directory = WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID);
    new Workspace(stack, 'Alice', { directory, bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' });
    const [resource] = Object.values(Template.fromStack(stack).findResources('Custom::Workspace')) as Array<{ DependsOn?: string[] }>;
    expect(resource.DependsOn).toBeUndefined();
  });

  test('a directory registered in another stack makes that stack a dependency', () => {
    const app = new App();
    const env = { account: '111122223333', region: 'eu-west-1' };
    const shared = new Stack(app, 'Shared', { env });
    const desks = new Stack(app, 'Desks', { env });
    const directory = new WorkspacesDirectory(shared, 'Directory', { directoryId: DIRECTORY_ID });
    new Workspace(desks, 'Alice', { directory, bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' });
    expect(app.synth().getStackByName('Desks').dependencies.map((d) => d.id)).toContain('Shared');
  });

  test.each([
    ['by id', WorkspaceBundle.fromBundleId('wsb-12345678'), { BundleId: 'wsb-12345678' }],
    ['by name', WorkspaceBundle.fromName('Standard with Windows 10 (Server 2022 based)'),
      { BundleName: 'Standard with Windows 10 (Server 2022 based)' }],
    ['by name among Amazon\'s', WorkspaceBundle.fromName('Standard with Windows 10 (Server 2022 based)', BundleOwner.AMAZON),
      { BundleName: 'Standard with Windows 10 (Server 2022 based)', BundleOwner: 'AMAZON' }],
    ['by name among the account\'s own', WorkspaceBundle.fromName('Engineering', BundleOwner.ACCOUNT), { BundleName: 'Engineering', BundleOwner: 'ACCOUNT' }],
  ])('the bundle %s reaches the wire as the handler reads it', (_, bundle, wire) => {
    const stack = newStack();
    const directory = WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID);
    new Workspace(stack, 'Alice', { directory, bundle, userName: 'alice' });
    const [resource] = Object.values(Template.fromStack(stack).findResources('Custom::Workspace')) as Array<{ Properties: Record<string, unknown> }>;
    const { BundleId, BundleName, BundleOwner: owner } = resource.Properties;
    expect(JSON.parse(JSON.stringify({ BundleId, BundleName, BundleOwner: owner }))).toEqual(wire);
    expect(resource.Properties.DirectoryId).toBe(DIRECTORY_ID);
  });

  test('a bundle by name lets the handler create from any bundle, since its id is known only at deploy time', () => {
    const stack = newStack();
    const directory = WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID);
    new Workspace(stack, 'Alice', { directory, bundle: WorkspaceBundle.fromName('Engineering'), userName: 'alice' });
    const template = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(template).toContain(':workspaces:eu-west-1:*:workspacebundle/*');
    expect(template).toContain(':workspaces:eu-west-1:111122223333:directory/d-1234567890');
  });

  test('the bundle id attribute reads the resource\'s BundleId', () => {
    const stack = newStack();
    const directory = WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID);
    const ws = new Workspace(stack, 'Alice', { directory, bundle: WorkspaceBundle.fromName('Engineering'), userName: 'alice' });
    expect(stack.resolve(ws.bundleId)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Alice/), 'BundleId'] });
  });

  test('the same user twice in one directory is refused whether the directory is imported or registered in the app', () => {
    const app = new App();
    const one = new Stack(app, 'One');
    const two = new Stack(app, 'Two');
    const registered = new WorkspacesDirectory(one, 'Directory', { directoryId: DIRECTORY_ID });
    const imported = WorkspacesDirectory.fromDirectoryId(two, 'Directory', DIRECTORY_ID);
    const bundle = WorkspaceBundle.fromBundleId('wsb-12345678');
    new Workspace(one, 'Alice', { directory: registered, bundle, userName: 'alice' });
    expect(() => new Workspace(two, 'Alice', { directory: imported, bundle, userName: 'ALICE' }))
      .toThrow(/Two\/Alice: Invalid userName "ALICE": user "ALICE" already has a Workspace in directory d-1234567890 in this app \(One\/Alice\)/);
  });

  test('a directory id only known at deploy time skips the same-user check', () => {
    const stack = newStack();
    const directory = WorkspacesDirectory.fromDirectoryId(stack, 'Directory', new CfnParameter(stack, 'DirectoryId').valueAsString);
    const bundle = WorkspaceBundle.fromBundleId('wsb-12345678');
    new Workspace(stack, 'Alice', { directory, bundle, userName: 'alice' });
    expect(() => new Workspace(stack, 'Alice2', { directory, bundle, userName: 'alice' })).not.toThrow();
  });
});

describe('Workspace.fromUserName', () => {
  test('a read-only lookup through the stack\'s provider, whose WorkspaceId is the imported WorkSpace\'s id', () => {
    const stack = newStack();
    const directory = new WorkspacesDirectory(stack, 'Directory', { directoryId: DIRECTORY_ID });
    const ws = Workspace.fromUserName(stack, 'Bob', { directory, userName: 'bob' });
    const template = Template.fromStack(stack);
    const lookups = template.findResources('Custom::WorkspaceLookup');
    const [logicalId] = Object.keys(lookups);
    expect(lookups[logicalId].Properties).toMatchObject({ DirectoryId: DIRECTORY_ID, UserName: 'bob' });
    expect(lookups[logicalId].DependsOn).toEqual([Object.keys(template.findResources('Custom::WorkspacesDirectory'))[0]]);
    expect(stack.resolve(ws.workspaceId)).toEqual({ 'Fn::GetAtt': [logicalId, 'WorkspaceId'] });
    // One provider per stack serves the lookups too.
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
  });

  test('grants on it name the WorkSpace found at deploy time', () => {
    const stack = newStack();
    const ws = Workspace.fromUserName(stack, 'Bob', { directory: WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID), userName: 'bob' });
    const role = new iam.Role(stack, 'Helpdesk', { assumedBy: new iam.AccountRootPrincipal() });
    ws.grantReboot(role);
    const policy = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    expect(policy).toContain('"Fn::GetAtt":["BobLookup');
  });

  test('an empty user name fails at synth time, naming the path', () => {
    const stack = newStack();
    expect(() => Workspace.fromUserName(stack, 'Nobody', { directory: WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID), userName: '' }))
      .toThrow(/^Desks\/Nobody: Invalid userName "": must be 1 to 63 characters long/);
  });
});

describe('WorkspacesDirectory: the provider\'s permissions', () => {
  const DIRECTORY_ACTIONS = [
    'workspaces:RegisterWorkspaceDirectory',
    'workspaces:DeregisterWorkspaceDirectory',
    'workspaces:ModifySelfservicePermissions',
    'workspaces:ModifyWorkspaceCreationProperties',
    'workspaces:ModifyWorkspaceAccessProperties',
    'workspaces:AssociateIpGroups',
    'workspaces:DisassociateIpGroups',
    'ds:AuthorizeApplication',
    'ds:UnauthorizeApplication',
  ];

  function actionsOf(stack: Stack): string[] {
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')) as any[];
    return policies.flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => s.Effect === 'Allow')
      .flatMap((s: any) => [s.Action].flat());
  }

  test('a stack with a WorkspacesDirectory: its handlers may register, modify and deregister directories', () => {
    const stack = newStack();
    new WorkspacesDirectory(stack, 'Directory', { directoryId: DIRECTORY_ID });
    new WorkspacesDirectory(stack, 'Other', { directoryId: 'd-2234567890' });
    const actions = actionsOf(stack);
    for (const action of DIRECTORY_ACTIONS) {
      expect(actions).toContain(action);
    }
    // Once per stack, however many directories; registration only of the declared ones.
    expect(actions.filter((a) => a === 'workspaces:ModifySelfservicePermissions')).toHaveLength(1);
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')) as any[];
    const register = policies.flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => [s.Action].flat().includes('workspaces:RegisterWorkspaceDirectory'));
    expect(register.length).toBe(2);
    for (const statement of register) {
      expect(JSON.stringify(statement.Resource)).toContain(':directory/d-1234567890');
      expect(JSON.stringify(statement.Resource)).toContain(':directory/d-2234567890');
      expect(JSON.stringify(statement.Resource)).not.toContain('directory/*');
    }
  });

  test('a stack with WorkSpaces of an imported directory gets none of them', () => {
    const stack = newStack();
    new Workspace(stack, 'Alice', {
      directory: WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID),
      bundle: WorkspaceBundle.fromBundleId('wsb-12345678'),
      userName: 'alice',
    });
    const actions = actionsOf(stack);
    expect(actions.length).toBeGreaterThan(0);
    for (const action of DIRECTORY_ACTIONS) {
      expect(actions).not.toContain(action);
    }
  });
});
