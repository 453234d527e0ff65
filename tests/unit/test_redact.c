/* test_redact.c - the redaction rules, the secret registry and its encodings. */
#include "redact.h"
#include "test.h"
#include "util.h"

#include <ctype.h>
#include <time.h>

/* redact_text(in) must equal want. */
static void expect(const char *in, const char *want)
{
	char *r = redact_text(in);

	CHECK_STR(r, want);
	free(r);
}

/* redact_text(in) must not contain leak. */
static void expect_hidden(const char *in, const char *leak)
{
	char *r = redact_text(in);

	CHECK(r != NULL);
	CHECK_NOT_CONTAINS(r, leak);
	CHECK_CONTAINS(r, REDACTED);
	free(r);
}

/* Plain base64 (standard or url-safe alphabet), with padding; caller frees. */
static char *b64(const unsigned char *in, size_t n, int url)
{
	const char *a =
	        url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	            : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = xmalloc(4 * (n / 3 + 1) + 1);
	size_t o = 0, i;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];

		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = a[(v >> 6) & 63];
		out[o++] = a[v & 63];
	}
	if (n - i == 1) {
		unsigned v = (unsigned)in[i] << 16;

		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;

		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = a[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

/* ---- registered secrets ---- */

static void test_secret_plain(void)
{
	redact_add_secret("hunter2-very-secret");
	expect("login with hunter2-very-secret now", "login with [REDACTED] now");
	expect("twice: hunter2-very-secrethunter2-very-secret.", "twice: [REDACTED].");
	expect("nothing here", "nothing here");
	redact_reset();
}

static void test_secret_short_ignored(void)
{
	redact_add_secret("abc");
	redact_add_secret("");
	redact_add_secret(NULL);
	expect("abc abc", "abc abc");
	redact_add_secret("abcd");
	expect("abcd", "[REDACTED]");
	redact_reset();
}

static void test_secret_reset(void)
{
	redact_add_secret("s3cr3t-token-value");
	expect("s3cr3t-token-value", "[REDACTED]");
	redact_reset();
	expect("s3cr3t-token-value", "s3cr3t-token-value");
}

static void test_secret_null(void)
{
	CHECK(redact_text(NULL) == NULL);
	expect("", "");
}

static void test_secret_json_escaped(void)
{
	redact_add_secret("pa\"ss\\wo/rd\n42");
	expect_hidden("{\"v\":\"pa\\\"ss\\\\wo/rd\\n42\"}", "ss\\\\wo");
	expect_hidden("{\"v\":\"pa\\\"ss\\\\wo\\/rd\\n42\"}", "wo\\/rd");
	redact_reset();
}

static void test_secret_percent(void)
{
	redact_add_secret("p@ss word/ä&1");
	/* uppercase, lowercase, with '/' kept, and '+' for space (forms) */
	expect_hidden("x=p%40ss%20word%2F%C3%A4%261 y", "%40ss");
	expect_hidden("x=p%40ss%20word%2f%c3%a4%261 y", "%40ss");
	expect_hidden("x=p%40ss%20word/%C3%A4%261 y", "%40ss");
	expect_hidden("x=p%40ss+word%2F%C3%A4%261 y", "%40ss");
	redact_reset();
}

static void test_secret_hex(void)
{
	const char *s = "Correct-Horse-9";
	char hex[64], up[64];

	redact_add_secret(s);
	hex_encode((const unsigned char *)s, strlen(s), hex);
	for (size_t i = 0; i <= strlen(hex); i++)
		up[i] = (char)toupper((unsigned char)hex[i]);
	char *t1 = xasprintf("dump %s end", hex);
	char *t2 = xasprintf("dump %s end", up);
	expect(t1, "dump [REDACTED] end");
	expect(t2, "dump [REDACTED] end");
	free(t1);
	free(t2);
	redact_reset();
}

/* The secret inside a base64 blob at each of the three alignments, both alphabets. */
static void test_secret_base64(void)
{
	const char *s = "xK9?>~zz-Tr0ub4dor&3";
	unsigned char in[128];

	redact_add_secret(s);
	for (size_t off = 0; off < 3; off++) {
		for (int url = 0; url < 2; url++) {
			size_t n = 0;
			char *enc, *plain_core;

			for (size_t i = 0; i < off; i++)
				in[n++] = (unsigned char)('A' + i);
			memcpy(in + n, s, strlen(s));
			n += strlen(s);
			memcpy(in + n, "tail", 4);
			n += 4;
			enc = b64(in, n, url);
			/* the middle of the encoding is pure secret: it must be gone */
			plain_core = xstrndup(enc + 4, 12);
			expect_hidden(enc, plain_core);
			free(plain_core);
			free(enc);
		}
	}
	/* "user:secret" as in HTTP Basic */
	{
		char *t = xasprintf("user:%s", s);
		char *enc = b64((const unsigned char *)t, strlen(t), 0);
		char *line = xasprintf("auth=%s;", enc);
		char *r = redact_text(line);

		CHECK_CONTAINS(r, REDACTED);
		CHECK_NOT_CONTAINS(r, enc + 8);
		free(r);
		free(line);
		free(enc);
		free(t);
	}
	redact_reset();
}

static void test_secret_base64_short(void)
{
	/* a 4-byte secret: its base64 cores are short; the plain form is still caught */
	redact_add_secret("Zq7!");
	expect("a Zq7! b", "a [REDACTED] b");
	redact_reset();
}

/* ---- pattern rules ---- */

static void test_url_userinfo(void)
{
	expect("postgresql://app:s3cret@db.internal:5432/bilko",
	       "postgresql://app:[REDACTED]@db.internal:5432/bilko");
	expect("https://user:p%40ss@host/x?y=1", "https://user:[REDACTED]@host/x?y=1");
	expect("redis://:pw123@cache:6379", "redis://:[REDACTED]@cache:6379");
	expect("smtp://u:p@ss@mail:587 next", "smtp://u:[REDACTED]@mail:587 next");
	/* negatives: no password, a port, an e-mail in the path */
	expect("https://user@host/x", "https://user@host/x");
	expect("https://host:8443/a/b@c", "https://host:8443/a/b@c");
	expect("see http://example.com, mail ops@bilko.io",
	       "see http://example.com, mail ops@bilko.io");
}

static void test_conninfo(void)
{
	expect("host=db port=5432 password=xyz dbname=bilko",
	       "host=db port=5432 password=[REDACTED] dbname=bilko");
	expect("host=db password='a b\\' c' user=u", "host=db password='[REDACTED]' user=u");
	expect("host=db password = \"q w\" user=u", "host=db password = \"[REDACTED]\" user=u");
	expect("PGPASSWORD=hunter22 psql -h db", "PGPASSWORD=[REDACTED] psql -h db");
	expect("AWS_SECRET_ACCESS_KEY=abc/def+g railway up",
	       "AWS_SECRET_ACCESS_KEY=[REDACTED] railway up");
	/* negatives */
	expect("if password == expected", "if password == expected");
	expect("host=db user=app dbname=bilko", "host=db user=app dbname=bilko");
	expect("keyboard=qwerty", "keyboard=qwerty");
	/* documented: names ending in "key" count, so monkey=1 is redacted */
	expect("monkey=1", "monkey=[REDACTED]");
}

static void test_headers(void)
{
	expect("Authorization: Bearer abc.def\nHost: x", "Authorization: [REDACTED]\nHost: x");
	expect("authorization:Basic dXNlcjpwYXNz\r\nAccept: */*",
	       "authorization:[REDACTED]\r\nAccept: */*");
	expect("Proxy-Authorization: Digest u=1, r=2\n", "Proxy-Authorization: [REDACTED]\n");
	expect("X-Api-Key: k-123\nok", "X-Api-Key: [REDACTED]\nok");
	expect("Cookie: sid=abc; theme=dark", "Cookie: [REDACTED]");
	expect("Set-Cookie: sid=abc; Path=/; HttpOnly\nnext", "Set-Cookie: [REDACTED]\nnext");
	/* quoted on a command line: stop at the closing quote */
	expect("curl -H 'Authorization: token xyz' https://api/x",
	       "curl -H 'Authorization: [REDACTED]' https://api/x");
	expect("curl -H \"X-Api-Key: abc\" -d @f", "curl -H \"X-Api-Key: [REDACTED]\" -d @f");
	/* escaped newlines inside a JSON string */
	expect("\"Cookie: a=1\\nHost: b\"", "\"Cookie: [REDACTED]\\nHost: b\"");
	/* negatives */
	expect("the cookie jar, the authorization step",
	       "the cookie jar, the authorization step");
	expect("MyCookie: 1", "MyCookie: 1");
}

static void test_bearer_basic(void)
{
	expect("token is Bearer eyJhbGciOi.x-y_z ok", "token is Bearer [REDACTED] ok");
	expect("{\"auth\": \"Bearer abc\"}", "{\"auth\": \"Bearer [REDACTED]\"}");
	expect("use basic dXNlcjpwYXNzd29yZA== there", "use basic [REDACTED] there");
	/* prose is left alone */
	expect("Basic troubleshooting first", "Basic troubleshooting first");
	expect("the bearer of bad news", "the bearer of bad news");
	expect("basic auth", "basic auth");
}

static void test_query(void)
{
	expect("GET /x?api_key=abc&x=1", "GET /x?api_key=[REDACTED]&x=1");
	expect("https://s3/b/o?X-Amz-Signature=deadbeef&X-Amz-Credential=AK/1",
	       "https://s3/b/o?X-Amz-Signature=[REDACTED]&X-Amz-Credential=AK/1");
	expect("/cb#access_token=t0k&state=1", "/cb#access_token=[REDACTED]&state=1");
	expect("?a=1&Secret=zz&PASSWD=p&sig=s&b=2",
	       "?a=1&Secret=[REDACTED]&PASSWD=[REDACTED]&sig=[REDACTED]&b=2");
	expect("'https://h/x?token=abc' next", "'https://h/x?token=[REDACTED]' next");
	/* negatives */
	expect("?page=2&sort=name&q=keyboard", "?page=2&sort=name&q=keyboard");
	expect("?token=&x=1", "?token=&x=1");
}

static void test_sql_password(void)
{
	expect("ALTER ROLE app PaSsWoRd /* x */ 'hunter2'",
	       "ALTER ROLE app PaSsWoRd /* x */ '[REDACTED]'");
	expect("CREATE USER u WITH PASSWORD 'it''s' LOGIN;",
	       "CREATE USER u WITH PASSWORD '[REDACTED]' LOGIN;");
	expect("ALTER ROLE a PASSWORD -- why\n  /* c1 */ /* c2 */\t'x'",
	       "ALTER ROLE a PASSWORD -- why\n  /* c1 */ /* c2 */\t'[REDACTED]'");
	expect("ALTER ROLE a PASSWORD $$se'cr$et$$;", "ALTER ROLE a PASSWORD '[REDACTED]';");
	expect("ALTER ROLE a PASSWORD $pw$ a $$ b $pw$ VALID UNTIL 'infinity'",
	       "ALTER ROLE a PASSWORD '[REDACTED]' VALID UNTIL 'infinity'");
	expect("alter role a encrypted password E'a\\'b';",
	       "alter role a encrypted password E'[REDACTED]';");
	/* the same SQL inside a JSON string (a note, a journaled command): whitespace as
	 * JSON escapes, SQL's backslash as "\\" */
	expect("{\"text\":\"ALTER ROLE app PASSWORD\\n'nl-secret-1'\"}",
	       "{\"text\":\"ALTER ROLE app PASSWORD\\n'[REDACTED]'\"}");
	expect("{\"text\":\"ALTER ROLE app PASSWORD\\t\\r\\n 'tab-secret'\"}",
	       "{\"text\":\"ALTER ROLE app PASSWORD\\t\\r\\n '[REDACTED]'\"}");
	expect("{\"text\":\"ALTER ROLE a PASSWORD E'esc\\\\'secret' LOGIN\"}",
	       "{\"text\":\"ALTER ROLE a PASSWORD E'[REDACTED]' LOGIN\"}");
	expect("{\"text\":\"ALTER ROLE a PASSWORD E'a\\\\\\\\' LOGIN\"}",
	       "{\"text\":\"ALTER ROLE a PASSWORD E'[REDACTED]' LOGIN\"}");
	/* unterminated: hide to the end */
	expect("ALTER ROLE a PASSWORD 'abc", "ALTER ROLE a PASSWORD '[REDACTED]");
	/* negatives */
	expect("ALTER ROLE a PASSWORD NULL", "ALTER ROLE a PASSWORD NULL");
	expect("reset the password now", "reset the password now");
	expect("passwords 'x'", "passwords 'x'");
	expect("SELECT 'hello' FROM t", "SELECT 'hello' FROM t");
}

static void test_json_pairs(void)
{
	expect("{\"password\": \"x\", \"user\": \"u\"}",
	       "{\"password\": \"[REDACTED]\", \"user\": \"u\"}");
	expect("{\"token\":\"a\\\"b\",\"n\":1}", "{\"token\":\"[REDACTED]\",\"n\":1}");
	expect("{\"secret\" : \"s\", \"api_key\": \"k\"}",
	       "{\"secret\" : \"[REDACTED]\", \"api_key\": \"[REDACTED]\"}");
	expect("{\"db_password\": \"x\"}", "{\"db_password\": \"[REDACTED]\"}");
	/* JSON inside a JSON string */
	expect("{\"detail\":\"{\\\"token\\\": \\\"abc\\\"}\"}",
	       "{\"detail\":\"{\\\"token\\\": \\\"[REDACTED]\\\"}\"}");
	/* negatives: other keys, non-string values, the word as a value */
	expect("{\"user\": \"password\", \"n\": \"token\"}",
	       "{\"user\": \"password\", \"n\": \"token\"}");
	expect("{\"token_count\": 5}", "{\"token_count\": 5}");
}

static void test_no_over_redaction(void)
{
	const char *prose = "Check the keyboard, the monkey and the signature block; "
	                    "the token bucket is full. Basic steps: restart the API.";

	expect(prose, prose);
	expect("step verify_db ok in 12 ms", "step verify_db ok in 12 ms");
}

static void test_json_tree(void)
{
	cJSON *root;
	char *out;

	redact_add_secret("zz-secret-42");
	root = cJSON_Parse(
	        "{\"a\":\"x zz-secret-42 y\",\"password\":\"plain\","
	        "\"list\":[\"postgresql://u:pw@h/db\",{\"deep\":[\"zz-secret-42\"]},7],"
	        "\"zz-secret-42\":1,\"n\":null,\"headers\":{\"Authorization\":\"abc\"},"
	        "\"client_secret\":\"cs\",\"ok\":\"fine\"}");
	CHECK(root != NULL);
	redact_json(root);
	out = cJSON_PrintUnformatted(root);
	CHECK_STR(
	        out,
	        "{\"a\":\"x [REDACTED] y\",\"password\":\"[REDACTED]\","
	        "\"list\":[\"postgresql://u:[REDACTED]@h/db\",{\"deep\":[\"[REDACTED]\"]},7],"
	        "\"zz-secret-42\":1,\"n\":null,\"headers\":{\"Authorization\":\"[REDACTED]\"},"
	        "\"client_secret\":\"[REDACTED]\",\"ok\":\"fine\"}");
	free(out);
	cJSON_Delete(root);
	redact_json(NULL);
	redact_reset();
}

static void test_json_tree_reference(void)
{
	cJSON *root = cJSON_CreateObject();
	char *out;

	/* a reference to read-only text must be replaced, not written to */
	cJSON_AddItemToObject(root, "h", cJSON_CreateStringReference("Bearer abc.def-123"));
	cJSON_AddItemToObject(root, "token", cJSON_CreateStringReference("t0ken"));
	redact_json(root);
	out = cJSON_PrintUnformatted(root);
	CHECK_STR(out, "{\"h\":\"Bearer [REDACTED]\",\"token\":\"[REDACTED]\"}");
	free(out);
	cJSON_Delete(root);
}

/* Keys that only name a secret keep their value; so do such assignments. */
static void test_benign_names(void)
{
	cJSON *root = cJSON_Parse("{\"secret_name\":\"JWT_SECRET\",\"token_fingerprint\":"
	                          "\"ab12cd34\",\"secret\":\"x\"}");
	char *out;

	redact_json(root);
	out = cJSON_PrintUnformatted(root);
	CHECK_STR(out, "{\"secret_name\":\"JWT_SECRET\",\"token_fingerprint\":\"ab12cd34\","
	               "\"secret\":\"[REDACTED]\"}");
	free(out);
	cJSON_Delete(root);
	expect("RUNBOOK_SECRET_NAME=JWT_SECRET RUNBOOK_SECRET_VALUE=v4lue",
	       "RUNBOOK_SECRET_NAME=JWT_SECRET RUNBOOK_SECRET_VALUE=[REDACTED]");
}

/*
 * The journal parses redact_text()'s output of a JSON document: every rule must keep
 * JSON valid, whatever the strings hold.
 */
static void test_json_stays_valid(void)
{
	static const char *const values[] = {
	        "sent Authorization: Bearer abc123 to the API",
	        "Cookie: a=\"1\"; b=2",
	        "x-api-key: k\\",
	        "ALTER ROLE a PASSWORD 'unterminated",
	        "ALTER ROLE a PASSWORD $x$ unterminated",
	        "ALTER ROLE a PASSWORD 'it\"s'",
	        "psql \"host=db password='p w' user=u\"",
	        "password=\"quoted\" next",
	        "password='a\\' b",
	        "{\"token\": \"inner\", \"password\": \"p\\\"q\"}",
	        "line1\nnsecret-value-1\tend",
	        "tail\\",
	        "https://u:p@h/x?token=abc\"&sig=1",
	        "Basic dXNlcjpwYXNz\u00e9",
	        "Bearer tok\u00e9n-123",
	        "redis://:pw\"x@h",
	        "secret-value-1\"",
	        "\"secret-value-1",
	};

	redact_add_secret("nsecret-value-1");
	redact_add_secret("secret-value-1");
	redact_add_secret("p\\\"q");
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		for (int pretty = 0; pretty < 2; pretty++) {
			cJSON *doc = cJSON_CreateObject();
			cJSON *arr = cJSON_AddArrayToObject(doc, "list");
			char *text, *red;
			cJSON *back;

			cJSON_AddStringToObject(doc, "detail", values[i]);
			cJSON_AddNumberToObject(doc, "n", 1);
			cJSON_AddItemToArray(arr, cJSON_CreateString(values[i]));
			cJSON_AddItemToArray(arr, cJSON_CreateString("after"));
			text = pretty ? cJSON_Print(doc) : cJSON_PrintUnformatted(doc);
			red = redact_text(text);
			back = cJSON_Parse(red);
			if (back == NULL)
				TEST_FAIL_AT("not JSON after redaction:\n%s\n->\n%s", text,
				             red);
			CHECK(cJSON_GetObjectItem(back, "n") != NULL);
			CHECK_NOT_CONTAINS(red, "secret-value-1");
			cJSON_Delete(back);
			free(red);
			free(text);
			cJSON_Delete(doc);
		}
	}
	redact_reset();
}

/* A match must not split an escape sequence ("\\[REDACTED]" is not JSON). */
static void test_escape_split(void)
{
	redact_add_secret("nsecret-zz");
	expect("{\"a\":\"x\\nsecret-zz\"}", "{\"a\":\"x[REDACTED]\"}");
	redact_reset();
	redact_add_secret("zz-ends-with\\");
	expect("{\"a\":\"zz-ends-with\\\\\"}", "{\"a\":\"[REDACTED]\"}");
	redact_reset();
	redact_add_secret("u00e9-secret");
	expect("{\"a\":\"\\u00e9-secret\"}", "{\"a\":\"[REDACTED]\"}");
	redact_reset();
}

/*
 * The keyword scan (ci_find) reads long texts in windows of 512 bytes with memchr:
 * a keyword is found at every offset around the window edges, in either case, after
 * padding full of its first letter in the other case (and in neither).
 */
static void test_keyword_offsets(void)
{
	static const char *const pads[] = {"x", "B", "b", "P", "aA"};
	static const size_t lens[] = {0,   1,   50,  63,  64,   65,   200,
	                              510, 511, 512, 513, 1023, 1024, 1500};

	for (size_t p = 0; p < sizeof(pads) / sizeof(pads[0]); p++) {
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			char *pad = xmalloc(lens[l] + 1);
			char *in, *want;

			for (size_t i = 0; i < lens[l]; i++)
				pad[i] = pads[p][i % strlen(pads[p])];
			pad[lens[l]] = '\0';
			in = xasprintf(
			        "%s Authorization: Bearer abc.def\nHost: x BEARER tok-9z "
			        "pAsSwOrD 'pw1' cOOKIE: k=v",
			        pad);
			want = xasprintf(
			        "%s Authorization: [REDACTED]\nHost: x BEARER [REDACTED] "
			        "pAsSwOrD '[REDACTED]' cOOKIE: [REDACTED]",
			        pad);
			expect(in, want);
			free(in);
			free(want);
			free(pad);
		}
	}
}

