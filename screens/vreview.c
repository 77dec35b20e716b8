/* screens/vreview.c — the validation review of one cycle (admin, issue 8):
 * the review items of the cycle's demo-site export grouped by project,
 * then check, then finding, each group with its counts by severity;
 * filters by project (p), check (C), severity (s), state (t) and assigned
 * reviewer (r), Esc clears them (and goes back when there is none); /
 * searches the rows. b shows a bar chart of the findings per project by
 * severity (beside the list when wide, under it otherwise), x the
 * reconciliation of the cycle (rows per project and file sent for import
 * vs the demo-site export, core/reconcile.h). Enter on a finding shows it
 * whole with its history; on a project or check it folds the project.
 * Decisions go through core/review.h: a assigns a reviewer (picked from
 * the ones whose projects hold the finding), f proposes a fix, c
 * comments, w waives (a reason, then a question that defaults to No).
 * R takes in a newer demo-site export (core/intake.h, source demo: it is
 * validated and the review synced), e writes the review report to a
 * file. Opened from the dashboard and the checklist (v) or with
 * `hmx --screen review --cycle C`. */
#include "screens/screens.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/intake.h"
#include "core/reconcile.h"
#include "core/reviewer.h"
#include "tui/filter.h"
#include "tui/text.h"

#define VR_MAX_FOLDED 64
#define VR_CHART_W 34   /* width of the chart beside the list */
#define VR_WIDE 110     /* body width from which the chart goes beside the list */

enum vr_kind { VR_PROJECT, VR_CHECK, VR_ITEM };

struct vr_row {
	enum vr_kind kind;
	size_t item;                  /* the item, or the first item of the group */
	int64_t n[RS_NSEV], pending, total;
};

struct vr_bar {
	char project[48];
	int64_t n[RS_NSEV], total;
};

struct vreview {
	char cycle[64];
	char f_project[48], f_check[8], f_reviewer[64];
	int f_state, f_sev;
	char subtitle[200];
	struct review_item *items;
	size_t n;
	struct vr_row *rows;
	size_t nrows;
	struct vr_bar *bars;
	size_t nbars;
	int64_t sev[RS_NSEV], pending;
	char folded[VR_MAX_FOLDED][48];
	size_t nfolded;
	bool chart;
	bool recon_on;
	struct reconcile_result recon;
	struct vr_rline *rl; /* the panel's lines (vr_recon_lines) */
	size_t nrl;
	char recon_err[600];
	/* the finding a prompt or question is about */
	int64_t pending_id, pending_version;
	char pending_text[REVIEW_TEXT_MAX + 1];
	struct tui_rect list, chart_r, recon_r;
};

/* One line of the reconciliation panel: a row of recon (a mismatch, or
 * any row of a project listed whole), a project whose files all agree
 * folded into one line, the files of a project with mismatches that
 * agree, or the note that only three files could be compared. */
enum vr_rkind { VR_R_ROW, VR_R_AGREE, VR_R_OTHERS, VR_R_NOTE };

struct vr_rline {
	enum vr_rkind kind;
	size_t row;  /* VR_R_ROW: index in recon.rows; else its project's first */
	size_t n;    /* VR_R_AGREE, VR_R_OTHERS: how many files */
};

static const struct screen_action vr_actions[] = {
	{ ACT_ENTER, "Detail", "Show the finding whole with its history (on a group: fold it)",
	  NEED_ROW },
	{ ACT_ASSIGN, "Assign", NULL, NEED_ROW | NEED_WRITE },
	{ ACT_PROPOSE, "Fix", NULL, NEED_ROW | NEED_WRITE },
	{ ACT_WAIVE, "Waive", NULL, NEED_ROW | NEED_WRITE },
	{ ACT_COMMENT, "Comment", NULL, NEED_ROW | NEED_WRITE },
	{ ACT_REVALIDATE, "Re-validate", NULL, NEED_WRITE },
	{ ACT_EXPORT, "Export", NULL, 0 },
	{ ACT_CHART, "Chart", NULL, 0 },
	{ ACT_RECONCILE, "Reconcile", "Show or hide the reconciliation (records a reconcile run)",
	  NEED_WRITE },
	{ ACT_FILTER_PROJECT, "Project", "Show only the findings of one project (- : none)", 0 },
	{ ACT_FILTER_CHECK, NULL, NULL, 0 },
	{ ACT_FILTER_SEVERITY, NULL, NULL, 0 },
	{ ACT_FILTER_STATE, NULL, NULL, 0 },
	{ ACT_FILTER_REVIEWER, NULL, NULL, 0 },
	{ ACT_FILTER_CLEAR, NULL, NULL, 0 },
};

