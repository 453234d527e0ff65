/* util.h - small shared helpers: bounded buffers, clocks, ids, hex. */
#ifndef RUNBOOK_UTIL_H
#define RUNBOOK_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes of cli.md, one list. */
enum exit_code {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_PAUSED = 3,
	EXIT_JOURNAL = 4,
	EXIT_UNHEALTHY = 5,
	EXIT_CONFIG = 6
};

/*
 * A growing byte buffer with a cap (curl's dynbuf). Bytes past `max` are dropped
 * and `truncated` is set; p is always NUL-terminated when non-NULL.
 */
struct buf {
	char *p;
	size_t len;
	size_t cap;
	size_t max;
	int truncated;
};

void buf_init(struct buf *b, size_t max);
/* Append n bytes; returns 0, or -1 when bytes were dropped at the cap. */
int buf_append(struct buf *b, const void *data, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the bytes to the caller (who frees them); the buffer is emptied. */
char *buf_detach(struct buf *b);
void buf_release(struct buf *b);

/* Allocation that aborts with a message on exhaustion. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The test clock and ids (RUNBOOK_FAKE_NOW, RUNBOOK_FAKE_STEP_MS, RUNBOOK_FAKE_SEED)
 * are read only when this is non-zero: set by the test programs (unit tests, tools,
 * the benchmark generator, build/tools/runbook-hooks), never by runbook itself, so the
 * shipped binary cannot be made to backdate events or repeat ids.
 */
extern int runbook_test_hooks;

/*
 * Wall clock in seconds since the epoch, fractional. Under runbook_test_hooks:
 * RUNBOOK_FAKE_NOW (RFC 3339) fixes it; RUNBOOK_FAKE_STEP_MS then advances it by that
 * much per call.
 */
double clock_wall(void);
/* CLOCK_MONOTONIC in nanoseconds. */
int64_t clock_mono_ns(void);
/* Format t (epoch seconds) as RFC 3339 UTC with milliseconds: 2026-12-04T15:03:12.123Z */
void time_format(double t, char out[32]);
/* Parse the format above (or without fraction); returns 0 and sets *t, or -1. */
int time_parse(const char *s, double *t);
/* Elapsed seconds as "04:12" or "1:02:03". */
void duration_format(double seconds, char *out, size_t outlen);
/* Sleep for ms milliseconds (restarts on EINTR unless *stop becomes non-zero). */
void sleep_ms(long ms, volatile int *stop);
/* Sleep ms milliseconds in 100 ms slices, looking at *abort (may be NULL) between them;
 * returns 1 when *abort was raised, else 0. */
int sleep_abortable(long ms, volatile int *abort);

/* A new random UUID, lowercase, 36 characters + NUL (runbook_test_hooks:
 * RUNBOOK_FAKE_SEED=N gives a fixed sequence). */
void uuid_new(char out[37]);
/* strerror(e) with its first letter lowercased, as runbook's messages are ("no such
 * file or directory"). A per-thread buffer, valid until the next call. */
const char *strerror_lc(int e);
/* Lowercase hex of n bytes into out (2n+1 bytes). */
void hex_encode(const unsigned char *in, size_t n, char *out);
/* Decode 2n hex digits; returns number of bytes or -1. */
int hex_decode(const char *in, unsigned char *out, size_t outmax);

/* strtol with every check: whole string a base-10 number in [min,max]. 0 ok, -1 bad. */
int parse_long(const char *s, long min, long max, long *out);
/* Same for a finite double. */
int parse_double(const char *s, double *out);

/* Copy with truncation, always NUL-terminated; returns -1 when truncated. */
int strlcpy_chk(char *dst, const char *src, size_t size);

#endif
