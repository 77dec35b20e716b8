/* screens/mapping.c — which registered project each project of a cycle's
 * files is. On the left the files of the cycle (source, arrival, size on
 * wide terminals, how many of its projects still need a decision, "!"
 * when it has flags); on the right the projects of the selected file's
 * Project.csv (state, ProjectID, name in the file, the mapped project or
 * the proposal, its score, enrollments); below, the selected file and
 * project in full. Keys confirm the proposal, pick another project (the
 * picker screen, with / search), mark a project not ours (a reason is
 * required), add it to the registry (code, agency and source asked; the
 * name comes from the file), clear a decision, and accept every alias and
 * HUD ProjectID proposal at once after a question that defaults to No —
 * never a name match. Every decision goes through core/mapping.h; what
 * core refuses is shown as core words it. */
#include "screens/screens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/text.h"

#define MAP_DETAIL_ROWS 6 /* separator and five lines about the selection */

/* Column layout of both panes, from the width. */
struct map_cols {
	int lw;   /* files pane, its separator column included */
	bool wide; /* room for the size of each file */
	/* files pane: x and width of each column */
	int f_src, f_day, f_size, f_status;
	/* projects pane: x relative to the pane */
	int state, id, name, match, score, enr;
	int name_w, match_w;
};

/* Per file: projects without a decision, and whether it has flags. */
struct map_sum {
	size_t open, total;
	bool flagged;
};

struct mapping {
	char cycle[64];
	struct map_view v;
	struct map_sum *sum;      /* per file */
	struct reg_project *ps;   /* the registry, for names */
	size_t nps;
	size_t file;              /* selected file */
	size_t *vis;              /* rows of the selected file: indexes into v.rows */
	size_t n_vis;
	bool loaded;
	/* what a prompt or question is about */
	char p_sha[65], p_src[64], p_name[128], p_project[48], p_reason[128];
	char n_code[48], n_agency[32];
	enum reg_source n_kind;
	struct tui_rect list, detail;
	struct map_cols cols;
};

static const struct screen_action map_actions[] = {
	{ ACT_CONFIRM, "Confirm", NULL, NEED_ROW | NEED_WRITE },
	{ ACT_PICK, "Pick", NULL, NEED_ROW | NEED_WRITE },
	{ ACT_NOT_OURS, "Not ours", NULL, NEED_ROW | NEED_WRITE },
	{ ACT_CREATE, "New", NULL, NEED_ROW | NEED_WRITE },
	{ ACT_CLEAR, "Clear", NULL, NEED_ROW | NEED_WRITE },
	{ ACT_ACCEPT_ALL, "Accept all", NULL, NEED_WRITE },
	{ ACT_NEXT_FILE, "Next file", NULL, 0 },
	{ ACT_PREV_FILE, NULL, NULL, 0 },
	{ ACT_FLAGS, "Flags", NULL, 0 },
	{ ACT_ENTER, NULL, "Pick the project for the selected row (as p)", NEED_ROW | NEED_WRITE },
};

static const struct tui_keybind map_keys[] = {
	{ 'c', ACT_CONFIRM, false },
	{ 'p', ACT_PICK, false },
	{ 'x', ACT_NOT_OURS, false },
	{ '+', ACT_CREATE, false },
	{ 'u', ACT_CLEAR, false },
	{ 'A', ACT_ACCEPT_ALL, false },
	{ '\t', ACT_NEXT_FILE, false },
	{ ']', ACT_NEXT_FILE, false },
	{ '[', ACT_PREV_FILE, false },
	{ 'f', ACT_FLAGS, false },
};

static const struct map_row *map_selected(struct tui *t, const struct mapping *m)
{
	size_t r = tui_selected(t);

	return r < m->n_vis ? &m->v.rows[m->vis[r]] : NULL;
}

static const struct reg_project *map_project(const struct mapping *m, const char *code)
{
	for (size_t i = 0; i < m->nps; i++)
		if (strcmp(m->ps[i].code, code) == 0)
			return &m->ps[i];
	return NULL;
}

/* Rebuilds the visible rows: the projects of the selected file. */
static void map_rebuild(struct mapping *m)
{
	m->n_vis = 0;
	for (size_t i = 0; i < m->v.nrows; i++)
		if (m->v.rows[i].file == m->file)
			m->vis[m->n_vis++] = i;
}

static enum hmx_rc map_open(struct tui *t, void *priv, const char *arg, struct hmx_err *err)
{
	struct mapping *m = priv;

	(void)t;
	if (!arg)
		return hmx_err_set(err, HMX_EINVAL, "no cycle given to map");
	hmx_strlcpy(m->cycle, arg, sizeof m->cycle);
	return HMX_OK;
}

static void map_free(struct mapping *m)
{
	mapping_view_free(&m->v);
	free(m->sum);
	free(m->ps);
	free(m->vis);
	m->sum = NULL;
	m->ps = NULL;
	m->vis = NULL;
	m->nps = m->n_vis = 0;
}

static void map_close(struct tui *t, void *priv)
{
	(void)t;
	map_free(priv);
}

static enum hmx_rc map_reload(struct tui *t, void *priv, struct hmx_err *err)
{
	struct mapping *m = priv;
	struct store *s = tui_store(t);
	const struct map_row *cur = m->loaded ? map_selected(t, m) : NULL;
	char keep_sha[65] = "", keep_src[64] = "";
	struct map_view v;
	struct map_sum *sum;
	struct reg_project *ps = NULL;
	size_t *vis, nps = 0;
	enum hmx_rc rc;

