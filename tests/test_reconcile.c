/* tests/test_reconcile.c — unit tests of core/reconcile: the files sent
 * for import against the demo-site export per project and file (counts
 * from intake), a match stored as a run without findings, rows dropped or
 * duplicated as X06 findings with the catalog's severity, projects named
 * by HUD ProjectID or "ProjectID=ID" when unregistered, the latest demo
 * export used; every file whose rows belong to an enrollment (a file
 * partially imported, duplicated, missing from the demo site; rows of an
 * unknown enrollment in a bucket of their own; a file taken in before
 * per-file counts compared on three files only, and counted when taken in
 * again), and the refusals (unknown cycle, no demo export, no file sent)
 * with nothing written. */
#include "testutil.h"
#include "fxstore.h"
#include "fxexport.h"

#include "core/intake.h"
#include "core/reconcile.h"

/* Takes in export name; extra: more files, "File.csv", "content", ...,
 * NULL-terminated (NULL itself: none). */
static void intake_with(struct fx *f, const char *name, const char *source,
			const struct fx_xp *x, const char *const *extra)
{
	struct intake_opts o = { source, CAL_NO_DAY, true };
	struct intake_info in;
	struct hmx_err err;
	char path[512];

	fx_export(path, sizeof path, f->dir, name, x);
	for (size_t i = 0; extra && extra[i]; i += 2)
		tu_write(path, extra[i], extra[i + 1], (size_t)-1);
	if (intake_add(f->s, "import-2026Q4", path, &o, &in, &err) != HMX_OK)
		fail_msg("intake_add(%s): %s", name, err.msg);
}

static void intake(struct fx *f, const char *name, const char *source, const struct fx_xp *x)
{
	intake_with(f, name, source, x, NULL);
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

/* Files of the enrollments of sent_rdc and sent_hpc (e1-e3 of 1101, d1 of
 * 7777) as sent: Services.csv (4 + 2 rows, one deleted), IncomeBenefits.csv
 * (one per enrollment), HealthAndDV.csv (e1, d1). */
#define SERVICES_HDR "ServicesID,EnrollmentID,PersonalID,DateDeleted\n"
#define INCOME_HDR "IncomeBenefitsID,EnrollmentID,PersonalID,DateDeleted\n"
#define HEALTH_HDR "HealthAndDVID,EnrollmentID,PersonalID,DateDeleted\n"
static const char *const rdc_files[] = {
	"Services.csv", SERVICES_HDR "s1,e1,c1,\ns2,e1,c1,\ns3,e2,c1,\ns4,e3,c2,\ns5,e3,c2,2026-01-01\n",
	"IncomeBenefits.csv", INCOME_HDR "i1,e1,c1,\ni2,e2,c1,\ni3,e3,c2,\n",
	"HealthAndDV.csv", HEALTH_HDR "h1,e1,c1,\n",
	NULL
};
static const char *const hpc_files[] = {
	"Services.csv", SERVICES_HDR "t1,d1,k1,\nt2,d1,k1,\n",
	"IncomeBenefits.csv", INCOME_HDR "j1,d1,k1,\n",
	"HealthAndDV.csv", HEALTH_HDR "g1,d1,k1,\n",
	NULL
};
static const struct fx_xp demo_xp = { "D1", NULL, NULL, "1101,Carriage House,\n7777,DYRS,\n",
				      "e1,c1,1101,\ne2,c1,1101,\ne3,c2,1101,\nd1,k1,7777,\n",
				      "x1,e1,\ny1,d1,\n" };

static void sent_all(struct fx *f)
{
	setup_cycle(f);
	intake_with(f, "rdc", "rdc", &sent_rdc, rdc_files);
	intake_with(f, "hpc", "agency:HPC", &sent_hpc, hpc_files);
}

/* Every file whose rows belong to an enrollment is compared per project:
 * the same rows in the demo site (in another order) agree. */
static void test_files_match(void **state)
{
	struct fx *f = *state;
	static const char *const demo[] = {
		"Services.csv", SERVICES_HDR "t1,d1,k1,\ns1,e1,c1,\ns2,e1,c1,\ns3,e2,c1,\nt2,d1,k1,\n"
				"s4,e3,c2,\n",
		"IncomeBenefits.csv", INCOME_HDR "i1,e1,c1,\ni2,e2,c1,\ni3,e3,c2,\nj1,d1,k1,\n",
		"HealthAndDV.csv", HEALTH_HDR "h1,e1,c1,\ng1,d1,k1,\n",
		NULL
	};
	struct reconcile_result r;
	struct hmx_err err;

	sent_all(f);
	intake_with(f, "demo", "demo", &demo_xp, demo);
	assert_int_equal(reconcile_cycle(f->s, "import-2026Q4", &r, &err), HMX_OK);
	assert_true(r.per_file);
	assert_true(r.counts_complete);
	assert_int_equal(r.mismatches, 0);
	assert_int_equal(r.nrows, 12); /* 2 projects x 6 files */
	assert_int_equal(row(&r, "hac-carriage-house", "Services.csv")->sent, 4); /* one deleted */
	assert_int_equal(row(&r, "hac-carriage-house", "Services.csv")->demo, 4);
	assert_int_equal(row(&r, "ProjectID=7777", "IncomeBenefits.csv")->demo, 1);
	assert_int_equal(row(&r, "hac-carriage-house", "HealthAndDV.csv")->sent, 1);
	/* the order: Enrollment, Exit, Client, then the spec's */
	assert_string_equal(r.rows[0].file, "Enrollment.csv");
	assert_string_equal(r.rows[2].file, "Client.csv");
	assert_string_equal(r.rows[3].file, "IncomeBenefits.csv");
	assert_string_equal(r.rows[5].file, "Services.csv");
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM file_count"), 6 * 2 + 0);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM file WHERE file_counts = 1"), 3);
	reconcile_free(&r);
}

