/* tui/shell.c — the interactive shell: terminal set-up and restore, the
 * main loop (paint, one doupdate(), wait for input, dispatch), the screen
 * stack, preconditions, the message line, prompt, yes/no dialog, pager
 * and help overlays, search, refresh on other processes' changes, and the
 * headless mode of the tests (key script in, screen text and colour grid
 * out). See shell.h for what screens see of it. */
#include "tui/shell.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tui/dump.h"
#include "tui/overlay.h"
#include "tui/script.h"
#include "tui/text.h"

#define SHELL_MIN_COLS 80
#define SHELL_MIN_ROWS 24
#define SHELL_STACK_MAX 8
#define SHELL_POLL_MS 500 /* idle wake-up: data_version and date check */
#define SHELL_BUSY_MS 200 /* idle wake-up while a screen has background work */
#define SHELL_WAIT_MS 60000 /* longest `wait` of a key script */

struct shell_frame {
	const struct screen_ops *ops;
	void *priv;
	struct tui_list list;
	struct tui_rect list_rect;
};

enum shell_ev_kind { EV_KEY, EV_ACTION, EV_TEXT, EV_RESIZE, EV_IDLE, EV_END };

struct shell_event {
	enum shell_ev_kind kind;
	int key;
	enum action act;
	const char *text;
	int line; /* script line, 0 when typed */
};

struct tui {
	struct store *store;
	const struct tui_options *opt;
	cal_day today;
	int64_t data_version;
	bool quit;
	bool failed; /* a script error ended the run; detail in err */
	struct hmx_err err;

	struct shell_frame stack[SHELL_STACK_MAX];
	int depth;
	const struct screen_ops *push_ops;
	char push_arg[128];

	char msg[512];
	enum tui_role msg_role;

	bool prompt_on;
	bool prompt_search; /* the `/` prompt, handled by the shell itself */
	char prompt_label[160];
	struct tui_edit edit;
	tui_text_fn prompt_fn;

	bool confirm_on;
	char confirm_q[512];
	tui_yes_fn confirm_fn;

	struct tui_pager pager; /* help and audit trails */

	char search[128];

	SCREEN *scr;
	bool headless;
	FILE *null_out, *null_in; /* the headless terminal */
	bool signals;             /* our SIGINT/TERM/HUP handlers are in */
	struct sigaction old_int, old_term, old_hup;
	struct script script;
	size_t script_pos;
	bool last_was_dump;
	FILE *dump_f, *colors_f;
	int n_dumps;
	bool cursor_on;
	double progress_last; /* monotonic seconds of the last progress paint */
	char progress_what[96];
	pthread_t main_thread; /* the log hook ignores other threads */
};

static volatile sig_atomic_t shell_signalled;

static void shell_on_signal(int sig)
{
	(void)sig;
	shell_signalled = 1;
}

static struct shell_frame *shell_top(struct tui *t)
{
	return t->depth > 0 ? &t->stack[t->depth - 1] : NULL;
}

static size_t shell_rows(struct shell_frame *fr)
{
	return fr && fr->ops->rows ? fr->ops->rows(fr->priv) : 0;
}

static const char *shell_title(const struct shell_frame *fr)
{
	const char *s = fr->ops->title_of ? fr->ops->title_of(fr->priv) : NULL;

	return s && *s ? s : fr->ops->title;
}

static bool shell_too_small(void)
{
	return COLS < SHELL_MIN_COLS || LINES < SHELL_MIN_ROWS;
}

/* ---- what screens call ---------------------------------------------- */

struct store *tui_store(struct tui *t)
{
	return t->store;
}

cal_day tui_today(const struct tui *t)
{
	return t->today;
}

bool tui_readonly(const struct tui *t)
{
	return t->opt->readonly;
}

size_t tui_selected(const struct tui *t)
{
	return t->depth > 0 ? t->stack[t->depth - 1].list.sel : 0;
}

void tui_select(struct tui *t, size_t row)
{
	struct shell_frame *fr = shell_top(t);

	if (fr) {
		fr->list.sel = row;
		tui_list_fix(&fr->list, shell_rows(fr), fr->list_rect.h);
	}
}

void tui_push(struct tui *t, const struct screen_ops *ops, const char *arg)
{
	t->push_ops = ops;
	hmx_strlcpy(t->push_arg, arg ? arg : "", sizeof t->push_arg);
}

void tui_message(struct tui *t, enum tui_role role, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof t->msg, fmt, ap);
	va_end(ap);
	t->msg_role = role;
}

void tui_error(struct tui *t, const char *what, const struct hmx_err *err)
{
	if (what && *what)
		tui_message(t, ROLE_BLOCKING, "%s: %s", what, err->msg);
	else
		tui_message(t, ROLE_BLOCKING, "%s", err->msg);
}

void tui_prompt(struct tui *t, const char *label, tui_text_fn done)
{
	t->prompt_on = true;
	t->prompt_search = false;
	hmx_strlcpy(t->prompt_label, label, sizeof t->prompt_label);
	tui_edit_clear(&t->edit);
	t->prompt_fn = done;
}

void tui_prompt_text(struct tui *t, const char *label, const char *initial, tui_text_fn done)
{
	tui_prompt(t, label, done);
	if (initial)
		tui_edit_insert(&t->edit, initial);
}

void tui_confirm(struct tui *t, const char *question, tui_yes_fn yes)
{
	t->confirm_on = true;
	hmx_strlcpy(t->confirm_q, question, sizeof t->confirm_q);
	t->confirm_fn = yes;
}

