/* tui/action.c — the action table generated from ACTION_LIST, the key
 * tables and key names (see action.h). */
#include "tui/action.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

struct action_row {
	enum action_group group;
	const char *name;
	const char *help;
};

static const struct action_row action_rows[ACT_COUNT] = {
	[ACT_NONE] = { GROUP_VIEW, "", "" },
#define ACTION_ROW(group, id, name, help) [ACT_##id] = { GROUP_##group, name, help },
	ACTION_LIST(ACTION_ROW)
#undef ACTION_ROW
};

const char *action_name(enum action a)
{
	return a > ACT_NONE && a < ACT_COUNT ? action_rows[a].name : "";
}

const char *action_help(enum action a)
{
	return a > ACT_NONE && a < ACT_COUNT ? action_rows[a].help : "";
}

enum action_group action_group(enum action a)
{
	return a > ACT_NONE && a < ACT_COUNT ? action_rows[a].group : GROUP_VIEW;
}

const char *action_group_title(enum action_group g)
{
	switch (g) {
	case GROUP_MOVE: return "Moving and searching";
	case GROUP_VIEW: return "Viewing";
	case GROUP_STEP: return "Changing steps";
	case GROUP_MAP: return "Mapping files to projects";
	case GROUP_PROJECT: return "Changing projects";
	case GROUP_REVIEW: return "Reviewing findings";
	case GROUP_MATCH: return "Client match";
	case GROUP_TRANSFER: return "Transfers";
	case GROUP_DIALOG: return "Questions";
	}
	return "";
}

enum action action_by_name(const char *name)
{
	for (int a = ACT_NONE + 1; a < ACT_COUNT; a++)
		if (strcmp(action_rows[a].name, name) == 0)
			return (enum action)a;
	return ACT_NONE;
}

/* Order matters only for display: the first key of an action is the one
 * the key bar shows. */
const struct tui_keybind tui_keys_global[] = {
	{ TUI_FN(KEY_UP), ACT_UP, false },
	{ 'k', ACT_UP, false },
	{ TUI_FN(KEY_DOWN), ACT_DOWN, false },
	{ 'j', ACT_DOWN, false },
	{ TUI_FN(KEY_PPAGE), ACT_PAGE_UP, false },
	{ TUI_CTRL('b'), ACT_PAGE_UP, false },
	{ TUI_FN(KEY_NPAGE), ACT_PAGE_DOWN, false },
	{ TUI_CTRL('f'), ACT_PAGE_DOWN, false },
	{ TUI_FN(KEY_HOME), ACT_TOP, false },
	{ 'g', ACT_TOP, false },
	{ TUI_FN(KEY_END), ACT_BOTTOM, false },
	{ 'G', ACT_BOTTOM, false },
	{ '/', ACT_SEARCH, false },
	{ 'n', ACT_SEARCH_NEXT, false },
	{ 'N', ACT_SEARCH_PREV, false },
	{ '\n', ACT_ENTER, false },
	{ '\r', ACT_ENTER, true },
	{ TUI_FN(KEY_ENTER), ACT_ENTER, true },
	{ TUI_FN(KEY_F(5)), ACT_REFRESH, false },
	{ TUI_CTRL('l'), ACT_REFRESH, false },
	{ '?', ACT_HELP, false },
	{ TUI_FN(KEY_F(1)), ACT_HELP, false },
	{ TUI_KEY_ESC, ACT_BACK, false },
	{ 'q', ACT_QUIT, false },
	{ TUI_FN(KEY_F(10)), ACT_QUIT_ALL, false },
	{ 'Q', ACT_QUIT_ALL, false },
};
const size_t tui_keys_global_n = sizeof tui_keys_global / sizeof tui_keys_global[0];

const struct tui_keybind tui_keys_dialog[] = {
	{ 'y', ACT_YES, false },
	{ 'Y', ACT_YES, false },
	{ 'n', ACT_NO, false },
	{ 'N', ACT_NO, false },
	{ '\n', ACT_NO, false },
	{ '\r', ACT_NO, false },
	{ TUI_FN(KEY_ENTER), ACT_NO, false },
	{ TUI_KEY_ESC, ACT_NO, false },
	{ 'q', ACT_NO, false },
};
const size_t tui_keys_dialog_n = sizeof tui_keys_dialog / sizeof tui_keys_dialog[0];

enum action keymap_lookup(const struct tui_keybind *map, size_t n, int key)
{
	for (size_t i = 0; i < n; i++)
		if (map[i].key == key)
			return map[i].act;
	return ACT_NONE;
}

