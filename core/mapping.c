/* core/mapping.c — proposals, decisions, aliases, flags and the ticking of
 * per-project sub-items for the files of a cycle (see mapping.h). */
#include "mapping.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "spec.h"

static const char *const state_names[] = { "unmapped", "mapped", "not-ours" };
static const char *const via_names[] = { "", "alias", "hud-id", "name" };

const char *mapping_state_name(enum map_state st)
{
	return (unsigned)st < 3 ? state_names[st] : "?";
}

const char *mapping_via_name(enum map_via via)
{
	return (unsigned)via < 4 ? via_names[via] : "?";
}

static enum map_via via_parse(const char *s)
{
	for (unsigned i = 1; i < 4; i++)
		if (strcmp(s, via_names[i]) == 0)
			return (enum map_via)i;
	return MAP_VIA_NONE;
}

/* ---- name similarity ----------------------------------------------------- */

enum { MAXTOK = 32, TOKLEN = 32 };

struct tokens {
	size_t n;
	char t[MAXTOK][TOKLEN];
};

/* Words that say nothing about which project it is. */
static const char *const filler[] = { "a", "an", "and", "at", "for", "in", "inc", "llc",
				      "of", "on", "the", "to" };

static bool is_filler(const char *w)
{
	for (size_t i = 0; i < sizeof filler / sizeof filler[0]; i++)
		if (strcmp(w, filler[i]) == 0)
			return true;
	return false;
}

/* Base letter of a two-byte UTF-8 Latin-1 letter (0xC3 xx), or 0. */
static char fold_latin1(unsigned char b)
{
	static const char map[64] = "aaaaaaaceeeeiiiidnooooo/ouuuuyts" /* C3 80-9F: upper */
				    "aaaaaaaceeeeiiiidnooooo/ouuuuyty"; /* C3 A0-BF: lower */

	if (b < 0x80 || b > 0xBF)
		return 0;
	return map[b - 0x80];
}

static void tokenize(const char *s, struct tokens *tk)
{
	char w[TOKLEN];
	size_t wl = 0;

	tk->n = 0;
	for (const unsigned char *p = (const unsigned char *)s;; p++) {
		char c = 0;

		if (*p && *p < 0x80 && isalnum(*p)) {
			c = (char)tolower(*p);
		} else if (*p == 0xC3 && p[1]) {
			c = fold_latin1(p[1]);
			p++;
			if (c == '/')
				c = 0;
		} else if (*p == '\'' || (*p == 0xE2 && p[1] == 0x80 && p[2] == 0x99)) {
			/* apostrophes join: "Martha's" -> "marthas" */
			if (*p == 0xE2)
				p += 2;
			continue;
		}
		if (c) {
			if (wl + 1 < TOKLEN)
				w[wl++] = c;
			continue;
		}
		if (wl) {
			w[wl] = '\0';
			if (!is_filler(w) && tk->n < MAXTOK)
				memcpy(tk->t[tk->n++], w, wl + 1);
			wl = 0;
		}
		if (!*p)
			break;
	}
}

/* Whether a (3+ letters) abbreviates b: same first letter, letters of a in
 * order in b ("mgmt" in "management", "svcs" in "services"). */
static bool abbreviates(const char *a, const char *b)
{
	if (strlen(a) < 3 || a[0] != b[0] || strlen(a) >= strlen(b))
		return false;
	for (const char *p = b; *a; a++) {
		p = strchr(p, *a);
		if (!p)
			return false;
		p++;
	}
	return true;
}

/* How well word a matches word b: 10 equal, 8 prefix, 6 abbreviation. */
static int word_match(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (strcmp(a, b) == 0)
		return 10;
	if (la >= 3 && lb >= 3 && strncmp(a, b, la < lb ? la : lb) == 0)
		return 8;
	if (abbreviates(a, b) || abbreviates(b, a))
		return 6;
	return 0;
}

int mapping_name_score(const char *a, const char *b)
{
	struct tokens ta, tb;
	bool used[MAXTOK] = { false };
	int matched = 0;

	tokenize(a ? a : "", &ta);
	tokenize(b ? b : "", &tb);
	if (ta.n == 0 || tb.n == 0)
		return 0;
	for (size_t i = 0; i < ta.n; i++) {
		int best = 0;
		size_t at = 0;

		for (size_t j = 0; j < tb.n; j++) {
			int m = used[j] ? 0 : word_match(ta.t[i], tb.t[j]);
			if (m > best) {
				best = m;
				at = j;
			}
		}
		if (best) {
			used[at] = true;
			matched += best;
		}
	}
	/* Dice: 2 * matched / (|a| + |b|), matched in tenths of a word */
	return (int)((200 * matched + 5 * (int)(ta.n + tb.n)) / (10 * (int)(ta.n + tb.n)));
}

/* ---- proposals ----------------------------------------------------------- */

static enum hmx_rc propose_with(struct store *s, const struct reg_project *ps, size_t np,
				const char *source, const char *src_id, const char *name,
				struct map_proposal *out, struct hmx_err *err)
{
	sqlite3_stmt *st;
	int rc;
	int best = 0;
	const struct reg_project *pick = NULL;
	bool agency_src = strncmp(source, "agency:", 7) == 0;

