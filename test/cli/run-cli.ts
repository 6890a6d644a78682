// Runs the bundled `cdk-workspaces` command (assets/cli, what the npm package ships) as a
// child process, the way a user runs it. Asynchronously: the endpoint the command talks to
// may live in the test's own process.
import { execFile } from 'child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '../..');
export const CLI_BUNDLE = path.join(ROOT, 'assets/cli/cdk-workspaces.js');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: string[], env: Record<string, string>, cwd = ROOT): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_BUNDLE, ...args], {
      cwd,
      // Only the standard AWS settings that the test gives: no profile or region of the machine.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
      maxBuffer: 64 * 1024 * 1024,
    }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 99) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export function runProcess(command: string, args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 99) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A directory inside the repository (so that aws-cdk-lib and constructs resolve from its
 * node_modules), ignored by git, where generated code imports 'cdk-workspaces' as a user's
 * code does: the tsconfig maps that name to this checkout's src/.
 */
export function generatedAppDir(name: string): string {
  const base = path.join(ROOT, 'cdk.out', 'generated');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, `${name}-`));
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2020',
      module: 'nodenext',
      moduleResolution: 'nodenext',
      strict: true,
      noUnusedLocals: true,
      esModuleInterop: true,
      skipLibCheck: true,
      types: ['node'],
      noEmit: true,
      paths: { 'cdk-workspaces': [path.join(ROOT, 'src/index.ts')] },
    },
    include: ['*.ts'],
  }, undefined, 2));
  return dir;
}
