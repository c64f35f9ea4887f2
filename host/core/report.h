/* report.h - the one place that turns results into protocol JSON
 * (host/PROTOCOL.md) and into text for people (the CLI).
 *
 * Every builder returns a new cJSON object owned by the caller, or NULL
 * on OOM. id is the request's id (borrowed; duplicated into the message;
 * NULL becomes JSON null).
 *
 * The *_write twins append the same message to a JSON writer instead,
 * byte for byte what cJSON_PrintUnformatted prints for the tree (both
 * come from one description in report.c), without building a tree:
 * the hot path, one `result` per address. id_json is the request's id
 * as cJSON printed it once (borrowed; NULL for JSON null). They return
 * 0, or the writer's error (enum jsonw_err: JSONW_E_LIMIT when the
 * message would pass the writer's limit, JSONW_E_NOMEM on OOM); on an
 * error the writer holds a partial message the caller drops
 * (jsonw_truncate). */
#ifndef DS_REPORT_H
#define DS_REPORT_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "certstore.h"
#include "check.h"
#include "config.h"
#include "jsonw.h"
#include "lookup.h"

#include "record.h"
#include "verifymsg.h"

cJSON *report_result(const struct lookup_result *lr, const cJSON *id);
int report_result_write(struct jsonw *w, const struct lookup_result *lr,
    const char *id_json);
/* One certificate with its verdict, as in a result's "certificates". */
cJSON *report_cert(const struct lr_cert *c);
/* {"type":"record","records":[...]} for `record`, without id. */
cJSON *report_records(const struct record_line *l, size_t n);
cJSON *report_done(const cJSON *id, size_t count);
cJSON *report_error(const cJSON *id, const char *code, const char *message);
int report_error_write(struct jsonw *w, const char *id_json, const char *code,
    const char *message);

/* hello: who we are and whether the resolver is trusted. */
struct hello_report {
	const struct config *cfg;	/* its resolvers */
	bool trusted;
	const char *trust;		/* why (not) trusted */
};
cJSON *report_hello(const struct hello_report *h, const cJSON *id);

/* doctor: the configuration and the probe of the resolver (a signed
 * name's SOA: is the AD bit set?). */
struct doctor_report {
	const struct config *cfg;
	bool trusted;
	const char *trust;
	bool answered;		/* the probe got an answer */
	bool ad;
	int rcode;		/* when answered */
	const char *error;	/* when not */
	const char *verdict;
};
cJSON *report_doctor(const struct doctor_report *d, const cJSON *id);

/* verify-message (verifymsg.h). */
cJSON *report_message(const struct vm_report *r, const cJSON *id);

/* check: the publisher's self-test (check.h). */
cJSON *report_check(const struct check_report *r, const cJSON *id);

/* import: one certificate of the answer, taken into the database
 * (changes[]) or refused (refused[]). */
struct import_item {
	const char *sha256;
	bool taken;
	const char *code, *reason;	/* refused: why */
	struct certstore_change change;	/* taken: what changed */
	const char *action;		/* taken: would-add, added, ... */
};

struct import_report {
	const struct lookup_result *lr;	/* the lookup it acted on */
	const char *db;
	bool dry_run;
	struct import_item *items;	/* one per certificate of lr */
	size_t nitems;
	const char *failed;	/* why a usable one did not get in, or NULL */
};
cJSON *report_import(const struct import_report *r, const cJSON *id);

/* Adds "id" (a copy, or null) and returns obj; frees obj and returns NULL
 * on OOM. */
cJSON *report_with_id(cJSON *obj, const cJSON *id);

/* Serialises compactly; NULL on OOM. The caller checks the size limit. */
/* The id for a reply: id_json (request.h's id_json, the request's id as
 * request.c printed it, or NULL for null) as a raw item, printed as it
 * is: the id is never parsed again. */
cJSON *report_id(const char *id_json);
char *report_serialise(const cJSON *msg, size_t *len);

/* Writes a protocol message as a person would want to read it. */
void report_print_text(FILE *f, const cJSON *msg, int color);

/* The doctor's installation check as JSON (doctor.h says what each
 * struct holds and renders as); each returns a new tree, NULL on OOM.
 * report_install: the whole object, its "pkcs11" member rendered as by
 * report_pkcs11; report_install_manifest: one MANIFEST;
 * report_install_profiles: an object of the profiles' members only.
 * report_add_install adds report_install(r) to msg as "install" (a
 * doctor message); -1 on OOM, msg then unchanged. */
struct pkcs11_report;
struct install_manifest;
struct install_profiles;
struct install_report;
cJSON *report_pkcs11(const struct pkcs11_report *r);
cJSON *report_install(const struct install_report *r);
cJSON *report_install_manifest(const struct install_manifest *m);
cJSON *report_install_profiles(const struct install_profiles *p);
int report_add_install(cJSON *msg, const struct install_report *r);

/* The installation part of `dane-smime doctor` for a person: the
 * native-messaging manifests and the closing "installation" line, the
 * live DANE token (its "pkcs11" member) and the Thunderbird profiles, from
 * an object of report_install (install_check.h); nothing if inst is
 * not an object. report_print_text prints it within a doctor message. */
void report_print_install(FILE *f, const cJSON *inst, int color);

#endif
