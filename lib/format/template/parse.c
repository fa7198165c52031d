/*
 * parse.c - the template's tree (internal.h), built straight from the
 * text as Go's text/template/parse does, with its error messages.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- the arena ---- */

/* The parse tree lives in an arena freed whole, so that a parse failing
 * half way (tmpl_perr unwinds with longjmp) leaks nothing. */
struct arena {
	struct arena *next;
	size_t used, cap;
	max_align_t data[];
};

/* Zeroed memory from the template's arena. */
static void *arena_alloc(struct tmpl *t, size_t size)
{
	struct arena *a = t->arena;
	size_t need = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	void *ret;

	if (!a || a->cap - a->used < need) {
		size_t cap = need > 4096 ? need : 4096;
		a = xcalloc(1, sizeof(*a) + cap);
		a->cap = cap;
		a->next = t->arena;
		t->arena = a;
	}
	ret = (char *)a->data + a->used;
	a->used += need;
	return ret;
}

static void arena_free(struct arena *a)
{
	while (a) {
		struct arena *next = a->next;
		free(a);
		a = next;
	}
}

/* Tree allocations (from the arena). */
static void *tnew(struct parser *p, size_t size)
{
	return arena_alloc(p->t, size);
}

static char *tstrndup(struct parser *p, const char *s, size_t n)
{
	char *d = arena_alloc(p->t, n + 1);

	memcpy(d, s, n);
	return d;
}

static char *tstrdup(struct parser *p, const char *s)
{
	return tstrndup(p, s, strlen(s));
}

/* Appends to a tree array, whose capacity is 4, then doubling. */
static void tpush(struct parser *p, void ***v, size_t *n, void *x)
{
	if (*n == 0 || (*n >= 4 && !(*n & (*n - 1)))) {
		void **nv = arena_alloc(p->t, (*n ? 2 * *n : 4) * sizeof(*nv));
		if (*n)
			memcpy(nv, *v, *n * sizeof(*nv));
		*v = nv;
	}
	(*v)[(*n)++] = x;
}

/* ---- variables in scope (heap, freed by tmpl_parse) ---- */

static void push_var(struct parser *p, const char *name)
{
	p->vars = xrealloc(p->vars, (p->nvars + 1) * sizeof(*p->vars));
	p->vars[p->nvars++] = xstrdup(name);
}

static void pop_vars(struct parser *p, size_t mark)
{
	while (p->nvars > mark)
		free(p->vars[--p->nvars]);
}

static int has_var(struct parser *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nvars; i++)
		if (!strcmp(p->vars[i], name))
			return 1;
	return 0;
}

/* ---- nesting ---- */

static void enter(struct parser *p)
{
	if (++p->depth > TMPL_MAX_DEPTH)
		tmpl_perr(p, "exceeded maximum nesting depth (%d)", TMPL_MAX_DEPTH);
}

static void leave(struct parser *p)
{
	p->depth--;
}

/* ---- pipelines ---- */

static struct pipe *parse_pipe(struct parser *p, const char *ctx, enum tok end);

/* .A.B after an operand, with no space before the dot. */
static void parse_chain(struct parser *p, struct arg *a)
{
	while (!p->peeked && p->s[p->pos] == '.' && tmpl_is_word_char(p->s[p->pos + 1])) {
		tmpl_next(p);
		if (a->nfields == 1 && a->kind == A_FIELD)
			a->pos = p->tstart;
		tpush(p, (void ***)&a->fields, &a->nfields, tstrdup(p, p->val));
	}
}

static void parse_number(struct parser *p, struct arg *a)
{
	char *end;

	a->i = strtoll(p->val, &end, 0);
	a->kind = A_INT;
	if (*end) {
		a->d = strtod(p->val, &end);
		a->kind = A_REAL;
		if (*end)
			tmpl_perr(p, "bad number syntax: \"%s\"", p->val);
	}
}

/* true, false, nil or a function name. */
static void parse_ident(struct parser *p, struct arg *a)
{
	if (!strcmp(p->val, "true") || !strcmp(p->val, "false")) {
		a->kind = A_BOOL;
		a->i = p->val[0] == 't';
		return;
	}
	if (!strcmp(p->val, "nil")) {
		a->kind = A_NIL;
		return;
	}
	if (tmpl_is_keyword(p->val, strlen(p->val)))	/* nil was taken above */
		tmpl_unexpected(p, "operand");
	if (!tmpl_is_builtin(p->val))
		tmpl_perr(p, "function \"%s\" not defined", p->val);
	a->kind = A_IDENT;
	a->name = tstrdup(p, p->val);
}

