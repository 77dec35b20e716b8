/* tests/fxvalidate.h — HMIS CSV exports built from the spec, and the
 * findings of a validate_run gathered, for the validator's tests
 * (test_validate, test_vcheck_d). An export (struct xp) holds every file
 * of a spec with its header layout and rows; xp_row fills a row's columns
 * with defaults (the IDs of the clean fixture, first codes, plain dates)
 * unless "Col=value;..." says otherwise; xp_write_dir and xp_write_zip
 * write it. Defaults and layout edits follow the FY2024 spec in fy24,
 * which xp_spec_setup loads and xp_spec_teardown frees (the group's setup
 * and teardown). struct got gathers the findings of a run; expect_in
 * checks their counts. The tests own every struct they pass (xp_free,
 * got_free). Header-only; include after
 * testutil.h. (The intake and mapping tests' tiny exports: fxexport.h.) */
#ifndef HMX_TESTS_FXVALIDATE_H
#define HMX_TESTS_FXVALIDATE_H

#include <stdarg.h>
#include <stdbool.h>
#include <strings.h>
#include <zip.h>

#include "core/spec.h"
#include "core/validate.h"

static struct spec *fy24;

/* Group setup and teardown of the tests: fy24 loaded, and freed. */
static inline int xp_spec_setup(void **state)
{
	struct hmx_err err;

	(void)state;
	return spec_load(SPEC_FY2024, &fy24, &err) == HMX_OK ? 0 : -1;
}

static inline int xp_spec_teardown(void **state)
{
	(void)state;
	spec_free(&fy24);
	return 0;
}

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

