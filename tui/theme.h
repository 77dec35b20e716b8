/* tui/theme.h — colours by meaning and the glyphs of the interface.
 *
 * Screens ask for a role (ROLE_OVERDUE, ROLE_OK ...), never for a colour
 * pair; the mapping from roles to pairs and attributes is in theme.c, in
 * one table. With NO_COLOR, --no-color or a terminal without colours no
 * colour pair is ever used: roles fall back to bold/reverse/dim, and every
 * status is also spelled out in words or glyphs, so nothing depends on
 * colour. Glyphs have an ASCII form for --ascii. */
#ifndef HMX_TUI_THEME_H
#define HMX_TUI_THEME_H

#include <stdbool.h>
#include <curses.h>

enum tui_role {
	ROLE_NORMAL,
	ROLE_TITLE,    /* top title bar */
	ROLE_HEADER,   /* section and column headings */
	ROLE_SELECTED, /* the selected row */
	ROLE_OVERDUE,  /* past a deadline */
	ROLE_BLOCKING, /* blocked steps, refusals, errors */
	ROLE_WARNING,  /* due soon or today */
	ROLE_OK,       /* done */
	ROLE_DIM,      /* skipped, secondary text */
	ROLE_KEYBAR,   /* bottom key-hint bar */
	ROLE_KEY,      /* a key name in the key bar or help */
	ROLE_DIALOG,   /* overlays: help, dialogs, pager */
	ROLE_COUNT
};

/* Sets up colour pairs unless no_color (or the terminal has no colours).
 * Call once after the screen is created. Returns whether colour is used. */
bool theme_init(bool no_color);

/* Attributes (colour pair included when colour is on) for role. */
attr_t theme_attr(enum tui_role role);

/* Attributes for a role on the selected row: the selection wins, but the
 * emphasis of urgent roles is kept (bold). */
attr_t theme_row_attr(enum tui_role role, bool selected);

enum tui_glyph {
	GLYPH_TODO,
	GLYPH_IN_PROGRESS,
	GLYPH_DONE,
	GLYPH_SKIPPED,
	GLYPH_BLOCKED,
	GLYPH_FOLDED,   /* step with hidden sub-items */
	GLYPH_UNFOLDED, /* step with sub-items shown */
	GLYPH_BRANCH,   /* sub-item, not the last */
	GLYPH_LAST,     /* last sub-item */
	GLYPH_ELLIPSIS, /* text was cut */
	GLYPH_ALERT,    /* overdue mark */
	GLYPH_HLINE,    /* box and separator lines */
	GLYPH_VLINE,
	GLYPH_TL,       /* box corners: top left, top right, bottom left, right */
	GLYPH_TR,
	GLYPH_BL,
	GLYPH_BR,
	GLYPH_ARROW,    /* "from -> to" */
	GLYPH_DOT,      /* separator in a line of text */
	GLYPH_COUNT
};

/* Chooses the ASCII (true) or Unicode glyph set. */
void theme_set_ascii(bool ascii);
bool theme_ascii(void);
/* UTF-8 text of a glyph (one column wide, except GLYPH_ARROW). */
const char *theme_glyph(enum tui_glyph g);

#endif
