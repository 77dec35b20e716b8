/* cli/match.c — consent and the MCP client match verbs (consent, match). */
#include "cli/cli.h"

#include <ctype.h>
#include <stdlib.h>

#include "core/consent.h"
#include "core/json.h"
#include "core/match.h"
#include "core/match_build.h"
#include "core/match_import.h"

/* ---- consent and the MCP client match ------------------------------------ */

static void json_consent(FILE *f, const void *row)
{
	const struct consent_row *r = row;
	bool first = true;
	char d[11];

	fputc('{', f);
	json_kv(f, &first, "personal_id", r->personal_id);
	json_kv(f, &first, "scope", r->scope);
	json_kv(f, &first, "start", cal_format(r->start, d));
	json_kv(f, &first, "end", r->end == CAL_NO_DAY ? "" : cal_format(r->end, d));
	json_kv(f, &first, "revoked", r->revoked == CAL_NO_DAY ? "" : cal_format(r->revoked, d));
	json_kv(f, &first, "today",
		consent_verdict_name(consent_check_row(r, cal_today())));
	fputc('}', f);
}

static void text_consent(const void *row)
{
	const struct consent_row *r = row;
	char a[11], b[11], c[11];

	printf("%-24s %-14s %-10s %-10s %-10s %s\n", r->personal_id, r->scope,
	       cal_format(r->start, a), r->end == CAL_NO_DAY ? "-" : cal_format(r->end, b),
	       r->revoked == CAL_NO_DAY ? "-" : cal_format(r->revoked, c),
	       consent_verdict_name(consent_check_row(r, cal_today())));
}

static int print_consents(const struct consent_row *v, size_t n, int json, const char *none)
{
	const struct cli_list list = {
		"releases",
		"PERSONALID               SCOPE          START      END        REVOKED    TODAY\n",
		none, json_consent, text_consent,
	};

	return cli_print_list(&list, v, n, sizeof *v, json);
}

int cli_consent_import(struct cli_globals *g, struct cli_args *a)
{
	struct consent_import_result res;
	struct hmx_err err = { 0 };
	enum hmx_rc rc;

	(void)g;
	rc = consent_import(cli_store(), a->pos[0], &res, &err);
	if (rc == HMX_EINVAL && res.n_problems) {
		for (size_t i = 0; i < res.n_kept; i++)
			fprintf(stderr, "%s:%llu: %s\n", a->pos[0],
				(unsigned long long)res.problems[i].line, res.problems[i].reason);
		if (res.n_problems > res.n_kept)
			fprintf(stderr, "... and %llu more\n",
				(unsigned long long)(res.n_problems - res.n_kept));
		fprintf(stderr, "%s: %llu bad row(s) of %llu: nothing loaded\n", cli_progname,
			(unsigned long long)res.n_problems, (unsigned long long)res.rows);
		consent_import_result_free(&res);
		return CLI_EXIT_USAGE;
	}
	consent_import_result_free(&res);
	if (rc != HMX_OK)
		return cli_fail(&err);
	printf("%llu release(s) loaded for %s (%llu replaced)\n", (unsigned long long)res.loaded,
	       res.scopes, (unsigned long long)res.replaced);
	return CLI_EXIT_OK;
}

/* consent list and consent show: the releases of a scope or of a client. */
static int consent_print(struct cli_args *a, const char *scope, const char *pid, const char *none)
{
	struct hmx_err err = { 0 };
	struct consent_row *v;
	int json = cli_want_json(a), rc;
	size_t n;

	if (json < 0)
		return CLI_EXIT_USAGE;
	if (consent_list(cli_store(), scope, pid, &v, &n, &err) != HMX_OK)
		return cli_fail(&err);
	rc = print_consents(v, n, json, none);
	free(v);
	return rc;
}

int cli_consent_list(struct cli_globals *g, struct cli_args *a)
{
	(void)g;
	return consent_print(a, cli_opt(a, "scope"), NULL,
			     "no releases (hmx consent import ROSTER.csv)");
}

