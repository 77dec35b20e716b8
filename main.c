/* main.c — the hmx command line: global options, the verb table, and the
 * non-interactive verbs. With no verb it opens the TUI (tui/tui.h).
 * Output is text or JSON on stdout; errors are one line on stderr.
 * Exit codes: 0 ok, 1 blocking findings, 2 usage error, 3 runtime error. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/calendar.h"
#include "core/config.h"
#include "core/consent.h"
#include "core/json.h"
#include "core/cycle.h"
#include "core/demo.h"
#include "core/intake.h"
#include "core/mapping.h"
#include "core/match.h"
#include "core/match_build.h"
#include "core/match_import.h"
#include "core/merge.h"
#include "core/notice.h"
#include "core/reconcile.h"
#include "core/registry.h"
#include "core/report.h"
#include "core/review.h"
#include "core/reviewer.h"
#include "core/sftp.h"
#include "core/site.h"
#include "core/store.h"
#include "core/transfer.h"
#include "core/validate.h"
#include "core/validate_store.h"
#include "tui/tui.h"

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2, EXIT_RUNTIME = 3 };
enum { DB_NONE, DB_OPEN, DB_CREATE };

/* ---- arguments --------------------------------------------------------- */

#define MAX_POS 16
#define MAX_OPT 16

struct args {
	const char *pos[MAX_POS];
	int npos;
	struct { const char *name, *value; } opt[MAX_OPT];
	char names[MAX_OPT][48];
	int nopt;
};

struct globals {
	const char *db;
	bool readonly;
	struct tui_options tui;
};

struct verb {
	const char *name;     /* "cycle new" */
	const char *usage;    /* arguments after the name */
	const char *help;     /* one line */
	const char *options;  /* space-separated options taking a value, '!' suffix: flag */
	int min_pos, max_pos;
	int (*run)(struct globals *g, struct args *a);
	int db;               /* 0: no store, DB_OPEN: existing, DB_CREATE: create if missing */
};

static const char *progname = "hmx";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* Maps a core status to an exit code and prints its message. */
static int fail(const struct hmx_err *err)
{
	fprintf(stderr, "%s: %s\n", progname, err->msg[0] ? err->msg : hmx_rc_name(err->rc));
	switch (err->rc) {
	case HMX_OK:
		return EXIT_OK;
	case HMX_EINVAL:
	case HMX_ENOTFOUND:
	case HMX_EEXIST:
		return EXIT_USAGE;
	default:
		return EXIT_RUNTIME;
	}
}

static const char *opt(const struct args *a, const char *name)
{
	for (int i = a->nopt - 1; i >= 0; i--)
		if (strcmp(a->opt[i].name, name) == 0)
			return a->opt[i].value;
	return NULL;
}

static bool flag(const struct args *a, const char *name)
{
	return opt(a, name) != NULL;
}

/* Is "--name" declared in spec ("note format all!") and does it take a
 * value? Returns 0 unknown, 1 value, 2 flag. */
