/*
 * lex.c - the tokens inside an action, as Go's text/template/parse lexer
 * reads them, and the parse errors (internal.h).
 *
 * The text between actions is not lexed: parse.c finds the next "{{"
 * itself.  A token's text is p->val (owned by the parser, replaced by the
 * next token); string tokens are already unquoted, character constants
 * already turned into their number.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int tmpl_line_of(const char *s, size_t pos)
{
	int line = 1;
	size_t i;

	for (i = 0; i < pos && s[i]; i++)
		line += s[i] == '\n';
	return line;
}

void tmpl_perr(struct parser *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	berr_set(p->err, BERR_INVALID, "template parsing error: template: :%d: %s",
		 tmpl_line_of(p->s, p->tstart), msg);
	longjmp(p->fail, 1);
}

int tmpl_is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || (c & 0x80);
}

/* The length of the right delimiter at the lexer's position ("}}" or
 * " -}}"), 0 when there is none. */
static int at_rdelim(struct parser *p)
{
	const char *c = p->s + p->pos;

	if (c[0] == '}' && c[1] == '}')
		return 2;
	if (c[0] == ' ' && c[1] == '-' && c[2] == '}' && c[3] == '}')
		return 4;
	return 0;
}

/* The end of the "..." string starting at pos: Go's lexer finds the
 * closing quote first (a backslash takes the next character along), and
 * only then unquotes. */
static size_t scan_quoted(struct parser *p, size_t pos)
{
	const char *c = p->s;

	for (pos++;; pos++) {
		if (c[pos] == '\\' && c[pos + 1] && c[pos + 1] != '\n')
			pos++;
		else if (!c[pos] || c[pos] == '\n' || c[pos] == '\\')
			tmpl_perr(p, "unterminated quoted string");
		else if (c[pos] == '"')
			return pos;
	}
}

static int hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* The escape at c[*i] (after its backslash) appended to sb; *i moves past
 * it.  What strconv.Unquote rejects, or we do not support, is Go's
 * "invalid syntax". */
static void unescape(struct parser *p, const char *c, size_t *i, size_t end, struct sbuf *sb)
{
	char ch = c[(*i)++];
	int hi, lo;

	switch (ch) {
	case 'n': sbuf_addch(sb, '\n'); return;
	case 't': sbuf_addch(sb, '\t'); return;
	case 'r': sbuf_addch(sb, '\r'); return;
	case '\\': case '"': case '\'': sbuf_addch(sb, ch); return;
	case 'x':
		hi = *i + 1 < end ? hex_value(c[*i]) : -1;
		lo = hi >= 0 ? hex_value(c[*i + 1]) : -1;
		if (lo < 0)
			tmpl_perr(p, "invalid syntax");
		sbuf_addch(sb, (char)(hi << 4 | lo));
		*i += 2;
		return;
	default:
		tmpl_perr(p, "invalid syntax");
	}
}

/* A "..." string, unquoted.  The text is built in p->str, which the
 * parser releases should an escape be invalid (tmpl_perr jumps away). */
static enum tok lex_string(struct parser *p)
{
	const char *c = p->s;
	size_t end = scan_quoted(p, p->pos), i = p->pos + 1;

	sbuf_reset(&p->str);
	while (i < end) {
		if (c[i] == '\\') {
			i++;
			unescape(p, c, &i, end, &p->str);
		} else {
			sbuf_addch(&p->str, c[i++]);
		}
	}
	p->pos = end + 1;
	p->val = sbuf_detach(&p->str, NULL);
	return T_STR;
}

/* A `raw` string: no escapes. */
static enum tok lex_raw(struct parser *p)
{
	const char *c = p->s;
	size_t st = p->pos;

	p->pos++;
	while (c[p->pos] && c[p->pos] != '`')
		p->pos++;
	if (!c[p->pos])
		tmpl_perr(p, "unterminated raw quoted string");
	p->val = xstrndup(c + st + 1, p->pos - st - 1);
	p->pos++;
	return T_STR;
}

