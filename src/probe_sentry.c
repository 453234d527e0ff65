/* probe_sentry.c - Sentry's web API over probe_http: recent unresolved issues and tags. */
#include "probe_sentry.h"

#include "probe_http.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_WINDOW_MIN 15
#define DEFAULT_PAGES 3
#define DEFAULT_TAG_ISSUES 3
#define DEFAULT_TIMEOUT_MS 5000
#define DEFAULT_MAX_WAIT_MS 5000
#define MAX_BODY ((size_t)4 << 20)

static const char *const status_names[] = {
#define X(e, s) s,
        SENTRY_STATUSES(X)
#undef X
};

/* See probe_sentry.h. */
const char *sentry_status_name(enum sentry_status s)
{
	return (int)s >= 0 && s < SENTRY_STATUS__LAST ? status_names[s] : "?";
}

/* Append s percent-encoded (RFC 3986 unreserved characters kept). */
static void url_escape(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
			buf_append(b, s, 1);
		else
			buf_printf(b, "%%%02X", c);
	}
}

/* Base URL without trailing slashes, appended to b. */
static void put_base(struct buf *b, const char *base)
{
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	buf_append(b, base, n);
}

/* The "detail" of an error body, printable and short, or "". */
static void error_detail(const char *body, char *out, size_t len)
{
	cJSON *j = body ? cJSON_Parse(body) : NULL;
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "detail");
	size_t i = 0;

	out[0] = '\0';
	if (cJSON_IsString(d)) {
		for (const char *p = d->valuestring; *p && i + 1 < len && i < 120; p++)
			out[i++] = isprint((unsigned char)*p) ? *p : ' ';
		out[i] = '\0';
	}
	cJSON_Delete(j);
}

/*
 * One authenticated GET. A 429 whose Retry-After is short enough is waited for and
 * retried once. Returns 0 with a 2xx answer in *resp (the caller releases it), or -1
 * with res->status and res->error set (*resp released).
 */
static int api_get(const struct sentry_req *req, const char *url, struct sentry_result *res,
                   struct http_resp *resp)
{
	struct http_header hdr[2];
	struct http_req hr;
	char *auth = xasprintf("Bearer %s", req->token ? req->token : "");
	long max_wait = req->max_wait_ms == 0 ? DEFAULT_MAX_WAIT_MS : req->max_wait_ms;
	char detail[128];
	int waited = 0, rc = -1;

	hdr[0].name = "Authorization";
	hdr[0].value = auth;
	hdr[1].name = "Accept";
	hdr[1].value = "application/json";
	memset(&hr, 0, sizeof(hr));
	hr.url = url;
	hr.headers = hdr;
	hr.nheaders = 2;
	hr.timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : DEFAULT_TIMEOUT_MS;
	hr.max_body = MAX_BODY;
	hr.abort = req->abort;
	for (;;) {
		long ra;

		res->requests++;
		http_fetch(&hr, resp);
		res->http_status = resp->status;
		if (resp->error != HTTP_OK) {
			res->status = SENTRY_NET;
			snprintf(res->net, sizeof(res->net), "%s",
			         http_error_name(resp->error));
			snprintf(res->error, sizeof(res->error), "no answer from Sentry: %s",
			         http_error_name(resp->error));
			break;
		}
		if (resp->status >= 200 && resp->status < 300) {
			rc = 0;
			goto out;
		}
		error_detail(resp->body, detail, sizeof(detail));
		if (resp->status == 429) {
			ra = http_retry_after_ms(resp->retry_after);
			snprintf(res->retry_after, sizeof(res->retry_after), "%s",
			         resp->retry_after ? resp->retry_after : "");
			if (!waited && max_wait >= 0 && ra >= 0 && ra <= max_wait) {
				int64_t t0 = clock_mono_ns();
				int stop = sleep_abortable(ra, req->abort);

				res->waited_ms += (double)(clock_mono_ns() - t0) / 1e6;
				waited = 1;
				http_resp_release(resp);
				if (stop) {
					res->status = SENTRY_NET;
					snprintf(res->net, sizeof(res->net), "interrupted");
					snprintf(res->error, sizeof(res->error),
					         "interrupted while waiting out a rate limit");
					goto out;
				}
				continue;
			}
			res->status = SENTRY_RATE_LIMITED;
			if (ra >= 0)
				snprintf(res->error, sizeof(res->error),
				         "rate limited: HTTP 429, retry after %ld s%s",
				         ra / 1000, waited ? " (already waited once)" : "");
			else
				snprintf(res->error, sizeof(res->error),
				         "rate limited: HTTP 429 without a usable Retry-After");
		} else if (resp->status == 401 || resp->status == 403) {
			res->status = SENTRY_AUTH;
			snprintf(res->error, sizeof(res->error),
			         "HTTP %ld: the token was refused (expired, revoked or without "
			         "the scope)%s%s",
			         resp->status, detail[0] ? ": " : "", detail);
		} else {
			res->status = SENTRY_HTTP;
			snprintf(res->error, sizeof(res->error), "HTTP %ld from Sentry%s%s",
			         resp->status, detail[0] ? ": " : "", detail);
		}
		break;
	}
	http_resp_release(resp);
out:
	explicit_bzero(auth, strlen(auth));
	free(auth);
	return rc;
}

