/* core/transfer_pull.c — downloads: pipelined reads into
 * NAME.hmx-partial, resumed from the job's offset while the remote file is
 * unchanged, then fsync, SHA-256 and an atomic rename. See transfer.h.
 *
 * Speed: the data arrive in order, so the SHA-256 is taken as they are
 * written (after hashing the partial's prefix on a resume) instead of in a
 * second pass, and the kernel is asked to start writing every few MiB
 * (sync_file_range), so the checkpoints' and the final fsync find little
 * left to do. */
#define _GNU_SOURCE /* sync_file_range */
#include "transfer_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bytes written between two requests to the kernel to start writeback. */
#define WRITEBACK_BYTES (8u * 1024u * 1024u)

/* ---- pull --------------------------------------------------------------------- */

struct req {
	int id;
	uint64_t off;
	uint32_t len;
};

/* Reads [job->done, job->size) of rf into fd at the same offsets with up to
 * TRANSFER_READ_INFLIGHT requests of TRANSFER_READ bytes in flight, saving
 * the offset at checkpoints. A server that answers a request with fewer
 * bytes than asked (its own limit) gets requests of that size from then on. */
static enum hmx_rc pull_data(struct xfer *x, sftp_file rf, int fd, EVP_MD_CTX *md,
			     struct hmx_err *err)
{
	struct transfer_job *j = x->j;
	const char *rpath = j->remote;
	struct req q[TRANSFER_READ_INFLIGHT];
	size_t head = 0, cnt = 0;
	uint64_t next = j->done;
	uint32_t chunk = TRANSFER_READ;
	uint64_t flushed = j->done;
	char *buf = malloc(TRANSFER_READ);
	enum hmx_rc rc = HMX_OK;

	if (!buf)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	if (sftp_seek64(rf, next) < 0) {
		free(buf);
		return xfer_remote_fail(x, "seek in", rpath, err);
	}
	while (j->done < j->size) {
		struct req r;
		int got;

		while (cnt < TRANSFER_READ_INFLIGHT && next < j->size) {
			uint64_t left = j->size - next;
			uint32_t len = left < chunk ? (uint32_t)left : chunk;
			int id = sftp_async_read_begin(rf, len);

			if (id < 0) {
				rc = xfer_remote_fail(x, "read", rpath, err);
				goto drain;
			}
			q[(head + cnt) % TRANSFER_READ_INFLIGHT] = (struct req){ id, next, len };
			cnt++;
			next += len;
		}
		r = q[head];
		head = (head + 1) % TRANSFER_READ_INFLIGHT;
		cnt--;
		got = sftp_async_read(rf, buf, r.len, (uint32_t)r.id);
		if (got < 0) {
			rc = xfer_remote_fail(x, "read", rpath, err);
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
				rc = xfer_write_fail(j->local, errno, err);
				goto drain;
			}
			w += (size_t)k;
		}
		if (!EVP_DigestUpdate(md, buf, (size_t)got)) {
			rc = hmx_err_set(err, HMX_EIO, "SHA-256 failed");
			goto drain;
		}
		j->done = r.off + (uint64_t)got;
		if (j->done - flushed >= WRITEBACK_BYTES) {
#ifdef SYNC_FILE_RANGE_WRITE
			sync_file_range(fd, (off_t)flushed, (off_t)(j->done - flushed),
					SYNC_FILE_RANGE_WRITE);
#endif
			flushed = j->done;
		}
		if ((uint32_t)got < r.len) {
			/* short read: drop what is in flight, ask again from here
			 * in pieces of the size the server gives */
			chunk = (uint32_t)got;
			while (cnt) {
				sftp_async_read(rf, buf, q[head].len, (uint32_t)q[head].id);
				head = (head + 1) % TRANSFER_READ_INFLIGHT;
				cnt--;
			}
			next = j->done;
			if (sftp_seek64(rf, next) < 0) {
				rc = xfer_remote_fail(x, "seek in", rpath, err);
				break;
			}
		}
		if ((rc = xfer_tick(x, fd, err)) != HMX_OK)
			goto drain;
	}
	free(buf);
	return rc;
drain:
	while (cnt && sftpc_connected(x->c)) {
		sftp_async_read(rf, buf, q[head].len, (uint32_t)q[head].id);
		head = (head + 1) % TRANSFER_READ_INFLIGHT;
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
	    !S_ISREG(lst->st_mode) || hmx_sha256_file(j->local, hex, err) != HMX_OK ||
	    strcmp(hex, j->sha256) != 0)
		return HMX_EEXIST;
	j->state = TRANSFER_DONE;
	j->error[0] = '\0';
	return xfer_job_save(s, j, from, NULL, err);
}

