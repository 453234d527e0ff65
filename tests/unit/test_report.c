/*
 * test_report.c - the postmortem model and its writers, on journals built event by event:
 * severity changes, handoffs, notes by kind, an intent without a result, a refusal, a
 * dry run, closing by hand; safe text; folding; byte-identical output.
 */
#include "test.h"

#include "journal.h"
#include "report.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <ftw.h>

#define INC "c0ffee00-0000-4000-8000-000000000001"
#define OTHER "c0ffee00-0000-4000-8000-000000000002"

static char tmp_root[64];

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static void cleanup(void)
{
	if (tmp_root[0] != '\0')
		nftw(tmp_root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static struct journal *fresh(void)
{
	struct journal *j = NULL;
	char err[512] = "";
	char *path;

	snprintf(tmp_root, sizeof(tmp_root), "/tmp/rbreport.XXXXXX");
	if (mkdtemp(tmp_root) == NULL)
		TEST_FAIL_AT("mkdtemp: %s", strerror(errno));
	atexit(cleanup);
	path = xasprintf("%s/j.db", tmp_root);
	if (journal_open(path, &j, err, sizeof(err)) != 0)
		TEST_FAIL_AT("journal_open: %s", err);
	free(path);
	return j;
}

static void add_as(struct journal *j, const char *who, const char *inc, const char *state,
                   const char *kind, const char *data)
{
	struct jidentity id = {who, "tester", "testhost", 4242};

	journal_set_identity(j, &id);
	if (journal_append(j, inc, "api-down", state, kind, data, NULL) != 0)
		TEST_FAIL_AT("journal_append %s: %s", kind, journal_errmsg(j));
}

static void add(struct journal *j, const char *state, const char *kind, const char *data)
{
	add_as(j, "alice", INC, state, kind, data);
}

/*
 * The incident every model test reads: 10 s apart from 03:00:00 (fake clock, 10 s
 * step). A killed restart (intent, then the machine moved on), a refused and a
 * dry-run rollback, severity P1 -> P0, a handoff alice -> bob, notes of each kind,
 * closed by bob with `resolve --root-cause`.
 */
static struct journal *incident(void)
{
	struct journal *j;

	setenv("RUNBOOK_FAKE_NOW", "2026-12-04T03:00:00Z", 1);
	setenv("RUNBOOK_FAKE_STEP_MS", "10000", 1);
	j = fresh();
	add(j, "", "incident.opened",
	    "{\"title\":\"API <script>alert(1)</script> down\",\"severity\":\"P1\","
	    "\"section\":\"4.1\"}");                                          /* 03:00:10 */
	add(j, "health", "state.entered", "{\"kind\":\"probe\",\"step\":1}"); /* :20 */
	add(j, "health", "probe.result",
	    "{\"status\":500,\"timing\":{\"total_ms\":3,\"ok\":true},\"outcome\":\"fail\","
	    "\"ok\":false,\"summary\":\"HTTP 500 in 3 ms\",\"output\":\"a\\nb\\nc\"}"); /* :30 */
	add(j, "cause", "state.entered",
	    "{\"kind\":\"choice\",\"step\":2,\"suggested\":\"oom\",\"reason\":\"OOM in "
	    "logs\"}");
	add(j, "cause", "prompt.answered",
	    "{\"answer\":\"oom\",\"suggested\":\"oom\",\"followup\":\"fix the leak\","
	    "\"outcome\":\"oom\",\"source\":\"answer\"}"); /* :50 */
	add(j, "cause", "severity.changed",
	    "{\"from\":\"P1\",\"to\":\"P0\",\"reason\":\"all regions\"}"); /* 03:01:00 */
	add(j, "restart", "state.entered", "{\"kind\":\"action\",\"step\":3}");
	add(j, "restart", "action.intent",
	    "{\"command\":\"railway service restart\",\"target\":\"api\",\"target_kind\":"
	    "\"service\",\"destructive\":true,\"confirmed_with\":\"--confirm\"}"); /* :20 */
	add(j, "rollback", "state.entered", "{\"kind\":\"action\",\"step\":4}");
	add(j, "rollback", "action.refused",
	    "{\"command\":\"railway redeploy\",\"typed\":\"apii\",\"expected\":\"api\","
	    "\"destructive\":true,\"outcome\":\"refused\"}");
	add(j, "rollback", "action.skipped",
	    "{\"would_run\":\"railway redeploy\",\"reason\":\"dry run\",\"destructive\":true,"
	    "\"outcome\":\"skipped\"}"); /* 03:01:50 */
	add(j, "verify", "state.entered", "{\"kind\":\"wait\",\"step\":5}");
	add(j, "verify", "probe.result",
	    "{\"outcome\":\"ok\",\"ok\":true,\"summary\":\"HTTP 200\",\"attempt\":1}"); /* 03:02:10 */
	add(j, "verify", "incident.mitigated", "{\"by\":\"verify\"}");
	add(j, "verify", "incident.escalated", "{\"reason\":\"timer\",\"after_min\":5}");
	add(j, "verify", "handoff",
	    "{\"from\":\"alice\",\"to\":\"bob\",\"summary\":\"over to you\"}");
	add_as(j, "bob", INC, "verify", "note",
	       "{\"text\":\"customers saw 500s\",\"kind\":\"impact\"}");
	add_as(j, "bob", INC, "verify", "note",
	       "{\"text\":\"add a heap alert\",\"kind\":\"lesson\"}");
	add_as(j, "bob", INC, "verify", "note", "{\"text\":\"free text\"}");
	add_as(j, "bob", INC, "verify", "note",
	       "{\"pause\":\"waiting for an answer\",\"waiting_for\":\"verify\"}");
	add_as(j, "carol", OTHER, "", "incident.opened",
	       "{\"title\":\"other\",\"severity\":\"P3\"}");
	add_as(j, "bob", INC, "verify", "incident.closed",
	       "{\"end\":\"resolved\",\"by\":\"operator\",\"root_cause\":\"a leak | in "
	       "*render*\"}");
	return j;
}

static void load(struct journal *j, struct report *r)
{
	char err[256] = "";

	if (report_load(r, j, NULL, INC, err, sizeof(err)) != 0)
		TEST_FAIL_AT("report_load: %s", err);
}

static char *write_to_string(const struct report *r, int (*fn)(const struct report *, FILE *,
                                                               const struct report_opts *))
{
	char *p = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&p, &n);

	CHECK(f != NULL);
	CHECK_INT(fn(r, f, NULL), ==, 0);
	fclose(f);
	return p;
}

static void test_header_and_people(void)
{
	struct journal *j = incident();
	struct report r;

	load(j, &r);
	CHECK_STR(r.flow, "api-down");
	CHECK_STR(r.severity0, "P1");
	CHECK_STR(r.severity, "P0");
	CHECK_INT(r.nsev, ==, 1);
	CHECK_STR(r.sev[0].reason, "all regions");
	CHECK_STR(r.opened, "2026-12-04T03:00:10.000Z");
	CHECK(r.closed);
	CHECK(r.closed_by_hand);
	CHECK_STR(r.end, "resolved");
	CHECK_STR(r.closed_by, "bob");
	CHECK_STR(r.lead, "bob");
	CHECK_INT(r.nhandoffs, ==, 1);
	CHECK_STR(r.handoffs[0].summary, "over to you");
	CHECK_INT(r.npeople, ==, 2); /* carol acted on another incident only */
	CHECK_STR(r.people[0].name, "alice");
	CHECK_STR(r.people[0].where[0], "tester@testhost");
	CHECK(r.people[0].roles & ROLE_OPENED);
	CHECK(r.people[0].roles & ROLE_HANDED);
	CHECK(!(r.people[0].roles & ROLE_LEAD));
	CHECK(r.people[1].roles & ROLE_LEAD);
	CHECK(r.people[1].roles & ROLE_RECEIVED);
	CHECK(r.people[1].roles & ROLE_CLOSED);
	CHECK_INT(r.events, ==, 21);
	CHECK_INT(r.probes, ==, 2);
	CHECK_INT(r.probes_failed, ==, 1); /* the nested "ok":true does not count */
	CHECK_INT(r.pauses, ==, 1);
	CHECK_INT(r.notes, ==, 3);
	CHECK(r.escalated);
	CHECK_STR(r.escalated_reason, "timer");
	CHECK(report_verify(&r)->ok);
	report_release(&r);
	journal_close(j);
}

static void test_metrics(void)
{
	struct journal *j = incident();
	struct report r;

	load(j, &r);
	CHECK(r.met[MET_ACK].reached);
	CHECK_INT((long long)(r.met[MET_ACK].seconds * 1000), ==,
	          40000); /* the answer at :50 */
	CHECK_INT((long long)(r.met[MET_DIAGNOSE].seconds * 1000), ==, 40000);
	CHECK_STR(r.met[MET_MITIGATE].ts, "2026-12-04T03:02:20.000Z");
	CHECK_INT((long long)r.met[MET_MITIGATE].seconds, ==, 130);
	CHECK(r.met[MET_RESOLVE].reached);
	CHECK_INT((long long)r.met[MET_RESOLVE].seconds, ==, 210);
	report_release(&r);
	journal_close(j);
}

static void test_sections(void)
{
	struct journal *j = incident();
	struct report r;

	load(j, &r);
	CHECK_INT(r.sec[SEC_IMPACT].n, ==, 1);
	CHECK_STR(r.sec[SEC_IMPACT].head->text, "customers saw 500s");
	CHECK_STR(r.sec[SEC_IMPACT].head->operator, "bob");
	CHECK_INT(r.sec[SEC_LESSONS].n, ==, 1);
	CHECK_INT(r.sec[SEC_NOTES].n, ==, 1);
	CHECK_INT(r.sec[SEC_SUMMARY].n, ==, 0);
	CHECK_INT(r.sec[SEC_ROOT_CAUSE].n, ==, 2); /* the answer at 'cause', resolve's text */
	CHECK_CONTAINS(r.sec[SEC_ROOT_CAUSE].head->text, "oom (chosen at 'cause'");
	CHECK_STR(r.sec[SEC_ROOT_CAUSE].tail->text, "a leak | in *render*");
	CHECK_STR(r.sec[SEC_ROOT_CAUSE].tail->source, "resolve");
	CHECK_STR(r.sec[SEC_ACTION_ITEMS].head->text, "fix the leak");
	CHECK_INT(r.sec[SEC_RESOLUTION].n, ==, 2);
	CHECK_INT(report_section_of_kind("root-cause"), ==, SEC_ROOT_CAUSE);
	CHECK_INT(report_section_of_kind("action-item"), ==, SEC_ACTION_ITEMS);
	CHECK_INT(report_section_of_kind("notes"), ==, -1);
	CHECK_INT(report_section_of_kind(NULL), ==, -1);
	report_release(&r);
	journal_close(j);
}

struct acts {
	char text[1024];
};

static int collect(const struct report *r, const struct report_action *a, void *ctx)
{
	struct acts *x = ctx;
	size_t n = strlen(x->text);

	(void)r;
	snprintf(x->text + n, sizeof(x->text) - n, "%s:%s:%d:%lld/%lld ", a->state, a->status,
	         a->destructive, a->intent.seq, a->result.seq);
	return 0;
}

static void test_actions_pairing(void)
{
	struct journal *j = incident();
	struct report r;
	struct acts x = {""};

	load(j, &r);
	CHECK_INT(r.nnoresult, ==, 1);
	CHECK_INT(r.noresult_seq[0], ==, 8);
	CHECK_INT(r.noresult_destructive, ==, 1);
	CHECK_INT(report_actions(&r, collect, &x), ==, 0);
	CHECK_STR(x.text, "restart:no_result:1:8/0 rollback:refused:1:0/10 "
	                  "rollback:dry_run:1:0/11 ");
	report_release(&r);
	journal_close(j);
}

static void test_writers_escape_and_flag(void)
{
	struct journal *j = incident();
	struct report r;
	char *md, *html, *json;
	cJSON *doc;

	load(j, &r);
	md = write_to_string(&r, report_write_md);
	html = write_to_string(&r, report_write_html);
	json = write_to_string(&r, report_write_json);
	/* Markdown: escaped, flagged, every section present */
	CHECK_CONTAINS(md, "# Postmortem: API &lt;script&gt;alert(1)&lt;/script&gt; down");
	CHECK_NOT_CONTAINS(md, "<script");
	CHECK_CONTAINS(md, "a leak \\| in \\*render\\*");
	CHECK_CONTAINS(md, "no result recorded — process ended");
	CHECK_CONTAINS(md, "P1 → P0 at 2026-12-04T03:01:00.000Z by alice: all regions");
	CHECK_CONTAINS(md, "alice → bob: over to you");
	CHECK_CONTAINS(md, "## Summary\n\n_not recorded_");
	CHECK_CONTAINS(md, "**refused**: typed 'apii', expected 'api'");
	CHECK_CONTAINS(md, "**dry_run**");
	/* HTML: no raw script, the picture, the flag */
	CHECK_NOT_CONTAINS(html, "<script");
	CHECK_CONTAINS(html, "API &lt;script&gt;alert(1)&lt;/script&gt; down");
	CHECK_CONTAINS(html, "<svg xmlns=");
	CHECK_CONTAINS(html, "escalated (timer)");
	CHECK_CONTAINS(html, "no result recorded");
	CHECK_CONTAINS(html, "@page{size:A4");
	CHECK_NOT_CONTAINS(html, "href=");
	CHECK_NOT_CONTAINS(html, "src=");
	/* JSON: valid, the same facts */
	doc = cJSON_Parse(json);
	CHECK(doc != NULL);
	CHECK_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "incident"), "severity")
	                  ->valuestring,
	          "P0");
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "timeline")), ==, 21);
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "actions")), ==, 3);
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "warnings")), ==, 1);
	cJSON_Delete(doc);
	free(md);
	free(html);
	free(json);
	report_release(&r);
	journal_close(j);
}

