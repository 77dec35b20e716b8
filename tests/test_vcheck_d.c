/* tests/test_vcheck_d.c — unit tests of the D (project descriptor) family,
 * core/vcheck_d.c, through validate_run. Every fixture is an FY2024 export
 * written here: a base on which no P, S, K or D check fires, and for each
 * of D01-D09 a variation that makes it fire exactly as checks.md counts —
 * with the look-alikes that must not fire (deleted rows, values already
 * reported by an S check, non-residential projects) next to it. The Q
 * family is judged by its own tests: the counts here cover P, S, K and D.
 *
 * With HMX_FUZZ_CORPUS=DIR set, every fixture is also written as a seed
 * for tests/fuzz/fuzz_validate.c: DIR/validate/NAME.dir (byte 1, then the
 * files in spec order separated by 0x1E) and DIR/validate/NAME.zip (byte
 * 0, then the zip). The builder and the collector of findings:
 * fxvalidate.h, shared with test_validate. */
#include <stdbool.h>
#include <strings.h>
#include <sys/stat.h>
#include <zip.h>

#include "testutil.h"
#include "fxvalidate.h"

#include "core/spec.h"
#include "core/validate.h"

/* ==== building an export ==== */

/* The base export: nothing of P, S, K or D fires on it.
 *   O1 an agency, O2 a victim service provider without enrollments
 *   P1 ES night-by-night, P2 PSH, P4 RRH housing (subtype 2): residential,
 *      each with a ProjectCoC row in XX-501 and inventory in XX-501
 *   P3 RRH services only (subtype 1): continuum, not residential
 *   P5 street outreach, not a continuum project: nothing needed
 *   P6 services only, of O2 */
static void base(struct xp *x)
{
	xp_init(x, fy24);
	xp_row(x, "Export.csv", "ExportID=E1;CSVVersion=2024 v1.3;HashStatus=1;"
		"ExportDate=2024-10-01 08:00:00;ExportStartDate=2023-10-01;ExportEndDate=2024-09-30;"
		"SourceName=Test CoC;ExportPeriodType=3;ExportDirective=2");
	xp_row(x, "Organization.csv", "OrganizationID=O1;OrganizationName=Org One;VictimServiceProvider=0");
	xp_row(x, "Organization.csv", "OrganizationID=O2;OrganizationName=Safe Harbor;VictimServiceProvider=1");
	xp_row(x, "User.csv", "UserID=U1");
	xp_row(x, "Project.csv", "ProjectID=P1;ProjectName=Night Shelter;ProjectType=1;ContinuumProject=1;"
		"HousingType=1");
	xp_row(x, "Project.csv", "ProjectID=P2;ProjectName=Supportive Housing;ProjectType=3;"
		"ContinuumProject=1;HousingType=3");
	xp_row(x, "Project.csv", "ProjectID=P3;ProjectName=RRH Services;ProjectType=13;RRHSubType=1;"
		"ContinuumProject=1");
	xp_row(x, "Project.csv", "ProjectID=P4;ProjectName=RRH Housing;ProjectType=13;RRHSubType=2;"
		"ContinuumProject=1;HousingType=3");
	xp_row(x, "Project.csv", "ProjectID=P5;ProjectName=Outreach;ProjectType=4;ContinuumProject=0");
	xp_row(x, "Project.csv", "ProjectID=P6;OrganizationID=O2;ProjectName=Safe Services;ProjectType=6;"
		"ContinuumProject=0");
	for (int p = 1; p <= 4; p++) {
		char kv[160];
		snprintf(kv, sizeof kv, "ProjectCoCID=PC%d;ProjectID=P%d;CoCCode=XX-501;Geocode=250%03d;"
			"GeographyType=%d", p, p, p, 1 + p % 3);
		xp_row(x, "ProjectCoC.csv", kv);
	}
	xp_row(x, "Inventory.csv", "InventoryID=I1;ProjectID=P1;CoCCode=XX-501;UnitInventory=20;"
		"BedInventory=20;Availability=1;ESBedType=1;CHBedInventory=5;OtherBedInventory=15");
	xp_row(x, "Inventory.csv", "InventoryID=I2;ProjectID=P2;CoCCode=XX-501;HouseholdType=3;"
		"UnitInventory=4;BedInventory=12;VetBedInventory=3;YouthBedInventory=9");
	xp_row(x, "Inventory.csv", "InventoryID=I4;ProjectID=P4;CoCCode=XX-501;UnitInventory=6;"
		"BedInventory=6;CHVetBedInventory=1;YouthVetBedInventory=1;CHYouthBedInventory=1;"
		"CHBedInventory=1;OtherBedInventory=2");
	xp_row(x, "Client.csv", "PersonalID=C1;FirstName=Ann;LastName=Smith;DOB=1980-01-01");
	xp_row(x, "Enrollment.csv", "EnrollmentID=EN1;PersonalID=C1;ProjectID=P1;HouseholdID=H1;"
		"EntryDate=2024-01-15");
}

