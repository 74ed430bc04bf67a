#!/bin/sh
# System packages journeylab needs beside Python: Graphviz's `dot` (process maps).
# Installed with apt-get where we may (Debian/Ubuntu as root, or with sudo); elsewhere a
# message says what to install. conda users get Graphviz from environment.yml instead.
set -u
need=""
command -v dot >/dev/null 2>&1 || need="$need graphviz"
[ -z "$need" ] && exit 0
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" != "none" ]; then
    echo "installing system packages:$need"
    $SUDO apt-get update -qq >/dev/null && \
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null && exit 0
    echo "apt-get could not install:$need" >&2
  fi
fi
echo "journeylab needs:$need. Install it with your package manager (apt: graphviz;" >&2
echo "  brew: graphviz; conda: conda install -c conda-forge graphviz), then run make again." >&2
exit 1
