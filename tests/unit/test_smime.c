/* test_smime.c - CMS signature checks over tests/fixtures/mail (made by
 * make.sh there, parsed with mime.c) and over broken CMS.
 * Usage: test_smime [FIXTURE_DIR] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "mime.h"
#include "smime.h"
#include "t.h"

#ifndef DS_MAIL_FIXTURES_DIR
#define DS_MAIL_FIXTURES_DIR "tests/fixtures/mail"
#endif

static const char *fixdir = DS_MAIL_FIXTURES_DIR;

static uint8_t *
load(const char *name, size_t *len)
{
	return t_load(fixdir, name, len);
}

static void
parse(const char *file, struct mime_msg *m)
{
	const char *code, *why;
	uint8_t *buf;
	size_t len;

	buf = load(file, &len);
	if (mime_parse(buf, len, m, &code, &why) != 0) {
		fprintf(stderr, "%s: %s\n", file, why);
		exit(2);
	}
	free(buf);
}

static const struct {
	const char *file;
	int sig;
	const char *code;	/* NULL when valid */
	const char *signer;	/* first e-mail of the signer, NULL: none */
	size_t ncerts;
	const char *digest, *sigalg;
} cases[] = {
	{ "smime.eml", SMIME_VALID, NULL, "hugh@example.test", 1, "sha256",
	    "rsa-pkcs1" },
	{ "detached-crlf.eml", SMIME_VALID, NULL, "hugh@example.test", 1,
	    "sha256", "rsa-pkcs1" },
	{ "detached-lf.eml", SMIME_VALID, NULL, "hugh@example.test", 1,
	    "sha256", "rsa-pkcs1" },
	{ "pkcs7-sig.eml", SMIME_VALID, NULL, "hugh@example.test", 1,
	    "sha256", "rsa-pkcs1" },
	{ "opaque.eml", SMIME_VALID, NULL, "hugh@example.test", 1, "sha256",
	    "rsa-pkcs1" },
	{ "opaque-lf.eml", SMIME_VALID, NULL, "hugh@example.test", 1,
	    "sha256", "rsa-pkcs1" },
	{ "stream.eml", SMIME_VALID, NULL, "hugh@example.test", 1, "sha256",
	    "rsa-pkcs1" },
	{ "ec.eml", SMIME_VALID, NULL, "ec@example.test", 1, "sha256",
	    "ecdsa" },
	{ "chain.eml", SMIME_VALID, NULL, "chain@example.test", 3, "sha256",
	    "ecdsa" },
	{ "keyid-sha512.eml", SMIME_VALID, NULL, "hugh@example.test", 1,
	    "sha512", "rsa-pkcs1" },
	{ "pss.eml", SMIME_VALID, NULL, "hugh@example.test", 1, "sha256",
	    "rsa-pss" },
	{ "nested.eml", SMIME_VALID, NULL, "hugh@example.test", 1, "sha256",
	    "rsa-pkcs1" },
	{ "other-from.eml", SMIME_VALID, NULL, "hugh@example.test", 1,
	    "sha256", "rsa-pkcs1" },
	{ "tampered.eml", SMIME_INVALID, "digest-mismatch",
	    "hugh@example.test", 1, "sha256", "rsa-pkcs1" },
	{ "badsig.eml", SMIME_INVALID, "bad-signature", "hugh@example.test",
	    1, "sha256", "rsa-pkcs1" },
	{ "two-signers.eml", SMIME_UNSUPPORTED, "several-signers", NULL, 2,
	    "", "" },
	{ "no-signer.eml", SMIME_INVALID, "no-signer", NULL, 1, "", "" },
	{ "truncated-cms.eml", SMIME_INVALID, "bad-cms", NULL, 0, "", "" },
	{ "garbage-cms.eml", SMIME_INVALID, "bad-cms", NULL, 0, "", "" },
};

static void
test_fixtures(void)
{
	struct smime_result r;
	struct mime_msg m;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse(cases[i].file, &m);
		CHECK(smime_verify(m.content, m.content_len, m.cms, m.cms_len,
		    &r) == 0);
		if (r.signature != cases[i].sig)
			fprintf(stderr, "%s: %s: %s\n", cases[i].file,
			    r.code != NULL ? r.code : "valid", r.message);
		CHECK(r.signature == cases[i].sig);
		if (cases[i].code == NULL)
			CHECK(r.code == NULL && r.message[0] == '\0');
		else {
			CHECK_STR(r.code, cases[i].code);
			CHECK(strstr(r.message, "RFC") != NULL);
		}
		CHECK(r.has_signer == (cases[i].signer != NULL));
		if (cases[i].signer != NULL) {
			CHECK(r.signer.nemails > 0);
			if (r.signer.nemails > 0)
				CHECK_STR(r.signer.emails[0], cases[i].signer);
			CHECK(r.has_signing_time &&
			    r.signing_time > 1700000000);
		}
		CHECK(r.ncerts == cases[i].ncerts);
		CHECK_STR(r.digest_alg, cases[i].digest);
		CHECK_STR(r.signature_alg, cases[i].sigalg);
		smime_result_free(&r);
		mime_msg_free(&m);
	}
}

