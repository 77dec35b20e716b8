/* tests/test_tui_input.c — unit tests of the input layer: the action table
 * generated from ACTION_LIST (names unique and found again), key names
 * both ways, the key tables (vi keys and arrows agree, dialogs answer No
 * by default), the prompt's line editor (UTF-8 aware), and key scripts:
 * every token kind, comments, text kept verbatim, and bad lines refused
 * with their line number. */
#include "testutil.h"

#include <curses.h>
#include <locale.h>

#include "tui/action.h"
#include "tui/overlay.h"
#include "tui/script.h"

static void test_actions(void **state)
{
	(void)state;
	for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
		const char *name = action_name((enum action)a);
		assert_true(name[0] != '\0');
		assert_true(action_help((enum action)a)[0] != '\0');
		assert_int_equal(action_by_name(name), a);
	}
	assert_int_equal(action_by_name("done"), ACT_DONE);
	assert_int_equal(action_by_name("page-down"), ACT_PAGE_DOWN);
	assert_int_equal(action_by_name("nope"), ACT_NONE);
	assert_int_equal(action_by_name(""), ACT_NONE);
	assert_string_equal(action_name(ACT_NONE), "");
}

static void test_keys(void **state)
{
	char buf[32];
	int k;

	(void)state;
	assert_string_equal(tui_key_name('j', buf, sizeof buf), "j");
	assert_string_equal(tui_key_name(TUI_FN(KEY_DOWN), buf, sizeof buf), "Down");
	assert_string_equal(tui_key_name(TUI_FN(KEY_F(1)), buf, sizeof buf), "F1");
	assert_string_equal(tui_key_name(TUI_CTRL('l'), buf, sizeof buf), "^L");
	assert_string_equal(tui_key_name(' ', buf, sizeof buf), "Space");
	assert_string_equal(tui_key_name('\n', buf, sizeof buf), "Enter");
	assert_string_equal(tui_key_name(0xe9, buf, sizeof buf), "é");
	/* every name a key is shown by parses back to that key */
	for (int key = 0x20; key < 0x7f; key++) {
		assert_true(tui_key_parse(tui_key_name(key, buf, sizeof buf), &k));
		assert_int_equal(k, key);
	}
	assert_true(tui_key_parse("KEY_F(10)", &k));
	assert_int_equal(k, TUI_FN(KEY_F(10)));
	assert_true(tui_key_parse("f5", &k));
	assert_int_equal(k, TUI_FN(KEY_F(5)));
	assert_true(tui_key_parse("esc", &k));
	assert_int_equal(k, TUI_KEY_ESC);
	assert_true(tui_key_parse("KEY_NPAGE", &k));
	assert_int_equal(k, TUI_FN(KEY_NPAGE));
	assert_true(tui_key_parse("^U", &k));
	assert_int_equal(k, TUI_CTRL('u'));
	assert_true(tui_key_parse("é", &k));
	assert_int_equal(k, 0xe9);
	assert_false(tui_key_parse("", &k));
	assert_false(tui_key_parse("jk", &k));
	assert_false(tui_key_parse("F99", &k));
	assert_false(tui_key_parse("NoSuchKey", &k));
}

static void test_keymaps(void **state)
{
	(void)state;
	assert_int_equal(keymap_lookup(tui_keys_global, tui_keys_global_n, 'j'), ACT_DOWN);
	assert_int_equal(keymap_lookup(tui_keys_global, tui_keys_global_n, TUI_FN(KEY_DOWN)),
			 ACT_DOWN);
	assert_int_equal(keymap_lookup(tui_keys_global, tui_keys_global_n, 'k'), ACT_UP);
	assert_int_equal(keymap_lookup(tui_keys_global, tui_keys_global_n, 'G'), ACT_BOTTOM);
	assert_int_equal(keymap_lookup(tui_keys_global, tui_keys_global_n, '?'), ACT_HELP);
	assert_int_equal(keymap_lookup(tui_keys_global, tui_keys_global_n, TUI_FN(KEY_F(1))),
			 ACT_HELP);
	assert_int_equal(keymap_lookup(tui_keys_global, tui_keys_global_n, 'q'), ACT_QUIT);
	assert_int_equal(keymap_lookup(tui_keys_global, tui_keys_global_n, 'z'), ACT_NONE);
	/* questions: only y says yes; Enter and Esc take the default, No */
	assert_int_equal(keymap_lookup(tui_keys_dialog, tui_keys_dialog_n, 'y'), ACT_YES);
	assert_int_equal(keymap_lookup(tui_keys_dialog, tui_keys_dialog_n, '\n'), ACT_NO);
	assert_int_equal(keymap_lookup(tui_keys_dialog, tui_keys_dialog_n, TUI_KEY_ESC), ACT_NO);
	assert_int_equal(keymap_lookup(tui_keys_dialog, tui_keys_dialog_n, 'j'), ACT_NONE);
}

static void type(struct tui_edit *e, const char *s)
{
	while (*s)
		assert_int_equal(tui_edit_key(e, (unsigned char)*s++), EDIT_MORE);
}

