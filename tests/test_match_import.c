/* tests/test_match_import.c — unit tests of the MCP member list back and
 * the import files (core/match_import, core/match_build): a client list
 * sent from a tiny export (made-up names), member lists written here with
 * each defect (M01-M09 by line and PersonalID; nothing of a bad row kept),
 * the comparison skipped once the list is purged (M05), a re-import
 * replacing the cycle's, a custom column mapping, option words and dates;
 * the build validated by hmx's own validator (FY2024 and FY2026: no
 * blocking finding, only Q data-quality flags for the 99s), rebuilt byte
 * for byte, the next cycle holding only the changes, the summary counts
 * for the screen, and no name or DOB in the database file. */
#include "testutil.h"
#include "fxstore.h"
#include "fxexport.h"

#include <sys/stat.h>

#include "core/config.h"
#include "core/consent.h"
#include "core/match.h"
#include "core/match_build.h"
#include "core/match_import.h"
#include "core/match_int.h"
#include "core/validate.h"

#define C1 "mcp-match-2026B5" /* 2026-03-01 .. 2026-04-30 */
#define C2 "mcp-match-2026B6" /* 2026-05-01 .. 2026-06-30 */

static const char *const pii[] = {
	"Vantreloe", "Gorsemund", "Quabbeline", "Ferrowick", "Ystradine", "Holloway-Pim",
	"Nobodysson", "1973-02-03", "1991-10-11", "1966-06-16", "03/02/1973",
};

struct ifx {
	struct fx fx;
	char list[600];
};

#define HDR                                                                                      \
	"HMIS Client ID,First Name,Last Name,Date of Birth,MCP,MCP Coverage/Plan Type,"           \
	"MCP Member ID,CIN,MCP Date of Enrollment,MCP Date of Exit,ECM,ECM Provider,"               \
	"Date of Enrollment for ECM,Date of Discharge for ECM,CS1 Name,CS1 Enrolled,CS1 Provider," \
	"CS1 Date of Enrollment,CS1 Date of Discharge\n"

static int setup(void **state)
{
	struct consent_import_result cres;
	struct match_list_result lres;
	struct hmx_err err;
	char xp[600], path[600];
	struct ifx *m = calloc(1, sizeof *m);
	struct fx *f;

	setenv("HMX_NOW", "2026-05-05T10:00:00Z", 1);
	fx_setup(state);
	f = *state;
	memcpy(&m->fx, f, sizeof *f);
	free(f);
	*state = m;
	f = &m->fx;
	tu_path(xp, sizeof xp, f->dir, "xp");
	assert_int_equal(mkdir(xp, 0755), 0);
	tu_write(xp, "Export.csv",
		 "ExportID,SourceName,ExportDate,ExportStartDate,ExportEndDate,SoftwareName,"
		 "CSVVersion\nE1,Test,2026-04-02 10:00:00,2026-03-01,2026-03-31,soft,2024 v1.3\n",
		 (size_t)-1);
	tu_write(xp, "Client.csv",
		 "PersonalID,FirstName,MiddleName,LastName,NameSuffix,NameDataQuality,DOB,"
		 "DOBDataQuality,Woman,Man,NonBinary,CulturallySpecific,Transgender,Questioning,"
		 "DifferentIdentity,GenderNone,DateUpdated,DateDeleted\n"
		 "p1,Vantreloe,,Gorsemund,,1,1973-02-03,1,1,0,0,0,0,0,0,,2026-03-01 08:00:00,\n"
		 "p2,Quabbeline,,Ferrowick,,1,1991-10-11,1,0,1,0,0,0,0,0,,2026-03-01 08:00:00,\n"
		 "p3,Ystradine,,Holloway-Pim,,1,1966-06-16,1,0,1,0,0,0,0,0,,2026-03-01 08:00:00,\n",
		 (size_t)-1);
	tu_write(xp, "Enrollment.csv",
		 "EnrollmentID,PersonalID,ProjectID,EntryDate,DateDeleted\n"
		 "e1,p1,501,2026-01-10,\ne2,p2,501,2026-01-10,\ne3,p3,501,2026-01-10,\n",
		 (size_t)-1);
	tu_write(xp, "Exit.csv", "ExitID,EnrollmentID,ExitDate,DateDeleted\n", (size_t)-1);
	tu_write(f->dir, "roster.csv",
		 "PersonalID,scope,start,end,revoked\np1,mcp-match,2025-01-01,,\n"
		 "p2,mcp-match,2025-01-01,,\np3,mcp-match,2025-01-01,,\np9,mcp-match,2025-01-01,,\n",
		 (size_t)-1);
	if (consent_import(f->s, tu_path(path, sizeof path, f->dir, "roster.csv"), &cres, &err) !=
	    HMX_OK)
		fail_msg("consent_import: %s", err.msg);
	consent_import_result_free(&cres);
	fx_cycle(f->s, "mcp-match", "2026B5");
	fx_cycle(f->s, "mcp-match", "2026B6");
	tu_path(m->list, sizeof m->list, f->dir, "list.csv");
	struct match_list_opts lo = { .cycle = C1, .from = xp, .output = m->list,
				      .active_since = CAL_NO_DAY };
	if (match_list(f->s, &lo, &lres, &err) != HMX_OK)
		fail_msg("match_list: %s", err.msg);
	assert_int_equal(lres.rows, 3);
	fx_agency(f->s, "MCP", "Plan");
	fx_project(f->s, "mcp-proj", "MCP members", "MCP", REG_SRC_HMIS, "900");
	assert_int_equal(config_set(f->s, "match.project", "mcp-proj", &err), HMX_OK);
	return 0;
}

