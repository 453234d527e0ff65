/*
 * redact_secrets.c - the registry of secret values the redactor hides.
 *
 * Registered secrets are matched in several encodings (plain, JSON-escaped,
 * percent-encoded, base64 at three alignments in both alphabets, hex in both cases).
 * All those patterns are indexed by a hash of their first four bytes, so the text is
 * scanned once whatever the number of secrets.
 */
#include "redact.h"
#include "redact_int.h"
#include "util.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MIN_SECRET 4  /* shorter registered values are ignored */
#define MIN_CORE 5    /* shorter base64 cores would match ordinary words */
#define NBUCKET 65536 /* patterns are indexed by a hash of their first 4 bytes */

struct pattern {
	char *s;
	size_t len;
	int32_t next; /* next pattern in the same bucket, or -1 */
};

static struct {
	char **secrets;
	size_t nsecrets;
	struct pattern *pats;
	size_t npats;
	size_t cap;
	int32_t *head; /* NBUCKET entries, -1 when empty */
} reg;

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;

static const char b64_std[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#define mark redact_mark

/* ---- the registry ---- */

/* The bucket of the 4 bytes at s (patterns are at least MIN_SECRET = 4 long). */
static unsigned int bucket_of(const char *s)
{
	uint32_t v = (uint32_t)(unsigned char)s[0] | (uint32_t)(unsigned char)s[1] << 8 |
	             (uint32_t)(unsigned char)s[2] << 16 | (uint32_t)(unsigned char)s[3] << 24;

	return (unsigned int)((v * 2654435761u) >> 16) & (NBUCKET - 1);
}

static void reg_add_pattern(char *s, size_t len)
{
	unsigned int key;

	if (len < MIN_SECRET) {
		explicit_bzero(s, len);
		free(s);
		return;
	}
	for (size_t i = 0; i < reg.npats; i++) {
		if (reg.pats[i].len == len && memcmp(reg.pats[i].s, s, len) == 0) {
			explicit_bzero(s, len);
			free(s);
			return;
		}
	}
	if (reg.head == NULL) {
		reg.head = xmalloc(NBUCKET * sizeof(*reg.head));
		for (size_t i = 0; i < NBUCKET; i++)
			reg.head[i] = -1;
	}
	if (reg.npats == reg.cap) {
		reg.cap = reg.cap ? reg.cap * 2 : 32;
		reg.pats = xrealloc(reg.pats, reg.cap * sizeof(*reg.pats));
	}
	key = bucket_of(s);
	reg.pats[reg.npats].s = s;
	reg.pats[reg.npats].len = len;
	reg.pats[reg.npats].next = reg.head[key];
	reg.head[key] = (int32_t)reg.npats;
	reg.npats++;
}

/* JSON string escaping as cJSON prints it; slash_too also escapes '/' as "\/". */
static char *enc_json(const char *s, size_t len, int slash_too)
{
	static const char esc[] = "\"\"\\\\\bb\ff\nn\rr\tt"; /* byte, letter after '\' */
	struct buf b;

	buf_init(&b, 0);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *e = c != 0 ? memchr(esc, c, sizeof(esc) - 1) : NULL;

		if (e != NULL && (e - esc) % 2 == 0) {
			char two[2] = {'\\', e[1]};

			buf_append(&b, two, 2);
		} else if (c == '/' && slash_too) {
			buf_puts(&b, "\\/");
		} else if (c < 0x20) {
			buf_printf(&b, "\\u%04x", c);
		} else {
			buf_append(&b, &c, 1);
		}
	}
	return buf_detach(&b);
}

/*
 * Percent-encoding of every byte outside RFC 3986 "unreserved" (and outside `keep`),
 * with upper- or lowercase hex; plus_space writes ' ' as '+' (forms).
 */
static char *enc_percent(const char *s, size_t len, int upper, const char *keep, int plus_space)
{
	const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	struct buf b;

	buf_init(&b, 0);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[3];

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
		    (c != 0 && strchr(keep, c) != NULL)) {
			buf_append(&b, &c, 1);
		} else if (c == ' ' && plus_space) {
			buf_puts(&b, "+");
		} else {
			e[0] = '%';
			e[1] = hex[c >> 4];
			e[2] = hex[c & 15];
			buf_append(&b, e, 3);
		}
	}
	return buf_detach(&b);
}

static char *enc_hex(const char *s, size_t len, int upper)
{
	const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char *out = xmalloc(len * 2 + 1);

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex[(unsigned char)s[i] >> 4];
		out[2 * i + 1] = hex[(unsigned char)s[i] & 15];
	}
	out[len * 2] = '\0';
	return out;
}

