/* dynlib.c - see dynlib.h. */
#include <dlfcn.h>
#include <string.h>

#include "dynlib.h"

_Static_assert(sizeof(void *) == sizeof(void (*)(void)),
    "dlsym's pointer must fit a function pointer");

int
dynlib_sym(void *lib, const char *name, void *slot)
{
	void *f = dlsym(lib, name);

	if (f == NULL)
		return -1;
	memcpy(slot, &f, sizeof(f));
	return 0;
}
