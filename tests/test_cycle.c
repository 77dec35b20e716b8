/* tests/test_cycle.c — unit tests of core/cycle and core/demo: the five
 * checklist templates (order, the exact steps of each kind with actor,
 * deadline rule, gates and seed-000 source), creating cycles (codes, period
 * kinds, refusals, duplicates), per-project expansion from the registry,
 * deadlines for quarters, bi-months and years under two fiscal-year starts
 * and from the due.* settings, gates and sub-items, reasons for skipped
 * and blocked, undo and history, one audit row per change, due status,
 * cycle list order and summaries, the demo workspace, and unknown names. */
#include "testutil.h"
#include "fxstore.h"

#include "core/audit.h"
#include "core/config.h"
#include "core/cycle.h"
#include "core/demo.h"
#include "core/registry.h"
#include "core/store.h"

static void add_agency(struct store *s, const char *code, const char *name)
{
	struct hmx_err err;

	if (reg_agency_add(s, code, name, &err) != HMX_OK)
		fail_msg("reg_agency_add(%s): %s", code, err.msg);
}

static void add_project(struct store *s, const char *code, const char *name, const char *agency,
			enum reg_source src)
{
	struct hmx_err err;

	if (reg_project_add(s, code, name, agency, src, NULL, &err) != HMX_OK)
		fail_msg("reg_project_add(%s): %s", code, err.msg);
}

static void deactivate(struct store *s, const char *code)
{
	struct hmx_err err;

	if (reg_project_set(s, code, "active", "no", &err) != HMX_OK)
		fail_msg("reg_project_set(%s): %s", code, err.msg);
}

/* The registry of seed 000 (footnotes 1 and 2), one HMIS project, and an
 * inactive project of each expanded source, which must never expand. */
static void seed_registry(struct store *s)
{
	add_agency(s, "HAC", "Housing Assistance Corporation");
	add_agency(s, "CACCI", "Community Action Committee of the Cape and Islands");
	add_agency(s, "VNEOC", "Veterans Northeast Outreach Center");
	add_agency(s, "HPC", "Homeless Prevention Council");
	add_agency(s, "CIHC", "Cape and Islands Housing Collaborative");
	add_project(s, "hac-carriage-house", "HAC Carriage House", "HAC", REG_SRC_RDC_DIRECT);
	add_project(s, "hac-cataumet", "HAC Cataumet Village", "HAC", REG_SRC_RDC_DIRECT);
	add_project(s, "hac-scattered", "HAC Scattered Sites", "HAC", REG_SRC_RDC_DIRECT);
	add_project(s, "cacci-safe-harbor", "CACCI Safe Harbor", "CACCI", REG_SRC_RDC_DIRECT);
	add_project(s, "vneoc-ssvf-hp", "VNEOC SSVF Homelessness Prevention", "VNEOC",
		    REG_SRC_RDC_DIRECT);
	add_project(s, "vneoc-ssvf-rrh", "VNEOC SSVF Rapid Re-housing", "VNEOC", REG_SRC_RDC_DIRECT);
	add_project(s, "hpc-case-mgmt", "HPC Case Management", "HPC", REG_SRC_OUTSIDE_AGENCY);
	add_project(s, "hpc-dyrs", "HPC DYRS", "HPC", REG_SRC_OUTSIDE_AGENCY);
	add_project(s, "hpc-mhsa", "HPC MHSA", "HPC", REG_SRC_OUTSIDE_AGENCY);
	add_project(s, "cihc-family-es", "Barnstable Family Shelter", "CIHC", REG_SRC_HMIS);
	add_project(s, "hac-old", "HAC Closed Shelter", "HAC", REG_SRC_RDC_DIRECT);
	deactivate(s, "hac-old");
	add_project(s, "hpc-closed", "HPC Closed Program", "HPC", REG_SRC_OUTSIDE_AGENCY);
	deactivate(s, "hpc-closed");
}

static int setup_reg(void **state)
{
	fx_setup(state);
	seed_registry(((struct fx *)*state)->s);
	return 0;
}

/* ---- helpers -------------------------------------------------------------- */

static cal_day D(const char *s)
{
	cal_day d = CAL_NO_DAY;

	if (!cal_parse_date(s, &d))
		fail_msg("bad date literal %s", s);
	return d;
}

static void assert_day(cal_day got, const char *want)
{
	char buf[11];

	assert_string_equal(cal_format(got, buf), want);
}

static void new_cycle(struct store *s, const char *kind, const char *period, const char *want)
{
	struct hmx_err err;
	char code[64] = "";

	if (cycle_new(s, kind, period, code, &err) != HMX_OK)
		fail_msg("cycle_new(%s, %s): %s", kind, period, err.msg);
	assert_string_equal(code, want);
}

static void set_config(struct store *s, const char *key, const char *value)
{
	struct hmx_err err;

	if (config_set(s, key, value, &err) != HMX_OK)
		fail_msg("config_set(%s): %s", key, err.msg);
}

static size_t n_audit(struct store *s)
{
	struct audit_row *rows;
	struct hmx_err err;
	size_t n;

	assert_int_equal(audit_list(s, NULL, 0, &rows, &n, &err), HMX_OK);
	free(rows);
	return n;
}

static int64_t count(struct store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static struct step_info step(struct store *s, const char *cycle, const char *code)
{
	struct step_info si;
	struct hmx_err err;

	if (step_get(s, cycle, code, &si, &err) != HMX_OK)
		fail_msg("step_get(%s, %s): %s", cycle, code, err.msg);
	return si;
}

static const struct step_info *find(const struct step_info *steps, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(steps[i].code, code) == 0)
			return &steps[i];
	fail_msg("no step %s", code);
	return NULL;
}

/* A change that must succeed and write exactly one audit row: action,
 * object CYCLE/STEP, after = the new state (": note" when there is one). */
static void change(struct store *s, const char *cycle, const char *code, enum step_state to,
		   const char *note)
{
	struct audit_row *rows;
	struct hmx_err err;
	size_t n0 = n_audit(s), n;
	char object[160], after[300];

	hmx_err_clear(&err);
	if (step_set(s, cycle, code, to, note, &err) != HMX_OK)
		fail_msg("step_set(%s, %s, %s): %s", cycle, code, step_state_name(to), err.msg);
	assert_int_equal(n_audit(s), n0 + 1);
	assert_int_equal(audit_list(s, NULL, 1, &rows, &n, &err), HMX_OK);
	snprintf(object, sizeof object, "%s/%s", cycle, code);
	snprintf(after, sizeof after, "%s%s%s", step_state_name(to), note && *note ? ": " : "",
		 note ? note : "");
	assert_string_equal(rows[0].action, "step.set");
	assert_string_equal(rows[0].object, object);
	assert_string_equal(rows[0].after, after);
	free(rows);
	assert_int_equal(step(s, cycle, code).state, to);
}

/* A change that must be refused with rc and a message containing what;
 * nothing is written: no audit row, no history row, state unchanged. */
static void refused(struct store *s, const char *cycle, const char *code, enum step_state to,
		    const char *note, enum hmx_rc rc, const char *what)
{
	struct hmx_err err;
	size_t n0 = n_audit(s);
	int64_t h0 = count(s, "SELECT count(*) FROM step_change");
	struct step_info before;
	bool known = step_get(s, cycle, code, &before, NULL) == HMX_OK;

	hmx_err_clear(&err);
	if (step_set(s, cycle, code, to, note, &err) != rc)
		fail_msg("step_set(%s, %s, %s) gave \"%s\", wanted %s", cycle, code,
			 step_state_name(to), err.msg, hmx_rc_name(rc));
	assert_int_equal(err.rc, rc);
	if (!strstr(err.msg, what))
		fail_msg("message \"%s\" does not contain \"%s\"", err.msg, what);
	assert_int_equal(n_audit(s), n0);
	assert_int_equal(count(s, "SELECT count(*) FROM step_change"), h0);
	if (known) {
		struct step_info after = step(s, cycle, code);
		assert_int_equal(after.state, before.state);
		assert_string_equal(after.note, before.note);
	}
}

/* Undo that must succeed with one "step.undo" audit row. */
static void undo(struct store *s, const char *cycle, const char *code, enum step_state want,
		 const char *want_note)
{
	struct audit_row *rows;
	struct hmx_err err;
	struct step_info si;
	size_t n0 = n_audit(s), n;

	if (step_undo(s, cycle, code, &err) != HMX_OK)
		fail_msg("step_undo(%s, %s): %s", cycle, code, err.msg);
	assert_int_equal(n_audit(s), n0 + 1);
	assert_int_equal(audit_list(s, NULL, 1, &rows, &n, &err), HMX_OK);
	assert_string_equal(rows[0].action, "step.undo");
	assert_true(strncmp(rows[0].after, step_state_name(want), strlen(step_state_name(want))) == 0);
	free(rows);
	si = step(s, cycle, code);
	assert_int_equal(si.state, want);
	assert_string_equal(si.note, want_note);
}

static struct cycle_info info(struct store *s, const char *code, cal_day today)
{
	struct cycle_info ci;
	struct hmx_err err;

	if (cycle_get(s, code, today, &ci, &err) != HMX_OK)
		fail_msg("cycle_get(%s): %s", code, err.msg);
	return ci;
}

/* ---- states and due status ------------------------------------------------- */

static void test_state_names(void **state)
{
	static const char *const names[] = { "todo", "in-progress", "done", "skipped", "blocked" };
	enum step_state st;

	(void)state;
	for (int i = 0; i <= STEP_BLOCKED; i++) {
		assert_string_equal(step_state_name((enum step_state)i), names[i]);
		assert_true(step_state_parse(names[i], &st));
		assert_int_equal(st, i);
	}
	assert_string_equal(step_state_name((enum step_state)9), "?");
	assert_true(step_state_parse("in_progress", &st));
	assert_int_equal(st, STEP_IN_PROGRESS);
	st = STEP_DONE;
	assert_true(step_state_parse("start", &st));
	assert_int_equal(st, STEP_IN_PROGRESS);
	assert_true(step_state_parse("doing", &st));
	assert_int_equal(st, STEP_IN_PROGRESS);
	st = STEP_DONE;
	assert_false(step_state_parse("Done", &st));
	assert_false(step_state_parse("", &st));
	assert_false(step_state_parse("finished", &st));
	assert_int_equal(st, STEP_DONE);

	assert_false(step_state_closed(STEP_TODO));
	assert_false(step_state_closed(STEP_IN_PROGRESS));
	assert_true(step_state_closed(STEP_DONE));
	assert_true(step_state_closed(STEP_SKIPPED));
	assert_false(step_state_closed(STEP_BLOCKED));
}

