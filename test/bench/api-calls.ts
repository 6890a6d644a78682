// Part 3: the API calls the shipped handlers make, through the CloudFormation-like runner and
// the local WorkSpaces endpoint. (a) one WorkSpace created, updated and deleted with a
// provisioning time of 40 poll intervals; (b) 100 WorkSpaces deployed at once behind a rate
// limit of 5 requests per second, in real time.
import * as fs from 'fs';
import Module from 'module';
import * as path from 'path';
import { App, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { fmt, max, median, progress, table, verdict } from './stats';
import { ComputeType, RunningMode, Workspace, WorkspaceBundle, WorkspacesDirectory } from '../../src';
import { LocalWorkspaces, startLocalWorkspaces } from '../local/endpoint';
import { DeployResult, Handler, Handlers, loadBundledHandlers, LocalStack, OperationResult, ProgressEvent } from '../local/runner';

const ASSETS = path.join(__dirname, '..', '..', 'assets', 'lambda');
const DIRECTORY_ID = 'd-1234567890';
const BUNDLE_ID = 'wsb-12345678';
/** The Provider's queryInterval in this library: one poll interval of the bench stands for it. */
const PROVIDER_INTERVAL_S = 30;

/** v1: AUTO_STOP 2 h, the bundle's compute type. v2: one tag changed, ALWAYS_ON, POWER. */
export function benchStack(count: number, version: 1 | 2, userPrefix = 'user', app: App = new App()): Stack {
  const stack = new Stack(app, 'Bench');
  Tags.of(stack).add('team', 'platform');
  const directory = WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID);
  for (let i = 0; i < count; i++) {
    const ws = new Workspace(stack, `Ws${i}`, {
      directory,
      bundle: WorkspaceBundle.fromBundleId(BUNDLE_ID),
      userName: `${userPrefix}${i}`,
      runningMode: version === 1 ? RunningMode.AUTO_STOP : RunningMode.ALWAYS_ON,
      autoStopTimeout: version === 1 ? Duration.hours(2) : undefined,
      computeType: version === 1 ? ComputeType.STANDARD : ComputeType.POWER,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Tags.of(ws).add('cost-center', version === 1 ? '42' : '43');
  }
  return stack;
}

type Phase = 'Create' | 'Update' | 'Delete';
type Counts = Record<string, number>;

function diff(after: Counts, before: Counts): Counts {
  const out: Counts = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d !== 0 && /^[A-Z]/.test(k)) {
      out[k] = d;
    }
  }
  return out;
}

function add(into: Counts, more: Counts): void {
  for (const [k, v] of Object.entries(more)) {
    into[k] = (into[k] ?? 0) + v;
  }
}

function sum(c: Counts): number {
  return Object.values(c).reduce((a, b) => a + b, 0);
}

// ---------------------------------------------------------------- (a) one WorkSpace

export interface LifecycleOptions {
  readonly pollMs: number;
  readonly repetitions: number;
}

export interface PhaseSample {
  readonly phase: Phase;
  readonly ok: boolean;
  readonly polls: number;
  readonly onEventCalls: Counts;
  readonly isCompleteCalls: Counts;
  /** From the WorkSpace reaching its declared state (AVAILABLE, or TERMINATED) to the runner's "complete". */
  readonly lagMs: number;
  /** The part of lagMs in which no isComplete ran: the framework's wait between polls. */
  readonly waitMs: number;
  /** isComplete polls that started after the WorkSpace reached its declared state. */
  readonly pollsAfterSettled: number;
  /** Update only: from each UPDATING's end to the next ModifyWorkspaceProperties. */
  readonly stepGapsMs: number[];
  readonly wallMs: number;
}

export interface LifecycleResult {
  readonly options: LifecycleOptions;
  readonly timing: Record<string, number>;
  readonly samples: PhaseSample[];
}

/**
 * Wraps the handlers so that every call the endpoint answers is put down to the invocation
 * that made it. Exact as long as invocations do not overlap (one WorkSpace at a time).
 */
