/* screens/projects.c — the registry: each agency with its projects under
 * it, every project with its source kind, HUD ProjectID, the aliases
 * remembered from mapped files, and whether it is in the upload reporting
 * group (every active project except the rdc-direct ones: seed 000,
 * process step [3]) as a word and a glyph. Keys rename a project, change
 * its source, set its HUD ProjectID and make it active or inactive, each
 * through reg_project_set (audited); a change that moves the project into
 * or out of the reporting group asks first, naming that consequence, and
 * defaults to No. The history overlay shows a project's audit rows with
 * its reporting-group membership changes marked; the group log shows
 * those changes for every project. */
#include "screens/screens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "tui/text.h"

#define PRJ_DETAIL_ROWS 5 /* separator and four lines about the selection */
#define PRJ_LINE 768      /* a line of the history overlays */

struct prj_cols {
	int code, name, source, hud, alias, group;
	int name_w, alias_w;
};

/* A row of the list: an agency or one of its projects. */
struct prj_row {
	bool agency;
	size_t i; /* index into agencies or projects */
};

struct projects {
	struct reg_agency *ag;
	size_t n_ag;
	struct reg_project *ps;
	size_t n_ps;
	struct map_alias *al;
	size_t n_al;
	struct prj_row *rows;
	size_t n_rows;
	size_t n_in;           /* projects in the reporting group */
	bool loaded;
	/* what a prompt or question is about */
	char p_code[48];
	char p_field[16];
	char p_value[160];
	struct tui_rect list, detail;
	struct prj_cols cols;
};

static const struct screen_action prj_actions[] = {
	{ ACT_RENAME, "Rename", NULL, NEED_ROW | NEED_WRITE },
	{ ACT_SOURCE, "Source", NULL, NEED_ROW | NEED_WRITE },
	{ ACT_HUD_ID, "HUD ID", NULL, NEED_ROW | NEED_WRITE },
	{ ACT_ACTIVE, "Active", NULL, NEED_ROW | NEED_WRITE },
	{ ACT_AUDIT, "History", "Show the changes of the selected project, reporting-group "
	  "membership marked", NEED_ROW },
	{ ACT_GROUP_HISTORY, "Group log", NULL, 0 },
	{ ACT_ENTER, NULL, "Show the history of the selected project (as a)", NEED_ROW },
};

static const struct tui_keybind prj_keys[] = {
	{ 'r', ACT_RENAME, false },
	{ 's', ACT_SOURCE, false },
	{ 'i', ACT_HUD_ID, false },
	{ 't', ACT_ACTIVE, false },
	{ 'a', ACT_AUDIT, false },
	{ 'R', ACT_GROUP_HISTORY, false },
};

static const struct reg_project *prj_selected(struct tui *t, const struct projects *p)
{
	size_t r = tui_selected(t);

	return r < p->n_rows && !p->rows[r].agency ? &p->ps[p->rows[r].i] : NULL;
}

/* Would a project of this source and activity be in the reporting group?
 * The rule of core/registry.h (in_upload_group). */
static bool prj_in_group(enum reg_source src, bool active)
{
	return active && src != REG_SRC_RDC_DIRECT;
}

static void prj_free(struct projects *p)
{
	free(p->ag);
	free(p->ps);
	free(p->al);
	free(p->rows);
	p->ag = NULL;
	p->ps = NULL;
	p->al = NULL;
	p->rows = NULL;
	p->n_ag = p->n_ps = p->n_al = p->n_rows = 0;
}

static void prj_close(struct tui *t, void *priv)
{
	(void)t;
	prj_free(priv);
}

static enum hmx_rc prj_reload(struct tui *t, void *priv, struct hmx_err *err)
{
	struct projects *p = priv;
	struct store *s = tui_store(t);
	const struct reg_project *cur = p->loaded ? prj_selected(t, p) : NULL;
	char keep[48] = "";
	struct reg_agency *ag = NULL;
	struct reg_project *ps = NULL;
	struct map_alias *al = NULL;
	struct prj_row *rows;
	size_t n_ag = 0, n_ps = 0, n_al = 0, n = 0, sel = tui_selected(t);
	enum hmx_rc rc;

