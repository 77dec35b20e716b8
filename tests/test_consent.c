/* tests/test_consent.c — unit tests of core/consent: the rule of
 * consent_check on its edges (starts on the day, ends the day before,
 * revoked, another scope, none, not yet, several releases), roster import
 * (all or nothing with problems by line, header required, duplicates,
 * re-import replacing only its scopes, audit with counts), listing, a
 * large set checked quickly, and the manifest writers. */
#include "testutil.h"
#include "fxstore.h"
#include "fxexport.h"

#include <time.h>

#include "core/audit.h"
#include "core/consent.h"

static cal_day D(const char *s)
{
	cal_day d;

	if (!cal_parse_date(s, &d))
		fail_msg("bad date %s", s);
	return d;
}

static struct consent_row R(const char *id, const char *scope, const char *start, const char *end,
			    const char *revoked)
{
	struct consent_row r;

	memset(&r, 0, sizeof r);
	hmx_strlcpy(r.personal_id, id, sizeof r.personal_id);
	hmx_strlcpy(r.scope, scope, sizeof r.scope);
	r.start = D(start);
	r.end = end ? D(end) : CAL_NO_DAY;
	r.revoked = revoked ? D(revoked) : CAL_NO_DAY;
	return r;
}

static void test_check_edges(void **state)
{
	struct consent_row rows[] = {
		R("starts", "mcp-match", "2026-04-02", NULL, NULL),
		R("ended", "mcp-match", "2025-01-01", "2026-04-01", NULL),
		R("endstoday", "mcp-match", "2025-01-01", "2026-04-02", NULL),
		R("revoked", "mcp-match", "2025-01-01", NULL, "2026-03-01"),
		R("revlater", "mcp-match", "2025-01-01", NULL, "2026-05-01"),
		R("other", "rdc-upload", "2025-01-01", NULL, NULL),
		R("notyet", "mcp-match", "2026-04-03", NULL, NULL),
		/* renewed: an expired release and a current one */
		R("renewed", "mcp-match", "2024-01-01", "2024-12-31", NULL),
		R("renewed", "mcp-match", "2025-01-01", NULL, NULL),
		/* a revoked one and a later expired one: revoked is named */
		R("mixed", "mcp-match", "2024-01-01", "2024-06-30", NULL),
		R("mixed", "mcp-match", "2025-01-01", NULL, "2025-06-01"),
	};
	struct consent_set *cs = NULL;
	struct hmx_err err;
	cal_day day = D("2026-04-02");

	(void)state;
	assert_int_equal(consent_set_from_rows(rows, sizeof rows / sizeof rows[0], &cs, &err), HMX_OK);
	assert_int_equal(consent_set_size(cs), 11);
	assert_int_equal(consent_check(cs, "starts", "mcp-match", day), CONSENT_OK);
	assert_int_equal(consent_check(cs, "starts", "mcp-match", day - 1), CONSENT_NOT_YET);
	assert_int_equal(consent_check(cs, "ended", "mcp-match", day), CONSENT_EXPIRED);
	assert_int_equal(consent_check(cs, "ended", "mcp-match", day - 1), CONSENT_OK);
	assert_int_equal(consent_check(cs, "endstoday", "mcp-match", day), CONSENT_OK);
	assert_int_equal(consent_check(cs, "revoked", "mcp-match", day), CONSENT_REVOKED);
	/* a recorded revocation counts whatever its date */
	assert_int_equal(consent_check(cs, "revlater", "mcp-match", day), CONSENT_REVOKED);
	assert_int_equal(consent_check(cs, "other", "mcp-match", day), CONSENT_NO_RELEASE);
	assert_int_equal(consent_check(cs, "other", "rdc-upload", day), CONSENT_OK);
	assert_int_equal(consent_check(cs, "nobody", "mcp-match", day), CONSENT_NO_RELEASE);
	assert_int_equal(consent_check(cs, "notyet", "mcp-match", day), CONSENT_NOT_YET);
	assert_int_equal(consent_check(cs, "renewed", "mcp-match", day), CONSENT_OK);
	assert_int_equal(consent_check(cs, "mixed", "mcp-match", day), CONSENT_REVOKED);
	/* prefixes and empty strings never match */
	assert_int_equal(consent_check(cs, "start", "mcp-match", day), CONSENT_NO_RELEASE);
	assert_int_equal(consent_check(cs, "", "mcp-match", day), CONSENT_NO_RELEASE);
	assert_int_equal(consent_check(cs, "starts", "mcp", day), CONSENT_NO_RELEASE);
	assert_int_equal(consent_check(NULL, "starts", "mcp-match", day), CONSENT_NO_RELEASE);
	assert_string_equal(consent_verdict_name(CONSENT_NO_RELEASE), "no-release");
	assert_string_equal(consent_verdict_name(CONSENT_NOT_YET), "not-yet");
	consent_set_free(&cs);
	assert_null(cs);
	consent_set_free(&cs);
}

