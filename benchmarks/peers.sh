#!/bin/sh
# A separate virtual environment for the tools journeylab is compared with, so that their
# dependencies (retentioneering ships a telemetry client) never enter journeylab's own.
# Tracking is switched off when they run (RETENTIONEERING_NO_TRACK=1).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
venv="$here/.peers-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
fi
"$venv/bin/python" -m pip install --quiet "retentioneering==5.2.4" "channelattribution==2.2.5" pyarrow
echo "$venv/bin/python"
