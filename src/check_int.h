/* check_int.h - what check.c (the loop) and check_http.c (the HTTP checks) share. */
#ifndef RUNBOOK_CHECK_INT_H
#define RUNBOOK_CHECK_INT_H

#include "check.h"
#include "util.h"

#include <curl/curl.h>

/* One libcurl transfer of a check (an API sample, a certificate host, ...). */
struct xfer {
	CURL *h;
	enum check_id check;
	int index;       /* sample or host number */
	struct buf body; /* the response body, when keep_body */
	int keep_body;
	int over_cap; /* stopped at the cap (a response did arrive) */
	struct curl_slist *headers;
	char *userpwd; /* storage: KEY:SECRET, wiped and freed */
	char errbuf[CURL_ERROR_SIZE];
	CURLcode rc;
	int done;
	double ms;            /* curl's total time */
	long status;          /* HTTP status or last SMTP reply code */
	char http_version[8]; /* "1.1", "2" */
	/* certs: read from the handle when the transfer ends */
	char host[256];
	long port;
	int have_expiry;
	double expires; /* epoch seconds */
	long verify;    /* OpenSSL's verify result (0: trusted) */
	char subject[256];
	char issuer[256];
};

struct sweep_run {
	const struct sweep_opts *o;
	struct sweep *sw;
	struct xfer **x; /* each allocated on its own: libcurl holds pointers into it */
	size_t nx;
	int pending[CHK__LAST]; /* transfers still running per check */
};

/* A check's timeout: <section>.timeout_ms, else timing.probe_timeout_ms, else 5000. */
long check_timeout_ms(const struct config *c, const char *section);

/* Set a check's verdict (status, detail; data is taken over). */
void check_set(struct check_result *cr, enum check_status st, cJSON *data, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* check_http.c: queue the transfers of an HTTP-based check (0, or -1 with its verdict set). */
int check_http_add(struct sweep_run *sr, enum check_id id);
/* Read what the handle knows once the transfer ended (before it is cleaned up). */
void check_http_collect(struct xfer *x);
/* All transfers of the check ended: its verdict. */
void check_http_verdict(struct sweep_run *sr, enum check_id id);
/* Free a transfer's buffers (the handle is cleaned up by the loop). */
void check_xfer_release(struct xfer *x);

#endif
