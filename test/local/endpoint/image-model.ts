// Custom images (CreateWorkspaceImage, DescribeWorkspaceImages, DeleteWorkspaceImage) and custom
// bundles (CreateWorkspaceBundle, UpdateWorkspaceBundle, DeleteWorkspaceBundle; DescribeWorkspaceBundles
// stays the model's, which holds every bundle so that CreateWorkspaces finds a custom one).
//
// What the Administration Guide says and this models: an image is captured from a WorkSpace that is
// AVAILABLE; capture takes long (tens of minutes: `captureMs`, in the endpoint's clock); an image
// is PENDING, then AVAILABLE or ERROR; an account has at most 40 images and 50 custom bundles per
// Region (neither adjustable); a bundle is an image plus compute type and volumes; UpdateWorkspaceBundle
// points a bundle at another image, and only WorkSpaces created or rebuilt afterwards get it.
// Chosen where the documentation says nothing (not confirmed against the service): the error names
// below, that a WorkSpace cannot be captured twice at once, and that names are unique per account.
import { ApiError, volumeSizesError, WorkspacesModel } from './model';
import { Prng } from './prng';

export interface ImageTiming {
  /** PENDING -> AVAILABLE (or ERROR) of a captured image. @default 400 */
  readonly captureMs: number;
  /** PENDING -> AVAILABLE of a new custom bundle. @default 50 */
  readonly bundlePendingMs: number;
}

export const DEFAULT_IMAGE_TIMING: ImageTiming = { captureMs: 400, bundlePendingMs: 50 };
/** The Administration Guide's quotas (per account and Region, not adjustable). */
export const IMAGE_QUOTA = 40;
export const CUSTOM_BUNDLE_QUOTA = 50;

/** Faults of image capture (part of the endpoint's `faults`). */
export interface ImageFaults {
  /** Images captured with this name (or these names) go PENDING -> ERROR. */
  failImageCapture?: string | string[];
}

const IMAGE_ID = /^wsi-[0-9a-z]{9,63}$/;
const BUNDLE_ID = /^wsb-[0-9a-z]{8,63}$/;
const WS_ID = /^ws-[0-9a-z]{8,63}$/;
const NAME = /^[a-zA-Z0-9_./()-]+$/;
const DESCRIPTION = /^[a-zA-Z0-9_./() -]+$/;
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const COMPUTE = /^[A-Z][A-Z0-9_]*$/;

interface ImageRecord {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly sourceWorkspaceId: string;
  readonly createdAt: number;
  readonly readyAt: number;
  readonly fails: boolean;
  readonly tags: Map<string, string>;
}

interface CustomBundleRecord {
  readonly id: string;
  readonly readyAt: number;
  readonly tags: Map<string, string>;
}

/** An image as a test sees it. */
export interface ImageSnapshot {
  readonly ImageId: string;
  readonly Name: string;
  readonly State: 'PENDING' | 'AVAILABLE' | 'ERROR';
  readonly SourceWorkspaceId: string;
  readonly Tags: Record<string, string>;
}

/** A custom bundle as a test sees it. */
export interface CustomBundleSnapshot {
  readonly BundleId: string;
  readonly Name: string;
  readonly ImageId: string;
  readonly State: 'PENDING' | 'AVAILABLE';
  readonly Tags: Record<string, string>;
}

export class ImageModel {
  private readonly images = new Map<string, ImageRecord>();
  private readonly customBundles = new Map<string, CustomBundleRecord>();

  constructor(
    private readonly model: WorkspacesModel,
    private readonly timing: ImageTiming,
    private readonly clock: () => number,
    private readonly prng: Prng,
    private readonly faults: ImageFaults,
  ) {}

  /** Tag operations on an image or one of the custom bundles this model made go here. */
  ownsResource(resourceId: unknown): boolean {
    return typeof resourceId === 'string' && (resourceId.startsWith('wsi-') || this.customBundles.has(resourceId));
  }

  // ------------------------------------------------------------------ images

