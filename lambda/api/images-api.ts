// The calls on custom images and bundles, as the image and custom-bundle resources need them.
// The SDK's own retry handles throttling; what is left is a WorkspacesCallError naming the call.
import {
  CreateWorkspaceBundleCommand,
  CreateWorkspaceImageCommand,
  DeleteWorkspaceBundleCommand,
  DeleteWorkspaceImageCommand,
  DescribeTagsCommand,
  DescribeWorkspaceImagesCommand,
  paginateDescribeWorkspaceBundles,
  paginateDescribeWorkspaces,
  UpdateWorkspaceBundleCommand,
  Workspace,
  WorkspaceBundle,
  WorkspaceImage,
} from '@aws-sdk/client-workspaces';
import { errorName, WorkspacesCallError } from './errors';
import type { WorkspacesApi } from './workspaces-api';

/** What CreateWorkspaceBundle takes: the API's own names. */
export interface BundleRequest {
  readonly BundleName: string;
  readonly BundleDescription: string;
  readonly ImageId: string;
  readonly ComputeTypeName: string;
  readonly RootVolumeSizeGib: number;
  readonly UserVolumeSizeGib: number;
}

export class ImagesApi {
  constructor(private readonly api: WorkspacesApi) {}

  /** The image, or undefined when the account has none by this id. */
  async image(imageId: string): Promise<WorkspaceImage | undefined> {
    try {
      const out = await this.api.client.send(new DescribeWorkspaceImagesCommand({ ImageIds: [imageId] }));
      return out.Images?.find((i) => i.ImageId === imageId);
    } catch (e) {
      if (errorName(e).includes('ResourceNotFound')) {
        return undefined;
      }
      throw new WorkspacesCallError('DescribeWorkspaceImages', `image ${imageId}`, e);
    }
  }

  /** Every image the account owns, over all pages. */
  async ownedImages(): Promise<WorkspaceImage[]> {
    return this.call('DescribeWorkspaceImages', 'the account\'s images', async () => {
      // The SDK has no paginator for this call.
      const found: WorkspaceImage[] = [];
      let nextToken: string | undefined;
      do {
        const page = await this.api.client.send(new DescribeWorkspaceImagesCommand({ ImageType: 'OWNED', NextToken: nextToken }));
        found.push(...(page.Images ?? []));
        nextToken = page.NextToken;
      } while (nextToken);
      return found;
    });
  }

  /** Every custom bundle of the account (DescribeWorkspaceBundles without Owner), over all pages. */
  async customBundles(): Promise<WorkspaceBundle[]> {
    return this.call('DescribeWorkspaceBundles', 'the account\'s own bundles', async () => {
      const found: WorkspaceBundle[] = [];
      for await (const page of paginateDescribeWorkspaceBundles({ client: this.api.client }, {})) {
        found.push(...(page.Bundles ?? []));
      }
      return found;
    });
  }

  /** The WorkSpaces created from this bundle that still exist, at most `limit` of them. */
  async workspacesOfBundle(bundleId: string, limit: number): Promise<Workspace[]> {
    return this.call('DescribeWorkspaces', `bundle ${bundleId}`, async () => {
      const found: Workspace[] = [];
      for await (const page of paginateDescribeWorkspaces({ client: this.api.client }, { BundleId: bundleId })) {
        found.push(...(page.Workspaces ?? []).filter((w) => w.State !== 'TERMINATED'));
        if (found.length >= limit) {
          break;
        }
      }
      return found.slice(0, limit);
    });
  }

  /** The tags of an image or a bundle. */
  async tags(resourceId: string): Promise<Record<string, string>> {
    const out = await this.call('DescribeTags', resourceId, () => this.api.client.send(new DescribeTagsCommand({ ResourceId: resourceId })));
    return Object.fromEntries((out.TagList ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? '']));
  }

  async createImage(workspaceId: string, name: string, description: string, ownerTag: { Key: string; Value: string }): Promise<string> {
    const out = await this.call('CreateWorkspaceImage', `image "${name}" of WorkSpace ${workspaceId}`, () => this.api.client.send(
      new CreateWorkspaceImageCommand({ WorkspaceId: workspaceId, Name: name, Description: description, Tags: [ownerTag] })));
    if (!out.ImageId) {
      throw new Error(`CreateWorkspaceImage returned no image id for "${name}" of WorkSpace ${workspaceId}`);
    }
    return out.ImageId;
  }

  async deleteImage(imageId: string): Promise<void> {
    await this.call('DeleteWorkspaceImage', `image ${imageId}`, () => this.api.client.send(new DeleteWorkspaceImageCommand({ ImageId: imageId })));
  }

  async createBundle(request: BundleRequest, ownerTag: { Key: string; Value: string }): Promise<string> {
    const out = await this.call('CreateWorkspaceBundle', `bundle "${request.BundleName}"`, () => this.api.client.send(new CreateWorkspaceBundleCommand({
      BundleName: request.BundleName,
      BundleDescription: request.BundleDescription,
      ImageId: request.ImageId,
      ComputeType: { Name: request.ComputeTypeName as any },
      RootStorage: { Capacity: String(request.RootVolumeSizeGib) },
      UserStorage: { Capacity: String(request.UserVolumeSizeGib) },
      Tags: [ownerTag],
    })));
    if (!out.WorkspaceBundle?.BundleId) {
      throw new Error(`CreateWorkspaceBundle returned no bundle id for "${request.BundleName}"`);
    }
    return out.WorkspaceBundle.BundleId;
  }

  async updateBundleImage(bundleId: string, imageId: string): Promise<void> {
    await this.call('UpdateWorkspaceBundle', `bundle ${bundleId}`, () => this.api.client.send(new UpdateWorkspaceBundleCommand({ BundleId: bundleId, ImageId: imageId })));
  }

  async deleteBundle(bundleId: string): Promise<void> {
    await this.call('DeleteWorkspaceBundle', `bundle ${bundleId}`, () => this.api.client.send(new DeleteWorkspaceBundleCommand({ BundleId: bundleId })));
  }

  private async call<T>(call: string, target: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (e) {
      throw new WorkspacesCallError(call, target, e);
    }
  }
}
