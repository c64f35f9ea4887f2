/* fuzz_config.c - configuration parsing (host/base/config.c): the whole
 * input is a config file; short inputs are also tried as a resolver. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../host/base/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c, before;
	struct resolver_addr ra;
	char err[256], s[128];
	int rc;
	size_t i;

	config_defaults(&c);
	before = c;
	err[0] = '\0';
	rc = config_parse(&c, "f", (const char *)data, size, err, sizeof(err));
	if (rc == 0) {
		if (c.nresolvers > DS_MAX_RESOLVERS ||
		    c.timeout_ms < 1 || c.timeout_ms > DS_MAX_TIMEOUT_MS ||
		    c.attempts < 1 || c.attempts > DS_MAX_ATTEMPTS ||
		    memchr(c.probe_name, '\0', sizeof(c.probe_name)) == NULL ||
		    memchr(c.nss_db, '\0', sizeof(c.nss_db)) == NULL)
			abort();
		for (i = 0; i < c.nresolvers; i++)
			if (c.resolvers[i].sslen == 0 ||
			    memchr(c.resolvers[i].text, '\0', 64) == NULL)
				abort();
	} else if (rc == 1) {
		/* Errors name the file; nothing changes. */
		if (strncmp(err, "f:", 2) != 0 ||
		    memcmp(&c, &before, sizeof(c)) != 0)
			abort();
	} else
		abort();	/* OOM does not happen here */

	if (size < sizeof(s)) {
		memcpy(s, data, size);
		s[size] = '\0';
		if (config_parse_resolver(s, &ra) == 0 &&
		    (ra.sslen == 0 || ra.text[0] == '\0'))
			abort();
	}
	return 0;
}
