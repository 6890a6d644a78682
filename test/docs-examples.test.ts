import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

// Every TypeScript example in the README and in docs/*.md compiles against the library as it is
// now. jsii-rosetta (strict) checks the README's examples at compile time, but it does not read
// docs/, and `npm test` does not run it: this checks both in one TypeScript program, each example
// a module of its own as a user would paste it (rosetta/default.ts-fixture adds nothing around
// them either), with `cdk-workspaces` mapped to src/ so that no build is needed first.

const root = path.join(__dirname, '..');

interface Example {
  /** `docs/fleet.md:12`: where the block's first line of code is. */
  readonly where: string;
  readonly fileName: string;
  readonly code: string;
}

function examplesOf(relative: string): Example[] {
  const text = fs.readFileSync(path.join(root, relative), 'utf8');
  const examples: Example[] = [];
  const fence = /^```(?:ts|typescript)\n([\s\S]*?)^```$/gm;
  let match: RegExpExecArray | null;
  while ((match = fence.exec(text)) !== null) {
    const line = text.slice(0, match.index).split('\n').length + 1;
    const fileName = path.join(root, '.docs-examples', `${relative.replace(/[^A-Za-z0-9]/g, '_')}_${line}.ts`);
    examples.push({ where: `${relative}:${line}`, fileName, code: match[1] });
  }
  return examples;
}

const pages = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const examples = pages.flatMap(examplesOf);

const options: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  esModuleInterop: true,
  skipLibCheck: true,
  // The examples are programs, not jest files: no ambient test globals (the snapshot example
  // declares its own `expect`, as rosetta needs).
  types: [],
  baseUrl: root,
  paths: { 'cdk-workspaces': ['src/index.ts'] },
};

let diagnosticsByFile: Map<string, readonly ts.Diagnostic[]>;

beforeAll(() => {
  const sources = new Map(examples.map((e) => [e.fileName, e.code]));
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const code = sources.get(path.resolve(fileName));
    return code !== undefined
      ? ts.createSourceFile(fileName, code, languageVersion, true)
      : getSourceFile(fileName, languageVersion, onError, shouldCreate);
  };
  host.fileExists = (fileName) => sources.has(path.resolve(fileName)) || fileExists(fileName);
  host.readFile = (fileName) => sources.get(path.resolve(fileName)) ?? readFile(fileName);
  const program = ts.createProgram([...sources.keys()], options, host);
  diagnosticsByFile = new Map(examples.map((e) => {
    const file = program.getSourceFile(e.fileName)!;
    return [e.fileName, [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]];
  }));
}, 180_000);

test('the README and docs/ have the TypeScript examples this test checks', () => {
  const where = examples.map((e) => e.where.split(':')[0]);
  expect(where.filter((p) => p === 'README.md').length).toBeGreaterThanOrEqual(5);
  expect(where.filter((p) => p.startsWith('docs/')).length).toBeGreaterThanOrEqual(3);
});

test.each(examples.map((e) => [e.where, e] as const))('the example at %s compiles', (_where, example) => {
  const messages = diagnosticsByFile.get(example.fileName)!.map((d) => {
    const { line } = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: -1 };
    const [page, first] = example.where.split(':');
    return `${page}:${Number(first) + line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  expect(messages).toEqual([]);
});