static void test_cycle_due(void **state)
{
	cal_day dl = D("2026-04-07");

	(void)state;
	assert_int_equal(cycle_due(dl, STEP_TODO, D("2026-04-08"), 7), DUE_OVERDUE);
	assert_int_equal(cycle_due(dl, STEP_BLOCKED, D("2027-01-01"), 7), DUE_OVERDUE);
	assert_int_equal(cycle_due(dl, STEP_IN_PROGRESS, D("2026-04-07"), 7), DUE_TODAY);
	assert_int_equal(cycle_due(dl, STEP_TODO, D("2026-04-06"), 7), DUE_SOON);
	assert_int_equal(cycle_due(dl, STEP_TODO, D("2026-03-31"), 7), DUE_SOON); /* 7: inclusive */
	assert_int_equal(cycle_due(dl, STEP_TODO, D("2026-03-30"), 7), DUE_LATER);
	assert_int_equal(cycle_due(dl, STEP_TODO, D("2026-04-06"), 0), DUE_LATER);
	assert_int_equal(cycle_due(dl, STEP_TODO, D("2026-04-07"), 0), DUE_TODAY);
	assert_int_equal(cycle_due(dl, STEP_TODO, D("2026-01-07"), 90), DUE_SOON);
	assert_int_equal(cycle_due(CAL_NO_DAY, STEP_TODO, D("2026-04-10"), 7), DUE_NONE);
	assert_int_equal(cycle_due(CAL_NO_DAY, STEP_BLOCKED, D("2026-04-10"), 7), DUE_NONE);
	/* closed steps have met their deadline, however late */
	assert_int_equal(cycle_due(dl, STEP_DONE, D("2026-05-01"), 7), DUE_MET);
	assert_int_equal(cycle_due(dl, STEP_SKIPPED, D("2026-05-01"), 7), DUE_MET);
	assert_int_equal(cycle_due(CAL_NO_DAY, STEP_DONE, D("2026-05-01"), 7), DUE_MET);

	assert_string_equal(cycle_due_name(DUE_NONE), "none");
	assert_string_equal(cycle_due_name(DUE_LATER), "later");
	assert_string_equal(cycle_due_name(DUE_SOON), "soon");
	assert_string_equal(cycle_due_name(DUE_TODAY), "today");
	assert_string_equal(cycle_due_name(DUE_OVERDUE), "overdue");
	assert_string_equal(cycle_due_name(DUE_MET), "met");
	assert_string_equal(cycle_due_name((enum due_status)42), "?");
}

/* ---- templates --------------------------------------------------------------- */

static void test_kinds_in_order(void **state)
{
	static const struct { const char *id, *title, *periods; } want[] = {
		{ "rdc-upload", "Quarterly RDC upload", "quarter" },
		{ "rdc-download", "RDC download for RDC-direct projects", "quarter bimonth" },
		{ "agency-intake", "Outside-agency file intake", "bimonth quarter" },
		{ "import", "Demo-site import and live import", "bimonth quarter" },
		{ "annual", "Annual reporting", "year" },
		{ "mcp-match", "Client match with a managed care plan", "bimonth quarter" },
	};
	const struct cycle_kind *k = NULL;
	struct hmx_err err;
	size_t n = 0;

	(void)state;
	hmx_err_clear(&err);
	assert_int_equal(cycle_kinds(&k, &n, &err), HMX_OK);
	assert_int_equal(err.rc, HMX_OK);
	assert_non_null(k);
	assert_int_equal(n, 6);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(k[i].id, want[i].id);
		assert_string_equal(k[i].title, want[i].title);
		assert_string_equal(k[i].periods, want[i].periods);
		assert_true(strncmp(k[i].source, strcmp(k[i].id, "mcp-match") ? "000 " : "002 ", 4) == 0);
	}
	/* parsed once: a second call gives the same table */
	{
		const struct cycle_kind *k2 = NULL;
		size_t n2 = 0;
		assert_int_equal(cycle_kinds(&k2, &n2, NULL), HMX_OK);
		assert_ptr_equal(k2, k);
		assert_int_equal(n2, 6);
	}
}

struct want_step {
	const char *code, *actor, *label, *rule, *gates, *section;
};

struct want_kind {
	const char *kind, *period, *code;
	const struct want_step *steps;
	size_t n_steps;
	size_t n_total; /* with the sub-items of the seeded registry */
};

#define HA "hmis-admin", "HMIS Sys Admin"
#define RA "rdc-admin", "RDC Sys Admin"
#define VE "vendor", "Vendor"
#define AG "agency", "Outside agency"

/* Seed 000, step by step. Removing or renaming a step the seed names, or
 * changing who acts, its deadline rule or its gates, fails here. */
static const struct want_step upload_steps[] = {
	{ "dq-reports", HA, "end+7", "", "[4]" },
	{ "reporting-group", HA, "end+7", "", "[3]" },
	{ "build-export", HA, "end+7", "dq-reports reporting-group", "[4]" },
	{ "validate", HA, "end+7", "build-export", "[4]" },
	{ "upload", HA, "end+7", "validate", "[4]" },
	{ "notify-rdc", HA, "end+7", "upload", "[4]" },
};
static const struct want_step download_steps[] = {
	{ "meet-rdc", HA, "end+7", "", "[1]" },
	{ "record-issues", RA, "end+7", "", "[1]" },
	{ "resolve-issues", HA, "end+60", "record-issues", "[1]" },
	{ "download", HA, "end+7", "meet-rdc", "[1]" },
	{ "map", HA, "end+7", "download", "[1]" },
	{ "save-cloud", HA, "end+7", "download", "[1]" },
};
static const struct want_step intake_steps[] = {
	{ "request", HA, "end+7", "", "[2]" },
	{ "receive", AG, "end+7", "", "[2]" },
	{ "save-cloud", HA, "end+7", "receive", "[2]" },
};
static const struct want_step import_steps[] = {
	{ "notify-ready", HA, "end+7", "", "[2]" },
	{ "demo-import", VE, "none", "notify-ready", "[2]" },
	{ "validate-demo", HA, "none", "demo-import", "[2]" },
	{ "resolve-dq", HA, "none", "validate-demo", "[2]" },
	{ "notify-live", HA, "none", "notify-ready demo-import validate-demo resolve-dq", "[2]" },
	{ "live-confirmed", VE, "none", "notify-live", "[2]" },
};
static const struct want_step annual_steps[] = {
	{ "apr-prepare", HA, "config:due.apr", "", "[5] APR" },
	{ "apr-dq", HA, "config:due.apr", "apr-prepare", "[5] APR" },
	{ "spm-prepare", HA, "config:due.spm", "", "[5] SPM" },
	{ "spm-dq", HA, "config:due.spm", "spm-prepare", "[5] SPM" },
	{ "lsa-prepare", HA, "config:due.lsa", "", "[5] LSA" },
	{ "lsa-dq", HA, "config:due.lsa", "lsa-prepare", "[5] LSA" },
	{ "pit-prepare", HA, "config:due.pit", "", "[5] PIT" },
	{ "pit-dq", HA, "config:due.pit", "pit-prepare", "[5] PIT" },
	{ "hic-prepare", HA, "config:due.hic", "", "[5] PIT and HIC" },
	{ "hic-dq", HA, "config:due.hic", "hic-prepare", "[5] PIT and HIC" },
};

#define N(a) (sizeof a / sizeof a[0])

static const struct want_kind want_kinds[] = {
	{ "rdc-upload", "2026Q3", "rdc-upload-2026Q3", upload_steps, N(upload_steps), 6 },
	{ "rdc-download", "2026Q3", "rdc-download-2026Q3", download_steps, N(download_steps), 6 + 6 },
	{ "agency-intake", "2026B4", "agency-intake-2026B4", intake_steps, N(intake_steps), 3 + 3 + 3 },
	{ "import", "2026B4", "import-2026B4", import_steps, N(import_steps), 6 },
	{ "annual", "FY2026", "annual-FY2026", annual_steps, N(annual_steps), 10 },
};

static void test_template_steps(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;

	for (size_t k = 0; k < N(want_kinds); k++) {
		const struct want_kind *wk = &want_kinds[k];
		struct step_info *steps;
		size_t n, top = 0;

		new_cycle(f->s, wk->kind, wk->period, wk->code);
		assert_int_equal(step_list(f->s, wk->code, &steps, &n, &err), HMX_OK);
		assert_int_equal(n, wk->n_total);
		for (size_t i = 0; i < n; i++) {
			const struct step_info *si = &steps[i];

			/* every step and sub-item names its section of seed 000 */
			if (strncmp(si->source, "000 ", 4) != 0)
				fail_msg("%s/%s: source \"%s\" does not name seed 000", wk->code,
					 si->code, si->source);
			assert_int_equal(si->state, STEP_TODO);
			assert_string_equal(si->note, "");
			assert_string_equal(si->updated_by, "");
			if (si->depth)
				continue;
			if (top >= wk->n_steps)
				fail_msg("%s: unexpected step %s", wk->kind, si->code);
			assert_string_equal(si->code, wk->steps[top].code);
			assert_string_equal(si->parent, "");
			assert_string_equal(si->project, "");
			assert_true(si->title[0] != '\0');
			assert_string_equal(si->actor, wk->steps[top].actor);
			assert_string_equal(si->actor_label, wk->steps[top].label);
			assert_string_equal(si->rule, wk->steps[top].rule);
			assert_string_equal(si->gates, wk->steps[top].gates);
			if (!strstr(si->source, wk->steps[top].section))
				fail_msg("%s/%s: source \"%s\" lacks \"%s\"", wk->code, si->code,
					 si->source, wk->steps[top].section);
			top++;
		}
		assert_int_equal(top, wk->n_steps);
		free(steps);
	}
}