/* Writes x as seeds of fuzz_validate when HMX_FUZZ_CORPUS is set. */
static void seed(const struct xp *x, const char *name)
{
	const char *dir = getenv("HMX_FUZZ_CORPUS");
	char sub[1024], file[256], tmp[256], zp[512];
	char *s = NULL, *b;
	size_t slen = 0, scap = 0, len;

	if (!dir || !*dir)
		return;
	snprintf(sub, sizeof sub, "%s/validate", dir);
	mkdir(dir, 0755);
	mkdir(sub, 0755);
	/* folder form: mode byte 1, then each present file, 0x1E between */
	xs_add(&s, &slen, &scap, "\x01", 1);
	for (size_t f = 0; f < x->n; f++) {
		if (f)
			xs_add(&s, &slen, &scap, "\x1e", 1);
		if (x->f[f].absent)
			continue; /* an empty part: a 0-byte file */
		b = xf_bytes(&x->f[f], &len);
		xs_add(&s, &slen, &scap, b, len);
		free(b);
	}
	snprintf(file, sizeof file, "%s.dir", name);
	tu_write(sub, file, s, slen);
	/* zip form: mode byte 0, then the archive */
	tu_mkdtemp(tmp, sizeof tmp);
	snprintf(zp, sizeof zp, "%s/x.zip", tmp);
	xp_write_zip(x, zp, "");
	b = tu_slurp(zp, &len);
	slen = 0;
	xs_add(&s, &slen, &scap, "\x00", 1);
	xs_add(&s, &slen, &scap, b, len);
	free(b);
	snprintf(file, sizeof file, "%s.zip", name);
	tu_write(sub, file, s, slen);
	free(s);
	tu_rmtree(tmp);
}

/* ==== running ==== */

/* Runs x as a folder (zip: as a zip) with threads workers; seeds the
 * fuzz corpus under name. */
static void run(const struct xp *x, const char *name, bool zip, unsigned threads, struct got *g)
{
	char dir[256], path[512];

	seed(x, name);
	tu_mkdtemp(dir, sizeof dir);
	if (zip) {
		snprintf(path, sizeof path, "%s/export.zip", dir);
		xp_write_zip(x, path, "");
	} else {
		snprintf(path, sizeof path, "%s", dir);
		xp_write_dir(x, dir);
	}
	run_path(path, threads, g);
	tu_rmtree(dir);
}

/* The k-th (0-based) finding of check, which must exist. */
static const struct frec *nth(const struct got *g, const char *check, size_t k)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->v[i].check, check) == 0 && k-- == 0)
			return &g->v[i];
	fail_msg("no finding %s #%zu", check, k);
	return NULL;
}

/* Asserts the run succeeded and every P, S, K and D check fired exactly as
 * listed ("D01", 2, ..., NULL), the others of those families not at all;
 * the result's counts agree with the findings delivered. */
static void expect(const struct got *g, ...)
{
	va_list ap;

	va_start(ap, g);
	expect_in(g, "PSKD", ap);
	va_end(ap);
}

static void assert_finding(const struct frec *r, const char *file, uint64_t line,
	const char *key, const char *column, const char *project)
{
	assert_string_equal(r->file, file);
	assert_int_equal(r->line, line);
	assert_string_equal(r->key, key);
	assert_string_equal(r->column, column);
	assert_string_equal(r->project, project);
}

static void check_severity(const struct got *g, const char *check, enum spec_severity sev)
{
	for (size_t i = 0; i < g->res.nchecks; i++)
		if (strcmp(g->res.checks[i].check->id, check) == 0)
			assert_int_equal(g->res.checks[i].by_sev[sev], g->res.checks[i].total);
}

/* ==== tests ==== */

