/* screens/picker.c — picking the registered project one source project of
 * a file is (opened from the mapping screen with p or Enter). Lists every
 * project of the registry with its agency and source, marks the current
 * mapping, the proposal, projects already mapped from another source
 * project of the cycle and inactive ones; / searches the list. Enter maps
 * onto the selected project and goes back; a project already mapped in
 * this cycle is a duplicate and asks first (default No); an inactive one
 * is refused with the reason. */
#include "screens/screens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/text.h"

struct pick_cols {
	int code, name, agency, source, hud, note;
	int name_w;
	bool wide; /* room for the HUD ProjectID */
};

struct picker {
	char cycle[64], sha[65], src[64];
	char subtitle[80];
	struct map_view v;
	size_t row;               /* the row of v being decided */
	struct reg_project *ps;
	size_t n;
	bool loaded;
	char pending[48];         /* the project a question is about */
	struct tui_rect list;
	struct pick_cols cols;
};

static const struct screen_action pick_actions[] = {
	{ ACT_ENTER, "Map onto", "Map the source project onto the selected project",
	  NEED_ROW | NEED_WRITE },
};

static const struct map_row *pick_row(const struct picker *k)
{
	return &k->v.rows[k->row];
}

static enum hmx_rc pick_open(struct tui *t, void *priv, const char *arg, struct hmx_err *err)
{
	struct picker *k = priv;
	const char *a = arg ? strchr(arg, '\t') : NULL;
	const char *b = a ? strchr(a + 1, '\t') : NULL;

	(void)t;
	if (!b || (size_t)(a - arg) >= sizeof k->cycle || (size_t)(b - a - 1) >= sizeof k->sha)
		return hmx_err_set(err, HMX_EINVAL, "no source project given to map");
	memcpy(k->cycle, arg, (size_t)(a - arg));
	memcpy(k->sha, a + 1, (size_t)(b - a - 1));
	hmx_strlcpy(k->src, b + 1, sizeof k->src);
	snprintf(k->subtitle, sizeof k->subtitle, "ProjectID %s", k->src);
	return HMX_OK;
}

static void pick_close(struct tui *t, void *priv)
{
	struct picker *k = priv;

	(void)t;
	mapping_view_free(&k->v);
	free(k->ps);
	k->ps = NULL;
	k->n = 0;
}

static enum hmx_rc pick_reload(struct tui *t, void *priv, struct hmx_err *err)
{
	struct picker *k = priv;
	struct store *s = tui_store(t);
	struct map_view v;
	struct reg_project *ps;
	size_t n, row = 0, sel = 0;
	bool found = false;
	enum hmx_rc rc;

	if ((rc = mapping_view(s, k->cycle, &v, err)) != HMX_OK)
		return rc;
	for (size_t i = 0; i < v.nrows && !found; i++) {
		if (strncmp(v.files[v.rows[i].file].sha256, k->sha, strlen(k->sha)) == 0 &&
		    strcmp(v.rows[i].src_id, k->src) == 0) {
			row = i;
			found = true;
		}
	}
	if (!found) {
		mapping_view_free(&v);
		return hmx_err_set(err, HMX_ENOTFOUND, "file %.12s of %s has no ProjectID \"%s\"",
				   k->sha, k->cycle, k->src);
	}
	if ((rc = reg_project_list(s, NULL, &ps, &n, err)) != HMX_OK) {
		mapping_view_free(&v);
		return rc;
	}
	pick_close(t, k);
	k->v = v;
	k->row = row;
	k->ps = ps;
	k->n = n;
	if (!k->loaded) {
		/* the cursor on the current mapping, else on the proposal */
		const struct map_row *r = pick_row(k);
		const char *want = r->state == MAP_MAPPED ? r->project : r->proposal.project;

		for (size_t i = 0; i < n && want[0]; i++)
			if (strcmp(ps[i].code, want) == 0)
				sel = i;
		tui_select(t, sel);
		k->loaded = true;
	}
	return HMX_OK;
}

static void pick_layout(struct tui *t, void *priv, const struct tui_rect *body,
			struct tui_rect *list)
{
	struct picker *k = priv;
	struct pick_cols *c = &k->cols;
	int w = body->w - 1;