static int opt_kind(const char *spec, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = spec; p && *p;) {
		const char *e = strchr(p, ' ');
		size_t wl = e ? (size_t)(e - p) : strlen(p);
		bool is_flag = wl > 0 && p[wl - 1] == '!';
		size_t nl = is_flag ? wl - 1 : wl;

		if (nl == len && strncmp(p, name, len) == 0)
			return is_flag ? 2 : 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

static int parse_args(const struct verb *v, int argc, char **argv, struct args *a)
{
	bool only_pos = false;

	memset(a, 0, sizeof *a);
	for (int i = 0; i < argc; i++) {
		const char *s = argv[i];

		if (!only_pos && strcmp(s, "--") == 0) {
			only_pos = true;
		} else if (!only_pos && strcmp(s, "-o") == 0 && opt_kind(v->options, "output") == 1) {
			/* -o FILE: short for --output FILE */
			if (i + 1 >= argc)
				return usage_error("-o needs a value");
			if (a->nopt == MAX_OPT)
				return usage_error("too many options");
			a->opt[a->nopt].value = argv[++i];
			memcpy(a->names[a->nopt], "output", sizeof "output");
			a->opt[a->nopt].name = a->names[a->nopt];
			a->nopt++;
		} else if (!only_pos && strncmp(s, "--", 2) == 0) {
			char name[48];
			const char *eq = strchr(s, '=');
			size_t nl = eq ? (size_t)(eq - s - 2) : strlen(s + 2);
			int kind;

			if (nl >= sizeof name)
				return usage_error("unknown option %s (see 'hmx help %s')", s, v->name);
			memcpy(name, s + 2, nl);
			name[nl] = '\0';
			kind = opt_kind(v->options, name);
			if (!kind)
				return usage_error("unknown option --%s for '%s' (see 'hmx help %s')", name,
						   v->name, v->name);
			if (a->nopt == MAX_OPT)
				return usage_error("too many options");
			if (kind == 2) {
				if (eq)
					return usage_error("--%s takes no value", name);
				a->opt[a->nopt].value = "yes";
			} else if (eq) {
				a->opt[a->nopt].value = eq + 1;
			} else if (i + 1 < argc) {
				a->opt[a->nopt].value = argv[++i];
			} else {
				return usage_error("--%s needs a value", name);
			}
			memcpy(a->names[a->nopt], name, nl + 1);
			a->opt[a->nopt].name = a->names[a->nopt];
			a->nopt++;
		} else {
			if (a->npos == MAX_POS)
				return usage_error("too many arguments");
			a->pos[a->npos++] = s;
		}
	}
	if (a->npos < v->min_pos || a->npos > v->max_pos)
		return usage_error("usage: hmx %s %s", v->name, v->usage);
	return EXIT_OK;
}

/* --format text|json (default text); -1 on a bad value. */
static int want_json(const struct args *a)
{
	const char *f = opt(a, "format");

	if (!f || strcmp(f, "text") == 0)
		return 0;
	if (strcmp(f, "json") == 0)
		return 1;
	usage_error("bad --format \"%s\": use text or json", f);
	return -1;
}

/* ---- JSON output ------------------------------------------------------- */

static void json_kday(FILE *f, bool *first, const char *key, cal_day d)
{
	char buf[11];

	json_key(f, first, key);
	if (d == CAL_NO_DAY)
		fputs("null", f);
	else
		json_str(f, cal_format(d, buf));
}

/* ---- helpers ------------------------------------------------------------- */

static struct store *the_store;

static int open_store(struct globals *g, unsigned flags, struct hmx_err *err)
{
	char path[4096];

	if (g->db)
		hmx_strlcpy(path, g->db, sizeof path);
	else if (store_default_path(path, sizeof path, err) != HMX_OK)
		return fail(err);
	if (g->readonly)
		flags = (flags & ~(unsigned)STORE_CREATE) | STORE_READONLY;
	if (store_open(path, flags, &the_store, err) != HMX_OK)
		return fail(err);
	return EXIT_OK;
}

static void days_phrase(char *buf, size_t n, cal_day deadline, cal_day today, enum due_status ds)
{
	long d = (long)deadline - today;

	if (deadline == CAL_NO_DAY || ds == DUE_MET)
		snprintf(buf, n, "%s", ds == DUE_MET ? "met" : "-");
	else if (d < 0)
		snprintf(buf, n, "overdue %ld day%s", -d, d == -1 ? "" : "s");
	else if (d == 0)
		snprintf(buf, n, "due today");
	else
		snprintf(buf, n, "%ld day%s left", d, d == 1 ? "" : "s");
}

/* ---- verbs --------------------------------------------------------------- */

static int v_init(struct globals *g, struct args *a)
{
	(void)g;
	(void)a;
	printf("hmx workspace ready: %s (schema %d)\n", store_path(the_store), store_schema_version());
	return EXIT_OK;
}

static int v_demo(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	char dir[] = "/tmp/hmx-demo.XXXXXX", path[64];
	int rc;

	if (!g->db) {
		if (!mkdtemp(dir)) {
			fprintf(stderr, "%s: cannot create a demo directory in /tmp: %s\n", progname,
				strerror(errno));
			return EXIT_RUNTIME;
		}
		snprintf(path, sizeof path, "%s/hmx.db", dir);
		g->db = path;
	}
	if ((rc = open_store(g, STORE_CREATE, &err)) != EXIT_OK)
		return rc;
	if (demo_seed(the_store, cal_today(), &err) != HMX_OK)
		return fail(&err);
	if (flag(a, "seed-only")) {
		printf("demo workspace: %s\n", store_path(the_store));
		return EXIT_OK;
	}
	if (tui_run(the_store, &g->tui, &err) != HMX_OK)
		return fail(&err);
	printf("demo workspace kept at %s (delete it when done)\n", store_path(the_store));
	return EXIT_OK;
}

static int v_cycle_kinds(struct globals *g, struct args *a)
{
	const struct cycle_kind *k;
	struct hmx_err err = { 0 };
	size_t n;
	int json = want_json(a);

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	if (cycle_kinds(&k, &n, &err) != HMX_OK)
		return fail(&err);
	if (json)
		fputs("{\"kinds\":[", stdout);
	for (size_t i = 0; i < n; i++) {
		if (json) {
			bool first = true;
			fputs(i ? ",{" : "{", stdout);
			json_kv(stdout, &first, "id", k[i].id);
			json_kv(stdout, &first, "title", k[i].title);
			json_kv(stdout, &first, "periods", k[i].periods);
			json_kv(stdout, &first, "source", k[i].source);
			fputs("}", stdout);
		} else {
			printf("%-14s %-40s %-16s %s\n", k[i].id, k[i].title, k[i].periods, k[i].source);
		}
	}
	if (json)
		fputs("]}\n", stdout);
	return EXIT_OK;
}

static int v_cycle_new(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	char code[64];

	(void)g;
	if (cycle_new(the_store, a->pos[0], a->pos[1], code, &err) != HMX_OK)
		return fail(&err);
	printf("%s\n", code);
	return EXIT_OK;
}

static int v_cycle_list(struct globals *g, struct args *a)
{
	struct cycle_info *c;
	struct hmx_err err = { 0 };
	cal_day today = cal_today();
	char d1[11], d2[11], d3[11], left[32];
	size_t n;
	int json = want_json(a);

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	if (cycle_list(the_store, flag(a, "all"), today, &c, &n, &err) != HMX_OK)
		return fail(&err);
	if (json) {
		fputs("{", stdout);
		bool first = true;
		json_kday(stdout, &first, "today", today);
		fputs(",\"cycles\":[", stdout);
	} else if (n == 0) {
		printf("no open cycles (create one with 'hmx cycle new KIND PERIOD')\n");
	} else {
		printf("%-24s %-8s %-10s %-10s %-6s %-28s %-10s %s\n", "CYCLE", "PERIOD", "START", "END",
		       "DONE", "NEXT STEP", "DEADLINE", "STATUS");
	}
	for (size_t i = 0; i < n; i++) {
		days_phrase(left, sizeof left, c[i].due, today, c[i].due_status);
		if (json) {
			bool first = true;
			fputs(i ? ",{" : "{", stdout);
			json_kv(stdout, &first, "code", c[i].code);
			json_kv(stdout, &first, "kind", c[i].kind);
			json_kv(stdout, &first, "title", c[i].kind_title);
			json_kv(stdout, &first, "period", c[i].period);
			json_kday(stdout, &first, "start", c[i].start);
			json_kday(stdout, &first, "end", c[i].end);
			json_ki(stdout, &first, "steps", c[i].n_steps);
			json_ki(stdout, &first, "closed", c[i].n_closed);
			json_kv(stdout, &first, "next_step", c[i].next_code);
			json_kday(stdout, &first, "next_deadline", c[i].next_deadline);
			json_kday(stdout, &first, "due", c[i].due);
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
	return EXIT_OK;
}

static int v_step_list(struct globals *g, struct args *a)
{
	struct step_info *s;
	struct hmx_err err = { 0 };
	cal_day today = cal_today();
	int soon = config_get_int(the_store, "due_soon_days");
	char d[11], left[32];
	size_t n;
	int json = want_json(a);

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	if (step_list(the_store, a->pos[0], &s, &n, &err) != HMX_OK)
		return fail(&err);
	if (json) {
		bool first = true;
		fputs("{", stdout);
		json_kv(stdout, &first, "cycle", a->pos[0]);
		json_kday(stdout, &first, "today", today);
		fputs(",\"steps\":[", stdout);
	} else {
		printf("%-34s %-12s %-10s %-16s %-15s %s\n", "STEP", "STATE", "DEADLINE", "STATUS", "WHO",
		       "TITLE");
	}
	for (size_t i = 0; i < n; i++) {
		enum due_status ds = cycle_due(s[i].deadline, s[i].state, today, soon);

		days_phrase(left, sizeof left, s[i].deadline, today, ds);
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
			json_kday(stdout, &first, "deadline", s[i].deadline);
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
	return EXIT_OK;
}

static int v_step_set(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	enum step_state st;

	(void)g;
	if (!step_state_parse(a->pos[2], &st))
		return usage_error("bad state \"%s\": use todo, in-progress, done, skipped or blocked",
				   a->pos[2]);
	if (step_set(the_store, a->pos[0], a->pos[1], st, opt(a, "note"), &err) != HMX_OK)
		return fail(&err);
	printf("%s/%s: %s\n", a->pos[0], a->pos[1], step_state_name(st));
	return EXIT_OK;
}

static int v_step_undo(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct step_info si;

	(void)g;
	if (step_undo(the_store, a->pos[0], a->pos[1], &err) != HMX_OK ||
	    step_get(the_store, a->pos[0], a->pos[1], &si, &err) != HMX_OK)
		return fail(&err);
	printf("%s/%s: back to %s\n", a->pos[0], a->pos[1], step_state_name(si.state));
	return EXIT_OK;
}

static int v_step_history(struct globals *g, struct args *a)
{
	struct step_change *c;
	struct hmx_err err = { 0 };
	size_t n;
	int json = want_json(a);

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	if (step_history(the_store, a->pos[0], a->pos[1], &c, &n, &err) != HMX_OK)
		return fail(&err);
	if (json)
		fputs("{\"changes\":[", stdout);
	for (size_t i = 0; i < n; i++) {
		if (json) {
			bool first = true;
			fputs(i ? ",{" : "{", stdout);
			json_kv(stdout, &first, "at", c[i].at);
			json_kv(stdout, &first, "who", c[i].who);
			json_kv(stdout, &first, "from", step_state_name(c[i].from));
			json_kv(stdout, &first, "to", step_state_name(c[i].to));
			json_kv(stdout, &first, "note", c[i].note);
			fprintf(stdout, ",\"undo\":%s}", c[i].is_undo ? "true" : "false");
		} else {
			printf("%s  %-12s %-11s -> %-11s %s%s\n", c[i].at, c[i].who,
			       step_state_name(c[i].from), step_state_name(c[i].to),
			       c[i].is_undo ? "(undo) " : "", c[i].note);
		}
	}
	if (json)
		fputs("]}\n", stdout);
	else if (n == 0)
		printf("no changes yet\n");
	free(c);
	return EXIT_OK;
}

static int v_project_list(struct globals *g, struct args *a)
{
	struct reg_project *p;
	struct hmx_err err = { 0 };
	enum reg_source src;
	const char *sf = opt(a, "source");
	size_t n;
	int json = want_json(a);

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	if (sf && !reg_source_parse(sf, &src))
		return usage_error("bad --source \"%s\": use hmis, rdc-direct or outside-agency", sf);
	if (reg_project_list(the_store, sf ? &src : NULL, &p, &n, &err) != HMX_OK)
		return fail(&err);
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
	return EXIT_OK;
}

static int v_project_add(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	enum reg_source src;
	const char *name = opt(a, "name"), *agency = opt(a, "agency"), *sf = opt(a, "source");

	(void)g;
	if (!name || !agency || !sf)
		return usage_error("usage: hmx project add CODE --name NAME --agency AGENCY --source "
				   "hmis|rdc-direct|outside-agency [--hud-id ID]");
	if (!reg_source_parse(sf, &src))
		return usage_error("bad --source \"%s\": use hmis, rdc-direct or outside-agency", sf);
	if (reg_project_add(the_store, a->pos[0], name, agency, src, opt(a, "hud-id"), &err) != HMX_OK)
		return fail(&err);
	printf("project %s added\n", a->pos[0]);
	return EXIT_OK;
}

static int v_project_set(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };

	(void)g;
	if (reg_project_set(the_store, a->pos[0], a->pos[1], a->pos[2], &err) != HMX_OK)
		return fail(&err);
	printf("project %s: %s = %s\n", a->pos[0], a->pos[1], a->pos[2]);
	return EXIT_OK;
}

static int v_agency_add(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };

	(void)g;
	if (reg_agency_add(the_store, a->pos[0], a->pos[1], &err) != HMX_OK)
		return fail(&err);
	printf("agency %s added\n", a->pos[0]);
	return EXIT_OK;
}

static int v_agency_list(struct globals *g, struct args *a)
{
	struct reg_agency *ag;
	struct hmx_err err = { 0 };
	size_t n;
	int json = want_json(a);

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	if (reg_agency_list(the_store, &ag, &n, &err) != HMX_OK)
		return fail(&err);
	if (json)
		fputs("{\"agencies\":[", stdout);
	for (size_t i = 0; i < n; i++) {
		if (json) {
			bool first = true;
			fputs(i ? ",{" : "{", stdout);
			json_kv(stdout, &first, "code", ag[i].code);
			json_kv(stdout, &first, "name", ag[i].name);
			fputs("}", stdout);
		} else {
			printf("%-10s %s\n", ag[i].code, ag[i].name);
		}
	}
	if (json)
		fputs("]}\n", stdout);
	free(ag);
	return EXIT_OK;
}

static int v_config_get(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	const char *name, *def, *help;
	char val[256];

	(void)g;
	if (a->npos == 1) {
		if (config_get(the_store, a->pos[0], val, sizeof val, &err) != HMX_OK)
			return fail(&err);
		printf("%s\n", val);
		return EXIT_OK;
	}
	for (size_t i = 0; config_key(i, &name, &def, &help); i++) {
		if (config_get(the_store, name, val, sizeof val, &err) != HMX_OK)
			return fail(&err);
		printf("%-24s = %-32s # %s\n", name, val, help);
	}
	return EXIT_OK;
}

static int v_config_set(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };

	(void)g;
	if (config_set(the_store, a->pos[0], a->pos[1], &err) != HMX_OK)
		return fail(&err);
	printf("%s = %s\n", a->pos[0], a->pos[1]);
	return EXIT_OK;
}

static int v_audit(struct globals *g, struct args *a)
{
	struct audit_row *r;
	struct hmx_err err = { 0 };
	const char *lim = opt(a, "limit");
	long limit = 0;
	size_t n;
	int json = want_json(a);

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	if (lim) {
		char *end;
		limit = strtol(lim, &end, 10);
		if (*end || limit < 0)
			return usage_error("bad --limit \"%s\": use a whole number", lim);
	}
	{
		struct audit_filter f = { opt(a, "cycle"), opt(a, "project"), opt(a, "who"),
					  opt(a, "action"), opt(a, "from"), opt(a, "to"), NULL };

		if (audit_query(the_store, &f, (size_t)limit, &r, &n, &err) != HMX_OK)
			return fail(&err);
		/* newest first from the query: oldest first here */
		for (size_t i = 0; i < n / 2; i++) {
			struct audit_row tmp = r[i];
			r[i] = r[n - 1 - i];
			r[n - 1 - i] = tmp;
		}
	}
	if (json)
		fputs("{\"audit\":[", stdout);
	for (size_t i = 0; i < n; i++) {
		if (json) {
			bool first = true;
			fputs(i ? ",{" : "{", stdout);
			json_ki(stdout, &first, "id", r[i].id);
			json_kv(stdout, &first, "at", r[i].at);
			json_kv(stdout, &first, "who", r[i].who);
			json_kv(stdout, &first, "action", r[i].action);
			json_kv(stdout, &first, "object", r[i].object);
			json_kv(stdout, &first, "before", r[i].before);
			json_kv(stdout, &first, "after", r[i].after);
			fputs("}", stdout);
		} else {
			printf("%s  %-10s %-14s %-40s %s -> %s\n", r[i].at, r[i].who, r[i].action,
			       r[i].object, r[i].before[0] ? r[i].before : "-", r[i].after[0] ? r[i].after : "-");
		}
	}
	if (json)
		fputs("]}\n", stdout);
	free(r);
	return EXIT_OK;
}

/* ---- validate ------------------------------------------------------------ */

static void cli_log(void *ctx, enum hmx_log_level level, const char *msg);

/* Where findings go: the report, and the database with --cycle. */
struct vcli {
	struct report *rep;
	struct vstore *vs;
	struct reg_project *rdc;  /* rdc-direct projects (X03), with --cycle */
	const char **rdc_ids;     /* their HUD ProjectIDs, into rdc */
};

/* X03 needs the HUD ProjectIDs of the registry's rdc-direct projects. */
static enum hmx_rc vcli_load_rdc(struct vcli *c, struct validate_opts *vo, struct hmx_err *err)
{
	enum reg_source rd = REG_SRC_RDC_DIRECT;
	size_t np = 0;
	enum hmx_rc rc = reg_project_list(the_store, &rd, &c->rdc, &np, err);

	if (rc != HMX_OK)
		return rc;
	if (!(c->rdc_ids = calloc(np + 1, sizeof *c->rdc_ids)))
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	for (size_t i = 0; i < np; i++)
		if (c->rdc[i].hud_project_id[0])
			c->rdc_ids[vo->n_rdc_direct++] = c->rdc[i].hud_project_id;
	vo->rdc_direct = c->rdc_ids;
	return HMX_OK;
}

static void vcli_free(struct vcli *c)
{
	free(c->rdc);
	free(c->rdc_ids);
	c->rdc = NULL;
	c->rdc_ids = NULL;
}

static int vcli_finding(void *ctx, const struct validate_finding *f)
{
	struct vcli *c = ctx;

	if (report_finding(c->rep, f))
		return 1;
	return c->vs ? vstore_finding(c->vs, f) : 0;
}

static void vcli_summary(void *ctx, const struct validate_result *res)
{
	report_summary(((struct vcli *)ctx)->rep, res);
}

/* The progress bar on stderr: file, MB done of the total, MB/s, ETA. */
struct pbar {
	double t0, last;
	bool shown;
};

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pbar_progress(void *ctx, const char *what, uint64_t done, uint64_t total)
{
	struct pbar *pb = ctx;
	double now = mono_now(), el = now - pb->t0, rate, mb = (double)done / 1e6;
	char bar[21];
	int fill, eta;

	if (now - pb->last < 0.1)
		return;
	pb->last = now;
	pb->shown = true;
	rate = el > 0 ? mb / el : 0;
	if (total < done)
		total = done;
	fill = total ? (int)(20.0 * (double)done / (double)total) : 0;
	for (int i = 0; i < 20; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[20] = '\0';
	eta = rate > 0 ? (int)(((double)(total - done) / 1e6) / rate + 0.5) : 0;
	fprintf(stderr, "\r[%s] %-26.26s %8.1f/%.1f MB %7.1f MB/s ETA %d:%02d ", bar,
		what ? what : "", mb, (double)total / 1e6, rate, eta / 60, eta % 60);
	fflush(stderr);
}

/* In a cycle that reviews its demo-site export (import), what is validated
 * is that export: the run goes to the review (core/review.h). */
static void review_after_validate(const char *cycle, int64_t run)
{
	struct hmx_err err = { 0 };
	struct cycle_info ci;
	struct review_sync_result r;

	if (cycle_get(the_store, cycle, cal_today(), &ci, &err) != HMX_OK ||
	    !review_cycle_reviews(ci.kind))
		return;
	if (review_sync(the_store, cycle, run, &r, &err) != HMX_OK) {
		fprintf(stderr, "%s: warning: the review of %s was not updated: %s\n", progname, cycle,
			err.msg);
		return;
	}
	fprintf(stderr, "%s: review of %s: %lld new, %lld still found, %lld reopened, %lld resolved\n",
		progname, cycle, (long long)r.opened, (long long)r.persisted, (long long)r.reopened,
		(long long)r.resolved);
}

static int v_validate(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct validate_opts vo;
	struct validate_result res;
	struct report_opts ro = { REPORT_TEXT, 5, a->pos[0] };
	struct vcli c = { 0 };
	struct pbar pb = { 0, 0, false };
	const char *fmt = opt(a, "format"), *spec = opt(a, "spec"), *cycle = opt(a, "cycle");
	const char *mx = opt(a, "max-examples"), *outp = opt(a, "output"), *th = opt(a, "threads");
	char tmp[4200] = "";
	struct stat outst;
	FILE *out = stdout;
	enum hmx_rc rc;
	int exit_rc;

	validate_opts_default(&vo);
	if (fmt && !report_format_parse(fmt, &ro.format))
		return usage_error("bad --format \"%s\": use text, csv or json", fmt);
	if (spec && (vo.spec = spec_version_from_name(spec)) == SPEC_UNKNOWN)
		return usage_error("bad --spec \"%s\": use FY2024 or FY2026", spec);
	if (mx) {
		char *end;
		long n = strtol(mx, &end, 10);
		if (*end || end == mx || n < 0 || n > 1000)
			return usage_error("bad --max-examples \"%s\": use a number from 0 to 1000", mx);
		ro.max_examples = (size_t)n;
	}
	if (th) {
		char *end;
		long n = strtol(th, &end, 10);
		if (*end || end == th || n < 1 || n > 64)
			return usage_error("bad --threads \"%s\": use a number from 1 to 64", th);
		vo.threads = (unsigned)n;
	}
	{
		/* the policy's limits: Q24 timeliness and Q25 inactivity */
		static const struct { const char *name; long lo, hi; } lim[] = {
			{ "timeliness-days", 0, 365 }, { "inactive-days", 1, 3650 },
		};
		for (size_t i = 0; i < 2; i++) {
			const char *v = opt(a, lim[i].name);
			char *end;
			long n;

			if (!v)
				continue;
			n = strtol(v, &end, 10);
			if (*end || end == v || n < lim[i].lo || n > lim[i].hi)
				return usage_error("bad --%s \"%s\": use a number from %ld to %ld",
						   lim[i].name, v, lim[i].lo, lim[i].hi);
			if (i == 0)
				vo.timeliness_days = (unsigned)n;
			else
				vo.inactive_days = (unsigned)n;
		}
	}
	if (cycle) {
		int r = open_store(g, 0, &err);
		if (r != EXIT_OK)
			return r;
		if (vstore_begin(the_store, cycle, a->pos[0], &c.vs, &err) != HMX_OK)
			return fail(&err);
	}
	if (outp && stat(outp, &outst) == 0 && !S_ISREG(outst.st_mode)) {
		/* a device or pipe (e.g. /dev/stdout): write to it directly; a
		 * rename would replace it with a regular file */
		if (!(out = fopen(outp, "w"))) {
			fprintf(stderr, "%s: cannot write %s: %s\n", progname, outp, strerror(errno));
			vstore_abort(&c.vs, "cannot write the report");
			return EXIT_RUNTIME;
		}
	} else if (outp) {
		int fd;
		if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", outp) >= sizeof tmp) {
			vstore_abort(&c.vs, "bad --output");
			return usage_error("--output path too long");
		}
		fd = mkstemp(tmp);
		if (fd < 0 || !(out = fdopen(fd, "w"))) {
			fprintf(stderr, "%s: cannot write %s: %s\n", progname, outp, strerror(errno));
			if (fd >= 0) {
				close(fd);
				unlink(tmp);
			}
			vstore_abort(&c.vs, "cannot write the report");
			return EXIT_RUNTIME;
		}
	}
	if (report_open(out, &ro, &c.rep, &err) != HMX_OK) {
		vstore_abort(&c.vs, "out of memory");
		if (outp) {
			fclose(out);
			if (tmp[0])
				unlink(tmp);
		}
		return fail(&err);
	}
	if (isatty(STDERR_FILENO) && !flag(a, "quiet")) {
		struct hmx_hooks hooks = { .log = cli_log, .progress = pbar_progress, .ctx = &pb };
		pb.t0 = pb.last = mono_now();
		hmx_hooks_install(&hooks);
	}
	vo.on_summary = vcli_summary;
	if (c.vs && (rc = vcli_load_rdc(&c, &vo, &err)) != HMX_OK)
		memset(&res, 0, sizeof res);
	else
		rc = validate_run(a->pos[0], &vo, vcli_finding, &c, &res, &err);
	vcli_free(&c);
	if (pb.shown)
		fputs("\r\033[K", stderr);
	{
		struct hmx_hooks hooks = { .log = cli_log };
		hmx_hooks_install(&hooks);
	}
	if (rc == HMX_OK) {
		rc = report_close(&c.rep, &res, &err);
	} else {
		struct hmx_err e2;
		report_close(&c.rep, NULL, &e2);
	}
	if (c.vs) {
		int64_t run = vstore_run_id(c.vs);

		if (rc == HMX_OK)
			rc = vstore_finish(&c.vs, &res, &err);
		else
			vstore_abort(&c.vs, err.msg);
		if (rc == HMX_OK && !res.unreadable)
			review_after_validate(cycle, run);
	}
	if (outp && !tmp[0]) {
		if (fclose(out) != 0 && rc == HMX_OK)
			rc = hmx_err_set(&err, HMX_EIO, "cannot write %s: %s", outp, strerror(errno));
	} else if (outp) {
		bool ok = rc == HMX_OK && fflush(out) == 0 && fsync(fileno(out)) == 0;
		if (fclose(out) != 0)
			ok = false;
		if (ok && rename(tmp, outp) != 0) {
			hmx_err_set(&err, HMX_EIO, "cannot write %s: %s", outp, strerror(errno));
			rc = HMX_EIO;
		}
		if (!ok || rc != HMX_OK)
			unlink(tmp);
		if (!ok && rc == HMX_OK)
			rc = hmx_err_set(&err, HMX_EIO, "cannot write %s: %s", outp, strerror(errno));
	}
	if (rc != HMX_OK) {
		validate_result_free(&res);
		fprintf(stderr, "%s: %s\n", progname, err.msg[0] ? err.msg : hmx_rc_name(rc));
		return EXIT_RUNTIME;
	}
	if (res.unreadable) {
		fprintf(stderr, "%s: %s: cannot be read: not a folder of CSV files nor a readable zip "
			"archive (P01)\n", progname, a->pos[0]);
		exit_rc = EXIT_RUNTIME;
	} else {
		exit_rc = validate_blocking(&res) ? EXIT_FINDINGS : EXIT_OK;
	}
	validate_result_free(&res);
	return exit_rc;
}

/* ---- intake, files, map (core/intake.h, core/mapping.h) ------------------ */

/* One file (intake) as a JSON object, without the closing brace. */
static void json_intake(FILE *f, const struct intake_info *in)
{
	bool first = true;
	char path[4200];
	struct hmx_err err;

	fputc('{', f);
	json_kv(f, &first, "file", in->sha256);
	json_kv(f, &first, "cycle", in->cycle);
	json_kv(f, &first, "source", in->source);
	json_kday(f, &first, "received", in->received);
	json_kv(f, &first, "at", in->at);
	json_kv(f, &first, "by", in->who);
	json_ki(f, &first, "size", (long long)in->size);
	json_kb(f, &first, "packed", in->packed);
	if (intake_blob_path(the_store, in->sha256, path, sizeof path, &err) == HMX_OK)
		json_kv(f, &first, "path", path);
	fputs(",\"export\":{", f);
	first = true;
	json_kv(f, &first, "export_id", in->export_id);
	json_kv(f, &first, "source_name", in->source_name);
	json_kv(f, &first, "software", in->software);
	json_kv(f, &first, "csv_version", in->csv_version);
	json_kv(f, &first, "export_date", in->export_date);
	json_kv(f, &first, "start", in->export_start);
	json_kv(f, &first, "end", in->export_end);
	fputs(",\"hash_status\":", f);
	if (in->hash_status < 0)
		fputs("null", f);
	else
		fprintf(f, "%d", in->hash_status);
	fputs("},\"counts\":{", f);
	first = true;
	json_ki(f, &first, "projects", (long long)in->projects);
	json_ki(f, &first, "enrollments", (long long)in->enrollments);
	json_ki(f, &first, "clients", (long long)in->clients);
	json_ki(f, &first, "exits", (long long)in->exits);
	json_kb(f, &first, "complete", in->counts_complete);
	fputs("},\"findings\":[", f);
	for (size_t i = 0; i < in->nfindings; i++) {
		first = true;
		fputs(i ? ",{" : "{", f);
		json_kv(f, &first, "check", in->findings[i].check);
		json_kv(f, &first, "severity", in->findings[i].severity);
		json_kv(f, &first, "category", in->findings[i].category);
		json_kv(f, &first, "detail", in->findings[i].detail);
		fputc('}', f);
	}
	fputs("],\"validation\":", f);
	if (!in->validated) {
		fputs("null", f);
	} else {
		first = true;
		fputc('{', f);
		json_ki(f, &first, "run", in->validation_run);
		json_ki(f, &first, "blocking", (long long)in->n_blocking);
		json_ki(f, &first, "errors", (long long)in->n_error);
		json_ki(f, &first, "warnings", (long long)in->n_warning);
		fputc('}', f);
	}
}

static void print_validation(const struct intake_info *in)
{
	if (in->validated)
		printf("  validation: %llu blocking, %llu errors, %llu warnings (run %lld; see 'hmx "
		       "validate')\n", (unsigned long long)in->n_blocking, (unsigned long long)in->n_error,
		       (unsigned long long)in->n_warning, (long long)in->validation_run);
	else
		printf("  validation: not run\n");
	if (in->validated && strcmp(in->source, "demo") == 0) {
		struct review_filter f;
		struct review_item *it = NULL;
		struct hmx_err err = { 0 };
		size_t n = 0;

		review_filter_init(&f);
		f.pending = true;
		if (review_list(the_store, in->cycle, &f, &it, &n, &err) == HMX_OK)
			printf("  review: %zu finding%s pending (see 'hmx findings %s --pending')\n", n,
			       n == 1 ? "" : "s", in->cycle);
		free(it);
	}
}

/* The text summary of a newly intaken file (hmx intake, hmx pull --cycle). */
static void print_intake_new(const struct intake_info *in)
{
	char d[11], size[32];

	hmx_human_size(size, sizeof size, in->size);
	printf("intake %.12s into %s: %s, %llu project%s, %llu enrollment%s, %llu client%s, "
	       "%llu exit%s%s\n", in->sha256, in->cycle,
	       in->new_file ? "new file" : "file already stored", (unsigned long long)in->projects,
	       in->projects == 1 ? "" : "s", (unsigned long long)in->enrollments,
	       in->enrollments == 1 ? "" : "s", (unsigned long long)in->clients,
	       in->clients == 1 ? "" : "s", (unsigned long long)in->exits, in->exits == 1 ? "" : "s",
	       in->counts_complete ? "" : " (counts incomplete)");
	printf("  source %s, received %s, %s%s, ExportID %s, CSV %s, export %s..%s\n", in->source,
	       cal_format(in->received, d), size, in->packed ? " (folder zipped)" : "",
	       in->export_id, in->csv_version[0] ? in->csv_version : "?",
	       in->export_start[0] ? in->export_start : "?", in->export_end[0] ? in->export_end : "?");
	for (size_t i = 0; i < in->nfindings; i++)
		printf("  %s %s: %s\n", in->findings[i].check, in->findings[i].severity,
		       in->findings[i].detail);
	print_validation(in);
}

static int v_intake(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct intake_opts o = { opt(a, "source"), CAL_NO_DAY, flag(a, "no-validate") };
	struct intake_info in;
	const char *rcv = opt(a, "received");
	char size[32];
	int json = want_json(a);

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	if (rcv && !cal_parse_date(rcv, &o.received))
		return usage_error("bad --received \"%s\": use YYYY-MM-DD", rcv);
	if (o.source && !intake_source_valid(o.source))
		return usage_error("bad --source \"%s\": use hmis, rdc or agency:CODE", o.source);
	/* a write past a file-size limit fails (EFBIG) instead of killing hmx */
	signal(SIGXFSZ, SIG_IGN);
	if (intake_add(the_store, a->pos[0], a->pos[1], &o, &in, &err) != HMX_OK)
		return fail(&err);
	if (json) {
		json_intake(stdout, &in);
		printf(",\"already\":%s,\"new_file\":%s}\n", in.already ? "true" : "false",
		       in.new_file ? "true" : "false");
	} else if (in.already) {
		printf("file %.12s is already in %s (received %s from %s, recorded %s by %s): "
		       "nothing changed\n", in.sha256, in.cycle, cal_format(in.received, size),
		       in.source, in.at, in.who);
	} else {
		print_intake_new(&in);
		printf("  next: hmx map %s\n", in.cycle);
	}
	return in.validated && in.n_blocking ? EXIT_FINDINGS : EXIT_OK;
}

static int v_files(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct intake_info *in;
	size_t n;
	int json = want_json(a);

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	if (intake_list(the_store, a->pos[0], &in, &n, &err) != HMX_OK)
		return fail(&err);
	if (json) {
		printf("{\"cycle\":");
		json_str(stdout, a->pos[0]);
		printf(",\"files\":[");
	} else if (n == 0) {
		printf("no files in %s yet (add one with 'hmx intake %s PATH')\n", a->pos[0], a->pos[0]);
	} else {
		printf("%-12s  %-14s %-10s %10s  %-21s %8s %8s  %-8s %s\n", "FILE", "SOURCE", "RECEIVED",
		       "SIZE", "EXPORT PERIOD", "PROJECTS", "ENROLL", "FINDINGS", "VALIDATION");
	}
	for (size_t i = 0; i < n; i++) {
		if (json) {
			if (i)
				fputc(',', stdout);
			json_intake(stdout, &in[i]);
			fputc('}', stdout);
		} else {
			char size[32], d[11], period[32], fl[32] = "", val[48];

			hmx_human_size(size, sizeof size, in[i].size);
			snprintf(period, sizeof period, "%.10s..%.10s", in[i].export_start, in[i].export_end);
			for (size_t k = 0; k < in[i].nfindings; k++)
				snprintf(fl + strlen(fl), sizeof fl - strlen(fl), "%s%s", k ? "," : "",
					 in[i].findings[k].check);
			if (in[i].validated)
				snprintf(val, sizeof val, "%llu blocking, %llu errors",
					 (unsigned long long)in[i].n_blocking, (unsigned long long)in[i].n_error);
			else
				snprintf(val, sizeof val, "not run");
			printf("%-12.12s  %-14s %-10s %10s  %-21s %8llu %8llu  %-8s %s\n", in[i].sha256,
			       in[i].source, cal_format(in[i].received, d), size, period,
			       (unsigned long long)in[i].projects, (unsigned long long)in[i].enrollments,
			       fl[0] ? fl : "-", val);
		}
	}
	if (json)
		printf("]}\n");
	free(in);
	return EXIT_OK;
}

static void print_ticks(const struct map_tick *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("  step %s: %s -> %s (%s)\n", t[i].step, step_state_name(t[i].from),
		       step_state_name(t[i].to), t[i].note);
}

/* "hac-cataumet (alias)", "? hac-cataumet (name 80)", "not ours: ...". */
static void map_cell(char *buf, size_t n, const struct map_row *r)
{
	const struct map_proposal *p = &r->proposal;

	if (r->state == MAP_MAPPED)
		snprintf(buf, n, "%s%s", r->project, r->project_active ? "" : " (inactive)");
	else if (r->state == MAP_NOT_OURS)
		snprintf(buf, n, "not ours: %s", r->reason);
	else if (p->via == MAP_VIA_NONE)
		snprintf(buf, n, "-");
	else if (p->not_ours)
		snprintf(buf, n, "? not ours (alias: %s)", p->reason);
	else if (p->via == MAP_VIA_NAME)
		snprintf(buf, n, "? %s (name %d)", p->project, p->score);
	else
		snprintf(buf, n, "? %s (%s%s)", p->project, mapping_via_name(p->via),
			 p->inactive ? ", inactive" : "");
}

static void map_print_json(const struct map_view *v)
{
	bool first = true;

	fputc('{', stdout);
	json_kv(stdout, &first, "cycle", v->cycle);
	json_kv(stdout, &first, "kind", v->kind);
	json_ki(stdout, &first, "unmapped", (long long)v->n_unmapped);
	fputs(",\"files\":[", stdout);
	for (size_t i = 0; i < v->nfiles; i++) {
		size_t und = 0, tot = 0;

		for (size_t j = 0; j < v->nrows; j++)
			if (v->rows[j].file == i) {
				tot++;
				und += v->rows[j].state == MAP_UNMAPPED;
			}
		if (i)
			fputc(',', stdout);
		json_intake(stdout, &v->files[i]);
		first = false;
		json_kv(stdout, &first, "status", und == 0 ? "mapped" : und == tot ? "unmapped" : "partial");
		fputs(",\"projects\":[", stdout);
		for (size_t j = 0, k = 0; j < v->nrows; j++) {
			const struct map_row *r = &v->rows[j];

			if (r->file != i)
				continue;
			first = true;
			fputs(k++ ? ",{" : "{", stdout);
			json_kv(stdout, &first, "source_project_id", r->src_id);
			json_kv(stdout, &first, "name", r->name);
			json_ki(stdout, &first, "enrollments", (long long)r->enrollments);
			json_ki(stdout, &first, "clients", (long long)r->clients);
			json_ki(stdout, &first, "exits", (long long)r->exits);
			json_kv(stdout, &first, "state", mapping_state_name(r->state));
			json_kv(stdout, &first, "project", r->project);
			json_kv(stdout, &first, "reason", r->reason);
			json_kb(stdout, &first, "duplicate_ok", r->duplicate_ok);
			json_kv(stdout, &first, "decided_via", mapping_via_name(r->decided_via));
			json_kv(stdout, &first, "decided_at", r->decided_at);
			json_kv(stdout, &first, "decided_by", r->decided_by);
			fputs(",\"proposal\":{", stdout);
			first = true;
			json_kv(stdout, &first, "via", mapping_via_name(r->proposal.via));
			json_kv(stdout, &first, "project", r->proposal.project);
			json_ki(stdout, &first, "score", r->proposal.score);
			json_kb(stdout, &first, "not_ours", r->proposal.not_ours);
			json_kv(stdout, &first, "reason", r->proposal.reason);
			json_kb(stdout, &first, "inactive", r->proposal.inactive);
			fputs("}}", stdout);
		}
		fputs("]}", stdout);
	}
	fputs("],\"flags\":[", stdout);
	for (size_t i = 0; i < v->nflags; i++) {
		const struct map_flag *f = &v->flags[i];

		first = true;
		fputs(i ? ",{" : "{", stdout);
		json_kv(stdout, &first, "check", f->check);
		json_kv(stdout, &first, "severity", f->severity);
		json_kv(stdout, &first, "file", f->file >= 0 ? v->files[f->file].sha256 : "");
		json_kv(stdout, &first, "source_project_id", f->src_id);
		json_kv(stdout, &first, "project", f->project);
		json_kv(stdout, &first, "detail", f->detail);
		fputc('}', stdout);
	}
	fputs("]}\n", stdout);
}

static void map_print_text(const struct map_view *v)
{
	printf("%s (%s): %zu file%s, %zu project%s without a decision\n", v->cycle, v->kind, v->nfiles,
	       v->nfiles == 1 ? "" : "s", v->n_unmapped, v->n_unmapped == 1 ? "" : "s");
	if (v->nfiles == 0)
		printf("no files yet (add one with 'hmx intake %s PATH')\n", v->cycle);
	for (size_t i = 0; i < v->nfiles; i++) {
		const struct intake_info *in = &v->files[i];
		char size[32], d[11];
		size_t und = 0, tot = 0;

		for (size_t j = 0; j < v->nrows; j++)
			if (v->rows[j].file == i) {
				tot++;
				und += v->rows[j].state == MAP_UNMAPPED;
			}
		hmx_human_size(size, sizeof size, in->size);
		printf("\nfile %.12s  %s, received %s, %s, ExportID %s, export %.10s..%.10s: %s\n",
		       in->sha256, in->source, cal_format(in->received, d), size, in->export_id,
		       in->export_start, in->export_end,
		       und == 0 ? "mapped" : und == tot ? "unmapped" : "partly mapped");
		printf("  %-12s %-34s %7s  %-9s %s\n", "PROJECTID", "NAME", "ENROLL", "STATE",
		       "PROJECT / PROPOSAL");
		for (size_t j = 0; j < v->nrows; j++) {
			const struct map_row *r = &v->rows[j];
			char cell[320];

			if (r->file != i)
				continue;
			map_cell(cell, sizeof cell, r);
			printf("  %-12s %-34.34s %7llu  %-9s %s\n", r->src_id, r->name,
			       (unsigned long long)r->enrollments, mapping_state_name(r->state), cell);
		}
	}
	if (v->nflags)
		printf("\nflags:\n");
	for (size_t i = 0; i < v->nflags; i++) {
		const struct map_flag *f = &v->flags[i];
		char what[128];

		if (f->file >= 0 && f->src_id[0])
			snprintf(what, sizeof what, "file %.12s ProjectID=%s", v->files[f->file].sha256,
				 f->src_id);
		else if (f->file >= 0)
			snprintf(what, sizeof what, "file %.12s", v->files[f->file].sha256);
		else
			snprintf(what, sizeof what, "project %s", f->project);
		printf("  %-8s %-8s %s: %s\n", f->check, f->severity, what, f->detail);
	}
}

static int v_map(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct map_tick *ticks = NULL;
	size_t nticks = 0;
	const char *cycle = a->pos[0], *file = a->npos > 1 ? a->pos[1] : NULL;
	const char *src = a->npos > 2 ? a->pos[2] : NULL, *project = a->npos > 3 ? a->pos[3] : NULL;
	const char *not_ours = opt(a, "not-ours"), *create = opt(a, "create");
	bool accept = flag(a, "accept"), clear = flag(a, "clear");
	unsigned flags = flag(a, "allow-duplicate") ? MAP_ALLOW_DUPLICATE : 0;
	int json = want_json(a), actions;
	enum hmx_rc rc;

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	actions = (project != NULL) + (not_ours != NULL) + (create != NULL) + accept + clear;
	if (actions > 1)
		return usage_error("give one of PROJECT, --not-ours, --create, --clear or --accept");
	if (!accept && ((file && !src) || (src && actions == 0)))
		return usage_error("usage: hmx map CYCLE FILE PROJECTID PROJECT|--not-ours REASON|"
				   "--create CODE|--clear, or hmx map CYCLE [FILE] --accept");
	if (accept && src)
		return usage_error("--accept takes the cycle and optionally one FILE, no PROJECTID");
	if (!src && !accept) {
		struct map_view v;

		if (mapping_view(the_store, cycle, &v, &err) != HMX_OK)
			return fail(&err);
		if (json)
			map_print_json(&v);
		else
			map_print_text(&v);
		mapping_view_free(&v);
		return EXIT_OK;
	}
	if (accept) {
		size_t acc = 0, skip = 0;

		rc = mapping_accept(the_store, cycle, file, &acc, &skip, &ticks, &nticks, &err);
		if (rc == HMX_OK)
			printf("accepted %zu alias and HUD ProjectID proposal%s; %zu project%s left to decide\n",
			       acc, acc == 1 ? "" : "s", skip, skip == 1 ? "" : "s");
	} else if (project) {
		rc = mapping_set(the_store, cycle, file, src, project, flags, &ticks, &nticks, &err);
		if (rc == HMX_OK)
			printf("ProjectID %s of file %s mapped to %s\n", src, file, project);
	} else if (not_ours) {
		rc = mapping_not_ours(the_store, cycle, file, src, not_ours, &ticks, &nticks, &err);
		if (rc == HMX_OK)
			printf("ProjectID %s of file %s: not ours (%s)\n", src, file, not_ours);
	} else if (create) {
		struct map_new_project np = { create, opt(a, "name"), opt(a, "agency"), NULL,
					      opt(a, "hud-id") };
		enum reg_source kind;
		const char *k = opt(a, "kind");

		if (k && !reg_source_parse(k, &kind))
			return usage_error("bad --kind \"%s\": use hmis, rdc-direct or outside-agency", k);
		np.kind = k ? &kind : NULL;
		rc = mapping_create(the_store, cycle, file, src, &np, flags, &ticks, &nticks, &err);
		if (rc == HMX_OK)
			printf("project %s added; ProjectID %s of file %s mapped to it\n", create, src, file);
	} else {
		rc = mapping_clear(the_store, cycle, file, src, &ticks, &nticks, &err);
		if (rc == HMX_OK)
			printf("ProjectID %s of file %s: decision cleared\n", src, file);
	}
	if (rc != HMX_OK)
		return fail(&err);
	print_ticks(ticks, nticks);
	free(ticks);
	return EXIT_OK;
}

/* ---- export build (core/merge.h) ----------------------------------------- */

static int v_export_build(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct merge_build_opts o = { opt(a, "output"), opt(a, "export-id"), 0 };
	struct merge_result res;
	struct pbar pb = { 0, 0, false };
	const char *refs[MAX_OPT];
	size_t n = 0;
	int json = want_json(a), code;
	enum hmx_rc rc;

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	for (int i = 0; i < a->nopt; i++)
		if (strcmp(a->opt[i].name, "from") == 0)
			refs[n++] = a->opt[i].value;
	if (n == 0)
		return usage_error("give at least one --from FILE (a file of the cycle, or an "
				   "export's path)");
	if (!o.out || !o.out[0])
		return usage_error("give the output with -o FILE");
	if (flag(a, "allow-collisions"))
		o.flags |= MERGE_ALLOW_COLLISIONS;
	if (flag(a, "keep-export-id")) {
		if (o.export_id)
			return usage_error("--keep-export-id and --export-id exclude each other");
		o.flags |= MERGE_KEEP_EXPORT_ID;
	}
	/* a write past a file-size limit fails (EFBIG) instead of killing hmx */
	signal(SIGXFSZ, SIG_IGN);
	if (isatty(STDERR_FILENO) && !flag(a, "quiet")) {
		struct hmx_hooks hooks = { .log = cli_log, .progress = pbar_progress, .ctx = &pb };
		pb.t0 = pb.last = mono_now();
		hmx_hooks_install(&hooks);
	}
	rc = merge_build(the_store, a->pos[0], refs, n, &o, &res, &err);
	if (pb.shown)
		fputs("\r\033[K", stderr);
	{
		struct hmx_hooks hooks = { .log = cli_log };
		hmx_hooks_install(&hooks);
	}
	/* the summary when written, refused, or with nothing to upload */
	if (rc == HMX_OK || rc == HMX_ESTATE) {
		if (json)
			merge_write_json(stdout, &res);
		else
			merge_write_text(stdout, &res);
	}
	if (rc == HMX_OK) {
		code = EXIT_OK;
	} else if (rc == HMX_ESTATE) {
		fprintf(stderr, "%s: %s\n", progname, err.msg);
		code = EXIT_FINDINGS;
	} else {
		code = fail(&err);
	}
	merge_result_free(&res);
	return code;
}

/* ---- sites and SFTP -------------------------------------------------------- */

/* Prints a remote name so that no byte of it can drive the terminal:
 * control bytes, DEL, UTF-8-encoded C1 controls and backslash escaped. */
static void print_safe(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\x%02x", *p);
		} else if (*p == '\\') {
			fputs("\\\\", f);
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			fprintf(f, "\\u%04x", p[1]);
			p++;
		} else {
			fputc(*p, f);
		}
	}
}

