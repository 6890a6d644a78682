import { ArnFormat, CustomResource, Duration, IResource, Resource, Stack, Token } from 'aws-cdk-lib';
import * as workspaces from 'aws-cdk-lib/aws-workspaces';
import { Construct } from 'constructs';
import { IWorkspacesDirectory } from './directory';
import { validationError } from './private/errors';
import { checkAliasId, checkConnectionString } from './private/network-rules';
import * as rules from './private/rules';
import { checkTimeout, serviceTimeoutOf } from './private/workspace-settings';
import { WorkspaceProvider } from './provider';

/** The custom resource type of an association (the handler routes on it). */
const ASSOCIATION_RESOURCE_TYPE = 'Custom::WorkspacesConnectionAliasAssociation';
/** An association takes seconds to a few minutes; this leaves room for a slow Region. */
const DEFAULT_ASSOCIATION_TIMEOUT = Duration.minutes(15);

/**
 * A connection alias of Amazon WorkSpaces (cross-Region redirection), declared in this app or imported.
 */
export interface IConnectionAlias extends IResource {
  /**
   * The alias's id, such as `wsca-12345678`.
   *
   * @attribute
   */
  readonly aliasId: string;

  /**
   * The alias's ARN (`arn:aws:workspaces:region:account:connectionalias/wsca-...`).
   *
   * @attribute
   */
  readonly aliasArn: string;
}

/**
 * Properties of a `ConnectionAlias`.
 */
export interface ConnectionAliasProps {
  /**
   * The fully qualified domain name that users enter as their registration code, such as
   * `desktop.example.com`. For cross-Region redirection, give the same connection string to an
   * alias in each Region. Changing it replaces the alias (and its association).
   */
  readonly connectionString: string;
}

/**
 * Options of an association of a connection alias with a directory.
 */
export interface ConnectionAliasAssociationOptions {
  /**
   * How long the association may take before the deployment fails, naming the alias, the
   * directory and the association's last status.
   *
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration;
}

/**
 * Properties of a `ConnectionAliasAssociation`.
 */
export interface ConnectionAliasAssociationProps extends ConnectionAliasAssociationOptions {
  /** The alias to associate. */
  readonly alias: IConnectionAlias;

  /** The directory to associate it with, in the alias's Region. */
  readonly directory: IWorkspacesDirectory;
}

/**
 * A connection alias (CloudFormation's `AWS::WorkSpaces::ConnectionAlias`): a fully qualified
 * domain name that users register their WorkSpaces client with, so that DNS decides which
 * Region's WorkSpaces they reach (cross-Region redirection).
 *
 * An alias lives in one Region and is associated with one directory of that Region
 * (`associate()`). Redirection across Regions uses an alias in each Region with the same
 * connection string, each associated with the directory of its Region, and a DNS record (such
 * as a Route 53 failover record) that names the association to use.
 */
export class ConnectionAlias extends Resource implements IConnectionAlias {
  /**
   * An alias made elsewhere (the console, another stack), by its id. It can be associated
   * with a directory of this app through a `ConnectionAliasAssociation`.
   *
   * @param scope the scope of the imported alias
   * @param id its construct id
   * @param aliasId the alias's id, such as `wsca-12345678`
   */
  public static fromAliasId(scope: Construct, id: string, aliasId: string): IConnectionAlias {
    checked(scope, () => !Token.isUnresolved(aliasId) && checkAliasId('aliasId', aliasId), scope.node.path ? `${scope.node.path}/${id}` : id);
    class Import extends Resource implements IConnectionAlias {
      public readonly aliasId = aliasId;
      public readonly aliasArn = aliasArnOf(scope, aliasId);
    }
    return new Import(scope, id);
  }

  public readonly aliasId: string;
  public readonly aliasArn: string;

  /** The fully qualified domain name users register with. */
  public readonly connectionString: string;

  private association?: ConnectionAliasAssociation;

  constructor(scope: Construct, id: string, props: ConnectionAliasProps) {
    super(scope, id);
    checked(this, () => !Token.isUnresolved(props.connectionString) && checkConnectionString('connectionString', props.connectionString));
    this.connectionString = props.connectionString;
    const resource = new workspaces.CfnConnectionAlias(this, 'Resource', { connectionString: props.connectionString });
    this.aliasId = resource.attrAliasId;
    this.aliasArn = aliasArnOf(this, resource.attrAliasId);
  }