/* Services.csv half imported, IncomeBenefits.csv duplicated, HealthAndDV.csv
 * missing from the demo site: one X06 per project and file. */
static void test_files_partial_dup_missing(void **state)
{
	struct fx *f = *state;
	static const char *const demo[] = {
		"Services.csv", SERVICES_HDR "s1,e1,c1,\ns2,e1,c1,\nt1,d1,k1,\nt2,d1,k1,\n",
		"IncomeBenefits.csv", INCOME_HDR "i1,e1,c1,\ni2,e2,c1,\ni3,e3,c2,\nj1,d1,k1,\n"
				      "i1,e1,c1,\ni2,e2,c1,\ni3,e3,c2,\nj1,d1,k1,\n",
		NULL
	};
	struct reconcile_result r;
	struct hmx_err err;
	const struct reconcile_row *w;

	sent_all(f);
	intake_with(f, "demo", "demo", &demo_xp, demo);
	assert_int_equal(reconcile_cycle(f->s, "import-2026Q4", &r, &err), HMX_OK);
	assert_true(r.per_file);
	w = row(&r, "hac-carriage-house", "Services.csv");
	assert_true(w->mismatch);
	assert_int_equal(w->sent, 4);
	assert_int_equal(w->demo, 2);
	assert_false(row(&r, "ProjectID=7777", "Services.csv")->mismatch);
	w = row(&r, "ProjectID=7777", "IncomeBenefits.csv");
	assert_true(w->mismatch);
	assert_int_equal(w->demo, 2);
	assert_true(row(&r, "hac-carriage-house", "IncomeBenefits.csv")->mismatch);
	w = row(&r, "hac-carriage-house", "HealthAndDV.csv");
	assert_true(w->mismatch);
	assert_int_equal(w->sent, 1);
	assert_int_equal(w->demo, 0);
	assert_true(row(&r, "ProjectID=7777", "HealthAndDV.csv")->mismatch);
	assert_false(row(&r, "hac-carriage-house", "Enrollment.csv")->mismatch);
	assert_int_equal(r.mismatches, 5);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM finding WHERE check_id = 'X06' AND "
					"file = 'HealthAndDV.csv' AND project = 'hac-carriage-house' "
					"AND detail LIKE 'missing: 1 rows sent%'"), 1);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM finding WHERE check_id = 'X06' AND "
					"file = 'IncomeBenefits.csv' AND detail LIKE 'extra:%'"), 2);
	assert_int_equal(fx_count(f->s, "SELECT errors FROM validation_run WHERE path = 'reconcile'"),
			 5);
	reconcile_free(&r);
}

/* Rows whose EnrollmentID names no live enrollment (unknown, deleted or
 * empty) are one bucket, compared like a project. */
