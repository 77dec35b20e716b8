/* core/hmiscsv.c — the HMIS CSV export reader (see hmiscsv.h).
 *
 * How a file is read. Input is scanned once, eight bytes at a time where
 * it is plain ASCII, up to the next CR or LF; the scan validates UTF-8
 * (state carried across chunk ends) and spots control bytes, flags that
 * are reported when the physical line is over. The bytes up
 * to and including that line ending are then handed to libcsv (strict
 * mode, no blank trimming, at most 64 KiB per call). So every libcsv
 * callback happens while the reader knows the current physical line, and
 * a record starts on the line where non-line-ending bytes were first fed
 * outside a record; a line ending fed while libcsv is still inside the
 * record was inside a quoted field. libcsv hands each finished field over
 * in its own buffer; the reader copies it into one reused arena per record
 * (no allocation per field) and delivers the record at libcsv's end-of-row
 * callback. Every stop happens at a byte fixed by the input alone, so the
 * callbacks and their order never depend on how the input was chunked.
 * Memory: the read buffer, libcsv's field buffer (checked at line ends and
 * every 64 KiB, so never beyond max_field + 68 KiB), the record arena (at
 * most max_row) and max_fields field slots. */
#include "hmiscsv.h"

#include <csv.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#define HCSV_PIECE 65536            /* most bytes per csv_parse call */
#define HCSV_BLK 4096               /* libcsv field buffer growth step */
#define HCSV_RATIO_FLOOR (1u << 20) /* ratio judged past this many bytes */
#define FAST_LEN 32                 /* fields copied by cb_field's fast path */

#define DEF_MAX_TOTAL ((uint64_t)20 << 30)
#define DEF_MAX_RATIO 200u
#define DEF_MAX_FIELD ((size_t)1 << 20)
#define DEF_MAX_ROW ((size_t)8 << 20)
#define DEF_MAX_FIELDS ((size_t)4096)
#define DEF_READ_SIZE ((size_t)1 << 20)

void hmiscsv_limits_default(struct hmiscsv_limits *l)
{
	l->max_total = DEF_MAX_TOTAL;
	l->max_ratio = DEF_MAX_RATIO;
	l->max_field = DEF_MAX_FIELD;
	l->max_row = DEF_MAX_ROW;
	l->max_fields = DEF_MAX_FIELDS;
	l->read_size = DEF_READ_SIZE;
}

static void limits_fill(struct hmiscsv_limits *out, const struct hmiscsv_limits *in)
{
	hmiscsv_limits_default(out);
	if (!in)
		return;
	if (in->max_total)
		out->max_total = in->max_total;
	if (in->max_ratio)
		out->max_ratio = in->max_ratio;
	if (in->max_field)
		out->max_field = in->max_field;
	if (in->max_row)
		out->max_row = in->max_row;
	if (in->max_fields)
		out->max_fields = in->max_fields;
	if (in->read_size)
		out->read_size = in->read_size;
}

const char *hcsv_event_name(enum hcsv_event_kind k)
{
	switch (k) {
	case HCSV_EV_UNREADABLE: return "unreadable";
	case HCSV_EV_SUBFOLDER: return "subfolder";
	case HCSV_EV_REFUSED: return "refused-entry";
	case HCSV_EV_LIMIT: return "limit";
	case HCSV_EV_READ_ERROR: return "read-error";
	case HCSV_EV_EMPTY: return "empty";
	case HCSV_EV_BOM: return "bom";
	case HCSV_EV_MIXED_EOL: return "mixed-eol";
	case HCSV_EV_BAD_UTF8: return "bad-utf8";
	case HCSV_EV_CONTROL_CHAR: return "control-char";
	case HCSV_EV_BAD_QUOTE: return "bad-quote";
	case HCSV_EV_UNTERMINATED: return "unterminated-quote";
	case HCSV_EV_COL_MISSING: return "column-missing";
	case HCSV_EV_COL_EXTRA: return "column-extra";
	case HCSV_EV_COL_CASE: return "column-case";
	case HCSV_EV_COL_DUP: return "column-duplicate";
	case HCSV_EV_COL_ORDER: return "column-order";
	case HCSV_EV_FIELD_COUNT: return "field-count";
	case HCSV_EV_TOO_MANY_FIELDS: return "too-many-fields";
	case HCSV_EV_FIELD_TOO_LONG: return "field-too-long";
	case HCSV_EV_ROW_TOO_LONG: return "row-too-long";
	}
	return "?";
}

