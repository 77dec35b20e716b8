/* tests/test_spec.c — unit tests of core/spec: the FY2024 and FY2026
 * tables loaded from the embedded assets (files, columns, keys, code
 * lists and the rules that pick a list), CSVVersion detection and the
 * check catalog. Expected numbers come from assets/spec/ and checks.csv. */
#include "testutil.h"

#include "core/spec.h"

static struct spec *fy24, *fy26;

static const struct spec_column *col(const struct spec *s, const char *file, const char *name)
{
	const struct spec_file *f = spec_file_find(s, file);
	const struct spec_column *c;

	assert_non_null(f);
	c = spec_column_find(f, name, strlen(name), NULL);
	assert_non_null(c);
	return c;
}

static void test_files(void **state)
{
	static const char *const order[] = { "Export.csv", "Organization.csv", "User.csv",
		"Project.csv", "Funder.csv", "ProjectCoC.csv", "Inventory.csv", "Affiliation.csv",
		"HMISParticipation.csv", "CEParticipation.csv", "Client.csv", "Enrollment.csv",
		"Exit.csv", "IncomeBenefits.csv", "HealthAndDV.csv", "EmploymentEducation.csv",
		"Disabilities.csv", "Services.csv", "CurrentLivingSituation.csv", "Assessment.csv",
		"AssessmentQuestions.csv", "AssessmentResults.csv", "Event.csv",
		"YouthEducationStatus.csv" };
	size_t total24 = 0, total26 = 0;

	(void)state;
	assert_int_equal(spec_get_version(fy24), SPEC_FY2024);
	assert_int_equal(spec_get_version(fy26), SPEC_FY2026);
	assert_int_equal(spec_nfiles(fy24), 24);
	assert_int_equal(spec_nfiles(fy26), 24);
	for (size_t i = 0; i < 24; i++) {
		const struct spec_file *f = spec_file_at(fy24, i);
		assert_string_equal(f->name, order[i]);
		assert_int_equal(f->order, i);
		assert_true(f->required);
		assert_non_null(f->pk);
		assert_true(f->pk->pk);
		assert_string_equal(spec_file_at(fy26, i)->name, order[i]);
		total24 += f->ncolumns;
		total26 += spec_file_at(fy26, i)->ncolumns;
		/* columns sit at their spec position */
		for (size_t j = 0; j < f->ncolumns; j++) {
			assert_int_equal(f->columns[j].index, j);
			assert_ptr_equal(f->columns[j].file, f);
		}
	}
	assert_null(spec_file_at(fy24, 24));
	/* one row per column in hmis_csv_fy2024_columns.csv / fy2026 */
	assert_int_equal(total24, 531);
	assert_int_equal(total26, 519);
	assert_ptr_equal(spec_file_find(fy24, "client.CSV"), spec_file_at(fy24, 10));
	assert_null(spec_file_find(fy24, "Client"));
	assert_null(spec_file_find(fy24, "Nope.csv"));
	assert_int_equal(spec_file_find(fy24, "Client.csv")->ncolumns, 46);
	assert_int_equal(spec_file_find(fy24, "Enrollment.csv")->ncolumns, 71);
	assert_true(spec_file_find(fy24, "Affiliation.csv")->eva_skipped);
	assert_false(spec_file_find(fy24, "Client.csv")->eva_skipped);
}

static void test_columns(void **state)
{
	const struct spec_file *cl = spec_file_find(fy24, "Client.csv");
	const struct spec_column *c;
	bool exact;

	(void)state;
	c = col(fy24, "Client.csv", "PersonalID");
	assert_ptr_equal(cl->pk, c);
	assert_int_equal(c->type, SPEC_STRING);
	assert_int_equal(c->max_len, 32);
	assert_false(c->nullable);
	assert_true(c->eva_hp);
	assert_null(c->fk_file);

	c = col(fy24, "Client.csv", "DOB");
	assert_int_equal(c->type, SPEC_DATE);
	assert_true(c->nullable);
	assert_int_equal(c->max_len, 0);
	assert_int_equal(c->index, 8);

	c = col(fy24, "Enrollment.csv", "ProjectID");
	assert_ptr_equal(c->fk_file, spec_file_find(fy24, "Project.csv"));
	assert_ptr_equal(c->fk_column, spec_file_find(fy24, "Project.csv")->pk);
	assert_false(c->pk);
	assert_true(col(fy24, "Enrollment.csv", "HouseholdID")->group_key);
	assert_false(col(fy24, "Enrollment.csv", "ProjectID")->group_key);
	c = col(fy24, "Affiliation.csv", "ResProjectID");
	assert_string_equal(c->fk_column->name, "ProjectID");
	assert_int_equal(col(fy24, "Services.csv", "FAAmount")->type, SPEC_MONEY);
	assert_int_equal(col(fy24, "Services.csv", "DateCreated")->type, SPEC_DATETIME);
	assert_int_equal(col(fy24, "Services.csv", "RecordType")->type, SPEC_INTEGER);
	assert_string_equal(spec_type_name(SPEC_DATETIME), "datetime");
	assert_string_equal(col(fy24, "Inventory.csv", "CoCCode")->notes,
		"(ProjectID,CoCCode) expected in ProjectCoC (Eva PDDE 137); Greenriver nullable=N");

	/* lookup by name: exact wins, case ignored when needed */
	c = spec_column_find(cl, "personalid", 10, &exact);
	assert_non_null(c);
	assert_false(exact);
	assert_string_equal(c->name, "PersonalID");
	c = spec_column_find(cl, "PersonalIDx", 10, &exact);
	assert_true(exact);
	assert_null(spec_column_find(cl, "PersonalIDx", 11, NULL));
	assert_null(spec_column_find(cl, "", 0, NULL));

	/* FK count: every "FK->" note resolved */
	{
		size_t fks = 0;
		for (size_t i = 0; i < spec_nfiles(fy24); i++) {
			const struct spec_file *f = spec_file_at(fy24, i);
			for (size_t j = 0; j < f->ncolumns; j++)
				if (f->columns[j].fk_file) {
					fks++;
					assert_true(f->columns[j].fk_column->pk);
				}
		}
		assert_int_equal(fks, 81);
	}
}