static int teardown(void **state)
{
	struct ifx *m = *state;

	store_close(&m->fx.s);
	tu_rmtree(m->fx.dir);
	free(m);
	unsetenv("HMX_NOW");
	return 0;
}

static enum hmx_rc import(struct ifx *m, const char *cycle, const char *name, const char *text,
			  struct match_import_result *res)
{
	struct hmx_err err;
	char path[600];
	struct match_import_opts o = { .cycle = cycle, .path = path };
	enum hmx_rc rc;

	tu_write(m->fx.dir, name, text, (size_t)-1);
	tu_path(path, sizeof path, m->fx.dir, name);
	rc = match_import(m->fx.s, &o, res, &err);
	if (rc != HMX_OK)
		print_message("match_import: %s\n", err.msg);
	return rc;
}

static const struct match_finding *find(const struct match_finding *f, size_t n,
					const char *check, uint64_t line)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].check, check) == 0 && f[i].line == line)
			return &f[i];
	return NULL;
}

static void test_every_defect(void **state)
{
	struct ifx *m = *state;
	struct match_import_result res;
	struct match_finding *f;
	struct hmx_err err;
	size_t n;
	const char *text =
		HDR
		"p1,Vantreloe,Gorsemund,1973-02-03,Plan,Medi-Cal,M1,C1,2026-01-01,,enrolled,ECM Co,"
		"2026-02-01,,Housing Deposits,enrolled,Dep Co,2026-02-10,\n"  /* 2: kept */
		"p2,Quabbelina,Ferrowick,1991-10-11,Plan,Medi-Cal,M2,C2,2026-01-01,,,,,,,,,,\n" /* 3 M03 */
		"p3,Ystradine,Holloway-Pim,1966-06-17,Plan,Medi-Cal,M3,C3,2026-01-01,,,,,,,,,,\n" /* M04 */
		"p9,Nobodysson,X,1970-01-01,Plan,Medi-Cal,M9,C9,2026-01-01,,,,,,,,,,\n" /* 5 M02 */
		"q7,Nobodysson,Y,1970-01-01,Plan,Medi-Cal,M7,C7,2026-01-01,,,,,,,,,,\n" /* 6 M01 */
		"p1,Vantreloe,Gorsemund,1973-02-03,Plan,Medi-Cal,M1,C1,2026-01-01,,,,,,,,,,\n" /* M06 */
		",Nobodysson,Z,1970-01-01,Plan,Medi-Cal,,,2026-01-01,,,,,,,,,,\n"; /* 8 M01 */
	const char *text2 =
		HDR
		"p2,Quabbeline,Ferrowick,1991-10-11,Plan,Medi-Cal,M2,C2,2026-02-30,,,,,,,,,,\n" /* M07 */
		"p3,Ystradine,Holloway-Pim,1966-06-16,Plan,Medi-Cal,M3,C3,2026-03-01,2026-02-01,,,,,,,"
		",,\n"                                                                   /* 3 M08 */
		"p1,Vantreloe,Gorsemund,1973-02-03,Plan,Medicare,M1,C1,2026-01-01,,maybe,,,,,,,,\n"; /* M09 */

	assert_int_equal(import(m, C1, "m.csv", text, &res), HMX_OK);
	assert_int_equal(res.rows, 7);
	assert_int_equal(res.matched, 1);
	assert_int_equal(res.services, 2);
	assert_int_equal(res.blocking, 1);
	assert_int_equal(res.errors, 5);
	assert_int_equal(res.lists_compared, 1);
	assert_int_equal(match_findings(m->fx.s, C1, &f, &n, &err), HMX_OK);
	assert_int_equal(n, 6);
	assert_non_null(find(f, n, "M03", 3));
	assert_string_equal(find(f, n, "M03", 3)->personal_id, "p2");
	assert_string_equal(find(f, n, "M03", 3)->col, "First Name");
	assert_string_equal(find(f, n, "M04", 4)->personal_id, "p3");
	assert_string_equal(find(f, n, "M02", 5)->severity, "blocking");
	assert_string_equal(find(f, n, "M02", 5)->personal_id, "p9");
	assert_string_equal(find(f, n, "M01", 6)->personal_id, "q7");
	assert_string_equal(find(f, n, "M06", 7)->personal_id, "p1");
	assert_string_equal(find(f, n, "M01", 8)->personal_id, "");
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < sizeof pii / sizeof pii[0]; k++)
			assert_null(strstr(f[i].detail, pii[k]));
	free(f);
	assert_int_equal(fx_count(m->fx.s, "SELECT count(*) FROM match_return"), 1);
	assert_int_equal(fx_count(m->fx.s, "SELECT count(*) FROM match_service"), 2);
	assert_int_equal(fx_count(m->fx.s, "SELECT count(*) FROM match_member WHERE member_id='M1'"),
			 1);

	/* a second file replaces the first */
	assert_int_equal(import(m, C1, "m2.csv", text2, &res), HMX_OK);
	assert_true(res.replaced);
	assert_int_equal(res.matched, 0);
	assert_int_equal(res.blocking, 0);
	assert_int_equal(match_findings(m->fx.s, C1, &f, &n, &err), HMX_OK);
	assert_int_equal(n, 4);
	assert_string_equal(find(f, n, "M07", 2)->col, "MCP Date of Enrollment");
	assert_string_equal(find(f, n, "M08", 3)->col, "MCP Date of Exit");
	assert_non_null(find(f, n, "M09", 4));
	free(f);
	assert_int_equal(fx_count(m->fx.s, "SELECT count(*) FROM match_return"), 0);
	assert_int_equal(fx_count(m->fx.s, "SELECT count(*) FROM match_import"), 1);
	assert_int_equal(fx_count(m->fx.s, "SELECT count(*) FROM validation_run WHERE spec='match'"),
			 2);
}

