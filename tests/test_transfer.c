/* tests/test_transfer.c — unit tests of core/transfer that need no server:
 * remote names made safe for the local file system (control characters,
 * "..", leading dash or dot, slashes, C1 controls, the length limit, the
 * empty name), state and direction names, an empty job table,
 * transfer_get and transfer_cancel on rows of every state, a failure that
 * keeps a cancel; a running row with no lock holder shown as interrupted,
 * with a holder (a second open file description here, a child process) as
 * running, the probe never taking the lock from or refusing a runner
 * (SHA-256 of a file: tests/test_hmx.c).
 * Pull and push themselves are tested against a real sshd in
 * tests/transfer/run.sh, which also runs this binary with HMX_XFER_DB,
 * HMX_XFER_SITE, HMX_XFER_REMOTE, HMX_XFER_DIR and HMX_XFER_HOME set: then test_worker pulls in a
 * worker thread with the progress hook and the cancel flag, as a screen
 * would (skipped without them). */
#define _GNU_SOURCE /* F_OFD_SETLK: a child takes a job's lock as a runner does */
#include "testutil.h"
#include "fxstore.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/transfer.h"
#include "core/transfer_int.h"

static void expect_name(const char *remote, const char *want, bool changed)
{
	char out[TRANSFER_NAME_MAX + 1];

	assert_int_equal(transfer_sanitize_name(remote, out, sizeof out), changed);
	assert_string_equal(out, want);
}

