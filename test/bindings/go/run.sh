#!/usr/bin/env bash
# test:go - build the Go binding from this checkout and prove it by synthesizing stacks with
# it, the way a Go user would (go test). Needs nothing but `npm ci` and Go before it: it
# bundles, compiles and generates the module, then `go test` builds it with aws-cdk-go from the
# Go module proxy (the first run downloads and compiles aws-cdk-go, some minutes; Go caches both).
set -euo pipefail
cd "$(dirname "$0")/../../.."

npx projen bundle
npx projen compile
npx projen rosetta:extract
rm -rf dist/go
npx projen package:go

cd test/bindings/go
floor=$(node -p "require('../../../package.json').peerDependencies['aws-cdk-lib']")
used=$(go list -m -f '{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' github.com/aws/aws-cdk-go/awscdk/v2)
echo "test:go: aws-cdk-go $used from the Go module proxy (the library's aws-cdk-lib: $floor; see go.mod)"
go test -count=1 -v ./...
