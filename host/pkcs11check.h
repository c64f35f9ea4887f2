/* pkcs11check.h - `dane-smime doctor` on the live DANE token (issue 17):
 * is the pkcs11 manifest where Thunderbird's pkcs11.installModule looks,
 * does the library it names load and answer as our token, is the token
 * cache readable, and how many certificates the token serves.
 *
 * Thunderbird on Linux reads dane_smime_pkcs11.json from
 *   $HOME/.mozilla/pkcs11-modules/
 *   /usr/lib/mozilla/pkcs11-modules/
 *   /usr/lib64/mozilla/pkcs11-modules/
 * (the first that exists is used). The manifest must be a JSON object
 * with "name" "dane_smime_pkcs11", an absolute "path", "type":"pkcs11"
 * and "allowed_extensions" holding DANE_SMIME_EXTENSION_ID.
 *
 * The library is loaded with dlopen (it links no NSS and does no I/O but
 * reading the cache), initialised, asked for its slot and token
 * information, finalised and unloaded. Nothing is written.
 */
#ifndef DS_PKCS11CHECK_H
#define DS_PKCS11CHECK_H

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#define PKCS11_MODULE_NAME	"dane_smime_pkcs11"

/*
 * Returns a new object owned by the caller, NULL on out of memory:
 *   {"manifests": [{"path", "exists", "used", "valid", "library",
 *     "problem"?}, ...],
 *    "library": string|null, "loads": bool, "token_state": string?,
 *    "token": string?, "served": number?, "trusted": number?,
 *    "cache": string|null, "cache_status": "ok"|"missing"|"refused"|
 *    "unreadable", "cache_problem": string?, "entries": number,
 *    "ok": bool, "problem": string?}
 * "token_state" is the token's own word (C_GetTokenInfo model:
 * "serving", "no cache yet", "cache refused", "cache unreadable");
 * "token" its slot description; "served"/"trusted" the certificates it
 * serves and those with e-mail trust. "ok": the manifest used is valid,
 * the library loads, and the cache is readable or not made yet.
 * home: the user's home (NULL: only the system folders).
 */
cJSON *pkcs11_check_json(const char *home);

#endif
