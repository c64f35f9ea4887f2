/* install_check.c - native-messaging installation check; see
 * install_check.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dslimits.h"
#include "install_check.h"
#include "pkcs11check.h"
#include "readfile.h"
#include "report.h"
#include "tbprofile.h"
#include "utf8.h"

/* These belong in dslimits.h; kept here until they are moved there. */

#define NM_SUBDIR	"mozilla/native-messaging-hosts/"
#define VERSION_PREFIX	"dane-smime "

extern char **environ;

/* The result of checking one manifest, before it becomes JSON. */
struct mcheck {
	bool	 exists;
	bool	 valid;
	bool	 host_ok;
	bool	 id_allowed;
	char	*host_path;	/* valid UTF-8 text or NULL */
	char	*host_version;	/* first line of --version or NULL */
	cJSON	*allowed;	/* array of strings */
	char	 problem[512];	/* "" if none */
};

static void
setproblem(struct mcheck *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
setproblem(struct mcheck *m, const char *fmt, ...)
{
	va_list ap;

	/* Keep the first: it is the one to fix first. */
	if (m->problem[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(m->problem, sizeof(m->problem), fmt, ap);
	va_end(ap);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Runs `path --version` with stdin from /dev/null and stderr discarded,
 * as Thunderbird would start it (minus the arguments). Keeps at most
 * outmax-1 bytes of stdout in out (NUL-terminated). Returns 0 with
 * *status from waitpid, 1 with *timed_out or errno in *err when it could
 * not be run to the end, -1 on our failure.
 */
static int
run_version(const char *path, char *out, size_t outmax, int *status,
    bool *timed_out, int *err)
{
	posix_spawn_file_actions_t fa;
	char *argv[3];
	char scratch[256];
	struct pollfd pfd;
	size_t have = 0;
	long long deadline;
	pid_t pid = -1;
	ssize_t r;
	int p[2] = { -1, -1 }, rc = -1, fa_ok = 0, w, e;

	*status = 0;
	*timed_out = false;
	*err = 0;
	out[0] = '\0';
	if (pipe2(p, O_CLOEXEC) == -1)
		goto out;
	if (posix_spawn_file_actions_init(&fa) != 0)
		goto out;
	fa_ok = 1;
	if (posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
	    0) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, p[1], 1) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY,
	    0) != 0)
		goto out;
	argv[0] = (char *)path;
	argv[1] = (char *)"--version";
	argv[2] = NULL;
	if ((e = posix_spawn(&pid, path, &fa, NULL, argv, environ)) != 0) {
		/* glibc reports exec failures (ENOEXEC, EACCES) here. */
		pid = -1;
		*err = e;
		rc = 1;
		goto out;
	}
	close(p[1]);
	p[1] = -1;

	deadline = now_ms() + DS_INSTALL_CHECK_TIMEOUT_MS;
	for (;;) {
		long long left = deadline - now_ms();

		if (left <= 0) {
			*timed_out = true;
			break;
		}
		pfd.fd = p[0];
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)left) == -1) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		if (pfd.revents == 0)
			continue;
		if (have + 1 < outmax)
			r = read(p[0], out + have, outmax - 1 - have);
		else	/* keep draining so the child is not blocked */
			r = read(p[0], scratch, sizeof(scratch));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (have + 1 < outmax)
			have += (size_t)r;
	}
	out[have] = '\0';
	if (*timed_out)
		kill(pid, SIGKILL);
	while ((w = waitpid(pid, status, 0)) == -1 && errno == EINTR)
		;
	pid = -1;
	if (w == -1) {
		*err = errno;	/* ECHILD when SIGCHLD is ignored */
		rc = 1;
		goto out;
	}
	rc = *timed_out ? 1 : 0;
out:
	if (pid != -1) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
	}
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	if (p[0] != -1)
		close(p[0]);
	if (p[1] != -1)
		close(p[1]);
	return rc;
}

