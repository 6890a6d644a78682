#!/usr/bin/env bash
# test:java - build the Java binding from this checkout and prove it by synthesizing stacks
# with it, the way a Java user would (JUnit 5 through Maven). Needs nothing but `npm ci`
# before it: it bundles, compiles and packages. Maven's downloads are kept in .m2-cache/,
# which `npx projen package:java` uses too.
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$PWD

npx projen bundle
npx projen compile
npx projen rosetta:extract
rm -rf dist/java
npx projen package:java

# The version is 0.0.0 on every build, and Maven never looks again for a release it has
# cached: drop the copy of an earlier run so that the jar just built is the one tested.
rm -rf "$root/.m2-cache/io/github/cdk-workspaces"

mvn --batch-mode --no-transfer-progress \
  -Dmaven.repo.local="$root/.m2-cache" \
  -f test/bindings/java/pom.xml test