void tui_pager(struct tui *t, const char *title, const char *const *lines, size_t n)
{
	if (!tui_pager_open(&t->pager, title, lines, n))
		tui_message(t, ROLE_BLOCKING, "Out of memory");
}

/* ---- screen stack --------------------------------------------------- */

static void shell_reload(struct tui *t, struct shell_frame *fr)
{
	struct hmx_err err;

	hmx_err_clear(&err);
	if (fr->ops->reload && fr->ops->reload(t, fr->priv, &err) != HMX_OK)
		tui_error(t, "Cannot load the data", &err);
	tui_list_fix(&fr->list, shell_rows(fr), fr->list_rect.h);
}

static void shell_free_frame(struct tui *t, struct shell_frame *fr)
{
	if (fr->ops->close)
		fr->ops->close(t, fr->priv);
	free(fr->priv);
	memset(fr, 0, sizeof *fr);
}

/* Opens ops on top of the stack: open() then reload(), with the new screen
 * already on top so that tui_select() and friends act on it. On failure
 * the screen is not kept and err says why. */
static enum hmx_rc shell_push(struct tui *t, const struct screen_ops *ops, const char *arg,
			      struct hmx_err *err)
{
	struct shell_frame *fr;
	enum hmx_rc rc = HMX_OK;

	if (t->depth == SHELL_STACK_MAX)
		return hmx_err_set(err, HMX_ESTATE, "too many screens open; press q to close one");
	fr = &t->stack[t->depth];
	memset(fr, 0, sizeof *fr);
	fr->ops = ops;
	fr->priv = calloc(1, ops->priv_size ? ops->priv_size : 1);
	if (!fr->priv)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory opening %s", ops->title);
	t->depth++;
	if (ops->open)
		rc = ops->open(t, fr->priv, arg && *arg ? arg : NULL, err);
	if (rc == HMX_OK && ops->reload)
		rc = ops->reload(t, fr->priv, err);
	if (rc != HMX_OK) {
		t->depth--;
		shell_free_frame(t, fr);
	}
	return rc;
}

static void shell_pop(struct tui *t)
{
	if (t->depth <= 0)
		return;
	shell_free_frame(t, &t->stack[--t->depth]);
	if (t->depth > 0)
		shell_reload(t, shell_top(t));
}

/* Applies the flags a handler returned, then a push it asked for. */
static void shell_apply(struct tui *t, unsigned flags)
{
	struct shell_frame *fr = shell_top(t);

	if ((flags & TUI_RELOAD) && fr)
		shell_reload(t, fr);
	if (flags & TUI_QUIT)
		t->quit = true;
	if (flags & TUI_POP)
		shell_pop(t);
	if (t->push_ops) {
		const struct screen_ops *ops = t->push_ops;
		struct hmx_err err;

		t->push_ops = NULL;
		hmx_err_clear(&err);
		if (shell_push(t, ops, t->push_arg, &err) != HMX_OK)
			tui_error(t, ops->title, &err);
	}
}

/* Reloads the current screen when another process committed to the store
 * or the date changed (a session left open past midnight). */
static void shell_poll(struct tui *t)
{
	int64_t v;
	cal_day today = cal_today();
	struct shell_frame *fr = shell_top(t);

	if (fr && fr->ops->tick)
		shell_apply(t, fr->ops->tick(t, fr->priv));
	fr = shell_top(t);
	v = store_data_version(t->store);
	if (v == t->data_version && today == t->today)
		return;
	t->data_version = v;
	t->today = today;
	if (fr)
		shell_reload(t, fr);
}

/* ---- key tables of the current screen ------------------------------- */

static const struct screen_action *shell_screen_action(const struct screen_ops *ops,
						       enum action a)
{
	for (size_t i = 0; i < ops->n_actions; i++)
		if (ops->actions[i].act == a)
			return &ops->actions[i];
	return NULL;
}

static enum action shell_lookup(const struct screen_ops *ops, int key)
{
	enum action a = ACT_NONE;

	if (ops && ops->keys)
		a = keymap_lookup(ops->keys, ops->n_keys, key);
	if (a == ACT_NONE)
		a = keymap_lookup(tui_keys_global, tui_keys_global_n, key);
	return a;
}

/* Writes the names of the keys that do a on this screen ("Up k"), at most
 * max of them, aliases left out; "" when none. */
static void shell_keys_for(const struct screen_ops *ops, enum action a, int max, char *buf,
			   size_t n)
{
	char name[32];
	int found = 0;
	size_t at = 0;

	buf[0] = '\0';
	/* global keys first (Enter before a screen's extra Right), then the
	 * screen's own */
	for (int pass = 0; pass < 2 && found < max; pass++) {
		const struct tui_keybind *map = pass ? ops->keys : tui_keys_global;
		size_t cnt = pass ? ops->n_keys : tui_keys_global_n;

		for (size_t i = 0; map && i < cnt && found < max; i++) {
			if (map[i].act != a || map[i].alias)
				continue;
			/* a global key the screen rebinds does something else here */
			if (!pass && shell_lookup(ops, map[i].key) != a)
				continue;
			tui_key_name(map[i].key, name, sizeof name);
			at += (size_t)snprintf(buf + at, n - at, "%s%s", found ? " " : "", name);
			if (at >= n)
				return;
			found++;
		}
	}
}