function attributed(endpoint: LocalWorkspaces, handlers: Handlers) {
  const calls = { onEvent: {} as Counts, isComplete: {} as Counts, isCompleteRuns: [] as Array<[number, number]> };
  const wrap = (name: 'onEvent' | 'isComplete', handler: Handler): Handler => async (event, context) => {
    const before = endpoint.calls();
    const start = Date.now();
    try {
      return await handler(event, context);
    } finally {
      add(calls[name], diff(endpoint.calls(), before));
      if (name === 'isComplete') {
        calls.isCompleteRuns.push([start, Date.now()]);
      }
    }
  };
  const reset = () => {
    calls.onEvent = {};
    calls.isComplete = {};
    calls.isCompleteRuns = [];
  };
  return { handlers: { onEvent: wrap('onEvent', handlers.onEvent), isComplete: wrap('isComplete', handlers.isComplete) }, calls, reset };
}

export async function runLifecycle(options: LifecycleOptions): Promise<LifecycleResult> {
  const p = options.pollMs;
  const timing = { invisibleMs: 2 * p, pendingMs: 40 * p, updatingMs: 40 * p, terminatingMs: 40 * p, terminatedVisibleMs: 2 * p };
  const samples: PhaseSample[] = [];
  for (let rep = 0; rep < options.repetitions; rep++) {
    const endpoint = await startLocalWorkspaces({ timing, seed: rep + 1 });
    Object.assign(process.env, endpoint.env());
    try {
      const wrapped = attributed(endpoint, loadBundledHandlers(() => undefined));
      const completedAt = new Map<string, number>();
      const stack = new LocalStack({
        stackName: `BenchLifecycle${rep}`,
        pollIntervalMs: p,
        handlers: wrapped.handlers,
        onProgress: (e: ProgressEvent) => {
          if (e.phase === 'complete') {
            completedAt.set(e.operation, Date.now());
          }
        },
      });
      const phases: Array<[Phase, () => Promise<DeployResult>]> = [
        ['Create', () => stack.deploy(benchStack(1, 1, `life${rep}-`))],
        ['Update', () => stack.deploy(benchStack(1, 2, `life${rep}-`))],
        ['Delete', () => stack.destroy()],
      ];
      for (const [phase, run] of phases) {
        endpoint.resetCalls();
        wrapped.reset();
        const started = Date.now();
        const result = await run();
        const wallMs = Date.now() - started;
        const op = result.operations.find((o) => o.operation === phase);
        const log = endpoint.callLog().filter((c) => c.status === 200);
        let settledAt: number;
        const stepGapsMs: number[] = [];
        if (phase === 'Create') {
          const ws = endpoint.inventory().find((w) => w.WorkspaceId === op?.physicalId);
          settledAt = (ws?.CreatedAt ?? NaN) + timing.invisibleMs + timing.pendingMs;
        } else if (phase === 'Update') {
          const modifies = log.filter((c) => c.operation === 'ModifyWorkspaceProperties').map((c) => c.at);
          const tagOps = log.filter((c) => c.operation === 'CreateTags' || c.operation === 'DeleteTags').map((c) => c.at);
          settledAt = Math.max(...modifies.map((at) => at + timing.updatingMs), ...tagOps);
          for (let i = 1; i < modifies.length; i++) {
            stepGapsMs.push(modifies[i] - (modifies[i - 1] + timing.updatingMs));
          }
        } else {
          const terminate = log.find((c) => c.operation === 'TerminateWorkspaces');
          settledAt = (terminate?.at ?? NaN) + timing.terminatingMs;
        }
        const completeAt = completedAt.get(phase) ?? NaN;
        const runs = wrapped.calls.isCompleteRuns;
        const busyAfter = runs.reduce((busy, [a, b]) => busy + Math.max(0, Math.min(b, completeAt) - Math.max(a, settledAt)), 0);
        samples.push({
          phase,
          ok: result.ok && op?.ok === true,
          polls: op?.polls ?? 0,
          onEventCalls: wrapped.calls.onEvent,
          isCompleteCalls: wrapped.calls.isComplete,
          lagMs: completeAt - settledAt,
          waitMs: completeAt - settledAt - busyAfter,
          pollsAfterSettled: runs.filter(([start]) => start >= settledAt).length,
          stepGapsMs,
          wallMs,
        });
      }
      progress(`api lifecycle rep ${rep + 1}/${options.repetitions}: ${samples.slice(-3).map((s) => `${s.phase} ${s.polls} polls`).join(', ')}`);
    } finally {
      await endpoint.stop();
    }
  }
  return { options, timing, samples };
}

