/* tests/test_review.c — unit tests of core/review and core/reviewer: every
 * transition of the state machine allowed and refused (iterating the
 * table, from every state, as admin and as reviewer); matching findings
 * across runs by check + file + key + column, never line (same identity
 * on another line persists, a gone one resolves with a decision by hmx, a
 * new one opens, a resolved one that comes back reopens, waived stays
 * waived, a run syncs once, an older run or one that stopped early is
 * refused, a halted file keeps its items); the project of a
 * finding (HUD ProjectID, alias, none); the live-import gate refusing
 * then allowing; permissions (a reviewer of project A cannot act on B's
 * items, agency scope, admin-only actions); stale versions refused; the
 * audit row of every decision with the reviewer's name; the report;
 * authorized_keys lines written, replaced and removed keeping other
 * lines; and 1 admin + 8 reviewer processes making 1,000 decisions on one
 * database at the same time, after which decisions, item states, versions
 * and audit rows agree exactly. */
#include "testutil.h"
#include "fxstore.h"
#include "fxexport.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/cycle.h"
#include "core/review.h"
#include "core/reviewer.h"

#define CYCLE "import-2026B4"

/* ---- fixture ----------------------------------------------------------------------------- */

static const char *const KEY_A = "ssh-ed25519 "
				 "AAAAC3NzaC1lZDI1NTE5AAAAIHrYwx/eYX5usbKWolGK6IkPmqs8geSbGUkKQ+dcNvFW a@x";
static const char *const KEY_B = "ssh-ed25519 "
				 "AAAAC3NzaC1lZDI1NTE5AAAAIH32t7IsyEQqcrpAV1svjLoJVHrsD8LbxLGyno2jdG6o b@y";

static void add_reviewer(struct fx *f, const char *name, const char *key, const char *projects,
			 const char *agency)
{
	char path[512], file[64];
	struct hmx_err err;

	snprintf(file, sizeof file, "%s.pub", name);
	tu_write(f->dir, file, key, (size_t)-1);
	tu_path(path, sizeof path, f->dir, file);
	if (reviewer_add(f->s, name, path, projects, agency, &err) != HMX_OK)
		fail_msg("reviewer_add(%s): %s", name, err.msg);
}

/* Agencies A1 (pa1: HUD 1, pa2: HUD 2) and A2 (pb1: HUD 3), an import
 * cycle, reviewers ra (pa1), rb (agency A2). */
static int setup(void **state)
{
	struct fx *f;

	fx_setup(state);
	f = *state;
	fx_agency(f->s, "A1", "Agency one");
	fx_agency(f->s, "A2", "Agency two");
	fx_project(f->s, "pa1", "Project A1", "A1", REG_SRC_HMIS, "1");
	fx_project(f->s, "pa2", "Project A2", "A1", REG_SRC_HMIS, "2");
	fx_project(f->s, "pb1", "Project B1", "A2", REG_SRC_HMIS, "3");
	fx_cycle(f->s, "import", "2026B4");
	add_reviewer(f, "ra", KEY_A, "pa1", NULL);
	add_reviewer(f, "rb", KEY_B, NULL, "A2");
	return 0;
}

