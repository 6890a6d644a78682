// The local endpoint's custom images and bundles (image-model.ts), through the real SDK over HTTP.
import {
  CreateWorkspaceBundleCommand,
  CreateWorkspaceImageCommand,
  CreateWorkspacesCommand,
  DeleteWorkspaceBundleCommand,
  DeleteWorkspaceImageCommand,
  DescribeTagsCommand,
  DescribeWorkspaceBundlesCommand,
  DescribeWorkspaceImagesCommand,
  RebuildWorkspacesCommand,
  UpdateWorkspaceBundleCommand,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { CUSTOM_BUNDLE_QUOTA, IMAGE_QUOTA, LocalWorkspaces, startLocalWorkspaces } from '.';

let endpoint: LocalWorkspaces;
let client: WorkSpacesClient;
let now = 1_000_000;

beforeEach(async () => {
  now = 1_000_000;
  endpoint = await startLocalWorkspaces({ seed: 5, clock: () => now, imageTiming: { captureMs: 45 * 60_000, bundlePendingMs: 1_000 } });
  client = new WorkSpacesClient({ ...endpoint.clientConfig(), maxAttempts: 1 });
});

afterEach(async () => {
  client.destroy();
  await endpoint.stop();
});

function builder(state: 'AVAILABLE' | 'STOPPED' = 'AVAILABLE', user = 'builder'): string {
  return endpoint.seedWorkspace({ UserName: user, State: state }).WorkspaceId;
}

async function capture(workspaceId: string, name: string): Promise<string> {
  const out = await client.send(new CreateWorkspaceImageCommand({ Name: name, Description: 'golden', WorkspaceId: workspaceId }));
  return out.ImageId!;
}

async function imageState(imageId: string): Promise<string | undefined> {
  const out = await client.send(new DescribeWorkspaceImagesCommand({ ImageIds: [imageId] }));
  return out.Images?.[0]?.State;
}

async function newBundle(imageId: string, name = 'golden-standard'): Promise<string> {
  const out = await client.send(new CreateWorkspaceBundleCommand({
    BundleName: name, BundleDescription: 'golden', ImageId: imageId, ComputeType: { Name: 'STANDARD' }, UserStorage: { Capacity: '50' }, RootStorage: { Capacity: '80' },
  }));
  return out.WorkspaceBundle!.BundleId!;
}

test('an image is PENDING for the capture time, then AVAILABLE; the source WorkSpace stays as it was', async () => {
  const source = builder();
  const imageId = await capture(source, 'golden-1');
  expect(imageId).toMatch(/^wsi-[0-9a-z]{9}$/);
  expect(await imageState(imageId)).toBe('PENDING');
  now += 45 * 60_000 - 1;
  expect(await imageState(imageId)).toBe('PENDING');
  now += 1;
  expect(await imageState(imageId)).toBe('AVAILABLE');
  expect(endpoint.inventory().find((w) => w.WorkspaceId === source)?.State).toBe('AVAILABLE');
});

test('a capture fault ends in ERROR with the service\'s code and message; such an image can be deleted', async () => {
  endpoint.faults.failImageCapture = 'broken';
  const imageId = await capture(builder(), 'broken');
  now += 45 * 60_000;
  const image = (await client.send(new DescribeWorkspaceImagesCommand({ ImageIds: [imageId] }))).Images![0];
  expect([image.State, image.ErrorCode]).toEqual(['ERROR', 'ImageCreationFailed']);
  await client.send(new DeleteWorkspaceImageCommand({ ImageId: imageId }));
  expect(endpoint.imageInventory()).toEqual([]);
});

test('only an AVAILABLE WorkSpace is captured, once at a time, under a name the account does not have yet', async () => {
  await expect(capture(builder('STOPPED', 'stopped'), 'x')).rejects.toMatchObject({ name: 'InvalidResourceStateException' });
  await expect(capture('ws-missing000', 'x')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  const source = builder();
  await capture(source, 'one');
  await expect(capture(source, 'two')).rejects.toMatchObject({ name: 'InvalidResourceStateException' });
  now += 45 * 60_000;
  await expect(capture(builder('AVAILABLE', 'other'), 'one')).rejects.toMatchObject({ name: 'ResourceAlreadyExistsException' });
});

test(`an account has at most ${IMAGE_QUOTA} images`, async () => {
  for (let i = 0; i < IMAGE_QUOTA; i++) {
    await capture(builder('AVAILABLE', `user${i}`), `image-${i}`);
  }
  await expect(capture(builder('AVAILABLE', 'last'), 'one-more')).rejects.toMatchObject({ name: 'ResourceLimitExceededException' });
  const listed = await client.send(new DescribeWorkspaceImagesCommand({ ImageType: 'OWNED' }));
  expect(listed.Images).toHaveLength(25);
  expect(listed.NextToken).toBeDefined();
});

test('a bundle needs an AVAILABLE image; it is PENDING briefly, then WorkSpaces are created from it with its image', async () => {
  const imageId = await capture(builder(), 'golden-1');
  await expect(newBundle(imageId)).rejects.toMatchObject({ name: 'ResourceUnavailableException' });
  now += 45 * 60_000;
  const bundleId = await newBundle(imageId);
  const described = async () => (await client.send(new DescribeWorkspaceBundlesCommand({ BundleIds: [bundleId] }))).Bundles![0];
  expect([(await described()).State, (await described()).ImageId, (await described()).Owner]).toEqual(['PENDING', imageId, '123456789012']);
  now += 1_000;
  expect((await described()).State).toBe('AVAILABLE');
  await expect(newBundle(imageId)).rejects.toMatchObject({ name: 'ResourceAlreadyExistsException' });
  const out = await client.send(new CreateWorkspacesCommand({ Workspaces: [{ DirectoryId: 'd-1234567890', UserName: 'alice', BundleId: bundleId }] }));
  expect(out.FailedRequests).toEqual([]);
  expect(endpoint.inventory().find((w) => w.UserName === 'alice')).toMatchObject({ BundleId: bundleId, ImageId: imageId });
});

test('UpdateWorkspaceBundle gives new and rebuilt WorkSpaces the new image; existing ones keep theirs until rebuilt', async () => {
  const source = builder();
  const first = await capture(source, 'golden-1');
  now += 45 * 60_000;
  const bundleId = await newBundle(first);
  now += 1_000;
  const alice = endpoint.seedWorkspace({ UserName: 'alice', BundleId: bundleId }).WorkspaceId;
  const second = await capture(source, 'golden-2');
  now += 45 * 60_000;
  await client.send(new UpdateWorkspaceBundleCommand({ BundleId: bundleId, ImageId: second }));
  expect((await client.send(new DescribeWorkspaceBundlesCommand({ BundleIds: [bundleId] }))).Bundles![0].ImageId).toBe(second);
  expect(endpoint.inventory().find((w) => w.WorkspaceId === alice)?.ImageId).toBe(first);
  await client.send(new RebuildWorkspacesCommand({ RebuildWorkspaceRequests: [{ WorkspaceId: alice }] }));
  expect(endpoint.inventory().find((w) => w.WorkspaceId === alice)?.ImageId).toBe(second);
  await expect(client.send(new UpdateWorkspaceBundleCommand({ BundleId: 'wsb-12345678', ImageId: second })))
    .rejects.toMatchObject({ name: 'OperationNotSupportedException' });
});

test('an image a bundle uses, and a bundle WorkSpaces use, cannot be deleted; unused, both go', async () => {
  const imageId = await capture(builder(), 'golden-1');
  await expect(client.send(new DeleteWorkspaceImageCommand({ ImageId: imageId }))).rejects.toMatchObject({ name: 'InvalidResourceStateException' });
  now += 45 * 60_000;
  const bundleId = await newBundle(imageId);
  const alice = endpoint.seedWorkspace({ UserName: 'alice', BundleId: bundleId }).WorkspaceId;
  await expect(client.send(new DeleteWorkspaceImageCommand({ ImageId: imageId }))).rejects.toMatchObject({ name: 'ResourceAssociatedException' });
  await expect(client.send(new DeleteWorkspaceBundleCommand({ BundleId: bundleId })))
    .rejects.toMatchObject({ name: 'ResourceAssociatedException', message: expect.stringContaining(alice) });
  endpoint.setWorkspaceState(alice, 'TERMINATED');
  now += 60_000;
  await client.send(new DeleteWorkspaceBundleCommand({ BundleId: bundleId }));
  await client.send(new DeleteWorkspaceImageCommand({ ImageId: imageId }));
  expect([endpoint.imageInventory(), endpoint.customBundleInventory()]).toEqual([[], []]);
});

test(`an account has at most ${CUSTOM_BUNDLE_QUOTA} custom bundles; images and bundles carry tags`, async () => {
  const imageId = (await client.send(new CreateWorkspaceImageCommand({
    Name: 'golden', Description: 'golden', WorkspaceId: builder(), Tags: [{ Key: 'team', Value: 'desk' }],
  }))).ImageId!;
  expect((await client.send(new DescribeTagsCommand({ ResourceId: imageId }))).TagList).toEqual([{ Key: 'team', Value: 'desk' }]);
  now += 45 * 60_000;
  for (let i = 0; i < CUSTOM_BUNDLE_QUOTA; i++) {
    await newBundle(imageId, `bundle-${i}`);
  }
  await expect(newBundle(imageId, 'one-more')).rejects.toMatchObject({ name: 'ResourceLimitExceededException' });
});
