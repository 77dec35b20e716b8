/* tests/test_merge.c — unit tests of core/merge (the reporting group's
 * upload export) and its pieces: the record scanner (records, fields,
 * quotes, line breaks, line numbers, the same records whatever the read
 * sizes, S04-like errors, size guard), the ID tables (exact, numbers and
 * strings apart), hmiscsv's raw entry streams; then merge_run on a small
 * spec-complete export: only the kept projects and everything linked to
 * them, byte-identical rows but for the ExportID cell (or all of it with
 * MERGE_KEEP_EXPORT_ID), a fresh Export.csv, every file present, User.csv
 * last, 0600, re-validation without a new finding; project decisions by
 * mapping; line endings; X03; X04 and duplicates across inputs; bad input
 * and bad output places with nothing left behind; and merge_build over a
 * store (intaken file and path, audit row). */
#include "testutil.h"
#include "fxstore.h"
#include "fxexport.h"

#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <zip.h>

#include "core/audit.h"
#include "core/hmiscsv.h"
#include "core/intake.h"
#include "core/mapping.h"
#include "core/merge.h"
#include "core/merge_int.h"
#include "core/spec.h"
#include "core/validate.h"

static struct spec *fy24;

/* ==== the record scanner ==== */

struct memsrc {
	const char *p;
	size_t len, pos, step;  /* step: most bytes per read (0: all) */
};

static long long mem_read(void *ctx, void *buf, size_t n, struct hmx_err *err)
{
	struct memsrc *m = ctx;
	size_t k = m->len - m->pos;

	(void)err;
	if (m->step && k > m->step)
		k = m->step;
	if (k > n)
		k = n;
	memcpy(buf, m->p + m->pos, k);
	m->pos += k;
	return (long long)k;
}

/* Every record of data as "line|nf|eol|bytes\n" into out (size n). */
static int scan_all(const char *data, size_t len, size_t step, size_t chunk, size_t max,
	char *out, size_t n, struct hmx_err *err)
{
	struct memsrc ms = { data, len, 0, step };
	struct merge_reader r;
	struct merge_rec rec;
	size_t k = 0;
	int got;

	assert_int_equal(merge_reader_init(&r, mem_read, &ms, chunk, max, err), HMX_OK);
	out[0] = '\0';
	while ((got = merge_reader_next(&r, &rec, err)) > 0)
		k += (size_t)snprintf(out + k, n - k, "%llu|%zu|%d|%.*s\n",
			(unsigned long long)rec.line, rec.nf, rec.eol, (int)rec.len, rec.p);
	merge_reader_free(&r);
	return got;
}

static const char scan_input[] =
	"\xEF\xBB\xBF" "A,B,C\r\n"
	"1,\"two, 2\",3\r\n"
	"\r\n"
	"\"x\"\"y\",,\"multi\r\nline\"\r\n"
	"4,5,\n"
	"\n"
	"last,\"q\"";

static const char scan_want[] =
	"1|3|2|A,B,C\n"
	"2|3|2|1,\"two, 2\",3\n"
	"4|3|2|\"x\"\"y\",,\"multi\r\nline\"\n"
	"6|3|1|4,5,\n"
	"8|2|0|last,\"q\"\n";

static void t_scan_records(void **state)
{
	char out[1024];
	struct hmx_err err;

	(void)state;
	assert_int_equal(scan_all(scan_input, sizeof scan_input - 1, 0, 0, 0, out, sizeof out, &err),
		0);
	assert_string_equal(out, scan_want);
}

/* The same records whatever the reads and the buffer size. */
static void t_scan_any_split(void **state)
{
	char out[1024];
	struct hmx_err err;

	(void)state;
	for (size_t step = 1; step <= sizeof scan_input; step++) {
		for (size_t chunk = 1; chunk <= 16; chunk *= 2) {
			assert_int_equal(scan_all(scan_input, sizeof scan_input - 1, step, chunk, 0, out,
				sizeof out, &err), 0);
			assert_string_equal(out, scan_want);
		}
	}
}

static void t_scan_fields(void **state)
{
	static const char data[] = "\"a\"\"b\",plain,\"\",,\"c,d\"\n";
	struct memsrc ms = { data, sizeof data - 1, 0, 0 };
	struct merge_reader r;
	struct merge_rec rec;
	struct hmx_err err;
	char tmp[16];
	const char *p;
	size_t n;

	(void)state;
	assert_int_equal(merge_reader_init(&r, mem_read, &ms, 0, 0, &err), HMX_OK);
	assert_int_equal(merge_reader_next(&r, &rec, &err), 1);
	assert_int_equal(rec.nf, 5);
	merge_rec_raw(&rec, 0, &p, &n);
	assert_int_equal(n, 6);
	assert_memory_equal(p, "\"a\"\"b\"", 6);
	assert_true(merge_rec_value(&rec, 0, tmp, sizeof tmp, &p, &n));
	assert_int_equal(n, 3);
	assert_memory_equal(p, "a\"b", 3);
	assert_false(merge_rec_value(&rec, 1, tmp, sizeof tmp, &p, &n));
	assert_int_equal(n, 5);
	assert_true(merge_rec_value(&rec, 2, tmp, sizeof tmp, &p, &n));
	assert_int_equal(n, 0);
	merge_rec_value(&rec, 3, tmp, sizeof tmp, &p, &n);
	assert_int_equal(n, 0);
	merge_rec_value(&rec, 4, tmp, sizeof tmp, &p, &n);
	assert_int_equal(n, 3);
	assert_memory_equal(p, "c,d", 3);
	merge_rec_raw(&rec, 9, &p, &n); /* past the record */
	assert_int_equal(n, 0);
	assert_int_equal(merge_reader_next(&r, &rec, &err), 0);
	merge_reader_free(&r);
}

static void t_scan_errors(void **state)
{
	char out[512];
	struct hmx_err err;
	static const char stray[] = "A,B\n1,2\n3,x\"y\n";
	static const char after[] = "A,B\n\"1\"x,2\n";
	static const char open_q[] = "A,B\n1,\"never closed\n\n";
	static const char big[] = "A,B\n1,2345678901234567890\n";

	(void)state;
	assert_int_equal(scan_all(stray, sizeof stray - 1, 3, 0, 0, out, sizeof out, &err), -1);
	assert_int_equal(err.rc, HMX_EINVAL);
	assert_string_equal(err.msg, "line 3: a stray quote in field 2 (S04)");
	assert_int_equal(scan_all(after, sizeof after - 1, 0, 0, 0, out, sizeof out, &err), -1);
	assert_string_equal(err.msg, "line 2: a stray quote in field 1 (S04)");
	assert_int_equal(scan_all(open_q, sizeof open_q - 1, 2, 0, 0, out, sizeof out, &err), -1);
	assert_string_equal(err.msg, "line 2: a quoted field is never closed (S04)");
	/* a record over the size limit */
	assert_int_equal(scan_all(big, sizeof big - 1, 0, 4, 16, out, sizeof out, &err), -1);
	assert_int_equal(err.rc, HMX_EINVAL);
	assert_non_null(strstr(err.msg, "longer than 16 bytes"));
	assert_int_equal(scan_all(big, sizeof big - 1, 0, 4, 64, out, sizeof out, &err), 0);
}

/* ==== ID tables ==== */

