// IP access control groups, connection aliases and their association with a directory, deployed as
// one stack through the runner and the real bundled handlers against the local endpoint: the
// runner does CloudFormation's own IP group and alias resources with the calls CloudFormation
// makes (native-resources.ts), and sends the directory, the association and the WorkSpaces to the
// handlers, in CloudFormation's order. Needs the bundle: `npx projen bundle` first.
import { AssociateConnectionAliasCommand, CreateConnectionAliasCommand, DescribeConnectionAliasesCommand, WorkSpacesClient } from '@aws-sdk/client-workspaces';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LocalWorkspaces, startLocalWorkspaces } from './endpoint';
import { nativeWorkspacesResources } from './native-resources';
import { DeployedResource, FLEET_TYPE, LocalStack, loadBundledHandlers, sleep, WORKSPACE_TYPE } from './runner';
import { BUNDLE_ID, expectInventory } from './scenario-helpers';
import { ALIAS_ASSOCIATION_RESOURCE_TYPE } from '../../lambda/resources/alias-association/alias-association';
import { DIRECTORY_RESOURCE_TYPE } from '../../lambda/resources/directory/directory';
import {
  ConnectionAlias,
  ConnectionAliasAssociation,
  IpAccessControlGroup,
  IpRule,
  Workspace,
  WorkspaceBundle,
  WorkspacesDirectory,
} from '../../src';
import { OWNERSHIP_TAG_KEY } from '../../src/private/rules';

type Json = any;

const DIRECTORY_ID = 'd-0000000042';
const CONNECTION_STRING = 'desktop.example.com';

let endpoint: LocalWorkspaces | undefined;

afterEach(async () => {
  await endpoint?.stop();
  endpoint = undefined;
});

interface NetworkScenario {
  readonly endpoint: LocalWorkspaces;
  readonly stack: LocalStack;
  readonly handlerLog: string[];
}