static int v_site_add(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct site st = { 0 };
	const char *host = opt(a, "host"), *port = opt(a, "port");
	const struct { const char *name; char *dst; size_t n; } text[] = {
		{ "user", st.user, sizeof st.user },
		{ "identity", st.identity, sizeof st.identity },
		{ "remote-dir", st.remote_dir, sizeof st.remote_dir },
		{ "role", st.role, sizeof st.role },
	};

	(void)g;
	if (!host)
		return usage_error("usage: hmx site add NAME --host HOST [--port P] [--user U] "
				   "[--identity FILE] [--remote-dir DIR] [--role rdc|vendor|agency:CODE|mcp]");
	if (strlen(a->pos[0]) >= sizeof st.name || strlen(host) >= sizeof st.host)
		return usage_error("site name or host too long");
	hmx_strlcpy(st.name, a->pos[0], sizeof st.name);
	hmx_strlcpy(st.host, host, sizeof st.host);
	if (port) {
		char *end;
		long p;

		errno = 0;
		p = strtol(port, &end, 10);
		if (errno || end == port || *end || p < 1 || p > 65535)
			return usage_error("bad --port \"%s\": use 1-65535", port);
		st.port = (int)p;
	}
	for (size_t i = 0; i < sizeof text / sizeof text[0]; i++) {
		const char *v = opt(a, text[i].name);
		if (v && strlen(v) >= text[i].n)
			return usage_error("--%s too long", text[i].name);
		if (v)
			hmx_strlcpy(text[i].dst, v, text[i].n);
	}
	if (site_add(the_store, &st, &err) != HMX_OK)
		return fail(&err);
	printf("site %s added\n", st.name);
	return EXIT_OK;
}

