/* config.c - runbook.json: loading, env: references, validation.
 *
 * The parsed cJSON tree is kept as written; env: references are resolved once, at
 * load time, into a side table keyed by the node, so config_node() still shows the
 * file and config_str() gives the value. Every resolved value, every literal secret
 * and every URL password is registered with redact_add_secret().
 */
#include "config.h"
#include "redact.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_MAX_BYTES ((size_t)1 << 20)
#define PATH_MAXLEN 256

enum key_type {
	KT_STRING,      /* a string (env: allowed) */
	KT_STRING_NULL, /* a string or null */
	KT_NUMBER,      /* any number */
	KT_NONNEG,      /* a number >= 0 */
	KT_BOOL,
	KT_STRINGS, /* an array of strings */
};

struct key_spec {
	const char *section; /* "*" matches every section */
	const char *key;     /* "*" matches every key of the section */
	enum key_type type;
	const char *const *choices; /* NULL-terminated, or NULL */
};

static const char *const provider_choices[] = {"sendgrid", "smtp", NULL};
static const char *const tls_choices[] = {"starttls", "tls", "none", NULL};

/* Every known key (cli.md "Configuration"); unknown keys are accepted as they are. */
static const struct key_spec schema[] = {
        {"api", "url", KT_STRING, NULL},
        {"api", "health_path", KT_STRING, NULL},
        {"frontend", "url", KT_STRING, NULL},
        {"database", "url", KT_STRING, NULL},
        {"database", "staging_url", KT_STRING_NULL, NULL},
        {"database", "name", KT_STRING, NULL},
        {"database", "staging_name", KT_STRING_NULL, NULL},
        {"storage", "endpoint", KT_STRING, NULL},
        {"storage", "bucket", KT_STRING, NULL},
        {"storage", "region", KT_STRING, NULL},
        {"storage", "access_key_id", KT_STRING, NULL},
        {"storage", "secret_access_key", KT_STRING, NULL},
        {"email", "provider", KT_STRING, provider_choices},
        {"email", "api_url", KT_STRING, NULL},
        {"email", "api_key", KT_STRING, NULL},
        {"email", "smtp_url", KT_STRING_NULL, NULL},
        {"email", "smtp_tls", KT_STRING, tls_choices},
        {"email", "from", KT_STRING, NULL},
        {"email", "test_to", KT_STRING, NULL},
        {"errors", "sentry_url", KT_STRING, NULL},
        {"errors", "org", KT_STRING, NULL},
        {"errors", "project", KT_STRING, NULL},
        {"errors", "token", KT_STRING, NULL},
        {"platform", "api_url", KT_STRING, NULL},
        {"platform", "railway_token", KT_STRING, NULL},
        {"platform", "service", KT_STRING, NULL},
        {"platform", "project_id", KT_STRING, NULL},
        {"platform", "environment_id", KT_STRING, NULL},
        {"platform", "service_id", KT_STRING, NULL},
        {"alerts", "webhook_url", KT_STRING, NULL},
        {"alerts", "channel", KT_STRING, NULL},
        {"commands", "*", KT_STRING, NULL},
        {"thresholds", "*", KT_NONNEG, NULL},
        {"timing", "*", KT_NONNEG, NULL},
        {"certs", "hosts", KT_STRINGS, NULL},
        {"backup", "count_tables", KT_STRINGS, NULL},
        {"backup", "dir", KT_STRING, NULL},
        {"secrets", "names", KT_STRINGS, NULL},
        {"*", "timeout_ms", KT_NONNEG, NULL}, /* a service's own probe timeout */
};

static const char *const sections[] = {
        "api",    "frontend", "database",   "storage", "email", "errors", "platform",
        "alerts", "commands", "thresholds", "timing",  "certs", "backup", "secrets"};

struct env_ref {
	const cJSON *node;
	char *value; /* NULL when the variable is unset or empty */
	int empty;   /* set but empty */
};

