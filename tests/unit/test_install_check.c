/* test_install_check.c - the installation check (host/front/install_check.c):
 * manifests Thunderbird would accept or refuse, hosts that run or not,
 * and the $HOME folder coming first; Thunderbird's profiles and whether
 * each has the add-on (host/token/tbprofile.c). Works in a temporary directory that
 * also serves as HOME; fake hosts are /bin/sh scripts. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../host/base/dslimits.h"
#include "../../host/front/install_check.h"
#include "../../host/core/report.h"
#include "../../host/token/tbprofile.h"
#include "t.h"

static char tmp[256];

static void
write_file(const char *path, const char *text, size_t len, mode_t mode)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
	if (chmod(path, mode) != 0) {
		perror(path);
		exit(2);
	}
}

static const char *
tpath(const char *name)
{
	static char buf[8][1024];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmp, name);
	return buf[i];
}

/* A manifest text for host path `host` and id `id`. */
static const char *
manifest(const char *host, const char *id)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "{\n  \"name\": \"dane_smime\",\n"
	    "  \"description\": \"d\",\n  \"path\": \"%s\",\n"
	    "  \"type\": \"stdio\",\n  \"allowed_extensions\": [\"%s\"]\n}\n",
	    host, id);
	return buf;
}

static bool
jbool(const cJSON *o, const char *k)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static const char *
jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool
has(const char *s, const char *sub)
{
	return s != NULL && strstr(s, sub) != NULL;
}

/* The checks fill structs (doctor.h); what is asserted on is the JSON
 * report.c renders from them, as `dane-smime doctor --json` prints it. */
static cJSON *
manifest_json(const char *path)
{
	struct install_manifest m;
	cJSON *o = NULL;

	if (install_check_manifest(path, &m) == 0)
		o = report_install_manifest(&m);
	install_manifest_free(&m);
	return o;
}

static cJSON *
profiles_json(const char *home)
{
	struct install_profiles p;
	cJSON *o = NULL;

	if (install_check_profiles(home, &p) == 0)
		o = report_install_profiles(&p);
	install_profiles_free(&p);
	return o;
}

static cJSON *
install_json(void)
{
	struct install_report r;
	cJSON *o = NULL;

	if (install_check(&r) == 0)
		o = report_install(&r);
	install_report_free(&r);
	return o;
}

/* Writes text to file `name` and checks it. */
static cJSON *
check_text(const char *name, const char *text, size_t len)
{
	write_file(tpath(name), text, len, 0644);
	return manifest_json(tpath(name));
}

#define S(s)	s, strlen(s)

static void
test_good(void)
{
	cJSON *e, *a;

	e = check_text("good.json", S(manifest(tpath("host-ok"),
	    DANE_SMIME_EXTENSION_ID)));
	CHECK(e != NULL);
	CHECK(jbool(e, "exists"));
	CHECK(jbool(e, "valid"));
	CHECK(jbool(e, "host_ok"));
	CHECK(jbool(e, "id_allowed"));
	CHECK(!jbool(e, "used"));
	CHECK_STR(jstr(e, "host_path"), tpath("host-ok"));
	CHECK_STR(jstr(e, "host_version"), "dane-smime 9.9.9 (protocol 1)");
	CHECK(jstr(e, "problem") == NULL);
	a = cJSON_GetObjectItemCaseSensitive(e, "allowed_extensions");
	CHECK(cJSON_GetArraySize(a) == 1);
	CHECK_STR(cJSON_GetArrayItem(a, 0)->valuestring,
	    DANE_SMIME_EXTENSION_ID);
	cJSON_Delete(e);

	/* Other ids besides ours are fine. */
	e = check_text("two.json", S("{\"name\":\"dane_smime\","
	    "\"description\":\"d\",\"path\":\"/bin/true\",\"type\":\"stdio\","
	    "\"allowed_extensions\":[\"x@y\",\"" DANE_SMIME_EXTENSION_ID
	    "\"]}"));
	CHECK(jbool(e, "valid"));
	CHECK(jbool(e, "id_allowed"));
	/* /bin/true prints nothing: not dane-smime. */
	CHECK(!jbool(e, "host_ok"));
	CHECK(has(jstr(e, "problem"), "does not look like dane-smime"));
	cJSON_Delete(e);
}

static void
test_missing(void)
{
	cJSON *e = manifest_json(tpath("absent/dane_smime.json"));

	CHECK(e != NULL);
	CHECK(!jbool(e, "exists"));
	CHECK(!jbool(e, "valid"));
	CHECK(!jbool(e, "host_ok"));
	CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(e, "host_path")));
	CHECK(jstr(e, "problem") == NULL);
	cJSON_Delete(e);

	/* A path through a regular file (ENOTDIR) is absent too. */
	e = manifest_json(tpath("host-ok/dane_smime.json"));
	CHECK(!jbool(e, "exists"));
	cJSON_Delete(e);
}

