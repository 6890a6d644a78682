// The `cdk-workspaces` command. It uses the standard AWS settings, which the SDK reads itself:
// AWS_PROFILE, AWS_REGION, the credential chain, and AWS_ENDPOINT_URL_WORKSPACES for another
// endpoint. Results go to stdout (or --out), progress and notes to stderr.
import { accessSync, constants, existsSync, renameSync, statSync, writeFileSync } from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { cloudFormationResources } from './cloudformation';
import { DirectoryOverrides, drift, exitCode, renderTable } from './drift';
import { importDirectory, isPythonModuleName, Language, LANGUAGES, MAX_WORKSPACES_PER_STACK, renderPythonApp, renderTypeScriptApp } from './import';
import { createApi, printable } from './live';
import { errorText, sdkErrorOf, WorkspacesApi } from '../lambda/api';
import { checkDirectoryId } from '../src/private/rules';

const USAGE = `Usage: cdk-workspaces <command> [options]

Commands:
  import --directory <id> [--language typescript|python] [--out <file> [--force] [--app-file <file>]]
      Write the stack class(es) that declare every WorkSpace of the directory as it is, with its
      tags and adoptExisting: true. WorkSpaces that cdk-workspaces already manages are left out,
      with a note. A directory of more than ${MAX_WORKSPACES_PER_STACK} WorkSpaces becomes several stacks.
      The module has no App: import its class(es) into your app, or let --app-file write one.
      Writes to stdout unless --out is given; an existing file is kept unless --force.

  drift --app <cdk.out> [--stack <name>] [--directory [<logical id or path>=]<id>]... [--json]
      Compare what the synthesized app declares with what is live: each Workspace, each member
      of each WorkspaceFleet (by directory and user), each WorkspacesDirectory (registration and
      settings) and each Workspace.fromUserName lookup. A directory id that is a token (a
      directory of the same app) is read from the deployed stack named by --stack
      (CloudFormation ListStackResources, read-only), or given with --directory.
      Exit code: 0 all compared and in sync, 1 drifted or missing, 2 anything not compared.

Options:
  --profile <name>   the AWS profile (or AWS_PROFILE)
  --region <region>  the AWS region (or AWS_REGION, or the profile's region)
  -h, --help         this text

The endpoints are the standard ones for the region, or AWS_ENDPOINT_URL_WORKSPACES and
AWS_ENDPOINT_URL_CLOUDFORMATION.
`;

