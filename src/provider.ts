import { Duration, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { HandlerFunction } from './private/handler-function';
import { addNagSuppressions } from './private/nag';
import { OWNERSHIP_TAG_KEY } from './private/rules';
import { LIBRARY_VERSION_ENV, libraryVersion } from './private/version';

/**
 * The custom-resource provider behind every `Workspace` of a stack.
 *
 * There is one per stack, whatever the number of WorkSpaces: `Workspace` finds or creates it
 * with `WorkspaceProvider.getOrCreate()`. The onEvent handler starts each operation
 * (CreateWorkspaces, TerminateWorkspaces); the isComplete handler is called every 30 seconds
 * and brings the WorkSpace to the declared state one step at a time, so the deployment waits
 * until the service has really finished.
 */
export class WorkspaceProvider extends Construct {
  /**
   * The stack's provider, created on first use.
   *
   * @param scope any construct in the stack
   */
  public static getOrCreate(scope: Construct): WorkspaceProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(WorkspaceProvider.ID);
    return existing instanceof WorkspaceProvider ? existing : new WorkspaceProvider(stack, WorkspaceProvider.ID);
  }

  private static readonly ID = 'cdk-workspaces.WorkspaceProvider';

  /**
   * How often the isComplete handler looks at a WorkSpace. Provisioning takes tens of minutes
   * and each step of an update minutes, so a shorter interval only costs invocations.
   */
  private static readonly QUERY_INTERVAL = Duration.seconds(30);

  /** The service token that custom resources pass to reach this provider. */
  public readonly serviceToken: string;

  /** The handler that starts each operation. */
  public readonly onEventHandler: lambda.IFunction;

  /** The handler that polls each operation until it has finished. */
  public readonly isCompleteHandler: lambda.IFunction;

  private readonly directoryIds = new Set<string>();
  private readonly bundleIds = new Set<string>();
  private readonly createStatement: iam.PolicyStatement;
  private registerStatement?: iam.PolicyStatement;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);

    // Both functions run the one bundle: one asset, hashed and uploaded once.
    const code = HandlerFunction.bundle();
    const onEvent = new HandlerFunction(this, 'OnEventHandler', {
      entry: 'onEvent',
      code,
      description: 'cdk-workspaces: starts creating, updating or terminating a WorkSpace',
      memorySize: 256,
      // Room for the SDK's adaptive retry to wait out throttling on a busy account.
      timeout: Duration.minutes(5),
    });
    const isComplete = new HandlerFunction(this, 'IsCompleteHandler', {
      entry: 'isComplete',
      code,
      description: 'cdk-workspaces: waits for a WorkSpace to reach its declared state, one step at a time',
      memorySize: 256,
      timeout: Duration.minutes(5),
    });

    // Their user agent names this version (see LIBRARY_VERSION_ENV for why it is not bundled).
    for (const handler of [onEvent, isComplete]) {
      handler.addEnvironment(LIBRARY_VERSION_ENV, libraryVersion());
    }

    const anyWorkspace = stack.formatArn({ service: 'workspaces', resource: 'workspace', resourceName: '*' });
    // Every ownership tag value this stack's handlers write starts with the stack's UUID (the
    // last part of its StackId), so one pattern confines both roles to this stack's WorkSpaces;
    // the provider is one per stack, so this stack is exactly what it serves.
    const thisStacksMarking = { [OWNERSHIP_TAG_KEY]: Fn.join('', [Fn.select(2, Fn.split('/', stack.stackId)), '/*']) };
    const onlyTheOwnershipTag = {
      'ForAllValues:StringEquals': { 'aws:TagKeys': [OWNERSHIP_TAG_KEY] },
      // ForAllValues is also true of a request without tag keys.
      'Null': { 'aws:TagKeys': 'false' },
    };
    const ownedByThisStack = { StringLike: prefixed('aws:ResourceTag/', thisStacksMarking) };

    // These actions do not support resource-level permissions (Service Authorization Reference
    // for Amazon WorkSpaces): a statement that names a WorkSpace's ARN would allow nothing.
    const describe = new iam.PolicyStatement({
      actions: ['workspaces:DescribeWorkspaces', 'workspaces:DescribeTags'],
      resources: ['*'],
    });
    onEvent.addToRolePolicy(describe);
    isComplete.addToRolePolicy(describe);
    // The pre-flight before any CreateWorkspaces: is the directory registered, which bundle does
    // a name name, does the bundle exist. Read-only List actions; a name is looked up over all
    // of Amazon's and the account's bundles, which no single ARN names, so '*'.
    onEvent.addToRolePolicy(new iam.PolicyStatement({
      actions: ['workspaces:DescribeWorkspaceDirectories', 'workspaces:DescribeWorkspaceBundles'],
      resources: ['*'],
    }));
    // A removed computeType goes back to the bundle's, which only DescribeWorkspaceBundles tells.
    isComplete.addToRolePolicy(new iam.PolicyStatement({
      actions: ['workspaces:DescribeWorkspaceBundles'],
      resources: ['*'],
    }));
    // disruptionPolicy WAIT_FOR_DISCONNECT: before a step that disconnects the user (a new compute
    // type or protocol), isComplete asks whether the user is connected. A Describe action like
    // the ones above, which names no single WorkSpace (it takes a list of ids, or none), so '*'.
    isComplete.addToRolePolicy(new iam.PolicyStatement({
      actions: ['workspaces:DescribeWorkspacesConnectionStatus'],
      resources: ['*'],
    }));

    // CreateWorkspaces is checked against the new WorkSpace, its directory and its bundle: the
    // directory and bundle ARNs are added by each Workspace that uses this provider. A new
    // WorkSpace's id is only known once it exists, hence `workspace/*`; the tags it is created
    // with are part of the same action (aws:RequestTag), so it needs no CreateTags, and it must
    // carry this stack's ownership tag.
    this.createStatement = new iam.PolicyStatement({
      actions: ['workspaces:CreateWorkspaces'],
      resources: [anyWorkspace],
      conditions: { StringLike: prefixed('aws:RequestTag/', thisStacksMarking) },
    });
    onEvent.addToRolePolicy(this.createStatement);
    onEvent.addToRolePolicy(new iam.PolicyStatement({
      actions: ['workspaces:TerminateWorkspaces'],
      resources: [anyWorkspace],
      conditions: ownedByThisStack,
    }));
    // onEvent marks a WorkSpace it adopts and releases it on the rollback: the ownership tag
    // and nothing else, and only with this stack's value. (CreateTags and DeleteTags support no
    // resource-level permissions and no aws:ResourceTag, so the handler's own check that a
    // WorkSpace is not another's is what guards the WorkSpace these target.)
    onEvent.addToRolePolicy(new iam.PolicyStatement({
      actions: ['workspaces:CreateTags'],
      resources: ['*'],
      conditions: { ...onlyTheOwnershipTag, StringLike: prefixed('aws:RequestTag/', thisStacksMarking) },
    }));
    onEvent.addToRolePolicy(new iam.PolicyStatement({
      actions: ['workspaces:DeleteTags'],
      resources: ['*'],
      conditions: onlyTheOwnershipTag,
    }));

    // isComplete applies the declared tags, and can never add, change or remove the ownership
    // tag: an explicit deny, which no other policy of the role can override. Tag keys are
    // compared without case, as IAM compares the key in aws:ResourceTag/<key>.
    isComplete.addToRolePolicy(new iam.PolicyStatement({
      actions: ['workspaces:CreateTags', 'workspaces:DeleteTags'],
      resources: ['*'],
    }));
    isComplete.addToRolePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      actions: ['workspaces:CreateTags', 'workspaces:DeleteTags'],
      resources: ['*'],
      conditions: { 'ForAnyValue:StringEqualsIgnoreCase': { 'aws:TagKeys': [OWNERSHIP_TAG_KEY] } },
    }));
    isComplete.addToRolePolicy(new iam.PolicyStatement({
      actions: ['workspaces:ModifyWorkspaceProperties', 'workspaces:TerminateWorkspaces'],
      resources: [anyWorkspace],
      conditions: ownedByThisStack,
    }));

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: WorkspaceProvider.QUERY_INTERVAL,
      // The waiter's execution data holds the CloudFormation ResponseURL, a presigned URL that
      // must not be logged. Off is aws-cdk-lib's default too, but saying so keeps the cdk-nag
      // reason (SF1) true whatever a later aws-cdk-lib's default.
      disableWaiterStateMachineLogging: true,
      // CloudFormation's hour (ServiceTimeout at most 3600 s): waiting longer could only end in
      // CloudFormation failing the resource without its id. Each WorkSpace's own, shorter
      // timeout makes the handler fail first.
      totalTimeout: Duration.hours(1),
    });

    this.serviceToken = provider.serviceToken;
    this.onEventHandler = onEvent;
    this.isCompleteHandler = isComplete;

    addNagSuppressions(this, provider);
  }

  /**
   * Let the handlers register this directory with WorkSpaces, change its settings and
   * deregister it (`WorkspacesDirectory`). Only stacks with such a directory get these.
   *
   * @param directoryId the directory's id
   */
  public allowDirectoryRegistration(directoryId: string): void {
    const directoryArn = Stack.of(this).formatArn({ service: 'workspaces', resource: 'directory', resourceName: directoryId });
    if (this.registerStatement) {
      this.registerStatement.addResources(directoryArn);
      return;
    }
    // onEvent registers and deregisters; isComplete waits, applies the settings, and deregisters
    // a registration that was still under way when the Delete came. Each on the directories
    // this stack declares only.
    this.registerStatement = new iam.PolicyStatement({
      actions: ['workspaces:RegisterWorkspaceDirectory', 'workspaces:DeregisterWorkspaceDirectory'],
      resources: [directoryArn],
    });
    this.onEventHandler.addToRolePolicy(this.registerStatement);
    this.isCompleteHandler.addToRolePolicy(this.registerStatement);
    // DescribeWorkspaceDirectories is a List action ('*'). The Modify and IP group actions are
    // on '*' too: an IP group's ARN is not known to the construct.
    this.isCompleteHandler.addToRolePolicy(new iam.PolicyStatement({
      actions: [
        'workspaces:DescribeWorkspaceDirectories',
        'workspaces:ModifySelfservicePermissions',
        'workspaces:ModifyWorkspaceCreationProperties',
        'workspaces:ModifyWorkspaceAccessProperties',
        'workspaces:AssociateIpGroups',
        'workspaces:DisassociateIpGroups',
      ],
      resources: ['*'],
    }));
    // Registering and deregistering authorize WorkSpaces as an application of the directory with
    // the caller's rights: the Directory Service administration guide ("Directory Service API
    // permissions") names ds:AuthorizeApplication and ds:UnauthorizeApplication as the
    // non-public actions that AWS applications need in their policies.
    const directoryService = new iam.PolicyStatement({
      actions: ['ds:AuthorizeApplication', 'ds:UnauthorizeApplication'],
      resources: ['*'],
    });
    this.onEventHandler.addToRolePolicy(directoryService);
    this.isCompleteHandler.addToRolePolicy(directoryService);
  }

  /**
   * Let the handlers create WorkSpaces in this directory from this bundle.
   *
   * @param directoryId the directory's id
   * @param bundleId the bundle's id; without it, any bundle (a bundle given by name has its id only at deploy time)
   */
  public allowCreate(directoryId: string, bundleId?: string): void {
    // Most WorkSpaces of a stack share a directory and a bundle: build each ARN once.
    const stack = Stack.of(this);
    if (!this.directoryIds.has(directoryId)) {
      this.directoryIds.add(directoryId);
      this.createStatement.addResources(stack.formatArn({ service: 'workspaces', resource: 'directory', resourceName: directoryId }));
    }
    const bundle = bundleId ?? '*';
    if (!this.bundleIds.has(bundle)) {
      this.bundleIds.add(bundle);
      // Amazon's public bundles belong to no account, so their ARNs have an empty account field.
      this.createStatement.addResources(stack.formatArn({ service: 'workspaces', resource: 'workspacebundle', resourceName: bundle, account: '*' }));
    }
  }
}

/** `{ "<prefix><key>": value }` for each entry: a condition on these tags. */
function prefixed(prefix: string, tags: { [key: string]: string }): { [key: string]: string } {
  return Object.fromEntries(Object.entries(tags).map(([key, value]) => [`${prefix}${key}`, value]));
}
