/*
 * cli.h - the berth tool: one file per command; main.c parses the global
 * options and dispatches.  It parses flags and prints, nothing else.
 *
 * The CLI is held to the public API, <berth/...>, plus the few library
 * headers the Makefile lets it borrow (CLI_BORROWED: the Go template
 * engine, Go's JSON encoder, sbuf and the aborting allocators); it is
 * compiled without -Ilib, so any other private header fails the build,
 * and tests/static/cli-boundary.sh checks the same in `make check`.
 */
#ifndef BERTH_CLI_H
#define BERTH_CLI_H

#include <stdint.h>
#include <stdio.h>

#include <berth/berth.h>

/* The CLI allocates as the library does: xmalloc, xcalloc, xrealloc,
 * xstrdup, xstrndup, xasprintf abort on OOM (a borrowed helper). */
#include "util/sbuf.h"

struct cli {
	const char *root;
	const char *config;
	const char *exec_root;    /* --exec-root or $BERTH_EXEC_ROOT; NULL: the config's */
	struct berth *b;
};

/* One entry of a command table: the top level's (main.c) or a group's
 * (image, system).  summary NULL: an alias, not listed in the usage. */
struct cli_command {
	const char *name;
	int (*fn)(struct cli *c, int argc, char **argv);
	const char *summary;
};
/* Runs the command of v (n entries) named argv[0] with argc/argv, or
 * prints docker's "berth: 'GROUP NAME' is not a berth command" and
 * returns 1; group is NULL for the top level. */
int cli_dispatch(struct cli *c, const char *group, const struct cli_command *v, size_t n, int argc, char **argv);
/* The "Commands:" lines of a usage text, names padded to width. */
void cli_print_commands(FILE *out, const struct cli_command *v, size_t n, int width);

/* Opens the handle lazily (so `berth version` needs no store). */
struct berth *cli_berth(struct cli *c);
/* Prints "Error response from daemon: <msg>" (docker's wording for errors
 * its daemon reports) or "Error: <msg>", returns the exit status. */
