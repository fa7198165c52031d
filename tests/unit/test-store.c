/*
 * test-store.c - the store's modules on a temp root: the reference store
 * (set/get/remove, an image's references in Docker's order, by name, the
 * byte format of repositories.json and its round trip), layerdb (register,
 * read, parent, size, list, delete, the -removing cleanup) and the
 * overlay2 dirs under it (new/done/discard, link and lower files, l/
 * links, gc of unheld incomplete dirs).  The lock has test-store-lock.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "util/fs.h"
#include "test.h"

static char root[64];

#define ID1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define ID2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define DG1 "sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"

static char *slurp(const char *rel)
{
	struct sbuf sb = SBUF_INIT;
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (read_file_at(AT_FDCWD, p, &sb, 1 << 20, NULL) < 0) {
		sbuf_release(&sb);
		return NULL;
	}
	return sbuf_detach(&sb, NULL);
}

static int exists(const char *rel)
{
	char p[256];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return lstat(p, &st) == 0;
}

/* ---- refs ---- */

static int count_fn(void *ctx, const char *repo, const char *ref, const char *id)
{
	return ++*(int *)ctx == 2 ? 7 : 0;
}

static void test_refs(struct store *s)
{
	struct store_refs *r;
	struct store_ref_list l;
	struct berr e = BERR_INIT;
	char *prev = (char *)"x", *txt;
	int n = 0;

	txt = slurp("image/overlay2/repositories.json");
	T_STREQ(txt, "{\"Repositories\":{}}", "a new store has an empty repositories.json");
	free(txt);
	T_OK(store_refs_load(s, &r, NULL) == 0, "load");
	T_OK(store_refs_get(r, "busybox", "busybox:latest") == NULL, "nothing there");
	store_refs_set(r, "ubuntu", "ubuntu:latest", ID1, &prev);
	T_OK(prev == NULL, "a new reference has no previous target");
	store_refs_set(r, "quay.io/a", "quay.io/a:1", ID1, NULL);
	store_refs_set(r, "ubuntu", "ubuntu@" DG1, ID1, NULL);
	store_refs_set(r, "ubuntu", "ubuntu:22", ID2, NULL);
	store_refs_set(r, "ubuntu", "ubuntu:22", ID1, &prev);
	T_STREQ(prev, ID2, "moving a tag reports its old target");
	free(prev);
	T_STREQ(store_refs_get(r, "ubuntu", "ubuntu:22"), ID1, "get");
	T_OK(store_refs_get(r, "quay.io/a", "ubuntu:22") == NULL, "a reference belongs to its repository");

	store_refs_of_image(r, ID1, &l);
	T_OK(l.n == 4, "four references of the image (%zu)", l.n);
	if (l.n == 4) {
		/* full names: docker.io/library/ubuntu... sort before quay.io/a */
		T_STREQ(l.v[0].ref, "ubuntu:22", "sorted by full name, as refstore.References");
		T_STREQ(l.v[1].ref, "ubuntu:latest", "  ...");
		T_STREQ(l.v[2].ref, "ubuntu@" DG1, "  ...");
		T_STREQ(l.v[3].ref, "quay.io/a:1", "  ...");
		T_STREQ(l.v[3].full, "quay.io/a:1", "full name");
		T_STREQ(l.v[0].full, "docker.io/library/ubuntu:22", "full name of a familiar one");
		T_OK(l.v[2].canonical && !l.v[0].canonical, "digest references are canonical");
		T_STREQ(l.v[3].repo, "quay.io/a", "repository");
	}
	store_ref_list_release(&l);
	store_refs_by_name(r, "ubuntu", &l);
	T_OK(l.n == 3 && !strcmp(l.v[0].ref, "ubuntu:22") && !strcmp(l.v[2].ref, "ubuntu@" DG1),
	     "by name: the repository's references in order");
	store_ref_list_release(&l);
	T_OK(store_refs_foreach(r, count_fn, &n) == 7 && n == 2, "foreach stops at a nonzero return");

	T_OK(store_refs_save(s, r, NULL) == 0, "save");
	txt = slurp("image/overlay2/repositories.json");
	T_STREQ(txt,
		"{\"Repositories\":{\"quay.io/a\":{\"quay.io/a:1\":\"" ID1 "\"},\"ubuntu\":{\"ubuntu:22\":\"" ID1
		"\",\"ubuntu:latest\":\"" ID1 "\",\"ubuntu@" DG1 "\":\"" ID1 "\"}}}",
		"repositories.json as Go marshals it: sorted keys, compact, no newline");
	free(txt);

	T_OK(store_refs_remove(r, "quay.io/a", "quay.io/a:1") == 0, "remove");
	T_OK(store_refs_remove(r, "quay.io/a", "quay.io/a:1") < 0, "removing again fails");
	T_OK(store_refs_remove(r, "ubuntu", "ubuntu:nope") < 0, "removing what is not there fails");
	store_refs_save(s, r, NULL);
	store_refs_free(r);
	T_OK(store_refs_load(s, &r, NULL) == 0, "load again");
	T_STREQ(store_refs_get(r, "ubuntu", "ubuntu@" DG1), ID1, "round trip");
	store_refs_of_image(r, ID1, &l);
	T_OK(l.n == 3, "the emptied repository went with its last reference");
	store_ref_list_release(&l);
	store_refs_remove(r, "ubuntu", "ubuntu:22");
	store_refs_remove(r, "ubuntu", "ubuntu:latest");
	store_refs_remove(r, "ubuntu", "ubuntu@" DG1);
	store_refs_save(s, r, NULL);
	store_refs_free(r);
	txt = slurp("image/overlay2/repositories.json");
	T_STREQ(txt, "{\"Repositories\":{}}", "all removed: back to the empty file");
	free(txt);

	atomic_write_at(s->image_fd, "repositories.json", "[]", 2, 0600, NULL);
	T_OK(store_refs_load(s, &r, &e) < 0, "a malformed file fails to load");
	T_STREQ(e.msg, "repositories.json: malformed", "with its name");
	atomic_write_at(s->image_fd, "repositories.json", "{}", 2, 0600, NULL);
	T_OK(store_refs_load(s, &r, NULL) == 0, "a file without Repositories loads empty");
	store_refs_save(s, r, NULL);
	store_refs_free(r);
	txt = slurp("image/overlay2/repositories.json");
	T_STREQ(txt, "{\"Repositories\":{}}", "and is saved with it");
	free(txt);
}