static void exec_sql(struct store *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(store_db(s), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

/* One finished validation run of the cycle with the findings given as
 * "check|severity|file|line|key|col|project" lines; returns its id. */
static int64_t add_run(struct store *s, const char *const *rows, size_t n)
{
	char sql[1024];
	int64_t run;

	exec_sql(s, "INSERT INTO validation_run(cycle_id, path, started_at, finished_at, status, "
		    "created_by) SELECT id, '/demo.zip', '2026-04-01T12:00:00Z', "
		    "'2026-04-01T12:00:01Z', 'done', 'tester' FROM cycle WHERE code = '" CYCLE "'");
	run = sqlite3_last_insert_rowid(store_db(s));
	for (size_t i = 0; i < n; i++) {
		char f[7][64] = { "" };
		const char *p = rows[i];

		for (int k = 0; k < 7; k++) {
			const char *e = strchr(p, '|');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			memcpy(f[k], p, len);
			f[k][len] = '\0';
			p = e ? e + 1 : p + len;
		}
		snprintf(sql, sizeof sql,
			 "INSERT INTO finding(run_id, seq, check_id, severity, file, line, key, col, "
			 "detail, project) VALUES (%lld, %zu, '%s', '%s', '%s', %s, '%s', '%s', 'x', '%s')",
			 (long long)run, i, f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
		exec_sql(s, sql);
	}
	return run;
}

static void sync_ok(struct store *s, int64_t run, struct review_sync_result *r)
{
	struct hmx_err err;

	if (review_sync(s, CYCLE, run, r, &err) != HMX_OK)
		fail_msg("review_sync(%lld): %s", (long long)run, err.msg);
}

/* Item id by key (unique within these tests). */
static int64_t item_of(struct store *s, const char *key)
{
	char sql[256];

	snprintf(sql, sizeof sql, "SELECT id FROM review_item WHERE key = '%s'", key);
	return fx_count(s, sql);
}

static enum review_state state_of(struct store *s, int64_t id)
{
	struct review_item it;
	struct hmx_err err;

	assert_int_equal(review_get(s, id, &it, &err), HMX_OK);
	return it.state;
}

static void force_state(struct store *s, int64_t id, enum review_state st)
{
	char sql[256];

	snprintf(sql, sizeof sql, "UPDATE review_item SET state = '%s' WHERE id = %lld",
		 review_state_name(st), (long long)id);
	exec_sql(s, sql);
}

static enum hmx_rc decide(struct store *s, int64_t id, enum review_action a, const char *as,
			  const char *text, struct hmx_err *err)
{
	struct review_request rq = { id, a, as, text, 0 };

	return review_decide(s, &rq, NULL, err);
}

static const char *const RUN1[] = {
	"Q01|blocking|Enrollment.csv|5|EnrollmentID=e1|DisablingCondition|1",
	"K01|blocking|Event.csv|3|EventID=2||3",
	"Q02|error|Enrollment.csv|8|EnrollmentID=e3|RelationshipToHoH|2",
	"S09|warning|Client.csv|4|PersonalID=c9|VeteranStatus|",
};

/* ---- the state machine ------------------------------------------------------------------- */

static void t_names(void **state)
{
	enum review_state st;
	enum review_action a;
	enum review_sev sv;

	(void)state;
	for (int i = 0; i < RV_NSTATES; i++) {
		assert_true(review_state_parse(review_state_name((enum review_state)i), &st));
		assert_int_equal(st, i);
	}
	for (int i = 0; i < RA_NACTIONS; i++) {
		assert_true(review_action_parse(review_action_name((enum review_action)i), &a));
		assert_int_equal(a, i);
		assert_non_null(review_rule_of((enum review_action)i));
	}
	for (int i = 0; i < RS_NSEV; i++) {
		assert_true(review_sev_parse(review_sev_name((enum review_sev)i), &sv));
		assert_int_equal(sv, i);
	}
	assert_false(review_state_parse("done", &st));
	assert_false(review_action_parse("delete", &a));
}

/* The table is the state machine: written out here once more, so
 * a change to review_rules[] is a change to this test too. Columns:
 * open, fix-proposed, approved, rejected, resolved, waived; "-" refused,
 * "=" no change, else the first letter of the new state. */
static void t_table_is_the_spec(void **state)
{
	static const struct {
		enum review_action a;
		const char *to;
		unsigned who;
		bool text;
	} spec[] = {
		{ RA_PROPOSE, "f--f--", RR_ADMIN, true },
		{ RA_APPROVE, "-a----", RR_ADMIN | RR_REVIEWER, false },
		{ RA_REJECT, "-r----", RR_ADMIN | RR_REVIEWER, true },
		{ RA_COMMENT, "======", RR_ADMIN | RR_REVIEWER, true },
		{ RA_ASSIGN, "====--", RR_ADMIN, false },
		{ RA_WAIVE, "wwww--", RR_ADMIN, true },
		{ RA_RESOLVE, "RRRR--", RR_SYSTEM, false },
		{ RA_REOPEN, "----o-", RR_SYSTEM, false },
	};
	static const char letter[RV_NSTATES] = { 'o', 'f', 'a', 'r', 'R', 'w' };
	size_t n = 0;

	(void)state;
	while (review_rule_at(n))
		n++;
	assert_int_equal(n, sizeof spec / sizeof spec[0]);
	for (size_t i = 0; i < n; i++) {
		const struct review_rule *r = review_rule_of(spec[i].a);

		assert_non_null(r);
		assert_int_equal(r->who, spec[i].who);
		assert_int_equal(r->needs_text, spec[i].text);
		for (int st = 0; st < RV_NSTATES; st++) {
			char c = spec[i].to[st];
			bool allowed = r->from & (1u << st);

			assert_int_equal(allowed, c != '-');
			if (c == '=')
				assert_int_equal(r->to, RV_NSTATES);
			else if (c != '-')
				assert_int_equal(letter[r->to], c);
		}
	}
}

/* Every rule from every state, as admin and as a reviewer of the item's
 * project: allowed exactly when the table says so, and then to the
 * table's state with one decision and one audit row; refused with
 * HMX_ESTATE and nothing written otherwise. */
static void t_every_transition(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	int64_t run = add_run(f->s, RUN1, 1), id;
	const struct review_rule *r;

	sync_ok(f->s, run, NULL);
	id = item_of(f->s, "EnrollmentID=e1");
	assert_true(id > 0);
	for (size_t i = 0; (r = review_rule_at(i)) != NULL; i++) {
		for (int who = 0; who < 2; who++) {
			const char *as = who ? "ra" : NULL;
			unsigned role = who ? RR_REVIEWER : RR_ADMIN;

			for (int from = 0; from < RV_NSTATES; from++) {
				long long d0, a0, d1, a1;
				const char *text = r->action == RA_ASSIGN ? "ra" : "because";
				enum hmx_rc rc;
				bool allowed = (r->who & role) && (r->from & (1u << from));

				force_state(f->s, id, (enum review_state)from);
				d0 = fx_count(f->s, "SELECT count(*) FROM decision");
				a0 = fx_count(f->s, "SELECT count(*) FROM audit WHERE action LIKE 'review.%'");
				rc = decide(f->s, id, r->action, as, text, &err);
				d1 = fx_count(f->s, "SELECT count(*) FROM decision");
				a1 = fx_count(f->s, "SELECT count(*) FROM audit WHERE action LIKE 'review.%'");
				if (r->who & RR_SYSTEM) {
					assert_int_equal(rc, HMX_EINVAL);
					allowed = false;
				} else if (allowed) {
					if (rc != HMX_OK)
						fail_msg("%s from %s as %s: %s", review_action_name(r->action),
							 review_state_name((enum review_state)from),
							 as ? as : "admin", err.msg);
				} else {
					if (rc != HMX_ESTATE)
						fail_msg("%s from %s as %s: rc %d, wanted ESTATE",
							 review_action_name(r->action),
							 review_state_name((enum review_state)from),
							 as ? as : "admin", rc);
					assert_non_null(strstr(err.msg, review_action_name(r->action)));
				}
				assert_int_equal(state_of(f->s, id),
						 allowed && r->to != RV_NSTATES ? (int)r->to : from);
				assert_int_equal(d1 - d0, allowed ? 1 : 0);
				assert_int_equal(a1 - a0, allowed ? 1 : 0);
			}
		}
	}
}

static void t_text_required(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	int64_t id;
	const struct review_rule *r;
	char longtext[REVIEW_TEXT_MAX + 2];

	sync_ok(f->s, add_run(f->s, RUN1, 1), NULL);
	id = item_of(f->s, "EnrollmentID=e1");
	for (size_t i = 0; (r = review_rule_at(i)) != NULL; i++) {
		if (!r->needs_text)
			continue;
		assert_int_equal(decide(f->s, id, r->action, NULL, "", &err), HMX_EINVAL);
		assert_non_null(strstr(err.msg, r->text_name));
		assert_int_equal(decide(f->s, id, r->action, NULL, "   ", &err), HMX_EINVAL);
	}
	memset(longtext, 'x', sizeof longtext - 1);
	longtext[sizeof longtext - 1] = '\0';
	assert_int_equal(decide(f->s, id, RA_COMMENT, NULL, longtext, &err), HMX_EINVAL);
	assert_int_equal(decide(f->s, id, RA_COMMENT, NULL, "two\nlines", &err), HMX_EINVAL);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM decision"), 0);
}

/* The usual path, with the history and the audit rows. */
static void t_path_and_history(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	struct review_item it;
	struct review_decision *d;
	struct audit_row *ar;
	size_t n, na;
	int64_t id;

	sync_ok(f->s, add_run(f->s, RUN1, 4), NULL);
	id = item_of(f->s, "EnrollmentID=e1");
	assert_int_equal(decide(f->s, id, RA_ASSIGN, NULL, "ra", &err), HMX_OK);
	assert_int_equal(decide(f->s, id, RA_PROPOSE, NULL, "vendor sets DisablingCondition", &err),
			 HMX_OK);
	assert_int_equal(decide(f->s, id, RA_REJECT, "ra", "the record is ours, not theirs", &err),
			 HMX_OK);
	assert_int_equal(decide(f->s, id, RA_PROPOSE, NULL, "second try", &err), HMX_OK);
	assert_int_equal(decide(f->s, id, RA_COMMENT, "ra", "looks right", &err), HMX_OK);
	assert_int_equal(decide(f->s, id, RA_APPROVE, "ra", NULL, &err), HMX_OK);
	assert_int_equal(review_get(f->s, id, &it, &err), HMX_OK);
	assert_int_equal(it.state, RV_APPROVED);
	assert_string_equal(it.reviewer, "ra");
	assert_string_equal(it.fix, "second try");
	assert_string_equal(it.project, "pa1");
	assert_string_equal(it.agency, "A1");
	assert_int_equal(it.version, 7);
	assert_string_equal(it.updated_by, "ra");
	assert_int_equal(review_history(f->s, id, &d, &n, &err), HMX_OK);
	assert_int_equal(n, 6);
	assert_int_equal(d[0].action, RA_ASSIGN);
	assert_string_equal(d[0].who, "tester");
	assert_string_equal(d[0].role, "admin");
	assert_int_equal(d[2].action, RA_REJECT);
	assert_string_equal(d[2].who, "ra");
	assert_string_equal(d[2].role, "reviewer");
	assert_int_equal(d[2].from, RV_FIX_PROPOSED);
	assert_int_equal(d[2].to, RV_REJECTED);
	assert_string_equal(d[2].text, "the record is ours, not theirs");
	free(d);
	/* the audit rows name the reviewer */
	{
		char obj[64];
		snprintf(obj, sizeof obj, CYCLE "/review/%lld", (long long)id);
		assert_int_equal(audit_list(f->s, obj, 0, &ar, &na, &err), HMX_OK);
	}
	assert_int_equal(na, 6);
	assert_string_equal(ar[2].who, "ra");
	assert_string_equal(ar[2].action, "review.reject");
	assert_string_equal(ar[2].before, "fix-proposed");
	assert_string_equal(ar[2].after, "rejected: the record is ours, not theirs");
	assert_string_equal(ar[5].action, "review.approve");
	free(ar);
	/* unknown item */
	assert_int_equal(decide(f->s, 9999, RA_COMMENT, NULL, "x", &err), HMX_ENOTFOUND);
	assert_int_equal(review_history(f->s, 9999, &d, &n, &err), HMX_ENOTFOUND);
}

/* A decision taken on a version that changed meanwhile is refused. */
static void t_stale_version(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	struct review_item it;
	struct review_request rq;
	int64_t id;

	sync_ok(f->s, add_run(f->s, RUN1, 1), NULL);
	id = item_of(f->s, "EnrollmentID=e1");
	assert_int_equal(review_get(f->s, id, &it, &err), HMX_OK);
	assert_int_equal(decide(f->s, id, RA_PROPOSE, NULL, "fix", &err), HMX_OK);
	rq = (struct review_request){ id, RA_COMMENT, "ra", "seen", it.version };
	assert_int_equal(review_decide(f->s, &rq, NULL, &err), HMX_ESTATE);
	assert_non_null(strstr(err.msg, "changed meanwhile"));
	rq.expect_version = it.version + 1;
	assert_int_equal(review_decide(f->s, &rq, &it, &err), HMX_OK);
	assert_int_equal(it.version, rq.expect_version + 1);
	/* the second of two approvals of the same fix is refused, never applied twice */
	assert_int_equal(decide(f->s, id, RA_APPROVE, "ra", NULL, &err), HMX_OK);
	assert_int_equal(decide(f->s, id, RA_APPROVE, NULL, NULL, &err), HMX_ESTATE);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM decision WHERE action = 'approve'"), 1);
}

/* ---- permissions ------------------------------------------------------------------------- */

static void t_permissions(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	struct review_filter flt;
	struct review_item *items;
	size_t n;
	int64_t e1, e3, ev, c9;

	sync_ok(f->s, add_run(f->s, RUN1, 4), NULL);
	e1 = item_of(f->s, "EnrollmentID=e1"); /* pa1 */
	e3 = item_of(f->s, "EnrollmentID=e3"); /* pa2 */
	ev = item_of(f->s, "EventID=2");       /* pb1 */
	c9 = item_of(f->s, "PersonalID=c9");   /* no project */
	for (int64_t id = 1; id <= 4; id++)
		assert_int_equal(decide(f->s, id, RA_PROPOSE, NULL, "fix", &err), HMX_OK);
	/* ra reviews pa1 only */
	assert_int_equal(decide(f->s, e3, RA_APPROVE, "ra", NULL, &err), HMX_ESTATE);
	assert_non_null(strstr(err.msg, "not your project"));
	assert_int_equal(decide(f->s, ev, RA_COMMENT, "ra", "hi", &err), HMX_ESTATE);
	assert_int_equal(decide(f->s, c9, RA_APPROVE, "ra", NULL, &err), HMX_ESTATE);
	assert_int_equal(decide(f->s, e1, RA_APPROVE, "ra", NULL, &err), HMX_OK);
	/* rb reviews agency A2: pb1 */
	assert_int_equal(decide(f->s, e1, RA_COMMENT, "rb", "hi", &err), HMX_ESTATE);
	assert_int_equal(decide(f->s, ev, RA_REJECT, "rb", "no", &err), HMX_OK);
	/* admin-only actions, even on the reviewer's own project */
	assert_int_equal(decide(f->s, ev, RA_PROPOSE, "rb", "mine", &err), HMX_ESTATE);
	assert_non_null(strstr(err.msg, "only the HMIS admin"));
	assert_int_equal(decide(f->s, ev, RA_WAIVE, "rb", "mine", &err), HMX_ESTATE);
	assert_int_equal(decide(f->s, ev, RA_ASSIGN, "rb", "rb", &err), HMX_ESTATE);
	/* assigning a reviewer outside the project is refused */
	assert_int_equal(decide(f->s, e3, RA_ASSIGN, NULL, "ra", &err), HMX_EINVAL);
	assert_int_equal(decide(f->s, e3, RA_ASSIGN, NULL, "nobody", &err), HMX_ENOTFOUND);
	/* unknown reviewer */
	assert_int_equal(decide(f->s, e1, RA_COMMENT, "ghost", "x", &err), HMX_ENOTFOUND);
	/* what each one sees */
	review_filter_init(&flt);
	flt.as = "ra";
	assert_int_equal(review_list(f->s, CYCLE, &flt, &items, &n, &err), HMX_OK);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].id, e1);
	free(items);
	flt.as = "rb";
	assert_int_equal(review_list(f->s, CYCLE, &flt, &items, &n, &err), HMX_OK);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].id, ev);
	free(items);
	/* a change of scope takes effect at once */
	assert_int_equal(reviewer_set_scope(f->s, "ra", NULL, "A1", &err), HMX_OK);
	assert_int_equal(decide(f->s, e3, RA_APPROVE, "ra", NULL, &err), HMX_OK);
	assert_int_equal(reviewer_set_scope(f->s, "ra", "pa1,pb1", NULL, &err), HMX_OK);
	assert_int_equal(decide(f->s, ev, RA_COMMENT, "ra", "now mine", &err), HMX_OK);
	assert_int_equal(reviewer_set_scope(f->s, "ra", "pa1", "A1", &err), HMX_EINVAL);
	assert_int_equal(reviewer_set_scope(f->s, "ra", "nope", NULL, &err), HMX_ENOTFOUND);
}

