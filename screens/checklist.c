/* screens/checklist.c — the steps of one cycle in checklist order, each
 * with its state (glyph and word), who acts, deadline and how it stands
 * today; per-project sub-items fold under their step ("(2/6)" closed of
 * all). Keys start a step, mark it done (with an optional note), skip or
 * block it (with a reason), put it back to todo, undo its last change
 * (after a question that defaults to No) and show its audit trail; m opens
 * the mapping of the cycle's files to projects, v the validation review
 * of an import cycle. Every
 * change goes through core/cycle.h; what core refuses (an open gate, say)
 * is shown on the message line as core words it. */
#include "screens/screens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "tui/text.h"

#define CL_DETAIL_ROWS 5 /* separator and four lines about the selected step */

struct cl_cols {
	int state, title, who, deadline, due;
	int title_w;
	bool wide; /* room for the deadline date */
};

struct checklist {
	char code[64];
	struct cycle_info cycle;
	struct step_info *steps;
	size_t n;
	bool *unfolded;  /* per step: its sub-items are shown */
	size_t *vis;     /* visible rows: indexes into steps */
	size_t n_vis;
	bool loaded;     /* selection placed on the first load */
	int soon_days;
	char pending[64]; /* step a prompt or question is about */
	struct tui_rect list, detail;
	struct cl_cols cols;
};

static const struct screen_action cl_actions[] = {
	{ ACT_START, "Start", NULL, NEED_ROW | NEED_WRITE },
	{ ACT_DONE, "Done", NULL, NEED_ROW | NEED_WRITE },
	{ ACT_SKIP, "Skip", NULL, NEED_ROW | NEED_WRITE },
	{ ACT_BLOCK, "Block", NULL, NEED_ROW | NEED_WRITE },
	{ ACT_TODO, "Todo", NULL, NEED_ROW | NEED_WRITE },
	{ ACT_UNDO, "Undo", NULL, NEED_ROW | NEED_WRITE },
	{ ACT_AUDIT, "Audit", NULL, NEED_ROW },
	{ ACT_TOGGLE, "Fold", NULL, NEED_ROW },
	{ ACT_EXPAND, NULL, NULL, NEED_ROW },
	{ ACT_COLLAPSE, NULL, "Fold the sub-items (on a sub-item: go to its step)", NEED_ROW },
	{ ACT_ENTER, NULL, "Fold or unfold sub-items; on other steps show the audit trail",
	  NEED_ROW },
	{ ACT_MAP, "Map", "Map the files of this cycle to projects", 0 },
	{ ACT_REVIEW, "Review", "Show the validation review of this cycle", 0 },
	{ ACT_MATCH, NULL, "Open the client match of this cycle (mcp-match cycles)", 0 },
	{ ACT_TRANSFERS, NULL, "Show the transfers; pulled exports go into this cycle", 0 },
};

static const struct tui_keybind cl_keys[] = {
	{ 's', ACT_START, false },
	{ 'd', ACT_DONE, false },
	{ 'x', ACT_SKIP, false },
	{ 'b', ACT_BLOCK, false },
	{ 't', ACT_TODO, false },
	{ 'u', ACT_UNDO, false },
	{ 'a', ACT_AUDIT, false },
	{ ' ', ACT_TOGGLE, false },
	{ TUI_FN(KEY_RIGHT), ACT_EXPAND, false },
	{ 'l', ACT_EXPAND, false },
	{ TUI_FN(KEY_LEFT), ACT_COLLAPSE, false },
	{ 'h', ACT_COLLAPSE, false },
	{ 'm', ACT_MAP, false },
	{ 'v', ACT_REVIEW, false },
	{ 'M', ACT_MATCH, false },
	{ 'T', ACT_TRANSFERS, false },
};

static enum tui_glyph cl_state_glyph(enum step_state st)
{
	switch (st) {
	case STEP_TODO: return GLYPH_TODO;
	case STEP_IN_PROGRESS: return GLYPH_IN_PROGRESS;
	case STEP_DONE: return GLYPH_DONE;
	case STEP_SKIPPED: return GLYPH_SKIPPED;
	case STEP_BLOCKED: return GLYPH_BLOCKED;
	}
	return GLYPH_TODO;
}

static enum tui_role cl_state_role(enum step_state st)
{
	switch (st) {
	case STEP_DONE: return ROLE_OK;
	case STEP_SKIPPED: return ROLE_DIM;
	case STEP_BLOCKED: return ROLE_BLOCKING;
	case STEP_IN_PROGRESS: return ROLE_WARNING;
	case STEP_TODO: return ROLE_NORMAL;
	}
	return ROLE_NORMAL;
}

