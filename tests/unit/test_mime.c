/* test_mime.c - raw message parsing over tests/fixtures/mail (made by
 * make.sh there) and over hostile messages built in memory.
 * Usage: test_mime [FIXTURE_DIR] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dslimits.h"
#include "mime.h"
#include "t.h"
#include "utf8.h"

#ifndef DS_MAIL_FIXTURES_DIR
#define DS_MAIL_FIXTURES_DIR "tests/fixtures/mail"
#endif

static const char *fixdir = DS_MAIL_FIXTURES_DIR;

/* What make.sh signs, byte for byte (CRLF canonical). */
static const char inner[] =
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 7bit\r\n\r\n"
    "Hello Bob,\r\n\r\nthis message is signed.\r\n-- \r\nHugh\r\n";

static uint8_t *
load(const char *name, size_t *len)
{
	return t_load(fixdir, name, len);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parses a NUL-terminated message; returns the status, sets *code. */
static int
parse_str(const char *s, struct mime_msg *m, const char **code)
{
	const char *why = NULL;
	int rc = mime_parse((const uint8_t *)s, strlen(s), m, code, &why);

	if (rc > 0 && (why == NULL || *code == NULL))
		t_fail++;
	return rc;
}

static const struct {
	const char *file;
	const char *code;	/* NULL: parses */
	int kind;
	size_t nfrom;
	const char *from0;
	const char *display;	/* NULL: none */
	int nested, lf;
} fixtures[] = {
	{ "smime.eml", NULL, MIME_SIGNED_DETACHED, 1, "hugh@example.test",
	    "Hugh Test", 0, 0 },
	{ "detached-crlf.eml", NULL, MIME_SIGNED_DETACHED, 1,
	    "hugh@example.test", "Hugh Test", 0, 0 },
	{ "detached-lf.eml", NULL, MIME_SIGNED_DETACHED, 1,
	    "hugh@example.test", "Hugh Test", 0, 1 },
	{ "pkcs7-sig.eml", NULL, MIME_SIGNED_DETACHED, 1, "hugh@example.test",
	    "Hugh Test", 0, 0 },
	{ "opaque.eml", NULL, MIME_SIGNED_OPAQUE, 1, "hugh@example.test",
	    "Hugh Test", 0, 0 },
	{ "opaque-lf.eml", NULL, MIME_SIGNED_OPAQUE, 1, "hugh@example.test",
	    "Hugh Test", 0, 0 },
	{ "stream.eml", NULL, MIME_SIGNED_OPAQUE, 1, "hugh@example.test",
	    "Hugh Test", 0, 0 },
	{ "ec.eml", NULL, MIME_SIGNED_DETACHED, 1, "ec@example.test",
	    "EC Test", 0, 0 },
	{ "chain.eml", NULL, MIME_SIGNED_DETACHED, 1, "chain@example.test",
	    NULL, 0, 0 },
	{ "encoded-from.eml", NULL, MIME_SIGNED_DETACHED, 1,
	    "hugh@example.test", "H\xc3\xbcgh T\xc3\xa9st", 0, 0 },
	{ "nested.eml", NULL, MIME_SIGNED_DETACHED, 1, "hugh@example.test",
	    "Hugh Test", 1, 1 },
	{ "other-from.eml", NULL, MIME_SIGNED_DETACHED, 1,
	    "someone@example.test", "Someone Else", 0, 0 },
	{ "multi-from.eml", NULL, MIME_SIGNED_DETACHED, 2,
	    "hugh@example.test", NULL, 0, 1 },
	{ "latin1-from.eml", NULL, MIME_SIGNED_DETACHED, 1,
	    "hugh@example.test", "H?gh T?st", 0, 1 },
	{ "tampered.eml", NULL, MIME_SIGNED_DETACHED, 1, "hugh@example.test",
	    "Hugh Test", 0, 0 },
	{ "two-signers.eml", NULL, MIME_SIGNED_DETACHED, 1,
	    "hugh@example.test", "Hugh Test", 0, 0 },
	{ "garbage-cms.eml", NULL, MIME_SIGNED_DETACHED, 1,
	    "hugh@example.test", "Hugh Test", 0, 0 },
	{ "encrypted.eml", NULL, MIME_ENCRYPTED, 1, "hugh@example.test",
	    "Hugh Test", 0, 0 },
	{ "unsigned.eml", NULL, MIME_UNSIGNED, 1, "hugh@example.test",
	    "Hugh Test", 0, 0 },
	{ "pgp.eml", NULL, MIME_UNSIGNED, 1, "hugh@example.test",
	    "Hugh Test", 0, 0 },
	{ "no-boundary.eml", "no-boundary", 0, 0, NULL, NULL, 0, 0 },
	{ "unclosed.eml", "unclosed-boundary", 0, 0, NULL, NULL, 0, 0 },
	{ "bad-base64.eml", "bad-base64", 0, 0, NULL, NULL, 0, 0 },
	{ "deep.eml", "too-deep", 0, 0, NULL, NULL, 0, 0 },
	{ "bad-8bit-from.eml", "bad-header", 0, 0, NULL, NULL, 0, 0 },
	{ "two-froms.eml", "bad-header", 0, 0, NULL, NULL, 0, 0 },
	{ "no-from.eml", "no-from", 0, 0, NULL, NULL, 0, 0 },
};

static void
test_fixtures(void)
{
	struct mime_msg m;
	const char *code, *why;
	uint8_t *buf;
	size_t i, len;
	int rc;

	for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		buf = load(fixtures[i].file, &len);
		rc = mime_parse(buf, len, &m, &code, &why);
		if (fixtures[i].code != NULL) {
			CHECK(rc > 0);
			CHECK_STR(code, fixtures[i].code);
			CHECK(why != NULL && strstr(why, "RFC") != NULL);
			CHECK(m.nfrom == 0 && m.cms == NULL);
		} else {
			if (rc != 0)
				fprintf(stderr, "%s: %s\n", fixtures[i].file,
				    why);
			CHECK(rc == 0);
			CHECK(m.kind == fixtures[i].kind);
			CHECK(m.nfrom == fixtures[i].nfrom);
			if (m.nfrom > 0)
				CHECK_STR(m.from[0], fixtures[i].from0);
			if (fixtures[i].display != NULL)
				CHECK_STR(m.from_display,
				    fixtures[i].display);
			else
				CHECK(m.from_display == NULL);
			CHECK(m.nested == (fixtures[i].nested != 0));
			CHECK(m.lf_converted == (fixtures[i].lf != 0));
			CHECK((m.cms != NULL) == (m.kind ==
			    MIME_SIGNED_DETACHED || m.kind ==
			    MIME_SIGNED_OPAQUE));
			CHECK((m.content != NULL) == (m.kind ==
			    MIME_SIGNED_DETACHED));
		}
		mime_msg_free(&m);
		free(buf);
	}
}