struct config {
	char *file; /* NULL when no file exists */
	cJSON *root;
	struct env_ref *refs;
	size_t nrefs;
	char literal[PATH_MAXLEN]; /* first key holding a literal secret, or "" */
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int ci_contains(const char *s, const char *kw)
{
	size_t kl = strlen(kw);

	for (; *s != '\0'; s++)
		if (strncasecmp(s, kw, kl) == 0)
			return 1;
	return 0;
}

/* Does a key name make its literal value a secret (cli.md "literal secret")? */
static int secret_key_name(const char *k)
{
	return ci_contains(k, "key") || ci_contains(k, "secret") || ci_contains(k, "token") ||
	       ci_contains(k, "password") || ci_contains(k, "webhook_url");
}

static int valid_env_name(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (; *s != '\0'; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return 0;
	return 1;
}

static int is_env_ref(const char *s)
{
	return strncmp(s, "env:", 4) == 0;
}

static int url_auth_end(unsigned char c)
{
	return c == '/' || c == '?' || c == '#' || isspace(c) || c == '"' || c == '\'' ||
	       c == '<' || c == '>' || c == '\\';
}

/*
 * Find the next URL password (scheme://user:PASS@host) in s at or after *pos: returns
 * 1 with [*ps, *pe) its span and *pos moved past it, or 0 when there is none.
 */
static int url_password_next(const char *s, size_t *pos, size_t *ps, size_t *pe)
{
	const char *p;

	while ((p = strstr(s + *pos, "://")) != NULL) {
		size_t a = (size_t)(p - s) + 3, e, at = 0;
		const char *colon;

		for (e = a; s[e] != '\0' && !url_auth_end((unsigned char)s[e]); e++)
			if (s[e] == '@')
				at = e;
		*pos = e > a ? e : a;
		if (at == 0)
			continue;
		colon = memchr(s + a, ':', at - a);
		if (colon != NULL && (size_t)(colon - s) + 1 < at) {
			*ps = (size_t)(colon - s) + 1;
			*pe = at;
			return 1;
		}
	}
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Register every URL password in s, as written and percent-decoded. Returns the count. */
static int register_url_passwords(const char *s)
{
	size_t pos = 0, ps, pe;
	int n = 0;

	while (url_password_next(s, &pos, &ps, &pe)) {
		char *raw = xstrndup(s + ps, pe - ps);
		char *dec = xmalloc(pe - ps + 1);
		size_t o = 0;

		for (size_t i = 0; raw[i] != '\0'; i++) {
			int hi, lo;

			if (raw[i] == '%' && (hi = hexval(raw[i + 1])) >= 0 &&
			    (lo = hexval(raw[i + 2])) >= 0) {
				dec[o++] = (char)(hi * 16 + lo);
				i += 2;
			} else {
				dec[o++] = raw[i];
			}
		}
		dec[o] = '\0';
		redact_add_secret(raw);
		redact_add_secret(dec);
		explicit_bzero(raw, pe - ps);
		explicit_bzero(dec, o);
		free(raw);
		free(dec);
		n++;
	}
	return n;
}

/* ---- walking the tree: env: resolution and literal secrets ---- */

static void join_path(char *out, const char *path, const char *key)
{
	if (path[0] == '\0')
		snprintf(out, PATH_MAXLEN, "%s", key);
	else
		snprintf(out, PATH_MAXLEN, "%s.%s", path, key);
}

static void note_literal(struct config *c, const char *path)
{
	if (c->literal[0] == '\0')
		snprintf(c->literal, sizeof(c->literal), "%s", path);
}

/* A literal (non env:) string at path under key name `leaf`. */
static void check_literal(struct config *c, const char *path, const char *leaf, const char *s)
{
	if (s[0] == '\0')
		return;
	if (register_url_passwords(s) > 0)
		note_literal(c, path);
	/* commands.* are shell commands named by state id, whatever the id says */
	if (leaf != NULL && secret_key_name(leaf) && strncmp(path, "commands.", 9) != 0) {
		redact_add_secret(s);
		note_literal(c, path);
	}
}

static int resolve_env(struct config *c, const char *name, const cJSON *node, const char *path,
                       char *err, size_t errlen)
{
	const char *var = node->valuestring + 4;
	const char *val;
	struct env_ref *r;

	if (!valid_env_name(var)) {
		set_err(err, errlen,
		        "config '%s': key '%s' must name an environment variable as env:NAME",
		        name, path);
		return -1;
	}
	val = getenv(var);
	c->refs = xrealloc(c->refs, (c->nrefs + 1) * sizeof(*c->refs));
	r = &c->refs[c->nrefs++];
	r->node = node;
	r->value = NULL;
	r->empty = val != NULL && val[0] == '\0';
	if (val != NULL && val[0] != '\0') {
		r->value = xstrdup(val);
		redact_add_secret(val);
		register_url_passwords(val);
	}
	return 0;
}

static int walk(struct config *c, const char *name, const cJSON *node, const char *path,
                const char *leaf, int in_array, char *err, size_t errlen)
{
	if (cJSON_IsObject(node) || cJSON_IsArray(node)) {
		int arr = cJSON_IsArray(node);

		for (const cJSON *ch = node->child; ch != NULL; ch = ch->next) {
			char sub[PATH_MAXLEN];

			if (arr || ch->string == NULL)
				snprintf(sub, sizeof(sub), "%s", path);
			else
				join_path(sub, path, ch->string);
			if (walk(c, name, ch, sub, arr ? leaf : ch->string, arr, err, errlen) <
			    0)
				return -1;
		}
		return 0;
	}
	if (!cJSON_IsString(node) || node->valuestring == NULL)
		return 0;
	if (!in_array && is_env_ref(node->valuestring))
		return resolve_env(c, name, node, path, err, errlen);
	check_literal(c, path, leaf, node->valuestring);
	return 0;
}

/* ---- type checks ---- */

static const struct env_ref *find_ref(const struct config *c, const cJSON *node)
{
	for (size_t i = 0; i < c->nrefs; i++)
		if (c->refs[i].node == node)
			return &c->refs[i];
	return NULL;
}

static const struct key_spec *find_spec(const char *section, const char *key)
{
	for (size_t i = 0; i < sizeof(schema) / sizeof(schema[0]); i++) {
		const struct key_spec *k = &schema[i];

		if ((strcmp(k->section, "*") == 0 || strcmp(k->section, section) == 0) &&
		    (strcmp(k->key, "*") == 0 || strcmp(k->key, key) == 0))
			return k;
	}
	return NULL;
}

static int check_choices(const struct config *c, const char *name, const char *path,
                         const cJSON *v, const char *const *choices, char *err, size_t errlen)
{
	const char *s = v->valuestring;
	char list[128] = "";
	size_t len = 0;

	if (is_env_ref(s)) {
		const struct env_ref *r = find_ref(c, v);

		s = r ? r->value : NULL;
		if (s == NULL)
			return 0; /* unset: the caller reports it when it needs the key */
	}
	for (size_t i = 0; choices[i] != NULL; i++) {
		if (strcmp(s, choices[i]) == 0)
			return 0;
		if (len < sizeof(list))
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
			                        i ? ", " : "", choices[i]);
	}
	set_err(err, errlen, "config '%s': key '%s' must be one of %s", name, path, list);
	return -1;
}

static int check_key(const struct config *c, const char *name, const char *section,
                     const cJSON *v, char *err, size_t errlen)
{
	const struct key_spec *k = find_spec(section, v->string);
	char path[PATH_MAXLEN];
	const char *want = NULL;

	if (k == NULL)
		return 0;
	join_path(path, section, v->string);
	switch (k->type) {
	case KT_STRING:
		if (!cJSON_IsString(v))
			want = "a string";
		break;
	case KT_STRING_NULL:
		if (!cJSON_IsString(v) && !cJSON_IsNull(v))
			want = "a string or null";
		break;
	case KT_NUMBER:
		if (!cJSON_IsNumber(v))
			want = "a number";
		break;
	case KT_NONNEG:
		if (!cJSON_IsNumber(v))
			want = "a number";
		else if (v->valuedouble < 0)
			want = "a non-negative number";
		break;
	case KT_BOOL:
		if (!cJSON_IsBool(v))
			want = "true or false";
		break;
	case KT_STRINGS:
		if (!cJSON_IsArray(v)) {
			want = "an array of strings";
			break;
		}
		for (const cJSON *e = v->child; e != NULL; e = e->next)
			if (!cJSON_IsString(e))
				want = "an array of strings";
		break;
	}
	if (want != NULL) {
		set_err(err, errlen, "config '%s': key '%s' must be %s", name, path, want);
		return -1;
	}
	if (k->choices != NULL && cJSON_IsString(v))
		return check_choices(c, name, path, v, k->choices, err, errlen);
	return 0;
}

static int is_known_section(const char *s)
{
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (strcmp(sections[i], s) == 0)
			return 1;
	return 0;
}

static int check_schema(const struct config *c, const char *name, char *err, size_t errlen)
{
	for (const cJSON *sec = c->root->child; sec != NULL; sec = sec->next) {
		if (!is_known_section(sec->string))
			continue; /* forward compatible: unknown sections are accepted */
		if (!cJSON_IsObject(sec)) {
			set_err(err, errlen, "config '%s': key '%s' must be an object", name,
			        sec->string);
			return -1;
		}
		for (const cJSON *v = sec->child; v != NULL; v = v->next)
			if (check_key(c, name, sec->string, v, err, errlen) < 0)
				return -1;
	}
	return 0;
}

/* ---- life cycle ---- */

/* 1-based line of byte offset off in text. */
static int line_of(const char *text, size_t off)
{
	int line = 1;

	for (size_t i = 0; i < off && text[i] != '\0'; i++)
		if (text[i] == '\n')
			line++;
	return line;
}

/* Parse and validate; the mode check is the caller's. */
static int parse_text(const char *name, const char *text, struct config **out, char *err,
                      size_t errlen)
{
	const char *end = NULL;
	struct config *c;

	*out = NULL;
	c = xcalloc(1, sizeof(*c));
	c->root = cJSON_ParseWithOpts(text, &end, 1);
	if (c->root == NULL) {
		size_t off = end != NULL && end >= text ? (size_t)(end - text) : 0;

		set_err(err, errlen, "config '%s': invalid JSON near line %d", name,
		        line_of(text, off));
		config_free(c);
		return -1;
	}
	if (!cJSON_IsObject(c->root)) {
		set_err(err, errlen, "config '%s': the top level must be a JSON object", name);
		config_free(c);
		return -1;
	}
	if (walk(c, name, c->root, "", NULL, 0, err, errlen) < 0 ||
	    check_schema(c, name, err, errlen) < 0) {
		config_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

/*
 * Parse a configuration from JSON text (tests); `name` names it in messages. No mode
 * check. Returns 0 and *out (free with config_free), or -1 with a message in err.
 */
int config_parse(const char *name, const char *text, struct config **out, char *err,
                 size_t errlen)
{
	if (text == NULL) {
		*out = NULL;
		set_err(err, errlen, "config '%s': invalid JSON near line 1", name);
		return -1;
	}
	return parse_text(name, text, out, err, errlen);
}

/* Read the whole file; on failure -1 with err set. *mode gets its permission bits. */
static int read_file(const char *path, char **text, mode_t *mode, char *err, size_t errlen)
{
	struct buf b;
	struct stat st;
	int fd, rc = -1;

	*text = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			set_err(err, errlen, "config '%s': not found", path);
		} else {
			set_err(err, errlen, "config '%s': unable to open: %s", path,
			        strerror_lc(errno));
		}
		return -1;
	}
	buf_init(&b, CONFIG_MAX_BYTES);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		set_err(err, errlen, "config '%s': not a regular file", path);
		goto out;
	}
	*mode = st.st_mode;
	for (;;) {
		char chunk[8192];
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			set_err(err, errlen, "config '%s': unable to read: %s", path,
			        strerror_lc(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (buf_append(&b, chunk, (size_t)n) < 0) {
			set_err(err, errlen, "config '%s': larger than %zu bytes", path,
			        CONFIG_MAX_BYTES);
			goto out;
		}
	}
	*text = b.p ? buf_detach(&b) : xstrdup("");
	rc = 0;
out:
	buf_release(&b);
	close(fd);
	return rc;
}

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/*
 * Load the configuration (see config.h for the path rules). Returns 0 and *out, or
 * -1 with a one-line message in err (the caller exits 6).
 */
int config_load(const char *path, struct config **out, char *err, size_t errlen)
{
	char *home_path = NULL;
	char *text = NULL;
	mode_t mode = 0;
	int rc = -1;

	*out = NULL;
	if (path == NULL && getenv("RUNBOOK_CONFIG") != NULL && getenv("RUNBOOK_CONFIG")[0])
		path = getenv("RUNBOOK_CONFIG");
	if (path == NULL) {
		const char *home = getenv("HOME");

		if (exists("runbook.json")) {
			path = "runbook.json";
		} else if (home != NULL && home[0] != '\0') {
			home_path = xasprintf("%s/.config/runbook/config.json", home);
			if (exists(home_path))
				path = home_path;
		}
		if (path == NULL) {
			struct config *c = xcalloc(1, sizeof(*c));

			c->root = cJSON_CreateObject();
			*out = c;
			rc = 0;
			goto done;
		}
	}
	if (read_file(path, &text, &mode, err, errlen) < 0)
		goto done;
	if (parse_text(path, text, out, err, errlen) < 0)
		goto done;
	if ((*out)->literal[0] != '\0' && (mode & (S_IRGRP | S_IROTH)) != 0) {
		set_err(err, errlen,
		        "config '%s' holds a literal secret in '%s' and is readable by group "
		        "or "
		        "others (chmod 600 it or use env:)",
		        path, (*out)->literal);
		config_free(*out);
		*out = NULL;
		goto done;
	}
	(*out)->file = xstrdup(path);
	rc = 0;
done:
	if (text != NULL) {
		explicit_bzero(text, strlen(text));
		free(text);
	}
	free(home_path);
	return rc;
}

/* Free a configuration, wiping the resolved env: values. NULL is fine. */
void config_free(struct config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nrefs; i++) {
		if (c->refs[i].value != NULL) {
			explicit_bzero(c->refs[i].value, strlen(c->refs[i].value));
			free(c->refs[i].value);
		}
	}
	free(c->refs);
	cJSON_Delete(c->root);
	free(c->file);
	free(c);
}

/* The file loaded, or NULL when none existed. Borrowed. */
const char *config_file(const struct config *c)
{
	return c ? c->file : NULL;
}

/* Non-zero when the top-level section is present (as an object). */
int config_has(const struct config *c, const char *section)
{
	if (c == NULL || c->root == NULL)
		return 0;
	return cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(c->root, section));
}

/* The node at a dotted key ("api.url", any depth), or NULL. Borrowed. */
const cJSON *config_node(const struct config *c, const char *key)
{
	const cJSON *n;
	const char *p = key;

	if (c == NULL || c->root == NULL || key == NULL)
		return NULL;
	n = c->root;
	while (n != NULL) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		const cJSON *ch;

		if (!cJSON_IsObject(n))
			return NULL;
		for (ch = n->child; ch != NULL; ch = ch->next)
			if (ch->string != NULL && strlen(ch->string) == len &&
			    memcmp(ch->string, p, len) == 0)
				break;
		n = ch;
		if (dot == NULL)
			break;
		p = dot + 1;
	}
	return n;
}

