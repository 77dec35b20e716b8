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

#include "core/cycle.h"
#include "core/report.h"
#include "core/store.h"
#include "core/validate.h"
#include "core/validate_int.h"
#include "core/validate_store.h"

static struct spec *fy24;

/* ==== building an export ==== */

#define XMAXCOLS 1100

struct xfile {
	char name[64];
	char *cols[XMAXCOLS]; /* header layout (spec order unless changed) */
	size_t ncols;
	char *text;           /* everything after the header line */
	size_t len, cap;
	char *raw;            /* when set: the whole file, header included */
	size_t rawlen;
	bool absent;
	bool header_off;      /* no header line */
	bool bom;             /* starts with a UTF-8 byte-order mark */
	bool crlf_header;     /* the header line ends with CRLF */
};

struct xp {
	struct xfile f[40];
	size_t n;
};

static void xs_add(char **t, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t c = *cap ? *cap * 2 : 1024;
		while (c < *len + n + 1)
			c *= 2;
		*t = realloc(*t, c);
		assert_non_null(*t);
		*cap = c;
	}
	memcpy(*t + *len, s, n);
	*len += n;
	(*t)[*len] = '\0';
}

static struct xfile *xf(struct xp *x, const char *name)
{
	for (size_t i = 0; i < x->n; i++)
		if (strcmp(x->f[i].name, name) == 0)
			return &x->f[i];
	assert_true(x->n < sizeof x->f / sizeof x->f[0]);
	memset(&x->f[x->n], 0, sizeof x->f[0]);
	snprintf(x->f[x->n].name, sizeof x->f[0].name, "%s", name);
	return &x->f[x->n++];
}

static void xf_layout_spec(struct xfile *f, const struct spec_file *sf)
{
	for (size_t i = 0; i < f->ncols; i++)
		free(f->cols[i]);
	f->ncols = 0;
	for (size_t j = 0; j < sf->ncolumns; j++)
		f->cols[f->ncols++] = strdup(sf->columns[j].name);
}

/* Header-only files for every file of the spec. */
static void xp_init(struct xp *x, const struct spec *sp)
{
	memset(x, 0, sizeof *x);
	for (size_t i = 0; i < spec_nfiles(sp); i++) {
		const struct spec_file *sf = spec_file_at(sp, i);
		xf_layout_spec(xf(x, sf->name), sf);
	}
}

static void xp_free(struct xp *x)
{
	for (size_t i = 0; i < x->n; i++) {
		for (size_t k = 0; k < x->f[i].ncols; k++)
			free(x->f[i].cols[k]);
		free(x->f[i].text);
		free(x->f[i].raw);
	}
	memset(x, 0, sizeof *x);
}

/* Sets the header layout of a file: comma-separated names. */
static void xp_layout(struct xp *x, const char *file, const char *names)
{
	struct xfile *f = xf(x, file);
	char *dup = strdup(names), *save = NULL;

	for (size_t i = 0; i < f->ncols; i++)
		free(f->cols[i]);
	f->ncols = 0;
	for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save))
		f->cols[f->ncols++] = strdup(t);
	free(dup);
}

/* The layout of file's spec columns without `drop`, or with `a` and `b`
 * swapped, or with `add` appended (each NULL when unused). */
static void xp_layout_edit(struct xp *x, const char *file, const char *drop, const char *a,
	const char *b, const char *add)
{
	struct xfile *f = xf(x, file);
	const struct spec_file *sf = spec_file_find(fy24, file);
	char buf[8192] = "";

	assert_non_null(sf);
	for (size_t j = 0; j < sf->ncolumns; j++) {
		const char *n = sf->columns[j].name;
		if (drop && strcmp(n, drop) == 0)
			continue;
		if (a && strcmp(n, a) == 0)
			n = b;
		else if (b && strcmp(n, b) == 0)
			n = a;
		strcat(buf, buf[0] ? "," : "");
		strcat(buf, n);
	}
	if (add) {
		strcat(buf, ",");
		strcat(buf, add);
	}
	(void)f;
	xp_layout(x, file, buf);
}

