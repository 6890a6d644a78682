/**
 * Run the local WorkSpaces endpoint by hand:
 *
 *   npx tsx test/local/endpoint/cli.ts [--port 4599] [--seed 1] [--slow]
 *
 * Prints the URL and the environment to point the AWS SDK/CLI at it, then
 * serves until Ctrl-C. `--slow` uses second-scale durations that are easier
 * to watch than the test defaults.
 */
import { startLocalWorkspaces } from './index';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const slow = args.includes('--slow');
  const endpoint = await startLocalWorkspaces({
    port: Number(value('--port') ?? 0),
    seed: Number(value('--seed') ?? 1),
    timing: slow
      ? { invisibleMs: 2_000, pendingMs: 10_000, updatingMs: 5_000, terminatingMs: 5_000, terminatedVisibleMs: 5_000 }
      : undefined,
  });
  process.stdout.write(`${endpoint.url}\n`);
  for (const [k, v] of Object.entries(endpoint.env())) process.stdout.write(`export ${k}=${v}\n`);
  process.stdout.write('Serving until Ctrl-C.\n');
  const shutdown = () => {
    void endpoint.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
