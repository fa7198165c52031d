/*
 * template.c - a Go text/template subset over jansson values (template.h).
 *
 * The parser builds a small tree straight from the text; execution walks it
 * with a value stack of owned json_t references.  NULL stands for Go's
 * invalid reflect.Value (a missing key), json null for a nil interface.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gojson.h"
#include "template.h"


enum arg_kind { A_FIELD, A_VAR, A_DOT, A_IDENT, A_STR, A_INT, A_REAL, A_BOOL, A_NIL, A_PIPE };
enum node_kind { N_TEXT, N_ACTION, N_IF, N_RANGE, N_WITH };

struct pipe;

struct arg {
	enum arg_kind kind;
	char *name;
	char **fields;
	size_t nfields;
	json_int_t i;
	double d;
	struct pipe *pipe;
	size_t pos;     /* Go's node position: a chain's second field, else the operand */
	char *src;      /* a field chain's text, for error contexts */
};

struct cmd {
	size_t pos;
	char *src;
	struct arg **args;
	size_t n;
};

struct pipe {
	char *vars[2];
	int nvars;
	int decl;
	struct cmd **cmds;
	size_t n;
};

struct list;

struct node {
	enum node_kind kind;
	char *text;
	size_t len;
	struct pipe *pipe;
	struct list *list, *elist;
};

struct list {
	struct node **v;
	size_t n;
};

/* The parse tree lives in an arena freed whole, so that a parse failing
 * half way (perr unwinds with longjmp) leaks nothing. */
struct arena {
	struct arena *next;
	size_t used, cap;
	max_align_t data[];
};

