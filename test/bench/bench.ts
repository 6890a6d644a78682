// `npm run bench`: synth, the shipped handler and API calls, this library against
// CloudFormation's own AWS::WorkSpaces::Workspace where that can be measured. Prints the
// report and writes it to BENCHMARKS.md.
// `npm run bench -- --smoke`: small counts, one repetition, prints only (CI: must exit 0).
// `--parts=synth,handler,api` runs some parts only (never written to BENCHMARKS.md).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { apiMarkdown, heldBackMarkdown, runHeldBack, runLifecycle, runThrottled } from './api-calls';
import { fleetMarkdown, FleetBenchOptions, runFleetBench } from './fleet';
import { fleetScaleMarkdown, FleetScaleOptions, runFleetScaleBench } from './fleet-scale';
import { handlerMarkdown, runHandler } from './handler';
import { machine, progress } from './stats';
import { runSynth, synthMarkdown } from './synth';

type Part = 'synth' | 'handler' | 'api';
const ALL_PARTS: Part[] = ['synth', 'handler', 'api'];
const OUTPUT = path.join(__dirname, '..', '..', 'BENCHMARKS.md');

interface Config {
  readonly synth: { counts: number[]; repetitions: number };
  readonly handlerRepetitions: number;
  readonly lifecycle: { pollMs: number; repetitions: number };
  readonly heldBack: { pollMs: number; connectedIntervals: number };
  readonly throttled: { workspaces: number; pollMs: number; invisibleMs: number; pendingMs: number; rateLimitPerSecond: number };
  readonly fleet: FleetBenchOptions;
  readonly fleetScale: FleetScaleOptions;
}

const FULL: Config = {
  synth: { counts: [1, 50, 250], repetitions: 7 },
  handlerRepetitions: 11,
  lifecycle: { pollMs: 25, repetitions: 5 },
  heldBack: { pollMs: 25, connectedIntervals: 40 },
  // Real time: the Provider's own 30 s interval and 5 requests per real second.
  throttled: { workspaces: 100, pollMs: 30_000, invisibleMs: 5_000, pendingMs: 60_000, rateLimitPerSecond: 5 },
  // Simulated time, 30 times faster than real: a real 30 s interval, 5 minutes of provisioning.
  fleet: { counts: [100, 500], speedUp: 30, rateLimitPerSecond: 5, pollMs: 30_000, invisibleMs: 10_000, pendingMs: 300_000 },
  // The two cases: 10 users in a directory of 5,000; a tag change for 1,000 users.
  fleetScale: { smallFleet: 10, directory: 5_000, largeFleet: 1_000, speedUp: 30, pollMs: 30_000, pendingMs: 300_000 },
};

const SMOKE: Config = {
  synth: { counts: [1, 5], repetitions: 1 },
  handlerRepetitions: 1,
  lifecycle: { pollMs: 20, repetitions: 1 },
  heldBack: { pollMs: 20, connectedIntervals: 20 },
  // The same load per rate limit as the full run (WorkSpaces / interval = 3.3 per second), ten times smaller.
  throttled: { workspaces: 10, pollMs: 3_000, invisibleMs: 500, pendingMs: 3_000, rateLimitPerSecond: 5 },
  fleet: { counts: [20], speedUp: 300, rateLimitPerSecond: 5, pollMs: 30_000, invisibleMs: 10_000, pendingMs: 300_000 },
  fleetScale: { smallFleet: 10, directory: 500, largeFleet: 100, speedUp: 100, pollMs: 30_000, pendingMs: 300_000 },
};

function parseArgs(argv: string[]): { smoke: boolean; parts: Part[] } {
  let smoke = false;
  let parts = ALL_PARTS;
  for (const arg of argv) {
    if (arg === '--smoke') {
      smoke = true;
    } else if (arg.startsWith('--parts=')) {
      parts = arg.slice('--parts='.length).split(',').map((p) => {
        if (!(ALL_PARTS as string[]).includes(p)) {
          throw new Error(`unknown part "${p}" (known: ${ALL_PARTS.join(', ')})`);
        }
        return p as Part;
      });
    } else if (arg !== '--') {
      throw new Error(`unknown argument "${arg}" (known: --smoke, --parts=${ALL_PARTS.join(',')})`);
    }
  }
  return { smoke, parts };
}

