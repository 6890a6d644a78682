// The `cdk-workspaces` command. It uses the standard AWS settings, which the SDK reads itself:
// AWS_PROFILE, AWS_REGION, the credential chain, and AWS_ENDPOINT_URL_WORKSPACES for another
// endpoint. Results go to stdout (or --out), progress and notes to stderr.
import { writeFileSync } from 'fs';
import { parseArgs } from 'util';
import { drift, exitCode, renderTable } from './drift';
import { importDirectory, Language, LANGUAGES } from './import';
import { createApi } from './live';
import { errorText } from '../lambda/api';

const USAGE = `Usage: cdk-workspaces <command> [options]

Commands:
  import --directory <id> [--language typescript|python] [--out <file>]
      Write a CDK app that declares every WorkSpace of the directory as it is, with its
      tags and adoptExisting: true. WorkSpaces that cdk-workspaces already manages are left
      out, with a note. Writes to stdout unless --out is given.

  drift --app <cdk.out> [--stack <name>] [--json]
      Compare each WorkSpace that the synthesized app declares with the live one, found by
      directory and user name: properties, tags, state, missing ones.
      Exit code: 0 in sync, 1 drifted, 2 error.

Options:
  --profile <name>   the AWS profile (or AWS_PROFILE)
  --region <region>  the AWS region (or AWS_REGION)
  -h, --help         this text

The endpoint is the standard one for the region, or AWS_ENDPOINT_URL_WORKSPACES.
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
        directory: { type: 'string' },
        language: { type: 'string' },
        out: { type: 'string' },
        app: { type: 'string' },
        stack: { type: 'string' },
        json: { type: 'boolean' },
        profile: { type: 'string' },
        region: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
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
      if (misplaced.length > 0 || values.directory === undefined) {
        io.stderr(`${misplaced.length > 0 ? `import does not take --${misplaced.join(', --')}` : 'import needs --directory <id>'}\n\n${USAGE}`);
        return ERROR_EXIT;
      }
      const language = (values.language ?? 'typescript') as Language;
      if (!LANGUAGES.includes(language)) {
        io.stderr(`Invalid --language "${values.language}": must be one of ${LANGUAGES.join(', ')}\n`);
        return ERROR_EXIT;
      }
      const result = await importDirectory(createApi(), values.directory, language, progress);
      for (const l of result.leftOut) {
        io.stderr(`Left out ${l.userName} (${l.workspaceId}): ${l.reason}\n`);
      }
      if (values.out !== undefined) {
        writeFileSync(values.out, result.code);
        io.stderr(`Wrote ${result.declared.length} WorkSpace${result.declared.length === 1 ? '' : 's'} to ${values.out}\n`);
      } else {
        io.stdout(result.code);
      }
      return 0;
    }

    const misplaced = (['directory', 'language', 'out'] as const).filter((o) => values[o] !== undefined);
    if (misplaced.length > 0 || values.app === undefined) {
      io.stderr(`${misplaced.length > 0 ? `drift does not take --${misplaced.join(', --')}` : 'drift needs --app <cdk.out>'}\n\n${USAGE}`);
      return ERROR_EXIT;
    }
    const report = await drift(createApi(), values.app, values.stack, progress);
    io.stdout(values.json ? `${JSON.stringify(report, undefined, 2)}\n` : renderTable(report));
    return exitCode(report);
  } catch (e) {
    io.stderr(`cdk-workspaces ${command}: ${e instanceof Error && e.name === 'Error' ? e.message : errorText(e)}\n`);
    return ERROR_EXIT;
  }
}
