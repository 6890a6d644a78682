// One synth measurement in a fresh process: `node --import tsx synth-child.ts <lib|l1> <N> <outdir>`.
// Modules are loaded before the clock starts, so the reported time is App construction, N
// WorkSpaces and app.synth() only; the module load time is reported separately.
import * as fs from 'fs';
import * as path from 'path';

const moduleStart = process.hrtime.bigint();
/* eslint-disable @typescript-eslint/no-require-imports */
const cdk = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
const workspaces = require('aws-cdk-lib/aws-workspaces') as typeof import('aws-cdk-lib/aws-workspaces');
const lib = require('../../src') as typeof import('../../src');
/* eslint-enable @typescript-eslint/no-require-imports */
const moduleMs = Number(process.hrtime.bigint() - moduleStart) / 1e6;

export type Side = 'lib' | 'l1';

export interface SynthSample {
  readonly side: Side;
  readonly n: number;
  /** new App() .. app.synth(), in ms. */
  readonly synthMs: number;
  /** Loading aws-cdk-lib and the library before the clock started, in ms (not part of synthMs). */
  readonly moduleMs: number;
  /** The stack's template as written to the cloud assembly (what `cdk deploy` uploads). */
  readonly templateBytes: number;
  /** The same template as compact JSON. */
  readonly compactBytes: number;
  readonly resources: number;
  readonly resourceTypes: Record<string, number>;
}

export const DIRECTORY_ID = 'd-1234567890';
export const BUNDLE_ID = 'wsb-12345678';

/** The same N WorkSpaces, once with the library and once as aws-cdk-lib's L1. */
function build(side: Side, n: number, outdir: string): import('aws-cdk-lib').App {
  const { App, Duration, RemovalPolicy, Size, Stack, Tags } = cdk;
  const app = new App({ outdir });
  const stack = new Stack(app, 'Desktops');
  Tags.of(stack).add('team', 'platform');
  let directory: import('../../src').IWorkspacesDirectory | undefined;
  const bundle = lib.WorkspaceBundle.fromBundleId(BUNDLE_ID);
  for (let i = 0; i < n; i++) {
    const userName = `user${i}`;
    let scope;
    if (side === 'lib') {
      directory ??= lib.WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID);
      scope = new lib.Workspace(stack, `Ws${i}`, {
        directory,
        bundle,
        userName,
        runningMode: lib.RunningMode.AUTO_STOP,
        autoStopTimeout: Duration.hours(2),
        computeType: lib.ComputeType.PERFORMANCE,
        userVolumeSize: Size.gibibytes(100),
      });
    } else {
      const cfn = new workspaces.CfnWorkspace(stack, `Ws${i}`, {
        directoryId: DIRECTORY_ID,
        bundleId: BUNDLE_ID,
        userName,
        workspaceProperties: {
          runningMode: 'AUTO_STOP',
          runningModeAutoStopTimeoutInMinutes: 120,
          computeTypeName: 'PERFORMANCE',
          userVolumeSizeGib: 100,
        },
      });
      // The library's default removal policy, so that both templates say the same thing.
      cfn.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
      scope = cfn;
    }
    Tags.of(scope).add('cost-center', String(40 + (i % 10)));
  }
  return app;
}

function main(): void {
  const [side, nText, outdir] = process.argv.slice(2);
  if ((side !== 'lib' && side !== 'l1') || !nText || !outdir) {
    throw new Error('usage: synth-child.ts <lib|l1> <N> <outdir>');
  }
  const n = Number(nText);
  const start = process.hrtime.bigint();
  const assembly = build(side, n, outdir).synth();
  const synthMs = Number(process.hrtime.bigint() - start) / 1e6;

  const file = path.join(assembly.directory, assembly.getStackByName('Desktops').templateFile);
  const text = fs.readFileSync(file, 'utf8');
  const template = JSON.parse(text);
  const resourceTypes: Record<string, number> = {};
  for (const r of Object.values<{ Type: string }>(template.Resources ?? {})) {
    resourceTypes[r.Type] = (resourceTypes[r.Type] ?? 0) + 1;
  }
  const sample: SynthSample = {
    side,
    n,
    synthMs,
    moduleMs,
    templateBytes: Buffer.byteLength(text),
    compactBytes: Buffer.byteLength(JSON.stringify(template)),
    resources: Object.keys(template.Resources ?? {}).length,
    resourceTypes,
  };
  process.stdout.write(`${JSON.stringify(sample)}\n`);
}

if (require.main === module) {
  main();
}
