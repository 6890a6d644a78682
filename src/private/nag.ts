import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * A cdk-nag finding to suppress, in the form cdk-nag reads from a resource's `cdk_nag`
 * metadata (the same form `NagSuppressions.addResourceSuppressions` writes), so that this
 * library needs no dependency on cdk-nag.
 */
interface NagSuppression {
  readonly id: string;
  readonly reason: string;
  /** Only these findings of the rule; a string is one finding, `{ regex: '/.../' }` a pattern. */
  readonly applies_to?: Array<string | { regex: string }>;
}

/** A region or account as cdk-nag renders it: a literal value, or the pseudo parameter. */
const REGION = '(?:[a-z0-9-]+|<AWS::Region>)';
const ACCOUNT = '(?:[0-9]{12}|<AWS::AccountId>)';

const LAMBDA_BASIC_EXECUTION_ROLE = 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

const LAMBDA_LOGS: NagSuppression = {
  id: 'AwsSolutions-IAM4',
  reason: 'AWSLambdaBasicExecutionRole only lets the function write its own logs to CloudWatch Logs',
  applies_to: [LAMBDA_BASIC_EXECUTION_ROLE],
};

/** What the resources of the WorkSpaces handlers are exempted from, and why. */
const HANDLER_SUPPRESSIONS: { [cfnType: string]: NagSuppression[] } = {
  'AWS::IAM::Role': [LAMBDA_LOGS],
  'AWS::IAM::Policy': [{
    id: 'AwsSolutions-IAM5',
    reason: 'workspaces:DescribeWorkspaces, DescribeTags, CreateTags and DeleteTags support no resource-level '
      + 'permissions ("*"); a WorkSpace\'s id is unknown before CreateWorkspaces makes it (workspace/*); '
      + 'Amazon\'s public bundles have no account in their ARN (workspacebundle in any account)',
    applies_to: [
      'Resource::*',
      { regex: `/^Resource::arn:<AWS::Partition>:workspaces:${REGION}:${ACCOUNT}:workspace\\/\\*$/` },
      { regex: `/^Resource::arn:<AWS::Partition>:workspaces:${REGION}:\\*:workspacebundle\\/wsb-[0-9a-z]+$/` },
    ],
  }],
};

/** What the resources that aws-cdk-lib's Provider framework creates are exempted from, and why. */
const FRAMEWORK_SUPPRESSIONS: { [cfnType: string]: NagSuppression[] } = {
  'AWS::IAM::Role': [LAMBDA_LOGS],
  'AWS::IAM::Policy': [{
    id: 'AwsSolutions-IAM5',
    reason: 'The Provider framework may invoke every version of the handlers it calls (function ARN:*), and '
      + 'CloudWatch Logs delivery for its waiter state machine supports no resource-level permissions ("*")',
    applies_to: [
      'Resource::*',
      { regex: '/^Resource::<[A-Za-z0-9]+\\.Arn>:\\*$/' },
    ],
  }],
  'AWS::Lambda::Function': [{
    id: 'AwsSolutions-L1',
    reason: 'The Provider framework of aws-cdk-lib chooses the runtime of its own functions and offers no '
      + 'option to change it',
  }],
  'AWS::StepFunctions::StateMachine': [
    {
      id: 'AwsSolutions-SF1',
      reason: 'The Provider framework\'s waiter logs errors only, without execution data: the execution data holds '
        + 'the CloudFormation ResponseURL, a presigned URL that must not be logged',
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
 * reviewed, each with its reason, so that an app that runs cdk-nag sees only its own findings.
 *
 * @param provider the whole provider: its handlers and the framework
 * @param framework the part that aws-cdk-lib's Provider framework creates
 */
export function addNagSuppressions(provider: IConstruct, framework: IConstruct): void {
  const frameworkResources = new Set(framework.node.findAll());
  for (const construct of provider.node.findAll()) {
    if (!CfnResource.isCfnResource(construct)) {
      continue;
    }
    const table = frameworkResources.has(construct) ? FRAMEWORK_SUPPRESSIONS : HANDLER_SUPPRESSIONS;
    const suppressions = table[construct.cfnResourceType];
    if (suppressions) {
      const existing = construct.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
      construct.addMetadata('cdk_nag', { rules_to_suppress: [...existing, ...suppressions] });
    }
  }
}
