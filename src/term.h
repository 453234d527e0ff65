/* term.h - what the operator sees: step headers, marks, prompts, a live clock. */
#ifndef RUNBOOK_TERM_H
#define RUNBOOK_TERM_H

#include <stddef.h>
#include <stdio.h>

struct term {
	FILE *out;       /* human text: stdout, or stderr under --json */
	int color;       /* ANSI colour on */
	int utf8;        /* ✓ ✗ ▶ · →, else ok FAIL > - -> */
	int tty_out;     /* out is a terminal (live lines) */
	int interactive; /* stdin is a terminal and --non-interactive is off */
};

/* Decide colours, marks and interactivity from the streams, NO_COLOR, LANG. */
void term_init(struct term *t, int json, int no_color, int non_interactive);

/* Every write below is redacted (redact_text) before it reaches the stream. */
void term_printf(struct term *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "INC 3f9a2c1e · api-down · P1 · 04:12 elapsed · alice" */
void term_status(struct term *t, const char *short_id, const char *flow, const char *severity,
                 double elapsed_s, const char *operator);

/* "step 3 · logs · runbook §4.1 "title"" with DESTRUCTIVE on the right when set. */
void term_step(struct term *t, int n, const char *id, const char *section, const char *title,
               int destructive);

/* An indented line under the step. */
void term_line(struct term *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "  ✓ text" or "  ✗ text" (ok / FAIL without UTF-8). */
void term_mark(struct term *t, int ok, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* A loud line (escalations, failed alerts): bold/red on colour terminals. */
void term_alert(struct term *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One option line of a choice; `suggested` marks it. */
void term_option(struct term *t, int n, const char *name, const char *text, int suggested,
                 const char *why);

/* Glyphs that fall back to ASCII. */
const char *term_arrow(const struct term *t);
const char *term_dot(const struct term *t);

/* Start/stop a live "… 1.4 s" line for what is running now (terminal only). */
void term_busy_start(struct term *t, const char *what);
/* Stop it; returns the elapsed seconds. */
double term_busy_stop(struct term *t);

/* Result of term_read_line. */
enum read_status { READ_LINE, READ_EOF, READ_INTERRUPTED };

/*
 * Print prompt, read one line from stdin into buf (newline stripped). While waiting,
 * tick(ctx) is called about once a second (escalation timer). Returns READ_INTERRUPTED
 * as soon as *abort becomes non-zero.
 */
enum read_status term_read_line(struct term *t, const char *prompt, char *buf, size_t len,
                                volatile int *abort, void (*tick)(void *), void *ctx);

#endif
