import { CustomResource, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { IWorkspacesDirectory } from './directory';
import { validationError } from './private/errors';
import * as rules from './private/rules';
import { checkRemovalPolicy, serviceTimeoutOf, checkTimeout } from './private/workspace-settings';
import { WorkspaceProvider } from './provider';
import { IWorkspace } from './workspace-base';
import { WorkspaceFleet } from './workspace-fleet';

/** The custom resource type of a standby WorkSpace (the handler routes on it). */
const STANDBY_RESOURCE_TYPE = 'Custom::WorkspacesStandby';

/**
 * Whether a standby WorkSpace receives the primary's data (Multi-Region Resilience).
 */
export enum DataReplication {
  /** The standby starts from the bundle and receives no data from the primary. */
  NO_REPLICATION = 'NO_REPLICATION',
  /**
   * The primary's system and user volumes are copied to the standby from their snapshots (the
   * Administration Guide: every 12 hours), billed as an add-on.
   */
  PRIMARY_AS_SOURCE = 'PRIMARY_AS_SOURCE',
}

/**
 * Settings of standby WorkSpaces, shared by one standby and the standbys of a fleet.
 */
export interface StandbyOptions {
  /**
   * The directory of the standby, registered in this stack's Region (the secondary Region).
   */
  readonly directory: IWorkspacesDirectory;

  /**
   * Whether the standby receives the primary's data.
   *
   * @default DataReplication.NO_REPLICATION
   */
  readonly dataReplication?: DataReplication;

  /**
   * The key that encrypts the standby's volumes, in the secondary Region.
   *
   * @default - the standby's volumes are encrypted as the service decides for the primary's
   */
  readonly volumeEncryptionKey?: kms.IKey;

  /**
   * How long creating the standby may take before the deployment fails, naming the standby and
   * its last state (CloudFormation gives a custom resource one hour).
   *
   * @default Duration.minutes(55)
   */
  readonly timeout?: Duration;

  /**
   * What happens to the standby when it is removed from the stack: as for a `Workspace`, it is
   * kept by default, and terminated only by the rollback of the deployment that created it.
   *
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Properties of a `StandbyWorkspace`.
 */
export interface StandbyWorkspaceProps extends StandbyOptions {
  /**
   * The primary WorkSpace, in a stack of another Region: a `Workspace`, or a fleet's member
   * (`fleet.workspace(userName)`). Its id crosses Regions as an aws-cdk-lib cross-Region
   * reference (give both stacks `crossRegionReferences: true`).
   */
  readonly primary: IWorkspace;
}

/**
 * Properties of `StandbyWorkspace.forFleet()`.
 */
export interface StandbyFleetProps extends StandbyOptions {
  /** The fleet whose every user gets a standby WorkSpace. */
  readonly fleet: WorkspaceFleet;
}

/**
 * A standby WorkSpace (Multi-Region Resilience): a WorkSpace in a secondary Region for the user
 * of a primary WorkSpace, made by CreateStandbyWorkspaces (`Custom::WorkspacesStandby`, served by
 * the provider of the secondary Region's stack), which CloudFormation cannot make.
 *
 * Declare it in a stack of the secondary Region (both stacks with `crossRegionReferences: true`):
 * the primary's id is passed by aws-cdk-lib's cross-Region references (an SSM parameter in the
 * secondary Region, written by the primary's stack), which also keeps the primary from being
 * replaced while its standby refers to it. The standby follows a `Workspace`'s rules: it is
 * marked with the ownership tag of the request that created it, the deployment waits until it
 * is AVAILABLE or STOPPED (failing at `timeout`, or at once when it goes to ERROR, with the
 * service's reason), and only the rollback of the deployment that created it, or a Delete with
 * `RemovalPolicy.DESTROY`, terminates it.
 */
export class StandbyWorkspace extends Construct {
  /**
   * A standby WorkSpace for every user of a fleet (each its own resource, named `Standby<n>`).
   * A fleet exposes the ids of at most 100 users.
   *
   * @param scope the scope, in a stack of the secondary Region
   * @param id the construct id of the group
   * @param props the fleet and the standby settings
   */
  public static forFleet(scope: Construct, id: string, props: StandbyFleetProps): StandbyWorkspace[] {
    const group = new Construct(scope, id);
    const { fleet, ...options } = props;
    return fleet.userNames.map((userName, index) =>
      new StandbyWorkspace(group, `Standby${index}`, { ...options, primary: fleet.workspace(userName) }));
  }

  /**
   * The standby WorkSpace's id, in the secondary Region.
   *
   * @attribute
   */
  public readonly workspaceId: string;

  constructor(scope: Construct, id: string, props: StandbyWorkspaceProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const primaryRegion = Stack.of(props.primary).region;
    if (Token.isUnresolved(primaryRegion) || Token.isUnresolved(stack.region)) {
      throw validationError(this, `Invalid primary ${props.primary.node.path}: the Regions of the primary's stack and of this stack `
        + 'must be given (env.region): a standby is made in another Region than its primary, which CloudFormation must know');
    }
    if (primaryRegion === stack.region) {
      throw validationError(this, `Invalid primary ${props.primary.node.path}: it is in ${primaryRegion}, as this standby; a standby `
        + 'WorkSpace is in another Region than its primary: declare it in a stack of the secondary Region');
    }
    const directoryRegion = Stack.of(props.directory).region;
    if (!Token.isUnresolved(directoryRegion) && directoryRegion !== stack.region) {
      throw validationError(this, `Invalid directory ${props.directory.node.path}: it is in ${directoryRegion}; the standby's directory `
        + `is in the standby's Region, ${stack.region}`);
    }
    try {
      if (!Token.isUnresolved(props.directory.directoryId)) {
        rules.checkDirectoryId('directory.directoryId', props.directory.directoryId);
      }
      checkTimeout(props.timeout ?? Duration.seconds(rules.MAX_TIMEOUT_SECONDS));
    } catch (e) {
      throw e instanceof rules.InputError ? validationError(this, e.message) : e;
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    checkRemovalPolicy(this, removalPolicy);
    const timeout = props.timeout ?? Duration.seconds(rules.MAX_TIMEOUT_SECONDS);

    const provider = WorkspaceProvider.getOrCreate(this);
    provider.allowStandby(props.directory.directoryId);
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: STANDBY_RESOURCE_TYPE,
      removalPolicy,
      serviceTimeout: serviceTimeoutOf(timeout),
      properties: {
        PrimaryRegion: primaryRegion,
        PrimaryWorkspaceId: props.primary.workspaceId,
        DirectoryId: props.directory.directoryId,
        DataReplication: props.dataReplication ?? DataReplication.NO_REPLICATION,
        VolumeEncryptionKey: props.volumeEncryptionKey?.keyArn,
        TimeoutSeconds: timeout.toSeconds(),
      },
    });
    // The standby's directory may be registered in this app: after it.
    resource.node.addDependency(props.directory);
    props.volumeEncryptionKey?.grant(provider.onEventHandler, 'kms:CreateGrant', 'kms:DescribeKey');
    this.workspaceId = resource.getAttString('WorkspaceId');
  }
}