	if (m->loaded && m->file < m->v.nfiles)
		hmx_strlcpy(keep_sha, m->v.files[m->file].sha256, sizeof keep_sha);
	if (cur)
		hmx_strlcpy(keep_src, cur->src_id, sizeof keep_src);
	if ((rc = mapping_view(s, m->cycle, &v, err)) != HMX_OK)
		return rc;
	if ((rc = reg_project_list(s, NULL, &ps, &nps, err)) != HMX_OK) {
		mapping_view_free(&v);
		return rc;
	}
	sum = calloc(v.nfiles ? v.nfiles : 1, sizeof *sum);
	vis = calloc(v.nrows ? v.nrows : 1, sizeof *vis);
	if (!sum || !vis) {
		free(sum);
		free(vis);
		free(ps);
		mapping_view_free(&v);
		return hmx_err_set(err, HMX_ENOMEM, "out of memory loading %s", m->cycle);
	}
	for (size_t i = 0; i < v.nrows; i++) {
		sum[v.rows[i].file].total++;
		sum[v.rows[i].file].open += v.rows[i].state == MAP_UNMAPPED;
	}
	for (size_t i = 0; i < v.nfiles; i++)
		sum[i].flagged = v.files[i].nfindings > 0 || v.files[i].n_blocking > 0;
	for (size_t i = 0; i < v.nflags; i++)
		if (v.flags[i].file >= 0 && v.flags[i].row >= 0 &&
		    (strcmp(v.flags[i].check, "DUP") == 0 || strcmp(v.flags[i].check, "INACTIVE") == 0))
			sum[v.flags[i].file].flagged = true;
	map_free(m);
	m->v = v;
	m->sum = sum;
	m->ps = ps;
	m->nps = nps;
	m->vis = vis;
	/* the same file and project as before, by content */
	m->file = 0;
	for (size_t i = 0; keep_sha[0] && i < v.nfiles; i++)
		if (strcmp(v.files[i].sha256, keep_sha) == 0)
			m->file = i;
	map_rebuild(m);
	if (!m->loaded) {
		/* first look: the first file with a project left to decide */
		for (size_t i = 0; i < v.nfiles; i++) {
			if (sum[i].open) {
				m->file = i;
				break;
			}
		}
		map_rebuild(m);
		m->loaded = true;
	}
	for (size_t r = 0; keep_src[0] && r < m->n_vis; r++)
		if (strcmp(v.rows[m->vis[r]].src_id, keep_src) == 0)
			tui_select(t, r);
	return HMX_OK;
}

static void map_layout(struct tui *t, void *priv, const struct tui_rect *body,
		       struct tui_rect *list)
{
	struct mapping *m = priv;
	struct map_cols *k = &m->cols;
	int rw, flex;

	(void)t;
	k->wide = body->w >= 100;
	/* files: mark 2, source 10, arrival 5, [size 8], status 7, border */
	k->f_src = 2;
	k->f_day = k->f_src + 11;
	k->f_size = k->f_day + 6;
	k->f_status = k->f_size + (k->wide ? 9 : 0);
	k->lw = k->f_status + 9;
	/* projects: state 8, ProjectID 6, name, match, score 3, enrollments 5 */
	rw = body->w - k->lw;
	k->state = 1;
	k->id = k->state + 9;
	k->name = k->id + 7;
	flex = rw - k->name - 1 - 1 - 4 - 6;
	if (flex < 8)
		flex = 8;
	k->name_w = flex / 2;
	k->match_w = flex - k->name_w;
	k->match = k->name + k->name_w + 1;
	k->score = k->match + k->match_w + 1;
	k->enr = k->score + 4;

	m->detail = (struct tui_rect){ body->y + body->h - MAP_DETAIL_ROWS, body->x,
				       MAP_DETAIL_ROWS, body->w };
	m->list = (struct tui_rect){ body->y + 2, body->x + k->lw,
				     body->h - 2 - MAP_DETAIL_ROWS, rw };
	if (m->list.h < 0)
		m->list.h = 0;
	*list = m->list;
}

