/**
 * The simulated Amazon WorkSpaces service: state, validation and time.
 *
 * Test support only (never published). Everything here is driven by the
 * injected clock (Date.now by default): a WorkSpace's state is a queue of
 * phases with durations, and every read first advances the queue to "now".
 * No timers run in the background, so nothing keeps the process alive.
 */
import type {
  Compute,
  ModificationState,
  Protocol,
  RunningMode,
  Tag,
  Workspace,
  WorkspaceBundle,
  WorkspaceDirectory,
  WorkspaceProperties,
  WorkspaceState,
} from '@aws-sdk/client-workspaces';
import { Prng } from './prng';

/** Durations of the simulated asynchronous operations, in milliseconds. */
export interface Timing {
  /** A new id is unknown to DescribeWorkspaces for this long. @default 50 */
  readonly invisibleMs: number;
  /** PENDING -> AVAILABLE (or ERROR). @default 100 */
  readonly pendingMs: number;
  /** UPDATING after ModifyWorkspaceProperties. @default 100 */
  readonly updatingMs: number;
  /** TERMINATING -> TERMINATED. @default 100 */
  readonly terminatingMs: number;
  /** TERMINATED is visible for this long, then the WorkSpace is gone. @default 50 */
  readonly terminatedVisibleMs: number;
  /** STARTING -> AVAILABLE. @default 50 */
  readonly startingMs: number;
  /** STOPPING -> STOPPED. @default 50 */
  readonly stoppingMs: number;
  /** REBOOTING -> AVAILABLE. @default 50 */
  readonly rebootingMs: number;
  /** REBUILDING -> AVAILABLE. @default 100 */
  readonly rebuildingMs: number;
  /** MigrateWorkspace: the new WorkSpace is PENDING this long (after its invisible window). @default 200 */
  readonly migratingMs: number;
  /**
   * The service snapshots each WorkSpace's volumes regularly (every 12 hours, the API reference
   * says of RebuildWorkspaces): the first this long after creation, then at this interval. @default 12 hours
   */
  readonly snapshotIntervalMs: number;
}

export const DEFAULT_TIMING: Timing = {
  invisibleMs: 50,
  pendingMs: 100,
  updatingMs: 100,
  terminatingMs: 100,
  terminatedVisibleMs: 50,
  startingMs: 50,
  stoppingMs: 50,
  rebootingMs: 50,
  rebuildingMs: 100,
  migratingMs: 200,
  snapshotIntervalMs: 12 * 3600_000,
};

/**
 * Codes this endpoint puts in `FailedRequests[].ErrorCode` (CreateWorkspaces,
 * TerminateWorkspaces, Start/Stop/Reboot/RebuildWorkspaces). See README.md for
 * which ones are confirmed from real service output and which are chosen.
 */
export const FAILED_REQUEST_CODES = {
  /** CreateWorkspaces: the user already has a WorkSpace in this directory (real code). */
  workspaceExists: 'ResourceExists.WorkSpace',
  /** CreateWorkspaces: the directory is not registered (real code). */
  directoryNotFound: 'ResourceNotFound.Directory',
  /** CreateWorkspaces: the bundle does not exist. */
  bundleNotFound: 'ResourceNotFound.Bundle',
  /** CreateWorkspaces: the user is not in the directory (real code; only for directories seeded with `users`). */
  userNotFound: 'ResourceNotFound.User',
  /** CreateWorkspaces: a timeout was given with ALWAYS_ON. */
  autoStopTimeoutWithAlwaysOn: 'AutoStopTimeoutIsNotApplicableForAnAlwaysOnWorkspace',
  /** CreateWorkspaces: a timeout was given with MANUAL. */
  autoStopTimeoutWithManual: 'AutoStopTimeoutIsNotDefaultForManualWorkspace',
  /** CreateWorkspaces: any other invalid per-WorkSpace value (timeout step, volume sizes, encryption key). */
  invalidParameter: 'InvalidParameterValuesException',
  /** Terminate/Start/Stop/Reboot/Rebuild: no such WorkSpace. */
  workspaceNotFound: 'ResourceNotFound.Workspace',
  /** Terminate/Start/Stop/Reboot/Rebuild: not possible in the current state (e.g. terminating a SUSPENDED WorkSpace). */
  invalidState: 'InvalidResourceState',
  /** Start/Stop: the running mode does not allow it (ALWAYS_ON). */
  unsupportedConfiguration: 'UnsupportedWorkspaceConfiguration',
} as const;

/** An error answered as `{"__type": type, "message": message}` with the given HTTP status. */
export class ApiError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

const invalid = (message: string) => new ApiError('InvalidParameterValuesException', message);

export interface DirectoryInput extends Omit<WorkspaceDirectory, 'DirectoryId'> {
  /** When set, CreateWorkspaces fails with ResourceNotFound.User for any other user. */
  readonly users?: string[];
}

export interface BundleInput {
  readonly name?: string;
  readonly description?: string;
  /** @default 'STANDARD' */
  readonly computeType?: Compute;
  /** @default 80 */
  readonly rootVolumeSizeGib?: number;
  /** @default 50 */
  readonly userVolumeSizeGib?: number;
  /** 'AMAZON' or an account id. DescribeWorkspaceBundles without filter lists only the account's own. @default '123456789012' */
  readonly owner?: string;
  /** Protocol a WorkSpace of this bundle gets by default. @default 'PCOIP' */
  readonly protocol?: Protocol;
  /** @default 'WINDOWS_SERVER_2022' */
  readonly operatingSystemName?: WorkspaceProperties['OperatingSystemName'];
  /** The image the bundle is made of (a custom bundle's, image-model.ts). @default one derived from the bundle id */
  readonly imageId?: string;
  /** A Bring Your Own License bundle (its image needs dedicated tenancy): MigrateWorkspace moves BYOL only to BYOL. @default false */
  readonly byol?: boolean;
}

export interface SeedWorkspaceInput {
  readonly UserName: string;
  /** @default 'd-1234567890' */
  readonly DirectoryId?: string;
  /** @default 'wsb-12345678' */
  readonly BundleId?: string;
  /** A fixed id; else a generated one. */
  readonly WorkspaceId?: string;
  /** The state it sits in (visible at once, no transition). @default 'AVAILABLE' */
  readonly State?: WorkspaceState;
  readonly WorkspaceProperties?: WorkspaceProperties;
  readonly Tags?: Tag[] | Record<string, string>;
  readonly RootVolumeEncryptionEnabled?: boolean;
  readonly UserVolumeEncryptionEnabled?: boolean;
  readonly VolumeEncryptionKey?: string;
  readonly ErrorCode?: string;
  readonly ErrorMessage?: string;
}

/** What inventory() returns: the Workspace as DescribeWorkspaces shows it, plus tags and visibility. */
export interface WorkspaceSnapshot extends Workspace {
  readonly WorkspaceId: string;
  readonly DirectoryId: string;
  readonly UserName: string;
  readonly BundleId: string;
  /** For a WorkSpace still in its invisible window: 'PENDING' (and Visible false). */
  readonly State: WorkspaceState;
  readonly WorkspaceProperties: WorkspaceProperties;
  readonly Tags: Record<string, string>;
  /** False while the new id is still invisible to DescribeWorkspaces. */
  readonly Visible: boolean;
  /** Clock time of creation (ms). */
  readonly CreatedAt: number;
  /** The image the WorkSpace was created or last rebuilt from (its bundle's image then). */
  readonly ImageId: string;
}

/** Faults the model itself applies (the HTTP layer applies the others). */
export interface ModelFaults {
  forceErrorForUser?: string | string[];
  forcedErrorCode?: string;
  forcedErrorMessage?: string;
  invisibleMs?: number;
}

type PhaseState = WorkspaceState | 'HIDDEN' | 'GONE';

export interface Phase {
  readonly state: PhaseState;
  readonly ms: number;
  readonly enter?: (ws: WsRecord) => void;
}

/** A WorkSpace as the model holds it; exported for the models split into their own files (migration-model.ts). */
export interface WsRecord {
  readonly seq: number;
  readonly id: string;
  readonly directoryId: string;
  readonly userName: string;
  readonly bundleId: string;
  /** The bundle's image when the WorkSpace was created or last rebuilt: UpdateWorkspaceBundle changes only new and rebuilt ones. */
  imageId: string;
  readonly rootEnc: boolean;
  readonly userEnc: boolean;
  readonly key?: string;
  readonly createdAt: number;
  readonly subnetId: string;
  readonly plannedIp: string;
  ipAddress?: string;
  computerName?: string;
  props: WorkspaceProperties;
  tags: Map<string, string>;
  phase: Phase;
  phaseEnd: number;
  queue: Phase[];
  errorCode?: string;
  errorMessage?: string;
  modifications: ModificationState[];
  /** Clock time of the last accepted change to a larger / a smaller compute type. */
  computeIncreasedAt?: number;
  computeDecreasedAt?: number;
  /** The user's session: connected from `since` until `until` (Infinity: for good). */
  session?: { since: number; until: number };
  /** How many times a change (compute type, protocol, reboot) ended the user's session. */
  disconnectedByChange: number;
}

