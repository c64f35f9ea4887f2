#!/bin/sh
# tests/valgrind-wrapper.sh - run dane-smime under valgrind, for test
# suites that take the binary from $DANE_SMIME:
#
#   DANE_SMIME=$PWD/tests/valgrind-wrapper.sh \
#   DANE_SMIME_REAL=$PWD/build/host/dane-smime \
#   VALGRIND_LOG_DIR=/tmp/vg python3 tests/integration/test_native.py
#
# Any memory error or definite leak makes the program exit 99 (so the
# test that ran it fails) and is written to VALGRIND_LOG_DIR/vg.PID.log
# (default: stderr, which some tests read, so prefer a directory); after
# the suite, tests/valgrind-wrapper.sh --check DIR prints the logs with
# errors and exits 1 if there are any.
#
#   tests/valgrind-wrapper.sh --suite TEST.py
#
# runs one test program with every dane-smime it starts under valgrind
# (needs DANE_SMIME_REAL and VALGRIND_LOG_DIR; DANE_SMIME_TIME_SCALE
# defaults to 20), its output in VALGRIND_LOG_DIR/suite.NAME.out, and
# prints one line: the suite's summary and wall time (the output's end
# too if it failed). tests/run.sh runs the suites two at a time with it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ "${1:-}" = "--suite" ]; then
	t=${2:?usage: $0 --suite TEST.py}
	: "${DANE_SMIME_REAL:?}" "${VALGRIND_LOG_DIR:?}"
	name=$(basename "$t" .py)
	out=$VALGRIND_LOG_DIR/suite.$name.out
	mkdir -p "$VALGRIND_LOG_DIR"
	start=$(date +%s)
	rc=0
	# timeout: a hung suite fails instead of hanging CI (the slowest
	# takes 3 minutes under valgrind).
	DANE_SMIME=$here/valgrind-wrapper.sh \
	DANE_SMIME_TIME_SCALE=${DANE_SMIME_TIME_SCALE:-20} \
		timeout -k 10 900 python3 "$t" >"$out" 2>&1 || rc=$?
	summary=$(tail -n 1 "$out")
	# The exit status and the summary line must both say so: a suite
	# that forgets to exit non-zero still fails here.
	case $summary in
	*" passed, 0 failed"*) ;;
	*) [ "$rc" -ne 0 ] || rc=1 ;;
	esac
	echo "valgrind: $name: $summary (rc $rc, $(($(date +%s) - start)) s)"
	if [ "$rc" -ne 0 ]; then
		echo "== $out (end)"
		tail -n 60 "$out"
	fi
	exit "$rc"
fi
if [ "${1:-}" = "--check" ]; then
	dir=${2:?usage: $0 --check DIR}
	bad=0
	killed=0
	n=0
	for f in "$dir"/vg.*.log; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		# A run killed by its test has no summary and no leak check:
		# then any report after the header is an error.
		if grep -q 'ERROR SUMMARY: [1-9]\|definitely lost: [1-9]' "$f" ||
		    { ! grep -q 'ERROR SUMMARY' "$f" &&
		    grep -v -e 'Memcheck, a memory error' -e 'Copyright (C)' \
		    -e 'Using Valgrind' -e 'Command: ' -e 'Parent PID: ' "$f" |
		    grep -q '^==[0-9]*== [^ ]'; }; then
			echo "== $f" >&2
			cat "$f" >&2
			bad=$((bad + 1))
		fi
		grep -q 'ERROR SUMMARY' "$f" || killed=$((killed + 1))
	done
	echo "valgrind: $n runs ($killed killed before the leak check)," \
	    "$bad with errors" >&2
	[ "$bad" -eq 0 ]
	exit
fi
bin=${DANE_SMIME_REAL:-$here/../build/host/dane-smime}
# Each run costs 1-2 s of CPU, nearly all of it valgrind translating the
# code NSS runs at start-up (softoken, sqlite, the root module), not
# running it. Two options cut that by a quarter without finding less:
# --vex-guest-chase=no (smaller translation units; checking is the same)
# and --read-inline-info=no (inlined frames in stack traces of libc,
# the only library with debug info here). Never --vex-iropt-level=0:
# memcheck then reports uninitialised values that are not.
set -- --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite \
    --track-fds=no --num-callers=20 --vgdb=no \
    --vex-guest-chase=no --read-inline-info=no \
    --suppressions="$here/valgrind.supp" "$bin" "$@"
if [ -n "${VALGRIND_LOG_DIR:-}" ]; then
	mkdir -p "$VALGRIND_LOG_DIR"
	exec valgrind --log-file="$VALGRIND_LOG_DIR/vg.%p.log" "$@"
fi
exec valgrind -q "$@"
