#!/bin/sh
# tests/demo.sh - Quick start, command 1: install what is needed, build,
# and run the demo against a throwaway signed zone on loopback.
set -eu
cd "$(dirname "$0")/.."
sh tests/setup.sh
[ -d build ] || meson setup build >/dev/null
meson compile -C build dane-smime >/dev/null
exec python3 tests/demo.py
