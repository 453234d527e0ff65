/* redact.c - keep secrets out of the journal, the exports and the terminal.
 *
 * redact_text() never edits the text while it scans. Every rule reads the original
 * bytes and marks the spans it wants hidden in a mask (one byte per input byte);
 * one final pass copies the unmarked bytes and writes REDACTED once per marked run.
 * Rules therefore cannot interfere with each other, and each is a single scan.
 *
 * The registered secrets live in redact_secrets.c; this file holds the pattern rules.
 */
#include "redact.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "redact_int.h"

#define mark redact_mark

/* ---- small character helpers ---- */

static int is_word(unsigned char c)
{
	return isalnum(c) || c == '_';
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Case-insensitive: does t[0..len) equal the lowercase keyword kw? */
static int ci_eq(const char *t, const char *kw, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (tolower((unsigned char)t[i]) != kw[i])
			return 0;
	return 1;
}

/*
 * Case-insensitive search of lowercase kw in t[from..n); returns index or n. Every
 * append redacts its data, and this is most of it: six keywords over the whole text,
 * seven over each short quoted string (json_secret_key). A long text is searched for
 * the first letter's two cases with memchr (vectorised in libc), one window of
 * CI_WINDOW bytes at a time: each case is searched for again only when passed, and a
 * call never scans more than a window past its match (the callers call it once per
 * match, over megabytes of "Bearer Bearer ..."). A short one byte by byte, where
 * memchr's own cost would dominate.
 */
#define CI_WINDOW 512

static size_t ci_find(const char *t, size_t n, size_t from, const char *kw)
{
	size_t kl = strlen(kw);
	unsigned char lo = (unsigned char)kw[0];
	unsigned char up = (unsigned char)toupper(lo);
	const char *p, *stop, *lim, *a = NULL, *b = NULL;

	if (kl == 0 || kl > n || from > n - kl)
		return n;
	if (n - kl - from < 64) {
		for (size_t i = from; i + kl <= n; i++) {
			unsigned char c = (unsigned char)t[i];

			if ((c == lo || c == up) && ci_eq(t + i + 1, kw + 1, kl - 1))
				return i;
		}
		return n;
	}
	/* candidates start in [p, stop); a and b: the next lo and up in [p, lim), or NULL */
	p = lim = t + from;
	stop = t + n - kl + 1;
	while (p < stop) {
		const char *c;

		if (p >= lim) {
			size_t w =
			        (size_t)(stop - p) < CI_WINDOW ? (size_t)(stop - p) : CI_WINDOW;

			lim = p + w;
			a = memchr(p, lo, w);
			b = up != lo ? memchr(p, up, w) : NULL;
		} else {
			if (a != NULL && a < p)
				a = memchr(p, lo, (size_t)(lim - p));
			if (b != NULL && b < p)
				b = memchr(p, up, (size_t)(lim - p));
		}
		c = a == NULL ? b : b == NULL ? a : (a < b ? a : b);
		if (c == NULL) {
			p = lim;
			continue;
		}
		if (ci_eq(c + 1, kw + 1, kl - 1))
			return (size_t)(c - t);
		p = c + 1;
	}
	return n;
}

/* Case-insensitive: does t[0..len) contain lowercase kw? */
static int ci_contains(const char *t, size_t len, const char *kw)
{
	return ci_find(t, len, 0, kw) < len;
}

/*
 * memmem() without the sanitizers' whole-haystack check per call (which makes a
 * loop of memmem() calls quadratic under ASan): memchr for the first byte, then
 * memcmp.
 */
static const char *find_bytes(const char *h, size_t hn, const char *nd, size_t nn)
{
	const char *end = h + hn;

	if (nn == 0)
		return h;
	while ((size_t)(end - h) >= nn) {
		const char *p = memchr(h, nd[0], (size_t)(end - h) - nn + 1);

		if (p == NULL)
			return NULL;
		if (memcmp(p + 1, nd + 1, nn - 1) == 0)
			return p;
		h = p + 1;
	}
	return NULL;
}

/* ---- rules: each marks spans of t[0..n) in m ---- */

static int url_auth_end(unsigned char c)
{
	return c == '/' || c == '?' || c == '#' || is_space(c) || c == '"' || c == '\'' ||
	       c == '<' || c == '>' || c == '`' || c == '\\';
}

/* scheme://user:PASS@host - the password (the last '@' of the authority ends it). */
static void mark_url_userinfo(const char *t, size_t n, unsigned char *m)
{
	static const char *const seps[] = {"://", ":\\/\\/"}; /* also JSON's escaped "\/" */

	for (size_t k = 0; k < 2; k++) {
		size_t sl = strlen(seps[k]), i = 0;
		const char *p;

		while (i < n && (p = find_bytes(t + i, n - i, seps[k], sl)) != NULL) {
			size_t a = (size_t)(p - t) + sl, e, at = n;
			const char *colon;

			for (e = a; e < n && !url_auth_end((unsigned char)t[e]); e++)
				if (t[e] == '@')
					at = e;
			if (at < n) {
				colon = memchr(t + a, ':', at - a);
				if (colon != NULL)
					mark(m, (size_t)(colon - t) + 1, at, MK_PLAIN);
			}
			i = e > a ? e : a;
		}
	}
}

/*
 * Names that only talk about a secret (secret_name, RUNBOOK_SECRET_NAME, token_names,
 * key_fingerprint) hold no secret value.
 */
static int benign_name(const char *s, size_t len)
{
	static const char *const sfx[] = {"name", "names", "fingerprint"};

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		size_t l = strlen(sfx[i]);

		if (len >= l && ci_eq(s + len - l, sfx[i], l))
			return 1;
	}
	return 0;
}

