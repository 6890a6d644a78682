import { CustomResource, Duration, ITaggable, Lazy, RemovalPolicy, Size, TagManager, TagType, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IWorkspaceBundle } from './bundle';
import { ComputeType } from './compute-type';
import { IWorkspacesDirectory, WorkspacesDirectory } from './directory';
import { declareUser } from './private/declared-users';
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
import { Protocol } from './protocol';

/** The most WorkSpaces one wave of a fleet's migration moves (the Administration Guide's advice). */
const MAX_MIGRATION_BATCH_SIZE = 25;
import { WorkspaceProvider } from './provider';
import { RunningMode } from './running-mode';
import { IWorkspace, WorkspaceBase } from './workspace-base';
import { WorkspaceOptions } from './workspace-options';

/** The most users one fleet may have (the handler's observation and CloudFormation's hour are sized for it). */
const MAX_USERS = 1000;
/** The most users whose WorkSpace ids the fleet can expose: CloudFormation takes at most 4 KB of attributes. */
const MAX_EXPORTED_USERS = 100;
const MAX_REQUESTS_PER_SECOND = 50;

/**
 * Settings of one user's WorkSpace in a `WorkspaceFleet` that differ from the fleet's.
 */
export interface WorkspaceFleetUserOptions {
  /**
   * The running mode of this user's WorkSpace.
   *
   * @default - the fleet's
   */
  readonly runningMode?: RunningMode;

  /**
   * How long after the user disconnects an AUTO_STOP WorkSpace stops; whole hours.
   *
   * @default - the fleet's (1 hour with AUTO_STOP when this user's running mode is given and the timeout is not)
   */
  readonly autoStopTimeout?: Duration;

  /**
   * The compute type of this user's WorkSpace.
   *
   * @default - the fleet's
   */
  readonly computeType?: ComputeType;

  /**
   * The root volume size of this user's WorkSpace.
   *
   * @default - the fleet's
   */
  readonly rootVolumeSize?: Size;

  /**
   * The user volume size of this user's WorkSpace.
   *
   * @default - the fleet's
   */
  readonly userVolumeSize?: Size;

  /**
   * The streaming protocols of this user's WorkSpace.
   *
   * @default - the fleet's
   */
  readonly protocols?: Protocol[];

  /**
   * Tags of this user's WorkSpace only, on top of the fleet's (`Tags.of(fleet)`); a key given
   * here wins over the fleet's.
   *
   * @default - the fleet's tags only
   */
  readonly tags?: { [key: string]: string };
}

/**
 * Properties of a `WorkspaceFleet`: its directory, bundle and users, and the settings of every
 * user's WorkSpace (`WorkspaceOptions`).
 */
export interface WorkspaceFleetProps extends WorkspaceOptions {
  /**
   * The directory (registered with WorkSpaces) that every user of the fleet belongs to.
   *
   * Changing it creates a new fleet in the new directory.
   */
  readonly directory: IWorkspacesDirectory;

  /**
   * The bundle every WorkSpace of the fleet is created from.
   *
   * A change needs a new WorkSpace for every user, which one directory does not allow: it is
   * refused at deploy time before anything changes.
   */
  readonly bundle: IWorkspaceBundle;

  /**
   * The users, as named in the directory, each with the fleet's settings. `addUser()` adds more,
   * with their own settings.
   *
   * @default - none; add them with `addUser()`
   */
  readonly users?: string[];

  /**
   * The rate at which the fleet's handlers send the calls that change one WorkSpace at a time
   * (ModifyWorkspaceProperties, CreateTags, DeleteTags, TerminateWorkspaces of 25), in requests
   * per second. Creations (25 per call) and observation (pages of 25) are few and are not
   * paced; the SDK's adaptive retry handles the throttling that is left.
   *
   * @default 2
   */
  readonly requestsPerSecond?: number;

  /**
   * How many WorkSpaces a bundle change migrates at once (see `bundleChange`).
   *
   * The members are migrated in waves of this many, each wave once the one before has finished:
   * a bundle that fails shows in the first wave, which fails the deployment before any further
   * wave starts. The Administration Guide advises migrating no more than 25 WorkSpaces at a time.
   *
   * @default 5
   */
  readonly migrationBatchSize?: number;
}

/**
 * The WorkSpaces of many users of one directory, as one construct and one custom resource.
 *
 * Creations go to the service 25 per call and each poll observes the whole fleet in pages of
 * 25, so hundreds of users stay within the API's rate limits and within CloudFormation's hour.
 * `Tags.of(fleet)` reaches every WorkSpace.
 *
 * @resource Custom::WorkspaceFleet
 */
export class WorkspaceFleet extends Construct implements ITaggable {
  /**
   * Tags of every WorkSpace of the fleet, set through `Tags.of()`.
   */
  public readonly tags: TagManager;

