// Custom::WorkspaceImage: an image captured from a WorkSpace (CreateWorkspaceImage), which
// CloudFormation cannot make. Create captures and waits for AVAILABLE; an image is immutable, so a
// change of name, description or source captures a new one (a new physical id, the old image deleted
// in CloudFormation's cleanup); Delete removes only an image this resource captured, and never one a
// bundle still uses.
import {
  checkWorkspaceImageName,
  checkWorkspaceImageDescription,
  InputError,
  MAX_TIMEOUT_SECONDS,
  OWNERSHIP_TAG_KEY,
  WORKSPACE_ID_PATTERN,
  WORKSPACE_IMAGE_ID_PATTERN,
} from '../../../src/private/rules';
import { ImagesApi, isStateRefusal, isTemporary } from '../../api';
import { endSentence, ResolvedDeps, WorkspaceIsCompleteEvent, WorkspaceResourceEvent } from '../../core/contract';
import { createdByThisResource, describeOwner, ownershipMarking, readerOf, relationOf } from '../../core/ownership';
import { boundedTimeoutSeconds, rejectUnknownKeys } from '../../parse/strict';
import { formatSeconds } from '../../plan';
import { checkCapture } from '../../preflight';

export const IMAGE_RESOURCE_TYPE = 'Custom::WorkspaceImage';

const PROPERTIES: ReadonlySet<string> = new Set(['ServiceToken', 'ServiceTimeout', 'SourceWorkspaceId', 'ImageName', 'ImageDescription', 'TimeoutSeconds']);

export interface DesiredImage {
  readonly sourceWorkspaceId: string;
  readonly imageName: string;
  readonly imageDescription: string;
  readonly timeoutSeconds: number;
}

/** The properties, strictly: unknown keys, wrong types and broken patterns fail before any call, naming the property. */
export function parseImageProperties(raw: Record<string, unknown>): DesiredImage {
  rejectUnknownKeys(IMAGE_RESOURCE_TYPE, '', raw, PROPERTIES);
  const sourceWorkspaceId = requiredString('SourceWorkspaceId', raw.SourceWorkspaceId);
  if (!WORKSPACE_ID_PATTERN.test(sourceWorkspaceId)) {
    throw new InputError('SourceWorkspaceId', sourceWorkspaceId, `must match ${WORKSPACE_ID_PATTERN.source} (a WorkSpace id)`);
  }
  const imageName = requiredString('ImageName', raw.ImageName);
  checkWorkspaceImageName('ImageName', imageName);
  const imageDescription = requiredString('ImageDescription', raw.ImageDescription);
  checkWorkspaceImageDescription('ImageDescription', imageDescription);
  return { sourceWorkspaceId, imageName, imageDescription, timeoutSeconds: boundedTimeoutSeconds(raw.TimeoutSeconds, MAX_TIMEOUT_SECONDS) };
}

function requiredString(prop: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new InputError(prop, value, 'is required, as a string');
  }
  return value;
}


/** onEvent: the physical id (the image's id once captured). */
export async function imageOnEvent(event: WorkspaceResourceEvent, deps: ResolvedDeps): Promise<string> {
  const images = new ImagesApi(deps.api);
  if (event.RequestType === 'Delete') {
    return deleteImage(images, event, deps.log);
  }
  const desired = parseImageProperties(event.ResourceProperties);
  if (event.RequestType === 'Update') {
    const old = parseImageProperties(event.OldResourceProperties ?? {});
    const changed = (['sourceWorkspaceId', 'imageName', 'imageDescription'] as const).filter((k) => desired[k] !== old[k]);
    if (changed.length === 0) {
      return event.PhysicalResourceId!;
    }
    if (desired.imageName === old.imageName) {
      throw new Error(`Image "${old.imageName}" (${event.PhysicalResourceId}): changing ${changed.map(propName).join(' and ')} captures a new `
        + 'image, which needs a new imageName: image names are unique in an account, and the new image must exist before the old one '
        + 'is deleted. Nothing was changed. Give the image a new imageName (for example with a version number) and deploy again.');
    }
  }
  const reader = readerOf(event);
  const owned = await checkCapture(deps.api, images, desired.sourceWorkspaceId, desired.imageName);
  const existing = owned.find((i) => i.Name === desired.imageName);
  if (existing?.ImageId) {
    const marking = (await images.tags(existing.ImageId))[OWNERSHIP_TAG_KEY];
    if (relationOf(reader, marking) === 'this-request') {
      deps.log(`${existing.ImageId} is the image an earlier attempt of this same request captured`);
      return existing.ImageId;
    }
    throw new Error(`Invalid imageName "${desired.imageName}": the account has an image of that name already, ${existing.ImageId} `
      + `(${existing.State}), managed by ${describeOwner(reader, marking)}. Image names are unique in an account: give the image another `
      + 'name. No image was created.');
  }
  const ownerTag = { Key: OWNERSHIP_TAG_KEY, Value: ownershipMarking(event.StackId, event.LogicalResourceId, reader.requestId, 'created') };
  const imageId = await images.createImage(desired.sourceWorkspaceId, desired.imageName, desired.imageDescription, ownerTag);
  deps.log(`CreateWorkspaceImage: ${imageId} ("${desired.imageName}") from ${desired.sourceWorkspaceId}`);
  return imageId;
}

