/* probe_http.h - one HTTP request over libcurl, classified and timed. */
#ifndef RUNBOOK_PROBE_HTTP_H
#define RUNBOOK_PROBE_HTTP_H

#include <stddef.h>

/* How a request ended, one list (X-macro). */
#define HTTP_ERRORS(X)                                                                   \
	X(HTTP_OK, "ok")           /* an HTTP response arrived (any status) */           \
	X(HTTP_REFUSED, "refused") /* connection refused */                              \
	X(HTTP_TIMEOUT, "timeout") /* connect or total timeout */                        \
	X(HTTP_DNS, "dns")         /* name did not resolve */                            \
	X(HTTP_TLS, "tls")         /* TLS handshake or certificate */                    \
	X(HTTP_DROPPED, "dropped") /* connection closed without a (complete) response */ \
	X(HTTP_INTERRUPTED, "interrupted") /* the abort flag was raised */               \
	X(HTTP_OTHER, "other")

enum http_error {
#define X(e, s) e,
	HTTP_ERRORS(X)
#undef X
	        HTTP_ERROR__LAST
};

/* "ok", "refused", ... */
const char *http_error_name(enum http_error e);

struct http_header {
	const char *name;
	const char *value;
};

struct http_req {
	const char *method; /* "GET" when NULL */
	const char *url;
	const struct http_header *headers; /* may be NULL */
	size_t nheaders;
	const char *body; /* request body or NULL */
	size_t body_len;
	long timeout_ms;       /* total; 5000 when 0 */
	size_t max_body;       /* response bytes kept; 1 MiB when 0 */
	int insecure;          /* skip TLS verification */
	const char *aws_sigv4; /* CURLOPT_AWS_SIGV4 value, or NULL */
	const char *userpwd;   /* CURLOPT_USERPWD, or NULL */
	volatile int *abort;   /* when non-NULL and it becomes non-zero, the request stops */
};

struct http_resp {
	enum http_error error;
	long status; /* 0 when no response */
	char *body;  /* NUL-terminated, malloc'd, may be NULL */
	size_t body_len;
	int body_truncated;
	char *content_type;   /* malloc'd or NULL */
	char *retry_after;    /* Retry-After header value, malloc'd or NULL */
	char *link;           /* Link header value (pagination), malloc'd or NULL */
	char http_version[8]; /* "1.1", "2" */
	/* timing split, milliseconds from the start of the request */
	double dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms;
	char errmsg[256]; /* curl's reason when error != HTTP_OK (redacted by caller) */
};

/* Once per process, before any request: loads libcurl (src/lazylib.h) and runs
 * curl_global_init. 0, or -1 with a one-line reason in err. */
int http_global_init(char *err, size_t errlen);
void http_global_cleanup(void);

/*
 * Perform the request. Always fills *resp (release with http_resp_release); returns 0
 * when a response arrived, -1 otherwise (resp->error says why). Never prints.
 */
int http_fetch(const struct http_req *req, struct http_resp *resp);

void http_resp_release(struct http_resp *resp);

/*
 * A Retry-After header value (delta-seconds or an HTTP date) in milliseconds, capped at
 * 24 h; -1 when absent or unusable.
 */
long http_retry_after_ms(const char *v);

#endif
