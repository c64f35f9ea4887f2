#!/bin/sh
# tests/extension/lint.sh - lint the add-on with Mozilla's addons-linter
# (npm), keeping only findings that matter for a Thunderbird MailExtension.
#
# addons-linter knows Firefox: it reports every Thunderbird API
# (UNSUPPORTED_API), Thunderbird permissions (MANIFEST_PERMISSIONS) and
# the Experiment (MANIFEST_FIELD_PRIVILEGED: experiment_apis are for
# Thunderbird ESR and privileged add-ons; addons.thunderbird.net reviews
# them by hand) and Firefox's data_collection_permissions. Those are
# listed and ignored; any other error or warning fails.
# Needs node and npm (the linter is installed into a cache folder).
set -eu
cd "$(dirname "$0")/../.."
cache=${DANE_SMIME_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dane-smime-lint}
if ! command -v npm >/dev/null 2>&1; then
	echo "lint.sh: npm missing" >&2
	exit 77
fi
if [ ! -x "$cache/node_modules/.bin/addons-linter" ]; then
	mkdir -p "$cache"
	log=$(mktemp)
	if ! (cd "$cache" && npm install --no-audit --no-fund \
	    addons-linter@10 >"$log" 2>&1); then
		# No registry, or one behind a TLS proxy whose CA this
		# machine does not hold (a bare debootstrap chroot): the
		# linter cannot be had here. Said, and skipped (77), not
		# passed; any other install failure fails.
		if grep -q -e SELF_SIGNED_CERT -e UNABLE_TO_GET_ISSUER \
		    -e UNABLE_TO_VERIFY_LEAF -e ENOTFOUND -e ECONNREFUSED \
		    -e ETIMEDOUT -e EAI_AGAIN -e ENETUNREACH "$log"; then
			echo "lint.sh: the npm registry cannot be reached from" \
			    "here ($(grep -o -m 1 -e SELF_SIGNED_CERT[A-Z_]* \
			    -e UNABLE_TO_[A-Z_]* -e ENOTFOUND -e ECONNREFUSED \
			    -e ETIMEDOUT -e EAI_AGAIN -e ENETUNREACH "$log")):" \
			    "addons-linter not run (skipped)" >&2
			rm -f "$log"
			exit 77
		fi
		tail -20 "$log" >&2
		rm -f "$log"
		exit 1
	fi
	rm -f "$log"
fi
out=$(mktemp)
"$cache/node_modules/.bin/addons-linter" --output json extension >"$out" \
    2>/dev/null || true
python3 - "$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ignore = {"UNSUPPORTED_API", "MANIFEST_PERMISSIONS",
          "MANIFEST_FIELD_PRIVILEGED", "MISSING_DATA_COLLECTION_PERMISSIONS"}
bad = [m for k in ("errors", "warnings") for m in d[k]
       if m["code"] not in ignore]
for m in bad:
    print("%s %s: %s" % (m["code"], m.get("file", ""), m["message"]))
print("addons-linter: %d findings, %d ignored as Thunderbird-specific, "
      "%d that count" % (d["summary"]["errors"] + d["summary"]["warnings"],
                         d["summary"]["errors"] + d["summary"]["warnings"]
                         - len(bad), len(bad)))
sys.exit(1 if bad else 0)
PY
rc=$?
rm -f "$out"
exit $rc
