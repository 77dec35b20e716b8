/* tui/filter.h — what the list screens with filters (audit log, review)
 * share: a table of filter actions, each with its prompt and the function
 * that takes the answer; the end of every answer (the screen's subtitle
 * redone, back to the first row, reload); and Esc, which clears the
 * filters or, when there are none, leaves the screen. The screen owns its
 * filter fields and its subtitle; nothing here keeps state. */
#ifndef HMX_TUI_FILTER_H
#define HMX_TUI_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/action.h"
#include "tui/shell.h"

/* One filter: its action, the prompt's label and what takes the answer. */
struct tui_filter {
	enum action act;
	const char *prompt;
	tui_text_fn done;
};

/* The screen's subtitle redone from its filter fields (priv: its state). */
typedef void (*tui_filter_fn)(void *priv);

/* Opens the prompt of act when filters[0..n) has it; false when not. */
bool tui_filter_prompt(struct tui *t, const struct tui_filter *filters, size_t n,
		       enum action act);

/* Ends a filter answer: subtitle(priv), the first row selected; returns
 * TUI_RELOAD. */
unsigned tui_filter_applied(struct tui *t, tui_filter_fn subtitle, void *priv);

/* Copies text into field (of size n), then as tui_filter_applied. */
unsigned tui_filter_set(struct tui *t, char *field, size_t n, const char *text,
			tui_filter_fn subtitle, void *priv);

/* Esc on a filtered list: TUI_POP when filtered is false; else empty(priv)
 * empties the filter fields, subtitle(priv), the message line says
 * "Filters cleared"; returns TUI_RELOAD. */
unsigned tui_filter_clear(struct tui *t, bool filtered, tui_filter_fn empty,
			  tui_filter_fn subtitle, void *priv);

#endif
