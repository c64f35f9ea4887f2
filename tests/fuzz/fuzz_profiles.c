/* fuzz_profiles.c - Thunderbird's profile files (host/token/tbprofile.c): the
 * input is profiles.ini, and up to a 0xff byte (never in UTF-8) the
 * part after it installs.ini; the whole input is also tried as a
 * profile's extensions.json. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../host/base/dslimits.h"
#include "../../host/token/tbprofile.h"
#include "../../host/base/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const char *s)
{
	if (s == NULL || s[0] == '\0' || !utf8_valid_text(s, strlen(s)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data, *inst = NULL;
	const uint8_t *ff = memchr(data, 0xff, size);
	struct tbprofile_list l;
	struct tbaddon a;
	char err[256];
	size_t len = size, ilen = 0, i;
	int rc;

	if (ff != NULL) {
		len = (size_t)(ff - data);
		inst = (const char *)ff + 1;
		ilen = size - len - 1;
	}
	err[0] = '\0';
	rc = tbprofile_parse(d, len, inst, ilen, "/home/u/.thunderbird", &l,
	    err, sizeof(err));
	if (rc == 0) {
		if (l.n > DS_MAX_PROFILES)
			abort();
		for (i = 0; i < l.n; i++) {
			check_text(l.v[i].name);
			check_text(l.v[i].path);
			if (l.v[i].path[0] != '/')
				abort();
		}
	} else if (rc == 1) {
		if (err[0] == '\0' || l.n != 0 || l.v != NULL)
			abort();
	} else
		abort();	/* OOM does not happen here */
	tbprofile_list_free(&l);

	err[0] = '\0';
	rc = tbprofile_addon(d, size, "dane-smime@dane-smime.org", &a, err,
	    sizeof(err));
	if (rc == 0) {
		if (a.state > TBADDON_INACTIVE ||
		    memchr(a.version, '\0', sizeof(a.version)) == NULL ||
		    !utf8_valid_text(a.version, strlen(a.version)))
			abort();
	} else if (rc == 1) {
		if (err[0] == '\0' || a.state != TBADDON_ABSENT)
			abort();
	} else
		abort();
	return 0;
}