static const struct tui_keybind vr_keys[] = {
	{ 'a', ACT_ASSIGN, false },
	{ 'f', ACT_PROPOSE, false },
	{ 'w', ACT_WAIVE, false },
	{ 'c', ACT_COMMENT, false },
	{ 'R', ACT_REVALIDATE, false },
	{ 'e', ACT_EXPORT, false },
	{ 'b', ACT_CHART, false },
	{ 'x', ACT_RECONCILE, false },
	{ 'p', ACT_FILTER_PROJECT, false },
	{ 'C', ACT_FILTER_CHECK, false },
	{ 's', ACT_FILTER_SEVERITY, false },
	{ 't', ACT_FILTER_STATE, false },
	{ 'r', ACT_FILTER_REVIEWER, false },
	{ TUI_KEY_ESC, ACT_FILTER_CLEAR, false },
};

static bool vr_filtered(const struct vreview *v)
{
	return v->f_project[0] || v->f_check[0] || v->f_reviewer[0] || v->f_state >= 0 ||
	       v->f_sev >= 0;
}

static void vr_subtitle(void *priv)
{
	struct vreview *v = priv;
	size_t o = (size_t)snprintf(v->subtitle, sizeof v->subtitle, "%s", v->cycle);

#define ADD(label, val)                                                                      \
	do {                                                                                 \
		if ((val)[0] && o < sizeof v->subtitle)                                      \
			o += (size_t)snprintf(v->subtitle + o, sizeof v->subtitle - o, " %s=%s", \
					      label, val);                                   \
	} while (0)
	ADD("project", v->f_project);
	ADD("check", v->f_check);
	ADD("severity", v->f_sev >= 0 ? review_sev_name((enum review_sev)v->f_sev) : "");
	ADD("state", v->f_state >= 0 ? review_state_name((enum review_state)v->f_state) : "");
	ADD("reviewer", v->f_reviewer);
#undef ADD
}

static enum hmx_rc vr_open(struct tui *t, void *priv, const char *arg, struct hmx_err *err)
{
	struct vreview *v = priv;

	if (!arg || !*arg)
		return hmx_err_set(err, HMX_EINVAL, "the review screen needs a cycle");
	hmx_strlcpy(v->cycle, arg, sizeof v->cycle);
	v->f_state = v->f_sev = -1;
	v->chart = COLS >= VR_WIDE + 10;
	(void)t;
	vr_subtitle(v);
	return HMX_OK;
}

static void vr_close(struct tui *t, void *priv)
{
	struct vreview *v = priv;

	(void)t;
	free(v->items);
	free(v->rows);
	free(v->bars);
	free(v->rl);
	v->rl = NULL;
	v->nrl = 0;
	reconcile_free(&v->recon);
	memset(&v->recon, 0, sizeof v->recon);
}

static bool vr_is_folded(const struct vreview *v, const char *project)
{
	for (size_t i = 0; i < v->nfolded; i++)
		if (strcmp(v->folded[i], project) == 0)
			return true;
	return false;
}

static void vr_toggle_fold(struct vreview *v, const char *project)
{
	for (size_t i = 0; i < v->nfolded; i++)
		if (strcmp(v->folded[i], project) == 0) {
			memmove(v->folded[i], v->folded[i + 1],
				(v->nfolded - i - 1) * sizeof v->folded[0]);
			v->nfolded--;
			return;
		}
	if (v->nfolded < VR_MAX_FOLDED)
		hmx_strlcpy(v->folded[v->nfolded++], project, sizeof v->folded[0]);
}

static bool vr_pending_state(enum review_state st)
{
	return st == RV_OPEN || st == RV_FIX_PROPOSED || st == RV_APPROVED || st == RV_REJECTED;
}

static void vr_count(struct vr_row *r, const struct review_item *it)
{
	r->n[it->severity]++;
	r->total++;
	if (vr_pending_state(it->state))
		r->pending++;
}

/* Groups the items (ordered by project, check, file, key) into rows and
 * counts the groups, the chart's bars and the totals. */
static enum hmx_rc vr_build(struct vreview *v, struct hmx_err *err)
{
	struct vr_row *rows = calloc(v->n * 3 + 1, sizeof *rows);
	struct vr_bar *bars = calloc(v->n + 1, sizeof *bars);
	size_t nr = 0, nb = 0, proj_row = 0, check_row = 0;

	if (!rows || !bars) {
		free(rows);
		free(bars);
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	}
	memset(v->sev, 0, sizeof v->sev);
	v->pending = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct review_item *it = &v->items[i];
		bool new_proj = i == 0 || strcmp(it->project, v->items[i - 1].project) != 0;
		bool new_check = new_proj || strcmp(it->check, v->items[i - 1].check) != 0;
		bool folded = vr_is_folded(v, it->project);

		v->sev[it->severity]++;
		if (vr_pending_state(it->state))
			v->pending++;
		if (new_proj) {
			proj_row = nr;
			rows[nr++] = (struct vr_row){ VR_PROJECT, i, { 0 }, 0, 0 };
			hmx_strlcpy(bars[nb].project, it->project[0] ? it->project : "(none)",
				    sizeof bars[nb].project);
			nb++;
		}
		bars[nb - 1].n[it->severity]++;
		bars[nb - 1].total++;
		vr_count(&rows[proj_row], it);
		if (folded)
			continue;
		if (new_check) {
			check_row = nr;
			rows[nr++] = (struct vr_row){ VR_CHECK, i, { 0 }, 0, 0 };
		}
		vr_count(&rows[check_row], it);
		rows[nr++] = (struct vr_row){ VR_ITEM, i, { 0 }, 0, 0 };
	}
	free(v->rows);
	free(v->bars);
	v->rows = rows;
	v->nrows = nr;
	v->bars = bars;
	v->nbars = nb;
	return HMX_OK;
}

