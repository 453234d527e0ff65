/*
 * test_journal_verify.c - what verify checks of the schema (the append-only triggers,
 * compared with the text the migrations give them) and the worked example of the
 * canonical encoding in docs/journal-format.md.
 */
#include "journal_fixture.h"
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "chain.h"
#include "cli.h"
#include "journal.h"
#include "util.h"

#define INC_A "aaaaaa01-0000-4000-8000-000000000001"

/* A new journal with n note events, in a fresh 0700 directory; the path (caller frees). */
static char *make_journal(int n)
{
	struct journal *j;
	char *path;

	path = xasprintf("%s/j.db", jfx_tmpdir("rbjverify"));
	j = open_ok(path);
	for (int i = 0; i < n; i++) {
		if (journal_append(j, INC_A, "api_down", "triage", "note", "{\"text\": \"n\"}",
		                   NULL) != 0)
			TEST_FAIL_AT("journal_append: %s", journal_errmsg(j));
	}
	journal_close(j);
	return path;
}

static struct jverify verify_path(const char *path, const unsigned char *head)
{
	struct journal *j = open_ok(path);
	struct jverify v;

	if (journal_verify(j, head, &v) != 0)
		TEST_FAIL_AT("journal_verify: %s", journal_errmsg(j));
	journal_close(j);
	return v;
}

/* What `runbook verify` returns for the journal at path (its message is dropped). */
static int cli_verify(const char *path)
{
	char arg0[] = "verify";
	char *argv[] = {arg0, NULL};
	struct cli c;
	int saved, null, rc;

	memset(&c, 0, sizeof(c));
	c.j = open_ok(path);
	fflush(stderr);
	saved = dup(2);
	null = open("/dev/null", O_WRONLY);
	CHECK(saved >= 0 && null >= 0);
	dup2(null, 2);
	close(null);
	rc = cmd_verify(&c, 1, argv);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	journal_close(c.j);
	return rc;
}

/*
 * A trigger still named right, on the right table, with RAISE(ABORT in its body, but
 * that no longer refuses what it should: verify compares the whole text with the one
 * the migrations create, and `runbook verify` exits 5.
 */
static void test_weakened_triggers(void)
{
	static const struct {
		const char *name, *sql;
	} cases[] = {
	        /* never fires: the UPDATE below goes through */
	        {"events_no_update", "CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
	                             " WHEN 0 BEGIN SELECT RAISE(ABORT, 'journal is "
	                             "append-only'); END"},
	        /* fires for one column only */
	        {"events_no_update", "CREATE TRIGGER events_no_update BEFORE UPDATE OF seq ON "
	                             "events BEGIN SELECT RAISE(ABORT, 'journal is "
	                             "append-only'); END"},
	        /* RAISE(ABORT only in a comment */
	        {"events_no_delete", "CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
	                             " BEGIN SELECT 1; /* RAISE(ABORT, 'x') */ END"},
	        {"meta_no_update", "CREATE TRIGGER meta_no_update BEFORE UPDATE ON meta"
	                           " BEGIN SELECT RAISE(IGNORE); SELECT 'RAISE(ABORT'; END"},
	        {"meta_no_replace",
	         "CREATE TRIGGER meta_no_replace BEFORE INSERT ON meta"
	         " WHEN EXISTS (SELECT 1 FROM meta WHERE key = NEW.value)"
	         " BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END"},
	};
	char want[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path = make_journal(3);
		sqlite3 *db = raw_open(path);
		char *sql = xasprintf("DROP TRIGGER %s; %s", cases[i].name, cases[i].sql);
		struct jverify v;

		raw_exec(db, sql);
		free(sql);
		if (i == 0) /* the damage it allows */
			raw_exec(db, "UPDATE events SET data = data WHERE seq = 1");
		sqlite3_close(db);
		v = verify_path(path, NULL);
		snprintf(want, sizeof(want), "trigger '%s' has been altered", cases[i].name);
		CHECK_INT(v.ok, ==, 0);
		CHECK_INT(v.first_bad_seq, ==, 0);
		CHECK_STR(v.reason, want);
		CHECK_INT(cli_verify(path), ==, EXIT_UNHEALTHY);
		free(path);
	}
}