struct bad {
	const char	*text;
	const char	*problem;	/* substring */
	bool		 valid;
};

static void
test_bad_manifests(void)
{
	char big[70000];
	const struct bad bads[] = {
		{ "", "not valid JSON", false },
		{ "[]", "not a JSON object", false },
		{ "{\"name\":\"dane_smime\"} x", "not valid JSON", false },
		{ "{\"name\":\"dane-smime\",\"description\":\"d\","
		  "\"path\":\"/bin/true\",\"type\":\"stdio\","
		  "\"allowed_extensions\":[\"" DANE_SMIME_EXTENSION_ID "\"]}",
		  "\"name\" must be \"dane_smime\"", false },
		{ "{\"name\":\"dane_smime\","
		  "\"path\":\"/bin/true\",\"type\":\"stdio\","
		  "\"allowed_extensions\":[\"" DANE_SMIME_EXTENSION_ID "\"]}",
		  "\"description\" is missing", false },
		{ "{\"name\":\"dane_smime\",\"description\":\"d\","
		  "\"path\":\"/bin/true\",\"type\":\"pkcs11\","
		  "\"allowed_extensions\":[\"" DANE_SMIME_EXTENSION_ID "\"]}",
		  "\"type\" must be \"stdio\"", false },
		{ "{\"name\":\"dane_smime\",\"description\":\"d\","
		  "\"path\":\"dane-smime\",\"type\":\"stdio\","
		  "\"allowed_extensions\":[\"" DANE_SMIME_EXTENSION_ID "\"]}",
		  "must be the absolute path", false },
		{ "{\"name\":\"dane_smime\",\"description\":\"d\","
		  "\"type\":\"stdio\","
		  "\"allowed_extensions\":[\"" DANE_SMIME_EXTENSION_ID "\"]}",
		  "must be the absolute path", false },
		{ "{\"name\":\"dane_smime\",\"description\":\"d\","
		  "\"path\":\"/bin/true\",\"type\":\"stdio\","
		  "\"allowed_extensions\":[]}", "non-empty array", false },
		{ "{\"name\":\"dane_smime\",\"description\":\"d\","
		  "\"path\":\"/bin/true\",\"type\":\"stdio\","
		  "\"allowed_extensions\":\"" DANE_SMIME_EXTENSION_ID "\"}",
		  "non-empty array", false },
		{ "{\"name\":\"dane_smime\",\"description\":\"d\","
		  "\"path\":\"/bin/true\",\"type\":\"stdio\","
		  "\"allowed_extensions\":[1]}", "not an add-on id", false },
		{ "{\"name\":\"dane_smime\",\"description\":\"d\","
		  "\"path\":\"/bin/true\",\"type\":\"stdio\","
		  "\"allowed_extensions\":[\"a\\u0001\"]}", "not an add-on id",
		  false },
		{ "{\"name\":\"dane_smime\",\"name\":\"other\","
		  "\"description\":\"d\",\"path\":\"/bin/true\","
		  "\"type\":\"stdio\",\"allowed_extensions\":[\""
		  DANE_SMIME_EXTENSION_ID "\"]}", "\"name\" appears twice",
		  false },
		/* Valid, but for some other add-on. */
		{ "{\"name\":\"dane_smime\",\"description\":\"d\","
		  "\"path\":\"/bin/true\",\"type\":\"stdio\","
		  "\"allowed_extensions\":[\"dane-smime@dane-smime.invalid\"]}",
		  "does not name the add-on id", true },
		{ "{\"name\":\"dane_smime\",\"description\":\"d\","
		  "\"path\":\"/bin/true\",\"type\":\"stdio\","
		  "\"allowed_extensions\":[\"DANE-SMIME@dane-smime.org\"]}",
		  "does not name the add-on id", true },
	};
	cJSON *e;
	size_t i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		e = check_text("bad.json", S(bads[i].text));
		CHECK(e != NULL);
		CHECK(jbool(e, "exists"));
		CHECK(jbool(e, "valid") == bads[i].valid);
		if (!has(jstr(e, "problem"), bads[i].problem))
			fprintf(stderr, "case %zu: problem \"%s\", want \"%s\"\n",
			    i, jstr(e, "problem") ? jstr(e, "problem") : "",
			    bads[i].problem);
		CHECK(has(jstr(e, "problem"), bads[i].problem));
		cJSON_Delete(e);
	}

	/* Not UTF-8 (RFC 8259 8.1), a NUL inside. */
	e = check_text("bad.json", S("{\"name\":\"dane_sm\xffime\"}"));
	CHECK(has(jstr(e, "problem"), "not UTF-8"));
	cJSON_Delete(e);
	e = check_text("bad.json", "{}\0{}", 5);
	CHECK(has(jstr(e, "problem"), "not UTF-8"));
	cJSON_Delete(e);

	/* Far too big to be a manifest. */
	memset(big, ' ', sizeof(big));
	big[0] = '{';
	big[sizeof(big) - 1] = '}';
	e = check_text("bad.json", big, sizeof(big));
	CHECK(jbool(e, "exists"));
	CHECK(has(jstr(e, "problem"), "not a manifest"));
	cJSON_Delete(e);

	/* A directory where the file should be. */
	if (mkdir(tpath("dir.json"), 0755) != 0)
		perror("mkdir");
	e = manifest_json(tpath("dir.json"));
	CHECK(jbool(e, "exists"));
	CHECK(has(jstr(e, "problem"), "not a regular file"));
	cJSON_Delete(e);
}

