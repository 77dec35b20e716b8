/* core/transfer.c — the transfer job table, pipelined resumable pulls and
 * renamed-into-place pushes over libssh's SFTP. See transfer.h. */
#include "transfer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <openssl/evp.h>

#include "audit.h"

/* Progress is made durable (fdatasync, then the offset saved) this often. */
#define CHECKPOINT_BYTES (16u * 1024u * 1024u)

static const char *const state_names[] = { "queued", "running", "failed", "done", "cancelled" };

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
	for (size_t i = 0; i < sizeof state_names / sizeof state_names[0]; i++)
		if (strcmp(s, state_names[i]) == 0)
			return (enum transfer_state)i;
	return TRANSFER_FAILED;
}

/* Copies s into buf with control bytes as \xNN, for messages. */
static const char *esc(char *buf, size_t n, const char *s)
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

enum hmx_rc transfer_sha256_file(const char *path, char hex[65], struct hmx_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE], *buf;
	unsigned mdlen = 0;
	EVP_MD_CTX *ctx;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return hmx_err_set(err, HMX_EIO, "%s: %s", path, strerror(errno));
	buf = malloc(1u << 20);
	ctx = EVP_MD_CTX_new();
	if (!buf || !ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		free(buf);
		EVP_MD_CTX_free(ctx);
		close(fd);
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	}
	while ((r = read(fd, buf, 1u << 20)) > 0)
		EVP_DigestUpdate(ctx, buf, (size_t)r);
	if (r < 0 || !EVP_DigestFinal_ex(ctx, md, &mdlen)) {
		int e = errno;
		free(buf);
		EVP_MD_CTX_free(ctx);
		close(fd);
		return hmx_err_set(err, HMX_EIO, "%s: cannot read: %s", path, strerror(e));
	}
	for (unsigned i = 0; i < mdlen && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[64] = '\0';
	free(buf);
	EVP_MD_CTX_free(ctx);
	close(fd);
	return HMX_OK;
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

enum hmx_rc transfer_list(struct store *s, struct transfer_job **out, size_t *n,
			  struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " JOB_COLS " FROM transfer ORDER BY id", err);

	*out = NULL;
	*n = 0;
	if (!st)
		return HMX_EDB;
	return store_collect(s, st, sizeof **out, read_job, (void **)out, n,
			     "cannot read the transfer jobs", err);
}

/* The latest unfinished job for the same transfer, if any. */
static enum hmx_rc job_find(struct store *s, const struct transfer_job *key, struct transfer_job *out,
			    bool *found, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT " JOB_COLS " FROM transfer WHERE site = ?1 AND "
					 "direction = ?2 AND remote_path = ?3 AND local_path = ?4 AND "
					 "state <> 'done' ORDER BY id DESC LIMIT 1",
					 err);
	int rc;

	*found = false;
	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, key->site, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, transfer_dir_name(key->dir), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, key->remote, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, key->local, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof *out);
		read_job(st, out);
		*found = true;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, err, "cannot read the transfer jobs");
	return HMX_OK;
}

static void job_object(char *buf, size_t n, const struct transfer_job *j)
{
	snprintf(buf, n, "transfer/%lld", (long long)j->id);
}

/* Inserts *j as queued (audited), setting its id and times. */
static enum hmx_rc job_insert(struct store *s, struct transfer_job *j, struct hmx_err *err)
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
		 esc(e1, sizeof e1, j->dir == TRANSFER_PULL ? j->remote : j->local),
		 esc(e2, sizeof e2, j->dir == TRANSFER_PULL ? j->local : j->remote));
	if ((rc = audit_write(s, "transfer.new", object, NULL, after, err)) != HMX_OK) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, err);
}

/* Saves the size, offset, mtime, SHA-256, state and error of *j; audits a
 * change of state as "transfer.state", or any save as action when given. */
static enum hmx_rc job_save(struct store *s, struct transfer_job *j, enum transfer_state from,
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
			   "state = ?6, error = ?7, updated_at = ?8 WHERE id = ?1",
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
	if (job_save(s, j, from, NULL, &e2) != HMX_OK)
		hmx_log(HMX_LOG_WARN, "%s", e2.msg);
	return rc;
}