/** What a test can see of a WorkSpace's connection (see `WorkspacesModel.connection`). */
export interface ConnectionSnapshot {
  readonly ConnectionState: 'CONNECTED' | 'DISCONNECTED' | 'UNKNOWN';
  /** Clock time (ms) the user last connected, if ever. */
  readonly LastKnownUserConnectionTimestamp?: number;
  /** How many times a change to the WorkSpace (a compute type, a protocol, a reboot) disconnected the user. */
  readonly DisconnectedByChange: number;
}

export interface BundleRecord {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly computeType: Compute;
  readonly root: number;
  readonly user: number;
  readonly owner: string;
  readonly protocol: Protocol;
  readonly os: WorkspaceProperties['OperatingSystemName'];
  readonly byol: boolean;
  readonly createdAt: number;
  /** UpdateWorkspaceBundle points a custom bundle at another image. */
  imageId: string;
  updatedAt: number;
}

/** See WorkspacesModel.migrationAccess. */
export interface MigrationAccess {
  readonly clock: () => number;
  readonly timing: Timing;
  live(id: string, includeHidden?: boolean): WsRecord | undefined;
  bundle(id: string): BundleRecord | undefined;
  /** A new record for the user of `source` (same directory, encryption and tags), from `bundle`. */
  newRecord(source: WsRecord, bundle: BundleRecord, props: WorkspaceProperties): WsRecord;
  schedule(ws: WsRecord, phases: Phase[]): void;
  endSession(ws: WsRecord): void;
  computerName(): string;
}

export const ACCOUNT_ID = '123456789012';
export const DEFAULT_DIRECTORY_ID = 'd-1234567890';
export const DEFAULT_BUNDLE_ID = 'wsb-12345678';

const WS_ID = /^ws-[0-9a-z]{8,63}$/;
const DIR_ID = /^d-[0-9a-f]{8,63}$/;

/**
 * What the service gives a registration for each setting it was not told, as
 * DescribeWorkspaceDirectories shows a new one (public acceptance tests against the real service
 * record these: restart only; no public IP, maintenance on, users local administrators; Linux and
 * web clients denied; the admin guide has WorkSpaces Thin Client access turned on per directory).
 */
const DIRECTORY_DEFAULTS = {
  SelfservicePermissions: { RestartWorkspace: 'ENABLED', IncreaseVolumeSize: 'DISABLED', ChangeComputeType: 'DISABLED', SwitchRunningMode: 'DISABLED', RebuildWorkspace: 'DISABLED' },
  WorkspaceCreationProperties: { EnableInternetAccess: false, EnableMaintenanceMode: true, UserEnabledAsLocalAdministrator: true },
  WorkspaceAccessProperties: {
    DeviceTypeWindows: 'ALLOW',
    DeviceTypeOsx: 'ALLOW',
    DeviceTypeWeb: 'DENY',
    DeviceTypeIos: 'ALLOW',
    DeviceTypeAndroid: 'ALLOW',
    DeviceTypeChromeOs: 'ALLOW',
    DeviceTypeZeroClient: 'ALLOW',
    DeviceTypeLinux: 'DENY',
    DeviceTypeWorkSpacesThinClient: 'DENY',
  },
} as const;
const SECURITY_GROUP_ID = /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/;
const ROLE_ARN = /^arn:aws[a-z-]{0,7}:[A-Za-z0-9][A-Za-z0-9_/.-]{0,62}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9][A-Za-z0-9:_/+=,@.-]{0,1023}$/;
/** The service's words for a value it will not take (as users report them for an empty DefaultOu). */
const OUT_OF_RANGE = 'An invalid or out-of-range value was supplied for the input parameter.';
const BUNDLE_ID = /^wsb-[0-9a-z]{8,63}$/;
const MAX_PER_REQUEST = 25;
const MAX_TAGS = 50;
const PAGE = 25;

const COMPUTE: readonly string[] = [
  'GENERALPURPOSE_4XLARGE', 'GENERALPURPOSE_8XLARGE', 'GRAPHICS', 'GRAPHICSPRO', 'GRAPHICSPRO_G4DN', 'GRAPHICS_G4DN',
  'GRAPHICS_G6F_2XLARGE', 'GRAPHICS_G6F_4XLARGE', 'GRAPHICS_G6F_LARGE', 'GRAPHICS_G6F_XLARGE', 'GRAPHICS_G6_16XLARGE',
  'GRAPHICS_G6_2XLARGE', 'GRAPHICS_G6_4XLARGE', 'GRAPHICS_G6_8XLARGE', 'GRAPHICS_G6_XLARGE', 'GRAPHICS_GR6F_4XLARGE',
  'GRAPHICS_GR6_4XLARGE', 'GRAPHICS_GR6_8XLARGE', 'PERFORMANCE', 'POWER', 'POWERPRO', 'STANDARD', 'VALUE',
];
const RUNNING_MODES: readonly string[] = ['AUTO_STOP', 'ALWAYS_ON', 'MANUAL'];
const PROTOCOLS: readonly string[] = ['PCOIP', 'WSP'];
const isGraphics = (c: string | undefined) => !!c && c.startsWith('GRAPHICS');
/**
 * Compute types from small to large, each family on its own (a WorkSpace never changes family).
 * The administration guide: a WorkSpace may switch to a larger compute type once in 6 hours,
 * and to a smaller one once in 30 days.
 */
const COMPUTE_ORDER: readonly string[] = [
  'VALUE', 'STANDARD', 'PERFORMANCE', 'POWER', 'POWERPRO', 'GENERALPURPOSE_4XLARGE', 'GENERALPURPOSE_8XLARGE',
  'GRAPHICS', 'GRAPHICSPRO', 'GRAPHICS_G4DN', 'GRAPHICSPRO_G4DN',
];
const LARGER_COMPUTE_EVERY_MS = 6 * 3600_000;
const SMALLER_COMPUTE_EVERY_MS = 30 * 24 * 3600_000;

/** Volume sizes the service offers: root 80 with user 10/50/100, or root 175..2000 with user 100..2000. */
export function volumeSizesError(root: number, user: number): string | undefined {
  const int = (n: number) => Number.isInteger(n) && n > 0;
  if (!int(root) || !int(user)) return `volume sizes must be positive whole numbers (root ${root}, user ${user})`;
  if (root === 80 && [10, 50, 100].includes(user)) return undefined;
  if (root >= 175 && root <= 2000 && user >= 100 && user <= 2000) return undefined;
  return `unsupported volume sizes root ${root} GiB / user ${user} GiB: use root 80 with user 10, 50 or 100, or root 175..2000 with user 100..2000`;
}

export class WorkspacesModel {
  private readonly workspaces = new Map<string, WsRecord>();
  private readonly directories = new Map<string, WorkspaceDirectory & { users?: string[] }>();
  private readonly bundles = new Map<string, BundleRecord>();
  /** A registration or deregistration under way: the state it reaches, and when (on the endpoint's clock). */
  private readonly directoryTransitions = new Map<string, { to: string; at: number }>();
  /** The tags of each registered directory (CreateTags, DeleteTags and DescribeTags take a directory id too). */
  private readonly directoryTags = new Map<string, Map<string, string>>();
  private seq = 0;
  private forcedErrors = 0;

  constructor(
    private readonly timing: Timing,
    private readonly clock: () => number,
    private readonly prng: Prng,
    readonly faults: ModelFaults = {},
  ) {
    this.addDirectory(DEFAULT_DIRECTORY_ID, {});
    const amazon = { owner: 'AMAZON' };
    this.addBundle('wsb-12345678', { ...amazon, name: 'Standard with Windows 10 (Server 2022 based)', computeType: 'STANDARD', rootVolumeSizeGib: 80, userVolumeSizeGib: 50 });
    this.addBundle('wsb-23456789', { ...amazon, name: 'Value with Windows 10 (Server 2022 based)', computeType: 'VALUE', rootVolumeSizeGib: 80, userVolumeSizeGib: 10 });
    this.addBundle('wsb-34567890', { ...amazon, name: 'Performance with Windows 10 (Server 2022 based)', computeType: 'PERFORMANCE', rootVolumeSizeGib: 175, userVolumeSizeGib: 100 });
    this.addBundle('wsb-45678901', { ...amazon, name: 'Power with Windows 10 (Server 2022 based)', computeType: 'POWER', rootVolumeSizeGib: 175, userVolumeSizeGib: 100 });
    this.addBundle('wsb-56789012', { ...amazon, name: 'Standard with Windows 10 (Server 2022 based) DCV', computeType: 'STANDARD', rootVolumeSizeGib: 80, userVolumeSizeGib: 50, protocol: 'WSP' });
    this.addBundle('wsb-67890123', { ...amazon, name: 'Graphics.g4dn with Windows 10 (Server 2022 based)', computeType: 'GRAPHICS_G4DN', rootVolumeSizeGib: 175, userVolumeSizeGib: 100 });
  }

