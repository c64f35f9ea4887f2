/* test_install_check.c - the installation check (host/install_check.c):
 * manifests Thunderbird would accept or refuse, hosts that run or not,
 * and the $HOME folder coming first. Works in a temporary directory that
 * also serves as HOME; fake hosts are /bin/sh scripts. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../host/install_check.h"
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

/* Writes text to file `name` and checks it. */
static cJSON *
check_text(const char *name, const char *text, size_t len)
{
	write_file(tpath(name), text, len, 0644);
	return install_check_manifest(tpath(name));
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
	cJSON *e = install_check_manifest(tpath("absent/dane_smime.json"));

	CHECK(e != NULL);
	CHECK(!jbool(e, "exists"));
	CHECK(!jbool(e, "valid"));
	CHECK(!jbool(e, "host_ok"));
	CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(e, "host_path")));
	CHECK(jstr(e, "problem") == NULL);
	cJSON_Delete(e);

	/* A path through a regular file (ENOTDIR) is absent too. */
	e = install_check_manifest(tpath("host-ok/dane_smime.json"));
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
	e = install_check_manifest(tpath("dir.json"));
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

/* install_check_json: the $HOME manifest first, and it wins. */
static void
test_home(void)
{
	cJSON *r, *arr, *first;
	char dir[600];

	setenv("HOME", tmp, 1);
	r = install_check_json();
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
	cJSON_Delete(r);

	snprintf(dir, sizeof(dir), "%s/.mozilla", tmp);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/.mozilla/native-messaging-hosts", tmp);
	mkdir(dir, 0755);
	write_file(tpath(".mozilla/native-messaging-hosts/dane_smime.json"),
	    S(manifest(tpath("host-ok"), DANE_SMIME_EXTENSION_ID)), 0644);
	r = install_check_json();
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
	r = install_check_json();
	CHECK(!jbool(r, "ok"));
	CHECK(has(jstr(r, "problem"), "/.mozilla/native-messaging-hosts/"
	    "dane_smime.json: \"allowed_extensions\" does not name"));
	cJSON_Delete(r);

	/* No HOME: only the system folders. */
	unsetenv("HOME");
	r = install_check_json();
	arr = cJSON_GetObjectItemCaseSensitive(r, "manifests");
	CHECK(cJSON_GetArraySize(arr) == 2);
	cJSON_Delete(r);
	setenv("HOME", "relative", 1);
	r = install_check_json();
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
	test_home();

	rc = t_done("install_check");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
	return rc;
}
