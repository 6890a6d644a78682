import {
  CustomResource,
  Duration,
  ITaggable,
  Lazy,
  RemovalPolicy,
  TagManager,
  TagType,
  Token,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IWorkspaceBundle } from './bundle';
import { IWorkspacesDirectory, WorkspacesDirectory } from './directory';
import { declareUser, lookUpUser } from './private/declared-users';
import { validationError } from './private/errors';
import * as rules from './private/rules';
import { tagRuleErrors } from './private/tag-rules';
import {
  checkRemovalPolicy, serviceTimeoutOf,
  bundleProperties,
  checkBundle,
  checkString,
  checkTimeout,
  claimUser,
  renderWorkspaceProperties,
} from './private/workspace-settings';
import { WorkspaceProvider } from './provider';
import { IWorkspace, WorkspaceBase } from './workspace-base';
import { WorkspaceOptions } from './workspace-options';

/**
 * Properties of a `Workspace`: whose WorkSpace it is, from which bundle, and its settings
 * (`WorkspaceOptions`).
 */
export interface WorkspaceProps extends WorkspaceOptions {
  /**
   * The directory (registered with WorkSpaces) that the user belongs to: a
   * `WorkspacesDirectory` of this app, or `WorkspacesDirectory.fromDirectoryId()`.
   *
   * A WorkSpace of a directory registered in this app is created after the registration.
   * Before it creates anything, the provider checks that the directory is registered.
   * Changing it replaces the WorkSpace.
   */
  readonly directory: IWorkspacesDirectory;

  /**
   * The bundle (image and hardware) the WorkSpace is created from: by id, or by name, which
   * the provider resolves at deploy time in the stack's region (the resolved id is the
   * `bundleId` attribute), or a `CustomWorkspaceBundle` of this app (the WorkSpace is created after it).
   *
   * Before it creates anything, the provider checks that the bundle exists and that the
   * declared compute type and volume sizes fit it. Changing it (its id, or its name) replaces
   * the WorkSpace.
   */
  readonly bundle: IWorkspaceBundle;

  /**
   * The user the WorkSpace is for, as named in the directory.
   *
   * A user has at most one WorkSpace in a directory. Changing it replaces the WorkSpace.
   */
  readonly userName: string;
}

/**
 * Which existing WorkSpace `Workspace.fromUserName()` refers to.
 */
export interface WorkspaceUserAttributes {
  /**
   * The directory the user's WorkSpace is in.
   */
  readonly directory: IWorkspacesDirectory;

  /**
   * The user, as named in the directory (compared without regard to case, as the service does).
   */
  readonly userName: string;
}

/**
 * An Amazon WorkSpace: a virtual desktop for one user of a directory.
 *
 * Created, changed in place and terminated by the stack's `WorkspaceProvider`, which waits
 * until each operation has really finished. Tags given through `Tags.of()` reach the WorkSpace.
 *
 * @resource Custom::Workspace
 */
export class Workspace extends WorkspaceBase implements ITaggable {
  /**
   * Refer to a WorkSpace that exists outside this app.
   *
   * @param scope the parent construct
   * @param id the construct id
   * @param workspaceId the WorkSpace's id, such as `ws-abcd12345`
   */
  public static fromWorkspaceId(scope: Construct, id: string, workspaceId: string): IWorkspace {
    if (!Token.isUnresolved(workspaceId) && !rules.WORKSPACE_ID_PATTERN.test(workspaceId)) {
      const error = new rules.InputError('workspaceId', workspaceId,
        `must match ${rules.WORKSPACE_ID_PATTERN.source} (a WorkSpace id such as "ws-abcd12345")`);
      throw validationError(scope, error.message, scope.node.path ? `${scope.node.path}/${id}` : id);
    }
    class Import extends WorkspaceBase {
      public readonly workspaceId = workspaceId;
      public readonly workspaceArn = this.arnForWorkspaceId(workspaceId);
    }
    return new Import(scope, id);
  }

  /**
   * Refer to a user's existing WorkSpace, made outside this app (the console, another tool),
   * by directory and user: its id and attributes are found at deploy time.
   *
   * The stack's provider looks the WorkSpace up (DescribeWorkspaces, read-only) when the
   * lookup is created or its directory or user changes; the deployment fails, naming the user
   * and the directory, when the user has no WorkSpace there. The lookup never changes or
   * terminates the WorkSpace. Use it for grants, metrics and events.
   *
   * @param scope the parent construct
   * @param id the construct id
   * @param attrs the directory and the user
   */
  public static fromUserName(scope: Construct, id: string, attrs: WorkspaceUserAttributes): IWorkspace {
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    try {
      checkString('directory.directoryId', attrs.directory.directoryId, rules.checkDirectoryId);
      checkString('userName', attrs.userName, rules.checkUserName);
    } catch (e) {
      throw e instanceof rules.InputError ? validationError(scope, e.message, path) : e;
    }
    class Lookup extends WorkspaceBase {
      public readonly workspaceId: string;
      public readonly workspaceArn: string;
      constructor() {
        super(scope, id);
        const lookup = new CustomResource(this, 'Lookup', {
          serviceToken: WorkspaceProvider.getOrCreate(this).serviceToken,
          resourceType: 'Custom::WorkspaceLookup',
          properties: { DirectoryId: attrs.directory.directoryId, UserName: attrs.userName },
        });
        if (attrs.directory instanceof WorkspacesDirectory) {
          lookup.node.addDependency(attrs.directory);
        }
        // A user whose WorkSpace this app creates is looked up once it exists.
        lookUpUser(lookup, attrs.directory.directoryId, attrs.userName);
        this.workspaceId = lookup.getAttString('WorkspaceId');
        this.workspaceArn = this.arnForWorkspaceId(this.workspaceId);
      }
    }
    return new Lookup();
  }

