/* core/spec.c — loads the HMIS CSV specification tables and the check
 * catalog from the embedded assets (see spec.h). The CSV assets are parsed
 * with libcsv; every string lives in one pool owned by the loaded object,
 * so freeing is one walk over the pool's blocks. A malformed asset is an
 * error with the asset name and line, never a silent gap. */
#include "spec.h"

#include <csv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "asset.h"

/* ---- pool: bump allocator for everything a loaded table owns ---- */

#define POOL_ALIGN 16
#define POOL_BLOCK 65536

struct pool_blk {
	struct pool_blk *next;
	size_t used, cap;
	unsigned char *data;
};

struct pool {
	struct pool_blk *head;
};

static void *pool_alloc(struct pool *p, size_t n)
{
	struct pool_blk *b = p->head;
	void *r;

	n = (n + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1);
	if (n == 0)
		n = POOL_ALIGN;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > POOL_BLOCK ? n : POOL_BLOCK;
		size_t hdr = (sizeof *b + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1);
		b = malloc(hdr + cap);
		if (!b)
			return NULL;
		b->data = (unsigned char *)b + hdr;
		b->used = 0;
		b->cap = cap;
		b->next = p->head;
		p->head = b;
	}
	r = b->data + b->used;
	b->used += n;
	memset(r, 0, n);
	return r;
}

static char *pool_strndup(struct pool *p, const char *s, size_t n)
{
	char *d = pool_alloc(p, n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static char *pool_strdup(struct pool *p, const char *s)
{
	return pool_strndup(p, s, strlen(s));
}

static void pool_free(struct pool *p)
{
	struct pool_blk *b = p->head, *n;

	while (b) {
		n = b->next;
		free(b);
		b = n;
	}
	p->head = NULL;
}

/* ---- tbl: run a callback over the rows of one CSV asset ---- */

#define TBL_MAXWANT 8

struct tbl;
typedef enum hmx_rc (*tbl_fn)(void *ctx, struct tbl *t, const char *const *v);

struct tbl {
	const char *asset;
	const char *const *want; /* NULL-terminated column names */
	size_t nwant;
	int idx[TBL_MAXWANT];
	tbl_fn fn;
	void *ctx;
	struct hmx_err *err;
	enum hmx_rc rc;
	unsigned long line;      /* record number; the header is 1 */
	char *buf;               /* fields of the current record, NUL-separated */
	size_t len, cap;
	size_t *offs;
	size_t nf, offcap;
};

static void tbl_field(void *s, size_t n, void *data)
{
	struct tbl *t = data;
	size_t *no;
	char *nb;

	if (t->rc != HMX_OK)
		return;
	if (t->nf == t->offcap) {
		t->offcap = t->offcap ? 2 * t->offcap : 16;
		no = realloc(t->offs, t->offcap * sizeof *no);
		if (!no) {
			t->rc = hmx_err_set(t->err, HMX_ENOMEM, "out of memory reading %s", t->asset);
			return;
		}
		t->offs = no;
	}
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 256;
		while (cap < t->len + n + 1)
			cap *= 2;
		nb = realloc(t->buf, cap);
		if (!nb) {
			t->rc = hmx_err_set(t->err, HMX_ENOMEM, "out of memory reading %s", t->asset);
			return;
		}
		t->buf = nb;
		t->cap = cap;
	}
	if (n)
		memcpy(t->buf + t->len, s, n);
	t->buf[t->len + n] = '\0';
	t->offs[t->nf++] = t->len;
	t->len += n + 1;
}

static void tbl_row(int c, void *data)
{
	struct tbl *t = data;
	const char *v[TBL_MAXWANT];

	(void)c;
	t->line++;
	if (t->rc != HMX_OK)
		goto out;
	if (t->line == 1) {
		for (size_t w = 0; w < t->nwant; w++) {
			t->idx[w] = -1;
			for (size_t i = 0; i < t->nf; i++)
				if (strcmp(t->buf + t->offs[i], t->want[w]) == 0)
					t->idx[w] = (int)i;
			if (t->idx[w] < 0) {
				t->rc = hmx_err_set(t->err, HMX_EINVAL, "%s: no column %s in the header",
					t->asset, t->want[w]);
				goto out;
			}
		}
		goto out;
	}
	for (size_t w = 0; w < t->nwant; w++) {
		if ((size_t)t->idx[w] >= t->nf) {
			t->rc = hmx_err_set(t->err, HMX_EINVAL, "%s line %lu: %zu fields, too few",
				t->asset, t->line, t->nf);
			goto out;
		}
		v[w] = t->buf + t->offs[t->idx[w]];
	}
	t->rc = t->fn(t->ctx, t, v);
out:
	t->nf = 0;
	t->len = 0;
}

/* Parses asset `asset` and calls fn for each data row with the values of
 * the `want` columns (NULL-terminated list) in that order. */
static enum hmx_rc tbl_run(const char *asset, const char *const *want, tbl_fn fn, void *ctx,
	struct hmx_err *err)
{
	struct tbl t;
	struct csv_parser p;
	const char *data;
	size_t len = 0;

	memset(&t, 0, sizeof t);
	data = asset_get(asset, &len);
	if (!data)
		return hmx_err_set(err, HMX_EINVAL, "asset %s is not built in", asset);
	t.asset = asset;
	t.want = want;
	while (want[t.nwant])
		t.nwant++;
	if (t.nwant > TBL_MAXWANT)
		return hmx_err_set(err, HMX_EINVAL, "%s: too many columns wanted", asset);
	t.fn = fn;
	t.ctx = ctx;
	t.err = err;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return hmx_err_set(err, HMX_ENOMEM, "cannot start the CSV parser");
	if (csv_parse(&p, data, len, tbl_field, tbl_row, &t) != len && t.rc == HMX_OK)
		t.rc = hmx_err_set(err, HMX_EINVAL, "%s near line %lu: %s", asset, t.line + 1,
			csv_strerror(csv_error(&p)));
	if (t.rc == HMX_OK && csv_fini(&p, tbl_field, tbl_row, &t) != 0 && t.rc == HMX_OK)
		t.rc = hmx_err_set(err, HMX_EINVAL, "%s: unterminated quote at the end", asset);
	csv_free(&p);
	free(t.buf);
	free(t.offs);
	if (t.rc == HMX_OK && t.line < 1)
		t.rc = hmx_err_set(err, HMX_EINVAL, "%s is empty", asset);
	return t.rc;
}

/* ---- small parsers ---- */

/* Optional sign and digits, nothing else, within 32 bits. */
static bool parse_i32(const char *s, size_t n, long *out)
{
	size_t i = 0;
	bool neg = false;
	long v = 0;

	if (n == 0)
		return false;
	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == n)
		return false;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
		if (v > 2147483648L)
			return false;
	}
	if (neg)
		v = -v;
	if (v > 2147483647L)
		return false;
	*out = v;
	return true;
}