/* The item of the selected row (NULL on a group row or an empty list). */
static const struct review_item *vr_item(struct tui *t, const struct vreview *v)
{
	size_t sel = tui_selected(t);

	if (sel >= v->nrows || v->rows[sel].kind != VR_ITEM)
		return NULL;
	return &v->items[v->rows[sel].item];
}

static enum hmx_rc vr_reload(struct tui *t, void *priv, struct hmx_err *err)
{
	struct vreview *v = priv;
	struct review_filter f;
	struct review_item *items;
	size_t n, sel = tui_selected(t);
	int64_t keep_id = 0;
	enum vr_kind keep_kind = VR_ITEM;
	char keep_proj[48] = "";
	enum hmx_rc rc;

	if (sel < v->nrows) {
		keep_kind = v->rows[sel].kind;
		keep_id = v->items[v->rows[sel].item].id;
		hmx_strlcpy(keep_proj, v->items[v->rows[sel].item].project, sizeof keep_proj);
	}
	review_filter_init(&f);
	f.project = v->f_project[0] ? v->f_project : NULL;
	f.check = v->f_check[0] ? v->f_check : NULL;
	f.reviewer = v->f_reviewer[0] ? v->f_reviewer : NULL;
	f.state = v->f_state;
	f.severity = v->f_sev;
	if ((rc = review_list(tui_store(t), v->cycle, &f, &items, &n, err)) != HMX_OK)
		return rc;
	free(v->items);
	v->items = items;
	v->n = n;
	if ((rc = vr_build(v, err)) != HMX_OK)
		return rc;
	/* the selection stays on the same finding (or group) when rows move */
	for (size_t i = 0; keep_id && i < v->nrows; i++) {
		const struct review_item *it = &v->items[v->rows[i].item];
		if (v->rows[i].kind == keep_kind &&
		    (keep_kind == VR_PROJECT ? strcmp(it->project, keep_proj) == 0
					     : it->id == keep_id)) {
			tui_select(t, i);
			break;
		}
	}
	return HMX_OK;
}

static size_t vr_rows(void *priv)
{
	return ((struct vreview *)priv)->nrows;
}

static void vr_layout(struct tui *t, void *priv, const struct tui_rect *body,
		      struct tui_rect *list)
{
	struct vreview *v = priv;
	struct tui_rect l = { body->y + 2, body->x, body->h - 2, body->w };

	(void)t;
	v->chart_r = v->recon_r = (struct tui_rect){ 0, 0, 0, 0 };
	if (v->recon_on && l.h > 8) {
		int h = (int)v->nrl + 3;
		if (v->recon_err[0])
			h = 4;
		if (h > l.h / 2)
			h = l.h / 2;
		v->recon_r = (struct tui_rect){ l.y + l.h - h, l.x, h, l.w };
		l.h -= h;
	}
	if (v->chart && body->w >= VR_WIDE) {
		v->chart_r = (struct tui_rect){ l.y - 1, l.x + l.w - VR_CHART_W, l.h + 1,
						VR_CHART_W };
		l.w -= VR_CHART_W + 1;
	} else if (v->chart && l.h > 8) {
		int h = (int)v->nbars + 2;
		if (h > l.h / 2)
			h = l.h / 2;
		v->chart_r = (struct tui_rect){ l.y + l.h - h, l.x, h, l.w };
		l.h -= h;
	}
	if (l.h < 0)
		l.h = 0;
	v->list = l;
	*list = l;
}

/* "3 blocking, 1 error, 2 warning" (the zero ones left out) */
static void vr_sev_text(const int64_t n[RS_NSEV], char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int s = RS_BLOCKING; s >= RS_WARNING; s--)
		if (n[s] && o < size)
			o += (size_t)snprintf(buf + o, size - o, "%s%lld %s", o ? ", " : "",
					      (long long)n[s], review_sev_name((enum review_sev)s));
}

static const char vr_bar_glyph[RS_NSEV] = { '-', '=', '#' };
static const enum tui_role vr_bar_role[RS_NSEV] = { ROLE_DIM, ROLE_WARNING, ROLE_BLOCKING };