static void t_ids(void **state)
{
	struct merge_ids t = { 0 };
	uint32_t v = 0;
	char b[32];

	(void)state;
	assert_int_equal(merge_ids_put(&t, "7", 1, 70, NULL), 0);
	assert_int_equal(merge_ids_put(&t, "007", 3, 700, NULL), 0);
	assert_int_equal(merge_ids_put(&t, "0", 1, 1, NULL), 0);
	assert_int_equal(merge_ids_put(&t, "", 0, 2, NULL), 0);
	assert_int_equal(merge_ids_put(&t, "12345678901234567890", 20, 3, NULL), 0);
	assert_int_equal(merge_ids_put(&t, "7", 1, 71, &v), 1);
	assert_int_equal(v, 70);
	assert_true(merge_ids_get(&t, "007", 3, &v));
	assert_int_equal(v, 700);
	assert_true(merge_ids_get(&t, "0", 1, &v));
	assert_int_equal(v, 1);
	assert_true(merge_ids_get(&t, "", 0, &v));
	assert_int_equal(v, 2);
	assert_true(merge_ids_get(&t, "12345678901234567890", 20, &v));
	assert_false(merge_ids_get(&t, "07", 2, NULL));
	assert_false(merge_ids_get(&t, "-7", 2, NULL));
	assert_true(merge_ids_set(&t, "7", 1, 77));
	assert_true(merge_ids_get(&t, "7", 1, &v));
	assert_int_equal(v, 77);
	assert_false(merge_ids_set(&t, "8", 1, 1));
	for (uint32_t i = 0; i < 100000; i++) {
		int n = snprintf(b, sizeof b, i % 2 ? "%u" : "id-%u", i);
		assert_true(merge_ids_put(&t, b, (size_t)n, i, NULL) >= 0);
	}
	for (uint32_t i = 0; i < 100000; i++) {
		int n = snprintf(b, sizeof b, i % 2 ? "%u" : "id-%u", i);
		assert_true(merge_ids_get(&t, b, (size_t)n, &v));
		if (i != 7 && i != 0)
			assert_int_equal(v, i);
		n = snprintf(b, sizeof b, i % 2 ? "id-%u" : "x%u", i);
		assert_false(merge_ids_get(&t, b, (size_t)n, NULL));
	}
	assert_true(merge_ids_bytes(&t) > 0);
	{
		char *huge = calloc(70000, 1);
		assert_non_null(huge);
		assert_int_equal(merge_ids_put(&t, huge, 70000, 0, NULL), -1);
		free(huge);
	}
	merge_ids_free(&t);
	assert_false(merge_ids_get(&t, "7", 1, NULL));
}

static void t_keys(void **state)
{
	struct merge_keys k = { 0 };

	(void)state;
	assert_null(merge_keys_get(&k, 5));
	for (uint64_t i = 1; i <= 5000; i++)
		assert_non_null(merge_keys_add(&k, i * 0x9E3779B97F4A7C15ull | 1, i, (uint16_t)(i % 3)));
	for (uint64_t i = 1; i <= 5000; i++) {
		struct merge_key *e = merge_keys_get(&k, i * 0x9E3779B97F4A7C15ull | 1);
		assert_non_null(e);
		assert_int_equal(e->rec, i);
		assert_int_equal(e->owner, i % 3);
	}
	assert_int_equal(merge_hash("abc", 3, 1), merge_hash("abc", 3, 1));
	assert_true(merge_hash("abc", 3, 1) != merge_hash("abc", 3, 2));
	assert_true(merge_hash("abcdefghij", 10, 1) != merge_hash("abcdefghik", 10, 1));
	merge_keys_free(&k);
}

/* ==== a spec-complete little export ==== */

/* One row: its file and "Column=value;..." (others empty; ExportID set). */
struct fxrow {
	const char *file;
	const char *kv;
};

enum { FX_CRLF = 1, FX_BOM = 2 };

/* Value of column col in kv, into buf; false when not given. */
static bool kv_get(const char *kv, const char *col, char *buf, size_t n)
{
	size_t cl = strlen(col);

	for (const char *p = kv; p && *p;) {
		const char *e = strchr(p, ';');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len > cl && p[cl] == '=' && strncmp(p, col, cl) == 0) {
			snprintf(buf, n, "%.*s", (int)(len - cl - 1), p + cl + 1);
			return true;
		}
		p = e ? e + 1 : NULL;
	}
	return false;
}

/* Writes dir/FILE for every spec file (but those in absent, a
 * space-separated list): quoted header, then rows; string values quoted
 * ("\n" in kv written as a line break), others as they are. */
static void fx_write(const char *dir, const char *export_id, const struct fxrow *rows, size_t n,
	unsigned flags, const char *absent)
{
	const char *eol = (flags & FX_CRLF) ? "\r\n" : "\n";

	mkdir(dir, 0755);
	for (size_t f = 0; f < spec_nfiles(fy24); f++) {
		const struct spec_file *sf = spec_file_at(fy24, f);
		char *buf = NULL;
		size_t len = 0;
		FILE *m;

		if (absent && strstr(absent, sf->name))
			continue;
		assert_non_null(m = open_memstream(&buf, &len));
		if (flags & FX_BOM)
			fputs("\xEF\xBB\xBF", m);
		for (size_t c = 0; c < sf->ncolumns; c++)
			fprintf(m, "%s\"%s\"", c ? "," : "", sf->columns[c].name);
		fputs(eol, m);
		for (size_t i = 0; i < n; i++) {
			if (strcmp(rows[i].file, sf->name) != 0)
				continue;
			for (size_t c = 0; c < sf->ncolumns; c++) {
				const struct spec_column *col = &sf->columns[c];
				char v[256] = "";
				bool given = kv_get(rows[i].kv, col->name, v, sizeof v);

				if (!given && strcmp(col->name, "ExportID") == 0)
					snprintf(v, sizeof v, "%s", export_id);
				if (c)
					fputc(',', m);
				if (v[0] && col->type == SPEC_STRING) {
					fputc('"', m);
					for (const char *p = v; *p; p++) {
						if (*p == '"')
							fputc('"', m);
						if (p[0] == '\\' && p[1] == 'n') {
							fputc('\n', m);
							p++;
							continue;
						}
						fputc(*p, m);
					}
					fputc('"', m);
				} else {
					fputs(v, m);
				}
			}
			fputs(eol, m);
		}
		fclose(m);
		tu_write(dir, sf->name, buf, len);
		free(buf);
	}
}

#define EXPORT_ROW(id) { "Export.csv", "ExportID=" id ";SourceType=1;SourceName=Test CoC;" \
	"ExportDate=2024-10-01 08:00:00;ExportStartDate=2023-10-01;ExportEndDate=2024-09-30;" \
	"SoftwareName=testsoft;CSVVersion=2024 v1.3;ExportPeriodType=3;ExportDirective=2;HashStatus=1" }

/* P1 (HUD P1: hmis "shelter", kept), P2 (rdc-direct), P3 (not in the
 * registry); clients C1..C4; enrollments EN1 (C1 P1), EN2 (C2 P2), EN3 (C3
 * P1), EN4 (C3 P2), EN5 (C1 P3), EN6 (C1, unknown project); Event.csv
 * absent. */