struct tmpl {
	char *src;
	struct list *root;
	struct arena *arena;
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

static const char *const builtin_names[] = {
	"and", "or", "not", "eq", "ne", "lt", "le", "gt", "ge", "len", "index",
	"print", "printf", "println", "json", "join", "split", "lower", "upper",
	"title", "pad", "truncate", NULL,
};

/* ---- parsing ---- */

enum tok { T_EOF, T_RDELIM, T_SPACE, T_FIELD, T_DOT, T_VAR, T_IDENT, T_STR, T_NUM,
	   T_PIPE, T_LPAREN, T_RPAREN, T_DECL, T_ASSIGN, T_COMMA, T_CHAR, T_BAD };

struct parser {
	struct tmpl *t;     /* whose arena holds the tree */
	const char *s;
	size_t pos;
	size_t tstart;
	enum tok tok;
	char *val;
	int peeked;
	size_t pstart;
	int trim_after;
	char **vars;
	size_t nvars;
	struct berr *err;
	jmp_buf fail;
};

static int line_of(const char *s, size_t pos)
{
	int line = 1;
	size_t i;

	for (i = 0; i < pos && s[i]; i++)
		line += s[i] == '\n';
	return line;
}

static void perr(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void perr(struct parser *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	berr_set(p->err, BERR_INVALID, "template parsing error: template: :%d: %s",
		 line_of(p->s, p->tstart), msg);
	longjmp(p->fail, 1);
}

static int at_rdelim(struct parser *p)
{
	const char *c = p->s + p->pos;

	if (c[0] == '}' && c[1] == '}')
		return 2;
	if (c[0] == ' ' && c[1] == '-' && c[2] == '}' && c[3] == '}')
		return 4;
	return 0;
}

static void lex_quoted(struct parser *p, struct sbuf *sb)
{
	const char *c = p->s;

	p->pos++;
	for (;;) {
		char ch = c[p->pos];

		if (!ch || ch == '\n')
			perr(p, "unterminated quoted string");
		p->pos++;
		if (ch == '"')
			return;
		if (ch != '\\') {
			sbuf_addch(sb, ch);
			continue;
		}
		ch = c[p->pos++];
		switch (ch) {
		case 'n': sbuf_addch(sb, '\n'); break;
		case 't': sbuf_addch(sb, '\t'); break;
		case 'r': sbuf_addch(sb, '\r'); break;
		case '\\': case '"': case '\'': sbuf_addch(sb, ch); break;
		case 'x': {
			char hx[3] = { c[p->pos], c[p->pos + 1], 0 };
			sbuf_addch(sb, (char)strtol(hx, NULL, 16));
			p->pos += 2;
			break;
		}
		default:
			perr(p, "invalid syntax");
		}
	}
}

static int is_alnum_(char c)
{
	return isalnum((unsigned char)c) || c == '_' || (c & 0x80);
}

static enum tok lex(struct parser *p)
{
	const char *c = p->s;
	size_t st;
	struct sbuf sb = SBUF_INIT;
	int d;

	free(p->val);
	p->val = NULL;
	p->tstart = p->pos;
	if ((d = at_rdelim(p))) {
		p->trim_after = d == 4;
		p->pos += d;
		return T_RDELIM;
	}
	st = p->pos;
	switch (c[p->pos]) {
	case 0:
		return T_EOF;
	case ' ': case '\t': case '\n': case '\r':
		while (c[p->pos] && strchr(" \t\r\n", c[p->pos]) && !at_rdelim(p))
			p->pos++;
		return T_SPACE;
	case '|': p->pos++; return T_PIPE;
	case '(': p->pos++; return T_LPAREN;
	case ')': p->pos++; return T_RPAREN;
	case ',': p->pos++; return T_COMMA;
	case '=': p->pos++; return T_ASSIGN;
	case ':':
		if (c[p->pos + 1] == '=') {
			p->pos += 2;
			return T_DECL;
		}
		break;
	case '"':
		lex_quoted(p, &sb);
		p->val = sbuf_detach(&sb, NULL);
		return T_STR;
	case '`':
		p->pos++;
		while (c[p->pos] && c[p->pos] != '`')
			p->pos++;
		if (!c[p->pos])
			perr(p, "unterminated raw quoted string");
		p->val = xstrndup(c + st + 1, p->pos - st - 1);
		p->pos++;
		return T_STR;
	case '\'': {
		/* A character constant is a number: 'a' is 97.  Go's lexer
		 * scans to the closing quote, then the parser unquotes. */
		unsigned long cp = 0;
		size_t q = p->pos + 1, end;
		int ok = 1;

		while (c[q] && c[q] != '\n' && c[q] != '\'')
			q += c[q] == '\\' && c[q + 1] && c[q + 1] != '\n' ? 2 : 1;
		if (c[q] != '\'')
			perr(p, "unterminated character constant");
		end = q;
		q = p->pos + 1;
		if (c[q] == '\\') {
			static const char esc[] = "n\nt\tr\r\\\\''0\0";
			const char *e = strchr(esc, c[q + 1]);
			ok = e && !((e - esc) % 2) && q + 2 == end;
			cp = ok ? (unsigned char)e[1] : 0;
		} else if ((unsigned char)c[q] >= 0x80) {
			unsigned char b0 = (unsigned char)c[q];
			int n = b0 >= 0xf0 ? 3 : b0 >= 0xe0 ? 2 : 1;
			cp = b0 & (0x3f >> n);
			for (q++; n-- > 0 && ((unsigned char)c[q] & 0xc0) == 0x80; q++)
				cp = (cp << 6) | ((unsigned char)c[q] & 0x3f);
			ok = q == end;
		} else {
			cp = (unsigned char)c[q];
			ok = q + 1 == end && c[q] != '\'';
		}
		if (!ok)
			perr(p, "malformed character constant: %.*s", (int)(end + 1 - p->pos), c + p->pos);
		p->pos = end + 1;
		p->val = xasprintf("%lu", cp);
		return T_NUM;
	}
	case '.':
		p->pos++;
		if (!is_alnum_(c[p->pos]) || isdigit((unsigned char)c[p->pos])) {
			if (isdigit((unsigned char)c[p->pos]))
				break;
			return T_DOT;
		}
		while (is_alnum_(c[p->pos]))
			p->pos++;
		p->val = xstrndup(c + st + 1, p->pos - st - 1);
		return T_FIELD;
	case '$':
		p->pos++;
		while (is_alnum_(c[p->pos]))
			p->pos++;
		p->val = xstrndup(c + st, p->pos - st);
		return T_VAR;
	}
	if (isdigit((unsigned char)c[p->pos]) || c[p->pos] == '-' || c[p->pos] == '+' || c[p->pos] == '.') {
		p->pos++;
		while (isalnum((unsigned char)c[p->pos]) || c[p->pos] == '.' ||
		       ((c[p->pos] == '-' || c[p->pos] == '+') && (c[p->pos - 1] == 'e' || c[p->pos - 1] == 'E')))
			p->pos++;
		p->val = xstrndup(c + st, p->pos - st);
		return T_NUM;
	}
	if (is_alnum_(c[p->pos])) {
		while (is_alnum_(c[p->pos]))
			p->pos++;
		p->val = xstrndup(c + st, p->pos - st);
		return T_IDENT;
	}
	if (c[p->pos] == '/' && c[p->pos + 1] == '*')
		perr(p, "comment ends before closing delimiter");
	p->pos++;
	p->val = xstrndup(c + st, 1);
	return T_CHAR;
}

static enum tok next(struct parser *p)
{
	if (p->peeked) {
		p->peeked = 0;
		return p->tok;
	}
	p->pstart = p->pos;
	p->tok = lex(p);
	return p->tok;
}

static enum tok next_ns(struct parser *p)
{
	while (next(p) == T_SPACE)
		;
	return p->tok;
}

static enum tok peek_ns(struct parser *p)
{
	next_ns(p);
	p->peeked = 1;
	return p->tok;
}

static const char *tok_desc(struct parser *p, char *buf, size_t n)
{
	switch (p->tok) {
	case T_EOF: return "EOF";
	case T_RDELIM: return "\"}}\"";
	case T_PIPE: return "\"|\"";
	case T_LPAREN: return "\"(\"";
	case T_RPAREN: return "\")\"";
	case T_DECL: return "\":=\"";
	case T_ASSIGN: return "\"=\"";
	case T_COMMA: return "\",\"";
	case T_DOT: return "<.>";    /* Go's keywords print as <kw> */
	case T_FIELD:
		snprintf(buf, n, "<.%s>", p->val);
		return buf;
	default: {
		/* Go's item.String(): keywords as <kw>, everything else quoted
		 * (more than 10 bytes: the first 10, quoted, then "..."). */
		static const char *const kw[] = { "block", "break", "continue", "define", "else", "end", "if",
						  "nil", "range", "template", "with", NULL };
		int len = (int)(p->pos - p->tstart), is_kw = 0;
		const char *t = p->s + p->tstart;

		for (size_t i = 0; p->tok == T_IDENT && kw[i]; i++)
			is_kw |= (int)strlen(kw[i]) == len && !strncmp(kw[i], t, (size_t)len);
		if (is_kw || (p->tok == T_IDENT && len <= 10 && !memchr(t, '"', (size_t)len)))
			snprintf(buf, n, is_kw ? "<%.*s>" : "\"%.*s\"", len, t);
		else if (len > 10)
			snprintf(buf, n, "\"%.10s\"...", t);
		else
			snprintf(buf, n, "\"%.*s\"", len, t);
		return buf;
	}
	}
}

static void unexpected(struct parser *p, const char *ctx) __attribute__((noreturn));
static void unexpected(struct parser *p, const char *ctx)
{
	char buf[128];

	if (p->tok == T_EOF)
		perr(p, "unclosed action");
	if (p->tok == T_CHAR)
		perr(p, "bad character U+%04X '%s'", (unsigned char)p->val[0], p->val);
	perr(p, "unexpected %s in %s", tok_desc(p, buf, sizeof(buf)), ctx);
}

static int is_builtin(const char *name)
{
	int i;

	for (i = 0; builtin_names[i]; i++)
		if (!strcmp(builtin_names[i], name))
			return 1;
	return 0;
}

static void push_ptr(void ***v, size_t *n, void *x)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = x;
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

static struct pipe *parse_pipe(struct parser *p, const char *ctx, enum tok end);

static int has_var(struct parser *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nvars; i++)
		if (!strcmp(p->vars[i], name))
			return 1;
	return 0;
}

static void parse_chain(struct parser *p, struct arg *a)
{
	while (!p->peeked && p->s[p->pos] == '.' && is_alnum_(p->s[p->pos + 1])) {
		next(p);
		if (a->nfields == 1 && a->kind == A_FIELD)
			a->pos = p->tstart;
		tpush(p, (void ***)&a->fields, &a->nfields, tstrdup(p, p->val));
	}
}

/* Go's keywords other than nil: not operands. */
static int is_keyword(const char *s)
{
	static const char *const kw[] = { "block", "break", "continue", "define", "else", "end", "if",
					  "range", "template", "with", NULL };

	for (size_t i = 0; kw[i]; i++)
		if (!strcmp(kw[i], s))
			return 1;
	return 0;
}

static struct arg *parse_operand(struct parser *p)
{
	struct arg *a = tnew(p, sizeof(*a));
	char *end;

