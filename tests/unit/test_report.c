/* test_report.c - the replies built from structs in report.c (issue 16
 * step 2): hello, doctor, check, import and verify-message, byte for
 * byte as the protocol (host/PROTOCOL.md) has them, so that a change of
 * a field's name, order or form fails here and not only in the
 * integration transcript (tests/transcript). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "t.h"
#include "version.h"

/* What cJSON prints for msg (freed); "" for NULL. */
static const char *
printed(cJSON *msg)
{
	static char buf[8192];
	char *s = msg != NULL ? cJSON_PrintUnformatted(msg) : NULL;

	snprintf(buf, sizeof(buf), "%s", s != NULL ? s : "");
	free(s);
	cJSON_Delete(msg);
	return buf;
}

static void
config_two(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->nresolvers = 2;
	snprintf(cfg->resolvers[0].text, sizeof(cfg->resolvers[0].text),
	    "127.0.0.1:53");
	cfg->resolvers[0].loopback = true;
	snprintf(cfg->resolvers[1].text, sizeof(cfg->resolvers[1].text),
	    "192.0.2.1:53");
	snprintf(cfg->probe_name, sizeof(cfg->probe_name), "example.");
}

static void
test_hello(void)
{
	struct config cfg;
	struct hello_report h;
	cJSON *id = cJSON_CreateString("h1");

	config_two(&cfg);
	h.cfg = &cfg;
	h.trusted = true;
	h.trust = "loopback";
	CHECK_STR(printed(report_hello(&h, id)), "{\"type\":\"hello\","
	    "\"name\":\"dane-smime\",\"version\":\"" DANE_SMIME_VERSION "\","
	    "\"protocol\":1,\"resolvers\":[{\"address\":\"127.0.0.1:53\","
	    "\"loopback\":true,\"trusted\":true},{\"address\":"
	    "\"192.0.2.1:53\",\"loopback\":false,\"trusted\":true}],"
	    "\"trusted\":true,\"trust\":\"loopback\",\"id\":\"h1\"}");
	cJSON_Delete(id);
}

static void
test_doctor(void)
{
	struct config cfg;
	struct doctor_report d;

	config_two(&cfg);
	cfg.nresolvers = 1;
	memset(&d, 0, sizeof(d));
	d.cfg = &cfg;
	d.trust = "t";
	d.trusted = true;
	d.answered = true;
	d.ad = true;
	d.rcode = 0;
	d.verdict = "ok";
	CHECK_STR(printed(report_doctor(&d, NULL)), "{\"type\":\"doctor\","
	    "\"version\":\"" DANE_SMIME_VERSION "\",\"config\":null,"
	    "\"resolvers_from_resolv_conf\":false,\"resolvers\":[{"
	    "\"address\":\"127.0.0.1:53\",\"loopback\":true,\"trusted\":"
	    "true}],\"trusted\":true,\"trust\":\"t\",\"probe\":{\"name\":"
	    "\"example.\",\"answered\":true,\"ad\":true,\"rcode\":0},"
	    "\"ok\":true,\"verdict\":\"ok\",\"id\":null}");
	/* Unanswered: the error instead of the rcode, and not ok. */
	snprintf(cfg.path, sizeof(cfg.path), "/etc/x.conf");
	cfg.resolvers_from_resolv_conf = true;
	d.answered = false;
	d.ad = false;
	d.error = "timed out";
	d.verdict = "no";
	CHECK_STR(printed(report_doctor(&d, NULL)), "{\"type\":\"doctor\","
	    "\"version\":\"" DANE_SMIME_VERSION "\",\"config\":"
	    "\"/etc/x.conf\",\"resolvers_from_resolv_conf\":true,"
	    "\"resolvers\":[{\"address\":\"127.0.0.1:53\",\"loopback\":true,"
	    "\"trusted\":true}],\"trusted\":true,\"trust\":\"t\",\"probe\":{"
	    "\"name\":\"example.\",\"answered\":false,\"ad\":false,"
	    "\"error\":\"timed out\"},\"ok\":false,\"verdict\":\"no\","
	    "\"id\":null}");
}

