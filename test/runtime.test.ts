import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { directory } from './directories';
import { Workspace, WorkspaceFleet, WorkspaceProvider, WorkspaceBundle, WorkspacesDirectory } from '../src';
import { HANDLER_RUNTIME } from '../src/private/handler-function';

// Run against the floor by `npm test` and against the newest aws-cdk-lib by
// `npx projen test:cdk-latest`: the day an aws-cdk-lib knows a newer Node.js runtime than the
// handlers', the second fails, and `handlerRuntime` in .projenrc.ts is raised.

const nodeMajor = (name: string) => Number(/^nodejs(\d+)\.x$/.exec(name)?.[1] ?? NaN);

/**
 * When Lambda deprecates each Node.js runtime (the deprecation dates of Lambda's runtime
 * deprecation policy; from then on it no longer patches it). A runtime not listed is older than
 * nodejs18.x, and long deprecated; a newer one gets its row when Lambda announces its date.
 */
const DEPRECATED_ON: { [runtime: string]: string } = {
  'nodejs18.x': '2025-09-01',
  'nodejs20.x': '2026-04-30',
  'nodejs22.x': '2027-04-30',
  'nodejs24.x': '2028-04-30',
};

/** Deprecated by Lambda today: the day this fails, the floor in .projenrc.ts must rise. */
function deprecated(runtime: string): boolean {
  const date = DEPRECATED_ON[runtime];
  return date === undefined ? nodeMajor(runtime) < 18 : Date.now() >= Date.parse(date);
}

/** The newest Node.js Lambda runtime that the installed aws-cdk-lib names. */
function newestKnownNodeRuntime(): string {
  const names = lambda.Runtime.ALL.map((r) => r.name).filter((name) => !Number.isNaN(nodeMajor(name)));
  return names.sort((a, b) => nodeMajor(b) - nodeMajor(a))[0];
}

/** A stack with every construct that brings the provider: a WorkSpace, a fleet, a registered directory. */
function everyConstruct(region?: string): Stack {
  const app = new App();
  const stack = new Stack(app, 'Desktops', region ? { env: { account: '111122223333', region } } : {});
  new Workspace(stack, 'Alice', { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' });
  new WorkspaceFleet(stack, 'Team', { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), users: ['bob'] });
  new WorkspacesDirectory(stack, 'Registered', { directoryId: 'd-2234567890' });
  return stack;
}

/** Every Node.js runtime name anywhere in the template: functions, and a region mapping if there is one. */
function nodeRuntimesIn(stack: Stack): string[] {
  const found = new Set<string>();
  const walk = (value: unknown): void => {
    if (typeof value === 'string' && /^nodejs/.test(value)) {
      found.add(value);
    } else if (value && typeof value === 'object') {
      Object.values(value).forEach(walk);
    }
  };
  walk(Template.fromStack(stack).toJSON());
  return [...found];
}

test('both handlers run on the newest Node.js runtime that aws-cdk-lib knows', () => {
  const stack = new Stack(new App(), 'Desktops');
  new Workspace(stack, 'Alice', { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' });
  const provider = WorkspaceProvider.getOrCreate(stack);

  const newest = newestKnownNodeRuntime();
  expect(newest).toMatch(/^nodejs\d+\.x$/);
  for (const handler of [provider.onEventHandler, provider.isCompleteHandler]) {
    expect((handler.node.defaultChild as lambda.CfnFunction).runtime).toBe(newest);
  }
});

test('no function runs on a runtime that Lambda has deprecated, in any region aws-cdk-lib knows (China, GovCloud and ISO included) nor in an environment-agnostic stack', () => {
  // The Provider framework's own functions take their runtime from aws-cdk-lib's region facts
  // (and its default, for a region it has no fact for); an environment-agnostic stack carries
  // whatever differs between regions as a mapping, hence the whole template.
  const regions = RegionInfo.regions.map((r) => r.name);
  expect(regions).toEqual(expect.arrayContaining(['cn-north-1', 'cn-northwest-1', 'us-gov-west-1', 'us-isob-east-1', 'eu-west-1']));
  const outdated: string[] = [];
  for (const region of [undefined, 'xx-unknown-1', ...regions]) {
    const runtimes = nodeRuntimesIn(everyConstruct(region));
    expect(runtimes.length).toBeGreaterThan(0);
    outdated.push(...runtimes.filter(deprecated).map((r) => `${region ?? 'any region'}: ${r}`));
  }
  expect(outdated).toEqual([]);
});

test('the handler bundle is built for the Node.js version that the functions run on', () => {
  const tasks = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.projen', 'tasks.json'), 'utf8')).tasks;
  const command: string = tasks['bundle:lambda'].steps[0].exec;
  expect(command).toContain(`--target=node${nodeMajor(HANDLER_RUNTIME)} `);
});
