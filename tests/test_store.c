/* tests/test_store.c — unit tests of core/store: creating the file and its
 * directories with private modes, the connection settings (WAL, foreign
 * keys, busy timeout), migrations by user_version and their audit row,
 * refusing a newer database without touching it, bad files (not a
 * database, damaged, missing, a directory, unwritable places), the
 * wide-permission warning, read-only mode, the default path from the
 * environment, a locked database, and the small helpers. */
#include "testutil.h"
#include "fxstore.h"

#include <errno.h>
#include <fcntl.h>

#include "core/audit.h"
#include "core/config.h"
#include "core/store.h"

/* ---- helpers ------------------------------------------------------------ */

static struct store *open_ok(const char *path, unsigned flags)
{
	struct store *s = NULL;
	struct hmx_err err;

	hmx_err_clear(&err);
	if (store_open(path, flags, &s, &err) != HMX_OK)
		fail_msg("store_open(%s): %s", path, err.msg);
	assert_non_null(s);
	return s;
}

/* First column of the first row of sql as text, into buf. */
static const char *query_text(sqlite3 *db, const char *sql, char *buf, size_t n)
{
	sqlite3_stmt *st = NULL;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	hmx_strlcpy(buf, sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "",
		    n);
	sqlite3_finalize(st);
	return buf;
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static unsigned file_mode(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return (unsigned)(sb.st_mode & 07777);
}

static void assert_same_bytes(const unsigned char *a, size_t alen, const unsigned char *b,
			      size_t blen)
{
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
}

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
			 SQLITE_OK);
	return db;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fail_msg("%s: %s", sql, msg ? msg : "?");
	}
}

/* Drops the tables later migrations made (their indexes go with them), so
 * a database can be wound back to schema 1 whatever migrations follow. */