/* Actions the shell does itself on every screen, with key-bar labels. */
static const struct screen_action shell_actions[] = {
	{ ACT_UP, NULL, NULL, 0 },
	{ ACT_DOWN, NULL, NULL, 0 },
	{ ACT_PAGE_UP, NULL, NULL, 0 },
	{ ACT_PAGE_DOWN, NULL, NULL, 0 },
	{ ACT_TOP, NULL, NULL, 0 },
	{ ACT_BOTTOM, NULL, NULL, 0 },
	{ ACT_SEARCH, "Search", NULL, 0 },
	{ ACT_SEARCH_NEXT, NULL, NULL, 0 },
	{ ACT_SEARCH_PREV, NULL, NULL, 0 },
	{ ACT_REFRESH, NULL, NULL, 0 },
	{ ACT_HELP, "Help", NULL, 0 },
	{ ACT_BACK, NULL, NULL, 0 },
	{ ACT_QUIT, "Quit", NULL, 0 },
	{ ACT_QUIT_ALL, NULL, NULL, 0 },
};
#define SHELL_N_ACTIONS (sizeof shell_actions / sizeof shell_actions[0])

static bool shell_is_global(enum action a)
{
	for (size_t i = 0; i < SHELL_N_ACTIONS; i++)
		if (shell_actions[i].act == a)
			return true;
	return false;
}

/* Label of an action in messages: the screen's key-bar label, else its
 * script name with a capital. */
static const char *shell_label(const struct screen_ops *ops, enum action a, char *buf,
			       size_t n)
{
	const struct screen_action *sa = ops ? shell_screen_action(ops, a) : NULL;

	if (sa && sa->label)
		return sa->label;
	snprintf(buf, n, "%s", action_name(a));
	if (buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 'a' + 'A');
	return buf;
}

/* ---- help overlay --------------------------------------------------- */

static void shell_help(struct tui *t)
{
	struct shell_frame *fr = shell_top(t);
	const struct screen_ops *ops = fr->ops;
	const char *lines[ACT_COUNT + 16];
	char store[ACT_COUNT + 16][160];
	size_t n = 0;
	char keys[64];

	for (int g = GROUP_MOVE; g <= GROUP_DIALOG; g++) {
		bool heading = false;

		for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
			const struct screen_action *sa = shell_screen_action(ops, (enum action)a);
			const char *help;

			if (action_group((enum action)a) != (enum action_group)g)
				continue;
			if (!sa && !shell_is_global((enum action)a))
				continue;
			if (!heading) {
				if (n)
					lines[n++] = "";
				lines[n++] = action_group_title((enum action_group)g);
				heading = true;
			}
			shell_keys_for(ops, (enum action)a, 3, keys, sizeof keys);
			help = sa && sa->help ? sa->help : action_help((enum action)a);
			if (a == ACT_QUIT)
				help = t->depth > 1 ? "Close this screen" : "Quit hmx";
			snprintf(store[n], sizeof store[n], "  %-14s %s", keys, help);
			lines[n] = store[n];
			n++;
		}
	}
	lines[n++] = "";
	lines[n++] = "Actions that cannot be done now say why on the message line.";
	{
		char title[96];
		snprintf(title, sizeof title, "Help: %s", shell_title(fr));
		tui_pager(t, title, lines, n);
	}
}

/* ---- search --------------------------------------------------------- */

/* Selects the next row (dir 1) or previous (dir -1) whose text contains
 * the search, wrapping around; the current row is tried last. */
static void shell_search(struct tui *t, int dir)
{
	struct shell_frame *fr = shell_top(t);
	size_t n = shell_rows(fr);
	char text[4096];

	if (!t->search[0]) {
		tui_message(t, ROLE_WARNING, "Search: nothing to search for yet; press / first");
		return;
	}
	if (!fr->ops->row_text || n == 0) {
		tui_message(t, ROLE_WARNING, "Search: no rows to search on this screen");
		return;
	}
	for (size_t k = 1; k <= n; k++) {
		size_t i = dir > 0 ? (fr->list.sel + k) % n : (fr->list.sel + n * k - k) % n;

		fr->ops->row_text(fr->priv, i, text, sizeof text);
		if (text_contains_nocase(text, t->search)) {
			bool wrapped = dir > 0 ? i <= fr->list.sel : i >= fr->list.sel;
			tui_select(t, i);
			tui_message(t, ROLE_NORMAL, "Search \"%s\": row %zu of %zu%s (n next, N previous)",
				    t->search, i + 1, n, wrapped ? ", wrapped around" : "");
			return;
		}
	}
	tui_message(t, ROLE_WARNING, "Search: no row contains \"%s\"", t->search);
}

/* ---- dispatch ------------------------------------------------------- */

/* Fails a headless run: the script asked for something impossible. */
static void shell_script_fail(struct tui *t, int line, const char *what)
{
	hmx_err_set(&t->err, HMX_EINVAL, "%s line %d: %s", t->opt->keys_file, line, what);
	t->failed = true;
	t->quit = true;
}

static void shell_prompt_accept(struct tui *t)
{
	char text[sizeof t->edit.buf];
	struct shell_frame *fr = shell_top(t);

	memcpy(text, t->edit.buf, sizeof text);
	t->prompt_on = false;
	if (t->prompt_search) {
		if (text[0])
			hmx_strlcpy(t->search, text, sizeof t->search);
		shell_search(t, 1);
		return;
	}
	if (t->prompt_fn && fr)
		shell_apply(t, t->prompt_fn(t, fr->priv, text));
}