/* ---- remote helpers --------------------------------------------------------- */

static void remote_join(char *buf, size_t n, const char *dir, const char *name)
{
	if (name[0] == '/' || !dir || !dir[0])
		snprintf(buf, n, "%s", name);
	else
		snprintf(buf, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name);
}

static enum hmx_rc remote_fail(sftp_session sftp, const char *what, const char *path,
			       struct hmx_err *err)
{
	char e[300];
	int code = sftp_get_error(sftp);

	esc(e, sizeof e, path);
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

/* ---- pull --------------------------------------------------------------------- */

struct req {
	int id;
	uint64_t off;
	uint32_t len;
};

/* Reads [job->done, job->size) of rf into fd at the same offsets with up to
 * TRANSFER_INFLIGHT requests in flight, saving the offset at checkpoints. */
static enum hmx_rc pull_data(struct store *s, sftp_session sftp, sftp_file rf, int fd,
			     struct transfer_job *j, const char *rpath, struct hmx_err *err)
{
	struct req q[TRANSFER_INFLIGHT];
	size_t head = 0, cnt = 0;
	uint64_t next = j->done, last_cp = j->done;
	char *buf = malloc(TRANSFER_CHUNK);
	enum hmx_rc rc = HMX_OK;

	if (!buf)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	if (sftp_seek64(rf, next) < 0) {
		free(buf);
		return remote_fail(sftp, "seek in", rpath, err);
	}
	while (j->done < j->size) {
		struct req r;
		int got;

		while (cnt < TRANSFER_INFLIGHT && next < j->size) {
			uint64_t left = j->size - next;
			uint32_t len = left < TRANSFER_CHUNK ? (uint32_t)left : TRANSFER_CHUNK;
			int id = sftp_async_read_begin(rf, len);

			if (id < 0) {
				rc = remote_fail(sftp, "read", rpath, err);
				goto drain;
			}
			q[(head + cnt) % TRANSFER_INFLIGHT] = (struct req){ id, next, len };
			cnt++;
			next += len;
		}
		r = q[head];
		head = (head + 1) % TRANSFER_INFLIGHT;
		cnt--;
		got = sftp_async_read(rf, buf, r.len, (uint32_t)r.id);
		if (got < 0) {
			rc = remote_fail(sftp, "read", rpath, err);
			goto drain;
		}
		if (got == 0) {
			rc = hmx_err_set(err, HMX_EIO, "remote file shrank during the transfer at %llu of "
					 "%llu bytes", (unsigned long long)r.off,
					 (unsigned long long)j->size);
			goto drain;
		}
		for (size_t w = 0; w < (size_t)got;) {
			ssize_t k = pwrite(fd, buf + w, (size_t)got - w, (off_t)(r.off + w));

			if (k < 0) {
				if (errno == EINTR)
					continue;
				rc = hmx_err_set(err, HMX_EIO, "%s: cannot write: %s", j->local,
						 strerror(errno));
				goto drain;
			}
			w += (size_t)k;
		}
		j->done = r.off + (uint64_t)got;
		if ((uint32_t)got < r.len) {
			/* short read: drop what is in flight, ask again from here */
			while (cnt) {
				sftp_async_read(rf, buf, q[head].len, (uint32_t)q[head].id);
				head = (head + 1) % TRANSFER_INFLIGHT;
				cnt--;
			}
			next = j->done;
			if (sftp_seek64(rf, next) < 0) {
				rc = remote_fail(sftp, "seek in", rpath, err);
				break;
			}
		}
		hmx_progress(j->local, j->done, j->size);
		if (j->done - last_cp >= CHECKPOINT_BYTES && j->done < j->size) {
			if (fdatasync(fd) != 0) {
				rc = hmx_err_set(err, HMX_EIO, "%s: cannot sync: %s", j->local,
						 strerror(errno));
				goto drain;
			}
			if ((rc = job_save(s, j, j->state, NULL, err)) != HMX_OK)
				goto drain;
			last_cp = j->done;
		}
	}
	free(buf);
	return rc;
drain:
	while (cnt) {
		sftp_async_read(rf, buf, q[head].len, (uint32_t)q[head].id);
		head = (head + 1) % TRANSFER_INFLIGHT;
		cnt--;
	}
	free(buf);
	return rc;
}

/* fsync of the directory holding path, so a rename is durable. */
static void sync_dir_of(const char *path)
{
	char dir[1100];
	const char *sl = strrchr(path, '/');
	int fd;

	if (sl)
		snprintf(dir, sizeof dir, "%.*s", (int)(sl - path ? sl - path : 1), path);
	else
		snprintf(dir, sizeof dir, ".");
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* A run stopped between the rename and the final save leaves the job
 * running with its SHA-256 saved and the final file in place: if the file
 * is that one, the job is marked done (HMX_OK); else HMX_EEXIST. */
static enum hmx_rc pull_recover(struct store *s, struct transfer_job *j, const struct stat *lst,
				struct hmx_err *err)
{
	char hex[65];
	enum transfer_state from = j->state;

	if (!j->sha256[0] || j->done != j->size || (uint64_t)lst->st_size != j->size ||
	    !S_ISREG(lst->st_mode) || transfer_sha256_file(j->local, hex, err) != HMX_OK ||
	    strcmp(hex, j->sha256) != 0)
		return HMX_EEXIST;
	j->state = TRANSFER_DONE;
	j->error[0] = '\0';
	return job_save(s, j, from, NULL, err);
}

enum hmx_rc transfer_pull(struct store *s, struct sftpc *c, const struct site *site,
			  const char *remote, const char *dir, const struct transfer_opts *o,
			  struct transfer_job *job, char *local_name, struct hmx_err *err)
{
	sftp_session sftp = sftpc_session(c);
	struct transfer_job j = { 0 }, old;
	char name[TRANSFER_NAME_MAX + 1], partial[1100], e1[300];
	sftp_attributes a;
	sftp_file rf;
	struct stat lst;
	bool found;
	enum hmx_rc rc;
	int fd;

	if (!dir || !dir[0])
		dir = ".";
	hmx_strlcpy(j.site, site->name, sizeof j.site);
	j.dir = TRANSFER_PULL;
	remote_join(j.remote, sizeof j.remote, site->remote_dir, remote);
	transfer_sanitize_name(remote, name, sizeof name);
	if (local_name)
		hmx_strlcpy(local_name, name, TRANSFER_NAME_MAX + 1);
	if ((size_t)snprintf(j.local, sizeof j.local, "%s/%s", dir, name) >= sizeof j.local - 16)
		return hmx_err_set(err, HMX_EINVAL, "local path too long: %s", dir);
	snprintf(partial, sizeof partial, "%s.hmx-partial", j.local);
	if (!(a = sftp_stat(sftp, j.remote)))
		return remote_fail(sftp, "stat", j.remote, err);
	if (a->type != SSH_FILEXFER_TYPE_REGULAR) {
		sftp_attributes_free(a);
		return hmx_err_set(err, HMX_EINVAL, "remote %s is not a regular file",
				   esc(e1, sizeof e1, j.remote));
	}
	j.size = a->size;
	j.remote_mtime = (int64_t)a->mtime;
	sftp_attributes_free(a);
	/* the job: resume when the remote file is the one we started on */
	if ((rc = job_find(s, &j, &old, &found, err)) != HMX_OK)
		return rc;
	if (!o->overwrite && lstat(j.local, &lst) == 0) {
		/* interrupted between the rename and the last save? */
		if (found && (rc = pull_recover(s, &old, &lst, err)) != HMX_EEXIST) {
			if (rc == HMX_OK && job)
				*job = old;
			return rc;
		}
		return hmx_err_set(err, HMX_EEXIST, "%s exists (--overwrite to replace it)", j.local);
	}
	if (found) {
		enum transfer_state from = old.state;
		bool same = old.size == j.size && old.remote_mtime == j.remote_mtime;

		if (!same || lstat(partial, &lst) != 0 || (uint64_t)lst.st_size < old.done)
			old.done = 0;
		if (!same)
			hmx_log(HMX_LOG_INFO, "remote %s changed since job %lld: starting again",
				esc(e1, sizeof e1, j.remote), (long long)old.id);
		old.size = j.size;
		old.remote_mtime = j.remote_mtime;
		old.error[0] = '\0';
		old.sha256[0] = '\0';
		old.state = TRANSFER_RUNNING;
		j = old;
		if ((rc = job_save(s, &j, from, "transfer.resume", err)) != HMX_OK)
			return rc;
	} else {
		if ((rc = job_insert(s, &j, err)) != HMX_OK)
			return rc;
		j.state = TRANSFER_RUNNING;
		if ((rc = job_save(s, &j, TRANSFER_QUEUED, NULL, err)) != HMX_OK)
			return rc;
	}

	fd = open(partial, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)j.done) != 0) {
		rc = hmx_err_set(err, HMX_EIO, "%s: %s", partial, strerror(errno));
		if (fd >= 0)
			close(fd);
		return job_fail(s, &j, rc, err);
	}
	if (!(rf = sftp_open(sftp, j.remote, O_RDONLY, 0))) {
		close(fd);
		return job_fail(s, &j, remote_fail(sftp, "open", j.remote, err), err);
	}
	rc = pull_data(s, sftp, rf, fd, &j, j.remote, err);
	sftp_close(rf);
	if (rc == HMX_OK && fsync(fd) != 0)
		rc = hmx_err_set(err, HMX_EIO, "%s: cannot sync: %s", partial, strerror(errno));
	if (close(fd) != 0 && rc == HMX_OK)
		rc = hmx_err_set(err, HMX_EIO, "%s: %s", partial, strerror(errno));
	if (rc == HMX_OK && lstat(partial, &lst) == 0 && (uint64_t)lst.st_size != j.size)
		rc = hmx_err_set(err, HMX_EIO, "%s: %llu bytes, expected %llu", partial,
				 (unsigned long long)lst.st_size, (unsigned long long)j.size);
	if (rc == HMX_OK)
		rc = transfer_sha256_file(partial, j.sha256, err);
	if (rc == HMX_OK) {
		/* complete and verified: saved before the rename, so that a run
		 * stopped right after it can tell the final file is ours */
		j.done = j.size;
		rc = job_save(s, &j, j.state, NULL, err);
	}
	if (rc == HMX_OK && !o->overwrite && lstat(j.local, &lst) == 0)
		rc = hmx_err_set(err, HMX_EEXIST, "%s appeared during the transfer; kept %s",
				 j.local, partial);
	if (rc == HMX_OK && rename(partial, j.local) != 0)
		rc = hmx_err_set(err, HMX_EIO, "cannot rename %s: %s", partial, strerror(errno));
	if (rc != HMX_OK) {
		j.sha256[0] = '\0';
		return job_fail(s, &j, rc, err);
	}
	sync_dir_of(j.local);
	j.state = TRANSFER_DONE;
	if ((rc = job_save(s, &j, TRANSFER_RUNNING, NULL, err)) != HMX_OK)
		return rc;
	if (job)
		*job = j;
	return HMX_OK;
}