static void test_clean(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	base(&x);
	run(&x, "d-clean", false, 2, &g);
	expect(&g, NULL);
	assert_int_equal(g.res.nprojects, 6);
	got_free(&g);
	run(&x, "d-clean", true, 1, &g);
	expect(&g, NULL);
	got_free(&g);
	xp_free(&x);
}

static void test_d01_no_projectcoc(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	base(&x);
	/* line 8: a continuum project without a ProjectCoC row */
	xp_row(&x, "Project.csv", "ProjectID=P7;ProjectName=Day Center;ProjectType=6;ContinuumProject=1");
	/* line 9: its only ProjectCoC row is deleted: absent (S17) */
	xp_row(&x, "Project.csv", "ProjectID=P8;ProjectName=Drop In;ProjectType=6;ContinuumProject=1");
	xp_row(&x, "ProjectCoC.csv", "ProjectCoCID=PC8;ProjectID=P8;CoCCode=XX-501;Geocode=250008;"
		"GeographyType=1;DateDeleted=2024-05-01 10:00:00");
	/* not continuum, or ContinuumProject not a code (S18): not judged */
	xp_row(&x, "Project.csv", "ProjectID=P9;ProjectName=Legal Aid;ProjectType=6;ContinuumProject=0");
	xp_row(&x, "Project.csv", "ProjectID=P10;ProjectName=Mystery;ProjectType=6;ContinuumProject=7");
	/* a deleted continuum project is not judged at all */
	xp_row(&x, "Project.csv", "ProjectID=P11;ProjectName=Gone;ProjectType=6;ContinuumProject=1;"
		"DateDeleted=2024-05-01 10:00:00");
	run(&x, "d01", false, 2, &g);
	expect(&g, "D01", 2, "S17", 2, "S18", 1, NULL);
	assert_finding(nth(&g, "D01", 0), "Project.csv", 8, "ProjectID=P7", "", "P7");
	assert_finding(nth(&g, "D01", 1), "Project.csv", 9, "ProjectID=P8", "", "P8");
	check_severity(&g, "D01", SPEC_SEV_BLOCKING);
	got_free(&g);

	/* ProjectCoC.csv missing: P03 once, not D01 per project (nor D08) */
	xp_remove(&x, "ProjectCoC.csv");
	run(&x, "d01-missing", false, 2, &g);
	expect(&g, "P03", 1, "S17", 1, "S18", 1, NULL);
	got_free(&g);

	/* header only: there are no ProjectCoC rows, every continuum project
	 * is D01 (P1-P4, P7, P8) and every inventory row D08 (I1, I2, I4) */
	xf(&x, "ProjectCoC.csv")->absent = false;
	xp_clear(&x, "ProjectCoC.csv");
	run(&x, "d01-header-only", false, 2, &g);
	expect(&g, "D01", 6, "D08", 3, "S17", 1, "S18", 1, NULL);
	got_free(&g);
	xp_free(&x);
}

static void test_d02_geography(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	base(&x);
	/* lines 6-11 of ProjectCoC.csv */
	xp_row(&x, "ProjectCoC.csv", "ProjectCoCID=PC21;ProjectID=P1;CoCCode=XX-502;Geocode=;"
		"GeographyType=1");
	xp_row(&x, "ProjectCoC.csv", "ProjectCoCID=PC22;ProjectID=P1;CoCCode=XX-503;Geocode=250001;"
		"GeographyType=");
	xp_row(&x, "ProjectCoC.csv", "ProjectCoCID=PC23;ProjectID=P2;CoCCode=XX-502;Geocode=250002;"
		"GeographyType=99");
	xp_row(&x, "ProjectCoC.csv", "ProjectCoCID=PC24;ProjectID=P2;CoCCode=;Geocode=250002;"
		"GeographyType=2");                        /* also S13 */
	xp_row(&x, "ProjectCoC.csv", "ProjectCoCID=PC25;ProjectID=P3;CoCCode=;Geocode=;"
		"GeographyType=");                         /* one finding, also S13 */
	xp_row(&x, "ProjectCoC.csv", "ProjectCoCID=PC26;ProjectID=P3;CoCCode=XX-502;Geocode=250003;"
		"GeographyType=7");                        /* S18, not judged again */
	/* a deleted row missing everything: S17 only */
	xp_row(&x, "ProjectCoC.csv", "ProjectCoCID=PC27;ProjectID=P4;CoCCode=XX-502;Geocode=;"
		"GeographyType=;DateDeleted=2024-05-01 10:00:00");
	run(&x, "d02", false, 2, &g);
	expect(&g, "D02", 5, "S13", 2, "S18", 1, "S17", 1, NULL);
	assert_finding(nth(&g, "D02", 0), "ProjectCoC.csv", 6, "ProjectCoCID=PC21", "Geocode", "P1");
	assert_finding(nth(&g, "D02", 1), "ProjectCoC.csv", 7, "ProjectCoCID=PC22", "GeographyType",
		"P1");
	assert_finding(nth(&g, "D02", 2), "ProjectCoC.csv", 8, "ProjectCoCID=PC23", "GeographyType",
		"P2");
	assert_finding(nth(&g, "D02", 3), "ProjectCoC.csv", 9, "ProjectCoCID=PC24", "CoCCode", "P2");
	assert_finding(nth(&g, "D02", 4), "ProjectCoC.csv", 10, "ProjectCoCID=PC25", "CoCCode", "P3");
	check_severity(&g, "D02", SPEC_SEV_BLOCKING);
	got_free(&g);
	xp_free(&x);
}

