/* core/transfer.c — the transfer job table, the job lock, checkpoints,
 * cancel and the retry loop shared by pulls (transfer_pull.c) and pushes
 * (transfer_push.c). See transfer.h.
 *
 * The job lock is a Linux open-file-description lock (F_OFD_SETLK) on the
 * whole lock file: like flock() it belongs to the open file, not to the
 * process, so a second open in the same process (the TUI's worker beside
 * the screen's listing) conflicts too and closing another descriptor of the
 * file releases nothing; unlike a flock() LOCK_NB probe, F_OFD_GETLK tells
 * whether it is held without taking it, so a listing never makes a runner
 * that starts at that instant fail. */
#define _GNU_SOURCE /* F_OFD_SETLK, F_OFD_GETLK */
#include "transfer_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"

/* Progress is made durable (fdatasync, then the offset saved) this often:
 * each checkpoint costs a sync of the file and of the database, so not too
 * often (a crash loses at most this much progress, never data). */
#define CHECKPOINT_BYTES (64u * 1024u * 1024u)
#define CHECKPOINT_MS 2000.0
/* The row's state is re-read this often (a cancel from another process). */
#define POLL_MS 1000.0
/* The caller's progress hook is called at least this often (bytes or
 * time, whichever comes first). */
#define PROGRESS_BYTES (1024u * 1024u)
#define PROGRESS_MS 250.0
/* Longest pause between two attempts. */
#define RETRY_MAX_MS 60000L

static const char *const state_names[] = { "queued",    "running",  "failed",
					    "done",      "cancelled", "interrupted" };

const char *transfer_state_name(enum transfer_state st)
{
	return (unsigned)st < sizeof state_names / sizeof state_names[0] ? state_names[st] : "?";
}

const char *transfer_dir_name(enum transfer_dir d)
{
	return d == TRANSFER_PUSH ? "push" : "pull";
}

static enum transfer_state state_parse(const char *s)
{
	for (size_t i = 0; i <= TRANSFER_CANCELLED; i++) /* the stored ones */
		if (strcmp(s, state_names[i]) == 0)
			return (enum transfer_state)i;
	return TRANSFER_FAILED;
}

/* Copies s into buf with control bytes as \xNN, for messages. */
const char *xfer_esc(char *buf, size_t n, const char *s)
{
	size_t o = 0;

	for (; *s && o + 5 < n; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch == 0x7f)
			o += (size_t)snprintf(buf + o, n - o, "\\x%02x", ch);
		else
			buf[o++] = (char)ch;
	}
	buf[o] = '\0';
	return buf;
}

bool transfer_sanitize_name(const char *remote, char *out, size_t n)
{
	const char *base = strrchr(remote, '/');
	char tmp[TRANSFER_NAME_MAX * 2 + 1];
	size_t o = 0;

	base = base ? base + 1 : remote;
	for (const char *p = base; *p && o < sizeof tmp - 1; p++) {
		unsigned char ch = (unsigned char)*p;
		char c = (char)ch;

		if (ch == 0xc2 && (unsigned char)p[1] >= 0x80 && (unsigned char)p[1] <= 0x9f) {
			p++; /* a C1 control character */
			c = '_';
		} else if (ch < 0x20 || ch == 0x7f || c == '\\') {
			c = '_';
		}
		if (o == 0 && (c == '-' || c == '.'))
			c = '_';
		else if (c == '.' && tmp[o - 1] == '.')
			c = '_';
		tmp[o++] = c;
	}
	tmp[o] = '\0';
	if (!tmp[0])
		hmx_strlcpy(tmp, "unnamed", sizeof tmp);
	hmx_strlcpy(out, tmp, n < TRANSFER_NAME_MAX + 1 ? n : TRANSFER_NAME_MAX + 1);
	return strcmp(out, base) != 0;
}

/* ---- the job table --------------------------------------------------------- */

#define JOB_COLS "id, site, direction, remote_path, local_path, size, done, remote_mtime, " \
		 "sha256, state, error, who, created_at, updated_at"

