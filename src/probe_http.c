/* probe_http.c - one HTTP request over libcurl, classified and timed. */
#include "probe_http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lazylib.h"
#include "util.h"

#define DEFAULT_TIMEOUT_MS 5000
#define MAX_CONNECT_TIMEOUT_MS 5000
#define DEFAULT_MAX_BODY ((size_t)1 << 20)
#define MAX_HEADER_VALUE 1024
#define POLL_MS 100 /* the abort flag is looked at least this often */

static const char *const error_names[] = {
#define X(e, s) s,
        HTTP_ERRORS(X)
#undef X
};

/* What the callbacks share with http_fetch. */
struct xfer {
	struct buf body;
	int over_cap; /* the write callback stopped the transfer at max_body */
	char *content_type;
	char *retry_after;
	char *link;
};

/* "ok", "refused", ...; "other" for a value out of range. */
const char *http_error_name(enum http_error e)
{
	if ((int)e < 0 || e >= HTTP_ERROR__LAST)
		return "other";
	return error_names[e];
}

/* Load libcurl and curl_global_init once per process; 0 on success, else -1 with a
 * one-line reason in err. */
int http_global_init(char *err, size_t errlen)
{
	if (lazy_curl_load(err, errlen) != 0)
		return -1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errlen, "cannot initialise libcurl");
		return -1;
	}
	return 0;
}

/* The counterpart of http_global_init, at exit. */
void http_global_cleanup(void)
{
	curl_global_cleanup();
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	struct xfer *x = userp;
	size_t n = size * nmemb;

	if (buf_append(&x->body, data, n) < 0) {
		x->over_cap = 1;
		return 0; /* stop: CURLE_WRITE_ERROR, the status line is kept */
	}
	return n;
}

/* Replace *slot by value[0..n) with surrounding blanks trimmed. */
static void set_header(char **slot, const char *value, size_t n)
{
	while (n > 0 && (*value == ' ' || *value == '\t')) {
		value++;
		n--;
	}
	while (n > 0 && (value[n - 1] == '\r' || value[n - 1] == '\n' || value[n - 1] == ' ' ||
	                 value[n - 1] == '\t'))
		n--;
	if (n > MAX_HEADER_VALUE)
		n = MAX_HEADER_VALUE;
	free(*slot);
	*slot = xstrndup(value, n);
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *userp)
{
	struct xfer *x = userp;
	size_t n = size * nmemb;
	const char *colon = memchr(line, ':', n);
	size_t name_len;

	if (n >= 5 && strncasecmp(line, "HTTP/", 5) == 0) {
		/* a new response (after a 1xx, or a proxy's): forget the earlier headers */
		free(x->content_type);
		free(x->retry_after);
		free(x->link);
		x->content_type = x->retry_after = x->link = NULL;
		return n;
	}
	if (colon == NULL)
		return n;
	name_len = (size_t)(colon - line);
	if (name_len == 12 && strncasecmp(line, "Content-Type", 12) == 0)
		set_header(&x->content_type, colon + 1, n - name_len - 1);
	else if (name_len == 11 && strncasecmp(line, "Retry-After", 11) == 0)
		set_header(&x->retry_after, colon + 1, n - name_len - 1);
	else if (name_len == 4 && strncasecmp(line, "Link", 4) == 0)
		set_header(&x->link, colon + 1, n - name_len - 1);
	return n;
}

static enum http_error classify(CURLcode rc, const struct xfer *x)
{
	switch (rc) {
	case CURLE_OK:
		return HTTP_OK;
	case CURLE_WRITE_ERROR:
		return x->over_cap ? HTTP_OK : HTTP_OTHER;
	case CURLE_COULDNT_CONNECT:
		return HTTP_REFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return HTTP_TIMEOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return HTTP_DNS;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_USE_SSL_FAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CLIENTCERT:
		return HTTP_TLS;
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2_STREAM:
		return HTTP_DROPPED;
	default:
		return HTTP_OTHER;
	}
}

static double info_ms(CURL *h, CURLINFO what)
{
	curl_off_t us = 0;

	if (curl_easy_getinfo(h, what, &us) != CURLE_OK || us < 0)
		return 0;
	return (double)us / 1000.0;
}

