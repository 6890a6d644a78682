import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';

const byProvider = new WeakMap<IConstruct, ImagePolicies>();

/** The provider records its image policies here, so that they stay out of its public API. */
export function registerImagePolicies(provider: IConstruct, policies: ImagePolicies): void {
  byProvider.set(provider, policies);
}

/** The image and bundle policies of this stack's provider. */
export function imagePoliciesOf(provider: IConstruct): ImagePolicies {
  const policies = byProvider.get(provider);
  if (!policies) {
    throw new Error(`${provider.node.path} is not a WorkspaceProvider`);
  }
  return policies;
}

/** Adds a statement to these handlers' roles, with the reason for a wildcard (the cdk-nag acknowledgement). */
export type AddStatement = (handlers: lambda.IFunction[], statement: iam.PolicyStatement, wildcardReason?: string) => void;

/**
 * The provider's statements for custom images and bundles (WorkspaceImage, CustomWorkspaceBundle):
 * added only to stacks that declare them, and only on what the stack captured or made.
 */
export class ImagePolicies {
  private captureStatement?: iam.PolicyStatement;
  private captureOwnStatement?: iam.PolicyStatement;
  private captureImported?: iam.PolicyStatement;
  private customBundleStatements = false;
  private imageReads = false;

  constructor(
    private readonly stack: Stack,
    private readonly onEvent: lambda.IFunction,
    private readonly isComplete: lambda.IFunction,
    private readonly ownershipConditions: { readonly request: Record<string, unknown>; readonly resource: Record<string, unknown> },
    private readonly addStatement: AddStatement,
  ) {}

  /** Capture images of this WorkSpace (an id of this stack's, or an imported one), and delete this stack's images. */
  public allowCapture(workspaceId: string): void {
    const stack = this.stack;
    if (!this.captureStatement) {
      const anyImage = stack.formatArn({ service: 'workspaces', resource: 'workspaceimage', resourceName: '*' });
      // The new image (its id unknown before), only with this stack's ownership tag.
      this.captureStatement = new iam.PolicyStatement({
        actions: ['workspaces:CreateWorkspaceImage'],
        resources: [anyImage],
        conditions: this.ownershipConditions.request,
      });
      this.addStatement([this.onEvent], this.captureStatement, 'workspaces:CreateWorkspaceImage makes an image whose id exists '
        + 'only after the call (workspaceimage/*), only with this stack\'s ownership tag (aws:RequestTag)');
      this.allowImageReads();
      // onEvent deletes on a Delete; isComplete deletes a capture that was still under way when the
      // Delete came, once it has ended.
      this.addStatement([this.onEvent, this.isComplete], new iam.PolicyStatement({
        actions: ['workspaces:DeleteWorkspaceImage'],
        resources: [anyImage],
        conditions: this.ownershipConditions.resource,
      }), 'workspaces:DeleteWorkspaceImage on workspaceimage/* only where the image carries this stack\'s ownership tag '
        + '(aws:ResourceTag): the images a stack captures are not known at synth time');
    }
    if (Token.isUnresolved(workspaceId)) {
      // A WorkSpace of this stack: its id is an attribute of a resource this provider serves, which
      // this policy cannot name without a dependency cycle; the ownership tag names it instead.
      if (!this.captureOwnStatement) {
        this.captureOwnStatement = new iam.PolicyStatement({
          actions: ['workspaces:CreateWorkspaceImage'],
          resources: [stack.formatArn({ service: 'workspaces', resource: 'workspace', resourceName: '*' })],
          conditions: this.ownershipConditions.resource,
        });
        this.addStatement([this.onEvent], this.captureOwnStatement, 'workspaces:CreateWorkspaceImage from workspace/* only where '
          + 'the WorkSpace carries this stack\'s ownership tag (aws:ResourceTag): a WorkSpace of the stack has its id only at deploy time');
      }
    } else {
      const arn = stack.formatArn({ service: 'workspaces', resource: 'workspace', resourceName: workspaceId });
      if (!this.captureImported) {
        this.captureImported = new iam.PolicyStatement({ actions: ['workspaces:CreateWorkspaceImage'], resources: [arn] });
        this.addStatement([this.onEvent], this.captureImported);
      } else {
        this.captureImported.addResources(arn);
      }
    }
  }


  /** Create, update and delete this stack's custom bundles. */
  public allowCustomBundles(): void {
    if (this.customBundleStatements) {
      return;
    }
    this.customBundleStatements = true;
    const stack = this.stack;
    const anyImage = stack.formatArn({ service: 'workspaces', resource: 'workspaceimage', resourceName: '*' });
    const anyBundle = stack.formatArn({ service: 'workspaces', resource: 'workspacebundle', resourceName: '*' });
    this.addStatement([this.onEvent], new iam.PolicyStatement({
      actions: ['workspaces:CreateWorkspaceBundle'],
      resources: [anyBundle, anyImage],
      conditions: this.ownershipConditions.request,
    }), 'workspaces:CreateWorkspaceBundle makes a bundle whose id exists only after the call (workspacebundle/*), only with this '
      + 'stack\'s ownership tag (aws:RequestTag), of an image captured in the stack or imported by id (workspaceimage/*)');
    // UpdateWorkspaceBundle and DeleteWorkspaceBundle act on this stack's bundles only; the image
    // a bundle is pointed at may be one the stack did not capture (fromImageId).
    const ownBundlesReason = 'on workspacebundle/* only where the bundle carries this stack\'s ownership tag (aws:ResourceTag): the '
      + 'bundles a stack makes are not known at synth time';
    this.addStatement([this.onEvent], new iam.PolicyStatement({
      actions: ['workspaces:UpdateWorkspaceBundle'],
      resources: [anyBundle],
      conditions: this.ownershipConditions.resource,
    }), `workspaces:UpdateWorkspaceBundle ${ownBundlesReason}`);
    // isComplete deletes a bundle whose last WorkSpaces were still terminating when the Delete came.
    this.addStatement([this.onEvent, this.isComplete], new iam.PolicyStatement({
      actions: ['workspaces:DeleteWorkspaceBundle'],
      resources: [anyBundle],
      conditions: this.ownershipConditions.resource,
    }), `workspaces:DeleteWorkspaceBundle ${ownBundlesReason}`);
    this.addStatement([this.onEvent], new iam.PolicyStatement({
      actions: ['workspaces:UpdateWorkspaceBundle'],
      resources: [anyImage],
    }), 'workspaces:UpdateWorkspaceBundle names the image the bundle is pointed at, which may be imported by id (workspaceimage/*); '
      + 'the bundle itself must be this stack\'s');
    this.allowImageReads();
  }

  private allowImageReads(): void {
    if (this.imageReads) {
      return;
    }
    this.imageReads = true;
    this.addStatement([this.onEvent, this.isComplete], new iam.PolicyStatement({
      actions: ['workspaces:DescribeWorkspaceImages'],
      resources: ['*'],
    }), 'workspaces:DescribeWorkspaceImages is a List action without resource-level permissions ("*"); it shows an image\'s '
      + 'state and the account\'s images against the quota');
  }
}