  get forcedErrorCount(): number {
    return this.forcedErrors;
  }

  // ---------------------------------------------------------------- seeding

  addDirectory(directoryId: string, input: DirectoryInput = {}): void {
    if (!DIR_ID.test(directoryId)) throw new Error(`directory id ${directoryId} does not match ${DIR_ID}`);
    const n = this.directories.size;
    const hex = (v: number) => v.toString(16).padStart(8, '0');
    const { users, ...rest } = input;
    this.directories.set(directoryId, {
      DirectoryId: directoryId,
      Alias: `corp-${directoryId.slice(2)}`,
      DirectoryName: n === 0 ? 'corp.example.com' : `corp${n}.example.com`,
      DirectoryType: 'SIMPLE_AD',
      State: 'REGISTERED',
      RegistrationCode: `SLiad+${directoryId.slice(2, 8).toUpperCase()}`,
      SubnetIds: [`subnet-${hex(0x0a1b2c00 + 2 * n)}`, `subnet-${hex(0x0a1b2c01 + 2 * n)}`],
      DnsIpAddresses: [`10.${n}.0.10`, `10.${n}.1.10`],
      CustomerUserName: 'Administrator',
      IamRoleId: `arn:aws:iam::${ACCOUNT_ID}:role/workspaces_DefaultRole`,
      WorkspaceSecurityGroupId: `sg-${hex(0x0123ab00 + n)}`,
      WorkspaceCreationProperties: { ...DIRECTORY_DEFAULTS.WorkspaceCreationProperties },
      SelfservicePermissions: { ...DIRECTORY_DEFAULTS.SelfservicePermissions },
      WorkspaceAccessProperties: { ...DIRECTORY_DEFAULTS.WorkspaceAccessProperties },
      Tenancy: 'SHARED',
      ...rest,
      users,
    });
  }

  addBundle(bundleId: string, input: BundleInput = {}): void {
    if (!BUNDLE_ID.test(bundleId)) throw new Error(`bundle id ${bundleId} does not match ${BUNDLE_ID}`);
    const computeType = input.computeType ?? 'STANDARD';
    this.bundles.set(bundleId, {
      id: bundleId,
      name: input.name ?? `${computeType} bundle ${bundleId}`,
      description: input.description ?? `${input.name ?? computeType} (local endpoint)`,
      computeType,
      root: input.rootVolumeSizeGib ?? 80,
      user: input.userVolumeSizeGib ?? 50,
      owner: input.owner ?? ACCOUNT_ID,
      protocol: input.protocol ?? 'PCOIP',
      os: input.operatingSystemName ?? 'WINDOWS_SERVER_2022',
      byol: input.byol ?? false,
      createdAt: this.clock(),
      imageId: input.imageId ?? `wsi-${bundleId.slice(4, 13).padEnd(9, '0')}`,
      updatedAt: this.clock(),
    });
  }

  /** The bundle's owner and image, or undefined when there is no such bundle (image-model.ts reads it). */
  bundleInfo(bundleId: string): { owner: string; imageId: string; name: string } | undefined {
    const b = this.bundles.get(bundleId);
    return b && { owner: b.owner, imageId: b.imageId, name: b.name };
  }

  /** UpdateWorkspaceBundle: the bundle now gives new (and rebuilt) WorkSpaces this image. */
  setBundleImage(bundleId: string, imageId: string): void {
    const b = this.bundles.get(bundleId)!;
    b.imageId = imageId;
    b.updatedAt = this.clock();
  }

  /** DeleteWorkspaceBundle. */
  removeBundle(bundleId: string): void {
    this.bundles.delete(bundleId);
  }

  seedWorkspace(input: SeedWorkspaceInput): WorkspaceSnapshot {
    const directoryId = input.DirectoryId ?? DEFAULT_DIRECTORY_ID;
    const bundleId = input.BundleId ?? DEFAULT_BUNDLE_ID;
    const dir = this.directories.get(directoryId);
    const bundle = this.bundles.get(bundleId);
    if (!dir) throw new Error(`unknown directory ${directoryId}`);
    if (!bundle) throw new Error(`unknown bundle ${bundleId}`);
    if (input.WorkspaceId !== undefined && (!WS_ID.test(input.WorkspaceId) || this.workspaces.has(input.WorkspaceId))) {
      throw new Error(`invalid or duplicate WorkspaceId ${input.WorkspaceId}`);
    }
    const tags = Array.isArray(input.Tags)
      ? new Map(input.Tags.map((t) => [t.Key ?? '', t.Value ?? '']))
      : new Map(Object.entries(input.Tags ?? {}));
    const ws = this.newRecord({
      id: input.WorkspaceId,
      directoryId,
      userName: input.UserName,
      bundle,
      dir,
      props: input.WorkspaceProperties,
      rootEnc: input.RootVolumeEncryptionEnabled ?? false,
      userEnc: input.UserVolumeEncryptionEnabled ?? false,
      key: input.VolumeEncryptionKey,
      tags,
    });
    const state = input.State ?? 'AVAILABLE';
    ws.ipAddress = ws.plannedIp;
    ws.computerName = this.computerName();
    ws.errorCode = input.ErrorCode;
    ws.errorMessage = input.ErrorMessage;
    this.schedule(ws, [{ state, ms: Infinity }]);
    return this.snapshot(ws);
  }

  /** Put an existing WorkSpace into a state at once (steady, no transition). */
  setWorkspaceState(workspaceId: string, state: WorkspaceState, error?: { code: string; message: string }): void {
    const ws = this.live(workspaceId, true);
    if (!ws) throw new Error(`unknown WorkSpace ${workspaceId}`);
    ws.ipAddress ??= ws.plannedIp;
    if (error) {
      ws.errorCode = error.code;
      ws.errorMessage = error.message;
    }
    this.schedule(ws, [{ state, ms: Infinity }]);
  }

  inventory(includeTerminated = false): WorkspaceSnapshot[] {
    return this.all()
      .filter((ws) => includeTerminated || ws.phase.state !== 'TERMINATED')
      .map((ws) => this.snapshot(ws));
  }

  /**
   * What migration-model.ts needs of the WorkSpaces: their records, a new record for the same
   * user, and the phases a migration moves them through. Not for tests: they use the endpoint.
   */
  migrationAccess(): MigrationAccess {
    return {
      live: (id, includeHidden) => this.live(id, includeHidden),
      bundle: (id) => this.bundles.get(id),
      newRecord: (source, bundle, props) => {
        const dir = this.directories.get(source.directoryId)!;
        const ws = this.newRecord({
          directoryId: source.directoryId,
          userName: source.userName,
          bundle,
          dir,
          props,
          rootEnc: source.rootEnc,
          userEnc: source.userEnc,
          key: source.key,
          tags: new Map(source.tags),
        });
        return ws;
      },
      schedule: (ws, phases) => this.schedule(ws, phases),
      endSession: (ws) => this.endSession(ws),
      computerName: () => this.computerName(),
      clock: this.clock,
      timing: this.timing,
    };
  }

  // ------------------------------------------------------------- operations

