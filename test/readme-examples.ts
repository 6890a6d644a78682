// The TypeScript examples of the README and of docs/*.md as programs the tests can run: each is
// compiled as written, with `cdk-workspaces` taken from this checkout, and gives back the apps it
// made.
import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as ts from 'typescript';
import * as cdkWorkspaces from '../src';

export interface ReadmeExample {
  /** The page it is on: `README.md` or `docs/<page>.md`. */
  readonly page: string;
  /** Where it starts on that page: its first line's number. */
  readonly line: number;
  /** Runs the example and returns the apps it created, not yet synthesized. */
  run(): cdk.App[];
}

/** Every ```ts block of the README and of docs/*.md that builds an app. */
export function readmeExamples(): ReadmeExample[] {
  const root = path.join(__dirname, '..');
  const pages = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
  return pages.flatMap((page) => examplesOf(page, fs.readFileSync(path.join(root, page), 'utf8')));
}

function examplesOf(page: string, readme: string): ReadmeExample[] {
  const examples: ReadmeExample[] = [];
  const fence = /^```ts\n([\s\S]*?)^```/gm;
  let match: RegExpExecArray | null;
  while ((match = fence.exec(readme)) !== null) {
    const source = match[1];
    if (!/new App\(/.test(source)) {
      continue;
    }
    const line = readme.slice(0, match.index).split('\n').length + 1;
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true },
    }).outputText;
    examples.push({ page, line, run: () => runExample(js) });
  }
  return examples;
}

function runExample(js: string): cdk.App[] {
  const apps: cdk.App[] = [];
  class RecordedApp extends cdk.App {
    constructor(props?: cdk.AppProps) {
      super(props);
      apps.push(this);
    }
  }
  const lib = new Proxy(cdk, { get: (target, key) => (key === 'App' ? RecordedApp : (target as any)[key]) });
  const load = (id: string): unknown => {
    if (id === 'aws-cdk-lib') {
      return lib;
    }
    if (id === 'cdk-workspaces') {
      return cdkWorkspaces;
    }
    // The modules the example names, known only when it runs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(id);
  };
  // The snapshot example's jest, which these runs do not check.
  const expect = Object.assign(() => ({ toMatchSnapshot: () => undefined }), { addSnapshotSerializer: () => undefined });
  const mod = { exports: {} };
  new Function('require', 'module', 'exports', 'expect', js)(load, mod, mod.exports, expect);
  return apps;
}
