/* tui/dump.h — the screen as text, for headless runs (tests): what
 * ncurses believes the terminal shows (curscr), read back cell by cell. */
#ifndef HMX_TUI_DUMP_H
#define HMX_TUI_DUMP_H

#include <stdio.h>

/* Appends a header line "--- dump INDEX: COLSxROWS ---" and then the
 * screen to text (one line per row, a wide character once, trailing
 * blanks cut) and the same grid of colour pairs to colors ('.' for pair 0,
 * 'a' for pair 1, 'b' for 2 ...). Either file may be NULL. Call right
 * after doupdate(). Leaves curscr's cursor where it was. */
void dump_screen(FILE *text, FILE *colors, int index);

#endif