static bool parse_size(const char *s, size_t *out)
{
	size_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return false;
		v = v * 10 + (size_t)(*s - '0');
	}
	*out = v;
	return true;
}

static const char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* ---- versions ---- */

static const char *const version_names[] = { NULL, "FY2024", "FY2026" };

const char *spec_version_name(enum spec_version v)
{
	if ((size_t)v < sizeof version_names / sizeof version_names[0])
		return version_names[v];
	return NULL;
}

enum spec_version spec_version_from_name(const char *name)
{
	for (size_t i = 1; name && i < sizeof version_names / sizeof version_names[0]; i++)
		if (strcasecmp(name, version_names[i]) == 0)
			return (enum spec_version)i;
	return SPEC_UNKNOWN;
}

struct vrow_ctx {
	const char *spec;       /* wanted spec, or NULL */
	const char *year;       /* wanted csv_version, or NULL */
	size_t year_len;
	char found_spec[16];
	char columns[128];
	char codes[128];
	bool found;
};

static enum hmx_rc vrow(void *ctx, struct tbl *t, const char *const *v)
{
	struct vrow_ctx *c = ctx;

	(void)t;
	if (c->found)
		return HMX_OK;
	if (c->spec && strcmp(v[0], c->spec) != 0)
		return HMX_OK;
	if (c->year && (strlen(v[1]) != c->year_len || memcmp(v[1], c->year, c->year_len) != 0))
		return HMX_OK;
	c->found = true;
	hmx_strlcpy(c->found_spec, v[0], sizeof c->found_spec);
	hmx_strlcpy(c->columns, v[2], sizeof c->columns);
	hmx_strlcpy(c->codes, v[3], sizeof c->codes);
	return HMX_OK;
}

static const char *const versions_want[] = { "spec", "csv_version", "columns", "codes", NULL };

enum spec_version spec_detect(const char *s, size_t len)
{
	struct vrow_ctx c;
	size_t i = 0, y;

	if (!s)
		return SPEC_UNKNOWN;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	while (len > i && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	y = i;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i - y != 4)
		return SPEC_UNKNOWN;
	if (i < len) {
		size_t d;
		if (s[i] != ' ' && s[i] != '\t')
			return SPEC_UNKNOWN;
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == len || (s[i] != 'v' && s[i] != 'V'))
			return SPEC_UNKNOWN;
		i++;
		for (;;) {
			d = i;
			while (i < len && s[i] >= '0' && s[i] <= '9')
				i++;
			if (i == d)
				return SPEC_UNKNOWN;
			if (i == len)
				break;
			if (s[i] != '.')
				return SPEC_UNKNOWN;
			i++;
		}
	}
	memset(&c, 0, sizeof c);
	c.year = s + y;
	c.year_len = 4;
	if (tbl_run("spec/versions.csv", versions_want, vrow, &c, NULL) != HMX_OK || !c.found)
		return SPEC_UNKNOWN;
	return spec_version_from_name(c.found_spec);
}

/* ---- the loaded spec ---- */

struct spec_codelist {
	const char *id;
	bool integer;
	size_t n;
	const char **codes;
	const char **labels;
	long *ints;            /* integer list: codes sorted */
	const char **sorted;   /* string list: codes sorted by strcmp */
};

struct spec {
	enum spec_version version;
	struct pool pool;
	size_t nfiles;
	struct spec_file *files;
};

/* column rows are gathered before files know their sizes */
struct colrow {
	struct spec_file *file;
	size_t order;
	const char *name, *type, *maxlen, *nullable, *notes;
	const char *fkref;      /* "File.Column" of an FK note, or NULL */
	unsigned long line;
};

struct tmpcode {
	const char *code, *label;
};

struct tmplist {
	const char *id;
	struct tmpcode *codes;
	size_t n, cap;
};

struct tmpcol {
	struct tmplist *lists;
	size_t n, cap;
};

