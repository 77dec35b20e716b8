/* tests/test_hmiscsv.c — unit tests of core/hmiscsv: the record reader
 * (line numbers, fields, structural events, guards, every input split in
 * many ways must give the same result) and packages (folders and zips
 * written here with libzip: traversal, symlinks, bombs, truncation,
 * sub-folders). With HMX_FUZZ_CORPUS=DIR set, every fixture is also
 * written to DIR/csvrow/ or DIR/archive/ as a seed for tests/fuzz/. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <zip.h>

#include "testutil.h"

#include "core/hmiscsv.h"

/* ---- recording what a read reports ---- */

#define MAXEV 2048
#define MAXROWS 1024

struct evrec {
	size_t seq; /* position among all callbacks of the read */
	enum hcsv_event_kind kind;
	uint64_t line;
	long column;
	uint64_t count;
	char name[80];
	char file[64];
};

struct rowrec {
	size_t seq;
	uint64_t line;
	size_t nfields, ntotal;
	char joined[160]; /* fields joined by '|', truncated */
};

struct log {
	size_t seq;
	struct evrec ev[MAXEV];
	size_t nev;
	struct rowrec rows[MAXROWS];
	size_t nrows;
	bool header;
	size_t hcols, htotal;
	bool in_order;
	int col_of[16];
	struct hcsv_stats st;
	enum hmx_rc rc;
	size_t stop_after; /* on_row asks to stop after this many rows (0: never) */
	bool check_get;    /* rows: hcsv_get(OrganizationName) into joined */
	const struct spec_file *sf;
};

static struct spec *fy24;

static void on_event(void *ctx, const struct hcsv_event *ev)
{
	struct log *lg = ctx;
	struct evrec *e;

	assert_true(lg->nev < MAXEV);
	e = &lg->ev[lg->nev++];
	e->seq = lg->seq++;
	e->kind = ev->kind;
	e->line = ev->line;
	e->column = ev->column;
	e->count = ev->count;
	snprintf(e->name, sizeof e->name, "%s", ev->name ? ev->name : "");
	snprintf(e->file, sizeof e->file, "%s", ev->file ? ev->file : "");
}

static int on_header(void *ctx, const struct hcsv_header *h)
{
	struct log *lg = ctx;

	lg->header = true;
	lg->hcols = h->ncols;
	lg->htotal = h->ntotal;
	lg->in_order = h->in_order;
	for (size_t i = 0; i < h->ncols && i < 16; i++)
		lg->col_of[i] = h->col_of[i];
	return 0;
}

static int on_row(void *ctx, const struct hcsv_header *h, const struct hcsv_row *r)
{
	struct log *lg = ctx;
	struct rowrec *rr;
	size_t k = 0;

	assert_true(lg->nrows < MAXROWS);
	rr = &lg->rows[lg->nrows++];
	rr->seq = lg->seq++;
	rr->line = r->line;
	rr->nfields = r->nfields;
	rr->ntotal = r->ntotal;
	if (lg->check_get) {
		const struct hcsv_field *f = hcsv_get(r, h, 1); /* OrganizationName */
		snprintf(rr->joined, sizeof rr->joined, "%.*s", f ? (int)f->len : 6,
			f ? f->p : "(none)");
	} else {
		for (size_t i = 0; i < r->nfields && k + 1 < sizeof rr->joined; i++) {
			const struct hcsv_field *f = &r->f[i];
			assert_int_equal(f->p[f->len], '\0');
			if (i)
				rr->joined[k++] = '|';
			for (size_t j = 0; j < f->len && k + 1 < sizeof rr->joined; j++)
				rr->joined[k++] = f->p[j] ? f->p[j] : '0'; /* NUL shown as '0' */
		}
		rr->joined[k] = '\0';
	}
	return lg->stop_after && lg->nrows >= lg->stop_after;
}

static const struct hcsv_handler handler = { on_header, on_row, on_event, NULL, NULL };

/* Writes data as a fuzz seed when HMX_FUZZ_CORPUS is set. A csvrow seed
 * starts with the three parameter bytes of tests/fuzz/fuzz_csvrow.c: spec
 * file (24: raw), feed chunk - 1, limits (0: defaults). */
static void seed_sf(const char *kind, const char *name, const struct spec_file *sf,
	const void *data, size_t len)
{
	const char *dir = getenv("HMX_FUZZ_CORPUS");
	char sub[4096];
	unsigned char *b;

	if (!dir || !*dir || len > (1u << 20)) /* big inputs make slow seeds */
		return;
	snprintf(sub, sizeof sub, "%s/%s", dir, kind);
	mkdir(dir, 0755);
	mkdir(sub, 0755);
	if (strcmp(kind, "csvrow") != 0) {
		tu_write(sub, name, data, len);
		return;
	}
	b = malloc(len + 3);
	assert_non_null(b);
	b[0] = sf ? (unsigned char)sf->order : 24;
	b[1] = 6;
	b[2] = 0;
	memcpy(b + 3, data, len);
	tu_write(sub, name, (const char *)b, len + 3);
	free(b);
}

static void seed(const char *kind, const char *name, const void *data, size_t len)
{
	seed_sf(kind, name, NULL, data, len);
}

/* Feeds data to a fresh reader in chunks of `chunk` bytes (0: at once). */
static void run_chunked(const struct spec_file *sf, const void *data, size_t len, size_t chunk,
	const struct hmiscsv_limits *lim, struct log *lg)
{
	struct hcsv_reader *r = NULL;
	struct hmx_err err;
	struct hcsv_handler h = handler;
	const char *p = data;
	size_t off = 0;

	h.ctx = lg;
	lg->sf = sf;
	assert_int_equal(hcsv_reader_new(sf, "T.csv", lim, &h, &r, &err), HMX_OK);
	if (chunk == 0)
		chunk = len ? len : 1;
	while (off < len) {
		size_t k = len - off < chunk ? len - off : chunk;
		if (!hcsv_reader_feed(r, p + off, k))
			break;
		off += k;
	}
	lg->rc = hcsv_reader_finish(r, &lg->st);
	hcsv_reader_free(&r);
	assert_null(r);
}

static void assert_same(const struct log *a, const struct log *b)
{
	assert_int_equal(a->nev, b->nev);
	for (size_t i = 0; i < a->nev; i++) {
		assert_int_equal(a->ev[i].seq, b->ev[i].seq);
		assert_int_equal(a->ev[i].kind, b->ev[i].kind);
		assert_int_equal(a->ev[i].line, b->ev[i].line);
		assert_int_equal(a->ev[i].column, b->ev[i].column);
		assert_int_equal(a->ev[i].count, b->ev[i].count);
		assert_string_equal(a->ev[i].name, b->ev[i].name);
	}
	assert_int_equal(a->nrows, b->nrows);
	for (size_t i = 0; i < a->nrows; i++) {
		assert_int_equal(a->rows[i].seq, b->rows[i].seq);
		assert_int_equal(a->rows[i].line, b->rows[i].line);
		assert_int_equal(a->rows[i].nfields, b->rows[i].nfields);
		assert_int_equal(a->rows[i].ntotal, b->rows[i].ntotal);
		assert_string_equal(a->rows[i].joined, b->rows[i].joined);
	}
	assert_int_equal(a->header, b->header);
	assert_int_equal(a->hcols, b->hcols);
	/* even a stopped read takes input up to the same byte */
	assert_int_equal(a->st.bytes, b->st.bytes);
	assert_int_equal(a->st.lines, b->st.lines);
	assert_int_equal(a->st.rows, b->st.rows);
	assert_int_equal(a->st.eol_crlf, b->st.eol_crlf);
	assert_int_equal(a->st.eol_lf, b->st.eol_lf);
	assert_int_equal(a->st.eol_cr, b->st.eol_cr);
	assert_int_equal(a->st.bad_utf8_lines, b->st.bad_utf8_lines);
	assert_int_equal(a->st.bom, b->st.bom);
	assert_int_equal(a->st.halted, b->st.halted);
	assert_int_equal(a->rc, b->rc);
}

/* Reads data whole and in many splits; all must agree. Returns the log of
 * the whole read (free it). name: the fuzz seed's name. */
