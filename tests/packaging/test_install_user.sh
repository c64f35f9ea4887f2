#!/bin/sh
# shellcheck disable=SC2016 # sh -c '...' checks take values as arguments
# tests/packaging/test_install_user.sh - packaging/install-user.sh in a
# temporary HOME: the manifest it writes, the traps it explains (several
# profiles, a foreign manifest, Flatpak), and that --uninstall leaves the
# HOME exactly as it was.
#
#   sh tests/packaging/test_install_user.sh [DANE_SMIME_BINARY]
#
# The binary defaults to $DANE_SMIME, then build/host/dane-smime. Needs
# python3 (JSON checks). Prints "N passed, N failed"; exit 0 iff none failed.
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
script=$root/packaging/install-user.sh
bin=${1:-${DANE_SMIME:-$root/build/host/dane-smime}}
id=dane-smime@dane-smime.org
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { # DESCRIPTION COMMAND...
	d=$1; shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}

if [ ! -x "$bin" ]; then
	echo "FAIL: no dane-smime binary at $bin"
	echo "0 passed, 1 failed"
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A HOME with two Thunderbird profiles and a PATH without ~/.local/bin.
newhome() {
	H=$work/$1
	mkdir -p "$H/.thunderbird/abc.default-esr" "$H/.thunderbird/xyz.work"
	cat >"$H/.thunderbird/profiles.ini" <<EOF
[General]
StartWithLastProfile=1

[Profile0]
Name=default-esr
IsRelative=1
Path=abc.default-esr
Default=1

[Profile1]
Name=work
IsRelative=1
Path=xyz.work
EOF
	echo 'fake add-on' >"$H/addon.xpi"
}
listing() { (cd "$1" && find . | LC_ALL=C sort); }
run() { # HOME ARGS... -> $out, $rc
	h=$1; shift
	out=$(HOME=$h PATH=/usr/bin:/bin sh "$script" "$@" 2>&1)
	rc=$?
}

# --- several profiles, no choice: refused, nothing written ---
newhome a
listing "$H" >"$work/a.before"
run "$H" --binary "$bin" --xpi "$H/addon.xpi"
check "several profiles without --profile: exit 1" test "$rc" -eq 1
check "several profiles: the message lists them" \
    sh -c 'printf "%s" "$1" | grep -q "choose one with --profile" &&
        printf "%s" "$1" | grep -q "work"' sh "$out"
listing "$H" >"$work/a.refused"
check "refused install writes nothing" cmp -s "$work/a.before" "$work/a.refused"

# --- install with a chosen profile ---
run "$H" --binary "$bin" --xpi "$H/addon.xpi" --profile work
check "install --profile work: exit 0" test "$rc" -eq 0
[ "$rc" -eq 0 ] || printf '%s\n' "$out"
m=$H/.mozilla/native-messaging-hosts/dane_smime.json
check "manifest in ~/.mozilla/native-messaging-hosts/" test -f "$m"
check "manifest: name, absolute path to the installed binary, stdio, the add-on id" \
    python3 - "$m" "$H/.local/bin/dane-smime" "$id" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
want = {"name": "dane_smime", "path": sys.argv[2], "type": "stdio",
        "allowed_extensions": [sys.argv[3]]}
bad = {k: m.get(k) for k in want if m.get(k) != want[k]}
if bad or not m.get("description"):
    print("manifest differs:", bad)
    sys.exit(1)
EOF
check "the binary the manifest names runs" \
    sh -c '"$1" --version | grep -q "^dane-smime "' sh "$H/.local/bin/dane-smime"
check "man page installed" test -f "$H/.local/share/man/man1/dane-smime.1"
check "add-on in the chosen profile as <id>.xpi" \
    test -f "$H/.thunderbird/xyz.work/extensions/$id.xpi"
check "no add-on in the other profile" \
    test ! -e "$H/.thunderbird/abc.default-esr/extensions"
check "PATH note given" \
    sh -c 'printf "%s" "$1" | grep -q "is not in PATH"' sh "$out"

# --- the installed host's own installation check sees the manifest ---
# (doctor --json output shape is the lead's: only look for the path)
if HOME=$H "$H/.local/bin/dane-smime" doctor --json >"$work/doctor.json" 2>/dev/null ||
    [ -s "$work/doctor.json" ]; then
	if grep -q "native-messaging-hosts" "$work/doctor.json"; then
		check "doctor reports the per-user manifest" \
		    grep -q "$H/.mozilla/native-messaging-hosts/dane_smime.json" "$work/doctor.json"
	fi