/* "12 KiB", "3.4 MiB": at most 8 columns. */
static void map_size(char *buf, size_t n, uint64_t size)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)size;
	int u = -1;

	if (size < 1024) {
		snprintf(buf, n, "%llu B", (unsigned long long)size);
		return;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(buf, n, v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
}

/* What a row's state is, in words, and its role. */
static enum tui_role map_state_text(const struct mapping *m, const struct map_row *r, char *buf,
				    size_t n)
{
	bool flagged = false;

	for (size_t i = 0; i < m->v.nflags; i++)
		if (m->v.flags[i].row >= 0 && &m->v.rows[m->v.flags[i].row] == r &&
		    strcmp(m->v.flags[i].check, "X01") != 0)
			flagged = true;
	switch (r->state) {
	case MAP_MAPPED:
		snprintf(buf, n, "%s%s", flagged ? "! " : "", "mapped");
		return flagged ? ROLE_BLOCKING : ROLE_OK;
	case MAP_NOT_OURS:
		snprintf(buf, n, "not ours");
		return ROLE_DIM;
	case MAP_UNMAPPED:
		break;
	}
	snprintf(buf, n, "unmapped");
	return ROLE_WARNING;
}

/* The match column: the mapped project, the reason, or "? proposal". */
static enum tui_role map_match_text(const struct map_row *r, bool wide, char *buf, size_t n)
{
	const struct map_proposal *p = &r->proposal;

	if (r->state == MAP_MAPPED) {
		snprintf(buf, n, "%s%s", r->project, r->project_active ? "" : " (inactive)");
		return ROLE_NORMAL;
	}
	if (r->state == MAP_NOT_OURS) {
		snprintf(buf, n, "%s", r->reason);
		return ROLE_DIM;
	}
	if (p->via == MAP_VIA_NONE) {
		snprintf(buf, n, "-");
		return ROLE_DIM;
	}
	if (p->not_ours)
		snprintf(buf, n, "? not ours%s", wide ? " (alias)" : "");
	else
		snprintf(buf, n, "? %s%s%s%s", p->project, wide || p->inactive ? " (" : "",
			 p->inactive ? "inactive" : wide ? mapping_via_name(p->via) : "",
			 wide || p->inactive ? ")" : "");
	return p->inactive ? ROLE_DIM : ROLE_WARNING;
}

static void map_draw_files(struct mapping *m, WINDOW *w)
{
	const struct map_cols *k = &m->cols;
	const struct tui_rect *l = &m->list;
	size_t top = 0;
	char buf[64], day[11];

	if (l->h <= 0)
		return;
	if (m->v.nfiles == 0) {
		tui_put(w, l->y, 2, k->lw - 3, theme_attr(ROLE_DIM), ALIGN_LEFT, "No files yet.");
		return;
	}
	if (m->file >= (size_t)l->h)
		top = m->file - (size_t)l->h + 1;
	for (int r = 0; r < l->h && top + (size_t)r < m->v.nfiles; r++) {
		size_t i = top + (size_t)r;
		const struct intake_info *in = &m->v.files[i];
		const struct map_sum *su = &m->sum[i];
		bool sel = i == m->file;
		attr_t at = sel ? theme_attr(ROLE_HEADER) : A_NORMAL;
		int y = l->y + r;

		tui_put(w, y, 0, 1, at, ALIGN_LEFT, sel ? theme_glyph(GLYPH_FOLDED) : "");
		tui_put(w, y, 1, 1, theme_attr(ROLE_BLOCKING), ALIGN_LEFT,
			su->flagged ? theme_glyph(GLYPH_ALERT) : "");
		tui_put(w, y, k->f_src, 10, at, ALIGN_LEFT, in->source);
		tui_put(w, y, k->f_day, 5, at, ALIGN_LEFT, cal_format(in->received, day) + 5);
		if (k->wide) {
			map_size(buf, sizeof buf, in->size);
			tui_put(w, y, k->f_size, 8, at, ALIGN_RIGHT, buf);
		}
		if (su->open)
			snprintf(buf, sizeof buf, "%zu open", su->open);
		else
			snprintf(buf, sizeof buf, "done");
		tui_put(w, y, k->f_status, 7, at | theme_attr(su->open ? ROLE_WARNING : ROLE_OK),
			ALIGN_LEFT, buf);
	}
}

/* The decision or the proposal of r, in a sentence. */
static enum tui_role map_decision(const struct mapping *m, const struct map_row *r, char *buf,
				  size_t n)
{
	const struct map_proposal *p = &r->proposal;
	const struct reg_project *pr;

	switch (r->state) {
	case MAP_MAPPED:
		pr = map_project(m, r->project);
		snprintf(buf, n, "Mapped to %s (%s) by %s %.10s%s%s", r->project, pr ? pr->name : "?",
			 r->decided_by, r->decided_at, r->decided_via ? ", proposed by " : "",
			 r->decided_via ? mapping_via_name(r->decided_via) : "");
		return ROLE_OK;
	case MAP_NOT_OURS:
		snprintf(buf, n, "Not ours: %s (by %s %.10s)", r->reason, r->decided_by, r->decided_at);
		return ROLE_DIM;
	case MAP_UNMAPPED:
		break;
	}
	if (p->via == MAP_VIA_NONE) {
		snprintf(buf, n, "No proposal: no alias, HUD ProjectID or similar name");
		return ROLE_WARNING;
	}
	if (p->not_ours) {
		snprintf(buf, n, "Proposed: not ours, as remembered (%s)", p->reason);
		return ROLE_WARNING;
	}
	pr = map_project(m, p->project);
	if (p->via == MAP_VIA_NAME)
		snprintf(buf, n, "Proposed: %s (%s), name similarity %d of 100", p->project,
			 pr ? pr->name : "?", p->score);
	else
		snprintf(buf, n, "Proposed: %s (%s) by %s%s", p->project, pr ? pr->name : "?",
			 p->via == MAP_VIA_ALIAS ? "remembered alias" : "equal HUD ProjectID",
			 p->inactive ? ", but it is inactive" : "");
	return ROLE_WARNING;
}

static void map_draw_detail(struct tui *t, struct mapping *m, WINDOW *w, int width)
{
	const struct map_row *r = map_selected(t, m);
	const struct intake_info *in;
	attr_t dim = theme_attr(ROLE_DIM);
	int y = m->detail.y, x;
	char buf[512], a[11], size[32];
	enum tui_role role;
	bool any = false;

	tui_hline(w, y, 0, width, dim, theme_glyph(GLYPH_HLINE));
	if (m->v.nfiles == 0) {
		tui_putf(w, y + 1, 1, width - 2, A_NORMAL, "Take a file in with: hmx intake %s PATH",
			 m->cycle);
		return;
	}
	in = &m->v.files[m->file];
	map_size(size, sizeof size, in->size);
	tui_putf(w, y + 1, 1, width - 2, A_BOLD, "File %.12s %s %s, received %s by %s, %s, ExportID %s",
		 in->sha256, theme_glyph(GLYPH_DOT), in->source, cal_format(in->received, a), in->who,
		 size, in->export_id[0] ? in->export_id : "none");
	x = tui_putf(w, y + 2, 1, width - 2, A_NORMAL, "Export %.10s to %.10s %s ",
		     in->export_start[0] ? in->export_start : "?",
		     in->export_end[0] ? in->export_end : "?", theme_glyph(GLYPH_DOT));
	if (in->validated)
		snprintf(buf, sizeof buf, "validated: %llu blocking, %llu errors, %llu warnings",
			 (unsigned long long)in->n_blocking, (unsigned long long)in->n_error,
			 (unsigned long long)in->n_warning);
	else
		snprintf(buf, sizeof buf, "not validated");
	for (size_t i = 0; i < in->nfindings; i++)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), " %s %s %s", theme_glyph(GLYPH_DOT),
			 in->findings[i].check, in->findings[i].detail);
	tui_put(w, y + 2, 1 + x, width - 2 - x,
		theme_attr(in->n_blocking || in->nfindings ? ROLE_WARNING : ROLE_NORMAL), ALIGN_LEFT,
		buf);
	if (!r) {
		tui_put(w, y + 3, 1, width - 2, dim, ALIGN_LEFT, "No projects in this file's Project.csv.");
		return;
	}
	tui_putf(w, y + 3, 1, width - 2, A_NORMAL,
		 "ProjectID %s \"%s\": %llu enrollment%s, %llu client%s, %llu exit%s", r->src_id,
		 r->name, (unsigned long long)r->enrollments, r->enrollments == 1 ? "" : "s",
		 (unsigned long long)r->clients, r->clients == 1 ? "" : "s",
		 (unsigned long long)r->exits, r->exits == 1 ? "" : "s");
	role = map_decision(m, r, buf, sizeof buf);
	tui_put(w, y + 4, 1, width - 2, theme_attr(role), ALIGN_LEFT, buf);
	/* the flags of the row, else what the keys would do */
	for (size_t i = 0; i < m->v.nflags; i++) {
		const struct map_flag *f = &m->v.flags[i];

		if (f->row < 0 || &m->v.rows[f->row] != r || strcmp(f->check, "X01") == 0)
			continue;
		tui_putf(w, y + 5, 1, width - 2, theme_attr(ROLE_BLOCKING), "%s %s %s: %s",
			 theme_glyph(GLYPH_ALERT), f->check, f->severity, f->detail);
		any = true;
		break;
	}
	if (!any)
		tui_put(w, y + 5, 1, width - 2, dim, ALIGN_LEFT,
			r->state == MAP_UNMAPPED ?
			"c confirms the proposal, p picks another, x: not ours, + adds a new project" :
			"u clears the decision, p picks another project");
}

