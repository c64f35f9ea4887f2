#!/bin/sh
# tests/setup.sh - install everything dane-smime needs to build, test and
# run its demo on Debian 12 (or newer), as root. Safe to run again.
set -eu

PACKAGES="
  build-essential clang meson ninja-build pkg-config
  libnss3-dev libnss3-tools libc-ares-dev libcjson-dev libidn2-dev
  libcurl4-openssl-dev libsqlite3-dev
  nsd unbound ldnsutils bind9-dnsutils openssl python3 valgrind sqlite3
  thunderbird zip xvfb imagemagick
  debhelper dpkg-dev fakeroot lintian
"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "setup: need root to install:$missing" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi
# node and npm (the add-on's unit tests and linter): the machine image
# may bring its own; Debian's otherwise.
if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q --no-install-recommends nodejs npm
fi
# The packaged daemons start at install time on Debian: the test bed runs
# its own copies on other ports, and needs none of these.
for s in nsd unbound; do
	if command -v systemctl >/dev/null 2>&1; then
		systemctl disable --now "$s" >/dev/null 2>&1 || true
	fi
done
exit 0
