/* tui/overlay.c — line editor, key-hint bar, pager and dialog (see
 * overlay.h). */
#include "tui/overlay.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui/action.h"
#include "tui/text.h"
#include "tui/theme.h"
#include "tui/widget.h"

/* ---- line editor ---------------------------------------------------- */

void tui_edit_clear(struct tui_edit *e)
{
	e->buf[0] = '\0';
	e->cur = 0;
}

void tui_edit_insert(struct tui_edit *e, const char *s)
{
	size_t len = strlen(e->buf), add = strlen(s);

	if (len + add >= sizeof e->buf)
		return;
	memmove(e->buf + e->cur + add, e->buf + e->cur, len - e->cur + 1);
	memcpy(e->buf + e->cur, s, add);
	e->cur += add;
}

/* Erases bytes [from, to) and leaves the cursor at from. */
static void tui_edit_erase(struct tui_edit *e, size_t from, size_t to)
{
	size_t len = strlen(e->buf);

	if (from >= to || to > len)
		return;
	memmove(e->buf + from, e->buf + to, len - to + 1);
	e->cur = from;
}

enum tui_edit_result tui_edit_key(struct tui_edit *e, int key)
{
	const char *b = e->buf;
	size_t cur = e->cur, i;
	char mb[MB_LEN_MAX + 1];
	mbstate_t st;
	size_t len;

	switch (key) {
	case '\n':
	case '\r':
	case TUI_FN(KEY_ENTER):
		return EDIT_ACCEPT;
	case TUI_KEY_ESC:
		return EDIT_CANCEL;
	case TUI_FN(KEY_BACKSPACE):
	case 127:
	case TUI_CTRL('h'):
		tui_edit_erase(e, text_prev(b, cur), cur);
		return EDIT_MORE;
	case TUI_FN(KEY_DC):
	case TUI_CTRL('d'):
		tui_edit_erase(e, cur, text_next(b, cur));
		return EDIT_MORE;
	case TUI_FN(KEY_LEFT):
	case TUI_CTRL('b'):
		e->cur = text_prev(b, cur);
		return EDIT_MORE;
	case TUI_FN(KEY_RIGHT):
	case TUI_CTRL('f'):
		e->cur = text_next(b, cur);
		return EDIT_MORE;
	case TUI_FN(KEY_HOME):
	case TUI_CTRL('a'):
		e->cur = 0;
		return EDIT_MORE;
	case TUI_FN(KEY_END):
	case TUI_CTRL('e'):
		e->cur = strlen(b);
		return EDIT_MORE;
	case TUI_CTRL('u'):
		tui_edit_erase(e, 0, cur);
		return EDIT_MORE;
	case TUI_CTRL('w'):
		for (i = cur; i > 0 && b[i - 1] == ' '; i--)
			;
		for (; i > 0 && b[i - 1] != ' '; i--)
			;
		tui_edit_erase(e, i, cur);
		return EDIT_MORE;
	default:
		break;
	}
	if ((key & TUI_FN(0)) || key < 0x20 || key == 0x7f)
		return EDIT_MORE;
	memset(&st, 0, sizeof st);
	len = wcrtomb(mb, (wchar_t)key, &st);
	if (len != (size_t)-1) {
		mb[len] = '\0';
		tui_edit_insert(e, mb);
	}
	return EDIT_MORE;
}

int tui_edit_paint(WINDOW *w, int y, int width, attr_t label_attr, const char *label,
		   const struct tui_edit *e)
{
	int lw = text_width(label), avail = width - lw - 1;
	size_t start = 0;
	char before[sizeof e->buf];

	if (avail < 1)
		avail = 1;
	/* scroll the text left until the cursor fits */
	for (;;) {
		size_t len = e->cur - start;
		memcpy(before, e->buf + start, len);
		before[len] = '\0';
		if (text_width(before) <= avail || start >= e->cur)
			break;
		start = text_next(e->buf, start);
	}
	tui_put(w, y, 0, lw, label_attr, ALIGN_LEFT, label);
	tui_put(w, y, lw, width - lw, A_NORMAL, ALIGN_LEFT, e->buf + start);
	return lw + text_width(before);
}

/* ---- key-hint bar --------------------------------------------------- */

void tui_hints_paint(WINDOW *w, int y, int width, const struct tui_hint *h, size_t n,
		     size_t pinned)
{
	int x = 0, end = width;
	attr_t bar = theme_attr(ROLE_KEYBAR), key = theme_attr(ROLE_KEY);

	if (pinned > n)
		pinned = n;
	tui_fill(w, y, 0, width, bar);
	for (size_t i = n - pinned; i < n; i++)
		end -= text_width(h[i].key) + text_width(h[i].label) + 3;
	for (size_t i = 0; i < n; i++) {
		int kw = text_width(h[i].key);
		int hw = kw + text_width(h[i].label) + 3; /* " key label " + gap */

		if (i < n - pinned && x + hw > end)
			continue;
		if (x + hw > width)
			break;
		tui_put(w, y, x + 1, kw, key, ALIGN_LEFT, h[i].key);
		tui_put(w, y, x + 2 + kw, hw - kw - 2, bar, ALIGN_LEFT, h[i].label);
		x += hw;
	}
}

