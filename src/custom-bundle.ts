import { CustomResource, RemovalPolicy, Resource, Size, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BundleOwner, IWorkspaceBundle } from './bundle';
import { ComputeType } from './compute-type';
import { validationError } from './private/errors';
import { imagePoliciesOf } from './private/image-policies';
import * as rules from './private/rules';
import { checkRemovalPolicy, sizeInWholeGib } from './private/workspace-settings';
import { WorkspaceProvider } from './provider';
import { IWorkspaceImage } from './workspace-image';

/** The custom resource type of a custom bundle (the handler routes on it). */
const CUSTOM_BUNDLE_RESOURCE_TYPE = 'Custom::WorkspaceCustomBundle';

/**
 * Properties of a `CustomWorkspaceBundle`.
 */
export interface CustomWorkspaceBundleProps {
  /**
   * The image WorkSpaces of this bundle start from: `WorkspaceImage.fromWorkspace()` or
   * `WorkspaceImage.fromImageId()`. It must be AVAILABLE.
   *
   * A new image is applied in place (UpdateWorkspaceBundle): WorkSpaces created or rebuilt from
   * then on get it; WorkSpaces that exist keep the image they were made from until they are
   * rebuilt or migrated.
   */
  readonly image: IWorkspaceImage;

  /**
   * The bundle's name: 1 to 64 letters, digits and `_ . / ( ) -`, unique in the account and Region.
   * Changing it makes a new bundle.
   */
  readonly bundleName: string;

  /**
   * The hardware of the bundle's WorkSpaces. Changing it makes a new bundle (with a new name).
   */
  readonly computeType: ComputeType;

  /**
   * The root volume size: 80 GiB, or 175 to 2000 GiB (then with a user volume of 100 GiB or more).
   * Changing it makes a new bundle (with a new name).
   *
   * @default Size.gibibytes(80)
   */
  readonly rootVolumeSize?: Size;

  /**
   * The user volume size: 10 or 50 GiB, or 100 to 2000 GiB. Changing it makes a new bundle (with a new name).
   *
   * @default Size.gibibytes(50)
   */
  readonly userVolumeSize?: Size;

  /**
   * The bundle's description: 1 to 255 letters, digits, spaces and `_ . / ( ) -`. Changing it
   * makes a new bundle (with a new name).
   *
   * @default 'Made by cdk-workspaces'
   */
  readonly description?: string;

  /**
   * What happens to the bundle when it is removed from the stack or replaced. With `DESTROY` it is
   * deleted, but never while WorkSpaces use it (the deletion is then refused, naming some of them,
   * and the bundle stays).
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A custom bundle of the account (CreateWorkspaceBundle): an image with a compute type and volume
 * sizes, which CloudFormation cannot declare. `Workspace` and `WorkspaceFleet` take it as their
 * `bundle`, as they take `WorkspaceBundle.fromName()`; they are created after it.
 *
 * Before it creates the bundle, the provider checks that the image is AVAILABLE and that the account
 * has room under its quota of 50 custom bundles; either refusal comes in seconds, naming the prop.
 *
 * @resource Custom::WorkspaceCustomBundle
 */
export class CustomWorkspaceBundle extends Resource implements IWorkspaceBundle {
  /**
   * The bundle's id, such as `wsb-0abc12345` (a deploy-time attribute). Always set; optional only
   * because `IWorkspaceBundle` has it so (a bundle given by name has no id before it deploys).
   *
   * @attribute
   */
  public readonly bundleId?: string;

  /**
   * The bundle's name. Always set (see `bundleId`).
   */
  public readonly bundleName?: string;

  /**
   * A custom bundle is the account's own: `BundleOwner.ACCOUNT`.
   */
  public readonly owner?: BundleOwner = BundleOwner.ACCOUNT;

  /**
   * The image the bundle gives new WorkSpaces.
   *
   * @attribute
   */
  public readonly imageId: string;

  constructor(scope: Construct, id: string, props: CustomWorkspaceBundleProps) {
    super(scope, id);
    const description = props.description ?? 'Made by cdk-workspaces';
    let rootGib = 80;
    let userGib = 50;
    try {
      if (!Token.isUnresolved(props.bundleName)) {
        rules.checkBundleName('bundleName', props.bundleName);
      }
      if (!Token.isUnresolved(description)) {
        rules.checkBundleDescription('description', description);
      }
      if (!Token.isUnresolved(props.image.imageId)) {
        rules.checkImageId('image.imageId', props.image.imageId);
      }
      if (!Token.isUnresolved(props.computeType.name)) {
        rules.checkComputeTypeName('computeType', props.computeType.name);
      }
      rootGib = props.rootVolumeSize ? sizeInWholeGib('rootVolumeSize', props.rootVolumeSize) : rootGib;
      userGib = props.userVolumeSize ? sizeInWholeGib('userVolumeSize', props.userVolumeSize) : userGib;
      if (!Token.isUnresolved(rootGib)) {
        rules.checkRootVolumeSize('rootVolumeSize', rootGib);
      }
      if (!Token.isUnresolved(userGib)) {
        rules.checkUserVolumeSize('userVolumeSize', userGib);
      }
      if (!Token.isUnresolved(rootGib) && !Token.isUnresolved(userGib)) {
        rules.checkVolumePair('rootVolumeSize/userVolumeSize', rootGib, userGib);
      }
    } catch (e) {
      throw e instanceof rules.InputError ? validationError(this, e.message) : e;
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    checkRemovalPolicy(this, removalPolicy);

    const provider = WorkspaceProvider.getOrCreate(this);
    imagePoliciesOf(provider).allowCustomBundles();
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: CUSTOM_BUNDLE_RESOURCE_TYPE,
      removalPolicy,
      properties: {
        BundleName: props.bundleName,
        BundleDescription: description,
        ImageId: props.image.imageId,
        ComputeTypeName: props.computeType.name,
        RootVolumeSizeGib: rootGib,
        UserVolumeSizeGib: userGib,
      },
    });
    this.bundleId = resource.getAttString('BundleId');
    this.bundleName = props.bundleName;
    this.imageId = resource.getAttString('ImageId');
  }
}