static void test_subitems_copy_their_parent(void **state)
{
	struct fx *f = *state;
	static const char *const dl[] = {
		"download/cacci-safe-harbor", "download/hac-carriage-house", "download/hac-cataumet",
		"download/hac-scattered",     "download/vneoc-ssvf-hp",      "download/vneoc-ssvf-rrh",
	};
	struct step_info *steps;
	const struct step_info *parent, *si;
	struct hmx_err err;
	size_t n, at;

	new_cycle(f->s, "rdc-download", "2026Q3", "rdc-download-2026Q3");
	assert_int_equal(step_list(f->s, "rdc-download-2026Q3", &steps, &n, &err), HMX_OK);
	parent = find(steps, n, "download");
	at = (size_t)(parent - steps);
	assert_int_equal(parent->n_children, 6);
	assert_int_equal(parent->n_children_closed, 0);
	/* the sub-items follow their step, in registry order (agency, code) */
	for (size_t i = 0; i < N(dl); i++) {
		si = &steps[at + 1 + i];
		assert_string_equal(si->code, dl[i]);
		assert_string_equal(si->parent, "download");
		assert_int_equal(si->depth, 1);
		assert_string_equal(si->project, dl[i] + strlen("download/"));
		assert_string_equal(si->actor, parent->actor);
		assert_string_equal(si->source, parent->source);
		assert_string_equal(si->rule, parent->rule);
		assert_int_equal(si->deadline, parent->deadline);
		assert_string_equal(si->gates, "");
		assert_int_equal(si->n_children, 0);
	}
	assert_string_equal(steps[at + 1].title, "Download CACCI Safe Harbor (CACCI)");
	assert_string_equal(steps[at + 3].title, "Download HAC Cataumet Village (HAC)");
	assert_string_equal(steps[at + 7].code, "map");
	for (size_t i = 0; i < n; i++)
		assert_null(strstr(steps[i].code, "hac-old")); /* inactive */
	free(steps);

	new_cycle(f->s, "agency-intake", "2026B4", "agency-intake-2026B4");
	assert_int_equal(step_list(f->s, "agency-intake-2026B4", &steps, &n, &err), HMX_OK);
	assert_int_equal(n, 9);
	assert_string_equal(steps[0].code, "request");
	assert_int_equal(steps[0].n_children, 3);
	assert_string_equal(steps[1].code, "request/hpc-case-mgmt");
	assert_string_equal(steps[1].title, "Request HPC Case Management file from HPC");
	assert_string_equal(steps[2].code, "request/hpc-dyrs");
	assert_string_equal(steps[3].code, "request/hpc-mhsa");
	assert_string_equal(steps[4].code, "receive");
	assert_string_equal(steps[5].code, "receive/hpc-case-mgmt");
	assert_string_equal(steps[5].title, "Receive HPC Case Management file from HPC");
	assert_string_equal(steps[5].actor, "agency");
	assert_string_equal(steps[5].actor_label, "Outside agency");
	assert_string_equal(steps[8].code, "save-cloud");
	for (size_t i = 0; i < n; i++)
		assert_null(strstr(steps[i].code, "hpc-closed")); /* inactive */
	free(steps);
}

static void test_expansion_follows_registry_at_creation(void **state)
{
	struct fx *f = *state;
	struct step_info *steps;
	struct hmx_err err;
	size_t n;

	new_cycle(f->s, "rdc-download", "2026Q3", "rdc-download-2026Q3");
	/* later registry changes do not alter a cycle already made */
	deactivate(f->s, "hac-scattered");
	add_project(f->s, "hac-new", "HAC New Site", "HAC", REG_SRC_RDC_DIRECT);
	assert_int_equal(step(f->s, "rdc-download-2026Q3", "download").n_children, 6);
	assert_int_equal(step(f->s, "rdc-download-2026Q3", "download/hac-scattered").depth, 1);

	/* the next cycle follows the registry as it is now */
	new_cycle(f->s, "rdc-download", "2026Q4", "rdc-download-2026Q4");
	assert_int_equal(step_list(f->s, "rdc-download-2026Q4", &steps, &n, &err), HMX_OK);
	assert_int_equal(find(steps, n, "download")->n_children, 6);
	find(steps, n, "download/hac-new");
	for (size_t i = 0; i < n; i++)
		assert_null(strstr(steps[i].code, "hac-scattered"));
	free(steps);

	/* an rdc-upload cycle has no per-project items at all */
	new_cycle(f->s, "rdc-upload", "2026Q3", "rdc-upload-2026Q3");
	assert_int_equal(step_list(f->s, "rdc-upload-2026Q3", &steps, &n, &err), HMX_OK);
	assert_int_equal(n, 6);
	free(steps);
}

/* The longest project code the registry accepts (47) still makes a
 * sub-item code that reads back whole and can be worked. */
static void test_longest_project_code_expands(void **state)
{
	struct fx *f = *state;
	const char *pc = "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijk";
	char code[64];
	struct step_info si;

	assert_int_equal(strlen(pc), 47);
	add_project(f->s, pc, "Long code project", "HPC", REG_SRC_OUTSIDE_AGENCY);
	new_cycle(f->s, "agency-intake", "2026B4", "agency-intake-2026B4");
	snprintf(code, sizeof code, "receive/%s", pc);
	si = step(f->s, "agency-intake-2026B4", code);
	assert_string_equal(si.code, code);
	assert_string_equal(si.project, pc);
	change(f->s, "agency-intake-2026B4", code, STEP_DONE, "received");
}

static void test_expansion_with_empty_registry(void **state)
{
	struct fx *f = *state;
	struct step_info *steps;
	struct hmx_err err;
	size_t n;

	new_cycle(f->s, "rdc-download", "2026Q3", "rdc-download-2026Q3");
	assert_int_equal(step_list(f->s, "rdc-download-2026Q3", &steps, &n, &err), HMX_OK);
	assert_int_equal(n, 6);
	assert_int_equal(find(steps, n, "download")->n_children, 0);
	free(steps);
	/* with nothing to download, the step closes once its gate has */
	change(f->s, "rdc-download-2026Q3", "meet-rdc", STEP_DONE, NULL);
	change(f->s, "rdc-download-2026Q3", "download", STEP_DONE, "no RDC-direct projects");
}

/* ---- creating cycles ------------------------------------------------------------ */

static void test_cycle_new_codes_and_audit(void **state)
{
	struct fx *f = *state;
	struct audit_row *rows;
	struct cycle_info ci;
	struct hmx_err err;
	size_t n;

	new_cycle(f->s, "rdc-upload", "2026Q3", "rdc-upload-2026Q3");
	assert_int_equal(audit_list(f->s, "rdc-upload-2026Q3", 0, &rows, &n, &err), HMX_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].action, "cycle.new");
	assert_string_equal(rows[0].object, "rdc-upload-2026Q3");
	assert_string_equal(rows[0].before, "");
	assert_string_equal(rows[0].after, "rdc-upload 2026Q3");
	assert_string_equal(rows[0].who, "tester");
	assert_string_equal(rows[0].at, "2026-04-01T12:00:00Z");
	free(rows);

	ci = info(f->s, "rdc-upload-2026Q3", D("2026-04-10"));
	assert_true(ci.id > 0);
	assert_string_equal(ci.code, "rdc-upload-2026Q3");
	assert_string_equal(ci.kind, "rdc-upload");
	assert_string_equal(ci.kind_title, "Quarterly RDC upload");
	assert_string_equal(ci.period, "2026Q3");
	assert_day(ci.start, "2026-01-01");
	assert_day(ci.end, "2026-03-31");

	/* period names are case-insensitive and stored canonically */
	new_cycle(f->s, "annual", "fy2026", "annual-FY2026");
	new_cycle(f->s, "agency-intake", "2026b4", "agency-intake-2026B4");
	/* kinds that take both quarters and bi-months */
	new_cycle(f->s, "agency-intake", "2026Q3", "agency-intake-2026Q3");
	new_cycle(f->s, "rdc-download", "2026B5", "rdc-download-2026B5");
	new_cycle(f->s, "import", "2026Q4", "import-2026Q4");
	/* code_out may be NULL */
	assert_int_equal(cycle_new(f->s, "rdc-upload", "2026Q4", NULL, &err), HMX_OK);
	ci = info(f->s, "rdc-upload-2026Q4", D("2026-04-10"));
	assert_day(ci.start, "2026-04-01");
	assert_day(ci.end, "2026-06-30");
	assert_int_equal(count(f->s, "SELECT count(*) FROM cycle"), 7);
}

static void test_cycle_new_refusals(void **state)
{
	struct fx *f = *state;
	static const struct { const char *kind, *period, *what; } bad[] = {
		{ "rdc-upload", "2026B4", "quarter" },
		{ "rdc-upload", "FY2026", "quarter" },
		{ "annual", "2026Q1", "year" },
		{ "annual", "2026B1", "year" },
		{ "rdc-download", "FY2026", "quarter bimonth" },
		{ "import", "FY2026", "bimonth quarter" },
		{ "rdc-upload", "2026Q5", "bad period" },
		{ "rdc-upload", "2026Q0", "bad period" },
		{ "agency-intake", "2026B7", "bad period" },
		{ "rdc-upload", "Q3", "bad period" },
		{ "rdc-upload", "", "bad period" },
		{ "rdc-upload", "2026-Q3", "bad period" },
		{ "rdc-upload", "2026Q3 ", "bad period" },
		{ "rdc-uploads", "2026Q3", "unknown cycle kind" },
		{ "", "2026Q3", "unknown cycle kind" },
		{ "RDC-UPLOAD", "2026Q3", "unknown cycle kind" },
	};
	size_t a0 = n_audit(f->s);
	struct hmx_err err;
	char code[64];

	for (size_t i = 0; i < N(bad); i++) {
		hmx_err_clear(&err);
		strcpy(code, "untouched");
		if (cycle_new(f->s, bad[i].kind, bad[i].period, code, &err) != HMX_EINVAL)
			fail_msg("cycle_new(%s, %s) was not refused", bad[i].kind, bad[i].period);
		assert_int_equal(err.rc, HMX_EINVAL);
		if (!strstr(err.msg, bad[i].what))
			fail_msg("cycle_new(%s, %s): \"%s\" lacks \"%s\"", bad[i].kind, bad[i].period,
				 err.msg, bad[i].what);
		assert_string_equal(code, "untouched");
	}
	/* the refusal of a wrong-kind period names the period and its kind */
	assert_int_equal(cycle_new(f->s, "rdc-upload", "2026B4", NULL, &err), HMX_EINVAL);
	assert_string_equal(err.msg, "a rdc-upload cycle takes a quarter period, not 2026B4 (bi-month)");
	/* an unknown kind lists the known ones in order */
	assert_int_equal(cycle_new(f->s, "nope", "2026Q3", NULL, &err), HMX_EINVAL);
	assert_non_null(strstr(err.msg, "rdc-upload, rdc-download, agency-intake, import, annual"));

	assert_int_equal(count(f->s, "SELECT count(*) FROM cycle"), 0);
	assert_int_equal(count(f->s, "SELECT count(*) FROM step"), 0);
	assert_int_equal(n_audit(f->s), a0);
}