static const char *default_value(const struct spec_file *sf, const char *name)
{
	static const char *const ids[][2] = {
		{ "ExportID", "E1" }, { "UserID", "U1" }, { "OrganizationID", "O1" },
		{ "ProjectID", "P1" }, { "ResProjectID", "P1" }, { "PersonalID", "C1" },
		{ "EnrollmentID", "EN1" }, { "HouseholdID", "H1" }, { "AssessmentID", "A1" },
	};
	static char code[32];
	bool exact;
	const struct spec_column *c = sf ? spec_column_find(sf, name, strlen(name), &exact) : NULL;

	if (!c)
		return "v";
	if (c->pk)
		return "X1";
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		if (strcmp(c->name, ids[i][0]) == 0)
			return ids[i][1];
	if (c->nullable)
		return "";
	if (c->nlists) {
		snprintf(code, sizeof code, "%s", spec_list_code(c->lists[0], 0));
		return code;
	}
	switch (c->type) {
	case SPEC_INTEGER: return "1";
	case SPEC_DATE: return "2024-01-15";
	case SPEC_DATETIME: return "2024-01-15 09:00:00";
	case SPEC_MONEY: return "10.00";
	default: return "x";
	}
}

static void csv_field(char **t, size_t *len, size_t *cap, const char *v)
{
	if (!strpbrk(v, ",\"\r\n")) {
		xs_add(t, len, cap, v, strlen(v));
		return;
	}
	xs_add(t, len, cap, "\"", 1);
	for (const char *p = v; *p; p++) {
		if (*p == '"')
			xs_add(t, len, cap, "\"", 1);
		xs_add(t, len, cap, p, 1);
	}
	xs_add(t, len, cap, "\"", 1);
}

/* Appends a data row: "Col=value;Col=value" overrides, defaults for the
 * rest (IDs of the clean fixture, first codes, plain dates). */
static void xp_row(struct xp *x, const char *file, const char *kv)
{
	struct xfile *f = xf(x, file);
	const struct spec_file *sf = spec_file_find(fy24, file);

	for (size_t i = 0; i < f->ncols; i++) {
		const char *v = default_value(sf, f->cols[i]);
		char val[1024];
		size_t nl = strlen(f->cols[i]);

		for (const char *p = kv; p && *p;) {
			const char *semi = strchr(p, ';'), *eq = strchr(p, '=');
			size_t seg = semi ? (size_t)(semi - p) : strlen(p);
			if (eq && (size_t)(eq - p) < seg && (size_t)(eq - p) == nl &&
			    strncasecmp(p, f->cols[i], nl) == 0) {
				size_t vl = seg - nl - 1;
				assert_true(vl < sizeof val);
				memcpy(val, eq + 1, vl);
				val[vl] = '\0';
				v = val;
			}
			p = semi ? semi + 1 : NULL;
		}
		if (i)
			xs_add(&f->text, &f->len, &f->cap, ",", 1);
		csv_field(&f->text, &f->len, &f->cap, v);
	}
	xs_add(&f->text, &f->len, &f->cap, "\n", 1);
}

/* Appends raw bytes after the header (a hand-made line). */
static void xp_append(struct xp *x, const char *file, const char *bytes, size_t len)
{
	struct xfile *f = xf(x, file);

	xs_add(&f->text, &f->len, &f->cap, bytes, len == (size_t)-1 ? strlen(bytes) : len);
}

/* Replaces the whole file by these bytes (header included). */
static void xp_raw(struct xp *x, const char *file, const void *bytes, size_t len)
{
	struct xfile *f = xf(x, file);

	free(f->raw);
	f->raw = malloc(len + 1);
	assert_non_null(f->raw);
	memcpy(f->raw, bytes, len);
	f->rawlen = len;
	f->absent = false;
}

/* Drops the data rows of a file (header stays). */
static void xp_clear(struct xp *x, const char *file)
{
	struct xfile *f = xf(x, file);

	f->len = 0;
	if (f->text)
		f->text[0] = '\0';
}

static void xp_remove(struct xp *x, const char *file)
{
	xf(x, file)->absent = true;
}

