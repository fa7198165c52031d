/*
 * cmd-images.c - `berth images` / `berth image ls`, printed as Docker
 * 20.10's CLI prints `docker images` (cli/command/image/list.go and
 * formatter/image.go): one row per repository and tag, <none> rows, the
 * digest table, --format templates and the tabwriter.
 *
 * The default, digest, quiet and raw formats are rendered directly, the
 * same bytes their templates give, so that a large store lists without a
 * template execution per row; other --format strings go through the
 * template engine.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "format/gojson.h"
#include "format/template.h"

static const char usage_text[] = "images [OPTIONS] [REPOSITORY[:TAG]]\n\nList images";

enum render { R_TABLE, R_QUIET, R_RAW, R_JSON, R_TEMPLATE };

struct images_ctx {
	enum render render;
	int digests;    /* tag rows carry digests: --digests or {{.Digest}} in the format */
	int digest_rows; /* digest-only repositories: a row per digest (--digests only) */
	int no_trunc;
	int is_table;   /* R_TEMPLATE: through the tabwriter */
	struct tmpl *t;
	struct table *tab;
	struct sbuf out;
	time_t now;
	int failed;
	struct berr err;
};

/* One row's fields, as imageContext's methods give them. */
struct row {
	const char *repo, *tag, *digest;
	char id[80], since[64], at[80], size[32], vsize[32];
};

static void fill_row(struct images_ctx *x, const struct berth_image *img, struct row *r)
{
	if (x->no_trunc)
		snprintf(r->id, sizeof(r->id), "%s", img->id);
	else
		snprintf(r->id, sizeof(r->id), "%.12s", strchr(img->id, ':') ? strchr(img->id, ':') + 1 : img->id);
	/* created 0 stands for Go's zero time: CreatedSince is "". */
	if (img->created) {
		human_duration_ago(r->since, sizeof(r->since), (int64_t)x->now - img->created);
	} else {
		r->since[0] = 0;
	}
	if (img->created) {
		time_t t = (time_t)img->created;
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(r->at, sizeof(r->at), "%Y-%m-%d %H:%M:%S %z %Z", &tm);
	} else {
		snprintf(r->at, sizeof(r->at), "0001-01-01 00:00:00 +0000 UTC");
	}
	human_size(r->size, sizeof(r->size), (double)img->size);
	human_size4(r->vsize, sizeof(r->vsize), (double)img->size);
}

/* The template data: a map of every field (keys in sorted order, as
 * {{json .}} marshals docker's imageContext). */
static json_t *row_json(const struct row *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "Containers", json_string("N/A"));
	json_object_set_new(o, "CreatedAt", json_string(r->at));
	json_object_set_new(o, "CreatedSince", json_string(r->since));
	json_object_set_new(o, "Digest", json_string(r->digest));
	json_object_set_new(o, "ID", json_string(r->id));
	json_object_set_new(o, "Repository", json_string(r->repo));
	json_object_set_new(o, "SharedSize", json_string("N/A"));
	json_object_set_new(o, "Size", json_string(r->size));
	json_object_set_new(o, "Tag", json_string(r->tag));
	json_object_set_new(o, "UniqueSize", json_string("N/A"));
	json_object_set_new(o, "VirtualSize", json_string(r->vsize));
	return o;
}

static json_t *header_json(void)
{
	return json_pack("{ssssssssssssssssssssss}", "Containers", "CONTAINERS", "CreatedAt", "CREATED AT",
			 "CreatedSince", "CREATED", "Digest", "DIGEST", "ID", "IMAGE ID", "Repository",
			 "REPOSITORY", "SharedSize", "SHARED SIZE", "Size", "SIZE", "Tag", "TAG", "UniqueSize",
			 "UNIQUE SIZE", "VirtualSize", "SIZE");
}

static void add_row(struct images_ctx *x, const struct berth_image *img, const char *repo, const char *tag,
		    const char *digest)
{
	struct row r = { .repo = repo, .tag = tag, .digest = digest };

	if (x->failed)
		return;
	if (x->render == R_QUIET) {
		if (x->no_trunc)
			printf("%s\n", img->id);
		else
			printf("%.12s\n", img->id + 7);
		return;
	}
	fill_row(x, img, &r);
	switch (x->render) {
	case R_TABLE: {
		const char *cells[6];
		size_t n = 0;
		cells[n++] = repo;
		cells[n++] = tag;
		if (x->digests)
			cells[n++] = digest;
		cells[n++] = r.id;
		cells[n++] = r.since[0] ? r.since : "N/A";
		cells[n++] = r.size;
		table_add(x->tab, cells, n);
		break;
	}
	case R_JSON: {
		/* {{json .}} marshals imageContext with json.Marshal, which
		 * escapes HTML (<none> as \u003cnone\u003e), unlike docker's
		 * json function on plain values. */
		json_t *o = row_json(&r);
		gojson_write(&x->out, o, NULL, NULL);
		sbuf_addch(&x->out, '\n');
		json_decref(o);
		break;
	}
	case R_RAW:
		printf("repository: %s\ntag: %s\n", repo, tag);
		if (x->digests)
			printf("digest: %s\n", digest);
		printf("image_id: %s\ncreated_at: %s\nvirtual_size: %s\n\n", r.id, r.at, r.size);
		break;
	default: {
		json_t *o = row_json(&r);
		if (tmpl_exec(x->t, o, &x->out, &x->err) < 0)
			x->failed = 1;
		else
			sbuf_addch(&x->out, '\n');
		json_decref(o);
		break;
	}
	}
}

