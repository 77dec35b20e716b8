/* core/merge.h — the upload export for the reporting group (seed 000 [3]:
 * "a single csv file from the HMIS" for every project "but ... excluding
 * projects which enter data directly into the RDC").
 *
 * From one or more HMIS CSV exports (the inputs) merge_run writes one new
 * export, a zip, holding:
 *   - the Project, Funder, ProjectCoC, Inventory, Affiliation,
 *     HMISParticipation and CEParticipation rows of the kept projects
 *     (an Affiliation row only when both its projects are kept), and the
 *     Organization rows of their organizations;
 *   - every enrollment of a kept project, with every row linked to it
 *     (Exit, IncomeBenefits, HealthAndDV, EmploymentEducation,
 *     Disabilities, Services, CurrentLivingSituation, Assessment*, Event,
 *     YouthEducationStatus: the files whose EnrollmentID refers to
 *     Enrollment.csv in the spec);
 *   - the Client rows of the clients of those enrollments, and the User
 *     rows referenced by the UserID of any row written;
 *   - a new Export.csv: input 1's record with a new ExportID, ExportDate
 *     now (UTC) and the cycle's period as ExportStartDate/ExportEndDate;
 *     CSVVersion and everything else as in input 1.
 * A project is kept when it maps onto an active registered project that is
 * not rdc-direct (reg_project.in_upload_group). Everything else is left
 * out and counted in the result, per project and per file.
 *
 * Byte for byte. A data row is copied exactly as read, quotes, spacing,
 * encoding and embedded line breaks included, with one exception: the
 * cell of its ExportID column gets the new ExportID (quoted when the input
 * quoted it), because HUD's spec makes every row's ExportID refer to
 * Export.csv (check S16) — unless MERGE_KEEP_EXPORT_ID, which keeps every
 * row whole and Export.csv's ExportID too (all inputs must share it). Each
 * file's rows end with the line ending of its header's first input, so
 * merging a CRLF and an LF export does not mix line endings. A BOM and
 * blank lines are not copied. Every file of the spec is present, with just
 * its header when no row is kept (the header of the first input holding
 * the file, else the spec's column names).
 *
 * Checks. X03 (blocking, one per project): the build refuses when a
 * ProjectID it would write is the HUD ProjectID of an rdc-direct project
 * of the registry — the RDC would count that project twice. X04
 * (blocking, one per colliding ID): with several inputs, two inputs hold
 * the same primary key (PersonalID, EnrollmentID, ProjectID, and any other
 * file's key: ExitID, UserID, ...) for records that differ; the export is
 * not written unless MERGE_ALLOW_COLLISIONS. The same record (equal bytes
 * but for ExportID) in two inputs is written once and counted as a
 * duplicate. Inputs must share the CSV version family, HashStatus and
 * each file's columns.
 *
 * Streaming, bounded memory. Pass 1 reads Project.csv and Enrollment.csv of
 * each input into compact ID tables (kept projects, organizations,
 * EnrollmentID -> project, kept PersonalIDs); with several inputs it reads
 * every file to find collisions, keeping a 64-bit hash of the key and of
 * the record for all inputs but the largest. Pass 2 copies: a thread of
 * the run filters rows into a ring of four buffers while libzip compresses
 * them (deflate level 1) on the calling thread; a row is never held beyond
 * the one being copied (at most 8 MiB). User.csv is the archive's last
 * entry, as its rows depend on every other file. Memory grows with the
 * number of enrollments and clients, not with the size of the files.
 *
 * Nothing half-written: the zip is built in a private temporary folder
 * (0700) next to the output, made 0600, synced and renamed onto the output
 * only when complete; any failure removes it. Nothing is printed; progress
 * goes through hmx_progress(). The result holds IDs, codes and counts only:
 * never a value from the data other than the IDs named. */
#ifndef HMX_CORE_MERGE_H
#define HMX_CORE_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "calendar.h"
#include "hmx.h"
#include "registry.h"
#include "store.h"

/* Most files a spec version has (FY2024 and FY2026 have 24). */
#define MERGE_MAX_FILES 32

/* Why a source project was kept or left out. */
enum merge_why {
	MERGE_KEPT,
	MERGE_RDC_DIRECT, /* maps onto an rdc-direct project (seed 000 footnote 1) */
	MERGE_INACTIVE,   /* maps onto an inactive project */
	MERGE_NOT_OURS,   /* mapping decision "not ours" */
	MERGE_UNMAPPED,   /* intaken file: no mapping decision yet */
	MERGE_UNMATCHED,  /* path: no registered project has this HUD ProjectID */
	MERGE_UNKNOWN,    /* mapped onto a project no longer in the registry */
};

/* "kept", "rdc-direct", "inactive", "not-ours", "unmapped", "unmatched",
 * "unknown-project". */
const char *merge_why_name(enum merge_why why);

/* A mapping decision on one source project of an intaken file. */
struct merge_decision {
	const char *src_id;   /* ProjectID in the file */
	enum merge_why why;   /* MERGE_KEPT: mapped onto project (then judged
	                       * against the registry); MERGE_NOT_OURS;
	                       * MERGE_UNMAPPED */
	const char *project;  /* registered project code when mapped */
};

/* One input export. */
struct merge_input {
	const char *path;     /* .zip or folder */
	const char *label;    /* how the result names it: a file's SHA-256
	                       * prefix or the path */
	const char *source;   /* "hmis", "rdc", "agency:CODE"; NULL for a path */
	bool by_map;          /* projects decided by dec[]; false: a source
	                       * ProjectID is the project whose HUD ProjectID
	                       * it equals */
	const struct merge_decision *dec;
	size_t ndec;
};