/* Index of the step with code, or n when there is none. */
static size_t cl_find(const struct checklist *c, const char *code)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->steps[i].code, code) == 0)
			return i;
	return c->n;
}

/* Index of the parent of step i (i itself for a top-level step). */
static size_t cl_parent(const struct checklist *c, size_t i)
{
	size_t p;

	if (c->steps[i].depth == 0)
		return i;
	p = cl_find(c, c->steps[i].parent);
	return p < c->n ? p : i;
}

/* Rebuilds the visible rows from the fold state. */
static void cl_rebuild(struct checklist *c)
{
	c->n_vis = 0;
	for (size_t i = 0; i < c->n; i++) {
		size_t p = cl_parent(c, i);
		if (p == i || c->unfolded[p])
			c->vis[c->n_vis++] = i;
	}
}

/* Row showing step i (its parent's row when i is folded away). */
static size_t cl_row_of(const struct checklist *c, size_t i)
{
	size_t p = i < c->n ? cl_parent(c, i) : 0;

	for (size_t r = 0; r < c->n_vis; r++)
		if (c->vis[r] == i)
			return r;
	for (size_t r = 0; r < c->n_vis; r++)
		if (c->vis[r] == p)
			return r;
	return 0;
}

static struct step_info *cl_selected(struct tui *t, struct checklist *c)
{
	size_t r = tui_selected(t);

	return r < c->n_vis ? &c->steps[c->vis[r]] : NULL;
}

static enum hmx_rc cl_open(struct tui *t, void *priv, const char *arg, struct hmx_err *err)
{
	struct checklist *c = priv;

	(void)t;
	if (!arg)
		return hmx_err_set(err, HMX_EINVAL, "no cycle given to open");
	hmx_strlcpy(c->code, arg, sizeof c->code);
	return HMX_OK;
}

static void cl_close(struct tui *t, void *priv)
{
	struct checklist *c = priv;

	(void)t;
	free(c->steps);
	free(c->unfolded);
	free(c->vis);
	c->steps = NULL;
	c->unfolded = NULL;
	c->vis = NULL;
	c->n = c->n_vis = 0;
}

static enum hmx_rc cl_reload(struct tui *t, void *priv, struct hmx_err *err)
{
	struct checklist *c = priv;
	struct store *s = tui_store(t);
	struct step_info *steps = NULL, *cur = c->loaded ? cl_selected(t, c) : NULL;
	char keep[64] = "";
	bool *unfolded;
	size_t *vis, n = 0;
	enum hmx_rc rc;

	if (cur)
		hmx_strlcpy(keep, cur->code, sizeof keep);
	rc = cycle_get(s, c->code, tui_today(t), &c->cycle, err);
	if (rc == HMX_OK)
		rc = step_list(s, c->code, &steps, &n, err);
	if (rc != HMX_OK)
		return rc;
	unfolded = calloc(n ? n : 1, sizeof *unfolded);
	vis = calloc(n ? n : 1, sizeof *vis);
	if (!unfolded || !vis) {
		free(unfolded);
		free(vis);
		free(steps);
		return hmx_err_set(err, HMX_ENOMEM, "out of memory loading %s", c->code);
	}
	/* keep what was unfolded, by step code */
	for (size_t i = 0; i < n; i++) {
		size_t old = cl_find(c, steps[i].code);
		unfolded[i] = old < c->n && c->unfolded[old];
	}
	cl_close(t, c);
	c->steps = steps;
	c->n = n;
	c->unfolded = unfolded;
	c->vis = vis;
	c->soon_days = config_get_int(s, "due_soon_days");
	if (!c->loaded) {
		/* first look: the cursor on the next step to do, its parent unfolded */
		size_t i = cl_find(c, c->cycle.next_code);
		if (i < n)
			unfolded[cl_parent(c, i)] = true;
		hmx_strlcpy(keep, c->cycle.next_code, sizeof keep);
		c->loaded = true;
	}
	cl_rebuild(c);
	if (keep[0])
		tui_select(t, cl_row_of(c, cl_find(c, keep)));
	return HMX_OK;
}

static void cl_layout(struct tui *t, void *priv, const struct tui_rect *body,
		      struct tui_rect *list)
{
	struct checklist *c = priv;
	struct cl_cols *k = &c->cols;
	int w = body->w - 1;