static struct log *run(const struct spec_file *sf, const char *name, const void *data,
	size_t len, const struct hmiscsv_limits *lim)
{
	static const size_t small[] = { 1, 2, 3, 4, 5, 7, 16, 64, 4096 };
	static const size_t big[] = { 65537, 1000003 };
	struct log *lg = calloc(1, sizeof *lg);
	struct log *other = calloc(1, sizeof *other);
	const size_t *chunks = len > 200000 ? big : small;
	size_t n = len > 200000 ? sizeof big / sizeof big[0] : sizeof small / sizeof small[0];

	assert_non_null(lg);
	assert_non_null(other);
	seed_sf("csvrow", name, sf, data, len);
	run_chunked(sf, data, len, 0, lim, lg);
	for (size_t i = 0; i < n; i++) {
		memset(other, 0, sizeof *other);
		run_chunked(sf, data, len, chunks[i], lim, other);
		assert_same(lg, other);
	}
	free(other);
	return lg;
}

static struct log *run_s(const struct spec_file *sf, const char *name, const char *s)
{
	return run(sf, name, s, strlen(s), NULL);
}

static size_t count_kind(const struct log *lg, enum hcsv_event_kind k)
{
	size_t n = 0;
	for (size_t i = 0; i < lg->nev; i++)
		n += lg->ev[i].kind == k;
	return n;
}

/* The i-th event of kind k (0-based); fails when there is none. */
static const struct evrec *nth(const struct log *lg, enum hcsv_event_kind k, size_t i)
{
	for (size_t j = 0; j < lg->nev; j++)
		if (lg->ev[j].kind == k && i-- == 0)
			return &lg->ev[j];
	fail_msg("no event %s #%zu", hcsv_event_name(k), i);
	return NULL;
}

static const struct spec_file *org(void)
{
	const struct spec_file *f = spec_file_find(fy24, "Organization.csv");
	assert_non_null(f);
	return f;
}

#define ORG_HDR "OrganizationID,OrganizationName,VictimServiceProvider," \
	"OrganizationCommonName,DateCreated,DateUpdated,UserID,DateDeleted,ExportID"

/* ---- reader: records, lines, fields ---- */

static void test_basic_rows(void **state)
{
	struct log *lg;

	(void)state;
	lg = run_s(NULL, "basic", "a,b,c\n1,2,3\n4,,6\n");
	assert_true(lg->header);
	assert_int_equal(lg->hcols, 3);
	assert_int_equal(lg->nrows, 2);
	assert_int_equal(lg->rows[0].line, 2);
	assert_string_equal(lg->rows[0].joined, "1|2|3");
	assert_int_equal(lg->rows[1].line, 3);
	assert_string_equal(lg->rows[1].joined, "4||6");
	assert_int_equal(lg->nev, 0);
	assert_int_equal(lg->st.lines, 3);
	assert_int_equal(lg->st.rows, 2);
	assert_int_equal(lg->st.eol_lf, 3);
	assert_int_equal(lg->st.eol_crlf, 0);
	assert_int_equal(lg->st.bytes, 17);
	assert_false(lg->st.halted);
	free(lg);
}

static void test_quoted_fields(void **state)
{
	struct log *lg;

	(void)state;
	/* escaped quotes, empty quoted, comma and newlines inside quotes,
	 * blanks kept exactly (no trimming) */
	lg = run_s(NULL, "quoted", "a,b\n\"x\"\"y\",\"\"\n\"1,2\",\"l1\nl2\r\nl3\"\n  p , q \n");
	assert_int_equal(lg->nrows, 3);
	assert_string_equal(lg->rows[0].joined, "x\"y|");
	assert_int_equal(lg->rows[0].line, 2);
	assert_string_equal(lg->rows[1].joined, "1,2|l1\nl2\r\nl3");
	assert_int_equal(lg->rows[1].line, 3);
	assert_string_equal(lg->rows[2].joined, "  p | q ");
	assert_int_equal(lg->rows[2].line, 6);
	assert_int_equal(lg->st.lines, 6);
	/* line endings inside the quoted field are data, not record ends */
	assert_int_equal(lg->st.eol_lf, 4);
	assert_int_equal(lg->st.eol_crlf, 0);
	assert_int_equal(count_kind(lg, HCSV_EV_MIXED_EOL), 0);
	free(lg);
}

static void test_blank_lines_and_last_line(void **state)
{
	struct log *lg;

	(void)state;
	lg = run_s(NULL, "blank", "\n\na,b\n\n1,2\n\n\n3,4");
	assert_true(lg->header);
	assert_int_equal(lg->nrows, 2);
	assert_int_equal(lg->rows[0].line, 5);
	assert_int_equal(lg->rows[1].line, 8);
	assert_string_equal(lg->rows[1].joined, "3|4");
	assert_int_equal(lg->st.lines, 8);
	assert_int_equal(lg->nev, 0);
	free(lg);
}

static void test_crlf_and_mixed(void **state)
{
	struct log *lg;

	(void)state;
	lg = run_s(NULL, "crlf", "a,b\r\n1,2\r\n3,4\r\n");
	assert_int_equal(lg->nrows, 2);
	assert_int_equal(lg->rows[1].line, 3);
	assert_int_equal(lg->st.eol_crlf, 3);
	assert_int_equal(lg->st.eol_lf, 0);
	assert_int_equal(lg->st.lines, 3);
	assert_int_equal(lg->nev, 0);
	free(lg);

	lg = run_s(NULL, "mixed", "a,b\r\n1,2\r\n3,4\n5,6\r\n7,8\n");
	assert_int_equal(lg->nrows, 4);
	assert_int_equal(lg->rows[3].line, 5);
	assert_int_equal(count_kind(lg, HCSV_EV_MIXED_EOL), 1);
	assert_int_equal(nth(lg, HCSV_EV_MIXED_EOL, 0)->line, 3);
	assert_int_equal(lg->st.eol_crlf, 3);
	assert_int_equal(lg->st.eol_lf, 2);
	free(lg);

	/* lone CR ends records like libcsv does, and counts as a line */
	lg = run_s(NULL, "cr", "a,b\r1,2\r3,4\n");
	assert_int_equal(lg->nrows, 2);
	assert_int_equal(lg->rows[0].line, 2);
	assert_int_equal(lg->rows[1].line, 3);
	assert_int_equal(lg->st.eol_cr, 2);
	assert_int_equal(lg->st.eol_lf, 1);
	assert_int_equal(count_kind(lg, HCSV_EV_MIXED_EOL), 1);
	assert_int_equal(nth(lg, HCSV_EV_MIXED_EOL, 0)->line, 3);
	free(lg);
}

static void test_bom(void **state)
{
	static const char bom[] = "\xEF\xBB\xBF" ORG_HDR "\nO1,Org,0,,2024-01-01 00:00:00,"
		"2024-01-01 00:00:00,U1,,E1\n";
	struct log *lg;

	(void)state;
	lg = run(org(), "bom", bom, sizeof bom - 1, NULL);
	assert_true(lg->st.bom);
	assert_int_equal(count_kind(lg, HCSV_EV_BOM), 1);
	assert_int_equal(nth(lg, HCSV_EV_BOM, 0)->line, 1);
	/* the BOM is not glued to the first column name */
	assert_int_equal(count_kind(lg, HCSV_EV_COL_EXTRA), 0);
	assert_int_equal(count_kind(lg, HCSV_EV_COL_MISSING), 0);
	assert_int_equal(lg->nev, 1);
	assert_int_equal(lg->nrows, 1);
	assert_int_equal(lg->rows[0].line, 2);
	free(lg);

	/* a BOM alone is an empty file; two bytes of a BOM are data */
	lg = run(NULL, "bom-only", "\xEF\xBB\xBF", 3, NULL);
	assert_int_equal(count_kind(lg, HCSV_EV_BOM), 1);
	assert_int_equal(count_kind(lg, HCSV_EV_EMPTY), 1);
	assert_int_equal(nth(lg, HCSV_EV_EMPTY, 0)->count, 3);
	free(lg);
	lg = run(NULL, "bom-half", "\xEF\xBB", 2, NULL);
	assert_int_equal(count_kind(lg, HCSV_EV_BOM), 0);
	assert_int_equal(count_kind(lg, HCSV_EV_BAD_UTF8), 1);
	assert_true(lg->header);
	free(lg);
}