/*
 * Does a name mark its value as a secret in an assignment (password=..., PGPASSWORD=,
 * AWS_SECRET_ACCESS_KEY=, api_key=, ...)? Any name ending in "key" counts, so
 * "monkey=1" is redacted too; "keyboard=x" is not.
 */
static int secret_assign_name(const char *s, size_t len)
{
	static const char *const kws[] = {"password", "passwd",  "secret",  "token",
	                                  "apikey",   "api_key", "api-key", "credential"};

	if (benign_name(s, len))
		return 0;
	for (size_t i = 0; i < sizeof(kws) / sizeof(kws[0]); i++)
		if (ci_contains(s, len, kws[i]))
			return 1;
	return len >= 3 && ci_eq(s + len - 3, "key", 3);
}

/*
 * For each byte: 1 when it lies inside a double-quoted string that opened earlier on
 * its line (unescaped quotes counted), i.e. inside a JSON string. Caller frees.
 */
static unsigned char *quote_parity(const char *t, size_t n)
{
	unsigned char *p = xmalloc(n + 1);
	unsigned char in = 0;

	for (size_t i = 0; i < n; i++) {
		p[i] = in;
		if (t[i] == '\n')
			in = 0;
		else if (t[i] == '\\' && i + 1 < n)
			p[++i] = in;
		else if (t[i] == '"')
			in ^= 1;
	}
	p[n] = in;
	return p;
}

/*
 * Where an unterminated quoted value (from `from`) is taken to end: at the first
 * unescaped '"', which in JSON text ends the enclosing string, else at the end.
 * Hiding past it would break the JSON that the journal parses after redaction.
 */
static size_t unterminated_end(const char *t, size_t n, size_t from)
{
	size_t k = from;

	while (k < n && t[k] != '"')
		k += t[k] == '\\' && k + 1 < n ? 2 : 1;
	return k < n ? k : n;
}

/* The end of a quoted value starting at the quote t[q] (backslash escapes). */
static size_t quoted_end(const char *t, size_t n, size_t q)
{
	size_t k = q + 1;

	while (k < n && t[k] != t[q]) {
		if (t[k] == '\\' && k + 1 < n)
			k++;
		k++;
	}
	return k < n ? k : unterminated_end(t, n, q + 1);
}

