// Drives the bundled handlers the way CloudFormation and aws-cdk-lib's Provider framework
// would, against whatever WorkSpaces endpoint the environment names. Test support: this file
// is not part of the published library.
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import Module from 'module';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

export const WORKSPACE_TYPE = 'Custom::Workspace';
export const FLEET_TYPE = 'Custom::WorkspaceFleet';
const ASSETS = path.join(__dirname, '..', '..', 'assets', 'lambda');

type Json = any;
export type Handler = (event: Json, context?: Json) => Promise<Json>;

export interface Handlers {
  readonly onEvent: Handler;
  readonly isComplete: Handler;
}

export interface LoadHandlersOptions {
  /**
   * Globals the handlers' code sees instead of Node's own, by name (e.g. a faster `setTimeout`
   * and `Date`, so that the SDK's retry backoff passes in a test's time). @default none
   */
  readonly globals?: Record<string, unknown>;
  /**
   * The access key id each handler signs with, as each Lambda function has its own role's
   * credentials: an endpoint that authorizes calls tells the callers apart by it. @default the environment's
   */
  readonly accessKeyIds?: { readonly onEvent: string; readonly isComplete: string };
  /**
   * Environment variables the handlers see over the caller's, as each Lambda function has its
   * own (e.g. another Region's endpoint and AWS_REGION, for a stack of that Region). @default none
   */
  readonly env?: Record<string, string>;
}

/**
 * Loads a fresh copy of each bundled handler, as a new Lambda container would: the SDK client
 * inside is built from the environment of the moment (endpoint, region, credentials).
 */
export function loadBundledHandlers(
  log: (line: string) => void = (line) => console.log(line),
  options: LoadHandlersOptions = {},
): Handlers {
  // The handlers log every event, as they should in Lambda; the caller decides where it goes.
  const handlerConsole = { ...console, log: (...args: unknown[]) => log(args.join(' ')) };
  // Both functions run the one bundle; each loads its own copy, as each function has its own containers.
  const load = (name: 'onEvent' | 'isComplete'): Handler => {
    const file = path.join(ASSETS, 'handler', 'index.js');
    if (!fs.existsSync(file)) {
      throw new Error(`${file} is missing: run 'npx projen bundle' first`);
    }
    const m = new Module(file, module) as Module & { handlerGlobals?: unknown; _compile(code: string, filename: string): void };
    m.filename = file;
    m.paths = [];
    // The caller's `process`, so that the handler sees the caller's environment. They differ
    // under jest, whose test sandbox has its own copy of process.env: without this, variables
    // set by a test (the endpoint's URL, the region) would never reach the handler.
    const accessKeyId = options.accessKeyIds?.[name];
    const handlerProcess = accessKeyId === undefined && options.env === undefined
      ? process
      // Node's own process, with this handler's credentials and environment in the environment it reads.
      : Object.create(process, {
        env: { value: { ...process.env, ...options.env, ...accessKeyId !== undefined && { AWS_ACCESS_KEY_ID: accessKeyId } }, enumerable: true },
      });
    const globals: Record<string, unknown> = { process: handlerProcess, ...options.globals, console: handlerConsole };
    m.handlerGlobals = globals;
    const prelude = Object.keys(globals).map((key) => {
      if (!/^[A-Za-z_$][\w$]*$/.test(key)) {
        throw new Error(`${key} is not a global's name`);
      }
      return `var ${key} = module.handlerGlobals.${key};`;
    }).join('');
    m._compile(`${prelude}${fs.readFileSync(file, 'utf8')}`, file);
    return (m.exports as Record<typeof name, Handler>)[name];
  };
  return { onEvent: load('onEvent'), isComplete: load('isComplete') };
}

/** A resource of a template as the runner sees it. */
export interface DeclaredResource {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Json;
  readonly deletionPolicy: string;
  readonly updateReplacePolicy: string;
  /** The logical ids it names (Ref, Fn::GetAtt, DependsOn): CloudFormation orders by them. */
  readonly references?: readonly string[];
}

