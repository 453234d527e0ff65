/*
 * cmd_check.c - `runbook check [--only NAME,...] [--samples N]`: the health sweep of
 * runbook §2.1/§3.1, every configured check at once, a live line per check.
 *
 * A sweep is not an incident: nothing is journaled (the health flow journals one).
 */
#include "cli.h"

#include "check.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#define C_RESET "\033[0m"
#define C_DIM "\033[2m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"

static volatile int interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct live {
	struct term *t;
	int drawn;            /* lines on screen (terminal) */
	int shown[CHK__LAST]; /* printed its final line (not a terminal) */
	size_t cols;          /* the terminal's width, 0 when unknown */
	int final;            /* the last redraw: lines may wrap */
	double started;
};

static const char *mark(const struct term *t, enum check_status st)
{
	switch (st) {
	case CHECK_OK:
		return t->utf8 ? "✓" : "ok";
	case CHECK_WARN:
		return t->utf8 ? "!" : "WARN";
	case CHECK_FAIL:
		return t->utf8 ? "✗" : "FAIL";
	default:
		return t->utf8 ? "…" : "...";
	}
}

static const char *colour(const struct term *t, enum check_status st)
{
	if (!t->color)
		return "";
	return st == CHECK_OK     ? C_GREEN
	       : st == CHECK_WARN ? C_YELLOW
	       : st == CHECK_FAIL ? C_RED
	                          : C_DIM;
}

/* The first `cols` characters (UTF-8 code points) of s into out. */
static void cut(const char *s, size_t cols, char *out, size_t len)
{
	size_t o = 0;

	for (; *s && o + 1 < len; s++) {
		if (((unsigned char)*s & 0xC0) != 0x80 && cols-- == 0)
			break;
		out[o++] = *s;
	}
	out[o] = '\0';
}

/* One check's line: "  ✓ api        412 ms  status ok, db ok; ..." (no newline). While
 * the block is redrawn in place, a line must not wrap: the detail is cut to the width. */
static void line(struct live *lv, enum check_id id, const struct check_result *cr)
{
	struct term *t = lv->t;
	double ms = cr->status == CHECK_PENDING ? (clock_wall() - lv->started) * 1000 : cr->ms;
	const char *detail = cr->status == CHECK_PENDING ? "running" : cr->detail;
	char shown[sizeof(cr->detail)];
	size_t prefix = t->utf8 ? 25 : 28;

	if (!lv->final && lv->cols > prefix + 1)
		cut(detail, lv->cols - prefix - 1, shown, sizeof(shown));
	else
		snprintf(shown, sizeof(shown), "%s", detail);
	/* a UTF-8 mark is one column; the ASCII ones are padded to four */
	term_printf(t, t->utf8 ? "  %s%s%s %-9s %6.0f ms  %s" : "  %s%-4s%s %-9s %6.0f ms  %s",
	            colour(t, cr->status), mark(t, cr->status), t->color ? C_RESET : "",
	            check_name(id), ms, shown);
}

/* The progress hook: redraw the block on a terminal, else print what just finished. */
static void progress(void *ctx, const struct sweep *sw)
{
	struct live *lv = ctx;

	if (lv->t->tty_out) {
		if (lv->drawn > 0)
			term_printf(lv->t, "\033[%dA", lv->drawn);
		lv->drawn = 0;
		for (int i = 0; i < CHK__LAST; i++) {
			if (!sw->checks[i].selected)
				continue;
			term_printf(lv->t, "\r\033[K");
			line(lv, (enum check_id)i, &sw->checks[i]);
			term_printf(lv->t, "\n");
			lv->drawn++;
		}
		return;
	}
	for (int i = 0; i < CHK__LAST; i++) {
		const struct check_result *cr = &sw->checks[i];

		if (!cr->selected || cr->status == CHECK_PENDING || lv->shown[i])
			continue;
		lv->shown[i] = 1;
		line(lv, (enum check_id)i, cr);
		term_printf(lv->t, "\n");
	}
}