/* ---- matching across runs ---------------------------------------------------------------- */

static void t_matching(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	struct review_sync_result r;
	struct review_decision *d;
	struct review_item it;
	size_t n;
	int64_t run1, run2, run3, e1, ev, e3, c9;
	/* e1 on another line and with another detail; K01 gone; e3 gone but
	 * waived; c9 the same; a new one; two findings of one identity */
	static const char *const run2_rows[] = {
		"Q01|blocking|Enrollment.csv|17|EnrollmentID=e1|DisablingCondition|1",
		"S09|warning|Client.csv|40|PersonalID=c9|VeteranStatus|",
		"Q05|error|Exit.csv|3|ExitID=x7|Destination|2",
		"K02|blocking|Exit.csv|4|EnrollmentID=e8|EnrollmentID|1",
		"K02|blocking|Exit.csv|9|EnrollmentID=e8|EnrollmentID|1",
	};
	static const char *const run3_rows[] = {
		"K01|blocking|Event.csv|12|EventID=2||3",
		"Q01|blocking|Enrollment.csv|17|EnrollmentID=e1|DisablingCondition|1",
	};

	run1 = add_run(f->s, RUN1, 4);
	sync_ok(f->s, run1, &r);
	assert_int_equal(r.opened, 4);
	assert_int_equal(r.findings, 4);
	e1 = item_of(f->s, "EnrollmentID=e1");
	ev = item_of(f->s, "EventID=2");
	e3 = item_of(f->s, "EnrollmentID=e3");
	c9 = item_of(f->s, "PersonalID=c9");
	assert_int_equal(decide(f->s, e1, RA_PROPOSE, NULL, "fix e1", &err), HMX_OK);
	assert_int_equal(decide(f->s, ev, RA_PROPOSE, NULL, "fix ev", &err), HMX_OK);
	assert_int_equal(decide(f->s, ev, RA_APPROVE, "rb", NULL, &err), HMX_OK);
	assert_int_equal(decide(f->s, e3, RA_WAIVE, NULL, "vendor limitation", &err), HMX_OK);

	run2 = add_run(f->s, run2_rows, 5);
	sync_ok(f->s, run2, &r);
	assert_false(r.already);
	assert_int_equal(r.opened, 2);    /* x7, e8 */
	assert_int_equal(r.persisted, 2); /* e1, c9 */
	assert_int_equal(r.resolved, 1);  /* ev */
	assert_int_equal(r.findings, 4);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM review_item"), 6);
	assert_int_equal(review_get(f->s, e1, &it, &err), HMX_OK);
	assert_int_equal(it.state, RV_FIX_PROPOSED);
	assert_string_equal(it.fix, "fix e1");
	assert_int_equal(it.line, 17);
	assert_int_equal(it.first_run, run1);
	assert_int_equal(it.last_run, run2);
	assert_int_equal(state_of(f->s, ev), RV_RESOLVED);
	assert_int_equal(state_of(f->s, e3), RV_WAIVED);
	assert_int_equal(state_of(f->s, c9), RV_OPEN);
	assert_int_equal(review_get(f->s, item_of(f->s, "EnrollmentID=e8"), &it, &err), HMX_OK);
	assert_int_equal(it.occurrences, 2);
	assert_int_equal(it.line, 4);
	assert_int_equal(it.state, RV_OPEN);
	assert_int_equal(review_history(f->s, ev, &d, &n, &err), HMX_OK);
	assert_int_equal(n, 3);
	assert_int_equal(d[2].action, RA_RESOLVE);
	assert_string_equal(d[2].who, "hmx");
	assert_string_equal(d[2].role, "hmx");
	assert_int_equal(d[2].from, RV_APPROVED);
	assert_int_equal(d[2].run, run2);
	free(d);
	/* resolved is final for people */
	assert_int_equal(decide(f->s, ev, RA_PROPOSE, NULL, "again", &err), HMX_ESTATE);
	assert_int_equal(decide(f->s, ev, RA_WAIVE, NULL, "why", &err), HMX_ESTATE);

	/* once per run; never an older run after a newer one */
	sync_ok(f->s, run2, &r);
	assert_true(r.already);
	assert_int_equal(review_sync(f->s, CYCLE, run1, &r, &err), HMX_OK);
	assert_true(r.already);
	run3 = add_run(f->s, run3_rows, 2);
	{
		int64_t newer = add_run(f->s, RUN1, 1);
		sync_ok(f->s, newer, &r);
		assert_int_equal(review_sync(f->s, CYCLE, run3, &r, &err), HMX_EINVAL);
		assert_non_null(strstr(err.msg, "older"));
		/* the older one resolved everything but e1; run3 reopens ev */
		run3 = add_run(f->s, run3_rows, 2);
	}
	sync_ok(f->s, run3, &r);
	assert_int_equal(r.reopened, 1);
	assert_int_equal(state_of(f->s, ev), RV_OPEN);
	assert_int_equal(state_of(f->s, e3), RV_WAIVED);
	assert_int_equal(state_of(f->s, c9), RV_RESOLVED);
	assert_int_equal(review_history(f->s, ev, &d, &n, &err), HMX_OK);
	assert_int_equal(d[n - 1].action, RA_REOPEN);
	free(d);
	/* runs of other cycles, unfinished runs, unknown runs */
	exec_sql(f->s, "UPDATE validation_run SET status = 'running' WHERE id = 1");
	assert_int_equal(review_sync(f->s, CYCLE, 1, &r, &err), HMX_EINVAL);
	assert_int_equal(review_sync(f->s, CYCLE, 999, &r, &err), HMX_ENOTFOUND);
	assert_int_equal(review_sync(f->s, "nope-2026B4", run3, &r, &err), HMX_ENOTFOUND);
	/* one audit row per sync */
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit WHERE action = 'review.sync'"), 4);
}

