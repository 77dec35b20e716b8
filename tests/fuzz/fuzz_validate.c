/* tests/fuzz/fuzz_validate.c — libFuzzer target for the whole validator
 * (core/validate: the engine, the S, K, Q and D families, the findings'
 * sinks) through validate_run, with small limits. The first byte picks the
 * form of the rest:
 *   bit 0 clear  the rest is a zip archive, written to a temporary file
 *   bit 0 set    the rest is a folder export: parts separated by 0x1E are
 *                the files of the FY2024 spec in spec order (Export.csv
 *                first); files past the last part are absent
 *   bit 1        two worker threads instead of one
 *   bit 2        --spec FY2024 forced instead of detected
 * Every finding must be well formed (a check id, a known severity, strings
 * without control bytes); the run must end with a status, never a crash,
 * hang or leak. Seeds: tests/test_vcheck_d.c with HMX_FUZZ_CORPUS.
 *
 * Build, seed and run: tests/fuzz/README.md. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[64], zpath[128], dpath[128];
static struct spec *spec;

static void rm_files(void)
{
	DIR *d = opendir(dpath);
	struct dirent *de;
	char p[512];

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "%s/%s", dpath, de->d_name);
		unlink(p);
	}
	closedir(d);
}

static void cleanup(void)
{
	rm_files();
	rmdir(dpath);
	unlink(zpath);
	rmdir(root);
}

static void put(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		abort();
	if (n && fwrite(p, 1, n, f) != n)
		abort();
	if (fclose(f) != 0)
		abort();
}

static void printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort(); /* a control byte left the engine */
}

static int on_finding(void *ctx, const struct validate_finding *f)
{
	(void)ctx;
	if (!f->check || strlen(f->check) != 3 || (unsigned)f->severity >= VALIDATE_NSEV)
		abort();
	printable(f->key);
	printable(f->column);
	printable(f->detail);
	printable(f->project);
	if (strlen(f->detail) >= 16)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct validate_opts o;
	struct validate_result res;
	struct hmx_err err;
	const char *path;

	if (!root[0]) {
		snprintf(root, sizeof root, "/tmp/hmx-fuzz-validate.XXXXXX");
		if (!mkdtemp(root))
			abort();
		snprintf(zpath, sizeof zpath, "%s/export.zip", root);
		snprintf(dpath, sizeof dpath, "%s/export", root);
		if (mkdir(dpath, 0700) != 0)
			abort();
		atexit(cleanup);
		if (spec_load(SPEC_FY2024, &spec, NULL) != HMX_OK)
			abort();
	}
	if (size < 1)
		return 0;
	validate_opts_default(&o);
	o.threads = data[0] & 2 ? 2 : 1;
	if (data[0] & 4)
		o.spec = SPEC_FY2024;
	o.tmpdir = root;
	o.limits.max_total = 8u << 20;
	o.limits.max_ratio = 50;
	o.limits.max_field = 4096;
	o.limits.max_row = 65536;
	o.limits.max_fields = 256;
	o.limits.read_size = 65536;
	data++;
	size--;
	if (!(data[-1] & 1)) {
		put(zpath, data, size);
		path = zpath;
	} else {
		size_t f = 0, start = 0;

		rm_files();
		for (size_t i = 0; i <= size && f < spec_nfiles(spec); i++) {
			if (i < size && data[i] != 0x1e)
				continue;
			char p[256];
			snprintf(p, sizeof p, "%s/%s", dpath, spec_file_at(spec, f)->name);
			put(p, data + start, i - start);
			start = i + 1;
			f++;
		}
		path = dpath;
	}
	if (validate_run(path, &o, on_finding, NULL, &res, &err) == HMX_OK) {
		if (res.total > 0 && res.nchecks == 0)
			abort();
	}
	validate_result_free(&res);
	return 0;
}
