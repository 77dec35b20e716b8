/* tui/shell.h — what a screen sees of the shell.
 *
 * A screen is a const table of callbacks (struct screen_ops, one per file
 * in screens/). The shell owns everything around it: the screen stack,
 * the private state (priv_size bytes, zeroed, freed after close), the
 * selection and scroll position of the screen's list, search, the message
 * line, prompts, yes/no questions, overlays, the key bar and the help
 * overlay (both generated from the screen's action table), preconditions,
 * refreshing on other processes' changes, and painting.
 *
 * Handlers change state and return flags; only the shell's loop paints,
 * with one doupdate() per iteration right before waiting for input. */
#ifndef HMX_TUI_SHELL_H
#define HMX_TUI_SHELL_H

#include <curses.h>

#include "core/calendar.h"
#include "core/store.h"
#include "tui/action.h"
#include "tui/theme.h"
#include "tui/tui.h"
#include "tui/widget.h"

struct tui;

/* Flags returned by handle() and by prompt / question callbacks. */
enum tui_result {
	TUI_OK = 0,
	TUI_RELOAD = 1, /* data changed: call reload() (the selection stays) */
	TUI_POP = 2,    /* close this screen */
	TUI_QUIT = 4,   /* quit hmx */
};

/* Preconditions the shell checks before calling handle(). */
enum tui_need {
	NEED_ROW = 1,   /* a row must be selected: "Done: nothing selected" */
	NEED_WRITE = 2, /* refused with --readonly: "Read-only mode: ..." */
};

/* One row of a screen's action table. */
struct screen_action {
	enum action act;
	const char *label; /* short label in the key bar; NULL: help only */
	const char *help;  /* help line on this screen; NULL: the action's own */
	unsigned need;     /* enum tui_need flags */
};

struct screen_ops {
	const char *name;  /* "dashboard" */
	const char *title; /* "Dashboard" */
	size_t priv_size;
	const struct screen_action *actions;
	size_t n_actions;
	const struct tui_keybind *keys; /* searched before tui_keys_global */
	size_t n_keys;

	/* Sets up priv for arg (may be NULL); data is loaded by reload()
	 * right after. An error keeps the screen from opening. */
	enum hmx_rc (*open)(struct tui *t, void *priv, const char *arg, struct hmx_err *err);
	/* Frees what priv owns (not priv itself). May be NULL. */
	void (*close)(struct tui *t, void *priv);
	/* (Re)reads the data from core. The shell shows err on failure. */
	enum hmx_rc (*reload)(struct tui *t, void *priv, struct hmx_err *err);
	/* Pure function of the size: given the body rectangle, sets where the
	 * list goes (h may be 0) and remembers its own areas in priv. */
	void (*layout)(struct tui *t, void *priv, const struct tui_rect *body,
		       struct tui_rect *list);
	/* Draws everything of the body except the list rows. */
	void (*draw)(struct tui *t, void *priv, WINDOW *w, const struct tui_rect *body);
	/* Rows in the list. */
	size_t (*rows)(void *priv);
	/* Draws list row `row` into line (one screen line, already filled with
	 * the selection's attributes when selected). */
	void (*draw_row)(struct tui *t, void *priv, WINDOW *w, size_t row,
			 const struct tui_rect *line, bool selected);
	/* Plain text of a row for `/` search. */
	void (*row_text)(void *priv, size_t row, char *buf, size_t n);
	/* Title in the title bar instead of title (may be NULL). */
	const char *(*title_of)(void *priv);
	/* Words after the title in the title bar (may be NULL or return ""). */
	const char *(*subtitle)(void *priv);
	/* Screen-specific precondition: false refuses the action, why gets the
	 * reason without the action's label. May be NULL. */
	bool (*allowed)(struct tui *t, void *priv, enum action a, char *why, size_t n);
	/* Does action a (one of the table's). Returns enum tui_result flags. */
	unsigned (*handle)(struct tui *t, void *priv, enum action a);
	/* Screens with background work (a worker thread). May be NULL.
	 * tick: called on the top screen after every event and idle wake-up
	 * (at least every SHELL_POLL_MS, more often while busy): takes in what
	 * the work produced; returns enum tui_result flags.
	 * busy: whether work is still running (the shell then wakes up more
	 * often; the key script's `wait` waits for it to be false).
	 * leave: called before q, Esc or Q closes the screen (quit_all: Q);
	 * false keeps it open (e.g. it asked first; its answer returns
	 * TUI_POP or TUI_QUIT). */
	unsigned (*tick)(struct tui *t, void *priv);
	bool (*busy)(void *priv);
	bool (*leave)(struct tui *t, void *priv, bool quit_all);
};

struct store *tui_store(struct tui *t);
/* Today, from cal_today() (HMX_TODAY in tests), re-read when idle. */
cal_day tui_today(const struct tui *t);
bool tui_readonly(const struct tui *t);

/* Selected row of the current screen's list (0 when empty). */
size_t tui_selected(const struct tui *t);
/* Selects a row of the current screen's list (clamped when painted). */
void tui_select(struct tui *t, size_t row);

/* Opens another screen on top of this one once the handler returns
 * (ops->open gets a copy of arg). */
void tui_push(struct tui *t, const struct screen_ops *ops, const char *arg);

/* Sets the message line (until the next key). */
void tui_message(struct tui *t, enum tui_role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Shows "what: <err->msg>" as an error on the message line. */
void tui_error(struct tui *t, const char *what, const struct hmx_err *err);

/* Asks for a line of text on the message line. On Enter, done() is called
 * with the text (possibly empty) and the current screen's priv; Esc cancels
 * without calling it. */
typedef unsigned (*tui_text_fn)(struct tui *t, void *priv, const char *text);
void tui_prompt(struct tui *t, const char *label, tui_text_fn done);

/* As tui_prompt, the line starting with initial (may be NULL), which the
 * user can keep (Enter) or edit. */
void tui_prompt_text(struct tui *t, const char *label, const char *initial, tui_text_fn done);

/* For a long core call made synchronously from a handler: until
 * tui_progress_end(), core's hmx_progress() paints a bar with what, the
 * bytes done and the total over the message line and shows it at once
 * (the loop is not running meanwhile). */
void tui_progress_begin(struct tui *t, const char *what);
void tui_progress_end(struct tui *t);

/* Asks a yes/no question in a dialog; No is the default (Enter, Esc, n).
 * The question should name the consequence. yes() runs on y only. */
typedef unsigned (*tui_yes_fn)(struct tui *t, void *priv);
void tui_confirm(struct tui *t, const char *question, tui_yes_fn yes);

/* Shows lines (copied) in a scrollable overlay until Esc, q or Enter. */
void tui_pager(struct tui *t, const char *title, const char *const *lines, size_t n);

/* Runs the shell: sets up the terminal (or, with opt->keys_file, a
 * headless screen of opt->cols x opt->rows fed by the key script), opens
 * screens[0..n) in order (each on top of the previous, args[i] passed to
 * its open()), loops until the user quits or the script ends, and restores
 * the terminal. Errors: a start screen that cannot open (its error), a bad
 * key script (HMX_EINVAL naming the line), no terminal (HMX_EINVAL),
 * unwritable dump files (HMX_EIO). The terminal is restored in every case. */
enum hmx_rc shell_run(struct store *s, const struct tui_options *opt,
		      const struct screen_ops *const *screens, const char *const *args,
		      size_t n_screens, struct hmx_err *err);

#endif
