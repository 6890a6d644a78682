// WorkspacesDirectory's Custom::WorkspacesDirectory through the real bundled handlers against the
// local endpoint: a directory that exists in Directory Service but is not registered is
// registered by the L2, then a WorkSpace is created in it. The first tests drive the directory's
// requests by hand, as the Provider framework would (onEvent, then isComplete until done), in the
// order CloudFormation takes from the WorkSpace's DependsOn; the later ones deploy whole stacks
// through the runner, which then sends the directory to the handlers too (issue 19: removed
// settings, refused adoption, tags), with rollbacks. Each ends with an inventory check.
// Needs the bundle: `npx projen bundle` first.
import { DescribeWorkspaceDirectoriesCommand, WorkspaceDirectory, WorkSpacesClient } from '@aws-sdk/client-workspaces';
import { App, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DeployedResource, DeployResult, FLEET_TYPE, LocalStack, loadBundledHandlers, WORKSPACE_TYPE } from './runner';
import { BUNDLE_ID, expectInventory, HeldClock, Scenario, startScenario } from './scenario-helpers';
import { DIRECTORY_RESOURCE_TYPE } from '../../lambda/resources/directory/directory';
import { DeviceType, Tenancy, Workspace, WorkspaceBundle, WorkspacesDirectory, WorkspacesDirectoryProps } from '../../src';
import { Caller, handlerPolicies, iamAuthorizer } from '../iam/simulated-iam';

type Json = any;

const DIRECTORY_ID = 'd-0000000042';
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/Registered/0b9f8a70-5e2d-11ef-9c4b-0a1b2c3d4e5f';

let scenario: Scenario | undefined;

afterEach(async () => {
  await scenario?.stop();
  scenario = undefined;
});

