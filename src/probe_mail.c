/* probe_mail.c - email delivery: SendGrid v3 (suppressions, mail/send) and SMTP. */
#include "probe_mail.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "probe_http.h"
#include "util.h"

#define URL_MAX 2048
#define SG_BODY_MAX ((size_t)4 << 20)
#define MAX_CONNECT_TIMEOUT_MS 5000
#define DEFAULT_TIMEOUT_MS 5000

static const char *const result_names[] = {
#define X(e, s) s,
        MAIL_RESULTS(X)
#undef X
};

/* "ok", "auth_failed", ...; "fail" for a value out of range. */
const char *mail_result_name(enum mail_result r)
{
	if ((int)r < 0 || r >= MAIL_RESULT__LAST)
		return "fail";
	return result_names[r];
}

/* A bare address fit for a header and an SMTP envelope: no blanks, controls or <>. */
static int addr_ok(const char *a)
{
	if (a == NULL || a[0] == '\0' || strchr(a, '@') == NULL)
		return 0;
	for (const unsigned char *p = (const unsigned char *)a; *p; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>' || *p == '"' || *p == ',')
			return 0;
	return 1;
}

/* A header value without CR or LF (no header injection). */
static int header_ok(const char *v)
{
	return v != NULL && strpbrk(v, "\r\n") == NULL;
}

static void send_init(struct mail_send *res)
{
	memset(res, 0, sizeof(*res));
	res->result = MAIL_FAIL;
}

/* ---- SendGrid v3 ---- */

/* See probe_mail.h. */
char *sendgrid_mail_body(const struct mail_msg *m)
{
	cJSON *root, *pers, *to, *content, *hdrs;
	char *text;

	if (!addr_ok(m->from) || !addr_ok(m->to) || !header_ok(m->subject) ||
	    (m->incident != NULL && !header_ok(m->incident)))
		return NULL;
	root = cJSON_CreateObject();
	pers = cJSON_AddArrayToObject(root, "personalizations");
	to = cJSON_CreateObject();
	cJSON_AddItemToArray(pers, to);
	{
		cJSON *list = cJSON_AddArrayToObject(to, "to");
		cJSON *addr = cJSON_CreateObject();

		cJSON_AddStringToObject(addr, "email", m->to);
		cJSON_AddItemToArray(list, addr);
	}
	cJSON_AddStringToObject(cJSON_AddObjectToObject(root, "from"), "email", m->from);
	cJSON_AddStringToObject(root, "subject", m->subject);
	content = cJSON_AddArrayToObject(root, "content");
	{
		cJSON *part = cJSON_CreateObject();

		cJSON_AddStringToObject(part, "type", "text/plain");
		cJSON_AddStringToObject(part, "value", m->text && m->text[0] ? m->text : " ");
		cJSON_AddItemToArray(content, part);
	}
	if (m->incident != NULL) {
		hdrs = cJSON_AddObjectToObject(root, "headers");
		cJSON_AddStringToObject(hdrs, "X-Runbook-Incident", m->incident);
	}
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return text;
}

/* The URL api_url + path (a trailing '/' on api_url dropped). Returns 0 or -1. */
static int api_url(const char *base, const char *path, char *out, size_t outlen)
{
	size_t blen;
	int n;

	if (base == NULL)
		return -1;
	blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	n = snprintf(out, outlen, "%.*s%s", (int)blen, base, path);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

static enum mail_result classify_http_error(enum http_error e)
{
	switch (e) {
	case HTTP_TLS:
		return MAIL_TLS;
	case HTTP_REFUSED:
	case HTTP_TIMEOUT:
	case HTTP_DNS:
	case HTTP_DROPPED:
	case HTTP_INTERRUPTED:
		return MAIL_UNREACHABLE;
	default:
		return MAIL_FAIL;
	}
}

static enum mail_result classify_http_status(long status)
{
	if (status >= 200 && status < 300)
		return MAIL_OK;
	if (status == 401 || status == 403)
		return MAIL_AUTH;
	if (status == 429)
		return MAIL_THROTTLED;
	if (status >= 400 && status < 500)
		return MAIL_REJECTED;
	return MAIL_FAIL;
}

/* See probe_mail.h. */
void sendgrid_parse_error(const char *body, long status, struct mail_send *res)
{
	cJSON *doc = body ? cJSON_Parse(body) : NULL;
	const cJSON *errs = cJSON_GetObjectItemCaseSensitive(doc, "errors");
	const cJSON *first = cJSON_IsArray(errs) ? cJSON_GetArrayItem(errs, 0) : NULL;
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(first, "message");
	const cJSON *field = cJSON_GetObjectItemCaseSensitive(first, "field");

	if (cJSON_IsString(msg))
		strlcpy_chk(res->detail, msg->valuestring, sizeof(res->detail));
	else
		snprintf(res->detail, sizeof(res->detail),
		         "HTTP %ld without a SendGrid error body", status);
	if (cJSON_IsString(field))
		strlcpy_chk(res->field, field->valuestring, sizeof(res->field));
	cJSON_Delete(doc);
}

/* One SendGrid request with the bearer key; fills res' common fields. */
static void sg_request(const struct sendgrid_conf *c, const char *method, const char *url,
                       const char *body, struct mail_send *res, struct http_resp *resp)
{
	struct http_header hdr[3];
	struct http_req req;
	char *auth = xasprintf("Bearer %s", c->api_key ? c->api_key : "");
	size_t nh = 0;

	hdr[nh++] = (struct http_header){"Authorization", auth};
	hdr[nh++] = (struct http_header){"Accept", "application/json"};
	if (body != NULL)
		hdr[nh++] = (struct http_header){"Content-Type", "application/json"};
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.headers = hdr;
	req.nheaders = nh;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	req.timeout_ms = c->timeout_ms;
	req.max_body = SG_BODY_MAX;
	req.abort = c->abort;
	http_fetch(&req, resp);
	explicit_bzero(auth, strlen(auth));
	free(auth);

	res->status = resp->status;
	res->ms = resp->total_ms;
	if (resp->error != HTTP_OK) {
		res->result = classify_http_error(resp->error);
		res->error = http_error_name(resp->error);
		strlcpy_chk(res->detail, resp->errmsg, sizeof(res->detail));
		return;
	}
	res->result = classify_http_status(resp->status);
	if (resp->retry_after != NULL)
		strlcpy_chk(res->retry_after, resp->retry_after, sizeof(res->retry_after));
	if (res->result != MAIL_OK)
		sendgrid_parse_error(resp->body, resp->status, res);
}

/* See probe_mail.h. */
enum mail_result sendgrid_send(const struct sendgrid_conf *c, const struct mail_msg *m,
                               struct mail_send *res)
{
	char url[URL_MAX];
	struct http_resp resp;
	char *body;

	send_init(res);
	if (api_url(c->api_url, "/v3/mail/send", url, sizeof(url)) < 0) {
		strlcpy_chk(res->detail, "no usable api_url", sizeof(res->detail));
		return res->result;
	}
	body = sendgrid_mail_body(m);
	if (body == NULL) {
		res->result = MAIL_REJECTED;
		strlcpy_chk(res->detail, "the from or to address is not a plain address",
		            sizeof(res->detail));
		return res->result;
	}
	sg_request(c, "POST", url, body, res, &resp);
	free(body);
	http_resp_release(&resp);
	return res->result;
}

static void copy_str(const cJSON *o, const char *name, char *out, size_t outlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (cJSON_IsString(v))
		strlcpy_chk(out, v->valuestring, outlen);
	else if (cJSON_IsNumber(v))
		snprintf(out, outlen, "%g", v->valuedouble);
}

/* See probe_mail.h. */
int sendgrid_parse_suppressions(const char *body, struct sg_list *out)
{
	struct mail_send *req = &out->req;
	cJSON *arr = body != NULL ? cJSON_Parse(body) : NULL;
	cJSON *it;
	int rc = -1;

	out->count = 0;
	out->nsample = 0;
	if (!cJSON_IsArray(arr)) {
		req->result = MAIL_FAIL;
		req->error = "malformed";
		snprintf(req->detail, sizeof(req->detail),
		         "HTTP %ld but the body is not a JSON array", req->status);
		goto done;
	}
	cJSON_ArrayForEach(it, arr)
	{
		struct sg_entry *e;
		const cJSON *created;

		if (!cJSON_IsObject(it)) {
			req->result = MAIL_FAIL;
			req->error = "malformed";
			strlcpy_chk(req->detail, "an entry is not a JSON object",
			            sizeof(req->detail));
			goto done;
		}
		out->count++;
		if (out->nsample >= SG_SAMPLES)
			continue;
		e = &out->sample[out->nsample++];
		copy_str(it, "email", e->email, sizeof(e->email));
		copy_str(it, "reason", e->reason, sizeof(e->reason));
		copy_str(it, "status", e->status, sizeof(e->status));
		created = cJSON_GetObjectItemCaseSensitive(it, "created");
		/* epoch seconds; anything a long cannot hold (or NaN) is unknown, 0 */
		e->created = cJSON_IsNumber(created) && created->valuedouble >= 0 &&
		                             created->valuedouble < 9.2e18
		                     ? (long)created->valuedouble
		                     : 0;
	}
	rc = 0;
done:
	cJSON_Delete(arr);
	return rc;
}

/* See probe_mail.h. */
enum mail_result sendgrid_suppressions(const struct sendgrid_conf *c, const char *kind,
                                       long since, struct sg_list *out)
{
	char path[160], url[URL_MAX];
	struct http_resp resp;

	memset(out, 0, sizeof(*out));
	send_init(&out->req);
	snprintf(path, sizeof(path), "/v3/suppression/%s?start_time=%ld", kind, since);
	if (api_url(c->api_url, path, url, sizeof(url)) < 0) {
		strlcpy_chk(out->req.detail, "no usable api_url", sizeof(out->req.detail));
		return out->req.result;
	}
	sg_request(c, "GET", url, NULL, &out->req, &resp);
	if (out->req.result == MAIL_OK) /* a cut body cannot be a whole array */
		(void)sendgrid_parse_suppressions(resp.body_truncated ? NULL : resp.body, out);
	http_resp_release(&resp);
	return out->req.result;
}

/* ---- SMTP ---- */

/* See probe_mail.h. */
void mail_date(double t, char out[40])
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t s = (time_t)t;
	struct tm tm;

	if (gmtime_r(&s, &tm) == NULL) {
		strlcpy_chk(out, "Thu, 01 Jan 1970 00:00:00 +0000", 40);
		return;
	}
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7],
	         tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	         tm.tm_sec);
}

