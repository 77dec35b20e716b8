/* tests/test_notice.c — unit tests of core/notice: every template parses
 * and renders with no placeholder left; each notice is filled from its
 * cycle (period, dates, step deadline), the registry (agency, projects)
 * and the files; the partner notice counts the review items waiting on
 * the partner and its approval, or without a review the findings by check
 * and severity of the latest validation run of each project; kinds
 * refused for other cycle kinds and recipients checked; editing keeps the
 * text, sending records the day, a sent notice cannot change; each change
 * audited; the list of a cycle's notices. */
#include "testutil.h"
#include "fxstore.h"
#include "fxexport.h"

#include "core/audit.h"
#include "core/intake.h"
#include "core/notice.h"

static void setup_all(struct fx *f)
{
	fx_registry(f->s);
	fx_cycle(f->s, "import", "2026Q4");
	fx_cycle(f->s, "agency-intake", "2026B6");
	fx_cycle(f->s, "rdc-upload", "2026Q4");
}

static char *get(struct fx *f, const char *cycle, const char *kind, const char *to)
{
	struct notice n;
	struct hmx_err err;

	if (notice_get(f->s, cycle, kind, to, &n, &err) != HMX_OK)
		fail_msg("notice_get(%s %s): %s", cycle, kind, err.msg);
	return n.text;
}

static void test_templates(void **state)
{
	const struct notice_kind *k;
	struct fx *f = *state;
	size_t n;

	assert_int_equal(notice_kinds(&k, &n, NULL), HMX_OK);
	assert_int_equal(n, 5);
	assert_non_null(notice_kind_find("vendor-ready"));
	assert_non_null(notice_kind_find("vendor-live"));
	assert_non_null(notice_kind_find("rdc-upload-done"));
	assert_true(notice_kind_find("agency-request")->per_agency);
	assert_true(notice_kind_find("partner-findings")->per_agency);
	assert_null(notice_kind_find("README"));
	setup_all(f);
	for (size_t i = 0; i < n; i++) {
		const char *cycle = strstr(k[i].cycles, "import") ? "import-2026Q4" :
				    strstr(k[i].cycles, "agency") ? "agency-intake-2026B6" :
								    "rdc-upload-2026Q4";
		char *t = get(f, cycle, k[i].id, k[i].per_agency ? "HPC" : NULL);

		if (strchr(t, '{') || strchr(t, '}'))
			fail_msg("%s: placeholder left in:\n%s", k[i].id, t);
		assert_non_null(strstr(t, "Subject: "));
		free(t);
	}
}

static void test_filled(void **state)
{
	struct fx *f = *state;
	struct intake_opts o = { "rdc", CAL_NO_DAY, true };
	struct intake_info in;
	struct hmx_err err;
	char path[512], *t;

	setup_all(f);
	/* agency request: period, step deadline, the agency's projects only */
	t = get(f, "agency-intake-2026B6", "agency-request", "HPC");
	assert_non_null(strstr(t, "Homeless Prevention Council (HPC)"));
	assert_non_null(strstr(t, "2026B6"));
	assert_non_null(strstr(t, "2026-05-01 to 2026-06-30"));
	assert_non_null(strstr(t, "by 2026-07-07"));
	assert_non_null(strstr(t, "- HPC DYRS (hpc-dyrs)"));
	assert_non_null(strstr(t, "- HPC Case Management (hpc-case-mgmt)"));
	assert_null(strstr(t, "hac-carriage-house"));
	assert_non_null(strstr(t, "tester"));
	free(t);
	/* upload done: the reporting group, without RDC-direct projects */
	t = get(f, "rdc-upload-2026Q4", "rdc-upload-done", NULL);
	assert_non_null(strstr(t, "cihc-es"));
	assert_non_null(strstr(t, "hpc-dyrs"));
	assert_null(strstr(t, "hac-carriage-house"));
	free(t);
	/* vendor: the cycle's files, the demo-site export left out */
	fx_export(path, sizeof path, f->dir, "rdc", NULL);
	assert_int_equal(intake_add(f->s, "import-2026Q4", path, &o, &in, &err), HMX_OK);
	o.source = "demo";
	fx_export(path, sizeof path, f->dir, "demo", &(struct fx_xp){ .export_id = "D9" });
	assert_int_equal(intake_add(f->s, "import-2026Q4", path, &o, &in, &err), HMX_OK);
	t = get(f, "import-2026Q4", "vendor-ready", NULL);
	assert_non_null(strstr(t, "from rdc, received 2026-04-10: 1 project, 3 enrollments"));
	assert_null(strstr(t, "from demo"));
	free(t);
}

