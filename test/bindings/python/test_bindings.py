"""The Python binding, as a Python user meets it: the wheel built from this checkout,
installed with aws-cdk-lib and constructs from PyPI, driven with Python's own names."""

import importlib.util
import json
import pathlib
import re
import tarfile

import pytest
from aws_cdk import App, Duration, Environment, RemovalPolicy, Size, Stack, Tags
from aws_cdk.assertions import Template

from cdk_workspaces import (
    BundleChange,
    BundleOwner,
    ConnectionAlias,
    ComputeType,
    CustomWorkspaceBundle,
    DisruptionPolicy,
    IpAccessControlGroup,
    IpRule,
    RunningMode,
    SelfservicePermissions,
    Workspace,
    WorkspaceBundle,
    WorkspaceFleet,
    WorkspaceImage,
    WorkspaceProvider,
    WorkspacesDirectory,
)

ROOT = pathlib.Path(__file__).resolve().parents[3]


def ids(stack: Stack) -> dict:
    """The directory and the bundle, as objects."""
    directory = stack.node.try_find_child("Directory") or WorkspacesDirectory.from_directory_id(stack, "Directory", "d-1234567890")
    return dict(directory=directory, bundle=WorkspaceBundle.from_bundle_id("wsb-12345678"))


def new_stack() -> Stack:
    return Stack(App(), "Desktops", env=Environment(account="111122223333", region="eu-west-1"))


def workspaces_by_user(template: Template) -> dict:
    resources = template.find_resources("Custom::Workspace").values()
    return {r["Properties"]["UserName"]: r for r in resources}


def two_workspaces() -> Template:
    stack = new_stack()
    Tags.of(stack).add("team", "platform")
    alice = Workspace(stack, "Alice", **ids(stack),
        user_name="alice",
        running_mode=RunningMode.AUTO_STOP,
        auto_stop_timeout=Duration.hours(2),
    )
    Tags.of(alice).add("cost-center", "42")
    Workspace(stack, "Bob", **ids(stack),
        user_name="bob",
        running_mode=RunningMode.ALWAYS_ON,
        removal_policy=RemovalPolicy.DESTROY,
        adopt_existing=True,
        disruption_policy=DisruptionPolicy.IMMEDIATE,
        bundle_change=BundleChange.REFUSE,
    )
    return Template.from_stack(stack)


def without_service_token(resource: dict) -> dict:
    return {k: v for k, v in resource["Properties"].items() if k != "ServiceToken"}


def test_renders_each_workspace_under_the_api_names():
    ws = workspaces_by_user(two_workspaces())

    assert without_service_token(ws["alice"]) == {
        "DirectoryId": "d-1234567890",
        "BundleId": "wsb-12345678",
        "UserName": "alice",
        "RootVolumeEncryptionEnabled": "false",
        "UserVolumeEncryptionEnabled": "false",
        "WorkspaceProperties": {"RunningMode": "AUTO_STOP", "RunningModeAutoStopTimeoutInMinutes": 120},
        "Tags": [{"Key": "cost-center", "Value": "42"}, {"Key": "team", "Value": "platform"}],
        "TimeoutSeconds": 3300,
        "ServiceTimeout": "3600",
    }
    assert without_service_token(ws["bob"]) == {
        "DirectoryId": "d-1234567890",
        "BundleId": "wsb-12345678",
        "UserName": "bob",
        "RootVolumeEncryptionEnabled": "false",
        "UserVolumeEncryptionEnabled": "false",
        "WorkspaceProperties": {"RunningMode": "ALWAYS_ON"},
        "Tags": [{"Key": "team", "Value": "platform"}],
        "TimeoutSeconds": 3300,
        "ServiceTimeout": "3600",
        "AdoptExisting": "true",
        "DisruptionPolicy": "IMMEDIATE",
        "BundleChange": "REFUSE",
    }