	(void)t;
	k->list = (struct tui_rect){ body->y + 3, body->x, body->h - 3, body->w };
	if (k->list.h < 0)
		k->list.h = 0;
	*list = k->list;
	/* mark 2, code 20, name, agency 6, source 14, [HUD ID 8], note 13 */
	c->wide = w >= 100;
	c->code = 2;
	c->name = c->code + 21;
	c->name_w = w - c->name - 1 - 7 - 15 - (c->wide ? 9 : 0) - 13;
	c->agency = c->name + c->name_w + 1;
	c->source = c->agency + 7;
	c->hud = c->source + 15;
	c->note = c->hud + (c->wide ? 9 : 0);
}

static void pick_draw(struct tui *t, void *priv, WINDOW *w, const struct tui_rect *body)
{
	struct picker *k = priv;
	const struct pick_cols *c = &k->cols;
	const struct map_row *r = pick_row(k);
	const struct intake_info *in = &k->v.files[r->file];
	attr_t hd = theme_attr(ROLE_HEADER);
	char now[320];
	int y = body->y;

	(void)t;
	tui_putf(w, y, 0, body->w, hd, " Map ProjectID %s \"%s\" (file %.12s, %llu enrollment%s) "
		 "onto:", r->src_id, r->name, in->sha256, (unsigned long long)r->enrollments,
		 r->enrollments == 1 ? "" : "s");
	if (r->state == MAP_MAPPED)
		snprintf(now, sizeof now, "Now mapped to %s", r->project);
	else if (r->state == MAP_NOT_OURS)
		snprintf(now, sizeof now, "Now not ours: %s", r->reason);
	else if (r->proposal.via != MAP_VIA_NONE && !r->proposal.not_ours)
		snprintf(now, sizeof now, "Now unmapped, proposed %s (%s %d)", r->proposal.project,
			 mapping_via_name(r->proposal.via), r->proposal.score);
	else
		snprintf(now, sizeof now, "Now unmapped, nothing proposed");
	tui_putf(w, y + 1, 0, body->w, theme_attr(ROLE_DIM), " %s; q goes back unchanged", now);
	y += 2;
	tui_put(w, y, c->code, 20, hd, ALIGN_LEFT, "Project");
	tui_put(w, y, c->name, c->name_w, hd, ALIGN_LEFT, "Name");
	tui_put(w, y, c->agency, 6, hd, ALIGN_LEFT, "Agency");
	tui_put(w, y, c->source, 14, hd, ALIGN_LEFT, "Source");
	if (c->wide)
		tui_put(w, y, c->hud, 8, hd, ALIGN_LEFT, "HUD ID");
	tui_put(w, y, c->note, 12, hd, ALIGN_LEFT, "Note");
	if (k->n == 0 && k->list.h > 0)
		tui_put(w, k->list.y, 2, body->w - 2, theme_attr(ROLE_DIM), ALIGN_LEFT,
			"No projects yet: add one from the mapping screen (+).");
}

static size_t pick_rows(void *priv)
{
	return ((struct picker *)priv)->n;
}

/* What the note column says of project p; its role. */
static enum tui_role pick_note(const struct picker *k, const struct reg_project *p, char *buf,
			       size_t n)
{
	const struct map_row *r = pick_row(k), *o;

	if (r->state == MAP_MAPPED && strcmp(r->project, p->code) == 0) {
		snprintf(buf, n, "%s current", theme_glyph(GLYPH_DONE));
		return ROLE_OK;
	}
	if (!p->active) {
		snprintf(buf, n, "inactive");
		return ROLE_DIM;
	}
	if ((o = scr_map_other(&k->v, k->row, p->code))) {
		snprintf(buf, n, "used by %s", o->src_id);
		return ROLE_WARNING;
	}
	if (r->state == MAP_UNMAPPED && strcmp(r->proposal.project, p->code) == 0) {
		snprintf(buf, n, "proposed %d", r->proposal.score);
		return ROLE_WARNING;
	}
	buf[0] = '\0';
	return ROLE_NORMAL;
}