struct load {
	struct spec *s;
	const char *name;       /* "FY2024" */
	struct hmx_err *err;
	struct colrow *cols;
	size_t ncols, capcols;
	struct tmpcol *tcols;   /* per column, by global column number */
	size_t *colbase;        /* global number of file i's first column */
	size_t totalcols;
	/* file rows */
	struct spec_file *files;
	size_t nfiles, capfiles;
};

static void *grow(void *p, size_t *cap, size_t size)
{
	size_t n = *cap ? 2 * *cap : 16;
	void *q = realloc(p, n * size);
	if (q)
		*cap = n;
	return q;
}

static enum hmx_rc file_row(void *ctx, struct tbl *t, const char *const *v)
{
	struct load *l = ctx;
	struct spec_file *f;
	size_t order;

	if (strcmp(v[0], l->name) != 0)
		return HMX_OK;
	if (!parse_size(v[2], &order) || order == 0)
		return hmx_err_set(l->err, HMX_EINVAL, "%s line %lu: bad order", t->asset, t->line);
	if (strcmp(v[3], "Y") != 0 && strcmp(v[3], "N") != 0)
		return hmx_err_set(l->err, HMX_EINVAL, "%s line %lu: required must be Y or N",
			t->asset, t->line);
	if (l->nfiles == l->capfiles) {
		void *n = grow(l->files, &l->capfiles, sizeof *l->files);
		if (!n)
			return hmx_err_set(l->err, HMX_ENOMEM, "out of memory");
		l->files = n;
	}
	f = &l->files[l->nfiles++];
	memset(f, 0, sizeof *f);
	f->name = pool_strdup(&l->s->pool, v[1]);
	if (!f->name)
		return hmx_err_set(l->err, HMX_ENOMEM, "out of memory");
	f->order = order - 1;
	f->required = v[3][0] == 'Y';
	return HMX_OK;
}

static struct spec_file *load_file(struct load *l, const char *name)
{
	for (size_t i = 0; i < l->s->nfiles; i++)
		if (strcmp(l->s->files[i].name, name) == 0)
			return &l->s->files[i];
	return NULL;
}

static enum hmx_rc col_row(void *ctx, struct tbl *t, const char *const *v)
{
	struct load *l = ctx;
	struct colrow *c;
	struct spec_file *f = load_file(l, v[0]);

	if (!f)
		return hmx_err_set(l->err, HMX_EINVAL, "%s line %lu: file %s is not in files.csv",
			t->asset, t->line, v[0]);
	if (l->ncols == l->capcols) {
		void *n = grow(l->cols, &l->capcols, sizeof *l->cols);
		if (!n)
			return hmx_err_set(l->err, HMX_ENOMEM, "out of memory");
		l->cols = n;
	}
	c = &l->cols[l->ncols++];
	memset(c, 0, sizeof *c);
	c->file = f;
	c->line = t->line;
	if (!parse_size(v[1], &c->order) || c->order == 0)
		return hmx_err_set(l->err, HMX_EINVAL, "%s line %lu: bad column_order", t->asset,
			t->line);
	c->name = pool_strdup(&l->s->pool, v[2]);
	c->type = pool_strdup(&l->s->pool, v[3]);
	c->maxlen = pool_strdup(&l->s->pool, v[4]);
	c->nullable = pool_strdup(&l->s->pool, v[5]);
	c->notes = pool_strdup(&l->s->pool, v[6]);
	if (!c->name || !c->type || !c->maxlen || !c->nullable || !c->notes)
		return hmx_err_set(l->err, HMX_ENOMEM, "out of memory");
	f->ncolumns++;
	return HMX_OK;
}

static bool parse_type(const char *s, enum spec_type *t)
{
	static const struct { const char *name; enum spec_type t; } types[] = {
		{ "string", SPEC_STRING }, { "integer", SPEC_INTEGER }, { "date", SPEC_DATE },
		{ "datetime", SPEC_DATETIME }, { "money", SPEC_MONEY },
	};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		if (strcmp(s, types[i].name) == 0) {
			*t = types[i].t;
			return true;
		}
	}
	return false;
}

const char *spec_type_name(enum spec_type t)
{
	switch (t) {
	case SPEC_STRING: return "string";
	case SPEC_INTEGER: return "integer";
	case SPEC_DATE: return "date";
	case SPEC_DATETIME: return "datetime";
	case SPEC_MONEY: return "money";
	}
	return "?";
}

/* Reads "PK (unique); FK->Project.ProjectID; Eva HP column; ..." into c. */
static enum hmx_rc parse_notes(struct load *l, struct spec_column *c, struct spec_file *f,
	const char *notes, unsigned long line, const char **fkref)
{
	char buf[512];
	char *save = NULL, *tok;

	hmx_strlcpy(buf, notes, sizeof buf);
	for (tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		const char *n = trim(tok);
		if (strcmp(n, "PK (unique)") == 0) {
			c->pk = true;
		} else if (strcmp(n, "Eva HP column") == 0) {
			c->eva_hp = true;
		} else if (strcmp(n, "group key") == 0) {
			c->group_key = true;
		} else if (strcmp(n, "file skipped by Eva checks") == 0) {
			f->eva_skipped = true;
		} else if (strncmp(n, "FK->", 4) == 0) {
			/* resolved once every file is loaded: keep "File.Column" */
			const char *dot = strchr(n + 4, '.');
			if (!dot || dot == n + 4 || !dot[1])
				return hmx_err_set(l->err, HMX_EINVAL, "columns of %s line %lu: bad FK note",
					l->name, line);
			*fkref = pool_strdup(&l->s->pool, n + 4);
			if (!*fkref)
				return hmx_err_set(l->err, HMX_ENOMEM, "out of memory");
		}
	}
	return HMX_OK;
}

