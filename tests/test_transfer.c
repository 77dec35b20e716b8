/* tests/test_transfer.c — unit tests of core/transfer that need no server:
 * remote names made safe for the local file system (control characters,
 * "..", leading dash or dot, slashes, C1 controls, the length limit, the
 * empty name), SHA-256 of a file (empty and "abc"), state and direction
 * names, and an empty job table. Pull and push themselves are tested
 * against a real sshd in tests/transfer/run.sh. */
#include "testutil.h"
#include "fxstore.h"

#include "core/transfer.h"

static void expect_name(const char *remote, const char *want, bool changed)
{
	char out[TRANSFER_NAME_MAX + 1];

	assert_int_equal(transfer_sanitize_name(remote, out, sizeof out), changed);
	assert_string_equal(out, want);
}

static void test_sanitize(void **state)
{
	char long_name[400], out[TRANSFER_NAME_MAX + 1];

	(void)state;
	expect_name("Client.csv", "Client.csv", false);
	expect_name("dir/sub/Client.csv", "Client.csv", false);
	expect_name("../../etc/passwd", "passwd", false);
	expect_name("..", "_.", true);
	expect_name(".", "_", true);
	expect_name("dir/", "unnamed", true);
	expect_name("", "unnamed", true);
	expect_name("-rf", "_rf", true);
	expect_name(".bashrc", "_bashrc", true);
	expect_name("a..b", "a._b", true);
	expect_name("a\033[31mb\007", "a_[31mb_", true);
	expect_name("a\\b", "a_b", true);
	expect_name("a\xc2\x9b" "b", "a_b", true);
	expect_name("caf\xc3\xa9.csv", "caf\xc3\xa9.csv", false);
	memset(long_name, 'x', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	assert_true(transfer_sanitize_name(long_name, out, sizeof out));
	assert_int_equal(strlen(out), TRANSFER_NAME_MAX);
}

static void test_sha256(void **state)
{
	struct fx *f = *state;
	char path[400], hex[65];
	struct hmx_err err;
	FILE *fp;

	tu_path(path, sizeof path, f->dir, "abc");
	fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(transfer_sha256_file(path, hex, &err), HMX_OK);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("abc", fp);
	fclose(fp);
	assert_int_equal(transfer_sha256_file(path, hex, &err), HMX_OK);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	tu_path(path, sizeof path, f->dir, "missing");
	assert_int_equal(transfer_sha256_file(path, hex, &err), HMX_EIO);
}

static void test_names_and_empty_list(void **state)
{
	struct fx *f = *state;
	struct transfer_job *v;
	struct hmx_err err;
	size_t n;

	assert_string_equal(transfer_state_name(TRANSFER_QUEUED), "queued");
	assert_string_equal(transfer_state_name(TRANSFER_CANCELLED), "cancelled");
	assert_string_equal(transfer_dir_name(TRANSFER_PULL), "pull");
	assert_string_equal(transfer_dir_name(TRANSFER_PUSH), "push");
	assert_int_equal(transfer_list(f->s, &v, &n, &err), HMX_OK);
	assert_int_equal(n, 0);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test_setup_teardown(test_sha256, fx_setup_env, fx_teardown),
		cmocka_unit_test_setup_teardown(test_names_and_empty_list, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
