/* dslimits.h - every limit of dane-smime in one place.
 *
 * Anything that bounds memory, time or recursion for data we do not
 * control lives here, so a reviewer can audit the whole budget at once.
 */
#ifndef DS_DSLIMITS_H
#define DS_DSLIMITS_H

/* --- native messaging (protocol v1, host/PROTOCOL.md) --- */
/* Largest request frame we accept; bigger frames are skipped unbuffered
 * and answered with a "too-large" error. */
#define DS_MAX_REQUEST_BYTES   (64u * 1024u * 1024u)
/* Firefox/Thunderbird disconnect a host that sends more than 1 MiB. */
#define DS_MAX_REPLY_BYTES     (1024u * 1024u)
/* Stop reading requests while this much output is queued (back-pressure). */
#define DS_MAX_OUTPUT_QUEUED   (8u * 1024u * 1024u)
/* JSON nesting accepted in a request (cJSON itself allows 1000). */
#define DS_MAX_JSON_DEPTH      32
/* Addresses in one lookup request. */
#define DS_MAX_ADDRESSES       100000
/* Length of an "id" string echoed back. */
#define DS_MAX_ID_BYTES        256
/* Values (scalars and containers) in one request: cJSON spends ~80
 * bytes per value, so "[1,1,...]" in 64 MiB would cost 2.6 GB without
 * this. Room for a full lookup plus slack for the other fields. */
#define DS_MAX_JSON_VALUES     (DS_MAX_ADDRESSES + 1024)
/* A frame body buffer starts at this size and grows geometrically with
 * the bytes that actually arrive, never with the announced length. */
#define DS_FRAME_CHUNK         (64u * 1024u)

/* --- addresses (RFC 5321 4.5.3.1, RFC 1035 2.3.4) --- */
#define DS_MAX_LOCAL_PART      64
#define DS_MAX_ADDRESS         254
#define DS_MAX_LABEL           63
#define DS_MAX_DOMAIN          253
/* Owner name in presentation form: 56 hex + "._smimecert." + domain. */
#define DS_MAX_OWNER_NAME      (56 + 12 + DS_MAX_DOMAIN)

/* --- DNS (RFC 1035, RFC 6891, RFC 8162) --- */
#define DS_EDNS_UDP_SIZE       1232   /* DNS flag day 2020 */
#define DS_MAX_DNS_MESSAGE     65535
#define DS_MAX_CNAME_CHAIN     8
#define DS_MAX_COMPRESSION_PTRS 64
#define DS_MAX_RECORDS         64     /* SMIMEA records kept per answer */
#define DS_MAX_EDE_TEXT        256
#define DS_MAX_RESOLVERS       8
#define DS_MAX_INFLIGHT        64     /* queries on the wire at once */
/* Lookups started by the engine and not yet reported (queued or on the
 * wire); bounds memory for huge requests. */
#define DS_ENGINE_WINDOW       256
/* Work a session may leave pending (queued or in flight, not yet
 * finished): requests, and the addresses they hold. Beyond either, a
 * request is answered "busy" instead of buffered: a resolver that never
 * answers would otherwise let ~70 bytes per address pile up without
 * bound. Two full lookups fit. */
#define DS_MAX_PENDING_REQUESTS 256
#define DS_MAX_PENDING_ADDRESSES (2u * DS_MAX_ADDRESSES)
#define DS_DEFAULT_TIMEOUT_MS  2000
#define DS_DEFAULT_ATTEMPTS    2
#define DS_MAX_TIMEOUT_MS      60000
#define DS_MAX_ATTEMPTS        10
#define DS_CACHE_MAX_ENTRIES   65536
#define DS_CACHE_MAX_TTL       86400  /* RFC 2181 8: cap what we believe */
/* Memory the answer cache may hold (records included), roughly. */
#define DS_CACHE_MAX_BYTES     (4u * 1024u * 1024u)
#define DS_CACHE_ERROR_TTL     5      /* indeterminate/bogus answers */

/* RFC 2181 8: a TTL is an unsigned 32-bit number whose top bit is 0; a
 * record we write (record.c, request "ttl", --ttl) stays below it. */
