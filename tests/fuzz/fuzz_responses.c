/*
 * fuzz_responses.c - libFuzzer target: what services send back, as the probes parse
 * it. Byte 0 picks the parser: Sentry issues, Sentry tags, Sentry's Link header,
 * Railway deployments, an S3 XML error, a certificate's expiry date (libcurl
 * CERTINFO), a certs.hosts entry, a SendGrid error body, a SendGrid suppression list.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "probe_mail.h"
#include "probe_railway.h"
#include "probe_s3.h"
#include "probe_sentry.h"
#include "util.h"

#define MAX_ISSUES 8

static struct sentry_issue issues[MAX_ISSUES];
static struct railway_result rw;
static struct sg_list sg;

/* One input: the selector byte, then the response text. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], out[512], host[256];
	size_t n = 0, total = 0;
	double epoch;
	long port;
	char *text;

	if (size < 1)
		return 0;
	text = xstrndup((const char *)data + 1, size - 1);
	switch (data[0] % 9) {
	case 0:
		memset(issues, 0, sizeof(issues));
		if (sentry_parse_issues(text, issues, MAX_ISSUES, &n, &total, err,
		                        sizeof(err)) == 0 &&
		    n > MAX_ISSUES)
			__builtin_trap();
		break;
	case 1:
		memset(issues, 0, sizeof(issues));
		(void)sentry_parse_tags(text, &issues[0], err, sizeof(err));
		break;
	case 2:
		(void)sentry_link_next(text, out, sizeof(out));
		break;
	case 3:
		memset(&rw, 0, sizeof(rw));
		if (railway_parse_deployments(text, &rw) == 0 &&
		    (rw.n > RAILWAY_MAX_DEPLOYS || rw.active >= (int)rw.n ||
		     rw.previous >= (int)rw.n))
			__builtin_trap();
		break;
	case 4:
		(void)s3_xml_text((const char *)data + 1, size - 1, "Code", out, sizeof(out));
		(void)s3_xml_text((const char *)data + 1, size - 1, "Message", out, 8);
		break;
	case 5:
		(void)check_cert_date(text, &epoch);
		break;
	case 6:
		(void)check_host_port(text, host, sizeof(host), &port);
		break;
	case 7:
		memset(&sg, 0, sizeof(sg));
		sendgrid_parse_error(text, 400, &sg.req);
		if (strnlen(sg.req.detail, sizeof(sg.req.detail)) == sizeof(sg.req.detail) ||
		    strnlen(sg.req.field, sizeof(sg.req.field)) == sizeof(sg.req.field))
			__builtin_trap();
		break;
	default:
		memset(&sg, 0, sizeof(sg));
		sg.req.status = 200;
		if (sendgrid_parse_suppressions(text, &sg) == 0 &&
		    (sg.nsample > SG_SAMPLES || sg.nsample > sg.count))
			__builtin_trap();
		break;
	}
	free(text);
	return 0;
}
