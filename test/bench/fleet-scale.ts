// Part 3 (e): what a fleet's poll costs as the fleet and its directory grow, in compressed time
// (see fleet.ts): a small fleet in a large directory (calls per poll follow the fleet, not the
// directory), and a tag change for every user of a 1,000-user fleet (calls, and the longest poll's
// handler time against the 5-minute Lambda timeout).
import { App, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { fmt, progress, table, verdict } from './stats';
import { WorkspaceBundle, WorkspaceFleet, WorkspacesDirectory } from '../../src';
import { startLocalWorkspaces } from '../local/endpoint';
import { loadBundledHandlers, LocalStack } from '../local/runner';
import { fastClock } from '../local/scenario-helpers';

export interface FleetScaleOptions {
  /** The small fleet and the directory it is in. */
  readonly smallFleet: number;
  readonly directory: number;
  /** The fleet whose tags all change. */
  readonly largeFleet: number;
  /** Simulated milliseconds per real millisecond. */
  readonly speedUp: number;
  readonly pollMs: number;
  readonly pendingMs: number;
}

export interface FleetScaleRun {
  readonly what: 'small fleet, large directory' | 'tag change, large fleet';
  readonly users: number;
  readonly directory: number;
  readonly ok: boolean;
  readonly reason?: string;
  /** isComplete polls of the measured request. */
  readonly polls: number;
  /** DescribeWorkspaces calls made by those polls. */
  readonly describeCalls: number;
  /** Every call of the measured request, by operation. */
  readonly byOperation: Record<string, number>;
  /** The longest isComplete invocation, simulated ms (the handlers' CPU time counts speedUp times over). */
  readonly longestPollMs: number;
}

const LAMBDA_TIMEOUT_MS = 300_000;

function fleetTemplate(users: number, tag: string): unknown {
  const stack = new Stack(new App(), 'BenchFleetScale');
  const fleet = new WorkspaceFleet(stack, 'Fleet', {
    directory: WorkspacesDirectory.fromDirectoryId(stack, 'Directory', 'd-1234567890'),
    bundle: WorkspaceBundle.fromBundleId('wsb-12345678'),
    users: Array.from({ length: users }, (_, i) => `member${i}`),
    removalPolicy: RemovalPolicy.DESTROY,
  });
  Tags.of(fleet).add('cost-center', tag);
  return Template.fromStack(stack).toJSON();
}

async function runOne(what: FleetScaleRun['what'], users: number, directory: number, o: FleetScaleOptions): Promise<FleetScaleRun> {
  const clock = fastClock(o.speedUp);
  const now = () => clock.Date.now();
  const endpoint = await startLocalWorkspaces({ timing: { invisibleMs: 10_000, pendingMs: o.pendingMs }, clock: now });
  Object.assign(process.env, endpoint.env());
  try {
    for (let i = users; i < directory; i++) {
      endpoint.seedWorkspace({ UserName: `other${i}` });
    }
    const handlers = loadBundledHandlers(() => undefined, { globals: clock });
    let measuring = false;
    const polls: number[] = [];
    let describeCalls = 0;
    const stack = new LocalStack({
      stackName: 'BenchFleetScale',
      pollIntervalMs: o.pollMs / o.speedUp,
      totalTimeoutMs: 3_600_000 / o.speedUp,
      cloudFormationSpeedUp: o.speedUp,
      // The handlers' remaining time runs down on the clock the poll is measured with.
      clock: now,
      handlers: {
        onEvent: handlers.onEvent,
        isComplete: async (event, context) => {
          const start = now();
          const before = endpoint.calls().DescribeWorkspaces ?? 0;
          try {
            return await handlers.isComplete(event, context);
          } finally {
            if (measuring && event.RequestType !== 'Delete') {
              polls.push(now() - start);
              describeCalls += (endpoint.calls().DescribeWorkspaces ?? 0) - before;
            }
          }
        },
      },
    });
    if (what === 'tag change, large fleet') {
      const v1 = await stack.deploy(fleetTemplate(users, '41'));
      if (!v1.ok) {
        return { what, users, directory, ok: false, reason: v1.reason, polls: 0, describeCalls: 0, byOperation: {}, longestPollMs: 0 };
      }
    }
    endpoint.resetCalls();
    measuring = true;
    const result = await stack.deploy(fleetTemplate(users, '42'));
    measuring = false;
    const calls = endpoint.calls();
    return {
      what,
      users,
      directory,
      ok: result.ok,
      reason: result.reason,
      polls: polls.length,
      describeCalls,
      byOperation: Object.fromEntries(Object.entries(calls).filter(([k]) => /^[A-Z]/.test(k))),
      longestPollMs: Math.max(0, ...polls),
    };
  } finally {
    await endpoint.stop();
  }
}

export async function runFleetScaleBench(o: FleetScaleOptions): Promise<FleetScaleRun[]> {
  progress(`api fleet scale: ${o.smallFleet} users in a directory of ${o.directory}`);
  const small = await runOne('small fleet, large directory', o.smallFleet, o.directory, o);
  progress(`api fleet scale: a tag change for ${o.largeFleet} users`);
  const large = await runOne('tag change, large fleet', o.largeFleet, o.largeFleet, o);
  return [small, large];
}

export function fleetScaleMarkdown(runs: readonly FleetScaleRun[], o: FleetScaleOptions): { markdown: string; verdicts: string[] } {
  const rows = runs.map((r) => [
    r.what,
    `${fmt(r.users)} users, directory of ${fmt(r.directory)}`,
    r.ok ? 'complete' : `**failed**: ${r.reason ?? ''}`,
    String(r.polls),
    `${fmt(r.describeCalls)} (${fmt(r.describeCalls / Math.max(r.polls, 1), 1)} a poll)`,
    `${fmt(r.longestPollMs / 1000, 1)} s`,
    Object.entries(r.byOperation).map(([k, v]) => `${k} ${fmt(v)}`).join(', '),
  ]);
  const verdicts: string[] = [];
  const [small, large] = runs;
  const bound = Math.ceil(small.users / 25) + 2;
  const perPoll = small.describeCalls / Math.max(small.polls, 1);
  verdicts.push(`${verdict(small.ok && perPoll <= bound)} A ${small.users}-user fleet in a directory of ${fmt(small.directory)} WorkSpaces: `
    + `${fmt(perPoll, 1)} DescribeWorkspaces calls per poll (target ≤ ceil(${small.users}/25) + 2 = ${bound})`);
  verdicts.push(`${verdict(large.ok && large.longestPollMs < LAMBDA_TIMEOUT_MS)} A tag change for all ${fmt(large.users)} users of a fleet: `
    + `${fmt(Object.values(large.byOperation).reduce((a, b) => a + b, 0))} calls in ${large.polls} polls; the longest poll took `
    + `${fmt(large.longestPollMs / 1000, 1)} s of handler time (target < the 5-minute Lambda timeout)`);
  const markdown = [
    '### (e) What a fleet\'s poll costs as the fleet and its directory grow',
    '',
    table(['case', 'size', 'result', 'polls', 'DescribeWorkspaces by the polls', 'longest poll (simulated)', 'calls by operation'], rows),
    '',
    `Compressed time, ${o.speedUp}× (see (d)); a poll's handler time counts the handlers' own CPU time ${o.speedUp} times over, so `
    + 'the longest poll is an upper bound. A fleet whose members\' ids fit onEvent\'s answer (about 100 WorkSpaces) is described '
    + 'by id, 25 a call; a larger one lists its directory. The tag change is paced to the fleet\'s `requestsPerSecond` (2), '
    + 'and the per-user reads (DescribeTags, one call per WorkSpace whose declared tags changed) to 10 a second. Reads and '
    + 'steps share a poll\'s budget of two minutes and stop when less than a minute of the invocation is left (its remaining '
    + 'time runs down on the simulated clock, from the 5-minute timeout the provider gives its functions); the next poll goes '
    + 'on from the first user not read, and what a poll read stays read in a warm container until the fleet changes those '
    + 'tags, so each WorkSpace\'s tags are read about twice: before its change and after it.',
  ].join('\n');
  return { markdown, verdicts };
}
