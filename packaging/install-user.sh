#!/bin/sh
# install-user.sh - install dane-smime for the current user, without root.
#
#   sh packaging/install-user.sh [--profile NAME|DIR] [--binary FILE]
#                                [--module FILE] [--xpi FILE] [--force]
#   sh packaging/install-user.sh --uninstall
#
# Puts the host at ~/.local/bin/dane-smime (built from this source tree
# with meson in ~/.cache/dane-smime/build, kept for the next run, unless
# --binary names one), its man page under ~/.local/share/man, and the
# native-messaging manifest where Thunderbird on Linux looks first:
# ~/.mozilla/native-messaging-hosts/dane_smime.json (not ~/.thunderbird,
# not an XDG folder). The live DANE token's PKCS#11 module (issue 17)
# goes to ~/.local/lib/dane-smime/dane-smime-pkcs11.so (built beside the
# host, or found next to --binary, or --module FILE) with its manifest of
# type pkcs11 in ~/.mozilla/pkcs11-modules/dane_smime_pkcs11.json, which
# the add-on's pkcs11.installModule reads. The add-on (packaging/make-xpi.sh, or --xpi FILE)
# goes to ~/.local/share/dane-smime/dane-smime.xpi and, with --profile
# (or --xpi), into that Thunderbird profile as extensions/<add-on id>.xpi.
# Everything written is listed in ~/.local/share/dane-smime/install-user.list
# so that --uninstall removes exactly that (and the folders it created).
#
# Exit status: 0 done, 1 refused or failed (the reason is printed), 64 usage.
set -eu

HOST_NAME=dane_smime
PKCS11_NAME=dane_smime_pkcs11
EXTENSION_ID=dane-smime@dane-smime.org

usage() {
	cat >&2 <<EOF
usage: $0 [--profile NAME|DIR] [--binary FILE] [--module FILE] [--xpi FILE]
          [--force]
       $0 --uninstall [--force]
  --profile P     also install the add-on into this Thunderbird profile:
                  its name in ~/.thunderbird/profiles.ini (as about:profiles
                  shows it), its folder's name there, or a folder
                  (anything with a "/")
  --binary FILE   install this dane-smime instead of building one
  --module FILE   this PKCS#11 module (dane-smime-pkcs11.so) instead of
                  the one built, or found next to --binary
  --xpi FILE      this add-on instead of one built from extension/;
                  installed into the profile (needs --profile when
                  there are several)
  --force         replace a manifest that points somewhere else
  --uninstall     remove what an earlier run installed
Environment: HOME, DANE_SMIME_PREFIX (default \$HOME/.local),
XDG_CACHE_HOME (the build folder: \$XDG_CACHE_HOME/dane-smime/build,
default \$HOME/.cache/dane-smime/build).
EOF
	exit 64
}

say() { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

binary=
module=
xpi=
profile=
force=0
uninstall=0
while [ $# -gt 0 ]; do
	case $1 in
	--binary) [ $# -ge 2 ] || usage; binary=$2; shift 2 ;;
	--module) [ $# -ge 2 ] || usage; module=$2; shift 2 ;;
	--xpi) [ $# -ge 2 ] || usage; xpi=$2; shift 2 ;;
	--profile) [ $# -ge 2 ] || usage; profile=$2; shift 2 ;;
	--force) force=1; shift ;;
	--uninstall) uninstall=1; shift ;;
	-h|--help) usage ;;
	*) usage ;;
	esac
done