/* One attempt of a pull: the remote checked again (a changed file restarts
 * from 0), the partial opened at the job's offset, the data, then fsync,
 * SHA-256 and rename. */
static enum hmx_rc pull_attempt(struct xfer *x, void *arg, struct hmx_err *err)
{
	struct transfer_job *j = x->j;
	sftp_session sftp = sftpc_session(x->c);
	const struct transfer_opts *o = x->o;
	char partial[1100], e1[300];
	sftp_attributes a;
	sftp_file rf;
	struct stat lst;
	EVP_MD_CTX *md;
	char hex[65];
	enum hmx_rc rc;
	int fd;

	(void)arg;
	snprintf(partial, sizeof partial, "%s.hmx-partial", j->local);
	if (!(a = sftp_stat(sftp, j->remote)))
		return xfer_remote_fail(x, "stat", j->remote, err);
	if (a->size != j->size || (int64_t)a->mtime != j->remote_mtime) {
		XFER_LOG(x, HMX_LOG_INFO, "remote %s changed since job %lld started: starting again",
			xfer_esc(e1, sizeof e1, j->remote), (long long)j->id);
		j->size = a->size;
		j->remote_mtime = (int64_t)a->mtime;
		j->done = 0;
		x->last_cp = x->start_done = 0;
	}
	sftp_attributes_free(a);
	fd = open(partial, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0 && fstat(fd, &lst) == 0 && (uint64_t)lst.st_size < j->done)
		j->done = x->last_cp = x->start_done = 0;
	if (fd < 0 || ftruncate(fd, (off_t)j->done) != 0) {
		rc = hmx_err_set(err, HMX_EIO, "%s: %s", partial, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	/* the hash starts over the partial's prefix from earlier attempts */
	if (!(md = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		rc = hmx_err_set(err, HMX_ENOMEM, "out of memory");
	else
		rc = hmx_sha256_fd(md, fd, j->done, partial, err);
	if (rc != HMX_OK) {
		EVP_MD_CTX_free(md);
		close(fd);
		return rc;
	}
	if (!(rf = sftp_open(sftp, j->remote, O_RDONLY, 0))) {
		EVP_MD_CTX_free(md);
		close(fd);
		return xfer_remote_fail(x, "open", j->remote, err);
	}
	rc = pull_data(x, rf, fd, md, err);
	sftp_close(rf); /* frees the handle, also when the connection is gone */
	if (rc == HMX_OK)
		rc = hmx_sha256_hex(md, hex, err);
	EVP_MD_CTX_free(md);
	if (rc == HMX_OK && fsync(fd) != 0)
		rc = xfer_write_fail(partial, errno, err);
	if (close(fd) != 0 && rc == HMX_OK)
		rc = xfer_write_fail(partial, errno, err);
	if (rc == HMX_OK && lstat(partial, &lst) == 0 && (uint64_t)lst.st_size != j->size)
		rc = hmx_err_set(err, HMX_EIO, "%s: %llu bytes, expected %llu", partial,
				 (unsigned long long)lst.st_size, (unsigned long long)j->size);
	if (rc == HMX_OK)
		memcpy(j->sha256, hex, sizeof hex);
	if (rc == HMX_OK) {
		/* complete and verified: saved before the rename, so that a run
		 * stopped right after it can tell the final file is ours */
		j->done = j->size;
		rc = xfer_job_save(x->s, j, j->state, NULL, err);
	}
	if (rc == HMX_OK && !o->overwrite && lstat(j->local, &lst) == 0)
		rc = hmx_err_set(err, HMX_EEXIST, "%s appeared during the transfer; kept %s",
				 j->local, partial);
	if (rc == HMX_OK && rename(partial, j->local) != 0)
		rc = hmx_err_set(err, HMX_EIO, "cannot rename %s: %s", partial, strerror(errno));
	if (rc != HMX_OK) {
		j->sha256[0] = '\0';
		return rc;
	}
	sync_dir_of(j->local);
	j->state = TRANSFER_DONE;
	j->error[0] = '\0';
	return xfer_job_save(x->s, j, TRANSFER_RUNNING, NULL, err);
}

/* Runs the pull of key (site, remote and local path set; id 0: find the
 * unfinished job for them or make one; else that job). */
enum hmx_rc xfer_pull_job(struct store *s, struct sftpc *c, const struct transfer_job *key,
			  const struct transfer_opts *o, struct transfer_job *job,
			  struct hmx_err *err)
{
	sftp_session sftp = sftpc_session(c);
	struct transfer_job j = *key, old;
	struct xfer x;
	char e1[300], partial[1100];
	sftp_attributes a;
	struct stat lst;
	bool found = key->id != 0;
	uint64_t rsize;
	int64_t rmtime;
	enum hmx_rc rc;

	if (!(a = sftp_stat(sftp, j.remote)))
		return xfer_sftp_fail(sftp, "stat", j.remote, err);
	if (a->type != SSH_FILEXFER_TYPE_REGULAR) {
		sftp_attributes_free(a);
		return hmx_err_set(err, HMX_EINVAL, "remote %s is not a regular file",
				   xfer_esc(e1, sizeof e1, j.remote));
	}
	j.size = rsize = a->size;
	j.remote_mtime = rmtime = (int64_t)a->mtime;
	sftp_attributes_free(a);
	if (found)
		old = *key;
	else if ((rc = xfer_job_find(s, &j, &old, &found, err)) != HMX_OK)
		return rc;
	xfer_init(&x, s, c, o, &j);
	if (found) {
		enum transfer_state from;

		j = old;
		if ((rc = xfer_lock(&x, err)) != HMX_OK)
			return rc;
		if (j.state == TRANSFER_DONE) {
			xfer_unlock(&x);
			return hmx_err_set(err, HMX_ESTATE, "transfer job %lld is already done",
					   (long long)j.id);
		}
		if (!o->overwrite && lstat(j.local, &lst) == 0) {
			/* interrupted between the rename and the last save? */
			if ((rc = pull_recover(s, &j, &lst, err)) != HMX_EEXIST) {
				xfer_unlock(&x);
				if (rc == HMX_OK && job)
					*job = j;
				return rc;
			}
			xfer_unlock(&x);
			return hmx_err_set(err, HMX_EEXIST, "%s exists (--overwrite to replace it)",
					   j.local);
		}
		from = j.state;
		snprintf(partial, sizeof partial, "%s.hmx-partial", j.local);
		if (j.size != rsize || j.remote_mtime != rmtime) {
			XFER_LOG(&x, HMX_LOG_INFO, "remote %s changed since job %lld: starting again",
				xfer_esc(e1, sizeof e1, j.remote), (long long)j.id);
			j.done = 0;
		}
		if (lstat(partial, &lst) != 0 || (uint64_t)lst.st_size < j.done)
			j.done = 0;
		j.size = rsize;
		j.remote_mtime = rmtime;
		j.error[0] = '\0';
		j.sha256[0] = '\0';
		j.state = TRANSFER_RUNNING;
		if ((rc = xfer_job_save(s, &j, from, "transfer.resume", err)) != HMX_OK) {
			xfer_unlock(&x);
			return rc;
		}
	} else {
		if (!o->overwrite && lstat(j.local, &lst) == 0)
			return hmx_err_set(err, HMX_EEXIST, "%s exists (--overwrite to replace it)",
					   j.local);
		if ((rc = xfer_job_insert(s, &j, err)) != HMX_OK)
			return rc;
		if ((rc = xfer_lock(&x, err)) != HMX_OK)
			return rc;
		j.state = TRANSFER_RUNNING;
		if ((rc = xfer_job_save(s, &j, TRANSFER_QUEUED, NULL, err)) != HMX_OK) {
			xfer_unlock(&x);
			return rc;
		}
	}
	rc = xfer_run(&x, pull_attempt, NULL, err);
	xfer_unlock(&x);
	if (rc == HMX_OK)
		sync_dir_of(j.local);
	if (job)
		*job = j;
	return rc;
}

enum hmx_rc transfer_pull(struct store *s, struct sftpc *c, const struct site *site,
			  const char *remote, const char *dir, const struct transfer_opts *o,
			  struct transfer_job *job, char *local_name, struct hmx_err *err)
{
	struct transfer_job j = { 0 };
	char name[TRANSFER_NAME_MAX + 1];

	if (!dir || !dir[0])
		dir = ".";
	hmx_strlcpy(j.site, site->name, sizeof j.site);
	j.dir = TRANSFER_PULL;
	xfer_remote_join(j.remote, sizeof j.remote, site->remote_dir, remote);
	transfer_sanitize_name(remote, name, sizeof name);
	if (local_name)
		hmx_strlcpy(local_name, name, TRANSFER_NAME_MAX + 1);
	if ((size_t)snprintf(j.local, sizeof j.local, "%s/%s", dir, name) >= sizeof j.local - 16)
		return hmx_err_set(err, HMX_EINVAL, "local path too long: %s", dir);
	return xfer_pull_job(s, c, &j, o, job, err);
}

