/* screens/audit.c — the audit log: every change with when (UTC), who, what
 * and on which object, newest first, the before -> after summary beside
 * it. Filters narrow it by cycle (c), project (p), person (w), kind of
 * change (a) and days (d); Esc clears them (and goes back when there is
 * none); / searches the rows shown; Enter shows one change whole (before
 * and after wrapped). Opened from the dashboard (L) or with
 * `hmx --screen audit`. Read-only: the audit log is append-only. */
#include "screens/screens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "tui/filter.h"
#include "tui/text.h"

#define AUDIT_MAX_ROWS 20000 /* newest kept; the count line says so */

struct audit_scr {
	char cycle[64], project[64], who[64], action[48], from[11], to[11];
	char subtitle[160];
	struct audit_row *rows;
	size_t n;
	struct tui_rect list;
	int obj_w, chg_w; /* widths of the object and change columns */
};

static const struct screen_action aud_actions[] = {
	{ ACT_ENTER, "Detail", "Show the selected change whole: before and after", NEED_ROW },
	{ ACT_FILTER_CYCLE, "Cycle", NULL, 0 },
	{ ACT_FILTER_PROJECT, "Project", NULL, 0 },
	{ ACT_FILTER_WHO, "Who", NULL, 0 },
	{ ACT_FILTER_ACTION, NULL, NULL, 0 },
	{ ACT_FILTER_DATES, NULL, NULL, 0 },
	{ ACT_FILTER_CLEAR, "Clear", NULL, 0 },
};

static const struct tui_keybind aud_keys[] = {
	{ 'c', ACT_FILTER_CYCLE, false },
	{ 'p', ACT_FILTER_PROJECT, false },
	{ 'w', ACT_FILTER_WHO, false },
	{ 'a', ACT_FILTER_ACTION, false },
	{ 'd', ACT_FILTER_DATES, false },
	{ TUI_KEY_ESC, ACT_FILTER_CLEAR, false },
};

static bool aud_filtered(const struct audit_scr *a)
{
	return a->cycle[0] || a->project[0] || a->who[0] || a->action[0] || a->from[0] || a->to[0];
}

static void aud_subtitle(void *priv)
{
	struct audit_scr *a = priv;
	size_t o = 0;

	a->subtitle[0] = '\0';
#define ADD(label, v)                                                                         \
	do {                                                                                  \
		if ((v)[0] && o < sizeof a->subtitle)                                         \
			o += (size_t)snprintf(a->subtitle + o, sizeof a->subtitle - o, "%s%s=%s", \
					      o ? " " : "", label, v);                        \
	} while (0)
	ADD("cycle", a->cycle);
	ADD("project", a->project);
	ADD("who", a->who);
	ADD("action", a->action);
	ADD("from", a->from);
	ADD("to", a->to);
#undef ADD
}

static enum hmx_rc aud_open(struct tui *t, void *priv, const char *arg, struct hmx_err *err)
{
	struct audit_scr *a = priv;

	(void)t;
	(void)err;
	if (arg && *arg)
		hmx_strlcpy(a->cycle, arg, sizeof a->cycle);
	aud_subtitle(a);
	return HMX_OK;
}

static void aud_close(struct tui *t, void *priv)
{
	struct audit_scr *a = priv;

	(void)t;
	free(a->rows);
	a->rows = NULL;
	a->n = 0;
}

static enum hmx_rc aud_reload(struct tui *t, void *priv, struct hmx_err *err)
{
	struct audit_scr *a = priv;
	struct audit_filter f = { a->cycle, a->project, a->who, a->action, a->from, a->to, NULL };
	struct audit_row *rows;
	size_t n;
	enum hmx_rc rc;

	if ((rc = audit_query(tui_store(t), &f, AUDIT_MAX_ROWS, &rows, &n, err)) != HMX_OK)
		return rc;
	free(a->rows);
	a->rows = rows;
	a->n = n;
	return HMX_OK;
}

/* columns: when 16, who 10, action 14, object, change */
static void aud_layout(struct tui *t, void *priv, const struct tui_rect *body,
		       struct tui_rect *list)
{
	struct audit_scr *a = priv;
	int flex = body->w - 1 - 17 - 11 - 15;

	(void)t;
	a->list = (struct tui_rect){ body->y + 2, body->x, body->h - 2, body->w };
	if (a->list.h < 0)
		a->list.h = 0;
	*list = a->list;
	a->obj_w = flex < 20 ? flex : flex * 11 / 20;
	if (a->obj_w < 0)
		a->obj_w = 0;
	a->chg_w = flex - a->obj_w - 1;
	if (a->chg_w < 0)
		a->chg_w = 0;
}

