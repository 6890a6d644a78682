import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ts from 'typescript';
import { directory } from './directories';
import { Workspace, WorkspaceBundle } from '../src';

// The snapshot serializer of docs/snapshot-testing.md, taken from that page, does what the page says.

interface Serializer {
  test(value: unknown): boolean;
  print(value: unknown): string;
}

function readmeSerializer(): Serializer {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'docs', 'snapshot-testing.md'), 'utf8');
  const match = /^class AssetHashSerializer \{\n[\s\S]*?^\}\n/m.exec(readme);
  if (!match) {
    throw new Error('docs/snapshot-testing.md has no AssetHashSerializer');
  }
  const js = ts.transpileModule(`${match[0]}\nmodule.exports = AssetHashSerializer;`, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 },
  }).outputText;
  const mod = { exports: {} as unknown };
  new Function('module', js)(mod);
  const SerializerClass = mod.exports as new () => Serializer;
  return new SerializerClass();
}

/** The template as a snapshot prints it: jest gives each value to the serializer that claims it. */
function snapshotOf(template: unknown, serializer?: Serializer): string {
  return JSON.stringify(template, (_key, value) => (serializer?.test(value) ? serializer.print(value) : value), 1);
}

test('the documented serializer hides a change of the handlers\' asset hashes, and only that', () => {
  const stack = new Stack(new App(), 'Desktops');
  new Workspace(stack, 'Alice', { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' });
  const template = Template.fromStack(stack).toJSON();
  const json = JSON.stringify(template);
  const hashes = [...new Set(json.match(/[0-9a-f]{64}/g))];
  expect(hashes.length).toBeGreaterThan(0);

  // The same stack after a release that changed the handlers' code: other asset hashes.
  let changed = json;
  hashes.forEach((hash, i) => {
    changed = changed.split(hash).join(String(i).padStart(64, 'f'));
  });
  const rebuilt = JSON.parse(changed);

  const serializer = readmeSerializer();
  expect(snapshotOf(rebuilt)).not.toEqual(snapshotOf(template));
  expect(snapshotOf(rebuilt, serializer)).toEqual(snapshotOf(template, serializer));
  expect(snapshotOf(template, serializer)).toContain('<asset hash>');
  // Anything else still shows: another user name is another snapshot.
  const renamed = JSON.parse(json.replace('"alice"', '"alicia"'));
  expect(snapshotOf(renamed, serializer)).not.toEqual(snapshotOf(template, serializer));
});
