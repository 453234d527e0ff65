/*
 * check_http.c - the sweep's libcurl checks: API health and latency samples, the
 * frontend, R2 HeadBucket (SigV4), the email provider, certificate expiry (CERTINFO).
 * Each check queues easy handles; check.c runs them all in one multi loop.
 */
#include "check_int.h"

#include "config.h"
#include "probe_s3.h"

#include <math.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define API_BODY_MAX 65536
#define URL_MAX 2048
#define MAX_SAMPLES 100
/* SHA-256 of the empty body, for x-amz-content-sha256 (libcurl does not add it) */
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	struct xfer *x = userp;
	size_t n = size * nmemb;

	if (!x->keep_body)
		return n;
	if (buf_append(&x->body, data, n) < 0) {
		x->over_cap = 1;
		return 0;
	}
	return n;
}

/* A new transfer of check `id` (not yet added to the multi handle). */
static struct xfer *xfer_new(struct sweep_run *sr, enum check_id id, int index, const char *url,
                             long timeout_ms)
{
	struct xfer *x = xcalloc(1, sizeof(*x));

	sr->x = xrealloc(sr->x, (sr->nx + 1) * sizeof(*sr->x));
	sr->x[sr->nx++] = x;
	x->check = id;
	x->index = index;
	buf_init(&x->body, API_BODY_MAX);
	x->h = curl_easy_init();
	if (x->h == NULL) {
		x->done = 1;
		x->rc = CURLE_FAILED_INIT;
		return x;
	}
	sr->pending[id]++;
	curl_easy_setopt(x->h, CURLOPT_URL, url);
	curl_easy_setopt(x->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->h, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 5000L);
	curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(x->h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->h, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->h, CURLOPT_USERAGENT, "runbook-check/1");
	curl_easy_setopt(x->h, CURLOPT_PROTOCOLS_STR, "http,https");
	return x;
}

/* See check_int.h. */
void check_xfer_release(struct xfer *x)
{
	buf_release(&x->body);
	curl_slist_free_all(x->headers);
	x->headers = NULL;
	if (x->userpwd != NULL) {
		explicit_bzero(x->userpwd, strlen(x->userpwd));
		free(x->userpwd);
		x->userpwd = NULL;
	}
}

static int responded(const struct xfer *x)
{
	return x->rc == CURLE_OK || (x->rc == CURLE_WRITE_ERROR && x->over_cap);
}

/* The transport failure class (as probe_http names them). */
static const char *failure_class(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		return "refused";
	case CURLE_OPERATION_TIMEDOUT:
		return "timeout";
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return "dns";
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_USE_SSL_FAILED:
		return "tls";
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
		return "dropped";
	default:
		return "other";
	}
}

/* "refused: Failed to connect to ..." */
static void failure_text(const struct xfer *x, char *out, size_t len)
{
	snprintf(out, len, "%s: %s", failure_class(x->rc),
	         x->errbuf[0] ? x->errbuf : curl_easy_strerror(x->rc));
}

/* Read a certinfo field ("Expire date:...") of the server certificate. */
static const char *cert_field(const struct curl_certinfo *ci, const char *name)
{
	size_t n = strlen(name);

	if (ci == NULL || ci->num_of_certs < 1)
		return NULL;
	for (const struct curl_slist *l = ci->certinfo[0]; l != NULL; l = l->next)
		if (strncmp(l->data, name, n) == 0 && l->data[n] == ':')
			return l->data + n + 1;
	return NULL;
}

