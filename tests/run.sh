#!/bin/sh
# tests/run.sh - Quick start, command 2: the whole test suite, as CI runs
# it. A -Werror build with every test (unit, fuzz corpora, integration
# against real NSD + Unbound), then the same under ASan+UBSan.
set -eu
cd "$(dirname "$0")/.."
sh tests/setup.sh


status=0
run_suite() {
	dir=$1; shift
	rm -rf "$dir"
	meson setup "$dir" -Dwerror=true "$@" >/dev/null
	meson compile -C "$dir"
	if ! meson test -C "$dir" --print-errorlogs --num-processes 2; then
		status=1
	fi
}

run_suite build-ci
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	run_suite build-asan -Db_sanitize=address,undefined -Db_lundef=false

pass=0; fail=0
for d in build-ci build-asan; do
	j="$d/meson-logs/testlog.json"
	[ -f "$j" ] || continue
	p=$(grep -c '"result": "OK"' "$j" || true)
	f=$(grep -c '"result": "\(FAIL\|TIMEOUT\|ERROR\)"' "$j" || true)
	pass=$((pass + p)); fail=$((fail + f))
done
echo "$pass passed, $fail failed"
exit $status