/**
 * One of CloudFormation's own resource types, done by the runner with the API calls CloudFormation
 * would make (e.g. AWS::WorkSpaces::ConnectionAlias through CreateConnectionAlias): see native-resources.ts.
 */
export interface NativeResource {
  /** Creates it and waits until it is usable; its physical id (Ref) and its attributes (GetAtt). */
  create(properties: Json): Promise<{ physicalId: string; attributes: Record<string, string> }>;
  /** Deletes it and waits until it is gone. */
  delete(physicalId: string, properties: Json): Promise<void>;
}

/** A resource that exists in the local stack. */
export interface DeployedResource extends DeclaredResource {
  readonly physicalId: string;
  readonly data: Record<string, string>;
}

export type Operation = 'Create' | 'Update' | 'Delete';

export interface ProgressEvent {
  readonly logicalId: string;
  readonly operation: Operation | 'Rollback';
  readonly physicalId?: string;
  /** `started`, `polling` (with the state observed, if an observer is given), `complete` or `failed`. */
  readonly phase: 'started' | 'polling' | 'complete' | 'failed';
  readonly state?: string;
  readonly message?: string;
  readonly polls?: number;
}

export interface OperationResult {
  readonly logicalId: string;
  readonly operation: Operation;
  readonly ok: boolean;
  readonly physicalId?: string;
  readonly data?: Record<string, string>;
  readonly error?: string;
  readonly polls: number;
  /** Not started, because a resource it depends on failed. */
  readonly cancelled?: boolean;
}

export interface DeployResult {
  readonly ok: boolean;
  /** Every handler operation run, in the order they finished (rollback included). */
  readonly operations: OperationResult[];
  /** The first failure's reason, as CloudFormation would show it. */
  readonly reason?: string;
  /** A failed deployment whose rollback completed (UPDATE_ROLLBACK_COMPLETE / ROLLBACK_COMPLETE). */
  readonly rolledBack: boolean;
  /** Set when the rollback itself failed (UPDATE_ROLLBACK_FAILED): the first failed rollback step's reason. */
  readonly rollbackFailure?: string;
}