static void test_fy2026_differences(void **state)
{
	const struct spec_file *c24 = spec_file_find(fy24, "Client.csv");
	const struct spec_file *c26 = spec_file_find(fy26, "Client.csv");

	(void)state;
	assert_int_equal(c26->ncolumns, 38);
	assert_non_null(spec_column_find(c26, "Sex", 3, NULL));
	assert_null(spec_column_find(c24, "Sex", 3, NULL));
	assert_non_null(spec_column_find(c24, "Woman", 5, NULL));
	assert_null(spec_column_find(c26, "Woman", 5, NULL));
	assert_int_equal(col(fy26, "Export.csv", "SourceID")->max_len, 350);
	assert_int_equal(col(fy24, "Export.csv", "SourceID")->max_len, 32);
	assert_int_equal(col(fy26, "Client.csv", "Sex")->index, 10);
}

static void test_code_lists(void **state)
{
	const struct spec_column *vs = col(fy24, "Client.csv", "VeteranStatus");
	const struct spec_column *vamc = col(fy24, "Enrollment.csv", "VAMCStation");
	const struct spec_codelist *l;

	(void)state;
	assert_int_equal(vs->nlists, 1);
	l = vs->lists[0];
	assert_string_equal(spec_list_id(l), "1.8");
	assert_int_equal(spec_list_size(l), 5);
	assert_string_equal(spec_list_code(l, 0), "0");
	assert_string_equal(spec_list_label(l, 4), "Data not collected");
	assert_null(spec_list_code(l, 5));
	assert_true(spec_list_has(l, "1", 1));
	assert_true(spec_list_has(l, "99", 2));
	assert_true(spec_list_has(l, "01", 2)); /* integers compare as numbers */
	assert_true(spec_list_has(l, "+9", 2));
	assert_false(spec_list_has(l, "2", 1));
	assert_false(spec_list_has(l, "", 0));
	assert_false(spec_list_has(l, "1 ", 2));
	assert_false(spec_list_has(l, "x", 1));
	assert_false(spec_list_has(l, "99999999999", 11));
	assert_true(spec_code_valid(vs, NULL, "8", 1));
	assert_false(spec_code_valid(vs, NULL, "7", 1));
	/* a column without a list accepts anything */
	assert_true(spec_code_valid(col(fy24, "Client.csv", "FirstName"), NULL, "x", 1));

	/* string-coded column: exact bytes */
	assert_int_equal(vamc->nlists, 1);
	assert_true(spec_list_has(vamc->lists[0], "459GE", 5));
	assert_false(spec_list_has(vamc->lists[0], "459ge", 5));
	assert_false(spec_list_has(vamc->lists[0], "459G", 4));

	/* FY2026 adds V2.2 code 10 */
	assert_false(spec_code_valid(col(fy24, "Services.csv", "TypeProvided"),
		col(fy24, "Services.csv", "TypeProvided")->rules[3].list, "10", 2));
	assert_true(spec_code_valid(col(fy26, "Services.csv", "TypeProvided"),
		col(fy26, "Services.csv", "TypeProvided")->rules[3].list, "10", 2));
}

/* Selector values for spec_codes_pick in tests: by column name. */
struct sel {
	const char *name[2];
	long value[2];
	int n;
};

