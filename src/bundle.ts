/**
 * Whose bundles a bundle name is looked up among.
 */
export enum BundleOwner {
  /** Amazon's public bundles (DescribeWorkspaceBundles with `Owner: AMAZON`). */
  AMAZON = 'AMAZON',
  /** This account's own (custom) bundles (DescribeWorkspaceBundles without `Owner`). */
  ACCOUNT = 'ACCOUNT',
}

/**
 * A bundle (image and hardware) that WorkSpaces are created from: `WorkspaceBundle.fromBundleId()`,
 * `WorkspaceBundle.fromName()`, or a `CustomWorkspaceBundle` of this app.
 */
export interface IWorkspaceBundle {
  /**
   * The bundle's id (for a bundle of this app, a deploy-time attribute).
   *
   * @default - given by name only
   */
  readonly bundleId?: string;

  /**
   * The bundle's name. Without `bundleId`, the provider finds the bundle by this name at deploy time.
   *
   * @default - given by id only
   */
  readonly bundleName?: string;

  /**
   * Whose bundles the name is looked up among (only without `bundleId`).
   *
   * @default - both Amazon's and the account's own
   */
  readonly owner?: BundleOwner;
}

/**
 * The bundle (image and hardware) a WorkSpace is created from: by id, or by name resolved at
 * deploy time in the stack's region.
 */
export class WorkspaceBundle implements IWorkspaceBundle {
  /**
   * A bundle by its id, such as `wsb-12345678`. Bundle ids differ from region to region.
   *
   * @param bundleId the bundle's id
   */
  public static fromBundleId(bundleId: string): WorkspaceBundle {
    return new WorkspaceBundle(bundleId, undefined, undefined);
  }

  /**
   * A bundle by its exact name, such as `Standard with Windows 10 (Server 2019 based)`,
   * resolved by the provider at deploy time in the stack's region.
   *
   * A name found both among Amazon's bundles and the account's own is an error unless `owner`
   * says which.
   *
   * @param name the bundle's exact name
   * @param owner whose bundles to look in
   * @default owner - both Amazon's and the account's own
   */
  public static fromName(name: string, owner?: BundleOwner): WorkspaceBundle {
    return new WorkspaceBundle(undefined, name, owner);
  }

  /**
   * The bundle's id, when given by id.
   *
   * @default - given by name
   */
  public readonly bundleId?: string;

  /**
   * The bundle's name, when given by name.
   *
   * @default - given by id
   */
  public readonly bundleName?: string;

  /**
   * Whose bundles the name is looked up among.
   *
   * @default - both Amazon's and the account's own
   */
  public readonly owner?: BundleOwner;

  private constructor(bundleId: string | undefined, bundleName: string | undefined, owner: BundleOwner | undefined) {
    this.bundleId = bundleId;
    this.bundleName = bundleName;
    this.owner = owner;
  }
}