static void shell_prompt_cancel(struct tui *t)
{
	t->prompt_on = false;
	tui_message(t, ROLE_NORMAL, "Cancelled; nothing changed");
}

static void shell_confirm_answer(struct tui *t, bool yes)
{
	struct shell_frame *fr = shell_top(t);

	t->confirm_on = false;
	if (!yes) {
		tui_message(t, ROLE_NORMAL, "Cancelled; nothing changed");
		return;
	}
	if (t->confirm_fn && fr)
		shell_apply(t, t->confirm_fn(t, fr->priv));
}

static void shell_pager_action(struct tui *t, enum action a)
{
	long page = t->pager.rows > 1 ? t->pager.rows : 1, all = (long)t->pager.shown;

	switch (a) {
	case ACT_UP:
		tui_pager_scroll(&t->pager, -1);
		break;
	case ACT_DOWN:
		tui_pager_scroll(&t->pager, 1);
		break;
	case ACT_PAGE_UP:
		tui_pager_scroll(&t->pager, -page);
		break;
	case ACT_PAGE_DOWN:
		tui_pager_scroll(&t->pager, page);
		break;
	case ACT_TOP:
		tui_pager_scroll(&t->pager, -all);
		break;
	case ACT_BOTTOM:
		tui_pager_scroll(&t->pager, all);
		break;
	case ACT_QUIT_ALL:
		t->quit = true;
		break;
	case ACT_BACK:
	case ACT_QUIT:
	case ACT_ENTER:
	case ACT_HELP:
		tui_pager_close(&t->pager);
		break;
	default:
		tui_message(t, ROLE_WARNING, "Close this window first (Esc or q)");
		break;
	}
}

/* Whether the screen fr lets itself be closed now (its leave hook). */
static bool shell_may_leave(struct tui *t, struct shell_frame *fr, bool quit_all)
{
	return !fr->ops->leave || fr->ops->leave(t, fr->priv, quit_all);
}

static bool shell_busy(struct tui *t)
{
	struct shell_frame *fr = shell_top(t);

	return fr && fr->ops->busy && fr->ops->busy(fr->priv);
}

static void shell_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* An action on the current screen, the overlays being closed. */
static void shell_action(struct tui *t, enum action a)
{
	struct shell_frame *fr = shell_top(t);
	size_t n = shell_rows(fr);
	int h = fr->list_rect.h > 1 ? fr->list_rect.h : 1;
	const struct screen_action *sa;
	const char *lbl;
	char label[32], why[256];

	if (shell_too_small() && a != ACT_QUIT && a != ACT_QUIT_ALL && a != ACT_BACK &&
	    a != ACT_REFRESH)
		return; /* the notice on screen says what to do */
	switch (a) {
	case ACT_UP:
		tui_list_move(&fr->list, n, h, -1);
		return;
	case ACT_DOWN:
		tui_list_move(&fr->list, n, h, 1);
		return;
	case ACT_PAGE_UP:
		tui_list_move(&fr->list, n, h, -h);
		return;
	case ACT_PAGE_DOWN:
		tui_list_move(&fr->list, n, h, h);
		return;
	case ACT_TOP:
		tui_list_move(&fr->list, n, h, -(long)n);
		return;
	case ACT_BOTTOM:
		tui_list_move(&fr->list, n, h, (long)n);
		return;
	case ACT_SEARCH:
		tui_prompt(t, "Search: ", NULL);
		t->prompt_search = true;
		return;
	case ACT_SEARCH_NEXT:
		shell_search(t, 1);
		return;
	case ACT_SEARCH_PREV:
		shell_search(t, -1);
		return;
	case ACT_HELP:
		shell_help(t);
		return;
	case ACT_REFRESH:
		clearok(curscr, TRUE);
		shell_reload(t, fr);
		return;
	case ACT_BACK:
		if (t->depth > 1 && shell_may_leave(t, fr, false))
			shell_pop(t);
		else if (t->depth <= 1)
			tui_message(t, ROLE_NORMAL, "This is the first screen; q quits hmx");
		return;
	case ACT_QUIT:
		if (!shell_may_leave(t, fr, t->depth <= 1))
			return;
		if (t->depth > 1)
			shell_pop(t);
		else
			t->quit = true;
		return;
	case ACT_QUIT_ALL:
		if (shell_may_leave(t, fr, true))
			t->quit = true;
		return;
	default:
		break;
	}
	sa = shell_screen_action(fr->ops, a);
	if (!sa) {
		tui_message(t, ROLE_WARNING, "%s: not available on the %s screen (? lists the keys)",
			    shell_label(NULL, a, label, sizeof label), fr->ops->title);
		return;
	}
	lbl = shell_label(fr->ops, a, label, sizeof label);
	if ((sa->need & NEED_WRITE) && t->opt->readonly) {
		tui_message(t, ROLE_WARNING, "Read-only mode: changes are disabled");
		return;
	}
	if ((sa->need & NEED_ROW) && n == 0) {
		tui_message(t, ROLE_WARNING, "%s: nothing selected", lbl);
		return;
	}
	why[0] = '\0';
	if (fr->ops->allowed && !fr->ops->allowed(t, fr->priv, a, why, sizeof why)) {
		tui_message(t, ROLE_WARNING, "%s: %s", lbl, why[0] ? why : "not possible now");
		return;
	}
	shell_apply(t, fr->ops->handle(t, fr->priv, a));
}

