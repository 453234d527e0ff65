/*
 * lazylib.h - shared libraries loaded on first use (dlopen), not at start-up.
 *
 * libcurl and libpq, with OpenSSL, Kerberos, LDAP and the rest under them, are 36
 * shared objects: mapping and relocating them cost `runbook --version` about 7 ms and
 * 5 MB before main() ran (docs/performance.md, figure 7). Only the commands that reach
 * the network need them, so runbook is not linked against them: src/lazy_curl.c and
 * src/lazy_pq.c define the functions runbook calls, with the libraries' own names and
 * prototypes, and each forwards to the library's function, loaded the first time any of
 * them is called.
 */
#ifndef RUNBOOK_LAZYLIB_H
#define RUNBOOK_LAZYLIB_H

#include <pthread.h>
#include <stddef.h>

/* One function to look up: its name and where its address goes. */
struct lazy_sym {
	const char *name;
	void **slot;
};

/* One library: filled in by lazy_load. */
struct lazy_lib {
	const char *soname;  /* "libcurl.so.4" */
	const char *package; /* the Debian package that installs it, for the message */
	const struct lazy_sym *syms;
	size_t nsyms;
	pthread_once_t once;
	int ok;
	char err[256]; /* why it could not be loaded, one line */
};

/* Load lib once (thread-safe) and look up every symbol. 0 when all were found; else
 * -1, with lib->err saying what is missing. A library is never unloaded. */
int lazy_load(struct lazy_lib *lib);

/* lazy_load, or print "runbook: <why>" and exit 1: for the forwarding functions, which
 * have no error channel of their own. */
void lazy_require(struct lazy_lib *lib);

/* Load libcurl now; 0 or -1 with a one-line reason in err. */
int lazy_curl_load(char *err, size_t errlen);

#endif
