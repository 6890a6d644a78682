import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { IsCompleteFunction } from './private/is-complete-function';
import { addNagSuppressions } from './private/nag';
import { OnEventFunction } from './private/on-event-function';

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

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);

    const onEvent = new OnEventFunction(this, 'OnEventHandler', {
      description: 'cdk-workspaces: starts creating, updating or terminating a WorkSpace',
      memorySize: 256,
      // Room for the SDK's adaptive retry to wait out throttling on a busy account.
      timeout: Duration.minutes(5),
    });
    const isComplete = new IsCompleteFunction(this, 'IsCompleteHandler', {
      description: 'cdk-workspaces: waits for a WorkSpace to reach its declared state, one step at a time',
      memorySize: 256,
      timeout: Duration.minutes(5),
    });

    const anyWorkspace = stack.formatArn({ service: 'workspaces', resource: 'workspace', resourceName: '*' });

    // These actions do not support resource-level permissions (Service Authorization Reference
    // for Amazon WorkSpaces): a statement that names a WorkSpace's ARN would allow nothing.
    const describe = new iam.PolicyStatement({
      actions: ['workspaces:DescribeWorkspaces', 'workspaces:DescribeTags'],
      resources: ['*'],
    });
    onEvent.addToRolePolicy(describe);
    isComplete.addToRolePolicy(describe);
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
    // CreateWorkspaces with tags is also authorized as CreateTags.
    onEvent.addToRolePolicy(new iam.PolicyStatement({
      actions: ['workspaces:CreateTags'],
      resources: ['*'],
    }));
    isComplete.addToRolePolicy(new iam.PolicyStatement({
      actions: ['workspaces:CreateTags', 'workspaces:DeleteTags'],
      resources: ['*'],
    }));

    // CreateWorkspaces is checked against the new WorkSpace, its directory and its bundle: the
    // directory and bundle ARNs are added by each Workspace that uses this provider. A new
    // WorkSpace's id is only known once it exists, hence `workspace/*`.
    this.createStatement = new iam.PolicyStatement({
      actions: ['workspaces:CreateWorkspaces'],
      resources: [anyWorkspace],
    });
    onEvent.addToRolePolicy(this.createStatement);
    onEvent.addToRolePolicy(new iam.PolicyStatement({
      actions: ['workspaces:TerminateWorkspaces'],
      resources: [anyWorkspace],
    }));
    isComplete.addToRolePolicy(new iam.PolicyStatement({
      actions: ['workspaces:ModifyWorkspaceProperties', 'workspaces:TerminateWorkspaces'],
      resources: [anyWorkspace],
    }));

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: WorkspaceProvider.QUERY_INTERVAL,
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
   * Let the handlers create WorkSpaces in this directory from this bundle.
   *
   * @param directoryId the directory's id
   * @param bundleId the bundle's id
   */
  public allowCreate(directoryId: string, bundleId: string): void {
    // Most WorkSpaces of a stack share a directory and a bundle: build each ARN once.
    const stack = Stack.of(this);
    if (!this.directoryIds.has(directoryId)) {
      this.directoryIds.add(directoryId);
      this.createStatement.addResources(stack.formatArn({ service: 'workspaces', resource: 'directory', resourceName: directoryId }));
    }
    if (!this.bundleIds.has(bundleId)) {
      this.bundleIds.add(bundleId);
      // Amazon's public bundles belong to no account, so their ARNs have an empty account field.
      this.createStatement.addResources(stack.formatArn({ service: 'workspaces', resource: 'workspacebundle', resourceName: bundleId, account: '*' }));
    }
  }
}
