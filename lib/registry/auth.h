/*
 * auth.h - registry authentication: parsing a WWW-Authenticate challenge
 * and turning it plus stored credentials into an Authorization header
 * (Basic, or Bearer with a token fetched from the challenge's realm).
 */
#ifndef BERTH_REGISTRY_AUTH_H
#define BERTH_REGISTRY_AUTH_H

#include "../util/err.h"
#include "http.h"

enum auth_scheme { AUTH_NONE, AUTH_BASIC, AUTH_BEARER };

struct auth_challenge {
	enum auth_scheme scheme;
	char *realm;
	char *service;
	char *scope;
};

/* Parses the first challenge of a WWW-Authenticate value.  Returns 0 for a
 * Basic or Bearer challenge (a Bearer one must name a realm), -1 otherwise
 * (c is then empty). */
int auth_parse_challenge(const char *hdr, struct auth_challenge *c);
void auth_challenge_release(struct auth_challenge *c);

/* "Basic base64(user:pass)" (free()). */
char *auth_basic_header(const char *user, const char *pass);

/* Fetches a token for scope from c's realm, sending user/pass as Basic
 * credentials when non-NULL (or, for user "<token>", exchanging pass as an
 * OAuth2 refresh token like docker does for identity tokens).  Sets
 * *authz to "Bearer <token>" (free()). */
int auth_fetch_token(struct http_share *s, const struct auth_challenge *c, const char *scope,
		     const char *user, const char *pass, char **authz, struct berr *err);

#endif
