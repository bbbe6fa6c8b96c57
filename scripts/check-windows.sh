#!/usr/bin/env bash
# The Windows (WASAPI) backend, checked on Linux:
#   1. cross build with mingw-w64 (cmake --preset mingw; warnings are errors),
#   2. a private Wine prefix and a private PulseAudio daemon (null sink, 440 Hz tone),
#   3. under Wine: the C++ unit tests and the test program wasapi_check
#      (offline checks, capture plumbing on the null sink's monitor, a pause
#      in the stream, the backend's clear errors where Wine lacks the API,
#      output/input devices (list, volume, mute, default flags, events) and the
#      clear errors of the default-device and per-app routing interfaces, and
#      device changes and losses that this script makes on the program's request).
# One PASS/FAIL line per check; the last line is "N passed, M failed".
# PYPAC_CHECKS="offline devices" runs only those groups of step 3 (unit,
# offline, capture, capture-gap, backend, endpoint-control, devices); all by default.
# Exit status 0 only when nothing failed. Needs: cmake, ninja,
# g++-mingw-w64-x86-64-posix, wine64, pulseaudio, pulseaudio-utils, sox.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
START=$(date +%s)

BUILD=build/mingw
WORK=$ROOT/build/mingw-wine
PULSE_DIR=$WORK/pulse
export WINEPREFIX=$WORK/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
CHECK_EXE=$BUILD/native/src/wasapi/wasapi_check.exe

passed=0
failed=0
pulse_pid=""
tone_pid=""

