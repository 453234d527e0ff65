/*
 * check.c - the health sweep: one poll loop over libcurl's multi handle and the
 * database check's socket, so every check runs at once.
 */
#include "check_int.h"

#include "check_pg.h"
#include "config.h"
#include "probe_pg.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TICK_MS 100
#define IDLE_POLL_MS 1000
#define DEFAULT_SAMPLES 20

static const char *const id_names[] = {
#define X(e, s) s,
        CHECK_IDS(X)
#undef X
};

static const char *const status_names[] = {
#define X(e, s) s,
        CHECK_STATUSES(X)
#undef X
};

/* See check.h. */
const char *check_name(enum check_id id)
{
	return (int)id >= 0 && id < CHK__LAST ? id_names[id] : "?";
}

/* See check.h. */
const char *check_status_name(enum check_status st)
{
	return (int)st >= 0 && st < CHECK_STATUS__LAST ? status_names[st] : "?";
}

/* See check.h. */
int check_parse_only(const char *list, unsigned *mask, char *err, size_t errlen)
{
	const char *p = list;

	*mask = 0;
	while (p != NULL && *p != '\0') {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		int found = 0;

		for (int i = 0; i < CHK__LAST && n > 0; i++)
			if (strlen(id_names[i]) == n && strncmp(id_names[i], p, n) == 0) {
				*mask |= 1u << i;
				found = 1;
			}
		if (!found) {
			snprintf(err, errlen,
			         "unknown check '%.*s' (checks: api, frontend, database, "
			         "storage, "
			         "email, certs)",
			         (int)n, p);
			return -1;
		}
		p = comma ? comma + 1 : NULL;
	}
	if (*mask == 0) {
		snprintf(err, errlen, "--only needs at least one check name");
		return -1;
	}
	return 0;
}

/* See check.h. */
long check_timeout_ms(const struct config *c, const char *section)
{
	char key[64];
	double def = config_num(c, "timing.probe_timeout_ms", 5000);

	snprintf(key, sizeof(key), "%s.timeout_ms", section);
	return (long)config_num(c, key, def);
}

/* See check.h. */
void check_set(struct check_result *cr, enum check_status st, cJSON *data, const char *fmt, ...)
{
	va_list ap;

	cr->status = st;
	if (data != NULL) {
		cJSON_Delete(cr->data);
		cr->data = data;
	}
	va_start(ap, fmt);
	vsnprintf(cr->detail, sizeof(cr->detail), fmt, ap);
	va_end(ap);
}

/* The first key of a check that is missing, or NULL when it can run. */
static const char *first_missing(const struct config *c, enum check_id id)
{
	static const char *const api[] = {"api.url", NULL};
	static const char *const frontend[] = {"frontend.url", NULL};
	static const char *const database[] = {"database.url", NULL};
	static const char *const storage[] = {"storage.endpoint", "storage.bucket",
	                                      "storage.access_key_id",
	                                      "storage.secret_access_key", NULL};
	static const char *const smtp[] = {"email.smtp_url", NULL};
	static const char *const *keys[CHK__LAST] = {api,     frontend, database,
	                                             storage, NULL,     NULL};
	const char *const *k = keys[id];

	if (id == CHK_EMAIL)
		k = strcmp(config_str_or(c, "email.provider", "sendgrid"), "smtp") == 0 ? smtp
		                                                                        : NULL;
	if (id == CHK_CERTS) {
		const cJSON *h = config_node(c, "certs.hosts");

		return cJSON_IsArray(h) && cJSON_GetArraySize(h) > 0 ? NULL : "certs.hosts";
	}
	for (; k != NULL && *k != NULL; k++)
		if (config_str(c, *k) == NULL)
			return *k;
	return NULL;
}

/* See check.h. */
void sweep_plan(const struct sweep_opts *o, struct sweep *sw)
{
	memset(sw, 0, sizeof(*sw));
	for (int i = 0; i < CHK__LAST; i++) {
		struct check_result *cr = &sw->checks[i];
		const char *miss;

		if (o->only != 0 && !(o->only & (1u << i)))
			continue;
		if (!config_has(o->cfg, id_names[i]) && o->only == 0)
			continue;
		miss = first_missing(o->cfg, (enum check_id)i);
		if (miss != NULL) {
			snprintf(cr->missing, sizeof(cr->missing), "%s",
			         strcmp(miss, "certs.hosts") == 0
			                 ? "'certs.hosts' is not set (a list of host:port)"
			                 : config_why_missing(o->cfg, miss));
			continue;
		}
		cr->selected = 1;
		sw->nselected++;
	}
}

static double now_ms(void)
{
	return (double)clock_mono_ns() / 1e6;
}

