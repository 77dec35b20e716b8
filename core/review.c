/* core/review.c — review items, the decision state machine, syncing a
 * validation run into the review, the live-import gate's count and the
 * per-partner report (review.h). */
#include "review.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "intake.h"

/* ---- names ------------------------------------------------------------------ */

static const char *const state_names[RV_NSTATES] = {
	"open", "fix-proposed", "approved", "rejected", "resolved", "waived",
};

static const char *const action_names[RA_NACTIONS] = {
	"propose", "approve", "reject", "comment", "assign", "waive", "resolve", "reopen",
};

static const char *const sev_names[RS_NSEV] = { "warning", "error", "blocking" };

/* review_<what>_name (enum to name, "?" when out of range) and
 * review_<what>_parse (name to enum through hmx_name_index, false when
 * unknown) over one name table of n names. */
#define NAME_PAIR(what, type, table, n)                      \
	const char *review_##what##_name(type v)             \
	{                                                    \
		return (unsigned)v < (n) ? table[v] : "?";   \
	}                                                    \
	bool review_##what##_parse(const char *s, type *out) \
	{                                                    \
		int i = hmx_name_index(table, (n), s);       \
                                                             \
		if (i < 0)                                   \
			return false;                        \
		*out = (type)i;                              \
		return true;                                 \
	}

NAME_PAIR(state, enum review_state, state_names, RV_NSTATES)
NAME_PAIR(action, enum review_action, action_names, RA_NACTIONS)
NAME_PAIR(sev, enum review_sev, sev_names, RS_NSEV)

/* ---- the state machine ---------------------------------------------------------- */

#define B(st) (1u << (st))
#define PENDING (B(RV_OPEN) | B(RV_FIX_PROPOSED) | B(RV_APPROVED) | B(RV_REJECTED))
#define ANY (PENDING | B(RV_RESOLVED) | B(RV_WAIVED))

/* action, from-states, to-state (RV_NSTATES: unchanged), who, text required */
static const struct review_rule review_rules[] = {
	{ RA_PROPOSE, B(RV_OPEN) | B(RV_REJECTED), RV_FIX_PROPOSED, RR_ADMIN, true, "fix" },
	{ RA_APPROVE, B(RV_FIX_PROPOSED), RV_APPROVED, RR_ADMIN | RR_REVIEWER, false, "comment" },
	{ RA_REJECT, B(RV_FIX_PROPOSED), RV_REJECTED, RR_ADMIN | RR_REVIEWER, true, "comment" },
	{ RA_COMMENT, ANY, RV_NSTATES, RR_ADMIN | RR_REVIEWER, true, "comment" },
	{ RA_ASSIGN, PENDING, RV_NSTATES, RR_ADMIN, false, "reviewer" },
	{ RA_WAIVE, PENDING, RV_WAIVED, RR_ADMIN, true, "reason" },
	{ RA_RESOLVE, PENDING, RV_RESOLVED, RR_SYSTEM, false, "" },
	{ RA_REOPEN, B(RV_RESOLVED), RV_OPEN, RR_SYSTEM, false, "" },
};

#define N_RULES (sizeof review_rules / sizeof review_rules[0])

const struct review_rule *review_rule_at(size_t i)
{
	return i < N_RULES ? &review_rules[i] : NULL;
}

const struct review_rule *review_rule_of(enum review_action a)
{
	for (size_t i = 0; i < N_RULES; i++)
		if (review_rules[i].action == a)
			return &review_rules[i];
	return NULL;
}

/* "open or rejected" for an error message. */
static void states_phrase(unsigned mask, char *buf, size_t n)
{
	size_t k = 0;
	int cnt = 0, total = 0;

	for (int i = 0; i < RV_NSTATES; i++)
		total += (mask & B(i)) != 0;
	buf[0] = '\0';
	for (int i = 0; i < RV_NSTATES && k < n; i++) {
		if (!(mask & B(i)))
			continue;
		cnt++;
		k += (size_t)snprintf(buf + k, n - k, "%s%s", cnt == 1 ? "" : cnt == total ? " or " : ", ",
				      state_names[i]);
	}
}

/* ---- helpers ------------------------------------------------------------------------ */

static enum hmx_rc cycle_id_of(struct store *s, const char *code, int64_t *id, char *kind,
			       size_t kn, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT id, kind FROM cycle WHERE code = ?1", err);
	int rc;

	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		if (kind)
			store_col_text(st, 1, kind, kn);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return HMX_OK;
	if (rc != SQLITE_DONE)
		return store_fail(s, err, "cannot read the cycle");
	return hmx_err_set(err, HMX_ENOTFOUND, "no cycle %s (see 'hmx cycle list --all')", code);
}
static enum hmx_rc reviewer_id_of(struct store *s, const char *name, int64_t *id,
				  struct hmx_err *err)
{
	*id = store_lookup_id(s, "SELECT id FROM reviewer WHERE name = ?1", name, err);
	if (*id < 0)
		return HMX_EDB;
	if (*id == 0)
		return hmx_err_set(err, HMX_ENOTFOUND, "no reviewer \"%s\" (see 'hmx reviewer list')",
				   name);
	return HMX_OK;
}

/* Does reviewer rid review project pid? (its projects or its agency's) */
static int in_scope(struct store *s, int64_t rid, int64_t pid, struct hmx_err *err)
{
	sqlite3_stmt *st;
	int rc, yes = 0;

	if (pid <= 0)
		return 0;
	st = store_prepare(s,
			   "SELECT EXISTS (SELECT 1 FROM reviewer_project WHERE reviewer_id = ?1 AND "
			   "project_id = ?2) OR EXISTS (SELECT 1 FROM project p JOIN reviewer r ON "
			   "r.agency_id = p.agency_id WHERE r.id = ?1 AND p.id = ?2)",
			   err);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, rid);
	sqlite3_bind_int64(st, 2, pid);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		yes = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		store_fail(s, err, "cannot read the reviewer's projects");
		return -1;
	}
	return yes;
}

