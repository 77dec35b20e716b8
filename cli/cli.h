/* cli/cli.h — the hmx command line: the parsed arguments, the verb table's
 * entry, the helpers every verb shares, and the verbs themselves (one
 * cli_<verb> per row of main.c's table, grouped by file below).
 *
 * A verb runs once per process: main.c parses the words (cli_parse_args),
 * opens the workspace store when the verb needs it (cli_open_store), calls
 * the verb and closes the store. A verb prints its output on stdout (text,
 * or JSON with --format json) and its errors as one line on stderr, and
 * returns an exit code: CLI_EXIT_OK, CLI_EXIT_FINDINGS (blocking or refused),
 * CLI_EXIT_USAGE (usage, EINVAL, ENOTFOUND, EEXIST) or CLI_EXIT_RUNTIME. */
#ifndef HMX_CLI_CLI_H
#define HMX_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/calendar.h"
#include "core/cycle.h"
#include "core/hmx.h"
#include "core/store.h"
#include "tui/tui.h"

enum { CLI_EXIT_OK = 0, CLI_EXIT_FINDINGS = 1, CLI_EXIT_USAGE = 2, CLI_EXIT_RUNTIME = 3 };
enum { CLI_DB_NONE, CLI_DB_OPEN, CLI_DB_CREATE };

#define CLI_MAX_POS 16
#define CLI_MAX_OPT 16

/* A verb's words after its name. pos[] and the values point into argv;
 * option names are copied into names[]. */
struct cli_args {
	const char *pos[CLI_MAX_POS];
	int npos;
	struct { const char *name, *value; } opt[CLI_MAX_OPT];
	char names[CLI_MAX_OPT][48];
	int nopt;
};

/* The global options before the verb (strings point into argv). */
struct cli_globals {
	const char *db;
	bool readonly;
	struct tui_options tui;
};

struct cli_verb {
	const char *name;     /* "cycle new" */
	const char *usage;    /* arguments after the name */
	const char *help;     /* one line */
	const char *options;  /* space-separated options taking a value, '!' suffix: flag */
	int min_pos, max_pos;
	int (*run)(struct cli_globals *g, struct cli_args *a);
	int db;               /* CLI_DB_NONE, CLI_DB_OPEN: existing, CLI_DB_CREATE: if missing */
};

/* ---- cli/args.c: parsing ------------------------------------------------ */

/* Fills *a from the words after v's name; prints a usage error and returns
 * CLI_EXIT_USAGE on an unknown option, a missing value or a wrong count. */
int cli_parse_args(const struct cli_verb *v, int argc, char **argv, struct cli_args *a);

/* Global options come before the verb. Returns the index of the verb or
 * argc, argc + 1 for --help, or -1 after printing a usage error; --version
 * prints and exits. */
int cli_parse_globals(int argc, char **argv, struct cli_globals *g);

/* The value of --name (the last one given), NULL when absent; points into
 * argv or is "yes" for a flag. */
const char *cli_opt(const struct cli_args *a, const char *name);
bool cli_flag(const struct cli_args *a, const char *name);

/* --format text|json (default text): 0 text, 1 json, -1 after printing a
 * usage error on any other value. */
int cli_want_json(const struct cli_args *a);

/* ---- cli/cli.c: shared by every verb ------------------------------------ */

extern const char cli_progname[]; /* "hmx", the prefix of every error line */

/* Prints "hmx: <message>" on stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints err's message and maps its status to an exit code (EINVAL,
 * ENOTFOUND, EEXIST: usage; OK: ok; else runtime). */
int cli_fail(const struct hmx_err *err);

/* Opens the workspace store ($HMX_DB, --db or the default path; read-only
 * with --readonly); prints the error and returns its exit code on failure.
 * The store is owned here: cli_store() lends it to the verbs until
 * cli_close_store() (main, after the verb) closes it. */
int cli_open_store(struct cli_globals *g, unsigned flags, struct hmx_err *err);
struct store *cli_store(void);
void cli_close_store(void);

/* "overdue 3 days", "due today", "2 days left", "met" or "-". */
void cli_days_phrase(char *buf, size_t n, cal_day deadline, cal_day today, enum due_status ds);

