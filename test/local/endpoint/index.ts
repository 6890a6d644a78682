/**
 * A local Amazon WorkSpaces endpoint for tests (never published).
 *
 * Speaks AWS JSON 1.1 on http://127.0.0.1:PORT like the real service, so the
 * unmodified `@aws-sdk/client-workspaces` can talk to it (via `endpoint` or the
 * `AWS_ENDPOINT_URL_WORKSPACES` environment variable). Signatures are ignored.
 * WorkSpaces move through their states in simulated time driven by the real
 * clock, with short configurable durations, and faults can be injected per test.
 *
 * See README.md in this folder for the behaviour and the error codes.
 */
import { randomUUID } from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { CustomBundleSnapshot, DEFAULT_IMAGE_TIMING, ImageFaults, ImageModel, ImageSnapshot, ImageTiming } from './image-model';
import { MigrationModel, MigrationRecord } from './migration-model';
import {
  ApiError,
  BundleInput,
  DEFAULT_TIMING,
  DirectoryInput,
  ConnectionSnapshot,
  ModelFaults,
  SeedWorkspaceInput,
  Timing,
  WorkspaceSnapshot,
  WorkspacesModel,
} from './model';
import { AliasSnapshot, DEFAULT_NETWORK_TIMING, NetworkModel, NetworkTiming } from './network-model';
import { Prng } from './prng';
import { StandbyModel, StandbySnapshot } from './standby-model';

export {
  ACCOUNT_ID,
  DEFAULT_BUNDLE_ID,
  DEFAULT_DIRECTORY_ID,
  DEFAULT_TIMING,
  FAILED_REQUEST_CODES,
  volumeSizesError,
} from './model';
export type { BundleInput, ConnectionSnapshot, DirectoryInput, SeedWorkspaceInput, Timing, WorkspaceSnapshot } from './model';
export { CUSTOM_BUNDLE_QUOTA, DEFAULT_IMAGE_TIMING, IMAGE_QUOTA } from './image-model';
export type { CustomBundleSnapshot, ImageSnapshot, ImageTiming } from './image-model';
export { DEFAULT_NETWORK_TIMING } from './network-model';
export type { AliasSnapshot, NetworkTiming } from './network-model';
export type { StandbySnapshot } from './standby-model';
export type { MigrationRecord } from './migration-model';

