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
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ "${1:-}" = "--check" ]; then
	dir=${2:?usage: $0 --check DIR}
	bad=0
	n=0
	for f in "$dir"/vg.*.log; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		if grep -q 'ERROR SUMMARY: [1-9]\|definitely lost: [1-9]' "$f"; then
			echo "== $f" >&2
			cat "$f" >&2
			bad=$((bad + 1))
		fi
	done
	echo "valgrind: $n runs, $bad with errors" >&2
	[ "$bad" -eq 0 ]
	exit
fi
bin=${DANE_SMIME_REAL:-$here/../build/host/dane-smime}
set -- --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite \
    --track-fds=no --num-callers=30 \
    --suppressions="$here/valgrind.supp" "$bin" "$@"
if [ -n "${VALGRIND_LOG_DIR:-}" ]; then
	mkdir -p "$VALGRIND_LOG_DIR"
	exec valgrind --log-file="$VALGRIND_LOG_DIR/vg.%p.log" "$@"
fi
exec valgrind -q "$@"