/* Replaces the first `from` in the file's rows by to[0..tolen). */
static void xp_patch(struct xp *x, const char *file, const char *from, const char *to,
	size_t tolen)
{
	struct xfile *f = xf(x, file);
	char *at = f->text ? strstr(f->text, from) : NULL;
	size_t fl = strlen(from), off;
	char *nt = NULL;
	size_t nl = 0, ncap = 0;

	assert_non_null(at);
	off = (size_t)(at - f->text);
	xs_add(&nt, &nl, &ncap, f->text, off);
	xs_add(&nt, &nl, &ncap, to, tolen == (size_t)-1 ? strlen(to) : tolen);
	xs_add(&nt, &nl, &ncap, at + fl, f->len - off - fl);
	free(f->text);
	f->text = nt;
	f->len = nl;
	f->cap = ncap;
}

/* The file's bytes into a malloc'd buffer. */
static char *xf_bytes(const struct xfile *f, size_t *len)
{
	char *t = NULL;
	size_t l = 0, cap = 0;

	if (f->raw) {
		xs_add(&t, &l, &cap, f->raw, f->rawlen);
		if (!t)
			t = calloc(1, 1);
		*len = l;
		return t;
	}
	if (f->bom)
		xs_add(&t, &l, &cap, "\xEF\xBB\xBF", 3);
	if (!f->header_off) {
		for (size_t i = 0; i < f->ncols; i++) {
			if (i)
				xs_add(&t, &l, &cap, ",", 1);
			xs_add(&t, &l, &cap, f->cols[i], strlen(f->cols[i]));
		}
		xs_add(&t, &l, &cap, f->crlf_header ? "\r\n" : "\n", f->crlf_header ? 2 : 1);
	}
	if (f->len)
		xs_add(&t, &l, &cap, f->text, f->len);
	if (!t)
		t = calloc(1, 1);
	*len = l;
	return t;
}

static void xp_write_dir(const struct xp *x, const char *dir)
{
	for (size_t i = 0; i < x->n; i++) {
		size_t len;
		char *b;
		if (x->f[i].absent)
			continue;
		b = xf_bytes(&x->f[i], &len);
		tu_write(dir, x->f[i].name, b, len);
		free(b);
	}
}

/* Writes x as a zip at path; entries under prefix ("" or "sub/"). Extra
 * raw entries (name, data, len) may follow, NULL-terminated. */
static void xp_write_zip(const struct xp *x, const char *path, const char *prefix)
{
	int zerr;
	zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	char *bufs[40];
	size_t nb = 0;

	assert_non_null(za);
	for (size_t i = 0; i < x->n; i++) {
		char name[256];
		size_t len;
		zip_source_t *src;
		if (x->f[i].absent)
			continue;
		bufs[nb] = xf_bytes(&x->f[i], &len);
		snprintf(name, sizeof name, "%s%s", prefix, x->f[i].name);
		src = zip_source_buffer(za, bufs[nb], len, 0);
		assert_non_null(src);
		assert_true(zip_file_add(za, name, src, 0) >= 0);
		nb++;
	}
	assert_int_equal(zip_close(za), 0);
	for (size_t i = 0; i < nb; i++)
		free(bufs[i]);
}