static void test_same_bytes_twice(void)
{
	struct journal *j = incident();
	int (*fns[])(const struct report *, FILE *, const struct report_opts *) = {
	        report_write_md, report_write_json, report_write_html};

	for (size_t i = 0; i < 3; i++) {
		struct report a, b;
		char *x, *y;

		load(j, &a);
		load(j, &b);
		x = write_to_string(&a, fns[i]);
		y = write_to_string(&b, fns[i]);
		CHECK_STR(x, y);
		free(x);
		free(y);
		report_release(&a);
		report_release(&b);
	}
	journal_close(j);
}

/* An incident whose events are far apart in the journal is read through its index. */
static void test_sparse_incident(void)
{
	struct journal *j = fresh();
	struct report r;
	char *md;

	add(j, "", "incident.opened", "{\"title\":\"sparse\",\"severity\":\"P3\"}");
	for (int i = 0; i < 10; i++)
		add_as(j, "carol", OTHER, "x", "note", "{\"text\":\"noise\"}");
	add(j, "health", "probe.result",
	    "{\"outcome\":\"ok\",\"ok\":true,\"summary\":\"fine\"}");
	add(j, "", "incident.closed", "{\"end\":\"resolved\"}");
	load(j, &r);
	CHECK_INT(r.events, ==, 3);
	CHECK_INT(r.first_seq, ==, 1);
	CHECK_INT(r.last_seq, ==, 13);
	md = write_to_string(&r, report_write_md);
	CHECK_CONTAINS(md, "health · probe.result · **ok** — fine");
	CHECK_NOT_CONTAINS(md, "noise");
	CHECK_CONTAINS(md, "closed: resolved");
	free(md);
	report_release(&r);
	journal_close(j);
}