/* One line, at most REVIEW_TEXT_MAX bytes, no control characters. */
static bool text_ok(const char *t)
{
	if (strlen(t) > REVIEW_TEXT_MAX)
		return false;
	for (const unsigned char *c = (const unsigned char *)t; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return false;
	return true;
}

static bool blank(const char *t)
{
	if (!t)
		return true;
	for (; *t; t++)
		if (*t != ' ')
			return false;
	return true;
}

/* ---- reading items ------------------------------------------------------------------- */

#define ITEM_COLS                                                                                  \
	"i.id, c.code, i.check_id, i.file, i.key, i.col, i.detail, i.source_project, "            \
	"coalesce(p.code, ''), coalesce(a.code, ''), i.severity, i.state, coalesce(r.name, ''), " \
	"i.first_run, i.last_run, i.line, i.occurrences, i.version, "                              \
	"coalesce((SELECT text FROM fix WHERE item_id = i.id ORDER BY id DESC LIMIT 1), ''), "     \
	"i.updated_at, i.updated_by, coalesce(i.project_id, 0) "                                   \
	"FROM review_item i JOIN cycle c ON c.id = i.cycle_id "                                    \
	"LEFT JOIN project p ON p.id = i.project_id LEFT JOIN agency a ON a.id = p.agency_id "     \
	"LEFT JOIN reviewer r ON r.id = i.reviewer_id "

static void read_item(sqlite3_stmt *st, void *row)
{
	struct review_item *it = row;
	char buf[16];

	it->id = sqlite3_column_int64(st, 0);
	store_col_text(st, 1, it->cycle, sizeof it->cycle);
	store_col_text(st, 2, it->check, sizeof it->check);
	store_col_text(st, 3, it->file, sizeof it->file);
	store_col_text(st, 4, it->key, sizeof it->key);
	store_col_text(st, 5, it->column, sizeof it->column);
	store_col_text(st, 6, it->detail, sizeof it->detail);
	store_col_text(st, 7, it->source_project, sizeof it->source_project);
	store_col_text(st, 8, it->project, sizeof it->project);
	store_col_text(st, 9, it->agency, sizeof it->agency);
	store_col_text(st, 10, buf, sizeof buf);
	if (!review_sev_parse(buf, &it->severity))
		it->severity = RS_WARNING;
	store_col_text(st, 11, buf, sizeof buf);
	if (!review_state_parse(buf, &it->state))
		it->state = RV_OPEN;
	store_col_text(st, 12, it->reviewer, sizeof it->reviewer);
	it->first_run = sqlite3_column_int64(st, 13);
	it->last_run = sqlite3_column_int64(st, 14);
	it->line = sqlite3_column_int64(st, 15);
	it->occurrences = sqlite3_column_int64(st, 16);
	it->version = sqlite3_column_int64(st, 17);
	store_col_text(st, 18, it->fix, sizeof it->fix);
	store_col_text(st, 19, it->updated_at, sizeof it->updated_at);
	store_col_text(st, 20, it->updated_by, sizeof it->updated_by);
}

void review_filter_init(struct review_filter *f)
{
	memset(f, 0, sizeof *f);
	f->state = -1;
	f->severity = -1;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

enum hmx_rc review_list(struct store *s, const char *cycle, const struct review_filter *f,
			struct review_item **out, size_t *n, struct hmx_err *err)
{
	struct review_filter none;
	sqlite3_stmt *st;
	int64_t cid, id;
	enum hmx_rc rc;

	*out = NULL;
	*n = 0;
	if (!f) {
		review_filter_init(&none);
		f = &none;
	}
	if ((rc = cycle_id_of(s, cycle, &cid, NULL, 0, err)) != HMX_OK)
		return rc;
	if (f->project && *f->project && strcmp(f->project, "-") != 0) {
		if ((id = store_lookup_id(s, "SELECT id FROM project WHERE code = ?1", f->project, err)) < 0)
			return HMX_EDB;
		if (!id)
			return hmx_err_set(err, HMX_ENOTFOUND, "no project \"%s\" (see 'hmx project list')",
					   f->project);
	}
	if (f->agency && *f->agency) {
		if ((id = store_lookup_id(s, "SELECT id FROM agency WHERE code = ?1", f->agency, err)) < 0)
			return HMX_EDB;
		if (!id)
			return hmx_err_set(err, HMX_ENOTFOUND, "no agency \"%s\" (see 'hmx project agencies')",
					   f->agency);
	}
	if (f->reviewer && *f->reviewer && (rc = reviewer_id_of(s, f->reviewer, &id, err)) != HMX_OK)
		return rc;
	if (f->as && *f->as && (rc = reviewer_id_of(s, f->as, &id, err)) != HMX_OK)
		return rc;
	st = store_prepare(
		s,
		"SELECT " ITEM_COLS
		"WHERE i.cycle_id = ?1 "
		"AND (?2 IS NULL OR (?2 = '-' AND i.project_id IS NULL) OR p.code = ?2) "
		"AND (?3 IS NULL OR a.code = ?3) AND (?4 IS NULL OR i.check_id = ?4) "
		"AND (?5 IS NULL OR r.name = ?5) "
		"AND (?6 IS NULL OR i.project_id IN (SELECT rp.project_id FROM reviewer_project rp "
		"  JOIN reviewer x ON x.id = rp.reviewer_id WHERE x.name = ?6 UNION SELECT q.id FROM "
		"  project q JOIN reviewer x ON x.agency_id = q.agency_id WHERE x.name = ?6)) "
		"AND (?7 IS NULL OR i.state = ?7) AND (?8 IS NULL OR i.severity = ?8) "
		"AND (?9 = 0 OR i.state IN ('open','fix-proposed','approved','rejected')) "
		"ORDER BY coalesce(p.code, '~'), i.check_id, i.file, i.key, i.col",
		err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, cid);
	bind_opt(st, 2, f->project);
	bind_opt(st, 3, f->agency);
	bind_opt(st, 4, f->check);
	bind_opt(st, 5, f->reviewer);
	bind_opt(st, 6, f->as);
	bind_opt(st, 7, f->state >= 0 ? review_state_name((enum review_state)f->state) : NULL);
	bind_opt(st, 8, f->severity >= 0 ? review_sev_name((enum review_sev)f->severity) : NULL);
	sqlite3_bind_int(st, 9, f->pending);
	return store_collect(s, st, sizeof **out, read_item, (void **)out, n,
			     "cannot read the review", err);
}

/* The item and its project id. */
static enum hmx_rc get_item(struct store *s, int64_t id, struct review_item *out, int64_t *pid,
			    struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " ITEM_COLS "WHERE i.id = ?1", err);
	int rc;

	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof *out);
		read_item(st, out);
		if (pid)
			*pid = sqlite3_column_int64(st, 21);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return HMX_OK;
	if (rc != SQLITE_DONE)
		return store_fail(s, err, "cannot read the finding");
	return hmx_err_set(err, HMX_ENOTFOUND, "no finding %lld in any review (see 'hmx findings CYCLE')",
			   (long long)id);
}

enum hmx_rc review_get(struct store *s, int64_t id, struct review_item *out, struct hmx_err *err)
{
	return get_item(s, id, out, NULL, err);
}

struct count_row {
	char project[48];
	char sev[12];
	char state[16];
	int64_t n;
};

static void read_count(sqlite3_stmt *st, void *row)
{
	struct count_row *c = row;

	store_col_text(st, 0, c->project, sizeof c->project);
	store_col_text(st, 1, c->sev, sizeof c->sev);
	store_col_text(st, 2, c->state, sizeof c->state);
	c->n = sqlite3_column_int64(st, 3);
}

enum hmx_rc review_counts(struct store *s, const char *cycle, const char *as,
			  struct review_count **out, size_t *n, struct hmx_err *err)
{
	struct count_row *rows = NULL;
	struct review_count *res = NULL, *nr;
	size_t nrows = 0, cap = 0, k = 0;
	sqlite3_stmt *st;
	int64_t cid, rid;
	enum hmx_rc rc;

	*out = NULL;
	*n = 0;
	if ((rc = cycle_id_of(s, cycle, &cid, NULL, 0, err)) != HMX_OK)
		return rc;
	if (as && *as && (rc = reviewer_id_of(s, as, &rid, err)) != HMX_OK)
		return rc;
	st = store_prepare(
		s,
		"SELECT coalesce(p.code, ''), i.severity, i.state, count(*) FROM review_item i "
		"LEFT JOIN project p ON p.id = i.project_id WHERE i.cycle_id = ?1 "
		"AND (?2 IS NULL OR i.project_id IN (SELECT rp.project_id FROM reviewer_project rp "
		"  JOIN reviewer x ON x.id = rp.reviewer_id WHERE x.name = ?2 UNION SELECT q.id FROM "
		"  project q JOIN reviewer x ON x.agency_id = q.agency_id WHERE x.name = ?2)) "
		"GROUP BY 1, 2, 3 ORDER BY 1",
		err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, cid);
	bind_opt(st, 2, as);
	if ((rc = store_collect(s, st, sizeof *rows, read_count, (void **)&rows, &nrows,
				"cannot count the review", err)) != HMX_OK)
		return rc;
	for (size_t i = 0; i < nrows; i++) {
		enum review_sev sv;
		enum review_state sta;

		if (!k || strcmp(res[k - 1].project, rows[i].project) != 0) {
			if (!(nr = hmx_grow(res, &cap, k, sizeof *res))) {
				free(res);
				free(rows);
				return hmx_err_set(err, HMX_ENOMEM, "out of memory");
			}
			res = nr;
			memset(&res[k], 0, sizeof *res);
			hmx_strlcpy(res[k].project, rows[i].project, sizeof res[k].project);
			k++;
		}
		if (!review_sev_parse(rows[i].sev, &sv) || !review_state_parse(rows[i].state, &sta))
			continue;
		res[k - 1].n[sv][sta] += rows[i].n;
		if (PENDING & B(sta))
			res[k - 1].pending[sv] += rows[i].n;
		res[k - 1].total += rows[i].n;
	}
	free(rows);
	*out = res;
	*n = k;
	return HMX_OK;
}

static void read_decision(sqlite3_stmt *st, void *row)
{
	struct review_decision *d = row;
	char buf[16];

	d->id = sqlite3_column_int64(st, 0);
	store_col_text(st, 1, d->at, sizeof d->at);
	store_col_text(st, 2, d->who, sizeof d->who);
	store_col_text(st, 3, d->role, sizeof d->role);
	store_col_text(st, 4, buf, sizeof buf);
	if (!review_action_parse(buf, &d->action))
		d->action = RA_COMMENT;
	store_col_text(st, 5, buf, sizeof buf);
	if (!review_state_parse(buf, &d->from))
		d->from = RV_OPEN;
	store_col_text(st, 6, buf, sizeof buf);
	if (!review_state_parse(buf, &d->to))
		d->to = RV_OPEN;
	store_col_text(st, 7, d->text, sizeof d->text);
	d->run = sqlite3_column_int64(st, 8);
}

enum hmx_rc review_history(struct store *s, int64_t id, struct review_decision **out, size_t *n,
			   struct hmx_err *err)
{
	struct review_item it;
	sqlite3_stmt *st;
	enum hmx_rc rc;

	*out = NULL;
	*n = 0;
	if ((rc = get_item(s, id, &it, NULL, err)) != HMX_OK)
		return rc;
	st = store_prepare(s,
			   "SELECT id, at, who, role, action, from_state, to_state, text, "
			   "coalesce(run_id, 0) FROM decision WHERE item_id = ?1 ORDER BY id",
			   err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, id);
	return store_collect(s, st, sizeof **out, read_decision, (void **)out, n,
			     "cannot read the finding's history", err);
}

/* ---- writing ------------------------------------------------------------------------------ */

static enum hmx_rc add_decision(struct store *s, int64_t item, const char *who, const char *role,
				enum review_action a, enum review_state from, enum review_state to,
				const char *text, int64_t run, const char *now, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s,
					 "INSERT INTO decision(item_id, at, who, role, action, from_state, "
					 "to_state, text, run_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
					 err);
	int rc;

	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, item);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, who, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, review_action_name(a), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, review_state_name(from), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, review_state_name(to), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, text ? text : "", -1, SQLITE_STATIC);
	if (run)
		sqlite3_bind_int64(st, 9, run);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? HMX_OK : store_fail(s, err, "cannot record the decision");
}

