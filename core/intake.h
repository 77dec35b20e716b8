/* core/intake.h — recording an incoming HMIS CSV export in a cycle.
 *
 * `hmx intake CYCLE PATH` takes an export (a .zip, or a folder that hmx
 * zips), keeps it in the workspace next to the database, content-addressed
 * as files/<sha256>.zip (files 0400, the folder 0700; written under a
 * temporary name and renamed, so a final name always holds a whole file),
 * and records in one transaction with its audit row:
 *   file          the content: SHA-256, size, Export.csv facts (ExportID,
 *                 SourceName, SoftwareName, CSVVersion, ExportDate,
 *                 ExportStartDate, ExportEndDate, HashStatus) and totals;
 *   file_project  per ProjectID of Project.csv: its name and counts of
 *                 enrollments, distinct clients and exited enrollments;
 *   file_count    per file whose rows belong to an enrollment (the spec's
 *                 files with an EnrollmentID foreign key, Exit.csv apart)
 *                 and per ProjectID of the row's enrollment: live rows;
 *                 ProjectID '' for rows whose EnrollmentID names no live
 *                 enrollment (file.file_counts 1 marks the file counted
 *                 so; core/reconcile.h compares them);
 *   intake        that the file arrived in a cycle: from which source
 *                 ("hmis", "rdc", "demo", "agency:CODE"), on which day,
 *                 by whom; a "demo" file's validation run is synced into
 *                 the cycle's review (core/review.h);
 *   findings      X05 (the export's dates do not cover the cycle's
 *                 period) and X07 (arrived after the step's deadline), as
 *                 rows of the validator's finding table under a
 *                 validation_run of their own (intake.checks_run_id);
 *                 none when both pass.
 * The same bytes twice are one file (one blob, one file row); the same
 * file twice in one cycle is recognised and changes nothing. Then the
 * validator runs on the stored zip (core/validate.h) and its run is linked
 * to the intake (intake.validation_run_id) — a failed validation is logged
 * as a warning and leaves the intake recorded.
 *
 * Counting streams Enrollment.csv and Exit.csv through core/hmiscsv into a
 * private temporary SQLite database, then each file whose rows belong to
 * an enrollment once, looking its EnrollmentIDs up there, so memory stays
 * bounded whatever the export's size. Rows with DateDeleted set are ignored. Nothing from the
 * data other than IDs, project names, counts and the export's dates is
 * kept: no client value reaches the database, the log or the caller. */
#ifndef HMX_CORE_INTAKE_H
#define HMX_CORE_INTAKE_H

#include "calendar.h"
#include "store.h"

/* What a cycle kind expects of files (one table in intake.c): the source
 * its files usually come from, the step whose per-project sub-items a
 * mapped file ticks ("" when none), and the step whose deadline X07
 * measures arrivals against ("" when none). */
struct intake_kind_rule {
	const char *kind;      /* "rdc-download" */
	const char *source;    /* "rdc", "agency" (agency:CODE) or "hmis" */
	const char *tick_step; /* "download" */
	const char *late_step; /* "download" */
};

/* The rule of a cycle kind, NULL when the kind expects no files. Static. */
const struct intake_kind_rule *intake_kind_rule(const char *kind);

/* Whether s is a well-formed source: "hmis", "rdc", "demo" (the export of
 * the vendor's demo site, reconciled against the files sent for import by
 * core/reconcile.h, whose validation feeds core/review.h) or "agency:CODE" (CODE an agency handle). Does not
 * check that the agency exists. */
bool intake_source_valid(const char *s);

/* Whether the file at path starts like a zip archive (what an HMIS CSV
 * export comes as); false when it cannot be read. */
bool intake_is_zip(const char *path);

struct intake_opts {
	const char *source;  /* NULL: from the cycle kind (agency-intake: the
	                      * one agency with outside-agency projects) */
	cal_day received;    /* day the file arrived; CAL_NO_DAY: today */
	bool skip_validation; /* do not run the validator on the file now */
};

/* One intake finding (X05, X07), kept as a row of the validator's
 * finding table under a validation_run of the intake's own. */
