import * as fs from 'fs';
import * as path from 'path';

export { LIBRARY_VERSION_ENV } from './handler-environment';

/** This package's version, read once from its own package.json (two levels above lib/private/). */
export function libraryVersion(): string {
  if (cachedVersion === undefined) {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
    cachedVersion = String(manifest.version);
  }
  return cachedVersion;
}

let cachedVersion: string | undefined;