	memset(out, 0, sizeof *out);
	st = store_prepare(s,
			   "SELECT coalesce(p.code, ''), coalesce(p.active, 0), a.not_ours_reason, "
			   "a.project_id IS NULL FROM project_alias a LEFT JOIN project p ON p.id = "
			   "a.project_id WHERE a.source = ?1 AND a.source_project_id = ?2",
			   err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, src_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->via = MAP_VIA_ALIAS;
		out->score = 100;
		store_col_text(st, 0, out->project, sizeof out->project);
		out->inactive = out->project[0] && !sqlite3_column_int(st, 1);
		store_col_text(st, 2, out->reason, sizeof out->reason);
		out->not_ours = sqlite3_column_int(st, 3) != 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, err, "cannot read the aliases");
	if (rc == SQLITE_ROW)
		return HMX_OK;
	/* an equal HUD ProjectID (whatever the source: shown, accepted only
	 * by the admin's mapping_accept) */
	for (size_t i = 0; i < np; i++) {
		if (ps[i].active && ps[i].hud_project_id[0] &&
		    strcmp(ps[i].hud_project_id, src_id) == 0) {
			out->via = MAP_VIA_HUD_ID;
			out->score = 100;
			hmx_strlcpy(out->project, ps[i].code, sizeof out->project);
			return HMX_OK;
		}
	}
	/* the closest name; ties go to a project of the kind the source sends */
	for (size_t i = 0; name && name[0] && i < np; i++) {
		int sc;
		bool kind_fits;

		if (!ps[i].active)
			continue;
		sc = mapping_name_score(name, ps[i].name);
		kind_fits = strcmp(source, "rdc") == 0 ? ps[i].source == REG_SRC_RDC_DIRECT :
			    agency_src ? ps[i].source == REG_SRC_OUTSIDE_AGENCY &&
					 strcmp(ps[i].agency_code, source + 7) == 0 :
					 ps[i].source != REG_SRC_RDC_DIRECT;
		if (sc > best || (sc == best && pick && kind_fits &&
				  !(strcmp(source, "rdc") == 0 ? pick->source == REG_SRC_RDC_DIRECT :
				    agency_src ? pick->source == REG_SRC_OUTSIDE_AGENCY :
						 pick->source != REG_SRC_RDC_DIRECT))) {
			best = sc;
			pick = &ps[i];
		}
	}
	if (pick && best >= MAPPING_NAME_MIN) {
		out->via = MAP_VIA_NAME;
		out->score = best;
		hmx_strlcpy(out->project, pick->code, sizeof out->project);
	}
	return HMX_OK;
}

enum hmx_rc mapping_propose(struct store *s, const char *source, const char *src_id,
			    const char *name, struct map_proposal *out, struct hmx_err *err)
{
	struct reg_project *ps;
	size_t np;
	enum hmx_rc rc;

	memset(out, 0, sizeof *out);
	if ((rc = reg_project_list(s, NULL, &ps, &np, err)) != HMX_OK)
		return rc;
	rc = propose_with(s, ps, np, source, src_id, name, out, err);
	free(ps);
	return rc;
}

/* ---- the view ------------------------------------------------------------ */

void mapping_view_free(struct map_view *v)
{
	if (!v)
		return;
	free(v->files);
	free(v->rows);
	free(v->flags);
	memset(v, 0, sizeof *v);
}

static struct map_flag *new_flag(struct map_view *v, size_t *cap, const char *check,
				 const char *severity, long file, struct hmx_err *err)
{
	struct map_flag *f, *na = hmx_grow(v->flags, cap, v->nflags, sizeof *v->flags);

	if (!na) {
		hmx_err_set(err, HMX_ENOMEM, "out of memory");
		return NULL;
	}
	v->flags = na;
	f = &v->flags[v->nflags++];
	memset(f, 0, sizeof *f);
	hmx_strlcpy(f->check, check, sizeof f->check);
	hmx_strlcpy(f->severity, severity, sizeof f->severity);
	f->file = file;
	f->row = -1;
	return f;
}

/* Decisions of one intake into its rows (matched by ProjectID). */
static enum hmx_rc load_decisions(struct store *s, int64_t intake_id, struct map_row *rows,
				  size_t n, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT m.source_project_id, m.state, coalesce(p.code, ''), "
					 "coalesce(p.active, 0), m.reason, m.duplicate_ok, m.via, m.at, "
					 "m.who FROM file_map m LEFT JOIN project p ON p.id = m.project_id "
					 "WHERE m.intake_id = ?1",
					 err);
	int rc;

	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, intake_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char id[64], state[16], via[16];

		store_col_text(st, 0, id, sizeof id);
		for (size_t i = 0; i < n; i++) {
			struct map_row *r = &rows[i];

			if (strcmp(r->src_id, id) != 0)
				continue;
			store_col_text(st, 1, state, sizeof state);
			r->state = strcmp(state, "mapped") == 0 ? MAP_MAPPED : MAP_NOT_OURS;
			store_col_text(st, 2, r->project, sizeof r->project);
			r->project_active = sqlite3_column_int(st, 3) != 0;
			store_col_text(st, 4, r->reason, sizeof r->reason);
			r->duplicate_ok = sqlite3_column_int(st, 5) != 0;
			store_col_text(st, 6, via, sizeof via);
			r->decided_via = via_parse(via);
			store_col_text(st, 7, r->decided_at, sizeof r->decided_at);
			store_col_text(st, 8, r->decided_by, sizeof r->decided_by);
			break;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? HMX_OK : store_fail(s, err, "cannot read the mappings");
}

static int flag_cmp(const void *a, const void *b)
{
	const struct map_flag *x = a, *y = b;
	int c = strcmp(x->check, y->check);

	if (c)
		return c;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return strcmp(x->project, y->project);
}

/* Whether a file from source src satisfies an expectation of source want
 * ("rdc", "hmis", "agency:CODE"). */
static bool source_is(const char *src, const char *want)
{
	return strcmp(src, want) == 0;
}