/*
 * A value from `from` to `end` that starts inside a JSON string (inq, see
 * quote_parity) stops at that string's end: SQL or shell quoting must not run
 * across JSON strings.
 */
static size_t clip(const char *t, const unsigned char *inq, size_t from, size_t end)
{
	size_t k = from;

	if (inq == NULL || !inq[from])
		return end;
	while (k < end && t[k] != '"')
		k += t[k] == '\\' && k + 1 < end ? 2 : 1;
	return k < end ? k : end;
}

/*
 * NAME=VALUE assignments outside URLs: libpq conninfo (password=xyz, password='a b'),
 * environment dumps (PGPASSWORD=..., DB_PASSWORD="..."). Query strings are left to
 * mark_query().
 */
static void mark_assignments(const char *t, size_t n, const unsigned char *inq,
                             unsigned char *m)
{
	const char *p;
	size_t i = 0;

	while (i < n && (p = memchr(t + i, '=', n - i)) != NULL) {
		size_t e = (size_t)(p - t);
		size_t ne = e, ns, v, ve;

		i = e + 1;
		if (e + 1 < n && t[e + 1] == '=')
			continue; /* == comparison */
		while (ne > 0 && e - ne < 4 && (t[ne - 1] == ' ' || t[ne - 1] == '\t'))
			ne--;
		ns = ne;
		while (ns > 0 && ne - ns < 128 &&
		       (is_word((unsigned char)t[ns - 1]) || t[ns - 1] == '.' ||
		        t[ns - 1] == '-'))
			ns--;
		if (ns == ne || !secret_assign_name(t + ns, ne - ns))
			continue;
		if (ns > 0 && strchr("?&#;", t[ns - 1]) != NULL)
			continue; /* a query parameter */
		v = e + 1;
		while (v < n && (t[v] == ' ' || t[v] == '\t'))
			v++;
		if (v < n && (t[v] == '\'' || t[v] == '"')) {
			ve = clip(t, inq, v + 1, quoted_end(t, n, v));
			mark(m, v + 1, ve, MK_PLAIN);
		} else if (v + 1 < n && t[v] == '\\' && t[v + 1] == '"') {
			/* password=\"x\" inside a JSON string */
			const char *c = find_bytes(t + v + 2, n - v - 2, "\\\"", 2);

			ve = c ? (size_t)(c - t) : unterminated_end(t, n, v + 2);
			mark(m, v + 2, ve, MK_PLAIN);
		} else {
			ve = v;
			while (ve < n && !is_space((unsigned char)t[ve]) && t[ve] != '"' &&
			       t[ve] != '\'' && t[ve] != '\\')
				ve++;
			mark(m, v, ve, MK_PLAIN);
		}
		i = ve > i ? ve : i;
	}
}

/*
 * Authorization:, Proxy-Authorization:, X-Api-Key:, Cookie:, Set-Cookie: the rest of
 * the line; inside a JSON string, up to its end (or an escaped \n); after a single
 * quote (curl -H '...'), up to the closing quote.
 */
static void mark_headers(const char *t, size_t n, const unsigned char *inq, unsigned char *m)
{
	static const char *const names[] = {"authorization:", "x-api-key:", "cookie:"};
	for (size_t h = 0; h < sizeof(names) / sizeof(names[0]); h++) {
		size_t kl = strlen(names[h]);
		size_t i = 0;

		while ((i = ci_find(t, n, i, names[h])) < n) {
			size_t s = i, v = i + kl, e;
			int sq, escq, in_str;

			i = v;
			/* "Proxy-Authorization" and "Set-Cookie" end with a listed name. */
			if (s > 0 && is_word((unsigned char)t[s - 1]))
				continue;
			if (s >= 6 && ci_eq(t + s - 6, "proxy-", 6))
				s -= 6;
			else if (s >= 4 && ci_eq(t + s - 4, "set-", 4))
				s -= 4;
			sq = s > 0 && t[s - 1] == '\'';
			escq = s > 1 && t[s - 1] == '"' && t[s - 2] == '\\';
			in_str = inq != NULL && inq[s];
			while (v < n && (t[v] == ' ' || t[v] == '\t'))
				v++;
			for (e = v; e < n && t[e] != '\r' && t[e] != '\n'; e++) {
				if ((sq && t[e] == '\'') || (in_str && t[e] == '"'))
					break;
				if (t[e] == '\\' && e + 1 < n) {
					if (t[e + 1] == 'n' || t[e + 1] == 'r' ||
					    (escq && t[e + 1] == '"'))
						break;
					e++;
				}
			}
			mark(m, v, e < n ? e : n, MK_PLAIN);
			i = e > i ? e : i;
		}
	}
}