static void json_site(FILE *f, const struct site *st)
{
	bool first = true;

	fputc('{', f);
	json_kv(f, &first, "name", st->name);
	json_kv(f, &first, "host", st->host);
	json_ki(f, &first, "port", st->port);
	json_kv(f, &first, "user", st->user);
	json_kv(f, &first, "identity", st->identity);
	json_kv(f, &first, "remote_dir", st->remote_dir);
	json_kv(f, &first, "role", st->role);
	json_kv(f, &first, "created_at", st->created_at);
	json_kv(f, &first, "created_by", st->created_by);
	fputc('}', f);
}

static int v_site_list(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct site *v;
	size_t n;
	int json = want_json(a);

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	if (site_list(the_store, &v, &n, &err) != HMX_OK)
		return fail(&err);
	if (json)
		fputs("{\"sites\":[", stdout);
	else if (n)
		printf("%-16s %-12s %-28s %-6s %s\n", "SITE", "ROLE", "HOST", "PORT", "USER");
	for (size_t i = 0; i < n; i++) {
		if (json) {
			if (i)
				fputc(',', stdout);
			json_site(stdout, &v[i]);
		} else {
			char port[12];
			snprintf(port, sizeof port, "%d", v[i].port);
			printf("%-16s %-12s %-28s %-6s %s\n", v[i].name, v[i].role[0] ? v[i].role : "-",
			       v[i].host, v[i].port ? port : "-", v[i].user[0] ? v[i].user : "-");
		}
	}
	if (json)
		fputs("]}\n", stdout);
	else if (!n)
		printf("no sites yet (hmx site add NAME --host HOST)\n");
	free(v);
	return EXIT_OK;
}

static int v_site_show(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct site st;
	int json = want_json(a);

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	if (site_get(the_store, a->pos[0], &st, &err) != HMX_OK)
		return fail(&err);
	if (json) {
		json_site(stdout, &st);
		fputc('\n', stdout);
		return EXIT_OK;
	}
	printf("site:       %s\nhost:       %s\n", st.name, st.host);
	if (st.port)
		printf("port:       %d\n", st.port);
	else
		printf("port:       (~/.ssh/config, else 22)\n");
	printf("user:       %s\n", st.user[0] ? st.user : "(~/.ssh/config, else the login name)");
	printf("identity:   %s\n", st.identity[0] ? st.identity : "(ssh-agent and the default keys)");
	printf("remote dir: %s\n", st.remote_dir[0] ? st.remote_dir : "(login directory)");
	printf("role:       %s\n", st.role[0] ? st.role : "-");
	printf("added:      %s by %s\n", st.created_at, st.created_by);
	return EXIT_OK;
}

static int v_site_remove(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };

	(void)g;
	if (site_remove(the_store, a->pos[0], &err) != HMX_OK)
		return fail(&err);
	printf("site %s removed\n", a->pos[0]);
	return EXIT_OK;
}

/* Reads the site and connects; prints the error and returns its exit code
 * on failure. */
static int site_connect(const struct args *a, const char *name, struct site *st, struct sftpc **c)
{
	struct hmx_err err = { 0 };
	struct sftpc_opts o = {
		.accept_new_host_key = flag(a, "accept-new-host-key"),
		.interactive = isatty(STDIN_FILENO) && isatty(STDERR_FILENO),
	};

	if (site_get(the_store, name, st, &err) != HMX_OK)
		return fail(&err);
	if (sftpc_open(st, &o, c, &err) != HMX_OK)
		return fail(&err);
	return EXIT_OK;
}

static int v_site_test(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	const struct sftpc_info *in;
	struct sftpc_entry *e;
	struct sftpc *c;
	struct site st;
	double rtt;
	size_t n;
	int rc;

	(void)g;
	if ((rc = site_connect(a, a->pos[0], &st, &c)) != EXIT_OK)
		return rc;
	in = sftpc_info(c);
	printf("site %s: %s@%s port %u\n", st.name, in->user, in->host, in->port);
	printf("host key: %s %s (%s)\n", in->key_type, in->fingerprint,
	       in->host_key_added ? "new, added to known_hosts" : "known");
	printf("authenticated by: %s\n", in->auth);
	printf("cipher: %s\n", in->cipher[0] ? in->cipher : "-");
	if (sftpc_ping(c, &rtt, &err) != HMX_OK || sftpc_list(c, NULL, &e, &n, &err) != HMX_OK) {
		sftpc_close(&c);
		return fail(&err);
	}
	printf("connected in %.0f ms, round trip %.1f ms\n", in->connect_ms, rtt);
	printf("remote dir %s: %zu entr%s\n", st.remote_dir[0] ? st.remote_dir : "(login)", n,
	       n == 1 ? "y" : "ies");
	for (size_t i = 0; i < n && i < 10; i++) {
		fputs("  ", stdout);
		print_safe(stdout, e[i].name);
		fputs(e[i].is_dir ? "/\n" : "\n", stdout);
	}
	if (n > 10)
		printf("  ... (hmx ls %s)\n", st.name);
	sftpc_entries_free(e, n);
	sftpc_close(&c);
	return EXIT_OK;
}

