#!/usr/bin/env bash
# test:checkov - run checkov, installed from PyPI into the git-ignored .venv-checkov, with the
# custom policy shipped in policy/checkov/, on two synthesized templates: one that passes every
# check and one that fails each of them. The first run takes about a minute (pip), later ones
# a few seconds more than the checks themselves.
set -euo pipefail
cd "$(dirname "$0")/../../.."

venv=.venv-checkov
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r test/policy/checkov/requirements.txt

npx projen bundle
out=test/policy/checkov/cdk.out
rm -rf "$out"
npx tsx test/policy/stacks.ts "$out"

export PYTHONDONTWRITEBYTECODE=1 CDK_WORKSPACES_POLICY_TEMPLATES="$PWD/$out"
"$venv/bin/python" -m pytest -p no:cacheprovider -v test/policy/checkov
