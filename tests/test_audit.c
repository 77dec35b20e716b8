/* tests/test_audit.c — unit tests of core/audit: rows written inside a
 * transaction appear only when it commits, the table refuses UPDATE,
 * DELETE and replacing a row (also from another connection), listing by
 * object prefix (a whole path segment, never a mere string prefix), the
 * limit keeping the newest rows, oldest-first order, the filters of
 * audit_query (cycle, project, who, action, dates, text; newest first), the recorded
 * time and actor (HMX_NOW, HMX_USER). */
#include "testutil.h"
#include "fxstore.h"

#include "core/audit.h"
#include "core/store.h"

/* Writes one row in its own transaction. */
static void write1(struct store *s, const char *action, const char *object, const char *before,
		   const char *after)
{
	struct hmx_err err;

	assert_int_equal(store_begin(s, &err), HMX_OK);
	if (audit_write(s, action, object, before, after, &err) != HMX_OK)
		fail_msg("audit_write: %s", err.msg);
	assert_int_equal(store_commit(s, &err), HMX_OK);
}

static size_t list(struct store *s, const char *prefix, size_t limit, struct audit_row **rows)
{
	struct hmx_err err;
	size_t n = 99;

	if (audit_list(s, prefix, limit, rows, &n, &err) != HMX_OK)
		fail_msg("audit_list: %s", err.msg);
	return n;
}

