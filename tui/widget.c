/* tui/widget.c — text, lines, boxes and list geometry (see widget.h). */
#include "tui/widget.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tui/text.h"
#include "tui/theme.h"

int tui_put(WINDOW *w, int y, int x, int width, attr_t attr, enum tui_align align,
	    const char *s)
{
	char buf[1024];
	int used, pad;

	if (width <= 0)
		return 0;
	used = text_trunc(buf, sizeof buf, s ? s : "", width, theme_glyph(GLYPH_ELLIPSIS));
	pad = width - used;
	wattrset(w, (int)attr);
	if (align == ALIGN_RIGHT) {
		mvwprintw(w, y, x, "%*s", pad, "");
		waddstr(w, buf);
	} else if (align == ALIGN_CENTER) {
		mvwprintw(w, y, x, "%*s", pad / 2, "");
		waddstr(w, buf);
		wprintw(w, "%*s", pad - pad / 2, "");
	} else {
		mvwaddstr(w, y, x, buf);
		wprintw(w, "%*s", pad, "");
	}
	wattrset(w, A_NORMAL);
	return used;
}

int tui_putf(WINDOW *w, int y, int x, int width, attr_t attr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return tui_put(w, y, x, width, attr, ALIGN_LEFT, buf);
}

void tui_fill(WINDOW *w, int y, int x, int width, attr_t attr)
{
	tui_put(w, y, x, width, attr, ALIGN_LEFT, "");
}

void tui_hline(WINDOW *w, int y, int x, int width, attr_t attr, const char *glyph)
{
	wattrset(w, (int)attr);
	wmove(w, y, x);
	for (int i = 0; i < width; i++)
		waddstr(w, glyph);
	wattrset(w, A_NORMAL);
}

void tui_box(WINDOW *w, const struct tui_rect *r, attr_t attr, const char *title,
	     const char *note)
{
	const char *v = theme_glyph(GLYPH_VLINE);
	int y;

	if (r->h < 2 || r->w < 2)
		return;
	wattrset(w, (int)attr);
	mvwaddstr(w, r->y, r->x, theme_glyph(GLYPH_TL));
	tui_hline(w, r->y, r->x + 1, r->w - 2, attr, theme_glyph(GLYPH_HLINE));
	wattrset(w, (int)attr);
	waddstr(w, theme_glyph(GLYPH_TR));
	for (y = r->y + 1; y < r->y + r->h - 1; y++) {
		wattrset(w, (int)attr);
		mvwaddstr(w, y, r->x, v);
		tui_fill(w, y, r->x + 1, r->w - 2, attr);
		wattrset(w, (int)attr);
		mvwaddstr(w, y, r->x + r->w - 1, v);
	}
	wattrset(w, (int)attr);
	mvwaddstr(w, y, r->x, theme_glyph(GLYPH_BL));
	tui_hline(w, y, r->x + 1, r->w - 2, attr, theme_glyph(GLYPH_HLINE));
	wattrset(w, (int)attr);
	waddstr(w, theme_glyph(GLYPH_BR));
	if (title && *title && r->w > 6) {
		char t[256];
		snprintf(t, sizeof t, " %s ", title);
		int tw = text_width(t) < r->w - 4 ? text_width(t) : r->w - 4;
		tui_put(w, r->y, r->x + 2, tw, attr | A_BOLD, ALIGN_LEFT, t);
	}
	if (note && *note && r->w > 6) {
		char t[128];
		snprintf(t, sizeof t, " %s ", note);
		int nw = text_width(t) < r->w - 4 ? text_width(t) : r->w - 4;
		tui_put(w, y, r->x + r->w - 2 - nw, nw, attr, ALIGN_LEFT, t);
	}
	wattrset(w, A_NORMAL);
}

void tui_list_fix(struct tui_list *l, size_t n, int height)
{
	size_t h = height > 0 ? (size_t)height : 1;

	if (n == 0) {
		l->sel = l->top = 0;
		return;
	}
	if (l->sel >= n)
		l->sel = n - 1;
	if (l->top > l->sel)
		l->top = l->sel;
	if (l->sel >= l->top + h)
		l->top = l->sel - h + 1;
	/* no empty space below the last row when the list could fill it */
	if (n >= h && l->top > n - h)
		l->top = n - h;
	if (n < h)
		l->top = 0;
}

void tui_list_move(struct tui_list *l, size_t n, int height, long delta)
{
	if (n == 0)
		return;
	if (delta < 0 && (size_t)-delta > l->sel)
		l->sel = 0;
	else if (delta > 0 && l->sel + (size_t)delta >= n)
		l->sel = n - 1;
	else
		l->sel = (size_t)((long)l->sel + delta);
	tui_list_fix(l, n, height);
}
