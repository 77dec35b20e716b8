/* main.c — the hmx command line: global options, the verb table, and the
 * non-interactive verbs. With no verb it opens the TUI (tui/tui.h).
 * Output is text or JSON on stdout; errors are one line on stderr.
 * Exit codes: 0 ok, 1 blocking findings, 2 usage error, 3 runtime error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/calendar.h"
#include "core/config.h"
#include "core/cycle.h"
#include "core/demo.h"
#include "core/registry.h"
#include "core/store.h"
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

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* "key": "value" with a leading comma unless first. */
static void json_kv(FILE *f, bool *first, const char *key, const char *value)
{
	fputs(*first ? "" : ",", f);
	*first = false;
	json_str(f, key);
	fputc(':', f);
	json_str(f, value);
}

static void json_ki(FILE *f, bool *first, const char *key, long long value)
{
	fputs(*first ? "" : ",", f);
	*first = false;
	json_str(f, key);
	fprintf(f, ":%lld", value);
}

static void json_kday(FILE *f, bool *first, const char *key, cal_day d)
{
	char buf[11];

	fputs(*first ? "" : ",", f);
	*first = false;
	json_str(f, key);
	fputc(':', f);
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
	if (audit_list(the_store, opt(a, "cycle"), (size_t)limit, &r, &n, &err) != HMX_OK)
		return fail(&err);
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

static int v_help(struct globals *g, struct args *a);

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
	{ "audit", "[--cycle C] [--limit N] [--format text|json]", "the audit log, oldest first",
	  "cycle limit format", 0, 0, v_audit, DB_OPEN },
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
		       "usage: hmx [--db PATH] [--readonly] [--no-color] [--ascii] [VERB ...]\n"
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
	struct hmx_hooks hooks = { .log = cli_log };
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