// ---------------------------------------------------------------- (b) many WorkSpaces, throttled

export interface ThrottleOptions {
  readonly workspaces: number;
  readonly pollMs: number;
  readonly invisibleMs: number;
  readonly pendingMs: number;
  readonly rateLimitPerSecond: number;
  /** One copy of the handlers for all invocations (the runner's default) instead of Lambda-like containers. @default false */
  readonly sharedClient?: boolean;
}

export interface ThrottleResult {
  readonly options: ThrottleOptions;
  readonly ok: boolean;
  readonly created: number;
  readonly failed: number;
  readonly rolledBack: boolean;
  readonly rollbackFailure?: string;
  readonly reason?: string;
  /** Failed creates whose onEvent failed (no WorkSpace requested), the others failed in isComplete. */
  readonly failedInOnEvent: number;
  readonly wallMs: number;
  readonly calls: Counts;
  readonly throttled: number;
  readonly polls: number[];
  readonly completedAfterMs: number[];
  readonly containers: { onEvent: number; isComplete: number; coldStartMs: number };
}

/**
 * Lambda-like: an invocation runs in an idle container of its function, or a new one is
 * started (a fresh copy of the bundle, so a fresh SDK client with its own adaptive-retry
 * state). The runner's default, one shared copy for all resources, would let one client's
 * rate limiter pace all 100 WorkSpaces: kinder than Lambda.
 */
class ContainerPool {
  public started = 0;
  public coldStartMs = 0;
  private readonly idle: Handler[] = [];

  constructor(private readonly file: string, private readonly entry: 'onEvent' | 'isComplete') {}

  public readonly invoke: Handler = async (event, context) => {
    const handler = this.idle.pop() ?? this.coldStart();
    try {
      return await handler(event, context);
    } finally {
      this.idle.push(handler);
    }
  };

  private coldStart(): Handler {
    const start = process.hrtime.bigint();
    const m = new Module(this.file, module) as Module & { handlerConsole?: unknown; _compile(code: string, filename: string): void };
    m.filename = this.file;
    m.paths = [];
    m.handlerConsole = { ...console, log: () => undefined };
    m._compile(`var console = module.handlerConsole;${fs.readFileSync(this.file, 'utf8')}`, this.file);
    this.started++;
    this.coldStartMs += Number(process.hrtime.bigint() - start) / 1e6;
    return (m.exports as Record<string, Handler>)[this.entry];
  }
}

export async function runThrottled(options: ThrottleOptions): Promise<ThrottleResult> {
  const endpoint = await startLocalWorkspaces({
    timing: { invisibleMs: options.invisibleMs, pendingMs: options.pendingMs },
    faults: { rateLimitPerSecond: options.rateLimitPerSecond },
  });
  Object.assign(process.env, endpoint.env());
  try {
    const onEvent = new ContainerPool(path.join(ASSETS, 'handler', 'index.js'), 'onEvent');
    const isComplete = new ContainerPool(path.join(ASSETS, 'handler', 'index.js'), 'isComplete');
    const template = benchStack(options.workspaces, 1, 'many');
    const started = Date.now();
    const completedAfterMs: number[] = [];
    let done = 0;
    const ticker = setInterval(() => {
      const c = endpoint.calls();
      progress(`api throttled: ${fmt((Date.now() - started) / 1000)} s, ${done} complete, ${c.total} calls, ${c['fault:rateLimit']} throttled`);
    }, 15_000);
    let result: DeployResult;
    try {
      const stack = new LocalStack({
        stackName: 'BenchThrottled',
        pollIntervalMs: options.pollMs,
        totalTimeoutMs: 30 * 60_000,
        handlers: options.sharedClient ? loadBundledHandlers(() => undefined) : { onEvent: onEvent.invoke, isComplete: isComplete.invoke },
        onProgress: (e) => {
          if (e.phase === 'complete' && e.operation === 'Create') {
            done++;
            completedAfterMs.push(Date.now() - started);
          }
        },
      });
      result = await stack.deploy(template);
    } finally {
      clearInterval(ticker);
    }
    const wallMs = Date.now() - started;
    const creates: OperationResult[] = result.operations.filter((o) => o.operation === 'Create');
    const calls = endpoint.calls();
    return {
      options,
      ok: result.ok,
      created: creates.filter((o) => o.ok).length,
      failed: creates.filter((o) => !o.ok).length,
      rolledBack: result.rolledBack,
      rollbackFailure: result.rollbackFailure,
      reason: result.reason,
      failedInOnEvent: creates.filter((o) => !o.ok && o.polls === 0).length,
      wallMs,
      calls,
      throttled: calls['fault:rateLimit'] ?? 0,
      polls: creates.map((o) => o.polls),
      completedAfterMs,
      containers: { onEvent: onEvent.started, isComplete: isComplete.started, coldStartMs: onEvent.coldStartMs + isComplete.coldStartMs },
    };
  } finally {
    await endpoint.stop();
  }
}

