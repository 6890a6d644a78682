// Part 1: synth time and template size, this library against aws-cdk-lib's CfnWorkspace.
// Every sample is a fresh Node process (synth-child.ts), the two sides alternate, and the
// first side of each pair alternates too, so neither profits from a warm disk cache or a
// quiet moment of the machine.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fmt, max, median, progress, ratio, table, verdict } from './stats';
import type { Side, SynthSample } from './synth-child';

const ROOT = path.join(__dirname, '..', '..');
const CHILD = path.join(__dirname, 'synth-child.ts');

export interface SynthOptions {
  /** The WorkSpace counts; the slope is taken between the last two. */
  readonly counts: readonly number[];
  readonly repetitions: number;
}

export interface SynthPoint {
  readonly n: number;
  readonly lib: SynthSample[];
  readonly l1: SynthSample[];
  /** Whole child process (start-up, tsx, module load, synth), ms. */
  readonly libProcessMs: number[];
  readonly l1ProcessMs: number[];
  /** lib/L1 synth time of each alternating pair. */
  readonly pairRatios: number[];
}

export interface SynthResult {
  readonly options: SynthOptions;
  readonly points: SynthPoint[];
}

function runChild(side: Side, n: number): { sample: SynthSample; processMs: number } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-synth-${side}-`));
  try {
    const start = process.hrtime.bigint();
    const child = spawnSync(process.execPath, ['--import', 'tsx', CHILD, side, String(n), outdir], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' },
      maxBuffer: 16 * 1024 * 1024,
    });
    const processMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (child.status !== 0) {
      throw new Error(`synth child ${side} N=${n} failed (${child.status}): ${child.stderr}`);
    }
    const line = child.stdout.trim().split('\n').pop()!;
    return { sample: JSON.parse(line) as SynthSample, processMs };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

export function runSynth(options: SynthOptions): SynthResult {
  const points: SynthPoint[] = [];
  for (const n of options.counts) {
    const point: SynthPoint = { n, lib: [], l1: [], libProcessMs: [], l1ProcessMs: [], pairRatios: [] };
    for (let rep = 0; rep < options.repetitions; rep++) {
      const order: Side[] = rep % 2 === 0 ? ['lib', 'l1'] : ['l1', 'lib'];
      const pair: Partial<Record<Side, SynthSample>> = {};
      for (const side of order) {
        const { sample, processMs } = runChild(side, n);
        pair[side] = sample;
        point[side].push(sample);
        (side === 'lib' ? point.libProcessMs : point.l1ProcessMs).push(processMs);
      }
      point.pairRatios.push(pair.lib!.synthMs / pair.l1!.synthMs);
      progress(`synth N=${n} rep ${rep + 1}/${options.repetitions}: lib ${fmt(pair.lib!.synthMs)} ms, L1 ${fmt(pair.l1!.synthMs)} ms`);
    }
    points.push(point);
  }
  return { options, points };
}

/** The per-WorkSpace slope between the last two counts, and the fixed cost at the first. */
function sizeModel(result: SynthResult, side: Side): { slopeBytes: number; fixedBytes: number; fixedResources: number; slopeResources: number } {
  const first = result.points[0];
  const a = result.points[result.points.length - 2];
  const b = result.points[result.points.length - 1];
  const bytes = (p: SynthPoint) => median(p[side].map((s) => s.templateBytes));
  const resources = (p: SynthPoint) => median(p[side].map((s) => s.resources));
  const slopeBytes = (bytes(b) - bytes(a)) / (b.n - a.n);
  const slopeResources = (resources(b) - resources(a)) / (b.n - a.n);
  return {
    slopeBytes,
    slopeResources,
    fixedBytes: bytes(first) - first.n * slopeBytes,
    fixedResources: resources(first) - first.n * slopeResources,
  };
}

export function synthMarkdown(result: SynthResult): { markdown: string; verdicts: string[] } {
  const { points, options } = result;
  const rows = points.map((p) => {
    const libMs = median(p.lib.map((s) => s.synthMs));
    const l1Ms = median(p.l1.map((s) => s.synthMs));
    const libBytes = median(p.lib.map((s) => s.templateBytes));
    const l1Bytes = median(p.l1.map((s) => s.templateBytes));
    return [
      String(p.n),
      fmt(libMs), fmt(l1Ms), `${fmt(median(p.pairRatios), 2)}× (${fmt(Math.min(...p.pairRatios), 2)}–${fmt(max(p.pairRatios), 2)})`,
      fmt(libBytes), fmt(l1Bytes), ratio(libBytes, l1Bytes),
      `${fmt(median(p.lib.map((s) => s.resources)))} / ${fmt(median(p.l1.map((s) => s.resources)))}`,
      `${fmt(median(p.libProcessMs))} / ${fmt(median(p.l1ProcessMs))}`,
    ];
  });
  const last = points[points.length - 1];
  const timeRatio = median(last.pairRatios);
  const lib = sizeModel(result, 'lib');
  const l1 = sizeModel(result, 'l1');
  const slopeRatio = lib.slopeBytes / l1.slopeBytes;
  const a = points[points.length - 2];
  const msAt = (pt: SynthPoint, side: Side) => median(pt[side].map((s) => s.synthMs));
  const libMsSlope = (msAt(last, 'lib') - msAt(a, 'lib')) / (last.n - a.n);
  const l1MsSlope = (msAt(last, 'l1') - msAt(a, 'l1')) / (last.n - a.n);
  const libTypes = points[0].lib[0].resourceTypes;
  const fixedTypes = Object.entries(libTypes)
    .filter(([type]) => type !== 'Custom::Workspace')
    .map(([type, count]) => `${count} ${type}`)
    .join(', ');

  const verdicts = [
    `${verdict(timeRatio <= 1.5)} synth time ratio at N=${last.n}: ${fmt(timeRatio, 2)}× (target ≤ 1.5×)`,
    `${verdict(slopeRatio <= 1.5)} template bytes per added WorkSpace (N=${a.n}→${last.n}): ${fmt(lib.slopeBytes)} B vs ${fmt(l1.slopeBytes)} B = ${fmt(slopeRatio, 2)}× (target ≤ 1.5×)`,
  ];
  const markdown = [
    table(
      ['N', 'lib synth ms', 'L1 synth ms', 'time ratio, median of pairs (range)', 'lib template B', 'L1 template B', 'bytes ratio', 'resources lib / L1', 'whole process ms lib / L1'],
      rows,
    ),
    '',
    `Synth ms: \`new App()\`, N WorkSpaces and \`app.synth()\` inside a fresh Node process, median of ${options.repetitions}; `
    + 'module loading (aws-cdk-lib, the library, tsx) happens before the clock starts and is in "whole process" only. '
    + 'Template bytes: the stack template as written to the cloud assembly (1-space indented JSON, what `cdk deploy` uploads).',
    '',
    table(['', 'this library', 'CfnWorkspace (L1)', 'ratio'], [
      [`synth ms per added WorkSpace (N=${a.n}→${last.n})`, fmt(libMsSlope, 2), fmt(l1MsSlope, 2), `${fmt(libMsSlope / l1MsSlope, 2)}×`],
      [`bytes per added WorkSpace (N=${a.n}→${last.n})`, fmt(lib.slopeBytes), fmt(l1.slopeBytes), `${fmt(slopeRatio, 2)}×`],
      ['resources per added WorkSpace', fmt(lib.slopeResources, 2), fmt(l1.slopeResources, 2), ''],
      [`fixed cost: bytes at N=${points[0].n} minus one WorkSpace's share`, fmt(lib.fixedBytes), fmt(l1.fixedBytes), ''],
      [`fixed cost: resources at N=${points[0].n} minus one WorkSpace`, fmt(lib.fixedResources), fmt(l1.fixedResources), ''],
    ]),
    '',
    'The provider\'s fixed cost, beyond what any CDK stack carries (the L1\'s fixed bytes are the `BootstrapVersion` parameter and rule): '
    + `**${fmt(lib.fixedBytes - l1.fixedBytes)} bytes and ${fmt(lib.fixedResources - l1.fixedResources)} resources** (${fixedTypes}), `
    + 'plus the handler bundle, one Lambda asset for both functions (part 2).',
  ].join('\n');
  return { markdown, verdicts };
}
