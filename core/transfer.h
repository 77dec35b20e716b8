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
 * the local size and the job records the local SHA-256. */
#ifndef HMX_CORE_TRANSFER_H
#define HMX_CORE_TRANSFER_H

#include "sftp.h"
#include "site.h"
#include "store.h"

#define TRANSFER_CHUNK (64u * 1024u)
#define TRANSFER_INFLIGHT 16
/* Longest local name made from a remote one, in bytes. */
#define TRANSFER_NAME_MAX 200

enum transfer_dir { TRANSFER_PULL, TRANSFER_PUSH };
enum transfer_state { TRANSFER_QUEUED, TRANSFER_RUNNING, TRANSFER_FAILED, TRANSFER_DONE,
		      TRANSFER_CANCELLED };

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

struct transfer_opts {
	bool overwrite; /* replace an existing final file */
};

/* "queued", "running", "failed", "done", "cancelled". */
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
 * disk; the job is failed and resumable), HMX_EDB. */
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

/* All jobs, oldest first. *out malloc'd (free(); NULL when none). */
enum hmx_rc transfer_list(struct store *s, struct transfer_job **out, size_t *n,
			  struct hmx_err *err);

/* SHA-256 of a whole local file as 64 hex digits into hex. HMX_EIO. */
enum hmx_rc transfer_sha256_file(const char *path, char hex[65], struct hmx_err *err);

#endif