static void map_draw(struct tui *t, void *priv, WINDOW *w, const struct tui_rect *body)
{
	struct mapping *m = priv;
	const struct map_cols *k = &m->cols;
	attr_t hd = theme_attr(ROLE_HEADER), dim = theme_attr(ROLE_DIM);
	char buf[256];
	size_t at = 0, n_err = 0;
	int y = body->y, x, lx = k->lw;

	/* the summary on the left, the flags by check on the right */
	buf[0] = '\0';
	for (size_t i = 0; i < m->v.nflags && at < sizeof buf; i++) {
		size_t same = 1;

		while (i + 1 < m->v.nflags && strcmp(m->v.flags[i + 1].check, m->v.flags[i].check) == 0) {
			same++;
			i++;
		}
		at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%s %zu", at ? "  " : "Flags: ",
				       m->v.flags[i].check, same);
	}
	for (size_t i = 0; i < m->v.nflags; i++)
		n_err += strcmp(m->v.flags[i].severity, "warning") != 0;
	if (!buf[0])
		snprintf(buf, sizeof buf, "No flags");
	hmx_strlcpy(buf + strlen(buf), " ", sizeof buf - strlen(buf));
	x = text_width(buf);
	tui_put(w, y, body->w - x, x, theme_attr(n_err ? ROLE_BLOCKING : m->v.nflags ? ROLE_WARNING :
						   ROLE_OK), ALIGN_RIGHT, buf);
	tui_putf(w, y, 0, body->w - x, hd, " %zu file%s %s %zu project%s, %zu without a decision",
		 m->v.nfiles, m->v.nfiles == 1 ? "" : "s", theme_glyph(GLYPH_DOT), m->v.nrows,
		 m->v.nrows == 1 ? "" : "s", m->v.n_unmapped);

	/* column names */
	y++;
	tui_put(w, y, k->f_src, 10, hd, ALIGN_LEFT, "Source");
	tui_put(w, y, k->f_day, 5, hd, ALIGN_LEFT, "Rcvd");
	if (k->wide)
		tui_put(w, y, k->f_size, 8, hd, ALIGN_RIGHT, "Size");
	tui_put(w, y, k->f_status, 7, hd, ALIGN_LEFT, "Status");
	tui_put(w, y, lx + k->state, 8, hd, ALIGN_LEFT, "State");
	tui_put(w, y, lx + k->id, 6, hd, ALIGN_LEFT, "ID");
	tui_put(w, y, lx + k->name, k->name_w, hd, ALIGN_LEFT, "Name in file");
	tui_put(w, y, lx + k->match, k->match_w, hd, ALIGN_LEFT, "Project");
	tui_put(w, y, lx + k->score, 3, hd, ALIGN_RIGHT, "Scr");
	tui_put(w, y, lx + k->enr, 5, hd, ALIGN_RIGHT, "Enr");

	/* the files pane and its border */
	map_draw_files(m, w);
	for (int r = body->y + 1; r < m->detail.y; r++)
		tui_put(w, r, k->lw - 1, 1, dim, ALIGN_LEFT, theme_glyph(GLYPH_VLINE));
	if (m->v.nfiles && m->n_vis == 0 && m->list.h > 0)
		tui_put(w, m->list.y, lx + 1, m->list.w - 2, dim, ALIGN_LEFT,
			"This file's Project.csv has no projects.");
	else if (!m->v.nfiles && m->list.h > 0)
		tui_put(w, m->list.y, lx + 1, m->list.w - 2, dim, ALIGN_LEFT,
			"Each file's projects appear here.");
	map_draw_detail(t, m, w, body->w);
}

