/* core/cycle.c — checklist templates (assets/templates/KIND.ini), cycles and
 * their steps, step state changes with gates, history and undo. */
#include "cycle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asset.h"
#include "audit.h"
#include "review.h"
#include "config.h"
#include "ini.h"
#include "registry.h"

/* ---- states and due status ------------------------------------------ */

static const char *const state_names[] = {
	[STEP_TODO] = "todo",
	[STEP_IN_PROGRESS] = "in-progress",
	[STEP_DONE] = "done",
	[STEP_SKIPPED] = "skipped",
	[STEP_BLOCKED] = "blocked",
};

const char *step_state_name(enum step_state st)
{
	return (unsigned)st <= STEP_BLOCKED ? state_names[st] : "?";
}

bool step_state_parse(const char *s, enum step_state *out)
{
	static const struct { const char *alias; enum step_state st; } aliases[] = {
		{ "in_progress", STEP_IN_PROGRESS }, { "doing", STEP_IN_PROGRESS },
		{ "start", STEP_IN_PROGRESS },       { "started", STEP_IN_PROGRESS },
	};

	for (unsigned i = 0; i <= STEP_BLOCKED; i++) {
		if (strcmp(s, state_names[i]) == 0) {
			*out = (enum step_state)i;
			return true;
		}
	}
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
		if (strcmp(s, aliases[i].alias) == 0) {
			*out = aliases[i].st;
			return true;
		}
	}
	return false;
}

bool step_state_closed(enum step_state st)
{
	return st == STEP_DONE || st == STEP_SKIPPED;
}

enum due_status cycle_due(cal_day deadline, enum step_state st, cal_day today, int soon_days)
{
	if (step_state_closed(st))
		return DUE_MET;
	if (deadline == CAL_NO_DAY)
		return DUE_NONE;
	if (today > deadline)
		return DUE_OVERDUE;
	if (today == deadline)
		return DUE_TODAY;
	if (deadline - today <= soon_days)
		return DUE_SOON;
	return DUE_LATER;
}

const char *cycle_due_name(enum due_status d)
{
	static const char *const names[] = { "none", "later", "soon", "today", "overdue", "met" };

	return (unsigned)d <= DUE_MET ? names[d] : "?";
}

/* ---- actors ----------------------------------------------------------- */

static const struct { const char *id, *label; } actors[] = {
	{ "hmis-admin", "HMIS Sys Admin" },
	{ "rdc-admin", "RDC Sys Admin" },
	{ "vendor", "Vendor" },
	{ "agency", "Outside agency" },
};

static const char *actor_label(const char *id)
{
	for (size_t i = 0; i < sizeof actors / sizeof actors[0]; i++)
		if (strcmp(actors[i].id, id) == 0)
			return actors[i].label;
	return NULL;
}

/* ---- conditions ------------------------------------------------------- */

/* What a step may require besides its gates (template key "requires",
 * copied into step.requires): a check that sets err and returns
 * HMX_ESTATE while the condition does not hold. */
static enum hmx_rc cond_review(struct store *s, int64_t cycle_id, const char *cycle,
			       const char *step, enum review_sev min, struct hmx_err *err)
{
	int64_t n;
	enum hmx_rc rc = review_blockers(s, cycle_id, min, &n, err);

	if (rc != HMX_OK || n == 0)
		return rc;
	return hmx_err_set(err, HMX_ESTATE,
			   "cannot mark %s done: %lld %s finding%s of the demo-site review %s not "
			   "resolved or waived (hmx findings %s --pending%s)",
			   step, (long long)n, min == RS_BLOCKING ? "blocking" : "blocking or error",
			   n == 1 ? "" : "s", n == 1 ? "is" : "are", cycle,
			   min == RS_BLOCKING ? " --severity blocking" : "");
}

static enum hmx_rc cond_review_clear(struct store *s, int64_t cycle_id, const char *cycle,
				     const char *step, struct hmx_err *err)
{
	return cond_review(s, cycle_id, cycle, step, RS_BLOCKING, err);
}

static enum hmx_rc cond_review_clear_errors(struct store *s, int64_t cycle_id, const char *cycle,
					    const char *step, struct hmx_err *err)
{
	return cond_review(s, cycle_id, cycle, step, RS_ERROR, err);
}

static const struct {
	const char *name;
	enum hmx_rc (*check)(struct store *s, int64_t cycle_id, const char *cycle,
			     const char *step, struct hmx_err *err);
} conditions[] = {
	/* no blocking finding of the review is open, fix-proposed, approved
	 * (not yet confirmed by a run) or rejected */
	{ "review-clear", cond_review_clear },
	/* the same for blocking and error findings */
	{ "review-clear-errors", cond_review_clear_errors },
};

static int find_condition(const char *name)
{
	for (size_t i = 0; i < sizeof conditions / sizeof conditions[0]; i++)
		if (strcmp(conditions[i].name, name) == 0)
			return (int)i + 1;
	return 0;
}

/* ---- templates -------------------------------------------------------- */