static void test_d03_housing_type(void **state)
{
	struct xp x;
	struct got g;
	static const char *const proj[] = {
		/* Project.csv lines 8-13 */
		"ProjectID=P7;ProjectName=Transitional;ProjectType=2;ContinuumProject=1",
		"ProjectID=P8;ProjectName=RRH Two;ProjectType=13;RRHSubType=2;ContinuumProject=1",
		"ProjectID=P9;ProjectName=Safe Haven;ProjectType=8;ContinuumProject=1;HousingType=99",
		"ProjectID=P10;ProjectName=RRH SSO;ProjectType=13;RRHSubType=1;ContinuumProject=1",
		"ProjectID=P11;ProjectName=Day Shelter;ProjectType=0;ContinuumProject=1",
		/* a repeat of P7 (K01): the project was judged on its first row */
		"ProjectID=P7;ProjectName=Transitional;ProjectType=2;ContinuumProject=1",
	};

	(void)state;
	base(&x);
	for (size_t i = 0; i < sizeof proj / sizeof proj[0]; i++)
		xp_row(&x, "Project.csv", proj[i]);
	for (int p = 7; p <= 11; p++) {
		char kv[200];
		snprintf(kv, sizeof kv, "ProjectCoCID=PC%d;ProjectID=P%d;CoCCode=XX-501;Geocode=250001;"
			"GeographyType=1", p, p);
		xp_row(&x, "ProjectCoC.csv", kv);
		snprintf(kv, sizeof kv, "InventoryID=I%d;ProjectID=P%d;CoCCode=XX-501;UnitInventory=2;"
			"BedInventory=2;OtherBedInventory=2", p, p);
		xp_row(&x, "Inventory.csv", kv);
	}
	/* a deleted residential project without HousingType: not judged */
	xp_row(&x, "Project.csv", "ProjectID=P12;ProjectName=Old TH;ProjectType=2;ContinuumProject=0;"
		"DateDeleted=2024-05-01 10:00:00");
	run(&x, "d03", false, 2, &g);
	expect(&g, "D03", 3, "S18", 1, "K01", 1, "S17", 1, NULL);
	assert_finding(nth(&g, "D03", 0), "Project.csv", 8, "ProjectID=P7", "HousingType", "P7");
	assert_finding(nth(&g, "D03", 1), "Project.csv", 9, "ProjectID=P8", "HousingType", "P8");
	assert_finding(nth(&g, "D03", 2), "Project.csv", 12, "ProjectID=P11", "HousingType", "P11");
	check_severity(&g, "D03", SPEC_SEV_BLOCKING);
	got_free(&g);

	/* the HousingType column missing from the header (S05): not judged */
	xp_drop_column(&x, "Project.csv", "HousingType");
	run(&x, "d03-no-column", false, 2, &g);
	expect(&g, "S05", 1, "K01", 1, "S17", 1, NULL);
	got_free(&g);
	xp_free(&x);
}