/* ---- pager ---------------------------------------------------------- */

bool tui_pager_open(struct tui_pager *p, const char *title, const char *const *lines,
		    size_t n)
{
	tui_pager_close(p);
	p->lines = calloc(n ? n : 1, sizeof *p->lines);
	if (!p->lines)
		return false;
	for (p->n = 0; p->n < n; p->n++) {
		p->lines[p->n] = strdup(lines[p->n]);
		if (!p->lines[p->n]) {
			tui_pager_close(p);
			return false;
		}
	}
	snprintf(p->title, sizeof p->title, "%s", title);
	return true;
}

void tui_pager_close(struct tui_pager *p)
{
	if (p->lines)
		for (size_t i = 0; i < p->n; i++)
			free(p->lines[i]);
	free(p->lines);
	memset(p, 0, sizeof *p);
}

void tui_pager_scroll(struct tui_pager *p, long delta)
{
	size_t rows = p->rows > 0 ? (size_t)p->rows : 1;
	size_t max = p->shown > rows ? p->shown - rows : 0;

	long top = (long)p->top + delta;

	if (top > (long)max)
		top = (long)max;
	p->top = top < 0 ? 0 : (size_t)top;
}

/* One screen line of the pager: bytes [off, off+len) of a line, and
 * whether it continues the line above (then it is indented). */
struct pager_line {
	size_t line, off, len;
	bool cont;
};

/* Wraps the lines at width columns into out (NULL: count only). */
static size_t pager_wrap(const struct tui_pager *p, int width, struct pager_line *out)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++) {
		const char *s = p->lines[i];
		size_t off = 0;

		do {
			size_t next, len = text_wrap(s + off, off ? width - 4 : width, &next);
			if (out)
				out[n] = (struct pager_line){ i, off, len, off > 0 };
			n++;
			off += next;
		} while (s[off]);
	}
	return n;
}

void tui_pager_paint(struct tui_pager *p, attr_t attr)
{
	int maxw = 0, w, h;
	struct tui_rect r;
	char note[64], buf[1024];
	struct pager_line *pl;
	size_t n;
	WINDOW *win;

	for (size_t i = 0; i < p->n; i++) {
		int lw = text_width(p->lines[i]);
		if (lw > maxw)
			maxw = lw;
	}
	w = maxw + 4 < 50 ? 50 : maxw + 4;
	if (w > COLS - 4)
		w = COLS - 4;
	n = pager_wrap(p, w - 4, NULL);
	pl = calloc(n, sizeof *pl);
	if (!pl)
		return;
	pager_wrap(p, w - 4, pl);
	h = (int)n + 2 > LINES - 4 ? LINES - 4 : (int)n + 2;
	if (h < 3)
		h = 3;
	p->rows = h - 2;
	p->shown = n;
	tui_pager_scroll(p, 0); /* clamp to the new size */
	win = newwin(h, w, (LINES - h) / 2, (COLS - w) / 2);
	if (win) {
		r = (struct tui_rect){ 0, 0, h, w };
		note[0] = '\0';
		if (n > (size_t)p->rows)
			snprintf(note, sizeof note, "%zu-%zu of %zu", p->top + 1,
				 p->top + (size_t)p->rows, n);
		tui_box(win, &r, attr, p->title, note);
		for (int i = 0; i < p->rows && p->top + (size_t)i < n; i++) {
			const struct pager_line *l = &pl[p->top + (size_t)i];
			size_t len = l->len < sizeof buf - 1 ? l->len : sizeof buf - 1;

			memcpy(buf, p->lines[l->line] + l->off, len);
			buf[len] = '\0';
			tui_put(win, 1 + i, l->cont ? 6 : 2, l->cont ? w - 8 : w - 4, attr,
				ALIGN_LEFT, buf);
		}
		wnoutrefresh(win);
		delwin(win);
	}
	free(pl);
}

/* ---- dialog --------------------------------------------------------- */

void tui_dialog_paint(const char *title, const char *text, const char *buttons, attr_t attr)
{
	int w = COLS - 4 < 64 ? COLS - 4 : 64, inner = w - 4, h, nl = 0;
	const char *lines[12];
	size_t lens[12];
	struct tui_rect r;
	WINDOW *win;

	while (*text && nl < 12) {
		size_t next;
		lens[nl] = text_wrap(text, inner, &next);
		lines[nl++] = text;
		text += next;
	}
	h = nl + 4;
	win = newwin(h, w, (LINES - h) / 2, (COLS - w) / 2);
	if (!win)
		return;
	r = (struct tui_rect){ 0, 0, h, w };
	tui_box(win, &r, attr, title, NULL);
	for (int i = 0; i < nl; i++) {
		char buf[512];
		size_t len = lens[i] < sizeof buf - 1 ? lens[i] : sizeof buf - 1;

		memcpy(buf, lines[i], len);
		buf[len] = '\0';
		tui_put(win, 1 + i, 2, inner, attr, ALIGN_LEFT, buf);
	}
	tui_put(win, h - 2, 2, inner, attr | A_BOLD, ALIGN_CENTER, buttons);
	wnoutrefresh(win);
	delwin(win);
}
