/* reader.h - the one bounded reader for untrusted bytes.
 *
 * Every parser of data we did not produce (DNS messages, SMIMEA RDATA,
 * native-messaging frames, certificate extensions) goes through this
 * struct. Every fetch checks what is left first and fails without
 * moving the cursor, so a short buffer can never be over-read.
 */
#ifndef DS_READER_H
#define DS_READER_H

#include <stddef.h>
#include <stdint.h>

struct reader {
	const uint8_t *data;
	size_t len;
	size_t off;
};

/* All fetchers return 0 on success, -1 if fewer bytes remain than asked. */
void rd_init(struct reader *r, const uint8_t *data, size_t len);
size_t rd_left(const struct reader *r);
int rd_u8(struct reader *r, uint8_t *out);
int rd_u16(struct reader *r, uint16_t *out);  /* network byte order */
int rd_u32(struct reader *r, uint32_t *out);  /* network byte order */
/* Points *out at the next n bytes (no copy) and advances past them. */
int rd_bytes(struct reader *r, size_t n, const uint8_t **out);
int rd_skip(struct reader *r, size_t n);
/* Moves the cursor to an absolute offset <= len. */
int rd_seek(struct reader *r, size_t off);
/* A sub-reader over the next n bytes; the parent advances past them. */
int rd_sub(struct reader *r, size_t n, struct reader *sub);

#endif