  createWorkspaceImage(body: any): any {
    text(body.Name, 'Name', 64, NAME);
    text(body.Description, 'Description', 256, DESCRIPTION);
    text(body.WorkspaceId, 'WorkspaceId', 63, WS_ID);
    const source = this.model.inventory().find((w) => w.WorkspaceId === body.WorkspaceId && w.Visible);
    if (!source) {
      throw new ApiError('ResourceNotFoundException', `The WorkSpace ${body.WorkspaceId} could not be found.`);
    }
    if ([...this.images.values()].some((i) => i.name === body.Name)) {
      throw new ApiError('ResourceAlreadyExistsException', `An image named ${body.Name} already exists.`);
    }
    if (source.State !== 'AVAILABLE') {
      throw new ApiError('InvalidResourceStateException', `The WorkSpace ${source.WorkspaceId} is ${source.State}; an image can be created only from a WorkSpace that is AVAILABLE.`);
    }
    if ([...this.images.values()].some((i) => i.sourceWorkspaceId === source.WorkspaceId && this.stateOf(i) === 'PENDING')) {
      throw new ApiError('InvalidResourceStateException', `An image of the WorkSpace ${source.WorkspaceId} is being created already.`);
    }
    if (this.images.size >= IMAGE_QUOTA) {
      throw new ApiError('ResourceLimitExceededException', `The account has ${this.images.size} images, the most allowed in this Region (${IMAGE_QUOTA}).`);
    }
    const id = this.newId('wsi-', 9, (i) => this.images.has(i));
    const failing = this.faults.failImageCapture;
    const now = this.clock();
    const image: ImageRecord = {
      id,
      name: body.Name,
      description: body.Description,
      sourceWorkspaceId: source.WorkspaceId,
      createdAt: now,
      readyAt: now + this.timing.captureMs,
      fails: (Array.isArray(failing) ? failing : [failing]).includes(body.Name),
      tags: tagMap(body.Tags),
    };
    this.images.set(id, image);
    return this.describeImage(image);
  }

  describeWorkspaceImages(body: any): any {
    const ids = body.ImageIds;
    if (ids !== undefined) {
      if (!Array.isArray(ids) || ids.length < 1 || ids.length > 25) throw invalid('ImageIds must contain between 1 and 25 items.');
      ids.forEach((id: unknown) => text(id, 'ImageIds', 63, IMAGE_ID));
    }
    if (body.ImageType !== undefined && !['OWNED', 'SHARED'].includes(body.ImageType)) throw invalid(`Invalid ImageType ${body.ImageType}.`);
    const max = body.MaxResults ?? 25;
    if (!Number.isInteger(max) || max < 1 || max > 25) throw invalid('MaxResults must be from 1 to 25.');
    // Every image here is the account's own: SHARED lists none.
    const all = [...this.images.values()].filter((i) => (ids ? ids.includes(i.id) : body.ImageType !== 'SHARED'));
    const after = body.NextToken === undefined ? 0 : Number(String(body.NextToken).replace(/^img-/, ''));
    if (!Number.isInteger(after) || after < 0) throw invalid('The NextToken is not valid.');
    const page = all.slice(after, after + max);
    return { Images: page.map((i) => this.describeImage(i)), NextToken: all.length > after + max ? `img-${after + max}` : undefined };
  }

  deleteWorkspaceImage(body: any): any {
    text(body.ImageId, 'ImageId', 63, IMAGE_ID);
    const image = this.images.get(body.ImageId);
    // The service answers a delete of an image that is not there with success.
    if (!image) return {};
    if (this.stateOf(image) === 'PENDING') {
      throw new ApiError('InvalidResourceStateException', `The image ${image.id} is being created; it can be deleted once it is AVAILABLE or ERROR.`);
    }
    const users = [...this.customBundles.keys()].filter((b) => this.model.bundleInfo(b)?.imageId === image.id);
    if (users.length > 0) {
      throw new ApiError('ResourceAssociatedException', `The image ${image.id} is used by the bundles ${users.join(', ')}.`);
    }
    this.images.delete(image.id);
    return {};
  }

  // ---------------------------------------------------------- custom bundles

