/* util.c - small shared helpers: bounded buffers, clocks, ids, hex. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <uuid/uuid.h>

static void oom(void)
{
	fputs("runbook: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom();
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_list aq;
	char *p;
	int n;

	va_start(ap, fmt);
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		n = 0;
	p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void buf_init(struct buf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : (size_t)64 << 20;
	b->truncated = 0;
}

int buf_append(struct buf *b, const void *data, size_t n)
{
	int rc = 0;

	if (n > b->max - b->len) {
		n = b->max - b->len;
		b->truncated = 1;
		rc = -1;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return rc;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[512];
	int n;
	int rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small))
		return buf_append(b, small, (size_t)n);
	{
		char *big = xmalloc((size_t)n + 1);

		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		rc = buf_append(b, big, (size_t)n);
		free(big);
	}
	return rc;
}

char *buf_detach(struct buf *b)
{
	char *p = b->p;

	if (p == NULL)
		p = xstrdup("");
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

void buf_release(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/*
 * Test-only (runbook_test_hooks): RUNBOOK_FAKE_NOW fixes the wall clock; with
 * RUNBOOK_FAKE_STEP_MS as well, call n (from 0, counted across threads) returns
 * FAKE_NOW + n * STEP. Unset: no effect.
 */
static _Atomic long long fake_calls;

int runbook_test_hooks;

double clock_wall(void)
{
	const char *fake = runbook_test_hooks ? getenv("RUNBOOK_FAKE_NOW") : NULL;
	struct timespec ts;

	if (fake != NULL && *fake != '\0') {
		const char *step = getenv("RUNBOOK_FAKE_STEP_MS");
		double t, ms = 0;

		if (time_parse(fake, &t) == 0) {
			if (step != NULL && parse_double(step, &ms) == 0 && ms > 0)
				t += (double)atomic_fetch_add(&fake_calls, 1) * ms / 1000.0;
			return t;
		}
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int64_t clock_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void time_format(double t, char out[32])
{
	time_t secs = (time_t)floor(t);
	long ms = lround((t - (double)secs) * 1000.0);
	struct tm tm;

	if (ms >= 1000) {
		secs++;
		ms -= 1000;
	}
	char tmp[96];

	gmtime_r(&secs, &tm);
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
	strlcpy_chk(out, tmp, 32);
}

int time_parse(const char *s, double *t)
{
	struct tm tm;
	const char *p;
	double frac = 0;

	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL) {
		memset(&tm, 0, sizeof(tm));
		p = strptime(s, "%Y-%m-%d", &tm);
		if (p == NULL || *p != '\0')
			return -1;
		*t = (double)timegm(&tm);
		return 0;
	}
	if (*p == '.') {
		double scale = 0.1;

		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9') {
			frac += (*p - '0') * scale;
			scale /= 10;
			p++;
		}
	}
	if (*p == 'Z')
		p++;
	if (*p != '\0')
		return -1;
	*t = (double)timegm(&tm) + frac;
	return 0;
}

void duration_format(double seconds, char *out, size_t outlen)
{
	long s = seconds < 0 ? 0 : (long)seconds;

	if (s >= 3600)
		snprintf(out, outlen, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
	else
		snprintf(out, outlen, "%02ld:%02ld", s / 60, s % 60);
}

void sleep_ms(long ms, volatile int *stop)
{
	struct timespec req, rem;

	if (ms <= 0)
		return;
	req.tv_sec = ms / 1000;
	req.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&req, &rem) != 0 && errno == EINTR) {
		if (stop != NULL && *stop)
			return;
		req = rem;
	}
}

/* splitmix64: a fixed sequence from a seed, for test-only ids. */
static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static _Atomic unsigned long long fake_ids;

/*
 * Test-only (runbook_test_hooks): RUNBOOK_FAKE_SEED=N makes the ids a fixed sequence of version-4 UUIDs
 * (the same N gives the same ids in every process: give each process its own N).
 */
int sleep_abortable(long ms, volatile int *abort)
{
	while (ms > 0) {
		long s = ms < 100 ? ms : 100;

		if (abort != NULL && *abort)
			return 1;
		sleep_ms(s, abort);
		ms -= s;
	}
	return abort != NULL && *abort;
}

/*
 * A version-4 UUID: 16 bytes of getrandom() with the version and variant bits set,
 * which is what uuid_generate_random makes of its getrandom() bytes. Called on every
 * journal append: libuuid also re-seeds random() each call (getpid, getuid, getppid,
 * gettid and srandom: five system calls and a few microseconds). libuuid when
 * getrandom fails (ENOSYS on an old kernel).
 */
static void random_uuid(unsigned char u[16])
{
	size_t got = 0;

	while (got < 16) {
		ssize_t n = getrandom(u + got, 16 - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			uuid_generate_random(u);
			return;
		}
		got += (size_t)n;
	}
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
}

void uuid_new(char out[37])
{
	const char *seed = runbook_test_hooks ? getenv("RUNBOOK_FAKE_SEED") : NULL;
	long n;
	uuid_t u;

	if (seed != NULL && *seed != '\0' && parse_long(seed, 0, LONG_MAX, &n) == 0) {
		uint64_t k = (uint64_t)n * 0x100000000ULL + atomic_fetch_add(&fake_ids, 1) * 2;
		uint64_t hi = splitmix64(k), lo = splitmix64(k + 1);

		for (int i = 0; i < 8; i++) {
			u[i] = (unsigned char)(hi >> (56 - 8 * i));
			u[8 + i] = (unsigned char)(lo >> (56 - 8 * i));
		}
		u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
		u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
	} else {
		random_uuid(u);
	}
	uuid_unparse_lower(u, out);
}

void hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(const char *in, unsigned char *out, size_t outmax)
{
	size_t n = strlen(in);

	if (n % 2 != 0 || n / 2 > outmax)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval((unsigned char)in[2 * i]);
		int lo = hexval((unsigned char)in[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

int parse_long(const char *s, long min, long max, long *out)
{
	char *end = NULL;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_double(const char *s, double *out)
{
	char *end = NULL;
	double v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int strlcpy_chk(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size == 0)
		return -1;
	if (n >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

const char *strerror_lc(int e)
{
	static _Thread_local char buf[128];

	strlcpy_chk(buf, strerror(e), sizeof(buf));
	buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}