	if (cur)
		hmx_strlcpy(keep, cur->code, sizeof keep);
	if ((rc = reg_agency_list(s, &ag, &n_ag, err)) != HMX_OK ||
	    (rc = reg_project_list(s, NULL, &ps, &n_ps, err)) != HMX_OK ||
	    (rc = mapping_aliases(s, NULL, &al, &n_al, err)) != HMX_OK)
		goto fail;
	rows = calloc(n_ag + n_ps + 1, sizeof *rows);
	if (!rows) {
		rc = hmx_err_set(err, HMX_ENOMEM, "out of memory loading the registry");
		goto fail;
	}
	prj_free(p);
	p->ag = ag;
	p->n_ag = n_ag;
	p->ps = ps;
	p->n_ps = n_ps;
	p->al = al;
	p->n_al = n_al;
	p->rows = rows;
	p->n_in = 0;
	/* each agency, then its projects (both lists are ordered by code) */
	for (size_t i = 0; i < n_ag; i++) {
		rows[n++] = (struct prj_row){ true, i };
		for (size_t j = 0; j < n_ps; j++) {
			if (strcmp(ps[j].agency_code, ag[i].code) != 0)
				continue;
			if (keep[0] && strcmp(ps[j].code, keep) == 0)
				sel = n;
			rows[n++] = (struct prj_row){ false, j };
		}
	}
	for (size_t j = 0; j < n_ps; j++)
		p->n_in += ps[j].in_upload_group;
	p->n_rows = n;
	if (p->loaded)
		tui_select(t, sel);
	p->loaded = true;
	return HMX_OK;
fail:
	free(ag);
	free(ps);
	free(al);
	return rc;
}

static void prj_layout(struct tui *t, void *priv, const struct tui_rect *body,
		       struct tui_rect *list)
{
	struct projects *p = priv;
	struct prj_cols *c = &p->cols;
	int w = body->w - 1;

	(void)t;
	p->detail = (struct tui_rect){ body->y + body->h - PRJ_DETAIL_ROWS, body->x,
				       PRJ_DETAIL_ROWS, body->w };
	p->list = (struct tui_rect){ body->y + 2, body->x, body->h - 2 - PRJ_DETAIL_ROWS, body->w };
	if (p->list.h < 0)
		p->list.h = 0;
	*list = p->list;
	/* tree 2, code 20, name, source 14, HUD ID 6, aliases 9+, group 10 */
	c->code = 2;
	c->name = c->code + 21;
	c->alias_w = w >= 100 ? 9 + (w - 100) / 3 : 9;
	c->name_w = w - c->name - 1 - 15 - 7 - (c->alias_w + 1) - 10;
	c->source = c->name + c->name_w + 1;
	c->hud = c->source + 15;
	c->alias = c->hud + 7;
	c->group = c->alias + c->alias_w + 1;
}

/* The aliases of project code as "rdc 501, hmis 1101" into buf; their
 * count. */
static size_t prj_aliases(const struct projects *p, const char *code, char *buf, size_t n)
{
	size_t count = 0, at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->n_al; i++) {
		if (strcmp(p->al[i].project, code) != 0)
			continue;
		if (at < n)
			at += (size_t)snprintf(buf + at, n - at, "%s%s %s", count ? ", " : "",
					       p->al[i].source, p->al[i].src_id);
		count++;
	}
	return count;
}

/* The reporting-group column: a glyph and a word. */
static enum tui_role prj_group_text(const struct reg_project *r, char *buf, size_t n)
{
	if (r->in_upload_group) {
		snprintf(buf, n, "%s in", theme_glyph(GLYPH_DONE));
		return ROLE_OK;
	}
	snprintf(buf, n, "%s %s", theme_glyph(GLYPH_SKIPPED), r->active ? "out" : "inactive");
	return ROLE_DIM;
}

