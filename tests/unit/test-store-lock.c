/*
 * test-store-lock.c - store_lock's contract (store.h "Locking"): it
 * excludes the threads sharing one handle, the handles of one process and
 * separate processes, all at once; it is not re-entrant but says so
 * instead of hanging.  Each holder checks an in-critical-section flag that
 * must never be seen set, and read-modify-writes a counter file with a
 * yield in between, so that any overlap loses an increment.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "util/fs.h"
#include "test.h"

#define ROUNDS 200

static char root[64];

/* The counter lives in the root: its read-modify-write is what the lock
 * guards.  The in-section marker is a file created O_EXCL, so that
 * processes see each other's too. */
static int critical_section(struct store *s)
{
	char buf[32] = "";
	ssize_t n;
	int fd, bad = 0;

	fd = openat(s->root_fd, "in-section", O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		bad = 1;
	else
		close(fd);
	fd = openat(s->root_fd, "counter", O_RDWR | O_CREAT, 0600);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	sched_yield();
	n = snprintf(buf, sizeof(buf), "%ld", atol(buf) + 1);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		bad = 1;
	close(fd);
	if (!bad)
		unlinkat(s->root_fd, "in-section", 0);
	return bad;
}

static long counter(void)
{
	char p[128], buf[32] = "";
	FILE *f;

	snprintf(p, sizeof(p), "%s/counter", root);
	f = fopen(p, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return atol(buf);
}

static void reset(void)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/counter", root);
	unlink(p);
	snprintf(p, sizeof(p), "%s/in-section", root);
	unlink(p);
}

struct worker {
	struct store *s;
	int overlaps, errors;
};

static void *work(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < ROUNDS; i++) {
		if (store_lock(w->s, NULL) < 0) {
			w->errors++;
			continue;
		}
		w->overlaps += critical_section(w->s);
		store_unlock(w->s);
	}
	return NULL;
}

/* n threads on one handle each; returns the overlaps seen. */
static int run_threads(struct store *s, int n, int *errors)
{
	pthread_t th[16];
	struct worker w[16];
	int overlaps = 0;

	for (int i = 0; i < n; i++) {
		w[i] = (struct worker){ s, 0, 0 };
		pthread_create(&th[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		overlaps += w[i].overlaps;
		*errors += w[i].errors;
	}
	return overlaps;
}

static void test_threads(void)
{
	struct store *s;
	int errors = 0, overlaps;

	reset();
	T_OK(store_open(&s, root, NULL) == 0, "open");
	overlaps = run_threads(s, 8, &errors);
	T_OK(overlaps == 0 && errors == 0, "8 threads on one handle never overlap (%d overlaps, %d errors)",
	     overlaps, errors);
	T_OK(counter() == 8 * ROUNDS, "no increment lost (%ld of %d)", counter(), 8 * ROUNDS);
	store_close(s);
}

static void test_handles(void)
{
	struct store *a, *b;
	struct worker wa, wb;
	pthread_t ta, tb;

	reset();
	store_open(&a, root, NULL);
	store_open(&b, root, NULL);
	wa = (struct worker){ a, 0, 0 };
	wb = (struct worker){ b, 0, 0 };
	pthread_create(&ta, NULL, work, &wa);
	pthread_create(&tb, NULL, work, &wb);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	T_OK(wa.overlaps + wb.overlaps == 0 && counter() == 2 * ROUNDS,
	     "two handles in one process exclude each other (%ld of %d)", counter(), 2 * ROUNDS);
	store_close(a);
	store_close(b);
}

/* Processes, each with its own handle shared by 3 threads. */
static void test_processes(void)
{
	enum { PROCS = 4, THREADS = 3 };
	pid_t pids[PROCS];
	int failed = 0;

	reset();
	for (int p = 0; p < PROCS; p++) {
		pids[p] = fork();
		if (pids[p] == 0) {
			struct store *s;
			int errors = 0, overlaps;
			if (store_open(&s, root, NULL) < 0)
				_exit(2);
			overlaps = run_threads(s, THREADS, &errors);
			store_close(s);
			_exit(overlaps || errors ? 1 : 0);
		}
	}
	for (int p = 0; p < PROCS; p++) {
		int st;
		if (waitpid(pids[p], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			failed++;
	}
	T_OK(!failed, "%d processes x %d threads never overlap", PROCS, THREADS);
	T_OK(counter() == PROCS * THREADS * ROUNDS, "no increment lost across processes (%ld of %d)", counter(),
	     PROCS * THREADS * ROUNDS);
}

/* A holder in another process keeps this one waiting. */
static void test_blocks(void)
{
	struct store *s;
	int ready[2];
	char c;
	pid_t pid;

	/* Opened first: the wait measured below is the lock's alone. */
	store_open(&s, root, NULL);
	T_OK(pipe(ready) == 0, "pipe");
	pid = fork();
	if (pid == 0) {
		struct store *cs;
		if (store_open(&cs, root, NULL) < 0 || store_lock(cs, NULL) < 0)
			_exit(2);
		if (write(ready[1], "x", 1) != 1)
			_exit(2);
		usleep(300 * 1000);
		store_unlock(cs);
		_exit(0);
	}
	if (read(ready[0], &c, 1) != 1)
		c = 0;
	{
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		store_lock(s, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		T_OK(ms >= 150, "store_lock waits for another process's holder (%ld ms)", ms);
		store_unlock(s);
	}
	waitpid(pid, NULL, 0);
	close(ready[0]);
	close(ready[1]);
	store_close(s);
}

static void test_reentry(void)
{
	struct store *s;
	struct berr e = BERR_INIT;

	store_open(&s, root, NULL);
	T_OK(store_lock(s, NULL) == 0, "lock");
	T_OK(store_lock(s, &e) < 0 && e.code == BERR_INTERNAL, "locking twice in one thread fails, no deadlock");
	T_STREQ(e.msg, "lock store: already held by this thread", "and says why");
	store_unlock(s);
	T_OK(store_lock(s, NULL) == 0, "the lock is usable after that");
	store_unlock(s);
	berr_clear(&e);
	store_close(s);
}

int main(void)
{
	snprintf(root, sizeof(root), "/tmp/berth-test-lock.XXXXXX");
	if (!mkdtemp(root))
		return 1;
	test_threads();
	test_handles();
	test_processes();
	test_blocks();
	test_reentry();
	remove_all_at(AT_FDCWD, root, NULL);
	return t_done();
}