function propName(key: string): string {
  return key === 'sourceWorkspaceId' ? 'the source WorkSpace' : key === 'imageName' ? 'imageName' : 'description';
}

/**
 * A physical id that is not an image id (a Create that failed before capturing) is done at once;
 * an image this resource did not capture is left alone (released); one a bundle uses is refused,
 * naming the bundles; one still PENDING (a capture that timed out) waits for isComplete to delete.
 */
async function deleteImage(images: ImagesApi, event: WorkspaceResourceEvent, log: (m: string) => void): Promise<string> {
  const imageId = event.PhysicalResourceId ?? '';
  if (!WORKSPACE_IMAGE_ID_PATTERN.test(imageId)) {
    log(`Delete of ${imageId}: not an image id (the Create failed before capturing); nothing to delete`);
    return imageId;
  }
  const image = await images.image(imageId);
  if (image === undefined) {
    log(`Delete of ${imageId}: the image is gone already`);
    return imageId;
  }
  const reader = readerOf(event, true);
  const marking = (await images.tags(imageId))[OWNERSHIP_TAG_KEY];
  if (!createdByThisResource(reader, marking)) {
    log(`Delete of ${imageId}: this resource did not capture it (it is managed by ${describeOwner(reader, marking)}); it is left as it is`);
    return imageId;
  }
  const users = (await images.customBundles()).filter((b) => b.ImageId === imageId);
  if (users.length > 0) {
    throw new Error(`Image ${imageId} ("${image.Name}") is not deleted: the bundles ${users.slice(0, 5).map((b) => `${b.BundleId} `
      + `("${b.Name}")`).join(', ')}${users.length > 5 ? ` and ${users.length - 5} more` : ''} use it. Point them at another image, or `
      + 'delete them, first. Nothing was changed.');
  }
  if (image.State !== 'PENDING') {
    await images.deleteImage(imageId);
    log(`DeleteWorkspaceImage: ${imageId} ("${image.Name}")`);
  }
  return imageId;
}

/**
 * isComplete. Create and Update: PENDING waits (until TimeoutSeconds), AVAILABLE is done with the
 * image's attributes, ERROR fails with the service's reason (the rollback then deletes the image).
 * Delete: a capture still PENDING is deleted once it ends; done when the image is gone.
 */
export async function imageIsComplete(event: WorkspaceIsCompleteEvent, deps: ResolvedDeps, elapsedSeconds: number | undefined):
Promise<{ IsComplete: boolean; Data?: Record<string, string> }> {
  const images = new ImagesApi(deps.api);
  const imageId = event.PhysicalResourceId;
  if (event.RequestType === 'Delete') {
    if (!WORKSPACE_IMAGE_ID_PATTERN.test(imageId)) {
      return { IsComplete: true };
    }
    const image = await images.image(imageId);
    if (image === undefined) {
      return { IsComplete: true };
    }
    if (!createdByThisResource(readerOf(event, true), (await images.tags(imageId))[OWNERSHIP_TAG_KEY])) {
      // Not this resource's: onEvent released it.
      return { IsComplete: true };
    }
    if (image.State !== 'PENDING') {
      try {
        await images.deleteImage(imageId);
      } catch (e) {
        if (!isStateRefusal(e)) {
          throw e;
        }
      }
    }
    return { IsComplete: false };
  }
  const desired = parseImageProperties(event.ResourceProperties);
  const elapsed = elapsedSeconds ?? 0;
  try {
    const image = await images.image(imageId);
    if (image === undefined) {
      if (elapsed < 120) {
        return { IsComplete: false };
      }
      throw new Error(`Image ${imageId} ("${desired.imageName}") is not described by DescribeWorkspaceImages: it is gone.`);
    }
    if (image.State === 'ERROR') {
      throw new Error(`Image ${imageId} ("${desired.imageName}", captured from ${desired.sourceWorkspaceId}) is ERROR: `
        + `${image.ErrorCode ?? '(no error code)'}: ${endSentence(image.ErrorMessage ?? '(no error message)')} The rollback deletes `
        + 'this image; the source WorkSpace is not changed.');
    }
    if (image.State !== 'AVAILABLE') {
      if (elapsed > desired.timeoutSeconds) {
        throw new Error(`Image ${imageId} ("${desired.imageName}") was still ${image.State} after ${formatSeconds(desired.timeoutSeconds)} `
          + '(TimeoutSeconds): capturing an image can take longer than CloudFormation waits for a resource (one hour). The rollback '
          + 'deletes the image once its capture ends; the source WorkSpace is not changed. Deploy again later, or capture the image '
          + 'outside the stack and use WorkspaceImage.fromImageId.');
      }
      deps.log(`${imageId}: waiting, the image is ${image.State}`);
      return { IsComplete: false };
    }
    deps.log(`${imageId} ("${image.Name}") is AVAILABLE`);
    return {
      IsComplete: true,
      Data: { ImageId: imageId, ImageName: image.Name ?? '', State: image.State, OperatingSystemType: image.OperatingSystem?.Type ?? '' },
    };
  } catch (e) {
    if (isTemporary(e) && elapsed <= desired.timeoutSeconds) {
      deps.log(`Temporary error, trying again at the next poll: ${(e as Error).message}`);
      return { IsComplete: false };
    }
    throw e;
  }
}
