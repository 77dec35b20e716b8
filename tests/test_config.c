/* tests/test_config.c — unit tests of core/config: the table of known keys
 * and their defaults, set and get, validation of whole numbers, deadline
 * rules and text, unknown keys, one audit row per accepted change and none
 * for a refused one, the integer shortcuts, and values stored by hand. */
#include "testutil.h"
#include "fxstore.h"

#include "core/audit.h"
#include "core/config.h"
#include "core/store.h"

static void assert_get(struct store *s, const char *key, const char *want)
{
	struct hmx_err err;
	char buf[256];

	hmx_err_clear(&err);
	if (config_get(s, key, buf, sizeof buf, &err) != HMX_OK)
		fail_msg("config_get(%s): %s", key, err.msg);
	assert_string_equal(buf, want);
}

static void set_ok(struct store *s, const char *key, const char *value)
{
	struct hmx_err err;

	if (config_set(s, key, value, &err) != HMX_OK)
		fail_msg("config_set(%s, %s): %s", key, value, err.msg);
}

/* Sets and expects HMX_EINVAL naming the key; value and audit unchanged. */
static void set_bad(struct store *s, const char *key, const char *value)
{
	struct audit_row *rows;
	struct hmx_err err;
	char before[256];
	size_t n0, n1;

	assert_int_equal(config_get(s, key, before, sizeof before, &err), HMX_OK);
	assert_int_equal(audit_list(s, NULL, 0, &rows, &n0, &err), HMX_OK);
	free(rows);
	hmx_err_clear(&err);
	if (config_set(s, key, value, &err) != HMX_EINVAL)
		fail_msg("config_set(%s, \"%s\") was not refused", key, value);
	assert_int_equal(err.rc, HMX_EINVAL);
	assert_non_null(strstr(err.msg, key));
	assert_get(s, key, before);
	assert_int_equal(audit_list(s, NULL, 0, &rows, &n1, &err), HMX_OK);
	free(rows);
	assert_int_equal(n1, n0);
}

/* ---- defaults --------------------------------------------------------------- */

static void test_known_keys_and_defaults(void **state)
{
	struct fx *f = *state;
	static const struct { const char *key, *def; } want[] = {
		{ "fiscal_year_start_month", "7" },
		{ "due_soon_days", "7" },
		{ "coc_name", "MA-503 Cape Cod and Islands CoC" },
		{ "due.apr", "end+90" },
		{ "due.spm", "date:02-28" },
		{ "due.lsa", "date:12-15" },
		{ "due.pit", "date:04-30" },
		{ "due.hic", "date:04-30" },
		{ "due.mcp_list", "end+10" },
		{ "due.mcp_import", "end+40" },
		{ "due.mcp_purge", "end+45" },
		{ "match.project", "" },
		{ "match.destination", "99" },
		{ "match.project_start", "" },
	};
	const char *name, *def, *help;
	size_t i;

	for (i = 0; config_key(i, &name, &def, &help); i++) {
		assert_true(i < sizeof want / sizeof want[0]);
		assert_string_equal(name, want[i].key);
		assert_string_equal(def, want[i].def);
		assert_true(strlen(help) > 10);
		assert_true(config_known(name));
		assert_get(f->s, name, def);
	}
	assert_int_equal(i, sizeof want / sizeof want[0]);
	assert_false(config_key(i, &name, &def, &help));
	assert_false(config_known("nope"));
	assert_false(config_known(""));
	assert_false(config_known("due."));
	assert_false(config_known("Fiscal_Year_Start_Month"));

	assert_int_equal(config_fy_start(f->s), 7);
	assert_int_equal(config_get_int(f->s, "fiscal_year_start_month"), 7);
	assert_int_equal(config_get_int(f->s, "due_soon_days"), 7);
	/* not integer keys, or unknown: 0 */
	assert_int_equal(config_get_int(f->s, "coc_name"), 0);
	assert_int_equal(config_get_int(f->s, "due.apr"), 0);
	assert_int_equal(config_get_int(f->s, "nope"), 0);
}

/* ---- set and get -------------------------------------------------------------- */