static const struct fxrow base_rows[] = {
	EXPORT_ROW("E1"),
	{ "Organization.csv", "OrganizationID=O1;OrganizationName=Org \"One\";VictimServiceProvider=0;UserID=U1" },
	{ "Organization.csv", "OrganizationID=O2;OrganizationName=Org Two;VictimServiceProvider=0" },
	{ "User.csv", "UserID=U1;UserFirstName=Staff;UserLastName=One" },
	{ "User.csv", "UserID=U2;UserFirstName=Staff;UserLastName=Two" },
	{ "User.csv", "UserID=U3;UserFirstName=Staff;UserLastName=Three" },
	{ "User.csv", "UserID=U4;UserFirstName=Staff;UserLastName=Four" },
	{ "Project.csv", "ProjectID=P1;OrganizationID=O1;ProjectName=Shelter One;ProjectType=1;ContinuumProject=1;HousingType=1;UserID=U1" },
	{ "Project.csv", "ProjectID=P2;OrganizationID=O2;ProjectName=RDC House;ProjectType=1;ContinuumProject=1;HousingType=1;UserID=U2" },
	{ "Project.csv", "ProjectID=P3;OrganizationID=O1;ProjectName=Other;ProjectType=6;ContinuumProject=0;UserID=U2" },
	{ "Funder.csv", "FunderID=F1;ProjectID=P1;Funder=1;StartDate=2020-01-01" },
	{ "Funder.csv", "FunderID=F2;ProjectID=P2;Funder=1;StartDate=2020-01-01" },
	{ "ProjectCoC.csv", "ProjectCoCID=PC1;ProjectID=P1;CoCCode=XX-501" },
	{ "ProjectCoC.csv", "ProjectCoCID=PC2;ProjectID=P2;CoCCode=XX-501" },
	{ "Inventory.csv", "InventoryID=I1;ProjectID=P1;CoCCode=XX-501;BedInventory=4;UnitInventory=4" },
	{ "Inventory.csv", "InventoryID=I2;ProjectID=P2;CoCCode=XX-501;BedInventory=4;UnitInventory=4" },
	{ "Affiliation.csv", "AffiliationID=AF1;ProjectID=P1;ResProjectID=P2" },
	{ "HMISParticipation.csv", "HMISParticipationID=HP1;ProjectID=P1" },
	{ "HMISParticipation.csv", "HMISParticipationID=HP2;ProjectID=P2" },
	{ "CEParticipation.csv", "CEParticipationID=CE1;ProjectID=P1" },
	{ "Client.csv", "PersonalID=C1;FirstName=Ann;LastName=Smith;DOB=1980-01-01" },
	{ "Client.csv", "PersonalID=C2;FirstName=Bob;LastName=Jones;DOB=1990-06-30" },
	{ "Client.csv", "PersonalID=C3;FirstName=Cy;LastName=Lee;DOB=1970-02-02" },
	{ "Client.csv", "PersonalID=C4;FirstName=Di;LastName=Ng;DOB=1975-03-03" },
	{ "Enrollment.csv", "EnrollmentID=EN1;PersonalID=C1;ProjectID=P1;EntryDate=2024-01-15;HouseholdID=H1;RelationshipToHoH=1;UserID=U1" },
	{ "Enrollment.csv", "EnrollmentID=EN2;PersonalID=C2;ProjectID=P2;EntryDate=2024-02-15;HouseholdID=H2;RelationshipToHoH=1;UserID=U2" },
	{ "Enrollment.csv", "EnrollmentID=EN3;PersonalID=C3;ProjectID=P1;EntryDate=2024-03-15;HouseholdID=H3;RelationshipToHoH=1;UserID=U3" },
	{ "Enrollment.csv", "EnrollmentID=EN4;PersonalID=C3;ProjectID=P2;EntryDate=2024-04-15;HouseholdID=H4;RelationshipToHoH=1;UserID=U2" },
	{ "Enrollment.csv", "EnrollmentID=EN5;PersonalID=C1;ProjectID=P3;EntryDate=2024-05-15;HouseholdID=H5;RelationshipToHoH=1" },
	{ "Enrollment.csv", "EnrollmentID=EN6;PersonalID=C1;ProjectID=PX;EntryDate=2024-05-15;HouseholdID=H6;RelationshipToHoH=1" },
	{ "Exit.csv", "ExitID=X1;EnrollmentID=EN1;PersonalID=C1;ExitDate=2024-02-01;Destination=410" },
	{ "Exit.csv", "ExitID=X2;EnrollmentID=EN2;PersonalID=C2;ExitDate=2024-03-01;Destination=410" },
	{ "Exit.csv", "ExitID=X3;EnrollmentID=EN9;PersonalID=C2;ExitDate=2024-03-01;Destination=410" },
	{ "IncomeBenefits.csv", "IncomeBenefitsID=IB1;EnrollmentID=EN1;PersonalID=C1;InformationDate=2024-01-15;DataCollectionStage=1" },
	{ "IncomeBenefits.csv", "IncomeBenefitsID=IB2;EnrollmentID=EN2;PersonalID=C2;InformationDate=2024-02-15;DataCollectionStage=1" },
	{ "IncomeBenefits.csv", "IncomeBenefitsID=IB3;EnrollmentID=EN3;PersonalID=C3;InformationDate=2024-03-15;DataCollectionStage=1" },
	{ "HealthAndDV.csv", "HealthAndDVID=HD1;EnrollmentID=EN1;PersonalID=C1;InformationDate=2024-01-15;DataCollectionStage=1" },
	{ "EmploymentEducation.csv", "EmploymentEducationID=EE1;EnrollmentID=EN2;PersonalID=C2;InformationDate=2024-02-15;DataCollectionStage=1" },
	{ "Disabilities.csv", "DisabilitiesID=D1;EnrollmentID=EN1;PersonalID=C1;InformationDate=2024-01-15;DisabilityType=5;DisabilityResponse=1;DataCollectionStage=1" },
	{ "Disabilities.csv", "DisabilitiesID=D2;EnrollmentID=EN1;PersonalID=C1;InformationDate=2024-01-15;DisabilityType=6;DisabilityResponse=0;DataCollectionStage=1" },
	{ "Disabilities.csv", "DisabilitiesID=D3;EnrollmentID=EN2;PersonalID=C2;InformationDate=2024-02-15;DisabilityType=5;DisabilityResponse=1;DataCollectionStage=1" },
	{ "Services.csv", "ServicesID=S1;EnrollmentID=EN3;PersonalID=C3;DateProvided=2024-03-15;RecordType=144;TypeProvided=6;OtherTypeProvided=two\\nlines, \"quoted\"" },
	{ "Services.csv", "ServicesID=S2;EnrollmentID=EN4;PersonalID=C3;DateProvided=2024-04-15;RecordType=200;TypeProvided=200" },
	{ "CurrentLivingSituation.csv", "CurrentLivingSitID=CL1;EnrollmentID=EN1;PersonalID=C1;InformationDate=2024-01-20;CurrentLivingSituation=116" },
	{ "Assessment.csv", "AssessmentID=A1;EnrollmentID=EN1;PersonalID=C1;AssessmentDate=2024-01-16;AssessmentLocation=here;AssessmentType=1;AssessmentLevel=1;PrioritizationStatus=1" },
	{ "Assessment.csv", "AssessmentID=A2;EnrollmentID=EN2;PersonalID=C2;AssessmentDate=2024-02-16;AssessmentLocation=here;AssessmentType=1;AssessmentLevel=1;PrioritizationStatus=1" },
	{ "AssessmentQuestions.csv", "AssessmentQuestionID=AQ1;AssessmentID=A1;EnrollmentID=EN1;PersonalID=C1;AssessmentQuestion=q1" },
	{ "AssessmentQuestions.csv", "AssessmentQuestionID=AQ2;AssessmentID=A2;EnrollmentID=EN2;PersonalID=C2;AssessmentQuestion=q1" },
	{ "AssessmentResults.csv", "AssessmentResultID=AR1;AssessmentID=A1;EnrollmentID=EN1;PersonalID=C1;AssessmentResultType=t1" },
	{ "YouthEducationStatus.csv", "YouthEducationStatusID=Y1;EnrollmentID=EN2;PersonalID=C2;InformationDate=2024-02-15;DataCollectionStage=1" },
};
#define NBASE (sizeof base_rows / sizeof base_rows[0])

/* The registry of these tests: P1 -> shelter (hmis), P2 -> rdc-house. */
static struct reg_project reg[] = {
	{ 1, "shelter", "Shelter One", "A", REG_SRC_HMIS, "P1", true, true },
	{ 2, "rdc-house", "RDC House", "A", REG_SRC_RDC_DIRECT, "P2", true, false },
	{ 3, "old", "Old", "A", REG_SRC_HMIS, "P9", false, false },
	{ 4, "absent", "Not in any input", "A", REG_SRC_OUTSIDE_AGENCY, "", true, true },
};

static void opts_init(struct merge_opts *o, const char *out)
{
	memset(o, 0, sizeof *o);
	o->out = out;
	o->cycle = "rdc-upload-2025Q1";
	assert_true(cal_parse_date("2024-07-01", &o->start));
	assert_true(cal_parse_date("2024-09-30", &o->end));
	o->reg = reg;
	o->nreg = sizeof reg / sizeof reg[0];
}

static void input_init(struct merge_input *in, const char *path)
{
	memset(in, 0, sizeof *in);
	in->path = path;
	in->label = path;
}

/* An entry of a zip into a new NUL-terminated buffer (free()); NULL when absent. */
static char *zip_entry(const char *zpath, const char *name, size_t *len)
{
	int zerr = 0;
	zip_t *za = zip_open(zpath, ZIP_RDONLY, &zerr);
	zip_stat_t st;
	zip_file_t *zf;
	char *b = NULL;

	assert_non_null(za);
	if (zip_stat(za, name, 0, &st) == 0 && (zf = zip_fopen(za, name, 0))) {
		b = malloc(st.size + 1);
		assert_non_null(b);
		assert_int_equal(zip_fread(zf, b, st.size), (zip_int64_t)st.size);
		b[st.size] = '\0';
		zip_fclose(zf);
		if (len)
			*len = st.size;
	}
	zip_discard(za);
	return b;
}

static char *read_file(const char *dir, const char *name, size_t *len)
{
	char path[4200];
	FILE *f;
	char *b;
	long n;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!(f = fopen(path, "rb")))
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return b;
}

/* Data records of a CSV text (scanned), as a list of strings. */
struct recs {
	char **v;
	size_t n;
	char *header;
};

