/* ipnet.c - addresses and CIDRs (ipnet.h). */
#include "ipnet.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

bool ip_parse(const char *s, struct ip_addr *out)
{
	static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->b) == 1) {
		out->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, out->b) != 1)
		return false;
	out->family = AF_INET6;
	if (memcmp(out->b, v4mapped, sizeof(v4mapped)) == 0) {
		memmove(out->b, out->b + 12, 4);
		memset(out->b + 4, 0, 12);
		out->family = AF_INET;
	}
	return true;
}

bool ip_net_parse(const char *s, struct ip_net *out)
{
	const char *slash = strchr(s, '/');
	struct ip_addr *net = &out->addr;
	char *end;
	long n;

	if (!slash || slash == s || !slash[1])
		return false;
	_cleanup_free_ char *addr = xstrndup(s, (size_t)(slash - s));
	/* Go's ParseCIDR wants the address in its plain family form. */
	if (inet_pton(AF_INET, addr, net->b) == 1)
		net->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, net->b) == 1)
		net->family = AF_INET6;
	else
		return false;
	errno = 0;
	n = strtol(slash + 1, &end, 10);
	if (*end || errno || n < 0 || n > (net->family == AF_INET ? 32 : 128) || !isdigit((unsigned char)slash[1]))
		return false;
	out->bits = (int)n;
	return true;
}

bool ip_net_contains(const struct ip_net *net, const struct ip_addr *ip)
{
	int full = net->bits / 8, rest = net->bits % 8;

	if (net->addr.family != ip->family)
		return false;
	if (memcmp(net->addr.b, ip->b, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (net->addr.b[full] & mask) == (ip->b[full] & mask);
}

bool ip_net_string_contains(const char *cidr, const struct ip_addr *ip)
{
	struct ip_net net;

	return ip_net_parse(cidr, &net) && ip_net_contains(&net, ip);
}