static void copy_str(char *dst, size_t len, const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	dst[0] = '\0';
	if (cJSON_IsString(v))
		snprintf(dst, len, "%s", v->valuestring);
}

/* "count" as a string ("1523") or a number; -1 when absent or not a count. */
static long long read_count(const cJSON *o)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "count");
	long n;

	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 9e15)
		return (long long)v->valuedouble;
	if (cJSON_IsString(v) && parse_long(v->valuestring, 0, LONG_MAX, &n) == 0)
		return n;
	return -1;
}

static double read_time(const char *s)
{
	double t;

	return s[0] != '\0' && time_parse(s, &t) == 0 ? t : 0;
}

static int is_financial(const char *s)
{
	return s != NULL && strcasecmp(s, SENTRY_FINANCIAL_TAG) == 0;
}

/* Record one (key, value) tag pair on the issue. */
static void add_tag(struct sentry_issue *is, const char *key, const char *value)
{
	if (!is->financial && (is_financial(key) || is_financial(value))) {
		is->financial = 1;
		snprintf(is->financial_tag, sizeof(is->financial_tag), "%s%s%s", key,
		         value && *value ? "=" : "", value ? value : "");
	}
	if (is->ntags >= SENTRY_MAX_TAGS)
		return;
	snprintf(is->tags[is->ntags].key, sizeof(is->tags[0].key), "%s", key);
	snprintf(is->tags[is->ntags].value, sizeof(is->tags[0].value), "%s",
	         value ? value : "");
	is->ntags++;
}

/* Tags from a JSON array of either shape; returns -1 when it is not an array. */
static int tags_from(const cJSON *arr, struct sentry_issue *is)
{
	const cJSON *t;

	if (!cJSON_IsArray(arr))
		return -1;
	cJSON_ArrayForEach(t, arr)
	{
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(t, "key");
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, "value");
		const cJSON *top = cJSON_GetObjectItemCaseSensitive(t, "topValues");
		const cJSON *tv;
		int any = 0;

		if (!cJSON_IsString(k))
			continue;
		if (cJSON_IsString(v)) {
			add_tag(is, k->valuestring, v->valuestring);
			continue;
		}
		cJSON_ArrayForEach(tv, top)
		{
			const cJSON *val = cJSON_GetObjectItemCaseSensitive(tv, "value");

			if (cJSON_IsString(val)) {
				add_tag(is, k->valuestring, val->valuestring);
				any = 1;
			}
		}
		if (!any)
			add_tag(is, k->valuestring, "");
	}
	is->tags_known = 1;
	return 0;
}

/* See probe_sentry.h. */
int sentry_parse_issues(const char *body, struct sentry_issue *out, size_t max, size_t *n,
                        size_t *total, char *err, size_t errlen)
{
	cJSON *j = body ? cJSON_Parse(body) : NULL;
	const cJSON *it;
	size_t i = 0;
	int rc = -1;

	*n = 0;
	*total = 0;
	if (!cJSON_IsArray(j)) {
		snprintf(err, errlen, "the issue list is not a JSON array");
		goto out;
	}
	cJSON_ArrayForEach(it, j)
	{
		struct sentry_issue *is;

		i++;
		if (!cJSON_IsObject(it) ||
		    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(it, "id"))) {
			snprintf(err, errlen, "issue %zu of the list has no \"id\"", i);
			goto out;
		}
		if (*n >= max)
			continue;
		is = &out[(*n)++];
		memset(is, 0, sizeof(*is));
		copy_str(is->id, sizeof(is->id), it, "id");
		copy_str(is->short_id, sizeof(is->short_id), it, "shortId");
		copy_str(is->title, sizeof(is->title), it, "title");
		copy_str(is->culprit, sizeof(is->culprit), it, "culprit");
		copy_str(is->level, sizeof(is->level), it, "level");
		copy_str(is->first_seen, sizeof(is->first_seen), it, "firstSeen");
		copy_str(is->last_seen, sizeof(is->last_seen), it, "lastSeen");
		is->first_ts = read_time(is->first_seen);
		is->last_ts = read_time(is->last_seen);
		is->count = read_count(it);
		tags_from(cJSON_GetObjectItemCaseSensitive(it, "tags"), is);
	}
	*total = i;
	rc = 0;