/* See check_int.h. */
void check_http_collect(struct xfer *x)
{
	curl_off_t total = 0;
	long ver = 0;

	if (x->h == NULL)
		return;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &x->status);
	curl_easy_getinfo(x->h, CURLINFO_TOTAL_TIME_T, &total);
	x->ms = (double)total / 1000.0;
	curl_easy_getinfo(x->h, CURLINFO_HTTP_VERSION, &ver);
	snprintf(x->http_version, sizeof(x->http_version), "%s",
	         ver == CURL_HTTP_VERSION_2_0   ? "2"
	         : ver == CURL_HTTP_VERSION_3   ? "3"
	         : ver == CURL_HTTP_VERSION_1_0 ? "1.0"
	         : ver == CURL_HTTP_VERSION_1_1 ? "1.1"
	                                        : "");
	if (x->check == CHK_CERTS) {
		struct curl_certinfo *ci = NULL;
		const char *v;

		curl_easy_getinfo(x->h, CURLINFO_CERTINFO, &ci);
		curl_easy_getinfo(x->h, CURLINFO_SSL_VERIFYRESULT, &x->verify);
		v = cert_field(ci, "Expire date");
		x->have_expiry = v != NULL && check_cert_date(v, &x->expires) == 0;
		if ((v = cert_field(ci, "Subject")) != NULL)
			snprintf(x->subject, sizeof(x->subject), "%s", v);
		if ((v = cert_field(ci, "Issuer")) != NULL)
			snprintf(x->issuer, sizeof(x->issuer), "%s", v);
	}
}

/* ---- queueing ---- */

static int add_api(struct sweep_run *sr)
{
	const struct config *c = sr->o->cfg;
	int n = sr->o->samples > 0 ? sr->o->samples : 20;
	char url[URL_MAX];

	if (n > MAX_SAMPLES)
		n = MAX_SAMPLES;
	if (snprintf(url, sizeof(url), "%s%s", config_str(c, "api.url"),
	             config_str_or(c, "api.health_path", "/health")) >= (int)sizeof(url)) {
		check_set(&sr->sw->checks[CHK_API], CHECK_FAIL, NULL, "api.url is too long");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		struct xfer *x = xfer_new(sr, CHK_API, i, url, check_timeout_ms(c, "api"));

		x->keep_body = 1;
	}
	return 0;
}

static int add_frontend(struct sweep_run *sr)
{
	const struct config *c = sr->o->cfg;

	xfer_new(sr, CHK_FRONTEND, 0, config_str(c, "frontend.url"),
	         check_timeout_ms(c, "frontend"));
	return 0;
}

static int add_storage(struct sweep_run *sr)
{
	const struct config *c = sr->o->cfg;
	char url[URL_MAX], sig[128];
	struct xfer *x;

	if (s3_url(config_str(c, "storage.endpoint"), config_str(c, "storage.bucket"), NULL,
	           NULL, url, sizeof(url)) < 0) {
		check_set(&sr->sw->checks[CHK_STORAGE], CHECK_FAIL, NULL,
		          "storage.endpoint is too long");
		return -1;
	}
	x = xfer_new(sr, CHK_STORAGE, 0, url, check_timeout_ms(c, "storage"));
	if (x->h == NULL)
		return 0;
	snprintf(sig, sizeof(sig), "aws:amz:%s:s3", config_str_or(c, "storage.region", "auto"));
	x->userpwd = xasprintf("%s:%s", config_str(c, "storage.access_key_id"),
	                       config_str(c, "storage.secret_access_key"));
	x->headers = curl_slist_append(NULL, "x-amz-content-sha256: " EMPTY_SHA256);
	curl_easy_setopt(x->h, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(x->h, CURLOPT_AWS_SIGV4, sig);
	curl_easy_setopt(x->h, CURLOPT_USERPWD, x->userpwd);
	curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, x->headers);
	return 0;
}

static int add_email(struct sweep_run *sr)
{
	const struct config *c = sr->o->cfg;
	long timeout = check_timeout_ms(c, "email");
	struct xfer *x;
	char url[URL_MAX];

	if (strcmp(config_str_or(c, "email.provider", "sendgrid"), "smtp") == 0) {
		const char *u = config_str(c, "email.smtp_url");
		const char *tls = config_str_or(c, "email.smtp_tls", "starttls");

		if (strcmp(tls, "tls") == 0 && strncmp(u, "smtp://", 7) == 0)
			snprintf(url, sizeof(url), "smtps://%s", u + 7);
		else
			snprintf(url, sizeof(url), "%s", u);
		x = xfer_new(sr, CHK_EMAIL, 0, url, timeout);
		if (x->h == NULL)
			return 0;
		curl_easy_setopt(x->h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
		curl_easy_setopt(x->h, CURLOPT_CUSTOMREQUEST, "NOOP");
		curl_easy_setopt(x->h, CURLOPT_USE_SSL,
		                 strcmp(tls, "none") == 0 ? (long)CURLUSESSL_NONE
		                                          : (long)CURLUSESSL_ALL);
		return 0;
	}
	{
		const char *base =
		        config_str_or(c, "email.api_url", "https://api.sendgrid.com");
		const char *key = config_str(c, "email.api_key");
		size_t blen = strlen(base);

		while (blen > 0 && base[blen - 1] == '/')
			blen--;
		snprintf(url, sizeof(url), "%.*s%s", (int)blen, base, key ? "/v3/scopes" : "/");
		x = xfer_new(sr, CHK_EMAIL, 0, url, timeout);
		if (x->h != NULL && key != NULL) {
			char *auth = xasprintf("Authorization: Bearer %s", key);

			x->headers = curl_slist_append(NULL, auth);
			explicit_bzero(auth, strlen(auth));
			free(auth);
			curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, x->headers);
		}
	}
	return 0;
}

