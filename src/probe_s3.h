/* probe_s3.h - S3 (Cloudflare R2) HeadBucket and an upload round trip, SigV4-signed. */
#ifndef RUNBOOK_PROBE_S3_H
#define RUNBOOK_PROBE_S3_H

#include <stddef.h>

/* How an S3 request (or the round trip) ended, one list (X-macro). */
#define S3_RESULTS(X)                                                                       \
	X(S3_OK, "ok")                   /* 2xx (and, for GetObject, the same body back) */ \
	X(S3_FORBIDDEN, "forbidden")     /* 403: bad key or signature, no permission */     \
	X(S3_NOT_FOUND, "not_found")     /* 404: no such bucket (or key) */                 \
	X(S3_UNREACHABLE, "unreachable") /* DNS, refused, TLS, timeout, dropped */          \
	X(S3_FAIL, "fail")               /* anything else: 5xx, 400, a body mismatch */

enum s3_result {
#define X(e, s) e,
	S3_RESULTS(X)
#undef X
	        S3_RESULT__LAST
};

/* "ok", "forbidden", ...; "fail" for a value out of range. */
const char *s3_result_name(enum s3_result r);

/* Where and how to reach the bucket. Every string is borrowed. */
struct s3_conf {
	const char *endpoint; /* "https://<account>.r2.cloudflarestorage.com" (no bucket) */
	const char *bucket;
	const char *region;     /* signing region; "auto" when NULL (R2) */
	const char *access_key; /* never copied anywhere but the signing call */
	const char *secret_key;
	long timeout_ms;     /* per request; 5000 when 0 */
	volatile int *abort; /* Ctrl-C: stops a request (never the clean-up DELETE) */
};

/* One signed request and what came back. */
struct s3_op {
	const char *name;   /* "HeadBucket", "PutObject", "GetObject", "DeleteObject" */
	const char *method; /* "HEAD", "PUT", ... */
	enum s3_result result;
	long status;       /* HTTP status, 0 when none arrived */
	char code[64];     /* the S3 error code (<Code>), "" when none */
	char message[256]; /* the S3 error message (<Message>), "" when none */
	const char *error; /* transport class ("refused", "timeout", ...) or NULL */
	char detail[256];  /* curl's reason for a transport error */
	double ms;         /* wall time of the request (with the error lookup) */
};

/*
 * HeadBucket on c->bucket. A HEAD answer has no body, so on a 4xx/5xx a signed
 * `GET /bucket?list-type=2&max-keys=1` fetches the XML error code into op->code.
 * Fills *op; returns op->result.
 */
enum s3_result s3_head_bucket(const struct s3_conf *c, struct s3_op *op);

/* PutObject, GetObject (the body compared) and DeleteObject on one probe key. */
struct s3_roundtrip {
	struct s3_op put, get, del;
	int ran_get;                /* GetObject was tried (PutObject succeeded) */
	int body_match;             /* GetObject returned exactly the bytes put */
	int deleted;                /* DeleteObject answered 2xx */
	const struct s3_op *failed; /* the first step that did not pass, or NULL */
	enum s3_result result;
};

/*
 * Put `body` (len bytes) at `key`, read it back and compare, then delete it. The
 * DELETE is always sent, whatever happened before (and even after an abort), so no
 * probe object is left behind when the server answers. Returns rt->result: the first
 * failing step's result (a body mismatch is S3_FAIL), or a failed DELETE's.
 */
enum s3_result s3_roundtrip(const struct s3_conf *c, const char *key, const char *body,
                            size_t len, struct s3_roundtrip *rt);

/*
 * The text of the first <tag>...</tag> in xml[0..len) with the five XML entities
 * decoded, into out (always NUL-terminated, cut at outlen - 1). Returns 0 when found,
 * -1 otherwise (out is then ""). Bounded: looks at no byte past len.
 */
int s3_xml_text(const char *xml, size_t len, const char *tag, char *out, size_t outlen);

/*
 * The path-style URL endpoint/bucket[/key] (a trailing '/' on the endpoint dropped, the
 * key percent-encoded except '/' and the unreserved characters) and an optional query,
 * into out. Returns 0, or -1 when it does not fit.
 */
int s3_url(const char *endpoint, const char *bucket, const char *key, const char *query,
           char *out, size_t outlen);

#endif
