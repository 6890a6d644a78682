// The app the demo deploys: three WorkSpaces with different running modes and tags, and a
// second version of it that changes them in place and replaces one.
import { App, Duration, RemovalPolicy, Size, Stack, Tags } from 'aws-cdk-lib';
import { ComputeType, RunningMode, Workspace, WorkspaceBundle, WorkspacesDirectory } from '../../src';

export const DIRECTORY_ID = 'd-1234567890';
export const SECOND_DIRECTORY_ID = 'd-2234567890';
export const BUNDLE_ID = 'wsb-12345678';
/** The demo picks its bundle by name, as an app does: Amazon's bundles have another id in each region. */
export const BUNDLE_NAME = 'Standard with Windows 10 (Server 2022 based)';

/** Version 3 moves Alice to another bundle: her WorkSpace is migrated, her data kept. */
export const MIGRATED_BUNDLE_NAME = 'Performance with Windows 10 (Server 2022 based)';

export function exampleStack(version: 1 | 2 | 3): Stack {
  const stack = new Stack(new App(), 'Desktops');
  Tags.of(stack).add('team', 'platform');
  const directory = WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID);
  const secondDirectory = WorkspacesDirectory.fromDirectoryId(stack, 'SecondDirectory', SECOND_DIRECTORY_ID);
  const bundle = WorkspaceBundle.fromName(BUNDLE_NAME);

  const alice = new Workspace(stack, 'Alice', {
    directory,
    bundle: version === 3 ? WorkspaceBundle.fromName(MIGRATED_BUNDLE_NAME) : bundle,
    userName: 'alice',
    runningMode: version === 1 ? RunningMode.AUTO_STOP : RunningMode.ALWAYS_ON,
    autoStopTimeout: version === 1 ? Duration.hours(2) : undefined,
  });
  Tags.of(alice).add('cost-center', version === 1 ? '42' : '43');

  const bob = new Workspace(stack, 'Bob', {
    directory,
    bundle,
    userName: 'bob',
    runningMode: RunningMode.ALWAYS_ON,
    computeType: version === 1 ? ComputeType.STANDARD : ComputeType.POWER,
    userVolumeSize: Size.gibibytes(version === 1 ? 50 : 100),
    removalPolicy: RemovalPolicy.DESTROY,
  });
  if (version === 1) {
    Tags.of(bob).add('project', 'apollo');
  }

  new Workspace(stack, 'Carol', {
    // Moving Carol to another directory needs a new WorkSpace: a replacement.
    directory: version === 1 ? directory : secondDirectory,
    bundle,
    userName: 'carol',
    runningMode: RunningMode.MANUAL,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return stack;
}
