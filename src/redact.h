/* redact.h - keep secrets out of the journal, the exports and the terminal. */
#ifndef RUNBOOK_REDACT_H
#define RUNBOOK_REDACT_H

#include <cjson/cJSON.h>

#define REDACTED "[REDACTED]"

/*
 * Register a secret value (copied). Every later redact_* call replaces it, wherever
 * it appears, by REDACTED. Values shorter than 4 bytes are ignored (they would
 * mangle ordinary text); the registry is process-wide.
 */
void redact_add_secret(const char *value);

/*
 * Return a malloc'd copy of `in` (caller frees) with: registered secrets; the password
 * of any URL userinfo (scheme://user:PASS@host); the value of Authorization,
 * Proxy-Authorization, X-Api-Key, Cookie headers and of "Bearer"/"Basic" credentials;
 * query parameters whose name contains token, key, secret, password, passwd, sig or
 * signature; and the quoted literal after PASSWORD in SQL (case-insensitive, comments
 * and whitespace allowed between) all replaced by REDACTED. NULL in, NULL out.
 */
char *redact_text(const char *in);

/* Redact every string value (and no key) in a cJSON tree, in place. */
void redact_json(cJSON *node);

/* Forget all registered secrets, wiping them (tests and exit). */
void redact_reset(void);

#endif
