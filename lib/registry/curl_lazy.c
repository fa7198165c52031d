/*
 * curl_lazy.c - libcurl loaded on first use.  Linking libcurl costs every
 * berth process about 2 ms before main() (it brings 25 shared libraries:
 * TLS, Kerberos, LDAP, ...), which `ps`, `run` and every other command
 * that never talks to a registry would pay for nothing.  berth therefore
 * links without -lcurl and defines here the dozen curl entry points it
 * uses; the first call dlopen()s libcurl.so.4 and later calls go straight
 * to it.  The rest of lib/registry uses libcurl's own API unchanged.
 */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#define CURL_FUNCS(X)                                                                 \
	X(CURLcode, curl_global_init, (long flags))                                   \
	X(CURL *, curl_easy_init, (void))                                             \
	X(void, curl_easy_cleanup, (CURL *h))                                         \
	X(CURLcode, curl_easy_perform, (CURL *h))                                     \
	X(CURLcode, curl_easy_setopt, (CURL *h, CURLoption o, ...))                   \
	X(const char *, curl_easy_strerror, (CURLcode c))                             \
	X(char *, curl_easy_escape, (CURL *h, const char *s, int n))                  \
	X(void, curl_free, (void *p))                                                 \
	X(struct curl_slist *, curl_slist_append, (struct curl_slist *l, const char *s)) \
	X(void, curl_slist_free_all, (struct curl_slist *l))                          \
	X(CURLSH *, curl_share_init, (void))                                          \
	X(CURLSHcode, curl_share_setopt, (CURLSH *s, CURLSHoption o, ...))            \
	X(CURLSHcode, curl_share_cleanup, (CURLSH *s))

/* Written once under load_once, read-only afterwards. */
static struct {
#define X(ret, name, args) ret (*name) args;
	CURL_FUNCS(X)
#undef X
} real;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256];

static void load(void)
{
	void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(load_error, sizeof(load_error), "cannot load libcurl: %s", dlerror());
		return;
	}
#define X(ret, name, args)                                                              \
	if (!(*(void **)&real.name = dlsym(h, #name))) {                                \
		snprintf(load_error, sizeof(load_error), "libcurl lacks %s", #name);   \
		real.curl_global_init = NULL;                                           \
		return;                                                                 \
	}
	CURL_FUNCS(X)
#undef X
}

/* Every caller starts with curl_global_init (lib/registry/http.c), which
 * reports a missing libcurl; the other entry points may then assume it. */
CURLcode curl_global_init(long flags)
{
	pthread_once(&load_once, load);
	return real.curl_global_init ? real.curl_global_init(flags) : CURLE_FAILED_INIT;
}

const char *curl_easy_strerror(CURLcode c)
{
	pthread_once(&load_once, load);
	return real.curl_easy_strerror ? real.curl_easy_strerror(c) : load_error;
}

CURL *curl_easy_init(void)
{
	pthread_once(&load_once, load);
	return real.curl_easy_init ? real.curl_easy_init() : NULL;
}

void curl_easy_cleanup(CURL *h)
{
	if (h)
		real.curl_easy_cleanup(h);
}

CURLcode curl_easy_perform(CURL *h)
{
	return real.curl_easy_perform(h);
}

char *curl_easy_escape(CURL *h, const char *s, int n)
{
	pthread_once(&load_once, load);
	return real.curl_easy_escape ? real.curl_easy_escape(h, s, n) : NULL;
}

void curl_free(void *p)
{
	if (p)
		real.curl_free(p);
}

struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s)
{
	pthread_once(&load_once, load);
	return real.curl_slist_append ? real.curl_slist_append(l, s) : NULL;
}

void curl_slist_free_all(struct curl_slist *l)
{
	if (l)
		real.curl_slist_free_all(l);
}

CURLSH *curl_share_init(void)
{
	pthread_once(&load_once, load);
	return real.curl_share_init ? real.curl_share_init() : NULL;
}

CURLSHcode curl_share_cleanup(CURLSH *s)
{
	return s ? real.curl_share_cleanup(s) : CURLSHE_OK;
}

/* The options' one argument is a long, a pointer (object or function) or
 * a curl_off_t, by the option number's range, as libcurl itself reads it. */
CURLcode curl_easy_setopt(CURL *h, CURLoption o, ...)
{
	va_list ap;
	CURLcode rc;

	va_start(ap, o);
	if (o < CURLOPTTYPE_OBJECTPOINT)
		rc = real.curl_easy_setopt(h, o, va_arg(ap, long));
	else if (o < CURLOPTTYPE_OFF_T)
		rc = real.curl_easy_setopt(h, o, va_arg(ap, void *));
	else if (o < CURLOPTTYPE_BLOB)
		rc = real.curl_easy_setopt(h, o, va_arg(ap, curl_off_t));
	else
		rc = real.curl_easy_setopt(h, o, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLSHcode curl_share_setopt(CURLSH *s, CURLSHoption o, ...)
{
	va_list ap;
	CURLSHcode rc;

	va_start(ap, o);
	if (o == CURLSHOPT_SHARE || o == CURLSHOPT_UNSHARE)
		rc = real.curl_share_setopt(s, o, va_arg(ap, int));
	else
		rc = real.curl_share_setopt(s, o, va_arg(ap, void *));
	va_end(ap);
	return rc;
}