static int add_certs(struct sweep_run *sr)
{
	const struct config *c = sr->o->cfg;
	const cJSON *hosts = config_node(c, "certs.hosts");
	const cJSON *h;
	int i = 0;

	cJSON_ArrayForEach(h, hosts)
	{
		char host[256], url[URL_MAX];
		long port;
		struct xfer *x;

		if (!cJSON_IsString(h) ||
		    check_host_port(h->valuestring, host, sizeof(host), &port) < 0) {
			x = xcalloc(1, sizeof(*x)); /* no transfer: its verdict says why */
			sr->x = xrealloc(sr->x, (sr->nx + 1) * sizeof(*sr->x));
			sr->x[sr->nx++] = x;
			x->check = CHK_CERTS;
			x->index = i++;
			x->done = 1;
			x->rc = CURLE_URL_MALFORMAT;
			snprintf(x->host, sizeof(x->host), "%s",
			         cJSON_IsString(h) ? h->valuestring : "?");
			buf_init(&x->body, 1);
			continue;
		}
		snprintf(url, sizeof(url),
		         strchr(host, ':') ? "https://[%s]:%ld/" : "https://%s:%ld/", host,
		         port);
		x = xfer_new(sr, CHK_CERTS, i++, url, check_timeout_ms(c, "certs"));
		snprintf(x->host, sizeof(x->host), "%s", h->valuestring);
		x->port = port;
		if (x->h == NULL)
			continue;
		/* read the certificate whatever it is; trust is reported on its own */
		curl_easy_setopt(x->h, CURLOPT_CERTINFO, 1L);
		curl_easy_setopt(x->h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(x->h, CURLOPT_SSL_VERIFYHOST, 0L);
		curl_easy_setopt(x->h, CURLOPT_PROTOCOLS_STR, "https");
	}
	return 0;
}

/* See check_int.h. */
int check_http_add(struct sweep_run *sr, enum check_id id)
{
	switch (id) {
	case CHK_API:
		return add_api(sr);
	case CHK_FRONTEND:
		return add_frontend(sr);
	case CHK_STORAGE:
		return add_storage(sr);
	case CHK_EMAIL:
		return add_email(sr);
	case CHK_CERTS:
		add_certs(sr);
		if (sr->pending[CHK_CERTS] == 0) { /* every entry malformed */
			check_http_verdict(sr, CHK_CERTS);
			return -1;
		}
		return 0;
	default:
		return -1;
	}
}

/* ---- verdicts ---- */

/* The check's transfers, in order. */
static size_t xfers_of(struct sweep_run *sr, enum check_id id, struct xfer **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sr->nx && n < max; i++)
		if (sr->x[i]->check == id)
			out[n++] = sr->x[i];
	return n;
}

