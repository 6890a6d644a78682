// The Go binding, as a Go user meets it: the module that jsii-pacmak generates from this checkout
// (dist/go/cdkworkspaces), with aws-cdk-go at the library's floor from the Go module proxy. Run by
// run.sh; not published.
module github.com/cdk-workspaces/cdk-workspaces-go-bindings-test

go 1.25.0

replace github.com/cdk-workspaces/cdk-workspaces-go/cdkworkspaces => ../../../dist/go/cdkworkspaces

require (
	github.com/aws/aws-cdk-go/awscdk/v2 v2.240.0
	github.com/aws/jsii-runtime-go v1.140.0
	github.com/cdk-workspaces/cdk-workspaces-go/cdkworkspaces v0.0.0-00010101000000-000000000000
)
