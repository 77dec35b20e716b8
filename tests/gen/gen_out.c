/* tests/gen/gen_out.c — the bottom layer of hmxgen: the spec's column
 * tables (read from ASSETS/spec, never written by hand here), one buffered
 * writer per CSV file, the row builder, calendar arithmetic, integer and
 * date formatting by hand, and the seeded RNG.
 *
 * Quoting follows HUD's sample exports: every header name is quoted, string
 * columns are quoted when not empty, numbers and dates are bare, lines end
 * with LF. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "gen.h"

struct gstate G;

enum { BUFCAP = 1 << 20, ROWMAX = 16384 };

static const char *const file_names[F__COUNT] = {
#define X(n) #n ".csv",
	GEN_FILES(X)
#undef X
};

static const uint8_t col_file[C__COUNT] = {
#define C(f, c) F_##f,
	GEN_COLS(C)
#undef C
};

static const char *const col_name[C__COUNT] = {
#define C(f, c) #c,
	GEN_COLS(C)
#undef C
};

static const char *const common_name[CC__COUNT] = {
	"DateCreated", "DateUpdated", "UserID", "DateDeleted", "ExportID",
};

/* ---- small utilities ----------------------------------------------------- */

void die(const char *fmt, ...)
{
	va_list ap;

	fputs("hmxgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p)
		die("out of memory (%zu bytes)", n);
	return p;
}

/* ---- RNG: xoshiro256** seeded through splitmix64 ------------------------- */

static uint64_t rs[4];

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(uint64_t s)
{
	for (int i = 0; i < 4; i++)
		rs[i] = splitmix(&s);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t rnd(void)
{
	uint64_t r = rotl(rs[1] * 5, 7) * 9;
	uint64_t t = rs[1] << 17;

	rs[2] ^= rs[0];
	rs[3] ^= rs[1];
	rs[1] ^= rs[2];
	rs[0] ^= rs[3];
	rs[2] ^= t;
	rs[3] = rotl(rs[3], 45);
	return r;
}

uint32_t rnd_below(uint32_t n)
{
	return (uint32_t)(((rnd() >> 32) * (uint64_t)n) >> 32);
}

int rnd_range(int lo, int hi)
{
	if (hi <= lo)
		return lo;
	return lo + (int)rnd_below((uint32_t)(hi - lo + 1));
}

int chance(int percent)
{
	return (int)rnd_below(100) < percent;
}

/* ---- calendar (days since 1970-01-01, proleptic Gregorian) ------------- */

int day_of(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void civil(int day, int *y, int *m, int *d)
{
	int z = day + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = yoe + era * 400 + (*m <= 2);
}

int age_at(int dob, int day)
{
	int y1, m1, d1, y2, m2, d2;

	civil(dob, &y1, &m1, &d1);
	civil(day, &y2, &m2, &d2);
	int a = y2 - y1;
	if (m2 < m1 || (m2 == m1 && d2 < d1))
		a--;
	return a;
}

/* Every date from 1900 to 2079 formatted once: r_date is a 10-byte copy. */
static char (*dcache)[10];
static int dcache_lo, dcache_hi;

static void fmt_date_slow(char *o, int day)
{
	int y, m, d;

	civil(day, &y, &m, &d);
	o[0] = (char)('0' + y / 1000 % 10);
	o[1] = (char)('0' + y / 100 % 10);
	o[2] = (char)('0' + y / 10 % 10);
	o[3] = (char)('0' + y % 10);
	o[4] = '-';
	o[5] = (char)('0' + m / 10);
	o[6] = (char)('0' + m % 10);
	o[7] = '-';
	o[8] = (char)('0' + d / 10);
	o[9] = (char)('0' + d % 10);
}

static void dcache_init(void)
{
	dcache_lo = day_of(1900, 1, 1);
	dcache_hi = day_of(2080, 1, 1);
	dcache = xmalloc((size_t)(dcache_hi - dcache_lo) * sizeof *dcache);
	for (int d = dcache_lo; d < dcache_hi; d++)
		fmt_date_slow(dcache[d - dcache_lo], d);
}

static void fmt_date(char *o, int day)
{
	if (day >= dcache_lo && day < dcache_hi)
		memcpy(o, dcache[day - dcache_lo], 10);
	else
		fmt_date_slow(o, day);
}

static int fmt_u64(char *o, uint64_t v)
{
	char t[24];
	int n = 0;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (int i = 0; i < n; i++)
		o[i] = t[n - 1 - i];
	return n;
}

/* ---- spec tables --------------------------------------------------------- */

/* Splits one CSV line (RFC 4180 quoting, no embedded newlines) in place.
 * Returns the number of fields, at most max. */
static int csv_split(char *line, char **fld, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		char *w = p, *start = p;
		if (*p == '"') {
			p++;
			for (;;) {
				if (*p == '"' && p[1] == '"') {
					*w++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else if (!*p) {
					break;
				} else {
					*w++ = *p++;
				}
			}
			while (*p && *p != ',')
				p++;
		} else {
			while (*p && *p != ',')
				*w++ = *p++;
		}
		char sep = *p;
		*w = 0;
		if (n < max)
			fld[n++] = start;
		if (sep != ',')
			break;
		p++;
	}
	return n;
}

/* Reads a small text file whole; NULL when it does not exist. */
static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");

	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	char *s = xmalloc((size_t)n + 1);
	if (n > 0 && fread(s, 1, (size_t)n, fp) != (size_t)n)
		die("cannot read %s", path);
	s[n] = 0;
	fclose(fp);
	return s;
}

static int file_by_name(const char *name)
{
	for (int i = 0; i < F__COUNT; i++)
		if (!strcmp(file_names[i], name))
			return i;
	return -1;
}

/* Walks the data rows of a columns table, calling fn for each. */
typedef void (*col_row_fn)(int file, char **fld, void *ctx);

static void columns_walk(const char *path, col_row_fn fn, void *ctx)
{
	char *text = slurp(path);

	if (!text)
		die("cannot open %s (is --assets right?)", path);
	char *save = NULL;
	int first = 1;
	for (char *ln = strtok_r(text, "\n", &save); ln;
	     ln = strtok_r(NULL, "\n", &save)) {
		size_t l = strlen(ln);
		if (l && ln[l - 1] == '\r')
			ln[l - 1] = 0;
		if (first) {
			first = 0;
			continue;
		}
		char *fld[8];
		if (csv_split(ln, fld, 8) < 6)
			continue;
		int f = file_by_name(fld[0]);
		if (f < 0)
			die("%s: file %s is unknown to hmxgen (update gen.h)",
			    path, fld[0]);
		fn(f, fld, ctx);
	}
	free(text);
}

/* Marks handles found in a table (for the both-tables name check). */
static void mark_known(int file, char **fld, void *ctx)
{
	uint8_t *known = ctx;

	for (int c = 0; c < C__COUNT; c++)
		if (col_file[c] == file && !strcmp(col_name[c], fld[2]))
			known[c] = 1;
}

static void add_column(int file, char **fld, void *ctx)
{
	struct gfile *f = &G.f[file];
	const char *t = fld[3];

	(void)ctx;
	if (f->ncol >= MAXCOL)
		die("%s: more than %d columns", f->name, MAXCOL);
	int i = f->ncol++;
	f->in_spec = 1;
	snprintf(f->colname[i], sizeof f->colname[i], "%s", fld[2]);
	f->coltype[i] = !strcmp(t, "integer") ? T_INT
		: !strcmp(t, "date") ? T_DATE
		: !strcmp(t, "datetime") ? T_DATETIME
		: !strcmp(t, "money") ? T_MONEY : T_STRING;
	f->colmax[i] = (uint16_t)atoi(fld[4]);
	f->colnull[i] = fld[5][0] != 'N';
	if (atoi(fld[1]) != i + 1)
		die("%s: column %s out of order in the spec table", f->name,
		    fld[2]);
}

void spec_load(const char *assets, const char *spec)
{
	char path[4096];
	uint8_t known[C__COUNT] = { 0 };

	G.fy2026 = !strcmp(spec, "FY2026");
	if (!G.fy2026 && strcmp(spec, "FY2024"))
		die("unknown spec %s (FY2024 or FY2026)", spec);
	G.spec_name = G.fy2026 ? "FY2026" : "FY2024";
	for (int i = 0; i < F__COUNT; i++)
		G.f[i].name = file_names[i];

	/* every handle must name a column of at least one spec */
	snprintf(path, sizeof path, "%s/spec/hmis_csv_fy2024_columns.csv",
		 assets);
	columns_walk(path, mark_known, known);
	snprintf(path, sizeof path, "%s/spec/hmis_csv_fy2026_columns.csv",
		 assets);
	columns_walk(path, mark_known, known);
	for (int c = 0; c < C__COUNT; c++)
		if (!known[c])
			die("column %s.%s is in no spec table",
			    file_names[col_file[c]], col_name[c]);

	snprintf(path, sizeof path, "%s/spec/hmis_csv_%s_columns.csv", assets,
		 G.fy2026 ? "fy2026" : "fy2024");
	columns_walk(path, add_column, NULL);

	/* files.csv, when present, must agree on the file set */
	snprintf(path, sizeof path, "%s/spec/files.csv", assets);
	char *text = slurp(path);
	if (text) {
		char *save = NULL;
		for (char *ln = strtok_r(text, "\n", &save); ln;
		     ln = strtok_r(NULL, "\n", &save)) {
			char *fld[4];
			if (csv_split(ln, fld, 4) < 2 || strcmp(fld[0], spec))
				continue;
			int f = file_by_name(fld[1]);
			if (f < 0 || !G.f[f].in_spec)
				die("files.csv names %s, which has no columns",
				    fld[1]);
		}
		free(text);
	}

	/* resolve handles and common columns; build the default layout */
	for (int c = 0; c < C__COUNT; c++) {
		struct gfile *f = &G.f[col_file[c]];
		G.colidx[c] = -1;
		for (int i = 0; i < f->ncol; i++)
			if (!strcmp(f->colname[i], col_name[c]))
				G.colidx[c] = (int16_t)i;
	}
	for (int k = 0; k < F__COUNT; k++) {
		struct gfile *f = &G.f[k];
		for (int c = 0; c < CC__COUNT; c++) {
			f->cc[c] = -1;
			for (int i = 0; i < f->ncol; i++)
				if (!strcmp(f->colname[i], common_name[c]))
					f->cc[c] = (int16_t)i;
		}
		f->nlay = f->ncol;
		for (int i = 0; i < f->ncol; i++) {
			f->lay[i].spec = i;
			memcpy(f->lay[i].hdr, f->colname[i], sizeof f->lay[i].hdr);
		}
		/* every non-nullable column needs a producer */
		for (int i = 0; i < f->ncol; i++) {
			if (f->colnull[i])
				continue;
			int ok = 0;
			for (int c = 0; c < CC__COUNT; c++)
				ok |= f->cc[c] == i;
			for (int c = 0; c < C__COUNT && !ok; c++)
				ok = col_file[c] == k && G.colidx[c] == i;
			if (!ok)
				die("%s.%s is not nullable and hmxgen has no "
				    "value for it (update gen.h)", f->name,
				    f->colname[i]);
		}
	}
	dcache_init();
}

/* ---- writers ------------------------------------------------------------- */

static void flush_file(struct gfile *f)
{
	size_t off = 0;

	while (off < f->len) {
		ssize_t w = write(f->fd, f->buf + off, f->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("writing %s: %s", f->name, strerror(errno));
		off += (size_t)w;
	}
	f->len = 0;
}

void out_open(void)
{
	char path[4200];

	for (int k = 0; k < F__COUNT; k++) {
		struct gfile *f = &G.f[k];
		f->fd = -1;
		if (!f->in_spec || f->omit)
			continue;
		snprintf(path, sizeof path, "%s/%s", G.outdir, f->name);
		f->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (f->fd < 0)
			die("cannot create %s: %s", path, strerror(errno));
		f->buf = xmalloc(BUFCAP);
		char *p = f->buf;
		if (f->bom) {
			memcpy(p, "\xEF\xBB\xBF", 3);
			p += 3;
		}
		for (int j = 0; j < f->nlay; j++) {
			if (j)
				*p++ = ',';
			*p++ = '"';
			size_t l = strlen(f->lay[j].hdr);
			memcpy(p, f->lay[j].hdr, l);
			p += l;
			*p++ = '"';
		}
		*p++ = '\n';
		f->len = (size_t)(p - f->buf);
		G.bytes += f->len;
		f->line = 1;
	}
}

void out_close(void)
{
	for (int k = 0; k < F__COUNT; k++) {
		struct gfile *f = &G.f[k];
		if (f->fd < 0)
			continue;
		flush_file(f);
		if (close(f->fd))
			die("closing %s: %s", f->name, strerror(errno));
		f->fd = -1;
		free(f->buf);
		f->buf = NULL;
	}
}

/* ---- row builder --------------------------------------------------------- */

static struct {
	int file;
	struct gfile *f;
	uint8_t set[MAXCOL];
	uint32_t off[MAXCOL];
	uint32_t len[MAXCOL];
	char buf[ROWMAX];
	uint32_t blen;
	int extra, unterminated;
} R;

void row_begin(enum gfile_id f)
{
	R.file = (int)f;
	R.f = &G.f[f];
	memset(R.set, 0, (size_t)R.f->ncol);
	R.blen = 0;
	R.extra = R.unterminated = 0;
}

/* Spec index of handle c in the current row's file, -1 when absent. */
static int cidx(enum gcol c)
{
	if (col_file[c] != R.file)
		die("internal: column %s set on a %s row", col_name[c],
		    R.f->name);
	return G.colidx[c];
}

/* Reserves n bytes of the row buffer for cell i. */
static char *cell(int i, size_t n)
{
	if (R.blen + n > ROWMAX)
		die("internal: row of %s too long", R.f->name);
	R.set[i] = 1;
	R.off[i] = R.blen;
	R.len[i] = (uint32_t)n;
	char *p = R.buf + R.blen;
	R.blen += (uint32_t)n;
	return p;
}

static void set_int(int i, long v)
{
	char t[24];
	int n = 0;

	if (v < 0) {
		t[n++] = '-';
		v = -v;
	}
	n += fmt_u64(t + n, (uint64_t)v);
	memcpy(cell(i, (size_t)n), t, (size_t)n);
}

void r_int(enum gcol c, long v)
{
	int i = cidx(c);

	if (i >= 0)
		set_int(i, v);
}

void r_id(enum gcol c, uint64_t id)
{
	char t[24];
	int i = cidx(c);

	if (i < 0)
		return;
	int n = fmt_u64(t, id);
	memcpy(cell(i, (size_t)n), t, (size_t)n);
}

void r_strn(enum gcol c, const char *s, size_t n)
{
	int i = cidx(c);

	if (i >= 0)
		memcpy(cell(i, n), s, n);
}

void r_str(enum gcol c, const char *s)
{
	r_strn(c, s, strlen(s));
}

void r_date(enum gcol c, int day)
{
	int i = cidx(c);

	if (i >= 0)
		fmt_date(cell(i, 10), day);
}

static void fmt_dt(char *p, int day, int sec)
{
	fmt_date(p, day);
	p[10] = ' ';
	int h = sec / 3600, m = sec / 60 % 60, s = sec % 60;
	p[11] = (char)('0' + h / 10);
	p[12] = (char)('0' + h % 10);
	p[13] = ':';
	p[14] = (char)('0' + m / 10);
	p[15] = (char)('0' + m % 10);
	p[16] = ':';
	p[17] = (char)('0' + s / 10);
	p[18] = (char)('0' + s % 10);
}

void r_dt(enum gcol c, int day, int sec)
{
	int i = cidx(c);

	if (i >= 0)
		fmt_dt(cell(i, 19), day, sec);
}

void r_money(enum gcol c, long cents)
{
	char t[32];
	int i = cidx(c);

	if (i < 0)
		return;
	int n = fmt_u64(t, (uint64_t)(cents / 100));
	if (cents % 100) {
		t[n++] = '.';
		t[n++] = (char)('0' + cents % 100 / 10);
		t[n++] = (char)('0' + cents % 10);
	}
	memcpy(cell(i, (size_t)n), t, (size_t)n);
}

void r_clear(enum gcol c)
{
	int i = cidx(c);

	if (i >= 0)
		R.set[i] = 0;
}

void r_cc_dt(enum gcommon c, int day, int sec)
{
	int i = R.f->cc[c];

	if (i >= 0)
		fmt_dt(cell(i, 19), day, sec);
}

void r_cc_str(enum gcommon c, const char *s)
{
	int i = R.f->cc[c];

	if (i >= 0)
		memcpy(cell(i, strlen(s)), s, strlen(s));
}

void r_cc_clear(enum gcommon c)
{
	int i = R.f->cc[c];

	if (i >= 0)
		R.set[i] = 0;
}

void r_common(int cday, int csec, int uday, int usec, int user)
{
	r_cc_dt(CC_DateCreated, cday, csec);
	r_cc_dt(CC_DateUpdated, uday, usec);
	if (R.f->cc[CC_UserID] >= 0)
		set_int(R.f->cc[CC_UserID], user);
	r_cc_str(CC_ExportID, G.export_id);
}

void r_extra_field(void)
{
	R.extra = 1;
}

void r_unterminated(void)
{
	R.unterminated = 1;
}

/* Writes the row in layout order into its file's buffer. */
uint64_t row_end(void)
{
	struct gfile *f = R.f;

	if (f->fd < 0)
		return 0;
	size_t need = (size_t)R.blen * 2 + (size_t)f->nlay * 3 + 32;
	if (f->len + need > BUFCAP)
		flush_file(f);
	char *p0 = f->buf + f->len, *p = p0;
	for (int j = 0; j < f->nlay; j++) {
		int i = f->lay[j].spec;
		int last_open = R.unterminated && j == f->nlay - 1;
		if (j)
			*p++ = ',';
		if (i < 0) {
			memcpy(p, "\"legacy\"", 8);
			p += last_open ? 7 : 8;
			continue;
		}
		if (!R.set[i]) {
			if (last_open)
				*p++ = '"';
			continue;
		}
		const char *s = R.buf + R.off[i];
		size_t n = R.len[i];
		if (f->coltype[i] != T_STRING && !last_open) {
			memcpy(p, s, n);
			p += n;
			continue;
		}
		*p++ = '"';
		if (!memchr(s, '"', n)) {
			memcpy(p, s, n);
			p += n;
		} else {
			for (size_t k = 0; k < n; k++) {
				if (s[k] == '"')
					*p++ = '"';
				*p++ = s[k];
			}
		}
		if (!last_open)
			*p++ = '"';
	}
	if (R.extra) {
		memcpy(p, ",\"x\"", 4);
		p += 4;
	}
	if (f->line + 1 == f->crlf_line)
		*p++ = '\r';
	*p++ = '\n';
	f->len += (size_t)(p - p0);
	G.bytes += (uint64_t)(p - p0);
	f->rows++;
	return ++f->line;
}