  /**
   * Associate this alias with a directory of its Region, so that users who register with the
   * connection string reach that directory's WorkSpaces when DNS points at this association.
   * An alias has one association: a directory of another Region needs its own alias there
   * (with the same connection string).
   *
   * @param directory the directory, in this alias's Region
   * @param options how long the association may take
   */
  public associate(directory: IWorkspacesDirectory, options: ConnectionAliasAssociationOptions = {}): ConnectionAliasAssociation {
    if (this.association) {
      throw validationError(this, `Invalid associate(${directory.node.path}): this alias is associated with `
        + `${this.association.directory.node.path} already; an alias is associated with one directory at a time. For another `
        + 'Region, declare a ConnectionAlias with the same connectionString in a stack of that Region and associate that one');
    }
    this.association = new ConnectionAliasAssociation(this, 'Association', { ...options, alias: this, directory });
    return this.association;
  }
}

/**
 * The association of a connection alias with a directory of its Region
 * (`Custom::WorkspacesConnectionAliasAssociation`, served by the stack's provider):
 * AssociateConnectionAlias, which CloudFormation's alias resource does not make.
 *
 * The deployment waits until the association is ASSOCIATED. Its Delete disassociates only an
 * association that this resource made: one that existed when it was created is adopted and left as it is.
 */
export class ConnectionAliasAssociation extends Construct {
  /**
   * The association's connection identifier, which DNS records for cross-Region redirection
   * name (the Administration Guide's "Cross-Region redirection"): such as `abcdef1234`.
   *
   * @attribute
   */
  public readonly connectionIdentifier: string;

  /** The associated alias. */
  public readonly alias: IConnectionAlias;

  /** The directory the alias is associated with. */
  public readonly directory: IWorkspacesDirectory;

  constructor(scope: Construct, id: string, props: ConnectionAliasAssociationProps) {
    super(scope, id);
    this.alias = props.alias;
    this.directory = props.directory;
    const aliasRegion = Stack.of(props.alias).region;
    const directoryRegion = Stack.of(props.directory).region;
    if (!Token.isUnresolved(aliasRegion) && !Token.isUnresolved(directoryRegion) && aliasRegion !== directoryRegion) {
      throw validationError(this, `Invalid directory ${props.directory.node.path}: it is in ${directoryRegion}, the alias in `
        + `${aliasRegion}; an alias is associated only with a directory of its own Region. For cross-Region redirection, declare `
        + `a ConnectionAlias with the same connectionString in a stack of ${directoryRegion} and associate that one with it`);
    }
    checked(this, () => !Token.isUnresolved(props.directory.directoryId) && rules.checkDirectoryId('directory.directoryId', props.directory.directoryId));
    const timeout = props.timeout ?? DEFAULT_ASSOCIATION_TIMEOUT;
    checked(this, () => checkTimeout(timeout));

    const provider = WorkspaceProvider.getOrCreate(this);
    provider.allowConnectionAliasAssociation(props.alias.aliasArn, props.directory.directoryArn);
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: ASSOCIATION_RESOURCE_TYPE,
      // CloudFormation's own deadline, after the handler's: so that the handler fails first.
      serviceTimeout: serviceTimeoutOf(timeout),
      properties: {
        AliasId: props.alias.aliasId,
        ResourceId: props.directory.directoryId,
        TimeoutSeconds: timeout.toSeconds(),
      },
    });
    // The directory's id is a literal, which makes no dependency: the association must wait for
    // a registration declared in the app (and go before it on deletion).
    resource.node.addDependency(props.directory);
    this.connectionIdentifier = resource.getAttString('ConnectionIdentifier');
  }
}

function aliasArnOf(scope: Construct, aliasId: string): string {
  return Stack.of(scope).formatArn({
    service: 'workspaces',
    resource: 'connectionalias',
    resourceName: aliasId,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

function checked(scope: Construct, check: () => unknown, path?: string): void {
  try {
    check();
  } catch (e) {
    throw e instanceof rules.InputError ? validationError(scope, e.message, path) : e;
  }
}
