/* core/demo.c — the demo workspace: registry from seed 000 and cycles
 * positioned relative to today, all written through the ordinary audited
 * core calls. Project names are organisations' names, never client data. */
#include "demo.h"

#include <string.h>

#include "config.h"
#include "cycle.h"
#include "registry.h"

static const struct { const char *code, *name; } demo_agencies[] = {
	{ "HAC", "Housing Assistance Corporation" },
	{ "CACCI", "Community Action Committee of the Cape and Islands" },
	{ "VNEOC", "Veterans Northeast Outreach Center" },
	{ "HPC", "Homeless Prevention Council" },
	{ "CIHC", "Cape and Islands Housing Collaborative" },
	{ "IHS", "Island Health Services" },
};

static const struct {
	const char *code, *name, *agency;
	enum reg_source src;
	const char *hud_id;
} demo_projects[] = {
	/* seed 000, footnote 1: enter data directly into the RDC */
	{ "hac-carriage-house", "HAC Carriage House", "HAC", REG_SRC_RDC_DIRECT, "1101" },
	{ "hac-cataumet", "HAC Cataumet Village", "HAC", REG_SRC_RDC_DIRECT, "1102" },
	{ "hac-scattered", "HAC Scattered Sites", "HAC", REG_SRC_RDC_DIRECT, "1103" },
	{ "cacci-safe-harbor", "CACCI Safe Harbor", "CACCI", REG_SRC_RDC_DIRECT, "1201" },
	{ "vneoc-ssvf-hp", "VNEOC SSVF Homelessness Prevention", "VNEOC", REG_SRC_RDC_DIRECT, "1301" },
	{ "vneoc-ssvf-rrh", "VNEOC SSVF Rapid Re-housing", "VNEOC", REG_SRC_RDC_DIRECT, "1302" },
	/* seed 000, footnote 2: outside agencies with their own software */
	{ "hpc-case-mgmt", "HPC Case Management", "HPC", REG_SRC_OUTSIDE_AGENCY, "" },
	{ "hpc-dyrs", "HPC DYRS", "HPC", REG_SRC_OUTSIDE_AGENCY, "" },
	{ "hpc-mhsa", "HPC MHSA", "HPC", REG_SRC_OUTSIDE_AGENCY, "" },
	/* plausible projects entered in the CoC's HMIS */
	{ "cihc-family-es", "Barnstable Family Shelter", "CIHC", REG_SRC_HMIS, "2001" },
	{ "cihc-hyannis-psh", "Hyannis Permanent Supportive Housing", "CIHC", REG_SRC_HMIS, "2002" },
	{ "cihc-casa", "Casa Esperança Transitional Housing", "CIHC", REG_SRC_HMIS, "2003" },
	{ "ihs-outreach", "Nantucket Street Outreach", "IHS", REG_SRC_HMIS, "3001" },
	{ "ihs-mv-rrh", "Martha's Vineyard Rapid Re-housing", "IHS", REG_SRC_HMIS, "3002" },
};

struct demo_step {
	int cycle;  /* index into the cycles made below */
	const char *step;
	enum step_state state;
	const char *note;
};

static bool store_is_empty(struct store *s)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT (SELECT count(*) FROM project) + (SELECT count(*) FROM cycle) "
					 "+ (SELECT count(*) FROM agency)",
					 NULL);
	bool empty = false;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		empty = sqlite3_column_int(st, 0) == 0;
	sqlite3_finalize(st);
	return empty;
}

static enum hmx_rc seed(struct store *s, cal_day today, struct hmx_err *err);

enum hmx_rc demo_seed(struct store *s, cal_day today, struct hmx_err *err)
{
	enum hmx_rc rc;

	if (!store_is_empty(s))
		return hmx_err_set(err, HMX_EEXIST,
				   "%s already holds a workspace: the demo needs an empty database",
				   store_path(s));
	/* all or nothing: a failure leaves the database empty */
	if ((rc = store_batch_begin(s, err)) != HMX_OK)
		return rc;
	if ((rc = seed(s, today, err)) != HMX_OK) {
		store_batch_rollback(s);
		return rc;
	}
	return store_batch_commit(s, err);
}

static enum hmx_rc seed(struct store *s, cal_day today, struct hmx_err *err)
{
	struct cal_period q, qprev, b, bprev, y, yprev;
	char codes[6][64];
	int fy = config_fy_start(s);
	enum hmx_rc rc;

	for (size_t i = 0; i < sizeof demo_agencies / sizeof demo_agencies[0]; i++)
		if ((rc = reg_agency_add(s, demo_agencies[i].code, demo_agencies[i].name, err)) != HMX_OK)
			return rc;
	for (size_t i = 0; i < sizeof demo_projects / sizeof demo_projects[0]; i++)
		if ((rc = reg_project_add(s, demo_projects[i].code, demo_projects[i].name,
					  demo_projects[i].agency, demo_projects[i].src,
					  demo_projects[i].hud_id, err)) != HMX_OK)
			return rc;

	cal_period_containing(today, CAL_QUARTER, fy, &q);
	cal_period_prev(&q, &qprev);
	cal_period_containing(today, CAL_BIMONTH, fy, &b);
	cal_period_prev(&b, &bprev);
	cal_period_containing(today, CAL_YEAR, fy, &y);
	cal_period_prev(&y, &yprev);
	{
		const struct { const char *kind; const struct cal_period *p; } mk[6] = {
			{ "rdc-upload", &qprev },      { "rdc-download", &qprev }, { "agency-intake", &bprev },
			{ "import", &bprev },          { "rdc-upload", &q },       { "annual", &yprev },
		};
		for (int i = 0; i < 6; i++)
			if ((rc = cycle_new(s, mk[i].kind, mk[i].p->name, codes[i], err)) != HMX_OK)
				return rc;
	}
	{
		static const struct demo_step work[] = {
			{ 0, "dq-reports", STEP_DONE, "DQ reports run; 3 projects with missing exit dates" },
			{ 0, "reporting-group", STEP_DONE, "14 projects, 6 RDC-direct excluded" },
			{ 0, "build-export", STEP_IN_PROGRESS, "" },
			{ 1, "meet-rdc", STEP_DONE, "met with the RDC Sys Admin" },
			{ 1, "record-issues", STEP_DONE, "no blocking issues raised" },
			{ 1, "download/hac-carriage-house", STEP_DONE, "" },
			{ 1, "download/hac-cataumet", STEP_DONE, "" },
			{ 1, "download/cacci-safe-harbor", STEP_BLOCKED, "RDC export fails for this project" },
			{ 2, "request/hpc-case-mgmt", STEP_DONE, "" },
			{ 2, "request/hpc-dyrs", STEP_DONE, "" },
			{ 2, "request/hpc-mhsa", STEP_DONE, "" },
			{ 2, "request", STEP_DONE, "requested by email" },
			{ 2, "receive/hpc-case-mgmt", STEP_DONE, "received by encrypted email" },
			/* the import of the files: on the demo site, waiting for validation
			 * (make demo intakes a demo-site export and opens its review) */
			{ 3, "notify-ready", STEP_DONE, "vendor told: RDC and agency files ready" },
			{ 3, "demo-import", STEP_DONE, "vendor imported the files to the demo site" },
			{ 5, "lsa-prepare", STEP_IN_PROGRESS, "" },
		};
		for (size_t i = 0; i < sizeof work / sizeof work[0]; i++)
			if ((rc = step_set(s, codes[work[i].cycle], work[i].step, work[i].state,
					   work[i].note, err)) != HMX_OK)
				return rc;
	}
	return HMX_OK;
}
