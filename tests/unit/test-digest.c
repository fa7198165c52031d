/* test-digest - the portable one-shot SHA-256 (lib/io/digest.c) against
 * OpenSSL's, which this test links, on FIPS 180-4's examples and on every
 * length around the padding boundaries, and sha256_digest on both sides
 * of its 64 KiB switch. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/digest.h"
#include "test.h"

static void openssl_hex(const void *p, size_t n, char out[DIGEST_STR_LEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int len = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, p, n);
	EVP_DigestFinal_ex(c, md, &len);
	EVP_MD_CTX_free(c);
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[DIGEST_STR_LEN - 1] = '\0';
}

int main(void)
{
	char got[DIGEST_STR_LEN], want[DIGEST_STR_LEN];
	size_t big = 200 * 1024, bad = 0;
	unsigned char *buf = malloc(big);

	sha256_digest("abc", 3, got);
	T_STREQ(got, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "FIPS 180-4: abc");
	sha256_digest("", 0, got);
	T_STREQ(got, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "the empty message");
	sha256_digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, got);
	T_STREQ(got, "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "FIPS 180-4: 448 bits");
	srand(7);
	for (size_t i = 0; i < big; i++)
		buf[i] = (unsigned char)rand();
	for (size_t n = 0; n <= 300; n++) {
		sha256_digest(buf, n, got);
		openssl_hex(buf, n, want);
		bad += strcmp(got, want) != 0;
	}
	T_OK(bad == 0, "lengths 0-300 (every padding case) hash as OpenSSL's");
	bad = 0;
	for (size_t n = 64 * 1024 - 70; n <= 64 * 1024 + 70; n++) {
		sha256_digest(buf, n, got);
		openssl_hex(buf, n, want);
		bad += strcmp(got, want) != 0;
	}
	T_OK(bad == 0, "lengths around the 64 KiB switch to OpenSSL");
	sha256_digest(buf, big, got);
	openssl_hex(buf, big, want);
	T_STREQ(got, want, "200 KiB (OpenSSL's side)");
	{
		unsigned char md[32];
		sha256_small(buf, big, md);
		char hex[DIGEST_STR_LEN];
		static const char h[] = "0123456789abcdef";
		memcpy(hex, "sha256:", 7);
		for (int i = 0; i < 32; i++) {
			hex[7 + 2 * i] = h[md[i] >> 4];
			hex[8 + 2 * i] = h[md[i] & 15];
		}
		hex[DIGEST_STR_LEN - 1] = '\0';
		T_STREQ(hex, want, "the portable code on 200 KiB too");
	}
	free(buf);
	return t_done();
}