static void read_job(sqlite3_stmt *st, void *row)
{
	struct transfer_job *j = row;
	char buf[16];

	j->id = sqlite3_column_int64(st, 0);
	store_col_text(st, 1, j->site, sizeof j->site);
	store_col_text(st, 2, buf, sizeof buf);
	j->dir = strcmp(buf, "push") == 0 ? TRANSFER_PUSH : TRANSFER_PULL;
	store_col_text(st, 3, j->remote, sizeof j->remote);
	store_col_text(st, 4, j->local, sizeof j->local);
	j->size = (uint64_t)sqlite3_column_int64(st, 5);
	j->done = (uint64_t)sqlite3_column_int64(st, 6);
	j->remote_mtime = sqlite3_column_int64(st, 7);
	store_col_text(st, 8, j->sha256, sizeof j->sha256);
	store_col_text(st, 9, buf, sizeof buf);
	j->state = state_parse(buf);
	store_col_text(st, 10, j->error, sizeof j->error);
	store_col_text(st, 11, j->who, sizeof j->who);
	store_col_text(st, 12, j->created_at, sizeof j->created_at);
	store_col_text(st, 13, j->updated_at, sizeof j->updated_at);
}

/* The row of job id as stored (running even when nothing runs it). */
static enum hmx_rc job_get(struct store *s, int64_t id, struct transfer_job *out,
			   struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " JOB_COLS " FROM transfer WHERE id = ?1", err);
	enum hmx_rc rc;
	bool found;

	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = store_get_one(s, st, sizeof *out, read_job, out, &found,
				"cannot read the transfer jobs", err)) != HMX_OK)
		return rc;
	return found ? HMX_OK
		     : hmx_err_set(err, HMX_ENOTFOUND, "no transfer job %lld", (long long)id);
}

/* The lock file of job id beside the database; false without one (an
 * in-memory store). */
static bool lock_path(struct store *s, int64_t id, char *buf, size_t n)
{
	const char *db = store_path(s);

	if (!db || !*db || strcmp(db, ":memory:") == 0)
		return false;
	snprintf(buf, n, "%s.transfer-%lld.lock", db, (long long)id);
	return true;
}

enum lock_probe { LOCK_FREE, LOCK_HELD, LOCK_UNKNOWN };

/* Whether some open file holds the lock at path, asked with F_OFD_GETLK
 * (takes nothing: a runner starting meanwhile is not disturbed). A lock
 * file replaced meanwhile (a runner ended, another began) is asked again. */
static enum lock_probe lock_probe(const char *path)
{
	for (int tries = 0; tries < 3; tries++) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		struct stat a, b;
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

		if (fd < 0)
			return errno == ENOENT ? LOCK_FREE : LOCK_UNKNOWN;
		if (fcntl(fd, F_OFD_GETLK, &fl) != 0 || fstat(fd, &a) != 0) {
			close(fd);
			return LOCK_UNKNOWN;
		}
		close(fd);
		if (fl.l_type != F_UNLCK)
			return LOCK_HELD;
		if (stat(path, &b) != 0)
			return errno == ENOENT ? LOCK_FREE : LOCK_UNKNOWN;
		if (a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return LOCK_FREE;
	}
	return LOCK_UNKNOWN;
}

/* A job whose row says running while no process holds its lock was left by
 * a runner that died: shown as interrupted. The row is read again after
 * the probe, so a runner that finished just before it is not taken for a
 * dead one. Anything uncertain leaves the row as it is. */
static void mark_interrupted(struct store *s, struct transfer_job *j)
{
	struct transfer_job again;
	char path[1100];

	if (j->state != TRANSFER_RUNNING || !lock_path(s, j->id, path, sizeof path) ||
	    lock_probe(path) != LOCK_FREE || job_get(s, j->id, &again, NULL) != HMX_OK)
		return;
	*j = again;
	if (j->state == TRANSFER_RUNNING)
		j->state = TRANSFER_INTERRUPTED;
}

enum hmx_rc transfer_list(struct store *s, struct transfer_job **out, size_t *n,
			  struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " JOB_COLS " FROM transfer ORDER BY id", err);
	enum hmx_rc rc;

	*out = NULL;
	*n = 0;
	if (!st)
		return HMX_EDB;
	rc = store_collect(s, st, sizeof **out, read_job, (void **)out, n,
			   "cannot read the transfer jobs", err);
	for (size_t i = 0; rc == HMX_OK && i < *n; i++)
		mark_interrupted(s, &(*out)[i]);
	return rc;
}

