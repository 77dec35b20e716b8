/* tests/test_hmx.c — unit tests of the shared helpers of core/hmx: hex
 * formatting, SHA-256 of a whole file (0 bytes, 1 byte, "abc", more than
 * one read buffer, a missing file, a directory), SHA-256 of a file's
 * prefix (a file shorter than the prefix is an error) and the name tables'
 * lookup. */
#include "testutil.h"

#include <fcntl.h>
#include <openssl/evp.h>

#include "core/hmx.h"

#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_A "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static int setup(void **state)
{
	char *dir = malloc(4096);

	assert_non_null(dir);
	tu_mkdtemp(dir, 4096);
	*state = dir;
	return 0;
}

static int teardown(void **state)
{
	tu_rmtree(*state);
	free(*state);
	return 0;
}

static void test_hex(void **state)
{
	static const unsigned char b[] = { 0x00, 0x0f, 0xa5, 0xff, 0x10 };
	char out[11];

	(void)state;
	memset(out, 'x', sizeof out);
	hmx_hex(b, 5, out);
	assert_string_equal(out, "000fa5ff10");
	hmx_hex(b, 0, out);
	assert_string_equal(out, "");
	memset(out, 'x', sizeof out);
	hmx_hex(b + 2, 1, out);
	assert_string_equal(out, "a5");
	assert_int_equal(out[3], 'x');
}

static void expect_file(const char *dir, const char *data, size_t len, const char *want)
{
	char path[4200], hex[65];
	struct hmx_err err;

	tu_write(dir, "f", data, len);
	memset(hex, 'x', sizeof hex);
	assert_int_equal(hmx_sha256_file(tu_path(path, sizeof path, dir, "f"), hex, &err), HMX_OK);
	assert_string_equal(hex, want);
}

static void test_sha256_file(void **state)
{
	const char *dir = *state;
	size_t big = (3u << 20) / 2 + 7; /* more than one 1 MiB read */
	unsigned char md[32];
	char *data = malloc(big), path[4200], hex[65], want[65];
	struct hmx_err err;

	expect_file(dir, "", 0, SHA_EMPTY);
	expect_file(dir, "a", 1, SHA_A);
	expect_file(dir, "abc", 3, SHA_ABC);

	assert_non_null(data);
	for (size_t i = 0; i < big; i++)
		data[i] = (char)(i * 131 + 7);
	assert_int_equal(EVP_Digest(data, big, md, NULL, EVP_sha256(), NULL), 1);
	hmx_hex(md, 32, want);
	expect_file(dir, data, big, want);
	free(data);

	/* a missing file and a directory: HMX_EIO naming the path */
	tu_path(path, sizeof path, dir, "missing");
	assert_int_equal(hmx_sha256_file(path, hex, &err), HMX_EIO);
	assert_int_equal(err.rc, HMX_EIO);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "No such file"));
	assert_int_equal(hmx_sha256_file(dir, hex, &err), HMX_EIO);
	assert_non_null(strstr(err.msg, "cannot read"));
	assert_int_equal(hmx_sha256_file(path, hex, NULL), HMX_EIO);
}

static void test_sha256_prefix(void **state)
{
	const char *dir = *state;
	char path[4200], hex[65];
	struct hmx_err err;
	EVP_MD_CTX *md;
	int fd;

	tu_write(dir, "p", "abcdef", 6);
	fd = open(tu_path(path, sizeof path, dir, "p"), O_RDONLY);
	assert_true(fd >= 0);

	assert_non_null(md = EVP_MD_CTX_new());
	assert_int_equal(EVP_DigestInit_ex(md, EVP_sha256(), NULL), 1);
	assert_int_equal(hmx_sha256_fd(md, fd, 3, path, &err), HMX_OK);
	assert_int_equal(hmx_sha256_hex(md, hex, &err), HMX_OK);
	assert_string_equal(hex, SHA_ABC);
	/* nothing of it: the hash of no bytes */
	assert_int_equal(EVP_DigestInit_ex(md, EVP_sha256(), NULL), 1);
	assert_int_equal(hmx_sha256_fd(md, fd, 0, path, &err), HMX_OK);
	assert_int_equal(hmx_sha256_hex(md, hex, &err), HMX_OK);
	assert_string_equal(hex, SHA_EMPTY);
	/* a prefix longer than the file */
	assert_int_equal(EVP_DigestInit_ex(md, EVP_sha256(), NULL), 1);
	assert_int_equal(hmx_sha256_fd(md, fd, 10, path, &err), HMX_EIO);
	assert_non_null(strstr(err.msg, "shorter than expected"));
	EVP_MD_CTX_free(md);
	close(fd);
}

static void test_name_index(void **state)
{
	static const char *const names[] = { "open", "done", "" };

	(void)state;
	assert_int_equal(hmx_name_index(names, 3, "open"), 0);
	assert_int_equal(hmx_name_index(names, 3, "done"), 1);
	assert_int_equal(hmx_name_index(names, 3, ""), 2);
	assert_int_equal(hmx_name_index(names, 2, ""), -1);
	assert_int_equal(hmx_name_index(names, 3, "Open"), -1);
	assert_int_equal(hmx_name_index(names, 3, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex),
		cmocka_unit_test_setup_teardown(test_sha256_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sha256_prefix, setup, teardown),
		cmocka_unit_test(test_name_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
