#!/usr/bin/env bash
# test:cdk-latest - `npm test` proves the library at its aws-cdk-lib floor; this proves it with
# the newest aws-cdk-lib on the registry too. In a clean copy of this checkout (the files a clone
# would have: tracked and not ignored, so nothing built or installed here leaks in), it installs
# the locked dependencies, puts the newest aws-cdk-lib over the floor, and runs what of the test
# task depends on aws-cdk-lib: the jest suites that synthesize (constructs, snapshots, IAM,
# cdk-nag 2 and 3, policy, CLI), the type-check and the integ snapshot check. cdk-nag 3's tests
# run only here: they need aws-cdk-lib's Validations (2.257.0), which the floor (2.240.0) lacks. Left out: eslint,
# whose rules do not change with it, and test/handler/ and test/local/, which drive the bundled
# handlers (no aws-cdk-lib in them) over the endpoint; the templates they deploy carry the
# library's own properties, which the snapshot suites above prove with the newest aws-cdk-lib.
# They are most of jest's time, and CI's 30 minutes have no room for running them twice.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

work=$(mktemp -d "${TMPDIR:-/tmp}/cdk-workspaces-latest.XXXXXX")
trap 'rm -rf "$work"' EXIT

git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' file; do [ -e "$file" ] && printf '%s\0' "$file"; done \
  | tar --null -T - -cf - | tar -xf - -C "$work"
cd "$work"

npm ci --no-audit --no-fund --loglevel=error
floor=$(node -p "require('aws-cdk-lib/package.json').version")
# --no-save: the copy's package.json and lockfile keep the floor; only node_modules changes.
npm install --no-save --no-audit --no-fund --loglevel=error aws-cdk-lib@latest
latest=$(node -p "require('aws-cdk-lib/package.json').version")
echo "aws-cdk-lib: floor $floor, testing with the newest, $latest"

npx projen bundle
# On the command line testPathIgnorePatterns replaces the configured list, so it repeats it.
npx jest --passWithNoTests --ci \
  --testPathIgnorePatterns '/node_modules/' '\.snapshot/' '<rootDir>/test/handler/' '<rootDir>/test/local/'
npx projen typecheck
npx projen integ:snapshot
echo "test:cdk-latest: the synthesizing jest suites, the type-check and the integ snapshot check passed with aws-cdk-lib $latest (floor $floor)"