static enum hmx_rc expected_flags(struct store *s, struct map_view *v, const char *rule_source,
				  const struct spec_checks *cat, size_t *cap, struct hmx_err *err)
{
	struct reg_project *ps;
	size_t np;
	enum hmx_rc rc;
	const struct spec_check *k = spec_check_find(cat, "X02");
	const char *sev = k ? spec_severity_name(k->severity) : "error";

	if ((rc = reg_project_list(s, NULL, &ps, &np, err)) != HMX_OK)
		return rc;
	for (size_t i = 0; i < np && rc == HMX_OK; i++) {
		const struct reg_project *p = &ps[i];
		char want[48];
		bool any_file = false, mapped = false;
		uint64_t enr = 0;
		struct map_flag *f;

		if (!p->active)
			continue;
		if (strcmp(rule_source, "rdc") == 0 && p->source == REG_SRC_RDC_DIRECT)
			snprintf(want, sizeof want, "rdc");
		else if (strcmp(rule_source, "agency") == 0 && p->source == REG_SRC_OUTSIDE_AGENCY)
			snprintf(want, sizeof want, "agency:%s", p->agency_code);
		else if (strcmp(rule_source, "hmis") == 0 && p->in_upload_group)
			snprintf(want, sizeof want, "hmis");
		else
			continue;
		for (size_t j = 0; j < v->nfiles; j++)
			any_file = any_file || source_is(v->files[j].source, want);
		for (size_t j = 0; j < v->nrows; j++) {
			const struct map_row *r = &v->rows[j];

			if (r->state == MAP_MAPPED && strcmp(r->project, p->code) == 0 &&
			    source_is(v->files[r->file].source, want)) {
				mapped = true;
				enr += r->enrollments;
			}
		}
		if (mapped && enr > 0)
			continue;
		if (!(f = new_flag(v, cap, "X02", sev, -1, err))) {
			rc = HMX_ENOMEM;
			break;
		}
		hmx_strlcpy(f->project, p->code, sizeof f->project);
		snprintf(f->detail, sizeof f->detail, "%s",
			 mapped ? "the mapped file has no enrollments" :
			 any_file ? "no file from this source is mapped to it" : "no file from this source");
		snprintf(f->detail + strlen(f->detail), sizeof f->detail - strlen(f->detail),
			 " (source %s)", want);
	}
	free(ps);
	return rc;
}

static enum hmx_rc build_flags(struct store *s, struct map_view *v, struct hmx_err *err)
{
	const struct intake_kind_rule *rule = intake_kind_rule(v->kind);
	struct spec_checks *cat = NULL;
	const struct spec_check *k;
	size_t cap = 0;
	enum hmx_rc rc = HMX_OK;

	if ((rc = spec_checks_load(&cat, err)) != HMX_OK)
		return rc;
	k = spec_check_find(cat, "X01");
	for (size_t i = 0; i < v->nfiles && rc == HMX_OK; i++) {
		for (size_t j = 0; j < v->files[i].nfindings; j++) {
			const struct intake_finding *fi = &v->files[i].findings[j];
			struct map_flag *f = new_flag(v, &cap, fi->check, fi->severity, (long)i, err);

			if (!f) {
				rc = HMX_ENOMEM;
				break;
			}
			hmx_strlcpy(f->detail, fi->detail, sizeof f->detail);
			f->row = -1;
		}
	}
	for (size_t i = 0; i < v->nrows && rc == HMX_OK; i++) {
		const struct map_row *r = &v->rows[i];
		struct map_flag *f = NULL;

		if (r->state == MAP_UNMAPPED) {
			v->n_unmapped++;
			if ((f = new_flag(v, &cap, "X01", k ? spec_severity_name(k->severity) : "error",
					  (long)r->file, err)))
				snprintf(f->detail, sizeof f->detail, "%s",
					 r->proposal.via == MAP_VIA_NONE ? "not mapped, no proposal" :
									   "not mapped");
		} else if (r->state == MAP_MAPPED && !r->project_active) {
			if ((f = new_flag(v, &cap, "INACTIVE", "error", (long)r->file, err))) {
				hmx_strlcpy(f->project, r->project, sizeof f->project);
				snprintf(f->detail, sizeof f->detail,
					 "mapped onto an inactive project: map it again or reactivate the project");
			}
		} else if (r->state == MAP_MAPPED) {
			/* two source projects onto one project: the one confirmed as a
			 * duplicate carries the flag; unconfirmed (a race), the later */
			const struct map_row *o = NULL;
			size_t oi = 0;

			for (size_t j = 0; j < v->nrows && !o; j++)
				if (j != i && v->rows[j].state == MAP_MAPPED &&
				    strcmp(v->rows[j].project, r->project) == 0) {
					o = &v->rows[j];
					oi = j;
				}
			if (!o || (!r->duplicate_ok && (o->duplicate_ok || oi > i)))
				continue;
			if ((f = new_flag(v, &cap, "DUP", r->duplicate_ok ? "warning" : "error",
					  (long)r->file, err))) {
				hmx_strlcpy(f->project, r->project, sizeof f->project);
				snprintf(f->detail, sizeof f->detail, "%s also mapped from file %.12s ProjectID %s%s",
					 r->project, v->files[o->file].sha256, o->src_id,
					 r->duplicate_ok ? " (confirmed)" : "");
			}
		} else {
			continue;
		}
		if (!f) {
			rc = HMX_ENOMEM;
			break;
		}
		hmx_strlcpy(f->src_id, r->src_id, sizeof f->src_id);
		f->row = (long)i;
	}
	if (rc == HMX_OK && rule)
		rc = expected_flags(s, v, rule->source, cat, &cap, err);
	spec_checks_free(&cat);
	if (rc == HMX_OK && v->nflags > 1)
		qsort(v->flags, v->nflags, sizeof *v->flags, flag_cmp);
	return rc;
}

