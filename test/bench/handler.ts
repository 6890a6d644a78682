// Part 2: the shipped handlers: bundle size (raw and gzip) and module start-up time in fresh
// Node processes, against a bare Node start, alternating.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { fmt, median, progress, table, verdict } from './stats';

const ASSETS = path.join(__dirname, '..', '..', 'assets', 'lambda');
export const HANDLERS = ['on-event', 'is-complete'] as const;
/** 600 KB read as 600 KiB: 614,400 bytes (the 600,000-byte reading is shown too). */
export const SIZE_LIMIT_BYTES = 600 * 1024;
export const STARTUP_LIMIT_MS = 100;

export interface HandlerSample {
  readonly name: string;
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

export function runHandler(repetitions: number): HandlerResult {
  const handlers: HandlerSample[] = [];
  for (const name of HANDLERS) {
    const file = path.join(ASSETS, `${name}.lambda`, 'index.js');
    if (!fs.existsSync(file)) {
      throw new Error(`${file} is missing: run 'npx projen bundle' first`);
    }
    const code = fs.readFileSync(file);
    // The same script shape on both sides, so that only the require() differs.
    const clock = 'const t=process.hrtime.bigint();';
    const report = 'process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));';
    const loaded = `${clock}const h=require(${JSON.stringify(file)}).handler;if(typeof h!=='function')throw new Error('no handler');${report}`;
    const bare = `${clock}${report}`;
    const sample: HandlerSample = {
      name,
      bytes: code.length,
      gzipBytes: zlib.gzipSync(code, { level: 9 }).length,
      startupDeltaMs: [],
      requireMs: [],
      bareMs: [],
      loadedMs: [],
    };
    // One untimed start of each, so that the first timed one does not pay for a cold disk cache.
    timedNode(bare);
    timedNode(loaded);
    for (let rep = 0; rep < repetitions; rep++) {
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
    progress(`handler ${name}: ${fmt(code.length)} B, start-up +${fmt(median(sample.startupDeltaMs))} ms (median of ${repetitions})`);
    handlers.push(sample);
  }
  return { repetitions, handlers };
}

export function handlerMarkdown(result: HandlerResult): { markdown: string; verdicts: string[] } {
  const rows = result.handlers.map((h) => [
    `\`assets/lambda/${h.name}.lambda/index.js\``,
    fmt(h.bytes),
    `${fmt(h.bytes / 1024, 1)} KiB`,
    fmt(h.gzipBytes),
    fmt(median(h.bareMs), 1),
    fmt(median(h.loadedMs), 1),
    `**${fmt(median(h.startupDeltaMs), 1)}**`,
    fmt(median(h.requireMs), 1),
  ]);
  const verdicts = result.handlers.flatMap((h) => [
    `${verdict(h.bytes <= SIZE_LIMIT_BYTES)} ${h.name} bundle: ${fmt(h.bytes)} B = ${fmt(h.bytes / 1024, 1)} KiB `
    + `(target ≤ 600 KiB = ${fmt(SIZE_LIMIT_BYTES)} B; ${h.bytes <= 600_000 ? 'also' : 'but not'} ≤ 600,000 B); gzip -9 ${fmt(h.gzipBytes)} B`,
    `${verdict(median(h.startupDeltaMs) <= STARTUP_LIMIT_MS)} ${h.name} start-up: +${fmt(median(h.startupDeltaMs), 1)} ms over a bare Node start `
    + `(median of ${result.repetitions}; target ≤ ${STARTUP_LIMIT_MS} ms)`,
  ]);
  const markdown = [
    table(['bundle (minified, SDK included)', 'bytes', 'KiB', 'gzip -9 bytes', 'bare `node -e` ms', 'with require ms', 'start-up cost ms', 'require() alone ms'], rows),
    '',
    'Start-up cost: wall time of a fresh `node -e "require(\'<bundle>\')"` minus a fresh `node -e ""` (same script otherwise), '
    + `the two alternating, median of ${result.repetitions} pairs. "require() alone" is timed inside the process. `
    + 'The size target reads 600 KB as 600 KiB (614,400 bytes); the bundles are under 600,000 bytes as well when they pass. '
    + 'Lambda downloads the deployment package as a zip (deflate); gzip -9 of the single file is within a few hundred bytes of that zip.',
  ].join('\n');
  return { markdown, verdicts };
}