/* The database check's verdict from check_pg's result. */
static void db_verdict(struct sweep_run *sr, const struct check_pg *pg)
{
	const struct check_pg_result *r = check_pg_result(pg);
	struct check_result *cr = &sr->sw->checks[CHK_DATABASE];
	double max = config_num(sr->o->cfg, "thresholds.db_active_max", 20);
	cJSON *d = cJSON_CreateObject();
	struct pg_target t;
	char err[128];

	if (pg_target_parse(config_str(sr->o->cfg, "database.url"), &t, err, sizeof(err)) ==
	    0) {
		char where[512];

		snprintf(where, sizeof(where), "%s:%s/%s", t.host[0] ? t.host : "localhost",
		         t.port[0] ? t.port : "5432", t.dbname);
		cJSON_AddStringToObject(d, "target", where);
	}
	cJSON_AddNumberToObject(d, "connect_ms", round(r->connect_ms * 10) / 10);
	if (!r->ok) {
		cJSON_AddStringToObject(d, "error", r->error);
		cJSON_AddStringToObject(d, "message", r->message);
		check_set(cr, CHECK_FAIL, d, "%s: %s", r->error, r->message);
		return;
	}
	cJSON_AddNumberToObject(d, "query_ms", round(r->query_ms * 10) / 10);
	cJSON_AddNumberToObject(d, "active", (double)r->active);
	cJSON_AddNumberToObject(d, "idle", (double)r->idle);
	cJSON_AddNumberToObject(d, "idle_in_transaction", (double)r->idle_in_tx);
	cJSON_AddNumberToObject(d, "hidden", (double)r->hidden);
	cJSON_AddNumberToObject(d, "total", (double)r->total);
	cJSON_AddNumberToObject(d, "max_connections", (double)r->max_connections);
	cJSON_AddNumberToObject(d, "active_max", max);
	cJSON_AddStringToObject(d, "server_version", r->server_version);
	if ((double)r->active > max)
		check_set(cr, CHECK_WARN, d,
		          "%ld active sessions > %g (runbook §3.1); %ld idle, %ld in all",
		          r->active, max, r->idle, r->total);
	else if (r->hidden > 0 && (double)(r->active + r->hidden) > max)
		check_set(cr, CHECK_WARN, d,
		          "%ld active, but %ld sessions are not visible to this role (grant "
		          "pg_read_all_stats): the limit of %g cannot be confirmed",
		          r->active, r->hidden, max);
	else
		check_set(cr, CHECK_OK, d,
		          "connected in %.0f ms; %ld active (max %g), %ld idle, %ld in all",
		          r->connect_ms, r->active, max, r->idle, r->total);
}

/* Stamp a finished check and count it. */
static void finished(struct sweep_run *sr, enum check_id id, double t0)
{
	struct sweep *sw = sr->sw;
	struct check_result *cr = &sw->checks[id];

	cr->ms = now_ms() - t0;
	if (cr->status == CHECK_OK)
		sw->nok++;
	else if (cr->status == CHECK_WARN)
		sw->nwarn++;
	else
		sw->nfail++;
	if (sr->o->progress != NULL)
		sr->o->progress(sr->o->ctx, sw);
}

static struct xfer *xfer_of(struct sweep_run *sr, CURL *h)
{
	for (size_t i = 0; i < sr->nx; i++)
		if (sr->x[i]->h == h)
			return sr->x[i];
	return NULL;
}

/* Take the transfers libcurl reports done; verdicts for checks whose last one ended. */
static void drain(struct sweep_run *sr, CURLM *multi, double t0)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(multi, &left)) != NULL) {
		struct xfer *x;

		if (m->msg != CURLMSG_DONE)
			continue;
		x = xfer_of(sr, m->easy_handle);
		if (x == NULL || x->done)
			continue;
		x->rc = m->data.result;
		x->done = 1;
		check_http_collect(x);
		if (--sr->pending[x->check] == 0) {
			check_http_verdict(sr, x->check);
			finished(sr, x->check, t0);
		}
	}
}

/* Ctrl-C: every check without a verdict fails as interrupted. */
static void interrupt_all(struct sweep_run *sr, struct check_pg *pg, double t0)
{
	if (pg != NULL && !check_pg_done(pg)) {
		check_pg_cancel(pg);
		db_verdict(sr, pg);
		finished(sr, CHK_DATABASE, t0);
	}
	for (int i = 0; i < CHK__LAST; i++) {
		if (!sr->sw->checks[i].selected || sr->pending[i] == 0)
			continue;
		sr->pending[i] = 0;
		check_set(&sr->sw->checks[i], CHECK_FAIL, NULL, "interrupted");
		finished(sr, (enum check_id)i, t0);
	}
	sr->sw->aborted = 1;
}

