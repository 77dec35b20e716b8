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
 * 0, then the zip). */
#include <stdbool.h>
#include <strings.h>
#include <sys/stat.h>
#include <zip.h>

#include "testutil.h"

#include "core/spec.h"
#include "core/validate.h"

static struct spec *fy24;

/* ==== building an export ==== */

#define NF 24

/* Rows of each spec file (after the header); NULL text: header only. */
struct dx {
	char *text[NF];
	size_t len[NF], cap[NF];
	bool absent[NF];
	const char *drop[NF]; /* a spec column left out of the file, or NULL */
};

static size_t fidx(const char *file)
{
	const struct spec_file *sf = spec_file_find(fy24, file);

	assert_non_null(sf);
	assert_true(sf->order < NF);
	return sf->order;
}

static void add(struct dx *x, size_t f, const char *s, size_t n)
{
	if (x->len[f] + n + 1 > x->cap[f]) {
		size_t c = x->cap[f] ? 2 * x->cap[f] : 512;
		while (c < x->len[f] + n + 1)
			c *= 2;
		x->text[f] = realloc(x->text[f], c);
		assert_non_null(x->text[f]);
		x->cap[f] = c;
	}
	memcpy(x->text[f] + x->len[f], s, n);
	x->len[f] += n;
	x->text[f][x->len[f]] = '\0';
}

/* The value a column gets unless a row says otherwise: the IDs of the
 * base export, the first code of its list, a plain date, or empty when
 * nullable. */
static const char *default_value(const struct spec_column *c)
{
	static const char *const ids[][2] = {
		{ "ExportID", "E1" }, { "UserID", "U1" }, { "OrganizationID", "O1" },
		{ "ProjectID", "P1" }, { "PersonalID", "C1" }, { "EnrollmentID", "EN1" },
		{ "HouseholdID", "H1" },
	};

	if (c->pk)
		return "X1";
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		if (strcmp(c->name, ids[i][0]) == 0)
			return ids[i][1];
	if (c->nullable)
		return "";
	if (c->nlists)
		return spec_list_code(c->lists[0], 0);
	switch (c->type) {
	case SPEC_INTEGER: return "1";
	case SPEC_DATE: return "2024-01-15";
	case SPEC_DATETIME: return "2024-01-15 09:00:00";
	case SPEC_MONEY: return "10.00";
	default: return "x";
	}
}

/* Appends a row to file: "Col=value;Col=value" overrides, defaults for
 * the rest. Values hold no comma or quote. */
static void row(struct dx *x, const char *file, const char *kv)
{
	size_t f = fidx(file);
	const struct spec_file *sf = spec_file_at(fy24, f);

	for (size_t i = 0; i < sf->ncolumns; i++) {
		const char *name = sf->columns[i].name, *v = default_value(&sf->columns[i]);
		size_t nl = strlen(name), vl = strlen(v);

		for (const char *p = kv; p && *p;) {
			const char *semi = strchr(p, ';'), *eq = strchr(p, '=');
			size_t seg = semi ? (size_t)(semi - p) : strlen(p);
			if (eq && (size_t)(eq - p) < seg && (size_t)(eq - p) == nl &&
			    strncmp(p, name, nl) == 0) {
				v = eq + 1;
				vl = seg - nl - 1;
			}
			p = semi ? semi + 1 : NULL;
		}
		assert_null(memchr(v, ',', vl));
		if (i)
			add(x, f, ",", 1);
		add(x, f, v, vl);
	}
	add(x, f, "\n", 1);
}

/* The base export: nothing of P, S, K or D fires on it.
 *   O1 an agency, O2 a victim service provider without enrollments
 *   P1 ES night-by-night, P2 PSH, P4 RRH housing (subtype 2): residential,
 *      each with a ProjectCoC row in XX-501 and inventory in XX-501
 *   P3 RRH services only (subtype 1): continuum, not residential
 *   P5 street outreach, not a continuum project: nothing needed
 *   P6 services only, of O2 */
