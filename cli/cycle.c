/* cli/cycle.c — the workspace verbs: init, demo, cycle, step, project, agency,
 * config and audit. */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/config.h"
#include "core/cycle.h"
#include "core/demo.h"
#include "core/json.h"
#include "core/mapping.h"
#include "core/registry.h"

int cli_init(struct cli_globals *g, struct cli_args *a)
{
	(void)g;
	(void)a;
	printf("hmx workspace ready: %s (schema %d)\n", store_path(cli_store()), store_schema_version());
	return CLI_EXIT_OK;
}

int cli_demo(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	char dir[] = "/tmp/hmx-demo.XXXXXX", path[64];
	int rc;

	if (!g->db) {
		if (!mkdtemp(dir)) {
			fprintf(stderr, "%s: cannot create a demo directory in /tmp: %s\n", cli_progname,
				strerror(errno));
			return CLI_EXIT_RUNTIME;
		}
		snprintf(path, sizeof path, "%s/hmx.db", dir);
		g->db = path;
	}
	if ((rc = cli_open_store(g, STORE_CREATE, &err)) != CLI_EXIT_OK)
		return rc;
	if (demo_seed(cli_store(), cal_today(), &err) != HMX_OK)
		return cli_fail(&err);
	if (cli_flag(a, "seed-only")) {
		printf("demo workspace: %s\n", store_path(cli_store()));
		return CLI_EXIT_OK;
	}
	if (tui_run(cli_store(), &g->tui, &err) != HMX_OK)
		return cli_fail(&err);
	printf("demo workspace kept at %s (delete it when done)\n", store_path(cli_store()));
	return CLI_EXIT_OK;
}

static void json_kind(FILE *f, const void *row)
{
	const struct cycle_kind *k = row;
	bool first = true;

	fputc('{', f);
	json_kv(f, &first, "id", k->id);
	json_kv(f, &first, "title", k->title);
	json_kv(f, &first, "periods", k->periods);
	json_kv(f, &first, "source", k->source);
	fputc('}', f);
}

static void text_kind(const void *row)
{
	const struct cycle_kind *k = row;

	printf("%-14s %-40s %-16s %s\n", k->id, k->title, k->periods, k->source);
}

int cli_cycle_kinds(struct cli_globals *g, struct cli_args *a)
{
	static const struct cli_list list = { "kinds", NULL, NULL, json_kind, text_kind };
	const struct cycle_kind *k;
	struct hmx_err err = { 0 };
	size_t n;
	int json = cli_want_json(a);

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	if (cycle_kinds(&k, &n, &err) != HMX_OK)
		return cli_fail(&err);
	return cli_print_list(&list, k, n, sizeof *k, json);
}

int cli_cycle_new(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	char code[64];

	(void)g;
	if (cycle_new(cli_store(), a->pos[0], a->pos[1], code, &err) != HMX_OK)
		return cli_fail(&err);
	printf("%s\n", code);
	return CLI_EXIT_OK;
}

int cli_cycle_list(struct cli_globals *g, struct cli_args *a)
{
	struct cycle_info *c;
	struct hmx_err err = { 0 };
	cal_day today = cal_today();
	char d1[11], d2[11], d3[11], left[32];
	size_t n;
	int json = cli_want_json(a);

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	if (cycle_list(cli_store(), cli_flag(a, "all"), today, &c, &n, &err) != HMX_OK)
		return cli_fail(&err);
	if (json) {
		fputs("{", stdout);
		bool first = true;
		cli_json_kday(stdout, &first, "today", today);
		fputs(",\"cycles\":[", stdout);
	} else if (n == 0) {
		printf("no open cycles (create one with 'hmx cycle new KIND PERIOD')\n");
	} else {
		printf("%-24s %-8s %-10s %-10s %-6s %-28s %-10s %s\n", "CYCLE", "PERIOD", "START", "END",
		       "DONE", "NEXT STEP", "DEADLINE", "STATUS");
	}
	for (size_t i = 0; i < n; i++) {
		cli_days_phrase(left, sizeof left, c[i].due, today, c[i].due_status);
		if (json) {
			bool first = true;
			fputs(i ? ",{" : "{", stdout);
			json_kv(stdout, &first, "code", c[i].code);
			json_kv(stdout, &first, "kind", c[i].kind);
			json_kv(stdout, &first, "title", c[i].kind_title);
			json_kv(stdout, &first, "period", c[i].period);
			cli_json_kday(stdout, &first, "start", c[i].start);
			cli_json_kday(stdout, &first, "end", c[i].end);
			json_ki(stdout, &first, "steps", c[i].n_steps);
			json_ki(stdout, &first, "closed", c[i].n_closed);
			json_kv(stdout, &first, "next_step", c[i].next_code);
			cli_json_kday(stdout, &first, "next_deadline", c[i].next_deadline);
			cli_json_kday(stdout, &first, "due", c[i].due);
			json_kv(stdout, &first, "due_status", cycle_due_name(c[i].due_status));
			fputs(",\"days_left\":", stdout);
			if (c[i].due == CAL_NO_DAY)
				fputs("null", stdout);
			else
				printf("%ld", (long)c[i].due - today);
			fputs("}", stdout);
		} else {
			char done[16];
			snprintf(done, sizeof done, "%d/%d", c[i].n_closed, c[i].n_steps);
			printf("%-24s %-8s %-10s %-10s %-6s %-28.28s %-10s %s\n", c[i].code, c[i].period,
			       cal_format(c[i].start, d1), cal_format(c[i].end, d2), done,
			       c[i].next_code[0] ? c[i].next_code : "-",
			       c[i].due == CAL_NO_DAY ? "-" : cal_format(c[i].due, d3), left);
		}
	}
	if (json)
		fputs("]}\n", stdout);
	free(c);
	return CLI_EXIT_OK;
}

