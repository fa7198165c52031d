/* test-template.c - Go text/template subset; expectations from Go 1.19. */
#include <jansson.h>
#include <stdlib.h>

#include "format/template.h"
#include "test.h"

static const char data_json[] =
	"{\"Name\":\"web\",\"Size\":1234,\"Real\":0.5,\"Big\":1e21,\"Mil\":1000000.0,"
	"\"Tags\":[\"a:1\",\"b:2\"],\"Labels\":{\"z\":\"last\",\"a\":\"first\"},"
	"\"Html\":\"<a&b>\",\"Uni\":\"h\\u00e9\\u2028\",\"Null\":null,\"T\":true,\"F\":false,"
	"\"Empty\":[],\"Nested\":{\"Inner\":{\"X\":7}},\"Words\":\"hello big_world o'neil\"}";

static const struct { const char *tmpl, *want; } cases[] = {
	{ "{{.Name}}", "web" },
	{ "{{'a'}} {{'\\n'}} {{printf \"%c%c\" 'x' 233}}", "97 10 x\xc3\xa9" },
	{ "{{.Name | }}", "web" },
	{ "{{.Size}}", "1234" },
	{ "{{.Real}}", "0.5" },
	{ "{{.Big}}", "1e+21" },
	{ "{{.Mil}}", "1e+06" },
	{ "{{.Missing}}", "<no value>" },
	{ "{{.Null}}", "<no value>" },
	{ "{{.Missing.Deeper}}", "<no value>" },
	{ "{{.Nested.Inner.X}}", "7" },
	{ "{{.Tags}}", "[a:1 b:2]" },
	{ "{{.Labels}}", "map[a:first z:last]" },
	{ "{{json .Labels}}", "{\"z\":\"last\",\"a\":\"first\"}" },
	{ "{{json .Html}}", "\"<a&b>\"" },
	{ "{{json .Uni}}", "\"h\xc3\xa9\\u2028\"" },
	{ "{{json .Tags}}", "[\"a:1\",\"b:2\"]" },
	{ "{{json .Null}}", "null" },
	{ "{{json .Empty}}", "[]" },
	{ "{{range .Tags}}<{{.}}>{{end}}", "<a:1><b:2>" },
	{ "{{range $i, $t := .Tags}}{{$i}}={{$t}} {{end}}", "0=a:1 1=b:2 " },
	{ "{{range $k, $v := .Labels}}{{$k}}={{$v}},{{end}}", "a=first,z=last," },
	{ "{{range .Empty}}x{{else}}none{{end}}", "none" },
	{ "{{if .T}}yes{{else}}no{{end}}", "yes" },
	{ "{{if .F}}yes{{else if .T}}elif{{else}}no{{end}}", "elif" },
	{ "{{if not .F}}neg{{end}}", "neg" },
	{ "{{with .Nested.Inner}}{{.X}}{{end}}", "7" },
	{ "{{with .Missing}}x{{else}}empty{{end}}", "empty" },
	{ "{{pad .Name 2 3}}|", "  web   |" },
	{ "{{truncate .Name 2}}", "we" },
	{ "{{truncate .Name 10}}", "web" },
	{ "{{title .Words}}", "Hello Big_world O'neil" },
	{ "{{upper .Name}} {{lower \"ABC\"}}", "WEB abc" },
	{ "{{join .Tags \", \"}}", "a:1, b:2" },
	{ "{{split \"a:b:c\" \":\"}}", "[a b c]" },
	{ "{{index (split .Name \"e\") 1}}", "b" },
	{ "{{index .Labels \"z\"}}", "last" },
	{ "{{index .Tags 1}}", "b:2" },
	{ "{{len .Tags}} {{len .Name}}", "2 3" },
	{ "{{eq .Name \"web\"}} {{ne .Size 1}} {{lt 1 2}} {{ge .Size 2000}}", "true true true false" },
	{ "{{eq .Name \"x\" \"web\"}}", "true" },
	{ "{{and .T .Name}} {{or .F .Size}} {{or .F .Empty}}", "web 1234 []" },
	{ "{{printf \"%s-%d|%-5s|%5d|%v|%q\" .Name .Size .Name .Size .Tags .Name}}", "web-1234|web  | 1234|[a:1 b:2]|\"web\"" },
	{ "{{printf \"%d\" .Name}}", "%!d(string=web)" },
	{ "{{print .Name .Size 1 2}}", "web1234 1 2" },
	{ "{{println .Name .Size}}", "web 1234\n" },
	{ "{{.Name | printf \"%s!\"}}", "web!" },
	{ "{{$x := .Name}}{{$x}}{{$}}", "webmap[Big:1e+21 Empty:[] F:false Html:<a&b> Labels:map[a:first z:last] Mil:1e+06 Name:web Nested:map[Inner:map[X:7]] Null:<nil> Real:0.5 Size:1234 T:true Tags:[a:1 b:2] Uni:h\xc3\xa9\xe2\x80\xa8 Words:hello big_world o'neil]" },
	{ "a  {{- .Name -}}  b", "awebb" },
	{ "{{/* comment */}}x", "x" },
	{ "{{\"\\t\"}}{{`raw\\t`}}", "\traw\\t" },
};