static void vr_draw_chart(struct vreview *v, WINDOW *w)
{
	const struct tui_rect *r = &v->chart_r;
	struct tui_rect in = { r->y + 1, r->x + 1, r->h - 2, r->w - 2 };
	int64_t max = 1;
	int label_w = 12, bw;

	tui_box(w, r, A_NORMAL, "Findings per project", "#:blocking =:error -:warning");
	for (size_t i = 0; i < v->nbars; i++)
		if (v->bars[i].total > max)
			max = v->bars[i].total;
	bw = in.w - label_w - 6;
	if (bw < 1 || in.h < 1)
		return;
	if (v->nbars == 0)
		tui_put(w, in.y, in.x, in.w, theme_attr(ROLE_DIM), ALIGN_LEFT, "No finding.");
	for (size_t i = 0; i < v->nbars && (int)i < in.h; i++) {
		const struct vr_bar *b = &v->bars[i];
		int x = in.x + label_w, cells = 0;

		tui_put(w, in.y + (int)i, in.x, label_w - 1, A_NORMAL, ALIGN_LEFT, b->project);
		for (int s = RS_BLOCKING; s >= RS_WARNING; s--) {
			int c = (int)((b->n[s] * bw + max - 1) / max);
			char seg[256];

			if (c > bw - cells)
				c = bw - cells;
			if (c <= 0)
				continue;
			memset(seg, vr_bar_glyph[s], (size_t)c);
			seg[c] = '\0';
			tui_put(w, in.y + (int)i, x + cells, c, theme_attr(vr_bar_role[s]),
				ALIGN_LEFT, seg);
			cells += c;
		}
		tui_putf(w, in.y + (int)i, in.x + label_w + bw + 1, 5, A_NORMAL, "%4lld",
			 (long long)b->total);
	}
}

static void vr_draw_recon(struct vreview *v, WINDOW *w)
{
	const struct tui_rect *r = &v->recon_r;
	struct tui_rect in = { r->y + 1, r->x + 1, r->h - 2, r->w - 2 };
	attr_t hd = theme_attr(ROLE_HEADER);
	char note[64];
	int y = in.y;

	snprintf(note, sizeof note, "%zu mismatch%s", v->recon.mismatches,
		 v->recon.mismatches == 1 ? "" : "es");
	tui_box(w, r, A_NORMAL, "Reconciliation: sent for import vs demo site",
		v->recon_err[0] ? NULL : note);
	if (in.h < 1)
		return;
	if (v->recon_err[0]) {
		tui_put(w, y, in.x, in.w, theme_attr(ROLE_WARNING), ALIGN_LEFT, v->recon_err);
		return;
	}
	tui_put(w, y, in.x, 22, hd, ALIGN_LEFT, "Project");
	tui_put(w, y, in.x + 23, 26, hd, ALIGN_LEFT, "File");
	tui_put(w, y, in.x + 50, 7, hd, ALIGN_RIGHT, "Sent");
	tui_put(w, y, in.x + 58, 7, hd, ALIGN_RIGHT, "Demo");
	y++;
	for (size_t i = 0; i < v->nrl && y < in.y + in.h; i++, y++) {
		const struct vr_rline *l = &v->rl[i];
		const struct reconcile_row *rr = &v->recon.rows[l->row];
		attr_t at = l->kind == VR_R_ROW && rr->mismatch ? theme_attr(ROLE_BLOCKING) :
								   A_NORMAL;

		if (l->kind == VR_R_NOTE) {
			tui_put(w, y, in.x, in.w, theme_attr(ROLE_WARNING), ALIGN_LEFT,
				"Files taken in before per-file counts: only Enrollment, Exit, "
				"Client.csv compared");
			continue;
		}
		tui_put(w, y, in.x, 22, at, ALIGN_LEFT, rr->project);
		if (l->kind != VR_R_ROW) {
			const char *which = l->kind == VR_R_AGREE ? (l->n == 1 ? "the" : "all") :
								    "the other";

			tui_putf(w, y, in.x + 23, in.w - 23, theme_attr(ROLE_DIM),
				 "%s %zu file%s agree", which, l->n, l->n == 1 ? "" : "s");
			continue;
		}
		tui_put(w, y, in.x + 23, 26, at, ALIGN_LEFT, rr->file);
		tui_putf(w, y, in.x + 50, 7, at, "%7llu", (unsigned long long)rr->sent);
		tui_putf(w, y, in.x + 58, 7, at, "%7llu", (unsigned long long)rr->demo);
		if (rr->mismatch)
			tui_put(w, y, in.x + 66, in.w - 66, at, ALIGN_LEFT, "X06 mismatch");
	}
}