/* The signed content is the first part exactly, CRLF canonical whatever
 * the store did with line endings (RFC 8551 3.1.1). */
static void
test_content(void)
{
	static const char *const files[] = { "detached-crlf.eml",
	    "detached-lf.eml", "pkcs7-sig.eml", "nested.eml", "smime.eml" };
	struct mime_msg m;
	const char *code, *why;
	uint8_t *buf;
	size_t i, len;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		buf = load(files[i], &len);
		CHECK(mime_parse(buf, len, &m, &code, &why) == 0);
		CHECK(m.content_len == strlen(inner) &&
		    memcmp(m.content, inner, m.content_len) == 0);
		CHECK(m.cms_len > 100 && m.cms[0] == 0x30);
		mime_msg_free(&m);
		free(buf);
	}
}

static void
test_from(void)
{
	static const struct {
		const char *from;
		const char *code;
		size_t nfrom;
		const char *a0, *a1, *display;
	} cases[] = {
		{ "hugh@example.test", NULL, 1, "hugh@example.test", NULL,
		    NULL },
		{ "Hugh <Hugh@Example.TEST>", NULL, 1, "Hugh@Example.TEST",
		    NULL, "Hugh" },
		{ "\"Test, Hugh\" <hugh@example.test>, b@example.test", NULL,
		    2, "hugh@example.test", "b@example.test", "Test, Hugh" },
		{ "hugh@example.test (Hugh Test)", NULL, 1,
		    "hugh@example.test", NULL, NULL },
		{ "(c) Hugh (x) < hugh (y) @ example.test >", NULL, 1,
		    "hugh@example.test", NULL, "Hugh" },
		{ "\"a b\"@example.test", NULL, 1, "\"a b\"@example.test",
		    NULL, NULL },
		{ "<@relay.test:hugh@example.test>", NULL, 1,
		    "hugh@example.test", NULL, NULL },
		{ "Team: a@example.test, b@example.test;", NULL, 2,
		    "a@example.test", "b@example.test", NULL },
		{ "=?utf-8?q?J=C3=B6rg?= =?utf-8?b?IFRlc3Q=?= <j@example.test>",
		    NULL, 1, "j@example.test", NULL, "J\xc3\xb6rg Test" },
		{ "=?utf-8?q?a?= b =?utf-8?q?c?= <j@example.test>", NULL, 1,
		    "j@example.test", NULL, "a b c" },
		{ "=?bogus <j@example.test>", NULL, 1, "j@example.test",
		    NULL, "=?bogus" },
		{ "=?utf-8?b?!!!?= <j@example.test>", NULL, 1,
		    "j@example.test", NULL, "=?utf-8?b?!!!?=" },
		{ "=?utf-8?q?=0A=1B?= <j@example.test>", NULL, 1,
		    "j@example.test", NULL, "??" },
		{ "J\xc3\xb6rg <j\xc3\xb6rg@example.test>", NULL, 1,
		    "j\xc3\xb6rg@example.test", NULL, "J\xc3\xb6rg" },
		/* Issue 14: what real clients write; only the angle-addr
		 * is the address, whatever the name looks like. */
		{ "\"Doe, Jane\" <jane@example.test>", NULL, 1,
		    "jane@example.test", NULL, "Doe, Jane" },
		{ "=?UTF-8?Q?J=C3=B6rg?= <joerg@example.test>", NULL, 1,
		    "joerg@example.test", NULL, "J\xc3\xb6rg" },
		{ "=?UTF-8?Q?Doe=2C_Jane?= <jane@example.test>", NULL, 1,
		    "jane@example.test", NULL, "Doe, Jane" },
		{ "jane@example.test (Jane (the) Doe)", NULL, 1,
		    "jane@example.test", NULL, NULL },
		{ "\"alice@example.test\" <mallory@evil.test>", NULL, 1,
		    "mallory@evil.test", NULL, "alice@example.test" },
		{ "Jane (x <mallory@evil.test>) <jane@example.test>", NULL, 1,
		    "jane@example.test", NULL, "Jane" },
		{ "\"a <b@evil.test>\" <jane@example.test>", NULL, 1,
		    "jane@example.test", NULL, "a <b@evil.test>" },
		{ "", "no-from", 0, NULL, NULL, NULL },
		{ "undisclosed-recipients:;", "no-from", 0, NULL, NULL, NULL },
		{ "\"unterminated <a@example.test>", "bad-header", 0, NULL,
		    NULL, NULL },
		{ "(unterminated a@example.test", "bad-header", 0, NULL, NULL,
		    NULL },
		{ "<a@example.test", "bad-header", 0, NULL, NULL, NULL },
		{ "<a@example.test> trailing", "bad-header", 0, NULL, NULL,
		    NULL },
		{ "<>", "bad-header", 0, NULL, NULL, NULL },
		{ "no-at-sign", "bad-header", 0, NULL, NULL, NULL },
		{ "a@b@example.test", "bad-header", 0, NULL, NULL, NULL },
		{ "@example.test", "bad-header", 0, NULL, NULL, NULL },
		{ "a@", "bad-header", 0, NULL, NULL, NULL },
		{ "a\x01@example.test", "bad-header", 0, NULL, NULL, NULL },
	};
	struct mime_msg m;
	const char *code;
	char msg[512];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(msg, sizeof(msg), "From: %s\r\nSubject: x\r\n\r\n"
		    "body\r\n", cases[i].from);
		rc = parse_str(msg, &m, &code);
		if (cases[i].code != NULL) {
			if (rc == 0 || strcmp(code, cases[i].code) != 0)
				fprintf(stderr, "From: %s\n", cases[i].from);
			CHECK(rc > 0);
			CHECK_STR(code, cases[i].code);
		} else {
			if (rc != 0)
				fprintf(stderr, "From: %s: %s\n",
				    cases[i].from, code);
			CHECK(rc == 0);
			CHECK(m.kind == MIME_UNSIGNED);
			CHECK(m.nfrom == cases[i].nfrom);
			if (m.nfrom > 0)
				CHECK_STR(m.from[0], cases[i].a0);
			if (m.nfrom > 1)
				CHECK_STR(m.from[1], cases[i].a1);
			if (cases[i].display != NULL)
				CHECK_STR(m.from_display, cases[i].display);
			else
				CHECK(m.from_display == NULL);
		}
		mime_msg_free(&m);
	}

	/* Folding (RFC 5322 2.2.3), mbox separator, case of the name. */
	CHECK(parse_str("From nobody Thu Jan  1 00:00:00 2026\n"
	    "fROM: Hugh\n\t<hugh@example.test>\nSubject: x\n\nbody\n", &m,
	    &code) == 0);
	CHECK(m.nfrom == 1 && strcmp(m.from[0], "hugh@example.test") == 0);
	CHECK_STR(m.from_display, "Hugh");
	mime_msg_free(&m);
	/* Headers only, no body. */
	CHECK(parse_str("From: a@example.test", &m, &code) == 0);
	CHECK(m.nfrom == 1 && m.kind == MIME_UNSIGNED);
	mime_msg_free(&m);
	/* A continuation before any field, a line without a colon. */
	CHECK(parse_str(" x\nFrom: a@example.test\n\n", &m, &code) ==
	    MIME_E_BAD_HEADER);
	CHECK(parse_str("From: a@example.test\nnot a field\n\n", &m,
	    &code) == MIME_E_BAD_HEADER);
	CHECK(parse_str("From: a@example.test\n: x\n\n", &m, &code) ==
	    MIME_E_BAD_HEADER);

	/* Too many mailboxes. */
	{
		char big[8192];
		size_t o = (size_t)snprintf(big, sizeof(big), "From: ");

		for (i = 0; i <= DS_MAX_FROM_ADDRESSES; i++)
			o += (size_t)snprintf(big + o, sizeof(big) - o,
			    "a%zu@example.test,", i);
		snprintf(big + o, sizeof(big) - o, "\n\n");
		CHECK(parse_str(big, &m, &code) == MIME_E_TOO_LARGE);
	}
	/* A NUL in a header. */
	{
		static const uint8_t nul[] = "From: a@example.test\nX: a\0b\n\n";

		CHECK(mime_parse(nul, sizeof(nul) - 1, &m, &code, NULL) ==
		    MIME_E_BAD_HEADER);
	}
}