struct tpl_step {
	char code[32];
	char title[160];
	char source[128];
	char actor[32];
	char rule[48];
	char gates[128];
	char requires[32];
	char expand[32];
	char item[160];
};

struct tpl {
	struct cycle_kind kind;
	int order;
	struct tpl_step *steps;
	size_t n_steps, cap;
};

static struct tpl *tpls;
static struct cycle_kind *kinds;
static size_t n_tpls;
static bool tpls_loaded;
static struct hmx_err tpl_err;

static bool set_field(char *dst, size_t n, const char *value, const char *key, int line,
		      struct hmx_err *err)
{
	if (strlen(value) >= n) {
		hmx_err_set(err, HMX_EINVAL, "line %d: %s is too long", line, key);
		return false;
	}
	hmx_strlcpy(dst, value, n);
	return true;
}

static bool tpl_key(void *ctx, const char *section, const char *key, const char *value, int line,
		    struct hmx_err *err)
{
	struct tpl *t = ctx;
	struct tpl_step *st;

	if (strcmp(section, "cycle") == 0) {
		if (strcmp(key, "id") == 0)
			return set_field(t->kind.id, sizeof t->kind.id, value, key, line, err);
		if (strcmp(key, "title") == 0)
			return set_field(t->kind.title, sizeof t->kind.title, value, key, line, err);
		if (strcmp(key, "periods") == 0)
			return set_field(t->kind.periods, sizeof t->kind.periods, value, key, line, err);
		if (strcmp(key, "source") == 0)
			return set_field(t->kind.source, sizeof t->kind.source, value, key, line, err);
		if (strcmp(key, "order") == 0) {
			t->order = atoi(value);
			return true;
		}
	} else if (strncmp(section, "step ", 5) == 0) {
		const char *code = section + 5;

		if (t->n_steps == 0 || strcmp(t->steps[t->n_steps - 1].code, code) != 0) {
			struct tpl_step *ns = hmx_grow(t->steps, &t->cap, t->n_steps, sizeof *ns);
			if (!ns) {
				hmx_err_set(err, HMX_ENOMEM, "out of memory");
				return false;
			}
			t->steps = ns;
			st = &t->steps[t->n_steps++];
			memset(st, 0, sizeof *st);
			hmx_strlcpy(st->rule, "none", sizeof st->rule);
			if (!set_field(st->code, sizeof st->code, code, "step code", line, err))
				return false;
		}
		st = &t->steps[t->n_steps - 1];
		if (strcmp(key, "title") == 0)
			return set_field(st->title, sizeof st->title, value, key, line, err);
		if (strcmp(key, "source") == 0)
			return set_field(st->source, sizeof st->source, value, key, line, err);
		if (strcmp(key, "actor") == 0) {
			if (!actor_label(value)) {
				hmx_err_set(err, HMX_EINVAL, "line %d: unknown actor \"%s\"", line, value);
				return false;
			}
			return set_field(st->actor, sizeof st->actor, value, key, line, err);
		}
		if (strcmp(key, "deadline") == 0)
			return set_field(st->rule, sizeof st->rule, value, key, line, err);
		if (strcmp(key, "gates") == 0)
			return set_field(st->gates, sizeof st->gates, value, key, line, err);
		if (strcmp(key, "requires") == 0) {
			if (!find_condition(value)) {
				hmx_err_set(err, HMX_EINVAL, "line %d: unknown condition \"%s\"", line, value);
				return false;
			}
			return set_field(st->requires, sizeof st->requires, value, key, line, err);
		}
		if (strcmp(key, "expand") == 0) {
			enum reg_source src;
			if (!reg_source_parse(value, &src) || src == REG_SRC_HMIS) {
				hmx_err_set(err, HMX_EINVAL, "line %d: expand must be rdc-direct or outside-agency",
					    line);
				return false;
			}
			return set_field(st->expand, sizeof st->expand, value, key, line, err);
		}
		if (strcmp(key, "item") == 0)
			return set_field(st->item, sizeof st->item, value, key, line, err);
	}
	hmx_err_set(err, HMX_EINVAL, "line %d: unknown key \"%s\" in [%s]", line, key, section);
	return false;
}