static void test_d04_rrh_subtype(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	base(&x);
	/* RRH without a subtype: not residential, so no D03/D05 either */
	xp_row(&x, "Project.csv", "ProjectID=P7;ProjectName=RRH;ProjectType=13;ContinuumProject=0");
	/* a subtype outside its list is S18's */
	xp_row(&x, "Project.csv", "ProjectID=P8;ProjectName=RRH Odd;ProjectType=13;RRHSubType=3;"
		"ContinuumProject=0");
	/* RRHSubType is for type 13 only */
	xp_row(&x, "Project.csv", "ProjectID=P9;ProjectName=Services;ProjectType=6;ContinuumProject=0");
	xp_row(&x, "Project.csv", "ProjectID=P10;ProjectName=RRH Two;ProjectType=13;ContinuumProject=0");
	run(&x, "d04", false, 2, &g);
	expect(&g, "D04", 2, "S18", 1, NULL);
	assert_finding(nth(&g, "D04", 0), "Project.csv", 8, "ProjectID=P7", "RRHSubType", "P7");
	assert_finding(nth(&g, "D04", 1), "Project.csv", 11, "ProjectID=P10", "RRHSubType", "P10");
	check_severity(&g, "D04", SPEC_SEV_ERROR);
	got_free(&g);

	/* the RRHSubType column missing from the header (S05): not judged per
	 * project (and P4 is no longer known as residential: no D03/D05) */
	xp_drop_column(&x, "Project.csv", "RRHSubType");
	run(&x, "d04-no-column", false, 2, &g);
	expect(&g, "S05", 1, NULL);
	got_free(&g);
	xp_free(&x);
}

static void test_d05_no_inventory(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	base(&x);
	xp_row(&x, "Project.csv", "ProjectID=P7;ProjectName=TH;ProjectType=2;ContinuumProject=0;"
		"HousingType=1");
	xp_row(&x, "Project.csv", "ProjectID=P8;ProjectName=Safe Haven;ProjectType=8;ContinuumProject=0;"
		"HousingType=1");
	xp_row(&x, "Inventory.csv", "InventoryID=I8;ProjectID=P8;CoCCode=XX-501;UnitInventory=2;"
		"BedInventory=2;OtherBedInventory=2;DateDeleted=2024-05-01 10:00:00");
	xp_row(&x, "Project.csv", "ProjectID=P9;ProjectName=RRH;ProjectType=13;RRHSubType=2;"
		"ContinuumProject=0;HousingType=3");
	xp_row(&x, "Project.csv", "ProjectID=P10;ProjectName=PH;ProjectType=9;ContinuumProject=0;"
		"HousingType=1");
	xp_row(&x, "Project.csv", "ProjectID=P11;ProjectName=OPH;ProjectType=10;ContinuumProject=0;"
		"HousingType=1");
	xp_row(&x, "Project.csv", "ProjectID=P12;ProjectName=ES Entry Exit;ProjectType=0;"
		"ContinuumProject=0;HousingType=1");
	/* not residential: HP (12), services (6), CE (14), RRH SSO */
	xp_row(&x, "Project.csv", "ProjectID=P13;ProjectName=HP;ProjectType=12;ContinuumProject=0");
	xp_row(&x, "Project.csv", "ProjectID=P14;ProjectName=CE;ProjectType=14;ContinuumProject=0");
	xp_row(&x, "Project.csv", "ProjectID=P15;ProjectName=SSO;ProjectType=13;RRHSubType=1;"
		"ContinuumProject=0");
	run(&x, "d05", false, 2, &g);
	expect(&g, "D05", 6, "S17", 1, NULL);
	assert_finding(nth(&g, "D05", 0), "Project.csv", 8, "ProjectID=P7", "", "P7");
	assert_finding(nth(&g, "D05", 1), "Project.csv", 9, "ProjectID=P8", "", "P8");
	assert_finding(nth(&g, "D05", 5), "Project.csv", 13, "ProjectID=P12", "", "P12");
	check_severity(&g, "D05", SPEC_SEV_ERROR);
	got_free(&g);

	/* Inventory.csv missing: P03 once, no D05 */
	xp_remove(&x, "Inventory.csv");
	run(&x, "d05-missing", true, 2, &g);
	expect(&g, "P03", 1, "S17", 0, NULL);
	got_free(&g);
	xp_free(&x);
}