/* One API answer: healthy, or why not (in why). */
static int api_healthy(const struct xfer *x, char *why, size_t len, cJSON *d)
{
	cJSON *body;
	const cJSON *st, *db;
	int ok = 0;

	if (!responded(x)) {
		failure_text(x, why, len);
		return 0;
	}
	body = cJSON_Parse(x->body.p ? x->body.p : "");
	st = cJSON_GetObjectItemCaseSensitive(body, "status");
	db = cJSON_GetObjectItemCaseSensitive(body, "db");
	if (d != NULL) {
		cJSON_AddNumberToObject(d, "status", (double)x->status);
		cJSON_AddStringToObject(d, "http_version", x->http_version);
		if (cJSON_IsString(st))
			cJSON_AddStringToObject(d, "body_status", st->valuestring);
		if (cJSON_IsString(db))
			cJSON_AddStringToObject(d, "db", db->valuestring);
	}
	if (cJSON_IsString(db) && strcmp(db->valuestring, "ok") != 0)
		snprintf(why, len, "HTTP %ld, db is %s", x->status, db->valuestring);
	else if (x->status != 200)
		snprintf(why, len, "HTTP %ld", x->status);
	else if (!cJSON_IsObject(body))
		snprintf(why, len, "HTTP 200 but the body is not JSON");
	else if (!cJSON_IsString(st) || !cJSON_IsString(db))
		snprintf(why, len, "HTTP 200 but the body lacks \"%s\"",
		         cJSON_IsString(st) ? "db" : "status");
	else if (strcmp(st->valuestring, "ok") != 0)
		snprintf(why, len, "HTTP 200 but status is \"%s\"", st->valuestring);
	else
		ok = 1;
	cJSON_Delete(body);
	return ok;
}

static void verdict_api(struct sweep_run *sr)
{
	struct check_result *cr = &sr->sw->checks[CHK_API];
	double max = config_num(sr->o->cfg, "thresholds.api_p95_ms", 1000);
	struct xfer *xs[MAX_SAMPLES];
	double lat[MAX_SAMPLES];
	size_t n = xfers_of(sr, CHK_API, xs, MAX_SAMPLES), nlat = 0;
	int healthy = 0;
	char first_why[256] = "";
	cJSON *d = cJSON_CreateObject();
	double p50, p95, worst = 0;

	for (size_t i = 0; i < n; i++) {
		char why[256];

		if (api_healthy(xs[i], why, sizeof(why), i == 0 ? d : NULL))
			healthy++;
		else if (first_why[0] == '\0')
			snprintf(first_why, sizeof(first_why), "%s", why);
		if (responded(xs[i])) {
			lat[nlat++] = xs[i]->ms;
			if (xs[i]->ms > worst)
				worst = xs[i]->ms;
		}
	}
	p50 = check_percentile(lat, nlat, 50);
	p95 = check_percentile(lat, nlat, 95);
	cJSON_AddNumberToObject(d, "samples", (double)n);
	cJSON_AddNumberToObject(d, "healthy", healthy);
	cJSON_AddNumberToObject(d, "p50_ms", round(p50));
	cJSON_AddNumberToObject(d, "p95_ms", round(p95));
	cJSON_AddNumberToObject(d, "max_ms", round(worst));
	cJSON_AddNumberToObject(d, "p95_max_ms", max);
	if (first_why[0] != '\0')
		cJSON_AddStringToObject(d, "error", first_why);
	if (healthy == 0)
		check_set(cr, CHECK_FAIL, d, "%s", first_why);
	else if ((size_t)healthy < n)
		check_set(cr, CHECK_WARN, d, "%zu of %zu requests failed (%s); p95 %.0f ms",
		          n - (size_t)healthy, n, first_why, p95);
	else if (p95 > max)
		check_set(cr, CHECK_WARN, d,
		          "healthy, but p95 %.0f ms > %g ms over %zu samples (runbook §3.1)",
		          p95, max, n);
	else
		check_set(cr, CHECK_OK, d,
		          "status ok, db ok; p95 %.0f ms over %zu samples (max %g)", p95, n,
		          max);
}