	switch (peek_ns(p)) {
	case T_FIELD: {
		size_t start;

		next(p);
		a->kind = A_FIELD;
		a->pos = start = p->tstart;
		tpush(p, (void ***)&a->fields, &a->nfields, tstrdup(p, p->val));
		parse_chain(p, a);
		a->src = tstrndup(p, p->s + start, p->pos - start);
		return a;
	}
	case T_DOT:
		next(p);
		a->kind = A_DOT;
		return a;
	case T_VAR:
		next(p);
		if (!has_var(p, p->val))
			perr(p, "undefined variable \"%s\"", p->val);
		a->kind = A_VAR;
		a->name = tstrdup(p, p->val);
		parse_chain(p, a);
		return a;
	case T_STR:
		next(p);
		a->kind = A_STR;
		a->name = tstrdup(p, p->val);
		return a;
	case T_NUM:
		next(p);
		a->i = strtoll(p->val, &end, 0);
		a->kind = A_INT;
		if (*end) {
			a->d = strtod(p->val, &end);
			a->kind = A_REAL;
			if (*end)
				perr(p, "bad number syntax: \"%s\"", p->val);
		}
		return a;
	case T_IDENT:
		next(p);
		if (!strcmp(p->val, "true") || !strcmp(p->val, "false")) {
			a->kind = A_BOOL;
			a->i = p->val[0] == 't';
			return a;
		}
		if (!strcmp(p->val, "nil")) {
			a->kind = A_NIL;
			return a;
		}
		if (is_keyword(p->val))
			unexpected(p, "operand");
		if (!is_builtin(p->val))
			perr(p, "function \"%s\" not defined", p->val);
		a->kind = A_IDENT;
		a->name = tstrdup(p, p->val);
		return a;
	case T_LPAREN:
		next(p);
		a->kind = A_PIPE;
		a->pipe = parse_pipe(p, "parenthesized pipeline", T_RPAREN);
		parse_chain(p, a);
		return a;
	default:
		return NULL;	/* a is the arena's */
	}
}

static struct cmd *parse_cmd(struct parser *p, enum tok end)
{
	struct cmd *c = tnew(p, sizeof(*c));
	struct arg *a;

	peek_ns(p);
	c->pos = p->tstart;
	for (;;) {
		a = parse_operand(p);
		if (!a)
			break;
		tpush(p, (void ***)&c->args, &c->n, a);
		next(p);
		if (p->tok == T_SPACE)
			continue;
		if (p->tok == T_RDELIM || p->tok == T_RPAREN || p->tok == T_PIPE) {
			p->peeked = 1;
			break;
		}
		unexpected(p, "operand");
	}
	next_ns(p);
	if (c->n && p->tok != T_RDELIM && p->tok != T_RPAREN && p->tok != T_PIPE)
		unexpected(p, "operand");
	if (!c->n)
		unexpected(p, "command");
	p->peeked = 1;
	c->src = tstrndup(p, p->s + c->pos, p->pstart - c->pos);
	while (c->src[0] && isspace((unsigned char)c->src[strlen(c->src) - 1]))
		c->src[strlen(c->src) - 1] = 0;
	return c;
}

static void parse_decl(struct parser *p, struct pipe *pp)
{
	size_t save = p->peeked ? p->tstart : p->pos;
	char *v1 = NULL, *v2 = NULL;

	if (peek_ns(p) != T_VAR)
		return;
	next(p);
	v1 = tstrdup(p, p->val);
	next_ns(p);
	if (p->tok == T_COMMA) {
		if (next_ns(p) != T_VAR)
			unexpected(p, "declaration");
		v2 = tstrdup(p, p->val);
		next_ns(p);
	}
	if (p->tok == T_DECL || p->tok == T_ASSIGN) {
		pp->decl = p->tok == T_DECL;
		pp->vars[0] = v1;
		pp->vars[1] = v2;
		pp->nvars = v2 ? 2 : 1;
		if (!pp->decl && !has_var(p, v1))
			perr(p, "undefined variable \"%s\"", v1);
		return;
	}
	p->pos = save;
	p->peeked = 0;
}

static struct pipe *parse_pipe(struct parser *p, const char *ctx, enum tok end)
{
	struct pipe *pp = tnew(p, sizeof(*pp));
	int i;

	parse_decl(p, pp);
	/* Go's pipeline(): commands separated by "|", a "|" before the end
	 * allowed (Go 1.19 accepts it), then checkPipeline. */
	for (;;) {
		enum tok t = peek_ns(p);

		if (t == end) {
			next_ns(p);
			break;
		}
		/* The lexer's own error for "(" left open at the action's end. */
		if (end == T_RPAREN && (t == T_RDELIM || t == T_EOF))
			perr(p, "unclosed left paren");
		if (t != T_FIELD && t != T_DOT && t != T_VAR && t != T_IDENT && t != T_STR && t != T_NUM &&
		    t != T_LPAREN) {
			next_ns(p);
			unexpected(p, ctx);
		}
		tpush(p, (void ***)&pp->cmds, &pp->n, parse_cmd(p, end));
		next_ns(p);
		if (p->tok == end)
			break;
		if (p->tok != T_PIPE)
			unexpected(p, ctx);
	}
	if (!pp->n)
		perr(p, "missing value for %s", ctx);
	for (size_t k = 1; k < pp->n; k++) {
		enum arg_kind a = pp->cmds[k]->args[0]->kind;
		if (a == A_BOOL || a == A_DOT || a == A_NIL || a == A_INT || a == A_REAL || a == A_STR)
			perr(p, "non executable command in pipeline stage %zu", k + 1);
	}
	if (pp->decl)
		for (i = 0; i < pp->nvars; i++)
			push_ptr((void ***)&p->vars, &p->nvars, xstrdup(pp->vars[i]));
	return pp;
}

enum term { TERM_EOF, TERM_END, TERM_ELSE, TERM_ELSE_IF };

static struct list *parse_list(struct parser *p, enum term *term);

static void trim_left_ws(struct node *n)
{
	while (n->len && isspace((unsigned char)n->text[n->len - 1]))
		n->len--;
}

static struct node *parse_control(struct parser *p, enum node_kind kind, const char *what)
{
	struct node *n = tnew(p, sizeof(*n));
	enum term term;
	size_t mark = p->nvars;

