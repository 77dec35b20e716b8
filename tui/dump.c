/* tui/dump.c — the screen read back as text and colour grid (see dump.h). */
#include "tui/dump.h"

#include <curses.h>
#include <limits.h>
#include <string.h>
#include <wchar.h>

/* Appends one cell: its characters (UTF-8) to line, its pair to grid.
 * Returns the columns the cell's character takes. */
static int dump_cell(int y, int x, char *line, size_t *len, size_t cap, char *grid,
		     size_t *g, size_t gcap, size_t *keep)
{
	cchar_t cc;
	wchar_t wch[CCHARW_MAX + 1] = { L' ', 0 };
	attr_t attrs = 0;
	short pair = 0;
	int w;

	if (mvwin_wch(curscr, y, x, &cc) == ERR ||
	    getcchar(&cc, wch, &attrs, &pair, NULL) == ERR || wch[0] == 0) {
		wch[0] = L' ';
		wch[1] = 0;
		pair = 0;
	}
	for (int k = 0; wch[k] && *len + MB_LEN_MAX < cap; k++) {
		mbstate_t st;
		size_t m;

		memset(&st, 0, sizeof st);
		m = wcrtomb(line + *len, wch[k], &st);
		if (m == (size_t)-1)
			line[(*len)++] = '?';
		else
			*len += m;
	}
	if (wch[0] != L' ')
		*keep = *len;
	if (*g + 1 < gcap)
		grid[(*g)++] = pair == 0 ? '.' : pair <= 26 ? (char)('a' + pair - 1) : '#';
	w = wcwidth(wch[0]);
	return w < 1 ? 1 : w;
}

void dump_screen(FILE *text, FILE *colors, int index)
{
	int rows, cols, oy, ox;

	getmaxyx(curscr, rows, cols);
	getyx(curscr, oy, ox);
	if (text)
		fprintf(text, "--- dump %d: %dx%d ---\n", index, cols, rows);
	if (colors)
		fprintf(colors, "--- dump %d: %dx%d ---\n", index, cols, rows);
	for (int y = 0; y < rows; y++) {
		char line[8192], grid[1024];
		size_t len = 0, keep = 0, g = 0;

		for (int x = 0; x < cols;)
			x += dump_cell(y, x, line, &len, sizeof line, grid, &g, sizeof grid, &keep);
		line[keep] = '\0';
		grid[g] = '\0';
		if (text)
			fprintf(text, "%s\n", line);
		if (colors)
			fprintf(colors, "%s\n", grid);
	}
	wmove(curscr, oy, ox);
	if (text)
		fflush(text);
	if (colors)
		fflush(colors);
}