  createWorkspaces(body: any): any {
    const requests = body.Workspaces;
    if (!Array.isArray(requests) || requests.length < 1 || requests.length > MAX_PER_REQUEST) {
      throw invalid(`Workspaces must contain between 1 and ${MAX_PER_REQUEST} items (got ${Array.isArray(requests) ? requests.length : 'none'}).`);
    }
    for (const r of requests) {
      if (r === null || typeof r !== 'object') throw invalid('Each Workspaces item must be a WorkspaceRequest structure.');
      checkString(r.DirectoryId, 'DirectoryId', { required: true, pattern: DIR_ID });
      checkString(r.BundleId, 'BundleId', { required: true, pattern: BUNDLE_ID });
      checkString(r.UserName, 'UserName', { required: true, min: 1, max: 63 });
      checkTags(r.Tags, 'Tags');
      if ((r.Tags?.length ?? 0) > MAX_TAGS) throw invalid(`A WorkSpace can have at most ${MAX_TAGS} tags.`);
    }
    this.settleDirectories();
    const failed: any[] = [];
    const pending: Workspace[] = [];
    const claimed = new Set<string>();
    for (const r of requests) {
      const fail = (code: string, message: string) => failed.push({ WorkspaceRequest: r, ErrorCode: code, ErrorMessage: message });
      const dir = this.directories.get(r.DirectoryId);
      if (!dir || dir.State !== 'REGISTERED') {
        fail(FAILED_REQUEST_CODES.directoryNotFound, `The specified directory ${r.DirectoryId} could not be found in the specified region.`);
        continue;
      }
      const bundle = this.bundles.get(r.BundleId);
      if (!bundle) {
        fail(FAILED_REQUEST_CODES.bundleNotFound, `The specified bundle ${r.BundleId} could not be found.`);
        continue;
      }
      if (dir.users && !dir.users.includes(r.UserName)) {
        fail(FAILED_REQUEST_CODES.userNotFound, `The user ${r.UserName} could not be found in the directory ${r.DirectoryId}.`);
        continue;
      }
      const owner = `${r.DirectoryId}/${r.UserName.toLowerCase()}`;
      if (claimed.has(owner) || this.userWorkspace(r.DirectoryId, r.UserName)) {
        fail(FAILED_REQUEST_CODES.workspaceExists, `The specified user ${r.UserName} already has a WorkSpace in directory ${r.DirectoryId}.`);
        continue;
      }
      const propsError = createPropertiesError(r.WorkspaceProperties, bundle);
      if (propsError) {
        fail(propsError.code, propsError.message);
        continue;
      }
      if ((r.RootVolumeEncryptionEnabled || r.UserVolumeEncryptionEnabled) && !r.VolumeEncryptionKey) {
        fail(FAILED_REQUEST_CODES.invalidParameter, 'VolumeEncryptionKey is required when volume encryption is enabled.');
        continue;
      }
      claimed.add(owner);
      const ws = this.newRecord({
        directoryId: r.DirectoryId,
        userName: r.UserName,
        bundle,
        dir,
        props: r.WorkspaceProperties,
        rootEnc: r.RootVolumeEncryptionEnabled === true,
        userEnc: r.UserVolumeEncryptionEnabled === true,
        key: r.VolumeEncryptionKey,
        tags: new Map((r.Tags ?? []).map((t: Tag) => [t.Key!, t.Value ?? ''])),
      });
      const forced = this.isForced(r.UserName);
      if (forced) this.forcedErrors++;
      const last: Phase = forced
        ? {
          state: 'ERROR',
          ms: Infinity,
          enter: (w) => {
            w.errorCode = this.faults.forcedErrorCode ?? 'InternalError';
            w.errorMessage = this.faults.forcedErrorMessage ?? `The WorkSpace of user ${w.userName} could not be created (injected fault).`;
          },
        }
        : { state: 'AVAILABLE', ms: Infinity, enter: (w) => { w.computerName ??= this.computerName(); } };
      this.schedule(ws, [
        { state: 'HIDDEN', ms: this.faults.invisibleMs ?? this.timing.invisibleMs },
        { state: 'PENDING', ms: this.timing.pendingMs, enter: (w) => { w.ipAddress = w.plannedIp; } },
        last,
      ]);
      pending.push({
        WorkspaceId: ws.id,
        DirectoryId: ws.directoryId,
        UserName: ws.userName,
        State: 'PENDING',
        BundleId: ws.bundleId,
        RootVolumeEncryptionEnabled: ws.rootEnc,
        UserVolumeEncryptionEnabled: ws.userEnc,
        VolumeEncryptionKey: ws.key,
        WorkspaceProperties: { ...ws.props },
      });
    }
    return { FailedRequests: failed, PendingRequests: pending };
  }

  describeWorkspaces(body: any): any {
    const ids: string[] | undefined = body.WorkspaceIds ?? undefined;
    const has = (v: unknown) => v !== undefined && v !== null;
    if (ids !== undefined) {
      if (!Array.isArray(ids) || ids.length < 1 || ids.length > MAX_PER_REQUEST) {
        throw invalid(`WorkspaceIds must contain between 1 and ${MAX_PER_REQUEST} items.`);
      }
      ids.forEach((id: unknown) => checkString(id, 'WorkspaceIds', { pattern: WS_ID }));
    }
    checkString(body.DirectoryId, 'DirectoryId', { pattern: DIR_ID });
    checkString(body.BundleId, 'BundleId', { pattern: BUNDLE_ID });
    checkString(body.UserName, 'UserName', { min: 1, max: 63 });
    const filters = [ids !== undefined, has(body.DirectoryId), has(body.BundleId)].filter(Boolean).length;
    if (filters > 1) {
      throw invalid('An invalid number of parameters provided with DescribeWorkspaces. Only one of the following are allowed to be specified: BundleId, DirectoryId, WorkSpaceIds.');
    }
    if (has(body.UserName) && !has(body.DirectoryId)) {
      throw invalid('The DirectoryId parameter is required when UserName is used.');
    }
    const limit = checkLimit(body.Limit);
    const after = decodeToken(body.NextToken);
    let list = this.all().filter((ws) => ws.phase.state !== 'HIDDEN');
    if (ids !== undefined) list = list.filter((ws) => ids.includes(ws.id));
    if (has(body.DirectoryId)) list = list.filter((ws) => ws.directoryId === body.DirectoryId);
    if (has(body.UserName)) list = list.filter((ws) => ws.userName.toLowerCase() === String(body.UserName).toLowerCase());
    if (has(body.BundleId)) list = list.filter((ws) => ws.bundleId === body.BundleId);
    const { page, next } = paginate(list.filter((ws) => ws.seq > after), limit, (ws) => ws.seq);
    return { Workspaces: page.map((ws) => this.describe(ws)), NextToken: next };
  }

  /**
   * The user of this WorkSpace is connected from `connectedMsAgo` ago and stays for `forMs`
   * from now (Infinity: never leaves).
   * A change that restarts the WorkSpace (compute type, protocol, reboot) ends the session.
   */
  connectUser(workspaceId: string, forMs = Infinity, connectedMsAgo = 0): void {
    const ws = this.live(workspaceId);
    if (!ws) throw new Error(`no WorkSpace ${workspaceId} to connect to`);
    const now = this.clock();
    ws.session = { since: now - connectedMsAgo, until: now + forMs };
  }

  /** The user of this WorkSpace leaves now. */
  disconnectUser(workspaceId: string): void {
    const ws = this.live(workspaceId);
    if (ws?.session && ws.session.until > this.clock()) ws.session.until = this.clock();
  }

  connection(workspaceId: string): ConnectionSnapshot {
    const ws = this.live(workspaceId);
    if (!ws) throw new Error(`no WorkSpace ${workspaceId}`);
    return {
      ConnectionState: this.connectionState(ws),
      LastKnownUserConnectionTimestamp: ws.session?.since,
      DisconnectedByChange: ws.disconnectedByChange,
    };
  }

  /**
   * DescribeWorkspacesConnectionStatus: up to 25 ids (or none: every WorkSpace), in pages. The
   * API reference: UNKNOWN for a STOPPED WorkSpace. Unknown ids are left out of the answer.
   */
  describeWorkspacesConnectionStatus(body: any): any {
    const ids: string[] | undefined = body.WorkspaceIds ?? undefined;
    if (ids !== undefined) {
      if (!Array.isArray(ids) || ids.length < 1 || ids.length > MAX_PER_REQUEST) {
        throw invalid(`WorkspaceIds must contain between 1 and ${MAX_PER_REQUEST} items.`);
      }
      ids.forEach((id: unknown) => checkString(id, 'WorkspaceIds', { pattern: WS_ID }));
    }
    const after = decodeToken(body.NextToken);
    let list = this.all().filter((ws) => ws.phase.state !== 'HIDDEN');
    if (ids !== undefined) list = list.filter((ws) => ids.includes(ws.id));
    const { page, next } = paginate(list.filter((ws) => ws.seq > after), PAGE, (ws) => ws.seq);
    const now = this.clock();
    return {
      WorkspacesConnectionStatus: page.map((ws) => ({
        WorkspaceId: ws.id,
        ConnectionState: this.connectionState(ws),
        ConnectionStateCheckTimestamp: now / 1000,
        LastKnownUserConnectionTimestamp: ws.session ? ws.session.since / 1000 : undefined,
      })),
      NextToken: next,
    };
  }

  private connectionState(ws: WsRecord): 'CONNECTED' | 'DISCONNECTED' | 'UNKNOWN' {
    if (ws.phase.state === 'STOPPED') return 'UNKNOWN';
    const now = this.clock();
    return ws.session && ws.session.since <= now && now < ws.session.until ? 'CONNECTED' : 'DISCONNECTED';
  }

  /** A change that restarts the WorkSpace ends the user's session, as the real service does. */
  private endSession(ws: WsRecord): void {
    if (this.connectionState(ws) === 'CONNECTED') {
      ws.session!.until = this.clock();
      ws.disconnectedByChange += 1;
    }
  }

