/* tests/test_tui_text.c — unit tests of tui/text: widths in columns of
 * accented, wide (CJK), combining and invalid UTF-8 text, cutting to a
 * number of columns without splitting a character, sanitizing control
 * characters, word wrapping, UTF-8 stepping for line editing, and
 * case-insensitive search of accented text. */
#include "testutil.h"

#include <locale.h>

#include "tui/text.h"

static void test_width(void **state)
{
	(void)state;
	assert_int_equal(text_width(""), 0);
	assert_int_equal(text_width("HAC Carriage House"), 18);
	assert_int_equal(text_width("Résidence Thérèse"), 17);  /* 20 bytes */
	assert_int_equal(text_width("Casa Esperança"), 14);
	assert_int_equal(text_width("漢字"), 4);                 /* wide: 2 each */
	assert_int_equal(text_width("e\xcc\x81"), 1);            /* e + combining acute */
	assert_int_equal(text_width("a\xff" "b"), 3);            /* invalid byte: 1 */
	assert_int_equal(text_width("\xc3"), 1);                 /* cut sequence: 1 */
	assert_int_equal(text_width("a\tb\n"), 4);               /* controls: 1 each */
}

static void test_fit(void **state)
{
	int used = -1;

	(void)state;
	assert_int_equal(text_fit("abcdef", 3, &used), 3);
	assert_int_equal(used, 3);
	/* never half a character */
	assert_int_equal(text_fit("Ré", 2, &used), 3);
	assert_int_equal(used, 2);
	assert_int_equal(text_fit("漢字abc", 3, &used), 3);      /* 漢 only */
	assert_int_equal(used, 2);
	assert_int_equal(text_fit("漢字", 1, &used), 0);
	assert_int_equal(used, 0);
	assert_int_equal(text_fit("abc", 10, &used), 3);
	assert_int_equal(used, 3);
	assert_int_equal(text_fit("abc", 0, NULL), 0);
}

static void test_trunc(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(text_trunc(buf, sizeof buf, "Résidence Thérèse", 10, "…"), 10);
	assert_string_equal(buf, "Résidence…");
	assert_int_equal(text_trunc(buf, sizeof buf, "Résidence", 9, "…"), 9);
	assert_string_equal(buf, "Résidence");
	/* a wide character that does not fit is left out whole */
	assert_int_equal(text_trunc(buf, sizeof buf, "ab漢字", 4, "…"), 3);
	assert_string_equal(buf, "ab…");
	assert_int_equal(text_trunc(buf, sizeof buf, "abcdef", 4, "~"), 4);
	assert_string_equal(buf, "abc~");
	assert_int_equal(text_trunc(buf, sizeof buf, "abcdef", 4, NULL), 4);
	assert_string_equal(buf, "abcd");
	assert_int_equal(text_trunc(buf, sizeof buf, "abc", 0, "…"), 0);
	assert_string_equal(buf, "");
	/* the copy is sanitized */
	assert_int_equal(text_trunc(buf, sizeof buf, "a\x1b[2Jb", 10, "…"), 6);
	assert_string_equal(buf, "a?[2Jb");
	/* a small destination cuts on a character boundary */
	assert_int_equal(text_trunc(buf, 4, "éééé", 10, "…"), 1);
	assert_string_equal(buf, "é");
}

static void test_sanitize(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(text_sanitize(buf, sizeof buf, "a\tb\nc"), "a b c");
	assert_string_equal(text_sanitize(buf, sizeof buf, "x\x01y\x7f"), "x?y?");
	assert_string_equal(text_sanitize(buf, sizeof buf, "\xff\xfe" "ok"), "??ok");
	assert_string_equal(text_sanitize(buf, sizeof buf, "Thérèse"), "Thérèse");
	assert_int_equal(text_width(text_sanitize(buf, sizeof buf, "a\xff\tb")),
			 text_width("a\xff\tb"));
}

static void test_wrap(void **state)
{
	const char *s = "cannot mark build-export done: step reporting-group is open";
	size_t next, len;

	(void)state;
	len = text_wrap(s, 20, &next);
	assert_int_equal(len, 11); /* "cannot mark" */
	assert_int_equal(next, 12);
	len = text_wrap(s + next, 20, &next);
	assert_memory_equal(s + 12, "build-export done:", len);
	/* a word wider than the width is cut */
	len = text_wrap("abcdefghij", 4, &next);
	assert_int_equal(len, 4);
	assert_int_equal(next, 4);
	/* a newline ends the line */
	len = text_wrap("ab\ncd", 10, &next);
	assert_int_equal(len, 2);
	assert_int_equal(next, 3);
	/* the last piece */
	len = text_wrap("short", 10, &next);
	assert_int_equal(len, 5);
	assert_int_equal(next, 5);
	/* columns, not bytes */
	len = text_wrap("ééé ééé", 4, &next);
	assert_int_equal(len, 6);
	assert_int_equal(next, 7);
}

static void test_step(void **state)
{
	const char *s = "aé漢";   /* a(1) é(2) 漢(3) */

	(void)state;
	assert_int_equal(text_next(s, 0), 1);
	assert_int_equal(text_next(s, 1), 3);
	assert_int_equal(text_next(s, 3), 6);
	assert_int_equal(text_next(s, 6), 6);
	assert_int_equal(text_prev(s, 6), 3);
	assert_int_equal(text_prev(s, 3), 1);
	assert_int_equal(text_prev(s, 1), 0);
	assert_int_equal(text_prev(s, 0), 0);
	assert_int_equal(text_prev(s, 99), 3);
}

static void test_search(void **state)
{
	(void)state;
	assert_true(text_contains_nocase("Download Résidence THÉRÈSE Family", "thérèse"));
	assert_true(text_contains_nocase("HAC Scattered Sites", "scattered"));
	assert_true(text_contains_nocase("anything", ""));
	assert_false(text_contains_nocase("Therese", "thérèse"));
	assert_false(text_contains_nocase("abc", "abcd"));
	/* invalid bytes neither crash nor match valid text */
	assert_false(text_contains_nocase("a\xff" "b", "ab"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_trunc),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_step),
		cmocka_unit_test(test_search),
	};

	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		fail_msg("the C.UTF-8 locale is needed");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