static enum hmx_rc build_columns(struct load *l)
{
	struct spec *s = l->s;
	size_t total = 0;

	for (size_t i = 0; i < s->nfiles; i++) {
		struct spec_file *f = &s->files[i];
		if (f->ncolumns == 0)
			return hmx_err_set(l->err, HMX_EINVAL, "%s: %s has no columns", l->name, f->name);
		f->columns = pool_alloc(&s->pool, f->ncolumns * sizeof *f->columns);
		if (!f->columns)
			return hmx_err_set(l->err, HMX_ENOMEM, "out of memory");
		total += f->ncolumns;
	}
	for (size_t k = 0; k < l->ncols; k++) {
		struct colrow *r = &l->cols[k];
		struct spec_file *f = r->file;
		struct spec_column *c;
		enum hmx_rc rc;

		if (r->order > f->ncolumns)
			return hmx_err_set(l->err, HMX_EINVAL, "columns of %s line %lu: order %zu "
				"beyond %zu columns", l->name, r->line, r->order, f->ncolumns);
		c = (struct spec_column *)&f->columns[r->order - 1];
		if (c->name)
			return hmx_err_set(l->err, HMX_EINVAL, "columns of %s line %lu: order %zu "
				"used twice in %s", l->name, r->line, r->order, f->name);
		c->file = f;
		c->name = r->name;
		c->index = r->order - 1;
		c->notes = r->notes;
		if (!parse_type(r->type, &c->type))
			return hmx_err_set(l->err, HMX_EINVAL, "columns of %s line %lu: unknown type %s",
				l->name, r->line, r->type);
		if (r->maxlen[0] && (!parse_size(r->maxlen, &c->max_len) || c->max_len == 0))
			return hmx_err_set(l->err, HMX_EINVAL, "columns of %s line %lu: bad max_length",
				l->name, r->line);
		if (strcmp(r->nullable, "Y") != 0 && strcmp(r->nullable, "N") != 0)
			return hmx_err_set(l->err, HMX_EINVAL, "columns of %s line %lu: nullable must be "
				"Y or N", l->name, r->line);
		c->nullable = r->nullable[0] == 'Y';
		rc = parse_notes(l, c, f, r->notes, r->line, &r->fkref);
		if (rc != HMX_OK)
			return rc;
		if (c->pk) {
			if (f->pk)
				return hmx_err_set(l->err, HMX_EINVAL, "%s: %s has two primary keys",
					l->name, f->name);
			f->pk = c;
		}
	}
	/* resolve FK->File.Column now that every file has its columns */
	for (size_t k = 0; k < l->ncols; k++) {
		struct colrow *r = &l->cols[k];
		struct spec_column *c = (struct spec_column *)&r->file->columns[r->order - 1];
		const char *dot;
		char fname[128];
		const struct spec_file *tf;

		if (!r->fkref)
			continue;
		dot = strchr(r->fkref, '.');
		if ((size_t)(dot - r->fkref) + 5 > sizeof fname)
			return hmx_err_set(l->err, HMX_EINVAL, "%s: FK of %s.%s too long", l->name,
				r->file->name, c->name);
		memcpy(fname, r->fkref, (size_t)(dot - r->fkref));
		memcpy(fname + (dot - r->fkref), ".csv", 5);
		tf = load_file(l, fname);
		c->fk_file = tf;
		c->fk_column = tf ? spec_column_find(tf, dot + 1, strlen(dot + 1), NULL) : NULL;
		if (!tf || !c->fk_column)
			return hmx_err_set(l->err, HMX_EINVAL, "%s: FK of %s.%s names unknown %s",
				l->name, r->file->name, c->name, r->fkref);
	}
	l->totalcols = total;
	l->colbase = calloc(s->nfiles, sizeof *l->colbase);
	l->tcols = calloc(total ? total : 1, sizeof *l->tcols);
	if (!l->colbase || !l->tcols)
		return hmx_err_set(l->err, HMX_ENOMEM, "out of memory");
	total = 0;
	for (size_t i = 0; i < s->nfiles; i++) {
		l->colbase[i] = total;
		total += s->files[i].ncolumns;
	}
	return HMX_OK;
}

static struct spec_column *load_column(struct load *l, const char *file, const char *col,
	size_t *gnum)
{
	struct spec_file *f = load_file(l, file);

	if (!f)
		return NULL;
	for (size_t j = 0; j < f->ncolumns; j++) {
		if (strcmp(f->columns[j].name, col) == 0) {
			if (gnum)
				*gnum = l->colbase[f - l->s->files] + j;
			return (struct spec_column *)&f->columns[j];
		}
	}
	return NULL;
}

static enum hmx_rc code_row(void *ctx, struct tbl *t, const char *const *v)
{
	struct load *l = ctx;
	struct spec_column *c;
	struct tmpcol *tc;
	struct tmplist *tl = NULL;
	size_t g = 0;
	long dummy;