static void test_set_get_persist(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;

	set_ok(f->s, "fiscal_year_start_month", "10");
	assert_get(f->s, "fiscal_year_start_month", "10");
	assert_int_equal(config_fy_start(f->s), 10);
	set_ok(f->s, "fiscal_year_start_month", "1");
	assert_int_equal(config_fy_start(f->s), 1);
	set_ok(f->s, "fiscal_year_start_month", "12");
	assert_int_equal(config_fy_start(f->s), 12);
	set_ok(f->s, "due_soon_days", "0");
	assert_int_equal(config_get_int(f->s, "due_soon_days"), 0);
	set_ok(f->s, "due_soon_days", "90");
	set_ok(f->s, "coc_name", "MA-500 Boston CoC");
	set_ok(f->s, "due.apr", "date:10-01");
	set_ok(f->s, "due.spm", "none");
	set_ok(f->s, "due.lsa", "end-5");
	set_ok(f->s, "due.pit", "start+30");
	set_ok(f->s, "due.hic", "end");

	/* the other keys keep their defaults, and everything survives a reopen */
	store_close(&f->s);
	assert_int_equal(store_open(f->db, 0, &f->s, &err), HMX_OK);
	assert_get(f->s, "fiscal_year_start_month", "12");
	assert_get(f->s, "due_soon_days", "90");
	assert_get(f->s, "coc_name", "MA-500 Boston CoC");
	assert_get(f->s, "due.apr", "date:10-01");
	assert_get(f->s, "due.spm", "none");
	assert_get(f->s, "due.lsa", "end-5");
	assert_get(f->s, "due.pit", "start+30");
	assert_get(f->s, "due.hic", "end");
}

static void test_get_truncates_to_buffer(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	char buf[4];

	assert_int_equal(config_get(f->s, "coc_name", buf, sizeof buf, &err), HMX_OK);
	assert_string_equal(buf, "MA-");
	set_ok(f->s, "coc_name", "Région Île");
	/* "Ré" is 3 bytes: a 3-byte buffer holds only "R", never half an é */
	assert_int_equal(config_get(f->s, "coc_name", buf, 3, &err), HMX_OK);
	assert_string_equal(buf, "R");
}

/* ---- validation ----------------------------------------------------------------- */

static void test_int_validation(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;

	set_bad(f->s, "fiscal_year_start_month", "0");
	set_bad(f->s, "fiscal_year_start_month", "13");
	set_bad(f->s, "fiscal_year_start_month", "x");
	set_bad(f->s, "fiscal_year_start_month", "");
	set_bad(f->s, "fiscal_year_start_month", "7x");
	set_bad(f->s, "fiscal_year_start_month", "7.0");
	set_bad(f->s, "fiscal_year_start_month", "-1");
	set_bad(f->s, "fiscal_year_start_month", "99999999999999999999999");
	set_bad(f->s, "due_soon_days", "-1");
	set_bad(f->s, "due_soon_days", "91");
	set_bad(f->s, "due_soon_days", "seven");

	hmx_err_clear(&err);
	assert_int_equal(config_set(f->s, "fiscal_year_start_month", "13", &err), HMX_EINVAL);
	assert_string_equal(err.msg,
			    "fiscal_year_start_month must be a whole number from 1 to 12, not \"13\"");
}

static void test_rule_validation(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;

	set_bad(f->s, "due.apr", "");
	set_bad(f->s, "due.apr", "soon");
	set_bad(f->s, "due.apr", "end+");
	set_bad(f->s, "due.apr", "end+x");
	set_bad(f->s, "due.apr", "end + 7");
	set_bad(f->s, "due.apr", "END+7");
	set_bad(f->s, "due.apr", "end+9999");
	set_bad(f->s, "due.apr", "date:02-29");
	set_bad(f->s, "due.apr", "date:13-01");
	set_bad(f->s, "due.apr", "date:2-28");
	set_bad(f->s, "due.apr", "start-3");
	/* a setting cannot point at another setting */
	set_bad(f->s, "due.apr", "config:due.spm");
	set_bad(f->s, "due.hic", "2027-04-30");

	hmx_err_clear(&err);
	assert_int_equal(config_set(f->s, "due.spm", "later", &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "due.spm must be a deadline rule"));
	assert_non_null(strstr(err.msg, "\"later\""));
}

static void test_text_validation(void **state)
{
	struct fx *f = *state;
	char s200[201], s201[202];

	memset(s200, 'a', 200);
	s200[200] = '\0';
	memset(s201, 'b', 201);
	s201[201] = '\0';
	set_ok(f->s, "coc_name", s200);
	assert_get(f->s, "coc_name", s200);
	set_bad(f->s, "coc_name", s201);
	/* one line of printable text: it is shown in titles and audit rows */
	set_bad(f->s, "coc_name", "MA-503\nCape Cod");
	set_bad(f->s, "coc_name", "tab\there");
	set_bad(f->s, "coc_name", "\x1b[2Jcleared");
	set_bad(f->s, "coc_name", "del\x7f");
	set_ok(f->s, "coc_name", "Cape Cod & Islands — Région");
	assert_get(f->s, "coc_name", "Cape Cod & Islands — Région");
}

/* ---- unknown keys -------------------------------------------------------------- */