static void test_cycle_new_duplicate(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	char code[64] = "untouched";
	size_t a0;
	int64_t s0;

	new_cycle(f->s, "rdc-download", "2026Q3", "rdc-download-2026Q3");
	a0 = n_audit(f->s);
	s0 = count(f->s, "SELECT count(*) FROM step");
	assert_int_equal(s0, 12);
	hmx_err_clear(&err);
	assert_int_equal(cycle_new(f->s, "rdc-download", "2026Q3", code, &err), HMX_EEXIST);
	assert_string_equal(err.msg, "cycle rdc-download-2026Q3 already exists");
	assert_string_equal(code, "untouched");
	assert_int_equal(cycle_new(f->s, "rdc-download", "2026q3", NULL, &err), HMX_EEXIST);
	/* nothing half-made: no second set of steps, no audit row */
	assert_int_equal(count(f->s, "SELECT count(*) FROM step"), s0);
	assert_int_equal(count(f->s, "SELECT count(*) FROM cycle"), 1);
	assert_int_equal(n_audit(f->s), a0);
	/* the same period for another kind is a different cycle */
	new_cycle(f->s, "rdc-upload", "2026Q3", "rdc-upload-2026Q3");
}

/* ---- deadlines ---------------------------------------------------------------------- */

static void assert_all_deadlines(struct store *s, const char *cycle, const char *want)
{
	struct step_info *steps;
	struct hmx_err err;
	size_t n;

	assert_int_equal(step_list(s, cycle, &steps, &n, &err), HMX_OK);
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		char buf[11];
		if (strcmp(cal_format(steps[i].deadline, buf), want) != 0)
			fail_msg("%s/%s: deadline %s, wanted %s", cycle, steps[i].code, buf, want);
	}
	free(steps);
}

static void test_deadlines_quarter_july(void **state)
{
	struct fx *f = *state;

	/* FY2026 Q3 with a July start is Jan-Mar 2026: end + 7 = April 7 */
	new_cycle(f->s, "rdc-upload", "2026Q3", "rdc-upload-2026Q3");
	assert_all_deadlines(f->s, "rdc-upload-2026Q3", "2026-04-07");

	new_cycle(f->s, "rdc-download", "2026Q3", "rdc-download-2026Q3");
	assert_day(step(f->s, "rdc-download-2026Q3", "meet-rdc").deadline, "2026-04-07");
	assert_day(step(f->s, "rdc-download-2026Q3", "download/hac-cataumet").deadline, "2026-04-07");
	assert_day(step(f->s, "rdc-download-2026Q3", "resolve-issues").deadline, "2026-05-30");

	/* Q1 of FY2026 is Jul-Sep 2025; Q4 is Apr-Jun 2026 */
	new_cycle(f->s, "rdc-upload", "2026Q1", "rdc-upload-2026Q1");
	assert_all_deadlines(f->s, "rdc-upload-2026Q1", "2025-10-07");
	new_cycle(f->s, "rdc-upload", "2026Q4", "rdc-upload-2026Q4");
	assert_all_deadlines(f->s, "rdc-upload-2026Q4", "2026-07-07");
}

static void test_deadlines_quarter_october(void **state)
{
	struct fx *f = *state;
	struct cycle_info ci;

	/* made under the July start: its period is fixed at creation */
	new_cycle(f->s, "rdc-upload", "2026Q3", "rdc-upload-2026Q3");
	set_config(f->s, "fiscal_year_start_month", "10");
	/* HUD's federal year: FY2026 Q1 is Oct-Dec 2025, end + 7 = Jan 7 */
	new_cycle(f->s, "rdc-upload", "2026Q1", "rdc-upload-2026Q1");
	assert_all_deadlines(f->s, "rdc-upload-2026Q1", "2026-01-07");
	ci = info(f->s, "rdc-upload-2026Q1", D("2026-01-01"));
	assert_day(ci.start, "2025-10-01");
	assert_day(ci.end, "2025-12-31");
	assert_all_deadlines(f->s, "rdc-upload-2026Q3", "2026-04-07");
	ci = info(f->s, "rdc-upload-2026Q3", D("2026-01-01"));
	assert_day(ci.start, "2026-01-01");
	assert_day(ci.end, "2026-03-31");
	/* FY2026 Q3 under October would be Apr-Jun 2026 */
	new_cycle(f->s, "rdc-download", "2026Q3", "rdc-download-2026Q3");
	assert_day(step(f->s, "rdc-download-2026Q3", "meet-rdc").deadline, "2026-07-07");
}

static void test_deadlines_bimonth(void **state)
{
	struct fx *f = *state;
	struct step_info *steps;
	struct hmx_err err;
	size_t n;

	/* FY2026 B4 with a July start is Jan-Feb 2026: end + 7 = March 7 */
	new_cycle(f->s, "agency-intake", "2026B4", "agency-intake-2026B4");
	assert_all_deadlines(f->s, "agency-intake-2026B4", "2026-03-07");
	new_cycle(f->s, "import", "2026B4", "import-2026B4");
	assert_int_equal(step_list(f->s, "import-2026B4", &steps, &n, &err), HMX_OK);
	assert_day(find(steps, n, "notify-ready")->deadline, "2026-03-07");
	for (size_t i = 1; i < n; i++)
		assert_int_equal(steps[i].deadline, CAL_NO_DAY); /* the vendor's pace */
	free(steps);
	/* B6 ends with the fiscal year; B1 with a January start is Jan-Feb */
	new_cycle(f->s, "agency-intake", "2026B6", "agency-intake-2026B6");
	assert_all_deadlines(f->s, "agency-intake-2026B6", "2026-07-07");
	set_config(f->s, "fiscal_year_start_month", "1");
	new_cycle(f->s, "agency-intake", "2028B1", "agency-intake-2028B1");
	assert_all_deadlines(f->s, "agency-intake-2028B1", "2028-03-07"); /* leap February */
}

static void test_annual_deadlines_follow_settings(void **state)
{
	struct fx *f = *state;
	const char *c = "annual-FY2026";

	new_cycle(f->s, "annual", "FY2026", c);
	/* FY2026 (July start) ends 2026-06-30 */
	assert_day(step(f->s, c, "apr-prepare").deadline, "2026-09-28"); /* end+90 */
	assert_day(step(f->s, c, "apr-dq").deadline, "2026-09-28");
	assert_day(step(f->s, c, "spm-prepare").deadline, "2027-02-28"); /* date:02-28 */
	assert_day(step(f->s, c, "spm-dq").deadline, "2027-02-28");
	assert_day(step(f->s, c, "lsa-prepare").deadline, "2026-12-15"); /* date:12-15 */
	assert_day(step(f->s, c, "lsa-dq").deadline, "2026-12-15");
	assert_day(step(f->s, c, "pit-prepare").deadline, "2027-04-30"); /* date:04-30 */
	assert_day(step(f->s, c, "pit-dq").deadline, "2027-04-30");
	assert_day(step(f->s, c, "hic-prepare").deadline, "2027-04-30");
	assert_day(step(f->s, c, "hic-dq").deadline, "2027-04-30");

	/* the rules live in settings: changing one moves its steps only */
	set_config(f->s, "due.apr", "date:10-01");
	assert_day(step(f->s, c, "apr-prepare").deadline, "2026-10-01");
	assert_day(step(f->s, c, "apr-dq").deadline, "2026-10-01");
	assert_day(step(f->s, c, "spm-prepare").deadline, "2027-02-28");
	set_config(f->s, "due.lsa", "end+30");
	assert_day(step(f->s, c, "lsa-dq").deadline, "2026-07-30");
	set_config(f->s, "due.hic", "none");
	assert_int_equal(step(f->s, c, "hic-prepare").deadline, CAL_NO_DAY);
	assert_day(step(f->s, c, "pit-prepare").deadline, "2027-04-30");
	set_config(f->s, "due.spm", "date:01-31");
	assert_day(step(f->s, c, "spm-dq").deadline, "2027-01-31");

	/* a year under an October start ends Sep 30 */
	set_config(f->s, "fiscal_year_start_month", "10");
	set_config(f->s, "due.apr", "end+90");
	new_cycle(f->s, "annual", "FY2027", "annual-FY2027");
	assert_day(step(f->s, "annual-FY2027", "apr-prepare").deadline, "2027-12-29");
	assert_day(step(f->s, "annual-FY2027", "lsa-prepare").deadline, "2027-10-30");
	/* FY2026 keeps its July-start period */
	assert_day(step(f->s, c, "apr-prepare").deadline, "2026-09-28");
}

/* ---- gates, sub-items, reasons ---------------------------------------------------- */