export interface LocalStackOptions {
  /** The stack's name, part of the StackId the ownership tag is made from. @default 'LocalStack' */
  readonly stackName?: string;
  /** The Provider's queryInterval, in real milliseconds. @default 50 */
  readonly pollIntervalMs?: number;
  /** The Provider's totalTimeout, in real milliseconds. @default 120000 */
  readonly totalTimeoutMs?: number;
  /** The handlers; the bundled ones by default. */
  readonly handlers?: Handlers;
  /** Where the bundled handlers' log lines go. @default dropped */
  readonly handlerLog?: (line: string) => void;
  /** Sees every step; the demo prints them. */
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Tells the state of a WorkSpace without an API call (the local endpoint's inventory). */
  readonly observe?: (physicalId: string) => string | undefined;
  /**
   * CloudFormation's clock runs this many times faster than real time, for the resource's
   * ServiceTimeout (match the handlers' speed-up to model CloudFormation's hour). @default 1
   */
  readonly cloudFormationSpeedUp?: number;
  /**
   * Real milliseconds between CloudFormation's request and onEvent's start (delivery, the
   * Provider framework's cold start): CloudFormation's hour counts them, the handler cannot.
   * @default 0
   */
  readonly startDelayMs?: number;
  /**
   * The order CloudFormation runs the creates and updates of one deployment in: all at once (as it
   * does for resources that do not depend on each other), or one after another in the template's
   * order or its reverse, so that a scenario can show an outcome holds in either order. @default 'parallel'
   */
  readonly operationOrder?: 'parallel' | 'template' | 'reverse';
  /**
   * The custom resource types the runner sends to the handlers. @default Custom::Workspace and
   * Custom::WorkspaceFleet (a test that drives a directory by hand keeps doing so)
   */
  readonly resourceTypes?: readonly string[];
  /** CloudFormation's own resource types the runner does itself, by type. @default none */
  readonly nativeResources?: Readonly<Record<string, NativeResource>>;
  /** The stack's Region (its StackId and AWS::Region). @default 'us-east-1' */
  readonly region?: string;
  /**
   * The scenario's clock, in ms (the one the handlers and the endpoint see in compressed time):
   * each invocation's remaining time (the Lambda context's getRemainingTimeInMillis) runs down on
   * it from the timeout the template gives the handler's function. @default Date.now
   */
  readonly clock?: () => number;
}

/** One handler invocation, timed on the scenario's clock. */
export interface Invocation {
  readonly logicalId: string;
  readonly handler: 'onEvent' | 'isComplete';
  readonly requestType: Operation;
  /** The function's timeout, ms: what the context's remaining time ran down from. */
  readonly timeoutMs: number;
  /** How long the handler ran, ms of the scenario's clock. */
  readonly durationMs: number;
}

/** CloudFormation's ServiceTimeout of a custom resource when the template sets none, in seconds. */
const DEFAULT_SERVICE_TIMEOUT_SECONDS = 3600;
/**
 * A handler function's timeout before the runner has seen a template that declares it (a test
 * that deploys a hand-written template): the provider's, 5 minutes.
 */
const DEFAULT_FUNCTION_TIMEOUT_SECONDS = 300;

let requestCounter = 0;

/**
 * One CloudFormation stack, kept in memory: deploy a synthesized stack (create, update,
 * replace, remove, with rollback on failure) and destroy it, honouring DeletionPolicy and
 * UpdateReplacePolicy. Only `Custom::Workspace` resources are acted on; the rest of the
 * template (functions, roles, the state machine) stands for itself.
 */
export class LocalStack {
  public readonly stackId: string;
  private readonly deployed = new Map<string, DeployedResource>();
  /** The resources a deployment under way has created or updated so far. */
  private readonly inFlight = new Map<string, DeployedResource>();
  private readonly handlers: Handlers;
  private readonly pollIntervalMs: number;
  private readonly totalTimeoutMs: number;
  private readonly clock: () => number;
  /** Each handler function's timeout (s), as the last template that declared the functions gave it. */
  private functionTimeouts: Record<'onEvent' | 'isComplete', number> = {
    onEvent: DEFAULT_FUNCTION_TIMEOUT_SECONDS,
    isComplete: DEFAULT_FUNCTION_TIMEOUT_SECONDS,
  };
  private readonly invocationLog: Invocation[] = [];

  constructor(private readonly options: LocalStackOptions = {}) {
    const name = options.stackName ?? 'LocalStack';
    this.stackId = `arn:aws:cloudformation:${options.region ?? 'us-east-1'}:123456789012:stack/${name}/${uuid()}`;
    this.handlers = options.handlers ?? loadBundledHandlers(options.handlerLog ?? (() => undefined));
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.totalTimeoutMs = options.totalTimeoutMs ?? 120_000;
    this.clock = options.clock ?? Date.now;
  }

  /** Every handler invocation so far, in the order they ended. */
  public get invocations(): readonly Invocation[] {
    return this.invocationLog;
  }

  /** The resources the stack holds now, by logical id. */
  public get resources(): ReadonlyMap<string, DeployedResource> {
    return this.deployed;
  }

