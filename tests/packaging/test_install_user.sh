#!/bin/sh
# shellcheck disable=SC2016 # sh -c '...' checks take values as arguments
# tests/packaging/test_install_user.sh - packaging/install-user.sh in a
# temporary HOME: the manifest it writes, the add-on it builds and puts
# into the chosen profile, the traps it explains (several profiles, a
# profile that does not exist, a foreign manifest, Flatpak), what
# `dane-smime doctor` then says about the profiles, that --uninstall
# leaves the HOME exactly as it was, and a build from source whose
# build folder the next run reuses. With thunderbird installed, also a
# real profile (thunderbird --createprofile) that a real Thunderbird
# then starts with: the add-on is registered, waiting to be enabled.
#
#   sh tests/packaging/test_install_user.sh [DANE_SMIME_BINARY]
#
# The binary defaults to $DANE_SMIME, then build/host/dane-smime. Needs
# python3 (JSON checks) and zip (the add-on). DANE_SMIME_TEST_NO_BUILD=1
# skips the build from source (~15 s). Prints "N passed, N failed"; exit
# 0 iff none failed.
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
script=$root/packaging/install-user.sh
bin=${1:-${DANE_SMIME:-$root/build/host/dane-smime}}
id=dane-smime@dane-smime.org
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
has() { # TEXT SUBSTRING
	case $1 in *"$2"*) return 0 ;; esac
	printf '  got: %s\n' "$1"
	return 1
}
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
tbpid=
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	[ -z "$tbpid" ] || kill "$tbpid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

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
	out=$(HOME=$h XDG_CACHE_HOME='' PATH=/usr/bin:/bin sh "$script" "$@" 2>&1)
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
# The live DANE token (issue 17): the module found next to the binary,
# installed with its pkcs11 manifest where Thunderbird's
# pkcs11.installModule looks first.
p11=$H/.mozilla/pkcs11-modules/dane_smime_pkcs11.json
check "pkcs11 manifest in ~/.mozilla/pkcs11-modules/" test -f "$p11"
check "pkcs11 manifest: name, absolute path to the installed module, pkcs11, the add-on id" \
    python3 - "$p11" "$H/.local/lib/dane-smime/dane-smime-pkcs11.so" "$id" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
want = {"name": "dane_smime_pkcs11", "path": sys.argv[2], "type": "pkcs11",
        "allowed_extensions": [sys.argv[3]]}
bad = {k: m.get(k) for k in want if m.get(k) != want[k]}
if bad or not m.get("description"):
    print("pkcs11 manifest differs:", bad)
    sys.exit(1)
EOF
check "the module the pkcs11 manifest names is the built one" \
    cmp -s "$H/.local/lib/dane-smime/dane-smime-pkcs11.so" "$(dirname "$bin")/dane-smime-pkcs11.so"
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
	check "doctor: the per-user pkcs11 manifest is used, valid, and its module loads" \
	    python3 - "$work/doctor.json" "$p11" "$H/.local/lib/dane-smime/dane-smime-pkcs11.so" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))["install"]["pkcs11"]
used = [m for m in p["manifests"] if m.get("used")]
if [m["path"] for m in used] != [sys.argv[2]] or not used[0]["valid"] or \
        p["library"] != sys.argv[3] or p["loads"] is not True:
    print("doctor's pkcs11 part:", json.dumps(p))
    sys.exit(1)
EOF
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
check "--uninstall removed the pkcs11 manifest and the module" \
    sh -c '[ ! -e "$1" ] && [ ! -e "$2" ]' sh "$p11" "$H/.local/lib/dane-smime"
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

# --- a pkcs11 manifest that is not ours ---
newhome b2
mkdir -p "$H/.mozilla/pkcs11-modules"
printf '{"name":"dane_smime_pkcs11","description":"x","path":"/opt/other/p11.so","type":"pkcs11","allowed_extensions":["%s"]}\n' "$id" \
    >"$H/.mozilla/pkcs11-modules/dane_smime_pkcs11.json"
cp "$H/.mozilla/pkcs11-modules/dane_smime_pkcs11.json" "$work/foreign11"
run "$H" --binary "$bin"
check "foreign pkcs11 manifest: refused (exit 1), names its path and --force" \
    sh -c '[ "$1" -eq 1 ] && printf "%s" "$2" | grep -q "/opt/other/p11.so" &&
        printf "%s" "$2" | grep -q -- "--force"' sh "$rc" "$out"
check "foreign pkcs11 manifest: untouched" \
    cmp -s "$work/foreign11" "$H/.mozilla/pkcs11-modules/dane_smime_pkcs11.json"