struct badhost {
	const char	*host;
	const char	*problem;
};

static void
test_bad_hosts(void)
{
	const struct badhost hosts[] = {
		{ "host-missing", "cannot be used: No such file" },
		{ "host-noexec", "is not executable" },
		{ "host-fail", "exited with status 3" },
		{ "host-other", "does not look like dane-smime" },
		/* "could not be run: Exec format error"; under valgrind,
		 * which turns vfork into fork, an exit status instead. */
		{ "host-noexec-format", "--version" },
		{ "host-signal", "killed by signal 9" },
		{ ".", "not a regular file" },
	};
	cJSON *e;
	size_t i;

	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		e = check_text("h.json", S(manifest(tpath(hosts[i].host),
		    DANE_SMIME_EXTENSION_ID)));
		CHECK(jbool(e, "valid"));
		CHECK(jbool(e, "id_allowed"));
		CHECK(!jbool(e, "host_ok"));
		CHECK(jstr(e, "host_version") == NULL);
		if (!has(jstr(e, "problem"), hosts[i].problem))
			fprintf(stderr, "host %s: problem \"%s\"\n",
			    hosts[i].host, jstr(e, "problem") ?
			    jstr(e, "problem") : "");
		CHECK(has(jstr(e, "problem"), hosts[i].problem));
		cJSON_Delete(e);
	}
}

/* A host that never exits is killed after the timeout. */
static void
test_hanging_host(void)
{
	time_t t0 = time(NULL);
	cJSON *e;

	e = check_text("h.json", S(manifest(tpath("host-hang"),
	    DANE_SMIME_EXTENSION_ID)));
	CHECK(!jbool(e, "host_ok"));
	CHECK(has(jstr(e, "problem"), "did not finish"));
	CHECK(time(NULL) - t0 < 10);
	cJSON_Delete(e);
}

/* --- Thunderbird profiles (tbprofile.c, install_check_profiles) --- */

