// Custom::WorkspaceCustomBundle: a bundle of the account made of an image, a compute type and volume
// sizes (CreateWorkspaceBundle), which CloudFormation cannot make. A new image is applied in place
// (UpdateWorkspaceBundle: WorkSpaces created or rebuilt from then on get it, existing ones keep
// theirs); any other change makes a new bundle (a new physical id, the old bundle deleted in
// CloudFormation's cleanup). Delete removes only a bundle this resource made, and never one that
// WorkSpaces still use.
import {
  checkBundleDescription,
  checkBundleName,
  checkComputeTypeName,
  checkImageId,
  checkRootVolumeSize,
  checkUserVolumeSize,
  checkVolumePair,
  InputError,
  OWNERSHIP_TAG_KEY,
  BUNDLE_ID_PATTERN,
} from '../../../src/private/rules';
import { BundleRequest, ImagesApi, isTemporary } from '../../api';
import { ResolvedDeps, WorkspaceIsCompleteEvent, WorkspaceResourceEvent } from '../../core/contract';
import { createdByThisResource, describeOwner, ownershipMarking, readerOf, relationOf } from '../../core/ownership';
import { rejectUnknownKeys } from '../../parse/strict';
import { checkBundleImage, checkBundleQuota } from '../../preflight';

export const CUSTOM_BUNDLE_RESOURCE_TYPE = 'Custom::WorkspaceCustomBundle';

const PROPERTIES: ReadonlySet<string> = new Set(['ServiceToken', 'ServiceTimeout', 'BundleName', 'BundleDescription', 'ImageId', 'ComputeTypeName',
  'RootVolumeSizeGib', 'UserVolumeSizeGib']);
/** A new bundle is PENDING briefly; past this, something is wrong. */
const PENDING_LIMIT_SECONDS = 15 * 60;
/** How many of the WorkSpaces that use a bundle a refusal names. */
const NAMED_USERS = 3;

/** Parses the properties strictly: unknown keys, wrong types and broken patterns fail before any call, naming the property. */
export function parseBundleProperties(raw: Record<string, unknown>): BundleRequest {
  rejectUnknownKeys(CUSTOM_BUNDLE_RESOURCE_TYPE, '', raw, PROPERTIES);
  const text = (prop: string): string => {
    const value = raw[prop];
    if (typeof value !== 'string' || value === '') {
      throw new InputError(prop, value, 'is required, as a string');
    }
    return value;
  };
  const gib = (prop: string, fallback: number): number => {
    const value = raw[prop];
    if (value === undefined) {
      return fallback;
    }
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(n)) {
      throw new InputError(prop, value, 'must be a whole number of GiB');
    }
    return n;
  };
  const request: BundleRequest = {
    BundleName: text('BundleName'),
    BundleDescription: text('BundleDescription'),
    ImageId: text('ImageId'),
    ComputeTypeName: text('ComputeTypeName'),
    RootVolumeSizeGib: gib('RootVolumeSizeGib', 80),
    UserVolumeSizeGib: gib('UserVolumeSizeGib', 50),
  };
  checkBundleName('BundleName', request.BundleName);
  checkBundleDescription('BundleDescription', request.BundleDescription);
  checkImageId('ImageId', request.ImageId);
  checkComputeTypeName('ComputeTypeName', request.ComputeTypeName);
  checkRootVolumeSize('RootVolumeSizeGib', request.RootVolumeSizeGib);
  checkUserVolumeSize('UserVolumeSizeGib', request.UserVolumeSizeGib);
  checkVolumePair('RootVolumeSizeGib and UserVolumeSizeGib', request.RootVolumeSizeGib, request.UserVolumeSizeGib);
  return request;
}