run "$H" --binary "$bin" --force
check "--force replaces the pkcs11 manifest" sh -c '[ "$1" -eq 0 ] &&
    grep -q "\"path\": \"$2\"" "$3"' sh "$rc" \
    "$H/.local/lib/dane-smime/dane-smime-pkcs11.so" \
    "$H/.mozilla/pkcs11-modules/dane_smime_pkcs11.json"
run "$H" --uninstall
check "uninstall removes the pkcs11 manifest it wrote, keeps the folder it did not create" \
    sh -c '[ "$1" -eq 0 ] && [ ! -e "$2/dane_smime_pkcs11.json" ] && [ -d "$2" ]' \
    sh "$rc" "$H/.mozilla/pkcs11-modules"

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
run "$H" --binary "$bin" --profile default-esr
check "--profile NAME without profiles.ini: exit 1, says so" \
    sh -c '[ "$1" -eq 1 ] && printf "%s" "$2" | grep -q "profiles.ini does not exist (start Thunderbird once"' sh "$rc" "$out"
check "--profile NAME without profiles.ini: nothing written" test ! -e "$H/.local"
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

# --- the add-on built from extension/ and put into a profile by name ---
# doctor --json's "install" object, as python3 sees it: prints the value
# of the expression $2 (d = that object).
doctor_json() { # HOME EXPR
	HOME=$1 "$1/.local/bin/dane-smime" doctor --json 2>/dev/null |
	    python3 -c 'import json, sys
d = json.loads(sys.stdin.readline())["install"]
print(eval(sys.argv[1]))' "$2"
}
prof() { # NAME -> "addon-state exists addon_file" of that profile
	printf 'next(("%%s %%s %%s" %% (p["addon"], p["exists"], p["addon_file"])) for p in d["profiles"] if p["name"] == "%s")' "$1"
}
newhome f
listing "$H" >"$work/f.before"
run "$H" --binary "$bin" --profile nosuch
check "--profile that does not exist: exit 1" test "$rc" -eq 1
check "--profile that does not exist: says so and lists the profiles with their folders" \
    sh -c 'printf "%s" "$1" | grep -q "no Thunderbird profile \"nosuch\"" &&
        printf "%s" "$1" | grep -q "default-esr .*/.thunderbird/abc.default-esr" &&
        printf "%s" "$1" | grep -q "work .*/.thunderbird/xyz.work" &&
        printf "%s" "$1" | grep -q "about:profiles"' sh "$out"
listing "$H" >"$work/f.refused"
check "--profile that does not exist: nothing written" \
    cmp -s "$work/f.before" "$work/f.refused"

run "$H" --binary "$bin" --profile work
check "--profile work without --xpi: exit 0" test "$rc" -eq 0
[ "$rc" -eq 0 ] || printf '%s\n' "$out"
x=$H/.thunderbird/xyz.work/extensions/$id.xpi
check "the add-on, built from extension/, lands in the profile as <id>.xpi" \
    python3 - "$x" "$id" <<'EOF'
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
m = json.loads(z.read("manifest.json"))
names = z.namelist()
bad = [n for n in names if n.startswith("tests/") or n.endswith("package.json")]
if m["browser_specific_settings"]["gecko"]["id"] != sys.argv[2] or bad:
    print("xpi:", m.get("browser_specific_settings"), bad)
    sys.exit(1)
EOF
check "the same add-on kept in ~/.local/share/dane-smime/dane-smime.xpi" \
    cmp -s "$x" "$H/.local/share/dane-smime/dane-smime.xpi"
check "no add-on in the other profile" \
    test ! -e "$H/.thunderbird/abc.default-esr/extensions"
check "the output says it waits, disabled, and names Install Add-on From File with the .xpi's path" \
    sh -c 'printf "%s" "$1" | grep -q "DISABLED" &&
        printf "%s" "$1" | grep -q "Install Add-on From File, $2"' sh "$out" \
    "$H/.local/share/dane-smime/dane-smime.xpi"
check "the manifest names the installed binary, which exists" \
    sh -c '[ -x "$2" ] && grep -q "\"path\": \"$2\"" "$1"' sh \
    "$H/.mozilla/native-messaging-hosts/dane_smime.json" "$H/.local/bin/dane-smime"
check "doctor: both profiles listed, the add-on pending in \"work\" only" \
    test "$(doctor_json "$H" "$(prof work)")" = "pending True True" -a \
    "$(doctor_json "$H" "$(prof default-esr)")" = "absent True False"
check "doctor: the host is ok, the add-on not yet enabled" \
    test "$(doctor_json "$H" '(d["ok"], d["addon_enabled"])')" = "(True, False)"
check "doctor: says the add-on file waits for Thunderbird's next start" \
    has "$(doctor_json "$H" 'd["addon_problem"]')" \
    'file is in profile "work"; Thunderbird takes it up at its next start'
