// Helpers for scenarios.test.ts: start a local endpoint and a LocalStack wired to it, declare
// WorkSpaces as a CDK app would, and check the endpoint's inventory against what the stack declares.
import { App, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CallRecord, LocalWorkspaces, startLocalWorkspaces, WorkspaceSnapshot } from './endpoint';
import type { Faults, ImageTiming, Timing } from './endpoint';
import { Handler, Handlers, LocalStack, LocalStackOptions, loadBundledHandlers, workspacesOf } from './runner';
import { parseOwnership, resourcePart, stackUuid } from '../../lambda/core/ownership';
import { Workspace, WorkspaceProps, WorkspaceBundle } from '../../src';
import { MIGRATION_TAG_KEY, OWNERSHIP_TAG_KEY } from '../../src/private/rules';
import { directory } from '../directories';

export const DIRECTORY_ID = 'd-1234567890';
/** STANDARD, root 80 GiB, user 50 GiB. */
export const BUNDLE_ID = 'wsb-12345678';
/** VALUE, root 80 GiB, user 10 GiB. */
export const VALUE_BUNDLE_ID = 'wsb-23456789';
/** PERFORMANCE, root 175 GiB, user 100 GiB. */
export const PERFORMANCE_BUNDLE_ID = 'wsb-34567890';

/** The API calls that change something at the service. */
export const MUTATING_OPERATIONS = ['CreateWorkspaces', 'ModifyWorkspaceProperties', 'TerminateWorkspaces', 'CreateTags', 'DeleteTags'];

type Json = any;

export interface ScenarioOptions {
  readonly timing?: Partial<Timing>;
  /** Image capture and bundle creation times (the endpoint's clock). */
  readonly imageTiming?: Partial<ImageTiming>;
  readonly faults?: Partial<Faults>;
  readonly seed?: number;
  /** The endpoint's clock (ms), e.g. a HeldClock's `now`. @default Date.now */
  readonly clock?: () => number;
  /** The Provider's queryInterval. @default 20 */
  readonly pollIntervalMs?: number;
  /**
   * The handlers' clock runs this many times faster than real time (their `Date` and
   * `setTimeout`): the SDK's retry backoff and adaptive rate limiting, which wait seconds
   * against throttling, pass in a test's time while deciding exactly as they would. The
   * endpoint keeps real time. @default 1
   */
  readonly handlerSpeedUp?: number;
  /** Wraps the bundled handlers, e.g. to replay an invocation. */
  readonly wrapHandlers?: (handlers: Handlers) => Handlers;
  /** The access key id each handler signs with (see LoadHandlersOptions). @default the environment's */
  readonly accessKeyIds?: { readonly onEvent: string; readonly isComplete: string };
  readonly stackOptions?: Omit<LocalStackOptions, 'handlers' | 'handlerLog' | 'pollIntervalMs'>;
}

export interface Scenario {
  readonly endpoint: LocalWorkspaces;
  readonly stack: LocalStack;
  /** What the bundled handlers logged, in order. */
  readonly handlerLog: string[];
  stop(): Promise<void>;
}

/**
 * Starts an endpoint, points the SDK's standard settings at it and loads fresh handler copies
 * (whose SDK client is built from the environment of the moment) into a new LocalStack.
 */
