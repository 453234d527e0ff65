/* config.h - runbook.json: loading, env: references, validation. */
#ifndef RUNBOOK_CONFIG_H
#define RUNBOOK_CONFIG_H

#include <cjson/cJSON.h>
#include <stddef.h>

struct config;

/*
 * Load the configuration. `path` NULL means: $RUNBOOK_CONFIG, else ./runbook.json,
 * else ~/.config/runbook/config.json; when none of those exists an empty
 * configuration is returned (every section missing). An explicitly named path
 * (argument or $RUNBOOK_CONFIG) that does not exist is an error.
 * Every `env:NAME` value is resolved now; its value (when set) and any URL password
 * are registered with redact_add_secret(). Validation checks the type of every
 * known key; a literal secret in a file readable by group or others is refused.
 * Returns 0 and *out (free with config_free), or -1 with a one-line message in err
 * naming the file, the key and what is expected (the caller exits 6).
 */
int config_load(const char *path, struct config **out, char *err, size_t errlen);

/* Same, from a JSON text (for tests); `name` is used in messages; no mode check. */
int config_parse(const char *name, const char *text, struct config **out, char *err,
                 size_t errlen);

void config_free(struct config *c);

/* The file that was loaded, or NULL when no file exists. Borrowed. */
const char *config_file(const struct config *c);

/* Non-zero when the top-level section ("api", "database", ...) is present. */
int config_has(const struct config *c, const char *section);

/*
 * The string at a dotted key ("api.url"), with env: resolved; NULL when the key is
 * absent, null, or an env: reference whose variable is unset. Borrowed.
 */
const char *config_str(const struct config *c, const char *key);

/* Like config_str, with a default for a missing key. */
const char *config_str_or(const struct config *c, const char *key, const char *def);

/* The number at a dotted key, or def when absent. */
double config_num(const struct config *c, const char *key, double def);

/* The raw JSON node at a dotted key (arrays such as certs.hosts), or NULL. Borrowed. */
const cJSON *config_node(const struct config *c, const char *key);

/*
 * Why config_str(key) is NULL, for messages: "'database.url' is not set" or
 * "'database.url' names $DATABASE_URL, which is not set". Returns a static/borrowed
 * string valid until the next call.
 */
const char *config_why_missing(const struct config *c, const char *key);

/* config_why_missing for the first of keys (NULL-terminated) that config_str cannot
 * give, or NULL when every one is set. */
const char *config_first_missing(const struct config *c, const char *const *keys);

/*
 * The variable name when the key is an env: reference ("DATABASE_URL"), else NULL.
 * Borrowed.
 */
const char *config_env_name(const struct config *c, const char *key);

#endif