static int64_t count_rows(struct store *s)
{
	sqlite3_stmt *st = NULL;
	int64_t n;

	assert_int_equal(sqlite3_prepare_v2(store_db(s), "SELECT count(*) FROM audit", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* ---- writing ------------------------------------------------------------ */

static void test_committed_row_appears(void **state)
{
	struct fx *f = *state;
	struct audit_row *rows;
	size_t n;

	write1(f->s, "step.set", "rdc-upload-2026Q3/upload", "todo", "done: uploaded");
	n = list(f->s, "rdc-upload-2026Q3", 0, &rows);
	assert_int_equal(n, 1);
	assert_true(rows[0].id > 1); /* the migration row came first */
	assert_string_equal(rows[0].at, "2026-04-01T12:00:00Z");
	assert_string_equal(rows[0].who, "tester");
	assert_string_equal(rows[0].action, "step.set");
	assert_string_equal(rows[0].object, "rdc-upload-2026Q3/upload");
	assert_string_equal(rows[0].before, "todo");
	assert_string_equal(rows[0].after, "done: uploaded");
	free(rows);
}

static void test_rolled_back_row_absent(void **state)
{
	struct fx *f = *state;
	struct audit_row *rows;
	struct hmx_err err;
	int64_t before = count_rows(f->s);

	assert_int_equal(store_begin(f->s, &err), HMX_OK);
	assert_int_equal(audit_write(f->s, "x.y", "gone", NULL, "a", &err), HMX_OK);
	assert_int_equal(count_rows(f->s), before + 1); /* visible inside */
	store_rollback(f->s);
	assert_int_equal(count_rows(f->s), before);
	assert_int_equal(list(f->s, "gone", 0, &rows), 0);
	free(rows);

	/* mixed: a committed row stays, a later rolled-back one does not */
	write1(f->s, "x.y", "kept", NULL, "1");
	assert_int_equal(store_begin(f->s, &err), HMX_OK);
	assert_int_equal(audit_write(f->s, "x.y", "kept", "1", "2", &err), HMX_OK);
	store_rollback(f->s);
	assert_int_equal(list(f->s, "kept", 0, &rows), 1);
	assert_string_equal(rows[0].after, "1");
	free(rows);
}

static void test_null_before_after(void **state)
{
	struct fx *f = *state;
	struct audit_row *rows;
	sqlite3_stmt *st = NULL;

	write1(f->s, "agency.add", "HAC", NULL, NULL);
	assert_int_equal(list(f->s, "HAC", 0, &rows), 1);
	assert_string_equal(rows[0].before, "");
	assert_string_equal(rows[0].after, "");
	free(rows);
	/* stored as SQL NULL, not as empty text */
	assert_int_equal(sqlite3_prepare_v2(store_db(f->s),
					    "SELECT before IS NULL, after IS NULL FROM audit WHERE object = 'HAC'",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 1);
	assert_int_equal(sqlite3_column_int(st, 1), 1);
	sqlite3_finalize(st);
}

/* ---- append-only ---------------------------------------------------------- */

static void assert_refused(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
		fail_msg("the audit table accepted: %s", sql);
	assert_int_equal(sqlite3_errcode(db) & 0xff, SQLITE_CONSTRAINT);
	assert_non_null(strstr(sqlite3_errmsg(db), "append-only"));
}

static void test_update_delete_refused(void **state)
{
	struct fx *f = *state;
	struct audit_row *rows;
	sqlite3 *db = store_db(f->s);
	int64_t n0;

	write1(f->s, "step.set", "c/s", "todo", "done");
	n0 = count_rows(f->s);
	assert_refused(db, "UPDATE audit SET who = 'mallory'");
	assert_refused(db, "UPDATE audit SET after = 'todo' WHERE object = 'c/s'");
	assert_refused(db, "DELETE FROM audit");
	assert_refused(db, "DELETE FROM audit WHERE object = 'c/s'");
	/* an upsert is an update */
	assert_refused(db, "INSERT INTO audit(id, at, who, action, object) "
			   "SELECT id, 'x', 'x', 'x', 'x' FROM audit WHERE object = 'c/s' "
			   "ON CONFLICT(id) DO UPDATE SET who = 'mallory'");
	/* REPLACE deletes the old row without firing DELETE triggers */
	assert_refused(db, "INSERT OR REPLACE INTO audit(id, at, who, action, object, before, after) "
			   "SELECT id, at, 'mallory', action, object, before, 'todo' FROM audit "
			   "WHERE object = 'c/s'");
	assert_refused(db, "REPLACE INTO audit(id, at, who, action, object) VALUES (1, 'x', 'x', 'x', 'x')");

	assert_int_equal(count_rows(f->s), n0);
	assert_int_equal(list(f->s, "c", 0, &rows), 1);
	assert_string_equal(rows[0].who, "tester");
	assert_string_equal(rows[0].after, "done");
	free(rows);
}

static void test_refused_from_another_connection(void **state)
{
	struct fx *f = *state;
	sqlite3 *raw = NULL;
	int64_t n0;

	write1(f->s, "step.set", "c/s", "todo", "done");
	n0 = count_rows(f->s);
	assert_int_equal(sqlite3_open_v2(f->db, &raw, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_refused(raw, "UPDATE audit SET who = 'mallory'");
	assert_refused(raw, "DELETE FROM audit");
	/* appending is what the table is for */
	assert_int_equal(sqlite3_exec(raw,
				      "INSERT INTO audit(at, who, action, object) "
				      "VALUES ('2026-04-02T00:00:00Z', 'raw', 'x.y', 'c/t')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(count_rows(f->s), n0 + 1);
}

/* ---- listing ------------------------------------------------------------- */

static void test_prefix_is_a_path_segment(void **state)
{
	struct fx *f = *state;
	struct audit_row *rows;
	size_t n;

	write1(f->s, "cycle.new", "rdc-upload-2027Q1", NULL, "rdc-upload 2027Q1");
	write1(f->s, "cycle.new", "rdc-upload-2027Q10", NULL, "rdc-upload 2027Q10");
	write1(f->s, "step.set", "rdc-upload-2027Q1/upload", "todo", "done");
	write1(f->s, "step.set", "rdc-upload-2027Q10/upload", "todo", "done");
	write1(f->s, "step.set", "rdc-upload-2027Q1x/upload", "todo", "done");
	write1(f->s, "step.set", "rdc-upload-2027Q1/download/hac", "todo", "blocked: x");

	n = list(f->s, "rdc-upload-2027Q1", 0, &rows);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].object, "rdc-upload-2027Q1");
	assert_string_equal(rows[1].object, "rdc-upload-2027Q1/upload");
	assert_string_equal(rows[2].object, "rdc-upload-2027Q1/download/hac");
	free(rows);

	n = list(f->s, "rdc-upload-2027Q10", 0, &rows);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].object, "rdc-upload-2027Q10");
	assert_string_equal(rows[1].object, "rdc-upload-2027Q10/upload");
	free(rows);

	/* a deeper prefix, and one that is only part of a segment */
	n = list(f->s, "rdc-upload-2027Q1/download", 0, &rows);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].object, "rdc-upload-2027Q1/download/hac");
	free(rows);
	assert_int_equal(list(f->s, "rdc-upload-2027", 0, &rows), 0);
	free(rows);
	assert_int_equal(list(f->s, "rdc-upload-2027Q1/up", 0, &rows), 0);
	free(rows);
	/* LIKE wildcards have no special meaning */
	assert_int_equal(list(f->s, "rdc_upload-2027Q1", 0, &rows), 0);
	free(rows);
	assert_int_equal(list(f->s, "rdc-upload-2027Q%", 0, &rows), 0);
	free(rows);
	assert_int_equal(list(f->s, "%", 0, &rows), 0);
	free(rows);
	/* matching is exact in case */
	assert_int_equal(list(f->s, "RDC-UPLOAD-2027Q1", 0, &rows), 0);
	free(rows);

	/* NULL: everything, the migration row included */
	n = list(f->s, NULL, 0, &rows);
	assert_int_equal(n, 6 + (size_t)store_schema_version());
	assert_string_equal(rows[0].action, "store.migrate");
	free(rows);
}

/* ---- audit_query: filters, newest first ------------------------------- */

static size_t query(struct store *s, const struct audit_filter *f, struct audit_row **rows)
{
	struct hmx_err err;
	size_t n = 99;

	if (audit_query(s, f, 0, rows, &n, &err) != HMX_OK)
		fail_msg("audit_query: %s", err.msg);
	return n;
}

static void test_query_filters(void **state)
{
	struct fx *f = *state;
	struct audit_row *rows;
	struct hmx_err err;
	size_t n;

	setenv("HMX_USER", "alice", 1);
	setenv("HMX_NOW", "2026-11-01T09:00:00Z", 1);
	write1(f->s, "cycle.new", "import-2027B2", NULL, "import 2027B2");
	write1(f->s, "step.set", "import-2027B2/notify-ready", "todo", "done");
	setenv("HMX_USER", "bob", 1);
	setenv("HMX_NOW", "2026-11-05T09:00:00Z", 1);
	write1(f->s, "project.set", "project/hpc-dyrs", "name: HPC", "name: HPC DYRS");
	write1(f->s, "step.set", "rdc-download-2027Q2/download/hpc-dyrs", "todo", "done");
	write1(f->s, "step.undo", "rdc-download-2027Q2/download/hpc-dyrs-2", "done", "todo");
	write1(f->s, "notice.sent", "import-2027B2/notice/partner-findings/HPC", "new",
	       "sent 2026-11-05");

	/* no filter: everything, newest first */
	n = query(f->s, NULL, &rows);
	assert_int_equal(n, 6 + (size_t)store_schema_version());
	assert_string_equal(rows[0].action, "notice.sent");
	free(rows);
	/* cycle: a whole first segment */
	n = query(f->s, &(struct audit_filter){ .cycle = "import-2027B2" }, &rows);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].object, "import-2027B2/notice/partner-findings/HPC");
	assert_string_equal(rows[2].object, "import-2027B2");
	free(rows);
	/* project: any whole segment */
	n = query(f->s, &(struct audit_filter){ .project = "hpc-dyrs" }, &rows);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].object, "rdc-download-2027Q2/download/hpc-dyrs");
	assert_string_equal(rows[1].object, "project/hpc-dyrs");
	free(rows);
	/* who, action family, combined */
	assert_int_equal(query(f->s, &(struct audit_filter){ .who = "alice" }, &rows), 2);
	free(rows);
	assert_int_equal(query(f->s, &(struct audit_filter){ .who = "ali" }, &rows), 0);
	free(rows);
	assert_int_equal(query(f->s, &(struct audit_filter){ .action = "step" }, &rows), 3);
	free(rows);
	assert_int_equal(query(f->s, &(struct audit_filter){ .action = "step.set" }, &rows), 2);
	free(rows);
	assert_int_equal(query(f->s, &(struct audit_filter){ .action = "ste" }, &rows), 0);
	free(rows);
	assert_int_equal(query(f->s, &(struct audit_filter){ .who = "bob", .action = "step" }, &rows),
			 2);
	free(rows);
	/* dates, inclusive */
	assert_int_equal(query(f->s, &(struct audit_filter){ .from = "2026-11-05" }, &rows), 4);
	free(rows);
	assert_int_equal(query(f->s, &(struct audit_filter){ .from = "2026-11-01", .to = "2026-11-01",
							     .who = "alice" }, &rows), 2);
	free(rows);
	/* text, any case, in before/after too */
	n = query(f->s, &(struct audit_filter){ .text = "hpc dyrs" }, &rows);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].action, "project.set");
	free(rows);
	/* "" is no filter; a bad date is refused */
	assert_int_equal(query(f->s, &(struct audit_filter){ .who = "", .cycle = "" }, &rows),
			 6 + (size_t)store_schema_version());
	free(rows);
	assert_int_equal(audit_query(f->s, &(struct audit_filter){ .from = "11/05/2026" }, 0, &rows,
				     &n, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "11/05/2026"));
	setenv("HMX_USER", "tester", 1);
	setenv("HMX_NOW", "2026-04-01T12:00:00Z", 1);
}

