#!/usr/bin/env bash
# test:cli-package - the `cdk-workspaces` command as a user gets it: the packed npm tarball
# (dist/js, written by `npx projen build` or `npx projen package:js`) installed in an empty
# directory with nothing else (no dev dependencies, no peer dependencies), then run with npx:
# --help, and an import and a drift against a local WorkSpaces endpoint.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

shopt -s nullglob
tarballs=(dist/js/cdk-workspaces@*.tgz dist/js/cdk-workspaces-*.tgz)
if [ ${#tarballs[@]} -ne 1 ]; then
  echo "[test:cli-package] expected one npm tarball in dist/js, found ${#tarballs[@]}: run 'npx projen build' first" >&2
  exit 1
fi
tarball="$root/${tarballs[0]}"

work="$(mktemp -d)"
endpoint_pid=""
cleanup() {
  if [ -n "$endpoint_pid" ]; then kill "$endpoint_pid" 2>/dev/null || true; wait "$endpoint_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

cd "$work"
npm init -y >/dev/null
# --omit=peer: the command must need nothing beyond the package (aws-cdk-lib is a peer).
npm install --no-audit --no-fund --omit=peer --ignore-scripts "$tarball" >/dev/null
if [ -d node_modules/aws-cdk-lib ] || [ -d node_modules/@aws-sdk ]; then
  echo "[test:cli-package] the install pulled in aws-cdk-lib or the SDK; the test would not prove the bundle self-contained" >&2
  exit 1
fi

help="$(npx --no-install cdk-workspaces --help)"
grep -q 'import --directory <id>' <<<"$help"
grep -q 'drift --app <cdk.out>' <<<"$help"
echo "[test:cli-package] npx cdk-workspaces --help works from $(basename "$tarball")"

# A real call through the packaged command: a local endpoint with two WorkSpaces.
"$root/node_modules/.bin/tsx" "$root/test/cli/seeded-endpoint.ts" >"$work/endpoint.env" &
endpoint_pid=$!
for _ in $(seq 1 100); do
  grep -q '^AWS_ENDPOINT_URL_WORKSPACES=' "$work/endpoint.env" 2>/dev/null && break
  sleep 0.1
done
set -a
# shellcheck disable=SC1091
source "$work/endpoint.env"
set +a
npx --no-install cdk-workspaces import --directory d-1234567890 --out imported.ts 2>import.log
grep -q "userName: \"alice\"" imported.ts
grep -q "Wrote 3 WorkSpaces to imported.ts" import.log
grep -q "Left out managed" import.log
echo "[test:cli-package] npx cdk-workspaces import read the local endpoint and wrote imported.ts"
