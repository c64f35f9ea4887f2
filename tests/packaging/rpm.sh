#!/bin/sh
# tests/packaging/rpm.sh - check packaging/rpm/dane-smime.spec on this
# Debian machine: rpmspec -P (parses and expands, with the %meson stand-ins
# of tests/packaging/rpm-macros.meson since Debian ships no macros.meson),
# rpmlint if installed, and with DANE_SMIME_RPM_BUILD=1 a real
# `rpmbuild -bb --nodeps` (Debian's libraries stand in for the
# BuildRequires) whose file list and manifest are then checked.
#
#   sh tests/packaging/rpm.sh [OUTDIR]     (default: build-rpm/)
#
# Exit 77 (skip) without rpmspec. Prints "N passed, N failed".
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
spec=$root/packaging/rpm/dane-smime.spec
macros=$root/tests/packaging/rpm-macros.meson
out=${1:-$root/build-rpm}
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

command -v rpmspec >/dev/null 2>&1 || {
	echo "rpm.sh: rpmspec missing (apt-get install rpm)" >&2
	exit 77
}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if rpmspec -P --load "$macros" "$spec" >"$out/spec.expanded" 2>"$work/err" &&
    ! grep -q '%meson' "$out/spec.expanded"; then
	ok "rpmspec -P: parses, %meson macros expand"
else
	bad "rpmspec -P"; cat "$work/err"
fi
ver=$(rpmspec -q --load "$macros" --qf '%{VERSION}\n' "$spec" 2>/dev/null | head -n 1)
mver=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$root/meson.build" | head -n 1)
if [ "$ver" = "$mver" ]; then
	ok "spec Version $ver = meson project version"
else
	bad "spec Version $ver != meson project version $mver"
fi
if grep -q -- '-Dnative_messaging_dir=/usr/lib64/mozilla/native-messaging-hosts' \
    "$out/spec.expanded"; then
	ok "manifest folder is %{_libdir}/mozilla/native-messaging-hosts (lib64 here)"
else
	bad "manifest folder"
fi
if command -v rpmlint >/dev/null 2>&1; then
	rpmlint "$spec" >"$out/rpmlint.txt" 2>&1 || true
	# Explained in packaging/README.md: no-buildroot-tag (obsolete
	# since rpm 4.6), invalid-url on a local Source0.
	if grep ': [EW]: ' "$out/rpmlint.txt" |
	    grep -v -e ': W: no-buildroot-tag' -e ': W: invalid-url Source0' |
	    grep -q .; then
		bad "rpmlint: unexplained errors or warnings"; cat "$out/rpmlint.txt"
	else
		ok "rpmlint: only the explained warnings"
	fi
fi

if [ "${DANE_SMIME_RPM_BUILD:-0}" = 1 ]; then
	top=$work/rpmbuild
	mkdir -p "$top/SOURCES"
	(cd "$root" && tar -cf - --exclude='./build*' --exclude=./.git \
	    --exclude='*.log' --exclude='__pycache__' .) |
	    (mkdir -p "$work/src/dane-smime-$ver" &&
	    cd "$work/src/dane-smime-$ver" && tar -xf -)
	tar -C "$work/src" -czf "$top/SOURCES/dane-smime-$ver.tar.gz" \
	    "dane-smime-$ver"
	if rpmbuild -bb --nodeps --define "_topdir $top" --load "$macros" \
	    "$spec" >"$out/rpmbuild.log" 2>&1; then
		ok "rpmbuild -bb"
	else
		bad "rpmbuild -bb (log: $out/rpmbuild.log)"; tail -n 30 "$out/rpmbuild.log"
	fi
	rpm=
	for f in "$top"/RPMS/*/dane-smime-"$ver"-*.rpm; do
		case $f in *debug*) ;; *) [ -f "$f" ] && rpm=$f ;; esac
	done
	if [ -n "$rpm" ]; then
		cp "$rpm" "$out/"
		# Distributions differ in the doc folder's name (Debian's rpm:
		# NAME-VERSION, Fedora: NAME), in compressing man pages and in
		# build-id links: those are normalised away.
		rpm -qlp "$rpm" 2>/dev/null | grep -v '^/usr/lib/\.build-id' |
		    sed -e "s|^/usr/share/doc/dane-smime-$ver|/usr/share/doc/dane-smime|" \
		    -e 's|\.1\.gz$|.1|' | LC_ALL=C sort >"$work/files"
		{
			echo /usr/bin/dane-smime
			echo /usr/lib64/mozilla/native-messaging-hosts/dane_smime.json
			echo /usr/share/doc/dane-smime
			echo /usr/share/doc/dane-smime/PROTOCOL.md
			echo /usr/share/doc/dane-smime/README.md
			echo /usr/share/man/man1/dane-smime.1
			if [ -f "$root/extension/manifest.json" ]; then
				echo /usr/share/dane-smime
				echo /usr/share/dane-smime/dane-smime.xpi
			fi
		} | LC_ALL=C sort >"$work/want"
		if diff -u "$work/want" "$work/files"; then
			ok "rpm -qlp: file list"
		else
			bad "rpm -qlp: file list (diff above)"
		fi
		mkdir -p "$work/x"
		(cd "$work/x" && rpm2cpio "$rpm" | cpio -idm --quiet)
		if grep -q '"path": "/usr/bin/dane-smime"' \
		    "$work/x/usr/lib64/mozilla/native-messaging-hosts/dane_smime.json" &&
		    grep -q '"dane-smime@dane-smime.org"' \
		    "$work/x/usr/lib64/mozilla/native-messaging-hosts/dane_smime.json"; then
			ok "rpm manifest: path /usr/bin/dane-smime, the add-on id"
		else
			bad "rpm manifest"
		fi
		if rpm -qp --requires "$rpm" 2>/dev/null | grep -q mozilla-filesystem; then
			ok "rpm requires mozilla-filesystem (owner of the folder)"
		else
			bad "rpm requires mozilla-filesystem"
		fi
	else
		bad "no binary rpm produced"
	fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
