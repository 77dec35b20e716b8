/* core/validate_store.c — a validation run and its findings in the
 * database (validate_store.h). Findings arrive one by one from
 * validate_run's callback; they are inserted with one prepared statement
 * in transactions of VSTORE_BATCH rows, so a run of millions of findings
 * neither holds the write lock for long nor commits per row. */
#include "validate_store.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"

struct vstore {
	struct store *s;
	int64_t run_id;
	char object[160];      /* audit object: CYCLE/validation/ID */
	sqlite3_stmt *ins;
	size_t in_batch;
	int64_t seq;
	bool in_tx;
	bool failed;
	struct hmx_err err;
};

int64_t vstore_run_id(const struct vstore *vs)
{
	return vs->run_id;
}

static void vs_free(struct vstore *vs)
{
	if (!vs)
		return;
	sqlite3_finalize(vs->ins);
	free(vs);
}

enum hmx_rc vstore_begin(struct store *s, const char *cycle, const char *path,
	struct vstore **out, struct hmx_err *err)
{
	struct vstore *vs;
	sqlite3_stmt *st;
	int64_t cycle_id = -1;
	char now[21], abs[PATH_MAX], note[64];
	enum hmx_rc rc;

	*out = NULL;
	st = store_prepare(s, "SELECT id FROM cycle WHERE code = ?1", err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, cycle, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		cycle_id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (cycle_id < 0)
		return hmx_err_set(err, HMX_ENOTFOUND, "no cycle %s (see 'hmx cycle list --all')",
			cycle);
	vs = calloc(1, sizeof *vs);
	if (!vs)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	vs->s = s;
	if (!realpath(path, abs))
		hmx_strlcpy(abs, path, sizeof abs);
	if ((rc = store_begin(s, err)) != HMX_OK) {
		vs_free(vs);
		return rc;
	}
	hmx_now_utc(now);
	st = store_prepare(s,
		"INSERT INTO validation_run(cycle_id, path, started_at, created_by) "
		"VALUES (?1, ?2, ?3, ?4)", err);
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 1, cycle_id);
	sqlite3_bind_text(st, 2, abs, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, hmx_actor(), -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		store_fail(s, err, "cannot record the validation run");
		goto fail;
	}
	sqlite3_finalize(st);
	vs->run_id = sqlite3_last_insert_rowid(store_db(s));
	snprintf(vs->object, sizeof vs->object, "%s/validation/%lld", cycle,
		(long long)vs->run_id);
	snprintf(note, sizeof note, "running");
	if (audit_write(s, "validation.start", vs->object, NULL, note, err) != HMX_OK ||
	    store_commit(s, err) != HMX_OK)
		goto fail;
	vs->ins = store_prepare(s,
		"INSERT INTO finding(run_id, seq, check_id, severity, file, line, key, col, detail, "
		"project) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", err);
	if (!vs->ins) {
		vstore_abort(&vs, "cannot prepare");
		return HMX_EDB;
	}
	*out = vs;
	return HMX_OK;
fail:
	store_rollback(s);
	vs_free(vs);
	return err && err->rc ? err->rc : HMX_EDB;
}

static bool batch_end(struct vstore *vs)
{
	if (!vs->in_tx)
		return true;
	vs->in_tx = false;
	vs->in_batch = 0;
	if (store_commit(vs->s, &vs->err) != HMX_OK) {
		vs->failed = true;
		return false;
	}
	return true;
}

int vstore_finding(void *ctx, const struct validate_finding *f)
{
	struct vstore *vs = ctx;
	sqlite3_stmt *st = vs->ins;

	if (vs->failed)
		return 1;
	if (!vs->in_tx) {
		if (store_begin(vs->s, &vs->err) != HMX_OK) {
			vs->failed = true;
			return 1;
		}
		vs->in_tx = true;
	}
	sqlite3_bind_int64(st, 1, vs->run_id);
	sqlite3_bind_int64(st, 2, vs->seq++);
	sqlite3_bind_text(st, 3, f->check, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, validate_severity_name(f->severity), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, f->file, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)f->line);
	sqlite3_bind_text(st, 7, f->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, f->column, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, f->detail, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, f->project, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		store_fail(vs->s, &vs->err, "cannot store a finding");
		sqlite3_reset(st);
		store_rollback(vs->s);
		vs->in_tx = false;
		vs->failed = true;
		return 1;
	}
	sqlite3_reset(st);
	if (++vs->in_batch >= VSTORE_BATCH && !batch_end(vs))
		return 1;
	return 0;
}

