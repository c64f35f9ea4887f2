/* pkcs11mod.c - dane-smime-pkcs11.so: a read-only PKCS#11 v2.40 token that
 * serves, from memory, the certificates DNS vouches for now (issue 17).
 *
 * What it serves comes from the per-user token cache the host writes
 * (tokencache.h). For every unexpired entry: a certificate object
 * (CKO_CERTIFICATE, CKC_X_509). For a certificate whose every entry says
 * ",C," and that is a v3 end entity (checked again here, the trust rule's
 * own part, trustrule.h: never a CA): two trust objects for e-mail
 * protection and nothing else, because NSS versions read different ones
 * and their verifiers want different things of an end entity that is its
 * own anchor (checked with Debian's NSS 3.87 and Thunderbird 153's NSS
 * 3.125, tests/unit/test_pkcs11.c):
 *   - the PKCS#11 3.2 standard class (CKO_TRUST, CKA_TRUST_EMAIL_PROTECTION
 *     = CKT_TRUST_ANCHOR). NSS 3.12x prefers it over its own class and
 *     makes it ",C," (CERTDB_TRUSTED_CA), which is what mozilla::pkix in
 *     Thunderbird needs: it takes an end entity as a trust anchor only with
 *     that flag, and ",P," certificates stay unusable there
 *     (tests/unit/test_pkcs11.c). A cA FALSE certificate anchored
 *     this way still cannot issue (mozilla::pkix checks basicConstraints).
 *   - NSS's own class (CKO_NSS_TRUST, CKA_TRUST_EMAIL_PROTECTION =
 *     CKT_NSS_TRUSTED: ",P,", a trusted peer), the only one older NSS reads.
 *     Its own verifiers (CERT_VerifyCertificate, libpkix, so certutil -V
 *     and vfychain) accept an end entity as trusted only as a peer; with
 *     ",C," (CKT_NSS_TRUSTED_DELEGATOR, what certutil's "C" stores) they
 *     refuse a cA FALSE certificate as "Issuer certificate is invalid".
 *     A peer trust can never vouch for another certificate.
 * A ",," entry gets no trust object: it validates by PKIX or not at all.
 *
 * NSS looks certificates up by listing every certificate object and asking
 * for trust by issuer and serial number, about 750 C_FindObjectsInit per
 * address lookup in Thunderbird (tests/bench/README.md). Those
 * searches are answered from an in-memory index (hash chains over value,
 * issuer+serial, subject, id and label); the only I/O on that path is one
 * stat(2) of the cache file, and the file is read again only when the stat
 * says it changed or an entry's time is up. No DNS, no NSS (this library
 * runs inside NSS and must not call back into it), no keys, no login.
 *
 * When the cache is missing, unreadable or refused (tokencache_load), the
 * token is empty and says why in C_GetTokenInfo's model field and in
 * C_GetSlotInfo's description.
 *
 * Thread safety: one mutex around everything (NSS always allows OS
 * locking); calls are short.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkcs11.h"
#include "pkcs11n.h"

#include "dslimits.h"
#include "pkcs11cert.h"
#include "tokencache.h"

/* PKCS#11 3.2 trust objects (section "Trust objects"); NSS 3.87's headers
 * predate them. */
#define P11_CKO_TRUST			0x0000000bUL
#define P11_CKA_TRUST_SERVER_AUTH	0x0000062cUL
#define P11_CKA_TRUST_CLIENT_AUTH	0x0000062dUL
#define P11_CKA_TRUST_CODE_SIGNING	0x0000062eUL
#define P11_CKA_TRUST_EMAIL_PROTECTION	0x0000062fUL
#define P11_CKA_TRUST_IPSEC_IKE		0x00000630UL
#define P11_CKA_TRUST_TIME_STAMPING	0x00000631UL
#define P11_CKA_TRUST_OCSP_SIGNING	0x00000632UL
#define P11_CKA_HASH_OF_CERTIFICATE	0x00000635UL
#define P11_CKT_TRUST_ANCHOR		0x00000002UL
#define P11_CKT_TRUST_MUST_VERIFY_TRUST	0x00000004UL
#define P11_CKA_NAME_HASH_ALGORITHM	0x0000008cUL	/* v2.40, not in NSS 3.87 */

#define SLOT_ID		1
#define TOKEN_LABEL	"DANE S/MIME"
#define MANUFACTURER	"dane-smime"
#define NONE		UINT32_MAX

#define EXPORT __attribute__((visibility("default")))

enum { KIND_CERT, KIND_NSS_TRUST, KIND_PKCS_TRUST, KINDS };
enum { IX_VALUE, IX_ISSUER_SERIAL, IX_SUBJECT, IX_ID, IX_LABEL, IX_N };

struct pcert {
	const uint8_t *der;		/* into the store's tokencache */
	size_t der_len;
	struct p11_cert c;		/* spans into der */
	char label[DS_MAX_ADDRESS + 32];
	size_t label_len;
	const char *email;		/* the first entry's address */
	size_t email_len;		/* with its NUL, as NSS stores it */
	uint8_t sha1[20];		/* CKA_ID, CKA_CERT_SHA1_HASH */
	uint8_t sha256[32];		/* CKA_HASH_OF_CERTIFICATE */
	bool trusted;
};

struct store {
	struct tokencache tc;
	struct pcert *certs;
	size_t n, ntrusted, skipped;
	size_t nb;			/* buckets per index, a power of 2 */
	uint32_t *head[IX_N];
	uint32_t *next[IX_N];
	int64_t next_expiry;		/* reload when this second comes */
	int status;			/* TC_OK, a tc_status, or -1 (OOM) */
	char why[256];
};