enum hmx_rc mapping_view(struct store *s, const char *cycle, struct map_view *out,
			 struct hmx_err *err)
{
	struct cycle_info c;
	struct reg_project *ps = NULL;
	size_t np = 0, cap = 0;
	enum hmx_rc rc;

	memset(out, 0, sizeof *out);
	if ((rc = cycle_get(s, cycle, cal_today(), &c, err)) != HMX_OK)
		return rc;
	hmx_strlcpy(out->cycle, c.code, sizeof out->cycle);
	hmx_strlcpy(out->kind, c.kind, sizeof out->kind);
	if ((rc = intake_list(s, cycle, &out->files, &out->nfiles, err)) != HMX_OK ||
	    (rc = reg_project_list(s, NULL, &ps, &np, err)) != HMX_OK)
		goto fail;
	for (size_t i = 0; i < out->nfiles; i++) {
		struct intake_project *pr;
		size_t npr, first = out->nrows;

		if ((rc = intake_projects(s, out->files[i].file_id, &pr, &npr, err)) != HMX_OK)
			goto fail;
		for (size_t j = 0; j < npr; j++) {
			struct map_row *r, *na = hmx_grow(out->rows, &cap, out->nrows, sizeof *out->rows);

			if (!na) {
				free(pr);
				rc = hmx_err_set(err, HMX_ENOMEM, "out of memory");
				goto fail;
			}
			out->rows = na;
			r = &out->rows[out->nrows++];
			memset(r, 0, sizeof *r);
			r->file = i;
			hmx_strlcpy(r->src_id, pr[j].id, sizeof r->src_id);
			hmx_strlcpy(r->name, pr[j].name, sizeof r->name);
			r->enrollments = pr[j].enrollments;
			r->clients = pr[j].clients;
			r->exits = pr[j].exits;
			rc = propose_with(s, ps, np, out->files[i].source, r->src_id, r->name,
					  &r->proposal, err);
			if (rc != HMX_OK) {
				free(pr);
				goto fail;
			}
		}
		free(pr);
		if ((rc = load_decisions(s, out->files[i].id, out->rows + first, out->nrows - first,
					 err)) != HMX_OK)
			goto fail;
	}
	if ((rc = build_flags(s, out, err)) != HMX_OK)
		goto fail;
	free(ps);
	return HMX_OK;
fail:
	free(ps);
	mapping_view_free(out);
	return rc;
}

/* ---- decisions ----------------------------------------------------------- */

/* One source project of one intake: what a decision is about. */
struct target {
	struct intake_info in;
	char src_id[64];
	char name[128];
	int64_t cycle_id;
	char object[192];       /* audit object: CYCLE/file/SHA12/SRCID */
};

static enum hmx_rc find_target(struct store *s, const char *cycle, const char *ref,
			       const char *src_id, struct target *t, struct hmx_err *err)
{
	sqlite3_stmt *st;
	enum hmx_rc rc;
	int src;

	memset(t, 0, sizeof *t);
	if ((rc = intake_get(s, cycle, ref, &t->in, err)) != HMX_OK)
		return rc;
	st = store_prepare(s,
			   "SELECT fp.name, i.cycle_id FROM file_project fp JOIN intake i ON "
			   "i.file_id = fp.file_id WHERE i.id = ?1 AND fp.source_project_id = ?2",
			   err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, t->in.id);
	sqlite3_bind_text(st, 2, src_id, -1, SQLITE_STATIC);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		store_col_text(st, 0, t->name, sizeof t->name);
		t->cycle_id = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (src == SQLITE_DONE)
		return hmx_err_set(err, HMX_ENOTFOUND,
				   "file %.12s has no ProjectID \"%s\" in its Project.csv (see 'hmx map %s')",
				   t->in.sha256, src_id, cycle);
	if (src != SQLITE_ROW)
		return store_fail(s, err, "cannot read the file's projects");
	hmx_strlcpy(t->src_id, src_id, sizeof t->src_id);
	snprintf(t->object, sizeof t->object, "%s/file/%.12s/%s", t->in.cycle, t->in.sha256, src_id);
	return HMX_OK;
}

/* The current decision of t as an audit summary ("unmapped", "mapped=X",
 * "not-ours: why"). */
static enum hmx_rc current(struct store *s, const struct target *t, char *buf, size_t n,
			   bool *exists, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT m.state, coalesce(p.code, ''), m.reason FROM file_map m "
					 "LEFT JOIN project p ON p.id = m.project_id "
					 "WHERE m.intake_id = ?1 AND m.source_project_id = ?2",
					 err);
	int rc;

	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, t->in.id);
	sqlite3_bind_text(st, 2, t->src_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*exists = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(st, 0);

		if (state && strcmp(state, "mapped") == 0)
			snprintf(buf, n, "mapped=%s", (const char *)sqlite3_column_text(st, 1));
		else
			snprintf(buf, n, "not-ours: %s", (const char *)sqlite3_column_text(st, 2));
	} else {
		snprintf(buf, n, "unmapped");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, err, "cannot read the mapping");
	return HMX_OK;
}

static enum hmx_rc exec_done(struct store *s, sqlite3_stmt *st, const char *doing,
			     struct hmx_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? HMX_OK : store_fail(s, err, doing);
}

/* Remembers source + ProjectID -> project (project NULL: not ours with
 * reason), audited when it changes. Inside the caller's transaction. */