static void prj_draw(struct tui *t, void *priv, WINDOW *w, const struct tui_rect *body)
{
	struct projects *p = priv;
	const struct prj_cols *c = &p->cols;
	const struct reg_project *r = prj_selected(t, p);
	attr_t hd = theme_attr(ROLE_HEADER), dim = theme_attr(ROLE_DIM);
	char buf[512];
	size_t na;
	int y = body->y;

	tui_putf(w, y, 0, body->w, hd, " %zu project%s, %zu agenc%s %s reporting group: %zu in, "
		 "%zu out", p->n_ps, p->n_ps == 1 ? "" : "s", p->n_ag, p->n_ag == 1 ? "y" : "ies",
		 theme_glyph(GLYPH_DOT), p->n_in, p->n_ps - p->n_in);
	y++;
	tui_put(w, y, c->code, 20, hd, ALIGN_LEFT, "Agency / project");
	tui_put(w, y, c->name, c->name_w, hd, ALIGN_LEFT, "Name");
	tui_put(w, y, c->source, 14, hd, ALIGN_LEFT, "Source");
	tui_put(w, y, c->hud, 6, hd, ALIGN_LEFT, "HUD ID");
	tui_put(w, y, c->alias, c->alias_w, hd, ALIGN_LEFT, "Aliases");
	tui_put(w, y, c->group, 10, hd, ALIGN_LEFT, "Group");
	if (p->n_rows == 0 && p->list.h > 0)
		tui_put(w, p->list.y, 2, body->w - 2, dim, ALIGN_LEFT,
			"No agencies yet: hmx project agency-add CODE NAME");

	/* the selected row in full */
	y = p->detail.y;
	tui_hline(w, y, 0, body->w, dim, theme_glyph(GLYPH_HLINE));
	if (p->n_rows == 0)
		return;
	if (!r) {
		const struct reg_agency *a = &p->ag[p->rows[tui_selected(t)].i];
		size_t np = 0, in = 0;

		for (size_t i = 0; i < p->n_ps; i++) {
			if (strcmp(p->ps[i].agency_code, a->code) != 0)
				continue;
			np++;
			in += p->ps[i].in_upload_group;
		}
		tui_putf(w, y + 1, 1, body->w - 2, A_BOLD, "Agency %s: %s", a->code, a->name);
		tui_putf(w, y + 2, 1, body->w - 2, A_NORMAL,
			 "%zu project%s: %zu in the reporting group, %zu out", np, np == 1 ? "" : "s",
			 in, np - in);
		tui_put(w, y + 3, 1, body->w - 2, dim, ALIGN_LEFT,
			"Select one of its projects to change it.");
		return;
	}
	tui_putf(w, y + 1, 1, body->w - 2, A_BOLD, "%s: %s (agency %s)", r->code, r->name,
		 r->agency_code);
	tui_putf(w, y + 2, 1, body->w - 2, A_NORMAL, "Source: %s   HUD ProjectID: %s   Active: %s",
		 reg_source_name(r->source), r->hud_project_id[0] ? r->hud_project_id : "none",
		 r->active ? "yes" : "no");
	if (r->in_upload_group)
		snprintf(buf, sizeof buf, "Reporting group: %s in: its enrollments go into the "
			 "quarterly upload", theme_glyph(GLYPH_DONE));
	else
		snprintf(buf, sizeof buf, "Reporting group: %s out: %s", theme_glyph(GLYPH_SKIPPED),
			 !r->active ? "the project is inactive" :
			 "rdc-direct projects enter their data in the RDC");
	tui_put(w, y + 3, 1, body->w - 2, theme_attr(r->in_upload_group ? ROLE_OK : ROLE_NORMAL),
		ALIGN_LEFT, buf);
	na = prj_aliases(p, r->code, buf + 9, sizeof buf - 9);
	memcpy(buf, "Aliases: ", 9);
	if (!na)
		snprintf(buf, sizeof buf, "Aliases: none yet (remembered when a file's project is "
			 "mapped onto it)");
	tui_put(w, y + 4, 1, body->w - 2, na ? A_NORMAL : dim, ALIGN_LEFT, buf);
}

static size_t prj_rows(void *priv)
{
	return ((struct projects *)priv)->n_rows;
}