#define SIG_HDR "From: a@example.test\r\nMIME-Version: 1.0\r\n"

static void
test_structure(void)
{
	static const struct {
		const char *msg;
		int rc, kind;
	} cases[] = {
		/* Content-Type with comments, case, quoted boundary, and a
		 * whitespace-padded delimiter (RFC 2046 5.1.1). */
		{ SIG_HDR "Content-Type: (c) Multipart/Signed (c); (c)"
		    "PROTOCOL=\"Application/PKCS7-Signature\"; boundary=b\r\n"
		    "\r\npreamble\r\n--b  \r\nA\r\n--b\r\nContent-Type: "
		    "application/pkcs7-signature\r\n\r\nMA==\r\n--b--\r\n"
		    "epilogue", 0, MIME_SIGNED_DETACHED },
		/* Missing CTE: base64 assumed. */
		{ SIG_HDR "Content-Type: multipart/signed; protocol="
		    "\"application/pkcs7-signature\"; boundary=b\r\n\r\n"
		    "--b\r\nA\r\n--b\r\nContent-Type: application/"
		    "pkcs7-signature\r\nContent-Transfer-Encoding: binary"
		    "\r\n\r\n0\r\n--b--\r\n", 0, MIME_SIGNED_DETACHED },
		/* Three parts, one part, wrong second part, QP signature. */
		{ SIG_HDR "Content-Type: multipart/signed; protocol="
		    "\"application/pkcs7-signature\"; boundary=b\r\n\r\n"
		    "--b\r\nA\r\n--b\r\nContent-Type: application/"
		    "pkcs7-signature\r\n\r\nMA==\r\n--b\r\n\r\nC\r\n--b--\r\n",
		    MIME_E_BAD_MIME, 0 },
		{ SIG_HDR "Content-Type: multipart/signed; protocol="
		    "\"application/pkcs7-signature\"; boundary=b\r\n\r\n"
		    "--b\r\nA\r\n--b--\r\n", MIME_E_BAD_MIME, 0 },
		{ SIG_HDR "Content-Type: multipart/signed; protocol="
		    "\"application/pkcs7-signature\"; boundary=b\r\n\r\n"
		    "--b\r\nA\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
		    "MA==\r\n--b--\r\n", MIME_E_BAD_MIME, 0 },
		{ SIG_HDR "Content-Type: multipart/signed; protocol="
		    "\"application/pkcs7-signature\"; boundary=b\r\n\r\n"
		    "--b\r\nA\r\n--b\r\nContent-Type: application/"
		    "pkcs7-signature\r\nContent-Transfer-Encoding: quoted-"
		    "printable\r\n\r\nMA==\r\n--b--\r\n", MIME_E_BAD_MIME, 0 },
		/* Empty signature part. */
		{ SIG_HDR "Content-Type: multipart/signed; protocol="
		    "\"application/pkcs7-signature\"; boundary=b\r\n\r\n"
		    "--b\r\nA\r\n--b\r\nContent-Type: application/"
		    "pkcs7-signature\r\n\r\n\r\n--b--\r\n", MIME_E_BAD_MIME,
		    0 },
		/* Boundary too long, empty, parameter twice, bad params. */
		{ SIG_HDR "Content-Type: multipart/mixed; boundary="
		    "\"0123456789012345678901234567890123456789012345678901"
		    "234567890123456789X\"\r\n\r\n", MIME_E_BAD_MIME, 0 },
		{ SIG_HDR "Content-Type: multipart/mixed; boundary=\"\"\r\n"
		    "\r\n", MIME_E_NO_BOUNDARY, 0 },
		{ SIG_HDR "Content-Type: multipart/mixed; boundary=a; "
		    "boundary=b\r\n\r\n", MIME_E_BAD_HEADER, 0 },
		{ SIG_HDR "Content-Type: multipart/mixed; boundary\r\n\r\n",
		    MIME_E_BAD_HEADER, 0 },
		{ SIG_HDR "Content-Type: multipart/mixed; boundary=\"b\r\n"
		    "\r\n", MIME_E_BAD_HEADER, 0 },
		/* Two Content-Type fields. */
		{ SIG_HDR "Content-Type: text/plain\r\nContent-Type: text/"
		    "plain\r\n\r\n", MIME_E_BAD_HEADER, 0 },
		/* Multipart without parts, and never opened. */
		{ SIG_HDR "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
		    "--b--\r\n", MIME_E_BAD_MIME, 0 },
		{ SIG_HDR "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
		    "text\r\n", MIME_E_UNCLOSED_BOUNDARY, 0 },
		/* "--bX" is not a delimiter for boundary "b". */
		{ SIG_HDR "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
		    "--b\r\n\r\n--bX\r\n--bX--\r\n", MIME_E_UNCLOSED_BOUNDARY,
		    0 },
		/* Invalid Content-Type is text/plain (RFC 2045 5.2). */
		{ SIG_HDR "Content-Type: multipart\r\n\r\n", 0,
		    MIME_UNSIGNED },
		{ SIG_HDR "Content-Type: \"multipart\"/mixed\r\n\r\n", 0,
		    MIME_UNSIGNED },
		/* Opaque without smime-type: the CMS OID decides. */
		{ SIG_HDR "Content-Type: application/pkcs7-mime\r\n"
		    "Content-Transfer-Encoding: base64\r\n\r\n"
		    "MA8GCSqGSIb3DQEHAqACBQA=\r\n", 0, MIME_SIGNED_OPAQUE },
		{ SIG_HDR "Content-Type: application/pkcs7-mime\r\n"
		    "Content-Transfer-Encoding: base64\r\n\r\n"
		    "MA8GCSqGSIb3DQEHA6ACBQA=\r\n", 0, MIME_ENCRYPTED },
		{ SIG_HDR "Content-Type: application/pkcs7-mime; smime-type="
		    "authEnveloped-data\r\n\r\nMA==\r\n", 0, MIME_ENCRYPTED },
		{ SIG_HDR "Content-Type: application/pkcs7-mime; smime-type="
		    "certs-only\r\n\r\nMA==\r\n", 0, MIME_UNSIGNED },
		{ SIG_HDR "Content-Type: application/pkcs7-mime; smime-type="
		    "signed-data\r\n\r\n!!\r\n", MIME_E_BAD_BASE64, 0 },
		/* message/rfc822 is not entered. */
		{ SIG_HDR "Content-Type: message/rfc822\r\n\r\nFrom: b@x\r\n"
		    "Content-Type: application/pkcs7-mime; smime-type="
		    "signed-data\r\n\r\nMA==\r\n", 0, MIME_UNSIGNED },
	};
	struct mime_msg m;
	const char *code;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = parse_str(cases[i].msg, &m, &code);
		if (rc != cases[i].rc)
			fprintf(stderr, "structure case %zu: rc %d (%s)\n", i,
			    rc, code != NULL ? code : "-");
		CHECK(rc == cases[i].rc);
		if (rc == 0)
			CHECK(m.kind == cases[i].kind);
		mime_msg_free(&m);
	}
}