static void test_utf8(void **state)
{
	static const char data[] =
		"a,b\n"
		"caf\xC3\xA9,\xF0\x9F\x98\x80\n"          /* 2: valid 2- and 4-byte */
		"\xC3\x28,\xFF\xFE\n"                     /* 3: bad twice: one event */
		"\xE0\x80\xAF,x\n"                        /* 4: overlong */
		"\xED\xA0\x80,x\n"                        /* 5: surrogate */
		"\xF4\x90\x80\x80,x\n"                    /* 6: above U+10FFFF */
		"ok,\xC3\n"                               /* 7: cut by the line end */
		"\xE2\x82\xAC,\"\xE2\n\x82\xAC\"\n"      /* 8, 9: a sequence cut by LF */
		"end,\xE2\x82";                           /* 10: cut by end of file */
	struct log *lg;
	static const uint64_t bad[] = { 3, 4, 5, 6, 7, 8, 9, 10 };

	(void)state;
	lg = run(NULL, "utf8", data, sizeof data - 1, NULL);
	assert_int_equal(count_kind(lg, HCSV_EV_BAD_UTF8), 8);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(nth(lg, HCSV_EV_BAD_UTF8, i)->line, bad[i]);
	assert_int_equal(lg->st.bad_utf8_lines, 8);
	/* bytes are delivered as they are, never transcoded */
	assert_int_equal(lg->nrows, 8);
	assert_string_equal(lg->rows[1].joined, "\xC3\x28|\xFF\xFE");
	assert_int_equal(lg->rows[6].line, 8);
	assert_int_equal(lg->rows[7].line, 10);
	free(lg);
}

static void test_control_and_nul(void **state)
{
	static const char data[] = "a,b\nx\0y,\x01z\nq\tr,s\n";
	struct log *lg;

	(void)state;
	lg = run(NULL, "nul", data, sizeof data - 1, NULL);
	assert_int_equal(lg->nrows, 2);
	/* the NUL is inside the field: length, not NUL, ends it */
	assert_string_equal(lg->rows[0].joined, "x0y|\x01z");
	assert_int_equal(count_kind(lg, HCSV_EV_CONTROL_CHAR), 1);
	assert_int_equal(nth(lg, HCSV_EV_CONTROL_CHAR, 0)->line, 2);
	assert_int_equal(count_kind(lg, HCSV_EV_BAD_UTF8), 0);
	free(lg);
}

static void test_bad_quote(void **state)
{
	struct log *lg;

	(void)state;
	/* stray quote inside an unquoted field, line 3; nothing after is read */
	lg = run_s(NULL, "badquote", "a,b\n1,2\n3,x\"y\n\xFF,5\n6,7\n");
	assert_int_equal(count_kind(lg, HCSV_EV_BAD_QUOTE), 1);
	assert_int_equal(nth(lg, HCSV_EV_BAD_QUOTE, 0)->line, 3);
	assert_int_equal(nth(lg, HCSV_EV_BAD_QUOTE, 0)->column, 1);
	assert_int_equal(lg->nrows, 1);
	assert_true(lg->st.halted);
	assert_int_equal(count_kind(lg, HCSV_EV_BAD_UTF8), 0);
	assert_int_equal(lg->nev, 1);
	free(lg);

	/* text after a closing quote, on the 3rd line of a record of line 2 */
	lg = run_s(NULL, "badquote2", "a,b\n1,\"x\n\ny\"z,\n2,3\n");
	assert_int_equal(count_kind(lg, HCSV_EV_BAD_QUOTE), 1);
	assert_int_equal(nth(lg, HCSV_EV_BAD_QUOTE, 0)->line, 4);
	assert_int_equal(lg->nrows, 0);
	free(lg);

	/* bad UTF-8 after the bad quote, same line: the line is still judged
	 * whole, however the input is split (found by fuzz_csvrow) */
	lg = run_s(NULL, "badquote-utf8", "a,b\n1,x\"y\xFF,\x01\n\xFF\n");
	assert_int_equal(lg->nev, 3);
	assert_int_equal(lg->ev[0].kind, HCSV_EV_BAD_QUOTE);
	assert_int_equal(lg->ev[1].kind, HCSV_EV_BAD_UTF8);
	assert_int_equal(lg->ev[1].line, 2);
	assert_int_equal(lg->ev[2].kind, HCSV_EV_CONTROL_CHAR);
	assert_int_equal(lg->st.bytes, 13);
	assert_int_equal(lg->st.lines, 2);
	free(lg);

	/* a blank after the closing quote is not allowed either */
	lg = run_s(NULL, "badquote3", "a,b\n\"x\" ,y\n");
	assert_int_equal(count_kind(lg, HCSV_EV_BAD_QUOTE), 1);
	assert_int_equal(nth(lg, HCSV_EV_BAD_QUOTE, 0)->line, 2);
	free(lg);
}

static void test_unterminated_quote(void **state)
{
	struct log *lg;

	(void)state;
	lg = run_s(NULL, "unterminated", "a,b\n1,2\n3,\"abc\ndef\nghi\n");
	assert_int_equal(count_kind(lg, HCSV_EV_UNTERMINATED), 1);
	assert_int_equal(nth(lg, HCSV_EV_UNTERMINATED, 0)->line, 3);
	assert_int_equal(nth(lg, HCSV_EV_UNTERMINATED, 0)->column, 1);
	assert_int_equal(lg->nrows, 1);
	assert_true(lg->st.halted);
	assert_int_equal(lg->st.lines, 5);
	free(lg);

	/* the opening quote on a later line than the record's start */
	lg = run_s(NULL, "unterminated2", "a,b,c\n1,\"x\ny\",\"open\n");
	assert_int_equal(nth(lg, HCSV_EV_UNTERMINATED, 0)->line, 3);
	assert_int_equal(nth(lg, HCSV_EV_UNTERMINATED, 0)->column, 2);
	assert_int_equal(lg->nrows, 0);
	free(lg);
}

static void test_empty_and_header_only(void **state)
{
	struct log *lg;

	(void)state;
	lg = run(org(), "empty", "", 0, NULL);
	assert_int_equal(lg->nev, 1);
	assert_int_equal(nth(lg, HCSV_EV_EMPTY, 0)->count, 0);
	assert_int_equal(nth(lg, HCSV_EV_EMPTY, 0)->line, 0);
	assert_false(lg->header);
	assert_int_equal(lg->st.lines, 0);
	assert_int_equal(lg->st.bytes, 0);
	free(lg);

	lg = run_s(NULL, "blank-only", "\n\r\n\n");
	assert_int_equal(count_kind(lg, HCSV_EV_EMPTY), 1);
	assert_int_equal(lg->st.lines, 3);
	free(lg);

	lg = run_s(org(), "header-only", ORG_HDR "\n");
	assert_true(lg->header);
	assert_int_equal(lg->nrows, 0);
	assert_int_equal(lg->nev, 0);
	assert_true(lg->in_order);
	free(lg);

	lg = run_s(org(), "header-only-nonl", ORG_HDR);
	assert_true(lg->header);
	assert_int_equal(lg->hcols, 9);
	assert_int_equal(lg->nev, 0);
	assert_int_equal(lg->st.lines, 1);
	free(lg);
}

static void test_field_count(void **state)
{
	struct log *lg;

	(void)state;
	lg = run_s(NULL, "fieldcount", "a,b,c\n1,2\n1,2,3\n1,2,3,4\n,,\n");
	assert_int_equal(lg->nrows, 4);
	assert_int_equal(count_kind(lg, HCSV_EV_FIELD_COUNT), 2);
	assert_int_equal(nth(lg, HCSV_EV_FIELD_COUNT, 0)->line, 2);
	assert_int_equal(nth(lg, HCSV_EV_FIELD_COUNT, 0)->count, 2);
	assert_int_equal(nth(lg, HCSV_EV_FIELD_COUNT, 1)->line, 4);
	assert_int_equal(nth(lg, HCSV_EV_FIELD_COUNT, 1)->count, 4);
	assert_string_equal(lg->rows[3].joined, "||");
	free(lg);
}

static char *many_fields(size_t n, size_t *len)
{
	char *s = malloc(n * 8 + 64);
	size_t k = 0;

	assert_non_null(s);
	k += (size_t)sprintf(s, "a,b\n");
	for (size_t i = 0; i < n; i++)
		k += (size_t)sprintf(s + k, "%s%zu", i ? "," : "", i);
	s[k++] = '\n';
	*len = k;
	return s;
}

