/*
 * gopath.h - Go's path/filepath functions on Unix, for the code that must
 * resolve paths exactly as docker's does (docker cp's copy rules in
 * pkg/archive/copy.go are written in terms of them).  Every returned
 * string is malloc'd (free()).
 */
#ifndef BERTH_UTIL_GOPATH_H
#define BERTH_UTIL_GOPATH_H

/* filepath.Clean */
char *go_clean(const char *s);
/* filepath.Base: "" is ".", only slashes is "/" */
char *go_base(const char *s);
/* filepath.Dir */
char *go_dir(const char *s);
/* filepath.Split: dir keeps its trailing slash; *file may be "" */
void go_split(const char *s, char **dir, char **file);
/* filepath.Join(a, b): empty elements ignored, the result cleaned */
char *go_join(const char *a, const char *b);
/* pkg/archive: */
int go_has_trailing_sep(const char *s);
int go_specifies_current_dir(const char *s);  /* Base(s) == "." */
int go_asserts_directory(const char *s);
/* PreserveTrailingDotOrSeparator(cleaned, original) */
char *go_preserve_trailing(const char *cleaned, const char *original);
/* SplitPathDirEntry */
void go_split_path_dir_entry(const char *path, char **dir, char **base);

#endif
