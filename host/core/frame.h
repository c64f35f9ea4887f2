/* frame.h - native-messaging framing, without I/O.
 *
 * Firefox and Thunderbird frame every message as a uint32 length in the
 * NATIVE byte order followed by that many bytes of UTF-8 JSON. The
 * browser disconnects a host whose message exceeds DS_MAX_REPLY_BYTES;
 * the other direction may carry up to 4 GiB, of which we accept
 * DS_MAX_REQUEST_BYTES and skip the rest unbuffered.
 *
 * The reader is incremental: feed it whatever read(2) returned, in any
 * split, and it reports one event per call. It never trusts the length
 * prefix for allocation: the body buffer grows geometrically with the
 * bytes that actually arrived, so a 64 MiB header followed by EOF costs
 * one small chunk, not 64 MiB.
 */
#ifndef DS_FRAME_H
#define DS_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct frame_reader {
	size_t		 max_len;	/* largest body accepted */
	uint8_t		 hdr[4];	/* header bytes seen so far */
	size_t		 hdrlen;
	bool		 in_body;	/* header complete, collecting body */
	uint32_t	 want;		/* body length of the current frame */
	char		*buf;		/* body so far (have bytes), cap bytes */
	size_t		 have;
	size_t		 cap;
	uint32_t	 skip;		/* oversized body bytes still to drop */
};

enum frame_event {
	FRAME_NONE = 0,		/* more input needed */
	FRAME_READY,		/* *frame and *len hold one body */
	FRAME_TOO_LARGE,	/* header announced more than max_len */
	FRAME_EMPTY		/* zero-length frame */
};

/* Bodies longer than max_len are reported FRAME_TOO_LARGE and skipped. */
void	 frame_reader_init(struct frame_reader *fr, size_t max_len);

/*
 * Consumes up to n bytes from p and returns how many it consumed; call
 * again with the rest. At most one event per call, in *ev:
 *  FRAME_READY      *frame is the body (malloc'ed, NUL-terminated, the
 *                   caller frees it), *len its length;
 *  FRAME_TOO_LARGE  once per oversized frame, as soon as its header is
 *                   read; the body is then dropped as it arrives;
 *  FRAME_EMPTY      a zero-length frame;
 *  FRAME_NONE       all n bytes consumed, no frame complete yet.
 * *frame is NULL and *len 0 unless FRAME_READY.
 * Returns (size_t)-1 on out of memory (the reader must then be freed).
 */
size_t	 frame_feed(struct frame_reader *fr, const uint8_t *p, size_t n,
	    int *ev, char **frame, size_t *len);

/* True if EOF now would cut a frame (partial header, body or skip). */
bool	 frame_reader_mid_frame(const struct frame_reader *fr);

/* Bytes of an oversized frame still to be skipped. */
uint32_t frame_reader_skipping(const struct frame_reader *fr);

/* Releases the partial body; fr may be NULL. */
void	 frame_reader_free(struct frame_reader *fr);

/* Writes the native-endian header for a body of len bytes into out.
 * Returns 0, or -1 if len > DS_MAX_REPLY_BYTES (the browser would
 * disconnect us). */
int	 frame_header(size_t len, uint8_t out[4]);

#endif