static enum hmx_rc remember(struct store *s, const struct target *t, const struct reg_project *p,
			    const char *reason, struct hmx_err *err)
{
	sqlite3_stmt *st;
	char before[160] = "", after[160], object[160], now[21];
	int rc;
	enum hmx_rc hr;

	st = store_prepare(s,
			   "SELECT coalesce(p.code, ''), a.not_ours_reason, a.project_id IS NULL "
			   "FROM project_alias a LEFT JOIN project p ON p.id = a.project_id "
			   "WHERE a.source = ?1 AND a.source_project_id = ?2",
			   err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, t->in.source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->src_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_int(st, 2))
			snprintf(before, sizeof before, "not-ours: %s", sqlite3_column_text(st, 1));
		else
			snprintf(before, sizeof before, "%s", sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, err, "cannot read the aliases");
	if (p)
		snprintf(after, sizeof after, "%s", p->code);
	else
		snprintf(after, sizeof after, "not-ours: %s", reason);
	if (strcmp(before, after) == 0)
		return HMX_OK;
	hmx_now_utc(now);
	st = store_prepare(s,
			   "INSERT INTO project_alias(source, source_project_id, project_id, "
			   "not_ours_reason, at, who) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
			   "ON CONFLICT (source, source_project_id) DO UPDATE SET "
			   "project_id = excluded.project_id, not_ours_reason = excluded.not_ours_reason, "
			   "at = excluded.at, who = excluded.who",
			   err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, t->in.source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->src_id, -1, SQLITE_STATIC);
	if (p)
		sqlite3_bind_int64(st, 3, p->id);
	sqlite3_bind_text(st, 4, p ? "" : reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, hmx_actor(), -1, SQLITE_TRANSIENT);
	if ((hr = exec_done(s, st, "cannot remember the alias", err)) != HMX_OK)
		return hr;
	snprintf(object, sizeof object, "alias/%s/%s", t->in.source, t->src_id);
	return audit_write(s, "alias.set", object, before[0] ? before : NULL, after, err);
}

/* Another mapping of this cycle onto project id, other than t's own. */
static enum hmx_rc other_mapping(struct store *s, const struct target *t, int64_t project_id,
				 char *buf, size_t n, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT f.sha256, m.source_project_id FROM file_map m "
					 "JOIN intake i ON i.id = m.intake_id JOIN file f ON f.id = i.file_id "
					 "WHERE i.cycle_id = ?1 AND m.state = 'mapped' AND m.project_id = ?2 "
					 "AND NOT (m.intake_id = ?3 AND m.source_project_id = ?4) "
					 "ORDER BY m.id LIMIT 1",
					 err);
	int rc;

	buf[0] = '\0';
	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, t->cycle_id);
	sqlite3_bind_int64(st, 2, project_id);
	sqlite3_bind_int64(st, 3, t->in.id);
	sqlite3_bind_text(st, 4, t->src_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(buf, n, "file %.12s ProjectID %s", sqlite3_column_text(st, 0),
			 sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, err, "cannot read the mappings");
	return HMX_OK;
}

/* Writes one decision on t, inside the caller's transaction: refusals
 * first (nothing written), then the row, the alias and the audit row.
 * state MAP_UNMAPPED removes the decision. */
static enum hmx_rc decide(struct store *s, const struct target *t, enum map_state state,
			  const struct reg_project *p, const char *reason, bool allow_dup,
			  enum map_via via, const char *action, struct hmx_err *err)
{
	char before[300], after[300], other[160], now[21];
	sqlite3_stmt *st;
	bool exists, dup = false;
	enum hmx_rc rc;

	if ((rc = current(s, t, before, sizeof before, &exists, err)) != HMX_OK)
		return rc;
	if (state == MAP_UNMAPPED && !exists)
		return hmx_err_set(err, HMX_ESTATE, "ProjectID %s of file %.12s has no decision to clear",
				   t->src_id, t->in.sha256);
	if (state == MAP_MAPPED) {
		if (!p->active)
			return hmx_err_set(err, HMX_ESTATE,
					   "project %s is inactive: pick another, or reactivate it with "
					   "'hmx project set %s active yes'", p->code, p->code);
		if ((rc = other_mapping(s, t, p->id, other, sizeof other, err)) != HMX_OK)
			return rc;
		dup = other[0] != '\0';
		if (dup && !allow_dup)
			return hmx_err_set(err, HMX_ESTATE,
					   "project %s is already mapped from %s in %s: it would be "
					   "counted twice; give --allow-duplicate to map both",
					   p->code, other, t->in.cycle);
	}
	hmx_now_utc(now);
	if (state == MAP_UNMAPPED) {
		st = store_prepare(s, "DELETE FROM file_map WHERE intake_id = ?1 AND source_project_id = ?2",
				   err);
		if (!st)
			return HMX_EDB;
		sqlite3_bind_int64(st, 1, t->in.id);
		sqlite3_bind_text(st, 2, t->src_id, -1, SQLITE_STATIC);
	} else {
		st = store_prepare(s,
				   "INSERT INTO file_map(intake_id, source_project_id, state, project_id, "
				   "reason, duplicate_ok, via, at, who) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
				   "?8, ?9) ON CONFLICT (intake_id, source_project_id) DO UPDATE SET "
				   "state = excluded.state, project_id = excluded.project_id, "
				   "reason = excluded.reason, duplicate_ok = excluded.duplicate_ok, "
				   "via = excluded.via, at = excluded.at, who = excluded.who",
				   err);
		if (!st)
			return HMX_EDB;
		sqlite3_bind_int64(st, 1, t->in.id);
		sqlite3_bind_text(st, 2, t->src_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, state == MAP_MAPPED ? "mapped" : "not-ours", -1, SQLITE_STATIC);
		if (state == MAP_MAPPED)
			sqlite3_bind_int64(st, 4, p->id);
		sqlite3_bind_text(st, 5, state == MAP_NOT_OURS ? reason : "", -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 6, dup);
		sqlite3_bind_text(st, 7, mapping_via_name(via), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 9, hmx_actor(), -1, SQLITE_TRANSIENT);
	}
	if ((rc = exec_done(s, st, "cannot save the mapping", err)) != HMX_OK)
		return rc;
	if (state == MAP_MAPPED)
		snprintf(after, sizeof after, "mapped=%s%s%s%s%s", p->code, via ? " (proposed by " : "",
			 via ? mapping_via_name(via) : "", via ? ")" : "",
			 dup ? "; duplicate confirmed" : "");
	else if (state == MAP_NOT_OURS)
		snprintf(after, sizeof after, "not-ours: %s", reason);
	else
		snprintf(after, sizeof after, "unmapped");
	if (state != MAP_UNMAPPED &&
	    (rc = remember(s, t, state == MAP_MAPPED ? p : NULL, reason, err)) != HMX_OK)
		return rc;
	return audit_write(s, action, t->object, before, after, err);
}