/* A validator run of the intake of file name with findings rows
 * "check:severity:project" for the partner notice. */
static void fake_run(struct fx *f, const char *name, const char *proj, const char *const *rows,
		     size_t n)
{
	struct intake_opts o = { "agency:HPC", CAL_NO_DAY, true };
	struct intake_info in;
	struct hmx_err err;
	char path[512], sql[512], projects[64], enr[64];
	int64_t run;

	snprintf(projects, sizeof projects, "%s,DYRS,\n", proj);
	snprintf(enr, sizeof enr, "d1,k1,%s,\n", proj);
	fx_export(path, sizeof path, f->dir, name,
		  &(struct fx_xp){ .export_id = name, .projects = projects, .enrollments = enr });
	assert_int_equal(intake_add(f->s, "import-2026Q4", path, &o, &in, &err), HMX_OK);
	assert_int_equal(store_exec(f->s, "INSERT INTO validation_run(cycle_id, path, spec, started_at, "
				    "status, created_by) VALUES (1, 'x', 'FY2024', 'now', 'done', 't')",
				    &err), HMX_OK);
	run = sqlite3_last_insert_rowid(store_db(f->s));
	snprintf(sql, sizeof sql, "UPDATE intake SET validation_run_id = %lld WHERE id = %lld",
		 (long long)run, (long long)in.id);
	assert_int_equal(store_exec(f->s, sql, &err), HMX_OK);
	for (size_t i = 0; i < n; i++) {
		char c[8], sev[12], p[32];

		assert_int_equal(sscanf(rows[i], "%7[^:]:%11[^:]:%31s", c, sev, p), 3);
		snprintf(sql, sizeof sql, "INSERT INTO finding(run_id, seq, check_id, severity, file, "
			 "line, key, detail, project) VALUES (%lld, %zu, '%s', '%s', 'Enrollment.csv', "
			 "2, 'PersonalID=k1', '', '%s')", (long long)run, i, c, sev, p);
		assert_int_equal(store_exec(f->s, sql, &err), HMX_OK);
	}
}

static void test_partner_findings(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	char *t;
	static const char *const first[] = { "Q03:error:3001", "Q03:error:3001", "Q07:warning:3001",
					     "Q03:error:9999" };
	static const char *const second[] = { "Q03:error:3001", "K02:blocking:3001" };

	setup_all(f);
	assert_int_equal(store_exec(f->s, "UPDATE project SET hud_project_id = '3001' WHERE code = "
				    "'hpc-dyrs'", &err), HMX_OK);
	t = get(f, "import-2026Q4", "partner-findings", "HPC");
	assert_non_null(strstr(t, "HPC DYRS (hpc-dyrs): not validated yet"));
	assert_non_null(strstr(t, "Subject: 0 data-quality"));
	free(t);
	fake_run(f, "E1", "3001", first, 4);
	t = get(f, "import-2026Q4", "partner-findings", "HPC");
	assert_non_null(strstr(t, "HPC DYRS (hpc-dyrs): Q03 error 2, Q07 warning 1"));
	assert_non_null(strstr(t, "Subject: 3 data-quality"));
	assert_null(strstr(t, "k1")); /* no client ID */
	free(t);
	/* the latest run counts, blocking first */
	fake_run(f, "E2", "3001", second, 2);
	t = get(f, "import-2026Q4", "partner-findings", "HPC");
	assert_non_null(strstr(t, "HPC DYRS (hpc-dyrs): K02 blocking 1, Q03 error 1\n"));
	assert_non_null(strstr(t, "Subject: 2 data-quality"));
	free(t);
}

