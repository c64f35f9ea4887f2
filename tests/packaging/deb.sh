#!/bin/sh
# tests/packaging/deb.sh - build the Debian package the way a user would
# (dpkg-buildpackage -us -uc -b on a copy of the tree with
# packaging/debian as debian/), run lintian, and check the package's file
# list and manifest with dpkg-deb. Takes a few minutes: not part of
# `meson test`; CI runs it on its own.
#
#   sh tests/packaging/deb.sh [OUTDIR]      (default: build-deb/)
#
# With DANE_SMIME_DEB_INSTALL=1 and root, the package is also installed
# on this machine (apt-get install ./x.deb), checked in place (the
# manifest Thunderbird reads, the binary it names runs), and purged again
# (nothing of it may be left). The .deb stays in OUTDIR for other tests
# (e.g. the Thunderbird end-to-end test against the installed host).
#
# Needs: dpkg-dev debhelper fakeroot lintian (and the build deps in
# packaging/debian/control). Prints "N passed, N failed"; exit 0 iff none
# failed.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/build-deb}
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { # DESCRIPTION COMMAND...
	d=$1; shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}

for t in dpkg-buildpackage dh fakeroot lintian; do
	command -v $t >/dev/null 2>&1 || {
		echo "deb.sh: $t missing (apt-get install dpkg-dev debhelper fakeroot lintian)" >&2
		exit 77
	}
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src=$work/dane-smime-0.1.0
mkdir -p "$src" "$out"

# A clean copy: no build trees, no VCS, no logs.
(cd "$root" && tar -cf - --exclude='./build*' --exclude=./.git \
    --exclude='*.log' --exclude='__pycache__' --exclude=./debian .) |
    (cd "$src" && tar -xf -)
cp -r "$root/packaging/debian" "$src/debian"