pass() { passed=$((passed + 1)); printf 'PASS %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }

finish() {
  echo "check-windows: $(($(date +%s) - START)) s"
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

cleanup() {
  [ -n "$tone_pid" ] && kill "$tone_pid" 2>/dev/null
  [ -n "$pulse_pid" ] && kill "$pulse_pid" 2>/dev/null && wait "$pulse_pid" 2>/dev/null
  [ -n "${WINESERVER:-}" ] && "$WINESERVER" -k 2>/dev/null
  return 0
}
trap cleanup EXIT

find_tool() { # first of the candidates that exists
  for c in "$@"; do
    if [ -x "$c" ]; then echo "$c"; return 0; fi
    if command -v "$c" >/dev/null 2>&1; then command -v "$c"; return 0; fi
  done
  return 1
}

# ---- 1. cross build ------------------------------------------------------------
if ! command -v x86_64-w64-mingw32-g++-posix >/dev/null; then
  fail "build: x86_64-w64-mingw32-g++-posix not found (apt-get install g++-mingw-w64-x86-64-posix)"
  finish
fi
if log=$(cmake --preset mingw 2>&1 && cmake --build --preset mingw 2>&1); then
  pass "build: cmake --preset mingw (mingw-w64, -Werror): pypac_core + WASAPI backend + wasapi_check.exe"
else
  echo "$log" | grep -E "error|warning|FAILED" | head -40
  fail "build: the mingw-w64 cross build failed (output above)"
  finish
fi

# ---- 2. Wine prefix and PulseAudio -----------------------------------------------
WINE=$(find_tool /usr/lib/wine/wine64 wine64 wine) || { fail "wine: wine64 not found (apt-get install wine64)"; finish; }
WINESERVER=$(find_tool /usr/lib/wine/wineserver64 /usr/lib/wine/wineserver wineserver) || WINESERVER=""
mkdir -p "$WORK" "$PULSE_DIR"
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  if timeout 120 "$WINE" wineboot -i >"$WORK/wineboot.log" 2>&1; then
    pass "wine: new prefix $WINEPREFIX"
  else
    fail "wine: wineboot -i failed (see $WORK/wineboot.log)"
    finish
  fi
else
  pass "wine: prefix $WINEPREFIX ($("$WINE" --version 2>/dev/null))"
fi

rm -f "$PULSE_DIR/native"
NULL_SINK="module-null-sink sink_name=pypac_null rate=48000 format=float32le channels=2"
cat >"$PULSE_DIR/cfg.pa" <<EOF
load-module $NULL_SINK
set-default-sink pypac_null
set-default-source pypac_null.monitor
load-module module-native-protocol-unix socket=$PULSE_DIR/native auth-anonymous=1
EOF
HOME=$PULSE_DIR XDG_RUNTIME_DIR=$PULSE_DIR pulseaudio -n --daemonize=no --exit-idle-time=-1 \
  --disallow-exit --use-pid-file=no -F "$PULSE_DIR/cfg.pa" >"$PULSE_DIR/pulse.log" 2>&1 &
pulse_pid=$!
export PULSE_SERVER=unix:$PULSE_DIR/native
for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
if pactl info >/dev/null 2>&1; then
  pass "pulseaudio: private daemon (pid $pulse_pid) at $PULSE_SERVER, null sink 48000 Hz float32 stereo"
else
  fail "pulseaudio: the private daemon did not start (see $PULSE_DIR/pulse.log)"
  finish
fi
# A 440 Hz tone into the null sink for the whole run; its monitor is Wine's default capture device.
start_tone() {
  sox -q -n -t raw -r 48000 -e float -b 32 -c 2 - synth 600 sine 440 vol 0.5 2>/dev/null |
    pacat --format=float32le --rate=48000 --channels=2 --latency-msec=20 2>>"$PULSE_DIR/tone.log" &
  tone_pid=$!
}
start_tone

# ---- 3. under Wine ----------------------------------------------------------------
# Runs a Windows program and counts its PASS/FAIL/SKIP lines.
run_wine() { # label timeout exe args...
  local label=$1 limit=$2
  shift 2
  local out rc
  out=$(timeout "$limit" "$WINE" "$@" 2>&1)
  rc=$?
  if [ "$rc" -ne 0 ] && lost_wineserver "$out"; then
    # Wine's client lost its wineserver (one that was shutting down as the
    # program started): Wine's race, before our program ran. Once more.
    echo "check-windows: $label: wine lost its wineserver; running it again"
    [ -z "$WINESERVER" ] || timeout 30 "$WINESERVER" -w
    out=$(timeout "$limit" "$WINE" "$@" 2>&1)
    rc=$?
  fi
  count_output "$label" "$limit" "$rc" "$out"
}

lost_wineserver() { # output
  grep -q '^wine client error:.*\(recvmsg\|Connection reset\)' <<<"$1" && ! grep -q '^\(PASS\|FAIL\) ' <<<"$1"
}

remove_sink() {
  pactl list short modules | awk '$2 == "module-null-sink" {print $1}' |
    xargs -r -n1 pactl unload-module
}
restore_sink() {
  kill "$tone_pid" 2>/dev/null
  # shellcheck disable=SC2086 # NULL_SINK is the module and its arguments
  pactl load-module $NULL_SINK >/dev/null && pactl set-default-sink pypac_null &&
    pactl set-default-source pypac_null.monitor && start_tone
}

# What the test program may ask for (wasapi_check devices): real changes to
# the server, which Wine's audio driver then meets as a device would.
server_action() { # what
  case $1 in
    suspend-server) kill -STOP "$pulse_pid" ;; # every call to the server blocks
    resume-server) kill -CONT "$pulse_pid" ;;
    remove-sink) remove_sink ;; # the capture device (the sink's monitor) goes away
    restore-sink) restore_sink ;;
    reset-sink) remove_sink && restore_sink ;; # streams on it die; the same device returns
    add-sink) pactl load-module module-null-sink sink_name=pypac_second \
      sink_properties=device.description=PyPAC-Second >/dev/null ;;
    remove-second-sink)
      pactl list short modules | awk '/sink_name=pypac_second/ {print $1}' |
        xargs -r -n1 pactl unload-module ;;
    *) return 1 ;;
  esac
}

# Runs the test program with an answer folder as its last argument; carries
# out each "ACTION <n> <what>" line it prints, then creates <n> in that folder.
run_scripted() { # label timeout exe args...
  local label=$1 limit=$2
  shift 2
  local out=$WORK/$label.out answers=$WORK/$label.answers
  rm -rf "$answers"
  mkdir -p "$answers"
  : >"$out"
  timeout "$limit" "$WINE" "$@" "Z:${answers//\//\\}" >"$out" 2>&1 &
  local pid=$! n what
  local -A done=()
  while :; do
    while read -r _ n what; do
      what=${what%$'\r'} # the program's stdout is in text mode: CRLF
      [ -n "${done[$n]:-}" ] && continue
      done[$n]=1
      if server_action "$what"; then
        touch "$answers/$n"
      else
        echo "check-windows: could not carry out '$what' for $label"
      fi
    done < <(grep '^ACTION ' "$out")
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  wait "$pid"
  count_output "$label" "$limit" $? "$(cat "$out")"
}

