// The local endpoint's IP access control groups, connection aliases and standby WorkSpaces
// (network-model.ts, standby-model.ts): their states in time and the refusals the handlers meet.
import {
  AssociateConnectionAliasCommand,
  AssociateIpGroupsCommand,
  CreateConnectionAliasCommand,
  CreateIpGroupCommand,
  CreateStandbyWorkspacesCommand,
  CreateWorkspacesCommand,
  DeleteConnectionAliasCommand,
  DeleteIpGroupCommand,
  DescribeConnectionAliasesCommand,
  DescribeWorkspacesCommand,
  DisassociateConnectionAliasCommand,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { DEFAULT_DIRECTORY_ID, LocalWorkspaces, startLocalWorkspaces } from '.';

let endpoints: LocalWorkspaces[] = [];
let client: WorkSpacesClient;

async function start(region = 'us-east-1'): Promise<LocalWorkspaces> {
  const endpoint = await startLocalWorkspaces({
    seed: 5,
    region,
    timing: { pendingMs: 50 },
    networkTiming: { aliasCreatingMs: 50, associatingMs: 50, disassociatingMs: 50 },
  });
  endpoints.push(endpoint);
  return endpoint;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(async () => {
  client?.destroy();
  await Promise.all(endpoints.map((e) => e.stop()));
  endpoints = [];
});

test('an alias is CREATING, then CREATED; associated only then, then ASSOCIATED; an associated alias cannot be deleted', async () => {
  const endpoint = await start();
  client = new WorkSpacesClient({ ...endpoint.clientConfig(), maxAttempts: 1 });
  const { AliasId } = await client.send(new CreateConnectionAliasCommand({ ConnectionString: 'desktop.example.com' }));
  await expect(client.send(new AssociateConnectionAliasCommand({ AliasId, ResourceId: DEFAULT_DIRECTORY_ID })))
    .rejects.toMatchObject({ name: 'InvalidResourceStateException' });
  await expect(client.send(new CreateConnectionAliasCommand({ ConnectionString: 'desktop.example.com' })))
    .rejects.toMatchObject({ name: 'ResourceAlreadyExistsException' });
  await wait(80);
  const { ConnectionIdentifier } = await client.send(new AssociateConnectionAliasCommand({ AliasId, ResourceId: DEFAULT_DIRECTORY_ID }));
  const describe = async () => (await client.send(new DescribeConnectionAliasesCommand({ AliasIds: [AliasId!] }))).ConnectionAliases![0];
  expect((await describe()).Associations).toEqual([expect.objectContaining({ AssociationStatus: 'PENDING_ASSOCIATION', ConnectionIdentifier })]);
  await wait(80);
  expect((await describe()).Associations).toEqual([expect.objectContaining({ AssociationStatus: 'ASSOCIATED_WITH_OWNER_ACCOUNT', ResourceId: DEFAULT_DIRECTORY_ID })]);
  await expect(client.send(new DeleteConnectionAliasCommand({ AliasId }))).rejects.toMatchObject({ name: 'ResourceAssociatedException' });
  await expect(client.send(new AssociateConnectionAliasCommand({ AliasId, ResourceId: DEFAULT_DIRECTORY_ID })))
    .rejects.toMatchObject({ name: 'ResourceAssociatedException' });

  await client.send(new DisassociateConnectionAliasCommand({ AliasId }));
  expect((await describe()).Associations![0].AssociationStatus).toBe('PENDING_DISASSOCIATION');
  await wait(80);
  expect((await describe()).Associations![0].AssociationStatus).toBe('NOT_ASSOCIATED');
  await client.send(new DeleteConnectionAliasCommand({ AliasId }));
  await wait(150);
  expect(endpoint.aliasInventory()).toEqual([]);
});

test('an IP group holds at most 10 rules, and cannot be deleted while a registered directory has it', async () => {
  const endpoint = await start();
  client = new WorkSpacesClient({ ...endpoint.clientConfig(), maxAttempts: 1 });
  const rules = (n: number) => Array.from({ length: n }, (_, i) => ({ ipRule: `198.51.${i}.0/24` }));
  await expect(client.send(new CreateIpGroupCommand({ GroupName: 'big', UserRules: rules(11) }))).rejects.toMatchObject({ name: 'ResourceLimitExceededException' });
  const { GroupId } = await client.send(new CreateIpGroupCommand({ GroupName: 'office', UserRules: rules(10) }));
  await client.send(new AssociateIpGroupsCommand({ DirectoryId: DEFAULT_DIRECTORY_ID, GroupIds: [GroupId!] }));
  expect(endpoint.ipGroupInventory()).toEqual([expect.objectContaining({ GroupId, Directories: [DEFAULT_DIRECTORY_ID] })]);
  await expect(client.send(new DeleteIpGroupCommand({ GroupId }))).rejects.toMatchObject({ name: 'ResourceAssociatedException' });
});

test('a standby is made in its Region for a primary of the linked Region, related both ways; a second one is refused', async () => {
  const [east, west] = [await start('us-east-1'), await start('us-west-2')];
  east.linkRegion(west);
  const eastClient = new WorkSpacesClient({ ...east.clientConfig(), maxAttempts: 1 });
  client = new WorkSpacesClient({ ...west.clientConfig(), maxAttempts: 1 });
  const created = await eastClient.send(new CreateWorkspacesCommand({ Workspaces: [{ DirectoryId: DEFAULT_DIRECTORY_ID, UserName: 'alice', BundleId: 'wsb-12345678' }] }));
  const primaryId = created.PendingRequests![0].WorkspaceId!;
  await wait(120);
  const request = { PrimaryRegion: 'us-east-1', StandbyWorkspaces: [{ PrimaryWorkspaceId: primaryId, DirectoryId: DEFAULT_DIRECTORY_ID, DataReplication: 'PRIMARY_AS_SOURCE' as const }] };
  const out = await client.send(new CreateStandbyWorkspacesCommand(request));
  const standbyId = out.PendingStandbyRequests![0].WorkspaceId!;
  expect(out.PendingStandbyRequests![0]).toMatchObject({ UserName: 'alice', DirectoryId: DEFAULT_DIRECTORY_ID });
  await wait(120);
  const [standby] = (await client.send(new DescribeWorkspacesCommand({ WorkspaceIds: [standbyId] }))).Workspaces!;
  expect(standby).toMatchObject({ State: 'AVAILABLE', RelatedWorkspaces: [{ WorkspaceId: primaryId, Region: 'us-east-1', Type: 'PRIMARY' }] });
  const [primary] = (await eastClient.send(new DescribeWorkspacesCommand({ WorkspaceIds: [primaryId] }))).Workspaces!;
  expect(primary.RelatedWorkspaces).toEqual([expect.objectContaining({ WorkspaceId: standbyId, Region: 'us-west-2', Type: 'STANDBY' })]);
  const again = await client.send(new CreateStandbyWorkspacesCommand(request));
  expect(again.FailedStandbyRequests).toEqual([expect.objectContaining({ ErrorCode: 'ResourceExists.StandbyWorkspace' })]);
  eastClient.destroy();
});