struct session {
	bool open;
	bool finding;
	CK_OBJECT_HANDLE *res;
	size_t nres, pos;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static bool initialized;
static char cache_path[4096];
static int path_status;
static struct store cur;
static struct tc_stamp stamp;
static bool loaded;
static unsigned gen = 1;		/* 1..127, in every handle */
static struct session sessions[DS_MAX_P11_SESSIONS];
static size_t nsessions;

/* --- the in-memory store --- */

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define FNV0 0xcbf29ce484222325ULL

static uint64_t
key_hash(int ix, const struct pcert *pc)
{
	switch (ix) {
	case IX_VALUE:
		return fnv(FNV0, pc->der, pc->der_len);
	case IX_ISSUER_SERIAL:
		return fnv(fnv(FNV0, pc->c.issuer.p, pc->c.issuer.len),
		    pc->c.serial.p, pc->c.serial.len);
	case IX_SUBJECT:
		return fnv(FNV0, pc->c.subject.p, pc->c.subject.len);
	case IX_ID:
		return fnv(FNV0, pc->sha1, sizeof(pc->sha1));
	default:
		return fnv(FNV0, pc->label, pc->label_len);
	}
}

static void
store_free(struct store *s)
{
	int i;

	tokencache_free(&s->tc);
	free(s->certs);
	for (i = 0; i < IX_N; i++) {
		free(s->head[i]);
		free(s->next[i]);
	}
	memset(s, 0, sizeof(*s));
}

static void
index_add(struct store *s, int ix, uint32_t i)
{
	size_t b = key_hash(ix, &s->certs[i]) & (s->nb - 1);

	s->next[ix][i] = s->head[ix][b];
	s->head[ix][b] = i;
}

static struct pcert *
find_value(struct store *s, const uint8_t *der, size_t len)
{
	uint32_t i;

	i = s->head[IX_VALUE][fnv(FNV0, der, len) & (s->nb - 1)];
	for (; i != NONE; i = s->next[IX_VALUE][i])
		if (s->certs[i].der_len == len &&
		    memcmp(s->certs[i].der, der, len) == 0)
			return &s->certs[i];
	return NULL;
}

static bool
label_taken(struct store *s, const char *label, size_t len)
{
	uint32_t i;

	i = s->head[IX_LABEL][fnv(FNV0, label, len) & (s->nb - 1)];
	for (; i != NONE; i = s->next[IX_LABEL][i])
		if (s->certs[i].label_len == len &&
		    memcmp(s->certs[i].label, label, len) == 0)
			return true;
	return false;
}

/* Builds s (which owns tc from now on) for the time now. 0, or -1 on OOM
 * (s is then empty). */
static int
store_build(struct store *s, struct tokencache *tc, int64_t now)
{
	const struct tc_entry *e;
	struct pcert *pc, *old;
	struct p11_cert c;
	size_t i, k, nb = 16;
	int ix, n;

	s->tc = *tc;
	memset(tc, 0, sizeof(*tc));
	s->next_expiry = INT64_MAX;
	while (nb < 2 * s->tc.n)
		nb *= 2;
	s->nb = nb;
	if ((s->certs = calloc(s->tc.n + 1, sizeof(*s->certs))) == NULL)
		goto oom;
	for (ix = 0; ix < IX_N; ix++) {
		s->head[ix] = malloc(nb * sizeof(uint32_t));
		s->next[ix] = malloc((s->tc.n + 1) * sizeof(uint32_t));
		if (s->head[ix] == NULL || s->next[ix] == NULL)
			goto oom;
		memset(s->head[ix], 0xff, nb * sizeof(uint32_t));
	}
	for (i = 0; i < s->tc.n; i++) {
		e = &s->tc.e[i];
		if (e->expires <= now)
			continue;	/* its time is up: withdrawn */
		/* Longer than the host may ever promise: not ours, or a
		 * clock gone wrong. Fail closed. */
		if (e->expires > now + DS_TC_MAX_LIFETIME + DS_TC_CLOCK_SLACK ||
		    p11_cert_parse(e->der, e->der_len, &c, NULL) != 0) {
			s->skipped++;
			continue;
		}
		if (c.not_after <= now)
			continue;
		if (e->expires < s->next_expiry)
			s->next_expiry = e->expires;
		if (c.not_after < s->next_expiry)
			s->next_expiry = c.not_after;
		/* One certificate under several addresses is one object;
		 * trusted only if every entry says so. */
		if ((old = find_value(s, e->der, e->der_len)) != NULL) {
			old->trusted = old->trusted && e->email_trust;
			continue;
		}
		pc = &s->certs[s->n];
		pc->der = e->der;
		pc->der_len = e->der_len;
		pc->c = c;
		pc->email = e->address;
		pc->email_len = strlen(e->address) + 1;
		pc->trusted = e->email_trust && p11_cert_end_entity(&c);
		p11_sha1(e->der, e->der_len, pc->sha1);
		p11_sha256(e->der, e->der_len, pc->sha256);
		/* The label is NSS's nickname after "DANE S/MIME:": the
		 * address, numbered when the address has more than one. */
		n = snprintf(pc->label, sizeof(pc->label), "%s", e->address);
		for (k = 2; label_taken(s, pc->label, (size_t)n); k++)
			n = snprintf(pc->label, sizeof(pc->label), "%s #%zu",
			    e->address, k);
		pc->label_len = (size_t)n;
		for (ix = 0; ix < IX_N; ix++)
			index_add(s, ix, (uint32_t)s->n);
		s->n++;
	}
	for (i = 0; i < s->n; i++)
		s->ntrusted += s->certs[i].trusted;
	s->status = TC_OK;
	return 0;
oom:
	store_free(s);
	s->status = -1;
	snprintf(s->why, sizeof(s->why), "out of memory");
	return -1;
}

/* Reads the cache again when the cheap check says it changed or an
 * entry's time is up. Called with mu held. */
static void
refresh(void)
{
	struct tokencache tc = { 0 };
	struct tc_stamp st;
	struct store s;
	int64_t now = (int64_t)time(NULL);
	int rc;

	if (path_status != 0)
		return;
	(void)tokencache_stat(cache_path, &st);
	if (loaded && !tokencache_changed(&stamp, &st) &&
	    now < cur.next_expiry)
		return;
	memset(&s, 0, sizeof(s));
	rc = tokencache_load(cache_path, &tc, NULL, s.why, sizeof(s.why));
	if (rc == TC_OK) {
		(void)store_build(&s, &tc, now);
	} else {
		s.status = rc;
		s.next_expiry = INT64_MAX;
	}
	tokencache_free(&tc);
	store_free(&cur);
	cur = s;
	stamp = st;
	loaded = true;
	gen = gen % 127 + 1;
}

/* --- objects and attributes --- */

static CK_OBJECT_HANDLE
handle_of(size_t i, int kind)
{
	return (CK_OBJECT_HANDLE)gen << 24 | (CK_OBJECT_HANDLE)(i * KINDS +
	    (size_t)kind + 1);
}

static const struct pcert *
object_of(CK_OBJECT_HANDLE h, int *kind)
{
	CK_ULONG low = h & 0xffffff;
	size_t i;

	if ((h >> 24) != gen || low == 0)
		return NULL;
	i = (low - 1) / KINDS;
	*kind = (int)((low - 1) % KINDS);
	if (i >= cur.n || (*kind != KIND_CERT && !cur.certs[i].trusted))
		return NULL;
	return &cur.certs[i];
}

union scratch {
	CK_ULONG ul;
	CK_BBOOL b;
};

/* The value of attribute t of an object: 0 and *v, *len, or -1 when the
 * object has no such attribute. */
static int
attr(const struct pcert *pc, int kind, CK_ATTRIBUTE_TYPE t,
    union scratch *s, const void **v, CK_ULONG *len)
{
	static const CK_OBJECT_CLASS classes[KINDS] = { CKO_CERTIFICATE,
	    CKO_NSS_TRUST, P11_CKO_TRUST };