static void vr_draw(struct tui *t, void *priv, WINDOW *w, const struct tui_rect *body)
{
	struct vreview *v = priv;
	attr_t hd = theme_attr(ROLE_HEADER);
	char sev[96];
	int x = 1, lw = v->list.w;

	(void)t;
	vr_sev_text(v->sev, sev, sizeof sev);
	x += tui_putf(w, body->y, x, lw - x, hd, "%zu finding%s%s%s%s, %lld pending  ", v->n,
		      v->n == 1 ? "" : "s", sev[0] ? " (" : "", sev, sev[0] ? ")" : "",
		      (long long)v->pending);
	if (vr_filtered(v))
		tui_put(w, body->y, x, lw - x, theme_attr(ROLE_DIM), ALIGN_LEFT,
			"(Esc clears filters)");
	tui_put(w, body->y + 1, 5, 6, hd, ALIGN_LEFT, "#");
	tui_put(w, body->y + 1, 12, 12, hd, ALIGN_LEFT, "State");
	tui_put(w, body->y + 1, 25, 8, hd, ALIGN_LEFT, "Severity");
	tui_put(w, body->y + 1, 34, lw - 34, hd, ALIGN_LEFT, "File, key, column / fix");
	if (v->nrows == 0 && v->list.h > 0)
		tui_put(w, v->list.y, 2, lw - 2, theme_attr(ROLE_DIM), ALIGN_LEFT,
			vr_filtered(v) ? "No finding matches the filters."
				       : "No finding in this cycle's review yet: take in the "
					 "demo-site export (R or hmx intake --source demo).");
	if (v->chart_r.h > 2)
		vr_draw_chart(v, w);
	if (v->recon_r.h > 2)
		vr_draw_recon(v, w);
}

static void vr_item_text(const struct review_item *it, char *buf, size_t n)
{
	snprintf(buf, n, "%s %s%s%s%s%s%s%s", it->file, it->key[0] ? it->key : "no key",
		 it->column[0] ? " " : "", it->column, it->reviewer[0] ? " @" : "", it->reviewer,
		 it->fix[0] ? " / fix: " : "", it->fix);
}

static void vr_draw_row(struct tui *t, void *priv, WINDOW *w, size_t row,
			const struct tui_rect *line, bool sel)
{
	struct vreview *v = priv;
	const struct vr_row *r = &v->rows[row];
	const struct review_item *it = &v->items[r->item];
	attr_t at = theme_row_attr(ROLE_NORMAL, sel);
	char sev[96], text[1200];
	int y = line->y, x = line->x;

	(void)t;
	vr_sev_text(r->n, sev, sizeof sev);
	switch (r->kind) {
	case VR_PROJECT:
		tui_putf(w, y, x + 1, line->w - 1, theme_row_attr(ROLE_HEADER, sel),
			 "%s %s%s%s: %lld finding%s (%s), %lld pending",
			 theme_glyph(vr_is_folded(v, it->project) ? GLYPH_FOLDED : GLYPH_UNFOLDED),
			 it->project[0] ? it->project : "(no project)", it->agency[0] ? " / " : "",
			 it->agency, (long long)r->total, r->total == 1 ? "" : "s", sev,
			 (long long)r->pending);
		return;
	case VR_CHECK:
		tui_putf(w, y, x + 3, line->w - 3, at, "%s: %lld (%s), %lld pending", it->check,
			 (long long)r->total, sev, (long long)r->pending);
		return;
	case VR_ITEM:
		break;
	}
	vr_item_text(it, text, sizeof text);
	tui_putf(w, y, x + 5, 6, at, "%lld", (long long)it->id);
	tui_put(w, y, x + 12, 12, theme_row_attr(scr_review_role(it->state), sel), ALIGN_LEFT,
		review_state_name(it->state));
	tui_put(w, y, x + 25, 8,
		theme_row_attr(it->severity == RS_BLOCKING ? ROLE_BLOCKING : ROLE_NORMAL, sel),
		ALIGN_LEFT, review_sev_name(it->severity));
	tui_put(w, y, x + 34, line->w - 34, at, ALIGN_LEFT, text);
}

static void vr_row_text(void *priv, size_t row, char *buf, size_t n)
{
	struct vreview *v = priv;
	const struct vr_row *r = &v->rows[row];
	const struct review_item *it = &v->items[r->item];
	char text[1200];

	if (r->kind == VR_PROJECT) {
		snprintf(buf, n, "%s %s", it->project, it->agency);
		return;
	}
	if (r->kind == VR_CHECK) {
		snprintf(buf, n, "%s", it->check);
		return;
	}
	vr_item_text(it, text, sizeof text);
	snprintf(buf, n, "%lld %s %s %s %s %s", (long long)it->id, it->check,
		 review_state_name(it->state), review_sev_name(it->severity), it->project, text);
}

static const char *vr_subtitle_of(void *priv)
{
	return ((struct vreview *)priv)->subtitle;
}

static bool vr_allowed(struct tui *t, void *priv, enum action a, char *why, size_t n)
{
	struct vreview *v = priv;

	switch (a) {
	case ACT_ASSIGN:
	case ACT_PROPOSE:
	case ACT_WAIVE:
	case ACT_COMMENT:
		if (!vr_item(t, v)) {
			snprintf(why, n, "select a finding (not a project or check row)");
			return false;
		}
		return true;
	default:
		return true;
	}
}

/* Does a decision on the finding a prompt was about: the version seen when
 * the key was pressed must still be the item's, so a decision made
 * meanwhile by someone else is never overwritten. */