  public readonly workspaceId: string;
  public readonly workspaceArn: string;

  /**
   * The WorkSpace's IP address in its subnet.
   *
   * @attribute
   */
  public readonly ipAddress: string;

  /**
   * The WorkSpace's computer name in the directory.
   *
   * @attribute
   */
  public readonly computerName: string;

  /**
   * The subnet the WorkSpace is in.
   *
   * @attribute
   */
  public readonly subnetId: string;

  /**
   * The id of the bundle the WorkSpace was created from: for a bundle given by name, the id
   * the name resolved to in the stack's region.
   *
   * @attribute
   */
  public readonly bundleId: string;

  /**
   * Tags of the WorkSpace, set through `Tags.of()`.
   */
  public readonly tags: TagManager;

  private readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: WorkspaceProps) {
    super(scope, id);

    // Errors of the rules, which the handler shares, become aws-cdk-lib's ValidationError: it
    // carries the construct path, and its stack keeps the app's frames, not the library's.
    const validated = <T>(check: () => T): T => {
      try {
        return check();
      } catch (e) {
        throw e instanceof rules.InputError ? validationError(this, e.message) : e;
      }
    };
    validated(() => {
      checkString('directory.directoryId', props.directory.directoryId, rules.checkDirectoryId);
      checkBundle(props.bundle);
      checkString('userName', props.userName, rules.checkUserName);
    });
    const workspaceProperties = validated(() => renderWorkspaceProperties(props));
    const timeout = props.timeout ?? Duration.seconds(rules.MAX_TIMEOUT_SECONDS);
    validated(() => checkTimeout(timeout));
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    checkRemovalPolicy(this, removalPolicy, 'CloudFormation cannot snapshot a custom resource, and a WorkSpace has no snapshot to restore from');
    const rootEncrypted = props.rootVolumeEncrypted ?? false;
    const userEncrypted = props.userVolumeEncrypted ?? false;
    if (props.volumeEncryptionKey && !rootEncrypted && !userEncrypted) {
      throw validationError(this, 'Invalid volumeEncryptionKey: it is only used when rootVolumeEncrypted or '
        + 'userVolumeEncrypted is true; set one of them, or remove the key');
    }
    claimUser(this, props.directory.directoryId, props.userName);

    this.tags = new TagManager(TagType.KEY_VALUE, 'Custom::Workspace');
    this.node.addValidation({ validate: () => this.validateTags() });

    const provider = WorkspaceProvider.getOrCreate(this);
    provider.allowCreate(props.directory.directoryId, props.bundle.bundleId);
    // WorkSpaces creates a grant on the key for the encrypted volumes, as the caller.
    const keyGrant = props.volumeEncryptionKey?.grant(provider.onEventHandler, 'kms:CreateGrant', 'kms:DescribeKey');

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::Workspace',
      removalPolicy,
      // CloudFormation's own deadline, after the handler's: so that the handler fails first.
      serviceTimeout: serviceTimeoutOf(timeout),
      properties: {
        DirectoryId: props.directory.directoryId,
        ...bundleProperties(props.bundle),
        UserName: props.userName,
        RootVolumeEncryptionEnabled: String(rootEncrypted),
        UserVolumeEncryptionEnabled: String(userEncrypted),
        VolumeEncryptionKey: props.volumeEncryptionKey?.keyArn,
        WorkspaceProperties: workspaceProperties,
        Tags: Lazy.any({ produce: () => this.renderTags() }),
        TimeoutSeconds: timeout.toSeconds(),
        AdoptExisting: props.adoptExisting ? 'true' : undefined,
        // Only when given: the templates of apps that leave the default stay as they were.
        DisruptionPolicy: props.disruptionPolicy,
        BundleChange: props.bundleChange,
      },
    });

    keyGrant?.applyBefore(this.resource);
    if (props.directory instanceof WorkspacesDirectory) {
      // Registered in this app: create the WorkSpace only once the registration is done.
      this.resource.node.addDependency(props.directory);
    }
    declareUser(this.resource, props.directory.directoryId, props.userName);

    this.workspaceId = this.resource.getAttString('WorkspaceId');
    this.workspaceArn = this.arnForWorkspaceId(this.workspaceId);
    this.ipAddress = this.resource.getAttString('IpAddress');
    this.computerName = this.resource.getAttString('ComputerName');
    this.subnetId = this.resource.getAttString('SubnetId');
    this.bundleId = this.resource.getAttString('BundleId');
  }

  private renderTags(): Array<{ Key: string; Value: string }> | undefined {
    const tags = this.tags.renderTags() as Array<{ Key: string; Value: string }> | undefined;
    return tags && tags.length > 0 ? tags : undefined;
  }

  private validateTags(): string[] {
    const tags = this.renderTags() ?? [];
    return tagRuleErrors(tags, () => rules.checkTagCount('tags', tags.length));
  }
}