	*v = &s->ul;
	*len = sizeof(s->ul);
	switch (t) {
	case CKA_CLASS:
		s->ul = classes[kind];
		return 0;
	case CKA_TOKEN:
		s->b = CK_TRUE;
		goto bbool;
	case CKA_PRIVATE:
	case CKA_MODIFIABLE:
	case CKA_COPYABLE:
	case CKA_DESTROYABLE:
		s->b = CK_FALSE;
		goto bbool;
	case CKA_LABEL:
		*v = pc->label;
		*len = pc->label_len;
		return 0;
	case CKA_ISSUER:
		*v = pc->c.issuer.p;
		*len = pc->c.issuer.len;
		return 0;
	case CKA_SERIAL_NUMBER:
		*v = pc->c.serial.p;
		*len = pc->c.serial.len;
		return 0;
	default:
		break;
	}
	if (kind == KIND_CERT) {
		switch (t) {
		case CKA_CERTIFICATE_TYPE:
			s->ul = CKC_X_509;
			return 0;
		case CKA_CERTIFICATE_CATEGORY:
			s->ul = CK_CERTIFICATE_CATEGORY_OTHER_ENTITY;
			return 0;
		case CKA_TRUSTED:
			s->b = CK_FALSE;
			goto bbool;
		case CKA_SUBJECT:
			*v = pc->c.subject.p;
			*len = pc->c.subject.len;
			return 0;
		case CKA_VALUE:
			*v = pc->der;
			*len = pc->der_len;
			return 0;
		case CKA_ID:
			*v = pc->sha1;
			*len = sizeof(pc->sha1);
			return 0;
		case CKA_NSS_EMAIL:
			*v = pc->email;
			*len = pc->email_len;
			return 0;
		default:
			return -1;
		}
	}
	if (kind == KIND_NSS_TRUST) {
		switch (t) {
		case CKA_CERT_SHA1_HASH:
			*v = pc->sha1;
			*len = sizeof(pc->sha1);
			return 0;
		case CKA_TRUST_EMAIL_PROTECTION:
			/* ",P,": a trusted peer (see the top). */
			s->ul = CKT_NSS_TRUSTED;
			return 0;
		case CKA_TRUST_SERVER_AUTH:
		case CKA_TRUST_CLIENT_AUTH:
		case CKA_TRUST_CODE_SIGNING:
			s->ul = CKT_NSS_MUST_VERIFY_TRUST;
			return 0;
		case CKA_TRUST_STEP_UP_APPROVED:
			s->b = CK_FALSE;
			goto bbool;
		default:
			return -1;
		}
	}
	switch (t) {
	case P11_CKA_NAME_HASH_ALGORITHM:
		s->ul = CKM_SHA256;
		return 0;
	case P11_CKA_HASH_OF_CERTIFICATE:
		*v = pc->sha256;
		*len = sizeof(pc->sha256);
		return 0;
	case P11_CKA_TRUST_EMAIL_PROTECTION:
		s->ul = P11_CKT_TRUST_ANCHOR;
		return 0;
	case P11_CKA_TRUST_SERVER_AUTH:
	case P11_CKA_TRUST_CLIENT_AUTH:
	case P11_CKA_TRUST_CODE_SIGNING:
	case P11_CKA_TRUST_IPSEC_IKE:
	case P11_CKA_TRUST_TIME_STAMPING:
	case P11_CKA_TRUST_OCSP_SIGNING:
		s->ul = P11_CKT_TRUST_MUST_VERIFY_TRUST;
		return 0;
	default:
		return -1;
	}
bbool:
	*v = &s->b;
	*len = sizeof(s->b);
	return 0;
}

static bool
matches(const struct pcert *pc, int kind, const CK_ATTRIBUTE *t,
    CK_ULONG n)
{
	union scratch s;
	const void *v;
	CK_ULONG i, len;

	for (i = 0; i < n; i++) {
		if (attr(pc, kind, t[i].type, &s, &v, &len) != 0 ||
		    len != t[i].ulValueLen ||
		    (len > 0 && (t[i].pValue == NULL ||
		    memcmp(v, t[i].pValue, len) != 0)))
			return false;
	}
	return true;
}

static const CK_ATTRIBUTE *
find_attr(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type)
{
	CK_ULONG i;

	for (i = 0; i < n; i++)
		if (t[i].type == type)
			return &t[i];
	return NULL;
}

/* The handles of every object matching t[0..n) into a malloc'ed array. */
static CK_RV
search(const CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE **out,
    size_t *nout)
{
	const CK_ATTRIBUTE *cls, *a, *b;
	CK_OBJECT_HANDLE *res;
	uint64_t h = 0;
	uint32_t i;
	size_t k = 0, scan;
	int ix = -1, kind, kmin = 0, kmax = KINDS - 1;

	*out = NULL;
	*nout = 0;
	if (cur.n == 0)
		return CKR_OK;
	if ((cls = find_attr(t, n, CKA_CLASS)) != NULL) {
		CK_OBJECT_CLASS c;

		if (cls->pValue == NULL || cls->ulValueLen != sizeof(c))
			return CKR_OK;
		memcpy(&c, cls->pValue, sizeof(c));
		if (c == CKO_CERTIFICATE)
			kmin = kmax = KIND_CERT;
		else if (c == CKO_NSS_TRUST)
			kmin = kmax = KIND_NSS_TRUST;
		else if (c == P11_CKO_TRUST)
			kmin = kmax = KIND_PKCS_TRUST;
		else
			return CKR_OK;
	}
	/* The most selective index the template allows. */
	if ((a = find_attr(t, n, CKA_VALUE)) != NULL && a->pValue != NULL) {
		ix = IX_VALUE;
		h = fnv(FNV0, a->pValue, a->ulValueLen);
	} else if ((a = find_attr(t, n, CKA_ISSUER)) != NULL &&
	    (b = find_attr(t, n, CKA_SERIAL_NUMBER)) != NULL &&
	    a->pValue != NULL && b->pValue != NULL) {
		ix = IX_ISSUER_SERIAL;
		h = fnv(fnv(FNV0, a->pValue, a->ulValueLen), b->pValue,
		    b->ulValueLen);
	} else if ((a = find_attr(t, n, CKA_ID)) != NULL &&
	    a->pValue != NULL) {
		ix = IX_ID;
		h = fnv(FNV0, a->pValue, a->ulValueLen);
	} else if ((a = find_attr(t, n, CKA_SUBJECT)) != NULL &&
	    a->pValue != NULL) {
		ix = IX_SUBJECT;
		h = fnv(FNV0, a->pValue, a->ulValueLen);
	} else if ((a = find_attr(t, n, CKA_LABEL)) != NULL &&
	    a->pValue != NULL) {
		ix = IX_LABEL;
		h = fnv(FNV0, a->pValue, a->ulValueLen);
	}
	if ((res = malloc(cur.n * KINDS * sizeof(*res))) == NULL)
		return CKR_HOST_MEMORY;
	if (ix >= 0) {
		i = cur.head[ix][h & (cur.nb - 1)];
		for (; i != NONE; i = cur.next[ix][i])
			for (kind = kmin; kind <= kmax; kind++)
				if ((kind == KIND_CERT || cur.certs[i].trusted)
				    && matches(&cur.certs[i], kind, t, n))
					res[k++] = handle_of(i, kind);
	} else {
		for (scan = 0; scan < cur.n; scan++)
			for (kind = kmin; kind <= kmax; kind++)
				if ((kind == KIND_CERT ||
				    cur.certs[scan].trusted) &&
				    matches(&cur.certs[scan], kind, t, n))
					res[k++] = handle_of(scan, kind);
	}
	*out = res;
	*nout = k;
	return CKR_OK;
}

/* --- general purpose, slots and tokens --- */

/* Copies s into a blank-padded, not terminated PKCS#11 text field. */
static void
pad(CK_UTF8CHAR *dst, size_t n, const char *s)
{
	size_t l = strlen(s);

	memset(dst, ' ', n);
	memcpy(dst, s, l < n ? l : n);
}

#define LOCKED_INIT() do { \
	pthread_mutex_lock(&mu); \
	if (!initialized) { rv = CKR_CRYPTOKI_NOT_INITIALIZED; goto out; } \
} while (0)
/* LOCKED_INIT, then s = the open session h, else
 * CKR_SESSION_HANDLE_INVALID. */
