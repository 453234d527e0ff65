/*
 * lazy_curl.c - the libcurl functions runbook calls, forwarded to libcurl loaded on
 * first use (lazylib.h). Same names and prototypes as <curl/curl.h>; the callers do not
 * know. A function added to a caller must be added here too: the link fails until then.
 */
#define CURL_DISABLE_TYPECHECK /* the header's checking macros would rename the definitions */
#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>

#include "lazylib.h"

#ifndef CURL_SONAME
#define CURL_SONAME "libcurl.so.4"
#endif

#define CURL_FUNCS(X)               \
	X(curl_global_init)         \
	X(curl_global_cleanup)      \
	X(curl_easy_init)           \
	X(curl_easy_cleanup)        \
	X(curl_easy_setopt)         \
	X(curl_easy_getinfo)        \
	X(curl_easy_perform)        \
	X(curl_easy_strerror)       \
	X(curl_multi_init)          \
	X(curl_multi_cleanup)       \
	X(curl_multi_add_handle)    \
	X(curl_multi_remove_handle) \
	X(curl_multi_perform)       \
	X(curl_multi_poll)          \
	X(curl_multi_info_read)     \
	X(curl_slist_append)        \
	X(curl_slist_free_all)

static struct {
#define FIELD(f) __typeof__(f) *f;
	CURL_FUNCS(FIELD)
#undef FIELD
} fn;

static const struct lazy_sym syms[] = {
#define SYM(f) {#f, (void **)&fn.f},
        CURL_FUNCS(SYM)
#undef SYM
};

static struct lazy_lib lib = {
        .soname = CURL_SONAME,
        .package = "libcurl4",
        .syms = syms,
        .nsyms = sizeof(syms) / sizeof(syms[0]),
        .once = PTHREAD_ONCE_INIT,
};

/* The loaded function f; exits with a message if libcurl cannot be loaded. */
#define F(f) (lazy_require(&lib), fn.f)

int lazy_curl_load(char *err, size_t errlen)
{
	if (lazy_load(&lib) == 0)
		return 0;
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", lib.err);
	return -1;
}

CURLcode curl_global_init(long flags)
{
	return F(curl_global_init)(flags);
}

void curl_global_cleanup(void)
{
	F(curl_global_cleanup)();
}

CURL *curl_easy_init(void)
{
	return F(curl_easy_init)();
}

void curl_easy_cleanup(CURL *h)
{
	F(curl_easy_cleanup)(h);
}

/* The one argument after the option has the type the option's number range says, as in
 * libcurl's own setopt: long, a pointer (object or function), curl_off_t, or a blob. */
CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	__typeof__(curl_easy_setopt) *set = F(curl_easy_setopt);
	CURLcode rc;
	va_list ap;

	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = set(h, opt, va_arg(ap, long));
	else if (opt >= CURLOPTTYPE_OFF_T && opt < CURLOPTTYPE_BLOB)
		rc = set(h, opt, va_arg(ap, curl_off_t));
	else
		rc = set(h, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

/* Every CURLINFO takes a pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	__typeof__(curl_easy_getinfo) *get = F(curl_easy_getinfo);
	CURLcode rc;
	va_list ap;

	va_start(ap, info);
	rc = get(h, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLcode curl_easy_perform(CURL *h)
{
	return F(curl_easy_perform)(h);
}

const char *curl_easy_strerror(CURLcode code)
{
	return F(curl_easy_strerror)(code);
}

CURLM *curl_multi_init(void)
{
	return F(curl_multi_init)();
}

CURLMcode curl_multi_cleanup(CURLM *m)
{
	return F(curl_multi_cleanup)(m);
}

CURLMcode curl_multi_add_handle(CURLM *m, CURL *h)
{
	return F(curl_multi_add_handle)(m, h);
}

CURLMcode curl_multi_remove_handle(CURLM *m, CURL *h)
{
	return F(curl_multi_remove_handle)(m, h);
}

CURLMcode curl_multi_perform(CURLM *m, int *running)
{
	return F(curl_multi_perform)(m, running);
}

CURLMcode curl_multi_poll(CURLM *m, struct curl_waitfd extra[], unsigned int n, int timeout_ms,
                          int *numfds)
{
	return F(curl_multi_poll)(m, extra, n, timeout_ms, numfds);
}

CURLMsg *curl_multi_info_read(CURLM *m, int *left)
{
	return F(curl_multi_info_read)(m, left);
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *s)
{
	return F(curl_slist_append)(list, s);
}

void curl_slist_free_all(struct curl_slist *list)
{
	F(curl_slist_free_all)(list);
}
