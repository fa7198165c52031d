/*
 * reference.h - image references parsed and normalised as Docker does
 * (github.com/distribution/reference: ParseNormalizedNamed, TagNameOnly,
 * FamiliarName/FamiliarString).
 *
 *   busybox                 -> docker.io/library/busybox:latest
 *   127.0.0.1:5000/a/b:1    -> domain 127.0.0.1:5000, path a/b, tag 1
 *   x@sha256:<hex>          -> digest reference
 *
 * Errors use Docker's (docker 28, distribution/reference v0.6) texts:
 * "invalid reference format",
 * "invalid reference format: repository name must be lowercase" (Docker 20.10),
 * "repository name must not be more than 255 characters",
 * "invalid checksum digest format" / "... length", "unsupported digest
 * algorithm" (sha256, sha384 and sha512 are known).
 */
#ifndef BERTH_REFERENCE_H
#define BERTH_REFERENCE_H

#include "util/err.h"

struct reference {
	char *domain;  /* "docker.io" by default */
	char *path;    /* "library/busybox" */
	char *tag;     /* NULL when none given (see reference_default_tag) */
	char *digest;  /* "sha256:..." or NULL */
};

/* Parses a user-typed reference (ParseNormalizedNamed).  A 64-hex string
 * alone is refused like Docker does ("invalid repository name (...), cannot
 * specify 64-byte hexadecimal strings").  Fills *out; release with
 * reference_release(). */
int reference_parse(struct reference *out, const char *s, struct berr *err);
/* Sets tag to "latest" if neither tag nor digest is set (TagNameOnly). */
void reference_default_tag(struct reference *ref);
void reference_release(struct reference *ref);

/* The strings below are newly allocated (free()). */
/* "docker.io/library/busybox" */
char *reference_name(const struct reference *ref);
/* "busybox", "127.0.0.1:5000/a/b" */
char *reference_familiar_name(const struct reference *ref);
/* familiar name + ":tag" and/or "@digest" */
char *reference_familiar_string(const struct reference *ref);
/* full name + ":tag" and/or "@digest" (what `docker pull` prints last) */
char *reference_string(const struct reference *ref);

/* A reference to tag an image with: parsed, a digest refused with
 * digest_msg (the caller's docker wording), the tag defaulted to latest. */
int reference_parse_tag_target(struct reference *ref, const char *s, const char *digest_msg, struct berr *err);

#endif