case ${HOME:-} in
/*) ;;
*) die "HOME must be an absolute path" ;;
esac

src=$(cd "$(dirname "$0")/.." && pwd)
prefix=${DANE_SMIME_PREFIX:-$HOME/.local}
case $prefix in
/*) ;;
*) die "DANE_SMIME_PREFIX must be an absolute path" ;;
esac
bindir=$prefix/bin
p11dir=$prefix/lib/dane-smime
p11lib=$p11dir/dane-smime-pkcs11.so
man1dir=$prefix/share/man/man1
statedir=$prefix/share/dane-smime
record=$statedir/install-user.list
nmdir=$HOME/.mozilla/native-messaging-hosts
manifest=$nmdir/$HOST_NAME.json
p11mdir=$HOME/.mozilla/pkcs11-modules
p11manifest=$p11mdir/$PKCS11_NAME.json
tbdir=$HOME/.thunderbird
case ${XDG_CACHE_HOME:-} in
/*) cachedir=$XDG_CACHE_HOME/dane-smime ;;
*) cachedir=$HOME/.cache/dane-smime ;;
esac
builddir=$cachedir/build
# What the per-user build needs on Debian/Ubuntu (host/meson.build's
# dependencies nss, libcares, libcjson, libidn2, sqlite3; zip for the
# add-on).
build_packages="meson ninja-build pkg-config gcc libc6-dev libnss3-dev libc-ares-dev libcjson-dev libidn2-dev libsqlite3-dev zip"

# --- the list of what we wrote: "f PATH" files, "d PATH" created folders ---

# mkdir -p that records every folder it creates, outermost first.
mkdirs() {
	[ -d "$1" ] && return 0
	mkdirs "$(dirname "$1")"
	mkdir "$1"
	printf 'd %s\n' "$1" >>"$tmpd/record"
}

note_file() { printf 'f %s\n' "$1" >>"$tmpd/record"; }

# Prints the "path" of a manifest (empty if it has none we can read).
manifest_path() {
	tr '\n' ' ' <"$1" |
	    sed -n 's/.*"path"[[:space:]]*:[[:space:]]*"\(\([^"\\]\|\\.\)*\)".*/\1/p' |
	    sed 's/\\"/"/g; s/\\\\/\\/g; s|\\/|/|g'
}

# --- the traps -------------------------------------------------------------

# Thunderbird from Flatpak or Snap runs in a sandbox: it reads manifests
# inside it and cannot start a host outside it unless the WebExtensions
# native-messaging portal is available, which these packages do not use
# yet. The host installed here will then not be found.
check_sandboxes() {
	sandboxed=
	if [ -d "$HOME/.var/app/org.mozilla.Thunderbird" ] ||
	    { command -v flatpak >/dev/null 2>&1 &&
	    flatpak info org.mozilla.Thunderbird >/dev/null 2>&1; }; then
		sandboxed="Flatpak (org.mozilla.Thunderbird)"
	fi
	if [ -d "$HOME/snap/thunderbird" ] || [ -e /snap/bin/thunderbird ]; then
		sandboxed="${sandboxed:+$sandboxed and }Snap (thunderbird)"
	fi
	[ -n "$sandboxed" ] || return 0
	warn "Thunderbird from $sandboxed is installed. A sandboxed"
	warn "Thunderbird cannot start native-messaging hosts such as dane-smime"
	warn "(no native-messaging portal support): the add-on will report"
	warn "\"No such native application $HOST_NAME\" there. Use the"
	warn "distribution's thunderbird package or the thunderbird.net build."
}

# A manifest Thunderbird would also read, under /usr/lib{,64}: ours wins.
check_system_manifests() {
	for d in /usr/lib/mozilla/native-messaging-hosts \
	    /usr/lib64/mozilla/native-messaging-hosts; do
		[ -f "$d/$HOST_NAME.json" ] || continue
		say "note: $d/$HOST_NAME.json exists (installed by a package?);"
		say "      the per-user manifest takes precedence over it."
	done
}

# --- Thunderbird profiles --------------------------------------------------