// ---------------------------------------------------------------- markdown

const OPS = ['DescribeWorkspaces', 'DescribeTags', 'CreateWorkspaces', 'CreateTags', 'DeleteTags', 'ModifyWorkspaceProperties', 'TerminateWorkspaces'];

export function apiMarkdown(life: LifecycleResult, throttled: ThrottleResult, shared: ThrottleResult): { markdown: string; verdicts: string[] } {
  const p = life.options.pollMs;
  const phases: Phase[] = ['Create', 'Update', 'Delete'];
  const of = (phase: Phase) => life.samples.filter((s) => s.phase === phase);
  const med = (phase: Phase, f: (s: PhaseSample) => number) => median(of(phase).map(f));
  const total = (s: PhaseSample) => ({ ...sumCounts(s.onEventCalls, s.isCompleteCalls) });
  const opsSeen = OPS.filter((op) => life.samples.some((s) => (total(s)[op] ?? 0) > 0));

  const callRows = phases.map((phase) => [
    phase,
    of(phase).every((s) => s.ok) ? 'ok' : '**failed**',
    fmt(med(phase, (s) => s.polls)),
    ...opsSeen.map((op) => fmt(med(phase, (s) => total(s)[op] ?? 0))),
    `**${fmt(med(phase, (s) => sum(total(s))))}**`,
    `${fmt(med(phase, (s) => sum(s.onEventCalls)))} / ${fmt(med(phase, (s) => sum(s.isCompleteCalls)))}`,
    fmt(med(phase, (s) => (s.isCompleteCalls.DescribeWorkspaces ?? 0) / s.polls), 2),
    `${fmt(med(phase, (s) => s.lagMs / p), 2)} / ${fmt(max(of(phase).map((s) => s.lagMs / p)), 2)}`,
    `${fmt(med(phase, (s) => s.waitMs / p), 2)} / ${fmt(max(of(phase).map((s) => s.waitMs / p)), 2)}`,
    fmt(max(of(phase).map((s) => s.pollsAfterSettled))),
  ]);
  const describePerPoll = max(life.samples.map((s) => (s.isCompleteCalls.DescribeWorkspaces ?? 0) / s.polls));
  const maxWait = max(life.samples.map((s) => s.waitMs / p));
  const maxLag = max(life.samples.map((s) => s.lagMs / p));
  const maxPollsAfter = max(life.samples.map((s) => s.pollsAfterSettled));
  const gaps = life.samples.flatMap((s) => s.stepGapsMs.map((g) => g / p));
  const allOk = life.samples.every((s) => s.ok);

  const t = throttled.options;
  const tTotal = sum(operationCalls(throttled));
  const verdicts = [
    `${verdict(allOk && describePerPoll <= 1)} DescribeWorkspaces per isComplete poll: at most ${fmt(describePerPoll, 2)} (target ≤ 1)`,
    `${verdict(allOk && maxWait <= 1 && maxPollsAfter <= 1)} wait after the WorkSpace reached its state: at most ${fmt(maxWait, 2)} intervals between polls `
    + `(median ${fmt(median(life.samples.map((s) => s.waitMs / p)), 2)}), and the first poll after it completed (at most ${fmt(maxPollsAfter)} poll); `
    + `with the handler's own running time ${fmt(maxLag, 2)} intervals at most (target ≤ 1 interval)`,
    `${verdict(throttled.ok && throttled.failed === 0 && throttled.created === t.workspaces)} ${t.workspaces} WorkSpaces at once behind ${t.rateLimitPerSecond} requests/s: `
    + `${throttled.created} complete, ${throttled.failed} failed; ${fmt(tTotal)} calls, ${fmt(throttled.throttled)} throttled, ${fmt(throttled.wallMs / 1000, 1)} s`,
  ];

  const markdown = [
    `### (a) One WorkSpace: create, update, delete (median of ${life.options.repetitions} runs)`,
    '',
    `Poll interval ${p} ms, standing for the Provider's ${PROVIDER_INTERVAL_S} s; provisioning (PENDING), each UPDATING and `
    + `TERMINATING take 40 intervals (${40 * p} ms), a new id is invisible for 2. The update changes one tag, the running `
    + 'mode (AUTO_STOP 2 h → ALWAYS_ON) and the compute type (STANDARD → POWER): one CreateTags and two '
    + 'ModifyWorkspaceProperties, each waiting for the WorkSpace to be AVAILABLE again.',
    '',
    table(
      ['operation', 'result', 'isComplete polls', ...opsSeen, 'calls per WorkSpace', 'onEvent / isComplete calls', 'DescribeWorkspaces per poll', 'settled → complete, intervals (median / max)', 'of it waiting between polls (median / max)', 'polls after settled (max)'],
      callRows,
    ),
    '',
    '"Settled → complete": from the moment the endpoint\'s timeline puts the WorkSpace in its declared state '
    + '(created: CreatedAt + invisible + PENDING; updated: last ModifyWorkspaceProperties + UPDATING; deleted: '
    + 'TerminateWorkspaces + TERMINATING) to the runner\'s "complete", in poll intervals. "Of it waiting": the same minus '
    + 'the time isComplete itself was running, i.e. the framework\'s sleep between polls (timer overshoot included); this '
    + 'is what the target bounds. The handler\'s own time (a few ms per poll, two calls on the completing poll) is large '
    + `against a ${p} ms interval but about 1% of the real 30 s one; it is also why a WorkSpace needs fewer polls than `
    + '40 intervals would suggest: the runner, like Step Functions, sleeps one interval after each invocation ends. '
    + '"Polls after settled" counts the isComplete invocations that began after that moment: 1 means the first poll that could see it completed.'
    + (gaps.length > 0 ? ' Between the two modifications of the update, the next step followed the end of UPDATING after '
      + `${fmt(median(gaps), 2)} intervals (median; max ${fmt(max(gaps), 2)}).` : ''),
    '',
    `### (b) ${t.workspaces} WorkSpaces deployed at once behind ${t.rateLimitPerSecond} requests per second`,
    '',
    table(['', 'Lambda-like containers (the target)', 'one shared client (the runner\'s default)'],
      throttledRows(throttled, shared)),
    '',
    `Real time, not scaled: poll interval ${fmt(t.pollMs / 1000, 1)} s, the rate limit ${t.rateLimitPerSecond} requests per real second `
    + `(the endpoint's token bucket, burst ${t.rateLimitPerSecond}), a new id invisible for ${fmt(t.invisibleMs / 1000, 1)} s, `
    + `PENDING for ${fmt(t.pendingMs / 1000, 1)} s. Only the provisioning time is shortened (a real WorkSpace takes about 40 polls).`,
  ].join('\n');
  return { markdown, verdicts };
}