/* The string at a dotted key with env: resolved; NULL when absent/null/unset. Borrowed. */
const char *config_str(const struct config *c, const char *key)
{
	const cJSON *n = config_node(c, key);
	const struct env_ref *r;

	if (!cJSON_IsString(n) || n->valuestring == NULL)
		return NULL;
	if (!is_env_ref(n->valuestring))
		return n->valuestring;
	r = find_ref(c, n);
	return r ? r->value : NULL;
}

/* config_str, or def when that is NULL. */
const char *config_str_or(const struct config *c, const char *key, const char *def)
{
	const char *s = config_str(c, key);

	return s ? s : def;
}

/* The number at a dotted key, or def when absent or not a number. */
double config_num(const struct config *c, const char *key, double def)
{
	const cJSON *n = config_node(c, key);

	return cJSON_IsNumber(n) ? n->valuedouble : def;
}

/* Why config_str(key) is NULL, for messages. A static buffer, valid until the next call. */
const char *config_why_missing(const struct config *c, const char *key)
{
	static char why[PATH_MAXLEN * 2];
	const cJSON *n = config_node(c, key);
	const struct env_ref *r;

	if (cJSON_IsString(n) && n->valuestring != NULL && is_env_ref(n->valuestring)) {
		r = find_ref(c, n);
		if (r == NULL || r->value == NULL) {
			snprintf(why, sizeof(why), "'%s' names $%s, which is %s", key,
			         n->valuestring + 4, r && r->empty ? "empty" : "not set");
			return why;
		}
		snprintf(why, sizeof(why), "'%s' is set", key);
		return why;
	}
	if (n != NULL && !cJSON_IsNull(n) && !cJSON_IsString(n))
		snprintf(why, sizeof(why), "'%s' is not a string", key);
	else if (n != NULL && cJSON_IsString(n))
		snprintf(why, sizeof(why), "'%s' is set", key);
	else
		snprintf(why, sizeof(why), "'%s' is not set", key);
	return why;
}

/* The first of keys that is not set, as config_why_missing says it, or NULL. */
const char *config_first_missing(const struct config *c, const char *const *keys)
{
	for (size_t i = 0; keys[i] != NULL; i++)
		if (config_str(c, keys[i]) == NULL)
			return config_why_missing(c, keys[i]);
	return NULL;
}

/* The variable name of an env: reference at key ("DATABASE_URL"), else NULL. Borrowed. */
const char *config_env_name(const struct config *c, const char *key)
{
	const cJSON *n = config_node(c, key);

	if (cJSON_IsString(n) && n->valuestring != NULL && is_env_ref(n->valuestring))
		return n->valuestring + 4;
	return NULL;
}
