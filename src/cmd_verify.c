/* cmd_verify.c - `runbook verify [--head HASH]`: integrity and hash-chain replay. */
#include "cli.h"

#include "journal.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

int cmd_verify(struct cli *c, int argc, char **argv)
{
	const char *head = NULL;
	struct opt opts[] = {{"--head", OPT_STR, &head}, {NULL, OPT_FLAG, NULL}};
	struct strlist pos = {NULL, 0};
	unsigned char want[JOURNAL_HASH_LEN];
	char hex[2 * JOURNAL_HASH_LEN + 1];
	struct jverify v;
	int rc;

	rc = cli_parse(c, argc, argv, opts, &pos, 0, 0, "verify [--head HASH]");
	strlist_release(&pos);
	if (rc != 0)
		return rc;
	if (head != NULL && hex_decode(head, want, sizeof(want)) != JOURNAL_HASH_LEN)
		return cli_error(EXIT_USAGE, "--head '%s' is not a 64-digit hex hash", head);
	if (journal_verify(c->j, head ? want : NULL, &v) < 0)
		return cli_error(EXIT_JOURNAL, "%s", journal_errmsg(c->j));
	hex_encode(v.head_hash, JOURNAL_HASH_LEN, hex);
	if (c->json) {
		cJSON *doc = cJSON_CreateObject();
		cJSON *h;

		cJSON_AddBoolToObject(doc, "ok", v.ok);
		cJSON_AddNumberToObject(doc, "events", (double)v.events);
		if (!v.ok) {
			cJSON_AddNumberToObject(doc, "first_bad_seq", (double)v.first_bad_seq);
			cJSON_AddStringToObject(doc, "reason", v.reason);
		}
		h = cJSON_AddObjectToObject(doc, "head");
		cJSON_AddNumberToObject(h, "seq", (double)v.head_seq);
		cJSON_AddStringToObject(h, "hash", hex);
		if (v.head_checked)
			cJSON_AddBoolToObject(doc, "head_found", v.head_found);
		cJSON_AddBoolToObject(doc, "keyed", journal_keyed(c->j));
		cli_print_json(doc);
	} else if (v.ok) {
		printf("journal ok: %lld events, chain intact%s%s\nhead: seq %lld %s\n",
		       v.events, journal_keyed(c->j) ? " (HMAC-SHA256)" : " (SHA-256)",
		       v.head_checked ? ", --head found in the chain" : "", v.head_seq, hex);
	} else {
		if (v.first_bad_seq > 0)
			fprintf(stderr, "runbook: journal broken at seq %lld: %s\n",
			        v.first_bad_seq, v.reason);
		else
			fprintf(stderr, "runbook: journal broken: %s\n", v.reason);
	}
	return v.ok ? EXIT_OK : EXIT_UNHEALTHY;
}