/* The clean FY2024 fixture: every file with rows that pass every check. */
static void xp_clean(struct xp *x)
{
	xp_init(x, fy24);
	xp_row(x, "Export.csv", "ExportID=E1;CSVVersion=2024 v1.3;HashStatus=1;"
		"ExportDate=2024-10-01 08:00:00;ExportStartDate=2023-10-01;ExportEndDate=2024-09-30;"
		"SourceName=Test CoC;ExportPeriodType=3;ExportDirective=2");
	xp_row(x, "Organization.csv", "OrganizationID=O1;OrganizationName=Org One;VictimServiceProvider=0");
	xp_row(x, "User.csv", "UserID=U1");
	xp_row(x, "Project.csv", "ProjectID=P1;ProjectName=Shelter One;ProjectType=1;ContinuumProject=1");
	xp_row(x, "Project.csv", "ProjectID=P2;ProjectName=Housing Two;ProjectType=3;ContinuumProject=1");
	xp_row(x, "Funder.csv", "FunderID=F1;ProjectID=P1");
	xp_row(x, "ProjectCoC.csv", "ProjectCoCID=PC1;ProjectID=P1");
	xp_row(x, "Inventory.csv", "InventoryID=I1;ProjectID=P1");
	xp_row(x, "Affiliation.csv", "AffiliationID=AF1;ProjectID=P1;ResProjectID=P2");
	xp_row(x, "HMISParticipation.csv", "HMISParticipationID=HP1;ProjectID=P1");
	xp_row(x, "CEParticipation.csv", "CEParticipationID=CE1;ProjectID=P1");
	xp_row(x, "Client.csv", "PersonalID=C1;FirstName=Ann;LastName=Smith;DOB=1980-01-01");
	xp_row(x, "Client.csv", "PersonalID=C2;FirstName=Bob;LastName=Jones;DOB=1990-06-30");
	xp_row(x, "Enrollment.csv", "EnrollmentID=EN1;PersonalID=C1;ProjectID=P1;HouseholdID=H1;"
		"EntryDate=2024-01-15");
	xp_row(x, "Enrollment.csv", "EnrollmentID=EN2;PersonalID=C2;ProjectID=P2;HouseholdID=H2;"
		"EntryDate=2024-03-01");
	xp_row(x, "Exit.csv", "ExitID=X1;EnrollmentID=EN1;PersonalID=C1;ExitDate=2024-02-15");
	xp_row(x, "IncomeBenefits.csv", "IncomeBenefitsID=IB1;InformationDate=2024-01-15;"
		"DataCollectionStage=1");
	xp_row(x, "IncomeBenefits.csv", "IncomeBenefitsID=IB2;InformationDate=2024-02-15;"
		"DataCollectionStage=3");
	xp_row(x, "IncomeBenefits.csv", "IncomeBenefitsID=IB3;EnrollmentID=EN2;PersonalID=C2;"
		"InformationDate=2024-03-01;DataCollectionStage=1");
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

/* ==== running and looking at findings ==== */

struct frec {
	char check[8];
	enum spec_severity sev;
	char file[80];
	uint64_t line;
	char key[128];
	char column[80];
	char detail[24];
	char project[64];
};

struct got {
	struct frec *v;
	size_t n, cap;
	struct validate_result res;
	enum hmx_rc rc;
	struct hmx_err err;
	bool summary_first;  /* on_summary came before every finding */
	bool summarized;
};

static int collect(void *ctx, const struct validate_finding *f)
{
	struct got *g = ctx;
	struct frec *r;

	if (!g->summarized)
		g->summary_first = false;
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 64;
		g->v = realloc(g->v, g->cap * sizeof *g->v);
		assert_non_null(g->v);
	}
	r = &g->v[g->n++];
	memset(r, 0, sizeof *r);
	snprintf(r->check, sizeof r->check, "%s", f->check);
	r->sev = f->severity;
	snprintf(r->file, sizeof r->file, "%s", f->file);
	r->line = f->line;
	snprintf(r->key, sizeof r->key, "%s", f->key);
	snprintf(r->column, sizeof r->column, "%s", f->column);
	snprintf(r->detail, sizeof r->detail, "%s", f->detail);
	snprintf(r->project, sizeof r->project, "%s", f->project);
	return 0;
}

static void on_summary(void *ctx, const struct validate_result *res)
{
	struct got *g = ctx;

	(void)res;
	g->summarized = true;
}

static void run_opts(const char *path, const struct validate_opts *o, struct got *g)
{
	struct validate_opts opts = *o;

	memset(g, 0, sizeof *g);
	g->summary_first = true;
	opts.on_summary = on_summary;
	g->rc = validate_run(path, &opts, collect, g, &g->res, &g->err);
}

static void run_path(const char *path, unsigned threads, struct got *g)
{
	struct validate_opts o;

	validate_opts_default(&o);
	o.threads = threads;
	run_opts(path, &o, g);
}

static void got_free(struct got *g)
{
	free(g->v);
	validate_result_free(&g->res);
	memset(g, 0, sizeof *g);
}

static size_t nof(const struct got *g, const char *check)
{
	size_t n = 0;

	for (size_t i = 0; i < g->n; i++)
		n += strcmp(g->v[i].check, check) == 0;
	return n;
}

