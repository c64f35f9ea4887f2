/* fuzz_smimetxt.c - the _smime TXT path on arbitrary bytes.
 *
 * The first byte picks what the rest is:
 *   0: a local-part and a domain (split at the first NUL) for smimetxt_owner;
 *   1: one TXT RDATA for smimetxt_rdata, then its text as a URL;
 *   2: a URL for smimetxt_url_check;
 *   3: a DNS answer to "jane._smime.example.com" TXT, parsed by dnsmsg, its
 *      TXT RRs handed to smimetxt_pick;
 *   else: the rest cut into TXT RDATAs (each a length octet and that many
 *      bytes) for smimetxt_pick.
 * After each call the promises of smimetxt.h and dnsmsg.h are checked.
 */
#include <stdlib.h>
#include <string.h>

#include "../../host/dns/dnsmsg.h"
#include "../../host/dns/smimetxt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

static void
must(int cond)
{
	if (!cond)
		abort();
}

static int
uri_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != 0 && strchr("-._~:/?@!$&'()*+,;=%", c) != NULL);
}

/* What an accepted URL must look like, checked independently. */
static void
check_url(int rc, const struct smime_url *u)
{
	size_t i, n;

	must(rc >= 0 && rc <= SMIMETXT_STATUS_MAX);
	must(strcmp(smimetxt_code(rc), "unknown") != 0);
	if (rc != SMIMETXT_OK) {
		must(u->url[0] == '\0' && u->host[0] == '\0' && u->port == 0);
		return;
	}
	n = strlen(u->url);
	must(n <= DS_MAX_SMIME_URL && strncmp(u->url, "https://", 8) == 0);
	must(u->port >= 1 && u->port <= 65535);
	must(strlen(u->host) >= 1 && strlen(u->host) <= DS_MAX_DOMAIN);
	must(strncmp(u->url + 8, u->host, strlen(u->host)) == 0);
	for (i = 0; i < n; i++)
		must(uri_ok((unsigned char)u->url[i]));
	for (i = 0; u->host[i] != '\0'; i++)
		must((u->host[i] >= 'a' && u->host[i] <= 'z') ||
		    (u->host[i] >= '0' && u->host[i] <= '9') ||
		    u->host[i] == '-' || u->host[i] == '.');
	must(strchr(u->url, '#') == NULL);
	must(memchr(u->url + 8, '@', strcspn(u->url + 8, "/?")) == NULL);
}

static void
fuzz_owner(const uint8_t *d, size_t n)
{
	char dom[300], out[DS_MAX_DOMAIN + 1];
	const uint8_t *nul = memchr(d, 0, n);
	size_t llen = nul != NULL ? (size_t)(nul - d) : n, dlen, i;
	uint8_t wire[DNS_NAME_MAX];
	int rc;

	dlen = nul != NULL ? n - llen - 1 : 0;
	if (dlen >= sizeof(dom))
		dlen = sizeof(dom) - 1;
	if (dlen > 0)
		memcpy(dom, nul + 1, dlen);
	dom[dlen] = '\0';
	rc = smimetxt_owner((const char *)d, llen, dom, out, sizeof(out));
	must(rc >= 0 && rc <= SMIMETXT_STATUS_MAX);
	if (rc != SMIMETXT_OK) {
		must(out[0] == '\0');
		return;
	}
	/* A valid name of labels, containing "._smime." after the local-part. */
	must(dns_name_to_wire(out, wire, sizeof(wire), &i) == 0);
	must(strlen(out) == llen + 8 + strlen(dom));
	must(memcmp(out + llen, "._smime.", 8) == 0);
}