static void aud_draw(struct tui *t, void *priv, WINDOW *w, const struct tui_rect *body)
{
	struct audit_scr *a = priv;
	attr_t hd = theme_attr(ROLE_HEADER);
	int y = body->y, x = 1;

	(void)t;
	if (aud_filtered(a)) {
		x += tui_putf(w, y, x, body->w - x, hd, "%zu change%s%s  ", a->n, a->n == 1 ? "" : "s",
			      a->n == AUDIT_MAX_ROWS ? " (newest)" : "");
		x += tui_putf(w, y, x, body->w - x, A_NORMAL, "%s", a->subtitle);
		tui_put(w, y, x, body->w - x, theme_attr(ROLE_DIM), ALIGN_LEFT, "  (Esc clears)");
	} else {
		tui_putf(w, y, x, body->w - x, hd, "%zu change%s%s, newest first", a->n,
			 a->n == 1 ? "" : "s", a->n == AUDIT_MAX_ROWS ? " (newest)" : "");
	}
	y++;
	tui_put(w, y, 1, 16, hd, ALIGN_LEFT, "When (UTC)");
	tui_put(w, y, 18, 10, hd, ALIGN_LEFT, "Who");
	tui_put(w, y, 29, 14, hd, ALIGN_LEFT, "Action");
	tui_put(w, y, 44, a->obj_w, hd, ALIGN_LEFT, "Object");
	tui_put(w, y, 45 + a->obj_w, a->chg_w, hd, ALIGN_LEFT, "Before -> after");
	if (a->n == 0 && a->list.h > 0)
		tui_put(w, a->list.y, 2, body->w - 2, theme_attr(ROLE_DIM), ALIGN_LEFT,
			aud_filtered(a) ? "No change matches the filters." : "No change yet.");
}

static size_t aud_rows(void *priv)
{
	return ((struct audit_scr *)priv)->n;
}

static void aud_when(const struct audit_row *r, char when[17])
{
	/* 2026-11-27T12:00:00Z -> 2026-11-27 12:00 */
	hmx_strlcpy(when, r->at, 17);
	if (strlen(when) > 10)
		when[10] = ' ';
}

static void aud_change(const struct audit_row *r, char *buf, size_t n)
{
	snprintf(buf, n, "%s %s %s", r->before[0] ? r->before : "-", theme_glyph(GLYPH_ARROW),
		 r->after[0] ? r->after : "-");
}

static void aud_draw_row(struct tui *t, void *priv, WINDOW *w, size_t row,
			 const struct tui_rect *line, bool sel)
{
	struct audit_scr *a = priv;
	const struct audit_row *r = &a->rows[row];
	attr_t at = theme_row_attr(ROLE_NORMAL, sel);
	char when[17], chg[600];
	int y = line->y, x = line->x;

	(void)t;
	aud_when(r, when);
	aud_change(r, chg, sizeof chg);
	tui_put(w, y, x + 1, 16, at, ALIGN_LEFT, when);
	tui_put(w, y, x + 18, 10, at, ALIGN_LEFT, r->who);
	tui_put(w, y, x + 29, 14, at, ALIGN_LEFT, r->action);
	tui_put(w, y, x + 44, a->obj_w, at, ALIGN_LEFT, r->object);
	tui_put(w, y, x + 45 + a->obj_w, a->chg_w, theme_row_attr(ROLE_DIM, sel), ALIGN_LEFT, chg);
}

static void aud_row_text(void *priv, size_t row, char *buf, size_t n)
{
	const struct audit_row *r = &((struct audit_scr *)priv)->rows[row];

	snprintf(buf, n, "%s %s %s %s %s %s", r->at, r->who, r->action, r->object, r->before,
		 r->after);
}

/* Appends "label: text" to lines, wrapped at cols columns with the
 * continuation indented under the text. */
static void aud_wrap(char (*text)[160], const char **lines, size_t *n, size_t max,
		     const char *label, const char *s, int cols)
{
	char clean[600];
	const char *p = text_sanitize(clean, sizeof clean, s[0] ? s : "-");
	bool first = true;

	while (*n < max) {
		size_t next, len = text_wrap(p, cols, &next);

		snprintf(text[*n], sizeof text[*n], "%-8s %.*s", first ? label : "", (int)len, p);
		lines[*n] = text[*n];
		(*n)++;
		first = false;
		if (!p[next])
			break;
		p += next;
	}
}