static void test_limit_keeps_newest_oldest_first(void **state)
{
	struct fx *f = *state;
	struct audit_row *rows;
	char after[24];
	size_t n;

	for (int i = 1; i <= 5; i++) {
		snprintf(after, sizeof after, "v%d", i);
		write1(f->s, "config.set", "k", NULL, after);
		/* another object in between, which the filter must skip */
		write1(f->s, "config.set", "other", NULL, after);
	}
	n = list(f->s, "k", 2, &rows);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].after, "v4");
	assert_string_equal(rows[1].after, "v5");
	assert_true(rows[0].id < rows[1].id);
	free(rows);

	n = list(f->s, "k", 1, &rows);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].after, "v5");
	free(rows);

	n = list(f->s, "k", 0, &rows);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++) {
		snprintf(after, sizeof after, "v%zu", i + 1);
		assert_string_equal(rows[i].after, after);
		if (i)
			assert_true(rows[i - 1].id < rows[i].id);
	}
	free(rows);

	n = list(f->s, "k", 100, &rows);
	assert_int_equal(n, 5);
	assert_string_equal(rows[0].after, "v1");
	free(rows);

	/* unfiltered with a limit: the newest overall, oldest first */
	n = list(f->s, NULL, 3, &rows);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].object, "other");
	assert_string_equal(rows[0].after, "v4");
	assert_string_equal(rows[1].object, "k");
	assert_string_equal(rows[1].after, "v5");
	assert_string_equal(rows[2].object, "other");
	assert_string_equal(rows[2].after, "v5");
	free(rows);
}