async function main(): Promise<void> {
  const { smoke, parts } = parseArgs(process.argv.slice(2));
  const config = smoke ? SMOKE : FULL;
  // The SDK warns that this Node is past its end of life; the Lambda runtime is Node 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const started = Date.now();
  const m = machine();
  const sections: string[] = [];
  const verdicts: string[] = [];

  if (parts.includes('synth')) {
    const { markdown, verdicts: v } = synthMarkdown(runSynth(config.synth));
    sections.push('## 1. Synth: this library against `aws_workspaces.CfnWorkspace`', '', SYNTH_INTRO, '', markdown, '', SYNTH_NOTES, '');
    verdicts.push(...v);
  }
  if (parts.includes('handler')) {
    const { markdown, verdicts: v } = handlerMarkdown(runHandler(config.handlerRepetitions));
    sections.push('## 2. The shipped handler bundle', '', markdown, '', HANDLER_NOTES, '');
    verdicts.push(...v);
  }
  if (parts.includes('api')) {
    const life = await runLifecycle(config.lifecycle);
    progress(`api throttled: ${config.throttled.workspaces} WorkSpaces, poll ${config.throttled.pollMs} ms, ${config.throttled.rateLimitPerSecond} rps`);
    const throttled = await runThrottled(config.throttled);
    progress('api throttled again, with one shared copy of the handlers (the runner\'s default), for contrast');
    const shared = await runThrottled({ ...config.throttled, sharedClient: true });
    const { markdown, verdicts: v } = apiMarkdown(life, throttled, shared);
    progress(`api held back: a connected user for ${config.heldBack.connectedIntervals} intervals`);
    const held = heldBackMarkdown(await runHeldBack(config.heldBack));
    const fleet = fleetMarkdown(await runFleetBench(config.fleet), config.fleet);
    const scale = fleetScaleMarkdown(await runFleetScaleBench(config.fleetScale), config.fleetScale);
    sections.push('## 3. API calls against the local endpoint', '', markdown, '', THROTTLE_NOTES, '', held.markdown, '',
      fleet.markdown, '', scale.markdown, '', CFN_NOTES, '');
    verdicts.push(...v, ...held.verdicts, ...fleet.verdicts, ...scale.verdicts);
  }

  const seconds = Math.round((Date.now() - started) / 1000);
  const report = [
    `# Benchmarks${smoke ? ' (smoke run: small counts, one repetition, not for comparison)' : ''}`,
    '',
    'Generated by `npm run bench` (test/bench/); do not edit by hand. This library\'s `Workspace` against '
    + '`aws-cdk-lib`\'s `aws_workspaces.CfnWorkspace` (CloudFormation\'s own `AWS::WorkSpaces::Workspace`), '
    + 'measured side by side in one run, the two sides alternating, medians, as ratios.',
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB memory, ${m.platform}; Node.js ${m.node}. `
    + `Date: ${m.date}. The whole run took ${seconds} s. The machine is shared: single numbers are noisy, the ratios of `
    + 'alternating pairs less so.',
    '',
    '## Targets',
    '',
    ...verdicts.map((v) => `- ${v.replace(/^(PASS|MISS)/, '**$1**')}`),
    '',
    ...sections,
  ].join('\n');

  process.stdout.write(report);
  if (smoke || parts.length !== ALL_PARTS.length) {
    const file = path.join(os.tmpdir(), `cdk-workspaces-bench-${smoke ? 'smoke' : 'partial'}.md`);
    fs.writeFileSync(file, report);
    progress(`not written to BENCHMARKS.md (${smoke ? 'smoke run' : 'partial run'}); copy in ${file}`);
  } else {
    fs.writeFileSync(OUTPUT, report);
    progress(`wrote ${OUTPUT}`);
  }
  progress(`done in ${seconds} s`);
}

const SYNTH_INTRO = 'The same N WorkSpaces in one stack: directory, bundle, user `userI`, running mode AUTO_STOP with a '
  + '2-hour timeout, compute type PERFORMANCE, a 100 GiB user volume, a stack tag and a tag per WorkSpace (`Tags.of`). '
  + 'The L1 gets the library\'s default removal policy (`RETAIN_ON_UPDATE_OR_DELETE`), so both templates carry the same '
  + 'DeletionPolicy and UpdateReplacePolicy. Each sample is a fresh Node process; within a repetition the two sides run '
  + 'back to back, the first side alternating between repetitions. Both children load the same modules before the clock starts.';

const SYNTH_NOTES = [
  'Where the library costs more, and why:',
  '',
  '- **Per WorkSpace** a `Custom::Workspace` carries what the L1 does not: `ServiceToken` (a `Fn::GetAtt` of the provider\'s '
  + 'function), `TimeoutSeconds`, both encryption flags spelled out (`"false"`), and a logical id with a hash suffix '
  + '(the resource is the construct\'s `Resource` child). Per WorkSpace it is still one resource, as with the L1.',
  '- **Once per stack** the provider adds its resources: the two handlers and aws-cdk-lib Provider framework\'s three '
  + 'functions, their roles and policies, the waiter state machine and its log group; and the handler bundle, one Lambda '
  + 'asset for both handlers, which synth stages into the cloud assembly (a copy and a hash). That is most of the time at N = 1.',
  '- **Synth time** at N = 250 is still dominated by that fixed part: building the provider (five functions, hashing and '
  + 'staging the bundle) and the aws-cdk-lib modules it needs, which aws-cdk-lib loads lazily on first use '
  + '(Lambda, Step Functions, the Provider framework) and the L1 never touches. The row "synth ms per added WorkSpace" '
  + 'isolates what grows with N: a `Workspace` is a small construct tree (the L2, a `CustomResource`, its `CfnResource`) '
  + 'with prop validation, where the L1 is one `CfnResource`. The slope is a difference of two noisy medians; read it as a rough figure.',
].join('\n');

const HANDLER_NOTES = 'One bundle serves both functions (two exported handlers, `index.onEvent` and `index.isComplete`): '
  + 'synth hashes and stages it once and a deployment uploads it once. It bundles `@aws-sdk/client-workspaces` (what is tested '
  + 'is what runs), from the SDK\'s ES module build, which lets esbuild leave out the commands the handler never sends, and is '
  + 'minified. Leaving the SDK to the runtime would make the bundle smallest, but then what runs is whatever SDK version the '
  + 'runtime carries that day, not the one tested. The start-up cost is what a cold Lambda container pays once, on top of the '
  + 'runtime\'s own start; the L1 has no handler of its own (CloudFormation\'s resource handler runs inside the service), so '
  + 'there is nothing to compare it with. This machine runs the Node.js shown above; the Lambda runtime is Node.js 24.';

const THROTTLE_NOTES = [
  '**Why real time for (b).** The Provider polls each WorkSpace every 30 s, so 100 WorkSpaces make about 3.3 '
  + 'DescribeWorkspaces per second against a limit of 5: two thirds of the limit, plus the burst of 200 calls '
  + '(a lookup and CreateWorkspaces per WorkSpace) that onEvent makes at the start. Scaling time down (one poll '
  + 'interval of a few ms) would need the rate limit scaled up by the same factor to keep that ratio; a real-time '
  + '5 requests per second with a scaled interval would instead overload the limit many times over, which is not '
  + 'what a deployment meets. So (b) runs the real interval and the real rate, and only provisioning is short '
  + '(2 polls instead of ~40), which keeps each run to a few minutes. The smoke run keeps the same ratio with '
  + '10 WorkSpaces and a 3 s interval.',
  '',
  '**Lambda-like containers, and one shared client for contrast.** In the target run each invocation runs in an idle '
  + 'copy of its bundle or loads a new one, as Lambda does, so every container has its own SDK client and its own '
  + 'adaptive-retry state (`retryMode: \'adaptive\'`, `maxAttempts: 8`). The second run uses the runner\'s default, '
  + 'one copy of the handlers for every resource: a single client whose adaptive rate limiter learns from every '
  + 'throttle and paces all WorkSpaces together. That is kinder than Lambda, where up to 100 onEvent containers start at '
  + 'once, each with its own budget of 8 attempts and a rate limiter that has only its own few requests to learn from. '
  + 'All containers share one Node process here, so cold starts run one after the other instead of in parallel (the loading time shown).',
].join('\n');

const CFN_NOTES = [
  '### CloudFormation\'s own `AWS::WorkSpaces::Workspace`',
  '',
  'Its API calls cannot be measured here: its resource handler runs inside CloudFormation, not in this account\'s '
  + 'Lambda, and the local endpoint sees only this library\'s handlers. What its documentation (CloudFormation '
  + 'template reference, `AWS::WorkSpaces::Workspace`) states:',
  '',
  '- Updates are not supported for `BundleId`, `RootVolumeEncryptionEnabled`, `UserVolumeEncryptionEnabled` and '
  + '`VolumeEncryptionKey`; to change them a property that triggers a replacement, such as `UserName`, must change '
  + 'as well. This library replaces the WorkSpace for those changes, and refuses up front the one case that cannot '
  + 'work (same user, same directory).',
  '- `DirectoryId`, `Tags` and `WorkspaceProperties` are listed as "Update requires: No interruption".',
  '- How often it polls, which calls it makes per poll, and whether an update waits until ModifyWorkspaceProperties '
  + 'has finished (the WorkSpace back to AVAILABLE) are not documented. No numbers are given for it here.',
  '',
  'Measurable for both: template size and synth time (part 1). Only the library ships handler code (part 2).',
].join('\n');

main().catch((e) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