static unsigned vr_decide(struct tui *t, struct vreview *v, enum review_action act,
			  const char *text)
{
	struct review_request rq = { v->pending_id, act, NULL, text, v->pending_version };
	struct review_item after;
	struct hmx_err err;

	hmx_err_clear(&err);
	if (review_decide(tui_store(t), &rq, &after, &err) != HMX_OK) {
		tui_message(t, ROLE_BLOCKING, "Finding %lld: %s (list refreshed)",
			    (long long)v->pending_id, err.msg);
		return TUI_RELOAD;
	}
	tui_message(t, ROLE_OK, "Finding %lld: %s: now %s%s%s", (long long)after.id,
		    review_action_name(act), review_state_name(after.state),
		    after.reviewer[0] ? ", assigned to " : "", after.reviewer);
	return TUI_RELOAD;
}

static unsigned vr_assign_done(struct tui *t, void *priv, const char *text)
{
	return vr_decide(t, priv, RA_ASSIGN, text);
}

static unsigned vr_fix_done(struct tui *t, void *priv, const char *text)
{
	if (!text[0]) {
		tui_message(t, ROLE_WARNING, "Fix: no text given; nothing changed");
		return TUI_OK;
	}
	return vr_decide(t, priv, RA_PROPOSE, text);
}

static unsigned vr_comment_done(struct tui *t, void *priv, const char *text)
{
	if (!text[0]) {
		tui_message(t, ROLE_WARNING, "Comment: no text given; nothing changed");
		return TUI_OK;
	}
	return vr_decide(t, priv, RA_COMMENT, text);
}

static unsigned vr_waive_yes(struct tui *t, void *priv)
{
	struct vreview *v = priv;

	return vr_decide(t, v, RA_WAIVE, v->pending_text);
}

static unsigned vr_waive_reason(struct tui *t, void *priv, const char *text)
{
	struct vreview *v = priv;
	char q[700];

	if (!text[0]) {
		tui_message(t, ROLE_WARNING, "Waive: a reason is required; nothing changed");
		return TUI_OK;
	}
	hmx_strlcpy(v->pending_text, text, sizeof v->pending_text);
	snprintf(q, sizeof q, "Waive finding %lld? It stops holding the live import and shows as "
		 "waived, with the reason \"%s\", in every report.", (long long)v->pending_id,
		 text);
	tui_confirm(t, q, vr_waive_yes);
	return TUI_OK;
}

/* Reviewers whose projects hold the item, "alice, bob" into buf. */
static void vr_candidates(struct tui *t, const struct review_item *it, char *buf, size_t n)
{
	struct reviewer *r = NULL;
	size_t nr = 0, o = 0;
	struct hmx_err err;

	buf[0] = '\0';
	hmx_err_clear(&err);
	if (reviewer_list(tui_store(t), &r, &nr, &err) != HMX_OK)
		return;
	for (size_t i = 0; i < nr && o < n; i++) {
		char list[520], want[52];
		bool ok = false;

		if (r[i].agency[0]) {
			ok = it->agency[0] && strcmp(r[i].agency, it->agency) == 0;
		} else if (it->project[0]) {
			snprintf(list, sizeof list, ",%s,", r[i].projects);
			snprintf(want, sizeof want, ",%s,", it->project);
			ok = strstr(list, want) != NULL;
		}
		if (ok)
			o += (size_t)snprintf(buf + o, n - o, "%s%s", o ? ", " : "", r[i].name);
	}
	free(r);
}

static unsigned vr_filter_project(struct tui *t, void *priv, const char *text)
{
	struct vreview *v = priv;

	return tui_filter_set(t, v->f_project, sizeof v->f_project, text, vr_subtitle, v);
}

static unsigned vr_filter_check(struct tui *t, void *priv, const char *text)
{
	struct vreview *v = priv;
	char up[8];
	size_t i;

	for (i = 0; text[i] && i + 1 < sizeof up; i++)
		up[i] = (char)(text[i] >= 'a' && text[i] <= 'z' ? text[i] - 'a' + 'A' : text[i]);
	up[i] = '\0';
	return tui_filter_set(t, v->f_check, sizeof v->f_check, up, vr_subtitle, v);
}

static unsigned vr_filter_reviewer(struct tui *t, void *priv, const char *text)
{
	struct vreview *v = priv;

	return tui_filter_set(t, v->f_reviewer, sizeof v->f_reviewer, text, vr_subtitle, v);
}

static unsigned vr_filter_sev(struct tui *t, void *priv, const char *text)
{
	struct vreview *v = priv;
	enum review_sev s;

	if (!text[0]) {
		v->f_sev = -1;
	} else if (review_sev_parse(text, &s)) {
		v->f_sev = (int)s;
	} else {
		tui_message(t, ROLE_BLOCKING, "Bad severity \"%s\": use warning, error or blocking",
			    text);
		return TUI_OK;
	}
	return tui_filter_applied(t, vr_subtitle, v);
}

static unsigned vr_filter_state(struct tui *t, void *priv, const char *text)
{
	struct vreview *v = priv;
	enum review_state s;

	if (!text[0]) {
		v->f_state = -1;
	} else if (review_state_parse(text, &s)) {
		v->f_state = (int)s;
	} else {
		tui_message(t, ROLE_BLOCKING, "Bad state \"%s\": use open, fix-proposed, approved, "
			    "rejected, resolved or waived", text);
		return TUI_OK;
	}
	return tui_filter_applied(t, vr_subtitle, v);
}

