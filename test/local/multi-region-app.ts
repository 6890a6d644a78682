// The multi-Region example (docs/network.md, "Two Regions"): a directory in each Region, a fleet
// in the primary Region with a standby WorkSpace for each user in the secondary, a connection alias
// of one connection string in each Region associated with that Region's directory, and a Route 53
// failover record that sends users to the secondary association when the primary is unhealthy.
import { App, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import {
  ConnectionAlias,
  DataReplication,
  IpAccessControlGroup,
  IpRule,
  StandbyWorkspace,
  WorkspaceBundle,
  WorkspaceFleet,
  WorkspacesDirectory,
} from '../../src';

export const CONNECTION_STRING = 'desktop.example.com';
export const HOSTED_ZONE = { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' };
export const REGIONS = {
  primary: { region: 'us-east-1', directoryId: 'd-1234567890' },
  secondary: { region: 'us-west-2', directoryId: 'd-2234567890' },
};
const ACCOUNT = '111122223333';

export interface MultiRegionApp {
  readonly app: App;
  readonly primary: Stack;
  readonly secondary: Stack;
  readonly dns: Stack;
}

export function multiRegionApp(users: string[] = ['alice', 'bob']): MultiRegionApp {
  const app = new App();
  // Both Regions' stacks pass ids to each other's neighbours across Regions.
  const props = (region: string): StackProps => ({ env: { account: ACCOUNT, region }, crossRegionReferences: true });
  const primary = new Stack(app, 'DesktopsPrimary', props(REGIONS.primary.region));
  const secondary = new Stack(app, 'DesktopsSecondary', props(REGIONS.secondary.region));
  // Route 53 is global; its stack is in the primary Region and reads both Regions' associations.
  const dns = new Stack(app, 'DesktopsDns', props(REGIONS.primary.region));

  // The same office ranges in both Regions (an IP group belongs to one Region).
  const office = (stack: Stack) => new IpAccessControlGroup(stack, 'Office', { rules: [IpRule.cidr('203.0.113.0/24', 'office')] });

  const primaryDirectory = new WorkspacesDirectory(primary, 'Directory', {
    directoryId: REGIONS.primary.directoryId,
    ipGroups: [office(primary)],
  });
  const fleet = new WorkspaceFleet(primary, 'Fleet', {
    directory: primaryDirectory,
    bundle: WorkspaceBundle.fromBundleId('wsb-12345678'),
    users,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const primaryAssociation = new ConnectionAlias(primary, 'Alias', { connectionString: CONNECTION_STRING }).associate(primaryDirectory);

  const secondaryDirectory = new WorkspacesDirectory(secondary, 'Directory', {
    directoryId: REGIONS.secondary.directoryId,
    ipGroups: [office(secondary)],
  });
  StandbyWorkspace.forFleet(secondary, 'Standbys', {
    fleet,
    directory: secondaryDirectory,
    dataReplication: DataReplication.PRIMARY_AS_SOURCE,
  });
  const secondaryAssociation = new ConnectionAlias(secondary, 'Alias', { connectionString: CONNECTION_STRING }).associate(secondaryDirectory);

  // Failover: the primary association while its health check is healthy, else the secondary. The
  // health check follows an alarm (here: any primary WorkSpace unhealthy for 15 minutes; choose
  // the signal that means "the primary Region is down" for you).
  const unhealthy = new cloudwatch.Metric({
    namespace: 'AWS/WorkSpaces',
    metricName: 'Unhealthy',
    dimensionsMap: { DirectoryId: REGIONS.primary.directoryId },
    statistic: 'Maximum',
    period: Duration.minutes(5),
  }).createAlarm(dns, 'PrimaryUnhealthy', {
    threshold: users.length,
    evaluationPeriods: 3,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  });
  const healthCheck = new route53.CfnHealthCheck(dns, 'PrimaryHealth', {
    healthCheckConfig: {
      type: 'CLOUDWATCH_METRIC',
      alarmIdentifier: { name: unhealthy.alarmName, region: REGIONS.primary.region },
      insufficientDataHealthStatus: 'LastKnownStatus',
    },
  });
  const zone = route53.HostedZone.fromHostedZoneAttributes(dns, 'Zone', HOSTED_ZONE);
  const record = (id: string, failover: 'PRIMARY' | 'SECONDARY', connectionIdentifier: string, healthCheckId?: string) =>
    new route53.CfnRecordSet(dns, id, {
      hostedZoneId: zone.hostedZoneId,
      name: `${CONNECTION_STRING}.`,
      type: 'TXT',
      ttl: '60',
      setIdentifier: failover.toLowerCase(),
      failover,
      healthCheckId,
      // The Administration Guide: the DNS TXT record names the association's connection identifier.
      resourceRecords: [`"${connectionIdentifier}"`],
    });
  record('PrimaryRecord', 'PRIMARY', primaryAssociation.connectionIdentifier, healthCheck.attrHealthCheckId);
  record('SecondaryRecord', 'SECONDARY', secondaryAssociation.connectionIdentifier);
  return { app, primary, secondary, dns };
}