/* The signer is the certificate in the message; chains come along. */
static void
test_chain(void)
{
	struct smime_result r;
	struct mime_msg m;
	size_t i, ca = 0;

	parse("chain.eml", &m);
	CHECK(smime_verify(m.content, m.content_len, m.cms, m.cms_len,
	    &r) == 0);
	CHECK(r.signature == SMIME_VALID && r.ncerts == 3);
	for (i = 0; i < r.ncerts; i++)
		if (r.certs[i].is_ca)
			ca++;
	CHECK(ca == 2);
	CHECK(!r.signer.is_ca);
	smime_result_free(&r);
	mime_msg_free(&m);
}

/* Canonical form matters: the LF-only content does not verify, the
 * CRLF form mime.c hands over does (RFC 8551 3.1.1). */
static void
test_canonical(void)
{
	struct smime_result r;
	struct mime_msg m;
	uint8_t *lf;
	size_t i, n = 0;

	parse("detached-lf.eml", &m);
	CHECK(m.lf_converted);
	if ((lf = malloc(m.content_len)) == NULL)
		exit(2);
	for (i = 0; i < m.content_len; i++)
		if (m.content[i] != '\r')
			lf[n++] = m.content[i];
	CHECK(smime_verify(lf, n, m.cms, m.cms_len, &r) == 0);
	CHECK(r.signature == SMIME_INVALID);
	CHECK_STR(r.code, "digest-mismatch");
	smime_result_free(&r);
	/* Detached signature without its content. */
	CHECK(smime_verify(NULL, 0, m.cms, m.cms_len, &r) == 0);
	CHECK(r.signature == SMIME_INVALID);
	CHECK_STR(r.code, "bad-cms");
	smime_result_free(&r);
	free(lf);
	mime_msg_free(&m);

	/* Content handed in is what gets checked, even for an opaque
	 * CMS: other bytes must not verify. */
	parse("opaque.eml", &m);
	CHECK(smime_verify((const uint8_t *)"x", 1, m.cms, m.cms_len,
	    &r) == 0);
	CHECK(r.signature == SMIME_INVALID);
	smime_result_free(&r);
	mime_msg_free(&m);
}

static void
test_hostile(void)
{
	static const uint8_t enveloped[] = { 0x30, 0x0f, 0x06, 0x09, 0x2a,
	    0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03, 0xa0, 0x02, 0x05,
	    0x00 };
	struct smime_result r, orig;
	struct mime_msg m;
	uint8_t *copy;
	size_t n;
	int bad = 0;

	CHECK(smime_verify(NULL, 0, NULL, 0, &r) == 0);
	CHECK(r.signature == SMIME_INVALID);
	CHECK_STR(r.code, "bad-cms");
	smime_result_free(&r);
	CHECK(smime_verify(NULL, 0, enveloped, sizeof(enveloped), &r) == 0);
	CHECK(r.signature == SMIME_INVALID);
	CHECK_STR(r.code, "bad-cms");
	smime_result_free(&r);

	/* Every prefix of a real signature and of an opaque message,
	 * exact-size copies so ASan sees over-reads. */
	parse("chain.eml", &m);
	for (n = 0; n < m.cms_len; n++) {
		if ((copy = malloc(n > 0 ? n : 1)) == NULL)
			exit(2);
		memcpy(copy, m.cms, n);
		if (smime_verify(m.content, m.content_len, copy, n, &r) != 0 ||
		    r.signature == SMIME_VALID || r.code == NULL) {
			fprintf(stderr, "prefix %zu: %d\n", n, r.signature);
			bad++;
		}
		smime_result_free(&r);
		free(copy);
	}
	/* Flip each bit 0 of the signature. The certificates are not
	 * covered by the signature, so a flip inside one may still verify
	 * (and then the changed certificate is reported, for DANE to
	 * judge); what must hold is that a valid verdict always comes with
	 * the signer's real key. */
	CHECK(smime_verify(m.content, m.content_len, m.cms, m.cms_len,
	    &orig) == 0 && orig.has_signer);
	for (n = 0; n < m.cms_len; n++) {
		if ((copy = malloc(m.cms_len)) == NULL)
			exit(2);
		memcpy(copy, m.cms, m.cms_len);
		copy[n] ^= 0x01;
		if (smime_verify(m.content, m.content_len, copy, m.cms_len,
		    &r) != 0)
			bad++;
		/* The EC point is the last 65 octets of the SPKI; NSS
		 * ignores the BIT STRING's unused-bits octet, so that
		 * flip verifies with the same key and another SPKI DER
		 * (which then cannot match an SMIMEA selector 1). */
		if (r.signature == SMIME_VALID && (!r.has_signer ||
		    r.signer.spki_len != orig.signer.spki_len ||
		    memcmp(r.signer.spki + r.signer.spki_len - 65,
		    orig.signer.spki + orig.signer.spki_len - 65, 65) != 0)) {
			fprintf(stderr, "flip %zu verifies with another key\n",
			    n);
			bad++;
		}
		if (r.signature != SMIME_VALID && r.code == NULL)
			bad++;
		smime_result_free(&r);
		free(copy);
	}
	smime_result_free(&orig);
	mime_msg_free(&m);
	CHECK(bad == 0);
	smime_result_free(NULL);
}

int
main(int argc, char **argv)
{
	if (argc > 1)
		fixdir = argv[1];
	if (crypto_init() != 0)
		return 2;
	test_fixtures();
	test_chain();
	test_canonical();
	test_hostile();
	/* Nothing of ours is left in NSS: no certificate, no slot. */
	CHECK(crypto_shutdown_checked() == 0);
	return t_done("smime");
}
