/* tests/test_validate.c — unit tests of core/validate (P, S and K checks),
 * core/report and core/validate_store. Every fixture is an export written
 * here (a folder or a zip in a mkdtemp directory): a clean FY2024 export
 * on which nothing fires, then for each check id a variation that makes
 * it fire exactly the number of times checks.md says — and nothing else.
 * Plus deleted rows, order and determinism across thread counts, the bad
 * inputs of issue 5, and the PII test: names, SSNs and birth dates of the
 * fixture appear in no output format and not in the database. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <strings.h>
#include <sys/stat.h>
#include <zip.h>

#include "testutil.h"
#include "fxvalidate.h"

#include "core/cycle.h"
#include "core/report.h"
#include "core/store.h"
#include "core/validate.h"
#include "core/validate_int.h"
#include "core/validate_store.h"

/* Q-clean answers of an adult head of household's enrollment and income
 * record (Q17, Q18, Q20). */
#define QCLEAN_ENR "EnrollmentCoC=XX-501;LivingSituation=116;LengthOfStay=2;" \
	"DateToStreetESSH=2023-12-01;TimesHomelessPastThreeYears=1;MonthsHomelessPastThreeYears=101"
#define QCLEAN_IB "IncomeFromAnySource=0;BenefitsFromAnySource=0;InsuranceFromAnySource=0"

/* The clean FY2024 fixture: every file with rows that pass every check. */
static void xp_clean(struct xp *x)
{
	xp_init(x, fy24);
	xp_row(x, "Export.csv", "ExportID=E1;CSVVersion=2024 v1.3;HashStatus=1;"
		"ExportDate=2024-10-01 08:00:00;ExportStartDate=2023-10-01;ExportEndDate=2024-09-30;"
		"SourceName=Test CoC;ExportPeriodType=3;ExportDirective=2");
	xp_row(x, "Organization.csv", "OrganizationID=O1;OrganizationName=Org One;VictimServiceProvider=0");
	xp_row(x, "User.csv", "UserID=U1");
	xp_row(x, "Project.csv", "ProjectID=P1;ProjectName=Shelter One;ProjectType=1;ContinuumProject=1;"
		"HousingType=1");
	xp_row(x, "Project.csv", "ProjectID=P2;ProjectName=Housing Two;ProjectType=3;ContinuumProject=1;"
		"HousingType=2");
	xp_row(x, "Funder.csv", "FunderID=F1;ProjectID=P1");
	xp_row(x, "ProjectCoC.csv", "ProjectCoCID=PC1;ProjectID=P1;CoCCode=XX-501;Geocode=250001;"
		"GeographyType=1");
	xp_row(x, "ProjectCoC.csv", "ProjectCoCID=PC2;ProjectID=P2;CoCCode=XX-501;Geocode=250001;"
		"GeographyType=2");
	xp_row(x, "Inventory.csv", "InventoryID=I1;ProjectID=P1;CoCCode=XX-501;UnitInventory=8;"
		"BedInventory=10;CHBedInventory=2;OtherBedInventory=8");
	xp_row(x, "Inventory.csv", "InventoryID=I2;ProjectID=P2;CoCCode=XX-501;UnitInventory=4;"
		"BedInventory=4;VetBedInventory=4");
	xp_row(x, "Affiliation.csv", "AffiliationID=AF1;ProjectID=P1;ResProjectID=P2");
	xp_row(x, "HMISParticipation.csv", "HMISParticipationID=HP1;ProjectID=P1");
	xp_row(x, "CEParticipation.csv", "CEParticipationID=CE1;ProjectID=P1");
	xp_row(x, "Client.csv", "PersonalID=C1;FirstName=Ann;LastName=Smith;DOB=1980-01-01;"
		"SSN=215567890;White=1;Woman=1");
	xp_row(x, "Client.csv", "PersonalID=C2;FirstName=Bob;LastName=Jones;DOB=1990-06-30;"
		"SSN=318204417;Asian=1;Man=1");
	xp_row(x, "Enrollment.csv", "EnrollmentID=EN1;PersonalID=C1;ProjectID=P1;HouseholdID=H1;"
		"EntryDate=2024-01-15;" QCLEAN_ENR);
	xp_row(x, "Enrollment.csv", "EnrollmentID=EN2;PersonalID=C2;ProjectID=P2;HouseholdID=H2;"
		"EntryDate=2024-03-01;DateCreated=2024-03-01 09:00:00;" QCLEAN_ENR);
	xp_row(x, "Exit.csv", "ExitID=X1;EnrollmentID=EN1;PersonalID=C1;ExitDate=2024-02-15;"
		"Destination=410");
	xp_row(x, "IncomeBenefits.csv", "IncomeBenefitsID=IB1;InformationDate=2024-01-15;"
		"DataCollectionStage=1;" QCLEAN_IB);
	xp_row(x, "IncomeBenefits.csv", "IncomeBenefitsID=IB2;InformationDate=2024-02-15;"
		"DataCollectionStage=3;" QCLEAN_IB);
	xp_row(x, "IncomeBenefits.csv", "IncomeBenefitsID=IB3;EnrollmentID=EN2;PersonalID=C2;"
		"InformationDate=2024-03-01;DataCollectionStage=1;" QCLEAN_IB);
	xp_row(x, "HealthAndDV.csv", "HealthAndDVID=HD1;InformationDate=2024-01-15;"
		"DataCollectionStage=1");
	xp_row(x, "EmploymentEducation.csv", "EmploymentEducationID=EE1;InformationDate=2024-01-15;"
		"DataCollectionStage=1");
	xp_row(x, "Disabilities.csv", "DisabilitiesID=D1;InformationDate=2024-01-15;DisabilityType=5;"
		"DisabilityResponse=1;DataCollectionStage=1");
	xp_row(x, "Disabilities.csv", "DisabilitiesID=D2;InformationDate=2024-01-15;DisabilityType=10;"
		"DisabilityResponse=3;DataCollectionStage=1");
	xp_row(x, "Services.csv", "ServicesID=S1;DateProvided=2024-01-15;RecordType=200;TypeProvided=200");
	xp_row(x, "CurrentLivingSituation.csv", "CurrentLivingSitID=CL1;InformationDate=2024-01-20");
	xp_row(x, "Assessment.csv", "AssessmentID=A1;AssessmentDate=2024-01-16");
	xp_row(x, "AssessmentQuestions.csv", "AssessmentQuestionID=AQ1;AssessmentQuestion=q1");
	xp_row(x, "AssessmentResults.csv", "AssessmentResultID=AR1;AssessmentResultType=t1");
	xp_row(x, "Event.csv", "EventID=EV1;EventDate=2024-01-17");
	xp_row(x, "YouthEducationStatus.csv", "YouthEducationStatusID=Y1;InformationDate=2024-01-15;"
		"DataCollectionStage=1");
}

/* Asserts the run succeeded and every check of the catalog fired exactly
 * as listed ("K01", 2, ..., NULL) and the rest not at all; the result's
 * counts agree with the findings delivered, which came after the summary
 * and in the contract's order. */
static void expect(const struct got *g, ...)
{
	va_list ap;

	va_start(ap, g);
	expect_in(g, NULL, ap);
	va_end(ap);
}

/* A fixture directory with x written in it. */
static void fx_dir(struct xp *x, char *dir, size_t n)
{
	tu_mkdtemp(dir, n);
	xp_write_dir(x, dir);
}

/* ==== tests ==== */

static void test_clean(void **state)
{
	struct xp x;
	struct got g;
	char dir[256];

	(void)state;
	xp_clean(&x);
	fx_dir(&x, dir, sizeof dir);
	run_path(dir, 2, &g);
	expect(&g, NULL);
	assert_int_equal(g.res.spec, SPEC_FY2024);
	assert_false(g.res.unreadable);
	assert_false(g.res.stopped);
	assert_false(validate_blocking(&g.res));
	assert_string_equal(g.res.version, "2024 v1.3");
	assert_string_equal(g.res.export_id, "E1");
	assert_string_equal(g.res.source_name, "Test CoC");
	assert_string_equal(g.res.start_date, "2023-10-01");
	assert_int_equal(g.res.hash_status, 1);
	assert_int_equal(g.res.nfiles, 24);
	assert_string_equal(g.res.files[10].name, "Client.csv");
	assert_int_equal(g.res.files[10].rows, 2);
	assert_int_equal(g.res.nprojects, 2);
	assert_string_equal(g.res.projects[0].id, "P1");
	assert_string_equal(g.res.projects[0].name, "Shelter One");
	got_free(&g);

	/* the same export as a zip, and in one sub-folder of a zip (P02) */
	{
		char zp[512];
		snprintf(zp, sizeof zp, "%s/export.zip", dir);
		xp_write_zip(&x, zp, "");
		run_path(zp, 1, &g);
		expect(&g, NULL);
		got_free(&g);
		xp_write_zip(&x, zp, "hmis_export/");
		run_path(zp, 2, &g);
		expect(&g, "P02", 1, NULL);
		assert_string_equal(first(&g, "P02")->file, "hmis_export/");
		assert_int_equal(first(&g, "P02")->sev, SPEC_SEV_WARNING);
		got_free(&g);
	}
	xp_free(&x);
	tu_rmtree(dir);
}

/* Runs x as a folder with threads workers. */
static void run_x(struct xp *x, unsigned threads, struct got *g)
{
	char dir[256];

	fx_dir(x, dir, sizeof dir);
	run_path(dir, threads, g);
	tu_rmtree(dir);
}

/* ---- P ---- */

static void test_p01_unreadable(void **state)
{
	struct got g;
	char dir[256], p[512];

	(void)state;
	run_path("/nonexistent/hmx/export", 2, &g);
	expect(&g, "P01", 1, NULL);
	assert_true(g.res.unreadable);
	assert_true(g.res.stopped);
	assert_int_equal(first(&g, "P01")->sev, SPEC_SEV_BLOCKING);
	assert_int_equal(first(&g, "P01")->line, 0);
	got_free(&g);

	/* a CSV file where an export is expected: not a zip */
	tu_mkdtemp(dir, sizeof dir);
	tu_write(dir, "Client.csv", "PersonalID\n1\n", (size_t)-1);
	run_path(tu_path(p, sizeof p, dir, "Client.csv"), 1, &g);
	expect(&g, "P01", 1, NULL);
	assert_true(g.res.unreadable);
	got_free(&g);
	tu_rmtree(dir);
}

static void test_p03_missing_and_empty(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	xp_remove(&x, "Affiliation.csv");
	xp_raw(&x, "Funder.csv", "", 0);
	xp_clear(&x, "Inventory.csv"); /* header only: present (D05: no inventory) */
	run_x(&x, 2, &g);
	expect(&g, "P03", 2, "D05", 2, NULL);
	assert_string_equal(g.v[0].file, "Funder.csv");
	assert_string_equal(g.v[0].detail, "empty");
	assert_string_equal(g.v[1].file, "Affiliation.csv");
	assert_string_equal(g.v[1].detail, "");
	assert_int_equal(g.v[1].sev, SPEC_SEV_BLOCKING);
	assert_false(g.res.files[7].present);
	got_free(&g);
	xp_free(&x);
}

static void test_p03_no_reference_flood(void **state)
{
	struct xp x;
	struct got g;

	/* Client.csv missing: P03 once, not K02 per enrollment */
	(void)state;
	xp_clean(&x);
	xp_remove(&x, "Client.csv");
	run_x(&x, 2, &g);
	expect(&g, "P03", 1, NULL);
	got_free(&g);
	xp_free(&x);
}

static void test_p04_unknown_files(void **state)
{
	struct xp x;
	struct got g;
	char dir[256];

	(void)state;
	xp_clean(&x);
	xp_raw(&x, "Notes.txt", "hello\n", 6);
	xp_raw(&x, "Extra.csv", "A,B\n1,2\n", 8);
	fx_dir(&x, dir, sizeof dir);
	tu_write(dir, "client.csv", "PersonalID\nC9\n", (size_t)-1); /* a second Client.csv */
	run_path(dir, 2, &g);
	expect(&g, "P04", 3, NULL);
	assert_int_equal(first(&g, "P04")->sev, SPEC_SEV_WARNING);
	{
		bool dupe = false;
		for (size_t i = 0; i < g.n; i++)
			dupe |= strcmp(g.v[i].detail, "duplicate") == 0;
		assert_true(dupe);
	}
	got_free(&g);
	xp_free(&x);
	tu_rmtree(dir);
}

static void test_p05_export_rows(void **state)
{
	struct xp x;
	struct got g;
	struct validate_opts o;
	char dir[256];

	(void)state;
	xp_clean(&x);
	xp_row(&x, "Export.csv", "ExportID=E1;CSVVersion=2024 v1.3;HashStatus=1");
	run_x(&x, 2, &g);
	expect(&g, "P05", 1, "K01", 1, NULL);
	assert_string_equal(first(&g, "P05")->file, "Export.csv");
	assert_int_equal(first(&g, "K01")->line, 3);
	got_free(&g);

	/* header only: no version to read, so forced */
	xp_clear(&x, "Export.csv");
	fx_dir(&x, dir, sizeof dir);
	validate_opts_default(&o);
	o.spec = SPEC_FY2024;
	run_opts(dir, &o, &g);
	expect(&g, "P05", 1, NULL);
	assert_true(g.res.spec_forced);
	got_free(&g);
	xp_free(&x);
	tu_rmtree(dir);
}

static void test_p06_unknown_version(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	xp_clear(&x, "Export.csv");
	xp_row(&x, "Export.csv", "ExportID=E1;CSVVersion=2030 v1;HashStatus=1;ExportDate=2024-13-01 00:00:00");
	xp_row(&x, "Event.csv", "EventID=EV2;EventDate=not a date"); /* never read */
	run_x(&x, 2, &g);
	expect(&g, "P06", 1, "S11", 1, NULL);
	assert_true(g.res.stopped);
	assert_int_equal(g.res.spec, SPEC_UNKNOWN);
	assert_string_equal(g.res.version, "2030 v1");
	assert_string_equal(first(&g, "S11")->file, "Export.csv");
	got_free(&g);
	xp_free(&x);
}