static const struct { const char *tmpl, *want; } errors[] = {
	{ "{{foo .}}", "template parsing error: template: :1: function \"foo\" not defined" },
	{ "{{.Name", "template parsing error: template: :1: unclosed action" },
	{ "{{.Name}", "template parsing error: template: :1: bad character U+007D '}'" },
	{ "{{if .T}}x", "template parsing error: template: :1: unexpected EOF" },
	{ "{{end}}", "template parsing error: template: :1: unexpected {{end}}" },
	{ "{{'ab'}}", "template parsing error: template: :1: malformed character constant: 'ab'" },
	{ "{{'a}}", "template parsing error: template: :1: unterminated character constant" },
	{ "{{.Name ..}}", "template parsing error: template: :1: unexpected <.> in operand" },
	{ "{{if}}{{end}}", "template parsing error: template: :1: missing value for if" },
	{ "{{.Name | .}}", "template parsing error: template: :1: non executable command in pipeline stage 2" },
	{ "{{.Name (}}", "template parsing error: template: :1: unclosed left paren" },
	{ "{{$y}}", "template parsing error: template: :1: undefined variable \"$y\"" },
	{ "{{.Name.Foo}}", "template: :1:7: executing \"\" at <.Name.Foo>: can't evaluate field Foo in type interface {}" },
	{ "{{index .Tags 5}}", "template: :1:2: executing \"\" at <index .Tags 5>: error calling index: index out of range: 5" },
};

/* Fuzzing findings (issue 9's follow-up), each once a crash, an over-read,
 * a leak or a runaway allocation. */
static const struct { const char *tmpl, *want; } regressions[] = {
	/* "{{-" at the end: the trim marker's space was the NUL (Go 1.19 words
	 * the error "illegal number syntax", as for every number its parser
	 * rejects; ours says "bad" for all) */
	{ "{{-", "template parsing error: template: :1: bad number syntax: \"-\"" },
	{ "x {{-", "template parsing error: template: :1: bad number syntax: \"-\"" },
	{ "x {{- ", "template parsing error: template: :1: unclosed action" },
	/* \x at the end of a quoted string read past it; \x takes exactly two
	 * hex digits; a string is unterminated before any escape is checked */
	{ "{{\"\\x", "template parsing error: template: :1: unterminated quoted string" },
	{ "{{\"\\x4", "template parsing error: template: :1: unterminated quoted string" },
	{ "{{\"\\q", "template parsing error: template: :1: unterminated quoted string" },
	{ "{{\"\\x4\"}}", "template parsing error: template: :1: invalid syntax" },
	{ "{{\"\\xZZ\"}}", "template parsing error: template: :1: invalid syntax" },
	{ "{{\"\\x4g\"}}", "template parsing error: template: :1: invalid syntax" },
	{ "{{\"\\x41\\x6a\\x4A|\"}}", "AjJ|" },
	/* the string buffer leaked on every invalid escape (LSan sees it) */
	{ "{{\"a string long enough to need its own buffer, then \\q\"}}",
	  "template parsing error: template: :1: invalid syntax" },
	/* printf widths and precisions: above INT_MAX C's printf failed
	 * ("out of memory"), below it allocated gigabytes; Go 1.19's parsenum
	 * gives up past 1e6 and the rest of the format is %!(NOVERB) */
	{ "{{printf \"%999999999d\" 1}}", "%!(NOVERB)%!(EXTRA int=1)" },
	{ "{{printf \"%.2147483647f\" 1.5}}", "%!(NOVERB)%!(EXTRA float64=1.5)" },
	{ "{{printf \"a%3000000000sb%d\" \"x\" 2}}", "a%!(NOVERB)%!(EXTRA string=x, int=2)" },
	{ "{{printf \"%-99999999999999999999v|\" 1}}", "%!(NOVERB)%!(EXTRA int=1)" },
	{ "{{len (printf \"%1000001d\" 1)}} {{len (printf \"%.1000001x\" 1)}}", "1000001 1000001" },
	{ NULL, NULL },
};