#define LOCKED_SESSION(s, h) do { \
	LOCKED_INIT(); \
	if (((s) = session_get(h)) == NULL) { \
		rv = CKR_SESSION_HANDLE_INVALID; \
		goto out; \
	} \
} while (0)

static CK_RV
p11_Initialize(CK_VOID_PTR pInitArgs)
{
	CK_C_INITIALIZE_ARGS *a = pInitArgs;
	CK_RV rv = CKR_OK;
	char err[256];
	int some;

	if (a != NULL) {
		some = (a->CreateMutex != NULL) + (a->DestroyMutex != NULL) +
		    (a->LockMutex != NULL) + (a->UnlockMutex != NULL);
		if (some != 0 && some != 4)
			return CKR_ARGUMENTS_BAD;
		/* Only the OS's own locks (pthreads) are used. */
		if (some == 4 && !(a->flags & CKF_OS_LOCKING_OK))
			return CKR_CANT_LOCK;
		/* NSS passes its library parameters in the reserved
		 * field; this module takes none and ignores them. */
	}
	pthread_mutex_lock(&mu);
	if (initialized) {
		rv = CKR_CRYPTOKI_ALREADY_INITIALIZED;
		goto out;
	}
	memset(&cur, 0, sizeof(cur));
	memset(sessions, 0, sizeof(sessions));
	nsessions = 0;
	loaded = false;
	path_status = tokencache_path(cache_path, sizeof(cache_path), err,
	    sizeof(err));
	if (path_status != 0) {
		cur.status = path_status;
		snprintf(cur.why, sizeof(cur.why), "%s", err);
	}
	initialized = true;
out:
	pthread_mutex_unlock(&mu);
	return rv;
}

static void
close_session(struct session *s)
{
	free(s->res);
	memset(s, 0, sizeof(*s));
}

static CK_RV
p11_Finalize(CK_VOID_PTR pReserved)
{
	CK_RV rv = CKR_OK;
	size_t i;

	if (pReserved != NULL)
		return CKR_ARGUMENTS_BAD;
	LOCKED_INIT();
	for (i = 0; i < DS_MAX_P11_SESSIONS; i++)
		close_session(&sessions[i]);
	nsessions = 0;
	store_free(&cur);
	loaded = false;
	initialized = false;
out:
	pthread_mutex_unlock(&mu);
	return rv;
}

