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

#include "doctor.h"

#define INSTALL_HOST_NAME	"dane_smime"
#define INSTALL_MANIFEST_FILE	INSTALL_HOST_NAME ".json"

/* The add-on's id (extension/manifest.json browser_specific_settings.
 * gecko.id); the build may override it with -DDANE_SMIME_EXTENSION_ID. */
#ifndef DANE_SMIME_EXTENSION_ID
#define DANE_SMIME_EXTENSION_ID	"dane-smime@dane-smime.org"
#endif

/*
 * Checks the manifest in every folder above, in Thunderbird's order
 * (the $HOME one is skipped when HOME is unset or not absolute), the
 * Thunderbird profiles of $HOME and the live DANE token (pkcs11check.h),
 * into *r (doctor.h; report_install renders it). r->ok is true iff the
 * first manifest that exists (marked used) is valid, names a host that
 * runs, and allows DANE_SMIME_EXTENSION_ID; r->problem says why not.
 * The profiles and the token do not change ok. Returns 0, or -1 on out
 * of memory; the caller frees *r with install_report_free either way.
 */
int install_check(struct install_report *r);
void install_report_free(struct install_report *r);

/*
 * Checks one manifest file into *m (doctor.h; the caller frees it with
 * install_manifest_free, also after a failure). Returns 0, or -1 on out
 * of memory. m->used is false here (install_check sets it).
 * valid: the file is a manifest Thunderbird accepts (for this name);
 * host_ok: host_path is an executable regular file whose --version
 * exits 0 and prints "dane-smime VERSION ..." (host_version: that line);
 * problem: the first reason this manifest would not work, "" when it
 * would or when the file does not exist.
 * Strings from the file are kept only if valid UTF-8 text.
 */
int install_check_manifest(const char *path, struct install_manifest *m);
void install_manifest_free(struct install_manifest *m);

/*
 * The Thunderbird profiles of the user whose home is `home` (NULL: none
 * known) and whether each has the add-on DANE_SMIME_EXTENSION_ID, from
 * home/.thunderbird/profiles.ini and installs.ini and each profile's
 * extensions.json and extensions/ID.xpi (files Thunderbird writes, read
 * as untrusted input, bounded by dslimits.h), into *p (doctor.h; the
 * caller frees it with install_profiles_free, also after a failure).
 * Returns 0, or -1 on OOM.
 * A profile's addon STATE: "enabled", "waiting" (installed from outside
 * Thunderbird, e.g. by install-user.sh: disabled until the user enables
 * it), "pending" (extensions/ID.xpi is there, Thunderbird has not
 * started since), "disabled", "incompatible", "inactive", "absent", or
 * "unknown" (the profile's files could not be read: its problem says
 * why). addon_enabled: some profile has the add-on enabled; otherwise
 * addon_problem says plainly what is missing and what to do.
 */
int install_check_profiles(const char *home, struct install_profiles *p);
void install_profiles_free(struct install_profiles *p);

#endif