	n->kind = kind;
	n->pipe = parse_pipe(p, what, T_RDELIM);
	n->list = parse_list(p, &term);
	if (term == TERM_EOF)
		perr(p, "unexpected EOF");
	if (term == TERM_ELSE_IF) {
		struct node *in = parse_control(p, N_IF, "if");

		n->elist = tnew(p, sizeof(*n->elist));
		tpush(p, (void ***)&n->elist->v, &n->elist->n, in);
	} else if (term == TERM_ELSE) {
		n->elist = parse_list(p, &term);
		if (term != TERM_END)
			perr(p, term == TERM_EOF ? "unexpected EOF" : "expected end; found {{else}}");
	}
	while (p->nvars > mark)
		free(p->vars[--p->nvars]);
	return n;
}

/* Parses one action after "{{"; returns a node, or NULL for a terminator. */
static struct node *parse_action(struct parser *p, enum term *term)
{
	struct node *n;

	if (p->s[p->pos] == '/' && p->s[p->pos + 1] == '*') {
		const char *e = strstr(p->s + p->pos + 2, "*/");

		if (!e)
			perr(p, "unclosed comment");
		p->pos = e + 2 - p->s;
		if (next(p) != T_RDELIM)
			perr(p, "comment ends before closing delimiter");
		return NULL;
	}
	if (peek_ns(p) == T_IDENT) {
		const char *kw = p->val;

		if (!strcmp(kw, "end") || !strcmp(kw, "else")) {
			int is_else = kw[1] == 'l';

			next(p);
			if (is_else && peek_ns(p) == T_IDENT && !strcmp(p->val, "if")) {
				next(p);
				*term = TERM_ELSE_IF;
				return NULL;
			}
			if (next_ns(p) != T_RDELIM)
				unexpected(p, is_else ? "else" : "end");
			*term = is_else ? TERM_ELSE : TERM_END;
			return NULL;
		}
		if (!strcmp(kw, "if") || !strcmp(kw, "range") || !strcmp(kw, "with")) {
			enum node_kind k = kw[0] == 'i' ? N_IF : kw[0] == 'r' ? N_RANGE : N_WITH;
			const char *what = k == N_IF ? "if" : k == N_RANGE ? "range" : "with";

			next(p);
			return parse_control(p, k, what);
		}
		if (!strcmp(kw, "define") || !strcmp(kw, "template") || !strcmp(kw, "block"))
			perr(p, "%s is not supported", kw);
	}
	n = tnew(p, sizeof(*n));
	n->kind = N_ACTION;
	n->pipe = parse_pipe(p, "command", T_RDELIM);
	return n;
}

static struct list *parse_list(struct parser *p, enum term *term)
{
	struct list *l = tnew(p, sizeof(*l));

	for (;;) {
		const char *open = strstr(p->s + p->pos, "{{");
		size_t end = open ? (size_t)(open - p->s) : strlen(p->s);
		struct node *t = tnew(p, sizeof(*t)), *n;
		enum term tm = TERM_EOF;

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
		if (open && open[2] == '-' && strchr(" \t\r\n", open[3]))
			trim_left_ws(t);
		if (t->len)
			tpush(p, (void ***)&l->v, &l->n, t);
		if (!open) {
			*term = TERM_EOF;
			return l;
		}
		p->pos += (open[2] == '-' && strchr(" \t\r\n", open[3])) ? 4 : 2;
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
	size_t i;
	int rc = 0;

	t->src = xstrdup(text);
	p->t = t;
	p->s = t->src;
	p->err = err;
	push_ptr((void ***)&p->vars, &p->nvars, xstrdup("$"));
	if (setjmp(p->fail)) {
		rc = -1;
	} else {
		t->root = parse_list(p, &term);
		if (term != TERM_EOF)
			perr(p, "unexpected {{%s}}", term == TERM_END ? "end" : "else");
	}
	/* The tree, whole or partial, is in t's arena. */
	for (i = 0; i < p->nvars; i++)
		free(p->vars[i]);
	free(p->vars);
	free(p->val);
	free(p);
	if (rc) {
		tmpl_free(t);
		*out = NULL;
		return -1;
	}
	*out = t;
	return 0;
}

/* ---- execution ---- */

struct var {
	char *name;
	json_t *v;
};

struct state {
	const struct tmpl *t;
	struct sbuf *out;
	struct var *vars;
	size_t nvars;
	struct berr *err;
	int missing_error; /* Option("missingkey=error") */
	/* What evaluation holds while it may fail: xerr unwinds with
	 * longjmp, and tmpl_exec releases these (values and memory). */
	struct held {
		json_t *v;
		void *mem;
	} *held;
	size_t nheld, capheld;
	jmp_buf fail;
};

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

static void xerr(struct state *s, size_t pos, const char *ctx, const char *fmt, ...)
	__attribute__((format(printf, 4, 5), noreturn));
static void xerr(struct state *s, size_t pos, const char *ctx, const char *fmt, ...)
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
		 line_of(src, pos), nl ? pos - (size_t)(nl - src) - 1 : pos, ctx,
		 strlen(ctx) > 20 ? "..." : "", msg);
	longjmp(s->fail, 1);
}

static const char *type_name(json_t *v)
{
	if (!v || json_is_null(v))
		return "<nil>";
	switch (json_typeof(v)) {
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "int";
	case JSON_REAL: return "float64";
	case JSON_TRUE: case JSON_FALSE: return "bool";
	case JSON_ARRAY: return "[]interface {}";
	default: return "map[string]interface {}";
	}
}

/* Typed values (template.h): a Go value whose printed form is not its
 * JSON's, and Go structs. */
static int is_typed(json_t *v)
{
	return json_is_object(v) && json_object_get(v, TMPL_GO_JSON);
}

static int is_struct(json_t *v)
{
	return json_is_object(v) && json_object_get(v, TMPL_GO_STRUCT);
}