static void test_scope_names(void **state)
{
	(void)state;
	assert_true(consent_scope_valid("mcp-match"));
	assert_true(consent_scope_valid("rdc-upload"));
	assert_true(consent_scope_valid("a1"));
	assert_false(consent_scope_valid(""));
	assert_false(consent_scope_valid("MCP"));
	assert_false(consent_scope_valid("1abc"));
	assert_false(consent_scope_valid("mcp match"));
	assert_false(consent_scope_valid("abcdefghijabcdefghijabcdefghijab"));
}

static const char *roster(struct fx *f, const char *name, const char *text)
{
	static char path[600];

	tu_write(f->dir, name, text, (size_t)-1);
	return tu_path(path, sizeof path, f->dir, name);
}

static void test_import_good_and_audited(void **state)
{
	struct fx *f = *state;
	struct consent_import_result res;
	struct consent_row *v;
	struct audit_row *a;
	struct hmx_err err;
	size_t n;

	assert_int_equal(consent_import(f->s,
					roster(f, "r.csv",
					       "PersonalID,scope,start,end,revoked\r\n"
					       "p1,mcp-match,2025-01-01,,\r\n"
					       "p2,mcp-match,2025-01-01,2026-12-31,\r\n"
					       "p2,rdc-upload,2025-01-01,,2025-09-01\r\n"),
					&res, &err),
			 HMX_OK);
	assert_int_equal(res.rows, 3);
	assert_int_equal(res.loaded, 3);
	assert_int_equal(res.replaced, 0);
	assert_string_equal(res.scopes, "mcp-match,rdc-upload");
	assert_int_equal(res.n_problems, 0);
	consent_import_result_free(&res);
	assert_int_equal(consent_list(f->s, NULL, NULL, &v, &n, &err), HMX_OK);
	assert_int_equal(n, 3);
	assert_string_equal(v[2].scope, "rdc-upload");
	assert_int_equal(v[2].revoked, D("2025-09-01"));
	assert_int_equal(v[1].end, D("2026-12-31"));
	assert_int_equal(v[0].end, CAL_NO_DAY);
	free(v);
	assert_int_equal(consent_list(f->s, "mcp-match", NULL, &v, &n, &err), HMX_OK);
	assert_int_equal(n, 2);
	free(v);
	assert_int_equal(consent_list(f->s, NULL, "p2", &v, &n, &err), HMX_OK);
	assert_int_equal(n, 2);
	free(v);
	assert_int_equal(audit_list(f->s, "consent", 0, &a, &n, &err), HMX_OK);
	assert_int_equal(n, 1);
	assert_string_equal(a[0].action, "consent.import");
	assert_string_equal(a[0].after, "rows=3 replaced=0 scopes=mcp-match,rdc-upload");
	free(a);
}

