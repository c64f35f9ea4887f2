/* install_check.h - is the host installed where Thunderbird looks for it?
 *
 * Native-messaging add-ons fail most often at installation, and every
 * failure looks the same from the add-on ("No such native application
 * dane_smime"): a manifest in a folder Thunderbird does not read, a
 * "path" that is not the binary, an add-on id missing from
 * "allowed_extensions". This module reports, for `dane-smime doctor`,
 * what each folder holds and why it would or would not work.
 *
 * Thunderbird on Linux reads <name>.json from, in order,
 *   $HOME/.mozilla/native-messaging-hosts/
 *   /usr/lib/mozilla/native-messaging-hosts/
 *   /usr/lib64/mozilla/native-messaging-hosts/ (lib64 builds)
 * and uses the first file that exists (dane-smime(1), doctor).
 * The manifest must be a JSON object with "name" equal to the file's
 * name, "description", an absolute "path", "type":"stdio" and a
 * non-empty "allowed_extensions" array of add-on ids.
 *
 * The host alone is not enough: the add-on must be installed and
 * enabled in the Thunderbird profile in use, so the profiles are
 * reported too (install_check_profiles, tbprofile.h).
 *
 * No function here writes anything; the host named by a manifest is
 * run once with --version (stdin /dev/null, stderr discarded, killed
 * after DS_INSTALL_CHECK_TIMEOUT_MS).
 */
#ifndef DS_INSTALL_CHECK_H
#define DS_INSTALL_CHECK_H

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#define INSTALL_HOST_NAME	"dane_smime"
#define INSTALL_MANIFEST_FILE	INSTALL_HOST_NAME ".json"

/* The add-on's id (extension/manifest.json browser_specific_settings.
 * gecko.id); the build may override it with -DDANE_SMIME_EXTENSION_ID. */
#ifndef DANE_SMIME_EXTENSION_ID
#define DANE_SMIME_EXTENSION_ID	"dane-smime@dane-smime.org"
#endif

/*
 * Checks the manifest in every folder above, in Thunderbird's order
 * (the $HOME one is skipped when HOME is unset or not absolute).
 * Returns a new object owned by the caller, NULL on out of memory:
 *   {"manifests": [ENTRY, ...], "ok": bool, "problem": string?}
 * ok is true iff the first manifest that exists (marked "used": true)
 * is valid, names a host that runs, and allows DANE_SMIME_EXTENSION_ID.
 * "problem" is present exactly when ok is false. The members of
 * install_check_profiles($HOME) follow; they do not change "ok".
 */
cJSON *install_check_json(void);

/*
 * Checks one manifest file. Returns a new ENTRY owned by the caller,
 * NULL on out of memory:
 *   {"path": string, "exists": bool, "used": false, "valid": bool,
 *    "host_path": string|null, "host_ok": bool,
 *    "host_version": string?, "allowed_extensions": [string, ...],
 *    "id_allowed": bool, "problem": string?}
 * "valid": the file is a manifest Thunderbird accepts (for this name);
 * "host_ok": host_path is an executable regular file whose --version
 * exits 0 and prints "dane-smime VERSION ..." (host_version: that line);
 * "problem": the first reason this manifest would not work, absent when
 * it would or when the file does not exist.
 * Strings from the file are included only if valid UTF-8 text.
 */
cJSON *install_check_manifest(const char *path);

/* The manifests of one kind Thunderbird reads, in its order: the user's
 * ($HOME/.<user_rel>, when home is absolute), then sys[0..nsys), each
 * checked by check and added to arr. *used is the first that exists,
 * marked "used": true, or NULL. Returns 0, or -1 on OOM. The native-
 * messaging host's and the PKCS#11 token's manifests share it. */
int install_check_manifests(cJSON *arr, const char *home,
    const char *user_rel, const char *const *sys, size_t nsys,
    cJSON *(*check)(const char *path), cJSON **used);

/*
 * The Thunderbird profiles of the user whose home is `home` (NULL: none
 * known) and whether each has the add-on DANE_SMIME_EXTENSION_ID, from
 * home/.thunderbird/profiles.ini and installs.ini and each profile's
 * extensions.json and extensions/ID.xpi (files Thunderbird writes, read
 * as untrusted input, bounded by dslimits.h). install_check_json adds
 * these members to its object. Returns a new object, NULL on OOM:
 *   {"profiles_ini": string|null, "profiles": [PROFILE, ...],
 *    "profiles_problem": string?, "addon_enabled": bool,
 *    "addon_problem": string?}
 *   PROFILE: {"name": string, "path": string, "default": bool,
 *    "exists": bool, "addon": STATE, "addon_version": string?,
 *    "addon_file": bool, "problem": string?}
 * STATE: "enabled", "waiting" (installed from outside Thunderbird, e.g.
 * by install-user.sh: disabled until the user enables it), "pending"
 * (extensions/ID.xpi is there, Thunderbird has not started since),
 * "disabled", "incompatible", "inactive", "absent", or "unknown" (the
 * profile's files could not be read: "problem" says why).
 * "addon_enabled": some profile has the add-on enabled; otherwise
 * "addon_problem" says plainly what is missing and what to do.
 */
cJSON *install_check_profiles(const char *home);

#endif
