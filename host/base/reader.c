/* reader.c - bounded reader; see reader.h. The functions are inline
 * definitions there; these declarations make this file the one place
 * their external definitions are emitted (C11 6.7.4p7). */
#include "reader.h"

extern inline void rd_init(struct reader *r, const uint8_t *data,
    size_t len);
extern inline size_t rd_left(const struct reader *r);
extern inline int rd_u8(struct reader *r, uint8_t *out);
extern inline int rd_u16(struct reader *r, uint16_t *out);
extern inline int rd_u32(struct reader *r, uint32_t *out);
extern inline int rd_bytes(struct reader *r, size_t n,
    const uint8_t **out);
extern inline int rd_skip(struct reader *r, size_t n);
extern inline int rd_seek(struct reader *r, size_t off);
extern inline int rd_sub(struct reader *r, size_t n, struct reader *sub);