int cli_step_list(struct cli_globals *g, struct cli_args *a)
{
	struct step_info *s;
	struct hmx_err err = { 0 };
	cal_day today = cal_today();
	int soon = config_get_int(cli_store(), "due_soon_days");
	char d[11], left[32];
	size_t n;
	int json = cli_want_json(a);

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	if (step_list(cli_store(), a->pos[0], &s, &n, &err) != HMX_OK)
		return cli_fail(&err);
	if (json) {
		bool first = true;
		fputs("{", stdout);
		json_kv(stdout, &first, "cycle", a->pos[0]);
		cli_json_kday(stdout, &first, "today", today);
		fputs(",\"steps\":[", stdout);
	} else {
		printf("%-34s %-12s %-10s %-16s %-15s %s\n", "STEP", "STATE", "DEADLINE", "STATUS", "WHO",
		       "TITLE");
	}
	for (size_t i = 0; i < n; i++) {
		enum due_status ds = cycle_due(s[i].deadline, s[i].state, today, soon);

		cli_days_phrase(left, sizeof left, s[i].deadline, today, ds);
		if (json) {
			bool first = true;
			fputs(i ? ",{" : "{", stdout);
			json_kv(stdout, &first, "code", s[i].code);
			json_kv(stdout, &first, "parent", s[i].parent);
			json_kv(stdout, &first, "title", s[i].title);
			json_kv(stdout, &first, "source", s[i].source);
			json_kv(stdout, &first, "actor", s[i].actor);
			json_kv(stdout, &first, "project", s[i].project);
			json_kv(stdout, &first, "state", step_state_name(s[i].state));
			json_kv(stdout, &first, "rule", s[i].rule);
			cli_json_kday(stdout, &first, "deadline", s[i].deadline);
			json_kv(stdout, &first, "due_status", cycle_due_name(ds));
			json_kv(stdout, &first, "gates", s[i].gates);
			json_kv(stdout, &first, "note", s[i].note);
			json_kv(stdout, &first, "updated_at", s[i].updated_at);
			json_kv(stdout, &first, "updated_by", s[i].updated_by);
			fputs("}", stdout);
		} else {
			char code[80];
			snprintf(code, sizeof code, "%s%s", s[i].depth ? "  " : "", s[i].code);
			printf("%-34s %-12s %-10s %-16s %-15s %s\n", code, step_state_name(s[i].state),
			       s[i].deadline == CAL_NO_DAY ? "-" : cal_format(s[i].deadline, d), left,
			       s[i].actor_label, s[i].title);
		}
	}
	if (json)
		fputs("]}\n", stdout);
	free(s);
	return CLI_EXIT_OK;
}

int cli_step_set(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	enum step_state st;

	(void)g;
	if (!step_state_parse(a->pos[2], &st))
		return cli_usage_error("bad state \"%s\": use todo, in-progress, done, skipped or blocked",
				   a->pos[2]);
	if (step_set(cli_store(), a->pos[0], a->pos[1], st, cli_opt(a, "note"), &err) != HMX_OK)
		return cli_fail(&err);
	printf("%s/%s: %s\n", a->pos[0], a->pos[1], step_state_name(st));
	return CLI_EXIT_OK;
}