/* The latest unfinished job for the same transfer, if any. */
enum hmx_rc xfer_job_find(struct store *s, const struct transfer_job *key, struct transfer_job *out,
			  bool *found, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT " JOB_COLS " FROM transfer WHERE site = ?1 AND "
					 "direction = ?2 AND remote_path = ?3 AND local_path = ?4 AND "
					 "state <> 'done' ORDER BY id DESC LIMIT 1",
					 err);

	*found = false;
	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, key->site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, transfer_dir_name(key->dir), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, key->remote, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, key->local, -1, SQLITE_STATIC);
	return store_get_one(s, st, sizeof *out, read_job, out, found,
			     "cannot read the transfer jobs", err);
}

static void job_object(char *buf, size_t n, const struct transfer_job *j)
{
	snprintf(buf, n, "transfer/%lld", (long long)j->id);
}

/* Inserts *j as queued (audited), setting its id and times. */
enum hmx_rc xfer_job_insert(struct store *s, struct transfer_job *j, struct hmx_err *err)
{
	char object[48], after[272], e1[120], e2[120];
	sqlite3_stmt *st;
	enum hmx_rc rc;
	int src;

	hmx_now_utc(j->created_at);
	memcpy(j->updated_at, j->created_at, sizeof j->updated_at);
	hmx_strlcpy(j->who, hmx_actor(), sizeof j->who);
	j->state = TRANSFER_QUEUED;
	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	st = store_prepare(s,
			   "INSERT INTO transfer(site, direction, remote_path, local_path, size, done, "
			   "remote_mtime, sha256, state, error, who, created_at, updated_at) VALUES "
			   "(?1, ?2, ?3, ?4, ?5, ?6, ?7, '', 'queued', '', ?8, ?9, ?9)",
			   err);
	if (!st) {
		store_rollback(s);
		return HMX_EDB;
	}
	sqlite3_bind_text(st, 1, j->site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, transfer_dir_name(j->dir), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, j->remote, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, j->local, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)j->size);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)j->done);
	sqlite3_bind_int64(st, 7, j->remote_mtime);
	sqlite3_bind_text(st, 8, j->who, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, j->created_at, -1, SQLITE_STATIC);
	src = sqlite3_step(st);
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		rc = store_fail(s, err, "cannot save the transfer job");
		store_rollback(s);
		return rc;
	}
	j->id = sqlite3_last_insert_rowid(store_db(s));
	job_object(object, sizeof object, j);
	snprintf(after, sizeof after, "queued: %s %s %s -> %s", transfer_dir_name(j->dir), j->site,
		 xfer_esc(e1, sizeof e1, j->dir == TRANSFER_PULL ? j->remote : j->local),
		 xfer_esc(e2, sizeof e2, j->dir == TRANSFER_PULL ? j->local : j->remote));
	if ((rc = audit_write(s, "transfer.new", object, NULL, after, err)) != HMX_OK) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, err);
}

/* Records how far a job got that another process cancelled (inside the
 * caller's transaction). */
static enum hmx_rc keep_offset(struct store *s, const struct transfer_job *j, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, "UPDATE transfer SET done = ?2 WHERE id = ?1", err);
	int src;

	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, j->id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)j->done);
	src = sqlite3_step(st);
	sqlite3_finalize(st);
	return src == SQLITE_DONE ? HMX_OK : store_fail(s, err, "cannot update the transfer job");
}

/* Saves the size, offset, mtime, SHA-256, state and error of *j; audits a
 * change of state as "transfer.state", or any save as action when given.
 * A failure never replaces a cancel made meanwhile by another process:
 * then only the offset is kept and j->state becomes cancelled. */
