/*
 * changes.c - the Dockerfile instructions `import -c` (and later `commit
 * -c`) apply to an image's container config, as Docker 20.10's
 * BuildFromConfig does: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD,
 * USER, VOLUME, WORKDIR.  Words are split and $VAR / ${VAR} expanded as
 * the Dockerfile shell lexer does for those instructions, against the
 * config's own Env.
 */
#include "changes.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../format/gojson.h"
#include "../util/fs.h"

/* ---- words ---- */

static const char *env_lookup(json_t *env, const char *name, size_t n)
{
	size_t i;
	json_t *v;

	json_array_foreach(env, i, v) {
		const char *s = json_string_value(v);
		if (s && !strncmp(s, name, n) && s[n] == '=')
			return s + n + 1;
	}
	return "";
}

static size_t expand_var(const char *p, json_t *env, struct sbuf *out)
{
	size_t n;

	if (p[1] == '{') {
		const char *end = strchr(p + 2, '}');
		if (!end) {
			sbuf_addch(out, '$');
			return 1;
		}
		sbuf_addstr(out, env_lookup(env, p + 2, (size_t)(end - p - 2)));
		return (size_t)(end - p) + 1;
	}
	for (n = 1; isalnum((unsigned char)p[n]) || p[n] == '_'; n++)
		;
	if (n == 1) {
		sbuf_addch(out, '$');
		return 1;
	}
	sbuf_addstr(out, env_lookup(env, p + 1, n - 1));
	return n;
}

/* Splits s into words (quotes removed, backslash escapes applied, $VARs
 * expanded outside single quotes); NULL-terminated, free each and all.
 * With whole, s is one word whatever blanks it holds (legacy ENV values). */
static char **split_words_ex(const char *s, json_t *env, int whole)
{
	char **v = xcalloc(1, sizeof(*v));
	size_t n = 0;

	for (;;) {
		struct sbuf w = SBUF_INIT;
		int in_word = 0;
		char quote = 0;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		while (*s && (quote || whole || (*s != ' ' && *s != '\t'))) {
			in_word = 1;
			if (quote && *s == quote) {
				quote = 0;
				s++;
			} else if (!quote && (*s == '"' || *s == '\'')) {
				quote = *s++;
			} else if (*s == '\\' && s[1] && quote != '\'') {
				sbuf_addch(&w, s[1]);
				s += 2;
			} else if (*s == '$' && quote != '\'') {
				s += expand_var(s, env, &w);
			} else {
				sbuf_addch(&w, *s++);
			}
		}
		if (in_word) {
			v = xrealloc(v, (n + 2) * sizeof(*v));
			v[n++] = sbuf_detach(&w, NULL);
			v[n] = NULL;
		}
		sbuf_release(&w);
	}
	return v;
}

static char **split_words(const char *s, json_t *env)
{
	return split_words_ex(s, env, 0);
}

static void free_words(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* A JSON array of strings (the exec form), or NULL. */
static json_t *exec_form(const char *rest)
{
	json_t *a = json_loads(rest, JSON_DECODE_ANY, NULL);
	size_t i;
	json_t *v;

	if (!json_is_array(a)) {
		json_decref(a);
		return NULL;
	}
	json_array_foreach(a, i, v)
		if (!json_is_string(v)) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *cmd_line(const char *rest)
{
	json_t *a = exec_form(rest);

	if (a)
		return a;
	a = json_array();
	json_array_append_new(a, json_string("/bin/sh"));
	json_array_append_new(a, json_string("-c"));
	json_array_append_new(a, json_string(rest));
	return a;
}

static json_t *obj_field(json_t *cfg, const char *key)
{
	json_t *o = json_object_get(cfg, key);

	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(cfg, key, o);
	}
	return o;
}

static void env_set(json_t *cfg, const char *key, const char *value)
{
	json_t *env = json_object_get(cfg, "Env");
	size_t i, n = strlen(key);
	json_t *v;
	char *kv = xasprintf("%s=%s", key, value);

	if (!json_is_array(env)) {
		env = json_array();
		json_object_set_new(cfg, "Env", env);
	}
	json_array_foreach(env, i, v) {
		const char *s = json_string_value(v);
		if (s && !strncmp(s, key, n) && s[n] == '=') {
			json_array_set_new(env, i, json_string(kv));
			free(kv);
			return;
		}
	}
	json_array_append_new(env, json_string(kv));
	free(kv);
}

/* ---- instructions ---- */

static int key_values(json_t *cfg, const char *instr, const char *rest, int is_env, struct berr *err)
{
	char **w = split_words(rest, json_object_get(cfg, "Env"));
	int rc = 0;

	if (!w[0]) {
		rc = berr_set(err, BERR_INVALID, "%s requires at least one argument", instr);
	} else if (is_env && !strchr(w[0], '=')) {
		/* ENV key value...: the rest of the line is the value. */
		const char *p = rest;
		while (*p == ' ' || *p == '\t')
			p++;
		p += strcspn(p, " \t");
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p) {
			rc = berr_set(err, BERR_INVALID, "ENV must have two arguments");
		} else {
			char **val = split_words_ex(p, json_object_get(cfg, "Env"), 1);
			env_set(cfg, w[0], val[0] ? val[0] : "");
			free_words(val);
		}
	} else {
		for (size_t i = 0; w[i] && rc == 0; i++) {
			char *eq = strchr(w[i], '=');
			if (!eq || eq == w[i]) {
				rc = berr_set(err, BERR_INVALID, "Syntax error - can't find = in \"%s\". Must be of the form: name=value",
					      w[i]);
				break;
			}
			*eq = '\0';
			if (is_env)
				env_set(cfg, w[i], eq + 1);
			else
				json_object_set_new(obj_field(cfg, "Labels"), w[i], json_string(eq + 1));
		}
	}
	free_words(w);
	return rc;
}

