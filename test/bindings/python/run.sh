#!/usr/bin/env bash
# test:python - build the Python binding from this checkout and prove it by synthesizing
# stacks with it, the way a Python user would. Needs nothing but `npm ci` before it: it
# bundles, compiles and packages, then installs the wheel in a fresh virtualenv.
set -euo pipefail
cd "$(dirname "$0")/../../.."

npx projen bundle
npx projen compile
npx projen rosetta:extract
rm -rf dist/python
npx projen package:python

venv=.venv-bindings
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-input \
  -r test/bindings/python/requirements.txt dist/python/*.whl

export PYTHONDONTWRITEBYTECODE=1
"$venv/bin/python" -m pytest -p no:cacheprovider -v test/bindings/python
