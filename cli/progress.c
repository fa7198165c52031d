/*
 * progress.c - renders progress events the way the docker CLI renders the
 * daemon's JSON messages (moby jsonmessage.DisplayJSONMessagesStream):
 * on a terminal each id keeps its own line, updated in place, with a bar
 * when the terminal is wider than 110 columns; otherwise one plain line per
 * message, and messages carrying byte counts are dropped.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"

struct progress {
	FILE *out;
	int quiet;
	int tty;
	int width;
	char **ids;
	size_t n_ids;
};

struct progress *progress_new(FILE *out, int quiet)
{
	struct progress *p = xcalloc(1, sizeof(*p));
	struct winsize ws;

	p->out = out;
	p->quiet = quiet;
	p->tty = isatty(fileno(out));
	p->width = 80;
	if (p->tty && ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col)
		p->width = ws.ws_col;
	return p;
}

static void bar(struct progress *p, char *buf, size_t n, int64_t cur, int64_t total)
{
	char c[32], t[32], box[64] = "";
	int pct;

	buf[0] = '\0';
	if (cur <= 0 && total <= 0)
		return;
	human_size4(c, sizeof(c), (double)cur);
	if (total <= 0) {
		snprintf(buf, n, "%8s", c);
		return;
	}
	human_size4(t, sizeof(t), (double)total);
	pct = (int)((double)cur / (double)total * 100) / 2;
	if (pct > 50)
		pct = 50;
	if (p->width > 110) {
		int k = 0;
		box[k++] = '[';
		for (int i = 0; i < pct; i++)
			box[k++] = '=';
		box[k++] = '>';
		for (int i = 0; i < 50 - pct; i++)
			box[k++] = ' ';
		box[k++] = ']';
		box[k++] = ' ';
		box[k] = '\0';
	}
	if (cur > total) /* docker drops only the total when current is wonky */
		snprintf(buf, n, "%s%8s", box, c);
	else
		snprintf(buf, n, "%s%8s/%s", box, c, t);
}

static size_t line_of(struct progress *p, const char *id, int *is_new)
{
	for (size_t i = 0; i < p->n_ids; i++)
		if (!strcmp(p->ids[i], id)) {
			*is_new = 0;
			return i;
		}
	p->ids = xrealloc(p->ids, (p->n_ids + 1) * sizeof(char *));
	p->ids[p->n_ids] = xstrdup(id);
	*is_new = 1;
	return p->n_ids++;
}

static void forget_ids(struct progress *p)
{
	for (size_t i = 0; i < p->n_ids; i++)
		free(p->ids[i]);
	p->n_ids = 0;
}

/* jsonmessage.Display: one message at the cursor. */
static void display(struct progress *p, const struct berth_progress *m)
{
	char pb[128];
	const char *endl = "";

	bar(p, pb, sizeof(pb), m->current, m->total);
	if (p->tty && m->has_detail) {
		fputs("\x1b[2K\r", p->out);
		endl = "\r";
	} else if (m->has_detail && pb[0]) {
		return; /* byte counts are not shown off a terminal */
	}
	if (m->id)
		fprintf(p->out, "%s: ", m->id);
	if (m->has_detail && p->tty)
		fprintf(p->out, "%s %s%s", m->status, pb, endl);
	else
		fprintf(p->out, "%s%s\n", m->status, endl);
}

/* jsonmessage.DisplayJSONMessagesStream: on a terminal every id with
 * progress keeps its own line, reached by moving the cursor up and back;
 * any other message starts a fresh block. */
void progress_event(void *ctx, const struct berth_progress *m)
{
	struct progress *p = ctx;
	size_t diff = 0;

	if (p->quiet)
		return;
	if (m->id && m->has_detail) {
		int is_new;
		size_t line = line_of(p, m->id, &is_new);
		if (is_new && p->tty)
			fputc('\n', p->out);
		diff = p->n_ids - line;
		if (p->tty && diff)
			fprintf(p->out, "\x1b[%zuA", diff);
	} else {
		forget_ids(p);
	}
	display(p, m);
	if (m->id && p->tty && diff)
		fprintf(p->out, "\x1b[%zuB", diff);
	fflush(p->out);
}

void progress_free(struct progress *p)
{
	if (!p)
		return;
	forget_ids(p);
	free(p->ids);
	free(p);
}