static void shell_event(struct tui *t, const struct shell_event *ev)
{
	struct shell_frame *fr = shell_top(t);
	enum action a;
	char name[32], what[128];

	t->msg[0] = '\0';
	switch (ev->kind) {
	case EV_TEXT:
		if (!t->prompt_on) {
			shell_script_fail(t, ev->line, "text: given but no prompt is open");
			return;
		}
		tui_edit_insert(&t->edit, ev->text);
		return;
	case EV_KEY:
		if (t->prompt_on) {
			enum tui_edit_result r = tui_edit_key(&t->edit, ev->key);
			if (r == EDIT_ACCEPT)
				shell_prompt_accept(t);
			else if (r == EDIT_CANCEL)
				shell_prompt_cancel(t);
			return;
		}
		if (t->confirm_on) {
			a = keymap_lookup(tui_keys_dialog, tui_keys_dialog_n, ev->key);
			if (a != ACT_NONE)
				shell_confirm_answer(t, a == ACT_YES);
			return;
		}
		a = shell_lookup(t->pager.lines ? NULL : fr->ops, ev->key);
		if (a == ACT_NONE) {
			if (!shell_too_small())
				tui_message(t, ROLE_WARNING,
					    "Key %s does nothing here; ? lists the keys",
					    tui_key_name(ev->key, name, sizeof name));
			return;
		}
		break;
	case EV_ACTION:
		a = ev->act;
		if (t->prompt_on) {
			if (a == ACT_ENTER) {
				shell_prompt_accept(t);
			} else if (a == ACT_BACK || a == ACT_QUIT) {
				shell_prompt_cancel(t);
			} else {
				snprintf(what, sizeof what, "'%s' while a prompt is open "
					 "(use text:, enter or back)", action_name(a));
				shell_script_fail(t, ev->line, what);
			}
			return;
		}
		if (t->confirm_on) {
			if (a == ACT_YES || a == ACT_NO || a == ACT_ENTER || a == ACT_BACK ||
			    a == ACT_QUIT) {
				shell_confirm_answer(t, a == ACT_YES);
			} else {
				snprintf(what, sizeof what, "'%s' while a question is open "
					 "(use yes or no)", action_name(a));
				shell_script_fail(t, ev->line, what);
			}
			return;
		}
		break;
	default:
		return;
	}
	if (t->pager.lines)
		shell_pager_action(t, a);
	else
		shell_action(t, a);
}

/* ---- painting ------------------------------------------------------- */

static void shell_paint_small(void)
{
	char l1[64];
	const char *lines[3];
	int y0 = LINES / 2 - 1;

	snprintf(l1, sizeof l1, "Terminal too small: %dx%d", COLS, LINES);
	lines[0] = l1;
	lines[1] = "hmx needs at least 80x24.";
	lines[2] = "Enlarge the window, or press q to quit.";
	for (int i = 0; i < 3; i++)
		if (y0 + i >= 0 && y0 + i < LINES)
			tui_put(stdscr, y0 + i, 0, COLS, i ? A_NORMAL : theme_attr(ROLE_WARNING),
				ALIGN_CENTER, lines[i]);
}

static void shell_paint_title(struct tui *t)
{
	char left[512], right[128], day[11];
	struct shell_frame *fr = shell_top(t);
	const char *sub = fr->ops->subtitle ? fr->ops->subtitle(fr->priv) : "";
	size_t at;
	int rw;

	at = (size_t)snprintf(left, sizeof left, " hmx ");
	for (int i = 0; i < t->depth && at < sizeof left; i++)
		at += (size_t)snprintf(left + at, sizeof left - at, "%s %s",
				       i ? (theme_ascii() ? " >" : " ›") : theme_glyph(GLYPH_DOT),
				       shell_title(&t->stack[i]));
	if (sub && *sub && at < sizeof left)
		snprintf(left + at, sizeof left - at, ": %s", sub);
	snprintf(right, sizeof right, "%s%s  %s ", t->opt->readonly ? "READ-ONLY  " : "",
		 t->opt->review_as ? t->opt->review_as : hmx_actor(), cal_format(t->today, day));
	rw = text_width(right);
	if (rw > COLS / 2)
		rw = 0;
	tui_put(stdscr, 0, 0, COLS - rw, theme_attr(ROLE_TITLE), ALIGN_LEFT, left);
	tui_put(stdscr, 0, COLS - rw, rw, theme_attr(ROLE_TITLE), ALIGN_RIGHT, right);
}

static void shell_paint_body(struct tui *t)
{
	struct shell_frame *fr = shell_top(t);
	struct tui_rect body = { 1, 0, LINES - 3, COLS };
	size_t n;

	fr->list_rect = (struct tui_rect){ body.y, body.x, 0, body.w };
	if (fr->ops->layout)
		fr->ops->layout(t, fr->priv, &body, &fr->list_rect);
	n = shell_rows(fr);
	tui_list_fix(&fr->list, n, fr->list_rect.h);
	if (fr->ops->draw)
		fr->ops->draw(t, fr->priv, stdscr, &body);
	for (int r = 0; r < fr->list_rect.h && fr->list.top + (size_t)r < n; r++) {
		size_t row = fr->list.top + (size_t)r;
		struct tui_rect line = { fr->list_rect.y + r, fr->list_rect.x, 1, fr->list_rect.w };
		bool sel = row == fr->list.sel;

		if (sel)
			tui_fill(stdscr, line.y, line.x, line.w, theme_attr(ROLE_SELECTED));
		if (fr->ops->draw_row)
			fr->ops->draw_row(t, fr->priv, stdscr, row, &line, sel);
	}
}