/* ---- layers ---- */

/* A layer dir with one file and a tar-split temp file, ready to register. */
static int make_layer(struct store *s, struct layer_dir *ld, char ts[96], const char *content)
{
	int fd, tfd;

	if (store_layer_dir_new(s, ld, NULL) < 0)
		return -1;
	fd = openat(ld->diff_fd, "file", O_WRONLY | O_CREAT, 0644);
	if (fd < 0 || write(fd, content, strlen(content)) < 0)
		return -1;
	close(fd);
	store_layer_dir_close(ld);
	if (store_tmpfile(s, ld, ts, &tfd, NULL) < 0)
		return -1;
	if (write(tfd, "ts", 2) != 2)
		return -1;
	close(tfd);
	return 0;
}

static int register_layer(struct store *s, const char *diff_id, const char *parent, int64_t size,
			  struct store_layer *out, int *existed)
{
	struct layer_dir ld;
	char ts[96];

	memset(out, 0, sizeof(*out));
	if (make_layer(s, &ld, ts, diff_id) < 0)
		return -1;
	chain_id(parent, diff_id, out->chain_id);
	snprintf(out->diff_id, sizeof(out->diff_id), "%s", diff_id);
	snprintf(out->parent, sizeof(out->parent), "%s", parent ? parent : "");
	snprintf(out->cache_id, sizeof(out->cache_id), "%s", ld.cache_id);
	out->size = size;
	store_layer_dir_done(s, &ld);
	return store_layer_register(s, out, ts, existed, NULL);
}

static char *link_of(const char *cache_id)
{
	char p[128];

	snprintf(p, sizeof(p), "overlay2/%s/link", cache_id);
	return slurp(p);
}