/* Ticks after a committed decision: the decision stands whatever happens
 * here; a failure is logged (the next decision or mapping_tick retries). */
static void tick_after(struct store *s, const char *cycle, struct map_tick **ticks,
		       size_t *nticks)
{
	struct hmx_err e;

	if (mapping_tick(s, cycle, ticks, nticks, &e) != HMX_OK)
		hmx_log(HMX_LOG_WARN, "the decision is saved but the checklist of %s was not "
			"updated: %s", cycle, e.msg);
}

/* What the current proposal for t is (for the audit row). */
static enum map_via proposed_via(struct store *s, const struct target *t, const char *project)
{
	struct map_proposal pr;

	if (mapping_propose(s, t->in.source, t->src_id, t->name, &pr, NULL) != HMX_OK)
		return MAP_VIA_NONE;
	return project && strcmp(pr.project, project) == 0 ? pr.via : MAP_VIA_NONE;
}

static enum hmx_rc one_decision(struct store *s, const char *cycle, const char *ref,
				const char *src_id, enum map_state state, const char *project,
				const char *reason, unsigned flags, bool want_via, const char *action,
				struct map_tick **ticks, size_t *nticks, struct hmx_err *err)
{
	struct target t;
	struct reg_project p;
	enum map_via via = MAP_VIA_NONE;
	enum hmx_rc rc;

	if (ticks)
		*ticks = NULL;
	if (nticks)
		*nticks = 0;
	if ((rc = find_target(s, cycle, ref, src_id, &t, err)) != HMX_OK)
		return rc;
	if (state == MAP_MAPPED) {
		if ((rc = reg_project_get(s, project, &p, err)) != HMX_OK)
			return rc;
		via = want_via ? proposed_via(s, &t, project) : MAP_VIA_NONE;
	}
	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	if ((rc = decide(s, &t, state, state == MAP_MAPPED ? &p : NULL, reason,
			 flags & MAP_ALLOW_DUPLICATE, via, action, err)) != HMX_OK) {
		store_rollback(s);
		return rc;
	}
	if ((rc = store_commit(s, err)) != HMX_OK)
		return rc;
	tick_after(s, cycle, ticks, nticks);
	return HMX_OK;
}

enum hmx_rc mapping_set(struct store *s, const char *cycle, const char *ref, const char *src_id,
			const char *project, unsigned flags, struct map_tick **ticks,
			size_t *nticks, struct hmx_err *err)
{
	return one_decision(s, cycle, ref, src_id, MAP_MAPPED, project, NULL, flags, true, "map.set",
			    ticks, nticks, err);
}

static bool valid_reason(const char *r)
{
	size_t n = r ? strlen(r) : 0;

	if (n == 0 || n > 120)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)r[i] < 0x20)
			return false;
	return true;
}

enum hmx_rc mapping_not_ours(struct store *s, const char *cycle, const char *ref,
			     const char *src_id, const char *reason, struct map_tick **ticks,
			     size_t *nticks, struct hmx_err *err)
{
	if (ticks)
		*ticks = NULL;
	if (nticks)
		*nticks = 0;
	if (!valid_reason(reason))
		return hmx_err_set(err, HMX_EINVAL,
				   "say why the project is not ours: one line of 1-120 characters");
	return one_decision(s, cycle, ref, src_id, MAP_NOT_OURS, NULL, reason, 0, false, "map.not-ours",
			    ticks, nticks, err);
}

enum hmx_rc mapping_clear(struct store *s, const char *cycle, const char *ref, const char *src_id,
			  struct map_tick **ticks, size_t *nticks, struct hmx_err *err)
{
	return one_decision(s, cycle, ref, src_id, MAP_UNMAPPED, NULL, NULL, 0, false, "map.clear", ticks,
			    nticks, err);
}

enum hmx_rc mapping_create(struct store *s, const char *cycle, const char *ref,
			   const char *src_id, const struct map_new_project *np, unsigned flags,
			   struct map_tick **ticks, size_t *nticks, struct hmx_err *err)
{
	struct target t;
	struct reg_project existing;
	enum reg_source kind;
	const char *agency, *name, *hud;
	char why[sizeof err->msg];
	enum hmx_rc rc;