static void test_p07_hash_status(void **state)
{
	struct xp x;
	struct got g;
	const char *h64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char kv[512];

	(void)state;
	xp_clean(&x);
	xp_clear(&x, "Export.csv");
	xp_row(&x, "Export.csv", "ExportID=E1;CSVVersion=2024 v1.3;HashStatus=4;"
		"ExportDate=2024-10-01 08:00:00;ExportEndDate=2024-09-30");
	run_x(&x, 2, &g);
	expect(&g, "P07", 1, NULL);
	assert_string_equal(first(&g, "P07")->detail, "not-sha256");
	assert_int_equal(first(&g, "P07")->sev, SPEC_SEV_ERROR);
	got_free(&g);

	/* SHA-256 digests everywhere: fine, and no S14 on the long SSN */
	xp_clear(&x, "Client.csv");
	snprintf(kv, sizeof kv, "PersonalID=C1;FirstName=%s;LastName=%s;SSN=%s1234;"
		"DOB=1980-01-01;White=1;Woman=1", h64, h64, h64);
	xp_row(&x, "Client.csv", kv);
	snprintf(kv, sizeof kv, "PersonalID=C2;FirstName=%s;LastName=%s;SSN=%s;"
		"DOB=1990-06-30;Asian=1;Man=1", h64, h64, h64);
	xp_row(&x, "Client.csv", kv);
	run_x(&x, 2, &g);
	expect(&g, NULL);
	got_free(&g);

	/* unhashed export with a digest in it */
	xp_clear(&x, "Export.csv");
	xp_row(&x, "Export.csv", "ExportID=E1;CSVVersion=2024 v1.3;HashStatus=1;"
		"ExportDate=2024-10-01 08:00:00;ExportEndDate=2024-09-30");
	run_x(&x, 2, &g);
	/* names and SSNs over their lengths; digests are no SSNs (Q12) */
	expect(&g, "P07", 1, "S14", 6, "Q12", 2, NULL);
	assert_string_equal(first(&g, "P07")->detail, "hashed");
	got_free(&g);
	xp_free(&x);
}

/* Adds raw entries to an existing zip. */
static void zip_put(const char *path, const char *name, const void *data, size_t len)
{
	int zerr;
	zip_t *za = zip_open(path, 0, &zerr);
	zip_source_t *src;

	assert_non_null(za);
	src = zip_source_buffer(za, data, len, 0);
	assert_non_null(src);
	assert_true(zip_file_add(za, name, src, 0) >= 0);
	assert_int_equal(zip_close(za), 0);
}

static void test_p08_refused_entries(void **state)
{
	struct xp x;
	struct got g;
	char dir[256], zp[512];

	(void)state;
	xp_clean(&x);
	tu_mkdtemp(dir, sizeof dir);
	snprintf(zp, sizeof zp, "%s/evil.zip", dir);
	xp_write_zip(&x, zp, "");
	zip_put(zp, "../x.csv", "a\n", 2);
	zip_put(zp, "/etc/y.csv", "a\n", 2);
	run_path(zp, 2, &g);
	expect(&g, "P08", 2, NULL);
	assert_string_equal(g.v[0].file, "../x.csv");
	assert_string_equal(g.v[0].detail, "dotdot");
	assert_string_equal(g.v[1].detail, "absolute");
	got_free(&g);
	xp_free(&x);
	tu_rmtree(dir);
}

static void test_p09_bombs(void **state)
{
	struct xp x;
	struct got g;
	char dir[256], zp[512];
	size_t n = 8u << 20;
	char *big = malloc(n);

	(void)state;
	assert_non_null(big);
	/* declared: a huge entry that compresses 1000:1 */
	memset(big, ' ', n);
	xp_clean(&x);
	xp_raw(&x, "Event.csv", big, n);
	tu_mkdtemp(dir, sizeof dir);
	snprintf(zp, sizeof zp, "%s/bomb.zip", dir);
	xp_write_zip(&x, zp, "");
	run_path(zp, 2, &g);
	expect(&g, "P09", 1, NULL);
	assert_true(g.res.stopped);
	assert_false(g.res.unreadable);
	assert_string_equal(first(&g, "P09")->detail, "ratio");
	got_free(&g);

	/* a liar: the headers say 4000 bytes; only streaming sees the ratio.
	 * Validation stops: the findings of the files are dropped. */
	for (size_t i = 0; i + 4 <= n; i += 4)
		memcpy(big + i, "1,2\n", 4);
	xp_raw(&x, "Event.csv", big, n);
	xp_row(&x, "Client.csv", "PersonalID=C1"); /* K01, to be dropped */
	xp_write_zip(&x, zp, "");
	tu_zip_patch_size(zp, (uint32_t)n, 4000);
	for (unsigned t = 1; t <= 3; t += 2) {
		run_path(zp, t, &g);
		expect(&g, "P09", 1, NULL);
		assert_string_equal(first(&g, "P09")->file, "Event.csv");
		assert_true(g.res.stopped);
		got_free(&g);
	}

	/* the total limit, streaming */
	{
		struct validate_opts o;
		validate_opts_default(&o);
		o.limits.max_total = 1u << 20;
		o.limits.max_ratio = 1000000;
		o.threads = 2;
		run_opts(zp, &o, &g);
		expect(&g, "P09", 1, NULL);
		assert_string_equal(first(&g, "P09")->detail, "total");
		got_free(&g);
	}
	free(big);
	xp_free(&x);
	tu_rmtree(dir);
}

/* ---- S ---- */

static void test_s01_utf8(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	xp_row(&x, "Organization.csv", "OrganizationID=O2;OrganizationName=BADNAME1");
	xp_patch(&x, "Organization.csv", "BADNAME1", "B\xff\xfe", 3);
	xp_row(&x, "Organization.csv", "OrganizationID=O3;OrganizationName=BADNAME2");
	xp_patch(&x, "Organization.csv", "BADNAME2", "C\x01\xc3", 3); /* control + cut sequence */
	xp_row(&x, "Organization.csv", "OrganizationID=O4;OrganizationName=Caf\xc3\xa9"); /* fine */
	run_x(&x, 2, &g);
	expect(&g, "S01", 2, NULL);
	assert_int_equal(g.v[0].line, 3);
	assert_int_equal(g.v[1].line, 4);
	assert_string_equal(g.v[0].file, "Organization.csv");
	assert_int_equal(g.v[0].sev, SPEC_SEV_BLOCKING);
	got_free(&g);
	xp_free(&x);
}

static void test_s02_s03_bom_eol(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	xf(&x, "Client.csv")->bom = true;
	xf(&x, "Event.csv")->crlf_header = true;
	run_x(&x, 2, &g);
	expect(&g, "S02", 1, "S03", 1, NULL);
	assert_string_equal(first(&g, "S02")->file, "Client.csv");
	assert_string_equal(first(&g, "S03")->file, "Event.csv");
	assert_int_equal(first(&g, "S03")->line, 2);
	got_free(&g);
	xp_free(&x);
}

static void test_s04_quotes(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	xp_row(&x, "Event.csv", "EventID=EV2;LocationCrisisOrPHHousing=QUOTE");
	xp_patch(&x, "Event.csv", "QUOTE", "a\"b", 3);
	xp_row(&x, "Event.csv", "EventID=EV3;EventDate=2024-99-99"); /* not checked */
	xp_append(&x, "YouthEducationStatus.csv", "\"Y2,EN1,C1,2024-01-15\n", (size_t)-1);
	run_x(&x, 2, &g);
	expect(&g, "S04", 2, NULL);
	assert_string_equal(first(&g, "S04")->file, "Event.csv");
	assert_int_equal(first(&g, "S04")->line, 3);
	assert_string_equal(first(&g, "S04")->detail, "stray-quote");
	assert_string_equal(g.v[1].detail, "unterminated");
	assert_int_equal(g.v[1].line, 3);
	assert_true(g.res.files[22].halted);
	got_free(&g);
	xp_free(&x);
}

static void test_s05_missing_columns(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	xp_layout_edit(&x, "Event.csv", "DateUpdated", NULL, NULL, NULL);
	xp_clear(&x, "Event.csv");
	xp_row(&x, "Event.csv", "EventID=EV1;EventDate=2024-01-17");
	xp_layout_edit(&x, "Funder.csv", "ProjectID", NULL, NULL, NULL);
	xp_clear(&x, "Funder.csv");
	xp_row(&x, "Funder.csv", "FunderID=F1");
	run_x(&x, 2, &g);
	expect(&g, "S05", 2, NULL);
	assert_string_equal(g.v[0].file, "Funder.csv");
	assert_string_equal(g.v[0].column, "ProjectID");
	assert_int_equal(g.v[0].sev, SPEC_SEV_BLOCKING);
	assert_int_equal(g.v[0].line, 1);
	assert_string_equal(g.v[1].column, "DateUpdated");
	assert_int_equal(g.v[1].sev, SPEC_SEV_ERROR);
	got_free(&g);
	xp_free(&x);
}

static void test_s06_s07_s08_header(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	/* an extra column, a column in other case, two columns swapped */
	xp_layout_edit(&x, "Event.csv", NULL, "EventDate", "Event", "Remarks");
	xp_clear(&x, "Event.csv");
	xp_row(&x, "Event.csv", "EventID=EV1;EventDate=2024-01-17;Event=1");
	xp_layout_edit(&x, "Funder.csv", NULL, NULL, NULL, NULL);
	free(xf(&x, "Funder.csv")->cols[3]);
	xf(&x, "Funder.csv")->cols[3] = strdup("otherfunder");
	run_x(&x, 2, &g);
	expect(&g, "S06", 1, "S07", 1, "S08", 1, NULL);
	assert_string_equal(first(&g, "S06")->column, "Remarks");
	assert_int_equal(first(&g, "S06")->sev, SPEC_SEV_ERROR);
	assert_string_equal(first(&g, "S07")->column, "otherfunder");
	assert_int_equal(first(&g, "S07")->sev, SPEC_SEV_WARNING);
	assert_string_equal(first(&g, "S08")->file, "Event.csv");
	got_free(&g);

	/* a duplicate column is S06 "duplicate" */
	xp_layout_edit(&x, "Event.csv", NULL, NULL, NULL, "EventDate");
	xp_clear(&x, "Event.csv");
	xp_row(&x, "Event.csv", "EventID=EV1;EventDate=2024-01-17");
	run_x(&x, 2, &g);
	expect(&g, "S06", 1, "S07", 1, NULL);
	assert_string_equal(first(&g, "S06")->detail, "duplicate");
	got_free(&g);
	xp_free(&x);
}

static void test_s09_field_count(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	xp_append(&x, "Event.csv", "EV2,EN1,C1\n", (size_t)-1);
	run_x(&x, 2, &g);
	expect(&g, "S09", 1, NULL);
	assert_int_equal(first(&g, "S09")->line, 3);
	assert_string_equal(first(&g, "S09")->key, "EventID=EV2");
	assert_int_equal(first(&g, "S09")->sev, SPEC_SEV_ERROR);
	got_free(&g);
	xp_free(&x);
}

static void test_s10_to_s13_values(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	/* S10: an Eva HP column (blocking) and a plain one (error) */
	xp_row(&x, "IncomeBenefits.csv", "IncomeBenefitsID=IB9;EnrollmentID=EN2;PersonalID=C2;"
		"InformationDate=2024-03-01;DataCollectionStage=2;Earned=yes");
	xp_row(&x, "Exit.csv", "ExitID=X2;EnrollmentID=EN2;PersonalID=C2;ExitDate=2024-04-01;"
		"HousingAssessment=2147483648;Destination=410"); /* + Q20: no stage-3 record */
	/* S11: impossible date (HP, blocking), datetime with a T (error) */
	xp_row(&x, "Event.csv", "EventID=EV2;EventDate=2024-02-30;DateCreated=2024-01-17T09:00:00");
	/* S12: three decimals, a thousands separator; fine: -5, 12., 7.5 */
	xp_row(&x, "IncomeBenefits.csv", "IncomeBenefitsID=IB10;EnrollmentID=EN2;PersonalID=C2;"
		"InformationDate=2024-03-01;DataCollectionStage=2;EarnedAmount=12.345;"
		"UnemploymentAmount=1,000;SSIAmount=-5;SSDIAmount=12.;TotalMonthlyIncome=7.5");
	/* S13: empty non-nullable columns */
	xp_row(&x, "Event.csv", "EventID=EV3;EventDate=;DateUpdated=");
	run_x(&x, 2, &g);
	expect(&g, "S10", 2, "S11", 2, "S12", 2, "S13", 2, "Q20", 1, NULL);
	for (size_t i = 0; i < g.n; i++) {
		const struct frec *f = &g.v[i];
		if (strcmp(f->column, "Earned") == 0 || strcmp(f->column, "EventDate") == 0)
			assert_int_equal(f->sev, SPEC_SEV_BLOCKING);
		else
			assert_int_equal(f->sev, SPEC_SEV_ERROR);
	}
	assert_string_equal(first(&g, "S10")->key, "ExitID=X2");
	assert_string_equal(first(&g, "S10")->column, "HousingAssessment");
	assert_string_equal(first(&g, "S10")->project, "P2");
	got_free(&g);
	xp_free(&x);
}

static void test_s14_s15_strings(void **state)
{
	struct xp x;
	struct got g;
	char kv[2048], name[1024];

	(void)state;
	xp_clean(&x);
	memset(name, 'a', 201);
	name[201] = '\0';
	snprintf(kv, sizeof kv, "OrganizationID=O2;OrganizationName=%s", name);
	xp_row(&x, "Organization.csv", kv);
	/* 200 characters of two bytes each: within the limit */
	for (int i = 0; i < 200; i++)
		memcpy(name + 2 * i, "\xc3\xa9", 2);
	name[400] = '\0';
	snprintf(kv, sizeof kv, "OrganizationID=O3;OrganizationCommonName=%s", name);
	xp_row(&x, "Organization.csv", kv);
	xp_row(&x, "Organization.csv", "OrganizationID=O4;OrganizationName=Org <One> {x}");
	run_x(&x, 2, &g);
	expect(&g, "S14", 1, "S15", 1, NULL);
	assert_string_equal(first(&g, "S14")->key, "OrganizationID=O2");
	assert_string_equal(first(&g, "S15")->column, "OrganizationName");
	got_free(&g);
	xp_free(&x);
}

static void test_s16_s17_deleted(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	xp_row(&x, "Event.csv", "EventID=EV2;ExportID=E9");                /* S16 */
	/* deleted rows: counted (S17), S16 and S09 still apply, nothing else */
	xp_row(&x, "Event.csv", "EventID=EV1;EventDate=bad;EnrollmentID=EN9;UserID=U9;"
		"DateDeleted=2024-05-01 00:00:00");                            /* S17 */
	xp_row(&x, "Event.csv", "EventID=EV3;ExportID=E7;DateDeleted=2024-05-01 00:00:00"); /* S17+S16 */
	xp_append(&x, "Event.csv", "EV4,,,,,,,,,,,,,2024-05-01 00:00:00,E1,extra\n", (size_t)-1); /* S17+S09 */
	/* a client only a deleted row holds is missing for Enrollment (K02) */
	xp_row(&x, "Client.csv", "PersonalID=C3;DateDeleted=2024-05-01 00:00:00");
	xp_row(&x, "Enrollment.csv", "EnrollmentID=EN3;PersonalID=C3;HouseholdID=H3;ProjectID=P2;"
		QCLEAN_ENR);                                           /* + Q20: no income record */
	run_x(&x, 2, &g);
	expect(&g, "S16", 2, "S17", 4, "S09", 1, "K02", 1, "Q20", 1, NULL);
	assert_int_equal(first(&g, "S17")->sev, SPEC_SEV_WARNING);
	assert_string_equal(first(&g, "S17")->column, "DateDeleted");
	assert_int_equal(g.res.files[22].deleted, 3);
	assert_int_equal(g.res.files[22].rows, 5);
	assert_string_equal(first(&g, "K02")->key, "EnrollmentID=EN3");
	got_free(&g);
	xp_free(&x);
}

