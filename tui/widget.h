/* tui/widget.h — drawing helpers shared by the shell and the screens:
 * text cut and padded to a number of columns, filled lines, boxes, and the
 * list geometry (virtual scrolling: only the visible rows are ever drawn).
 * Helpers draw into a window and never refresh it; whoever owns the window
 * ends its frame with wnoutrefresh(). */
#ifndef HMX_TUI_WIDGET_H
#define HMX_TUI_WIDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <curses.h>

/* A rectangle of a window: top row, left column, height, width. */
struct tui_rect {
	int y, x, h, w;
};

enum tui_align { ALIGN_LEFT, ALIGN_RIGHT, ALIGN_CENTER };

/* Writes s (UTF-8) at y,x in exactly width columns with attr: cut with an
 * ellipsis when wider, padded with spaces when narrower (placed by align).
 * Returns the columns taken by the text itself. Nothing when width <= 0. */
int tui_put(WINDOW *w, int y, int x, int width, attr_t attr, enum tui_align align,
	    const char *s);
/* printf-style tui_put, left aligned. */
int tui_putf(WINDOW *w, int y, int x, int width, attr_t attr, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Fills width columns at y,x with spaces in attr. */
void tui_fill(WINDOW *w, int y, int x, int width, attr_t attr);
/* Repeats glyph (one column wide) width times at y,x. */
void tui_hline(WINDOW *w, int y, int x, int width, attr_t attr, const char *glyph);
/* Draws a box border around r with theme glyphs, a title in its top edge
 * and an optional note (e.g. "3-20 of 40") in its bottom edge; the inside
 * is filled with spaces in attr. */
void tui_box(WINDOW *w, const struct tui_rect *r, attr_t attr, const char *title,
	     const char *note);

/* Selection and scroll position of a list of n rows shown in height rows. */
struct tui_list {
	size_t sel;  /* selected row (0 when the list is empty) */
	size_t top;  /* first visible row */
};

/* Clamps sel to the rows there are and scrolls as little as possible so
 * the selection is visible. */
void tui_list_fix(struct tui_list *l, size_t n, int height);
/* Moves the selection by delta rows (clamped), then fixes. */
void tui_list_move(struct tui_list *l, size_t n, int height, long delta);

#endif
