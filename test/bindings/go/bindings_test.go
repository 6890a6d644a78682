// The Go binding, as a Go user meets it: the module generated from this checkout, driven with
// Go's own names, synthesizing stacks and asserting on their templates.
package bindings

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-workspaces/cdk-workspaces-go/cdkworkspaces"
)

func newStack() awscdk.Stack {
	return awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Desktops"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("eu-west-1")},
	})
}

// directoryOf is the stack's directory d-1234567890, registered elsewhere.
func directoryOf(stack awscdk.Stack) cdkworkspaces.IWorkspacesDirectory {
	return cdkworkspaces.WorkspacesDirectory_FromDirectoryId(stack, jsii.String("Directory"), jsii.String("d-1234567890"))
}

func standardBundle() cdkworkspaces.WorkspaceBundle {
	return cdkworkspaces.WorkspaceBundle_FromBundleId(jsii.String("wsb-12345678"))
}

func twoWorkspaces() assertions.Template {
	stack := newStack()
	awscdk.Tags_Of(stack).Add(jsii.String("team"), jsii.String("platform"), nil)
	directory := directoryOf(stack)
	alice := cdkworkspaces.NewWorkspace(stack, jsii.String("Alice"), &cdkworkspaces.WorkspaceProps{
		Directory:       directory,
		Bundle:          standardBundle(),
		UserName:        jsii.String("alice"),
		RunningMode:     cdkworkspaces.RunningMode_AUTO_STOP,
		AutoStopTimeout: awscdk.Duration_Hours(jsii.Number(2)),
	})
	awscdk.Tags_Of(alice).Add(jsii.String("cost-center"), jsii.String("42"), nil)
	cdkworkspaces.NewWorkspace(stack, jsii.String("Bob"), &cdkworkspaces.WorkspaceProps{
		Directory:     directory,
		Bundle:        standardBundle(),
		UserName:      jsii.String("bob"),
		RunningMode:   cdkworkspaces.RunningMode_ALWAYS_ON,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
		BundleChange:  cdkworkspaces.BundleChange_REFUSE,
	})
	return assertions.Template_FromStack(stack, nil)
}