enum hmx_rc review_decide(struct store *s, const struct review_request *rq,
			  struct review_item *out, struct hmx_err *err)
{
	const struct review_rule *rule = review_rule_of(rq->action);
	const char *text = rq->text ? rq->text : "";
	const bool as_reviewer = rq->as && *rq->as;
	struct review_item it;
	sqlite3_stmt *st;
	int64_t pid = 0, rid = 0, assign_id = 0;
	enum review_state to;
	char who[64], now[21], object[128], before[300], after[300], states[96];
	enum hmx_rc rc;
	int yes;

	if (!rule || (rule->who & RR_SYSTEM))
		return hmx_err_set(err, HMX_EINVAL, "\"%s\" is not a decision anyone can take",
				   review_action_name(rq->action));
	if (!text_ok(text))
		return hmx_err_set(err, HMX_EINVAL,
				   "the %s must be one line of at most %d bytes", rule->text_name,
				   REVIEW_TEXT_MAX);
	if (rule->needs_text && blank(text))
		return hmx_err_set(err, HMX_EINVAL, "to %s a finding, give a %s (--text TEXT)",
				   review_action_name(rq->action), rule->text_name);
	hmx_strlcpy(who, as_reviewer ? rq->as : hmx_actor(), sizeof who);
	/* read, check and write under one write lock: the precondition holds */
	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	if ((rc = get_item(s, rq->item, &it, &pid, err)) != HMX_OK)
		goto fail;
	if (rq->expect_version && it.version != rq->expect_version) {
		rc = hmx_err_set(err, HMX_ESTATE,
				 "finding %lld changed meanwhile (now %s, by %s at %s): look again and retry",
				 (long long)it.id, review_state_name(it.state), it.updated_by,
				 it.updated_at);
		goto fail;
	}
	if (as_reviewer) {
		if ((rc = reviewer_id_of(s, rq->as, &rid, err)) != HMX_OK)
			goto fail;
		if ((yes = in_scope(s, rid, pid, err)) < 0) {
			rc = HMX_EDB;
			goto fail;
		}
		if (!yes) {
			rc = hmx_err_set(err, HMX_ESTATE,
					 "finding %lld is not your project (%s): %s reviews other projects",
					 (long long)it.id, it.project[0] ? it.project : "no project",
					 rq->as);
			goto fail;
		}
		if (!(rule->who & RR_REVIEWER)) {
			rc = hmx_err_set(err, HMX_ESTATE, "only the HMIS admin may %s a finding",
					 review_action_name(rq->action));
			goto fail;
		}
	}
	if (!(rule->from & B(it.state))) {
		states_phrase(rule->from, states, sizeof states);
		rc = hmx_err_set(err, HMX_ESTATE, "cannot %s finding %lld: it is %s (only when %s)",
				 review_action_name(rq->action), (long long)it.id,
				 review_state_name(it.state), states);
		goto fail;
	}
	if (rq->action == RA_ASSIGN && *text) {
		if ((rc = reviewer_id_of(s, text, &assign_id, err)) != HMX_OK)
			goto fail;
		if ((yes = in_scope(s, assign_id, pid, err)) < 0) {
			rc = HMX_EDB;
			goto fail;
		}
		if (!yes) {
			rc = hmx_err_set(err, HMX_EINVAL, "reviewer %s does not review %s (see 'hmx reviewer list')",
					 text, it.project[0] ? it.project : "findings without a project");
			goto fail;
		}
	}
	to = rule->to == RV_NSTATES ? it.state : rule->to;
	hmx_now_utc(now);
	st = store_prepare(s,
			   "UPDATE review_item SET state = ?2, version = version + 1, updated_at = ?3, "
			   "updated_by = ?4, reviewer_id = CASE WHEN ?5 THEN ?6 ELSE reviewer_id END "
			   "WHERE id = ?1 AND version = ?7",
			   err);
	if (!st) {
		rc = HMX_EDB;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, it.id);
	sqlite3_bind_text(st, 2, review_state_name(to), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, who, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, rq->action == RA_ASSIGN);
	if (assign_id)
		sqlite3_bind_int64(st, 6, assign_id);
	sqlite3_bind_int64(st, 7, it.version);
	yes = sqlite3_step(st);
	sqlite3_finalize(st);
	if (yes != SQLITE_DONE) {
		rc = store_fail(s, err, "cannot update the finding");
		goto fail;
	}
	if (sqlite3_changes(store_db(s)) != 1) {
		rc = hmx_err_set(err, HMX_ESTATE, "finding %lld changed meanwhile: look again and retry",
				 (long long)it.id);
		goto fail;
	}
	if (rq->action == RA_PROPOSE) {
		st = store_prepare(s, "INSERT INTO fix(item_id, text, at, who) VALUES (?1, ?2, ?3, ?4)",
				   err);
		if (!st) {
			rc = HMX_EDB;
			goto fail;
		}
		sqlite3_bind_int64(st, 1, it.id);
		sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, who, -1, SQLITE_STATIC);
		yes = sqlite3_step(st);
		sqlite3_finalize(st);
		if (yes != SQLITE_DONE) {
			rc = store_fail(s, err, "cannot record the fix");
			goto fail;
		}
	}
	if ((rc = add_decision(s, it.id, who, as_reviewer ? "reviewer" : "admin", rq->action,
			       it.state, to, text, 0, now, err)) != HMX_OK)
		goto fail;
	snprintf(object, sizeof object, "%s/review/%lld", it.cycle, (long long)it.id);
	snprintf(before, sizeof before, "%s", review_state_name(it.state));
	snprintf(after, sizeof after, "%s%s%.250s", review_state_name(to), *text ? ": " : "", text);
	{
		char action[48];

		snprintf(action, sizeof action, "review.%s", review_action_name(rq->action));
		if ((rc = audit_write_as(s, who, action, object, before, after, err)) != HMX_OK)
			goto fail;
	}
	if ((rc = store_commit(s, err)) != HMX_OK)
		return rc;
	if (out)
		return get_item(s, it.id, out, NULL, err);
	return HMX_OK;