static void test_clean(void)
{
	char *s;
	char big[5000];

	s = report_clean("ok \xff\xfe bad", 100);
	CHECK_STR(s, "ok \xEF\xBF\xBD\xEF\xBF\xBD bad");
	free(s);
	s = report_clean("a\x1b[31mred\r\n\tx\x7f", 100);
	CHECK_STR(s, "a\xEF\xBF\xBD[31mred\n\tx\xEF\xBF\xBD");
	free(s);
	s = report_clean("rlo \xE2\x80\xAE here \xC0\xAF", 100); /* U+202E, overlong '/' */
	CHECK_STR(s, "rlo \xEF\xBF\xBD here \xEF\xBF\xBD\xEF\xBF\xBD");
	free(s);
	s = report_clean("h\xC3\xA9llo", 2); /* cut before the é, never inside it */
	CHECK_STR(s, "h … [truncated: 6 bytes in all]");
	free(s);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	s = report_clean(big, 100);
	CHECK_INT(strlen(s), <, 150);
	CHECK_CONTAINS(s, "[truncated: 4999 bytes in all]");
	free(s);
	s = report_clean(NULL, 10);
	CHECK_STR(s, "");
	free(s);
}

static void test_fold(void)
{
	struct buf b;
	char *s;
	long n = 0;

	buf_init(&b, 0);
	for (int i = 1; i <= 30; i++)
		buf_printf(&b, "line %d\n", i);
	s = report_fold(b.p, 2, 2, 300, &n);
	CHECK_INT(n, ==, 30);
	CHECK_STR(s, "line 1\nline 2\n… 26 lines folded …\nline 29\nline 30");
	free(s);
	s = report_fold("one\ntwo", 2, 2, 300, &n);
	CHECK_INT(n, ==, 2);
	CHECK_STR(s, "one\ntwo");
	free(s);
	s = report_fold("", 2, 2, 300, &n);
	CHECK_INT(n, ==, 0);
	CHECK_STR(s, "");
	free(s);
	s = report_fold("abcdefgh", 1, 1, 4, NULL);
	CHECK_STR(s, "abcd … [truncated: 8 bytes in all]");
	free(s);
	buf_release(&b);
}

