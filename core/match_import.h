/* core/match_import.h — the MCP client match, part 2: the member list
 * back (seed 002 p.2, "Data elements for the MCP to include for each
 * matched client").
 *
 * match_import() reads the member list (CSV with a header; columns named
 * by the mapping below), matches every row back to the cycle's client
 * lists (table match_sent) and checks it (checks M01-M09 of
 * assets/checks.csv, category "match"): unknown HMIS Client ID (M01), a
 * client never sent this cycle (M02, blocking: a privacy incident), name
 * or DOB disagreeing with the list sent (M03, M04; compared with the
 * local list file when it is still there with its recorded SHA-256, else
 * M05 says the comparison was skipped), duplicate rows (M06), dates that
 * are not dates (M07) or end before they start (M08), a missing effective
 * date or an unknown option word (M09). Findings name the line, the HMIS
 * Client ID and the column title, never a name or a date of birth.
 *
 * Rows without an error or blocking finding are kept (IDs, codes and
 * dates only): table match_return (MCP, plan type "medi-cal" or "d-snp",
 * member ID, CIN, effective and termination dates) and match_service (one
 * row per ECM/CS service: "ECM" or the Community Support's name, enrolled,
 * provider, start, end). Known member IDs go to match_member. Names and
 * DOBs are read to compare and dropped; the file's path and SHA-256 are
 * recorded (hmx match build re-reads it for Client.csv's names).
 *
 * One import per cycle: importing again (the same file or a corrected
 * one) replaces the cycle's member rows and import record in one
 * transaction; the findings of each import are a validation_run of the
 * cycle (the latest is the import's run_id). Audited ("match.import",
 * counts only).
 *
 * Column mapping: assets/match-columns.ini (the seed's names; CS groups
 * "CS{n} Name", "CS{n} Enrolled", "CS{n} Provider", "CS{n} Date of
 * Enrollment", "CS{n} Date of Discharge", n = 1..9), overridden by
 * match-columns.ini next to the database, or by --columns FILE. */
#ifndef HMX_CORE_MATCH_IMPORT_H
#define HMX_CORE_MATCH_IMPORT_H

#include <stdint.h>

#include "consent.h"
#include "store.h"

#define MATCH_CS_MAX 9

struct match_import_opts {
	const char *cycle;   /* an mcp-match cycle with a client list */
	const char *path;    /* the member list */
	const char *columns; /* NULL: workspace match-columns.ini, else the default */
};

struct match_import_result {
	char path[1024];      /* absolute path read */
	char sha256[65];
	uint64_t rows;        /* data rows read */
	uint64_t matched;     /* rows kept (no error or blocking finding) */
	uint64_t services;    /* ECM/CS service rows kept */
	uint64_t findings, blocking, errors, warnings;
	uint64_t by_check[10]; /* [k]: findings of M0k (k = 1..9) */
	size_t lists_compared, lists_skipped; /* client lists used for M03/M04 */
	bool replaced;        /* an earlier import of the cycle was replaced */
	int64_t run_id;       /* validation_run of the findings */
	bool step_ticked;     /* the cycle's receive-members step was set done */
	char step_note[200];  /* why it was not, when not */
};

/* Reads, checks and records the member list (see above), then sets the
 * cycle's receive-members step done when its gates allow (findings or
 * not: the list was received; review-match is the admin's). HMX_EINVAL (not
 * an mcp-match cycle, no client list yet, no header, no HMIS Client ID
 * column, bad mapping file), HMX_ENOTFOUND (cycle, file), HMX_EIO, HMX_EDB.
 * Findings are not an error: res counts them (blocking > 0: exit 1). */
enum hmx_rc match_import(struct store *s, const struct match_import_opts *o,
			 struct match_import_result *res, struct hmx_err *err);

/* ---- for the match screen ---- */

struct match_finding {
	uint64_t line;        /* 0: about the file or a client list */
	char check[8];        /* "M02" */
	char severity[10];    /* blocking, error, warning */
	char personal_id[64]; /* "" when none */
	char col[96];         /* column title, or "" */
	char detail[160];     /* category and reason, IDs only */
};

/* Findings of the cycle's current import, by line. *out malloc'd. */
enum hmx_rc match_findings(struct store *s, const char *cycle, struct match_finding **out,
			   size_t *n, struct hmx_err *err);

struct match_summary {
	/* the latest client list of the cycle (its consent manifest) */
	bool listed;
	uint64_t eligible, sent, inactive;
	uint64_t left_out[CONSENT_N_VERDICTS]; /* by consent verdict */
	/* the member list back */
	bool imported;
	uint64_t returned, matched, findings, blocking;
	/* what a build would write now (match_plan) */
	uint64_t to_enroll, to_exit, service_changes, member_changes;
	bool built;           /* the cycle has a build recorded */
};

/* Counts of the cycle at a glance (IDs never needed). HMX_ENOTFOUND for
 * an unknown cycle, HMX_EDB. */
enum hmx_rc match_summary_get(struct store *s, const char *cycle, struct match_summary *out,
			      struct hmx_err *err);

#endif
