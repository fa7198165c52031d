/* manifest.c - manifest, index and config parsing with jansson; see manifest.h. */
#include "manifest.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "../io/digest.h"
#include "../util/sbuf.h"

static char *dup_str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? xstrdup(v) : NULL;
}

static void platform_normalise(struct platform *p)
{
	if (p->arch && (!strcmp(p->arch, "x86_64") || !strcmp(p->arch, "x86-64"))) {
		free(p->arch);
		p->arch = xstrdup("amd64");
	} else if (p->arch && !strcmp(p->arch, "aarch64")) {
		free(p->arch);
		p->arch = xstrdup("arm64");
	}
	if (p->arch && !strcmp(p->arch, "arm64") && (!p->variant || !strcmp(p->variant, "v8"))) {
		free(p->variant);
		p->variant = NULL;
	}
	if (p->arch && !strcmp(p->arch, "arm") && !p->variant)
		p->variant = xstrdup("v7");
}

static int parse_descriptor(struct descriptor *d, json_t *o, struct berr *err)
{
	json_t *size = json_object_get(o, "size");

	if (!json_is_object(o))
		return berr_set(err, BERR_INVALID, "invalid descriptor");
	d->media_type = dup_str(o, "mediaType");
	d->digest = dup_str(o, "digest");
	if (!d->digest || digest_validate(d->digest, err) < 0)
		return berr_set(err, BERR_INVALID, "invalid descriptor digest %s", d->digest ? d->digest : "(none)");
	if (!json_is_integer(size) || json_integer_value(size) < 0)
		return berr_set(err, BERR_INVALID, "invalid descriptor size for %s", d->digest);
	d->size = json_integer_value(size);
	json_t *pl = json_object_get(o, "platform");
	if (json_is_object(pl)) {
		d->platform.os = dup_str(pl, "os");
		d->platform.arch = dup_str(pl, "architecture");
		d->platform.variant = dup_str(pl, "variant");
		platform_normalise(&d->platform);
	}
	return 0;
}

static int parse_list(struct descriptor **out, size_t *n, json_t *arr, const char *what, struct berr *err)
{
	if (!json_is_array(arr))
		return berr_set(err, BERR_INVALID, "invalid manifest: %s is not an array", what);
	*n = json_array_size(arr);
	*out = xcalloc(*n ? *n : 1, sizeof(**out));
	for (size_t i = 0; i < *n; i++)
		if (parse_descriptor(&(*out)[i], json_array_get(arr, i), err) < 0)
			return -1;
	return 0;
}

int manifest_parse(struct manifest *out, const char *media_type, const void *body, size_t len,
		   struct berr *err)
{
	json_error_t je;
	json_t *j = json_loadb(body, len, 0, &je);
	const char *mt;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!j || !json_is_object(j)) {
		berr_set(err, BERR_INVALID, "invalid manifest: %s", j ? "not an object" : je.text);
		goto done;
	}
	mt = json_string_value(json_object_get(j, "mediaType"));
	if (!mt || !*mt)
		mt = media_type;
	if (!mt || !*mt || !strcmp(mt, "application/json") || !strcmp(mt, "text/plain")) {
		/* OCI allows mediaType to be absent: sniff the shape. */
		mt = json_object_get(j, "manifests") ? MT_OCI_INDEX : MT_OCI_MANIFEST;
	}
	out->media_type = xstrdup(mt);
	if (!strcmp(mt, MT_DOCKER_SCHEMA1) || !strcmp(mt, MT_DOCKER_SCHEMA1_SIGNED) ||
	    json_integer_value(json_object_get(j, "schemaVersion")) == 1) {
		berr_set(err, BERR_UNSUPPORTED, "unsupported manifest format: docker schema1 (%s)", mt);
		goto done;
	}
	if (json_integer_value(json_object_get(j, "schemaVersion")) != 2) {
		berr_set(err, BERR_INVALID, "invalid manifest: unsupported schemaVersion");
		goto done;
	}
	if (!strcmp(mt, MT_DOCKER_LIST) || !strcmp(mt, MT_OCI_INDEX)) {
		out->kind = MANIFEST_INDEX;
		rc = parse_list(&out->manifests, &out->n_manifests, json_object_get(j, "manifests"),
				"manifests", err);
	} else if (!strcmp(mt, MT_DOCKER_MANIFEST) || !strcmp(mt, MT_OCI_MANIFEST)) {
		out->kind = MANIFEST_IMAGE;
		if (parse_descriptor(&out->config, json_object_get(j, "config"), err) < 0)
			goto done;
		rc = parse_list(&out->layers, &out->n_layers, json_object_get(j, "layers"), "layers", err);
	} else {
		berr_set(err, BERR_UNSUPPORTED, "unsupported manifest media type %s", mt);
	}
done:
	json_decref(j);
	return rc;
}

static void descriptor_release(struct descriptor *d)
{
	free(d->media_type);
	free(d->digest);
	platform_release(&d->platform);
}

