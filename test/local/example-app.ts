// The app the demo deploys: three WorkSpaces with different running modes and tags, and a
// second version of it that changes them in place and replaces one.
import { App, Duration, RemovalPolicy, Size, Stack, Tags } from 'aws-cdk-lib';
import { ComputeType, RunningMode, Workspace } from '../../src';

export const DIRECTORY_ID = 'd-1234567890';
export const SECOND_DIRECTORY_ID = 'd-2234567890';
export const BUNDLE_ID = 'wsb-12345678';

export function exampleStack(version: 1 | 2): Stack {
  const stack = new Stack(new App(), 'Desktops');
  Tags.of(stack).add('team', 'platform');

  const alice = new Workspace(stack, 'Alice', {
    directoryId: DIRECTORY_ID,
    bundleId: BUNDLE_ID,
    userName: 'alice',
    runningMode: version === 1 ? RunningMode.AUTO_STOP : RunningMode.ALWAYS_ON,
    autoStopTimeout: version === 1 ? Duration.hours(2) : undefined,
  });
  Tags.of(alice).add('cost-center', version === 1 ? '42' : '43');

  const bob = new Workspace(stack, 'Bob', {
    directoryId: DIRECTORY_ID,
    bundleId: BUNDLE_ID,
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
    directoryId: version === 1 ? DIRECTORY_ID : SECOND_DIRECTORY_ID,
    bundleId: BUNDLE_ID,
    userName: 'carol',
    runningMode: RunningMode.MANUAL,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return stack;
}