static inline void xs_add(char **t, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (n > SIZE_MAX / 4 || *len > SIZE_MAX / 4)
		abort(); /* no fixture is that large (and gcc sees that it cannot wrap) */
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

static inline struct xfile *xf(struct xp *x, const char *name)
{
	for (size_t i = 0; i < x->n; i++)
		if (strcmp(x->f[i].name, name) == 0)
			return &x->f[i];
	assert_true(x->n < sizeof x->f / sizeof x->f[0]);
	memset(&x->f[x->n], 0, sizeof x->f[0]);
	snprintf(x->f[x->n].name, sizeof x->f[0].name, "%s", name);
	return &x->f[x->n++];
}

static inline void xf_layout_spec(struct xfile *f, const struct spec_file *sf)
{
	for (size_t i = 0; i < f->ncols; i++)
		free(f->cols[i]);
	f->ncols = 0;
	for (size_t j = 0; j < sf->ncolumns; j++)
		f->cols[f->ncols++] = strdup(sf->columns[j].name);
}

/* Header-only files for every file of the spec. */
static inline void xp_init(struct xp *x, const struct spec *sp)
{
	memset(x, 0, sizeof *x);
	for (size_t i = 0; i < spec_nfiles(sp); i++) {
		const struct spec_file *sf = spec_file_at(sp, i);
		xf_layout_spec(xf(x, sf->name), sf);
	}
}

static inline void xp_free(struct xp *x)
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
static inline void xp_layout(struct xp *x, const char *file, const char *names)
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
static inline void xp_layout_edit(struct xp *x, const char *file, const char *drop, const char *a,
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

static inline const char *default_value(const struct spec_file *sf, const char *name)
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

static inline void csv_field(char **t, size_t *len, size_t *cap, const char *v)
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
static inline void xp_row(struct xp *x, const char *file, const char *kv)
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
static inline void xp_append(struct xp *x, const char *file, const char *bytes, size_t len)
{
	struct xfile *f = xf(x, file);

	xs_add(&f->text, &f->len, &f->cap, bytes, len == (size_t)-1 ? strlen(bytes) : len);
}

/* Replaces the whole file by these bytes (header included). */
static inline void xp_raw(struct xp *x, const char *file, const void *bytes, size_t len)
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
static inline void xp_clear(struct xp *x, const char *file)
{
	struct xfile *f = xf(x, file);

	f->len = 0;
	if (f->text)
		f->text[0] = '\0';
}

static inline void xp_remove(struct xp *x, const char *file)
{
	xf(x, file)->absent = true;
}

/* Leaves column col out of file: its header and its field in every row
 * written so far (values without quotes), and in the rows to come. */
static inline void xp_drop_column(struct xp *x, const char *file, const char *col)
{
	struct xfile *f = xf(x, file);
	size_t k = 0, at = 0, field = 0, o = 0;

	while (k < f->ncols && strcmp(f->cols[k], col) != 0)
		k++;
	assert_true(k < f->ncols);
	free(f->cols[k]);
	memmove(&f->cols[k], &f->cols[k + 1], (f->ncols - k - 1) * sizeof f->cols[0]);
	f->ncols--;
	assert_true(!f->text || !strchr(f->text, '"'));
	for (at = 0; at < f->len; at++) {
		char ch = f->text[at];

		if (ch == '\n') {
			field = 0;
		} else if (ch == ',') {
			/* the comma before field k, or after it when k is the first */
			if (field++ == (k ? k - 1 : 0))
				continue;
		} else if (field == k) {
			continue;
		}
		f->text[o++] = ch;
	}
	f->len = o;
	if (f->text)
		f->text[o] = '\0';
}

/* Replaces the first `from` in the file's rows by to[0..tolen). */
static inline void xp_patch(struct xp *x, const char *file, const char *from, const char *to,
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
static inline char *xf_bytes(const struct xfile *f, size_t *len)
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

static inline void xp_write_dir(const struct xp *x, const char *dir)
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
static inline void xp_write_zip(const struct xp *x, const char *path, const char *prefix)
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

static inline int collect(void *ctx, const struct validate_finding *f)
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

static inline void on_summary(void *ctx, const struct validate_result *res)
{
	struct got *g = ctx;

	(void)res;
	g->summarized = true;
}

static inline void run_opts(const char *path, const struct validate_opts *o, struct got *g)
{
	struct validate_opts opts = *o;

	memset(g, 0, sizeof *g);
	g->summary_first = true;
	opts.on_summary = on_summary;
	g->rc = validate_run(path, &opts, collect, g, &g->res, &g->err);
}

static inline void run_path(const char *path, unsigned threads, struct got *g)
{
	struct validate_opts o;

	validate_opts_default(&o);
	o.threads = threads;
	run_opts(path, &o, g);
}

static inline void got_free(struct got *g)
{
	free(g->v);
	validate_result_free(&g->res);
	memset(g, 0, sizeof *g);
}

static inline size_t nof(const struct got *g, const char *check)
{
	size_t n = 0;

	for (size_t i = 0; i < g->n; i++)
		n += strcmp(g->v[i].check, check) == 0;
	return n;
}

static inline const struct frec *first(const struct got *g, const char *check)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->v[i].check, check) == 0)
			return &g->v[i];
	return NULL;
}

static inline void dump(const struct got *g)
{
	for (size_t i = 0; i < g->n && i < 60; i++)
		fprintf(stderr, "  %s %s %s:%llu %s [%s] (%s) p=%s\n", g->v[i].check,
			validate_severity_name(g->v[i].sev), g->v[i].file,
			(unsigned long long)g->v[i].line, g->v[i].key, g->v[i].column, g->v[i].detail,
			g->v[i].project);
}

/* Asserts the run succeeded and every check of the catalog whose first
 * letter is in families (NULL: every check) fired exactly as listed in ap
 * ("K01", 2, ..., NULL) and the rest of them not at all; the result's counts
 * agree with the findings delivered, which came after the summary. */
static inline void expect_in(const struct got *g, const char *families, va_list ap0)
{
	bool ok = true;

	if (g->rc != HMX_OK)
		fprintf(stderr, "run failed: %s\n", g->err.msg);
	assert_int_equal(g->rc, HMX_OK);
	assert_true(g->summary_first);
	for (size_t i = 0; i < g->res.nchecks; i++) {
		const char *id = g->res.checks[i].check->id;
		size_t want = 0;
		va_list ap;

		if (families && !strchr(families, id[0]))
			continue;
		va_copy(ap, ap0);
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

#endif
