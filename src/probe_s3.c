/* probe_s3.c - S3 (Cloudflare R2) HeadBucket and an upload round trip, SigV4-signed. */
#include "probe_s3.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "probe_http.h"
#include "util.h"

#define URL_MAX 2048
#define ERROR_BODY_MAX 16384
#define GET_BODY_MAX ((size_t)1 << 20)

static const char *const result_names[] = {
#define X(e, s) s,
        S3_RESULTS(X)
#undef X
};

/* "ok", "forbidden", ...; "fail" for a value out of range. */
const char *s3_result_name(enum s3_result r)
{
	if ((int)r < 0 || r >= S3_RESULT__LAST)
		return "fail";
	return result_names[r];
}

/* Decode one XML entity at p (after '&'); writes the character to *c and returns the
 * bytes consumed after '&', or 0 when it is not one of the five. */
static size_t xml_entity(const char *p, size_t left, char *c)
{
	static const struct {
		const char *name;
		char c;
	} ents[] = {{"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}};

	for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
		size_t n = strlen(ents[i].name);

		if (left >= n && memcmp(p, ents[i].name, n) == 0) {
			*c = ents[i].c;
			return n;
		}
	}
	return 0;
}

/* See probe_s3.h. */
int s3_xml_text(const char *xml, size_t len, const char *tag, char *out, size_t outlen)
{
	char open[72], close[72];
	size_t olen, clen, i, o = 0;
	const char *start = NULL, *end = NULL;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	if (xml == NULL || tag == NULL)
		return -1;
	if (snprintf(open, sizeof(open), "<%s>", tag) >= (int)sizeof(open) ||
	    snprintf(close, sizeof(close), "</%s>", tag) >= (int)sizeof(close))
		return -1;
	olen = strlen(open);
	clen = strlen(close);
	for (i = 0; i + olen <= len; i++) {
		if (memcmp(xml + i, open, olen) == 0) {
			start = xml + i + olen;
			break;
		}
	}
	if (start == NULL)
		return -1;
	for (i = (size_t)(start - xml); i + clen <= len; i++) {
		if (memcmp(xml + i, close, clen) == 0) {
			end = xml + i;
			break;
		}
	}
	if (end == NULL)
		return -1;
	for (const char *p = start; p < end && o + 1 < outlen; p++) {
		char c = *p;

		if (c == '&') {
			size_t n = xml_entity(p + 1, (size_t)(end - p - 1), &c);

			p += n;
		} else if (c == '<' || c == '\0') {
			break; /* nested markup: not a plain text element */
		}
		out[o++] = (c == '\r' || c == '\n' || c == '\t') ? ' ' : c;
	}
	out[o] = '\0';
	return 0;
}

/* Percent-encode an S3 key: unreserved characters and '/' stay. Returns 0 or -1. */
static int encode_key(const char *key, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		int keep = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		           (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' ||
		           *p == '~' || *p == '/';

		if (o + (keep ? 1 : 3) >= outlen)
			return -1;
		if (keep) {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o] = '\0';
	return 0;
}

/* See probe_s3.h. */
int s3_url(const char *endpoint, const char *bucket, const char *key, const char *query,
           char *out, size_t outlen)
{
	char ekey[1024] = "";
	size_t elen;
	int n;

	if (endpoint == NULL || bucket == NULL)
		return -1;
	elen = strlen(endpoint);
	while (elen > 0 && endpoint[elen - 1] == '/')
		elen--;
	if (key != NULL && encode_key(key, ekey, sizeof(ekey)) < 0)
		return -1;
	n = snprintf(out, outlen, "%.*s/%s%s%s%s%s", (int)elen, endpoint, bucket,
	             key ? "/" : "", ekey, query ? "?" : "", query ? query : "");
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* Lowercase hex SHA-256 of data[0..len) into out (65 bytes). */
static void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32) {
		strlcpy_chk(out, "UNSIGNED-PAYLOAD", 65);
		return;
	}
	hex_encode(md, 32, out);
}

static enum s3_result classify_status(long status)
{
	if (status >= 200 && status < 300)
		return S3_OK;
	if (status == 401 || status == 403)
		return S3_FORBIDDEN;
	if (status == 404)
		return S3_NOT_FOUND;
	return S3_FAIL;
}

static enum s3_result classify_error(enum http_error e)
{
	switch (e) {
	case HTTP_REFUSED:
	case HTTP_TIMEOUT:
	case HTTP_DNS:
	case HTTP_TLS:
	case HTTP_DROPPED:
	case HTTP_INTERRUPTED:
		return S3_UNREACHABLE;
	default:
		return S3_FAIL;
	}
}

/*
 * One signed request. body may be NULL (no payload). The response body is handed to
 * *resp (the caller releases it). abort_flag NULL means the request cannot be cut short.
 */
static void s3_request(const struct s3_conf *c, const char *method, const char *url,
                       const char *body, size_t len, size_t max_body, volatile int *abort_flag,
                       struct s3_op *op, struct http_resp *resp)
{
	char sigv4[160], sha[65];
	struct http_header hdr[2];
	struct http_req req;
	char *userpwd;
	size_t nh = 0;

	sha256_hex(body ? body : "", body ? len : 0, sha);
	snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:s3",
	         c->region && c->region[0] ? c->region : "auto");
	hdr[nh++] = (struct http_header){"x-amz-content-sha256", sha};
	if (body != NULL)
		hdr[nh++] = (struct http_header){"Content-Type", "text/plain"};
	userpwd = xasprintf("%s:%s", c->access_key, c->secret_key);

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.headers = hdr;
	req.nheaders = nh;
	req.body = body;
	req.body_len = len;
	req.timeout_ms = c->timeout_ms;
	req.max_body = max_body;
	req.aws_sigv4 = sigv4;
	req.userpwd = userpwd;
	req.abort = abort_flag;
	http_fetch(&req, resp);
	explicit_bzero(userpwd, strlen(userpwd));
	free(userpwd);

	op->method = method;
	op->status = resp->status;
	op->ms += resp->total_ms;
	if (resp->error != HTTP_OK) {
		op->result = classify_error(resp->error);
		op->error = http_error_name(resp->error);
		strlcpy_chk(op->detail, resp->errmsg, sizeof(op->detail));
		return;
	}
	op->result = classify_status(resp->status);
	if (op->result != S3_OK && resp->body != NULL) {
		s3_xml_text(resp->body, resp->body_len, "Code", op->code, sizeof(op->code));
		s3_xml_text(resp->body, resp->body_len, "Message", op->message,
		            sizeof(op->message));
	}
}