/* Splits a familiar "name:tag" or "name@digest" (a ':' before the last
 * '/' is a registry port). */
static char *split_ref(const char *ref, const char **rest)
{
	const char *at = strchr(ref, '@');

	if (!at) {
		at = strrchr(ref, ':');
		if (at && strchr(at, '/'))
			at = NULL;
	}
	*rest = at ? at + 1 : "";
	return xstrndup(ref, at ? (size_t)(at - ref) : strlen(ref));
}

/* imageFormatTaggedAndDigest: repositories with tags first (one row per
 * tag, times its digests when shown), then digest-only repositories.
 * Docker walks Go maps here (random order); berth keeps the store's
 * lexical order. */
static void image_rows(struct images_ctx *x, const struct berth_image *img)
{
	size_t nt = 0, nd = 0, nr = 0;
	char **trepo, **drepo, **repos;
	const char **ttag, **ddig;
	int *has_tag;

	if (!img->repo_tags[0] && !img->repo_digests[0]) {
		add_row(x, img, "<none>", "<none>", "<none>");
		return;
	}
	while (img->repo_tags[nt])
		nt++;
	while (img->repo_digests[nd])
		nd++;
	trepo = xcalloc(nt + 1, sizeof(char *));
	ttag = xcalloc(nt + 1, sizeof(char *));
	drepo = xcalloc(nd + 1, sizeof(char *));
	ddig = xcalloc(nd + 1, sizeof(char *));
	repos = xcalloc(nt + nd + 1, sizeof(char *));
	has_tag = xcalloc(nt + nd + 1, sizeof(int));
	for (size_t i = 0; i < nt; i++) {
		size_t k;
		trepo[i] = split_ref(img->repo_tags[i], &ttag[i]);
		for (k = 0; k < nr && strcmp(repos[k], trepo[i]); k++)
			;
		if (k == nr)
			repos[nr++] = trepo[i];
		has_tag[k] = 1;
	}
	for (size_t i = 0; i < nd; i++) {
		size_t k;
		drepo[i] = split_ref(img->repo_digests[i], &ddig[i]);
		for (k = 0; k < nr && strcmp(repos[k], drepo[i]); k++)
			;
		if (k == nr)
			repos[nr++] = drepo[i];
	}
	for (size_t k = 0; k < nr; k++) {
		int any_digest = 0;
		if (!has_tag[k])
			continue;
		for (size_t d = 0; x->digests && d < nd; d++)
			any_digest |= !strcmp(drepo[d], repos[k]);
		for (size_t i = 0; i < nt; i++) {
			if (strcmp(trepo[i], repos[k]))
				continue;
			if (!any_digest) {
				add_row(x, img, repos[k], ttag[i], "<none>");
				continue;
			}
			for (size_t d = 0; d < nd; d++)
				if (!strcmp(drepo[d], repos[k]))
					add_row(x, img, repos[k], ttag[i], ddig[d]);
		}
	}
	for (size_t k = 0; k < nr; k++) {
		if (has_tag[k])
			continue;
		if (!x->digest_rows) {
			add_row(x, img, repos[k], "<none>", "");
			continue;
		}
		for (size_t d = 0; d < nd; d++)
			if (!strcmp(drepo[d], repos[k]))
				add_row(x, img, repos[k], "<none>", ddig[d]);
	}
	for (size_t i = 0; i < nt; i++)
		free(trepo[i]);
	for (size_t i = 0; i < nd; i++)
		free(drepo[i]);
	free(trepo);
	free(ttag);
	free(drepo);
	free(ddig);
	free(repos);
	free(has_tag);
}

/* Docker's Context.preFormat: strip "table", trim spaces, expand the two
 * escapes.  Kept here rather than shared, since 20.10 has no "json" key. */
static char *pre_format(const char *f, int *is_table)
{
	size_t len;
	char *s, *w;

	*is_table = !strncmp(f, "table", 5);
	if (*is_table)
		f += 5;
	while (*f == ' ')
		f++;
	len = strlen(f);
	while (len && f[len - 1] == ' ')
		len--;
	s = xstrndup(f, len);
	for (w = s, f = s; *f; f++) {
		if (f[0] == '\\' && (f[1] == 't' || f[1] == 'n')) {
			*w++ = f[1] == 't' ? '\t' : '\n';
			f++;
		} else {
			*w++ = *f;
		}
	}
	*w = 0;
	return s;
}

