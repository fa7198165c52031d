/* gopath.c - Go's filepath functions on Unix (gopath.h). */
#include "gopath.h"

#include <string.h>

#include "fs.h"
#include "sbuf.h"

char *go_clean(const char *s)
{
	size_t n;

	return path_clean(s, strlen(s), &n);
}

char *go_base(const char *s)
{
	size_t n = strlen(s);
	const char *slash;

	if (n == 0)
		return xstrdup(".");
	while (n > 0 && s[n - 1] == '/')
		n--;
	if (n == 0)
		return xstrdup("/");
	slash = memrchr(s, '/', n);
	return slash ? xstrndup(slash + 1, n - (size_t)(slash + 1 - s)) : xstrndup(s, n);
}

void go_split(const char *s, char **dir, char **file)
{
	const char *slash = strrchr(s, '/');
	size_t i = slash ? (size_t)(slash - s) + 1 : 0;

	*dir = xstrndup(s, i);
	*file = xstrdup(s + i);
}

char *go_dir(const char *s)
{
	char *d, *f, *out;

	go_split(s, &d, &f);
	out = go_clean(d);
	free(d);
	free(f);
	return out;
}

char *go_join(const char *a, const char *b)
{
	char *cat, *out;

	if (!*a && !*b)
		return xstrdup("");
	if (!*a || !*b)
		return go_clean(*a ? a : b);
	cat = xasprintf("%s/%s", a, b);
	out = go_clean(cat);
	free(cat);
	return out;
}

int go_has_trailing_sep(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && s[n - 1] == '/';
}

int go_specifies_current_dir(const char *s)
{
	char *b = go_base(s);
	int r = !strcmp(b, ".");

	free(b);
	return r;
}

int go_asserts_directory(const char *s)
{
	return go_has_trailing_sep(s) || go_specifies_current_dir(s);
}

char *go_preserve_trailing(const char *cleaned, const char *original)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_addstr(&sb, cleaned);
	if (!go_specifies_current_dir(sbuf_str(&sb)) && go_specifies_current_dir(original)) {
		if (!go_has_trailing_sep(sbuf_str(&sb)))
			sbuf_addch(&sb, '/');
		sbuf_addch(&sb, '.');
	}
	if (!go_has_trailing_sep(sbuf_str(&sb)) && go_has_trailing_sep(original))
		sbuf_addch(&sb, '/');
	return sbuf_detach(&sb, NULL);
}

void go_split_path_dir_entry(const char *path, char **dir, char **base)
{
	char *c = go_clean(path);

	if (go_specifies_current_dir(path)) {
		char *t = xasprintf("%s/.", c);
		free(c);
		c = t;
	}
	*dir = go_dir(c);
	*base = go_base(c);
	free(c);
}
