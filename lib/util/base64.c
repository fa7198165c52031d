/* base64.c - see base64.h. */
#include "base64.h"

#include <stdint.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64_encode(struct sbuf *sb, const void *data, size_t n)
{
	const unsigned char *p = data;
	char *o;

	sbuf_grow(sb, (n + 2) / 3 * 4);
	o = sb->buf + sb->len;
	for (; n >= 3; p += 3, n -= 3) {
		*o++ = alphabet[p[0] >> 2];
		*o++ = alphabet[((p[0] & 3) << 4) | (p[1] >> 4)];
		*o++ = alphabet[((p[1] & 15) << 2) | (p[2] >> 6)];
		*o++ = alphabet[p[2] & 63];
	}
	if (n) {
		*o++ = alphabet[p[0] >> 2];
		if (n == 1) {
			*o++ = alphabet[(p[0] & 3) << 4];
			*o++ = '=';
		} else {
			*o++ = alphabet[((p[0] & 3) << 4) | (p[1] >> 4)];
			*o++ = alphabet[(p[1] & 15) << 2];
		}
		*o++ = '=';
	}
	sb->len = (size_t)(o - sb->buf);
	sb->buf[sb->len] = '\0';
}

static int value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int base64_decode(struct sbuf *out, const char *s, size_t n, size_t *bad_at)
{
	uint32_t acc = 0;
	size_t quad = 0, pad = 0, i;

	sbuf_grow(out, n / 4 * 3);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int v;

		if (c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			/* padding: only in the last two places of the last quad */
			if (quad < 2)
				goto bad;
			pad++;
			quad++;
			acc <<= 6;
		} else {
			if (pad || (v = value(c)) < 0)
				goto bad;
			acc = (acc << 6) | (uint32_t)v;
			quad++;
		}
		if (quad == 4) {
			unsigned char b[3] = { (unsigned char)(acc >> 16), (unsigned char)(acc >> 8),
					       (unsigned char)acc };
			sbuf_add(out, b, 3 - pad);
			quad = 0;
			acc = 0;
			if (pad)
				break;
		}
	}
	for (i++; pad && i < n; i++)
		if (s[i] != '\r' && s[i] != '\n')
			goto bad;
	if (quad != 0) {
		i = n;
		goto bad;
	}
	return 0;
bad:
	if (bad_at)
		*bad_at = i;
	return -1;
}
