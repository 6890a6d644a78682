import { IResource, Lazy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { providerRoles } from './private/provider-roles';

/**
 * An Amazon WorkSpace, declared in this app or imported.
 */
export interface IWorkspace extends IResource {
  /**
   * The WorkSpace's id, such as `ws-abcd12345`.
   *
   * @attribute
   */
  readonly workspaceId: string;

  /**
   * The WorkSpace's ARN.
   *
   * @attribute
   */
  readonly workspaceArn: string;

  /**
   * Grant the given WorkSpaces actions on this WorkSpace, and on nothing else.
   *
   * Only actions that support the `workspaceid` resource type take effect when scoped to an
   * ARN, so the actions that need `*` (`workspaces:DescribeWorkspaces`, `workspaces:DescribeTags`,
   * `workspaces:CreateTags`, `workspaces:DeleteTags`) are refused rather than granted to no effect.
   *
   * @param grantee the principal to grant the actions to
   * @param actions the IAM actions, such as `workspaces:ModifyWorkspaceState`
   */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /**
   * Grant starting and stopping this WorkSpace.
   *
   * Grants `workspaces:StartWorkspaces` and `workspaces:StopWorkspaces` on this WorkSpace's ARN.
   * The service only starts and stops WorkSpaces in the AUTO_STOP and MANUAL running modes.
   *
   * @param grantee the principal to grant the actions to
   */
  grantStartStop(grantee: iam.IGrantable): iam.Grant;

  /**
   * Grant rebooting this WorkSpace.
   *
   * Grants `workspaces:RebootWorkspaces` on this WorkSpace's ARN.
   *
   * @param grantee the principal to grant the action to
   */
  grantReboot(grantee: iam.IGrantable): iam.Grant;

  /**
   * Grant rebuilding this WorkSpace.
   *
   * Grants `workspaces:RebuildWorkspaces` on this WorkSpace's ARN. A rebuild restores the root
   * volume from the bundle's image and the user volume from its latest snapshot: data written
   * since that snapshot is lost.
   *
   * @param grantee the principal to grant the action to
   */
  grantRebuild(grantee: iam.IGrantable): iam.Grant;

  /**
   * A metric that Amazon WorkSpaces publishes for this WorkSpace.
   *
   * Namespace `AWS/WorkSpaces`, dimension `WorkspaceId`.
   *
   * Without `props`: the Average over 5 minutes.
   *
   * @param metricName the metric's name, such as `Unhealthy`
   * @param props overrides, such as the statistic or the period
   */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Whether the WorkSpace reported a healthy status (1) or not (0).
   *
   * Unit: Count. By default the maximum over 5 minutes: 1 when the WorkSpace was healthy at any time in the period.
   *
   * @param props overrides, such as the statistic or the period
   */
  metricAvailable(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Whether the WorkSpace reported an unhealthy status (1) or not (0).
   *
   * Unit: Count. By default the maximum over 5 minutes: 1 when the WorkSpace was unhealthy at any time in the period.
   *
   * @param props overrides, such as the statistic or the period
   */
  metricUnhealthy(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * The number of connection attempts to the WorkSpace.
   *
   * Unit: Count. By default the sum over 5 minutes.
   *
   * @param props overrides, such as the statistic or the period
   */
  metricConnectionAttempt(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * The number of successful connections to the WorkSpace.
   *
   * Unit: Count. By default the sum over 5 minutes.
   *
   * @param props overrides, such as the statistic or the period
   */
  metricConnectionSuccess(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * The number of failed connections to the WorkSpace.
   *
   * Unit: Count. By default the sum over 5 minutes.
   *
   * @param props overrides, such as the statistic or the period
   */
  metricConnectionFailure(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * How long it takes to start a session on the WorkSpace.
   *
   * Unit: Seconds. By default the average over 5 minutes.
   *
   * @param props overrides, such as the statistic or the period
   */
  metricSessionLaunchTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * The round-trip time between the WorkSpaces client and the WorkSpace.
   *
   * Unit: Milliseconds. By default the average over 5 minutes.
   *
   * @param props overrides, such as the statistic or the period
   */
  metricInSessionLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * The number of sessions on the WorkSpace that the user or the service ended.
   *
   * Unit: Count. By default the sum over 5 minutes.
   *
   * @param props overrides, such as the statistic or the period
   */
  metricSessionDisconnect(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Whether a user was connected to the WorkSpace (1) or not (0).
   *
   * Unit: Count. By default the maximum over 5 minutes: 1 when a user was connected at any time in the period.
   *
   * @param props overrides, such as the statistic or the period
   */
  metricUserConnected(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Whether the WorkSpace was stopped (1) or not (0).
   *
   * Unit: Count. By default the maximum over 5 minutes: 1 when the WorkSpace was stopped at any time in the period.
   *
   * @param props overrides, such as the statistic or the period
   */
  metricStopped(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Whether the WorkSpace was under maintenance (1) or not (0).
   *
   * Unit: Count. By default the maximum over 5 minutes: 1 when the WorkSpace was under maintenance at any time in the period.
   *
   * @param props overrides, such as the statistic or the period
   */
  metricMaintenance(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * An EventBridge rule for the `WorkSpaces Access` events of this WorkSpace.
   *
   * WorkSpaces clients send one when a user logs in to the WorkSpace successfully (source
   * `aws.workspaces`); the event's detail has the client's IP address, platform and version.
   * The service sends them on a best-effort basis.
   *
   * @param id the rule's construct id
   * @param options the rule's target, name, description and further event pattern
   */
  onAccess(id: string, options?: events.OnEventOptions): events.Rule;

  /**
   * An EventBridge rule for the WorkSpaces API calls that name this WorkSpace, as recorded by
   * CloudTrail (`AWS API Call via CloudTrail`, event source `workspaces.amazonaws.com`).
   *
   * Matches calls whose request names the WorkSpace: by `workspaceId` (such as
   * ModifyWorkspaceProperties), by `resourceId` (CreateTags, DeleteTags), or in the list of
   * requests of StartWorkspaces, StopWorkspaces, RebootWorkspaces, RebuildWorkspaces and
   * TerminateWorkspaces.
   *
   * EventBridge only receives these events when a CloudTrail trail logs the account's
   * management events in this region.
   *
   * @param id the rule's construct id
   * @param options the rule's target, name, description and further event pattern
   */
  onCloudTrailEvent(id: string, options?: events.OnEventOptions): events.Rule;

  /**
   * An EventBridge rule for changes to this WorkSpace that this library did not make: the
   * WorkSpaces API calls that name this WorkSpace (as `onCloudTrailEvent` matches them), are not
   * read-only (their name does not start with `Describe`), and were not made by the roles of
   * this stack's `WorkspaceProvider` (CloudTrail's `userIdentity.sessionContext.sessionIssuer.arn`,
   * which no other caller can claim, unlike a user agent). A compute type changed in the
   * console, a tag added with the AWS CLI or a WorkSpace stopped by a script all match; the
   * stack's own deployments do not. In a stack without a provider (only imported WorkSpaces),
   * every change matches.
   *
   * CloudFormation reports no drift for custom resources; this rule tells you when it happens.
   * `cdk-workspaces drift` shows what differs.
   *
   * EventBridge only receives these events when a CloudTrail trail logs the account's
   * management events in this region.
   *
   * @param id the rule's construct id
   * @param options the rule's target, name, description and further event pattern
   */
  onOutOfBandChange(id: string, options?: events.OnEventOptions): events.Rule;
}

/** The namespace of the metrics that WorkSpaces publishes. */
const METRIC_NAMESPACE = 'AWS/WorkSpaces';

/**
 * WorkSpaces actions that do not support resource-level permissions: scoped to a WorkSpace's
 * ARN they would allow nothing (Service Authorization Reference for Amazon WorkSpaces).
 */
const ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS = new Set([
  'workspaces:describeworkspaces',
  'workspaces:describetags',
  'workspaces:createtags',
  'workspaces:deletetags',
]);

/**
 * The request fields through which the WorkSpaces API names a WorkSpace, as CloudTrail
 * records them in `requestParameters`.
 */
const REQUEST_LISTS_NAMING_A_WORKSPACE = [
  'startWorkspaceRequests',
  'stopWorkspaceRequests',
  'rebootWorkspaceRequests',
  'rebuildWorkspaceRequests',
  'terminateWorkspaceRequests',
];

/**
 * What a declared and an imported WorkSpace have in common.
 */
export abstract class WorkspaceBase extends Resource implements IWorkspace {
  public abstract readonly workspaceId: string;
  public abstract readonly workspaceArn: string;

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    const refused = actions.filter((a) => !Token.isUnresolved(a) && ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS.has(a.toLowerCase()));
    if (refused.length > 0) {
      throw new Error(`Invalid actions for grant(): ${refused.join(', ')} cannot be scoped to a WorkSpace's ARN `
        + '(the action does not support resource-level permissions); grant it on "*" with iam.Grant.addToPrincipal instead');
    }
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.workspaceArn] });
  }

  public grantStartStop(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, 'workspaces:StartWorkspaces', 'workspaces:StopWorkspaces');
  }

  public grantReboot(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, 'workspaces:RebootWorkspaces');
  }

  public grantRebuild(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, 'workspaces:RebuildWorkspaces');
  }

  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { WorkspaceId: this.workspaceId },
      ...props,
    }).attachTo(this);
  }

  public metricAvailable(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Available', { statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  public metricUnhealthy(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Unhealthy', { statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  public metricConnectionAttempt(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ConnectionAttempt', { statistic: cloudwatch.Stats.SUM, ...props });
  }

  public metricConnectionSuccess(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ConnectionSuccess', { statistic: cloudwatch.Stats.SUM, ...props });
  }

  public metricConnectionFailure(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ConnectionFailure', { statistic: cloudwatch.Stats.SUM, ...props });
  }

  public metricSessionLaunchTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('SessionLaunchTime', { statistic: cloudwatch.Stats.AVERAGE, ...props });
  }

  public metricInSessionLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('InSessionLatency', { statistic: cloudwatch.Stats.AVERAGE, ...props });
  }

  public metricSessionDisconnect(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('SessionDisconnect', { statistic: cloudwatch.Stats.SUM, ...props });
  }

  public metricUserConnected(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('UserConnected', { statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  public metricStopped(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Stopped', { statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  public metricMaintenance(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Maintenance', { statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  public onAccess(id: string, options: events.OnEventOptions = {}): events.Rule {
    const rule = new events.Rule(this, id, options);
    rule.addTarget(options.target);
    rule.addEventPattern({
      source: ['aws.workspaces'],
      detailType: ['WorkSpaces Access'],
      detail: { workspaceId: [this.workspaceId] },
    });
    return rule;
  }

  public onCloudTrailEvent(id: string, options: events.OnEventOptions = {}): events.Rule {
    return this.cloudTrailRule(id, options, {});
  }

  public onOutOfBandChange(id: string, options: events.OnEventOptions = {}): events.Rule {
    const stack = Stack.of(this);
    return this.cloudTrailRule(id, options, {
      // Reading a WorkSpace changes nothing (DescribeTags names it by resourceId).
      eventName: [{ 'anything-but': { prefix: 'Describe' } }],
      // The provider's own calls are made with its handlers' roles, which CloudTrail records as
      // the session's issuer: unlike a user agent, no other caller can claim it (only Lambda may
      // assume these roles). A call without a role session (an IAM user, the root user) has no
      // issuer, and is someone else's. Resolved at synthesis, when the stack's provider, if it
      // has one, exists.
      userIdentity: Lazy.any({
        produce: () => {
          const arns = providerRoles(stack).map((role) => role.roleArn);
          return arns.length === 0 ? undefined : {
            sessionContext: { sessionIssuer: { arn: [{ 'anything-but': arns }, { exists: false }] } },
          };
        },
      }),
    });
  }

  /** A rule for the CloudTrail records of the calls that name this WorkSpace, narrowed by `detail`. */
  private cloudTrailRule(id: string, options: events.OnEventOptions, detail: Record<string, unknown>): events.Rule {
    const rule = new events.Rule(this, id, options);
    rule.addTarget(options.target);
    const workspaceIds = [this.workspaceId];
    rule.addEventPattern({
      source: ['aws.workspaces'],
      detailType: ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['workspaces.amazonaws.com'],
        ...detail,
        // A call names the WorkSpace in one of several request fields; any one is a match.
        $or: [
          { requestParameters: { workspaceId: workspaceIds } },
          { requestParameters: { resourceId: workspaceIds } },
          ...REQUEST_LISTS_NAMING_A_WORKSPACE.map((list) => ({ requestParameters: { [list]: { workspaceId: workspaceIds } } })),
        ],
      },
    });
    return rule;
  }

  /**
   * The ARN of a WorkSpace of this stack's account and region.
   */
  protected arnForWorkspaceId(workspaceId: string): string {
    return Stack.of(this).formatArn({ service: 'workspaces', resource: 'workspace', resourceName: workspaceId });
  }
}