  /**
   * How many WorkSpaces the fleet has, once deployed.
   *
   * @attribute
   */
  public readonly count: string;

  /**
   * The id of the bundle the WorkSpaces are created from (resolved from its name when given by name).
   *
   * @attribute
   */
  public readonly bundleId: string;

  private readonly resource: CustomResource;
  private readonly directoryId: string;
  private readonly users: Array<{ userName: string; properties?: { [key: string]: unknown }; tags?: { [key: string]: string } }> = [];
  private readonly exported: string[] = [];
  private readonly workspaces = new Map<string, IWorkspace>();
  private readonly runningMode: string;

  constructor(scope: Construct, id: string, props: WorkspaceFleetProps) {
    super(scope, id);
    const validated = <T>(check: () => T): T => {
      try {
        return check();
      } catch (e) {
        throw e instanceof rules.InputError ? validationError(this, e.message) : e;
      }
    };
    this.directoryId = props.directory.directoryId;
    validated(() => {
      checkString('directory.directoryId', this.directoryId, rules.checkDirectoryId);
      checkBundle(props.bundle);
    });
    const workspaceProperties = validated(() => renderWorkspaceProperties(props));
    this.runningMode = String(workspaceProperties.RunningMode);
    const timeout = props.timeout ?? Duration.seconds(rules.MAX_TIMEOUT_SECONDS);
    validated(() => checkTimeout(timeout));
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    checkRemovalPolicy(this, removalPolicy, 'CloudFormation cannot snapshot a custom resource');
    const requestsPerSecond = props.requestsPerSecond;
    if (requestsPerSecond !== undefined && !Token.isUnresolved(requestsPerSecond)
      && !(requestsPerSecond > 0 && requestsPerSecond <= MAX_REQUESTS_PER_SECOND)) {
      throw validationError(this, `Invalid requestsPerSecond ${requestsPerSecond} requests per second: must be above 0 and `
        + `at most ${MAX_REQUESTS_PER_SECOND}`);
    }
    const migrationBatchSize = props.migrationBatchSize;
    if (migrationBatchSize !== undefined && !Token.isUnresolved(migrationBatchSize)
      && !(Number.isInteger(migrationBatchSize) && migrationBatchSize >= 1 && migrationBatchSize <= MAX_MIGRATION_BATCH_SIZE)) {
      throw validationError(this, `Invalid migrationBatchSize ${migrationBatchSize} WorkSpaces: must be a whole number from 1 to `
        + `${MAX_MIGRATION_BATCH_SIZE} (the Administration Guide advises migrating at most 25 WorkSpaces at a time)`);
    }
    const rootEncrypted = props.rootVolumeEncrypted ?? false;
    const userEncrypted = props.userVolumeEncrypted ?? false;
    if (props.volumeEncryptionKey && !rootEncrypted && !userEncrypted) {
      throw validationError(this, 'Invalid volumeEncryptionKey: it is only used when rootVolumeEncrypted or '
        + 'userVolumeEncrypted is true; set one of them, or remove the key');
    }

    this.tags = new TagManager(TagType.KEY_VALUE, 'Custom::WorkspaceFleet');
    this.node.addValidation({ validate: () => this.validate() });

    const provider = WorkspaceProvider.getOrCreate(this);
    provider.allowCreate(this.directoryId, props.bundle.bundleId ?? '*');
    const keyGrant = props.volumeEncryptionKey?.grant(provider.onEventHandler, 'kms:CreateGrant', 'kms:DescribeKey');

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::WorkspaceFleet',
      removalPolicy,
      serviceTimeout: serviceTimeoutOf(timeout),
      properties: {
        DirectoryId: this.directoryId,
        ...bundleProperties(props.bundle),
        RootVolumeEncryptionEnabled: String(rootEncrypted),
        UserVolumeEncryptionEnabled: String(userEncrypted),
        VolumeEncryptionKey: props.volumeEncryptionKey?.keyArn,
        WorkspaceProperties: workspaceProperties,
        Tags: Lazy.any({ produce: () => this.renderTags() }),
        Users: Lazy.any({ produce: () => this.users.map((u) => renderUser(u)) }),
        ExportedUsers: Lazy.list({ produce: () => this.exported }, { omitEmpty: true }),
        TimeoutSeconds: timeout.toSeconds(),
        AdoptExisting: props.adoptExisting ? 'true' : undefined,
        DisruptionPolicy: props.disruptionPolicy,
        RemovalPolicy: removalPolicy === RemovalPolicy.DESTROY ? 'DESTROY'
          : removalPolicy === RemovalPolicy.RETAIN ? 'RETAIN' : undefined,
        RequestsPerSecond: requestsPerSecond,
        BundleChange: props.bundleChange,
        MigrationBatchSize: migrationBatchSize,
      },
    });
    keyGrant?.applyBefore(this.resource);
    if (props.directory instanceof WorkspacesDirectory) {
      // Registered in this app: create the WorkSpaces only once the registration is done.
      this.resource.node.addDependency(props.directory);
    }

    this.count = this.resource.getAttString('Count');
    this.bundleId = this.resource.getAttString('BundleId');
    for (const userName of props.users ?? []) {
      this.addUser(userName);
    }
  }

  /**
   * Add a user to the fleet, optionally with settings and tags of their own.
   *
   * @param userName the user, as named in the directory (1 to 63 characters)
   * @param overrides settings of this user's WorkSpace that differ from the fleet's
   */
  public addUser(userName: string, overrides: WorkspaceFleetUserOptions = {}): void {
    const prefix = `users "${userName}" `;
    const properties = (() => {
      try {
        checkString('userName', userName, rules.checkUserName);
        const rendered = renderWorkspaceProperties(overrides, prefix, { defaults: false, inheritedRunningMode: this.runningMode });
        for (const [key, value] of Object.entries(overrides.tags ?? {})) {
          rules.checkTagKey(`${prefix}tags`, key);
          rules.checkTagValue(`${prefix}tags`, key, value);
        }
        return Object.values(rendered).some((v) => v !== undefined) ? rendered : undefined;
      } catch (e) {
        throw e instanceof rules.InputError ? validationError(this, e.message) : e;
      }
    })();
    if (this.users.length >= MAX_USERS) {
      throw validationError(this, `Invalid users: a fleet has at most ${MAX_USERS} users; "${userName}" would be user ${MAX_USERS + 1}. `
        + 'Split the users over more fleets.');
    }
    // A user twice in the fleet, or in the fleet and another Workspace or fleet of the app.
    claimUser(this, this.directoryId, userName, `${this.node.path} (user "${userName}")`);
    declareUser(this.resource, this.directoryId, userName);
    this.users.push({ userName, properties, tags: overrides.tags });
  }

  /**
   * The users of the fleet, as declared (those of `users` and of `addUser()`).
   */
  public get userNames(): string[] {
    return this.users.map((u) => u.userName);
  }

  /**
   * The WorkSpace of one user of the fleet, for grants, metrics and events.
   *
   * Its id is read from the fleet's attributes once the fleet is deployed.
   *
   * @param userName a user of the fleet
   */
  public workspace(userName: string): IWorkspace {
    const key = userName.toLowerCase();
    const existing = this.workspaces.get(key);
    if (existing !== undefined) {
      return existing;
    }
    const index = this.users.findIndex((u) => u.userName.toLowerCase() === key);
    if (index < 0) {
      throw validationError(this, `Invalid userName "${userName}": not a user of this fleet; add it with addUser() first`);
    }
    if (this.exported.length >= MAX_EXPORTED_USERS) {
      throw validationError(this, `Invalid userName "${userName}": a fleet exposes the WorkSpaces of at most ${MAX_EXPORTED_USERS} `
        + 'users (CloudFormation takes at most 4 KB of a custom resource\'s attributes)');
    }
    const attribute = `WorkspaceId${this.exported.length}`;
    this.exported.push(this.users[index].userName);
    const workspaceId = this.resource.getAttString(attribute);
    class FleetMember extends WorkspaceBase {
      public readonly workspaceId = workspaceId;
      public readonly workspaceArn = this.arnForWorkspaceId(workspaceId);
    }
    const member = new FleetMember(this, `User${this.exported.length - 1}`);
    this.workspaces.set(key, member);
    return member;
  }

  private renderTags(): Array<{ Key: string; Value: string }> | undefined {
    const tags = this.tags.renderTags() as Array<{ Key: string; Value: string }> | undefined;
    return tags && tags.length > 0 ? tags : undefined;
  }

  private validate(): string[] {
    const errors: string[] = [];
    const collect = (check: () => void) => {
      try {
        check();
      } catch (e) {
        errors.push((e as Error).message);
      }
    };
    if (this.users.length === 0) {
      errors.push('Invalid users []: a fleet needs at least one user; give them in users, or add them '
        + 'with addUser() (to remove every WorkSpace of a fleet, remove the fleet)');
    }
    const fleetTags = this.renderTags() ?? [];
    for (const user of this.users) {
      const keys = new Set([...fleetTags.map((t) => t.Key), ...Object.keys(user.tags ?? {})]);
      collect(() => rules.checkTagCount(`tags of user "${user.userName}"`, keys.size, rules.FLEET_RESERVED_TAGS));
    }
    errors.push(...tagRuleErrors(fleetTags));
    return errors;
  }
}

function renderUser(user: { userName: string; properties?: { [key: string]: unknown }; tags?: { [key: string]: string } }): unknown {
  const tags = Object.entries(user.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
  return {
    UserName: user.userName,
    WorkspaceProperties: user.properties,
    Tags: tags.length > 0 ? tags : undefined,
  };
}
