#!/bin/sh
# install-user.sh - install dane-smime for the current user, without root.
#
#   sh packaging/install-user.sh [--binary FILE] [--xpi FILE]
#                                [--profile NAME|DIR] [--force]
#   sh packaging/install-user.sh --uninstall
#
# Puts the host at ~/.local/bin/dane-smime (built from this source tree
# with meson unless --binary names one), its man page under
# ~/.local/share/man, and the native-messaging manifest where Thunderbird
# on Linux looks first: ~/.mozilla/native-messaging-hosts/dane_smime.json
# (not ~/.thunderbird, not an XDG folder). With --xpi, the add-on is also
# copied into a Thunderbird profile as extensions/<add-on id>.xpi.
# Everything written is listed in ~/.local/share/dane-smime/install-user.list
# so that --uninstall removes exactly that (and the folders it created).
#
# Exit status: 0 done, 1 refused or failed (the reason is printed), 64 usage.
set -eu

HOST_NAME=dane_smime
EXTENSION_ID=dane-smime@dane-smime.org

usage() {
	cat >&2 <<EOF
usage: $0 [--binary FILE] [--xpi FILE] [--profile NAME|DIR] [--force]
       $0 --uninstall [--force]
  --binary FILE   install this dane-smime instead of building one
  --xpi FILE      also install the add-on into a Thunderbird profile
  --profile P     that profile: a name from profiles.ini, or a folder
                  (anything with a "/")
                  (needed when there are several profiles)
  --force         replace a manifest that points somewhere else
  --uninstall     remove what an earlier run installed
Environment: HOME, DANE_SMIME_PREFIX (default \$HOME/.local).
EOF
	exit 64
}

say() { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

binary=
xpi=
profile=
force=0
uninstall=0
while [ $# -gt 0 ]; do
	case $1 in
	--binary) [ $# -ge 2 ] || usage; binary=$2; shift 2 ;;
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
man1dir=$prefix/share/man/man1
statedir=$prefix/share/dane-smime
record=$statedir/install-user.list
nmdir=$HOME/.mozilla/native-messaging-hosts
manifest=$nmdir/$HOST_NAME.json
tbdir=$HOME/.thunderbird

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

# Prints "NAME<TAB>DIR" for each profile in profiles.ini.
list_profiles() {
	[ -f "$tbdir/profiles.ini" ] || return 0
	awk -v base="$tbdir" '
	function flush() {
		if (path != "") {
			if (rel == "1") path = base "/" path
			printf "%s\t%s\n", name, path
		}
		name = ""; path = ""; rel = "1"
	}
	/^\[/ { flush(); inprof = ($0 ~ /^\[Profile[0-9]+\]/); next }
	inprof && /^Name=/ { name = substr($0, 6); sub(/\r$/, "", name) }
	inprof && /^Path=/ { path = substr($0, 6); sub(/\r$/, "", path) }
	inprof && /^IsRelative=/ { rel = substr($0, 12); sub(/\r$/, "", rel) }
	END { flush() }
	' "$tbdir/profiles.ini"
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
		profdir=$(printf '%s\n' "$list" | awk -F '\t' -v n="$profile" \
		    '$1 == n { print $2; exit }')
		[ -n "$profdir" ] || die "no Thunderbird profile \"$profile\" in $tbdir/profiles.ini (profiles: $(printf '%s\n' "$list" | cut -f 1 | tr '\n' ' '))"
		[ -d "$profdir" ] || die "profile \"$profile\": folder $profdir does not exist"
		return 0
	fi
	if [ "$n" -eq 0 ]; then
		die "no Thunderbird profile found in $tbdir/profiles.ini: start Thunderbird once, or give --profile DIR"
	fi
	if [ "$n" -gt 1 ]; then
		printf 'error: %s Thunderbird profiles; choose one with --profile NAME:\n' "$n" >&2
		printf '%s\n' "$list" | sed 's/\t/   /; s/^/  /' >&2
		exit 1
	fi
	profdir=$(printf '%s\n' "$list" | cut -f 2)
	[ -d "$profdir" ] || die "profile folder $profdir does not exist"
}

# --- uninstall -------------------------------------------------------------

if [ "$uninstall" -eq 1 ]; then
	[ -f "$record" ] || die "nothing to uninstall: $record does not exist"
	if [ -f "$manifest" ] && ! grep -qxF "f $manifest" "$record"; then
		warn "$manifest was not written by this script; left alone"
	fi
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
		[ -e "$f" ] || [ -L "$f" ] || continue
		rm -f "$f" && say "removed $f"
	done
	grep '^d ' "$list" | cut -c 3- | sort -r | while IFS= read -r d; do
		# Not empty: someone else put something there since.
		if rmdir "$d" 2>/dev/null; then say "removed $d/"; fi
	done
	say "dane-smime uninstalled for $HOME."
	say "Thunderbird keeps the add-on's settings; remove the add-on itself"
	say "in Add-ons and Themes if it was installed another way."
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
case $bindir in
*[\"\\\|\&]*|*"
"*) die "the install path $bindir cannot go into JSON as it is" ;;
esac

tmpd=$(mktemp -d)
trap 'rm -rf "$tmpd"' EXIT

if [ -z "$binary" ]; then
	command -v meson >/dev/null 2>&1 || die "meson not found: install it, or give --binary FILE"
	say "building dane-smime from $src ..."
	meson setup "$tmpd/build" "$src" --buildtype=release \
	    -Dintegration=false >"$tmpd/log" 2>&1 ||
	    { cat "$tmpd/log" >&2; die "meson setup failed"; }
	meson compile -C "$tmpd/build" dane-smime >"$tmpd/log" 2>&1 ||
	    { cat "$tmpd/log" >&2; die "build failed"; }
	binary=$tmpd/build/host/dane-smime
fi
if [ ! -f "$binary" ] || [ ! -x "$binary" ]; then
	die "$binary is not an executable file"
fi
ver=$("$binary" --version 2>/dev/null) || die "$binary --version failed"
case $ver in
"dane-smime "*) ;;
*) die "$binary does not look like dane-smime (--version: $ver)" ;;
esac
if [ -n "$xpi" ]; then
	[ -f "$xpi" ] || die "$xpi does not exist (build it with packaging/make-xpi.sh)"
	choose_profile
fi

# What this run writes goes to $tmpd/record; what an earlier run wrote is
# kept (its folders are still ours to remove).
: >"$tmpd/record"
[ -f "$record" ] && cat "$record" >>"$tmpd/record"

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

if [ -n "$xpi" ]; then
	mkdirs "$profdir/extensions"
	install -m 0644 "$xpi" "$profdir/extensions/$EXTENSION_ID.xpi"
	note_file "$profdir/extensions/$EXTENSION_ID.xpi"
	say "installed the add-on into $profdir"
	say "  Thunderbird asks to enable it at its next start (Add-ons and Themes)."
	if [ -f "$profdir/lock" ] || [ -L "$profdir/lock" ]; then
		say "  Thunderbird seems to be running with this profile: restart it."
	fi
fi

mkdirs "$statedir"
note_file "$record"
# Keep entries unique, in order.
awk '!seen[$0]++' "$tmpd/record" >"$record.tmp"
mv -f "$record.tmp" "$record"

case ":${PATH:-}:" in
*":$bindir:"*) ;;
*) say "note: $bindir is not in PATH; add it to use the dane-smime command." ;;
esac
say "Check the set-up with: $bindir/dane-smime doctor"