  modifyWorkspaceProperties(body: any): any {
    checkString(body.WorkspaceId, 'WorkspaceId', { required: true, pattern: WS_ID });
    const ws = this.live(body.WorkspaceId);
    if (!ws) throw new ApiError('ResourceNotFoundException', `The WorkSpace ${body.WorkspaceId} could not be found.`);
    const state = ws.phase.state;
    if (state === 'UPDATING') {
      throw new ApiError('OperationInProgressException', `The properties of WorkSpace ${ws.id} are currently being modified. Try again in a moment.`);
    }
    if (state !== 'AVAILABLE' && state !== 'STOPPED') {
      throw new ApiError('InvalidResourceStateException', `The WorkSpace ${ws.id} is in state ${state}; properties can be modified only when it is AVAILABLE or STOPPED.`);
    }
    const p: WorkspaceProperties | undefined = body.WorkspaceProperties;
    if (!p || typeof p !== 'object') throw invalid('WorkspaceProperties is required.');
    const set = (v: unknown) => v !== undefined && v !== null;
    const keys = ['RunningMode', 'RunningModeAutoStopTimeoutInMinutes', 'RootVolumeSizeGib', 'UserVolumeSizeGib', 'ComputeTypeName', 'Protocols'] as const;
    if (!keys.some((k) => set(p[k]))) throw invalid('WorkspaceProperties must specify at least one property to modify.');
    const volume = set(p.RootVolumeSizeGib) || set(p.UserVolumeSizeGib);
    if (set(p.ComputeTypeName) && volume) {
      throw invalid('The compute type and the volume sizes cannot be modified in the same request. Modify them one at a time.');
    }
    if (set(p.RootVolumeSizeGib) && set(p.UserVolumeSizeGib)) {
      throw invalid('The root volume and the user volume cannot be modified in the same request. Modify them one at a time.');
    }
    const cur = ws.props;
    const next: WorkspaceProperties = { ...cur };
    if (set(p.RunningMode)) {
      if (!RUNNING_MODES.includes(p.RunningMode!)) throw invalid(`RunningMode ${p.RunningMode} is not valid.`);
      next.RunningMode = p.RunningMode;
    }
    if (set(p.RunningModeAutoStopTimeoutInMinutes)) {
      if (next.RunningMode !== 'AUTO_STOP') {
        throw invalid(`RunningModeAutoStopTimeoutInMinutes is not applicable for WorkSpace with running mode set to ${next.RunningMode}.`);
      }
      const err = timeoutError(p.RunningModeAutoStopTimeoutInMinutes);
      if (err) throw invalid(err);
      next.RunningModeAutoStopTimeoutInMinutes = p.RunningModeAutoStopTimeoutInMinutes;
    }
    if (next.RunningMode === 'AUTO_STOP') next.RunningModeAutoStopTimeoutInMinutes ??= 60;
    else delete next.RunningModeAutoStopTimeoutInMinutes;
    if (set(p.ComputeTypeName)) {
      if (!COMPUTE.includes(p.ComputeTypeName!)) throw invalid(`ComputeTypeName ${p.ComputeTypeName} is not valid.`);
      if (isGraphics(p.ComputeTypeName) !== isGraphics(cur.ComputeTypeName)) {
        throw new ApiError('UnsupportedWorkspaceConfigurationException', `The compute type of WorkSpace ${ws.id} cannot be changed from ${cur.ComputeTypeName} to ${p.ComputeTypeName}.`);
      }
      this.checkComputeChangeLimit(ws, cur.ComputeTypeName, p.ComputeTypeName!);
      next.ComputeTypeName = p.ComputeTypeName;
    }
    if (volume) {
      const root = p.RootVolumeSizeGib ?? cur.RootVolumeSizeGib!;
      const user = p.UserVolumeSizeGib ?? cur.UserVolumeSizeGib!;
      if (root < cur.RootVolumeSizeGib! || user < cur.UserVolumeSizeGib!) {
        throw invalid(`Volumes can only be increased (root ${cur.RootVolumeSizeGib} -> ${root}, user ${cur.UserVolumeSizeGib} -> ${user}).`);
      }
      const err = volumeSizesError(root, user);
      if (err) throw invalid(err);
      next.RootVolumeSizeGib = root;
      next.UserVolumeSizeGib = user;
    }
    if (set(p.Protocols)) {
      if (!Array.isArray(p.Protocols) || p.Protocols.length !== 1 || !PROTOCOLS.includes(p.Protocols[0])) {
        throw invalid(`Protocols must be exactly one of ${PROTOCOLS.join(', ')}.`);
      }
      if (isGraphics(next.ComputeTypeName)) {
        throw new ApiError('UnsupportedWorkspaceConfigurationException', `The protocol of WorkSpace ${ws.id} cannot be changed: its compute type ${next.ComputeTypeName} is GPU-based.`);
      }
      next.Protocols = [...p.Protocols];
    }
    if (set(p.ComputeTypeName) && p.ComputeTypeName !== cur.ComputeTypeName) {
      const larger = COMPUTE_ORDER.indexOf(p.ComputeTypeName!) > COMPUTE_ORDER.indexOf(cur.ComputeTypeName!);
      if (larger) ws.computeIncreasedAt = this.clock();
      else ws.computeDecreasedAt = this.clock();
    }
    if ((set(p.ComputeTypeName) && p.ComputeTypeName !== cur.ComputeTypeName)
      || (set(p.Protocols) && !(cur.Protocols ?? []).includes(p.Protocols![0]))) {
      this.endSession(ws);
    }
    const modifications: ModificationState[] = [];
    if (set(p.ComputeTypeName)) modifications.push({ Resource: 'COMPUTE_TYPE', State: 'UPDATE_IN_PROGRESS' });
    if (set(p.RootVolumeSizeGib)) modifications.push({ Resource: 'ROOT_VOLUME', State: 'UPDATE_IN_PROGRESS' });
    if (set(p.UserVolumeSizeGib)) modifications.push({ Resource: 'USER_VOLUME', State: 'UPDATE_IN_PROGRESS' });
    if (set(p.Protocols)) modifications.push({ Resource: 'PROTOCOL', State: 'UPDATE_IN_PROGRESS' });
    // Applied at the END of UPDATING: DescribeWorkspaces shows the old values while UPDATING.
    this.schedule(ws, [
      { state: 'UPDATING', ms: this.timing.updatingMs, enter: (w) => { w.modifications = modifications; } },
      { state, ms: Infinity, enter: (w) => { w.props = next; w.modifications = []; } },
    ]);
    return {};
  }

  /** The service's limits on compute type changes, refused as it refuses them: the WorkSpace's state allows no such change now. */
  private checkComputeChangeLimit(ws: WsRecord, from: string | undefined, to: string): void {
    if (from === undefined || from === to) return;
    const larger = COMPUTE_ORDER.indexOf(to) > COMPUTE_ORDER.indexOf(from);
    const last = larger ? ws.computeIncreasedAt : ws.computeDecreasedAt;
    const every = larger ? LARGER_COMPUTE_EVERY_MS : SMALLER_COMPUTE_EVERY_MS;
    if (last !== undefined && this.clock() - last < every) {
      throw new ApiError('InvalidResourceStateException', `The compute type of WorkSpace ${ws.id} cannot be changed from ${from} to ${to} `
        + `now: it was changed to a ${larger ? 'larger' : 'smaller'} compute type less than ${larger ? '6 hours' : '30 days'} ago. `
        + 'You can change a WorkSpace to a larger compute type once every 6 hours, and to a smaller one once every 30 days.');
    }
  }

  terminateWorkspaces(body: any): any {
    return this.change(body, 'TerminateWorkspaceRequests', MAX_PER_REQUEST, (ws) => {
      const state = ws.phase.state;
      if (state === 'TERMINATING' || state === 'TERMINATED') return undefined; // already on its way
      if (state === 'SUSPENDED') {
        return [FAILED_REQUEST_CODES.invalidState, `The WorkSpace ${ws.id} is SUSPENDED and cannot be terminated.`];
      }
      this.schedule(ws, [
        { state: 'TERMINATING', ms: this.timing.terminatingMs },
        { state: 'TERMINATED', ms: this.timing.terminatedVisibleMs },
        { state: 'GONE', ms: Infinity },
      ]);
      return undefined;
    }, true);
  }

  startWorkspaces(body: any): any {
    return this.change(body, 'StartWorkspaceRequests', MAX_PER_REQUEST, (ws) => {
      if (ws.props.RunningMode === 'ALWAYS_ON') {
        return [FAILED_REQUEST_CODES.unsupportedConfiguration, `The WorkSpace ${ws.id} has running mode ALWAYS_ON and cannot be started.`];
      }
      if (ws.phase.state !== 'STOPPED') return stateFailure(ws, 'started', ['STOPPED']);
      this.schedule(ws, [{ state: 'STARTING', ms: this.timing.startingMs }, { state: 'AVAILABLE', ms: Infinity }]);
      return undefined;
    });
  }

  stopWorkspaces(body: any): any {
    return this.change(body, 'StopWorkspaceRequests', MAX_PER_REQUEST, (ws) => {
      if (ws.props.RunningMode === 'ALWAYS_ON') {
        return [FAILED_REQUEST_CODES.unsupportedConfiguration, `The WorkSpace ${ws.id} has running mode ALWAYS_ON and cannot be stopped.`];
      }
      const ok = ['AVAILABLE', 'IMPAIRED', 'UNHEALTHY', 'ERROR'];
      if (!ok.includes(ws.phase.state)) return stateFailure(ws, 'stopped', ok);
      this.schedule(ws, [{ state: 'STOPPING', ms: this.timing.stoppingMs }, { state: 'STOPPED', ms: Infinity }]);
      return undefined;
    });
  }

