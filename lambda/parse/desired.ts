// The desired state: what a template asks for, in the handler's own terms. Types only, so that
// every layer (the API's tag shape, the plan, the pre-flight) can name them without depending
// on how they are parsed.

/** The bundle as the wire names it: `BundleId`, or `BundleName` with an optional `BundleOwner`. */
export interface BundleSpec {
  readonly bundleId?: string;
  readonly bundleName?: string;
  /** `AMAZON` or `ACCOUNT`; absent = both. */
  readonly bundleOwner?: 'AMAZON' | 'ACCOUNT';
}

/** What the template asks for. An absent optional field means "no opinion": it is never changed. */
export interface DesiredWorkspace {
  readonly directoryId: string;
  /**
   * The bundle's id: as declared (`BundleId`), or, for a bundle declared by name, once the
   * pre-flight has resolved it (withBundleId). Undefined for a name not resolved yet.
   */
  readonly bundleId?: string;
  /** The bundle as declared: by id, or by name with an optional owner. */
  readonly bundle: BundleSpec;
  readonly userName: string;
  readonly rootVolumeEncryptionEnabled: boolean;
  readonly userVolumeEncryptionEnabled: boolean;
  readonly volumeEncryptionKey?: string;
  readonly properties: DesiredProperties;
  /** In the order declared; keys are unique. */
  readonly tags: readonly WorkspaceTag[];
  readonly timeoutSeconds: number;
  /** Take over the user's existing WorkSpace, when no other cdk-workspaces resource owns it. @default false */
  readonly adoptExisting?: boolean;
  /** Whether a change that disconnects the user waits until no one is connected. */
  readonly disruptionPolicy: DisruptionPolicyName;
  /** What a change of bundle for the same user and directory does: migrate the WorkSpace in place, or refuse. */
  readonly bundleChange: BundleChangeName;
}

/** The construct's BundleChange, as the wire names it. */
export type BundleChangeName = 'MIGRATE' | 'REFUSE';

/** The construct's DisruptionPolicy, as the wire names it. */
export type DisruptionPolicyName = 'WAIT_FOR_DISCONNECT' | 'IMMEDIATE';

export interface DesiredProperties {
  readonly runningMode?: string;
  readonly runningModeAutoStopTimeoutInMinutes?: number;
  readonly computeTypeName?: string;
  readonly rootVolumeSizeGib?: number;
  readonly userVolumeSizeGib?: number;
  readonly protocols?: readonly string[];
}

export interface WorkspaceTag {
  readonly Key: string;
  readonly Value: string;
}