struct intake_finding {
	char check[8];      /* "X05" */
	char severity[12];  /* from the catalog: "warning" */
	char category[16];  /* stored detail: "late-start", "early-end",
	                     * "both", "no-dates" (X05); "late-3d" (X07) */
	char detail[128];   /* readable: the dates and day counts */
};

#define INTAKE_MAX_FINDINGS 4

/* A file as intaken in one cycle. */
struct intake_info {
	int64_t id;            /* intake row */
	int64_t file_id;
	char cycle[64];
	char sha256[65];       /* lower-case hex */
	char source[48];       /* "hmis", "rdc", "agency:HPC" */
	cal_day received;
	char at[24];           /* when it was recorded, UTC */
	char who[64];
	uint64_t size;         /* bytes of the stored zip */
	bool packed;           /* given as a folder and zipped by hmx */
	/* Export.csv, first record (printable, "" when absent) */
	char export_id[64];
	char source_name[64];
	char software[64];
	char csv_version[32];
	char export_date[24];
	char export_start[16];
	char export_end[16];
	int hash_status;       /* -1 when absent or not a number */
	/* totals over live rows */
	uint64_t projects, enrollments, clients, exits;
	bool counts_complete;  /* false: a file stopped early (structural
	                        * problem), so the counts are a lower bound */
	size_t nfindings;
	struct intake_finding findings[INTAKE_MAX_FINDINGS];
	/* the validator's run of this file (intake.validation_run_id);
	 * validated false until one finished */
	bool validated;
	int64_t validation_run;   /* 0 when none */
	uint64_t n_blocking, n_error, n_warning;
	/* set by intake_add only */
	bool new_file;         /* the blob was stored by this call */
	bool already;          /* this file was already in this cycle: nothing
	                        * changed (the fields describe the earlier intake) */
};

/* Records the export at path (a .zip or a folder) in cycle, as described
 * at the top. opts may be NULL. On success *out describes the intake.
 * Errors, each with one line naming what is wrong and nothing written
 * (no row, no file at a final name, no temporary left behind):
 * HMX_ESTATE (database opened read-only), HMX_EDB (database locked),
 * HMX_ENOTFOUND (no such cycle or path, unknown agency), HMX_EINVAL (bad
 * source or date, not a zip nor a folder, not an HMIS export: no or an
 * unreadable Export.csv, no Project.csv rows), HMX_EIO (the files folder
 * cannot be made or written: missing, read-only, disk full, file-size
 * limit), HMX_EDB, HMX_ENOMEM. */
enum hmx_rc intake_add(struct store *s, const char *cycle, const char *path,
		       const struct intake_opts *opts, struct intake_info *out,
		       struct hmx_err *err);

/* Files of a cycle, oldest intake first. *out malloc'd (free()); NULL
 * when none. HMX_ENOTFOUND for an unknown cycle. */
enum hmx_rc intake_list(struct store *s, const char *cycle, struct intake_info **out,
			size_t *n, struct hmx_err *err);

/* The file of cycle named by ref: its full SHA-256 or a prefix of at least
 * 6 hex digits. HMX_ENOTFOUND (no such cycle or file; the message lists
 * how to see the files), HMX_EINVAL (ref too short or ambiguous). */
enum hmx_rc intake_get(struct store *s, const char *cycle, const char *ref,
		       struct intake_info *out, struct hmx_err *err);

/* One project of a file's Project.csv with its counts. */
struct intake_project {
	char id[64];           /* ProjectID as in the file */
	char name[128];        /* ProjectName (organisation data) */
	uint64_t enrollments, clients, exits;
};

/* Projects of a stored file in Project.csv order. *out malloc'd (free()). */
enum hmx_rc intake_projects(struct store *s, int64_t file_id, struct intake_project **out,
			    size_t *n, struct hmx_err *err);

/* Path of the stored zip of sha256 (files/<sha256>.zip next to the
 * database) into buf. HMX_EINVAL when it does not fit. Does not check
 * that the file exists. */
enum hmx_rc intake_blob_path(struct store *s, const char *sha256, char *buf, size_t n,
			     struct hmx_err *err);

#endif
