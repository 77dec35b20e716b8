/* core/validate_store.h — keeping a validation run and its findings in the
 * database, linked to a cycle, for the review screens: one validation_run
 * row (path, spec, version, times, status, counts) and one finding row per
 * finding (check, severity, file, line, key, column, detail, project:
 * IDs and categories only, never client data), written in transactions of
 * VSTORE_BATCH rows, with audit rows when the run starts and ends. */
#ifndef HMX_CORE_VALIDATE_STORE_H
#define HMX_CORE_VALIDATE_STORE_H

#include "store.h"
#include "validate.h"

#define VSTORE_BATCH 10000

struct vstore;

/* Starts a stored run of the export at path for cycle code (the
 * validation_run row with status "running" and its audit row, one
 * transaction). HMX_ENOTFOUND for an unknown cycle (message names it),
 * HMX_EDB, HMX_ENOMEM. *out is ended by vstore_finish or vstore_abort. */
enum hmx_rc vstore_begin(struct store *s, const char *cycle, const char *path,
	struct vstore **out, struct hmx_err *err);
/* validate_finding_fn: adds one finding row; commits every VSTORE_BATCH
 * rows. Returns 1 (stop the run) after a database error, kept for
 * vstore_finish. ctx is the struct vstore. */
int vstore_finding(void *ctx, const struct validate_finding *f);
/* Writes the remaining rows and marks the run done with res's facts and
 * counts, with its audit row, then frees *vs (set to NULL). HMX_EDB (the
 * run is then marked failed if the database allows). */
enum hmx_rc vstore_finish(struct vstore **vs, const struct validate_result *res,
	struct hmx_err *err);
/* Rolls back unwritten rows, marks the run failed (audited, why as the
 * note) and frees *vs (set to NULL). Never fails visibly. */
void vstore_abort(struct vstore **vs, const char *why);
/* Id of the validation_run row. */
int64_t vstore_run_id(const struct vstore *vs);

#endif
