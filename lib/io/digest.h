/*
 * digest.h - "sha256:<hex>" digests: streaming SHA-256 (OpenSSL EVP, which
 * picks SHA-NI/AVX2 code at run time) and a reader that hashes what passes
 * through it.
 */
#ifndef BERTH_IO_DIGEST_H
#define BERTH_IO_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "reader.h"

#define DIGEST_HEX_LEN 64
/* "sha256:" + 64 hex + NUL */
#define DIGEST_STR_LEN (7 + DIGEST_HEX_LEN + 1)

struct sha256 {
	void *md; /* EVP_MD_CTX */
};

void sha256_init(struct sha256 *h);
void sha256_update(struct sha256 *h, const void *data, size_t len);
/* Writes "sha256:<hex>" into out (DIGEST_STR_LEN bytes) and frees the ctx. */
void sha256_final(struct sha256 *h, char out[DIGEST_STR_LEN]);
void sha256_release(struct sha256 *h);
/* One shot (without OpenSSL for up to 64 KiB: see digest.c). */
void sha256_digest(const void *data, size_t len, char out[DIGEST_STR_LEN]);
/* The portable one-shot SHA-256 behind it, raw (any length). */
void sha256_small(const void *data, size_t len, unsigned char md[32]);

/* Returns 0 if s is a well-formed "sha256:<64 lowercase hex>", else -1. */
int digest_validate(const char *s, struct berr *err);
/* The hex part of a validated digest. */
static inline const char *digest_hex(const char *d) { return d + 7; }

/* A reader that hashes every byte it passes on and counts them. */
struct digest_reader {
	struct reader r;
	struct reader *src;
	struct sha256 h;
	uint64_t count;
};
void digest_reader_init(struct digest_reader *dr, struct reader *src);

/* ChainID(L0..n): chain(parent, diff) = sha256(parent + " " + diff);
 * parent NULL means the chain ID is diff itself. */
void chain_id(const char *parent, const char *diff, char out[DIGEST_STR_LEN]);

#endif
