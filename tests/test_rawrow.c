/* tests/test_rawrow.c — unit tests of core/rawrow: the record of a review
 * item read back from its export at the item's line, through a UTF-8 BOM,
 * CRLF line ends, doubled quotes and a newline inside a quoted field (so
 * the physical line count matches the validator's); IDs, codes and dates
 * shown, names, SSN, DOB and free text never (counted as hidden); a line
 * where no record starts, and an export gone from disk, refused. */
#include "testutil.h"
#include "fxstore.h"
#include "fxexport.h"

#include <unistd.h>

#include "core/rawrow.h"
#include "core/review.h"

#define CYCLE "import-2026B4"

/* Client.csv: the first record spans lines 2-3, the second is line 4. */
static const char CLIENT[] =
	"\xEF\xBB\xBF\"PersonalID\",\"FirstName\",\"LastName\",\"SSN\",\"DOB\",\"DOBDataQuality\","
	"\"DifferentIdentityText\",\"DateCreated\"\r\n"
	"\"c1\",\"Ann\",\"Leeward\",\"123456789\",1980-01-01,1,\"two\r\nlines \"\"quoted\"\"\","
	"2024-01-01 10:00:00\r\n"
	"\"c2\",\"Bobbin\",\"Rayburn\",\"987654321\",1990-02-02,8,,2024-01-02 10:00:00\r\n";

static void exec_sql(struct store *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(store_db(s), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

/* An import cycle whose run (on the folder dir/ex) found Q13 at line 4
 * (c2) and S01 at line 2 (c1); returns the ids of the two items. */
static void setup_items(struct fx *f, int64_t *c1, int64_t *c2)
{
	char sql[1024], ex[600];
	struct review_sync_result r;
	struct hmx_err err;
	int64_t run;

	fx_cycle(f->s, "import", "2026B4");
	tu_path(ex, sizeof ex, f->dir, "ex");
	assert_int_equal(mkdir(ex, 0700), 0);
	tu_write(ex, "Client.csv", CLIENT, sizeof CLIENT - 1);
	snprintf(sql, sizeof sql,
		 "INSERT INTO validation_run(cycle_id, path, spec, started_at, finished_at, status, "
		 "created_by) SELECT id, '%s', 'FY2024', '2026-04-01T12:00:00Z', "
		 "'2026-04-01T12:00:01Z', 'done', 'tester' FROM cycle WHERE code = '" CYCLE "'",
		 ex);
	exec_sql(f->s, sql);
	run = sqlite3_last_insert_rowid(store_db(f->s));
	snprintf(sql, sizeof sql,
		 "INSERT INTO finding(run_id, seq, check_id, severity, file, line, key, col, detail, "
		 "project) VALUES (%lld, 0, 'Q13', 'error', 'Client.csv', 4, 'PersonalID=c2', "
		 "'DOBDataQuality', 'dk', ''), (%lld, 1, 'S01', 'warning', 'Client.csv', 2, "
		 "'PersonalID=c1', 'DifferentIdentityText', 'x', '')",
		 (long long)run, (long long)run);
	exec_sql(f->s, sql);
	if (review_sync(f->s, CYCLE, run, &r, &err) != HMX_OK)
		fail_msg("review_sync: %s", err.msg);
	*c2 = fx_count(f->s, "SELECT id FROM review_item WHERE key = 'PersonalID=c2'");
	*c1 = fx_count(f->s, "SELECT id FROM review_item WHERE key = 'PersonalID=c1'");
	assert_true(*c1 > 0 && *c2 > 0);
}

static const char *field(const struct rawrow *r, const char *name)
{
	for (size_t i = 0; i < r->nfields; i++)
		if (strcmp(r->fields[i].name, name) == 0)
			return r->fields[i].value;
	return NULL;
}

/* No value of the row is a client's name, SSN, DOB or free text. */
static void assert_no_client_data(const struct rawrow *r)
{
	static const char *const secret[] = { "Ann", "Leeward", "123456789", "1980-01-01",
					      "Bobbin", "Rayburn", "987654321", "1990-02-02",
					      "quoted" };

	for (size_t i = 0; i < r->nfields; i++)
		for (size_t k = 0; k < sizeof secret / sizeof secret[0]; k++)
			if (strstr(r->fields[i].value, secret[k]))
				fail_msg("%s shows \"%s\"", r->fields[i].name, r->fields[i].value);
}

static void t_record_after_a_multiline_one(void **state)
{
	struct fx *f = *state;
	struct rawrow r;
	struct hmx_err err;
	int64_t c1, c2;

	setup_items(f, &c1, &c2);
	assert_int_equal(rawrow_of_item(f->s, c2, &r, &err), HMX_OK);
	assert_string_equal(r.file, "Client.csv");
	assert_int_equal(r.line, 4);
	assert_string_equal(field(&r, "PersonalID"), "c2");
	assert_string_equal(field(&r, "DOBDataQuality"), "8");
	assert_string_equal(field(&r, "DateCreated"), "2024-01-02 10:00:00");
	assert_null(field(&r, "FirstName"));
	assert_null(field(&r, "SSN"));
	assert_null(field(&r, "DOB"));
	assert_int_equal(r.hidden, 5); /* FirstName LastName SSN DOB DifferentIdentityText */
	assert_no_client_data(&r);
	rawrow_free(&r);

	assert_int_equal(rawrow_of_item(f->s, c1, &r, &err), HMX_OK);
	assert_string_equal(field(&r, "PersonalID"), "c1");
	assert_string_equal(field(&r, "DOBDataQuality"), "1");
	assert_no_client_data(&r);
	rawrow_free(&r);
}

static void t_refusals(void **state)
{
	struct fx *f = *state;
	struct rawrow r;
	struct hmx_err err;
	char ex[600];
	int64_t c1, c2;

	assert_true(rawrow_column_private("ssn"));
	assert_true(rawrow_column_private("DOB"));
	assert_true(rawrow_column_private("FirstName"));
	assert_false(rawrow_column_private("PersonalID"));
	setup_items(f, &c1, &c2);
	/* line 3 is inside the first record: no record starts there */
	exec_sql(f->s, "UPDATE review_item SET line = 3 WHERE key = 'PersonalID=c2'");
	assert_int_equal(rawrow_of_item(f->s, c2, &r, &err), HMX_ENOTFOUND);
	assert_non_null(strstr(err.msg, "line 3"));
	assert_null(r.fields);
	assert_int_equal(rawrow_of_item(f->s, 999, &r, &err), HMX_ENOTFOUND);
	/* the export gone from disk */
	tu_path(ex, sizeof ex, f->dir, "ex/Client.csv");
	assert_int_equal(unlink(ex), 0);
	tu_path(ex, sizeof ex, f->dir, "ex");
	assert_int_equal(rmdir(ex), 0);
	assert_int_equal(rawrow_of_item(f->s, c1, &r, &err), HMX_ENOTFOUND);
	assert_non_null(strstr(err.msg, "no longer on disk"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_record_after_a_multiline_one, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(t_refusals, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
