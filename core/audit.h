/* core/audit.h — the append-only log of every change: who, when (UTC),
 * what action, on which object, and a before/after summary. Rows are
 * written inside the caller's transaction; triggers refuse UPDATE and
 * DELETE on the table. Summaries hold IDs, states and short notes, never
 * client data. */
#ifndef HMX_CORE_AUDIT_H
#define HMX_CORE_AUDIT_H

#include "store.h"

struct audit_row {
	int64_t id;
	char at[24];      /* YYYY-MM-DDTHH:MM:SSZ */
	char who[64];
	char action[48];  /* e.g. "step.set", "cycle.new", "project.add" */
	char object[128]; /* e.g. "rdc-upload-2026Q3/upload" */
	/* room for a step state, ": " and the longest note (250 bytes) */
	char before[272];
	char after[272];
};

/* Appends one row, inside the caller's open transaction. before/after may
 * be NULL. HMX_EDB on failure. */
enum hmx_rc audit_write(struct store *s, const char *action, const char *object,
			const char *before, const char *after, struct hmx_err *err);

/* The same with who named by the caller (a reviewer acting over SSH);
 * NULL or "": hmx_actor(). */
enum hmx_rc audit_write_as(struct store *s, const char *who, const char *action,
			   const char *object, const char *before, const char *after,
			   struct hmx_err *err);

/* Rows whose object equals object_prefix or starts with object_prefix
 * followed by '/' (all rows when NULL), oldest first, at most limit (0: no
 * limit, newest kept). *out is malloc'd; free with free(). */
enum hmx_rc audit_list(struct store *s, const char *object_prefix, size_t limit,
		       struct audit_row **out, size_t *n, struct hmx_err *err);

/* What audit_query keeps; NULL or "" members keep everything. */
struct audit_filter {
	const char *cycle;   /* object is the cycle code or starts with "CODE/" */
	const char *project; /* one '/'-separated part of object is the code
	                      * ("project/CODE", "CYCLE/download/CODE", ...) */
	const char *who;     /* exactly this person */
	const char *action;  /* action equals it or starts with it followed by
	                      * '.' ("step" keeps "step.set" and "step.undo") */
	const char *from;    /* YYYY-MM-DD: changes on or after this UTC day */
	const char *to;      /* YYYY-MM-DD: changes on or before this UTC day */
	const char *text;    /* case-insensitive substring of action, object,
	                      * who, before or after */
};

/* Rows kept by f (NULL: all), NEWEST first (by time, then by id), at most
 * limit (0: no limit).
 * *out is malloc'd (free()); NULL when none. HMX_EINVAL for a from/to
 * that is not YYYY-MM-DD, HMX_EDB. */
enum hmx_rc audit_query(struct store *s, const struct audit_filter *f, size_t limit,
			struct audit_row **out, size_t *n, struct hmx_err *err);

#endif
