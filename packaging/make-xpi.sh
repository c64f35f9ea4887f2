#!/bin/sh
# make-xpi.sh - package the Thunderbird add-on: extension/ -> an .xpi (a
# zip with manifest.json at its root).
#
#   sh packaging/make-xpi.sh [OUTPUT]     (default: build/dane-smime.xpi)
#
# Leaves out tests, editor and OS droppings. Files go in sorted order and
# without extra attributes (zip -X), so the same tree gives the same
# listing. Exit status: 0, or 1 with the reason on stderr.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
ext=$src/extension
out=${1:-$src/build/dane-smime.xpi}

command -v zip >/dev/null 2>&1 || { echo "error: zip not found (apt-get install zip)" >&2; exit 1; }
if [ ! -f "$ext/manifest.json" ]; then
	echo "error: $ext/manifest.json does not exist: no add-on to package" >&2
	exit 1
fi
case $out in
/*) ;;
*) out=$(pwd)/$out ;;
esac
mkdir -p "$(dirname "$out")"
rm -f "$out.tmp"
(
	cd "$ext"
	find . -type f \
	    ! -path './tests/*' ! -path '*/tests/*' ! -path './test/*' \
	    ! -name '*.test.js' ! -name '.*' ! -name '*~' ! -name '*.swp' \
	    ! -name '*.orig' ! -name '*.rej' ! -name 'Thumbs.db' \
	    ! -name 'package.json' |
	    sed 's|^\./||' | LC_ALL=C sort |
	    zip -X -q -D "$out.tmp" -@
)
mv -f "$out.tmp" "$out"
echo "$out"
