import { ArnFormat, CustomResource, IResource, Lazy, RemovalPolicy, Resource, Stack, TagManager, TagType, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { IIpAccessControlGroup } from './ip-access-control-group';
import { validationError } from './private/errors';
import { MAX_IP_GROUPS_PER_DIRECTORY } from './private/network-rules';
import * as rules from './private/rules';
import { tagRuleErrors } from './private/tag-rules';
import { WorkspaceProvider } from './provider';

/**
 * A directory registered with Amazon WorkSpaces, declared in this app or imported.
 */
export interface IWorkspacesDirectory extends IResource {
  /**
   * The directory's id, such as `d-1234567890`.
   *
   * @attribute
   */
  readonly directoryId: string;

  /**
   * The directory's ARN in WorkSpaces (`arn:aws:workspaces:region:account:directory/d-...`).
   *
   * @attribute
   */
  readonly directoryArn: string;
}

/**
 * What users may do with their own WorkSpaces from the WorkSpaces client. Each default is the
 * service's own, which a permission removed from the app goes back to.
 */
export interface SelfservicePermissions {
  /**
   * Whether users may restart their WorkSpace.
   *
   * @default true
   */
  readonly restartWorkspace?: boolean;

  /**
   * Whether users may grow the volumes of their WorkSpace (billed at once).
   *
   * @default false
   */
  readonly increaseVolumeSize?: boolean;

  /**
   * Whether users may change the compute type of their WorkSpace (billed at once).
   *
   * @default false
   */
  readonly changeComputeType?: boolean;

  /**
   * Whether users may switch the running mode of their WorkSpace (billed at once).
   *
   * @default false
   */
  readonly switchRunningMode?: boolean;

  /**
   * Whether users may rebuild their WorkSpace, which restores the root volume and loses what
   * the user volume gained since its last snapshot.
   *
   * @default false
   */
  readonly rebuildWorkspace?: boolean;
}

/**
 * The kinds of client device that may connect to the directory's WorkSpaces.
 */
export enum DeviceType {
  /** Windows clients. */
  WINDOWS = 'DeviceTypeWindows',
  /** macOS clients. */
  OSX = 'DeviceTypeOsx',
  /** Linux clients. */
  LINUX = 'DeviceTypeLinux',
  /** iPadOS and iOS clients. */
  IOS = 'DeviceTypeIos',
  /** Android clients. */
  ANDROID = 'DeviceTypeAndroid',
  /** Chromebooks. */
  CHROME_OS = 'DeviceTypeChromeOs',
  /** Web browsers (WorkSpaces Web Access). */
  WEB = 'DeviceTypeWeb',
  /** PCoIP zero clients. */
  ZERO_CLIENT = 'DeviceTypeZeroClient',
  /** Amazon WorkSpaces Thin Client devices. */
  WORKSPACES_THIN_CLIENT = 'DeviceTypeWorkSpacesThinClient',
}

/**
 * Whether the directory's WorkSpaces run on shared or dedicated hardware.
 */
export enum Tenancy {
  /** Shared hardware. */
  SHARED = 'SHARED',
  /** Dedicated hardware, for bring-your-own-license Windows images. */
  DEDICATED = 'DEDICATED',
}

/**
 * Properties of a `WorkspacesDirectory`.
 */
export interface WorkspacesDirectoryProps {
  /**
   * The AWS Directory Service directory to register: an AWS Managed Microsoft AD or an AD
   * Connector, such as `d-1234567890`. It must be Active.
   */
  readonly directoryId: string;

  /**
   * The VPC of the subnets that WorkSpaces use.
   *
   * @default - the directory's own subnets (a registration that exists already keeps its subnets)
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The two subnets, in different Availability Zones, that the directory's WorkSpaces are
   * placed in. Only with `vpc`.
   *
   * @default - the VPC's private subnets (there must be exactly two, in different Availability Zones)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * What users may do with their own WorkSpaces.
   *
   * @default - the service's default: restart only
   */
  readonly selfservicePermissions?: SelfservicePermissions;

  /**
   * Whether users may use the WorkSpaces self-service features of the directory (such as
   * resetting their password from the client login screen).
   *
   * It is given to RegisterWorkspaceDirectory: the service has no action that changes it for a
   * registration, so it takes effect when this resource registers the directory.
   *
   * @default false, as the service
   */
  readonly enableSelfService?: boolean;

  /**
   * The organizational unit that new WorkSpaces' computer accounts are put in, such as
   * `OU=WorkSpaces,DC=corp,DC=example,DC=com`.
   *
   * Once set, the service cannot clear it (ModifyWorkspaceCreationProperties keeps it when it is
   * not given, and refuses an empty one): removing it from the app fails the update before
   * anything changes, saying so.
   *
   * @default - the service's default: none, the directory's default container
   */
  readonly defaultOu?: string;

  /**
   * A security group, in the VPC, that WorkSpaces created from now on get besides the
   * directory's own.
   *
   * Once set, the service cannot clear it: removing it from the app fails the update before
   * anything changes, saying so (declare another group instead).
   *
   * @default - the service's default: none
   */
  readonly customSecurityGroup?: ec2.ISecurityGroup;

  /**
   * Whether new WorkSpaces get a public IP address, for internet access without a NAT gateway.
   *
   * @default false, as the service
   */
  readonly enableInternetAccess?: boolean;

  /**
   * Whether the service applies Windows updates to AUTO_STOP WorkSpaces in its maintenance
   * window (it starts them for it).
   *
   * @default true, as the service
   */
  readonly enableMaintenanceMode?: boolean;

  /**
   * Whether users are local administrators of their WorkSpaces.
   *
   * This library declares false unless told otherwise, so that removing the prop never makes users
   * administrators; the service's own default, for a registration that is not told, is true.
   *
   * @default false (the service's default is true)
   */
  readonly userEnabledAsLocalAdministrator?: boolean;

  /**
   * The IAM role that the directory's WorkSpaces run with (an instance profile role).
   *
   * Once set, the service cannot clear it: removing it from the app fails the update before
   * anything changes, saying so.
   *
   * @default - the service's default: none
   */
  readonly instanceRole?: iam.IRole;

  /**
   * The IP access control groups that limit where users connect from: an `IpAccessControlGroup`
   * of this app, or one imported with `IpAccessControlGroup.fromGroupId`. At most 25.
   *
   * Only the groups declared here are associated or disassociated: a group associated with the
   * directory elsewhere stays associated.
   *
   * @default - none: any address
   */
  readonly ipGroups?: IIpAccessControlGroup[];

  /**
   * The kinds of client device allowed to connect; every other kind is denied.
   *
   * Removing the prop from the app puts the service's defaults back.
   *
   * @default - the service's defaults: Windows, macOS, iOS, Android, ChromeOS and PCoIP zero
   * clients allowed; Linux, web browsers and WorkSpaces Thin Client denied
   */
  readonly allowedDeviceTypes?: DeviceType[];

  /**
   * Whether the WorkSpaces run on shared or dedicated hardware. Changing it would need a new
   * registration: the update fails before changing anything, saying what to do (as it does for
   * `directoryId` and the subnets). Removing it from the app means SHARED again, so it is
   * refused the same way for a DEDICATED registration.
   *
   * @default - the service's default, Tenancy.SHARED
   */
  readonly tenancy?: Tenancy;

  /**
   * What happens to the registration when it is removed from the stack.
   *
   * The WorkSpaces of a directory outlive their stack by default (a `Workspace`'s default
   * removal policy), and a directory cannot be deregistered while it has WorkSpaces, so the
   * registration is kept too; with `RemovalPolicy.DESTROY` the directory is deregistered.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An AWS Managed Microsoft AD or AD Connector, registered with Amazon WorkSpaces so that
 * WorkSpaces can be created for its users.
 *
 * It is a custom resource (`Custom::WorkspacesDirectory`, served by the stack's
 * `WorkspaceProvider`): CloudFormation's `AWS::WorkSpaces::Directory` has no property that names
 * an existing directory by id, so it cannot register one. A directory that is registered already
 * when the resource is created is adopted, and never deregistered by it; only when its subnets
 * (when `vpc` is given) and tenancy are the declared ones, since only a new registration could
 * change them: otherwise the deployment fails before changing anything, naming both.
 *
 * Every setting is the service's default unless declared, and a setting removed from the app goes
 * back to it. Tags given through `Tags.of()` reach the registration.
 *
 * A `Workspace` of this directory in the same app is created after the registration.
 */
export class WorkspacesDirectory extends Resource implements IWorkspacesDirectory {
  /**
   * A directory registered with WorkSpaces elsewhere (the console, another stack).
   *
   * Nothing checks at synth time that it is registered: the provider checks before it creates
   * anything, and fails in seconds when it is not.
   *
   * @param scope the scope of the imported directory
   * @param id its construct id
   * @param directoryId the directory's id, such as `d-1234567890`
   */
  public static fromDirectoryId(scope: Construct, id: string, directoryId: string): IWorkspacesDirectory {
    checkDirectoryId(scope, directoryId, scope.node.path ? `${scope.node.path}/${id}` : id);
    class Import extends Resource implements IWorkspacesDirectory {
      public readonly directoryId = directoryId;
      public readonly directoryArn = directoryArnOf(scope, directoryId);
    }
    return new Import(scope, id);
  }

  public readonly directoryId: string;
  public readonly directoryArn: string;

  /**
   * The subnets the directory's WorkSpaces are placed in, when given.
   */
  public readonly subnetIds?: string[];

  /**
   * Tags of the registration, set through `Tags.of()`.
   */
  public readonly tags: TagManager;

  constructor(scope: Construct, id: string, props: WorkspacesDirectoryProps) {
    super(scope, id);
    checkDirectoryId(this, props.directoryId);
    if (props.vpcSubnets !== undefined && props.vpc === undefined) {
      throw validationError(this, 'Invalid vpcSubnets: it selects subnets of `vpc`, which is not given; give the VPC too');
    }
    this.subnetIds = props.vpc ? this.selectTwoSubnets(props.vpc, props.vpcSubnets) : undefined;
    const ipGroupIds = props.ipGroups?.map((group) => group.groupId);
    if (props.ipGroups && props.ipGroups.length > MAX_IP_GROUPS_PER_DIRECTORY) {
      throw validationError(this, `Invalid ipGroups: ${props.ipGroups.length} groups (${props.ipGroups.map((g) => g.node.path).join(', ')}); `
        + `a directory is associated with at most ${MAX_IP_GROUPS_PER_DIRECTORY} (the service's quota): merge some`);
    }
    const seenGroups = new Map<string, number>();
    props.ipGroups?.forEach((group, index) => {
      const key = Token.isUnresolved(group.groupId) ? group.node.path : group.groupId;
      const earlier = seenGroups.get(key);
      if (earlier !== undefined) {
        throw validationError(this, `Invalid ipGroups[${index}] (${group.node.path}): the same group as ipGroups[${earlier}]; give each group once`);
      }
      seenGroups.set(key, index);
    });

    const permissions = props.selfservicePermissions ?? {};
    const enabled = (value: boolean | undefined, byDefault: boolean) => ((value ?? byDefault) ? 'ENABLED' : 'DISABLED');
    this.tags = new TagManager(TagType.KEY_VALUE, 'Custom::WorkspacesDirectory');
    this.node.addValidation({ validate: () => this.validateTags() });

    const provider = WorkspaceProvider.getOrCreate(this);
    provider.allowDirectoryRegistration(props.directoryId, ipGroupIds);
    // A custom resource, not AWS::WorkSpaces::Directory: that type has no property naming an
    // existing Directory Service directory by id, so CloudFormation cannot register one. The
    // properties are the API's (RegisterWorkspaceDirectory and the Modify* actions).
    new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::WorkspacesDirectory',
      properties: {
        DirectoryId: props.directoryId,
        SubnetIds: this.subnetIds,
        EnableSelfService: props.enableSelfService ?? false,
        Tenancy: props.tenancy,
        SelfservicePermissions: {
          RestartWorkspace: enabled(permissions.restartWorkspace, true),
          IncreaseVolumeSize: enabled(permissions.increaseVolumeSize, false),
          ChangeComputeType: enabled(permissions.changeComputeType, false),
          SwitchRunningMode: enabled(permissions.switchRunningMode, false),
          RebuildWorkspace: enabled(permissions.rebuildWorkspace, false),
        },
        WorkspaceCreationProperties: {
          DefaultOu: props.defaultOu,
          CustomSecurityGroupId: props.customSecurityGroup?.securityGroupId,
          EnableInternetAccess: props.enableInternetAccess ?? false,
          EnableMaintenanceMode: props.enableMaintenanceMode ?? true,
          UserEnabledAsLocalAdministrator: props.userEnabledAsLocalAdministrator ?? false,
          InstanceIamRoleArn: props.instanceRole?.roleArn,
        },
        IpGroupIds: ipGroupIds,
        WorkspaceAccessProperties: props.allowedDeviceTypes ? accessProperties(props.allowedDeviceTypes) : undefined,
        Tags: Lazy.any({ produce: () => this.renderTags() }),
      },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    // The id is known at synth time, so that the WorkSpaces of this directory keep a literal
    // id (and the per-app check of one WorkSpace per user per directory); they depend on this
    // construct instead, so they are created after the registration.
    this.directoryId = props.directoryId;
    this.directoryArn = directoryArnOf(this, props.directoryId);
  }

  private renderTags(): Array<{ Key: string; Value: string }> | undefined {
    const tags = this.tags.renderTags() as Array<{ Key: string; Value: string }> | undefined;
    return tags && tags.length > 0 ? tags : undefined;
  }

  /** The service's tag rules, and the keys cdk-workspaces reserves (as for a Workspace). */
  private validateTags(): string[] {
    const tags = this.renderTags() ?? [];
    return tagRuleErrors(tags, () => rules.checkTagCount('tags', tags.length, 0, 'a directory'));
  }

  private selectTwoSubnets(vpc: ec2.IVpc, selection: ec2.SubnetSelection | undefined): string[] {
    const subnets = vpc.selectSubnets(selection).subnets;
    const zones = subnets.map((s) => s.availabilityZone);
    // A subnet or zone of a VPC made in this app is a token until deployment: name the subnet by
    // its construct path instead, and say the zone is known only then.
    const shown = subnets.map((s) => {
      const id = Token.isUnresolved(s.subnetId) ? `the subnet ${s.node.path}` : s.subnetId;
      const zone = Token.isUnresolved(s.availabilityZone) ? 'an Availability Zone chosen at deployment' : s.availabilityZone;
      return `${id} (${zone})`;
    }).join(', ');
    const rule = 'WorkSpaces need exactly two subnets, in different Availability Zones; select them with vpcSubnets '
      + '(for example { subnetType: SubnetType.PRIVATE_WITH_EGRESS, availabilityZones: [two of them] })';
    if (subnets.length !== 2) {
      throw validationError(this, `Invalid vpcSubnets: it selects ${subnets.length} subnets${subnets.length > 0 ? ` (${shown})` : ''}: ${rule}`);
    }
    if (!zones.some((z) => Token.isUnresolved(z)) && zones[0] === zones[1]) {
      throw validationError(this, `Invalid vpcSubnets: both subnets (${shown}) are in ${zones[0]}: ${rule}`);
    }
    return subnets.map((s) => s.subnetId);
  }
}

function accessProperties(allowed: readonly DeviceType[]): Record<string, string> {
  const all = Object.values(DeviceType) as DeviceType[];
  return Object.fromEntries(all.map((type) => [type, allowed.includes(type) ? 'ALLOW' : 'DENY']));
}

function checkDirectoryId(scope: Construct, directoryId: string, path?: string): void {
  if (Token.isUnresolved(directoryId)) {
    return;
  }
  try {
    rules.checkDirectoryId('directoryId', directoryId);
  } catch (e) {
    throw e instanceof rules.InputError ? validationError(scope, e.message, path) : e;
  }
}

function directoryArnOf(scope: Construct, directoryId: string): string {
  return Stack.of(scope).formatArn({
    service: 'workspaces',
    resource: 'directory',
    resourceName: directoryId,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}