/** Exit code for bad usage and for failures (drift uses 1 for "drifted"). */
const ERROR_EXIT = 2;

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Runs the command; returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'directory': { type: 'string', multiple: true },
        'language': { type: 'string' },
        'out': { type: 'string' },
        'force': { type: 'boolean' },
        'app-file': { type: 'string' },
        'app': { type: 'string' },
        'stack': { type: 'string' },
        'json': { type: 'boolean' },
        'profile': { type: 'string' },
        'region': { type: 'string' },
        'help': { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.stderr(`${(e as Error).message}\n\n${USAGE}`);
    return ERROR_EXIT;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || command === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || (command !== 'import' && command !== 'drift')) {
    io.stderr(`${command === undefined ? 'No command given' : `Unknown command "${positionals.join(' ')}"`}\n\n${USAGE}`);
    return ERROR_EXIT;
  }
  const usage = (message: string) => {
    io.stderr(`${message}\n\n${USAGE}`);
    return ERROR_EXIT;
  };
  // The SDK reads these itself when the client is created.
  if (values.profile !== undefined) {
    process.env.AWS_PROFILE = values.profile;
  }
  if (values.region !== undefined) {
    process.env.AWS_REGION = values.region;
  }
  const progress = (line: string) => io.stderr(`${line}\n`);

  try {
    if (command === 'import') {
      const misplaced = (['app', 'stack', 'json'] as const).filter((o) => values[o] !== undefined);
      if (misplaced.length > 0) {
        return usage(`import does not take --${misplaced.join(', --')}`);
      }
      if (values.directory === undefined || values.directory.length !== 1) {
        return usage(values.directory === undefined ? 'import needs --directory <id>' : 'import takes one --directory <id>');
      }
      if (values.out === undefined && (values.force !== undefined || values['app-file'] !== undefined)) {
        return usage(`--${values.force !== undefined ? 'force' : 'app-file'} goes with --out <file> (the module the app file imports)`);
      }
      const language = (values.language ?? 'typescript') as Language;
      if (!LANGUAGES.includes(language)) {
        return usage(`Invalid --language "${values.language}": must be one of ${LANGUAGES.join(', ')}`);
      }
      // Every file is checked before the first call: a listing of thousands of WorkSpaces is not
      // thrown away for a typo in a path, and no file is overwritten by surprise.
      const out = values.out === undefined ? undefined : checkDestination('--out', values.out, values.force === true);
      const appFile = values['app-file'] === undefined ? undefined : checkDestination('--app-file', values['app-file'], values.force === true);
      if (out !== undefined && appFile !== undefined) {
        if (out === appFile) {
          return usage('--out and --app-file must be two different files');
        }
        if (language === 'python' && !(out.endsWith('.py') && isPythonModuleName(path.basename(out, '.py')))) {
          return usage(`--out ${JSON.stringify(values.out)}: with --app-file, a Python module name such as imported_workspaces.py (the app file imports it)`);
        }
      }
      const api = createApi();
      await requireRegion(api);
      const result = await importDirectory(api, values.directory[0], language, progress);
      for (const l of result.leftOut) {
        io.stderr(`Left out ${printable(l.userName)} (${printable(l.workspaceId)}): ${l.reason}\n`);
      }
      if (result.declared.length === 0) {
        io.stderr(`Nothing to import: directory ${values.directory[0]} has no WorkSpace that is not gone or already managed by cdk-workspaces`
          + ` (${result.leftOut.length} left out). No file was written.\n`);
        return ERROR_EXIT;
      }
      const stacks = result.stacks.map((s) => `${s.stackId} (class ${s.className}, ${s.workspaces} WorkSpace${s.workspaces === 1 ? '' : 's'})`);
      if (result.stacks.length > 1) {
        io.stderr(`${result.declared.length} WorkSpaces are more than one stack holds within CloudFormation's 500 resources: `
          + `${result.stacks.length} stacks of at most ${MAX_WORKSPACES_PER_STACK}: ${stacks.join(', ')}\n`);
      }
      if (out === undefined) {
        io.stdout(result.code);
        return 0;
      }
      writeDestination(out, result.code, values.force === true);
      io.stderr(`Wrote ${result.declared.length} WorkSpace${result.declared.length === 1 ? '' : 's'} to ${values.out}: ${stacks.join(', ')}\n`);
      if (appFile !== undefined) {
        const app = language === 'python'
          ? renderPythonApp(result.stacks, path.basename(out, '.py'))
          : renderTypeScriptApp(result.stacks, moduleSpecifier(appFile, out));
        writeDestination(appFile, app, values.force === true);
        io.stderr(`Wrote the app that instantiates ${result.stacks.length === 1 ? 'it' : 'them'} to ${values['app-file']}\n`);
      } else {
        io.stderr(`The module declares stack classes only: instantiate ${result.stacks.map((s) => s.className).join(', ')} in your app, or pass --app-file <file>\n`);
      }
      return 0;
    }

    const misplaced = (['language', 'out', 'force', 'app-file'] as const).filter((o) => values[o] !== undefined);
    if (misplaced.length > 0 || values.app === undefined) {
      return usage(misplaced.length > 0 ? `drift does not take --${misplaced.join(', --')}` : 'drift needs --app <cdk.out>');
    }
    const overrides = parseDirectoryOverrides(values.directory ?? []);
    const api = createApi();
    await requireRegion(api);
    const report = await drift(api, values.app, values.stack, progress, { overrides, stackResources: cloudFormationResources });
    io.stdout(values.json ? `${JSON.stringify(report, undefined, 2)}\n` : renderTable(report));
    return exitCode(report);
  } catch (e) {
    io.stderr(`cdk-workspaces ${command}: ${howToFix(e)}\n`);
    return ERROR_EXIT;
  }
}