enum hmx_rc xfer_job_save(struct store *s, struct transfer_job *j, enum transfer_state from,
			  const char *action, struct hmx_err *err)
{
	char object[48], before[272], after[272];
	sqlite3_stmt *st;
	enum hmx_rc rc;
	int src;

	hmx_now_utc(j->updated_at);
	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	st = store_prepare(s,
			   "UPDATE transfer SET size = ?2, done = ?3, remote_mtime = ?4, sha256 = ?5, "
			   "state = ?6, error = ?7, updated_at = ?8 WHERE id = ?1 AND "
			   "NOT (?6 = 'failed' AND state = 'cancelled')",
			   err);
	if (!st) {
		store_rollback(s);
		return HMX_EDB;
	}
	sqlite3_bind_int64(st, 1, j->id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)j->size);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)j->done);
	sqlite3_bind_int64(st, 4, j->remote_mtime);
	sqlite3_bind_text(st, 5, j->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, transfer_state_name(j->state), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, j->error, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, j->updated_at, -1, SQLITE_STATIC);
	src = sqlite3_step(st);
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		rc = store_fail(s, err, "cannot update the transfer job");
		store_rollback(s);
		return rc;
	}
	if (sqlite3_changes(store_db(s)) == 0 && j->state == TRANSFER_FAILED) {
		if ((rc = keep_offset(s, j, err)) != HMX_OK) {
			store_rollback(s);
			return rc;
		}
		j->state = TRANSFER_CANCELLED;
		return store_commit(s, err);
	}
	if (!action && from != j->state)
		action = "transfer.state";
	if (action) {
		job_object(object, sizeof object, j);
		snprintf(before, sizeof before, "%s: %llu/%llu", transfer_state_name(from),
			 (unsigned long long)j->done, (unsigned long long)j->size);
		if (j->state == TRANSFER_DONE)
			snprintf(after, sizeof after, "done: %llu bytes, sha256 %s",
				 (unsigned long long)j->size, j->sha256);
		else if (j->state == TRANSFER_FAILED)
			snprintf(after, sizeof after, "failed: %.250s", j->error);
		else
			snprintf(after, sizeof after, "%s: from %llu", transfer_state_name(j->state),
				 (unsigned long long)j->done);
		if ((rc = audit_write(s, action, object, before, after, err)) != HMX_OK) {
			store_rollback(s);
			return rc;
		}
	}
	return store_commit(s, err);
}

/* Marks the job failed with err's message (keeping err), returns rc. */
static enum hmx_rc job_fail(struct store *s, struct transfer_job *j, enum hmx_rc rc,
			    struct hmx_err *err)
{
	struct hmx_err e2 = { 0 };
	enum transfer_state from = j->state;

	hmx_strlcpy(j->error, err->msg, sizeof j->error);
	j->state = TRANSFER_FAILED;
	if (xfer_job_save(s, j, from, NULL, &e2) != HMX_OK)
		hmx_log(HMX_LOG_WARN, "%s", e2.msg);
	return rc;
}

enum hmx_rc transfer_get(struct store *s, int64_t id, struct transfer_job *out,
			 struct hmx_err *err)
{
	enum hmx_rc rc = job_get(s, id, out, err);

	if (rc == HMX_OK)
		mark_interrupted(s, out);
	return rc;
}

enum hmx_rc transfer_cancel(struct store *s, int64_t id, struct hmx_err *err)
{
	struct transfer_job j;
	char object[48], before[64], after[96];
	sqlite3_stmt *st;
	enum hmx_rc rc;
	int src;

	if ((rc = job_get(s, id, &j, err)) != HMX_OK)
		return rc;
	if (j.state == TRANSFER_DONE || j.state == TRANSFER_CANCELLED)
		return hmx_err_set(err, HMX_ESTATE, "transfer job %lld is already %s", (long long)id,
				   transfer_state_name(j.state));
	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	hmx_now_utc(j.updated_at);
	snprintf(j.error, sizeof j.error, "cancelled by %s", hmx_actor());
	st = store_prepare(s,
			   "UPDATE transfer SET state = 'cancelled', error = ?2, updated_at = ?3 "
			   "WHERE id = ?1 AND state IN ('queued', 'running', 'failed')",
			   err);
	if (!st) {
		store_rollback(s);
		return HMX_EDB;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, j.error, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, j.updated_at, -1, SQLITE_STATIC);
	src = sqlite3_step(st);
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		rc = store_fail(s, err, "cannot update the transfer job");
		store_rollback(s);
		return rc;
	}
	if (sqlite3_changes(store_db(s)) == 0) {
		store_rollback(s);
		return hmx_err_set(err, HMX_ESTATE, "transfer job %lld finished meanwhile",
				   (long long)id);
	}
	job_object(object, sizeof object, &j);
	snprintf(before, sizeof before, "%s: %llu/%llu", transfer_state_name(j.state),
		 (unsigned long long)j.done, (unsigned long long)j.size);
	snprintf(after, sizeof after, "cancelled: at %llu", (unsigned long long)j.done);
	if ((rc = audit_write(s, "transfer.cancel", object, before, after, err)) != HMX_OK) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, err);
}

