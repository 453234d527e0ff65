/* term.c - what the operator sees: step headers, marks, prompts, a live clock. */
#include "term.h"

#include "redact.h"
#include "util.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_CYAN "\033[36m"

static struct {
	pthread_t thread;
	pthread_mutex_t lock;
	int running;
	int stop;
	double start;
	char what[256];
	struct term *t;
} busy = {.lock = PTHREAD_MUTEX_INITIALIZER};

void term_init(struct term *t, int json, int no_color, int non_interactive)
{
	const char *nc = getenv("NO_COLOR");
	const char *cs;

	t->out = json ? stderr : stdout;
	t->tty_out = isatty(fileno(t->out));
	/* cli.md: --no-color is on when NO_COLOR is set or stdout is not a TTY; under it
	 * (terminal.md) no colour, and ✓/✗ become ok/FAIL, for logs and screen readers */
	if ((nc != NULL && *nc != '\0') || !isatty(STDOUT_FILENO))
		no_color = 1;
	t->color = t->tty_out && !no_color;
	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	t->utf8 = !no_color && cs != NULL && strcmp(cs, "UTF-8") == 0;
	t->interactive = !non_interactive && isatty(STDIN_FILENO);
}

static void emit(struct term *t, const char *text)
{
	char *clean = redact_text(text);

	pthread_mutex_lock(&busy.lock);
	if (busy.running && t->tty_out)
		fputs("\r\033[K", t->out);
	fputs(clean ? clean : "", t->out);
	fflush(t->out);
	pthread_mutex_unlock(&busy.lock);
	free(clean);
}

static void vemit(struct term *t, const char *pre, const char *fmt, va_list ap,
                  const char *post)
{
	struct buf b;
	char line[4096];

	vsnprintf(line, sizeof(line), fmt, ap);
	buf_init(&b, 0);
	buf_puts(&b, pre);
	buf_puts(&b, line);
	buf_puts(&b, post);
	emit(t, b.p);
	buf_release(&b);
}

void term_printf(struct term *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit(t, "", fmt, ap, "");
	va_end(ap);
}

const char *term_arrow(const struct term *t)
{
	return t->utf8 ? "→" : "->";
}

const char *term_dot(const struct term *t)
{
	return t->utf8 ? "·" : "-";
}

void term_status(struct term *t, const char *short_id, const char *flow, const char *severity,
                 double elapsed_s, const char *operator)
{
	char el[32];
	const char *d = term_dot(t);

	duration_format(elapsed_s, el, sizeof(el));
	term_printf(t, "\n%sINC %s %s %s %s %s %s %s elapsed %s %s%s\n", t->color ? C_DIM : "",
	            short_id, d, flow, d, severity, d, el, d, operator,
	            t->color ? C_RESET : "");
}

void term_step(struct term *t, int n, const char *id, const char *section, const char *title,
               int destructive)
{
	const char *d = term_dot(t);

	term_printf(t, "%sstep %d %s %s %s runbook §%s%s \"%s\"%s%s\n", t->color ? C_BOLD : "",
	            n, d, id, d, section, t->color ? C_RESET : "", title,
	            destructive ? (t->color ? "   " C_RED C_BOLD "DESTRUCTIVE" C_RESET
	                                    : "   DESTRUCTIVE")
	                        : "",
	            "");
}

void term_line(struct term *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit(t, "  ", fmt, ap, "\n");
	va_end(ap);
}

void term_mark(struct term *t, int ok, const char *fmt, ...)
{
	va_list ap;
	char pre[64];

	if (t->utf8)
		snprintf(pre, sizeof(pre), "  %s%s%s ", t->color ? (ok ? C_GREEN : C_RED) : "",
		         ok ? "✓" : "✗", t->color ? C_RESET : "");
	else
		snprintf(pre, sizeof(pre), "  %s ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vemit(t, pre, fmt, ap, "\n");
	va_end(ap);
}

void term_alert(struct term *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit(t, t->color ? "  " C_RED C_BOLD "!! " : "  !! ", fmt, ap,
	      t->color ? C_RESET "\n" : "\n");
	va_end(ap);
}

void term_option(struct term *t, int n, const char *name, const char *text, int suggested,
                 const char *why)
{
	const char *mark = suggested ? (t->utf8 ? "▶" : ">") : " ";

	if (suggested)
		term_printf(t, "  %s%s %d  %-16s %s   (suggested: %s)%s\n",
		            t->color ? C_CYAN C_BOLD : "", mark, n, name, text, why ? why : "",
		            t->color ? C_RESET : "");
	else
		term_printf(t, "  %s %d  %-16s %s\n", mark, n, name, text);
}

static void *busy_main(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&busy.lock);
		if (busy.stop) {
			pthread_mutex_unlock(&busy.lock);
			break;
		}
		fprintf(busy.t->out, "\r\033[K  %s %s %.1f s", busy.what,
		        busy.t->utf8 ? "…" : "...", clock_wall() - busy.start);
		fflush(busy.t->out);
		pthread_mutex_unlock(&busy.lock);
		sleep_ms(100, NULL);
	}
	return NULL;
}

void term_busy_start(struct term *t, const char *what)
{
	char *clean = redact_text(what);

	term_busy_stop(t);
	busy.start = clock_wall();
	snprintf(busy.what, sizeof(busy.what), "%s", clean ? clean : "");
	free(clean);
	busy.t = t;
	if (!t->tty_out) {
		busy.running = 0;
		return;
	}
	busy.stop = 0;
	if (pthread_create(&busy.thread, NULL, busy_main, NULL) == 0)
		busy.running = 1;
}

double term_busy_stop(struct term *t)
{
	double el = busy.start > 0 ? clock_wall() - busy.start : 0;

	if (busy.running) {
		pthread_mutex_lock(&busy.lock);
		busy.stop = 1;
		pthread_mutex_unlock(&busy.lock);
		pthread_join(busy.thread, NULL);
		busy.running = 0;
		fprintf(t->out, "\r\033[K  %s %.1f s\n", busy.what, el);
		fflush(t->out);
	} else if (busy.start > 0 && busy.what[0] != '\0') {
		fprintf(t->out, "  %s %s %.1f s\n", busy.what, t->utf8 ? "…" : "...", el);
		fflush(t->out);
	}
	busy.start = 0;
	busy.what[0] = '\0';
	return el;
}

enum read_status term_read_line(struct term *t, const char *prompt, char *buf, size_t len,
                                volatile int *abort, void (*tick)(void *), void *ctx)
{
	size_t n = 0;

	term_printf(t, "  %s", prompt);
	for (;;) {
		struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
		int rc;
		char c;
		ssize_t got;

		if (abort != NULL && *abort)
			return READ_INTERRUPTED;
		rc = poll(&p, 1, 1000);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc == 0) {
			if (tick != NULL)
				tick(ctx);
			continue;
		}
		got = read(STDIN_FILENO, &c, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			buf[n] = '\0';
			return n > 0 ? READ_LINE : READ_EOF;
		}
		if (c == '\n')
			break;
		if (n + 1 < len)
			buf[n++] = c;
	}
	while (n > 0 && (buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return READ_LINE;
}