/* Checks what the parser cannot: required fields, rules, gate names. */
static enum hmx_rc tpl_check(const struct tpl *t, const char *name, struct hmx_err *err)
{
	if (!t->kind.id[0] || !t->kind.title[0] || !t->kind.periods[0] || t->n_steps == 0)
		return hmx_err_set(err, HMX_EINVAL, "%s: [cycle] needs id, title, periods and steps", name);
	for (size_t i = 0; i < t->n_steps; i++) {
		const struct tpl_step *st = &t->steps[i];
		char gates[128], *save = NULL;

		if (!st->title[0] || !st->source[0] || !st->actor[0])
			return hmx_err_set(err, HMX_EINVAL, "%s: step %s needs title, source and actor", name,
					   st->code);
		if (strncmp(st->rule, "config:", 7) == 0) {
			if (!config_known(st->rule + 7))
				return hmx_err_set(err, HMX_EINVAL, "%s: step %s: unknown setting in %s", name,
						   st->code, st->rule);
		} else if (!cal_rule_valid(st->rule)) {
			return hmx_err_set(err, HMX_EINVAL, "%s: step %s: bad deadline rule \"%s\"", name,
					   st->code, st->rule);
		}
		if (st->expand[0] && !st->item[0])
			return hmx_err_set(err, HMX_EINVAL, "%s: step %s: expand needs item", name, st->code);
		hmx_strlcpy(gates, st->gates, sizeof gates);
		for (char *g = strtok_r(gates, " ", &save); g; g = strtok_r(NULL, " ", &save)) {
			bool found = strcmp(g, "all-before") == 0;
			for (size_t k = 0; k < i && !found; k++)
				found = strcmp(t->steps[k].code, g) == 0;
			if (!found)
				return hmx_err_set(err, HMX_EINVAL,
						   "%s: step %s: gate \"%s\" is not an earlier step", name,
						   st->code, g);
		}
	}
	return HMX_OK;
}

static int tpl_cmp(const void *a, const void *b)
{
	const struct tpl *x = a, *y = b;

	return x->order != y->order ? (x->order < y->order ? -1 : 1) : strcmp(x->kind.id, y->kind.id);
}

static enum hmx_rc load_templates(struct hmx_err *err)
{
	const char *name;
	size_t cap = 0;

	if (tpls_loaded) {
		if (tpl_err.rc != HMX_OK && err)
			*err = tpl_err;
		return tpl_err.rc;
	}
	tpls_loaded = true;
	for (size_t i = 0; (name = asset_name(i)) != NULL; i++) {
		size_t len = strlen(name);
		struct tpl *nt;

		if (strncmp(name, "templates/", 10) != 0 || len < 4 || strcmp(name + len - 4, ".ini") != 0)
			continue;
		if (!(nt = hmx_grow(tpls, &cap, n_tpls, sizeof *tpls))) {
			hmx_err_set(&tpl_err, HMX_ENOMEM, "out of memory");
			break;
		}
		tpls = nt;
		memset(&tpls[n_tpls], 0, sizeof *tpls);
		if (ini_parse(asset_get(name, NULL), name, tpl_key, &tpls[n_tpls], &tpl_err) != HMX_OK ||
		    tpl_check(&tpls[n_tpls], name, &tpl_err) != HMX_OK) {
			n_tpls++;
			break;
		}
		n_tpls++;
	}
	if (tpl_err.rc == HMX_OK) {
		qsort(tpls, n_tpls, sizeof *tpls, tpl_cmp);
		kinds = calloc(n_tpls ? n_tpls : 1, sizeof *kinds);
		if (!kinds)
			hmx_err_set(&tpl_err, HMX_ENOMEM, "out of memory");
		for (size_t i = 0; kinds && i < n_tpls; i++)
			kinds[i] = tpls[i].kind;
	}
	if (tpl_err.rc != HMX_OK && err)
		*err = tpl_err;
	return tpl_err.rc;
}

enum hmx_rc cycle_kinds(const struct cycle_kind **out, size_t *n, struct hmx_err *err)
{
	enum hmx_rc rc = load_templates(err);

	*out = rc == HMX_OK ? kinds : NULL;
	*n = rc == HMX_OK ? n_tpls : 0;
	return rc;
}

static const struct tpl *find_tpl(const char *kind)
{
	for (size_t i = 0; i < n_tpls; i++)
		if (strcmp(tpls[i].kind.id, kind) == 0)
			return &tpls[i];
	return NULL;
}

/* ---- cycles ----------------------------------------------------------- */

static const char *period_kind_word(enum cal_period_kind k)
{
	return k == CAL_QUARTER ? "quarter" : k == CAL_BIMONTH ? "bimonth" : "year";
}

static bool period_allowed(const struct tpl *t, enum cal_period_kind k)
{
	char buf[64], *save = NULL;

	hmx_strlcpy(buf, t->kind.periods, sizeof buf);
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
		if (strcmp(w, period_kind_word(k)) == 0)
			return true;
	return false;
}

static enum hmx_rc bind_exec(struct store *s, sqlite3_stmt *st, struct hmx_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, err, "cannot save");
	return HMX_OK;
}

/* Replaces {project} and {agency} in an item template. */
static void expand_item(char *out, size_t n, const char *tpl, const struct reg_project *p)
{
	size_t o = 0;

	for (const char *c = tpl; *c && o + 1 < n;) {
		const char *rep = NULL;
		size_t skip = 0;

		if (strncmp(c, "{project}", 9) == 0) {
			rep = p->name;
			skip = 9;
		} else if (strncmp(c, "{agency}", 8) == 0) {
			rep = p->agency_code;
			skip = 8;
		}
		if (rep) {
			size_t len = strlen(rep);
			if (len > n - 1 - o)
				len = n - 1 - o;
			memcpy(out + o, rep, len);
			o += len;
			c += skip;
		} else {
			out[o++] = *c++;
		}
	}
	out[o] = '\0';
	/* do not leave half a UTF-8 character at a truncation */
	hmx_strlcpy(out, out, n);
}