function operationCalls(r: ThrottleResult): Counts {
  return Object.fromEntries(Object.entries(r.calls).filter(([k]) => /^[A-Z]/.test(k)));
}

/** The rows of the (b) table, one column per run. */
function throttledRows(...runs: ThrottleResult[]): string[][] {
  const row = (label: string, cell: (r: ThrottleResult) => string) => [label, ...runs.map(cell)];
  const seconds = (ms: number) => fmt(ms / 1000, 1);
  return [
    row('result', (r) => (r.ok ? `all ${r.created} complete, ${r.failed} failed`
      : `**${r.created} complete, ${r.failed} failed** (${r.failedInOnEvent} of them in onEvent); first: ${r.reason ?? ''}`)),
    row('rollback', (r) => (r.ok ? '-' : r.rolledBack ? 'complete' : `**failed**: ${r.rollbackFailure ?? ''}`)),
    row('wall time (real)', (r) => `${seconds(r.wallMs)} s`),
    row('calls (every answer, throttled ones included)', (r) => fmt(sum(operationCalls(r)))),
    row('throttled (ThrottlingException from the rate limit)', (r) => `${fmt(r.throttled)} (${fmt((100 * r.throttled) / Math.max(sum(operationCalls(r)), 1), 1)}%)`),
    row('answered calls per WorkSpace', (r) => fmt((sum(operationCalls(r)) - r.throttled) / r.options.workspaces, 2)),
    row('calls by operation', (r) => Object.entries(operationCalls(r)).map(([k, v]) => `${k} ${v}`).join(', ')),
    row('isComplete polls per WorkSpace (median / max)', (r) => `${fmt(median(r.polls))} / ${fmt(max(r.polls))}`),
    row('completed after (first / median / last)', (r) => (r.completedAfterMs.length === 0 ? '-'
      : `${seconds(Math.min(...r.completedAfterMs))} / ${seconds(median(r.completedAfterMs))} / ${seconds(max(r.completedAfterMs))} s`)),
    row('handler copies loaded (onEvent / isComplete)', (r) => (r.options.sharedClient ? '1 / 1'
      : `${r.containers.onEvent} / ${r.containers.isComplete} (${fmt(r.containers.coldStartMs)} ms loading in all)`)),
  ];
}

