/* answers.c - operator answers given ahead of time: --answer STATE=VALUE, --answers FILE. */
#include "answers.h"

#include "flow.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANSWERS_FILE_MAX (1 << 20)

void answers_put(struct answers *a, const char *state, const char *value)
{
	a->v = xrealloc(a->v, (a->n + 1) * sizeof(*a->v));
	a->v[a->n].state = xstrdup(state);
	a->v[a->n].value = xstrdup(value);
	a->v[a->n].used = 0;
	a->n++;
}

int answers_add_arg(struct answers *a, const char *arg, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg) {
		snprintf(err, errlen, "--answer '%s' is not STATE=VALUE", arg);
		return -1;
	}
	{
		char *state = xstrndup(arg, (size_t)(eq - arg));

		answers_put(a, state, eq + 1);
		free(state);
	}
	return 0;
}

int answers_load_file(struct answers *a, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct buf b;
	char chunk[4096];
	size_t got;
	cJSON *root = NULL;
	int rc = -1;

	if (f == NULL) {
		snprintf(err, errlen, "unable to read answers file '%s': %s", path,
		         strerror_lc(errno));
		return -1;
	}
	buf_init(&b, ANSWERS_FILE_MAX);
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(&b, chunk, got) < 0)
			break;
	fclose(f);
	if (b.truncated) {
		snprintf(err, errlen, "answers file '%s' is larger than 1 MiB", path);
		goto out;
	}
	root = cJSON_Parse(b.p ? b.p : "");
	if (!cJSON_IsObject(root)) {
		snprintf(err, errlen,
		         "answers file '%s' is not a JSON object {\"state\": \"value\"}", path);
		goto out;
	}
	for (cJSON *it = root->child; it != NULL; it = it->next) {
		char num[64];

		if (cJSON_IsString(it)) {
			answers_put(a, it->string, it->valuestring);
		} else if (cJSON_IsNumber(it)) {
			snprintf(num, sizeof(num), "%.0f", it->valuedouble);
			answers_put(a, it->string, num);
		} else {
			snprintf(err, errlen,
			         "answers file '%s': the answer for '%s' must be a string",
			         path, it->string);
			goto out;
		}
	}
	rc = 0;
out:
	cJSON_Delete(root);
	buf_release(&b);
	return rc;
}

int answers_validate(const struct answers *a, const struct flow *f, char *err, size_t errlen)
{
	for (size_t i = 0; i < a->n; i++) {
		const struct state *s = flow_state(f, a->v[i].state);
		char why[384];

		if (s == NULL) {
			snprintf(err, errlen, "flow '%s' has no state '%s'", f->name,
			         a->v[i].state);
			return -1;
		}
		if (!state_answer_ok(s, a->v[i].value, why, sizeof(why))) {
			snprintf(err, errlen, "%s", why);
			return -1;
		}
	}
	return 0;
}

const char *answers_take(struct answers *a, const char *state)
{
	for (size_t i = 0; i < a->n; i++)
		if (!a->v[i].used && strcmp(a->v[i].state, state) == 0) {
			a->v[i].used = 1;
			return a->v[i].value;
		}
	return NULL;
}

const char *answers_peek(const struct answers *a, const char *state)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].state, state) == 0)
			return a->v[i].value;
	return NULL;
}

void answers_release(struct answers *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].state);
		free(a->v[i].value);
	}
	free(a->v);
	a->v = NULL;
	a->n = 0;
}