static void test_s18_codes(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	xp_row(&x, "Event.csv", "EventID=EV2;Event=77");
	/* lists picked by another column */
	xp_row(&x, "Services.csv", "ServicesID=S2;RecordType=200;TypeProvided=5");
	xp_row(&x, "Services.csv", "ServicesID=S3;RecordType=144;TypeProvided=3;SubTypeProvided=1");
	xp_row(&x, "Disabilities.csv", "DisabilitiesID=D3;DisabilityType=6;DisabilityResponse=3;"
		"DataCollectionStage=2");
	xp_row(&x, "Disabilities.csv", "DisabilitiesID=D4;DisabilityType=10;DisabilityResponse=2;"
		"DataCollectionStage=2");
	/* "01" is code 1 */
	xp_row(&x, "Event.csv", "EventID=EV3;Event=01");
	run_x(&x, 2, &g);
	expect(&g, "S18", 3, NULL);
	assert_string_equal(g.v[0].key, "DisabilitiesID=D3");
	assert_string_equal(g.v[1].column, "TypeProvided");
	assert_string_equal(g.v[2].column, "Event");
	got_free(&g);
	xp_free(&x);
}

/* ---- K ---- */

static void test_k01_duplicates(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	xp_row(&x, "Event.csv", "EventID=EV1");
	xp_row(&x, "Event.csv", "EventID=EV1");
	xp_row(&x, "Client.csv", "PersonalID=C1");
	xp_row(&x, "Event.csv", "EventID=ev1"); /* IDs are exact */
	run_x(&x, 2, &g);
	expect(&g, "K01", 3, NULL);
	assert_string_equal(g.v[0].file, "Client.csv");
	assert_int_equal(g.v[0].line, 4);
	assert_int_equal(g.v[1].line, 3);
	assert_int_equal(g.v[2].line, 4);
	assert_string_equal(g.v[2].key, "EventID=EV1");
	assert_int_equal(g.v[2].sev, SPEC_SEV_BLOCKING);
	got_free(&g);
	xp_free(&x);
}

static void test_k02_to_k05_references(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	/* the new heads of household have no income records: Q20 at entry (and
	 * at EN3's exit) */
	xp_row(&x, "Enrollment.csv", "EnrollmentID=EN3;PersonalID=C9;HouseholdID=H3;ProjectID=P2;"
		QCLEAN_ENR);                                                                   /* K02 */
	xp_row(&x, "Enrollment.csv", "EnrollmentID=EN4;PersonalID=C2;ProjectID=P9;HouseholdID=H4;"
		QCLEAN_ENR);                                                                   /* K03 */
	xp_row(&x, "Event.csv", "EventID=EV2;EnrollmentID=EN9");                           /* K04 */
	xp_row(&x, "Event.csv", "EventID=EV3;EnrollmentID=EN1;PersonalID=C2");              /* K05 */
	xp_row(&x, "Exit.csv", "ExitID=X2;EnrollmentID=EN3;PersonalID=C9;Destination=410"); /* same orphan: fine */
	run_x(&x, 2, &g);
	expect(&g, "K02", 1, "K03", 1, "K04", 1, "K05", 1, "Q20", 3, NULL);
	assert_string_equal(first(&g, "K02")->key, "EnrollmentID=EN3");
	assert_string_equal(first(&g, "K02")->column, "PersonalID");
	assert_string_equal(first(&g, "K03")->project, "");
	assert_int_equal(first(&g, "K04")->sev, SPEC_SEV_ERROR);
	assert_string_equal(first(&g, "K05")->project, "P1");
	got_free(&g);
	xp_free(&x);
}

static void test_k06_k07_k10(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	xp_row(&x, "Funder.csv", "FunderID=F2;ProjectID=P9");
	xp_row(&x, "Project.csv", "ProjectID=P3;OrganizationID=O9");
	xp_row(&x, "Affiliation.csv", "AffiliationID=AF2;ProjectID=P9;ResProjectID=P8"); /* one row */
	xp_row(&x, "Affiliation.csv", "AffiliationID=AF3;ResProjectID=P8");
	xp_row(&x, "Event.csv", "EventID=EV2;UserID=U9");
	xp_row(&x, "Event.csv", "EventID=EV3;UserID=U9");
	xp_row(&x, "AssessmentQuestions.csv", "AssessmentQuestionID=AQ2;AssessmentID=A9;"
		"AssessmentQuestion=q");
	run_x(&x, 2, &g);
	expect(&g, "K06", 4, "K07", 2, "K10", 1, NULL);
	assert_string_equal(g.v[0].file, "Project.csv");
	assert_string_equal(g.v[0].column, "OrganizationID");
	assert_string_equal(g.v[0].project, "P3");
	got_free(&g);
	xp_free(&x);
}

static void test_k08_households(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	/* household members (not heads), adults without income records (Q20) */
	xp_row(&x, "Enrollment.csv", "EnrollmentID=EN3;PersonalID=C2;ProjectID=P2;HouseholdID=H1;"
		"RelationshipToHoH=2;" QCLEAN_ENR);
	xp_row(&x, "Enrollment.csv", "EnrollmentID=EN4;PersonalID=C2;ProjectID=P2;HouseholdID=H1;"
		"RelationshipToHoH=2;EntryDate=2024-01-16;DateCreated=2024-01-16 09:00:00;" QCLEAN_ENR);
	xp_row(&x, "Enrollment.csv", "EnrollmentID=EN5;PersonalID=C2;ProjectID=P9;HouseholdID=H2;"
		"RelationshipToHoH=2;" QCLEAN_ENR);
	run_x(&x, 2, &g);
	expect(&g, "K08", 2, "K03", 1, "Q20", 3, NULL);
	assert_string_equal(first(&g, "K08")->key, "HouseholdID=H1");
	assert_int_equal(first(&g, "K08")->line, 4);
	got_free(&g);
	xp_free(&x);
}

static void test_k09_no_enrollments(void **state)
{
	static const char *const level[] = { "Enrollment.csv", "Exit.csv", "IncomeBenefits.csv",
		"HealthAndDV.csv", "EmploymentEducation.csv", "Disabilities.csv", "Services.csv",
		"CurrentLivingSituation.csv", "Assessment.csv", "AssessmentQuestions.csv",
		"AssessmentResults.csv", "Event.csv", "YouthEducationStatus.csv" };
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	for (size_t i = 0; i < sizeof level / sizeof level[0]; i++)
		xp_clear(&x, level[i]);
	xp_row(&x, "Enrollment.csv", "EnrollmentID=EN1;DateDeleted=2024-05-01 00:00:00");
	run_x(&x, 2, &g);
	expect(&g, "K09", 1, "S17", 1, NULL);
	assert_string_equal(first(&g, "K09")->file, "Enrollment.csv");
	assert_int_equal(first(&g, "K09")->line, 0);
	got_free(&g);
	xp_free(&x);
}

static void test_k11_k12_stages(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	xp_row(&x, "IncomeBenefits.csv", "IncomeBenefitsID=IB4;InformationDate=2024-01-15;"
		"DataCollectionStage=1;" QCLEAN_IB);                                /* K11 */
	xp_row(&x, "IncomeBenefits.csv", "IncomeBenefitsID=IB5;InformationDate=2024-01-15;"
		"DataCollectionStage=1;" QCLEAN_IB);                                /* K11 */
	xp_row(&x, "Disabilities.csv", "DisabilitiesID=D3;InformationDate=2024-01-15;DisabilityType=5;"
		"DisabilityResponse=0;DataCollectionStage=1");                      /* K11 */
	xp_row(&x, "Disabilities.csv", "DisabilitiesID=D4;InformationDate=2024-01-15;DisabilityType=6;"
		"DisabilityResponse=0;DataCollectionStage=1");                      /* other type */
	xp_row(&x, "HealthAndDV.csv", "HealthAndDVID=HD2;EnrollmentID=EN2;PersonalID=C2;"
		"InformationDate=2024-03-05;DataCollectionStage=1");                /* K12 entry */
	xp_row(&x, "EmploymentEducation.csv", "EmploymentEducationID=EE2;InformationDate=2024-02-16;"
		"DataCollectionStage=3");                                           /* K12 exit */
	xp_row(&x, "EmploymentEducation.csv", "EmploymentEducationID=EE3;EnrollmentID=EN2;"
		"PersonalID=C2;InformationDate=2024-09-01;DataCollectionStage=3");  /* no exit */
	xp_row(&x, "YouthEducationStatus.csv", "YouthEducationStatusID=Y2;EnrollmentID=EN8;"
		"InformationDate=2024-01-15;DataCollectionStage=1");                /* K04 */
	xp_row(&x, "YouthEducationStatus.csv", "YouthEducationStatusID=Y3;EnrollmentID=EN8;"
		"InformationDate=2024-01-15;DataCollectionStage=1");                /* K04 + K11 */
	xp_row(&x, "YouthEducationStatus.csv", "YouthEducationStatusID=Y4;"
		"InformationDate=2024-01-15;DataCollectionStage=2");                /* update: fine */
	run_x(&x, 2, &g);
	expect(&g, "K11", 4, "K12", 2, "K04", 2, NULL);
	assert_string_equal(first(&g, "K12")->column, "InformationDate");
	assert_string_equal(first(&g, "K11")->key, "IncomeBenefitsID=IB4");
	got_free(&g);
	xp_free(&x);
}

/* ---- the bad inputs of issue 5: findings or one clear error ---- */

static void test_robust_files(void **state)
{
	struct xp x;
	struct got g;
	char *big;
	size_t n;

	(void)state;
	/* empty file; header only */
	xp_clean(&x);
	xp_raw(&x, "Event.csv", "", 0);
	xp_clear(&x, "Assessment.csv");
	xp_clear(&x, "AssessmentQuestions.csv");
	xp_clear(&x, "AssessmentResults.csv");
	run_x(&x, 2, &g);
	expect(&g, "P03", 1, NULL);
	got_free(&g);
	xp_free(&x);

	/* 0-byte Export.csv: no version */
	xp_clean(&x);
	xp_raw(&x, "Export.csv", "", 0);
	run_x(&x, 2, &g);
	expect(&g, "P03", 1, "P06", 1, NULL);
	assert_true(g.res.stopped);
	got_free(&g);
	xp_free(&x);

	/* a binary file named .csv */
	xp_clean(&x);
	n = 4096;
	big = malloc(n);
	assert_non_null(big);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)((i * 2654435761u) >> 13);
	xp_raw(&x, "Event.csv", big, n);
	run_x(&x, 2, &g);
	assert_int_equal(g.rc, HMX_OK);
	assert_true(g.n > 0);
	assert_true(nof(&g, "S01") > 0);
	got_free(&g);
	free(big);
	xp_free(&x);

	/* a 10 MB single field: the size guard stops the file (S14 "guard") */
	xp_clean(&x);
	n = 10u << 20;
	big = malloc(n + 1);
	assert_non_null(big);
	memset(big, 'a', n);
	big[n] = '\0';
	xp_append(&x, "Event.csv", "EV2,EN1,C1,2024-01-17,1,,,", (size_t)-1);
	xp_append(&x, "Event.csv", big, n);
	xp_append(&x, "Event.csv", ",,,2024-01-17 09:00:00,2024-01-17 09:00:00,U1,,E1\n", (size_t)-1);
	xp_row(&x, "Event.csv", "EventID=EV3;EventDate=bad"); /* not checked */
	run_x(&x, 2, &g);
	expect(&g, "S14", 1, NULL);
	assert_string_equal(first(&g, "S14")->detail, "guard");
	assert_string_equal(first(&g, "S14")->column, "LocationCrisisOrPHHousing");
	got_free(&g);
	free(big);
	xp_free(&x);

	/* a row with 1,000 fields */
	xp_clean(&x);
	xp_row(&x, "Event.csv", "EventID=EV2;ExportID=ZZEND");
	{
		char *t = NULL;
		size_t l = 0, cap = 0;
		xs_add(&t, &l, &cap, "E1", 2);
		for (int i = 15; i < 1000; i++)
			xs_add(&t, &l, &cap, ",x", 2);
		xp_patch(&x, "Event.csv", "ZZEND", t, l);
		free(t);
	}
	run_x(&x, 2, &g);
	expect(&g, "S09", 1, NULL);
	got_free(&g);
	xp_free(&x);

	/* header names in other case: S07 per column, rows read as usual */
	xp_clean(&x);
	for (size_t i = 0; i < xf(&x, "Event.csv")->ncols; i++)
		for (char *c = xf(&x, "Event.csv")->cols[i]; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
	xp_row(&x, "Event.csv", "EventID=EV1"); /* K01: the columns mapped */
	run_x(&x, 2, &g);
	expect(&g, "S07", 15, "K01", 1, NULL);
	got_free(&g);
	xp_free(&x);

	/* mixed CRLF / LF, and a header without a single known name (data
	 * where the header should be): columns named by position only */
	xp_clean(&x);
	xp_append(&x, "Event.csv", "EV2,EN1,C1,2024-01-17,1,,,,,,2024-01-17 09:00:00,"
		"2024-01-17 09:00:00,U1,,E1\r\n", (size_t)-1);
	xf(&x, "Funder.csv")->header_off = true;
	run_x(&x, 2, &g);
	assert_int_equal(g.rc, HMX_OK);
	assert_int_equal(nof(&g, "S03"), 1);
	assert_true(nof(&g, "S06") > 0);
	assert_string_equal(first(&g, "S06")->column, "#1");
	got_free(&g);
	xp_free(&x);
}

