/* core/transfer_int.h — what core/transfer.c (the job table, the lock,
 * checkpoints, the retry loop) shares with transfer_pull.c and
 * transfer_push.c. Not for callers outside core/transfer*.c. */
#ifndef HMX_CORE_TRANSFER_INT_H
#define HMX_CORE_TRANSFER_INT_H

#include "transfer.h"

#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <openssl/evp.h>

/* One run of one job: the attempts, their checkpoints and the job's lock. */
struct xfer {
	struct store *s;
	struct sftpc *c;
	const struct transfer_opts *o;
	struct transfer_job *j;
	int lockfd;          /* -1: not locked (or no lock file: in-memory store) */
	char lockpath[1100];
	uint64_t last_cp;    /* j->done at the last checkpoint */
	double last_cp_ms;
	double last_poll_ms; /* when the row's state was last read */
	uint64_t last_prog;  /* j->done at the last progress call */
	double last_prog_ms;
	uint64_t start_done; /* j->done when the attempt started (throttle) */
	double start_ms;
	unsigned kbps;       /* HMX_TRANSFER_KBPS: bandwidth limit, 0 none */
	bool lost;           /* the attempt failed because the connection went */
	bool cancelled;      /* the job is cancelled (here or by another process) */
};

/* One attempt: moves the job's bytes from its offset and finishes it
 * (state done, saved) or fails with err set (the caller marks the job). */
typedef enum hmx_rc (*xfer_attempt_fn)(struct xfer *x, void *arg, struct hmx_err *err);

/* hmx_log() only for callers without a progress hook (the CLI): a worker
 * thread of the TUI must not reach its log hook; it sees j->error instead. */
#define XFER_LOG(x, ...)                          \
	do {                                      \
		if (!(x)->o->progress)            \
			hmx_log(__VA_ARGS__);     \
	} while (0)

const char *xfer_esc(char *buf, size_t n, const char *s);
void xfer_remote_join(char *buf, size_t n, const char *dir, const char *name);
/* err from the SFTP error of the last request; sets x->lost when the
 * connection went. */
enum hmx_rc xfer_sftp_fail(sftp_session sftp, const char *what, const char *path,
			   struct hmx_err *err);
enum hmx_rc xfer_remote_fail(struct xfer *x, const char *what, const char *path,
			     struct hmx_err *err);
/* err for a failed local write (names a full disk). */
enum hmx_rc xfer_write_fail(const char *path, int e, struct hmx_err *err);

enum hmx_rc xfer_job_insert(struct store *s, struct transfer_job *j, struct hmx_err *err);
enum hmx_rc xfer_job_save(struct store *s, struct transfer_job *j, enum transfer_state from,
			  const char *action, struct hmx_err *err);
enum hmx_rc xfer_job_find(struct store *s, const struct transfer_job *key,
			  struct transfer_job *out, bool *found, struct hmx_err *err);

void xfer_init(struct xfer *x, struct store *s, struct sftpc *c, const struct transfer_opts *o,
	       struct transfer_job *j);
/* Takes the job's lock (HMX_ESTATE when another process holds it), then
 * re-reads the row into *x->j. */
enum hmx_rc xfer_lock(struct xfer *x, struct hmx_err *err);
void xfer_unlock(struct xfer *x);
/* Marks the start of an attempt (throttle, checkpoints). */
void xfer_start(struct xfer *x);
/* After each chunk: progress, bandwidth limit, cancel and checkpoint (fd
 * >= 0: fdatasync'd before the offset is saved). HMX_ESTATE when cancelled
 * (the offset saved, x->cancelled set). */
enum hmx_rc xfer_tick(struct xfer *x, int fd, struct hmx_err *err);
/* Calls the caller's progress hook with the job as it is. */
void xfer_notify(struct xfer *x);
/* Runs attempts with reconnection and back-off while the connection is
 * lost, up to o->retries more; marks the job failed with the reason when
 * it gives up. */
enum hmx_rc xfer_run(struct xfer *x, xfer_attempt_fn fn, void *arg, struct hmx_err *err);

/* core/transfer_pull.c: runs the pull job *key (site, remote and local
 * path set; id 0: the unfinished job for them, else a new one). */
enum hmx_rc xfer_pull_job(struct store *s, struct sftpc *c, const struct transfer_job *key,
			  const struct transfer_opts *o, struct transfer_job *job,
			  struct hmx_err *err);
/* core/transfer_push.c: runs the push job *key (id 0: as for pulls). */
enum hmx_rc xfer_push_job(struct store *s, struct sftpc *c, const struct transfer_job *key,
			  const struct transfer_opts *o, struct transfer_job *job,
			  struct hmx_err *err);

#endif