static void verdict_frontend(struct sweep_run *sr)
{
	struct check_result *cr = &sr->sw->checks[CHK_FRONTEND];
	const char *url = config_str(sr->o->cfg, "frontend.url");
	struct xfer *x = NULL;
	cJSON *d = cJSON_CreateObject();
	char why[512];

	xfers_of(sr, CHK_FRONTEND, &x, 1);
	cJSON_AddStringToObject(d, "url", url);
	if (x == NULL || !responded(x)) {
		if (x != NULL)
			failure_text(x, why, sizeof(why));
		cJSON_AddStringToObject(d, "error", x ? failure_class(x->rc) : "other");
		check_set(cr, CHECK_FAIL, d, "%s", x ? why : "not run");
		return;
	}
	cJSON_AddNumberToObject(d, "status", (double)x->status);
	cJSON_AddStringToObject(d, "http_version", x->http_version);
	cJSON_AddNumberToObject(d, "total_ms", round(x->ms));
	if (x->status < 200 || x->status >= 400)
		check_set(cr, CHECK_FAIL, d, "HTTP/%s %ld", x->http_version, x->status);
	else if (x->status >= 300)
		check_set(cr, CHECK_WARN, d, "HTTP/%s %ld: a redirect (runbook expects 200)",
		          x->http_version, x->status);
	else if (strncmp(url, "https://", 8) == 0 && strcmp(x->http_version, "2") != 0)
		check_set(cr, CHECK_WARN, d,
		          "HTTP/%s %ld: not HTTP/2 (runbook §2.1 expects it)", x->http_version,
		          x->status);
	else
		check_set(cr, CHECK_OK, d, "HTTP/%s %ld in %.0f ms", x->http_version, x->status,
		          x->ms);
}

static void verdict_storage(struct sweep_run *sr)
{
	struct check_result *cr = &sr->sw->checks[CHK_STORAGE];
	const char *bucket = config_str(sr->o->cfg, "storage.bucket");
	struct xfer *x = NULL;
	cJSON *d = cJSON_CreateObject();
	char why[512];

	xfers_of(sr, CHK_STORAGE, &x, 1);
	cJSON_AddStringToObject(d, "bucket", bucket);
	if (x == NULL || !responded(x)) {
		if (x != NULL)
			failure_text(x, why, sizeof(why));
		cJSON_AddStringToObject(d, "result", "unreachable");
		check_set(cr, CHECK_FAIL, d, "HeadBucket: %s", x ? why : "not run");
		return;
	}
	cJSON_AddNumberToObject(d, "status", (double)x->status);
	cJSON_AddNumberToObject(d, "total_ms", round(x->ms));
	cJSON_AddStringToObject(d, "result",
	                        x->status / 100 == 2 ? "ok"
	                        : x->status == 403   ? "forbidden"
	                        : x->status == 404   ? "not_found"
	                                             : "fail");
	if (x->status / 100 == 2)
		check_set(cr, CHECK_OK, d, "HeadBucket '%s': HTTP %ld in %.0f ms", bucket,
		          x->status, x->ms);
	else if (x->status == 403)
		check_set(cr, CHECK_FAIL, d,
		          "HeadBucket '%s': 403 forbidden (key, signature or permission)",
		          bucket);
	else if (x->status == 404)
		check_set(cr, CHECK_FAIL, d, "HeadBucket '%s': 404, no such bucket", bucket);
	else
		check_set(cr, CHECK_FAIL, d, "HeadBucket '%s': HTTP %ld", bucket, x->status);
}

static void verdict_email(struct sweep_run *sr)
{
	struct check_result *cr = &sr->sw->checks[CHK_EMAIL];
	const struct config *c = sr->o->cfg;
	int smtp = strcmp(config_str_or(c, "email.provider", "sendgrid"), "smtp") == 0;
	int keyed = !smtp && config_str(c, "email.api_key") != NULL;
	struct xfer *x = NULL;
	cJSON *d = cJSON_CreateObject();
	char why[512];

	xfers_of(sr, CHK_EMAIL, &x, 1);
	cJSON_AddStringToObject(d, "provider", smtp ? "smtp" : "sendgrid");
	if (x == NULL || !responded(x)) {
		if (x != NULL)
			failure_text(x, why, sizeof(why));
		cJSON_AddStringToObject(d, "error", x ? failure_class(x->rc) : "other");
		check_set(cr, CHECK_FAIL, d, "%s unreachable: %s",
		          smtp ? "SMTP server" : "SendGrid", x ? why : "not run");
		return;
	}
	cJSON_AddNumberToObject(d, "status", (double)x->status);
	cJSON_AddNumberToObject(d, "total_ms", round(x->ms));
	cJSON_AddBoolToObject(d, "key_checked", keyed);
	if (smtp)
		check_set(cr, x->status / 100 == 2 ? CHECK_OK : CHECK_WARN, d,
		          "SMTP server answers NOOP with %ld in %.0f ms", x->status, x->ms);
	else if (!keyed)
		check_set(cr, CHECK_OK, d, "SendGrid reachable (HTTP %ld); no api_key to check",
		          x->status);
	else if (x->status == 200)
		check_set(cr, CHECK_OK, d, "SendGrid accepts the key (HTTP 200 in %.0f ms)",
		          x->ms);
	else if (x->status == 401 || x->status == 403)
		check_set(cr, CHECK_FAIL, d, "SendGrid refuses the key (HTTP %ld)", x->status);
	else if (x->status >= 500)
		check_set(cr, CHECK_FAIL, d, "SendGrid answers HTTP %ld", x->status);
	else
		check_set(cr, CHECK_WARN, d, "SendGrid answers HTTP %ld", x->status);
}