/* ---- performance sanity: no assertion on time, only that it completes ---- */

static char *repeat(const char *unit, size_t total)
{
	size_t ul = strlen(unit);
	char *s = xmalloc(total + 1);

	for (size_t i = 0; i < total; i++)
		s[i] = unit[i % ul];
	s[total] = '\0';
	return s;
}

static void run_big(const char *unit)
{
	char *in = repeat(unit, (size_t)1 << 20);
	struct timespec a, b;
	char *r;

	clock_gettime(CLOCK_MONOTONIC, &a);
	r = redact_text(in);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK(r != NULL);
	fprintf(stderr, "  1 MiB of \"%.12s...\": %.1f ms\n", unit,
	        (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6);
	free(r);
	free(in);
}

static void test_big_input(void)
{
	for (int i = 0; i < 50; i++) {
		char s[32];

		snprintf(s, sizeof(s), "secret-number-%02d-xyz", i);
		redact_add_secret(s);
	}
	run_big("log line: GET /x?api_key=abc&x=1 postgresql://u:p@h/db "
	        "secret-number-07-xyz\n");
	run_big("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	run_big("password password ");
	run_big("PASSWORD /* ");
	run_big("://a:");
	run_big("\"password\":\"");
	run_big("&key=&key=");
	run_big("Authorization: ");
	run_big("Bearer ");
	run_big("sesesesecret-number-0");
	run_big("{\"x\":\"Cookie: \\\"a");
	run_big("\"PASSWORD 'a\\");
	run_big("\"password=\\\"");
	run_big("\\\\secret-number-01-xyz");
	redact_reset();
}

TEST_LIST = {
        {"secret_plain", test_secret_plain},
        {"secret_short_ignored", test_secret_short_ignored},
        {"secret_reset", test_secret_reset},
        {"secret_null", test_secret_null},
        {"secret_json_escaped", test_secret_json_escaped},
        {"secret_percent", test_secret_percent},
        {"secret_hex", test_secret_hex},
        {"secret_base64", test_secret_base64},
        {"secret_base64_short", test_secret_base64_short},
        {"url_userinfo", test_url_userinfo},
        {"conninfo", test_conninfo},
        {"headers", test_headers},
        {"bearer_basic", test_bearer_basic},
        {"query", test_query},
        {"sql_password", test_sql_password},
        {"json_pairs", test_json_pairs},
        {"no_over_redaction", test_no_over_redaction},
        {"json_tree", test_json_tree},
        {"json_tree_reference", test_json_tree_reference},
        {"benign_names", test_benign_names},
        {"json_stays_valid", test_json_stays_valid},
        {"escape_split", test_escape_split},
        {"keyword_offsets", test_keyword_offsets},
        {"big_input", test_big_input},
        {NULL, NULL},
};