/* The code point of a character constant's body c[q..end) (one
 * character, an escape or a UTF-8 sequence); -1 when malformed. */
static long char_value(const char *c, size_t q, size_t end)
{
	static const char esc[] = "n\nt\tr\r\\\\''0\0";
	unsigned long cp;

	if (c[q] == '\\') {
		const char *e = strchr(esc, c[q + 1]);

		if (!(e && !((e - esc) % 2) && q + 2 == end))
			return -1;
		return (unsigned char)e[1];
	}
	if ((unsigned char)c[q] >= 0x80) {
		unsigned char b0 = (unsigned char)c[q];
		int n = b0 >= 0xf0 ? 3 : b0 >= 0xe0 ? 2 : 1;

		cp = b0 & (0x3f >> n);
		for (q++; n-- > 0 && ((unsigned char)c[q] & 0xc0) == 0x80; q++)
			cp = (cp << 6) | ((unsigned char)c[q] & 0x3f);
		return q == end ? (long)cp : -1;
	}
	if (!(q + 1 == end && c[q] != '\''))
		return -1;
	return (unsigned char)c[q];
}

/* A character constant is a number: 'a' is 97.  Go's lexer scans to the
 * closing quote, then the parser unquotes. */
static enum tok lex_char_const(struct parser *p)
{
	const char *c = p->s;
	size_t q = p->pos + 1, end;
	long cp;

	while (c[q] && c[q] != '\n' && c[q] != '\'')
		q += c[q] == '\\' && c[q + 1] && c[q + 1] != '\n' ? 2 : 1;
	if (c[q] != '\'')
		tmpl_perr(p, "unterminated character constant");
	end = q;
	cp = char_value(c, p->pos + 1, end);
	if (cp < 0)
		tmpl_perr(p, "malformed character constant: %.*s", (int)(end + 1 - p->pos), c + p->pos);
	p->pos = end + 1;
	p->val = xasprintf("%lu", (unsigned long)cp);
	return T_NUM;
}

/* A number's text from st, the lexer at its second character; parse.c
 * decides whether it is one. */
static enum tok lex_number(struct parser *p, size_t st)
{
	const char *c = p->s;

	p->pos++;
	while (isalnum((unsigned char)c[p->pos]) || c[p->pos] == '.' ||
	       ((c[p->pos] == '-' || c[p->pos] == '+') && (c[p->pos - 1] == 'e' || c[p->pos - 1] == 'E')))
		p->pos++;
	p->val = xstrndup(c + st, p->pos - st);
	return T_NUM;
}

/* ".Field", "." or a number like ".5". */
static enum tok lex_dot(struct parser *p)
{
	const char *c = p->s;
	size_t st = p->pos;

	p->pos++;
	if (isdigit((unsigned char)c[p->pos]))
		return lex_number(p, st);
	if (!tmpl_is_word_char(c[p->pos]))
		return T_DOT;
	while (tmpl_is_word_char(c[p->pos]))
		p->pos++;
	p->val = xstrndup(c + st + 1, p->pos - st - 1);
	return T_FIELD;
}

/* "$" or "$name". */
static enum tok lex_var(struct parser *p)
{
	const char *c = p->s;
	size_t st = p->pos;

	p->pos++;
	while (tmpl_is_word_char(c[p->pos]))
		p->pos++;
	p->val = xstrndup(c + st, p->pos - st);
	return T_VAR;
}

static enum tok lex_space(struct parser *p)
{
	const char *c = p->s;

	while (c[p->pos] && strchr(" \t\r\n", c[p->pos]) && !at_rdelim(p))
		p->pos++;
	return T_SPACE;
}

/* What no other rule takes: a number, an identifier, or a bad character. */
static enum tok lex_other(struct parser *p)
{
	const char *c = p->s;
	size_t st = p->pos;