static int v_ls(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct sftpc_entry *e;
	struct sftpc *c;
	struct site st;
	size_t n;
	int rc, json = want_json(a);

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	if ((rc = site_connect(a, a->pos[0], &st, &c)) != EXIT_OK)
		return rc;
	if (sftpc_list(c, a->npos > 1 ? a->pos[1] : NULL, &e, &n, &err) != HMX_OK) {
		sftpc_close(&c);
		return fail(&err);
	}
	if (json)
		fputs("{\"entries\":[", stdout);
	for (size_t i = 0; i < n; i++) {
		char when[32] = "-";
		time_t t = (time_t)e[i].mtime;
		struct tm tm;

		if (gmtime_r(&t, &tm))
			strftime(when, sizeof when, json ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M", &tm);
		if (json) {
			bool first = true;
			fputs(i ? ",{" : "{", stdout);
			json_kv(stdout, &first, "name", e[i].name);
			json_ku(stdout, &first, "size", e[i].size);
			json_kv(stdout, &first, "mtime", when);
			json_kb(stdout, &first, "dir", e[i].is_dir);
			fputc('}', stdout);
		} else {
			printf("%12llu  %s  ", (unsigned long long)e[i].size, when);
			print_safe(stdout, e[i].name);
			fputs(e[i].is_dir ? "/\n" : "\n", stdout);
		}
	}
	if (json)
		fputs("]}\n", stdout);
	sftpc_entries_free(e, n);
	sftpc_close(&c);
	return EXIT_OK;
}

/* --retries N (default TRANSFER_RETRIES_DEFAULT) into o; EXIT_USAGE when bad. */
static int transfer_opts_from(const struct args *a, struct transfer_opts *o)
{
	const char *r = opt(a, "retries");
	char *end;
	long n;

	o->overwrite = flag(a, "overwrite");
	o->retries = TRANSFER_RETRIES_DEFAULT;
	if (r) {
		n = strtol(r, &end, 10);
		if (!*r || *end || n < 0 || n > 20)
			return usage_error("bad --retries \"%s\": use 0-20", r);
		o->retries = (int)n;
	}
	/* a write past a file-size limit fails (EFBIG) instead of killing hmx */
	signal(SIGXFSZ, SIG_IGN);
	return EXIT_OK;
}

/* The intake source of a site's role: "rdc", "agency:CODE"; NULL for a
 * role whose files are not HMIS exports sent to us (vendor, mcp, none). */
static const char *role_source(const struct site *st)
{
	if (strcmp(st->role, "rdc") == 0 || strncmp(st->role, "agency:", 7) == 0)
		return st->role;
	return NULL;
}

/* Whether a pulled file looks like a zip (HMIS CSV export). */
static bool is_zip(const char *path)
{
	unsigned char m[4] = { 0 };
	FILE *f = fopen(path, "rb");
	bool z;

	if (!f)
		return false;
	z = fread(m, 1, 4, f) == 4 && m[0] == 'P' && m[1] == 'K' && m[2] == 3 && m[3] == 4;
	fclose(f);
	return z;
}

/* Mapping proposals waiting for the projects of intake id in cycle. */
static void print_map_summary(const char *cycle, int64_t intake_id)
{
	struct hmx_err err = { 0 };
	struct map_view v = { 0 };
	size_t rows = 0, undecided = 0, proposed = 0;

	if (mapping_view(the_store, cycle, &v, &err) == HMX_OK) {
		for (size_t i = 0; i < v.nrows; i++) {
			const struct map_row *r = &v.rows[i];

			if (v.files[r->file].id != intake_id)
				continue;
			rows++;
			if (r->state == MAP_UNMAPPED) {
				undecided++;
				proposed += r->proposal.via != MAP_VIA_NONE;
			}
		}
		printf("  mapping: %zu project%s, %zu to decide, %zu proposal%s (hmx map %s)\n", rows,
		       rows == 1 ? "" : "s", undecided, proposed, proposed == 1 ? "" : "s", cycle);
	}
	mapping_view_free(&v);
}

/* Ticks step of cycle done with note; prints the outcome. */
static int tick_step(const char *cycle, const char *step, const char *note)
{
	struct hmx_err err = { 0 };

	if (step_set(the_store, cycle, step, STEP_DONE, note, &err) != HMX_OK)
		return fail(&err);
	printf("step %s of %s: done (%s)\n", step, cycle, note);
	return EXIT_OK;
}

/* Appends ", N" (or "N" first) to a job-id list. */
static void add_job_id(char *buf, size_t n, int64_t id)
{
	size_t l = strlen(buf);

	snprintf(buf + l, n - l, "%s%lld", l ? ", " : "", (long long)id);
}

static void print_pulled(const char *remote, const struct transfer_job *j)
{
	char name[TRANSFER_NAME_MAX + 1];

	if (transfer_sanitize_name(remote, name, sizeof name)) {
		fputs("renamed: remote name ", stdout);
		print_safe(stdout, strrchr(remote, '/') ? strrchr(remote, '/') + 1 : remote);
		printf(" saved as %s\n", name);
	}
	printf("pulled %s (%llu bytes, sha256 %s, job %lld)\n", j->local, (unsigned long long)j->size,
	       j->sha256, (long long)j->id);
}

/* hmx pull --cycle: the pulled file into intake with the site's role as
 * source. Returns an exit code. */
static int pull_intake(const char *cycle, const struct site *st, const struct transfer_job *j)
{
	struct hmx_err err = { 0 };
	struct intake_opts io = { role_source(st), CAL_NO_DAY, false };
	struct intake_info in;

	if (!is_zip(j->local)) {
		printf("  not a zip: %s not taken into %s\n", j->local, cycle);
		return EXIT_OK;
	}
	if (intake_add(the_store, cycle, j->local, &io, &in, &err) != HMX_OK)
		return fail(&err);
	if (in.already) {
		printf("file %.12s is already in %s (received from %s): nothing changed\n", in.sha256,
		       in.cycle, in.source);
		return EXIT_OK;
	}
	printf("file %lld: ", (long long)in.file_id);
	print_intake_new(&in);
	print_map_summary(cycle, in.id);
	return in.validated && in.n_blocking ? EXIT_FINDINGS : EXIT_OK;
}

/* --cycle C [--step S] checked before any byte moves. */
static int check_cycle_step(const char *cycle, const char *step)
{
	struct hmx_err err = { 0 };
	struct cycle_info ci;
	struct step_info si;

	if (step && !cycle)
		return usage_error("--step needs --cycle");
	if (!cycle)
		return EXIT_OK;
	if (cycle_get(the_store, cycle, cal_today(), &ci, &err) != HMX_OK)
		return fail(&err);
	if (step && step_get(the_store, cycle, step, &si, &err) != HMX_OK)
		return fail(&err);
	return EXIT_OK;
}

/* hmx pull SITE REMOTE... : one connection, one job per file; goes on after
 * a failed file and reports the worst exit code. With --cycle, each pulled
 * zip is taken in with the site's role as source; with --step, the step is
 * ticked done when every file came and was taken in. */
static int v_pull(struct globals *g, struct args *a)
{
	struct transfer_opts o;
	const char *to = opt(a, "to"), *cycle = opt(a, "cycle"), *step = opt(a, "step");
	char jobs[200] = "";
	struct sftpc *c;
	struct site st;
	int rc, worst = EXIT_OK;

	(void)g;
	if ((rc = transfer_opts_from(a, &o)) != EXIT_OK || (rc = check_cycle_step(cycle, step)) != EXIT_OK)
		return rc;
	if (cycle) {
		struct hmx_err err = { 0 };

		if (site_get(the_store, a->pos[0], &st, &err) != HMX_OK)
			return fail(&err);
		if (!role_source(&st)) {
			fprintf(stderr, "%s: site %s has role \"%s\": only files from an rdc or "
				"agency:CODE site go to intake; pull without --cycle\n", progname,
				st.name, st.role);
			return EXIT_FINDINGS;
		}
	}
	if ((rc = site_connect(a, a->pos[0], &st, &c)) != EXIT_OK)
		return rc;
	for (int i = 1; i < a->npos; i++) {
		struct hmx_err err = { 0 };
		struct transfer_job j;

		if (transfer_pull(the_store, c, &st, a->pos[i], to, &o, &j, NULL, &err) != HMX_OK) {
			rc = fail(&err);
			worst = rc > worst ? rc : worst;
			continue;
		}
		print_pulled(a->pos[i], &j);
		add_job_id(jobs, sizeof jobs, j.id);
		if (cycle && (rc = pull_intake(cycle, &st, &j)) != EXIT_OK)
			worst = rc > worst ? rc : worst;
	}
	sftpc_close(&c);
	if (step && worst == EXIT_OK) {
		char note[256];

		snprintf(note, sizeof note, "transfer job%s %s from site %s", strchr(jobs, ',') ? "s" : "",
			 jobs, st.name);
		worst = tick_step(cycle, step, note);
	} else if (step) {
		printf("step %s of %s left as it was: not every file came in cleanly\n", step, cycle);
	}
	return worst;
}

static void print_pushed(const struct transfer_job *j)
{
	fputs("pushed ", stdout);
	print_safe(stdout, j->remote);
	printf(" (%llu bytes, sha256 %s, job %lld)\n", (unsigned long long)j->size, j->sha256,
	       (long long)j->id);
}

/* hmx push SITE LOCAL... ; with --cycle [--step] (the upload step of an
 * rdc-upload cycle by default), asks to tick the step with the jobs as
 * evidence (--yes: yes). */
static int v_push(struct globals *g, struct args *a)
{
	struct transfer_opts o;
	const char *cycle = opt(a, "cycle"), *step = opt(a, "step");
	char note[256] = "";
	struct sftpc *c;
	struct site st;
	int rc, worst = EXIT_OK, pushed = 0;
	int64_t last = 0;

	(void)g;
	if ((rc = transfer_opts_from(a, &o)) != EXIT_OK || (rc = check_cycle_step(cycle, step)) != EXIT_OK)
		return rc;
	if (cycle && !step) {
		struct hmx_err err = { 0 };
		struct cycle_info ci;

		if (cycle_get(the_store, cycle, cal_today(), &ci, &err) != HMX_OK)
			return fail(&err);
		if (strcmp(ci.kind, "rdc-upload") != 0)
			return usage_error("--cycle %s (%s) needs --step: which step the push is "
					   "evidence for", cycle, ci.kind);
		step = "upload";
	}
	if ((rc = site_connect(a, a->pos[0], &st, &c)) != EXIT_OK)
		return rc;
	for (int i = 1; i < a->npos; i++) {
		struct hmx_err err = { 0 };
		struct transfer_job j;
		size_t l = strlen(note);

		if (transfer_push(the_store, c, &st, a->pos[i], opt(a, "to"), &o, &j, &err) != HMX_OK) {
			rc = fail(&err);
			worst = rc > worst ? rc : worst;
			continue;
		}
		print_pushed(&j);
		snprintf(note + l, sizeof note - l, "%stransfer job %lld sha256 %s", l ? "; " : "",
			 (long long)j.id, j.sha256);
		last = j.id;
		pushed++;
	}
	sftpc_close(&c);
	if (step && worst == EXIT_OK && pushed) {
		char q[200];

		if (pushed == 1)
			snprintf(q, sizeof q, "Mark step %s of %s done with transfer job %lld as evidence?",
				 step, cycle, (long long)last);
		else
			snprintf(q, sizeof q, "Mark step %s of %s done with transfer jobs as evidence?",
				 step, cycle);
		if (flag(a, "yes") || hmx_confirm(q))
			worst = tick_step(cycle, step, note);
		else
			printf("step %s of %s left as it was (--yes to tick it)\n", step, cycle);
	} else if (step && pushed) {
		printf("step %s of %s left as it was: not every file went up\n", step, cycle);
	}
	return worst;
}

static bool parse_job_id(const char *s, int64_t *id)
{
	char *end;
	long long n = strtoll(s, &end, 10);

	*id = n;
	return *s && !*end && n > 0;
}

/* hmx transfer retry ID */
static int v_transfer_retry(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct transfer_opts o;
	struct transfer_job j;
	struct sftpc *c;
	struct site st;
	int64_t id;
	int rc;

	(void)g;
	if (!parse_job_id(a->pos[0], &id))
		return usage_error("bad job id \"%s\"", a->pos[0]);
	if ((rc = transfer_opts_from(a, &o)) != EXIT_OK)
		return rc;
	if (transfer_get(the_store, id, &j, &err) != HMX_OK)
		return fail(&err);
	if (j.state == TRANSFER_DONE) {
		fprintf(stderr, "%s: transfer job %lld is already done\n", progname, (long long)id);
		return EXIT_FINDINGS;
	}
	if ((rc = site_connect(a, j.site, &st, &c)) != EXIT_OK)
		return rc;
	if (transfer_retry(the_store, c, &st, id, &o, &j, &err) != HMX_OK) {
		sftpc_close(&c);
		return err.rc == HMX_ESTATE ? (fail(&err), EXIT_FINDINGS) : fail(&err);
	}
	sftpc_close(&c);
	if (j.dir == TRANSFER_PULL)
		print_pulled(j.remote, &j);
	else
		print_pushed(&j);
	return EXIT_OK;
}

/* hmx transfer cancel ID */
static int v_transfer_cancel(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct transfer_job j;
	int64_t id;

	(void)g;
	if (!parse_job_id(a->pos[0], &id))
		return usage_error("bad job id \"%s\"", a->pos[0]);
	if (transfer_cancel(the_store, id, &err) != HMX_OK)
		return err.rc == HMX_ESTATE ? (fail(&err), EXIT_FINDINGS) : fail(&err);
	if (transfer_get(the_store, id, &j, &err) != HMX_OK)
		return fail(&err);
	printf("cancelled transfer job %lld at %llu of %llu bytes; the partial is kept "
	       "('hmx transfer retry %lld' resumes it)\n", (long long)id, (unsigned long long)j.done,
	       (unsigned long long)j.size, (long long)id);
	return EXIT_OK;
}

static int v_transfers(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct transfer_job *v;
	size_t n;
	int json = want_json(a);

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	if (transfer_list(the_store, &v, &n, &err) != HMX_OK)
		return fail(&err);
	if (json)
		fputs("{\"transfers\":[", stdout);
	else if (n)
		printf("%-5s %-4s %-12s %-11s %12s %12s  %s\n", "ID", "DIR", "SITE", "STATE", "DONE", "SIZE",
		       "REMOTE -> LOCAL");
	for (size_t i = 0; i < n; i++) {
		if (json) {
			bool first = true;
			fputs(i ? ",{" : "{", stdout);
			json_ki(stdout, &first, "id", (long long)v[i].id);
			json_kv(stdout, &first, "site", v[i].site);
			json_kv(stdout, &first, "direction", transfer_dir_name(v[i].dir));
			json_kv(stdout, &first, "remote", v[i].remote);
			json_kv(stdout, &first, "local", v[i].local);
			json_ku(stdout, &first, "size", v[i].size);
			json_ku(stdout, &first, "done", v[i].done);
			json_ki(stdout, &first, "remote_mtime", v[i].remote_mtime);
			json_kv(stdout, &first, "sha256", v[i].sha256);
			json_kv(stdout, &first, "state", transfer_state_name(v[i].state));
			json_kv(stdout, &first, "error", v[i].error);
			json_kv(stdout, &first, "who", v[i].who);
			json_kv(stdout, &first, "created_at", v[i].created_at);
			json_kv(stdout, &first, "updated_at", v[i].updated_at);
			fputc('}', stdout);
		} else {
			printf("%-5lld %-4s %-12s %-11s %12llu %12llu  ", (long long)v[i].id,
			       transfer_dir_name(v[i].dir), v[i].site, transfer_state_name(v[i].state),
			       (unsigned long long)v[i].done, (unsigned long long)v[i].size);
			print_safe(stdout, v[i].remote);
			fputs(v[i].dir == TRANSFER_PULL ? " -> " : " <- ", stdout);
			print_safe(stdout, v[i].local);
			fputc('\n', stdout);
			if (v[i].state == TRANSFER_FAILED && v[i].error[0]) {
				fputs("      error: ", stdout);
				print_safe(stdout, v[i].error);
				fputc('\n', stdout);
			}
			if (v[i].state == TRANSFER_INTERRUPTED)
				printf("      interrupted: no hmx runs it (killed?); 'hmx transfer retry "
				       "%lld' resumes it\n", (long long)v[i].id);
		}
	}
	if (json)
		fputs("]}\n", stdout);
	else if (!n)
		printf("no transfers yet (hmx pull SITE FILE, hmx push SITE FILE)\n");
	free(v);
	return EXIT_OK;
}

/* ---- notices ------------------------------------------------------------- */

static void json_notice(FILE *f, const struct notice *n)
{
	bool first = true;
	char d[11];

	fputc('{', f);
	json_kv(f, &first, "cycle", n->cycle);
	json_kv(f, &first, "kind", n->kind);
	json_kv(f, &first, "to", n->to);
	json_kv(f, &first, "title", n->title);
	json_kv(f, &first, "state", notice_state_name(n->state));
	json_key(f, &first, "sent_on");
	if (n->sent_on == CAL_NO_DAY)
		fputs("null", f);
	else
		json_str(f, cal_format(n->sent_on, d));
	json_kv(f, &first, "updated_at", n->updated_at);
	json_kv(f, &first, "updated_by", n->updated_by);
	if (n->text)
		json_kv(f, &first, "text", n->text);
	fputc('}', f);
}

/* Opens $VISUAL or $EDITOR (else vi) on text through a private temporary
 * file; *out gets the edited text (malloc'd). EXIT_OK, or an exit code
 * after a message. */
static int edit_text(const char *text, char **out)
{
	const char *ed = getenv("VISUAL");
	char path[] = "/tmp/hmx-notice.XXXXXX", cmd[1024];
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;
	pid_t pid;
	int fd, st;

	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	/* the command may hold arguments ("code --wait"): run by sh, as git does */
	if (snprintf(cmd, sizeof cmd, "%s \"$1\"", ed) >= (int)sizeof cmd) {
		fprintf(stderr, "%s: the editor command is too long\n", progname);
		return EXIT_RUNTIME;
	}
	if ((fd = mkstemp(path)) < 0) {
		fprintf(stderr, "%s: cannot make a temporary file: %s\n", progname, strerror(errno));
		return EXIT_RUNTIME;
	}
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		fprintf(stderr, "%s: cannot write %s: %s\n", progname, path, strerror(errno));
		close(fd);
		unlink(path);
		return EXIT_RUNTIME;
	}
	close(fd);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, "sh", path, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "%s: the editor (%s) failed: nothing kept\n", progname, ed);
		unlink(path);
		return EXIT_RUNTIME;
	}
	if (!(f = fopen(path, "r"))) {
		fprintf(stderr, "%s: cannot read %s back: %s\n", progname, path, strerror(errno));
		unlink(path);
		return EXIT_RUNTIME;
	}
	for (int c; (c = fgetc(f)) != EOF;) {
		if (len + 2 > cap) {
			char *nb = realloc(buf, cap ? cap * 2 : 4096);
			if (!nb) {
				free(buf);
				fclose(f);
				unlink(path);
				fprintf(stderr, "%s: out of memory\n", progname);
				return EXIT_RUNTIME;
			}
			buf = nb;
			cap = cap ? cap * 2 : 4096;
		}
		buf[len++] = (char)c;
	}
	fclose(f);
	unlink(path);
	if (!buf)
		buf = calloc(1, 1);
	else
		buf[len] = '\0';
	*out = buf;
	return EXIT_OK;
}

static int v_notice(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct notice n;
	const char *to = opt(a, "to"), *date = opt(a, "date");
	bool edit = flag(a, "edit"), sent = flag(a, "sent");
	cal_day on = CAL_NO_DAY;
	int json = want_json(a);

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	if (date && !sent)
		return usage_error("--date goes with --sent");
	if (date && !cal_parse_date(date, &on))
		return usage_error("bad --date \"%s\": use YYYY-MM-DD", date);
	if (edit && sent)
		return usage_error("--edit and --sent are separate steps: edit first, then --sent");
	if (notice_get(the_store, a->pos[0], a->pos[1], to, &n, &err) != HMX_OK)
		return fail(&err);
	if (edit) {
		char *text = NULL;
		int rc;

		if (n.state == NOTICE_SENT) {
			char d[11];
			fprintf(stderr, "%s: notice %s of %s was sent on %s: it is kept as sent\n",
				progname, a->pos[1], a->pos[0], cal_format(n.sent_on, d));
			notice_free(&n);
			return EXIT_FINDINGS;
		}
		rc = edit_text(n.text, &text);
		notice_free(&n);
		if (rc != EXIT_OK)
			return rc;
		if (notice_save(the_store, a->pos[0], a->pos[1], to, text, &err) != HMX_OK) {
			free(text);
			return err.rc == HMX_ESTATE ? (fail(&err), EXIT_FINDINGS) : fail(&err);
		}
		free(text);
		if (notice_get(the_store, a->pos[0], a->pos[1], to, &n, &err) != HMX_OK)
			return fail(&err);
	} else if (sent) {
		notice_free(&n);
		if (notice_mark_sent(the_store, a->pos[0], a->pos[1], to, on, &err) != HMX_OK)
			return err.rc == HMX_ESTATE ? (fail(&err), EXIT_FINDINGS) : fail(&err);
		if (notice_get(the_store, a->pos[0], a->pos[1], to, &n, &err) != HMX_OK)
			return fail(&err);
	}
	if (json) {
		json_notice(stdout, &n);
		fputc('\n', stdout);
	} else if (edit || sent) {
		char d[11];
		if (sent)
			printf("notice %s of %s%s%s recorded as sent on %s (no mail is sent by hmx)\n",
			       n.kind, n.cycle, n.to[0] ? " to " : "", n.to, cal_format(n.sent_on, d));
		else
			printf("notice %s of %s%s%s kept as an edited draft\n", n.kind, n.cycle,
			       n.to[0] ? " to " : "", n.to);
	} else {
		fputs(n.text, stdout);
		if (n.text[0] && n.text[strlen(n.text) - 1] != '\n')
			fputc('\n', stdout);
	}
	notice_free(&n);
	return EXIT_OK;
}