/* {"K01":3,...} of the checks that fired, into buf. */
static void counts_json(const struct validate_result *res, char *buf, size_t n)
{
	size_t k = 0;

	k += (size_t)snprintf(buf + k, n - k, "{");
	for (size_t i = 0; i < res->nchecks && k < n; i++) {
		if (!res->checks[i].total)
			continue;
		k += (size_t)snprintf(buf + k, n - k, "%s\"%s\":%llu", k > 1 ? "," : "",
			res->checks[i].check->id, (unsigned long long)res->checks[i].total);
	}
	if (k < n)
		snprintf(buf + k, n - k, "}");
}

static void mark_failed(struct vstore *vs, const char *why)
{
	sqlite3_stmt *st;
	char now[21];
	struct hmx_err e;

	if (store_begin(vs->s, &e) != HMX_OK)
		return;
	hmx_now_utc(now);
	st = store_prepare(vs->s, "UPDATE validation_run SET status = 'failed', finished_at = ?1 "
		"WHERE id = ?2", &e);
	if (st) {
		sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, vs->run_id);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
	if (audit_write(vs->s, "validation.failed", vs->object, "running", why, &e) != HMX_OK ||
	    store_commit(vs->s, &e) != HMX_OK)
		store_rollback(vs->s);
}

void vstore_abort(struct vstore **vsp, const char *why)
{
	struct vstore *vs;

	if (!vsp || !*vsp)
		return;
	vs = *vsp;
	if (vs->in_tx) {
		store_rollback(vs->s);
		vs->in_tx = false;
	}
	mark_failed(vs, why ? why : "failed");
	vs_free(vs);
	*vsp = NULL;
}

enum hmx_rc vstore_finish(struct vstore **vsp, const struct validate_result *res,
	struct hmx_err *err)
{
	struct vstore *vs = *vsp;
	sqlite3_stmt *st;
	char counts[4096], after[256];
	const char *spec = spec_version_name(res->spec);

	if (vs->failed || !batch_end(vs)) {
		hmx_err_set(err, HMX_EDB, "%s", vs->err.msg);
		vstore_abort(vsp, "database error while storing findings");
		return HMX_EDB;
	}
	counts_json(res, counts, sizeof counts);
	if (store_begin(vs->s, err) != HMX_OK) {
		vstore_abort(vsp, "database busy");
		return HMX_EDB;
	}
	st = store_prepare(vs->s,
		"UPDATE validation_run SET status = 'done', finished_at = ?1, spec = ?2, version = ?3, "
		"export_id = ?4, blocking = ?5, errors = ?6, warnings = ?7, counts = ?8 WHERE id = ?9",
		err);
	if (!st)
		goto fail;
	sqlite3_bind_text(st, 1, res->finished, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, spec ? spec : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, res->version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, res->export_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)res->by_sev[SPEC_SEV_BLOCKING]);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)res->by_sev[SPEC_SEV_ERROR]);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)res->by_sev[SPEC_SEV_WARNING]);
	sqlite3_bind_text(st, 8, counts, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, vs->run_id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		store_fail(vs->s, err, "cannot finish the validation run");
		goto fail;
	}
	sqlite3_finalize(st);
	snprintf(after, sizeof after, "done: %llu blocking, %llu errors, %llu warnings (%s)",
		(unsigned long long)res->by_sev[SPEC_SEV_BLOCKING],
		(unsigned long long)res->by_sev[SPEC_SEV_ERROR],
		(unsigned long long)res->by_sev[SPEC_SEV_WARNING], spec ? spec : "unknown version");
	if (audit_write(vs->s, "validation.run", vs->object, "running", after, err) != HMX_OK ||
	    store_commit(vs->s, err) != HMX_OK)
		goto fail;
	vs_free(vs);
	*vsp = NULL;
	return HMX_OK;
fail:
	store_rollback(vs->s);
	vstore_abort(vsp, "database error while finishing");
	return HMX_EDB;
}