static CK_RV
p11_GetInfo(CK_INFO_PTR pInfo)
{
	CK_RV rv = CKR_OK;

	LOCKED_INIT();
	if (pInfo == NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	memset(pInfo, 0, sizeof(*pInfo));
	pInfo->cryptokiVersion.major = 2;
	pInfo->cryptokiVersion.minor = 40;
	pad(pInfo->manufacturerID, sizeof(pInfo->manufacturerID),
	    MANUFACTURER);
	pad(pInfo->libraryDescription, sizeof(pInfo->libraryDescription),
	    "DANE S/MIME live token");
	pInfo->libraryVersion.major = 0;
	pInfo->libraryVersion.minor = 1;
out:
	pthread_mutex_unlock(&mu);
	return rv;
}

static CK_RV
p11_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList,
    CK_ULONG_PTR pulCount)
{
	CK_RV rv = CKR_OK;

	LOCKED_INIT();
	if (pulCount == NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (pSlotList != NULL) {
		if (*pulCount < 1)
			rv = CKR_BUFFER_TOO_SMALL;
		else
			pSlotList[0] = SLOT_ID;
	}
	*pulCount = 1;
out:
	pthread_mutex_unlock(&mu);
	return rv;
}

/* The token's state in a few words (C_GetTokenInfo model, 16 chars). */
static const char *
state_word(void)
{
	switch (cur.status) {
	case TC_OK:
		return "serving";
	case TC_E_MISSING:
		return "no cache yet";
	case TC_E_UNSAFE:
		return "cache refused";
	default:
		return "cache unreadable";
	}
}

static CK_RV
p11_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo)
{
	CK_RV rv = CKR_OK;
	char desc[320];

	LOCKED_INIT();
	if (slotID != SLOT_ID) {
		rv = CKR_SLOT_ID_INVALID;
		goto out;
	}
	if (pInfo == NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	refresh();
	if (cur.status == TC_OK && cur.skipped == 0)
		snprintf(desc, sizeof(desc), "DANE S/MIME: %zu certificates, "
		    "%zu with e-mail trust", cur.n, cur.ntrusted);
	else if (cur.status == TC_OK)
		/* Entries that claim too long a life or hold no readable
		 * certificate: not served, counted. */
		snprintf(desc, sizeof(desc), "DANE S/MIME: %zu certificates, "
		    "%zu with e-mail trust, %zu refused", cur.n, cur.ntrusted,
		    cur.skipped);
	else
		snprintf(desc, sizeof(desc), "DANE S/MIME: nothing served: %s",
		    cur.why);
	memset(pInfo, 0, sizeof(*pInfo));
	pad(pInfo->slotDescription, sizeof(pInfo->slotDescription), desc);
	pad(pInfo->manufacturerID, sizeof(pInfo->manufacturerID),
	    MANUFACTURER);
	pInfo->flags = CKF_TOKEN_PRESENT;
out:
	pthread_mutex_unlock(&mu);
	return rv;
}

static CK_RV
p11_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo)
{
	CK_RV rv = CKR_OK;

	LOCKED_INIT();
	if (slotID != SLOT_ID) {
		rv = CKR_SLOT_ID_INVALID;
		goto out;
	}
	if (pInfo == NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	refresh();
	memset(pInfo, 0, sizeof(*pInfo));
	pad(pInfo->label, sizeof(pInfo->label), TOKEN_LABEL);
	pad(pInfo->manufacturerID, sizeof(pInfo->manufacturerID),
	    MANUFACTURER);
	pad(pInfo->model, sizeof(pInfo->model), state_word());
	pad(pInfo->serialNumber, sizeof(pInfo->serialNumber), "1");
	/* Read-only, no login, no RNG, no clock. */
	pInfo->flags = CKF_WRITE_PROTECTED | CKF_TOKEN_INITIALIZED;
	pInfo->ulMaxSessionCount = DS_MAX_P11_SESSIONS;
	pInfo->ulSessionCount = nsessions;
	pInfo->ulMaxRwSessionCount = 0;
	pInfo->ulRwSessionCount = 0;
	pInfo->ulMaxPinLen = 0;
	pInfo->ulMinPinLen = 0;
	pInfo->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
	pInfo->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
	pInfo->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
	pInfo->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
	pInfo->hardwareVersion.major = 0;
	pInfo->firmwareVersion.major = 0;
	pInfo->firmwareVersion.minor = 1;
	memset(pInfo->utcTime, ' ', sizeof(pInfo->utcTime));
out:
	pthread_mutex_unlock(&mu);
	return rv;
}

static CK_RV
p11_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR
    pMechanismList, CK_ULONG_PTR pulCount)
{
	CK_RV rv = CKR_OK;

	LOCKED_INIT();
	if (slotID != SLOT_ID)
		rv = CKR_SLOT_ID_INVALID;
	else if (pulCount == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else
		*pulCount = 0;		/* no mechanisms: no keys, no crypto */
out:
	pthread_mutex_unlock(&mu);
	return rv;
}

static CK_RV
p11_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type,
    CK_MECHANISM_INFO_PTR pInfo)
{
	CK_RV rv = CKR_MECHANISM_INVALID;

	LOCKED_INIT();
	if (slotID != SLOT_ID)
		rv = CKR_SLOT_ID_INVALID;
out:
	pthread_mutex_unlock(&mu);
	return rv;
}

static CK_RV
p11_InitToken(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen,
    CK_UTF8CHAR_PTR pLabel)
{
	CK_RV rv = CKR_TOKEN_WRITE_PROTECTED;

	LOCKED_INIT();
	if (slotID != SLOT_ID)
		rv = CKR_SLOT_ID_INVALID;
out:
	pthread_mutex_unlock(&mu);
	return rv;
}

/* --- sessions --- */

static struct session *
session_get(CK_SESSION_HANDLE h)
{
	if (h == 0 || h > DS_MAX_P11_SESSIONS || !sessions[h - 1].open)
		return NULL;
	return &sessions[h - 1];
}

/* For calls this token answers only after checking the session. */
static CK_RV
session_only(CK_SESSION_HANDLE h, CK_RV answer)
{
	CK_RV rv = answer;

	LOCKED_INIT();
	if (session_get(h) == NULL)
		rv = CKR_SESSION_HANDLE_INVALID;
out:
	pthread_mutex_unlock(&mu);
	return rv;
}

/*
 * The functions this token has no use for (no keys, no PIN, read-only):
 * one line each, p11_NAME(hSession, ...) answering rv once the library
 * and the session are checked (session_only). The other parameters are
 * the PKCS#11 signature, unused.
 */
#define SESSION_STUB(name, rv, ...) \
	static CK_RV p11_##name(CK_SESSION_HANDLE hSession, __VA_ARGS__) \
	{ return session_only(hSession, rv); }
#define SESSION_STUB0(name, rv) \
	static CK_RV p11_##name(CK_SESSION_HANDLE hSession) \
	{ return session_only(hSession, rv); }

