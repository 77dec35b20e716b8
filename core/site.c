/* core/site.c — the site table: checked, audited adds and removals. */
#include "site.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"

/* A handle: letters, digits, '-', '_' and '.', starting with a letter or
 * digit, shorter than max. */
static bool valid_handle(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n >= max || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
			return false;
	return true;
}

/* No control characters (C0 and DEL) and shorter than max. */
static bool printable(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n >= max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

bool site_role_valid(const char *role)
{
	static const char *const plain[] = { "", "rdc", "vendor", "mcp" };

	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
		if (strcmp(role, plain[i]) == 0)
			return true;
	return strncmp(role, "agency:", 7) == 0 && valid_handle(role + 7, 32);
}

const char *site_intake_source(const struct site *st)
{
	if (strcmp(st->role, "rdc") == 0 || strncmp(st->role, "agency:", 7) == 0)
		return st->role;
	return NULL;
}

static enum hmx_rc check(const struct site *in, struct hmx_err *err)
{
	if (!valid_handle(in->name, sizeof in->name))
		return hmx_err_set(err, HMX_EINVAL,
				   "bad site name \"%s\": use 1-31 letters, digits, '-', '_' or '.'",
				   in->name);
	if (!in->host[0] || in->host[0] == '-' || !printable(in->host, sizeof in->host) ||
	    strpbrk(in->host, " \t@"))
		return hmx_err_set(err, HMX_EINVAL,
				   "bad host \"%s\": a host name, address or ~/.ssh/config alias "
				   "(no spaces, no '@', not starting with '-')", in->host);
	if (in->port < 0 || in->port > 65535)
		return hmx_err_set(err, HMX_EINVAL, "bad port %d: use 1-65535", in->port);
	if (in->user[0] == '-' || !printable(in->user, sizeof in->user) || strpbrk(in->user, " @:"))
		return hmx_err_set(err, HMX_EINVAL, "bad user name");
	if (!printable(in->identity, sizeof in->identity))
		return hmx_err_set(err, HMX_EINVAL, "bad identity file name");
	if (!printable(in->remote_dir, sizeof in->remote_dir))
		return hmx_err_set(err, HMX_EINVAL, "bad remote directory name");
	if (!site_role_valid(in->role))
		return hmx_err_set(err, HMX_EINVAL,
				   "bad role \"%s\": use rdc, vendor, mcp or agency:CODE", in->role);
	return HMX_OK;
}

/* "user@host:port role" for the audit log: where, never a secret. */
static void summary(char *buf, size_t n, const struct site *st)
{
	snprintf(buf, n, "%.63s%s%.150s:%d%s%.47s", st->user, st->user[0] ? "@" : "", st->host, st->port,
		 st->role[0] ? " " : "", st->role);
}

enum hmx_rc site_add(struct store *s, const struct site *in, struct hmx_err *err)
{
	char now[21], object[48], after[272];
	sqlite3_stmt *st;
	enum hmx_rc rc;
	int src;

	if ((rc = check(in, err)) != HMX_OK)
		return rc;
	hmx_now_utc(now);
	snprintf(object, sizeof object, "site/%s", in->name);
	summary(after, sizeof after, in);
	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	st = store_prepare(s,
			   "INSERT INTO site(name, host, port, user, identity, remote_dir, role, "
			   "created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			   err);
	if (!st) {
		store_rollback(s);
		return HMX_EDB;
	}
	sqlite3_bind_text(st, 1, in->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, in->host, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, in->port);
	sqlite3_bind_text(st, 4, in->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, in->identity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, in->remote_dir, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, in->role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, hmx_actor(), -1, SQLITE_TRANSIENT);
	src = sqlite3_step(st);
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		if (sqlite3_extended_errcode(store_db(s)) == SQLITE_CONSTRAINT_UNIQUE)
			rc = hmx_err_set(err, HMX_EEXIST, "site %s already exists", in->name);
		else
			rc = store_fail(s, err, "cannot save the site");
		store_rollback(s);
		return rc;
	}
	if ((rc = audit_write(s, "site.add", object, NULL, after, err)) != HMX_OK) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, err);
}

#define SITE_COLS "id, name, host, port, user, identity, remote_dir, role, created_at, created_by"

static void read_site(sqlite3_stmt *st, void *row)
{
	struct site *o = row;

	o->id = sqlite3_column_int64(st, 0);
	store_col_text(st, 1, o->name, sizeof o->name);
	store_col_text(st, 2, o->host, sizeof o->host);
	o->port = sqlite3_column_int(st, 3);
	store_col_text(st, 4, o->user, sizeof o->user);
	store_col_text(st, 5, o->identity, sizeof o->identity);
	store_col_text(st, 6, o->remote_dir, sizeof o->remote_dir);
	store_col_text(st, 7, o->role, sizeof o->role);
	store_col_text(st, 8, o->created_at, sizeof o->created_at);
	store_col_text(st, 9, o->created_by, sizeof o->created_by);
}

enum hmx_rc site_get(struct store *s, const char *name, struct site *out, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " SITE_COLS " FROM site WHERE name = ?1", err);
	enum hmx_rc rc;
	bool found;

	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if ((rc = store_get_one(s, st, sizeof *out, read_site, out, &found, "cannot read the site",
				err)) != HMX_OK)
		return rc;
	return found ? HMX_OK
		     : hmx_err_set(err, HMX_ENOTFOUND, "no site \"%s\" (see 'hmx site list')", name);
}

enum hmx_rc site_list(struct store *s, struct site **out, size_t *n, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " SITE_COLS " FROM site ORDER BY name", err);

	*out = NULL;
	*n = 0;
	if (!st)
		return HMX_EDB;
	return store_collect(s, st, sizeof **out, read_site, (void **)out, n, "cannot list sites", err);
}

enum hmx_rc site_remove(struct store *s, const char *name, struct hmx_err *err)
{
	struct site old;
	char object[48], before[272];
	sqlite3_stmt *st;
	enum hmx_rc rc;
	int src;

	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	if ((rc = site_get(s, name, &old, err)) != HMX_OK) {
		store_rollback(s);
		return rc;
	}
	snprintf(object, sizeof object, "site/%s", old.name);
	summary(before, sizeof before, &old);
	if (!(st = store_prepare(s, "DELETE FROM site WHERE id = ?1", err))) {
		store_rollback(s);
		return HMX_EDB;
	}
	sqlite3_bind_int64(st, 1, old.id);
	src = sqlite3_step(st);
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		rc = store_fail(s, err, "cannot remove the site");
		store_rollback(s);
		return rc;
	}
	if ((rc = audit_write(s, "site.remove", object, before, NULL, err)) != HMX_OK) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, err);
}
