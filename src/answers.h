/* answers.h - operator answers given ahead of time: --answer STATE=VALUE, --answers FILE. */
#ifndef RUNBOOK_ANSWERS_H
#define RUNBOOK_ANSWERS_H

#include <stddef.h>

struct flow;

struct answer {
	char *state;
	char *value;
	int used;
};

struct answers {
	struct answer *v;
	size_t n;
};

/* Add "STATE=VALUE". Returns 0, or -1 with the reason in err (a usage error). */
int answers_add_arg(struct answers *a, const char *arg, char *err, size_t errlen);

/* Add every pair of a JSON object file {"state": "value"}. 0, or -1 with err. */
int answers_load_file(struct answers *a, const char *path, char *err, size_t errlen);

/* Check every answer against the flow's states and options. 0, or -1 with err. */
int answers_validate(const struct answers *a, const struct flow *f, char *err, size_t errlen);

/* The first unused answer for state, marked used; NULL when none. Borrowed. */
const char *answers_take(struct answers *a, const char *state);

/* The first answer for state whether used or not (for parameters). Borrowed. */
const char *answers_peek(const struct answers *a, const char *state);

/* Append an answer typed at the terminal (for parameters). */
void answers_put(struct answers *a, const char *state, const char *value);

void answers_release(struct answers *a);

#endif
