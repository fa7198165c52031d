/*
 * ipnet.h - IP addresses and CIDR networks as Go's net package reads them
 * (ParseIP, ParseCIDR, IPNet.Contains): daemon.json's insecure-registries
 * today, "bip" and "default-address-pools" later.
 */
#ifndef BERTH_UTIL_IPNET_H
#define BERTH_UTIL_IPNET_H

#include <stdbool.h>

/* An address with its family, the form CIDR checks compare. */
struct ip_addr {
	int family;           /* AF_INET or AF_INET6 */
	unsigned char b[16];
};

struct ip_net {
	struct ip_addr addr;
	int bits;
};

/* An IPv4-mapped IPv6 address counts as IPv4, as Go's IPNet.Contains does. */
bool ip_parse(const char *s, struct ip_addr *out);
/* "addr/bits", the address in its plain family form; false when s is not
 * a CIDR. */
bool ip_net_parse(const char *s, struct ip_net *out);
bool ip_net_contains(const struct ip_net *net, const struct ip_addr *ip);
/* ip_net_parse(cidr) and ip_net_contains; false for a non-CIDR. */
bool ip_net_string_contains(const char *cidr, const struct ip_addr *ip);

#endif
