/* digest.c - SHA-256 through OpenSSL EVP; see digest.h.
 *
 * libcrypto is loaded on first use, as libcurl is (curl_lazy.c): linking
 * it costs every process 0.6 ms before main(), and most commands (ps,
 * run, logs) hash nothing, or only after their real work began. */
#include "digest.h"

#include <dlfcn.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVP_FUNCS(X)                                                                       \
	X(EVP_MD_CTX *, EVP_MD_CTX_new, (void))                                            \
	X(void, EVP_MD_CTX_free, (EVP_MD_CTX *c))                                          \
	X(const EVP_MD *, EVP_sha256, (void))                                              \
	X(int, EVP_DigestInit_ex, (EVP_MD_CTX *c, const EVP_MD *t, ENGINE *e))             \
	X(int, EVP_DigestUpdate, (EVP_MD_CTX *c, const void *d, size_t n))                 \
	X(int, EVP_DigestFinal_ex, (EVP_MD_CTX *c, unsigned char *md, unsigned int *n))

/* Written once under evp_once, read-only afterwards. */
static struct {
#define X(ret, name, args) ret (*name) args;
	EVP_FUNCS(X)
#undef X
} evp;
static pthread_once_t evp_once = PTHREAD_ONCE_INIT;

static void evp_load(void)
{
	void *h = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		fprintf(stderr, "berth: cannot load libcrypto: %s\n", dlerror());
		abort();
	}
#define X(ret, name, args)                                                       \
	if (!(*(void **)&evp.name = dlsym(h, #name))) {                          \
		fprintf(stderr, "berth: libcrypto lacks %s\n", #name);          \
		abort();                                                         \
	}
	EVP_FUNCS(X)
#undef X
}

void sha256_init(struct sha256 *h)
{
	EVP_MD_CTX *c;

	pthread_once(&evp_once, evp_load);
	c = evp.EVP_MD_CTX_new();
	if (!c || evp.EVP_DigestInit_ex(c, evp.EVP_sha256(), NULL) != 1)
		abort();
	h->md = c;
}

void sha256_update(struct sha256 *h, const void *data, size_t len)
{
	if (len)
		evp.EVP_DigestUpdate(h->md, data, len);
}

void sha256_final(struct sha256 *h, char out[DIGEST_STR_LEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int n = 0;

	evp.EVP_DigestFinal_ex(h->md, md, &n);
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[DIGEST_STR_LEN - 1] = '\0';
	sha256_release(h);
}

void sha256_release(struct sha256 *h)
{
	if (h->md)
		evp.EVP_MD_CTX_free(h->md);
	h->md = NULL;
}

void sha256_digest(const void *data, size_t len, char out[DIGEST_STR_LEN])
{
	struct sha256 h;

	sha256_init(&h);
	sha256_update(&h, data, len);
	sha256_final(&h, out);
}

int digest_validate(const char *s, struct berr *err)
{
	if (!s || strncmp(s, "sha256:", 7) != 0)
		goto bad;
	for (int i = 0; i < DIGEST_HEX_LEN; i++) {
		char c = s[7 + i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			goto bad;
	}
	if (s[7 + DIGEST_HEX_LEN] != '\0')
		goto bad;
	return 0;
bad:
	return berr_set(err, BERR_INVALID, "invalid digest %s", s ? s : "(null)");
}

static ssize_t digest_read(struct reader *r, void *buf, size_t n, struct berr *err)
{
	struct digest_reader *dr = (struct digest_reader *)r;
	ssize_t k = reader_read(dr->src, buf, n, err);

	if (k > 0) {
		sha256_update(&dr->h, buf, (size_t)k);
		dr->count += (uint64_t)k;
	}
	return k;
}

void digest_reader_init(struct digest_reader *dr, struct reader *src)
{
	dr->r.read = digest_read;
	dr->src = src;
	dr->count = 0;
	sha256_init(&dr->h);
}

void chain_id(const char *parent, const char *diff, char out[DIGEST_STR_LEN])
{
	char buf[2 * DIGEST_STR_LEN + 1];

	if (!parent) {
		snprintf(out, DIGEST_STR_LEN, "%s", diff);
		return;
	}
	snprintf(buf, sizeof(buf), "%s %s", parent, diff);
	sha256_digest(buf, strlen(buf), out);
}