	(void)t;
	c->detail = (struct tui_rect){ body->y + body->h - CL_DETAIL_ROWS, body->x,
				       CL_DETAIL_ROWS, body->w };
	c->list = (struct tui_rect){ body->y + 2, body->x, body->h - 2 - CL_DETAIL_ROWS, body->w };
	if (c->list.h < 0)
		c->list.h = 0;
	*list = c->list;
	/* fold 2, state 13, title, who 14, [deadline 10], due 15 */
	k->wide = w >= 96;
	k->state = 2;
	k->title = k->state + 14;
	k->title_w = w - k->title - 1 - 15 - 16 - (k->wide ? 11 : 0);
	k->who = k->title + k->title_w + 1;
	k->deadline = k->who + 15;
	k->due = k->deadline + (k->wide ? 11 : 0);
}

/* Fills buf with a step's title as its row shows it: a sub-item hangs off
 * a tree line. */
static void cl_title(const struct checklist *c, size_t i, char *buf, size_t n)
{
	const struct step_info *st = &c->steps[i];
	bool last = i + 1 >= c->n || c->steps[i + 1].depth == 0;

	if (st->depth > 0)
		snprintf(buf, n, "%s %s", theme_glyph(last ? GLYPH_LAST : GLYPH_BRANCH), st->title);
	else
		snprintf(buf, n, "%s", st->title);
}

static void cl_draw(struct tui *t, void *priv, WINDOW *w, const struct tui_rect *body)
{
	struct checklist *c = priv;
	const struct cycle_info *ci = &c->cycle;
	const struct cl_cols *k = &c->cols;
	const struct step_info *st = cl_selected(t, c);
	attr_t hd = theme_attr(ROLE_HEADER), dim = theme_attr(ROLE_DIM);
	char a[11], b[11], buf[512];
	int y, x;

	/* the cycle: progress on the right, the name in what is left */
	snprintf(buf, sizeof buf, "  %d of %d closed%s ", ci->n_closed, ci->n_steps,
		 ci->due_status == DUE_OVERDUE ? ", OVERDUE" : "");
	x = text_width(buf);
	tui_put(w, body->y, body->w - x, x,
		theme_attr(ci->due_status == DUE_OVERDUE ? ROLE_OVERDUE : ROLE_NORMAL),
		ALIGN_RIGHT, buf);
	snprintf(buf, sizeof buf, " %s %s %s (%s to %s)", ci->kind_title,
		 theme_glyph(GLYPH_DOT), ci->period, cal_format(ci->start, a), cal_format(ci->end, b));
	tui_put(w, body->y, 0, body->w - x, hd, ALIGN_LEFT, buf);

	/* column names */
	y = body->y + 1;
	tui_put(w, y, k->state, 13, hd, ALIGN_LEFT, "State");
	tui_put(w, y, k->title, k->title_w, hd, ALIGN_LEFT, "Step");
	tui_put(w, y, k->who, 14, hd, ALIGN_LEFT, "Who");
	if (k->wide)
		tui_put(w, y, k->deadline, 10, hd, ALIGN_LEFT, "Deadline");
	tui_put(w, y, k->due, 15, hd, ALIGN_LEFT, "Due");

	if (c->n_vis == 0 && c->list.h > 0)
		tui_put(w, c->list.y, 2, body->w - 2, dim, ALIGN_LEFT, "This cycle has no steps.");

	/* the selected step in full */
	y = c->detail.y;
	tui_hline(w, y, 0, body->w, dim, theme_glyph(GLYPH_HLINE));
	if (!st)
		return;
	tui_putf(w, y + 1, 1, body->w - 2, A_BOLD, "%s: %s", st->code, st->title);
	snprintf(buf, sizeof buf, "Who: %s   Deadline: %s (%s)   Source: %s", st->actor_label,
		 st->deadline == CAL_NO_DAY ? "none" : cal_format(st->deadline, a), st->rule,
		 st->source);
	tui_put(w, y + 2, 1, body->w - 2, A_NORMAL, ALIGN_LEFT, buf);
	x = tui_putf(w, y + 3, 1, body->w - 2, A_NORMAL, "Gates: %s   ",
		     st->gates[0] ? st->gates : "none");
	if (st->updated_at[0])
		tui_putf(w, y + 3, 1 + x, body->w - 2 - x, A_NORMAL, "Last change: %.10s %.5s by %s",
			 st->updated_at, st->updated_at + 11, st->updated_by);
	else
		tui_put(w, y + 3, 1 + x, body->w - 2 - x, dim, ALIGN_LEFT, "No change yet");
	tui_putf(w, y + 4, 1, body->w - 2, st->note[0] ? A_NORMAL : dim, "Note: %s",
		 st->note[0] ? st->note : "none");
}

