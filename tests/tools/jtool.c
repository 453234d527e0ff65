/*
 * jtool.c - the journal driven by the reliability tests (tests/integration/reliability_*).
 *
 *   jtool append PATH COUNT [--sync normal] [--pad BYTES]
 *       append COUNT events (0: until killed) through journal_append; after each
 *       commit, print its seq on stdout (one write(2) per line: nothing buffered)
 *   jtool reader PATH SECONDS HOLD_MS [STOPFILE]
 *       hold read transactions of HOLD_MS each, back to back, for SECONDS or until
 *       STOPFILE exists; prints "reader: N transactions, M errors"
 *   jtool check PATH SEQFILE
 *       journal_verify, then every seq listed in SEQFILE (complete lines only) must be
 *       in the journal; exit 0, 1 (a seq missing) or 5 (verify failed)
 *   jtool sql PATH SQL...
 *       run each statement on the journal's own connection (journal_open: defensive
 *       mode and all); print "allowed: SQL" or "refused: SQL: message" per statement
 *   jtool sync PATH
 *       print PRAGMA synchronous as the journal's connection reads it
 *
 * It reaches the connection through journal_int.h, the journal's internal header:
 * nothing of this is in journal.h. Exit 4 when the journal cannot be opened.
 */
#include "journal_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define INCIDENT "7e1c0a52-3f1d-4c8e-9b2a-5d6f7e8a9b0c"

static int usage(void)
{
	fprintf(stderr, "usage: jtool append|reader|check|sql|sync PATH ...\n");
	return 2;
}

static struct journal *open_or_die(const char *path)
{
	struct journal *j = NULL;
	char err[1024];

	if (journal_open(path, &j, err, sizeof(err)) != 0) {
		fprintf(stderr, "jtool: %s\n", err);
		exit(4);
	}
	return j;
}

static void say(const char *fmt, long long v)
{
	char line[64];
	int n = snprintf(line, sizeof(line), fmt, v);

	if (n > 0 && write(1, line, (size_t)n) != n)
		exit(1);
}

static int cmd_append(int argc, char **argv)
{
	const char *path = argv[0];
	long count = 0, pad = 16;
	int normal = 0;
	struct journal *j;
	struct jevent ev;
	char *data, *fill;

	if (argc < 2 || parse_long(argv[1], 0, 100000000, &count) != 0)
		return usage();
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--sync") == 0 && i + 1 < argc &&
		    strcmp(argv[i + 1], "normal") == 0) {
			normal = 1;
			i++;
		} else if (strcmp(argv[i], "--pad") == 0 && i + 1 < argc &&
		           parse_long(argv[i + 1], 0, 1 << 20, &pad) == 0) {
			i++;
		} else {
			return usage();
		}
	}
	j = open_or_die(path);
	if (normal &&
	    sqlite3_exec(j->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "jtool: cannot set synchronous\n");
		return 1;
	}
	fill = xmalloc((size_t)pad + 1);
	memset(fill, 'x', (size_t)pad);
	fill[pad] = '\0';
	for (long i = 0; count == 0 || i < count; i++) {
		data = xasprintf("{\"i\": %ld, \"pid\": %ld, \"pad\": \"%s\"}", i,
		                 (long)getpid(), fill);
		if (journal_append(j, INCIDENT, "reliability", "append", "note", data, &ev) !=
		    0) {
			fprintf(stderr, "jtool: %s\n", journal_errmsg(j));
			free(data);
			free(fill);
			journal_close(j);
			return 4;
		}
		free(data);
		say("%lld\n", ev.seq);
	}
	free(fill);
	journal_close(j);
	return 0;
}