	c = load_column(l, v[0], v[1], &g);
	if (!c)
		return hmx_err_set(l->err, HMX_EINVAL, "%s line %lu: %s.%s is not a spec column",
			t->asset, t->line, v[0], v[1]);
	if (!v[2][0] || !v[3][0])
		return hmx_err_set(l->err, HMX_EINVAL, "%s line %lu: empty list or code", t->asset,
			t->line);
	if (c->type == SPEC_INTEGER && !parse_i32(v[3], strlen(v[3]), &dummy))
		return hmx_err_set(l->err, HMX_EINVAL, "%s line %lu: code %s of integer column %s "
			"is not an integer", t->asset, t->line, v[3], v[1]);
	tc = &l->tcols[g];
	for (size_t i = 0; i < tc->n; i++)
		if (strcmp(tc->lists[i].id, v[2]) == 0)
			tl = &tc->lists[i];
	if (!tl) {
		if (tc->n == tc->cap) {
			void *n = grow(tc->lists, &tc->cap, sizeof *tc->lists);
			if (!n)
				return hmx_err_set(l->err, HMX_ENOMEM, "out of memory");
			tc->lists = n;
		}
		tl = &tc->lists[tc->n++];
		memset(tl, 0, sizeof *tl);
		tl->id = pool_strdup(&l->s->pool, v[2]);
		if (!tl->id)
			return hmx_err_set(l->err, HMX_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < tl->n; i++)
		if (strcmp(tl->codes[i].code, v[3]) == 0)
			return hmx_err_set(l->err, HMX_EINVAL, "%s line %lu: code %s twice in list %s "
				"of %s", t->asset, t->line, v[3], v[2], v[1]);
	if (tl->n == tl->cap) {
		void *n = grow(tl->codes, &tl->cap, sizeof *tl->codes);
		if (!n)
			return hmx_err_set(l->err, HMX_ENOMEM, "out of memory");
		tl->codes = n;
	}
	tl->codes[tl->n].code = pool_strdup(&l->s->pool, v[3]);
	tl->codes[tl->n].label = pool_strdup(&l->s->pool, v[4]);
	if (!tl->codes[tl->n].code || !tl->codes[tl->n].label)
		return hmx_err_set(l->err, HMX_ENOMEM, "out of memory");
	tl->n++;
	return HMX_OK;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Turns the gathered lists into pool arrays hung on their columns. */
static enum hmx_rc build_lists(struct load *l)
{
	struct spec *s = l->s;

	for (size_t i = 0; i < s->nfiles; i++) {
		struct spec_file *f = &s->files[i];
		for (size_t j = 0; j < f->ncolumns; j++) {
			struct tmpcol *tc = &l->tcols[l->colbase[i] + j];
			struct spec_column *c = (struct spec_column *)&f->columns[j];
			const struct spec_codelist **arr;

			if (tc->n == 0)
				continue;
			arr = pool_alloc(&s->pool, tc->n * sizeof *arr);
			if (!arr)
				return hmx_err_set(l->err, HMX_ENOMEM, "out of memory");
			for (size_t k = 0; k < tc->n; k++) {
				struct tmplist *tl = &tc->lists[k];
				struct spec_codelist *cl = pool_alloc(&s->pool, sizeof *cl);
				if (!cl)
					return hmx_err_set(l->err, HMX_ENOMEM, "out of memory");
				cl->id = tl->id;
				cl->n = tl->n;
				cl->integer = c->type == SPEC_INTEGER;
				cl->codes = pool_alloc(&s->pool, tl->n * sizeof *cl->codes);
				cl->labels = pool_alloc(&s->pool, tl->n * sizeof *cl->labels);
				if (!cl->codes || !cl->labels)
					return hmx_err_set(l->err, HMX_ENOMEM, "out of memory");
				for (size_t m = 0; m < tl->n; m++) {
					cl->codes[m] = tl->codes[m].code;
					cl->labels[m] = tl->codes[m].label;
				}
				if (cl->integer) {
					cl->ints = pool_alloc(&s->pool, tl->n * sizeof *cl->ints);
					if (!cl->ints)
						return hmx_err_set(l->err, HMX_ENOMEM, "out of memory");
					for (size_t m = 0; m < tl->n; m++)
						parse_i32(cl->codes[m], strlen(cl->codes[m]), &cl->ints[m]);
					qsort(cl->ints, cl->n, sizeof *cl->ints, cmp_long);
					for (size_t m = 1; m < cl->n; m++)
						if (cl->ints[m] == cl->ints[m - 1])
							return hmx_err_set(l->err, HMX_EINVAL, "%s: list %s of %s has "
								"code %ld twice", l->name, cl->id, c->name, cl->ints[m]);
				} else {
					cl->sorted = pool_alloc(&s->pool, tl->n * sizeof *cl->sorted);
					if (!cl->sorted)
						return hmx_err_set(l->err, HMX_ENOMEM, "out of memory");
					memcpy(cl->sorted, cl->codes, tl->n * sizeof *cl->sorted);
					qsort(cl->sorted, cl->n, sizeof *cl->sorted, cmp_str);
				}
				arr[k] = cl;
			}
			c->lists = arr;
			c->nlists = tc->n;
		}
	}
	return HMX_OK;
}

/* Rules gathered per column before they are laid out in the pool. */
struct rule_ctx {
	struct load *l;
	struct spec_rule *rules; /* staging, one per row */
	struct spec_column **owner;
	size_t n, cap;
};

static enum hmx_rc parse_when(struct load *l, struct spec_column *c, struct spec_rule *r,
	const char *when, const char *asset, unsigned long line)
{
	char buf[256];
	char *save = NULL, *tok;
	size_t n = 1;
	struct spec_cond *conds;

	if (strlen(when) >= sizeof buf || !when[0])
		return hmx_err_set(l->err, HMX_EINVAL, "%s line %lu: bad when", asset, line);
	for (const char *p = when; *p; p++)
		n += *p == '&';
	conds = pool_alloc(&l->s->pool, n * sizeof *conds);
	if (!conds)
		return hmx_err_set(l->err, HMX_ENOMEM, "out of memory");
	r->conds = conds;
	r->nconds = 0;
	hmx_strlcpy(buf, when, sizeof buf);
	for (tok = strtok_r(buf, "&", &save); tok; tok = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(tok, '='), *vs, *vsave = NULL;
		struct spec_cond *cd = &conds[r->nconds];
		long *vals;
		size_t nv = 1;

		if (!eq)
			return hmx_err_set(l->err, HMX_EINVAL, "%s line %lu: condition without =",
				asset, line);
		*eq = '\0';
		cd->column = spec_column_find(c->file, trim(tok), strlen(trim(tok)), NULL);
		if (!cd->column || cd->column->type != SPEC_INTEGER)
			return hmx_err_set(l->err, HMX_EINVAL, "%s line %lu: selector %s is not an "
				"integer column of %s", asset, line, tok, c->file->name);
		for (const char *p = eq + 1; *p; p++)
			nv += *p == '|';
		vals = pool_alloc(&l->s->pool, nv * sizeof *vals);
		if (!vals)
			return hmx_err_set(l->err, HMX_ENOMEM, "out of memory");
		cd->values = vals;
		for (vs = strtok_r(eq + 1, "|", &vsave); vs; vs = strtok_r(NULL, "|", &vsave)) {
			const char *tv = trim(vs);
			if (!parse_i32(tv, strlen(tv), &vals[cd->nvalues]))
				return hmx_err_set(l->err, HMX_EINVAL, "%s line %lu: value %s is not an "
					"integer", asset, line, tv);
			cd->nvalues++;
		}
		if (cd->nvalues == 0)
			return hmx_err_set(l->err, HMX_EINVAL, "%s line %lu: no value", asset, line);
		r->nconds++;
	}
	return HMX_OK;
}

static enum hmx_rc select_row(void *ctx, struct tbl *t, const char *const *v)
{
	struct rule_ctx *rc = ctx;
	struct load *l = rc->l;
	struct spec_column *c;
	struct spec_rule *r;

	if (strcmp(v[0], l->name) != 0)
		return HMX_OK;
	c = load_column(l, v[1], v[2], NULL);
	if (!c)
		return hmx_err_set(l->err, HMX_EINVAL, "%s line %lu: %s.%s is not a spec column",
			t->asset, t->line, v[1], v[2]);
	if (rc->n == rc->cap) {
		size_t cap = rc->cap;
		void *a = grow(rc->rules, &cap, sizeof *rc->rules);
		void *b;
		if (!a)
			return hmx_err_set(l->err, HMX_ENOMEM, "out of memory");
		rc->rules = a;
		b = realloc(rc->owner, cap * sizeof *rc->owner);
		if (!b)
			return hmx_err_set(l->err, HMX_ENOMEM, "out of memory");
		rc->owner = b;
		rc->cap = cap;
	}
	r = &rc->rules[rc->n];
	memset(r, 0, sizeof *r);
	for (size_t i = 0; i < c->nlists; i++)
		if (strcmp(spec_list_id(c->lists[i]), v[3]) == 0)
			r->list = c->lists[i];
	if (!r->list)
		return hmx_err_set(l->err, HMX_EINVAL, "%s line %lu: %s has no list %s", t->asset,
			t->line, v[2], v[3]);
	rc->owner[rc->n++] = c;
	return parse_when(l, c, r, v[4], t->asset, t->line);
}

static enum hmx_rc build_rules(struct load *l)
{
	static const char *const want[] = { "spec", "file", "column", "list", "when", NULL };
	struct rule_ctx rc;
	enum hmx_rc e;

	memset(&rc, 0, sizeof rc);
	rc.l = l;
	e = tbl_run("spec/code_select.csv", want, select_row, &rc, l->err);
	for (size_t i = 0; e == HMX_OK && i < rc.n; i++) {
		struct spec_column *c = rc.owner[i];
		struct spec_rule *arr;
		size_t k = 0;

		if (c->rules)
			continue;
		for (size_t j = i; j < rc.n; j++)
			k += rc.owner[j] == c;
		arr = pool_alloc(&l->s->pool, k * sizeof *arr);
		if (!arr) {
			e = hmx_err_set(l->err, HMX_ENOMEM, "out of memory");
			break;
		}
		k = 0;
		for (size_t j = i; j < rc.n; j++)
			if (rc.owner[j] == c)
				arr[k++] = rc.rules[j];
		c->rules = arr;
		c->nrules = k;
	}
	free(rc.rules);
	free(rc.owner);
	return e;
}

static int cmp_file_order(const void *a, const void *b)
{
	const struct spec_file *x = a, *y = b;
	return (x->order > y->order) - (x->order < y->order);
}

static void load_cleanup(struct load *l)
{
	if (l->tcols) {
		for (size_t i = 0; i < l->totalcols; i++) {
			for (size_t k = 0; k < l->tcols[i].n; k++)
				free(l->tcols[i].lists[k].codes);
			free(l->tcols[i].lists);
		}
	}
	free(l->tcols);
	free(l->colbase);
	free(l->cols);
	free(l->files);
}

enum hmx_rc spec_load(enum spec_version v, struct spec **out, struct hmx_err *err)
{
	static const char *const files_want[] = { "spec", "file", "order", "required", NULL };
	static const char *const cols_want[] = { "file", "column_order", "column", "data_type",
		"max_length", "nullable", "notes", NULL };
	static const char *const codes_want[] = { "file", "column", "list", "code", "label",
		NULL };
	struct load l;
	struct vrow_ctx vc;
	enum hmx_rc rc;
	struct spec *s;

	*out = NULL;
	if (!spec_version_name(v))
		return hmx_err_set(err, HMX_EINVAL, "unknown HMIS CSV version");
	memset(&l, 0, sizeof l);
	memset(&vc, 0, sizeof vc);
	vc.spec = spec_version_name(v);
	rc = tbl_run("spec/versions.csv", versions_want, vrow, &vc, err);
	if (rc != HMX_OK)
		return rc;
	if (!vc.found)
		return hmx_err_set(err, HMX_EINVAL, "spec/versions.csv has no row for %s", vc.spec);
	s = calloc(1, sizeof *s);
	if (!s)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	s->version = v;
	l.s = s;
	l.name = vc.spec;
	l.err = err;

	rc = tbl_run("spec/files.csv", files_want, file_row, &l, err);
	if (rc == HMX_OK && l.nfiles == 0)
		rc = hmx_err_set(err, HMX_EINVAL, "spec/files.csv has no file for %s", l.name);
	if (rc == HMX_OK) {
		qsort(l.files, l.nfiles, sizeof *l.files, cmp_file_order);
		for (size_t i = 0; i < l.nfiles && rc == HMX_OK; i++)
			if (l.files[i].order != i)
				rc = hmx_err_set(err, HMX_EINVAL, "spec/files.csv: orders of %s are not "
					"1..%zu", l.name, l.nfiles);
	}
	if (rc == HMX_OK) {
		s->files = pool_alloc(&s->pool, l.nfiles * sizeof *s->files);
		if (!s->files) {
			rc = hmx_err_set(err, HMX_ENOMEM, "out of memory");
		} else {
			memcpy(s->files, l.files, l.nfiles * sizeof *s->files);
			s->nfiles = l.nfiles;
		}
	}
	if (rc == HMX_OK)
		rc = tbl_run(vc.columns, cols_want, col_row, &l, err);
	if (rc == HMX_OK)
		rc = build_columns(&l);
	if (rc == HMX_OK)
		rc = tbl_run(vc.codes, codes_want, code_row, &l, err);
	if (rc == HMX_OK)
		rc = build_lists(&l);
	if (rc == HMX_OK)
		rc = build_rules(&l);
	load_cleanup(&l);
	if (rc != HMX_OK) {
		spec_free(&s);
		return rc;
	}
	*out = s;
	return HMX_OK;
}

void spec_free(struct spec **s)
{
	if (!s || !*s)
		return;
	pool_free(&(*s)->pool);
	free(*s);
	*s = NULL;
}

enum spec_version spec_get_version(const struct spec *s)
{
	return s->version;
}

size_t spec_nfiles(const struct spec *s)
{
	return s->nfiles;
}

const struct spec_file *spec_file_at(const struct spec *s, size_t i)
{
	return i < s->nfiles ? &s->files[i] : NULL;
}

const struct spec_file *spec_file_find(const struct spec *s, const char *name)
{
	for (size_t i = 0; name && i < s->nfiles; i++)
		if (strcasecmp(s->files[i].name, name) == 0)
			return &s->files[i];
	return NULL;
}

const struct spec_column *spec_column_find(const struct spec_file *f, const char *name,
	size_t len, bool *exact)
{
	const struct spec_column *ci = NULL;

	for (size_t i = 0; i < f->ncolumns; i++) {
		const char *cn = f->columns[i].name;
		if (strlen(cn) != len)
			continue;
		if (memcmp(cn, name, len) == 0) {
			if (exact)
				*exact = true;
			return &f->columns[i];
		}
		if (!ci && strncasecmp(cn, name, len) == 0)
			ci = &f->columns[i];
	}
	if (exact)
		*exact = false;
	return ci;
}

/* ---- code lists ---- */

const char *spec_list_id(const struct spec_codelist *l)
{
	return l->id;
}

size_t spec_list_size(const struct spec_codelist *l)
{
	return l->n;
}

const char *spec_list_code(const struct spec_codelist *l, size_t i)
{
	return i < l->n ? l->codes[i] : NULL;
}

const char *spec_list_label(const struct spec_codelist *l, size_t i)
{
	return i < l->n ? l->labels[i] : NULL;
}

bool spec_list_has(const struct spec_codelist *l, const char *v, size_t len)
{
	size_t lo = 0, hi = l->n;

	if (l->integer) {
		long x;
		if (!parse_i32(v, len, &x))
			return false;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (l->ints[mid] == x)
				return true;
			if (l->ints[mid] < x)
				lo = mid + 1;
			else
				hi = mid;
		}
		return false;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *c = l->sorted[mid];
		size_t cl = strlen(c);
		int d = memcmp(c, v, cl < len ? cl : len);
		if (d == 0)
			d = (cl > len) - (cl < len);
		if (d == 0)
			return true;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

const struct spec_codelist *spec_codes_pick(const struct spec_column *c,
	bool (*get)(void *ctx, const struct spec_column *selector, long *value), void *ctx)
{
	for (size_t i = 0; i < c->nrules; i++) {
		const struct spec_rule *r = &c->rules[i];
		bool ok = true;
		for (size_t k = 0; ok && k < r->nconds; k++) {
			const struct spec_cond *cd = &r->conds[k];
			long x;
			ok = false;
			if (!get(ctx, cd->column, &x))
				break;
			for (size_t m = 0; m < cd->nvalues; m++)
				ok |= cd->values[m] == x;
		}
		if (ok)
			return r->list;
	}
	return NULL;
}

bool spec_code_valid(const struct spec_column *c, const struct spec_codelist *picked,
	const char *v, size_t len)
{
	if (c->nlists == 0)
		return true;
	if (picked)
		return spec_list_has(picked, v, len);
	for (size_t i = 0; i < c->nlists; i++)
		if (spec_list_has(c->lists[i], v, len))
			return true;
	return false;
}

/* ---- check catalog ---- */

struct spec_checks {
	struct pool pool;
	struct spec_check *v;
	size_t n, cap;
	struct hmx_err *err;
};

static bool parse_severity(const char *s, enum spec_severity *out)
{
	static const char *const names[] = { "warning", "error", "blocking", "blocking|error" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum spec_severity)i;
			return true;
		}
	}
	return false;
}

const char *spec_severity_name(enum spec_severity s)
{
	switch (s) {
	case SPEC_SEV_WARNING: return "warning";
	case SPEC_SEV_ERROR: return "error";
	case SPEC_SEV_BLOCKING: return "blocking";
	case SPEC_SEV_KEYED: return "blocking|error";
	}
	return "?";
}

static enum hmx_rc check_row(void *ctx, struct tbl *t, const char *const *v)
{
	struct spec_checks *c = ctx;
	struct spec_check *k;
	const char *id = v[0];