static size_t cl_rows(void *priv)
{
	return ((struct checklist *)priv)->n_vis;
}

static void cl_draw_row(struct tui *t, void *priv, WINDOW *w, size_t row,
			const struct tui_rect *line, bool sel)
{
	struct checklist *c = priv;
	size_t i = c->vis[row];
	const struct step_info *st = &c->steps[i];
	const struct cl_cols *k = &c->cols;
	enum due_status due = cycle_due(st->deadline, st->state, tui_today(t), c->soon_days);
	char buf[256], day[11];
	enum tui_role role;
	int y = line->y, x = line->x;

	if (st->n_children)
		tui_put(w, y, x, 2, theme_row_attr(ROLE_NORMAL, sel), ALIGN_LEFT,
			theme_glyph(c->unfolded[i] ? GLYPH_UNFOLDED : GLYPH_FOLDED));
	snprintf(buf, sizeof buf, "%s %s", theme_glyph(cl_state_glyph(st->state)),
		 step_state_name(st->state));
	tui_put(w, y, x + k->state, 13, theme_row_attr(cl_state_role(st->state), sel), ALIGN_LEFT,
		buf);
	if (st->n_children) {
		/* the count stays visible however much of the title is cut */
		char count[32];
		int cw;

		snprintf(count, sizeof count, " (%d/%d)", st->n_children_closed, st->n_children);
		cw = text_width(count);
		tui_put(w, y, x + k->title, k->title_w - cw, theme_row_attr(ROLE_NORMAL, sel),
			ALIGN_LEFT, st->title);
		tui_put(w, y, x + k->title + k->title_w - cw, cw, theme_row_attr(ROLE_NORMAL, sel),
			ALIGN_LEFT, count);
	} else {
		cl_title(c, i, buf, sizeof buf);
		tui_put(w, y, x + k->title, k->title_w, theme_row_attr(ROLE_NORMAL, sel),
			ALIGN_LEFT, buf);
	}
	tui_put(w, y, x + k->who, 14, theme_row_attr(ROLE_NORMAL, sel), ALIGN_LEFT,
		st->actor_label);
	if (k->wide)
		tui_put(w, y, x + k->deadline, 10, theme_row_attr(ROLE_NORMAL, sel), ALIGN_LEFT,
			st->deadline == CAL_NO_DAY ? "" : cal_format(st->deadline, day));
	role = scr_due_text(st->deadline, due, tui_today(t), buf, sizeof buf);
	tui_put(w, y, x + k->due, 15, theme_row_attr(role, sel), ALIGN_LEFT, buf);
}

/* Text of a row for search; a folded step carries its sub-items' text too,
 * so that searching for a project lands on the step it is folded under. */
static void cl_row_text(void *priv, size_t row, char *buf, size_t n)
{
	const struct checklist *c = priv;
	size_t i = c->vis[row], at = 0;

	bool folded = c->steps[i].n_children && !c->unfolded[i];

	for (size_t k = i; k < c->n && at < n; k++) {
		const struct step_info *st = &c->steps[k];

		if (k > i && (!folded || st->depth == 0))
			break;
		at += (size_t)snprintf(buf + at, n - at, "%s%s %s %s %s %s %s", k > i ? " " : "",
				       st->code, st->title, step_state_name(st->state),
				       st->actor_label, st->project, st->note);
	}
}

static const char *cl_subtitle(void *priv)
{
	return ((struct checklist *)priv)->code;
}

/* Last change of a step, for undo; false when it has none. */
static bool cl_last_change(struct tui *t, struct checklist *c, const char *step,
			   struct step_change *out)
{
	struct step_change *h = NULL;
	size_t n = 0;
	struct hmx_err err;
	bool any = false;

	if (step_history(tui_store(t), c->code, step, &h, &n, &err) == HMX_OK && n > 0) {
		*out = h[n - 1];
		any = true;
	}
	free(h);
	return any;
}

