/*
 * bolt.c - the one bbolt bucket dockerd keeps volume metadata in
 * (<root>/volumes/metadata.db, bucket "volumes": name -> JSON), read and
 * written in bbolt's own file format (go.etcd.io/bbolt 1.3, page.go,
 * meta.go, node.go): no Go, no library.
 *
 * Reading walks the newest valid meta page's root bucket tree (branch and
 * leaf pages, inline buckets) to the "volumes" bucket and collects its
 * keys.  Writing makes a fresh, compact file: two meta pages, an empty
 * freelist, a root leaf with the one bucket, and the bucket's leaf (one
 * page, with overflow pages when it is bigger), which bbolt opens as any
 * file of its own; the next dockerd write rebalances it.  The file
 * replaces the old one by rename, only while nobody holds bbolt's flock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/fs.h"
#include "../util/sbuf.h"
#include "volume.h"

#define PAGE_HDR 16
#define ELEM 16
#define F_BRANCH 0x01
#define F_LEAF 0x02
#define F_META 0x04
#define F_FREELIST 0x10
#define F_BUCKET_LEAF 0x01
#define MAGIC 0xED0CDAEDu
#define META_SUM_LEN 56 /* meta up to its checksum */
#define WRITE_PAGE 4096
#define MAX_DEPTH 32

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32; }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

static uint64_t fnv64a(const uint8_t *p, size_t n)
{
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h;
}

struct db {
	const uint8_t *d;
	size_t size, psz;
};

typedef int (*kv_fn)(const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, uint32_t flags, void *ctx);

/* A page's bytes: at pgid in the file, or (inline) the given span. */
static const uint8_t *page_at(const struct db *db, uint64_t pgid, size_t *avail)
{
	if (pgid >= db->size / db->psz)
		return NULL;
	*avail = db->size - pgid * db->psz;
	return db->d + pgid * db->psz;
}

static int walk(const struct db *db, const uint8_t *p, size_t avail, int depth, kv_fn fn, void *ctx)
{
	uint16_t flags, count;

	if (avail < PAGE_HDR || depth > MAX_DEPTH)
		return -1;
	flags = get16(p + 8);
	count = get16(p + 10);
	if ((size_t)PAGE_HDR + (size_t)count * ELEM > avail)
		return -1;
	for (size_t i = 0; i < count; i++) {
		const uint8_t *e = p + PAGE_HDR + i * ELEM;
		size_t off = (size_t)(e - p);

		if (flags & F_LEAF) {
			uint32_t pos = get32(e + 4), ks = get32(e + 8), vs = get32(e + 12);
			if (off + pos + (size_t)ks + vs > avail)
				return -1;
			int r = fn(e + pos, ks, e + pos + ks, vs, get32(e), ctx);
			if (r)
				return r;
		} else if (flags & F_BRANCH) {
			const uint8_t *child;
			size_t ca;
			if (!(child = page_at(db, get64(e + 8), &ca)))
				return -1;
			int r = walk(db, child, ca, depth + 1, fn, ctx);
			if (r)
				return r;
		} else {
			return -1;
		}
	}
	return 0;
}

struct find {
	const struct db *db;
	json_t *out;
	int found;
};

static int collect(const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, uint32_t flags, void *ctx)
{
	struct find *f = ctx;
	json_t *doc;
	char *key;

	if (flags & F_BUCKET_LEAF || !vl)
		return 0;
	key = xstrndup((const char *)k, kl);
	if ((doc = json_loadb((const char *)v, vl, 0, NULL)))
		json_object_set_new(f->out, key, doc);
	free(key);
	return 0;
}

static int find_bucket(const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, uint32_t flags, void *ctx)
{
	struct find *f = ctx;
	uint64_t root;

	if (!(flags & F_BUCKET_LEAF) || kl != 7 || memcmp(k, "volumes", 7) || vl < 16)
		return 0;
	f->found = 1;
	root = get64(v);
	if (root == 0) /* an inline bucket: its page follows the header */
		return walk(f->db, v + 16, vl - 16, 0, collect, f) < 0 ? -1 : 1;
	size_t avail;
	const uint8_t *p = page_at(f->db, root, &avail);
	return !p || walk(f->db, p, avail, 0, collect, f) < 0 ? -1 : 1;
}

static const uint8_t *meta_ok(const uint8_t *d, size_t size, size_t off)
{
	const uint8_t *m = d + off + PAGE_HDR;

	if (off + PAGE_HDR + META_SUM_LEN + 8 > size)
		return NULL;
	if (get32(m) != MAGIC || get32(m + 4) != 2 || get64(m + META_SUM_LEN) != fnv64a(m, META_SUM_LEN))
		return NULL;
	return m;
}

