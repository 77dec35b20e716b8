/* tests/test_transfer.c — unit tests of core/transfer that need no server:
 * remote names made safe for the local file system (control characters,
 * "..", leading dash or dot, slashes, C1 controls, the length limit, the
 * empty name), state and direction names, an empty job table,
 * transfer_get and transfer_cancel on rows of every state (SHA-256 of a
 * file: tests/test_hmx.c). Pull and push themselves are tested against a real sshd in
 * tests/transfer/run.sh, which also runs this binary with HMX_XFER_DB,
 * HMX_XFER_SITE, HMX_XFER_REMOTE, HMX_XFER_DIR and HMX_XFER_HOME set: then test_worker pulls in a
 * worker thread with the progress hook and the cancel flag, as a screen
 * would (skipped without them). */
#include "testutil.h"
#include "fxstore.h"

#include <pthread.h>
#include <stdatomic.h>

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
	assert_int_equal(j.state, TRANSFER_RUNNING);
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
		cmocka_unit_test(test_worker),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