  /**
   * Deploy a synthesized stack (or a template): creates, updates and deletes as CloudFormation
   * would, all resources in parallel, then rolls back if anything failed.
   */
  public async deploy(stackOrTemplate: Stack | Json): Promise<DeployResult> {
    const template = stackOrTemplate instanceof Stack ? Template.fromStack(stackOrTemplate).toJSON() : stackOrTemplate;
    this.functionTimeouts = { ...this.functionTimeouts, ...handlerTimeouts(template) };
    const declared = workspacesOf(template, this.actedOn());
    const operations: OperationResult[] = [];

    const creates = declared.filter((r) => !this.deployed.has(r.logicalId));
    const changed = (r: DeclaredResource): boolean => {
      const current = this.deployed.get(r.logicalId);
      return current !== undefined && JSON.stringify(this.render(current.properties)) !== JSON.stringify(this.render(r.properties));
    };
    const updates = declared.filter(changed);
    const removed = [...this.deployed.values()].filter((r) => !declared.some((d) => d.logicalId === r.logicalId));

    // CloudFormation resolves a resource's properties when it gets to it: one that names a resource
    // this deployment creates, updates or replaces (a GetAtt of a new id) may change only then.
    const mayChange = new Set<string>();
    for (let grew = true; grew;) {
      grew = false;
      for (const r of declared) {
        const named = (r.references ?? []).some((id) => mayChange.has(id)
          || creates.some((c) => c.logicalId === id) || updates.some((u) => u.logicalId === id));
        if (!mayChange.has(r.logicalId) && !creates.includes(r) && !updates.includes(r) && named) {
          mayChange.add(r.logicalId);
          grew = true;
        }
      }
    }
    const unchanged = new Set<string>();
    const pending = declared.filter((r) => creates.includes(r) || updates.includes(r) || mayChange.has(r.logicalId));
    const runOne = async (r: DeclaredResource): Promise<OperationResult> => {
      const current = this.deployed.get(r.logicalId);
      // What it had is its properties resolved as before this deployment; what it gets, resolved now.
      const before = current && stringify(resolve(current.properties, this.deployed, this.options.region ?? 'us-east-1'));
      if (current && mayChange.has(r.logicalId) && JSON.stringify(before) === JSON.stringify(this.render(r.properties))) {
        unchanged.add(r.logicalId);
        return { logicalId: r.logicalId, operation: 'Update', ok: true, physicalId: current.physicalId, data: current.data, polls: 0 };
      }
      const result = current ? await this.run('Update', r, current) : await this.run('Create', r);
      if (result.ok) {
        // What a later resource of this deployment names (Ref, GetAtt) is this one's new id and attributes.
        this.inFlight.set(r.logicalId, { ...r, physicalId: result.physicalId!, data: result.data ?? {} });
      }
      return result;
    };
    const order = this.options.operationOrder ?? 'parallel';
    const results: OperationResult[] = [];
    if (order === 'parallel') {
      // In parallel, except that a resource waits for those it names (and is cancelled when one fails).
      results.push(...await inOrder(pending, runOne, false, (r) => cancelled(r, this.deployed.get(r.logicalId))));
    } else {
      for (const r of order === 'template' ? pending : [...pending].reverse()) {
        results.push(await runOne(r));
      }
    }
    this.inFlight.clear();
    results.splice(0, results.length, ...results.filter((r) => !unchanged.has(r.logicalId)));
    operations.push(...results);
    const failed = results.filter((r) => !r.ok && !r.cancelled);

    if (failed.length > 0) {
      const rollbackFailed = (await this.rollback(results, declared, operations)).find((r) => !r.ok);
      return {
        ok: false,
        operations,
        reason: `${failed[0].logicalId}: ${failed[0].error}`,
        rolledBack: !rollbackFailed,
        rollbackFailure: rollbackFailed && `${rollbackFailed.logicalId}: ${rollbackFailed.error}`,
      };
    }

    // Commit: the stack now holds the new template's resources.
    const replaced: DeployedResource[] = [];
    for (const result of results) {
      const resource = declared.find((r) => r.logicalId === result.logicalId)!;
      const previous = this.deployed.get(result.logicalId);
      if (previous && previous.physicalId !== result.physicalId) {
        replaced.push(previous);
      }
      this.deployed.set(result.logicalId, { ...resource, physicalId: result.physicalId!, data: result.data ?? {} });
    }

    // A change of DeletionPolicy or UpdateReplacePolicy alone calls no handler, but CloudFormation
    // records it: the next removal or replacement follows the new policy.
    for (const resource of declared) {
      const current = this.deployed.get(resource.logicalId);
      if (current && !results.some((r) => r.logicalId === resource.logicalId)) {
        const { deletionPolicy, updateReplacePolicy } = resource;
        this.deployed.set(resource.logicalId, { ...current, deletionPolicy, updateReplacePolicy });
      }
    }

    // Cleanup phase: old physical resources of replacements, then resources no longer declared.
    const cleanup = [
      ...replaced.filter((r) => r.updateReplacePolicy === 'Delete'),
      ...removed.filter((r) => r.deletionPolicy === 'Delete'),
    ];
    const cleaned = await inOrder(cleanup, (r) => this.run('Delete', r, r), true);
    operations.push(...cleaned);
    for (const r of removed) {
      this.deployed.delete(r.logicalId);
    }
    const cleanupFailure = cleaned.find((r) => !r.ok);
    // CloudFormation reports a failed cleanup but the stack update itself stands.
    return { ok: !cleanupFailure, operations, reason: cleanupFailure && `${cleanupFailure.logicalId}: ${cleanupFailure.error}`, rolledBack: false };
  }

