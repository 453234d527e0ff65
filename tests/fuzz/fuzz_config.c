/* fuzz_config.c - libFuzzer target: runbook.json as config_parse reads it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "redact.h"
#include "util.h"

static const char *const keys[] = {"api.url",
                                   "database.url",
                                   "storage.secret_access_key",
                                   "email.smtp_url",
                                   "errors.token",
                                   "alerts.webhook_url",
                                   "commands.restart",
                                   "timing.nope",
                                   "api",
                                   "",
                                   ".",
                                   "a..b"};

/* One input: parse, read a few keys back, free; nothing may crash or leak. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct config *c = NULL;
	char err[512];

	if (config_parse("fuzz.json", text, &c, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			(void)config_str(c, keys[i]);
			(void)config_num(c, keys[i], 1.0);
			(void)config_node(c, keys[i]);
			(void)config_why_missing(c, keys[i]);
			(void)config_env_name(c, keys[i]);
			(void)config_has(c, keys[i]);
		}
		config_free(c);
	}
	redact_reset(); /* config_parse registers the secrets it finds */
	free(text);
	return 0;
}