/* Why nothing can run: the configured-but-incomplete sections, or the whole list. */
static int nothing_to_check(const struct sweep *sw, unsigned only)
{
	for (int i = 0; i < CHK__LAST; i++)
		if (sw->checks[i].missing[0] != '\0')
			return cli_error(EXIT_CONFIG, "check '%s' cannot run: %s",
			                 check_name(i), sw->checks[i].missing);
	if (only != 0)
		return cli_error(EXIT_CONFIG, "the checks named in --only are not configured");
	return cli_error(EXIT_CONFIG,
	                 "nothing to check: configure at least one of api.url, frontend.url, "
	                 "database.url, storage, email, certs.hosts");
}

/* See cli.h. */
int cmd_check(struct cli *c, int argc, char **argv)
{
	const char *only_arg = NULL, *samples_arg = NULL;
	struct opt opts[] = {{"--only", OPT_STR, &only_arg},
	                     {"--samples", OPT_STR, &samples_arg},
	                     {NULL, OPT_FLAG, NULL}};
	struct strlist pos = {NULL, 0};
	struct sweep_opts so;
	struct sweep sw;
	struct live lv;
	struct sigaction sa, old_int;
	struct winsize ws;
	char err[256];
	long samples = 20;
	int rc;

	memset(&sw, 0, sizeof(sw));
	memset(&so, 0, sizeof(so));
	rc = cli_parse(c, argc, argv, opts, &pos, 0, 0,
	               "check [--only NAME,...] [--samples N]");
	strlist_release(&pos);
	if (rc != 0)
		return rc;
	if (only_arg != NULL && check_parse_only(only_arg, &so.only, err, sizeof(err)) < 0)
		return cli_error(EXIT_USAGE, "%s", err);
	if (samples_arg != NULL && parse_long(samples_arg, 1, 100, &samples) < 0)
		return cli_error(EXIT_USAGE, "--samples '%s' is not a number from 1 to 100",
		                 samples_arg);
	so.cfg = c->cfg;
	so.samples = (int)samples;
	sweep_plan(&so, &sw);
	for (int i = 0; so.only != 0 && i < CHK__LAST; i++)
		if ((so.only & (1u << i)) && !sw.checks[i].selected)
			return cli_error(EXIT_CONFIG, "check '%s' cannot run: %s",
			                 check_name(i),
			                 sw.checks[i].missing[0] ? sw.checks[i].missing
			                                         : "its section is not set");
	if (sw.nselected == 0)
		return nothing_to_check(&sw, so.only);

	memset(&lv, 0, sizeof(lv));
	lv.t = &c->term;
	lv.started = clock_wall();
	if (lv.t->tty_out && ioctl(fileno(lv.t->out), TIOCGWINSZ, &ws) == 0)
		lv.cols = ws.ws_col;
	so.progress = progress;
	so.ctx = &lv;
	so.abort = &interrupted;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	if (lv.t->tty_out)
		progress(&lv, &sw); /* every line, "running" */
	sweep_run(&so, &sw);
	sigaction(SIGINT, &old_int, NULL);
	lv.final = 1;
	progress(&lv, &sw);

	for (int i = 0; i < CHK__LAST; i++)
		if (!sw.checks[i].selected && sw.checks[i].missing[0] != '\0')
			term_printf(lv.t,
			            lv.t->utf8 ? "  - %-9s not checked: %s\n"
			                       : "  -    %-9s not checked: %s\n",
			            check_name(i), sw.checks[i].missing);
	term_printf(lv.t, "%d check%s in %.2f s: %d ok, %d warn, %d fail\n", sw.nselected,
	            sw.nselected == 1 ? "" : "s", sw.elapsed_ms / 1000.0, sw.nok, sw.nwarn,
	            sw.nfail);
	if (c->json)
		cli_print_json(sweep_json(&sw, 1));
	if (sw.aborted)
		rc = cli_error(EXIT_FAIL, "interrupted");
	else
		rc = sw.nfail > 0 ? EXIT_UNHEALTHY : EXIT_OK;
	sweep_release(&sw);
	return rc;
}
