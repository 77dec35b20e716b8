/* core/match.h — the client data match with a managed care plan (MCP),
 * part 1: the client list that leaves (seed 002), bound by consent (seed
 * 001, core/consent.h).
 *
 * match_list() reads an HMIS CSV export (zip or folder, core/hmiscsv.h:
 * Export.csv, Client.csv, Enrollment.csv, Exit.csv, Services.csv) and
 * writes the cycle's client list: every client that is
 *   active  — an enrollment with EntryDate on or before the export date
 *             and no exit, or an exit on or after the window start; or a
 *             service with DateProvided in the window (window: the cycle
 *             period's first day, or --active-since, to the export date;
 *             deleted rows never count), and
 *   consents — consent_check(..., "mcp-match", export date) == CONSENT_OK,
 * with the seed's data elements (match_field below), codes written as the
 * seed's option words from assets/match_words.csv. The export date is
 * Export.csv's ExportDate.
 *
 * The list is PII by design. It is written 0600 under a temporary name in
 * the target directory, synced and renamed into place; an existing target
 * is refused. Its contents never reach the database, logs or errors: the
 * table match_list keeps the path, SHA-256, row count and the consent
 * manifest (counts only), with who and when; match_purge() deletes the
 * recorded local copies and sets purged_at.
 *
 * The PersonalIDs sent are kept per list (table match_sent: list_id,
 * personal_id — IDs only), so the member list coming back can be matched
 * against what left even after the purge (a returned client never sent is
 * a privacy incident). Comparing returned names and DOBs with what was
 * sent means re-reading the local list before the purge: check its
 * recorded SHA-256 first (match_lists).
 *
 * Known MCP member IDs (table match_member: PersonalID -> member ID, IDs
 * only) fill the "MCP Member ID" column; the member-list import (part 2)
 * records them with match_member_set().
 *
 * The default field set of a site (site.match_fields) narrows the list to
 * what the agreement with that MCP allows (minimum necessary). The HMIS
 * Client ID is always sent: the match comes back by it. */
#ifndef HMX_CORE_MATCH_H
#define HMX_CORE_MATCH_H

#include <stdint.h>

#include "consent.h"
#include "store.h"

#define MATCH_SCOPE "mcp-match"
#define MATCH_KIND "mcp-match"

/* The seed's client-list data elements, in file order. */
enum match_field {
	MF_CLIENT_ID,  /* client_id   "HMIS Client ID" (always sent) */
	MF_MEMBER_ID,  /* member_id   "MCP Member ID" (empty unless known) */
	MF_FIRST,      /* first_name  "First Name" */
	MF_MIDDLE,     /* middle_name "Middle Name" */
	MF_LAST,       /* last_name   "Last Name" */
	MF_SUFFIX,     /* suffix      "Suffix" */
	MF_NAME_DQ,    /* name_dq     "Name Data Quality" (words) */
	MF_DOB,        /* dob         "Date of Birth" (yyyy-mm-dd) */
	MF_DOB_DQ,     /* dob_dq      "DOB Data Quality" (words) */
	MF_GENDER,     /* gender      "Gender" (words, "; "-joined) */
	MF_INFO_DATE,  /* info_date   "Information Date": Client.csv DateUpdated's day */
	MF_N
};

#define MATCH_FIELDS_ALL ((1u << MF_N) - 1)

/* Key ("first_name") and column title ("First Name") of field f. */
const char *match_field_key(enum match_field f);
const char *match_field_title(enum match_field f);
/* Parses "all" or a comma list of keys into *mask (client_id added).
 * HMX_EINVAL naming the unknown key and the known ones. */
enum hmx_rc match_fields_parse(const char *list, unsigned *mask, struct hmx_err *err);
/* The keys of mask, comma-separated, into buf. */
char *match_fields_format(unsigned mask, char *buf, size_t n);

