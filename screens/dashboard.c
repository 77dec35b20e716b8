/* screens/dashboard.c — the first screen: every open cycle with its next
 * step, the cycle's nearest open deadline and the days left, overdue
 * cycles first and marked with the word OVERDUE; below, the period ends coming up (fiscal
 * quarters and bi-monthly periods) with their seven-day deadlines. Enter
 * opens the selected cycle's checklist, m its file mapping; p opens the
 * projects of the registry, L the audit log, v the validation review of
 * an import cycle. */
#include "screens/screens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "tui/text.h"

#define DASH_N_UPCOMING 4
#define DASH_UPCOMING_RULE "end+7" /* seed 000: "within one week (seven days)" */

struct dash_upcoming {
	struct cal_period period;
	cal_day deadline;
	int n_cycles; /* open cycles for this period */
};

/* Column layout of the cycle list, from its width. */
struct dash_cols {
	int kind, period, next, deadline, due, done; /* x of each column */
	int kind_w, next_w;
	bool wide; /* room for the deadline date */
};

struct dash {
	struct cycle_info *cycles;
	size_t n;
	size_t n_overdue, n_soon;
	int fy_start;
	int soon_days; /* config due_soon_days */
	struct dash_upcoming up[DASH_N_UPCOMING];
	struct tui_rect list, upcoming;
	struct dash_cols cols;
};

static const struct screen_action dash_actions[] = {
	{ ACT_ENTER, "Open", "Open the checklist of the selected cycle", NEED_ROW },
	{ ACT_MAP, "Map", "Map the files of the selected cycle to projects", NEED_ROW },
	{ ACT_MATCH, NULL, NULL, NEED_ROW },
	{ ACT_PROJECTS, "Projects", NULL, 0 },
	{ ACT_AUDIT_LOG, "Log", NULL, 0 },
	{ ACT_REVIEW, "Review", "Show the validation review of the selected cycle", NEED_ROW },
	{ ACT_TRANSFERS, NULL, NULL, 0 },
};

static const struct tui_keybind dash_keys[] = {
	{ TUI_FN(KEY_RIGHT), ACT_ENTER, false },
	{ 'l', ACT_ENTER, false },
	{ 'm', ACT_MAP, false },
	{ 'M', ACT_MATCH, false },
	{ 'p', ACT_PROJECTS, false },
	{ 'L', ACT_AUDIT_LOG, false },
	{ 'v', ACT_REVIEW, false },
	{ 'T', ACT_TRANSFERS, false },
};

/* The two nearest periods of a kind whose deadline is not past: the one
 * that just ended while its deadline runs, or the current one, and the
 * one after it. */
static void dash_periods(enum cal_period_kind kind, int fy_start, cal_day today,
			 struct dash_upcoming out[2])
{
	struct cal_period p, cur;
	cal_day d = CAL_NO_DAY;

	cal_period_containing(today, kind, fy_start, &cur);
	cal_period_prev(&cur, &p);
	if (cal_deadline(DASH_UPCOMING_RULE, &p, &d, NULL) != HMX_OK || d < today)
		p = cur;
	for (int i = 0; i < 2; i++) {
		memset(&out[i], 0, sizeof out[i]);
		out[i].period = p;
		if (cal_deadline(DASH_UPCOMING_RULE, &p, &out[i].deadline, NULL) != HMX_OK)
			out[i].deadline = CAL_NO_DAY;
		cal_period_next(&out[i].period, &p);
	}
}

static int dash_upcoming_cmp(const void *a, const void *b)
{
	const struct dash_upcoming *x = a, *y = b;

	if (x->period.end != y->period.end)
		return x->period.end < y->period.end ? -1 : 1;
	return (int)x->period.kind - (int)y->period.kind;
}

static enum hmx_rc dash_reload(struct tui *t, void *priv, struct hmx_err *err)
{
	struct dash *d = priv;
	struct store *s = tui_store(t);
	cal_day today = tui_today(t);
	struct cycle_info *cycles = NULL;
	size_t n = 0;
	enum hmx_rc rc;