/* A run that stopped early is refused; a file halted by S04 or missing
 * (P03) keeps its items. */
static void t_partial_runs(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	struct review_sync_result r;
	static const char *const stopped[] = { "P06|blocking|Export.csv|0|||" };
	static const char *const halted[] = {
		"S04|blocking|Enrollment.csv|3|||",
		"P03|blocking|Event.csv|0|||",
	};

	sync_ok(f->s, add_run(f->s, RUN1, 4), NULL);
	assert_int_equal(review_sync(f->s, CYCLE, add_run(f->s, stopped, 1), &r, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "stopped early (P06)"));
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM review_item WHERE state = 'open'"), 4);
	sync_ok(f->s, add_run(f->s, halted, 2), &r);
	assert_int_equal(r.opened, 2);
	assert_int_equal(r.resolved, 1); /* only Client.csv's c9 */
	assert_int_equal(state_of(f->s, item_of(f->s, "PersonalID=c9")), RV_RESOLVED);
	assert_int_equal(state_of(f->s, item_of(f->s, "EnrollmentID=e1")), RV_OPEN);
	assert_int_equal(state_of(f->s, item_of(f->s, "EventID=2")), RV_OPEN);
}

/* The project of a finding: alias of the run's source or hmis first, then
 * the HUD ProjectID; none when nothing matches. */
