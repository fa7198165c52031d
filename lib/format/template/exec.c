/*
 * exec.c - executing a template's tree against a jansson value
 * (internal.h), with a value stack of owned json_t references.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- what evaluation holds while it may fail ---- */

/* Keeps v (an owned reference) and/or mem until released; returns its slot. */
static size_t hold(struct state *s, json_t *v, void *mem)
{
	if (s->nheld == s->capheld)
		s->held = xrealloc(s->held, (s->capheld = s->capheld ? 2 * s->capheld : 16) * sizeof(*s->held));
	s->held[s->nheld].v = v;
	s->held[s->nheld].mem = mem;
	return s->nheld++;
}

/* Releases every slot from mark on. */
static void release_to(struct state *s, size_t mark)
{
	while (s->nheld > mark) {
		s->nheld--;
		json_decref(s->held[s->nheld].v);
		free(s->held[s->nheld].mem);
	}
}

/* Takes slot's value back out of the holding (the slot must be the last). */
static json_t *unhold(struct state *s, size_t slot)
{
	json_t *v = s->held[slot].v;

	s->nheld = slot;
	return v;
}

void tmpl_xerr(struct state *s, size_t pos, const char *ctx, const char *fmt, ...)
{
	char msg[512];
	const char *src = s->t->src, *nl = NULL;
	size_t i;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (i = 0; i < pos; i++)
		if (src[i] == '\n')
			nl = src + i;
	berr_set(s->err, BERR_INVALID, "template: :%d:%zu: executing \"\" at <%.20s%s>: %s",
		 tmpl_line_of(src, pos), nl ? pos - (size_t)(nl - src) - 1 : pos, ctx,
		 strlen(ctx) > 20 ? "..." : "", msg);
	longjmp(s->fail, 1);
}

/* ---- variables ---- */

static json_t *lookup_var(struct state *s, const char *name)
{
	size_t i = s->nvars;

	while (i--)
		if (!strcmp(s->vars[i].name, name))
			return json_incref(s->vars[i].v);
	return NULL;
}

/* Declares name (decl) or assigns the innermost name; v is borrowed. */
static void set_var(struct state *s, const char *name, json_t *v, int decl)
{
	size_t i = s->nvars;

	if (!decl)
		while (i--)
			if (!strcmp(s->vars[i].name, name)) {
				json_decref(s->vars[i].v);
				s->vars[i].v = json_incref(v);
				return;
			}
	s->vars = xrealloc(s->vars, (s->nvars + 1) * sizeof(*s->vars));
	s->vars[s->nvars].name = xstrdup(name);
	s->vars[s->nvars++].v = json_incref(v);
}

/* Ends the scope of the variables declared since mark. */
static void pop_vars(struct state *s, size_t mark)
{
	while (s->nvars > mark) {
		s->nvars--;
		free(s->vars[s->nvars].name);
		json_decref(s->vars[s->nvars].v);
	}
}

/* ---- evaluation ---- */

static json_t *eval_pipe(struct state *s, json_t *dot, struct pipe *pp);

/* Field f of v (held in slot), as the next link of a chain: a new
 * reference, or NULL for a missing key. */
static json_t *eval_field(struct state *s, struct cmd *c, size_t pos, const char *src, size_t slot,
			  const char *f, int first)
{
	json_t *v = s->held[slot].v, *r;

	if (json_is_null(v))
		tmpl_xerr(s, src ? pos : c->pos, src ? src : c->src, "nil pointer evaluating interface {}.%s", f);
	if (!json_is_object(v)) {
		const char *tn = tmpl_type_name(v), *at = strstr(c->src, f);

		tmpl_xerr(s, c->pos + (at && at > c->src ? (size_t)(at - c->src) - 1 : 0), c->src,
			  "can't evaluate field %s in type %s", f, first ? tn : "interface {}");
	}
	if (tmpl_is_typed(v)) {
		r = tmpl_plain(v);
		json_decref(v);
		s->held[slot].v = v = r;
		if (!json_is_object(v))
			tmpl_xerr(s, pos, c->src, "nil pointer evaluating %s", f);
	}
	return json_incref(json_object_get(v, f));
}