static void base(struct dx *x)
{
	memset(x, 0, sizeof *x);
	row(x, "Export.csv", "ExportID=E1;CSVVersion=2024 v1.3;HashStatus=1;"
		"ExportDate=2024-10-01 08:00:00;ExportStartDate=2023-10-01;ExportEndDate=2024-09-30;"
		"SourceName=Test CoC;ExportPeriodType=3;ExportDirective=2");
	row(x, "Organization.csv", "OrganizationID=O1;OrganizationName=Org One;VictimServiceProvider=0");
	row(x, "Organization.csv", "OrganizationID=O2;OrganizationName=Safe Harbor;VictimServiceProvider=1");
	row(x, "User.csv", "UserID=U1");
	row(x, "Project.csv", "ProjectID=P1;ProjectName=Night Shelter;ProjectType=1;ContinuumProject=1;"
		"HousingType=1");
	row(x, "Project.csv", "ProjectID=P2;ProjectName=Supportive Housing;ProjectType=3;"
		"ContinuumProject=1;HousingType=3");
	row(x, "Project.csv", "ProjectID=P3;ProjectName=RRH Services;ProjectType=13;RRHSubType=1;"
		"ContinuumProject=1");
	row(x, "Project.csv", "ProjectID=P4;ProjectName=RRH Housing;ProjectType=13;RRHSubType=2;"
		"ContinuumProject=1;HousingType=3");
	row(x, "Project.csv", "ProjectID=P5;ProjectName=Outreach;ProjectType=4;ContinuumProject=0");
	row(x, "Project.csv", "ProjectID=P6;OrganizationID=O2;ProjectName=Safe Services;ProjectType=6;"
		"ContinuumProject=0");
	for (int p = 1; p <= 4; p++) {
		char kv[160];
		snprintf(kv, sizeof kv, "ProjectCoCID=PC%d;ProjectID=P%d;CoCCode=XX-501;Geocode=250%03d;"
			"GeographyType=%d", p, p, p, 1 + p % 3);
		row(x, "ProjectCoC.csv", kv);
	}
	row(x, "Inventory.csv", "InventoryID=I1;ProjectID=P1;CoCCode=XX-501;UnitInventory=20;"
		"BedInventory=20;Availability=1;ESBedType=1;CHBedInventory=5;OtherBedInventory=15");
	row(x, "Inventory.csv", "InventoryID=I2;ProjectID=P2;CoCCode=XX-501;HouseholdType=3;"
		"UnitInventory=4;BedInventory=12;VetBedInventory=3;YouthBedInventory=9");
	row(x, "Inventory.csv", "InventoryID=I4;ProjectID=P4;CoCCode=XX-501;UnitInventory=6;"
		"BedInventory=6;CHVetBedInventory=1;YouthVetBedInventory=1;CHYouthBedInventory=1;"
		"CHBedInventory=1;OtherBedInventory=2");
	row(x, "Client.csv", "PersonalID=C1;FirstName=Ann;LastName=Smith;DOB=1980-01-01");
	row(x, "Enrollment.csv", "EnrollmentID=EN1;PersonalID=C1;ProjectID=P1;HouseholdID=H1;"
		"EntryDate=2024-01-15");
}

static void dx_free(struct dx *x)
{
	for (size_t i = 0; i < NF; i++)
		free(x->text[i]);
	memset(x, 0, sizeof *x);
}

/* File f's bytes (header and rows) into a malloc'd buffer. */
static char *file_bytes(const struct dx *x, size_t f, size_t *len)
{
	const struct spec_file *sf = spec_file_at(fy24, f);
	struct dx tmp;
	size_t drop = SIZE_MAX, col = 0, n = 0;
	char *b;

	memset(&tmp, 0, sizeof tmp);
	for (size_t i = 0; i < sf->ncolumns; i++) {
		if (x->drop[f] && strcmp(x->drop[f], sf->columns[i].name) == 0) {
			drop = i;
			continue;
		}
		if (n++)
			add(&tmp, 0, ",", 1);
		add(&tmp, 0, sf->columns[i].name, strlen(sf->columns[i].name));
	}
	add(&tmp, 0, "\n", 1);
	/* rows: values hold no comma, so the dropped column is the drop-th
	 * comma-separated field */
	for (size_t i = 0; i < x->len[f]; i++) {
		char c = x->text[f][i];
		if (col == drop && c != '\n') {
			if (c == ',')
				col++;
			continue;
		}
		if (c == ',' && ++col == drop && drop + 1 == sf->ncolumns)
			continue; /* the last column: drop its comma too */
		if (c == '\n')
			col = 0;
		add(&tmp, 0, &c, 1);
	}
	b = tmp.text[0];
	*len = tmp.len[0];
	if (!b) {
		b = calloc(1, 1);
		assert_non_null(b);
	}
	return b;
}