static void test_thousand_fields(void **state)
{
	struct hmiscsv_limits lim;
	struct log *lg;
	size_t len;
	char *s = many_fields(1000, &len);

	(void)state;
	lg = run(NULL, "1000fields", s, len, NULL);
	assert_int_equal(lg->nrows, 1);
	assert_int_equal(lg->rows[0].nfields, 1000);
	assert_int_equal(lg->rows[0].ntotal, 1000);
	assert_int_equal(count_kind(lg, HCSV_EV_FIELD_COUNT), 1);
	assert_int_equal(nth(lg, HCSV_EV_FIELD_COUNT, 0)->count, 1000);
	assert_int_equal(count_kind(lg, HCSV_EV_TOO_MANY_FIELDS), 0);
	free(lg);

	/* beyond max_fields: counted, first ones kept, reported */
	memset(&lim, 0, sizeof lim);
	lim.max_fields = 100;
	lg = run(NULL, "1000fields-capped", s, len, &lim);
	assert_int_equal(lg->nrows, 1);
	assert_int_equal(lg->rows[0].nfields, 100);
	assert_int_equal(lg->rows[0].ntotal, 1000);
	assert_int_equal(count_kind(lg, HCSV_EV_TOO_MANY_FIELDS), 1);
	assert_int_equal(nth(lg, HCSV_EV_TOO_MANY_FIELDS, 0)->count, 1000);
	assert_int_equal(nth(lg, HCSV_EV_TOO_MANY_FIELDS, 0)->line, 2);
	assert_false(lg->st.halted);
	free(lg);
	free(s);
}

static void test_huge_field(void **state)
{
	size_t n = 10u << 20, len;
	char *s = malloc(n + 64);
	struct log *lg;

	(void)state;
	assert_non_null(s);
	/* unquoted 10 MB field on line 3 */
	len = (size_t)sprintf(s, "a,b\n1,2\n3,");
	memset(s + len, 'x', n);
	len += n;
	len += (size_t)sprintf(s + len, "\n4,5\n");
	lg = run(NULL, "hugefield", s, len, NULL);
	assert_int_equal(count_kind(lg, HCSV_EV_FIELD_TOO_LONG), 1);
	assert_int_equal(nth(lg, HCSV_EV_FIELD_TOO_LONG, 0)->line, 3);
	assert_int_equal(nth(lg, HCSV_EV_FIELD_TOO_LONG, 0)->column, 1);
	assert_true(lg->st.halted);
	assert_int_equal(lg->nrows, 1);
	/* it scans the rest of line 3 for UTF-8, then takes nothing more */
	assert_int_equal(lg->st.bytes, len - 4);
	assert_int_equal(lg->st.lines, 3);
	free(lg);

	/* quoted, spread over lines */
	len = (size_t)sprintf(s, "a,b\n1,\"");
	for (size_t i = 0; i < n; i++)
		s[len + i] = i % 100 == 99 ? '\n' : 'y';
	len += n;
	len += (size_t)sprintf(s + len, "\"\n");
	lg = run(NULL, "hugefield-quoted", s, len, NULL);
	assert_int_equal(count_kind(lg, HCSV_EV_FIELD_TOO_LONG), 1);
	assert_int_equal(nth(lg, HCSV_EV_FIELD_TOO_LONG, 0)->line, 2);
	assert_int_equal(lg->nrows, 0);
	/* stopped soon after the limit instead of reading 10 MB */
	assert_true(lg->st.bytes < (1u << 20) + 70000);
	free(lg);
	free(s);
}

static void test_row_too_long(void **state)
{
	struct hmiscsv_limits lim;
	struct log *lg;
	size_t len;
	char *s = many_fields(2000, &len);

	(void)state;
	memset(&lim, 0, sizeof lim);
	lim.max_row = 4096;
	lg = run(NULL, "rowtoolong", s, len, &lim);
	assert_int_equal(count_kind(lg, HCSV_EV_ROW_TOO_LONG), 1);
	assert_int_equal(nth(lg, HCSV_EV_ROW_TOO_LONG, 0)->line, 2);
	assert_true(lg->st.halted);
	assert_int_equal(lg->nrows, 0);
	free(lg);
	free(s);
}

static void test_binary(void **state)
{
	unsigned char *b = malloc(65536);
	uint32_t x = 12345;
	struct log *lg;

	(void)state;
	assert_non_null(b);
	for (size_t i = 0; i < 65536; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (unsigned char)(x >> 23);
	}
	lg = run(org(), "binary", b, 65536, NULL);
	/* garbage gives events and stops or ends; never a crash */
	assert_true(lg->nev > 0);
	assert_true(count_kind(lg, HCSV_EV_BAD_UTF8) > 0 || count_kind(lg, HCSV_EV_BAD_QUOTE) > 0);
	free(lg);
	free(b);
}

static void test_cancel(void **state)
{
	struct log *lg = calloc(1, sizeof *lg);

	(void)state;
	assert_non_null(lg);
	lg->stop_after = 2;
	run_chunked(NULL, "a\n1\n2\n3\n4\n", 10, 0, NULL, lg);
	assert_int_equal(lg->nrows, 2);
	assert_true(lg->st.cancelled);
	assert_false(lg->st.halted);
	free(lg);
}

/* ---- reader: header mapping ---- */

static void test_header_exact(void **state)
{
	struct log *lg;

	(void)state;
	lg = run_s(org(), "org", ORG_HDR "\nO1,Name1,0,,2024-01-01 00:00:00,"
		"2024-01-02 00:00:00,U1,,E1\n");
	assert_int_equal(lg->nev, 0);
	assert_true(lg->in_order);
	for (int i = 0; i < 9; i++)
		assert_int_equal(lg->col_of[i], i);
	free(lg);
}

static void test_header_case(void **state)
{
	static const char data[] = "organizationid,ORGANIZATIONNAME,VictimServiceProvider,"
		"OrganizationCommonName,DateCreated,DateUpdated,UserID,DateDeleted,exportid\n"
		"O1,Name1,0,,,,,,\n";
	struct log *lg = calloc(1, sizeof *lg);

	(void)state;
	assert_non_null(lg);
	seed_sf("csvrow", "headercase", org(), data, sizeof data - 1);
	lg->check_get = true;
	run_chunked(org(), data, sizeof data - 1, 0, NULL, lg);
	assert_int_equal(lg->nev, 3);
	assert_int_equal(count_kind(lg, HCSV_EV_COL_CASE), 3);
	assert_int_equal(nth(lg, HCSV_EV_COL_CASE, 0)->column, 0);
	assert_string_equal(nth(lg, HCSV_EV_COL_CASE, 0)->name, "organizationid");
	assert_int_equal(nth(lg, HCSV_EV_COL_CASE, 1)->column, 1);
	assert_int_equal(nth(lg, HCSV_EV_COL_CASE, 2)->column, 8);
	assert_int_equal(nth(lg, HCSV_EV_COL_CASE, 2)->line, 1);
	assert_string_equal(lg->rows[0].joined, "Name1");
	assert_true(lg->in_order);
	free(lg);
}

static void test_header_reordered(void **state)
{
	static const char data[] = "OrganizationName,OrganizationID,VictimServiceProvider,"
		"OrganizationCommonName,DateCreated,DateUpdated,UserID,DateDeleted,ExportID\n"
		"Name2,O2,0,,,,,,\n";
	struct log *lg = calloc(1, sizeof *lg);

	(void)state;
	assert_non_null(lg);
	seed_sf("csvrow", "reordered", org(), data, sizeof data - 1);
	lg->check_get = true;
	run_chunked(org(), data, sizeof data - 1, 0, NULL, lg);
	assert_int_equal(lg->nev, 1);
	assert_int_equal(count_kind(lg, HCSV_EV_COL_ORDER), 1);
	assert_false(lg->in_order);
	assert_int_equal(lg->col_of[0], 1);
	assert_int_equal(lg->col_of[1], 0);
	/* hcsv_get follows the mapping */
	assert_string_equal(lg->rows[0].joined, "Name2");
	free(lg);
}

static void test_header_dup_missing_extra(void **state)
{
	struct log *lg;

	(void)state;
	lg = run_s(org(), "dupcol", "OrganizationID,OrganizationName,organizationname,"
		"VictimServiceProvider,Colour,DateCreated,DateUpdated,UserID,ExportID,"
		"OrganizationID\nO1,A,B,0,red,,,,,O1\n");
	assert_int_equal(count_kind(lg, HCSV_EV_COL_DUP), 2);
	assert_int_equal(nth(lg, HCSV_EV_COL_DUP, 0)->column, 2);
	assert_string_equal(nth(lg, HCSV_EV_COL_DUP, 0)->name, "organizationname");
	assert_int_equal(nth(lg, HCSV_EV_COL_DUP, 1)->column, 9);
	assert_int_equal(count_kind(lg, HCSV_EV_COL_EXTRA), 1);
	assert_int_equal(nth(lg, HCSV_EV_COL_EXTRA, 0)->column, 4);
	assert_string_equal(nth(lg, HCSV_EV_COL_EXTRA, 0)->name, "Colour");
	/* OrganizationCommonName (3) and DateDeleted (7) are missing */
	assert_int_equal(count_kind(lg, HCSV_EV_COL_MISSING), 2);
	assert_int_equal(nth(lg, HCSV_EV_COL_MISSING, 0)->column, 3);
	assert_string_equal(nth(lg, HCSV_EV_COL_MISSING, 0)->name, "OrganizationCommonName");
	assert_int_equal(nth(lg, HCSV_EV_COL_MISSING, 1)->column, 7);
	assert_int_equal(count_kind(lg, HCSV_EV_COL_CASE), 0);
	assert_int_equal(count_kind(lg, HCSV_EV_COL_ORDER), 0);
	assert_int_equal(lg->col_of[0], 0);
	assert_int_equal(lg->col_of[2], -1);
	assert_int_equal(lg->col_of[9], -1);
	assert_int_equal(lg->nev, 5);
	free(lg);
}