def test_retains_by_default_and_deletes_with_removal_policy_destroy():
    ws = workspaces_by_user(two_workspaces())
    # The default, RETAIN_ON_UPDATE_OR_DELETE: kept on delete and replacement, not when its own
    # creation rolls back.
    assert (ws["alice"]["DeletionPolicy"], ws["alice"]["UpdateReplacePolicy"]) == ("RetainExceptOnCreate", "Retain")
    assert (ws["bob"]["DeletionPolicy"], ws["bob"]["UpdateReplacePolicy"]) == ("Delete", "Delete")


def test_one_provider_serves_both_workspaces():
    template = two_workspaces()
    template.resource_count_is("Custom::Workspace", 2)
    template.resource_count_is("AWS::StepFunctions::StateMachine", 1)
    tokens = {json.dumps(r["Properties"]["ServiceToken"], sort_keys=True)
              for r in workspaces_by_user(template).values()}
    assert len(tokens) == 1


def test_a_validation_error_reaches_python_naming_the_prop():
    stack = new_stack()
    with pytest.raises(RuntimeError, match=re.escape('Invalid bundle.bundleId "wsb-123"')):
        Workspace(stack, "Bad", directory=ids(stack)["directory"], bundle=WorkspaceBundle.from_bundle_id("wsb-123"), user_name="alice")
    with pytest.raises(RuntimeError, match=re.escape('Invalid directoryId "dir-123"')):
        WorkspacesDirectory.from_directory_id(stack, "BadDirectory", "dir-123")


def test_the_auto_stop_rule_reaches_python_naming_the_prop():
    stack = new_stack()
    with pytest.raises(RuntimeError, match=re.escape("Invalid autoStopTimeout")):
        Workspace(stack, "Bad", **ids(stack), user_name="alice",
                  running_mode=RunningMode.ALWAYS_ON, auto_stop_timeout=Duration.hours(2))


def test_a_directory_registered_in_python_and_a_bundle_by_name():
    stack = new_stack()
    directory = WorkspacesDirectory(stack, "Registered", directory_id="d-2234567890",
        selfservice_permissions=SelfservicePermissions(increase_volume_size=True),
        enable_internet_access=False,
    )
    ws = Workspace(stack, "Carol", directory=directory, user_name="carol",
        bundle=WorkspaceBundle.from_name("Standard with Windows 10 (Server 2022 based)", BundleOwner.AMAZON))
    template = Template.from_stack(stack)
    [(directory_id, registration)] = template.find_resources("Custom::WorkspacesDirectory").items()
    assert registration["Properties"]["DirectoryId"] == "d-2234567890"
    assert registration["Properties"]["SelfservicePermissions"]["IncreaseVolumeSize"] == "ENABLED"
    [carol] = template.find_resources("Custom::Workspace").values()
    assert carol["Properties"]["BundleName"] == "Standard with Windows 10 (Server 2022 based)"
    assert carol["Properties"]["BundleOwner"] == "AMAZON"
    assert "BundleId" not in carol["Properties"]
    assert directory_id in carol["DependsOn"]
    assert stack.resolve(ws.bundle_id)["Fn::GetAtt"][1] == "BundleId"


def test_an_ip_access_control_group_in_python_reaches_the_directory():
    stack = new_stack()
    office = IpAccessControlGroup(stack, "Office", rules=[IpRule.cidr("203.0.113.0/24", "office")], group_name="office")
    partner = IpAccessControlGroup.from_group_id(stack, "Partner", "wsipg-abcdef12")
    WorkspacesDirectory(stack, "Registered", directory_id="d-2234567890", ip_groups=[office, partner])
    template = Template.from_stack(stack)
    [(group_id, group)] = template.find_resources("AWS::WorkSpaces::WorkspaceIpGroup").items()
    assert group["Properties"]["UserRules"] == [{"IpRule": "203.0.113.0/24", "RuleDesc": "office"}]
    [registration] = template.find_resources("Custom::WorkspacesDirectory").values()
    assert registration["Properties"]["IpGroupIds"] == [{"Fn::GetAtt": [group_id, "GroupId"]}, "wsipg-abcdef12"]
    with pytest.raises(RuntimeError, match=re.escape('Invalid rules[0] "203.0.113.9/24"')):
        IpAccessControlGroup(stack, "Bad", rules=[IpRule.cidr("203.0.113.9/24")])