/* ---- push --------------------------------------------------------------------- */

enum hmx_rc transfer_push(struct store *s, struct sftpc *c, const struct site *site,
			  const char *local, const char *dir, const struct transfer_opts *o,
			  struct transfer_job *job, struct hmx_err *err)
{
	sftp_session sftp = sftpc_session(c);
	struct transfer_job j = { 0 };
	const char *base = strrchr(local, '/');
	char part[1100], e1[300];
	sftp_attributes a;
	sftp_file wf;
	struct stat lst;
	enum hmx_rc rc;
	char *buf;
	int fd;

	base = base ? base + 1 : local;
	if (!dir || !dir[0])
		dir = site->remote_dir;
	if (!*base)
		return hmx_err_set(err, HMX_EINVAL, "%s: not a file name", local);
	if (stat(local, &lst) != 0)
		return hmx_err_set(err, errno == ENOENT ? HMX_ENOTFOUND : HMX_EIO, "%s: %s", local,
				   strerror(errno));
	if (!S_ISREG(lst.st_mode))
		return hmx_err_set(err, HMX_EINVAL, "%s is not a regular file", local);
	hmx_strlcpy(j.site, site->name, sizeof j.site);
	j.dir = TRANSFER_PUSH;
	hmx_strlcpy(j.local, local, sizeof j.local);
	remote_join(j.remote, sizeof j.remote, dir, base);
	snprintf(part, sizeof part, "%s.part", j.remote);
	j.size = (uint64_t)lst.st_size;
	if (!o->overwrite && (a = sftp_stat(sftp, j.remote))) {
		sftp_attributes_free(a);
		return hmx_err_set(err, HMX_EEXIST, "remote %s exists (--overwrite to replace it)",
				   esc(e1, sizeof e1, j.remote));
	}
	if ((rc = job_insert(s, &j, err)) != HMX_OK)
		return rc;
	j.state = TRANSFER_RUNNING;
	if ((rc = job_save(s, &j, TRANSFER_QUEUED, NULL, err)) != HMX_OK)
		return rc;
	if ((rc = transfer_sha256_file(local, j.sha256, err)) != HMX_OK)
		return job_fail(s, &j, rc, err);
	if ((fd = open(local, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = hmx_err_set(err, HMX_EIO, "%s: %s", local, strerror(errno));
		return job_fail(s, &j, rc, err);
	}
	if (!(wf = sftp_open(sftp, part, O_WRONLY | O_CREAT | O_TRUNC, 0600))) {
		close(fd);
		return job_fail(s, &j, remote_fail(sftp, "create", part, err), err);
	}
	if (!(buf = malloc(TRANSFER_CHUNK))) {
		rc = hmx_err_set(err, HMX_ENOMEM, "out of memory");
	} else {
		for (;;) {
			ssize_t r = read(fd, buf, TRANSFER_CHUNK), w;

			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				rc = hmx_err_set(err, HMX_EIO, "%s: cannot read: %s", local,
						 strerror(errno));
				break;
			}
			if (r == 0)
				break;
			for (ssize_t off = 0; off < r; off += w) {
				w = sftp_write(wf, buf + off, (size_t)(r - off));
				if (w <= 0) {
					rc = remote_fail(sftp, "write", part, err);
					break;
				}
			}
			if (rc != HMX_OK)
				break;
			j.done += (uint64_t)r;
			hmx_progress(local, j.done, j.size);
		}
		free(buf);
	}
	close(fd);
	if (sftp_close(wf) != SSH_NO_ERROR && rc == HMX_OK)
		rc = remote_fail(sftp, "close", part, err);
	if (rc == HMX_OK && o->overwrite && sftp_unlink(sftp, j.remote) != 0 &&
	    sftp_get_error(sftp) != SSH_FX_NO_SUCH_FILE)
		rc = remote_fail(sftp, "remove", j.remote, err);
	if (rc == HMX_OK && sftp_rename(sftp, part, j.remote) != 0)
		rc = remote_fail(sftp, "rename", part, err);
	if (rc == HMX_OK) {
		if (!(a = sftp_stat(sftp, j.remote))) {
			rc = remote_fail(sftp, "stat", j.remote, err);
		} else {
			if (a->size != j.size)
				rc = hmx_err_set(err, HMX_EIO, "remote %s has %llu bytes, sent %llu",
						 esc(e1, sizeof e1, j.remote), (unsigned long long)a->size,
						 (unsigned long long)j.size);
			j.remote_mtime = (int64_t)a->mtime;
			sftp_attributes_free(a);
		}
	}
	if (rc == HMX_OK && j.done != j.size)
		rc = hmx_err_set(err, HMX_EIO, "%s changed during the upload", local);
	if (rc != HMX_OK)
		return job_fail(s, &j, rc, err);
	j.state = TRANSFER_DONE;
	if ((rc = job_save(s, &j, TRANSFER_RUNNING, NULL, err)) != HMX_OK)
		return rc;
	if (job)
		*job = j;
	return HMX_OK;
}