static const struct tbprofile *
find_prof(const struct tbprofile_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

static void
test_profiles_ini(void)
{
	struct tbprofile_list l;
	const struct tbprofile *p;
	char err[256], *big;
	size_t i, n;
	int rc;
	const char *ini =
	    "[General]\nStartWithLastProfile=1\nVersion=2\n\n"
	    "[Profile1]\nName=work\nIsRelative=0\nPath=/srv/tb/work\n\n"
	    "[Profile0]\nName=default-esr\nIsRelative=1\n"
	    "Path=abc.default-esr\nDefault=1\n\n"
	    /* Thunderbird skips these three; so do we. */
	    "[Profile2]\nName=no-rel\nPath=x\n"
	    "[Profile3]\nIsRelative=1\nPath=no-name\n"
	    "[Profile4]\nName=rel0\nIsRelative=0\nPath=not/absolute\n"
	    /* Not profile sections: their keys are ignored. */
	    "[ProfileX]\nName=px\nIsRelative=1\nPath=px\n"
	    "[Profile5\nName=p5\nIsRelative=1\nPath=p5\n"
	    "[Profile6]junk\nName=p6\nIsRelative=1\nPath=p6\n";

	rc = tbprofile_parse(S(ini), NULL, 0, "/h/.thunderbird", &l, err,
	    sizeof(err));
	CHECK(rc == 0);
	CHECK(l.n == 2);
	CHECK(l.skipped == 3);
	p = find_prof(&l, "work");
	CHECK(p != NULL && strcmp(p->path, "/srv/tb/work") == 0);
	CHECK(p != NULL && !p->is_default);
	p = find_prof(&l, "default-esr");
	CHECK(p != NULL && strcmp(p->path,
	    "/h/.thunderbird/abc.default-esr") == 0);
	/* No installation names a default: Default=1 is the default. */
	CHECK(p != NULL && p->is_default);
	tbprofile_list_free(&l);

	/* An installation's Default= (installs.ini or [Install...]) wins
	 * over Default=1: Thunderbird 67+ starts that one. */
	rc = tbprofile_parse(S(ini), S("[FDC34C9F024745EB]\n"
	    "Default=/srv/tb/work\nLocked=1\n"), "/h/.thunderbird", &l, err,
	    sizeof(err));
	CHECK(rc == 0);
	CHECK(find_prof(&l, "work") != NULL &&
	    find_prof(&l, "work")->is_default);
	CHECK(find_prof(&l, "default-esr") != NULL &&
	    !find_prof(&l, "default-esr")->is_default);
	tbprofile_list_free(&l);
	rc = tbprofile_parse(S("[Profile0]\nName=a\nIsRelative=1\nPath=pa\n"
	    "Default=1\n[Profile1]\nName=b\nIsRelative=1\nPath=pb\n"
	    "[InstallFDC34C9F024745EB]\nDefault=pb\nLocked=1\n"), NULL, 0,
	    "/h", &l, err, sizeof(err));
	CHECK(rc == 0 && l.n == 2);
	CHECK(find_prof(&l, "b") != NULL && find_prof(&l, "b")->is_default);
	CHECK(find_prof(&l, "a") != NULL && !find_prof(&l, "a")->is_default);
	tbprofile_list_free(&l);
	/* A Default= naming no profile: back to Default=1. */
	rc = tbprofile_parse(S("[Profile0]\nName=a\nIsRelative=1\nPath=pa\n"
	    "Default=1\n"), S("[X]\nDefault=gone\n"), "/h", &l, err,
	    sizeof(err));
	CHECK(rc == 0 && l.n == 1 && l.v[0].is_default);
	tbprofile_list_free(&l);
	/* A bad installs.ini costs only the default marks. */
	rc = tbprofile_parse(S("[Profile0]\nName=a\nIsRelative=1\nPath=pa\n"),
	    S("\xff"), "/h", &l, err, sizeof(err));
	CHECK(rc == 0 && l.n == 1);
	tbprofile_list_free(&l);

	/* CRLF, blanks around keys and values, comments, last key wins. */
	rc = tbprofile_parse(S("; comment\r\n# comment\r\n  [Profile0]  \r\n"
	    " Name = my profile \r\nIsRelative=1\r\nPath=old\r\n"
	    "Path=q.my\r\n"), NULL, 0, "/h", &l, err, sizeof(err));
	CHECK(rc == 0 && l.n == 1);
	CHECK(l.n == 1 && strcmp(l.v[0].name, "my profile") == 0);
	CHECK(l.n == 1 && strcmp(l.v[0].path, "/h/q.my") == 0);
	tbprofile_list_free(&l);

	/* Names and paths must be text: a control character is left out. */
	rc = tbprofile_parse(S("[Profile0]\nName=a\x1b[31m\nIsRelative=1\n"
	    "Path=pa\n"), NULL, 0, "/h", &l, err, sizeof(err));
	CHECK(rc == 0 && l.n == 0 && l.skipped == 1);
	tbprofile_list_free(&l);

	/* Not UTF-8, a NUL, an overlong line: not profiles.ini at all. */
	rc = tbprofile_parse(S("[Profile0]\nName=\xc3\x28\n"), NULL, 0, "/h",
	    &l, err, sizeof(err));
	CHECK(rc == 1 && l.n == 0 && has(err, "not UTF-8"));
	rc = tbprofile_parse("[Profile0]\n\0", 12, NULL, 0, "/h", &l, err,
	    sizeof(err));
	CHECK(rc == 1 && has(err, "not UTF-8"));
	big = malloc(DS_MAX_INI_LINE + 20);
	memset(big, 'x', DS_MAX_INI_LINE + 20);
	rc = tbprofile_parse(big, DS_MAX_INI_LINE + 20, NULL, 0, "/h", &l,
	    err, sizeof(err));
	CHECK(rc == 1 && has(err, "line 1 is longer than"));
	free(big);

	/* More profiles than DS_MAX_PROFILES: the rest are counted. */
	n = (DS_MAX_PROFILES + 3) * 64;
	big = malloc(n);
	big[0] = '\0';
	for (i = 0; i < DS_MAX_PROFILES + 3; i++)
		snprintf(big + strlen(big), n - strlen(big),
		    "[Profile%zu]\nName=p%zu\nIsRelative=1\nPath=p%zu\n", i, i,
		    i);
	rc = tbprofile_parse(big, strlen(big), NULL, 0, "/h", &l, err,
	    sizeof(err));
	CHECK(rc == 0 && l.n == DS_MAX_PROFILES && l.skipped == 3);
	tbprofile_list_free(&l);
	free(big);

	/* Empty: no profiles, not an error. */
	rc = tbprofile_parse("", 0, NULL, 0, "/h", &l, err, sizeof(err));
	CHECK(rc == 0 && l.n == 0 && l.skipped == 0);
	tbprofile_list_free(&l);
}

struct addon_case {
	const char		*json;
	int			 rc;
	enum tbaddon_state	 state;
	const char		*text;	/* version, or a substring of err */
};

#define ID	"\"id\":\"" DANE_SMIME_EXTENSION_ID "\""

static void
test_addon_state(void)
{
	static const struct addon_case cases[] = {
		{ "{\"addons\":[{" ID ",\"active\":true,\"version\":\"0.1.0\""
		  "}]}", 0, TBADDON_ENABLED, "0.1.0" },
		/* What Thunderbird 153 writes for a sideloaded add-on. */
		{ "{\"addons\":[{" ID ",\"active\":false,\"userDisabled\":true,"
		  "\"appDisabled\":false,\"seen\":false}]}", 0,
		  TBADDON_WAITING, "" },
		{ "{\"addons\":[{" ID ",\"active\":false,\"userDisabled\":true,"
		  "\"seen\":true}]}", 0, TBADDON_DISABLED, "" },
		{ "{\"addons\":[{" ID ",\"active\":false,\"appDisabled\":true,"
		  "\"userDisabled\":true,\"seen\":false}]}", 0,
		  TBADDON_INCOMPATIBLE, "" },
		{ "{\"addons\":[{" ID ",\"active\":false}]}", 0,
		  TBADDON_INACTIVE, "" },
		{ "{\"addons\":[{\"id\":\"other@x\",\"active\":true},1,null,"
		  "\"" DANE_SMIME_EXTENSION_ID "\"]}", 0, TBADDON_ABSENT, "" },
		{ "{\"schemaVersion\":37,\"addons\":[]}\n\n", 0,
		  TBADDON_ABSENT, "" },
		/* The visible entry is the one in use. */
		{ "{\"addons\":[{" ID ",\"visible\":false,\"active\":true},"
		  "{" ID ",\"visible\":true,\"active\":false,"
		  "\"userDisabled\":true,\"seen\":true,\"version\":\"2\"}]}",
		  0, TBADDON_DISABLED, "2" },
		/* A version that is not text is left out. */
		{ "{\"addons\":[{" ID ",\"active\":true,\"version\":"
		  "\"1\\u001b[0m\"}]}", 0, TBADDON_ENABLED, "" },
		{ "", 1, TBADDON_ABSENT, "not valid JSON" },
		{ "{\"addons\":[]} x", 1, TBADDON_ABSENT, "near byte 14" },
		{ "[]", 1, TBADDON_ABSENT, "no \"addons\" array" },
		{ "{\"addons\":{}}", 1, TBADDON_ABSENT, "no \"addons\" array" },
		{ "{\"addons\":[{" ID ",\"x\":\"\xff\"}]}", 1, TBADDON_ABSENT,
		  "not UTF-8" },
	};
	struct tbaddon a;
	char err[256];
	size_t i;
	uint8_t *buf;
	size_t len;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		rc = tbprofile_addon(S(cases[i].json), DANE_SMIME_EXTENSION_ID,
		    &a, err, sizeof(err));
		if (rc != cases[i].rc || a.state != cases[i].state ||
		    (rc == 0 ? strcmp(a.version, cases[i].text) != 0 :
		    !has(err, cases[i].text))) {
			fprintf(stderr, "addon case %zu: rc %d state %d "
			    "version \"%s\" err \"%s\"\n", i, rc, (int)a.state,
			    a.version, err);
			CHECK(0);
		} else
			CHECK(1);
	}
	/* Not NUL-terminated: the length bounds it. */
	rc = tbprofile_addon("{\"addons\":[]}garbage", 13,
	    DANE_SMIME_EXTENSION_ID, &a, err, sizeof(err));
	CHECK(rc == 0 && a.state == TBADDON_ABSENT);

	/* The files a real Thunderbird 153 wrote (fuzz corpus). */
	buf = t_load("tests/fuzz/corpus/profiles",
	    "extensions-sideloaded.json", &len);
	rc = tbprofile_addon((char *)buf, len, DANE_SMIME_EXTENSION_ID, &a,
	    err, sizeof(err));
	CHECK(rc == 0 && a.state == TBADDON_WAITING);
	CHECK_STR(a.version, "0.1.0");
	rc = tbprofile_addon((char *)buf, len, "default-theme@mozilla.org",
	    &a, err, sizeof(err));
	CHECK(rc == 0 && a.state == TBADDON_ENABLED);
	free(buf);
	buf = t_load("tests/fuzz/corpus/profiles", "extensions-enabled.json",
	    &len);
	rc = tbprofile_addon((char *)buf, len, DANE_SMIME_EXTENSION_ID, &a,
	    err, sizeof(err));
	CHECK(rc == 0 && a.state == TBADDON_ENABLED);
	free(buf);
}