/* See probe_mail.h. */
char *mail_rfc5322(const struct mail_msg *m, double now, const char *msgid)
{
	struct buf b;
	char date[40];

	if (!addr_ok(m->from) || !addr_ok(m->to) || !header_ok(m->subject) ||
	    !header_ok(msgid) || (m->incident != NULL && !header_ok(m->incident)))
		return NULL;
	mail_date(now, date);
	buf_init(&b, (size_t)1 << 20);
	buf_printf(&b, "Date: %s\r\n", date);
	buf_printf(&b, "From: <%s>\r\n", m->from);
	buf_printf(&b, "To: <%s>\r\n", m->to);
	buf_printf(&b, "Subject: %s\r\n", m->subject);
	buf_printf(&b, "Message-ID: <%s>\r\n", msgid);
	if (m->incident != NULL)
		buf_printf(&b, "X-Runbook-Incident: %s\r\n", m->incident);
	buf_puts(&b, "MIME-Version: 1.0\r\n");
	buf_puts(&b, "Content-Type: text/plain; charset=utf-8\r\n");
	buf_puts(&b, "Content-Transfer-Encoding: 8bit\r\n\r\n");
	for (const char *p = m->text ? m->text : ""; *p; p++) {
		if (*p == '\n' && (p == m->text || p[-1] != '\r'))
			buf_puts(&b, "\r\n");
		else
			buf_append(&b, p, 1);
	}
	if (b.len < 2 || b.p[b.len - 2] != '\r' || b.p[b.len - 1] != '\n')
		buf_puts(&b, "\r\n");
	if (b.truncated) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/* What the read callback sends. */
struct upload {
	const char *p;
	size_t left;
};

static size_t on_read(char *dst, size_t size, size_t nmemb, void *userp)
{
	struct upload *u = userp;
	size_t n = size * nmemb;

	if (n > u->left)
		n = u->left;
	memcpy(dst, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

static int on_progress(void *userp, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	volatile int *abort_flag = userp;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return abort_flag != NULL && *abort_flag;
}

/* How the SMTP session ended: curl's code and the last reply code. */
static void smtp_classify(CURLcode rc, long code, struct mail_send *res)
{
	switch (rc) {
	case CURLE_OK:
		res->result = MAIL_OK;
		return;
	case CURLE_LOGIN_DENIED:
		res->result = MAIL_AUTH;
		return;
	case CURLE_USE_SSL_FAILED:
		res->result = MAIL_TLS;
		res->error = "no_starttls";
		return;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
		res->result = MAIL_TLS;
		res->error = "tls";
		return;
	case CURLE_COULDNT_CONNECT:
		res->result = MAIL_UNREACHABLE;
		res->error = "refused";
		return;
	case CURLE_OPERATION_TIMEDOUT:
		res->result = MAIL_UNREACHABLE;
		res->error = "timeout";
		return;
	case CURLE_COULDNT_RESOLVE_HOST:
		res->result = MAIL_UNREACHABLE;
		res->error = "dns";
		return;
	case CURLE_ABORTED_BY_CALLBACK:
		res->result = MAIL_UNREACHABLE;
		res->error = "interrupted";
		return;
	default:
		break;
	}
	if (code >= 400 && code < 500) {
		res->result = MAIL_THROTTLED;
	} else if (code >= 500) {
		res->result = MAIL_REJECTED;
	} else if (rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR ||
	           rc == CURLE_SEND_ERROR) {
		res->result = MAIL_UNREACHABLE;
		res->error = "dropped";
	} else {
		res->result = MAIL_FAIL;
	}
}

/* The URL to connect to: smtp:// becomes smtps:// for implicit TLS. Caller frees. */
static char *smtp_effective_url(const struct smtp_conf *c)
{
	if (c->tls == SMTP_TLS && strncasecmp(c->url, "smtp://", 7) == 0)
		return xasprintf("smtps://%s", c->url + 7);
	return xstrdup(c->url);
}

/* See probe_mail.h. */
enum mail_result smtp_send(const struct smtp_conf *c, const struct mail_msg *m,
                           struct mail_send *res)
{
	long timeout = c->timeout_ms > 0 ? c->timeout_ms : DEFAULT_TIMEOUT_MS;
	char errbuf[CURL_ERROR_SIZE] = "", from[320], rnd[37];
	const char *domain = m->from ? strchr(m->from, '@') : NULL;
	struct curl_slist *rcpt = NULL;
	struct upload up;
	char *url = NULL, *msg = NULL, *to = NULL;
	int64_t t0 = clock_mono_ns();
	CURLcode rc;
	long code = 0;
	CURL *h = NULL;

	send_init(res);
	uuid_new(rnd);
	snprintf(res->message_id, sizeof(res->message_id), "runbook.%s.%.8s@%s",
	         m->incident ? m->incident : "test", rnd,
	         domain ? domain + 1 : "runbook.invalid");
	if (c->url == NULL || (strncasecmp(c->url, "smtp://", 7) != 0 &&
	                       strncasecmp(c->url, "smtps://", 8) != 0)) {
		strlcpy_chk(res->detail, "the SMTP URL must start with smtp:// or smtps://",
		            sizeof(res->detail));
		goto out;
	}
	msg = mail_rfc5322(m, clock_wall(), res->message_id);
	if (msg == NULL) {
		res->result = MAIL_REJECTED;
		strlcpy_chk(res->detail, "the from or to address is not a plain address",
		            sizeof(res->detail));
		goto out;
	}
	snprintf(from, sizeof(from), "<%s>", m->from);
	to = xasprintf("<%s>", m->to);
	rcpt = curl_slist_append(NULL, to);
	url = smtp_effective_url(c);
	h = curl_easy_init();
	if (h == NULL || rcpt == NULL) {
		strlcpy_chk(res->detail, "cannot set up the SMTP session", sizeof(res->detail));
		goto out;
	}
	up.p = msg;
	up.left = strlen(msg);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	                 timeout < MAX_CONNECT_TIMEOUT_MS ? timeout : MAX_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(h, CURLOPT_READDATA, &up);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)up.left);
	curl_easy_setopt(h, CURLOPT_USE_SSL,
	                 c->tls == SMTP_PLAIN ? (long)CURLUSESSL_NONE : (long)CURLUSESSL_ALL);
	if (c->ca_file != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)c->abort);

	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	res->status = code;
	smtp_classify(rc, code, res);
	if (rc != CURLE_OK)
		strlcpy_chk(res->detail, errbuf[0] ? errbuf : curl_easy_strerror(rc),
		            sizeof(res->detail));
out:
	res->ms = (double)(clock_mono_ns() - t0) / 1e6;
	if (h != NULL)
		curl_easy_cleanup(h);
	curl_slist_free_all(rcpt);
	if (url != NULL)
		explicit_bzero(url, strlen(url)); /* it may hold the SMTP password */
	free(url);
	free(to);
	free(msg);
	return res->result;
}