fi

# --- again: idempotent ---
run "$H" --binary "$bin" --xpi "$H/addon.xpi" --profile work
check "second install: exit 0" test "$rc" -eq 0

# --- uninstall: HOME as before ---
run "$H" --uninstall
check "--uninstall: exit 0" test "$rc" -eq 0
listing "$H" >"$work/a.after"
if diff -u "$work/a.before" "$work/a.after"; then
	ok "--uninstall leaves HOME as it was"
else
	bad "--uninstall leaves HOME as it was (diff above)"
fi
run "$H" --uninstall
check "--uninstall again: exit 1, nothing to uninstall" \
    sh -c '[ "$1" -eq 1 ] && printf "%s" "$2" | grep -q "nothing to uninstall"' sh "$rc" "$out"

# --- a manifest that is not ours ---
newhome b
mkdir -p "$H/.mozilla/native-messaging-hosts"
printf '{"name":"dane_smime","description":"x","path":"/opt/other/dane-smime","type":"stdio","allowed_extensions":["%s"]}\n' "$id" \
    >"$H/.mozilla/native-messaging-hosts/dane_smime.json"
cp "$H/.mozilla/native-messaging-hosts/dane_smime.json" "$work/foreign"
run "$H" --binary "$bin"
check "foreign manifest: refused (exit 1)" test "$rc" -eq 1
check "foreign manifest: explained, names its path and --force" \
    sh -c 'printf "%s" "$1" | grep -q "/opt/other/dane-smime" &&
        printf "%s" "$1" | grep -q -- "--force"' sh "$out"
check "foreign manifest: untouched" \
    cmp -s "$work/foreign" "$H/.mozilla/native-messaging-hosts/dane_smime.json"
run "$H" --binary "$bin" --force
check "--force replaces it" sh -c '[ "$1" -eq 0 ] &&
    grep -q "\"path\": \"$2\"" "$3"' sh "$rc" "$H/.local/bin/dane-smime" \
    "$H/.mozilla/native-messaging-hosts/dane_smime.json"
run "$H" --uninstall
check "uninstall after --force: exit 0" test "$rc" -eq 0
check "uninstall keeps the folder it did not create" \
    test -d "$H/.mozilla/native-messaging-hosts"
check "uninstall removes the manifest it wrote" \
    test ! -e "$H/.mozilla/native-messaging-hosts/dane_smime.json"

# --- sandboxed Thunderbird: explained ---
newhome c
mkdir -p "$H/.var/app/org.mozilla.Thunderbird"
run "$H" --binary "$bin"
check "Flatpak Thunderbird: install goes on (exit 0)" test "$rc" -eq 0
check "Flatpak Thunderbird: warned that it cannot start native hosts" \
    sh -c 'printf "%s" "$1" | grep -q "Flatpak" &&
        printf "%s" "$1" | grep -q "cannot start native-messaging hosts"' sh "$out"
run "$H" --uninstall

# --- no profile at all, but an add-on asked for ---
newhome d
rm -rf "$H/.thunderbird"
run "$H" --binary "$bin" --xpi "$H/addon.xpi"
check "no profile: exit 1, says to start Thunderbird once" \
    sh -c '[ "$1" -eq 1 ] && printf "%s" "$2" | grep -q "start Thunderbird once"' sh "$rc" "$out"
run "$H" --binary "$bin" --xpi "$H/addon.xpi" --profile "$H/custom/profile"
check "--profile DIR that does not exist: exit 1" test "$rc" -eq 1
mkdir -p "$H/custom/profile"
run "$H" --binary "$bin" --xpi "$H/addon.xpi" --profile "$H/custom/profile"
check "--profile DIR: add-on installed there" \
    test -f "$H/custom/profile/extensions/$id.xpi"
run "$H" --uninstall
check "--profile DIR: uninstalled" test ! -e "$H/custom/profile/extensions"

# --- not dane-smime ---
newhome e
run "$H" --binary /bin/true
check "--binary that is not dane-smime: exit 1" test "$rc" -eq 1
check "nothing installed for a bad binary" test ! -e "$H/.local"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