static int token_char(unsigned char c)
{
	return isalnum(c) || strchr("-._~+/=", c) != NULL;
}

/* Could this word be a credential rather than prose ("Basic troubleshooting")? */
static int credential_like(const char *s, size_t len)
{
	if (len < 6)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isdigit(c) || strchr("-._~+/=", c) != NULL || (i > 0 && isupper(c)))
			return 1;
	}
	return 0;
}

/*
 * "Bearer <tok>" and "Basic <tok>" anywhere. A token after "Bearer"/"BEARER" is
 * always hidden; after other spellings and after "Basic" only when it looks like
 * a credential (six characters or more, with a digit, a symbol or inner capitals).
 */
static void mark_auth_schemes(const char *t, size_t n, unsigned char *m)
{
	static const char *const kws[] = {"bearer", "basic"};

	for (size_t k = 0; k < 2; k++) {
		size_t kl = strlen(kws[k]);
		size_t i = 0;

		while ((i = ci_find(t, n, i, kws[k])) < n) {
			size_t s = i, v = i + kl, e;
			int always;

			i = v;
			if ((s > 0 && is_word((unsigned char)t[s - 1])) || v >= n ||
			    (t[v] != ' ' && t[v] != '\t'))
				continue;
			while (v < n && (t[v] == ' ' || t[v] == '\t'))
				v++;
			for (e = v; e < n && token_char((unsigned char)t[e]); e++)
				;
			always = k == 0 && (memcmp(t + s, "Bearer", 6) == 0 ||
			                    memcmp(t + s, "BEARER", 6) == 0);
			if (e > v && (always || credential_like(t + v, e - v)))
				mark(m, v, e, MK_PLAIN);
			i = e > i ? e : i;
		}
	}
}

static int query_secret_name(const char *s, size_t len)
{
	static const char *const kws[] = {"token",    "key",    "secret",
	                                  "password", "passwd", "sig"};

	for (size_t i = 0; i < sizeof(kws) / sizeof(kws[0]); i++)
		if (ci_contains(s, len, kws[i]))
			return 1;
	return 0;
}

static int query_end(unsigned char c)
{
	return c == '&' || c == '#' || is_space(c) || c == '"' || c == '\'' || c == '<' ||
	       c == '>' || c == '\\' || c == '`';
}

/* ?name=VALUE / &name=VALUE / #name=VALUE where the name looks secret. */
static void mark_query(const char *t, size_t n, unsigned char *m)
{
	for (size_t i = 0; i < n; i++) {
		size_t ns, ne, ve;

		if (t[i] != '?' && t[i] != '&' && t[i] != '#')
			continue;
		ns = i + 1;
		for (ne = ns; ne < n && ne - ns <= 128 && t[ne] != '=' && t[ne] != '?' &&
		              !query_end((unsigned char)t[ne]);
		     ne++)
			;
		if (ne >= n || t[ne] != '=' || ne == ns || !query_secret_name(t + ns, ne - ns))
			continue;
		for (ve = ne + 1; ve < n && !query_end((unsigned char)t[ve]); ve++)
			;
		mark(m, ne + 1, ve, MK_PLAIN);
		i = ve - 1;
	}
}

