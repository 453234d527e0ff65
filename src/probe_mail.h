/* probe_mail.h - email delivery: SendGrid v3 (suppressions, mail/send) and SMTP. */
#ifndef RUNBOOK_PROBE_MAIL_H
#define RUNBOOK_PROBE_MAIL_H

#include <stddef.h>

/* How a mail request ended, one list (X-macro). */
#define MAIL_RESULTS(X)                                                                       \
	X(MAIL_OK, "ok")                   /* accepted (202, SMTP 250 after DATA) */          \
	X(MAIL_AUTH, "auth_failed")        /* 401/403, SMTP 535: the key or login refused */  \
	X(MAIL_THROTTLED, "throttled")     /* 429, SMTP 4xx: try later (Retry-After) */       \
	X(MAIL_REJECTED, "rejected")       /* another 4xx, SMTP 5xx: the request refused */   \
	X(MAIL_TLS, "tls")                 /* STARTTLS missing or the TLS handshake failed */ \
	X(MAIL_UNREACHABLE, "unreachable") /* DNS, refused, timeout, dropped */               \
	X(MAIL_FAIL, "fail")               /* 5xx, a malformed answer, anything else */

enum mail_result {
#define X(e, s) e,
	MAIL_RESULTS(X)
#undef X
	        MAIL_RESULT__LAST
};

/* "ok", "auth_failed", ...; "fail" for a value out of range. */
const char *mail_result_name(enum mail_result r);

/* A test message. Every string is borrowed. */
struct mail_msg {
	const char *from; /* bare address: ops@bilko.io */
	const char *to;
	const char *subject;
	const char *text;     /* plain-text body */
	const char *incident; /* full incident id, sent as X-Runbook-Incident */
};

/* What one send (or one suppression listing) came to. */
struct mail_send {
	enum mail_result result;
	long status;          /* HTTP status or the last SMTP reply code; 0 when none */
	const char *error;    /* transport class ("refused", "timeout", ...) or NULL */
	char detail[256];     /* curl's reason, or the provider's first error message */
	char field[64];       /* SendGrid: the "field" of the first error, "" when none */
	char retry_after[64]; /* Retry-After on a 429 */
	char message_id[160]; /* SMTP: the Message-ID sent */
	double ms;
};

/* ---- SendGrid v3 ---- */

struct sendgrid_conf {
	const char *api_url; /* "https://api.sendgrid.com" (no /v3) */
	const char *api_key; /* sent only in the Authorization header */
	long timeout_ms;     /* per request; 5000 when 0 */
	volatile int *abort;
};

/*
 * The v3 mail/send JSON body for m: personalizations[{to:[{email}]}], from{email},
 * subject, content[{type:"text/plain", value}], headers{X-Runbook-Incident}. Returns a
 * malloc'd string (caller frees), or NULL when an address is empty or holds a control
 * character.
 */
char *sendgrid_mail_body(const struct mail_msg *m);

/*
 * POST {api_url}/v3/mail/send with the body above and `Authorization: Bearer <key>`.
 * 202 is MAIL_OK; 401/403 MAIL_AUTH (field/detail say why: a revoked key, or a from
 * address that is not a verified sender); 429 MAIL_THROTTLED (retry_after); another
 * 4xx MAIL_REJECTED; 5xx and anything else MAIL_FAIL. Fills *res; returns res->result.
 */
enum mail_result sendgrid_send(const struct sendgrid_conf *c, const struct mail_msg *m,
                               struct mail_send *res);

/* One suppression entry, as far as the journal needs it. */
struct sg_entry {
	char email[128];
	char reason[256];
	char status[24];
	long created; /* epoch seconds */
};

#define SG_SAMPLES 5

struct sg_list {
	struct mail_send req; /* how the request went (result, status, detail) */
	int count;            /* entries returned */
	int nsample;
	struct sg_entry sample[SG_SAMPLES]; /* the newest first, as SendGrid returns them */
};

/*
 * GET {api_url}/v3/suppression/{kind}?start_time=<since> (kind "bounces", "blocks",
 * "spam_reports") with the bearer key. A body that is not a JSON array of objects is
 * MAIL_FAIL ("malformed"). Fills *out; returns out->req.result.
 */
enum mail_result sendgrid_suppressions(const struct sendgrid_conf *c, const char *kind,
                                       long since, struct sg_list *out);

/*
 * The body of a SendGrid error answer ({"errors": [{"message", "field"}]}): the first
 * message into res->detail (else "HTTP <status> without a SendGrid error body") and its
 * field into res->field. body may be NULL.
 */
void sendgrid_parse_error(const char *body, long status, struct mail_send *res);

/*
 * A suppression list's body (a JSON array of {email, reason, status, created}): count
 * and the first SG_SAMPLES entries into *out. Not an array of objects (or NULL): -1,
 * out->req.result MAIL_FAIL, error "malformed" and a detail naming out->req.status.
 */
int sendgrid_parse_suppressions(const char *body, struct sg_list *out);

/* ---- SMTP ---- */

enum smtp_tls { SMTP_STARTTLS, SMTP_TLS, SMTP_PLAIN };

struct smtp_conf {
	const char *url;   /* smtp://host:port[/heloname] or smtps://...; may hold user:pass */
	enum smtp_tls tls; /* starttls (required), tls (implicit), plain */
	const char *ca_file; /* CA bundle to verify the server with, or NULL (system CAs) */
	long timeout_ms;     /* whole session; 5000 when 0 */
	volatile int *abort;
};

/*
 * An RFC 5322 message for m (CRLF line ends): Date (from `now`, epoch seconds), From,
 * To, Subject, Message-ID (`msgid` without the angle brackets), X-Runbook-Incident,
 * MIME-Version, Content-Type text/plain UTF-8, a blank line and the body with lone LFs
 * made CRLF and leading dots kept (curl dot-stuffs). Returns a malloc'd string (caller
 * frees), or NULL when a header value holds CR or LF.
 */
char *mail_rfc5322(const struct mail_msg *m, double now, const char *msgid);

/* The RFC 5322 date of t (UTC): "Fri, 04 Dec 2026 17:00:23 +0000", locale-free. */
void mail_date(double t, char out[40]);

/*
 * Send m over SMTP with libcurl: MAIL FROM, RCPT TO, DATA with mail_rfc5322(). With
 * SMTP_STARTTLS a server that does not offer STARTTLS is MAIL_TLS (nothing is sent in
 * clear); the server's certificate is always verified. A refused login (535) is
 * MAIL_AUTH; a 4xx reply MAIL_THROTTLED; a 5xx reply MAIL_REJECTED. Fills *res (its
 * message_id is the one sent); returns res->result.
 */
enum mail_result smtp_send(const struct smtp_conf *c, const struct mail_msg *m,
                           struct mail_send *res);

#endif