static void write_zip(const struct dx *x, const char *path)
{
	int zerr;
	zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	char *bufs[NF];
	size_t nb = 0;

	assert_non_null(za);
	for (size_t f = 0; f < NF; f++) {
		size_t len;
		zip_source_t *src;
		if (x->absent[f])
			continue;
		bufs[nb] = file_bytes(x, f, &len);
		assert_non_null(src = zip_source_buffer(za, bufs[nb], len, 0));
		assert_true(zip_file_add(za, spec_file_at(fy24, f)->name, src, 0) >= 0);
		nb++;
	}
	assert_int_equal(zip_close(za), 0);
	for (size_t i = 0; i < nb; i++)
		free(bufs[i]);
}

/* Writes x as seeds of fuzz_validate when HMX_FUZZ_CORPUS is set. */
static void seed(const struct dx *x, const char *name)
{
	const char *dir = getenv("HMX_FUZZ_CORPUS");
	char sub[1024], file[256], tmp[256], zp[512];
	struct dx s;
	size_t len;
	char *b;

	if (!dir || !*dir)
		return;
	snprintf(sub, sizeof sub, "%s/validate", dir);
	mkdir(dir, 0755);
	mkdir(sub, 0755);
	/* folder form: mode byte 1, then each present file, 0x1E between */
	memset(&s, 0, sizeof s);
	add(&s, 0, "\x01", 1);
	for (size_t f = 0; f < NF; f++) {
		if (f)
			add(&s, 0, "\x1e", 1);
		if (x->absent[f])
			continue; /* an empty part: a 0-byte file */
		b = file_bytes(x, f, &len);
		add(&s, 0, b, len);
		free(b);
	}
	snprintf(file, sizeof file, "%s.dir", name);
	tu_write(sub, file, s.text[0], s.len[0]);
	dx_free(&s);
	/* zip form: mode byte 0, then the archive */
	tu_mkdtemp(tmp, sizeof tmp);
	snprintf(zp, sizeof zp, "%s/x.zip", tmp);
	write_zip(x, zp);
	b = tu_slurp(zp, &len);
	memset(&s, 0, sizeof s);
	add(&s, 0, "\x00", 1);
	add(&s, 0, b, len);
	free(b);
	snprintf(file, sizeof file, "%s.zip", name);
	tu_write(sub, file, s.text[0], s.len[0]);
	dx_free(&s);
	tu_rmtree(tmp);
}

/* ==== running ==== */

struct frec {
	char check[8];
	char file[64];
	uint64_t line;
	char key[96];
	char column[64];
	char project[32];
};

struct got {
	struct frec *v;
	size_t n, cap;
	struct validate_result res;
	enum hmx_rc rc;
	struct hmx_err err;
};

static int collect(void *ctx, const struct validate_finding *f)
{
	struct got *g = ctx;
	struct frec *r;

	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 64;
		g->v = realloc(g->v, g->cap * sizeof *g->v);
		assert_non_null(g->v);
	}
	r = &g->v[g->n++];
	memset(r, 0, sizeof *r);
	snprintf(r->check, sizeof r->check, "%s", f->check);
	snprintf(r->file, sizeof r->file, "%s", f->file);
	r->line = f->line;
	snprintf(r->key, sizeof r->key, "%s", f->key);
	snprintf(r->column, sizeof r->column, "%s", f->column);
	snprintf(r->project, sizeof r->project, "%s", f->project);
	return 0;
}

static void got_free(struct got *g)
{
	free(g->v);
	validate_result_free(&g->res);
	memset(g, 0, sizeof *g);
}

/* Runs x as a folder (zip: as a zip) with threads workers; seeds the
 * fuzz corpus under name. */
static void run(const struct dx *x, const char *name, bool zip, unsigned threads, struct got *g)
{
	char dir[256], path[512];
	struct validate_opts o;

	seed(x, name);
	tu_mkdtemp(dir, sizeof dir);
	if (zip) {
		snprintf(path, sizeof path, "%s/export.zip", dir);
		write_zip(x, path);
	} else {
		snprintf(path, sizeof path, "%s", dir);
		for (size_t f = 0; f < NF; f++) {
			size_t len;
			char *b;
			if (x->absent[f])
				continue;
			b = file_bytes(x, f, &len);
			tu_write(dir, spec_file_at(fy24, f)->name, b, len);
			free(b);
		}
	}
	validate_opts_default(&o);
	o.threads = threads;
	memset(g, 0, sizeof *g);
	g->rc = validate_run(path, &o, collect, g, &g->res, &g->err);
	tu_rmtree(dir);
}