static void prj_draw_row(struct tui *t, void *priv, WINDOW *w, size_t row,
			 const struct tui_rect *line, bool sel)
{
	struct projects *p = priv;
	const struct prj_row *pr = &p->rows[row];
	const struct prj_cols *c = &p->cols;
	const struct reg_project *r;
	enum tui_role role;
	char buf[256];
	int y = line->y, x = line->x;
	bool last;

	(void)t;
	if (pr->agency) {
		const struct reg_agency *a = &p->ag[pr->i];
		size_t np = 0, in = 0;

		for (size_t i = 0; i < p->n_ps; i++) {
			if (strcmp(p->ps[i].agency_code, a->code) != 0)
				continue;
			np++;
			in += p->ps[i].in_upload_group;
		}
		tui_put(w, y, x, c->code + 20, theme_row_attr(ROLE_HEADER, sel), ALIGN_LEFT, a->code);
		tui_put(w, y, x + c->name, c->source - c->name - 1, theme_row_attr(ROLE_HEADER, sel),
			ALIGN_LEFT, a->name);
		snprintf(buf, sizeof buf, "%zu of %zu in", in, np);
		tui_put(w, y, x + c->group, 10, theme_row_attr(ROLE_DIM, sel), ALIGN_LEFT, buf);
		return;
	}
	r = &p->ps[pr->i];
	last = row + 1 >= p->n_rows || p->rows[row + 1].agency;
	role = r->active ? ROLE_NORMAL : ROLE_DIM;
	tui_put(w, y, x, 2, theme_row_attr(ROLE_DIM, sel), ALIGN_LEFT,
		theme_glyph(last ? GLYPH_LAST : GLYPH_BRANCH));
	tui_put(w, y, x + c->code, 20, theme_row_attr(role, sel), ALIGN_LEFT, r->code);
	tui_put(w, y, x + c->name, c->name_w, theme_row_attr(role, sel), ALIGN_LEFT, r->name);
	tui_put(w, y, x + c->source, 14, theme_row_attr(role, sel), ALIGN_LEFT,
		reg_source_name(r->source));
	tui_put(w, y, x + c->hud, 6, theme_row_attr(role, sel), ALIGN_LEFT,
		r->hud_project_id[0] ? r->hud_project_id : "-");
	if (!prj_aliases(p, r->code, buf, sizeof buf))
		snprintf(buf, sizeof buf, "-");
	tui_put(w, y, x + c->alias, c->alias_w, theme_row_attr(role, sel), ALIGN_LEFT, buf);
	role = prj_group_text(r, buf, sizeof buf);
	tui_put(w, y, x + c->group, 10, theme_row_attr(role, sel), ALIGN_LEFT, buf);
}

static void prj_row_text(void *priv, size_t row, char *buf, size_t n)
{
	const struct projects *p = priv;
	const struct prj_row *pr = &p->rows[row];
	const struct reg_project *r;
	char al[256];

	if (pr->agency) {
		snprintf(buf, n, "%s %s", p->ag[pr->i].code, p->ag[pr->i].name);
		return;
	}
	r = &p->ps[pr->i];
	prj_aliases(p, r->code, al, sizeof al);
	snprintf(buf, n, "%s %s %s %s %s %s", r->code, r->name, r->agency_code,
		 reg_source_name(r->source), r->hud_project_id, al);
}

static bool prj_allowed(struct tui *t, void *priv, enum action a, char *why, size_t n)
{
	struct projects *p = priv;
	size_t sel = tui_selected(t);

	if (a == ACT_GROUP_HISTORY || sel >= p->n_rows || !p->rows[sel].agency)
		return true;
	snprintf(why, n, "%s is an agency: select one of its projects", p->ag[p->rows[sel].i].code);
	return false;
}

/* Sets the pending field to the pending value; the result on the message
 * line, or core's refusal as core words it. */
static unsigned prj_set(struct tui *t, struct projects *p)
{
	struct hmx_err err;
	struct reg_project before, after;
	bool have = reg_project_get(tui_store(t), p->p_code, &before, NULL) == HMX_OK;

	hmx_err_clear(&err);
	if (reg_project_set(tui_store(t), p->p_code, p->p_field, p->p_value, &err) != HMX_OK) {
		tui_error(t, NULL, &err);
		return TUI_RELOAD;
	}
	if (have && reg_project_get(tui_store(t), p->p_code, &after, NULL) == HMX_OK &&
	    before.in_upload_group != after.in_upload_group)
		tui_message(t, ROLE_OK, "%s: %s set to %s; it %s the reporting group", p->p_code,
			    p->p_field, p->p_value[0] ? p->p_value : "none",
			    after.in_upload_group ? "joins" : "leaves");
	else
		tui_message(t, ROLE_OK, "%s: %s set to %s", p->p_code, p->p_field,
			    p->p_value[0] ? p->p_value : "none");
	return TUI_RELOAD;
}

static unsigned prj_set_yes(struct tui *t, void *priv)
{
	return prj_set(t, priv);
}

