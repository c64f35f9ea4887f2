#!/bin/sh
# install.sh - install dane-smime for Thunderbird on macOS (not built or
# run in CI here; see packaging/macos/README.md).
#
#   sh packaging/macos/install.sh [--system] [--binary FILE]
#   sh packaging/macos/install.sh [--system] --uninstall
#
# Per user (default): the host at ~/Library/Application Support/dane-smime/
# dane-smime and the manifest at
# ~/Library/Application Support/Mozilla/NativeMessagingHosts/dane_smime.json.
# --system (run with sudo): /usr/local/bin/dane-smime and
# /Library/Application Support/Mozilla/NativeMessagingHosts/dane_smime.json.
# Thunderbird reads the user folder first, then /Library.
# Exit status: 0, 1 failed (reason printed), 64 usage.
set -eu

HOST_NAME=dane_smime
EXTENSION_ID=dane-smime@dane-smime.org

usage() {
	echo "usage: $0 [--system] [--binary FILE] | [--system] --uninstall" >&2
	exit 64
}
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

system=0
uninstall=0
binary=
while [ $# -gt 0 ]; do
	case $1 in
	--system) system=1; shift ;;
	--uninstall) uninstall=1; shift ;;
	--binary) [ $# -ge 2 ] || usage; binary=$2; shift 2 ;;
	*) usage ;;
	esac
done

# DANE_SMIME_MACOS_TEST=1 lets the script's logic be exercised elsewhere.
if [ "$(uname -s)" != Darwin ] && [ "${DANE_SMIME_MACOS_TEST:-0}" != 1 ]; then
	die "this script is for macOS; on Linux use packaging/install-user.sh"
fi
src=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$system" -eq 1 ]; then
	base=${DANE_SMIME_MACOS_ROOT:-}
	hostdir=$base/usr/local/bin
	nmdir="$base/Library/Application Support/Mozilla/NativeMessagingHosts"
else
	case ${HOME:-} in /*) ;; *) die "HOME must be an absolute path" ;; esac
	hostdir="$HOME/Library/Application Support/dane-smime"
	nmdir="$HOME/Library/Application Support/Mozilla/NativeMessagingHosts"
fi
host=$hostdir/dane-smime
manifest=$nmdir/$HOST_NAME.json

if [ "$uninstall" -eq 1 ]; then
	rm -f "$manifest" "$host"
	[ "$system" -eq 1 ] || rmdir "$hostdir" 2>/dev/null || true
	echo "removed $manifest and $host"
	exit 0
fi

case $host in
*[\"\\\|\&]*) die "the install path $host cannot go into JSON as it is" ;;
esac

tmpd=$(mktemp -d)
trap 'rm -rf "$tmpd"' EXIT
if [ -z "$binary" ]; then
	command -v meson >/dev/null 2>&1 ||
	    die "meson not found: brew install meson ninja pkg-config nss c-ares cjson libidn2"
	# Homebrew keeps nss's .pc files outside the default search path
	# on some versions; PKG_CONFIG_PATH can be set by the caller.
	meson setup "$tmpd/build" "$src" --buildtype=release \
	    -Dintegration=false >"$tmpd/log" 2>&1 ||
	    { cat "$tmpd/log" >&2; die "meson setup failed"; }
	meson compile -C "$tmpd/build" dane-smime >"$tmpd/log" 2>&1 ||
	    { cat "$tmpd/log" >&2; die "build failed"; }
	binary=$tmpd/build/host/dane-smime
fi
[ -x "$binary" ] || die "$binary is not executable"
ver=$("$binary" --version 2>/dev/null) || die "$binary --version failed"

mkdir -p "$hostdir" "$nmdir"
install -m 0755 "$binary" "$host"
# A binary that came from a download carries the quarantine attribute and
# Gatekeeper would stop Thunderbird from starting it.
if command -v xattr >/dev/null 2>&1; then
	xattr -d com.apple.quarantine "$host" 2>/dev/null || true
fi
sed -e "s|@PATH@|$host|" -e "s|@EXTENSION_ID@|$EXTENSION_ID|" \
    "$src/manifest/dane_smime.json.in" >"$manifest.tmp"
chmod 0644 "$manifest.tmp"
mv -f "$manifest.tmp" "$manifest"
echo "installed $host ($ver)"
echo "installed $manifest"
echo "Install the add-on in Thunderbird: Add-ons and Themes, Install Add-on From File."
