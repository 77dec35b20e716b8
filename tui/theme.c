/* tui/theme.c — the one table from colour roles to pairs and attributes,
 * and the glyph sets (see theme.h). */
#include "tui/theme.h"

#include <stdlib.h>

struct role_style {
	short fg, bg;   /* colour mode: pair colours (-1: terminal default) */
	attr_t color;   /* colour mode: extra attributes */
	attr_t mono;    /* monochrome: attributes only, no colour */
};

static const struct role_style role_styles[ROLE_COUNT] = {
	[ROLE_NORMAL] = { -1, -1, A_NORMAL, A_NORMAL },
	[ROLE_TITLE] = { COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE | A_BOLD },
	[ROLE_HEADER] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[ROLE_SELECTED] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[ROLE_OVERDUE] = { COLOR_RED, -1, A_BOLD, A_BOLD },
	[ROLE_BLOCKING] = { COLOR_RED, -1, A_BOLD, A_BOLD },
	[ROLE_WARNING] = { COLOR_YELLOW, -1, A_BOLD, A_UNDERLINE },
	[ROLE_OK] = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[ROLE_DIM] = { COLOR_BLACK, -1, A_BOLD, A_DIM }, /* bright black: grey */
	[ROLE_KEYBAR] = { COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_REVERSE },
	[ROLE_KEY] = { COLOR_YELLOW, COLOR_BLUE, A_BOLD, A_REVERSE | A_BOLD },
	[ROLE_DIALOG] = { COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_NORMAL },
};

static bool theme_color;
static bool theme_ascii_on;

bool theme_init(bool no_color)
{
	theme_color = false;
	if (no_color || !has_colors() || start_color() == ERR)
		return false;
	use_default_colors();
	for (int r = ROLE_NORMAL + 1; r < ROLE_COUNT; r++)
		init_pair((short)r, role_styles[r].fg, role_styles[r].bg);
	theme_color = true;
	return true;
}

attr_t theme_attr(enum tui_role role)
{
	if (role <= ROLE_NORMAL || role >= ROLE_COUNT)
		return A_NORMAL;
	if (!theme_color)
		return role_styles[role].mono;
	return role_styles[role].color | (attr_t)COLOR_PAIR(role);
}

attr_t theme_row_attr(enum tui_role role, bool selected)
{
	if (!selected)
		return theme_attr(role);
	if (role == ROLE_OVERDUE || role == ROLE_BLOCKING || role == ROLE_HEADER)
		return theme_attr(ROLE_SELECTED) | A_BOLD;
	return theme_attr(ROLE_SELECTED);
}

static const char *const glyph_utf8[GLYPH_COUNT] = {
	[GLYPH_TODO] = "○",
	[GLYPH_IN_PROGRESS] = "◐",
	[GLYPH_DONE] = "✓",
	[GLYPH_SKIPPED] = "–",
	[GLYPH_BLOCKED] = "✗",
	[GLYPH_FOLDED] = "▸",
	[GLYPH_UNFOLDED] = "▾",
	[GLYPH_BRANCH] = "├",
	[GLYPH_LAST] = "└",
	[GLYPH_ELLIPSIS] = "…",
	[GLYPH_ALERT] = "!",
	[GLYPH_HLINE] = "─",
	[GLYPH_VLINE] = "│",
	[GLYPH_TL] = "┌",
	[GLYPH_TR] = "┐",
	[GLYPH_BL] = "└",
	[GLYPH_BR] = "┘",
	[GLYPH_ARROW] = "→",
	[GLYPH_DOT] = "·",
};

static const char *const glyph_ascii[GLYPH_COUNT] = {
	[GLYPH_TODO] = ".",
	[GLYPH_IN_PROGRESS] = ">",
	[GLYPH_DONE] = "x",
	[GLYPH_SKIPPED] = "-",
	[GLYPH_BLOCKED] = "!",
	[GLYPH_FOLDED] = "+",
	[GLYPH_UNFOLDED] = "-",
	[GLYPH_BRANCH] = "|",
	[GLYPH_LAST] = "`",
	[GLYPH_ELLIPSIS] = "~",
	[GLYPH_ALERT] = "!",
	[GLYPH_HLINE] = "-",
	[GLYPH_VLINE] = "|",
	[GLYPH_TL] = "+",
	[GLYPH_TR] = "+",
	[GLYPH_BL] = "+",
	[GLYPH_BR] = "+",
	[GLYPH_ARROW] = "->",
	[GLYPH_DOT] = "-",
};

void theme_set_ascii(bool ascii)
{
	theme_ascii_on = ascii;
}

bool theme_ascii(void)
{
	return theme_ascii_on;
}

const char *theme_glyph(enum tui_glyph g)
{
	if (g < 0 || g >= GLYPH_COUNT)
		return "?";
	return theme_ascii_on ? glyph_ascii[g] : glyph_utf8[g];
}
