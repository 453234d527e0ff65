/* logscan.c - recognise the runbook's failure causes in API log text. */
#include "logscan.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/*
 * One pattern: a lowercase substring, and optionally a second one that must be on
 * the same line ("econnrefused" with "5432").
 */
struct pattern {
	enum log_finding finding;
	const char *a;
	const char *b;
};

static const struct pattern patterns[] = {
        /* out of memory (node, the kernel, the container runtime) */
        {LOG_OOM, "out of memory", NULL}, /* "JavaScript heap out of memory" */
        {LOG_OOM, "reached heap limit", NULL},
        {LOG_OOM, "oomkilled", NULL},
        {LOG_OOM, "enomem", NULL},
        {LOG_OOM, "killed process", NULL},
        {LOG_OOM, "exit code 137", NULL},
        {LOG_OOM, "exited with code 137", NULL},
        {LOG_OOM, "memory limit exceeded", NULL},
        /* connection slots or the pool exhausted */
        {LOG_DB_CONNECTIONS, "too many clients", NULL},
        {LOG_DB_CONNECTIONS, "remaining connection slots", NULL},
        {LOG_DB_CONNECTIONS, "timed out fetching a new connection", NULL},
        {LOG_DB_CONNECTIONS, "connection pool", NULL},
        {LOG_DB_CONNECTIONS, "too many connections", NULL},
        {LOG_DB_CONNECTIONS, "p2024", NULL}, /* prisma: pool timeout */
        {LOG_DB_CONNECTIONS, "p2037", NULL}, /* prisma: too many database connections */
        {LOG_DB_CONNECTIONS, "prismaclientinitializationerror", NULL},
        /* the database cannot be reached */
        {LOG_DB_DOWN, "econnrefused", "5432"},
        {LOG_DB_DOWN, "connection refused", "5432"},
        {LOG_DB_DOWN, "can't reach database server", NULL},
        {LOG_DB_DOWN, "the database system is shutting down", NULL},
        {LOG_DB_DOWN, "the database system is starting up", NULL},
        {LOG_DB_DOWN, "the database system is in recovery mode", NULL},
        {LOG_DB_DOWN, "p1001", NULL}, /* prisma: can't reach database server */
        {LOG_DB_DOWN, "connection terminated unexpectedly", NULL},
        /* the process keeps dying */
        {LOG_CRASH, "crashed", NULL},
        {LOG_CRASH, "exited with code", NULL},
        {LOG_CRASH, "restarting container", NULL},
        {LOG_CRASH, "back-off restarting", NULL},
        {LOG_CRASH, "uncaughtexception", NULL},
        {LOG_CRASH, "unhandledrejection", NULL},
        {LOG_CRASH, "unhandled promise rejection", NULL},
        {LOG_CRASH, "error: cannot find module", NULL},
        /* deploy markers (Railway prints "Starting Container", "==== Deployment ...") */
        {LOG_DEPLOY, "deploying", NULL},
        {LOG_DEPLOY, "deployment", NULL},
        {LOG_DEPLOY, "build successful", NULL},
        {LOG_DEPLOY, "starting container", NULL},
        {LOG_DEPLOY, "redeploy", NULL},
};

#define NPATTERNS (sizeof(patterns) / sizeof(patterns[0]))

/* Scan window: lowercased chunks of a line, overlapping by the longest pattern. */
#define CHUNK 4096

static const struct {
	const char *id, *cause, *words;
} findings[] = {
#define X(e, id, cause, words) {id, cause, words},
        LOG_FINDINGS(X)
#undef X
};

/* How the reason line names each finding. */
static const char *const labels[LOG_FINDING__LAST] = {
        [LOG_OOM] = "OOM",
        [LOG_DB_CONNECTIONS] = "database connections exhausted",
        [LOG_DB_DOWN] = "database unreachable",
        [LOG_CRASH] = "crash loop",
        [LOG_DEPLOY] = "deploy marker",
};

/* "oom", "db_connections", ...; "unknown" out of range. */
const char *log_finding_id(enum log_finding f)
{
	if ((int)f < 0 || f >= LOG_FINDING__LAST)
		return "unknown";
	return findings[f].id;
}

/* "out of memory", "connections exhausted", ...; "unknown" out of range. */
const char *log_finding_words(enum log_finding f)
{
	if ((int)f < 0 || f >= LOG_FINDING__LAST)
		return "unknown";
	return findings[f].words;
}

static size_t longest_pattern(void)
{
	size_t m = 1;

	for (size_t i = 0; i < NPATTERNS; i++) {
		size_t la = strlen(patterns[i].a);
		size_t lb = patterns[i].b ? strlen(patterns[i].b) : 0;

		if (la > m)
			m = la;
		if (lb > m)
			m = lb;
	}
	return m;
}

/*
 * Which patterns match one line: a[i] / b[i] are set when patterns[i].a / .b occur.
 * The line is lowercased in fixed chunks that overlap by (longest pattern - 1) bytes,
 * so a line of any length costs time linear in its length and no allocation.
 */