out:
	cJSON_Delete(j);
	return rc;
}

/* See probe_sentry.h. */
int sentry_parse_tags(const char *body, struct sentry_issue *is, char *err, size_t errlen)
{
	cJSON *j = body ? cJSON_Parse(body) : NULL;
	int rc = tags_from(j, is);

	if (rc < 0)
		snprintf(err, errlen, "the tag list is not a JSON array");
	cJSON_Delete(j);
	return rc;
}

/* The value of name="…" in the parameters params[0..len), copied into out; 0 or -1. */
static int link_param(const char *params, size_t len, const char *name, char *out,
                      size_t outlen)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i + nl + 2 <= len; i++) {
		const char *p = params + i, *q;

		if (strncasecmp(p, name, nl) != 0 || p[nl] != '=' || p[nl + 1] != '"')
			continue;
		if (i > 0 && params[i - 1] != ';' && params[i - 1] != ' ')
			continue;
		p += nl + 2;
		q = memchr(p, '"', len - (size_t)(p - params));
		if (q == NULL || (size_t)(q - p) >= outlen)
			return -1;
		memcpy(out, p, (size_t)(q - p));
		out[q - p] = '\0';
		return 0;
	}
	return -1;
}

/* See probe_sentry.h. */
int sentry_link_next(const char *link, char *cursor, size_t len)
{
	const char *p = link;

	if (link == NULL)
		return 0;
	while ((p = strchr(p, '<')) != NULL) {
		const char *gt = strchr(p, '>');
		const char *end;
		char rel[32], results[16];
		size_t plen;

		if (gt == NULL)
			return -1;
		end = strchr(gt, '<');
		plen = end ? (size_t)(end - gt) : strlen(gt);
		if (link_param(gt, plen, "rel", rel, sizeof(rel)) == 0 &&
		    strcmp(rel, "next") == 0) {
			if (link_param(gt, plen, "results", results, sizeof(results)) == 0 &&
			    strcmp(results, "true") != 0)
				return 0;
			if (link_param(gt, plen, "cursor", cursor, len) == 0)
				return 1;
			/* no cursor parameter: take it from the URL's query */
			for (const char *q = p; q < gt; q++) {
				size_t n;

				if ((*q != '?' && *q != '&') ||
				    strncmp(q + 1, "cursor=", 7) != 0)
					continue;
				q += 8;
				n = strcspn(q, "&>");
				if (n == 0 || n >= len || q + n > gt)
					return -1;
				memcpy(cursor, q, n);
				cursor[n] = '\0';
				return 1;
			}
			return -1;
		}
		p = gt;
	}
	return 0;
}

/* Most events first; ties: seen most recently first. */
static int by_count(const void *a, const void *b)
{
	const struct sentry_issue *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (x->last_ts != y->last_ts)
		return x->last_ts < y->last_ts ? 1 : -1;
	return 0;
}

/* The list URL for a page (cursor NULL for the first). Caller frees. */
static char *list_url(const struct sentry_req *req, double window_min, const char *cursor)
{
	struct buf b;
	char q[96];

	buf_init(&b, 8192);
	put_base(&b, req->base_url);
	buf_puts(&b, "/api/0/projects/");
	url_escape(&b, req->org);
	buf_puts(&b, "/");
	url_escape(&b, req->project);
	snprintf(q, sizeof(q), "is:unresolved lastSeen:-%ldm", (long)ceil(window_min));
	buf_puts(&b, "/issues/?query=");
	url_escape(&b, q);
	buf_puts(&b, "&statsPeriod=24h&sort=freq");
	if (cursor != NULL) {
		buf_puts(&b, "&cursor=");
		url_escape(&b, cursor);
	}
	return buf_detach(&b);
}

