/* fuzz_distrust.c - one row of Thunderbird's cert9.db as distrust.c reads
 * it (distrust_row_judge): the values come from a file of the user's
 * Thunderbird, untrusted bytes. Input: five fields (class, CKA_ISSUER,
 * CKA_SERIAL_NUMBER, CKA_TRUST_EMAIL_PROTECTION of the 3.2 class, of
 * NSS's class), each a length octet (0xff: no value) and that many
 * octets; missing fields have no value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "distrust.h"
#include "reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
field(struct reader *r, const uint8_t **p, size_t *n)
{
	uint8_t len;

	*p = NULL;
	*n = 0;
	if (rd_u8(r, &len) != 0 || len == 0xff)
		return;
	if (rd_bytes(r, len, p) != 0) {
		*p = NULL;
		return;
	}
	*n = len;
}

static int
inside(const uint8_t *p, size_t n, const uint8_t *base, size_t len)
{
	return p != NULL && n > 0 && p >= base && p + n <= base + len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct distrust_row row;
	struct distrust_key k;
	struct reader r;
	const char *why = NULL;
	int rc;

	memset(&row, 0, sizeof(row));
	rd_init(&r, data, size);
	field(&r, &row.cls, &row.cls_len);
	field(&r, &row.issuer, &row.issuer_len);
	field(&r, &row.serial, &row.serial_len);
	field(&r, &row.email_new, &row.new_len);
	field(&r, &row.email_legacy, &row.legacy_len);
	rc = distrust_row_judge(&row, &k, &why);
	if (rc == -1) {
		if (why == NULL)
			abort();
		return 0;
	}
	if (rc != 0 && rc != 1)
		abort();
	if (rc == 0)
		return 0;
	/* A distrust: the key is the row's own issuer and serial, a DER
	 * SEQUENCE and INTEGER. */
	if (!inside(k.issuer, k.issuer_len, data, size) ||
	    !inside(k.serial, k.serial_len, data, size) ||
	    k.issuer[0] != 0x30 || k.serial[0] != 0x02)
		abort();
	return 0;
}