static void match_line(const char *line, size_t len, size_t overlap, unsigned char *a,
                       unsigned char *b)
{
	char low[CHUNK];
	size_t pos = 0;

	memset(a, 0, NPATTERNS);
	memset(b, 0, NPATTERNS);
	for (;;) {
		size_t n = len - pos < CHUNK ? len - pos : CHUNK;

		for (size_t i = 0; i < n; i++) { /* ASCII only: no locale surprises */
			char c = line[pos + i];

			low[i] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
		}
		for (size_t i = 0; i < NPATTERNS; i++) {
			if (!a[i] && memmem(low, n, patterns[i].a, strlen(patterns[i].a)))
				a[i] = 1;
			if (patterns[i].b && !b[i] &&
			    memmem(low, n, patterns[i].b, strlen(patterns[i].b)))
				b[i] = 1;
		}
		if (pos + n >= len)
			break;
		pos += n - overlap;
	}
}

/* Length of the longest prefix of s[0..n) not longer than max that ends on a UTF-8
 * character boundary. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
	size_t k;

	if (n <= max)
		return n;
	k = max;
	while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	return k;
}

/*
 * Copy a line into out (size outlen) for display: ANSI colour sequences dropped,
 * tabs as spaces, other control bytes (NUL included) as '?', surrounding blanks
 * trimmed, cut on a UTF-8 boundary.
 */
static void make_sample(const char *line, size_t len, char *out, size_t outlen)
{
	size_t o = 0;
	size_t i = 0;

	while (len > 0 && isspace((unsigned char)line[len - 1]))
		len--;
	while (i < len && isspace((unsigned char)line[i]))
		i++;
	while (i < len && o + 1 < outlen) {
		unsigned char c = (unsigned char)line[i];

		if (c == 0x1b && i + 1 < len && line[i + 1] == '[') {
			i += 2;
			while (i < len && ((unsigned char)line[i] < 0x40 || line[i] > 0x7e))
				i++;
			i++; /* the final byte */
			continue;
		}
		if (c == '\t')
			c = ' ';
		else if (c < 0x20 || c == 0x7f)
			c = '?';
		out[o++] = (char)c;
		i++;
	}
	if (i < len && ((unsigned char)line[i] & 0xC0) == 0x80) {
		/* cut inside a UTF-8 sequence: drop its first bytes too */
		while (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0x80)
			o--;
		if (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0xC0)
			o--;
	}
	while (o > 0 && isspace((unsigned char)out[o - 1]))
		o--;
	out[o] = '\0';
}

static void scan_line(const char *line, size_t len, size_t lineno, size_t overlap,
                      struct log_scan *out)
{
	unsigned char a[NPATTERNS], b[NPATTERNS];
	int seen[LOG_FINDING__LAST] = {0};

	match_line(line, len, overlap, a, b);
	for (size_t i = 0; i < NPATTERNS; i++) {
		if (a[i] && (patterns[i].b == NULL || b[i]))
			seen[patterns[i].finding] = 1;
	}
	for (int f = 0; f < LOG_FINDING__LAST; f++) {
		struct log_hit *h = &out->hits[f];

		if (!seen[f])
			continue;
		if (h->count == 0)
			h->first_line = lineno;
		h->count++;
		h->last_line = lineno;
		make_sample(line, len, h->sample, sizeof(h->sample));
	}
}

/* `<label> in logs: N lines, last: "sample"`, the sample shortened to fit 255 bytes. */
static void set_reason(struct log_scan *out, enum log_finding f, const char *extra)
{
	const struct log_hit *h = &out->hits[f];
	char head[128];
	size_t room, n;
	int hl;

	hl = snprintf(head, sizeof(head), "%s in logs: %d line%s, last: \"", labels[f],
	              h->count, h->count == 1 ? "" : "s");
	if (hl < 0 || (size_t)hl >= sizeof(head))
		hl = (int)strlen(head);
	/* head + sample + closing quote + extra + NUL */
	room = sizeof(out->reason) - (size_t)hl - 2 - strlen(extra);
	n = utf8_cut(h->sample, strlen(h->sample), room);
	snprintf(out->reason, sizeof(out->reason), "%s%.*s\"%s", head, (int)n, h->sample,
	         extra);
}

/* The scanned text, see logscan.h; out is overwritten, nothing to free. */
void log_scan_text(const char *text, size_t len, struct log_scan *out)
{
	static const enum log_finding order[] = {LOG_OOM, LOG_DB_DOWN, LOG_DB_CONNECTIONS,
	                                         LOG_CRASH, LOG_DEPLOY};
	size_t overlap = longest_pattern() - 1;
	size_t start = 0;

	memset(out, 0, sizeof(*out));
	if (text == NULL)
		len = 0;
	while (start < len) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t l = end - start;

		if (l > 0 && text[start + l - 1] == '\r')
			l--;
		out->lines++;
		scan_line(text + start, l, out->lines, overlap, out);
		start = end + 1;
	}
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		enum log_finding f = order[i];
		char extra[64] = "";

		if (out->hits[f].count == 0)
			continue;
		out->suggest = findings[f].cause;
		if (f == LOG_CRASH && out->hits[LOG_DEPLOY].count > 0)
			snprintf(extra, sizeof(extra), "; deploy marker at line %zu",
			         out->hits[LOG_DEPLOY].last_line);
		set_reason(out, f, extra);
		return;
	}
	if (out->lines == 0)
		strlcpy_chk(out->reason, "log is empty", sizeof(out->reason));
	else
		snprintf(out->reason, sizeof(out->reason), "no known cause in %zu log line%s",
		         out->lines, out->lines == 1 ? "" : "s");
}