	rc = cycle_list(s, false, today, &cycles, &n, err);
	if (rc != HMX_OK)
		return rc;
	free(d->cycles);
	d->cycles = cycles;
	d->n = n;
	d->n_overdue = d->n_soon = 0;
	for (size_t i = 0; i < n; i++) {
		if (cycles[i].due_status == DUE_OVERDUE)
			d->n_overdue++;
		else if (cycles[i].due_status == DUE_SOON || cycles[i].due_status == DUE_TODAY)
			d->n_soon++;
	}
	d->fy_start = config_fy_start(s);
	d->soon_days = config_get_int(s, "due_soon_days");
	dash_periods(CAL_QUARTER, d->fy_start, today, &d->up[0]);
	dash_periods(CAL_BIMONTH, d->fy_start, today, &d->up[2]);
	qsort(d->up, DASH_N_UPCOMING, sizeof d->up[0], dash_upcoming_cmp);
	for (int i = 0; i < DASH_N_UPCOMING; i++)
		for (size_t k = 0; k < n; k++)
			if (strcmp(cycles[k].period, d->up[i].period.name) == 0)
				d->up[i].n_cycles++;
	return HMX_OK;
}

static void dash_close(struct tui *t, void *priv)
{
	struct dash *d = priv;

	(void)t;
	free(d->cycles);
	d->cycles = NULL;
}

static void dash_layout(struct tui *t, void *priv, const struct tui_rect *body,
			struct tui_rect *list)
{
	struct dash *d = priv;
	struct dash_cols *c = &d->cols;
	int upcoming_h = 3 + DASH_N_UPCOMING; /* blank, heading, column names, rows */
	int w = body->w - 1, flex;

	(void)t;
	d->upcoming = (struct tui_rect){ body->y + body->h - upcoming_h, body->x, upcoming_h,
					 body->w };
	d->list = (struct tui_rect){ body->y + 2, body->x, body->h - 2 - upcoming_h, body->w };
	if (d->list.h < 0)
		d->list.h = 0;
	*list = d->list;

	/* mark 2, kind, period 6, next step, [deadline 10], due 15, done 5 */
	c->wide = w >= 96;
	flex = w - 2 - 7 - 1 - 16 - 6 - (c->wide ? 11 : 0);
	c->kind_w = flex / 2 - 2 < 26 ? flex / 2 - 2 : 26;
	c->next_w = flex - c->kind_w;
	c->kind = 2;
	c->period = c->kind + c->kind_w + 1;
	c->next = c->period + 7;
	c->deadline = c->next + c->next_w + 1;
	c->due = c->deadline + (c->wide ? 11 : 0);
	c->done = c->due + 16;
}

