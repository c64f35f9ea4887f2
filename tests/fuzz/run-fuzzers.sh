#!/bin/sh
# tests/fuzz/run-fuzzers.sh - build the libFuzzer targets with clang and
# run each one for a while on its checked-in corpus.
#
# usage: tests/fuzz/run-fuzzers.sh [-b BUILDDIR] [-j JOBS] [SECONDS [TARGET...]]
#   SECONDS  per target (default 600: the issue asks for 10 minutes each)
#   TARGET   address cert config dane dnsmsg frame request (default: all
#            tests/fuzz/fuzz_*.c)
#   -b DIR   build directory (default build-fuzz); configured with
#            CC=clang meson setup DIR -Dfuzzing=true -Db_sanitize=address,undefined
#            -Dc_args=-fsanitize=fuzzer-no-link
#   -j JOBS  libFuzzer -jobs/-workers per target (default 1)
#
# The checked-in corpus (tests/fuzz/corpus/NAME) is only read: new inputs
# go to a temporary directory and are then minimised with -merge=1 into
# OUT/NAME/new, so you can review them before copying any into the corpus.
# Crashes land in OUT/NAME/ as crash-*, leak-*, timeout-*, oom-*.
# OUT is $FUZZ_OUT or a fresh mktemp -d, printed at the end with one line
# per target: executions, exec/s, coverage, new inputs, findings.
# Exit status: 0 if no target found anything, 1 otherwise.
set -eu

cd "$(dirname "$0")/../.."
top=$(pwd)
builddir=build-fuzz
jobs=1
while getopts b:j: opt; do
	case $opt in
	b) builddir=$OPTARG ;;
	j) jobs=$OPTARG ;;
	*) sed -n '3,12p' "$0" >&2; exit 64 ;;
	esac
done
shift $((OPTIND - 1))
seconds=${1:-600}
[ $# -gt 0 ] && shift
if [ $# -gt 0 ]; then
	targets=$*
else
	targets=$(for f in tests/fuzz/fuzz_*.c; do
		n=${f##*/fuzz_}; echo "${n%.c}"; done)
fi

if [ ! -f "$builddir/build.ninja" ]; then
	# fuzzer-no-link: the library under test needs coverage
	# instrumentation too, not only the fuzz_*.c file that links
	# -fsanitize=fuzzer (tests/meson.build adds it to the target only).
	CC=clang meson setup "$builddir" -Dfuzzing=true -Dintegration=false \
	    -Db_sanitize=address,undefined -Db_lundef=false \
	    -Dc_args=-fsanitize=fuzzer-no-link >/dev/null
fi
meson compile -C "$builddir" $(for t in $targets; do
	printf 'tests/fuzz_%s ' "$t"; done) >/dev/null

out=${FUZZ_OUT:-$(mktemp -d /tmp/dane-smime-fuzz.XXXXXX)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
case $builddir in /*) ;; *) builddir=$top/$builddir ;; esac
bin_rel() { echo "$builddir/tests/fuzz_$1"; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
status=0
summary=$out/summary.txt
: >"$summary"
for t in $targets; do
	bin=$(bin_rel "$t")
	corpus=tests/fuzz/corpus/$t
	dir=$out/$t
	mkdir -p "$dir/found" "$dir/new"
	[ -d "$corpus" ] || corpus=
	echo "== fuzz_$t: $seconds s, corpus ${corpus:-none}" >&2
	# New inputs go to found/ (the first corpus dir); the checked-in
	# seeds are only read. Run inside $dir: with -jobs, libFuzzer
	# writes fuzz-N.log into the current directory.
	par=
	[ "$jobs" -gt 1 ] && par="-jobs=$jobs -workers=$jobs"
	(cd "$dir" && "$bin" -max_total_time="$seconds" \
	    -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix="$dir/" $par found \
	    ${corpus:+"$top/$corpus"} >log 2>&1) || true
	cat "$dir/log" "$dir"/fuzz-*.log >"$dir/all.log" 2>/dev/null || true
	# Keep only inputs that add coverage over the checked-in corpus.
	if [ -n "$corpus" ]; then
		"$bin" -merge=1 "$dir/new" "$corpus" "$dir/found" \
		    >"$dir/merge.log" 2>&1 || true
		# -merge also copies checked-in seeds that add coverage
		# (renamed to their SHA-1): drop contents already checked in.
		( cd "$corpus" && find . -type f -exec sha1sum {} + ) |
		    cut -d' ' -f1 | sort -u >"$dir/seeds.sha1"
		for f in "$dir/new"/*; do
			[ -f "$f" ] || continue
			h=$(sha1sum <"$f" | cut -d' ' -f1)
			if grep -qx "$h" "$dir/seeds.sha1"; then
				rm -f "$f"
			fi
		done
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/all.log" |
	    awk '{s += $1} END {print s + 0}')
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/all.log" |
	    awk '{s += $1} END {print s + 0}')
	cov=$(grep -o 'cov: [0-9]*' "$dir/all.log" | tail -n 1 | cut -d' ' -f2)
	nnew=$(find "$dir/new" -type f | wc -l)
	finds=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o \
	    -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
	line=$(printf 'fuzz_%-8s %12s execs %8s exec/s  cov %-6s new %-5s findings %s' \
	    "$t" "$execs" "$rate" "${cov:-?}" "$nnew" "$finds")
	echo "$line" | tee -a "$summary"
	if [ "$finds" -gt 0 ] || grep -q 'ERROR: \(AddressSanitizer\|libFuzzer\|LeakSanitizer\)\|runtime error:' "$dir/all.log"; then
		status=1
		grep -h -m 3 'ERROR:\|runtime error:' "$dir/all.log" >&2 || true
	fi
done
echo "output: $out (summary.txt, per target: log, new/, findings)"
exit $status