	if (ticks)
		*ticks = NULL;
	if (nticks)
		*nticks = 0;
	if (!np || !np->code || !np->code[0])
		return hmx_err_set(err, HMX_EINVAL, "give the new project's code");
	if ((rc = find_target(s, cycle, ref, src_id, &t, err)) != HMX_OK)
		return rc;
	if (reg_project_get(s, np->code, &existing, NULL) == HMX_OK)
		return hmx_err_set(err, HMX_EEXIST,
				   "project %s already exists: map onto it with 'hmx map %s %.12s %s %s'",
				   np->code, cycle, t.in.sha256, src_id, np->code);
	if (strcmp(t.in.source, "rdc") == 0)
		kind = REG_SRC_RDC_DIRECT;
	else if (strncmp(t.in.source, "agency:", 7) == 0)
		kind = REG_SRC_OUTSIDE_AGENCY;
	else
		kind = REG_SRC_HMIS;
	if (np->kind)
		kind = *np->kind;
	agency = np->agency ? np->agency :
		 strncmp(t.in.source, "agency:", 7) == 0 ? t.in.source + 7 : NULL;
	if (!agency)
		return hmx_err_set(err, HMX_EINVAL, "say which agency runs the new project: --agency CODE");
	name = np->name && np->name[0] ? np->name : t.name;
	if (!name[0])
		return hmx_err_set(err, HMX_EINVAL,
				   "the file gives no name for ProjectID %s: give --name NAME", src_id);
	hud = np->hud_id ? np->hud_id : strcmp(t.in.source, "hmis") == 0 ? src_id : NULL;
	if ((rc = reg_project_add(s, np->code, name, agency, kind, hud, err)) != HMX_OK)
		return rc;
	rc = one_decision(s, cycle, ref, src_id, MAP_MAPPED, np->code, NULL, flags, false, "map.create",
			  ticks, nticks, err);
	if (rc != HMX_OK && err) {
		hmx_strlcpy(why, err->msg, sizeof why);
		hmx_err_set(err, rc, "project %s was added but ProjectID %s is not mapped: %s",
			    np->code, src_id, why);
	}
	return rc;
}

enum hmx_rc mapping_accept(struct store *s, const char *cycle, const char *ref, size_t *accepted,
			   size_t *skipped, struct map_tick **ticks, size_t *nticks,
			   struct hmx_err *err)
{
	struct map_view v;
	struct intake_info only;
	size_t acc = 0, skip = 0;
	enum hmx_rc rc;

	if (ticks)
		*ticks = NULL;
	if (nticks)
		*nticks = 0;
	if (ref && (rc = intake_get(s, cycle, ref, &only, err)) != HMX_OK)
		return rc;
	if ((rc = mapping_view(s, cycle, &v, err)) != HMX_OK)
		return rc;
	if ((rc = store_begin(s, err)) != HMX_OK) {
		mapping_view_free(&v);
		return rc;
	}
	for (size_t i = 0; i < v.nrows && rc == HMX_OK; i++) {
		const struct map_row *r = &v.rows[i];
		const struct map_proposal *pr = &r->proposal;
		struct target t;
		struct reg_project p;
		struct hmx_err e2;

		if (r->state != MAP_UNMAPPED)
			continue;
		if (ref && v.files[r->file].id != only.id)
			continue;
		if (pr->via != MAP_VIA_ALIAS && pr->via != MAP_VIA_HUD_ID) {
			skip++;
			continue;
		}
		if (pr->inactive || (!pr->not_ours && !pr->project[0])) {
			skip++;
			continue;
		}
		if ((rc = find_target(s, cycle, v.files[r->file].sha256, r->src_id, &t, err)) != HMX_OK)
			break;
		if (pr->not_ours) {
			rc = decide(s, &t, MAP_NOT_OURS, NULL, pr->reason[0] ? pr->reason : "remembered",
				    false, pr->via, "map.accept", err);
		} else {
			if ((rc = reg_project_get(s, pr->project, &p, err)) != HMX_OK)
				break;
			rc = decide(s, &t, MAP_MAPPED, &p, NULL, false, pr->via, "map.accept", &e2);
			if (rc == HMX_ESTATE) {
				/* a duplicate or inactive project: left for the admin */
				rc = HMX_OK;
				skip++;
				continue;
			}
			if (rc != HMX_OK && err)
				*err = e2;
		}
		if (rc == HMX_OK)
			acc++;
	}
	mapping_view_free(&v);
	if (rc != HMX_OK) {
		store_rollback(s);
		return rc;
	}
	if ((rc = store_commit(s, err)) != HMX_OK)
		return rc;
	if (accepted)
		*accepted = acc;
	if (skipped)
		*skipped = skip;
	tick_after(s, cycle, ticks, nticks);
	return HMX_OK;
}

/* ---- ticking the per-project sub-items ----------------------------------- */

struct cover {
	char project[48];
	char sha[65];
	char src_id[64];
};

/* Mapped projects of the cycle from files of the rule's source. */
static enum hmx_rc load_covers(struct store *s, const char *cycle, const char *rule_source,
			       struct cover **out, size_t *n, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT p.code, f.sha256, m.source_project_id FROM file_map m "
					 "JOIN intake i ON i.id = m.intake_id JOIN file f ON f.id = i.file_id "
					 "JOIN cycle c ON c.id = i.cycle_id JOIN project p ON p.id = m.project_id "
					 "WHERE c.code = ?1 AND m.state = 'mapped' AND (i.source = ?2 OR "
					 "(?2 = 'agency' AND i.source LIKE 'agency:%')) ORDER BY i.id, m.id",
					 err);
	struct cover *arr = NULL, *na;
	size_t cap = 0, count = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, cycle, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rule_source, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!(na = hmx_grow(arr, &cap, count, sizeof *arr))) {
			free(arr);
			sqlite3_finalize(st);
			return hmx_err_set(err, HMX_ENOMEM, "out of memory");
		}
		arr = na;
		store_col_text(st, 0, arr[count].project, sizeof arr[count].project);
		store_col_text(st, 1, arr[count].sha, sizeof arr[count].sha);
		store_col_text(st, 2, arr[count].src_id, sizeof arr[count].src_id);
		count++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(arr);
		return store_fail(s, err, "cannot read the mappings");
	}
	*out = arr;
	*n = count;
	return HMX_OK;
}