/* ---- one run: lock, checkpoints, cancel, retries ---------------------------- */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static long env_long(const char *name, long def, long lo, long hi)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !*v)
		return def;
	n = strtol(v, &end, 10);
	return *end || n < lo || n > hi ? def : n;
}

void xfer_init(struct xfer *x, struct store *s, struct sftpc *c, const struct transfer_opts *o,
	       struct transfer_job *j)
{
	memset(x, 0, sizeof *x);
	x->s = s;
	x->c = c;
	x->o = o;
	x->j = j;
	x->lockfd = -1;
	x->kbps = (unsigned)env_long("HMX_TRANSFER_KBPS", 0, 0, 10000000);
}

void xfer_notify(struct xfer *x)
{
	x->last_prog = x->j->done;
	x->last_prog_ms = now_ms();
	if (x->o->progress)
		x->o->progress(x->o->progress_ctx, x->j);
}

enum hmx_rc xfer_lock(struct xfer *x, struct hmx_err *err)
{
	struct stat a, b;
	enum hmx_rc rc;

	if (!lock_path(x->s, x->j->id, x->lockpath, sizeof x->lockpath))
		return job_get(x->s, x->j->id, x->j, err);
	for (int tries = 0; tries < 10; tries++) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET }; /* the whole file */
		int fd = open(x->lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

		if (fd < 0)
			return hmx_err_set(err, HMX_EIO, "%s: %s", x->lockpath, strerror(errno));
		if (fcntl(fd, F_OFD_SETLK, &fl) != 0) {
			int e = errno;

			close(fd);
			if (e == EAGAIN || e == EACCES)
				return hmx_err_set(err, HMX_ESTATE, "transfer job %lld is being run by "
						   "another hmx process; wait for it or cancel it "
						   "('hmx transfer cancel %lld')", (long long)x->j->id,
						   (long long)x->j->id);
			return hmx_err_set(err, HMX_EIO, "%s: %s", x->lockpath, strerror(e));
		}
		/* the holder before us may have removed the file: lock the one on disk */
		if (fstat(fd, &a) == 0 && stat(x->lockpath, &b) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev) {
			x->lockfd = fd;
			if ((rc = job_get(x->s, x->j->id, x->j, err)) != HMX_OK)
				xfer_unlock(x);
			return rc;
		}
		close(fd);
	}
	return hmx_err_set(err, HMX_EIO, "%s: cannot lock", x->lockpath);
}

void xfer_unlock(struct xfer *x)
{
	if (x->lockfd < 0)
		return;
	unlink(x->lockpath);
	close(x->lockfd);
	x->lockfd = -1;
}

void xfer_start(struct xfer *x)
{
	x->start_ms = x->last_cp_ms = x->last_poll_ms = now_ms();
	x->start_done = x->last_cp = x->j->done;
}

/* Whether the job's row says cancelled (another process asked). */
static bool cancelled_elsewhere(struct xfer *x)
{
	sqlite3_stmt *st = store_prepare(x->s, "SELECT state FROM transfer WHERE id = ?1", NULL);
	bool yes = false;

	if (!st)
		return false;
	sqlite3_bind_int64(st, 1, x->j->id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);

		yes = v && strcmp(v, "cancelled") == 0;
	}
	sqlite3_finalize(st);
	return yes;
}

/* Saves the offset while the row is still running; *still false when
 * another process changed its state (a cancel). */
static enum hmx_rc save_offset(struct xfer *x, bool *still, struct hmx_err *err)
{
	struct transfer_job *j = x->j;
	sqlite3_stmt *st;
	enum hmx_rc rc;
	int src;

	*still = true;
	hmx_now_utc(j->updated_at);
	if ((rc = store_begin(x->s, err)) != HMX_OK)
		return rc;
	st = store_prepare(x->s,
			   "UPDATE transfer SET done = ?2, updated_at = ?3, sha256 = ?4 WHERE id = ?1 "
			   "AND state = 'running'",
			   err);
	if (!st) {
		store_rollback(x->s);
		return HMX_EDB;
	}
	sqlite3_bind_int64(st, 1, j->id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)j->done);
	sqlite3_bind_text(st, 3, j->updated_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, j->sha256, -1, SQLITE_STATIC);
	src = sqlite3_step(st);
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		rc = store_fail(x->s, err, "cannot update the transfer job");
		store_rollback(x->s);
		return rc;
	}
	if (sqlite3_changes(store_db(x->s)) == 0) {
		/* cancelled meanwhile: keep that state, record how far we got */
		*still = false;
		if ((rc = keep_offset(x->s, j, err)) != HMX_OK) {
			store_rollback(x->s);
			return rc;
		}
	}
	return store_commit(x->s, err);
}