#define DS_MAX_TTL             2147483647u

/* --- certificates --- */
#define DS_MAX_CERT_BYTES      65535
#define DS_MAX_CERT_EMAILS     64
/* A path quoted into an NSS configuration or module spec (the
 * database a request names, the root module; pkix.c): kept short. */
#define DS_MAX_DB_PATH         1023
#define DS_MAX_CERT_FILE       (1024u * 1024u) /* PEM/DER file for the CLI */
#define DS_MAX_CHAIN           8      /* certificates besides the EE in verify */
#define DS_MAX_DN_TEXT         4096
/* Intermediates handed to one path validation (pkix_verify); the pool
 * is DNS- and mail-supplied, and libpkix tries every candidate issuer. */
#define DS_MAX_PKIX_CERTS      32
/* Nesting of BER constructed values walked before NSS sees a CMS
 * (ber.h). */
#define DS_MAX_BER_DEPTH       32
/* Problems reported for one certificate (dane.c): one per distinct
 * code, and there are fewer codes than this. */
#define DS_MAX_PROBLEMS        24
/* The e-mail trust rule (trustrule.h): a certificate whose every address
 * must be vouched for by its own SMIMEA lookup names at most this many,
 * so one record costs at most this many extra lookups. */
#define DS_MAX_TRUST_ADDRESSES 8
/* Those extra lookups for all the certificates of one address together;
 * a pair beyond counts as not vouched. */
#define DS_MAX_VOUCH_LOOKUPS   16

/* --- signed messages (RFC 5322, RFC 2045/2046, RFC 1847, RFC 8551) --- */
/* A whole raw message: the request limit, since it arrives in one. */
#define DS_MAX_MESSAGE_BYTES   DS_MAX_REQUEST_BYTES
/* Multipart nesting followed while looking for the signed entity. */
#define DS_MAX_MIME_DEPTH      16
/* One header block (top level or body part), folded lines included;
 * real ones are a few kB, Received-heavy ones tens of kB. */
#define DS_MAX_HEADER_BYTES    (256u * 1024u)
/* Body parts visited in one message, all levels together. */
#define DS_MAX_MIME_PARTS      1000
/* Mailboxes in the From field (RFC 5322 3.6.2 allows a list). */
#define DS_MAX_FROM_ADDRESSES  64
/* Decoded From display name, octets of UTF-8 (cut at a character). */
#define DS_MAX_DISPLAY_NAME    1024
/* The mailbox a client shows as the sender ("from" of verify-message,
 * RFC 5322 3.4): display name, comments and address together, and how
 * deep its comments may nest (3.2.2 sets no bound). */
#define DS_MAX_MAILBOX_TEXT    4096
#define DS_MAX_COMMENT_DEPTH   16
/* Certificates in one CMS SignedData we decode and report. */
#define DS_MAX_MESSAGE_CERTS   DS_MAX_PKIX_CERTS

/* --- installation check (doctor) --- */
#define DS_MAX_MANIFEST_BYTES  65536  /* a host manifest is a few lines */
#define DS_INSTALL_CHECK_TIMEOUT_MS 3000 /* the named host's --version */
#define DS_MAX_VERSION_OUTPUT  256

/* --- configuration --- */
#define DS_MAX_CONFIG_BYTES    65536
#define DS_MAX_CONFIG_LINE     1024

/* --- Thunderbird profiles (doctor; files of the user's Thunderbird) --- */
/* profiles.ini and installs.ini: a few lines per profile. */
#define DS_MAX_PROFILES_INI_BYTES 65536
/* One line of those files: a Path= is at most PATH_MAX. */
#define DS_MAX_INI_LINE        4096
/* Profiles reported; more are counted as skipped. */
#define DS_MAX_PROFILES        64
/* A profile's extensions.json: ~2-4 kB per add-on, ~8 kB with none. */
#define DS_MAX_EXTENSIONS_JSON_BYTES (4u * 1024u * 1024u)