/** The operations this endpoint implements (X-Amz-Target `WorkspacesService.<name>`). */
export const OPERATIONS = [
  'CreateWorkspaces',
  'DescribeWorkspaces',
  'ModifyWorkspaceProperties',
  'TerminateWorkspaces',
  'CreateTags',
  'DeleteTags',
  'DescribeTags',
  'StartWorkspaces',
  'StopWorkspaces',
  'RebootWorkspaces',
  'RebuildWorkspaces',
  'DescribeWorkspaceDirectories',
  'DescribeWorkspaceBundles',
  'DescribeWorkspacesConnectionStatus',
  'RegisterWorkspaceDirectory',
  'DeregisterWorkspaceDirectory',
  'ModifySelfservicePermissions',
  'ModifyWorkspaceCreationProperties',
  'ModifyWorkspaceAccessProperties',
  // IP access control groups and connection aliases (network-model.ts).
  'CreateIpGroup',
  'DescribeIpGroups',
  'UpdateRulesOfIpGroup',
  'DeleteIpGroup',
  'AssociateIpGroups',
  'DisassociateIpGroups',
  'CreateConnectionAlias',
  'DescribeConnectionAliases',
  'DeleteConnectionAlias',
  'AssociateConnectionAlias',
  'DisassociateConnectionAlias',
  // Standby WorkSpaces (standby-model.ts), across endpoints linked with linkRegion().
  'CreateStandbyWorkspaces',
  // Custom images and bundles (image-model.ts).
  'CreateWorkspaceImage',
  'DescribeWorkspaceImages',
  'DeleteWorkspaceImage',
  'CreateWorkspaceBundle',
  'UpdateWorkspaceBundle',
  'DeleteWorkspaceBundle',
  // Bundle migration and the snapshots it restores from (migration-model.ts).
  'MigrateWorkspace',
  'DescribeWorkspaceSnapshots',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/**
 * Faults, switchable at any time (mutate `endpoint.faults` in a test; `resetFaults()` restores the defaults).
 * Request-level faults are decided before the operation runs, in this order:
 * rate limit, throttle, server error.
 */
export interface Faults extends ModelFaults, ImageFaults {
  /** Share (0..1) of requests answered 400 `ThrottlingException`. @default 0 */
  throttleRate: number;
  /** Share (0..1) of requests answered 500 `InternalFailure` or 503 `ServiceUnavailable` (half each). @default 0 */
  serverErrorRate: number;
  /** Token bucket: requests beyond this rate get 400 `ThrottlingException`. 0 or undefined = no limit. */
  rateLimitPerSecond?: number;
  /** Bucket size (burst). @default rateLimitPerSecond */
  rateLimitBurst?: number;
  /** One bucket for all operations ('global') or one per operation ('operation'). @default 'global' */
  rateLimitScope?: 'global' | 'operation';
  /** Limit the three request-level faults above to these operations. @default all operations */
  operations?: string[];
  /** New WorkSpaces of this user (or these users) go PENDING -> ERROR instead of AVAILABLE. */
  forceErrorForUser?: string | string[];
  /** ErrorCode of a forced ERROR. @default 'InternalError' */
  forcedErrorCode?: string;
  /** ErrorMessage of a forced ERROR. @default a message naming the user */
  forcedErrorMessage?: string;
  /** Invisible window for WorkSpaces created while set, instead of `timing.invisibleMs`. */
  invisibleMs?: number;
}

export interface LocalWorkspacesOptions {
  /** Port on 127.0.0.1. @default 0 (a free port) */
  readonly port?: number;
  /** Durations; unset ones take DEFAULT_TIMING. */
  readonly timing?: Partial<Timing>;
  /** PRNG seed: ids and fault decisions are reproducible for a given seed and request order. @default 1 */
  readonly seed?: number;
  /** Initial faults. */
  readonly faults?: Partial<Faults>;
  /** The clock (ms). @default Date.now */
  readonly clock?: () => number;
  /** The Region this endpoint stands for (AWS_REGION of env(), the region of clientConfig()). @default 'us-east-1' */
  readonly region?: string;
  /** Durations of the IP group and alias transitions; unset ones take DEFAULT_NETWORK_TIMING. */
  readonly networkTiming?: Partial<NetworkTiming>;
  /** Durations of image capture and bundle creation; unset ones take DEFAULT_IMAGE_TIMING. */
  readonly imageTiming?: Partial<ImageTiming>;
}

/** A call to authorize, as the service hands it to IAM: who asks, for what, on what. */
export interface AuthorizationRequest {
  /** The access key id of the request's signature: which caller (role) asks. */
  readonly accessKeyId: string;
  readonly operation: string;
  /** The request's JSON body. */
  readonly body: any;
  /** The tags a WorkSpace, image or custom bundle has now (undefined when there is none): aws:ResourceTag. */
  tagsOf(resourceId: string): Readonly<Record<string, string>> | undefined;
}

/**
 * Decides a call as IAM would: undefined allows it, a message denies it (answered 400
 * AccessDeniedException, nothing changed).
 */
export type Authorizer = (request: AuthorizationRequest) => Promise<string | undefined>;

/** One answered request, as kept by callLog(). */
export interface CallRecord {
  /** Clock time (ms). */
  readonly at: number;
  /** The operation named by X-Amz-Target (or '' when missing). */
  readonly operation: string;
  readonly status: number;
  /** The `__type` of an error answer. */
  readonly errorType?: string;
  /** Set when the answer was an injected fault. */
  readonly fault?: 'throttle' | 'rateLimit' | 'serverError';
}

const MAX_LOG = 10_000;
const MAX_BODY = 1024 * 1024;
const CONTENT_TYPE = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'WorkspacesService.';

const defaultFaults = (): Faults => ({ throttleRate: 0, serverErrorRate: 0 });

export class LocalWorkspaces {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Mutable per test. */
  readonly faults: Faults;
  /** Authorizes each call, as IAM would, when set (a test sets it). @default every call is allowed */
  authorize?: Authorizer;
  readonly timing: Timing;
  /** The Region this endpoint stands for. */
  readonly region: string;
  private readonly model: WorkspacesModel;
  private readonly network: NetworkModel;
  private readonly standby: StandbyModel;
  private readonly images: ImageModel;
  private readonly migration: MigrationModel;
  private readonly faultPrng: Prng;
  private counts = new Map<string, number>();
  private log: CallRecord[] = [];
  private forcedBase = 0;
  private readonly buckets = new Map<string, { rate: number; burst: number; tokens: number; at: number }>();

  /** Use startLocalWorkspaces(). */
  constructor(
    private readonly server: http.Server,
    model: WorkspacesModel,
    faults: Faults,
    timing: Timing,
    seed: number,
    private readonly clock: () => number,
    region = 'us-east-1',
    networkTiming: NetworkTiming = DEFAULT_NETWORK_TIMING,
    imageTiming: ImageTiming = DEFAULT_IMAGE_TIMING,
  ) {
    this.region = region;
    this.network = new NetworkModel(networkTiming, clock, new Prng(seed * 31 + 7), model);
    this.standby = new StandbyModel(region, model);
    this.images = new ImageModel(model, imageTiming, clock, new Prng(seed * 131 + 3), faults);
    this.migration = new MigrationModel(model.migrationAccess());
    const { port } = server.address() as AddressInfo;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.model = model;
    this.faults = faults;
    this.timing = timing;
    this.faultPrng = new Prng(seed * 7919 + 17);
    server.on('request', (req, res) => this.onRequest(req, res));
  }

  /** Settings for `new WorkSpacesClient(...)`. */
  clientConfig(): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } } {
    return { endpoint: this.url, region: this.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  }

  /** Environment variables that point the standard SDK settings at this endpoint. */
  env(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_WORKSPACES: this.url,
      AWS_REGION: this.region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    };
  }

  /** Every WorkSpace that exists and is not TERMINATED (includes ones still invisible, with Visible false). */
  inventory(options: { includeTerminated?: boolean } = {}): WorkspaceSnapshot[] {
    return this.model.inventory(options.includeTerminated ?? false);
  }

  /**
   * Request counts since start or resetCalls(): `total`, one key per operation (faulted requests
   * included), `fault:throttle`, `fault:rateLimit`, `fault:serverError`, `fault:forcedError`
   * (WorkSpaces created to fail), `faults` (sum of the request-level faults), and `error:<__type>`
   * for every error answer.
   */
  calls(): Record<string, number> {
    const out: Record<string, number> = { 'total': 0, 'faults': 0, 'fault:throttle': 0, 'fault:rateLimit': 0, 'fault:serverError': 0 };
    for (const [k, v] of this.counts) out[k] = v;
    out['fault:forcedError'] = this.model.forcedErrorCount - this.forcedBase;
    return out;
  }

  resetCalls(): void {
    this.counts = new Map();
    this.log = [];
    this.forcedBase = this.model.forcedErrorCount;
  }

  /** The last 10,000 answered requests, oldest first. */
  callLog(): CallRecord[] {
    return [...this.log];
  }

  /** Back to no faults (the same `faults` object, emptied). */
  resetFaults(): void {
    for (const k of Object.keys(this.faults)) delete (this.faults as unknown as Record<string, unknown>)[k];
    Object.assign(this.faults, defaultFaults());
    this.buckets.clear();
  }

  /** Every connection alias (DELETING included), with its association and the time of its last change. */
  aliasInventory(): AliasSnapshot[] {
    return this.network.aliasInventory();
  }

  /** Every IP access control group, with its rules and the directories it is associated with. */
  ipGroupInventory(): Array<{ GroupId: string; GroupName: string; Rules: string[]; Directories: string[] }> {
    return this.network.ipGroupInventory();
  }

  /**
   * Make this endpoint and another (of another Region) know each other, as Regions of one
   * account: CreateStandbyWorkspaces here finds a primary there, and the other way round.
   */
  linkRegion(other: LocalWorkspaces): void {
    if (other.region === this.region) {
      throw new Error(`both endpoints stand for ${this.region}; give one another region`);
    }
    this.standby.link(other.standby);
  }

  /** The standby WorkSpaces of this Region that exist, with their primary. */
  standbyInventory(): StandbySnapshot[] {
    return this.standby.inventory();
  }

  /** Every custom image of the account, in any state. */
  imageInventory(): ImageSnapshot[] {
    return this.images.imageInventory();
  }

  /** Every custom bundle made through CreateWorkspaceBundle, with its image. */
  customBundleInventory(): CustomBundleSnapshot[] {
    return this.images.customBundleInventory();
  }

  /**
   * Writes a value to the WorkSpace's user volume now, as its connected user would: the user's
   * last connection (LastKnownUserConnectionTimestamp) becomes now. A migration restores the user
   * volume from the last snapshot, so what was written after it is lost.
   */
  writeUserData(workspaceId: string, key: string, value: string): void {
    this.migration.writeUserData(workspaceId, key, value);
  }

  /** The WorkSpace's user volume now (what a test wrote to it, or what a migration restored). */
  userVolume(workspaceId: string): Record<string, string> {
    return this.migration.userVolume(workspaceId);
  }

  /** Snapshots the WorkSpace's volumes now, beside the regular snapshots (Timing.snapshotIntervalMs). */
  takeSnapshot(workspaceId: string): void {
    this.migration.takeSnapshot(workspaceId);
  }

  /** Clock times (ms) of the WorkSpace's snapshots so far, oldest first. */
  snapshotTimes(workspaceId: string): number[] {
    return this.migration.snapshotTimes(workspaceId);
  }

  /** MigrateWorkspace to this bundle is accepted and then fails: the new WorkSpace goes, the original keeps its id. */
  failMigrationsTo(bundleId: string): void {
    this.migration.failMigrationsTo(bundleId);
  }

  /** Every MigrateWorkspace the endpoint accepted, with its outcome once known. */
  migrations(): MigrationRecord[] {
    return this.migration.migrations();
  }

  /** Register another directory (id `^d-[0-9a-f]{8,63}$`). */
  addDirectory(directoryId: string, input: DirectoryInput = {}): void {
    this.model.addDirectory(directoryId, input);
  }

  /** A registered directory's tags (CreateTags and DeleteTags take a directory id), or undefined when it is not registered. */
  directoryTags(directoryId: string): Record<string, string> | undefined {
    return this.model.directoryTagsOf(directoryId);
  }

  /** Add a bundle (id `^wsb-[0-9a-z]{8,63}$`); owner defaults to the account (ACCOUNT_ID). */
  addBundle(bundleId: string, input: BundleInput = {}): void {
    this.model.addBundle(bundleId, input);
  }

  /** Put a WorkSpace in place directly (visible at once, in `State`, default AVAILABLE), e.g. a foreign one. */
  seedWorkspace(input: SeedWorkspaceInput): WorkspaceSnapshot {
    return this.model.seedWorkspace(input);
  }

  /** Force an existing WorkSpace into a steady state (e.g. SUSPENDED, ERROR, STOPPED). */
  setWorkspaceState(workspaceId: string, state: NonNullable<WorkspaceSnapshot['State']>, error?: { code: string; message: string }): void {
    this.model.setWorkspaceState(workspaceId, state, error);
  }

  /**
   * The WorkSpace's user is connected (since `connectedMsAgo`, default now) and stays for `forMs`
   * (default: for good); a compute type or protocol change or a reboot ends the session.
   */
  connectUser(workspaceId: string, forMs?: number, connectedMsAgo?: number): void {
    this.model.connectUser(workspaceId, forMs, connectedMsAgo);
  }

  /** The WorkSpace's user leaves now. */
  disconnectUser(workspaceId: string): void {
    this.model.disconnectUser(workspaceId);
  }

  /** The WorkSpace's connection state as DescribeWorkspacesConnectionStatus reports it, and how often a change disconnected the user. */
  connection(workspaceId: string): ConnectionSnapshot {
    return this.model.connection(workspaceId);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private count(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      try {
        this.answer(req, Buffer.concat(chunks).toString('utf8'), size > MAX_BODY, res);
      } catch (e) {
        this.send(res, '', 500, { __type: 'InternalFailure', message: `local endpoint bug: ${(e as Error).message}` });
      }
    });
  }

  private answer(req: http.IncomingMessage, text: string, tooLarge: boolean, res: http.ServerResponse): void {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    this.count('total');
    this.count(operation || '(none)');
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'POST' || path !== '/') {
      return this.send(res, operation, 404, { __type: 'UnknownOperationException', message: `${req.method} ${path} is not an operation of this service.` });
    }
    if (!target.startsWith(TARGET_PREFIX) || !(OPERATIONS as readonly string[]).includes(operation)) {
      return this.send(res, operation, 400, { __type: 'UnknownOperationException', message: `Unknown operation: X-Amz-Target "${target}".` });
    }
    const contentType = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (contentType !== CONTENT_TYPE) {
      return this.send(res, operation, 400, { __type: 'SerializationException', message: `Content-Type must be ${CONTENT_TYPE} (got "${contentType}").` });
    }
    if (tooLarge) {
      return this.send(res, operation, 413, { __type: 'SerializationException', message: 'Request body too large.' });
    }
    const fault = this.injectFault(operation);
    if (fault) {
      this.count(`fault:${fault.kind}`);
      this.count('faults');
      return this.send(res, operation, fault.status, { __type: fault.type, message: fault.message }, fault.kind);
    }
    let body: any;
    try {
      body = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      return this.send(res, operation, 400, { __type: 'SerializationException', message: 'The request body is not valid JSON.' });
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      return this.send(res, operation, 400, { __type: 'SerializationException', message: 'The request body must be a JSON object.' });
    }
    if (this.authorize) {
      const accessKeyId = /Credential=([^/,\s]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
      const tagsOf = (id: string) => this.model.inventory(true).find((w) => w.WorkspaceId === id)?.Tags ?? this.images.resourceTags(id);
      this.authorize({ accessKeyId, operation, body, tagsOf }).then(
        (denial) => (denial === undefined
          ? this.execute(res, operation, body)
          : this.send(res, operation, 400, { __type: 'AccessDeniedException', message: denial })),
        (e) => this.send(res, operation, 500, { __type: 'InternalFailure', message: `local endpoint bug: ${(e as Error).message}` }),
      );
      return;
    }
    return this.execute(res, operation, body);
  }

  private execute(res: http.ServerResponse, operation: string, body: any): void {
    let out: unknown;
    try {
      out = this.dispatch(operation as Operation, body);
    } catch (e) {
      if (e instanceof ApiError) return this.send(res, operation, e.status, { __type: e.type, message: e.message });
      throw e;
    }
    return this.send(res, operation, 200, out);
  }

  private dispatch(operation: Operation, body: any): unknown {
    const m = this.model;
    const n = this.network;
    const i = this.images;
    const tagsBy = (id: unknown) => (i.ownsResource(id) ? i : n.ownsResource(id) ? n : m);
    switch (operation) {
      case 'CreateWorkspaces': return m.createWorkspaces(body);
      case 'DescribeWorkspaces': return this.standby.decorate(m.describeWorkspaces(body));
      case 'ModifyWorkspaceProperties': return this.standby.modifyDataReplication(body) ?? m.modifyWorkspaceProperties(body);
      case 'TerminateWorkspaces': return m.terminateWorkspaces(body);
      case 'CreateTags': return tagsBy(body.ResourceId).createTags(body);
      case 'DeleteTags': return tagsBy(body.ResourceId).deleteTags(body);
      case 'DescribeTags': return tagsBy(body.ResourceId).describeTags(body);
      case 'StartWorkspaces': return m.startWorkspaces(body);
      case 'StopWorkspaces': return m.stopWorkspaces(body);
      case 'RebootWorkspaces': return m.rebootWorkspaces(body);
      case 'RebuildWorkspaces': return m.rebuildWorkspaces(body);
      case 'DescribeWorkspaceDirectories': return m.describeWorkspaceDirectories(body);
      case 'RegisterWorkspaceDirectory': return m.registerWorkspaceDirectory(body);
      case 'DeregisterWorkspaceDirectory': return m.deregisterWorkspaceDirectory(body);
      case 'ModifySelfservicePermissions': return m.modifySelfservicePermissions(body);
      case 'ModifyWorkspaceCreationProperties': return m.modifyWorkspaceCreationProperties(body);
      case 'ModifyWorkspaceAccessProperties': return m.modifyWorkspaceAccessProperties(body);
      case 'DescribeWorkspaceBundles': return i.decorateBundles(m.describeWorkspaceBundles(body));
      case 'DescribeWorkspacesConnectionStatus': return m.describeWorkspacesConnectionStatus(body);
      case 'CreateIpGroup': return n.createIpGroup(body);
      case 'DescribeIpGroups': return n.describeIpGroups(body);
      case 'UpdateRulesOfIpGroup': return n.updateRulesOfIpGroup(body);
      case 'DeleteIpGroup': return n.deleteIpGroup(body);
      case 'AssociateIpGroups': return n.associateIpGroups(body);
      case 'DisassociateIpGroups': return n.disassociateIpGroups(body);
      case 'CreateConnectionAlias': return n.createConnectionAlias(body);
      case 'DescribeConnectionAliases': return n.describeConnectionAliases(body);
      case 'DeleteConnectionAlias': return n.deleteConnectionAlias(body);
      case 'AssociateConnectionAlias': return n.associateConnectionAlias(body);
      case 'DisassociateConnectionAlias': return n.disassociateConnectionAlias(body);
      case 'CreateStandbyWorkspaces': return this.standby.createStandbyWorkspaces(body);
      case 'CreateWorkspaceImage': return i.createWorkspaceImage(body);
      case 'DescribeWorkspaceImages': return i.describeWorkspaceImages(body);
      case 'DeleteWorkspaceImage': return i.deleteWorkspaceImage(body);
      case 'CreateWorkspaceBundle': return i.createWorkspaceBundle(body);
      case 'UpdateWorkspaceBundle': return i.updateWorkspaceBundle(body);
      case 'DeleteWorkspaceBundle': return i.deleteWorkspaceBundle(body);
      case 'MigrateWorkspace': return this.migration.migrateWorkspace(body);
      case 'DescribeWorkspaceSnapshots': return this.migration.describeWorkspaceSnapshots(body);
    }
  }

  private injectFault(operation: string): { kind: 'throttle' | 'rateLimit' | 'serverError'; status: number; type: string; message: string } | undefined {
    const f = this.faults;
    if (f.operations && !f.operations.includes(operation)) return undefined;
    const rate = f.rateLimitPerSecond ?? 0;
    if (rate > 0 && !this.takeToken(f.rateLimitScope === 'operation' ? operation : '*', rate, f.rateLimitBurst ?? rate)) {
      return { kind: 'rateLimit', status: 400, type: 'ThrottlingException', message: `Rate exceeded (local limit ${rate} requests per second).` };
    }
    if (f.throttleRate > 0 && this.faultPrng.next() < f.throttleRate) {
      return { kind: 'throttle', status: 400, type: 'ThrottlingException', message: 'Rate exceeded' };
    }
    if (f.serverErrorRate > 0 && this.faultPrng.next() < f.serverErrorRate) {
      return this.faultPrng.next() < 0.5
        ? { kind: 'serverError', status: 500, type: 'InternalFailure', message: 'The request processing has failed because of an unknown error, exception or failure.' }
        : { kind: 'serverError', status: 503, type: 'ServiceUnavailable', message: 'The request has failed due to a temporary failure of the server.' };
    }
    return undefined;
  }

  private takeToken(key: string, rate: number, burst: number): boolean {
    const now = this.clock();
    let b = this.buckets.get(key);
    if (!b || b.rate !== rate || b.burst !== burst) {
      b = { rate, burst, tokens: burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(b.burst, b.tokens + ((now - b.at) / 1000) * b.rate);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private send(res: http.ServerResponse, operation: string, status: number, body: unknown, fault?: CallRecord['fault']): void {
    const errorType = status >= 300 ? (body as { __type: string }).__type : undefined;
    if (errorType) this.count(`error:${errorType}`);
    this.log.push({ at: this.clock(), operation, status, errorType, fault });
    if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
    const payload = JSON.stringify(body ?? {});
    res.writeHead(status, {
      'Content-Type': CONTENT_TYPE,
      'Content-Length': Buffer.byteLength(payload),
      'x-amzn-RequestId': randomUUID(),
      // The endpoint's own clock, which a compressed-time scenario shares with the handlers: with
      // the real time here, the SDK would see minutes of skew, mark every error response as
      // clock-skew corrected and retry it as temporary, so no refusal would ever look permanent.
      'Date': new Date(this.clock()).toUTCString(),
    });
    res.end(payload);
  }
}

/** Start a local endpoint on 127.0.0.1 (a free port unless `port` is given). Call `stop()` when done. */
export async function startLocalWorkspaces(options: LocalWorkspacesOptions = {}): Promise<LocalWorkspaces> {
  const timing: Timing = { ...DEFAULT_TIMING, ...definedOnly(options.timing ?? {}) };
  const seed = options.seed ?? 1;
  const clock = options.clock ?? Date.now;
  const faults: Faults = { ...defaultFaults(), ...(options.faults ?? {}) };
  const model = new WorkspacesModel(timing, clock, new Prng(seed), faults);
  const server = http.createServer();
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const networkTiming: NetworkTiming = { ...DEFAULT_NETWORK_TIMING, ...definedOnly(options.networkTiming ?? {}) };
  const imageTiming: ImageTiming = { ...DEFAULT_IMAGE_TIMING, ...definedOnly(options.imageTiming ?? {}) };
  return new LocalWorkspaces(server, model, faults, timing, seed, clock, options.region, networkTiming, imageTiming);
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