/* name: what the test line says (the template when NULL). */
static void check_as(const char *name, const char *tmpl, json_t *data, const char *want)
{
	struct tmpl *t = NULL;
	struct berr err = BERR_INIT;
	struct sbuf out = SBUF_INIT;

	if (tmpl_parse(&t, tmpl, &err) < 0 || tmpl_exec(t, data, &out, &err) < 0)
		T_STREQ(err.msg, want, "%s", name ? name : tmpl);
	else
		T_STREQ(sbuf_str(&out), want, "%s", name ? name : tmpl);
	sbuf_release(&out);
	tmpl_free(t);
}

static void check(const char *tmpl, json_t *data, const char *want)
{
	check_as(NULL, tmpl, data, want);
}

/* open + "1" + close, each n times, inside {{ }}. */
static char *nested(const char *open, const char *close, size_t n)
{
	struct sbuf b = SBUF_INIT;
	size_t i;

	sbuf_addstr(&b, "{{");
	for (i = 0; i < n; i++)
		sbuf_addstr(&b, open);
	sbuf_addstr(&b, "1");
	for (i = 0; i < n; i++)
		sbuf_addstr(&b, close);
	sbuf_addstr(&b, "}}");
	return sbuf_detach(&b, NULL);
}

/* 100,000 nested parentheses overflowed the stack. */
static void test_nesting(json_t *data)
{
	static const char too_deep[] = "template parsing error: template: :1: exceeded maximum nesting depth (1000)";
	char *t;

	t = nested("(", ")", 1000);
	check_as("1000 (", t, data, "1");
	free(t);
	t = nested("(", ")", 1001);
	check_as("1001 (", t, data, too_deep);
	free(t);
	t = nested("(", ")", 100000);
	check_as("100000 (", t, data, too_deep);
	free(t);
	t = nested("(", "", 100000);
	check_as("100000 ( unclosed", t, data, too_deep);
	free(t);
	t = nested("if 1}}{{", "}}{{end", 1000);
	check_as("1000 if", t, data, "1");
	free(t);
	t = nested("with 1}}{{", "}}{{else if 2}}{{end", 100000);
	check_as("100000 with/else if", t, data, too_deep);
	free(t);
}

/* join leaked what it had joined when a later element was no string. */
static void test_join_error(void)
{
	json_t *d = json_loads("{\"L\":[\"a long enough first element\",\"b\",3]}", 0, NULL);

	check("{{join .L \",\"}}", d,
	      "template: :1:2: executing \"\" at <join .L \",\">: wrong type for value; expected string; got int");
	json_decref(d);
}

static void test_preprocess(void)
{
	int table;
	char *f = format_preprocess("table {{.ID}}\\t{{.Size}}\\n ", "X", &table);

	T_STREQ(f, "{{.ID}}\t{{.Size}}\n", "table prefix and \\t");
	T_OK(table, "is table");
	free(f);
	f = format_preprocess("table", "{{.Repository}}\\t{{.Tag}}", &table);
	T_STREQ(f, "{{.Repository}}\t{{.Tag}}", "bare table uses default");
	free(f);
	f = format_preprocess(" {{.ID}} ", NULL, &table);
	T_STREQ(f, "{{.ID}}", "trimmed");
	T_OK(!table, "not table");
	free(f);
}

int main(void)
{
	json_t *data = json_loads(data_json, 0, NULL);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(cases[i].tmpl, data, cases[i].want);
	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		check(errors[i].tmpl, data, errors[i].want);
	for (i = 0; regressions[i].tmpl; i++)
		check(regressions[i].tmpl, data, regressions[i].want);
	/* The typed-value keys all start with \x01, so none is ever a field. */
	T_OK(TMPL_GO_FMT[0] == '\x01' && !strcmp(TMPL_GO_FMT + 1, "fmt"), "TMPL_GO_FMT is \\x01 fmt");
	test_nesting(data);
	test_join_error();
	test_preprocess();
	json_decref(data);
	return t_done();
}