static enum hmx_rc insert_steps(struct store *s, const struct tpl *t, int64_t cycle_id,
				struct hmx_err *err)
{
	sqlite3_stmt *st;
	enum hmx_rc rc = HMX_OK;
	int ord = 0;

	st = store_prepare(s,
			   "INSERT INTO step(cycle_id, code, parent_id, ord, title, source, actor, "
			   "project_id, gates, rule, requires) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
			   "?10, ?11)",
			   err);
	if (!st)
		return HMX_EDB;
	for (size_t i = 0; i < t->n_steps && rc == HMX_OK; i++) {
		const struct tpl_step *ts = &t->steps[i];
		char gates[512] = "";
		int64_t parent;

		if (strcmp(ts->gates, "all-before") == 0) {
			for (size_t k = 0; k < i; k++) {
				strncat(gates, k ? " " : "", sizeof gates - strlen(gates) - 1);
				strncat(gates, t->steps[k].code, sizeof gates - strlen(gates) - 1);
			}
		} else {
			hmx_strlcpy(gates, ts->gates, sizeof gates);
		}
		sqlite3_bind_int64(st, 1, cycle_id);
		sqlite3_bind_text(st, 2, ts->code, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, ++ord);
		sqlite3_bind_text(st, 5, ts->title, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, ts->source, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, ts->actor, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 9, gates, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 10, ts->rule, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 11, ts->requires, -1, SQLITE_STATIC);
		if ((rc = bind_exec(s, st, err)) != HMX_OK || !ts->expand[0])
			continue;
		parent = sqlite3_last_insert_rowid(store_db(s));
		{
			enum reg_source src;
			struct reg_project *ps = NULL;
			size_t np = 0;

			reg_source_parse(ts->expand, &src);
			if ((rc = reg_project_list(s, &src, &ps, &np, err)) != HMX_OK)
				break;
			for (size_t k = 0; k < np && rc == HMX_OK; k++) {
				char code[96], title[160];

				if (!ps[k].active)
					continue;
				snprintf(code, sizeof code, "%s/%s", ts->code, ps[k].code);
				expand_item(title, sizeof title, ts->item, &ps[k]);
				sqlite3_bind_int64(st, 1, cycle_id);
				sqlite3_bind_text(st, 2, code, -1, SQLITE_TRANSIENT);
				sqlite3_bind_int64(st, 3, parent);
				sqlite3_bind_int(st, 4, ++ord);
				sqlite3_bind_text(st, 5, title, -1, SQLITE_TRANSIENT);
				sqlite3_bind_text(st, 6, ts->source, -1, SQLITE_STATIC);
				sqlite3_bind_text(st, 7, ts->actor, -1, SQLITE_STATIC);
				sqlite3_bind_int64(st, 8, ps[k].id);
				sqlite3_bind_text(st, 9, "", -1, SQLITE_STATIC);
				sqlite3_bind_text(st, 10, ts->rule, -1, SQLITE_STATIC);
				sqlite3_bind_text(st, 11, "", -1, SQLITE_STATIC);
				rc = bind_exec(s, st, err);
			}
			free(ps);
		}
	}
	sqlite3_finalize(st);
	return rc;
}

enum hmx_rc cycle_new(struct store *s, const char *kind, const char *period, char *code_out,
		      struct hmx_err *err)
{
	const struct tpl *t;
	struct cal_period p;
	sqlite3_stmt *st;
	char code[64], now[21], after[160];
	enum hmx_rc rc;
	int src;

	if ((rc = load_templates(err)) != HMX_OK)
		return rc;
	if (!(t = find_tpl(kind))) {
		char known[256] = "";
		for (size_t i = 0; i < n_tpls; i++) {
			strncat(known, i ? ", " : "", sizeof known - strlen(known) - 1);
			strncat(known, tpls[i].kind.id, sizeof known - strlen(known) - 1);
		}
		return hmx_err_set(err, HMX_EINVAL, "unknown cycle kind \"%s\"; known: %s", kind, known);
	}
	if ((rc = cal_period_parse(period, config_fy_start(s), &p, err)) != HMX_OK)
		return rc;
	if (!period_allowed(t, p.kind))
		return hmx_err_set(err, HMX_EINVAL, "a %s cycle takes a %s period, not %s (%s)", kind,
				   t->kind.periods, p.name, cal_period_kind_name(p.kind));
	snprintf(code, sizeof code, "%s-%s", kind, p.name);
	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	st = store_prepare(s,
			   "INSERT INTO cycle(code, kind, period, start_day, end_day, fy_start, "
			   "created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
			   err);
	if (!st) {
		rc = HMX_EDB;
		goto fail;
	}
	hmx_now_utc(now);
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p.name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, p.start);
	sqlite3_bind_int(st, 5, p.end);
	sqlite3_bind_int(st, 6, p.start_month);
	sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, hmx_actor(), -1, SQLITE_TRANSIENT);
	src = sqlite3_step(st);
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		if (sqlite3_extended_errcode(store_db(s)) == SQLITE_CONSTRAINT_UNIQUE)
			rc = hmx_err_set(err, HMX_EEXIST, "cycle %s already exists", code);
		else
			rc = store_fail(s, err, "cannot create the cycle");
		goto fail;
	}
	if ((rc = insert_steps(s, t, sqlite3_last_insert_rowid(store_db(s)), err)) != HMX_OK)
		goto fail;
	snprintf(after, sizeof after, "%s %s", kind, p.name);
	if ((rc = audit_write(s, "cycle.new", code, NULL, after, err)) != HMX_OK)
		goto fail;
	if ((rc = store_commit(s, err)) != HMX_OK)
		return rc;
	if (code_out)
		hmx_strlcpy(code_out, code, 64);
	return HMX_OK;