function sumCounts(a: Counts, b: Counts): Counts {
  const out: Counts = { ...a };
  add(out, b);
  return out;
}

// ---------------------------------------------------------------- (c) a connected user holds a change back

export interface HeldBackOptions {
  readonly pollMs: number;
  /** How many poll intervals the user stays connected after the update starts. */
  readonly connectedIntervals: number;
}

export interface HeldBackResult {
  readonly options: HeldBackOptions;
  readonly ok: boolean;
  /** The calls of each isComplete poll that waited for the user (it asked, and changed nothing). */
  readonly waitingPolls: Counts[];
  /** The calls of each isComplete poll before the compute type was next (tags, running mode). */
  readonly otherPolls: Counts[];
  /** From the user leaving to the compute type change, in intervals. */
  readonly madeAfterLeftIntervals: number;
  /** How many times a change disconnected the user. */
  readonly disconnected: number;
}

/**
 * One WorkSpace whose update (a tag, the running mode, the compute type) meets a connected
 * user: tags and running mode go ahead, the compute type waits until the user leaves.
 */
export async function runHeldBack(options: HeldBackOptions): Promise<HeldBackResult> {
  const p = options.pollMs;
  const endpoint = await startLocalWorkspaces({ timing: { invisibleMs: 2 * p, pendingMs: 4 * p, updatingMs: 4 * p, terminatingMs: 2 * p } });
  Object.assign(process.env, endpoint.env());
  try {
    const polls: Array<{ start: number; calls: Counts }> = [];
    const handlers = loadBundledHandlers(() => undefined);
    const isComplete: Handler = async (event, context) => {
      const before = endpoint.calls();
      const start = Date.now();
      try {
        return await handlers.isComplete(event, context);
      } finally {
        polls.push({ start, calls: diff(endpoint.calls(), before) });
      }
    };
    const stack = new LocalStack({ stackName: 'BenchHeldBack', pollIntervalMs: p, handlers: { onEvent: handlers.onEvent, isComplete } });
    if (!(await stack.deploy(benchStack(1, 1, 'held-'))).ok) {
      throw new Error('the held-back bench could not create its WorkSpace');
    }
    const workspaceId = endpoint.inventory()[0].WorkspaceId;
    // Synthesized before the user connects: synth takes longer than the whole wait.
    const v2 = Template.fromStack(benchStack(1, 2, 'held-')).toJSON();
    polls.length = 0;
    endpoint.connectUser(workspaceId, options.connectedIntervals * p);
    const leftAt = Date.now() + options.connectedIntervals * p;
    endpoint.resetCalls();
    const result = await stack.deploy(v2);
    const computeAt = endpoint.callLog().filter((c) => c.operation === 'ModifyWorkspaceProperties' && c.status === 200).map((c) => c.at).pop() ?? NaN;
    const asked = (c: Counts) => (c.DescribeWorkspacesConnectionStatus ?? 0) > 0;
    const changed = (c: Counts) => (c.ModifyWorkspaceProperties ?? 0) + (c.CreateTags ?? 0) + (c.DeleteTags ?? 0) > 0;
    const firstAsked = polls.findIndex((x) => asked(x.calls));
    return {
      options,
      ok: result.ok,
      waitingPolls: polls.filter((x) => asked(x.calls) && !changed(x.calls)).map((x) => x.calls),
      otherPolls: polls.slice(0, Math.max(firstAsked, 0)).map((x) => x.calls),
      madeAfterLeftIntervals: (computeAt - leftAt) / p,
      disconnected: endpoint.connection(workspaceId).DisconnectedByChange,
    };
  } finally {
    await endpoint.stop();
  }
}