static void test_d06_population_sum(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	base(&x);
	/* Inventory.csv lines 5-11 */
	xp_row(&x, "Inventory.csv", "InventoryID=I5;ProjectID=P1;CoCCode=XX-501;UnitInventory=10;"
		"BedInventory=10;CHBedInventory=2;OtherBedInventory=7");      /* 9 != 10 */
	xp_row(&x, "Inventory.csv", "InventoryID=I6;ProjectID=P1;CoCCode=XX-501;UnitInventory=10;"
		"BedInventory=10");                                          /* 0 != 10 */
	xp_row(&x, "Inventory.csv", "InventoryID=I7;ProjectID=P1;CoCCode=XX-501;UnitInventory=10;"
		"BedInventory=10;VetBedInventory=x;OtherBedInventory=2");    /* S10 */
	xp_row(&x, "Inventory.csv", "InventoryID=I8;ProjectID=P1;CoCCode=XX-501;UnitInventory=10;"
		"BedInventory=ten;OtherBedInventory=2");                     /* S10 */
	xp_row(&x, "Inventory.csv", "InventoryID=I9;ProjectID=P2;CoCCode=XX-501;UnitInventory=1;"
		"BedInventory=7;CHVetBedInventory=1;YouthVetBedInventory=1;VetBedInventory=1;"
		"CHYouthBedInventory=1;YouthBedInventory=1;CHBedInventory=1;OtherBedInventory=1");
	xp_row(&x, "Inventory.csv", "InventoryID=I10;ProjectID=P2;CoCCode=XX-501;UnitInventory=0;"
		"BedInventory=0");                                           /* 0 == 0 */
	xp_row(&x, "Inventory.csv", "InventoryID=I11;ProjectID=P2;CoCCode=XX-501;UnitInventory=3;"
		"BedInventory=3;YouthBedInventory=4;DateDeleted=2024-05-01 10:00:00");
	run(&x, "d06", false, 2, &g);
	expect(&g, "D06", 2, "S10", 2, "S17", 1, NULL);
	assert_finding(nth(&g, "D06", 0), "Inventory.csv", 5, "InventoryID=I5", "BedInventory", "P1");
	assert_finding(nth(&g, "D06", 1), "Inventory.csv", 6, "InventoryID=I6", "BedInventory", "P1");
	check_severity(&g, "D06", SPEC_SEV_ERROR);
	got_free(&g);
	xp_free(&x);
}

static void test_d07_units_over_beds(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	base(&x);
	xp_row(&x, "Inventory.csv", "InventoryID=I5;ProjectID=P1;CoCCode=XX-501;UnitInventory=12;"
		"BedInventory=10;OtherBedInventory=10");
	xp_row(&x, "Inventory.csv", "InventoryID=I6;ProjectID=P1;CoCCode=XX-501;UnitInventory=10;"
		"BedInventory=10;OtherBedInventory=10");                      /* equal: fine */
	xp_row(&x, "Inventory.csv", "InventoryID=I7;ProjectID=P1;CoCCode=XX-501;UnitInventory=;"
		"BedInventory=10;OtherBedInventory=10");                      /* S13 */
	xp_row(&x, "Inventory.csv", "InventoryID=I8;ProjectID=P1;CoCCode=XX-501;UnitInventory=5x;"
		"BedInventory=1;OtherBedInventory=1");                        /* S10 */
	xp_row(&x, "Inventory.csv", "InventoryID=I9;ProjectID=P2;CoCCode=XX-501;UnitInventory=9;"
		"BedInventory=8;OtherBedInventory=8;DateDeleted=2024-05-01 10:00:00");
	run(&x, "d07", false, 2, &g);
	expect(&g, "D07", 1, "S13", 1, "S10", 1, "S17", 1, NULL);
	assert_finding(nth(&g, "D07", 0), "Inventory.csv", 5, "InventoryID=I5", "UnitInventory", "P1");
	check_severity(&g, "D07", SPEC_SEV_ERROR);
	got_free(&g);
	xp_free(&x);
}

