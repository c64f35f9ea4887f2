/* tcwrite.c - the host's token cache write: never a certificate the user
 * distrusts (issue 17); see tokencache.h and distrust.h.
 *
 * Apart from tokencache.c because the PKCS#11 module links that file on
 * its own: the module only reads the cache and must not pull in SQLite.
 */
#include <stdbool.h>
#include <stddef.h>

#include "distrust.h"
#include "log.h"
#include "tokencache.h"

int
tokencache_save(const char *path, const struct tokencache *tc, char *err,
    size_t errlen)
{
	struct distrust_set set = { NULL, 0, 0 };
	struct distrust_report rep;
	struct tokencache out = { NULL, 0, 0 };
	size_t withheld = 0, demoted = 0;
	int r, rc = -1;

	/* Read again at every write: the user may have distrusted a
	 * certificate in Thunderbird since the last one (a few ms). */
	if ((r = distrust_read_user(NULL, &set, &rep)) < 0)
		goto out;
	/* Fail closed: a distrust we could not read may exist, and a trust
	 * object on the token would override it. */
	if (distrust_filter(tc, &set, r == 0, &out, &withheld, &demoted) != 0)
		goto out;
	if (r != 0 && demoted > 0)
		log_error("token cache: %s: %zu certificate%s written without "
		    "trust until it can be read", rep.why, demoted,
		    demoted == 1 ? "" : "s");
	else if (r != 0)
		log_error("token cache: %s", rep.why);
	if (withheld > 0)
		log_error("token cache: %zu certificate%s left out: distrusted "
		    "in Thunderbird (or unreadable)", withheld,
		    withheld == 1 ? "" : "s");
	rc = tokencache_write_raw(path, &out, err, errlen);
out:
	tokencache_free(&out);
	distrust_set_free(&set);
	return rc;
}