static void test_purged_list_not_compared(void **state)
{
	struct ifx *m = *state;
	struct match_import_result res;
	struct match_purge_result pr;
	struct match_finding *f;
	struct hmx_err err;
	size_t n;

	assert_int_equal(match_purge(m->fx.s, C1, &pr, &err), HMX_OK);
	assert_int_equal(import(m, C1, "m.csv",
				HDR "p2,Quabbelina,Ferrowick,1991-10-12,Plan,D-SNP,M2,C2,2026-01-01,,,,,,,,,,\n",
				&res),
			 HMX_OK);
	assert_int_equal(res.lists_skipped, 1);
	assert_int_equal(res.matched, 1); /* nothing to compare with: kept */
	assert_int_equal(match_findings(m->fx.s, C1, &f, &n, &err), HMX_OK);
	assert_int_equal(n, 1);
	assert_string_equal(f[0].check, "M05");
	assert_int_equal(f[0].line, 0);
	assert_string_equal(f[0].severity, "warning");
	free(f);
}

static void test_mapping_words_dates(void **state)
{
	struct ifx *m = *state;
	struct match_colmap map;
	struct match_import_result res;
	struct match_import_opts o = { .cycle = C1 };
	struct hmx_err err;
	char path[600], cols[600], code[16], t[64];
	cal_day d;

	assert_int_equal(match_colmap_load(m->fx.s, NULL, &map, &err), HMX_OK);
	assert_string_equal(map.title[MC_ID], "HMIS Client ID");
	assert_string_equal(match_colmap_title(&map, MC_CS_START, 3, t, sizeof t),
			    "CS3 Date of Enrollment");
	assert_true(match_word(map.plan_words, "dual eligible special needs plan", 32, code,
			       sizeof code));
	assert_string_equal(code, "d-snp");
	assert_true(match_word(map.plan_words, "MEDI-CAL", 8, code, sizeof code));
	assert_string_equal(code, "medi-cal");
	assert_false(match_word(map.plan_words, "Medicare", 8, code, sizeof code));
	assert_true(match_word(map.enr_words, "Not Enrolled", 12, code, sizeof code));
	assert_string_equal(code, "no");
	assert_true(match_parse_day("2026-02-28", 10, &d));
	assert_true(match_parse_day("02/28/2026", 10, &d));
	assert_true(match_parse_day("2/8/2026", 8, &d));
	assert_true(match_parse_day("2026-02-28 00:00:00", 19, &d));
	assert_false(match_parse_day("2026-02-29", 10, &d));
	assert_false(match_parse_day("28.02.2026", 10, &d));
	assert_false(match_parse_day("13/01/2026", 10, &d));

	tu_write(m->fx.dir, "cols.ini",
		 "[columns]\nclient_id = Ref\nplan = Line of business\n"
		 "cs_name = Support {n}\n[plan]\nmedi-cal = MC\nd-snp = DS\n"
		 "[enrolled]\nyes = Y\nno = N\n",
		 (size_t)-1);
	tu_write(m->fx.dir, "own.csv",
		 "Ref,Line of business,MCP Date of Enrollment,Support 2,CS2 Enrolled\n"
		 "p1,DS,2026-01-01,Housing Navigation,Y\n",
		 (size_t)-1);
	o.path = tu_path(path, sizeof path, m->fx.dir, "own.csv");
	o.columns = tu_path(cols, sizeof cols, m->fx.dir, "cols.ini");
	assert_int_equal(match_import(m->fx.s, &o, &res, &err), HMX_OK);
	assert_int_equal(res.matched, 1);
	assert_int_equal(res.services, 1);
	assert_int_equal(fx_count(m->fx.s, "SELECT count(*) FROM match_return WHERE plan='d-snp'"),
			 1);
	o.columns = NULL; /* the default mapping: no "HMIS Client ID" column */
	assert_int_equal(match_import(m->fx.s, &o, &res, &err), HMX_EINVAL);
	tu_write(m->fx.dir, "bad.ini", "[columns]\nnope = X\n", (size_t)-1);
	o.columns = tu_path(cols, sizeof cols, m->fx.dir, "bad.ini");
	assert_int_equal(match_import(m->fx.s, &o, &res, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "nope"));
	o.cycle = "nope-2026B5";
	assert_int_equal(match_import(m->fx.s, &o, &res, &err), HMX_ENOTFOUND);
}