/*
 * The stable core of base64(prefix of `off` arbitrary bytes + s): the characters
 * whose six bits all come from s, whatever precedes or follows it. NULL when the
 * core is shorter than MIN_CORE.
 */
static char *enc_b64_core(const char *s, size_t len, size_t off, const char *alpha)
{
	size_t bits = 8 * (off + len);
	size_t first = (8 * off + 5) / 6; /* ceil */
	size_t last = bits / 6;           /* exclusive */
	unsigned char *in;
	char *out;

	if (last < first || last - first < MIN_CORE)
		return NULL;
	in = xcalloc(off + len, 1);
	memcpy(in + off, s, len);
	out = xmalloc(last - first + 1);
	for (size_t i = first; i < last; i++) {
		size_t bit = 6 * i;
		size_t byte = bit / 8;
		unsigned int v = (unsigned int)in[byte] << 8;

		if (byte + 1 < off + len)
			v |= in[byte + 1];
		v = (v >> (10 - bit % 8)) & 63;
		out[i - first] = alpha[v];
	}
	out[last - first] = '\0';
	explicit_bzero(in, off + len);
	free(in);
	return out;
}

static void reg_add_str(char *s)
{
	if (s != NULL)
		reg_add_pattern(s, strlen(s));
}

/*
 * Register a secret value (copied) and its encoded forms. Values shorter than
 * MIN_SECRET bytes are ignored. Thread-safe.
 */
void redact_add_secret(const char *value)
{
	size_t len;

	if (value == NULL)
		return;
	len = strlen(value);
	if (len < MIN_SECRET)
		return;
	pthread_mutex_lock(&reg_lock);
	for (size_t i = 0; i < reg.nsecrets; i++) {
		if (strcmp(reg.secrets[i], value) == 0) {
			pthread_mutex_unlock(&reg_lock);
			return;
		}
	}
	reg.secrets = xrealloc(reg.secrets, (reg.nsecrets + 1) * sizeof(*reg.secrets));
	reg.secrets[reg.nsecrets++] = xstrdup(value);

	reg_add_pattern(xstrndup(value, len), len);
	reg_add_str(enc_json(value, len, 0));
	reg_add_str(enc_json(value, len, 1));
	reg_add_str(enc_percent(value, len, 1, "", 0));
	reg_add_str(enc_percent(value, len, 0, "", 0));
	reg_add_str(enc_percent(value, len, 1, "/", 0));
	reg_add_str(enc_percent(value, len, 1, "!'()*", 0));
	reg_add_str(enc_percent(value, len, 1, "", 1));
	reg_add_str(enc_hex(value, len, 0));
	reg_add_str(enc_hex(value, len, 1));
	for (size_t off = 0; off < 3; off++) {
		reg_add_str(enc_b64_core(value, len, off, b64_std));
		reg_add_str(enc_b64_core(value, len, off, b64_url));
	}
	pthread_mutex_unlock(&reg_lock);
}

/* Forget all registered secrets, wiping them first. */
void redact_reset(void)
{
	pthread_mutex_lock(&reg_lock);
	for (size_t i = 0; i < reg.nsecrets; i++) {
		explicit_bzero(reg.secrets[i], strlen(reg.secrets[i]));
		free(reg.secrets[i]);
	}
	for (size_t i = 0; i < reg.npats; i++) {
		explicit_bzero(reg.pats[i].s, reg.pats[i].len);
		free(reg.pats[i].s);
	}
	free(reg.secrets);
	free(reg.pats);
	free(reg.head);
	memset(&reg, 0, sizeof(reg));
	pthread_mutex_unlock(&reg_lock);
}

/*
 * Mark in m every registered secret (in each of its encodings) found in t[0..n), in one
 * pass over the text. Takes the registry lock itself.
 */
void redact_mark_secrets(const char *t, size_t n, unsigned char *m)
{
	size_t covered = 0; /* m is already MK_PLAIN or more up to here */

	pthread_mutex_lock(&reg_lock);
	if (reg.npats == 0 || n < MIN_SECRET) {
		pthread_mutex_unlock(&reg_lock);
		return;
	}
	for (size_t i = 0; i + MIN_SECRET <= n; i++) {
		unsigned int key = bucket_of(t + i);

		for (int32_t p = reg.head[key]; p >= 0; p = reg.pats[p].next) {
			const struct pattern *pt = &reg.pats[p];

			if (pt->len > n - i || i + pt->len <= covered)
				continue;
			if (memcmp(t + i, pt->s, pt->len) != 0)
				continue;
			mark(m, i > covered ? i : covered, i + pt->len, MK_PLAIN);
			covered = i + pt->len;
		}
	}
	pthread_mutex_unlock(&reg_lock);
}