static bool cancel_asked(const struct xfer *x)
{
	return x->o->cancel && atomic_load(x->o->cancel);
}

/* Stops the run as cancelled: offset durable, state cancelled (audited). */
static enum hmx_rc stop_cancelled(struct xfer *x, int fd, struct hmx_err *err)
{
	struct hmx_err e2 = { 0 };
	enum transfer_state from = x->j->state;

	if (fd >= 0)
		fdatasync(fd);
	x->cancelled = true;
	if (from != TRANSFER_CANCELLED) {
		x->j->state = TRANSFER_CANCELLED;
		hmx_strlcpy(x->j->error, "cancelled", sizeof x->j->error);
		if (xfer_job_save(x->s, x->j, from, "transfer.cancel", &e2) != HMX_OK)
			XFER_LOG(x, HMX_LOG_WARN, "%s", e2.msg);
	}
	return hmx_err_set(err, HMX_ESTATE, "transfer job %lld cancelled at %llu of %llu bytes; "
			   "'hmx transfer retry %lld' resumes it", (long long)x->j->id,
			   (unsigned long long)x->j->done, (unsigned long long)x->j->size,
			   (long long)x->j->id);
}

enum hmx_rc xfer_tick(struct xfer *x, int fd, struct hmx_err *err)
{
	struct transfer_job *j = x->j;
	double t = now_ms();
	enum hmx_rc rc;
	bool still;

	hmx_progress(j->dir == TRANSFER_PULL ? j->local : j->remote, j->done, j->size);
	if (j->done - x->last_prog >= PROGRESS_BYTES || j->done == j->size ||
	    t - x->last_prog_ms >= PROGRESS_MS)
		xfer_notify(x);
	if (x->kbps) {
		double want = (double)(j->done - x->start_done) * 1000.0 / (x->kbps * 1024.0);

		if (want > t - x->start_ms)
			sleep_ms((long)(want - (t - x->start_ms)));
		t = now_ms();
	}
	if (cancel_asked(x))
		return stop_cancelled(x, fd, err);
	if (j->done == j->size)
		return HMX_OK;
	if (j->done - x->last_cp < CHECKPOINT_BYTES && t - x->last_cp_ms < CHECKPOINT_MS) {
		/* between checkpoints only a cheap look at the row: a cancel
		 * from another process forces one now */
		if (t - x->last_poll_ms < POLL_MS)
			return HMX_OK;
		x->last_poll_ms = t;
		if (!cancelled_elsewhere(x))
			return HMX_OK;
	}
	if (fd >= 0 && fdatasync(fd) != 0)
		return hmx_err_set(err, HMX_EIO, "%s: cannot sync: %s", j->local, strerror(errno));
	if ((rc = save_offset(x, &still, err)) != HMX_OK)
		return rc;
	x->last_cp = j->done;
	x->last_cp_ms = t;
	if (!still) {
		j->state = TRANSFER_CANCELLED;
		return stop_cancelled(x, -1, err);
	}
	return HMX_OK;
}

enum hmx_rc xfer_run(struct xfer *x, xfer_attempt_fn fn, void *arg, struct hmx_err *err)
{
	int retries = x->o->retries > 0 ? x->o->retries : 0;
	long base = env_long("HMX_RETRY_BASE_MS", 1000, 0, RETRY_MAX_MS);
	enum hmx_rc rc = HMX_OK;
	int t;