static void pick_draw_row(struct tui *t, void *priv, WINDOW *w, size_t row,
			  const struct tui_rect *line, bool sel)
{
	struct picker *k = priv;
	const struct reg_project *p = &k->ps[row];
	const struct pick_cols *c = &k->cols;
	enum tui_role role = p->active ? ROLE_NORMAL : ROLE_DIM;
	char note[96];
	int y = line->y, x = line->x;

	(void)t;
	tui_put(w, y, x + c->code, 20, theme_row_attr(role, sel), ALIGN_LEFT, p->code);
	tui_put(w, y, x + c->name, c->name_w, theme_row_attr(role, sel), ALIGN_LEFT, p->name);
	tui_put(w, y, x + c->agency, 6, theme_row_attr(role, sel), ALIGN_LEFT, p->agency_code);
	tui_put(w, y, x + c->source, 14, theme_row_attr(role, sel), ALIGN_LEFT,
		reg_source_name(p->source));
	if (c->wide)
		tui_put(w, y, x + c->hud, 8, theme_row_attr(role, sel), ALIGN_LEFT, p->hud_project_id);
	role = pick_note(k, p, note, sizeof note);
	tui_put(w, y, x + c->note, 12, theme_row_attr(role, sel), ALIGN_LEFT, note);
}

static void pick_row_text(void *priv, size_t row, char *buf, size_t n)
{
	const struct reg_project *p = &((struct picker *)priv)->ps[row];

	snprintf(buf, n, "%s %s %s %s %s", p->code, p->name, p->agency_code,
		 reg_source_name(p->source), p->hud_project_id);
}

static const char *pick_subtitle(void *priv)
{
	return ((struct picker *)priv)->subtitle;
}

static bool pick_allowed(struct tui *t, void *priv, enum action a, char *why, size_t n)
{
	struct picker *k = priv;
	const struct reg_project *p = &k->ps[tui_selected(t)];
	const struct map_row *r = pick_row(k);

	if (a != ACT_ENTER)
		return true;
	if (r->state == MAP_MAPPED && strcmp(r->project, p->code) == 0) {
		snprintf(why, n, "ProjectID %s is already mapped to %s (q goes back)", r->src_id,
			 p->code);
		return false;
	}
	if (!p->active) {
		snprintf(why, n, "project %s is inactive: pick another, or reactivate it on the "
			 "Projects screen", p->code);
		return false;
	}
	return true;
}

static unsigned pick_set(struct tui *t, struct picker *k, unsigned flags)
{
	struct map_tick *ticks = NULL;
	size_t nt = 0;
	struct hmx_err err;
	char what[256];

	hmx_err_clear(&err);
	if (mapping_set(tui_store(t), k->cycle, k->sha, k->src, k->pending, flags, &ticks, &nt,
			&err) != HMX_OK) {
		tui_error(t, NULL, &err);
		return TUI_RELOAD;
	}
	snprintf(what, sizeof what, "ProjectID %s %s %s: mapped%s", k->src, theme_glyph(GLYPH_ARROW),
		 k->pending, flags & MAP_ALLOW_DUPLICATE ? " (duplicate confirmed)" : "");
	scr_map_done(t, what, ticks, nt);
	free(ticks);
	return TUI_POP;
}

static unsigned pick_dup_yes(struct tui *t, void *priv)
{
	return pick_set(t, priv, MAP_ALLOW_DUPLICATE);
}

static unsigned pick_handle(struct tui *t, void *priv, enum action a)
{
	struct picker *k = priv;
	const struct reg_project *p = &k->ps[tui_selected(t)];
	const struct map_row *o;
	char q[512];

	if (a != ACT_ENTER)
		return TUI_OK;
	hmx_strlcpy(k->pending, p->code, sizeof k->pending);
	o = scr_map_other(&k->v, k->row, p->code);
	if (o) {
		snprintf(q, sizeof q, "Project %s is already mapped from ProjectID %s of file %.12s in "
			 "this cycle. Map ProjectID %s onto it as well? Both would be counted for %s "
			 "(a confirmed duplicate).", p->code, o->src_id, k->v.files[o->file].sha256,
			 k->src, p->code);
		tui_confirm(t, q, pick_dup_yes);
		return TUI_OK;
	}
	return pick_set(t, k, 0);
}

const struct screen_ops picker_screen = {
	.name = "picker",
	.title = "Pick",
	.priv_size = sizeof(struct picker),
	.actions = pick_actions,
	.n_actions = sizeof pick_actions / sizeof pick_actions[0],
	.open = pick_open,
	.close = pick_close,
	.reload = pick_reload,
	.layout = pick_layout,
	.draw = pick_draw,
	.rows = pick_rows,
	.draw_row = pick_draw_row,
	.row_text = pick_row_text,
	.subtitle = pick_subtitle,
	.allowed = pick_allowed,
	.handle = pick_handle,
};