/* Validates dir/hmis-csv; every check fired is a Q (data quality). */
static void validate_clean(const char *dir, enum spec_version v)
{
	struct validate_result vr;
	struct validate_opts vo = { .spec = v, .threads = 1 };
	struct hmx_err err;
	char path[1100];

	snprintf(path, sizeof path, "%s/%s", dir, MATCH_HUD_DIR);
	assert_int_equal(validate_run(path, &vo, NULL, NULL, &vr, &err), HMX_OK);
	for (size_t i = 0; i < vr.nchecks; i++)
		if (vr.checks[i].total && vr.checks[i].check->id[0] != 'Q')
			fail_msg("%s: check %s fired %llu time(s)", spec_version_name(v),
				 vr.checks[i].check->id, (unsigned long long)vr.checks[i].total);
	assert_false(validate_blocking(&vr));
	validate_result_free(&vr);
}

static void same_files(const char *a, const char *b)
{
	static const char *const names[] = { "mcp_companion.csv", "hmis-csv/Export.csv",
		"hmis-csv/Client.csv", "hmis-csv/Enrollment.csv", "hmis-csv/Exit.csv",
		"hmis-csv/Project.csv", "hmis-csv/Services.csv" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char pa[900], pb[900];
		size_t la, lb;
		char *x = tu_slurp(tu_path(pa, sizeof pa, a, names[i]), &la);
		char *y = tu_slurp(tu_path(pb, sizeof pb, b, names[i]), &lb);

		assert_int_equal(la, lb);
		assert_memory_equal(x, y, la);
		free(x);
		free(y);
	}
}