static void test_layers(struct store *s)
{
	struct store_layer base, child, top, got, again;
	char p[512], target[512], parent[DIGEST_STR_LEN], **ids;
	char *blink, *clink, *txt;
	int64_t size;
	int existed = -1;
	ssize_t k;
	size_t n;

	T_OK(register_layer(s, ID1, NULL, 10, &base, &existed) == 0 && !existed, "register a base layer");
	T_OK(register_layer(s, ID2, base.chain_id, 20, &child, &existed) == 0, "register a child");
	T_OK(register_layer(s, DG1, child.chain_id, 30, &top, &existed) == 0, "register a grandchild");
	T_OK(store_layer_exists(s, child.chain_id), "the child exists");

	T_OK(store_layer_read(s, child.chain_id, &got, NULL) == 0, "read");
	T_STREQ(got.diff_id, ID2, "diff");
	T_STREQ(got.parent, base.chain_id, "parent");
	T_STREQ(got.cache_id, child.cache_id, "cache-id");
	T_OK(got.size == 20, "size");
	T_OK(store_layer_read(s, base.chain_id, &got, NULL) == 0 && got.parent[0] == '\0', "a base has no parent");
	snprintf(p, sizeof(p), "image/overlay2/layerdb/sha256/%s/size", digest_hex(child.chain_id));
	txt = slurp(p);
	T_STREQ(txt, "20", "size file as Docker writes it");
	free(txt);
	snprintf(p, sizeof(p), "image/overlay2/layerdb/sha256/%s/tar-split.json.gz", digest_hex(child.chain_id));
	T_OK(exists(p), "the tar-split moved in");
	T_OK(store_layer_parent(s, top.chain_id, parent) == 0 && !strcmp(parent, child.chain_id), "parent alone");
	T_OK(store_layer_parent(s, base.chain_id, parent) == 0 && !parent[0], "parent alone of a base: \"\"");
	T_OK(store_layer_size(s, top.chain_id, &size) == 0 && size == 30, "size alone");
	T_OK(store_layer_list(s, &ids, NULL) == 0, "list");
	for (n = 0; ids[n]; n++)
		free(ids[n]);
	free(ids);
	T_OK(n == 3, "three layers listed (%zu)", n);

	/* overlay2 */
	blink = link_of(base.cache_id);
	clink = link_of(child.cache_id);
	T_OK(blink && strlen(blink) == 26 && clink && strlen(clink) == 26, "26-char link ids");
	snprintf(p, sizeof(p), "%s/overlay2/l/%s", root, blink ? blink : "");
	k = readlink(p, target, sizeof(target) - 1);
	target[k > 0 ? k : 0] = '\0';
	snprintf(p, sizeof(p), "../%s/diff", base.cache_id);
	T_STREQ(target, p, "l/<link> points at the diff dir");
	snprintf(p, sizeof(p), "overlay2/%s/lower", base.cache_id);
	T_OK(!exists(p), "a base has no lower file");
	snprintf(p, sizeof(p), "overlay2/%s/lower", child.cache_id);
	txt = slurp(p);
	snprintf(target, sizeof(target), "l/%s", blink ? blink : "");
	T_STREQ(txt, target, "a child's lower is its parent's link");
	free(txt);
	snprintf(p, sizeof(p), "overlay2/%s/lower", top.cache_id);
	txt = slurp(p);
	snprintf(target, sizeof(target), "l/%s:l/%s", clink ? clink : "", blink ? blink : "");
	T_STREQ(txt, target, "a grandchild's lower: parent's link, then the parent's lower");
	free(txt);
	snprintf(p, sizeof(p), "overlay2/%s/work", child.cache_id);
	T_OK(exists(p), "a child has a work dir");
	snprintf(p, sizeof(p), "overlay2/%s/committed", base.cache_id);
	T_OK(exists(p), "a parent is marked committed");

	{
		struct sbuf ld = SBUF_INIT;
		T_OK(overlay2_lowerdir(s, base.cache_id, "/R", &ld) < 0, "lowerdir of a base: none");
		T_OK(overlay2_lowerdir(s, top.cache_id, "/R", &ld) == 0, "lowerdir of a grandchild");
		snprintf(target, sizeof(target), "/R/overlay2/%s/diff:/R/overlay2/%s/diff", child.cache_id, base.cache_id);
		T_STREQ(sbuf_str(&ld), target, "each l/ link resolved, nearest first");
		sbuf_release(&ld);
	}

	/* the same chain again: the new copy is dropped */
	T_OK(register_layer(s, ID1, NULL, 10, &again, &existed) == 0 && existed == 1, "registering again: existed");
	snprintf(p, sizeof(p), "overlay2/%s", again.cache_id);
	T_OK(!exists(p), "and its dir is gone");
	snprintf(p, sizeof(p), "image/overlay2/layerdb/tmp/ts-%s", again.cache_id);
	T_OK(!exists(p), "with its tar-split temp file");

	/* deletion */
	T_OK(store_layer_delete(s, top.chain_id, NULL) == 0, "delete");
	T_OK(!store_layer_exists(s, top.chain_id), "gone from layerdb");
	snprintf(p, sizeof(p), "overlay2/%s", top.cache_id);
	T_OK(!exists(p), "its overlay2 dir went too");
	free(clink);
	clink = link_of(child.cache_id);
	snprintf(p, sizeof(p), "overlay2/l/%s", clink ? clink : "");
	T_OK(exists(p), "the parent's l/ link stays");
	/* an interrupted delete: the renamed dir alone */
	{
		char from[512], to[600];
		snprintf(from, sizeof(from), "%s/image/overlay2/layerdb/sha256/%s", root, digest_hex(child.chain_id));
		snprintf(to, sizeof(to), "%s-0123456789abcdef-removing", from);
		T_OK(rename(from, to) == 0, "a half-done delete (renamed -removing)");
		T_OK(!store_layer_exists(s, child.chain_id), "no longer exists");
		store_cleanup_removing(s);
		T_OK(access(to, F_OK) < 0 && errno == ENOENT, "cleanup removes the -removing dir");
		snprintf(p, sizeof(p), "overlay2/%s", child.cache_id);
		T_OK(!exists(p), "and its overlay2 dir");
		snprintf(p, sizeof(p), "overlay2/l/%s", clink ? clink : "");
		T_OK(!exists(p), "and its l/ link");
	}
	free(blink);
	free(clink);
	store_layer_delete(s, base.chain_id, NULL);
	T_OK(store_layer_list(s, &ids, NULL) == 0 && !ids[0], "all deleted: layerdb empty");
	free(ids);
}

