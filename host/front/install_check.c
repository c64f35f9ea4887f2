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

#include <cjson/cJSON.h>

#include "dslimits.h"
#include "install_check.h"
#include "pkcs11check.h"
#include "readfile.h"
#include "tbprofile.h"
#include "utf8.h"

/* These belong in dslimits.h; kept here until they are moved there. */

#define NM_SUBDIR	"mozilla/native-messaging-hosts/"
#define VERSION_PREFIX	"dane-smime "

extern char **environ;

static void
setproblem(struct install_manifest *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
setproblem(struct install_manifest *m, const char *fmt, ...)
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
check_host(struct install_manifest *m)
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

/* Appends a copy of id to m->allowed. -1 on OOM, else 0. */
static int
add_allowed(struct install_manifest *m, const char *id)
{
	char **v;
	size_t cap;

	if (m->nallowed == m->allowed_cap) {
		cap = m->allowed_cap == 0 ? 4 : m->allowed_cap * 2;
		if ((v = realloc(m->allowed, cap * sizeof(*v))) == NULL)
			return -1;
		m->allowed = v;
		m->allowed_cap = cap;
	}
	if ((m->allowed[m->nallowed] = strdup(id)) == NULL)
		return -1;
	m->nallowed++;
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
check_manifest_json(struct install_manifest *m, const cJSON *root)
{
	const cJSON *c, *d, *ext, *it;
	const char *name, *path, *type;
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
			if (add_allowed(m, it->valuestring) == -1)
				return -1;
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
check_file(struct install_manifest *m, const char *path)
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

int
install_check_manifest(const char *path, struct install_manifest *m)
{
	memset(m, 0, sizeof(*m));
	if ((m->path = strdup(path)) == NULL)
		return -1;
	return check_file(m, path);
}

void
install_manifest_free(struct install_manifest *m)
{
	size_t i;

	free(m->path);
	free(m->host_path);
	free(m->host_version);
	for (i = 0; i < m->nallowed; i++)
		free(m->allowed[i]);
	free(m->allowed);
	memset(m, 0, sizeof(*m));
}

int
install_check(struct install_report *r)
{
	static const char *const sys[] = {
		"/usr/lib/" NM_SUBDIR INSTALL_MANIFEST_FILE,
		"/usr/lib64/" NM_SUBDIR INSTALL_MANIFEST_FILE,
	};
	const char *home = getenv("HOME");
	struct install_manifest *used = NULL;
	char *user = NULL;
	size_t i, n;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	/* Thunderbird's order: the user's folder, then the system's. */
	if (home != NULL && home[0] == '/') {
		n = strlen(home) + strlen(NM_SUBDIR INSTALL_MANIFEST_FILE) +
		    sizeof("/.");
		if ((user = malloc(n)) == NULL)
			goto out;
		snprintf(user, n, "%s/.%s", home,
		    NM_SUBDIR INSTALL_MANIFEST_FILE);
		if (install_check_manifest(user,
		    &r->manifests[r->nmanifests++]) == -1)
			goto out;
	}
	for (i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
		if (install_check_manifest(sys[i],
		    &r->manifests[r->nmanifests++]) == -1)
			goto out;
	for (i = 0; i < r->nmanifests; i++)
		if (r->manifests[i].exists) {
			used = &r->manifests[i];
			used->used = true;
			break;
		}
	if (used == NULL) {
		snprintf(r->problem, sizeof(r->problem), "no %s in any "
		    "folder Thunderbird reads: install the package, or run "
		    "packaging/install-user.sh for this user",
		    INSTALL_MANIFEST_FILE);
	} else if (used->problem[0] != '\0') {
		snprintf(r->problem, sizeof(r->problem), "%s: %s",
		    used->path, used->problem);
	} else if (!used->host_ok) {
		snprintf(r->problem, sizeof(r->problem), "%s: the host does "
		    "not run", used->path);
	} else
		r->ok = true;
	/* Which profiles have the add-on: the host alone is not enough. */
	if (install_check_profiles(home, &r->profiles) == -1)
		goto out;
	/* The live DANE token (pkcs11check.h); does not change "ok". */
	if (pkcs11_check(home, &r->pkcs11) == -1)
		goto out;
	rc = 0;
out:
	free(user);
	return rc;
}

void
install_report_free(struct install_report *r)
{
	size_t i;

	for (i = 0; i < r->nmanifests; i++)
		install_manifest_free(&r->manifests[i]);
	install_profiles_free(&r->profiles);
	pkcs11_report_free(&r->pkcs11);
	memset(r, 0, sizeof(*r));
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

/* Fills one PROFILE for the folder of t. -1 on OOM, else 0. */
static int
check_profile(struct install_profile *o, const struct tbprofile *t)
{
	struct stat st;
	struct tbaddon a;
	char *problem = o->problem, err[256], *json = NULL, *p = NULL;
	const char *state, *version = NULL;
	size_t len;
	bool exists, file = false;
	int r, rc = -1;

	problem[0] = '\0';
	exists = stat(t->path, &st) == 0 && S_ISDIR(st.st_mode);
	if (!exists) {
		state = "absent";
		snprintf(problem, sizeof(o->problem), "the profile folder does "
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
	    problem, sizeof(o->problem));
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
			snprintf(problem, sizeof(o->problem), "extensions.json: "
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
	o->exists = exists;
	o->addon = state;
	if (version != NULL)
		snprintf(o->addon_version, sizeof(o->addon_version), "%s",
		    version);
	o->addon_file = file;
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

int
install_check_profiles(const char *home, struct install_profiles *p)
{
	struct tbprofile_list l = { NULL, 0, 0 };
	struct install_profile *o;
	const char *best = NULL, *best_name = NULL;
	char *problem = p->profiles_problem, *dir = NULL, *ini = NULL;
	char *inst = NULL, *ibuf = NULL, *ipath = NULL;
	size_t len, ilen = 0, i;
	int r, rc = -1;

	memset(p, 0, sizeof(*p));
	if (home == NULL || home[0] != '/') {
		snprintf(problem, sizeof(p->profiles_problem), "HOME is not "
		    "set: no Thunderbird profiles to look at");
	} else {
		if ((dir = join(home, ".thunderbird")) == NULL ||
		    (ipath = join(dir, "profiles.ini")) == NULL ||
		    (p->profiles_ini = strdup(ipath)) == NULL)
			goto out;
		r = read_tb_file(ipath, DS_MAX_PROFILES_INI_BYTES, &ini, &len,
		    problem, sizeof(p->profiles_problem));
		if (r == -1)
			goto out;
		if (r == 1)
			snprintf(problem, sizeof(p->profiles_problem), "%s "
			    "does not exist: Thunderbird has not been started "
			    "as this user", ipath);
		if (r == 0) {
			free(ipath);
			if ((ipath = join(dir, "installs.ini")) == NULL)
				goto out;
			/* Only the default marks come from here. */
			r = read_tb_file(ipath, DS_MAX_PROFILES_INI_BYTES,
			    &ibuf, &ilen, problem,
			    sizeof(p->profiles_problem));
			if (r == -1)
				goto out;
			problem[0] = '\0';
			inst = r == 0 ? ibuf : NULL;
			r = tbprofile_parse(ini, len, inst, ilen, dir, &l,
			    problem, sizeof(p->profiles_problem));
			if (r == -1)
				goto out;
		}
	}
	if (l.n > 0 && (p->v = calloc(l.n, sizeof(*p->v))) == NULL)
		goto out;
	for (i = 0; i < l.n; i++) {
		o = &p->v[p->n++];
		if ((o->name = strdup(l.v[i].name)) == NULL ||
		    (o->path = strdup(l.v[i].path)) == NULL)
			goto out;
		o->is_default = l.v[i].is_default;
		if (check_profile(o, &l.v[i]) == -1)
			goto out;
		if (best == NULL || rank_of(o->addon) < rank_of(best) ||
		    (rank_of(o->addon) == rank_of(best) &&
		    l.v[i].is_default)) {
			best = o->addon;
			best_name = o->name;
		}
	}
	if (problem[0] == '\0' && l.n == 0)
		snprintf(problem, sizeof(p->profiles_problem), "%s lists no "
		    "profile", ipath);
	if (problem[0] == '\0' && l.skipped > 0)
		snprintf(problem, sizeof(p->profiles_problem), "%zu profile%s "
		    "in %s left out (no Name, Path or IsRelative, not UTF-8 "
		    "text, or more than %u)", l.skipped,
		    l.skipped == 1 ? "" : "s", ipath,
		    (unsigned)DS_MAX_PROFILES);
	p->addon_enabled = best != NULL && strcmp(best, "enabled") == 0;
	if (!p->addon_enabled)
		addon_problem(p->addon_problem, sizeof(p->addon_problem),
		    best != NULL ? best : "absent",
		    best_name != NULL ? best_name : "");
	rc = 0;
out:
	tbprofile_list_free(&l);
	free(dir);
	free(ini);
	free(ibuf);
	free(ipath);
	return rc;
}

void
install_profiles_free(struct install_profiles *p)
{
	size_t i;

	free(p->profiles_ini);
	for (i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].path);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}