  createWorkspaceBundle(body: any): any {
    text(body.BundleName, 'BundleName', 64, NAME);
    text(body.BundleDescription, 'BundleDescription', 255, DESCRIPTION);
    text(body.ImageId, 'ImageId', 63, IMAGE_ID);
    const compute = body.ComputeType?.Name;
    if (typeof compute !== 'string' || !COMPUTE.test(compute)) throw invalid('ComputeType.Name is required.');
    const user = capacity(body.UserStorage?.Capacity, 'UserStorage.Capacity', true)!;
    const root = capacity(body.RootStorage?.Capacity, 'RootStorage.Capacity', false) ?? 80;
    const sizes = volumeSizesError(root, user);
    if (sizes) throw invalid(sizes);
    const image = this.images.get(body.ImageId);
    if (!image) throw new ApiError('ResourceNotFoundException', `The image ${body.ImageId} could not be found.`);
    if (this.stateOf(image) !== 'AVAILABLE') {
      throw new ApiError('ResourceUnavailableException', `The image ${image.id} is ${this.stateOf(image)}; a bundle needs an AVAILABLE image.`);
    }
    if ([...this.customBundles.keys()].some((b) => this.model.bundleInfo(b)?.name === body.BundleName)) {
      throw new ApiError('ResourceAlreadyExistsException', `A bundle named ${body.BundleName} already exists.`);
    }
    if (this.customBundles.size >= CUSTOM_BUNDLE_QUOTA) {
      throw new ApiError('ResourceLimitExceededException', `The account has ${this.customBundles.size} custom bundles, the most allowed in this Region (${CUSTOM_BUNDLE_QUOTA}).`);
    }
    const id = this.newId('wsb-', 9, (b) => this.model.bundleInfo(b) !== undefined);
    this.model.addBundle(id, {
      name: body.BundleName,
      description: body.BundleDescription,
      computeType: compute as any,
      rootVolumeSizeGib: root,
      userVolumeSizeGib: user,
      imageId: image.id,
    });
    this.customBundles.set(id, { id, readyAt: this.clock() + this.timing.bundlePendingMs, tags: tagMap(body.Tags) });
    return { WorkspaceBundle: this.decorateBundle(this.model.describeWorkspaceBundles({ BundleIds: [id] }).Bundles[0]) };
  }

  updateWorkspaceBundle(body: any): any {
    text(body.BundleId, 'BundleId', 63, BUNDLE_ID);
    text(body.ImageId, 'ImageId', 63, IMAGE_ID);
    const info = this.model.bundleInfo(body.BundleId);
    if (!info) throw new ApiError('ResourceNotFoundException', `The bundle ${body.BundleId} could not be found.`);
    if (!this.customBundles.has(body.BundleId)) {
      throw new ApiError('OperationNotSupportedException', `The bundle ${body.BundleId} is not a custom bundle of this account.`);
    }
    const image = this.images.get(body.ImageId);
    if (!image) throw new ApiError('ResourceNotFoundException', `The image ${body.ImageId} could not be found.`);
    if (this.stateOf(image) !== 'AVAILABLE') {
      throw new ApiError('ResourceUnavailableException', `The image ${image.id} is ${this.stateOf(image)}; a bundle needs an AVAILABLE image.`);
    }
    this.model.setBundleImage(body.BundleId, image.id);
    return {};
  }

  deleteWorkspaceBundle(body: any): any {
    text(body.BundleId, 'BundleId', 63, BUNDLE_ID);
    if (!this.customBundles.has(body.BundleId)) {
      throw new ApiError('ResourceNotFoundException', `The bundle ${body.BundleId} could not be found.`);
    }
    const users = this.model.inventory().filter((w) => w.BundleId === body.BundleId).map((w) => w.WorkspaceId);
    if (users.length > 0) {
      throw new ApiError('ResourceAssociatedException', `The bundle ${body.BundleId} is used by ${users.length} WorkSpaces, such as ${users.slice(0, 3).join(', ')}.`);
    }
    this.customBundles.delete(body.BundleId);
    this.model.removeBundle(body.BundleId);
    return {};
  }

  /** DescribeWorkspaceBundles' answer, with the state of each custom bundle. */
  decorateBundles(out: { Bundles?: any[]; NextToken?: string }): any {
    return { ...out, Bundles: out.Bundles?.map((b) => this.decorateBundle(b)) };
  }

  // -------------------------------------------------------------------- tags

