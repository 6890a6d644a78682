// The checks before a CreateWorkspaceImage or a CreateWorkspaceBundle (and an UpdateWorkspaceBundle):
// Describe calls only, so that a request the service would refuse (or, for a capture, refuse only
// minutes later by an image in ERROR) fails in seconds, naming the construct's prop.
import type { WorkspaceBundle, WorkspaceImage } from '@aws-sdk/client-workspaces';
import { PreflightError } from './preflight';
import { ImagesApi, WorkspacesApi } from '../api';

/** The Administration Guide's quotas per account and Region; neither can be raised. */
export const IMAGE_QUOTA = 40;
export const CUSTOM_BUNDLE_QUOTA = 50;

/**
 * A capture needs a source WorkSpace that is AVAILABLE (the Administration Guide: an image can be
 * made only from a WorkSpace in that state) and room under the image quota.
 */
export async function checkCapture(api: WorkspacesApi, images: ImagesApi, workspaceId: string, imageName: string): Promise<WorkspaceImage[]> {
  const source = await api.describe(workspaceId);
  if (source === undefined) {
    throw new PreflightError('workspace', `Invalid workspace (SourceWorkspaceId ${workspaceId}): DescribeWorkspaces does not describe `
      + 'it in this account and region. No image was created.');
  }
  if (source.State !== 'AVAILABLE') {
    throw new PreflightError('workspace', `Invalid workspace (SourceWorkspaceId ${workspaceId}, user "${source.UserName}"): it is `
      + `${source.State}, and an image is captured only from an AVAILABLE WorkSpace. Start it (or wait until it is AVAILABLE), then `
      + 'deploy again. No image was created and the WorkSpace was not changed.');
  }
  const owned = await images.ownedImages();
  if (owned.length >= IMAGE_QUOTA && !owned.some((i) => i.Name === imageName)) {
    throw new PreflightError('imageName', `Cannot capture image "${imageName}": the account has ${owned.length} images in this region, `
      + `and the service allows ${IMAGE_QUOTA} (a quota that cannot be raised). Delete an image no bundle uses, then deploy again. `
      + 'No image was created.');
  }
  return owned;
}

/** A bundle needs an AVAILABLE image of the account. */
export async function checkBundleImage(images: ImagesApi, imageId: string): Promise<WorkspaceImage> {
  const image = await images.image(imageId);
  if (image === undefined) {
    throw new PreflightError('image', `Invalid image (ImageId ${imageId}): DescribeWorkspaceImages does not describe it in this `
      + 'account and region. No bundle was created or changed.');
  }
  if (image.State !== 'AVAILABLE') {
    throw new PreflightError('image', `Invalid image (ImageId ${imageId}, "${image.Name}"): it is ${image.State}`
      + (image.ErrorMessage ? ` (${image.ErrorCode}: ${image.ErrorMessage})` : '')
      + ', and a bundle is made only of an AVAILABLE image. No bundle was created or changed.');
  }
  return image;
}

/** Room for one more custom bundle; returns the account's custom bundles. */
export async function checkBundleQuota(images: ImagesApi, bundleName: string): Promise<WorkspaceBundle[]> {
  const bundles = await images.customBundles();
  if (bundles.length >= CUSTOM_BUNDLE_QUOTA && !bundles.some((b) => b.Name === bundleName)) {
    throw new PreflightError('bundleName', `Cannot create bundle "${bundleName}": the account has ${bundles.length} custom bundles in `
      + `this region, and the service allows ${CUSTOM_BUNDLE_QUOTA} (a quota that cannot be raised). Delete a bundle no WorkSpace uses, `
      + 'then deploy again. No bundle was created.');
  }
  return bundles;
}