/* Each trigger of schema.sql and migration 3 is required: dropping any one is reported. */
static void test_every_trigger_required(void)
{
	static const char *const names[] = {"events_no_update",  "events_no_delete",
	                                    "meta_no_update",    "meta_no_delete",
	                                    "events_no_replace", "meta_no_replace"};
	char want[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *path = make_journal(2);
		sqlite3 *db = raw_open(path);
		char *sql = xasprintf("DROP TRIGGER %s", names[i]);

		raw_exec(db, sql);
		free(sql);
		sqlite3_close(db);
		snprintf(want, sizeof(want), "trigger '%s' is missing", names[i]);
		CHECK_STR(verify_path(path, NULL).reason, want);
		CHECK_INT(cli_verify(path), ==, EXIT_UNHEALTHY);
		free(path);
	}
}

/* The same triggers written in another case, spacing and layout are not "altered". */
static void test_trigger_text_normalised(void)
{
	char *path = make_journal(3);
	sqlite3 *db = raw_open(path);

	raw_exec(db, "DROP TRIGGER events_no_update; DROP TRIGGER meta_no_replace;"
	             "create trigger events_no_update\n\tbefore update on EVENTS\n"
	             "begin\n    select raise ( abort , 'journal is append-only' ) ;\nend;"
	             "Create Trigger meta_no_replace Before Insert On meta When Exists"
	             "(Select 1 From meta Where key=new.key) -- no replace\n"
	             "Begin Select Raise(Abort,'journal is append-only');End");
	sqlite3_close(db);
	CHECK_INT(verify_path(path, NULL).ok, ==, 1);
	CHECK_STR(verify_path(path, NULL).reason, "");
	/* but not the message of the RAISE: string literals keep their case */
	db = raw_open(path);
	raw_exec(db, "DROP TRIGGER events_no_update; create trigger events_no_update before "
	             "update on events begin select raise(abort, 'Journal is append-only'); "
	             "end");
	sqlite3_close(db);
	CHECK_STR(verify_path(path, NULL).reason,
	          "trigger 'events_no_update' has been altered");
	free(path);
}

/* The event of docs/journal-format.md's worked example; prev is 32 zero bytes. data is
 * hashed as journal_append hashes it: strlen bytes, no terminator. */
static struct chain_row vector_row(const unsigned char *prev)
{
	static const char data[] = "{\"title\":\"API down\",\"severity\":\"P1\"}";
	struct chain_row r = {
	        .seq = 1,
	        .id = {"0f8e2c1a-7b3d-4e59-9a61-2c4d8e0b7f13", 36},
	        .incident = {"5d3c9b2e-1f4a-4c87-b6e0-9a2f7d1c3e58", 36},
	        .ts = {"2026-12-04T15:03:12.123Z", 24},
	        .mono_ns = 81234567890123LL,
	        .operator= {"alice@bastion", 13},
	        .os_user = {"alice", 5},
	        .host = {"bastion", 7},
	        .pid = 4242,
	        .flow = {"api_down", 8},
	        .state = {"", 0},
	        .kind = {"incident.opened", 15},
	        .data = {data, strlen(data)},
	        .prev_hash = prev,
	};

	return r;
}

#define VECTOR_KEY "0123456789abcdef"
#define VECTOR_LEN 304
#define VECTOR_SHA256 "80b4b40e9cccf3f5c7f123a06b677ac6d64aaa95d8a5faf1ab2f9835498e9d56"
#define VECTOR_HMAC "0a9e876126babd6b994776d160407740e597562c7db0aed7c36df87feaa0a1dc"
#define VECTOR_KEY_CHECK "8e4b38f4b667f90540c06598b43c9d1b63a1803f50aa4b3d1f3f728d877f20e3"

