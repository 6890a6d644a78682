import { App, Duration, Size, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  BundleOwner,
  ComputeType,
  RunningMode,
  Workspace,
  WorkspaceBundle,
  WorkspaceFleet,
  WorkspacesDirectory,
} from '../src';

function fleetStack() {
  const app = new App();
  const stack = new Stack(app, 'Desks');
  const directory = WorkspacesDirectory.fromDirectoryId(stack, 'Directory', 'd-1234567890');
  return { app, stack, directory };
}

function fleetResource(stack: Stack): any {
  const fleets = Template.fromStack(stack).findResources('Custom::WorkspaceFleet');
  expect(Object.keys(fleets)).toHaveLength(1);
  return Object.values<any>(fleets)[0];
}

describe('WorkspaceFleet', () => {
  test('renders one Custom::WorkspaceFleet with the fleet\'s settings, every user and their overrides', () => {
    const { stack, directory } = fleetStack();
    const fleet = new WorkspaceFleet(stack, 'Fleet', {
      directory,
      bundle: WorkspaceBundle.fromBundleId('wsb-12345678'),
      users: ['alice', 'bob'],
      runningMode: RunningMode.AUTO_STOP,
      autoStopTimeout: Duration.hours(2),
      requestsPerSecond: 4,
    });
    fleet.addUser('carol', { computeType: ComputeType.POWER, userVolumeSize: Size.gibibytes(100), tags: { role: 'lead' } });
    fleet.addUser('dave', { runningMode: RunningMode.ALWAYS_ON });
    Tags.of(fleet).add('team', 'desk');

    const resource = fleetResource(stack);
    expect(resource.Properties).toMatchObject({
      DirectoryId: 'd-1234567890',
      BundleId: 'wsb-12345678',
      WorkspaceProperties: { RunningMode: 'AUTO_STOP', RunningModeAutoStopTimeoutInMinutes: 120 },
      Tags: [{ Key: 'team', Value: 'desk' }],
      Users: [
        { UserName: 'alice' },
        { UserName: 'bob' },
        { UserName: 'carol', WorkspaceProperties: { ComputeTypeName: 'POWER', UserVolumeSizeGib: 100 }, Tags: [{ Key: 'role', Value: 'lead' }] },
        { UserName: 'dave', WorkspaceProperties: { RunningMode: 'ALWAYS_ON' } },
      ],
      TimeoutSeconds: 3300,
      RequestsPerSecond: 4,
    });
    expect(resource.DeletionPolicy).toBe('RetainExceptOnCreate');
    // One provider for the stack, whatever the number of users.
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::Lambda::Function')).length).toBeLessThan(6);
  });

  test('shares the stack\'s one provider with Workspace', () => {
    const { stack, directory } = fleetStack();
    new WorkspaceFleet(stack, 'Fleet', { directory, bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), users: ['alice'] });
    new Workspace(stack, 'Bob', { directory, bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'bob' });
    const template = Template.fromStack(stack);
    const tokens = [
      ...Object.values<any>(template.findResources('Custom::WorkspaceFleet')),
      ...Object.values<any>(template.findResources('Custom::Workspace')),
    ].map((r) => JSON.stringify(r.Properties.ServiceToken));
    expect(new Set(tokens).size).toBe(1);
  });

  test('a bundle by name renders BundleName and BundleOwner, and CreateWorkspaces may use any bundle', () => {
    const { stack, directory } = fleetStack();
    new WorkspaceFleet(stack, 'Fleet', { directory, bundle: WorkspaceBundle.fromName('Standard with Windows 10', BundleOwner.AMAZON), users: ['alice'] });
    const props = fleetResource(stack).Properties;
    expect(props).toMatchObject({ BundleName: 'Standard with Windows 10', BundleOwner: 'AMAZON' });
    expect(props.BundleId).toBeUndefined();
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).toContain(':workspacebundle/*');
  });

  test('fleet.workspace(user) is an IWorkspace whose id is the fleet\'s attribute, with grants and metrics', () => {
    const { stack, directory } = fleetStack();
    const fleet = new WorkspaceFleet(stack, 'Fleet', { directory, bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), users: ['alice', 'bob'] });
    const bob = fleet.workspace('Bob');
    expect(fleet.workspace('bob')).toBe(bob);
    const role = new iam.Role(stack, 'Helpdesk', { assumedBy: new iam.AccountRootPrincipal() });
    bob.grantReboot(role);
    expect(stack.resolve(bob.metricUnhealthy().dimensions)).toEqual({ WorkspaceId: { 'Fn::GetAtt': [expect.stringMatching(/^Fleet/), 'WorkspaceId0'] } });
    expect(fleetResource(stack).Properties.ExportedUsers).toEqual(['bob']);
    expect(JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'))).toContain('WorkspaceId0');
  });

  test('refuses a user twice: in the fleet, and across the fleet and a Workspace of the app', () => {
    const { stack, directory } = fleetStack();
    const fleet = new WorkspaceFleet(stack, 'Fleet', { directory, bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), users: ['alice'] });
    expect(() => fleet.addUser('ALICE')).toThrow(/^Desks\/Fleet: Invalid userName "ALICE": user "ALICE" already has a Workspace in directory d-1234567890 in this app \(Desks\/Fleet \(user "alice"\)\)/);
    expect(() => new Workspace(stack, 'Alice', { directory, bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' }))
      .toThrow(/^Desks\/Alice: Invalid userName "alice".*\(Desks\/Fleet \(user "alice"\)\)/);
    expect(() => new WorkspaceFleet(new Stack(stack.node.root as App, 'Other'), 'Fleet', {
      directory, bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), users: ['Alice'],
    })).toThrow(/Invalid userName "Alice"/);
  });

  test.each<[string, (fleet: WorkspaceFleet) => void, RegExp]>([
    ['an override\'s auto-stop timeout with another running mode',
      (f) => f.addUser('x', { runningMode: RunningMode.ALWAYS_ON, autoStopTimeout: Duration.hours(1) }), /Invalid users "x" autoStopTimeout 60 minutes: .*AUTO_STOP/],
    ['an override\'s volume of 60 GiB', (f) => f.addUser('x', { userVolumeSize: Size.gibibytes(60) }), /Invalid users "x" userVolumeSize 60 GiB/],
    ['a user name too long', (f) => f.addUser('x'.repeat(64)), /Invalid userName "x{64}"/],
    ['a user\'s tag key too long', (f) => f.addUser('x', { tags: { ['k'.repeat(128)]: 'v' } }), /Invalid users "x" tags/],
    ['a user not in the fleet', (f) => f.workspace('nobody'), /Invalid userName "nobody": not a user of this fleet/],
  ])('refuses %s at synth time, naming the path and the prop', (_what, act, error) => {
    const { stack, directory } = fleetStack();
    const fleet = new WorkspaceFleet(stack, 'Fleet', { directory, bundle: WorkspaceBundle.fromBundleId('wsb-12345678') });
    expect(() => act(fleet)).toThrow(error);
    expect(() => act(fleet)).toThrow(/^Desks\/Fleet: /);
  });

  test.each<[string, object, RegExp]>([
    ['a request rate of 0', { requestsPerSecond: 0 }, /Invalid requestsPerSecond 0 requests per second/],
    ['a timeout of 2 hours', { timeout: Duration.hours(2) }, /Invalid timeout "2 hours"/],
    ['a bad bundle id', { bundle: WorkspaceBundle.fromBundleId('bundle-1') }, /Invalid bundle.bundleId "bundle-1"/],
  ])('refuses %s', (_what, props, error) => {
    const { stack, directory } = fleetStack();
    expect(() => new WorkspaceFleet(stack, 'Fleet', { directory, bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), ...props }))
      .toThrow(error);
  });

  test('more than 48 tags on a user, fleet and own together, fail validation (the ownership and membership tags are the 49th and 50th)', () => {
    const { app, stack, directory } = fleetStack();
    const fleet = new WorkspaceFleet(stack, 'Fleet', { directory, bundle: WorkspaceBundle.fromBundleId('wsb-12345678') });
    for (let i = 0; i < 30; i++) Tags.of(fleet).add(`fleet${i}`, 'v');
    fleet.addUser('alice', { tags: Object.fromEntries(Array.from({ length: 19 }, (_, i) => [`own${i}`, 'v'])) });
    expect(() => app.synth()).toThrow(/tags of user "alice" 49: .*so at most 48 may be declared/);
  });
});