static void parse_field(struct parser *p, struct arg *a)
{
	size_t start = p->tstart;

	a->kind = A_FIELD;
	a->pos = start;
	tpush(p, (void ***)&a->fields, &a->nfields, tstrdup(p, p->val));
	parse_chain(p, a);
	a->src = tstrndup(p, p->s + start, p->pos - start);
}

/* The next operand, or NULL when the next token starts none. */
static struct arg *parse_operand(struct parser *p)
{
	struct arg *a = tnew(p, sizeof(*a));
	enum tok t = tmpl_peek_ns(p);

	switch (t) {
	case T_FIELD: case T_DOT: case T_VAR: case T_STR: case T_NUM: case T_IDENT: case T_LPAREN:
		tmpl_next(p);
		break;
	default:
		return NULL;	/* a is the arena's */
	}
	switch (t) {
	case T_FIELD:
		parse_field(p, a);
		break;
	case T_DOT:
		a->kind = A_DOT;
		break;
	case T_VAR:
		if (!has_var(p, p->val))
			tmpl_perr(p, "undefined variable \"%s\"", p->val);
		a->kind = A_VAR;
		a->name = tstrdup(p, p->val);
		parse_chain(p, a);
		break;
	case T_STR:
		a->kind = A_STR;
		a->name = tstrdup(p, p->val);
		break;
	case T_NUM:
		parse_number(p, a);
		break;
	case T_IDENT:
		parse_ident(p, a);
		break;
	default: /* T_LPAREN */
		a->kind = A_PIPE;
		enter(p);
		a->pipe = parse_pipe(p, "parenthesized pipeline", T_RPAREN);
		leave(p);
		parse_chain(p, a);
	}
	return a;
}

static int ends_cmd(enum tok t)
{
	return t == T_RDELIM || t == T_RPAREN || t == T_PIPE;
}

/* Operands separated by spaces, up to "}}", ")" or "|" (left peeked). */
static struct cmd *parse_cmd(struct parser *p)
{
	struct cmd *c = tnew(p, sizeof(*c));
	struct arg *a;

	tmpl_peek_ns(p);
	c->pos = p->tstart;
	while ((a = parse_operand(p))) {
		tpush(p, (void ***)&c->args, &c->n, a);
		tmpl_next(p);
		if (p->tok == T_SPACE)
			continue;
		if (ends_cmd(p->tok)) {
			p->peeked = 1;
			break;
		}
		tmpl_unexpected(p, "operand");
	}
	tmpl_next_ns(p);
	if (c->n && !ends_cmd(p->tok))
		tmpl_unexpected(p, "operand");
	if (!c->n)
		tmpl_unexpected(p, "command");
	p->peeked = 1;
	c->src = tstrndup(p, p->s + c->pos, p->pstart - c->pos);
	while (c->src[0] && isspace((unsigned char)c->src[strlen(c->src) - 1]))
		c->src[strlen(c->src) - 1] = 0;
	return c;
}

/* "$x :=", "$i, $v :=" or "$x =" at the pipeline's start, if there; else
 * the lexer goes back to where it was. */
static void parse_decl(struct parser *p, struct pipe *pp)
{
	size_t save = p->peeked ? p->tstart : p->pos;
	char *v1 = NULL, *v2 = NULL;

	if (tmpl_peek_ns(p) != T_VAR)
		return;
	tmpl_next(p);
	v1 = tstrdup(p, p->val);
	tmpl_next_ns(p);
	if (p->tok == T_COMMA) {
		if (tmpl_next_ns(p) != T_VAR)
			tmpl_unexpected(p, "declaration");
		v2 = tstrdup(p, p->val);
		tmpl_next_ns(p);
	}
	if (p->tok == T_DECL || p->tok == T_ASSIGN) {
		pp->decl = p->tok == T_DECL;
		pp->vars[0] = v1;
		pp->vars[1] = v2;
		pp->nvars = v2 ? 2 : 1;
		if (!pp->decl && !has_var(p, v1))
			tmpl_perr(p, "undefined variable \"%s\"", v1);
		return;
	}
	p->pos = save;
	p->peeked = 0;
}