int cli_consent_show(struct cli_globals *g, struct cli_args *a)
{
	(void)g;
	return consent_print(a, NULL, a->pos[0],
			     "no release for this client: nothing about them may leave");
}

int cli_match_list(struct cli_globals *g, struct cli_args *a)
{
	struct match_list_opts o = {
		.cycle = a->pos[0],
		.from = cli_opt(a, "from"),
		.output = cli_opt(a, "output"),
		.active_since = CAL_NO_DAY,
		.fields = cli_opt(a, "fields"),
		.site = cli_opt(a, "site"),
	};
	struct match_list_result res;
	struct hmx_err err = { 0 };
	int json = cli_want_json(a);

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	if (!o.from || !o.output)
		return cli_usage_error("usage: hmx match list CYCLE --from EXPORT -o FILE (see hmx help match list)");
	if (cli_opt(a, "active-since") &&
	    !cal_parse_date(cli_opt(a, "active-since"), &o.active_since))
		return cli_usage_error("bad --active-since \"%s\": use YYYY-MM-DD", cli_opt(a, "active-since"));
	if (match_list(cli_store(), &o, &res, &err) != HMX_OK)
		return cli_fail(&err);
	if (json) {
		bool first = true;
		fputc('{', stdout);
		json_kv(stdout, &first, "path", res.path);
		json_kv(stdout, &first, "sha256", res.sha256);
		json_ku(stdout, &first, "rows", res.rows);
		json_key(stdout, &first, "manifest");
		consent_manifest_json(stdout, &res.manifest);
		fputs("}\n", stdout);
	} else {
		printf("client list %s: %llu row(s), 0600, sha256 %s\n", res.path,
		       (unsigned long long)res.rows, res.sha256);
		consent_manifest_text(stdout, &res.manifest);
		printf("%s\n", res.step_ticked ? "step build-list: done" : res.step_note);
		printf("it holds client PII: push it (hmx push), then hmx match purge %s\n", o.cycle);
	}
	return CLI_EXIT_OK;
}

int cli_match_purge(struct cli_globals *g, struct cli_args *a)
{
	struct match_purge_result res;
	struct hmx_err err = { 0 };
	char q[256];
	size_t n;

	(void)g;
	if (match_unpurged(cli_store(), a->pos[0], &n, &err) != HMX_OK)
		return cli_fail(&err);
	if (n) {
		snprintf(q, sizeof q, "Delete %zu local client list file(s) of %s?", n, a->pos[0]);
		if (!cli_flag(a, "yes") && !hmx_confirm(q)) {
			fprintf(stderr, "%s: not purged (answer y, or --yes in batch)\n",
				cli_progname);
			return CLI_EXIT_FINDINGS;
		}
	}
	if (match_purge(cli_store(), a->pos[0], &res, &err) != HMX_OK)
		return cli_fail(&err);
	printf("%zu file(s) removed, %zu already gone", res.purged, res.missing);
	if (res.changed)
		printf(", %zu changed since written", res.changed);
	printf("\n%s\n", res.step_ticked ? "step purge: done" : res.step_note);
	return CLI_EXIT_OK;
}