static void test_build_and_delta(void **state)
{
	struct ifx *m = *state;
	struct match_import_result res;
	struct match_build_result br;
	struct match_summary sum;
	struct hmx_err err;
	struct stat sb;
	char d1[600], d1b[600], d2[600], d3[600], path[900], xp[600];
	struct match_build_opts o = { .cycle = C1, .dir = d1 };
	size_t len;
	char *text;

	tu_path(d1, sizeof d1, m->fx.dir, "imp1");
	tu_path(d1b, sizeof d1b, m->fx.dir, "imp1b");
	tu_path(d2, sizeof d2, m->fx.dir, "imp2");
	tu_path(d3, sizeof d3, m->fx.dir, "imp3");
	assert_int_equal(match_build(m->fx.s, &o, &br, &err), HMX_EINVAL); /* no import */
	assert_int_equal(import(m, C1, "m.csv",
				HDR
				"p1,Vantreloe,Gorsemund,1973-02-03,Plan,Medi-Cal,M1,C1,2026-01-01,,"
				"enrolled,ECM Co,2026-02-01,,,,,,\n"
				"p2,Quabbeline,Ferrowick,1991-10-11,Plan,D-SNP,M2,C2,2026-02-01,2026-06-30,"
				",,,,,,,,\n"
				"p3,Ystradine,Holloway-Pim,1966-06-16,Plan,Medi-Cal,M3,C3,2025-01-01,"
				"2026-01-31,,,,,,,,,\n",
				&res),
			 HMX_OK);
	assert_int_equal(match_summary_get(m->fx.s, C1, &sum, &err), HMX_OK);
	assert_true(sum.listed && sum.imported && !sum.built);
	assert_int_equal(sum.sent, 3);
	assert_int_equal(sum.returned, 3);
	assert_int_equal(sum.matched, 3);
	assert_int_equal(sum.findings, 0);
	/* p1 open; p2 ends after the period: still open; p3 closed, never enrolled */
	assert_int_equal(sum.to_enroll, 2);
	assert_int_equal(sum.to_exit, 0);
	assert_int_equal(sum.service_changes, 1);
	/* receive-members waits for send-list: the import says so */
	assert_false(res.step_ticked);
	assert_non_null(strstr(res.step_note, "send-list"));

	assert_int_equal(match_build(m->fx.s, &o, &br, &err), HMX_OK);
	/* build-import waits for review-match: the build says so */
	assert_false(br.step_ticked);
	assert_non_null(strstr(br.step_note, "review-match"));
	assert_int_equal(br.enrollments, 2);
	assert_int_equal(br.clients, 2);
	assert_int_equal(br.files, 25);
	tu_path(path, sizeof path, d1, "hmis-csv/Client.csv");
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	validate_clean(d1, SPEC_FY2024);
	/* once the steps before are closed, import and build tick theirs */
	{
		static const char *const before[] = { "confirm-releases", "build-list", "send-list" };
		for (size_t i = 0; i < 3; i++)
			assert_int_equal(step_set(m->fx.s, C1, before[i], STEP_DONE, "", &err), HMX_OK);
	}
	assert_int_equal(import(m, C1, "m.csv",
				HDR
				"p1,Vantreloe,Gorsemund,1973-02-03,Plan,Medi-Cal,M1,C1,2026-01-01,,"
				"enrolled,ECM Co,2026-02-01,,,,,,\n"
				"p2,Quabbeline,Ferrowick,1991-10-11,Plan,D-SNP,M2,C2,2026-02-01,2026-06-30,"
				",,,,,,,,\n"
				"p3,Ystradine,Holloway-Pim,1966-06-16,Plan,Medi-Cal,M3,C3,2025-01-01,"
				"2026-01-31,,,,,,,,,\n",
				&res),
			 HMX_OK);
	assert_true(res.step_ticked);
	assert_int_equal(step_set(m->fx.s, C1, "review-match", STEP_DONE, "", &err), HMX_OK);
	o.dir = d1b;
	assert_int_equal(match_build(m->fx.s, &o, &br, &err), HMX_OK);
	assert_true(br.step_ticked);
	same_files(d1, d1b);
	assert_int_equal(fx_count(m->fx.s, "SELECT count(*) FROM match_enrollment"), 2);
	assert_int_equal(match_summary_get(m->fx.s, C1, &sum, &err), HMX_OK);
	assert_true(sum.built);
	assert_int_equal(sum.to_enroll, 2); /* the cycle's own plan, as built */
	o.dir = d3;
	o.spec = SPEC_FY2026;
	assert_int_equal(match_build(m->fx.s, &o, &br, &err), HMX_OK);
	validate_clean(d3, SPEC_FY2026);

	/* next period: p2 terminated, p1's ECM discharged, p3 back */
	struct match_list_opts lo = { .cycle = C2, .from = tu_path(xp, sizeof xp, m->fx.dir, "xp"),
				      .output = tu_path(path, sizeof path, m->fx.dir, "list2.csv"),
				      .active_since = CAL_NO_DAY };
	struct match_list_result lres;
	assert_int_equal(match_list(m->fx.s, &lo, &lres, &err), HMX_OK);
	assert_int_equal(import(m, C2, "m2.csv",
				HDR
				"p1,Vantreloe,Gorsemund,1973-02-03,Plan,Medi-Cal,M1,C1,2026-01-01,,"
				"enrolled,ECM Co,2026-02-01,2026-05-15,,,,,\n"
				"p2,Quabbeline,Ferrowick,1991-10-11,Plan,D-SNP,M2,C2,2026-02-01,2026-06-30,"
				",,,,,,,,\n"
				"p3,Ystradine,Holloway-Pim,1966-06-16,Plan,Medi-Cal,M3-NEW,C3,2026-05-01,"
				",,,,,,,,,\n",
				&res),
			 HMX_OK);
	o = (struct match_build_opts){ .cycle = C2, .dir = d2 };
	assert_int_equal(match_build(m->fx.s, &o, &br, &err), HMX_OK);
	assert_int_equal(br.enrollments, 1); /* p3 */
	assert_int_equal(br.exits, 1);       /* p2 on 2026-06-30 */
	assert_int_equal(br.follow_up, 1);
	assert_int_equal(br.service_changes, 1);
	assert_int_equal(br.member_changes, 0);
	validate_clean(d2, SPEC_FY2024);
	text = tu_slurp(tu_path(path, sizeof path, d2, "hmis-csv/Exit.csv"), &len);
	assert_non_null(strstr(text, ",p2,2026-06-30,99,"));
	free(text);
	text = tu_slurp(tu_path(path, sizeof path, d2, "mcp_companion.csv"), &len);
	assert_non_null(strstr(text, "service-end,p1,"));
	assert_non_null(strstr(text, "exit,p2,"));
	assert_non_null(strstr(text, "enroll,p3,"));
	assert_null(strstr(text, "enroll,p1,"));
	free(text);
	o = (struct match_build_opts){ .cycle = C1, .dir = d1 };
	assert_int_equal(match_build(m->fx.s, &o, &br, &err), HMX_EINVAL); /* older cycle */

	/* no name or DOB in the database file */
	text = tu_slurp(m->fx.db, &len);
	for (size_t k = 0; k < sizeof pii / sizeof pii[0]; k++)
		for (size_t i = 0; i + strlen(pii[k]) <= len; i++)
			if (memcmp(text + i, pii[k], strlen(pii[k])) == 0)
				fail_msg("%s in the database", pii[k]);
	free(text);
}