/* v with typed values replaced by their JSON (a new reference). */
static json_t *plain(json_t *v)
{
	json_t *r, *m;
	const char *k;
	size_t i;

	if (is_typed(v))
		return plain(json_object_get(v, TMPL_GO_JSON));
	if (is_struct(v) && json_object_get(v, TMPL_GO_RAW))
		return json_incref(json_object_get(v, TMPL_GO_RAW));
	if (json_is_object(v)) {
		r = json_object();
		json_object_foreach(v, k, m)
			if (k[0] != '\x01')
				json_object_set_new(r, k, plain(m));
		return r;
	}
	if (json_is_array(v)) {
		r = json_array();
		json_array_foreach(v, i, m)
			json_array_append_new(r, plain(m));
		return r;
	}
	return json_incref(v);
}

static int truth(json_t *v)
{
	if (!v)
		return 0;
	if (is_typed(v))
		return json_is_true(json_object_get(v, TMPL_GO_TRUTH));
	if (is_struct(v))
		return 1;
	switch (json_typeof(v)) {
	case JSON_STRING: return json_string_length(v) > 0;
	case JSON_INTEGER: return json_integer_value(v) != 0;
	case JSON_REAL: return json_real_value(v) != 0;
	case JSON_TRUE: return 1;
	case JSON_ARRAY: return json_array_size(v) > 0;
	case JSON_OBJECT: return json_object_size(v) > 0;
	default: return 0;
	}
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char **sorted_keys(json_t *o, size_t *n)
{
	const char **k = xcalloc(json_object_size(o) + 1, sizeof(*k));
	const char *key;
	json_t *m;

	*n = 0;
	json_object_foreach(o, key, m)
		k[(*n)++] = key;
	qsort(k, *n, sizeof(*k), cmp_keys);
	return k;
}

/* fmt's %v. */
static void print_v(struct sbuf *out, json_t *v)
{
	size_t i, n;
	const char **keys;

	if (!v || json_is_null(v)) {
		sbuf_addstr(out, "<nil>");
		return;
	}
	if (is_typed(v)) {
		sbuf_addstr(out, json_string_value(json_object_get(v, TMPL_GO_FMT)));
		return;
	}
	if (is_struct(v)) {
		const char *k;
		json_t *m;
		int first = 1;

		/* fmt's %v of a struct: the fields in order, no names. */
		sbuf_addch(out, '{');
		json_object_foreach(v, k, m) {
			if (k[0] == '\x01')
				continue;
			if (!first)
				sbuf_addch(out, ' ');
			first = 0;
			print_v(out, m);
		}
		sbuf_addch(out, '}');
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		sbuf_add(out, json_string_value(v), json_string_length(v));
		return;
	case JSON_INTEGER:
		sbuf_addf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return;
	case JSON_REAL:
		gojson_format_real(out, json_real_value(v), 1);
		return;
	case JSON_TRUE: sbuf_addstr(out, "true"); return;
	case JSON_FALSE: sbuf_addstr(out, "false"); return;
	case JSON_ARRAY:
		sbuf_addch(out, '[');
		for (i = 0; i < json_array_size(v); i++) {
			if (i)
				sbuf_addch(out, ' ');
			print_v(out, json_array_get(v, i));
		}
		sbuf_addch(out, ']');
		return;
	default:
		keys = sorted_keys(v, &n);
		sbuf_addstr(out, "map[");
		for (i = 0; i < n; i++) {
			if (i)
				sbuf_addch(out, ' ');
			sbuf_addstr(out, keys[i]);
			sbuf_addch(out, ':');
			print_v(out, json_object_get(v, keys[i]));
		}
		sbuf_addch(out, ']');
		free(keys);
	}
}

static json_t *eval_pipe(struct state *s, json_t *dot, struct pipe *pp);

static json_t *lookup_var(struct state *s, const char *name)
{
	size_t i = s->nvars;

	while (i--)
		if (!strcmp(s->vars[i].name, name))
			return json_incref(s->vars[i].v);
	return NULL;
}

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

static void pop_vars(struct state *s, size_t mark)
{
	while (s->nvars > mark) {
		s->nvars--;
		free(s->vars[s->nvars].name);
		json_decref(s->vars[s->nvars].v);
	}
}

/* Takes ownership of v. */
static json_t *eval_fields(struct state *s, struct cmd *c, size_t pos, const char *src, json_t *v, char **f,
			   size_t n)
{
	size_t i, slot = hold(s, v, NULL);
	json_t *r;

	for (i = 0; i < n; i++) {
		v = s->held[slot].v;
		if (!v)
			break;
		if (json_is_null(v))
			xerr(s, src ? pos : c->pos, src ? src : c->src, "nil pointer evaluating interface {}.%s", f[i]);
		if (!json_is_object(v)) {
			const char *tn = type_name(v), *at = strstr(c->src, f[i]);

			xerr(s, c->pos + (at && at > c->src ? (size_t)(at - c->src) - 1 : 0), c->src, "can't evaluate field %s in type %s",
			     f[i], i ? "interface {}" : tn);
		}
		if (is_typed(v)) {
			r = plain(v);
			json_decref(v);
			s->held[slot].v = v = r;
			if (!json_is_object(v))
				xerr(s, pos, c->src, "nil pointer evaluating %s", f[i]);
		}
		r = json_incref(json_object_get(v, f[i]));
		json_decref(v);
		s->held[slot].v = r;
		if (!r && s->missing_error)
			xerr(s, pos, src ? src : c->src, "map has no entry for key \"%s\"", f[i]);
	}
	return unhold(s, slot);
}

static json_t *call_func(struct state *s, struct cmd *c, const char *name, json_t **a, size_t n);

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
	case A_IDENT: return call_func(s, c, a->name, NULL, 0);
	}
	return NULL;
}