static void recs_of(const char *text, size_t len, struct recs *r)
{
	struct memsrc ms = { text, len, 0, 0 };
	struct merge_reader rd;
	struct merge_rec rec;
	struct hmx_err err;
	int k;

	memset(r, 0, sizeof *r);
	assert_int_equal(merge_reader_init(&rd, mem_read, &ms, 0, 0, &err), HMX_OK);
	while ((k = merge_reader_next(&rd, &rec, &err)) > 0) {
		char *s = strndup(rec.p, rec.len);
		if (!r->header) {
			r->header = s;
			continue;
		}
		r->v = realloc(r->v, (r->n + 1) * sizeof *r->v);
		r->v[r->n++] = s;
	}
	assert_int_equal(k, 0);
	merge_reader_free(&rd);
}

static void recs_free(struct recs *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i]);
	free(r->v);
	free(r->header);
}

/* The record without its last field (ExportID is last in every file). */
static size_t stem(const char *s)
{
	const char *c = strrchr(s, ',');
	return c ? (size_t)(c - s) : strlen(s);
}

/* Checks file name of the output: its data records, in order, are the
 * input records whose first field is one of keep (space-separated, as
 * written: "\"EN1\""), byte for byte up to the ExportID cell, which holds
 * "\"xid\"" (or, with whole, the records are equal entirely). */
static void expect_rows(const char *zpath, const char *indir, const char *name, const char *keep,
	const char *xid, bool whole)
{
	size_t zl = 0, il = 0;
	char *z = zip_entry(zpath, name, &zl), *in = read_file(indir, name, &il);
	struct recs ro, ri;
	size_t k = 0;

	assert_non_null(z);
	recs_of(z, zl, &ro);
	if (in) {
		recs_of(in, il, &ri);
		assert_string_equal(ro.header, ri.header);
	} else {
		memset(&ri, 0, sizeof ri);
	}
	for (size_t i = 0; i < ri.n; i++) {
		char first[64];
		size_t fl = strcspn(ri.v[i], ",");
		char want[80];

		snprintf(first, sizeof first, "%.*s", (int)fl, ri.v[i]);
		snprintf(want, sizeof want, " %s ", first);
		{
			char keeps[512];
			snprintf(keeps, sizeof keeps, " %s ", keep);
			if (!strstr(keeps, want))
				continue;
		}
		if (k >= ro.n)
			fail_msg("%s: %s missing from the output", name, first);
		if (whole) {
			assert_string_equal(ro.v[k], ri.v[i]);
		} else {
			char cell[80];
			assert_int_equal(stem(ro.v[k]), stem(ri.v[i]));
			assert_memory_equal(ro.v[k], ri.v[i], stem(ri.v[i]));
			snprintf(cell, sizeof cell, ",\"%s\"", xid);
			assert_string_equal(ro.v[k] + stem(ro.v[k]), cell);
		}
		k++;
	}
	if (k != ro.n)
		fail_msg("%s: %zu rows written, %zu expected (%s)", name, ro.n, k, keep);
	recs_free(&ro);
	if (in)
		recs_free(&ri);
	free(z);
	free(in);
}

static void expect_nothing_left(const char *dir, const char *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;

	if (out)
		assert_int_not_equal(stat(out, &st), 0);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (strncmp(de->d_name, ".hmx-export-", 12) == 0)
			fail_msg("temporary %s left in %s", de->d_name, dir);
	closedir(d);
}

static const struct merge_project *proj(const struct merge_result *r, size_t input, const char *id)
{
	for (size_t i = 0; i < r->nprojects; i++)
		if (r->projects[i].input == input && strcmp(r->projects[i].src_id, id) == 0)
			return &r->projects[i];
	fail_msg("no project %s of input %zu", id, input + 1);
	return NULL;
}

static size_t file_index(const struct merge_result *r, const char *name)
{
	for (size_t f = 0; f < r->nfiles; f++)
		if (strcmp(r->files[f], name) == 0)
			return f;
	fail_msg("no file %s", name);
	return 0;
}

/* ---- findings of the validator, as "check file key" strings ---- */

struct fset {
	char (*v)[200];
	size_t n;
};

static int fset_add(void *ctx, const struct validate_finding *f)
{
	struct fset *s = ctx;

	s->v = realloc(s->v, (s->n + 1) * sizeof *s->v);
	/* an Export.csv finding is keyed by the export's own ExportID */
	snprintf(s->v[s->n++], sizeof s->v[0], "%s %s %s %s", f->check, f->file,
		strcmp(f->file, "Export.csv") == 0 ? "ExportID=*" : f->key, f->column);
	return 0;
}

static void validate_into(const char *path, struct fset *s)
{
	struct validate_result res;
	struct hmx_err err;

	memset(s, 0, sizeof *s);
	memset(&res, 0, sizeof res);
	if (validate_run(path, NULL, fset_add, s, &res, &err) != HMX_OK)
		fail_msg("validate %s: %s", path, err.msg);
	validate_result_free(&res);
}

/* Every finding on out is one the inputs already had. */
static void expect_no_new_findings(const char *out, const char *const *inputs, size_t n)
{
	struct fset o, in[4];

	validate_into(out, &o);
	for (size_t i = 0; i < n; i++)
		validate_into(inputs[i], &in[i]);
	for (size_t k = 0; k < o.n; k++) {
		bool found = false;
		for (size_t i = 0; i < n && !found; i++)
			for (size_t j = 0; j < in[i].n && !found; j++)
				found = strcmp(o.v[k], in[i].v[j]) == 0;
		if (!found)
			fail_msg("new finding on the upload: %s", o.v[k]);
	}
	free(o.v);
	for (size_t i = 0; i < n; i++)
		free(in[i].v);
}

/* ==== merge_run ==== */