static void test_robust_archives(void **state)
{
	struct xp x;
	struct got g;
	char dir[256], zp[512];
	size_t len;
	unsigned char *b;
	FILE *f;

	(void)state;
	xp_clean(&x);
	tu_mkdtemp(dir, sizeof dir);
	snprintf(zp, sizeof zp, "%s/t.zip", dir);
	xp_write_zip(&x, zp, "");
	/* truncated: no central directory */
	b = tu_slurp(zp, &len);
	f = fopen(zp, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, len / 2, f), len / 2);
	fclose(f);
	run_path(zp, 2, &g);
	expect(&g, "P01", 1, NULL);
	assert_true(g.res.unreadable);
	got_free(&g);

	/* data of one entry damaged: P01 read-error, the rest validated */
	{
		zip_t *za;
		int zerr;
		size_t big = 300000;
		char *t = malloc(big);
		assert_non_null(t);
		for (size_t i = 0; i < big; i++)
			t[i] = i % 60 == 59 ? '\n' : (char)('a' + (i * 7 + i / 13) % 26);
		xp_raw(&x, "Services.csv", t, big);
		xp_write_zip(&x, zp, "");
		free(t);
		free(b);
		b = tu_slurp(zp, &len);
		za = zip_open(zp, ZIP_RDONLY, &zerr);
		assert_non_null(za);
		{
			zip_stat_t st;
			zip_int64_t idx = zip_name_locate(za, "Services.csv", 0);
			assert_true(idx >= 0);
			assert_int_equal(zip_stat_index(za, (zip_uint64_t)idx, 0, &st), 0);
			zip_discard(za);
			/* find the local header of Services.csv and wreck its data */
			for (size_t i = 0; i + 30 < len; i++) {
				if (b[i] == 'P' && b[i + 1] == 'K' && b[i + 2] == 3 && b[i + 3] == 4 &&
				    memcmp(b + i + 30, "Services.csv", 12) == 0) {
					size_t at = i + 30 + 12 + (b[i + 28] | b[i + 29] << 8) + 100;
					for (size_t k = 0; k < 200 && at + k < len; k++)
						b[at + k] ^= 0x5a;
					break;
				}
			}
		}
		f = fopen(zp, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(b, 1, len, f), len);
		fclose(f);
		run_path(zp, 2, &g);
		assert_int_equal(g.rc, HMX_OK);
		assert_int_equal(nof(&g, "P01"), 1);
		assert_string_equal(first(&g, "P01")->file, "Services.csv");
		assert_string_equal(first(&g, "P01")->detail, "read-error");
		assert_false(g.res.unreadable);
		got_free(&g);
	}
	free(b);
	xp_free(&x);
	tu_rmtree(dir);
}

/* ---- order and determinism ---- */

static void messy(struct xp *x)
{
	xp_clean(x);
	xp_row(x, "Export.csv", "ExportID=E1;CSVVersion=2024 v1.3;HashStatus=1");
	xp_remove(x, "Affiliation.csv");
	xp_raw(x, "Notes.txt", "n\n", 2);
	xp_row(x, "Organization.csv", "OrganizationID=O1;OrganizationName=a<b;VictimServiceProvider=7");
	xp_row(x, "Project.csv", "ProjectID=P3;OrganizationID=O9;OperatingStartDate=2024-02-30");
	xp_row(x, "Client.csv", "PersonalID=C1;DOB=1980-13-01;UserID=U7");
	xf(x, "Client.csv")->bom = true;
	for (int i = 0; i < 40; i++) {
		char kv[256];
		snprintf(kv, sizeof kv, "EnrollmentID=EN%d;PersonalID=C%d;ProjectID=P%d;HouseholdID=H%d;"
			"EntryDate=2024-01-%02d;RelationshipToHoH=%d", 10 + i, i % 5, i % 4, i % 7,
			1 + i % 40, i % 3 ? 1 : 77);
		xp_row(x, "Enrollment.csv", kv);
	}
	for (int i = 0; i < 60; i++) {
		char kv[256];
		snprintf(kv, sizeof kv, "ServicesID=S%d;EnrollmentID=EN%d;PersonalID=C%d;"
			"DateProvided=2024-02-%02d;RecordType=200;TypeProvided=%d;ExportID=E%d",
			i % 45, 10 + i % 50, i % 6, 1 + i % 31, i % 9 ? 200 : 5, i % 11 ? 1 : 2);
		xp_row(x, "Services.csv", kv);
	}
	xp_row(x, "IncomeBenefits.csv", "IncomeBenefitsID=IB1;InformationDate=2024-01-16;"
		"DataCollectionStage=1;Earned=x");
	xp_append(x, "Event.csv", "EV9,EN1\n", (size_t)-1);
}

static int rank_file(const char *f)
{
	for (size_t i = 0; i < spec_nfiles(fy24); i++)
		if (strcmp(spec_file_at(fy24, i)->name, f) == 0)
			return (int)i;
	return -1;
}

static void test_order_and_determinism(void **state)
{
	struct xp x;
	struct got a, b;
	char dir[256];

	(void)state;
	messy(&x);
	fx_dir(&x, dir, sizeof dir);
	run_path(dir, 1, &a);
	assert_int_equal(a.rc, HMX_OK);
	assert_true(a.n > 100);
	for (unsigned t = 2; t <= 4; t++) {
		run_path(dir, t, &b);
		assert_int_equal(b.rc, HMX_OK);
		assert_int_equal(a.n, b.n);
		assert_memory_equal(a.v, b.v, a.n * sizeof *a.v);
		got_free(&b);
	}
	/* P first (by check id), then files in spec order, line, check id */
	for (size_t i = 1; i < a.n; i++) {
		const struct frec *p = &a.v[i - 1], *q = &a.v[i];
		bool pp = p->check[0] == 'P', qp = q->check[0] == 'P';
		if (pp || qp) {
			assert_true(pp || !qp);
			if (pp && qp)
				assert_true(strcmp(p->check, q->check) <= 0);
			continue;
		}
		assert_true(rank_file(p->file) <= rank_file(q->file));
		if (rank_file(p->file) == rank_file(q->file)) {
			assert_true(p->line <= q->line);
			if (p->line == q->line)
				assert_true(strcmp(p->check, q->check) <= 0);
		}
	}
	got_free(&a);
	xp_free(&x);
	tu_rmtree(dir);
}

static void test_many_findings_spill(void **state)
{
	struct xp x;
	struct got g;
	enum { N = 20000 };

	/* more findings in one file than a sink keeps in memory: spilled,
	 * merged back in order */
	(void)state;
	xp_clean(&x);
	for (int i = 0; i < N; i++) {
		char kv[128];
		snprintf(kv, sizeof kv, "EventID=EV%d;ExportID=E2;EventDate=2024-01-%02d", 100 + i,
			i % 7 ? 17 : 32);
		xp_row(&x, "Event.csv", kv);
	}
	run_x(&x, 2, &g);
	expect(&g, "S16", N, "S11", (N + 6) / 7, NULL);
	for (size_t i = 1; i < g.n; i++) {
		assert_true(g.v[i - 1].line <= g.v[i].line);
		if (g.v[i - 1].line == g.v[i].line)
			assert_true(strcmp(g.v[i - 1].check, g.v[i].check) < 0);
	}
	assert_int_equal(g.v[0].line, 3);
	assert_string_equal(g.v[0].check, "S11");
	got_free(&g);
	xp_free(&x);
}

/* ---- reports, store, PII ---- */

struct tee {
	struct report *rep[3];
	struct vstore *vs;
};

static int tee_finding(void *ctx, const struct validate_finding *f)
{
	struct tee *t = ctx;

	for (int i = 0; i < 3; i++)
		if (t->rep[i] && report_finding(t->rep[i], f))
			return 1;
	return t->vs ? vstore_finding(t->vs, f) : 0;
}

static void tee_summary(void *ctx, const struct validate_result *res)
{
	struct tee *t = ctx;

	for (int i = 0; i < 3; i++)
		if (t->rep[i])
			report_summary(t->rep[i], res);
}

struct outs {
	char *text[3];
	size_t len[3];
	struct validate_result res;
};

/* Runs path with all three reports into memory and, when s is set, the
 * store for cycle. */
static void run_reports(const char *path, struct store *s, const char *cycle, size_t examples,
	struct outs *o)
{
	static const enum report_format fm[3] = { REPORT_TEXT, REPORT_CSV, REPORT_JSON };
	struct tee t = { { NULL, NULL, NULL }, NULL };
	FILE *mf[3];
	struct validate_opts vo;
	struct hmx_err err;

	memset(o, 0, sizeof *o);
	for (int i = 0; i < 3; i++) {
		struct report_opts ro = { fm[i], examples, path };
		mf[i] = open_memstream(&o->text[i], &o->len[i]);
		assert_non_null(mf[i]);
		assert_int_equal(report_open(mf[i], &ro, &t.rep[i], &err), HMX_OK);
	}
	if (s)
		assert_int_equal(vstore_begin(s, cycle, path, &t.vs, &err), HMX_OK);
	validate_opts_default(&vo);
	vo.on_summary = tee_summary;
	assert_int_equal(validate_run(path, &vo, tee_finding, &t, &o->res, &err), HMX_OK);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(report_close(&t.rep[i], &o->res, &err), HMX_OK);
		assert_null(t.rep[i]);
		fclose(mf[i]);
	}
	if (s) {
		assert_int_equal(vstore_finish(&t.vs, &o->res, &err), HMX_OK);
		assert_null(t.vs);
	}
}