static void test_d08_inventory_coc(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	base(&x);
	/* XX-503 is P1's only through a deleted ProjectCoC row */
	xp_row(&x, "ProjectCoC.csv", "ProjectCoCID=PC9;ProjectID=P1;CoCCode=XX-503;Geocode=250001;"
		"GeographyType=1;DateDeleted=2024-05-01 10:00:00");
	/* XX-504 is P2's, not P1's */
	xp_row(&x, "ProjectCoC.csv", "ProjectCoCID=PC10;ProjectID=P2;CoCCode=XX-504;Geocode=250002;"
		"GeographyType=1");
	/* Inventory.csv lines 5-10 */
	xp_row(&x, "Inventory.csv", "InventoryID=I5;ProjectID=P1;CoCCode=XX-502;UnitInventory=1;"
		"BedInventory=1;OtherBedInventory=1");
	xp_row(&x, "Inventory.csv", "InventoryID=I6;ProjectID=P1;CoCCode=XX-503;UnitInventory=1;"
		"BedInventory=1;OtherBedInventory=1");
	xp_row(&x, "Inventory.csv", "InventoryID=I7;ProjectID=P1;CoCCode=XX-504;UnitInventory=1;"
		"BedInventory=1;OtherBedInventory=1");
	xp_row(&x, "Inventory.csv", "InventoryID=I8;ProjectID=P2;CoCCode=XX-504;UnitInventory=1;"
		"BedInventory=1;OtherBedInventory=1");                        /* listed */
	xp_row(&x, "Inventory.csv", "InventoryID=I9;ProjectID=P1;CoCCode=xx-501;UnitInventory=1;"
		"BedInventory=1;OtherBedInventory=1");                        /* exact compare */
	xp_row(&x, "Inventory.csv", "InventoryID=I10;ProjectID=P1;CoCCode=;UnitInventory=1;"
		"BedInventory=1;OtherBedInventory=1");                        /* not judged */
	run(&x, "d08", false, 4, &g);
	expect(&g, "D08", 4, "S17", 1, NULL);
	assert_finding(nth(&g, "D08", 0), "Inventory.csv", 5, "InventoryID=I5", "CoCCode", "P1");
	assert_finding(nth(&g, "D08", 1), "Inventory.csv", 6, "InventoryID=I6", "CoCCode", "P1");
	assert_finding(nth(&g, "D08", 2), "Inventory.csv", 7, "InventoryID=I7", "CoCCode", "P1");
	assert_finding(nth(&g, "D08", 3), "Inventory.csv", 9, "InventoryID=I9", "CoCCode", "P1");
	check_severity(&g, "D08", SPEC_SEV_ERROR);
	got_free(&g);
	xp_free(&x);
}

static void test_d09_vsp_enrollments(void **state)
{
	struct xp x;
	struct got g;

	(void)state;
	base(&x);
	/* O2 (line 3): two enrollments in P6 — one finding */
	xp_row(&x, "Client.csv", "PersonalID=C2;FirstName=Bea;LastName=Jones;DOB=1985-02-02");
	xp_row(&x, "Enrollment.csv", "EnrollmentID=EN2;PersonalID=C2;ProjectID=P6;HouseholdID=H2;"
		"EntryDate=2024-02-01");
	xp_row(&x, "Enrollment.csv", "EnrollmentID=EN3;PersonalID=C1;ProjectID=P6;HouseholdID=H3;"
		"EntryDate=2024-03-01");
	/* O3 (line 4): a VSP whose only enrollment is deleted */
	xp_row(&x, "Organization.csv", "OrganizationID=O3;OrganizationName=Shelter Net;"
		"VictimServiceProvider=1");
	xp_row(&x, "Project.csv", "ProjectID=P7;OrganizationID=O3;ProjectName=DV Services;ProjectType=6;"
		"ContinuumProject=0");
	xp_row(&x, "Enrollment.csv", "EnrollmentID=EN4;PersonalID=C1;ProjectID=P7;HouseholdID=H4;"
		"EntryDate=2024-03-01;DateDeleted=2024-05-01 10:00:00");
	/* O4 (line 5): a VSP with enrollments in two projects — one finding */
	xp_row(&x, "Organization.csv", "OrganizationID=O4;OrganizationName=Haven;"
		"VictimServiceProvider=1");
	xp_row(&x, "Project.csv", "ProjectID=P8;OrganizationID=O4;ProjectName=Haven A;ProjectType=6;"
		"ContinuumProject=0");
	xp_row(&x, "Project.csv", "ProjectID=P9;OrganizationID=O4;ProjectName=Haven B;ProjectType=6;"
		"ContinuumProject=0");
	xp_row(&x, "Enrollment.csv", "EnrollmentID=EN5;PersonalID=C2;ProjectID=P8;HouseholdID=H5;"
		"EntryDate=2024-03-01");
	xp_row(&x, "Enrollment.csv", "EnrollmentID=EN6;PersonalID=C2;ProjectID=P9;HouseholdID=H6;"
		"EntryDate=2024-04-01");
	/* O5: VictimServiceProvider outside its list (S18) is not judged */
	xp_row(&x, "Organization.csv", "OrganizationID=O5;OrganizationName=Unknown;"
		"VictimServiceProvider=8");
	xp_row(&x, "Project.csv", "ProjectID=P10;OrganizationID=O5;ProjectName=U;ProjectType=6;"
		"ContinuumProject=0");
	xp_row(&x, "Enrollment.csv", "EnrollmentID=EN7;PersonalID=C2;ProjectID=P10;HouseholdID=H7;"
		"EntryDate=2024-04-01");
	run(&x, "d09", false, 2, &g);
	expect(&g, "D09", 2, "S17", 1, "S18", 1, NULL);
	assert_finding(nth(&g, "D09", 0), "Organization.csv", 3, "OrganizationID=O2",
		"VictimServiceProvider", "");
	assert_finding(nth(&g, "D09", 1), "Organization.csv", 5, "OrganizationID=O4",
		"VictimServiceProvider", "");
	check_severity(&g, "D09", SPEC_SEV_BLOCKING);
	assert_true(validate_blocking(&g.res));
	got_free(&g);
	xp_free(&x);
}