static const struct tui_filter vr_filters[] = {
	{ ACT_FILTER_PROJECT, "Project code (- : no project; empty: all): ", vr_filter_project },
	{ ACT_FILTER_CHECK, "Check, e.g. K01 (empty: all): ", vr_filter_check },
	{ ACT_FILTER_SEVERITY, "Severity: warning, error or blocking (empty: all): ",
	  vr_filter_sev },
	{ ACT_FILTER_STATE,
	  "State: open, fix-proposed, approved, rejected, resolved, waived (empty: all): ",
	  vr_filter_state },
	{ ACT_FILTER_REVIEWER, "Assigned reviewer (empty: all): ", vr_filter_reviewer },
};

static void vr_clear(void *priv)
{
	struct vreview *v = priv;

	v->f_project[0] = v->f_check[0] = v->f_reviewer[0] = '\0';
	v->f_state = v->f_sev = -1;
}

static unsigned vr_revalidate_done(struct tui *t, void *priv, const char *text)
{
	struct vreview *v = priv;
	struct intake_opts o = { "demo", CAL_NO_DAY, false };
	struct intake_info info;
	struct hmx_err err;

	if (!text[0]) {
		tui_message(t, ROLE_WARNING, "Re-validate: no file given; nothing changed");
		return TUI_OK;
	}
	hmx_err_clear(&err);
	if (intake_add(tui_store(t), v->cycle, text, &o, &info, &err) != HMX_OK) {
		tui_error(t, "Re-validate", &err);
		return TUI_OK;
	}
	if (info.already)
		tui_message(t, ROLE_WARNING, "Re-validate: this export is already in %s; nothing "
			    "changed", v->cycle);
	else
		tui_message(t, ROLE_OK,
			    "Re-validated %.12s: %llu blocking, %llu error, %llu warning "
			    "finding(s); the review is synced", info.sha256,
			    (unsigned long long)info.n_blocking, (unsigned long long)info.n_error,
			    (unsigned long long)info.n_warning);
	return TUI_RELOAD;
}

static unsigned vr_export_done(struct tui *t, void *priv, const char *text)
{
	struct vreview *v = priv;
	char path[4096], tmp[4200];
	const char *fmt;
	size_t len;
	struct hmx_err err;
	FILE *f;
	enum hmx_rc rc;
	int fd;

	if (text[0])
		hmx_strlcpy(path, text, sizeof path);
	else
		snprintf(path, sizeof path, "%s-review.md", v->cycle);
	len = strlen(path);
	fmt = len > 4 && strcmp(path + len - 4, ".csv") == 0 ? "csv" : "md";
	snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path);
	hmx_err_clear(&err);
	if ((fd = mkstemp(tmp)) < 0 || !(f = fdopen(fd, "w"))) {
		tui_message(t, ROLE_BLOCKING, "Export: cannot write %s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return TUI_OK;
	}
	rc = review_report(tui_store(t), v->cycle, v->f_project[0] ? v->f_project : NULL, NULL,
			   fmt, f, &err);
	if (fclose(f) != 0 && rc == HMX_OK)
		rc = hmx_err_set(&err, HMX_EIO, "cannot write %s: %s", path, strerror(errno));
	if (rc == HMX_OK && rename(tmp, path) != 0)
		rc = hmx_err_set(&err, HMX_EIO, "cannot write %s: %s", path, strerror(errno));
	if (rc != HMX_OK) {
		unlink(tmp);
		tui_error(t, "Export", &err);
		return TUI_OK;
	}
	tui_message(t, ROLE_OK, "Report of %s%s%s written to %s (%s)", v->cycle,
		    v->f_project[0] ? ", project " : "", v->f_project, path, fmt);
	return TUI_OK;
}

/* The panel's lines from v->recon: a project whose files all agree is one
 * line; a project with mismatches lists them, then one line for the files
 * that agree. */
static bool vr_recon_lines(struct vreview *v)
{
	const struct reconcile_result *r = &v->recon;

	free(v->rl);
	v->nrl = 0;
	v->rl = calloc(2 * r->nrows + 2, sizeof *v->rl);
	if (!v->rl)
		return false;
	if (!r->per_file)
		v->rl[v->nrl++] = (struct vr_rline){ VR_R_NOTE, 0, 0 };
	for (size_t i = 0; i < r->nrows;) {
		size_t j = i, bad = 0;

		while (j < r->nrows && strcmp(r->rows[j].project, r->rows[i].project) == 0)
			bad += r->rows[j++].mismatch;
		if (!bad) {
			v->rl[v->nrl++] = (struct vr_rline){ VR_R_AGREE, i, j - i };
		} else {
			for (size_t k = i; k < j; k++)
				if (r->rows[k].mismatch)
					v->rl[v->nrl++] = (struct vr_rline){ VR_R_ROW, k, 0 };
			if (j - i > bad)
				v->rl[v->nrl++] = (struct vr_rline){ VR_R_OTHERS, i, j - i - bad };
		}
		i = j;
	}
	return true;
}

