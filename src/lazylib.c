/* lazylib.c - dlopen a library on first use and resolve its functions (lazylib.h). */
#include "lazylib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

static struct lazy_lib *loading; /* only inside pthread_once */

static void load_once(void)
{
	struct lazy_lib *lib = loading;
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL) {
		const char *why = dlerror();

		snprintf(lib->err, sizeof(lib->err), "cannot load %s (package %s): %s",
		         lib->soname, lib->package, why != NULL ? why : "not found");
		return;
	}
	for (size_t i = 0; i < lib->nsyms; i++) {
		*lib->syms[i].slot = dlsym(h, lib->syms[i].name);
		if (*lib->syms[i].slot == NULL) {
			snprintf(lib->err, sizeof(lib->err), "%s has no function %s",
			         lib->soname, lib->syms[i].name);
			return;
		}
	}
	__atomic_store_n(&lib->ok, 1, __ATOMIC_RELEASE);
}

int lazy_load(struct lazy_lib *lib)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

	if (__atomic_load_n(&lib->ok, __ATOMIC_ACQUIRE))
		return 0; /* every call after the first: no lock */
	/* pthread_once takes no argument: the mutex hands lib to load_once */
	pthread_mutex_lock(&mu);
	loading = lib;
	pthread_once(&lib->once, load_once);
	pthread_mutex_unlock(&mu);
	return lib->ok ? 0 : -1;
}

void lazy_require(struct lazy_lib *lib)
{
	if (lazy_load(lib) == 0)
		return;
	fprintf(stderr, "runbook: %s\n", lib->err);
	exit(EXIT_FAIL);
}