struct match_list_opts {
	const char *cycle;     /* an mcp-match cycle */
	const char *from;      /* the export: zip or folder */
	const char *output;    /* the list to write (must not exist) */
	cal_day active_since;  /* CAL_NO_DAY: the cycle period's first day */
	const char *fields;    /* NULL: the site's default, else all */
	const char *site;      /* NULL or an SFTP site whose match_fields apply */
};

struct match_list_result {
	struct consent_manifest manifest;
	char path[1024];       /* absolute path written */
	char sha256[65];
	uint64_t rows;         /* = manifest.sent */
	int64_t id;            /* match_list row */
	bool step_ticked;      /* the cycle's build-list step was set done */
	char step_note[200];   /* why it was not, when not */
};

/* Writes the list and records it (match_list row, match_sent rows and
 * audit "match.list", one transaction), then sets the cycle's build-list
 * step done when its gates allow (match_step_tick). HMX_EINVAL (not an mcp-match cycle, bad fields, not an
 * export, no export date), HMX_ENOTFOUND (cycle, export, site), HMX_EEXIST
 * (output exists), HMX_EIO, HMX_EDB. On failure no file is left behind. */
enum hmx_rc match_list(struct store *s, const struct match_list_opts *o,
		       struct match_list_result *res, struct hmx_err *err);

struct match_list_rec {
	int64_t id;
	char cycle[64];
	char path[1024];
	char sha256[65];
	uint64_t rows;
	char manifest[1024];   /* consent_manifest_json */
	char at[24];
	char who[64];
	char purged_at[24];    /* "" while the copy is kept */
};

/* Recorded lists of a cycle (all when NULL), oldest first. *out malloc'd. */
/* (The IDs sent: SELECT personal_id FROM match_sent WHERE list_id = id.) */
enum hmx_rc match_lists(struct store *s, const char *cycle, struct match_list_rec **out,
			size_t *n, struct hmx_err *err);

struct match_purge_result {
	size_t purged;         /* files removed */
	size_t missing;        /* recorded files already gone (marked purged) */
	size_t changed;        /* files whose SHA-256 changed (removed all the same) */
	bool step_ticked;      /* the cycle's purge step was set done */
	char step_note[200];   /* why it was not, when not */
};

/* Number of recorded local copies of cycle not yet purged. */
enum hmx_rc match_unpurged(struct store *s, const char *cycle, size_t *n, struct hmx_err *err);
/* Removes every recorded, unpurged local copy of the cycle's lists and
 * sets purged_at (one transaction, audit "match.purge" with counts), then
 * sets the cycle's purge step done when its gates allow (else step_note
 * says why). The caller asks for confirmation first. HMX_ENOTFOUND for an
 * unknown cycle, HMX_EIO when a file cannot be removed (nothing recorded). */
enum hmx_rc match_purge(struct store *s, const char *cycle, struct match_purge_result *res,
			struct hmx_err *err);

/* Sets step of cycle done with note (its own audited transaction, as
 * step_set) unless it is already closed or its gates refuse: *ticked says
 * whether it was set, why (n bytes) says why not. Never an error: the
 * work that ticks it is done either way. Used by match list, import,
 * build and purge, and by the match screen after a push. */
void match_step_tick(struct store *s, const char *cycle, const char *step, const char *note,
		     bool *ticked, char *why, size_t n);

/* Records the MCP member ID of a client (IDs only; audited). */
enum hmx_rc match_member_set(struct store *s, const char *personal_id, const char *member_id,
			     const char *cycle, struct hmx_err *err);

/* The default field set of a site ("" = all) into buf; set it (validated,
 * audited). HMX_ENOTFOUND for an unknown site. */
enum hmx_rc match_site_fields_get(struct store *s, const char *site, char *buf, size_t n,
				  struct hmx_err *err);
enum hmx_rc match_site_fields_set(struct store *s, const char *site, const char *fields,
				  struct hmx_err *err);

#endif