static void test_gates(void **state)
{
	struct fx *f = *state;
	const char *c = "rdc-upload-2026Q3";

	new_cycle(f->s, "rdc-upload", "2026Q3", c);
	refused(f->s, c, "build-export", STEP_DONE, NULL, HMX_ESTATE, "step \"dq-reports\" (todo)");
	refused(f->s, c, "build-export", STEP_DONE, "x", HMX_ESTATE, "cannot mark build-export done");
	/* work may start, or be blocked or skipped, while a gate is open */
	change(f->s, c, "build-export", STEP_IN_PROGRESS, "started early");
	change(f->s, c, "dq-reports", STEP_DONE, "DQ reports run");
	refused(f->s, c, "build-export", STEP_DONE, NULL, HMX_ESTATE,
		"step \"reporting-group\" (todo)");
	change(f->s, c, "reporting-group", STEP_IN_PROGRESS, NULL);
	refused(f->s, c, "build-export", STEP_DONE, NULL, HMX_ESTATE, "(in-progress)");
	change(f->s, c, "reporting-group", STEP_BLOCKED, "waiting for HPC");
	refused(f->s, c, "build-export", STEP_DONE, NULL, HMX_ESTATE, "(blocked)");
	/* skipped closes a gate as done does */
	change(f->s, c, "reporting-group", STEP_SKIPPED, "group unchanged since last quarter");
	change(f->s, c, "build-export", STEP_DONE, "export built");
	/* a chain: each step waits for the one before */
	refused(f->s, c, "upload", STEP_DONE, NULL, HMX_ESTATE, "\"validate\"");
	change(f->s, c, "validate", STEP_DONE, NULL);
	change(f->s, c, "upload", STEP_DONE, NULL);
	change(f->s, c, "notify-rdc", STEP_DONE, "emailed the RDC Sys Admin");
	/* reopening a gate later is allowed (and does not undo the others) */
	change(f->s, c, "dq-reports", STEP_IN_PROGRESS, "re-running");
	assert_int_equal(step(f->s, c, "build-export").state, STEP_DONE);
}

static void test_all_before_gate(void **state)
{
	struct fx *f = *state;
	const char *c = "import-2026B4";
	static const char *const before[] = { "notify-ready", "demo-import", "validate-demo",
					      "resolve-dq" };

	new_cycle(f->s, "import", "2026B4", c);
	refused(f->s, c, "notify-live", STEP_DONE, NULL, HMX_ESTATE, "\"notify-ready\"");
	for (size_t i = 0; i < N(before); i++) {
		refused(f->s, c, "notify-live", STEP_DONE, NULL, HMX_ESTATE, before[i]);
		change(f->s, c, before[i], STEP_DONE, NULL);
	}
	refused(f->s, c, "live-confirmed", STEP_DONE, NULL, HMX_ESTATE, "\"notify-live\"");
	change(f->s, c, "notify-live", STEP_DONE, "vendor told to go live");
	change(f->s, c, "live-confirmed", STEP_DONE, "vendor confirmed");
	assert_true(info(f->s, c, D("2026-04-10")).closed);
}

static void test_parent_and_subitems(void **state)
{
	struct fx *f = *state;
	const char *c = "rdc-download-2026Q3";
	struct step_info si;

	new_cycle(f->s, "rdc-download", "2026Q3", c);
	/* sub-items inherit their parent's gates */
	refused(f->s, c, "download/hac-cataumet", STEP_DONE, NULL, HMX_ESTATE,
		"step \"meet-rdc\" (todo)");
	refused(f->s, c, "download/hac-cataumet", STEP_DONE, NULL, HMX_ESTATE,
		"cannot mark download/hac-cataumet done");
	refused(f->s, c, "download", STEP_DONE, NULL, HMX_ESTATE, "\"meet-rdc\"");
	change(f->s, c, "meet-rdc", STEP_DONE, "met on the 3rd");
	/* the parent waits for every sub-item */
	refused(f->s, c, "download", STEP_DONE, NULL, HMX_ESTATE, "6 of its 6 sub-items are still open");
	change(f->s, c, "download/hac-cataumet", STEP_DONE, NULL);
	change(f->s, c, "download/hac-carriage-house", STEP_DONE, NULL);
	change(f->s, c, "download/hac-scattered", STEP_DONE, NULL);
	change(f->s, c, "download/vneoc-ssvf-hp", STEP_DONE, NULL);
	change(f->s, c, "download/cacci-safe-harbor", STEP_BLOCKED, "RDC export fails");
	refused(f->s, c, "download", STEP_DONE, NULL, HMX_ESTATE, "2 of its 6 sub-items are still open");
	change(f->s, c, "download/vneoc-ssvf-rrh", STEP_DONE, NULL);
	refused(f->s, c, "download", STEP_DONE, NULL, HMX_ESTATE, "1 of its 6 sub-items");
	si = step(f->s, c, "download");
	assert_int_equal(si.n_children, 6);
	assert_int_equal(si.n_children_closed, 5);
	/* steps gated on the parent wait for it too */
	refused(f->s, c, "map", STEP_DONE, NULL, HMX_ESTATE, "\"download\"");
	change(f->s, c, "download/cacci-safe-harbor", STEP_SKIPPED, "project closed this quarter");
	change(f->s, c, "download", STEP_DONE, "all files downloaded");
	si = step(f->s, c, "download");
	assert_int_equal(si.n_children_closed, 6);
	change(f->s, c, "map", STEP_DONE, NULL);
	change(f->s, c, "save-cloud", STEP_DONE, NULL);
}

static void test_reasons_and_notes(void **state)
{
	struct fx *f = *state;
	const char *c = "rdc-upload-2026Q3";
	char n250[251], n251[252];

	new_cycle(f->s, "rdc-upload", "2026Q3", c);
	refused(f->s, c, "upload", STEP_SKIPPED, "", HMX_EINVAL, "a skipped step needs a reason");
	refused(f->s, c, "upload", STEP_SKIPPED, NULL, HMX_EINVAL, "reason");
	refused(f->s, c, "upload", STEP_BLOCKED, "", HMX_EINVAL, "a blocked step needs a reason");
	refused(f->s, c, "upload", STEP_BLOCKED, NULL, HMX_EINVAL, "--note");
	refused(f->s, c, "upload", (enum step_state)7, "x", HMX_EINVAL, "bad step state");
	refused(f->s, c, "upload", STEP_IN_PROGRESS, "two\nlines", HMX_EINVAL, "one line");
	refused(f->s, c, "upload", STEP_IN_PROGRESS, "tab\there", HMX_EINVAL, "one line");
	memset(n251, 'r', 251);
	n251[251] = '\0';
	refused(f->s, c, "upload", STEP_BLOCKED, n251, HMX_EINVAL, "250 bytes");
	memset(n250, 'r', 250);
	n250[250] = '\0';
	change(f->s, c, "upload", STEP_BLOCKED, n250);
	assert_string_equal(step(f->s, c, "upload").note, n250);
	change(f->s, c, "upload", STEP_SKIPPED, "RDC upload suspended by HLC");
	/* todo, in progress and done take no note */
	change(f->s, c, "dq-reports", STEP_IN_PROGRESS, NULL);
	assert_string_equal(step(f->s, c, "dq-reports").note, "");
	change(f->s, c, "dq-reports", STEP_DONE, "");
	change(f->s, c, "dq-reports", STEP_TODO, NULL);
	/* the same state again only changes the note (still one audited change) */
	change(f->s, c, "reporting-group", STEP_BLOCKED, "first reason");
	change(f->s, c, "reporting-group", STEP_BLOCKED, "better reason");
	assert_string_equal(step(f->s, c, "reporting-group").note, "better reason");
	/* accents are fine in a note */
	change(f->s, c, "validate", STEP_IN_PROGRESS, "Casa Esperança: exit dates");
}

static void test_change_records_who_and_when(void **state)
{
	struct fx *f = *state;
	const char *c = "rdc-upload-2026Q3";
	struct audit_row *rows;
	struct hmx_err err;
	struct step_info si;
	size_t n;

	new_cycle(f->s, "rdc-upload", "2026Q3", c);
	setenv("HMX_NOW", "2026-04-03T15:04:05Z", 1);
	setenv("HMX_USER", "maria", 1);
	change(f->s, c, "dq-reports", STEP_IN_PROGRESS, "running");
	si = step(f->s, c, "dq-reports");
	assert_string_equal(si.updated_at, "2026-04-03T15:04:05Z");
	assert_string_equal(si.updated_by, "maria");
	assert_string_equal(si.note, "running");
	change(f->s, c, "dq-reports", STEP_DONE, "3 projects with missing exits");
	assert_int_equal(audit_list(f->s, "rdc-upload-2026Q3/dq-reports", 0, &rows, &n, &err), HMX_OK);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].before, "todo");
	assert_string_equal(rows[0].after, "in-progress: running");
	assert_string_equal(rows[1].before, "in-progress: running");
	assert_string_equal(rows[1].after, "done: 3 projects with missing exits");
	assert_string_equal(rows[1].who, "maria");
	assert_string_equal(rows[1].at, "2026-04-03T15:04:05Z");
	free(rows);
	/* a sub-item's audit object is cycle/step/project */
	new_cycle(f->s, "rdc-download", "2026Q3", "rdc-download-2026Q3");
	change(f->s, "rdc-download-2026Q3", "download/hac-cataumet", STEP_BLOCKED, "file missing");
	assert_int_equal(audit_list(f->s, "rdc-download-2026Q3/download", 0, &rows, &n, &err), HMX_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].object, "rdc-download-2026Q3/download/hac-cataumet");
	free(rows);
	setenv("HMX_NOW", "2026-04-01T12:00:00Z", 1);
	setenv("HMX_USER", "tester", 1);
}

/* ---- undo and history ------------------------------------------------------------- */