/* Writes "key":"YYYY-MM-DD" (or null for CAL_NO_DAY) into a JSON object. */
void cli_json_kday(FILE *f, bool *first, const char *key, cal_day d);

/* Prints a remote name so that no byte of it can drive the terminal. */
void cli_print_safe(FILE *f, const char *s);

/* How a list verb prints its rows: with --format json one object
 * {"<array>":[row,...]}; as text the head line (when there are rows), one
 * line per row, and the none line when there are none. Rows are an array
 * of n elements of size bytes; the callbacks get a pointer to one. */
struct cli_list {
	const char *array;                               /* JSON member name */
	const char *head;                                /* text: with its '\n'; NULL: none */
	const char *none;                                /* text: without '\n'; NULL: none */
	void (*json_row)(FILE *f, const void *row);      /* one JSON object */
	void (*text_row)(const void *row);               /* one text line (or more) on stdout */
};

/* Prints rows on stdout as l says, in JSON when json; returns CLI_EXIT_OK. */
int cli_print_list(const struct cli_list *l, const void *rows, size_t n, size_t size, int json);

/* The hooks main installs (core/hmx.h): warnings and errors on stderr; a
 * y/N question on the terminal, No without one. */
void cli_log(void *ctx, enum hmx_log_level level, const char *msg);
bool cli_confirm(void *ctx, const char *question);

/* ---- the verbs: (g, a) -> exit code ------------------------------------- */

#define CLI_VERB(name) int name(struct cli_globals *g, struct cli_args *a)

/* cli/cycle.c */
CLI_VERB(cli_init);
CLI_VERB(cli_demo);
CLI_VERB(cli_cycle_kinds);
CLI_VERB(cli_cycle_new);
CLI_VERB(cli_cycle_list);
CLI_VERB(cli_step_list);
CLI_VERB(cli_step_set);
CLI_VERB(cli_step_undo);
CLI_VERB(cli_step_history);
CLI_VERB(cli_project_list);
CLI_VERB(cli_project_add);
CLI_VERB(cli_project_set);
CLI_VERB(cli_agency_add);
CLI_VERB(cli_agency_list);
CLI_VERB(cli_config_get);
CLI_VERB(cli_config_set);
CLI_VERB(cli_audit);

/* cli/validate.c */
struct intake_info;
/* The text summary of a newly intaken file (hmx intake, hmx pull --cycle). */
void cli_print_intake_new(const struct intake_info *in);
CLI_VERB(cli_validate);
CLI_VERB(cli_intake);
CLI_VERB(cli_files);
CLI_VERB(cli_map);
CLI_VERB(cli_export_build);

/* cli/transfer.c */
CLI_VERB(cli_site_add);
CLI_VERB(cli_site_list);
CLI_VERB(cli_site_show);
CLI_VERB(cli_site_remove);
CLI_VERB(cli_site_test);
CLI_VERB(cli_ls);
CLI_VERB(cli_pull);
CLI_VERB(cli_push);
CLI_VERB(cli_transfers);
CLI_VERB(cli_transfer_retry);
CLI_VERB(cli_transfer_cancel);

/* cli/review.c */
CLI_VERB(cli_notice);
CLI_VERB(cli_notices);
CLI_VERB(cli_reconcile);
CLI_VERB(cli_reviewer_add);
CLI_VERB(cli_reviewer_list);
CLI_VERB(cli_reviewer_set);
CLI_VERB(cli_reviewer_remove);
CLI_VERB(cli_findings);
CLI_VERB(cli_finding_show);
CLI_VERB(cli_finding_propose);
CLI_VERB(cli_finding_approve);
CLI_VERB(cli_finding_reject);
CLI_VERB(cli_finding_comment);
CLI_VERB(cli_finding_waive);
CLI_VERB(cli_finding_assign);
CLI_VERB(cli_review);
CLI_VERB(cli_report);

/* cli/match.c */
CLI_VERB(cli_consent_import);
CLI_VERB(cli_consent_list);
CLI_VERB(cli_consent_show);
CLI_VERB(cli_match_list);
CLI_VERB(cli_match_show);
CLI_VERB(cli_match_purge);
CLI_VERB(cli_match_fields);
CLI_VERB(cli_match_import);
CLI_VERB(cli_match_build);

#endif
