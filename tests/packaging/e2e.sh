#!/bin/sh
# tests/packaging/e2e.sh - the real Thunderbird end-to-end scenarios
# (tests/extension/test_thunderbird.py) against an installed dane-smime
# instead of the build tree:
#   1. the .deb installed on this machine with apt-get: Thunderbird finds
#      /usr/lib/mozilla/native-messaging-hosts/dane_smime.json, which
#      starts /usr/bin/dane-smime (DANE_SMIME_TB_HOST=installed); the
#      package is then purged again (also on failure or interrupt);
#   2. packaging/install-user.sh --binary <built host> into the test's
#      temporary HOME (DANE_SMIME_TB_HOST=install-user).
#
#   sh tests/packaging/e2e.sh [DEB | DIR]
#
# DEB: the package to install. DIR: a folder holding one (e.g. build-deb/
# after tests/packaging/deb.sh), or where to build it with deb.sh if it
# holds none (default: a temporary folder). The built host for step 2 is
# $DANE_SMIME, else build/host/dane-smime, else the one in the package.
#
# Needs root (it installs and purges the package) and thunderbird: exits
# 77 (skip) without them. Refuses to run if dane-smime is already
# installed (it would purge it). Prints "N passed, N failed"; exit 0 iff
# none failed.
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

if [ "$(id -u)" -ne 0 ]; then
	echo "e2e.sh: needs root (installs the .deb)" >&2
	exit 77
fi
if ! command -v "${THUNDERBIRD:-thunderbird}" >/dev/null 2>&1; then
	echo "e2e.sh: thunderbird not installed" >&2
	exit 77
fi
if dpkg-query -W -f '${Status}' dane-smime 2>/dev/null |
    grep -q 'installed'; then
	echo "e2e.sh: dane-smime is already installed; purge it first" >&2
	exit 1
fi

work=$(mktemp -d)
installed=0
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	if [ "$installed" = 1 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get purge -y dane-smime \
		    >>"$work/apt.log" 2>&1 ||
		    echo "e2e.sh: apt-get purge dane-smime failed" >&2
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# --- the package -----------------------------------------------------------

arg=${1:-}
deb=
case $arg in
*.deb) deb=$arg ;;
*)
	dir=${arg:-$work/deb}
	for f in "$dir"/dane-smime_*.deb; do
		[ -f "$f" ] && deb=$f
	done
	if [ -z "$deb" ]; then
		echo "building the package into $dir (tests/packaging/deb.sh) ..."
		if env -u DANE_SMIME_DEB_INSTALL sh "$root/tests/packaging/deb.sh" \
		    "$dir" >"$work/deb.log" 2>&1; then
			ok "tests/packaging/deb.sh $dir"
		else
			tail -n 40 "$work/deb.log"
			bad "tests/packaging/deb.sh $dir"
			finish
		fi
		for f in "$dir"/dane-smime_*.deb; do
			[ -f "$f" ] && deb=$f
		done
	fi
	;;
esac
if [ -z "$deb" ] || [ ! -f "$deb" ]; then
	bad "no package (${deb:-no dane-smime_*.deb in ${arg:-the build folder}})"
	finish
fi
case $deb in /*) ;; *) deb=$(pwd)/$deb ;; esac
echo "package: $deb"

host=${DANE_SMIME:-$root/build/host/dane-smime}
if [ ! -x "$host" ]; then
	dpkg-deb -x "$deb" "$work/x"
	host=$work/x/usr/bin/dane-smime
fi
echo "host for install-user: $host"

# Runs test_thunderbird.py in MODE and adds its "N passed, N failed".
scenario() { # MODE
	echo "--- Thunderbird, DANE_SMIME_TB_HOST=$1"
	DANE_SMIME_TB_HOST=$1 DANE_SMIME=$host DANE_SMIME_TB_IDLE=0 \
	    python3 "$root/tests/extension/test_thunderbird.py" \
	    >"$work/tb-$1.log" 2>&1
	rc=$?
	cat "$work/tb-$1.log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$work/tb-$1.log" |
	    tail -n 1)
	if [ -n "$line" ]; then
		p=${line%% *}
		f=${line#*, }; f=${f%% *}
		pass=$((pass + p)); fail=$((fail + f))
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			bad "test_thunderbird.py ($1) exited $rc"
		fi
	else
		bad "test_thunderbird.py ($1) exited $rc without a summary"
	fi
}

# --- 1. the installed package ------------------------------------------------

installed=1
if DEBIAN_FRONTEND=noninteractive apt-get install -y "$deb" \
    >"$work/apt.log" 2>&1; then
	ok "apt-get install $(basename "$deb")"
	scenario installed
else
	cat "$work/apt.log"
	bad "apt-get install $(basename "$deb")"
fi
if DEBIAN_FRONTEND=noninteractive apt-get purge -y dane-smime \
    >>"$work/apt.log" 2>&1; then
	installed=0
	ok "apt-get purge dane-smime"
else
	cat "$work/apt.log"
	bad "apt-get purge dane-smime"
fi
if [ -e /usr/lib/mozilla/native-messaging-hosts/dane_smime.json ] ||
    [ -e /usr/bin/dane-smime ]; then
	bad "the package's manifest or binary is still there after the purge"
fi

# --- 2. the per-user install -------------------------------------------------

if [ "$installed" = 0 ]; then
	scenario install-user
else
	bad "install-user scenario not run: the package is still installed"
fi

finish
