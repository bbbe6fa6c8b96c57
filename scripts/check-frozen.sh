#!/usr/bin/env bash
# The frozen build: PyInstaller (packaging/pypac-mixer.spec) makes the one-folder
# build/frozen/dist/pypac-mixer/ (pypac-mixer + pypac), then packaging/smoke_test.py runs it
# against a private PulseAudio server. It freezes the pypac installed in .venv (./dev builds
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

"$PY" packaging/smoke_test.py --dist "$DIST" | tee "$OUT/smoke.log"
status=${PIPESTATUS[0]}
passed=$((passed + $(grep -c '^PASS' "$OUT/smoke.log")))
failed=$((failed + $(grep -c '^FAIL' "$OUT/smoke.log")))
if [ "$status" -ne 0 ] && ! grep -q '^FAIL' "$OUT/smoke.log"; then
  result FAIL "smoke test: exited $status without a verdict"
fi
finish
