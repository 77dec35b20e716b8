/* core/registry.c — agencies and projects, with audited changes. */
#include "registry.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"

static const char *const source_names[] = {
	[REG_SRC_HMIS] = "hmis",
	[REG_SRC_RDC_DIRECT] = "rdc-direct",
	[REG_SRC_OUTSIDE_AGENCY] = "outside-agency",
};

const char *reg_source_name(enum reg_source src)
{
	return (unsigned)src < 3 ? source_names[src] : "?";
}

bool reg_source_parse(const char *s, enum reg_source *out)
{
	for (unsigned i = 0; i < 3; i++) {
		if (strcmp(s, source_names[i]) == 0) {
			*out = (enum reg_source)i;
			return true;
		}
	}
	return false;
}

/* A handle: 1-47 chars of letters, digits, '-', '_' and '.', starting with
 * a letter or digit. Handles go into step codes and command lines. */
static bool valid_code(const char *code, size_t max)
{
	size_t n = strlen(code);

	if (n == 0 || n >= max || !isalnum((unsigned char)code[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)code[i]) && !strchr("-_.", code[i]))
			return false;
	return true;
}

static bool valid_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 120)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20)
			return false;
	return true;
}

/* Runs one INSERT/UPDATE statement with text parameters; maps a UNIQUE
 * failure to HMX_EEXIST with the given message. */
static enum hmx_rc run_write(struct store *s, const char *sql, const char *const *params, int np,
			     const char *exists_msg, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, sql, err);
	int rc;

	if (!st)
		return HMX_EDB;
	for (int i = 0; i < np; i++)
		if (params[i])
			sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return HMX_OK;
	if ((rc & 0xff) == SQLITE_CONSTRAINT && exists_msg &&
	    sqlite3_extended_errcode(store_db(s)) == SQLITE_CONSTRAINT_UNIQUE)
		return hmx_err_set(err, HMX_EEXIST, "%s", exists_msg);
	return store_fail(s, err, "cannot save");
}

/* Wraps one write and its audit row in a transaction. */
static enum hmx_rc write_audited(struct store *s, const char *sql, const char *const *params, int np,
				 const char *exists_msg, const char *action, const char *object,
				 const char *before, const char *after, struct hmx_err *err)
{
	enum hmx_rc rc = store_begin(s, err);

	if (rc != HMX_OK)
		return rc;
	if ((rc = run_write(s, sql, params, np, exists_msg, err)) != HMX_OK ||
	    (rc = audit_write(s, action, object, before, after, err)) != HMX_OK) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, err);
}

enum hmx_rc reg_agency_add(struct store *s, const char *code, const char *name, struct hmx_err *err)
{
	char msg[160];
	const char *params[] = { code, name };

	if (!valid_code(code, 32))
		return hmx_err_set(err, HMX_EINVAL,
				   "bad agency code \"%s\": use 1-31 letters, digits, '-', '_' or '.'", code);
	if (!valid_name(name))
		return hmx_err_set(err, HMX_EINVAL, "bad agency name: 1-120 printable characters");
	char object[48];

	snprintf(msg, sizeof msg, "agency %s already exists", code);
	snprintf(object, sizeof object, "agency/%s", code);
	return write_audited(s, "INSERT INTO agency(code, name) VALUES (?1, ?2)", params, 2, msg,
			     "agency.add", object, NULL, name, err);
}

static void read_agency(sqlite3_stmt *st, void *row)
{
	struct reg_agency *a = row;

	a->id = sqlite3_column_int64(st, 0);
	store_col_text(st, 1, a->code, sizeof a->code);
	store_col_text(st, 2, a->name, sizeof a->name);
}

enum hmx_rc reg_agency_list(struct store *s, struct reg_agency **out, size_t *n, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT id, code, name FROM agency ORDER BY code", err);
	enum hmx_rc rc;
	void *v;

	*out = NULL;
	*n = 0;
	if (!st)
		return HMX_EDB;
	rc = store_collect(s, st, sizeof **out, read_agency, &v, n, "cannot list agencies", err);
	*out = v;
	return rc;
}

bool reg_agency_exists(struct store *s, const char *code)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT 1 FROM agency WHERE code = ?1", NULL);
	bool found;

	if (!st)
		return false;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static bool valid_hud_id(const char *id)
{
	return strlen(id) <= 32 && valid_name(id[0] ? id : "x");
}

enum hmx_rc reg_project_add(struct store *s, const char *code, const char *name,
			    const char *agency_code, enum reg_source source,
			    const char *hud_project_id, struct hmx_err *err)
{
	char msg[160], after[256], object[64];
	const char *params[] = { code, name, agency_code, reg_source_name(source),
				 hud_project_id ? hud_project_id : "" };

	if (!valid_code(code, 48))
		return hmx_err_set(err, HMX_EINVAL,
				   "bad project code \"%s\": use 1-47 letters, digits, '-', '_' or '.'", code);
	if (!valid_name(name))
		return hmx_err_set(err, HMX_EINVAL, "bad project name: 1-120 printable characters");
	if (!valid_hud_id(params[4]))
		return hmx_err_set(err, HMX_EINVAL, "bad HUD ProjectID: at most 32 printable characters");
	if (!reg_agency_exists(s, agency_code))
		return hmx_err_set(err, HMX_ENOTFOUND,
				   "no agency \"%s\": add it first with 'hmx project agency-add'", agency_code);
	snprintf(msg, sizeof msg, "project %s already exists", code);
	snprintf(after, sizeof after, "%s; agency=%s; source=%s; hud-id=%s", name, agency_code,
		 params[3], params[4]);
	snprintf(object, sizeof object, "project/%s", code);
	return write_audited(s,
			     "INSERT INTO project(code, name, agency_id, source, hud_project_id) "
			     "SELECT ?1, ?2, id, ?4, ?5 FROM agency WHERE code = ?3",
			     params, 5, msg, "project.add", object, NULL, after, err);
}