  rebootWorkspaces(body: any): any {
    return this.change(body, 'RebootWorkspaceRequests', MAX_PER_REQUEST, (ws) => {
      const ok = ['AVAILABLE', 'IMPAIRED', 'UNHEALTHY'];
      if (!ok.includes(ws.phase.state)) return stateFailure(ws, 'rebooted', ok);
      this.endSession(ws);
      this.schedule(ws, [{ state: 'REBOOTING', ms: this.timing.rebootingMs }, { state: 'AVAILABLE', ms: Infinity }]);
      return undefined;
    });
  }

  rebuildWorkspaces(body: any): any {
    return this.change(body, 'RebuildWorkspaceRequests', 1, (ws) => {
      const ok = ['AVAILABLE', 'ERROR', 'UNHEALTHY', 'STOPPED'];
      if (!ok.includes(ws.phase.state)) return stateFailure(ws, 'rebuilt', ok);
      this.schedule(ws, [
        { state: 'REBUILDING', ms: this.timing.rebuildingMs, enter: (w) => { w.errorCode = undefined; w.errorMessage = undefined; w.imageId = this.bundles.get(w.bundleId)?.imageId ?? w.imageId; } },
        { state: 'AVAILABLE', ms: Infinity, enter: (w) => { w.computerName ??= this.computerName(); } },
      ]);
      return undefined;
    });
  }

  createTags(body: any): any {
    const target = this.tagResource(body.ResourceId);
    if (!Array.isArray(body.Tags)) throw invalid('Tags is required.');
    checkTags(body.Tags, 'Tags');
    const merged = new Map(target.tags);
    for (const t of body.Tags as Tag[]) merged.set(t.Key!, t.Value ?? '');
    if (merged.size > MAX_TAGS) {
      throw new ApiError('ResourceLimitExceededException', `The resource ${target.id} would have ${merged.size} tags; at most ${MAX_TAGS} are allowed.`);
    }
    target.tags = merged;
    return {};
  }

  deleteTags(body: any): any {
    const target = this.tagResource(body.ResourceId);
    const keys = body.TagKeys;
    if (!Array.isArray(keys)) throw invalid('TagKeys is required.');
    keys.forEach((k: unknown) => checkString(k, 'TagKeys', { required: true, min: 1, max: 127 }));
    for (const k of keys) target.tags.delete(k);
    return {};
  }

  describeTags(body: any): any {
    const target = this.tagResource(body.ResourceId);
    return { TagList: [...target.tags].map(([Key, Value]) => ({ Key, Value })) };
  }

  /**
   * RegisterWorkspaceDirectory of a directory seeded as not registered (State DEREGISTERED: one
   * that exists in Directory Service): REGISTERING, then REGISTERED after `pendingMs`.
   */
  registerWorkspaceDirectory(body: any): any {
    checkString(body.DirectoryId, 'DirectoryId', { required: true, pattern: DIR_ID });
    if (body.SubnetIds !== undefined && (!Array.isArray(body.SubnetIds) || body.SubnetIds.length !== 2)) {
      throw invalid('SubnetIds must contain exactly 2 subnets in different Availability Zones.');
    }
    if (body.Tenancy !== undefined && !['SHARED', 'DEDICATED'].includes(body.Tenancy)) throw invalid(`Invalid Tenancy ${body.Tenancy}.`);
    const dir = this.registeredOrNot(body.DirectoryId);
    if (dir.State !== 'DEREGISTERED') {
      throw new ApiError('InvalidResourceStateException', `The directory ${body.DirectoryId} is ${dir.State}; only a directory that is not registered can be registered.`);
    }
    checkTags(body.Tags, 'Tags');
    if ((body.Tags?.length ?? 0) > MAX_TAGS) throw invalid(`A directory can have at most ${MAX_TAGS} tags.`);
    dir.State = 'REGISTERING';
    if (body.SubnetIds) dir.SubnetIds = [...body.SubnetIds];
    dir.Tenancy = body.Tenancy ?? 'SHARED';
    // A new registration starts from the service's defaults, whatever an earlier one had.
    dir.SelfservicePermissions = { ...DIRECTORY_DEFAULTS.SelfservicePermissions };
    dir.WorkspaceCreationProperties = { ...DIRECTORY_DEFAULTS.WorkspaceCreationProperties };
    dir.WorkspaceAccessProperties = { ...DIRECTORY_DEFAULTS.WorkspaceAccessProperties };
    this.directoryTags.set(body.DirectoryId, new Map((body.Tags ?? []).map((t: Tag) => [t.Key!, t.Value ?? ''])));
    this.directoryTransitions.set(body.DirectoryId, { to: 'REGISTERED', at: this.clock() + this.timing.pendingMs });
    return {};
  }

  /** DeregisterWorkspaceDirectory: DEREGISTERING, then DEREGISTERED after `terminatingMs`; refused while the directory has WorkSpaces. */
  deregisterWorkspaceDirectory(body: any): any {
    checkString(body.DirectoryId, 'DirectoryId', { required: true, pattern: DIR_ID });
    const dir = this.registered(body.DirectoryId);
    if (this.all().some((ws) => ws.directoryId === body.DirectoryId && ws.phase.state !== 'TERMINATED')) {
      throw new ApiError('InvalidResourceStateException', `The directory ${body.DirectoryId} cannot be deregistered while it has WorkSpaces.`);
    }
    dir.State = 'DEREGISTERING';
    this.directoryTags.delete(body.DirectoryId);
    this.directoryTransitions.set(body.DirectoryId, { to: 'DEREGISTERED', at: this.clock() + this.timing.terminatingMs });
    return {};
  }

  // The three Modify actions change only what they are given: a setting left out keeps its value.

  modifySelfservicePermissions(body: any): any {
    const dir = this.registered(body.ResourceId);
    const given = checkSettings(body.SelfservicePermissions, 'SelfservicePermissions', DIRECTORY_DEFAULTS.SelfservicePermissions, ['ENABLED', 'DISABLED']);
    dir.SelfservicePermissions = { ...dir.SelfservicePermissions, ...given };
    return {};
  }

  /**
   * A default OU, custom security group or instance role, once set, cannot be cleared: left out it
   * stays, and an empty value is refused (the security group's pattern and minimum length of 11;
   * the service's own answer to an empty DefaultOu).
   */
  modifyWorkspaceCreationProperties(body: any): any {
    const dir = this.registered(body.ResourceId);
    const given = body.WorkspaceCreationProperties;
    if (given === null || typeof given !== 'object' || Array.isArray(given)) throw invalid('WorkspaceCreationProperties is required.');
    const known = [...Object.keys(DIRECTORY_DEFAULTS.WorkspaceCreationProperties), 'DefaultOu', 'CustomSecurityGroupId', 'InstanceIamRoleArn'];
    for (const [key, value] of Object.entries(given)) {
      if (!known.includes(key)) throw new ApiError('SerializationException', `Unknown field WorkspaceCreationProperties.${key}.`);
      if (key in DIRECTORY_DEFAULTS.WorkspaceCreationProperties) {
        if (typeof value !== 'boolean') throw invalid(`WorkspaceCreationProperties.${key} must be a boolean.`);
      } else if (typeof value !== 'string') {
        throw invalid(`WorkspaceCreationProperties.${key} must be a string.`);
      }
    }
    if (given.CustomSecurityGroupId !== undefined && !SECURITY_GROUP_ID.test(given.CustomSecurityGroupId)) {
      throw invalid(`1 validation error detected: Value '${given.CustomSecurityGroupId}' at 'workspaceCreationProperties.customSecurityGroupId' `
        + `failed to satisfy constraint: Member must satisfy regular expression pattern: ${SECURITY_GROUP_ID.source}`);
    }
    if (given.DefaultOu !== undefined && !/^OU=.+,DC=.+,DC=.+/i.test(given.DefaultOu)) throw invalid(OUT_OF_RANGE);
    if (given.InstanceIamRoleArn !== undefined && !ROLE_ARN.test(given.InstanceIamRoleArn)) throw invalid(OUT_OF_RANGE);
    dir.WorkspaceCreationProperties = { ...dir.WorkspaceCreationProperties, ...given };
    return {};
  }

  modifyWorkspaceAccessProperties(body: any): any {
    const dir = this.registered(body.ResourceId);
    const given = checkSettings(body.WorkspaceAccessProperties, 'WorkspaceAccessProperties', DIRECTORY_DEFAULTS.WorkspaceAccessProperties, ['ALLOW', 'DENY']);
    dir.WorkspaceAccessProperties = { ...dir.WorkspaceAccessProperties, ...given };
    return {};
  }

  /** The tags of a registered directory (what DescribeTags answers), or undefined. */
  directoryTagsOf(directoryId: string): Record<string, string> | undefined {
    this.settleDirectories();
    if (this.directories.get(directoryId)?.State !== 'REGISTERED') return undefined;
    return Object.fromEntries(this.directoryTags.get(directoryId) ?? []);
  }

