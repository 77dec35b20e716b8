/* tests/fuzz/fuzz_archive.c — libFuzzer target for opening an export
 * archive (core/hmiscsv: hmiscsv_open, hmiscsv_read, hmiscsv_peek). Each
 * input is written to one temporary file (hmiscsv opens paths) and opened
 * as a zip with small limits, then every listed entry is streamed through
 * the reader. Refused entries must never be listed; reads must end with a
 * status, never a crash, hang or leak.
 *
 * Build, seed and run: tests/fuzz/README.md. */
#include <stdint.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/hmiscsv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];
static struct spec *spec;

static void cleanup(void)
{
	if (path[0])
		unlink(path);
}

static void on_event(void *ctx, const struct hcsv_event *ev)
{
	(void)ctx;
	if (ev->kind == HCSV_EV_REFUSED && (ev->count < HCSV_REFUSE_ABSOLUTE ||
	    ev->count > HCSV_REFUSE_SPECIAL))
		abort();
}

static int on_row(void *ctx, const struct hcsv_header *h, const struct hcsv_row *r)
{
	(void)h;
	(void)r;
	return ++*(size_t *)ctx > 100000; /* enough for one input */
}

/* Independent restatement of the P08 rule: absolute (a leading slash or
 * backslash, or a drive letter "C:") or a ".." part. "0:00:00,U" is a name,
 * not a drive. */
static int refusable(const char *p)
{
	const char *c = p;

	if (p[0] == '/' || p[0] == '\\' || (isalpha((unsigned char)p[0]) && p[1] == ':'))
		return 1;
	for (;;) {
		size_t n = strcspn(c, "/\\");
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return 1;
		if (!c[n])
			return 0;
		c += n + 1;
	}
}

static void quiet(void *ctx, const char *f, uint64_t d, uint64_t t)
{
	(void)ctx;
	(void)f;
	(void)d;
	(void)t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hmiscsv_limits lim = { .max_total = 8u << 20, .max_ratio = 50,
		.max_field = 4096, .max_row = 65536, .max_fields = 256, .read_size = 65536 };
	struct hmiscsv *pkg;
	FILE *f;
	size_t rows = 0;
	char buf[64];
	struct hcsv_handler h = { NULL, on_row, on_event, quiet, &rows };

	if (!path[0]) {
		int fd;
		snprintf(path, sizeof path, "/tmp/hmx-fuzz-archive.XXXXXX");
		fd = mkstemp(path);
		if (fd < 0)
			abort();
		close(fd);
		atexit(cleanup);
		if (spec_load(SPEC_FY2024, &spec, NULL) != HMX_OK)
			abort();
	}
	f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	if (hmiscsv_open(path, &lim, on_event, NULL, &pkg, NULL) != HMX_OK)
		return 0;
	for (size_t i = 0; i < hmiscsv_count(pkg); i++) {
		const struct hmiscsv_entry *e = hmiscsv_entry(pkg, i);
		const char *p = e->path;
		enum hmx_rc rc;

		if (refusable(p))
			abort(); /* a refused path got listed */
		rc = hmiscsv_read(pkg, e, spec_file_find(spec, e->name), &h, NULL, NULL);
		if (rc == HMX_ESTATE)
			break;
	}
	if (hmiscsv_find(pkg, "Export.csv"))
		(void)hmiscsv_peek(pkg, hmiscsv_find(pkg, "Export.csv"), "CSVVersion", buf,
			sizeof buf, NULL);
	hmiscsv_close(&pkg);
	return 0;
}