# Prints "NAME<TAB>DIR<TAB>DEFAULT" for each profile in profiles.ini;
# DEFAULT is 1 for the one Thunderbird starts with: an installation's
# Default= (installs.ini, [Install...] sections), else Default=1.
list_profiles() {
	[ -f "$tbdir/profiles.ini" ] || return 0
	inst=$tbdir/installs.ini
	[ -f "$inst" ] || inst=/dev/null
	awk -v base="$tbdir" -v inst="$inst" '
	function flush() {
		if (inprof && path != "" && name != "") {
			n++; nm[n] = name; raw[n] = path; def[n] = legacy
			dir[n] = rel == "1" ? base "/" path : path
		}
		name = ""; path = ""; rel = "1"; legacy = 0
	}
	{ sub(/\r$/, "") }
	FILENAME == inst && /^Default=/ { idef[substr($0, 9)] = 1; anyi = 1; next }
	FILENAME == inst { next }
	/^\[/ { flush(); inprof = ($0 ~ /^\[Profile[0-9]+\]/)
		ininst = ($0 ~ /^\[Install/); next }
	ininst && /^Default=/ { idef[substr($0, 9)] = 1; anyi = 1 }
	inprof && /^Name=/ { name = substr($0, 6) }
	inprof && /^Path=/ { path = substr($0, 6) }
	inprof && /^IsRelative=/ { rel = substr($0, 12) }
	inprof && /^Default=1/ { legacy = 1 }
	END {
		flush()
		for (i = 1; i <= n; i++) if (raw[i] in idef) hit = 1
		for (i = 1; i <= n; i++)
			printf "%s\t%s\t%d\n", nm[i], dir[i],
			    hit ? (raw[i] in idef) : def[i]
	}
	' "$inst" "$tbdir/profiles.ini"
}

# The profiles, one per line, for messages: "  NAME  DIR (default)".
show_profiles() {
	printf '%s\n' "$1" | awk -F '\t' 'NF >= 2 {
		d = $3 == 1 ? "   (Thunderbird starts this one)" : ""
		printf "  %-16s %s%s\n", $1, $2, d }'
}

# Sets profdir from --profile, or to the only profile there is.
choose_profile() {
	list=$(list_profiles)
	n=$(printf '%s' "$list" | grep -c . || true)
	if [ -n "$profile" ]; then
		case $profile in
		*/*)	# a folder
			[ -d "$profile" ] || die "profile folder $profile does not exist"
			profdir=$(cd "$profile" && pwd)
			return 0 ;;
		esac
		# Its name, else its folder's name (about:profiles shows both).
		profdir=$(printf '%s\n' "$list" | awk -F '\t' -v n="$profile" '
		    $1 == n { print $2; found = 1; exit }
		    { b = $2; sub(/.*\//, "", b); if (b == n && !bn) bn = $2 }
		    END { if (!found && bn) print bn }')
		if [ -z "$profdir" ]; then
			if [ "$n" -eq 0 ]; then
				[ -f "$tbdir/profiles.ini" ] &&
				    die "no Thunderbird profile \"$profile\": $tbdir/profiles.ini lists no profiles (start Thunderbird once as this user, or give --profile DIR)"
				die "no Thunderbird profile \"$profile\": $tbdir/profiles.ini does not exist (start Thunderbird once as this user, or give --profile DIR)"
			fi
			printf 'error: no Thunderbird profile "%s" in %s. Its profiles:\n' \
			    "$profile" "$tbdir/profiles.ini" >&2
			show_profiles "$list" >&2
			printf 'Give one of these names (Thunderbird shows them at about:profiles).\n' >&2
			exit 1
		fi
		[ -d "$profdir" ] || die "profile \"$profile\": folder $profdir does not exist"
		return 0
	fi
	if [ "$n" -eq 0 ]; then
		die "no Thunderbird profile found in $tbdir/profiles.ini: start Thunderbird once, or give --profile DIR"
	fi
	if [ "$n" -gt 1 ]; then
		printf 'error: %s Thunderbird profiles; choose one with --profile NAME:\n' "$n" >&2
		show_profiles "$list" >&2
		exit 1
	fi
	profdir=$(printf '%s\n' "$list" | cut -f 2)
	profile=$(printf '%s\n' "$list" | cut -f 1)
	[ -d "$profdir" ] || die "profile folder $profdir does not exist"
}

# --- uninstall -------------------------------------------------------------

if [ "$uninstall" -eq 1 ]; then
	[ -f "$record" ] || die "nothing to uninstall: $record does not exist"
	for m in "$manifest" "$p11manifest"; do
		if [ -f "$m" ] && ! grep -qxF "f $m" "$record"; then
			warn "$m was not written by this script; left alone"
		fi
	done
	cp "$record" "${TMPDIR:-/tmp}/dane-smime-uninstall.$$"
	list=${TMPDIR:-/tmp}/dane-smime-uninstall.$$
	trap 'rm -f "$list"' EXIT
	rm -f "$record"
	# Files first, then the folders we created, innermost first.
	grep '^f ' "$list" | cut -c 3- | while IFS= read -r f; do
		if [ "$f" = "$manifest" ] && [ -f "$f" ] && [ "$force" -eq 0 ] &&
		    [ "$(manifest_path "$f")" != "$bindir/dane-smime" ]; then
			warn "$f now points at $(manifest_path "$f"); left alone (--force removes it)"
			continue
		fi
		if [ "$f" = "$p11manifest" ] && [ -f "$f" ] && [ "$force" -eq 0 ] &&
		    [ "$(manifest_path "$f")" != "$p11lib" ]; then
			warn "$f now points at $(manifest_path "$f"); left alone (--force removes it)"
			continue
		fi
		[ -e "$f" ] || [ -L "$f" ] || continue
		rm -f "$f" && say "removed $f"
	done
	# The kept build folder, if it still is one.
	grep '^b ' "$list" | cut -c 3- | while IFS= read -r b; do
		[ -d "$b/meson-private" ] || continue
		rm -rf "$b" && say "removed $b/"
	done
	grep '^d ' "$list" | cut -c 3- | sort -r | while IFS= read -r d; do
		# Not empty: someone else put something there since.
		if rmdir "$d" 2>/dev/null; then say "removed $d/"; fi
	done
	say "dane-smime uninstalled for $HOME."
	say "Thunderbird keeps the add-on's settings; remove the add-on itself"
	say "in Add-ons and Themes if it was installed another way. Thunderbird"
	say "also keeps its entry for the certificate module (now empty, it serves"
	say "nothing): Settings, Privacy & Security, Security Devices,"
	say "\"$PKCS11_NAME\", Unload removes it."
	exit 0
fi

# --- install ---------------------------------------------------------------

check_sandboxes

if [ -f "$manifest" ] && [ "$force" -eq 0 ]; then
	old=$(manifest_path "$manifest")
	if [ "$old" != "$bindir/dane-smime" ]; then
		die "$manifest already exists and points at \"$old\", not $bindir/dane-smime. Run with --force to replace it, or remove it (a .deb/.rpm install uses /usr/lib/mozilla/native-messaging-hosts instead)."
	fi
fi
if [ -f "$p11manifest" ] && [ "$force" -eq 0 ]; then
	old=$(manifest_path "$p11manifest")
	if [ "$old" != "$p11lib" ]; then
		die "$p11manifest already exists and points at \"$old\", not $p11lib. Run with --force to replace it, or remove it (a .deb/.rpm install uses /usr/lib/mozilla/pkcs11-modules instead)."
	fi
fi
for d in "$bindir" "$p11dir"; do
	case $d in
	*[\"\\\|\&]*|*"
"*) die "the install path $d cannot go into JSON as it is" ;;
	esac
done

tmpd=$(mktemp -d)
trap 'rm -rf "$tmpd"' EXIT

# What this run writes goes to $tmpd/record; what an earlier run wrote is
# kept (its folders are still ours to remove).
: >"$tmpd/record"
[ -f "$record" ] && cat "$record" >>"$tmpd/record"

# Writes the list of what we installed (also when a build fails, so
# that --uninstall removes the build folder).
save_record() {
	mkdirs "$statedir"
	note_file "$record"
	# Keep entries unique, in order.
	awk '!seen[$0]++' "$tmpd/record" >"$record.tmp"
	mv -f "$record.tmp" "$record"
}

# Builds the host in $builddir. A build folder from an earlier run is
# reused: ninja rebuilds what changed (and re-runs meson when a
# meson.build did); one from another source tree, or one that no longer
# builds, is set up again from scratch.
build_host() {
	missing=
	for p in meson ninja pkg-config cc; do
		command -v "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		die "cannot build dane-smime:$missing not found. Install the build packages (Debian/Ubuntu: apt-get install $build_packages), or give --binary FILE"
	fi
	mkdirs "$cachedir"
	if [ -f "$builddir/meson-private/coredata.dat" ] &&
	    grep -qF "\"source\": \"$src\"" \
	    "$builddir/meson-info/meson-info.json" 2>/dev/null; then
		say "building dane-smime in $builddir (kept from the last run) ..."
		if meson compile -C "$builddir" dane-smime dane-smime-pkcs11 \
		    >"$tmpd/log" 2>&1; then
			binary=$builddir/host/dane-smime
			[ -n "$module" ] || module=$builddir/host/dane-smime-pkcs11.so
			return 0
		fi
		tail -n 5 "$tmpd/log" | sed 's/^/  | /' >&2
		say "that build failed (above); setting it up again ..."
	else
		say "building dane-smime from $src in $builddir ..."
	fi
	rm -rf "$builddir"
	printf 'b %s\n' "$builddir" >>"$tmpd/record"
	if ! meson setup "$builddir" "$src" --buildtype=release \
	    -Dintegration=false >"$tmpd/log" 2>&1; then
		save_record
		tail -n 25 "$tmpd/log" >&2
		die "meson setup failed (log above). The build needs these packages (Debian/Ubuntu names): $build_packages"
	fi
	if ! meson compile -C "$builddir" dane-smime dane-smime-pkcs11 \
	    >"$tmpd/log" 2>&1; then
		save_record
		tail -n 40 "$tmpd/log" >&2
		die "the build failed (log above)"
	fi
	binary=$builddir/host/dane-smime
	[ -n "$module" ] || module=$builddir/host/dane-smime-pkcs11.so
}

# The profile first: a wrong name must fail before anything is built.
profdir=
profname=
if [ -n "$profile" ] || [ -n "$xpi" ]; then
	choose_profile
	profname=$profile
	[ -n "$profname" ] || profname=$(basename "$profdir")
fi

# The add-on: --xpi, or built from extension/ (make-xpi.sh).
if [ -n "$xpi" ]; then
	[ -f "$xpi" ] || die "$xpi does not exist (build it with packaging/make-xpi.sh)"
elif [ -f "$src/extension/manifest.json" ] &&
    command -v zip >/dev/null 2>&1; then
	sh "$src/packaging/make-xpi.sh" "$tmpd/dane-smime.xpi" >"$tmpd/log" 2>&1 ||
	    { cat "$tmpd/log" >&2; die "packaging/make-xpi.sh failed"; }
	xpi=$tmpd/dane-smime.xpi
elif [ -n "$profdir" ]; then
	[ -f "$src/extension/manifest.json" ] ||
	    die "$src/extension/manifest.json does not exist: no add-on to install (give --xpi FILE)"
	die "zip not found: it packages the add-on (apt-get install zip), or give --xpi FILE"
else
	warn "zip not found: the add-on was not packaged (apt-get install zip)"
fi

if [ -z "$binary" ]; then
	build_host
fi
if [ ! -f "$binary" ] || [ ! -x "$binary" ]; then
	die "$binary is not an executable file"
fi
ver=$("$binary" --version 2>/dev/null) || die "$binary --version failed"
case $ver in
"dane-smime "*) ;;
*) die "$binary does not look like dane-smime (--version: $ver)" ;;
esac
# The PKCS#11 module: --module, built above, or beside --binary (a build
# tree's host/ has both).
if [ -z "$module" ] && [ -f "$(dirname "$binary")/dane-smime-pkcs11.so" ]; then
	module=$(dirname "$binary")/dane-smime-pkcs11.so
fi
if [ -n "$module" ] && [ ! -f "$module" ]; then
	die "$module does not exist (the PKCS#11 module dane-smime-pkcs11.so)"
fi

mkdirs "$bindir"
install -m 0755 "$binary" "$bindir/dane-smime.tmp"
mv -f "$bindir/dane-smime.tmp" "$bindir/dane-smime"
note_file "$bindir/dane-smime"
say "installed $bindir/dane-smime ($ver)"

if [ -f "$src/host/dane-smime.1" ]; then
	mkdirs "$man1dir"
	install -m 0644 "$src/host/dane-smime.1" "$man1dir/dane-smime.1"
	note_file "$man1dir/dane-smime.1"
fi

# The manifest: the same template meson uses (manifest/dane_smime.json.in).
mkdirs "$nmdir"
if [ -f "$src/manifest/dane_smime.json.in" ]; then
	sed -e "s|@PATH@|$bindir/dane-smime|" -e "s|@EXTENSION_ID@|$EXTENSION_ID|" \
	    "$src/manifest/dane_smime.json.in" >"$manifest.tmp"
else
	cat >"$manifest.tmp" <<EOF
{
  "name": "$HOST_NAME",
  "description": "dane-smime: S/MIME certificates from DNSSEC-signed SMIMEA records (RFC 8162)",
  "path": "$bindir/dane-smime",
  "type": "stdio",
  "allowed_extensions": ["$EXTENSION_ID"]
}
EOF
fi
chmod 0644 "$manifest.tmp"
mv -f "$manifest.tmp" "$manifest"
note_file "$manifest"
say "installed $manifest"
check_system_manifests

# The live DANE token: the module and its manifest of type pkcs11 (the
# same template meson uses, manifest/dane_smime_pkcs11.json.in). The
# add-on asks Thunderbird to load it (pkcs11.installModule) at its start.
if [ -n "$module" ]; then
	mkdirs "$p11dir"
	install -m 0755 "$module" "$p11lib.tmp"
	mv -f "$p11lib.tmp" "$p11lib"
	note_file "$p11lib"
	mkdirs "$p11mdir"
	if [ -f "$src/manifest/dane_smime_pkcs11.json.in" ]; then
		sed -e "s|@PATH@|$p11lib|" -e "s|@EXTENSION_ID@|$EXTENSION_ID|" \
		    "$src/manifest/dane_smime_pkcs11.json.in" >"$p11manifest.tmp"
	else
		cat >"$p11manifest.tmp" <<EOF
{
  "name": "$PKCS11_NAME",
  "description": "dane-smime: the S/MIME certificates DNSSEC-signed SMIMEA records vouch for now, as a read-only PKCS#11 token",
  "path": "$p11lib",
  "type": "pkcs11",
  "allowed_extensions": ["$EXTENSION_ID"]
}
EOF
	fi
	chmod 0644 "$p11manifest.tmp"
	mv -f "$p11manifest.tmp" "$p11manifest"
	note_file "$p11manifest"
	say "installed $p11lib and $p11manifest (the live DANE token)"
else
	warn "no PKCS#11 module next to $binary (dane-smime-pkcs11.so): the live"
	warn "DANE token is not installed, and the add-on will say so. Give"
	warn "--module FILE, or turn on \"Keep a permanent copy\" in its settings."
fi

# The add-on: a copy to install from (Add-ons and Themes, Install Add-on
# From File), and into the profile when one was chosen.
if [ -n "$xpi" ]; then
	mkdirs "$statedir"
	install -m 0644 "$xpi" "$statedir/dane-smime.xpi.tmp"
	mv -f "$statedir/dane-smime.xpi.tmp" "$statedir/dane-smime.xpi"
	note_file "$statedir/dane-smime.xpi"
	say "installed $statedir/dane-smime.xpi (the add-on)"
fi
if [ -n "$profdir" ]; then
	mkdirs "$profdir/extensions"
	install -m 0644 "$xpi" "$profdir/extensions/$EXTENSION_ID.xpi"
	note_file "$profdir/extensions/$EXTENSION_ID.xpi"
	say "installed the add-on into Thunderbird profile \"$profname\" ($profdir)"
	say "  At its next start Thunderbird adds it DISABLED, as it does with"
	say "  any add-on put there from outside: its main menu (the button"
	say "  with three lines) then shows \"DANE S/MIME added to Thunderbird\":"
	say "  choose it, then Enable. Or: Add-ons and Themes, DANE S/MIME, Enable."
	if [ -f "$profdir/lock" ] || [ -L "$profdir/lock" ]; then
		say "  Thunderbird seems to be running with this profile: restart it."
	fi
	say "  Or, with no notice to look for: Add-ons and Themes, gear menu,"
	say "  Install Add-on From File, $statedir/dane-smime.xpi"
elif [ -n "$xpi" ]; then
	plist=$(list_profiles)
	had=$(printf '%s\n' "$plist" | while IFS="$(printf '\t')" read -r n d _; do
		if [ -n "$d" ] && [ -f "$d/extensions/$EXTENSION_ID.xpi" ]; then
			printf ' "%s"' "$n"
		fi
	done)
	if [ -n "$had" ]; then
		say "The add-on file is already in profile$had (from before; this run"
		say "did not update it: give --profile NAME for that). For another"
		say "profile either"
	else
		say "The add-on is in no Thunderbird profile yet. Either"
	fi
	say "  - in Thunderbird: Add-ons and Themes, gear menu, Install Add-on"
	say "    From File, $statedir/dane-smime.xpi; or"
	say "  - run this again with --profile NAME. Your profiles:"
	if [ -n "$plist" ]; then
		show_profiles "$plist" | sed 's/^/  /'
	else
		say "      none yet in $tbdir/profiles.ini: start Thunderbird once."
	fi
fi

save_record

case ":${PATH:-}:" in
*":$bindir:"*) ;;
*)
	say "note: $bindir is not in PATH, so the command \"dane-smime\" is not"
	say "  found yet (Thunderbird does not need it: the manifest names the"
	say "  full path). Debian's ~/.profile adds ~/.local/bin at your next"
	say "  login; or add  export PATH=\"$bindir:\$PATH\"  to ~/.profile."
	;;
esac
say "Check the set-up with: $bindir/dane-smime doctor"
