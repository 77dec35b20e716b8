/* main.c — the hmx command line: the verb table, `hmx help` and main(). The
 * verbs themselves live in cli/ (cli/cli.h); with no verb it opens the TUI
 * (tui/tui.h).
 * Output is text or JSON on stdout; errors are one line on stderr.
 * Exit codes: 0 ok, 1 blocking findings, 2 usage error, 3 runtime error. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tui/tui.h"

static int main_help(struct cli_globals *g, struct cli_args *a);

static const struct cli_verb verbs[] = {
	{ "init", "", "create the workspace database (or check an existing one)", "", 0, 0, cli_init, CLI_DB_CREATE },
	{ "demo", "[--seed-only]", "make a throwaway demo workspace and open it", "seed-only!", 0, 0,
	  cli_demo, CLI_DB_NONE },
	{ "cycle kinds", "[--format text|json]", "list the cycle kinds and their seed sections",
	  "format", 0, 0, cli_cycle_kinds, CLI_DB_NONE },
	{ "cycle new", "KIND PERIOD", "create a cycle (e.g. rdc-upload 2026Q3) with its checklist", "",
	  2, 2, cli_cycle_new, CLI_DB_OPEN },
	{ "cycle list", "[--all] [--format text|json]", "open cycles, overdue first (--all: closed too)",
	  "all! format", 0, 0, cli_cycle_list, CLI_DB_OPEN },
	{ "step list", "CYCLE [--format text|json]", "the checklist of a cycle", "format", 1, 1,
	  cli_step_list, CLI_DB_OPEN },
	{ "step set", "CYCLE STEP STATE [--note TEXT]",
	  "set a step to todo, in-progress, done, skipped or blocked (skipped/blocked need --note)",
	  "note", 3, 3, cli_step_set, CLI_DB_OPEN },
	{ "step undo", "CYCLE STEP", "revert the last change of a step", "", 2, 2, cli_step_undo, CLI_DB_OPEN },
	{ "step history", "CYCLE STEP [--format text|json]", "every change of a step", "format", 2, 2,
	  cli_step_history, CLI_DB_OPEN },
	{ "project list", "[--source S] [--format text|json]", "projects and the upload reporting group",
	  "source format", 0, 0, cli_project_list, CLI_DB_OPEN },
	{ "project add", "CODE --name NAME --agency AGENCY --source SOURCE [--hud-id ID]",
	  "register a project (source: hmis, rdc-direct or outside-agency)", "name agency source hud-id",
	  1, 1, cli_project_add, CLI_DB_OPEN },
	{ "project set", "CODE FIELD VALUE", "change name, source, hud-id, agency or active (yes/no)", "",
	  3, 3, cli_project_set, CLI_DB_OPEN },
	{ "project agency-add", "CODE NAME", "register an agency", "", 2, 2, cli_agency_add, CLI_DB_OPEN },
	{ "project agencies", "[--format text|json]", "list agencies", "format", 0, 0, cli_agency_list,
	  CLI_DB_OPEN },
	{ "config get", "[KEY]", "show one setting, or all with their help", "", 0, 1, cli_config_get, CLI_DB_OPEN },
	{ "config set", "KEY VALUE", "change a setting (e.g. fiscal_year_start_month 10)", "", 2, 2,
	  cli_config_set, CLI_DB_OPEN },
	{ "audit", "[--cycle C] [--project P] [--who NAME] [--action A] [--from D] [--to D] "
	  "[--limit N] [--format text|json]", "the audit log, oldest first",
	  "cycle project who action from to limit format", 0, 0, cli_audit, CLI_DB_OPEN },
	{ "validate", "PATH [--format text|csv|json] [--spec FY2024|FY2026] [--cycle C] "
	  "[--max-examples N] [--output FILE] [--quiet] [--threads N] [--timeliness-days N] "
	  "[--inactive-days N]",
	  "check an HMIS CSV export (folder or .zip); exit 1 on blocking findings",
	  "format spec cycle max-examples output quiet! threads timeliness-days inactive-days", 1, 1,
	  cli_validate, CLI_DB_NONE },
	{ "intake", "CYCLE PATH [--source hmis|rdc|demo|agency:CODE] [--received YYYY-MM-DD] [--no-validate] "
	  "[--format text|json]",
	  "record an export (zip or folder) in a cycle: kept by SHA-256, counted, checked (X05, X07)",
	  "source received no-validate! format", 2, 2, cli_intake, CLI_DB_OPEN },
	{ "files", "CYCLE [--format text|json]", "the files of a cycle: source, arrival, size, counts, findings",
	  "format", 1, 1, cli_files, CLI_DB_OPEN },
	{ "map", "CYCLE [FILE PROJECTID PROJECT|--not-ours REASON|--create CODE [--name N] [--agency A] "
	  "[--kind K] [--hud-id ID]|--clear] [--allow-duplicate] | CYCLE [FILE] --accept | "
	  "CYCLE [--format text|json]",
	  "map the projects of a cycle's files to registered projects (state, decisions, X01/X02)",
	  "format accept! not-ours create name agency kind hud-id clear! allow-duplicate!", 1, 4, cli_map,
	  CLI_DB_OPEN },
	{ "notice", "CYCLE KIND [--to AGENCY] [--edit] [--sent [--date YYYY-MM-DD]] [--format text|json]",
	  "draft of a notice (vendor, RDC, agency, partner); --edit, --sent record it (no mail)",
	  "to edit! sent! date format", 2, 2, cli_notice, CLI_DB_OPEN },
	{ "notices", "CYCLE [--format text|json]", "the notices of a cycle: new, draft or sent",
	  "format", 1, 1, cli_notices, CLI_DB_OPEN },
	{ "reconcile", "CYCLE [--format text|json]",
	  "rows per project: files sent for import vs the demo-site export (X06)", "format", 1, 1,
	  cli_reconcile, CLI_DB_OPEN },
	{ "export build", "CYCLE --from FILE [--from FILE ...] -o FILE [--allow-collisions] "
	  "[--export-id ID|--keep-export-id] [--quiet] [--format text|json]",
	  "write the reporting group's upload export (every project but the rdc-direct ones) "
	  "from files of the cycle or export paths; exit 1 when refused (X03, X04)",
	  "from output allow-collisions! export-id keep-export-id! quiet! format", 1, 1,
	  cli_export_build, CLI_DB_OPEN },
	{ "site add", "NAME --host HOST [--port P] [--user U] [--identity FILE] [--remote-dir DIR] "
	  "[--role rdc|vendor|agency:CODE|mcp]",
	  "register an SFTP site (host may be a ~/.ssh/config alias; no secret is stored)",
	  "host port user identity remote-dir role", 1, 1, cli_site_add, CLI_DB_OPEN },
	{ "site list", "[--format text|json]", "the SFTP sites", "format", 0, 0, cli_site_list, CLI_DB_OPEN },
	{ "site show", "NAME [--format text|json]", "one site's settings", "format", 1, 1, cli_site_show,
	  CLI_DB_OPEN },
	{ "site remove", "NAME", "forget a site", "", 1, 1, cli_site_remove, CLI_DB_OPEN },
	{ "site test", "NAME [--accept-new-host-key]",
	  "connect, check the host key, log in, list the remote dir; print fingerprint and timing",
	  "accept-new-host-key!", 1, 1, cli_site_test, CLI_DB_OPEN },
	{ "ls", "SITE [DIR] [--accept-new-host-key] [--format text|json]",
	  "list a remote directory of a site (size, mtime UTC, name)", "accept-new-host-key! format", 1, 2,
	  cli_ls, CLI_DB_OPEN },
	{ "pull", "SITE REMOTE... [--to DIR] [--overwrite] [--retries N] [--cycle C [--step S]] "
	  "[--accept-new-host-key]",
	  "download files (resumable, SHA-256, renamed into place; names made safe); with --cycle "
	  "each zip goes to intake with the site's role as source, --step ticks a step",
	  "to overwrite! retries cycle step accept-new-host-key!", 2, CLI_MAX_POS, cli_pull,
	  CLI_DB_OPEN },
	{ "push", "SITE LOCAL... [--to DIR] [--overwrite] [--retries N] [--cycle C [--step S] [--yes]] "
	  "[--accept-new-host-key]",
	  "upload files (to NAME.part, resumable, renamed, size checked; SHA-256 recorded); with "
	  "--cycle asks to tick the step (an rdc-upload cycle's upload step by default)",
	  "to overwrite! retries cycle step yes! accept-new-host-key!", 2, CLI_MAX_POS, cli_push, CLI_DB_OPEN },
	{ "transfers", "[--format text|json]", "the transfer jobs: state, bytes, SHA-256", "format", 0, 0,
	  cli_transfers, CLI_DB_OPEN },
	{ "transfer retry", "ID [--retries N] [--overwrite] [--accept-new-host-key]",
	  "run a failed, cancelled or interrupted transfer job again from its offset; exit 1 when "
	  "another hmx runs it", "retries overwrite! accept-new-host-key!", 1, 1,
	  cli_transfer_retry,
	  CLI_DB_OPEN },
	{ "transfer cancel", "ID",
	  "cancel a queued, running or failed transfer job (a running one stops within a second, "
	  "keeping its partial)", "", 1, 1, cli_transfer_cancel, CLI_DB_OPEN },
	{ "reviewer add", "NAME --key FILE.pub (--projects P1,P2 | --agency A) [--print] "
	  "[--authorized-keys FILE]",
	  "add a partner who reviews findings over SSH; writes their restricted authorized_keys line",
	  "key projects agency print! authorized-keys", 1, 1, cli_reviewer_add, CLI_DB_OPEN },
	{ "reviewer list", "[--format text|json]", "the reviewers, their keys and projects", "format", 0,
	  0, cli_reviewer_list, CLI_DB_OPEN },
	{ "reviewer set", "NAME (--projects P1,P2 | --agency A)", "change what a reviewer reviews",
	  "projects agency", 1, 1, cli_reviewer_set, CLI_DB_OPEN },
	{ "reviewer remove", "NAME [--authorized-keys FILE]",
	  "forget a reviewer and remove their authorized_keys line", "authorized-keys", 1, 1,
	  cli_reviewer_remove, CLI_DB_OPEN },
	{ "findings", "CYCLE [--project P|-] [--agency A] [--state S] [--check C] [--severity S] "
	  "[--reviewer R] [--as R] [--pending] [--counts] [--format text|json]",
	  "the demo-site review of a cycle: its findings, or counts per project and severity",
	  "project agency state check severity reviewer as pending! counts! format", 1, 1, cli_findings,
	  CLI_DB_OPEN },
	{ "finding show", "ID [--format text|json]", "one finding of a review and its history", "format",
	  1, 1, cli_finding_show, CLI_DB_OPEN },
	{ "finding propose", "ID --text FIX [--version N]", "propose a fix (admin)", "text as version", 1,
	  1, cli_finding_propose, CLI_DB_OPEN },
	{ "finding approve", "ID [--text COMMENT] [--as REVIEWER] [--version N]",
	  "approve the proposed fix", "text as version", 1, 1, cli_finding_approve, CLI_DB_OPEN },
	{ "finding reject", "ID --text COMMENT [--as REVIEWER] [--version N]",
	  "reject the proposed fix, saying why", "text as version", 1, 1, cli_finding_reject, CLI_DB_OPEN },
	{ "finding comment", "ID --text COMMENT [--as REVIEWER]", "add a comment (any state)",
	  "text as version", 1, 1, cli_finding_comment, CLI_DB_OPEN },
	{ "finding waive", "ID --text REASON [--version N]",
	  "waive a finding with a reason (admin; shown in every report)", "text as version", 1, 1,
	  cli_finding_waive, CLI_DB_OPEN },
	{ "finding assign", "ID --to REVIEWER", "name the reviewer expected to act (admin)",
	  "to as version", 1, 1, cli_finding_assign, CLI_DB_OPEN },
	{ "review", "--as REVIEWER [--cycle C]",
	  "the review screen of one reviewer only (what their SSH key opens)", "as cycle", 0, 0,
	  cli_review, CLI_DB_OPEN },
	{ "report", "CYCLE [--project P|--agency A] --format csv|md [-o FILE]",
	  "per-partner review report: findings, state, history, waivers (no client data)",
	  "project agency format output", 1, 1, cli_report, CLI_DB_OPEN },
	{ "consent import", "ROSTER.csv",
	  "load releases (PersonalID,scope,start,end,revoked); all or nothing; replaces its scopes",
	  "", 1, 1, cli_consent_import, CLI_DB_OPEN },
	{ "consent list", "[--scope S] [--format text|json]", "the stored releases (IDs and dates)",
	  "scope format", 0, 0, cli_consent_list, CLI_DB_OPEN },
	{ "consent show", "PERSONALID [--format text|json]", "one client's releases and today's verdict",
	  "format", 1, 1, cli_consent_show, CLI_DB_OPEN },
	{ "match list", "CYCLE --from EXPORT -o FILE [--active-since DATE] [--fields F,..] [--site S] "
	  "[--format text|json]",
	  "write the MCP client list: active clients with an mcp-match release (0600; manifest)",
	  "from output active-since fields site format", 1, 1, cli_match_list, CLI_DB_OPEN },
	{ "match show", "CYCLE [--format text|json]",
	  "the cycle's client lists (when, who, rows, SHA-256, kept or purged) and match counts",
	  "format", 1, 1, cli_match_show, CLI_DB_OPEN },
	{ "match purge", "CYCLE [--yes]", "delete the cycle's local client lists; tick its purge step",
	  "yes!", 1, 1, cli_match_purge, CLI_DB_OPEN },
	{ "match fields", "SITE [FIELDS|all]", "show or set the fields a site's client list may hold",
	  "", 1, 2, cli_match_fields, CLI_DB_OPEN },
	{ "match import", "CYCLE MEMBERS.csv [--columns FILE] [--format text|json]",
	  "read the MCP member list back: match it to the lists sent, findings M01-M09 (IDs only); "
	  "replaces the cycle's import; exit 1 on blocking (M02)",
	  "columns format", 2, 2, cli_match_import, CLI_DB_OPEN },
	{ "match build", "CYCLE -o DIR [--spec fy2024|fy2026] [--project CODE]",
	  "write the HMIS import files of the MCP project (HUD CSV export + mcp_companion.csv): "
	  "only the changes since the last build",
	  "output spec project", 1, 1, cli_match_build, CLI_DB_OPEN },
	{ "help", "[VERB]", "this list, or one verb's usage", "", 0, 2, main_help, CLI_DB_NONE },
};

#define N_VERBS (sizeof verbs / sizeof verbs[0])

static int main_help(struct cli_globals *g, struct cli_args *a)
{
	char want[64] = "";

	(void)g;
	if (a->npos >= 1)
		snprintf(want, sizeof want, "%s%s%s", a->pos[0], a->npos > 1 ? " " : "",
			 a->npos > 1 ? a->pos[1] : "");
	if (!want[0]) {
		printf("hmx %s — HMIS data-exchange console for a Continuum of Care\n\n"
		       "usage: hmx [--db PATH] [--readonly] [--no-color] [--ascii] [--cycle C] [--screen audit|review|match|transfers] [VERB ...]\n"
		       "       hmx             open the console (TUI)\n\n",
		       HMX_VERSION);
		for (size_t i = 0; i < N_VERBS; i++)
			printf("  %-20s %s\n", verbs[i].name, verbs[i].help);
		printf("\nexit codes: 0 ok, 1 blocking findings, 2 usage error, 3 runtime error\n"
		       "environment: HMX_DB, HMX_TODAY, HMX_USER, NO_COLOR; see hmx(1)\n");
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < N_VERBS; i++) {
		size_t wl = strlen(want);
		if (strncmp(verbs[i].name, want, wl) == 0 &&
		    (verbs[i].name[wl] == '\0' || verbs[i].name[wl] == ' ')) {
			printf("usage: hmx %s %s\n  %s\n", verbs[i].name, verbs[i].usage, verbs[i].help);
		}
	}
	for (size_t i = 0; i < N_VERBS; i++) {
		size_t wl = strlen(want);
		if (strncmp(verbs[i].name, want, wl) == 0 &&
		    (verbs[i].name[wl] == '\0' || verbs[i].name[wl] == ' '))
			return CLI_EXIT_OK;
	}
	return cli_usage_error("no verb \"%s\" (see 'hmx help')", want);
}

/* ---- main ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
	struct cli_globals g = { 0 };
	struct hmx_hooks hooks = { .log = cli_log, .confirm = cli_confirm };
	struct hmx_err err = { 0 };
	const struct cli_verb *v = NULL;
	struct cli_args a;
	int vi, rc, used = 0;

	hmx_hooks_install(&hooks);
	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		g.tui.no_color = true;
	vi = cli_parse_globals(argc, argv, &g);
	if (vi < 0)
		return CLI_EXIT_USAGE;
	if (!g.db && getenv("HMX_DB") && *getenv("HMX_DB"))
		g.db = getenv("HMX_DB");
	if (vi > argc) {
		struct cli_args none = { 0 };
		return main_help(&g, &none);
	}
	if (vi == argc) {
		/* no verb: the console */
		if ((rc = cli_open_store(&g, STORE_CREATE, &err)) != CLI_EXIT_OK)
			return rc;
		rc = tui_run(cli_store(), &g.tui, &err) == HMX_OK ? CLI_EXIT_OK : cli_fail(&err);
		cli_close_store();
		return rc;
	}
	/* longest verb name matching the next one or two words */
	for (size_t i = 0; i < N_VERBS; i++) {
		const char *name = verbs[i].name, *sp = strchr(name, ' ');
		if (sp) {
			if (vi + 1 < argc && strncmp(name, argv[vi], (size_t)(sp - name)) == 0 &&
			    argv[vi][sp - name] == '\0' && strcmp(sp + 1, argv[vi + 1]) == 0) {
				v = &verbs[i];
				used = 2;
				break;
			}
		} else if (strcmp(name, argv[vi]) == 0) {
			v = &verbs[i];
			used = 1;
			break;
		}
	}
	if (!v) {
		for (size_t i = 0; i < N_VERBS; i++) {
			const char *sp = strchr(verbs[i].name, ' ');
			if (sp && strncmp(verbs[i].name, argv[vi], (size_t)(sp - verbs[i].name)) == 0 &&
			    argv[vi][sp - verbs[i].name] == '\0')
				return cli_usage_error("'%s' needs a sub-command (see 'hmx help %s')", argv[vi],
						   argv[vi]);
		}
		return cli_usage_error("unknown verb \"%s\" (see 'hmx help')", argv[vi]);
	}
	if ((rc = cli_parse_args(v, argc - vi - used, argv + vi + used, &a)) != CLI_EXIT_OK)
		return rc;
	if (v->db &&
	    (rc = cli_open_store(&g, v->db == CLI_DB_CREATE ? STORE_CREATE : 0, &err)) != CLI_EXIT_OK)
		return rc;
	rc = v->run(&g, &a);
	if (fflush(stdout) != 0 && rc == CLI_EXIT_OK) {
		fprintf(stderr, "%s: cannot write output: %s\n", cli_progname, strerror(errno));
		rc = CLI_EXIT_RUNTIME;
	}
	cli_close_store();
	return rc;
}