static void test_sanitize(void **state)
{
	char long_name[400], out[TRANSFER_NAME_MAX + 1];

	(void)state;
	expect_name("Client.csv", "Client.csv", false);
	expect_name("dir/sub/Client.csv", "Client.csv", false);
	expect_name("../../etc/passwd", "passwd", false);
	expect_name("..", "_.", true);
	expect_name(".", "_", true);
	expect_name("dir/", "unnamed", true);
	expect_name("", "unnamed", true);
	expect_name("-rf", "_rf", true);
	expect_name(".bashrc", "_bashrc", true);
	expect_name("a..b", "a._b", true);
	expect_name("a\033[31mb\007", "a_[31mb_", true);
	expect_name("a\\b", "a_b", true);
	expect_name("a\xc2\x9b" "b", "a_b", true);
	expect_name("caf\xc3\xa9.csv", "caf\xc3\xa9.csv", false);
	memset(long_name, 'x', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	assert_true(transfer_sanitize_name(long_name, out, sizeof out));
	assert_int_equal(strlen(out), TRANSFER_NAME_MAX);
}

static void test_names_and_empty_list(void **state)
{
	struct fx *f = *state;
	struct transfer_job *v;
	struct hmx_err err;
	size_t n;

	assert_string_equal(transfer_state_name(TRANSFER_QUEUED), "queued");
	assert_string_equal(transfer_state_name(TRANSFER_CANCELLED), "cancelled");
	assert_string_equal(transfer_state_name(TRANSFER_INTERRUPTED), "interrupted");
	assert_string_equal(transfer_dir_name(TRANSFER_PULL), "pull");
	assert_string_equal(transfer_dir_name(TRANSFER_PUSH), "push");
	assert_int_equal(transfer_list(f->s, &v, &n, &err), HMX_OK);
	assert_int_equal(n, 0);
	free(v);
}

/* A job row in state st, straight into the table. */
static int64_t add_row(struct fx *f, const char *st)
{
	char sql[400];

	snprintf(sql, sizeof sql,
		 "INSERT INTO transfer(site, direction, remote_path, local_path, size, done, state, "
		 "who, created_at, updated_at) VALUES ('rdc', 'pull', 'a.zip', './a.zip', 100, 40, "
		 "'%s', 'x', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')", st);
	assert_int_equal(sqlite3_exec(store_db(f->s), sql, NULL, NULL, NULL), SQLITE_OK);
	return sqlite3_last_insert_rowid(store_db(f->s));
}

static void test_get_and_cancel(void **state)
{
	struct fx *f = *state;
	struct transfer_job j;
	struct hmx_err err;
	sqlite3_stmt *st;
	int64_t run = add_row(f, "running"), done = add_row(f, "done"), failed = add_row(f, "failed");

	assert_int_equal(transfer_get(f->s, 999, &j, &err), HMX_ENOTFOUND);
	assert_int_equal(transfer_cancel(f->s, 999, &err), HMX_ENOTFOUND);
	assert_int_equal(transfer_get(f->s, run, &j, &err), HMX_OK);
	assert_int_equal(j.state, TRANSFER_INTERRUPTED); /* running, and no runner */
	assert_int_equal(j.done, 40);
	assert_string_equal(j.remote, "a.zip");
	assert_int_equal(transfer_cancel(f->s, run, &err), HMX_OK);
	assert_int_equal(transfer_get(f->s, run, &j, &err), HMX_OK);
	assert_int_equal(j.state, TRANSFER_CANCELLED);
	assert_int_equal(j.done, 40); /* the offset stays for a retry */
	assert_int_equal(transfer_cancel(f->s, run, &err), HMX_ESTATE);
	assert_non_null(strstr(err.msg, "already cancelled"));
	assert_int_equal(transfer_cancel(f->s, done, &err), HMX_ESTATE);
	assert_int_equal(transfer_cancel(f->s, failed, &err), HMX_OK);
	assert_int_equal(sqlite3_prepare_v2(store_db(f->s), "SELECT count(*) FROM audit WHERE "
					    "action = 'transfer.cancel'", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 2);
	sqlite3_finalize(st);
}

/* A runner that fails after another process cancelled its job keeps the
 * cancel (and records its offset); a failure of a running job is saved. */
static void test_failure_keeps_a_cancel(void **state)
{
	struct fx *f = *state;
	struct transfer_job j, k;
	struct hmx_err err;
	int64_t id = add_row(f, "running");

	assert_int_equal(transfer_get(f->s, id, &j, &err), HMX_OK);
	assert_int_equal(transfer_cancel(f->s, id, &err), HMX_OK);
	j.done = 70;
	j.state = TRANSFER_FAILED;
	hmx_strlcpy(j.error, "connection lost", sizeof j.error);
	assert_int_equal(xfer_job_save(f->s, &j, TRANSFER_RUNNING, NULL, &err), HMX_OK);
	assert_int_equal(j.state, TRANSFER_CANCELLED);
	assert_int_equal(transfer_get(f->s, id, &k, &err), HMX_OK);
	assert_int_equal(k.state, TRANSFER_CANCELLED);
	assert_int_equal(k.done, 70);
	assert_non_null(strstr(k.error, "cancelled by"));
	assert_int_equal(sqlite3_get_autocommit(store_db(f->s)), 1);

	id = add_row(f, "running");
	assert_int_equal(transfer_get(f->s, id, &j, &err), HMX_OK);
	j.state = TRANSFER_FAILED;
	hmx_strlcpy(j.error, "connection lost", sizeof j.error);
	assert_int_equal(xfer_job_save(f->s, &j, TRANSFER_RUNNING, NULL, &err), HMX_OK);
	assert_int_equal(transfer_get(f->s, id, &k, &err), HMX_OK);
	assert_int_equal(k.state, TRANSFER_FAILED);
	assert_string_equal(k.error, "connection lost");
}

/* The state of job id as transfer_get and transfer_list report it. */
static enum transfer_state shown(struct store *s, int64_t id)
{
	struct transfer_job j, *v;
	struct hmx_err err;
	enum transfer_state st = TRANSFER_QUEUED;
	size_t n;

	assert_int_equal(transfer_get(s, id, &j, &err), HMX_OK);
	assert_int_equal(transfer_list(s, &v, &n, &err), HMX_OK);
	for (size_t i = 0; i < n; i++)
		if (v[i].id == id)
			st = v[i].state;
	free(v);
	assert_int_equal(st, j.state);
	return st;
}

/* The state as stored. */
static void expect_stored(struct fx *f, int64_t id, const char *want)
{
	char sql[80];
	sqlite3_stmt *st;

	snprintf(sql, sizeof sql, "SELECT state FROM transfer WHERE id = %lld", (long long)id);
	assert_int_equal(sqlite3_prepare_v2(store_db(f->s), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), want);
	sqlite3_finalize(st);
}

/* Running with no lock holder: interrupted; a runner in this process (its
 * own open file description) holds it: running, and the probe neither
 * takes nor drops that lock (a second runner is still refused). Other
 * states are shown as stored. */
static void test_interrupted(void **state)
{
	struct fx *f = *state;
	struct transfer_opts o = { 0 };
	struct transfer_job j = { 0 }, j2 = { 0 };
	struct xfer x, x2;
	struct hmx_err err;
	int64_t id = add_row(f, "running"), failed = add_row(f, "failed");

	assert_int_equal(shown(f->s, id), TRANSFER_INTERRUPTED);
	assert_int_equal(shown(f->s, failed), TRANSFER_FAILED);
	expect_stored(f, id, "running");

	j.id = id;
	xfer_init(&x, f->s, NULL, &o, &j);
	assert_int_equal(xfer_lock(&x, &err), HMX_OK);
	assert_int_equal(j.state, TRANSFER_RUNNING); /* the runner sees the stored state */
	assert_int_equal(shown(f->s, id), TRANSFER_RUNNING);
	assert_int_equal(shown(f->s, id), TRANSFER_RUNNING);
	j2.id = id;
	xfer_init(&x2, f->s, NULL, &o, &j2);
	assert_int_equal(xfer_lock(&x2, &err), HMX_ESTATE);
	assert_non_null(strstr(err.msg, "being run by another hmx process"));
	xfer_unlock(&x);
	assert_int_equal(shown(f->s, id), TRANSFER_INTERRUPTED);
	/* cancel works on it; the audit says what was stored */
	assert_int_equal(transfer_cancel(f->s, id, &err), HMX_OK);
	assert_int_equal(shown(f->s, id), TRANSFER_CANCELLED);
}

/* The lock held by another process (as a runner holds it): running while
 * it lives, interrupted once it is killed, and then a runner takes it. */
static void test_interrupted_child(void **state)
{
	struct fx *f = *state;
	struct transfer_opts o = { 0 };
	struct transfer_job j = { 0 };
	struct xfer x;
	struct hmx_err err;
	int64_t id = add_row(f, "running");
	int up[2], status;
	char path[400], ch;
	pid_t pid;

	snprintf(path, sizeof path, "%s.transfer-%lld.lock", f->db, (long long)id);
	assert_int_equal(pipe(up), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

		close(up[0]);
		if (fd < 0 || fcntl(fd, F_OFD_SETLK, &fl) != 0)
			_exit(1);
		(void)!write(up[1], "L", 1);
		for (int i = 0; i < 300; i++) /* 30 s at most */
			usleep(100000);
		_exit(0);
	}
	close(up[1]);
	assert_int_equal(read(up[0], &ch, 1), 1);
	close(up[0]);
	assert_int_equal(shown(f->s, id), TRANSFER_RUNNING);
	j.id = id;
	xfer_init(&x, f->s, NULL, &o, &j);
	assert_int_equal(xfer_lock(&x, &err), HMX_ESTATE); /* one run at a time */
	assert_int_equal(shown(f->s, id), TRANSFER_RUNNING);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(shown(f->s, id), TRANSFER_INTERRUPTED);
	assert_int_equal(xfer_lock(&x, &err), HMX_OK); /* a dead runner's lock is taken over */
	assert_int_equal(shown(f->s, id), TRANSFER_RUNNING);
	xfer_unlock(&x);
}

struct prober {
	const char *db;
	atomic_bool stop;
	int probes;
	enum hmx_rc rc;
};

/* Lists the jobs (probing the lock) until told to stop. */
static void *prober_main(void *arg)
{
	struct prober *p = arg;
	struct hmx_err err;
	struct store *s;

	if ((p->rc = store_open(p->db, 0, &s, &err)) != HMX_OK)
		return NULL;
	while (!atomic_load(&p->stop) && p->rc == HMX_OK) {
		struct transfer_job *v;
		size_t n;

		p->rc = transfer_list(s, &v, &n, &err);
		free(v);
		p->probes++;
	}
	store_close(&s);
	return NULL;
}

/* Listings probing the lock all the time never make a runner fail to take
 * it (a flock LOCK_NB probe holds it for a moment: some would). */
static void test_probe_never_blocks_a_runner(void **state)
{
	struct fx *f = *state;
	struct transfer_opts o = { 0 };
	struct transfer_job j = { 0 };
	struct prober p[2] = { { .db = f->db }, { .db = f->db } };
	struct hmx_err err;
	struct xfer x;
	pthread_t t[2];
	char path[400];
	int refused = 0;
	struct timespec t0;

	j.id = add_row(f, "running");
	snprintf(path, sizeof path, "%s.transfer-%lld.lock", f->db, (long long)j.id);
	for (int k = 0; k < 2; k++)
		assert_int_equal(pthread_create(&t[k], NULL, prober_main, &p[k]), 0);
	/* 2,000 runs, or 3 s when slow (valgrind runs the threads one at a time) */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 2000; i++) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (i >= 20 && now.tv_sec - t0.tv_sec >= 3)
			break;
		xfer_init(&x, f->s, NULL, &o, &j);
		if (xfer_lock(&x, &err) != HMX_OK)
			refused++;
		xfer_unlock(&x);
		/* the file left behind, as by a runner killed: the probes find
		 * it and (a taking probe) would hold it when the next run starts */
		close(open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600));
		usleep(50);
	}
	for (int k = 0; k < 2; k++) {
		atomic_store(&p[k].stop, true);
		pthread_join(t[k], NULL);
		assert_int_equal(p[k].rc, HMX_OK);
		assert_true(p[k].probes > 0);
	}
	assert_int_equal(refused, 0);
}

