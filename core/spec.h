/* core/spec.h — the HMIS CSV specifications (FY2024, FY2026) and hmx's
 * check catalog as read-only tables, loaded at start-up from the CSV files
 * of assets/spec/ and assets/checks.csv, compiled into the binary. Nothing
 * here is hand-written C data: files, columns, types, lengths,
 * nullability, keys, code lists and the rule that picks a code list from
 * another column all come from those files.
 *
 * A loaded struct spec is immutable and may be shared by threads. The
 * column, file and rule structs below are plain read-only views into it,
 * valid until spec_free(); code lists are opaque. */
#ifndef HMX_CORE_SPEC_H
#define HMX_CORE_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "hmx.h"

/* A CSV version family hmx knows. The names ("FY2024") are the `spec`
 * column of assets/spec/versions.csv. */
enum spec_version {
	SPEC_UNKNOWN = 0,
	SPEC_FY2024,
	SPEC_FY2026,
};

enum spec_type {
	SPEC_STRING,
	SPEC_INTEGER,
	SPEC_DATE,     /* yyyy-mm-dd */
	SPEC_DATETIME, /* yyyy-mm-dd hh:mm:ss */
	SPEC_MONEY,
};

struct spec;          /* one loaded version */
struct spec_codelist; /* one HUD list ("1.8") as used by one column */
struct spec_file;
struct spec_column;

/* One condition of a code-list rule: the selector column's value, read as
 * an integer, is one of values[]. */
struct spec_cond {
	const struct spec_column *column;
	size_t nvalues;
	const long *values;
};

/* "Use list L when all conditions hold" (assets/spec/code_select.csv). */
struct spec_rule {
	const struct spec_codelist *list;
	size_t nconds;
	const struct spec_cond *conds;
};

struct spec_column {
	const struct spec_file *file;
	const char *name;
	size_t index;                      /* 0-based; spec column_order - 1 */
	enum spec_type type;
	size_t max_len;                    /* 0: no maximum in the spec */
	bool nullable;
	bool pk;                           /* notes "PK (unique)" */
	bool eva_hp;                       /* notes "Eva HP column" */
	bool group_key;                    /* notes "group key" (HouseholdID) */
	const struct spec_file *fk_file;   /* notes "FK->File.Column", or NULL */
	const struct spec_column *fk_column;
	const char *notes;                 /* the notes cell as written */
	size_t nlists;                     /* HUD code lists of this column */
	const struct spec_codelist *const *lists;
	size_t nrules;                     /* list-selection rules, in order */
	const struct spec_rule *rules;
};

struct spec_file {
	const char *name;                  /* "Client.csv" */
	size_t order;                      /* 0-based position in spec order */
	bool required;                     /* P03 when absent */
	bool eva_skipped;                  /* notes "file skipped by Eva checks" */
	size_t ncolumns;
	const struct spec_column *columns; /* in spec order */
	const struct spec_column *pk;      /* primary key column, or NULL */
};

/* Loads version v from the embedded assets into a new *out (free with
 * spec_free). HMX_EINVAL for SPEC_UNKNOWN or a malformed asset (message
 * names asset and line), HMX_ENOMEM. */
enum hmx_rc spec_load(enum spec_version v, struct spec **out, struct hmx_err *err);
/* Frees *s and sets it to NULL; NULL or *s == NULL is fine. */
void spec_free(struct spec **s);

/* The version s was loaded for. */
enum spec_version spec_get_version(const struct spec *s);
/* "FY2024", "FY2026"; NULL for SPEC_UNKNOWN. Static storage. */
const char *spec_version_name(enum spec_version v);
/* Inverse of spec_version_name, case-insensitive ("fy2026" works, for
 * --spec); SPEC_UNKNOWN when nothing matches. */
enum spec_version spec_version_from_name(const char *name);
/* Version family of an Export.csv CSVVersion value (not NUL-dependent):
 * optional blanks, the four-digit year of a versions.csv row, then nothing
 * or blanks + "v" + digits with dots ("2024 v1.3" -> FY2024, "2026 v1" ->
 * FY2026). Anything else is SPEC_UNKNOWN (P06). */