# The folder's name works as well as the profile's name.
run "$H" --binary "$bin" --profile abc.default-esr
check "--profile FOLDER-NAME: the add-on in that profile" \
    test -f "$H/.thunderbird/abc.default-esr/extensions/$id.xpi"
run "$H" --uninstall
listing "$H" >"$work/f.after"
if diff -u "$work/f.before" "$work/f.after"; then
	ok "--uninstall after --profile: HOME as it was"
else
	bad "--uninstall after --profile: HOME as it was (diff above)"
fi

# --- no --profile: the host, and where the add-on is ---
newhome g
run "$H" --binary "$bin"
check "no --profile: exit 0, no profile touched" sh -c '[ "$1" -eq 0 ] &&
    [ ! -e "$2/.thunderbird/abc.default-esr/extensions" ] &&
    [ ! -e "$2/.thunderbird/xyz.work/extensions" ]' sh "$rc" "$H"
check "no --profile: says how to install the add-on, lists the profiles" \
    sh -c 'printf "%s" "$1" | grep -q "in no Thunderbird profile yet" &&
        printf "%s" "$1" | grep -q "Install Add-on" &&
        printf "%s" "$1" | grep -q "$2/.local/share/dane-smime/dane-smime.xpi" &&
        printf "%s" "$1" | grep -q "default-esr .*abc.default-esr" &&
        printf "%s" "$1" | grep -q "with --profile NAME"' sh "$out" "$H"
check "doctor without the add-on anywhere: says so plainly" \
    has "$(doctor_json "$H" '(d["addon_enabled"], d["addon_problem"])')" \
    "(False, 'no Thunderbird profile has the add-on $id: run packaging/install-user.sh --profile NAME"
check "doctor text: lists the profiles and the add-on line" \
    sh -c 'out=$(HOME=$1 "$1/.local/bin/dane-smime" doctor --no-color 2>/dev/null)
        printf "%s" "$out" | grep -q "^profile        work  $1/.thunderbird/xyz.work" &&
        printf "%s" "$out" | grep -q "^add-on         no Thunderbird profile has the add-on"' sh "$H"
run "$H" --uninstall