	if (strlen(id) != 3 || !strchr("PSKQDXM", id[0]) || id[1] < '0' || id[1] > '9' ||
	    id[2] < '0' || id[2] > '9')
		return hmx_err_set(c->err, HMX_EINVAL, "%s line %lu: bad check id", t->asset,
			t->line);
	if (spec_check_find(c, id))
		return hmx_err_set(c->err, HMX_EINVAL, "%s line %lu: check %s twice", t->asset,
			t->line, id);
	if (c->n == c->cap) {
		void *n = grow(c->v, &c->cap, sizeof *c->v);
		if (!n)
			return hmx_err_set(c->err, HMX_ENOMEM, "out of memory");
		c->v = n;
	}
	k = &c->v[c->n];
	memset(k, 0, sizeof *k);
	if (!parse_severity(v[1], &k->severity))
		return hmx_err_set(c->err, HMX_EINVAL, "%s line %lu: unknown severity %s", t->asset,
			t->line, v[1]);
	k->id = pool_strdup(&c->pool, id);
	k->family = id[0];
	k->scope = pool_strdup(&c->pool, v[2]);
	k->files = pool_strdup(&c->pool, v[3]);
	k->summary = pool_strdup(&c->pool, v[4]);
	k->eva_id = pool_strdup(&c->pool, v[5]);
	if (!k->id || !k->scope || !k->files || !k->summary || !k->eva_id)
		return hmx_err_set(c->err, HMX_ENOMEM, "out of memory");
	c->n++;
	return HMX_OK;
}

enum hmx_rc spec_checks_load(struct spec_checks **out, struct hmx_err *err)
{
	static const char *const want[] = { "id", "severity", "scope", "files", "summary",
		"eva_id", NULL };
	struct spec_checks *c;
	enum hmx_rc rc;