# Echoes a program's PASS/FAIL/SKIP lines and counts them. A crash or a hang
# (no FAIL line, non-zero exit) is a failure of its own.
count_output() { # label timeout exit-code output
  local label=$1 limit=$2 rc=$3 out=$4 p f
  p=$(grep -c '^PASS ' <<<"$out")
  f=$(grep -c '^FAIL ' <<<"$out")
  grep -E '^(PASS|FAIL|SKIP) ' <<<"$out"
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$rc" -eq 124 ]; then
    fail "$label: did not finish within $limit s (hang)"
  elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "$out" | tail -20
    fail "$label: exited with code $rc without a FAIL line (crash?)"
  fi
}

wanted() { [ -z "${PYPAC_CHECKS:-}" ] || [[ " $PYPAC_CHECKS " == *" $1 "* ]]; }

# The engine's C++ unit tests, as Windows programs (one check each).
wanted unit && for t in test_ring_buffer test_stream_mixer test_capture_hub test_process_tree \
  test_wait_time test_loudness_meter; do
  if out=$(timeout 120 "$WINE" "$BUILD/native/$t.exe" 2>&1); then
    pass "unit.$t: $(tail -1 <<<"$out") (under Wine)"
  else
    echo "$out" | tail -20
    fail "unit.$t: failed under Wine"
  fi
done

wanted offline && run_wine offline 60 "$CHECK_EXE" offline
wanted capture && run_wine capture 120 "$CHECK_EXE" capture 4

# A pause in the stream: suspend the null sink (its monitor then delivers
# nothing, as a loopback does while nothing plays) 1 s after the first sound.
check_gap() {
  local gap_out gap_pid gap_rc gap_failed
  gap_out=$WORK/capture-gap.out
  : >"$gap_out"
  timeout 60 "$WINE" "$CHECK_EXE" capture-gap 6 >"$gap_out" 2>&1 &
  gap_pid=$!
  for _ in $(seq 150); do grep -q READY "$gap_out" && break; sleep 0.1; done
  if grep -q READY "$gap_out"; then
    sleep 1
    pactl suspend-sink pypac_null 1
    sleep 1.5
    pactl suspend-sink pypac_null 0
  fi
  wait "$gap_pid"
  gap_rc=$?
  grep -E '^(PASS|FAIL|SKIP) ' "$gap_out"
  passed=$((passed + $(grep -c '^PASS ' "$gap_out")))
  gap_failed=$(grep -c '^FAIL ' "$gap_out")
  failed=$((failed + gap_failed))
  if [ "$gap_rc" -ne 0 ] && [ "$gap_failed" -eq 0 ]; then
    tail -20 "$gap_out"
    fail "capture-gap: exited with code $gap_rc without a FAIL line (crash or hang?)"
  fi
}
wanted capture-gap && check_gap

wanted backend && run_wine backend 60 "$CHECK_EXE" backend
# Output/input devices through Wine's MMDevAPI; it adds and removes a second sink.
wanted endpoint-control && run_scripted endpoint-control 90 "$CHECK_EXE" endpoint-control
# The same program told by Wine that it runs on Windows 10 (a copy under
# its own name, so only it is): past the build check, per-app routing asks for
# the factory by the IID of that build and must still fail clearly without it.
policy_as() { # wine-version
  local exe=$BUILD/native/src/wasapi/wasapi_check_$1.exe
  cp "$CHECK_EXE" "$exe" &&
    "$WINE" reg add "HKCU\\Software\\Wine\\AppDefaults\\wasapi_check_$1.exe" /v Version \
      /d "$1" /f >/dev/null 2>&1 || { fail "policy-$1: could not set up the copy"; return; }
  run_wine "policy-$1" 60 "$exe" policy "policy-$1"
}
# (Wine 8 knows no "win11": the 21H2+ IID is chosen on real Windows 11 only.)
wanted endpoint-control && policy_as win10
# Last: it removes and restores the null sink.
wanted devices && run_scripted devices 120 "$CHECK_EXE" devices

finish
