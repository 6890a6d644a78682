// Runs the bundled `cdk-workspaces` command (assets/cli, what the npm package ships) as a
// child process, the way a user runs it. Asynchronously: the endpoint the command talks to
// may live in the test's own process.
import { execFile } from 'child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
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
 * A temporary directory for generated code, which imports 'cdk-workspaces' as a user's code
 * does: its tsconfig maps that name to this checkout's src/, and its node_modules is this
 * checkout's (so aws-cdk-lib and constructs are the ones the library is built with).
 * Remove it with removeGeneratedAppDir.
 */
export function generatedAppDir(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `cdk-workspaces-${name}-`));
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
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

export function removeGeneratedAppDir(dir: string | undefined): void {
  if (dir !== undefined) {
    rmSync(dir, { recursive: true, force: true });
  }
}