static bool sel_get(void *ctx, const struct spec_column *c, long *v)
{
	struct sel *s = ctx;
	for (int i = 0; i < s->n; i++) {
		if (strcmp(s->name[i], c->name) == 0) {
			*v = s->value[i];
			return true;
		}
	}
	return false;
}

static void test_code_rules(void **state)
{
	const struct spec_column *tp = col(fy24, "Services.csv", "TypeProvided");
	const struct spec_column *st = col(fy24, "Services.csv", "SubTypeProvided");
	const struct spec_column *dr = col(fy24, "Disabilities.csv", "DisabilityResponse");
	struct sel s = { { "RecordType", "TypeProvided" }, { 200, 0 }, 1 };
	const struct spec_codelist *l;

	(void)state;
	assert_int_equal(tp->nlists, 10);
	assert_int_equal(tp->nrules, 10);
	assert_int_equal(st->nrules, 3);
	assert_int_equal(dr->nrules, 2);
	assert_int_equal(col(fy24, "Services.csv", "RecordType")->nrules, 0);

	l = spec_codes_pick(tp, sel_get, &s);
	assert_string_equal(spec_list_id(l), "4.14");
	assert_true(spec_code_valid(tp, l, "200", 3));
	assert_false(spec_code_valid(tp, l, "1", 1));
	s.value[0] = 141;
	l = spec_codes_pick(tp, sel_get, &s);
	assert_string_equal(spec_list_id(l), "P1.2");
	assert_true(spec_code_valid(tp, l, "14", 2));
	assert_false(spec_code_valid(tp, l, "13", 2));
	s.value[0] = 300;
	assert_string_equal(spec_list_id(spec_codes_pick(tp, sel_get, &s)), "C2.2");
	/* unknown selector: no list picked, valid in any list of the column */
	s.value[0] = 999;
	assert_null(spec_codes_pick(tp, sel_get, &s));
	assert_true(spec_code_valid(tp, NULL, "13", 2));  /* R14.2 has 13 */
	assert_false(spec_code_valid(tp, NULL, "30", 2)); /* no list has 30 */
	s.n = 0;
	assert_null(spec_codes_pick(tp, sel_get, &s));

	/* two conditions: RecordType 144 and TypeProvided 3/4/5 */
	s.n = 2;
	s.value[0] = 144;
	s.value[1] = 3;
	assert_string_equal(spec_list_id(spec_codes_pick(st, sel_get, &s)), "V2.A");
	s.value[1] = 5;
	l = spec_codes_pick(st, sel_get, &s);
	assert_string_equal(spec_list_id(l), "V2.C");
	assert_true(spec_code_valid(st, l, "11", 2));
	assert_false(spec_code_valid(st, l, "12", 2));
	s.value[1] = 6;
	assert_null(spec_codes_pick(st, sel_get, &s));
	s.value[0] = 143;
	s.value[1] = 3;
	assert_null(spec_codes_pick(st, sel_get, &s));

	/* Disabilities: type 10 has its own list, the others use 1.8 */
	s.name[0] = "DisabilityType";
	s.n = 1;
	s.value[0] = 10;
	l = spec_codes_pick(dr, sel_get, &s);
	assert_string_equal(spec_list_id(l), "4.10.2");
	assert_true(spec_code_valid(dr, l, "3", 1));
	s.value[0] = 7;
	l = spec_codes_pick(dr, sel_get, &s);
	assert_string_equal(spec_list_id(l), "1.8");
	assert_false(spec_code_valid(dr, l, "3", 1));
	assert_true(spec_code_valid(dr, l, "1", 1));
}