static void shell_paint_keybar(struct tui *t, int y)
{
	struct tui_hint h[40];
	char keys[40][32];
	size_t n = 0, pinned = 0;
	struct shell_frame *fr = shell_top(t);

	if (t->prompt_on) {
		static const struct tui_hint ph[] = {
			{ "Enter", "Accept" }, { "Esc", "Cancel" }, { "^U", "Clear" },
		};
		tui_hints_paint(stdscr, y, COLS, ph, 3, 0);
		return;
	}
	if (t->confirm_on) {
		static const struct tui_hint ch[] = { { "y", "Yes" }, { "n", "No (default)" } };
		tui_hints_paint(stdscr, y, COLS, ch, 2, 0);
		return;
	}
	if (t->pager.lines) {
		static const struct tui_hint gh[] = {
			{ "Esc", "Close" }, { "Up/Down", "Scroll" }, { "PgUp/PgDn", "Page" },
		};
		tui_hints_paint(stdscr, y, COLS, gh, 3, 0);
		return;
	}
	for (size_t i = 0; i < fr->ops->n_actions && n < 36; i++) {
		const struct screen_action *sa = &fr->ops->actions[i];
		if (!sa->label)
			continue;
		shell_keys_for(fr->ops, sa->act, 1, keys[n], sizeof keys[n]);
		if (!keys[n][0])
			continue;
		h[n].key = keys[n];
		h[n].label = sa->label;
		n++;
	}
	for (size_t i = 0; i < SHELL_N_ACTIONS; i++) {
		const struct screen_action *sa = &shell_actions[i];
		if (!sa->label)
			continue;
		shell_keys_for(fr->ops, sa->act, 1, keys[n], sizeof keys[n]);
		if (!keys[n][0]) /* the screen took its keys (e.g. / filters there) */
			continue;
		h[n].key = keys[n];
		h[n].label = sa->act == ACT_QUIT && t->depth > 1 ? "Back" : sa->label;
		if (sa->act != ACT_SEARCH)
			pinned++;
		n++;
	}
	/* shell_actions lists Search before Help and Quit, so the pinned
	 * hints are the last ones, as tui_hints_paint() wants */
	tui_hints_paint(stdscr, y, COLS, h, n, pinned);
}

/* The message line; a message too long for it takes the line above as
 * well (over the body) until the next key, so nothing core says is lost. */
static void shell_paint_message(struct tui *t)
{
	attr_t at = theme_attr(t->msg_role);
	int width = COLS - 2;
	size_t next, len;
	char first[sizeof t->msg];

	if (text_width(t->msg) <= width) {
		tui_put(stdscr, LINES - 2, 1, width, at, ALIGN_LEFT, t->msg);
		return;
	}
	len = text_wrap(t->msg, width, &next);
	memcpy(first, t->msg, len);
	first[len] = '\0';
	tui_put(stdscr, LINES - 3, 0, COLS, A_NORMAL, ALIGN_LEFT, "");
	tui_put(stdscr, LINES - 3, 1, width, at, ALIGN_LEFT, first);
	tui_put(stdscr, LINES - 2, 1, width, at, ALIGN_LEFT, t->msg + next);
}

/* Paints the whole frame into ncurses' virtual screen (no output yet). */
static void shell_paint(struct tui *t)
{
	int cursor_x = -1;
	bool want_cursor;

	werase(stdscr);
	if (shell_too_small()) {
		shell_paint_small();
		wnoutrefresh(stdscr);
		want_cursor = false;
	} else {
		shell_paint_title(t);
		shell_paint_body(t);
		if (t->prompt_on)
			cursor_x = tui_edit_paint(stdscr, LINES - 2, COLS, theme_attr(ROLE_HEADER),
						  t->prompt_label, &t->edit);
		else
			shell_paint_message(t);
		shell_paint_keybar(t, LINES - 1);
		want_cursor = cursor_x >= 0;
		leaveok(stdscr, want_cursor ? FALSE : TRUE);
		if (want_cursor)
			wmove(stdscr, LINES - 2, cursor_x < COLS ? cursor_x : COLS - 1);
		wnoutrefresh(stdscr);
		if (t->pager.lines)
			tui_pager_paint(&t->pager, theme_attr(ROLE_DIALOG));
		if (t->confirm_on)
			tui_dialog_paint("Confirm", t->confirm_q, "[y] Yes     [N] No (default)",
					 theme_attr(ROLE_DIALOG));
	}
	if (want_cursor != t->cursor_on && !t->headless) {
		curs_set(want_cursor ? 1 : 0);
		t->cursor_on = want_cursor;
	}
}

/* ---- input ---------------------------------------------------------- */

/* The next event: from the key script (after doing its dumps and resizes
 * of the terminal) or from the keyboard, with an idle event every
 * SHELL_POLL_MS. The screen is current when this is called. */
static struct shell_event shell_next(struct tui *t)
{
	struct shell_event ev = { .kind = EV_END };