/* Is note one hmx wrote as evidence of a mapped file? */
static bool evidence_note(const char *note)
{
	return strncmp(note, "file ", 5) == 0 && strstr(note, " mapped (ProjectID ");
}

static enum hmx_rc add_tick(struct map_tick **arr, size_t *cap, size_t *n, const char *step,
			    enum step_state from, enum step_state to, const char *note,
			    struct hmx_err *err)
{
	struct map_tick *na = hmx_grow(*arr, cap, *n, sizeof **arr);

	if (!na)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	*arr = na;
	hmx_strlcpy(na[*n].step, step, sizeof na[*n].step);
	na[*n].from = from;
	na[*n].to = to;
	hmx_strlcpy(na[*n].note, note, sizeof na[*n].note);
	(*n)++;
	return HMX_OK;
}

enum hmx_rc mapping_tick(struct store *s, const char *cycle, struct map_tick **ticks,
			 size_t *nticks, struct hmx_err *err)
{
	struct cycle_info c;
	const struct intake_kind_rule *rule;
	struct step_info *steps = NULL;
	struct cover *cov = NULL;
	struct map_tick *out = NULL;
	size_t nsteps = 0, ncov = 0, cap = 0, nout = 0;
	enum hmx_rc rc;

	if (ticks)
		*ticks = NULL;
	if (nticks)
		*nticks = 0;
	if ((rc = cycle_get(s, cycle, cal_today(), &c, err)) != HMX_OK)
		return rc;
	rule = intake_kind_rule(c.kind);
	if (!rule || !rule->tick_step[0])
		return HMX_OK;
	if ((rc = step_list(s, cycle, &steps, &nsteps, err)) != HMX_OK ||
	    (rc = load_covers(s, cycle, rule->source, &cov, &ncov, err)) != HMX_OK)
		goto done;
	for (size_t i = 0; i < nsteps && rc == HMX_OK; i++) {
		const struct step_info *si = &steps[i];
		const struct cover *cv = NULL;
		char note[256];
		struct hmx_err e2;

		if (strcmp(si->parent, rule->tick_step) != 0 || !si->project[0])
			continue;
		for (size_t k = 0; k < ncov && !cv; k++)
			if (strcmp(cov[k].project, si->project) == 0)
				cv = &cov[k];
		if (cv && (si->state == STEP_TODO || si->state == STEP_IN_PROGRESS)) {
			snprintf(note, sizeof note, "file %.12s mapped (ProjectID %.64s)", cv->sha,
				 cv->src_id);
			if (step_set(s, cycle, si->code, STEP_DONE, note, &e2) == HMX_OK) {
				rc = add_tick(&out, &cap, &nout, si->code, si->state, STEP_DONE, note, err);
				continue;
			}
			if (e2.rc != HMX_ESTATE) {
				if (err)
					*err = e2;
				rc = e2.rc;
				break;
			}
			/* a gate of the parent step is open: record the file, finish later */
			snprintf(note, sizeof note, "file %.12s mapped (ProjectID %.64s); done once the "
				 "gates of %s are closed", cv->sha, cv->src_id, rule->tick_step);
			if (si->state == STEP_IN_PROGRESS && strcmp(si->note, note) == 0)
				continue;
			if ((rc = step_set(s, cycle, si->code, STEP_IN_PROGRESS, note, err)) == HMX_OK)
				rc = add_tick(&out, &cap, &nout, si->code, si->state, STEP_IN_PROGRESS,
					      note, err);
		} else if (!cv && (si->state == STEP_DONE || si->state == STEP_IN_PROGRESS) &&
			   evidence_note(si->note)) {
			snprintf(note, sizeof note, "%.12s no longer mapped to %s", si->note + 5,
				 si->project);
			memmove(note + 5, note, strlen(note) + 1);
			memcpy(note, "file ", 5);
			if ((rc = step_set(s, cycle, si->code, STEP_TODO, note, err)) == HMX_OK)
				rc = add_tick(&out, &cap, &nout, si->code, si->state, STEP_TODO, note, err);
		}
	}
done:
	free(steps);
	free(cov);
	if (rc != HMX_OK) {
		free(out);
		return rc;
	}
	if (ticks)
		*ticks = out;
	else
		free(out);
	if (nticks)
		*nticks = nout;
	return HMX_OK;
}

/* ---- remembered aliases -------------------------------------------------- */

static void read_alias(sqlite3_stmt *st, void *row)
{
	struct map_alias *a = row;

	store_col_text(st, 0, a->source, sizeof a->source);
	store_col_text(st, 1, a->src_id, sizeof a->src_id);
	store_col_text(st, 2, a->project, sizeof a->project);
	a->not_ours = sqlite3_column_int(st, 3) != 0;
	store_col_text(st, 4, a->reason, sizeof a->reason);
	store_col_text(st, 5, a->at, sizeof a->at);
	store_col_text(st, 6, a->who, sizeof a->who);
}

enum hmx_rc mapping_aliases(struct store *s, const char *project, struct map_alias **out,
			    size_t *n, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT a.source, a.source_project_id, coalesce(p.code, ''), "
					 "a.project_id IS NULL, a.not_ours_reason, a.at, a.who "
					 "FROM project_alias a LEFT JOIN project p ON p.id = a.project_id "
					 "WHERE ?1 IS NULL OR p.code = ?1 "
					 "ORDER BY coalesce(p.code, ''), a.source, a.source_project_id",
					 err);
	enum hmx_rc rc;
	void *v;

	*out = NULL;
	*n = 0;
	if (!st)
		return HMX_EDB;
	if (project)
		sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	rc = store_collect(s, st, sizeof **out, read_alias, &v, n, "cannot read the aliases", err);
	*out = v;
	return rc;
}