static void test_unknown_key(void **state)
{
	struct fx *f = *state;
	struct audit_row *rows;
	struct hmx_err err;
	char buf[32] = "untouched";
	size_t n;

	hmx_err_clear(&err);
	assert_int_equal(config_get(f->s, "fiscal_year_start", buf, sizeof buf, &err), HMX_ENOTFOUND);
	assert_int_equal(err.rc, HMX_ENOTFOUND);
	assert_non_null(strstr(err.msg, "\"fiscal_year_start\""));
	/* the message lists the known keys */
	assert_non_null(strstr(err.msg, "fiscal_year_start_month"));
	assert_non_null(strstr(err.msg, "due_soon_days"));
	assert_non_null(strstr(err.msg, "due.hic"));

	hmx_err_clear(&err);
	assert_int_equal(config_set(f->s, "nope", "1", &err), HMX_ENOTFOUND);
	assert_non_null(strstr(err.msg, "\"nope\""));
	assert_int_equal(config_set(f->s, "", "1", &err), HMX_ENOTFOUND);
	assert_int_equal(audit_list(f->s, "nope", 0, &rows, &n, &err), HMX_OK);
	assert_int_equal(n, 0);
	free(rows);
	/* nothing was stored for it either */
	{
		sqlite3_stmt *st = store_prepare(f->s, "SELECT count(*) FROM config", &err);
		assert_non_null(st);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), 0);
		sqlite3_finalize(st);
	}
}

/* ---- audit -------------------------------------------------------------------- */

static void test_audit_row_per_set(void **state)
{
	struct fx *f = *state;
	struct audit_row *rows;
	struct hmx_err err;
	size_t n;

	set_ok(f->s, "fiscal_year_start_month", "10");
	setenv("HMX_NOW", "2026-04-02T09:30:00Z", 1);
	setenv("HMX_USER", "alice", 1);
	set_ok(f->s, "fiscal_year_start_month", "1");
	set_ok(f->s, "fiscal_year_start_month", "1"); /* the same value: still a change */
	set_bad(f->s, "fiscal_year_start_month", "0");
	set_ok(f->s, "due.apr", "date:09-30");

	assert_int_equal(audit_list(f->s, "fiscal_year_start_month", 0, &rows, &n, &err), HMX_OK);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].action, "config.set");
	assert_string_equal(rows[0].object, "fiscal_year_start_month");
	assert_string_equal(rows[0].before, "7");
	assert_string_equal(rows[0].after, "10");
	assert_string_equal(rows[0].who, "tester");
	assert_string_equal(rows[0].at, "2026-04-01T12:00:00Z");
	assert_string_equal(rows[1].before, "10");
	assert_string_equal(rows[1].after, "1");
	assert_string_equal(rows[1].who, "alice");
	assert_string_equal(rows[1].at, "2026-04-02T09:30:00Z");
	assert_string_equal(rows[2].before, "1");
	assert_string_equal(rows[2].after, "1");
	free(rows);

	assert_int_equal(audit_list(f->s, "due.apr", 0, &rows, &n, &err), HMX_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].before, "end+90");
	assert_string_equal(rows[0].after, "date:09-30");
	free(rows);
	setenv("HMX_USER", "tester", 1);
	setenv("HMX_NOW", "2026-04-01T12:00:00Z", 1);
}

/* ---- values stored by hand ------------------------------------------------------ */

static void test_bad_stored_value_falls_back(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;

	/* a value written around config_set (older hmx, sqlite3 shell) */
	assert_int_equal(store_exec(f->s,
				    "INSERT INTO config VALUES ('fiscal_year_start_month', '99'),"
				    " ('due_soon_days', 'x')",
				    &err),
			 HMX_OK);
	assert_get(f->s, "fiscal_year_start_month", "99");
	assert_int_equal(config_fy_start(f->s), 7);
	assert_int_equal(config_get_int(f->s, "due_soon_days"), 7);
	/* and it can be repaired through config_set */
	set_ok(f->s, "fiscal_year_start_month", "10");
	assert_int_equal(config_fy_start(f->s), 10);
}

static void test_readonly_store_refuses_set(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;

	store_close(&f->s);
	assert_int_equal(store_open(f->db, STORE_READONLY, &f->s, &err), HMX_OK);
	assert_int_equal(config_set(f->s, "due_soon_days", "3", &err), HMX_ESTATE);
	assert_get(f->s, "due_soon_days", "7");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_known_keys_and_defaults, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_set_get_persist, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_get_truncates_to_buffer, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_int_validation, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rule_validation, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_text_validation, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_audit_row_per_set, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_stored_value_falls_back, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_readonly_store_refuses_set, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
