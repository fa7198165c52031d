/*
 * internal.h - what the parts of the template engine (../template.h)
 * share; nothing outside lib/format/template/ includes it.
 *
 *   lex.c        tokens of an action ("{{ ... }}"), parse errors
 *   parse.c      the tree, built from the tokens; tmpl_parse, tmpl_free
 *   exec.c       walking the tree against a value; tmpl_exec
 *   value.c      jansson values as Go sees them: truth, types, %v
 *   funcs.c      the builtin functions (and, eq, index, json, pad...)
 *   printf.c     fmt.Sprintf, for printf
 *   preprocess.c the docker CLI's --format preprocessing
 *
 * Both phases fail by longjmp: a parse error unwinds to tmpl_parse
 * (tmpl_perr), an execution error to tmpl_exec_opts (tmpl_xerr).  So
 * whatever is allocated while one may fail must be reachable from the
 * parser or the exec state, which free it after the jump: the tree is in
 * the template's arena, execution keeps its temporaries in state.held.
 */
#ifndef BERTH_FORMAT_TEMPLATE_INTERNAL_H
#define BERTH_FORMAT_TEMPLATE_INTERNAL_H

#include <setjmp.h>
#include <stddef.h>

#include "../template.h"

/* ---- the tree ---- */

enum arg_kind { A_FIELD, A_VAR, A_DOT, A_IDENT, A_STR, A_INT, A_REAL, A_BOOL, A_NIL, A_PIPE };
enum node_kind { N_TEXT, N_ACTION, N_IF, N_RANGE, N_WITH };

struct pipe;

/* An operand of a command. */
struct arg {
	enum arg_kind kind;
	char *name;	/* A_VAR, A_IDENT: the name; A_STR: the string */
	char **fields;	/* A_FIELD, and a chain after A_VAR or A_PIPE */
	size_t nfields;
	json_int_t i;	/* A_INT, A_BOOL */
	double d;	/* A_REAL */
	struct pipe *pipe;	/* A_PIPE */
	size_t pos;     /* Go's node position: a chain's second field, else the operand */
	char *src;      /* a field chain's text, for error contexts */
};

struct cmd {
	size_t pos;	/* where it starts in the template text */
	char *src;	/* its text, for error contexts */
	struct arg **args;
	size_t n;
};

struct pipe {
	char *vars[2];	/* $x := or $i, $v := ("=" when !decl) */
	int nvars;
	int decl;
	struct cmd **cmds;
	size_t n;
};

struct list;

struct node {
	enum node_kind kind;
	char *text;	/* N_TEXT: into the template's src, not terminated */
	size_t len;
	struct pipe *pipe;
	struct list *list, *elist;	/* the body and the else branch */
};

struct list {
	struct node **v;
	size_t n;
};

struct arena;

struct tmpl {
	char *src;
	struct list *root;
	struct arena *arena;	/* every tree allocation (parse.c) */
};

/* ---- parsing ---- */

enum tok { T_EOF, T_RDELIM, T_SPACE, T_FIELD, T_DOT, T_VAR, T_IDENT, T_STR, T_NUM,
	   T_PIPE, T_LPAREN, T_RPAREN, T_DECL, T_ASSIGN, T_COMMA, T_CHAR };

/* The deepest nesting of parentheses, if/range/with (and else if) a
 * template may have: the parser and the executor recurse at each level,
 * and deeper would overflow the stack (Go's grows; docker's templates
 * nest a few levels). */
#define TMPL_MAX_DEPTH 1000

struct parser {
	struct tmpl *t;     /* whose arena holds the tree */
	const char *s;      /* the text (t->src) */
	size_t pos;         /* where the lexer is */
	size_t tstart;      /* where the current token starts */
	enum tok tok;       /* the current token */
	char *val;          /* its text (names, strings, numbers), owned */
	int peeked;         /* tok is a lookahead: the next tmpl_next returns it */
	size_t pstart;      /* where the lexer was before tok */
	int trim_after;     /* the last "}}" was " -}}" */
	struct sbuf str;    /* a string literal being unquoted (lex.c) */
	int depth;          /* open parentheses and control structures */
	char **vars;        /* the variables in scope, owned */
	size_t nvars;
	struct berr *err;
	jmp_buf fail;       /* tmpl_perr jumps here */
};

/* Line number (from 1) of byte pos of s. */
int tmpl_line_of(const char *s, size_t pos);
/* Sets "template parsing error: ..." and unwinds to tmpl_parse. */
void tmpl_perr(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
/* "unexpected <token> in ctx" (or the lexer's own error for the token). */
void tmpl_unexpected(struct parser *p, const char *ctx) __attribute__((noreturn));
/* One of Go's keywords (block break continue define else end if nil range
 * template with), the len bytes at s. */
int tmpl_is_keyword(const char *s, size_t len);
/* A letter, digit, '_' or any byte of a UTF-8 sequence: Go's alphanumeric. */
int tmpl_is_word_char(char c);
/* The next token (the peeked one first), with or without spaces. */
enum tok tmpl_next(struct parser *p);
enum tok tmpl_next_ns(struct parser *p);
/* The next non-space token, left to be read again. */
enum tok tmpl_peek_ns(struct parser *p);

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
	/* What evaluation holds while it may fail: tmpl_xerr unwinds with
	 * longjmp, and tmpl_exec releases these (values and memory). */
	struct held {
		json_t *v;
		void *mem;
	} *held;
	size_t nheld, capheld;
	jmp_buf fail;
};

/* Sets "template: :L:C: executing \"\" at <ctx>: ..." for the text at pos
 * and unwinds to tmpl_exec_opts. */
void tmpl_xerr(struct state *s, size_t pos, const char *ctx, const char *fmt, ...)
	__attribute__((format(printf, 4, 5), noreturn));

/* ---- values (value.c) ---- */

/* Go's type name of v as an interface{} holds it ("string", "int"...). */
const char *tmpl_type_name(json_t *v);
/* Typed values and Go structs (template.h). */
int tmpl_is_typed(json_t *v);
int tmpl_is_struct(json_t *v);
/* v with typed values replaced by their JSON (a new reference). */
json_t *tmpl_plain(json_t *v);
/* Go's truth of if/with/and/or/not. */
int tmpl_truth(json_t *v);
/* o's keys, sorted as Go ranges over maps; free() the array. */
const char **tmpl_sorted_keys(json_t *o, size_t *n);
/* fmt's %v. */
void tmpl_print_v(struct sbuf *out, json_t *v);
/* An action's output: %v, but "<no value>" for nil. */
void tmpl_print_value(struct sbuf *out, json_t *v);

/* ---- functions (funcs.c, printf.c) ---- */

int tmpl_is_builtin(const char *name);
/* Calls builtin name with the n arguments a (borrowed); a new reference. */
json_t *tmpl_call(struct state *s, struct cmd *c, const char *name, json_t **a, size_t n);
/* fmt.Sprintf(format, a...) appended to b. */
void tmpl_sprintf(struct sbuf *b, const char *format, json_t **a, size_t n);

#endif