  /** Delete the stack: resources whose DeletionPolicy is Delete are deleted, the rest retained. */
  public async destroy(): Promise<DeployResult> {
    const all = [...this.deployed.values()];
    const results = await inOrder(all.filter((r) => r.deletionPolicy === 'Delete'), (r) => this.run('Delete', r, r), true);
    const failed = results.find((r) => !r.ok);
    if (!failed) {
      this.deployed.clear();
    }
    return { ok: !failed, operations: results, reason: failed && `${failed.logicalId}: ${failed.error}`, rolledBack: false };
  }

  /**
   * Roll back a failed deployment: what this deployment created goes (unless Retain), what it
   * updated in place is updated back to its old properties, a replacement's new WorkSpace goes.
   */
  private async rollback(results: OperationResult[], declared: DeclaredResource[], operations: OperationResult[]): Promise<OperationResult[]> {
    type Step = { logicalId: string; references?: readonly string[]; step: () => Promise<OperationResult> };
    const steps: Step[] = [];
    const deletes: Step[] = [];
    for (const result of results) {
      const previous = this.deployed.get(result.logicalId);
      const attempted = declared.find((d) => d.logicalId === result.logicalId)!;
      if (result.cancelled) {
        // Never started: nothing to undo.
        continue;
      }
      if (!previous || (result.physicalId && result.physicalId !== previous.physicalId)) {
        // Created by this deployment; RetainExceptOnCreate and Delete both delete it.
        if (attempted.deletionPolicy !== 'Retain' && result.physicalId) {
          deletes.push({ ...attempted, step: () => this.run('Delete', attempted, { ...attempted, physicalId: result.physicalId!, data: {} }, 'Rollback') });
        }
      } else {
        steps.push({ ...previous, step: () => this.run('Update', previous, { ...previous, properties: attempted.properties }, 'Rollback') });
      }
    }
    // What depends on another resource is undone first. CloudFormation deletes what the failed
    // deployment created (a new resource, or the new physical id of a replacement) in its rollback
    // cleanup, once every update back has completed.
    const done = await inOrder(steps, (s) => s.step(), true);
    const cleanup = await inOrder(deletes, (s) => s.step(), true);
    operations.push(...done, ...cleanup);
    return [...done, ...cleanup];
  }

