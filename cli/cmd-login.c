/*
 * cmd-login.c - `berth login [OPTIONS] [SERVER]`, docker 20.10's flow
 * (cli/command/registry/login.go, command.ConfigureAuth): stored
 * credentials are tried first when no -u/-p is given, then the terminal
 * prompts (echo off for the password); the credentials are checked against
 * the registry before they are saved; docker's warnings, errors and
 * "Login Succeeded".
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

static const char usage_line[] = "login [OPTIONS] [SERVER]\n\nLog in to a Docker registry";

static const char hub_hint[] =
	"Login with your Docker ID to push and pull images from Docker Hub. If you don't have a Docker ID, "
	"head over to https://hub.docker.com to create one.";

#define UNENCRYPTED_WARNING \
	"WARNING! Your password will be stored unencrypted in %s.\n" \
	"Configure a credential helper to remove this warning. See\n" \
	"https://docs.docker.com/engine/reference/commandline/login/#credentials-store\n\n"

/* strings.TrimSpace, in place. */
static char *trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' || *s == '\f')
		s++;
	n = strlen(s);
	while (n && strchr(" \t\n\r\v\f", s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* The CLI's readInput: one line; at EOF it prints the error and exits. */
static char *read_line(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);

	if (n < 0) {
		free(line);
		printf("EOF\n");
		exit(1);
	}
	if (n && line[n - 1] == '\n')
		line[--n] = '\0';
	if (n && line[n - 1] == '\r')
		line[--n] = '\0';
	return line;
}

/* Reads the password without echo, as term.DisableEcho does. */
static char *read_password(void)
{
	struct termios old, quiet;
	int have = tcgetattr(0, &old) == 0;
	char *p;

	printf("Password: ");
	fflush(stdout);
	if (have) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		tcsetattr(0, TCSANOW, &quiet);
	}
	p = read_line();
	printf("\n");
	if (have)
		tcsetattr(0, TCSANOW, &old);
	return p;
}

/* ioutil.ReadAll(stdin), less one trailing "\n" and then one "\r". */
static char *read_stdin_password(void)
{
	struct sbuf sb = SBUF_INIT;
	char buf[4096];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		sbuf_add(&sb, buf, n);
	if (sb.len && sb.buf[sb.len - 1] == '\n')
		sb.buf[--sb.len] = '\0';
	if (sb.len && sb.buf[sb.len - 1] == '\r')
		sb.buf[--sb.len] = '\0';
	return sbuf_detach(&sb, NULL);
}

/* command.ConfigureAuth: fills the user and password from the flags or the
 * terminal; returns 0, or prints docker's error and returns 1. */
static int configure_auth(const char *flag_user, const char *flag_pass, const char *stored_user, int is_default,
			  char **user, char **pass)
{
	char *u = xstrdup(flag_user ? flag_user : ""), *t;

	if ((!flag_pass || !*flag_pass) && !isatty(0)) {
		free(u);
		fprintf(stderr, "Error: Cannot perform an interactive login from a non TTY device\n");
		return 1;
	}
	t = trim(u);
	if (!*t) {
		char *line;

		if (is_default)
			printf("%s\n", hub_hint);
		if (stored_user && *stored_user)
			printf("Username (%s): ", stored_user);
		else
			printf("Username: ");
		fflush(stdout);
		line = read_line();
		free(u);
		u = xstrdup(trim(line));
		free(line);
		if (!*u && stored_user) {
			free(u);
			u = xstrdup(stored_user);
		}
		t = u;
	}
	if (!*t) {
		free(u);
		fprintf(stderr, "Error: Non-null Username Required\n");
		return 1;
	}
	*user = xstrdup(t);
	free(u);
	if (flag_pass && *flag_pass) {
		*pass = xstrdup(flag_pass);
		return 0;
	}
	*pass = read_password();
	if (!**pass) {
		free(*user);
		free(*pass);
		*user = *pass = NULL;
		fprintf(stderr, "Error: Password Required\n");
		return 1;
	}
	return 0;
}