static void dash_draw(struct tui *t, void *priv, WINDOW *w, const struct tui_rect *body)
{
	struct dash *d = priv;
	const struct dash_cols *c = &d->cols;
	attr_t hd = theme_attr(ROLE_HEADER);
	cal_day today = tui_today(t);
	int y = body->y, x = body->x;
	char buf[256], day[11], ends[11];
	static const char *const months[] = { "", "January", "February", "March", "April",
		"May", "June", "July", "August", "September", "October", "November", "December" };

	/* summary */
	x += tui_putf(w, y, x, body->w - x, hd, " Open cycles: %zu", d->n);
	if (d->n_overdue)
		x += tui_putf(w, y, x, body->w - x, theme_attr(ROLE_OVERDUE), "   %s %zu overdue",
			      theme_glyph(GLYPH_ALERT), d->n_overdue);
	if (d->n_soon)
		tui_putf(w, y, x, body->w - x, theme_attr(ROLE_WARNING), "   %zu due within %d days",
			 d->n_soon, d->soon_days);

	/* column names */
	y = body->y + 1;
	tui_put(w, y, c->kind, c->kind_w, hd, ALIGN_LEFT, "Cycle");
	tui_put(w, y, c->period, 6, hd, ALIGN_LEFT, "Period");
	tui_put(w, y, c->next, c->next_w, hd, ALIGN_LEFT, "Next step");
	if (c->wide)
		tui_put(w, y, c->deadline, 10, hd, ALIGN_LEFT, "Deadline");
	tui_put(w, y, c->due, 15, hd, ALIGN_LEFT, "Due");
	tui_put(w, y, c->done, 5, hd, ALIGN_RIGHT, "Done");

	if (d->n == 0 && d->list.h > 0) {
		struct cal_period p;
		cal_period_containing(today, CAL_QUARTER, d->fy_start, &p);
		tui_put(w, d->list.y, 2, body->w - 2, A_NORMAL, ALIGN_LEFT, "No open cycles.");
		if (d->list.h > 1)
			tui_putf(w, d->list.y + 1, 2, body->w - 2, theme_attr(ROLE_DIM),
				 "Start one with: hmx cycle new rdc-upload %s", p.name);
	}

	/* upcoming period ends */
	y = d->upcoming.y + 1;
	tui_put(w, y, 1, 40, hd, ALIGN_LEFT, "Upcoming period ends");
	snprintf(buf, sizeof buf, "fiscal year starts in %s ",
		 d->fy_start >= 1 && d->fy_start <= 12 ? months[d->fy_start] : "?");
	tui_put(w, y, 41, body->w - 41, theme_attr(ROLE_DIM), ALIGN_RIGHT, buf);
	y++;
	tui_put(w, y, 2, 8, hd, ALIGN_LEFT, "Period");
	tui_put(w, y, 10, 9, hd, ALIGN_LEFT, "Kind");
	tui_put(w, y, 20, 10, hd, ALIGN_LEFT, "Ends");
	tui_put(w, y, 32, 10, hd, ALIGN_LEFT, "Deadline");
	tui_put(w, y, 44, 16, hd, ALIGN_LEFT, "Due");
	tui_put(w, y, 61, body->w - 62, hd, ALIGN_LEFT, "Cycles");
	for (int i = 0; i < DASH_N_UPCOMING; i++) {
		const struct dash_upcoming *u = &d->up[i];
		enum tui_role role;

		y++;
		role = scr_due_text(u->deadline, cycle_due(u->deadline, STEP_TODO, today,
							   d->soon_days), today, buf, sizeof buf);
		tui_put(w, y, 2, 8, A_NORMAL, ALIGN_LEFT, u->period.name);
		tui_put(w, y, 10, 9, A_NORMAL, ALIGN_LEFT, cal_period_kind_name(u->period.kind));
		tui_put(w, y, 20, 10, A_NORMAL, ALIGN_LEFT, cal_format(u->period.end, ends));
		tui_put(w, y, 32, 10, A_NORMAL, ALIGN_LEFT,
			u->deadline == CAL_NO_DAY ? "" : cal_format(u->deadline, day));
		tui_put(w, y, 44, 16, theme_attr(role), ALIGN_LEFT, buf);
		if (u->n_cycles)
			snprintf(buf, sizeof buf, "%d open", u->n_cycles);
		else
			snprintf(buf, sizeof buf, "none yet");
		tui_put(w, y, 61, body->w - 62, theme_attr(u->n_cycles ? ROLE_NORMAL : ROLE_DIM),
			ALIGN_LEFT, buf);
	}
}

static size_t dash_rows(void *priv)
{
	return ((struct dash *)priv)->n;
}