int volume_db_read(int volumes_fd, json_t **out, struct berr *err)
{
	struct sbuf sb = SBUF_INIT;
	const uint8_t *m0, *m1 = NULL, *m;
	struct db db;
	struct find f;
	int rc;

	*out = json_object();
	if (read_file_at(volumes_fd, "metadata.db", &sb, 64u << 20, err) < 0) {
		sbuf_release(&sb);
		if (err->errno_ == ENOENT) {
			berr_clear(err);
			return 0;
		}
		return -1;
	}
	db.d = (const uint8_t *)sb.buf;
	db.size = sb.len;
	m0 = meta_ok(db.d, db.size, 0);
	db.psz = m0 ? get32(m0 + 8) : WRITE_PAGE;
	if (db.psz >= 512 && db.psz <= (1u << 20))
		m1 = meta_ok(db.d, db.size, db.psz);
	m = m0 && m1 ? (get64(m1 + 48) > get64(m0 + 48) ? m1 : m0) : m0 ? m0 : m1;
	if (!m || db.psz < 512) {
		sbuf_release(&sb);
		return berr_set(err, BERR_INVALID, "volumes/metadata.db: not a bolt database");
	}
	f.db = &db;
	f.out = *out;
	f.found = 0;
	size_t avail;
	const uint8_t *root = page_at(&db, get64(m + 16), &avail);
	rc = root ? walk(&db, root, avail, 0, find_bucket, &f) : -1;
	sbuf_release(&sb);
	if (rc < 0)
		return berr_set(err, BERR_INVALID, "volumes/metadata.db: damaged bolt pages");
	return 0;
}

static int cmp_key(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t lx = strlen(x), ly = strlen(y);
	int c = memcmp(x, y, lx < ly ? lx : ly);

	return c ? c : (lx > ly) - (lx < ly);
}

static void page_hdr(uint8_t *p, uint64_t id, uint16_t flags, uint16_t count, uint32_t overflow)
{
	put64(p, id);
	put16(p + 8, flags);
	put16(p + 10, count);
	put32(p + 12, overflow);
}

/* The whole file for entries (name -> JSON text, as json.Marshal wrote). */
static uint8_t *build(json_t *entries, size_t *len)
{
	size_t n = json_object_size(entries), i = 0, data = 0, leaf, pages;
	const char **keys = xcalloc(n ? n : 1, sizeof(*keys));
	const char *k;
	json_t *v;
	uint8_t *d, *p;

	json_object_foreach(entries, k, v) {
		keys[i++] = k;
		data += strlen(k) + json_string_length(v);
	}
	/* bbolt's keys are in bytes.Compare order. */
	qsort(keys, n, sizeof(*keys), cmp_key);
	leaf = PAGE_HDR + n * ELEM + data;
	pages = (leaf + WRITE_PAGE - 1) / WRITE_PAGE;
	*len = (4 + pages) * WRITE_PAGE;
	d = xcalloc(1, *len);
	for (int t = 0; t < 2; t++) {
		uint8_t *m = d + t * WRITE_PAGE + PAGE_HDR;
		page_hdr(d + t * WRITE_PAGE, (uint64_t)t, F_META, 0, 0);
		put32(m, MAGIC);
		put32(m + 4, 2);
		put32(m + 8, WRITE_PAGE);
		put32(m + 12, 0);
		put64(m + 16, 3);        /* root bucket page */
		put64(m + 24, 0);        /* its sequence */
		put64(m + 32, 2);        /* freelist page */
		put64(m + 40, 4 + pages); /* high water mark */
		put64(m + 48, (uint64_t)t); /* txid: meta 1 is the newer */
		put64(m + META_SUM_LEN, fnv64a(m, META_SUM_LEN));
	}
	page_hdr(d + 2 * WRITE_PAGE, 2, F_FREELIST, 0, 0);
	/* The root bucket: one key, "volumes", a bucket rooted at page 4. */
	p = d + 3 * WRITE_PAGE;
	page_hdr(p, 3, F_LEAF, 1, 0);
	put32(p + PAGE_HDR, F_BUCKET_LEAF);
	put32(p + PAGE_HDR + 4, ELEM);
	put32(p + PAGE_HDR + 8, 7);
	put32(p + PAGE_HDR + 12, 16);
	memcpy(p + PAGE_HDR + ELEM, "volumes", 7);
	put64(p + PAGE_HDR + ELEM + 7, 4);
	put64(p + PAGE_HDR + ELEM + 15, 0);
	/* The volumes bucket's leaf: elements, then each key and value. */
	p = d + 4 * WRITE_PAGE;
	page_hdr(p, 4, F_LEAF, (uint16_t)n, (uint32_t)(pages - 1));
	size_t at = PAGE_HDR + n * ELEM;
	for (i = 0; i < n; i++) {
		uint8_t *e = p + PAGE_HDR + i * ELEM;
		const char *val = json_string_value(json_object_get(entries, keys[i]));
		size_t kl = strlen(keys[i]), vl = strlen(val);
		put32(e, 0);
		put32(e + 4, (uint32_t)(at - (size_t)(e - p)));
		put32(e + 8, (uint32_t)kl);
		put32(e + 12, (uint32_t)vl);
		memcpy(p + at, keys[i], kl);
		memcpy(p + at + kl, val, vl);
		at += kl + vl;
	}
	free(keys);
	return d;
}

int volume_db_write(int volumes_fd, json_t *entries, int *busy, struct berr *err)
{
	uint8_t *d;
	size_t len;
	int fd, rc;

	*busy = 0;
	if (json_object_size(entries) > 60000)
		return berr_set(err, BERR_UNSUPPORTED, "too many volumes for one bolt page");
	/* bbolt holds an exclusive flock on the file while dockerd has it open. */
	fd = openat(volumes_fd, "metadata.db", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		*busy = 1;
		return berr_set(err, BERR_EXISTS, "volumes/metadata.db is held by a running dockerd: timeout");
	}
	d = build(entries, &len);
	rc = atomic_write_at(volumes_fd, "metadata.db", d, len, 0600, err);
	free(d);
	if (fd >= 0)
		close(fd);
	return rc;
}
