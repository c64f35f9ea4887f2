/* test_crypto.c - crypto.h's digests: FIPS 180-4 example vectors, and the
 * same bytes as NSS's PKCS #11 path (PK11_HashBuf) for every length that
 * crosses a block boundary, repeatedly (the contexts are reused) and
 * across a shutdown and a new start. crypto.c hashes through freebl's raw
 * interface when libfreebl3 is there and through PKCS #11 otherwise: both
 * must give the same answer. SHA-256 goes through the CPU's SHA
 * extensions where it has them (sha256ni.c): checked on its own below,
 * at every offset and length over several blocks, against PK11_HashBuf. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nss.h>
#include <pk11pub.h>

#include "crypto.h"
#include "encode.h"
#include "sha256ni.h"
#include "t.h"

static void
check_hex(const uint8_t *md, size_t n, const char *want)
{
	char hex[129];

	hex_encode(md, n, hex);
	CHECK_STR(hex, want);
}

/* FIPS 180-4 examples (NIST CSRC "SHA-256"/"SHA-512" example values). */
static void
test_vectors(void)
{
	static const char two_blocks[] =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	uint8_t md[64];

	CHECK(crypto_sha256("abc", 3, md) == 0);
	check_hex(md, 32, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	CHECK(crypto_sha256("", 0, md) == 0);
	check_hex(md, 32, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	CHECK(crypto_sha256(NULL, 0, md) == 0);
	check_hex(md, 32, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	CHECK(crypto_sha256(two_blocks, sizeof(two_blocks) - 1, md) == 0);
	check_hex(md, 32, "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
	CHECK(crypto_sha512("abc", 3, md) == 0);
	check_hex(md, 64, "ddaf35a193617abacc417349ae204131"
	    "12e6fa4e89a97ea20a9eeee64b55d39a"
	    "2192992a274fc1a836ba3c23a3feebbd"
	    "454d4423643ce80e2a9ac94fa54ca49f");
}

/* Every length 0..600 and some large ones, against PK11_HashBuf. */
static void
test_against_pkcs11(void)
{
	static uint8_t buf[70000];
	static const size_t big[] = { 1199, 1200, 1201, 4096, 65535, 70000 };
	uint8_t a[64], b[64];
	size_t i, n, bad256 = 0, bad512 = 0;

	/* The reference needs NSS started; crypto_sha256 does not. */
	CHECK(crypto_init() == 0);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131u + (i >> 8));
	for (n = 0; n <= 600 + sizeof(big) / sizeof(big[0]); n++) {
		size_t len = n <= 600 ? n : big[n - 601];

		if (crypto_sha256(buf, len, a) != 0 ||
		    PK11_HashBuf(SEC_OID_SHA256, b, buf, (PRInt32)len) !=
		    SECSuccess || memcmp(a, b, 32) != 0)
			bad256++;
		if (crypto_sha512(buf + 1, len, a) != 0 ||
		    PK11_HashBuf(SEC_OID_SHA512, b, buf + 1, (PRInt32)len) !=
		    SECSuccess || memcmp(a, b, 64) != 0)
			bad512++;
	}
	CHECK(bad256 == 0);
	CHECK(bad512 == 0);
}

/* sha256ni() itself, when this CPU has the extensions: lengths 0..1100
 * (every padding case, up to 18 blocks) at four alignments, the million
 * 'a' of FIPS 180-4's examples and 70,000 octets. */
static void
test_sha_ni(void)
{
	static uint8_t buf[1000004];
	uint8_t a[32], b[32];
	size_t i, n, off, bad = 0;

	if (!sha256ni_available()) {
		printf("crypto: this CPU has no SHA extensions: sha256ni "
		    "not tested\n");
		return;
	}
	CHECK(crypto_init() == 0);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 167u + (i >> 9));
	for (off = 0; off < 4; off++)
		for (n = 0; n <= 1100; n++) {
			sha256ni(buf + off, n, a);
			if (PK11_HashBuf(SEC_OID_SHA256, b, buf + off,
			    (PRInt32)n) != SECSuccess || memcmp(a, b, 32) != 0)
				bad++;
		}
	CHECK(bad == 0);
	sha256ni(buf, 70000, a);
	CHECK(PK11_HashBuf(SEC_OID_SHA256, b, buf, 70000) == SECSuccess &&
	    memcmp(a, b, 32) == 0);
	memset(buf, 'a', 1000000);
	sha256ni(buf, 1000000, a);
	check_hex(a, 32, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0");
	printf("crypto: sha256ni checked against NSS\n");
}

int
main(void)
{
	uint8_t md[32];

	/* Digests first, without any NSS start (freebl's raw interface). */
	test_vectors();
	test_against_pkcs11();
	/* A shutdown forgets the contexts; the next hash starts NSS again. */
	CHECK(crypto_shutdown_checked() == 0);
	CHECK(crypto_sha256("abc", 3, md) == 0);
	check_hex(md, 32, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	test_against_pkcs11();
	test_sha_ni();
	CHECK(crypto_shutdown_checked() == 0);
	return t_done("crypto");
}
