// WorkspacesDirectory's Custom::WorkspacesDirectory through the real bundled handlers against the
// local endpoint: a directory that exists in Directory Service but is not registered is
// registered by the L2, then a WorkSpace is created in it. The runner (runner.ts) acts on
// WorkSpaces only, so the directory's requests are driven here as the Provider framework would
// (onEvent, then isComplete until done), in the order CloudFormation takes from the WorkSpace's
// DependsOn. Ends with an inventory check. Needs the bundle: `npx projen bundle` first.
import { DescribeWorkspaceDirectoriesCommand, WorkspaceDirectory, WorkSpacesClient } from '@aws-sdk/client-workspaces';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadBundledHandlers } from './runner';
import { BUNDLE_ID, expectInventory, HeldClock, Scenario, startScenario } from './scenario-helpers';
import { Tenancy, Workspace, WorkspaceBundle, WorkspacesDirectory } from '../../src';

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
  const out = await new WorkSpacesClient({}).send(new DescribeWorkspaceDirectoriesCommand({ DirectoryIds: [DIRECTORY_ID] }));
  return out.Directories![0];
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