static void test_build_refusals(void **state)
{
	struct ifx *m = *state;
	struct match_import_result res;
	struct match_build_result br;
	struct hmx_err err;
	char d[600], path[600];
	struct match_build_opts o = { .cycle = C1, .dir = tu_path(d, sizeof d, m->fx.dir, "o") };

	assert_int_equal(import(m, C1, "m.csv",
				HDR "p9,Nobodysson,X,1970-01-01,Plan,Medi-Cal,M9,C9,2026-01-01,,,,,,,,,,\n",
				&res),
			 HMX_OK);
	assert_int_equal(res.blocking, 1);
	assert_int_equal(match_build(m->fx.s, &o, &br, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "blocking"));
	assert_int_equal(import(m, C1, "m.csv",
				HDR "p1,Vantreloe,Gorsemund,1973-02-03,Plan,Medi-Cal,M1,C1,2026-01-01,,,,,,,"
				    ",,,\n",
				&res),
			 HMX_OK);
	assert_int_equal(config_set(m->fx.s, "match.project", "", &err), HMX_OK);
	assert_int_equal(match_build(m->fx.s, &o, &br, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "match.project"));
	o.project = "mcp-proj";
	assert_int_equal(unlink(tu_path(path, sizeof path, m->fx.dir, "m.csv")), 0);
	assert_int_equal(match_build(m->fx.s, &o, &br, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "gone or changed"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_defect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purged_list_not_compared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mapping_words_dates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_and_delta, setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_refusals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