static int starts_operand(enum tok t)
{
	return t == T_FIELD || t == T_DOT || t == T_VAR || t == T_IDENT || t == T_STR || t == T_NUM ||
	       t == T_LPAREN;
}

/* Go's checkPipeline: only the first command may be a plain value. */
static void check_pipe(struct parser *p, struct pipe *pp)
{
	for (size_t k = 1; k < pp->n; k++) {
		enum arg_kind a = pp->cmds[k]->args[0]->kind;
		if (a == A_BOOL || a == A_DOT || a == A_NIL || a == A_INT || a == A_REAL || a == A_STR)
			tmpl_perr(p, "non executable command in pipeline stage %zu", k + 1);
	}
}

static struct pipe *parse_pipe(struct parser *p, const char *ctx, enum tok end)
{
	struct pipe *pp = tnew(p, sizeof(*pp));
	int i;

	parse_decl(p, pp);
	/* Go's pipeline(): commands separated by "|", a "|" before the end
	 * allowed (Go 1.19 accepts it), then checkPipeline. */
	for (;;) {
		enum tok t = tmpl_peek_ns(p);

		if (t == end) {
			tmpl_next_ns(p);
			break;
		}
		/* The lexer's own error for "(" left open at the action's end. */
		if (end == T_RPAREN && (t == T_RDELIM || t == T_EOF))
			tmpl_perr(p, "unclosed left paren");
		if (!starts_operand(t)) {
			tmpl_next_ns(p);
			tmpl_unexpected(p, ctx);
		}
		tpush(p, (void ***)&pp->cmds, &pp->n, parse_cmd(p));
		tmpl_next_ns(p);
		if (p->tok == end)
			break;
		if (p->tok != T_PIPE)
			tmpl_unexpected(p, ctx);
	}
	if (!pp->n)
		tmpl_perr(p, "missing value for %s", ctx);
	check_pipe(p, pp);
	if (pp->decl)
		for (i = 0; i < pp->nvars; i++)
			push_var(p, pp->vars[i]);
	return pp;
}

/* ---- lists and actions ---- */

/* What ended a list. */
enum term { TERM_EOF, TERM_END, TERM_ELSE, TERM_ELSE_IF };

static struct list *parse_list(struct parser *p, enum term *term);

/* if, range or with after its keyword, up to its {{end}}. */
static struct node *parse_control(struct parser *p, enum node_kind kind, const char *what)
{
	struct node *n = tnew(p, sizeof(*n));
	enum term term;
	size_t mark = p->nvars;

	enter(p);
	n->kind = kind;
	n->pipe = parse_pipe(p, what, T_RDELIM);
	n->list = parse_list(p, &term);
	if (term == TERM_EOF)
		tmpl_perr(p, "unexpected EOF");
	if (term == TERM_ELSE_IF) {
		struct node *in = parse_control(p, N_IF, "if");

		n->elist = tnew(p, sizeof(*n->elist));
		tpush(p, (void ***)&n->elist->v, &n->elist->n, in);
	} else if (term == TERM_ELSE) {
		n->elist = parse_list(p, &term);
		if (term != TERM_END)
			tmpl_perr(p, term == TERM_EOF ? "unexpected EOF" : "expected end; found {{else}}");
	}
	pop_vars(p, mark);
	leave(p);
	return n;
}

/* A comment action, the lexer just after its "{{". */
static void skip_comment(struct parser *p)
{
	const char *e = strstr(p->s + p->pos + 2, "*/");

	if (!e)
		tmpl_perr(p, "unclosed comment");
	p->pos = e + 2 - p->s;
	if (tmpl_next(p) != T_RDELIM)
		tmpl_perr(p, "comment ends before closing delimiter");
}

/* {{end}}, {{else}} or {{else if ...: sets *term; 0 when the action is
 * none of them. */
static int parse_terminator(struct parser *p, enum term *term)
{
	const char *kw = p->val;
	int is_else;

	if (strcmp(kw, "end") && strcmp(kw, "else"))
		return 0;
	is_else = kw[1] == 'l';
	tmpl_next(p);
	if (is_else && tmpl_peek_ns(p) == T_IDENT && !strcmp(p->val, "if")) {
		tmpl_next(p);
		*term = TERM_ELSE_IF;
		return 1;
	}
	if (tmpl_next_ns(p) != T_RDELIM)
		tmpl_unexpected(p, is_else ? "else" : "end");
	*term = is_else ? TERM_ELSE : TERM_END;
	return 1;
}

