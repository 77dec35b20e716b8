/* tui/tui.h — entry point of the interactive shell, called by main.c.
 * Implemented in screens/screens.c (it names the start screens) on top of
 * the generic shell in tui/shell.c. */
#ifndef HMX_TUI_TUI_H
#define HMX_TUI_TUI_H

#include "core/store.h"

struct tui_options {
	const char *keys_file;   /* scripted keys instead of the terminal (tests) */
	const char *dump_file;   /* write screen text here at the end / on "dump" */
	const char *colors_file; /* write a per-cell colour-pair grid here (tests) */
	int rows, cols;          /* fixed size for headless runs (0: default 24x80) */
	bool no_color;           /* --no-color or NO_COLOR set */
	bool ascii;              /* --ascii: no line-drawing or Unicode glyphs */
	bool readonly;           /* --readonly: refuse every change */
	const char *open_cycle;  /* start on this cycle's checklist (may be NULL) */
	const char *open_screen; /* start on this screen over the dashboard: "audit"
	                          * (with open_cycle: filtered to it), "review"
	                          * (open_cycle required), "transfers" (with
	                          * open_cycle: pulled exports go into it),
	                          * NULL none */
	const char *review_as;   /* a reviewer's name: the restricted session of
	                          * `hmx review --as NAME`, the review screen only
	                          * (open_cycle: that cycle, else every open one) */
};

/* Runs the shell on an open store until the user quits. Restores the
 * terminal before returning, also on error. Returns HMX_OK or an error
 * with err set (e.g. keys file unreadable, terminal unusable). */
enum hmx_rc tui_run(struct store *s, const struct tui_options *opt, struct hmx_err *err);

#endif
