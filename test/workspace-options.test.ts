import { App, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  ComputeType,
  DisruptionPolicy,
  Protocol,
  RunningMode,
  Workspace,
  WorkspaceBundle,
  WorkspaceFleet,
  WorkspaceOptions,
  WorkspacesDirectory,
} from '../src';

/** Every property of a custom resource but its ServiceToken, and how CloudFormation keeps it. */
function declared(stack: Stack, type: string): { properties: Record<string, unknown>; deletionPolicy: unknown } {
  const [resource] = Object.values<any>(Template.fromStack(stack).findResources(type));
  const { ServiceToken, ...properties } = resource.Properties;
  return { properties, deletionPolicy: resource.DeletionPolicy };
}

test('one WorkspaceOptions object configures a Workspace and a WorkspaceFleet alike', () => {
  const stack = new Stack(new App(), 'Desks');
  const directory = WorkspacesDirectory.fromDirectoryId(stack, 'Directory', 'd-1234567890');
  const bundle = WorkspaceBundle.fromBundleId('wsb-12345678');
  const settings: WorkspaceOptions = {
    runningMode: RunningMode.AUTO_STOP,
    autoStopTimeout: Duration.hours(2),
    computeType: ComputeType.PERFORMANCE,
    rootVolumeSize: Size.gibibytes(175),
    userVolumeSize: Size.gibibytes(100),
    protocols: [Protocol.WSP],
    rootVolumeEncrypted: true,
    userVolumeEncrypted: true,
    volumeEncryptionKey: new kms.Key(stack, 'Key'),
    adoptExisting: true,
    removalPolicy: RemovalPolicy.DESTROY,
    timeout: Duration.minutes(30),
    disruptionPolicy: DisruptionPolicy.IMMEDIATE,
  };
  new Workspace(stack, 'Alice', { directory, bundle, userName: 'alice', ...settings });
  new WorkspaceFleet(stack, 'Fleet', { directory, bundle, users: ['bob'], ...settings });

  const single = declared(stack, 'Custom::Workspace');
  const fleet = declared(stack, 'Custom::WorkspaceFleet');
  const shared = ['WorkspaceProperties', 'RootVolumeEncryptionEnabled', 'UserVolumeEncryptionEnabled', 'VolumeEncryptionKey',
    'AdoptExisting', 'TimeoutSeconds', 'DisruptionPolicy'];
  for (const key of shared) {
    expect({ key, value: fleet.properties[key] }).toEqual({ key, value: single.properties[key] });
  }
  expect(single.properties.WorkspaceProperties).toEqual({
    RunningMode: 'AUTO_STOP',
    RunningModeAutoStopTimeoutInMinutes: 120,
    ComputeTypeName: 'PERFORMANCE',
    RootVolumeSizeGib: 175,
    UserVolumeSizeGib: 100,
    Protocols: ['WSP'],
  });
  expect(single.deletionPolicy).toBe('Delete');
  expect(fleet.deletionPolicy).toBe('Delete');
});
