/* core/hmx.h — what every core module shares: status codes, the error
 * buffer that carries a human-readable reason, and the hooks through which
 * core reports (log lines, progress, confirmations) without ever printing. */
#ifndef HMX_CORE_HMX_H
#define HMX_CORE_HMX_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HMX_VERSION "0.1.0"

/* Status of a core call. Zero is success; every other value names a class
 * of failure. The detail is in the struct hmx_err the caller passed. */
enum hmx_rc {
	HMX_OK = 0,
	HMX_EINVAL,    /* bad argument or input (user can fix the input) */
	HMX_ENOTFOUND, /* named object does not exist */
	HMX_EEXIST,    /* object already exists */
	HMX_ESTATE,    /* refused by a rule (gate, state machine) */
	HMX_EDB,       /* database error: locked, corrupt, unwritable */
	HMX_ENEWER,    /* database written by a newer hmx */
	HMX_EIO,       /* file-system or system-call error */
	HMX_ENOMEM,    /* out of memory */
};

/* Error detail: one line, fit for showing to the user as is. */
struct hmx_err {
	enum hmx_rc rc;
	char msg[512];
};

/* Sets err (may be NULL) to rc and a printf-formatted message; returns rc. */
enum hmx_rc hmx_err_set(struct hmx_err *err, enum hmx_rc rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Clears err to HMX_OK and an empty message. */
void hmx_err_clear(struct hmx_err *err);
/* Name of a status code ("invalid input", ...), static storage. */
const char *hmx_rc_name(enum hmx_rc rc);

enum hmx_log_level { HMX_LOG_DEBUG, HMX_LOG_INFO, HMX_LOG_WARN, HMX_LOG_ERROR };

/* Hooks installed by the caller (CLI, TUI, tests). Any member may be NULL:
 * log lines are then dropped, progress ignored, confirmations answer No. */
struct hmx_hooks {
	void (*log)(void *ctx, enum hmx_log_level level, const char *msg);
	void (*progress)(void *ctx, const char *what, uint64_t done, uint64_t total);
	bool (*confirm)(void *ctx, const char *question);
	void *ctx;
};

/* Installs hooks (copied); NULL restores the silent defaults. */
void hmx_hooks_install(const struct hmx_hooks *hooks);
void hmx_log(enum hmx_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hmx_progress(const char *what, uint64_t done, uint64_t total);
/* Asks the installed confirm hook; without one the answer is No. */
bool hmx_confirm(const char *question);

/* Current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes).
 * HMX_NOW (same format) overrides the clock, for tests and demos. */
void hmx_now_utc(char buf[static 21]);

/* Name of the person acting: HMX_USER, else the login name, else "unknown".
 * Static storage, valid until the next call. */
const char *hmx_actor(void);

/* Index of s in the table names[0..n), -1 when s is NULL or not there.
 * For the enum <-> name tables of the modules. */
int hmx_name_index(const char *const *names, int n, const char *s);

/* Copies src into dst of size n, always NUL-terminating, truncating on a
 * UTF-8 character boundary. Returns dst. */
char *hmx_strlcpy(char *dst, const char *src, size_t n);

/* Writes a byte count for people into buf: "512 B", "12.3 KiB", "4.0 MiB",
 * "2.1 GiB" (binary units, one decimal). Returns buf. */
char *hmx_human_size(char *buf, size_t n, uint64_t size);

/* Makes room for one more element in a malloc'd array of *cap elements of
 * size elem holding count. Returns the (possibly moved) array, or NULL when
 * out of memory, in which case *arr is left as it was and still owned by
 * the caller. Use: if (!(p = hmx_grow(arr, &cap, n, sizeof *arr))) fail. */
void *hmx_grow(void *arr, size_t *cap, size_t count, size_t elem);

/* ---- SHA-256 (OpenSSL EVP) -------------------------------------------------- */

/* Writes the n bytes at bytes as 2n lower-case hex digits and a NUL into
 * out (at least 2n + 1 bytes). */
void hmx_hex(const unsigned char *bytes, size_t n, char *out);

/* OpenSSL's EVP_MD_CTX; the caller creates and frees it (EVP_sha256). */
struct evp_md_ctx_st;

/* Adds the first n bytes of fd (read with pread from offset 0) to md; all
 * of it, to its end, when n is UINT64_MAX. A file shorter than n is an
 * error. path names fd in messages. HMX_EIO, HMX_ENOMEM. */
enum hmx_rc hmx_sha256_fd(struct evp_md_ctx_st *md, int fd, uint64_t n, const char *path,
			  struct hmx_err *err);
/* Finishes md as 64 hex digits and a NUL into hex. HMX_EIO. */
enum hmx_rc hmx_sha256_hex(struct evp_md_ctx_st *md, char hex[65], struct hmx_err *err);
/* SHA-256 of the whole file at path as 64 hex digits into hex. HMX_EIO
 * (also when path does not exist), HMX_ENOMEM. */
enum hmx_rc hmx_sha256_file(const char *path, char hex[65], struct hmx_err *err);

#endif