  /** The directory's live record, for the IP group and alias calls (network-model.ts), or undefined. */
  directoryRecord(directoryId: string): WorkspaceDirectory | undefined {
    this.settleDirectories();
    return this.directories.get(directoryId);
  }

  /** Every directory's id. */
  directoryIds(): string[] {
    return [...this.directories.keys()];
  }

  private registeredOrNot(directoryId: unknown): WorkspaceDirectory {
    checkString(directoryId, 'DirectoryId', { required: true, pattern: DIR_ID });
    this.settleDirectories();
    const dir = this.directories.get(directoryId as string);
    if (!dir) throw new ApiError('ResourceNotFoundException', `The specified directory ${directoryId} could not be found in the specified region.`);
    return dir;
  }

  private registered(directoryId: unknown): WorkspaceDirectory {
    const dir = this.registeredOrNot(directoryId);
    if (dir.State !== 'REGISTERED') {
      throw new ApiError('InvalidResourceStateException', `The directory ${directoryId} is ${dir.State}; it must be REGISTERED.`);
    }
    return dir;
  }

  private settleDirectories(): void {
    for (const [id, transition] of this.directoryTransitions) {
      if (this.clock() >= transition.at) {
        this.directories.get(id)!.State = transition.to as WorkspaceDirectory['State'];
        this.directoryTransitions.delete(id);
      }
    }
  }

  describeWorkspaceDirectories(body: any): any {
    this.settleDirectories();
    const ids: string[] | undefined = body.DirectoryIds ?? undefined;
    if (ids !== undefined) {
      if (!Array.isArray(ids) || ids.length < 1 || ids.length > MAX_PER_REQUEST) throw invalid(`DirectoryIds must contain between 1 and ${MAX_PER_REQUEST} items.`);
      ids.forEach((id: unknown) => checkString(id, 'DirectoryIds', { pattern: DIR_ID }));
    }
    const limit = checkLimit(body.Limit);
    const after = decodeToken(body.NextToken);
    const list = [...this.directories.values()]
      .map((d, i) => ({ d, i: i + 1 }))
      .filter(({ d }) => !ids || ids.includes(d.DirectoryId!));
    const { page, next } = paginate(list.filter(({ i }) => i > after), limit, ({ i }) => i);
    return {
      Directories: page.map(({ d }) => {
        const { users, ...rest } = d;
        void users;
        return rest;
      }),
      NextToken: next,
    };
  }

  describeWorkspaceBundles(body: any): any {
    const ids = body.BundleIds;
    const hasIds = ids !== undefined && ids !== null;
    const hasOwner = body.Owner !== undefined && body.Owner !== null;
    if (hasIds && hasOwner) throw invalid('BundleIds and Owner cannot be combined.');
    if (hasIds) {
      if (!Array.isArray(ids) || ids.length < 1 || ids.length > MAX_PER_REQUEST) throw invalid(`BundleIds must contain between 1 and ${MAX_PER_REQUEST} items.`);
      ids.forEach((id: unknown) => checkString(id, 'BundleIds', { pattern: BUNDLE_ID }));
    }
    const after = decodeToken(body.NextToken);
    const list = [...this.bundles.values()]
      .map((b, i) => ({ b, i: i + 1 }))
      .filter(({ b }) => (hasIds ? ids.includes(b.id) : b.owner === (hasOwner ? body.Owner : ACCOUNT_ID)));
    const { page, next } = paginate(list.filter(({ i }) => i > after), PAGE, ({ i }) => i);
    return {
      Bundles: page.map(({ b }): Omit<WorkspaceBundle, 'CreationTime' | 'LastUpdatedTime'> & Record<string, unknown> => ({
        BundleId: b.id,
        Name: b.name,
        Owner: b.owner,
        Description: b.description,
        ImageId: b.imageId,
        RootStorage: { Capacity: String(b.root) },
        UserStorage: { Capacity: String(b.user) },
        ComputeType: { Name: b.computeType },
        State: 'AVAILABLE',
        BundleType: 'REGULAR',
        // timestamps are epoch seconds on the wire
        CreationTime: b.createdAt / 1000,
        LastUpdatedTime: b.updatedAt / 1000,
      })),
      NextToken: next,
    };
  }

  // ---------------------------------------------------------------- helpers

  private newRecord(o: {
    id?: string;
    directoryId: string;
    userName: string;
    bundle: BundleRecord;
    dir: WorkspaceDirectory;
    props?: WorkspaceProperties;
    rootEnc: boolean;
    userEnc: boolean;
    key?: string;
    tags: Map<string, string>;
  }): WsRecord {
    const id = o.id ?? this.newId();
    const subnets = o.dir.SubnetIds ?? ['subnet-0a1b2c00'];
    const subnetIndex = this.prng.int(subnets.length);
    const runningMode = o.props?.RunningMode ?? 'ALWAYS_ON';
    const props: WorkspaceProperties = {
      RunningMode: runningMode,
      RootVolumeSizeGib: o.props?.RootVolumeSizeGib ?? o.bundle.root,
      UserVolumeSizeGib: o.props?.UserVolumeSizeGib ?? o.bundle.user,
      ComputeTypeName: o.props?.ComputeTypeName ?? o.bundle.computeType,
      Protocols: o.props?.Protocols ? [...o.props.Protocols] : [o.bundle.protocol],
      OperatingSystemName: o.bundle.os,
    };
    if (runningMode === 'AUTO_STOP') props.RunningModeAutoStopTimeoutInMinutes = o.props?.RunningModeAutoStopTimeoutInMinutes ?? 60;
    const now = this.clock();
    const ws: WsRecord = {
      seq: ++this.seq,
      id,
      directoryId: o.directoryId,
      userName: o.userName,
      bundleId: o.bundle.id,
      imageId: o.bundle.imageId,
      rootEnc: o.rootEnc,
      userEnc: o.userEnc,
      key: o.key,
      createdAt: now,
      subnetId: subnets[subnetIndex],
      plannedIp: `10.${this.directoryIndex(o.directoryId)}.${subnetIndex}.${10 + (this.seq % 240)}`,
      props,
      tags: o.tags,
      phase: { state: 'HIDDEN', ms: 0 },
      phaseEnd: now,
      queue: [],
      modifications: [],
      disconnectedByChange: 0,
    };
    this.workspaces.set(id, ws);
    return ws;
  }

  private directoryIndex(directoryId: string): number {
    return Math.max(0, [...this.directories.keys()].indexOf(directoryId));
  }

  private newId(): string {
    for (;;) {
      const id = `ws-${this.prng.chars('0123456789abcdefghijklmnopqrstuvwxyz', 9)}`;
      if (!this.workspaces.has(id)) return id;
    }
  }

  private computerName(): string {
    return `WSAMZN-${this.prng.chars('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', 8)}`;
  }

  private isForced(userName: string): boolean {
    const f = this.faults.forceErrorForUser;
    if (f === undefined) return false;
    return (Array.isArray(f) ? f : [f]).some((u) => u.toLowerCase() === userName.toLowerCase());
  }

  private schedule(ws: WsRecord, phases: Phase[]): void {
    const [first, ...rest] = phases;
    ws.phase = first;
    ws.phaseEnd = this.clock() + first.ms;
    ws.queue = rest;
    first.enter?.(ws);
    this.advance(ws);
  }

  /** Moves a WorkSpace through its phases up to the clock's now. */
  private advance(ws: WsRecord): void {
    const now = this.clock();
    while (now >= ws.phaseEnd && ws.queue.length > 0) {
      const start = ws.phaseEnd;
      ws.phase = ws.queue.shift()!;
      ws.phaseEnd = start + ws.phase.ms;
      ws.phase.enter?.(ws);
    }
    if (ws.phase.state === 'GONE') this.workspaces.delete(ws.id);
  }

  private all(): WsRecord[] {
    for (const ws of [...this.workspaces.values()]) this.advance(ws);
    return [...this.workspaces.values()].sort((a, b) => a.seq - b.seq);
  }

  /** The WorkSpace if it exists (and, unless includeHidden, is visible). */
  private live(id: string, includeHidden = false): WsRecord | undefined {
    const ws = this.workspaces.get(id);
    if (!ws) return undefined;
    this.advance(ws);
    if (!this.workspaces.has(id)) return undefined;
    if (!includeHidden && ws.phase.state === 'HIDDEN') return undefined;
    return ws;
  }

  private userWorkspace(directoryId: string, userName: string): WsRecord | undefined {
    return this.all().find((ws) => ws.directoryId === directoryId
      && ws.userName.toLowerCase() === userName.toLowerCase()
      && ws.phase.state !== 'TERMINATED');
  }