fail:
	store_rollback(s);
	return rc;
}

/* ---- reading cycles and steps ------------------------------------------ */

struct cycle_row {
	int64_t id;
	char code[64], kind[32], period[16];
	cal_day start, end;
	int fy_start;
};

#define CYCLE_SELECT "SELECT id, code, kind, period, start_day, end_day, fy_start FROM cycle "

static void read_cycle_row(sqlite3_stmt *st, void *row)
{
	struct cycle_row *c = row;

	c->id = sqlite3_column_int64(st, 0);
	store_col_text(st, 1, c->code, sizeof c->code);
	store_col_text(st, 2, c->kind, sizeof c->kind);
	store_col_text(st, 3, c->period, sizeof c->period);
	c->start = sqlite3_column_int(st, 4);
	c->end = sqlite3_column_int(st, 5);
	c->fy_start = sqlite3_column_int(st, 6);
}

static enum hmx_rc find_cycle(struct store *s, const char *code, struct cycle_row *c,
			      struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, CYCLE_SELECT "WHERE code = ?1", err);
	int rc;

	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_cycle_row(st, c);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return hmx_err_set(err, HMX_ENOTFOUND, "no cycle \"%s\" (see 'hmx cycle list')", code);
	if (rc != SQLITE_ROW)
		return store_fail(s, err, "cannot read the cycle");
	return HMX_OK;
}

/* Deadline of a step: its rule (or the rule in the named setting) applied
 * to the cycle's period. Malformed rules count as no deadline. */
static cal_day step_deadline(struct store *s, const struct cycle_row *c, const char *rule)
{
	struct cal_period p;
	char buf[64];
	cal_day d;

	if (strncmp(rule, "config:", 7) == 0) {
		if (config_get(s, rule + 7, buf, sizeof buf, NULL) != HMX_OK)
			return CAL_NO_DAY;
		rule = buf;
	}
	if (cal_period_parse(c->period, c->fy_start, &p, NULL) != HMX_OK ||
	    cal_deadline(rule, &p, &d, NULL) != HMX_OK)
		return CAL_NO_DAY;
	return d;
}

static void read_step(sqlite3_stmt *st, void *row)
{
	struct step_info *si = row;
	char state[16];
	const char *label;

	si->id = sqlite3_column_int64(st, 0);
	store_col_text(st, 1, si->code, sizeof si->code);
	store_col_text(st, 2, si->parent, sizeof si->parent);
	si->depth = si->parent[0] ? 1 : 0;
	store_col_text(st, 3, si->title, sizeof si->title);
	store_col_text(st, 4, si->source, sizeof si->source);
	store_col_text(st, 5, si->actor, sizeof si->actor);
	label = actor_label(si->actor);
	hmx_strlcpy(si->actor_label, label ? label : si->actor, sizeof si->actor_label);
	store_col_text(st, 6, si->project, sizeof si->project);
	store_col_text(st, 7, si->gates, sizeof si->gates);
	store_col_text(st, 8, si->rule, sizeof si->rule);
	store_col_text(st, 9, state, sizeof state);
	if (!step_state_parse(state, &si->state))
		si->state = STEP_TODO;
	store_col_text(st, 10, si->note, sizeof si->note);
	store_col_text(st, 11, si->updated_at, sizeof si->updated_at);
	store_col_text(st, 12, si->updated_by, sizeof si->updated_by);
	store_col_text(st, 13, si->requires, sizeof si->requires);
}

static enum hmx_rc load_steps(struct store *s, const struct cycle_row *c, struct step_info **out,
			      size_t *n, struct hmx_err *err)
{
	sqlite3_stmt *st;
	struct step_info *arr;
	size_t count;
	void *v;

	*out = NULL;
	*n = 0;
	st = store_prepare(s,
			   "SELECT s.id, s.code, coalesce(p.code, ''), s.title, s.source, s.actor, "
			   "coalesce(pr.code, ''), s.gates, s.rule, s.state, s.note, s.updated_at, "
			   "s.updated_by, s.requires FROM step s LEFT JOIN step p ON p.id = s.parent_id "
			   "LEFT JOIN project pr ON pr.id = s.project_id "
			   "WHERE s.cycle_id = ?1 ORDER BY s.ord",
			   err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, c->id);
	if (store_collect(s, st, sizeof *arr, read_step, &v, &count, "cannot read the steps", err) !=
	    HMX_OK)
		return err ? err->rc : HMX_EDB;
	arr = v;
	for (size_t i = 0; i < count; i++) {
		arr[i].deadline = step_deadline(s, c, arr[i].rule);
		if (!arr[i].depth)
			continue;
		for (size_t k = i; k-- > 0;) {
			if (strcmp(arr[k].code, arr[i].parent) == 0) {
				arr[k].n_children++;
				arr[k].n_children_closed += step_state_closed(arr[i].state);
				break;
			}
		}
	}
	*out = arr;
	*n = count;
	return HMX_OK;
}

