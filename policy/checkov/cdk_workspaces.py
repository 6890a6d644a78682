"""checkov custom policy for Amazon WorkSpaces, shipped with cdk-workspaces.

checkov's own CKV_AWS_155 and CKV_AWS_156 check volume encryption on AWS::WorkSpaces::Workspace
only; the library's Custom::Workspace is opaque to them. These checks apply the same rules, and
the customer managed key rule of policy/guard/cdk-workspaces.guard, to both types. A custom
resource's properties arrive as strings ("true"/"false"), a native one's as booleans. The Guard
rules' fourth one, DeletionPolicy, has no checkov twin: checkov hands a resource check only the
resource's Type and Properties.

    checkov -f cdk.out/MyStack.template.json \\
      --external-checks-dir node_modules/cdk-workspaces/policy/checkov
"""

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

WORKSPACE_TYPES = ["Custom::Workspace", "AWS::WorkSpaces::Workspace"]


def _enabled(value) -> bool:
    if isinstance(value, list) and len(value) == 1:  # checkov wraps some values in a list
        value = value[0]
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _properties(conf) -> dict:
    properties = conf.get("Properties") or {}
    return properties if isinstance(properties, dict) else {}


class _PropertyEnabled(BaseResourceCheck):
    prop = ""

    def scan_resource_conf(self, conf):
        return CheckResult.PASSED if _enabled(_properties(conf).get(self.prop)) else CheckResult.FAILED


class UserVolumeEncrypted(_PropertyEnabled):
    prop = "UserVolumeEncryptionEnabled"

    def __init__(self):
        super().__init__(
            name="Ensure that the WorkSpace's user volume is encrypted (cdk-workspaces)",
            id="CKV_CDKWS_1",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=WORKSPACE_TYPES,
        )


class RootVolumeEncrypted(_PropertyEnabled):
    prop = "RootVolumeEncryptionEnabled"

    def __init__(self):
        super().__init__(
            name="Ensure that the WorkSpace's root volume is encrypted (cdk-workspaces)",
            id="CKV_CDKWS_2",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=WORKSPACE_TYPES,
        )


class VolumeKeyCustomerManaged(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="Ensure that the WorkSpace's volumes are encrypted with a customer managed KMS key (cdk-workspaces)",
            id="CKV_CDKWS_3",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=WORKSPACE_TYPES,
        )

    def scan_resource_conf(self, conf):
        return CheckResult.PASSED if _properties(conf).get("VolumeEncryptionKey") else CheckResult.FAILED


user_volume_encrypted = UserVolumeEncrypted()
root_volume_encrypted = RootVolumeEncrypted()
volume_key_customer_managed = VolumeKeyCustomerManaged()