/* Checks the binary a manifest names. -1 on OOM, else 0. */
static int
check_host(struct mcheck *m)
{
	struct stat st;
	char out[DS_MAX_VERSION_OUTPUT + 1];
	size_t n;
	bool timed_out;
	int status, err, r;

	if (stat(m->host_path, &st) == -1) {
		setproblem(m, "the host %s named by \"path\" cannot be used: "
		    "%s", m->host_path, strerror(errno));
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		setproblem(m, "the host %s named by \"path\" is not a "
		    "regular file", m->host_path);
		return 0;
	}
	if (access(m->host_path, X_OK) == -1) {
		/* Thunderbird then says "An unexpected error occurred". */
		setproblem(m, "the host %s is not executable (chmod +x)",
		    m->host_path);
		return 0;
	}
	r = run_version(m->host_path, out, sizeof(out), &status, &timed_out,
	    &err);
	if (r == -1)
		return -1;
	if (r == 1 && timed_out) {
		setproblem(m, "%s --version did not finish within %u ms",
		    m->host_path, (unsigned)DS_INSTALL_CHECK_TIMEOUT_MS);
		return 0;
	}
	if (r == 1) {
		setproblem(m, "%s --version could not be run: %s",
		    m->host_path, strerror(err));
		return 0;
	}
	if (WIFSIGNALED(status)) {
		setproblem(m, "%s --version was killed by signal %d",
		    m->host_path, WTERMSIG(status));
		return 0;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		setproblem(m, "%s --version exited with status %d",
		    m->host_path, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return 0;
	}
	n = strcspn(out, "\r\n");
	out[n] = '\0';
	if (n < strlen(VERSION_PREFIX) || strncmp(out, VERSION_PREFIX,
	    strlen(VERSION_PREFIX)) != 0 || !utf8_valid_text(out, n)) {
		setproblem(m, "%s does not look like dane-smime: --version "
		    "did not print \"dane-smime VERSION\"", m->host_path);
		return 0;
	}
	if ((m->host_version = strdup(out)) == NULL)
		return -1;
	m->host_ok = true;
	return 0;
}

/* A string member that is valid UTF-8 text, or NULL. */
static const char *
text_member(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsString(v) || v->valuestring == NULL ||
	    !utf8_valid_text(v->valuestring, strlen(v->valuestring)))
		return NULL;
	return v->valuestring;
}

/*
 * Judges the parsed manifest. Thunderbird (Firefox's NativeManifests)
 * uses JSON.parse, where the last duplicate key wins, and cJSON keeps
 * the first: a duplicate makes the file ambiguous, so it is invalid.
 * Returns -1 on OOM, else 0.
 */