/* The chain of n fields f of v, which it takes. */
static json_t *eval_fields(struct state *s, struct cmd *c, size_t pos, const char *src, json_t *v, char **f,
			   size_t n)
{
	size_t i, slot = hold(s, v, NULL);
	json_t *r;

	for (i = 0; i < n && s->held[slot].v; i++) {
		r = eval_field(s, c, pos, src, slot, f[i], i == 0);
		json_decref(s->held[slot].v);
		s->held[slot].v = r;
		if (!r && s->missing_error)
			tmpl_xerr(s, pos, src ? src : c->src, "map has no entry for key \"%s\"", f[i]);
	}
	return unhold(s, slot);
}

static json_t *eval_arg(struct state *s, struct cmd *c, json_t *dot, struct arg *a)
{
	switch (a->kind) {
	case A_DOT: return json_incref(dot);
	case A_FIELD: return eval_fields(s, c, a->pos, a->src, json_incref(dot), a->fields, a->nfields);
	case A_VAR: return eval_fields(s, c, c->pos, NULL, lookup_var(s, a->name), a->fields, a->nfields);
	case A_PIPE: return eval_fields(s, c, c->pos, NULL, eval_pipe(s, dot, a->pipe), a->fields, a->nfields);
	case A_STR: return json_string(a->name);
	case A_INT: return json_integer(a->i);
	case A_REAL: return json_real(a->d);
	case A_BOOL: return json_boolean(a->i);
	case A_NIL: return json_null();
	case A_IDENT: return tmpl_call(s, c, a->name, NULL, 0);
	}
	return NULL;
}

/* One command; final is the previous command's value in a pipeline. */
static json_t *eval_cmd(struct state *s, json_t *dot, struct cmd *c, json_t *final, int has_final)
{
	struct arg *a0 = c->args[0];
	json_t **args, *r;
	size_t i, n = 0, mark;

	if (a0->kind != A_IDENT) {
		if (c->n > 1 || has_final)
			tmpl_xerr(s, c->pos, c->src, "can't give argument to non-function %s", c->src);
		if (a0->kind == A_NIL)
			tmpl_xerr(s, c->pos, c->src, "nil is not a command");
		return eval_arg(s, c, dot, a0);
	}
	mark = s->nheld;
	for (i = 1; i < c->n; i++) {
		json_t *v = eval_arg(s, c, dot, c->args[i]);
		hold(s, v, NULL);
		n++;
	}
	if (has_final) {
		hold(s, json_incref(final), NULL);
		n++;
	}
	/* The arguments, in a copy: tmpl_call may hold more (moving s->held). */
	args = xcalloc(n + 1, sizeof(*args));
	hold(s, NULL, args);
	for (i = 0; i < n; i++)
		args[i] = s->held[mark + i].v;
	r = tmpl_call(s, c, a0->name, args, n);
	release_to(s, mark);
	return r;
}

static json_t *eval_pipe(struct state *s, json_t *dot, struct pipe *pp)
{
	json_t *v, *nv;
	size_t i, slot = hold(s, NULL, NULL);
	int j;

	for (i = 0; i < pp->n; i++) {
		nv = eval_cmd(s, dot, pp->cmds[i], s->held[slot].v, i > 0);
		json_decref(s->held[slot].v);
		s->held[slot].v = nv;
	}
	v = unhold(s, slot);
	for (j = 0; j < pp->nvars && pp->nvars == 1; j++)
		set_var(s, pp->vars[0], v, pp->decl);
	return v;
}

/* ---- execution ---- */

static void exec_list(struct state *s, json_t *dot, struct list *l);

/* One iteration of range: $i, $v (if declared) and the body with dot elem. */
static void range_step(struct state *s, struct node *n, int nv, json_t *key, json_t *elem)
{
	size_t mark = s->nvars;

	if (nv == 2)
		set_var(s, n->pipe->vars[0], key, 1);
	if (nv)
		set_var(s, n->pipe->vars[nv - 1], elem, 1);
	json_decref(key);
	exec_list(s, elem, n->list);
	pop_vars(s, mark);
}