static size_t map_rows(void *priv)
{
	return ((struct mapping *)priv)->n_vis;
}

static void map_draw_row(struct tui *t, void *priv, WINDOW *w, size_t row,
			 const struct tui_rect *line, bool sel)
{
	struct mapping *m = priv;
	const struct map_row *r = &m->v.rows[m->vis[row]];
	const struct map_cols *k = &m->cols;
	char buf[256];
	enum tui_role role;
	int y = line->y, x = line->x;

	(void)t;
	role = map_state_text(m, r, buf, sizeof buf);
	tui_put(w, y, x + k->state, 8, theme_row_attr(role, sel), ALIGN_LEFT, buf);
	tui_put(w, y, x + k->id, 6, theme_row_attr(ROLE_NORMAL, sel), ALIGN_LEFT, r->src_id);
	tui_put(w, y, x + k->name, k->name_w, theme_row_attr(ROLE_NORMAL, sel), ALIGN_LEFT, r->name);
	role = map_match_text(r, k->wide, buf, sizeof buf);
	tui_put(w, y, x + k->match, k->match_w, theme_row_attr(role, sel), ALIGN_LEFT, buf);
	buf[0] = '\0';
	if (r->state == MAP_UNMAPPED && r->proposal.via != MAP_VIA_NONE)
		snprintf(buf, sizeof buf, "%d", r->proposal.score);
	tui_put(w, y, x + k->score, 3, theme_row_attr(ROLE_NORMAL, sel), ALIGN_RIGHT, buf);
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)r->enrollments);
	tui_put(w, y, x + k->enr, 5, theme_row_attr(ROLE_NORMAL, sel), ALIGN_RIGHT, buf);
}

static void map_row_text(void *priv, size_t row, char *buf, size_t n)
{
	const struct mapping *m = priv;
	const struct map_row *r = &m->v.rows[m->vis[row]];

	snprintf(buf, n, "%s %s %s %s %s %s", r->src_id, r->name, mapping_state_name(r->state),
		 r->project, r->reason, r->proposal.project);
}

static const char *map_subtitle(void *priv)
{
	return ((struct mapping *)priv)->cycle;
}

/* Proposals mapping_accept() would take, by kind; name proposals left. */
static void map_acceptable(const struct mapping *m, size_t *alias, size_t *hud, size_t *name)
{
	*alias = *hud = *name = 0;
	for (size_t i = 0; i < m->v.nrows; i++) {
		const struct map_row *r = &m->v.rows[i];
		const struct map_proposal *p = &r->proposal;

		if (r->state != MAP_UNMAPPED)
			continue;
		if (p->via == MAP_VIA_NAME)
			(*name)++;
		else if ((p->via == MAP_VIA_ALIAS || p->via == MAP_VIA_HUD_ID) && !p->inactive &&
			 (p->not_ours || p->project[0]))
			(*(p->via == MAP_VIA_ALIAS ? alias : hud))++;
	}
}

static bool map_allowed(struct tui *t, void *priv, enum action a, char *why, size_t n)
{
	struct mapping *m = priv;
	const struct map_row *r = map_selected(t, m);
	size_t alias, hud, name;

	switch (a) {
	case ACT_NEXT_FILE:
	case ACT_PREV_FILE:
		if (m->v.nfiles < 2) {
			snprintf(why, n, "%s", m->v.nfiles ? "this cycle has only one file" :
				 "this cycle has no files yet");
			return false;
		}
		return true;
	case ACT_ACCEPT_ALL:
		map_acceptable(m, &alias, &hud, &name);
		if (alias + hud == 0) {
			if (name)
				snprintf(why, n, "no alias or HUD ProjectID proposal to accept; name "
					 "matches (%zu) are never accepted in bulk: confirm each with c", name);
			else
				snprintf(why, n, "no alias or HUD ProjectID proposal to accept");
			return false;
		}
		return true;
	case ACT_CONFIRM:
		if (r->state == MAP_MAPPED) {
			snprintf(why, n, "ProjectID %s is already mapped to %s (u clears it, p picks another)",
				 r->src_id, r->project);
			return false;
		}
		if (r->state == MAP_NOT_OURS) {
			snprintf(why, n, "ProjectID %s is already marked not ours (u clears it)", r->src_id);
			return false;
		}
		if (r->proposal.via == MAP_VIA_NONE) {
			snprintf(why, n, "no proposal for ProjectID %s: p picks a project, + adds one, "
				 "x marks it not ours", r->src_id);
			return false;
		}
		if (r->proposal.inactive) {
			snprintf(why, n, "the proposed project %s is inactive: p picks another, or "
				 "reactivate it on the Projects screen", r->proposal.project);
			return false;
		}
		return true;
	case ACT_CLEAR:
		if (r->state == MAP_UNMAPPED) {
			snprintf(why, n, "ProjectID %s has no decision to clear", r->src_id);
			return false;
		}
		return true;
	case ACT_CREATE:
		if (r->state == MAP_MAPPED) {
			snprintf(why, n, "ProjectID %s is already mapped to %s (u clears it first)",
				 r->src_id, r->project);
			return false;
		}
		if (!r->name[0]) {
			snprintf(why, n, "the file gives no name for ProjectID %s: add the project "
				 "with 'hmx map %s FILE %s --create CODE --name NAME'", r->src_id, m->cycle,
				 r->src_id);
			return false;
		}
		return true;
	default:
		return true;
	}
}