static int
check_manifest_json(struct mcheck *m, const cJSON *root)
{
	const cJSON *c, *d, *ext, *it;
	const char *name, *path, *type;
	cJSON *s;
	bool ok = true;

	if (!cJSON_IsObject(root)) {
		setproblem(m, "not a JSON object");
		return 0;
	}
	for (c = root->child; c != NULL; c = c->next)
		for (d = c->next; d != NULL; d = d->next)
			if (c->string != NULL && d->string != NULL &&
			    strcmp(c->string, d->string) == 0) {
				setproblem(m, "key \"%s\" appears twice",
				    c->string);
				ok = false;
			}

	name = text_member(root, "name");
	if (name == NULL || strcmp(name, INSTALL_HOST_NAME) != 0) {
		/* Thunderbird compares it with the name it was asked for. */
		setproblem(m, "\"name\" must be \"%s\" (the file's name)",
		    INSTALL_HOST_NAME);
		ok = false;
	}
	if (text_member(root, "description") == NULL) {
		setproblem(m, "\"description\" is missing");
		ok = false;
	}
	type = text_member(root, "type");
	if (type == NULL || strcmp(type, "stdio") != 0) {
		setproblem(m, "\"type\" must be \"stdio\"");
		ok = false;
	}
	path = text_member(root, "path");
	if (path != NULL && (m->host_path = strdup(path)) == NULL)
		return -1;
	if (path == NULL || path[0] != '/') {
		/* Only Windows allows a path relative to the manifest. */
		setproblem(m, "\"path\" must be the absolute path of the "
		    "dane-smime binary");
		ok = false;
	}

	ext = cJSON_GetObjectItemCaseSensitive(root, "allowed_extensions");
	if (!cJSON_IsArray(ext) || cJSON_GetArraySize(ext) == 0) {
		setproblem(m, "\"allowed_extensions\" must be a non-empty "
		    "array of add-on ids");
		ok = false;
	} else {
		cJSON_ArrayForEach(it, ext) {
			if (!cJSON_IsString(it) || it->valuestring == NULL ||
			    !utf8_valid_text(it->valuestring,
			    strlen(it->valuestring))) {
				setproblem(m, "\"allowed_extensions\" holds "
				    "something that is not an add-on id");
				ok = false;
				continue;
			}
			if (strcmp(it->valuestring,
			    DANE_SMIME_EXTENSION_ID) == 0)
				m->id_allowed = true;
			if ((s = cJSON_CreateString(it->valuestring)) == NULL)
				return -1;
			cJSON_AddItemToArray(m->allowed, s);
		}
	}
	m->valid = ok;
	if (ok && !m->id_allowed)
		setproblem(m, "\"allowed_extensions\" does not name the "
		    "add-on id %s: Thunderbird answers \"No such native "
		    "application %s\"", DANE_SMIME_EXTENSION_ID,
		    INSTALL_HOST_NAME);
	if (m->host_path != NULL && m->host_path[0] == '/')
		return check_host(m);
	return 0;
}

/* Fills *m for the file at path. -1 on OOM, else 0. */
static int
check_file(struct mcheck *m, const char *path)
{
	cJSON *root = NULL;
	const char *end = NULL;
	char *buf = NULL;
	size_t len;
	int r, rc = -1;

	r = read_file_bounded(path, DS_MAX_MANIFEST_BYTES, &buf, &len);
	if (r == -1)
		goto out;
	if (r == ENOENT || r == ENOTDIR) {
		rc = 0;
		goto out;
	}
	m->exists = true;
	if (r == EFBIG) {
		setproblem(m, "larger than %u bytes: not a manifest",
		    (unsigned)DS_MAX_MANIFEST_BYTES);
		rc = 0;
		goto out;
	}
	if (r == ENODEV) {
		setproblem(m, "not a regular file");
		rc = 0;
		goto out;
	}
	if (r != 0) {
		setproblem(m, "cannot be read: %s", strerror(r));
		rc = 0;
		goto out;
	}
	/* RFC 8259 8.1: JSON text is UTF-8; cJSON does not check. */
	if (memchr(buf, '\0', len) != NULL || !utf8_valid(buf, len)) {
		setproblem(m, "not UTF-8 JSON text (RFC 8259 8.1)");
		rc = 0;
		goto out;
	}
	root = cJSON_ParseWithOpts(buf, &end, 1);
	if (root == NULL) {
		/* cJSON 1.7 cannot tell OOM from bad JSON; a manifest is
		 * tiny, so bad JSON is by far the likelier. */
		if (end == NULL || end < buf || end > buf + len)
			end = buf;
		setproblem(m, "not valid JSON (RFC 8259) near byte %zu",
		    (size_t)(end - buf));
		rc = 0;
		goto out;
	}
	rc = check_manifest_json(m, root);
out:
	cJSON_Delete(root);
	free(buf);
	return rc;
}

