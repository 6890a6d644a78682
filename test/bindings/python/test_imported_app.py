"""The Python file that `cdk-workspaces import --language python` writes, run with the built
package: it synthesizes to the WorkSpaces of the (local) endpoint it was generated from.

The endpoint is test/cli/seeded-endpoint.ts (a few WorkSpaces made "in the console"), the
command is the bundle that the npm package ships (assets/cli/cdk-workspaces.js)."""

import json
import os
import pathlib
import subprocess
import sys
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
DIRECTORY_ID = "d-1234567890"


@pytest.fixture(scope="module")
def endpoint_env():
    proc = subprocess.Popen(
        [str(ROOT / "node_modules/.bin/tsx"), str(ROOT / "test/cli/seeded-endpoint.ts")],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        env = {}
        deadline = time.monotonic() + 60
        while "AWS_SECRET_ACCESS_KEY" not in env:
            line = proc.stdout.readline()
            if not line and (proc.poll() is not None or time.monotonic() > deadline):
                raise RuntimeError("the local endpoint did not start")
            if "=" in line:
                key, value = line.strip().split("=", 1)
                env[key] = value
        yield env
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def call(env: dict, operation: str, body: dict) -> dict:
    """One WorkSpaces call over the AWS JSON 1.1 protocol (the local endpoint checks no signature)."""
    request = urllib.request.Request(
        env["AWS_ENDPOINT_URL_WORKSPACES"], data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"WorkspacesService.{operation}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_the_generated_python_app_synthesizes_to_the_live_workspaces(endpoint_env, tmp_path):
    app = tmp_path / "app.py"
    run = subprocess.run(
        ["node", str(ROOT / "assets/cli/cdk-workspaces.js"), "import", "--directory", DIRECTORY_ID,
         "--language", "python", "--out", str(tmp_path / "imported_workspaces.py"), "--app-file", str(app)],
        env={"PATH": os.environ["PATH"], **endpoint_env}, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "Left out managed" in run.stderr

    outdir = tmp_path / "cdk.out"
    synth = subprocess.run([sys.executable, str(app)], cwd=tmp_path, env={**os.environ, "CDK_OUTDIR": str(outdir)},
                           capture_output=True, text=True, timeout=300)
    assert synth.returncode == 0, synth.stderr
    template = json.loads((outdir / "ImportedWorkspaces.template.json").read_text())
    declared = {r["Properties"]["UserName"]: r["Properties"]
                for r in template["Resources"].values() if r["Type"] == "Custom::Workspace"}

    live = [w for w in call(endpoint_env, "DescribeWorkspaces", {"DirectoryId": DIRECTORY_ID})["Workspaces"]
            if w["UserName"] != "managed"]
    assert sorted(declared) == sorted(w["UserName"] for w in live) == ["alice", "bob", "carol.smith"]
    for w in live:
        props = declared[w["UserName"]]
        p = w["WorkspaceProperties"]
        expected_properties = {k: p[k] for k in ("RunningMode", "ComputeTypeName", "RootVolumeSizeGib", "UserVolumeSizeGib", "Protocols")}
        if p["RunningMode"] == "AUTO_STOP":
            expected_properties["RunningModeAutoStopTimeoutInMinutes"] = p["RunningModeAutoStopTimeoutInMinutes"]
        tags = call(endpoint_env, "DescribeTags", {"ResourceId": w["WorkspaceId"]})["TagList"]
        assert props["WorkspaceProperties"] == expected_properties
        assert {t["Key"]: t["Value"] for t in props.get("Tags", [])} == {t["Key"]: t["Value"] for t in tags}
        assert (props["DirectoryId"], props["BundleId"]) == (w["DirectoryId"], w["BundleId"])
        assert props["RootVolumeEncryptionEnabled"] == str(w.get("RootVolumeEncryptionEnabled", False)).lower()
        assert props["UserVolumeEncryptionEnabled"] == str(w.get("UserVolumeEncryptionEnabled", False)).lower()
        assert props.get("VolumeEncryptionKey") == w.get("VolumeEncryptionKey")
        assert props["AdoptExisting"] == "true"