static void fill_version(CURL *h, struct http_resp *resp)
{
	long v = 0;
	const char *s = "";

	curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &v);
	switch (v) {
	case CURL_HTTP_VERSION_1_0:
		s = "1.0";
		break;
	case CURL_HTTP_VERSION_1_1:
		s = "1.1";
		break;
	case CURL_HTTP_VERSION_2_0:
		s = "2";
		break;
	case CURL_HTTP_VERSION_3:
		s = "3";
		break;
	default:
		break;
	}
	strlcpy_chk(resp->http_version, s, sizeof(resp->http_version));
}

/* Wipe and free a header list: values may be credentials. */
static void free_headers(struct curl_slist *list)
{
	for (struct curl_slist *l = list; l != NULL; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(list);
}

/* The request headers as a curl list ("Name: value", "Name;" for an empty value),
 * plus "Expect:" (no 100-continue round trip) unless the caller set one or the request
 * is SigV4-signed: libcurl 7.88 signs the "Expect:" removal as an empty header it then
 * does not send (403 SignatureDoesNotMatch); its bodies here are far below the 1 MiB
 * at which curl would ask for 100-continue. */
static struct curl_slist *make_headers(const struct http_req *req)
{
	struct curl_slist *list = NULL, *l;
	int has_expect = 0;

	for (size_t i = 0; i < req->nheaders && req->headers != NULL; i++) {
		const struct http_header *hd = &req->headers[i];
		char *line;

		if (hd->name == NULL)
			continue;
		if (strcasecmp(hd->name, "Expect") == 0)
			has_expect = 1;
		if (hd->value == NULL || hd->value[0] == '\0')
			line = xasprintf("%s;", hd->name);
		else
			line = xasprintf("%s: %s", hd->name, hd->value);
		l = curl_slist_append(list, line);
		explicit_bzero(line, strlen(line)); /* Authorization and the like */
		free(line);
		if (l == NULL)
			goto fail;
		list = l;
	}
	if (!has_expect && req->aws_sigv4 == NULL) {
		l = curl_slist_append(list, "Expect:");
		if (l == NULL)
			goto fail;
		list = l;
	}
	return list;
fail:
	free_headers(list);
	return NULL;
}

static void set_method(CURL *h, const struct http_req *req)
{
	const char *m = req->method ? req->method : "GET";
	const char *body = req->body ? req->body : "";

	if (strcasecmp(m, "GET") == 0 && req->body == NULL) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
		return;
	}
	if (strcasecmp(m, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
		return;
	}
	if (req->body != NULL || strcasecmp(m, "POST") == 0 || strcasecmp(m, "PUT") == 0 ||
	    strcasecmp(m, "PATCH") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	}
	if (strcasecmp(m, "POST") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m);
}

/*
 * curl_easy_perform, driven through a multi handle so that the abort flag is looked
 * at every POLL_MS even while nothing arrives (the easy interface's own progress
 * callback can be a second apart then). CURLE_ABORTED_BY_CALLBACK when aborted.
 */
static CURLcode perform(CURL *h, volatile int *abort_flag)
{
	CURLcode rc = CURLE_FAILED_INIT;
	CURLM *m = curl_multi_init();
	int running = 1;

	if (m == NULL || curl_multi_add_handle(m, h) != CURLM_OK)
		goto out;
	for (;;) {
		if (curl_multi_perform(m, &running) != CURLM_OK)
			break;
		if (!running)
			break;
		if (abort_flag != NULL && *abort_flag) {
			rc = CURLE_ABORTED_BY_CALLBACK;
			break;
		}
		if (curl_multi_poll(m, NULL, 0, POLL_MS, NULL) != CURLM_OK)
			break;
	}
	while (!running) {
		int left = 0;
		CURLMsg *msg = curl_multi_info_read(m, &left);

		if (msg == NULL)
			break;
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == h)
			rc = msg->data.result;
	}
	curl_multi_remove_handle(m, h);
out:
	curl_multi_cleanup(m);
	return rc;
}

/*
 * See probe_http.h. resp->body, content_type, retry_after and link are malloc'd and freed
 * by http_resp_release; when a response arrived the body is never NULL ("" when empty).
 */