/* Parses one action after "{{"; returns a node, or NULL for a comment or
 * a terminator (then *term is set). */
static struct node *parse_action(struct parser *p, enum term *term)
{
	struct node *n;

	if (p->s[p->pos] == '/' && p->s[p->pos + 1] == '*') {
		skip_comment(p);
		return NULL;
	}
	if (tmpl_peek_ns(p) == T_IDENT) {
		const char *kw = p->val;

		if (parse_terminator(p, term))
			return NULL;
		if (!strcmp(kw, "if") || !strcmp(kw, "range") || !strcmp(kw, "with")) {
			enum node_kind k = kw[0] == 'i' ? N_IF : kw[0] == 'r' ? N_RANGE : N_WITH;
			const char *what = k == N_IF ? "if" : k == N_RANGE ? "range" : "with";

			tmpl_next(p);
			return parse_control(p, k, what);
		}
		if (!strcmp(kw, "define") || !strcmp(kw, "template") || !strcmp(kw, "block"))
			tmpl_perr(p, "%s is not supported", kw);
	}
	n = tnew(p, sizeof(*n));
	n->kind = N_ACTION;
	n->pipe = parse_pipe(p, "command", T_RDELIM);
	return n;
}

/* "{{- " trims the text before it ("{{-3" is a number).  strchr would
 * also find the string's NUL: "{{-" at the very end is no trim marker. */
static int is_trim_left(const char *open)
{
	return open[2] == '-' && open[3] && strchr(" \t\r\n", open[3]);
}

/* The text from the parser's position up to the next "{{" (or the end). */
static struct node *text_node(struct parser *p, const char *open)
{
	size_t end = open ? (size_t)(open - p->s) : strlen(p->s);
	struct node *t = tnew(p, sizeof(*t));

	t->kind = N_TEXT;
	t->text = (char *)p->s + p->pos;
	t->len = end - p->pos;
	if (p->trim_after)
		while (t->len && isspace((unsigned char)*t->text)) {
			t->text++;
			t->len--;
		}
	p->trim_after = 0;
	p->pos = end;
	if (open && is_trim_left(open))
		while (t->len && isspace((unsigned char)t->text[t->len - 1]))
			t->len--;
	return t;
}

/* Text and actions up to the end of the text or a terminator. */
static struct list *parse_list(struct parser *p, enum term *term)
{
	struct list *l = tnew(p, sizeof(*l));

	for (;;) {
		const char *open = strstr(p->s + p->pos, "{{");
		struct node *t = text_node(p, open), *n;
		enum term tm = TERM_EOF;

		if (t->len)
			tpush(p, (void ***)&l->v, &l->n, t);
		if (!open) {
			*term = TERM_EOF;
			return l;
		}
		p->pos += is_trim_left(open) ? 4 : 2;
		p->tstart = p->pos;
		n = parse_action(p, &tm);
		if (n) {
			tpush(p, (void ***)&l->v, &l->n, n);
		} else if (tm != TERM_EOF) {
			*term = tm;
			return l;
		}
	}
}

/* ---- the interface ---- */

void tmpl_free(struct tmpl *t)
{
	if (!t)
		return;
	arena_free(t->arena);
	free(t->src);
	free(t);
}

int tmpl_parse(struct tmpl **out, const char *text, struct berr *err)
{
	struct tmpl *t = xcalloc(1, sizeof(*t));
	struct parser *p = xcalloc(1, sizeof(*p));
	enum term term = TERM_EOF;
	int rc = 0;

	t->src = xstrdup(text);
	p->t = t;
	p->s = t->src;
	p->err = err;
	push_var(p, "$");
	if (setjmp(p->fail)) {
		rc = -1;
	} else {
		t->root = parse_list(p, &term);
		if (term != TERM_EOF)
			tmpl_perr(p, "unexpected {{%s}}", term == TERM_END ? "end" : "else");
	}
	/* The tree, whole or partial, is in t's arena. */
	pop_vars(p, 0);
	free(p->vars);
	free(p->val);
	sbuf_release(&p->str);
	free(p);
	if (rc) {
		tmpl_free(t);
		*out = NULL;
		return -1;
	}
	*out = t;
	return 0;
}