static int expose(json_t *cfg, const char *rest, struct berr *err)
{
	char **w = split_words(rest, json_object_get(cfg, "Env"));
	json_t *ports = obj_field(cfg, "ExposedPorts");
	int rc = 0;

	for (size_t i = 0; w[i] && rc == 0; i++) {
		char *proto = strchr(w[i], '/'), *end;
		unsigned long lo, hi;

		if (proto)
			*proto++ = '\0';
		lo = strtoul(w[i], &end, 10);
		hi = lo;
		if (*end == '-')
			hi = strtoul(end + 1, &end, 10);
		if (*end || end == w[i] || lo > 65535 || hi > 65535 || hi < lo) {
			rc = berr_set(err, BERR_INVALID, "Invalid containerPort: %s", w[i]);
			break;
		}
		for (unsigned long p = lo; p <= hi; p++) {
			char *key = xasprintf("%lu/%s", p, proto && *proto ? proto : "tcp");
			for (char *c = key; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			json_object_set_new(ports, key, json_object());
			free(key);
		}
	}
	free_words(w);
	return rc;
}

static int volume(json_t *cfg, const char *rest, struct berr *err)
{
	json_t *a = exec_form(rest), *vols = obj_field(cfg, "Volumes");
	char **w = NULL;
	size_t i;
	json_t *v;

	if (a) {
		json_array_foreach(a, i, v)
			json_object_set_new(vols, json_string_value(v), json_object());
		json_decref(a);
		return 0;
	}
	w = split_words(rest, json_object_get(cfg, "Env"));
	if (!w[0]) {
		free_words(w);
		return berr_set(err, BERR_INVALID, "VOLUME specified can not be an empty string");
	}
	for (i = 0; w[i]; i++)
		json_object_set_new(vols, w[i], json_object());
	free_words(w);
	return 0;
}

static int workdir(json_t *cfg, const char *rest, struct berr *err)
{
	char **w = split_words(rest, json_object_get(cfg, "Env"));
	const char *cur = json_string_value(json_object_get(cfg, "WorkingDir"));
	int rc = 0;

	if (!w[0]) {
		rc = berr_set(err, BERR_INVALID, "WORKDIR requires exactly one argument");
	} else if (w[0][0] == '/') {
		json_object_set_new(cfg, "WorkingDir", json_string(w[0]));
	} else {
		char *joined = xasprintf("/%s/%s", cur ? cur : "", w[0]);
		size_t n;
		char *clean = path_clean(joined, strlen(joined), &n);
		json_object_set_new(cfg, "WorkingDir", json_string(clean));
		free(clean);
		free(joined);
	}
	free_words(w);
	return rc;
}

static int one_change(json_t *cfg, const char *line, int *cmd_set, struct berr *err)
{
	char instr[16];
	size_t n;
	const char *rest;

	while (isspace((unsigned char)*line))
		line++;
	n = strcspn(line, " \t");
	if (!n)
		return 0;
	rest = line + n;
	while (*rest == ' ' || *rest == '\t')
		rest++;
	snprintf(instr, sizeof(instr), "%.*s", (int)(n < sizeof(instr) - 1 ? n : sizeof(instr) - 1), line);
	for (char *c = instr; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	if (!strcmp(instr, "CMD")) {
		json_object_set_new(cfg, "Cmd", cmd_line(rest));
		*cmd_set = 1;
	} else if (!strcmp(instr, "ENTRYPOINT")) {
		json_object_set_new(cfg, "Entrypoint", cmd_line(rest));
		/* An ENTRYPOINT resets a CMD not set in the same changes. */
		if (!*cmd_set)
			json_object_set_new(cfg, "Cmd", json_null());
	} else if (!strcmp(instr, "ENV")) {
		return key_values(cfg, "ENV", rest, 1, err);
	} else if (!strcmp(instr, "LABEL")) {
		return key_values(cfg, "LABEL", rest, 0, err);
	} else if (!strcmp(instr, "EXPOSE")) {
		return expose(cfg, rest, err);
	} else if (!strcmp(instr, "VOLUME")) {
		return volume(cfg, rest, err);
	} else if (!strcmp(instr, "WORKDIR")) {
		return workdir(cfg, rest, err);
	} else if (!strcmp(instr, "USER")) {
		char **w = split_words(rest, json_object_get(cfg, "Env"));
		json_object_set_new(cfg, "User", json_string(w[0] ? w[0] : ""));
		free_words(w);
	} else if (!strcmp(instr, "ONBUILD")) {
		json_t *ob = json_object_get(cfg, "OnBuild");
		if (!json_is_array(ob)) {
			ob = json_array();
			json_object_set_new(cfg, "OnBuild", ob);
		}
		json_array_append_new(ob, json_string(rest));
	} else {
		char lower[16];
		for (size_t i = 0; i < sizeof(lower); i++)
			lower[i] = (char)tolower((unsigned char)instr[i]);
		return berr_set(err, BERR_INVALID, "%s is not a valid change command", lower);
	}
	return 0;
}

int changes_apply(json_t *cfg, const char *const *changes, struct berr *err)
{
	int cmd_set = 0;

	for (size_t i = 0; changes && changes[i]; i++) {
		/* One -c may hold several lines, as docker joins them. */
		char *copy = xstrdup(changes[i]), *save = NULL;
		for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if (one_change(cfg, line, &cmd_set, err) < 0) {
				free(copy);
				return -1;
			}
		free(copy);
	}
	return 0;
}

/* container.Config as encoding/json writes it: Go field order, omitempty
 * where the struct says so. */
json_t *changes_config_json(json_t *cfg)
{
	static const struct {
		const char *key;
		enum { F_STR, F_BOOL, F_ANY, F_OMIT } kind;
	} fields[] = {
		{ "Hostname", F_STR }, { "Domainname", F_STR }, { "User", F_STR },
		{ "AttachStdin", F_BOOL }, { "AttachStdout", F_BOOL }, { "AttachStderr", F_BOOL },
		{ "ExposedPorts", F_OMIT }, { "Tty", F_BOOL }, { "OpenStdin", F_BOOL }, { "StdinOnce", F_BOOL },
		{ "Env", F_ANY }, { "Cmd", F_ANY }, { "Healthcheck", F_OMIT }, { "ArgsEscaped", F_OMIT },
		{ "Image", F_STR }, { "Volumes", F_ANY }, { "WorkingDir", F_STR }, { "Entrypoint", F_ANY },
		{ "NetworkDisabled", F_OMIT }, { "MacAddress", F_OMIT }, { "OnBuild", F_ANY }, { "Labels", F_ANY },
		{ "StopSignal", F_OMIT }, { "StopTimeout", F_OMIT }, { "Shell", F_OMIT },
	};
	json_t *out = json_object();

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		json_t *v = json_object_get(cfg, fields[i].key);
		switch (fields[i].kind) {
		case F_STR:
			json_object_set_new(out, fields[i].key, json_is_string(v) ? json_deep_copy(v) : json_string(""));
			break;
		case F_BOOL:
			json_object_set_new(out, fields[i].key, json_boolean(json_is_true(v)));
			break;
		case F_ANY:
			json_object_set_new(out, fields[i].key, v ? json_deep_copy(v) : json_null());
			break;
		case F_OMIT:
			if (v && !json_is_null(v) && !json_is_false(v) && !(json_is_object(v) && !json_object_size(v)) &&
			    !(json_is_string(v) && !json_string_length(v)))
				json_object_set_new(out, fields[i].key, json_deep_copy(v));
			break;
		}
	}
	/* Go maps: sorted keys (their values hold no further maps). */
	gojson_sort_keys(json_object_get(out, "ExposedPorts"));
	gojson_sort_keys(json_object_get(out, "Volumes"));
	gojson_sort_keys(json_object_get(out, "Labels"));
	return out;
}