# --- a real Thunderbird profile -------------------------------------------
# Quiet prefs for a Thunderbird that must not go on the network; not
# extensions.autoDisableScopes: the add-on is to be seen as a user's is.
quiet_prefs() {
	for p in '"network.proxy.type", 1' '"network.proxy.http", "127.0.0.1"' \
	    '"network.proxy.http_port", 9' '"network.proxy.ssl", "127.0.0.1"' \
	    '"network.proxy.ssl_port", 9' '"network.proxy.socks", "127.0.0.1"' \
	    '"network.proxy.socks_port", 9' '"network.proxy.no_proxies_on", ""' \
	    '"network.dns.disablePrefetch", true' \
	    '"network.captive-portal-service.enabled", false' \
	    '"network.connectivity-service.enabled", false' \
	    '"network.trr.mode", 5' '"browser.region.update.enabled", false' \
	    '"services.settings.server", "http://127.0.0.1:9/"' \
	    '"toolkit.telemetry.enabled", false' \
	    '"datareporting.policy.dataSubmissionEnabled", false' \
	    '"app.update.enabled", false' '"app.update.auto", false' \
	    '"mail.shell.checkDefaultClient", false' \
	    '"mailnews.start_page.enabled", false'; do
		printf 'user_pref(%s);\n' "$p"
	done
}
# Starts Thunderbird on profile default-esr of HOME until it has
# recorded the add-on in the profile's extensions.json (up to 60 s),
# then stops it.
tb_start_once() { # HOME PROFILE-DIR
	HOME=$1 MOZ_CRASHREPORTER_DISABLE=1 "$tb" --headless --no-remote \
	    -P default-esr >"$work/tb.log" 2>&1 &
	tbpid=$!
	i=0
	while [ $i -lt 120 ] && ! grep -qs "\"id\":\"$id\"" "$2/extensions.json"; do
		sleep 0.5
		i=$((i + 1))
	done
	sleep 1		# extensions.json is written whole, but once more
	kill "$tbpid" 2>/dev/null
	wait "$tbpid" 2>/dev/null
	tbpid=
}
tb=${THUNDERBIRD:-thunderbird}
if command -v "$tb" >/dev/null 2>&1; then
	H=$work/tb
	mkdir -p "$H"
	HOME=$H "$tb" --headless --createprofile default-esr >"$work/tb.log" 2>&1
	pdir=$(sed -n 's/^Path=//p' "$H/.thunderbird/profiles.ini" 2>/dev/null)
	check "thunderbird --createprofile made a profile" \
	    test -n "$pdir" -a -d "$H/.thunderbird/$pdir"
	pdir=$H/.thunderbird/$pdir
	run "$H" --binary "$bin" --profile nosuch
	check "real profile: a missing one is an error naming default-esr" \
	    sh -c '[ "$1" -eq 1 ] && printf "%s" "$2" | grep -q "default-esr .*$3"' \
	    sh "$rc" "$out" "$pdir"
	run "$H" --binary "$bin" --profile default-esr
	check "real profile: install --profile default-esr, exit 0" test "$rc" -eq 0
	check "real profile: the add-on file is in it" \
	    test -f "$pdir/extensions/$id.xpi"
	check "real profile: doctor sees it, pending" \
	    test "$(doctor_json "$H" "$(prof default-esr)")" = "pending True True"
	# Thunderbird starts with that profile and registers the add-on.
	quiet_prefs >"$pdir/user.js"
	tb_start_once "$H" "$pdir"
	check "real Thunderbird registered the add-on in extensions.json" \
	    grep -qs "\"id\":\"$id\"" "$pdir/extensions.json"
	check "real profile: doctor says the add-on waits, disabled, to be enabled" \
	    test "$(doctor_json "$H" "$(prof default-esr)")" = "waiting True True"
	check "real profile: doctor says where and what to do" \
	    has "$(doctor_json "$H" 'd["addon_problem"]')" \
	    'profile "default-esr" but waits, disabled, for you to enable it'
	check "real profile: doctor's version of the add-on is the one installed" \
	    test "$(doctor_json "$H" 'next(p.get("addon_version") for p in d["profiles"])')" = \
	    "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"])' \
	    "$root/extension/manifest.json")"
	# A profile whose Thunderbird enables sideloaded add-ons at once
	# (extensions.autoDisableScopes 0, as a test profile does): enabled.
	H=$work/tb3
	mkdir -p "$H"
	HOME=$H "$tb" --headless --createprofile default-esr >"$work/tb.log" 2>&1
	pdir=$H/.thunderbird/$(sed -n 's/^Path=//p' "$H/.thunderbird/profiles.ini")
	run "$H" --binary "$bin" --profile default-esr
	{ quiet_prefs; echo 'user_pref("extensions.autoDisableScopes", 0);'; } \
	    >"$pdir/user.js"
	tb_start_once "$H" "$pdir"
	check "real profile, add-on enabled by Thunderbird: doctor says enabled" \
	    test "$(doctor_json "$H" "$(prof default-esr)")" = "enabled True True" -a \
	    "$(doctor_json "$H" 'd["addon_enabled"]')" = "True"
	check "real profile, add-on enabled: doctor's text says ok" \
	    has "$(HOME=$H "$H/.local/bin/dane-smime" doctor --no-color 2>/dev/null)" \
	    'add-on         ok: enabled in profile "default-esr"'
	# Another real profile, without the add-on.
	H=$work/tb2
	mkdir -p "$H"
	HOME=$H "$tb" --headless --createprofile default-esr >"$work/tb.log" 2>&1
	run "$H" --binary "$bin"
	check "real profile without the add-on: doctor lists it, without" \
	    test "$(doctor_json "$H" "$(prof default-esr)")" = "absent True False"
	check "real profile without the add-on: doctor says no profile has it" \
	    has "$(doctor_json "$H" 'd["addon_problem"]')" \
	    "no Thunderbird profile has the add-on"
else
	echo "skip: $tb not installed (the real-profile checks)"
fi

# --- a build from source, its build folder kept for the next run ---
if [ "${DANE_SMIME_TEST_NO_BUILD:-0}" != 1 ] && command -v meson >/dev/null 2>&1; then
	newhome h
	listing "$H" >"$work/h.before"
	run "$H" --profile work
	check "build from source: exit 0, in ~/.cache/dane-smime/build" \
	    sh -c '[ "$1" -eq 0 ] && [ -x "$2/.cache/dane-smime/build/host/dane-smime" ] &&
	        "$2/.local/bin/dane-smime" --version | grep -q "^dane-smime "' \
	    sh "$rc" "$H"
	[ "$rc" -eq 0 ] || printf '%s\n' "$out"
	t0=$(date +%s)
	run "$H" --profile work
	t1=$(date +%s)
	check "second run reuses the build folder (took $((t1 - t0)) s)" \
	    sh -c '[ "$1" -eq 0 ] && printf "%s" "$2" | grep -q "kept from the last run"' \
	    sh "$rc" "$out"
	[ "$rc" -eq 0 ] || printf '%s\n' "$out"
	run "$H" --uninstall
	listing "$H" >"$work/h.after"
	if diff -u "$work/h.before" "$work/h.after"; then
		ok "--uninstall removes the build folder too: HOME as it was"
	else
		bad "--uninstall removes the build folder too (diff above)"
	fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