  createTags(body: any): any {
    const tags = this.tagsOf(body.ResourceId);
    for (const [k, v] of tagMap(body.Tags)) tags.set(k, v);
    return {};
  }

  deleteTags(body: any): any {
    const tags = this.tagsOf(body.ResourceId);
    if (!Array.isArray(body.TagKeys)) throw invalid('TagKeys is required.');
    for (const key of body.TagKeys) tags.delete(key);
    return {};
  }

  describeTags(body: any): any {
    return { TagList: [...this.tagsOf(body.ResourceId)].map(([Key, Value]) => ({ Key, Value })) };
  }

  /** The tags of an image or custom bundle (aws:ResourceTag), or undefined when there is none. */
  resourceTags(resourceId: string): Record<string, string> | undefined {
    const record = this.images.get(resourceId) ?? this.customBundles.get(resourceId);
    return record && Object.fromEntries(record.tags);
  }

  imageInventory(): ImageSnapshot[] {
    return [...this.images.values()].map((i) => ({
      ImageId: i.id, Name: i.name, State: this.stateOf(i), SourceWorkspaceId: i.sourceWorkspaceId, Tags: Object.fromEntries(i.tags),
    }));
  }

  customBundleInventory(): CustomBundleSnapshot[] {
    return [...this.customBundles.values()].map((b) => {
      const info = this.model.bundleInfo(b.id)!;
      return { BundleId: b.id, Name: info.name, ImageId: info.imageId, State: this.clock() < b.readyAt ? 'PENDING' : 'AVAILABLE', Tags: Object.fromEntries(b.tags) };
    });
  }

  // ----------------------------------------------------------------- helpers

  private stateOf(image: ImageRecord): ImageSnapshot['State'] {
    if (this.clock() < image.readyAt) return 'PENDING';
    return image.fails ? 'ERROR' : 'AVAILABLE';
  }

  private describeImage(image: ImageRecord): any {
    const state = this.stateOf(image);
    return {
      ImageId: image.id,
      Name: image.name,
      Description: image.description,
      OperatingSystem: { Type: 'WINDOWS' },
      State: state,
      RequiredTenancy: 'DEFAULT',
      Created: image.createdAt / 1000,
      OwnerAccountId: '123456789012',
      ...state === 'ERROR' && {
        ErrorCode: 'ImageCreationFailed',
        ErrorMessage: `The image ${image.name} could not be created from the WorkSpace ${image.sourceWorkspaceId}.`,
      },
    };
  }

  private decorateBundle(bundle: any): any {
    const custom = this.customBundles.get(bundle.BundleId);
    return custom && this.clock() < custom.readyAt ? { ...bundle, State: 'PENDING' } : bundle;
  }

  private tagsOf(resourceId: unknown): Map<string, string> {
    const record = this.images.get(resourceId as string) ?? this.customBundles.get(resourceId as string);
    if (!record) throw new ApiError('ResourceNotFoundException', `The resource ${String(resourceId)} could not be found.`);
    return record.tags;
  }

  private newId(prefix: string, length: number, taken: (id: string) => boolean): string {
    for (;;) {
      const id = `${prefix}${this.prng.chars(ALPHABET, length)}`;
      if (!taken(id)) return id;
    }
  }
}

const invalid = (message: string) => new ApiError('InvalidParameterValuesException', message);

function text(value: unknown, name: string, max: number, pattern: RegExp): void {
  if (typeof value !== 'string' || value.length < 1 || value.length > max || !pattern.test(value)) {
    throw invalid(`The value ${JSON.stringify(value)} of ${name} must be 1 to ${max} characters matching ${pattern.source}.`);
  }
}

function capacity(value: unknown, name: string, required: boolean): number | undefined {
  if (value === undefined && !required) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n < 1) throw invalid(`${name} must be a whole number of GiB, as a string.`);
  return n;
}

function tagMap(tags: unknown): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of (Array.isArray(tags) ? tags : []) as Array<{ Key?: unknown; Value?: unknown }>) {
    if (typeof t.Key !== 'string' || t.Key.length < 1 || t.Key.length > 127) throw invalid('A tag key must be 1 to 127 characters.');
    out.set(t.Key, typeof t.Value === 'string' ? t.Value : '');
  }
  return out;
}
