import { CustomResource, Duration, IResource, RemovalPolicy, Resource, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { validationError } from './private/errors';
import { imagePoliciesOf } from './private/image-policies';
import * as rules from './private/rules';
import { checkRemovalPolicy, serviceTimeoutOf, checkTimeout } from './private/workspace-settings';
import { WorkspaceProvider } from './provider';
import { IWorkspace } from './workspace-base';

/** The custom resource type of a captured image (the handler routes on it). */
const IMAGE_RESOURCE_TYPE = 'Custom::WorkspaceImage';

/**
 * A custom WorkSpaces image: captured in this app (`WorkspaceImage.fromWorkspace()`) or an
 * existing one (`WorkspaceImage.fromImageId()`).
 */
export interface IWorkspaceImage extends IResource {
  /**
   * The image's id, such as `wsi-123456789`.
   *
   * @attribute
   */
  readonly imageId: string;
}

/**
 * How `WorkspaceImage.fromWorkspace()` captures the image.
 */
export interface WorkspaceImageCaptureOptions {
  /**
   * The image's name: 1 to 64 letters, digits and `_ . / ( ) -`, unique in the account and Region.
   *
   * An image never changes: a new `imageName` (or a new description or source WorkSpace, which
   * need a new name too) captures a new image, and the old one is deleted once nothing uses it.
   */
  readonly imageName: string;

  /**
   * The image's description: 1 to 256 letters, digits, spaces and `_ . / ( ) -`.
   *
   * @default 'Captured by cdk-workspaces'
   */
  readonly description?: string;

  /**
   * How long the capture may take before the deployment fails. The Administration Guide says a
   * capture can take 45 minutes or more, and CloudFormation waits at most one hour for a custom
   * resource: a capture that is still under way at this timeout fails the deployment, whose
   * rollback deletes the image once the capture ends (the source WorkSpace is not changed).
   * Capture such an image outside the stack and use `WorkspaceImage.fromImageId()`.
   *
   * @default Duration.minutes(55)
   */
  readonly timeout?: Duration;

  /**
   * What happens to the image when it is removed from the stack or replaced by a new capture.
   * With `DESTROY` the image is deleted, but never while a bundle uses it (the deletion is then
   * refused, naming the bundles, and the image stays).
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A custom WorkSpaces image captured from a WorkSpace (CreateWorkspaceImage), which CloudFormation
 * cannot declare: the deployment waits until the image is AVAILABLE.
 *
 * Before it captures, the provider checks that the source WorkSpace is AVAILABLE (the only state
 * an image is captured from) and that the account has room under its quota of 40 images; either
 * refusal comes in seconds, naming the prop. A capture that ends in ERROR fails the deployment with
 * the service's reason, and the rollback deletes the image. The provider deletes only an image that
 * this resource captured, and never one a bundle still uses.
 *
 * @resource Custom::WorkspaceImage
 */
export class WorkspaceImage extends Resource implements IWorkspaceImage {
  /**
   * Capture an image of a WorkSpace of this app (or an imported one).
   *
   * @param scope the parent construct
   * @param id the construct id
   * @param workspace the WorkSpace to capture, which must be AVAILABLE at deploy time
   * @param options the image's name and how it is captured
   */
  public static fromWorkspace(scope: Construct, id: string, workspace: IWorkspace, options: WorkspaceImageCaptureOptions): WorkspaceImage {
    return new WorkspaceImage(scope, id, workspace, options);
  }

  /**
   * Refer to an image that exists outside this app.
   *
   * @param scope the parent construct
   * @param id the construct id
   * @param imageId the image's id, such as `wsi-123456789`
   */
  public static fromImageId(scope: Construct, id: string, imageId: string): IWorkspaceImage {
    if (!Token.isUnresolved(imageId) && !rules.WORKSPACE_IMAGE_ID_PATTERN.test(imageId)) {
      throw validationError(scope, new rules.InputError('imageId', imageId,
        `must match ${rules.WORKSPACE_IMAGE_ID_PATTERN.source} (an image id such as "wsi-123456789")`).message,
      scope.node.path ? `${scope.node.path}/${id}` : id);
    }
    class Import extends Resource implements IWorkspaceImage {
      public readonly imageId = imageId;
    }
    return new Import(scope, id);
  }

  public readonly imageId: string;

  /**
   * The image's name.
   */
  public readonly imageName: string;

  /**
   * The image's operating system type (`WINDOWS` or `LINUX`), as the service reports it.
   *
   * @attribute
   */
  public readonly operatingSystemType: string;

  private constructor(scope: Construct, id: string, workspace: IWorkspace, options: WorkspaceImageCaptureOptions) {
    super(scope, id);
    const description = options.description ?? 'Captured by cdk-workspaces';
    const timeout = options.timeout ?? Duration.seconds(rules.MAX_TIMEOUT_SECONDS);
    try {
      if (!Token.isUnresolved(workspace.workspaceId)) {
        if (!rules.WORKSPACE_ID_PATTERN.test(workspace.workspaceId)) {
          throw new rules.InputError('workspace.workspaceId', workspace.workspaceId, `must match ${rules.WORKSPACE_ID_PATTERN.source}`);
        }
      }
      if (!Token.isUnresolved(options.imageName)) {
        rules.checkWorkspaceImageName('imageName', options.imageName);
      }
      if (!Token.isUnresolved(description)) {
        rules.checkWorkspaceImageDescription('description', description);
      }
      checkTimeout(timeout);
    } catch (e) {
      throw e instanceof rules.InputError ? validationError(this, e.message) : e;
    }
    const removalPolicy = options.removalPolicy ?? RemovalPolicy.DESTROY;
    checkRemovalPolicy(this, removalPolicy);

    const provider = WorkspaceProvider.getOrCreate(this);
    imagePoliciesOf(provider).allowCapture(workspace.workspaceId);
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: IMAGE_RESOURCE_TYPE,
      removalPolicy,
      serviceTimeout: serviceTimeoutOf(timeout),
      properties: {
        SourceWorkspaceId: workspace.workspaceId,
        ImageName: options.imageName,
        ImageDescription: description,
        TimeoutSeconds: timeout.toSeconds(),
      },
    });
    // The capture starts once the WorkSpace has its declared state, not while it is still changing.
    resource.node.addDependency(workspace);
    this.imageId = resource.getAttString('ImageId');
    this.imageName = options.imageName;
    this.operatingSystemType = resource.getAttString('OperatingSystemType');
  }
}