static int all_done(const struct sweep_run *sr, const struct check_pg *pg)
{
	for (int i = 0; i < CHK__LAST; i++)
		if (sr->pending[i] > 0)
			return 0;
	return pg == NULL || check_pg_done(pg);
}

/* The one loop: perform, take what ended, poll every socket (curl's and libpq's). */
static void loop(struct sweep_run *sr, CURLM *multi, struct check_pg *pg, double t0)
{
	double last_tick = now_ms();
	int db_pending = pg != NULL;

	for (;;) {
		struct curl_waitfd extra = {.fd = -1};
		int running = 0, nextra = 0;
		long timeout = (sr->o->progress || sr->o->abort) ? TICK_MS : IDLE_POLL_MS;

		curl_multi_perform(multi, &running);
		drain(sr, multi, t0);
		if (db_pending && check_pg_done(pg)) {
			db_pending = 0;
			db_verdict(sr, pg);
			finished(sr, CHK_DATABASE, t0);
		}
		if (all_done(sr, pg))
			return;
		if (sr->o->abort != NULL && *sr->o->abort) {
			interrupt_all(sr, pg, t0);
			return;
		}
		if (db_pending) {
			short ev;

			extra.fd = check_pg_fd(pg, &ev);
			extra.events = (unsigned short)ev;
			nextra = extra.fd >= 0;
			if (check_pg_timeout_ms(pg) < timeout)
				timeout = check_pg_timeout_ms(pg);
		}
		curl_multi_poll(multi, nextra ? &extra : NULL, (unsigned)nextra, (int)timeout,
		                NULL);
		if (db_pending)
			check_pg_step(pg, nextra ? (short)extra.revents : 0);
		if (sr->o->progress != NULL && now_ms() - last_tick >= TICK_MS) {
			last_tick = now_ms();
			sr->o->progress(sr->o->ctx, sr->sw);
		}
	}
}

/* See check.h. */
int sweep_run(const struct sweep_opts *o, struct sweep *sw)
{
	struct sweep_run sr;
	CURLM *multi = NULL;
	struct check_pg *pg = NULL;
	double t0;
	int ran = 0;

	sweep_plan(o, sw);
	memset(&sr, 0, sizeof(sr));
	sr.o = o;
	sr.sw = sw;
	sw->started = clock_wall();
	t0 = now_ms();
	for (int i = 0; i < CHK__LAST; i++)
		if (sw->checks[i].selected)
			sw->checks[i].status = CHECK_PENDING;
	if (sw->nselected == 0)
		goto out;
	multi = curl_multi_init();
	if (sw->checks[CHK_DATABASE].selected) {
		struct check_pg_opts po = {
		        .url = config_str(o->cfg, "database.url"),
		        .application_name = "runbook-check",
		        .timeout_ms = check_timeout_ms(o->cfg, "database"),
		};

		pg = check_pg_start(&po);
		ran++;
	}
	for (int i = 0; i < CHK__LAST; i++) {
		if (!sw->checks[i].selected || i == CHK_DATABASE)
			continue;
		ran++;
		if (check_http_add(&sr, (enum check_id)i) < 0 || multi == NULL) {
			if (multi == NULL)
				check_set(&sw->checks[i], CHECK_FAIL, NULL,
				          "libcurl: no multi handle");
			sr.pending[i] = 0;
			finished(&sr, (enum check_id)i, t0);
		}
	}
	for (size_t i = 0; multi != NULL && i < sr.nx; i++)
		if (sr.x[i]->h != NULL)
			curl_multi_add_handle(multi, sr.x[i]->h);
	if (multi != NULL)
		loop(&sr, multi, pg, t0);
	else if (pg != NULL)
		interrupt_all(&sr, pg, t0);
out:
	for (size_t i = 0; i < sr.nx; i++) {
		if (multi != NULL && sr.x[i]->h != NULL)
			curl_multi_remove_handle(multi, sr.x[i]->h);
		curl_easy_cleanup(sr.x[i]->h);
		check_xfer_release(sr.x[i]);
		free(sr.x[i]);
	}
	free(sr.x);
	if (multi != NULL)
		curl_multi_cleanup(multi);
	check_pg_free(pg);
	sw->elapsed_ms = now_ms() - t0;
	return ran;
}

/* See check.h. */
void sweep_release(struct sweep *sw)
{
	for (int i = 0; i < CHK__LAST; i++) {
		cJSON_Delete(sw->checks[i].data);
		sw->checks[i].data = NULL;
	}
}