	if (isdigit((unsigned char)c[p->pos]) || c[p->pos] == '-' || c[p->pos] == '+' || c[p->pos] == '.')
		return lex_number(p, st);
	if (tmpl_is_word_char(c[p->pos])) {
		while (tmpl_is_word_char(c[p->pos]))
			p->pos++;
		p->val = xstrndup(c + st, p->pos - st);
		return T_IDENT;
	}
	if (c[p->pos] == '/' && c[p->pos + 1] == '*')
		tmpl_perr(p, "comment ends before closing delimiter");
	p->pos++;
	p->val = xstrndup(c + st, 1);
	return T_CHAR;
}

static enum tok lex(struct parser *p)
{
	const char *c = p->s;
	int d;

	free(p->val);
	p->val = NULL;
	p->tstart = p->pos;
	if ((d = at_rdelim(p))) {
		p->trim_after = d == 4;
		p->pos += d;
		return T_RDELIM;
	}
	switch (c[p->pos]) {
	case 0: return T_EOF;
	case ' ': case '\t': case '\n': case '\r': return lex_space(p);
	case '|': p->pos++; return T_PIPE;
	case '(': p->pos++; return T_LPAREN;
	case ')': p->pos++; return T_RPAREN;
	case ',': p->pos++; return T_COMMA;
	case '=': p->pos++; return T_ASSIGN;
	case ':':
		if (c[p->pos + 1] != '=')
			break;
		p->pos += 2;
		return T_DECL;
	case '"': return lex_string(p);
	case '`': return lex_raw(p);
	case '\'': return lex_char_const(p);
	case '.': return lex_dot(p);
	case '$': return lex_var(p);
	}
	return lex_other(p);
}

enum tok tmpl_next(struct parser *p)
{
	if (p->peeked) {
		p->peeked = 0;
		return p->tok;
	}
	p->pstart = p->pos;
	p->tok = lex(p);
	return p->tok;
}

enum tok tmpl_next_ns(struct parser *p)
{
	while (tmpl_next(p) == T_SPACE)
		;
	return p->tok;
}

enum tok tmpl_peek_ns(struct parser *p)
{
	tmpl_next_ns(p);
	p->peeked = 1;
	return p->tok;
}

int tmpl_is_keyword(const char *s, size_t len)
{
	static const char *const kw[] = { "block", "break", "continue", "define", "else", "end", "if",
					  "nil", "range", "template", "with", NULL };

	for (size_t i = 0; kw[i]; i++)
		if (strlen(kw[i]) == len && !strncmp(kw[i], s, len))
			return 1;
	return 0;
}

/* Go's item.String() of a word: keywords as <kw>, everything else quoted
 * (more than 10 bytes: the first 10, quoted, then "..."). */
static const char *word_desc(struct parser *p, char *buf, size_t n)
{
	int len = (int)(p->pos - p->tstart);
	const char *t = p->s + p->tstart;
	int is_kw = p->tok == T_IDENT && tmpl_is_keyword(t, (size_t)len);

	if (is_kw || (p->tok == T_IDENT && len <= 10 && !memchr(t, '"', (size_t)len)))
		snprintf(buf, n, is_kw ? "<%.*s>" : "\"%.*s\"", len, t);
	else if (len > 10)
		snprintf(buf, n, "\"%.10s\"...", t);
	else
		snprintf(buf, n, "\"%.*s\"", len, t);
	return buf;
}

/* The current token as Go's parse errors name it. */
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
	default:
		return word_desc(p, buf, n);
	}
}

void tmpl_unexpected(struct parser *p, const char *ctx)
{
	char buf[128];

	if (p->tok == T_EOF)
		tmpl_perr(p, "unclosed action");
	if (p->tok == T_CHAR)
		tmpl_perr(p, "bad character U+%04X '%s'", (unsigned char)p->val[0], p->val);
	tmpl_perr(p, "unexpected %s in %s", tok_desc(p, buf, sizeof(buf)), ctx);
}
