/* redact_int.h - what the two halves of the redactor share (not a public API). */
#ifndef RUNBOOK_REDACT_INT_H
#define RUNBOOK_REDACT_INT_H

#include <stddef.h>

/* Mask kinds; a higher kind wins where spans overlap. */
enum mark_kind {
	MK_NONE = 0,
	MK_PLAIN = 1,  /* the run becomes [REDACTED] */
	MK_QUOTED = 2, /* the run becomes '[REDACTED]' (a whole SQL literal) */
};

/* Raise m[from..to) to at least kind. */
static inline void redact_mark(unsigned char *m, size_t from, size_t to, enum mark_kind kind)
{
	for (size_t i = from; i < to; i++)
		if (m[i] < kind)
			m[i] = (unsigned char)kind;
}

/* redact_secrets.c: mark every registered secret found in t[0..n). */
void redact_mark_secrets(const char *t, size_t n, unsigned char *m);

#endif