static void test_empty_result(void **state)
{
	struct fx *f = *state;
	struct audit_row *rows = (struct audit_row *)1;
	struct hmx_err err;
	size_t n = 42;

	assert_int_equal(audit_list(f->s, "nothing-here", 0, &rows, &n, &err), HMX_OK);
	assert_int_equal(n, 0);
	assert_null(rows);
}

/* ---- who and when ----------------------------------------------------------- */

static void test_now_and_user_recorded(void **state)
{
	struct fx *f = *state;
	struct audit_row *rows;
	size_t n;

	setenv("HMX_NOW", "2026-05-06T07:08:09Z", 1);
	setenv("HMX_USER", "alice", 1);
	write1(f->s, "a.b", "o", NULL, "1");
	setenv("HMX_NOW", "2026-05-06T07:08:10Z", 1);
	setenv("HMX_USER", "bob", 1);
	write1(f->s, "a.b", "o", "1", "2");
	/* without HMX_USER the login name is used */
	unsetenv("HMX_USER");
	setenv("USER", "carol", 1);
	write1(f->s, "a.b", "o", "2", "3");
	/* a malformed HMX_NOW falls back to the clock */
	setenv("HMX_NOW", "yesterday", 1);
	write1(f->s, "a.b", "o", "3", "4");

	n = list(f->s, "o", 0, &rows);
	assert_int_equal(n, 4);
	assert_string_equal(rows[0].at, "2026-05-06T07:08:09Z");
	assert_string_equal(rows[0].who, "alice");
	assert_string_equal(rows[1].at, "2026-05-06T07:08:10Z");
	assert_string_equal(rows[1].who, "bob");
	assert_string_equal(rows[2].who, "carol");
	assert_int_equal(strlen(rows[3].at), 20);
	assert_int_equal(rows[3].at[4], '-');
	assert_int_equal(rows[3].at[10], 'T');
	assert_int_equal(rows[3].at[19], 'Z');
	assert_true(strncmp(rows[3].at, "20", 2) == 0);
	free(rows);
	setenv("HMX_USER", "tester", 1);
}

static void test_long_text_truncated_on_read(void **state)
{
	struct fx *f = *state;
	struct audit_row *rows;
	char longv[400];

	memset(longv, 'x', sizeof longv - 1);
	longv[sizeof longv - 1] = '\0';
	write1(f->s, "a.b", "long", NULL, longv);
	assert_int_equal(list(f->s, "long", 0, &rows), 1);
	assert_int_equal(strlen(rows[0].after), sizeof rows[0].after - 1);
	free(rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_committed_row_appears, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rolled_back_row_absent, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_null_before_after, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_update_delete_refused, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_refused_from_another_connection, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_prefix_is_a_path_segment, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_limit_keeps_newest_oldest_first, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_query_filters, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_empty_result, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_now_and_user_recorded, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_long_text_truncated_on_read, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