int cli_match_show(struct cli_globals *g, struct cli_args *a)
{
	struct match_summary sum;
	struct match_list_rec *r;
	struct hmx_err err = { 0 };
	struct cycle_info ci;
	int json = cli_want_json(a);
	size_t n;

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	if (cycle_get(cli_store(), a->pos[0], cal_today(), &ci, &err) != HMX_OK ||
	    match_lists(cli_store(), a->pos[0], &r, &n, &err) != HMX_OK)
		return cli_fail(&err);
	if (json)
		fputs("{\"lists\":[", stdout);
	else if (n)
		printf("%-4s %-20s %-10s %6s %-12s %-20s %s\n", "ID", "AT", "WHO", "ROWS", "SHA256",
		       "PURGED", "PATH");
	for (size_t i = 0; i < n; i++) {
		if (json) {
			bool first = true;
			if (i)
				fputc(',', stdout);
			fputc('{', stdout);
			json_ki(stdout, &first, "id", r[i].id);
			json_kv(stdout, &first, "at", r[i].at);
			json_kv(stdout, &first, "who", r[i].who);
			json_ku(stdout, &first, "rows", r[i].rows);
			json_kv(stdout, &first, "sha256", r[i].sha256);
			json_kv(stdout, &first, "path", r[i].path);
			json_kv(stdout, &first, "purged_at", r[i].purged_at);
			json_key(stdout, &first, "manifest");
			fputs(r[i].manifest[0] ? r[i].manifest : "null", stdout);
			fputc('}', stdout);
		} else {
			printf("%-4lld %-20s %-10s %6llu %-12.12s %-20s %s\n", (long long)r[i].id, r[i].at,
			       r[i].who, (unsigned long long)r[i].rows, r[i].sha256,
			       r[i].purged_at[0] ? r[i].purged_at : "kept", r[i].path);
		}
	}
	if (match_summary_get(cli_store(), a->pos[0], &sum, &err) != HMX_OK) {
		free(r);
		return cli_fail(&err);
	}
	if (json) {
		bool first = true;
		fputs("],\"summary\":{", stdout);
		json_ku(stdout, &first, "eligible", sum.eligible);
		json_ku(stdout, &first, "sent", sum.sent);
		json_ku(stdout, &first, "inactive", sum.inactive);
		for (int v = CONSENT_NO_RELEASE; v < CONSENT_N_VERDICTS; v++)
			json_ku(stdout, &first, consent_verdict_name(v), sum.left_out[v]);
		json_ku(stdout, &first, "returned", sum.returned);
		json_ku(stdout, &first, "matched", sum.matched);
		json_ku(stdout, &first, "findings", sum.findings);
		json_ku(stdout, &first, "blocking", sum.blocking);
		json_ku(stdout, &first, "to_enroll", sum.to_enroll);
		json_ku(stdout, &first, "to_exit", sum.to_exit);
		json_ku(stdout, &first, "member_changes", sum.member_changes);
		json_ku(stdout, &first, "service_changes", sum.service_changes);
		fprintf(stdout, ",\"built\":%s}}\n", sum.built ? "true" : "false");
	} else if (!n) {
		printf("no client list yet (hmx match list %s --from EXPORT -o FILE)\n", a->pos[0]);
	}
	if (!json && sum.imported)
		printf("member list: %llu returned, %llu matched, %llu finding(s) (%llu blocking); "
		       "%s: %llu to enroll, %llu to exit, %llu service change(s)\n",
		       (unsigned long long)sum.returned, (unsigned long long)sum.matched,
		       (unsigned long long)sum.findings, (unsigned long long)sum.blocking,
		       sum.built ? "built" : "to build", (unsigned long long)sum.to_enroll,
		       (unsigned long long)sum.to_exit, (unsigned long long)sum.service_changes);
	free(r);
	return CLI_EXIT_OK;
}

int cli_match_fields(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	char buf[256];

	(void)g;
	if (a->npos == 2 &&
	    match_site_fields_set(cli_store(), a->pos[0], a->pos[1], &err) != HMX_OK)
		return cli_fail(&err);
	if (match_site_fields_get(cli_store(), a->pos[0], buf, sizeof buf, &err) != HMX_OK)
		return cli_fail(&err);
	printf("%s: %s\n", a->pos[0], buf[0] ? buf : "all");
	return CLI_EXIT_OK;
}