/* "\n", "\t", "\r" or "\f" at t[j]: whitespace as a JSON string writes it. */
static int json_space(const char *t, size_t n, size_t j)
{
	return j + 1 < n && t[j] == '\\' &&
	       (t[j + 1] == 'n' || t[j + 1] == 't' || t[j + 1] == 'r' || t[j + 1] == 'f');
}

/* Skip whitespace and SQL comments from j; returns the first other byte (or n). In
 * JSON text (injson) the whitespace may be written as escapes. */
static size_t sql_skip(const char *t, size_t n, size_t j, int injson)
{
	for (;;) {
		while (j < n &&
		       (is_space((unsigned char)t[j]) || (injson && json_space(t, n, j))))
			j += is_space((unsigned char)t[j]) ? 1 : 2;
		if (j + 1 < n && t[j] == '/' && t[j + 1] == '*') {
			const char *c = find_bytes(t + j + 2, n - j - 2, "*/", 2);

			j = c ? (size_t)(c - t) + 2 : n;
		} else if (j + 1 < n && t[j] == '-' && t[j + 1] == '-') {
			const char *c = memchr(t + j, '\n', n - j);

			j = c ? (size_t)(c - t) + 1 : n;
		} else {
			return j;
		}
	}
}

/*
 * The closing quote of E'...' opened at q (or the unterminated end). A backslash
 * escapes the next character; in JSON text (injson) SQL's backslash is written "\\",
 * and any character may itself be a two-byte JSON escape ("\n", "\\", "\"").
 */
static size_t e_literal_end(const char *t, size_t n, size_t q, int injson)
{
	size_t k = q + 1;

	while (k < n && t[k] != '\'') {
		size_t w = injson && t[k] == '\\' && k + 1 < n ? 2 : 1; /* this character */

		if (t[k] == '\\' && (!injson || (w == 2 && t[k + 1] == '\\'))) {
			k += w; /* SQL's backslash: the next character is taken as it is */
			if (k < n)
				k += injson && t[k] == '\\' && k + 1 < n ? 2 : 1;
			continue;
		}
		k += w;
	}
	return k < n ? k : unterminated_end(t, n, q + 1);
}

/*
 * SQL: PASSWORD [whitespace, comments] 'literal' | E'literal' | $tag$...$tag$.
 * A single-quoted literal keeps its quotes; a dollar-quoted one becomes '[REDACTED]'.
 * Inside a JSON string (inq) the SQL is read as JSON writes it: whitespace as "\n"
 * or "\t", a backslash as "\\".
 */
static void mark_sql_password(const char *t, size_t n, const unsigned char *inq,
                              unsigned char *m)
{
	size_t i = 0;

	while ((i = ci_find(t, n, i, "password")) < n) {
		size_t s = i, j = i + 8, k;
		int injson;

		i = j;
		if ((s > 0 && is_word((unsigned char)t[s - 1])) ||
		    (j < n && is_word((unsigned char)t[j])))
			continue;
		injson = inq != NULL && inq[s];
		j = sql_skip(t, n, j, injson);
		if (j < n && (t[j] == 'E' || t[j] == 'e') && j + 1 < n && t[j + 1] == '\'') {
			k = clip(t, inq, j + 2, e_literal_end(t, n, j + 1, injson));
			mark(m, j + 2, k, MK_PLAIN);
			i = k;
		} else if (j < n && t[j] == '\'') {
			k = j + 1;
			while (k < n) {
				if (t[k] == '\'' && k + 1 < n && t[k + 1] == '\'')
					k += 2;
				else if (t[k] == '\'')
					break;
				else
					k++;
			}
			if (k >= n)
				k = unterminated_end(t, n, j + 1);
			k = clip(t, inq, j + 1, k);
			mark(m, j + 1, k, MK_PLAIN);
			i = k;
		} else if (j < n && t[j] == '$') {
			const char *c;

			k = j + 1;
			if (k < n && (isalpha((unsigned char)t[k]) || t[k] == '_'))
				while (k < n && is_word((unsigned char)t[k]))
					k++;
			if (k >= n || t[k] != '$') {
				i = j;
				continue;
			}
			c = find_bytes(t + k + 1, n - k - 1, t + j, k - j + 1);
			k = c ? (size_t)(c - t) + (k - j + 1) : unterminated_end(t, n, k + 1);
			k = clip(t, inq, j, k);
			mark(m, j, k, MK_QUOTED);
			i = k;
		} else {
			i = j > i ? j : i;
		}
	}
}

