import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ValidationError } from 'aws-cdk-lib';

// The error the README shows is what `cdk synth` really prints: an app that breaks a rule runs in
// a child process, as the CDK CLI runs an app, and its output holds each line the README shows
// (except the stack frames, which are the app's own).

const ROOT = path.join(__dirname, '..');

function readmeErrorBlock(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /^```text\n(«CdkWorkspacesValidation»[\s\S]*?)^```/m.exec(readme);
  if (!block) {
    throw new Error('the README shows no error');
  }
  return block[1].split('\n').filter((line) => line.trim() !== '' && line.trim() !== 'at ...');
}

test('the README shows the error that a synthesis prints', () => {
  // The compiled library (with jsii's type names in the construct tree) when it is built, as a
  // user gets it; the source otherwise.
  const compiled = fs.existsSync(path.join(ROOT, 'lib', 'index.js'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-error-'));
  const app = path.join(dir, compiled ? 'app.js' : 'app.ts');
  const library = compiled ? path.join(ROOT, 'lib') : path.join(ROOT, 'src');
  fs.writeFileSync(app, [
    `const { App, Duration, Stack } = require(${JSON.stringify(require.resolve('aws-cdk-lib'))});`,
    `const { Workspace, WorkspaceBundle, WorkspacesDirectory } = require(${JSON.stringify(library)});`,
    'const app = new App();',
    'const stack = new Stack(app, \'Desks\');',
    'new Workspace(stack, \'Alice\', {',
    '  directory: WorkspacesDirectory.fromDirectoryId(stack, \'Directory\', \'d-1234567890\'),',
    '  bundle: WorkspaceBundle.fromBundleId(\'wsb-12345678\'),',
    '  userName: \'alice\',',
    '  autoStopTimeout: Duration.minutes(90),',
    '});',
    'app.synth();',
  ].join('\n'));
  const run = compiled
    ? spawnSync(process.execPath, [app], { encoding: 'utf8' })
    : spawnSync(process.execPath, [require.resolve('tsx/cli'), app], { encoding: 'utf8', cwd: ROOT });
  fs.rmSync(dir, { recursive: true, force: true });
  expect(run.status).not.toBe(0);
  const printed = run.stderr.split('\n');
  // aws-cdk-lib prints the error's code («...») and the construct tree below the message from
  // 2.257.0 on, whose ValidationError takes the code first; the floor (2.240.0) prints the same
  // message without either (src/private/errors.ts), so there only the message is compared.
  const withCode = ValidationError.length >= 3;
  for (const line of withCode ? readmeErrorBlock() : readmeErrorBlock().slice(0, 1)) {
    let expected = compiled ? line : line.replace('(cdk-workspaces.Workspace)', '(aws-cdk-lib.Resource)');
    expected = withCode ? expected : expected.replace(/^«CdkWorkspacesValidation» /, '');
    const found = printed.some((p) => (withCode ? p.trimEnd() === expected.trimEnd() : p.trimEnd().endsWith(expected.trimEnd())));
    expect([line, found]).toEqual([line, true]);
  }
});