enum {
	MERGE_ALLOW_COLLISIONS = 1, /* write despite X04 (each colliding row kept) */
	MERGE_KEEP_EXPORT_ID = 2,   /* rows whole; Export.csv keeps the inputs' ExportID */
};

struct merge_opts {
	const char *out;              /* final path of the zip */
	const char *cycle;            /* for the result only */
	cal_day start, end;           /* ExportStartDate, ExportEndDate */
	const char *export_id;        /* NULL: "HMX" + the UTC time, 17 characters */
	unsigned flags;               /* MERGE_ALLOW_COLLISIONS, MERGE_KEEP_EXPORT_ID */
	const struct reg_project *reg; /* the registry */
	size_t nreg;
};

/* Rows of one file. */
struct merge_rows {
	uint64_t kept;     /* written */
	uint64_t left;     /* left out */
	uint64_t dup;      /* the same record already written from another input */
};

/* One source project of one input (Project.csv order, inputs in order). */
struct merge_project {
	size_t input;                       /* index into merge_result.inputs */
	char src_id[64];                    /* ProjectID as in the input */
	char project[48];                   /* registered project, "" when none */
	enum merge_why why;
	uint64_t enrollments;               /* in the input */
	struct merge_rows rows[MERGE_MAX_FILES]; /* per spec file (written pass) */
};

struct merge_input_info {
	char label[80];
	char source[48];                    /* "" for a path */
	char export_id[64];
	char csv_version[32];
	char period[24];                    /* "YYYY-MM-DD..YYYY-MM-DD" as read */
	uint64_t bytes;                     /* declared size of its files */
	size_t projects, kept;              /* source projects, of which kept */
	/* rows tied to no project of the input: an Enrollment whose ProjectID
	 * is not in Project.csv, a linked row whose EnrollmentID is not in
	 * Enrollment.csv (left out) */
	uint64_t orphans;
};

/* An X03 or X04 finding. */
struct merge_finding {
	char check[4];       /* "X03", "X04" */
	char file[40];       /* "Client.csv" (X04), "Project.csv" (X03) */
	char key[112];       /* "PersonalID=123" */
	size_t input_a;      /* X04: input of the record written first; X03: the input */
	size_t input_b;      /* X04: the other input; X03: same as input_a */
	char project[48];    /* X03: the rdc-direct project */
};

struct merge_result {
	bool written;                        /* the output exists, complete */
	bool refused;                        /* X03, or X04 without the flag */
	char cycle[64];                      /* merge_opts.cycle, or "" */
	char out[4096];
	char export_id[64];                  /* of the output */
	char csv_version[32];
	cal_day start, end;
	uint64_t out_bytes;                  /* size of the zip */
	size_t nfiles;                       /* spec files, in spec order */
	char files[MERGE_MAX_FILES][40];
	struct merge_rows totals[MERGE_MAX_FILES];
	struct merge_input_info *inputs;
	size_t ninputs;
	struct merge_project *projects;
	size_t nprojects;
	char (*missing)[48];                 /* reporting-group projects with no
	                                      * kept source project in any input */
	size_t nmissing;
	struct merge_finding *findings;      /* X03 by project, then X04 as found:
	                                      * input by input, file by file */
	size_t nfindings;
	size_t n_x03, n_x04;
};

/* Builds the export described at the top from inputs[0..n) into o->out.
 * *res (required) is filled as far as the run got and must be freed with
 * merge_result_free, also after an error.
 * HMX_ESTATE: refused (res->refused; findings X03/X04 in res), or nothing
 * to upload (no enrollment kept). HMX_EINVAL: an input that is not a
 * usable export (no Export.csv or Project.csv, unknown CSVVersion,
 * malformed quoting in a file that must be copied, a key column missing,
 * inputs of different CSV versions, HashStatus or columns), bad options.
 * HMX_ENOTFOUND: an input path does not exist. HMX_EIO: reading an input or
 * writing the output (missing or read-only folder, disk full, file-size
 * limit): nothing is left at o->out nor next to it. HMX_ENOMEM. The
 * message names the input (by number and label), the file and the line. */
enum hmx_rc merge_run(const struct merge_input *inputs, size_t n, const struct merge_opts *o,
	struct merge_result *res, struct hmx_err *err);

/* Frees what res owns and zeroes it; safe on a zeroed result. */
void merge_result_free(struct merge_result *res);

/* The result as text (a summary with tables) or as one JSON object, on f.
 * IDs, project codes and counts only. */
void merge_write_text(FILE *f, const struct merge_result *r);
void merge_write_json(FILE *f, const struct merge_result *r);

/* Options of merge_build. */
struct merge_build_opts {
	const char *out;
	const char *export_id;        /* NULL: generated */
	unsigned flags;
};

/* merge_run for a cycle of the store: each ref is a file of the cycle
 * (its SHA-256 or a prefix of at least 6 hex digits, as intake_get; its
 * projects decided by the cycle's mappings) or else a path (projects
 * matched by HUD ProjectID); the period and the registry are the cycle's
 * and the store's. On success an audit row "export.build" records the
 * output (ExportID, size, inputs and counts). Errors as merge_run, plus
 * HMX_ENOTFOUND (cycle, a ref that is neither a file of the cycle nor a
 * path), HMX_EINVAL (ambiguous ref), HMX_EDB. */
enum hmx_rc merge_build(struct store *s, const char *cycle, const char *const *refs, size_t nrefs,
	const struct merge_build_opts *o, struct merge_result *res, struct hmx_err *err);

#endif
