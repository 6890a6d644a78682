import { ArnFormat, CfnResource, IResource, Names, Resource, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { validationError } from './private/errors';
import { checkIpGroupId, MAX_IP_RULES, parseCidr } from './private/network-rules';
import { InputError } from './private/rules';

/**
 * An IP access control group: the public IP ranges that users may connect to their WorkSpaces
 * from, declared in this app or imported.
 */
export interface IIpAccessControlGroup extends IResource {
  /**
   * The group's id, such as `wsipg-12345678`.
   *
   * @attribute
   */
  readonly groupId: string;

  /**
   * The group's ARN (`arn:aws:workspaces:region:account:workspaceipgroup/wsipg-...`).
   *
   * @attribute
   */
  readonly groupArn: string;
}

/**
 * One rule of an IP access control group: a range of public IPv4 addresses that users may connect from.
 */
export class IpRule {
  /**
   * Users may connect from this IPv4 range.
   *
   * @param cidr the range in CIDR notation, such as `203.0.113.0/24` (one address: `203.0.113.7/32`)
   * @param description what the range is, such as `office`
   */
  public static cidr(cidr: string, description?: string): IpRule {
    return new IpRule(cidr, description);
  }

  /** The range in CIDR notation (named apart from the static `cidr()`, which jsii requires). */
  public readonly cidrRange: string;

  /** What the range is, when given. */
  public readonly description?: string;

  private constructor(cidr: string, description?: string) {
    this.cidrRange = cidr;
    this.description = description;
  }
}

/**
 * Properties of an `IpAccessControlGroup`.
 */
export interface IpAccessControlGroupProps {
  /**
   * The IPv4 ranges users may connect from. A directory associated with the group accepts
   * connections from these ranges only (and from those of its other groups).
   *
   * At most 10 rules (the service's quota per group), none twice.
   */
  readonly rules: IpRule[];

  /**
   * The group's name. Changing it replaces the group.
   *
   * @default - a name made from the construct's path
   */
  readonly groupName?: string;

  /**
   * What the group is for.
   *
   * @default - none
   */
  readonly description?: string;
}

/**
 * An IP access control group (CloudFormation's `AWS::WorkSpaces::WorkspaceIpGroup`): the public
 * IPv4 ranges that users may connect to their WorkSpaces from. Associate it with a directory
 * through `WorkspacesDirectory`'s `ipGroups`.
 *
 * A directory without a group accepts connections from anywhere (the service's default group).
 */
export class IpAccessControlGroup extends Resource implements IIpAccessControlGroup {
  /**
   * The most rules a group holds: the service's quota per group.
   */
  public static readonly MAX_RULES = MAX_IP_RULES;

  /**
   * A group made elsewhere (the console, another stack), by its id.
   *
   * @param scope the scope of the imported group
   * @param id its construct id
   * @param groupId the group's id, such as `wsipg-12345678`
   */
  public static fromGroupId(scope: Construct, id: string, groupId: string): IIpAccessControlGroup {
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    if (!Token.isUnresolved(groupId)) {
      try {
        checkIpGroupId('groupId', groupId);
      } catch (e) {
        throw e instanceof InputError ? validationError(scope, e.message, path) : e;
      }
    }
    class Import extends Resource implements IIpAccessControlGroup {
      public readonly groupId = groupId;
      public readonly groupArn = Stack.of(scope).formatArn({
        service: 'workspaces',
        resource: 'workspaceipgroup',
        resourceName: groupId,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    }
    return new Import(scope, id);
  }

  public readonly groupId: string;
  public readonly groupArn: string;

  /** The group's rules, as declared. */
  public readonly rules: IpRule[];

  constructor(scope: Construct, id: string, props: IpAccessControlGroupProps) {
    super(scope, id);
    this.rules = [...props.rules];
    this.checkRules(this.rules);
    // CloudFormation's own resource, written through the generic L1: aws-cdk-lib has the typed
    // CfnWorkspaceIpGroup only in releases above the library's floor (and above what Maven Central
    // and the Go module proxy serve), and the template is the same either way.
    const resource = new CfnResource(this, 'Resource', {
      type: 'AWS::WorkSpaces::WorkspaceIpGroup',
      properties: {
        GroupName: props.groupName ?? Names.uniqueResourceName(this, { maxLength: 64 }),
        GroupDesc: props.description,
        UserRules: this.rules.map((rule) => ({ IpRule: rule.cidrRange, RuleDesc: rule.description })),
      },
    });
    this.groupId = resource.getAtt('GroupId').toString();
    this.groupArn = resource.getAtt('Arn').toString();
  }

  private checkRules(rules: readonly IpRule[]): void {
    if (rules.length > MAX_IP_RULES) {
      throw validationError(this, `Invalid rules: ${rules.length} rules (${rules.map((r) => r.cidrRange).join(', ')}); `
        + `a group holds at most ${MAX_IP_RULES} (the service's quota): split them over several groups `
        + '(a directory takes up to 25)');
    }
    const seen = new Map<string, number>();
    rules.forEach((rule, index) => {
      if (Token.isUnresolved(rule.cidrRange)) {
        return;
      }
      let key: string;
      try {
        const cidr = parseCidr(`rules[${index}]`, rule.cidrRange);
        key = `${cidr.network}/${cidr.prefixLength}`;
      } catch (e) {
        throw e instanceof InputError ? validationError(this, `${e.message} (rule ${describeRule(rule)})`) : e;
      }
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        throw validationError(this, `Invalid rules[${index}] ${JSON.stringify(rule.cidrRange)}: the range ${key} is given twice `
          + `(rules[${earlier}] ${describeRule(rules[earlier])} and rules[${index}] ${describeRule(rule)}); give each range once`);
      }
      seen.set(key, index);
    });
  }
}

function describeRule(rule: IpRule): string {
  return rule.description === undefined ? JSON.stringify(rule.cidrRange) : `${JSON.stringify(rule.cidrRange)} "${rule.description}"`;
}
