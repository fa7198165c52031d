/* test-gojson.c - Go encoding/json byte-compatibility; expectations from Go 1.19. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>

#include "format/gojson.h"
#include "test.h"

static void check_shortest(double d, const char *want, int want_exp)
{
	char dg[32] = "x";
	int x = 12345, nd = gojson_shortest(d, dg, &x);

	T_OK(nd == (int)strlen(want) && !strcmp(dg, want) && x == want_exp, "shortest %g: %s e%d (got %s e%d)",
	     d, want, want_exp, dg, x);
}

static void check(const char *in, const char *indent, const char *want)
{
	json_t *v = json_loads(in, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	struct sbuf out = SBUF_INIT;

	gojson_write(&out, v, "", indent);
	T_STREQ(sbuf_str(&out), want, "%s %s", in, indent ? "indent" : "compact");
	sbuf_release(&out);
	json_decref(v);
}

int main(void)
{
	const char *doc = "{\"b\":{\"c\":[1,{},[]],\"d\":{}},\"a\":[]}";
	struct sbuf out = SBUF_INIT;
	json_t *s, *h;

	check(doc, NULL, "{\"b\":{\"c\":[1,{},[]],\"d\":{}},\"a\":[]}");
	check(doc, "    ", "{\n    \"b\": {\n        \"c\": [\n            1,\n            {},\n"
	      "            []\n        ],\n        \"d\": {}\n    },\n    \"a\": []\n}");
	check("[]", "    ", "[]");
	check("{}", NULL, "{}");
	check("[0,-5,9223372036854775807]", NULL, "[0,-5,9223372036854775807]");
	check("[0.1,1e21,1e20,1.5e-7,0.000001,1.0,-2.5,123456789.125]", NULL,
	      "[0.1,1e+21,100000000000000000000,1.5e-7,0.000001,1,-2.5,123456789.125]");
	check("[\"<a&b>\"]", NULL, "[\"\\u003ca\\u0026b\\u003e\"]");
	check("\"\\u0001\\b\\f\\n\\r\\t\\\"\\\\\\u007f\"", NULL, "\"\\u0001\\u0008\\u000c\\n\\r\\t\\\"\\\\\x7f\"");
	check("\"\\u2028\\u2029\\u00e9\"", NULL, "\"\\u2028\\u2029\xc3\xa9\"");
	check("[true,false,null]", "  ", "[\n  true,\n  false,\n  null\n]");

	check_shortest(1234.5, "12345", 3);
	check_shortest(1e-300, "1", -300);
	check_shortest(5e-324, "5", -324);
	check_shortest(1.7976931348623157e308, "17976931348623157", 308);
	check_shortest(INFINITY, "", 0);
	check_shortest(NAN, "", 0);

	s = json_stringn_nocheck("a\xff" "b\xc3", 4);
	gojson_write(&out, s, NULL, NULL);
	T_STREQ(sbuf_str(&out), "\"a\\ufffdb\\ufffd\"", "invalid UTF-8");
	sbuf_reset(&out);
	h = json_string("<&>");
	gojson_write_opts(&out, h, NULL, NULL, 0);
	json_decref(h);
	T_STREQ(sbuf_str(&out), "\"<&>\"", "escape_html off");
	sbuf_release(&out);
	json_decref(s);
	return t_done();
}