/* Fetch the tags of the top issues that came without them. */
static void fetch_tags(const struct sentry_req *req, struct sentry_result *res)
{
	int want = req->tag_issues == 0 ? DEFAULT_TAG_ISSUES : req->tag_issues;

	for (size_t i = 0; i < res->n && (int)i < want; i++) {
		struct sentry_issue *is = &res->issues[i];
		struct sentry_result sub;
		struct http_resp resp;
		struct buf b;
		char err[128];
		char *url;

		if (is->tags_known)
			continue;
		buf_init(&b, 4096);
		put_base(&b, req->base_url);
		buf_puts(&b, "/api/0/issues/");
		url_escape(&b, is->id);
		buf_puts(&b, "/tags/");
		url = buf_detach(&b);
		memset(&sub, 0, sizeof(sub));
		if (api_get(req, url, &sub, &resp) == 0) {
			if (sentry_parse_tags(resp.body, is, err, sizeof(err)) < 0)
				res->tag_failures++;
			http_resp_release(&resp);
		} else {
			res->tag_failures++;
		}
		res->requests += sub.requests;
		res->waited_ms += sub.waited_ms;
		free(url);
	}
}

/* See probe_sentry.h. */
int sentry_top_issues(const struct sentry_req *req, struct sentry_result *res)
{
	double window = req->window_min > 0 ? req->window_min : DEFAULT_WINDOW_MIN;
	int pages = req->max_pages > 0 ? req->max_pages : DEFAULT_PAGES;
	double now = req->now > 0 ? req->now : clock_wall();
	int64_t t0 = clock_mono_ns();
	struct sentry_issue *all = xcalloc(SENTRY_MAX_LISTED, sizeof(*all));
	size_t nall = 0, keep = 0;
	char cursor[256];
	int have_cursor = 0, rc = -1;

	memset(res, 0, sizeof(*res));
	for (int page = 0; page < pages; page++) {
		struct http_resp resp;
		char *url = list_url(req, window, have_cursor ? cursor : NULL);
		size_t n = 0, total = 0;
		int next;

		if (api_get(req, url, res, &resp) < 0) {
			free(url);
			goto out;
		}
		free(url);
		res->pages++;
		if (sentry_parse_issues(resp.body, all + nall, SENTRY_MAX_LISTED - nall, &n,
		                        &total, res->error, sizeof(res->error)) < 0) {
			res->status = SENTRY_MALFORMED;
			http_resp_release(&resp);
			goto out;
		}
		nall += n;
		res->listed += total;
		next = sentry_link_next(resp.link, cursor, sizeof(cursor));
		http_resp_release(&resp);
		have_cursor = next == 1;
		if (!have_cursor || total == 0 || nall >= SENTRY_MAX_LISTED)
			break;
		if (page + 1 == pages)
			res->more = 1;
	}
	/* the window, then the order: the server was asked for both; check them here */
	for (size_t i = 0; i < nall; i++)
		if (all[i].last_ts <= 0 || all[i].last_ts >= now - window * 60)
			all[keep++] = all[i];
	qsort(all, keep, sizeof(*all), by_count);
	res->n = keep < SENTRY_MAX_ISSUES ? keep : SENTRY_MAX_ISSUES;
	res->issues = xcalloc(res->n ? res->n : 1, sizeof(*res->issues));
	memcpy(res->issues, all, res->n * sizeof(*all));
	if (req->tag_issues >= 0)
		fetch_tags(req, res);
	res->status = SENTRY_OK;
	rc = 0;
out:
	free(all);
	res->ms = (double)(clock_mono_ns() - t0) / 1e6;
	return rc;
}

/* See probe_sentry.h. */
int sentry_issue_count(const struct sentry_req *req, const char *id, long long *count,
                       struct sentry_result *res)
{
	int64_t t0 = clock_mono_ns();
	struct http_resp resp;
	struct buf b;
	cJSON *j = NULL;
	char *url;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	*count = -1;
	buf_init(&b, 4096);
	put_base(&b, req->base_url);
	buf_puts(&b, "/api/0/issues/");
	url_escape(&b, id);
	buf_puts(&b, "/");
	url = buf_detach(&b);
	if (api_get(req, url, res, &resp) < 0)
		goto out;
	j = cJSON_Parse(resp.body);
	http_resp_release(&resp);
	*count = cJSON_IsObject(j) ? read_count(j) : -1;
	if (*count < 0) {
		res->status = SENTRY_MALFORMED;
		snprintf(res->error, sizeof(res->error), "the issue has no event \"count\"");
		goto out;
	}
	res->status = SENTRY_OK;
	rc = 0;
out:
	cJSON_Delete(j);
	free(url);
	res->ms = (double)(clock_mono_ns() - t0) / 1e6;
	return rc;
}

/* See probe_sentry.h. */
void sentry_result_release(struct sentry_result *res)
{
	free(res->issues);
	memset(res, 0, sizeof(*res));
}