static bool cl_allowed(struct tui *t, void *priv, enum action a, char *why, size_t n)
{
	struct checklist *c = priv;
	const struct step_info *st = cl_selected(t, c);
	struct step_change last;
	enum step_state to;

	switch (a) {
	case ACT_REVIEW:
		if (!review_cycle_reviews(c->cycle.kind)) {
			snprintf(why, n, "%s does not review a demo-site export (import cycles do)",
				 c->code);
			return false;
		}
		return true;
	case ACT_START: to = STEP_IN_PROGRESS; break;
	case ACT_DONE: to = STEP_DONE; break;
	case ACT_TODO: to = STEP_TODO; break;
	case ACT_UNDO:
		if (!cl_last_change(t, c, st->code, &last)) {
			snprintf(why, n, "nothing to undo for this step");
			return false;
		}
		return true;
	case ACT_EXPAND:
	case ACT_TOGGLE:
		if (!c->steps[cl_parent(c, (size_t)(st - c->steps))].n_children) {
			snprintf(why, n, "this step has no sub-items");
			return false;
		}
		return true;
	case ACT_COLLAPSE:
		if (st->depth == 0 && !st->n_children) {
			snprintf(why, n, "this step has no sub-items");
			return false;
		}
		return true;
	default:
		return true;
	}
	if (st->state == to) {
		snprintf(why, n, "the step is already %s", step_state_name(to));
		return false;
	}
	return true;
}

/* Sets the pending step to state with note; the message says what
 * happened, or what core refused, in core's words. */
static unsigned cl_set(struct tui *t, struct checklist *c, enum step_state to, const char *note)
{
	struct hmx_err err;
	size_t i = cl_find(c, c->pending);
	enum step_state from = i < c->n ? c->steps[i].state : STEP_TODO;

	hmx_err_clear(&err);
	if (step_set(tui_store(t), c->code, c->pending, to, note, &err) != HMX_OK) {
		tui_error(t, NULL, &err);
		return TUI_RELOAD;
	}
	tui_message(t, cl_state_role(to), "%s: %s %s %s%s", c->pending, step_state_name(from),
		    theme_glyph(GLYPH_ARROW), step_state_name(to), note && *note ? " (note saved)" : "");
	return TUI_RELOAD;
}

static unsigned cl_done_note(struct tui *t, void *priv, const char *text)
{
	return cl_set(t, priv, STEP_DONE, text);
}

static unsigned cl_reason(struct tui *t, struct checklist *c, enum step_state to,
			  const char *label, const char *text)
{
	if (!*text) {
		tui_message(t, ROLE_WARNING, "%s: a reason is required; nothing changed", label);
		return TUI_OK;
	}
	return cl_set(t, c, to, text);
}

static unsigned cl_skip_reason(struct tui *t, void *priv, const char *text)
{
	return cl_reason(t, priv, STEP_SKIPPED, "Skip", text);
}

static unsigned cl_block_reason(struct tui *t, void *priv, const char *text)
{
	return cl_reason(t, priv, STEP_BLOCKED, "Block", text);
}

static unsigned cl_undo_yes(struct tui *t, void *priv)
{
	struct checklist *c = priv;
	struct hmx_err err;

	hmx_err_clear(&err);
	if (step_undo(tui_store(t), c->code, c->pending, &err) != HMX_OK)
		tui_error(t, NULL, &err);
	else
		tui_message(t, ROLE_NORMAL, "%s: last change undone", c->pending);
	return TUI_RELOAD;
}

static void cl_audit(struct tui *t, struct checklist *c, const struct step_info *st)
{
	struct step_change *h = NULL;
	size_t n = 0;
	struct hmx_err err;
	char title[160];
	const char **lines;
	char (*text)[512];

	hmx_err_clear(&err);
	if (step_history(tui_store(t), c->code, st->code, &h, &n, &err) != HMX_OK) {
		tui_error(t, NULL, &err);
		return;
	}
	lines = calloc(n + 2, sizeof *lines);
	text = calloc(n + 2, sizeof *text);
	if (!lines || !text) {
		tui_message(t, ROLE_BLOCKING, "Out of memory");
		goto out;
	}
	snprintf(text[0], sizeof text[0], "%-16s  %-12s  %s", "When (UTC)", "Who", "Change and note");
	lines[0] = text[0];
	for (size_t i = 0; i < n; i++) {
		char when[17];

		/* 2026-11-27T12:00:00Z -> 2026-11-27 12:00 */
		hmx_strlcpy(when, h[i].at, sizeof when);
		if (strlen(when) > 10)
			when[10] = ' ';
		snprintf(text[i + 1], sizeof text[i + 1], "%-16s  %-12s  %s %s %s%s%s%s", when,
			 h[i].who, step_state_name(h[i].from), theme_glyph(GLYPH_ARROW),
			 step_state_name(h[i].to), h[i].is_undo ? " (undo)" : "",
			 h[i].note[0] ? ": " : "", h[i].note);
		lines[i + 1] = text[i + 1];
	}
	if (n == 0) {
		snprintf(text[1], sizeof text[1], "No changes yet: %s since the cycle was created.",
			 step_state_name(st->state));
		lines[1] = text[1];
	}
	snprintf(title, sizeof title, "Audit trail: %s/%s", c->code, st->code);
	tui_pager(t, title, lines, n ? n + 1 : 2);
out:
	free(lines);
	free(text);
	free(h);
}