static void
mkdirs(const char *rel)
{
	char path[1024], *p;

	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	for (p = path + strlen(tmp) + 1; *p != '\0'; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	mkdir(path, 0755);
}

static const cJSON *
profile_named(const cJSON *r, const char *name)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r,
	    "profiles"))
		if (jstr(it, "name") != NULL &&
		    strcmp(jstr(it, "name"), name) == 0)
			return it;
	return NULL;
}

/* install_check_profiles over real files in a temporary HOME. */
static void
test_profile_files(void)
{
	char home[512], ini[2048], *big;
	const cJSON *p;
	cJSON *r;
	FILE *f;
	char *text = NULL;
	size_t textlen = 0;

	snprintf(home, sizeof(home), "%s/ph", tmp);
	mkdirs("ph/.thunderbird/a.on");
	mkdirs("ph/.thunderbird/b.file/extensions");
	mkdirs("ph/.thunderbird/d.garbage");
	mkdirs("ph/.thunderbird/e.huge");
	mkdirs("ph/.thunderbird/f.dir/extensions.json");
	mkdirs("elsewhere/w.side");

	/* No profiles.ini yet: said plainly, and no add-on anywhere. */
	r = profiles_json(home);
	CHECK(r != NULL);
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r,
	    "profiles")) == 0);
	CHECK(has(jstr(r, "profiles_problem"), "profiles.ini does not "
	    "exist"));
	CHECK(!jbool(r, "addon_enabled"));
	CHECK(has(jstr(r, "addon_problem"), "no Thunderbird profile has the "
	    "add-on"));
	CHECK(has(jstr(r, "addon_problem"), "Install Add-on From File"));
	cJSON_Delete(r);
	r = profiles_json(NULL);
	CHECK(r != NULL && has(jstr(r, "profiles_problem"), "HOME"));
	CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r,
	    "profiles_ini")));
	cJSON_Delete(r);

	snprintf(ini, sizeof(ini),
	    "[Profile0]\nName=on\nIsRelative=1\nPath=a.on\n"
	    "[Profile1]\nName=file\nIsRelative=1\nPath=b.file\n"
	    "[Profile2]\nName=gone\nIsRelative=1\nPath=c.gone\n"
	    "[Profile3]\nName=garbage\nIsRelative=1\nPath=d.garbage\n"
	    "[Profile4]\nName=huge\nIsRelative=1\nPath=e.huge\n"
	    "[Profile5]\nName=dir\nIsRelative=1\nPath=f.dir\n"
	    "[Profile6]\nName=side\nIsRelative=0\nPath=%s/elsewhere/w.side\n"
	    "[Profile7]\nName=nothing\nIsRelative=1\nPath=b.file/extensions\n"
	    "[InstallFDC34C9F024745EB]\nDefault=a.on\n", tmp);
	write_file(tpath("ph/.thunderbird/profiles.ini"), S(ini), 0644);
	write_file(tpath("ph/.thunderbird/a.on/extensions.json"),
	    S("{\"addons\":[{" ID ",\"active\":true,\"version\":\"0.1.0\"}]}"),
	    0644);
	write_file(tpath("ph/.thunderbird/b.file/extensions/"
	    DANE_SMIME_EXTENSION_ID ".xpi"), S("PK"), 0644);
	write_file(tpath("ph/.thunderbird/d.garbage/extensions.json"),
	    S("{\"addons\": [trunc"), 0644);
	big = calloc(1, DS_MAX_EXTENSIONS_JSON_BYTES + 2);
	memset(big, ' ', DS_MAX_EXTENSIONS_JSON_BYTES + 1);
	big[0] = '{';
	big[DS_MAX_EXTENSIONS_JSON_BYTES] = '}';
	write_file(tpath("ph/.thunderbird/e.huge/extensions.json"), big,
	    DS_MAX_EXTENSIONS_JSON_BYTES + 1, 0644);
	free(big);
	write_file(tpath("elsewhere/w.side/extensions.json"),
	    S("{\"addons\":[{" ID ",\"active\":false,\"userDisabled\":true,"
	    "\"seen\":false}]}"), 0644);

	r = profiles_json(home);
	CHECK(r != NULL);
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r,
	    "profiles")) == 8);
	CHECK(jstr(r, "profiles_problem") == NULL);
	CHECK_STR(jstr(r, "profiles_ini"), tpath("ph/.thunderbird/"
	    "profiles.ini"));
	CHECK(jbool(r, "addon_enabled"));
	CHECK(jstr(r, "addon_problem") == NULL);

	p = profile_named(r, "on");
	CHECK_STR(jstr(p, "path"), tpath("ph/.thunderbird/a.on"));
	CHECK(jbool(p, "default") && jbool(p, "exists"));
	CHECK_STR(jstr(p, "addon"), "enabled");
	CHECK_STR(jstr(p, "addon_version"), "0.1.0");
	CHECK(!jbool(p, "addon_file"));
	CHECK(jstr(p, "problem") == NULL);

	/* The file, and a profile Thunderbird has not started since. */
	p = profile_named(r, "file");
	CHECK(!jbool(p, "default"));
	CHECK_STR(jstr(p, "addon"), "pending");
	CHECK(jbool(p, "addon_file"));
	CHECK(jstr(p, "problem") == NULL);

	p = profile_named(r, "gone");
	CHECK(!jbool(p, "exists"));
	CHECK_STR(jstr(p, "addon"), "absent");
	CHECK(has(jstr(p, "problem"), "folder does not exist"));

	/* Garbage and huge files: a problem for that profile only. */
	p = profile_named(r, "garbage");
	CHECK_STR(jstr(p, "addon"), "unknown");
	CHECK(has(jstr(p, "problem"), "extensions.json: not valid JSON"));
	p = profile_named(r, "huge");
	CHECK_STR(jstr(p, "addon"), "unknown");
	CHECK(has(jstr(p, "problem"), "extensions.json is larger than"));
	p = profile_named(r, "dir");
	CHECK_STR(jstr(p, "addon"), "unknown");
	CHECK(has(jstr(p, "problem"), "not a regular file"));

	/* An absolute Path=, sideloaded and not yet enabled. */
	p = profile_named(r, "side");
	CHECK_STR(jstr(p, "path"), tpath("elsewhere/w.side"));
	CHECK_STR(jstr(p, "addon"), "waiting");
	p = profile_named(r, "nothing");
	CHECK_STR(jstr(p, "addon"), "absent");
	CHECK(jstr(p, "problem") == NULL);

	/* The text doctor prints. */
	f = open_memstream(&text, &textlen);
	report_print_install(f, r, false);
	fclose(f);
	CHECK(has(text, "profile        on (default)  "));
	CHECK(has(text, "add-on 0.1.0: enabled\n"));
	CHECK(has(text, "add-on: file in extensions/"));
	CHECK(has(text, "problem: the profile folder does not exist"));
	CHECK(has(text, "add-on         ok: enabled in profile \"on\"\n"));
	free(text);
	cJSON_Delete(r);

	/* Without the enabled one: the most hopeful state is named. */
	write_file(tpath("ph/.thunderbird/a.on/extensions.json"),
	    S("{\"addons\":[]}"), 0644);
	r = profiles_json(home);
	CHECK(!jbool(r, "addon_enabled"));
	CHECK(has(jstr(r, "addon_problem"), "profile \"side\" but waits, "
	    "disabled, for you to enable it"));
	f = open_memstream(&text, &textlen);
	report_print_install(f, r, false);
	fclose(f);
	CHECK(has(text, "add-on         the add-on is installed in profile "
	    "\"side\""));
	free(text);
	cJSON_Delete(r);

	/* No add-on anywhere: said plainly. */
	write_file(tpath("ph/.thunderbird/profiles.ini"), S("[Profile0]\n"
	    "Name=on\nIsRelative=1\nPath=a.on\n[Profile1]\nName=x\n"), 0644);
	r = profiles_json(home);
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r,
	    "profiles")) == 1);
	CHECK(has(jstr(r, "profiles_problem"), "1 profile in "));
	CHECK(!jbool(r, "addon_enabled"));
	CHECK(has(jstr(r, "addon_problem"), "no Thunderbird profile has the "
	    "add-on " DANE_SMIME_EXTENSION_ID));
	cJSON_Delete(r);

	/* A profiles.ini that is not text. */
	write_file(tpath("ph/.thunderbird/profiles.ini"), S("\xff\xfe[\0"),
	    0644);
	r = profiles_json(home);
	CHECK(has(jstr(r, "profiles_problem"), "profiles.ini is not UTF-8"));
	CHECK(!jbool(r, "addon_enabled"));
	cJSON_Delete(r);
}

