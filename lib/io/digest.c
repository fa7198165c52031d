/* digest.c - SHA-256 through OpenSSL EVP; see digest.h.
 *
 * libcrypto is loaded on first use, as libcurl is (curl_lazy.c): linking
 * it costs every process 0.6 ms before main(), and most commands (ps,
 * run, logs) hash nothing, or only after their real work began. */
#include "digest.h"

#include <dlfcn.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdint.h>
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

static void hex_digest(const unsigned char md[32], char out[DIGEST_STR_LEN])
{
	static const char hex[] = "0123456789abcdef";

	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[DIGEST_STR_LEN - 1] = '\0';
}

void sha256_final(struct sha256 *h, char out[DIGEST_STR_LEN])
{
	unsigned char md[32];
	unsigned int n = 0;

	evp.EVP_DigestFinal_ex(h->md, md, &n);
	hex_digest(md, out);
	sha256_release(h);
}

void sha256_release(struct sha256 *h)
{
	if (h->md)
		evp.EVP_MD_CTX_free(h->md);
	h->md = NULL;
}

/* ---- one-shot hashing of small inputs ----
 *
 * Loading libcrypto and fetching OpenSSL 3's SHA-256 costs about 1.7 ms,
 * more than hashing a 64 KiB config portably: chain IDs, image configs and
 * cache keys (create and run hash nothing else) are hashed here, FIPS
 * 180-4 in plain C; streams (layers, blobs) keep OpenSSL's SHA-NI code. */
#define SMALL_HASH_MAX (64 * 1024)

static const uint32_t K256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t ror32(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, k;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = k + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
		uint32_t t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		k = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

void sha256_small(const void *data, size_t len, unsigned char md[32])
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	const unsigned char *p = data;
	unsigned char tail[128] = { 0 };
	size_t full = len & ~(size_t)63, rest = len - full, tn;
	uint64_t bits = (uint64_t)len * 8;

	for (size_t off = 0; off < full; off += 64)
		sha256_block(h, p + off);
	if (rest)
		memcpy(tail, p + full, rest);
	tail[rest] = 0x80;
	tn = rest < 56 ? 64 : 128;
	for (int i = 0; i < 8; i++)
		tail[tn - 1 - i] = (unsigned char)(bits >> (8 * i));
	sha256_block(h, tail);
	if (tn == 128)
		sha256_block(h, tail + 64);
	for (int i = 0; i < 8; i++) {
		md[4 * i] = (unsigned char)(h[i] >> 24);
		md[4 * i + 1] = (unsigned char)(h[i] >> 16);
		md[4 * i + 2] = (unsigned char)(h[i] >> 8);
		md[4 * i + 3] = (unsigned char)h[i];
	}
}

void sha256_digest(const void *data, size_t len, char out[DIGEST_STR_LEN])
{
	struct sha256 h;
	unsigned char md[32];

	if (len <= SMALL_HASH_MAX) {
		sha256_small(data, len, md);
		hex_digest(md, out);
		return;
	}
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