  /** A WorkSpace, or a registered directory (the API reference: "WorkSpaces, registered directories, ..."). */
  private tagResource(resourceId: unknown): { readonly id: string; tags: Map<string, string> } {
    checkString(resourceId, 'ResourceId', { required: true, min: 1 });
    if (DIR_ID.test(resourceId as string)) {
      this.settleDirectories();
      const id = resourceId as string;
      const dir = this.directories.get(id);
      if (!dir || dir.State !== 'REGISTERED') throw new ApiError('ResourceNotFoundException', `The resource ${id} could not be found.`);
      const tags = this.directoryTags;
      return {
        id,
        get tags() { return tags.get(id) ?? new Map<string, string>(); },
        set tags(value: Map<string, string>) { tags.set(id, value); },
      };
    }
    const ws = this.live(resourceId as string);
    if (!ws) throw new ApiError('ResourceNotFoundException', `The resource ${String(resourceId)} could not be found.`);
    return ws;
  }

  private change(
    body: any, member: string, max: number,
    act: (ws: WsRecord) => [string, string] | undefined,
    includeHidden = false,
  ): any {
    const requests = body[member];
    if (!Array.isArray(requests) || requests.length < 1 || requests.length > max) {
      throw invalid(`${member} must contain between 1 and ${max} items.`);
    }
    const failed: any[] = [];
    for (const r of requests) {
      const id = r?.WorkspaceId;
      checkString(id, `${member}.WorkspaceId`, { required: true, min: 1 });
      const ws = WS_ID.test(id) ? this.live(id, includeHidden) : undefined;
      const err: [string, string] | undefined = ws
        ? act(ws)
        : [FAILED_REQUEST_CODES.workspaceNotFound, `The WorkSpace ${id} could not be found.`];
      if (err) failed.push({ WorkspaceId: id, ErrorCode: err[0], ErrorMessage: err[1] });
    }
    return { FailedRequests: failed };
  }

  private describe(ws: WsRecord): Workspace {
    const out: Workspace = {
      WorkspaceId: ws.id,
      DirectoryId: ws.directoryId,
      UserName: ws.userName,
      IpAddress: ws.ipAddress,
      State: (ws.phase.state === 'HIDDEN' ? 'PENDING' : ws.phase.state) as WorkspaceState,
      BundleId: ws.bundleId,
      SubnetId: ws.ipAddress ? ws.subnetId : undefined,
      ErrorMessage: ws.errorMessage,
      ErrorCode: ws.errorCode,
      ComputerName: ws.computerName,
      VolumeEncryptionKey: ws.key,
      UserVolumeEncryptionEnabled: ws.userEnc,
      RootVolumeEncryptionEnabled: ws.rootEnc,
      WorkspaceProperties: { ...ws.props, Protocols: ws.props.Protocols ? [...ws.props.Protocols] : undefined },
      ModificationStates: ws.modifications.map((m) => ({ ...m })),
    };
    return out;
  }

  private snapshot(ws: WsRecord): WorkspaceSnapshot {
    const d = this.describe(ws);
    return {
      ...d,
      WorkspaceId: ws.id,
      DirectoryId: ws.directoryId,
      UserName: ws.userName,
      BundleId: ws.bundleId,
      State: d.State!,
      WorkspaceProperties: d.WorkspaceProperties!,
      Tags: Object.fromEntries(ws.tags),
      Visible: ws.phase.state !== 'HIDDEN',
      CreatedAt: ws.createdAt,
      ImageId: ws.imageId,
    };
  }
}

// -------------------------------------------------------------- validation

function checkString(v: unknown, name: string, o: { required?: boolean; min?: number; max?: number; pattern?: RegExp }): void {
  if (v === undefined || v === null) {
    if (o.required) throw invalid(`${name} is required.`);
    return;
  }
  if (typeof v !== 'string') throw invalid(`${name} must be a string.`);
  if (o.min !== undefined && v.length < o.min) throw invalid(`${name} must be at least ${o.min} characters long.`);
  if (o.max !== undefined && v.length > o.max) throw invalid(`${name} must be at most ${o.max} characters long (got ${v.length}).`);
  if (o.pattern && !o.pattern.test(v)) throw invalid(`The value ${v} of ${name} does not match ${o.pattern}.`);
}

/** A group of directory settings: only the service's names, each with one of its values. */
function checkSettings(given: unknown, name: string, known: Readonly<Record<string, string>>, values: readonly string[]): Record<string, string> {
  if (given === null || typeof given !== 'object' || Array.isArray(given)) throw invalid(`${name} is required.`);
  for (const [key, value] of Object.entries(given)) {
    if (!(key in known)) throw new ApiError('SerializationException', `Unknown field ${name}.${key}.`);
    if (!values.includes(value as string)) throw invalid(`Invalid value ${String(value)} for ${name}.${key}: must be one of ${values.join(', ')}.`);
  }
  return given as Record<string, string>;
}

function checkTags(tags: unknown, name: string): void {
  if (tags === undefined || tags === null) return;
  if (!Array.isArray(tags)) throw invalid(`${name} must be a list of tags.`);
  for (const t of tags) {
    if (t === null || typeof t !== 'object') throw invalid(`${name} must be a list of tags.`);
    checkString(t.Key, `${name}.Key`, { required: true, min: 1, max: 127 });
    checkString(t.Value, `${name}.Value`, { max: 255 });
    if ((t.Key as string).toLowerCase().startsWith('aws:')) throw invalid(`Tag keys cannot start with "aws:" (${t.Key}).`);
  }
}

function checkLimit(limit: unknown): number {
  if (limit === undefined || limit === null) return PAGE;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > PAGE) {
    throw invalid(`Limit must be a whole number between 1 and ${PAGE} (got ${String(limit)}).`);
  }
  return limit;
}

const TOKEN_PREFIX = 'lwt1.';

function decodeToken(token: unknown): number {
  if (token === undefined || token === null) return 0;
  if (typeof token !== 'string' || token.length < 1 || token.length > 63 || !token.startsWith(TOKEN_PREFIX)) {
    throw invalid('The NextToken is not valid.');
  }
  const n = Number(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8'));
  if (!Number.isInteger(n) || n < 0) throw invalid('The NextToken is not valid.');
  return n;
}

function paginate<T>(items: T[], limit: number, key: (t: T) => number): { page: T[]; next?: string } {
  const page = items.slice(0, limit);
  const next = items.length > limit
    ? TOKEN_PREFIX + Buffer.from(String(key(page[page.length - 1])), 'utf8').toString('base64url')
    : undefined;
  return { page, next };
}

function timeoutError(t: unknown): string | undefined {
  if (typeof t !== 'number' || !Number.isInteger(t) || t < 60 || t % 60 !== 0) {
    return `RunningModeAutoStopTimeoutInMinutes must be a positive multiple of 60 (got ${String(t)}).`;
  }
  return undefined;
}

function createPropertiesError(p: WorkspaceProperties | undefined, bundle: BundleRecord): { code: string; message: string } | undefined {
  if (p === undefined || p === null) return undefined;
  const bad = (message: string) => ({ code: FAILED_REQUEST_CODES.invalidParameter, message });
  const mode: RunningMode = p.RunningMode ?? 'ALWAYS_ON';
  if (!RUNNING_MODES.includes(mode)) return bad(`RunningMode ${mode} is not valid.`);
  const timeout = p.RunningModeAutoStopTimeoutInMinutes;
  if (timeout !== undefined && timeout !== null) {
    if (mode === 'ALWAYS_ON') {
      return { code: FAILED_REQUEST_CODES.autoStopTimeoutWithAlwaysOn, message: 'RunningModeAutoStopTimeoutInMinutes is not applicable for WorkSpace with running mode set to ALWAYS_ON.' };
    }
    if (mode === 'MANUAL') {
      return { code: FAILED_REQUEST_CODES.autoStopTimeoutWithManual, message: 'RunningModeAutoStopTimeoutInMinutes is not applicable for WorkSpace with running mode set to MANUAL.' };
    }
    const err = timeoutError(timeout);
    if (err) return bad(err);
  }
  if (p.ComputeTypeName !== undefined && !COMPUTE.includes(p.ComputeTypeName)) return bad(`ComputeTypeName ${p.ComputeTypeName} is not valid.`);
  if (p.Protocols !== undefined && (!Array.isArray(p.Protocols) || p.Protocols.length !== 1 || !PROTOCOLS.includes(p.Protocols[0]))) {
    return bad(`Protocols must be exactly one of ${PROTOCOLS.join(', ')}.`);
  }
  if (p.RootVolumeSizeGib !== undefined || p.UserVolumeSizeGib !== undefined) {
    const err = volumeSizesError(p.RootVolumeSizeGib ?? bundle.root, p.UserVolumeSizeGib ?? bundle.user);
    if (err) return bad(err);
  }
  return undefined;
}

function stateFailure(ws: WsRecord, verb: string, allowed: string[]): [string, string] {
  return [FAILED_REQUEST_CODES.invalidState, `The WorkSpace ${ws.id} is in state ${ws.phase.state} and cannot be ${verb}; it must be ${allowed.join(', ')}.`];
}