static void test_header_nonprintable_name(void **state)
{
	struct log *lg;

	(void)state;
	lg = run_s(org(), "oddname", ORG_HDR ",\xC3\xA9t\x01,Good_Name2\n");
	assert_int_equal(count_kind(lg, HCSV_EV_COL_EXTRA), 2);
	/* only plain names travel in events */
	assert_string_equal(nth(lg, HCSV_EV_COL_EXTRA, 0)->name, "");
	assert_int_equal(nth(lg, HCSV_EV_COL_EXTRA, 0)->column, 9);
	assert_string_equal(nth(lg, HCSV_EV_COL_EXTRA, 1)->name, "Good_Name2");
	free(lg);
}

/* A Client.csv without its header row: the first record is client data.
 * No event may carry any of it. */
static void test_header_missing_no_pii(void **state)
{
	static const char data[] =
		"P1,Jane,,Doe,,1,123456789,1,1980-02-03,1,0,0,0,0,0,0,1,,,1,0,0,0,0,0,0,,,"
		"0,,,,,,,,,,,,2024-01-01 00:00:00,2024-01-01 00:00:00,U1,,E1\n"
		"P2,Ann,,Roe,,1,987654321,1,1990-04-05,1,0,0,0,0,0,0,1,,,1,0,0,0,0,0,0,,,"
		"0,,,,,,,,,,,,2024-01-01 00:00:00,2024-01-01 00:00:00,U1,,E1\n";
	struct log *lg;

	(void)state;
	lg = run(spec_file_find(fy24, "Client.csv"), "noheader", data, sizeof data - 1, NULL);
	assert_int_equal(count_kind(lg, HCSV_EV_COL_MISSING), 46);
	assert_true(count_kind(lg, HCSV_EV_COL_EXTRA) > 30);
	for (size_t i = 0; i < lg->nev; i++) {
		assert_null(strstr(lg->ev[i].name, "Jane"));
		assert_null(strstr(lg->ev[i].name, "Doe"));
		assert_null(strstr(lg->ev[i].name, "123456789"));
		assert_null(strstr(lg->ev[i].name, "1980"));
		if (lg->ev[i].kind == HCSV_EV_COL_EXTRA)
			assert_string_equal(lg->ev[i].name, "");
	}
	free(lg);
}

static int codes_row(void *ctx, const struct hcsv_header *h, const struct hcsv_row *r)
{
	const struct spec_file *sv = ctx;
	const struct spec_column *tp = spec_column_find(sv, "TypeProvided", 12, NULL);
	const struct spec_codelist *l = hcsv_codes_pick(r, h, tp);
	const struct hcsv_field *v = hcsv_get(r, h, tp->index);

	assert_non_null(v);
	switch (r->index) {
	case 0: /* RecordType 200: bed night list */
		assert_non_null(l);
		assert_string_equal(spec_list_id(l), "4.14");
		assert_true(spec_code_valid(tp, l, v->p, v->len));
		break;
	case 1: /* RecordType 141, TypeProvided 13: not in P1.2 */
		assert_string_equal(spec_list_id(l), "P1.2");
		assert_false(spec_code_valid(tp, l, v->p, v->len));
		break;
	case 2: /* RecordType empty: no list picked, any list of the column */
		assert_null(l);
		assert_true(spec_code_valid(tp, l, v->p, v->len));
		break;
	default:
		fail();
	}
	return 0;
}

static void test_codes_pick_from_row(void **state)
{
	const struct spec_file *sv = spec_file_find(fy24, "Services.csv");
	static const char data[] = "ServicesID,EnrollmentID,PersonalID,DateProvided,RecordType,"
		"TypeProvided,OtherTypeProvided,MovingOnOtherType,SubTypeProvided,FAAmount,"
		"FAStartDate,FAEndDate,ReferralOutcome,DateCreated,DateUpdated,UserID,"
		"DateDeleted,ExportID\n"
		"S1,E1,P1,2024-01-01,200,200,,,,,,,,,,,,X\n"
		"S2,E1,P1,2024-01-01,141,13,,,,,,,,,,,,X\n"
		"S3,E1,P1,2024-01-01,,1,,,,,,,,,,,,X\n";
	struct hcsv_handler h = { NULL, codes_row, NULL, NULL, NULL };
	struct hcsv_reader *r;
	struct hcsv_stats st;
	struct hmx_err err;

	(void)state;
	h.ctx = (void *)sv;
	assert_int_equal(hcsv_reader_new(sv, "Services.csv", NULL, &h, &r, &err), HMX_OK);
	assert_true(hcsv_reader_feed(r, data, sizeof data - 1));
	assert_int_equal(hcsv_reader_finish(r, &st), HMX_OK);
	assert_int_equal(st.rows, 3);
	hcsv_reader_free(&r);
}

/* ---- packages ---- */

struct pkglog {
	struct evrec ev[64];
	size_t nev;
};

static void on_pkg_event(void *ctx, const struct hcsv_event *ev)
{
	struct pkglog *pl = ctx;
	struct evrec *e;

	assert_true(pl->nev < 64);
	e = &pl->ev[pl->nev++];
	e->kind = ev->kind;
	e->line = ev->line;
	e->column = ev->column;
	e->count = ev->count;
	snprintf(e->name, sizeof e->name, "%s", ev->name ? ev->name : "");
	snprintf(e->file, sizeof e->file, "%s", ev->file ? ev->file : "");
}

#define EXPORT_CSV "ExportID,SourceType,SourceID,SourceName,SourceContactFirst," \
	"SourceContactLast,SourceContactPhone,SourceContactExtension,SourceContactEmail," \
	"ExportDate,ExportStartDate,ExportEndDate,SoftwareName,SoftwareVersion,CSVVersion," \
	"ExportPeriodType,ExportDirective,HashStatus,ImplementationID\n" \
	"E1,1,S1,Source,,,,,,2024-10-01 12:00:00,2023-10-01,2024-09-30,Soft,1.0," \
	"2024 v1.3,3,2,1,I1\n"

#define ORG_CSV ORG_HDR "\nO1,Org One,0,,2024-01-01 00:00:00,2024-01-01 00:00:00," \
	"U1,,E1\nO2,Org Two,0,,2024-01-01 00:00:00,2024-01-01 00:00:00,U1,,E1\n"

struct zent {
	const char *name;
	const void *data;
	size_t len;
	int kind; /* 0 file, 1 symlink, 2 folder, 3 file stored uncompressed */
};

static void mkzip(const char *path, const struct zent *e, size_t n)
{
	int zerr;
	zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);

	assert_non_null(za);
	for (size_t i = 0; i < n; i++) {
		zip_int64_t idx;
		if (e[i].kind == 2) {
			assert_true(zip_dir_add(za, e[i].name, 0) >= 0);
			continue;
		}
		zip_source_t *src = zip_source_buffer(za, e[i].data, e[i].len, 0);
		assert_non_null(src);
		idx = zip_file_add(za, e[i].name, src, 0);
		assert_true(idx >= 0);
		if (e[i].kind == 1)
			assert_int_equal(zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0,
				ZIP_OPSYS_UNIX, (zip_uint32_t)(S_IFLNK | 0777) << 16), 0);
		if (e[i].kind == 3)
			assert_int_equal(zip_set_file_compression(za, (zip_uint64_t)idx,
				ZIP_CM_STORE, 0), 0);
	}
	assert_int_equal(zip_close(za), 0);
}

static void seed_file(const char *kind, const char *name, const char *path)
{
	size_t len;
	unsigned char *b;

	if (!getenv("HMX_FUZZ_CORPUS"))
		return;
	b = tu_slurp(path, &len);
	seed(kind, name, b, len);
	free(b);
}