export function heldBackMarkdown(r: HeldBackResult): { markdown: string; verdicts: string[] } {
  const ops = ['DescribeWorkspaces', 'DescribeTags', 'DescribeWorkspacesConnectionStatus'];
  const perPoll = (polls: Counts[], op: string) => (polls.length === 0 ? 0 : polls.reduce((n, c) => n + (c[op] ?? 0), 0) / polls.length);
  const row = (label: string, polls: Counts[]) => [label, fmt(polls.length), ...ops.map((op) => fmt(perPoll(polls, op), 2)),
    fmt(polls.length === 0 ? 0 : polls.reduce((n, c) => n + sum(c), 0) / polls.length, 2)];
  const added = perPoll(r.waitingPolls, 'DescribeWorkspacesConnectionStatus');
  const maxAdded = max(r.waitingPolls.map((c) => c.DescribeWorkspacesConnectionStatus ?? 0));
  const before = perPoll(r.otherPolls, 'DescribeWorkspacesConnectionStatus');
  const pass = r.ok && r.waitingPolls.length > 0 && maxAdded <= 1 && before === 0 && r.disconnected === 0;
  const verdicts = [
    `${verdict(pass)} calls added per poll while a connected user holds a change back: ${fmt(added, 2)} DescribeWorkspacesConnectionStatus `
    + `(at most ${fmt(maxAdded)}) over ${fmt(r.waitingPolls.length)} waiting polls, ${fmt(before, 2)} on the polls before the compute type `
    + `was next; the user disconnected by a change ${r.disconnected} times (target ≤ 1 per poll, 0 when nothing disruptive is next, never disconnected)`,
  ];
  const markdown = [
    '### (c) A connected user holds back a compute type change (disruptionPolicy WAIT_FOR_DISCONNECT, the default)',
    '',
    `One WorkSpace, the update of (a) (a tag, ALWAYS_ON, POWER) while its user is connected for ${r.options.connectedIntervals} `
    + `more poll intervals (${r.options.pollMs} ms each; UPDATING takes 4). Result: ${r.ok ? 'ok' : '**failed**'}; the compute type `
    + `was changed ${fmt(r.madeAfterLeftIntervals, 2)} intervals after the user left.`,
    '',
    table(['isComplete polls', 'count', ...ops.map((op) => `${op} per poll`), 'calls per poll'], [
      row('before the compute type is next (tag, running mode)', r.otherPolls),
      row('waiting for the user (asked, changed nothing)', r.waitingPolls),
    ]),
    '',
    'The calls a waiting poll adds to an ordinary one (DescribeWorkspaces and DescribeTags) are its '
    + 'DescribeWorkspacesConnectionStatus: one, and only when the next step would disconnect the user. The API layer '
    + 'asks for up to 25 WorkSpaces in one call, so a fleet waiting together would add one call per 25 WorkSpaces.',
  ].join('\n');
  return { markdown, verdicts };
}
