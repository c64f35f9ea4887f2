/* loop.c - see loop.h. */
#include <errno.h>
#include <string.h>

#include "dslimits.h"
#include "loop.h"

/* c-ares 1.18 keeps a UDP socket per server and a TCP one when needed. */
#define MAX_RESOLVER_FDS (4 * DS_MAX_RESOLVERS + 8)
#define MAX_EXTRA_FDS 4

int
loop_once(struct resolver *r, struct https *h, struct pollfd *extra,
    size_t nextra, int timeout_ms)
{
	struct pollfd pfd[MAX_EXTRA_FDS + MAX_RESOLVER_FDS + DS_MAX_HTTPS_FDS];
	size_t nres, nh, i;
	int n;

	if (nextra > MAX_EXTRA_FDS)
		return -1;
	if (nextra > 0)
		memcpy(pfd, extra, nextra * sizeof(*pfd));
	nres = r == NULL ? 0 : resolver_pollfds(r, pfd + nextra,
	    MAX_RESOLVER_FDS, &timeout_ms);
	nh = h == NULL ? 0 : https_pollfds(h, pfd + nextra + nres,
	    DS_MAX_HTTPS_FDS, &timeout_ms);
	n = poll(pfd, (nfds_t)(nextra + nres + nh), timeout_ms);
	if (n < 0 && errno != EINTR)
		return -1;
	if (n < 0)
		for (i = 0; i < nextra + nres + nh; i++)
			pfd[i].revents = 0;
	for (i = 0; i < nextra; i++)
		extra[i].revents = pfd[i].revents;
	if (r != NULL)
		resolver_process(r, pfd + nextra, nres);
	if (h != NULL)
		https_process(h, pfd + nextra + nres, nh);
	return 0;
}
