// The command uses the handler's shared layers (the API, parse, plan, pre-flight), never a
// resource module: a resource's module may change its wire details (a fleet's physical id, say)
// without the command depending on them.
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';

const CLI = path.join(__dirname, '../../cli');
/** The resource modules of lambda/, in the flat layout and in lambda/resources/<type>/. */
const RESOURCE_MODULE = /['"]\.\.\/lambda\/(resources\/|directory['"]|fleet['"]|fleet-properties['"]|lookup['"]|handler['"])/;

test('cli/ imports no resource module of lambda/', () => {
  const offending = readdirSync(CLI).filter((f) => f.endsWith('.ts'))
    .flatMap((f) => readFileSync(path.join(CLI, f), 'utf8').split('\n').filter((l) => /^import /.test(l) && RESOURCE_MODULE.test(l)).map((l) => `${f}: ${l}`));
  expect(offending).toEqual([]);
});
