/* tests/test_ini.c — unit tests of core/ini, the reader of the checklist
 * templates: sections, keys and trimmed values in file order, comments and
 * blank lines, CRLF, values holding '=', and the errors (malformed header,
 * a line without '=', an over-long line, a refusing callback) with the
 * NAME:LINE prefix. */
#include "testutil.h"

#include "core/ini.h"

struct seen {
	int n;
	char line[16][160];
	const char *refuse; /* key to refuse, or NULL */
	bool set_err;       /* the refusal sets its own message */
};

static bool collect(void *ctx, const char *section, const char *key, const char *value, int line,
		    struct hmx_err *err)
{
	struct seen *s = ctx;

	if (s->refuse && strcmp(key, s->refuse) == 0) {
		if (s->set_err)
			hmx_err_set(err, HMX_EINVAL, "line %d: %s is not allowed", line, key);
		return false;
	}
	if (s->n < 16)
		snprintf(s->line[s->n], sizeof s->line[0], "%d [%s] %s=%s", line, section, key, value);
	s->n++;
	return true;
}

static enum hmx_rc parse(const char *text, struct seen *s, struct hmx_err *err)
{
	hmx_err_clear(err);
	return ini_parse(text, "t.ini", collect, s, err);
}

static void test_sections_keys_values(void **state)
{
	struct seen s = { 0 };
	struct hmx_err err;

	(void)state;
	assert_int_equal(parse("# comment\n"
			       "top = before any section\n"
			       "\n"
			       "[cycle]\n"
			       "id = rdc-upload\n"
			       "  title   =   Quarterly RDC upload   \n"
			       "; another comment\n"
			       "   # indented comment\n"
			       "[  step dq-reports  ]\n"
			       "deadline = end+7\n"
			       "item = a = b\n"
			       "empty =\n"
			       "last = no newline",
			       &s, &err),
			 HMX_OK);
	assert_int_equal(err.rc, HMX_OK);
	assert_int_equal(s.n, 7);
	assert_string_equal(s.line[0], "2 [] top=before any section");
	assert_string_equal(s.line[1], "5 [cycle] id=rdc-upload");
	assert_string_equal(s.line[2], "6 [cycle] title=Quarterly RDC upload");
	assert_string_equal(s.line[3], "10 [step dq-reports] deadline=end+7");
	assert_string_equal(s.line[4], "11 [step dq-reports] item=a = b");
	assert_string_equal(s.line[5], "12 [step dq-reports] empty=");
	assert_string_equal(s.line[6], "13 [step dq-reports] last=no newline");
}

static void test_crlf_and_empty(void **state)
{
	struct seen s = { 0 };
	struct hmx_err err;

	(void)state;
	assert_int_equal(parse("[a]\r\nk = v\r\n", &s, &err), HMX_OK);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.line[0], "2 [a] k=v");
	memset(&s, 0, sizeof s);
	assert_int_equal(parse("", &s, &err), HMX_OK);
	assert_int_equal(s.n, 0);
	assert_int_equal(parse("\n\n# only comments\n", &s, &err), HMX_OK);
	assert_int_equal(s.n, 0);
}

static void test_errors(void **state)
{
	struct seen s = { 0 };
	struct hmx_err err;
	char *big;

	(void)state;
	assert_int_equal(parse("[a]\nk = v\n[b\n", &s, &err), HMX_EINVAL);
	assert_string_equal(err.msg, "t.ini:3: malformed section header");
	assert_int_equal(parse("[a] trailing\n", &s, &err), HMX_EINVAL);
	assert_string_equal(err.msg, "t.ini:1: malformed section header");
	assert_int_equal(parse("[a]\njust words\n", &s, &err), HMX_EINVAL);
	assert_string_equal(err.msg, "t.ini:2: expected \"key = value\"");

	big = malloc(2000);
	assert_non_null(big);
	memcpy(big, "[a]\nk = ", 8);
	memset(big + 8, 'x', 1500);
	strcpy(big + 1508, "\n");
	assert_int_equal(parse(big, &s, &err), HMX_EINVAL);
	assert_string_equal(err.msg, "t.ini:2: line too long");
	free(big);

	/* a refusing callback: its own message, or a generic one */
	memset(&s, 0, sizeof s);
	s.refuse = "bad";
	s.set_err = true;
	assert_int_equal(parse("[a]\nok = 1\nbad = 2\nnever = 3\n", &s, &err), HMX_EINVAL);
	assert_string_equal(err.msg, "line 3: bad is not allowed");
	assert_int_equal(s.n, 1); /* parsing stopped at the refusal */
	memset(&s, 0, sizeof s);
	s.refuse = "bad";
	assert_int_equal(parse("[a]\nbad = 2\n", &s, &err), HMX_EINVAL);
	assert_string_equal(err.msg, "t.ini:2: rejected");
	/* err may be NULL */
	assert_int_equal(ini_parse("[a\n", "t.ini", collect, &s, NULL), HMX_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections_keys_values),
		cmocka_unit_test(test_crlf_and_empty),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
