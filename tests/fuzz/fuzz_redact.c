/*
 * fuzz_redact.c - libFuzzer target: the redactor (redact_text, redact_json). Beyond
 * "no crash", a property: a registered secret never survives in the output.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"
#include "util.h"

static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/* One input: byte 0 gives the secret's length (4..19), the next bytes its letters (a
 * token-like secret), the rest is the text. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char secret[24];
	size_t n;
	char *text, *out;
	cJSON *doc;

	if (size < 1)
		return 0;
	n = 4 + data[0] % 16;
	if (size < 1 + n)
		return 0;
	for (size_t i = 0; i < n; i++)
		secret[i] = alnum[data[1 + i] % (sizeof(alnum) - 1)];
	secret[n] = '\0';
	text = xstrndup((const char *)data + 1 + n, size - 1 - n);
	redact_add_secret(secret);
	out = redact_text(text);
	if (out == NULL || strstr(out, secret) != NULL)
		__builtin_trap(); /* the secret got through */
	free(out);
	doc = cJSON_Parse(text);
	if (doc != NULL) {
		char *printed;

		redact_json(doc);
		printed = cJSON_PrintUnformatted(doc);
		/* the JSON printer may escape a secret's neighbours, never its letters */
		if (printed != NULL && strstr(printed, secret) != NULL)
			__builtin_trap();
		free(printed);
		cJSON_Delete(doc);
	}
	redact_reset();
	free(text);
	return 0;
}
