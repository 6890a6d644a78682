#!/usr/bin/env bash
# Maven Central, as this project's machines reach it, has aws-cdk-lib up to 2.263.0, while the
# library's floor is 2.274.0: the jar that jsii-pacmak builds declares [2.274.0,3.0.0), which
# Maven cannot resolve, so neither package:java nor the Java binding test could run. Until Maven
# Central has the floor, this puts a relocation stub for aws-cdk-lib 2.274.0 into the project's
# local Maven repository (.m2-cache, never published): Maven resolves the range to it and
# follows it to 2.263.0, which has everything the library calls. The jar's own pom still
# declares [2.274.0,3.0.0). Delete this script and its two callers (package:java in
# .projenrc.ts, test/bindings/java/run.sh) once `mvn dependency:get
# -Dartifact=software.amazon.awscdk:aws-cdk-lib:2.274.0` works.
set -euo pipefail
repo=${1:?usage: floor-stand-in.sh <maven local repository>}
floor=2.274.0
stand_in=2.263.0

dir="$repo/software/amazon/awscdk/aws-cdk-lib"
mkdir -p "$dir/$floor"
cat > "$dir/$floor/aws-cdk-lib-$floor.pom" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>software.amazon.awscdk</groupId>
  <artifactId>aws-cdk-lib</artifactId>
  <version>$floor</version>
  <distributionManagement>
    <relocation>
      <version>$stand_in</version>
      <message>cdk-workspaces: a local stand-in until Maven Central has aws-cdk-lib $floor</message>
    </relocation>
  </distributionManagement>
</project>
POM
cat > "$dir/maven-metadata-local.xml" <<META
<?xml version="1.0" encoding="UTF-8"?>
<metadata>
  <groupId>software.amazon.awscdk</groupId>
  <artifactId>aws-cdk-lib</artifactId>
  <versioning>
    <versions>
      <version>$floor</version>
    </versions>
    <lastUpdated>20260101000000</lastUpdated>
  </versioning>
</metadata>
META