#define PROJECT_SELECT                                                                       \
	"SELECT p.id, p.code, p.name, a.code, p.source, p.hud_project_id, p.active "        \
	"FROM project p JOIN agency a ON a.id = p.agency_id "

static void read_project(sqlite3_stmt *st, void *row)
{
	struct reg_project *p = row;
	char src[32];

	p->id = sqlite3_column_int64(st, 0);
	store_col_text(st, 1, p->code, sizeof p->code);
	store_col_text(st, 2, p->name, sizeof p->name);
	store_col_text(st, 3, p->agency_code, sizeof p->agency_code);
	store_col_text(st, 4, src, sizeof src);
	if (!reg_source_parse(src, &p->source))
		p->source = REG_SRC_HMIS;
	store_col_text(st, 5, p->hud_project_id, sizeof p->hud_project_id);
	p->active = sqlite3_column_int(st, 6) != 0;
	p->in_upload_group = p->active && p->source != REG_SRC_RDC_DIRECT;
}

enum hmx_rc reg_project_get(struct store *s, const char *code, struct reg_project *out,
			    struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, PROJECT_SELECT "WHERE p.code = ?1", err);
	int rc;

	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_project(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return hmx_err_set(err, HMX_ENOTFOUND, "no project \"%s\" (see 'hmx project list')", code);
	if (rc != SQLITE_ROW)
		return store_fail(s, err, "cannot read project");
	return HMX_OK;
}

enum hmx_rc reg_project_list(struct store *s, const enum reg_source *src_filter,
			     struct reg_project **out, size_t *n, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, PROJECT_SELECT
					 "WHERE ?1 IS NULL OR p.source = ?1 ORDER BY a.code, p.code",
					 err);
	enum hmx_rc rc;
	void *v;

	*out = NULL;
	*n = 0;
	if (!st)
		return HMX_EDB;
	if (src_filter)
		sqlite3_bind_text(st, 1, reg_source_name(*src_filter), -1, SQLITE_STATIC);
	rc = store_collect(s, st, sizeof **out, read_project, &v, n, "cannot list projects", err);
	*out = v;
	return rc;
}

enum hmx_rc reg_project_set(struct store *s, const char *code, const char *field,
			    const char *value, struct hmx_err *err)
{
	struct reg_project p;
	enum reg_source src;
	const char *sql, *before;
	char object[96], active[4];
	enum hmx_rc rc;

	if ((rc = reg_project_get(s, code, &p, err)) != HMX_OK)
		return rc;
	snprintf(object, sizeof object, "project/%s", code);
	if (strcmp(field, "name") == 0) {
		if (!valid_name(value))
			return hmx_err_set(err, HMX_EINVAL, "bad project name: 1-120 printable characters");
		sql = "UPDATE project SET name = ?2 WHERE code = ?1";
		before = p.name;
	} else if (strcmp(field, "source") == 0) {
		if (!reg_source_parse(value, &src))
			return hmx_err_set(err, HMX_EINVAL,
					   "bad source \"%s\": use hmis, rdc-direct or outside-agency", value);
		sql = "UPDATE project SET source = ?2 WHERE code = ?1";
		before = reg_source_name(p.source);
	} else if (strcmp(field, "hud-id") == 0) {
		if (!valid_hud_id(value))
			return hmx_err_set(err, HMX_EINVAL, "bad HUD ProjectID: at most 32 printable characters");
		sql = "UPDATE project SET hud_project_id = ?2 WHERE code = ?1";
		before = p.hud_project_id;
	} else if (strcmp(field, "agency") == 0) {
		if (!reg_agency_exists(s, value))
			return hmx_err_set(err, HMX_ENOTFOUND, "no agency \"%s\"", value);
		sql = "UPDATE project SET agency_id = (SELECT id FROM agency WHERE code = ?2) WHERE code = ?1";
		before = p.agency_code;
	} else if (strcmp(field, "active") == 0) {
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
			return hmx_err_set(err, HMX_EINVAL, "active must be yes or no, not \"%s\"", value);
		sql = "UPDATE project SET active = (?2 = 'yes') WHERE code = ?1";
		snprintf(active, sizeof active, "%s", p.active ? "yes" : "no");
		before = active;
	} else {
		return hmx_err_set(err, HMX_EINVAL,
				   "unknown project field \"%s\": use name, source, hud-id, agency or active",
				   field);
	}
	{
		const char *params[] = { code, value };
		char b[200], a[200];

		snprintf(b, sizeof b, "%s=%s", field, before);
		snprintf(a, sizeof a, "%s=%s", field, value);
		return write_audited(s, sql, params, 2, NULL, "project.set", object, b, a, err);
	}
}
