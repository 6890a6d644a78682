import { Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { validationError } from './private/errors';
import { HandlerFunction } from './private/handler-function';
import { ImagePolicies, registerImagePolicies } from './private/image-policies';
import { addNagSuppressions, JustifiedStatement } from './private/nag';
import { registerProviderRoles } from './private/provider-roles';
import { FLEET_TAG_KEY, MIGRATION_TAG_KEY, OWNERSHIP_TAG_KEY } from './private/rules';
import { LIBRARY_VERSION_ENV, libraryVersion } from './private/version';

/**
 * How the stack's `WorkspaceProvider` runs: where its functions log, and the network they are in.
 */
export interface WorkspaceProviderOptions {
  /**
   * How long the log groups of the provider's functions (both handlers and the Provider
   * framework's functions) keep their logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * The VPC to run the provider's functions in (both handlers and the Provider framework's).
   *
   * They call the WorkSpaces API (and Directory Service, Lambda, Step Functions and the
   * CloudFormation response URL in Amazon S3), so the subnets need a route to those endpoints: a
   * NAT gateway, or VPC interface endpoints for each.
   *
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets of `vpc` to run the functions in. Only with `vpc`.
   *
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The security groups of the functions. Only with `vpc`. They need outbound HTTPS (443) only.
   *
   * @default - one security group that allows all outbound traffic and no inbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

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
    return existing instanceof WorkspaceProvider ? existing : new WorkspaceProvider(stack, WorkspaceProvider.ID, {}, scope.node.path);
  }

  /**
   * Create the stack's provider with these options. Call it before any construct of this
   * library in the stack: they all share the provider, which they create with the defaults.
   *
   * @param scope any construct in the stack
   * @param options how the provider runs
   */
  public static configure(scope: Construct, options: WorkspaceProviderOptions): WorkspaceProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(WorkspaceProvider.ID);
    if (existing instanceof WorkspaceProvider) {
      throw validationError(scope, 'Invalid WorkspaceProvider.configure(): the provider of stack '
        + `${stack.node.path} exists already (created for ${existing.createdFor}); call configure() before the first construct `
        + 'of cdk-workspaces in the stack, and only once');
    }
    return new WorkspaceProvider(stack, WorkspaceProvider.ID, options, scope.node.path);
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

  /**
   * The role of the onEvent handler: for grants the provider needs beyond its own (a key
   * policy, a permission boundary), and to recognise its calls in CloudTrail.
   */
  public readonly onEventRole: iam.IRole;

  /** The role of the isComplete handler. */
  public readonly isCompleteRole: iam.IRole;

  /** The path of the construct the provider was created for, for the error of a late configure(). */
  private readonly createdFor: string;
  private readonly directoryIds = new Set<string>();
  private readonly bundleIds = new Set<string>();
  private readonly createStatement: iam.PolicyStatement;
  private aliasStatement?: iam.PolicyStatement;
  private standbyStatement?: iam.PolicyStatement;
  private readonly aliasResources = new Set<string>();
  /** Each statement whose resources include a wildcard, with why it needs it: the cdk-nag acknowledgements come from these. */
  private readonly justified: JustifiedStatement[] = [];
  private directoryStatements?: {
    readonly register: iam.PolicyStatement;
    readonly modify: iam.PolicyStatement;
    readonly associate: iam.PolicyStatement;
    readonly disassociate: iam.PolicyStatement;
    readonly directoryService: iam.PolicyStatement;
  };
  private readonly directoryArns = new Set<string>();
  private readonly ipGroupArns = new Set<string>();

  private constructor(scope: Construct, id: string, options: WorkspaceProviderOptions, createdFor: string) {
    super(scope, id);
    const stack = Stack.of(this);
    this.createdFor = createdFor;
    if ((options.vpcSubnets !== undefined || options.securityGroups !== undefined) && options.vpc === undefined) {
      throw validationError(this, `Invalid ${options.vpcSubnets !== undefined ? 'vpcSubnets' : 'securityGroups'}: it applies to the `
        + 'functions in `vpc`, which is not given; give the VPC too', `${createdFor} (WorkspaceProvider.configure)`);
    }

    // Explicit log groups, so that the logs expire as configured (the log group Lambda makes
    // itself keeps them forever) without the deprecated logRetention custom resource and its
    // extra function.
    const retention = options.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const network = { vpc: options.vpc, vpcSubnets: options.vpc ? options.vpcSubnets : undefined, securityGroups: options.securityGroups };
    // Both functions run the one bundle: one asset, hashed and uploaded once.
    const code = HandlerFunction.bundle();
    const onEvent = new HandlerFunction(this, 'OnEventHandler', {
      entry: 'onEvent',
      code,
      description: 'cdk-workspaces: starts creating, updating or terminating a WorkSpace',
      memorySize: 256,
      // Room for the SDK's adaptive retry to wait out throttling on a busy account.
      timeout: Duration.minutes(5),
      logGroup: new logs.LogGroup(this, 'OnEventLogs', { retention }),
      ...network,
    });
    const isComplete = new HandlerFunction(this, 'IsCompleteHandler', {
      entry: 'isComplete',
      code,
      description: 'cdk-workspaces: waits for a WorkSpace to reach its declared state, one step at a time',
      memorySize: 256,
      timeout: Duration.minutes(5),
      logGroup: new logs.LogGroup(this, 'IsCompleteLogs', { retention }),
      ...network,
    });

    // Their user agent names this version (see LIBRARY_VERSION_ENV for why it is not bundled).
    for (const handler of [onEvent, isComplete]) {
      handler.addEnvironment(LIBRARY_VERSION_ENV, libraryVersion());
    }
    this.onEventHandler = onEvent;
    this.isCompleteHandler = isComplete;
    this.onEventRole = onEvent.role!;
    this.isCompleteRole = isComplete.role!;
    registerProviderRoles(stack, [this.onEventRole, this.isCompleteRole]);

    const anyWorkspace = stack.formatArn({ service: 'workspaces', resource: 'workspace', resourceName: '*' });
    // Every ownership tag value this stack's handlers write starts with the stack's UUID (the
    // last part of its StackId), so one pattern confines both roles to this stack's WorkSpaces;
    // the provider is one per stack, so this stack is exactly what it serves.
    const thisStacksMarking = { [OWNERSHIP_TAG_KEY]: Fn.join('', [Fn.select(2, Fn.split('/', stack.stackId)), '/*']) };
    const onlyTheOwnershipTag = {
      'ForAllValues:StringEquals': { 'aws:TagKeys': [OWNERSHIP_TAG_KEY, FLEET_TAG_KEY, MIGRATION_TAG_KEY] },
      // ForAllValues is also true of a request without tag keys.
      'Null': { 'aws:TagKeys': 'false' },
    };
    const ownedByThisStack = { StringLike: prefixed('aws:ResourceTag/', thisStacksMarking) };
    registerImagePolicies(this, new ImagePolicies(stack, onEvent, isComplete, {
      request: { StringLike: prefixed('aws:RequestTag/', thisStacksMarking) }, resource: ownedByThisStack,
    }, (handlers, statement, reason) => this.addStatement(handlers, statement, reason)));
    const both = [onEvent, isComplete];

    // The reasons below are what cdk-nag's AwsSolutions-IAM5 acknowledgements say: each wildcard
    // resource is acknowledged only when every statement that grants it has one.
    const describe = new iam.PolicyStatement({
      actions: ['workspaces:DescribeWorkspaces', 'workspaces:DescribeTags'],
      resources: ['*'],
    });
    this.addStatement(both, describe, 'workspaces:DescribeWorkspaces and DescribeTags support no resource-level permissions (Service '
      + 'Authorization Reference), so they take "*"; they only read');
    // The pre-flight before any CreateWorkspaces: is the directory registered, which bundle does
    // a name name, does the bundle exist.
    this.addStatement([onEvent], new iam.PolicyStatement({
      actions: ['workspaces:DescribeWorkspaceDirectories', 'workspaces:DescribeWorkspaceBundles'],
      resources: ['*'],
    }), 'workspaces:DescribeWorkspaceDirectories and DescribeWorkspaceBundles are List actions without resource-level '
      + 'permissions ("*"); the pre-flight reads whether the directory is registered and which bundle a name names');
    // A removed computeType goes back to the bundle's, which only DescribeWorkspaceBundles tells.
    this.addStatement([isComplete], new iam.PolicyStatement({
      actions: ['workspaces:DescribeWorkspaceBundles'],
      resources: ['*'],
    }), 'workspaces:DescribeWorkspaceBundles is a List action without resource-level permissions ("*"); a removed computeType '
      + 'goes back to the bundle\'s, which only it tells');
    // disruptionPolicy WAIT_FOR_DISCONNECT: before a step that disconnects the user (a new compute
    // type or protocol), isComplete asks whether the user is connected.
    this.addStatement([isComplete], new iam.PolicyStatement({
      actions: ['workspaces:DescribeWorkspacesConnectionStatus'],
      resources: ['*'],
    }), 'workspaces:DescribeWorkspacesConnectionStatus supports no resource-level permissions ("*"); it tells whether a user '
      + 'is connected before a step that would disconnect them');

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
    this.addStatement([onEvent], this.createStatement, 'workspaces:CreateWorkspaces names the new WorkSpace, whose id exists only '
      + 'after the call (workspace/*, and only with this stack\'s ownership tag); a bundle given by name is resolved to its id '
      + 'at deploy time (workspacebundle/*), and Amazon\'s public bundles have no account in their ARN (workspacebundle in any '
      + 'account); the directories are the declared ones');
    this.addStatement([onEvent], new iam.PolicyStatement({
      actions: ['workspaces:TerminateWorkspaces'],
      resources: [anyWorkspace],
      conditions: ownedByThisStack,
    }), 'workspaces:TerminateWorkspaces on workspace/* only where the WorkSpace carries this stack\'s ownership tag '
      + '(aws:ResourceTag): the WorkSpaces a stack owns are not known at synth time');
    // onEvent marks a WorkSpace it adopts and releases it on the rollback: the ownership tag
    // and nothing else, and only with this stack's value. (CreateTags and DeleteTags support no
    // resource-level permissions and no aws:ResourceTag, so the handler's own check that a
    // WorkSpace is not another's is what guards the WorkSpace these target.)
    const tagsReason = 'workspaces:CreateTags and DeleteTags support no resource-level permissions ("*"); the conditions '
      + 'limit them to tag keys (aws:TagKeys), and the handler checks that the WorkSpace is this stack\'s before it tags it';
    this.addStatement([onEvent], new iam.PolicyStatement({
      actions: ['workspaces:CreateTags'],
      resources: ['*'],
      conditions: { ...onlyTheOwnershipTag, StringLike: prefixed('aws:RequestTag/', thisStacksMarking) },
    }), tagsReason);
    this.addStatement([onEvent], new iam.PolicyStatement({
      actions: ['workspaces:DeleteTags'],
      resources: ['*'],
      conditions: onlyTheOwnershipTag,
    }), tagsReason);

    // isComplete applies the declared tags, and can never add, change or remove the ownership
    // tag: an explicit deny, which no other policy of the role can override. Tag keys are
    // compared without case, as IAM compares the key in aws:ResourceTag/<key>.
    this.addStatement([isComplete], new iam.PolicyStatement({
      actions: ['workspaces:CreateTags', 'workspaces:DeleteTags'],
      resources: ['*'],
    }), tagsReason);
    this.addStatement([isComplete], new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      actions: ['workspaces:CreateTags', 'workspaces:DeleteTags'],
      resources: ['*'],
      conditions: { 'ForAnyValue:StringEqualsIgnoreCase': { 'aws:TagKeys': [OWNERSHIP_TAG_KEY, FLEET_TAG_KEY] } },
    }));
    this.addStatement([isComplete], new iam.PolicyStatement({
      actions: ['workspaces:ModifyWorkspaceProperties', 'workspaces:TerminateWorkspaces', 'workspaces:MigrateWorkspace'],
      resources: [anyWorkspace],
      conditions: ownedByThisStack,
    }), 'workspaces:ModifyWorkspaceProperties, TerminateWorkspaces and MigrateWorkspace on workspace/* only where the WorkSpace '
      + 'carries this stack\'s ownership tag (aws:ResourceTag): the WorkSpaces a stack owns are not known at synth time');
    // A bundle change migrates the WorkSpace: the target bundle is checked too, and may be Amazon's
    // (no account in its ARN) or the account's own; isComplete first compares the newest snapshot
    // with the user's last connection.
    this.addStatement([isComplete], new iam.PolicyStatement({
      actions: ['workspaces:MigrateWorkspace'],
      resources: [stack.formatArn({ service: 'workspaces', resource: 'workspacebundle', resourceName: '*', account: '*' })],
    }), 'workspaces:MigrateWorkspace names the target bundle, which is resolved at deploy time (workspacebundle/*, in any account: '
      + 'Amazon\'s public bundles have no account in their ARN)');
    this.addStatement([isComplete], new iam.PolicyStatement({
      actions: ['workspaces:DescribeWorkspaceSnapshots'],
      resources: [anyWorkspace],
    }), 'workspaces:DescribeWorkspaceSnapshots on workspace/*: it only reads when the WorkSpace was last snapshotted, before a '
      + 'migration, and the WorkSpaces a stack owns are not known at synth time');

    const frameworkLogs = new logs.LogGroup(this, 'FrameworkLogs', { retention });
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
      logGroup: frameworkLogs,
      ...network,
    });

    this.serviceToken = provider.serviceToken;

    addNagSuppressions(this, provider, () => this.justified);
  }

  /**
   * Let the handlers register this directory with WorkSpaces, change its settings and
   * deregister it (`WorkspacesDirectory`). Only stacks with such a directory get these, and
   * only on the directories (and IP access control groups) that the stack declares.
   *
   * @param directoryId the directory's id
   * @param ipGroupIds the IP access control groups the directory is associated with
   */
  public allowDirectoryRegistration(directoryId: string, ipGroupIds?: string[]): void {
    const stack = Stack.of(this);
    const statements = this.directoryStatements ?? this.createDirectoryStatements();
    const directoryArn = stack.formatArn({ service: 'workspaces', resource: 'directory', resourceName: directoryId });
    if (!this.directoryArns.has(directoryArn)) {
      this.directoryArns.add(directoryArn);
      for (const statement of [statements.register, statements.modify, statements.associate, statements.disassociate]) {
        statement.addResources(directoryArn);
      }
      // Registering authorizes WorkSpaces as an application of the Directory Service directory.
      statements.directoryService.addResources(stack.formatArn({ service: 'ds', resource: 'directory', resourceName: directoryId }));
    }
    for (const groupId of ipGroupIds ?? []) {
      const groupArn = stack.formatArn({ service: 'workspaces', resource: 'workspaceipgroup', resourceName: groupId });
      if (!this.ipGroupArns.has(groupArn)) {
        this.ipGroupArns.add(groupArn);
        statements.associate.addResources(groupArn);
      }
    }
  }

  private createDirectoryStatements(): NonNullable<WorkspaceProvider['directoryStatements']> {
    const stack = Stack.of(this);
    const onEvent = this.onEventHandler as lambda.Function;
    const isComplete = this.isCompleteHandler as lambda.Function;
    // Every action below supports resource-level permissions on the directory (and the IP
    // group), per the Service Authorization References of WorkSpaces and Directory Service; the
    // resources are added for each directory the stack declares. onEvent registers and
    // deregisters; isComplete waits, applies the settings, and deregisters a registration that
    // was still under way when the Delete came.
    const register = new iam.PolicyStatement({
      actions: ['workspaces:RegisterWorkspaceDirectory', 'workspaces:DeregisterWorkspaceDirectory'],
    });
    this.addStatement([onEvent, isComplete], register);
    const modify = new iam.PolicyStatement({
      actions: [
        'workspaces:ModifySelfservicePermissions',
        'workspaces:ModifyWorkspaceCreationProperties',
        'workspaces:ModifyWorkspaceAccessProperties',
      ],
    });
    this.addStatement([isComplete], modify);
    // AssociateIpGroups is checked against the directory and each IP group: the declared ones.
    const associate = new iam.PolicyStatement({ actions: ['workspaces:AssociateIpGroups'] });
    this.addStatement([isComplete], associate);
    // A group removed from ipGroupIds is disassociated by the update that removes it, which runs
    // after CloudFormation has updated this policy: the group is no longer declared by then. So
    // any IP group of this account and region, still only on the declared directories.
    const disassociate = new iam.PolicyStatement({
      actions: ['workspaces:DisassociateIpGroups'],
      resources: [stack.formatArn({ service: 'workspaces', resource: 'workspaceipgroup', resourceName: '*' })],
    });
    this.addStatement([isComplete], disassociate, 'workspaces:DisassociateIpGroups takes any IP group of this account and region '
      + '(workspaceipgroup/*) because a group removed from ipGroupIds is disassociated after CloudFormation has removed it from '
      + 'this policy; the directories are the declared ones');
    this.addStatement([isComplete], new iam.PolicyStatement({
      actions: ['workspaces:DescribeWorkspaceDirectories'],
      resources: ['*'],
    }), 'workspaces:DescribeWorkspaceDirectories is a List action without resource-level permissions ("*"); it shows the '
      + 'registration\'s state and settings');
    // Registering and deregistering authorize WorkSpaces as an application of the directory with
    // the caller's rights: the Directory Service administration guide ("Directory Service API
    // permissions") names ds:AuthorizeApplication and ds:UnauthorizeApplication as the
    // non-public actions that AWS applications need in their policies.
    const directoryService = new iam.PolicyStatement({ actions: ['ds:AuthorizeApplication', 'ds:UnauthorizeApplication'] });
    this.addStatement([onEvent, isComplete], directoryService);
    this.directoryStatements = { register, modify, associate, disassociate, directoryService };
    return this.directoryStatements;
  }

  /**
   * Let the handlers associate this connection alias with this directory, wait for it, and
   * disassociate it (`ConnectionAliasAssociation`). Only stacks with an association get these.
   *
   * @param aliasArn the alias's ARN
   * @param directoryArn the directory's ARN
   */
  public allowConnectionAliasAssociation(aliasArn: string, directoryArn: string): void {
    if (!this.aliasStatement) {
      // On the aliases and directories this stack associates, nothing else.
      this.aliasStatement = new iam.PolicyStatement({
        actions: ['workspaces:AssociateConnectionAlias', 'workspaces:DisassociateConnectionAlias'],
        resources: [],
      });
      this.addStatement([this.onEventHandler, this.isCompleteHandler], this.aliasStatement);
      // onEvent marks the alias with the ownership tag (the CreateTags statement above allows the
      // ownership tag only, with this stack's value), so that a retried Create knows its own association.
      this.addStatement([this.onEventHandler, this.isCompleteHandler],
        new iam.PolicyStatement({ actions: ['workspaces:DescribeConnectionAliases'], resources: ['*'] }),
        'workspaces:DescribeConnectionAliases takes a list of alias ids, or none, and names no single alias ("*")');
    }
    for (const arn of [aliasArn, directoryArn]) {
      const key = Stack.of(this).resolve(arn);
      const text = JSON.stringify(key);
      if (!this.aliasResources.has(text)) {
        this.aliasResources.add(text);
        this.aliasStatement.addResources(arn);
      }
    }
  }

  /**
   * Let the handlers create standby WorkSpaces in this directory (`StandbyWorkspace`). Only
   * stacks with a standby get this.
   *
   * @param directoryId the standby's directory, in this stack's Region
   */
  public allowStandby(directoryId: string): void {
    const stack = Stack.of(this);
    const directoryArn = stack.formatArn({ service: 'workspaces', resource: 'directory', resourceName: directoryId });
    if (this.standbyStatement) {
      this.standbyStatement.addResources(directoryArn);
      return;
    }
    // The new WorkSpace (its id unknown before), the primary (in another Region of this account)
    // and the standby's directory; the standby is created with this stack's ownership tag, as a
    // Workspace is. Its termination is a Workspace's (TerminateWorkspaces above, on this stack's only).
    const thisStacksMarking = { [`aws:RequestTag/${OWNERSHIP_TAG_KEY}`]: Fn.join('', [Fn.select(2, Fn.split('/', stack.stackId)), '/*']) };
    this.standbyStatement = new iam.PolicyStatement({
      actions: ['workspaces:CreateStandbyWorkspaces'],
      resources: [stack.formatArn({ service: 'workspaces', resource: 'workspace', resourceName: '*', region: '*' }), directoryArn],
      conditions: { StringLike: thisStacksMarking },
    });
    this.addStatement([this.onEventHandler], this.standbyStatement,
      'workspaces:CreateStandbyWorkspaces creates a WorkSpace whose id is unknown before (workspace/*), for a primary of another '
      + 'Region of this account (any Region), only with this stack\'s ownership tag');
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
    // By name, or made in this stack (naming its id would make a dependency cycle): any bundle.
    const bundle = bundleId === undefined || Token.isUnresolved(bundleId) ? '*' : bundleId;
    if (!this.bundleIds.has(bundle)) {
      this.bundleIds.add(bundle);
      // Amazon's public bundles belong to no account, so their ARNs have an empty account field.
      this.createStatement.addResources(stack.formatArn({ service: 'workspaces', resource: 'workspacebundle', resourceName: bundle, account: '*' }));
    }
  }

  /**
   * Add a statement to these handlers' roles. A statement whose resources hold a wildcard needs
   * its reason, which becomes its cdk-nag acknowledgement; without one, cdk-nag reports it.
   */
  private addStatement(handlers: lambda.IFunction[], statement: iam.PolicyStatement, wildcardReason?: string): void {
    for (const handler of handlers) {
      handler.addToRolePolicy(statement);
    }
    if (wildcardReason !== undefined) {
      this.justified.push({ statement, reason: wildcardReason, roles: handlers.map((h) => h.role!) });
    }
  }
}

/** `{ "<prefix><key>": value }` for each entry: a condition on these tags. */
function prefixed(prefix: string, tags: { [key: string]: string }): { [key: string]: string } {
  return Object.fromEntries(Object.entries(tags).map(([key, value]) => [`${prefix}${key}`, value]));
}
