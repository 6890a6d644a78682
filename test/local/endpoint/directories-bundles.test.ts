// The local endpoint's directories and bundles, as the pre-flight reads them (issue 12), and a
// registration's settings as the directory handler changes them (issue 19).
import {
  CreateTagsCommand,
  CreateWorkspacesCommand,
  DeleteTagsCommand,
  DescribeTagsCommand,
  DescribeWorkspaceBundlesCommand,
  DescribeWorkspaceDirectoriesCommand,
  ModifyWorkspaceAccessPropertiesCommand,
  ModifyWorkspaceCreationPropertiesCommand,
  paginateDescribeWorkspaceBundles,
  RegisterWorkspaceDirectoryCommand,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { LocalWorkspaces, startLocalWorkspaces } from '.';

let endpoint: LocalWorkspaces;
let client: WorkSpacesClient;

beforeEach(async () => {
  endpoint = await startLocalWorkspaces({ seed: 3 });
  client = new WorkSpacesClient({ ...endpoint.clientConfig(), maxAttempts: 1 });
});

afterEach(async () => {
  client.destroy();
  await endpoint.stop();
});

test('DescribeWorkspaceBundles lists Amazon\'s with Owner AMAZON and the account\'s own without it, each in pages of 25', async () => {
  for (let i = 0; i < 30; i++) {
    endpoint.addBundle(`wsb-amzn${String(i).padStart(5, '0')}`, { owner: 'AMAZON', name: `Amazon ${i}` });
  }
  endpoint.addBundle('wsb-own0000001', { name: 'Ours' });

  const pages: string[][] = [];
  for await (const page of paginateDescribeWorkspaceBundles({ client }, { Owner: 'AMAZON' })) {
    pages.push((page.Bundles ?? []).map((b) => b.BundleId!));
  }
  expect(pages.map((p) => p.length)).toEqual([25, 11]);
  expect(pages.flat()).not.toContain('wsb-own0000001');

  const own = await client.send(new DescribeWorkspaceBundlesCommand({}));
  expect(own.Bundles?.map((b) => [b.BundleId, b.Name, b.Owner])).toEqual([['wsb-own0000001', 'Ours', '123456789012']]);
  expect(own.NextToken).toBeUndefined();

  // By id, whoever owns it.
  const byId = await client.send(new DescribeWorkspaceBundlesCommand({ BundleIds: ['wsb-12345678', 'wsb-own0000001'] }));
  expect(byId.Bundles?.map((b) => b.BundleId).sort()).toEqual(['wsb-12345678', 'wsb-own0000001']);
});

test('an unregistered directory: DescribeWorkspaceDirectories lists its state, CreateWorkspaces refuses it as the service does', async () => {
  endpoint.addDirectory('d-0000000002', { State: 'DEREGISTERED' });

  const described = await client.send(new DescribeWorkspaceDirectoriesCommand({ DirectoryIds: ['d-0000000002', 'd-0000000003'] }));
  expect(described.Directories?.map((d) => [d.DirectoryId, d.State])).toEqual([['d-0000000002', 'DEREGISTERED']]);

  for (const directoryId of ['d-0000000002', 'd-0000000003']) {
    const out = await client.send(new CreateWorkspacesCommand({ Workspaces: [{ DirectoryId: directoryId, BundleId: 'wsb-12345678', UserName: 'alice' }] }));
    expect(out.PendingRequests).toEqual([]);
    expect(out.FailedRequests?.map((f) => [f.ErrorCode, f.ErrorMessage])).toEqual([
      ['ResourceNotFound.Directory', `The specified directory ${directoryId} could not be found in the specified region.`],
    ]);
  }
  expect(endpoint.inventory()).toEqual([]);
});

test('a registration starts from the service\'s defaults; a Modify action changes only what it is given', async () => {
  endpoint.addDirectory('d-0000000002', { State: 'DEREGISTERED' });
  await client.send(new RegisterWorkspaceDirectoryCommand({ DirectoryId: 'd-0000000002', EnableSelfService: false, Tags: [{ Key: 'team', Value: 'desk' }] }));
  const describe = async () => (await client.send(new DescribeWorkspaceDirectoriesCommand({ DirectoryIds: ['d-0000000002'] }))).Directories![0];
  expect(await describe()).toMatchObject({
    SelfservicePermissions: { RestartWorkspace: 'ENABLED', IncreaseVolumeSize: 'DISABLED', ChangeComputeType: 'DISABLED', SwitchRunningMode: 'DISABLED', RebuildWorkspace: 'DISABLED' },
    WorkspaceCreationProperties: { EnableInternetAccess: false, EnableMaintenanceMode: true, UserEnabledAsLocalAdministrator: true },
    WorkspaceAccessProperties: { DeviceTypeWindows: 'ALLOW', DeviceTypeWeb: 'DENY', DeviceTypeLinux: 'DENY', DeviceTypeWorkSpacesThinClient: 'DENY' },
  });
  await new Promise((resolve) => setTimeout(resolve, 150));
  expect(endpoint.directoryTags('d-0000000002')).toEqual({ team: 'desk' });

  await client.send(new ModifyWorkspaceAccessPropertiesCommand({ ResourceId: 'd-0000000002', WorkspaceAccessProperties: { DeviceTypeWeb: 'ALLOW' } }));
  expect((await describe()).WorkspaceAccessProperties).toMatchObject({ DeviceTypeWeb: 'ALLOW', DeviceTypeWindows: 'ALLOW' });
});

test('a custom security group or default OU cannot be cleared: left out it stays, an empty value is refused', async () => {
  const id = 'd-1234567890';
  await client.send(new ModifyWorkspaceCreationPropertiesCommand({
    ResourceId: id, WorkspaceCreationProperties: { CustomSecurityGroupId: 'sg-0123456789abcdef0', DefaultOu: 'OU=Desks,DC=corp,DC=example,DC=com' },
  }));
  await client.send(new ModifyWorkspaceCreationPropertiesCommand({ ResourceId: id, WorkspaceCreationProperties: { EnableInternetAccess: true } }));
  await expect(client.send(new ModifyWorkspaceCreationPropertiesCommand({ ResourceId: id, WorkspaceCreationProperties: { CustomSecurityGroupId: '' } })))
    .rejects.toMatchObject({ name: 'InvalidParameterValuesException' });
  await expect(client.send(new ModifyWorkspaceCreationPropertiesCommand({ ResourceId: id, WorkspaceCreationProperties: { DefaultOu: '' } })))
    .rejects.toThrow('An invalid or out-of-range value was supplied for the input parameter.');
  const described = await client.send(new DescribeWorkspaceDirectoriesCommand({ DirectoryIds: [id] }));
  expect(described.Directories![0].WorkspaceCreationProperties).toMatchObject({
    CustomSecurityGroupId: 'sg-0123456789abcdef0', DefaultOu: 'OU=Desks,DC=corp,DC=example,DC=com', EnableInternetAccess: true,
  });
});

test('CreateTags, DeleteTags and DescribeTags take a registered directory\'s id', async () => {
  const id = 'd-1234567890';
  await client.send(new CreateTagsCommand({ ResourceId: id, Tags: [{ Key: 'team', Value: 'desk' }, { Key: 'cost', Value: 'cc-1' }] }));
  await client.send(new DeleteTagsCommand({ ResourceId: id, TagKeys: ['cost'] }));
  expect((await client.send(new DescribeTagsCommand({ ResourceId: id }))).TagList).toEqual([{ Key: 'team', Value: 'desk' }]);
  endpoint.addDirectory('d-0000000002', { State: 'DEREGISTERED' });
  await expect(client.send(new DescribeTagsCommand({ ResourceId: 'd-0000000002' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
});
