import { App, Aspects, CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RunningMode, Workspace, WorkspaceProvider } from '../src';

/**
 * A stack that uses every part of the library: two WorkSpaces (one encrypted with a customer
 * managed key), an imported one, grants, an alarm and both kinds of event rule.
 */
function representativeStack(env?: { account: string; region: string }): Stack {
  const app = new App();
  const stack = new Stack(app, 'Desktops', { env });
  const key = new kms.Key(stack, 'VolumeKey', { enableKeyRotation: true });
  const alice = new Workspace(stack, 'Alice', { directoryId: 'd-1234567890', bundleId: 'wsb-12345678', userName: 'alice' });
  new Workspace(stack, 'Bob', {
    directoryId: 'd-1234567890',
    bundleId: 'wsb-87654321',
    userName: 'bob',
    runningMode: RunningMode.ALWAYS_ON,
    userVolumeEncrypted: true,
    volumeEncryptionKey: key,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const imported = Workspace.fromWorkspaceId(stack, 'Carol', 'ws-abcd12345');

  const helpdesk = new iam.Role(stack, 'Helpdesk', { assumedBy: new iam.AccountRootPrincipal() });
  alice.grantReboot(helpdesk);
  imported.grantStartStop(helpdesk);
  alice.metricUnhealthy({ period: Duration.minutes(5) })
    .createAlarm(stack, 'AliceUnhealthy', { threshold: 1, evaluationPeriods: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD });
  alice.onAccess('AliceLogins');
  imported.onCloudTrailEvent('CarolApiCalls');

  Aspects.of(app).add(new AwsSolutionsChecks());
  app.synth();
  return stack;
}

function findings(stack: Stack) {
  const pattern = Match.stringLikeRegexp('AwsSolutions-.*');
  return [
    ...Annotations.fromStack(stack).findError('*', pattern),
    ...Annotations.fromStack(stack).findWarning('*', pattern),
  ].map((m) => `${m.id}: ${m.entry.data}`);
}

describe('cdk-nag AwsSolutions', () => {
  test('reports no unsuppressed error or warning on a representative stack', () => {
    expect(findings(representativeStack({ account: '111122223333', region: 'eu-west-1' }))).toEqual([]);
  });

  test('reports none on an environment-agnostic stack either', () => {
    expect(findings(representativeStack())).toEqual([]);
  });

  test('every suppression the provider carries names its rule and gives a reason', () => {
    const stack = representativeStack();
    const provider = WorkspaceProvider.getOrCreate(stack);
    const suppressions = provider.node.findAll()
      .filter(CfnResource.isCfnResource)
      .flatMap((r) => (r.getMetadata('cdk_nag')?.rules_to_suppress ?? []) as Array<{ id: string; reason: string }>);
    expect(suppressions.length).toBeGreaterThan(0);
    for (const s of suppressions) {
      expect(s.id).toMatch(/^AwsSolutions-[A-Z]+[0-9]+$/);
      expect(s.reason.length).toBeGreaterThanOrEqual(40);
    }
    expect(new Set(suppressions.map((s) => s.id))).toEqual(new Set([
      'AwsSolutions-IAM4', 'AwsSolutions-IAM5', 'AwsSolutions-L1', 'AwsSolutions-SF1', 'AwsSolutions-SF2',
    ]));
  });

  test('the suppressions of wildcard permissions cover only the findings they name', () => {
    const app = new App();
    const stack = new Stack(app, 'Wide');
    new Workspace(stack, 'Alice', { directoryId: 'd-1234567890', bundleId: 'wsb-12345678', userName: 'alice' });
    const role = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['workspaces:RebootWorkspaces'], resources: ['*'] }));
    Aspects.of(app).add(new AwsSolutionsChecks());
    app.synth();

    expect(findings(stack)).toEqual([
      expect.stringMatching(/^\/Wide\/Operator\/DefaultPolicy\/Resource: AwsSolutions-IAM5\[Resource::\*\]/),
    ]);
  });
});