/* Remembers the row a prompt or question is about. */
static void map_pending(struct mapping *m, const struct map_row *r)
{
	hmx_strlcpy(m->p_sha, m->v.files[r->file].sha256, sizeof m->p_sha);
	hmx_strlcpy(m->p_src, r->src_id, sizeof m->p_src);
	hmx_strlcpy(m->p_name, r->name, sizeof m->p_name);
	hmx_strlcpy(m->p_project, r->proposal.project, sizeof m->p_project);
	hmx_strlcpy(m->p_reason, r->proposal.reason, sizeof m->p_reason);
}

/* Maps the pending row onto m->p_project; the result on the message line. */
static unsigned map_set(struct tui *t, struct mapping *m, unsigned flags)
{
	struct map_tick *ticks = NULL;
	size_t nt = 0;
	struct hmx_err err;
	char what[256];

	hmx_err_clear(&err);
	if (mapping_set(tui_store(t), m->cycle, m->p_sha, m->p_src, m->p_project, flags, &ticks, &nt,
			&err) != HMX_OK) {
		tui_error(t, NULL, &err);
		return TUI_RELOAD;
	}
	snprintf(what, sizeof what, "ProjectID %s %s %s: mapped%s", m->p_src,
		 theme_glyph(GLYPH_ARROW), m->p_project,
		 flags & MAP_ALLOW_DUPLICATE ? " (duplicate confirmed)" : "");
	scr_map_done(t, what, ticks, nt);
	free(ticks);
	return TUI_RELOAD;
}

static unsigned map_dup_yes(struct tui *t, void *priv)
{
	return map_set(t, priv, MAP_ALLOW_DUPLICATE);
}

static unsigned map_confirm(struct tui *t, struct mapping *m, const struct map_row *r)
{
	struct map_tick *ticks = NULL;
	size_t nt = 0;
	struct hmx_err err;
	const struct map_row *o;
	char q[512];

	map_pending(m, r);
	if (r->proposal.not_ours) {
		hmx_err_clear(&err);
		if (mapping_not_ours(tui_store(t), m->cycle, m->p_sha, m->p_src,
				     m->p_reason[0] ? m->p_reason : "remembered", &ticks, &nt,
				     &err) != HMX_OK) {
			tui_error(t, NULL, &err);
			return TUI_RELOAD;
		}
		snprintf(q, sizeof q, "ProjectID %s: not ours (%s)", m->p_src, m->p_reason);
		scr_map_done(t, q, ticks, nt);
		free(ticks);
		return TUI_RELOAD;
	}
	o = scr_map_other(&m->v, (size_t)(r - m->v.rows), r->proposal.project);
	if (o) {
		snprintf(q, sizeof q, "Project %s is already mapped from ProjectID %s of file %.12s in "
			 "this cycle. Map ProjectID %s onto it as well? Both would be counted for %s "
			 "(a confirmed duplicate).", r->proposal.project, o->src_id,
			 m->v.files[o->file].sha256, r->src_id, r->proposal.project);
		tui_confirm(t, q, map_dup_yes);
		return TUI_OK;
	}
	return map_set(t, m, 0);
}

static unsigned map_not_ours_reason(struct tui *t, void *priv, const char *text)
{
	struct mapping *m = priv;
	struct map_tick *ticks = NULL;
	size_t nt = 0;
	struct hmx_err err;
	char what[256];

	if (!*text) {
		tui_message(t, ROLE_WARNING, "Not ours: a reason is required; nothing changed");
		return TUI_OK;
	}
	hmx_err_clear(&err);
	if (mapping_not_ours(tui_store(t), m->cycle, m->p_sha, m->p_src, text, &ticks, &nt,
			     &err) != HMX_OK) {
		tui_error(t, NULL, &err);
		return TUI_RELOAD;
	}
	snprintf(what, sizeof what, "ProjectID %s: not ours (%s)", m->p_src, text);
	scr_map_done(t, what, ticks, nt);
	free(ticks);
	return TUI_RELOAD;
}