static cJSON *
entry_json(const char *path, const struct mcheck *m)
{
	cJSON *o, *v;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (cJSON_AddStringToObject(o, "path", path) == NULL ||
	    cJSON_AddBoolToObject(o, "exists", m->exists) == NULL ||
	    cJSON_AddBoolToObject(o, "used", 0) == NULL ||
	    cJSON_AddBoolToObject(o, "valid", m->valid) == NULL)
		goto fail;
	v = m->host_path != NULL ? cJSON_CreateString(m->host_path) :
	    cJSON_CreateNull();
	if (v == NULL)
		goto fail;
	cJSON_AddItemToObject(o, "host_path", v);
	if (cJSON_AddBoolToObject(o, "host_ok", m->host_ok) == NULL)
		goto fail;
	if (m->host_version != NULL && cJSON_AddStringToObject(o,
	    "host_version", m->host_version) == NULL)
		goto fail;
	if ((v = cJSON_Duplicate(m->allowed, 1)) == NULL)
		goto fail;
	cJSON_AddItemToObject(o, "allowed_extensions", v);
	if (cJSON_AddBoolToObject(o, "id_allowed", m->id_allowed) == NULL)
		goto fail;
	if (m->problem[0] != '\0' && cJSON_AddStringToObject(o, "problem",
	    m->problem) == NULL)
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

cJSON *
install_check_manifest(const char *path)
{
	struct mcheck m;
	cJSON *o = NULL;

	memset(&m, 0, sizeof(m));
	if ((m.allowed = cJSON_CreateArray()) == NULL)
		goto out;
	if (check_file(&m, path) == -1)
		goto out;
	o = entry_json(path, &m);
out:
	cJSON_Delete(m.allowed);
	free(m.host_path);
	free(m.host_version);
	return o;
}

/* Sets a bool member that entry_json created. */
static void
set_bool(cJSON *o, const char *key, bool b)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (v != NULL)
		v->type = b ? cJSON_True : cJSON_False;
}

int
install_check_manifests(cJSON *arr, const char *home, const char *user_rel,
    const char *const *sys, size_t nsys, cJSON *(*check)(const char *path),
    cJSON **used)
{
	char *user = NULL;
	cJSON *e;
	size_t i, n;
	int rc = -1;

	*used = NULL;
	if (home != NULL && home[0] == '/') {
		n = strlen(home) + strlen(user_rel) + sizeof("/.");
		if ((user = malloc(n)) == NULL)
			goto out;
		snprintf(user, n, "%s/.%s", home, user_rel);
		if ((e = check(user)) == NULL)
			goto out;
		cJSON_AddItemToArray(arr, e);
	}
	for (i = 0; i < nsys; i++) {
		if ((e = check(sys[i])) == NULL)
			goto out;
		cJSON_AddItemToArray(arr, e);
	}
	cJSON_ArrayForEach(e, arr)
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e,
		    "exists"))) {
			set_bool(e, "used", true);
			*used = e;
			break;
		}
	rc = 0;
out:
	free(user);
	return rc;
}

