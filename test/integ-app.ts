// Runs an integration test app for integ-runner, then lets integ-runner read what it wrote.
//
// The newest integ-runner on the npm registry (2.197.10) reads cloud assemblies of schema 53 at
// most. The floor (aws-cdk-lib 2.240.0) writes schema 50, but the newest releases, which
// `test:cdk-latest` checks the snapshot with, write 55 and later. The snapshot check compares
// templates, which the schema version does not describe, so the app's manifests are labelled with
// the version integ-runner reads. Remove this once an integ-runner that reads the newest
// aws-cdk-lib's schema is published (check with `npm view @aws-cdk/integ-runner version` and run
// `npx projen test:cdk-latest` without it).
import * as fs from 'fs';
import * as path from 'path';

/** The newest cloud assembly schema that integ-runner 2.197.10 reads. */
const READABLE_SCHEMA = '53.0.0';

function relabel(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith('asset.')) {
      relabel(file);
    } else if (entry.name.endsWith('.json')) {
      // manifest.json, integ.json and the asset manifests each carry the schema version.
      const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (/^\d+\.\d+\.\d+$/.test(String(manifest.version))
        && Number(String(manifest.version).split('.')[0]) > Number(READABLE_SCHEMA.split('.')[0])) {
        manifest.version = READABLE_SCHEMA;
        fs.writeFileSync(file, JSON.stringify(manifest, undefined, 2));
      }
    }
  }
}

const [app] = process.argv.slice(2);
const outdir = process.env.CDK_OUTDIR;
if (!app || !outdir) {
  throw new Error('usage: CDK_OUTDIR=<dir> tsx test/integ-app.ts <integ app file> (run by integ-runner)');
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loads the app synchronously, as `tsx <app>` would
require(path.resolve(app));
// aws-cdk-lib's App synthesizes on 'beforeExit' when CDK_OUTDIR is set: relabel after that.
process.once('exit', () => relabel(outdir));
