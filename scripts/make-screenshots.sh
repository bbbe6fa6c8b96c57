#!/usr/bin/env bash
# The README's screenshots, made from demo mode (a private server and four
# players), offscreen: resources/screenshots/mixer.png (dark), mixer-light.png,
# mixer-small.png (480x320), scope.png, rules-editor.png and mixer-studio.png
# (armed strips; these two from tests). Run after ./dev setup (it uses .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
out=resources/screenshots
mkdir -p "$out"
settings=$(mktemp -d)
trap 'rm -rf "$settings"' EXIT
for theme in dark light; do
  name=mixer.png
  [ "$theme" = light ] && name=mixer-light.png
  QT_QPA_PLATFORM=offscreen PYPAC_MIXER_SETTINGS="$settings/$theme.ini" \
    .venv/bin/pypac-mixer --demo --theme "$theme" --size 860x540 --quit-after 5 \
    --screenshot "$out/$name"
done
QT_QPA_PLATFORM=offscreen PYPAC_MIXER_SETTINGS="$settings/small.ini" \
  .venv/bin/pypac-mixer --demo --size 480x320 --quit-after 5 --screenshot "$out/mixer-small.png"
QT_QPA_PLATFORM=offscreen PYPAC_MIXER_SETTINGS="$settings/scope.ini" \
  .venv/bin/pypac-mixer --demo --players 2 --quit-after 5 --scope-screenshot "$out/scope.png"
# The auto-record rules editor with two rules (drawn by tests/mixer/test_rules.py).
QT_QPA_PLATFORM=offscreen PYPAC_SCREENSHOT_DIR="$settings/shots" \
  .venv/bin/python -m pytest -p no:cacheprovider -q tests/mixer/test_rules.py -k screenshot
cp "$settings/shots/rules-editor.png" "$out/rules-editor.png"
# Armed strips, a take running and instant replay on (the test arms two of three players).
shots=$(mktemp -d)
QT_QPA_PLATFORM=offscreen PYPAC_SCREENSHOT_DIR="$shots" .venv/bin/python -m pytest -q \
  -p no:cacheprovider tests/mixer/test_studio.py -k "screenshot and pulseaudio"
cp "$shots/mixer-studio-default.png" "$out/mixer-studio.png"
rm -rf "$shots"