enum hmx_rc step_list(struct store *s, const char *cycle, struct step_info **out, size_t *n,
		      struct hmx_err *err)
{
	struct cycle_row c;
	enum hmx_rc rc = find_cycle(s, cycle, &c, err);

	if (rc != HMX_OK) {
		*out = NULL;
		*n = 0;
		return rc;
	}
	return load_steps(s, &c, out, n, err);
}

static const struct step_info *find_step(const struct step_info *steps, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(steps[i].code, code) == 0)
			return &steps[i];
	return NULL;
}

static enum hmx_rc no_step(const char *cycle, const char *step, struct hmx_err *err)
{
	return hmx_err_set(err, HMX_ENOTFOUND, "no step \"%s\" in cycle %s (see 'hmx step list %s')",
			   step, cycle, cycle);
}

enum hmx_rc step_get(struct store *s, const char *cycle, const char *step, struct step_info *out,
		     struct hmx_err *err)
{
	struct step_info *steps;
	const struct step_info *f;
	size_t n;
	enum hmx_rc rc = step_list(s, cycle, &steps, &n, err);

	if (rc != HMX_OK)
		return rc;
	f = find_step(steps, n, step);
	if (f)
		*out = *f;
	free(steps);
	return f ? HMX_OK : no_step(cycle, step, err);
}

static void fill_info(struct store *s, const struct cycle_row *c, const struct step_info *steps,
		      size_t n, cal_day today, struct cycle_info *ci)
{
	const struct cycle_kind *k;
	const struct tpl *t = find_tpl(c->kind);
	int soon = config_get_int(s, "due_soon_days");

	memset(ci, 0, sizeof *ci);
	ci->id = c->id;
	hmx_strlcpy(ci->code, c->code, sizeof ci->code);
	hmx_strlcpy(ci->kind, c->kind, sizeof ci->kind);
	k = t ? &t->kind : NULL;
	hmx_strlcpy(ci->kind_title, k ? k->title : c->kind, sizeof ci->kind_title);
	hmx_strlcpy(ci->period, c->period, sizeof ci->period);
	ci->start = c->start;
	ci->end = c->end;
	ci->next_deadline = CAL_NO_DAY;
	ci->due = CAL_NO_DAY;
	for (size_t i = 0; i < n; i++) {
		const struct step_info *si = &steps[i];
		bool closed = step_state_closed(si->state);

		ci->n_steps++;
		ci->n_closed += closed;
		if (closed)
			continue;
		if (!ci->next_code[0]) {
			hmx_strlcpy(ci->next_code, si->code, sizeof ci->next_code);
			hmx_strlcpy(ci->next_title, si->title, sizeof ci->next_title);
			ci->next_deadline = si->deadline;
			ci->next_state = si->state;
		}
		if (si->deadline != CAL_NO_DAY && (ci->due == CAL_NO_DAY || si->deadline < ci->due))
			ci->due = si->deadline;
	}
	ci->closed = ci->n_closed == ci->n_steps;
	ci->due_status = ci->closed ? DUE_MET : cycle_due(ci->due, STEP_TODO, today, soon);
}

static int info_cmp(const void *a, const void *b)
{
	const struct cycle_info *x = a, *y = b;
	bool xo = x->due_status == DUE_OVERDUE, yo = y->due_status == DUE_OVERDUE;

	if (xo != yo)
		return xo ? -1 : 1;
	if (x->due != y->due) {
		if (x->due == CAL_NO_DAY)
			return 1;
		if (y->due == CAL_NO_DAY)
			return -1;
		return x->due < y->due ? -1 : 1;
	}
	return strcmp(x->code, y->code);
}

enum hmx_rc cycle_get(struct store *s, const char *code, cal_day today, struct cycle_info *out,
		      struct hmx_err *err)
{
	struct cycle_row c;
	struct step_info *steps;
	size_t n;
	enum hmx_rc rc;

	load_templates(NULL);
	if ((rc = find_cycle(s, code, &c, err)) != HMX_OK ||
	    (rc = load_steps(s, &c, &steps, &n, err)) != HMX_OK)
		return rc;
	fill_info(s, &c, steps, n, today, out);
	free(steps);
	return HMX_OK;
}