static void test_edit(void **state)
{
	struct tui_edit e;

	(void)state;
	tui_edit_clear(&e);
	type(&e, "called RDC");
	assert_string_equal(e.buf, "called RDC");
	assert_int_equal(e.cur, 10);
	/* a wide character key is inserted as UTF-8 */
	assert_int_equal(tui_edit_key(&e, 0xe9), EDIT_MORE);
	assert_string_equal(e.buf, "called RDCé");
	/* Backspace removes the whole character */
	tui_edit_key(&e, TUI_FN(KEY_BACKSPACE));
	assert_string_equal(e.buf, "called RDC");
	tui_edit_key(&e, TUI_FN(KEY_HOME));
	assert_int_equal(e.cur, 0);
	tui_edit_insert(&e, "I ");
	assert_string_equal(e.buf, "I called RDC");
	tui_edit_key(&e, TUI_FN(KEY_RIGHT));
	tui_edit_key(&e, TUI_FN(KEY_DC));
	assert_string_equal(e.buf, "I clled RDC");
	tui_edit_key(&e, TUI_CTRL('e'));
	tui_edit_key(&e, TUI_CTRL('w'));
	assert_string_equal(e.buf, "I clled ");
	tui_edit_key(&e, TUI_CTRL('u'));
	assert_string_equal(e.buf, "");
	/* control and function keys are not text */
	tui_edit_key(&e, TUI_CTRL('g'));
	tui_edit_key(&e, TUI_FN(KEY_F(3)));
	assert_string_equal(e.buf, "");
	assert_int_equal(tui_edit_key(&e, '\n'), EDIT_ACCEPT);
	assert_int_equal(tui_edit_key(&e, TUI_KEY_ESC), EDIT_CANCEL);
	/* text that does not fit is refused whole */
	for (int i = 0; i < 600; i++)
		tui_edit_key(&e, 'x');
	assert_int_equal(strlen(e.buf), sizeof e.buf - 1);
}

static void test_script(void **state)
{
	char dir[256], path[320];
	struct script sc;
	struct hmx_err err;

	(void)state;
	tu_mkdtemp(dir, sizeof dir);
	tu_write(dir, "ok.keys",
		 "# a comment\n"
		 "\n"
		 "  down  \n"
		 "key:j\n"
		 "key:KEY_F(1)\n"
		 "text:  two  words \n"
		 "resize:100x30\n"
		 "dump\r\n", (size_t)-1);
	tu_path(path, sizeof path, dir, "ok.keys");
	assert_int_equal(script_load(path, &sc, &err), HMX_OK);
	assert_int_equal(sc.n, 6);
	assert_int_equal(sc.items[0].kind, SCRIPT_ACTION);
	assert_int_equal(sc.items[0].act, ACT_DOWN);
	assert_int_equal(sc.items[0].line, 3);
	assert_int_equal(sc.items[1].kind, SCRIPT_KEY);
	assert_int_equal(sc.items[1].key, 'j');
	assert_int_equal(sc.items[2].key, TUI_FN(KEY_F(1)));
	assert_int_equal(sc.items[3].kind, SCRIPT_TEXT);
	assert_string_equal(sc.items[3].text, "  two  words ");
	assert_int_equal(sc.items[4].kind, SCRIPT_RESIZE);
	assert_int_equal(sc.items[4].cols, 100);
	assert_int_equal(sc.items[4].rows, 30);
	assert_int_equal(sc.items[5].kind, SCRIPT_DUMP);
	script_free(&sc);
	assert_null(sc.items);

	tu_write(dir, "bad.keys", "down\n\nfrobnicate\n", (size_t)-1);
	tu_path(path, sizeof path, dir, "bad.keys");
	assert_int_equal(script_load(path, &sc, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "line 3: unknown token 'frobnicate'"));
	assert_null(sc.items);

	tu_write(dir, "size.keys", "resize:100\n", (size_t)-1);
	tu_path(path, sizeof path, dir, "size.keys");
	assert_int_equal(script_load(path, &sc, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "line 1: bad size"));

	tu_write(dir, "key.keys", "key:Hyper\n", (size_t)-1);
	tu_path(path, sizeof path, dir, "key.keys");
	assert_int_equal(script_load(path, &sc, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "line 1: unknown key 'Hyper'"));

	tu_write(dir, "wait.keys", "wait\nsleep:250\n", (size_t)-1);
	tu_path(path, sizeof path, dir, "wait.keys");
	assert_int_equal(script_load(path, &sc, &err), HMX_OK);
	assert_int_equal(sc.n, 2);
	assert_int_equal(sc.items[0].kind, SCRIPT_WAIT);
	assert_int_equal(sc.items[1].kind, SCRIPT_SLEEP);
	assert_int_equal(sc.items[1].ms, 250);
	script_free(&sc);
	tu_write(dir, "sleep.keys", "sleep:0\n", (size_t)-1);
	tu_path(path, sizeof path, dir, "sleep.keys");
	assert_int_equal(script_load(path, &sc, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "line 1: bad time '0'"));
	tu_write(dir, "sleep2.keys", "sleep:5s\n", (size_t)-1);
	tu_path(path, sizeof path, dir, "sleep2.keys");
	assert_int_equal(script_load(path, &sc, &err), HMX_EINVAL);

	tu_path(path, sizeof path, dir, "missing.keys");
	assert_int_equal(script_load(path, &sc, &err), HMX_EIO);
	assert_non_null(strstr(err.msg, "missing.keys"));
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_keymaps),
		cmocka_unit_test(test_edit),
		cmocka_unit_test(test_script),
	};

	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		fail_msg("the C.UTF-8 locale is needed");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
