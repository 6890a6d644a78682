// The entry point that esbuild bundles into the package's `cdk-workspaces` command.
import { main } from './main';

main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then((code) => {
  process.exitCode = code;
}, (e) => {
  process.stderr.write(`cdk-workspaces: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 2;
});