/* install_check: the $HOME manifest first, and it wins. */
static void
test_home(void)
{
	cJSON *r, *arr, *first;
	char dir[600];

	setenv("HOME", tmp, 1);
	r = install_json();
	CHECK(r != NULL);
	arr = cJSON_GetObjectItemCaseSensitive(r, "manifests");
	CHECK(cJSON_GetArraySize(arr) == 3);
	first = cJSON_GetArrayItem(arr, 0);
	CHECK_STR(jstr(first, "path"),
	    tpath(".mozilla/native-messaging-hosts/dane_smime.json"));
	CHECK(!jbool(first, "exists"));
	CHECK(!jbool(first, "used"));
	CHECK_STR(jstr(cJSON_GetArrayItem(arr, 1), "path"),
	    "/usr/lib/mozilla/native-messaging-hosts/dane_smime.json");
	CHECK_STR(jstr(cJSON_GetArrayItem(arr, 2), "path"),
	    "/usr/lib64/mozilla/native-messaging-hosts/dane_smime.json");
	/* ok iff some manifest is used and clean; problem iff not ok. */
	CHECK(jbool(r, "ok") == (jstr(r, "problem") == NULL));
	/* The profiles are part of it. */
	CHECK(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(r, "profiles")));
	CHECK(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(r,
	    "addon_enabled")));
	CHECK_STR(jstr(r, "profiles_ini"), tpath(".thunderbird/profiles.ini"));
	cJSON_Delete(r);

	snprintf(dir, sizeof(dir), "%s/.mozilla", tmp);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/.mozilla/native-messaging-hosts", tmp);
	mkdir(dir, 0755);
	write_file(tpath(".mozilla/native-messaging-hosts/dane_smime.json"),
	    S(manifest(tpath("host-ok"), DANE_SMIME_EXTENSION_ID)), 0644);
	r = install_json();
	arr = cJSON_GetObjectItemCaseSensitive(r, "manifests");
	first = cJSON_GetArrayItem(arr, 0);
	CHECK(jbool(first, "exists"));
	CHECK(jbool(first, "used"));
	CHECK(!jbool(cJSON_GetArrayItem(arr, 1), "used"));
	CHECK(!jbool(cJSON_GetArrayItem(arr, 2), "used"));
	CHECK(jbool(r, "ok"));
	CHECK(jstr(r, "problem") == NULL);
	cJSON_Delete(r);

	/* A broken user manifest shadows any system one. */
	write_file(tpath(".mozilla/native-messaging-hosts/dane_smime.json"),
	    S(manifest(tpath("host-ok"), "someone@else")), 0644);
	r = install_json();
	CHECK(!jbool(r, "ok"));
	CHECK(has(jstr(r, "problem"), "/.mozilla/native-messaging-hosts/"
	    "dane_smime.json: \"allowed_extensions\" does not name"));
	cJSON_Delete(r);

	/* No HOME: only the system folders. */
	unsetenv("HOME");
	r = install_json();
	arr = cJSON_GetObjectItemCaseSensitive(r, "manifests");
	CHECK(cJSON_GetArraySize(arr) == 2);
	cJSON_Delete(r);
	setenv("HOME", "relative", 1);
	r = install_json();
	arr = cJSON_GetObjectItemCaseSensitive(r, "manifests");
	CHECK(cJSON_GetArraySize(arr) == 2);
	cJSON_Delete(r);
}

