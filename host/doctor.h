/* doctor.h - what `dane-smime doctor`'s checks find, as plain structs.
 *
 * The checks (pkcs11check.c, front end) fill these; report.c (domain)
 * renders them as JSON and text. The structs live here, in a header that
 * includes nothing of the host, so report.c needs no front-end header
 * (ARCHITECTURE.md: every arrow points down).
 */
#ifndef DS_DOCTOR_H
#define DS_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

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

#endif