int cli_step_undo(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	struct step_info si;

	(void)g;
	if (step_undo(cli_store(), a->pos[0], a->pos[1], &err) != HMX_OK ||
	    step_get(cli_store(), a->pos[0], a->pos[1], &si, &err) != HMX_OK)
		return cli_fail(&err);
	printf("%s/%s: back to %s\n", a->pos[0], a->pos[1], step_state_name(si.state));
	return CLI_EXIT_OK;
}

static void json_change(FILE *f, const void *row)
{
	const struct step_change *c = row;
	bool first = true;

	fputc('{', f);
	json_kv(f, &first, "at", c->at);
	json_kv(f, &first, "who", c->who);
	json_kv(f, &first, "from", step_state_name(c->from));
	json_kv(f, &first, "to", step_state_name(c->to));
	json_kv(f, &first, "note", c->note);
	fprintf(f, ",\"undo\":%s}", c->is_undo ? "true" : "false");
}

static void text_change(const void *row)
{
	const struct step_change *c = row;

	printf("%s  %-12s %-11s -> %-11s %s%s\n", c->at, c->who, step_state_name(c->from),
	       step_state_name(c->to), c->is_undo ? "(undo) " : "", c->note);
}

int cli_step_history(struct cli_globals *g, struct cli_args *a)
{
	static const struct cli_list list = {
		"changes", NULL, "no changes yet", json_change, text_change,
	};
	struct step_change *c;
	struct hmx_err err = { 0 };
	size_t n;
	int json = cli_want_json(a);

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	if (step_history(cli_store(), a->pos[0], a->pos[1], &c, &n, &err) != HMX_OK)
		return cli_fail(&err);
	cli_print_list(&list, c, n, sizeof *c, json);
	free(c);
	return CLI_EXIT_OK;
}

int cli_project_list(struct cli_globals *g, struct cli_args *a)
{
	struct reg_project *p;
	struct hmx_err err = { 0 };
	enum reg_source src;
	const char *sf = cli_opt(a, "source");
	size_t n;
	int json = cli_want_json(a);

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	if (sf && !reg_source_parse(sf, &src))
		return cli_usage_error("bad --source \"%s\": use hmis, rdc-direct or outside-agency", sf);
	if (reg_project_list(cli_store(), sf ? &src : NULL, &p, &n, &err) != HMX_OK)
		return cli_fail(&err);
	if (json)
		fputs("{\"projects\":[", stdout);
	else
		printf("%-22s %-8s %-15s %-8s %-6s %-7s %s\n", "PROJECT", "AGENCY", "SOURCE", "HUD ID",
		       "ACTIVE", "UPLOAD", "NAME");
	for (size_t i = 0; i < n; i++) {
		if (json) {
			bool first = true;
			fputs(i ? ",{" : "{", stdout);
			json_kv(stdout, &first, "code", p[i].code);
			json_kv(stdout, &first, "name", p[i].name);
			json_kv(stdout, &first, "agency", p[i].agency_code);
			json_kv(stdout, &first, "source", reg_source_name(p[i].source));
			json_kv(stdout, &first, "hud_project_id", p[i].hud_project_id);
			fprintf(stdout, ",\"active\":%s,\"in_upload_group\":%s}", p[i].active ? "true" : "false",
				p[i].in_upload_group ? "true" : "false");
		} else {
			printf("%-22s %-8s %-15s %-8s %-6s %-7s %s\n", p[i].code, p[i].agency_code,
			       reg_source_name(p[i].source), p[i].hud_project_id[0] ? p[i].hud_project_id : "-",
			       p[i].active ? "yes" : "no", p[i].in_upload_group ? "yes" : "no", p[i].name);
		}
	}
	if (json)
		fputs("]}\n", stdout);
	free(p);
	return CLI_EXIT_OK;
}

int cli_project_add(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	enum reg_source src;
	const char *name = cli_opt(a, "name"), *agency = cli_opt(a, "agency"),
		   *sf = cli_opt(a, "source");

	(void)g;
	if (!name || !agency || !sf)
		return cli_usage_error("usage: hmx project add CODE --name NAME --agency AGENCY --source "
				   "hmis|rdc-direct|outside-agency [--hud-id ID]");
	if (!reg_source_parse(sf, &src))
		return cli_usage_error("bad --source \"%s\": use hmis, rdc-direct or outside-agency", sf);
	if (reg_project_add(cli_store(), a->pos[0], name, agency, src, cli_opt(a, "hud-id"), &err) != HMX_OK)
		return cli_fail(&err);
	printf("project %s added\n", a->pos[0]);
	return CLI_EXIT_OK;
}