	if (t->headless) {
		while (t->script_pos < t->script.n) {
			const struct script_item *it = &t->script.items[t->script_pos++];

			t->last_was_dump = it->kind == SCRIPT_DUMP;
			ev.line = it->line;
			switch (it->kind) {
			case SCRIPT_DUMP:
				dump_screen(t->dump_f, t->colors_f, ++t->n_dumps);
				continue;
			case SCRIPT_RESIZE:
				resizeterm(it->rows, it->cols);
				ev.kind = EV_RESIZE;
				return ev;
			case SCRIPT_ACTION:
				ev.kind = EV_ACTION;
				ev.act = it->act;
				return ev;
			case SCRIPT_KEY:
				ev.kind = EV_KEY;
				ev.key = it->key;
				return ev;
			case SCRIPT_TEXT:
				ev.kind = EV_TEXT;
				ev.text = it->text;
				return ev;
			case SCRIPT_SLEEP:
				for (int ms = 0; ms < it->ms; ms += SHELL_BUSY_MS) {
					shell_sleep_ms(it->ms - ms < SHELL_BUSY_MS ? it->ms - ms :
										     SHELL_BUSY_MS);
					shell_poll(t);
				}
				ev.kind = EV_IDLE;
				return ev;
			case SCRIPT_WAIT:
				shell_poll(t);
				for (int ms = 0; shell_busy(t); ms += 50) {
					if (ms >= SHELL_WAIT_MS) {
						shell_script_fail(t, it->line,
								  "wait: still busy after 60 s");
						return ev;
					}
					shell_sleep_ms(50);
					shell_poll(t);
				}
				shell_poll(t);
				ev.kind = EV_IDLE;
				return ev;
			}
		}
		return ev;
	}
	for (;;) {
		wint_t wc;
		int r;

		wtimeout(stdscr, shell_busy(t) ? SHELL_BUSY_MS : SHELL_POLL_MS);
		r = wget_wch(stdscr, &wc);

		if (shell_signalled)
			return ev;
		if (r == ERR) {
			ev.kind = EV_IDLE;
		} else if (r == KEY_CODE_YES && wc == KEY_RESIZE) {
			ev.kind = EV_RESIZE;
		} else if (r == KEY_CODE_YES) {
			ev.kind = EV_KEY;
			ev.key = TUI_FN((int)wc);
		} else {
			ev.kind = EV_KEY;
			ev.key = (int)wc;
		}
		return ev;
	}
}

/* ---- set-up and the loop -------------------------------------------- */

static void shell_log_hook(void *ctx, enum hmx_log_level level, const char *msg)
{
	struct tui *t = ctx;

	/* a screen's worker thread: its errors reach the screen another way */
	if (!pthread_equal(pthread_self(), t->main_thread))
		return;
	if (level >= HMX_LOG_WARN)
		tui_message(t, level == HMX_LOG_ERROR ? ROLE_BLOCKING : ROLE_WARNING, "%s", msg);
}

static double shell_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Paints "[#####.....] WHAT  done/total" over the message line and shows
 * it at once: the loop is not running while core works. */