static void outs_free(struct outs *o)
{
	for (int i = 0; i < 3; i++)
		free(o->text[i]);
	validate_result_free(&o->res);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_reports(void **state)
{
	struct xp x;
	struct outs o;
	char dir[256];

	(void)state;
	xp_clean(&x);
	xp_row(&x, "Event.csv", "EventID=EV1");
	xp_row(&x, "Event.csv", "EventID=EV1");
	xp_row(&x, "Event.csv", "EventID=EV7;LocationCrisisOrPHHousing=a,\"b\"");
	xp_row(&x, "Funder.csv", "FunderID=F2;ProjectID=P2;DateUpdated=2024-02-30 10:00:00");
	fx_dir(&x, dir, sizeof dir);
	run_reports(dir, NULL, NULL, 1, &o);

	/* json: the shape of issue 5 */
	assert_true(strncmp(o.text[2], "{\"version\":\"2024 v1.3\",\"spec\":\"FY2024\",\"files\":{"
		"\"Export.csv\":{\"rows\":1,", 70) == 0);
	assert_non_null(strstr(o.text[2], "\"Event.csv\":{\"rows\":4,"));
	assert_non_null(strstr(o.text[2], "\"counts\":{\"S11\":1,\"K01\":2}"));
	assert_non_null(strstr(o.text[2], "{\"check\":\"S11\",\"severity\":\"error\",\"file\":"
		"\"Funder.csv\",\"line\":3,\"key\":\"FunderID=F2\",\"column\":\"DateUpdated\","
		"\"project\":\"P2\"}"));
	assert_non_null(strstr(o.text[2], "{\"check\":\"K01\",\"severity\":\"blocking\",\"file\":"
		"\"Event.csv\",\"line\":3,\"key\":\"EventID=EV1\",\"project\":\"P1\"}"));
	assert_non_null(strstr(o.text[2], "\"findings\":[\n{"));
	assert_int_equal(strcmp(o.text[2] + o.len[2] - 4, "\n]}\n"), 0);

	/* csv: a header and one line per finding */
	assert_true(strncmp(o.text[1], "check,severity,file,line,key,column,detail,project\n", 51) == 0);
	assert_int_equal(count_lines(o.text[1]), 1 + 3);
	assert_non_null(strstr(o.text[1], "K01,blocking,Event.csv,4,EventID=EV1,,,P1\n"));

	/* text: facts, checks with examples, projects, verdict */
	assert_non_null(strstr(o.text[0], "Export E1 from Test CoC"));
	assert_non_null(strstr(o.text[0], "CSVVersion \"2024 v1.3\": FY2024"));
	assert_non_null(strstr(o.text[0], "Findings: 2 blocking, 1 errors, 0 warnings"));
	assert_non_null(strstr(o.text[0], "  K01           2  duplicate primary key\n"
		"         Event.csv:3  EventID=EV1  project P1\n         ... and 1 more\n"));
	assert_non_null(strstr(o.text[0], "Funder.csv:3  FunderID=F2  column DateUpdated"));
	assert_non_null(strstr(o.text[0], "  P1                            2          0          0  Shelter One"));
	assert_non_null(strstr(o.text[0], "  P2                            0          1          0  Housing Two"));
	assert_non_null(strstr(o.text[0], "Verdict: BLOCKED: 2 blocking findings"));
	outs_free(&o);

	/* the clean export's verdict; an empty JSON findings array */
	xp_free(&x);
	tu_rmtree(dir);
	xp_clean(&x);
	fx_dir(&x, dir, sizeof dir);
	run_reports(dir, NULL, NULL, 3, &o);
	assert_non_null(strstr(o.text[0], "Verdict: CLEAN: no finding."));
	assert_non_null(strstr(o.text[2], "\"counts\":{},"));
	assert_int_equal(strcmp(o.text[2] + o.len[2] - 15, "\"findings\":[]}\n"), 0);
	assert_int_equal(count_lines(o.text[1]), 1);
	outs_free(&o);
	xp_free(&x);
	tu_rmtree(dir);
}

static bool mem_has(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return true;
	return false;
}

static int64_t q1(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Names, SSNs, birth dates of the fixture never leave the engine: not in
 * any report, not in the database, whatever check fires on them. */
static void test_pii_never_leaves(void **state)
{
	static const char *const secrets[] = { "Zephyrine", "Quistgaard", "Brunhilde", "Okonkwo",
		"987650123", "876540912", "1961-07-23", "1973-11-05", "1961-07-32" };
	struct xp x;
	struct outs o;
	struct store *s;
	struct hmx_err err;
	char dir[256], dbdir[256], db[512], code[64], kv[512];

	(void)state;
	xp_clean(&x);
	xp_clear(&x, "Client.csv");
	/* S14 on the first name, S15 on the last name, S11 on the DOB, S10 on
	 * a data-quality code, S18 on another, plus K01 and S09 on the row */
	snprintf(kv, sizeof kv, "PersonalID=C1;FirstName=Zephyrine%s;LastName=Quistgaard<;"
		"SSN=987650123;DOB=1961-07-32;NameDataQuality=Zephyrine;SSNDataQuality=42",
		"-Zephyrine-Zephyrine-Zephyrine-Zephyrine-Zephyrine");
	xp_row(&x, "Client.csv", kv);
	xp_row(&x, "Client.csv", "PersonalID=C2;FirstName=Brunhilde;LastName=Okonkwo;SSN=876540912;"
		"DOB=1973-11-05");
	xp_row(&x, "Client.csv", "PersonalID=C2;FirstName=Brunhilde;LastName=Okonkwo;SSN=876540912;"
		"DOB=1973-11-05");
	xp_append(&x, "Client.csv", "C3,Brunhilde,,Okonkwo,,1,876540912,1,1973-11-05\n", (size_t)-1);
	/* a header-less file whose first row holds names: never echoed */
	xp_row(&x, "CurrentLivingSituation.csv", "CurrentLivingSitID=CL2;LocationDetails=Zephyrine;"
		"VerifiedBy=1961-07-23");
	xf(&x, "CurrentLivingSituation.csv")->header_off = true;
	fx_dir(&x, dir, sizeof dir);
	tu_write(dir, "Zephyrine.csv", "a\n", 2); /* even as a file name it is not client data,
						    * but make sure P04 shows only the path */

	tu_mkdtemp(dbdir, sizeof dbdir);
	snprintf(db, sizeof db, "%s/hmx.db", dbdir);
	assert_int_equal(store_open(db, STORE_CREATE, &s, &err), HMX_OK);
	assert_int_equal(cycle_new(s, "rdc-upload", "2026Q3", code, &err), HMX_OK);
	run_reports(dir, s, code, 100, &o);
	assert_true(o.res.total >= 8);
	assert_true(validate_count(&o.res, "S14") >= 1);
	assert_true(validate_count(&o.res, "S15") >= 1);
	assert_true(validate_count(&o.res, "S11") >= 1);
	assert_true(validate_count(&o.res, "K01") >= 1);
	for (int i = 0; i < 3; i++)
		for (size_t k = 0; k < sizeof secrets / sizeof secrets[0]; k++) {
			if (k == 0 && mem_has(o.text[i], o.len[i], "Zephyrine.csv")) {
				/* the one legitimate mention: the stray file's name (P04) */
				char *c = strdup(o.text[i]), *p;
				while ((p = strstr(c, "Zephyrine.csv")))
					memset(p, '_', 13);
				assert_false(mem_has(c, strlen(c), secrets[k]));
				free(c);
				continue;
			}
			if (mem_has(o.text[i], o.len[i], secrets[k]))
				fprintf(stderr, "format %d shows %s:\n%s\n", i, secrets[k], o.text[i]);
			assert_false(mem_has(o.text[i], o.len[i], secrets[k]));
		}
	assert_int_equal(q1(s, "SELECT count(*) FROM finding"), (int64_t)o.res.total);
	assert_int_equal(q1(s, "SELECT count(*) FROM finding WHERE file LIKE '%Zephyrine%' AND "
		"check_id <> 'P04'"), 0);
	store_close(&s);
	{
		/* the whole database file, WAL included */
		char cmd[1200];
		size_t n;
		unsigned char *b;
		snprintf(cmd, sizeof cmd, "%s-wal", db);
		b = tu_slurp(db, &n);
		for (size_t k = 1; k < sizeof secrets / sizeof secrets[0]; k++)
			assert_false(mem_has((const char *)b, n, secrets[k]));
		free(b);
		if (access(cmd, F_OK) == 0) {
			b = tu_slurp(cmd, &n);
			for (size_t k = 1; k < sizeof secrets / sizeof secrets[0]; k++)
				assert_false(mem_has((const char *)b, n, secrets[k]));
			free(b);
		}
	}
	outs_free(&o);
	xp_free(&x);
	tu_rmtree(dir);
	tu_rmtree(dbdir);
}

static void test_store(void **state)
{
	struct xp x;
	struct outs o;
	struct store *s;
	struct hmx_err err;
	struct vstore *vs;
	char dir[256], dbdir[256], db[512], code[64];

	(void)state;
	xp_clean(&x);
	for (int i = 0; i < 12000; i++) {
		char kv[128];
		snprintf(kv, sizeof kv, "EventID=EV%d;ExportID=E2", 100 + i);
		xp_row(&x, "Event.csv", kv);
	}
	xp_row(&x, "Event.csv", "EventID=EV1");
	fx_dir(&x, dir, sizeof dir);
	tu_mkdtemp(dbdir, sizeof dbdir);
	snprintf(db, sizeof db, "%s/hmx.db", dbdir);
	assert_int_equal(store_open(db, STORE_CREATE, &s, &err), HMX_OK);
	assert_int_equal(vstore_begin(s, "nope-2026Q3", dir, &vs, &err), HMX_ENOTFOUND);
	assert_null(vs);
	assert_non_null(strstr(err.msg, "nope-2026Q3"));
	assert_int_equal(cycle_new(s, "rdc-upload", "2026Q3", code, &err), HMX_OK);
	run_reports(dir, s, code, 0, &o);
	assert_int_equal(o.res.total, 12001);
	assert_int_equal(q1(s, "SELECT count(*) FROM finding"), 12001);
	assert_int_equal(q1(s, "SELECT count(*) FROM validation_run WHERE status = 'done' AND "
		"blocking = 1 AND errors = 12000 AND warnings = 0 AND spec = 'FY2024' AND "
		"version = '2024 v1.3' AND export_id = 'E1' AND finished_at IS NOT NULL AND "
		"counts = '{\"S16\":12000,\"K01\":1}' AND cycle_id = "
		"(SELECT id FROM cycle WHERE code = 'rdc-upload-2026Q3')"), 1);
	assert_int_equal(q1(s, "SELECT count(*) FROM finding WHERE check_id = 'K01' AND "
		"severity = 'blocking' AND file = 'Event.csv' AND key = 'EventID=EV1' AND "
		"project = 'P1' AND line = 12003"), 1);
	assert_int_equal(q1(s, "SELECT max(seq) FROM finding"), 12000);
	assert_int_equal(q1(s, "SELECT count(*) FROM audit WHERE object = "
		"'rdc-upload-2026Q3/validation/1' AND action IN ('validation.start', 'validation.run')"), 2);

	/* a second run that fails is marked failed, its rows kept for what they are */
	assert_int_equal(vstore_begin(s, code, dir, &vs, &err), HMX_OK);
	vstore_abort(&vs, "interrupted");
	assert_null(vs);
	assert_int_equal(q1(s, "SELECT count(*) FROM validation_run WHERE status = 'failed'"), 1);
	assert_int_equal(q1(s, "SELECT count(*) FROM audit WHERE action = 'validation.failed'"), 1);
	store_close(&s);
	outs_free(&o);
	xp_free(&x);
	tu_rmtree(dir);
	tu_rmtree(dbdir);
}

/* ---- internals: value syntax, key tables, the findings sink ---- */

struct sink_check {
	uint64_t n, prev_major, prev_rank, prev_seq;
	bool bad;
};

static int sink_visit(void *ctx, const struct vrec *r)
{
	struct sink_check *c = ctx;

	if (c->n && (r->major < c->prev_major ||
		     (r->major == c->prev_major && (r->rank < c->prev_rank ||
		      (r->rank == c->prev_rank && r->seq <= c->prev_seq)))))
		c->bad = true;
	c->prev_major = r->major;
	c->prev_rank = r->rank;
	c->prev_seq = r->seq;
	c->n++;
	return 0;
}

static void test_sink_merge(void **state)
{
	struct vsink s;
	struct vrec r;
	struct sink_check c = { 0, 0, 0, 0, false };
	const size_t n = 1200000; /* > 128 spilled batches: merged in two passes */

	(void)state;
	assert_int_equal(vsink_init(&s, 4, false, NULL), HMX_OK);
	memset(&r, 0, sizeof r);
	r.project = VT_NONE;
	for (size_t i = 0; i < n; i++) {
		r.major = r.line = (i * 7919) % 100003; /* lines out of order, repeated */
		r.check = (uint16_t)(i % 4);
		r.rank = (uint16_t)(3 - i % 4);
		r.sev = (uint8_t)(i % 3);
		vsink_add(&s, &r);
	}
	vsink_settle(&s);
	assert_int_equal(s.rc, HMX_OK);
	assert_true(s.nsegs > 128);
	assert_int_equal(vsink_merge(&s, sink_visit, &c), 0);
	assert_int_equal(c.n, n);
	assert_false(c.bad);
	assert_int_equal(s.cnt[0 * VALIDATE_NSEV + 0] + s.cnt[0 * VALIDATE_NSEV + 1] +
		s.cnt[0 * VALIDATE_NSEV + 2], n / 4);
	assert_int_equal(s.noproj[0] + s.noproj[1] + s.noproj[2], n);
	vsink_free(&s);
}

static void test_syntax(void **state)
{
	long v;
	int32_t d;
	int y, m, dd;

	(void)state;
	assert_true(vd_int("0", 1, &v) && v == 0);
	assert_true(vd_int("-2147483648", 11, &v) && v == -2147483648L);
	assert_true(vd_int("+2147483647", 11, &v) && v == 2147483647L);
	assert_false(vd_int("2147483648", 10, &v));
	assert_false(vd_int("", 0, &v));
	assert_false(vd_int("-", 1, &v));
	assert_false(vd_int("1.0", 3, &v));
	assert_false(vd_int(" 1", 2, &v));
	assert_true(vd_date("2024-02-29", 10, &d));
	assert_false(vd_date("2023-02-29", 10, &d));
	assert_false(vd_date("2024-04-31", 10, &d));
	assert_false(vd_date("0000-01-01", 10, &d));
	assert_false(vd_date("2024-1-01", 9, &d));
	assert_false(vd_date("2024/01/01", 10, &d));
	assert_true(vd_date("1970-01-01", 10, &d) && d == 0);
	assert_true(vd_date("1969-12-31", 10, &d) && d == -1);
	assert_true(vd_date("2000-03-01", 10, &d) && d == vd_days(2000, 3, 1));
	vd_civil(vd_days(1600, 2, 29), &y, &m, &dd);
	assert_true(y == 1600 && m == 2 && dd == 29);
	for (int32_t k = -800000; k < 800000; k += 997) {
		vd_civil(k, &y, &m, &dd);
		assert_int_equal(vd_days(y, m, dd), k);
	}
	assert_true(vd_datetime("2024-01-15 23:59:59", 19, &d) && d == vd_days(2024, 1, 15));
	assert_false(vd_datetime("2024-01-15 24:00:00", 19, &d));
	assert_false(vd_datetime("2024-01-15T10:00:00", 19, &d));
	assert_false(vd_datetime("2024-01-15 10:00", 16, &d));
	assert_true(vd_money("0", 1));
	assert_true(vd_money("-12.5", 5));
	assert_true(vd_money("12.", 3));
	assert_true(vd_money("1234567.89", 10));
	assert_false(vd_money("12.345", 6));
	assert_false(vd_money(".5", 2));
	assert_false(vd_money("+1", 2));
	assert_false(vd_money("1,000", 5));
	assert_false(vd_money("", 0));
}

static void test_key_tables(void **state)
{
	struct ktab t;
	struct kset s;
	bool added;
	char buf[64], id[64];
	enum { N = 200000 };

	(void)state;
	ktab_init(&t, sizeof(uint32_t));
	kset_init(&s);
	/* exact: numbers, leading zeros, strings that look alike */
	assert_int_equal(ktab_put(&t, "123", 3, &added), 0);
	assert_true(added);
	assert_int_equal(ktab_put(&t, "0123", 4, &added), 1);
	assert_true(added);
	assert_int_equal(ktab_put(&t, "123 ", 4, &added), 2);
	assert_int_equal(ktab_put(&t, "0", 1, &added), 3);
	assert_int_equal(ktab_put(&t, "", 0, &added), 4);
	assert_int_equal(ktab_put(&t, "123", 3, &added), 0);
	assert_false(added);
	assert_int_equal(ktab_get(&t, "0123", 4), 1);
	assert_int_equal(ktab_get(&t, "00", 2), VT_NONE);
	assert_int_equal(ktab_id(&t, 1, buf, sizeof buf), 4);
	assert_string_equal(buf, "0123");
	assert_int_equal(ktab_id(&t, 3, buf, sizeof buf), 1);
	assert_string_equal(buf, "0");
	/* 999999999999999999 (18 digits) is a number, 19 digits a string */
	assert_int_equal(ktab_put(&t, "999999999999999999", 18, &added), 5);
	assert_int_equal(ktab_put(&t, "9999999999999999999", 19, &added), 6);
	assert_int_equal(ktab_id(&t, 5, buf, sizeof buf), 18);
	assert_string_equal(buf, "999999999999999999");
	assert_true(ktab_reserve(&t, 1000));
	for (int i = 0; i < N; i++) {
		uint32_t k;
		snprintf(id, sizeof id, i % 2 ? "%d" : "ID-%08d", i + 1000000);
		k = ktab_put(&t, id, strlen(id), &added);
		assert_true(added);
		*(uint32_t *)ktab_at(&t, k) = (uint32_t)i;
		assert_int_equal(kset_add(&s, id, strlen(id)), 1);
	}
	for (int i = 0; i < N; i++) {
		uint32_t k;
		snprintf(id, sizeof id, i % 2 ? "%d" : "ID-%08d", i + 1000000);
		k = ktab_get(&t, id, strlen(id));
		assert_true(k != VT_NONE);
		assert_int_equal(*(uint32_t *)ktab_at(&t, k), (uint32_t)i);
		ktab_id(&t, k, buf, sizeof buf);
		assert_string_equal(buf, id);
		assert_int_equal(kset_add(&s, id, strlen(id)), 0);
	}
	assert_int_equal(ktab_count(&t), N + 7);
	assert_int_equal(kset_add_num(&s, 5), 1);
	assert_int_equal(kset_add_num(&s, 5), 0);
	assert_int_equal(kset_add(&s, "5", 1), 0); /* one set, one kind of key */
	assert_true(ktab_bytes(&t) > 0 && kset_bytes(&s) > 0);
	ktab_free(&t);
	kset_free(&s);
}

/* ---- Q ---- */

/* A non-residential project outside the continuum (type 6, services
 * only): quiet for D, and for Q23, Q25, Q26. */
#define Q_P3 "ProjectID=P3;ProjectName=Services Three;ProjectType=6;ContinuumProject=0"

/* A clean adult client; `more` overrides ("Col=v;..."). */
static void q_client(struct xp *x, const char *id, const char *more)
{
	char kv[1024];

	snprintf(kv, sizeof kv, "PersonalID=%s;FirstName=Cy;LastName=Doe;DOB=1985-04-04;"
		"SSN=215567890;White=1;Man=1;%s", id, more ? more : "");
	xp_row(x, "Client.csv", kv);
}

/* An income record of stage 1 or 3, clean unless `more` says otherwise. */
static void q_ib(struct xp *x, const char *id, const char *enr, const char *person,
	const char *date, int stage, const char *more)
{
	char kv[1024];

	snprintf(kv, sizeof kv, "IncomeBenefitsID=%s;EnrollmentID=%s;PersonalID=%s;"
		"InformationDate=%s;DataCollectionStage=%d;" QCLEAN_IB ";%s", id, enr, person, date,
		stage, more ? more : "");
	xp_row(x, "IncomeBenefits.csv", kv);
}

/* A clean enrollment entered (and created) on `entry`, head of household
 * hh unless `more` says otherwise, without its income record. */
static void q_enr_only(struct xp *x, const char *id, const char *person, const char *project,
	const char *hh, const char *entry, const char *more)
{
	char kv[1024];

	snprintf(kv, sizeof kv, "EnrollmentID=%s;PersonalID=%s;ProjectID=%s;HouseholdID=%s;"
		"EntryDate=%s;DateCreated=%s 09:00:00;" QCLEAN_ENR ";%s", id, person, project, hh, entry,
		entry, more ? more : "");
	xp_row(x, "Enrollment.csv", kv);
}

/* The same with its clean stage-1 income record. */
static void q_enr(struct xp *x, const char *id, const char *person, const char *project,
	const char *hh, const char *entry, const char *more)
{
	char ib[64];

	q_enr_only(x, id, person, project, hh, entry, more);
	snprintf(ib, sizeof ib, "IB-%s", id);
	q_ib(x, ib, id, person, entry, 1, NULL);
}

/* An exit on `date` (created that day), destination 410, without / with
 * its clean stage-3 income record. */
static void q_exit_only(struct xp *x, const char *id, const char *enr, const char *person,
	const char *date, const char *more)
{
	char kv[1024];

	snprintf(kv, sizeof kv, "ExitID=%s;EnrollmentID=%s;PersonalID=%s;ExitDate=%s;"
		"Destination=410;DateCreated=%s 09:00:00;%s", id, enr, person, date, date,
		more ? more : "");
	xp_row(x, "Exit.csv", kv);
}

static void q_exit(struct xp *x, const char *id, const char *enr, const char *person,
	const char *date, const char *more)
{
	char ib[64];

	q_exit_only(x, id, enr, person, date, more);
	snprintf(ib, sizeof ib, "IB3-%s", id);
	q_ib(x, ib, enr, person, date, 3, NULL);
}

/* A bed night (Services RecordType 200) and an outreach contact. */
static void q_night(struct xp *x, const char *id, const char *enr, const char *person,
	const char *date)
{
	char kv[512];

	snprintf(kv, sizeof kv, "ServicesID=%s;EnrollmentID=%s;PersonalID=%s;DateProvided=%s;"
		"RecordType=200;TypeProvided=200", id, enr, person, date);
	xp_row(x, "Services.csv", kv);
}

static void q_contact(struct xp *x, const char *id, const char *enr, const char *person,
	const char *date)
{
	char kv[512];

	snprintf(kv, sizeof kv, "CurrentLivingSitID=%s;EnrollmentID=%s;PersonalID=%s;"
		"InformationDate=%s", id, enr, person, date);
	xp_row(x, "CurrentLivingSituation.csv", kv);
}

/* The finding of check with this key, or NULL. */
static const struct frec *keyed(const struct got *g, const char *check, const char *key)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->v[i].check, check) == 0 && strcmp(g->v[i].key, key) == 0)
			return &g->v[i];
	return NULL;
}

