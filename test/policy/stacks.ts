// The two apps that the policy-as-code tests run the shipped rules on: one that complies with
// every rule, one that breaks each of them. Test support, used by guard.test.ts and by the
// checkov test (`tsx test/policy/stacks.ts <dir>` writes both templates).
import * as fs from 'fs';
import * as path from 'path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Workspace, WorkspaceBundle } from '../../src';
import { directory } from '../directories';

const IDS = { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678') };

/** Both volumes encrypted with a customer managed key, retained on delete (the default). */
export function compliantStack(app: App): Stack {
  const stack = new Stack(app, 'Compliant');
  const key = new kms.Key(stack, 'VolumeKey', { enableKeyRotation: true });
  new Workspace(stack, 'Alice', {
    ...IDS,
    userName: 'alice',
    rootVolumeEncrypted: true,
    userVolumeEncrypted: true,
    volumeEncryptionKey: key,
  });
  return stack;
}

/** Unencrypted volumes, no key, and terminated when removed: every rule fails on it. */
export function noncompliantStack(app: App): Stack {
  const stack = new Stack(app, 'Noncompliant');
  new Workspace(stack, 'Bob', { ...IDS, userName: 'bob', removalPolicy: RemovalPolicy.DESTROY });
  return stack;
}

if (require.main === module) {
  const [outdir] = process.argv.slice(2);
  if (!outdir) {
    throw new Error('usage: tsx test/policy/stacks.ts <output directory>');
  }
  fs.mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir: path.join(outdir, 'cdk.out') });
  for (const stack of [compliantStack(app), noncompliantStack(app)]) {
    const template = app.synth().getStackByName(stack.stackName).template;
    fs.writeFileSync(path.join(outdir, `${stack.stackName}.template.json`), JSON.stringify(template, undefined, 1));
  }
}
