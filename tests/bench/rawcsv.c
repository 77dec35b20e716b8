/* tests/bench/rawcsv.c — the baseline of `make bench`: the least a CSV
 * validator must do, a raw libcsv pass that reads every *.csv file of a
 * folder in 1 MiB blocks and counts fields and rows, nothing else. Same
 * libcsv options as core/hmiscsv (strict, no blank trimming).
 * Usage: rawcsv DIR — prints "files rows fields bytes". */
#include <csv.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct counts {
	uint64_t rows, fields, bytes;
};

static void on_field(void *s, size_t len, void *ctx)
{
	(void)s;
	(void)len;
	((struct counts *)ctx)->fields++;
}

static void on_row(int c, void *ctx)
{
	(void)c;
	((struct counts *)ctx)->rows++;
}

static int pass(const char *path, struct csv_parser *p, struct counts *c, char *buf, size_t bufsz)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		return -1;
	}
	while ((n = fread(buf, 1, bufsz, f)) > 0) {
		c->bytes += n;
		if (csv_parse(p, buf, n, on_field, on_row, c) != n) {
			/* keep counting like a validator would: reset and go on */
			csv_fini(p, on_field, on_row, c);
		}
	}
	csv_fini(p, on_field, on_row, c);
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	struct counts c = { 0 };
	struct csv_parser p;
	struct dirent *e;
	size_t bufsz = 1 << 20;
	char *buf = malloc(bufsz), path[4096];
	unsigned files = 0;
	DIR *d;

	if (argc != 2 || !buf) {
		fprintf(stderr, "usage: rawcsv DIR\n");
		return 2;
	}
	if (!(d = opendir(argv[1]))) {
		perror(argv[1]);
		return 2;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len < 5 || strcmp(e->d_name + len - 4, ".csv") != 0)
			continue;
		if (csv_init(&p, CSV_STRICT) != 0)
			return 3;
		snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
		if (pass(path, &p, &c, buf, bufsz) != 0)
			return 3;
		csv_free(&p);
		files++;
	}
	closedir(d);
	free(buf);
	printf("%u %llu %llu %llu\n", files, (unsigned long long)c.rows, (unsigned long long)c.fields,
	       (unsigned long long)c.bytes);
	return 0;
}