/* Asserts check fired for key with that detail (NULL: none expected). */
static void has(const struct got *g, const char *check, const char *key, const char *detail)
{
	const struct frec *f = keyed(g, check, key);

	if (!f)
		fprintf(stderr, "no %s for %s\n", check, key);
	assert_non_null(f);
	assert_string_equal(f->detail, detail ? detail : "");
}

/* The same export with 1 and 4 workers: the same findings, in order. */
static void same_any_threads(struct xp *x)
{
	struct got a, b;

	run_x(x, 1, &a);
	run_x(x, 4, &b);
	assert_int_equal(a.n, b.n);
	for (size_t i = 0; i < a.n; i++)
		assert_memory_equal(&a.v[i], &b.v[i], sizeof a.v[i]);
	got_free(&a);
	got_free(&b);
}

static void test_q01_to_q04_households(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	xp_row(&x, "Project.csv", Q_P3);
	for (int i = 3; i <= 6; i++) {
		char id[8];
		snprintf(id, sizeof id, "C%d", i);
		q_client(&x, id, NULL);
	}
	/* Q01: three rows of one (client, project, entry): two repeats */
	q_enr(&x, "EN3", "C3", "P3", "H3", "2024-02-01", NULL);
	q_enr(&x, "EN4", "C3", "P3", "H4", "2024-02-01", NULL);
	q_enr(&x, "EN5", "C3", "P3", "H5", "2024-02-01", NULL);
	q_enr(&x, "EN6", "C3", "P3", "H6", "2024-02-02", NULL);   /* another day */
	/* Q02: two members, no head */
	q_enr(&x, "EN7", "C4", "P3", "H7", "2024-02-01", "RelationshipToHoH=2");
	q_enr(&x, "EN8", "C5", "P3", "H7", "2024-02-01", "RelationshipToHoH=3");
	/* Q03: two heads */
	q_enr(&x, "EN9", "C4", "P3", "H8", "2024-03-01", NULL);
	q_enr(&x, "EN10", "C5", "P3", "H8", "2024-03-01", NULL);
	/* Q04: 99, and empty (S13 too), beside a head */
	q_enr(&x, "EN11", "C6", "P3", "H9", "2024-04-01", NULL);
	q_enr(&x, "EN12", "C4", "P3", "H9", "2024-04-01", "RelationshipToHoH=99");
	q_enr(&x, "EN13", "C5", "P3", "H9", "2024-04-01", "RelationshipToHoH=");
	/* a repeated EnrollmentID is K01 only */
	q_enr_only(&x, "EN6", "C3", "P3", "H6", "2024-02-02", "RelationshipToHoH=99");
	run_x(&x, 2, &g);
	expect(&g, "Q01", 2, "Q02", 1, "Q03", 1, "Q04", 2, "S13", 1, "K01", 1, NULL);
	has(&g, "Q01", "EnrollmentID=EN4", NULL);
	has(&g, "Q01", "EnrollmentID=EN5", NULL);
	assert_int_equal(keyed(&g, "Q01", "EnrollmentID=EN5")->line, 6);
	assert_string_equal(keyed(&g, "Q01", "EnrollmentID=EN5")->project, "P3");
	assert_int_equal(first(&g, "Q01")->sev, SPEC_SEV_BLOCKING);
	has(&g, "Q02", "HouseholdID=H7", NULL);
	assert_int_equal(first(&g, "Q02")->line, 8);  /* its first enrollment */
	assert_string_equal(first(&g, "Q02")->file, "Enrollment.csv");
	has(&g, "Q03", "HouseholdID=H8", NULL);
	assert_int_equal(first(&g, "Q03")->line, 10);
	has(&g, "Q04", "EnrollmentID=EN12", NULL);
	has(&g, "Q04", "EnrollmentID=EN13", NULL);
	assert_string_equal(first(&g, "Q04")->column, "RelationshipToHoH");
	got_free(&g);
	same_any_threads(&x);
	xp_free(&x);
}

static void test_q05_q06_q07_q21_q24_dates(void **state)
{
	static const char *const dest[4] = { "30", "8", "9", "99" };
	struct xp x;
	struct got g;
	struct validate_opts o;
	char dir[256];

	(void)state;
	xp_clean(&x);
	xp_row(&x, "Project.csv", Q_P3);
	q_client(&x, "C3", NULL);
	q_enr(&x, "EN3", "C3", "P3", "H3", "2024-03-01", NULL);
	q_exit(&x, "X3", "EN3", "C3", "2024-02-20", NULL);                    /* Q05 */
	q_enr(&x, "EN4", "C3", "P3", "H4", "2024-03-02", NULL);
	q_exit(&x, "X4", "EN4", "C3", "2024-10-05", NULL);                    /* Q06 */
	q_enr(&x, "EN5", "C3", "P3", "H5", "2024-04-10", "DateCreated=2024-04-09 17:00:00"); /* Q07 */
	for (int i = 0; i < 4; i++) {                                          /* Q21 */
		char e[8], h[8], xid[8], more[32], day[16];
		snprintf(day, sizeof day, "2024-04-%02d", 15 + i);
		snprintf(e, sizeof e, "EN%d", 6 + i);
		snprintf(h, sizeof h, "H%d", 6 + i);
		snprintf(xid, sizeof xid, "X%d", 6 + i);
		snprintf(more, sizeof more, "Destination=%s", dest[i]);
		q_enr(&x, e, "C3", "P3", h, day, NULL);
		q_exit(&x, xid, e, "C3", "2024-04-20", more);
	}
	/* Q24 above 6 days: 7 (7-10), 11 (11+); not 6 (4-6) nor 1 (1-3); an
	 * exit entered after 10 days (7-10) */
	q_enr(&x, "EN10", "C3", "P3", "H10", "2024-05-01", "DateCreated=2024-05-08 09:00:00");
	q_enr(&x, "EN11", "C3", "P3", "H11", "2024-05-02", "DateCreated=2024-05-13 09:00:00");
	q_enr(&x, "EN12", "C3", "P3", "H12", "2024-05-03", "DateCreated=2024-05-09 23:59:59");
	q_enr(&x, "EN13", "C3", "P3", "H13", "2024-05-04", "DateCreated=2024-05-05 00:00:00");
	q_exit(&x, "X13", "EN13", "C3", "2024-06-01", "DateCreated=2024-06-11 08:00:00");
	run_x(&x, 2, &g);
	expect(&g, "Q05", 1, "Q06", 1, "Q07", 1, "Q21", 4, "Q24", 3, NULL);
	has(&g, "Q05", "ExitID=X3", NULL);
	assert_string_equal(first(&g, "Q05")->file, "Exit.csv");
	assert_string_equal(first(&g, "Q05")->column, "ExitDate");
	has(&g, "Q06", "ExitID=X4", NULL);
	has(&g, "Q07", "EnrollmentID=EN5", NULL);
	for (int i = 0; i < 4; i++) {
		char k[16];
		snprintf(k, sizeof k, "ExitID=X%d", 6 + i);
		has(&g, "Q21", k, NULL);
	}
	has(&g, "Q24", "EnrollmentID=EN10", "7-10");
	has(&g, "Q24", "EnrollmentID=EN11", "11+");
	has(&g, "Q24", "ExitID=X13", "7-10");
	assert_int_equal(first(&g, "Q24")->sev, SPEC_SEV_WARNING);
	{
		/* every judged record in its bucket, flagged or not */
		static const uint64_t enr[5] = { 9, 1, 1, 1, 1 }, ex[5] = { 7, 0, 0, 1, 0 };
		for (int b = 0; b < 5; b++) {
			assert_int_equal(g.res.timeliness[0][b], enr[b]);
			assert_int_equal(g.res.timeliness[1][b], ex[b]);
		}
		assert_int_equal(g.res.timeliness_days, 6);
	}
	got_free(&g);

	/* a three-day policy: 6 days is late too */
	fx_dir(&x, dir, sizeof dir);
	validate_opts_default(&o);
	o.timeliness_days = 3;
	run_opts(dir, &o, &g);
	expect(&g, "Q05", 1, "Q06", 1, "Q07", 1, "Q21", 4, "Q24", 4, NULL);
	has(&g, "Q24", "EnrollmentID=EN12", "4-6");
	got_free(&g);

	/* the text report shows every bucket */
	{
		struct outs out;
		run_reports(dir, NULL, NULL, 3, &out);
		assert_true(mem_has(out.text[0], out.len[0], "Q24 flags more than 6"));
		assert_true(mem_has(out.text[0], out.len[0],
			"entries   0: 9  1-3: 1  4-6: 1  7-10: 1  11+: 1"));
		assert_true(mem_has(out.text[0], out.len[0],
			"exits     0: 7  1-3: 0  4-6: 0  7-10: 1  11+: 0"));
		outs_free(&out);
	}
	tu_rmtree(dir);
	xp_free(&x);
}

static void test_q08_to_q10_q13_dob(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	xp_row(&x, "Project.csv", Q_P3);
	/* Q08 (and Q13 issue, found with the enrollment) */
	q_client(&x, "C3", "DOB=2024-05-01;DateCreated=2024-06-01 09:00:00");
	q_enr(&x, "EN3", "C3", "P3", "H3", "2024-04-01", NULL);
	/* Q09: 106 and 101 at entry; 100 the day before the birthday is fine */
	q_client(&x, "C4", "DOB=1918-01-01");
	q_enr(&x, "EN4", "C4", "P3", "H4", "2024-02-01", NULL);
	q_client(&x, "C5", "DOB=1923-02-02");
	q_enr(&x, "EN5", "C5", "P3", "H5", "2024-02-01", NULL);
	q_client(&x, "C6", "DOB=1923-02-01");
	q_enr(&x, "EN6", "C6", "P3", "H6", "2024-02-01", NULL);
	/* Q10 (and Q13 missing) */
	q_client(&x, "C7", "DOB=;DOBDataQuality=1");
	q_client(&x, "C8", "DOB=;DOBDataQuality=2");
	/* Q13 */
	q_client(&x, "C9", "DOB=;DOBDataQuality=8");                  /* dk */
	q_client(&x, "C10", "DOB=;DOBDataQuality=99");                /* missing */
	q_client(&x, "C11", "DOBDataQuality=2");                      /* issue */
	q_client(&x, "C12", "DOB=1910-01-01");                        /* issue */
	q_client(&x, "C13", "DOB=2024-02-10");                        /* issue: after DateCreated */
	q_client(&x, "C14", "DOB=2024-05-01;DOBDataQuality=9;DateCreated=2024-06-01 09:00:00");
	q_enr(&x, "EN14", "C14", "P3", "H14", "2024-04-01", NULL);    /* Q08; Q13 dk only */
	q_client(&x, "C15", "DOB=1915-01-01");                        /* fine */
	run_x(&x, 2, &g);
	expect(&g, "Q08", 2, "Q09", 2, "Q10", 2, "Q13", 9, NULL);
	has(&g, "Q08", "EnrollmentID=EN3", NULL);
	has(&g, "Q08", "EnrollmentID=EN14", NULL);
	has(&g, "Q09", "EnrollmentID=EN4", NULL);
	has(&g, "Q09", "EnrollmentID=EN6", NULL);
	has(&g, "Q10", "PersonalID=C7", NULL);
	has(&g, "Q10", "PersonalID=C8", NULL);
	assert_string_equal(first(&g, "Q10")->column, "DOB");
	has(&g, "Q13", "PersonalID=C3", "issue");
	assert_string_equal(keyed(&g, "Q13", "PersonalID=C3")->file, "Client.csv");
	assert_int_equal(keyed(&g, "Q13", "PersonalID=C3")->line, 4);
	has(&g, "Q13", "PersonalID=C7", "missing");
	has(&g, "Q13", "PersonalID=C8", "missing");
	has(&g, "Q13", "PersonalID=C9", "dk");
	has(&g, "Q13", "PersonalID=C10", "missing");
	has(&g, "Q13", "PersonalID=C11", "issue");
	has(&g, "Q13", "PersonalID=C12", "issue");
	has(&g, "Q13", "PersonalID=C13", "issue");
	has(&g, "Q13", "PersonalID=C14", "dk");
	got_free(&g);
	same_any_threads(&x);
	xp_free(&x);
}