static unsigned map_clear(struct tui *t, struct mapping *m)
{
	struct map_tick *ticks = NULL;
	size_t nt = 0;
	struct hmx_err err;
	char what[256];

	hmx_err_clear(&err);
	if (mapping_clear(tui_store(t), m->cycle, m->p_sha, m->p_src, &ticks, &nt, &err) != HMX_OK) {
		tui_error(t, NULL, &err);
		return TUI_RELOAD;
	}
	snprintf(what, sizeof what, "ProjectID %s: decision cleared (a remembered alias is "
		 "proposed again)", m->p_src);
	scr_map_done(t, what, ticks, nt);
	free(ticks);
	return TUI_RELOAD;
}

static unsigned map_accept_yes(struct tui *t, void *priv)
{
	struct mapping *m = priv;
	struct map_tick *ticks = NULL;
	size_t nt = 0, acc = 0, skip = 0;
	struct hmx_err err;
	char what[256];

	hmx_err_clear(&err);
	if (mapping_accept(tui_store(t), m->cycle, NULL, &acc, &skip, &ticks, &nt, &err) != HMX_OK) {
		tui_error(t, NULL, &err);
		return TUI_RELOAD;
	}
	snprintf(what, sizeof what, "Accepted %zu proposal%s; %zu project%s left to decide", acc,
		 acc == 1 ? "" : "s", skip, skip == 1 ? "" : "s");
	scr_map_done(t, what, ticks, nt);
	free(ticks);
	return TUI_RELOAD;
}

static unsigned map_accept(struct tui *t, struct mapping *m)
{
	size_t alias, hud, name;
	char q[512];

	map_acceptable(m, &alias, &hud, &name);
	snprintf(q, sizeof q, "Accept %zu proposal%s (%zu remembered alias%s, %zu equal HUD "
		 "ProjectID%s) in every file of %s? Each becomes a decision in the audit log. ",
		 alias + hud, alias + hud == 1 ? "" : "s", alias, alias == 1 ? "" : "es", hud,
		 hud == 1 ? "" : "s", m->cycle);
	if (name)
		snprintf(q + strlen(q), sizeof q - strlen(q), "%zu name match%s left for you to "
			 "confirm one by one.", name, name == 1 ? " is" : "es are");
	tui_confirm(t, q, map_accept_yes);
	return TUI_OK;
}

/* ---- adding a project: code, agency, source, then a question ---------- */

/* Default agency of a new project for the pending row: the file's agency,
 * else the proposal's. "" when there is none. */
static const char *map_default_agency(const struct mapping *m, const char *source)
{
	const struct reg_project *p;

	if (strncmp(source, "agency:", 7) == 0)
		return source + 7;
	p = m->p_project[0] ? map_project(m, m->p_project) : NULL;
	return p ? p->agency_code : "";
}

static const char *map_file_source(const struct mapping *m)
{
	for (size_t i = 0; i < m->v.nfiles; i++)
		if (strcmp(m->v.files[i].sha256, m->p_sha) == 0)
			return m->v.files[i].source;
	return "";
}

static unsigned map_create_yes(struct tui *t, void *priv)
{
	struct mapping *m = priv;
	struct map_new_project np = { m->n_code, NULL, m->n_agency, &m->n_kind, NULL };
	struct map_tick *ticks = NULL;
	size_t nt = 0;
	struct hmx_err err;
	char what[256];

	hmx_err_clear(&err);
	if (mapping_create(tui_store(t), m->cycle, m->p_sha, m->p_src, &np, 0, &ticks, &nt,
			   &err) != HMX_OK) {
		tui_error(t, NULL, &err);
		return TUI_RELOAD;
	}
	snprintf(what, sizeof what, "Project %s added; ProjectID %s %s %s: mapped", m->n_code,
		 m->p_src, theme_glyph(GLYPH_ARROW), m->n_code);
	scr_map_done(t, what, ticks, nt);
	free(ticks);
	return TUI_RELOAD;
}

static unsigned map_create_source(struct tui *t, void *priv, const char *text)
{
	struct mapping *m = priv;
	char q[512];

	if (*text && !reg_source_parse(text, &m->n_kind)) {
		tui_message(t, ROLE_WARNING, "New: \"%s\" is not hmis, rdc-direct or outside-agency; "
			    "nothing changed", text);
		return TUI_OK;
	}
	snprintf(q, sizeof q, "Add project %s \"%s\" (agency %s, %s) and map ProjectID %s of file "
		 "%.12s onto it? It is %s the reporting group%s.", m->n_code, m->p_name, m->n_agency,
		 reg_source_name(m->n_kind), m->p_src, m->p_sha,
		 m->n_kind == REG_SRC_RDC_DIRECT ? "not in" : "in",
		 m->n_kind == REG_SRC_RDC_DIRECT ? "" : ": its enrollments go into the quarterly upload");
	tui_confirm(t, q, map_create_yes);
	return TUI_OK;
}