static CK_RV
p11_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR
    pApplication, CK_NOTIFY Notify, CK_SESSION_HANDLE_PTR phSession)
{
	CK_RV rv = CKR_OK;
	size_t i;

	LOCKED_INIT();
	if (slotID != SLOT_ID) {
		rv = CKR_SLOT_ID_INVALID;
		goto out;
	}
	if (!(flags & CKF_SERIAL_SESSION)) {
		rv = CKR_SESSION_PARALLEL_NOT_SUPPORTED;
		goto out;
	}
	if (flags & CKF_RW_SESSION) {
		rv = CKR_TOKEN_WRITE_PROTECTED;
		goto out;
	}
	if (phSession == NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	for (i = 0; i < DS_MAX_P11_SESSIONS; i++)
		if (!sessions[i].open)
			break;
	if (i == DS_MAX_P11_SESSIONS) {
		rv = CKR_SESSION_COUNT;
		goto out;
	}
	memset(&sessions[i], 0, sizeof(sessions[i]));
	sessions[i].open = true;
	nsessions++;
	*phSession = i + 1;
out:
	pthread_mutex_unlock(&mu);
	return rv;
}

static CK_RV
p11_CloseSession(CK_SESSION_HANDLE hSession)
{
	struct session *s;
	CK_RV rv = CKR_OK;

	LOCKED_SESSION(s, hSession);
	close_session(s);
	nsessions--;
out:
	pthread_mutex_unlock(&mu);
	return rv;
}

static CK_RV
p11_CloseAllSessions(CK_SLOT_ID slotID)
{
	CK_RV rv = CKR_OK;
	size_t i;

	LOCKED_INIT();
	if (slotID != SLOT_ID) {
		rv = CKR_SLOT_ID_INVALID;
		goto out;
	}
	for (i = 0; i < DS_MAX_P11_SESSIONS; i++)
		close_session(&sessions[i]);
	nsessions = 0;
out:
	pthread_mutex_unlock(&mu);
	return rv;
}

static CK_RV
p11_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo)
{
	CK_RV rv = CKR_OK;

	LOCKED_INIT();
	if (session_get(hSession) == NULL) {
		rv = CKR_SESSION_HANDLE_INVALID;
		goto out;
	}
	if (pInfo == NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	memset(pInfo, 0, sizeof(*pInfo));
	pInfo->slotID = SLOT_ID;
	pInfo->state = CKS_RO_PUBLIC_SESSION;
	pInfo->flags = CKF_SERIAL_SESSION;
out:
	pthread_mutex_unlock(&mu);
	return rv;
}

SESSION_STUB(InitPIN, CKR_TOKEN_WRITE_PROTECTED, CK_UTF8CHAR_PTR pPin,
    CK_ULONG ulPinLen)

SESSION_STUB(SetPIN, CKR_TOKEN_WRITE_PROTECTED, CK_UTF8CHAR_PTR pOldPin,
    CK_ULONG ulOldLen, CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen)

SESSION_STUB(GetOperationState, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR
    pOperationState, CK_ULONG_PTR pulOperationStateLen)

SESSION_STUB(SetOperationState, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR
    pOperationState, CK_ULONG ulOperationStateLen, CK_OBJECT_HANDLE
    hEncryptionKey, CK_OBJECT_HANDLE hAuthenticationKey)

/* No PIN and nothing private: there is nobody to log in as. */
SESSION_STUB(Login, CKR_FUNCTION_NOT_SUPPORTED, CK_USER_TYPE userType,
    CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)

SESSION_STUB0(Logout, CKR_USER_NOT_LOGGED_IN)

/* --- objects --- */

SESSION_STUB(CreateObject, CKR_TOKEN_WRITE_PROTECTED, CK_ATTRIBUTE_PTR
    pTemplate, CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phObject)

SESSION_STUB(CopyObject, CKR_TOKEN_WRITE_PROTECTED, CK_OBJECT_HANDLE hObject,
    CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR
    phNewObject)

SESSION_STUB(DestroyObject, CKR_TOKEN_WRITE_PROTECTED, CK_OBJECT_HANDLE
    hObject)

SESSION_STUB(SetAttributeValue, CKR_TOKEN_WRITE_PROTECTED, CK_OBJECT_HANDLE
    hObject, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)

SESSION_STUB(GetObjectSize, CKR_FUNCTION_NOT_SUPPORTED, CK_OBJECT_HANDLE
    hObject, CK_ULONG_PTR pulSize)

static CK_RV
p11_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
    CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	const struct pcert *pc;
	union scratch s;
	const void *v;
	CK_ULONG i, len;
	CK_RV rv = CKR_OK;
	int kind;

	LOCKED_INIT();
	if (session_get(hSession) == NULL) {
		rv = CKR_SESSION_HANDLE_INVALID;
		goto out;
	}
	if ((pc = object_of(hObject, &kind)) == NULL) {
		rv = CKR_OBJECT_HANDLE_INVALID;
		goto out;
	}
	if (pTemplate == NULL && ulCount > 0) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	/* PKCS#11 v2.40 5.7 C_GetAttributeValue: every attribute is
	 * processed; the errors are reported after. */
	for (i = 0; i < ulCount; i++) {
		if (attr(pc, kind, pTemplate[i].type, &s, &v, &len) != 0) {
			pTemplate[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = CKR_ATTRIBUTE_TYPE_INVALID;
		} else if (pTemplate[i].pValue == NULL) {
			pTemplate[i].ulValueLen = len;
		} else if (pTemplate[i].ulValueLen >= len) {
			if (len > 0)
				memcpy(pTemplate[i].pValue, v, len);
			pTemplate[i].ulValueLen = len;
		} else {
			pTemplate[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			if (rv == CKR_OK)
				rv = CKR_BUFFER_TOO_SMALL;
		}
	}
out:
	pthread_mutex_unlock(&mu);
	return rv;
}

static CK_RV
p11_FindObjectsInit(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate,
    CK_ULONG ulCount)
{
	struct session *s;
	CK_RV rv = CKR_OK;

	LOCKED_SESSION(s, hSession);
	if (s->finding) {
		rv = CKR_OPERATION_ACTIVE;
		goto out;
	}
	if (pTemplate == NULL && ulCount > 0) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	refresh();
	if ((rv = search(pTemplate, ulCount, &s->res, &s->nres)) != CKR_OK)
		goto out;
	s->pos = 0;
	s->finding = true;
out:
	pthread_mutex_unlock(&mu);
	return rv;
}

static CK_RV
p11_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject,
    CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount)
{
	struct session *s;
	CK_RV rv = CKR_OK;
	size_t k;

	LOCKED_SESSION(s, hSession);
	if (!s->finding) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
		goto out;
	}
	if (pulObjectCount == NULL || (phObject == NULL &&
	    ulMaxObjectCount > 0)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	k = s->nres - s->pos;
	if (k > ulMaxObjectCount)
		k = ulMaxObjectCount;
	if (k > 0)
		memcpy(phObject, s->res + s->pos, k * sizeof(*phObject));
	s->pos += k;
	*pulObjectCount = k;
out:
	pthread_mutex_unlock(&mu);
	return rv;
}

static CK_RV
p11_FindObjectsFinal(CK_SESSION_HANDLE hSession)
{
	struct session *s;
	CK_RV rv = CKR_OK;

	LOCKED_SESSION(s, hSession);
	if (!s->finding) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
		goto out;
	}
	free(s->res);
	s->res = NULL;
	s->nres = s->pos = 0;
	s->finding = false;
out:
	pthread_mutex_unlock(&mu);
	return rv;
}

