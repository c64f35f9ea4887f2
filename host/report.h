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

#include "jsonw.h"
#include "lookup.h"

#include "record.h"

cJSON *report_result(const struct lookup_result *lr, const cJSON *id);
int report_result_write(struct jsonw *w, const struct lookup_result *lr,
    const char *id_json);
/* One certificate with its verdict, as in a result's "certificates". */
cJSON *report_cert(const struct lr_cert *c);
/* {"type":"record","records":[...]} for `record`, without id. */
cJSON *report_records(const struct record_line *l, size_t n);
/* Adds "address" (made valid UTF-8 if it is not). 0 or -1 (OOM). */
int report_add_address(cJSON *obj, const struct lookup_result *lr);
cJSON *report_done(const cJSON *id, size_t count);
cJSON *report_error(const cJSON *id, const char *code, const char *message);
int report_error_write(struct jsonw *w, const char *id_json, const char *code,
    const char *message);

/* Adds "id" (a copy, or null) and returns obj; frees obj and returns NULL
 * on OOM. */
cJSON *report_with_id(cJSON *obj, const cJSON *id);

/* Serialises compactly; NULL on OOM. The caller checks the size limit. */
char *report_serialise(const cJSON *msg, size_t *len);

/* Writes a protocol message as a person would want to read it. */
void report_print_text(FILE *f, const cJSON *msg, int color);

#endif
