/* core/transfer_push.c — uploads: into NAME.part on the server, resumed
 * from the job's offset when the .part is still there and the local file
 * is unchanged (same SHA-256), written in the largest requests the server
 * takes, then renamed to NAME and its size checked. See transfer.h. */
#include "transfer_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One write request: OpenSSH's sftp-server takes messages up to 256 KiB,
 * so the data plus the request's header (type, id, handle, offset,
 * length) must stay below that. A server that refuses it gets
 * TRANSFER_CHUNK from the next attempt on. */
#define PUSH_WRITE (256u * 1024u - 1024u)

/* The SHA-256 of a new upload's local file, computed by a thread beside
 * the upload (the job keeps it from the first checkpoint after it is
 * known; a resumed upload compares it with the file's before going on). */
struct hasher {
	pthread_t t;
	bool started, joined;
	atomic_bool finished;
	char path[1024];
	char hex[65];
	enum hmx_rc rc;
	struct hmx_err err;
};

struct push_state {
	size_t wsize; /* bytes per write request */
	struct hasher h;
};

static void *hash_main(void *arg)
{
	struct hasher *h = arg;

	h->rc = hmx_sha256_file(h->path, h->hex, &h->err);
	atomic_store(&h->finished, true);
	return NULL;
}

static void hash_start(struct hasher *h, const char *path)
{
	hmx_strlcpy(h->path, path, sizeof h->path);
	atomic_store(&h->finished, false);
	h->started = pthread_create(&h->t, NULL, hash_main, h) == 0;
	if (!h->started) { /* no thread: hash here */
		hash_main(h);
		h->joined = true;
	}
}

/* Puts the hash into j->sha256 once known; wait: join the thread first. */
static enum hmx_rc hash_take(struct hasher *h, struct transfer_job *j, bool wait,
			     struct hmx_err *err)
{
	if (j->sha256[0] || (!h->started && !h->joined))
		return HMX_OK;
	if (!h->joined && (wait || atomic_load(&h->finished))) {
		pthread_join(h->t, NULL);
		h->joined = true;
	}
	if (!h->joined)
		return HMX_OK;
	if (h->rc != HMX_OK) {
		*err = h->err;
		return h->rc;
	}
	memcpy(j->sha256, h->hex, sizeof j->sha256);
	return HMX_OK;
}

/* Two streams: libssh 0.10's sftp_write waits for each write's reply, so
 * one connection sits idle half the time. From PUSH_TWO_MIN bytes on, a
 * second connection (sftpc_clone) writes the odd chunks of the rest in a
 * thread while this one writes the even ones; the offset saved is the
 * contiguous prefix both have written. Without a second connection (it
 * would have to ask for a passphrase, say) one stream does it all. */
#define PUSH_TWO_MIN (32u * 1024u * 1024u)

struct stream2 {
	pthread_t t;
	struct sftpc *c;
	sftp_file wf;
	int fd;
	uint64_t base, size;
	size_t ws;
	_Atomic uint64_t next;  /* index of the next chunk it will write */
	atomic_bool stop, failed;
	char error[256];
};

