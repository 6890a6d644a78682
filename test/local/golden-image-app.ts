// The golden-image path a team follows, as one app in versions: a builder WorkSpace that an admin
// configures; an image captured from it; a custom bundle of that image; a fleet on the bundle. Then a
// new image of the builder, which the bundle takes in place (WorkSpaces created or rebuilt from then
// on get it); and, to move the existing WorkSpaces onto the new image, a new bundle, to which the
// fleet migrates in waves. The scenarios (golden-image-scenarios.test.ts) deploy it through the runner.
import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import { ComputeType, CustomWorkspaceBundle, Workspace, WorkspaceBundle, WorkspaceFleet, WorkspaceImage, WorkspacesDirectory } from '../../src';

export const DIRECTORY_ID = 'd-1234567890';
/** Amazon's STANDARD bundle of the local endpoint, which the builder starts from. */
export const BUILDER_BUNDLE_ID = 'wsb-12345678';

export interface GoldenImageVersion {
  /** The builder only (0), or the image, bundle and fleet too (its number names the image). */
  readonly image?: number;
  /** The fleet's users. @default three */
  readonly users?: readonly string[];
  /**
   * The bundle's generation: a new one (a new bundleName) is a new bundle, which the fleet's
   * WorkSpaces migrate to in waves of two. @default 1
   */
  readonly bundle?: number;
  /** How long the capture may take. @default the construct's (55 minutes) */
  readonly imageTimeout?: Duration;
}

export function goldenImageStack(version: GoldenImageVersion): Stack {
  const stack = new Stack(new App(), 'GoldenImage');
  const directory = WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID);
  const builder = new Workspace(stack, 'Builder', {
    directory,
    bundle: WorkspaceBundle.fromBundleId(BUILDER_BUNDLE_ID),
    userName: 'image-builder',
  });
  if (version.image === undefined) {
    return stack;
  }
  // A new imageName captures a new image; the bundle is pointed at it in place.
  const image = WorkspaceImage.fromWorkspace(stack, 'GoldenImage', builder, {
    imageName: `golden-${version.image}`,
    timeout: version.imageTimeout,
  });
  const bundle = new CustomWorkspaceBundle(stack, 'GoldenBundle', {
    image,
    bundleName: (version.bundle ?? 1) === 1 ? 'golden-standard' : `golden-standard-${version.bundle}`,
    computeType: ComputeType.STANDARD,
    userVolumeSize: Size.gibibytes(50),
  });
  new WorkspaceFleet(stack, 'Team', {
    directory,
    bundle,
    // The default removal policy: a fleet's WorkSpaces hold users' data and outlive the stack.
    users: [...version.users ?? ['ana', 'ben', 'cho']],
    // A new bundle migrates the WorkSpaces (MigrateWorkspace), two at a time.
    migrationBatchSize: 2,
  });
  return stack;
}
