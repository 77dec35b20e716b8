/* tests/test_site.c — unit tests of core/site: adding, reading, listing
 * (by name) and removing sites, each change with its audit row; duplicates;
 * bad names, hosts, ports, users, paths and roles refused with nothing
 * written; unknown sites; and that the table has no column for a secret. */
#include "testutil.h"
#include "fxstore.h"

#include "core/audit.h"
#include "core/site.h"
#include "core/store.h"

static struct site mk(const char *name, const char *host, int port, const char *role)
{
	struct site st;

	memset(&st, 0, sizeof st);
	hmx_strlcpy(st.name, name, sizeof st.name);
	hmx_strlcpy(st.host, host, sizeof st.host);
	st.port = port;
	hmx_strlcpy(st.role, role, sizeof st.role);
	return st;
}

static size_t audit_count(struct store *s)
{
	struct audit_row *rows;
	struct hmx_err err;
	size_t n;

	assert_int_equal(audit_list(s, NULL, 0, &rows, &n, &err), HMX_OK);
	free(rows);
	return n;
}

static void last_audit(struct store *s, struct audit_row *out)
{
	struct audit_row *rows;
	struct hmx_err err;
	size_t n;

	assert_int_equal(audit_list(s, NULL, 1, &rows, &n, &err), HMX_OK);
	assert_int_equal(n, 1);
	*out = rows[0];
	free(rows);
}

static void test_roles(void **state)
{
	(void)state;
	assert_true(site_role_valid(""));
	assert_true(site_role_valid("rdc"));
	assert_true(site_role_valid("vendor"));
	assert_true(site_role_valid("mcp"));
	assert_true(site_role_valid("agency:HAC"));
	assert_false(site_role_valid("agency:"));
	assert_false(site_role_valid("agency:a b"));
	assert_false(site_role_valid("RDC"));
	assert_false(site_role_valid("boss"));
	{
		struct site st = mk("s", "h", 22, "rdc");

		assert_string_equal(site_intake_source(&st), "rdc");
		hmx_strlcpy(st.role, "agency:HAC", sizeof st.role);
		assert_string_equal(site_intake_source(&st), "agency:HAC");
		hmx_strlcpy(st.role, "mcp", sizeof st.role);
		assert_null(site_intake_source(&st));
		hmx_strlcpy(st.role, "vendor", sizeof st.role);
		assert_null(site_intake_source(&st));
		st.role[0] = '\0';
		assert_null(site_intake_source(&st));
	}
}

static void test_add_get_list_remove(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	struct site in = mk("rdc", "sftp.example.org", 2222, "rdc"), out, *v;
	struct audit_row a;
	size_t n, before = audit_count(f->s);

	hmx_strlcpy(in.user, "coc-admin", sizeof in.user);
	hmx_strlcpy(in.identity, "/home/a/.ssh/id_ed25519", sizeof in.identity);
	hmx_strlcpy(in.remote_dir, "/exports", sizeof in.remote_dir);
	assert_int_equal(site_add(f->s, &in, &err), HMX_OK);
	assert_int_equal(audit_count(f->s), before + 1);
	last_audit(f->s, &a);
	assert_string_equal(a.action, "site.add");
	assert_string_equal(a.object, "site/rdc");
	assert_string_equal(a.who, "tester");
	assert_string_equal(a.after, "coc-admin@sftp.example.org:2222 rdc");

	in = mk("kiteworks", "vendor-alias", 0, "vendor");
	assert_int_equal(site_add(f->s, &in, &err), HMX_OK);
	in = mk("agency-b", "10.0.0.5", 22, "agency:HAC");
	assert_int_equal(site_add(f->s, &in, &err), HMX_OK);

	assert_int_equal(site_get(f->s, "rdc", &out, &err), HMX_OK);
	assert_string_equal(out.host, "sftp.example.org");
	assert_int_equal(out.port, 2222);
	assert_string_equal(out.user, "coc-admin");
	assert_string_equal(out.identity, "/home/a/.ssh/id_ed25519");
	assert_string_equal(out.remote_dir, "/exports");
	assert_string_equal(out.role, "rdc");
	assert_string_equal(out.created_by, "tester");
	assert_string_equal(out.created_at, "2026-04-01T12:00:00Z");

	assert_int_equal(site_list(f->s, &v, &n, &err), HMX_OK);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].name, "agency-b");
	assert_string_equal(v[1].name, "kiteworks");
	assert_int_equal(v[1].port, 0);
	assert_string_equal(v[2].name, "rdc");
	free(v);

	before = audit_count(f->s);
	assert_int_equal(site_remove(f->s, "rdc", &err), HMX_OK);
	assert_int_equal(audit_count(f->s), before + 1);
	last_audit(f->s, &a);
	assert_string_equal(a.action, "site.remove");
	assert_string_equal(a.object, "site/rdc");
	assert_string_equal(a.before, "coc-admin@sftp.example.org:2222 rdc");
	assert_int_equal(site_get(f->s, "rdc", &out, &err), HMX_ENOTFOUND);
	assert_non_null(strstr(err.msg, "rdc"));
	assert_int_equal(site_remove(f->s, "rdc", &err), HMX_ENOTFOUND);
	assert_int_equal(audit_count(f->s), before + 1);
	assert_int_equal(site_list(f->s, &v, &n, &err), HMX_OK);
	assert_int_equal(n, 2);
	free(v);
}