/*
 * JSON keys whose string value is a secret (also used by redact_json): the name
 * contains password, passwd, secret, token, api_key, apikey or authorization, and
 * does not end in name, names or fingerprint.
 */
static int json_secret_key(const char *s, size_t len)
{
	/* Called for every short quoted string of every event: one pass, each keyword
	 * tried only where its first letter is (the same answer as one ci_contains per
	 * keyword, seven passes). */
	static const char *const by_letter[][4] = {
	        ['a' - 'a'] = {"api_key", "apikey", "authorization", NULL},
	        ['p' - 'a'] = {"password", "passwd", NULL},
	        ['s' - 'a'] = {"secret", NULL},
	        ['t' - 'a'] = {"token", NULL},
	};

	if (len < 5 || benign_name(s, len)) /* "token" is the shortest */
		return 0;
	for (size_t i = 0; i + 5 <= len; i++) {
		unsigned char c = (unsigned char)tolower((unsigned char)s[i]);
		const char *const *kws;

		if (c != 'a' && c != 'p' && c != 's' && c != 't')
			continue;
		kws = by_letter[c - 'a'];
		for (size_t k = 0; kws[k] != NULL; k++) {
			size_t kl = strlen(kws[k]);

			if (i + kl <= len && ci_eq(s + i + 1, kws[k] + 1, kl - 1))
				return 1;
		}
	}
	return 0;
}

/*
 * "password": "x", "token": "x", ... inside text, also when the JSON is itself
 * escaped inside a JSON string (\"password\": \"x\").
 */
static void mark_json_pairs(const char *t, size_t n, unsigned char *m)
{
	size_t i = 0;

	while (i < n) {
		const char *p = memchr(t + i, '"', n - i);
		size_t q, k, ke, j, v, e;
		int esc;

		if (p == NULL)
			return;
		q = (size_t)(p - t);
		esc = q > 0 && t[q - 1] == '\\';
		i = q + 1;
		for (k = q + 1; k < n && k - q < 80 && t[k] != '"' && t[k] != '\n'; k++)
			;
		if (k >= n || t[k] != '"')
			continue;
		if (esc != (t[k - 1] == '\\')) {
			continue;
		}
		ke = esc ? k - 1 : k;
		i = k + 1;
		if (ke <= q + 1 || !json_secret_key(t + q + 1, ke - q - 1))
			continue;
		j = k + 1;
		while (j < n && is_space((unsigned char)t[j]))
			j++;
		if (j >= n || t[j] != ':')
			continue;
		j++;
		while (j < n && is_space((unsigned char)t[j]))
			j++;
		if (esc) {
			if (j + 1 >= n || t[j] != '\\' || t[j + 1] != '"')
				continue;
			v = j + 2;
			for (e = v; e < n && !(t[e] == '\\' && e + 1 < n && t[e + 1] == '"');
			     e++)
				if (t[e] == '\\' && e + 1 < n && t[e + 1] == '\\')
					e++;
		} else {
			if (j >= n || t[j] != '"')
				continue;
			v = j + 1;
			e = quoted_end(t, n, j);
		}
		if (e > n)
			e = n;
		mark(m, v, e, MK_PLAIN);
		i = e + 1;
	}
}

/*
 * Keep escape sequences whole: a run that starts just after an escaping backslash
 * takes the backslash; one that ends on an escaping backslash takes the escaped
 * character (with the four digits of \uXXXX). "\[REDACTED]" would not be JSON.
 */
