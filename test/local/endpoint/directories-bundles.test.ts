// The local endpoint's directories and bundles, as the pre-flight reads them (issue 12).
import {
  CreateWorkspacesCommand,
  DescribeWorkspaceBundlesCommand,
  DescribeWorkspaceDirectoriesCommand,
  paginateDescribeWorkspaceBundles,
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