static void verdict_certs(struct sweep_run *sr)
{
	struct check_result *cr = &sr->sw->checks[CHK_CERTS];
	double min = config_num(sr->o->cfg, "thresholds.cert_min_days", 30);
	struct xfer *xs[64];
	size_t n = xfers_of(sr, CHK_CERTS, xs, 64);
	enum check_status worst = CHECK_OK;
	cJSON *d = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(d, "hosts");
	struct buf b;
	double now = clock_wall();

	buf_init(&b, 400);
	cJSON_AddNumberToObject(d, "min_days", min);
	for (size_t i = 0; i < n; i++) {
		struct xfer *x = xs[i];
		cJSON *h = cJSON_CreateObject();
		enum check_status st;
		char why[300], when[32];

		cJSON_AddStringToObject(h, "host", x->host);
		if (x->h == NULL || !x->have_expiry) {
			if (x->rc == CURLE_URL_MALFORMAT && x->h == NULL)
				snprintf(why, sizeof(why), "not a host:port entry");
			else if (!responded(x) && x->rc != CURLE_OK)
				failure_text(x, why, sizeof(why));
			else
				snprintf(why, sizeof(why), "no certificate information");
			st = CHECK_FAIL;
			cJSON_AddStringToObject(h, "status", "fail");
			cJSON_AddNullToObject(h, "days_left");
			cJSON_AddNullToObject(h, "expires");
			cJSON_AddStringToObject(h, "error", why);
			buf_printf(&b, "%s%s: %s", b.len ? "; " : "", x->host,
			           x->h == NULL    ? "not a host:port entry"
			           : !responded(x) ? failure_class(x->rc)
			                           : "no certificate information");
		} else {
			double left = (x->expires - now) / 86400.0;
			long days = (long)floor(left);

			time_format(x->expires, when);
			st = x->expires <= now ? CHECK_FAIL
			     : left < min      ? CHECK_WARN
			                       : CHECK_OK;
			cJSON_AddStringToObject(h, "status", check_status_name(st));
			cJSON_AddNumberToObject(h, "days_left", (double)days);
			cJSON_AddStringToObject(h, "expires", when);
			cJSON_AddBoolToObject(h, "trusted", x->verify == 0);
			if (x->verify != 0)
				cJSON_AddStringToObject(
				        h, "verify", X509_verify_cert_error_string(x->verify));
			cJSON_AddStringToObject(h, "subject", x->subject);
			cJSON_AddStringToObject(h, "issuer", x->issuer);
			if (st == CHECK_FAIL)
				buf_printf(&b, "%s%s expired %.10s", b.len ? "; " : "", x->host,
				           when);
			else
				buf_printf(&b, "%s%s %ld days%s", b.len ? "; " : "", x->host,
				           days, st == CHECK_WARN ? " (warn)" : "");
			if (x->verify != 0)
				buf_printf(&b, " untrusted");
		}
		if (st > worst)
			worst = st;
		cJSON_AddItemToArray(arr, h);
	}
	check_set(cr, worst, d, "%s", b.p ? b.p : "no hosts");
	buf_release(&b);
}

/* See check_int.h. */
void check_http_verdict(struct sweep_run *sr, enum check_id id)
{
	switch (id) {
	case CHK_API:
		verdict_api(sr);
		break;
	case CHK_FRONTEND:
		verdict_frontend(sr);
		break;
	case CHK_STORAGE:
		verdict_storage(sr);
		break;
	case CHK_EMAIL:
		verdict_email(sr);
		break;
	case CHK_CERTS:
		verdict_certs(sr);
		break;
	default:
		break;
	}
}
