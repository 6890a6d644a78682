/**
 * Integration test: one real WorkSpace, created through the library's provider, then checked
 * with DescribeWorkspaces.
 *
 * `npm test` only compares this app's synthesized templates with the committed snapshot
 * (test/integ.workspace.ts.snapshot/), without AWS credentials. To run it for real, see the
 * docs/testing.md ("Integration test"): it registers an AWS Managed Microsoft AD (or AD Connector) with
 * WorkSpaces and creates a WorkSpace for a user of it from a bundle chosen by name, given as
 * context or environment variables; the defaults below only serve the snapshot and cannot be
 * deployed.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RunningMode, Workspace, WorkspaceBundle, WorkspaceProvider, WorkspacesDirectory } from '../src';
import { integSetting } from './integ-settings';

const app = new App();
const stack = new Stack(app, 'cdk-workspaces-integ');

// Registered by the test itself, with the directory's own subnets and the safe defaults; the
// WorkSpace is created once the registration is done.
const directory = new WorkspacesDirectory(stack, 'Directory', {
  directoryId: integSetting(app, 'directoryId', 'd-0000000000'),
  // Deregistered when the test is done, after its WorkSpace is gone.
  removalPolicy: RemovalPolicy.DESTROY,
});

const runningMode = RunningMode.AUTO_STOP;
const workspace = new Workspace(stack, 'Workspace', {
  directory,
  // By name: the provider finds its id in the region the test runs in.
  bundle: WorkspaceBundle.fromName(integSetting(app, 'bundleName', 'Standard with Windows 10 (Server 2022 based)')),
  userName: integSetting(app, 'userName', 'integ-user'),
  runningMode,
  autoStopTimeout: Duration.hours(1),
  // The test's WorkSpace must not outlive the test.
  removalPolicy: RemovalPolicy.DESTROY,
});

// The handlers carry the package version in their environment (for their user agent); a release
// bumps it, which must not change the committed snapshot. The integ test's calls say "integ".
const provider = WorkspaceProvider.getOrCreate(stack);
for (const handler of [provider.onEventHandler, provider.isCompleteHandler]) {
  if (handler instanceof lambda.Function) {
    handler.addEnvironment('CDK_WORKSPACES_VERSION', 'integ');
  }
}

// The Provider framework's own functions run on the runtime aws-cdk-lib picks: nodejs22.x at the
// library's floor, the handlers' from aws-cdk-lib 2.259.0 on (test/runtime.test.ts proves neither
// is deprecated). The snapshot must hold at the floor (`npm test`) and the newest
// (`test:cdk-latest`) alike, so the test runs them on the handlers' runtime at both.
const handlerRuntime = (provider.onEventHandler.node.defaultChild as lambda.CfnFunction).runtime;
for (const node of provider.node.findAll()) {
  if (node instanceof lambda.CfnFunction && node.node.path.includes('/framework-')) {
    node.runtime = handlerRuntime;
  }
}

const integ = new IntegTest(app, 'WorkspaceInteg', { testCases: [stack] });

integ.assertions
  .awsApiCall('WorkSpaces', 'describeWorkspaces', { WorkspaceIds: [workspace.workspaceId] })
  .expect(ExpectedResult.objectLike({
    Workspaces: [{
      WorkspaceId: workspace.workspaceId,
      BundleId: workspace.bundleId,
      State: 'AVAILABLE',
      WorkspaceProperties: { RunningMode: runningMode },
    }],
  }));