async function start(faults: { forceErrorForUser?: string } = {}): Promise<NetworkScenario> {
  endpoint = await startLocalWorkspaces({ timing: { pendingMs: 300 }, faults, region: 'us-east-1' });
  Object.assign(process.env, endpoint.env(), { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  // In Directory Service, not yet registered with WorkSpaces: the stack registers it.
  endpoint.addDirectory(DIRECTORY_ID, { State: 'DEREGISTERED' });
  const handlerLog: string[] = [];
  const stack = new LocalStack({
    stackName: 'Desktops',
    pollIntervalMs: 20,
    handlers: loadBundledHandlers((line) => handlerLog.push(line)),
    resourceTypes: [WORKSPACE_TYPE, FLEET_TYPE, DIRECTORY_RESOURCE_TYPE, ALIAS_ASSOCIATION_RESOURCE_TYPE],
    nativeResources: nativeWorkspacesResources(endpoint),
  });
  return { endpoint, stack, handlerLog };
}

/** A directory with an IP group, an alias associated with it, and WorkSpaces of these users. */
function app(users: string[]): Json {
  const stack = new Stack(new App(), 'Desktops', { env: { account: '123456789012', region: 'us-east-1' } });
  const office = new IpAccessControlGroup(stack, 'Office', { rules: [IpRule.cidr('203.0.113.0/24', 'office')] });
  const directory = new WorkspacesDirectory(stack, 'Directory', { directoryId: DIRECTORY_ID, ipGroups: [office], removalPolicy: RemovalPolicy.DESTROY });
  new ConnectionAlias(stack, 'Alias', { connectionString: CONNECTION_STRING }).associate(directory);
  for (const user of users) {
    new Workspace(stack, user, { directory, bundle: WorkspaceBundle.fromBundleId(BUNDLE_ID), userName: user, removalPolicy: RemovalPolicy.DESTROY });
  }
  return Template.fromStack(stack).toJSON();
}

function logicalIdOf(template: Json, type: string): string {
  return Object.keys(template.Resources).find((id) => template.Resources[id].Type === type)!;
}

/** The WorkSpaces of the stack match the template (expectInventory looks at WorkSpaces only). */
function expectWorkspaceInventory(scenario: NetworkScenario, template?: Json): void {
  const workspaces = new Map([...scenario.stack.resources].filter(([, r]) => r.type === WORKSPACE_TYPE || r.type === FLEET_TYPE));
  const view = { stackId: scenario.stack.stackId, resources: workspaces as ReadonlyMap<string, DeployedResource> } as LocalStack;
  expectInventory(scenario.endpoint, { stack: view, template });
}

/** Nothing of the network is left: no alias, no IP group, no association. */
function expectNoNetworkResources(e: LocalWorkspaces): void {
  expect(e.aliasInventory()).toEqual([]);
  expect(e.ipGroupInventory()).toEqual([]);
}

test('an IP group, a directory, an alias associated with it and a WorkSpace deploy in order, and go cleanly', async () => {
  const scenario = await start();
  const template = app(['alice']);
  const deployed = await scenario.stack.deploy(template);
  expect(deployed).toMatchObject({ ok: true });

  // The alias is associated with the registered directory, and the stack exposes the association's identifier.
  const [alias] = scenario.endpoint.aliasInventory();
  expect(alias).toMatchObject({
    ConnectionString: CONNECTION_STRING,
    State: 'CREATED',
    Associations: [{ ResourceId: DIRECTORY_ID, AssociationStatus: 'ASSOCIATED_WITH_OWNER_ACCOUNT' }],
  });
  const association = scenario.stack.resources.get(logicalIdOf(template, ALIAS_ASSOCIATION_RESOURCE_TYPE))!;
  expect(association.physicalId).toBe(`${alias.AliasId}/${DIRECTORY_ID}`);
  expect(association.data.ConnectionIdentifier).toBe(alias.Associations![0].ConnectionIdentifier);
  // The association waited for the alias to be CREATED and the directory to be REGISTERED.
  expect(alias.AssociationSince).toBeGreaterThan(alias.CreatedAt);
  const order = scenario.endpoint.callLog().filter((c) => c.status === 200).map((c) => c.operation);
  expect(order.indexOf('AssociateConnectionAlias')).toBeGreaterThan(order.indexOf('CreateConnectionAlias'));
  expect(order.indexOf('AssociateConnectionAlias')).toBeGreaterThan(order.indexOf('RegisterWorkspaceDirectory'));
  // The ownership marking of the association is this stack's.
  expect(alias.Tags[OWNERSHIP_TAG_KEY]).toMatch(new RegExp(`^${scenario.stack.stackId.split('/').pop()}/`));
  // The IP group is associated with the directory.
  expect(scenario.endpoint.ipGroupInventory()).toEqual([
    expect.objectContaining({ Rules: ['203.0.113.0/24'], Directories: [DIRECTORY_ID] }),
  ]);
  expectWorkspaceInventory(scenario, template);

  // Stack deletion: the WorkSpace and the association go before the directory and the alias.
  const destroyed = await scenario.stack.destroy();
  expect(destroyed).toMatchObject({ ok: true });
  expect(scenario.endpoint.callLog().filter((c) => c.operation === 'DisassociateConnectionAlias').map((c) => c.status)).toEqual([200]);
  expectNoNetworkResources(scenario.endpoint);
  expectWorkspaceInventory(scenario);
}, 60_000);

test('when a WorkSpace of the same deployment fails, the rollback disassociates the alias and removes everything the deployment made', async () => {
  const scenario = await start({ forceErrorForUser: 'bob' });
  const template = app(['alice', 'bob']);
  const deployed = await scenario.stack.deploy(template);
  expect(deployed).toMatchObject({ ok: false, rolledBack: true });
  expect(deployed.reason).toMatch(/^bob[0-9A-F]{8}: /);
  const rollback = deployed.operations.slice(deployed.operations.findIndex((o) => o.operation === 'Delete'));
  expect(rollback.map((o) => o.logicalId)).toEqual(expect.arrayContaining([logicalIdOf(template, ALIAS_ASSOCIATION_RESOURCE_TYPE)]));
  expect(scenario.endpoint.callLog().filter((c) => c.operation === 'DisassociateConnectionAlias').map((c) => c.status)).toEqual([200]);
  expectNoNetworkResources(scenario.endpoint);
  expectWorkspaceInventory(scenario);
}, 60_000);

test('an association made before the stack is adopted, and the stack\'s deletion leaves it associated', async () => {
  const scenario = await start();
  // The directory is registered already, and an alias associated with it by hand.
  endpoint!.addDirectory('d-0000000043');
  const client = new WorkSpacesClient(scenario.endpoint.clientConfig());
  const { AliasId } = await client.send(new CreateConnectionAliasCommand({ ConnectionString: CONNECTION_STRING }));
  // An alias is CREATING for the endpoint's pendingMs; wait for CREATED by asking, not by a sleep of
  // the same length (a timer may fire a millisecond before the endpoint's clock says it is over).
  while ((await client.send(new DescribeConnectionAliasesCommand({ AliasIds: [AliasId!] }))).ConnectionAliases?.[0]?.State !== 'CREATED') {
    await sleep(20);
  }
  await client.send(new AssociateConnectionAliasCommand({ AliasId, ResourceId: 'd-0000000043' }));

  const stack = new Stack(new App(), 'Desktops', { env: { account: '123456789012', region: 'us-east-1' } });
  new ConnectionAliasAssociation(stack, 'Association', {
    alias: ConnectionAlias.fromAliasId(stack, 'Alias', AliasId!),
    directory: WorkspacesDirectory.fromDirectoryId(stack, 'Directory', 'd-0000000043'),
  });
  const template = Template.fromStack(stack).toJSON();
  expect(await scenario.stack.deploy(template)).toMatchObject({ ok: true });
  const [, deployed] = [...scenario.stack.resources].find(([, r]) => r.type === ALIAS_ASSOCIATION_RESOURCE_TYPE)!;
  expect(deployed.physicalId).toBe(`${AliasId}/d-0000000043/adopted`);
  expect(deployed.data.ConnectionIdentifier).toMatch(/^[a-z0-9]+$/);

  expect(await scenario.stack.destroy()).toMatchObject({ ok: true });
  const out = await client.send(new DescribeConnectionAliasesCommand({ AliasIds: [AliasId!] }));
  expect(out.ConnectionAliases![0].Associations).toEqual([expect.objectContaining({ ResourceId: 'd-0000000043', AssociationStatus: 'ASSOCIATED_WITH_OWNER_ACCOUNT' })]);
  expect(scenario.endpoint.callLog().map((c) => c.operation)).not.toContain('DisassociateConnectionAlias');
}, 60_000);
