"""checkov with the custom policy that cdk-workspaces ships (policy/checkov/), on the templates
that test/policy/stacks.ts synthesizes: Compliant passes every check, Noncompliant fails each."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
TEMPLATES = pathlib.Path(os.environ.get("CDK_WORKSPACES_POLICY_TEMPLATES", ROOT / "test/policy/checkov/cdk.out"))
CHECKOV = pathlib.Path(sys.executable).parent / "checkov"
OUR_CHECKS = ["CKV_CDKWS_1", "CKV_CDKWS_2", "CKV_CDKWS_3"]


def checkov(stack: str) -> dict:
    """checkov's JSON report on a stack's template: offline, CloudFormation only."""
    result = subprocess.run(
        [str(CHECKOV), "--framework", "cloudformation", "--skip-download", "--compact",
         "--output", "json", "--external-checks-dir", str(ROOT / "policy/checkov"),
         "--file", str(TEMPLATES / f"{stack}.template.json")],
        capture_output=True, text=True, timeout=300,
    )
    # checkov exits 1 when a check fails; anything else is an error of its own.
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    return report[0] if isinstance(report, list) else report


def workspace_results(report: dict, outcome: str) -> dict:
    """check id -> resources of type Custom::Workspace with that outcome ('passed' / 'failed')."""
    results = {}
    for check in report["results"][f"{outcome}_checks"]:
        if check["resource"].startswith("Custom::Workspace."):
            results.setdefault(check["check_id"], []).append(check["resource"])
    return results


@pytest.fixture(scope="module")
def compliant() -> dict:
    return checkov("Compliant")


@pytest.fixture(scope="module")
def noncompliant() -> dict:
    return checkov("Noncompliant")


def test_a_workspace_encrypted_with_a_customer_managed_key_and_retained_passes_every_check(compliant):
    passed = workspace_results(compliant, "passed")
    failed = workspace_results(compliant, "failed")
    for check in OUR_CHECKS:
        assert len(passed.get(check, [])) == 1 and passed[check][0].startswith("Custom::Workspace.Alice"), passed
    assert failed == {}


def test_a_workspace_without_encryption_fails_each_check(noncompliant):
    failed = workspace_results(noncompliant, "failed")
    assert sorted(failed) == OUR_CHECKS
    for check in OUR_CHECKS:
        assert len(failed[check]) == 1 and failed[check][0].startswith("Custom::Workspace.Bob"), failed
    assert noncompliant["summary"]["parsing_errors"] == 0


def test_checkovs_own_workspace_checks_do_not_see_the_custom_resource(noncompliant):
    # Why the policy exists: CKV_AWS_155/156 apply to AWS::WorkSpaces::Workspace only.
    results = {**workspace_results(noncompliant, "passed"), **workspace_results(noncompliant, "failed")}
    assert "CKV_AWS_155" not in results and "CKV_AWS_156" not in results