/** onEvent: the physical id (the bundle's id once made). */
export async function bundleOnEvent(event: WorkspaceResourceEvent, deps: ResolvedDeps): Promise<string> {
  const images = new ImagesApi(deps.api);
  if (event.RequestType === 'Delete') {
    return deleteBundle(images, event, deps.log);
  }
  const desired = parseBundleProperties(event.ResourceProperties);
  if (event.RequestType === 'Update') {
    const current = event.PhysicalResourceId!;
    const old = parseBundleProperties(event.OldResourceProperties ?? {});
    const replacing = (['BundleName', 'BundleDescription', 'ComputeTypeName', 'RootVolumeSizeGib', 'UserVolumeSizeGib'] as const)
      .filter((k) => desired[k] !== old[k]);
    if (replacing.length === 0) {
      // Compared with the bundle as it is, not with the old properties: a rollback's old
      // properties are the ones that failed, and the bundle may have moved since.
      const observed = await deps.api.bundle(current);
      if (observed !== undefined && observed.ImageId !== desired.ImageId) {
        await checkBundleImage(images, desired.ImageId);
        await images.updateBundleImage(current, desired.ImageId);
        deps.log(`UpdateWorkspaceBundle: ${current} now gives new and rebuilt WorkSpaces image ${desired.ImageId} (was ${observed.ImageId})`);
      }
      return current;
    }
    if (desired.BundleName === old.BundleName) {
      throw new Error(`Bundle "${old.BundleName}" (${current}): changing ${replacing.join(' and ')} makes a new bundle, which needs a new `
        + 'bundleName: bundle names are unique in an account, and the new bundle must exist before the old one is deleted. Nothing '
        + 'was changed. Give the bundle a new bundleName, and deploy again (WorkSpaces move to it as their bundle changes).');
    }
  }
  const reader = readerOf(event);
  await checkBundleImage(images, desired.ImageId);
  const bundles = await checkBundleQuota(images, desired.BundleName);
  const existing = bundles.find((b) => b.Name === desired.BundleName);
  if (existing?.BundleId) {
    const marking = (await images.tags(existing.BundleId))[OWNERSHIP_TAG_KEY];
    if (relationOf(reader, marking) === 'this-request') {
      deps.log(`${existing.BundleId} is the bundle an earlier attempt of this same request made`);
      return existing.BundleId;
    }
    throw new Error(`Invalid bundleName "${desired.BundleName}": the account has a bundle of that name already, ${existing.BundleId}, `
      + `managed by ${describeOwner(reader, marking)}. Bundle names are unique in an account: give the bundle another name. No bundle `
      + 'was created.');
  }
  const ownerTag = { Key: OWNERSHIP_TAG_KEY, Value: ownershipMarking(event.StackId, event.LogicalResourceId, reader.requestId, 'created') };
  const bundleId = await images.createBundle(desired, ownerTag);
  deps.log(`CreateWorkspaceBundle: ${bundleId} ("${desired.BundleName}", image ${desired.ImageId}, ${desired.ComputeTypeName})`);
  return bundleId;
}

async function deleteBundle(images: ImagesApi, event: WorkspaceResourceEvent, log: (m: string) => void): Promise<string> {
  const bundleId = event.PhysicalResourceId ?? '';
  if (!BUNDLE_ID_PATTERN.test(bundleId)) {
    log(`Delete of ${bundleId}: not a bundle id (the Create failed before making one); nothing to delete`);
    return bundleId;
  }
  const bundle = (await images.customBundles()).find((b) => b.BundleId === bundleId);
  if (bundle === undefined) {
    log(`Delete of ${bundleId}: the bundle is gone already`);
    return bundleId;
  }
  const reader = readerOf(event, true);
  const marking = (await images.tags(bundleId))[OWNERSHIP_TAG_KEY];
  if (!createdByThisResource(reader, marking)) {
    log(`Delete of ${bundleId}: this resource did not make it (it is managed by ${describeOwner(reader, marking)}); it is left as it is`);
    return bundleId;
  }
  const users = await images.workspacesOfBundle(bundleId, NAMED_USERS + 1);
  const staying = users.filter((w) => w.State !== 'TERMINATING');
  if (staying.length > 0) {
    const named = staying.slice(0, NAMED_USERS).map((w) => `${w.WorkspaceId} (user "${w.UserName}")`).join(', ');
    throw new Error(`Bundle ${bundleId} ("${bundle.Name}") is not deleted: WorkSpaces still use it, such as ${named}`
      + `${staying.length > NAMED_USERS ? ', and more' : ''}. Move them to another bundle, or terminate them, first. Nothing was changed.`);
  }
  if (users.length > 0) {
    // WorkSpaces on their way out (a migration's originals, a fleet's removed members): isComplete
    // deletes the bundle once they are gone.
    log(`Delete of ${bundleId}: waiting for ${users.length} terminating WorkSpaces of it to be gone`);
    return bundleId;
  }
  await images.deleteBundle(bundleId);
  log(`DeleteWorkspaceBundle: ${bundleId} ("${bundle.Name}")`);
  return bundleId;
}