int cli_error(const struct berr *err, int daemon_side);
int cli_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The flags of `version` and `info`: -f/--format only.  Returns -1 to go
 * on, else the exit status (help printed, or docker's flag errors). */
int cli_format_flag(const char *cmd, const char *usage, int argc, char **argv, const char **format);
struct tmpl;
struct json_t;
/* Executes t on data and prints it with a newline; an error: its line, 1. */
int cli_print_template(struct tmpl *t, struct json_t *data);
/* A "table ..." --format: the header row (t run on header, docker ignoring
 * its errors) and the rows already rendered (tabwriter text: cells ended
 * by \t, rows by \n) through the tabwriter to stdout. */
void cli_print_table_template(const struct tmpl *t, struct json_t *header, const char *rows, size_t len);
/* formatter.Ellipsis(s, max): s when it fits in max columns (plain ASCII:
 * bytes), else the longest prefix of at most max-1 columns and "…" (free()). */
char *cli_ellipsis(const char *s, int max);
/* Whether a name as typed has a tag or digest (docker's CLI says "Using
 * default tag: latest" when not); the tag colon comes after the last '/'. */
int ref_has_tag_or_digest(const char *ref);

/* strerror as Go words it: "no such file or directory" (into buf). */
const char *go_strerror(int errnum, char *buf, size_t n);

/* go-units: HumanSizeWithPrecision(size, 3) ("7.8MB", "0B"). */
void human_size(char *buf, size_t n, double size);
/* go-units HumanSize: 4 significant digits ("1.084MB"), progress bars. */
void human_size4(char *buf, size_t n, double size);
/* go-units HumanDuration + " ago" semantics, without the " ago". */
void human_duration(char *buf, size_t n, int64_t seconds);
/* human_duration + " ago": docker's CreatedSince. */
void human_duration_ago(char *buf, size_t n, int64_t seconds);

/* Docker's tabwriter (minwidth 10, padding 3, spaces, last cell unpadded). */
/* Display width in runes, as go-runewidth counts narrow characters (the
 * padding of docker's tabwriter tables). */
size_t cli_text_width(const char *s);
struct table;
struct table *table_new(void);
void table_add(struct table *t, const char *const *cells, size_t n);
void table_print(struct table *t, FILE *out);
/* Adds tabwriter text (cells ended by \t, rows by \n: what a --format
 * "table ..." template renders) to the table. */
void table_feed(struct table *t, const char *s, size_t len);
void table_free(struct table *t);

/* Docker jsonmessage rendering of progress events. */
struct progress;
struct progress *progress_new(FILE *out, int quiet);
void progress_event(void *ctx, const struct berth_progress *msg);
void progress_free(struct progress *p);

/* pull and push (transfer.c): the flags, checks and progress they share;
 * each command gives its library call and how it reports. */
struct cli_transfer_opts {
	int all_tags;             /* -a */
	const char *platform;     /* --platform (pull) */
	berth_progress_fn progress;
	void *progress_ctx;
};
struct cli_transfer {
	const char *name;         /* "pull", as messages name the command */
	const char *usage;
	int platform_flag;        /* takes --platform */
	int daemon_errors;        /* failures print as "Error response from daemon: ..." */
	int print_name;           /* print *canonical without -q too */
	int (*run)(struct berth *b, const char *ref, const struct cli_transfer_opts *to, char **canonical,
		   struct berr *err);
};
int cli_transfer(struct cli *c, const struct cli_transfer *t, int argc, char **argv);

int cmd_pull(struct cli *c, int argc, char **argv);
int cmd_push(struct cli *c, int argc, char **argv);
int cmd_images(struct cli *c, int argc, char **argv);
int cmd_inspect(struct cli *c, int argc, char **argv);
int cmd_image_inspect(struct cli *c, int argc, char **argv);
int cmd_history(struct cli *c, int argc, char **argv);
int cmd_tag(struct cli *c, int argc, char **argv);
int cmd_info(struct cli *c, int argc, char **argv);
int cmd_version(struct cli *c, int argc, char **argv);
int cmd_rmi(struct cli *c, int argc, char **argv);
int cmd_image_rm(struct cli *c, int argc, char **argv);
int cmd_image(struct cli *c, int argc, char **argv);
int cmd_system(struct cli *c, int argc, char **argv);
int cmd_save(struct cli *c, int argc, char **argv);
int cmd_load(struct cli *c, int argc, char **argv);
int cmd_import(struct cli *c, int argc, char **argv);
int cmd_login(struct cli *c, int argc, char **argv);
int cmd_logout(struct cli *c, int argc, char **argv);
int cmd_search(struct cli *c, int argc, char **argv);
int cmd_run(struct cli *c, int argc, char **argv);
int cmd_create(struct cli *c, int argc, char **argv);
int cmd_start(struct cli *c, int argc, char **argv);
int cmd_wait(struct cli *c, int argc, char **argv);
int cmd_rm(struct cli *c, int argc, char **argv);
int cmd_diff(struct cli *c, int argc, char **argv);
int cmd_export(struct cli *c, int argc, char **argv);
int cmd_commit(struct cli *c, int argc, char **argv);
int cmd_cp(struct cli *c, int argc, char **argv);
int cmd_logs(struct cli *c, int argc, char **argv);
int cmd_stop(struct cli *c, int argc, char **argv);
int cmd_kill(struct cli *c, int argc, char **argv);
int cmd_restart(struct cli *c, int argc, char **argv);
int cmd_pause(struct cli *c, int argc, char **argv);
int cmd_unpause(struct cli *c, int argc, char **argv);
int cmd_attach(struct cli *c, int argc, char **argv);
/* attach and start -a/-i (cmd-attach.c): the container's inspect document
 * (the docker client's "Error: No such container: X" printed otherwise);
 * the copying of an attach stream (raw terminal and detach keys for a
 * tty's stdin, resizes, --sig-proxy's forwarding; *detached: the keys
 * were read); the exit status of the container the stream was of. */
struct json_t;
int cli_inspect_container(struct cli *c, const char *name, struct json_t **out);
int cli_attach_session(struct cli *c, const char *id, int fd, int raw, int with_stdin, int tty, int sig_proxy,
		       const char *detach_keys, int *detached);
int cli_container_exit_status(struct cli *c, const char *id, int *status);
/* 1 with the exit code when the stream's run ended and the restart policy
 * has the container restarting (a wait would wait for the next run). */
int cli_container_restarting_status(struct cli *c, const char *id, int *status);
/* logs, stop, kill, restart (ctrflags.c): pflag's words for a getopt_long
 * failure (o: its ':' or '?'; returns 125); an int flag's value (125 and
 * the message when bad); the errors of a per-container loop, each
 * "Error response from daemon: ..." (a missing container too: these
 * clients do not reword a 404), printed after the names as the docker
 * client does (status 1 when any). */
int cli_getopt_error(const char *cmd, char **argv, int o);
int cli_int_flag(const char *cmd, const char *flag, const char *v, int *out);
void cli_errors_add(struct sbuf *errs, const struct berr *err);
int cli_errors_finish(struct sbuf *errs);
/* stop and restart: [-t N] CONTAINER..., run on each, its name printed on
 * success, the failures after. */
struct cli_timed {
	const char *name, *usage, *time_help;
	int (*run)(struct berth *b, const char *name_or_id, const int *timeout, struct berr *err);
};
int cli_timed_command(struct cli *c, const struct cli_timed *t, int argc, char **argv);
int cmd_container_inspect(struct cli *c, int argc, char **argv);
int cmd_rename(struct cli *c, int argc, char **argv);
int cmd_container(struct cli *c, int argc, char **argv);

/* command.PromptForConfirmation: prints "MSG [y/N] " and reads the
 * answer from the first line of stdin, terminal or not (y or Y: 1). */
int cli_confirm(const char *msg);
/* ps, and the same as `container ls` (for the container group's table). */
int cmd_ps(struct cli *c, int argc, char **argv);
int cmd_container_ls(struct cli *c, int argc, char **argv);
/* ContainerContext.Names: the names without their '/', comma-joined; with
 * trunc only the first one that is not a link alias (free()). */
struct berth_container_item;
char *cli_container_names(const struct berth_container_item *it, int trunc);

/* run and create (runflags.c): docker 20.10's flags turned into the body
 * of the Engine API's POST /containers/create, exactly as the docker CLI
 * builds it (Config's fields, "HostConfig", "NetworkingConfig"), plus what
 * is not in the body. */
struct cli_run_opts {
	struct json_t *body;      /* the create body; owned */
	char *name;               /* --name (the ?name= query), or NULL */
	char *platform;           /* --platform (?platform=), or NULL */
	char *pull;               /* --pull: "missing" unless given */
	int help;                 /* --help: print the usage, nothing else set */
	int detach;               /* run -d */
	int sig_proxy;            /* run --sig-proxy (default true) */
	char *detach_keys;        /* run --detach-keys, or NULL */
	int auto_remove;          /* --rm (also HostConfig.AutoRemove) */
	int disable_content_trust;
	char *error;              /* on failure: docker's text for stderr, newline-ended */
};
/* Parses argv (argv[0] is the command, cmd "run" or "create"; run adds
 * -d, --sig-proxy, --detach-keys).  0: parsed (or help); else the exit
 * status docker gives (125 flag errors, 1 a missing image) with o->error.
 * Files named by --env-file, --label-file and seccomp= are read here, as
 * the docker CLI reads them client-side.  Release o in either case. */
int cli_run_flags(const char *cmd, int argc, char **argv, struct cli_run_opts *o);
void cli_run_opts_release(struct cli_run_opts *o);
/* What createContainer checks client-side after the --cidfile is made
 * (the command's step), before any request: the image reference
 * (reference.ParseAnyReference), then --platform (containerd's
 * platforms.Parse; o->platform is replaced by its Format, the ?platform=
 * value).  0, or the exit status with o->error: create's plain "MSG" and
 * 1, run's "berth: MSG." and 125. */
int cli_run_check_image(const char *cmd, struct cli_run_opts *o);

/* exec and top. */
int cmd_exec(struct cli *c, int argc, char **argv);
int cmd_top(struct cli *c, int argc, char **argv);
/* One --env-file as the docker CLI reads it (opts.ReadKVEnvStrings'
 * file part, runflags.c): its "K=V" entries appended to out (a json
 * array); -1 with the CLI's message in msg. */
int cli_read_env_file(const char *path, struct json_t *out, char *msg, size_t n);
/* `volume` and its group (cmd-volume.c). */
int cmd_volume(struct cli *c, int argc, char **argv);

#endif