static unsigned prj_rename_text(struct tui *t, void *priv, const char *text)
{
	struct projects *p = priv;

	if (!*text) {
		tui_message(t, ROLE_WARNING, "Rename: a name is required; nothing changed");
		return TUI_OK;
	}
	hmx_strlcpy(p->p_field, "name", sizeof p->p_field);
	hmx_strlcpy(p->p_value, text, sizeof p->p_value);
	return prj_set(t, p);
}

static unsigned prj_hud_text(struct tui *t, void *priv, const char *text)
{
	struct projects *p = priv;

	if (!*text) {
		tui_message(t, ROLE_NORMAL, "HUD ID: nothing typed; nothing changed");
		return TUI_OK;
	}
	hmx_strlcpy(p->p_field, "hud-id", sizeof p->p_field);
	hmx_strlcpy(p->p_value, strcmp(text, "-") == 0 ? "" : text, sizeof p->p_value);
	return prj_set(t, p);
}

static unsigned prj_source_text(struct tui *t, void *priv, const char *text)
{
	struct projects *p = priv;
	struct reg_project r;
	enum reg_source src;
	struct hmx_err err;
	char q[512];

	hmx_err_clear(&err);
	if (reg_project_get(tui_store(t), p->p_code, &r, &err) != HMX_OK) {
		tui_error(t, NULL, &err);
		return TUI_RELOAD;
	}
	if (!*text) {
		tui_message(t, ROLE_NORMAL, "Source: nothing typed; nothing changed");
		return TUI_OK;
	}
	if (!reg_source_parse(text, &src)) {
		tui_message(t, ROLE_WARNING, "Source: \"%s\" is not hmis, rdc-direct or "
			    "outside-agency; nothing changed", text);
		return TUI_OK;
	}
	if (src == r.source) {
		tui_message(t, ROLE_WARNING, "Source: %s is already %s; nothing changed", r.code, text);
		return TUI_OK;
	}
	hmx_strlcpy(p->p_field, "source", sizeof p->p_field);
	hmx_strlcpy(p->p_value, text, sizeof p->p_value);
	if (prj_in_group(src, r.active) == r.in_upload_group)
		return prj_set(t, p);
	if (r.in_upload_group)
		snprintf(q, sizeof q, "Change %s from %s to %s? It leaves the reporting group: the "
			 "quarterly upload no longer carries its enrollments, and its data is to come "
			 "from the RDC.", r.code, reg_source_name(r.source), text);
	else
		snprintf(q, sizeof q, "Change %s from %s to %s? It joins the reporting group: the "
			 "quarterly upload carries its enrollments from now on.", r.code,
			 reg_source_name(r.source), text);
	tui_confirm(t, q, prj_set_yes);
	return TUI_OK;
}

static unsigned prj_active(struct tui *t, struct projects *p, const struct reg_project *r)
{
	bool joins = prj_in_group(r->source, !r->active) != r->in_upload_group;
	char q[512];

	hmx_strlcpy(p->p_field, "active", sizeof p->p_field);
	hmx_strlcpy(p->p_value, r->active ? "no" : "yes", sizeof p->p_value);
	if (r->active)
		snprintf(q, sizeof q, "Make %s inactive? It is no longer proposed when mapping files "
			 "nor expected each cycle%s.", r->code,
			 joins ? ", and it leaves the reporting group: the quarterly upload no "
			 "longer carries its enrollments" : "");
	else
		snprintf(q, sizeof q, "Make %s active again? It is proposed and expected again%s.",
			 r->code, joins ? ", and it joins the reporting group: the quarterly upload "
			 "carries its enrollments" : "");
	tui_confirm(t, q, prj_set_yes);
	return TUI_OK;
}

/* ---- history ------------------------------------------------------------ */

/* A project's source and activity as its audit rows tell them. */
struct prj_state {
	char code[48];
	enum reg_source source;
	bool active;
};

/* The value of "key=" in an audit summary ("...; source=hmis; ..."), up to
 * the next ';', into buf. False when absent. */
static bool prj_summary_value(const char *sum, const char *key, char *buf, size_t n)
{
	const char *at = strstr(sum, key);
	size_t len;

	if (!at)
		return false;
	at += strlen(key);
	len = strcspn(at, ";");
	if (len >= n)
		len = n - 1;
	memcpy(buf, at, len);
	buf[len] = '\0';
	return true;
}