/* --- cryptographic functions: none (no keys on this token) --- */

SESSION_STUB(EncryptInit, CKR_FUNCTION_NOT_SUPPORTED, CK_MECHANISM_PTR
    pMechanism, CK_OBJECT_HANDLE hKey)

SESSION_STUB(Encrypt, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR pData, CK_ULONG
    ulDataLen, CK_BYTE_PTR pEncryptedData, CK_ULONG_PTR pulEncryptedDataLen)

SESSION_STUB(EncryptUpdate, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR pPart,
    CK_ULONG ulPartLen, CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR
    pulEncryptedPartLen)

SESSION_STUB(EncryptFinal, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR
    pLastEncryptedPart, CK_ULONG_PTR pulLastEncryptedPartLen)

SESSION_STUB(DecryptInit, CKR_FUNCTION_NOT_SUPPORTED, CK_MECHANISM_PTR
    pMechanism, CK_OBJECT_HANDLE hKey)

SESSION_STUB(Decrypt, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR pEncryptedData,
    CK_ULONG ulEncryptedDataLen, CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen)

SESSION_STUB(DecryptUpdate, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR
    pEncryptedPart, CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart,
    CK_ULONG_PTR pulPartLen)

SESSION_STUB(DecryptFinal, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR pLastPart,
    CK_ULONG_PTR pulLastPartLen)

SESSION_STUB(DigestInit, CKR_FUNCTION_NOT_SUPPORTED, CK_MECHANISM_PTR
    pMechanism)

SESSION_STUB(Digest, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR pData, CK_ULONG
    ulDataLen, CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen)

SESSION_STUB(DigestUpdate, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR pPart,
    CK_ULONG ulPartLen)

SESSION_STUB(DigestKey, CKR_FUNCTION_NOT_SUPPORTED, CK_OBJECT_HANDLE hKey)

SESSION_STUB(DigestFinal, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR pDigest,
    CK_ULONG_PTR pulDigestLen)

SESSION_STUB(SignInit, CKR_FUNCTION_NOT_SUPPORTED, CK_MECHANISM_PTR
    pMechanism, CK_OBJECT_HANDLE hKey)

SESSION_STUB(Sign, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR pData, CK_ULONG
    ulDataLen, CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)

SESSION_STUB(SignUpdate, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR pPart,
    CK_ULONG ulPartLen)

SESSION_STUB(SignFinal, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR pSignature,
    CK_ULONG_PTR pulSignatureLen)

SESSION_STUB(SignRecoverInit, CKR_FUNCTION_NOT_SUPPORTED, CK_MECHANISM_PTR
    pMechanism, CK_OBJECT_HANDLE hKey)

SESSION_STUB(SignRecover, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR pData,
    CK_ULONG ulDataLen, CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)

SESSION_STUB(VerifyInit, CKR_FUNCTION_NOT_SUPPORTED, CK_MECHANISM_PTR
    pMechanism, CK_OBJECT_HANDLE hKey)

SESSION_STUB(Verify, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR pData, CK_ULONG
    ulDataLen, CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen)

SESSION_STUB(VerifyUpdate, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR pPart,
    CK_ULONG ulPartLen)

SESSION_STUB(VerifyFinal, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR pSignature,
    CK_ULONG ulSignatureLen)

SESSION_STUB(VerifyRecoverInit, CKR_FUNCTION_NOT_SUPPORTED, CK_MECHANISM_PTR
    pMechanism, CK_OBJECT_HANDLE hKey)

SESSION_STUB(VerifyRecover, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR
    pSignature, CK_ULONG ulSignatureLen, CK_BYTE_PTR pData, CK_ULONG_PTR
    pulDataLen)

SESSION_STUB(DigestEncryptUpdate, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR
    pPart, CK_ULONG ulPartLen, CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR
    pulEncryptedPartLen)

SESSION_STUB(DecryptDigestUpdate, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR
    pEncryptedPart, CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart,
    CK_ULONG_PTR pulPartLen)

SESSION_STUB(SignEncryptUpdate, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR
    pPart, CK_ULONG ulPartLen, CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR
    pulEncryptedPartLen)

SESSION_STUB(DecryptVerifyUpdate, CKR_FUNCTION_NOT_SUPPORTED, CK_BYTE_PTR
    pEncryptedPart, CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart,
    CK_ULONG_PTR pulPartLen)

SESSION_STUB(GenerateKey, CKR_FUNCTION_NOT_SUPPORTED, CK_MECHANISM_PTR
    pMechanism, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
    CK_OBJECT_HANDLE_PTR phKey)

SESSION_STUB(GenerateKeyPair, CKR_FUNCTION_NOT_SUPPORTED, CK_MECHANISM_PTR
    pMechanism, CK_ATTRIBUTE_PTR pPublicKeyTemplate, CK_ULONG
    ulPublicKeyAttributeCount, CK_ATTRIBUTE_PTR pPrivateKeyTemplate, CK_ULONG
    ulPrivateKeyAttributeCount, CK_OBJECT_HANDLE_PTR phPublicKey,
    CK_OBJECT_HANDLE_PTR phPrivateKey)