static void test_unknown_enrollment(void **state)
{
	struct fx *f = *state;
	static const char *const sent[] = {
		"Services.csv", SERVICES_HDR "s1,e1,c1,\ns2,zz,c9,\ns3,,c9,\n", NULL
	};
	static const char *const demo_same[] = {
		"Services.csv", SERVICES_HDR "s1,e1,c1,\ns2,yy,c9,\ns3,e4,c3,\n", NULL
	};
	static const char *const demo_more[] = {
		"Services.csv", SERVICES_HDR "s1,e1,c1,\ns2,yy,c9,\ns3,e4,c3,\ns4,e4,c3,\n", NULL
	};
	struct reconcile_result r;
	struct hmx_err err;
	const struct reconcile_row *w;

	setup_cycle(f);
	intake_with(f, "rdc", "rdc", &sent_rdc, sent);
	/* e4 is deleted in the default enrollments of fx_export: unknown */
	intake_with(f, "demo", "demo",
		    &(struct fx_xp){ "D1", NULL, NULL, "1101,Carriage House,\n",
				     "e1,c1,1101,\ne2,c1,1101,\ne3,c2,1101,\ne4,c3,1101,2026-01-06\n",
				     "x1,e1,\n" },
		    demo_same);
	assert_int_equal(fx_count(f->s, "SELECT sum(rows) FROM file_count WHERE "
					"source_project_id = ''"), 4);
	assert_int_equal(reconcile_cycle(f->s, "import-2026Q4", &r, &err), HMX_OK);
	w = row(&r, RECONCILE_UNKNOWN, "Services.csv");
	assert_non_null(w);
	assert_int_equal(w->sent, 2);
	assert_int_equal(w->demo, 2);
	assert_int_equal(r.mismatches, 0);
	assert_string_equal(r.rows[r.nrows - 1].project, RECONCILE_UNKNOWN); /* listed last */
	reconcile_free(&r);
	intake_with(f, "demo2", "demo",
		    &(struct fx_xp){ "D2", NULL, NULL, "1101,Carriage House,\n",
				     "e1,c1,1101,\ne2,c1,1101,\ne3,c2,1101,\ne4,c3,1101,2026-01-06\n",
				     "x1,e1,\n" },
		    demo_more);
	assert_int_equal(reconcile_cycle(f->s, "import-2026Q4", &r, &err), HMX_OK);
	assert_int_equal(r.mismatches, 1);
	assert_true(row(&r, RECONCILE_UNKNOWN, "Services.csv")->mismatch);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM finding WHERE check_id = 'X06' AND "
					"project = '" RECONCILE_UNKNOWN "'"), 1);
	reconcile_free(&r);
}

/* A file taken in before per-file counts (no file_count rows,
 * file.file_counts 0): only Enrollment, Exit and Client.csv are compared,
 * never a false mismatch, and the result says so. */
static void test_old_intake(void **state)
{
	struct fx *f = *state;
	static const char *const demo[] = {
		"Services.csv", SERVICES_HDR "s1,e1,c1,\n", NULL
	};
	struct reconcile_result r;
	struct hmx_err err;

	sent_all(f);
	intake_with(f, "demo", "demo", &demo_xp, demo);
	assert_int_equal(store_exec(f->s, "DELETE FROM file_count WHERE file_id = (SELECT file_id "
				    "FROM intake WHERE source = 'rdc'); UPDATE file SET file_counts = 0 "
				    "WHERE id = (SELECT file_id FROM intake WHERE source = 'rdc')",
				    &err), HMX_OK);
	assert_int_equal(reconcile_cycle(f->s, "import-2026Q4", &r, &err), HMX_OK);
	assert_false(r.per_file);
	assert_false(r.counts_complete);
	assert_int_equal(r.mismatches, 0);
	assert_int_equal(r.nrows, 6);
	assert_null(row(&r, "hac-carriage-house", "Services.csv"));
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM finding WHERE check_id = 'X06'"), 0);
	reconcile_free(&r);
	/* a missing enrollment is still caught */
	intake_with(f, "demo2", "demo",
		    &(struct fx_xp){ "D2", NULL, NULL, "1101,Carriage House,\n7777,DYRS,\n",
				     "e1,c1,1101,\ne2,c1,1101,\nd1,k1,7777,\n", "x1,e1,\ny1,d1,\n" },
		    demo);
	assert_int_equal(reconcile_cycle(f->s, "import-2026Q4", &r, &err), HMX_OK);
	assert_false(r.per_file);
	assert_true(row(&r, "hac-carriage-house", "Enrollment.csv")->mismatch);
	assert_null(row(&r, "hac-carriage-house", "Services.csv"));
	reconcile_free(&r);
	/* the same file taken in again (another cycle) gets its counts */
	{
		struct intake_opts o = { "rdc", CAL_NO_DAY, true };
		struct intake_info in;
		char path[512];

		fx_cycle(f->s, "import", "2027Q1");
		snprintf(path, sizeof path, "%s/rdc", f->dir);
		assert_int_equal(intake_add(f->s, "import-2027Q1", path, &o, &in, &err), HMX_OK);
		assert_false(in.new_file);
	}
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM file WHERE file_counts = 0"), 0);
	assert_int_equal(fx_count(f->s, "SELECT sum(rows) FROM file_count WHERE file = "
					"'Services.csv' AND file_id = (SELECT file_id FROM intake WHERE "
					"source = 'rdc' LIMIT 1)"), 4);
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
		cmocka_unit_test_setup_teardown(test_files_match, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_files_partial_dup_missing, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_enrollment, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_old_intake, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_refused, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