  /**
   * One resource operation as the Provider framework runs it: onEvent once, then isComplete
   * at once and every interval until it completes, fails, or the total timeout passes.
   */
  private async run(operation: Operation, resource: DeclaredResource, current?: DeployedResource, label?: 'Rollback'): Promise<OperationResult> {
    const progress = (e: Omit<ProgressEvent, 'logicalId' | 'operation'>) =>
      this.options.onProgress?.({ logicalId: resource.logicalId, operation: label ?? operation, ...e });
    const properties = this.render(operation === 'Delete' ? current!.properties : resource.properties);
    const requestId = `request-${++requestCounter}`;
    const event: Json = {
      RequestType: operation,
      ServiceToken: properties.ServiceToken,
      StackId: this.stackId,
      RequestId: requestId,
      LogicalResourceId: resource.logicalId,
      ResourceType: resource.type,
      ResourceProperties: properties,
      ...(operation !== 'Create' && { PhysicalResourceId: current!.physicalId }),
      // The old properties as CloudFormation resolved them then, not with this deployment's new ids.
      ...(operation === 'Update' && { OldResourceProperties: stringify(resolve(current!.properties, this.deployed, this.options.region ?? 'us-east-1')) }),
    };
    progress({ phase: 'started', physicalId: current?.physicalId });
    // CloudFormation's deadline runs from its request; past it, it fails the resource without
    // the id the handler would have answered with (a new WorkSpace is then orphaned).
    const serviceTimeoutMs = Number(properties.ServiceTimeout ?? DEFAULT_SERVICE_TIMEOUT_SECONDS) * 1000
      / (this.options.cloudFormationSpeedUp ?? 1);
    const serviceDeadline = Date.now() + serviceTimeoutMs;
    const serviceTimedOut = (polls: number): OperationResult => {
      const message = 'CloudFormation did not receive a response from the custom resource within its ServiceTimeout '
        + `(${properties.ServiceTimeout ?? DEFAULT_SERVICE_TIMEOUT_SECONDS} seconds)`;
      // Without a response, CloudFormation knows no new id: only the one it already had.
      const known = operation === 'Create' ? undefined : current!.physicalId;
      progress({ phase: 'failed', physicalId: known, message, polls });
      return { logicalId: resource.logicalId, operation, ok: false, physicalId: known, error: message, polls };
    };
    if (this.options.startDelayMs) {
      await sleep(this.options.startDelayMs);
    }
    const native = this.options.nativeResources?.[resource.type];
    if (native) {
      return this.runNative(native, operation, resource, properties, current, progress);
    }

    let merged: Json;
    try {
      const onEventResult = (await this.invoke('onEvent', event, requestId)) ?? {};
      const physicalId = onEventResult.PhysicalResourceId ?? event.PhysicalResourceId ?? requestId;
      if (operation === 'Delete' && physicalId !== event.PhysicalResourceId) {
        throw new Error('DELETE: cannot change the physical resource ID');
      }
      merged = { ...event, ...onEventResult, PhysicalResourceId: physicalId };
    } catch (e) {
      // The framework answers FAILED with the request's id, or the log stream's for a Create.
      const physicalId = event.PhysicalResourceId ?? `2026/01/01/[$LATEST]${requestId}`;
      progress({ phase: 'failed', physicalId, message: (e as Error).message, polls: 0 });
      return { logicalId: resource.logicalId, operation, ok: false, physicalId, error: (e as Error).message, polls: 0 };
    }

    const deadline = Date.now() + this.totalTimeoutMs;
    let polls = 0;
    for (;;) {
      polls++;
      try {
        const result = (await this.invoke('isComplete', merged, requestId)) ?? {};
        if (result.IsComplete) {
          const data = { ...merged.Data, ...result.Data };
          // The framework answers with the request merged with isComplete's result: a physical id
          // that isComplete returns replaces onEvent's.
          const physicalId = result.PhysicalResourceId ?? merged.PhysicalResourceId;
          if (operation === 'Delete' && physicalId !== merged.PhysicalResourceId) {
            throw new Error('DELETE: cannot change the physical resource ID');
          }
          progress({ phase: 'complete', physicalId, state: data.State, polls });
          return { logicalId: resource.logicalId, operation, ok: true, physicalId, data, polls };
        }
        if (result.Data && Object.keys(result.Data).length > 0) {
          throw new Error('"Data" is not allowed if "IsComplete" is "False"');
        }
      } catch (e) {
        progress({ phase: 'failed', physicalId: merged.PhysicalResourceId, message: (e as Error).message, polls });
        return { logicalId: resource.logicalId, operation, ok: false, physicalId: merged.PhysicalResourceId, error: (e as Error).message, polls };
      }
      if (Date.now() + this.pollIntervalMs > serviceDeadline) {
        await sleep(Math.max(0, serviceDeadline - Date.now()));
        return serviceTimedOut(polls);
      }
      if (Date.now() + this.pollIntervalMs > deadline) {
        const message = `Operation timed out after ${polls} polls (the Provider's totalTimeout)`;
        progress({ phase: 'failed', physicalId: merged.PhysicalResourceId, message, polls });
        return { logicalId: resource.logicalId, operation, ok: false, physicalId: merged.PhysicalResourceId, error: message, polls };
      }
      progress({ phase: 'polling', physicalId: merged.PhysicalResourceId, state: this.options.observe?.(merged.PhysicalResourceId), polls });
      await sleep(this.pollIntervalMs);
    }
  }