/* Tries the stored credentials ("Authenticating with existing
 * credentials..."); 0 when they still work. */
static int login_stored(struct cli *c, const char *key, const char *user, const char *pass)
{
	struct berr err = BERR_INIT;

	printf("Authenticating with existing credentials...\n");
	fflush(stdout);
	if (berth_registry_login_check(c->config, key, user, pass, &err) == 0)
		return 0;
	if (err.code == BERR_AUTH)
		fprintf(stderr, "Stored credentials invalid or expired\n");
	else
		fprintf(stderr, "Login did not succeed, error: Error response from daemon: %s\n", err.msg);
	return -1;
}

int cmd_login(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "username", required_argument, NULL, 'u' },
		{ "password", required_argument, NULL, 'p' },
		{ "password-stdin", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct berr err = BERR_INIT;
	const char *flag_user = NULL, *flag_pass = NULL;
	char *stdin_pass = NULL, *key = NULL, *stored_user = NULL, *stored_pass = NULL;
	char *user = NULL, *pass = NULL, *plain = NULL;
	int pass_stdin = 0, o, rc = 1, is_default;

	optind = 0;
	while ((o = getopt_long(argc, argv, "u:p:h", opts, NULL)) != -1) {
		switch (o) {
		case 'u': flag_user = optarg; break;
		case 'p': flag_pass = optarg; break;
		case 'S': pass_stdin = 1; break;
		case 'h':
			printf("\nUsage:  berth login [OPTIONS] [SERVER]\n\nLog in to a Docker registry.\n"
			       "If no server is specified, the default is defined by the daemon.\n\nOptions:\n"
			       "  -p, --password string   Password\n"
			       "      --password-stdin    Take the password from stdin\n"
			       "  -u, --username string   Username\n");
			return 0;
		default:
			return 125;
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("login", usage_line, "requires at most 1 argument");
	/* verifyloginOptions */
	if (flag_pass && *flag_pass) {
		fprintf(stderr, "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
		if (pass_stdin) {
			fprintf(stderr, "--password and --password-stdin are mutually exclusive\n");
			return 1;
		}
	}
	if (pass_stdin) {
		if (!flag_user || !*flag_user) {
			fprintf(stderr, "Must provide --username with --password-stdin\n");
			return 1;
		}
		flag_pass = stdin_pass = read_stdin_password();
	}
	key = berth_registry_login_key(optind < argc ? argv[optind] : NULL);
	is_default = !strcmp(key, BERTH_REGISTRY_INDEX_SERVER);
	if ((!flag_user || !*flag_user) && (!flag_pass || !*flag_pass)) {
		berth_registry_login_stored(key, &stored_user, &stored_pass, &err);
		berr_clear(&err);
		if (stored_user && *stored_user && stored_pass && *stored_pass && strcmp(stored_user, "<token>") &&
		    login_stored(c, key, stored_user, stored_pass) == 0) {
			user = stored_user;
			pass = stored_pass;
			stored_user = stored_pass = NULL;
		}
	}
	if (!user) {
		if (configure_auth(flag_user, flag_pass, stored_user, is_default, &user, &pass))
			goto out;
		if (berth_registry_login_check(c->config, key, user, pass, &err) < 0) {
			rc = cli_error(&err, 1);
			goto out;
		}
	}
	plain = berth_registry_login_plaintext_path(key);
	if (plain && *pass) {
		fprintf(stderr, UNENCRYPTED_WARNING, plain);
		fflush(stderr);
	}
	if (berth_registry_login_save(key, user, pass, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		goto out;
	}
	printf("Login Succeeded\n");
	rc = 0;
out:
	free(plain);
	free(user);
	free(pass);
	free(stored_user);
	free(stored_pass);
	free(stdin_pass);
	free(key);
	return rc;
}