static size_t pcount(const struct pkglog *pl, enum hcsv_event_kind k)
{
	size_t n = 0;
	for (size_t i = 0; i < pl->nev; i++)
		n += pl->ev[i].kind == k;
	return n;
}

static void test_folder(void **state)
{
	char dir[256];
	struct pkglog pl = { .nev = 0 };
	struct hmiscsv *pkg;
	struct hmx_err err;
	struct log *lg = calloc(1, sizeof *lg);
	struct hcsv_handler h = handler;
	const struct hmiscsv_entry *e;
	char ver[32];

	(void)state;
	assert_non_null(lg);
	tu_mkdtemp(dir, sizeof dir);
	tu_write(dir, "Export.csv", EXPORT_CSV, (size_t)-1);
	tu_write(dir, "organization.csv", ORG_CSV, (size_t)-1);
	tu_write(dir, "Notes.txt", "x", 1);
	assert_int_equal(hmiscsv_open(dir, NULL, on_pkg_event, &pl, &pkg, &err), HMX_OK);
	assert_false(hmiscsv_is_zip(pkg));
	assert_string_equal(hmiscsv_base(pkg), "");
	assert_int_equal(pl.nev, 0);
	assert_int_equal(hmiscsv_count(pkg), 3);
	/* sorted by path */
	assert_string_equal(hmiscsv_entry(pkg, 0)->path, "Export.csv");
	assert_string_equal(hmiscsv_entry(pkg, 1)->path, "Notes.txt");
	assert_null(hmiscsv_entry(pkg, 3));
	assert_int_equal(hmiscsv_total(pkg), strlen(EXPORT_CSV) + strlen(ORG_CSV) + 1);
	e = hmiscsv_find(pkg, "Organization.csv");
	assert_non_null(e);
	assert_string_equal(e->name, "organization.csv");
	assert_true(e->in_base);
	assert_null(hmiscsv_find(pkg, "Client.csv"));

	h.ctx = lg;
	assert_int_equal(hmiscsv_read(pkg, e, org(), &h, &lg->st, &err), HMX_OK);
	assert_int_equal(lg->nrows, 2);
	assert_int_equal(lg->rows[1].line, 3);
	assert_int_equal(lg->st.rows, 2);
	assert_int_equal(lg->st.bytes, strlen(ORG_CSV));
	assert_int_equal(lg->nev, 0);

	assert_int_equal(hmiscsv_peek(pkg, hmiscsv_find(pkg, "export.csv"), "csvversion", ver,
		sizeof ver, &err), HMX_OK);
	assert_string_equal(ver, "2024 v1.3");
	assert_int_equal(spec_detect(ver, strlen(ver)), SPEC_FY2024);
	assert_int_equal(hmiscsv_peek(pkg, e, "NoSuchColumn", ver, sizeof ver, &err),
		HMX_ENOTFOUND);
	hmiscsv_close(&pkg);
	assert_null(pkg);
	tu_rmtree(dir);
	free(lg);
}

