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

#define PKCS11_MODULE_NAME	"dane_smime_pkcs11"

/* What the doctor found, rendered by report_pkcs11 (report.h) as
 *   {"manifests": [{"path", "exists", "used", "valid", "library",
 *     "problem"?}, ...],
 *    "library": string|null, "loads": bool, "token_state": string?,
 *    "token": string?, "served": number?, "trusted": number?,
 *    "cache": string|null, "cache_status": "ok"|"missing"|"refused"|
 *    "unreadable", "cache_problem": string?, "entries": number,
 *    "ok": bool, "problem": string?}
 * (members in that order, token_state to trusted only when it loads).
 * token_state is the token's own word (C_GetTokenInfo model: "serving",
 * "no cache yet", "cache refused", "cache unreadable"); token its slot
 * description; served/trusted the certificates it serves and those with
 * e-mail trust. ok: the manifest used is valid, the library loads, and
 * the cache is readable or not made yet. Strings from a manifest are
 * kept only if valid UTF-8 text. */
struct pkcs11_manifest {
	char	*path;
	bool	 exists, used, valid;
	char	*library;	/* absolute, UTF-8; NULL: none */
	char	 problem[512];	/* "": none */
};

struct pkcs11_report {
	/* Thunderbird's order: the user's folder, then the system's. */
	struct pkcs11_manifest manifests[3];
	size_t	 nmanifests;
	const char *library;	/* the used manifest's; NULL: none */
	bool	 loads;
	char	 token_state[32], token[80];
	unsigned long served, trusted;
	bool	 has_cache;	/* false: no folder for it ("cache": null) */
	char	 cache[4096];
	const char *cache_status;
	bool	 has_cache_problem;
	char	 cache_problem[512];
	size_t	 entries;
	bool	 ok;
	char	 problem[768];	/* "" when ok */
};

/* Fills r (the caller frees it with pkcs11_report_free, also after a
 * failure). home: the user's home (NULL: only the system folders).
 * Returns 0, or -1 on out of memory. */
int pkcs11_check(const char *home, struct pkcs11_report *r);
void pkcs11_report_free(struct pkcs11_report *r);

#endif