static json_t *eval_cmd(struct state *s, json_t *dot, struct cmd *c, json_t *final, int has_final)
{
	struct arg *a0 = c->args[0];
	json_t **args, *r;
	size_t i, n = 0, mark;

	if (a0->kind != A_IDENT) {
		if (c->n > 1 || has_final)
			xerr(s, c->pos, c->src, "can't give argument to non-function %s", c->src);
		if (a0->kind == A_NIL)
			xerr(s, c->pos, c->src, "nil is not a command");
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
	/* The arguments, in a copy: call_func may hold more (moving s->held). */
	args = xcalloc(n + 1, sizeof(*args));
	hold(s, NULL, args);
	for (i = 0; i < n; i++)
		args[i] = s->held[mark + i].v;
	r = call_func(s, c, a0->name, args, n);
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

static void exec_list(struct state *s, json_t *dot, struct list *l);

static void exec_range(struct state *s, json_t *dot, struct node *n)
{
	size_t mark = s->nvars, i, nk, slot;
	json_t *v, *k;
	const char **keys;
	struct pipe *pp = n->pipe;
	int nv = pp->nvars;

	pp->nvars = 0;
	v = eval_pipe(s, dot, pp);
	pp->nvars = nv;
	if (is_typed(v)) {
		json_t *pv = plain(v);

		json_decref(v);
		v = pv;
	}
	slot = hold(s, v, NULL);
	if (v && !json_is_array(v) && !json_is_object(v) && !json_is_null(v)) {
		struct sbuf b = SBUF_INIT;

		print_v(&b, v);
		hold(s, NULL, sbuf_detach(&b, NULL));
		xerr(s, pp->cmds[0]->pos, pp->cmds[0]->src, "range can't iterate over %s", (char *)s->held[slot + 1].mem);
	}
	if (!truth(v)) {
		release_to(s, slot);
		if (n->elist)
			exec_list(s, dot, n->elist);
		return;
	}
	if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++) {
			k = json_integer(i);
			if (nv == 2)
				set_var(s, pp->vars[0], k, 1);
			if (nv)
				set_var(s, pp->vars[nv - 1], json_array_get(v, i), 1);
			json_decref(k);
			exec_list(s, json_array_get(v, i), n->list);
			pop_vars(s, mark);
		}
	} else {
		keys = sorted_keys(v, &nk);
		hold(s, NULL, keys);
		for (i = 0; i < nk; i++) {
			k = json_string(keys[i]);
			if (nv == 2)
				set_var(s, pp->vars[0], k, 1);
			if (nv)
				set_var(s, pp->vars[nv - 1], json_object_get(v, keys[i]), 1);
			json_decref(k);
			exec_list(s, json_object_get(v, keys[i]), n->list);
			pop_vars(s, mark);
		}
	}
	release_to(s, slot);
}

static void print_value(struct sbuf *out, json_t *v)
{
	if (is_typed(v))
		print_v(out, v);
	else if (!v || json_is_null(v))
		sbuf_addstr(out, "<no value>");
	else
		print_v(out, v);
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
				print_value(s->out, v);
			json_decref(v);
			break;
		case N_RANGE:
			exec_range(s, dot, n);
			break;
		default: {
			size_t slot;

			v = eval_pipe(s, dot, n->pipe);
			slot = hold(s, v, NULL);
			if (truth(v))
				exec_list(s, n->kind == N_WITH ? v : dot, n->list);
			else if (n->elist)
				exec_list(s, dot, n->elist);
			release_to(s, slot);
			pop_vars(s, mark);
		}
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

/* ---- functions ---- */

static const char *want_str(struct state *s, struct cmd *c, json_t *v)
{
	if (!v || json_is_null(v))
		xerr(s, c->pos, c->src, "invalid value; expected string");
	if (!json_is_string(v))
		xerr(s, c->pos, c->src, "wrong type for value; expected string; got %s", type_name(v));
	return json_string_value(v);
}

static json_int_t want_int(struct state *s, struct cmd *c, json_t *v)
{
	if (!json_is_integer(v))
		xerr(s, c->pos, c->src, "wrong type for value; expected int; got %s", type_name(v));
	return json_integer_value(v);
}

static void want_n(struct state *s, struct cmd *c, const char *name, size_t n, size_t want, int atleast)
{
	if (atleast ? n < want : n != want)
		xerr(s, c->pos, c->src, "wrong number of args for %s: want %s%zu got %zu",
		     name, atleast ? "at least " : "", want, n);
}

/* 0 nil, 1 bool, 2 int, 3 real, 4 string, -1 not comparable. */
static int basic_kind(json_t *v)
{
	if (!v || json_is_null(v))
		return 0;
	if (json_is_boolean(v))
		return 1;
	if (json_is_integer(v))
		return 2;
	if (json_is_real(v))
		return 3;
	if (json_is_string(v))
		return 4;
	return -1;
}

static int compare(struct state *s, struct cmd *c, const char *name, json_t *a, json_t *b, int eq_only)
{
	int ka = basic_kind(a), kb = basic_kind(b);

	if (eq_only && (ka == 0 || kb == 0) && ka != kb)
		return 1;
	if (ka < 0 || kb < 0 || (!eq_only && (ka <= 1 || kb <= 1)))
		xerr(s, c->pos, c->src, "error calling %s: %s", name,
		     ka < 0 || kb < 0 || !eq_only ? "invalid type for comparison" : "incompatible types for comparison");
	if (ka != kb)
		xerr(s, c->pos, c->src, "error calling %s: incompatible types for comparison", name);
	switch (ka) {
	case 0: return 0;
	case 1: return json_is_true(a) != json_is_true(b);
	case 2: return (json_integer_value(a) > json_integer_value(b)) - (json_integer_value(a) < json_integer_value(b));
	case 3: return (json_real_value(a) > json_real_value(b)) - (json_real_value(a) < json_real_value(b));
	default: return strcmp(json_string_value(a), json_string_value(b));
	}
}

static json_t *fn_index(struct state *s, struct cmd *c, json_t **a, size_t n)
{
	json_t *v = a[0];
	size_t i;

	if (!v || json_is_null(v))
		xerr(s, c->pos, c->src, "error calling index: index of untyped nil");
	for (i = 1; i < n; i++) {
		if (json_is_array(v)) {
			json_int_t x;

			if (!json_is_integer(a[i]))
				xerr(s, c->pos, c->src, "error calling index: cannot index slice/array with type %s", type_name(a[i]));
			x = json_integer_value(a[i]);
			if (x < 0 || (size_t)x >= json_array_size(v))
				xerr(s, c->pos, c->src, "error calling index: index out of range: %" JSON_INTEGER_FORMAT, x);
			v = json_array_get(v, x);
		} else if (json_is_object(v)) {
			if (!json_is_string(a[i]))
				xerr(s, c->pos, c->src, "error calling index: value has type %s; should be string", type_name(a[i]));
			v = json_object_get(v, json_string_value(a[i]));
			if (!v)
				return json_null();
		} else {
			xerr(s, c->pos, c->src, "error calling index: can't index item of type %s", type_name(v));
		}
	}
	return json_incref(v);
}

static void fn_print(struct sbuf *b, json_t **a, size_t n, int ln)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i && (ln || (!json_is_string(a[i]) && !json_is_string(a[i - 1]))))
			sbuf_addch(b, ' ');
		print_v(b, a[i]);
	}
	if (ln)
		sbuf_addch(b, '\n');
}