/* Applies audit row a to st (st->code set); *was and *now get the group
 * membership before and after it. False when a is no project change. */
static bool prj_apply(const struct audit_row *a, struct prj_state *st, bool added, bool *was,
		      bool *now)
{
	char v[64];

	*was = added ? false : prj_in_group(st->source, st->active);
	if (strcmp(a->action, "project.add") == 0) {
		st->active = true;
		st->source = REG_SRC_HMIS;
		if (prj_summary_value(a->after, "source=", v, sizeof v))
			reg_source_parse(v, &st->source);
		*was = false;
	} else if (strcmp(a->action, "project.set") == 0) {
		if (strncmp(a->after, "source=", 7) == 0)
			reg_source_parse(a->after + 7, &st->source);
		else if (strncmp(a->after, "active=", 7) == 0)
			st->active = strcmp(a->after + 7, "yes") == 0;
	} else {
		return false;
	}
	*now = prj_in_group(st->source, st->active);
	return true;
}

/* A project.set row as "source: hmis -> rdc-direct" ("none" for an empty
 * value) into buf; returns buf. */
static const char *prj_change(const struct audit_row *a, char *buf, size_t n)
{
	const char *b = strchr(a->before, '='), *f = strchr(a->after, '=');

	if (!b || !f || b - a->before != f - a->after ||
	    strncmp(a->before, a->after, (size_t)(f - a->after)) != 0) {
		snprintf(buf, n, "%s %s %s", a->before, theme_glyph(GLYPH_ARROW), a->after);
		return buf;
	}
	snprintf(buf, n, "%.*s: %s %s %s", (int)(f - a->after), a->after, b[1] ? b + 1 : "none",
		 theme_glyph(GLYPH_ARROW), f[1] ? f + 1 : "none");
	return buf;
}

/* "2026-11-27T12:00:00Z" -> "2026-11-27 12:00" */
static void prj_when(const char *at, char buf[17])
{
	hmx_strlcpy(buf, at, 17);
	if (strlen(buf) > 10)
		buf[10] = ' ';
}

