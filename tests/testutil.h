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

/* Joins dir and name into buf. */
static inline const char *tu_path(char *buf, size_t n, const char *dir, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
	return buf;
}

#endif