static void test_folder_subfolder_symlink_fifo(void **state)
{
	char dir[256], p[512];
	struct pkglog pl = { .nev = 0 };
	struct hmiscsv *pkg;
	struct hmx_err err;

	(void)state;
	tu_mkdtemp(dir, sizeof dir);
	snprintf(p, sizeof p, "%s/export", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	tu_write(p, "Export.csv", EXPORT_CSV, (size_t)-1);
	tu_write(p, "Organization.csv", ORG_CSV, (size_t)-1);
	snprintf(p, sizeof p, "%s/export/User.csv", dir);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	snprintf(p, sizeof p, "%s/export/Client.csv", dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(hmiscsv_open(dir, NULL, on_pkg_event, &pl, &pkg, &err), HMX_OK);
	assert_string_equal(hmiscsv_base(pkg), "export/");
	assert_int_equal(hmiscsv_count(pkg), 2);
	assert_non_null(hmiscsv_find(pkg, "Export.csv"));
	assert_null(hmiscsv_find(pkg, "User.csv"));
	assert_null(hmiscsv_find(pkg, "Client.csv"));
	assert_int_equal(pcount(&pl, HCSV_EV_SUBFOLDER), 1);
	assert_int_equal(pcount(&pl, HCSV_EV_REFUSED), 2);
	for (size_t i = 0; i < pl.nev; i++) {
		if (pl.ev[i].kind == HCSV_EV_SUBFOLDER)
			assert_string_equal(pl.ev[i].name, "export");
		if (pl.ev[i].kind == HCSV_EV_REFUSED && strcmp(pl.ev[i].name, "export/User.csv") == 0)
			assert_int_equal(pl.ev[i].count, HCSV_REFUSE_SYMLINK);
		else if (pl.ev[i].kind == HCSV_EV_REFUSED)
			assert_int_equal(pl.ev[i].count, HCSV_REFUSE_SPECIAL);
	}
	hmiscsv_close(&pkg);
	tu_rmtree(dir);
}

static void test_unreadable_inputs(void **state)
{
	char dir[256], p[512];
	struct pkglog pl = { .nev = 0 };
	struct hmiscsv *pkg = (struct hmiscsv *)&pl;
	struct hmx_err err;

	(void)state;
	tu_mkdtemp(dir, sizeof dir);
	snprintf(p, sizeof p, "%s/none.zip", dir);
	assert_int_equal(hmiscsv_open(p, NULL, on_pkg_event, &pl, &pkg, &err), HMX_ENOTFOUND);
	assert_null(pkg);
	assert_int_equal(pl.nev, 1);
	assert_int_equal(pl.ev[0].kind, HCSV_EV_UNREADABLE);

	/* a CSV file given where an export is expected: not a zip */
	tu_write(dir, "Client.csv", "a,b\n1,2\n", (size_t)-1);
	snprintf(p, sizeof p, "%s/Client.csv", dir);
	pl.nev = 0;
	assert_int_equal(hmiscsv_open(p, NULL, on_pkg_event, &pl, &pkg, &err), HMX_EINVAL);
	assert_int_equal(pl.nev, 1);
	assert_int_equal(pl.ev[0].kind, HCSV_EV_UNREADABLE);
	assert_true(strlen(err.msg) > 0);

	/* an empty file */
	tu_write(dir, "empty.zip", "", 0);
	snprintf(p, sizeof p, "%s/empty.zip", dir);
	assert_int_equal(hmiscsv_open(p, NULL, NULL, NULL, &pkg, &err), HMX_EINVAL);
	tu_rmtree(dir);
}

static void test_zip_basic(void **state)
{
	char dir[256], zp[512];
	const struct zent ents[] = {
		{ "Export.csv", EXPORT_CSV, sizeof EXPORT_CSV - 1, 0 },
		{ "Organization.csv", ORG_CSV, sizeof ORG_CSV - 1, 3 },
		{ "Disabilities.csv", "", 0, 0 },
		{ "Extra.csv", "a\n", 2, 0 },
		{ "extra.CSV", "b\n", 2, 0 },
	};
	struct pkglog pl = { .nev = 0 };
	struct hmiscsv *pkg;
	struct hmx_err err;
	struct log *lg = calloc(1, sizeof *lg);
	struct hcsv_handler h = handler;
	const struct hmiscsv_entry *e;

	(void)state;
	assert_non_null(lg);
	tu_mkdtemp(dir, sizeof dir);
	snprintf(zp, sizeof zp, "%s/export.zip", dir);
	mkzip(zp, ents, 5);
	seed_file("archive", "basic.zip", zp);
	assert_int_equal(hmiscsv_open(zp, NULL, on_pkg_event, &pl, &pkg, &err), HMX_OK);
	assert_true(hmiscsv_is_zip(pkg));
	assert_int_equal(pl.nev, 0);
	assert_int_equal(hmiscsv_count(pkg), 5);
	assert_string_equal(hmiscsv_entry(pkg, 1)->name, "Organization.csv");
	assert_int_equal(hmiscsv_entry(pkg, 1)->csize, sizeof ORG_CSV - 1);
	assert_false(hmiscsv_entry(pkg, 3)->duplicate);
	assert_true(hmiscsv_entry(pkg, 4)->duplicate);

	h.ctx = lg;
	e = hmiscsv_find(pkg, "organization.csv");
	assert_int_equal(hmiscsv_read(pkg, e, org(), &h, &lg->st, &err), HMX_OK);
	assert_int_equal(lg->nrows, 2);
	assert_int_equal(lg->nev, 0);

	/* 0-byte Disabilities.csv: one EMPTY event, no header */
	memset(lg, 0, sizeof *lg);
	e = hmiscsv_find(pkg, "Disabilities.csv");
	assert_int_equal(hmiscsv_read(pkg, e, spec_file_find(fy24, "Disabilities.csv"), &h,
		&lg->st, &err), HMX_OK);
	assert_int_equal(lg->nev, 1);
	assert_int_equal(lg->ev[0].kind, HCSV_EV_EMPTY);
	assert_string_equal(lg->ev[0].file, "Disabilities.csv");
	assert_false(lg->header);

	/* an entry of another package is refused */
	assert_int_equal(hmiscsv_read(pkg, (const struct hmiscsv_entry *)lg, NULL, &h, NULL,
		&err), HMX_EINVAL);
	hmiscsv_close(&pkg);
	tu_rmtree(dir);
	free(lg);
}

static void test_zip_subfolder(void **state)
{
	char dir[256], zp[512];
	const struct zent ents[] = {
		{ "hmis/", NULL, 0, 2 },
		{ "hmis/Export.csv", EXPORT_CSV, sizeof EXPORT_CSV - 1, 0 },
		{ "hmis/Organization.csv", ORG_CSV, sizeof ORG_CSV - 1, 0 },
		{ "__MACOSX/hmis/._Organization.csv", "x", 1, 0 },
	};
	struct pkglog pl = { .nev = 0 };
	struct hmiscsv *pkg;
	struct hmx_err err;
	char ver[32];

	(void)state;
	tu_mkdtemp(dir, sizeof dir);
	snprintf(zp, sizeof zp, "%s/sub.zip", dir);
	mkzip(zp, ents, 4);
	seed_file("archive", "subfolder.zip", zp);
	assert_int_equal(hmiscsv_open(zp, NULL, on_pkg_event, &pl, &pkg, &err), HMX_OK);
	assert_int_equal(pl.nev, 1);
	assert_int_equal(pl.ev[0].kind, HCSV_EV_SUBFOLDER);
	assert_string_equal(pl.ev[0].name, "hmis");
	assert_string_equal(hmiscsv_base(pkg), "hmis/");
	/* the folder entry is skipped; the macOS extra is listed, not in base */
	assert_int_equal(hmiscsv_count(pkg), 3);
	assert_false(hmiscsv_entry(pkg, 2)->in_base);
	assert_true(hmiscsv_entry(pkg, 0)->in_base);
	assert_int_equal(hmiscsv_peek(pkg, hmiscsv_find(pkg, "Export.csv"), "CSVVersion", ver,
		sizeof ver, &err), HMX_OK);
	assert_string_equal(ver, "2024 v1.3");
	hmiscsv_close(&pkg);
	tu_rmtree(dir);
}

static void test_zip_refused_entries(void **state)
{
	char dir[256], zp[512];
	const struct zent ents[] = {
		{ "../x.csv", "a\n", 2, 0 },
		{ "/etc/abs.csv", "a\n", 2, 0 },
		{ "C:\\win.csv", "a\n", 2, 0 },
		{ "a/../../y.csv", "a\n", 2, 0 },
		{ "User.csv", "/etc/passwd", 11, 1 },
		{ "Export.csv", EXPORT_CSV, sizeof EXPORT_CSV - 1, 0 },
		{ "..\\z.csv", "a\n", 2, 0 },
		{ "0:00:00,U", "a\n", 2, 0 }, /* a name, not a drive (found by fuzzing) */
	};
	static const struct { const char *name; uint64_t why; } want[] = {
		{ "../x.csv", HCSV_REFUSE_DOTDOT },
		{ "/etc/abs.csv", HCSV_REFUSE_ABSOLUTE },
		{ "C:\\win.csv", HCSV_REFUSE_ABSOLUTE },
		{ "a/../../y.csv", HCSV_REFUSE_DOTDOT },
		{ "User.csv", HCSV_REFUSE_SYMLINK },
		{ "..\\z.csv", HCSV_REFUSE_DOTDOT },
	};
	struct pkglog pl = { .nev = 0 };
	struct hmiscsv *pkg;
	struct hmx_err err;

	(void)state;
	tu_mkdtemp(dir, sizeof dir);
	snprintf(zp, sizeof zp, "%s/evil.zip", dir);
	mkzip(zp, ents, 8);
	seed_file("archive", "refused.zip", zp);
	assert_int_equal(hmiscsv_open(zp, NULL, on_pkg_event, &pl, &pkg, &err), HMX_OK);
	assert_int_equal(pl.nev, 6);
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(pl.ev[i].kind, HCSV_EV_REFUSED);
		assert_string_equal(pl.ev[i].name, want[i].name);
		assert_int_equal(pl.ev[i].count, want[i].why);
		assert_int_equal(pl.ev[i].line, 0);
	}
	assert_int_equal(hmiscsv_count(pkg), 2);
	assert_string_equal(hmiscsv_entry(pkg, 0)->path, "Export.csv");
	assert_string_equal(hmiscsv_entry(pkg, 1)->path, "0:00:00,U");
	assert_null(hmiscsv_find(pkg, "User.csv"));
	hmiscsv_close(&pkg);
	tu_rmtree(dir);
}

static void test_zip_bomb_declared(void **state)
{
	char dir[256], zp[512];
	size_t n = 8u << 20;
	char *zeros = calloc(1, n);
	struct zent ents[] = {
		{ "Export.csv", EXPORT_CSV, sizeof EXPORT_CSV - 1, 0 },
		{ "Client.csv", NULL, 0, 0 },
	};
	struct pkglog pl = { .nev = 0 };
	struct hmiscsv *pkg;
	struct hmx_err err;

	(void)state;
	assert_non_null(zeros);
	ents[1].data = zeros;
	ents[1].len = n;
	tu_mkdtemp(dir, sizeof dir);
	snprintf(zp, sizeof zp, "%s/bomb.zip", dir);
	mkzip(zp, ents, 2);
	seed_file("archive", "bomb.zip", zp);
	assert_int_equal(hmiscsv_open(zp, NULL, on_pkg_event, &pl, &pkg, &err), HMX_ESTATE);
	assert_null(pkg);
	assert_int_equal(pl.nev, 1);
	assert_int_equal(pl.ev[0].kind, HCSV_EV_LIMIT);
	assert_string_equal(pl.ev[0].file, "Client.csv");
	assert_int_equal(pl.ev[0].count, n);

	/* the same archive under a smaller total limit: the total trips first */
	{
		struct hmiscsv_limits lim = { .max_total = 1u << 20 };
		pl.nev = 0;
		assert_int_equal(hmiscsv_open(zp, &lim, on_pkg_event, &pl, &pkg, &err), HMX_ESTATE);
		assert_int_equal(pl.nev, 1);
		assert_int_equal(pl.ev[0].kind, HCSV_EV_LIMIT);
		assert_string_equal(pl.ev[0].file, "");
		assert_int_equal(pl.ev[0].count, n + sizeof EXPORT_CSV - 1);
	}
	tu_rmtree(dir);
	free(zeros);
}

static void test_zip_bomb_streaming(void **state)
{
	char dir[256], zp[512];
	size_t n = 8u << 20;
	char *zeros = calloc(1, n);
	struct zent ents[] = {
		{ "Export.csv", EXPORT_CSV, sizeof EXPORT_CSV - 1, 0 },
		{ "Client.csv", NULL, 0, 0 },
	};
	struct pkglog pl = { .nev = 0 };
	struct hmiscsv *pkg;
	struct hmx_err err;
	struct log *lg = calloc(1, sizeof *lg);
	struct hcsv_handler h = { NULL, NULL, on_event, NULL, NULL }; /* rows: too many */

	(void)state;
	assert_non_null(zeros);
	assert_non_null(lg);
	for (size_t i = 0; i < n; i += 4)
		memcpy(zeros + i, "1,2\n", 4);
	ents[1].data = zeros;
	ents[1].len = n;
	tu_mkdtemp(dir, sizeof dir);
	snprintf(zp, sizeof zp, "%s/liar.zip", dir);
	mkzip(zp, ents, 2);
	/* headers claim 4000 bytes: only streaming can catch it */
	tu_zip_patch_size(zp, (uint32_t)n, 4000);
	seed_file("archive", "liar.zip", zp);
	assert_int_equal(hmiscsv_open(zp, NULL, on_pkg_event, &pl, &pkg, &err), HMX_OK);
	assert_int_equal(pl.nev, 0);
	assert_int_equal(hmiscsv_find(pkg, "Client.csv")->size, 4000);
	h.ctx = lg;
	assert_int_equal(hmiscsv_read(pkg, hmiscsv_find(pkg, "Client.csv"), NULL, &h, &lg->st,
		&err), HMX_ESTATE);
	assert_int_equal(pl.nev, 1);
	assert_int_equal(pl.ev[0].kind, HCSV_EV_LIMIT);
	assert_string_equal(pl.ev[0].file, "Client.csv");
	/* stopped within a read buffer of the first point over 200:1 */
	assert_true(pl.ev[0].count > (1u << 20));
	assert_true(pl.ev[0].count <= (3u << 20));
	assert_true(lg->st.halted);
	/* the package refuses further reads */
	assert_int_equal(hmiscsv_read(pkg, hmiscsv_find(pkg, "Export.csv"), NULL, &h, NULL,
		&err), HMX_ESTATE);
	hmiscsv_close(&pkg);

	/* total limit while streaming: ratio out of the way */
	{
		struct hmiscsv_limits lim = { .max_total = 1u << 20, .max_ratio = 1000000 };
		pl.nev = 0;
		assert_int_equal(hmiscsv_open(zp, &lim, on_pkg_event, &pl, &pkg, &err), HMX_OK);
		assert_int_equal(hmiscsv_read(pkg, hmiscsv_find(pkg, "Client.csv"), NULL, NULL, NULL,
			&err), HMX_ESTATE);
		assert_int_equal(pl.nev, 1);
		assert_int_equal(pl.ev[0].kind, HCSV_EV_LIMIT);
		assert_true(pl.ev[0].count > (1u << 20));
		assert_true(pl.ev[0].count <= (2u << 20) + 4096);
		hmiscsv_close(&pkg);
	}
	tu_rmtree(dir);
	free(zeros);
	free(lg);
}

static void test_zip_truncated_and_corrupt(void **state)
{
	char dir[256], zp[512];
	size_t n = 200000, len;
	char *text = malloc(n);
	const struct zent ents[] = {
		{ "Organization.csv", NULL, 0, 0 },
		{ "Export.csv", EXPORT_CSV, sizeof EXPORT_CSV - 1, 0 },
	};
	struct zent e2[2];
	struct pkglog pl = { .nev = 0 };
	struct hmiscsv *pkg;
	struct hmx_err err;
	unsigned char *b;
	FILE *f;
	struct log *lg = calloc(1, sizeof *lg);
	struct hcsv_handler h = handler;
	enum hmx_rc rc;

	(void)state;
	assert_non_null(text);
	assert_non_null(lg);
	for (size_t i = 0; i < n; i++)
		text[i] = i % 50 == 49 ? '\n' : (char)('a' + (i * 7 + i / 13) % 26);
	memcpy(e2, ents, sizeof e2);
	e2[0].data = text;
	e2[0].len = n;
	tu_mkdtemp(dir, sizeof dir);
	snprintf(zp, sizeof zp, "%s/t.zip", dir);
	mkzip(zp, e2, 2);

	/* cut in half: the central directory is gone */
	b = tu_slurp(zp, &len);
	f = fopen(zp, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, len / 2, f), len / 2);
	fclose(f);
	seed_file("archive", "truncated.zip", zp);
	assert_int_equal(hmiscsv_open(zp, NULL, on_pkg_event, &pl, &pkg, &err), HMX_EINVAL);
	assert_int_equal(pl.nev, 1);
	assert_int_equal(pl.ev[0].kind, HCSV_EV_UNREADABLE);

	/* directory intact, compressed data damaged */
	{
		size_t name_len = b[26] | b[27] << 8, extra_len = b[28] | b[29] << 8;
		size_t at = 30 + name_len + extra_len + 200;
		for (size_t i = 0; i < 64; i++)
			b[at + i] ^= 0x5a;
	}
	f = fopen(zp, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, len, f), len);
	fclose(f);
	seed_file("archive", "corrupt.zip", zp);
	pl.nev = 0;
	assert_int_equal(hmiscsv_open(zp, NULL, on_pkg_event, &pl, &pkg, &err), HMX_OK);
	h.ctx = lg;
	rc = hmiscsv_read(pkg, hmiscsv_find(pkg, "Organization.csv"), NULL, &h, &lg->st, &err);
	assert_int_equal(rc, HMX_EIO);
	assert_int_equal(count_kind(lg, HCSV_EV_READ_ERROR), 1);
	assert_true(lg->st.halted);
	/* the intact entry still reads */
	memset(lg, 0, sizeof *lg);
	assert_int_equal(hmiscsv_read(pkg, hmiscsv_find(pkg, "Export.csv"), NULL, &h, &lg->st,
		&err), HMX_OK);
	assert_int_equal(lg->st.rows, 1);
	hmiscsv_close(&pkg);
	free(b);
	free(text);
	free(lg);
	tu_rmtree(dir);
}

