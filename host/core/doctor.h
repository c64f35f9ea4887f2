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

/* One native-messaging manifest checked (install_check_manifest),
 * rendered by report_install_manifest (report.h) as
 *   {"path": string, "exists": bool, "used": bool, "valid": bool,
 *    "host_path": string|null, "host_ok": bool,
 *    "host_version": string?, "allowed_extensions": [string, ...],
 *    "id_allowed": bool, "problem": string?}
 * (members in that order; install_check.h says what they mean). */
struct install_manifest {
	char	*path;
	bool	 exists, used, valid;
	char	*host_path;	/* valid UTF-8 text; NULL: none */
	bool	 host_ok;
	char	*host_version;	/* first line of --version; NULL: none */
	char	**allowed;	/* the add-on ids, valid UTF-8 text */
	size_t	 nallowed, allowed_cap;
	bool	 id_allowed;
	char	 problem[512];	/* "": none */
};

/* One Thunderbird profile: {"name", "path", "default", "exists",
 * "addon", "addon_version"?, "addon_file", "problem"?}. */
struct install_profile {
	char	*name, *path;
	bool	 is_default, exists;
	const char *addon;	/* the STATE (install_check.h), static */
	char	 addon_version[64];	/* "": none */
	bool	 addon_file;
	char	 problem[512];	/* "": none */
};

/* The profiles' members of the installation check, in this order:
 *   {"profiles_ini": string|null, "profiles": [PROFILE, ...],
 *    "profiles_problem": string?, "addon_enabled": bool,
 *    "addon_problem": string?}
 * rendered by report_install_profiles (report.h). */
struct install_profiles {
	char	*profiles_ini;	/* NULL: no HOME ("profiles_ini": null) */
	struct install_profile *v;
	size_t	 n;
	char	 profiles_problem[512];	/* "": none */
	bool	 addon_enabled;
	char	 addon_problem[512];	/* "" when addon_enabled */
};

/* The doctor's installation check (install_check), rendered by
 * report_install as
 *   {"manifests": [MANIFEST, ...], "ok": bool, "problem": string?,
 *    the members of struct install_profiles, "pkcs11": {...}}. */
struct install_report {
	/* Thunderbird's order: the user's folder, then the system's. */
	struct install_manifest manifests[3];
	size_t	 nmanifests;
	bool	 ok;
	char	 problem[768];	/* "" when ok */
	struct install_profiles profiles;
	struct pkcs11_report pkcs11;
};

#endif