fail:
	store_rollback(s);
	return rc;
}

/* ---- syncing a validation run -------------------------------------------------------------- */

bool review_cycle_reviews(const char *kind)
{
	const struct intake_kind_rule *r = intake_kind_rule(kind);

	return r && strcmp(r->source, "demo") == 0;
}

struct ident {
	char check[8], file[64], key[128], col[64], detail[64], project[64];
	char sev[12];
	int64_t line, count;
};

static void read_ident(sqlite3_stmt *st, void *row)
{
	struct ident *d = row;
	int rank = sqlite3_column_int(st, 4);

	store_col_text(st, 0, d->check, sizeof d->check);
	store_col_text(st, 1, d->file, sizeof d->file);
	store_col_text(st, 2, d->key, sizeof d->key);
	store_col_text(st, 3, d->col, sizeof d->col);
	hmx_strlcpy(d->sev, rank >= 2 ? "blocking" : rank == 1 ? "error" : "warning", sizeof d->sev);
	d->line = sqlite3_column_int64(st, 5);
	d->count = sqlite3_column_int64(st, 6);
	store_col_text(st, 7, d->detail, sizeof d->detail);
	store_col_text(st, 8, d->project, sizeof d->project);
}

/* The registered project of a source ProjectID in this cycle: a confirmed
 * mapping of one of its files, an alias (the run's source first, then
 * hmis), a project with that HUD ProjectID; 0 when none. */
