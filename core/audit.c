/* core/audit.c — append-only audit rows, written inside the caller's
 * transaction, and reading them back. */
#include "audit.h"

#include <stdlib.h>

#include "calendar.h"
#include <string.h>

enum hmx_rc audit_write(struct store *s, const char *action, const char *object,
			const char *before, const char *after, struct hmx_err *err)
{
	return audit_write_as(s, NULL, action, object, before, after, err);
}

enum hmx_rc audit_write_as(struct store *s, const char *who, const char *action,
			   const char *object, const char *before, const char *after,
			   struct hmx_err *err)
{
	sqlite3_stmt *st;
	char now[21];
	int rc;

	st = store_prepare(s,
			   "INSERT INTO audit(at, who, action, object, before, after) "
			   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			   err);
	if (!st)
		return HMX_EDB;
	hmx_now_utc(now);
	sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, who && *who ? who : hmx_actor(), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, object, -1, SQLITE_STATIC);
	if (before)
		sqlite3_bind_text(st, 5, before, -1, SQLITE_STATIC);
	if (after)
		sqlite3_bind_text(st, 6, after, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, err, "cannot write the audit row");
	return HMX_OK;
}

static void read_row(sqlite3_stmt *st, void *row)
{
	struct audit_row *r = row;

	r->id = sqlite3_column_int64(st, 0);
	store_col_text(st, 1, r->at, sizeof r->at);
	store_col_text(st, 2, r->who, sizeof r->who);
	store_col_text(st, 3, r->action, sizeof r->action);
	store_col_text(st, 4, r->object, sizeof r->object);
	store_col_text(st, 5, r->before, sizeof r->before);
	store_col_text(st, 6, r->after, sizeof r->after);
}

enum hmx_rc audit_list(struct store *s, const char *object_prefix, size_t limit,
		       struct audit_row **out, size_t *n, struct hmx_err *err)
{
	sqlite3_stmt *st;
	struct audit_row *rows;
	size_t count = 0;
	void *v;

	*out = NULL;
	*n = 0;
	/* newest first with a limit, then reversed to oldest first */
	st = store_prepare(s,
			   "SELECT id, at, who, action, object, before, after FROM audit "
			   "WHERE ?1 IS NULL OR object = ?1 OR substr(object, 1, length(?1) + 1) = ?1 || '/' "
			   "ORDER BY id DESC LIMIT ?2",
			   err);
	if (!st)
		return HMX_EDB;
	if (object_prefix)
		sqlite3_bind_text(st, 1, object_prefix, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, limit ? (sqlite3_int64)limit : -1);
	if (store_collect(s, st, sizeof *rows, read_row, &v, &count, "cannot read the audit log",
			  err) != HMX_OK)
		return err ? err->rc : HMX_EDB;
	rows = v;
	for (size_t i = 0; i < count / 2; i++) {
		struct audit_row t = rows[i];
		rows[i] = rows[count - 1 - i];
		rows[count - 1 - i] = t;
	}
	*out = rows;
	*n = count;
	return HMX_OK;
}

static const char *nz(const char *s)
{
	return s && *s ? s : NULL;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (nz(v))
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

enum hmx_rc audit_query(struct store *s, const struct audit_filter *f, size_t limit,
			struct audit_row **out, size_t *n, struct hmx_err *err)
{
	static const struct audit_filter none = { 0 };
	sqlite3_stmt *st;
	cal_day d;
	void *v;
	enum hmx_rc rc;

	*out = NULL;
	*n = 0;
	if (!f)
		f = &none;
	if ((nz(f->from) && !cal_parse_date(f->from, &d)) || (nz(f->to) && !cal_parse_date(f->to, &d)))
		return hmx_err_set(err, HMX_EINVAL, "bad date \"%s\": use YYYY-MM-DD",
				   nz(f->from) && !cal_parse_date(f->from, &d) ? f->from : f->to);
	st = store_prepare(s,
			   "SELECT id, at, who, action, object, before, after FROM audit WHERE "
			   "(?1 IS NULL OR object = ?1 OR substr(object, 1, length(?1) + 1) = ?1 || '/') "
			   "AND (?2 IS NULL OR instr('/' || object || '/', '/' || ?2 || '/') > 0) "
			   "AND (?3 IS NULL OR who = ?3) "
			   "AND (?4 IS NULL OR action = ?4 OR substr(action, 1, length(?4) + 1) = ?4 || '.') "
			   "AND (?5 IS NULL OR substr(at, 1, 10) >= ?5) "
			   "AND (?6 IS NULL OR substr(at, 1, 10) <= ?6) "
			   "AND (?7 IS NULL OR instr(lower(action || ' ' || object || ' ' || who || ' ' || "
			   "  coalesce(before, '') || ' ' || coalesce(after, '')), lower(?7)) > 0) "
			   "ORDER BY at DESC, id DESC LIMIT ?8",
			   err);
	if (!st)
		return HMX_EDB;
	bind_opt(st, 1, f->cycle);
	bind_opt(st, 2, f->project);
	bind_opt(st, 3, f->who);
	bind_opt(st, 4, f->action);
	bind_opt(st, 5, f->from);
	bind_opt(st, 6, f->to);
	bind_opt(st, 7, f->text);
	sqlite3_bind_int64(st, 8, limit ? (sqlite3_int64)limit : -1);
	rc = store_collect(s, st, sizeof **out, read_row, &v, n, "cannot read the audit log", err);
	*out = v;
	return rc;
}
