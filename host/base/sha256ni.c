/* sha256ni.c - SHA-256 on the x86 SHA extensions; see sha256ni.h.
 *
 * FIPS 180-4 6.2 with the rounds and the message schedule done by
 * SHA256RNDS2, SHA256MSG1 and SHA256MSG2 (Intel SDM vol. 2, "SHA
 * Extensions"). Those instructions keep the working variables as two
 * vectors, ABEF and CDGH (A in the highest lane), so the state is
 * rearranged on the way in and back on the way out.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sha256ni.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

#ifdef HAVE_SHA_NI

/* FIPS 180-4 4.2.2. */
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b,
	0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
	0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7,
	0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152,
	0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
	0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
	0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
	0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* FIPS 180-4 5.3.3. */
static const uint32_t H0[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

/* The compression function over n whole 64-octet blocks. */
__attribute__((target("sha,sse4.1,ssse3")))
static void
blocks(uint32_t st[8], const uint8_t *p, size_t n)
{
	/* Each 32-bit word of the message is big-endian (FIPS 180-4 3.1). */
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL,
	    0x0405060700010203LL);
	__m128i abef, cdgh, t, save0, save1, m, w[4];
	int g;

	t = _mm_loadu_si128((const __m128i *)(const void *)&st[0]); /* DCBA */
	cdgh = _mm_loadu_si128((const __m128i *)(const void *)&st[4]);
	t = _mm_shuffle_epi32(t, 0xb1);			/* CDAB */
	cdgh = _mm_shuffle_epi32(cdgh, 0x1b);		/* EFGH */
	abef = _mm_alignr_epi8(t, cdgh, 8);		/* ABEF */
	cdgh = _mm_blend_epi16(cdgh, t, 0xf0);		/* CDGH */
	for (; n > 0; n--, p += 64) {
		save0 = abef;
		save1 = cdgh;
		/* Sixteen groups of four rounds; w holds the last sixteen
		 * schedule words, w[g % 4] the oldest four (6.2.2 step 1). */
		for (g = 0; g < 16; g++) {
			__m128i *x = &w[g & 3];

			if (g < 4)
				*x = _mm_shuffle_epi8(_mm_loadu_si128(
				    (const __m128i *)(const void *)(p + 16 * g)),
				    bswap);
			else
				*x = _mm_sha256msg2_epu32(_mm_add_epi32(
				    _mm_sha256msg1_epu32(*x, w[(g + 1) & 3]),
				    _mm_alignr_epi8(w[(g + 3) & 3],
				    w[(g + 2) & 3], 4)), w[(g + 3) & 3]);
			m = _mm_add_epi32(*x, _mm_loadu_si128(
			    (const __m128i *)(const void *)&K[4 * g]));
			/* Two rounds each; the older ABEF becomes CDGH. */
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, m);
			abef = _mm_sha256rnds2_epu32(abef, cdgh,
			    _mm_shuffle_epi32(m, 0x0e));
		}
		abef = _mm_add_epi32(abef, save0);
		cdgh = _mm_add_epi32(cdgh, save1);
	}
	t = _mm_shuffle_epi32(abef, 0x1b);		/* FEBA */
	cdgh = _mm_shuffle_epi32(cdgh, 0xb1);		/* DCHG */
	abef = _mm_blend_epi16(t, cdgh, 0xf0);		/* DCBA */
	cdgh = _mm_alignr_epi8(cdgh, t, 8);		/* HGFE */
	_mm_storeu_si128((__m128i *)(void *)&st[0], abef);
	_mm_storeu_si128((__m128i *)(void *)&st[4], cdgh);
}

void
sha256ni(const void *data, size_t n, uint8_t out[32])
{
	const uint8_t *p = data;
	uint8_t tail[128];
	uint32_t st[8];
	uint64_t bits = (uint64_t)n * 8;
	size_t whole = n / 64, rem = n % 64, tl, i;

	memcpy(st, H0, sizeof(st));
	if (whole > 0)
		blocks(st, p, whole);
	/* Padding (5.1.1): 0x80, zeros, the length in bits as a 64-bit
	 * big-endian number ending the last block; one block when the
	 * rest and the nine octets fit, else two. */
	tl = rem < 56 ? 64 : 128;
	memset(tail, 0, tl);
	if (rem > 0)
		memcpy(tail, p + whole * 64, rem);
	tail[rem] = 0x80;
	for (i = 0; i < 8; i++)
		tail[tl - 1 - i] = (uint8_t)(bits >> (8 * i));
	blocks(st, tail, tl / 64);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(st[i] >> 24);
		out[4 * i + 1] = (uint8_t)(st[i] >> 16);
		out[4 * i + 2] = (uint8_t)(st[i] >> 8);
		out[4 * i + 3] = (uint8_t)st[i];
	}
}

static bool
cpu_has_sha_ni(void)
{
	unsigned a, b, c, d;

	/* Leaf 1 ECX: SSSE3 (bit 9), SSE4.1 (bit 19); leaf 7 EBX: SHA
	 * (bit 29). */
	if (!__get_cpuid(1, &a, &b, &c, &d) || (c & (1u << 9)) == 0 ||
	    (c & (1u << 19)) == 0 || __get_cpuid_max(0, NULL) < 7)
		return false;
	__cpuid_count(7, 0, a, b, c, d);
	return (b & (1u << 29)) != 0;
}

/* FIPS 180-4 examples (NIST CSRC "SHA256.pdf"): one block, two blocks. */
static bool
known_answers(void)
{
	static const uint8_t abc[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41,
		0x40, 0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3,
		0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00,
		0x15, 0xad,
	};
	static const uint8_t two[32] = {
		0x24, 0x8d, 0x6a, 0x61, 0xd2, 0x06, 0x38, 0xb8, 0xe5, 0xc0,
		0x26, 0x93, 0x0c, 0x3e, 0x60, 0x39, 0xa3, 0x3c, 0xe4, 0x59,
		0x64, 0xff, 0x21, 0x67, 0xf6, 0xec, 0xed, 0xd4, 0x19, 0xdb,
		0x06, 0xc1,
	};
	static const char msg2[] =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	uint8_t md[32];

	sha256ni("abc", 3, md);
	if (memcmp(md, abc, 32) != 0)
		return false;
	sha256ni(msg2, sizeof(msg2) - 1, md);
	return memcmp(md, two, 32) == 0;
}

bool
sha256ni_available(void)
{
	static int state;	/* 0 not yet decided, 1 yes, -1 no */

	if (state == 0)
		state = cpu_has_sha_ni() && known_answers() ? 1 : -1;
	return state > 0;
}

#else	/* !HAVE_SHA_NI */

bool
sha256ni_available(void)
{
	return false;
}

void
sha256ni(const void *p, size_t n, uint8_t out[32])
{
	(void)p;
	(void)n;
	memset(out, 0, 32);
}

#endif