static int64_t resolve_project(sqlite3_stmt *st, int64_t cid, int64_t run, const char *src)
{
	int64_t pid = 0;

	if (!*src)
		return 0;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_int64(st, 2, run);
	sqlite3_bind_text(st, 3, src, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		pid = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return pid;
}

/* Source ProjectID -> registered project, remembered for the run. */
struct pcache {
	struct { char src[64]; int64_t pid; } *e;
	size_t n, cap;
};

static int64_t cached_project(struct pcache *c, sqlite3_stmt *st, int64_t cid, int64_t run,
			      const char *src)
{
	void *ne;

	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->e[i].src, src) == 0)
			return c->e[i].pid;
	if (!(ne = hmx_grow(c->e, &c->cap, c->n, sizeof *c->e)))
		return -1;
	c->e = ne;
	hmx_strlcpy(c->e[c->n].src, src, sizeof c->e[c->n].src);
	c->e[c->n].pid = resolve_project(st, cid, run, src);
	return c->e[c->n++].pid;
}

/* Checks that end a run before the files are read (unreadable input,
 * unknown CSV version, unsafe archive, size guard). */
#define REVIEW_STOP_CHECKS "'P01','P06','P08','P09'"
/* Items of a file the run could not read to its end (S04 malformed CSV
 * halts the file; P03 the file is missing) are not resolved by it. */
#define NOT_HALTED                                                                         \
	"file NOT IN (SELECT file FROM finding WHERE run_id = ?2 AND check_id IN ('S04','P03'))"

enum hmx_rc review_sync(struct store *s, const char *cycle, int64_t run,
			struct review_sync_result *out, struct hmx_err *err)
{
	struct review_sync_result r;
	struct pcache cache = { NULL, 0, 0 };
	sqlite3_stmt *st = NULL, *find = NULL, *ins = NULL, *upd = NULL, *proj = NULL;
	int64_t cid, run_cycle = -1, last = 0;
	char status[16] = "", now[21], object[128], after[256];
	enum hmx_rc rc;
	int src;

