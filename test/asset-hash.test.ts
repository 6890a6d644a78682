import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { directory } from './directories';
import { Workspace, WorkspaceBundle } from '../src';

const ROOT = path.join(__dirname, '..');
const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;

/**
 * Bundles both handlers exactly as `npx projen bundle` does (the same esbuild command), in a copy
 * of the sources whose package.json has the given version; returns each bundle's SHA-256.
 */
function bundleWithVersion(version: string): { [entry: string]: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-workspaces-bundle-'));
  try {
    for (const item of ['lambda', 'src', 'tsconfig.dev.json']) {
      fs.cpSync(path.join(ROOT, item), path.join(dir, item), { recursive: true });
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ ...manifest, version }, undefined, 2));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    const hashes: { [entry: string]: string } = {};
    for (const entry of ['on-event', 'is-complete']) {
      const [command, ...args] = tasks[`bundle:lambda/${entry}.lambda`].steps[0].execArgs as string[];
      execFileSync(path.join(ROOT, 'node_modules', '.bin', command), args, { cwd: dir, stdio: 'pipe' });
      const bundle = fs.readFileSync(path.join(dir, 'assets', 'lambda', `${entry}.lambda`, 'index.js'));
      hashes[entry] = crypto.createHash('sha256').update(bundle).digest('hex');
    }
    return hashes;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('a new package version leaves both handler bundles, and so their asset hashes, unchanged', () => {
  const before = bundleWithVersion('1.0.0');
  const after = bundleWithVersion('1.1.0');
  expect(Object.keys(before)).toEqual(['on-event', 'is-complete']);
  expect(after).toEqual(before);
}, 60_000);

test('the version reaches both handlers through their environment, for the user agent', () => {
  const stack = new Stack(new App(), 'Desktops');
  new Workspace(stack, 'Alice', { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' });
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const handlers = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
    .filter((f) => String(f.Properties.Description).startsWith('cdk-workspaces: '));
  expect(handlers).toHaveLength(2);
  for (const handler of handlers) {
    expect(handler.Properties.Environment.Variables.CDK_WORKSPACES_VERSION).toBe(version);
  }
});
