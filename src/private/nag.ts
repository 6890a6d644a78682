import * as cdk from 'aws-cdk-lib';
import { AspectPriority, Aspects, CfnResource, IAspect, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';

/** The part of aws-cdk-lib's `Validations` (2.257.0 and later) that records an acknowledgement. */
interface ValidationsApi {
  readonly ACKNOWLEDGED_RULES_METADATA_KEY: string;
  of(scope: IConstruct): { acknowledge(...rules: Array<{ id: string; reason: string }>): void };
}

/**
 * aws-cdk-lib's `Validations`, which cdk-nag 3 reads acknowledgements from, or undefined in a
 * release before it (the floor is older: see .projenrc.ts). cdk-nag 3 itself needs a release
 * that has it, so where it is missing there is no cdk-nag 3 to acknowledge anything for.
 */
const VALIDATIONS = (cdk as unknown as { Validations?: ValidationsApi }).Validations;

/**
 * A cdk-nag finding to suppress, in the form cdk-nag 2 reads from a resource's `cdk_nag`
 * metadata (the same form `NagSuppressions.addResourceSuppressions` writes), so that this
 * library needs no dependency on cdk-nag. The same table drives the acknowledgements that
 * cdk-nag 3 reads.
 */
interface NagSuppression {
  readonly id: string;
  readonly reason: string;
  /** Only these findings of the rule; a string is one finding, `{ regex: '/.../' }` a pattern. */
  readonly applies_to?: Array<string | { regex: string }>;
  /** Only on a resource of which this is true: the rule's finding there, for a rule whose finding names nothing. */
  readonly when?: (resource: CfnResource) => boolean;
}

const LAMBDA_BASIC_EXECUTION_ROLE = 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

const LAMBDA_LOGS: NagSuppression = {
  id: 'AwsSolutions-IAM4',
  reason: 'AWSLambdaBasicExecutionRole only lets the function write its own logs to CloudWatch Logs',
  applies_to: [LAMBDA_BASIC_EXECUTION_ROLE],
};

const LAMBDA_VPC: NagSuppression = {
  id: 'AwsSolutions-IAM4',
  reason: 'AWSLambdaVPCAccessExecutionRole only lets a function in a VPC (WorkspaceProvider.configure with vpc) create, '
    + 'describe and delete its own network interfaces, as Lambda needs',
  applies_to: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole'],
};

/** What the roles of the WorkSpaces handlers are exempted from, and why; their policies' wildcards are justified one statement at a time. */
const HANDLER_SUPPRESSIONS: { [cfnType: string]: NagSuppression[] } = {
  'AWS::IAM::Role': [LAMBDA_LOGS, LAMBDA_VPC],
};

/** A statement the provider adds to a handler's role, with why its resources need a wildcard. */
export interface JustifiedStatement {
  readonly statement: iam.PolicyStatement;
  readonly reason: string;
  /** The roles the statement was added to. */
  readonly roles: readonly iam.IRole[];
}

const nodeMajor = (runtime: unknown) => Number(/^nodejs(\d+)\.x$/.exec(String(runtime))?.[1] ?? NaN);

/**
 * A function on an older Node.js runtime than the newest that the app's aws-cdk-lib names, as
 * cdk-nag's AwsSolutions-L1 finds it (the handlers' own runtime is among those names).
 */
function olderThanNewestNodeRuntime(resource: CfnResource): boolean {
  const major = nodeMajor(Stack.of(resource).resolve((resource as lambda.CfnFunction).runtime));
  const newest = Math.max(...lambda.Runtime.ALL.map((r) => nodeMajor(r.name)).filter((m) => !Number.isNaN(m)));
  return major < newest;
}

/**
 * What the resources that aws-cdk-lib's Provider framework creates are exempted from, and why.
 * Each entry is a finding that the framework of an aws-cdk-lib from the floor on produces
 * (test/nag.test.ts proves, at the floor and at the newest, that none is left unused).
 */
const FRAMEWORK_SUPPRESSIONS: { [cfnType: string]: NagSuppression[] } = {
  // The floor is the first aws-cdk-lib whose framework runs on no deprecated runtime in any region.
  'AWS::Lambda::Function': [{
    id: 'AwsSolutions-L1',
    reason: 'aws-cdk-lib\'s Provider framework sets the runtime of its own functions by region: nodejs22.x in the '
      + 'releases from 2.240.0 (the floor of cdk-workspaces) to 2.258, which Lambda supports until 30 April 2027; '
      + '2.259.0 and later run them on the newest Node.js runtime, as the cdk-workspaces handlers always are',
    when: olderThanNewestNodeRuntime,
  }],
  'AWS::IAM::Role': [LAMBDA_LOGS, LAMBDA_VPC],
  'AWS::IAM::Policy': [{
    id: 'AwsSolutions-IAM5',
    reason: 'The Provider framework may invoke every version of the handlers it calls (function ARN:*)',
    applies_to: [
      { regex: '/^Resource::<[A-Za-z0-9]+\\.Arn>:\\*$/' },
    ],
  }],
  'AWS::StepFunctions::StateMachine': [
    {
      id: 'AwsSolutions-SF1',
      reason: 'The Provider framework\'s waiter does not log: the provider turns its logging off, because its '
        + 'execution data holds the CloudFormation ResponseURL, a presigned URL that must not be logged',
    },
    {
      id: 'AwsSolutions-SF2',
      reason: 'The Provider framework\'s waiter only calls the isComplete handler on a schedule; X-Ray traces of it '
        + 'would add cost and no information',
    },
  ],
};

/**
 * Mark the findings that cdk-nag's AwsSolutions pack reports on the provider's own resources as
 * reviewed, each with its reason, so that an app that runs cdk-nag sees only its own findings:
 * as `cdk_nag` metadata for cdk-nag 2 (an aspect), and as `Validations.of().acknowledge()` for
 * cdk-nag 3 (a policy validation plugin, which reads nothing else).
 *
 * Both are worked out once the tree is complete, in an aspect that runs before cdk-nag 2's
 * (mutating aspects come first) and before synthesis, and so before any validation plugin: the
 * policies' resources are final only then (each Workspace adds its directory and bundle), and
 * cdk-nag 3 acknowledges each finding by its exact id, without patterns. A resource carries only
 * the suppressions that match one of its findings, so none of them speaks of what is not there.
 *
 * @param provider the whole provider: its handlers and the framework
 * @param framework the part that aws-cdk-lib's Provider framework creates
 */
export function addNagSuppressions(provider: IConstruct, framework: IConstruct, justified: () => readonly JustifiedStatement[]): void {
  Aspects.of(provider).add(new NagSuppressionsAspect(provider, framework, justified), { priority: AspectPriority.MUTATING });
}

class NagSuppressionsAspect implements IAspect {
  constructor(
    private readonly provider: IConstruct,
    private readonly framework: IConstruct,
    private readonly justified: () => readonly JustifiedStatement[],
  ) {}

  public visit(node: IConstruct): void {
    if (node !== this.provider) {
      return;
    }
    const frameworkResources = new Set(this.framework.node.findAll());
    for (const construct of this.provider.node.findAll()) {
      if (!CfnResource.isCfnResource(construct)) {
        continue;
      }
      const inFramework = frameworkResources.has(construct);
      const table = inFramework ? FRAMEWORK_SUPPRESSIONS : HANDLER_SUPPRESSIONS;
      const generated = !inFramework && construct instanceof iam.CfnPolicy ? wildcardAcknowledgements(construct, this.justified()) : [];
      suppress(construct, [...table[construct.cfnResourceType] ?? [], ...generated]);
    }
  }
}

/**
 * One IAM5 acknowledgement for each wildcard finding of a handler policy that the provider's
 * statements justify, with their reasons. Whatever the policy document holds (aws-cdk-lib may
 * merge statements), a finding is acknowledged only when each action granted on the wildcard
 * resource comes from a statement with a reason, under the same conditions: a statement added
 * without one (by a later change of this library, or by the app on the provider's roles) stays
 * a finding that cdk-nag reports.
 */
function wildcardAcknowledgements(policy: iam.CfnPolicy, justified: readonly JustifiedStatement[]): NagSuppression[] {
  const stack = Stack.of(policy);
  const reasons = new Map<string, string[]>();
  // The policy's role: the policy is its DefaultPolicy's resource.
  const role = policy.node.scope?.node.scope;
  for (const { statement, reason } of justified.filter((j) => j.roles.some((r) => r === role))) {
    for (const grant of grantsOf(stack.resolve(statement.toStatementJson()))) {
      reasons.set(grant, [...reasons.get(grant) ?? [], reason]);
    }
  }
  const byFinding = new Map<string, { reasons: Set<string>; unjustified: boolean }>();
  const document = stack.resolve(policy.policyDocument) as { Statement?: unknown } | undefined;
  for (const statement of asArray(document?.Statement)) {
    const s = statement as { Effect?: string; Action?: unknown; Resource?: unknown; Condition?: unknown };
    if (s.Effect !== 'Allow') {
      continue;
    }
    for (const resource of asArray(s.Resource).map(render)) {
      if (resource === undefined || !resource.includes('*')) {
        continue;
      }
      const finding = byFinding.get(`Resource::${resource}`) ?? { reasons: new Set<string>(), unjustified: false };
      byFinding.set(`Resource::${resource}`, finding);
      for (const action of asArray(s.Action)) {
        const why = reasons.get(grantKey(action, resource, s.Condition));
        if (why === undefined) {
          finding.unjustified = true;
        } else {
          why.forEach((r) => finding.reasons.add(r));
        }
      }
    }
  }
  return [...byFinding]
    .filter(([, f]) => !f.unjustified && f.reasons.size > 0)
    .map(([finding, f]) => ({ id: 'AwsSolutions-IAM5', reason: [...f.reasons].join('. '), applies_to: [finding] }));
}

/** Each (action, resource, conditions) that a resolved statement allows, as a key. */
function grantsOf(statement: { Effect?: string; Action?: unknown; Resource?: unknown; Condition?: unknown }): string[] {
  if (statement.Effect !== 'Allow') {
    return [];
  }
  const resources = asArray(statement.Resource).map(render).filter((r): r is string => r !== undefined);
  return asArray(statement.Action).flatMap((action) => resources.map((resource) => grantKey(action, resource, statement.Condition)));
}

function grantKey(action: unknown, resource: string, condition: unknown): string {
  return JSON.stringify([action, resource, condition ?? null]);
}

function suppress(resource: CfnResource, suppressions: NagSuppression[]): void {
  const findings = findingsOf(resource);
  const forNag2: NagSuppression[] = [];
  const forNag3 = new Map<string, string>();
  for (const { when, ...suppression } of suppressions) {
    if (when && !when(resource)) {
      continue;
    }
    if (!suppression.applies_to) {
      forNag2.push(suppression);
      forNag3.set(suppression.id, suppression.reason);
      continue;
    }
    const appliesTo = suppression.applies_to.filter((pattern) => findings.some((finding) => matches(pattern, finding)));
    if (appliesTo.length > 0) {
      forNag2.push({ ...suppression, applies_to: appliesTo });
    }
    for (const finding of findings.filter((f) => appliesTo.some((pattern) => matches(pattern, f)))) {
      forNag3.set(`${suppression.id}[${finding}]`, suppression.reason);
    }
  }
  if (forNag2.length > 0) {
    const existing = resource.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
    resource.addMetadata('cdk_nag', { rules_to_suppress: [...existing, ...forNag2] });
  }
  for (const [id, reason] of forNag3) {
    acknowledge(resource, id, reason);
  }
}

/**
 * `Validations.of(resource).acknowledge()`, which is what cdk-nag 3 reads, where aws-cdk-lib has
 * it. The first releases with it (2.257.0, the lowest that cdk-nag 3 accepts, to 2.264.0; 2.270.0
 * no longer) reject a finding id with more than one `::`, as IAM finding ids have
 * (`AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:...]`). There the acknowledgement is recorded
 * as later releases record it, under the same metadata key and the `Annotation::` prefix that
 * cdk-nag 3 strips.
 */
function acknowledge(resource: CfnResource, id: string, reason: string): void {
  if (!VALIDATIONS) {
    return;
  }
  try {
    VALIDATIONS.of(resource).acknowledge({ id, reason });
  } catch (e) {
    if (!/InvalidValidationId|Invalid validation rule ID/.test(`${(e as Error).name} ${(e as Error).message}`)) {
      throw e;
    }
    resource.node.addMetadata(VALIDATIONS.ACKNOWLEDGED_RULES_METADATA_KEY, { [`Annotation::${id}`]: reason });
  }
}

/** The findings that cdk-nag's IAM rules can name on a role (`Policy::`) or policy (`Action::`, `Resource::`). */
function findingsOf(resource: CfnResource): string[] {
  const stack = Stack.of(resource);
  const findings: string[] = [];
  if (resource instanceof iam.CfnRole) {
    for (const arn of asArray(stack.resolve(resource.managedPolicyArns))) {
      pushRendered(findings, 'Policy::', arn);
    }
  }
  if (resource instanceof iam.CfnPolicy) {
    const document = stack.resolve(resource.policyDocument) as { Statement?: unknown } | undefined;
    for (const statement of asArray(document?.Statement)) {
      const s = statement as { Action?: unknown; Resource?: unknown };
      asArray(s.Action).forEach((action) => pushRendered(findings, 'Action::', action));
      asArray(s.Resource).forEach((arn) => pushRendered(findings, 'Resource::', arn));
    }
  }
  return findings;
}

function pushRendered(findings: string[], prefix: string, value: unknown): void {
  const rendered = render(value);
  if (rendered !== undefined && !findings.includes(prefix + rendered)) {
    findings.push(prefix + rendered);
  }
}

/** A CloudFormation value as cdk-nag writes it in a finding: `<Ref>`, `<LogicalId.Attribute>`, joins flattened. */
function render(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const v = value as { 'Ref'?: unknown; 'Fn::GetAtt'?: unknown; 'Fn::Join'?: unknown };
  if (typeof v.Ref === 'string') {
    return `<${v.Ref}>`;
  }
  if (Array.isArray(v['Fn::GetAtt']) && v['Fn::GetAtt'].length === 2) {
    return `<${v['Fn::GetAtt'][0]}.${v['Fn::GetAtt'][1]}>`;
  }
  if (Array.isArray(v['Fn::Join']) && v['Fn::Join'].length === 2 && Array.isArray(v['Fn::Join'][1])) {
    const parts = v['Fn::Join'][1].map(render);
    return parts.every((p) => p !== undefined) ? parts.join(String(v['Fn::Join'][0])) : undefined;
  }
  return undefined;
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

function matches(pattern: string | { regex: string }, finding: string): boolean {
  if (typeof pattern === 'string') {
    return pattern === finding;
  }
  return new RegExp(pattern.regex.replace(/^\/(.*)\/$/, '$1')).test(finding);
}