static void bad_verb(struct sbuf *b, char verb, json_t *v)
{
	sbuf_addf(b, "%%!%c(", verb);
	if (!v || json_is_null(v)) {
		sbuf_addstr(b, "<nil>)");
		return;
	}
	sbuf_addf(b, "%s=", type_name(v));
	print_v(b, v);
	sbuf_addch(b, ')');
}

static void quote_go(struct sbuf *b, json_t *v)
{
	const char *p = json_string_value(v);
	size_t i, n = json_string_length(v);

	sbuf_addch(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char ch = p[i];

		if (ch == '"' || ch == '\\')
			sbuf_addf(b, "\\%c", ch);
		else if (ch == '\n')
			sbuf_addstr(b, "\\n");
		else if (ch == '\t')
			sbuf_addstr(b, "\\t");
		else if (ch == '\r')
			sbuf_addstr(b, "\\r");
		else if (ch < 0x20 || ch == 0x7f)
			sbuf_addf(b, "\\x%02x", ch);
		else
			sbuf_addch(b, ch);
	}
	sbuf_addch(b, '"');
}

/* The C format below is built from a checked spec (flags, width and
 * precision characters only) and a fixed verb, never from raw user text. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void fmt_one(struct sbuf *b, const char *spec, char verb, json_t *v)
{
	struct sbuf t = SBUF_INIT;
	char f[64];

	switch (verb) {
	case 'v':
		print_v(&t, v);
		break;
	case 's':
		if (json_is_string(v) || json_is_array(v))
			print_v(&t, v);
		else
			bad_verb(&t, verb, v);
		break;
	case 'q':
		if (json_is_string(v))
			quote_go(&t, v);
		else
			bad_verb(&t, verb, v);
		break;
	case 'd': case 'x': case 'X':
		if (json_is_integer(v)) {
			snprintf(f, sizeof(f), "%%%sll%c", spec, verb);
			sbuf_addf(b, f, (long long)json_integer_value(v));
			return;
		}
		bad_verb(&t, verb, v);
		break;
	case 'c':
		/* an integer as the character of that code point, in UTF-8 */
		if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 0x10ffff) {
			json_int_t cp = json_integer_value(v);
			char u[5] = { 0 };

			if (cp < 0x80) {
				u[0] = (char)cp;
			} else if (cp < 0x800) {
				u[0] = (char)(0xc0 | (cp >> 6));
				u[1] = (char)(0x80 | (cp & 0x3f));
			} else if (cp < 0x10000) {
				u[0] = (char)(0xe0 | (cp >> 12));
				u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
				u[2] = (char)(0x80 | (cp & 0x3f));
			} else {
				u[0] = (char)(0xf0 | (cp >> 18));
				u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
				u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
				u[3] = (char)(0x80 | (cp & 0x3f));
			}
			sbuf_add(&t, u, cp ? strlen(u) : 1);
		} else {
			bad_verb(&t, verb, v);
		}
		break;
	case 'f': case 'e': case 'g':
		if (json_is_real(v)) {
			snprintf(f, sizeof(f), "%%%s%c", spec, verb);
			sbuf_addf(b, f, json_real_value(v));
			return;
		}
		bad_verb(&t, verb, v);
		break;
	case 't':
		if (json_is_boolean(v))
			print_v(&t, v);
		else
			bad_verb(&t, verb, v);
		break;
	default:
		bad_verb(&t, verb, v);
	}
	snprintf(f, sizeof(f), "%%%ss", spec);
	sbuf_addf(b, f, sbuf_str(&t));
	sbuf_release(&t);
}
#pragma GCC diagnostic pop

static void fn_printf(struct sbuf *b, const char *fmt, json_t **a, size_t n)
{
	size_t ai = 0;

	while (*fmt) {
		char spec[32];
		size_t sl = 0;

		if (*fmt != '%') {
			sbuf_addch(b, *fmt++);
			continue;
		}
		fmt++;
		if (*fmt == '%') {
			sbuf_addch(b, *fmt++);
			continue;
		}
		while (*fmt && strchr("-+ #0123456789.", *fmt) && sl < sizeof(spec) - 1)
			spec[sl++] = *fmt++;
		spec[sl] = 0;
		if (!*fmt) {
			sbuf_addstr(b, "%!(NOVERB)");
			break;
		}
		if (ai >= n)
			sbuf_addf(b, "%%!%c(MISSING)", *fmt);
		else
			fmt_one(b, spec, *fmt, a[ai++]);
		fmt++;
	}
	if (ai < n) {
		sbuf_addstr(b, "%!(EXTRA ");
		for (; ai < n; ai++) {
			sbuf_addf(b, "%s=", type_name(a[ai]));
			print_v(b, a[ai]);
			if (ai + 1 < n)
				sbuf_addstr(b, ", ");
		}
		sbuf_addch(b, ')');
	}
}

static json_t *fn_split(const char *str, const char *sep)
{
	json_t *r = json_array();
	size_t sl = strlen(sep);
	const char *p = str, *q;

	if (!sl) {
		while (*p) {
			size_t l = 1;

			while (p[l] && ((unsigned char)p[l] & 0xc0) == 0x80)
				l++;
			json_array_append_new(r, json_stringn(p, l));
			p += l;
		}
		return r;
	}
	while ((q = strstr(p, sep))) {
		json_array_append_new(r, json_stringn(p, q - p));
		p = q + sl;
	}
	json_array_append_new(r, json_string(p));
	return r;
}

static json_t *fn_join(struct state *s, struct cmd *c, json_t *list, const char *sep)
{
	struct sbuf b = SBUF_INIT;
	size_t i;
	json_t *r;

	if (!json_is_array(list))
		xerr(s, c->pos, c->src, "wrong type for value; expected []string; got %s", type_name(list));
	for (i = 0; i < json_array_size(list); i++) {
		if (i)
			sbuf_addstr(&b, sep);
		sbuf_addstr(&b, want_str(s, c, json_array_get(list, i)));
	}
	r = json_string(sbuf_str(&b));
	sbuf_release(&b);
	return r;
}

