/* core/transfer.h — recorded, verified, resumable file transfers with a
 * site (core/sftp.h). Every transfer is a row of the transfer table, made
 * before any byte moves; each state change is audited ("transfer.new",
 * "transfer.state").
 *
 * Pull: into NAME.hmx-partial next to the target, resumed from the persisted
 * offset when the job for the same site, remote and local path exists and
 * the remote size and mtime are unchanged (else restarted from 0); reads
 * pipelined (TRANSFER_INFLIGHT requests of TRANSFER_CHUNK bytes in flight);
 * then fsync, SHA-256 of the whole file, atomic rename. A final file is
 * never replaced unless the caller says overwrite.
 *
 * Push: to NAME.part on the server, then renamed to NAME (an existing NAME
 * removed first only with overwrite); the remote size is checked against
 * the local size and the job records the local SHA-256 (of a new upload
 * computed by a thread beside it, saved from the first checkpoint after it
 * is known). Resumed from the persisted offset when the local file has the
 * same SHA-256 and the remote .part is at least that long (else restarted);
 * written in requests of up to 255 KiB (OpenSSH's limit is 256 KiB).
 *
 * One run at a time per job: a runner holds an open-file-description lock
 * (fcntl F_OFD_SETLK, whole file) on DB.transfer-ID.lock beside the
 * database (released by the kernel when the process dies, so a crashed
 * runner's lock is simply taken over); a second runner, in this process or
 * another, gets HMX_ESTATE. A job whose row says running while no one
 * holds its lock (hmx was killed mid-transfer) is reported by
 * transfer_list and transfer_get as TRANSFER_INTERRUPTED, a display state
 * never stored (the row stays running: what is true of it depends on a
 * live lock, which a dead process cannot record); the probe (F_OFD_GETLK)
 * takes nothing, so it never makes a runner fail. transfer_retry or the
 * same pull or push resumes such a job. The offset is made durable (fdatasync of the partial, then
 * saved) at checkpoints, every 64 MiB or 2 s (a pull asks the kernel to
 * start writing every 8 MiB, so a checkpoint's sync is short); every second
 * the runner also reads its row's state, and when another process cancelled
 * it (transfer_cancel) it checkpoints and stops, keeping the partial.
 *
 * Connection loss: the run reconnects (sftpc_reconnect) and resumes from
 * the offset, up to o->retries times, waiting 1 s, 2 s, 4 s ... (at most
 * 60 s; HMX_RETRY_BASE_MS sets the first wait); then the job is failed with
 * the reason. HMX_TRANSFER_KBPS limits the speed (KiB/s; tests).
 *
 * Worker threads: struct store and struct sftpc are not shared between
 * threads. A worker opens its own store (store_open on the same path) and
 * connection, runs transfer_pull/push/retry with o->progress and o->cancel,
 * and the UI thread reads the job table (transfer_list/transfer_get) or
 * takes the progress callbacks; to cancel, set *o->cancel (same process)
 * or call transfer_cancel (any process). With o->progress set the run
 * does not call hmx_log() (the TUI's log hook is not for other threads):
 * a wait before a retry is reported through o->progress with j->error
 * saying why ("...; retry 1 of 3 in 1.0 s") and j->state still running.
 * The global hmx_progress() hook is still called, for the CLI; a screen
 * should not install one. */
#ifndef HMX_CORE_TRANSFER_H
#define HMX_CORE_TRANSFER_H

#include "sftp.h"
#include "site.h"
#include "store.h"

#define TRANSFER_CHUNK (64u * 1024u)
/* Pull reads: requests of this size (a server that answers less gets
 * requests of its size), this many in flight (4 MiB: enough for a WAN link
 * of ~200 MB/s at 20 ms). Measured on loopback against OpenSSH's sftp-server:
 * larger requests or more in flight are no faster. */
#define TRANSFER_READ (128u * 1024u)
#define TRANSFER_READ_INFLIGHT 32
#define TRANSFER_INFLIGHT 16
/* Longest local name made from a remote one, in bytes. */
#define TRANSFER_NAME_MAX 200

enum transfer_dir { TRANSFER_PULL, TRANSFER_PUSH };
/* TRANSFER_INTERRUPTED: shown, never stored (see above). */
enum transfer_state { TRANSFER_QUEUED, TRANSFER_RUNNING, TRANSFER_FAILED, TRANSFER_DONE,
		      TRANSFER_CANCELLED, TRANSFER_INTERRUPTED };

struct transfer_job {
	int64_t id;
	char site[32];
	enum transfer_dir dir;
	char remote[1024];
	char local[1024];
	uint64_t size;
	uint64_t done;        /* bytes safely written at the destination */
	int64_t remote_mtime; /* pull: the remote file's mtime when started */
	char sha256[65];      /* hex, "" until done */
	enum transfer_state state;
	char error[256];
	char who[64];
	char created_at[24];
	char updated_at[24];
};