static const struct frec *first(const struct got *g, const char *check)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->v[i].check, check) == 0)
			return &g->v[i];
	return NULL;
}

static void dump(const struct got *g)
{
	for (size_t i = 0; i < g->n && i < 60; i++)
		fprintf(stderr, "  %s %s %s:%llu %s [%s] (%s) p=%s\n", g->v[i].check,
			validate_severity_name(g->v[i].sev), g->v[i].file,
			(unsigned long long)g->v[i].line, g->v[i].key, g->v[i].column, g->v[i].detail,
			g->v[i].project);
}

/* Asserts the run succeeded and every check of the catalog fired exactly
 * as listed ("K01", 2, ..., NULL) and the rest not at all; the result's
 * counts agree with the findings delivered, which came after the summary
 * and in the contract's order. */
static void expect(const struct got *g, ...)
{
	va_list ap;
	bool ok = true;

	if (g->rc != HMX_OK)
		fprintf(stderr, "run failed: %s\n", g->err.msg);
	assert_int_equal(g->rc, HMX_OK);
	assert_true(g->summary_first);
	for (size_t i = 0; i < g->res.nchecks; i++) {
		const char *id = g->res.checks[i].check->id;
		size_t want = 0;
		va_start(ap, g);
		for (const char *c; (c = va_arg(ap, const char *));) {
			int n = va_arg(ap, int);
			if (strcmp(c, id) == 0)
				want = (size_t)n;
		}
		va_end(ap);
		if (nof(g, id) != want || g->res.checks[i].total != want) {
			fprintf(stderr, "%s: %zu findings (counted %llu), wanted %zu\n", id, nof(g, id),
				(unsigned long long)g->res.checks[i].total, want);
			ok = false;
		}
	}
	if (!ok)
		dump(g);
	assert_true(ok);
	assert_int_equal(g->res.total, g->n);
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
	xp_clear(&x, "Inventory.csv"); /* header only: present */
	run_x(&x, 2, &g);
	expect(&g, "P03", 2, NULL);
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
	xp_row(&x, "Export.csv", "ExportID=E1;CSVVersion=2024 v1.3;HashStatus=4");
	run_x(&x, 2, &g);
	expect(&g, "P07", 1, NULL);
	assert_string_equal(first(&g, "P07")->detail, "not-sha256");
	assert_int_equal(first(&g, "P07")->sev, SPEC_SEV_ERROR);
	got_free(&g);

	/* SHA-256 digests everywhere: fine, and no S14 on the long SSN */
	xp_clear(&x, "Client.csv");
	snprintf(kv, sizeof kv, "PersonalID=C1;FirstName=%s;LastName=%s;SSN=%s1234", h64, h64, h64);
	xp_row(&x, "Client.csv", kv);
	snprintf(kv, sizeof kv, "PersonalID=C2;FirstName=%s;LastName=%s", h64, h64);
	xp_row(&x, "Client.csv", kv);
	run_x(&x, 2, &g);
	expect(&g, NULL);
	got_free(&g);

	/* unhashed export with a digest in it */
	xp_clear(&x, "Export.csv");
	xp_row(&x, "Export.csv", "ExportID=E1;CSVVersion=2024 v1.3;HashStatus=1");
	run_x(&x, 2, &g);
	expect(&g, "P07", 1, "S14", 5, NULL); /* names and SSN over their lengths */
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

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* Rewrites the 32-bit uncompressed size `from` to `to` in the local and
 * central headers of a zip (a lying archive). */
static void patch_size(const char *path, uint32_t from, uint32_t to)
{
	size_t len, hits = 0;
	unsigned char *b = slurp(path, &len);
	FILE *f;

	for (size_t i = 0; i + 46 < len; i++) {
		uint32_t sig = b[i] | b[i + 1] << 8 | b[i + 2] << 16 | (uint32_t)b[i + 3] << 24;
		size_t off = sig == 0x04034b50 ? 22 : sig == 0x02014b50 ? 24 : 0;
		if (off && (b[i + off] | b[i + off + 1] << 8 | b[i + off + 2] << 16 |
		    (uint32_t)b[i + off + 3] << 24) == from) {
			b[i + off] = to & 0xff;
			b[i + off + 1] = (to >> 8) & 0xff;
			b[i + off + 2] = (to >> 16) & 0xff;
			b[i + off + 3] = to >> 24;
			hits++;
		}
	}
	assert_int_equal(hits, 2);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, len, f), len);
	fclose(f);
	free(b);
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
	patch_size(zp, (uint32_t)n, 4000);
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
		"HousingAssessment=2147483648");
	/* S11: impossible date (HP, blocking), datetime with a T (error) */
	xp_row(&x, "Event.csv", "EventID=EV2;EventDate=2024-02-30;DateCreated=2024-01-17T09:00:00");
	/* S12: three decimals, a thousands separator; fine: -5, 12., 7.5 */
	xp_row(&x, "IncomeBenefits.csv", "IncomeBenefitsID=IB10;EnrollmentID=EN2;PersonalID=C2;"
		"InformationDate=2024-03-01;DataCollectionStage=2;EarnedAmount=12.345;"
		"UnemploymentAmount=1,000;SSIAmount=-5;SSDIAmount=12.;TotalMonthlyIncome=7.5");
	/* S13: empty non-nullable columns */
	xp_row(&x, "Event.csv", "EventID=EV3;EventDate=;DateUpdated=");
	run_x(&x, 2, &g);
	expect(&g, "S10", 2, "S11", 2, "S12", 2, "S13", 2, NULL);
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
	xp_row(&x, "Enrollment.csv", "EnrollmentID=EN3;PersonalID=C3;HouseholdID=H3");
	run_x(&x, 2, &g);
	expect(&g, "S16", 2, "S17", 4, "S09", 1, "K02", 1, NULL);
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
	xp_row(&x, "Enrollment.csv", "EnrollmentID=EN3;PersonalID=C9;HouseholdID=H3");       /* K02 */
	xp_row(&x, "Enrollment.csv", "EnrollmentID=EN4;PersonalID=C2;ProjectID=P9;HouseholdID=H4"); /* K03 */
	xp_row(&x, "Event.csv", "EventID=EV2;EnrollmentID=EN9");                           /* K04 */
	xp_row(&x, "Event.csv", "EventID=EV3;EnrollmentID=EN1;PersonalID=C2");              /* K05 */
	xp_row(&x, "Exit.csv", "ExitID=X2;EnrollmentID=EN3;PersonalID=C9");                 /* same orphan: fine */
	run_x(&x, 2, &g);
	expect(&g, "K02", 1, "K03", 1, "K04", 1, "K05", 1, NULL);
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
	xp_row(&x, "Enrollment.csv", "EnrollmentID=EN3;PersonalID=C2;ProjectID=P2;HouseholdID=H1");
	xp_row(&x, "Enrollment.csv", "EnrollmentID=EN4;PersonalID=C2;ProjectID=P2;HouseholdID=H1");
	xp_row(&x, "Enrollment.csv", "EnrollmentID=EN5;PersonalID=C2;ProjectID=P9;HouseholdID=H2");
	run_x(&x, 2, &g);
	expect(&g, "K08", 2, "K03", 1, NULL);
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
		"DataCollectionStage=1");                                           /* K11 */
	xp_row(&x, "IncomeBenefits.csv", "IncomeBenefitsID=IB5;InformationDate=2024-01-15;"
		"DataCollectionStage=1");                                           /* K11 */
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
	b = slurp(zp, &len);
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
		b = slurp(zp, &len);
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
		b = slurp(db, &n);
		for (size_t k = 1; k < sizeof secrets / sizeof secrets[0]; k++)
			assert_false(mem_has((const char *)b, n, secrets[k]));
		free(b);
		if (access(cmd, F_OK) == 0) {
			b = slurp(cmd, &n);
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

static int setup(void **state)
{
	struct hmx_err err;

	(void)state;
	setenv("HMX_NOW", "2026-11-27T12:00:00Z", 1);
	setenv("HMX_USER", "tester", 1);
	return spec_load(SPEC_FY2024, &fy24, &err) == HMX_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	spec_free(&fy24);
	return 0;
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
	return cmocka_run_group_tests(tests, setup, teardown);
}