static void test_import_bad_rows_load_nothing(void **state)
{
	struct fx *f = *state;
	struct consent_import_result res;
	struct hmx_err err;

	assert_int_equal(consent_import(f->s,
					roster(f, "bad.csv",
					       "PersonalID,scope,start,end,revoked\n"
					       "p1,mcp-match,2025-01-01,,\n"
					       "p2,MCP,2025-01-01,,\n"
					       "p3,mcp-match,2025-02-30,,\n"
					       "p4,mcp-match,2025-01-01,2024-01-01,\n"
					       "p5,mcp-match,2025-01-01,,yesterday\n"
					       ",mcp-match,2025-01-01,,\n"
					       "p6,mcp-match,2025-01-01\n"
					       "p1,mcp-match,2025-01-01,2026-01-01,\n"
					       "p7,mcp-match,2025-01-01,,2024-12-31\n"),
					&res, &err),
			 HMX_EINVAL);
	assert_int_equal(res.loaded, 0);
	assert_int_equal(res.n_problems, 8);
	assert_int_equal(res.n_kept, 8);
	assert_int_equal(res.problems[0].line, 3);
	assert_non_null(strstr(res.problems[0].reason, "bad scope"));
	assert_int_equal(res.problems[1].line, 4);
	assert_non_null(strstr(res.problems[1].reason, "start"));
	assert_int_equal(res.problems[2].line, 5);
	assert_non_null(strstr(res.problems[2].reason, "before start"));
	assert_int_equal(res.problems[3].line, 6);
	assert_non_null(strstr(res.problems[3].reason, "revoked"));
	assert_int_equal(res.problems[4].line, 7);
	assert_non_null(strstr(res.problems[4].reason, "PersonalID"));
	assert_int_equal(res.problems[5].line, 8);
	assert_non_null(strstr(res.problems[5].reason, "3 fields"));
	assert_int_equal(res.problems[6].line, 10);
	assert_non_null(strstr(res.problems[6].reason, "before start"));
	assert_int_equal(res.problems[7].line, 9);
	assert_non_null(strstr(res.problems[7].reason, "twice"));
	assert_non_null(strstr(err.msg, "nothing loaded"));
	consent_import_result_free(&res);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM consent"), 0);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit WHERE action='consent.import'"), 0);
}

static void test_import_header_required(void **state)
{
	struct fx *f = *state;
	struct consent_import_result res;
	struct hmx_err err;

	assert_int_equal(consent_import(f->s, roster(f, "nohdr.csv", "p1,mcp-match,2025-01-01,,\n"),
					&res, &err),
			 HMX_EINVAL);
	assert_int_equal(res.n_problems, 1);
	assert_int_equal(res.problems[0].line, 1);
	assert_non_null(strstr(res.problems[0].reason, "header"));
	consent_import_result_free(&res);
	assert_int_equal(consent_import(f->s,
					roster(f, "short.csv", "PersonalID,scope,start,end\np1,a,2025-01-01,\n"),
					&res, &err),
			 HMX_EINVAL);
	consent_import_result_free(&res);
	assert_int_equal(consent_import(f->s, roster(f, "empty.csv", ""), &res, &err), HMX_EINVAL);
	assert_int_equal(res.n_problems, 1);
	consent_import_result_free(&res);
	assert_int_equal(consent_import(f->s, roster(f, "hdronly.csv", "PersonalID,scope,start,end,revoked\n"),
					&res, &err),
			 HMX_EINVAL);
	consent_import_result_free(&res);
	assert_int_equal(consent_import(f->s, roster(f, "quote.csv",
						     "PersonalID,scope,start,end,revoked\n"
						     "p1,mcp-match,2025-01-01,,\n"
						     "p\"2,mcp-match,2025-01-01,,\n"),
					&res, &err),
			 HMX_EINVAL);
	assert_true(res.n_problems >= 1);
	consent_import_result_free(&res);
	{
		char p[600];
		assert_int_equal(consent_import(f->s, tu_path(p, sizeof p, f->dir, "absent.csv"), &res,
						&err),
				 HMX_ENOTFOUND);
		consent_import_result_free(&res);
	}
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM consent"), 0);
}