static int v_notices(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct notice *n;
	size_t count;
	int json = want_json(a);

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	if (notice_list(the_store, a->pos[0], &n, &count, &err) != HMX_OK)
		return fail(&err);
	if (json) {
		printf("{\"cycle\":");
		json_str(stdout, a->pos[0]);
		printf(",\"notices\":[");
	} else {
		printf("%-18s %-8s %-6s %-10s %s\n", "KIND", "TO", "STATE", "SENT", "TITLE");
	}
	for (size_t i = 0; i < count; i++) {
		if (json) {
			if (i)
				fputc(',', stdout);
			json_notice(stdout, &n[i]);
		} else {
			char d[11] = "-";
			if (n[i].sent_on != CAL_NO_DAY)
				cal_format(n[i].sent_on, d);
			printf("%-18s %-8s %-6s %-10s %s\n", n[i].kind, n[i].to[0] ? n[i].to : "-",
			       notice_state_name(n[i].state), d, n[i].title);
		}
	}
	if (json)
		printf("]}\n");
	free(n);
	return EXIT_OK;
}

/* ---- reconcile ----------------------------------------------------------- */

static int v_reconcile(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct reconcile_result r;
	int json = want_json(a);

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	if (reconcile_cycle(the_store, a->pos[0], &r, &err) != HMX_OK)
		return fail(&err);
	if (json) {
		bool first = true;

		fputc('{', stdout);
		json_kv(stdout, &first, "cycle", r.cycle);
		json_kv(stdout, &first, "demo_file", r.demo_sha256);
		json_ku(stdout, &first, "files_sent", r.nsent);
		json_ki(stdout, &first, "run", r.run_id);
		json_kb(stdout, &first, "counts_complete", r.counts_complete);
		json_ku(stdout, &first, "mismatches", r.mismatches);
		json_key(stdout, &first, "rows");
		fputc('[', stdout);
		for (size_t i = 0; i < r.nrows; i++) {
			bool f1 = true;

			fputs(i ? ",{" : "{", stdout);
			json_kv(stdout, &f1, "project", r.rows[i].project);
			json_kv(stdout, &f1, "file", r.rows[i].file);
			json_ku(stdout, &f1, "sent", r.rows[i].sent);
			json_ku(stdout, &f1, "demo", r.rows[i].demo);
			if (r.rows[i].mismatch) {
				json_kv(stdout, &f1, "check", "X06");
				json_kv(stdout, &f1, "severity", r.severity);
			}
			fputc('}', stdout);
		}
		fputs("]}\n", stdout);
	} else {
		printf("reconcile %s: demo-site export %.12s against %zu file%s sent for import\n",
		       r.cycle, r.demo_sha256, r.nsent, r.nsent == 1 ? "" : "s");
		printf("  %-32s %-15s %8s %8s\n", "PROJECT", "FILE", "SENT", "DEMO");
		for (size_t i = 0; i < r.nrows; i++)
			printf("  %-32s %-15s %8llu %8llu%s%s\n", r.rows[i].project, r.rows[i].file,
			       (unsigned long long)r.rows[i].sent, (unsigned long long)r.rows[i].demo,
			       r.rows[i].mismatch ? "  X06 " : "", r.rows[i].mismatch ? r.severity : "");
		if (!r.counts_complete)
			printf("note: a file stopped early (structural problem): its counts are a lower "
			       "bound\n");
		if (r.mismatches)
			printf("%zu mismatch%s (X06), stored as run %lld: fix the import before telling "
			       "the vendor the files may go live\n",
			       r.mismatches, r.mismatches == 1 ? "" : "es", (long long)r.run_id);
		else
			printf("every project's rows agree (run %lld)\n", (long long)r.run_id);
	}
	reconcile_free(&r);
	return r.mismatches ? EXIT_FINDINGS : EXIT_OK;
}

/* ---- review (core/review.h, core/reviewer.h) ----------------------------- */

/* Exit code of a refused decision: 1 (refused), others as fail(). */
static int fail_refused(const struct hmx_err *err)
{
	int rc = fail(err);

	return err->rc == HMX_ESTATE ? EXIT_FINDINGS : rc;
}

/* Absolute path of the running binary, else "hmx". */
static void self_path(char *buf, size_t n)
{
	ssize_t k = readlink("/proc/self/exe", buf, n - 1);

	if (k <= 0 || (size_t)k >= n - 1)
		hmx_strlcpy(buf, "hmx", n);
	else
		buf[k] = '\0';
}

static int keys_path(const struct args *a, char *buf, size_t n)
{
	struct hmx_err err = { 0 };
	const char *p = opt(a, "authorized-keys");

	if (p) {
		hmx_strlcpy(buf, p, n);
		return EXIT_OK;
	}
	if (reviewer_default_keys_path(buf, n, &err) != HMX_OK)
		return fail(&err);
	return EXIT_OK;
}

static int v_reviewer_add(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	const char *name = a->pos[0], *key = opt(a, "key");
	char exe[4096], db[4096], path[4096], line[16384];

	(void)g;
	if (!key)
		return usage_error("give the reviewer's public key: --key FILE.pub");
	if (!realpath(store_path(the_store), db))
		hmx_strlcpy(db, store_path(the_store), sizeof db);
	self_path(exe, sizeof exe);
	if (!flag(a, "print") && keys_path(a, path, sizeof path) != EXIT_OK)
		return EXIT_USAGE;
	if (reviewer_add(the_store, name, key, opt(a, "projects"), opt(a, "agency"), &err) != HMX_OK)
		return fail(&err);
	if (reviewer_key_line(the_store, name, exe, db, line, sizeof line, &err) != HMX_OK ||
	    (!flag(a, "print") && reviewer_write_keys(path, name, line, &err) != HMX_OK)) {
		struct hmx_err e2;
		int rc = fail(&err);

		reviewer_remove(the_store, name, &e2);
		return rc;
	}
	if (flag(a, "print"))
		printf("%s\n", line);
	else
		printf("reviewer %s added; %s allows their key to open the review screen only\n", name,
		       path);
	return EXIT_OK;
}

static int v_reviewer_set(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };

	(void)g;
	if (reviewer_set_scope(the_store, a->pos[0], opt(a, "projects"), opt(a, "agency"), &err) !=
	    HMX_OK)
		return fail(&err);
	printf("reviewer %s now reviews %s%s\n", a->pos[0],
	       opt(a, "agency") ? "the projects of agency " : "", opt(a, "agency") ? opt(a, "agency")
									    : opt(a, "projects"));
	return EXIT_OK;
}

static int v_reviewer_remove(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct reviewer r;
	char path[4096];

	(void)g;
	if (keys_path(a, path, sizeof path) != EXIT_OK)
		return EXIT_USAGE;
	if (reviewer_get(the_store, a->pos[0], &r, &err) != HMX_OK)
		return fail(&err);
	if (reviewer_write_keys(path, a->pos[0], NULL, &err) != HMX_OK)
		return fail(&err);
	if (reviewer_remove(the_store, a->pos[0], &err) != HMX_OK)
		return fail(&err);
	printf("reviewer %s removed, and their line from %s\n", a->pos[0], path);
	return EXIT_OK;
}

static int v_reviewer_list(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct reviewer *r;
	size_t n;
	int json = want_json(a);

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	if (reviewer_list(the_store, &r, &n, &err) != HMX_OK)
		return fail(&err);
	if (json)
		fputs("{\"reviewers\":[", stdout);
	else if (n == 0)
		printf("no reviewers yet (add one with 'hmx reviewer add NAME --key FILE.pub --projects P')\n");
	else
		printf("%-16s %-12s %-50s %s\n", "NAME", "KEY", "FINGERPRINT", "REVIEWS");
	for (size_t i = 0; i < n; i++) {
		if (json) {
			bool first = true;
			fputs(i ? ",{" : "{", stdout);
			json_kv(stdout, &first, "name", r[i].name);
			json_kv(stdout, &first, "key_type", r[i].key_type);
			json_kv(stdout, &first, "fingerprint", r[i].fingerprint);
			json_kv(stdout, &first, "agency", r[i].agency);
			json_kv(stdout, &first, "projects", r[i].projects);
			json_kv(stdout, &first, "created_at", r[i].created_at);
			json_kv(stdout, &first, "created_by", r[i].created_by);
			fputs("}", stdout);
		} else {
			printf("%-16s %-12s %-50s %s%s\n", r[i].name, r[i].key_type, r[i].fingerprint,
			       r[i].agency[0] ? "agency " : "", r[i].agency[0] ? r[i].agency : r[i].projects);
		}
	}
	if (json)
		fputs("]}\n", stdout);
	free(r);
	return EXIT_OK;
}

static void json_item(FILE *f, const struct review_item *it)
{
	bool first = true;

	fputc('{', f);
	json_ki(f, &first, "id", it->id);
	json_kv(f, &first, "cycle", it->cycle);
	json_kv(f, &first, "check", it->check);
	json_kv(f, &first, "severity", review_sev_name(it->severity));
	json_kv(f, &first, "file", it->file);
	json_ki(f, &first, "line", it->line);
	json_kv(f, &first, "key", it->key);
	json_kv(f, &first, "column", it->column);
	json_kv(f, &first, "detail", it->detail);
	json_kv(f, &first, "source_project", it->source_project);
	json_kv(f, &first, "project", it->project);
	json_kv(f, &first, "agency", it->agency);
	json_kv(f, &first, "state", review_state_name(it->state));
	json_kv(f, &first, "reviewer", it->reviewer);
	json_kv(f, &first, "fix", it->fix);
	json_ki(f, &first, "first_run", it->first_run);
	json_ki(f, &first, "last_run", it->last_run);
	json_ki(f, &first, "occurrences", it->occurrences);
	json_ki(f, &first, "version", it->version);
	json_kv(f, &first, "updated_at", it->updated_at);
	json_kv(f, &first, "updated_by", it->updated_by);
	fputc('}', f);
}

static int v_findings(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct review_filter f;
	struct review_item *it;
	const char *st = opt(a, "state"), *sev = opt(a, "severity");
	size_t n;
	int json = want_json(a);

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	review_filter_init(&f);
	f.project = opt(a, "project");
	f.agency = opt(a, "agency");
	f.check = opt(a, "check");
	f.reviewer = opt(a, "reviewer");
	f.as = opt(a, "as");
	f.pending = flag(a, "pending");
	if (st) {
		enum review_state v;
		if (!review_state_parse(st, &v))
			return usage_error("bad --state \"%s\": use open, fix-proposed, approved, rejected, "
					   "resolved or waived", st);
		f.state = (int)v;
	}
	if (sev) {
		enum review_sev v;
		if (!review_sev_parse(sev, &v))
			return usage_error("bad --severity \"%s\": use blocking, error or warning", sev);
		f.severity = (int)v;
	}
	if (flag(a, "counts")) {
		struct review_count *c;

		if (review_counts(the_store, a->pos[0], f.as, &c, &n, &err) != HMX_OK)
			return fail(&err);
		if (json)
			fputs("{\"counts\":[", stdout);
		else
			printf("%-28s %9s %9s %9s %7s\n", "PROJECT", "BLOCKING", "ERROR", "WARNING", "TOTAL");
		for (size_t i = 0; i < n; i++) {
			if (json) {
				bool first = true;
				fputs(i ? ",{" : "{", stdout);
				json_kv(stdout, &first, "project", c[i].project);
				for (int sv = RS_NSEV; sv-- > 0;) {
					bool f2 = true;
					json_key(stdout, &first, review_sev_name((enum review_sev)sv));
					fputc('{', stdout);
					for (int s2 = 0; s2 < RV_NSTATES; s2++)
						json_ki(stdout, &f2, review_state_name((enum review_state)s2),
							c[i].n[sv][s2]);
					json_ki(stdout, &f2, "pending", c[i].pending[sv]);
					fputc('}', stdout);
				}
				json_ki(stdout, &first, "total", c[i].total);
				fputs("}", stdout);
			} else {
				printf("%-28s %9lld %9lld %9lld %7lld\n", c[i].project[0] ? c[i].project : "(no project)",
				       (long long)c[i].pending[RS_BLOCKING], (long long)c[i].pending[RS_ERROR],
				       (long long)c[i].pending[RS_WARNING], (long long)c[i].total);
			}
		}
		if (json)
			fputs("]}\n", stdout);
		else if (n)
			printf("(pending findings by severity: open, fix-proposed, approved or rejected)\n");
		free(c);
		return EXIT_OK;
	}
	if (review_list(the_store, a->pos[0], &f, &it, &n, &err) != HMX_OK)
		return fail(&err);
	if (json) {
		fputs("{\"cycle\":", stdout);
		json_str(stdout, a->pos[0]);
		fputs(",\"findings\":[", stdout);
	} else if (n == 0) {
		printf("no findings in the review of %s match\n", a->pos[0]);
	} else {
		printf("%6s %-20s %-5s %-8s %-16s %-24s %-13s %s\n", "ID", "PROJECT", "CHECK", "SEVERITY",
		       "FILE", "KEY", "STATE", "REVIEWER");
	}
	for (size_t i = 0; i < n; i++) {
		if (json) {
			if (i)
				fputc(',', stdout);
			json_item(stdout, &it[i]);
		} else {
			printf("%6lld %-20.20s %-5s %-8s %-16.16s %-24.24s %-13s %s\n", (long long)it[i].id,
			       it[i].project[0] ? it[i].project : "-", it[i].check,
			       review_sev_name(it[i].severity), it[i].file, it[i].key[0] ? it[i].key : "-",
			       review_state_name(it[i].state), it[i].reviewer[0] ? it[i].reviewer : "-");
		}
	}
	if (json)
		fputs("]}\n", stdout);
	free(it);
	return EXIT_OK;
}

static int item_id_arg(const char *s, int64_t *id)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (*end || end == s || v <= 0)
		return usage_error("bad finding \"%s\": use its number (see 'hmx findings CYCLE')", s);
	*id = v;
	return EXIT_OK;
}

static int v_finding_show(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct review_item it;
	struct review_decision *d;
	size_t n;
	int64_t id = 0;
	int json = want_json(a);

	(void)g;
	if (json < 0 || item_id_arg(a->pos[0], &id) != EXIT_OK)
		return EXIT_USAGE;
	if (review_get(the_store, id, &it, &err) != HMX_OK ||
	    review_history(the_store, id, &d, &n, &err) != HMX_OK)
		return fail(&err);
	if (json) {
		fputs("{\"finding\":", stdout);
		json_item(stdout, &it);
		fputs(",\"history\":[", stdout);
		for (size_t i = 0; i < n; i++) {
			bool first = true;
			fputs(i ? ",{" : "{", stdout);
			json_ki(stdout, &first, "id", d[i].id);
			json_kv(stdout, &first, "at", d[i].at);
			json_kv(stdout, &first, "who", d[i].who);
			json_kv(stdout, &first, "role", d[i].role);
			json_kv(stdout, &first, "action", review_action_name(d[i].action));
			json_kv(stdout, &first, "from", review_state_name(d[i].from));
			json_kv(stdout, &first, "to", review_state_name(d[i].to));
			json_kv(stdout, &first, "text", d[i].text);
			json_ki(stdout, &first, "run", d[i].run);
			fputs("}", stdout);
		}
		fputs("]}\n", stdout);
	} else {
		printf("finding %lld of %s: %s (%s) in %s line %lld, %s%s%s\n", (long long)it.id, it.cycle,
		       it.check, review_sev_name(it.severity), it.file, (long long)it.line,
		       it.key[0] ? it.key : "no key", it.column[0] ? ", column " : "", it.column);
		printf("project:  %s%s%s (ProjectID %s)\n", it.project[0] ? it.project : "none",
		       it.agency[0] ? ", agency " : "", it.agency,
		       it.source_project[0] ? it.source_project : "-");
		printf("state:    %s%s%s (version %lld)\n", review_state_name(it.state),
		       it.reviewer[0] ? ", assigned to " : "", it.reviewer, (long long)it.version);
		printf("runs:     first seen in %lld, last in %lld (%lld occurrence%s)\n",
		       (long long)it.first_run, (long long)it.last_run, (long long)it.occurrences,
		       it.occurrences == 1 ? "" : "s");
		if (it.fix[0])
			printf("fix:      %s\n", it.fix);
		printf("history:\n");
		if (!n)
			printf("  (no decision yet)\n");
		for (size_t i = 0; i < n; i++)
			printf("  %s  %-12s %-8s %-8s %s -> %s%s%s\n", d[i].at, d[i].who, d[i].role,
			       review_action_name(d[i].action), review_state_name(d[i].from),
			       review_state_name(d[i].to), d[i].text[0] ? ": " : "", d[i].text);
	}
	free(d);
	return EXIT_OK;
}

