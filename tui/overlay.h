/* tui/overlay.h — the widgets that sit on top of a screen or replace its
 * bottom lines: the one-line text editor of prompts, the key-hint bar, the
 * scrollable pager (help, audit trails) and the yes/no dialog. Like the
 * helpers of widget.h they only draw; the pager and the dialog draw into
 * a window of their own and end with wnoutrefresh(). */
#ifndef HMX_TUI_OVERLAY_H
#define HMX_TUI_OVERLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <curses.h>

/* ---- line editor ---- */

struct tui_edit {
	char buf[512]; /* UTF-8 text, NUL-terminated */
	size_t cur;    /* byte offset of the cursor, on a character boundary */
};

enum tui_edit_result { EDIT_MORE, EDIT_ACCEPT, EDIT_CANCEL };

void tui_edit_clear(struct tui_edit *e);
/* Inserts s at the cursor; dropped whole when it does not fit. */
void tui_edit_insert(struct tui_edit *e, const char *s);
/* One key (action.h encoding): printable characters are inserted;
 * Backspace/^H, Delete/^D, Left/^B, Right/^F, Home/^A, End/^E, ^U (erase
 * before the cursor) and ^W (erase a word) edit; Enter accepts, Esc
 * cancels. Other keys are ignored. */
enum tui_edit_result tui_edit_key(struct tui_edit *e, int key);
/* Draws label (in label_attr) then the text at row y of w, in width
 * columns from column 0, scrolled so the cursor shows. Returns the
 * cursor's column. */
int tui_edit_paint(WINDOW *w, int y, int width, attr_t label_attr, const char *label,
		   const struct tui_edit *e);

/* ---- key-hint bar ---- */

struct tui_hint {
	const char *key;   /* "Enter" */
	const char *label; /* "Open" */
};

/* Draws hints on row y of w (width columns): as many as fit, in order,
 * except that the last `pinned` ones (Help, Quit) always show. */
void tui_hints_paint(WINDOW *w, int y, int width, const struct tui_hint *h, size_t n,
		     size_t pinned);

/* ---- pager ---- */

struct tui_pager {
	char **lines;   /* copies; NULL while closed */
	size_t n;
	size_t top;     /* first screen line shown (lines wrap) */
	size_t shown;   /* screen lines once wrapped, as last painted */
	int rows;       /* text rows of the box, as last painted */
	char title[128];
};

/* Opens p on copies of lines. False when out of memory (p stays closed). */
bool tui_pager_open(struct tui_pager *p, const char *title, const char *const *lines,
		    size_t n);
/* Frees the copies; p is closed. Safe on a closed pager. */
void tui_pager_close(struct tui_pager *p);
/* Scrolls by delta screen lines, clamped (+-p->shown for the ends). */
void tui_pager_scroll(struct tui_pager *p, long delta);
/* Draws the pager as a box in the middle of the screen, long lines
 * wrapped (continuations indented), "3-20 of 40" when it scrolls. */
void tui_pager_paint(struct tui_pager *p, attr_t attr);

/* ---- dialog ---- */

/* Draws a box in the middle of the screen with title, text wrapped to fit
 * and a line of buttons at the bottom. */
void tui_dialog_paint(const char *title, const char *text, const char *buttons, attr_t attr);

#endif