/* See check.h. */
cJSON *sweep_json(const struct sweep *sw, int with_data)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *arr, *skipped = NULL;

	cJSON_AddBoolToObject(doc, "ok", sw->nfail == 0);
	cJSON_AddNumberToObject(doc, "elapsed_ms", round(sw->elapsed_ms));
	arr = cJSON_AddArrayToObject(doc, "checks");
	for (int i = 0; i < CHK__LAST; i++) {
		const struct check_result *cr = &sw->checks[i];
		cJSON *c;

		if (!cr->selected) {
			if (cr->missing[0] == '\0')
				continue;
			if (skipped == NULL)
				skipped = cJSON_CreateArray();
			c = cJSON_CreateObject();
			cJSON_AddStringToObject(c, "name", id_names[i]);
			cJSON_AddStringToObject(c, "reason", cr->missing);
			cJSON_AddItemToArray(skipped, c);
			continue;
		}
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "name", id_names[i]);
		cJSON_AddStringToObject(c, "status", check_status_name(cr->status));
		cJSON_AddNumberToObject(c, "ms", round(cr->ms));
		cJSON_AddStringToObject(c, "detail", cr->detail);
		if (with_data && cr->data != NULL)
			cJSON_AddItemToObject(c, "data", cJSON_Duplicate(cr->data, 1));
		cJSON_AddItemToArray(arr, c);
	}
	if (skipped != NULL)
		cJSON_AddItemToObject(doc, "skipped", skipped);
	return doc;
}

/* See check.h. */
void sweep_summary(const struct sweep *sw, char *out, size_t len)
{
	struct buf b;

	buf_init(&b, len > 0 ? len - 1 : 0);
	if (sw->nok == sw->nselected)
		buf_printf(&b, "all %d check%s ok", sw->nselected,
		           sw->nselected == 1 ? "" : "s");
	else
		buf_printf(&b, "%d of %d not ok:", sw->nwarn + sw->nfail, sw->nselected);
	for (int s = CHECK_FAIL; s >= CHECK_WARN && sw->nok != sw->nselected; s--)
		for (int i = 0; i < CHK__LAST; i++) {
			const struct check_result *cr = &sw->checks[i];

			if (cr->selected && (int)cr->status == s)
				buf_printf(&b, " %s %s (%s);", id_names[i],
				           check_status_name(cr->status), cr->detail);
		}
	if (b.len > 0 && b.p[b.len - 1] == ';')
		b.p[--b.len] = '\0';
	snprintf(out, len, "%s", b.p ? b.p : "");
	buf_release(&b);
}

/* ---- small pieces ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* See check.h. */
double check_percentile(double *v, size_t n, double p)
{
	size_t rank;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	rank = (size_t)ceil(p / 100.0 * (double)n);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

/* See check.h. */
int check_cert_date(const char *s, double *epoch)
{
	struct tm tm;
	const char *end;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	while (s != NULL && *s == ' ')
		s++;
	end = s ? strptime(s, "%b %d %H:%M:%S %Y GMT", &tm) : NULL;
	if (end == NULL)
		return -1;
	while (*end == ' ' || *end == '\n' || *end == '\r')
		end++;
	if (*end != '\0')
		return -1;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*epoch = (double)t;
	return 0;
}

/* See check.h. */
int check_host_port(const char *entry, char *host, size_t hostlen, long *port)
{
	const char *p = entry, *end, *colon = NULL;
	size_t n;

	*port = 443;
	if (p == NULL || *p == '\0')
		return -1;
	if (strncmp(p, "https://", 8) == 0)
		p += 8;
	end = p + strcspn(p, "/");
	if (*p == '[') { /* [v6]:port */
		const char *rb = memchr(p, ']', (size_t)(end - p));

		if (rb == NULL)
			return -1;
		n = (size_t)(rb - p - 1);
		if (n == 0 || n >= hostlen)
			return -1;
		memcpy(host, p + 1, n);
		host[n] = '\0';
		if (rb + 1 < end && rb[1] == ':')
			colon = rb + 1;
		else if (rb + 1 != end)
			return -1;
	} else {
		colon = memchr(p, ':', (size_t)(end - p));
		n = (size_t)((colon ? colon : end) - p);
		if (n == 0 || n >= hostlen)
			return -1;
		memcpy(host, p, n);
		host[n] = '\0';
	}
	if (colon != NULL) {
		char num[16];
		size_t m = (size_t)(end - colon - 1);

		if (m == 0 || m >= sizeof(num))
			return -1;
		memcpy(num, colon + 1, m);
		num[m] = '\0';
		if (parse_long(num, 1, 65535, port) < 0)
			return -1;
	}
	return 0;
}