static json_t *fn_case(const char *str, int kind)
{
	char *d = xstrdup(str), *p;
	int start = 1;

	for (p = d; *p; p++) {
		unsigned char ch = *p;

		if (kind == 'l')
			*p = tolower(ch);
		else if (kind == 'u')
			*p = toupper(ch);
		else {
			if (start && ch < 0x80)
				*p = toupper(ch);
			/* strings.Title: a word starts after anything but letters, digits, _ and ' */
			start = ch < 0x80 && !isalnum(ch) && ch != '_' && ch != '\'';
		}
	}
	json_t *r = json_string(d);
	free(d);
	return r;
}

static json_t *str_result(struct sbuf *b)
{
	json_t *r = json_stringn(sbuf_str(b), b->len);

	sbuf_release(b);
	return r;
}

static json_t *call_func(struct state *s, struct cmd *c, const char *name, json_t **a, size_t n)
{
	struct sbuf b = SBUF_INIT;
	size_t i;

	if (!strcmp(name, "and") || !strcmp(name, "or")) {
		want_n(s, c, name, n, 1, 1);
		for (i = 0; i + 1 < n; i++)
			if (truth(a[i]) == (name[0] == 'o'))
				break;
		return json_incref(a[i]);
	}
	if (!strcmp(name, "not")) {
		want_n(s, c, name, n, 1, 0);
		return json_boolean(!truth(a[0]));
	}
	if (!strcmp(name, "eq") || !strcmp(name, "ne")) {
		int hit = 0;

		want_n(s, c, name, n, name[0] == 'e' ? 1 : 2, name[0] == 'e');
		if (n < 2)
			xerr(s, c->pos, c->src, "error calling eq: missing argument for comparison");
		for (i = 1; i < n && !hit; i++)
			hit = !compare(s, c, name, a[0], a[i], 1);
		return json_boolean(name[0] == 'e' ? hit : !hit);
	}
	if (strlen(name) == 2 && (name[0] == 'l' || name[0] == 'g')) {
		int r;

		want_n(s, c, name, n, 2, 0);
		r = compare(s, c, name, a[0], a[1], 0);
		if (name[0] == 'g')
			r = -r;
		return json_boolean(name[1] == 't' ? r < 0 : r <= 0);
	}
	if (!strcmp(name, "len")) {
		want_n(s, c, name, n, 1, 0);
		if (is_typed(a[0]) && json_is_null(json_object_get(a[0], TMPL_GO_JSON)))
			return json_integer(0);
		if (json_is_string(a[0]))
			return json_integer(json_string_length(a[0]));
		if (json_is_array(a[0]))
			return json_integer(json_array_size(a[0]));
		if (json_is_object(a[0]))
			return json_integer(json_object_size(a[0]));
		if (!a[0] || json_is_null(a[0]))
			xerr(s, c->pos, c->src, "error calling len: len of nil pointer");
		xerr(s, c->pos, c->src, "error calling len: len of type %s", type_name(a[0]));
	}
	if (!strcmp(name, "index")) {
		want_n(s, c, name, n, 1, 1);
		return fn_index(s, c, a, n);
	}
	if (!strcmp(name, "print") || !strcmp(name, "println")) {
		fn_print(&b, a, n, name[5] == 'l');
		return str_result(&b);
	}
	if (!strcmp(name, "printf")) {
		want_n(s, c, name, n, 1, 1);
		fn_printf(&b, want_str(s, c, a[0]), a + 1, n - 1);
		return str_result(&b);
	}
	if (!strcmp(name, "json")) {
		want_n(s, c, name, n, 1, 0);
		/* docker's json func turns HTML escaping off. */
		{
			json_t *pv = plain(a[0]);

			gojson_write_opts(&b, json_is_null(pv) ? NULL : pv, NULL, NULL, 0);
			json_decref(pv);
		}
		return str_result(&b);
	}
	if (!strcmp(name, "split")) {
		want_n(s, c, name, n, 2, 0);
		return fn_split(want_str(s, c, a[0]), want_str(s, c, a[1]));
	}
	if (!strcmp(name, "join")) {
		want_n(s, c, name, n, 2, 0);
		return fn_join(s, c, a[0], want_str(s, c, a[1]));
	}
	if (!strcmp(name, "lower") || !strcmp(name, "upper") || !strcmp(name, "title")) {
		want_n(s, c, name, n, 1, 0);
		return fn_case(want_str(s, c, a[0]), name[0]);
	}
	if (!strcmp(name, "pad")) {
		const char *str;
		json_int_t l, r;

		want_n(s, c, name, n, 3, 0);
		str = want_str(s, c, a[0]);
		l = want_int(s, c, a[1]);
		r = want_int(s, c, a[2]);
		if (!*str)
			return json_string("");
		sbuf_addf(&b, "%*s%s%*s", (int)(l > 0 ? l : 0), "", str, (int)(r > 0 ? r : 0), "");
		return str_result(&b);
	}
	if (!strcmp(name, "truncate")) {
		const char *str;
		json_int_t l;

		want_n(s, c, name, n, 2, 0);
		str = want_str(s, c, a[0]);
		l = want_int(s, c, a[1]);
		/* docker truncates bytes, not runes */
		if ((json_int_t)strlen(str) < l)
			return json_string(str);
		return json_stringn(str, l < 0 ? 0 : l);
	}
	xerr(s, c->pos, c->src, "function \"%s\" not defined", name);
}

char *format_preprocess(const char *format, const char *default_table, int *is_table)
{
	const char *f = format;
	struct sbuf b = SBUF_INIT;
	size_t n;

	*is_table = !strncmp(f, "table", 5);
	if (*is_table) {
		f += 5;
		if (!strcmp(format, "table") && default_table)
			f = default_table;
	} else if (!strcmp(f, "json")) {
		f = "{{json .}}";
	}
	while (*f == ' ')
		f++;
	n = strlen(f);
	while (n && f[n - 1] == ' ')
		n--;
	while (n) {
		if (f[0] == '\\' && n > 1 && (f[1] == 't' || f[1] == 'n')) {
			sbuf_addch(&b, f[1] == 't' ? '\t' : '\n');
			f += 2;
			n -= 2;
			continue;
		}
		sbuf_addch(&b, *f++);
		n--;
	}
	return sbuf_detach(&b, NULL);
}