static void test_undo_walks_back(void **state)
{
	struct fx *f = *state;
	const char *c = "rdc-upload-2026Q3";
	struct audit_row *rows;
	struct hmx_err err;
	size_t n, a0;

	new_cycle(f->s, "rdc-upload", "2026Q3", c);
	change(f->s, c, "dq-reports", STEP_IN_PROGRESS, "a");
	change(f->s, c, "dq-reports", STEP_DONE, "b");
	undo(f->s, c, "dq-reports", STEP_IN_PROGRESS, "a");
	assert_int_equal(audit_list(f->s, NULL, 1, &rows, &n, &err), HMX_OK);
	assert_string_equal(rows[0].object, "rdc-upload-2026Q3/dq-reports");
	assert_string_equal(rows[0].before, "done: b");
	assert_string_equal(rows[0].after, "in-progress: a");
	free(rows);
	undo(f->s, c, "dq-reports", STEP_TODO, "");
	a0 = n_audit(f->s);
	hmx_err_clear(&err);
	assert_int_equal(step_undo(f->s, c, "dq-reports", &err), HMX_ESTATE);
	assert_string_equal(err.msg, "nothing to undo for step dq-reports");
	assert_int_equal(n_audit(f->s), a0);
	assert_int_equal(step(f->s, c, "dq-reports").state, STEP_TODO);
}

static void test_undo_skips_undone_changes(void **state)
{
	struct fx *f = *state;
	const char *c = "rdc-upload-2026Q3";
	struct hmx_err err;

	new_cycle(f->s, "rdc-upload", "2026Q3", c);
	change(f->s, c, "upload", STEP_IN_PROGRESS, "A");
	change(f->s, c, "upload", STEP_BLOCKED, "B");
	undo(f->s, c, "upload", STEP_IN_PROGRESS, "A");    /* undoes B */
	change(f->s, c, "upload", STEP_SKIPPED, "C");
	undo(f->s, c, "upload", STEP_IN_PROGRESS, "A");    /* undoes C */
	undo(f->s, c, "upload", STEP_TODO, "");            /* undoes A, not B again */
	assert_int_equal(step_undo(f->s, c, "upload", &err), HMX_ESTATE);
	/* undo is per step: another step's history is its own */
	change(f->s, c, "validate", STEP_IN_PROGRESS, NULL);
	assert_int_equal(step_undo(f->s, c, "upload", &err), HMX_ESTATE);
	undo(f->s, c, "validate", STEP_TODO, "");
}

/* Undoing a change away from done passes the gates again. */
static void test_undo_to_done_checks_gates(void **state)
{
	struct fx *f = *state;
	const char *c = "rdc-upload-2026Q3";
	struct hmx_err err;
	size_t a0;

	new_cycle(f->s, "rdc-upload", "2026Q3", c);
	change(f->s, c, "dq-reports", STEP_DONE, NULL);
	change(f->s, c, "reporting-group", STEP_DONE, NULL);
	change(f->s, c, "build-export", STEP_DONE, "b");
	change(f->s, c, "build-export", STEP_IN_PROGRESS, "c");
	change(f->s, c, "dq-reports", STEP_IN_PROGRESS, "reopened");
	a0 = n_audit(f->s);
	hmx_err_clear(&err);
	assert_int_equal(step_undo(f->s, c, "build-export", &err), HMX_ESTATE);
	assert_non_null(strstr(err.msg, "\"dq-reports\" (in-progress) must be done"));
	assert_int_equal(n_audit(f->s), a0);
	assert_int_equal(step(f->s, c, "build-export").state, STEP_IN_PROGRESS);
	assert_int_equal(sqlite3_get_autocommit(store_db(f->s)), 1);
	change(f->s, c, "dq-reports", STEP_DONE, NULL);
	undo(f->s, c, "build-export", STEP_DONE, "b");
}

static void test_undo_nothing_and_unknown(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;

	new_cycle(f->s, "rdc-upload", "2026Q3", "rdc-upload-2026Q3");
	hmx_err_clear(&err);
	assert_int_equal(step_undo(f->s, "rdc-upload-2026Q3", "upload", &err), HMX_ESTATE);
	assert_int_equal(step_undo(f->s, "rdc-upload-2026Q3", "nope", &err), HMX_ENOTFOUND);
	assert_int_equal(step_undo(f->s, "nope-2026Q3", "upload", &err), HMX_ENOTFOUND);
	/* a refused change leaves nothing to undo */
	refused(f->s, "rdc-upload-2026Q3", "upload", STEP_DONE, NULL, HMX_ESTATE, "validate");
	assert_int_equal(step_undo(f->s, "rdc-upload-2026Q3", "upload", &err), HMX_ESTATE);
	assert_int_equal(sqlite3_get_autocommit(store_db(f->s)), 1);
}

static void test_history(void **state)
{
	struct fx *f = *state;
	const char *c = "rdc-upload-2026Q3";
	struct step_change *h;
	struct hmx_err err;
	size_t n;

	new_cycle(f->s, "rdc-upload", "2026Q3", c);
	assert_int_equal(step_history(f->s, c, "upload", &h, &n, &err), HMX_OK);
	assert_int_equal(n, 0);
	free(h);

	setenv("HMX_NOW", "2026-04-02T10:00:00Z", 1);
	change(f->s, c, "upload", STEP_IN_PROGRESS, "uploading");
	setenv("HMX_NOW", "2026-04-02T11:00:00Z", 1);
	setenv("HMX_USER", "joe", 1);
	change(f->s, c, "upload", STEP_BLOCKED, "RDC portal down");
	setenv("HMX_NOW", "2026-04-02T12:00:00Z", 1);
	undo(f->s, c, "upload", STEP_IN_PROGRESS, "uploading");
	change(f->s, c, "validate", STEP_IN_PROGRESS, "other step");

	assert_int_equal(step_history(f->s, c, "upload", &h, &n, &err), HMX_OK);
	assert_int_equal(n, 3);
	assert_int_equal(h[0].from, STEP_TODO);
	assert_int_equal(h[0].to, STEP_IN_PROGRESS);
	assert_string_equal(h[0].note, "uploading");
	assert_false(h[0].is_undo);
	assert_string_equal(h[0].who, "tester");
	assert_string_equal(h[0].at, "2026-04-02T10:00:00Z");
	assert_int_equal(h[1].from, STEP_IN_PROGRESS);
	assert_int_equal(h[1].to, STEP_BLOCKED);
	assert_string_equal(h[1].note, "RDC portal down");
	assert_false(h[1].is_undo);
	assert_string_equal(h[1].who, "joe");
	assert_int_equal(h[2].from, STEP_BLOCKED);
	assert_int_equal(h[2].to, STEP_IN_PROGRESS);
	assert_string_equal(h[2].note, "uploading"); /* the note brought back */
	assert_true(h[2].is_undo);
	assert_string_equal(h[2].at, "2026-04-02T12:00:00Z");
	assert_true(h[0].id < h[1].id && h[1].id < h[2].id);
	free(h);

	assert_int_equal(step_history(f->s, c, "nope", &h, &n, &err), HMX_ENOTFOUND);
	assert_int_equal(n, 0);
	assert_int_equal(step_history(f->s, "nope", "upload", &h, &n, &err), HMX_ENOTFOUND);
	setenv("HMX_NOW", "2026-04-01T12:00:00Z", 1);
	setenv("HMX_USER", "tester", 1);
}

/* ---- cycle summaries and the list ----------------------------------------------------- */

static void test_cycle_info_next_and_counts(void **state)
{
	struct fx *f = *state;
	const char *c = "rdc-upload-2026Q3";
	struct cycle_info ci;

	new_cycle(f->s, "rdc-upload", "2026Q3", c);
	ci = info(f->s, c, D("2026-03-20"));
	assert_int_equal(ci.n_steps, 6);
	assert_int_equal(ci.n_closed, 0);
	assert_false(ci.closed);
	assert_string_equal(ci.next_code, "dq-reports");
	assert_string_equal(ci.next_title, "Run data-quality reports before creating the export");
	assert_int_equal(ci.next_state, STEP_TODO);
	assert_day(ci.next_deadline, "2026-04-07");
	assert_day(ci.due, "2026-04-07");
	assert_int_equal(ci.due_status, DUE_LATER); /* 18 days ahead */

	change(f->s, c, "dq-reports", STEP_DONE, NULL);
	change(f->s, c, "build-export", STEP_IN_PROGRESS, NULL);
	ci = info(f->s, c, D("2026-03-31"));
	assert_int_equal(ci.n_closed, 1);
	assert_string_equal(ci.next_code, "reporting-group");
	assert_int_equal(ci.due_status, DUE_SOON); /* 7 days: inclusive */
	change(f->s, c, "reporting-group", STEP_SKIPPED, "no change");
	ci = info(f->s, c, D("2026-04-07"));
	assert_string_equal(ci.next_code, "build-export");
	assert_int_equal(ci.next_state, STEP_IN_PROGRESS);
	assert_int_equal(ci.n_closed, 2);
	assert_int_equal(ci.due_status, DUE_TODAY);
	ci = info(f->s, c, D("2026-04-08"));
	assert_int_equal(ci.due_status, DUE_OVERDUE);
	/* due_soon_days is read from the settings */
	set_config(f->s, "due_soon_days", "3");
	assert_int_equal(info(f->s, c, D("2026-04-03")).due_status, DUE_LATER);
	assert_int_equal(info(f->s, c, D("2026-04-04")).due_status, DUE_SOON);

	/* blocked is open: it stays the next step */
	change(f->s, c, "build-export", STEP_BLOCKED, "export times out");
	ci = info(f->s, c, D("2026-04-08"));
	assert_string_equal(ci.next_code, "build-export");
	assert_int_equal(ci.next_state, STEP_BLOCKED);

	/* close everything: no next step, no due date, met */
	change(f->s, c, "build-export", STEP_DONE, NULL);
	change(f->s, c, "validate", STEP_DONE, NULL);
	change(f->s, c, "upload", STEP_DONE, NULL);
	change(f->s, c, "notify-rdc", STEP_SKIPPED, "RDC Sys Admin was on the call");
	ci = info(f->s, c, D("2026-05-01"));
	assert_true(ci.closed);
	assert_int_equal(ci.n_closed, 6);
	assert_string_equal(ci.next_code, "");
	assert_string_equal(ci.next_title, "");
	assert_int_equal(ci.next_deadline, CAL_NO_DAY);
	assert_int_equal(ci.due, CAL_NO_DAY);
	assert_int_equal(ci.due_status, DUE_MET);
}

