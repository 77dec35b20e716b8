/* tests/fuzz/fuzz_csvrow.c — libFuzzer target for the HMIS CSV record
 * reader (core/hmiscsv: hcsv_reader). The first three bytes choose the
 * spec file the header is mapped to, the feed chunk size and tight or
 * default limits; the rest is the file. Every input is read twice, in
 * one piece and in chunks, and the two reads must report the same: any
 * difference, broken invariant or sanitizer report is a crash.
 *
 * Build, seed and run: tests/fuzz/README.md. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/hmiscsv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct tally {
	uint64_t hash;     /* of every callback and what it carried */
	uint64_t last_line;
	uint64_t header_line;
	size_t max_fields;
	size_t rows, events;
};

static void mix(struct tally *t, uint64_t v)
{
	t->hash = (t->hash ^ v) * 0x100000001b3ull;
}

static void on_event(void *ctx, const struct hcsv_event *ev)
{
	struct tally *t = ctx;

	t->events++;
	mix(t, (uint64_t)ev->kind);
	mix(t, ev->line);
	mix(t, (uint64_t)ev->column);
	mix(t, ev->count);
	if (ev->name)
		for (const char *p = ev->name; *p; p++)
			if (*p < 0x20 || *p > 0x7e)
				abort(); /* names must be printable ASCII */
}

static int on_header(void *ctx, const struct hcsv_header *h)
{
	struct tally *t = ctx;

	t->header_line = h->line;
	mix(t, h->ncols);
	if (h->ncols > t->max_fields || h->ncols > h->ntotal)
		abort();
	for (size_t i = 0; i < h->ncols; i++) {
		if (h->names[i].p[h->names[i].len] != '\0')
			abort();
		if (h->file && h->col_of[i] >= 0 &&
		    h->pos_of[h->col_of[i]] != (int)i)
			abort();
	}
	return 0;
}

static int on_row(void *ctx, const struct hcsv_header *h, const struct hcsv_row *r)
{
	struct tally *t = ctx;

	if (r->line <= t->last_line || r->line <= h->line || r->index != t->rows)
		abort();
	t->last_line = r->line;
	t->rows++;
	mix(t, r->line);
	mix(t, r->ntotal);
	if (r->nfields > t->max_fields || r->nfields > r->ntotal)
		abort();
	for (size_t i = 0; i < r->nfields; i++) {
		if (r->f[i].p[r->f[i].len] != '\0')
			abort();
		mix(t, r->f[i].len);
		if (r->f[i].len)
			mix(t, (unsigned char)r->f[i].p[r->f[i].len - 1]);
	}
	if (h->file)
		for (size_t c = 0; c < h->file->ncolumns; c++)
			(void)hcsv_get(r, h, c);
	return 0;
}

static struct spec *spec;

static void read_once(const uint8_t *d, size_t n, size_t chunk, const struct spec_file *sf,
	const struct hmiscsv_limits *lim, struct tally *t, struct hcsv_stats *st)
{
	struct hcsv_handler h = { on_header, on_row, on_event, NULL, t };
	struct hcsv_reader *r;

	memset(t, 0, sizeof *t);
	t->max_fields = lim->max_fields;
	if (hcsv_reader_new(sf, "F.csv", lim, &h, &r, NULL) != HMX_OK)
		abort();
	for (size_t off = 0; off < n; off += chunk)
		if (!hcsv_reader_feed(r, d + off, n - off < chunk ? n - off : chunk))
			break;
	if (n == 0)
		hcsv_reader_feed(r, d, 0);
	if (hcsv_reader_finish(r, st) != HMX_OK)
		abort();
	hcsv_reader_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hmiscsv_limits lim;
	const struct spec_file *sf = NULL;
	struct tally a, b;
	struct hcsv_stats sa, sb;
	size_t chunk;

	if (!spec && spec_load(SPEC_FY2024, &spec, NULL) != HMX_OK)
		abort();
	if (size < 3)
		return 0;
	if (data[0] % 25 < 24)
		sf = spec_file_at(spec, data[0] % 25);
	chunk = (size_t)data[1] % 64 + 1;
	hmiscsv_limits_default(&lim);
	if (data[2] & 1) {
		lim.max_field = 64;
		lim.max_row = 512;
		lim.max_fields = 16;
	}
	data += 3;
	size -= 3;
	read_once(data, size, size ? size : 1, sf, &lim, &a, &sa);
	read_once(data, size, chunk, sf, &lim, &b, &sb);
	if (a.hash != b.hash || a.rows != b.rows || a.events != b.events ||
	    sa.rows != sb.rows || sa.halted != sb.halted || sa.bom != sb.bom)
		abort();
	if (!sa.halted && (sa.lines != sb.lines || sa.bytes != size ||
	    sa.eol_lf != sb.eol_lf || sa.eol_crlf != sb.eol_crlf || sa.eol_cr != sb.eol_cr))
		abort();
	return 0;
}