export async function startScenario(options: ScenarioOptions = {}): Promise<Scenario> {
  const endpoint = await startLocalWorkspaces({
    timing: options.timing, imageTiming: options.imageTiming, faults: options.faults, seed: options.seed ?? 1, clock: options.clock,
  });
  Object.assign(process.env, endpoint.env(), { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  const handlerLog: string[] = [];
  const log = (line: string) => handlerLog.push(line);
  const bundled = loadBundledHandlers(log, {
    globals: options.handlerSpeedUp ? fastClock(options.handlerSpeedUp) : undefined,
    accessKeyIds: options.accessKeyIds,
  });
  const stack = new LocalStack({
    ...options.stackOptions,
    pollIntervalMs: options.pollIntervalMs ?? 20,
    handlers: options.wrapHandlers ? options.wrapHandlers(bundled) : bundled,
    handlerLog: log,
  });
  return { endpoint, stack, handlerLog, stop: () => endpoint.stop() };
}

/** A `Date` and a `setTimeout` whose time runs `speedUp` times faster than real time, from now on. */
export function fastClock(speedUp: number): { Date: DateConstructor; setTimeout: typeof setTimeout } {
  const RealDate = Date;
  const origin = RealDate.now();
  const now = () => Math.round(origin + (RealDate.now() - origin) * speedUp);
  class FastDate extends RealDate {
    static now(): number {
      return now();
    }
    constructor(...args: unknown[]) {
      if (args.length === 0) {
        super(now());
      } else {
        super(...(args as [string | number]));
      }
    }
  }
  const fastSetTimeout = (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => setTimeout(fn, (ms ?? 0) / speedUp, ...args);
  return { Date: FastDate as DateConstructor, setTimeout: fastSetTimeout as typeof setTimeout };
}

/**
 * An endpoint clock that real time drives, except that it can stand still until something has
 * happened. A scenario whose state must still hold when a handler looks (a WorkSpace UPDATING
 * for 400 ms) holds the clock until the handler has seen it: however long the machine takes to
 * get there (a synth, a cold SDK client on a loaded machine), the state cannot end unseen.
 */
export class HeldClock {
  private offset = 0;
  private heldSince?: number;
  private release: () => boolean = () => true;

  public readonly now = (): number => {
    if (this.heldSince !== undefined && this.release()) {
      this.offset += Date.now() - this.heldSince;
      this.heldSince = undefined;
    }
    return (this.heldSince ?? Date.now()) - this.offset;
  };

  /** Stands still from now until `release` first returns true, then runs on from where it stood. */
  public holdUntil(release: () => boolean): void {
    this.now();
    this.heldSince = Date.now();
    this.release = release;
  }
}

/**
 * The handlers, invoked one at a time (as a provider whose functions have a reserved
 * concurrency of 1): the requests reach the endpoint in an order that does not depend on
 * timing, so the endpoint's seeded fault decisions repeat from run to run.
 */
export function oneAtATime(handlers: Handlers): Handlers {
  let tail: Promise<unknown> = Promise.resolve();
  const serialize = (handler: Handler): Handler => (event, context) => {
    const run = tail.then(() => handler(event, context));
    tail = run.catch(() => undefined);
    return run;
  };
  return { onEvent: serialize(handlers.onEvent), isComplete: serialize(handlers.isComplete) };
}

/** One WorkSpace of a scenario's app. */
export interface WorkspaceSpec extends Partial<WorkspaceProps> {
  readonly userName: string;
  /** Construct id. @default the user name, capitalised */
  readonly id?: string;
  readonly tags?: Record<string, string>;
}

/** Synthesizes an app holding these WorkSpaces and returns its template. */
export function synth(specs: readonly WorkspaceSpec[], stackTags: Record<string, string> = {}): Json {
  const stack = new Stack(new App(), 'Scenario');
  for (const [key, value] of Object.entries(stackTags)) {
    Tags.of(stack).add(key, value);
  }
  for (const spec of specs) {
    const { id, tags, ...props } = spec;
    const workspace = new Workspace(stack, id ?? spec.userName[0].toUpperCase() + spec.userName.slice(1), {
      directory: directory(DIRECTORY_ID),
      bundle: WorkspaceBundle.fromBundleId(BUNDLE_ID),
      ...props,
    });
    for (const [key, value] of Object.entries(tags ?? {})) {
      Tags.of(workspace).add(key, value);
    }
  }
  return Template.fromStack(stack).toJSON();
}

/** The logical id of the one WorkSpace of this user in the template. */
export function logicalIdOf(template: Json, userName: string): string {
  const found = workspacesOf(template).filter((r) => r.properties.UserName === userName);
  if (found.length !== 1) {
    throw new Error(`expected one WorkSpace of ${userName} in the template, found ${found.length}`);
  }
  return found[0].logicalId;
}

export const EMPTY_TEMPLATE: Json = { Resources: {} };

/** The fields of a WorkSpace that a deployment must not change when it is not the stack's. */
export function essentials(w: WorkspaceSnapshot): Partial<WorkspaceSnapshot> {
  return {
    WorkspaceId: w.WorkspaceId,
    DirectoryId: w.DirectoryId,
    UserName: w.UserName,
    BundleId: w.BundleId,
    State: w.State,
    WorkspaceProperties: w.WorkspaceProperties,
    Tags: w.Tags,
    ModificationStates: w.ModificationStates ?? [],
    ErrorCode: w.ErrorCode,
    ErrorMessage: w.ErrorMessage,
  };
}

export interface InventoryExpectation {
  /** The stack whose resources must be in the inventory, as `template` declares them. */
  readonly stack?: LocalStack;
  /** What the stack holds now (the last template that deployed). @default no WorkSpace */
  readonly template?: Json;
  /** WorkSpaces that are not (or no longer) the stack's and must be exactly as they were. */
  readonly unchanged?: readonly WorkspaceSnapshot[];
  /**
   * The stack's adopted WorkSpaces, by logical id: the tags each had before it was adopted
   * (other than the ownership tag), which stay. @default none: each WorkSpace was created by the stack
   */
  readonly adoptedTags?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/**
 * The inventory is exactly the stack's WorkSpaces plus `unchanged`: no orphan, no duplicate,
 * nothing missing; each of the stack's WorkSpaces is settled with the declared directory, user,
 * bundle, encryption, properties and tags (plus the ownership tag), and with the attributes the
 * deployment returned.
 */
export function expectInventory(endpoint: LocalWorkspaces, expectation: InventoryExpectation): void {
  const inventory = endpoint.inventory();
  const declared = workspacesOf(expectation.template ?? EMPTY_TEMPLATE);
  const stack = expectation.stack;
  const unchanged = expectation.unchanged ?? [];

  // No duplicate: one WorkSpace per user per directory (user names are case-insensitive).
  const owners = inventory.map((w) => `${w.DirectoryId}/${w.UserName.toLowerCase()}`);
  expect(owners.length).toBe(new Set(owners).size);

  // The stack holds exactly the declared resources.
  expect([...(stack?.resources.keys() ?? [])].sort()).toEqual(declared.map((d) => d.logicalId).sort());

  // No orphan and nothing missing.
  const expectedIds = [
    ...declared.map((d) => stack!.resources.get(d.logicalId)!.physicalId),
    ...unchanged.map((w) => w.WorkspaceId),
  ];
  expect(inventory.map((w) => w.WorkspaceId).sort()).toEqual([...expectedIds].sort());

  for (const resource of declared) {
    const deployed = stack!.resources.get(resource.logicalId)!;
    const actual = inventory.find((w) => w.WorkspaceId === deployed.physicalId)!;
    const p = resource.properties;
    const label = `${resource.logicalId} (${deployed.physicalId})`;
    // The service compares user names without case: a case-only change leaves the WorkSpace as it was.
    expect({ label, ...pick(actual, ['DirectoryId', 'BundleId']), UserName: actual.UserName.toLowerCase() })
      // A bundle declared by name: the id the deployment resolved it to (its BundleId attribute).
      .toEqual({ label, DirectoryId: p.DirectoryId, UserName: String(p.UserName).toLowerCase(), BundleId: p.BundleId ?? deployed.data.BundleId });
    expect({ label, visible: actual.Visible, modifications: actual.ModificationStates ?? [] })
      .toEqual({ label, visible: true, modifications: [] });
    expect(['AVAILABLE', 'STOPPED']).toContain(actual.State);
    expect({
      label,
      RootVolumeEncryptionEnabled: String(actual.RootVolumeEncryptionEnabled ?? false),
      UserVolumeEncryptionEnabled: String(actual.UserVolumeEncryptionEnabled ?? false),
    }).toEqual({
      label,
      RootVolumeEncryptionEnabled: String(p.RootVolumeEncryptionEnabled ?? 'false'),
      UserVolumeEncryptionEnabled: String(p.UserVolumeEncryptionEnabled ?? 'false'),
    });

    // Every declared property has the declared value; undeclared ones are the service's.
    const wantProps = p.WorkspaceProperties ?? {};
    const have = actual.WorkspaceProperties as Record<string, unknown>;
    const comparable = (key: string, v: unknown) => (key === 'Protocols' ? [...(v as string[])].sort().join(',') : String(v));
    expect({ label, ...Object.fromEntries(Object.keys(wantProps).map((k) => [k, comparable(k, have[k])])) })
      .toEqual({ label, ...Object.fromEntries(Object.entries(wantProps).map(([k, v]) => [k, comparable(k, v)])) });

    // Tags: exactly the declared ones (plus, on an adopted WorkSpace, the ones it had before)
    // and this resource's ownership tag (and, on a migrated WorkSpace, the migration marking, which
    // a migration scenario checks itself).
    const { [OWNERSHIP_TAG_KEY]: marking, [MIGRATION_TAG_KEY]: _migration, ...otherTags } = actual.Tags;
    const wantTags: Record<string, string> = {
      ...expectation.adoptedTags?.[resource.logicalId],
      ...Object.fromEntries((p.Tags ?? []).map((t: { Key: string; Value: string }) => [t.Key, t.Value])),
    };
    expect({ label, tags: otherTags }).toEqual({ label, tags: wantTags });
    const owner = parseOwnership(marking);
    expect({ label, stack: owner?.stack, resource: owner?.resource, kind: owner?.kind })
      .toEqual({
        label,
        stack: stackUuid(stack!.stackId),
        resource: resourcePart(resource.logicalId),
        kind: expectation.adoptedTags?.[resource.logicalId] ? 'adopted' : 'created',
      });

    // The attributes the stack exposes are the WorkSpace's.
    expect({ label, ...deployed.data }).toMatchObject({
      label,
      WorkspaceId: actual.WorkspaceId,
      IpAddress: actual.IpAddress,
      SubnetId: actual.SubnetId,
      ComputerName: actual.ComputerName,
      BundleId: actual.BundleId,
    });
  }

  for (const before of unchanged) {
    const actual = inventory.find((w) => w.WorkspaceId === before.WorkspaceId)!;
    expect(essentials(actual)).toEqual(essentials(before));
  }
}

/** Counts of the answered calls in a log, by operation, only the successful ones unless `all`. */
export function countCalls(log: readonly CallRecord[], operation: string, which: 'ok' | 'all' = 'ok'): number {
  return log.filter((c) => c.operation === operation && (which === 'all' || c.status === 200)).length;
}

/** The calls in the log that changed something (or tried to). */
export function mutatingCalls(log: readonly CallRecord[]): CallRecord[] {
  return log.filter((c) => MUTATING_OPERATIONS.includes(c.operation));
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
}

// A test file's first synth loads most of aws-cdk-lib: seconds on a quiet machine, ten times
// that on a loaded one. Done once here, before the first test, it no longer eats into that
// scenario's own timeout, which then measures the scenario alone. The bench imports these
// helpers outside jest, where there is no beforeAll (and no timeout to protect).
if (typeof beforeAll === 'function') {
  beforeAll(() => {
    synth([{ userName: 'warm-up' }]);
  }, 300_000);
}