static void test_duplicate(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	struct site in = mk("rdc", "a.example", 22, "");
	size_t before;

	assert_int_equal(site_add(f->s, &in, &err), HMX_OK);
	before = audit_count(f->s);
	in = mk("rdc", "b.example", 22, "");
	assert_int_equal(site_add(f->s, &in, &err), HMX_EEXIST);
	assert_non_null(strstr(err.msg, "already exists"));
	assert_int_equal(audit_count(f->s), before);
}

static void test_bad_input(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	struct site bad[] = {
		mk("", "h", 0, ""),
		mk("a b", "h", 0, ""),
		mk("-x", "h", 0, ""),
		mk("x/y", "h", 0, ""),
		mk("ok", "", 0, ""),
		mk("ok", "-oProxyCommand=sh", 0, ""),
		mk("ok", "h h", 0, ""),
		mk("ok", "u@h", 0, ""),
		mk("ok", "h\n", 0, ""),
		mk("ok", "h", -1, ""),
		mk("ok", "h", 65536, ""),
		mk("ok", "h", 0, "boss"),
		mk("ok", "h", 0, "agency:"),
	};
	struct site u = mk("ok", "h", 0, ""), *v;
	size_t n, before = audit_count(f->s);

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (site_add(f->s, &bad[i], &err) != HMX_EINVAL)
			fail_msg("case %zu (%s/%s/%d/%s) accepted", i, bad[i].name, bad[i].host,
				 bad[i].port, bad[i].role);
		assert_true(err.msg[0] != '\0');
	}
	hmx_strlcpy(u.user, "-oops", sizeof u.user);
	assert_int_equal(site_add(f->s, &u, &err), HMX_EINVAL);
	u = mk("ok", "h", 0, "");
	hmx_strlcpy(u.remote_dir, "/x\033[2J", sizeof u.remote_dir);
	assert_int_equal(site_add(f->s, &u, &err), HMX_EINVAL);
	u = mk("ok", "h", 0, "");
	hmx_strlcpy(u.identity, "/k\r", sizeof u.identity);
	assert_int_equal(site_add(f->s, &u, &err), HMX_EINVAL);

	assert_int_equal(site_list(f->s, &v, &n, &err), HMX_OK);
	assert_int_equal(n, 0);
	assert_null(v);
	assert_int_equal(audit_count(f->s), before);
	u = mk("ok", "h", 65535, "");
	assert_int_equal(site_add(f->s, &u, &err), HMX_OK);
}

/* No secret can be stored: the table has no column for one. */
static void test_no_secret_column(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	sqlite3_stmt *st = store_prepare(f->s, "SELECT name FROM pragma_table_info('site')", &err);
	int cols = 0;

	assert_non_null(st);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);
		cols++;
		assert_null(strstr(c, "pass"));
		assert_null(strstr(c, "secret"));
		assert_null(strstr(c, "key"));
	}
	sqlite3_finalize(st);
	assert_int_equal(cols, 11); /* match_fields since schema 7 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),
		cmocka_unit_test_setup_teardown(test_add_get_list_remove, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_duplicate, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_no_secret_column, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