static void
test_check(void)
{
	struct check_report r;
	cJSON *id = cJSON_CreateNumber(7);

	memset(&r, 0, sizeof(r));
	r.address = "a@example.test";
	r.query = "q._smimecert.example.test";
	r.dnssec = DNSSEC_SECURE;
	r.status = LS_UNUSABLE;
	r.items[0] = (struct check_item){ "record-present", "pass", "m1" };
	r.items[1] = (struct check_item){ "usable", "fail", "m2" };
	r.nitems = 2;
	r.ok = false;
	r.fixes[0] = "fix it";
	r.nfixes = 1;
	CHECK_STR(printed(report_check(&r, id)), "{\"type\":\"check\","
	    "\"address\":\"a@example.test\",\"query\":"
	    "\"q._smimecert.example.test\",\"txt_query\":null,\"url\":null,"
	    "\"dnssec\":\"secure\",\"status\":\"unusable\",\"checks\":[{"
	    "\"name\":\"record-present\",\"result\":\"pass\",\"message\":"
	    "\"m1\"},{\"name\":\"usable\",\"result\":\"fail\",\"message\":"
	    "\"m2\"}],\"ok\":false,\"fixes\":[\"fix it\"],\"id\":7}");
	cJSON_Delete(id);
}

static void
test_import(void)
{
	struct lookup_result lr;
	struct import_report r;
	struct import_item items[2];
	char nick[] = "dane-smime a@example.test (12345678)";

	memset(&lr, 0, sizeof(lr));
	memset(items, 0, sizeof(items));
	lr.address = "a@example.test";
	lr.address_len = 14;
	lr.status = LS_FOUND;
	lr.dnssec = DNSSEC_SECURE;
	items[0].sha256 = "aa";
	items[0].taken = true;
	items[0].change.nickname = nick;
	snprintf(items[0].change.trust, sizeof(items[0].change.trust),
	    ",C,");
	items[0].action = "added";
	items[1].sha256 = "bb";
	items[1].code = "expired";
	items[1].reason = "too old";
	memset(&r, 0, sizeof(r));
	r.lr = &lr;
	r.db = "sql:/d";
	r.items = items;
	r.nitems = 2;
	CHECK_STR(printed(report_import(&r, NULL)), "{\"type\":\"import\","
	    "\"address\":\"a@example.test\",\"status\":\"found\",\"dnssec\":"
	    "\"secure\",\"db\":\"sql:/d\",\"dry_run\":false,\"changes\":[{"
	    "\"sha256\":\"aa\",\"nickname\":\"dane-smime a@example.test "
	    "(12345678)\",\"trust\":\",C,\",\"action\":\"added\"}],"
	    "\"refused\":[{\"sha256\":\"bb\",\"code\":\"expired\","
	    "\"reason\":\"too old\"}],\"ok\":true,\"id\":null}");
	/* The database refused one: not ok, with why. */
	r.failed = "no";
	items[0].taken = false;
	items[0].code = "store-refused";
	items[0].reason = "no";
	r.nitems = 1;
	CHECK_STR(printed(report_import(&r, NULL)), "{\"type\":\"import\","
	    "\"address\":\"a@example.test\",\"status\":\"found\",\"dnssec\":"
	    "\"secure\",\"db\":\"sql:/d\",\"dry_run\":false,\"changes\":[],"
	    "\"refused\":[{\"sha256\":\"aa\",\"code\":\"store-refused\","
	    "\"reason\":\"no\"}],\"ok\":false,\"error\":{\"code\":"
	    "\"import-failed\",\"message\":\"no\"},\"id\":null}");
}

static void
test_message_early(void)
{
	struct mime_msg mm;
	struct vm_report r;
	struct vm_problem p = { "bad-signature", "broken" };
	char from0[] = "a@example.test", *from[] = { from0 };

	memset(&mm, 0, sizeof(mm));
	mm.kind = MIME_SIGNED_DETACHED;
	mm.from = from;
	mm.nfrom = 1;
	memset(&r, 0, sizeof(r));
	r.signature = "invalid";
	r.mm = &mm;
	r.problems = &p;
	r.nproblems = 1;
	r.summary = "S";
	CHECK_STR(printed(report_message(&r, NULL)), "{\"type\":"
	    "\"message-verification\",\"signature\":\"invalid\",\"from\":"
	    "\"a@example.test\",\"from_all\":[\"a@example.test\"],"
	    "\"format\":\"multipart/signed\",\"nested\":false,"
	    "\"address_match\":false,\"dane\":null,\"problems\":[{\"code\":"
	    "\"bad-signature\",\"message\":\"broken\"}],\"green\":false,"
	    "\"summary\":\"S\",\"id\":null}");
	/* Not signed at all: no From either. */
	mm.kind = MIME_UNSIGNED;
	mm.nfrom = 0;
	r.signature = "none";
	r.nproblems = 0;
	CHECK_STR(printed(report_message(&r, NULL)), "{\"type\":"
	    "\"message-verification\",\"signature\":\"none\",\"from\":null,"
	    "\"address_match\":false,\"dane\":null,\"problems\":[],"
	    "\"green\":false,\"summary\":\"S\",\"id\":null}");
}

int
main(void)
{
	test_hello();
	test_doctor();
	test_check();
	test_import();
	test_message_early();
	return t_done("report");
}
