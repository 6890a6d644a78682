#!/usr/bin/env bash
# Cross-checks the handler's WorkSpaces calls against moto_server (a third-party
# implementation of the API) and against the project's local endpoint.
# See the comment at the top of test/moto/moto.crosscheck.ts for what is compared.
#
#   bash test/moto/run.sh            (or: npx projen test:moto)
#
# Environment: PYTHON (default python3), MOTO_VENV (default .venv-moto at the repo root).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

PYTHON="${PYTHON:-python3}"
VENV="${MOTO_VENV:-$ROOT/.venv-moto}"
MOTO_REQUIREMENT='moto[server]>=5.1.14'

log() { echo "[test:moto] $*"; }

# ---------------------------------------------------------------- virtualenv
# Reused when it already has a moto that satisfies the requirement (and the server extras).
venv_ok() {
  [ -x "$VENV/bin/python" ] && "$VENV/bin/python" - "$MOTO_REQUIREMENT" <<'PY' >/dev/null 2>&1
import sys
from importlib.metadata import version
from packaging.requirements import Requirement
req = Requirement(sys.argv[1])
assert req.specifier.contains(version("moto"), prereleases=True)
import flask, flask_cors, boto3  # the [server] extra, and boto3 for the setup
PY
}

if venv_ok; then
  log "reusing $VENV ($("$VENV/bin/python" -c 'from importlib.metadata import version; print("moto", version("moto"))'))"
else
  log "installing $MOTO_REQUIREMENT into $VENV"
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "$MOTO_REQUIREMENT" packaging
  venv_ok || { echo "[test:moto] moto is still missing from $VENV after pip install" >&2; exit 1; }
fi

# ---------------------------------------------------------------- moto_server
WORK="$(mktemp -d)"
MOTO_PID=""
cleanup() {
  local rc=$?
  if [ -n "$MOTO_PID" ] && kill -0 "$MOTO_PID" 2>/dev/null; then
    kill "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ] && [ -s "$WORK/moto.log" ]; then
    echo "[test:moto] errors in the moto_server log (500s the suite expects included):" >&2
    grep -E '^[A-Za-z]+(Error|Exception)\b' "$WORK/moto.log" | tail -n 20 >&2 || true
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT="$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
MOTO_URL="http://127.0.0.1:$PORT"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!

"$VENV/bin/python" - "$MOTO_URL" "$MOTO_PID" <<'PY'
import os, sys, time, urllib.request
url, pid = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 60
while True:
    try:
        with urllib.request.urlopen(url + "/moto-api/", timeout=2):
            break
    except Exception:
        try:
            os.kill(pid, 0)
        except OSError:
            sys.exit("moto_server exited before it answered")
        if time.monotonic() > deadline:
            sys.exit("moto_server did not answer within 60 s")
        time.sleep(0.2)
PY
log "moto_server $("$VENV/bin/python" -c 'from importlib.metadata import version; print(version("moto"))') answers on $MOTO_URL (pid $MOTO_PID)"

SETUP="$("$VENV/bin/python" test/moto/setup_moto.py "$MOTO_URL")"
log "registered in moto: $SETUP"

# ---------------------------------------------------------------- the suite
# Not part of `npm test` (its testMatch is *.test.ts); own junit file, no coverage,
# so that the main run's reports are not overwritten.
MOTO_ENDPOINT="$MOTO_URL" \
MOTO_SETUP="$SETUP" \
MOTO_LOG="$WORK/moto.log" \
JEST_JUNIT_OUTPUT_NAME="moto-junit.xml" \
  npx jest --ci --coverage=false --testMatch '<rootDir>/test/moto/*.crosscheck.ts' "$@"