static void test_versions(void **state)
{
	static const struct { const char *s; enum spec_version v; } cases[] = {
		{ "2024 v1.3", SPEC_FY2024 }, { "2024 v1", SPEC_FY2024 }, { "2024", SPEC_FY2024 },
		{ " 2024 v1.3 ", SPEC_FY2024 }, { "2024 V1.0.2", SPEC_FY2024 },
		{ "2026 v1", SPEC_FY2026 }, { "2026 v1.1", SPEC_FY2026 },
		{ "2025 v1", SPEC_UNKNOWN }, { "2022 v1.3", SPEC_UNKNOWN },
		{ "2024v1", SPEC_UNKNOWN }, { "FY2024", SPEC_UNKNOWN }, { "2024 v", SPEC_UNKNOWN },
		{ "2024 v1..2", SPEC_UNKNOWN }, { "2024 v1.", SPEC_UNKNOWN }, { "", SPEC_UNKNOWN },
		{ "20240 v1", SPEC_UNKNOWN }, { "2024 x1", SPEC_UNKNOWN },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(spec_detect(cases[i].s, strlen(cases[i].s)), cases[i].v);
	/* length, not NUL, bounds the value */
	assert_int_equal(spec_detect("2026 v1garbage", 7), SPEC_FY2026);
	assert_int_equal(spec_detect(NULL, 0), SPEC_UNKNOWN);
	assert_string_equal(spec_version_name(SPEC_FY2024), "FY2024");
	assert_string_equal(spec_version_name(SPEC_FY2026), "FY2026");
	assert_null(spec_version_name(SPEC_UNKNOWN));
	assert_int_equal(spec_version_from_name("fy2026"), SPEC_FY2026);
	assert_int_equal(spec_version_from_name("FY2024"), SPEC_FY2024);
	assert_int_equal(spec_version_from_name("FY2025"), SPEC_UNKNOWN);
	assert_int_equal(spec_version_from_name(NULL), SPEC_UNKNOWN);
}

static void test_load_errors(void **state)
{
	struct spec *s = (struct spec *)&s;
	struct hmx_err err;

	(void)state;
	assert_int_equal(spec_load(SPEC_UNKNOWN, &s, &err), HMX_EINVAL);
	assert_null(s);
	assert_true(strlen(err.msg) > 0);
	spec_free(&s);
	spec_free(NULL);
}

static void test_checks(void **state)
{
	struct spec_checks *c = NULL;
	struct hmx_err err;
	const struct spec_check *k;
	size_t fam[7] = { 0 };
	const char *fams = "PSKQDXM";

	(void)state;
	assert_int_equal(spec_checks_load(&c, &err), HMX_OK);
	assert_int_equal(spec_checks_count(c), 91);
	for (size_t i = 0; i < spec_checks_count(c); i++)
		fam[strchr(fams, spec_checks_at(c, i)->family) - fams]++;
	assert_int_equal(fam[0], 9);  /* P01-P09 */
	assert_int_equal(fam[1], 18); /* S01-S18 */
	assert_int_equal(fam[2], 12); /* K01-K12 */
	assert_int_equal(fam[3], 27); /* Q01-Q27 */
	assert_int_equal(fam[4], 9);  /* D01-D09 */
	assert_int_equal(fam[5], 7);  /* X01-X07 */
	assert_int_equal(fam[6], 9);  /* M01-M09 */
	assert_null(spec_checks_at(c, 91));

	k = spec_checks_at(c, 0);
	assert_string_equal(k->id, "P01");
	assert_int_equal(k->severity, SPEC_SEV_BLOCKING);
	assert_string_equal(k->scope, "package");
	assert_string_equal(k->eva_id, "127");
	k = spec_check_find(c, "q11");
	assert_non_null(k);
	assert_string_equal(k->id, "Q11");
	assert_int_equal(k->severity, SPEC_SEV_ERROR);
	assert_string_equal(k->files, "Client.csv");
	assert_string_equal(k->summary, "name data quality (APR 6a): doesn't know/prefers not "
		"(8,9); missing (99 or blank); data issue (2 partial)");
	assert_int_equal(spec_check_find(c, "S02")->severity, SPEC_SEV_WARNING);
	assert_string_equal(spec_check_find(c, "S04")->eva_id, "");
	assert_null(spec_check_find(c, "Z01"));
	assert_null(spec_check_find(c, NULL));

	/* blocking|error resolves by column */
	k = spec_check_find(c, "S05");
	assert_int_equal(k->severity, SPEC_SEV_KEYED);
	assert_string_equal(spec_severity_name(k->severity), "blocking|error");
	assert_int_equal(spec_check_severity(k, col(fy24, "Client.csv", "PersonalID")),
		SPEC_SEV_BLOCKING);
	assert_int_equal(spec_check_severity(k, col(fy24, "Enrollment.csv", "ProjectID")),
		SPEC_SEV_BLOCKING);
	assert_int_equal(spec_check_severity(k, col(fy24, "Client.csv", "DOB")),
		SPEC_SEV_BLOCKING); /* Eva HP column */
	assert_int_equal(spec_check_severity(k, col(fy24, "Services.csv", "MovingOnOtherType")),
		SPEC_SEV_ERROR);
	assert_int_equal(spec_check_severity(k, NULL), SPEC_SEV_ERROR);
	assert_int_equal(spec_check_severity(spec_check_find(c, "K01"), NULL), SPEC_SEV_BLOCKING);
	assert_string_equal(spec_severity_name(SPEC_SEV_WARNING), "warning");

	spec_checks_free(&c);
	assert_null(c);
	spec_checks_free(&c);
}

static int setup(void **state)
{
	struct hmx_err err;

	(void)state;
	if (spec_load(SPEC_FY2024, &fy24, &err) != HMX_OK)
		return -1;
	return spec_load(SPEC_FY2026, &fy26, &err) == HMX_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	spec_free(&fy24);
	spec_free(&fy26);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_fy2026_differences),
		cmocka_unit_test(test_code_lists),
		cmocka_unit_test(test_code_rules),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_checks),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