static void
fuzz_rdata(const uint8_t *d, size_t n)
{
	char text[DS_MAX_SMIME_URL + 1];
	struct smime_url u;
	size_t tlen = 99;
	int rc;

	rc = smimetxt_rdata(d, n, text, sizeof(text), &tlen);
	must(rc == SMIMETXT_OK || rc == SMIMETXT_E_RDATA ||
	    rc == SMIMETXT_E_TXT_LENGTH);
	if (rc != SMIMETXT_OK) {
		must(tlen == 0 && text[0] == '\0');
		return;
	}
	must(tlen <= DS_MAX_SMIME_URL && tlen < n && text[tlen] == '\0');
	rc = smimetxt_url_check(text, tlen, &u);
	check_url(rc, &u);
}

static void
fuzz_url(const uint8_t *d, size_t n)
{
	struct smime_url u, again;
	int rc;

	rc = smimetxt_url_check((const char *)d, n, &u);
	check_url(rc, &u);
	if (rc == SMIMETXT_OK) {
		char pres[DS_MAX_SMIME_URL + 64], back[DS_MAX_SMIME_URL + 1];
		size_t i, o = 0;

		/* Normalizing is idempotent. */
		must(smimetxt_url_check(u.url, strlen(u.url), &again) == 0);
		must(strcmp(again.url, u.url) == 0 && again.port == u.port);
		/* The presentation form holds the URL and only quotes and
		 * the spaces between strings besides. */
		must(smimetxt_presentation(u.url, pres, sizeof(pres)) == 0);
		for (i = 0; pres[i] != '\0'; i++)
			if (pres[i] != '"' && pres[i] != ' ')
				back[o++] = pres[i];
		back[o] = '\0';
		must(strcmp(back, u.url) == 0);
	}
}

static void
fuzz_answer(const uint8_t *d, size_t n)
{
	struct smimetxt_rr rr[DS_MAX_TXT_RECORDS];
	struct dnsmsg m;
	struct smime_url u;
	size_t i;
	int rc;

	rc = dnsmsg_parse(d, n, "jane._smime.example.com", DNS_TYPE_TXT, &m);
	must(rc >= -1 && rc <= DNSMSG_E_TRAILING);
	if (rc != DNSMSG_OK) {
		must(m.txts == NULL && m.ntxts == 0);
		return;
	}
	must(m.nrecords == 0 && m.records == NULL);
	must(m.ntxts <= DS_MAX_TXT_RECORDS);
	must((m.txts == NULL) == (m.ntxts == 0));
	for (i = 0; i < m.ntxts; i++) {
		must((m.txts[i].rdata == NULL) == (m.txts[i].len == 0));
		if (m.txts[i].len > 0) {	/* ASan checks the copy */
			sink = m.txts[i].rdata[0];
			sink = m.txts[i].rdata[m.txts[i].len - 1];
		}
		rr[i].rdata = m.txts[i].rdata;
		rr[i].len = m.txts[i].len;
	}
	rc = smimetxt_pick(rr, m.ntxts, &u);
	check_url(rc, &u);
	dnsmsg_free(&m);
}

static void
fuzz_pick(const uint8_t *d, size_t n)
{
	struct smimetxt_rr rr[8];
	struct smime_url u;
	size_t k = 0, off = 0, l;

	while (k < 8 && off < n) {
		l = d[off++];
		if (l > n - off)
			l = n - off;
		rr[k].rdata = d + off;
		rr[k].len = l;
		off += l;
		k++;
	}
	check_url(smimetxt_pick(rr, k, &u), &u);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	if (size == 0)
		return 0;
	/* An exact-size copy of the rest, so ASan sees any over-read. */
	if ((copy = malloc(size - 1 > 0 ? size - 1 : 1)) == NULL)
		return 0;
	memcpy(copy, data + 1, size - 1);
	switch (data[0]) {
	case 0:
		fuzz_owner(copy, size - 1);
		break;
	case 1:
		fuzz_rdata(copy, size - 1);
		break;
	case 2:
		fuzz_url(copy, size - 1);
		break;
	case 3:
		fuzz_answer(copy, size - 1);
		break;
	default:
		fuzz_pick(copy, size - 1);
		break;
	}
	free(copy);
	return 0;
}