static void drop_after_schema_1(sqlite3 *db)
{
	static const char *const keep = "'config','audit','agency','project','cycle','step',"
					"'step_change'";
	char sql[512], drops[4096] = "";
	sqlite3_stmt *st = NULL;

	snprintf(sql, sizeof sql, "SELECT name FROM sqlite_schema WHERE type = 'table' AND "
		 "name NOT LIKE 'sqlite_%%' AND name NOT IN (%s)", keep);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		snprintf(drops + strlen(drops), sizeof drops - strlen(drops), "DROP TABLE \"%s\";",
			 (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	raw_exec(db, drops);
	/* columns added to schema-1 tables by later migrations */
	raw_exec(db, "ALTER TABLE step DROP COLUMN requires");
}

static size_t count_audit(struct store *s, const char *action)
{
	struct audit_row *rows;
	struct hmx_err err;
	size_t n, k = 0;

	assert_int_equal(audit_list(s, NULL, 0, &rows, &n, &err), HMX_OK);
	for (size_t i = 0; i < n; i++)
		k += strcmp(rows[i].action, action) == 0;
	free(rows);
	return k;
}

struct logcap {
	int n;
	enum hmx_log_level level[8];
	char msg[8][1024];
};

static void cap_log(void *ctx, enum hmx_log_level level, const char *msg)
{
	struct logcap *c = ctx;

	if (c->n < 8) {
		c->level[c->n] = level;
		hmx_strlcpy(c->msg[c->n], msg, sizeof c->msg[0]);
	}
	c->n++;
}

static void install_capture(struct logcap *c)
{
	struct hmx_hooks h = { .log = cap_log, .ctx = c };

	memset(c, 0, sizeof *c);
	hmx_hooks_install(&h);
}

/* ---- creation ----------------------------------------------------------- */

static void test_create_modes_nested_dirs(void **state)
{
	struct fx *f = *state;
	char path[400], d[512];
	mode_t old = umask(022);

	snprintf(path, sizeof path, "%s/a/b/c/hmx.db", f->dir);
	f->s = open_ok(path, STORE_CREATE);
	umask(old);
	assert_int_equal(file_mode(path), 0600);
	assert_int_equal(file_mode(tu_path(d, sizeof d, f->dir, "a")), 0700);
	assert_int_equal(file_mode(tu_path(d, sizeof d, f->dir, "a/b")), 0700);
	assert_int_equal(file_mode(tu_path(d, sizeof d, f->dir, "a/b/c")), 0700);
	/* the WAL side files exist while the store is open and are private too */
	snprintf(d, sizeof d, "%s-wal", path);
	assert_int_equal(file_mode(d), 0600);
	snprintf(d, sizeof d, "%s-shm", path);
	assert_int_equal(file_mode(d), 0600);
	assert_string_equal(store_path(f->s), path);
}

static void test_create_mode_with_permissive_umask(void **state)
{
	struct fx *f = *state;
	char path[512], d[512];
	mode_t old = umask(0);

	snprintf(path, sizeof path, "%s/open/hmx.db", f->dir);
	f->s = open_ok(path, STORE_CREATE);
	umask(old);
	assert_int_equal(file_mode(path), 0600);
	assert_int_equal(file_mode(tu_path(d, sizeof d, f->dir, "open")), 0700);
}

static void test_connection_settings(void **state)
{
	struct fx *f = *state;
	char buf[64];

	f->s = open_ok(f->db, STORE_CREATE);
	assert_string_equal(query_text(store_db(f->s), "PRAGMA journal_mode", buf, sizeof buf), "wal");
	assert_int_equal(query_int(store_db(f->s), "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(store_db(f->s), "PRAGMA busy_timeout"), 5000);
	assert_true(store_schema_version() >= 1);
	assert_int_equal(query_int(store_db(f->s), "PRAGMA user_version"), store_schema_version());
	assert_string_equal(query_text(store_db(f->s), "PRAGMA integrity_check", buf, sizeof buf), "ok");
}

static void test_foreign_keys_enforced(void **state)
{
	struct fx *f = *state;

	f->s = open_ok(f->db, STORE_CREATE);
	/* agency 42 does not exist: the project row must be refused */
	assert_int_not_equal(sqlite3_exec(store_db(f->s),
					  "INSERT INTO project(code, name, agency_id, source) "
					  "VALUES ('p', 'P', 42, 'hmis')",
					  NULL, NULL, NULL),
			     SQLITE_OK);
	assert_int_equal(sqlite3_extended_errcode(store_db(f->s)), SQLITE_CONSTRAINT_FOREIGNKEY);
	assert_int_equal(query_int(store_db(f->s), "SELECT count(*) FROM project"), 0);
}

static void test_migration_audited_once(void **state)
{
	struct fx *f = *state;
	struct audit_row *rows;
	struct hmx_err err;
	size_t n;
	char want[32];

	f->s = open_ok(f->db, STORE_CREATE);
	assert_int_equal(audit_list(f->s, NULL, 0, &rows, &n, &err), HMX_OK);
	/* one row per migration step, each naming where it came from */
	assert_int_equal(n, (size_t)store_schema_version());
	assert_string_equal(rows[0].before, "empty");
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(rows[i].action, "store.migrate");
		assert_string_equal(rows[i].object, "database");
		assert_string_equal(rows[i].who, "tester");
		assert_string_equal(rows[i].at, "2026-04-01T12:00:00Z");
		if (i) {
			snprintf(want, sizeof want, "schema %zu", i);
			assert_string_equal(rows[i].before, want);
		}
		snprintf(want, sizeof want, "schema %zu", i + 1);
		assert_string_equal(rows[i].after, want);
	}
	free(rows);

	/* reopening (twice, read-write and read-only) runs no migration */
	store_close(&f->s);
	assert_null(f->s);
	f->s = open_ok(f->db, 0);
	store_close(&f->s);
	f->s = open_ok(f->db, STORE_CREATE);
	store_close(&f->s);
	f->s = open_ok(f->db, STORE_READONLY);
	assert_int_equal(count_audit(f->s, "store.migrate"), (size_t)store_schema_version());
	assert_int_equal(query_int(store_db(f->s), "PRAGMA user_version"), store_schema_version());
}

/* A database made by the first release (schema 1) is brought up to date in
 * place: the audit trigger of migration 2 appears, with one audit row. */
static void test_upgrade_from_schema_1(void **state)
{
	struct fx *f = *state;
	struct audit_row *rows;
	struct hmx_err err;
	size_t n, first = (size_t)store_schema_version();
	sqlite3 *raw;

	f->s = open_ok(f->db, STORE_CREATE);
	store_close(&f->s);
	raw = raw_open(f->db);
	raw_exec(raw, "DROP TRIGGER audit_no_replace; PRAGMA user_version = 1");
	drop_after_schema_1(raw);
	raw_exec(raw, "INSERT INTO config VALUES ('due_soon_days', '9')");
	sqlite3_close(raw);

	setenv("HMX_NOW", "2026-04-02T08:00:00Z", 1);
	f->s = open_ok(f->db, 0);
	assert_int_equal(query_int(store_db(f->s), "PRAGMA user_version"), store_schema_version());
	assert_int_equal(query_int(store_db(f->s), "SELECT count(*) FROM sqlite_schema "
						   "WHERE type = 'trigger' AND name = 'audit_no_replace'"),
			 1);
	assert_int_equal(audit_list(f->s, "database", 0, &rows, &n, &err), HMX_OK);
	/* the first open wrote N rows; the upgrade one per step from 1 */
	assert_int_equal(n, first + first - 1);
	assert_string_equal(rows[first].at, "2026-04-02T08:00:00Z");
	assert_string_equal(rows[first].before, "schema 1");
	assert_string_equal(rows[first].after, "schema 2");
	free(rows);
	/* existing data is kept */
	assert_int_equal(query_int(store_db(f->s), "SELECT value FROM config"), 9);
}

static void test_data_survives_reopen(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	char buf[64];

	f->s = open_ok(f->db, STORE_CREATE);
	assert_int_equal(config_set(f->s, "due_soon_days", "12", &err), HMX_OK);
	store_close(&f->s);
	f->s = open_ok(f->db, 0);
	assert_int_equal(config_get(f->s, "due_soon_days", buf, sizeof buf, &err), HMX_OK);
	assert_string_equal(buf, "12");
}

static void test_empty_sqlite_file_is_migrated(void **state)
{
	struct fx *f = *state;

	/* a zero-byte file is an empty SQLite database: version 0 */
	tu_write(f->dir, "hmx.db", "", 0);
	chmod(f->db, 0600);
	f->s = open_ok(f->db, 0);
	assert_int_equal(query_int(store_db(f->s), "PRAGMA user_version"), store_schema_version());
	assert_int_equal(count_audit(f->s, "store.migrate"), (size_t)store_schema_version());
}

/* ---- refusing bad databases ------------------------------------------- */

static void test_newer_database_refused_untouched(void **state)
{
	struct fx *f = *state;
	struct store *s = (struct store *)1;
	struct hmx_err err;
	unsigned char *before, *after;
	size_t blen, alen;
	char sql[64], want[64];
	sqlite3 *raw;

	f->s = open_ok(f->db, STORE_CREATE);
	store_close(&f->s);
	raw = raw_open(f->db);
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", store_schema_version() + 1);
	raw_exec(raw, sql);
	sqlite3_close(raw);
	before = tu_slurp(f->db, &blen);

	hmx_err_clear(&err);
	assert_int_equal(store_open(f->db, 0, &s, &err), HMX_ENEWER);
	assert_null(s);
	assert_int_equal(err.rc, HMX_ENEWER);
	assert_non_null(strstr(err.msg, "newer hmx"));
	assert_non_null(strstr(err.msg, f->db));
	snprintf(want, sizeof want, "schema %d, this hmx knows %d", store_schema_version() + 1,
		 store_schema_version());
	assert_non_null(strstr(err.msg, want));
	assert_non_null(strstr(err.msg, "not touched"));
	/* read-only and create do not change the answer */
	assert_int_equal(store_open(f->db, STORE_READONLY, &s, &err), HMX_ENEWER);
	assert_int_equal(store_open(f->db, STORE_CREATE, &s, &err), HMX_ENEWER);
	assert_null(s);

	after = tu_slurp(f->db, &alen);
	assert_same_bytes(before, blen, after, alen);
	free(before);
	free(after);
	raw = raw_open(f->db);
	assert_int_equal(query_int(raw, "PRAGMA user_version"), store_schema_version() + 1);
	assert_int_equal(query_int(raw, "SELECT count(*) FROM audit"), store_schema_version());
	sqlite3_close(raw);
}

/* A newer hmx may have left the file in rollback-journal mode: switching it
 * to WAL would rewrite the header, so the version check must come first. */
static void test_newer_rollback_database_untouched(void **state)
{
	struct fx *f = *state;
	struct store *s = NULL;
	struct hmx_err err;
	unsigned char *before, *after;
	size_t blen, alen;
	char buf[32];
	sqlite3 *raw;

	raw = raw_open(f->db);
	raw_exec(raw, "PRAGMA journal_mode = DELETE; CREATE TABLE future(x); "
		      "INSERT INTO future VALUES (1); PRAGMA user_version = 99");
	sqlite3_close(raw);
	chmod(f->db, 0600);
	before = tu_slurp(f->db, &blen);

	assert_int_equal(store_open(f->db, 0, &s, &err), HMX_ENEWER);
	assert_null(s);
	assert_non_null(strstr(err.msg, "schema 99"));

	after = tu_slurp(f->db, &alen);
	assert_same_bytes(before, blen, after, alen);
	free(before);
	free(after);
	raw = raw_open(f->db);
	assert_string_equal(query_text(raw, "PRAGMA journal_mode", buf, sizeof buf), "delete");
	sqlite3_close(raw);
}

static void test_not_a_database(void **state)
{
	struct fx *f = *state;
	struct store *s = (struct store *)1;
	struct hmx_err err;
	unsigned char junk[8192], *after;
	uint32_t x = 12345;
	size_t alen;

	for (size_t i = 0; i < sizeof junk; i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (unsigned char)(x >> 16);
	}
	tu_write(f->dir, "hmx.db", (const char *)junk, sizeof junk);
	chmod(f->db, 0600);

	hmx_err_clear(&err);
	assert_int_equal(store_open(f->db, 0, &s, &err), HMX_EDB);
	assert_null(s);
	assert_int_equal(err.rc, HMX_EDB);
	assert_non_null(strstr(err.msg, "not a database"));
	assert_non_null(strstr(err.msg, "restore a backup"));
	assert_int_equal(store_open(f->db, STORE_CREATE, &s, &err), HMX_EDB);
	assert_int_equal(store_open(f->db, STORE_READONLY, &s, &err), HMX_EDB);
	/* and it was left alone */
	after = tu_slurp(f->db, &alen);
	assert_same_bytes(junk, sizeof junk, after, alen);
	free(after);
}

static void test_damaged_schema_page(void **state)
{
	struct fx *f = *state;
	struct store *s = NULL;
	struct hmx_err err;
	unsigned char *buf;
	size_t len;
	FILE *fp;

	f->s = open_ok(f->db, STORE_CREATE);
	store_close(&f->s);
	/* keep the 100-byte header, wreck the rest of page 1 (sqlite_schema) */
	buf = tu_slurp(f->db, &len);
	assert_true(len >= 4096);
	memset(buf + 100, 0xA5, 4096 - 100);
	fp = fopen(f->db, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(buf, 1, len, fp), len);
	fclose(fp);
	free(buf);

	assert_int_equal(store_open(f->db, 0, &s, &err), HMX_EDB);
	assert_null(s);
	assert_non_null(strstr(err.msg, "restore a backup"));
}

static void test_missing_without_create(void **state)
{
	struct fx *f = *state;
	struct store *s = (struct store *)1;
	struct hmx_err err;
	struct stat sb;

	hmx_err_clear(&err);
	assert_int_equal(store_open(f->db, 0, &s, &err), HMX_ENOTFOUND);
	assert_null(s);
	assert_non_null(strstr(err.msg, f->db));
	assert_non_null(strstr(err.msg, "hmx init"));
	assert_int_equal(store_open(f->db, STORE_READONLY, &s, &err), HMX_ENOTFOUND);
	assert_int_equal(stat(f->db, &sb), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_directory_is_not_a_database(void **state)
{
	struct fx *f = *state;
	struct store *s = NULL;
	struct hmx_err err;

	assert_int_equal(store_open(f->dir, STORE_CREATE, &s, &err), HMX_EINVAL);
	assert_null(s);
	assert_non_null(strstr(err.msg, "not a regular file"));
}

static void test_unwritable_places(void **state)
{
	struct fx *f = *state;
	struct store *s = NULL;
	struct hmx_err err;
	char path[512], ro[400];
	struct stat sb;

	/* a regular file where a directory should be: ENOTDIR even for root */
	tu_write(f->dir, "plain", "x", 1);
	snprintf(path, sizeof path, "%s/plain/hmx.db", f->dir);
	hmx_err_clear(&err);
	assert_int_equal(store_open(path, STORE_CREATE, &s, &err), HMX_EIO);
	assert_null(s);
	assert_non_null(strstr(err.msg, path));
	snprintf(path, sizeof path, "%s/plain/sub/hmx.db", f->dir);
	assert_int_equal(store_open(path, STORE_CREATE, &s, &err), HMX_EIO);
	assert_non_null(strstr(err.msg, "cannot create directory"));
	assert_null(s);

	/* a read-only directory */
	assert_int_equal(mkdir(tu_path(ro, sizeof ro, f->dir, "ro"), 0700), 0);
	assert_int_equal(chmod(ro, 0500), 0);
	snprintf(path, sizeof path, "%s/hmx.db", ro);
	if (geteuid() == 0) {
		/* root ignores directory permissions: the open would succeed, so
		 * there is nothing to assert here; the ENOTDIR cases above cover
		 * the error path. */
		return;
	}
	assert_int_equal(store_open(path, STORE_CREATE, &s, &err), HMX_EIO);
	assert_null(s);
	assert_non_null(strstr(err.msg, "Permission denied"));
	assert_int_equal(stat(path, &sb), -1);
	snprintf(path, sizeof path, "%s/deeper/hmx.db", ro);
	assert_int_equal(store_open(path, STORE_CREATE, &s, &err), HMX_EIO);
	assert_non_null(strstr(err.msg, "cannot create directory"));
}

/* ---- permissions warning ------------------------------------------------ */

static void test_wide_mode_warns(void **state)
{
	struct fx *f = *state;
	struct logcap cap;

	f->s = open_ok(f->db, STORE_CREATE);
	store_close(&f->s);

	install_capture(&cap);
	f->s = open_ok(f->db, 0);
	assert_int_equal(cap.n, 0); /* 0600: silent */
	store_close(&f->s);

	assert_int_equal(chmod(f->db, 0644), 0);
	f->s = open_ok(f->db, 0);
	assert_int_equal(cap.n, 1);
	assert_int_equal(cap.level[0], HMX_LOG_WARN);
	assert_non_null(strstr(cap.msg[0], f->db));
	assert_non_null(strstr(cap.msg[0], "644"));
	assert_non_null(strstr(cap.msg[0], "chmod 600"));
	/* a warning, not a repair: the mode is the user's to change */
	assert_int_equal(file_mode(f->db), 0644);
	store_close(&f->s);

	/* group-only access is as much a leak */
	assert_int_equal(chmod(f->db, 0640), 0);
	f->s = open_ok(f->db, STORE_READONLY);
	assert_int_equal(cap.n, 2);
	assert_non_null(strstr(cap.msg[1], "640"));
}

/* ---- read-only ------------------------------------------------------------ */

static void test_readonly_refuses_changes(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	char buf[16];

	f->s = open_ok(f->db, STORE_CREATE);
	store_close(&f->s);
	f->s = open_ok(f->db, STORE_READONLY);
	hmx_err_clear(&err);
	assert_int_equal(store_begin(f->s, &err), HMX_ESTATE);
	assert_non_null(strstr(err.msg, "read-only"));
	assert_int_equal(config_set(f->s, "due_soon_days", "3", &err), HMX_ESTATE);
	assert_int_equal(config_get(f->s, "due_soon_days", buf, sizeof buf, &err), HMX_OK);
	assert_string_equal(buf, "7");
	/* SQLite itself refuses a write on the read-only connection too */
	assert_int_not_equal(sqlite3_exec(store_db(f->s), "INSERT INTO config VALUES ('x', 'y')", NULL,
					  NULL, NULL),
			     SQLITE_OK);
	assert_int_equal(count_audit(f->s, "config.set"), 0);
}

static void test_readonly_needs_no_migration(void **state)
{
	struct fx *f = *state;
	struct store *s = NULL;
	struct hmx_err err;

	/* an empty (version 0) database cannot be brought up to date read-only */
	tu_write(f->dir, "hmx.db", "", 0);
	chmod(f->db, 0600);
	assert_int_equal(store_open(f->db, STORE_READONLY, &s, &err), HMX_EDB);
	assert_null(s);
	assert_non_null(strstr(err.msg, "read-only"));
	assert_non_null(strstr(err.msg, "schema upgrade"));
	/* and nothing was written */
	{
		size_t len;
		unsigned char *b = tu_slurp(f->db, &len);
		assert_int_equal(len, 0);
		free(b);
	}
}

/* ---- default path --------------------------------------------------------- */

static void test_default_path(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	char buf[512], want[512], tiny[8];

	(void)f;
	setenv("HOME", "/home/alice", 1);
	setenv("XDG_DATA_HOME", "/xdg/data", 1);
	setenv("HMX_DB", "/srv/hmx/one.db", 1);
	assert_int_equal(store_default_path(buf, sizeof buf, &err), HMX_OK);
	assert_string_equal(buf, "/srv/hmx/one.db");

	setenv("HMX_DB", "", 1); /* empty counts as unset */
	assert_int_equal(store_default_path(buf, sizeof buf, &err), HMX_OK);
	assert_string_equal(buf, "/xdg/data/hmx/hmx.db");

	unsetenv("HMX_DB");
	assert_int_equal(store_default_path(buf, sizeof buf, &err), HMX_OK);
	assert_string_equal(buf, "/xdg/data/hmx/hmx.db");

	/* the XDG spec says a relative XDG_DATA_HOME is invalid and ignored */
	setenv("XDG_DATA_HOME", "relative/data", 1);
	assert_int_equal(store_default_path(buf, sizeof buf, &err), HMX_OK);
	assert_string_equal(buf, "/home/alice/.local/share/hmx/hmx.db");

	setenv("XDG_DATA_HOME", "", 1);
	assert_int_equal(store_default_path(buf, sizeof buf, &err), HMX_OK);
	assert_string_equal(buf, "/home/alice/.local/share/hmx/hmx.db");

	unsetenv("XDG_DATA_HOME");
	assert_int_equal(store_default_path(buf, sizeof buf, &err), HMX_OK);
	assert_string_equal(buf, "/home/alice/.local/share/hmx/hmx.db");

	/* relative HMX_DB is taken as given (like --db) */
	setenv("HMX_DB", "rel.db", 1);
	assert_int_equal(store_default_path(buf, sizeof buf, &err), HMX_OK);
	assert_string_equal(buf, "rel.db");
	unsetenv("HMX_DB");

	hmx_err_clear(&err);
	assert_int_equal(store_default_path(tiny, sizeof tiny, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "too long"));

	unsetenv("HOME");
	hmx_err_clear(&err);
	assert_int_equal(store_default_path(buf, sizeof buf, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "--db"));
	setenv("HOME", "", 1);
	assert_int_equal(store_default_path(buf, sizeof buf, &err), HMX_EINVAL);

	/* and it is a path store_open can create under a fresh HOME */
	setenv("HOME", f->dir, 1);
	assert_int_equal(store_default_path(buf, sizeof buf, &err), HMX_OK);
	snprintf(want, sizeof want, "%s/.local/share/hmx/hmx.db", f->dir);
	assert_string_equal(buf, want);
	f->s = open_ok(buf, STORE_CREATE);
	assert_int_equal(file_mode(buf), 0600);
	snprintf(want, sizeof want, "%s/.local/share/hmx", f->dir);
	assert_int_equal(file_mode(want), 0700);
	snprintf(want, sizeof want, "%s/.local", f->dir);
	assert_int_equal(file_mode(want), 0700);
}

/* ---- locking ---------------------------------------------------------------- */

static void test_locked_database(void **state)
{
	struct fx *f = *state;
	struct store *other = NULL;
	struct hmx_err err;
	char buf[16];
	sqlite3 *raw;

	f->s = open_ok(f->db, STORE_CREATE);
	raw = raw_open(f->db);
	sqlite3_busy_timeout(raw, 50);
	raw_exec(raw, "BEGIN IMMEDIATE");
	sqlite3_busy_timeout(store_db(f->s), 100);

	hmx_err_clear(&err);
	assert_int_equal(store_begin(f->s, &err), HMX_EDB);
	assert_non_null(strstr(err.msg, "another hmx is writing"));
	assert_int_not_equal(sqlite3_get_autocommit(store_db(f->s)), 0);

	hmx_err_clear(&err);
	assert_int_equal(config_set(f->s, "due_soon_days", "3", &err), HMX_EDB);
	assert_int_equal(err.rc, HMX_EDB);
	assert_non_null(strstr(err.msg, "try again"));
	assert_int_not_equal(sqlite3_get_autocommit(store_db(f->s)), 0);

	/* readers are not blocked in WAL mode: a second store still opens */
	other = open_ok(f->db, 0);
	store_close(&other);

	raw_exec(raw, "ROLLBACK");
	sqlite3_close(raw);
	/* nothing half-written: the setting and its audit row are both absent */
	assert_int_equal(config_get(f->s, "due_soon_days", buf, sizeof buf, &err), HMX_OK);
	assert_string_equal(buf, "7");
	assert_int_equal(count_audit(f->s, "config.set"), 0);
	/* and once the lock is gone the same change goes through */
	assert_int_equal(config_set(f->s, "due_soon_days", "3", &err), HMX_OK);
	assert_int_equal(count_audit(f->s, "config.set"), 1);
}

/* ---- helpers of the API ------------------------------------------------------ */

static void test_transactions(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;

	f->s = open_ok(f->db, STORE_CREATE);
	assert_int_equal(store_begin(f->s, &err), HMX_OK);
	assert_int_equal(store_exec(f->s, "INSERT INTO config VALUES ('a', '1')", &err), HMX_OK);
	store_rollback(f->s);
	assert_int_equal(query_int(store_db(f->s), "SELECT count(*) FROM config"), 0);
	store_rollback(f->s); /* harmless outside a transaction */

	assert_int_equal(store_begin(f->s, &err), HMX_OK);
	assert_int_equal(store_exec(f->s, "INSERT INTO config VALUES ('a', '1')", &err), HMX_OK);
	assert_int_equal(store_commit(f->s, &err), HMX_OK);
	assert_int_equal(query_int(store_db(f->s), "SELECT count(*) FROM config"), 1);

	/* COMMIT with no transaction open is an error, reported as HMX_EDB */
	hmx_err_clear(&err);
	assert_int_equal(store_commit(f->s, &err), HMX_EDB);
	assert_non_null(strstr(err.msg, "cannot save the change"));

	/* a failing statement reports without crashing */
	hmx_err_clear(&err);
	assert_int_equal(store_exec(f->s, "INSERT INTO nosuch VALUES (1)", &err), HMX_EDB);
	assert_non_null(strstr(err.msg, "no such table"));
	hmx_err_clear(&err);
	assert_null(store_prepare(f->s, "SELEKT 1", &err));
	assert_int_equal(err.rc, HMX_EDB);
	assert_non_null(strstr(err.msg, "database query failed"));
}

/* A batch: changes inside are savepoints; a rolled-back change is undone
 * alone; the batch is saved or undone as a whole; another connection sees
 * nothing until the batch is saved. */
static void test_batch(void **state)
{
	struct fx *f = *state;
	struct store *other;
	struct hmx_err err;

	f->s = open_ok(f->db, STORE_CREATE);
	other = open_ok(f->db, 0);
	hmx_err_clear(&err);
	assert_int_equal(store_batch_commit(f->s, &err), HMX_ESTATE);
	assert_int_equal(store_batch_begin(f->s, &err), HMX_OK);
	assert_int_equal(store_batch_begin(f->s, &err), HMX_ESTATE);
	assert_int_equal(store_begin(f->s, &err), HMX_OK);
	assert_int_equal(store_exec(f->s, "INSERT INTO config VALUES ('a', '1')", &err), HMX_OK);
	assert_int_equal(store_commit(f->s, &err), HMX_OK);
	assert_int_equal(store_begin(f->s, &err), HMX_OK);
	assert_int_equal(store_exec(f->s, "INSERT INTO config VALUES ('b', '1')", &err), HMX_OK);
	store_rollback(f->s);
	store_rollback(f->s); /* an error path rolling back twice: still the batch */
	assert_int_equal(store_begin(f->s, &err), HMX_OK);
	assert_int_equal(store_exec(f->s, "INSERT INTO config VALUES ('c', '1')", &err), HMX_OK);
	assert_int_equal(store_commit(f->s, &err), HMX_OK);
	assert_int_equal(sqlite3_get_autocommit(store_db(f->s)), 0);
	assert_int_equal(query_int(store_db(f->s), "SELECT count(*) FROM config "
						   "WHERE key IN ('a', 'b', 'c')"), 2);
	assert_int_equal(query_int(store_db(other), "SELECT count(*) FROM config "
						    "WHERE key IN ('a', 'b', 'c')"), 0);
	store_batch_rollback(f->s);
	assert_int_equal(sqlite3_get_autocommit(store_db(f->s)), 1);
	assert_int_equal(query_int(store_db(f->s), "SELECT count(*) FROM config "
						   "WHERE key IN ('a', 'b', 'c')"), 0);

	/* saved as a whole; a change left open inside is not part of it */
	assert_int_equal(store_batch_begin(f->s, &err), HMX_OK);
	assert_int_equal(store_begin(f->s, &err), HMX_OK);
	assert_int_equal(store_exec(f->s, "INSERT INTO config VALUES ('a', '1')", &err), HMX_OK);
	assert_int_equal(store_commit(f->s, &err), HMX_OK);
	assert_int_equal(store_begin(f->s, &err), HMX_OK);
	assert_int_equal(store_exec(f->s, "INSERT INTO config VALUES ('d', '1')", &err), HMX_OK);
	assert_int_equal(store_batch_commit(f->s, &err), HMX_OK);
	assert_int_equal(sqlite3_get_autocommit(store_db(f->s)), 1);
	assert_int_equal(query_int(store_db(other), "SELECT count(*) FROM config "
						    "WHERE key IN ('a', 'd')"), 1);
	/* and after it, changes are plain transactions again */
	assert_int_equal(store_begin(f->s, &err), HMX_OK);
	assert_int_equal(store_exec(f->s, "INSERT INTO config VALUES ('e', '1')", &err), HMX_OK);
	assert_int_equal(store_commit(f->s, &err), HMX_OK);
	assert_int_equal(query_int(store_db(other), "SELECT count(*) FROM config "
						    "WHERE key = 'e'"), 1);
	store_close(&other);
}

static void read_text0(sqlite3_stmt *st, void *row)
{
	store_col_text(st, 0, row, 16);
}

/* One row read, none, and a step that fails (integer overflow at run time). */
static void test_get_one(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	char out[16] = "untouched";
	bool found = true;

	f->s = open_ok(f->db, STORE_CREATE);
	assert_int_equal(store_exec(f->s, "INSERT INTO config VALUES ('k', 'v')", &err), HMX_OK);
	assert_int_equal(store_get_one(f->s, store_prepare(f->s, "SELECT value FROM config WHERE "
							  "key = 'nope'", &err),
				       sizeof out, read_text0, out, &found, "reading", &err), HMX_OK);
	assert_false(found);
	assert_string_equal(out, "untouched");
	assert_int_equal(store_get_one(f->s, store_prepare(f->s, "SELECT value FROM config WHERE "
							  "key = 'k'", &err),
				       sizeof out, read_text0, out, &found, "reading", &err), HMX_OK);
	assert_true(found);
	assert_string_equal(out, "v");
	hmx_err_clear(&err);
	assert_int_equal(store_get_one(f->s, store_prepare(f->s, "SELECT abs(-9223372036854775807 - 1)",
							  &err),
				       sizeof out, read_text0, out, &found, "reading", &err), HMX_EDB);
	assert_false(found);
	assert_non_null(strstr(err.msg, "reading"));
}

static void test_col_text_and_data_version(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	sqlite3_stmt *st;
	char buf[8];
	int64_t v0;
	sqlite3 *raw;

	f->s = open_ok(f->db, STORE_CREATE);
	st = store_prepare(f->s, "SELECT NULL, 'abcdefghij', 'caf\xc3\xa9s'", &err);
	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	store_col_text(st, 0, buf, sizeof buf);
	assert_string_equal(buf, "");
	store_col_text(st, 1, buf, sizeof buf);
	assert_string_equal(buf, "abcdefg");
	/* "cafés" is 6 bytes; 4 of them fit in 5 bytes only by cutting the
	 * two-byte é, which is dropped whole */
	store_col_text(st, 2, buf, 5);
	assert_string_equal(buf, "caf");
	sqlite3_finalize(st);

	v0 = store_data_version(f->s);
	assert_true(v0 > 0);
	raw = raw_open(f->db);
	raw_exec(raw, "INSERT INTO config VALUES ('x', 'y')");
	sqlite3_close(raw);
	assert_int_not_equal(store_data_version(f->s), v0);
}

static void test_close_is_null_safe(void **state)
{
	struct fx *f = *state;
	struct store *s = NULL;

	store_close(NULL);
	store_close(&s);
	assert_null(s);
	s = open_ok(f->db, STORE_CREATE);
	store_close(&s);
	assert_null(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_modes_nested_dirs, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_create_mode_with_permissive_umask, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_connection_settings, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_foreign_keys_enforced, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_migration_audited_once, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_from_schema_1, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_data_survives_reopen, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_empty_sqlite_file_is_migrated, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_newer_database_refused_untouched, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_newer_rollback_database_untouched, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_damaged_schema_page, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_missing_without_create, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_directory_is_not_a_database, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_places, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_wide_mode_warns, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_readonly_refuses_changes, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_readonly_needs_no_migration, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_default_path, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_locked_database, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_transactions, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_batch, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_get_one, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_col_text_and_data_version, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_close_is_null_safe, fx_setup_env, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