// workspacesByUser returns each Custom::Workspace of the template, keyed by its UserName,
// as plain JSON values.
func workspacesByUser(t *testing.T, template assertions.Template) map[string]map[string]any {
	t.Helper()
	found := template.FindResources(jsii.String("Custom::Workspace"), nil)
	raw, err := json.Marshal(found)
	if err != nil {
		t.Fatal(err)
	}
	var resources map[string]map[string]any
	if err := json.Unmarshal(raw, &resources); err != nil {
		t.Fatal(err)
	}
	byUser := map[string]map[string]any{}
	for _, r := range resources {
		props := r["Properties"].(map[string]any)
		delete(props, "ServiceToken")
		byUser[props["UserName"].(string)] = r
	}
	return byUser
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func TestRendersEachWorkspaceUnderTheApiNames(t *testing.T) {
	ws := workspacesByUser(t, twoWorkspaces())
	if len(ws) != 2 {
		t.Fatalf("want 2 WorkSpaces, got %d", len(ws))
	}
	// encoding/json sorts map keys, so each side is compared in one canonical form.
	want := map[string]string{
		"alice": `{"BundleId":"wsb-12345678","DirectoryId":"d-1234567890","RootVolumeEncryptionEnabled":"false",` +
			`"ServiceTimeout":"3600","Tags":[{"Key":"cost-center","Value":"42"},{"Key":"team","Value":"platform"}],"TimeoutSeconds":3300,` +
			`"UserName":"alice","UserVolumeEncryptionEnabled":"false",` +
			`"WorkspaceProperties":{"RunningMode":"AUTO_STOP","RunningModeAutoStopTimeoutInMinutes":120}}`,
		"bob": `{"BundleChange":"REFUSE","BundleId":"wsb-12345678","DirectoryId":"d-1234567890","RootVolumeEncryptionEnabled":"false",` +
			`"ServiceTimeout":"3600","Tags":[{"Key":"team","Value":"platform"}],"TimeoutSeconds":3300,` +
			`"UserName":"bob","UserVolumeEncryptionEnabled":"false",` +
			`"WorkspaceProperties":{"RunningMode":"ALWAYS_ON"}}`,
	}
	for user, props := range want {
		if got := asJSON(t, ws[user]["Properties"]); got != props {
			t.Errorf("%s:\n got %s\nwant %s", user, got, props)
		}
	}
}

func TestRetainsByDefaultAndDeletesWithRemovalPolicyDestroy(t *testing.T) {
	ws := workspacesByUser(t, twoWorkspaces())
	got := fmt.Sprintf("%v %v %v %v", ws["alice"]["DeletionPolicy"], ws["alice"]["UpdateReplacePolicy"], ws["bob"]["DeletionPolicy"], ws["bob"]["UpdateReplacePolicy"])
	if want := "RetainExceptOnCreate Retain Delete Delete"; got != want {
		t.Errorf("deletion and replace policies: got %q, want %q", got, want)
	}
}

func TestOneProviderServesBothWorkspaces(t *testing.T) {
	template := twoWorkspaces()
	template.ResourceCountIs(jsii.String("Custom::Workspace"), jsii.Number(2))
	template.ResourceCountIs(jsii.String("AWS::StepFunctions::StateMachine"), jsii.Number(1))
	template.ResourcePropertiesCountIs(jsii.String("AWS::Lambda::Function"), map[string]any{
		"Runtime":     "nodejs24.x",
		"Description": assertions.Match_StringLikeRegexp(jsii.String("^cdk-workspaces: ")),
	}, jsii.Number(2))
}

// panicMessage runs f and returns the message of the panic it raises (jsii turns a
// JavaScript error into a Go panic), or "" when it does not panic.
func panicMessage(f func()) (message string) {
	defer func() {
		if r := recover(); r != nil {
			message = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

func TestAValidationErrorReachesGoNamingThePropAndTheValue(t *testing.T) {
	message := panicMessage(func() {
		stack := newStack()
		cdkworkspaces.NewWorkspace(stack, jsii.String("Bad"), &cdkworkspaces.WorkspaceProps{
			Directory: directoryOf(stack),
			Bundle:    cdkworkspaces.WorkspaceBundle_FromBundleId(jsii.String("wsb-123")),
			UserName:  jsii.String("alice"),
		})
	})
	if !strings.Contains(message, `Invalid bundle.bundleId "wsb-123"`) {
		t.Errorf("want a panic naming bundle.bundleId and its value, got %q", message)
	}
}

func TestTheAutoStopRuleReachesGo(t *testing.T) {
	message := panicMessage(func() {
		stack := newStack()
		cdkworkspaces.NewWorkspace(stack, jsii.String("Bad"), &cdkworkspaces.WorkspaceProps{
			Directory:       directoryOf(stack),
			Bundle:          standardBundle(),
			UserName:        jsii.String("alice"),
			RunningMode:     cdkworkspaces.RunningMode_ALWAYS_ON,
			AutoStopTimeout: awscdk.Duration_Hours(jsii.Number(2)),
		})
	})
	if !strings.Contains(message, "Invalid autoStopTimeout") {
		t.Errorf("want a panic naming autoStopTimeout, got %q", message)
	}
}

func TestABundleByNameAndOwner(t *testing.T) {
	stack := newStack()
	cdkworkspaces.NewWorkspace(stack, jsii.String("Carol"), &cdkworkspaces.WorkspaceProps{
		Directory: directoryOf(stack),
		Bundle:    cdkworkspaces.WorkspaceBundle_FromName(jsii.String("Standard with Windows 10 (Server 2022 based)"), cdkworkspaces.BundleOwner_AMAZON),
		UserName:  jsii.String("carol"),
	})
	props := workspacesByUser(t, assertions.Template_FromStack(stack, nil))["carol"]["Properties"].(map[string]any)
	if props["BundleName"] != "Standard with Windows 10 (Server 2022 based)" || props["BundleOwner"] != "AMAZON" || props["BundleId"] != nil {
		t.Errorf("want the bundle by name and owner, got %v", props)
	}
}

// Registering a directory is a custom resource of the library's provider (CloudFormation's
// AWS::WorkSpaces::Directory cannot register one by id), so it works from the floor on.
func TestADirectoryRegisteredInGo(t *testing.T) {
	stack := newStack()
	office := cdkworkspaces.NewIpAccessControlGroup(stack, jsii.String("Office"), &cdkworkspaces.IpAccessControlGroupProps{
		Rules: &[]cdkworkspaces.IpRule{cdkworkspaces.IpRule_Cidr(jsii.String("203.0.113.0/24"), jsii.String("office"))},
	})
	cdkworkspaces.NewWorkspacesDirectory(stack, jsii.String("Registered"), &cdkworkspaces.WorkspacesDirectoryProps{
		DirectoryId:            jsii.String("d-2234567890"),
		SelfservicePermissions: &cdkworkspaces.SelfservicePermissions{IncreaseVolumeSize: jsii.Bool(true)},
		IpGroups: &[]cdkworkspaces.IIpAccessControlGroup{
			office,
			cdkworkspaces.IpAccessControlGroup_FromGroupId(stack, jsii.String("Partner"), jsii.String("wsipg-abcdef12")),
		},
	})
	template := assertions.Template_FromStack(stack, nil)
	template.HasResourceProperties(jsii.String("AWS::WorkSpaces::WorkspaceIpGroup"), map[string]any{
		"UserRules": []any{map[string]any{"IpRule": "203.0.113.0/24", "RuleDesc": "office"}},
	})
	template.HasResourceProperties(jsii.String("Custom::WorkspacesDirectory"), map[string]any{
		"DirectoryId":            "d-2234567890",
		"IpGroupIds":             assertions.Match_ArrayWith(&[]any{"wsipg-abcdef12"}),
		"SelfservicePermissions": assertions.Match_ObjectLike(&map[string]any{"IncreaseVolumeSize": "ENABLED"}),
	})
}

// The Go example of docs/languages.md, run as written: copied into a program of this module, run with
// `go run`, it must synthesize the stack with both WorkSpaces.
func TestTheReadmeGoExampleRunsAsWritten(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "languages.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?ms)^```go\n(.*?)^```").FindAllStringSubmatch(string(readme), -1)
	if len(blocks) != 1 {
		t.Fatalf("want one Go example in docs/languages.md, found %d", len(blocks))
	}
	dir := filepath.Join("readme-example")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(blocks[0][1]), 0o644); err != nil {
		t.Fatal(err)
	}
	outdir := t.TempDir()
	cmd := exec.Command("go", "run", "./"+dir)
	cmd.Env = append(os.Environ(), "CDK_OUTDIR="+outdir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run of the docs/languages.md example: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(filepath.Join(outdir, "Desktops.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(raw), `"Type": "Custom::Workspace"`); n != 2 {
		t.Errorf("want 2 Custom::Workspace in the docs/languages.md example's template, got %d", n)
	}
}

// A fleet, as a Go user declares it: the directory and the bundle as objects, per-user
// overrides through AddUser, Tags_Of reaching every user, and one user's WorkSpace as IWorkspace.
func TestAFleetRendersEveryUserAndExposesOne(t *testing.T) {
	stack := newStack()
	fleet := cdkworkspaces.NewWorkspaceFleet(stack, jsii.String("Sales"), &cdkworkspaces.WorkspaceFleetProps{
		Directory:   cdkworkspaces.WorkspacesDirectory_FromDirectoryId(stack, jsii.String("Directory"), jsii.String("d-1234567890")),
		Bundle:      cdkworkspaces.WorkspaceBundle_FromBundleId(jsii.String("wsb-12345678")),
		Users:       jsii.Strings("alice", "bob"),
		RunningMode: cdkworkspaces.RunningMode_ALWAYS_ON,
	})
	fleet.AddUser(jsii.String("carol"), &cdkworkspaces.WorkspaceFleetUserOptions{
		ComputeType: cdkworkspaces.ComputeType_POWER(),
		Tags:        &map[string]*string{"role": jsii.String("lead")},
	})
	awscdk.Tags_Of(fleet).Add(jsii.String("team"), jsii.String("sales"), nil)
	carol := fleet.Workspace(jsii.String("carol"))
	if carol.WorkspaceId() == nil {
		t.Fatal("fleet.Workspace(carol) has no WorkspaceId")
	}
	template := assertions.Template_FromStack(stack, nil)
	template.ResourceCountIs(jsii.String("Custom::WorkspaceFleet"), jsii.Number(1))
	found := template.FindResources(jsii.String("Custom::WorkspaceFleet"), nil)
	got := asJSON(t, found)
	for _, want := range []string{
		`"Users":[{"UserName":"alice"},{"UserName":"bob"},{"Tags":[{"Key":"role","Value":"lead"}],"UserName":"carol","WorkspaceProperties":{"ComputeTypeName":"POWER"}}]`,
		`"Tags":[{"Key":"team","Value":"sales"}]`,
		`"ExportedUsers":["carol"]`,
		`"RunningMode":"ALWAYS_ON"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the fleet's properties lack %s: %s", want, got)
		}
	}
}

func TestAGoldenImageMakesACustomBundleThatAFleetUses(t *testing.T) {
	stack := newStack()
	directory := directoryOf(stack)
	builder := cdkworkspaces.NewWorkspace(stack, jsii.String("Builder"), &cdkworkspaces.WorkspaceProps{
		Directory: directory,
		Bundle:    standardBundle(),
		UserName:  jsii.String("image-builder"),
	})
	image := cdkworkspaces.WorkspaceImage_FromWorkspace(stack, jsii.String("Golden"), builder, &cdkworkspaces.WorkspaceImageCaptureOptions{
		ImageName: jsii.String("golden-1"),
	})
	bundle := cdkworkspaces.NewCustomWorkspaceBundle(stack, jsii.String("GoldenBundle"), &cdkworkspaces.CustomWorkspaceBundleProps{
		Image:          image,
		BundleName:     jsii.String("golden-standard"),
		ComputeType:    cdkworkspaces.ComputeType_STANDARD(),
		UserVolumeSize: awscdk.Size_Gibibytes(jsii.Number(100)),
	})
	// The fleet takes the custom bundle as it takes WorkspaceBundle_FromName.
	cdkworkspaces.NewWorkspaceFleet(stack, jsii.String("Team"), &cdkworkspaces.WorkspaceFleetProps{
		Directory: directory,
		Bundle:    bundle,
		Users:     jsii.Strings("ana", "ben"),
	})
	template := assertions.Template_FromStack(stack, nil)
	images := asJSON(t, template.FindResources(jsii.String("Custom::WorkspaceImage"), nil))
	bundles := asJSON(t, template.FindResources(jsii.String("Custom::WorkspaceCustomBundle"), nil))
	fleets := asJSON(t, template.FindResources(jsii.String("Custom::WorkspaceFleet"), nil))
	for _, check := range []struct{ in, want string }{
		{images, `"ImageName":"golden-1"`},
		{bundles, `"BundleName":"golden-standard"`},
		{bundles, `"ComputeTypeName":"STANDARD"`},
		{bundles, `"UserVolumeSizeGib":100`},
		{bundles, `"ImageId":{"Fn::GetAtt":["Golden`},
		{fleets, `"BundleId":{"Fn::GetAtt":["GoldenBundle`},
	} {
		if !strings.Contains(check.in, check.want) {
			t.Errorf("want %s in %s", check.want, check.in)
		}
	}
	message := panicMessage(func() {
		cdkworkspaces.NewCustomWorkspaceBundle(stack, jsii.String("Bad"), &cdkworkspaces.CustomWorkspaceBundleProps{
			Image:          cdkworkspaces.WorkspaceImage_FromImageId(stack, jsii.String("Existing"), jsii.String("wsi-123456789")),
			BundleName:     jsii.String("golden"),
			ComputeType:    cdkworkspaces.ComputeType_STANDARD(),
			RootVolumeSize: awscdk.Size_Gibibytes(jsii.Number(90)),
		})
	})
	if !strings.Contains(message, "Invalid rootVolumeSize 90 GiB") {
		t.Errorf("want a panic naming rootVolumeSize and its value in GiB, got %q", message)
	}
}