static size_t nof(const struct got *g, const char *check)
{
	size_t n = 0;

	for (size_t i = 0; i < g->n; i++)
		n += strcmp(g->v[i].check, check) == 0;
	return n;
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

static void dump(const struct got *g)
{
	for (size_t i = 0; i < g->n && i < 80; i++)
		fprintf(stderr, "  %s %s:%llu %s [%s] p=%s\n", g->v[i].check, g->v[i].file,
			(unsigned long long)g->v[i].line, g->v[i].key, g->v[i].column,
			g->v[i].project);
}

/* Asserts the run succeeded and every P, S, K and D check fired exactly as
 * listed ("D01", 2, ..., NULL), the others of those families not at all;
 * the result's counts agree with the findings delivered. */
static void expect(const struct got *g, ...)
{
	va_list ap;
	bool ok = true;

	if (g->rc != HMX_OK)
		fprintf(stderr, "run failed: %s\n", g->err.msg);
	assert_int_equal(g->rc, HMX_OK);
	for (size_t i = 0; i < g->res.nchecks; i++) {
		const char *id = g->res.checks[i].check->id;
		size_t want = 0;
		if (!strchr("PSKD", id[0]))
			continue;
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
	struct dx x;
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
	dx_free(&x);
}

static void test_d01_no_projectcoc(void **state)
{
	struct dx x;
	struct got g;

	(void)state;
	base(&x);
	/* line 8: a continuum project without a ProjectCoC row */
	row(&x, "Project.csv", "ProjectID=P7;ProjectName=Day Center;ProjectType=6;ContinuumProject=1");
	/* line 9: its only ProjectCoC row is deleted: absent (S17) */
	row(&x, "Project.csv", "ProjectID=P8;ProjectName=Drop In;ProjectType=6;ContinuumProject=1");
	row(&x, "ProjectCoC.csv", "ProjectCoCID=PC8;ProjectID=P8;CoCCode=XX-501;Geocode=250008;"
		"GeographyType=1;DateDeleted=2024-05-01 10:00:00");
	/* not continuum, or ContinuumProject not a code (S18): not judged */
	row(&x, "Project.csv", "ProjectID=P9;ProjectName=Legal Aid;ProjectType=6;ContinuumProject=0");
	row(&x, "Project.csv", "ProjectID=P10;ProjectName=Mystery;ProjectType=6;ContinuumProject=7");
	/* a deleted continuum project is not judged at all */
	row(&x, "Project.csv", "ProjectID=P11;ProjectName=Gone;ProjectType=6;ContinuumProject=1;"
		"DateDeleted=2024-05-01 10:00:00");
	run(&x, "d01", false, 2, &g);
	expect(&g, "D01", 2, "S17", 2, "S18", 1, NULL);
	assert_finding(nth(&g, "D01", 0), "Project.csv", 8, "ProjectID=P7", "", "P7");
	assert_finding(nth(&g, "D01", 1), "Project.csv", 9, "ProjectID=P8", "", "P8");
	check_severity(&g, "D01", SPEC_SEV_BLOCKING);
	got_free(&g);

	/* ProjectCoC.csv missing: P03 once, not D01 per project (nor D08) */
	x.absent[fidx("ProjectCoC.csv")] = true;
	run(&x, "d01-missing", false, 2, &g);
	expect(&g, "P03", 1, "S17", 1, "S18", 1, NULL);
	got_free(&g);

	/* header only: there are no ProjectCoC rows, every continuum project
	 * is D01 (P1-P4, P7, P8) and every inventory row D08 (I1, I2, I4) */
	x.absent[fidx("ProjectCoC.csv")] = false;
	x.len[fidx("ProjectCoC.csv")] = 0;
	run(&x, "d01-header-only", false, 2, &g);
	expect(&g, "D01", 6, "D08", 3, "S17", 1, "S18", 1, NULL);
	got_free(&g);
	dx_free(&x);
}

static void test_d02_geography(void **state)
{
	struct dx x;
	struct got g;

	(void)state;
	base(&x);
	/* lines 6-11 of ProjectCoC.csv */
	row(&x, "ProjectCoC.csv", "ProjectCoCID=PC21;ProjectID=P1;CoCCode=XX-502;Geocode=;"
		"GeographyType=1");
	row(&x, "ProjectCoC.csv", "ProjectCoCID=PC22;ProjectID=P1;CoCCode=XX-503;Geocode=250001;"
		"GeographyType=");
	row(&x, "ProjectCoC.csv", "ProjectCoCID=PC23;ProjectID=P2;CoCCode=XX-502;Geocode=250002;"
		"GeographyType=99");
	row(&x, "ProjectCoC.csv", "ProjectCoCID=PC24;ProjectID=P2;CoCCode=;Geocode=250002;"
		"GeographyType=2");                        /* also S13 */
	row(&x, "ProjectCoC.csv", "ProjectCoCID=PC25;ProjectID=P3;CoCCode=;Geocode=;"
		"GeographyType=");                         /* one finding, also S13 */
	row(&x, "ProjectCoC.csv", "ProjectCoCID=PC26;ProjectID=P3;CoCCode=XX-502;Geocode=250003;"
		"GeographyType=7");                        /* S18, not judged again */
	/* a deleted row missing everything: S17 only */
	row(&x, "ProjectCoC.csv", "ProjectCoCID=PC27;ProjectID=P4;CoCCode=XX-502;Geocode=;"
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
	dx_free(&x);
}

static void test_d03_housing_type(void **state)
{
	struct dx x;
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
		row(&x, "Project.csv", proj[i]);
	for (int p = 7; p <= 11; p++) {
		char kv[200];
		snprintf(kv, sizeof kv, "ProjectCoCID=PC%d;ProjectID=P%d;CoCCode=XX-501;Geocode=250001;"
			"GeographyType=1", p, p);
		row(&x, "ProjectCoC.csv", kv);
		snprintf(kv, sizeof kv, "InventoryID=I%d;ProjectID=P%d;CoCCode=XX-501;UnitInventory=2;"
			"BedInventory=2;OtherBedInventory=2", p, p);
		row(&x, "Inventory.csv", kv);
	}
	/* a deleted residential project without HousingType: not judged */
	row(&x, "Project.csv", "ProjectID=P12;ProjectName=Old TH;ProjectType=2;ContinuumProject=0;"
		"DateDeleted=2024-05-01 10:00:00");
	run(&x, "d03", false, 2, &g);
	expect(&g, "D03", 3, "S18", 1, "K01", 1, "S17", 1, NULL);
	assert_finding(nth(&g, "D03", 0), "Project.csv", 8, "ProjectID=P7", "HousingType", "P7");
	assert_finding(nth(&g, "D03", 1), "Project.csv", 9, "ProjectID=P8", "HousingType", "P8");
	assert_finding(nth(&g, "D03", 2), "Project.csv", 12, "ProjectID=P11", "HousingType", "P11");
	check_severity(&g, "D03", SPEC_SEV_BLOCKING);
	got_free(&g);

	/* the HousingType column missing from the header (S05): not judged */
	x.drop[fidx("Project.csv")] = "HousingType";
	run(&x, "d03-no-column", false, 2, &g);
	expect(&g, "S05", 1, "K01", 1, "S17", 1, NULL);
	got_free(&g);
	dx_free(&x);
}

static void test_d04_rrh_subtype(void **state)
{
	struct dx x;
	struct got g;

	(void)state;
	base(&x);
	/* RRH without a subtype: not residential, so no D03/D05 either */
	row(&x, "Project.csv", "ProjectID=P7;ProjectName=RRH;ProjectType=13;ContinuumProject=0");
	/* a subtype outside its list is S18's */
	row(&x, "Project.csv", "ProjectID=P8;ProjectName=RRH Odd;ProjectType=13;RRHSubType=3;"
		"ContinuumProject=0");
	/* RRHSubType is for type 13 only */
	row(&x, "Project.csv", "ProjectID=P9;ProjectName=Services;ProjectType=6;ContinuumProject=0");
	row(&x, "Project.csv", "ProjectID=P10;ProjectName=RRH Two;ProjectType=13;ContinuumProject=0");
	run(&x, "d04", false, 2, &g);
	expect(&g, "D04", 2, "S18", 1, NULL);
	assert_finding(nth(&g, "D04", 0), "Project.csv", 8, "ProjectID=P7", "RRHSubType", "P7");
	assert_finding(nth(&g, "D04", 1), "Project.csv", 11, "ProjectID=P10", "RRHSubType", "P10");
	check_severity(&g, "D04", SPEC_SEV_ERROR);
	got_free(&g);

	/* the RRHSubType column missing from the header (S05): not judged per
	 * project (and P4 is no longer known as residential: no D03/D05) */
	x.drop[fidx("Project.csv")] = "RRHSubType";
	run(&x, "d04-no-column", false, 2, &g);
	expect(&g, "S05", 1, NULL);
	got_free(&g);
	dx_free(&x);
}

static void test_d05_no_inventory(void **state)
{
	struct dx x;
	struct got g;

	(void)state;
	base(&x);
	row(&x, "Project.csv", "ProjectID=P7;ProjectName=TH;ProjectType=2;ContinuumProject=0;"
		"HousingType=1");
	row(&x, "Project.csv", "ProjectID=P8;ProjectName=Safe Haven;ProjectType=8;ContinuumProject=0;"
		"HousingType=1");
	row(&x, "Inventory.csv", "InventoryID=I8;ProjectID=P8;CoCCode=XX-501;UnitInventory=2;"
		"BedInventory=2;OtherBedInventory=2;DateDeleted=2024-05-01 10:00:00");
	row(&x, "Project.csv", "ProjectID=P9;ProjectName=RRH;ProjectType=13;RRHSubType=2;"
		"ContinuumProject=0;HousingType=3");
	row(&x, "Project.csv", "ProjectID=P10;ProjectName=PH;ProjectType=9;ContinuumProject=0;"
		"HousingType=1");
	row(&x, "Project.csv", "ProjectID=P11;ProjectName=OPH;ProjectType=10;ContinuumProject=0;"
		"HousingType=1");
	row(&x, "Project.csv", "ProjectID=P12;ProjectName=ES Entry Exit;ProjectType=0;"
		"ContinuumProject=0;HousingType=1");
	/* not residential: HP (12), services (6), CE (14), RRH SSO */
	row(&x, "Project.csv", "ProjectID=P13;ProjectName=HP;ProjectType=12;ContinuumProject=0");
	row(&x, "Project.csv", "ProjectID=P14;ProjectName=CE;ProjectType=14;ContinuumProject=0");
	row(&x, "Project.csv", "ProjectID=P15;ProjectName=SSO;ProjectType=13;RRHSubType=1;"
		"ContinuumProject=0");
	run(&x, "d05", false, 2, &g);
	expect(&g, "D05", 6, "S17", 1, NULL);
	assert_finding(nth(&g, "D05", 0), "Project.csv", 8, "ProjectID=P7", "", "P7");
	assert_finding(nth(&g, "D05", 1), "Project.csv", 9, "ProjectID=P8", "", "P8");
	assert_finding(nth(&g, "D05", 5), "Project.csv", 13, "ProjectID=P12", "", "P12");
	check_severity(&g, "D05", SPEC_SEV_ERROR);
	got_free(&g);

	/* Inventory.csv missing: P03 once, no D05 */
	x.absent[fidx("Inventory.csv")] = true;
	run(&x, "d05-missing", true, 2, &g);
	expect(&g, "P03", 1, "S17", 0, NULL);
	got_free(&g);
	dx_free(&x);
}

static void test_d06_population_sum(void **state)
{
	struct dx x;
	struct got g;

	(void)state;
	base(&x);
	/* Inventory.csv lines 5-11 */
	row(&x, "Inventory.csv", "InventoryID=I5;ProjectID=P1;CoCCode=XX-501;UnitInventory=10;"
		"BedInventory=10;CHBedInventory=2;OtherBedInventory=7");      /* 9 != 10 */
	row(&x, "Inventory.csv", "InventoryID=I6;ProjectID=P1;CoCCode=XX-501;UnitInventory=10;"
		"BedInventory=10");                                          /* 0 != 10 */
	row(&x, "Inventory.csv", "InventoryID=I7;ProjectID=P1;CoCCode=XX-501;UnitInventory=10;"
		"BedInventory=10;VetBedInventory=x;OtherBedInventory=2");    /* S10 */
	row(&x, "Inventory.csv", "InventoryID=I8;ProjectID=P1;CoCCode=XX-501;UnitInventory=10;"
		"BedInventory=ten;OtherBedInventory=2");                     /* S10 */
	row(&x, "Inventory.csv", "InventoryID=I9;ProjectID=P2;CoCCode=XX-501;UnitInventory=1;"
		"BedInventory=7;CHVetBedInventory=1;YouthVetBedInventory=1;VetBedInventory=1;"
		"CHYouthBedInventory=1;YouthBedInventory=1;CHBedInventory=1;OtherBedInventory=1");
	row(&x, "Inventory.csv", "InventoryID=I10;ProjectID=P2;CoCCode=XX-501;UnitInventory=0;"
		"BedInventory=0");                                           /* 0 == 0 */
	row(&x, "Inventory.csv", "InventoryID=I11;ProjectID=P2;CoCCode=XX-501;UnitInventory=3;"
		"BedInventory=3;YouthBedInventory=4;DateDeleted=2024-05-01 10:00:00");
	run(&x, "d06", false, 2, &g);
	expect(&g, "D06", 2, "S10", 2, "S17", 1, NULL);
	assert_finding(nth(&g, "D06", 0), "Inventory.csv", 5, "InventoryID=I5", "BedInventory", "P1");
	assert_finding(nth(&g, "D06", 1), "Inventory.csv", 6, "InventoryID=I6", "BedInventory", "P1");
	check_severity(&g, "D06", SPEC_SEV_ERROR);
	got_free(&g);
	dx_free(&x);
}

static void test_d07_units_over_beds(void **state)
{
	struct dx x;
	struct got g;

	(void)state;
	base(&x);
	row(&x, "Inventory.csv", "InventoryID=I5;ProjectID=P1;CoCCode=XX-501;UnitInventory=12;"
		"BedInventory=10;OtherBedInventory=10");
	row(&x, "Inventory.csv", "InventoryID=I6;ProjectID=P1;CoCCode=XX-501;UnitInventory=10;"
		"BedInventory=10;OtherBedInventory=10");                      /* equal: fine */
	row(&x, "Inventory.csv", "InventoryID=I7;ProjectID=P1;CoCCode=XX-501;UnitInventory=;"
		"BedInventory=10;OtherBedInventory=10");                      /* S13 */
	row(&x, "Inventory.csv", "InventoryID=I8;ProjectID=P1;CoCCode=XX-501;UnitInventory=5x;"
		"BedInventory=1;OtherBedInventory=1");                        /* S10 */
	row(&x, "Inventory.csv", "InventoryID=I9;ProjectID=P2;CoCCode=XX-501;UnitInventory=9;"
		"BedInventory=8;OtherBedInventory=8;DateDeleted=2024-05-01 10:00:00");
	run(&x, "d07", false, 2, &g);
	expect(&g, "D07", 1, "S13", 1, "S10", 1, "S17", 1, NULL);
	assert_finding(nth(&g, "D07", 0), "Inventory.csv", 5, "InventoryID=I5", "UnitInventory", "P1");
	check_severity(&g, "D07", SPEC_SEV_ERROR);
	got_free(&g);
	dx_free(&x);
}

static void test_d08_inventory_coc(void **state)
{
	struct dx x;
	struct got g;

	(void)state;
	base(&x);
	/* XX-503 is P1's only through a deleted ProjectCoC row */
	row(&x, "ProjectCoC.csv", "ProjectCoCID=PC9;ProjectID=P1;CoCCode=XX-503;Geocode=250001;"
		"GeographyType=1;DateDeleted=2024-05-01 10:00:00");
	/* XX-504 is P2's, not P1's */
	row(&x, "ProjectCoC.csv", "ProjectCoCID=PC10;ProjectID=P2;CoCCode=XX-504;Geocode=250002;"
		"GeographyType=1");
	/* Inventory.csv lines 5-10 */
	row(&x, "Inventory.csv", "InventoryID=I5;ProjectID=P1;CoCCode=XX-502;UnitInventory=1;"
		"BedInventory=1;OtherBedInventory=1");
	row(&x, "Inventory.csv", "InventoryID=I6;ProjectID=P1;CoCCode=XX-503;UnitInventory=1;"
		"BedInventory=1;OtherBedInventory=1");
	row(&x, "Inventory.csv", "InventoryID=I7;ProjectID=P1;CoCCode=XX-504;UnitInventory=1;"
		"BedInventory=1;OtherBedInventory=1");
	row(&x, "Inventory.csv", "InventoryID=I8;ProjectID=P2;CoCCode=XX-504;UnitInventory=1;"
		"BedInventory=1;OtherBedInventory=1");                        /* listed */
	row(&x, "Inventory.csv", "InventoryID=I9;ProjectID=P1;CoCCode=xx-501;UnitInventory=1;"
		"BedInventory=1;OtherBedInventory=1");                        /* exact compare */
	row(&x, "Inventory.csv", "InventoryID=I10;ProjectID=P1;CoCCode=;UnitInventory=1;"
		"BedInventory=1;OtherBedInventory=1");                        /* not judged */
	run(&x, "d08", false, 4, &g);
	expect(&g, "D08", 4, "S17", 1, NULL);
	assert_finding(nth(&g, "D08", 0), "Inventory.csv", 5, "InventoryID=I5", "CoCCode", "P1");
	assert_finding(nth(&g, "D08", 1), "Inventory.csv", 6, "InventoryID=I6", "CoCCode", "P1");
	assert_finding(nth(&g, "D08", 2), "Inventory.csv", 7, "InventoryID=I7", "CoCCode", "P1");
	assert_finding(nth(&g, "D08", 3), "Inventory.csv", 9, "InventoryID=I9", "CoCCode", "P1");
	check_severity(&g, "D08", SPEC_SEV_ERROR);
	got_free(&g);
	dx_free(&x);
}

static void test_d09_vsp_enrollments(void **state)
{
	struct dx x;
	struct got g;

	(void)state;
	base(&x);
	/* O2 (line 3): two enrollments in P6 — one finding */
	row(&x, "Client.csv", "PersonalID=C2;FirstName=Bea;LastName=Jones;DOB=1985-02-02");
	row(&x, "Enrollment.csv", "EnrollmentID=EN2;PersonalID=C2;ProjectID=P6;HouseholdID=H2;"
		"EntryDate=2024-02-01");
	row(&x, "Enrollment.csv", "EnrollmentID=EN3;PersonalID=C1;ProjectID=P6;HouseholdID=H3;"
		"EntryDate=2024-03-01");
	/* O3 (line 4): a VSP whose only enrollment is deleted */
	row(&x, "Organization.csv", "OrganizationID=O3;OrganizationName=Shelter Net;"
		"VictimServiceProvider=1");
	row(&x, "Project.csv", "ProjectID=P7;OrganizationID=O3;ProjectName=DV Services;ProjectType=6;"
		"ContinuumProject=0");
	row(&x, "Enrollment.csv", "EnrollmentID=EN4;PersonalID=C1;ProjectID=P7;HouseholdID=H4;"
		"EntryDate=2024-03-01;DateDeleted=2024-05-01 10:00:00");
	/* O4 (line 5): a VSP with enrollments in two projects — one finding */
	row(&x, "Organization.csv", "OrganizationID=O4;OrganizationName=Haven;"
		"VictimServiceProvider=1");
	row(&x, "Project.csv", "ProjectID=P8;OrganizationID=O4;ProjectName=Haven A;ProjectType=6;"
		"ContinuumProject=0");
	row(&x, "Project.csv", "ProjectID=P9;OrganizationID=O4;ProjectName=Haven B;ProjectType=6;"
		"ContinuumProject=0");
	row(&x, "Enrollment.csv", "EnrollmentID=EN5;PersonalID=C2;ProjectID=P8;HouseholdID=H5;"
		"EntryDate=2024-03-01");
	row(&x, "Enrollment.csv", "EnrollmentID=EN6;PersonalID=C2;ProjectID=P9;HouseholdID=H6;"
		"EntryDate=2024-04-01");
	/* O5: VictimServiceProvider outside its list (S18) is not judged */
	row(&x, "Organization.csv", "OrganizationID=O5;OrganizationName=Unknown;"
		"VictimServiceProvider=8");
	row(&x, "Project.csv", "ProjectID=P10;OrganizationID=O5;ProjectName=U;ProjectType=6;"
		"ContinuumProject=0");
	row(&x, "Enrollment.csv", "EnrollmentID=EN7;PersonalID=C2;ProjectID=P10;HouseholdID=H7;"
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
	dx_free(&x);
}

/* Every D check at once: the same findings in the same order with 1 and 4
 * threads, on the folder and on the zip. */
static void test_all_deterministic(void **state)
{
	struct dx x;
	struct got a, b;

	(void)state;
	base(&x);
	row(&x, "Project.csv", "ProjectID=P7;ProjectName=Day Center;ProjectType=6;ContinuumProject=1");
	row(&x, "Project.csv", "ProjectID=P8;ProjectName=TH;ProjectType=2;ContinuumProject=0");
	row(&x, "Project.csv", "ProjectID=P9;ProjectName=RRH;ProjectType=13;ContinuumProject=0");
	row(&x, "ProjectCoC.csv", "ProjectCoCID=PC9;ProjectID=P2;CoCCode=XX-502;Geocode=;"
		"GeographyType=1");
	row(&x, "Inventory.csv", "InventoryID=I5;ProjectID=P1;CoCCode=XX-509;UnitInventory=12;"
		"BedInventory=10;OtherBedInventory=9");
	row(&x, "Enrollment.csv", "EnrollmentID=EN2;PersonalID=C1;ProjectID=P6;HouseholdID=H2;"
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
	dx_free(&x);
}

static int setup(void **state)
{
	struct hmx_err err;

	(void)state;
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

	return cmocka_run_group_tests(tests, setup, teardown);
}
