/* dynlib.h - one symbol of a library opened with dlopen.
 *
 * The host opens several libraries only when first needed (NSS and
 * freebl, libidn2, libsqlite3, libcurl: each costs every start otherwise,
 * tests/bench/README.md); they all resolve their functions through this.
 */
#ifndef DS_DYNLIB_H
#define DS_DYNLIB_H

/* Stores the address of lib's symbol name into *slot, which must be the
 * storage of a function pointer of the right type (POSIX dlsym: the
 * object pointer it returns converts to a function pointer). 0, or -1
 * when the symbol is missing (*slot untouched). */
int dynlib_sym(void *lib, const char *name, void *slot);

#endif