static unsigned map_create_agency(struct tui *t, void *priv, const char *text)
{
	struct mapping *m = priv;
	const char *src = map_file_source(m), *agency = *text ? text : map_default_agency(m, src);
	struct reg_agency *ag = NULL;
	size_t n = 0;
	bool found = false;
	struct hmx_err err;
	char q[256];

	if (!*agency) {
		tui_message(t, ROLE_WARNING, "New: an agency is required; nothing changed");
		return TUI_OK;
	}
	hmx_err_clear(&err);
	if (reg_agency_list(tui_store(t), &ag, &n, &err) != HMX_OK) {
		tui_error(t, NULL, &err);
		return TUI_OK;
	}
	for (size_t i = 0; i < n && !found; i++)
		found = strcmp(ag[i].code, agency) == 0;
	free(ag);
	if (!found) {
		tui_message(t, ROLE_WARNING, "New: no agency \"%s\" (see the Projects screen); "
			    "nothing changed", agency);
		return TUI_OK;
	}
	hmx_strlcpy(m->n_agency, agency, sizeof m->n_agency);
	m->n_kind = strcmp(src, "rdc") == 0 ? REG_SRC_RDC_DIRECT :
		    strncmp(src, "agency:", 7) == 0 ? REG_SRC_OUTSIDE_AGENCY : REG_SRC_HMIS;
	snprintf(q, sizeof q, "Source of %s (hmis, rdc-direct, outside-agency) [%s]: ", m->n_code,
		 reg_source_name(m->n_kind));
	tui_prompt(t, q, map_create_source);
	return TUI_OK;
}

static unsigned map_create_code(struct tui *t, void *priv, const char *text)
{
	struct mapping *m = priv;
	const char *def;
	char q[256];

	if (!*text) {
		tui_message(t, ROLE_WARNING, "New: a project code is required; nothing changed");
		return TUI_OK;
	}
	if (map_project(m, text)) {
		tui_message(t, ROLE_WARNING, "New: project %s already exists: p picks it; nothing "
			    "changed", text);
		return TUI_OK;
	}
	hmx_strlcpy(m->n_code, text, sizeof m->n_code);
	def = map_default_agency(m, map_file_source(m));
	snprintf(q, sizeof q, "Agency of %s%s%s%s: ", m->n_code, *def ? " [" : "", def,
		 *def ? "]" : "");
	tui_prompt(t, q, map_create_agency);
	return TUI_OK;
}

/* ---- flags -------------------------------------------------------------- */

static void map_flags(struct tui *t, struct mapping *m)
{
	const struct map_view *v = &m->v;
	const char **lines = calloc(v->nflags + 1, sizeof *lines);
	char (*text)[512] = calloc(v->nflags + 1, sizeof *text);
	char title[128];

	if (!lines || !text) {
		tui_message(t, ROLE_BLOCKING, "Out of memory");
		goto out;
	}
	for (size_t i = 0; i < v->nflags; i++) {
		const struct map_flag *f = &v->flags[i];
		char what[128];

		if (f->file >= 0 && f->src_id[0])
			snprintf(what, sizeof what, "file %.12s ProjectID %s", v->files[f->file].sha256,
				 f->src_id);
		else if (f->file >= 0)
			snprintf(what, sizeof what, "file %.12s", v->files[f->file].sha256);
		else
			snprintf(what, sizeof what, "project %s", f->project);
		snprintf(text[i], sizeof text[i], "%-8s %-8s %s: %s", f->check, f->severity, what,
			 f->detail);
		lines[i] = text[i];
	}
	if (v->nflags == 0) {
		snprintf(text[0], sizeof text[0], "No flags: every project of every file has a "
			 "decision and every expected project has a file.");
		lines[0] = text[0];
	}
	snprintf(title, sizeof title, "Flags: %s", m->cycle);
	tui_pager(t, title, lines, v->nflags ? v->nflags : 1);
out:
	free(lines);
	free(text);
}

static unsigned map_handle(struct tui *t, void *priv, enum action a)
{
	struct mapping *m = priv;
	const struct map_row *r = map_selected(t, m);
	char q[256];

	if (r)
		map_pending(m, r);
	switch (a) {
	case ACT_CONFIRM:
		return map_confirm(t, m, r);
	case ACT_ENTER:
	case ACT_PICK:
		snprintf(q, sizeof q, "%s\t%.16s\t%s", m->cycle, m->p_sha, m->p_src);
		tui_push(t, &picker_screen, q);
		return TUI_OK;
	case ACT_NOT_OURS:
		snprintf(q, sizeof q, "Not ours: ProjectID %s, reason: ", r->src_id);
		tui_prompt(t, q, map_not_ours_reason);
		return TUI_OK;
	case ACT_CREATE:
		snprintf(q, sizeof q, "New project for ProjectID %s \"%s\", code: ", r->src_id, r->name);
		tui_prompt(t, q, map_create_code);
		return TUI_OK;
	case ACT_CLEAR:
		return map_clear(t, m);
	case ACT_ACCEPT_ALL:
		return map_accept(t, m);
	case ACT_NEXT_FILE:
	case ACT_PREV_FILE:
		m->file = (m->file + (a == ACT_NEXT_FILE ? 1 : m->v.nfiles - 1)) % m->v.nfiles;
		map_rebuild(m);
		tui_select(t, 0);
		return TUI_OK;
	case ACT_FLAGS:
		map_flags(t, m);
		return TUI_OK;
	default:
		return TUI_OK;
	}
}

const struct screen_ops mapping_screen = {
	.name = "mapping",
	.title = "Mapping",
	.priv_size = sizeof(struct mapping),
	.actions = map_actions,
	.n_actions = sizeof map_actions / sizeof map_actions[0],
	.keys = map_keys,
	.n_keys = sizeof map_keys / sizeof map_keys[0],
	.open = map_open,
	.close = map_close,
	.reload = map_reload,
	.layout = map_layout,
	.draw = map_draw,
	.rows = map_rows,
	.draw_row = map_draw_row,
	.row_text = map_row_text,
	.subtitle = map_subtitle,
	.allowed = map_allowed,
	.handle = map_handle,
};