static void vr_reconcile(struct tui *t, struct vreview *v)
{
	struct hmx_err err;

	free(v->rl);
	v->rl = NULL;
	v->nrl = 0;
	reconcile_free(&v->recon);
	memset(&v->recon, 0, sizeof v->recon);
	v->recon_err[0] = '\0';
	hmx_err_clear(&err);
	if (reconcile_cycle(tui_store(t), v->cycle, &v->recon, &err) != HMX_OK)
		snprintf(v->recon_err, sizeof v->recon_err, "%s", err.msg);
	else if (!vr_recon_lines(v))
		snprintf(v->recon_err, sizeof v->recon_err, "out of memory");
	else
		tui_message(t, ROLE_NORMAL, "Reconciled %s: %zu row(s), %zu mismatch(es)%s",
			    v->cycle, v->recon.nrows, v->recon.mismatches,
			    !v->recon.per_file ? " (only Enrollment, Exit, Client.csv)" :
			    v->recon.counts_complete ? "" :
						       " (counts are a lower bound)");
}

static unsigned vr_handle(struct tui *t, void *priv, enum action a)
{
	struct vreview *v = priv;
	const struct review_item *it = vr_item(t, v);
	char q[700], who[400];
	struct hmx_err err;

	if (it) {
		v->pending_id = it->id;
		v->pending_version = it->version;
	}
	if (tui_filter_prompt(t, vr_filters, sizeof vr_filters / sizeof vr_filters[0], a))
		return TUI_OK;
	switch (a) {
	case ACT_ENTER:
		if (it) {
			scr_review_detail(t, it);
			return TUI_OK;
		}
		hmx_strlcpy(q, v->items[v->rows[tui_selected(t)].item].project, sizeof q);
		vr_toggle_fold(v, q);
		if (vr_build(v, &err) != HMX_OK) {
			tui_error(t, "Fold", &err);
			return TUI_OK;
		}
		for (size_t i = 0; i < v->nrows; i++)
			if (v->rows[i].kind == VR_PROJECT &&
			    strcmp(v->items[v->rows[i].item].project, q) == 0)
				tui_select(t, i);
		return TUI_OK;
	case ACT_ASSIGN:
		vr_candidates(t, it, who, sizeof who);
		snprintf(q, sizeof q, "Assign finding %lld to (%s; empty unassigns): ",
			 (long long)it->id, who[0] ? who : "no reviewer covers this project");
		tui_prompt(t, q, vr_assign_done);
		return TUI_OK;
	case ACT_PROPOSE:
		snprintf(q, sizeof q, "Fix for finding %lld (%s %s): ", (long long)it->id,
			 it->check, it->key[0] ? it->key : it->file);
		tui_prompt(t, q, vr_fix_done);
		return TUI_OK;
	case ACT_COMMENT:
		snprintf(q, sizeof q, "Comment on finding %lld: ", (long long)it->id);
		tui_prompt(t, q, vr_comment_done);
		return TUI_OK;
	case ACT_WAIVE:
		snprintf(q, sizeof q, "Waive finding %lld, reason: ", (long long)it->id);
		tui_prompt(t, q, vr_waive_reason);
		return TUI_OK;
	case ACT_REVALIDATE:
		snprintf(q, sizeof q, "Newer demo-site export of %s (folder or .zip): ", v->cycle);
		tui_prompt(t, q, vr_revalidate_done);
		return TUI_OK;
	case ACT_EXPORT:
		snprintf(q, sizeof q, "Write the report to (.md or .csv; empty: %s-review.md): ",
			 v->cycle);
		tui_prompt(t, q, vr_export_done);
		return TUI_OK;
	case ACT_CHART:
		v->chart = !v->chart;
		return TUI_OK;
	case ACT_RECONCILE:
		v->recon_on = !v->recon_on;
		if (v->recon_on)
			vr_reconcile(t, v);
		return TUI_OK;
	case ACT_FILTER_CLEAR:
		return tui_filter_clear(t, vr_filtered(v), vr_clear, vr_subtitle, v);
	default:
		return TUI_OK;
	}
}

const struct screen_ops vreview_screen = {
	.name = "review",
	.title = "Validation review",
	.priv_size = sizeof(struct vreview),
	.actions = vr_actions,
	.n_actions = sizeof vr_actions / sizeof vr_actions[0],
	.keys = vr_keys,
	.n_keys = sizeof vr_keys / sizeof vr_keys[0],
	.open = vr_open,
	.close = vr_close,
	.reload = vr_reload,
	.layout = vr_layout,
	.draw = vr_draw,
	.rows = vr_rows,
	.draw_row = vr_draw_row,
	.row_text = vr_row_text,
	.subtitle = vr_subtitle_of,
	.allowed = vr_allowed,
	.handle = vr_handle,
};