/* Every D check at once: the same findings in the same order with 1 and 4
 * threads, on the folder and on the zip. */
static void test_all_deterministic(void **state)
{
	struct xp x;
	struct got a, b;

	(void)state;
	base(&x);
	xp_row(&x, "Project.csv", "ProjectID=P7;ProjectName=Day Center;ProjectType=6;ContinuumProject=1");
	xp_row(&x, "Project.csv", "ProjectID=P8;ProjectName=TH;ProjectType=2;ContinuumProject=0");
	xp_row(&x, "Project.csv", "ProjectID=P9;ProjectName=RRH;ProjectType=13;ContinuumProject=0");
	xp_row(&x, "ProjectCoC.csv", "ProjectCoCID=PC9;ProjectID=P2;CoCCode=XX-502;Geocode=;"
		"GeographyType=1");
	xp_row(&x, "Inventory.csv", "InventoryID=I5;ProjectID=P1;CoCCode=XX-509;UnitInventory=12;"
		"BedInventory=10;OtherBedInventory=9");
	xp_row(&x, "Enrollment.csv", "EnrollmentID=EN2;PersonalID=C1;ProjectID=P6;HouseholdID=H2;"
		"EntryDate=2024-02-01");
	run(&x, "d-all", false, 1, &a);
	expect(&a, "D01", 1, "D02", 1, "D03", 1, "D04", 1, "D05", 1, "D06", 1, "D07", 1, "D08", 1,
		"D09", 1, NULL);
	run(&x, "d-all", true, 4, &b);
	assert_int_equal(a.n, b.n);
	for (size_t i = 0; i < a.n; i++) {
		assert_string_equal(a.v[i].check, b.v[i].check);
		assert_string_equal(a.v[i].file, b.v[i].file);
		assert_int_equal(a.v[i].line, b.v[i].line);
		assert_string_equal(a.v[i].key, b.v[i].key);
	}
	/* order: files in spec order, then line, then check id */
	assert_string_equal(nth(&a, "D09", 0)->file, "Organization.csv");
	assert_int_equal(nth(&a, "D01", 0)->line, 8);
	assert_int_equal(nth(&a, "D03", 0)->line, 9);
	assert_int_equal(nth(&a, "D05", 0)->line, 9);
	got_free(&a);
	got_free(&b);
	xp_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_d01_no_projectcoc),
		cmocka_unit_test(test_d02_geography),
		cmocka_unit_test(test_d03_housing_type),
		cmocka_unit_test(test_d04_rrh_subtype),
		cmocka_unit_test(test_d05_no_inventory),
		cmocka_unit_test(test_d06_population_sum),
		cmocka_unit_test(test_d07_units_over_beds),
		cmocka_unit_test(test_d08_inventory_coc),
		cmocka_unit_test(test_d09_vsp_enrollments),
		cmocka_unit_test(test_all_deterministic),
	};

	return cmocka_run_group_tests(tests, xp_spec_setup, xp_spec_teardown);
}