/**
 * The absolute path of a file to write, once it is known that it can be written: its folder
 * exists and is writable, and it is not there already (unless --force).
 */
function checkDestination(option: string, file: string, force: boolean): string {
  const target = path.resolve(file);
  const folder = path.dirname(target);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new Error(`${option} ${JSON.stringify(file)}: the folder ${folder} does not exist; create it first. Nothing was read or written.`);
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new Error(`${option} ${JSON.stringify(file)}: the folder ${folder} is not writable. Nothing was read or written.`);
  }
  if (existsSync(target)) {
    if (!statSync(target).isFile()) {
      throw new Error(`${option} ${JSON.stringify(file)} exists and is not a file. Nothing was read or written.`);
    }
    if (!force) {
      throw new Error(`${option} ${JSON.stringify(file)} exists: pass --force to overwrite it, or choose another file. Nothing was read or written.`);
    }
  }
  return target;
}

/** Writes the whole file or nothing: a new file only if none appeared meanwhile, else (--force) by rename. */
function writeDestination(target: string, text: string, force: boolean): void {
  if (!force) {
    writeFileSync(target, text, { flag: 'wx' });
    return;
  }
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { flag: 'wx' });
  renameSync(temporary, target);
}

/** How the app file names the module: relative, without the extension, as a TypeScript import does. */
function moduleSpecifier(appFile: string, moduleFile: string): string {
  const relative = path.relative(path.dirname(appFile), moduleFile).replace(/\.(ts|tsx|mts|cts|js)$/, '').split(path.sep).join('/');
  return relative.startsWith('.') ? relative : `./${relative}`;
}

/** `--directory d-...` (every token-valued directory id) or `--directory <logical id or path>=d-...`. */
function parseDirectoryOverrides(values: readonly string[]): DirectoryOverrides {
  const byResource = new Map<string, string>();
  let all: string | undefined;
  for (const value of values) {
    const at = value.lastIndexOf('=');
    const [target, id] = at < 0 ? [undefined, value] : [value.slice(0, at), value.slice(at + 1)];
    checkDirectoryId('--directory', id);
    if (target === undefined) {
      all = id;
    } else {
      byResource.set(target, id);
    }
  }
  return { all, byResource };
}

/** The region is needed before any call: a missing one is said with how to give it. */
async function requireRegion(api: WorkspacesApi): Promise<void> {
  try {
    const region = await api.client.config.region();
    if (!region) {
      throw new Error('Region is missing');
    }
  } catch (e) {
    throw new Error(NO_REGION, { cause: e });
  }
}

const NO_REGION = 'No AWS region is set. Pass --region <region> (such as --region us-east-1), set AWS_REGION, '
  + 'or use a profile that has one (--profile <name> or AWS_PROFILE, with region = ... in ~/.aws/config).';

/** The error as the user can act on it: missing settings say which setting to give. */
function howToFix(e: unknown): string {
  const text = e instanceof Error && e.name === 'Error' ? e.message : errorText(e);
  const cause = sdkErrorOf(e);
  const name = cause instanceof Error ? cause.name : '';
  if (/Region is missing/.test(text)) {
    return NO_REGION;
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials/.test(text)) {
    return `${text}. Give credentials as for the AWS CLI: --profile <name> (or AWS_PROFILE; run \`aws sso login --profile <name>\` for SSO), `
      + 'or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.';
  }
  if (name === 'AccessDeniedException' || /AccessDenied|not authorized/.test(text)) {
    return `${text}. The command needs read-only access: workspaces:DescribeWorkspaceDirectories, DescribeWorkspaces and DescribeTags `
      + '(drift also DescribeWorkspaceBundles, and cloudformation:ListStackResources with --stack); see the README.';
  }
  return text;
}