cJSON *
install_check_json(void)
{
	static const char *const sys[] = {
		"/usr/lib/" NM_SUBDIR INSTALL_MANIFEST_FILE,
		"/usr/lib64/" NM_SUBDIR INSTALL_MANIFEST_FILE,
	};
	const char *home = getenv("HOME");
	const cJSON *ex, *pr, *hp;
	cJSON *root = NULL, *arr, *e, *used = NULL, *prof;
	struct pkcs11_report p11;
	char problem[768];
	bool ok = false;
	int rc;

	if ((root = cJSON_CreateObject()) == NULL)
		goto fail;
	if ((arr = cJSON_AddArrayToObject(root, "manifests")) == NULL)
		goto fail;
	/* Thunderbird's order: the user's folder, then the system's. */
	if (install_check_manifests(arr, home, NM_SUBDIR INSTALL_MANIFEST_FILE,
	    sys, sizeof(sys) / sizeof(sys[0]), install_check_manifest,
	    &used) != 0)
		goto fail;
	if (used == NULL) {
		snprintf(problem, sizeof(problem), "no %s in any folder "
		    "Thunderbird reads: install the package, or run "
		    "packaging/install-user.sh for this user",
		    INSTALL_MANIFEST_FILE);
	} else {
		ex = cJSON_GetObjectItemCaseSensitive(used, "path");
		pr = cJSON_GetObjectItemCaseSensitive(used, "problem");
		hp = cJSON_GetObjectItemCaseSensitive(used, "host_ok");
		if (cJSON_IsString(pr))
			snprintf(problem, sizeof(problem), "%s: %s",
			    ex->valuestring, pr->valuestring);
		else if (!cJSON_IsTrue(hp))
			snprintf(problem, sizeof(problem), "%s: the host "
			    "does not run", ex->valuestring);
		else
			ok = true;
	}
	if (cJSON_AddBoolToObject(root, "ok", ok) == NULL)
		goto fail;
	if (!ok && cJSON_AddStringToObject(root, "problem", problem) == NULL)
		goto fail;
	/* Which profiles have the add-on: the host alone is not enough. */
	if ((prof = install_check_profiles(home)) == NULL)
		goto fail;
	while ((e = prof->child) != NULL) {
		cJSON_DetachItemViaPointer(prof, e);
		/* The key is copied before the item's own is freed. */
		if (!cJSON_AddItemToObject(root, e->string, e)) {
			cJSON_Delete(e);
			cJSON_Delete(prof);
			goto fail;
		}
	}
	cJSON_Delete(prof);
	/* The live DANE token (pkcs11check.h); does not change "ok". */
	rc = pkcs11_check(home, &p11);
	e = rc == 0 ? report_pkcs11(&p11) : NULL;
	pkcs11_report_free(&p11);
	if (e == NULL)
		goto fail;
	if (!cJSON_AddItemToObject(root, "pkcs11", e)) {
		cJSON_Delete(e);
		goto fail;
	}
	return root;
fail:
	cJSON_Delete(root);
	return NULL;
}

/* --- Thunderbird profiles and the add-on ----------------------------- */

/* The profile states from best to worst, to name the most hopeful one
 * when none has the add-on enabled. */
static const char *const addon_rank[] = {
	"enabled", "waiting", "pending", "disabled", "inactive",
	"incompatible", "unknown", "absent",
};

static size_t
rank_of(const char *state)
{
	size_t i;

	for (i = 0; i < sizeof(addon_rank) / sizeof(addon_rank[0]); i++)
		if (strcmp(state, addon_rank[i]) == 0)
			return i;
	return sizeof(addon_rank) / sizeof(addon_rank[0]);
}

/* A malloc'ed "a/b", NULL on OOM. */
static char *
join(const char *a, const char *b)
{
	size_t n = strlen(a) + 1 + strlen(b) + 1;
	char *s = malloc(n);

	if (s != NULL)
		snprintf(s, n, "%s/%s", a, b);
	return s;
}

/* Reads a file of the user's Thunderbird. Returns 0 (*buf set), 1 when
 * it is absent (ENOENT, ENOTDIR), 2 when it cannot be used (problem
 * set), -1 on OOM. */
static int
read_tb_file(const char *path, size_t max, char **buf, size_t *len,
    char *problem, size_t plen)
{
	const char *base = strrchr(path, '/');
	int r;

	base = base != NULL ? base + 1 : path;
	r = read_file_bounded(path, max, buf, len);
	if (r == -1)
		return -1;
	if (r == 0)
		return 0;
	if (r == ENOENT || r == ENOTDIR)
		return 1;
	if (r == EFBIG)
		snprintf(problem, plen, "%s is larger than %zu bytes", base,
		    max);
	else if (r == ENODEV)
		snprintf(problem, plen, "%s is not a regular file", base);
	else
		snprintf(problem, plen, "%s cannot be read: %s", base,
		    strerror(r));
	return 2;
}