static void aud_detail(struct tui *t, struct audit_scr *a)
{
	const struct audit_row *r = &a->rows[tui_selected(t)];
	char text[24][160], title[64];
	const char *lines[24];
	size_t n = 0;
	int cols = COLS - 16 > 20 ? COLS - 16 : 20;

	if (cols > 140)
		cols = 140;
	aud_wrap(text, lines, &n, 24, "When:", r->at, cols);
	aud_wrap(text, lines, &n, 24, "Who:", r->who, cols);
	aud_wrap(text, lines, &n, 24, "Action:", r->action, cols);
	aud_wrap(text, lines, &n, 24, "Object:", r->object, cols);
	aud_wrap(text, lines, &n, 24, "Before:", r->before, cols);
	aud_wrap(text, lines, &n, 24, "After:", r->after, cols);
	snprintf(title, sizeof title, "Change #%lld", (long long)r->id);
	tui_pager(t, title, lines, n);
}

#define AUD_PROMPT_FN(name, field)                                                      \
	static unsigned name(struct tui *t, void *priv, const char *text)               \
	{                                                                               \
		struct audit_scr *a = priv;                                             \
                                                                                        \
		return tui_filter_set(t, a->field, sizeof a->field, text, aud_subtitle, a); \
	}
AUD_PROMPT_FN(aud_cycle_done, cycle)
AUD_PROMPT_FN(aud_project_done, project)
AUD_PROMPT_FN(aud_who_done, who)
AUD_PROMPT_FN(aud_action_done, action)

/* "FROM..TO", "FROM..", "..TO", "DAY" or "" */
static unsigned aud_dates_done(struct tui *t, void *priv, const char *text)
{
	struct audit_scr *a = priv;
	const char *dots = strstr(text, "..");
	char from[16] = "", to[16] = "";
	cal_day d;

	if (dots) {
		snprintf(from, sizeof from, "%.*s", (int)(dots - text), text);
		snprintf(to, sizeof to, "%s", dots + 2);
	} else {
		snprintf(from, sizeof from, "%s", text);
		snprintf(to, sizeof to, "%s", text);
	}
	if ((from[0] && !cal_parse_date(from, &d)) || (to[0] && !cal_parse_date(to, &d))) {
		tui_message(t, ROLE_BLOCKING, "Bad days \"%s\": use YYYY-MM-DD..YYYY-MM-DD", text);
		return TUI_OK;
	}
	hmx_strlcpy(a->from, from, sizeof a->from);
	hmx_strlcpy(a->to, to, sizeof a->to);
	return tui_filter_applied(t, aud_subtitle, a);
}

static const struct tui_filter aud_filters[] = {
	{ ACT_FILTER_CYCLE, "Cycle (empty: all): ", aud_cycle_done },
	{ ACT_FILTER_PROJECT, "Project code (empty: all): ", aud_project_done },
	{ ACT_FILTER_WHO, "Who (empty: everyone): ", aud_who_done },
	{ ACT_FILTER_ACTION, "Action, e.g. step or step.set (empty: all): ", aud_action_done },
	{ ACT_FILTER_DATES, "Days FROM..TO (YYYY-MM-DD; empty: all): ", aud_dates_done },
};

static void aud_clear(void *priv)
{
	struct audit_scr *a = priv;

	a->cycle[0] = a->project[0] = a->who[0] = a->action[0] = a->from[0] = a->to[0] = '\0';
}

static unsigned aud_handle(struct tui *t, void *priv, enum action act)
{
	struct audit_scr *a = priv;

	if (tui_filter_prompt(t, aud_filters, sizeof aud_filters / sizeof aud_filters[0], act))
		return TUI_OK;
	switch (act) {
	case ACT_ENTER:
		aud_detail(t, a);
		return TUI_OK;
	case ACT_FILTER_CLEAR:
		return tui_filter_clear(t, aud_filtered(a), aud_clear, aud_subtitle, a);
	default:
		return TUI_OK;
	}
}

const struct screen_ops audit_screen = {
	.name = "audit",
	.title = "Audit log",
	.priv_size = sizeof(struct audit_scr),
	.actions = aud_actions,
	.n_actions = sizeof aud_actions / sizeof aud_actions[0],
	.keys = aud_keys,
	.n_keys = sizeof aud_keys / sizeof aud_keys[0],
	.open = aud_open,
	.close = aud_close,
	.reload = aud_reload,
	.layout = aud_layout,
	.draw = aud_draw,
	.rows = aud_rows,
	.draw_row = aud_draw_row,
	.row_text = aud_row_text,
	.handle = aud_handle,
};