static void test_reimport_replaces_its_scopes(void **state)
{
	struct fx *f = *state;
	struct consent_import_result res;
	struct hmx_err err;

	assert_int_equal(consent_import(f->s,
					roster(f, "a.csv",
					       "PersonalID,scope,start,end,revoked\n"
					       "p1,mcp-match,2025-01-01,,\n"
					       "p2,mcp-match,2025-01-01,,\n"
					       "p3,rdc-upload,2025-01-01,,\n"),
					&res, &err),
			 HMX_OK);
	consent_import_result_free(&res);
	/* a new mcp-match roster: p2 gone, p1 revoked; rdc-upload untouched */
	assert_int_equal(consent_import(f->s,
					roster(f, "b.csv",
					       "PersonalID,scope,start,end,revoked\n"
					       "p1,mcp-match,2025-01-01,,2026-01-15\n"),
					&res, &err),
			 HMX_OK);
	assert_int_equal(res.loaded, 1);
	assert_int_equal(res.replaced, 2);
	consent_import_result_free(&res);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM consent WHERE scope='mcp-match'"), 1);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM consent WHERE scope='rdc-upload'"), 1);
	{
		struct consent_set *cs = NULL;
		assert_int_equal(consent_set_load(f->s, NULL, &cs, &err), HMX_OK);
		assert_int_equal(consent_check(cs, "p1", "mcp-match", D("2026-04-02")), CONSENT_REVOKED);
		assert_int_equal(consent_check(cs, "p2", "mcp-match", D("2026-04-02")),
				 CONSENT_NO_RELEASE);
		assert_int_equal(consent_check(cs, "p3", "rdc-upload", D("2026-04-02")), CONSENT_OK);
		consent_set_free(&cs);
		assert_int_equal(consent_set_load(f->s, "mcp-match", &cs, &err), HMX_OK);
		assert_int_equal(consent_set_size(cs), 1);
		consent_set_free(&cs);
	}
	/* a bad re-import keeps what was there */
	assert_int_equal(consent_import(f->s,
					roster(f, "c.csv",
					       "PersonalID,scope,start,end,revoked\n"
					       "p9,mcp-match,2025-01-01,,\np9,mcp-match,bad,,\n"),
					&res, &err),
			 HMX_EINVAL);
	consent_import_result_free(&res);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM consent WHERE scope='mcp-match'"), 1);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit WHERE action='consent.import'"), 2);
}

/* 100k clients with one release each, checked in well under a second. */
static void test_large_set_is_fast(void **state)
{
	enum { N = 100000 };
	struct consent_row *rows = calloc(N, sizeof *rows);
	struct consent_set *cs = NULL;
	struct hmx_err err;
	struct timespec t0, t1;
	size_t ok = 0;

	(void)state;
	assert_non_null(rows);
	for (int i = 0; i < N; i++) {
		snprintf(rows[i].personal_id, sizeof rows[i].personal_id, "P%07d", (i * 7919) % N);
		hmx_strlcpy(rows[i].scope, "mcp-match", sizeof rows[i].scope);
		rows[i].start = D("2025-01-01");
		rows[i].end = i % 10 == 0 ? D("2025-12-31") : CAL_NO_DAY;
		rows[i].revoked = CAL_NO_DAY;
	}
	assert_int_equal(consent_set_from_rows(rows, N, &cs, &err), HMX_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < N; i++) {
		char id[16];
		snprintf(id, sizeof id, "P%07d", i);
		ok += consent_check(cs, id, "mcp-match", D("2026-04-02")) == CONSENT_OK;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(ok, N - N / 10);
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 2000);
	consent_set_free(&cs);
	free(rows);
}

static void test_manifest_writers(void **state)
{
	struct consent_manifest m;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	consent_manifest_init(&m, "mcp-match", D("2026-04-02"));
	m.active_since = D("2026-03-01");
	m.clients = 7;
	m.inactive = 2;
	consent_manifest_add(&m, CONSENT_OK);
	consent_manifest_add(&m, CONSENT_OK);
	consent_manifest_add(&m, CONSENT_NO_RELEASE);
	consent_manifest_add(&m, CONSENT_EXPIRED);
	consent_manifest_add(&m, CONSENT_REVOKED);
	hmx_strlcpy(m.fields, "client_id,dob", sizeof m.fields);
	assert_int_equal(m.eligible, 5);
	assert_int_equal(m.sent, 2);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	consent_manifest_json(f, &m);
	fclose(f);
	assert_string_equal(buf, "{\"scope\":\"mcp-match\",\"day\":\"2026-04-02\",\"active_since\":"
				 "\"2026-03-01\",\"clients\":7,\"eligible\":5,\"sent\":2,\"left_out\":"
				 "{\"no-release\":1,\"expired\":1,\"not-yet\":0,\"revoked\":1,"
				 "\"inactive\":2},\"fields\":\"client_id,dob\"}");
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	consent_manifest_text(f, &m);
	fclose(f);
	assert_non_null(strstr(buf, "sent      2"));
	assert_non_null(strstr(buf, "left out  1 revoked"));
	assert_non_null(strstr(buf, "inactive  2"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_edges),
		cmocka_unit_test(test_scope_names),
		cmocka_unit_test_setup_teardown(test_import_good_and_audited, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_import_bad_rows_load_nothing, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_import_header_required, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_reimport_replaces_its_scopes, fx_setup, fx_teardown),
		cmocka_unit_test(test_large_set_is_fast),
		cmocka_unit_test(test_manifest_writers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