static void test_formats(void)
{
	char out[64];

	report_elapsed(62.5, out, sizeof(out));
	CHECK_STR(out, "+00:01:02.500");
	report_elapsed(-1.5, out, sizeof(out));
	CHECK_STR(out, "-00:00:01.500");
	report_elapsed(3 * 3600 + 7, out, sizeof(out));
	CHECK_STR(out, "+03:00:07.000");
	report_duration(12.54, out, sizeof(out));
	CHECK_STR(out, "12.5 s");
	report_duration(125, out, sizeof(out));
	CHECK_STR(out, "2 min 05 s");
	report_duration(3720, out, sizeof(out));
	CHECK_STR(out, "1 h 02 min");
	report_duration(90000, out, sizeof(out));
	CHECK_STR(out, "1 d 01 h");
}

static void test_fake_clock_and_ids(void)
{
	char a[37], b[37], c[37];

	setenv("RUNBOOK_FAKE_NOW", "2026-12-04T03:00:00Z", 1);
	setenv("RUNBOOK_FAKE_STEP_MS", "1500", 1);
	{
		char ts[32];

		time_format(clock_wall(), ts);
		CHECK_STR(ts, "2026-12-04T03:00:00.000Z");
	}
	{
		double t1 = clock_wall(), t2 = clock_wall();

		CHECK_INT((long long)((t2 - t1) * 1000 + 0.5), ==, 1500);
	}
	unsetenv("RUNBOOK_FAKE_STEP_MS");
	CHECK(clock_wall() == clock_wall()); /* a fixed time without a step */
	setenv("RUNBOOK_FAKE_SEED", "7", 1);
	uuid_new(a);
	uuid_new(b);
	CHECK(strcmp(a, b) != 0);
	CHECK_INT(a[14], ==, '4'); /* version 4 */
	CHECK(strchr("89ab", a[19]) != NULL);
	unsetenv("RUNBOOK_FAKE_SEED");
	uuid_new(c);
	CHECK(strcmp(c, a) != 0 && strcmp(c, b) != 0);
	unsetenv("RUNBOOK_FAKE_NOW");
}

TEST_LIST = {
        {"header_and_people", test_header_and_people},
        {"metrics", test_metrics},
        {"sections", test_sections},
        {"actions_pairing", test_actions_pairing},
        {"writers_escape_and_flag", test_writers_escape_and_flag},
        {"same_bytes_twice", test_same_bytes_twice},
        {"sparse_incident", test_sparse_incident},
        {"clean", test_clean},
        {"fold", test_fold},
        {"formats", test_formats},
        {"fake_clock_and_ids", test_fake_clock_and_ids},
        {NULL, NULL},
};