static void t_project_resolution(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	struct review_item it;
	static const char *const rows[] = {
		"Q01|blocking|Enrollment.csv|5|EnrollmentID=a|X|1",
		"Q01|blocking|Enrollment.csv|6|EnrollmentID=b|X|77",
		"Q01|blocking|Enrollment.csv|7|EnrollmentID=c|X|99",
	};

	exec_sql(f->s, "INSERT INTO project_alias(source, source_project_id, project_id, at, who) "
		       "SELECT 'hmis', '77', id, 'now', 't' FROM project WHERE code = 'pb1'");
	sync_ok(f->s, add_run(f->s, rows, 3), NULL);
	assert_int_equal(review_get(f->s, item_of(f->s, "EnrollmentID=a"), &it, &err), HMX_OK);
	assert_string_equal(it.project, "pa1");
	assert_int_equal(review_get(f->s, item_of(f->s, "EnrollmentID=b"), &it, &err), HMX_OK);
	assert_string_equal(it.project, "pb1");
	assert_string_equal(it.source_project, "77");
	assert_int_equal(review_get(f->s, item_of(f->s, "EnrollmentID=c"), &it, &err), HMX_OK);
	assert_string_equal(it.project, "");
}

/* ---- lists, counts, report --------------------------------------------------------------- */

static void t_list_and_counts(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	struct review_filter flt;
	struct review_item *items;
	struct review_count *c;
	size_t n;

	sync_ok(f->s, add_run(f->s, RUN1, 4), NULL);
	assert_int_equal(decide(f->s, item_of(f->s, "EventID=2"), RA_WAIVE, NULL, "ok", &err), HMX_OK);
	review_filter_init(&flt);
	assert_int_equal(review_list(f->s, CYCLE, &flt, &items, &n, &err), HMX_OK);
	assert_int_equal(n, 4);
	assert_string_equal(items[0].project, "pa1"); /* by project, unmapped last */
	assert_string_equal(items[3].project, "");
	free(items);
	flt.severity = RS_BLOCKING;
	assert_int_equal(review_list(f->s, CYCLE, &flt, &items, &n, &err), HMX_OK);
	assert_int_equal(n, 2);
	free(items);
	flt.pending = true;
	assert_int_equal(review_list(f->s, CYCLE, &flt, &items, &n, &err), HMX_OK);
	assert_int_equal(n, 1);
	free(items);
	review_filter_init(&flt);
	flt.project = "-";
	assert_int_equal(review_list(f->s, CYCLE, &flt, &items, &n, &err), HMX_OK);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].check, "S09");
	free(items);
	review_filter_init(&flt);
	flt.agency = "A1";
	flt.check = "Q02";
	assert_int_equal(review_list(f->s, CYCLE, &flt, &items, &n, &err), HMX_OK);
	assert_int_equal(n, 1);
	free(items);
	flt.project = "nope";
	assert_int_equal(review_list(f->s, CYCLE, &flt, &items, &n, &err), HMX_ENOTFOUND);
	assert_int_equal(review_list(f->s, "nope-2026B4", NULL, &items, &n, &err), HMX_ENOTFOUND);

	assert_int_equal(review_counts(f->s, CYCLE, NULL, &c, &n, &err), HMX_OK);
	assert_int_equal(n, 4); /* "", pa1, pa2, pb1 */
	assert_string_equal(c[0].project, "");
	assert_int_equal(c[0].pending[RS_WARNING], 1);
	assert_string_equal(c[1].project, "pa1");
	assert_int_equal(c[1].pending[RS_BLOCKING], 1);
	assert_int_equal(c[2].pending[RS_ERROR], 1);
	assert_int_equal(c[3].n[RS_BLOCKING][RV_WAIVED], 1);
	assert_int_equal(c[3].pending[RS_BLOCKING], 0);
	assert_int_equal(c[3].total, 1);
	free(c);
	assert_int_equal(review_counts(f->s, CYCLE, "rb", &c, &n, &err), HMX_OK);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].project, "pb1");
	free(c);
}

static void t_report(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	char path[512], *text;
	size_t len;
	FILE *out;

	sync_ok(f->s, add_run(f->s, RUN1, 4), NULL);
	assert_int_equal(decide(f->s, item_of(f->s, "EventID=2"), RA_WAIVE, NULL,
				"vendor cannot, ticket 42", &err), HMX_OK);
	assert_int_equal(decide(f->s, item_of(f->s, "EnrollmentID=e1"), RA_PROPOSE, NULL,
				"set it, \"now\"", &err), HMX_OK);
	tu_path(path, sizeof path, f->dir, "r.csv");
	out = fopen(path, "w");
	assert_non_null(out);
	assert_int_equal(review_report(f->s, CYCLE, NULL, "A2", "csv", out, &err), HMX_OK);
	fclose(out);
	text = tu_slurp(path, &len);
	assert_non_null(strstr(text, "finding,cycle,project"));
	assert_non_null(strstr(text, ",waived,"));
	assert_non_null(strstr(text, "vendor cannot, ticket 42"));
	assert_null(strstr(text, "EnrollmentID=e1")); /* another agency's */
	free(text);
	out = fopen(path, "w");
	assert_int_equal(review_report(f->s, CYCLE, "pa1", NULL, "md", out, &err), HMX_OK);
	fclose(out);
	text = tu_slurp(path, &len);
	assert_non_null(strstr(text, "# Review of " CYCLE));
	assert_non_null(strstr(text, "EnrollmentID=e1"));
	assert_non_null(strstr(text, "propose, open -> fix-proposed: set it, \"now\""));
	assert_null(strstr(text, "EventID=2"));
	free(text);
	out = fopen(path, "w");
	assert_int_equal(review_report(f->s, CYCLE, NULL, NULL, "pdf", out, &err), HMX_EINVAL);
	fclose(out);
}

/* ---- the gate ---------------------------------------------------------------------------- */