void manifest_release(struct manifest *m)
{
	descriptor_release(&m->config);
	for (size_t i = 0; i < m->n_layers; i++)
		descriptor_release(&m->layers[i]);
	for (size_t i = 0; i < m->n_manifests; i++)
		descriptor_release(&m->manifests[i]);
	free(m->layers);
	free(m->manifests);
	free(m->media_type);
	memset(m, 0, sizeof(*m));
}

int platform_parse(struct platform *out, const char *s, struct berr *err)
{
	memset(out, 0, sizeof(*out));
	if (!s || !*s) {
		struct utsname u;
		uname(&u);
		out->os = xstrdup("linux");
		out->arch = xstrdup(u.machine);
		platform_normalise(out);
		return 0;
	}
	char *copy = xstrdup(s), *save = NULL;
	char *parts[4] = { NULL };
	int n = 0;
	for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (n == 3) {
			n++;
			break;
		}
		parts[n++] = t;
	}
	if (n < 1 || n > 3 || strchr(s, ' ')) {
		free(copy);
		return berr_set(err, BERR_INVALID, "\"%s\": unknown operating system or architecture: invalid argument", s);
	}
	for (char *c = copy; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	out->os = xstrdup(parts[0]);
	if (n == 1) {
		struct utsname u;
		uname(&u);
		out->arch = xstrdup(u.machine);
	} else {
		out->arch = xstrdup(parts[1]);
	}
	out->variant = n == 3 ? xstrdup(parts[2]) : NULL;
	free(copy);
	platform_normalise(out);
	return 0;
}

void platform_release(struct platform *p)
{
	free(p->os);
	free(p->arch);
	free(p->variant);
	memset(p, 0, sizeof(*p));
}

void platform_format(const struct platform *p, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s%s%s", p->os ? p->os : "", p->arch ? p->arch : "", p->variant ? "/" : "",
		 p->variant ? p->variant : "");
}

static int str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

int platform_matches(const struct platform *want, const struct platform *have)
{
	struct platform h = { have->os ? xstrdup(have->os) : NULL, have->arch ? xstrdup(have->arch) : NULL,
			      have->variant ? xstrdup(have->variant) : NULL };
	int ok;

	platform_normalise(&h);
	ok = str_eq(h.os, want->os) && str_eq(h.arch, want->arch) && (!want->variant || str_eq(h.variant, want->variant));
	platform_release(&h);
	return ok;
}

int manifest_select(const struct manifest *index, const struct platform *p, struct berr *err)
{
	char want[128];

	for (size_t i = 0; i < index->n_manifests; i++) {
		const struct platform *q = &index->manifests[i].platform;
		/* Exact after normalisation, as containerd's matcher: an
		 * entry whose variant we did not ask for is not ours. */
		if (str_eq(q->os, p->os) && str_eq(q->arch, p->arch) && str_eq(q->variant, p->variant))
			return (int)i;
	}
	platform_format(p, want, sizeof(want));
	return berr_set(err, BERR_NOT_FOUND, "no matching manifest for %s in the manifest list entries", want);
}

int image_config_parse(struct image_config *out, const void *body, size_t len, struct berr *err)
{
	json_error_t je;
	json_t *j = json_loadb(body, len, 0, &je), *rootfs, *ids;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(j)) {
		berr_set(err, BERR_INVALID, "invalid image config: %s", j ? "not an object" : je.text);
		goto done;
	}
	rootfs = json_object_get(j, "rootfs");
	if (!json_is_object(rootfs)) {
		berr_set(err, BERR_INVALID, "invalid image JSON, no RootFS key");
		goto done;
	}
	if (!str_eq(json_string_value(json_object_get(rootfs, "type")), "layers")) {
		berr_set(err, BERR_INVALID, "invalid image config: rootfs type is not \"layers\"");
		goto done;
	}
	ids = json_object_get(rootfs, "diff_ids");
	if (ids && !json_is_array(ids)) {
		berr_set(err, BERR_INVALID, "invalid image config: diff_ids is not an array");
		goto done;
	}
	out->n_diff_ids = json_array_size(ids);
	out->diff_ids = xcalloc(out->n_diff_ids + 1, sizeof(char *));
	for (size_t i = 0; i < out->n_diff_ids; i++) {
		const char *d = json_string_value(json_array_get(ids, i));
		if (!d || digest_validate(d, err) < 0) {
			berr_set(err, BERR_INVALID, "invalid image config: bad diff_id");
			goto done;
		}
		out->diff_ids[i] = xstrdup(d);
	}
	out->platform.os = dup_str(j, "os");
	out->platform.arch = dup_str(j, "architecture");
	out->platform.variant = dup_str(j, "variant");
	rc = 0;
done:
	json_decref(j);
	return rc;
}

void image_config_release(struct image_config *c)
{
	for (size_t i = 0; i < c->n_diff_ids; i++)
		free(c->diff_ids[i]);
	free(c->diff_ids);
	platform_release(&c->platform);
	memset(c, 0, sizeof(*c));
}