static void t_single(void **state)
{
	struct fx *f = *state;
	char in[512], out[512];
	struct merge_input mi;
	struct merge_opts o;
	struct merge_result r;
	struct hmx_err err;
	struct stat st;
	char *x;
	const char *ins[1];

	snprintf(in, sizeof in, "%s/hmis", f->dir);
	snprintf(out, sizeof out, "%s/upload.zip", f->dir);
	fx_write(in, "E1", base_rows, NBASE, 0, "Event.csv");
	input_init(&mi, in);
	opts_init(&o, out);
	if (merge_run(&mi, 1, &o, &r, &err) != HMX_OK)
		fail_msg("merge_run: %s", err.msg);
	assert_true(r.written);
	assert_false(r.refused);
	assert_string_equal(r.export_id, "HMX20260401120000");
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal((uint64_t)st.st_size, r.out_bytes);
	expect_nothing_left(f->dir, NULL);

	/* every file of the spec, User.csv last */
	{
		int zerr;
		zip_t *za = zip_open(out, ZIP_RDONLY, &zerr);
		assert_non_null(za);
		assert_int_equal(zip_get_num_entries(za, 0), (zip_int64_t)spec_nfiles(fy24));
		assert_string_equal(zip_get_name(za, 0, 0), "Export.csv");
		assert_string_equal(zip_get_name(za, (zip_uint64_t)spec_nfiles(fy24) - 1, 0), "User.csv");
		zip_discard(za);
	}
	/* the new Export.csv: ExportID, ExportDate, the period; the rest as read */
	x = zip_entry(out, "Export.csv", NULL);
	assert_non_null(strstr(x, "\n\"HMX20260401120000\",1,,\"Test CoC\",,,,,,2026-04-01 12:00:00,"
		"2024-07-01,2024-09-30,\"testsoft\",,\"2024 v1.3\",3,2,1,\n"));
	free(x);
	/* the kept rows, byte for byte but for ExportID */
	expect_rows(out, in, "Organization.csv", "\"O1\"", r.export_id, false);
	expect_rows(out, in, "User.csv", "\"U1\" \"U3\"", r.export_id, false);
	expect_rows(out, in, "Project.csv", "\"P1\"", r.export_id, false);
	expect_rows(out, in, "Funder.csv", "\"F1\"", r.export_id, false);
	expect_rows(out, in, "ProjectCoC.csv", "\"PC1\"", r.export_id, false);
	expect_rows(out, in, "Inventory.csv", "\"I1\"", r.export_id, false);
	expect_rows(out, in, "Affiliation.csv", "", r.export_id, false);
	expect_rows(out, in, "HMISParticipation.csv", "\"HP1\"", r.export_id, false);
	expect_rows(out, in, "CEParticipation.csv", "\"CE1\"", r.export_id, false);
	expect_rows(out, in, "Client.csv", "\"C1\" \"C3\"", r.export_id, false);
	expect_rows(out, in, "Enrollment.csv", "\"EN1\" \"EN3\"", r.export_id, false);
	expect_rows(out, in, "Exit.csv", "\"X1\"", r.export_id, false);
	expect_rows(out, in, "IncomeBenefits.csv", "\"IB1\" \"IB3\"", r.export_id, false);
	expect_rows(out, in, "HealthAndDV.csv", "\"HD1\"", r.export_id, false);
	expect_rows(out, in, "EmploymentEducation.csv", "", r.export_id, false);
	expect_rows(out, in, "Disabilities.csv", "\"D1\" \"D2\"", r.export_id, false);
	expect_rows(out, in, "Services.csv", "\"S1\"", r.export_id, false);
	expect_rows(out, in, "CurrentLivingSituation.csv", "\"CL1\"", r.export_id, false);
	expect_rows(out, in, "Assessment.csv", "\"A1\"", r.export_id, false);
	expect_rows(out, in, "AssessmentQuestions.csv", "\"AQ1\"", r.export_id, false);
	expect_rows(out, in, "AssessmentResults.csv", "\"AR1\"", r.export_id, false);
	expect_rows(out, in, "YouthEducationStatus.csv", "", r.export_id, false);
	/* a file no input has: the spec's header, quoted as the inputs quote */
	x = zip_entry(out, "Event.csv", NULL);
	assert_non_null(x);
	assert_memory_equal(x, "\"EventID\",\"EnrollmentID\",", 25);
	assert_int_equal(strchr(x, '\n')[1], '\0');
	free(x);
	/* the summary */
	assert_int_equal(r.ninputs, 1);
	assert_int_equal(r.inputs[0].projects, 3);
	assert_int_equal(r.inputs[0].kept, 1);
	assert_int_equal(r.inputs[0].orphans, 2); /* EN6 (project PX), X3 (EN9) */
	assert_string_equal(r.inputs[0].export_id, "E1");
	assert_string_equal(r.inputs[0].period, "2023-10-01..2024-09-30");
	assert_int_equal(proj(&r, 0, "P1")->why, MERGE_KEPT);
	assert_string_equal(proj(&r, 0, "P1")->project, "shelter");
	assert_int_equal(proj(&r, 0, "P1")->enrollments, 2);
	assert_int_equal(proj(&r, 0, "P2")->why, MERGE_RDC_DIRECT);
	assert_string_equal(proj(&r, 0, "P2")->project, "rdc-house");
	assert_int_equal(proj(&r, 0, "P3")->why, MERGE_UNMATCHED);
	{
		size_t fd = file_index(&r, "Disabilities.csv"), fe = file_index(&r, "Enrollment.csv");
		size_t fc = file_index(&r, "Client.csv");
		assert_int_equal(proj(&r, 0, "P1")->rows[fd].kept, 2);
		assert_int_equal(proj(&r, 0, "P2")->rows[fd].left, 1);
		assert_int_equal(proj(&r, 0, "P2")->rows[fe].left, 2);
		assert_int_equal(proj(&r, 0, "P3")->rows[fe].left, 1);
		assert_int_equal(r.totals[fe].kept, 2);
		assert_int_equal(r.totals[fe].left, 4);
		assert_int_equal(r.totals[fc].kept, 2);
		assert_int_equal(r.totals[fc].left, 2);
	}
	assert_int_equal(r.nmissing, 1);
	assert_string_equal(r.missing[0], "absent");
	assert_int_equal(r.nfindings, 0);
	/* the upload re-validates without a finding the input did not have */
	ins[0] = in;
	expect_no_new_findings(out, ins, 1);
	/* the report: IDs and counts, never a name */
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);

		merge_write_text(m, &r);
		merge_write_json(m, &r);
		fclose(m);
		assert_non_null(strstr(buf, "left out: rdc-direct"));
		assert_non_null(strstr(buf, "\"source_project_id\":\"P2\",\"project\":\"rdc-house\","
			"\"state\":\"left-out\",\"reason\":\"rdc-direct\""));
		assert_null(strstr(buf, "Smith"));
		assert_null(strstr(buf, "Staff"));
		free(buf);
	}
	merge_result_free(&r);
}

static void t_keep_export_id(void **state)
{
	struct fx *f = *state;
	char in[512], out[512];
	struct merge_input mi;
	struct merge_opts o;
	struct merge_result r;
	struct hmx_err err;
	char *x;

	snprintf(in, sizeof in, "%s/hmis", f->dir);
	snprintf(out, sizeof out, "%s/upload.zip", f->dir);
	fx_write(in, "E1", base_rows, NBASE, 0, NULL);
	input_init(&mi, in);
	opts_init(&o, out);
	o.flags = MERGE_KEEP_EXPORT_ID;
	if (merge_run(&mi, 1, &o, &r, &err) != HMX_OK)
		fail_msg("merge_run: %s", err.msg);
	assert_string_equal(r.export_id, "E1");
	expect_rows(out, in, "Enrollment.csv", "\"EN1\" \"EN3\"", NULL, true);
	expect_rows(out, in, "Services.csv", "\"S1\"", NULL, true);
	x = zip_entry(out, "Export.csv", NULL);
	assert_non_null(strstr(x, "\n\"E1\",1,"));
	assert_non_null(strstr(x, ",2024-07-01,2024-09-30,"));
	free(x);
	merge_result_free(&r);
	/* a chosen ExportID */
	o.flags = 0;
	o.export_id = "RDC-2025Q1";
	if (merge_run(&mi, 1, &o, &r, &err) != HMX_OK)
		fail_msg("merge_run: %s", err.msg);
	expect_rows(out, in, "Client.csv", "\"C1\" \"C3\"", "RDC-2025Q1", false);
	merge_result_free(&r);
	o.export_id = "bad id";
	assert_int_equal(merge_run(&mi, 1, &o, &r, &err), HMX_EINVAL);
	merge_result_free(&r);
}

/* Projects decided by an intaken file's mapping. */
static void t_by_map(void **state)
{
	struct fx *f = *state;
	char in[512], out[512];
	struct merge_decision dec[] = {
		{ "P1", MERGE_KEPT, "old" },        /* inactive */
		{ "P2", MERGE_NOT_OURS, NULL },
		{ "P3", MERGE_KEPT, "shelter" },    /* kept */
	};
	struct merge_input mi;
	struct merge_opts o;
	struct merge_result r;
	struct hmx_err err;

	snprintf(in, sizeof in, "%s/agency", f->dir);
	snprintf(out, sizeof out, "%s/upload.zip", f->dir);
	fx_write(in, "E1", base_rows, NBASE, 0, NULL);
	input_init(&mi, in);
	mi.by_map = true;
	mi.source = "agency:A";
	mi.dec = dec;
	mi.ndec = 3;
	opts_init(&o, out);
	if (merge_run(&mi, 1, &o, &r, &err) != HMX_OK)
		fail_msg("merge_run: %s", err.msg);
	assert_int_equal(proj(&r, 0, "P1")->why, MERGE_INACTIVE);
	assert_int_equal(proj(&r, 0, "P2")->why, MERGE_NOT_OURS);
	assert_int_equal(proj(&r, 0, "P3")->why, MERGE_KEPT);
	assert_string_equal(r.inputs[0].source, "agency:A");
	expect_rows(out, in, "Project.csv", "\"P3\"", r.export_id, false);
	expect_rows(out, in, "Enrollment.csv", "\"EN5\"", r.export_id, false);
	expect_rows(out, in, "Client.csv", "\"C1\"", r.export_id, false);
	expect_rows(out, in, "Organization.csv", "\"O1\"", r.export_id, false);
	expect_rows(out, in, "User.csv", "\"U1\" \"U2\"", r.export_id, false);
	merge_result_free(&r);
	/* an undecided project and one mapped onto a project since removed */
	unlink(out);
	dec[2].project = "gone";
	mi.ndec = 3;
	dec[0].why = MERGE_UNMAPPED;
	assert_int_equal(merge_run(&mi, 1, &o, &r, &err), HMX_ESTATE);
	assert_non_null(strstr(err.msg, "nothing to upload"));
	assert_int_equal(proj(&r, 0, "P1")->why, MERGE_UNMAPPED);
	assert_int_equal(proj(&r, 0, "P3")->why, MERGE_UNKNOWN);
	assert_false(r.written);
	expect_nothing_left(f->dir, out);
	merge_result_free(&r);
}

