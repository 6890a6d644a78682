// Part 2: the shipped handler bundle (one for both functions): size (raw and gzip) and module
// start-up time in fresh Node processes, against a bare Node start, alternating. Beside it, in
// the same run, the ways the SDK could be shipped instead, built here from the same command
// with one flag changed, so that the choice in .projenrc.ts rests on numbers.
import { execSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { fmt, median, progress, table, verdict } from './stats';

const ROOT = path.join(__dirname, '..', '..');
const SHIPPED = path.join(ROOT, 'assets', 'lambda', 'handler', 'index.js');
/** Inside the project, so that a bundle without the SDK finds it in node_modules, as a runtime's SDK would be found. */
const ALTERNATIVES_DIR = path.join(ROOT, 'node_modules', '.cache', 'cdk-workspaces-bench');
/** The functions that run the bundle: each would upload its own copy if they did not share it. */
export const FUNCTIONS = ['onEvent', 'isComplete'] as const;
/** 600 KB read as 600 KiB: 614,400 bytes (the 600,000-byte reading is shown too). */
export const SIZE_LIMIT_BYTES = 600 * 1024;
export const STARTUP_LIMIT_MS = 100;

/** A way to ship the handler, as a change to the shipped bundle command. */
interface Variant {
  readonly name: string;
  readonly what: string;
  /** The bundle:lambda command's arguments, changed. */
  readonly args: (args: string[]) => string[];
}

const VARIANTS: readonly Variant[] = [
  {
    name: 'sdk-cjs',
    what: 'SDK bundled from its CommonJS build (esbuild\'s default for Node: `main` first), as the two bundles before',
    args: (args) => args.filter((a) => !a.startsWith('--main-fields=')),
  },
  {
    name: 'runtime-sdk',
    what: 'SDK not bundled: `@aws-sdk/*` and `@smithy/*` left to the runtime (loaded here from node_modules, unbundled, as a runtime\'s own copy is)',
    args: (args) => [...args, '--external:@aws-sdk/*', '--external:@smithy/*'],
  },
];

export interface HandlerSample {
  readonly name: string;
  readonly file: string;
  readonly what: string;
  readonly shipped: boolean;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Fresh `node -e "require(bundle)"` minus a fresh `node -e ""`, each pair alternating. */
  readonly startupDeltaMs: number[];
  /** The require() alone, timed inside the process. */
  readonly requireMs: number[];
  readonly bareMs: number[];
  readonly loadedMs: number[];
}

export interface HandlerResult {
  readonly repetitions: number;
  readonly handlers: HandlerSample[];
}

function timedNode(script: string): { wallMs: number; stdout: string } {
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.status !== 0) {
    throw new Error(`node -e failed (${child.status}): ${child.stderr}`);
  }
  return { wallMs, stdout: child.stdout };
}