static void t_gate(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	struct step_info si;
	static const char *const before[] = { "notify-ready", "demo-import", "validate-demo",
					      "resolve-dq" };
	int64_t e1, ev;

	assert_int_equal(step_get(f->s, CYCLE, "notify-live", &si, &err), HMX_OK);
	assert_string_equal(si.requires, "review-clear");
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(step_set(f->s, CYCLE, before[i], STEP_DONE, "", &err), HMX_OK);
	/* no review yet: nothing blocks */
	assert_int_equal(step_set(f->s, CYCLE, "notify-live", STEP_DONE, "", &err), HMX_OK);
	assert_int_equal(step_set(f->s, CYCLE, "notify-live", STEP_IN_PROGRESS, "again", &err),
			 HMX_OK);
	sync_ok(f->s, add_run(f->s, RUN1, 4), NULL);
	e1 = item_of(f->s, "EnrollmentID=e1");
	ev = item_of(f->s, "EventID=2");
	assert_int_equal(step_set(f->s, CYCLE, "notify-live", STEP_DONE, "", &err), HMX_ESTATE);
	assert_non_null(strstr(err.msg, "2 blocking findings"));
	assert_non_null(strstr(err.msg, "hmx findings " CYCLE));
	/* nor can undo bring "done" back past the gate */
	assert_int_equal(step_undo(f->s, CYCLE, "notify-live", &err), HMX_ESTATE);
	assert_non_null(strstr(err.msg, "2 blocking findings"));
	assert_int_equal(step_get(f->s, CYCLE, "notify-live", &si, &err), HMX_OK);
	assert_int_equal(si.state, STEP_IN_PROGRESS);
	/* fix-proposed, approved and rejected still block */
	assert_int_equal(decide(f->s, e1, RA_PROPOSE, NULL, "fix", &err), HMX_OK);
	assert_int_equal(decide(f->s, ev, RA_WAIVE, NULL, "known", &err), HMX_OK);
	assert_int_equal(step_set(f->s, CYCLE, "notify-live", STEP_DONE, "", &err), HMX_ESTATE);
	assert_non_null(strstr(err.msg, "1 blocking finding of"));
	assert_int_equal(decide(f->s, e1, RA_REJECT, "ra", "no", &err), HMX_OK);
	assert_int_equal(step_set(f->s, CYCLE, "notify-live", STEP_DONE, "", &err), HMX_ESTATE);
	assert_int_equal(decide(f->s, e1, RA_PROPOSE, NULL, "fix 2", &err), HMX_OK);
	assert_int_equal(decide(f->s, e1, RA_APPROVE, "ra", NULL, &err), HMX_OK);
	assert_int_equal(step_set(f->s, CYCLE, "notify-live", STEP_DONE, "", &err), HMX_ESTATE);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM step WHERE state = 'done' AND "
					"code = 'notify-live'"), 0);
	/* a run without it resolves it: the gate opens (errors and warnings do not block) */
	{
		static const char *const rows[] = {
			"Q02|error|Enrollment.csv|8|EnrollmentID=e3|RelationshipToHoH|2",
		};
		sync_ok(f->s, add_run(f->s, rows, 1), NULL);
	}
	assert_int_equal(state_of(f->s, e1), RV_RESOLVED);
	assert_int_equal(step_set(f->s, CYCLE, "notify-live", STEP_DONE, "vendor told", &err), HMX_OK);
	/* other steps and other kinds have no such condition */
	assert_int_equal(step_get(f->s, CYCLE, "resolve-dq", &si, &err), HMX_OK);
	assert_string_equal(si.requires, "");
	assert_true(review_cycle_reviews("import"));
	assert_false(review_cycle_reviews("rdc-upload"));
}

/* ---- reviewers and authorized_keys ------------------------------------------------------- */

static void t_reviewers(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	struct reviewer *rs, r;
	char path[512], type[40], b64[512], fp[64], line[2048];
	size_t n;

	assert_int_equal(reviewer_list(f->s, &rs, &n, &err), HMX_OK);
	assert_int_equal(n, 2);
	assert_string_equal(rs[0].name, "ra");
	assert_string_equal(rs[0].projects, "pa1");
	assert_string_equal(rs[0].key_type, "ssh-ed25519");
	assert_string_equal(rs[0].fingerprint, "SHA256:r2RF+KK62furLz998hgE5oa2oxZmQUCheKxuQqAnDzw");
	assert_string_equal(rs[1].agency, "A2");
	free(rs);
	/* the same key twice, a taken name, bad names, no scope, both scopes */
	tu_write(f->dir, "a2.pub", KEY_A, (size_t)-1);
	tu_path(path, sizeof path, f->dir, "a2.pub");
	assert_int_equal(reviewer_add(f->s, "rc", path, "pa2", NULL, &err), HMX_EEXIST);
	assert_int_equal(reviewer_add(f->s, "ra", path, "pa2", NULL, &err), HMX_EEXIST);
	assert_int_equal(reviewer_add(f->s, "r c", path, "pa2", NULL, &err), HMX_EINVAL);
	assert_int_equal(reviewer_add(f->s, "-rc", path, "pa2", NULL, &err), HMX_EINVAL);
	assert_int_equal(reviewer_add(f->s, "rc", path, NULL, NULL, &err), HMX_EINVAL);
	assert_int_equal(reviewer_add(f->s, "rc", path, "pa1", "A1", &err), HMX_EINVAL);
	tu_path(path, sizeof path, f->dir, "missing.pub");
	assert_int_equal(reviewer_add(f->s, "rc", path, "pa1", NULL, &err), HMX_ENOTFOUND);
	tu_write(f->dir, "priv", "-----BEGIN OPENSSH PRIVATE KEY-----\nxx\n", (size_t)-1);
	tu_path(path, sizeof path, f->dir, "priv");
	assert_int_equal(reviewer_add(f->s, "rc", path, "pa1", NULL, &err), HMX_EINVAL);
	/* key parsing */
	assert_int_equal(reviewer_parse_key(KEY_B, type, b64, sizeof b64, fp, &err), HMX_OK);
	assert_string_equal(fp, "SHA256:LmuB+YKbTMJLn0L1dEImw6dbhDeC8SEd/seFcV2QK/E");
	assert_int_equal(reviewer_parse_key("ssh-dss AAAA", type, b64, sizeof b64, fp, &err),
			 HMX_EINVAL);
	assert_int_equal(reviewer_parse_key("ssh-ed25519 AAA", type, b64, sizeof b64, fp, &err),
			 HMX_EINVAL);
	/* an ssh-rsa type over an ed25519 blob */
	assert_int_equal(reviewer_parse_key("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIH32t7IsyEQqcrpAV1svjLoJV"
					    "HrsD8LbxLGyno2jdG6o",
					    type, b64, sizeof b64, fp, &err),
			 HMX_EINVAL);
	/* the line */
	assert_int_equal(reviewer_key_line(f->s, "ra", "/usr/bin/hmx", "/home/o'neil/my db/hmx.db",
					   line, sizeof line, &err), HMX_OK);
	assert_string_equal(line, "command=\"'/usr/bin/hmx' --db '/home/o'\\''neil/my db/hmx.db' "
				  "review --as ra\",restrict,pty ssh-ed25519 "
				  "AAAAC3NzaC1lZDI1NTE5AAAAIHrYwx/eYX5usbKWolGK6IkPmqs8geSbGUkKQ+dcNvFW "
				  "hmx-reviewer:ra");
	assert_int_equal(reviewer_key_line(f->s, "ra", "hmx", "/x.db", line, sizeof line, &err),
			 HMX_EINVAL);
	assert_int_equal(reviewer_key_line(f->s, "ra", "/hmx", "/a\"b.db", line, sizeof line, &err),
			 HMX_EINVAL);
	assert_int_equal(reviewer_key_line(f->s, "zz", "/hmx", "/x.db", line, sizeof line, &err),
			 HMX_ENOTFOUND);
	/* removal: assigned items become unassigned, the history stays */
	sync_ok(f->s, add_run(f->s, RUN1, 1), NULL);
	assert_int_equal(decide(f->s, 1, RA_ASSIGN, NULL, "ra", &err), HMX_OK);
	assert_int_equal(decide(f->s, 1, RA_COMMENT, "ra", "hello", &err), HMX_OK);
	assert_int_equal(reviewer_remove(f->s, "ra", &err), HMX_OK);
	assert_int_equal(reviewer_get(f->s, "ra", &r, &err), HMX_ENOTFOUND);
	assert_int_equal(reviewer_remove(f->s, "ra", &err), HMX_ENOTFOUND);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM review_item WHERE reviewer_id IS NOT NULL"),
			 0);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM decision WHERE who = 'ra'"), 1);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM reviewer_project"), 0);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit WHERE action = 'reviewer.remove'"),
			 1);
}