SESSION_STUB(WrapKey, CKR_FUNCTION_NOT_SUPPORTED, CK_MECHANISM_PTR
    pMechanism, CK_OBJECT_HANDLE hWrappingKey, CK_OBJECT_HANDLE hKey,
    CK_BYTE_PTR pWrappedKey, CK_ULONG_PTR pulWrappedKeyLen)

SESSION_STUB(UnwrapKey, CKR_FUNCTION_NOT_SUPPORTED, CK_MECHANISM_PTR
    pMechanism, CK_OBJECT_HANDLE hUnwrappingKey, CK_BYTE_PTR pWrappedKey,
    CK_ULONG ulWrappedKeyLen, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG
    ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey)

SESSION_STUB(DeriveKey, CKR_FUNCTION_NOT_SUPPORTED, CK_MECHANISM_PTR
    pMechanism, CK_OBJECT_HANDLE hBaseKey, CK_ATTRIBUTE_PTR pTemplate,
    CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey)

SESSION_STUB(SeedRandom, CKR_RANDOM_SEED_NOT_SUPPORTED, CK_BYTE_PTR pSeed,
    CK_ULONG ulSeedLen)

SESSION_STUB(GenerateRandom, CKR_RANDOM_NO_RNG, CK_BYTE_PTR RandomData,
    CK_ULONG ulRandomLen)

SESSION_STUB0(GetFunctionStatus, CKR_FUNCTION_NOT_PARALLEL)

SESSION_STUB0(CancelFunction, CKR_FUNCTION_NOT_PARALLEL)

static CK_RV
p11_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR pSlot,
    CK_VOID_PTR pRserved)
{
	CK_RV rv = CKR_FUNCTION_NOT_SUPPORTED;

	LOCKED_INIT();
out:
	pthread_mutex_unlock(&mu);
	return rv;
}

static CK_RV p11_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR ppFunctionList);

static CK_FUNCTION_LIST function_list = {
	.version = { 2, 40 },
	.C_Initialize = p11_Initialize,
	.C_Finalize = p11_Finalize,
	.C_GetInfo = p11_GetInfo,
	.C_GetFunctionList = p11_GetFunctionList,
	.C_GetSlotList = p11_GetSlotList,
	.C_GetSlotInfo = p11_GetSlotInfo,
	.C_GetTokenInfo = p11_GetTokenInfo,
	.C_GetMechanismList = p11_GetMechanismList,
	.C_GetMechanismInfo = p11_GetMechanismInfo,
	.C_InitToken = p11_InitToken,
	.C_InitPIN = p11_InitPIN,
	.C_SetPIN = p11_SetPIN,
	.C_OpenSession = p11_OpenSession,
	.C_CloseSession = p11_CloseSession,
	.C_CloseAllSessions = p11_CloseAllSessions,
	.C_GetSessionInfo = p11_GetSessionInfo,
	.C_GetOperationState = p11_GetOperationState,
	.C_SetOperationState = p11_SetOperationState,
	.C_Login = p11_Login,
	.C_Logout = p11_Logout,
	.C_CreateObject = p11_CreateObject,
	.C_CopyObject = p11_CopyObject,
	.C_DestroyObject = p11_DestroyObject,
	.C_GetObjectSize = p11_GetObjectSize,
	.C_GetAttributeValue = p11_GetAttributeValue,
	.C_SetAttributeValue = p11_SetAttributeValue,
	.C_FindObjectsInit = p11_FindObjectsInit,
	.C_FindObjects = p11_FindObjects,
	.C_FindObjectsFinal = p11_FindObjectsFinal,
	.C_EncryptInit = p11_EncryptInit,
	.C_Encrypt = p11_Encrypt,
	.C_EncryptUpdate = p11_EncryptUpdate,
	.C_EncryptFinal = p11_EncryptFinal,
	.C_DecryptInit = p11_DecryptInit,
	.C_Decrypt = p11_Decrypt,
	.C_DecryptUpdate = p11_DecryptUpdate,
	.C_DecryptFinal = p11_DecryptFinal,
	.C_DigestInit = p11_DigestInit,
	.C_Digest = p11_Digest,
	.C_DigestUpdate = p11_DigestUpdate,
	.C_DigestKey = p11_DigestKey,
	.C_DigestFinal = p11_DigestFinal,
	.C_SignInit = p11_SignInit,
	.C_Sign = p11_Sign,
	.C_SignUpdate = p11_SignUpdate,
	.C_SignFinal = p11_SignFinal,
	.C_SignRecoverInit = p11_SignRecoverInit,
	.C_SignRecover = p11_SignRecover,
	.C_VerifyInit = p11_VerifyInit,
	.C_Verify = p11_Verify,
	.C_VerifyUpdate = p11_VerifyUpdate,
	.C_VerifyFinal = p11_VerifyFinal,
	.C_VerifyRecoverInit = p11_VerifyRecoverInit,
	.C_VerifyRecover = p11_VerifyRecover,
	.C_DigestEncryptUpdate = p11_DigestEncryptUpdate,
	.C_DecryptDigestUpdate = p11_DecryptDigestUpdate,
	.C_SignEncryptUpdate = p11_SignEncryptUpdate,
	.C_DecryptVerifyUpdate = p11_DecryptVerifyUpdate,
	.C_GenerateKey = p11_GenerateKey,
	.C_GenerateKeyPair = p11_GenerateKeyPair,
	.C_WrapKey = p11_WrapKey,
	.C_UnwrapKey = p11_UnwrapKey,
	.C_DeriveKey = p11_DeriveKey,
	.C_SeedRandom = p11_SeedRandom,
	.C_GenerateRandom = p11_GenerateRandom,
	.C_GetFunctionStatus = p11_GetFunctionStatus,
	.C_CancelFunction = p11_CancelFunction,
	.C_WaitForSlotEvent = p11_WaitForSlotEvent,
};

static CK_RV
p11_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR ppFunctionList)
{
	if (ppFunctionList == NULL)
		return CKR_ARGUMENTS_BAD;
	*ppFunctionList = &function_list;
	return CKR_OK;
}

/* The one exported symbol (PKCS#11 v2.40 5.2). */
EXPORT CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR ppFunctionList);

EXPORT CK_RV
C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR ppFunctionList)
{
	return p11_GetFunctionList(ppFunctionList);
}