static int v_finding_decide(struct args *a, enum review_action action)
{
	struct hmx_err err = { 0 };
	struct review_request rq = { 0 };
	struct review_item it;
	const char *ver = opt(a, "version");

	if (item_id_arg(a->pos[0], &rq.item) != EXIT_OK)
		return EXIT_USAGE;
	rq.action = action;
	rq.as = opt(a, "as");
	if (rq.as && !reviewer_name_valid(rq.as))
		return usage_error("bad --as \"%s\": a reviewer's name (see 'hmx reviewer list')", rq.as);
	rq.text = action == RA_ASSIGN ? opt(a, "to") : opt(a, "text");
	if (action == RA_ASSIGN && !rq.text)
		return usage_error("give the reviewer: --to NAME (\"\" to unassign)");
	if (ver) {
		char *end;
		rq.expect_version = strtoll(ver, &end, 10);
		if (*end || end == ver || rq.expect_version <= 0)
			return usage_error("bad --version \"%s\"", ver);
	}
	if (review_decide(the_store, &rq, &it, &err) != HMX_OK)
		return fail_refused(&err);
	printf("finding %lld: %s%s%s\n", (long long)it.id, review_state_name(it.state),
	       it.reviewer[0] ? ", assigned to " : "", it.reviewer);
	return EXIT_OK;
}

#define DECIDE_VERB(fn, act)                                 \
	static int fn(struct globals *g, struct args *a)     \
	{                                                    \
		(void)g;                                     \
		return v_finding_decide(a, act);             \
	}
DECIDE_VERB(v_finding_propose, RA_PROPOSE)
DECIDE_VERB(v_finding_approve, RA_APPROVE)
DECIDE_VERB(v_finding_reject, RA_REJECT)
DECIDE_VERB(v_finding_comment, RA_COMMENT)
DECIDE_VERB(v_finding_waive, RA_WAIVE)
DECIDE_VERB(v_finding_assign, RA_ASSIGN)

/* The restricted session a reviewer's SSH key is forced into: the review
 * screen of their projects and nothing else (tui_options.review_as). */
static int v_review(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct reviewer r;
	const char *as = opt(a, "as"), *cycle = opt(a, "cycle");
	int rc;

	if (!as)
		return usage_error("give the reviewer: --as NAME");
	if (!reviewer_name_valid(as))
		return usage_error("bad --as \"%s\": a reviewer's name (see 'hmx reviewer list')",
				   as);
	if (reviewer_get(the_store, as, &r, &err) != HMX_OK)
		return fail(&err);
	if (cycle) {
		struct cycle_info ci;
		if (cycle_get(the_store, cycle, cal_today(), &ci, &err) != HMX_OK)
			return fail(&err);
	}
	g->tui.review_as = as;
	g->tui.open_cycle = cycle ? cycle : g->tui.open_cycle;
	g->tui.open_screen = NULL;
	rc = tui_run(the_store, &g->tui, &err) == HMX_OK ? EXIT_OK : fail(&err);
	return rc;
}

static int v_report(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	const char *fmt = opt(a, "format"), *outp = opt(a, "output");
	char tmp[4200] = "";
	FILE *out = stdout;
	enum hmx_rc rc;

	(void)g;
	if (!fmt)
		return usage_error("give --format csv or --format md");
	if (strcmp(fmt, "csv") != 0 && strcmp(fmt, "md") != 0)
		return usage_error("bad --format \"%s\": use csv or md", fmt);
	if (opt(a, "project") && opt(a, "agency"))
		return usage_error("give --project or --agency, not both");
	if (outp) {
		int fd;
		if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", outp) >= sizeof tmp)
			return usage_error("--output path too long");
		if ((fd = mkstemp(tmp)) < 0 || !(out = fdopen(fd, "w"))) {
			fprintf(stderr, "%s: cannot write %s: %s\n", progname, outp, strerror(errno));
			if (fd >= 0) {
				close(fd);
				unlink(tmp);
			}
			return EXIT_RUNTIME;
		}
	}
	rc = review_report(the_store, a->pos[0], opt(a, "project"), opt(a, "agency"), fmt, out, &err);
	if (outp) {
		bool ok = rc == HMX_OK && fflush(out) == 0 && fsync(fileno(out)) == 0;
		if (fclose(out) != 0)
			ok = false;
		if (ok && rename(tmp, outp) != 0)
			ok = false;
		if (!ok) {
			unlink(tmp);
			if (rc == HMX_OK)
				rc = hmx_err_set(&err, HMX_EIO, "cannot write %s: %s", outp, strerror(errno));
		}
	}
	return rc == HMX_OK ? EXIT_OK : fail(&err);
}

static int v_help(struct globals *g, struct args *a);

/* ---- consent and the MCP client match ------------------------------------ */

