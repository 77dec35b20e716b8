/* tests/testutil.h — small helpers shared by the cmocka unit tests:
 * a fresh temporary directory per test, removed afterwards, and file
 * writing for fixtures. Header-only; every function is static. */
#ifndef HMX_TESTS_TESTUTIL_H
#define HMX_TESTS_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

/* Creates a fresh directory under $TMPDIR (or /tmp); path into buf. */
static inline void tu_mkdtemp(char *buf, size_t n)
{
	const char *t = getenv("TMPDIR");
	snprintf(buf, n, "%s/hmxtest.XXXXXX", t && *t ? t : "/tmp");
	assert_non_null(mkdtemp(buf));
}

/* Removes a directory tree (rm -rf). */
static inline void tu_rmtree(const char *dir)
{
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* Writes len bytes (strlen(data) when len is (size_t)-1) to dir/name. */
static inline void tu_write(const char *dir, const char *name, const char *data, size_t len)
{
	char path[4200];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	if (len == (size_t)-1)
		len = strlen(data);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Whole file into a malloc'd, NUL-terminated buffer (free() it); *len
 * gets its size. Fails the test when the file cannot be read. */
static inline void *tu_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	b[n] = '\0';
	*len = (size_t)n;
	return b;
}

/* Rewrites the 32-bit uncompressed size `from` to `to` in the local and
 * central headers of a zip (a lying archive); both must be found. */
static inline void tu_zip_patch_size(const char *path, uint32_t from, uint32_t to)
{
	size_t len, hits = 0;
	unsigned char *b = tu_slurp(path, &len);
	FILE *f;

	for (size_t i = 0; i + 46 < len; i++) {
		uint32_t sig = b[i] | b[i + 1] << 8 | b[i + 2] << 16 | (uint32_t)b[i + 3] << 24;
		size_t off = sig == 0x04034b50 ? 22 : sig == 0x02014b50 ? 24 : 0;
		if (off && (b[i + off] | b[i + off + 1] << 8 | b[i + off + 2] << 16 |
		    (uint32_t)b[i + off + 3] << 24) == from) {
			b[i + off] = to & 0xff;
			b[i + off + 1] = (to >> 8) & 0xff;
			b[i + off + 2] = (to >> 16) & 0xff;
			b[i + off + 3] = to >> 24;
			hits++;
		}
	}
	assert_int_equal(hits, 2);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, len, f), len);
	fclose(f);
	free(b);
}

/* Joins dir and name into buf. */
static inline const char *tu_path(char *buf, size_t n, const char *dir, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
	return buf;
}

#endif