/* Appends s to the buffer at *o; exits if it does not fit. */
static void
put(char *buf, size_t cap, size_t *o, const char *s)
{
	size_t n = strlen(s);

	if (*o + n + 1 > cap)
		exit(2);
	memcpy(buf + *o, s, n + 1);
	*o += n;
}

static void
test_limits(void)
{
	struct mime_msg m;
	const char *code, *why;
	char line[128];
	char *buf;
	size_t cap = 16u * 1024u * 1024u, o, i, depth;
	double t0;
	int rc;

	if ((buf = malloc(cap)) == NULL)
		exit(2);

	/* Nesting: DS_MAX_MIME_DEPTH levels of multipart are followed,
	 * one more is refused. */
	for (depth = DS_MAX_MIME_DEPTH; depth <= DS_MAX_MIME_DEPTH + 1;
	    depth++) {
		o = 0;
		put(buf, cap, &o, "From: a@example.test\n");
		for (i = 0; i < depth; i++) {
			snprintf(line, sizeof(line), "Content-Type: multipart/"
			    "mixed; boundary=b%zu\n\n--b%zu\n", i, i);
			put(buf, cap, &o, line);
		}
		put(buf, cap, &o, "\nx\n");
		for (i = depth; i-- > 0;) {
			snprintf(line, sizeof(line), "--b%zu--\n", i);
			put(buf, cap, &o, line);
		}
		rc = mime_parse((uint8_t *)buf, o, &m, &code, &why);
		CHECK(rc == (depth > DS_MAX_MIME_DEPTH ? MIME_E_TOO_DEEP : 0));
		mime_msg_free(&m);
	}

	/* A huge header line. */
	o = 0;
	put(buf, cap, &o, "From: a@example.test\nX-Big: ");
	memset(buf + o, 'a', DS_MAX_HEADER_BYTES);
	o += DS_MAX_HEADER_BYTES;
	put(buf, cap, &o, "\n\nbody\n");
	CHECK(mime_parse((uint8_t *)buf, o, &m, &code, &why) ==
	    MIME_E_TOO_LARGE);
	CHECK_STR(code, "too-large");
	/* The same within a body part. */
	o = 0;
	put(buf, cap, &o, "From: a@example.test\nContent-Type: multipart/"
	    "mixed; boundary=b\n\n--b\nX-Big: ");
	memset(buf + o, 'a', DS_MAX_HEADER_BYTES);
	o += DS_MAX_HEADER_BYTES;
	put(buf, cap, &o, "\n\nbody\n--b--\n");
	CHECK(mime_parse((uint8_t *)buf, o, &m, &code, &why) ==
	    MIME_E_TOO_LARGE);

	/* 10 MB of lines that almost match a 70-character boundary: one
	 * pass, no quadratic rescans. */
	o = 0;
	put(buf, cap, &o, "From: a@example.test\nContent-Type: multipart/"
	    "mixed; boundary=\"");
	for (i = 0; i < 70; i++)
		put(buf, cap, &o, "b");
	put(buf, cap, &o, "\"\n\n");
	memset(line, 0, sizeof(line));
	line[0] = line[1] = '-';
	memset(line + 2, 'b', 69);
	strcpy(line + 71, "x\r\n");
	while (o < 10u * 1024u * 1024u)
		put(buf, cap, &o, line);
	t0 = now();
	CHECK(mime_parse((uint8_t *)buf, o, &m, &code, &why) ==
	    MIME_E_UNCLOSED_BOUNDARY);
	CHECK(now() - t0 < 2.0);

	/* 10 MB of real delimiters: the part limit stops it. */
	o = 0;
	put(buf, cap, &o, "From: a@example.test\nContent-Type: multipart/"
	    "mixed; boundary=b\n\n");
	while (o < 10u * 1024u * 1024u)
		put(buf, cap, &o, "--b\n");
	t0 = now();
	CHECK(mime_parse((uint8_t *)buf, o, &m, &code, &why) ==
	    MIME_E_TOO_LARGE);
	CHECK(now() - t0 < 2.0);

	/* 10 MB of header continuation lines: bounded by the header
	 * limit, not by the message. */
	o = 0;
	put(buf, cap, &o, "From: a@example.test\nX: a\n");
	while (o < 10u * 1024u * 1024u)
		put(buf, cap, &o, " b\n");
	t0 = now();
	CHECK(mime_parse((uint8_t *)buf, o, &m, &code, &why) ==
	    MIME_E_TOO_LARGE);
	CHECK(now() - t0 < 2.0);

	/* Bigger than a request may be. */
	CHECK(mime_parse((uint8_t *)buf, (size_t)DS_MAX_MESSAGE_BYTES + 1, &m,
	    &code, &why) == MIME_E_TOO_LARGE);
	free(buf);
}

