/* core/store.h — the one SQLite file that holds all of hmx's state.
 *
 * store_open() creates the file (0600, its directory 0700) or opens an
 * existing one, sets WAL, busy_timeout and foreign keys, and brings the
 * schema up to date by PRAGMA user_version, one transaction per migration.
 * A database written by a newer hmx is refused untouched (HMX_ENEWER).
 * Every change elsewhere in core runs between store_begin() and
 * store_commit() and writes its audit row (core/audit.h) inside the same
 * transaction. */
#ifndef HMX_CORE_STORE_H
#define HMX_CORE_STORE_H

#include <sqlite3.h>

#include "hmx.h"

struct store;

/* Latest schema version this binary knows. */
int store_schema_version(void);

/* Default path: $HMX_DB, else $XDG_DATA_HOME/hmx/hmx.db, else
 * ~/.local/share/hmx/hmx.db. Writes into buf; HMX_EINVAL if it cannot be
 * worked out (no HOME) or does not fit. */
enum hmx_rc store_default_path(char *buf, size_t size, struct hmx_err *err);

enum store_flags {
	STORE_CREATE = 1,   /* create the file (and its directory) if missing */
	STORE_READONLY = 2, /* open read-only; no migration is run */
};

/* Opens the database at path. On success *out owns the connection; close it
 * with store_close(). Warns through hmx_log() when the file is readable by
 * others. Errors: HMX_ENOTFOUND (missing and no STORE_CREATE), HMX_EIO
 * (directory not creatable), HMX_EDB (not a database, locked, corrupt),
 * HMX_ENEWER. */
enum hmx_rc store_open(const char *path, unsigned flags, struct store **out, struct hmx_err *err);
/* Closes and frees *s, sets *s to NULL. NULL-safe. */
void store_close(struct store **s);

/* The raw connection, for core modules only. Owned by the store. */
sqlite3 *store_db(struct store *s);
/* Path the store was opened with. Owned by the store. */
const char *store_path(const struct store *s);

/* BEGIN IMMEDIATE (waits up to the busy timeout). HMX_EDB when busy. */
enum hmx_rc store_begin(struct store *s, struct hmx_err *err);
enum hmx_rc store_commit(struct store *s, struct hmx_err *err);
/* Rolls back; never fails visibly (used on error paths). */
void store_rollback(struct store *s);

/* A batch: several changes made as one transaction (the demo workspace's
 * seed). store_batch_begin starts it (BEGIN IMMEDIATE); until
 * store_batch_commit or store_batch_rollback, each store_begin opens a
 * savepoint, store_commit releases it into the batch and store_rollback
 * undoes only that change (a second store_rollback after it does
 * nothing), so the usual error paths keep working. store_batch_commit
 * saves everything (a change left open inside is rolled back first);
 * store_batch_rollback undoes everything. Not nested: HMX_ESTATE when a
 * batch is already open (or, for commit, none is). */
enum hmx_rc store_batch_begin(struct store *s, struct hmx_err *err);
enum hmx_rc store_batch_commit(struct store *s, struct hmx_err *err);
void store_batch_rollback(struct store *s);

/* Sets err from the connection's last error, prefixed with what was being
 * done; returns HMX_EDB. */
enum hmx_rc store_fail(struct store *s, struct hmx_err *err, const char *doing);

/* Prepares sql; on failure sets err and returns NULL. */
sqlite3_stmt *store_prepare(struct store *s, const char *sql, struct hmx_err *err);
/* Runs sql (no rows expected); HMX_EDB on failure. */
enum hmx_rc store_exec(struct store *s, const char *sql, struct hmx_err *err);

/* PRAGMA data_version of this connection: changes when another connection
 * commits. Used by screens to refresh. */
int64_t store_data_version(struct store *s);

/* Steps st to its end, reading each row with read(st, elem_ptr) into a
 * malloc'd array of elements of size elem (zeroed before read). Always
 * finalizes st. On success *out (free() it; NULL when no rows) and *n are
 * set; on failure both are NULL/0 and err names doing. */
enum hmx_rc store_collect(struct store *s, sqlite3_stmt *st, size_t elem,
			  void (*read)(sqlite3_stmt *st, void *row), void **out, size_t *n,
			  const char *doing, struct hmx_err *err);

/* Steps st once: a row is read with read(st, out) into out (elem bytes,
 * zeroed first) and *found set; no row leaves out untouched and *found
 * false. Always finalizes st. HMX_EDB (err names doing) on a failed step. */
enum hmx_rc store_get_one(struct store *s, sqlite3_stmt *st, size_t elem,
			  void (*read)(sqlite3_stmt *st, void *row), void *out, bool *found,
			  const char *doing, struct hmx_err *err);

/* Copies column col of the current row of st into buf (size n); "" for NULL. */
void store_col_text(sqlite3_stmt *st, int col, char *buf, size_t n);

/* Runs sql (no result rows) with one text parameter ?1 = arg; on failure
 * err names doing. HMX_EDB. */
enum hmx_rc store_exec_text(struct store *s, const char *sql, const char *arg, const char *doing,
			    struct hmx_err *err);

/* The integer in the first column of the first row of sql with ?1 = arg:
 * 0 when there is no row, -1 on a database error (err set). */
int64_t store_lookup_id(struct store *s, const char *sql, const char *arg, struct hmx_err *err);

#endif