/* --- live DANE token (tokencache.h, pkcs11mod.c; issue 17) --- */
/* Entries in the per-user token cache file, and its size: 10,000 served
 * certificates of ~1-2 kB fit with room to spare. */
#define DS_MAX_TC_ENTRIES      16384
/* What the host itself keeps served: NSS slows down roughly with the
 * square of the certificates on a token (2,000: up to 2 s per address
 * lookup), so only requests of at most this many addresses (compose
 * recipients, not bulk lookups) feed it, and at most this many entries
 * are kept, those expiring first evicted. */
#define DS_TC_MAX_REQUEST_ADDRESSES 64
#define DS_TC_MAX_SERVED       256
#define DS_MAX_TC_FILE_BYTES   (64u * 1024u * 1024u)
/* An entry lives at most this long after it was written: the record's
 * TTL, capped like the resolver cache (RFC 2181 8), then the host must
 * look the address up again; the module refuses an entry that claims
 * longer (plus a little clock slack). */
#define DS_TC_MAX_LIFETIME     DS_CACHE_MAX_TTL
#define DS_TC_CLOCK_SLACK      300
/* Sessions the PKCS#11 module keeps open at once (NSS uses a handful). */
#define DS_MAX_P11_SESSIONS    1024
/* The user's distrust (distrust.h): trust rows read from one profile's
 * cert9.db (a profile with every Mozilla root re-trusted has ~150), the
 * distrusted certificates kept for all profiles together, the profiles'
 * databases looked at (profiles.ini and those the host's parent
 * processes hold open), how far up the process tree we look, and how
 * long a read waits for Thunderbird's write lock (ms). More than a limit
 * counts as unreadable: nothing is served with trust. */
#define DS_MAX_TRUST_ROWS      65536
#define DS_MAX_DISTRUSTED      4096
#define DS_MAX_DISTRUST_DBS    (DS_MAX_PROFILES + 8)
#define DS_MAX_PARENT_DEPTH    4
#define DS_MAX_PROC_FDS        8192
#define DS_DISTRUST_BUSY_MS    500

/* --- PKIX work per address (dane.c; issue 15) --- */
/* Path validations (NSS CERT_PKIXVerifyCert calls) for all candidate
 * certificates of one address: one signed RRset of 64 2 0 0 CA
 * certificates sharing a subject cost 7.3 s of CPU before this bound. */
#define DS_MAX_PKIX_PER_ADDRESS 8
/* Distinct DANE-TA anchors (certificates or 2 1 0 keys) tried for one
 * certificate. */
#define DS_MAX_DANE_TA_ANCHORS  8

/* --- _smime TXT + HTTPS discovery (smimetxt.h, https.h; issue 18) --- */
/* A certificate URL, and the text of one TXT record that may hold it
 * (RFC 9110 4.1 asks for at least 8000; a .well-known path is short). */
#define DS_MAX_SMIME_URL       2048
/* TXT RRs kept from one answer (dnsmsg.h); the rest are counted. */
#define DS_MAX_TXT_RECORDS     16
/* Body of one certificate fetch: PEM of a certificate and a short chain. */
#define DS_MAX_HTTPS_BODY      (64u * 1024u)
/* Redirects followed for one fetch (each one https, checked again). */
#define DS_MAX_HTTPS_REDIRECTS 3
/* Whole fetch, redirects and TLS handshakes included. */
#define DS_HTTPS_TIMEOUT_MS    10000
/* Fetches at once; more wait in a queue. */
#define DS_MAX_HTTPS_INFLIGHT  16
/* Sockets of those fetches we poll (curl: one per connection, two while
 * racing IPv6 and IPv4 at connect). */
#define DS_MAX_HTTPS_FDS       (2 * DS_MAX_HTTPS_INFLIGHT)
/* Longest poll while curl holds more sockets than that: each round polls
 * the next DS_MAX_HTTPS_FDS of them, so a silent one cannot keep the
 * others waiting until curl's own timer fires. */
#define DS_HTTPS_ROTATE_MS     20
/* The system CA bundle and https_ca_file, read to trust both. */
#define DS_MAX_CA_BUNDLE_BYTES (4u * 1024u * 1024u)

#endif