/* Printable-ASCII copy of s[0..n) into buf (size m); others become '?'. */
static const char *sanitize(char *buf, size_t m, const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n && k + 1 < m; i++) {
		unsigned char c = (unsigned char)s[i];
		buf[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (i < n && m > 4) {
		k = k > m - 4 ? m - 4 : k;
		memcpy(buf + k, "...", 3);
		k += 3;
	}
	buf[k] = '\0';
	return buf;
}

/* ==== hcsv_reader ==== */

enum { EOL_NONE, EOL_CRLF, EOL_LF, EOL_CR };

struct hcsv_reader {
	struct csv_parser csv;
	bool csv_live;
	const struct spec_file *sf;
	char name[128];
	struct hmiscsv_limits lim;
	struct hcsv_handler h;

	/* position */
	uint64_t line;          /* current physical line, 1-based */
	uint64_t rec_line;      /* where the current record started */
	uint64_t field_line;    /* where the current field started */
	bool in_record;         /* libcsv holds part of a record */
	bool any_record;
	bool at_line_start;
	bool after_cr;          /* last byte consumed was CR */
	bool cr_struct;         /* ... outside a quoted field */
	int eol_first;
	bool eol_mixed;

	/* UTF-8 state across chunks, and what the current line holds */
	unsigned u8_need;
	unsigned char u8_lo, u8_hi;
	bool fl_bad, fl_ctl;
	uint64_t pos;           /* bytes handed to libcsv */

	/* first bytes, held until a BOM can be judged */
	unsigned char head[3];
	unsigned nhead;
	bool head_done;

	/* record being assembled */
	char *arena;
	size_t alen, acap;
	struct hcsv_field *fields;
	size_t nfields, fcap;
	size_t fast_n;          /* fcap, or 0 once halted: cb_field's fast path */
	size_t fast_len;        /* FAST_LEN once libcsv's buffer is that big, or
	                         * max_field if smaller; else 0 */
	size_t ntotal;

	/* header */
	bool have_header;
	struct hcsv_header hdr;
	char *hdr_arena;
	struct hcsv_field *hdr_names;
	int *col_of, *pos_of;

	struct hcsv_stats st;
	bool halt;              /* stopped: only the current line is still scanned */
	bool done;              /* takes no more input */
	bool finished;
	enum hmx_rc rc;
	char evname[160];
};

static void emit(struct hcsv_reader *r, enum hcsv_event_kind k, uint64_t line, long col,
	const char *name, size_t nlen, uint64_t count)
{
	struct hcsv_event ev;

	if (!r->h.on_event)
		return;
	ev.kind = k;
	ev.file = r->name;
	ev.line = line;
	ev.column = col;
	ev.name = name ? sanitize(r->evname, sizeof r->evname, name, nlen) : NULL;
	ev.count = count;
	r->h.on_event(r->h.ctx, &ev);
}

static void halt(struct hcsv_reader *r)
{
	r->halt = true;
	r->fast_n = 0;
}

static void stop(struct hcsv_reader *r)
{
	halt(r);
	r->st.halted = true;
}

static void oom(struct hcsv_reader *r)
{
	halt(r);
	r->rc = HMX_ENOMEM;
}

static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

/* Makes room for need bytes in the arena, or reports ROW_TOO_LONG. The
 * fields already kept point into the arena: they are moved along. */
static bool arena_grow(struct hcsv_reader *r, size_t need)
{
	size_t cap = r->acap ? r->acap : 4096;
	char *na;

	if (need > r->lim.max_row + FAST_LEN) {
		emit(r, HCSV_EV_ROW_TOO_LONG, r->rec_line, -1, NULL, 0, r->lim.max_row);
		stop(r);
		return false;
	}
	while (cap < need)
		cap *= 2;
	if (cap > r->lim.max_row + FAST_LEN)
		cap = r->lim.max_row + FAST_LEN;
	na = malloc(cap);
	if (!na) {
		oom(r);
		return false;
	}
	if (r->alen)
		memcpy(na, r->arena, r->alen);
	for (size_t i = 0; i < r->nfields; i++)
		r->fields[i].p = na + (r->fields[i].p - r->arena);
	free(r->arena);
	r->arena = na;
	r->acap = cap;
	return true;
}

static bool fields_grow(struct hcsv_reader *r)
{
	size_t cap = r->fcap ? 2 * r->fcap : 64;
	struct hcsv_field *nf;

	if (cap > r->lim.max_fields)
		cap = r->lim.max_fields;
	nf = realloc(r->fields, cap * sizeof *nf);
	if (!nf) {
		oom(r);
		return false;
	}
	r->fields = nf;
	r->fcap = cap;
	r->fast_n = r->halt ? 0 : cap;
	return true;
}

/* The general case of cb_field: halted, guards, growth, dropped fields.
 * Kept out of line so the fast path needs no stack frame. */
__attribute__((noinline, cold))
static void field_slow(struct hcsv_reader *r, const void *s, size_t len)
{
	size_t need;

	if (r->halt)
		return;
	if (len > r->lim.max_field) {
		emit(r, HCSV_EV_FIELD_TOO_LONG, r->field_line, (long)r->ntotal, NULL, 0,
			r->lim.max_field);
		stop(r);
		return;
	}
	if (r->ntotal < r->lim.max_fields) {
		need = r->alen + len + 1;
		if (need + FAST_LEN > r->acap && !arena_grow(r, need + FAST_LEN))
			return;
		if (r->nfields == r->fcap && !fields_grow(r))
			return;
		if (len)
			memcpy(r->arena + r->alen, s, len);
		r->arena[r->alen + len] = '\0';
		r->fields[r->nfields].p = r->arena + r->alen;
		r->fields[r->nfields].len = len;
		r->nfields++;
		r->alen = need;
	}
	r->ntotal++;
	r->field_line = r->line;
}

/* libcsv: one field done; s is libcsv's field buffer. The fast path (no
 * call, no stack frame) copies a field of up to FAST_LEN bytes with one
 * fixed-size move: libcsv's buffer then holds at least FAST_LEN bytes
 * (src_wide, checked in parse) and the arena keeps FAST_LEN bytes of
 * slack, so both ends of the move stay inside their allocations. */
static void cb_field(void *s, size_t len, void *data)
{
	struct hcsv_reader *r = data;
	size_t n = r->nfields, at = r->alen;
	char *d;

	if (__builtin_expect(n >= r->fast_n || len > r->fast_len ||
	    at + FAST_LEN + 1 > r->acap, 0)) {
		field_slow(r, s, len);
		return;
	}
	d = r->arena + at;
	memcpy(d, s, FAST_LEN);
	d[len] = '\0';
	r->fields[n].p = d;
	r->fields[n].len = len;
	r->nfields = n + 1;
	r->ntotal = n + 1;
	r->alen = at + len + 1;
	r->field_line = r->line;
}

/* Letters, digits and '_', starting with a letter, at most 64 bytes. */
static bool plain_name(const char *p, size_t n)
{
	if (n == 0 || n > 64 || !((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')))
		return false;
	for (size_t i = 1; i < n; i++) {
		char c = p[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_'))
			return false;
	}
	return true;
}

static void map_header(struct hcsv_reader *r)
{
	const struct spec_file *sf = r->sf;
	size_t n = r->nfields, known = 0;
	int last = -1;

	r->hdr_names = malloc((n ? n : 1) * sizeof *r->hdr_names);
	r->col_of = malloc((n ? n : 1) * sizeof *r->col_of);
	r->hdr_arena = malloc(r->alen ? r->alen : 1);
	if (sf)
		r->pos_of = malloc(sf->ncolumns * sizeof *r->pos_of);
	if (!r->hdr_names || !r->col_of || !r->hdr_arena || (sf && !r->pos_of)) {
		oom(r);
		return;
	}
	if (r->alen)
		memcpy(r->hdr_arena, r->arena, r->alen);
	for (size_t i = 0; i < n; i++) {
		r->hdr_names[i].p = r->hdr_arena + (r->fields[i].p - r->arena);
		r->hdr_names[i].len = r->fields[i].len;
		r->col_of[i] = -1;
	}
	r->hdr.file = sf;
	r->hdr.line = r->rec_line;
	r->hdr.ncols = n;
	r->hdr.ntotal = r->ntotal;
	r->hdr.names = r->hdr_names;
	r->hdr.col_of = r->col_of;
	r->hdr.pos_of = r->pos_of;
	r->hdr.in_order = true;
	if (!sf)
		return;
	for (size_t j = 0; j < sf->ncolumns; j++)
		r->pos_of[j] = -1;
	for (size_t i = 0; i < n; i++) {
		const struct hcsv_field *f = &r->hdr_names[i];
		if (spec_column_find(sf, f->p, f->len, NULL))
			known++;
	}
	for (size_t i = 0; i < n; i++) {
		const struct hcsv_field *f = &r->hdr_names[i];
		bool exact;
		const struct spec_column *c = spec_column_find(sf, f->p, f->len, &exact);

		if (!c) {
			/* the text only when this is a header, not a first data
			 * record, and it looks like a column name */
			bool show = 2 * known >= n && plain_name(f->p, f->len);
			emit(r, HCSV_EV_COL_EXTRA, r->rec_line, (long)i, show ? f->p : NULL, f->len, 0);
		} else if (r->pos_of[c->index] >= 0) {
			emit(r, HCSV_EV_COL_DUP, r->rec_line, (long)i, f->p, f->len, 0);
		} else {
			r->pos_of[c->index] = (int)i;
			r->col_of[i] = (int)c->index;
			if (!exact)
				emit(r, HCSV_EV_COL_CASE, r->rec_line, (long)i, f->p, f->len, 0);
			if ((int)c->index < last)
				r->hdr.in_order = false;
			last = (int)c->index;
		}
	}
	for (size_t j = 0; j < sf->ncolumns; j++)
		if (r->pos_of[j] < 0)
			emit(r, HCSV_EV_COL_MISSING, r->rec_line, (long)j, sf->columns[j].name,
				strlen(sf->columns[j].name), 0);
	if (!r->hdr.in_order)
		emit(r, HCSV_EV_COL_ORDER, r->rec_line, -1, NULL, 0, 0);
}

/* libcsv: one record done. */
static void cb_row(int c, void *data)
{
	struct hcsv_reader *r = data;

	(void)c;
	r->in_record = false;
	if (r->halt)
		goto out;
	if (r->ntotal > r->lim.max_fields)
		emit(r, HCSV_EV_TOO_MANY_FIELDS, r->rec_line, -1, NULL, 0, r->ntotal);
	if (!r->have_header) {
		r->have_header = true;
		r->st.header = true;
		map_header(r);
		if (!r->halt && r->h.on_header && r->h.on_header(r->h.ctx, &r->hdr)) {
			halt(r);
			r->st.cancelled = true;
		}
	} else {
		struct hcsv_row row;

		if (r->ntotal != r->hdr.ntotal)
			emit(r, HCSV_EV_FIELD_COUNT, r->rec_line, -1, NULL, 0, r->ntotal);
		row.line = r->rec_line;
		row.index = r->st.rows++;
		row.nfields = r->nfields;
		row.ntotal = r->ntotal;
		row.f = r->fields;
		if (r->h.on_row && r->h.on_row(r->h.ctx, &r->hdr, &row)) {
			halt(r);
			r->st.cancelled = true;
		}
	}
out:
	r->alen = 0;
	r->nfields = 0;
	r->ntotal = 0;
}

/* Line flags: set while scanning, reported when the line is over. */
static void bad_utf8(struct hcsv_reader *r)
{
	r->fl_bad = true;
}

static void control_char(struct hcsv_reader *r)
{
	r->fl_ctl = true;
}

static void flush_line(struct hcsv_reader *r, uint64_t line)
{
	if (r->fl_bad) {
		r->st.bad_utf8_lines++;
		emit(r, HCSV_EV_BAD_UTF8, line, -1, NULL, 0, 0);
	}
	if (r->fl_ctl)
		emit(r, HCSV_EV_CONTROL_CHAR, line, -1, NULL, 0, 0);
	r->fl_bad = false;
	r->fl_ctl = false;
}

/* Returns the first CR or LF in [p, end), or end; validates UTF-8 and
 * reports control bytes on the way. */
static const unsigned char *scan(struct hcsv_reader *r, const unsigned char *p,
	const unsigned char *end)
{
	while (p < end) {
		unsigned char c;

		if (r->u8_need) {
			c = *p;
			if (c >= r->u8_lo && c <= r->u8_hi) {
				r->u8_lo = 0x80;
				r->u8_hi = 0xBF;
				r->u8_need--;
				p++;
				continue;
			}
			/* truncated sequence: judge c afresh */
			r->u8_need = 0;
			bad_utf8(r);
		}
		/* 8 bytes at a time while all are in 0x20..0x7f */
		while (end - p >= 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			if (((w - 0x2020202020202020ull) | w) & 0x8080808080808080ull)
				break;
			p += 8;
		}
		if (p == end)
			break;
		c = *p;
		if (c >= 0x20 && c < 0x80) {
			p++;
			continue;
		}
		if (c == '\n' || c == '\r')
			return p;
		p++;
		if (c < 0x20) {
			if (c != '\t')
				control_char(r);
		} else if (c < 0xC2) {
			bad_utf8(r); /* continuation without lead, or overlong lead */
		} else if (c < 0xE0) {
			r->u8_need = 1;
			r->u8_lo = 0x80;
			r->u8_hi = 0xBF;
		} else if (c < 0xF0) {
			r->u8_need = 2;
			r->u8_lo = c == 0xE0 ? 0xA0 : 0x80; /* no overlongs */
			r->u8_hi = c == 0xED ? 0x9F : 0xBF; /* no surrogates */
		} else if (c < 0xF5) {
			r->u8_need = 3;
			r->u8_lo = c == 0xF0 ? 0x90 : 0x80;
			r->u8_hi = c == 0xF4 ? 0x8F : 0xBF; /* <= U+10FFFF */
		} else {
			bad_utf8(r);
		}
	}
	return end;
}

/* Hands p[0..n) to libcsv, ending calls at every HCSV_PIECE-th byte of
 * the file and watching libcsv's field buffer there and at line ends
 * (term: p[n-1] ends a line). Those points depend on the input only, so
 * where a guard stops does not depend on how the input was chunked, and
 * the field buffer never passes max_field + HCSV_BLK + HCSV_PIECE. */
static void parse(struct hcsv_reader *r, const unsigned char *p, size_t n, bool term)
{
	while (n > 0 && !r->halt) {
		size_t room = HCSV_PIECE - (size_t)(r->pos % HCSV_PIECE);
		size_t k = n < room ? n : room;
		size_t got = csv_parse(&r->csv, p, k, cb_field, cb_row, r);

		r->pos += k;
		if (r->halt)
			return;
		if (got < k) {
			if (csv_error(&r->csv) == CSV_EPARSE) {
				emit(r, HCSV_EV_BAD_QUOTE, r->line, (long)r->ntotal, NULL, 0, 0);
				stop(r);
			} else {
				oom(r);
			}
			return;
		}
		if ((r->pos % HCSV_PIECE == 0 || (term && k == n)) &&
		    csv_get_buffer_size(&r->csv) > r->lim.max_field + HCSV_BLK) {
			emit(r, HCSV_EV_FIELD_TOO_LONG, r->field_line, (long)r->ntotal, NULL, 0,
				r->lim.max_field);
			stop(r);
			return;
		}
		if (!r->fast_len && csv_get_buffer_size(&r->csv) >= FAST_LEN)
			r->fast_len = r->lim.max_field < FAST_LEN ? r->lim.max_field : FAST_LEN;
		p += k;
		n -= k;
	}
}

static void eol(struct hcsv_reader *r, int kind, bool structural, uint64_t line)
{
	if (!structural)
		return;
	if (kind == EOL_CRLF)
		r->st.eol_crlf++;
	else if (kind == EOL_LF)
		r->st.eol_lf++;
	else
		r->st.eol_cr++;
	if (!r->eol_first) {
		r->eol_first = kind;
	} else if (kind != r->eol_first && !r->eol_mixed) {
		r->eol_mixed = true;
		emit(r, HCSV_EV_MIXED_EOL, line, -1, NULL, 0, 0);
	}
}

static void start_record(struct hcsv_reader *r)
{
	r->in_record = true;
	r->any_record = true;
	r->rec_line = r->line;
	r->field_line = r->line;
}

/* After a stop the rest of the current line is still scanned (not
 * parsed), so its UTF-8 verdict is whole and the same however the input
 * was chunked; then the reader takes no more input. */
static void tail(struct hcsv_reader *r, const unsigned char *p, const unsigned char *end)
{
	const unsigned char *q = scan(r, p, end);

	if (q > p)
		r->at_line_start = false;
	if (q == end) {
		r->st.bytes += (uint64_t)(end - p);
		return;
	}
	r->st.bytes += (uint64_t)(q + 1 - p);
	r->line++;
	r->at_line_start = true;
	flush_line(r, r->line - 1);
	r->done = true;
}

static void process(struct hcsv_reader *r, const unsigned char *p, const unsigned char *end)
{
	while (p < end && !r->done) {
		const unsigned char *q;
		bool structural;

		if (r->halt) {
			tail(r, p, end);
			return;
		}
		if (r->after_cr) {
			r->after_cr = false;
			if (*p == '\n') {
				/* CRLF: the line was counted and reported at the CR */
				eol(r, EOL_CRLF, r->cr_struct, r->line - 1);
				r->st.bytes++;
				parse(r, p, 1, true);
				p++;
				if (r->halt)
					r->done = true;
				continue;
			}
			eol(r, EOL_CR, r->cr_struct, r->line - 1);
		}
		q = scan(r, p, end);
		if (q == end) {
			if (!r->in_record)
				start_record(r);
			r->at_line_start = false;
			r->st.bytes += (uint64_t)(end - p);
			parse(r, p, (size_t)(end - p), false);
			return;
		}
		if (q > p) {
			if (!r->in_record)
				start_record(r);
			r->at_line_start = false;
		}
		r->st.bytes += (uint64_t)(q + 1 - p);
		parse(r, p, (size_t)(q + 1 - p), true);
		structural = !r->in_record;
		r->line++;
		r->at_line_start = true;
		if (!r->halt) {
			if (*q == '\r') {
				r->after_cr = true;
				r->cr_struct = structural;
			} else {
				eol(r, EOL_LF, structural, r->line - 1);
			}
		}
		flush_line(r, r->line - 1);
		if (r->halt)
			r->done = true;
		p = q + 1;
	}
}

enum hmx_rc hcsv_reader_new(const struct spec_file *sf, const char *name,
	const struct hmiscsv_limits *lim, const struct hcsv_handler *h,
	struct hcsv_reader **out, struct hmx_err *err)
{
	struct hcsv_reader *r;

	*out = NULL;
	r = calloc(1, sizeof *r);
	if (!r)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	if (csv_init(&r->csv, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		free(r);
		return hmx_err_set(err, HMX_ENOMEM, "cannot start the CSV parser");
	}
	r->csv_live = true;
	csv_set_space_func(&r->csv, no_space);
	csv_set_blk_size(&r->csv, HCSV_BLK);
	r->sf = sf;
	hmx_strlcpy(r->name, name ? name : "", sizeof r->name);
	limits_fill(&r->lim, lim);
	if (h)
		r->h = *h;
	r->line = 1;
	r->at_line_start = true;
	r->rc = HMX_OK;
	*out = r;
	return HMX_OK;
}

static void head_flush(struct hcsv_reader *r)
{
	r->head_done = true;
	if (r->nhead == 3 && memcmp(r->head, "\xEF\xBB\xBF", 3) == 0) {
		r->st.bom = true;
		r->st.bytes += 3;
		emit(r, HCSV_EV_BOM, 1, -1, NULL, 0, 0);
		return;
	}
	process(r, r->head, r->head + r->nhead);
}

bool hcsv_reader_feed(struct hcsv_reader *r, const void *data, size_t len)
{
	const unsigned char *p = data;

	if (r->done || r->finished)
		return false;
	if (!r->head_done) {
		while (r->nhead < 3 && len > 0) {
			r->head[r->nhead++] = *p++;
			len--;
		}
		if (r->nhead < 3)
			return true;
		head_flush(r);
	}
	if (len)
		process(r, p, p + len);
	return !r->done;
}

enum hmx_rc hcsv_reader_finish(struct hcsv_reader *r, struct hcsv_stats *st)
{
	if (!r->finished) {
		r->finished = true;
		if (!r->head_done)
			head_flush(r);
		if (!r->done) {
			if (r->u8_need) {
				r->u8_need = 0;
				bad_utf8(r); /* sequence cut by the end of the file */
			}
			if (!r->halt) {
				if (r->after_cr) {
					r->after_cr = false;
					eol(r, EOL_CR, r->cr_struct, r->line - 1);
				}
				if (csv_fini(&r->csv, cb_field, cb_row, r) != 0) {
					emit(r, HCSV_EV_UNTERMINATED, r->field_line, (long)r->ntotal,
						NULL, 0, 0);
					stop(r);
				}
			}
			if (!r->at_line_start)
				flush_line(r, r->line);
			r->done = true;
		}
		r->st.lines = r->line - (r->at_line_start ? 1 : 0);
		if (!r->any_record && !r->halt && r->rc == HMX_OK)
			emit(r, HCSV_EV_EMPTY, 0, -1, NULL, 0, r->st.bytes);
	}
	if (st)
		*st = r->st;
	return r->rc;
}

void hcsv_reader_free(struct hcsv_reader **rp)
{
	struct hcsv_reader *r;

	if (!rp || !*rp)
		return;
	r = *rp;
	if (r->csv_live)
		csv_free(&r->csv);
	free(r->arena);
	free(r->fields);
	free(r->hdr_arena);
	free(r->hdr_names);
	free(r->col_of);
	free(r->pos_of);
	free(r);
	*rp = NULL;
}

/* Strict integer (optional sign, digits, 32 bits) for selector columns. */
static bool field_int(const struct hcsv_field *f, long *out)
{
	size_t i = 0;
	long v = 0;
	bool neg = false;

	if (!f || f->len == 0)
		return false;
	if (f->p[0] == '-' || f->p[0] == '+') {
		neg = f->p[0] == '-';
		i = 1;
	}
	if (i == f->len)
		return false;
	for (; i < f->len; i++) {
		if (f->p[i] < '0' || f->p[i] > '9')
			return false;
		v = v * 10 + (f->p[i] - '0');
		if (v > 2147483648L)
			return false;
	}
	v = neg ? -v : v;
	if (v > 2147483647L)
		return false;
	*out = v;
	return true;
}

struct pick {
	const struct hcsv_row *r;
	const struct hcsv_header *h;
};

static bool pick_get(void *ctx, const struct spec_column *sel, long *v)
{
	struct pick *pk = ctx;
	return field_int(hcsv_get(pk->r, pk->h, sel->index), v);
}

const struct spec_codelist *hcsv_codes_pick(const struct hcsv_row *r,
	const struct hcsv_header *h, const struct spec_column *c)
{
	struct pick pk = { r, h };

	if (c->nrules == 0)
		return NULL;
	return spec_codes_pick(c, pick_get, &pk);
}

/* ==== hmiscsv: packages ==== */

struct ent {
	struct hmiscsv_entry pub;
	char *path;
	zip_uint64_t index;  /* zip entry index */
	uint64_t out_max;    /* most bytes one read of it produced */
};

struct hmiscsv {
	char *path;
	bool zip;
	zip_t *za;
	struct hmiscsv_limits lim;
	hcsv_event_fn on_event;
	void *ctx;
	struct ent *ents;
	size_t n, cap;
	char *base;
	uint64_t total;      /* declared */
	uint64_t produced;   /* sum of out_max: bytes the archive expanded to */
	uint64_t done;       /* bytes read, for progress */
	bool limited;        /* a P09 limit was reached */
	unsigned char *buf;
	char evname[160];
};

static void pkg_emit(struct hmiscsv *pkg, enum hcsv_event_kind k, const char *file,
	const char *name, uint64_t count)
{
	struct hcsv_event ev;

	if (!pkg->on_event)
		return;
	ev.kind = k;
	ev.file = file;
	ev.line = 0;
	ev.column = -1;
	ev.name = name ? sanitize(pkg->evname, sizeof pkg->evname, name, strlen(name)) : NULL;
	ev.count = count;
	pkg->on_event(pkg->ctx, &ev);
}

static enum hcsv_refuse bad_path(const char *s)
{
	const char *c;

	if (s[0] == '/' || s[0] == '\\')
		return HCSV_REFUSE_ABSOLUTE;
	if (((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')) && s[1] == ':')
		return HCSV_REFUSE_ABSOLUTE;
	for (c = s;;) {
		size_t n = strcspn(c, "/\\");
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return HCSV_REFUSE_DOTDOT;
		if (!c[n])
			break;
		c += n + 1;
	}
	return 0;
}

static const char *last_part(const char *path)
{
	const char *s = path, *p;

	for (p = path; *p; p++)
		if (*p == '/' || *p == '\\')
			s = p + 1;
	return s;
}

static enum hmx_rc add_entry(struct hmiscsv *pkg, const char *path, uint64_t size,
	uint64_t csize, zip_uint64_t index, struct hmx_err *err)
{
	struct ent *e;

	if (pkg->n == pkg->cap) {
		size_t cap = pkg->cap ? 2 * pkg->cap : 32;
		struct ent *ne = realloc(pkg->ents, cap * sizeof *ne);
		if (!ne)
			return hmx_err_set(err, HMX_ENOMEM, "out of memory");
		pkg->ents = ne;
		pkg->cap = cap;
	}
	e = &pkg->ents[pkg->n];
	memset(e, 0, sizeof *e);
	e->path = strdup(path);
	if (!e->path)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	e->pub.path = e->path;
	e->pub.name = last_part(e->path);
	e->pub.size = size;
	e->pub.csize = csize;
	e->index = index;
	pkg->n++;
	pkg->total = pkg->total + size < pkg->total ? UINT64_MAX : pkg->total + size;
	return HMX_OK;
}

/* Length of the folder part of path, with its last separator. */
static size_t dir_len(const char *path)
{
	return (size_t)(last_part(path) - path);
}

static enum hmx_rc pick_base(struct hmiscsv *pkg, struct hmx_err *err)
{
	const char *best = NULL;
	size_t best_depth = 0, blen = 0;
	bool any_top = false, same_top = true;
	size_t top_len = 0;

	for (size_t i = 0; i < pkg->n; i++) {
		const char *p = pkg->ents[i].path;
		size_t depth = 0, tl;

		for (const char *c = p; *c; c++)
			depth += *c == '/' || *c == '\\';
		if (strcasecmp(last_part(p), "Export.csv") == 0 && (!best || depth < best_depth)) {
			best = p;
			best_depth = depth;
		}
		if (depth == 0)
			any_top = true;
		tl = strcspn(p, "/\\") + 1;
		if (i == 0)
			top_len = tl;
		else if (tl != top_len || strncmp(p, pkg->ents[0].path, tl) != 0)
			same_top = false;
	}
	if (best)
		blen = dir_len(best);
	else if (any_top || pkg->n == 0 || !same_top)
		blen = 0;
	else
		blen = top_len;
	pkg->base = strndup(best ? best : pkg->n ? pkg->ents[0].path : "", blen);
	if (!pkg->base)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	for (size_t i = 0; i < pkg->n; i++) {
		struct ent *e = &pkg->ents[i];
		e->pub.in_base = dir_len(e->path) == blen && strncmp(e->path, pkg->base, blen) == 0;
		if (!e->pub.in_base)
			continue;
		for (size_t k = 0; k < i; k++) {
			if (pkg->ents[k].pub.in_base &&
			    strcasecmp(pkg->ents[k].pub.name, e->pub.name) == 0) {
				e->pub.duplicate = true;
				break;
			}
		}
	}
	if (blen) {
		char folder[160];
		hmx_strlcpy(folder, pkg->base, sizeof folder);
		if (blen - 1 < sizeof folder)
			folder[blen - 1] = '\0';
		pkg_emit(pkg, HCSV_EV_SUBFOLDER, NULL, folder, 0);
	}
	return HMX_OK;
}

static enum hmx_rc open_zip(struct hmiscsv *pkg, struct hmx_err *err)
{
	int zerr = 0;
	zip_int64_t n;
	enum hmx_rc rc;

	pkg->za = zip_open(pkg->path, ZIP_RDONLY, &zerr);
	if (!pkg->za) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		pkg_emit(pkg, HCSV_EV_UNREADABLE, NULL, NULL, 0);
		rc = hmx_err_set(err, HMX_EINVAL, "not a folder nor a readable zip archive: %s",
			zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return rc;
	}
	pkg->zip = true;
	n = zip_get_num_entries(pkg->za, 0);
	for (zip_int64_t i = 0; i < n; i++) {
		const char *name = zip_get_name(pkg->za, (zip_uint64_t)i, 0);
		zip_uint8_t opsys;
		zip_uint32_t attr;
		zip_stat_t st;
		enum hcsv_refuse why;
		size_t len;

		if (!name || !*name)
			continue;
		why = bad_path(name);
		if (!why && zip_file_get_external_attributes(pkg->za, (zip_uint64_t)i, 0, &opsys,
			&attr) == 0 && opsys == ZIP_OPSYS_UNIX && S_ISLNK((mode_t)(attr >> 16)))
			why = HCSV_REFUSE_SYMLINK;
		if (why) {
			pkg_emit(pkg, HCSV_EV_REFUSED, NULL, name, (uint64_t)why);
			continue;
		}
		len = strlen(name);
		if (name[len - 1] == '/' || name[len - 1] == '\\')
			continue; /* folder entry */
		zip_stat_init(&st);
		if (zip_stat_index(pkg->za, (zip_uint64_t)i, 0, &st) != 0 ||
		    !(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE)) {
			pkg_emit(pkg, HCSV_EV_UNREADABLE, NULL, name, 0);
			return hmx_err_set(err, HMX_EINVAL, "zip archive: cannot read the sizes "
				"of an entry");
		}
		rc = add_entry(pkg, name, st.size, st.comp_size, (zip_uint64_t)i, err);
		if (rc != HMX_OK)
			return rc;
	}
	return HMX_OK;
}

static int cmp_ent(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->path, ((const struct ent *)b)->path);
}

/* Lists regular files of dir (relative prefix rel), one level down. */
static enum hmx_rc list_dir(struct hmiscsv *pkg, const char *rel, int depth,
	struct hmx_err *err)
{
	char full[4096];
	DIR *d;
	struct dirent *de;
	enum hmx_rc rc = HMX_OK;

	if ((size_t)snprintf(full, sizeof full, "%s/%s", pkg->path, rel) >= sizeof full)
		return hmx_err_set(err, HMX_EINVAL, "path too long");
	d = opendir(full);
	if (!d) {
		if (depth == 0) {
			pkg_emit(pkg, HCSV_EV_UNREADABLE, NULL, NULL, 0);
			return hmx_err_set(err, HMX_EIO, "cannot read the folder: %s",
				strerror(errno));
		}
		return HMX_OK;
	}
	while (rc == HMX_OK && (de = readdir(d))) {
		char rp[4096], fp[4096];
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(rp, sizeof rp, "%s%s", rel, de->d_name) >= sizeof rp ||
		    (size_t)snprintf(fp, sizeof fp, "%s/%s", pkg->path, rp) >= sizeof fp)
			continue;
		if (lstat(fp, &st) != 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			pkg_emit(pkg, HCSV_EV_REFUSED, NULL, rp, HCSV_REFUSE_SYMLINK);
		} else if (S_ISDIR(st.st_mode)) {
			char sub[4096];
			if (depth > 0)
				continue;
			if ((size_t)snprintf(sub, sizeof sub, "%s/", rp) < sizeof sub)
				rc = list_dir(pkg, sub, depth + 1, err);
		} else if (S_ISREG(st.st_mode)) {
			rc = add_entry(pkg, rp, (uint64_t)st.st_size, (uint64_t)st.st_size, 0, err);
		} else {
			pkg_emit(pkg, HCSV_EV_REFUSED, NULL, rp, HCSV_REFUSE_SPECIAL);
		}
	}
	closedir(d);
	return rc;
}

static bool over_ratio(uint64_t out, uint64_t csize, uint32_t ratio)
{
	if (out <= HCSV_RATIO_FLOOR)
		return false;
	if (csize == 0)
		return true;
	return out / csize > ratio || (out / csize == ratio && out % csize != 0);
}

enum hmx_rc hmiscsv_open(const char *path, const struct hmiscsv_limits *lim,
	hcsv_event_fn on_event, void *ctx, struct hmiscsv **out, struct hmx_err *err)
{
	struct hmiscsv *pkg;
	struct stat st;
	enum hmx_rc rc;

	*out = NULL;
	pkg = calloc(1, sizeof *pkg);
	if (!pkg)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	limits_fill(&pkg->lim, lim);
	pkg->on_event = on_event;
	pkg->ctx = ctx;
	pkg->path = strdup(path ? path : "");
	if (!pkg->path) {
		free(pkg);
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	}
	if (!path || stat(path, &st) != 0) {
		pkg_emit(pkg, HCSV_EV_UNREADABLE, NULL, NULL, 0);
		rc = hmx_err_set(err, HMX_ENOTFOUND, "cannot open the export: %s",
			path ? strerror(errno) : "no path");
	} else if (S_ISDIR(st.st_mode)) {
		rc = list_dir(pkg, "", 0, err);
		if (rc == HMX_OK)
			qsort(pkg->ents, pkg->n, sizeof *pkg->ents, cmp_ent);
	} else if (S_ISREG(st.st_mode)) {
		rc = open_zip(pkg, err);
	} else {
		pkg_emit(pkg, HCSV_EV_UNREADABLE, NULL, NULL, 0);
		rc = hmx_err_set(err, HMX_EINVAL, "not a folder nor a zip archive");
	}
	if (rc == HMX_OK)
		rc = pick_base(pkg, err);
	if (rc == HMX_OK && pkg->zip) {
		if (pkg->total > pkg->lim.max_total) {
			pkg_emit(pkg, HCSV_EV_LIMIT, NULL, NULL, pkg->total);
			rc = hmx_err_set(err, HMX_ESTATE, "the archive would expand to %llu bytes, "
				"over the limit of %llu", (unsigned long long)pkg->total,
				(unsigned long long)pkg->lim.max_total);
		}
		for (size_t i = 0; rc == HMX_OK && i < pkg->n; i++) {
			struct ent *e = &pkg->ents[i];
			if (over_ratio(e->pub.size, e->pub.csize, pkg->lim.max_ratio)) {
				pkg_emit(pkg, HCSV_EV_LIMIT, e->pub.name, e->pub.path, e->pub.size);
				rc = hmx_err_set(err, HMX_ESTATE, "an archive entry declares a "
					"compression ratio over %u:1", pkg->lim.max_ratio);
			}
		}
	}
	if (rc == HMX_OK) {
		pkg->buf = malloc(pkg->lim.read_size);
		if (!pkg->buf)
			rc = hmx_err_set(err, HMX_ENOMEM, "out of memory");
	}
	if (rc != HMX_OK) {
		hmiscsv_close(&pkg);
		return rc;
	}
	*out = pkg;
	return HMX_OK;
}

void hmiscsv_close(struct hmiscsv **pp)
{
	struct hmiscsv *pkg;

	if (!pp || !*pp)
		return;
	pkg = *pp;
	if (pkg->za)
		zip_discard(pkg->za);
	for (size_t i = 0; i < pkg->n; i++)
		free(pkg->ents[i].path);
	free(pkg->ents);
	free(pkg->base);
	free(pkg->buf);
	free(pkg->path);
	free(pkg);
	*pp = NULL;
}

bool hmiscsv_is_zip(const struct hmiscsv *pkg)
{
	return pkg->zip;
}

const char *hmiscsv_base(const struct hmiscsv *pkg)
{
	return pkg->base;
}

size_t hmiscsv_count(const struct hmiscsv *pkg)
{
	return pkg->n;
}

const struct hmiscsv_entry *hmiscsv_entry(const struct hmiscsv *pkg, size_t i)
{
	return i < pkg->n ? &pkg->ents[i].pub : NULL;
}

const struct hmiscsv_entry *hmiscsv_find(const struct hmiscsv *pkg, const char *name)
{
	for (size_t i = 0; name && i < pkg->n; i++)
		if (pkg->ents[i].pub.in_base && strcasecmp(pkg->ents[i].pub.name, name) == 0)
			return &pkg->ents[i].pub;
	return NULL;
}

uint64_t hmiscsv_total(const struct hmiscsv *pkg)
{
	return pkg->total;
}

/* The entry behind a public pointer, or NULL when it is not ours. */
static struct ent *own_entry(struct hmiscsv *pkg, const struct hmiscsv_entry *e)
{
	for (size_t i = 0; i < pkg->n; i++)
		if (&pkg->ents[i].pub == e)
			return &pkg->ents[i];
	return NULL;
}

/* One source of bytes: a zip entry or a file. */
struct src {
	zip_file_t *zf;
	int fd;
};

static enum hmx_rc src_open(struct hmiscsv *pkg, struct ent *e, struct src *s,
	struct hmx_err *err)
{
	s->zf = NULL;
	s->fd = -1;
	if (pkg->zip) {
		s->zf = zip_fopen_index(pkg->za, e->index, 0);
		if (!s->zf)
			return hmx_err_set(err, HMX_EIO, "%s: cannot open the archive entry: %s",
				e->pub.name, zip_strerror(pkg->za));
	} else {
		char fp[8192];
		struct stat st;

		if ((size_t)snprintf(fp, sizeof fp, "%s/%s", pkg->path, e->path) >= sizeof fp)
			return hmx_err_set(err, HMX_EIO, "%s: path too long", e->pub.name);
		s->fd = open(fp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		if (s->fd < 0)
			return hmx_err_set(err, HMX_EIO, "%s: %s", e->pub.name, strerror(errno));
		if (fstat(s->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			close(s->fd);
			s->fd = -1;
			return hmx_err_set(err, HMX_EIO, "%s: not a regular file any more",
				e->pub.name);
		}
#ifdef POSIX_FADV_SEQUENTIAL
		(void)posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	}
	return HMX_OK;
}

/* Reads up to n bytes; 0 at the end, -1 on error (message in err). */
static long long src_read(struct ent *e, struct src *s, void *buf, size_t n,
	struct hmx_err *err)
{
	if (s->zf) {
		zip_int64_t k = zip_fread(s->zf, buf, n);
		if (k < 0)
			hmx_err_set(err, HMX_EIO, "%s: archive data unreadable: %s", e->pub.name,
				zip_file_strerror(s->zf));
		return k;
	}
	for (;;) {
		ssize_t k = read(s->fd, buf, n);
		if (k >= 0)
			return k;
		if (errno == EINTR)
			continue;
		hmx_err_set(err, HMX_EIO, "%s: %s", e->pub.name, strerror(errno));
		return -1;
	}
}

static void src_close(struct src *s)
{
	if (s->zf)
		zip_fclose(s->zf);
	if (s->fd >= 0)
		close(s->fd);
}

/* P09 on the bytes a zip entry actually produced: out bytes of e so far.
 * HMX_ESTATE (event emitted, package marked) past a limit. */
static enum hmx_rc guard(struct hmiscsv *pkg, struct ent *e, uint64_t out, struct hmx_err *err)
{
	if (!pkg->zip)
		return HMX_OK;
	if (out > e->out_max) {
		pkg->produced += out - e->out_max;
		e->out_max = out;
	}
	if (pkg->produced > pkg->lim.max_total || over_ratio(out, e->pub.csize, pkg->lim.max_ratio)) {
		pkg->limited = true;
		pkg_emit(pkg, HCSV_EV_LIMIT, e->pub.name, e->pub.path,
			pkg->produced > pkg->lim.max_total ? pkg->produced : out);
		return hmx_err_set(err, HMX_ESTATE, "%s: the archive expands beyond its size or "
			"compression-ratio limit", e->pub.name);
	}
	return HMX_OK;
}

enum hmx_rc hmiscsv_read(struct hmiscsv *pkg, const struct hmiscsv_entry *pe,
	const struct spec_file *sf, const struct hcsv_handler *h, struct hcsv_stats *st,
	struct hmx_err *err)
{
	struct ent *e = own_entry(pkg, pe);
	struct hcsv_reader *r = NULL;
	struct hcsv_handler hh;
	struct src s;
	enum hmx_rc rc, frc;
	uint64_t out = 0;

	if (st)
		memset(st, 0, sizeof *st);
	if (!e)
		return hmx_err_set(err, HMX_EINVAL, "entry is not part of this package");
	if (pkg->limited)
		return hmx_err_set(err, HMX_ESTATE, "the archive's size limits were reached");
	memset(&hh, 0, sizeof hh);
	if (h)
		hh = *h;
	rc = hcsv_reader_new(sf, e->pub.name, &pkg->lim, &hh, &r, err);
	if (rc != HMX_OK)
		return rc;
	rc = src_open(pkg, e, &s, err);
	if (rc != HMX_OK) {
		struct hcsv_event ev = { HCSV_EV_READ_ERROR, e->pub.name, 0, -1, NULL, 0 };
		if (hh.on_event)
			hh.on_event(hh.ctx, &ev);
		hcsv_reader_free(&r);
		return rc;
	}
	for (;;) {
		long long k = src_read(e, &s, pkg->buf, pkg->lim.read_size, err);

		if (k < 0) {
			struct hcsv_event ev = { HCSV_EV_READ_ERROR, e->pub.name, 0, -1, NULL, out };
			if (hh.on_event)
				hh.on_event(hh.ctx, &ev);
			rc = HMX_EIO;
			break;
		}
		if (k == 0)
			break;
		out += (uint64_t)k;
		pkg->done += (uint64_t)k;
		if ((rc = guard(pkg, e, out, err)) != HMX_OK)
			break;
		if (!hcsv_reader_feed(r, pkg->buf, (size_t)k))
			break;
		if (hh.on_progress)
			hh.on_progress(hh.ctx, e->pub.name, out, e->pub.size);
		else
			hmx_progress(e->pub.name, pkg->done, pkg->total);
	}
	src_close(&s);
	if (rc != HMX_OK)
		stop(r); /* cut short: no partial last record, no end-of-file judgement */
	frc = hcsv_reader_finish(r, st);
	hcsv_reader_free(&r);
	if (rc == HMX_OK && frc != HMX_OK)
		rc = hmx_err_set(err, frc, "%s: out of memory while reading", e->pub.name);
	return rc;
}

struct peek {
	const char *column;
	long pos;
	char *buf;
	size_t n;
	bool found;
};

static int peek_header(void *ctx, const struct hcsv_header *h)
{
	struct peek *p = ctx;
	size_t cl = strlen(p->column);

	for (size_t i = 0; i < h->ncols; i++) {
		if (h->names[i].len == cl && strncasecmp(h->names[i].p, p->column, cl) == 0) {
			p->pos = (long)i;
			return 0;
		}
	}
	return 1;
}

static int peek_row(void *ctx, const struct hcsv_header *h, const struct hcsv_row *r)
{
	struct peek *p = ctx;
	size_t k;

	(void)h;
	if (p->pos >= 0 && (size_t)p->pos < r->nfields) {
		const struct hcsv_field *f = &r->f[p->pos];
		k = f->len < p->n - 1 ? f->len : p->n - 1;
		memcpy(p->buf, f->p, k);
		p->buf[k] = '\0';
		p->found = true;
	}
	return 1;
}

static void peek_progress(void *ctx, const char *file, uint64_t done, uint64_t total)
{
	(void)ctx;
	(void)file;
	(void)done;
	(void)total;
}

enum hmx_rc hmiscsv_peek(struct hmiscsv *pkg, const struct hmiscsv_entry *e,
	const char *column, char *buf, size_t n, struct hmx_err *err)
{
	struct peek p = { column, -1, buf, n, false };
	struct hcsv_handler h;
	enum hmx_rc rc;

	if (!buf || n == 0 || !column)
		return hmx_err_set(err, HMX_EINVAL, "bad arguments");
	buf[0] = '\0';
	memset(&h, 0, sizeof h);
	h.on_header = peek_header;
	h.on_row = peek_row;
	h.on_progress = peek_progress;
	h.ctx = &p;
	rc = hmiscsv_read(pkg, e, NULL, &h, NULL, err);
	if (rc != HMX_OK)
		return rc;
	if (!p.found)
		return hmx_err_set(err, HMX_ENOTFOUND, "%s: no %s value in a first record",
			e->name, column);
	return HMX_OK;
}

struct hmiscsv_stream {
	struct hmiscsv *pkg;
	struct ent *e;
	struct src s;
	uint64_t out;
};

enum hmx_rc hmiscsv_stream_open(struct hmiscsv *pkg, const struct hmiscsv_entry *pe,
	struct hmiscsv_stream **out, struct hmx_err *err)
{
	struct ent *e = own_entry(pkg, pe);
	struct hmiscsv_stream *st;
	enum hmx_rc rc;

	*out = NULL;
	if (!e)
		return hmx_err_set(err, HMX_EINVAL, "entry is not part of this package");
	if (pkg->limited)
		return hmx_err_set(err, HMX_ESTATE, "the archive's size limits were reached");
	if (!(st = calloc(1, sizeof *st)))
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	if ((rc = src_open(pkg, e, &st->s, err)) != HMX_OK) {
		free(st);
		return rc;
	}
	st->pkg = pkg;
	st->e = e;
	*out = st;
	return HMX_OK;
}

long long hmiscsv_stream_read(struct hmiscsv_stream *st, void *buf, size_t n,
	struct hmx_err *err)
{
	long long k;

	if (st->pkg->limited) {
		hmx_err_set(err, HMX_ESTATE, "%s: the archive's size limits were reached",
			st->e->pub.name);
		return -1;
	}
	k = src_read(st->e, &st->s, buf, n, err);
	if (k <= 0)
		return k;
	st->out += (uint64_t)k;
	if (guard(st->pkg, st->e, st->out, err) != HMX_OK)
		return -1;
	return k;
}

void hmiscsv_stream_close(struct hmiscsv_stream **sp)
{
	if (!sp || !*sp)
		return;
	src_close(&(*sp)->s);
	free(*sp);
	*sp = NULL;
}

/* ---- a whole raw CSV file through the reader ---- */

enum hmx_rc hcsv_read_file(const char *path, const char *name, const struct hcsv_handler *h,
			   bool *header, struct hmx_err *err)
{
	struct hcsv_reader *rd = NULL;
	struct hcsv_stats st;
	char buf[65536];
	enum hmx_rc rc;
	ssize_t got;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return hmx_err_set(err, errno == ENOENT ? HMX_ENOTFOUND : HMX_EIO, "%s: %s", path,
				   strerror(errno));
	if ((rc = hcsv_reader_new(NULL, name, NULL, h, &rd, err)) != HMX_OK) {
		close(fd);
		return rc;
	}
	while ((got = read(fd, buf, sizeof buf)) > 0)
		if (!hcsv_reader_feed(rd, buf, (size_t)got))
			break;
	if (got < 0) {
		int e = errno;
		hcsv_reader_free(&rd);
		close(fd);
		return hmx_err_set(err, HMX_EIO, "%s: cannot read: %s", path, strerror(e));
	}
	close(fd);
	rc = hcsv_reader_finish(rd, &st);
	hcsv_reader_free(&rd);
	if (rc != HMX_OK)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory reading %s", path);
	if (header)
		*header = st.header;
	return HMX_OK;
}