/* Clients for Q11 and Q12: id, overrides, check, detail. */
static const struct { const char *id, *more, *check, *detail; } q_names[] = {
	{ "N1", "NameDataQuality=8", "Q11", "dk" },
	{ "N2", "NameDataQuality=9;FirstName=;LastName=", "Q11", "dk" },
	{ "N3", "NameDataQuality=99", "Q11", "missing" },
	{ "N4", "FirstName=", "Q11", "missing" },
	{ "N5", "LastName=", "Q11", "missing" },
	{ "N6", "NameDataQuality=2", "Q11", "issue" },
	{ "N7", "NameDataQuality=", "Q11", "missing" },            /* + S13 */
	{ "S1", "SSNDataQuality=8", "Q12", "dk" },
	{ "S2", "SSNDataQuality=9;SSN=", "Q12", "dk" },
	{ "S3", "SSNDataQuality=99;SSN=", "Q12", "missing" },
	{ "S4", "SSN=", "Q12", "missing" },
	{ "S5", "SSNDataQuality=2", "Q12", "issue" },
	/* patterns, unhashed exports only */
	{ "P1", "SSN=666123456", "Q12", "issue" },
	{ "P2", "SSN=000123456", "Q12", "issue" },
	{ "P3", "SSN=912345678", "Q12", "issue" },
	{ "P4", "SSN=123004567", "Q12", "issue" },
	{ "P5", "SSN=123450000", "Q12", "issue" },
	{ "P6", "SSN=555555555", "Q12", "issue" },
	{ "P7", "SSN=123456789", "Q12", "issue" },
	{ "P8", "SSN=987654321", "Q12", "issue" },
	{ "P9", "SSN=12345678", "Q12", "issue" },
	{ "P10", "SSN=12345678A", "Q12", "issue" },
	{ "P11", "SSN=1234567890", "Q12", "issue" },               /* + S14 */
	{ "F1", "SSN=899123456", NULL, NULL },
	{ "F2", "SSN=123456780", NULL, NULL },
};

static void test_q11_q12_names_ssn(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	for (size_t i = 0; i < sizeof q_names / sizeof q_names[0]; i++)
		q_client(&x, q_names[i].id, q_names[i].more);
	run_x(&x, 2, &g);
	expect(&g, "Q11", 7, "Q12", 16, "S13", 1, "S14", 1, NULL);
	for (size_t i = 0; i < sizeof q_names / sizeof q_names[0]; i++) {
		char key[32];
		snprintf(key, sizeof key, "PersonalID=%s", q_names[i].id);
		if (q_names[i].check)
			has(&g, q_names[i].check, key, q_names[i].detail);
	}
	assert_string_equal(keyed(&g, "Q11", "PersonalID=N4")->column, "FirstName");
	assert_string_equal(keyed(&g, "Q11", "PersonalID=N1")->column, "NameDataQuality");
	assert_string_equal(keyed(&g, "Q12", "PersonalID=P1")->column, "SSN");
	assert_int_equal(first(&g, "Q12")->sev, SPEC_SEV_ERROR);
	got_free(&g);

	/* hashed: the data-quality answers count, the patterns do not (and
	 * the plain names are P07) */
	xp_clear(&x, "Export.csv");
	xp_row(&x, "Export.csv", "ExportID=E1;CSVVersion=2024 v1.3;HashStatus=4;"
		"ExportDate=2024-10-01 08:00:00;ExportEndDate=2024-09-30");
	run_x(&x, 2, &g);
	expect(&g, "P07", 1, "Q11", 7, "Q12", 5, "S13", 1, NULL);
	got_free(&g);
	xp_free(&x);
}

static void test_q14_to_q16_client(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	xp_row(&x, "Project.csv", Q_P3);
	q_client(&x, "R1", "White=0");                     /* Q14: no race */
	q_client(&x, "R2", "RaceNone=8");                  /* Q14 */
	q_client(&x, "R3", "White=0;RaceNone=99");         /* Q14 */
	q_client(&x, "R4", "White=5");                     /* S18, not judged again */
	q_client(&x, "R5", "White=0;Asian=1");             /* fine */
	q_client(&x, "G1", "Man=0");                       /* Q15 */
	q_client(&x, "G2", "GenderNone=9");                /* Q15 */
	q_client(&x, "G3", "Man=0;GenderNone=");           /* Q15 */
	q_client(&x, "V1", "VeteranStatus=8");             /* Q16: adult */
	q_enr(&x, "EN3", "V1", "P3", "H3", "2024-02-01", NULL);
	q_client(&x, "V2", "VeteranStatus=99;DOB=2015-05-05"); /* a child */
	q_enr(&x, "EN4", "V2", "P3", "H3", "2024-02-01", "RelationshipToHoH=2");
	q_client(&x, "V3", "VeteranStatus=9");             /* no enrollment */
	q_client(&x, "V4", "VeteranStatus=");              /* Q16 + S13 */
	q_enr(&x, "EN5", "V4", "P3", "H5", "2024-02-01", NULL);
	q_enr(&x, "EN6", "V4", "P3", "H6", "2024-03-01", NULL); /* one finding per client */
	run_x(&x, 2, &g);
	expect(&g, "Q14", 3, "Q15", 3, "Q16", 2, "S18", 1, "S13", 1, NULL);
	has(&g, "Q14", "PersonalID=R1", NULL);
	assert_string_equal(keyed(&g, "Q14", "PersonalID=R1")->column, "");
	assert_string_equal(keyed(&g, "Q14", "PersonalID=R2")->column, "RaceNone");
	has(&g, "Q14", "PersonalID=R3", NULL);
	has(&g, "Q15", "PersonalID=G1", NULL);
	has(&g, "Q15", "PersonalID=G2", NULL);
	has(&g, "Q15", "PersonalID=G3", NULL);
	has(&g, "Q16", "PersonalID=V1", NULL);
	has(&g, "Q16", "PersonalID=V4", NULL);
	assert_string_equal(first(&g, "Q16")->file, "Client.csv");
	assert_string_equal(first(&g, "Q16")->project, "");
	got_free(&g);
	xp_free(&x);
}

/* FY2026: Q15 is about Sex. Export and Client rows only (K09: no
 * enrollment). */
static void test_q15_fy2026_sex(void **state)
{
	static const char *const sex[] = { "8", "9", "99", "" };
	struct spec *fy26 = NULL;
	struct hmx_err err;
	struct xp x;
	struct got g;

	(void)state;
	assert_int_equal(spec_load(SPEC_FY2026, &fy26, &err), HMX_OK);
	xp_init(&x, fy26);
	xp_row(&x, "Export.csv", "ExportID=E1;CSVVersion=2026 v1.0;HashStatus=1;"
		"ExportDate=2026-10-01 08:00:00;ExportStartDate=2025-10-01;ExportEndDate=2026-09-30;"
		"SourceName=Test CoC;ExportPeriodType=3;ExportDirective=2");
	xp_row(&x, "User.csv", "UserID=U1");
	q_client(&x, "C1", "Sex=1;HispanicLatinao=0");
	for (int i = 0; i < 4; i++) {
		char id[8], more[64];
		snprintf(id, sizeof id, "C%d", 2 + i);
		snprintf(more, sizeof more, "Sex=%s;HispanicLatinao=0", sex[i]);
		q_client(&x, id, more);
	}
	run_x(&x, 2, &g);
	expect(&g, "K09", 1, "Q15", 4, NULL);
	assert_int_equal(g.res.spec, SPEC_FY2026);
	has(&g, "Q15", "PersonalID=C5", NULL);
	assert_string_equal(first(&g, "Q15")->column, "Sex");
	got_free(&g);
	xp_free(&x);
	spec_free(&fy26);
}

static void test_q17_to_q19_entry(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	xp_row(&x, "Project.csv", Q_P3);
	q_client(&x, "C3", NULL);
	q_client(&x, "C4", NULL);
	q_client(&x, "K1", "DOB=2014-03-03");
	/* Q17, heads of household */
	q_enr(&x, "EN3", "C3", "P3", "H3", "2024-02-01", "LivingSituation=");
	q_enr(&x, "EN4", "C3", "P3", "H4", "2024-02-02", "LivingSituation=8");
	q_enr(&x, "EN5", "C3", "P3", "H5", "2024-02-03", "LengthOfStay=99");
	q_enr(&x, "EN6", "C3", "P3", "H6", "2024-02-04", "DateToStreetESSH=");
	q_enr(&x, "EN7", "C3", "P3", "H7", "2024-02-05", "TimesHomelessPastThreeYears=9");
	q_enr(&x, "EN8", "C3", "P3", "H8", "2024-02-06", "MonthsHomelessPastThreeYears=");
	/* not literally homeless: the homeless history is asked in shelters,
	 * outreach (type 0, 1, 4, 8) only */
	q_enr(&x, "EN9", "C3", "P3", "H9", "2024-02-07", "LivingSituation=410;DateToStreetESSH=;"
		"TimesHomelessPastThreeYears=;MonthsHomelessPastThreeYears=");
	q_enr(&x, "EN10", "C3", "P1", "H10", "2024-02-08", "LivingSituation=410;DateToStreetESSH=;"
		"TimesHomelessPastThreeYears=;MonthsHomelessPastThreeYears=");
	q_night(&x, "S10", "EN10", "C3", "2024-02-08");
	q_exit(&x, "X10", "EN10", "C3", "2024-02-09", NULL);
	/* members: a child is not judged, an adult is */
	q_enr(&x, "EN11", "K1", "P3", "H3", "2024-02-01", "RelationshipToHoH=2;LivingSituation=");
	q_enr(&x, "EN12", "C4", "P3", "H3", "2024-02-01", "RelationshipToHoH=3;LivingSituation=");
	/* Q18: a head without EnrollmentCoC; a member need not have one */
	q_enr(&x, "EN13", "C3", "P3", "H13", "2024-03-01", "EnrollmentCoC=");
	q_enr(&x, "EN14", "C4", "P3", "H13", "2024-03-01", "RelationshipToHoH=2;EnrollmentCoC=");
	/* Q19, everyone */
	q_enr(&x, "EN15", "C3", "P3", "H15", "2024-04-01", "DisablingCondition=8");
	q_enr(&x, "EN16", "K1", "P3", "H15", "2024-04-01", "RelationshipToHoH=2;DisablingCondition=9");
	q_enr(&x, "EN17", "C3", "P3", "H17", "2024-04-02", "DisablingCondition=99");
	q_enr(&x, "EN18", "C3", "P3", "H18", "2024-04-03", "DisablingCondition="); /* + S13 */
	run_x(&x, 2, &g);
	expect(&g, "Q17", 8, "Q18", 1, "Q19", 4, "S13", 1, NULL);
	for (int i = 3; i <= 8; i++) {
		char k[24];
		snprintf(k, sizeof k, "EnrollmentID=EN%d", i);
		has(&g, "Q17", k, NULL);
	}
	has(&g, "Q17", "EnrollmentID=EN10", NULL);
	has(&g, "Q17", "EnrollmentID=EN12", NULL);
	assert_string_equal(keyed(&g, "Q17", "EnrollmentID=EN6")->column, "DateToStreetESSH");
	assert_string_equal(keyed(&g, "Q17", "EnrollmentID=EN5")->column, "LengthOfStay");
	has(&g, "Q18", "EnrollmentID=EN13", NULL);
	assert_string_equal(first(&g, "Q18")->column, "EnrollmentCoC");
	has(&g, "Q19", "EnrollmentID=EN16", NULL);
	has(&g, "Q19", "EnrollmentID=EN18", NULL);
	assert_int_equal(first(&g, "Q19")->sev, SPEC_SEV_WARNING);
	got_free(&g);
	xp_free(&x);
}

static void test_q20_income(void **state)
{
	struct xp x;
	struct got g;
	const struct frec *f;

	(void)state;
	xp_clean(&x);
	xp_row(&x, "Project.csv", Q_P3);
	q_client(&x, "C3", NULL);
	q_client(&x, "K1", "DOB=2014-03-03");
	q_enr_only(&x, "EN3", "C3", "P3", "H3", "2024-02-01", NULL);         /* no record */
	q_enr(&x, "EN4", "C3", "P3", "H4", "2024-02-02", NULL);
	q_exit_only(&x, "X4", "EN4", "C3", "2024-03-01", NULL);                 /* none at exit */
	q_enr_only(&x, "EN5", "C3", "P3", "H5", "2024-02-03", NULL);
	q_ib(&x, "IB5", "EN5", "C3", "2024-02-03", 1, "IncomeFromAnySource=99");  /* missing */
	q_enr_only(&x, "EN6", "C3", "P3", "H6", "2024-02-04", NULL);
	q_ib(&x, "IB6", "EN6", "C3", "2024-02-04", 1, "BenefitsFromAnySource=8");
	q_enr_only(&x, "EN7", "C3", "P3", "H7", "2024-02-05", NULL);
	q_ib(&x, "IB7", "EN7", "C3", "2024-02-05", 1, "InsuranceFromAnySource=9");
	q_enr_only(&x, "EN8", "C3", "P3", "H8", "2024-02-06", NULL);
	q_ib(&x, "IB8", "EN8", "C3", "2024-02-06", 1, "Earned=1;EarnedAmount=100"); /* conflict */
	q_enr_only(&x, "EN9", "C3", "P3", "H9", "2024-02-07", NULL);
	q_ib(&x, "IB9", "EN9", "C3", "2024-02-07", 1, "InsuranceFromAnySource=1");  /* conflict */
	q_enr_only(&x, "EN10", "C3", "P3", "H10", "2024-02-08", NULL);
	q_ib(&x, "IB10", "EN10", "C3", "2024-02-08", 1, "IncomeFromAnySource=1;SSI=1;SSIAmount=900");
	/* two stage-1 records (K11): one finding, on the first that fails */
	q_enr_only(&x, "EN11", "C3", "P3", "H11", "2024-02-09", NULL);
	q_ib(&x, "IB11a", "EN11", "C3", "2024-02-09", 1, "IncomeFromAnySource=99");
	q_ib(&x, "IB11b", "EN11", "C3", "2024-02-09", 1, "IncomeFromAnySource=8");
	q_enr_only(&x, "EN12", "C3", "P3", "H12", "2024-02-10", NULL);
	q_ib(&x, "IB12a", "EN12", "C3", "2024-02-10", 1, NULL);
	q_ib(&x, "IB12b", "EN12", "C3", "2024-02-10", 1, "WIC=1");
	/* a child member: not judged; a stage-3 record without exit: not judged */
	q_enr_only(&x, "EN13", "K1", "P3", "H10", "2024-02-08", "RelationshipToHoH=2");
	q_enr(&x, "EN14", "C3", "P3", "H14", "2024-02-11", NULL);
	q_ib(&x, "IB14", "EN14", "C3", "2024-02-11", 3, "IncomeFromAnySource=99");
	run_x(&x, 2, &g);
	expect(&g, "Q20", 9, "K11", 2, NULL);
	f = keyed(&g, "Q20", "EnrollmentID=EN3");
	assert_non_null(f);
	assert_string_equal(f->file, "IncomeBenefits.csv");
	assert_int_equal(f->line, 0);
	assert_string_equal(f->detail, "no-record");
	assert_string_equal(f->project, "P3");
	has(&g, "Q20", "EnrollmentID=EN4", "no-record");
	has(&g, "Q20", "IncomeBenefitsID=IB5", "missing");
	assert_string_equal(keyed(&g, "Q20", "IncomeBenefitsID=IB5")->column, "IncomeFromAnySource");
	has(&g, "Q20", "IncomeBenefitsID=IB6", "missing");
	has(&g, "Q20", "IncomeBenefitsID=IB7", "missing");
	has(&g, "Q20", "IncomeBenefitsID=IB8", "conflict");
	has(&g, "Q20", "IncomeBenefitsID=IB9", "conflict");
	assert_string_equal(keyed(&g, "Q20", "IncomeBenefitsID=IB9")->column, "InsuranceFromAnySource");
	has(&g, "Q20", "IncomeBenefitsID=IB11a", "missing");
	has(&g, "Q20", "IncomeBenefitsID=IB12b", "conflict");
	got_free(&g);
	same_any_threads(&x);
	xp_free(&x);
}

