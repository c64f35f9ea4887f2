/* ber.c - see ber.h. */
#include "ber.h"
#include "dslimits.h"

const uint8_t ber_oid_data[9] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
    0x07, 0x01 };
const uint8_t ber_oid_signed_data[9] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
    0x01, 0x07, 0x02 };
const uint8_t ber_oid_enveloped_data[9] = { 0x2a, 0x86, 0x48, 0x86, 0xf7,
    0x0d, 0x01, 0x07, 0x03 };
const uint8_t ber_oid_auth_enveloped_data[11] = { 0x2a, 0x86, 0x48, 0x86,
    0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x17 };

/* Tag and length, the length not yet checked against what is left. */
static int
tag_length(struct reader *r, uint8_t *tag, size_t *len, bool *indef)
{
	uint8_t l, b;
	size_t i;

	if (rd_u8(r, tag) != 0 || (*tag & 0x1f) == 0x1f || rd_u8(r, &l) != 0)
		return -1;	/* high tag numbers never occur here */
	*indef = false;
	*len = 0;
	if (l < 0x80) {
		*len = l;
	} else if (l == 0x80) {
		if ((*tag & 0x20) == 0)
			return -1;	/* only constructed may be indefinite */
		*indef = true;
	} else {
		if ((l & 0x7f) > sizeof(size_t) - 1)
			return -1;
		for (i = 0; i < (l & 0x7fu); i++) {
			if (rd_u8(r, &b) != 0)
				return -1;
			*len = *len << 8 | b;
		}
	}
	return 0;
}

int
ber_header(struct reader *r, uint8_t *tag, size_t *len, bool *indef)
{
	if (tag_length(r, tag, len, indef) != 0 ||
	    (!*indef && *len > rd_left(r)))
		return -1;
	return 0;
}

/* End-of-contents: two zero octets (X.690 8.1.5); consumed if there. */
static bool
end_of_contents(struct reader *r)
{
	return rd_left(r) >= 2 && r->data[r->off] == 0 &&
	    r->data[r->off + 1] == 0 && rd_skip(r, 2) == 0;
}

int
ber_skip(struct reader *r, int depth)
{
	uint8_t tag;
	size_t len;
	bool indef;

	if (depth > DS_MAX_BER_DEPTH || ber_header(r, &tag, &len, &indef) != 0)
		return -1;
	if (!indef)
		return rd_skip(r, len);
	while (!end_of_contents(r))
		if (ber_skip(r, depth + 1) != 0)
			return -1;
	return 0;
}

int
ber_check(struct reader *r, int depth)
{
	struct reader sub;
	uint8_t tag;
	size_t len;
	bool indef;

	if (depth > DS_MAX_BER_DEPTH || ber_header(r, &tag, &len, &indef) != 0)
		return -1;
	if ((tag & 0x20) == 0)
		return rd_skip(r, len);
	if (indef) {
		while (!end_of_contents(r))
			if (ber_check(r, depth + 1) != 0)
				return -1;
		return 0;
	}
	if (rd_sub(r, len, &sub) != 0)
		return -1;
	while (rd_left(&sub) > 0)
		if (ber_check(&sub, depth + 1) != 0)
			return -1;
	return 0;
}

int
ber_enter(struct reader *r, uint8_t want)
{
	uint8_t tag;
	size_t len;
	bool indef;

	if (ber_header(r, &tag, &len, &indef) != 0 || tag != want)
		return -1;
	return 0;
}

int
ber_content_type(struct reader *r, const uint8_t **oid, size_t *len)
{
	uint8_t tag;
	size_t n;
	bool indef;

	if (tag_length(r, &tag, &n, &indef) != 0 || tag != 0x30 ||
	    ber_header(r, &tag, &n, &indef) != 0 || tag != 0x06 ||
	    rd_bytes(r, n, oid) != 0)
		return -1;
	*len = n;
	return 0;
}