/* Writes chunk k (base + k * ws) of fd to wf; false on a remote error. */
static bool write_chunk(sftp_file wf, int fd, char *buf, uint64_t base, uint64_t size, size_t ws,
			uint64_t k, bool *short_read)
{
	uint64_t off = base + k * ws;
	size_t want = size - off < ws ? (size_t)(size - off) : ws;
	size_t got = 0;

	*short_read = false;
	while (got < want) {
		ssize_t r = pread(fd, buf + got, want - got, (off_t)(off + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			*short_read = true;
			return false;
		}
		got += (size_t)r;
	}
	if (sftp_seek64(wf, off) < 0)
		return false;
	for (size_t o = 0; o < want;) {
		ssize_t w = sftp_write(wf, buf + o, want - o);

		if (w <= 0)
			return false;
		o += (size_t)w;
	}
	return true;
}

static void *stream2_main(void *arg)
{
	struct stream2 *s2 = arg;
	char *buf = malloc(s2->ws);
	uint64_t chunks = (s2->size - s2->base + s2->ws - 1) / s2->ws;
	bool short_read;

	if (!buf) {
		snprintf(s2->error, sizeof s2->error, "out of memory");
		atomic_store(&s2->failed, true);
		return NULL;
	}
	for (uint64_t k = atomic_load(&s2->next); k < chunks && !atomic_load(&s2->stop); k += 2) {
		if (!write_chunk(s2->wf, s2->fd, buf, s2->base, s2->size, s2->ws, k, &short_read)) {
			snprintf(s2->error, sizeof s2->error, "%s",
				 short_read ? "the local file changed during the upload (shorter)"
					    : ssh_get_error(sftpc_session(s2->c)->session));
			atomic_store(&s2->failed, true);
			break;
		}
		atomic_store(&s2->next, k + 2);
	}
	free(buf);
	return NULL;
}

/* Opens the second stream on the .part for the odd chunks after j->done;
 * false when there is none (then one stream writes everything). */
static bool stream2_start(struct xfer *x, struct stream2 *s2, int fd, const char *part, size_t ws)
{
	struct transfer_job *j = x->j;
	struct hmx_err e2 = { 0 };

	memset(s2, 0, sizeof *s2);
	if (x->kbps || j->size - j->done < PUSH_TWO_MIN || getenv("HMX_PUSH_ONE_STREAM"))
		return false;
	if (sftpc_clone(x->c, &s2->c, &e2) != HMX_OK)
		return false;
	if (!(s2->wf = sftp_open(sftpc_session(s2->c), part, O_WRONLY, 0600))) {
		sftpc_close(&s2->c);
		return false;
	}
	s2->fd = fd;
	s2->base = j->done;
	s2->size = j->size;
	s2->ws = ws;
	atomic_store(&s2->next, 1);
	if (pthread_create(&s2->t, NULL, stream2_main, s2) != 0) {
		sftp_close(s2->wf);
		sftpc_close(&s2->c);
		return false;
	}
	return true;
}

/* Stops (when stop) and joins the second stream, closes it. */
static void stream2_end(struct stream2 *s2, bool stop)
{
	if (stop)
		atomic_store(&s2->stop, true);
	pthread_join(s2->t, NULL);
	sftp_close(s2->wf);
	sftpc_close(&s2->c);
}

/* Writes [j->done, j->size) of the local file to wf (with a second stream
 * when there is one). */
static enum hmx_rc push_data(struct xfer *x, struct push_state *ps, int fd, sftp_file wf,
			     const char *part, struct hmx_err *err)
{
	struct transfer_job *j = x->j;
	size_t ws = ps->wsize;
	char *buf = malloc(ws);
	enum hmx_rc rc = HMX_OK;
	uint64_t base = j->done, first = j->done;
	uint64_t chunks = (j->size - base + ws - 1) / ws;
	struct stream2 s2;
	bool two, short_read;
	uint64_t step, k;

	if (!buf)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	two = stream2_start(x, &s2, fd, part, ws);
	step = two ? 2 : 1;
	for (k = 0; k < chunks; k += step) {
		uint64_t upto;

		if (two && atomic_load(&s2.failed))
			break;
		if (!write_chunk(wf, fd, buf, base, j->size, ws, k, &short_read)) {
			if (short_read) {
				rc = hmx_err_set(err, HMX_EIO, "%s changed during the upload (shorter)",
						 j->local);
			} else {
				rc = xfer_remote_fail(x, "write", part, err);
				/* a first big write refused: smaller ones next time */
				if (j->done == first && ps->wsize > TRANSFER_CHUNK)
					ps->wsize = TRANSFER_CHUNK;
			}
			break;
		}
		/* every chunk below both streams' next one is written */
		upto = k + step;
		if (two && atomic_load(&s2.next) < upto)
			upto = atomic_load(&s2.next);
		j->done = base + upto * ws < j->size ? base + upto * ws : j->size;
		if ((rc = hash_take(&ps->h, j, false, err)) != HMX_OK ||
		    (rc = xfer_tick(x, -1, err)) != HMX_OK)
			break;
	}
	if (two) {
		stream2_end(&s2, rc != HMX_OK || k < chunks);
		if (rc == HMX_OK && atomic_load(&s2.failed)) {
			rc = hmx_err_set(err, HMX_EIO, "%s: second stream: %s", part, s2.error);
			x->lost = true; /* retried: reconnects and resumes */
		}
		if (rc == HMX_OK) {
			j->done = j->size;
			rc = xfer_tick(x, -1, err);
		}
	}
	free(buf);
	return rc;
}

/* One attempt: the local file checked (changed: start again), the .part
 * reopened at the offset when its size allows it, else created; the data;
 * size check; rename. */
static enum hmx_rc push_attempt(struct xfer *x, void *arg, struct hmx_err *err)
{
	struct push_state *ps = arg;
	struct transfer_job *j = x->j;
	sftp_session sftp = sftpc_session(x->c);
	char part[1100], e1[300];
	sftp_attributes a;
	sftp_file wf = NULL;
	enum hmx_rc rc;
	int fd;

	snprintf(part, sizeof part, "%s.part", j->remote);
	if ((fd = open(j->local, O_RDONLY | O_CLOEXEC)) < 0)
		return hmx_err_set(err, errno == ENOENT ? HMX_ENOTFOUND : HMX_EIO, "%s: %s", j->local,
				   strerror(errno));
	if (j->done > 0) {
		a = sftp_stat(sftp, part);
		if (a && a->size >= j->done) {
			wf = sftp_open(sftp, part, O_WRONLY, 0600);
			if (wf && sftp_seek64(wf, j->done) < 0) {
				sftp_close(wf);
				wf = NULL;
			}
		}
		if (a)
			sftp_attributes_free(a);
		if (!sftpc_connected(x->c)) {
			close(fd);
			return xfer_remote_fail(x, "open", part, err);
		}
		if (!wf) {
			XFER_LOG(x, HMX_LOG_INFO, "remote %s is gone or shorter than job %lld's offset: "
				"starting again", xfer_esc(e1, sizeof e1, part), (long long)j->id);
			j->done = 0;
		}
	}
	if (!wf && !(wf = sftp_open(sftp, part, O_WRONLY | O_CREAT | O_TRUNC, 0600))) {
		close(fd);
		return xfer_remote_fail(x, "create", part, err);
	}
	xfer_start(x);
	rc = push_data(x, ps, fd, wf, part, err);
	close(fd);
	/* frees the handle, also when the connection is gone */
	if (sftp_close(wf) != SSH_NO_ERROR && rc == HMX_OK)
		rc = xfer_remote_fail(x, "close", part, err);
	if (rc != HMX_OK)
		return rc;
	/* the whole file is there before it gets its name */
	if (!(a = sftp_stat(sftp, part)))
		return xfer_remote_fail(x, "stat", part, err);
	if (a->size != j->size)
		rc = hmx_err_set(err, HMX_EIO, "remote %s has %llu bytes, sent %llu",
				 xfer_esc(e1, sizeof e1, part), (unsigned long long)a->size,
				 (unsigned long long)j->size);
	sftp_attributes_free(a);
	if (rc != HMX_OK)
		return rc;
	/* the SHA-256 is saved with the full offset, before the rename */
	if ((rc = hash_take(&ps->h, j, true, err)) != HMX_OK ||
	    (rc = xfer_job_save(x->s, j, j->state, NULL, err)) != HMX_OK)
		return rc;
	if (x->o->overwrite && sftp_unlink(sftp, j->remote) != 0 &&
	    sftp_get_error(sftp) != SSH_FX_NO_SUCH_FILE)
		return xfer_remote_fail(x, "remove", j->remote, err);
	if (sftp_rename(sftp, part, j->remote) != 0)
		return xfer_remote_fail(x, "rename", part, err);
	if (!(a = sftp_stat(sftp, j->remote)))
		return xfer_remote_fail(x, "stat", j->remote, err);
	if (a->size != j->size)
		rc = hmx_err_set(err, HMX_EIO, "remote %s has %llu bytes, sent %llu",
				 xfer_esc(e1, sizeof e1, j->remote), (unsigned long long)a->size,
				 (unsigned long long)j->size);
	j->remote_mtime = (int64_t)a->mtime;
	sftp_attributes_free(a);
	if (rc != HMX_OK)
		return rc;
	j->state = TRANSFER_DONE;
	j->error[0] = '\0';
	return xfer_job_save(x->s, j, TRANSFER_RUNNING, NULL, err);
}

/* A run stopped between the remote rename and the final save leaves the
 * job unfinished (running, or failed when the connection went right after
 * the rename) with its offset at the size and the SHA-256 saved, and the
 * final remote file in place: when that file is this upload (a regular
 * file of the local file's size, and the local file's SHA-256, hex, is the
 * job's), the job is marked done (HMX_OK, remote untouched); else
 * HMX_EEXIST (the caller refuses, the job is left as it was). */
static enum hmx_rc push_recover(struct store *s, struct transfer_job *j, sftp_attributes ra,
				const struct stat *lst, const char *hex, struct hmx_err *err)
{
	enum transfer_state from = j->state;

	if (!j->sha256[0] || !hex[0] || strcmp(hex, j->sha256) != 0 || j->done != j->size ||
	    (uint64_t)lst->st_size != j->size || ra->type != SSH_FILEXFER_TYPE_REGULAR ||
	    ra->size != (uint64_t)lst->st_size)
		return HMX_EEXIST;
	j->state = TRANSFER_DONE;
	j->error[0] = '\0';
	return xfer_job_save(s, j, from, NULL, err);
}

enum hmx_rc xfer_push_job(struct store *s, struct sftpc *c, const struct transfer_job *key,
			  const struct transfer_opts *o, struct transfer_job *job,
			  struct hmx_err *err)
{
	sftp_session sftp = sftpc_session(c);
	struct transfer_job j = *key, old;
	struct push_state ps = { .wsize = PUSH_WRITE };
	char e1[300], hex[65];
	sftp_attributes a;
	struct stat lst;
	struct xfer x;
	bool found = key->id != 0;
	enum transfer_state from = TRANSFER_QUEUED;
	enum hmx_rc rc;

	if (stat(j.local, &lst) != 0)
		return hmx_err_set(err, errno == ENOENT ? HMX_ENOTFOUND : HMX_EIO, "%s: %s", j.local,
				   strerror(errno));
	if (!S_ISREG(lst.st_mode))
		return hmx_err_set(err, HMX_EINVAL, "%s is not a regular file", j.local);
	if (!found && (rc = xfer_job_find(s, &j, &old, &found, err)) != HMX_OK)
		return rc;
	/* resuming: is the local file the one the job started on? */
	hex[0] = '\0';
	if (found && (rc = hmx_sha256_file(j.local, hex, err)) != HMX_OK)
		return rc;
	if (found && !key->id)
		j = old;
	xfer_init(&x, s, c, o, &j);
	if (found && (rc = xfer_lock(&x, err)) != HMX_OK)
		return rc;
	if (found && j.state == TRANSFER_DONE) {
		xfer_unlock(&x);
		return hmx_err_set(err, HMX_ESTATE, "transfer job %lld is already done",
				   (long long)j.id);
	}
	if (!o->overwrite && (a = sftp_stat(sftp, j.remote))) {
		/* interrupted between the rename and the last save? */
		rc = found ? push_recover(s, &j, a, &lst, hex, err) : HMX_EEXIST;
		sftp_attributes_free(a);
		xfer_unlock(&x);
		if (rc != HMX_EEXIST) {
			if (rc == HMX_OK && job)
				*job = j;
			return rc;
		}
		return hmx_err_set(err, HMX_EEXIST, "remote %s exists (--overwrite to replace it)",
				   xfer_esc(e1, sizeof e1, j.remote));
	}
	if (!sftpc_connected(c)) {
		xfer_unlock(&x);
		return hmx_err_set(err, HMX_EIO, "connection lost: %s", ssh_get_error(sftp->session));
	}
	if (found) {
		from = j.state;
		if (strcmp(hex, j.sha256) != 0 || j.size != (uint64_t)lst.st_size) {
			if (j.done)
				XFER_LOG(&x, HMX_LOG_INFO, "%s changed since job %lld: starting again",
					j.local, (long long)j.id);
			j.done = 0;
		}
		j.error[0] = '\0';
		j.state = TRANSFER_RUNNING;
	} else {
		j.size = (uint64_t)lst.st_size;
		if ((rc = xfer_job_insert(s, &j, err)) != HMX_OK)
			return rc;
		if ((rc = xfer_lock(&x, err)) != HMX_OK)
			return rc;
		j.state = TRANSFER_RUNNING;
	}
	memcpy(j.sha256, hex, sizeof j.sha256);
	j.size = (uint64_t)lst.st_size;
	if ((rc = xfer_job_save(s, &j, from, found ? "transfer.resume" : NULL, err)) != HMX_OK) {
		xfer_unlock(&x);
		return rc;
	}
	if (!j.sha256[0])
		hash_start(&ps.h, j.local);
	rc = xfer_run(&x, push_attempt, &ps, err);
	if (ps.h.started && !ps.h.joined)
		pthread_join(ps.h.t, NULL);
	xfer_unlock(&x);
	if (job)
		*job = j;
	return rc;
}

enum hmx_rc transfer_push(struct store *s, struct sftpc *c, const struct site *site,
			  const char *local, const char *dir, const struct transfer_opts *o,
			  struct transfer_job *job, struct hmx_err *err)
{
	struct transfer_job j = { 0 };
	const char *base = strrchr(local, '/');

	base = base ? base + 1 : local;
	if (!dir || !dir[0])
		dir = site->remote_dir;
	if (!*base)
		return hmx_err_set(err, HMX_EINVAL, "%s: not a file name", local);
	hmx_strlcpy(j.site, site->name, sizeof j.site);
	j.dir = TRANSFER_PUSH;
	hmx_strlcpy(j.local, local, sizeof j.local);
	xfer_remote_join(j.remote, sizeof j.remote, dir, base);
	return xfer_push_job(s, c, &j, o, job, err);
}