  /**
   * One invocation of a handler, as Lambda runs it: its context's remaining time runs down on
   * the scenario's clock from the function's timeout. The runner does not end an invocation that
   * runs past it (in compressed time a loaded machine's CPU time counts the speed-up times over);
   * `invocations` records how long each ran, for a test to compare with the timeout.
   */
  private async invoke(handler: 'onEvent' | 'isComplete', event: Json, requestId: string): Promise<Json> {
    const timeoutMs = this.functionTimeouts[handler] * 1000;
    const start = this.clock();
    const context = {
      awsRequestId: requestId,
      logStreamName: `2026/01/01/[$LATEST]${requestId}`,
      getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (this.clock() - start)),
    };
    try {
      return await this.handlers[handler](event, context);
    } finally {
      this.invocationLog.push({
        logicalId: event.LogicalResourceId,
        handler,
        requestType: event.RequestType,
        timeoutMs,
        durationMs: this.clock() - start,
      });
    }
  }

  /** One of CloudFormation's own resources: an Update is a replacement (the old one goes in the cleanup). */
  private async runNative(
    native: NativeResource,
    operation: Operation,
    resource: DeclaredResource,
    properties: Json,
    current: DeployedResource | undefined,
    progress: (e: Omit<ProgressEvent, 'logicalId' | 'operation'>) => void,
  ): Promise<OperationResult> {
    try {
      if (operation === 'Delete') {
        await native.delete(current!.physicalId, properties);
        progress({ phase: 'complete', physicalId: current!.physicalId, polls: 0 });
        return { logicalId: resource.logicalId, operation, ok: true, physicalId: current!.physicalId, polls: 0 };
      }
      const made = await native.create(properties);
      progress({ phase: 'complete', physicalId: made.physicalId, polls: 0 });
      return { logicalId: resource.logicalId, operation, ok: true, physicalId: made.physicalId, data: made.attributes, polls: 0 };
    } catch (e) {
      progress({ phase: 'failed', physicalId: current?.physicalId, message: (e as Error).message, polls: 0 });
      return { logicalId: resource.logicalId, operation, ok: false, physicalId: current?.physicalId, error: (e as Error).message, polls: 0 };
    }
  }

  /** The resource types this stack acts on. */
  private actedOn(): readonly string[] {
    return [...this.options.resourceTypes ?? [WORKSPACE_TYPE, FLEET_TYPE], ...Object.keys(this.options.nativeResources ?? {})];
  }

  /** Resolve the intrinsics a WorkSpace's properties may hold, then stringify as CloudFormation does. */
  private render(properties: Json): Json {
    const known = this.inFlight.size === 0 ? this.deployed : new Map([...this.deployed, ...this.inFlight]);
    return stringify(resolve(properties, known, this.options.region ?? 'us-east-1'));
  }
}

/**
 * Runs `run` for every item, all at once except that an item starts only after the items it
 * names (`references`) have finished, or, `reversed`, after the items that name it: CloudFormation's
 * order. With `onCancel`, an item whose predecessor failed is not run but cancelled.
 */
async function inOrder<T extends { logicalId: string; references?: readonly string[] }>(
  items: readonly T[],
  run: (item: T) => Promise<OperationResult>,
  reversed: boolean,
  onCancel?: (item: T) => OperationResult,
): Promise<OperationResult[]> {
  const ids = new Set(items.map((i) => i.logicalId));
  const before = (item: T): string[] => (reversed
    ? items.filter((other) => other.references?.includes(item.logicalId)).map((other) => other.logicalId)
    : (item.references ?? []).filter((id) => ids.has(id) && id !== item.logicalId));
  const started = new Map<string, Promise<OperationResult>>();
  const start = (item: T): Promise<OperationResult> => {
    let promise = started.get(item.logicalId);
    if (!promise) {
      promise = Promise.all(before(item).map((id) => start(items.find((i) => i.logicalId === id)!)))
        .then((earlier) => (onCancel && earlier.some((r) => !r.ok) ? onCancel(item) : run(item)));
      started.set(item.logicalId, promise);
    }
    return promise;
  };
  return Promise.all(items.map(start));
}