struct worker {
	const char *db, *site, *remote, *dir;
	_Atomic bool cancel;
	atomic_int calls;
	atomic_ullong last_done;
	atomic_int last_state;
	uint64_t size;
	enum hmx_rc rc;
	int64_t id;
	bool retry;
	atomic_bool finished;
};

static void on_progress(void *ctx, const struct transfer_job *j)
{
	struct worker *w = ctx;

	atomic_fetch_add(&w->calls, 1);
	atomic_store(&w->last_done, j->done);
	atomic_store(&w->last_state, (int)j->state);
}

/* What a screen's worker does: its own store and connection. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct transfer_opts o = { .retries = 0, .progress = on_progress, .progress_ctx = w,
				   .cancel = &w->cancel };
	struct sftpc_opts so = { 0 };
	struct hmx_err err = { 0 };
	struct transfer_job j = { 0 };
	struct store *s;
	struct sftpc *c;
	struct site st;

	w->rc = store_open(w->db, 0, &s, &err);
	if (w->rc != HMX_OK)
		return NULL;
	if ((w->rc = site_get(s, w->site, &st, &err)) == HMX_OK &&
	    (w->rc = sftpc_open(&st, &so, &c, &err)) == HMX_OK) {
		if (w->retry)
			w->rc = transfer_retry(s, c, &st, w->id, &o, &j, &err);
		else
			w->rc = transfer_pull(s, c, &st, w->remote, w->dir, &o, &j, NULL, &err);
		w->id = j.id;
		w->size = j.size;
		sftpc_close(&c);
	}
	if (w->rc != HMX_OK)
		print_message("worker: %s\n", err.msg);
	store_close(&s);
	atomic_store(&w->finished, true);
	return NULL;
}

static void test_worker(void **state)
{
	struct worker w = { 0 };
	pthread_t t;
	int waited = 0;

	(void)state;
	w.db = getenv("HMX_XFER_DB");
	w.site = getenv("HMX_XFER_SITE");
	w.remote = getenv("HMX_XFER_REMOTE");
	w.dir = getenv("HMX_XFER_DIR");
	if (!w.db || !w.site || !w.remote || !w.dir || !getenv("HMX_XFER_HOME"))
		skip();
	setenv("HOME", getenv("HMX_XFER_HOME"), 1); /* its ~/.ssh/known_hosts */
	/* slow enough to cancel in the middle */
	setenv("HMX_TRANSFER_KBPS", "20000", 1);
	assert_int_equal(pthread_create(&t, NULL, worker_main, &w), 0);
	while (atomic_load(&w.last_done) < 3u * 1024u * 1024u && !atomic_load(&w.finished) &&
	       waited++ < 1000)
		usleep(10000);
	atomic_store(&w.cancel, true);
	pthread_join(t, NULL);
	assert_int_equal(w.rc, HMX_ESTATE);
	assert_true(atomic_load(&w.calls) >= 3);
	assert_int_equal(atomic_load(&w.last_state), TRANSFER_CANCELLED);
	assert_true(atomic_load(&w.last_done) >= 3u * 1024u * 1024u);
	assert_true(atomic_load(&w.last_done) < w.size);

	/* the rest, at full speed, resumed from the offset */
	unsetenv("HMX_TRANSFER_KBPS");
	atomic_store(&w.cancel, false);
	atomic_store(&w.calls, 0);
	w.retry = true;
	assert_int_equal(pthread_create(&t, NULL, worker_main, &w), 0);
	pthread_join(t, NULL);
	assert_int_equal(w.rc, HMX_OK);
	assert_int_equal(atomic_load(&w.last_state), TRANSFER_DONE);
	assert_int_equal(atomic_load(&w.last_done), w.size);
	/* at least every MiB of what was left */
	assert_true(atomic_load(&w.calls) >= 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test_setup_teardown(test_names_and_empty_list, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_get_and_cancel, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_failure_keeps_a_cancel, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_interrupted, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_child, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_probe_never_blocks_a_runner, fx_setup,
						fx_teardown),
		cmocka_unit_test(test_worker),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
