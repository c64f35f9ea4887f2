/* test_x509sum.c - the fast path (x509sum.c) against the NSS path.
 *
 * Every certificate the repository holds (tests/fixtures, the fuzz
 * corpora: whole files and DER certificates found inside them, e.g. in
 * CMS messages and DNS answers) and certificates made here with openssl
 * in the shapes CAs and tools issue (and some they should not) go
 * through both x509sum_decode and certs_decode_nss. Whenever the fast
 * path accepts one, the NSS path must accept it too and every field must
 * be equal; certs_decode (fast path first) must always answer exactly as
 * certs_decode_nss does. Certificates named accept-* must be accepted by
 * the fast path: if they were not, the speed-up would be lost.
 * Usage: test_x509sum [DIR...]   (default: tests/fixtures tests/fuzz/corpus)
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certs.h"
#include "crypto.h"
#include "t.h"
#include "x509sum.h"

static size_t n_seen, n_accepted, n_declined, n_nss_ok;
static size_t gen_seen, gen_accepted;
static bool in_generated;

/* FNV-1a of each input already tried, so that the corpora's many copies
 * of the same certificate count once. */
static uint64_t *seen;
static size_t nseen, capseen;

static bool
first_time(const uint8_t *p, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	h ^= len;
	for (i = 0; i < nseen; i++)
		if (seen[i] == h)
			return false;
	if (nseen == capseen) {
		capseen = capseen ? 2 * capseen : 1024;
		if ((seen = realloc(seen, capseen * sizeof(*seen))) == NULL)
			abort();
	}
	seen[nseen++] = h;
	return true;
}