static void test_cycle_info_counts_subitems(void **state)
{
	struct fx *f = *state;
	const char *c = "rdc-download-2026Q3";
	struct cycle_info ci;

	new_cycle(f->s, "rdc-download", "2026Q3", c);
	change(f->s, c, "meet-rdc", STEP_DONE, NULL);
	change(f->s, c, "record-issues", STEP_DONE, NULL);
	change(f->s, c, "download/cacci-safe-harbor", STEP_DONE, NULL);
	ci = info(f->s, c, D("2026-04-10"));
	assert_int_equal(ci.n_steps, 12);
	assert_int_equal(ci.n_closed, 3);
	assert_string_equal(ci.next_code, "resolve-issues");
	/* the earliest open deadline, not the next step's */
	assert_day(ci.next_deadline, "2026-05-30");
	assert_day(ci.due, "2026-04-07");
	assert_int_equal(ci.due_status, DUE_OVERDUE);
	change(f->s, c, "resolve-issues", STEP_SKIPPED, "nothing raised");
	assert_string_equal(info(f->s, c, D("2026-04-10")).next_code, "download");
	change(f->s, c, "download", STEP_SKIPPED, "handled next quarter");
	/* sub-items stay open under a skipped parent, and still count */
	ci = info(f->s, c, D("2026-04-10"));
	assert_string_equal(ci.next_code, "download/hac-carriage-house");
	assert_int_equal(ci.n_closed, 5);
}

static void test_cycle_list_order(void **state)
{
	struct fx *f = *state;
	static const struct { const char *code, *due; enum due_status st; } want[] = {
		{ "rdc-upload-2026Q2", "2026-01-07", DUE_OVERDUE },
		{ "rdc-upload-2026Q3", "2026-04-07", DUE_OVERDUE },
		{ "agency-intake-2026B5", "2026-05-07", DUE_LATER },
		{ "rdc-download-2026Q4", "2026-07-07", DUE_LATER },
		{ "rdc-upload-2026Q4", "2026-07-07", DUE_LATER },
		{ "annual-FY2026", "2026-09-28", DUE_LATER },
		{ "import-2026B5", "none", DUE_NONE },
	};
	struct cycle_info *cs;
	struct hmx_err err;
	size_t n;

	/* made in an order unlike the expected one */
	new_cycle(f->s, "annual", "FY2026", "annual-FY2026");
	new_cycle(f->s, "import", "2026B5", "import-2026B5");
	new_cycle(f->s, "rdc-upload", "2026Q4", "rdc-upload-2026Q4");
	new_cycle(f->s, "rdc-upload", "2026Q3", "rdc-upload-2026Q3");
	new_cycle(f->s, "agency-intake", "2026B5", "agency-intake-2026B5");
	new_cycle(f->s, "rdc-download", "2026Q4", "rdc-download-2026Q4");
	new_cycle(f->s, "rdc-upload", "2026Q2", "rdc-upload-2026Q2");
	/* the import's only dated step is closed: no due date left */
	change(f->s, "import-2026B5", "notify-ready", STEP_DONE, NULL);

	assert_int_equal(cycle_list(f->s, false, D("2026-04-10"), &cs, &n, &err), HMX_OK);
	assert_int_equal(n, N(want));
	for (size_t i = 0; i < n; i++) {
		char buf[11];
		if (strcmp(cs[i].code, want[i].code) != 0)
			fail_msg("position %zu: %s, wanted %s", i, cs[i].code, want[i].code);
		assert_string_equal(cal_format(cs[i].due, buf), want[i].due);
		assert_int_equal(cs[i].due_status, want[i].st);
		assert_false(cs[i].closed);
	}
	free(cs);

	/* closing the overdue step of Q2 moves it to its next deadline */
	change(f->s, "rdc-upload-2026Q2", "dq-reports", STEP_SKIPPED, "late");
	assert_int_equal(cycle_list(f->s, false, D("2026-01-10"), &cs, &n, &err), HMX_OK);
	/* seen on Jan 10 only the Q2 cycle is overdue */
	assert_string_equal(cs[0].code, "rdc-upload-2026Q2");
	assert_int_equal(cs[0].due_status, DUE_OVERDUE);
	assert_string_equal(cs[1].code, "rdc-upload-2026Q3");
	assert_int_equal(cs[1].due_status, DUE_LATER);
	free(cs);
}

static void test_cycle_list_closed_filter(void **state)
{
	struct fx *f = *state;
	static const char *const steps[] = { "dq-reports", "reporting-group", "build-export",
					     "validate", "upload", "notify-rdc" };
	struct cycle_info *cs;
	struct hmx_err err;
	size_t n;

	assert_int_equal(cycle_list(f->s, true, D("2026-04-10"), &cs, &n, &err), HMX_OK);
	assert_int_equal(n, 0);
	free(cs);

	new_cycle(f->s, "rdc-upload", "2026Q3", "rdc-upload-2026Q3");
	new_cycle(f->s, "rdc-upload", "2026Q4", "rdc-upload-2026Q4");
	for (size_t i = 0; i < N(steps); i++)
		change(f->s, "rdc-upload-2026Q3", steps[i], STEP_DONE, NULL);

	assert_int_equal(cycle_list(f->s, false, D("2026-04-10"), &cs, &n, &err), HMX_OK);
	assert_int_equal(n, 1);
	assert_string_equal(cs[0].code, "rdc-upload-2026Q4");
	free(cs);

	assert_int_equal(cycle_list(f->s, true, D("2026-04-10"), &cs, &n, &err), HMX_OK);
	assert_int_equal(n, 2);
	/* the closed cycle has no due date, so it sorts after the open one */
	assert_string_equal(cs[0].code, "rdc-upload-2026Q4");
	assert_string_equal(cs[1].code, "rdc-upload-2026Q3");
	assert_true(cs[1].closed);
	assert_int_equal(cs[1].due_status, DUE_MET);
	assert_int_equal(cs[1].n_closed, 6);
	free(cs);

	/* reopening a step reopens the cycle */
	undo(f->s, "rdc-upload-2026Q3", "notify-rdc", STEP_TODO, "");
	assert_int_equal(cycle_list(f->s, false, D("2026-04-10"), &cs, &n, &err), HMX_OK);
	assert_int_equal(n, 2);
	assert_string_equal(cs[0].code, "rdc-upload-2026Q3");
	assert_int_equal(cs[0].due_status, DUE_OVERDUE);
	assert_string_equal(cs[0].next_code, "notify-rdc");
	free(cs);
}

/* ---- unknown names and refused writes ------------------------------------------------- */

static void test_unknown_cycle_and_step(void **state)
{
	struct fx *f = *state;
	struct step_info *steps = (struct step_info *)1, si;
	struct cycle_info ci;
	struct hmx_err err;
	size_t n = 9, a0;

	new_cycle(f->s, "rdc-upload", "2026Q3", "rdc-upload-2026Q3");
	a0 = n_audit(f->s);
	hmx_err_clear(&err);
	assert_int_equal(step_list(f->s, "rdc-upload-2026Q9", &steps, &n, &err), HMX_ENOTFOUND);
	assert_null(steps);
	assert_int_equal(n, 0);
	assert_string_equal(err.msg, "no cycle \"rdc-upload-2026Q9\" (see 'hmx cycle list')");
	assert_int_equal(cycle_get(f->s, "nope", D("2026-04-10"), &ci, &err), HMX_ENOTFOUND);
	assert_int_equal(step_get(f->s, "nope", "upload", &si, &err), HMX_ENOTFOUND);
	hmx_err_clear(&err);
	assert_int_equal(step_get(f->s, "rdc-upload-2026Q3", "uplaod", &si, &err), HMX_ENOTFOUND);
	assert_string_equal(err.msg, "no step \"uplaod\" in cycle rdc-upload-2026Q3 "
				     "(see 'hmx step list rdc-upload-2026Q3')");
	refused(f->s, "rdc-upload-2026Q3", "uplaod", STEP_DONE, NULL, HMX_ENOTFOUND, "uplaod");
	refused(f->s, "nope", "upload", STEP_DONE, NULL, HMX_ENOTFOUND, "no cycle \"nope\"");
	/* a step code of another kind is unknown here */
	refused(f->s, "rdc-upload-2026Q3", "meet-rdc", STEP_DONE, NULL, HMX_ENOTFOUND, "meet-rdc");
	/* codes are exact */
	refused(f->s, "RDC-UPLOAD-2026Q3", "upload", STEP_IN_PROGRESS, NULL, HMX_ENOTFOUND, "no cycle");
	assert_int_equal(n_audit(f->s), a0);
	assert_int_equal(sqlite3_get_autocommit(store_db(f->s)), 1);
}

