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

#include "doctor.h"

#define PKCS11_MODULE_NAME	"dane_smime_pkcs11"

/* What pkcs11_check finds: struct pkcs11_report (doctor.h). */

/* Fills r (the caller frees it with pkcs11_report_free, also after a
 * failure). home: the user's home (NULL: only the system folders).
 * Returns 0, or -1 on out of memory. */
int pkcs11_check(const char *home, struct pkcs11_report *r);
void pkcs11_report_free(struct pkcs11_report *r);

#endif