static void t_authorized_keys(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	char path[512], line[2048], line2[2048], *text;
	size_t len;
	struct stat st;
	static const char other[] = "# my keys\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOther me@laptop\n"
				    "\n"
				    "from=\"10.0.0.1\" ssh-rsa AAAAB3NzaRSA backup\n";

	tu_path(path, sizeof path, f->dir, "ssh/authorized_keys");
	assert_int_equal(reviewer_key_line(f->s, "ra", "/usr/bin/hmx", "/w/hmx.db", line, sizeof line,
					   &err), HMX_OK);
	/* created 0600 in a 0700 folder */
	assert_int_equal(reviewer_write_keys(path, "ra", line, &err), HMX_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	tu_path(line2, sizeof line2, f->dir, "ssh");
	assert_int_equal(stat(line2, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	text = tu_slurp(path, &len);
	assert_int_equal(len, strlen(line) + 1);
	free(text);
	/* other lines are kept byte for byte, ours replaced and added */
	tu_write(f->dir, "ssh/authorized_keys", other, (size_t)-1);
	assert_int_equal(reviewer_write_keys(path, "ra", line, &err), HMX_OK);
	assert_int_equal(reviewer_key_line(f->s, "rb", "/usr/bin/hmx", "/w/hmx.db", line2,
					   sizeof line2, &err), HMX_OK);
	assert_int_equal(reviewer_write_keys(path, "rb", line2, &err), HMX_OK);
	assert_int_equal(reviewer_write_keys(path, "ra", line, &err), HMX_OK); /* again: replaced */
	text = tu_slurp(path, &len);
	assert_int_equal(strncmp(text, other, strlen(other)), 0);
	assert_int_equal(len, strlen(other) + strlen(line) + strlen(line2) + 2);
	assert_non_null(strstr(text, "hmx-reviewer:rb\n"));
	assert_non_null(strstr(strstr(text, "hmx-reviewer:rb\n"), "hmx-reviewer:ra\n"));
	free(text);
	/* removing ra keeps rb and the others; removing twice is fine */
	assert_int_equal(reviewer_write_keys(path, "ra", NULL, &err), HMX_OK);
	assert_int_equal(reviewer_write_keys(path, "ra", NULL, &err), HMX_OK);
	text = tu_slurp(path, &len);
	assert_int_equal(strncmp(text, other, strlen(other)), 0);
	assert_null(strstr(text, "hmx-reviewer:ra"));
	assert_non_null(strstr(text, "hmx-reviewer:rb"));
	assert_int_equal(len, strlen(other) + strlen(line2) + 1);
	free(text);
	/* a name that is a prefix of another's is not confused with it */
	assert_int_equal(reviewer_write_keys(path, "r", NULL, &err), HMX_OK);
	text = tu_slurp(path, &len);
	assert_non_null(strstr(text, "hmx-reviewer:rb"));
	free(text);
	/* the same key on another (unrestricted) line is refused */
	{
		char dup[2048];
		snprintf(dup, sizeof dup, "%sssh-ed25519 "
			 "AAAAC3NzaC1lZDI1NTE5AAAAIHrYwx/eYX5usbKWolGK6IkPmqs8geSbGUkKQ+dcNvFW me\n", other);
		tu_write(f->dir, "ssh/authorized_keys", dup, (size_t)-1);
		assert_int_equal(reviewer_write_keys(path, "ra", line, &err), HMX_EEXIST);
		assert_non_null(strstr(err.msg, "line 5"));
		text = tu_slurp(path, &len);
		assert_string_equal(text, dup);
		free(text);
	}
	/* a missing file when removing */
	tu_path(path, sizeof path, f->dir, "none/authorized_keys");
	assert_int_equal(reviewer_write_keys(path, "ra", NULL, &err), HMX_OK);
	assert_int_equal(stat(path, &st), -1);
}

/* ---- concurrency ------------------------------------------------------------------------- */

#define N_ITEMS 40
#define N_REVIEWERS 8
#define ADMIN_QUOTA 200
#define REVIEWER_QUOTA 100 /* 200 + 8 x 100 = 1,000 decisions */

static unsigned rnd(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 8) & 0xffffff;
}

/* One process: quota decisions applied on random items; refused ones
 * (state changed by another) are retried with another. Exit status: 0
 * when the quota was met, 1 otherwise. Writes the count to fd. */
static void worker(const char *db, int who, int quota, int fd)
{
	struct store *s = NULL;
	struct hmx_err err;
	char name[16];
	unsigned seed = 7919u * (unsigned)(who + 1);
	int done = 0;
	time_t t0 = time(NULL);

	snprintf(name, sizeof name, "r%d", who);
	if (store_open(db, 0, &s, &err) != HMX_OK)
		_exit(2);
	for (long attempt = 0; done < quota && attempt < 200000 && time(NULL) - t0 < 120; attempt++) {
		struct review_request rq = { 0 };
		unsigned r = rnd(&seed);

		rq.item = 1 + (int64_t)(r % N_ITEMS);
		if (who == 0) {
			rq.action = (r >> 8) % 4 == 0 ? RA_COMMENT : RA_PROPOSE;
			rq.text = "admin";
		} else {
			unsigned k = (r >> 8) % 4;
			rq.action = k == 0 ? RA_COMMENT : k == 1 ? RA_REJECT : RA_APPROVE;
			rq.text = "reviewer";
			rq.as = name;
		}
		if (review_decide(s, &rq, NULL, &err) == HMX_OK)
			done++;
		else if (err.rc != HMX_ESTATE && err.rc != HMX_EDB)
			_exit(3);
	}
	store_close(&s);
	if (write(fd, &done, sizeof done) != (ssize_t)sizeof done)
		_exit(4);
	_exit(done == quota ? 0 : 1);
}

static void t_concurrent(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	const char *rows[N_ITEMS];
	char bufs[N_ITEMS][96];
	pid_t pids[1 + N_REVIEWERS];
	int fds[1 + N_REVIEWERS][2], total = 0;
	sqlite3_stmt *st;

	for (int i = 1; i <= N_REVIEWERS; i++) {
		char name[16], key[256], file[32], path[512];
		/* each reviewer's own (syntactically valid) key: only the blob differs */
		static const char *const blobs =
			"AAAAC3NzaC1lZDI1NTE5AAAAI%c%c2t7IsyEQqcrpAV1svjLoJVHrsD8LbxLGyno2jdG6o";
		char b64[128];

		snprintf(name, sizeof name, "r%d", i);
		snprintf(b64, sizeof b64, blobs, 'A' + i, 'a' + i);
		snprintf(key, sizeof key, "ssh-ed25519 %s %s", b64, name);
		snprintf(file, sizeof file, "%s.pub", name);
		tu_write(f->dir, file, key, (size_t)-1);
		tu_path(path, sizeof path, f->dir, file);
		/* overlapping scopes: odd ones the agency A1, even ones pa1 and pb1 */
		if (reviewer_add(f->s, name, path, i % 2 ? NULL : "pa1,pb1", i % 2 ? "A1" : NULL,
				 &err) != HMX_OK)
			fail_msg("reviewer_add(%s): %s", name, err.msg);
	}
	for (int i = 0; i < N_ITEMS; i++) {
		/* items of pa1 and pb1 (every reviewer may act on pa1's) */
		snprintf(bufs[i], sizeof bufs[i], "Q01|blocking|Enrollment.csv|%d|EnrollmentID=e%d|X|%s",
			 i + 2, i, i % 4 == 3 ? "3" : "1");
		rows[i] = bufs[i];
	}
	sync_ok(f->s, add_run(f->s, rows, N_ITEMS), NULL);
	assert_int_equal(fx_count(f->s, "SELECT min(id) = 1 AND max(id) = 40 FROM review_item"), 1);
	exec_sql(f->s, "DELETE FROM reviewer WHERE name IN ('ra', 'rb')");

	for (int p = 0; p <= N_REVIEWERS; p++) {
		assert_int_equal(pipe(fds[p]), 0);
		pids[p] = fork();
		assert_true(pids[p] >= 0);
		if (pids[p] == 0) {
			close(fds[p][0]);
			worker(f->db, p, p ? REVIEWER_QUOTA : ADMIN_QUOTA, fds[p][1]);
		}
		close(fds[p][1]);
	}
	for (int p = 0; p <= N_REVIEWERS; p++) {
		int status = -1, got = 0;
		time_t t0 = time(NULL);
		pid_t w;

		while ((w = waitpid(pids[p], &status, WNOHANG)) == 0 && time(NULL) - t0 < 180)
			usleep(20000);
		if (w == 0) {
			kill(pids[p], SIGKILL);
			waitpid(pids[p], &status, 0);
		}
		assert_int_equal(read(fds[p][0], &got, sizeof got), (ssize_t)sizeof got);
		close(fds[p][0]);
		assert_true(WIFEXITED(status));
		if (WEXITSTATUS(status) != 0)
			fail_msg("worker %d: exit %d after %d decisions", p, WEXITSTATUS(status), got);
		total += got;
	}
	assert_int_equal(total, ADMIN_QUOTA + N_REVIEWERS * REVIEWER_QUOTA);
	/* no decision lost nor doubled */
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM decision WHERE role <> 'hmx'"), 1000);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM decision WHERE role = 'admin'"),
			 ADMIN_QUOTA);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit WHERE action IN ('review.propose',"
					"'review.approve','review.reject','review.comment')"), 1000);
	/* every audit row matches its decision: same who, same order per item */
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM decision d WHERE role <> 'hmx' AND "
					"NOT EXISTS (SELECT 1 FROM audit a WHERE a.object = '" CYCLE
					"/review/' || d.item_id AND a.who = d.who AND a.action = "
					"'review.' || d.action AND a.before = d.from_state)"), 0);
	/* the version counts the item's decisions; the chain of states is unbroken */
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM review_item i WHERE version <> 1 + "
					"(SELECT count(*) FROM decision WHERE item_id = i.id)"), 0);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM decision d WHERE from_state <> "
					"coalesce((SELECT p.to_state FROM decision p WHERE p.item_id = "
					"d.item_id AND p.id < d.id ORDER BY p.id DESC LIMIT 1), 'open')"), 0);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM review_item i WHERE state <> "
					"coalesce((SELECT to_state FROM decision WHERE item_id = i.id "
					"ORDER BY id DESC LIMIT 1), 'open')"), 0);
	/* every transition is one the table allows */
	st = NULL;
	assert_int_equal(sqlite3_prepare_v2(store_db(f->s), "SELECT action, from_state, to_state, "
					    "role FROM decision", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		enum review_action a;
		enum review_state from, to;
		const struct review_rule *r;

		assert_true(review_action_parse((const char *)sqlite3_column_text(st, 0), &a));
		assert_true(review_state_parse((const char *)sqlite3_column_text(st, 1), &from));
		assert_true(review_state_parse((const char *)sqlite3_column_text(st, 2), &to));
		r = review_rule_of(a);
		assert_true(r->from & (1u << from));
		assert_int_equal(to, r->to == RV_NSTATES ? from : r->to);
		if (strcmp((const char *)sqlite3_column_text(st, 3), "reviewer") == 0)
			assert_true(r->who & RR_REVIEWER);
	}
	sqlite3_finalize(st);
	/* reviewers acted only in their scope: pb1 items by even reviewers */
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM decision d JOIN review_item i ON "
					"i.id = d.item_id JOIN project p ON p.id = i.project_id WHERE "
					"p.code = 'pb1' AND d.role = 'reviewer' AND d.who IN "
					"('r1','r3','r5','r7')"), 0);
	exec_sql(f->s, "PRAGMA integrity_check");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_names),
		cmocka_unit_test(t_table_is_the_spec),
		cmocka_unit_test_setup_teardown(t_every_transition, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_text_required, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_path_and_history, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_stale_version, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_permissions, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_matching, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_partial_runs, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_project_resolution, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_list_and_counts, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_report, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_gate, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_reviewers, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_authorized_keys, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_concurrent, setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