def test_a_connection_alias_associated_in_python_exposes_the_connection_identifier():
    stack = new_stack()
    directory = WorkspacesDirectory(stack, "Registered", directory_id="d-2234567890")
    association = ConnectionAlias(stack, "Alias", connection_string="desktop.example.com").associate(directory)
    template = Template.from_stack(stack)
    [(logical_id, resource)] = template.find_resources("Custom::WorkspacesConnectionAliasAssociation").items()
    assert resource["Properties"]["ResourceId"] == "d-2234567890"
    assert stack.resolve(association.connection_identifier) == {"Fn::GetAtt": [logical_id, "ConnectionIdentifier"]}


def test_from_user_name_looks_the_workspace_up_at_deploy_time():
    stack = new_stack()
    bob = Workspace.from_user_name(stack, "Bob", directory=ids(stack)["directory"], user_name="bob")
    template = Template.from_stack(stack)
    [(logical_id, lookup)] = template.find_resources("Custom::WorkspaceLookup").items()
    assert lookup["Properties"]["UserName"] == "bob"
    assert stack.resolve(bob.workspace_id) == {"Fn::GetAtt": [logical_id, "WorkspaceId"]}


def test_the_installed_package_carries_the_handler_bundle():
    jsii_dir = pathlib.Path(importlib.util.find_spec("cdk_workspaces._jsii").origin).parent
    [tarball] = list(jsii_dir.glob("*.jsii.tgz"))
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
    # One bundle serves both handlers (index.onEvent, index.isComplete).
    assert "package/assets/lambda/handler/index.js" in names


def readme_python_block() -> str:
    readme = (ROOT / "docs" / "languages.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", readme, flags=re.MULTILINE | re.DOTALL)
    assert len(blocks) == 1, "docs/languages.md has one Python example"
    return blocks[0]


def test_the_readme_python_example_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__main__"}
    exec(compile(readme_python_block(), "docs/languages.md (python)", "exec"), namespace)

    stack = namespace["app"].node.find_child("Desktops")
    ws = workspaces_by_user(Template.from_stack(stack))
    assert sorted(ws) == ["alice", "bob"]
    assert ws["alice"]["Properties"]["WorkspaceProperties"] == {
        "RunningMode": "AUTO_STOP", "RunningModeAutoStopTimeoutInMinutes": 120}
    assert ws["alice"]["Properties"]["Tags"] == [{"Key": "cost-center", "Value": "42"}]
    assert ws["bob"]["DeletionPolicy"] == "Delete"
    # The example's own app.synth() wrote the cloud assembly (synth again returns that one).
    assembly = namespace["app"].synth()
    assert (pathlib.Path(assembly.directory) / "Desktops.template.json").is_file()


def test_a_fleet_renders_every_user_and_exposes_one():
    stack = new_stack()
    fleet = WorkspaceFleet(stack, "Sales",
        directory=WorkspacesDirectory.from_directory_id(stack, "Directory", "d-1234567890"),
        bundle=WorkspaceBundle.from_bundle_id("wsb-12345678"),
        users=["alice", "bob"],
        running_mode=RunningMode.ALWAYS_ON,
    )
    fleet.add_user("carol", compute_type=ComputeType.POWER, tags={"role": "lead"})
    Tags.of(fleet).add("team", "sales")
    carol = fleet.workspace("carol")
    assert carol.workspace_id

    template = Template.from_stack(stack)
    template.resource_count_is("Custom::WorkspaceFleet", 1)
    (fleet_resource,) = template.find_resources("Custom::WorkspaceFleet").values()
    props = fleet_resource["Properties"]
    assert props["Users"] == [
        {"UserName": "alice"},
        {"UserName": "bob"},
        {"UserName": "carol", "WorkspaceProperties": {"ComputeTypeName": "POWER"}, "Tags": [{"Key": "role", "Value": "lead"}]},
    ]
    assert props["Tags"] == [{"Key": "team", "Value": "sales"}]
    assert props["ExportedUsers"] == ["carol"]
    assert props["WorkspaceProperties"]["RunningMode"] == "ALWAYS_ON"