/* CRLF and a BOM in, mixed with LF: each file keeps its header's line
 * ending; the BOM is not copied. */
static void t_line_endings(void **state)
{
	struct fx *f = *state;
	char a[512], b[512], out[512];
	struct merge_input mi[2];
	struct merge_opts o;
	struct merge_result r;
	struct hmx_err err;
	static const struct fxrow rows_b[] = {
		EXPORT_ROW("E2"),
		{ "Project.csv", "ProjectID=P1;OrganizationID=O1;ProjectName=Shelter One;ProjectType=1;ContinuumProject=1;HousingType=1;UserID=U1" },
		{ "Client.csv", "PersonalID=C7;FirstName=Ed;LastName=Fox" },
		{ "Enrollment.csv", "EnrollmentID=EN7;PersonalID=C7;ProjectID=P1;EntryDate=2024-06-01;HouseholdID=H7;RelationshipToHoH=1" },
	};
	char *x;

	snprintf(a, sizeof a, "%s/a", f->dir);
	snprintf(b, sizeof b, "%s/b", f->dir);
	snprintf(out, sizeof out, "%s/upload.zip", f->dir);
	fx_write(a, "E1", base_rows, NBASE, FX_CRLF | FX_BOM, NULL);
	fx_write(b, "E2", rows_b, sizeof rows_b / sizeof rows_b[0], 0, NULL);
	input_init(&mi[0], a);
	input_init(&mi[1], b);
	opts_init(&o, out);
	if (merge_run(mi, 2, &o, &r, &err) != HMX_OK)
		fail_msg("merge_run: %s", err.msg);
	x = zip_entry(out, "Enrollment.csv", NULL);
	assert_memory_equal(x, "\"EnrollmentID\"", 14); /* no BOM */
	for (char *p = x; (p = strchr(p, '\n')); p++)
		assert_int_equal(p[-1], '\r');
	assert_non_null(strstr(x, "\"EN7\",\"C7\",\"P1\""));
	free(x);
	x = zip_entry(out, "Services.csv", NULL);
	assert_non_null(strstr(x, "\"two\nlines, \"\"quoted\"\"\""));
	free(x);
	/* the same Project row in both inputs is one record, written once */
	assert_int_equal(r.totals[file_index(&r, "Project.csv")].kept, 1);
	assert_int_equal(r.totals[file_index(&r, "Project.csv")].dup, 1);
	assert_int_equal(r.nfindings, 0);
	merge_result_free(&r);
}

/* X03: a ProjectID to be written is an rdc-direct project's HUD ProjectID. */
static void t_x03(void **state)
{
	struct fx *f = *state;
	char in[512], out[512];
	struct merge_decision dec[] = { { "P2", MERGE_KEPT, "shelter" } };
	struct merge_input mi;
	struct merge_opts o;
	struct merge_result r;
	struct hmx_err err;

	snprintf(in, sizeof in, "%s/hmis", f->dir);
	snprintf(out, sizeof out, "%s/upload.zip", f->dir);
	fx_write(in, "E1", base_rows, NBASE, 0, NULL);
	input_init(&mi, in);
	mi.by_map = true;
	mi.dec = dec;
	mi.ndec = 1;
	opts_init(&o, out);
	o.flags = MERGE_ALLOW_COLLISIONS; /* does not lift X03 */
	assert_int_equal(merge_run(&mi, 1, &o, &r, &err), HMX_ESTATE);
	assert_non_null(strstr(err.msg, "(X03)"));
	assert_true(r.refused);
	assert_false(r.written);
	assert_int_equal(r.n_x03, 1);
	assert_int_equal(r.nfindings, 1);
	assert_string_equal(r.findings[0].check, "X03");
	assert_string_equal(r.findings[0].key, "ProjectID=P2");
	assert_string_equal(r.findings[0].project, "rdc-house");
	expect_nothing_left(f->dir, out);
	merge_result_free(&r);
}

/* X04: the same PersonalID, EnrollmentID and ProjectID for different
 * records in two inputs. */
static void t_x04(void **state)
{
	struct fx *f = *state;
	char a[512], b[512], out[512];
	struct merge_input mi[2];
	struct merge_opts o;
	struct merge_result r;
	struct hmx_err err;
	static const struct fxrow rows_b[] = {
		EXPORT_ROW("E2"),
		{ "Organization.csv", "OrganizationID=O1;OrganizationName=Org \"One\";VictimServiceProvider=0;UserID=U1" },
		{ "User.csv", "UserID=U1;UserFirstName=Staff;UserLastName=One" },
		{ "Project.csv", "ProjectID=P1;OrganizationID=O1;ProjectName=Another Shelter;ProjectType=1;ContinuumProject=1;HousingType=1;UserID=U1" },
		{ "Client.csv", "PersonalID=C1;FirstName=Other;LastName=Person;DOB=1999-09-09" },
		{ "Client.csv", "PersonalID=C3;FirstName=Cy;LastName=Lee;DOB=1970-02-02" },
		{ "Enrollment.csv", "EnrollmentID=EN1;PersonalID=C1;ProjectID=P1;EntryDate=2024-07-15;HouseholdID=H9;RelationshipToHoH=1;UserID=U1" },
		{ "Enrollment.csv", "EnrollmentID=EN8;PersonalID=C3;ProjectID=P1;EntryDate=2024-07-20;HouseholdID=H8;RelationshipToHoH=1" },
	};
	const char *ins[2];

	snprintf(a, sizeof a, "%s/a", f->dir);
	snprintf(b, sizeof b, "%s/b", f->dir);
	snprintf(out, sizeof out, "%s/upload.zip", f->dir);
	fx_write(a, "E1", base_rows, NBASE, 0, NULL);
	fx_write(b, "E2", rows_b, sizeof rows_b / sizeof rows_b[0], 0, NULL);
	input_init(&mi[0], a);
	input_init(&mi[1], b);
	opts_init(&o, out);
	assert_int_equal(merge_run(mi, 2, &o, &r, &err), HMX_ESTATE);
	assert_non_null(strstr(err.msg, "(X04)"));
	assert_non_null(strstr(err.msg, "--allow-collisions"));
	assert_true(r.refused);
	assert_int_equal(r.n_x04, 3);
	{
		const char *want[] = { "Enrollment.csv EnrollmentID=EN1", "Project.csv ProjectID=P1",
			"Client.csv PersonalID=C1" };
		for (size_t w = 0; w < 3; w++) {
			bool found = false;
			for (size_t i = 0; i < r.nfindings; i++) {
				char s[200];
				snprintf(s, sizeof s, "%s %s", r.findings[i].file, r.findings[i].key);
				if (strcmp(s, want[w]) == 0) {
					found = true;
					assert_string_equal(r.findings[i].check, "X04");
					assert_int_equal(r.findings[i].input_a, 0);
					assert_int_equal(r.findings[i].input_b, 1);
				}
			}
			if (!found)
				fail_msg("no X04 for %s", want[w]);
		}
	}
	expect_nothing_left(f->dir, out);
	merge_result_free(&r);

	/* written anyway: both colliding records kept, identical ones once */
	o.flags = MERGE_ALLOW_COLLISIONS;
	if (merge_run(mi, 2, &o, &r, &err) != HMX_OK)
		fail_msg("merge_run: %s", err.msg);
	assert_true(r.written);
	assert_int_equal(r.n_x04, 3);
	{
		size_t fc = file_index(&r, "Client.csv"), fu = file_index(&r, "User.csv");
		size_t fo = file_index(&r, "Organization.csv");
		assert_int_equal(r.totals[fc].kept, 3); /* C1, C3 from a; C1 from b */
		assert_int_equal(r.totals[fc].dup, 1);  /* C3 of b is C3 of a */
		assert_int_equal(r.totals[fu].dup, 1);  /* U1 */
		assert_int_equal(r.totals[fo].dup, 1);  /* O1 */
	}
	merge_result_free(&r);

	/* the same export twice: every record a duplicate, no X04 */
	o.flags = 0;
	input_init(&mi[1], a);
	if (merge_run(mi, 2, &o, &r, &err) != HMX_OK)
		fail_msg("merge_run: %s", err.msg);
	assert_int_equal(r.n_x04, 0);
	assert_int_equal(r.totals[file_index(&r, "Disabilities.csv")].kept, 2);
	assert_int_equal(r.totals[file_index(&r, "Disabilities.csv")].dup, 2);
	ins[0] = a;
	ins[1] = a;
	expect_no_new_findings(out, ins, 2);
	merge_result_free(&r);
}