	*out = NULL;
	c = calloc(1, sizeof *c);
	if (!c)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	c->err = err;
	rc = tbl_run("checks.csv", want, check_row, c, err);
	c->err = NULL;
	if (rc == HMX_OK && c->n == 0)
		rc = hmx_err_set(err, HMX_EINVAL, "checks.csv has no checks");
	if (rc != HMX_OK) {
		spec_checks_free(&c);
		return rc;
	}
	*out = c;
	return HMX_OK;
}

void spec_checks_free(struct spec_checks **c)
{
	if (!c || !*c)
		return;
	pool_free(&(*c)->pool);
	free((*c)->v);
	free(*c);
	*c = NULL;
}

size_t spec_checks_count(const struct spec_checks *c)
{
	return c->n;
}

const struct spec_check *spec_checks_at(const struct spec_checks *c, size_t i)
{
	return i < c->n ? &c->v[i] : NULL;
}

const struct spec_check *spec_check_find(const struct spec_checks *c, const char *id)
{
	for (size_t i = 0; id && i < c->n; i++)
		if (strcasecmp(c->v[i].id, id) == 0)
			return &c->v[i];
	return NULL;
}

enum spec_severity spec_check_severity(const struct spec_check *k, const struct spec_column *col)
{
	if (k->severity != SPEC_SEV_KEYED)
		return k->severity;
	if (col && (col->pk || col->fk_file || col->eva_hp))
		return SPEC_SEV_BLOCKING;
	return SPEC_SEV_ERROR;
}