/* The pager with lines (n of them, text[0] the heading). */
static void prj_show(struct tui *t, const char *title, char (*text)[PRJ_LINE], size_t n)
{
	const char **lines = calloc(n ? n : 1, sizeof *lines);

	if (!lines) {
		tui_message(t, ROLE_BLOCKING, "Out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++)
		lines[i] = text[i];
	tui_pager(t, title, lines, n);
	free(lines);
}

static void prj_history(struct tui *t, const struct reg_project *r)
{
	struct audit_row *rows = NULL;
	size_t n = 0, k = 1;
	struct prj_state st = { .source = r->source, .active = r->active };
	char object[64], title[96], (*text)[PRJ_LINE];
	struct hmx_err err;

	snprintf(object, sizeof object, "project/%s", r->code);
	hmx_err_clear(&err);
	if (audit_list(tui_store(t), object, 0, &rows, &n, &err) != HMX_OK) {
		tui_error(t, NULL, &err);
		return;
	}
	text = calloc(n + 2, sizeof *text);
	if (!text) {
		free(rows);
		tui_message(t, ROLE_BLOCKING, "Out of memory");
		return;
	}
	snprintf(text[0], sizeof text[0], "%-16s  %-10s  %s", "When (UTC)", "Who", "Change");
	for (size_t i = 0; i < n; i++) {
		const struct audit_row *a = &rows[i];
		char when[17], mark[96] = "", change[600];
		bool was, now, is_add = strcmp(a->action, "project.add") == 0;

		prj_when(a->at, when);
		if (prj_apply(a, &st, is_add, &was, &now) && was != now)
			snprintf(mark, sizeof mark, "  %s %s the reporting group",
				 theme_glyph(GLYPH_ALERT), now ? "joins" : "leaves");
		else if (is_add)
			snprintf(mark, sizeof mark, "  (not in the reporting group)");
		if (is_add)
			snprintf(text[k++], sizeof text[0], "%-16s  %-10.10s  added: %s%s", when, a->who,
				 a->after, mark);
		else
			snprintf(text[k++], sizeof text[0], "%-16s  %-10.10s  %s%s", when, a->who,
				 prj_change(a, change, sizeof change), mark);
	}
	if (n == 0)
		snprintf(text[k++], sizeof text[0], "No changes recorded for %s.", r->code);
	snprintf(title, sizeof title, "History: %s", r->code);
	prj_show(t, title, text, k);
	free(text);
	free(rows);
}

static void prj_group_history(struct tui *t)
{
	struct audit_row *rows = NULL;
	struct prj_state *st = NULL;
	size_t n = 0, k = 1, ns = 0;
	char (*text)[PRJ_LINE];
	struct hmx_err err;

	hmx_err_clear(&err);
	if (audit_list(tui_store(t), "project", 0, &rows, &n, &err) != HMX_OK) {
		tui_error(t, NULL, &err);
		return;
	}
	text = calloc(n + 2, sizeof *text);
	st = calloc(n + 1, sizeof *st);
	if (!text || !st) {
		tui_message(t, ROLE_BLOCKING, "Out of memory");
		goto out;
	}
	snprintf(text[0], sizeof text[0], "%-16s  %-10s  %s", "When (UTC)", "Who", "Change");
	for (size_t i = 0; i < n; i++) {
		const struct audit_row *a = &rows[i];
		const char *code = a->object + strlen("project/");
		struct prj_state *s = NULL;
		bool was, now, added = false;
		char when[17], change[600];

		if (strncmp(a->object, "project/", 8) != 0)
			continue;
		for (size_t j = 0; j < ns && !s; j++)
			if (strcmp(st[j].code, code) == 0)
				s = &st[j];
		if (!s) {
			s = &st[ns++];
			hmx_strlcpy(s->code, code, sizeof s->code);
			added = true;
		}
		if (!prj_apply(a, s, added, &was, &now) || was == now)
			continue;
		prj_when(a->at, when);
		if (strcmp(a->action, "project.add") == 0)
			snprintf(change, sizeof change, "added as %s", reg_source_name(s->source));
		else
			prj_change(a, change, sizeof change);
		snprintf(text[k++], sizeof text[0], "%-16s  %-10.10s  %s %s %s (%s)", when, a->who,
			 theme_glyph(GLYPH_ALERT), s->code, now ? "joins" : "leaves", change);
	}
	if (k == 1)
		snprintf(text[k++], sizeof text[0], "No project has joined or left the reporting group.");
	prj_show(t, "Reporting group: membership changes", text, k);
out:
	free(text);
	free(st);
	free(rows);
}

static unsigned prj_handle(struct tui *t, void *priv, enum action a)
{
	struct projects *p = priv;
	const struct reg_project *r = prj_selected(t, p);
	char q[256];

	if (a == ACT_GROUP_HISTORY) {
		prj_group_history(t);
		return TUI_OK;
	}
	hmx_strlcpy(p->p_code, r->code, sizeof p->p_code);
	switch (a) {
	case ACT_RENAME:
		snprintf(q, sizeof q, "New name of %s: ", r->code);
		tui_prompt(t, q, prj_rename_text);
		return TUI_OK;
	case ACT_SOURCE:
		snprintf(q, sizeof q, "Source of %s (hmis, rdc-direct, outside-agency; now %s): ",
			 r->code, reg_source_name(r->source));
		tui_prompt(t, q, prj_source_text);
		return TUI_OK;
	case ACT_HUD_ID:
		snprintf(q, sizeof q, "HUD ProjectID of %s (now %s; - removes it): ", r->code,
			 r->hud_project_id[0] ? r->hud_project_id : "none");
		tui_prompt(t, q, prj_hud_text);
		return TUI_OK;
	case ACT_ACTIVE:
		return prj_active(t, p, r);
	case ACT_AUDIT:
	case ACT_ENTER:
		prj_history(t, r);
		return TUI_OK;
	default:
		return TUI_OK;
	}
}

const struct screen_ops projects_screen = {
	.name = "projects",
	.title = "Projects",
	.priv_size = sizeof(struct projects),
	.actions = prj_actions,
	.n_actions = sizeof prj_actions / sizeof prj_actions[0],
	.keys = prj_keys,
	.n_keys = sizeof prj_keys / sizeof prj_keys[0],
	.close = prj_close,
	.reload = prj_reload,
	.layout = prj_layout,
	.draw = prj_draw,
	.rows = prj_rows,
	.draw_row = prj_draw_row,
	.row_text = prj_row_text,
	.allowed = prj_allowed,
	.handle = prj_handle,
};