def test_a_user_twice_reaches_python_naming_the_fleet():
    stack = new_stack()
    fleet = WorkspaceFleet(stack, "Sales",
        directory=WorkspacesDirectory.from_directory_id(stack, "Directory", "d-1234567890"),
        bundle=WorkspaceBundle.from_bundle_id("wsb-12345678"),
        users=["alice"],
    )
    with pytest.raises(Exception, match=r'Desktops/Sales: Invalid userName "ALICE"'):
        fleet.add_user("ALICE")


def test_the_provider_is_configured_from_python_before_the_first_construct():
    from aws_cdk import aws_logs as logs
    stack = new_stack()
    provider = WorkspaceProvider.configure(stack, log_retention=logs.RetentionDays.ONE_MONTH)
    Workspace(stack, "Alice", **ids(stack), user_name="alice")
    # jsii gives Python a new proxy of the same object: compare the construct paths.
    assert WorkspaceProvider.get_or_create(stack).node.path == provider.node.path
    assert provider.on_event_role is not None and provider.is_complete_role is not None
    groups = Template.from_stack(stack).find_resources("AWS::Logs::LogGroup").values()
    assert {g["Properties"]["RetentionInDays"] for g in groups} == {30}
    with pytest.raises(RuntimeError, match=re.escape("Invalid WorkspaceProvider.configure(): the provider of stack Desktops exists already")):
        WorkspaceProvider.configure(stack, log_retention=logs.RetentionDays.ONE_YEAR)


def test_golden_image_to_custom_bundle_to_fleet():
    """A builder WorkSpace, an image of it, a custom bundle of the image, and a fleet on the bundle,
    with Python's names; the fleet takes the custom bundle as it takes WorkspaceBundle.from_name."""
    stack = new_stack()
    builder = Workspace(stack, "Builder", **ids(stack), user_name="image-builder")
    image = WorkspaceImage.from_workspace(stack, "Golden", builder, image_name="golden-1", timeout=Duration.minutes(50))
    bundle = CustomWorkspaceBundle(stack, "GoldenBundle",
        image=image,
        bundle_name="golden-standard",
        compute_type=ComputeType.STANDARD,
        user_volume_size=Size.gibibytes(100),
    )
    WorkspaceFleet(stack, "Team", directory=ids(stack)["directory"], bundle=bundle, users=["ana", "ben"])
    template = Template.from_stack(stack)

    [(image_id, image_resource)] = template.find_resources("Custom::WorkspaceImage").items()
    assert image_resource["Properties"]["ImageName"] == "golden-1"
    assert image_resource["Properties"]["TimeoutSeconds"] == 3000
    [(bundle_id, bundle_resource)] = template.find_resources("Custom::WorkspaceCustomBundle").items()
    assert without_service_token(bundle_resource) == {
        "BundleName": "golden-standard",
        "BundleDescription": "Made by cdk-workspaces",
        "ImageId": {"Fn::GetAtt": [image_id, "ImageId"]},
        "ComputeTypeName": "STANDARD",
        "RootVolumeSizeGib": 80,
        "UserVolumeSizeGib": 100,
    }
    [fleet] = template.find_resources("Custom::WorkspaceFleet").values()
    assert fleet["Properties"]["BundleId"] == {"Fn::GetAtt": [bundle_id, "BundleId"]}
    assert WorkspaceImage.from_image_id(stack, "Existing", "wsi-123456789").image_id == "wsi-123456789"


def test_golden_image_errors_name_the_construct_the_prop_and_the_value_with_its_unit():
    stack = new_stack()
    image = WorkspaceImage.from_image_id(stack, "Image", "wsi-123456789")
    with pytest.raises(Exception, match=r"Desktops/Bundle: Invalid rootVolumeSize 90 GiB: root volume must be 80 or 100 GiB"):
        CustomWorkspaceBundle(stack, "Bundle", image=image, bundle_name="golden", compute_type=ComputeType.STANDARD,
            root_volume_size=Size.gibibytes(90))
    with pytest.raises(Exception, match=r'Invalid imageId "wsb-123456789"'):
        WorkspaceImage.from_image_id(stack, "Bad", "wsb-123456789")