/** What CloudFormation reports for a resource it never started because one it depends on failed. */
function cancelled(resource: DeclaredResource, current: DeployedResource | undefined): OperationResult {
  const operation = current ? 'Update' : 'Create';
  return { logicalId: resource.logicalId, operation, ok: false, cancelled: true, physicalId: current?.physicalId, error: 'Resource creation cancelled', polls: 0 };
}

/** The resources of a template of these types (by default `Custom::Workspace` and `Custom::WorkspaceFleet`). */
export function workspacesOf(template: Json, types: readonly string[] = [WORKSPACE_TYPE, FLEET_TYPE]): DeclaredResource[] {
  return Object.entries<Json>(template.Resources ?? {})
    .filter(([, r]) => types.includes(r.Type))
    .map(([logicalId, r]) => ({
      logicalId,
      type: r.Type,
      properties: r.Properties ?? {},
      // CloudFormation's defaults when the attributes are absent.
      deletionPolicy: r.DeletionPolicy ?? 'Delete',
      updateReplacePolicy: r.UpdateReplacePolicy ?? 'Delete',
      references: [...new Set([...[r.DependsOn ?? []].flat(), ...referencesIn(r.Properties ?? {})])],
    }));
}

/** The logical ids that Ref and Fn::GetAtt name in a value. */
function referencesIn(value: Json): string[] {
  if (Array.isArray(value)) {
    return value.flatMap(referencesIn);
  }
  if (value === null || typeof value !== 'object') {
    return [];
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'Ref' && typeof value.Ref === 'string') {
    return [value.Ref];
  }
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
    const arg = value['Fn::GetAtt'];
    return [Array.isArray(arg) ? arg[0] : String(arg).split('.')[0]];
  }
  return keys.flatMap((k) => referencesIn(value[k]));
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'LocalStack',
};

function resolve(value: Json, deployed: ReadonlyMap<string, DeployedResource>, region = 'us-east-1'): Json {
  if (Array.isArray(value)) {
    return value.map((v) => resolve(v, deployed, region));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [fn] = keys;
    const arg = value[fn];
    switch (fn) {
      case 'Ref':
        return arg === 'AWS::Region' ? region : PSEUDO[arg] ?? deployed.get(arg)?.physicalId ?? `local-${arg}`;
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
        return deployed.get(logicalId)?.data[attribute] ?? `arn:aws:local:us-east-1:123456789012:${logicalId}/${attribute}`;
      }
      case 'Fn::Join': {
        const [separator, parts] = arg;
        return resolve(parts, deployed, region).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = arg;
        return resolve(list, deployed, region)[Number(resolve(index, deployed, region))];
      }
    }
  }
  return Object.fromEntries(keys.map((k) => [k, resolve(value[k], deployed, region)]));
}

/** CloudFormation hands every scalar of a custom resource's properties over as a string. */
function stringify(value: Json): Json {
  if (Array.isArray(value)) {
    return value.map(stringify);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringify(v)]));
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

/**
 * The timeouts (s) of the provider's handler functions in a template, found by the handler they
 * run (`index.onEvent`, `index.isComplete`): the ones the provider sets, not the runner's guess.
 */
function handlerTimeouts(template: Json): Partial<Record<'onEvent' | 'isComplete', number>> {
  const found: Partial<Record<'onEvent' | 'isComplete', number>> = {};
  for (const resource of Object.values<Json>(template.Resources ?? {})) {
    const handler = resource.Type === 'AWS::Lambda::Function' ? resource.Properties?.Handler : undefined;
    if ((handler === 'index.onEvent' || handler === 'index.isComplete') && typeof resource.Properties.Timeout === 'number') {
      found[handler === 'index.onEvent' ? 'onEvent' : 'isComplete'] = resource.Properties.Timeout;
    }
  }
  return found;
}

function uuid(): string {
  return randomUUID();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