static unsigned cl_handle(struct tui *t, void *priv, enum action a)
{
	struct checklist *c = priv;
	struct step_info *st = cl_selected(t, c);
	size_t i, p;
	struct step_change last;
	char q[512];

	if (a == ACT_MAP) {
		tui_push(t, &mapping_screen, c->code);
		return TUI_OK;
	}
	if (a == ACT_REVIEW) {
		tui_push(t, &vreview_screen, c->code);
		return TUI_OK;
	}
	if (a == ACT_MATCH) {
		scr_open_match(t, &c->cycle);
		return TUI_OK;
	}
	if (a == ACT_TRANSFERS) {
		tui_push(t, &transfers_screen, c->code);
		return TUI_OK;
	}
	i = (size_t)(st - c->steps);
	p = cl_parent(c, i);
	hmx_strlcpy(c->pending, st->code, sizeof c->pending);
	switch (a) {
	case ACT_START:
		return cl_set(t, c, STEP_IN_PROGRESS, "");
	case ACT_TODO:
		return cl_set(t, c, STEP_TODO, "");
	case ACT_DONE:
		snprintf(q, sizeof q, "Done %s, note (optional): ", st->code);
		tui_prompt(t, q, cl_done_note);
		return TUI_OK;
	case ACT_SKIP:
		snprintf(q, sizeof q, "Skip %s, reason: ", st->code);
		tui_prompt(t, q, cl_skip_reason);
		return TUI_OK;
	case ACT_BLOCK:
		snprintf(q, sizeof q, "Block %s, reason: ", st->code);
		tui_prompt(t, q, cl_block_reason);
		return TUI_OK;
	case ACT_UNDO:
		if (!cl_last_change(t, c, st->code, &last))
			return TUI_OK;
		snprintf(q, sizeof q, "Undo the last change of step %s (%s %s %s by %s at %s)? "
			 "The step goes back to %s; the undo is itself recorded in the audit log.",
			 st->code, step_state_name(last.from), theme_glyph(GLYPH_ARROW),
			 step_state_name(last.to), last.who, last.at, step_state_name(last.from));
		tui_confirm(t, q, cl_undo_yes);
		return TUI_OK;
	case ACT_AUDIT:
		cl_audit(t, c, st);
		return TUI_OK;
	case ACT_ENTER:
		if (!st->n_children) {
			cl_audit(t, c, st);
			return TUI_OK;
		}
		/* fall through */
	case ACT_TOGGLE:
		c->unfolded[p] = !c->unfolded[p];
		break;
	case ACT_EXPAND:
		c->unfolded[p] = true;
		break;
	case ACT_COLLAPSE:
		c->unfolded[p] = false;
		break;
	default:
		return TUI_OK;
	}
	cl_rebuild(c);
	tui_select(t, cl_row_of(c, c->unfolded[p] ? i : p));
	return TUI_OK;
}

const struct screen_ops checklist_screen = {
	.name = "checklist",
	.title = "Checklist",
	.priv_size = sizeof(struct checklist),
	.actions = cl_actions,
	.n_actions = sizeof cl_actions / sizeof cl_actions[0],
	.keys = cl_keys,
	.n_keys = sizeof cl_keys / sizeof cl_keys[0],
	.open = cl_open,
	.close = cl_close,
	.reload = cl_reload,
	.layout = cl_layout,
	.draw = cl_draw,
	.rows = cl_rows,
	.draw_row = cl_draw_row,
	.row_text = cl_row_text,
	.subtitle = cl_subtitle,
	.allowed = cl_allowed,
	.handle = cl_handle,
};
