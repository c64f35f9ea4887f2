/* fuzz_dnsmsg.c - dnsmsg_parse on arbitrary bytes, as the answer to a fixed
 * SMIMEA question; then checks the promises dnsmsg.h makes about the result,
 * and feeds the same bytes to dns_name_to_wire as a string. */
#include <stdlib.h>
#include <string.h>

#include "../../host/dns/dnsmsg.h"

#define QNAME	"c93f1e400f26708f98cb19d936620da35eec8f72e57f9eec01c1afd6." \
		"_smimecert.example.com"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

static void
must(int cond)
{
	if (!cond)
		abort();
}

/* The EDE text must be valid UTF-8 without C0/DEL: a small decoder of our own. */
static void
check_text(const char *s)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t k;

	while (*p != 0) {
		must(*p >= 0x20 && *p != 0x7f);
		if (*p < 0x80) {
			p++;
			continue;
		}
		k = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
		must(*p >= 0xc2 && *p <= 0xf4);
		for (p++; --k > 0; p++)
			must((*p & 0xc0) == 0x80);
	}
}

static void
check_result(int rc, struct dnsmsg *m)
{
	struct dnsmsg z;
	uint8_t wire[DNS_NAME_MAX];
	size_t i, n;

	memset(&z, 0, sizeof(z));
	must(rc >= -1 && rc <= DNSMSG_E_TRAILING);
	must(dnsmsg_code(rc) != NULL && dnsmsg_strerror(rc) != NULL);
	if (rc != DNSMSG_OK) {
		must(memcmp(m, &z, sizeof(z)) == 0);
		return;
	}
	must(m->nrecords <= DS_MAX_RECORDS);
	must((m->records == NULL) == (m->nrecords == 0));
	must(m->cname_hops <= DS_MAX_CNAME_CHAIN);
	must(memchr(m->ede_text, 0, sizeof(m->ede_text)) != NULL);
	check_text(m->ede_text);
	must(m->has_ede || m->ede_text[0] == '\0');
	must(memchr(m->final_name, 0, sizeof(m->final_name)) != NULL);
	for (i = 0; m->final_name[i] != '\0'; i++)
		must(m->final_name[i] < 'A' || m->final_name[i] > 'Z');
	/* An uncut final_name reads back as a valid name. */
	if (strlen(m->final_name) <= 251)
		must(dns_name_to_wire(m->final_name, wire, sizeof(wire),
		    &n) == 0 && n <= DNS_NAME_MAX);
	for (i = 0; i < m->nrecords; i++) {
		const struct smimea_rec *r = &m->records[i];

		must((r->data == NULL) == (r->len == 0));
		must((r->problem_code == NULL) == (r->problem == NULL));
		if (r->problem_code == NULL)
			must(r->usage <= 3 && r->selector <= 1 &&
			    r->matching <= 2);
		if (r->len > 0) {	/* ASan checks the whole copy */
			sink = r->data[0];
			sink = r->data[r->len - 1];
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dnsmsg m;
	uint8_t wire[DNS_NAME_MAX];
	char str[1024];
	size_t n;
	int rc;

	rc = dnsmsg_parse(data, size, QNAME, DNS_TYPE_SMIMEA, &m);
	check_result(rc, &m);
	dnsmsg_free(&m);

	/* The same bytes as a presentation name. */
	n = size < sizeof(str) - 1 ? size : sizeof(str) - 1;
	memcpy(str, data, n);
	str[n] = '\0';
	if (dns_name_to_wire(str, wire, sizeof(wire), &n) == 0)
		must(n >= 1 && n <= DNS_NAME_MAX && wire[n - 1] == 0);
	return 0;
}
