import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Fact, FactName, RegionInfo } from 'aws-cdk-lib/region-info';
import { directory } from './directories';
import { Workspace, WorkspaceProvider, WorkspaceBundle } from '../src';
import { HANDLER_RUNTIME } from '../src/private/handler-function';

// Run against the floor by `npm test` and against the newest aws-cdk-lib by
// `npx projen test:cdk-latest`: the day an aws-cdk-lib knows a newer Node.js runtime than the
// handlers', the second fails, and `handlerRuntime` in .projenrc.ts is raised.

const nodeMajor = (name: string) => Number(/^nodejs(\d+)\.x$/.exec(name)?.[1] ?? NaN);

/** The newest Node.js Lambda runtime that the installed aws-cdk-lib names. */
function newestKnownNodeRuntime(): string {
  const names = lambda.Runtime.ALL.map((r) => r.name).filter((name) => !Number.isNaN(nodeMajor(name)));
  return names.sort((a, b) => nodeMajor(b) - nodeMajor(a))[0];
}

function functionRuntimes(region?: string): { [logicalId: string]: string } {
  const app = new App();
  const stack = new Stack(app, 'Desktops', region ? { env: { account: '111122223333', region } } : {});
  new Workspace(stack, 'Alice', { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' });
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  return Object.fromEntries(Object.entries(functions).map(([id, f]) => [id, f.Properties.Runtime]));
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

test('the Provider framework\'s functions run on the handlers\' runtime in every region aws-cdk-lib knows, China included', () => {
  const regions = RegionInfo.regions.map((r) => r.name);
  expect(regions).toEqual(expect.arrayContaining(['cn-north-1', 'cn-northwest-1', 'us-gov-west-1', 'eu-west-1']));
  const newest = newestKnownNodeRuntime();
  const outdated: string[] = [];
  for (const region of [undefined, ...regions]) {
    // Only regions with the fact: the framework falls back to aws-cdk-lib's default elsewhere,
    // which the environment-agnostic stack (region undefined) covers.
    if (region && !Fact.find(region, FactName.LATEST_NODE_RUNTIME)) {
      continue;
    }
    for (const [id, runtime] of Object.entries(functionRuntimes(region))) {
      if (runtime !== newest) {
        outdated.push(`${region ?? 'any region'}: ${id} runs on ${runtime}`);
      }
    }
  }
  expect(outdated).toEqual([]);
});

test('the handler bundle is built for the Node.js version that the functions run on', () => {
  const tasks = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.projen', 'tasks.json'), 'utf8')).tasks;
  const command: string = tasks['bundle:lambda'].steps[0].exec;
  expect(command).toContain(`--target=node${nodeMajor(HANDLER_RUNTIME)} `);
});