static void dash_draw_row(struct tui *t, void *priv, WINDOW *w, size_t row,
			  const struct tui_rect *line, bool sel)
{
	struct dash *d = priv;
	const struct cycle_info *ci = &d->cycles[row];
	const struct dash_cols *c = &d->cols;
	char due[64], day[11], done[16];
	/* the cycle's most urgent open deadline (usually its next step's):
	 * the one the list is sorted by */
	enum tui_role role = scr_due_text(ci->due, ci->due_status, tui_today(t), due, sizeof due);
	bool overdue = ci->due_status == DUE_OVERDUE;
	int y = line->y, x = line->x;

	tui_put(w, y, x, 2, theme_row_attr(ROLE_OVERDUE, sel), ALIGN_LEFT,
		overdue ? theme_glyph(GLYPH_ALERT) : "");
	tui_put(w, y, x + c->kind, c->kind_w, theme_row_attr(ROLE_NORMAL, sel), ALIGN_LEFT,
		ci->kind_title);
	tui_put(w, y, x + c->period, 6, theme_row_attr(ROLE_NORMAL, sel), ALIGN_LEFT, ci->period);
	tui_put(w, y, x + c->next, c->next_w, theme_row_attr(ROLE_NORMAL, sel), ALIGN_LEFT,
		ci->next_code[0] ? ci->next_title : "(all steps closed)");
	if (c->wide)
		tui_put(w, y, x + c->deadline, 10, theme_row_attr(ROLE_NORMAL, sel), ALIGN_LEFT,
			ci->due == CAL_NO_DAY ? "" : cal_format(ci->due, day));
	tui_put(w, y, x + c->due, 15, theme_row_attr(role, sel), ALIGN_LEFT, due);
	snprintf(done, sizeof done, "%d/%d", ci->n_closed, ci->n_steps);
	tui_put(w, y, x + c->done, 5, theme_row_attr(ROLE_NORMAL, sel), ALIGN_RIGHT, done);
}

static void dash_row_text(void *priv, size_t row, char *buf, size_t n)
{
	const struct cycle_info *ci = &((struct dash *)priv)->cycles[row];

	snprintf(buf, n, "%s %s %s %s", ci->code, ci->kind_title, ci->period, ci->next_title);
}

static unsigned dash_handle(struct tui *t, void *priv, enum action a)
{
	struct dash *d = priv;

	if (a == ACT_ENTER)
		tui_push(t, &checklist_screen, d->cycles[tui_selected(t)].code);
	else if (a == ACT_MAP)
		tui_push(t, &mapping_screen, d->cycles[tui_selected(t)].code);
	else if (a == ACT_MATCH)
		scr_open_match(t, &d->cycles[tui_selected(t)]);
	else if (a == ACT_PROJECTS)
		tui_push(t, &projects_screen, NULL);
	else if (a == ACT_AUDIT_LOG)
		tui_push(t, &audit_screen, NULL);
	else if (a == ACT_REVIEW)
		tui_push(t, &vreview_screen, d->cycles[tui_selected(t)].code);
	else if (a == ACT_TRANSFERS)
		tui_push(t, &transfers_screen, NULL);
	return TUI_OK;
}

static bool dash_allowed(struct tui *t, void *priv, enum action a, char *why, size_t n)
{
	const struct dash *d = priv;
	const struct cycle_info *ci;

	if (a != ACT_REVIEW || tui_selected(t) >= d->n)
		return true;
	ci = &d->cycles[tui_selected(t)];
	if (!review_cycle_reviews(ci->kind)) {
		snprintf(why, n, "%s does not review a demo-site export (import cycles do)",
			 ci->code);
		return false;
	}
	return true;
}

const struct screen_ops dashboard_screen = {
	.name = "dashboard",
	.title = "Dashboard",
	.priv_size = sizeof(struct dash),
	.actions = dash_actions,
	.n_actions = sizeof dash_actions / sizeof dash_actions[0],
	.keys = dash_keys,
	.n_keys = sizeof dash_keys / sizeof dash_keys[0],
	.close = dash_close,
	.reload = dash_reload,
	.layout = dash_layout,
	.draw = dash_draw,
	.rows = dash_rows,
	.draw_row = dash_draw_row,
	.row_text = dash_row_text,
	.allowed = dash_allowed,
	.handle = dash_handle,
};
