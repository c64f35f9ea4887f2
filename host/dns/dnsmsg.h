/* dnsmsg.h - our parser for DNS responses carrying SMIMEA records.
 *
 * c-ares 1.18 hands us the raw answer only, so the message is taken apart
 * here, on the bounded reader (reader.h). The parser is strict: anything
 * RFC 1035 does not allow is a positive dnsmsg_status naming the rule, and
 * the whole answer is then refused. It does no I/O and allocates only the
 * records array and each record's association data.
 */
#ifndef DS_DNSMSG_H
#define DS_DNSMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dslimits.h"

#define DNS_CLASS_IN		1
#define DNS_TYPE_CNAME		5
#define DNS_TYPE_SOA		6
#define DNS_TYPE_TXT		16	/* RFC 1035 3.3.14 */
#define DNS_TYPE_OPT		41
#define DNS_TYPE_SMIMEA		53	/* RFC 8162 section 2 */
#define DNS_OPT_EDE		15	/* RFC 8914 section 2 */
#define DNS_NAME_MAX		255	/* wire octets, RFC 1035 3.1 */

/* RCODEs (RFC 1035 4.1.1; c-ares names them ARES_RCODE_*). */
#define DNS_RCODE_NOERROR	0
#define DNS_RCODE_FORMERR	1
#define DNS_RCODE_SERVFAIL	2
#define DNS_RCODE_NXDOMAIN	3
#define DNS_RCODE_NOTIMP	4
#define DNS_RCODE_REFUSED	5

enum dnsmsg_status {
	DNSMSG_OK = 0,
	DNSMSG_E_SHORT,        /* message ends inside header, a section, or an RR */
	DNSMSG_E_NOT_RESPONSE, /* QR=0 or opcode != QUERY */
	DNSMSG_E_QUESTION,     /* QDCOUNT != 1, or the question is not the one we asked */
	DNSMSG_E_NAME,         /* bad label type, name > 255 octets, compression loop or
	                          too many pointers, pointer out of range or not backwards */
	DNSMSG_E_RDLENGTH,     /* RDLENGTH runs past the message, or CNAME/SOA RDATA
	                          inconsistent with it */
	DNSMSG_E_CNAME,        /* CNAME chain longer than DS_MAX_CNAME_CHAIN, looping, or
	                          two different CNAMEs for one owner (RFC 2181 10.1) */
	DNSMSG_E_OPT,          /* malformed OPT RR: owner not root, several OPTs, OPT outside
	                          the additional section, option past RDATA, EDE < 2 octets */
	DNSMSG_E_TRAILING,     /* bytes after the last RR counted by the header */
};

struct smimea_rec {
	uint8_t usage, selector, matching;
	uint8_t *data;                  /* malloc'ed copy of the association data, NULL if len 0 */
	size_t len;
	uint32_t ttl;                   /* RR TTL; values with the top bit set read as 0 (RFC 2181 8) */
	/*
	 * NULL when usable as far as syntax goes; else a stable code, first that applies:
	 * "short-rdata" (rdlen < 3), "unknown-usage" (> 3), "unknown-selector" (> 1),
	 * "unknown-matching" (> 2), "bad-digest-length" (matching 1 needs 32 octets,
	 * 2 needs 64), "empty-data" (matching 0 with no data).
	 * Such a record is unusable, the others of the set still count (RFC 6698 4.1).
	 */
	const char *problem_code;
	const char *problem;            /* static human message citing the rule, NULL if none */
};

/* A TXT RR kept as sent (RFC 1035 3.3.14); smimetxt_rdata reads it. */
struct txt_rec {
	uint8_t *rdata;                 /* malloc'ed copy of the RDATA, NULL if len 0 */
	size_t len;
	uint32_t ttl;                   /* as smimea_rec.ttl */
};

struct dnsmsg {
	uint16_t id;
	uint16_t rcode;                 /* header RCODE | OPT extended RCODE << 4 (RFC 6891 6.1.3) */
	bool qr, aa, tc, rd, ra, ad, cd;
	bool has_opt, do_bit;
	uint16_t udp_size;              /* OPT CLASS; 0 without OPT */
	bool has_ede;                   /* first Extended DNS Error option (RFC 8914) */
	uint16_t ede_code;
	/* EXTRA-TEXT made safe: valid UTF-8 only, control and bidi-format characters
	 * replaced by '?', trailing NULs dropped, truncated on a character boundary. */
	char ede_text[DS_MAX_EDE_TEXT + 1];
	struct smimea_rec *records;     /* answer SMIMEA RRs (class IN) owned by final_name;
	                                   none when parsed for qtype DNS_TYPE_TXT */
	size_t nrecords;                /* at most DS_MAX_RECORDS */
	size_t nignored;                /* answer SMIMEA RRs beyond DS_MAX_RECORDS or unrelated */
	/*
	 * Only when parsed for qtype DNS_TYPE_TXT (else NULL/0): the answer's TXT RRs
	 * (class IN) owned by final_name, in answer order, at most DS_MAX_TXT_RECORDS;
	 * ntxt_ignored counts the answer's other TXT RRs.
	 */
	struct txt_rec *txts;
	size_t ntxts;
	size_t ntxt_ignored;
	/*
	 * Positive answer (SMIMEA RRs, or for qtype TXT the TXT RRs, owned by
	 * final_name): min TTL of those RRs and of
	 * the CNAMEs followed. Otherwise, with an authority SOA: min(SOA TTL, SOA MINIMUM)
	 * over the SOAs (RFC 2308 5). Else 0.
	 */
	uint32_t ttl;
	bool has_soa;
	unsigned cname_hops;
	/* Presentation form, lowercase, no trailing dot ("" for the root). '.', '\\' and
	 * octets outside 0x21..0x7e inside labels are escaped (RFC 1035 5.1); a name
	 * whose escaped form does not fit is cut at an escape boundary. */
	char final_name[256];
};

/*
 * Parses the whole response msg[0..len) to the question (qname, qtype, class IN).
 * qname is in presentation form with or without the trailing dot, compared to the
 * echoed question case-insensitively (ASCII, RFC 4343); an invalid qname gives
 * DNSMSG_E_QUESTION. CNAMEs are followed from qname inside the answer section, in
 * any RR order. TC=1 answers are parsed like others (strictly); the caller decides.
 * out is overwritten on entry (not freed). Returns DNSMSG_OK, or a positive
 * dnsmsg_status with out cleared, or -1 on out-of-memory with out cleared.
 * On any return out is safe to pass to dnsmsg_free.
 */
int dnsmsg_parse(const uint8_t *msg, size_t len, const char *qname, uint16_t qtype,
    struct dnsmsg *out);
/* Frees the records and clears m. Accepts NULL and an already freed/cleared m. */
void dnsmsg_free(struct dnsmsg *m);
/* Static human text citing the RFC rule; -1 is "out of memory". */
const char *dnsmsg_strerror(int status);
/* Stable short code: "ok", "short", "not-response", "question-mismatch", "bad-name",
 * "bad-rdlength", "cname-chain", "bad-opt", "trailing-data"; -1 is "out-of-memory". */
const char *dnsmsg_code(int status);

/*
 * Presentation name to uncompressed wire format. Accepts a trailing dot or not;
 * "" and "." are the root. Understands the RFC 1035 5.1 escapes \X and \DDD.
 * Returns 0 and sets *wirelen, or -1 if a label is empty or longer than 63
 * octets, an escape is bad, the name exceeds 255 octets or does not fit outlen.
 */
int dns_name_to_wire(const char *name, uint8_t *out, size_t outlen, size_t *wirelen);

#endif
