/* cli/args.c — the command line's words: a verb's options and positional
 * arguments (cli_parse_args) and the global options before the verb. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

const char *cli_opt(const struct cli_args *a, const char *name)
{
	for (int i = a->nopt - 1; i >= 0; i--)
		if (strcmp(a->opt[i].name, name) == 0)
			return a->opt[i].value;
	return NULL;
}

bool cli_flag(const struct cli_args *a, const char *name)
{
	return cli_opt(a, name) != NULL;
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

int cli_parse_args(const struct cli_verb *v, int argc, char **argv, struct cli_args *a)
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
				return cli_usage_error("-o needs a value");
			if (a->nopt == CLI_MAX_OPT)
				return cli_usage_error("too many options");
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
				return cli_usage_error("unknown option %s (see 'hmx help %s')", s, v->name);
			memcpy(name, s + 2, nl);
			name[nl] = '\0';
			kind = opt_kind(v->options, name);
			if (!kind)
				return cli_usage_error("unknown option --%s for '%s' (see 'hmx help %s')", name,
						   v->name, v->name);
			if (a->nopt == CLI_MAX_OPT)
				return cli_usage_error("too many options");
			if (kind == 2) {
				if (eq)
					return cli_usage_error("--%s takes no value", name);
				a->opt[a->nopt].value = "yes";
			} else if (eq) {
				a->opt[a->nopt].value = eq + 1;
			} else if (i + 1 < argc) {
				a->opt[a->nopt].value = argv[++i];
			} else {
				return cli_usage_error("--%s needs a value", name);
			}
			memcpy(a->names[a->nopt], name, nl + 1);
			a->opt[a->nopt].name = a->names[a->nopt];
			a->nopt++;
		} else {
			if (a->npos == CLI_MAX_POS)
				return cli_usage_error("too many arguments");
			a->pos[a->npos++] = s;
		}
	}
	if (a->npos < v->min_pos || a->npos > v->max_pos)
		return cli_usage_error("usage: hmx %s %s", v->name, v->usage);
	return CLI_EXIT_OK;
}

/* --format text|json (default text); -1 on a bad value. */
int cli_want_json(const struct cli_args *a)
{
	const char *f = cli_opt(a, "format");

	if (!f || strcmp(f, "text") == 0)
		return 0;
	if (strcmp(f, "json") == 0)
		return 1;
	cli_usage_error("bad --format \"%s\": use text or json", f);
	return -1;
}


static bool parse_size(const char *s, int *cols, int *rows)
{
	char x;

	return sscanf(s, "%d%c%d", cols, &x, rows) == 3 && (x == 'x' || x == 'X') && *cols >= 10 &&
	       *cols <= 1000 && *rows >= 5 && *rows <= 1000;
}

/* Global options come before the verb. Returns the index of the verb or
 * argc, or -1 after printing a usage error. */
int cli_parse_globals(int argc, char **argv, struct cli_globals *g)
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
			cli_usage_error("%s needs a value", s);        \
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
				cli_usage_error("bad --size \"%s\": use COLSxROWS, e.g. 80x24",
						val);
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
			exit(CLI_EXIT_OK);
		} else if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
			return argc + 1; /* help */
		} else {
			cli_usage_error("unknown option %s (see 'hmx help')", s);
			return -1;
		}
#undef NEED_VAL
	}
	return i;
}
