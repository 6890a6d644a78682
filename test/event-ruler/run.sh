#!/usr/bin/env bash
# test:event-ruler - onOutOfBandChange's event pattern, as the construct synthesizes it, matched
# by aws/event-ruler against CloudTrail records: a console change matches, the provider's own
# calls (with the User-Agent that its client really sends) do not. Maven's downloads are kept
# in .m2-cache/, shared with the Java binding test.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

rm -rf test/event-ruler/target
npx tsx test/event-ruler/generate.ts
mvn --batch-mode --no-transfer-progress \
  -Dmaven.repo.local="$root/.m2-cache" \
  -f test/event-ruler/pom.xml test