static int cmd_reader(int argc, char **argv)
{
	long secs, hold, txns = 0, errors = 0;
	sqlite3 *db = NULL;
	int64_t end;

	if (argc < 3 || parse_long(argv[1], 0, 3600, &secs) != 0 ||
	    parse_long(argv[2], 0, 60000, &hold) != 0)
		return usage();
	if (sqlite3_open_v2(argv[0], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "jtool: reader: %s\n", sqlite3_errmsg(db));
		sqlite3_close(db);
		return 4;
	}
	sqlite3_busy_timeout(db, 5000);
	end = clock_mono_ns() + secs * 1000000000LL;
	while (clock_mono_ns() < end && (argc < 4 || access(argv[3], F_OK) != 0)) {
		sqlite3_stmt *st = NULL;
		int ok = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK &&
		         sqlite3_prepare_v2(db, "SELECT count(*), max(seq) FROM events", -1,
		                            &st, NULL) == SQLITE_OK &&
		         sqlite3_step(st) == SQLITE_ROW;

		sqlite3_finalize(st);
		sleep_ms(hold, NULL); /* the snapshot stays open meanwhile */
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			ok = 0;
		if (!ok) {
			fprintf(stderr, "jtool: reader: %s\n", sqlite3_errmsg(db));
			errors++;
		}
		txns++;
	}
	sqlite3_close(db);
	printf("reader: %ld transactions, %ld errors\n", txns, errors);
	return errors ? 1 : 0;
}

struct seen {
	unsigned char *bits;
	long long max;
};

static int mark_seen(const struct jevent *ev, void *ctx)
{
	struct seen *s = ctx;

	if (ev->seq > 0 && ev->seq <= s->max)
		s->bits[ev->seq / 8] |= (unsigned char)(1u << (ev->seq % 8));
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	struct journal *j;
	struct jverify v;
	struct seen s = {NULL, 0};
	long reported = 0, missing = 0;
	char line[64];
	FILE *fp;
	int rc = 0;

	if (argc < 2)
		return usage();
	j = open_or_die(argv[0]);
	if (journal_verify(j, NULL, &v) != 0 || !v.ok) {
		printf("verify failed: %s\n", v.reason);
		journal_close(j);
		return 5;
	}
	s.max = v.head_seq;
	s.bits = xcalloc((size_t)(s.max / 8 + 1), 1);
	if (journal_events(j, NULL, 0, mark_seen, &s) != 0) {
		printf("cannot read: %s\n", journal_errmsg(j));
		rc = 4;
		goto out;
	}
	fp = fopen(argv[1], "r");
	if (fp == NULL) {
		printf("cannot read %s\n", argv[1]);
		rc = 2;
		goto out;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t n = strlen(line);
		long seq;

		if (n == 0 || line[n - 1] != '\n')
			break; /* cut by the kill: never reported */
		line[n - 1] = '\0';
		if (parse_long(line, 1, 1L << 40, &seq) != 0) {
			printf("bad line '%s'\n", line);
			rc = 2;
			break;
		}
		reported++;
		if (seq > s.max || !(s.bits[seq / 8] & (1u << (seq % 8)))) {
			if (missing++ < 5)
				printf("MISSING seq %ld (acknowledged, not in the journal)\n",
				       seq);
			rc = 1;
		}
	}
	fclose(fp);
	printf("%s: %lld events, %ld acknowledged, %ld missing\n", rc ? "FAILED" : "ok",
	       v.events, reported, missing);
out:
	free(s.bits);
	journal_close(j);
	return rc;
}

static int cmd_sql(int argc, char **argv)
{
	struct journal *j;
	int allowed = 0;

	if (argc < 2)
		return usage();
	j = open_or_die(argv[0]);
	for (int i = 1; i < argc; i++) {
		char *err = NULL;

		if (sqlite3_exec(j->db, argv[i], NULL, NULL, &err) == SQLITE_OK) {
			printf("allowed: %s\n", argv[i]);
			allowed++;
		} else {
			printf("refused: %s: %s\n", argv[i], err != NULL ? err : "?");
		}
		sqlite3_free(err);
	}
	journal_close(j);
	return allowed ? 1 : 0;
}

static int cmd_sync(int argc, char **argv)
{
	struct journal *j;
	sqlite3_stmt *st = NULL;

	if (argc < 1)
		return usage();
	j = open_or_die(argv[0]);
	if (sqlite3_prepare_v2(j->db, "PRAGMA synchronous", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		printf("synchronous=%d\n", sqlite3_column_int(st, 0));
	sqlite3_finalize(st);
	journal_close(j);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	if (strcmp(argv[1], "append") == 0)
		return cmd_append(argc - 2, argv + 2);
	if (strcmp(argv[1], "reader") == 0)
		return cmd_reader(argc - 2, argv + 2);
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 2, argv + 2);
	if (strcmp(argv[1], "sql") == 0)
		return cmd_sql(argc - 2, argv + 2);
	if (strcmp(argv[1], "sync") == 0)
		return cmd_sync(argc - 2, argv + 2);
	return usage();
}