enum hmx_rc cycle_list(struct store *s, bool include_closed, cal_day today,
		       struct cycle_info **out, size_t *n, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, CYCLE_SELECT "ORDER BY id", err);
	struct cycle_row *rows;
	struct cycle_info *infos = NULL;
	size_t nrows = 0, count = 0;
	enum hmx_rc rc;
	void *v;

	*out = NULL;
	*n = 0;
	load_templates(NULL);
	if (!st)
		return HMX_EDB;
	rc = store_collect(s, st, sizeof *rows, read_cycle_row, &v, &nrows, "cannot list cycles", err);
	rows = v;
	if (rc == HMX_OK && !(infos = calloc(nrows ? nrows : 1, sizeof *infos)))
		rc = hmx_err_set(err, HMX_ENOMEM, "out of memory");
	for (size_t i = 0; rc == HMX_OK && i < nrows; i++) {
		struct step_info *steps;
		size_t ns;

		if ((rc = load_steps(s, &rows[i], &steps, &ns, err)) != HMX_OK)
			break;
		fill_info(s, &rows[i], steps, ns, today, &infos[count]);
		free(steps);
		if (include_closed || !infos[count].closed)
			count++;
	}
	free(rows);
	if (rc != HMX_OK) {
		free(infos);
		return rc;
	}
	qsort(infos, count, sizeof *infos, info_cmp);
	*out = infos;
	*n = count;
	return HMX_OK;
}

/* ---- changing steps ---------------------------------------------------- */

/* Checks that the step may be marked done: its gates (and its parent's)
 * closed, its sub-items closed. Sets err naming what is still open. */
static enum hmx_rc check_done(const struct step_info *steps, size_t n, const struct step_info *si,
			      const char *cycle, struct hmx_err *err)
{
	const struct step_info *owner = si;
	char gates[128], *save = NULL;

	if (si->depth) {
		owner = find_step(steps, n, si->parent);
		if (!owner)
			owner = si;
	}
	hmx_strlcpy(gates, owner->gates, sizeof gates);
	for (char *g = strtok_r(gates, " ", &save); g; g = strtok_r(NULL, " ", &save)) {
		const struct step_info *gs = find_step(steps, n, g);
		if (gs && !step_state_closed(gs->state))
			return hmx_err_set(err, HMX_ESTATE,
					   "cannot mark %s done: step \"%s\" (%s) must be done or skipped first",
					   si->code, gs->code, step_state_name(gs->state));
	}
	if (si->n_children > si->n_children_closed)
		return hmx_err_set(err, HMX_ESTATE,
				   "cannot mark %s done: %d of its %d sub-items are still open (in %s)",
				   si->code, si->n_children - si->n_children_closed, si->n_children,
				   cycle);
	return HMX_OK;
}

/* check_done, then the step's "requires" condition: what marking the step
 * done needs, whether by step_set or by undoing a change away from done. */
static enum hmx_rc may_be_done(struct store *s, const struct step_info *steps, size_t n,
			       const struct step_info *si, const char *cycle, struct hmx_err *err)
{
	struct cycle_row c;
	enum hmx_rc rc;
	int k;

	if ((rc = check_done(steps, n, si, cycle, err)) != HMX_OK || !si->requires[0])
		return rc;
	if (!(k = find_condition(si->requires)))
		return hmx_err_set(err, HMX_ESTATE, "cannot mark %s done: unknown condition \"%s\"",
				   si->code, si->requires);
	if ((rc = find_cycle(s, cycle, &c, err)) != HMX_OK)
		return rc;
	return conditions[k - 1].check(s, c.id, cycle, si->code, err);
}

static enum hmx_rc write_change(struct store *s, const char *cycle, const struct step_info *si,
				enum step_state to, const char *note, int64_t undo_of,
				const char *from_note, struct hmx_err *err)
{
	sqlite3_stmt *st;
	char now[21], object[160], before[300], after[300];
	int rc;

	hmx_now_utc(now);
	st = store_prepare(s, "UPDATE step SET state = ?2, note = ?3, updated_at = ?4, updated_by = ?5 "
			      "WHERE id = ?1", err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, si->id);
	sqlite3_bind_text(st, 2, step_state_name(to), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, note, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, hmx_actor(), -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, err, "cannot update the step");

	st = store_prepare(s, "INSERT INTO step_change(step_id, at, who, from_state, to_state, "
			      "from_note, note, undo_of) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, si->id);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hmx_actor(), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, step_state_name(si->state), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, step_state_name(to), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, from_note, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, note, -1, SQLITE_STATIC);
	if (undo_of)
		sqlite3_bind_int64(st, 8, undo_of);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, err, "cannot record the step change");

	snprintf(object, sizeof object, "%s/%s", cycle, si->code);
	snprintf(before, sizeof before, "%s%s%s", step_state_name(si->state), from_note[0] ? ": " : "",
		 from_note);
	snprintf(after, sizeof after, "%s%s%s", step_state_name(to), note[0] ? ": " : "", note);
	return audit_write(s, undo_of ? "step.undo" : "step.set", object, before, after, err);
}

static bool valid_note(const char *note)
{
	if (strlen(note) > 250)
		return false;
	for (const char *c = note; *c; c++)
		if ((unsigned char)*c < 0x20)
			return false;
	return true;
}