int
main(void)
{
	char cmd[700];
	int rc;

	/* $TMPDIR first: fake hosts must run from there (noexec /tmp). */
	snprintf(tmp, sizeof(tmp), "%s/test_install_check.XXXXXX",
	    getenv("TMPDIR") != NULL && getenv("TMPDIR")[0] == '/' ?
	    getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	write_file(tpath("host-ok"), S("#!/bin/sh\n"
	    "[ \"$1\" = --version ] || exit 9\n"
	    "echo 'dane-smime 9.9.9 (protocol 1)'\n"), 0755);
	write_file(tpath("host-noexec"), S("#!/bin/sh\necho x\n"), 0644);
	write_file(tpath("host-fail"), S("#!/bin/sh\n"
	    "echo 'dane-smime 9.9.9'\nexit 3\n"), 0755);
	write_file(tpath("host-other"), S("#!/bin/sh\necho 'firefox 1'\n"),
	    0755);
	write_file(tpath("host-noexec-format"), S("\x7f" "ELF garbage"),
	    0755);
	write_file(tpath("host-signal"), S("#!/bin/sh\nkill -9 $$\n"), 0755);
	/* exec keeps the pipe held by sleep itself, so only the kill ends it */
	write_file(tpath("host-hang"), S("#!/bin/sh\nexec sleep 60\n"), 0755);

	test_good();
	test_missing();
	test_bad_manifests();
	test_bad_hosts();
	test_hanging_host();
	test_profiles_ini();
	test_addon_state();
	test_profile_files();
	test_home();

	rc = t_done("install_check");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
	return rc;
}