function app(): Json {
  const stack = new Stack(new App(), 'Registered');
  const directory = new WorkspacesDirectory(stack, 'Directory', {
    directoryId: DIRECTORY_ID,
    enableSelfService: true,
    selfservicePermissions: { rebuildWorkspace: true },
    userEnabledAsLocalAdministrator: true,
    tenancy: Tenancy.SHARED,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  new Workspace(stack, 'Alice', {
    directory,
    bundle: WorkspaceBundle.fromBundleId(BUNDLE_ID),
    userName: 'alice',
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return Template.fromStack(stack).toJSON();
}

/** The directory as the endpoint describes it (the SDK reads the endpoint from the environment). */
async function describeDirectory(): Promise<WorkspaceDirectory> {
  // The test looks as the account's administrator, whom the handlers' authorizer does not know.
  const authorize = scenario?.endpoint.authorize;
  if (scenario) scenario.endpoint.authorize = undefined;
  try {
    const out = await new WorkSpacesClient({}).send(new DescribeWorkspaceDirectoriesCommand({ DirectoryIds: [DIRECTORY_ID] }));
    return out.Directories![0];
  } finally {
    if (scenario) scenario.endpoint.authorize = authorize;
  }
}

/** CloudFormation passes a custom resource's booleans and numbers as strings. */
function asCloudFormationPasses(value: Json): Json {
  if (Array.isArray(value)) return value.map(asCloudFormationPasses);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asCloudFormationPasses(v)]));
  return typeof value === 'boolean' || typeof value === 'number' ? String(value) : value;
}

/**
 * One request of the directory's custom resource, onEvent then isComplete until done, as the
 * Provider framework runs it; `polled` learns of each poll's answer.
 */
async function runDirectory(template: Json, requestType: 'Create' | 'Delete', physicalResourceId?: string, polled?: (done: Json) => void): Promise<Json> {
  const [logicalId, resource] = Object.entries<Json>(template.Resources).find(([, r]) => r.Type === 'Custom::WorkspacesDirectory')!;
  const handlers = loadBundledHandlers(() => undefined);
  const context = { awsRequestId: 'r', getRemainingTimeInMillis: () => 300_000 };
  const event = {
    RequestType: requestType,
    StackId: STACK_ID,
    LogicalResourceId: logicalId,
    RequestId: 'c0ffee00-1111-2222-3333-444455556666',
    ResourceType: resource.Type,
    PhysicalResourceId: physicalResourceId,
    ResourceProperties: asCloudFormationPasses({ ...resource.Properties, ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:p' }),
  };
  const started = await handlers.onEvent(event, context);
  for (let poll = 0; poll < 100; poll++) {
    const done = await handlers.isComplete({ ...event, ...started }, context);
    polled?.(done);
    if (done.IsComplete) {
      return { ...started, polls: poll + 1, Data: { ...started.Data, ...done.Data } };
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the directory request did not complete in 100 polls');
}

test('WorkspacesDirectory registers a directory, a WorkSpace is created in it after the registration, and DESTROY deregisters it', async () => {
  // Registration (and a WorkSpace's creation) takes 1 s on the endpoint's clock: long enough to be seen.
  const clock = new HeldClock();
  scenario = await startScenario({ timing: { pendingMs: 1_000 }, clock: clock.now });
  const { endpoint, stack } = scenario;
  // In Directory Service, not registered with WorkSpaces.
  endpoint.addDirectory(DIRECTORY_ID, { State: 'DEREGISTERED' });
  const template = app();
  const [directoryLogicalId] = Object.keys(template.Resources).filter((id) => template.Resources[id].Type === 'Custom::WorkspacesDirectory');
  const [aliceLogicalId] = Object.keys(template.Resources).filter((id) => template.Resources[id].Type === 'Custom::Workspace');
  expect(template.Resources[aliceLogicalId].DependsOn).toContain(directoryLogicalId);

  // CloudFormation creates the directory first (the WorkSpace depends on it).
  // The endpoint's clock stands still until the first poll has answered, so that a loaded machine's
  // slow onEvent cannot let the registration end before anyone looked.
  let polls = 0;
  clock.holdUntil(() => polls > 0);
  const registered = await runDirectory(template, 'Create', undefined, () => polls++);
  expect(registered.PhysicalResourceId).toBe(DIRECTORY_ID);
  // It waited for REGISTERING to end on the endpoint's clock.
  expect(registered.polls).toBeGreaterThan(1);
  expect(registered.Data).toMatchObject({ DirectoryId: DIRECTORY_ID, State: 'REGISTERED', RegistrationCode: expect.stringMatching(/^SLiad\+/) });
  const directory = await describeDirectory();
  expect(directory).toMatchObject({
    State: 'REGISTERED',
    Tenancy: 'SHARED',
    SelfservicePermissions: { RestartWorkspace: 'ENABLED', RebuildWorkspace: 'ENABLED', IncreaseVolumeSize: 'DISABLED' },
    WorkspaceCreationProperties: { UserEnabledAsLocalAdministrator: true, EnableInternetAccess: false, EnableMaintenanceMode: true },
  });

  const deployed = await stack.deploy(template);
  expect(deployed.ok).toBe(true);
  expectInventory(endpoint, { stack, template });
  const log = endpoint.callLog().map((c) => c.operation);
  expect(log.indexOf('RegisterWorkspaceDirectory')).toBeLessThan(log.indexOf('CreateWorkspaces'));
  expect(endpoint.inventory().map((w) => [w.DirectoryId, w.UserName])).toEqual([[DIRECTORY_ID, 'alice']]);

  // Stack deletion: the WorkSpace goes first (it depends on the directory), then the registration.
  expect((await stack.destroy()).ok).toBe(true);
  await runDirectory(template, 'Delete', DIRECTORY_ID);
  expect((await describeDirectory()).State).toBe('DEREGISTERED');
  expect(endpoint.callLog().filter((c) => c.operation === 'DeregisterWorkspaceDirectory').map((c) => c.status)).toEqual([200]);
  expectInventory(endpoint, { stack });
}, 60_000);

test('a directory registered already is adopted, and its Delete leaves it registered', async () => {
  scenario = await startScenario();
  const { endpoint } = scenario;
  endpoint.addDirectory(DIRECTORY_ID);
  const template = app();

  const adopted = await runDirectory(template, 'Create');
  expect(adopted.PhysicalResourceId).toBe(`${DIRECTORY_ID}/adopted`);
  await runDirectory(template, 'Delete', adopted.PhysicalResourceId);

  const calls = endpoint.callLog().map((c) => c.operation);
  expect(calls).not.toContain('RegisterWorkspaceDirectory');
  expect(calls).not.toContain('DeregisterWorkspaceDirectory');
  expect((await describeDirectory()).State).toBe('REGISTERED');
}, 60_000);

// ---------------------------------------------------------------- whole stacks through the runner

/** What DescribeWorkspaceDirectories shows a registration that was never told a setting. */
const SERVICE_ACCESS = {
  DeviceTypeWindows: 'ALLOW',
  DeviceTypeOsx: 'ALLOW',
  DeviceTypeWeb: 'DENY',
  DeviceTypeIos: 'ALLOW',
  DeviceTypeAndroid: 'ALLOW',
  DeviceTypeChromeOs: 'ALLOW',
  DeviceTypeZeroClient: 'ALLOW',
  DeviceTypeLinux: 'DENY',
  DeviceTypeWorkSpacesThinClient: 'DENY',
};
const CHANGING = ['RegisterWorkspaceDirectory', 'DeregisterWorkspaceDirectory', 'ModifySelfservicePermissions',
  'ModifyWorkspaceCreationProperties', 'ModifyWorkspaceAccessProperties', 'CreateTags', 'DeleteTags', 'CreateWorkspaces', 'TerminateWorkspaces'];

const KEYS = { onEvent: 'AKIADIRONEVENT', isComplete: 'AKIADIRISCOMPLETE' };

/** The runner sends the directory to the handlers as well as the WorkSpaces; each handler signs as its own role. */
async function startStack(faults: { forceErrorForUser?: string } = {}): Promise<Scenario> {
  const resourceTypes = [WORKSPACE_TYPE, FLEET_TYPE, DIRECTORY_RESOURCE_TYPE];
  scenario = await startScenario({ faults, accessKeyIds: KEYS, stackOptions: { resourceTypes } });
  return scenario;
}

/** Deploys with every handler call authorized as IAM would, by the policies this template gives the handlers' roles. */
async function deployAuthorized(s: Scenario, template: Json): Promise<DeployResult> {
  const env = { stackId: s.stack.stackId, account: '123456789012', region: 'us-east-1' };
  const policies = handlerPolicies(template, env);
  s.endpoint.authorize = iamAuthorizer(new Map<string, Caller>([
    [KEYS.onEvent, { env, policies: policies.onEvent }],
    [KEYS.isComplete, { env, policies: policies.isComplete }],
  ]));
  const result = await s.stack.deploy(template);
  expect(s.endpoint.callLog().filter((c) => c.errorType === 'AccessDeniedException')).toEqual([]);
  return result;
}

interface AppSpec {
  readonly directory?: Partial<WorkspacesDirectoryProps>;
  readonly tags?: Record<string, string>;
  readonly users?: readonly string[];
  readonly vpcSubnets?: readonly string[];
}

/** A registered directory (DESTROY) with these settings and tags, and a WorkSpace of each user in it. */
function directoryApp(spec: AppSpec = {}): Json {
  const stack = new Stack(new App(), 'Registered', { env: { account: '123456789012', region: 'us-east-1' } });
  const vpc = spec.vpcSubnets && ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    privateSubnetIds: [...spec.vpcSubnets],
  });
  const directory = new WorkspacesDirectory(stack, 'Directory', {
    directoryId: DIRECTORY_ID,
    removalPolicy: RemovalPolicy.DESTROY,
    vpc,
    ...spec.directory,
  });
  for (const [key, value] of Object.entries(spec.tags ?? {})) {
    Tags.of(directory).add(key, value);
  }
  for (const user of spec.users ?? ['alice']) {
    new Workspace(stack, user, { directory, bundle: WorkspaceBundle.fromBundleId(BUNDLE_ID), userName: user, removalPolicy: RemovalPolicy.DESTROY });
  }
  return Template.fromStack(stack).toJSON();
}

/** The stack's WorkSpaces match the template (expectInventory looks at WorkSpaces only). */
function expectWorkspaces(s: Scenario, template?: Json): void {
  const workspaces = new Map([...s.stack.resources].filter(([, r]) => r.type === WORKSPACE_TYPE || r.type === FLEET_TYPE));
  const view = { stackId: s.stack.stackId, resources: workspaces as ReadonlyMap<string, DeployedResource> } as LocalStack;
  expectInventory(s.endpoint, { stack: view, template });
}

function changingCalls(s: Scenario, since = 0): string[] {
  return s.endpoint.callLog().slice(since).filter((c) => c.status === 200 && CHANGING.includes(c.operation)).map((c) => c.operation);
}

describe('a setting removed from the app goes back to the service\'s default (issue 19)', () => {
  const before: AppSpec = {
    directory: { allowedDeviceTypes: [DeviceType.WINDOWS, DeviceType.WEB, DeviceType.LINUX], selfservicePermissions: { rebuildWorkspace: true } },
    tags: { 'team': 'desk', 'cost-center': 'cc-1' },
  };
  const after: AppSpec = { tags: { team: 'floor' } };
  const declaredAccess = {
    ...Object.fromEntries(Object.keys(SERVICE_ACCESS).map((k) => [k, 'DENY'])),
    DeviceTypeWindows: 'ALLOW',
    DeviceTypeWeb: 'ALLOW',
    DeviceTypeLinux: 'ALLOW',
  };

  test('forward: the device types and the permission go back to the service\'s, the removed tag goes, the changed one changes', async () => {
    const s = await startStack();
    s.endpoint.addDirectory(DIRECTORY_ID, { State: 'DEREGISTERED' });
    expect(await deployAuthorized(s, directoryApp(before))).toMatchObject({ ok: true });
    expect(await describeDirectory()).toMatchObject({ WorkspaceAccessProperties: declaredAccess, SelfservicePermissions: { RebuildWorkspace: 'ENABLED' } });
    expect(s.endpoint.directoryTags(DIRECTORY_ID)).toEqual({ 'team': 'desk', 'cost-center': 'cc-1' });

    const template = directoryApp(after);
    expect(await deployAuthorized(s, template)).toMatchObject({ ok: true });
    expect(await describeDirectory()).toMatchObject({ WorkspaceAccessProperties: SERVICE_ACCESS, SelfservicePermissions: { RebuildWorkspace: 'DISABLED' } });
    expect(s.endpoint.directoryTags(DIRECTORY_ID)).toEqual({ team: 'floor' });
    expectWorkspaces(s, template);
  }, 60_000);

  test('when another resource of the same deployment fails, the rollback declares the settings and tags again', async () => {
    const s = await startStack({ forceErrorForUser: 'bob' });
    s.endpoint.addDirectory(DIRECTORY_ID, { State: 'DEREGISTERED' });
    const first = directoryApp(before);
    expect(await deployAuthorized(s, first)).toMatchObject({ ok: true });

    // The directory's update runs first (bob's WorkSpace depends on it); bob's then fails.
    const failed = await deployAuthorized(s, directoryApp({ ...after, users: ['alice', 'bob'] }));
    expect(failed).toMatchObject({ ok: false, rolledBack: true });
    expect(failed.reason).toMatch(/^bob[0-9A-F]{8}: /);
    expect(failed.operations.filter((o) => o.logicalId.startsWith('Directory')).map((o) => [o.operation, o.ok])).toEqual([['Update', true], ['Update', true]]);
    expect(await describeDirectory()).toMatchObject({ WorkspaceAccessProperties: declaredAccess, SelfservicePermissions: { RebuildWorkspace: 'ENABLED' } });
    expect(s.endpoint.directoryTags(DIRECTORY_ID)).toEqual({ 'team': 'desk', 'cost-center': 'cc-1' });
    expectWorkspaces(s, first);
  }, 60_000);

  test('a custom security group cannot go back to none: the update is refused before anything changes, and its rollback completes', async () => {
    const s = await startStack();
    s.endpoint.addDirectory(DIRECTORY_ID, { State: 'DEREGISTERED' });
    const withGroup = (stack: Stack) => ec2.SecurityGroup.fromSecurityGroupId(stack, 'Group', 'sg-0123456789abcdef0');
    const stackWith = (group: boolean): Json => {
      const stack = new Stack(new App(), 'Registered', { env: { account: '123456789012', region: 'us-east-1' } });
      new WorkspacesDirectory(stack, 'Directory', { directoryId: DIRECTORY_ID, customSecurityGroup: group ? withGroup(stack) : undefined });
      return Template.fromStack(stack).toJSON();
    };
    expect(await deployAuthorized(s, stackWith(true))).toMatchObject({ ok: true });
    const mark = s.endpoint.callLog().length;

    const refused = await deployAuthorized(s, stackWith(false));
    expect(refused).toMatchObject({ ok: false, rolledBack: true });
    expect(refused.reason).toContain('customSecurityGroup (WorkspaceCreationProperties.CustomSecurityGroupId, now "sg-0123456789abcdef0") was '
      + `removed from the declaration, but directory ${DIRECTORY_ID} cannot go back to none`);
    expect(changingCalls(s, mark)).toEqual([]);
    expect((await describeDirectory()).WorkspaceCreationProperties?.CustomSecurityGroupId).toBe('sg-0123456789abcdef0');
  }, 60_000);
});

describe('a directory registered before the stack is adopted only with the declared subnets and tenancy (issue 19)', () => {
  // The endpoint seeds a registered directory with subnet-0a1b2c02 and subnet-0a1b2c03 (its second directory).
  const SEEDED_SUBNETS = ['subnet-0a1b2c02', 'subnet-0a1b2c03'];

  test('other subnets: refused before anything changes, naming both; the rollback leaves it registered, and no WorkSpace is made', async () => {
    const s = await startStack();
    s.endpoint.addDirectory(DIRECTORY_ID);
    expect((await describeDirectory()).SubnetIds).toEqual(SEEDED_SUBNETS);
    const refused = await deployAuthorized(s, directoryApp({ vpcSubnets: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'], tags: { team: 'desk' } }));
    expect(refused).toMatchObject({ ok: false, rolledBack: true });
    expect(refused.reason).toContain(`directory ${DIRECTORY_ID} is REGISTERED with WorkSpaces already, and vpcSubnets (SubnetIds) declares `
      + `subnet-0aaaaaaaaaaaaaaa1, subnet-0aaaaaaaaaaaaaaa2, but the registration has ${SEEDED_SUBNETS.join(', ')}`);
    expect(changingCalls(s)).toEqual([]);
    expect(await describeDirectory()).toMatchObject({ State: 'REGISTERED', SubnetIds: SEEDED_SUBNETS });
    expect(s.endpoint.directoryTags(DIRECTORY_ID)).toEqual({});
    expectWorkspaces(s);
  }, 60_000);

  test('another tenancy: refused the same way', async () => {
    const s = await startStack();
    s.endpoint.addDirectory(DIRECTORY_ID, { Tenancy: 'DEDICATED' });
    const refused = await deployAuthorized(s, directoryApp());
    expect(refused).toMatchObject({ ok: false, rolledBack: true });
    expect(refused.reason).toContain('tenancy (Tenancy) declares SHARED (the default), but the registration has DEDICATED');
    expect(changingCalls(s)).toEqual([]);
    expect(await describeDirectory()).toMatchObject({ State: 'REGISTERED', Tenancy: 'DEDICATED' });
  }, 60_000);

  test('the declared subnets and tenancy: adopted and tagged; when a WorkSpace of the deployment fails, the rollback leaves it registered', async () => {
    const s = await startStack({ forceErrorForUser: 'bob' });
    s.endpoint.addDirectory(DIRECTORY_ID, { Tenancy: 'DEDICATED' });
    const template = directoryApp({ vpcSubnets: [...SEEDED_SUBNETS].reverse(), directory: { tenancy: Tenancy.DEDICATED }, tags: { team: 'desk' } });
    expect(await deployAuthorized(s, template)).toMatchObject({ ok: true });
    expect(s.endpoint.directoryTags(DIRECTORY_ID)).toEqual({ team: 'desk' });
    expectWorkspaces(s, template);

    // A second, failing deployment from scratch: a new stack adopts it, bob fails, the rollback deletes the adoption.
    s.endpoint.authorize = undefined;
    const other = new LocalStack({ stackName: 'Other', pollIntervalMs: 20, resourceTypes: [WORKSPACE_TYPE, FLEET_TYPE, DIRECTORY_RESOURCE_TYPE] });
    const failed = await other.deploy(directoryApp({ vpcSubnets: SEEDED_SUBNETS, directory: { tenancy: Tenancy.DEDICATED }, users: ['bob'] }));
    expect(failed).toMatchObject({ ok: false, rolledBack: true });
    expect(failed.reason).toMatch(/^bob[0-9A-F]{8}: /);
    expect(failed.operations.filter((o) => o.logicalId.startsWith('Directory')).map((o) => [o.operation, o.ok, o.physicalId]))
      .toEqual([['Create', true, `${DIRECTORY_ID}/adopted`], ['Delete', true, `${DIRECTORY_ID}/adopted`]]);
    expect(s.endpoint.callLog().map((c) => c.operation)).not.toContain('DeregisterWorkspaceDirectory');
    expect(await describeDirectory()).toMatchObject({ State: 'REGISTERED', Tenancy: 'DEDICATED' });
  }, 60_000);
});