enum spec_version spec_detect(const char *csvversion, size_t len);

/* Number of files, and the i-th in spec order (Export.csv first; NULL
 * past the end). Pointers live as long as s. */
size_t spec_nfiles(const struct spec *s);
const struct spec_file *spec_file_at(const struct spec *s, size_t i);
/* File by name, case-insensitive ("client.csv"); NULL when unknown. */
const struct spec_file *spec_file_find(const struct spec *s, const char *name);
/* Column of f named name[0..len), case-insensitive; *exact (may be NULL)
 * says whether the case matched too. An exact match wins over a
 * case-insensitive one. NULL when none. */
const struct spec_column *spec_column_find(const struct spec_file *f, const char *name,
	size_t len, bool *exact);
/* "string", "integer", "date", "datetime", "money". */
const char *spec_type_name(enum spec_type t);

/* Code lists. Codes of an integer column are compared as integers ("01"
 * is code 1), of a string column byte for byte. */
/* HUD list id ("1.8") and number of codes of l. */
const char *spec_list_id(const struct spec_codelist *l);
size_t spec_list_size(const struct spec_codelist *l);
/* i-th code and label in the asset's order (NULL past the end); valid for
 * the spec's life. */
const char *spec_list_code(const struct spec_codelist *l, size_t i);
const char *spec_list_label(const struct spec_codelist *l, size_t i);
/* Whether v[0..len) is a code of l. */
bool spec_list_has(const struct spec_codelist *l, const char *v, size_t len);
/* The list that applies to column c in one row: the first rule of c whose
 * conditions all hold, reading selector values through get (which returns
 * false when the selector is empty or not an integer). NULL when c has no
 * rule that holds: then every list of c applies (spec_code_valid). */
const struct spec_codelist *spec_codes_pick(const struct spec_column *c,
	bool (*get)(void *ctx, const struct spec_column *selector, long *value), void *ctx);
/* S18 test: true when c has no code list, or v is in picked, or (picked
 * NULL) v is in any list of c. Empty values are the caller's business. */
bool spec_code_valid(const struct spec_column *c, const struct spec_codelist *picked,
	const char *v, size_t len);

/* ---- the check catalog (assets/checks.csv) ---- */

enum spec_severity {
	SPEC_SEV_WARNING,
	SPEC_SEV_ERROR,
	SPEC_SEV_BLOCKING,
	SPEC_SEV_KEYED, /* "blocking|error": blocking on key / Eva HP columns */
};

struct spec_check {
	const char *id;       /* "K01" */
	char family;          /* 'P', 'S', 'K', 'Q', 'D', 'X' */
	enum spec_severity severity;
	const char *scope;    /* "package", "structure", ... */
	const char *files;    /* as written: "-", "all", "Client.csv+Enrollment.csv" */
	const char *summary;
	const char *eva_id;   /* "" when none */
};

struct spec_checks;

/* Loads the catalog into a new *out (free with spec_checks_free).
 * HMX_EINVAL for a malformed asset, HMX_ENOMEM. */
enum hmx_rc spec_checks_load(struct spec_checks **out, struct hmx_err *err);
/* Frees *c and sets it to NULL; NULL or *c == NULL is fine. */
void spec_checks_free(struct spec_checks **c);
/* Number of checks in the catalog. */
size_t spec_checks_count(const struct spec_checks *c);
/* i-th check in catalog order; NULL past the end. */
const struct spec_check *spec_checks_at(const struct spec_checks *c, size_t i);
/* Check by id, case-insensitive; NULL when unknown. */
const struct spec_check *spec_check_find(const struct spec_checks *c, const char *id);
/* "warning", "error", "blocking", "blocking|error". */
const char *spec_severity_name(enum spec_severity s);
/* Severity of one finding of k about column col (may be NULL): resolves
 * SPEC_SEV_KEYED to blocking for a PK, FK or Eva HP column, else error. */
enum spec_severity spec_check_severity(const struct spec_check *k, const struct spec_column *col);

#endif
