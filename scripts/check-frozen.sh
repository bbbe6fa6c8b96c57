#!/usr/bin/env bash
# The frozen build: PyInstaller (packaging/pypac-mixer.spec) makes the one-folder
# build/frozen/dist/pypac-mixer/ (pypac-mixer + pypac), then packaging/smoke_test.py runs it
# against a private PulseAudio server, and once more without any server (--server none, the
# command the frozen-windows workflow job runs). It freezes the pypac installed in .venv (./dev builds
# it there) and installs PyInstaller (the `packaging` extra) into .venv when missing.
# Prints PASS/FAIL lines and a last line "N passed, M failed"; exits 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-.venv/bin/python}
OUT=build/frozen
DIST=$OUT/dist/pypac-mixer
passed=0
failed=0
started=$(date +%s)

result() { # PASS|FAIL "name: detail"
  if [ "$1" = PASS ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  echo "$1 $2"
}

finish() {
  echo "check-frozen: finished in $(($(date +%s) - started)) s"
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

mkdir -p "$OUT"
if ! "$PY" -c "import pypac._engine" 2>"$OUT/import.log"; then
  result FAIL "setup: pypac is not importable from $PY ($(tail -1 "$OUT/import.log")); run ./dev setup"
  finish
fi
if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  # The requirement lives in pyproject.toml's `packaging` extra; installing the extra itself
  # would rebuild the engine, so only its requirements are installed.
  mapfile -t reqs < <("$PY" -c 'import tomllib
with open("pyproject.toml", "rb") as f:
    print(*tomllib.load(f)["project"]["optional-dependencies"]["packaging"], sep="\n")')
  if ! "$PY" -m pip install -q "${reqs[@]}" >"$OUT/pip.log" 2>&1; then
    result FAIL "setup: pip install ${reqs[*]} failed (see $OUT/pip.log)"
    finish
  fi
fi

t0=$(date +%s)
if "$PY" -m PyInstaller --noconfirm --log-level WARN --distpath "$OUT/dist" \
  --workpath "$OUT/work" packaging/pypac-mixer.spec >"$OUT/build.log" 2>&1; then
  result PASS "build: $DIST ($(du -sh "$DIST" | cut -f1), $(($(date +%s) - t0)) s)"
else
  tail -n 15 "$OUT/build.log" | sed 's/^/    /'
  result FAIL "build: PyInstaller failed (see $OUT/build.log)"
  finish
fi

smoke() { # log-name smoke_test.py arguments...
  local log=$OUT/$1
  shift
  "$PY" packaging/smoke_test.py --dist "$DIST" "$@" | tee "$log"
  local status=${PIPESTATUS[0]}
  passed=$((passed + $(grep -c '^PASS' "$log")))
  failed=$((failed + $(grep -c '^FAIL' "$log")))
  if [ "$status" -ne 0 ] && ! grep -q '^FAIL' "$log"; then
    result FAIL "smoke test $*: exited $status without a verdict"
  fi
}
smoke smoke.log
# The frozen-windows workflow job's smoke test (GitHub's Windows runners have no audio
# device): the same command, with no sound server to be found at all.
PULSE_SERVER=unix:$PWD/$OUT/no-server-here smoke smoke-none.log --server none
finish
