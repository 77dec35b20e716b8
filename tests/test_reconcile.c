/* tests/test_reconcile.c — unit tests of core/reconcile: the files sent
 * for import against the demo-site export per project and file (counts
 * from intake), a match stored as a run without findings, rows dropped or
 * duplicated as X06 findings with the catalog's severity, projects named
 * by HUD ProjectID or "ProjectID=ID" when unregistered, the latest demo
 * export used, and the refusals (unknown cycle, no demo export, no file
 * sent) with nothing written. */
#include "testutil.h"
#include "fxstore.h"
#include "fxexport.h"

#include "core/intake.h"
#include "core/reconcile.h"

static void intake(struct fx *f, const char *name, const char *source, const struct fx_xp *x)
{
	struct intake_opts o = { source, CAL_NO_DAY, true };
	struct intake_info in;
	struct hmx_err err;
	char path[512];

	fx_export(path, sizeof path, f->dir, name, x);
	if (intake_add(f->s, "import-2026Q4", path, &o, &in, &err) != HMX_OK)
		fail_msg("intake_add(%s): %s", name, err.msg);
}

static void setup_cycle(struct fx *f)
{
	fx_registry(f->s);
	fx_cycle(f->s, "import", "2026Q4");
}

static const struct reconcile_row *row(const struct reconcile_result *r, const char *project,
				       const char *file)
{
	for (size_t i = 0; i < r->nrows; i++)
		if (strcmp(r->rows[i].project, project) == 0 && strcmp(r->rows[i].file, file) == 0)
			return &r->rows[i];
	return NULL;
}

/* Files sent: RDC's 1101 (3 enrollments, 2 clients, 1 exit) and an
 * agency's 7777 (unregistered). */
static const struct fx_xp sent_rdc = { "R1", NULL, NULL, "1101,Carriage House,\n",
				       "e1,c1,1101,\ne2,c1,1101,\ne3,c2,1101,\n", "x1,e1,\n" };
static const struct fx_xp sent_hpc = { "H1", NULL, NULL, "7777,DYRS,\n", "d1,k1,7777,\n",
				       "y1,d1,\n" };

static void test_match(void **state)
{
	struct fx *f = *state;
	struct fx_xp demo = { "D1", NULL, NULL, "1101,Carriage House,\n7777,DYRS,\n",
			      "e1,c1,1101,\ne2,c1,1101,\ne3,c2,1101,\nd1,k1,7777,\n",
			      "x1,e1,\ny1,d1,\n" };
	struct reconcile_result r;
	struct hmx_err err;

	setup_cycle(f);
	intake(f, "rdc", "rdc", &sent_rdc);
	intake(f, "hpc", "agency:HPC", &sent_hpc);
	intake(f, "demo", "demo", &demo);
	assert_int_equal(reconcile_cycle(f->s, "import-2026Q4", &r, &err), HMX_OK);
	assert_int_equal(r.mismatches, 0);
	assert_int_equal(r.nsent, 2);
	assert_true(r.counts_complete);
	assert_int_equal(r.nrows, 6);
	assert_non_null(row(&r, "hac-carriage-house", "Enrollment.csv"));
	assert_int_equal(row(&r, "hac-carriage-house", "Enrollment.csv")->demo, 3);
	assert_int_equal(row(&r, "hac-carriage-house", "Client.csv")->sent, 2);
	assert_non_null(row(&r, "ProjectID=7777", "Exit.csv"));
	assert_true(r.run_id > 0);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM finding WHERE check_id = 'X06'"), 0);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM validation_run WHERE path = 'reconcile' "
					"AND status = 'done'"), 1);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit WHERE action = 'reconcile.run'"),
			 1);
	reconcile_free(&r);
}

static void test_mismatch(void **state)
{
	struct fx *f = *state;
	/* the agency's project missing; an enrollment of 1101 twice (new ID) */
	struct fx_xp demo = { "D1", NULL, NULL, "1101,Carriage House,\n",
			      "e1,c1,1101,\ne2,c1,1101,\ne3,c2,1101,\ne9,c2,1101,\n", "x1,e1,\n" };
	struct fx_xp demo2 = { "D2", NULL, NULL, "1101,Carriage House,\n7777,DYRS,\n",
			       "e1,c1,1101,\ne2,c1,1101,\ne3,c2,1101,\nd1,k1,7777,\n",
			       "x1,e1,\ny1,d1,\n" };
	struct reconcile_result r;
	struct hmx_err err;

	setup_cycle(f);
	intake(f, "rdc", "rdc", &sent_rdc);
	intake(f, "hpc", "agency:HPC", &sent_hpc);
	intake(f, "demo", "demo", &demo);
	assert_int_equal(reconcile_cycle(f->s, "import-2026Q4", &r, &err), HMX_OK);
	assert_string_equal(r.severity, "error");
	assert_int_equal(r.mismatches, 4); /* 1101 enrollments; 7777 all three */
	assert_true(row(&r, "hac-carriage-house", "Enrollment.csv")->mismatch);
	assert_int_equal(row(&r, "hac-carriage-house", "Enrollment.csv")->demo, 4);
	assert_false(row(&r, "hac-carriage-house", "Client.csv")->mismatch);
	assert_int_equal(row(&r, "ProjectID=7777", "Enrollment.csv")->demo, 0);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM finding WHERE check_id = 'X06' AND "
					"severity = 'error' AND line = 0"), 4);
	assert_int_equal(fx_count(f->s, "SELECT errors FROM validation_run WHERE path = 'reconcile'"),
			 4);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM finding WHERE key LIKE '%c1%' OR "
					"detail LIKE '%c1%' OR detail LIKE '%k1%'"), 0);
	reconcile_free(&r);

	/* a newer demo export: the latest one counts */
	intake(f, "demo2", "demo", &demo2);
	assert_int_equal(reconcile_cycle(f->s, "import-2026Q4", &r, &err), HMX_OK);
	assert_int_equal(r.mismatches, 0);
	reconcile_free(&r);
}

static void test_refused(void **state)
{
	struct fx *f = *state;
	struct reconcile_result r;
	struct hmx_err err;

	setup_cycle(f);
	assert_int_equal(reconcile_cycle(f->s, "nope-2026Q4", &r, &err), HMX_ENOTFOUND);
	assert_int_equal(reconcile_cycle(f->s, "import-2026Q4", &r, &err), HMX_ESTATE);
	assert_non_null(strstr(err.msg, "--source demo"));
	intake(f, "demo", "demo", NULL);
	assert_int_equal(reconcile_cycle(f->s, "import-2026Q4", &r, &err), HMX_ESTATE);
	assert_non_null(strstr(err.msg, "no file sent"));
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM validation_run WHERE path = 'reconcile'"),
			 0);
	assert_true(intake_source_valid("demo"));
	assert_false(intake_source_valid("demo-site"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_match, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_mismatch, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_refused, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