/* The worked example: the encoding must never drift. */
static void test_chain_vector(void)
{
	unsigned char prev[32] = {0}, h[32], enc[512];
	struct chain_row r = vector_row(prev);
	char hex[65];
	struct chain ch;

	CHECK_INT(r.data.n, ==, 36);
	CHECK_INT(chain_encode(&r, NULL, 0), ==, VECTOR_LEN);
	CHECK_INT(chain_encode(&r, enc, sizeof(enc)), ==, VECTOR_LEN);
	/* the data field: length 0x24, the 36 bytes, then prev_hash */
	CHECK(memcmp(enc + VECTOR_LEN - 32 - 36 - 4, "\0\0\0\x24{\"title\"", 12) == 0);
	CHECK(memcmp(enc + VECTOR_LEN - 32 - 2, "\"}", 2) == 0);
	CHECK_INT(chain_init(&ch, NULL, 0), ==, 0);
	CHECK_INT(chain_hash(&ch, &r, h), ==, 0);
	hex_encode(h, 32, hex);
	CHECK_STR(hex, VECTOR_SHA256);
	chain_release(&ch);
	CHECK_INT(chain_init(&ch, (const unsigned char *)VECTOR_KEY, 16), ==, 0);
	CHECK_INT(chain_hash(&ch, &r, h), ==, 0);
	hex_encode(h, 32, hex);
	CHECK_STR(hex, VECTOR_HMAC);
	CHECK_INT(chain_key_check(&ch, h), ==, 0);
	hex_encode(h, 32, hex);
	CHECK_STR(hex, VECTOR_KEY_CHECK);
	chain_release(&ch);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The 64 hex digits after "= " on a line of the doc, or "". */
static void doc_hash(const char *line, char out[65])
{
	const char *p = strstr(line, "= ");

	out[0] = '\0';
	if (p != NULL && strlen(p + 2) >= 64)
		snprintf(out, 65, "%.64s", p + 2);
}

/*
 * docs/journal-format.md's worked example is what the code computes: its hex dump byte
 * for byte, its size and its three hashes. Run from the repository root (tests/run.sh).
 */
static void test_doc_vector(void)
{
	unsigned char prev[32] = {0}, h[32], enc[512], doc[512];
	struct chain_row r = vector_row(prev);
	char line[256], sha[65] = "", mac[65] = "", check[65] = "", hex[65], num[16] = "";
	FILE *f = fopen("docs/journal-format.md", "r");
	int section = 0, fences = 0;
	size_t n = 0;
	long size = -1;
	struct chain ch;

	if (f == NULL)
		TEST_FAIL_AT("docs/journal-format.md: %s", strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *p;

		if (strncmp(line, "### Worked example", 18) == 0) {
			section = 1;
			continue;
		}
		if (!section)
			continue;
		if (strncmp(line, "## ", 3) == 0)
			break;
		if (strncmp(line, "```", 3) == 0) {
			fences++;
			continue;
		}
		p = strstr(line, "`canonical` is ");
		if (p != NULL) {
			p += 15;
			for (size_t i = 0; p[i] >= '0' && p[i] <= '9' && i + 1 < sizeof(num);
			     i++)
				num[i] = p[i];
			CHECK_INT(parse_long(num, 0, 100000, &size), ==, 0);
		}
		/* the dump: up to 16 pairs a line, then three spaces and a comment */
		for (p = line; fences == 1 && hexval(p[0]) >= 0 && hexval(p[1]) >= 0; p += 3) {
			CHECK(n < sizeof(doc));
			doc[n++] = (unsigned char)(hexval(p[0]) * 16 + hexval(p[1]));
			if (p[2] != ' ')
				break;
		}
		if (fences == 3 && strncmp(line, "SHA-256(", 8) == 0)
			doc_hash(line, sha);
		if (fences == 3 && strncmp(line, "HMAC-SHA256(", 12) == 0)
			doc_hash(line, mac);
		if (fences == 3 && strncmp(line, "key_check", 9) == 0)
			doc_hash(line, check);
	}
	fclose(f);
	CHECK_INT(size, ==, VECTOR_LEN);
	CHECK_INT(n, ==, VECTOR_LEN);
	CHECK_INT(chain_encode(&r, enc, sizeof(enc)), ==, VECTOR_LEN);
	for (size_t i = 0; i < n; i++) {
		if (doc[i] != enc[i])
			TEST_FAIL_AT("dump byte %zu: %02x, the encoding has %02x", i, doc[i],
			             enc[i]);
	}
	CHECK_INT(chain_init(&ch, NULL, 0), ==, 0);
	CHECK_INT(chain_hash(&ch, &r, h), ==, 0);
	hex_encode(h, 32, hex);
	CHECK_STR(sha, hex);
	chain_release(&ch);
	CHECK_INT(chain_init(&ch, (const unsigned char *)VECTOR_KEY, 16), ==, 0);
	CHECK_INT(chain_hash(&ch, &r, h), ==, 0);
	hex_encode(h, 32, hex);
	CHECK_STR(mac, hex);
	CHECK_INT(chain_key_check(&ch, h), ==, 0);
	hex_encode(h, 32, hex);
	CHECK_STR(check, hex);
	chain_release(&ch);
}

TEST_LIST = {
        {"weakened_triggers", test_weakened_triggers},
        {"trigger_text_normalised", test_trigger_text_normalised},
        {"every_trigger_required", test_every_trigger_required},
        {"chain_vector", test_chain_vector},
        {"doc_vector", test_doc_vector},
        {NULL, NULL},
};