/* Ranges over v (held), arrays by index, objects in sorted key order. */
static void range_over(struct state *s, struct node *n, int nv, json_t *v)
{
	size_t i, nk;
	const char **keys;

	if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++)
			range_step(s, n, nv, json_integer(i), json_array_get(v, i));
		return;
	}
	keys = tmpl_sorted_keys(v, &nk);
	hold(s, NULL, keys);
	for (i = 0; i < nk; i++)
		range_step(s, n, nv, json_string(keys[i]), json_object_get(v, keys[i]));
}

static void exec_range(struct state *s, json_t *dot, struct node *n)
{
	size_t slot;
	json_t *v;
	struct pipe *pp = n->pipe;
	int nv = pp->nvars;

	/* The variables are range's, not the pipeline's. */
	pp->nvars = 0;
	v = eval_pipe(s, dot, pp);
	pp->nvars = nv;
	if (tmpl_is_typed(v)) {
		json_t *pv = tmpl_plain(v);

		json_decref(v);
		v = pv;
	}
	slot = hold(s, v, NULL);
	if (v && !json_is_array(v) && !json_is_object(v) && !json_is_null(v)) {
		struct sbuf b = SBUF_INIT;

		tmpl_print_v(&b, v);
		hold(s, NULL, sbuf_detach(&b, NULL));
		tmpl_xerr(s, pp->cmds[0]->pos, pp->cmds[0]->src, "range can't iterate over %s",
			  (char *)s->held[slot + 1].mem);
	}
	if (!tmpl_truth(v)) {
		release_to(s, slot);
		if (n->elist)
			exec_list(s, dot, n->elist);
		return;
	}
	range_over(s, n, nv, v);
	release_to(s, slot);
}

/* if and with: the body (with: its dot the value) or the else branch. */
static void exec_if_with(struct state *s, json_t *dot, struct node *n)
{
	json_t *v = eval_pipe(s, dot, n->pipe);
	size_t slot = hold(s, v, NULL);

	if (tmpl_truth(v))
		exec_list(s, n->kind == N_WITH ? v : dot, n->list);
	else if (n->elist)
		exec_list(s, dot, n->elist);
	release_to(s, slot);
}

static void exec_list(struct state *s, json_t *dot, struct list *l)
{
	size_t i, mark = s->nvars;
	struct node *n;
	json_t *v;

	for (i = 0; l && i < l->n; i++) {
		n = l->v[i];
		switch (n->kind) {
		case N_TEXT:
			sbuf_add(s->out, n->text, n->len);
			break;
		case N_ACTION:
			v = eval_pipe(s, dot, n->pipe);
			if (!n->pipe->decl && !n->pipe->nvars)
				tmpl_print_value(s->out, v);
			json_decref(v);
			break;
		case N_RANGE:
			exec_range(s, dot, n);
			break;
		default:
			exec_if_with(s, dot, n);
			pop_vars(s, mark);
		}
	}
	pop_vars(s, mark);
}

int tmpl_exec(const struct tmpl *t, json_t *data, struct sbuf *out, struct berr *err)
{
	return tmpl_exec_opts(t, data, out, 0, err);
}

int tmpl_exec_opts(const struct tmpl *t, json_t *data, struct sbuf *out, int missing_error, struct berr *err)
{
	struct state *s = xcalloc(1, sizeof(*s));
	size_t len = out->len;
	int rc = 0;

	s->missing_error = missing_error;
	s->t = t;
	s->out = out;
	s->err = err;
	set_var(s, "$", data, 1);
	if (setjmp(s->fail)) {
		rc = -1;
		out->len = len;
		if (out->buf)
			out->buf[len] = 0;
	} else {
		exec_list(s, data, t->root);
	}
	release_to(s, 0);
	free(s->held);
	pop_vars(s, 0);
	free(s->vars);
	free(s);
	return rc;
}