/* A review item of the cycle in state st for project code proj (NULL:
 * none), check chk with severity sev; key k makes it distinct. */
static void fake_item(struct fx *f, const char *proj, const char *chk, const char *sev,
		      const char *st, int k)
{
	struct hmx_err err;
	char sql[768];

	snprintf(sql, sizeof sql,
		 "INSERT INTO review_item(cycle_id, check_id, file, key, severity, state, project_id, "
		 "first_run, last_run, updated_at, updated_by) VALUES ((SELECT id FROM cycle WHERE "
		 "code = 'import-2026Q4'), '%s', 'Enrollment.csv', 'EnrollmentID=%d', '%s', '%s', "
		 "(SELECT id FROM project WHERE code = '%s'), (SELECT max(id) FROM validation_run), "
		 "(SELECT max(id) FROM validation_run), 'now', 't')",
		 chk, k, sev, st, proj ? proj : "");
	assert_int_equal(store_exec(f->s, sql, &err), HMX_OK);
}

/* With a review, the partner notice counts the review items waiting on
 * the partner (open, rejected) and those waiting for its approval
 * (fix-proposed); approved, resolved and waived items, other projects'
 * and items without a project are not counted. */
static void test_partner_review(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	char *t;
	static const char *const rows[] = { "Q03:error:3001" };

	setup_all(f);
	assert_int_equal(store_exec(f->s, "UPDATE project SET hud_project_id = '3001' WHERE code = "
				    "'hpc-dyrs'", &err), HMX_OK);
	fake_run(f, "E1", "3001", rows, 1);
	t = get(f, "import-2026Q4", "partner-findings", "HPC");
	assert_non_null(strstr(t, "HPC DYRS (hpc-dyrs): Q03 error 1\n")); /* no review yet */
	free(t);
	fake_item(f, "hpc-dyrs", "Q03", "error", "open", 1);
	fake_item(f, "hpc-dyrs", "Q03", "error", "rejected", 2);
	fake_item(f, "hpc-dyrs", "K02", "blocking", "open", 3);
	fake_item(f, "hpc-dyrs", "Q07", "warning", "fix-proposed", 4);
	fake_item(f, "hpc-dyrs", "Q07", "warning", "approved", 5);
	fake_item(f, "hpc-dyrs", "Q07", "warning", "resolved", 6);
	fake_item(f, "hpc-dyrs", "Q07", "warning", "waived", 7);
	fake_item(f, "hac-carriage-house", "Q03", "error", "open", 8);
	fake_item(f, NULL, "D01", "blocking", "open", 9);
	t = get(f, "import-2026Q4", "partner-findings", "HPC");
	assert_non_null(strstr(t, "HPC DYRS (hpc-dyrs): 3 waiting for you (K02 blocking 1, Q03 "
				  "error 2); 1 proposed fix waiting for your approval (Q07 warning 1)\n"));
	assert_non_null(strstr(t, "Subject: 4 data-quality"));
	assert_null(strstr(t, "EnrollmentID"));
	free(t);
	/* everything decided: nothing waits */
	assert_int_equal(store_exec(f->s, "UPDATE review_item SET state = 'approved'", &err), HMX_OK);
	t = get(f, "import-2026Q4", "partner-findings", "HPC");
	assert_non_null(strstr(t, "HPC DYRS (hpc-dyrs): nothing waiting for you"));
	assert_non_null(strstr(t, "Subject: 0 data-quality"));
	free(t);
}

static void test_refused(void **state)
{
	struct fx *f = *state;
	struct notice n;
	struct hmx_err err;

	setup_all(f);
	assert_int_equal(notice_get(f->s, "nope-2026Q4", "vendor-ready", NULL, &n, &err),
			 HMX_ENOTFOUND);
	assert_int_equal(notice_get(f->s, "import-2026Q4", "nope", NULL, &n, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "vendor-ready"));
	assert_int_equal(notice_get(f->s, "rdc-upload-2026Q4", "vendor-ready", NULL, &n, &err),
			 HMX_EINVAL);
	assert_non_null(strstr(err.msg, "rdc-upload-done"));
	assert_int_equal(notice_get(f->s, "import-2026Q4", "partner-findings", NULL, &n, &err),
			 HMX_EINVAL);
	assert_non_null(strstr(err.msg, "--to"));
	assert_int_equal(notice_get(f->s, "import-2026Q4", "partner-findings", "NOPE", &n, &err),
			 HMX_ENOTFOUND);
	assert_int_equal(notice_get(f->s, "import-2026Q4", "vendor-ready", "HPC", &n, &err),
			 HMX_EINVAL);
	assert_int_equal(notice_save(f->s, "import-2026Q4", "vendor-ready", NULL, " \n", &err),
			 HMX_EINVAL);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM notice"), 0);
}