static bool
eq_str(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

static void
try_one(const char *where, const uint8_t *p, size_t len, bool must_accept)
{
	struct cert_summary fast, nss, full;
	const char *why_nss = NULL, *why_full = NULL, *d;
	int rf, rn, rc;

	if (!first_time(p, len))
		return;
	n_seen++;
	if (in_generated)
		gen_seen++;
	rn = certs_decode_nss(p, len, &nss, &why_nss);
	rc = certs_decode(p, len, &full, &why_full);
	rf = x509sum_decode(p, len, &fast);
	CHECK(rf >= 0 && rn >= 0 && rc >= 0);
	if (rn == CERTS_OK)
		n_nss_ok++;
	/* The public function answers as the NSS path does, always. */
	if (rc != rn || !eq_str(why_full, why_nss)) {
		fprintf(stderr, "%s: certs_decode %d (%s), NSS path %d (%s)\n",
		    where, rc, why_full ? why_full : "-", rn,
		    why_nss ? why_nss : "-");
		CHECK(0);
	} else if (rc == CERTS_OK) {
		if ((d = x509sum_differ(&full, &nss)) != NULL ||
		    full.der_len != nss.der_len ||
		    memcmp(full.der, nss.der, nss.der_len) != 0 ||
		    strcmp(full.sha256, nss.sha256) != 0) {
			fprintf(stderr, "%s: certs_decode differs in %s\n",
			    where, d ? d : "der/sha256");
			CHECK(0);
		}
	}
	if (rf == 1) {
		n_accepted++;
		if (in_generated)
			gen_accepted++;
		if (rn != CERTS_OK) {
			fprintf(stderr, "%s: fast path accepts what the NSS "
			    "path refuses (%s)\n", where, why_nss);
			CHECK(0);
		} else if ((d = x509sum_differ(&fast, &nss)) != NULL) {
			fprintf(stderr, "%s: fast path differs in %s:\n"
			    "  fast subject \"%s\" issuer \"%s\"\n"
			    "  nss  subject \"%s\" issuer \"%s\"\n", where, d,
			    fast.subject, fast.issuer, nss.subject,
			    nss.issuer);
			CHECK(0);
		} else
			t_pass++;
	} else {
		n_declined++;
		if (must_accept) {
			fprintf(stderr, "%s: fast path declined a certificate "
			    "it must accept (NSS path: %d %s)\n", where, rn,
			    why_nss ? why_nss : "ok");
			CHECK(0);
		}
	}
	cert_summary_free(&fast);
	cert_summary_free(&nss);
	cert_summary_free(&full);
}

/* Base64 (RFC 4648 4) without padding checks; -1 on a bad character. */
static long
unbase64(const char *s, size_t n, uint8_t *out)
{
	static const char al[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t acc = 0;
	int bits = 0;
	long o = 0;
	const char *q;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n' || s[i] == '\r' || s[i] == ' ' || s[i] == '=')
			continue;
		if ((q = strchr(al, s[i])) == NULL || s[i] == '\0')
			return -1;
		acc = acc << 6 | (uint32_t)(q - al);
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return o;
}

static void
try_pem(const char *path, const char *text)
{
	static const char b[] = "-----BEGIN CERTIFICATE-----";
	static const char e[] = "-----END CERTIFICATE-----";
	const char *s = text, *t;
	uint8_t *der;
	long n;

	while ((s = strstr(s, b)) != NULL && (t = strstr(s, e)) != NULL) {
		s += sizeof(b) - 1;
		if ((der = malloc((size_t)(t - s))) == NULL)
			abort();
		if ((n = unbase64(s, (size_t)(t - s), der)) > 0)
			try_one(path, der, (size_t)n, false);
		free(der);
		s = t;
	}
}

/* The file itself, and every SEQUENCE inside it that starts with a
 * SEQUENCE and fits (a certificate's Certificate and TBSCertificate). */
static void
try_file(const char *path, const uint8_t *p, size_t len, bool must_accept)
{
	size_t i, hl, l;

	try_one(path, p, len, must_accept);
	for (i = 0; i + 8 < len; i++) {
		if (p[i] != 0x30)
			continue;
		if (p[i + 1] == 0x82) {
			l = (size_t)p[i + 2] << 8 | p[i + 3];
			hl = 4;
		} else if (p[i + 1] == 0x81) {
			l = p[i + 2];
			hl = 3;
		} else
			continue;
		if (p[i + hl] != 0x30 || l > len - i - hl || (i == 0 &&
		    hl + l == len))
			continue;
		try_one(path, p + i, hl + l, false);
	}
}

/* t_load, for absolute paths too. */
static uint8_t *
load(const char *path, size_t *len)
{
	FILE *f;
	uint8_t *buf;
	long n;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static int
visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	size_t len, n = strlen(path);
	const char *base = path + ftw->base;
	uint8_t *buf;

	(void)st;
	if (type != FTW_F)
		return 0;
	buf = load(path, &len);
	if (n > 4 && strcmp(path + n - 4, ".pem") == 0)
		try_pem(path, (const char *)buf);
	else
		try_file(path, buf, len, strncmp(base, "accept-", 7) == 0);
	free(buf);
	return 0;
}

/*
 * Certificates as CAs and tools issue them, made with openssl: RSA and EC
 * leaves with SAN, KU, EKU, AKI/SKI, CRL DP, policies, AIA; other key
 * types; names with every attribute we render and some we must not; the
 * shapes the fast path declines. accept-* must be accepted. Needs
 * `openssl` (3.x); without it this part is skipped.
 */
static const char gen_script[] =
"set -e\n"
"cd \"$1\"\n"
"o() { openssl \"$@\" 2>/dev/null; }\n"
"o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key\n"
"o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa1024.key\n"
"o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256.key\n"
"o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.key\n"
"o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out p521.key\n"
"o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 -out k1.key\n"
"o genpkey -algorithm ED25519 -out ed25519.key\n"
"o genpkey -algorithm ED448 -out ed448.key\n"
"o genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out pss.key\n"
/* conf NAME DN-LINES EXT-LINES [string_mask] */
"conf() {\n"
"  printf '[req]\\ndistinguished_name = dn\\nx509_extensions = ext\\n"
"prompt = no\\nutf8 = yes\\nstring_mask = %s\\n[dn]\\n%b\\n[ext]\\n%b\\n"
"[alt]\\nemail.1 = alice@example.org\\nemail.2 = Alice.B@example.org\\n"
"[pol]\\npolicyIdentifier = 2.23.140.1.5.4.2\\n"
"CPS.1 = http://ca.example/cps\\n' \"${4:-utf8only}\" \"$2\" \"$3\" > $1.cnf\n"
"}\n"
/* mk NAME KEY [extra req args] */
"mk() { n=$1 k=$2; shift 2; o req -x509 -new -config $n.cnf -key $k.key "
"-days 825 -outform DER -out $n.der \"$@\"; }\n"
"LEAF='basicConstraints = critical, CA:FALSE\\n"
"keyUsage = critical, digitalSignature, keyEncipherment\\n"
"extendedKeyUsage = emailProtection, clientAuth\\n"
"subjectKeyIdentifier = hash\\n"
"authorityKeyIdentifier = keyid:always\\n"
"crlDistributionPoints = URI:http://crl.example/ca.crl\\n"
"certificatePolicies = @pol, 2.23.140.1.5.1.1\\n"
"authorityInfoAccess = OCSP;URI:http://ocsp.example, "
"caIssuers;URI:http://ca.example/ca.cer\\n"
"subjectAltName = @alt'\n"
"ECLEAF=$(printf '%s' \"$LEAF\" | sed "
"'s/digitalSignature, keyEncipherment/digitalSignature, keyAgreement/')\n"
"DN='C = DE\\nO = Example CA Users\\nCN = Alice Example'\n"
"conf accept-rsa-leaf \"$DN\" \"$LEAF\"; mk accept-rsa-leaf rsa -sha256\n"
"conf accept-rsa-sha384 \"$DN\" \"$LEAF\"; mk accept-rsa-sha384 rsa -sha384\n"
"conf accept-ec-leaf \"$DN\" \"$ECLEAF\"; mk accept-ec-leaf p256 -sha256\n"
"conf accept-p384 \"$DN\" \"$ECLEAF\"; mk accept-p384 p384 -sha384\n"
"conf accept-p521 \"$DN\" \"$ECLEAF\"; mk accept-p521 p521 -sha512\n"
"conf accept-ed25519 \"$DN\" \"$LEAF\"; mk accept-ed25519 ed25519\n"
"conf accept-ed448 \"$DN\" \"$LEAF\"; mk accept-ed448 ed448\n"
"conf accept-rsa1024 \"$DN\" \"$LEAF\"; mk accept-rsa1024 rsa1024 -sha256\n"
"conf any-secp256k1 \"$DN\" \"$ECLEAF\"; mk any-secp256k1 k1 -sha256\n"
"conf any-rsapss \"$DN\" \"$LEAF\"; mk any-rsapss pss\n"
"conf accept-pss-signed \"$DN\" \"$LEAF\"; mk accept-pss-signed rsa -sha256 "
"-sigopt rsa_padding_mode:pss\n"
/* the test bed's own e-mail end entity (_openssl_conf) */
"conf accept-testbed 'O = dane-smime test bed\\nCN = user@bulk.test' "
"'basicConstraints = critical, CA:FALSE\\n"
"keyUsage = critical, digitalSignature, keyEncipherment\\n"
"extendedKeyUsage = emailProtection\\nsubjectKeyIdentifier = hash\\n"
"subjectAltName = email:user0@bulk.test'\n"
"mk accept-testbed rsa -sha256 -days 3650\n"
"conf accept-all-attrs 'C = DE\\nST = Bayern\\nL = Muenchen\\n"
"O = Example\\nOU = People\\nOU = Mail\\ntitle = Dr\\nSN = Example\\n"
"GN = Alice\\nserialNumber = 42-17\\nDC = example\\nDC = org\\n"
"UID = alice\\nmail = alice@example.org\\nCN = Alice Example\\n"
"emailAddress = alice@example.org' \"$LEAF\"\n"
"mk accept-all-attrs rsa -sha256\n"
"conf accept-printable \"$DN\" \"$LEAF\" default\n"
"mk accept-printable rsa -sha256\n"
"conf accept-printable-email 'CN = Bob\\nemailAddress = bob@example.org' "
"\"$LEAF\" default\nmk accept-printable-email rsa -sha256\n"
"conf any-t61 'CN = bob@example.org' \"$LEAF\" default\n"
"mk any-t61 rsa -sha256\n"
"conf accept-utf8 'O = B\\0303\\0274cher GmbH\\nCN = J\\0303\\0266rg M\\0303\\0274ller'"
" \"$LEAF\"; mk accept-utf8 rsa -sha256\n"
"conf accept-subject-email 'CN = Carol\\nemailAddress = Carol@Example.ORG' "
"'keyUsage = digitalSignature\\nsubjectKeyIdentifier = hash'\n"
"mk accept-subject-email p256 -sha256\n"
"conf accept-no-ext-but-ski 'CN = Dave' 'subjectKeyIdentifier = hash'\n"
"mk accept-no-ext-but-ski rsa -sha256\n"
"conf accept-bc-noncrit \"$DN\" 'basicConstraints = CA:FALSE\\n"
"subjectAltName = email:e@example.org, DNS:example.org, "
"URI:https://example.org/, IP:192.0.2.1, otherName:1.3.6.1.5.5.7.8.9;"
"UTF8:j\\0303\\0266rg@example.org, dirName:dirsect\\n[dirsect]\\nCN = dir'\n"
"mk accept-bc-noncrit rsa -sha256\n"
"conf accept-ku-all \"$DN\" 'keyUsage = digitalSignature, nonRepudiation, "
"keyEncipherment, dataEncipherment, keyAgreement, encipherOnly, "
"decipherOnly\\nextendedKeyUsage = anyExtendedKeyUsage'\n"
"mk accept-ku-all rsa -sha256\n"
"conf accept-ekuserver \"$DN\" 'extendedKeyUsage = serverAuth\\n"
"subjectAltName = email:srv@example.org'\nmk accept-ekuserver rsa -sha256\n"
"conf accept-gentime \"$DN\" \"$LEAF\"; mk accept-gentime rsa -sha256 "
"-days 20000\n"
"L64=$(printf '%064d' 0 | tr 0 a)\n"
"conf accept-cn64 \"CN = $L64\" \"$LEAF\"; mk accept-cn64 rsa -sha256\n"
"conf any-comma 'CN = Example\\\\, Alice' \"$LEAF\"; mk any-comma rsa -sha256\n"
"conf any-special 'CN = a=b;c<d>e#f\"g\\\\\\\\h+i' \"$LEAF\"\n"
"mk any-special rsa -sha256\n"
/* CAs (NSS's cert type then has a CA bit): cA TRUE without EKU, with a
 * path length, with emailProtection; with other purposes only, which the
 * fast path declines; and `openssl req -x509` with its own defaults
 * (cA TRUE, SKI, AKI), as self-made certificates come. */
"conf accept-ca \"$DN\" 'basicConstraints = critical, CA:TRUE\\n"
"keyUsage = keyCertSign, cRLSign\\nsubjectKeyIdentifier = hash'\n"
"mk accept-ca rsa -sha256\n"
"conf accept-ca-pathlen \"$DN\" 'basicConstraints = critical, CA:TRUE, "
"pathlen:0\\nkeyUsage = keyCertSign\\nsubjectKeyIdentifier = hash'\n"
"mk accept-ca-pathlen p256 -sha256\n"
"conf accept-ca-email \"$DN\" 'basicConstraints = CA:TRUE\\n"
"extendedKeyUsage = emailProtection\\nsubjectAltName = @alt'\n"
"mk accept-ca-email rsa -sha256\n"
"conf any-ca-server \"$DN\" 'basicConstraints = CA:TRUE\\n"
"extendedKeyUsage = serverAuth'\nmk any-ca-server rsa -sha256\n"
"conf any-ca-tsa \"$DN\" 'basicConstraints = CA:TRUE\\n"
"extendedKeyUsage = timeStamping'\nmk any-ca-tsa rsa -sha256\n"
"o req -x509 -new -key rsa.key -subj '/CN=self@example.org' -days 30 "
"-outform DER -out accept-ca-default.der\n"
"conf any-nstype \"$DN\" 'nsCertType = client, email\\n"
"subjectAltName = @alt'\nmk any-nstype rsa -sha256\n"
"conf any-nstype-ca \"$DN\" 'nsCertType = sslCA, emailCA'\n"
"mk any-nstype-ca rsa -sha256\n"
"printf '[req]\\ndistinguished_name = dn\\nx509_extensions = ext\\n"
"[dn]\\n[ext]\\nbasicConstraints = CA:FALSE\\n' > min.cnf\n"
"i=1; SANS=''; while [ $i -le 70 ]; do SANS=\"${SANS}email.$i = u$i@example.org\\n\"; "
"i=$((i+1)); done\n"
"printf '[req]\\ndistinguished_name = dn\\nx509_extensions = ext\\n"
"prompt = no\\n[dn]\\nCN = many\\n[ext]\\nsubjectAltName = @s\\n[s]\\n%b' "
"\"$SANS\" > accept-many.cnf\nmk accept-many rsa -sha256\n"
"o req -x509 -new -config min.cnf -key rsa.key -subj '/CN=a+O=b/OU=c' -multivalue-rdn "
"-days 30 -outform DER -out any-multi.der\n"
"o req -x509 -new -config min.cnf -key rsa.key -subj '/CN= lead' -days 30 -outform DER "
"-out any-lead.der\n"
"o req -x509 -new -config min.cnf -key rsa.key -subj '/CN=x  y' -days 30 -outform DER "
"-out any-double.der\n"
"o req -x509 -new -config min.cnf -key rsa.key -subj '/CN=\\#x' -days 30 -outform DER "
"-out any-hash.der\n"
"o req -x509 -new -config min.cnf -key rsa.key -subj '/pseudonym=p/CN=q' -days 30 "
"-outform DER -out any-pseudonym.der\n"
"o req -x509 -new -config min.cnf -key rsa.key -subj '/street=Main St 1/CN=q' -days 30 "
"-outform DER -out any-street.der\n"
"o req -x509 -new -config min.cnf -key rsa.key -subj '/CN=ok/CN=fine' "
"-days 30 -outform DER -out accept-subj.der\n"
/* v1: no extensions at all (`x509 -req`), as the test bed's mallet */
"o req -new -key rsa.key -subj '/CN=v1@example.org/emailAddress="
"v1@example.org' -out v1.csr\n"
"o x509 -req -in v1.csr -signkey rsa.key -days 30 -outform DER "
"-out any-v1.der\n"
"rm -f *.key *.cnf *.csr\n";

static void
generated(void)
{
	char dir[] = "/tmp/test_x509sum.XXXXXX", cmd[256];
	FILE *f;

	if (system("openssl version >/dev/null 2>&1") != 0) {
		printf("openssl not found: no generated certificates\n");
		return;
	}
	if (mkdtemp(dir) == NULL || (f = fopen("/tmp/test_x509sum.sh",
	    "w")) == NULL) {
		CHECK(0);
		return;
	}
	fputs(gen_script, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "sh /tmp/test_x509sum.sh %s", dir);
	CHECK(system(cmd) == 0);
	in_generated = true;
	CHECK(nftw(dir, visit, 8, FTW_PHYS) == 0);
	in_generated = false;
	snprintf(cmd, sizeof(cmd), "rm -rf %s /tmp/test_x509sum.sh", dir);
	CHECK(system(cmd) == 0);
}

int
main(int argc, char **argv)
{
	int i;

	if (crypto_init() != 0)
		return 2;
	if (argc > 1) {
		for (i = 1; i < argc; i++)
			CHECK(nftw(argv[i], visit, 8, FTW_PHYS) == 0);
	} else {
		CHECK(nftw("tests/fixtures", visit, 8, FTW_PHYS) == 0);
		CHECK(nftw("tests/fuzz/corpus", visit, 8, FTW_PHYS) == 0);
		generated();
	}
	printf("x509sum: %zu distinct inputs, %zu certificates NSS decodes; "
	    "fast path accepted %zu, declined %zu\n", n_seen, n_nss_ok,
	    n_accepted, n_declined);
	printf("x509sum: generated with openssl: %zu, fast path accepted "
	    "%zu\n", gen_seen, gen_accepted);
	free(seen);
	crypto_shutdown();
	return t_done("x509sum");
}