static void test_step_set_locked_and_readonly(void **state)
{
	struct fx *f = *state;
	const char *c = "rdc-upload-2026Q3";
	struct hmx_err err;
	sqlite3 *raw = NULL;
	size_t a0;

	new_cycle(f->s, "rdc-upload", c + strlen("rdc-upload-"), c);
	a0 = n_audit(f->s);
	assert_int_equal(sqlite3_open_v2(f->db, &raw, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(raw, 50);
	assert_int_equal(sqlite3_exec(raw, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_busy_timeout(store_db(f->s), 100);
	hmx_err_clear(&err);
	assert_int_equal(step_set(f->s, c, "dq-reports", STEP_DONE, NULL, &err), HMX_EDB);
	assert_non_null(strstr(err.msg, "another hmx is writing"));
	assert_int_equal(cycle_new(f->s, "rdc-upload", "2026Q4", NULL, &err), HMX_EDB);
	assert_int_equal(sqlite3_exec(raw, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(step(f->s, c, "dq-reports").state, STEP_TODO);
	assert_int_equal(count(f->s, "SELECT count(*) FROM step_change"), 0);
	assert_int_equal(count(f->s, "SELECT count(*) FROM cycle"), 1);
	assert_int_equal(n_audit(f->s), a0);

	store_close(&f->s);
	assert_int_equal(store_open(f->db, STORE_READONLY, &f->s, &err), HMX_OK);
	assert_int_equal(step_set(f->s, c, "dq-reports", STEP_DONE, NULL, &err), HMX_ESTATE);
	assert_int_equal(step_undo(f->s, c, "dq-reports", &err), HMX_ESTATE);
	assert_int_equal(cycle_new(f->s, "rdc-upload", "2026Q4", NULL, &err), HMX_ESTATE);
	/* reading works */
	assert_int_equal(step(f->s, c, "dq-reports").state, STEP_TODO);
}

/* ---- the demo workspace ---------------------------------------------------------------- */

static void test_demo_seed(void **state)
{
	struct fx *f = *state;
	static const char *const codes[] = {
		"agency-intake-2026B4", "annual-FY2025",     "import-2026B4",
		"rdc-download-2026Q3",  "rdc-upload-2026Q3", "rdc-upload-2026Q4",
	};
	static const char *const dl[] = {
		"download/cacci-safe-harbor", "download/hac-carriage-house", "download/hac-cataumet",
		"download/hac-scattered",     "download/vneoc-ssvf-hp",      "download/vneoc-ssvf-rrh",
	};
	struct cycle_info *cs;
	struct step_info *steps, si;
	struct reg_project *ps;
	struct hmx_err err;
	size_t n, k = 0;

	hmx_err_clear(&err);
	if (demo_seed(f->s, D("2026-04-10"), &err) != HMX_OK)
		fail_msg("demo_seed: %s", err.msg);
	assert_int_equal(count(f->s, "SELECT count(*) FROM agency"), 6);
	assert_int_equal(count(f->s, "SELECT count(*) FROM project"), 14);
	assert_int_equal(count(f->s, "SELECT count(*) FROM project WHERE source = 'rdc-direct'"), 6);
	assert_int_equal(count(f->s, "SELECT count(*) FROM project WHERE source = 'outside-agency'"),
			 3);
	/* every change went through the audited calls: 6 agencies, 14
	 * projects, 6 cycles, 16 step changes */
	assert_int_equal(n_audit(f->s), (size_t)store_schema_version() + 6 + 14 + 6 + 16);

	assert_int_equal(reg_project_list(f->s, NULL, &ps, &n, &err), HMX_OK);
	for (size_t i = 0; i < n; i++)
		k += ps[i].in_upload_group;
	assert_int_equal(k, 8); /* 14 projects less the 6 RDC-direct ones */
	free(ps);

	/* around 2026-04-10 with a July start */
	assert_int_equal(cycle_list(f->s, true, D("2026-04-10"), &cs, &n, &err), HMX_OK);
	assert_int_equal(n, N(codes));
	for (size_t i = 0; i < N(codes); i++) {
		bool found = false;
		for (size_t j = 0; j < n; j++)
			found |= strcmp(cs[j].code, codes[i]) == 0;
		if (!found)
			fail_msg("demo lacks cycle %s", codes[i]);
	}
	free(cs);

	/* the RDC-direct projects of footnote 1 expand into six downloads */
	assert_int_equal(step_list(f->s, "rdc-download-2026Q3", &steps, &n, &err), HMX_OK);
	k = 0;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(steps[i].code, "download/", 9) != 0)
			continue;
		assert_true(k < N(dl));
		assert_string_equal(steps[i].code, dl[k]);
		k++;
	}
	assert_int_equal(k, 6);
	free(steps);
	si = step(f->s, "rdc-download-2026Q3", "download/cacci-safe-harbor");
	assert_int_equal(si.state, STEP_BLOCKED);
	assert_string_equal(si.note, "RDC export fails for this project");
	assert_int_equal(step(f->s, "rdc-upload-2026Q3", "build-export").state, STEP_IN_PROGRESS);
	assert_int_equal(step(f->s, "agency-intake-2026B4", "request").state, STEP_DONE);
	assert_int_equal(step(f->s, "agency-intake-2026B4", "request").n_children_closed, 3);
	assert_int_equal(step(f->s, "annual-FY2025", "lsa-prepare").state, STEP_IN_PROGRESS);
	/* the import: the files on the demo site, waiting for their validation */
	assert_int_equal(step(f->s, "import-2026B4", "notify-ready").state, STEP_DONE);
	assert_int_equal(step(f->s, "import-2026B4", "demo-import").state, STEP_DONE);
	assert_int_equal(step(f->s, "import-2026B4", "validate-demo").state, STEP_TODO);
	assert_int_equal(step(f->s, "rdc-upload-2026Q4", "dq-reports").state, STEP_TODO);

	/* never twice, never into a workspace */
	hmx_err_clear(&err);
	assert_int_equal(demo_seed(f->s, D("2026-04-10"), &err), HMX_EEXIST);
	assert_non_null(strstr(err.msg, "empty database"));
	assert_int_equal(count(f->s, "SELECT count(*) FROM project"), 14);
	assert_int_equal(count(f->s, "SELECT count(*) FROM cycle"), 6);
}

static void test_demo_refuses_any_workspace(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	size_t a0;

	/* settings alone do not make a workspace */
	set_config(f->s, "fiscal_year_start_month", "10");
	add_agency(f->s, "ONE", "One agency");
	a0 = n_audit(f->s);
	assert_int_equal(demo_seed(f->s, D("2026-04-10"), &err), HMX_EEXIST);
	assert_int_equal(n_audit(f->s), a0);
	assert_int_equal(count(f->s, "SELECT count(*) FROM agency"), 1);
}

/* The seed is one transaction: a failure at its last step leaves the
 * database as empty as it was (a trigger refuses that step's change). */
static void test_demo_all_or_nothing(void **state)
{
	struct fx *f = *state;
	struct hmx_err err;
	size_t a0 = n_audit(f->s);

	assert_int_equal(store_exec(f->s, "CREATE TRIGGER no_lsa BEFORE UPDATE ON step "
				    "WHEN new.code = 'lsa-prepare' BEGIN "
				    "SELECT RAISE(ABORT, 'refused by the test'); END", &err), HMX_OK);
	hmx_err_clear(&err);
	assert_int_not_equal(demo_seed(f->s, D("2026-04-10"), &err), HMX_OK);
	assert_non_null(strstr(err.msg, "refused by the test"));
	assert_int_equal(sqlite3_get_autocommit(store_db(f->s)), 1);
	assert_int_equal(count(f->s, "SELECT count(*) FROM agency"), 0);
	assert_int_equal(count(f->s, "SELECT count(*) FROM project"), 0);
	assert_int_equal(count(f->s, "SELECT count(*) FROM cycle"), 0);
	assert_int_equal(count(f->s, "SELECT count(*) FROM step"), 0);
	assert_int_equal(count(f->s, "SELECT count(*) FROM step_change"), 0);
	assert_int_equal(n_audit(f->s), a0);
	/* without the trigger the same seed goes through */
	assert_int_equal(store_exec(f->s, "DROP TRIGGER no_lsa", &err), HMX_OK);
	assert_int_equal(demo_seed(f->s, D("2026-04-10"), &err), HMX_OK);
	assert_int_equal(count(f->s, "SELECT count(*) FROM cycle"), 6);
}

static void test_demo_with_october_start(void **state)
{
	struct fx *f = *state;
	struct cycle_info *cs;
	struct hmx_err err;
	size_t n;
	bool q2 = false, b3 = false, fy = false;

	set_config(f->s, "fiscal_year_start_month", "10");
	assert_int_equal(demo_seed(f->s, D("2026-04-10"), &err), HMX_OK);
	/* April 2026 under October: FY2026 Q3 (so Q2 before it), B4 (so B3), FY2025 */
	assert_int_equal(cycle_list(f->s, true, D("2026-04-10"), &cs, &n, &err), HMX_OK);
	assert_int_equal(n, 6);
	for (size_t i = 0; i < n; i++) {
		q2 |= strcmp(cs[i].code, "rdc-upload-2026Q2") == 0;
		b3 |= strcmp(cs[i].code, "agency-intake-2026B3") == 0;
		fy |= strcmp(cs[i].code, "annual-FY2025") == 0;
	}
	assert_true(q2 && b3 && fy);
	free(cs);
}

/* Cycles are placed around the day given: in January 2027 (July start) the
 * current quarter is FY2027 Q3, so the demo makes Q2 and Q3, B3 (the
 * bi-month before Jan-Feb) and FY2026 (the year before). */
static void test_demo_around_another_day(void **state)
{
	struct fx *f = *state;
	static const char *const codes[] = {
		"agency-intake-2027B3", "annual-FY2026",     "import-2027B3",
		"rdc-download-2027Q2",  "rdc-upload-2027Q2", "rdc-upload-2027Q3",
	};
	struct hmx_err err;

	assert_int_equal(demo_seed(f->s, D("2027-01-15"), &err), HMX_OK);
	assert_int_equal(count(f->s, "SELECT count(*) FROM cycle"), 6);
	for (size_t i = 0; i < N(codes); i++)
		info(f->s, codes[i], D("2027-01-15"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_cycle_due),
		cmocka_unit_test(test_kinds_in_order),
		cmocka_unit_test_setup_teardown(test_template_steps, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_subitems_copy_their_parent, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_expansion_follows_registry_at_creation, setup_reg,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_longest_project_code_expands, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_expansion_with_empty_registry, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_cycle_new_codes_and_audit, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_cycle_new_refusals, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_cycle_new_duplicate, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_deadlines_quarter_july, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_deadlines_quarter_october, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_deadlines_bimonth, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_annual_deadlines_follow_settings, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_gates, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_all_before_gate, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_parent_and_subitems, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_reasons_and_notes, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_change_records_who_and_when, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_undo_walks_back, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_undo_skips_undone_changes, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_undo_to_done_checks_gates, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_undo_nothing_and_unknown, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_history, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_cycle_info_next_and_counts, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_cycle_info_counts_subitems, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_cycle_list_order, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_cycle_list_closed_filter, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_cycle_and_step, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_step_set_locked_and_readonly, setup_reg, fx_teardown),
		cmocka_unit_test_setup_teardown(test_demo_seed, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_demo_refuses_any_workspace, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_demo_all_or_nothing, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_demo_with_october_start, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_demo_around_another_day, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