/* Fills one PROFILE object for the folder of t. -1 on OOM, else 0. */
static int
profile_json(cJSON *o, const struct tbprofile *t)
{
	struct stat st;
	struct tbaddon a;
	char problem[512], err[256], *json = NULL, *p = NULL;
	const char *state, *version = NULL;
	size_t len;
	bool exists, file = false;
	int r, rc = -1;

	problem[0] = '\0';
	exists = stat(t->path, &st) == 0 && S_ISDIR(st.st_mode);
	if (!exists) {
		state = "absent";
		snprintf(problem, sizeof(problem), "the profile folder does "
		    "not exist");
		goto done;
	}
	if ((p = join(t->path, "extensions/" DANE_SMIME_EXTENSION_ID
	    ".xpi")) == NULL)
		goto out;
	file = stat(p, &st) == 0 && S_ISREG(st.st_mode);
	free(p);
	if ((p = join(t->path, "extensions.json")) == NULL)
		goto out;
	r = read_tb_file(p, DS_MAX_EXTENSIONS_JSON_BYTES, &json, &len,
	    problem, sizeof(problem));
	if (r == -1)
		goto out;
	if (r == 2) {
		state = "unknown";
		goto done;
	}
	memset(&a, 0, sizeof(a));
	if (r == 0) {
		r = tbprofile_addon(json, len, DANE_SMIME_EXTENSION_ID, &a,
		    err, sizeof(err));
		if (r == -1)
			goto out;
		if (r == 1) {
			snprintf(problem, sizeof(problem), "extensions.json: "
			    "%s", err);
			state = "unknown";
			goto done;
		}
	}
	/* Not in the database (or no database yet: a profile Thunderbird
	 * never started), but the file is there: taken up at the next
	 * start. */
	if (a.state == TBADDON_ABSENT && file)
		state = "pending";
	else
		state = tbaddon_state_name(a.state);
	if (a.version[0] != '\0')
		version = a.version;
done:
	if (cJSON_AddBoolToObject(o, "exists", exists) == NULL ||
	    cJSON_AddStringToObject(o, "addon", state) == NULL ||
	    (version != NULL && cJSON_AddStringToObject(o, "addon_version",
	    version) == NULL) ||
	    cJSON_AddBoolToObject(o, "addon_file", file) == NULL ||
	    (problem[0] != '\0' && cJSON_AddStringToObject(o, "problem",
	    problem) == NULL))
		goto out;
	rc = 0;
out:
	free(json);
	free(p);
	return rc;
}

/* The sentence for "addon_problem" when no profile has it enabled. */
static void
addon_problem(char *buf, size_t n, const char *state, const char *name)
{
	if (strcmp(state, "waiting") == 0)
		snprintf(buf, n, "the add-on is installed in profile \"%s\" "
		    "but waits, disabled, for you to enable it: Thunderbird's "
		    "main menu (the three lines) shows \"DANE S/MIME added to "
		    "Thunderbird\", choose it, then Enable; or Add-ons and "
		    "Themes, DANE S/MIME, Enable", name);
	else if (strcmp(state, "pending") == 0)
		snprintf(buf, n, "the add-on file is in profile \"%s\"; "
		    "Thunderbird takes it up at its next start (restart it) "
		    "and then asks you to enable it", name);
	else if (strcmp(state, "disabled") == 0)
		snprintf(buf, n, "the add-on is disabled in profile \"%s\": "
		    "enable it in Add-ons and Themes", name);
	else if (strcmp(state, "inactive") == 0)
		snprintf(buf, n, "the add-on is installed in profile \"%s\" "
		    "but not running: restart Thunderbird", name);
	else if (strcmp(state, "incompatible") == 0)
		snprintf(buf, n, "Thunderbird disabled the add-on in profile "
		    "\"%s\" as incompatible with this version", name);
	else
		snprintf(buf, n, "no Thunderbird profile has the add-on %s: "
		    "run packaging/install-user.sh --profile NAME, or in "
		    "Thunderbird: Add-ons and Themes, gear menu, Install "
		    "Add-on From File, and choose dane-smime.xpi",
		    DANE_SMIME_EXTENSION_ID);
}

