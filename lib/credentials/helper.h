/*
 * helper.h - docker's credential helper protocol: the program
 * docker-credential-<name> (found on $PATH) is run with one action and talks
 * JSON on stdin/stdout, as docker-credential-helpers' client package does:
 *   store  stdin {"ServerURL":..,"Username":..,"Secret":..}
 *   get    stdin the server URL; stdout {"ServerURL":..,"Username":..,"Secret":..}
 *   erase  stdin the server URL
 * A failure is the helper's exit status plus its trimmed stdout, worded as
 * docker words it ("error storing credentials - err: exit status 1, out:
 * `...`").  An identity token travels with Username "<token>".
 */
#ifndef BERTH_CREDENTIALS_HELPER_H
#define BERTH_CREDENTIALS_HELPER_H

#include "../util/err.h"

/* 0 with *user and *secret set (free()), 1 when the helper has none
 * ("credentials not found in native keychain"), -1 on failure. */
int credhelper_get(const char *helper, const char *server, char **user, char **secret, struct berr *err);
int credhelper_store(const char *helper, const char *server, const char *user, const char *secret,
		     struct berr *err);
int credhelper_erase(const char *helper, const char *server, struct berr *err);

#endif
