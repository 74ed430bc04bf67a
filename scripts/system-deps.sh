#!/bin/sh
# System packages journeylab needs beside Python: Graphviz's `dot` (process maps), Java 17
# or newer (the Spark engine, engine="spark"; PySpark itself comes from PyPI), and for
# the test suite (`system-deps.sh test`) Chromium, the browser the rendered reports are
# checked in (driven by Playwright; no browser is downloaded). Installed with apt-get where
# we may (Debian/Ubuntu as root, or with sudo); elsewhere a message says what to install.
# conda users get Graphviz from environment.yml instead.
set -u
need=""
command -v dot >/dev/null 2>&1 || need="$need graphviz"
# Java 17+ for Spark: `java -version` prints e.g. 'openjdk version "17.0.15"'
java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
[ -n "$java_major" ] && [ "$java_major" -ge 17 ] 2>/dev/null || need="$need openjdk-17-jre-headless"
if [ "${1:-}" = "test" ]; then
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
    need="$need chromium"
fi
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
echo "journeylab needs:$need. Install it with your package manager (apt: graphviz chromium" >&2
echo "  openjdk-17-jre-headless; brew: graphviz chromium openjdk@17; conda: conda install -c" >&2
echo "  conda-forge graphviz openjdk=17), then run make again." >&2
exit 1