static void test_layer_dirs(struct store *s)
{
	struct layer_dir held, lost, dropped;
	char ts[96], p[256];

	T_OK(make_layer(s, &held, ts, "a") == 0, "a layer dir being filled");
	snprintf(p, sizeof(p), "image/overlay2/layerdb/tmp/incomplete-%s", held.cache_id);
	T_OK(exists(p), "is marked incomplete");
	T_OK(make_layer(s, &lost, ts, "b") == 0, "another, whose berth dies");
	/* A killed process drops its flock; its marker stays. */
	close(lost.marker_fd);
	lost.marker_fd = -1;
	T_OK(make_layer(s, &dropped, ts, "c") == 0, "a third, discarded");
	snprintf(p, sizeof(p), "overlay2/%s", dropped.cache_id);
	store_layer_dir_discard(s, &dropped);
	T_OK(!exists(p) && !dropped.cache_id[0], "discard removes the dir and forgets it");
	mkdirat(s->image_fd, "layerdb/tmp/write-set-0123", 0700);

	store_gc(s);
	snprintf(p, sizeof(p), "overlay2/%s/diff/file", held.cache_id);
	T_OK(exists(p), "gc keeps a dir whose creator still holds it");
	snprintf(p, sizeof(p), "overlay2/%s", lost.cache_id);
	T_OK(!exists(p), "gc removes an unheld incomplete dir");
	snprintf(p, sizeof(p), "image/overlay2/layerdb/tmp/incomplete-%s", lost.cache_id);
	T_OK(!exists(p), "with its marker");
	snprintf(p, sizeof(p), "image/overlay2/layerdb/tmp/ts-%s", lost.cache_id);
	T_OK(!exists(p), "and its tar-split temp file");
	T_OK(!exists("image/overlay2/layerdb/tmp/write-set-0123"), "gc removes write-set dirs");

	store_layer_dir_done(s, &held);
	snprintf(p, sizeof(p), "image/overlay2/layerdb/tmp/incomplete-%s", held.cache_id);
	T_OK(!exists(p), "done drops the marker");
	snprintf(p, sizeof(p), "overlay2/%s/diff/file", held.cache_id);
	T_OK(exists(p), "and keeps the files");
	snprintf(p, sizeof(p), "overlay2/%s", held.cache_id);
	store_layer_dir_discard(s, &held);
	T_OK(!exists(p) && !held.cache_id[0], "discard removes the dir");
}

int main(void)
{
	struct store *s;

	snprintf(root, sizeof(root), "/tmp/berth-test-store.XXXXXX");
	if (!mkdtemp(root))
		return 1;
	if (store_open(&s, root, NULL) < 0)
		return 1;
	test_refs(s);
	test_layers(s);
	test_layer_dirs(s);
	store_close(s);
	remove_all_at(AT_FDCWD, root, NULL);
	return t_done();
}
