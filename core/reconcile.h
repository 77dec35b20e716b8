/* core/reconcile.h — reconciliation of a cycle's demo-site export against
 * the files sent for import (seed 000 [2] bullets 2-3).
 *
 * `hmx reconcile CYCLE` compares, for each project, the rows per file in
 * the files sent for import (the cycle's intakes whose source is not
 * "demo") with the vendor's demo-site export (the latest intake with
 * source "demo"), so a partial or duplicated import is caught before the
 * vendor is told the files may go live. The counts are the ones intake
 * keeps per file and ProjectID; no export is read again:
 *   file_project  live enrollments of Enrollment.csv, exited enrollments
 *                 of Exit.csv, distinct clients of those enrollments for
 *                 Client.csv;
 *   file_count    live rows of every other file whose rows belong to an
 *                 enrollment (IncomeBenefits.csv, Services.csv, ...),
 *                 under their enrollment's ProjectID; rows whose
 *                 EnrollmentID names no live enrollment are one bucket,
 *                 RECONCILE_UNKNOWN.
 * A file taken in before hmx counted every file has no file_count rows:
 * then only Enrollment.csv, Exit.csv and Client.csv are compared,
 * per_file is false and counts_complete false (never a false mismatch).
 * A ProjectID is named by the registered project it was mapped to in that
 * file (file_map, `hmx map`), else by the project with that HUD
 * ProjectID, else as "ProjectID=ID".
 *
 * Each difference is an X06 finding (severity from the check catalog).
 * Every reconciliation is stored as a validation_run of its own (path
 * "reconcile", sha256 of the demo-site export) with one finding row per
 * mismatch, in one transaction with its audit row; a run without
 * findings records that the counts agreed. Only project codes, file
 * names and counts: no client data. */
#ifndef HMX_CORE_RECONCILE_H
#define HMX_CORE_RECONCILE_H

#include "store.h"

/* The project of rows whose EnrollmentID names no live enrollment. */
#define RECONCILE_UNKNOWN "(unknown enrollment)"

struct reconcile_row {
	char project[64];  /* project code, "ProjectID=ID" when unmapped, or
	                    * RECONCILE_UNKNOWN */
	char file[32];     /* "Enrollment.csv", "Services.csv", ... */
	uint64_t sent;     /* rows in the files sent for import */
	uint64_t demo;     /* rows in the demo-site export */
	bool mismatch;     /* sent != demo: an X06 finding */
};

struct reconcile_result {
	char cycle[64];
	char demo_sha256[65];     /* the demo-site export reconciled */
	size_t nsent;             /* files sent for import */
	bool counts_complete;     /* false: a file's counts are a lower bound,
	                           * or per_file is false */
	bool per_file;            /* every file compared; false: a file was
	                           * taken in before per-file counts, only
	                           * Enrollment/Exit/Client.csv are compared */
	int64_t run_id;           /* the validation_run stored */
	char severity[12];        /* X06's severity in the catalog */
	size_t nrows, mismatches;
	struct reconcile_row *rows; /* by project (RECONCILE_UNKNOWN last),
	                             * then file in spec order after
	                             * Enrollment, Exit, Client; malloc'd */
};

/* Reconciles cycle and stores the run (see above). On success *out is
 * filled (free with reconcile_free) and out->mismatches counts the X06
 * findings. HMX_ENOTFOUND (no such cycle), HMX_ESTATE (no demo-site export
 * or no file sent for import in the cycle: the message says how to add
 * one; or the database is read-only), HMX_EDB, HMX_ENOMEM. */
enum hmx_rc reconcile_cycle(struct store *s, const char *cycle, struct reconcile_result *out,
			    struct hmx_err *err);

/* Frees out's rows; NULL-safe. */
void reconcile_free(struct reconcile_result *out);

#endif