/** Builds each variant with the shipped bundle's own command (from .projen/tasks.json), one flag changed. */
function buildVariants(): Array<{ variant: Variant; file: string }> {
  const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;
  const command: string = tasks['bundle:lambda'].steps[0].exec;
  const args = command.split(/\s+/).filter((a) => a.length > 0);
  return VARIANTS.map((variant) => {
    const file = path.join(ALTERNATIVES_DIR, variant.name, 'index.js');
    const changed = variant.args(args).map((a) => (a.startsWith('--outfile=') ? `--outfile=${file}` : a));
    execSync(changed.map((a) => (/[*\s]/.test(a) ? `'${a}'` : a)).join(' '), {
      cwd: ROOT,
      stdio: 'pipe',
      env: { ...process.env, PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}` },
    });
    return { variant, file };
  });
}

/** The two scripts of a pair: the same shape, so that only the require() differs. */
function scripts(file: string): { loaded: string; bare: string } {
  const clock = 'const t=process.hrtime.bigint();';
  const report = 'process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));';
  return {
    loaded: `${clock}const m=require(${JSON.stringify(file)});`
      + `if(typeof m.onEvent!=='function'||typeof m.isComplete!=='function')throw new Error('no handlers');${report}`,
    bare: `${clock}${report}`,
  };
}

/** One pair, bare and loaded, in the order the repetition's parity gives. */
function measurePair(sample: HandlerSample, rep: number): void {
  const { loaded, bare } = scripts(sample.file);
  const order = rep % 2 === 0 ? ['bare', 'loaded'] : ['loaded', 'bare'];
  let bareMs = 0;
  let loadedMs = 0;
  for (const which of order) {
    if (which === 'bare') {
      bareMs = timedNode(bare).wallMs;
    } else {
      const run = timedNode(loaded);
      loadedMs = run.wallMs;
      sample.requireMs.push(Number(run.stdout));
    }
  }
  sample.bareMs.push(bareMs);
  sample.loadedMs.push(loadedMs);
  sample.startupDeltaMs.push(loadedMs - bareMs);
}

export function runHandler(repetitions: number): HandlerResult {
  if (!fs.existsSync(SHIPPED)) {
    throw new Error(`${SHIPPED} is missing: run 'npx projen bundle' first`);
  }
  const variants = buildVariants();
  const handlers: HandlerSample[] = [
    { name: 'shipped', file: SHIPPED, what: 'the shipped bundle: SDK bundled from its ES module build, minified', shipped: true },
    ...variants.map(({ variant, file }) => ({ name: variant.name, file, what: variant.what, shipped: false })),
  ].map((h) => {
    const code = fs.readFileSync(h.file);
    const gzipBytes = zlib.gzipSync(code, { level: 9 }).length;
    return { ...h, bytes: code.length, gzipBytes, startupDeltaMs: [], requireMs: [], bareMs: [], loadedMs: [] };
  });
  // One untimed start of each, so that the first timed one does not pay for a cold disk cache.
  for (const h of handlers) {
    const { loaded, bare } = scripts(h.file);
    timedNode(bare);
    timedNode(loaded);
  }
  // The bundles in turn within each repetition, so that a change in the machine's load falls on all alike.
  for (let rep = 0; rep < repetitions; rep++) {
    for (const h of handlers) {
      measurePair(h, rep);
    }
  }
  for (const h of handlers) {
    progress(`handler ${h.name}: ${fmt(h.bytes)} B, start-up +${fmt(median(h.startupDeltaMs))} ms (median of ${repetitions})`);
  }
  return { repetitions, handlers };
}

export function handlerMarkdown(result: HandlerResult): { markdown: string; verdicts: string[] } {
  const label = (h: HandlerSample) => (h.shipped ? `\`${path.relative(ROOT, h.file)}\` (shipped)` : `${h.name}: ${h.what}`);
  const rows = result.handlers.map((h) => [
    label(h),
    fmt(h.bytes),
    `${fmt(h.bytes / 1024, 1)} KiB`,
    fmt(h.gzipBytes),
    fmt(median(h.bareMs), 1),
    fmt(median(h.loadedMs), 1),
    `**${fmt(median(h.startupDeltaMs), 1)}**`,
    fmt(median(h.requireMs), 1),
  ]);
  const shipped = result.handlers.find((h) => h.shipped)!;
  const separate = shipped.bytes * FUNCTIONS.length;
  const verdicts = [
    `${verdict(shipped.bytes <= SIZE_LIMIT_BYTES)} handler bundle (one for both functions): ${fmt(shipped.bytes)} B = `
    + `${fmt(shipped.bytes / 1024, 1)} KiB (target ≤ 600 KiB = ${fmt(SIZE_LIMIT_BYTES)} B; ${shipped.bytes <= 600_000 ? 'also' : 'but not'} `
    + `≤ 600,000 B); gzip -9 ${fmt(shipped.gzipBytes)} B`,
    `${verdict(median(shipped.startupDeltaMs) <= STARTUP_LIMIT_MS)} handler start-up: +${fmt(median(shipped.startupDeltaMs), 1)} ms over a `
    + `bare Node start (median of ${result.repetitions}; target ≤ ${STARTUP_LIMIT_MS} ms)`,
    `${verdict(shipped.bytes < separate)} handler assets a deployment stages and uploads: one bundle of ${fmt(shipped.bytes)} B for `
    + `${FUNCTIONS.length} functions, against ${fmt(separate)} B for a copy per function (target: smaller)`,
  ];
  const markdown = [
    table(['bundle (minified)', 'bytes', 'KiB', 'gzip -9 bytes', 'bare `node -e` ms', 'with require ms', 'start-up cost ms', 'require() alone ms'], rows),
    '',
    'Start-up cost: wall time of a fresh `node -e "require(\'<bundle>\')"` minus a fresh `node -e ""` (same script otherwise), '
    + `the two alternating, median of ${result.repetitions} pairs, the bundles taken in turn. "require() alone" is timed inside the process. `
    + 'The size target reads 600 KB as 600 KiB (614,400 bytes). '
    + 'Lambda downloads the deployment package as a zip (deflate); gzip -9 of the single file is within a few hundred bytes of that zip. '
    + 'The rows below the shipped bundle are built in this run from the shipped bundle\'s own command with one flag changed; they are not shipped.',
  ].join('\n');
  return { markdown, verdicts };
}