static int bad_filter(const char *v)
{
	fprintf(stderr, "invalid argument \"%s\" for \"-f, --filter\" flag: bad format of filter (expected name=value)\n"
			"See 'berth images --help'.\n", v);
	return 125;
}

int cmd_images(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "digests", no_argument, NULL, 'D' },
		{ "filter", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'F' },
		{ "no-trunc", no_argument, NULL, 'T' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct images_ctx x = { .out = SBUF_INIT, .err = BERR_INIT };
	struct berth_image_list_opts lo = { 0 };
	struct berr err = BERR_INIT;
	struct berth_image *v = NULL;
	const char **filters = xcalloc((size_t)argc + 2, sizeof(char *));
	const char *format = NULL;
	char *ref_filter = NULL, *text = NULL;
	size_t n = 0, nf = 0;
	int quiet = 0, show_digests = 0, o, rc = 0;

	optind = 0;
	while ((o = getopt_long(argc, argv, "af:qh", opts, NULL)) != -1) {
		switch (o) {
		case 'a': lo.all = 1; break;
		case 'D': show_digests = 1; break;
		case 'T': x.no_trunc = 1; break;
		case 'q': quiet = 1; break;
		case 'F': format = optarg; break;
		case 'f':
			if (!*optarg)
				break;
			if (!strchr(optarg, '=')) {
				free(filters);
				return bad_filter(optarg);
			}
			filters[nf++] = optarg;
			break;
		case 'h':
			printf("\nUsage:  berth %s\n\nAliases:\n  images, image ls, image list\n\nOptions:\n"
			       "  -a, --all             Show all images (default hides intermediate images)\n"
			       "      --digests         Show digests\n"
			       "  -f, --filter filter   Filter output based on conditions provided\n"
			       "      --format string   Pretty-print images using a Go template\n"
			       "      --no-trunc        Don't truncate output\n"
			       "  -q, --quiet           Only show image IDs\n", usage_text);
			free(filters);
			return 0;
		default:
			free(filters);
			return 125;
		}
	}
	if (argc - optind > 1) {
		free(filters);
		return cli_usage_error("images", usage_text, "requires at most 1 argument");
	}
	if (optind < argc && argv[optind][0]) {
		ref_filter = xasprintf("reference=%s", argv[optind]);
		filters[nf++] = ref_filter;
	}
	lo.filters = filters;

	/* NewImageFormat */
	if (!format || !*format)
		format = "table";
	x.digests = x.digest_rows = show_digests;
	if (!strcmp(format, "table")) {
		x.render = quiet ? R_QUIET : R_TABLE;
	} else if (!strcmp(format, "raw")) {
		x.render = quiet ? R_QUIET : R_RAW;
	} else {
		char *f = NULL;
		x.render = R_TEMPLATE;
		if (!strncmp(format, "table", 5) && show_digests && !strstr(format, "{{.Digest}}"))
			format = f = xasprintf("%s\t{{.Digest}}", format);
		text = pre_format(format, &x.is_table);
		free(f);
		if (strstr(text, "{{.Digest}}"))
			x.digests = 1;
		if (!x.is_table && !strcmp(text, "{{json .}}"))
			x.render = R_JSON;
		else if (tmpl_parse(&x.t, text, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			rc = 1;
			goto out;
		}
	}

	if (!cli_berth(c)) {
		rc = 1;
		goto out;
	}
	if (berth_image_list_filtered(c->b, &lo, &v, &n, &err) < 0) {
		rc = cli_error(&err, 1);
		goto out;
	}
	x.now = time(NULL);
	if (x.render == R_TABLE) {
		static const char *const hdr[] = { "REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE" };
		static const char *const hdr_nd[] = { "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE" };
		x.tab = table_new();
		table_add(x.tab, x.digests ? hdr : hdr_nd, x.digests ? 6 : 5);
	}
	for (size_t i = 0; i < n; i++)
		image_rows(&x, &v[i]);
	if (x.failed) {
		fprintf(stderr, "Template parsing error: %s\n\n", x.err.msg);
		rc = 1;
	} else if (x.render == R_TABLE) {
		table_print(x.tab, stdout);
	} else if (x.render == R_TEMPLATE && x.is_table) {
		json_t *hj = header_json();

		cli_print_table_template(x.t, hj, x.out.buf, x.out.len);
		json_decref(hj);
	} else if ((x.render == R_TEMPLATE || x.render == R_JSON) && x.out.len) {
		fwrite(x.out.buf, 1, x.out.len, stdout);
	}
out:
	if (x.t)
		tmpl_free(x.t);
	table_free(x.tab);
	sbuf_release(&x.out);
	if (v)
		berth_image_list_free(v, n);
	free(text);
	free(ref_filter);
	free(filters);
	return rc;
}