int cli_match_import(struct cli_globals *g, struct cli_args *a)
{
	struct match_import_opts o = { .cycle = a->pos[0], .path = a->pos[1],
				       .columns = cli_opt(a, "columns") };
	struct match_import_result res;
	struct match_finding *f = NULL;
	struct hmx_err err = { 0 };
	int json = cli_want_json(a);
	size_t n = 0;

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	if (match_import(cli_store(), &o, &res, &err) != HMX_OK)
		return cli_fail(&err);
	if (match_findings(cli_store(), o.cycle, &f, &n, &err) != HMX_OK)
		return cli_fail(&err);
	if (json) {
		bool first = true;
		fputc('{', stdout);
		json_kv(stdout, &first, "sha256", res.sha256);
		json_ku(stdout, &first, "rows", res.rows);
		json_ku(stdout, &first, "matched", res.matched);
		json_ku(stdout, &first, "services", res.services);
		json_ku(stdout, &first, "blocking", res.blocking);
		json_ku(stdout, &first, "errors", res.errors);
		json_ku(stdout, &first, "warnings", res.warnings);
		json_ki(stdout, &first, "run", res.run_id);
		json_key(stdout, &first, "findings");
		fputc('[', stdout);
		for (size_t i = 0; i < n; i++) {
			bool f1 = true;
			fputs(i ? ",{" : "{", stdout);
			json_kv(stdout, &f1, "check", f[i].check);
			json_kv(stdout, &f1, "severity", f[i].severity);
			json_ku(stdout, &f1, "line", f[i].line);
			json_kv(stdout, &f1, "personal_id", f[i].personal_id);
			json_kv(stdout, &f1, "column", f[i].col);
			json_kv(stdout, &f1, "detail", f[i].detail);
			fputc('}', stdout);
		}
		fputs("]}\n", stdout);
	} else {
		printf("member list %s: %llu row(s), %llu matched, %llu service row(s)%s\n", res.path,
		       (unsigned long long)res.rows, (unsigned long long)res.matched,
		       (unsigned long long)res.services, res.replaced ? " (replaces the earlier import)" : "");
		printf("client lists compared: %zu, skipped (purged or changed): %zu\n",
		       res.lists_compared, res.lists_skipped);
		printf("findings: %llu blocking, %llu errors, %llu warnings (run %lld)\n",
		       (unsigned long long)res.blocking, (unsigned long long)res.errors,
		       (unsigned long long)res.warnings, (long long)res.run_id);
		for (size_t i = 0; i < n; i++)
			printf("  %s %-8s line %-5llu %-12s %-28s %s\n", f[i].check, f[i].severity,
			       (unsigned long long)f[i].line,
			       f[i].personal_id[0] ? f[i].personal_id : "-", f[i].col[0] ? f[i].col : "-",
			       f[i].detail);
		printf("%s\n", res.step_ticked ? "step receive-members: done" : res.step_note);
		if (res.blocking)
			printf("blocking: clients the MCP should never have had (privacy incident): "
			       "report them; the build is refused until a corrected list is imported\n");
	}
	free(f);
	return res.blocking ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
}

int cli_match_build(struct cli_globals *g, struct cli_args *a)
{
	struct match_build_opts o = { .cycle = a->pos[0], .dir = cli_opt(a, "output"),
				      .project = cli_opt(a, "project") };
	struct match_build_result res;
	struct hmx_err err = { 0 };
	const char *sp = cli_opt(a, "spec");

	(void)g;
	if (!o.dir)
		return cli_usage_error("usage: hmx match build CYCLE -o DIR [--spec fy2024|fy2026] [--project CODE]");
	if (sp) {
		char up[16];
		size_t i;
		for (i = 0; sp[i] && i < sizeof up - 1; i++)
			up[i] = (char)toupper((unsigned char)sp[i]);
		up[i] = '\0';
		if ((o.spec = spec_version_from_name(up)) == SPEC_UNKNOWN)
			return cli_usage_error("bad --spec \"%s\": fy2024 or fy2026", sp);
	}
	if (match_build(cli_store(), &o, &res, &err) != HMX_OK)
		return cli_fail(&err);
	printf("HMIS import files in %s: %zu file(s), 0600 (client PII: hand them to the vendor,"
	       " then delete)\n", res.dir, res.files);
	printf("clients %llu, new enrollments %llu, exits %llu (destination 99 to follow up: %llu),"
	       " member changes %llu, service changes %llu\n",
	       (unsigned long long)res.clients, (unsigned long long)res.enrollments,
	       (unsigned long long)res.exits, (unsigned long long)res.follow_up,
	       (unsigned long long)res.member_changes, (unsigned long long)res.service_changes);
	printf("%s\n", res.step_ticked ? "step build-import: done" : res.step_note);
	return CLI_EXIT_OK;
}