static void whole_escapes(const char *t, size_t n, unsigned char *m)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char kind = m[i];
		size_t b, k;

		if (kind == MK_NONE || (i > 0 && m[i - 1] == kind))
			continue;
		for (k = i; k > 0 && t[k - 1] == '\\'; k--)
			;
		if ((i - k) % 2 == 1 && m[i - 1] < kind)
			m[i - 1] = kind;
		for (b = i; b < n && m[b] == kind; b++)
			;
		for (k = b; k > i && t[k - 1] == '\\'; k--)
			;
		if (k == i) /* the run is all backslashes: count those before it too */
			for (; k > 0 && t[k - 1] == '\\'; k--)
				;
		if ((b - k) % 2 == 1 && b < n) {
			size_t end = b + 1;

			if (t[b] == 'u')
				while (end < n && end < b + 5 &&
				       isxdigit((unsigned char)t[end]))
					end++;
			mark(m, b, end, (enum mark_kind)kind);
			b = end;
		}
		i = b - 1;
	}
}

/*
 * A malloc'd copy of `in` with secrets and credentials replaced (see redact.h);
 * NULL in, NULL out. The caller frees.
 */
char *redact_text(const char *in)
{
	size_t n, runs = 0, o = 0;
	unsigned char *m, *inq;
	char *out;

	if (in == NULL)
		return NULL;
	n = strlen(in);
	m = xcalloc(n + 1, 1);
	inq = memchr(in, '"', n) ? quote_parity(in, n) : NULL;

	redact_mark_secrets(in, n, m);
	mark_url_userinfo(in, n, m);
	mark_assignments(in, n, inq, m);
	mark_headers(in, n, inq, m);
	mark_auth_schemes(in, n, m);
	mark_query(in, n, m);
	mark_sql_password(in, n, inq, m);
	mark_json_pairs(in, n, m);
	whole_escapes(in, n, m);
	free(inq);

	for (size_t i = 0; i < n; i++)
		if (m[i] && (i == 0 || m[i - 1] != m[i]))
			runs++;
	if (runs == 0) {
		free(m);
		return xstrndup(in, n);
	}
	out = xmalloc(n + runs * (sizeof(REDACTED) + 2) + 1);
	for (size_t i = 0; i < n;) {
		enum mark_kind kind = (enum mark_kind)m[i];

		if (kind == MK_NONE) {
			out[o++] = in[i++];
			continue;
		}
		while (i < n && m[i] == kind)
			i++;
		if (kind == MK_QUOTED)
			out[o++] = '\'';
		memcpy(out + o, REDACTED, sizeof(REDACTED) - 1);
		o += sizeof(REDACTED) - 1;
		if (kind == MK_QUOTED)
			out[o++] = '\'';
	}
	out[o] = '\0';
	free(m);
	return out;
}

/*
 * Redact every string value of a cJSON tree in place (keys are kept). A string under
 * a key naming a secret (password, secret, token, api_key, authorization) is replaced
 * entirely.
 */
void redact_json(cJSON *node)
{
	if (node == NULL)
		return;
	if (cJSON_IsString(node) && node->valuestring != NULL) {
		char *r;

		if (node->string != NULL && json_secret_key(node->string, strlen(node->string)))
			r = xstrdup(REDACTED);
		else
			r = redact_text(node->valuestring);
		if (strcmp(r, node->valuestring) != 0) {
			if (node->type & cJSON_IsReference) {
				/* borrowed (maybe read-only) text: point at a copy instead */
				char *copy = cJSON_malloc(strlen(r) + 1);

				if (copy != NULL) {
					memcpy(copy, r, strlen(r) + 1);
					node->valuestring = copy;
					node->type &= ~cJSON_IsReference;
				}
			} else {
				explicit_bzero(node->valuestring, strlen(node->valuestring));
				cJSON_SetValuestring(node, r);
			}
		}
		free(r);
		return;
	}
	for (cJSON *c = node->child; c != NULL; c = c->next)
		redact_json(c);
}
