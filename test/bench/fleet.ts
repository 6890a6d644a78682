// Part 3 (c): the same users as one WorkspaceFleet against as many Workspace resources, behind the
// same rate limit, in compressed time: the endpoint and the handlers share one clock that runs S
// times faster than real time (the endpoint's states and token bucket, the handlers' clock and
// sleeps, the SDK's backoff, the fleet's pacing), and the runner's poll interval and
// CloudFormation's hour are divided by S. What is measured is in that simulated time.
import { App, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { benchStack } from './api-calls';
import { fmt, progress, table, verdict } from './stats';
import { ComputeType, RunningMode, WorkspaceBundle, WorkspaceFleet, WorkspacesDirectory } from '../../src';
import { startLocalWorkspaces } from '../local/endpoint';
import { loadBundledHandlers, LocalStack } from '../local/runner';
import { fastClock } from '../local/scenario-helpers';

const STACK_RESOURCE_LIMIT = '@aws-cdk/core:stackResourceLimit';

export interface FleetBenchOptions {
  readonly counts: number[];
  /** Simulated milliseconds per real millisecond. */
  readonly speedUp: number;
  readonly rateLimitPerSecond: number;
  /** The Provider's interval, simulated. */
  readonly pollMs: number;
  readonly invisibleMs: number;
  readonly pendingMs: number;
}

export interface FleetBenchRun {
  readonly kind: 'WorkspaceFleet' | 'Workspace';
  readonly users: number;
  readonly ok: boolean;
  readonly complete: number;
  readonly failed: number;
  readonly reason?: string;
  readonly calls: number;
  readonly throttled: number;
  readonly byOperation: Record<string, number>;
  /** From the deployment's start to its end, simulated ms. */
  readonly wallMs: number;
  /** From the moment the last WorkSpace was AVAILABLE (endpoint's timeline) to the end, simulated ms. */
  readonly afterSettledMs: number;
  /** isComplete polls of the fleet (or of any WorkSpace) that began after that moment: 1 = within one interval. */
  readonly pollsAfterSettled: number;
}

/** The bench's users as one fleet: the settings of benchStack's v1, in one construct. */
function fleetStack(count: number): Stack {
  const stack = new Stack(new App(), 'BenchFleet');
  Tags.of(stack).add('team', 'platform');
  const fleet = new WorkspaceFleet(stack, 'Fleet', {
    directory: WorkspacesDirectory.fromDirectoryId(stack, 'Directory', 'd-1234567890'),
    bundle: WorkspaceBundle.fromBundleId('wsb-12345678'),
    users: Array.from({ length: count }, (_, i) => `many${i}`),
    runningMode: RunningMode.AUTO_STOP,
    autoStopTimeout: Duration.hours(2),
    computeType: ComputeType.STANDARD,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  Tags.of(fleet).add('cost-center', '42');
  return stack;
}

async function runOne(kind: FleetBenchRun['kind'], users: number, o: FleetBenchOptions): Promise<FleetBenchRun> {
  const clock = fastClock(o.speedUp);
  const now = () => clock.Date.now();
  const endpoint = await startLocalWorkspaces({
    timing: { invisibleMs: o.invisibleMs, pendingMs: o.pendingMs },
    faults: { rateLimitPerSecond: o.rateLimitPerSecond },
    clock: now,
  });
  Object.assign(process.env, endpoint.env());
  try {
    // 500 Workspace resources and the provider's 18 exceed CloudFormation's 500 resources per
    // stack, which aws-cdk-lib enforces at synth: lifted here to measure the calls they would make.
    const unlimited = new App({ context: { [STACK_RESOURCE_LIMIT]: 0 } });
    const template = Template.fromStack(kind === 'WorkspaceFleet' ? fleetStack(users) : benchStack(users, 1, 'many', unlimited)).toJSON();
    const handlers = loadBundledHandlers(() => undefined, { globals: clock });
    const pollStarts: Array<{ at: number; logicalId: string }> = [];
    const stack = new LocalStack({
      stackName: `Bench${kind}`,
      pollIntervalMs: o.pollMs / o.speedUp,
      totalTimeoutMs: 3_600_000 / o.speedUp,
      cloudFormationSpeedUp: o.speedUp,
      handlers: {
        onEvent: handlers.onEvent,
        isComplete: (event, context) => {
          pollStarts.push({ at: now(), logicalId: event.LogicalResourceId });
          return handlers.isComplete(event, context);
        },
      },
    });
    const started = now();
    const result = await stack.deploy(template);
    const done = now();
    const inventory = endpoint.inventory();
    const settled = inventory.length === 0 ? done : Math.max(...inventory.map((w) => w.CreatedAt)) + o.invisibleMs + o.pendingMs;
    const calls = endpoint.calls();
    const byOperation = Object.fromEntries(Object.entries(calls).filter(([k]) => /^[A-Z]/.test(k)));
    const creates = result.operations.filter((op) => op.operation === 'Create');
    const available = inventory.filter((w) => w.State === 'AVAILABLE').length;
    return {
      kind,
      users,
      ok: result.ok,
      complete: result.ok ? users : available,
      failed: kind === 'Workspace' ? creates.filter((op) => !op.ok).length : (result.ok ? 0 : users - available),
      reason: result.reason,
      calls: Object.values(byOperation).reduce((a, b) => a + b, 0),
      throttled: calls['fault:rateLimit'] ?? 0,
      byOperation,
      wallMs: done - started,
      afterSettledMs: done - settled,
      // The most polls of one resource that began after the last WorkSpace was AVAILABLE.
      pollsAfterSettled: Math.max(0, ...Object.values(pollStarts.filter((p) => p.at >= settled)
        .reduce<Record<string, number>>((acc, p) => ({ ...acc, [p.logicalId]: (acc[p.logicalId] ?? 0) + 1 }), {}))),
    };
  } finally {
    await endpoint.stop();
  }
}

export async function runFleetBench(o: FleetBenchOptions): Promise<FleetBenchRun[]> {
  const runs: FleetBenchRun[] = [];
  for (const users of o.counts) {
    for (const kind of ['WorkspaceFleet', 'Workspace'] as const) {
      progress(`api fleet: ${users} users as ${kind}`);
      const run = await runOne(kind, users, o);
      progress(`api fleet: ${users} ${kind}: ${run.ok ? 'ok' : 'failed'}, ${run.calls} calls, ${run.throttled} throttled, `
        + `${fmt(run.wallMs / 1000)} s simulated`);
      runs.push(run);
    }
  }
  return runs;
}

export function fleetMarkdown(runs: readonly FleetBenchRun[], o: FleetBenchOptions): { markdown: string; verdicts: string[] } {
  const s = (ms: number) => fmt(ms / 1000, 0);
  const rows = runs.map((r) => [
    String(r.users),
    r.kind === 'WorkspaceFleet' ? '1 `WorkspaceFleet`' : `${r.users} \`Workspace\``,
    r.ok ? `all ${r.complete} complete` : `**${r.failed} failed**, ${r.complete} AVAILABLE; rolled back`,
    fmt(r.calls),
    `${fmt(r.throttled)} (${fmt((100 * r.throttled) / Math.max(r.calls, 1), 1)}%)`,
    `${s(r.wallMs)} s`,
    r.ok ? `${s(r.afterSettledMs)} s, ${r.pollsAfterSettled} poll${r.pollsAfterSettled === 1 ? '' : 's'} begun after` : '-',
    Object.entries(r.byOperation).map(([k, v]) => `${k} ${fmt(v)}`).join(', '),
  ]);
  const largest = Math.max(...runs.map((r) => r.users));
  const fleet = runs.find((r) => r.users === largest && r.kind === 'WorkspaceFleet');
  const single = runs.find((r) => r.users === largest && r.kind === 'Workspace');
  const verdicts: string[] = [];
  if (fleet && single) {
    const times = single.calls / Math.max(fleet.calls, 1);
    verdicts.push(`${verdict(times >= 10 && fleet.ok && fleet.failed === 0 && fleet.pollsAfterSettled <= 1)} ${largest} users as one `
      + `WorkspaceFleet behind ${o.rateLimitPerSecond} requests/s: ${fmt(fleet.calls)} calls against ${fmt(single.calls)} as `
      + `${largest} Workspace resources (${fmt(times, 1)}× fewer; target ≥ 10×), ${fleet.failed} failed (target 0), complete `
      + `${s(fleet.afterSettledMs)} s after the last WorkSpace was AVAILABLE, by the ${fleet.pollsAfterSettled === 0 ? 'poll under way then' : 'first poll after'} `
      + `(target: within one ${s(o.pollMs)} s poll interval, i.e. at most 1 poll begun after)`);
  }
  const markdown = [
    `### (d) One \`WorkspaceFleet\` against the same users as \`Workspace\` resources, behind ${o.rateLimitPerSecond} requests per second`,
    '',
    table(['users', 'as', 'result', 'calls (throttled ones included)', 'throttled', 'wall time (simulated)',
      'complete after the last WorkSpace was AVAILABLE', 'calls by operation'], rows),
    '',
    `Compressed time: the endpoint and the handlers share one clock running ${o.speedUp}× faster than real time, so the `
    + `Provider's ${s(o.pollMs)} s interval, a new id invisible for ${s(o.invisibleMs)} s, PENDING for ${s(o.pendingMs)} s, `
    + `the endpoint's token bucket of ${o.rateLimitPerSecond} requests per second (burst ${o.rateLimitPerSecond}), the SDK's `
    + 'backoff and the fleet\'s pacing all keep their proportions; the times above are simulated seconds. The handlers\' own '
    + `CPU time is multiplied by ${o.speedUp} as well, which inflates the wall times of the largest runs (a poll of 500 `
    + 'WorkSpaces takes a fraction of a real second), so "within one poll interval" is judged by the polls that began '
    + 'after the last WorkSpace was AVAILABLE: 1 (or 0, when the poll under way saw it) is within one interval. Both sides run one copy of the handlers for every resource (the '
    + 'runner\'s default): kinder to the `Workspace` side, whose WorkSpaces then share one adaptive rate limiter. The '
    + 'fleet lists the directory in pages of 25 per poll for all its users and creates 25 per call; each `Workspace` '
    + 'describes itself once per poll. 500 `Workspace` resources cannot be deployed as one stack at all: with the '
    + 'provider\'s 18 resources they exceed CloudFormation\'s 500 resources per stack, which aws-cdk-lib refuses at synth; '
    + 'the bench lifts that limit (`@aws-cdk/core:stackResourceLimit`) only to count their calls. One fleet is one resource.',
  ].join('\n');
  return { markdown, verdicts };
}