static void op_init(struct s3_op *op, const char *name)
{
	memset(op, 0, sizeof(*op));
	op->name = name;
	op->result = S3_FAIL;
}

/* See probe_s3.h. */
enum s3_result s3_head_bucket(const struct s3_conf *c, struct s3_op *op)
{
	char url[URL_MAX];
	struct http_resp resp;

	op_init(op, "HeadBucket");
	op->method = "HEAD";
	if (s3_url(c->endpoint, c->bucket, NULL, NULL, url, sizeof(url)) < 0) {
		strlcpy_chk(op->detail, "the endpoint URL is too long", sizeof(op->detail));
		return op->result;
	}
	s3_request(c, "HEAD", url, NULL, 0, ERROR_BODY_MAX, c->abort, op, &resp);
	http_resp_release(&resp);
	if (op->error == NULL && op->status >= 400) {
		/* a HEAD answer has no body: ask for the error document with a listing */
		struct s3_op list;

		op_init(&list, "ListObjectsV2");
		if (s3_url(c->endpoint, c->bucket, NULL, "list-type=2&max-keys=1", url,
		           sizeof(url)) == 0) {
			s3_request(c, "GET", url, NULL, 0, ERROR_BODY_MAX, c->abort, &list,
			           &resp);
			http_resp_release(&resp);
			strlcpy_chk(op->code, list.code, sizeof(op->code));
			strlcpy_chk(op->message, list.message, sizeof(op->message));
			op->ms += list.ms;
		}
	}
	return op->result;
}

/* See probe_s3.h. */
enum s3_result s3_roundtrip(const struct s3_conf *c, const char *key, const char *body,
                            size_t len, struct s3_roundtrip *rt)
{
	char url[URL_MAX];
	struct http_resp resp;

	memset(rt, 0, sizeof(*rt));
	op_init(&rt->put, "PutObject");
	op_init(&rt->get, "GetObject");
	op_init(&rt->del, "DeleteObject");
	rt->result = S3_FAIL;
	if (s3_url(c->endpoint, c->bucket, key, NULL, url, sizeof(url)) < 0) {
		strlcpy_chk(rt->put.detail, "the object URL is too long",
		            sizeof(rt->put.detail));
		rt->failed = &rt->put;
		return rt->result;
	}

	s3_request(c, "PUT", url, body, len, ERROR_BODY_MAX, c->abort, &rt->put, &resp);
	http_resp_release(&resp);
	if (rt->put.result != S3_OK) {
		rt->failed = &rt->put;
	} else {
		rt->ran_get = 1;
		s3_request(c, "GET", url, NULL, 0, GET_BODY_MAX, c->abort, &rt->get, &resp);
		if (rt->get.result == S3_OK) {
			rt->body_match = resp.body != NULL && resp.body_len == len &&
			                 memcmp(resp.body, body, len) == 0;
			if (!rt->body_match) {
				rt->get.result = S3_FAIL;
				strlcpy_chk(rt->get.code, "BodyMismatch", sizeof(rt->get.code));
				snprintf(rt->get.message, sizeof(rt->get.message),
				         "read back %zu bytes, %zu were written", resp.body_len,
				         len);
			}
		}
		if (rt->get.result != S3_OK)
			rt->failed = &rt->get;
		http_resp_release(&resp);
	}

	/* always clean up, even after a failure or Ctrl-C (bounded by the timeout) */
	s3_request(c, "DELETE", url, NULL, 0, ERROR_BODY_MAX, NULL, &rt->del, &resp);
	http_resp_release(&resp);
	rt->deleted = rt->del.result == S3_OK;
	if (rt->failed == NULL && !rt->deleted)
		rt->failed = &rt->del;
	rt->result = rt->failed ? rt->failed->result : S3_OK;
	return rt->result;
}
