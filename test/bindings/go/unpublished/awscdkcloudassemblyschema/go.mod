// Stands in for github.com/cdklabs/cloud-assembly-schema-go/awscdkcloudassemblyschema/v55, which
// the generated go.mod lists (indirect, from aws-cdk-lib 2.274.0) but the Go module proxy does not
// have yet. Nothing imports it: awscdk v2.270.0, which the test uses, imports v54.
module github.com/cdklabs/cloud-assembly-schema-go/awscdkcloudassemblyschema/v55

go 1.25