static uint64_t prog_done, prog_total, prog_calls;
static char prog_what[64];

static void progress_hook(void *ctx, const char *what, uint64_t done, uint64_t total)
{
	(void)ctx;
	prog_calls++;
	prog_done = done;
	prog_total = total;
	snprintf(prog_what, sizeof prog_what, "%s", what);
}

static void test_progress_and_two_rows(void **state)
{
	char dir[256];
	struct hmiscsv *pkg;
	struct hmx_err err;
	struct hmx_hooks hooks = { NULL, progress_hook, NULL, NULL };
	struct hmiscsv_limits lim = { .read_size = 64 };
	struct hcsv_stats st;
	const char two[] = EXPORT_CSV "E2,1,S1,Source,,,,,,2024-10-01 12:00:00,2023-10-01,"
		"2024-09-30,Soft,1.0,2024 v1.3,3,2,1,I1\n";

	(void)state;
	tu_mkdtemp(dir, sizeof dir);
	tu_write(dir, "Export.csv", two, (size_t)-1);
	hmx_hooks_install(&hooks);
	assert_int_equal(hmiscsv_open(dir, &lim, NULL, NULL, &pkg, &err), HMX_OK);
	assert_int_equal(hmiscsv_read(pkg, hmiscsv_find(pkg, "Export.csv"),
		spec_file_find(fy24, "Export.csv"), NULL, &st, &err), HMX_OK);
	hmx_hooks_install(NULL);
	/* Export.csv with two rows: the reader counts, the validator judges */
	assert_int_equal(st.rows, 2);
	assert_int_equal(prog_calls, (sizeof two - 1 + 63) / 64);
	assert_int_equal(prog_done, sizeof two - 1);
	assert_int_equal(prog_total, sizeof two - 1);
	assert_string_equal(prog_what, "Export.csv");
	hmiscsv_close(&pkg);
	tu_rmtree(dir);
}

static void test_event_names(void **state)
{
	(void)state;
	assert_string_equal(hcsv_event_name(HCSV_EV_BAD_UTF8), "bad-utf8");
	assert_string_equal(hcsv_event_name(HCSV_EV_ROW_TOO_LONG), "row-too-long");
	for (int k = HCSV_EV_UNREADABLE; k <= HCSV_EV_ROW_TOO_LONG; k++)
		assert_string_not_equal(hcsv_event_name((enum hcsv_event_kind)k), "?");
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
		cmocka_unit_test(test_basic_rows),
		cmocka_unit_test(test_quoted_fields),
		cmocka_unit_test(test_blank_lines_and_last_line),
		cmocka_unit_test(test_crlf_and_mixed),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_control_and_nul),
		cmocka_unit_test(test_bad_quote),
		cmocka_unit_test(test_unterminated_quote),
		cmocka_unit_test(test_empty_and_header_only),
		cmocka_unit_test(test_field_count),
		cmocka_unit_test(test_thousand_fields),
		cmocka_unit_test(test_huge_field),
		cmocka_unit_test(test_row_too_long),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_header_exact),
		cmocka_unit_test(test_header_case),
		cmocka_unit_test(test_header_reordered),
		cmocka_unit_test(test_header_dup_missing_extra),
		cmocka_unit_test(test_header_nonprintable_name),
		cmocka_unit_test(test_header_missing_no_pii),
		cmocka_unit_test(test_codes_pick_from_row),
		cmocka_unit_test(test_folder),
		cmocka_unit_test(test_folder_subfolder_symlink_fifo),
		cmocka_unit_test(test_unreadable_inputs),
		cmocka_unit_test(test_zip_basic),
		cmocka_unit_test(test_zip_subfolder),
		cmocka_unit_test(test_zip_refused_entries),
		cmocka_unit_test(test_zip_bomb_declared),
		cmocka_unit_test(test_zip_bomb_streaming),
		cmocka_unit_test(test_zip_truncated_and_corrupt),
		cmocka_unit_test(test_progress_and_two_rows),
		cmocka_unit_test(test_event_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
