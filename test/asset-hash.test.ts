import { execSync } from 'child_process';
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
 * Bundles the handlers exactly as `npx projen bundle` does (the same esbuild command), in a copy
 * of the sources whose package.json has the given version; returns the bundle's SHA-256 (one
 * bundle serves both handlers).
 */
function bundleWithVersion(version: string): { [bundle: string]: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-workspaces-bundle-'));
  try {
    for (const item of ['lambda', 'src', 'tsconfig.dev.json']) {
      fs.cpSync(path.join(ROOT, item), path.join(dir, item), { recursive: true });
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ ...manifest, version }, undefined, 2));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    const command: string = tasks['bundle:lambda'].steps[0].exec;
    execSync(command, {
      cwd: dir,
      stdio: 'pipe',
      env: { ...process.env, PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}` },
    });
    const bundle = fs.readFileSync(path.join(dir, 'assets', 'lambda', 'handler', 'index.js'));
    return { handler: crypto.createHash('sha256').update(bundle).digest('hex') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('a new package version leaves the handler bundle, and so its asset hash, unchanged', () => {
  const before = bundleWithVersion('1.0.0');
  const after = bundleWithVersion('1.1.0');
  expect(Object.keys(before)).toEqual(['handler']);
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

test('both handlers run the one bundle: the same asset (one hash, one upload), each its own exported handler', () => {
  const stack = new Stack(new App(), 'Desktops');
  new Workspace(stack, 'Alice', { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' });
  const handlers = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
    .filter((f) => String(f.Properties.Description).startsWith('cdk-workspaces: '));
  expect(handlers.map((f) => f.Properties.Handler).sort()).toEqual(['index.isComplete', 'index.onEvent']);
  const keys = new Set(handlers.map((f) => JSON.stringify(f.Properties.Code.S3Key)));
  expect(keys.size).toBe(1);
  // The asset is the bundle that `npx projen bundle` built: its hash names the file uploaded.
  const bundle = fs.readFileSync(path.join(ROOT, 'assets', 'lambda', 'handler', 'index.js'));
  expect(bundle.length).toBeGreaterThan(0);
  expect([...keys][0]).toMatch(/^"[0-9a-f]{64}\.zip"$/);
});