/* Runs merge_run in a child under a file-size limit; its status. */
static int run_limited(const struct merge_input *mi, const struct merge_opts *o, rlim_t limit)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { limit, limit };
		struct merge_result r;
		struct hmx_err err;
		enum hmx_rc rc;

		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		rc = merge_run(mi, 1, o, &r, &err);
		merge_result_free(&r);
		_exit(rc == HMX_EIO && strstr(err.msg, "File too large") ? 0 : 10 + (int)rc);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

static void t_bad_input(void **state)
{
	struct fx *f = *state;
	char in[512], out[512], p[600];
	struct merge_input mi[2];
	struct merge_opts o;
	struct merge_result r;
	struct hmx_err err;

	snprintf(in, sizeof in, "%s/hmis", f->dir);
	snprintf(out, sizeof out, "%s/upload.zip", f->dir);
	fx_write(in, "E1", base_rows, NBASE, 0, NULL);
	input_init(&mi[0], in);
	opts_init(&o, out);

	/* no such input */
	snprintf(p, sizeof p, "%s/nope.zip", f->dir);
	input_init(&mi[1], p);
	assert_int_equal(merge_run(&mi[1], 1, &o, &r, &err), HMX_ENOTFOUND);
	assert_non_null(strstr(err.msg, "input 1 ("));
	merge_result_free(&r);
	/* a zip that is not an export */
	{
		int zerr;
		zip_t *za;
		snprintf(p, sizeof p, "%s/notes.zip", f->dir);
		za = zip_open(p, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
		assert_non_null(za);
		assert_true(zip_file_add(za, "notes.txt", zip_source_buffer(za, "hello\n", 6, 0), 0) >= 0);
		assert_int_equal(zip_close(za), 0);
	}
	assert_int_equal(merge_run(&mi[1], 1, &o, &r, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "not an HMIS CSV export (no Export.csv)"));
	merge_result_free(&r);
	/* garbage that is neither */
	snprintf(p, sizeof p, "%s/garbage.zip", f->dir);
	tu_write(f->dir, "garbage.zip", "PK\003\004 truncated", (size_t)-1);
	assert_int_equal(merge_run(&mi[1], 1, &o, &r, &err), HMX_EINVAL);
	merge_result_free(&r);
	/* an unknown CSVVersion */
	snprintf(p, sizeof p, "%s/v9", f->dir);
	{
		struct fxrow rows[NBASE];
		memcpy(rows, base_rows, sizeof rows);
		rows[0].kv = "ExportID=E9;CSVVersion=1999 v1;HashStatus=1";
		fx_write(p, "E9", rows, NBASE, 0, NULL);
	}
	assert_int_equal(merge_run(&mi[1], 1, &o, &r, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "P06"));
	merge_result_free(&r);
	/* no Project.csv */
	snprintf(p, sizeof p, "%s/noproj", f->dir);
	fx_write(p, "E1", base_rows, NBASE, 0, "Project.csv");
	assert_int_equal(merge_run(&mi[1], 1, &o, &r, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "no Project.csv"));
	merge_result_free(&r);
	/* a key column missing */
	snprintf(p, sizeof p, "%s/nokey", f->dir);
	fx_write(p, "E1", base_rows, NBASE, 0, NULL);
	tu_write(p, "Exit.csv", "ExitID,PersonalID\nX1,C1\n", (size_t)-1);
	assert_int_equal(merge_run(&mi[1], 1, &o, &r, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "Exit.csv has no EnrollmentID column"));
	merge_result_free(&r);
	/* a stray quote in a file to copy: found while writing, nothing kept */
	snprintf(p, sizeof p, "%s/quote", f->dir);
	fx_write(p, "E1", base_rows, NBASE, 0, NULL);
	{
		size_t len;
		char *d = read_file(p, "Disabilities.csv", &len);
		char *nl = strchr(strchr(d, '\n') + 1, '\n');
		nl[2] = '?'; /* the second data row's first field: "D2" -> "?2" */
		nl[4] = 'x';
		tu_write(p, "Disabilities.csv", d, len);
		free(d);
	}
	assert_int_equal(merge_run(&mi[1], 1, &o, &r, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "Disabilities.csv: line 3: a stray quote"));
	assert_false(r.written);
	expect_nothing_left(f->dir, out);
	merge_result_free(&r);
	/* inputs that do not agree: versions, columns */
	snprintf(p, sizeof p, "%s/cols", f->dir);
	fx_write(p, "E2", base_rows, NBASE, 0, NULL);
	tu_write(p, "Exit.csv", "ExitID,EnrollmentID,PersonalID,ExportID\n", (size_t)-1);
	assert_int_equal(merge_run(mi, 2, &o, &r, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "Exit.csv: its columns differ from input 1's"));
	merge_result_free(&r);
	{
		struct fxrow rows[NBASE];
		memcpy(rows, base_rows, sizeof rows);
		rows[0].kv = "ExportID=E3;CSVVersion=2024 v1.3;HashStatus=4";
		snprintf(p, sizeof p, "%s/hashed", f->dir);
		fx_write(p, "E3", rows, NBASE, 0, NULL);
	}
	assert_int_equal(merge_run(mi, 2, &o, &r, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "HashStatus"));
	merge_result_free(&r);
	/* bad options */
	o.end = o.start - 1;
	assert_int_equal(merge_run(mi, 1, &o, &r, &err), HMX_EINVAL);
	merge_result_free(&r);
	opts_init(&o, out);

	/* the output in a missing folder, under a regular file, in a folder
	 * without write permission (not as root), and a disk full */
	snprintf(p, sizeof p, "%s/missing/upload.zip", f->dir);
	o.out = p;
	assert_int_equal(merge_run(mi, 1, &o, &r, &err), HMX_EIO);
	assert_non_null(strstr(err.msg, "no such folder"));
	merge_result_free(&r);
	tu_write(f->dir, "plain", "x", 1);
	snprintf(p, sizeof p, "%s/plain/upload.zip", f->dir);
	assert_int_equal(merge_run(mi, 1, &o, &r, &err), HMX_EIO);
	assert_non_null(strstr(err.msg, "Not a directory"));
	merge_result_free(&r);
	if (geteuid() != 0) {
		char ro[512];
		snprintf(ro, sizeof ro, "%s/ro", f->dir);
		assert_int_equal(mkdir(ro, 0500), 0);
		snprintf(p, sizeof p, "%s/upload.zip", ro);
		assert_int_equal(merge_run(mi, 1, &o, &r, &err), HMX_EIO);
		merge_result_free(&r);
		expect_nothing_left(ro, p);
		chmod(ro, 0700);
	}
	o.out = out;
	assert_int_equal(run_limited(mi, &o, 2048), 0);
	expect_nothing_left(f->dir, out);
	/* an existing output is replaced only by a complete one */
	tu_write(f->dir, "upload.zip", "old", 3);
	assert_int_equal(run_limited(mi, &o, 2048), 0);
	{
		size_t len;
		char *d = read_file(f->dir, "upload.zip", &len);
		assert_int_equal(len, 3);
		free(d);
	}
	if (merge_run(mi, 1, &o, &r, &err) != HMX_OK)
		fail_msg("merge_run: %s", err.msg);
	merge_result_free(&r);
}

/* ==== hmiscsv raw streams ==== */

static void t_stream(void **state)
{
	struct fx *f = *state;
	char in[512], zp[512];
	struct hmiscsv *pkg;
	struct hmx_err err;
	const char *paths[2];

	snprintf(in, sizeof in, "%s/hmis", f->dir);
	snprintf(zp, sizeof zp, "%s/hmis.zip", f->dir);
	fx_write(in, "E1", base_rows, NBASE, FX_BOM, NULL);
	fx_zip(in, zp);
	paths[0] = in;
	paths[1] = zp;
	for (int k = 0; k < 2; k++) {
		const struct hmiscsv_entry *e;
		struct hmiscsv_stream *a = NULL, *b = NULL;
		size_t len;
		char *want = read_file(in, "Services.csv", &len), got[8192], other[16];
		size_t n = 0;
		long long r;

		assert_int_equal(hmiscsv_open(paths[k], NULL, NULL, NULL, &pkg, &err), HMX_OK);
		assert_non_null(e = hmiscsv_find(pkg, "Services.csv"));
		assert_int_equal(hmiscsv_stream_open(pkg, e, &a, &err), HMX_OK);
		/* a second stream of the same package at the same time */
		assert_int_equal(hmiscsv_stream_open(pkg, hmiscsv_find(pkg, "Export.csv"), &b, &err),
			HMX_OK);
		assert_int_equal(hmiscsv_stream_read(b, other, 3, &err), 3);
		assert_memory_equal(other, "\xEF\xBB\xBF", 3);
		while ((r = hmiscsv_stream_read(a, got + n, 7, &err)) > 0)
			n += (size_t)r;
		assert_int_equal(r, 0);
		assert_int_equal(n, len);
		assert_memory_equal(got, want, len);
		hmiscsv_stream_close(&a);
		hmiscsv_stream_close(&b);
		assert_null(a);
		hmiscsv_stream_close(&a);
		hmiscsv_close(&pkg);
		free(want);
	}
	/* an entry of another package is refused */
	{
		struct hmiscsv *p2;
		struct hmiscsv_stream *s = NULL;
		assert_int_equal(hmiscsv_open(in, NULL, NULL, NULL, &pkg, &err), HMX_OK);
		assert_int_equal(hmiscsv_open(zp, NULL, NULL, NULL, &p2, &err), HMX_OK);
		assert_int_equal(hmiscsv_stream_open(pkg, hmiscsv_find(p2, "Client.csv"), &s, &err),
			HMX_EINVAL);
		assert_null(s);
		hmiscsv_close(&p2);
		hmiscsv_close(&pkg);
	}
	/* the ratio guard: a highly compressible entry under a low limit */
	{
		char big[600];
		char *zeros = calloc(4 << 20, 1);
		struct hmiscsv_limits lim = { 0 };
		struct hmiscsv_stream *s = NULL;
		char buf[65536];
		long long r;
		int zerr;
		zip_t *za;

		snprintf(big, sizeof big, "%s/bomb.zip", f->dir);
		za = zip_open(big, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
		assert_non_null(zeros);
		assert_true(zip_file_add(za, "Client.csv", zip_source_buffer(za, zeros, 4 << 20, 0),
			0) >= 0);
		assert_int_equal(zip_close(za), 0);
		free(zeros);
		lim.max_total = 3 << 20;
		lim.max_ratio = 100000;
		assert_int_equal(hmiscsv_open(big, &lim, NULL, NULL, &pkg, &err), HMX_ESTATE);
		lim.max_total = 0;
		lim.max_ratio = 10;
		/* declared sizes are judged at open: a ratio over 10 refuses */
		assert_int_equal(hmiscsv_open(big, &lim, NULL, NULL, &pkg, &err), HMX_ESTATE);
		lim.max_ratio = 0;
		assert_int_equal(hmiscsv_open(big, &lim, NULL, NULL, &pkg, &err), HMX_ESTATE);
		lim.max_ratio = 1000000;
		assert_int_equal(hmiscsv_open(big, &lim, NULL, NULL, &pkg, &err), HMX_OK);
		assert_int_equal(hmiscsv_stream_open(pkg, hmiscsv_find(pkg, "Client.csv"), &s, &err),
			HMX_OK);
		while ((r = hmiscsv_stream_read(s, buf, sizeof buf, &err)) > 0)
			;
		assert_int_equal(r, 0);
		hmiscsv_stream_close(&s);
		hmiscsv_close(&pkg);
	}
}

/* ==== merge_build: a cycle of the store ==== */

static void t_build(void **state)
{
	struct fx *f = *state;
	char in[512], out[512], ref[16];
	struct intake_opts io = { "hmis", CAL_NO_DAY, true };
	struct intake_info info;
	struct merge_build_opts bo = { NULL, NULL, 0 };
	struct merge_result r;
	struct hmx_err err;
	struct audit_row *ar;
	size_t n, acc, skip;
	const char *refs[1];

	snprintf(in, sizeof in, "%s/hmis", f->dir);
	snprintf(out, sizeof out, "%s/upload.zip", f->dir);
	fx_write(in, "E1", base_rows, NBASE, 0, NULL);
	fx_agency(f->s, "A", "Agency A");
	fx_project(f->s, "shelter", "Shelter One", "A", REG_SRC_HMIS, "P1");
	fx_project(f->s, "rdc-house", "RDC House", "A", REG_SRC_RDC_DIRECT, "P2");
	fx_cycle(f->s, "rdc-upload", "2025Q1");
	if (intake_add(f->s, "rdc-upload-2025Q1", in, &io, &info, &err) != HMX_OK)
		fail_msg("intake_add: %s", err.msg);
	/* nothing decided yet: nothing to upload */
	snprintf(ref, sizeof ref, "%.8s", info.sha256);
	refs[0] = ref;
	bo.out = out;
	assert_int_equal(merge_build(f->s, "rdc-upload-2025Q1", refs, 1, &bo, &r, &err), HMX_ESTATE);
	assert_int_equal(proj(&r, 0, "P1")->why, MERGE_UNMAPPED);
	merge_result_free(&r);
	assert_int_equal(mapping_accept(f->s, "rdc-upload-2025Q1", NULL, &acc, &skip, NULL, NULL,
		&err), HMX_OK);
	assert_int_equal(acc, 2);
	if (merge_build(f->s, "rdc-upload-2025Q1", refs, 1, &bo, &r, &err) != HMX_OK)
		fail_msg("merge_build: %s", err.msg);
	assert_true(r.written);
	assert_string_equal(r.cycle, "rdc-upload-2025Q1");
	assert_memory_equal(r.inputs[0].label, info.sha256, 12);
	assert_int_equal(strlen(r.inputs[0].label), 12);
	assert_string_equal(r.inputs[0].source, "hmis");
	assert_int_equal(proj(&r, 0, "P1")->why, MERGE_KEPT);
	assert_int_equal(proj(&r, 0, "P2")->why, MERGE_RDC_DIRECT);
	assert_int_equal(proj(&r, 0, "P3")->why, MERGE_UNMAPPED);
	assert_int_equal(r.start, cal_from_ymd(2024, 7, 1));
	assert_int_equal(r.end, cal_from_ymd(2024, 9, 30));
	expect_rows(out, in, "Enrollment.csv", "\"EN1\" \"EN3\"", r.export_id, false);
	merge_result_free(&r);
	assert_int_equal(audit_list(f->s, "rdc-upload-2025Q1/export", 0, &ar, &n, &err), HMX_OK);
	assert_int_equal(n, 1);
	assert_string_equal(ar[0].action, "export.build");
	assert_non_null(strstr(ar[0].after, "file=upload.zip"));
	assert_non_null(strstr(ar[0].after, "projects kept=1 of 3"));
	free(ar);
	/* a path: by HUD ProjectID */
	refs[0] = in;
	if (merge_build(f->s, "rdc-upload-2025Q1", refs, 1, &bo, &r, &err) != HMX_OK)
		fail_msg("merge_build: %s", err.msg);
	assert_int_equal(proj(&r, 0, "P3")->why, MERGE_UNMATCHED);
	merge_result_free(&r);
	/* unknown names */
	refs[0] = "0123456789ab";
	assert_int_equal(merge_build(f->s, "rdc-upload-2025Q1", refs, 1, &bo, &r, &err),
		HMX_ENOTFOUND);
	merge_result_free(&r);
	refs[0] = "no/such/path";
	assert_int_equal(merge_build(f->s, "rdc-upload-2025Q1", refs, 1, &bo, &r, &err),
		HMX_ENOTFOUND);
	assert_non_null(strstr(err.msg, "hmx files rdc-upload-2025Q1"));
	merge_result_free(&r);
	assert_int_equal(merge_build(f->s, "nope-2025Q1", refs, 1, &bo, &r, &err), HMX_ENOTFOUND);
	merge_result_free(&r);
}

static int group_setup(void **state)
{
	struct hmx_err err;

	(void)state;
	return spec_load(SPEC_FY2024, &fy24, &err) == HMX_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	spec_free(&fy24);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_scan_records),
		cmocka_unit_test(t_scan_any_split),
		cmocka_unit_test(t_scan_fields),
		cmocka_unit_test(t_scan_errors),
		cmocka_unit_test(t_ids),
		cmocka_unit_test(t_keys),
		cmocka_unit_test_setup_teardown(t_stream, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(t_single, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(t_keep_export_id, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(t_by_map, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(t_line_endings, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(t_x03, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(t_x04, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(t_bad_input, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(t_build, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
