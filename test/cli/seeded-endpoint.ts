// A local WorkSpaces endpoint with two WorkSpaces made "in the console", for the packaged
// command's test: prints the standard AWS settings as KEY=value lines, then serves until killed.
import { startLocalWorkspaces } from '../local/endpoint';

async function main(): Promise<void> {
  const endpoint = await startLocalWorkspaces({ seed: 15 });
  endpoint.seedWorkspace({ UserName: 'alice', WorkspaceProperties: { RunningMode: 'ALWAYS_ON' }, Tags: { team: 'blue' } });
  endpoint.seedWorkspace({ UserName: 'bob', BundleId: 'wsb-56789012', WorkspaceProperties: { RunningMode: 'MANUAL' } });
  const lines = Object.entries(endpoint.env()).map(([k, v]) => `${k}=${v}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  process.on('SIGTERM', () => {
    void endpoint.stop().then(() => process.exit(0));
  });
}

void main();
