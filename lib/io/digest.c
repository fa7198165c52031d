/* digest.c - SHA-256 through OpenSSL EVP; see digest.h. */
#include "digest.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sha256_init(struct sha256 *h)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		abort();
	h->md = c;
}

void sha256_update(struct sha256 *h, const void *data, size_t len)
{
	if (len)
		EVP_DigestUpdate(h->md, data, len);
}

void sha256_final(struct sha256 *h, char out[DIGEST_STR_LEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int n = 0;

	EVP_DigestFinal_ex(h->md, md, &n);
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
		EVP_MD_CTX_free(h->md);
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
