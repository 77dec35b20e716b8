/* core/validate.h — the HMIS CSV validator: runs hmx's check catalog
 * (families P, S and K so far; Q and D plug in through validate_int.h)
 * over an export given as a folder or a .zip, and hands every finding to a
 * callback in the contract's order (shared/reference/checks.md): package
 * findings (P) first, then files in spec order, then line, then check id
 * (string order), then the order in which the engine met them. Same input,
 * same options: same findings, byte for byte, whatever the thread count.
 *
 * How a run goes: open the package (P01, P02, P08, P09), read the CSV
 * version from Export.csv (P06 unless forced), read Export.csv, then stream
 * every other file through core/hmiscsv once — a worker thread per file
 * where both cores pay, each file starting when the files whose keys it
 * checks against are complete — running the S checks per cell and the K
 * checks against compact key tables; then the cross-file pass; then the
 * findings, buffered per file in bounded memory (spilled to unlinked
 * temporary files past a few thousand), are merged and delivered.
 *
 * A finding names the record by IDs only ("PersonalID=123"), and column
 * names and short categories: never a name, SSN, date of birth or free
 * text from the data. */
#ifndef HMX_CORE_VALIDATE_H
#define HMX_CORE_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmiscsv.h"
#include "hmx.h"
#include "spec.h"

/* One finding. Strings are valid during the callback only. */
struct validate_finding {
	const char *check;            /* "K01" */
	enum spec_severity severity;  /* resolved: warning, error or blocking */
	const char *file;             /* "Client.csv"; for P findings the entry or
	                               * folder concerned, or "" */
	uint64_t line;                /* 1-based physical line; 0: file or package */
	const char *key;              /* "PersonalID=123", "HouseholdID=h1" or "" */
	const char *column;           /* column concerned, or "" */
	const char *detail;           /* short category ("missing", "dk") or "" */
	const char *project;          /* ProjectID the finding belongs to, or "" */
};

/* Receives findings in order. A nonzero return stops the delivery (the
 * run then ends with HMX_ESTATE, "cancelled"). */
typedef int (*validate_finding_fn)(void *ctx, const struct validate_finding *f);

struct validate_result;

struct validate_opts {
	enum spec_version spec;        /* SPEC_UNKNOWN: detect from CSVVersion */
	struct hmiscsv_limits limits;  /* zero members: hmiscsv defaults */
	unsigned threads;              /* worker threads; 0: one per core, at most 4 */
	const char *tmpdir;            /* where findings spill; NULL: $TMPDIR, /tmp */
	/* Q24: a record created more than this many days after its entry or
	 * exit date is late (default 6: a seven-day policy). Q25: an open
	 * night-by-night or outreach stay without a bed night or contact in
	 * this many days before the report end is inactive (default 90). */
	unsigned timeliness_days;
	unsigned inactive_days;
	/* X03: ProjectIDs the registry knows as rdc-direct (they enter data
	 * directly into the state warehouse), which an upload export must not
	 * hold; one X03 per such project in Project.csv. Borrowed; may be NULL. */
	const char *const *rdc_direct;
	size_t n_rdc_direct;
	/* Called once, after every check ran and before the first finding is
	 * delivered, with the complete result (counts included), so a report
	 * can write its summary first. May be NULL. */
	void (*on_summary)(void *ctx, const struct validate_result *res);
};

/* Fills o with the defaults (detect the version, default limits, auto
 * threads, Q24 and Q25 limits 6 and 90 days). */
void validate_opts_default(struct validate_opts *o);

/* ---- the result ---- */

enum { VALIDATE_NSEV = 3 }; /* counts[] index: SPEC_SEV_WARNING, _ERROR, _BLOCKING */

struct validate_file_info {
	const char *name;        /* spec name, "Client.csv" */
	bool present;            /* an entry of that name is in the package */
	bool header;             /* a header record was read */
	bool halted;             /* a structural problem (S04, a size guard, a
	                          * read error) ended the file early */
	uint64_t rows;           /* data records read, deleted ones included */
	uint64_t deleted;        /* of which carry DateDeleted (S17) */
	uint64_t bytes;          /* bytes read (decompressed) */
};

struct validate_check_count {
	const struct spec_check *check;          /* catalog entry */
	uint64_t total;
	uint64_t by_sev[VALIDATE_NSEV];
};

struct validate_project_info {
	const char *id;           /* ProjectID */
	const char *name;         /* ProjectName (printable copy), may be "" */
	uint64_t by_sev[VALIDATE_NSEV];
};

struct validate_result {
	enum spec_version spec;   /* version validated against; SPEC_UNKNOWN after P06 */
	bool spec_forced;         /* chosen by opts.spec */
	bool unreadable;          /* P01: the input could not be read at all */
	bool stopped;             /* P06 or P09 ended validation early */
	/* facts of Export.csv's first record (printable copies, "" when absent) */
	char version[64];         /* CSVVersion as written, "2024 v1.3" */
	char export_id[64];
	char source_name[64];
	char software[64];
	char export_date[24];
	char start_date[16];
	char end_date[16];
	int hash_status;          /* -1 when absent */
	char started[24], finished[24]; /* UTC, YYYY-MM-DDTHH:MM:SSZ */
	double seconds;           /* wall time of the run */
	uint64_t bytes;           /* bytes read, all files */

	size_t nfiles;            /* files of the spec, in spec order */
	struct validate_file_info *files;
	size_t nchecks;           /* every check of the catalog, in catalog order */
	struct validate_check_count *checks;
	uint64_t by_sev[VALIDATE_NSEV];
	uint64_t total;           /* findings */
	size_t nprojects;         /* projects of Project.csv, in file order */
	struct validate_project_info *projects;
	uint64_t no_project[VALIDATE_NSEV]; /* findings tied to no known project */
	/* Q24 (APR 6e), flagged or not: live enrollments [0] and exits [1] by
	 * days from their entry or exit date to the date the record was
	 * created, in buckets 0 (or less), 1-3, 4-6, 7-10, 11+ */
	uint64_t timeliness[2][5];
	unsigned timeliness_days;  /* the limit Q24 applied */

	void *priv;               /* owned storage; validate_result_free */
};

/* Runs the validator over the export at path. Every finding goes to cb
 * (may be NULL) in order; res (required) gets the summary, to be freed
 * with validate_result_free even on error. Input problems are findings,
 * not errors: an unreadable path gives P01 (res->unreadable) and HMX_OK.
 * Errors: HMX_ENOMEM; HMX_EIO when the findings cannot be spilled to the
 * temporary directory or a file changes under the run; HMX_EINVAL for bad
 * options or a broken built-in asset; HMX_ESTATE when cb stopped the run.
 * opts may be NULL (defaults). */
enum hmx_rc validate_run(const char *path, const struct validate_opts *opts,
	validate_finding_fn cb, void *ctx, struct validate_result *res, struct hmx_err *err);

/* Frees what res owns and zeroes it; safe on a zeroed or freed result. */
void validate_result_free(struct validate_result *res);

/* Whether res holds a blocking finding (hmx validate exits 1). */
bool validate_blocking(const struct validate_result *res);

/* Count of one check by id ("K01"), 0 when unknown or silent. */
uint64_t validate_count(const struct validate_result *res, const char *check);

/* "warning", "error", "blocking" for a resolved severity. */
const char *validate_severity_name(enum spec_severity s);

#endif