#define TRANSFER_RETRIES_DEFAULT 3

struct transfer_opts {
	bool overwrite; /* replace an existing final file */
	int retries;    /* reconnect-and-resume attempts after a lost connection; 0: none */
	/* Called in the transferring thread when a run starts, at least every
	 * 1 MiB or 250 ms (while bytes move), and at the end (any outcome),
	 * with j->done, j->size and j->state current. NULL: none. Must not
	 * block for long. */
	void (*progress)(void *ctx, const struct transfer_job *j);
	void *progress_ctx;
	/* NULL, or a flag another thread may set: the run then stops within a
	 * chunk, makes its offset durable, keeps the partial, and the job
	 * becomes cancelled (the call returns HMX_ESTATE, "... cancelled ..."). */
	const _Atomic bool *cancel;
};

/* "queued", "running", "failed", "done", "cancelled", "interrupted". */
const char *transfer_state_name(enum transfer_state st);
/* "pull", "push". */
const char *transfer_dir_name(enum transfer_dir d);

/* Makes a safe local file name from the last component of a remote path
 * into out (at least TRANSFER_NAME_MAX + 1 bytes): control characters, '/'
 * and '\' become '_', a leading '-' or '.' becomes '_', the second dot of
 * ".." becomes '_', the length is cut to TRANSFER_NAME_MAX on a UTF-8
 * boundary, and an empty result is "unnamed". Returns true when the name
 * had to change. */
bool transfer_sanitize_name(const char *remote, char *out, size_t n);

/* Downloads remote (relative to the site's remote directory unless it
 * starts with '/') into the directory dir (NULL or "": ".") over the open
 * connection c. *job (may be NULL) gets the final row. local_name (may be
 * NULL, TRANSFER_NAME_MAX + 1 bytes) gets the local name. Errors: HMX_EEXIST
 * (final file exists, no overwrite; no job made), HMX_ENOTFOUND / HMX_EINVAL
 * (remote missing or not a regular file; no job made), HMX_EIO (network or
 * disk; the job is failed and resumable), HMX_ESTATE (cancelled; the job is
 * being run by another process), HMX_EDB. An unfinished job for the same
 * site, remote and local path is resumed rather than a new one made. */
enum hmx_rc transfer_pull(struct store *s, struct sftpc *c, const struct site *site,
			  const char *remote, const char *dir, const struct transfer_opts *o,
			  struct transfer_job *job, char *local_name, struct hmx_err *err);

/* Uploads the local file into the remote directory dir (NULL or "": the
 * site's remote directory, else the login directory). Errors: HMX_EEXIST
 * (remote name exists, no overwrite; no job made), HMX_ENOTFOUND /
 * HMX_EINVAL (local missing or not a regular file), HMX_EIO (the job is
 * failed), HMX_EDB. */
enum hmx_rc transfer_push(struct store *s, struct sftpc *c, const struct site *site,
			  const char *local, const char *dir, const struct transfer_opts *o,
			  struct transfer_job *job, struct hmx_err *err);

/* Runs job id again (failed, cancelled, or interrupted: left running by a
 * process that died), pull or push, resuming from its offset, over c, a connection to
 * site (which must be the job's site: HMX_EINVAL otherwise). Errors as
 * transfer_pull/transfer_push, and HMX_ENOTFOUND (no such job), HMX_ESTATE
 * (already done; being run by another process; cancelled during the run). */
enum hmx_rc transfer_retry(struct store *s, struct sftpc *c, const struct site *site, int64_t id,
			   const struct transfer_opts *o, struct transfer_job *job,
			   struct hmx_err *err);

/* Marks a queued, running or failed job cancelled (audited
 * "transfer.cancel"); a runner in another process stops at its next
 * checkpoint (within about a second) and keeps its partial, so
 * transfer_retry resumes it. HMX_ENOTFOUND, HMX_ESTATE (done or already
 * cancelled), HMX_EDB. */
enum hmx_rc transfer_cancel(struct store *s, int64_t id, struct hmx_err *err);

/* One job by id (running with no runner: TRANSFER_INTERRUPTED).
 * HMX_ENOTFOUND, HMX_EDB. */
enum hmx_rc transfer_get(struct store *s, int64_t id, struct transfer_job *out,
			 struct hmx_err *err);

/* All jobs, oldest first (running with no runner: TRANSFER_INTERRUPTED).
 * *out malloc'd (free(); NULL when none). */
enum hmx_rc transfer_list(struct store *s, struct transfer_job **out, size_t *n,
			  struct hmx_err *err);


#endif