	memset(&r, 0, sizeof r);
	r.run = run;
	if (out)
		*out = r;
	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	if ((rc = cycle_id_of(s, cycle, &cid, NULL, 0, err)) != HMX_OK)
		goto fail;
	st = store_prepare(s, "SELECT coalesce(cycle_id, -1), status, (SELECT coalesce(max(run_id), 0) "
			      "FROM review_sync WHERE cycle_id = ?2), EXISTS (SELECT 1 FROM review_sync "
			      "WHERE run_id = ?1) FROM validation_run WHERE id = ?1",
			   err);
	if (!st) {
		rc = HMX_EDB;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, cid);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		run_cycle = sqlite3_column_int64(st, 0);
		store_col_text(st, 1, status, sizeof status);
		last = sqlite3_column_int64(st, 2);
		r.already = sqlite3_column_int(st, 3);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (src != SQLITE_ROW) {
		rc = src == SQLITE_DONE ? hmx_err_set(err, HMX_ENOTFOUND, "no validation run %lld",
						      (long long)run)
					: store_fail(s, err, "cannot read the validation run");
		goto fail;
	}
	if (run_cycle != cid) {
		rc = hmx_err_set(err, HMX_EINVAL, "validation run %lld is not of cycle %s",
				 (long long)run, cycle);
		goto fail;
	}
	if (strcmp(status, "done") != 0) {
		rc = hmx_err_set(err, HMX_EINVAL, "validation run %lld did not finish (%s)",
				 (long long)run, status);
		goto fail;
	}
	if (r.already) {
		store_rollback(s);
		if (out)
			*out = r;
		return HMX_OK;
	}
	{
		/* a run that stopped early found nothing after the stop: applying
		 * it would resolve what it never looked at */
		char stop[8] = "";

		st = store_prepare(s, "SELECT check_id FROM finding WHERE run_id = ?1 AND check_id IN "
				      "(" REVIEW_STOP_CHECKS ") LIMIT 1", err);
		if (!st) {
			rc = HMX_EDB;
			goto fail;
		}
		sqlite3_bind_int64(st, 1, run);
		if (sqlite3_step(st) == SQLITE_ROW)
			store_col_text(st, 0, stop, sizeof stop);
		sqlite3_finalize(st);
		st = NULL;
		if (stop[0]) {
			rc = hmx_err_set(err, HMX_EINVAL,
					 "validation run %lld stopped early (%s): the review of %s is "
					 "unchanged; fix the export and validate it again",
					 (long long)run, stop, cycle);
			goto fail;
		}
	}
	if (run < last) {
		rc = hmx_err_set(err, HMX_EINVAL,
				 "validation run %lld is older than run %lld already in the review of %s",
				 (long long)run, (long long)last, cycle);
		goto fail;
	}

	hmx_now_utc(now);
	find = store_prepare(s, "SELECT id, state FROM review_item WHERE cycle_id = ?1 AND "
				"check_id = ?2 AND file = ?3 AND key = ?4 AND col = ?5", err);
	ins = store_prepare(s,
			    "INSERT INTO review_item(cycle_id, check_id, file, key, col, detail, "
			    "source_project, project_id, severity, first_run, last_run, line, occurrences, "
			    "updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, "
			    "?11, ?12, ?13, 'hmx')",
			    err);
	upd = store_prepare(s,
			    "UPDATE review_item SET last_run = ?2, line = ?3, occurrences = ?4, "
			    "severity = ?5, detail = ?6, source_project = ?7, "
			    "project_id = coalesce(project_id, ?8), "
			    "state = CASE WHEN state = 'resolved' THEN 'open' ELSE state END, "
			    "version = version + (state = 'resolved'), "
			    "updated_at = CASE WHEN state = 'resolved' THEN ?9 ELSE updated_at END, "
			    "updated_by = CASE WHEN state = 'resolved' THEN 'hmx' ELSE updated_by END "
			    "WHERE id = ?1",
			    err);
	proj = store_prepare(
		s,
		"SELECT coalesce("
		" (SELECT fm.project_id FROM file_map fm JOIN intake it ON it.id = fm.intake_id "
		"  WHERE it.cycle_id = ?1 AND fm.source_project_id = ?3 AND fm.state = 'mapped' "
		"  ORDER BY (it.validation_run_id = ?2) DESC, it.id DESC LIMIT 1),"
		" (SELECT pa.project_id FROM project_alias pa WHERE pa.source_project_id = ?3 AND "
		"  pa.project_id IS NOT NULL AND pa.source IN ('hmis', coalesce((SELECT source FROM "
		"  intake WHERE validation_run_id = ?2 LIMIT 1), 'hmis')) "
		"  ORDER BY (pa.source = 'hmis') ASC LIMIT 1),"
		" (SELECT id FROM project WHERE hud_project_id = ?3 AND hud_project_id <> '' "
		"  ORDER BY id LIMIT 1), 0)",
		err);
	/* the run's findings, one row per identity, streamed (a run may hold
	 * millions): review_item is written while finding is read */
	st = store_prepare(s,
			   "SELECT check_id, file, key, col, max(CASE severity WHEN 'blocking' THEN 2 "
			   "WHEN 'error' THEN 1 ELSE 0 END), min(line), count(*), min(detail), "
			   "max(project) FROM finding WHERE run_id = ?1 GROUP BY check_id, file, key, col",
			   err);
	if (!find || !ins || !upd || !proj || !st) {
		rc = HMX_EDB;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, run);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		struct ident dd;
		const struct ident *d = &dd;
		int64_t item = 0, pid;
		char state[16] = "";

		memset(&dd, 0, sizeof dd);
		read_ident(st, &dd);
		r.findings++;
		pid = cached_project(&cache, proj, cid, run, d->project);
		if (pid < 0) {
			rc = hmx_err_set(err, HMX_ENOMEM, "out of memory");
			goto fail;
		}