static void shell_progress_paint(const char *what, uint64_t done, uint64_t total)
{
	char bar[21], sz1[32], sz2[32];
	int fill = total ? (int)(20.0 * (double)(done < total ? done : total) / (double)total) : 0;

	for (int i = 0; i < 20; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[20] = '\0';
	if (shell_too_small())
		return;
	tui_fill(stdscr, LINES - 2, 0, COLS, A_NORMAL);
	if (total)
		tui_putf(stdscr, LINES - 2, 1, COLS - 2, theme_attr(ROLE_HEADER), "[%s] %s  %s of %s",
			 bar, what, hmx_human_size(sz1, sizeof sz1, done),
			 hmx_human_size(sz2, sizeof sz2, total));
	else
		tui_putf(stdscr, LINES - 2, 1, COLS - 2, theme_attr(ROLE_HEADER), "%s ...", what);
	wnoutrefresh(stdscr);
	doupdate();
}

static void shell_progress_hook(void *ctx, const char *what, uint64_t done, uint64_t total)
{
	struct tui *t = ctx;
	double now = shell_mono();

	if (now - t->progress_last < 0.1 && done < total)
		return;
	t->progress_last = now;
	shell_progress_paint(t->progress_what[0] ? t->progress_what : what ? what : "", done,
			     total);
}

void tui_progress_begin(struct tui *t, const char *what)
{
	struct hmx_hooks hooks = { .log = shell_log_hook, .progress = shell_progress_hook, .ctx = t };

	hmx_strlcpy(t->progress_what, what ? what : "", sizeof t->progress_what);
	t->progress_last = 0;
	hmx_hooks_install(&hooks);
	shell_progress_paint(t->progress_what, 0, 0);
}

void tui_progress_end(struct tui *t)
{
	struct hmx_hooks hooks = { .log = shell_log_hook, .ctx = t };

	t->progress_what[0] = '\0';
	hmx_hooks_install(&hooks);
}

/* ncursesw needs a UTF-8 LC_CTYPE to show accents; use the user's locale,
 * and C.UTF-8 when the environment names none that can. */
static void shell_locale(void)
{
	const char *cs;

	setlocale(LC_ALL, "");
	cs = nl_langinfo(CODESET);
	if (cs && strcmp(cs, "UTF-8") != 0)
		setlocale(LC_CTYPE, "C.UTF-8");
}

static FILE *shell_open_out(const char *path, struct hmx_err *err)
{
	FILE *f = fopen(path, "w");

	if (!f)
		hmx_err_set(err, HMX_EIO, "cannot write %s: %s", path, strerror(errno));
	return f;
}

static void shell_loop(struct tui *t)
{
	while (!t->quit && !shell_signalled) {
		struct shell_event ev;

		shell_paint(t);
		doupdate();
		ev = shell_next(t);
		if (ev.kind == EV_END)
			break;
		if (ev.kind != EV_IDLE && ev.kind != EV_RESIZE)
			shell_event(t, &ev);
		if (t->depth == 0)
			break;
		shell_poll(t);
	}
}

/* Headless: the key script and the dump files first (so a bad script
 * fails before anything else), then a screen on /dev/null. */
static enum hmx_rc shell_open_headless(struct tui *t, struct hmx_err *err)
{
	const struct tui_options *opt = t->opt;
	const char *term = getenv("TERM");
	enum hmx_rc rc;

	rc = script_load(opt->keys_file, &t->script, err);
	if (rc != HMX_OK)
		return rc;
	if (opt->dump_file && !(t->dump_f = shell_open_out(opt->dump_file, err)))
		return HMX_EIO;
	if (opt->colors_file && !(t->colors_f = shell_open_out(opt->colors_file, err)))
		return HMX_EIO;
	t->null_out = fopen("/dev/null", "w");
	t->null_in = fopen("/dev/null", "r");
	if (t->null_out && t->null_in)
		t->scr = newterm(term && *term ? term : "xterm-256color", t->null_out, t->null_in);
	if (!t->scr)
		return hmx_err_set(err, HMX_EIO, "cannot start a headless screen (TERM=%s)",
				   term ? term : "");
	return HMX_OK;
}

static enum hmx_rc shell_open_terminal(struct tui *t, struct hmx_err *err)
{
	struct sigaction sa;
	const char *term = getenv("TERM");

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return hmx_err_set(err, HMX_EINVAL, "the interface needs a terminal; use the "
				   "batch verbs (hmx help) or --keys FILE for a scripted run");
	/* our handlers go in first so ncurses leaves these signals to us: the
	 * loop then ends normally and restores the terminal */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = shell_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &t->old_int);
	sigaction(SIGTERM, &sa, &t->old_term);
	sigaction(SIGHUP, &sa, &t->old_hup);
	t->signals = true;
	shell_signalled = 0;
	t->scr = newterm(NULL, stdout, stdin);
	if (!t->scr)
		return hmx_err_set(err, HMX_EIO, "cannot start the terminal interface (TERM=%s)",
				   term ? term : "");
	return HMX_OK;
}

static void shell_setup_curses(struct tui *t)
{
	const char *nc = getenv("NO_COLOR");

	set_term(t->scr);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	if (t->headless) {
		typeahead(-1); /* /dev/null always "has input": never cut updates short */
		resizeterm(t->opt->rows > 0 ? t->opt->rows : 24, t->opt->cols > 0 ? t->opt->cols : 80);
	} else {
		set_escdelay(25);
		wtimeout(stdscr, SHELL_POLL_MS);
		curs_set(0);
	}
	theme_init(t->opt->no_color || (nc && *nc));
}

/* Restores the terminal and frees everything t holds, then t. */
static void shell_close(struct tui *t)
{
	while (t->depth > 0)
		shell_free_frame(t, &t->stack[--t->depth]);
	if (t->scr) {
		endwin();
		delscreen(t->scr);
	}
	if (t->signals) {
		sigaction(SIGINT, &t->old_int, NULL);
		sigaction(SIGTERM, &t->old_term, NULL);
		sigaction(SIGHUP, &t->old_hup, NULL);
	}
	if (t->null_out)
		fclose(t->null_out);
	if (t->null_in)
		fclose(t->null_in);
	if (t->dump_f)
		fclose(t->dump_f);
	if (t->colors_f)
		fclose(t->colors_f);
	tui_pager_close(&t->pager);
	script_free(&t->script);
	free(t);
}

enum hmx_rc shell_run(struct store *s, const struct tui_options *opt,
		      const struct screen_ops *const *screens, const char *const *args,
		      size_t n_screens, struct hmx_err *err)
{
	struct tui *t = calloc(1, sizeof *t);
	struct hmx_hooks hooks = { .log = shell_log_hook };
	enum hmx_rc rc;

	if (!t)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory starting the interface");
	t->store = s;
	t->opt = opt;
	t->headless = opt->keys_file != NULL;
	shell_locale();
	theme_set_ascii(opt->ascii);
	rc = t->headless ? shell_open_headless(t, err) : shell_open_terminal(t, err);
	if (rc != HMX_OK) {
		shell_close(t);
		return rc;
	}
	shell_setup_curses(t);
	hooks.ctx = t;
	t->main_thread = pthread_self();
	hmx_hooks_install(&hooks);

	t->today = cal_today();
	t->data_version = store_data_version(s);
	for (size_t i = 0; i < n_screens && rc == HMX_OK; i++)
		rc = shell_push(t, screens[i], args ? args[i] : NULL, err);
	if (rc == HMX_OK) {
		shell_loop(t);
		if (t->failed) {
			*err = t->err;
			rc = t->err.rc;
		} else if (t->headless && !t->last_was_dump) {
			dump_screen(t->dump_f, t->colors_f, ++t->n_dumps);
		}
	}
	hmx_hooks_install(NULL);
	shell_close(t);
	return rc;
}
