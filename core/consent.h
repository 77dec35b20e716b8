/* core/consent.h — releases of information (ROI) by scope, and the one
 * consent check every outgoing file uses.
 *
 * A roster is a CSV file with the header PersonalID,scope,start,end,revoked
 * (scope: lower-case letters, digits and '-', e.g. mcp-match, rdc-upload;
 * dates yyyy-mm-dd; end and revoked may be empty; revoked is the day the
 * release was revoked). It is read with the libcsv row reader of
 * core/hmiscsv.h. Importing is all or nothing: any bad row (reported by
 * line with its reason) and nothing is loaded. A roster REPLACES every
 * stored release of the scopes it contains (releases of other scopes are
 * kept): the roster is the agency's current list, so a release missing
 * from it no longer counts. A roster without rows is refused (it names no
 * scope). The same (PersonalID, scope, start) twice is a bad row. One
 * transaction, one audit row with counts.
 * Only IDs and dates are stored.
 *
 * The rule (consent_check): a client leaves in a file of scope S on day D
 * only with a release for S where start <= D, (end empty or D <= end) and
 * revoked empty. A revoked release never counts, whatever its revocation
 * date: the file leaves now, and the revocation is known now. When no
 * release counts, the verdict names why, in this order: revoked (a
 * release covering D was revoked), not-yet (a release starts after D),
 * expired (a release ended before D), no-release (none for S).
 *
 * A consent_set is every release (or those of one scope) loaded once into
 * a sorted array; consent_check is a binary search, fit for 100k clients.
 * Nothing here prints; the manifest writers write to a caller's stream. */
#ifndef HMX_CORE_CONSENT_H
#define HMX_CORE_CONSENT_H

#include <stdint.h>
#include <stdio.h>

#include "calendar.h"
#include "store.h"

#define CONSENT_SCOPE_MAX 32 /* bytes of a scope name, NUL included */
#define CONSENT_ID_MAX 33    /* bytes of a PersonalID (HUD: 32), NUL included */

enum consent_verdict {
	CONSENT_OK = 0,
	CONSENT_NO_RELEASE,
	CONSENT_EXPIRED,
	CONSENT_NOT_YET,
	CONSENT_REVOKED,
	CONSENT_N_VERDICTS
};

/* "ok", "no-release", "expired", "not-yet", "revoked". Static storage. */
const char *consent_verdict_name(enum consent_verdict v);
/* True for a well-formed scope name (1-31 bytes of [a-z0-9-], starting
 * with a letter). */
bool consent_scope_valid(const char *scope);

/* ---- roster import ---- */

struct consent_problem {
	uint64_t line;    /* physical line of the roster (1 = header), 0: file level */
	char reason[112]; /* IDs and dates at most, never other data */
};

struct consent_import_result {
	uint64_t rows;        /* data rows read */
	uint64_t loaded;      /* rows stored (0 unless everything was fine) */
	uint64_t replaced;    /* stored rows of those scopes that were replaced */
	char scopes[256];     /* the scopes of the roster, comma-separated, sorted */
	uint64_t n_problems;  /* all problems found */
	size_t n_kept;        /* problems kept in problems[] (the first 100) */
	struct consent_problem *problems; /* malloc'd; consent_import_result_free */
};

/* Reads the roster at path and, when every row is good, replaces the
 * stored releases of its scopes in one transaction with one audit row
 * ("consent.import", counts only). On bad rows: HMX_EINVAL, nothing
 * stored, res->problems lists them (err names the first and the count).
 * HMX_ENOTFOUND / HMX_EIO for an unreadable file, HMX_EDB. res is always
 * filled; free it with consent_import_result_free. */
enum hmx_rc consent_import(struct store *s, const char *path, struct consent_import_result *res,
			   struct hmx_err *err);
void consent_import_result_free(struct consent_import_result *res);

/* ---- stored releases ---- */

struct consent_row {
	char personal_id[CONSENT_ID_MAX];
	char scope[CONSENT_SCOPE_MAX];
	cal_day start;
	cal_day end;     /* CAL_NO_DAY: open-ended */
	cal_day revoked; /* CAL_NO_DAY: not revoked */
};

/* Releases, by PersonalID, scope and start; of one scope when scope is not
 * NULL, of one client when personal_id is not NULL. *out malloc'd (free()). */
enum hmx_rc consent_list(struct store *s, const char *scope, const char *personal_id,
			 struct consent_row **out, size_t *n, struct hmx_err *err);

/* ---- the check ---- */

struct consent_set;

/* Loads the releases (of one scope, or all when scope is NULL) into a new
 * *out, sorted for consent_check. Free with consent_set_free. */
enum hmx_rc consent_set_load(struct store *s, const char *scope, struct consent_set **out,
			     struct hmx_err *err);
/* A set made from rows (copied; any order), for tests and callers that
 * hold releases already. */
enum hmx_rc consent_set_from_rows(const struct consent_row *rows, size_t n,
				  struct consent_set **out, struct hmx_err *err);
void consent_set_free(struct consent_set **cs);
size_t consent_set_size(const struct consent_set *cs);

/* May personal_id's data leave in a file of this scope made on day? See
 * the rule at the top. O(log n + releases of that client). */
enum consent_verdict consent_check(const struct consent_set *cs, const char *personal_id,
				   const char *scope, cal_day day);

/* The verdict of one release alone on day (ok, not-yet, expired, revoked). */
enum consent_verdict consent_check_row(const struct consent_row *r, cal_day day);

/* ---- the manifest of one outgoing file ---- */

struct consent_manifest {
	char scope[CONSENT_SCOPE_MAX];
	cal_day day;        /* the day consent was judged on (the export date) */
	cal_day active_since; /* activity window start (CAL_NO_DAY: none) */
	uint64_t clients;   /* clients considered (e.g. Client.csv, not deleted) */
	uint64_t inactive;  /* left out: not active */
	uint64_t eligible;  /* active: would leave with consent */
	uint64_t sent;      /* rows written */
	uint64_t left_out[CONSENT_N_VERDICTS]; /* [CONSENT_OK] unused */
	char fields[256];   /* the fields sent, comma-separated (may be "") */
};

/* Starts a manifest for scope on day (zeroes the counts). */
void consent_manifest_init(struct consent_manifest *m, const char *scope, cal_day day);
/* Counts one eligible client with its verdict (sent when CONSENT_OK). */
void consent_manifest_add(struct consent_manifest *m, enum consent_verdict v);
/* {"scope":..,"day":..,"active_since":..,"clients":..,"inactive":..,
 *  "eligible":..,"sent":..,"left_out":{"no-release":..,"expired":..,
 *  "not-yet":..,"revoked":..,"inactive":..},"fields":".."} on one line. */
void consent_manifest_json(FILE *f, const struct consent_manifest *m);
/* A few lines for people: eligible, sent, left out per reason. */
void consent_manifest_text(FILE *f, const struct consent_manifest *m);

#endif