		sqlite3_reset(find);
		sqlite3_bind_int64(find, 1, cid);
		sqlite3_bind_text(find, 2, d->check, -1, SQLITE_STATIC);
		sqlite3_bind_text(find, 3, d->file, -1, SQLITE_STATIC);
		sqlite3_bind_text(find, 4, d->key, -1, SQLITE_STATIC);
		sqlite3_bind_text(find, 5, d->col, -1, SQLITE_STATIC);
		src = sqlite3_step(find);
		if (src == SQLITE_ROW) {
			item = sqlite3_column_int64(find, 0);
			store_col_text(find, 1, state, sizeof state);
		}
		sqlite3_reset(find);
		if (src != SQLITE_ROW && src != SQLITE_DONE) {
			rc = store_fail(s, err, "cannot read the review");
			goto fail;
		}
		if (!item) {
			sqlite3_reset(ins);
			sqlite3_bind_int64(ins, 1, cid);
			sqlite3_bind_text(ins, 2, d->check, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 3, d->file, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 4, d->key, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 5, d->col, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 6, d->detail, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 7, d->project, -1, SQLITE_STATIC);
			if (pid)
				sqlite3_bind_int64(ins, 8, pid);
			else
				sqlite3_bind_null(ins, 8);
			sqlite3_bind_text(ins, 9, d->sev, -1, SQLITE_STATIC);
			sqlite3_bind_int64(ins, 10, run);
			sqlite3_bind_int64(ins, 11, d->line);
			sqlite3_bind_int64(ins, 12, d->count);
			sqlite3_bind_text(ins, 13, now, -1, SQLITE_STATIC);
			src = sqlite3_step(ins);
			sqlite3_reset(ins);
			if (src != SQLITE_DONE) {
				rc = store_fail(s, err, "cannot add a review item");
				goto fail;
			}
			r.opened++;
			continue;
		}
		sqlite3_reset(upd);
		sqlite3_bind_int64(upd, 1, item);
		sqlite3_bind_int64(upd, 2, run);
		sqlite3_bind_int64(upd, 3, d->line);
		sqlite3_bind_int64(upd, 4, d->count);
		sqlite3_bind_text(upd, 5, d->sev, -1, SQLITE_STATIC);
		sqlite3_bind_text(upd, 6, d->detail, -1, SQLITE_STATIC);
		sqlite3_bind_text(upd, 7, d->project, -1, SQLITE_STATIC);
		if (pid)
			sqlite3_bind_int64(upd, 8, pid);
		else
			sqlite3_bind_null(upd, 8);
		sqlite3_bind_text(upd, 9, now, -1, SQLITE_STATIC);
		src = sqlite3_step(upd);
		sqlite3_reset(upd);
		if (src != SQLITE_DONE) {
			rc = store_fail(s, err, "cannot update a review item");
			goto fail;
		}
		if (strcmp(state, "resolved") == 0) {
			r.reopened++;
			if ((rc = add_decision(s, item, "hmx", "hmx", RA_REOPEN, RV_RESOLVED, RV_OPEN,
					       "found again", run, now, err)) != HMX_OK)
				goto fail;
		} else if (strcmp(state, "waived") == 0) {
			r.waived_kept++;
		} else {
			r.persisted++;
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	if (src != SQLITE_DONE) {
		rc = store_fail(s, err, "cannot read the run's findings");
		goto fail;
	}
	/* gone from this run: resolved, with a decision row each */
	st = store_prepare(s,
			   "INSERT INTO decision(item_id, at, who, role, action, from_state, to_state, "
			   "text, run_id) SELECT id, ?3, 'hmx', 'hmx', 'resolve', state, 'resolved', "
			   "'not found by the run', ?2 FROM review_item WHERE cycle_id = ?1 AND "
			   "last_run <> ?2 AND state IN ('open','fix-proposed','approved','rejected') "
			   "AND " NOT_HALTED,
			   err);
	if (!st) {
		rc = HMX_EDB;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_int64(st, 2, run);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	src = sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (src != SQLITE_DONE) {
		rc = store_fail(s, err, "cannot record the resolved findings");
		goto fail;
	}
	r.resolved = sqlite3_changes(store_db(s));
	st = store_prepare(s,
			   "UPDATE review_item SET state = 'resolved', version = version + 1, "
			   "updated_at = ?3, updated_by = 'hmx' WHERE cycle_id = ?1 AND last_run <> ?2 "
			   "AND state IN ('open','fix-proposed','approved','rejected') AND " NOT_HALTED,
			   err);
	if (!st) {
		rc = HMX_EDB;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_int64(st, 2, run);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	src = sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (src != SQLITE_DONE) {
		rc = store_fail(s, err, "cannot resolve the review items");
		goto fail;
	}
	st = store_prepare(s, "INSERT INTO review_sync(run_id, cycle_id, at, who) VALUES (?1, ?2, ?3, ?4)",
			   err);
	if (!st) {
		rc = HMX_EDB;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, cid);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, hmx_actor(), -1, SQLITE_TRANSIENT);
	src = sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (src != SQLITE_DONE) {
		rc = store_fail(s, err, "cannot record the review sync");
		goto fail;
	}
	snprintf(object, sizeof object, "%s/review", cycle);
	snprintf(after, sizeof after,
		 "run %lld: %lld new, %lld still found, %lld reopened, %lld resolved, %lld waived",
		 (long long)run, (long long)r.opened, (long long)r.persisted, (long long)r.reopened,
		 (long long)r.resolved, (long long)r.waived_kept);
	if ((rc = audit_write(s, "review.sync", object, NULL, after, err)) != HMX_OK)
		goto fail;
	sqlite3_finalize(find);
	sqlite3_finalize(ins);
	sqlite3_finalize(upd);
	sqlite3_finalize(proj);
	find = ins = upd = proj = NULL;
	free(cache.e);
	cache.e = NULL;
	if ((rc = store_commit(s, err)) != HMX_OK)
		return rc;
	if (out)
		*out = r;
	return HMX_OK;
fail:
	sqlite3_finalize(st);
	sqlite3_finalize(find);
	sqlite3_finalize(ins);
	sqlite3_finalize(upd);
	sqlite3_finalize(proj);
	free(cache.e);
	store_rollback(s);
	return rc;
}

/* ---- the gate ------------------------------------------------------------------------------- */

enum hmx_rc review_blockers(struct store *s, int64_t cycle_id, enum review_sev min, int64_t *n,
			    struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(
		s,
		"SELECT count(*) FROM review_item WHERE cycle_id = ?1 AND "
		"state IN ('open','fix-proposed','approved','rejected') AND "
		"(CASE severity WHEN 'blocking' THEN 2 WHEN 'error' THEN 1 ELSE 0 END) >= ?2",
		err);
	int rc;

	*n = 0;
	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, cycle_id);
	sqlite3_bind_int(st, 2, (int)min);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? HMX_OK : store_fail(s, err, "cannot count the review's findings");
}

/* ---- the per-partner report ---------------------------------------------------------------- */

static void csv_cell(FILE *f, const char *v, bool last)
{
	bool q = strpbrk(v, ",\"\r\n") != NULL;

	if (q) {
		fputc('"', f);
		for (; *v; v++) {
			if (*v == '"')
				fputc('"', f);
			fputc(*v, f);
		}
		fputc('"', f);
	} else {
		fputs(v, f);
	}
	fputc(last ? '\n' : ',', f);
}

/* Markdown table cell: | and newlines escaped. */
static void md_cell(FILE *f, const char *v)
{
	fputc(' ', f);
	for (; *v; v++) {
		if (*v == '|')
			fputs("\\|", f);
		else if (*v == '\n' || *v == '\r')
			fputc(' ', f);
		else
			fputc(*v, f);
	}
	fputs(" |", f);
}

static void history_line(char *buf, size_t n, const struct review_decision *d, size_t nd)
{
	size_t k = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < nd && k < n; i++)
		k += (size_t)snprintf(buf + k, n - k, "%s%s %s %s %s->%s%s%s", i ? " | " : "", d[i].at,
				      d[i].who, review_action_name(d[i].action),
				      review_state_name(d[i].from), review_state_name(d[i].to),
				      d[i].text[0] ? ": " : "", d[i].text);
}

