#!/usr/bin/env bash
# The README's screenshots, made from demo mode (a private server and four
# players), offscreen: resources/screenshots/mixer.png (dark) and
# mixer-light.png. Run after ./dev setup (it uses .venv).
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
    .venv/bin/pypac-mixer --demo --theme "$theme" --quit-after 5 --screenshot "$out/$name"
done