static void test_edit_and_send(void **state)
{
	struct fx *f = *state;
	struct notice n, *list;
	struct hmx_err err;
	cal_day on;
	size_t cnt;

	setup_all(f);
	assert_int_equal(notice_list(f->s, "import-2026Q4", &list, &cnt, &err), HMX_OK);
	assert_int_equal(cnt, 2); /* vendor-live, vendor-ready */
	assert_string_equal(list[0].kind, "vendor-live");
	assert_int_equal(list[1].state, NOTICE_NEW);
	free(list);

	assert_int_equal(notice_save(f->s, "import-2026Q4", "vendor-ready", NULL, "Edited text\n",
				     &err), HMX_OK);
	assert_int_equal(notice_get(f->s, "import-2026Q4", "vendor-ready", NULL, &n, &err), HMX_OK);
	assert_int_equal(n.state, NOTICE_DRAFT);
	assert_string_equal(n.text, "Edited text\n");
	notice_free(&n);
	assert_int_equal(notice_save(f->s, "import-2026Q4", "vendor-ready", NULL, "Edited again\n",
				     &err), HMX_OK);
	assert_true(cal_parse_date("2026-11-20", &on));
	assert_int_equal(notice_mark_sent(f->s, "import-2026Q4", "vendor-ready", NULL, on, &err),
			 HMX_OK);
	assert_int_equal(notice_get(f->s, "import-2026Q4", "vendor-ready", NULL, &n, &err), HMX_OK);
	assert_int_equal(n.state, NOTICE_SENT);
	assert_int_equal(n.sent_on, on);
	assert_string_equal(n.text, "Edited again\n");
	assert_string_equal(n.updated_by, "tester");
	notice_free(&n);
	/* sent is final */
	assert_int_equal(notice_mark_sent(f->s, "import-2026Q4", "vendor-ready", NULL, on, &err),
			 HMX_ESTATE);
	assert_non_null(strstr(err.msg, "2026-11-20"));
	assert_int_equal(notice_save(f->s, "import-2026Q4", "vendor-ready", NULL, "x\n", &err),
			 HMX_ESTATE);
	/* sent without an edit keeps the fresh text */
	assert_int_equal(notice_mark_sent(f->s, "import-2026Q4", "partner-findings", "HPC",
					  CAL_NO_DAY, &err), HMX_OK);
	assert_int_equal(notice_get(f->s, "import-2026Q4", "partner-findings", "HPC", &n, &err),
			 HMX_OK);
	assert_non_null(strstr(n.text, "Homeless Prevention Council"));
	assert_true(cal_parse_date("2026-04-10", &on));
	assert_int_equal(n.sent_on, on);
	notice_free(&n);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit WHERE action = 'notice.edit' AND "
					"object = 'import-2026Q4/notice/vendor-ready'"), 2);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit WHERE action = 'notice.sent' AND "
					"after = 'sent 2026-11-20'"), 1);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit WHERE action = 'notice.sent' AND "
					"object = 'import-2026Q4/notice/partner-findings/HPC'"), 1);
	assert_int_equal(notice_list(f->s, "import-2026Q4", &list, &cnt, &err), HMX_OK);
	assert_int_equal(cnt, 3);
	assert_string_equal(list[0].kind, "partner-findings");
	assert_string_equal(list[0].to, "HPC");
	assert_int_equal(list[2].state, NOTICE_SENT);
	assert_null(list[0].text);
	free(list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_templates, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_filled, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_partner_findings, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_partner_review, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_refused, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_edit_and_send, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