enum hmx_rc step_set(struct store *s, const char *cycle, const char *step, enum step_state state,
		     const char *note, struct hmx_err *err)
{
	struct step_info *steps = NULL;
	const struct step_info *si;
	size_t n;
	enum hmx_rc rc;

	if (!note)
		note = "";
	if ((unsigned)state > STEP_BLOCKED)
		return hmx_err_set(err, HMX_EINVAL, "bad step state");
	if (!valid_note(note))
		return hmx_err_set(err, HMX_EINVAL, "the note must be one line of at most 250 bytes");
	if ((state == STEP_SKIPPED || state == STEP_BLOCKED) && !note[0])
		return hmx_err_set(err, HMX_EINVAL, "a %s step needs a reason: give --note TEXT",
				   step_state_name(state));
	/* read and write under one write lock, so the gate check holds */
	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	if ((rc = step_list(s, cycle, &steps, &n, err)) != HMX_OK)
		goto fail;
	if (!(si = find_step(steps, n, step))) {
		rc = no_step(cycle, step, err);
		goto fail;
	}
	if (state == STEP_DONE && (rc = may_be_done(s, steps, n, si, cycle, err)) != HMX_OK)
		goto fail;
	if ((rc = write_change(s, cycle, si, state, note, 0, si->note, err)) != HMX_OK)
		goto fail;
	free(steps);
	return store_commit(s, err);
fail:
	free(steps);
	store_rollback(s);
	return rc;
}

enum hmx_rc step_undo(struct store *s, const char *cycle, const char *step, struct hmx_err *err)
{
	struct step_info *steps = NULL;
	const struct step_info *si;
	sqlite3_stmt *st;
	size_t n;
	enum hmx_rc rc;
	int src;
	int64_t change_id = 0;
	char from[16] = "", from_note[256] = "";
	enum step_state back;

	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	if ((rc = step_list(s, cycle, &steps, &n, err)) != HMX_OK)
		goto fail;
	if (!(si = find_step(steps, n, step))) {
		rc = no_step(cycle, step, err);
		goto fail;
	}
	/* the latest change that is neither an undo nor already undone */
	st = store_prepare(s,
			   "SELECT c.id, c.from_state, c.from_note FROM step_change c "
			   "WHERE c.step_id = ?1 AND c.undo_of IS NULL AND NOT EXISTS "
			   "(SELECT 1 FROM step_change u WHERE u.undo_of = c.id) "
			   "ORDER BY c.id DESC LIMIT 1",
			   err);
	if (!st) {
		rc = HMX_EDB;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, si->id);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		change_id = sqlite3_column_int64(st, 0);
		store_col_text(st, 1, from, sizeof from);
		store_col_text(st, 2, from_note, sizeof from_note);
	}
	sqlite3_finalize(st);
	if (src != SQLITE_ROW && src != SQLITE_DONE) {
		rc = store_fail(s, err, "cannot read the step history");
		goto fail;
	}
	if (!change_id) {
		rc = hmx_err_set(err, HMX_ESTATE, "nothing to undo for step %s", step);
		goto fail;
	}
	if (!step_state_parse(from, &back))
		back = STEP_TODO;
	/* undoing back to done passes the same gates as marking it done */
	if (back == STEP_DONE && (rc = may_be_done(s, steps, n, si, cycle, err)) != HMX_OK)
		goto fail;
	if ((rc = write_change(s, cycle, si, back, from_note, change_id, si->note, err)) != HMX_OK)
		goto fail;
	free(steps);
	return store_commit(s, err);
fail:
	free(steps);
	store_rollback(s);
	return rc;
}

static void read_change(sqlite3_stmt *st, void *row)
{
	struct step_change *c = row;
	char state[16];

	c->id = sqlite3_column_int64(st, 0);
	store_col_text(st, 1, c->at, sizeof c->at);
	store_col_text(st, 2, c->who, sizeof c->who);
	store_col_text(st, 3, state, sizeof state);
	if (!step_state_parse(state, &c->from))
		c->from = STEP_TODO;
	store_col_text(st, 4, state, sizeof state);
	if (!step_state_parse(state, &c->to))
		c->to = STEP_TODO;
	store_col_text(st, 5, c->note, sizeof c->note);
	c->is_undo = sqlite3_column_int(st, 6) != 0;
}

enum hmx_rc step_history(struct store *s, const char *cycle, const char *step,
			 struct step_change **out, size_t *n, struct hmx_err *err)
{
	struct step_info si;
	sqlite3_stmt *st;
	enum hmx_rc rc;
	void *v;

	*out = NULL;
	*n = 0;
	if ((rc = step_get(s, cycle, step, &si, err)) != HMX_OK)
		return rc;
	st = store_prepare(s, "SELECT id, at, who, from_state, to_state, note, undo_of IS NOT NULL "
			      "FROM step_change WHERE step_id = ?1 ORDER BY id", err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, si.id);
	rc = store_collect(s, st, sizeof **out, read_change, &v, n, "cannot read the step history", err);
	*out = v;
	return rc;
}