/* Residential projects of other kinds, quiet for D: P4 transitional
 * housing, P5 rapid re-housing with housing (RRHSubType 2). */
static void q_projects(struct xp *x)
{
	xp_row(x, "Project.csv", "ProjectID=P4;ProjectName=Transitional Four;ProjectType=2;"
		"ContinuumProject=1;HousingType=1");
	xp_row(x, "Project.csv", "ProjectID=P5;ProjectName=Rapid Five;ProjectType=13;RRHSubType=2;"
		"ContinuumProject=1;HousingType=3");
	for (int i = 4; i <= 5; i++) {
		char kv[256];
		snprintf(kv, sizeof kv, "ProjectCoCID=PC%d;ProjectID=P%d;CoCCode=XX-501;Geocode=250001;"
			"GeographyType=1", i, i);
		xp_row(x, "ProjectCoC.csv", kv);
		snprintf(kv, sizeof kv, "InventoryID=I%d;ProjectID=P%d;CoCCode=XX-501;UnitInventory=2;"
			"BedInventory=4;OtherBedInventory=4", i, i);
		xp_row(x, "Inventory.csv", kv);
	}
}

static void test_q22_q23_stays(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	xp_clean(&x);
	xp_row(&x, "Project.csv", Q_P3);
	q_projects(&x);
	for (int i = 3; i <= 13; i++) {
		char id[8];
		snprintf(id, sizeof id, "C%d", i);
		q_client(&x, id, NULL);
	}
	/* Q22: move-in before entry; after exit; on the entry or exit day is fine;
	 * outside permanent housing it is not judged */
	q_enr(&x, "EN3", "C3", "P2", "H3", "2024-02-01", "MoveInDate=2024-01-25");
	q_enr(&x, "EN4", "C4", "P2", "H4", "2024-02-01", "MoveInDate=2024-03-01");
	q_exit(&x, "X4", "EN4", "C4", "2024-02-20", NULL);
	q_enr(&x, "EN5", "C5", "P2", "H5", "2024-02-01", "MoveInDate=2024-02-01");
	q_exit(&x, "X5", "EN5", "C5", "2024-03-01", NULL);
	q_enr(&x, "EN6", "C6", "P5", "H6", "2024-02-01", "MoveInDate=2024-02-10");
	q_exit(&x, "X6", "EN6", "C6", "2024-02-10", NULL);
	q_enr(&x, "EN7", "C7", "P1", "H7", "2024-02-01", "MoveInDate=2024-01-01");
	q_night(&x, "S7", "EN7", "C7", "2024-02-01");
	q_exit(&x, "X7", "EN7", "C7", "2024-02-02", NULL);
	/* Q23: a shelter stay inside a transitional one; the next stay starts
	 * the day that one ends: fine */
	q_enr(&x, "EN8a", "C8", "P4", "H8a", "2024-02-01", NULL);
	q_exit(&x, "X8a", "EN8a", "C8", "2024-03-01", NULL);
	q_enr(&x, "EN8b", "C8", "P1", "H8b", "2024-02-15", NULL);
	q_night(&x, "S8b", "EN8b", "C8", "2024-02-15");
	q_exit(&x, "X8b", "EN8b", "C8", "2024-02-20", NULL);
	q_enr(&x, "EN8c", "C8", "P4", "H8c", "2024-03-01", NULL);
	q_exit(&x, "X8c", "EN8c", "C8", "2024-03-10", NULL);
	/* permanent housing counts from move-in, and only with one */
	q_enr(&x, "EN9a", "C9", "P2", "H9a", "2024-02-01", NULL);
	q_enr(&x, "EN9b", "C9", "P1", "H9b", "2024-02-10", NULL);
	q_night(&x, "S9b", "EN9b", "C9", "2024-02-10");
	q_exit(&x, "X9b", "EN9b", "C9", "2024-02-12", NULL);
	q_enr(&x, "EN10a", "C10", "P2", "H10a", "2024-02-01", "MoveInDate=2024-02-05");
	q_enr(&x, "EN10b", "C10", "P1", "H10b", "2024-03-01", NULL);   /* inside the open stay */
	q_night(&x, "S10b", "EN10b", "C10", "2024-03-01");
	q_exit(&x, "X10b", "EN10b", "C10", "2024-03-05", NULL);
	q_enr(&x, "EN11a", "C11", "P5", "H11a", "2024-02-01", "MoveInDate=2024-02-02");
	q_enr(&x, "EN11b", "C11", "P4", "H11b", "2024-04-01", NULL);
	q_exit(&x, "X11b", "EN11b", "C11", "2024-04-02", NULL);
	/* the same first day: the later row */
	q_enr(&x, "EN12a", "C12", "P1", "H12a", "2024-05-01", NULL);
	q_night(&x, "S12a", "EN12a", "C12", "2024-05-01");
	q_exit(&x, "X12a", "EN12a", "C12", "2024-05-03", NULL);
	q_enr(&x, "EN12b", "C12", "P4", "H12b", "2024-05-01", NULL);
	q_exit(&x, "X12b", "EN12b", "C12", "2024-05-05", NULL);
	/* services only is not residential */
	q_enr(&x, "EN13a", "C13", "P3", "H13a", "2024-02-01", NULL);
	q_enr(&x, "EN13b", "C13", "P1", "H13b", "2024-02-10", NULL);
	q_night(&x, "S13b", "EN13b", "C13", "2024-02-10");
	q_exit(&x, "X13b", "EN13b", "C13", "2024-02-11", NULL);
	run_x(&x, 2, &g);
	expect(&g, "Q22", 2, "Q23", 4, NULL);
	has(&g, "Q22", "EnrollmentID=EN3", NULL);
	has(&g, "Q22", "EnrollmentID=EN4", NULL);
	assert_string_equal(first(&g, "Q22")->column, "MoveInDate");
	has(&g, "Q23", "EnrollmentID=EN8b", NULL);
	has(&g, "Q23", "EnrollmentID=EN10b", NULL);
	has(&g, "Q23", "EnrollmentID=EN11b", NULL);
	has(&g, "Q23", "EnrollmentID=EN12b", NULL);
	assert_string_equal(keyed(&g, "Q23", "EnrollmentID=EN12b")->project, "P4");
	got_free(&g);
	same_any_threads(&x);
	xp_free(&x);
}

static void test_q25_to_q27_activity(void **state)
{
	struct xp x;
	struct got g;
	struct validate_opts o;
	char dir[256];

	(void)state;
	xp_clean(&x);
	xp_row(&x, "Project.csv", "ProjectID=P6;ProjectName=Outreach Six;ProjectType=4;"
		"ContinuumProject=0");
	xp_row(&x, "Project.csv", "ProjectID=P7;ProjectName=Services Seven;ProjectType=6;"
		"ContinuumProject=0;OperatingStartDate=2024-03-01;OperatingEndDate=2024-06-30");
	for (int i = 3; i <= 16; i++) {
		char id[8];
		snprintf(id, sizeof id, "C%d", i);
		q_client(&x, id, NULL);
	}
	/* Q25 (report end 2024-09-30; the last 90 days start 2024-07-03) */
	q_enr(&x, "EN3", "C3", "P1", "H3", "2024-05-01", NULL);              /* Q25 */
	q_night(&x, "S3a", "EN3", "C3", "2024-05-01");
	q_night(&x, "S3b", "EN3", "C3", "2024-06-15");
	q_enr(&x, "EN4", "C4", "P1", "H4", "2024-05-01", NULL);
	q_night(&x, "S4a", "EN4", "C4", "2024-05-01");
	q_night(&x, "S4b", "EN4", "C4", "2024-07-10");
	q_enr(&x, "EN5", "C5", "P1", "H5", "2024-07-02", NULL);              /* 90 days: too new */
	q_night(&x, "S5", "EN5", "C5", "2024-07-02");
	q_enr(&x, "EN6", "C6", "P1", "H6", "2024-05-01", NULL);              /* Q25 */
	q_night(&x, "S6a", "EN6", "C6", "2024-05-01");
	q_night(&x, "S6b", "EN6", "C6", "2024-07-02");
	q_enr(&x, "EN7", "C7", "P1", "H7", "2024-05-01", NULL);
	q_night(&x, "S7a", "EN7", "C7", "2024-05-01");
	q_night(&x, "S7b", "EN7", "C7", "2024-07-03");
	q_enr(&x, "EN8", "C8", "P6", "H8", "2024-05-01", NULL);              /* Q25 */
	q_contact(&x, "CL8", "EN8", "C8", "2024-05-01");
	q_enr(&x, "EN9", "C9", "P6", "H9", "2024-05-01", NULL);
	q_contact(&x, "CL9", "EN9", "C9", "2024-08-01");
	q_enr(&x, "EN10", "C10", "P1", "H10", "2024-05-01", NULL);           /* Q25: open at the end */
	q_night(&x, "S10", "EN10", "C10", "2024-05-01");
	q_exit(&x, "X10", "EN10", "C10", "2024-10-01", NULL);
	q_enr(&x, "EN11", "C11", "P1", "H11", "2024-05-01", NULL);
	q_night(&x, "S11", "EN11", "C11", "2024-05-01");
	q_exit(&x, "X11", "EN11", "C11", "2024-09-15", NULL);
	/* Q26 */
	q_enr(&x, "EN12", "C12", "P1", "H12", "2024-06-01", NULL);
	q_night(&x, "S12", "EN12", "C12", "2024-06-02");
	q_exit(&x, "X12", "EN12", "C12", "2024-06-03", NULL);
	/* Q27: before the start, after the end, exit after the end */
	q_enr(&x, "EN13", "C13", "P7", "H13", "2024-02-15", NULL);
	q_enr(&x, "EN14", "C14", "P7", "H14", "2024-07-05", NULL);
	q_enr(&x, "EN15", "C15", "P7", "H15", "2024-04-01", NULL);
	q_exit(&x, "X15", "EN15", "C15", "2024-07-10", NULL);
	q_enr(&x, "EN16", "C16", "P7", "H16", "2024-04-01", NULL);
	q_exit(&x, "X16", "EN16", "C16", "2024-06-30", NULL);
	run_x(&x, 2, &g);
	expect(&g, "Q25", 4, "Q26", 1, "Q27", 3, NULL);
	has(&g, "Q25", "EnrollmentID=EN3", NULL);
	has(&g, "Q25", "EnrollmentID=EN6", NULL);
	has(&g, "Q25", "EnrollmentID=EN8", NULL);
	has(&g, "Q25", "EnrollmentID=EN10", NULL);
	assert_int_equal(first(&g, "Q25")->sev, SPEC_SEV_WARNING);
	has(&g, "Q26", "EnrollmentID=EN12", NULL);
	has(&g, "Q27", "EnrollmentID=EN13", NULL);
	has(&g, "Q27", "EnrollmentID=EN14", NULL);
	has(&g, "Q27", "EnrollmentID=EN15", NULL);
	assert_string_equal(keyed(&g, "Q27", "EnrollmentID=EN13")->column, "EntryDate");
	assert_string_equal(keyed(&g, "Q27", "EnrollmentID=EN15")->column, "");
	got_free(&g);

	/* a 200-day rule: none of these stays is that old */
	fx_dir(&x, dir, sizeof dir);
	validate_opts_default(&o);
	o.inactive_days = 200;
	run_opts(dir, &o, &g);
	expect(&g, "Q26", 1, "Q27", 3, NULL);
	got_free(&g);
	tu_rmtree(dir);

	/* without CurrentLivingSituation.csv (P03) outreach is not judged */
	xp_remove(&x, "CurrentLivingSituation.csv");
	run_x(&x, 2, &g);
	expect(&g, "P03", 1, "Q25", 3, "Q26", 1, "Q27", 3, NULL);
	got_free(&g);
	xp_free(&x);
}

static int setup(void **state)
{
	setenv("HMX_NOW", "2026-11-27T12:00:00Z", 1);
	setenv("HMX_USER", "tester", 1);
	return xp_spec_setup(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_p01_unreadable),
		cmocka_unit_test(test_p03_missing_and_empty),
		cmocka_unit_test(test_p03_no_reference_flood),
		cmocka_unit_test(test_p04_unknown_files),
		cmocka_unit_test(test_p05_export_rows),
		cmocka_unit_test(test_p06_unknown_version),
		cmocka_unit_test(test_p07_hash_status),
		cmocka_unit_test(test_p08_refused_entries),
		cmocka_unit_test(test_p09_bombs),
		cmocka_unit_test(test_s01_utf8),
		cmocka_unit_test(test_s02_s03_bom_eol),
		cmocka_unit_test(test_s04_quotes),
		cmocka_unit_test(test_s05_missing_columns),
		cmocka_unit_test(test_s06_s07_s08_header),
		cmocka_unit_test(test_s09_field_count),
		cmocka_unit_test(test_s10_to_s13_values),
		cmocka_unit_test(test_s14_s15_strings),
		cmocka_unit_test(test_s16_s17_deleted),
		cmocka_unit_test(test_s18_codes),
		cmocka_unit_test(test_k01_duplicates),
		cmocka_unit_test(test_k02_to_k05_references),
		cmocka_unit_test(test_k06_k07_k10),
		cmocka_unit_test(test_k08_households),
		cmocka_unit_test(test_k09_no_enrollments),
		cmocka_unit_test(test_k11_k12_stages),
		cmocka_unit_test(test_q01_to_q04_households),
		cmocka_unit_test(test_q05_q06_q07_q21_q24_dates),
		cmocka_unit_test(test_q08_to_q10_q13_dob),
		cmocka_unit_test(test_q11_q12_names_ssn),
		cmocka_unit_test(test_q14_to_q16_client),
		cmocka_unit_test(test_q15_fy2026_sex),
		cmocka_unit_test(test_q17_to_q19_entry),
		cmocka_unit_test(test_q20_income),
		cmocka_unit_test(test_q22_q23_stays),
		cmocka_unit_test(test_q25_to_q27_activity),
		cmocka_unit_test(test_robust_files),
		cmocka_unit_test(test_robust_archives),
		cmocka_unit_test(test_order_and_determinism),
		cmocka_unit_test(test_many_findings_spill),
		cmocka_unit_test(test_reports),
		cmocka_unit_test(test_pii_never_leaves),
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_sink_merge),
		cmocka_unit_test(test_key_tables),
	};
	return cmocka_run_group_tests(tests, setup, xp_spec_teardown);
}