static void json_consent(FILE *f, const struct consent_row *r)
{
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

static int print_consents(const struct consent_row *v, size_t n, int json, const char *none)
{
	if (json)
		fputs("{\"releases\":[", stdout);
	else if (n)
		printf("%-24s %-14s %-10s %-10s %-10s %s\n", "PERSONALID", "SCOPE", "START", "END",
		       "REVOKED", "TODAY");
	for (size_t i = 0; i < n; i++) {
		char a[11], b[11], c[11];

		if (json) {
			if (i)
				fputc(',', stdout);
			json_consent(stdout, &v[i]);
			continue;
		}
		printf("%-24s %-14s %-10s %-10s %-10s %s\n", v[i].personal_id, v[i].scope,
		       cal_format(v[i].start, a), v[i].end == CAL_NO_DAY ? "-" : cal_format(v[i].end, b),
		       v[i].revoked == CAL_NO_DAY ? "-" : cal_format(v[i].revoked, c),
		       consent_verdict_name(consent_check_row(&v[i], cal_today())));
	}
	if (json)
		fputs("]}\n", stdout);
	else if (!n)
		printf("%s\n", none);
	return EXIT_OK;
}

static int v_consent_import(struct globals *g, struct args *a)
{
	struct consent_import_result res;
	struct hmx_err err = { 0 };
	enum hmx_rc rc;

	(void)g;
	rc = consent_import(the_store, a->pos[0], &res, &err);
	if (rc == HMX_EINVAL && res.n_problems) {
		for (size_t i = 0; i < res.n_kept; i++)
			fprintf(stderr, "%s:%llu: %s\n", a->pos[0],
				(unsigned long long)res.problems[i].line, res.problems[i].reason);
		if (res.n_problems > res.n_kept)
			fprintf(stderr, "... and %llu more\n",
				(unsigned long long)(res.n_problems - res.n_kept));
		fprintf(stderr, "%s: %llu bad row(s) of %llu: nothing loaded\n", progname,
			(unsigned long long)res.n_problems, (unsigned long long)res.rows);
		consent_import_result_free(&res);
		return EXIT_USAGE;
	}
	consent_import_result_free(&res);
	if (rc != HMX_OK)
		return fail(&err);
	printf("%llu release(s) loaded for %s (%llu replaced)\n", (unsigned long long)res.loaded,
	       res.scopes, (unsigned long long)res.replaced);
	return EXIT_OK;
}

static int v_consent_list(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct consent_row *v;
	int json = want_json(a), rc;
	size_t n;

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	if (consent_list(the_store, opt(a, "scope"), NULL, &v, &n, &err) != HMX_OK)
		return fail(&err);
	rc = print_consents(v, n, json, "no releases (hmx consent import ROSTER.csv)");
	free(v);
	return rc;
}

static int v_consent_show(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	struct consent_row *v;
	int json = want_json(a), rc;
	size_t n;

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	if (consent_list(the_store, NULL, a->pos[0], &v, &n, &err) != HMX_OK)
		return fail(&err);
	rc = print_consents(v, n, json, "no release for this client: nothing about them may leave");
	free(v);
	return rc;
}

static int v_match_list(struct globals *g, struct args *a)
{
	struct match_list_opts o = {
		.cycle = a->pos[0],
		.from = opt(a, "from"),
		.output = opt(a, "output"),
		.active_since = CAL_NO_DAY,
		.fields = opt(a, "fields"),
		.site = opt(a, "site"),
	};
	struct match_list_result res;
	struct hmx_err err = { 0 };
	int json = want_json(a);

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	if (!o.from || !o.output)
		return usage_error("usage: hmx match list CYCLE --from EXPORT -o FILE (see hmx help match list)");
	if (opt(a, "active-since") && !cal_parse_date(opt(a, "active-since"), &o.active_since))
		return usage_error("bad --active-since \"%s\": use YYYY-MM-DD", opt(a, "active-since"));
	if (match_list(the_store, &o, &res, &err) != HMX_OK)
		return fail(&err);
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
	return EXIT_OK;
}

static int v_match_purge(struct globals *g, struct args *a)
{
	struct match_purge_result res;
	struct hmx_err err = { 0 };
	char q[256];
	size_t n;

	(void)g;
	if (match_unpurged(the_store, a->pos[0], &n, &err) != HMX_OK)
		return fail(&err);
	if (n) {
		snprintf(q, sizeof q, "Delete %zu local client list file(s) of %s?", n, a->pos[0]);
		if (!flag(a, "yes") && !hmx_confirm(q)) {
			fprintf(stderr, "%s: not purged (answer y, or --yes in batch)\n", progname);
			return EXIT_FINDINGS;
		}
	}
	if (match_purge(the_store, a->pos[0], &res, &err) != HMX_OK)
		return fail(&err);
	printf("%zu file(s) removed, %zu already gone", res.purged, res.missing);
	if (res.changed)
		printf(", %zu changed since written", res.changed);
	printf("\n%s\n", res.step_ticked ? "step purge: done" : res.step_note);
	return EXIT_OK;
}

static int v_match_show(struct globals *g, struct args *a)
{
	struct match_summary sum;
	struct match_list_rec *r;
	struct hmx_err err = { 0 };
	struct cycle_info ci;
	int json = want_json(a);
	size_t n;

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	if (cycle_get(the_store, a->pos[0], cal_today(), &ci, &err) != HMX_OK ||
	    match_lists(the_store, a->pos[0], &r, &n, &err) != HMX_OK)
		return fail(&err);
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
	if (match_summary_get(the_store, a->pos[0], &sum, &err) != HMX_OK) {
		free(r);
		return fail(&err);
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
	return EXIT_OK;
}

static int v_match_fields(struct globals *g, struct args *a)
{
	struct hmx_err err = { 0 };
	char buf[256];

	(void)g;
	if (a->npos == 2 && match_site_fields_set(the_store, a->pos[0], a->pos[1], &err) != HMX_OK)
		return fail(&err);
	if (match_site_fields_get(the_store, a->pos[0], buf, sizeof buf, &err) != HMX_OK)
		return fail(&err);
	printf("%s: %s\n", a->pos[0], buf[0] ? buf : "all");
	return EXIT_OK;
}

static int v_match_import(struct globals *g, struct args *a)
{
	struct match_import_opts o = { .cycle = a->pos[0], .path = a->pos[1],
				       .columns = opt(a, "columns") };
	struct match_import_result res;
	struct match_finding *f = NULL;
	struct hmx_err err = { 0 };
	int json = want_json(a);
	size_t n = 0;

	(void)g;
	if (json < 0)
		return EXIT_USAGE;
	if (match_import(the_store, &o, &res, &err) != HMX_OK)
		return fail(&err);
	if (match_findings(the_store, o.cycle, &f, &n, &err) != HMX_OK)
		return fail(&err);
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
	return res.blocking ? EXIT_FINDINGS : EXIT_OK;
}

static int v_match_build(struct globals *g, struct args *a)
{
	struct match_build_opts o = { .cycle = a->pos[0], .dir = opt(a, "output"),
				      .project = opt(a, "project") };
	struct match_build_result res;
	struct hmx_err err = { 0 };
	const char *sp = opt(a, "spec");

	(void)g;
	if (!o.dir)
		return usage_error("usage: hmx match build CYCLE -o DIR [--spec fy2024|fy2026] [--project CODE]");
	if (sp) {
		char up[16];
		size_t i;
		for (i = 0; sp[i] && i < sizeof up - 1; i++)
			up[i] = (char)toupper((unsigned char)sp[i]);
		up[i] = '\0';
		if ((o.spec = spec_version_from_name(up)) == SPEC_UNKNOWN)
			return usage_error("bad --spec \"%s\": fy2024 or fy2026", sp);
	}
	if (match_build(the_store, &o, &res, &err) != HMX_OK)
		return fail(&err);
	printf("HMIS import files in %s: %zu file(s), 0600 (client PII: hand them to the vendor,"
	       " then delete)\n", res.dir, res.files);
	printf("clients %llu, new enrollments %llu, exits %llu (destination 99 to follow up: %llu),"
	       " member changes %llu, service changes %llu\n",
	       (unsigned long long)res.clients, (unsigned long long)res.enrollments,
	       (unsigned long long)res.exits, (unsigned long long)res.follow_up,
	       (unsigned long long)res.member_changes, (unsigned long long)res.service_changes);
	printf("%s\n", res.step_ticked ? "step build-import: done" : res.step_note);
	return EXIT_OK;
}

static const struct verb verbs[] = {
	{ "init", "", "create the workspace database (or check an existing one)", "", 0, 0, v_init, DB_CREATE },
	{ "demo", "[--seed-only]", "make a throwaway demo workspace and open it", "seed-only!", 0, 0,
	  v_demo, DB_NONE },
	{ "cycle kinds", "[--format text|json]", "list the cycle kinds and their seed sections",
	  "format", 0, 0, v_cycle_kinds, DB_NONE },
	{ "cycle new", "KIND PERIOD", "create a cycle (e.g. rdc-upload 2026Q3) with its checklist", "",
	  2, 2, v_cycle_new, DB_OPEN },
	{ "cycle list", "[--all] [--format text|json]", "open cycles, overdue first (--all: closed too)",
	  "all! format", 0, 0, v_cycle_list, DB_OPEN },
	{ "step list", "CYCLE [--format text|json]", "the checklist of a cycle", "format", 1, 1,
	  v_step_list, DB_OPEN },
	{ "step set", "CYCLE STEP STATE [--note TEXT]",
	  "set a step to todo, in-progress, done, skipped or blocked (skipped/blocked need --note)",
	  "note", 3, 3, v_step_set, DB_OPEN },
	{ "step undo", "CYCLE STEP", "revert the last change of a step", "", 2, 2, v_step_undo, DB_OPEN },
	{ "step history", "CYCLE STEP [--format text|json]", "every change of a step", "format", 2, 2,
	  v_step_history, DB_OPEN },
	{ "project list", "[--source S] [--format text|json]", "projects and the upload reporting group",
	  "source format", 0, 0, v_project_list, DB_OPEN },
	{ "project add", "CODE --name NAME --agency AGENCY --source SOURCE [--hud-id ID]",
	  "register a project (source: hmis, rdc-direct or outside-agency)", "name agency source hud-id",
	  1, 1, v_project_add, DB_OPEN },
	{ "project set", "CODE FIELD VALUE", "change name, source, hud-id, agency or active (yes/no)", "",
	  3, 3, v_project_set, DB_OPEN },
	{ "project agency-add", "CODE NAME", "register an agency", "", 2, 2, v_agency_add, DB_OPEN },
	{ "project agencies", "[--format text|json]", "list agencies", "format", 0, 0, v_agency_list,
	  DB_OPEN },
	{ "config get", "[KEY]", "show one setting, or all with their help", "", 0, 1, v_config_get, DB_OPEN },
	{ "config set", "KEY VALUE", "change a setting (e.g. fiscal_year_start_month 10)", "", 2, 2,
	  v_config_set, DB_OPEN },
	{ "audit", "[--cycle C] [--project P] [--who NAME] [--action A] [--from D] [--to D] "
	  "[--limit N] [--format text|json]", "the audit log, oldest first",
	  "cycle project who action from to limit format", 0, 0, v_audit, DB_OPEN },
	{ "validate", "PATH [--format text|csv|json] [--spec FY2024|FY2026] [--cycle C] "
	  "[--max-examples N] [--output FILE] [--quiet] [--threads N] [--timeliness-days N] "
	  "[--inactive-days N]",
	  "check an HMIS CSV export (folder or .zip); exit 1 on blocking findings",
	  "format spec cycle max-examples output quiet! threads timeliness-days inactive-days", 1, 1,
	  v_validate, DB_NONE },
	{ "intake", "CYCLE PATH [--source hmis|rdc|demo|agency:CODE] [--received YYYY-MM-DD] [--no-validate] "
	  "[--format text|json]",
	  "record an export (zip or folder) in a cycle: kept by SHA-256, counted, checked (X05, X07)",
	  "source received no-validate! format", 2, 2, v_intake, DB_OPEN },
	{ "files", "CYCLE [--format text|json]", "the files of a cycle: source, arrival, size, counts, findings",
	  "format", 1, 1, v_files, DB_OPEN },
	{ "map", "CYCLE [FILE PROJECTID PROJECT|--not-ours REASON|--create CODE [--name N] [--agency A] "
	  "[--kind K] [--hud-id ID]|--clear] [--allow-duplicate] | CYCLE [FILE] --accept | "
	  "CYCLE [--format text|json]",
	  "map the projects of a cycle's files to registered projects (state, decisions, X01/X02)",
	  "format accept! not-ours create name agency kind hud-id clear! allow-duplicate!", 1, 4, v_map,
	  DB_OPEN },
	{ "notice", "CYCLE KIND [--to AGENCY] [--edit] [--sent [--date YYYY-MM-DD]] [--format text|json]",
	  "draft of a notice (vendor, RDC, agency, partner); --edit, --sent record it (no mail)",
	  "to edit! sent! date format", 2, 2, v_notice, DB_OPEN },
	{ "notices", "CYCLE [--format text|json]", "the notices of a cycle: new, draft or sent",
	  "format", 1, 1, v_notices, DB_OPEN },
	{ "reconcile", "CYCLE [--format text|json]",
	  "rows per project: files sent for import vs the demo-site export (X06)", "format", 1, 1,
	  v_reconcile, DB_OPEN },
	{ "export build", "CYCLE --from FILE [--from FILE ...] -o FILE [--allow-collisions] "
	  "[--export-id ID|--keep-export-id] [--quiet] [--format text|json]",
	  "write the reporting group's upload export (every project but the rdc-direct ones) "
	  "from files of the cycle or export paths; exit 1 when refused (X03, X04)",
	  "from output allow-collisions! export-id keep-export-id! quiet! format", 1, 1,
	  v_export_build, DB_OPEN },
	{ "site add", "NAME --host HOST [--port P] [--user U] [--identity FILE] [--remote-dir DIR] "
	  "[--role rdc|vendor|agency:CODE|mcp]",
	  "register an SFTP site (host may be a ~/.ssh/config alias; no secret is stored)",
	  "host port user identity remote-dir role", 1, 1, v_site_add, DB_OPEN },
	{ "site list", "[--format text|json]", "the SFTP sites", "format", 0, 0, v_site_list, DB_OPEN },
	{ "site show", "NAME [--format text|json]", "one site's settings", "format", 1, 1, v_site_show,
	  DB_OPEN },
	{ "site remove", "NAME", "forget a site", "", 1, 1, v_site_remove, DB_OPEN },
	{ "site test", "NAME [--accept-new-host-key]",
	  "connect, check the host key, log in, list the remote dir; print fingerprint and timing",
	  "accept-new-host-key!", 1, 1, v_site_test, DB_OPEN },
	{ "ls", "SITE [DIR] [--accept-new-host-key] [--format text|json]",
	  "list a remote directory of a site (size, mtime UTC, name)", "accept-new-host-key! format", 1, 2,
	  v_ls, DB_OPEN },
	{ "pull", "SITE REMOTE... [--to DIR] [--overwrite] [--retries N] [--cycle C [--step S]] "
	  "[--accept-new-host-key]",
	  "download files (resumable, SHA-256, renamed into place; names made safe); with --cycle "
	  "each zip goes to intake with the site's role as source, --step ticks a step",
	  "to overwrite! retries cycle step accept-new-host-key!", 2, MAX_POS, v_pull, DB_OPEN },
	{ "push", "SITE LOCAL... [--to DIR] [--overwrite] [--retries N] [--cycle C [--step S] [--yes]] "
	  "[--accept-new-host-key]",
	  "upload files (to NAME.part, resumable, renamed, size checked; SHA-256 recorded); with "
	  "--cycle asks to tick the step (an rdc-upload cycle's upload step by default)",
	  "to overwrite! retries cycle step yes! accept-new-host-key!", 2, MAX_POS, v_push, DB_OPEN },
	{ "transfers", "[--format text|json]", "the transfer jobs: state, bytes, SHA-256", "format", 0, 0,
	  v_transfers, DB_OPEN },
	{ "transfer retry", "ID [--retries N] [--overwrite] [--accept-new-host-key]",
	  "run a failed, cancelled or interrupted transfer job again from its offset; exit 1 when "
	  "another hmx runs it", "retries overwrite! accept-new-host-key!", 1, 1, v_transfer_retry,
	  DB_OPEN },
	{ "transfer cancel", "ID",
	  "cancel a queued, running or failed transfer job (a running one stops within a second, "
	  "keeping its partial)", "", 1, 1, v_transfer_cancel, DB_OPEN },
	{ "reviewer add", "NAME --key FILE.pub (--projects P1,P2 | --agency A) [--print] "
	  "[--authorized-keys FILE]",
	  "add a partner who reviews findings over SSH; writes their restricted authorized_keys line",
	  "key projects agency print! authorized-keys", 1, 1, v_reviewer_add, DB_OPEN },
	{ "reviewer list", "[--format text|json]", "the reviewers, their keys and projects", "format", 0,
	  0, v_reviewer_list, DB_OPEN },
	{ "reviewer set", "NAME (--projects P1,P2 | --agency A)", "change what a reviewer reviews",
	  "projects agency", 1, 1, v_reviewer_set, DB_OPEN },
	{ "reviewer remove", "NAME [--authorized-keys FILE]",
	  "forget a reviewer and remove their authorized_keys line", "authorized-keys", 1, 1,
	  v_reviewer_remove, DB_OPEN },
	{ "findings", "CYCLE [--project P|-] [--agency A] [--state S] [--check C] [--severity S] "
	  "[--reviewer R] [--as R] [--pending] [--counts] [--format text|json]",
	  "the demo-site review of a cycle: its findings, or counts per project and severity",
	  "project agency state check severity reviewer as pending! counts! format", 1, 1, v_findings,
	  DB_OPEN },
	{ "finding show", "ID [--format text|json]", "one finding of a review and its history", "format",
	  1, 1, v_finding_show, DB_OPEN },
	{ "finding propose", "ID --text FIX [--version N]", "propose a fix (admin)", "text as version", 1,
	  1, v_finding_propose, DB_OPEN },
	{ "finding approve", "ID [--text COMMENT] [--as REVIEWER] [--version N]",
	  "approve the proposed fix", "text as version", 1, 1, v_finding_approve, DB_OPEN },
	{ "finding reject", "ID --text COMMENT [--as REVIEWER] [--version N]",
	  "reject the proposed fix, saying why", "text as version", 1, 1, v_finding_reject, DB_OPEN },
	{ "finding comment", "ID --text COMMENT [--as REVIEWER]", "add a comment (any state)",
	  "text as version", 1, 1, v_finding_comment, DB_OPEN },
	{ "finding waive", "ID --text REASON [--version N]",
	  "waive a finding with a reason (admin; shown in every report)", "text as version", 1, 1,
	  v_finding_waive, DB_OPEN },
	{ "finding assign", "ID --to REVIEWER", "name the reviewer expected to act (admin)",
	  "to as version", 1, 1, v_finding_assign, DB_OPEN },
	{ "review", "--as REVIEWER [--cycle C]",
	  "the review screen of one reviewer only (what their SSH key opens)", "as cycle", 0, 0,
	  v_review, DB_OPEN },
	{ "report", "CYCLE [--project P|--agency A] --format csv|md [-o FILE]",
	  "per-partner review report: findings, state, history, waivers (no client data)",
	  "project agency format output", 1, 1, v_report, DB_OPEN },
	{ "consent import", "ROSTER.csv",
	  "load releases (PersonalID,scope,start,end,revoked); all or nothing; replaces its scopes",
	  "", 1, 1, v_consent_import, DB_OPEN },
	{ "consent list", "[--scope S] [--format text|json]", "the stored releases (IDs and dates)",
	  "scope format", 0, 0, v_consent_list, DB_OPEN },
	{ "consent show", "PERSONALID [--format text|json]", "one client's releases and today's verdict",
	  "format", 1, 1, v_consent_show, DB_OPEN },
	{ "match list", "CYCLE --from EXPORT -o FILE [--active-since DATE] [--fields F,..] [--site S] "
	  "[--format text|json]",
	  "write the MCP client list: active clients with an mcp-match release (0600; manifest)",
	  "from output active-since fields site format", 1, 1, v_match_list, DB_OPEN },
	{ "match show", "CYCLE [--format text|json]",
	  "the cycle's client lists (when, who, rows, SHA-256, kept or purged) and match counts",
	  "format", 1, 1, v_match_show, DB_OPEN },
	{ "match purge", "CYCLE [--yes]", "delete the cycle's local client lists; tick its purge step",
	  "yes!", 1, 1, v_match_purge, DB_OPEN },
	{ "match fields", "SITE [FIELDS|all]", "show or set the fields a site's client list may hold",
	  "", 1, 2, v_match_fields, DB_OPEN },
	{ "match import", "CYCLE MEMBERS.csv [--columns FILE] [--format text|json]",
	  "read the MCP member list back: match it to the lists sent, findings M01-M09 (IDs only); "
	  "replaces the cycle's import; exit 1 on blocking (M02)",
	  "columns format", 2, 2, v_match_import, DB_OPEN },
	{ "match build", "CYCLE -o DIR [--spec fy2024|fy2026] [--project CODE]",
	  "write the HMIS import files of the MCP project (HUD CSV export + mcp_companion.csv): "
	  "only the changes since the last build",
	  "output spec project", 1, 1, v_match_build, DB_OPEN },
	{ "help", "[VERB]", "this list, or one verb's usage", "", 0, 2, v_help, DB_NONE },
};

#define N_VERBS (sizeof verbs / sizeof verbs[0])

static int v_help(struct globals *g, struct args *a)
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
		return EXIT_OK;
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
			return EXIT_OK;
	}
	return usage_error("no verb \"%s\" (see 'hmx help')", want);
}

/* ---- hooks --------------------------------------------------------------- */

static void cli_log(void *ctx, enum hmx_log_level level, const char *msg)
{
	(void)ctx;
	if (level >= HMX_LOG_WARN)
		fprintf(stderr, "%s: %s: %s\n", progname, level == HMX_LOG_WARN ? "warning" : "error", msg);
}

/* Asks on the terminal; answers No without one (batch) or on anything but
 * y/yes. */
static bool cli_confirm(void *ctx, const char *question)
{
	char line[16];

	(void)ctx;
	if (!isatty(STDIN_FILENO))
		return false;
	fprintf(stderr, "%s [y/N] ", question);
	fflush(stderr);
	if (!fgets(line, sizeof line, stdin))
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, "y") == 0 || strcmp(line, "Y") == 0 || strcmp(line, "yes") == 0;
}

/* ---- main ------------------------------------------------------------------ */

static bool parse_size(const char *s, int *cols, int *rows)
{
	char x;

	return sscanf(s, "%d%c%d", cols, &x, rows) == 3 && (x == 'x' || x == 'X') && *cols >= 10 &&
	       *cols <= 1000 && *rows >= 5 && *rows <= 1000;
}

/* Global options come before the verb. Returns the index of the verb or
 * argc, or -1 after printing a usage error. */
static int parse_globals(int argc, char **argv, struct globals *g)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *s = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (s[0] != '-')
			break;
#define NEED_VAL                                                   \
	do {                                                       \
		if (!val) {                                        \
			usage_error("%s needs a value", s);        \
			return -1;                                 \
		}                                                  \
		i++;                                               \
	} while (0)
		if (strcmp(s, "--db") == 0) {
			NEED_VAL;
			g->db = val;
		} else if (strcmp(s, "--readonly") == 0) {
			g->readonly = g->tui.readonly = true;
		} else if (strcmp(s, "--no-color") == 0) {
			g->tui.no_color = true;
		} else if (strcmp(s, "--ascii") == 0) {
			g->tui.ascii = true;
		} else if (strcmp(s, "--keys") == 0) {
			NEED_VAL;
			g->tui.keys_file = val;
		} else if (strcmp(s, "--dump-screen") == 0) {
			NEED_VAL;
			g->tui.dump_file = val;
		} else if (strcmp(s, "--dump-colors") == 0) {
			NEED_VAL;
			g->tui.colors_file = val;
		} else if (strcmp(s, "--size") == 0) {
			NEED_VAL;
			if (!parse_size(val, &g->tui.cols, &g->tui.rows)) {
				usage_error("bad --size \"%s\": use COLSxROWS, e.g. 80x24", val);
				return -1;
			}
		} else if (strcmp(s, "--cycle") == 0) {
			NEED_VAL;
			g->tui.open_cycle = val;
		} else if (strcmp(s, "--screen") == 0) {
			NEED_VAL;
			g->tui.open_screen = val;
		} else if (strcmp(s, "--version") == 0 || strcmp(s, "-V") == 0) {
			printf("hmx %s\n", HMX_VERSION);
			exit(EXIT_OK);
		} else if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
			return argc + 1; /* help */
		} else {
			usage_error("unknown option %s (see 'hmx help')", s);
			return -1;
		}
#undef NEED_VAL
	}
	return i;
}

int main(int argc, char **argv)
{
	struct globals g = { 0 };
	struct hmx_hooks hooks = { .log = cli_log, .confirm = cli_confirm };
	struct hmx_err err = { 0 };
	const struct verb *v = NULL;
	struct args a;
	int vi, rc, used = 0;

	hmx_hooks_install(&hooks);
	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		g.tui.no_color = true;
	vi = parse_globals(argc, argv, &g);
	if (vi < 0)
		return EXIT_USAGE;
	if (!g.db && getenv("HMX_DB") && *getenv("HMX_DB"))
		g.db = getenv("HMX_DB");
	if (vi > argc) {
		struct args none = { 0 };
		return v_help(&g, &none);
	}
	if (vi == argc) {
		/* no verb: the console */
		if ((rc = open_store(&g, STORE_CREATE, &err)) != EXIT_OK)
			return rc;
		rc = tui_run(the_store, &g.tui, &err) == HMX_OK ? EXIT_OK : fail(&err);
		store_close(&the_store);
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
				return usage_error("'%s' needs a sub-command (see 'hmx help %s')", argv[vi],
						   argv[vi]);
		}
		return usage_error("unknown verb \"%s\" (see 'hmx help')", argv[vi]);
	}
	if ((rc = parse_args(v, argc - vi - used, argv + vi + used, &a)) != EXIT_OK)
		return rc;
	if (v->db && (rc = open_store(&g, v->db == DB_CREATE ? STORE_CREATE : 0, &err)) != EXIT_OK)
		return rc;
	rc = v->run(&g, &a);
	if (fflush(stdout) != 0 && rc == EXIT_OK) {
		fprintf(stderr, "%s: cannot write output: %s\n", progname, strerror(errno));
		rc = EXIT_RUNTIME;
	}
	store_close(&the_store);
	return rc;
}
