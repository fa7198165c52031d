/*
 * test-manifest.c - manifests, indexes, platform choice and image configs,
 * on containers/image's manifest fixtures (Debian's
 * golang-github-containers-image-dev) and on inline documents.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "image/manifest.h"
#include "util/sbuf.h"
#include "test.h"

#define FIX "/usr/share/gocode/src/github.com/containers/image/manifest/fixtures/"

static int load(const char *name, struct sbuf *out)
{
	char path[512], buf[8192];
	ssize_t k;
	int fd;

	snprintf(path, sizeof(path), FIX "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while ((k = read(fd, buf, sizeof(buf))) > 0)
		sbuf_add(out, buf, (size_t)k);
	close(fd);
	return 0;
}

static int parse_fixture(const char *name, const char *ct, struct manifest *m, struct berr *err)
{
	struct sbuf sb = SBUF_INIT;
	int rc;

	if (load(name, &sb) < 0)
		return -2;
	rc = manifest_parse(m, ct, sb.buf, sb.len, err);
	sbuf_release(&sb);
	return rc;
}

static void test_fixtures(void)
{
	struct manifest m;
	struct berr err = BERR_INIT;
	struct platform p;
	int rc;

	rc = parse_fixture("v2s2.manifest.json", NULL, &m, &err);
	if (rc == -2) {
		T_SKIP("containers/image manifest fixtures not installed");
		return;
	}
	T_OK(rc == 0 && m.kind == MANIFEST_IMAGE && m.n_layers == 3 && !strcmp(m.media_type, MT_DOCKER_MANIFEST) &&
	     !strncmp(m.config.digest, "sha256:b5b2b2c507a0", 19), "docker schema2 manifest");
	manifest_release(&m);
	rc = parse_fixture("ociv1.manifest.json", NULL, &m, &err);
	T_OK(rc == 0 && m.kind == MANIFEST_IMAGE && m.n_layers == 3 && !strcmp(m.layers[0].media_type, MT_OCI_LAYER_GZIP),
	     "OCI manifest");
	manifest_release(&m);
	rc = parse_fixture("ociv1nomime.manifest.json", "application/vnd.oci.image.manifest.v1+json", &m, &err);
	T_OK(rc == 0 && m.kind == MANIFEST_IMAGE && m.n_layers == 3, "OCI manifest without mediaType, typed by the header");
	manifest_release(&m);
	rc = parse_fixture("ociv1nomime.manifest.json", NULL, &m, &err);
	T_OK(rc == 0 && !strcmp(m.media_type, MT_OCI_MANIFEST), "OCI manifest without any type is sniffed");
	manifest_release(&m);

	rc = parse_fixture("v2list.manifest.json", NULL, &m, &err);
	T_OK(rc == 0 && m.kind == MANIFEST_INDEX && m.n_manifests == 5, "docker manifest list");
	platform_parse(&p, "linux/amd64", &err);
	T_OK(manifest_select(&m, &p, &err) == 1, "linux/amd64 chosen from the list");
	platform_release(&p);
	platform_parse(&p, "linux/arm64", &err);
	T_OK(manifest_select(&m, &p, &err) < 0 && !strcmp(err.msg, "no matching manifest for linux/arm64 in the manifest list entries"),
	     "variant armv8 is not v8: %s", err.msg);
	platform_release(&p);
	platform_parse(&p, "windows/amd64", &err);
	T_OK(manifest_select(&m, &p, &err) < 0 && strstr(err.msg, "no matching manifest for windows/amd64"),
	     "docker's error for a missing platform");
	platform_release(&p);
	manifest_release(&m);

	rc = parse_fixture("ociv1.image.index.json", NULL, &m, &err);
	T_OK(rc == 0 && m.kind == MANIFEST_INDEX && m.n_manifests == 2, "OCI index");
	platform_parse(&p, "linux/ppc64le", &err);
	T_OK(manifest_select(&m, &p, &err) == 0, "linux/ppc64le chosen from the index");
	platform_release(&p);
	manifest_release(&m);

	rc = parse_fixture("v2s1.manifest.json", NULL, &m, &err);
	T_OK(rc < 0 && err.code == BERR_UNSUPPORTED, "schema1 refused: %s", err.msg);
	manifest_release(&m);
	rc = parse_fixture("non-json.manifest.json", NULL, &m, &err);
	T_OK(rc < 0 && err.code == BERR_INVALID, "non-JSON refused: %s", err.msg);
	manifest_release(&m);
	rc = parse_fixture("unknown-version.manifest.json", NULL, &m, &err);
	T_OK(rc < 0, "unknown schemaVersion refused: %s", err.msg);
	manifest_release(&m);
}

static int parse_str(const char *s, struct manifest *m, struct berr *err)
{
	return manifest_parse(m, NULL, s, strlen(s), err);
}

static void test_inline(void)
{
	static const char *bad[] = {
		"{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_MANIFEST "\",\"config\":{\"digest\":\"sha256:abc\",\"size\":1},\"layers\":[]}",
		"{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_MANIFEST "\",\"config\":{\"digest\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\",\"size\":-1},\"layers\":[]}",
		"{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_MANIFEST "\",\"config\":{\"digest\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\",\"size\":1},\"layers\":{}}",
		"{\"schemaVersion\":2,\"mediaType\":\"application/x-unknown\"}",
		"[1,2,3]",
		"{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\",\"manifests\":[{\"digest\":\"../../etc\",\"size\":1}]}",
	};
	struct manifest m;
	struct berr err = BERR_INIT;
	struct platform p;
	char buf[64];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		T_OK(parse_str(bad[i], &m, &err) < 0, "malformed manifest %zu refused: %s", i, err.msg);
		manifest_release(&m);
	}
	T_OK(platform_parse(&p, "linux/arm64/v8", &err) == 0 && !strcmp(p.arch, "arm64") && !p.variant,
	     "arm64/v8 normalised to arm64");
	platform_release(&p);
	T_OK(platform_parse(&p, "linux/arm", &err) == 0 && !strcmp(p.variant, "v7"), "arm implies v7");
	platform_format(&p, buf, sizeof(buf));
	T_STREQ(buf, "linux/arm/v7", "platform formatted");
	platform_release(&p);
	T_OK(platform_parse(&p, "Linux/x86_64", &err) == 0 && !strcmp(p.os, "linux") && !strcmp(p.arch, "amd64"),
	     "case and x86_64 normalised");
	platform_release(&p);
	T_OK(platform_parse(&p, "a/b/c/d", &err) < 0, "too many platform parts refused: %s", err.msg);
	platform_release(&p);
}

static void test_config(void)
{
	struct image_config c;
	struct berr err = BERR_INIT;
	const char *good = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
			   "\"sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef\"]}}";

	T_OK(image_config_parse(&c, good, strlen(good), &err) == 0 && c.n_diff_ids == 1 &&
	     !strcmp(c.platform.arch, "amd64"), "config with one diff ID");
	image_config_release(&c);
	T_OK(image_config_parse(&c, "{\"os\":\"linux\"}", 14, &err) < 0 &&
	     !strcmp(err.msg, "invalid image JSON, no RootFS key"), "config without rootfs: %s", err.msg);
	image_config_release(&c);
	T_OK(image_config_parse(&c, "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"md5:x\"]}}", 48, &err) < 0,
	     "bad diff ID refused: %s", err.msg);
	image_config_release(&c);
	T_OK(image_config_parse(&c, "not json", 8, &err) < 0, "non-JSON config refused: %s", err.msg);
	image_config_release(&c);
}

int main(void)
{
	test_fixtures();
	test_inline();
	test_config();
	return t_done();
}