	for (t = 0;; t++) {
		if (t > 0) {
			struct hmx_err e2 = { 0 };
			long ms = base << (t - 1 < 16 ? t - 1 : 16);

			if (ms > RETRY_MAX_MS)
				ms = RETRY_MAX_MS;
			snprintf(x->j->error, sizeof x->j->error, "%.180s; retry %d of %d in %.1f s",
				 err->msg, t, retries, (double)ms / 1000.0);
			XFER_LOG(x, HMX_LOG_WARN, "transfer job %lld: %s", (long long)x->j->id,
				 x->j->error);
			xfer_notify(x);
			for (long slept = 0; slept < ms && !cancel_asked(x); slept += 100)
				sleep_ms(ms - slept < 100 ? ms - slept : 100);
			if (cancel_asked(x)) {
				rc = stop_cancelled(x, -1, err);
				break;
			}
			if (sftpc_reconnect(x->c, &e2) != HMX_OK) {
				*err = e2;
				rc = HMX_EIO;
				x->lost = true;
				if (t >= retries)
					break;
				continue;
			}
			x->j->error[0] = '\0'; /* running again: the wait's reason is past */
		}
		x->lost = false;
		xfer_start(x);
		xfer_notify(x);
		rc = fn(x, arg, err);
		if (rc == HMX_OK || x->cancelled)
			break;
		x->lost = x->lost || !sftpc_connected(x->c);
		if (!x->lost || t >= retries)
			break;
	}
	if (rc != HMX_OK && !x->cancelled) {
		if (x->lost && retries > 0 && t >= retries) {
			size_t l = strlen(err->msg);

			snprintf(err->msg + l, sizeof err->msg - l, " (gave up after %d retr%s)", retries,
				 retries == 1 ? "y" : "ies");
		}
		job_fail(x->s, x->j, rc, err);
	}
	xfer_notify(x);
	return rc;
}

/* ---- remote helpers --------------------------------------------------------- */

void xfer_remote_join(char *buf, size_t n, const char *dir, const char *name)
{
	if (name[0] == '/' || !dir || !dir[0])
		snprintf(buf, n, "%s", name);
	else
		snprintf(buf, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name);
}

enum hmx_rc xfer_sftp_fail(sftp_session sftp, const char *what, const char *path,
			       struct hmx_err *err)
{
	char e[300];
	int code = sftp_get_error(sftp);

	xfer_esc(e, sizeof e, path);
	if (!ssh_is_connected(sftp->session) || code == SSH_FX_CONNECTION_LOST ||
	    code == SSH_FX_NO_CONNECTION)
		return hmx_err_set(err, HMX_EIO, "cannot %s remote %s: connection lost (%s)", what, e,
				   ssh_get_error(sftp->session));
	switch (code) {
	case SSH_FX_NO_SUCH_FILE:
	case SSH_FX_NO_SUCH_PATH:
		return hmx_err_set(err, HMX_ENOTFOUND, "remote %s: no such file or directory", e);
	case SSH_FX_PERMISSION_DENIED:
		return hmx_err_set(err, HMX_EIO, "remote %s: permission denied", e);
	default:
		return hmx_err_set(err, HMX_EIO, "cannot %s remote %s (SFTP error %d: %s)", what, e, code,
				   ssh_get_error(sftp->session));
	}
}

enum hmx_rc xfer_remote_fail(struct xfer *x, const char *what, const char *path,
			     struct hmx_err *err)
{
	sftp_session sftp = sftpc_session(x->c);
	int code = sftp_get_error(sftp);

	if (!ssh_is_connected(sftp->session) || code == SSH_FX_CONNECTION_LOST ||
	    code == SSH_FX_NO_CONNECTION)
		x->lost = true;
	return xfer_sftp_fail(sftp, what, path, err);
}

enum hmx_rc xfer_write_fail(const char *path, int e, struct hmx_err *err)
{
	if (e == ENOSPC || e == EFBIG || e == EDQUOT)
		return hmx_err_set(err, HMX_EIO, "%s: cannot write: %s (disk full or over the file-size "
				   "limit); the partial file is kept", path, strerror(e));
	return hmx_err_set(err, HMX_EIO, "%s: cannot write: %s", path, strerror(e));
}

enum hmx_rc transfer_retry(struct store *s, struct sftpc *c, const struct site *site, int64_t id,
			   const struct transfer_opts *o, struct transfer_job *job,
			   struct hmx_err *err)
{
	struct transfer_job j;
	enum hmx_rc rc;

	if ((rc = job_get(s, id, &j, err)) != HMX_OK)
		return rc;
	if (strcmp(j.site, site->name) != 0)
		return hmx_err_set(err, HMX_EINVAL, "transfer job %lld is for site %s, not %s",
				   (long long)id, j.site, site->name);
	if (j.state == TRANSFER_DONE)
		return hmx_err_set(err, HMX_ESTATE, "transfer job %lld is already done", (long long)id);
	return j.dir == TRANSFER_PULL ? xfer_pull_job(s, c, &j, o, job, err)
				      : xfer_push_job(s, c, &j, o, job, err);
}