echo "building the package in $src ..."
if (cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b"
else
	bad "dpkg-buildpackage -us -uc -b (log: $out/build.log)"
	tail -n 40 "$out/build.log"
	echo "$pass passed, $fail failed"
	exit 1
fi
rm -f "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
mv "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out/"
for f in "$out"/dane-smime_*.deb; do deb=$f; done
for f in "$out"/*.changes; do changes=$f; done
echo "package: $deb"

# lintian: errors and warnings fail; the remaining info/pedantic tags
# are the ones explained in packaging/README.md.
lintian --info --display-info --pedantic "$changes" >"$out/lintian.txt" 2>&1 || true
cat "$out/lintian.txt"
check "lintian: no errors or warnings" \
    sh -c "! grep -q '^[EW]: ' '$out/lintian.txt'"
unexplained=$(grep '^[IPX]: ' "$out/lintian.txt" | awk '{ print $3 }' |
    sort -u | while read -r tag; do
	grep -q "^| \`$tag\`" "$root/packaging/README.md" || echo "$tag"
    done)
check "lintian: every remaining tag explained in packaging/README.md ${unexplained:+(not: $unexplained)}" \
    test -z "$unexplained"

# The file list: exactly these files (folders aside).
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $6 }' | sed 's|^\./|/|' |
    LC_ALL=C sort >"$work/files"
{
	echo /usr/bin/dane-smime
	echo /usr/lib/mozilla/native-messaging-hosts/dane_smime.json
	# issue 17: the PKCS#11 module (a private library) and its manifest
	echo "/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/dane-smime/dane-smime-pkcs11.so"
	echo /usr/lib/mozilla/pkcs11-modules/dane_smime_pkcs11.json
	echo /usr/share/doc/dane-smime/PROTOCOL.md.gz
	echo /usr/share/doc/dane-smime/README.md.gz
	echo /usr/share/doc/dane-smime/changelog.Debian.gz
	echo /usr/share/doc/dane-smime/copyright
	echo /usr/share/lintian/overrides/dane-smime
	echo /usr/share/man/man1/dane-smime.1.gz
	[ -f "$root/extension/manifest.json" ] &&
	    echo /usr/share/dane-smime/dane-smime.xpi
} | LC_ALL=C sort >"$work/want"
if diff -u "$work/want" "$work/files"; then
	ok "dpkg-deb -c: file list"
else
	bad "dpkg-deb -c: file list (diff above: - expected, + in package)"
fi
dpkg-deb -c "$deb" >"$work/contents"
check "binary is mode 0755 root/root" \
    grep -q '^-rwxr-xr-x root/root .* ./usr/bin/dane-smime$' "$work/contents"
check "the PKCS#11 manifest names the packaged module" \
    sh -c "dpkg-deb -x '$deb' '$work/p11' && grep -q '\"path\": *\"/usr/lib/[^\"]*/dane-smime/dane-smime-pkcs11.so\"' '$work/p11/usr/lib/mozilla/pkcs11-modules/dane_smime_pkcs11.json'"
check "manifest is mode 0644 root/root" \
    grep -q '^-rw-r--r-- root/root .* ./usr/lib/mozilla/native-messaging-hosts/dane_smime.json$' "$work/contents"

dpkg-deb -x "$deb" "$work/x"
check "manifest: name, path /usr/bin/dane-smime, stdio, the add-on id" \
    python3 - "$work/x/usr/lib/mozilla/native-messaging-hosts/dane_smime.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
want = {"name": "dane_smime", "path": "/usr/bin/dane-smime", "type": "stdio",
        "allowed_extensions": ["dane-smime@dane-smime.org"]}
bad = {k: m.get(k) for k in want if m.get(k) != want[k]}
if bad or not m.get("description"):
    print("manifest differs:", bad)
    sys.exit(1)
EOF
check "packaged binary runs --version" \
    sh -c "'$work/x/usr/bin/dane-smime' --version | grep -q '^dane-smime '"
if [ -f "$work/x/usr/share/dane-smime/dane-smime.xpi" ]; then
	check "xpi has manifest.json at its root and the add-on id" \
	    sh -c "unzip -p '$work/x/usr/share/dane-smime/dane-smime.xpi' manifest.json | grep -q '\"dane-smime@dane-smime.org\"'"
	check "xpi carries no development files (package.json)" \
	    sh -c "! unzip -l '$work/x/usr/share/dane-smime/dane-smime.xpi' | grep -q package.json"
fi
check "Depends names the shared libraries (shlibs)" \
    sh -c "dpkg-deb -f '$deb' Depends | grep -q libnss3"

if [ "${DANE_SMIME_DEB_INSTALL:-0}" = 1 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		bad "DANE_SMIME_DEB_INSTALL=1 needs root"
	else
		before=$work/before
		find /usr/bin /usr/lib/mozilla /usr/share/dane-smime \
		    /usr/share/doc/dane-smime /usr/share/man/man1 2>/dev/null |
		    LC_ALL=C sort >"$before"
		check "apt-get install ./$(basename "$deb")" \
		    sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y '$deb' >'$out/install.log' 2>&1"
		check "installed manifest names an executable /usr/bin/dane-smime" \
		    sh -c "grep -q '\"path\": \"/usr/bin/dane-smime\"' /usr/lib/mozilla/native-messaging-hosts/dane_smime.json && test -x /usr/bin/dane-smime && /usr/bin/dane-smime --version >/dev/null"
		check "apt-get purge dane-smime" \
		    sh -c "DEBIAN_FRONTEND=noninteractive apt-get purge -y dane-smime >>'$out/install.log' 2>&1"
		find /usr/bin /usr/lib/mozilla /usr/share/dane-smime \
		    /usr/share/doc/dane-smime /usr/share/man/man1 2>/dev/null |
		    LC_ALL=C sort >"$work/after"
		if diff -u "$before" "$work/after"; then
			ok "purge leaves nothing behind"
		else
			bad "purge leaves something behind (diff above)"
		fi
	fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