/**
 * isComplete. Create and Update: done once the bundle is AVAILABLE with the declared image, with its
 * attributes; ERROR fails. Delete: done once the bundle is gone (or was never this resource's).
 */
export async function bundleIsComplete(event: WorkspaceIsCompleteEvent, deps: ResolvedDeps, elapsedSeconds: number | undefined):
Promise<{ IsComplete: boolean; Data?: Record<string, string> }> {
  const images = new ImagesApi(deps.api);
  const bundleId = event.PhysicalResourceId;
  if (event.RequestType === 'Delete') {
    if (!BUNDLE_ID_PATTERN.test(bundleId)) {
      return { IsComplete: true };
    }
    const bundle = await deps.api.bundle(bundleId);
    if (bundle === undefined || !createdByThisResource(readerOf(event, true), (await images.tags(bundleId))[OWNERSHIP_TAG_KEY])) {
      return { IsComplete: true };
    }
    const users = await images.workspacesOfBundle(bundleId, NAMED_USERS + 1);
    if (users.some((w) => w.State !== 'TERMINATING')) {
      throw new Error(`Bundle ${bundleId} ("${bundle.Name}") is not deleted: WorkSpaces use it again, such as ${users[0].WorkspaceId}. `
        + 'Nothing was changed.');
    }
    if (users.length === 0) {
      await images.deleteBundle(bundleId);
      deps.log(`DeleteWorkspaceBundle: ${bundleId} ("${bundle.Name}")`);
    }
    return { IsComplete: false };
  }
  const desired = parseBundleProperties(event.ResourceProperties);
  const elapsed = elapsedSeconds ?? 0;
  try {
    const bundle = await deps.api.bundle(bundleId);
    if (bundle === undefined || bundle.State === 'PENDING' || bundle.ImageId !== desired.ImageId) {
      if (elapsed > PENDING_LIMIT_SECONDS) {
        throw new Error(`Bundle ${bundleId} ("${desired.BundleName}") is ${bundle === undefined ? 'not described' : bundle.State ?? 'not ready'}`
          + ` with image ${bundle?.ImageId ?? '(none)'} after ${PENDING_LIMIT_SECONDS / 60} minutes; declared image ${desired.ImageId}.`);
      }
      return { IsComplete: false };
    }
    if (bundle.State === 'ERROR') {
      throw new Error(`Bundle ${bundleId} ("${desired.BundleName}") is ERROR in DescribeWorkspaceBundles. The rollback deletes it.`);
    }
    return {
      IsComplete: true,
      Data: { BundleId: bundleId, BundleName: bundle.Name ?? '', ImageId: bundle.ImageId ?? '', State: bundle.State ?? 'AVAILABLE' },
    };
  } catch (e) {
    if (isTemporary(e) && elapsed <= PENDING_LIMIT_SECONDS) {
      deps.log(`Temporary error, trying again at the next poll: ${(e as Error).message}`);
      return { IsComplete: false };
    }
    throw e;
  }
}