cJSON *
install_check_profiles(const char *home)
{
	struct tbprofile_list l = { NULL, 0, 0 };
	cJSON *root = NULL, *arr, *o;
	const char *best = NULL, *best_name = NULL, *st;
	char problem[512], *dir = NULL, *ini = NULL, *inst = NULL;
	char *ibuf = NULL, *ipath = NULL;
	size_t len, ilen = 0, i;
	int r;
	bool ok = false;

	problem[0] = '\0';
	if ((root = cJSON_CreateObject()) == NULL)
		goto fail;
	if (home == NULL || home[0] != '/') {
		if (cJSON_AddNullToObject(root, "profiles_ini") == NULL)
			goto fail;
		snprintf(problem, sizeof(problem), "HOME is not set: no "
		    "Thunderbird profiles to look at");
	} else {
		if ((dir = join(home, ".thunderbird")) == NULL ||
		    (ipath = join(dir, "profiles.ini")) == NULL ||
		    cJSON_AddStringToObject(root, "profiles_ini", ipath) ==
		    NULL)
			goto fail;
		r = read_tb_file(ipath, DS_MAX_PROFILES_INI_BYTES, &ini, &len,
		    problem, sizeof(problem));
		if (r == -1)
			goto fail;
		if (r == 1)
			snprintf(problem, sizeof(problem), "%s does not exist: "
			    "Thunderbird has not been started as this user",
			    ipath);
		if (r == 0) {
			free(ipath);
			if ((ipath = join(dir, "installs.ini")) == NULL)
				goto fail;
			/* Only the default marks come from here. */
			r = read_tb_file(ipath, DS_MAX_PROFILES_INI_BYTES,
			    &ibuf, &ilen, problem, sizeof(problem));
			if (r == -1)
				goto fail;
			problem[0] = '\0';
			inst = r == 0 ? ibuf : NULL;
			r = tbprofile_parse(ini, len, inst, ilen, dir, &l,
			    problem, sizeof(problem));
			if (r == -1)
				goto fail;
		}
	}
	if ((arr = cJSON_AddArrayToObject(root, "profiles")) == NULL)
		goto fail;
	for (i = 0; i < l.n; i++) {
		if ((o = cJSON_CreateObject()) == NULL)
			goto fail;
		cJSON_AddItemToArray(arr, o);
		if (cJSON_AddStringToObject(o, "name", l.v[i].name) == NULL ||
		    cJSON_AddStringToObject(o, "path", l.v[i].path) == NULL ||
		    cJSON_AddBoolToObject(o, "default", l.v[i].is_default) ==
		    NULL || profile_json(o, &l.v[i]) == -1)
			goto fail;
		st = cJSON_GetObjectItemCaseSensitive(o, "addon")->valuestring;
		if (best == NULL || rank_of(st) < rank_of(best) ||
		    (rank_of(st) == rank_of(best) && l.v[i].is_default)) {
			best = st;
			best_name = l.v[i].name;
		}
	}
	if (problem[0] == '\0' && l.n == 0)
		snprintf(problem, sizeof(problem), "%s lists no profile",
		    ipath);
	if (problem[0] == '\0' && l.skipped > 0)
		snprintf(problem, sizeof(problem), "%zu profile%s in %s left "
		    "out (no Name, Path or IsRelative, not UTF-8 text, or "
		    "more than %u)", l.skipped, l.skipped == 1 ? "" : "s",
		    ipath, (unsigned)DS_MAX_PROFILES);
	if (problem[0] != '\0' && cJSON_AddStringToObject(root,
	    "profiles_problem", problem) == NULL)
		goto fail;
	ok = best != NULL && strcmp(best, "enabled") == 0;
	if (cJSON_AddBoolToObject(root, "addon_enabled", ok) == NULL)
		goto fail;
	if (!ok) {
		addon_problem(problem, sizeof(problem), best != NULL ? best :
		    "absent", best_name != NULL ? best_name : "");
		if (cJSON_AddStringToObject(root, "addon_problem", problem) ==
		    NULL)
			goto fail;
	}
	goto out;
fail:
	cJSON_Delete(root);
	root = NULL;
out:
	tbprofile_list_free(&l);
	free(dir);
	free(ini);
	free(ibuf);
	free(ipath);
	return root;
}
