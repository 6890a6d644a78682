// Reading a cloud assembly (cdk.out) for `drift`: only the fields that the assembly schema has
// kept since its first versions (the artifacts, their type, templateFile and directoryName), and
// every file read is named when it cannot be.
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';

/**
 * The newest cloud assembly schema major version this command was written and tested against
 * (aws-cdk-lib's Manifest.version(); test/cli/assembly.test.ts keeps the two in step). A newer
 * manifest is read with a note: the fields read here have not changed across versions, and an
 * assembly in which they are missing is refused rather than read as an empty app.
 */
export const KNOWN_SCHEMA_MAJOR = 55;

/** A stack of the assembly. */
export interface AssemblyStack {
  /** The name `cdk` shows: the stack's path (Stage/Stack), or its id. */
  readonly name: string;
  /** Every name by which --stack may select it. */
  readonly aliases: readonly string[];
  /** The CloudFormation stack name, for reading the deployed stack. */
  readonly stackName: string;
  readonly templateFile: string;
  readonly template: { Resources?: Record<string, any> };
}

export interface Assembly {
  readonly stacks: readonly AssemblyStack[];
  /** What the reader noticed and the user should know (a newer schema version). */
  readonly notes: readonly string[];
}

/** Every stack template of the cloud assembly (nested assemblies of stages included). */
export function readAssembly(assemblyDir: string): Assembly {
  const notes: string[] = [];
  return { stacks: readStacks(assemblyDir, notes), notes };
}

function readStacks(assemblyDir: string, notes: string[]): AssemblyStack[] {
  const manifestFile = path.join(assemblyDir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new Error(`${assemblyDir} is not a cloud assembly: it has no manifest.json (synthesize the app with \`cdk synth\` first)`);
  }
  const manifest = readJson(manifestFile, 'the cloud assembly manifest');
  const version = typeof manifest?.version === 'string' ? /^(\d+)\.\d+\.\d+/.exec(manifest.version) : null;
  if (version === null) {
    throw new Error(`${manifestFile} has no cloud assembly schema version this command understands (version ${JSON.stringify(manifest?.version)}; `
      + `it reads versions 1.0.0 to ${KNOWN_SCHEMA_MAJOR}.x and newer ones with a note): synthesize the app with the CDK again`);
  }
  if (Number(version[1]) > KNOWN_SCHEMA_MAJOR && !notes.some((n) => n.includes(manifest.version))) {
    notes.push(`${manifestFile} has cloud assembly schema version ${manifest.version}, newer than ${KNOWN_SCHEMA_MAJOR}.x that this command knows: `
      + 'it reads only the artifact fields that every version so far has kept (upgrade cdk-workspaces if the result looks wrong)');
  }
  if (typeof manifest.artifacts !== 'object' || manifest.artifacts === null) {
    throw new Error(`${manifestFile} lists no artifacts: not a synthesized app this command can read (synthesize it with \`cdk synth\`)`);
  }
  const stacks: AssemblyStack[] = [];
  for (const [id, artifact] of Object.entries<any>(manifest.artifacts)) {
    if (artifact?.type === 'aws:cloudformation:stack') {
      const templateName = artifact.properties?.templateFile;
      if (typeof templateName !== 'string') {
        throw new Error(`${manifestFile}: the stack artifact ${JSON.stringify(id)} names no templateFile`);
      }
      const templateFile = path.join(assemblyDir, templateName);
      const template = readJson(templateFile, `the template of stack ${id}`);
      const name: string = artifact.displayName ?? id;
      const stackName: string = typeof artifact.properties.stackName === 'string' ? artifact.properties.stackName : id;
      // A stack is named as `cdk` names it: by its path (Stage/Stack), its id, or its CloudFormation name.
      const aliases = [...new Set([name, id, name.split('/').pop() ?? name, stackName])];
      stacks.push({ name, aliases, stackName, templateFile, template });
    } else if (artifact?.type === 'cdk:cloud-assembly') {
      const directoryName = artifact.properties?.directoryName;
      if (typeof directoryName !== 'string') {
        throw new Error(`${manifestFile}: the nested assembly ${JSON.stringify(id)} names no directoryName`);
      }
      stacks.push(...readStacks(path.join(assemblyDir, directoryName), notes));
    }
  }
  return stacks;
}

function readJson(file: string, what: string): any {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`Cannot read ${what}, ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} (${what}) is not JSON: ${(e as Error).message}; synthesize the app again`);
  }
}