/* Every prefix of a real message parses or fails cleanly (run under
 * ASan: no read past the end). */
static void
test_prefixes(void)
{
	static const char *const files[] = { "smime.eml", "opaque.eml",
	    "nested.eml", "encoded-from.eml" };
	struct mime_msg m;
	const char *code, *why;
	uint8_t *buf, *copy;
	size_t f, len, n;
	int rc, bad = 0;

	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		buf = load(files[f], &len);
		for (n = 0; n <= len; n++) {
			/* An exact-size copy so ASan sees any over-read. */
			if ((copy = malloc(n > 0 ? n : 1)) == NULL)
				exit(2);
			memcpy(copy, buf, n);
			rc = mime_parse(copy, n, &m, &code, &why);
			if (rc < 0 || (rc > 0 && (code == NULL ||
			    why == NULL)))
				bad++;
			if (rc == 0 && m.from_display != NULL &&
			    !utf8_valid_text(m.from_display,
			    strlen(m.from_display)))
				bad++;
			mime_msg_free(&m);
			free(copy);
		}
		free(buf);
	}
	CHECK(bad == 0);
	CHECK_STR(mime_status_code(MIME_E_NO_FROM), "no-from");
	CHECK_STR(mime_status_code(99), "?");
	mime_msg_free(NULL);
}

int
main(int argc, char **argv)
{
	if (argc > 1)
		fixdir = argv[1];
	test_fixtures();
	test_content();
	test_from();
	test_structure();
	test_limits();
	test_prefixes();
	return t_done("mime");
}
