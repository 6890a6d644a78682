// A local WorkSpaces endpoint with a few WorkSpaces made "in the console", for the tests that
// run the command from outside jest (the packed tarball, the Python binding): prints the
// standard AWS settings as KEY=value lines, then serves until killed.
import { OWNERSHIP_TAG_KEY } from '../../src/private/rules';
import { startLocalWorkspaces } from '../local/endpoint';

async function main(): Promise<void> {
  const endpoint = await startLocalWorkspaces({ seed: 15 });
  endpoint.seedWorkspace({ UserName: 'alice', WorkspaceProperties: { RunningMode: 'ALWAYS_ON' }, Tags: { team: 'blue' } });
  endpoint.seedWorkspace({ UserName: 'bob', BundleId: 'wsb-56789012', WorkspaceProperties: { RunningMode: 'MANUAL' } });
  endpoint.seedWorkspace({
    UserName: 'carol.smith',
    BundleId: 'wsb-34567890',
    WorkspaceProperties: { RunningMode: 'AUTO_STOP', RunningModeAutoStopTimeoutInMinutes: 120, UserVolumeSizeGib: 200 },
    RootVolumeEncryptionEnabled: true,
    VolumeEncryptionKey: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    Tags: { 'team': 'red', 'cost-center': '42' },
  });
  endpoint.seedWorkspace({ UserName: 'managed', Tags: { [OWNERSHIP_TAG_KEY]: 'Desk/1234' } });
  const lines = Object.entries(endpoint.env()).map(([k, v]) => `${k}=${v}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  process.on('SIGTERM', () => {
    void endpoint.stop().then(() => process.exit(0));
  });
}

void main();