int cli_project_set(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };

	(void)g;
	if (reg_project_set(cli_store(), a->pos[0], a->pos[1], a->pos[2], &err) != HMX_OK)
		return cli_fail(&err);
	printf("project %s: %s = %s\n", a->pos[0], a->pos[1], a->pos[2]);
	return CLI_EXIT_OK;
}

int cli_agency_add(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };

	(void)g;
	if (reg_agency_add(cli_store(), a->pos[0], a->pos[1], &err) != HMX_OK)
		return cli_fail(&err);
	printf("agency %s added\n", a->pos[0]);
	return CLI_EXIT_OK;
}

static void json_agency(FILE *f, const void *row)
{
	const struct reg_agency *ag = row;
	bool first = true;

	fputc('{', f);
	json_kv(f, &first, "code", ag->code);
	json_kv(f, &first, "name", ag->name);
	fputc('}', f);
}

static void text_agency(const void *row)
{
	const struct reg_agency *ag = row;

	printf("%-10s %s\n", ag->code, ag->name);
}

int cli_agency_list(struct cli_globals *g, struct cli_args *a)
{
	static const struct cli_list list = { "agencies", NULL, NULL, json_agency, text_agency };
	struct reg_agency *ag;
	struct hmx_err err = { 0 };
	size_t n;
	int json = cli_want_json(a);

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	if (reg_agency_list(cli_store(), &ag, &n, &err) != HMX_OK)
		return cli_fail(&err);
	cli_print_list(&list, ag, n, sizeof *ag, json);
	free(ag);
	return CLI_EXIT_OK;
}

int cli_config_get(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };
	const char *name, *def, *help;
	char val[256];

	(void)g;
	if (a->npos == 1) {
		if (config_get(cli_store(), a->pos[0], val, sizeof val, &err) != HMX_OK)
			return cli_fail(&err);
		printf("%s\n", val);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; config_key(i, &name, &def, &help); i++) {
		if (config_get(cli_store(), name, val, sizeof val, &err) != HMX_OK)
			return cli_fail(&err);
		printf("%-24s = %-32s # %s\n", name, val, help);
	}
	return CLI_EXIT_OK;
}

int cli_config_set(struct cli_globals *g, struct cli_args *a)
{
	struct hmx_err err = { 0 };

	(void)g;
	if (config_set(cli_store(), a->pos[0], a->pos[1], &err) != HMX_OK)
		return cli_fail(&err);
	printf("%s = %s\n", a->pos[0], a->pos[1]);
	return CLI_EXIT_OK;
}

static void json_audit(FILE *f, const void *row)
{
	const struct audit_row *r = row;
	bool first = true;

	fputc('{', f);
	json_ki(f, &first, "id", r->id);
	json_kv(f, &first, "at", r->at);
	json_kv(f, &first, "who", r->who);
	json_kv(f, &first, "action", r->action);
	json_kv(f, &first, "object", r->object);
	json_kv(f, &first, "before", r->before);
	json_kv(f, &first, "after", r->after);
	fputc('}', f);
}

static void text_audit(const void *row)
{
	const struct audit_row *r = row;

	printf("%s  %-10s %-14s %-40s %s -> %s\n", r->at, r->who, r->action, r->object,
	       r->before[0] ? r->before : "-", r->after[0] ? r->after : "-");
}

int cli_audit(struct cli_globals *g, struct cli_args *a)
{
	static const struct cli_list list = { "audit", NULL, NULL, json_audit, text_audit };
	struct audit_row *r;
	struct hmx_err err = { 0 };
	const char *lim = cli_opt(a, "limit");
	long limit = 0;
	size_t n;
	int json = cli_want_json(a);

	(void)g;
	if (json < 0)
		return CLI_EXIT_USAGE;
	if (lim) {
		char *end;
		limit = strtol(lim, &end, 10);
		if (*end || limit < 0)
			return cli_usage_error("bad --limit \"%s\": use a whole number", lim);
	}
	{
		struct audit_filter f = { cli_opt(a, "cycle"), cli_opt(a, "project"),
					  cli_opt(a, "who"), cli_opt(a, "action"),
					  cli_opt(a, "from"), cli_opt(a, "to"), NULL };

		if (audit_query(cli_store(), &f, (size_t)limit, &r, &n, &err) != HMX_OK)
			return cli_fail(&err);
		/* newest first from the query: oldest first here */
		for (size_t i = 0; i < n / 2; i++) {
			struct audit_row tmp = r[i];
			r[i] = r[n - 1 - i];
			r[n - 1 - i] = tmp;
		}
	}
	cli_print_list(&list, r, n, sizeof *r, json);
	free(r);
	return CLI_EXIT_OK;
}