struct key_name {
	int key;
	const char *name;
};

/* Display names first; later rows with the same key are parse-only aliases. */
static const struct key_name key_names[] = {
	{ TUI_FN(KEY_UP), "Up" },
	{ TUI_FN(KEY_DOWN), "Down" },
	{ TUI_FN(KEY_LEFT), "Left" },
	{ TUI_FN(KEY_RIGHT), "Right" },
	{ TUI_FN(KEY_PPAGE), "PgUp" },
	{ TUI_FN(KEY_NPAGE), "PgDn" },
	{ TUI_FN(KEY_HOME), "Home" },
	{ TUI_FN(KEY_END), "End" },
	{ TUI_FN(KEY_ENTER), "KpEnter" },
	{ TUI_FN(KEY_BACKSPACE), "Backspace" },
	{ TUI_FN(KEY_DC), "Delete" },
	{ TUI_FN(KEY_RESIZE), "Resize" },
	{ '\n', "Enter" },
	{ '\r', "Return" },
	{ TUI_KEY_ESC, "Esc" },
	{ ' ', "Space" },
	{ '\t', "Tab" },
	{ 127, "Del" },
	{ TUI_FN(KEY_UP), "KEY_UP" },
	{ TUI_FN(KEY_DOWN), "KEY_DOWN" },
	{ TUI_FN(KEY_LEFT), "KEY_LEFT" },
	{ TUI_FN(KEY_RIGHT), "KEY_RIGHT" },
	{ TUI_FN(KEY_PPAGE), "KEY_PPAGE" },
	{ TUI_FN(KEY_NPAGE), "KEY_NPAGE" },
	{ TUI_FN(KEY_HOME), "KEY_HOME" },
	{ TUI_FN(KEY_END), "KEY_END" },
	{ TUI_FN(KEY_ENTER), "KEY_ENTER" },
	{ TUI_FN(KEY_BACKSPACE), "KEY_BACKSPACE" },
	{ TUI_FN(KEY_DC), "KEY_DC" },
	{ TUI_FN(KEY_PPAGE), "PageUp" },
	{ TUI_FN(KEY_NPAGE), "PageDown" },
	{ TUI_KEY_ESC, "Escape" },
};

const char *tui_key_name(int key, char *buf, size_t n)
{
	for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++) {
		if (key_names[i].key == key) {
			snprintf(buf, n, "%s", key_names[i].name);
			return buf;
		}
	}
	if (key & TUI_FN(0)) {
		int code = key & ~TUI_FN(0);
		if (code >= KEY_F(1) && code <= KEY_F(63))
			snprintf(buf, n, "F%d", code - KEY_F0);
		else
			snprintf(buf, n, "key%d", code);
	} else if (key < 0x20) {
		snprintf(buf, n, "^%c", key + '@');
	} else {
		char mb[8];
		mbstate_t st;
		size_t len;

		memset(&st, 0, sizeof st);
		len = wcrtomb(mb, (wchar_t)key, &st);
		if (len == (size_t)-1)
			len = 0;
		mb[len] = '\0';
		snprintf(buf, n, "%s", mb);
	}
	return buf;
}

bool tui_key_parse(const char *s, int *key)
{
	mbstate_t st;
	wchar_t wc;
	size_t len;
	char *end;
	long f;

	for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++) {
		if (strcasecmp(key_names[i].name, s) == 0) {
			*key = key_names[i].key;
			return true;
		}
	}
	if (s[0] == '^' && s[1] && !s[2]) {
		*key = TUI_CTRL(s[1]);
		return true;
	}
	if ((s[0] == 'F' || s[0] == 'f') && s[1] >= '1' && s[1] <= '9') {
		f = strtol(s + 1, &end, 10);
		if (!*end && f >= 1 && f <= 63) {
			*key = TUI_FN(KEY_F((int)f));
			return true;
		}
	}
	if (strncmp(s, "KEY_F(", 6) == 0) {
		f = strtol(s + 6, &end, 10);
		if (end[0] == ')' && !end[1] && f >= 1 && f <= 63) {
			*key = TUI_FN(KEY_F((int)f));
			return true;
		}
	}
	memset(&st, 0, sizeof st);
	len = mbrtowc(&wc, s, strlen(s), &st);
	if (len == 0 || len == (size_t)-1 || len == (size_t)-2 || s[len])
		return false;
	*key = (int)wc;
	return true;
}