int http_fetch(const struct http_req *req, struct http_resp *resp)
{
	long timeout = req->timeout_ms > 0 ? req->timeout_ms : DEFAULT_TIMEOUT_MS;
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers = NULL;
	int64_t t0 = clock_mono_ns();
	struct xfer x;
	CURLcode rc = CURLE_FAILED_INIT;
	CURL *h = NULL;

	memset(resp, 0, sizeof(*resp));
	memset(&x, 0, sizeof(x));
	buf_init(&x.body, req->max_body ? req->max_body : DEFAULT_MAX_BODY);
	resp->error = HTTP_OTHER;
	if (req->url == NULL) {
		strlcpy_chk(resp->errmsg, "no URL", sizeof(resp->errmsg));
		goto out;
	}
	if (req->abort != NULL && *req->abort) {
		resp->error = HTTP_INTERRUPTED;
		strlcpy_chk(resp->errmsg, "interrupted before the request",
		            sizeof(resp->errmsg));
		goto out;
	}
	h = curl_easy_init();
	headers = make_headers(req);
	if (h == NULL || headers == NULL) {
		strlcpy_chk(resp->errmsg, "cannot set up the request", sizeof(resp->errmsg));
		goto out;
	}
	curl_easy_setopt(h, CURLOPT_URL, req->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	                 timeout < MAX_CONNECT_TIMEOUT_MS ? timeout : MAX_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "runbook");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
	if (req->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (req->aws_sigv4 != NULL)
		curl_easy_setopt(h, CURLOPT_AWS_SIGV4, req->aws_sigv4);
	if (req->userpwd != NULL)
		curl_easy_setopt(h, CURLOPT_USERPWD, req->userpwd);
	set_method(h, req);

	rc = perform(h, req->abort);

	resp->error = rc == CURLE_ABORTED_BY_CALLBACK ? HTTP_INTERRUPTED : classify(rc, &x);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	fill_version(h, resp);
	resp->dns_ms = info_ms(h, CURLINFO_NAMELOOKUP_TIME_T);
	resp->connect_ms = info_ms(h, CURLINFO_CONNECT_TIME_T);
	resp->tls_ms = info_ms(h, CURLINFO_APPCONNECT_TIME_T);
	resp->ttfb_ms = info_ms(h, CURLINFO_STARTTRANSFER_TIME_T);
	resp->total_ms = info_ms(h, CURLINFO_TOTAL_TIME_T);
	if (resp->error == HTTP_INTERRUPTED) {
		strlcpy_chk(resp->errmsg, "interrupted", sizeof(resp->errmsg));
	} else if (resp->error != HTTP_OK) {
		strlcpy_chk(resp->errmsg, errbuf[0] ? errbuf : curl_easy_strerror(rc),
		            sizeof(resp->errmsg));
	} else if (x.over_cap) {
		snprintf(resp->errmsg, sizeof(resp->errmsg), "body cut at %zu bytes",
		         x.body.max);
	}
out:
	if (resp->total_ms <= 0)
		resp->total_ms = (double)(clock_mono_ns() - t0) / 1e6;
	if (resp->ttfb_ms > resp->total_ms)
		resp->ttfb_ms = resp->total_ms;
	resp->body_truncated = x.body.truncated;
	resp->body_len = x.body.len;
	if (resp->error == HTTP_OK || x.body.len > 0)
		resp->body = buf_detach(&x.body);
	buf_release(&x.body);
	resp->content_type = x.content_type;
	resp->retry_after = x.retry_after;
	resp->link = x.link;
	free_headers(headers);
	if (h != NULL)
		curl_easy_cleanup(h);
	return resp->error == HTTP_OK ? 0 : -1;
}

/* Free what http_fetch allocated; *resp is zeroed. */
void http_resp_release(struct http_resp *resp)
{
	free(resp->body);
	free(resp->content_type);
	free(resp->retry_after);
	free(resp->link);
	memset(resp, 0, sizeof(*resp));
}

long http_retry_after_ms(const char *v)
{
	struct tm tm;
	long secs;
	const char *end;

	if (v == NULL)
		return -1;
	if (parse_long(v, 0, 86400, &secs) == 0)
		return secs * 1000;
	memset(&tm, 0, sizeof(tm));
	end = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	secs = (long)(timegm(&tm) - time(NULL));
	return secs < 0 ? 0 : secs > 86400 ? 86400000 : secs * 1000;
}