/* The reason of the waiver: the text of the last waive decision. */
static const char *waiver(const struct review_decision *d, size_t nd)
{
	for (size_t i = nd; i-- > 0;)
		if (d[i].action == RA_WAIVE)
			return d[i].text;
	return "";
}

enum hmx_rc review_report(struct store *s, const char *cycle, const char *project,
			  const char *agency, const char *format, FILE *f, struct hmx_err *err)
{
	struct review_filter flt;
	struct review_item *items = NULL;
	size_t n = 0;
	bool csv;
	enum hmx_rc rc;
	char *hist = NULL, num[32];
	const size_t hist_n = 65536;

	if (!format || (strcmp(format, "csv") != 0 && strcmp(format, "md") != 0))
		return hmx_err_set(err, HMX_EINVAL, "bad report format \"%s\": use csv or md",
				   format ? format : "");
	csv = strcmp(format, "csv") == 0;
	review_filter_init(&flt);
	flt.project = project;
	flt.agency = agency;
	if ((rc = review_list(s, cycle, &flt, &items, &n, err)) != HMX_OK)
		return rc;
	if (!(hist = malloc(hist_n))) {
		free(items);
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	}
	if (csv) {
		fputs("finding,cycle,project,agency,check,severity,file,key,column,detail,state,"
		      "reviewer,fix,waiver_reason,first_run,last_run,history\n",
		      f);
	} else {
		fprintf(f, "# Review of %s%s%s%s%s\n\n", cycle, project ? " — project " : "",
			project ? project : "", agency ? " — agency " : "", agency ? agency : "");
		fprintf(f, "%zu findings. IDs and codes only: no client data.\n\n", n);
		fputs("| # | project | check | severity | file | key | column | state | reviewer | fix "
		      "| waiver reason |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
		      f);
	}
	for (size_t pass = csv ? 1 : 0; pass < 2; pass++) {
		if (pass == 1 && !csv)
			fputs("\n## History\n", f);
		for (size_t i = 0; i < n; i++) {
			const struct review_item *it = &items[i];
			struct review_decision *d = NULL;
			size_t nd = 0;

			if ((rc = review_history(s, it->id, &d, &nd, err)) != HMX_OK)
				goto out;
			snprintf(num, sizeof num, "%lld", (long long)it->id);
			if (csv) {
				char r1[32], r2[32];

				snprintf(r1, sizeof r1, "%lld", (long long)it->first_run);
				snprintf(r2, sizeof r2, "%lld", (long long)it->last_run);
				history_line(hist, hist_n, d, nd);
				csv_cell(f, num, false);
				csv_cell(f, it->cycle, false);
				csv_cell(f, it->project, false);
				csv_cell(f, it->agency, false);
				csv_cell(f, it->check, false);
				csv_cell(f, review_sev_name(it->severity), false);
				csv_cell(f, it->file, false);
				csv_cell(f, it->key, false);
				csv_cell(f, it->column, false);
				csv_cell(f, it->detail, false);
				csv_cell(f, review_state_name(it->state), false);
				csv_cell(f, it->reviewer, false);
				csv_cell(f, it->fix, false);
				csv_cell(f, it->state == RV_WAIVED ? waiver(d, nd) : "", false);
				csv_cell(f, r1, false);
				csv_cell(f, r2, false);
				csv_cell(f, hist, true);
			} else if (pass == 0) {
				fputs("|", f);
				md_cell(f, num);
				md_cell(f, it->project[0] ? it->project : "-");
				md_cell(f, it->check);
				md_cell(f, review_sev_name(it->severity));
				md_cell(f, it->file);
				md_cell(f, it->key);
				md_cell(f, it->column);
				md_cell(f, review_state_name(it->state));
				md_cell(f, it->reviewer);
				md_cell(f, it->fix);
				md_cell(f, it->state == RV_WAIVED ? waiver(d, nd) : "");
				fputc('\n', f);
			} else {
				fprintf(f, "\n### Finding %s — %s %s %s\n\n- first seen in run %lld, last in run %lld\n",
					num, it->check, it->file, it->key, (long long)it->first_run,
					(long long)it->last_run);
				for (size_t k = 0; k < nd; k++)
					fprintf(f, "- %s %s (%s): %s, %s -> %s%s%s\n", d[k].at, d[k].who,
						d[k].role, review_action_name(d[k].action),
						review_state_name(d[k].from), review_state_name(d[k].to),
						d[k].text[0] ? ": " : "", d[k].text);
			}
			free(d);
		}
	}
	if (ferror(f))
		rc = hmx_err_set(err, HMX_EIO, "cannot write the report");
out:
	free(hist);
	free(items);
	return rc;
}
