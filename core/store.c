/* core/store.c — opening, creating and migrating the SQLite file, and the
 * small helpers every core module uses to talk to it. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"

struct store {
	sqlite3 *db;
	char *path;
	bool readonly;
	bool batch; /* inside store_batch_begin: changes are savepoints */
	int depth;  /* open savepoints of the batch */
};

/* Schema migrations: entry i brings user_version from i to i+1. Never edit
 * a released entry; append a new one. */
static const char *const migrations[] = {
	/* 0 -> 1: the foundation */
	"CREATE TABLE config ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL"
	");"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  who TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  object TEXT NOT NULL,"
	"  before TEXT,"
	"  after TEXT"
	");"
	"CREATE INDEX audit_object ON audit(object);"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;"
	"CREATE TABLE agency ("
	"  id INTEGER PRIMARY KEY,"
	"  code TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL"
	");"
	"CREATE TABLE project ("
	"  id INTEGER PRIMARY KEY,"
	"  code TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL,"
	"  agency_id INTEGER NOT NULL REFERENCES agency(id),"
	"  source TEXT NOT NULL CHECK (source IN ('hmis','rdc-direct','outside-agency')),"
	"  hud_project_id TEXT NOT NULL DEFAULT '',"
	"  active INTEGER NOT NULL DEFAULT 1"
	");"
	"CREATE TABLE cycle ("
	"  id INTEGER PRIMARY KEY,"
	"  code TEXT NOT NULL UNIQUE,"
	"  kind TEXT NOT NULL,"
	"  period TEXT NOT NULL,"
	"  start_day INTEGER NOT NULL,"
	"  end_day INTEGER NOT NULL,"
	"  fy_start INTEGER NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  created_by TEXT NOT NULL"
	");"
	"CREATE TABLE step ("
	"  id INTEGER PRIMARY KEY,"
	"  cycle_id INTEGER NOT NULL REFERENCES cycle(id),"
	"  code TEXT NOT NULL,"
	"  parent_id INTEGER REFERENCES step(id),"
	"  ord INTEGER NOT NULL,"
	"  title TEXT NOT NULL,"
	"  source TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  project_id INTEGER REFERENCES project(id),"
	"  gates TEXT NOT NULL DEFAULT '',"
	"  rule TEXT NOT NULL DEFAULT 'none',"
	"  state TEXT NOT NULL DEFAULT 'todo'"
	"    CHECK (state IN ('todo','in-progress','done','skipped','blocked')),"
	"  note TEXT NOT NULL DEFAULT '',"
	"  updated_at TEXT NOT NULL DEFAULT '',"
	"  updated_by TEXT NOT NULL DEFAULT '',"
	"  UNIQUE (cycle_id, code)"
	");"
	"CREATE TABLE step_change ("
	"  id INTEGER PRIMARY KEY,"
	"  step_id INTEGER NOT NULL REFERENCES step(id),"
	"  at TEXT NOT NULL,"
	"  who TEXT NOT NULL,"
	"  from_state TEXT NOT NULL,"
	"  to_state TEXT NOT NULL,"
	"  from_note TEXT NOT NULL DEFAULT '',"
	"  note TEXT NOT NULL DEFAULT '',"
	"  undo_of INTEGER REFERENCES step_change(id)"
	");"
	"CREATE INDEX step_change_step ON step_change(step_id);",
	/* 1 -> 2: INSERT OR REPLACE deletes the row it replaces without firing
	 * DELETE triggers; refuse an insert that names an existing id. (In a
	 * BEFORE INSERT trigger NEW.id is -1 when the id is left to SQLite.) */
	"CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit"
	"  WHEN NEW.id > 0 AND EXISTS (SELECT 1 FROM audit WHERE id = NEW.id)"
	"  BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;",
	/* 2 -> 3: validation runs and their findings (core/validate_store.c).
	 * Findings hold IDs, column names and categories only: no client data. */
	"CREATE TABLE validation_run ("
	"  id INTEGER PRIMARY KEY,"
	"  cycle_id INTEGER REFERENCES cycle(id),"
	"  path TEXT NOT NULL,"
	"  sha256 TEXT,"
	"  spec TEXT NOT NULL DEFAULT '',"
	"  version TEXT NOT NULL DEFAULT '',"
	"  export_id TEXT NOT NULL DEFAULT '',"
	"  started_at TEXT NOT NULL,"
	"  finished_at TEXT,"
	"  status TEXT NOT NULL DEFAULT 'running'"
	"    CHECK (status IN ('running','done','failed')),"
	"  blocking INTEGER NOT NULL DEFAULT 0,"
	"  errors INTEGER NOT NULL DEFAULT 0,"
	"  warnings INTEGER NOT NULL DEFAULT 0,"
	"  counts TEXT NOT NULL DEFAULT '{}',"
	"  created_by TEXT NOT NULL"
	");"
	"CREATE INDEX validation_run_cycle ON validation_run(cycle_id);"
	"CREATE TABLE finding ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES validation_run(id),"
	"  seq INTEGER NOT NULL,"
	"  check_id TEXT NOT NULL,"
	"  severity TEXT NOT NULL CHECK (severity IN ('blocking','error','warning')),"
	"  file TEXT NOT NULL,"
	"  line INTEGER NOT NULL,"
	"  key TEXT NOT NULL DEFAULT '',"
	"  col TEXT NOT NULL DEFAULT '',"
	"  detail TEXT NOT NULL DEFAULT '',"
	"  project TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX finding_run ON finding(run_id, check_id);"
	"CREATE INDEX finding_project ON finding(run_id, project);",
	/* 3 -> 4: file intake and project mapping (core/intake.c, core/mapping.c).
	 * A file is content (its SHA-256 names the zip kept in files/); an
	 * intake is that file arriving in a cycle from a source; X05/X07 of an
	 * intake are findings of a validation_run of their own (checks_run_id),
	 * the validator's run of the file is validation_run_id. Only IDs,
	 * project names, counts and the export's dates: no client data. */
	"CREATE TABLE file ("
	"  id INTEGER PRIMARY KEY,"
	"  sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),"
	"  size INTEGER NOT NULL,"
	"  packed INTEGER NOT NULL DEFAULT 0,"
	"  export_id TEXT NOT NULL DEFAULT '',"
	"  source_name TEXT NOT NULL DEFAULT '',"
	"  software_name TEXT NOT NULL DEFAULT '',"
	"  csv_version TEXT NOT NULL DEFAULT '',"
	"  export_date TEXT NOT NULL DEFAULT '',"
	"  export_start TEXT NOT NULL DEFAULT '',"
	"  export_end TEXT NOT NULL DEFAULT '',"
	"  hash_status INTEGER,"
	"  projects INTEGER NOT NULL DEFAULT 0,"
	"  enrollments INTEGER NOT NULL DEFAULT 0,"
	"  clients INTEGER NOT NULL DEFAULT 0,"
	"  exits INTEGER NOT NULL DEFAULT 0,"
	"  counts_complete INTEGER NOT NULL DEFAULT 1,"
	"  stored_at TEXT NOT NULL,"
	"  stored_by TEXT NOT NULL"
	");"
	"CREATE TABLE file_project ("
	"  id INTEGER PRIMARY KEY,"
	"  file_id INTEGER NOT NULL REFERENCES file(id),"
	"  ord INTEGER NOT NULL,"
	"  source_project_id TEXT NOT NULL,"
	"  name TEXT NOT NULL DEFAULT '',"
	"  enrollments INTEGER NOT NULL DEFAULT 0,"
	"  clients INTEGER NOT NULL DEFAULT 0,"
	"  exits INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (file_id, source_project_id)"
	");"
	"CREATE TABLE intake ("
	"  id INTEGER PRIMARY KEY,"
	"  cycle_id INTEGER NOT NULL REFERENCES cycle(id),"
	"  file_id INTEGER NOT NULL REFERENCES file(id),"
	"  source TEXT NOT NULL,"
	"  received TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  who TEXT NOT NULL,"
	"  checks_run_id INTEGER REFERENCES validation_run(id),"
	"  validation_run_id INTEGER REFERENCES validation_run(id),"
	"  UNIQUE (cycle_id, file_id)"
	");"
	"CREATE INDEX intake_file ON intake(file_id);"
	"CREATE TABLE project_alias ("
	"  id INTEGER PRIMARY KEY,"
	"  source TEXT NOT NULL,"
	"  source_project_id TEXT NOT NULL,"
	"  project_id INTEGER REFERENCES project(id),"
	"  not_ours_reason TEXT NOT NULL DEFAULT '',"
	"  at TEXT NOT NULL,"
	"  who TEXT NOT NULL,"
	"  UNIQUE (source, source_project_id)"
	");"
	"CREATE TABLE file_map ("
	"  id INTEGER PRIMARY KEY,"
	"  intake_id INTEGER NOT NULL REFERENCES intake(id),"
	"  source_project_id TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('mapped','not-ours')),"
	"  project_id INTEGER REFERENCES project(id),"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  duplicate_ok INTEGER NOT NULL DEFAULT 0,"
	"  via TEXT NOT NULL DEFAULT '',"
	"  at TEXT NOT NULL,"
	"  who TEXT NOT NULL,"
	"  UNIQUE (intake_id, source_project_id),"
	"  CHECK ((state = 'mapped') = (project_id IS NOT NULL))"
	");"
	"CREATE INDEX file_map_project ON file_map(project_id);",
	/* 4 -> 5: SFTP sites (core/site.c). Where and how to log in; never a
	 * secret: keys stay in their files, passphrases and passwords are asked. */
	"CREATE TABLE site ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  host TEXT NOT NULL,"
	"  port INTEGER NOT NULL DEFAULT 0 CHECK (port BETWEEN 0 AND 65535),"
	"  user TEXT NOT NULL DEFAULT '',"
	"  identity TEXT NOT NULL DEFAULT '',"
	"  remote_dir TEXT NOT NULL DEFAULT '',"
	"  role TEXT NOT NULL DEFAULT '',"
	"  created_at TEXT NOT NULL,"
	"  created_by TEXT NOT NULL"
	");",
	/* 5 -> 6: transfer jobs (core/transfer.c). A row exists before any byte
	 * moves, so an interrupted pull is found and resumed by the next run. */
	"CREATE TABLE transfer ("
	"  id INTEGER PRIMARY KEY,"
	"  site TEXT NOT NULL,"
	"  direction TEXT NOT NULL CHECK (direction IN ('pull','push')),"
	"  remote_path TEXT NOT NULL,"
	"  local_path TEXT NOT NULL,"
	"  size INTEGER NOT NULL DEFAULT 0,"
	"  done INTEGER NOT NULL DEFAULT 0,"
	"  remote_mtime INTEGER NOT NULL DEFAULT 0,"
	"  sha256 TEXT NOT NULL DEFAULT '',"
	"  state TEXT NOT NULL CHECK (state IN "
	"    ('queued','running','failed','done','cancelled')),"
	"  error TEXT NOT NULL DEFAULT '',"
	"  who TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL"
	");"
	"CREATE INDEX transfer_key ON transfer(site, direction, remote_path, local_path);",
	/* 6 -> 7: notices (core/notice.c): the text of a notice of a cycle once
	 * edited or recorded as sent, one row per cycle, kind and recipient
	 * (an agency code, "" for the vendor or the RDC). No mail is sent. */
	"CREATE TABLE notice ("
	"  id INTEGER PRIMARY KEY,"
	"  cycle_id INTEGER NOT NULL REFERENCES cycle(id),"
	"  kind TEXT NOT NULL,"
	"  recipient TEXT NOT NULL DEFAULT '',"
	"  state TEXT NOT NULL CHECK (state IN ('draft','sent')),"
	"  body TEXT NOT NULL,"
	"  edited INTEGER NOT NULL DEFAULT 0,"
	"  sent_on TEXT,"
	"  updated_at TEXT NOT NULL,"
	"  updated_by TEXT NOT NULL,"
	"  UNIQUE (cycle_id, kind, recipient),"
	"  CHECK ((state = 'sent') = (sent_on IS NOT NULL))"
	");",
	/* 7 -> 8: consent releases (core/consent.c) and the MCP client match
	 * (core/match.c): IDs, dates, hashes and counts only, never a name. */
	"CREATE TABLE consent ("
	"  id INTEGER PRIMARY KEY,"
	"  personal_id TEXT NOT NULL,"
	"  scope TEXT NOT NULL,"
	"  start_day TEXT NOT NULL,"
	"  end_day TEXT NOT NULL DEFAULT '',"
	"  revoked_day TEXT NOT NULL DEFAULT '',"
	"  line INTEGER NOT NULL DEFAULT 0,"
	"  imported_at TEXT NOT NULL,"
	"  imported_by TEXT NOT NULL"
	");"
	"CREATE INDEX consent_key ON consent(personal_id, scope, start_day);"
	"CREATE INDEX consent_scope ON consent(scope);"
	"CREATE TABLE match_member ("
	"  personal_id TEXT PRIMARY KEY,"
	"  member_id TEXT NOT NULL,"
	"  cycle TEXT NOT NULL DEFAULT '',"
	"  updated_at TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE match_list ("
	"  id INTEGER PRIMARY KEY,"
	"  cycle TEXT NOT NULL,"
	"  path TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  rows INTEGER NOT NULL,"
	"  manifest TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  who TEXT NOT NULL,"
	"  purged_at TEXT"
	");"
	"CREATE INDEX match_list_cycle ON match_list(cycle);"
	"CREATE TABLE match_sent ("
	"  list_id INTEGER NOT NULL REFERENCES match_list(id),"
	"  personal_id TEXT NOT NULL,"
	"  PRIMARY KEY (list_id, personal_id)"
	") WITHOUT ROWID;"
	"ALTER TABLE site ADD COLUMN match_fields TEXT NOT NULL DEFAULT '';",
	/* 8 -> 9: the demo-site validation review (core/review.c, core/reviewer.c).
	 * review_item: one per finding identity (check, file, key, column) of a
	 * cycle; decision: every change of an item, automatic ones by "hmx";
	 * fix: the proposals; reviewer: partners who review over SSH (their
	 * public key, never a secret) and the projects or agency they review.
	 * step.requires: a condition besides the gates (core/cycle.c). */
	"CREATE TABLE reviewer ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  key_type TEXT NOT NULL,"
	"  pubkey TEXT NOT NULL,"
	"  fingerprint TEXT NOT NULL UNIQUE,"
	"  agency_id INTEGER REFERENCES agency(id),"
	"  created_at TEXT NOT NULL,"
	"  created_by TEXT NOT NULL"
	");"
	"CREATE TABLE reviewer_project ("
	"  reviewer_id INTEGER NOT NULL REFERENCES reviewer(id) ON DELETE CASCADE,"
	"  project_id INTEGER NOT NULL REFERENCES project(id),"
	"  PRIMARY KEY (reviewer_id, project_id)"
	");"
	"CREATE TABLE review_item ("
	"  id INTEGER PRIMARY KEY,"
	"  cycle_id INTEGER NOT NULL REFERENCES cycle(id),"
	"  check_id TEXT NOT NULL,"
	"  file TEXT NOT NULL,"
	"  key TEXT NOT NULL,"
	"  col TEXT NOT NULL DEFAULT '',"
	"  detail TEXT NOT NULL DEFAULT '',"
	"  source_project TEXT NOT NULL DEFAULT '',"
	"  project_id INTEGER REFERENCES project(id),"
	"  severity TEXT NOT NULL CHECK (severity IN ('blocking','error','warning')),"
	"  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN "
	"    ('open','fix-proposed','approved','rejected','resolved','waived')),"
	"  reviewer_id INTEGER REFERENCES reviewer(id) ON DELETE SET NULL,"
	"  first_run INTEGER NOT NULL REFERENCES validation_run(id),"
	"  last_run INTEGER NOT NULL REFERENCES validation_run(id),"
	"  line INTEGER NOT NULL DEFAULT 0,"
	"  occurrences INTEGER NOT NULL DEFAULT 1,"
	"  version INTEGER NOT NULL DEFAULT 1,"
	"  updated_at TEXT NOT NULL,"
	"  updated_by TEXT NOT NULL,"
	"  UNIQUE (cycle_id, check_id, file, key, col)"
	");"
	"CREATE INDEX review_item_project ON review_item(cycle_id, project_id, state);"
	"CREATE TABLE fix ("
	"  id INTEGER PRIMARY KEY,"
	"  item_id INTEGER NOT NULL REFERENCES review_item(id),"
	"  text TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  who TEXT NOT NULL"
	");"
	"CREATE INDEX fix_item ON fix(item_id);"
	"CREATE TABLE decision ("
	"  id INTEGER PRIMARY KEY,"
	"  item_id INTEGER NOT NULL REFERENCES review_item(id),"
	"  at TEXT NOT NULL,"
	"  who TEXT NOT NULL,"
	"  role TEXT NOT NULL CHECK (role IN ('admin','reviewer','hmx')),"
	"  action TEXT NOT NULL,"
	"  from_state TEXT NOT NULL,"
	"  to_state TEXT NOT NULL,"
	"  text TEXT NOT NULL DEFAULT '',"
	"  run_id INTEGER REFERENCES validation_run(id)"
	");"
	"CREATE INDEX decision_item ON decision(item_id);"
	"CREATE TABLE review_sync ("
	"  run_id INTEGER PRIMARY KEY REFERENCES validation_run(id),"
	"  cycle_id INTEGER NOT NULL REFERENCES cycle(id),"
	"  at TEXT NOT NULL,"
	"  who TEXT NOT NULL"
	");"
	"ALTER TABLE step ADD COLUMN requires TEXT NOT NULL DEFAULT '';"
	"UPDATE step SET requires = 'review-clear' WHERE code = 'notify-live' AND cycle_id IN "
	"  (SELECT id FROM cycle WHERE kind = 'import');",
	/* 9 -> 10: the MCP member list back and the HMIS import files built
	 * from it (core/match_import.c, core/match_build.c): IDs, codes and
	 * dates only; names and DOBs stay in the member list file. One import
	 * per cycle (a re-import replaces it); its findings are a
	 * validation_run of the cycle. match_enrollment holds the MCP-project
	 * enrollments and exits the builds created; match_snap the member and
	 * service state each build left, for the next cycle's delta. */
	"CREATE TABLE match_import ("
	"  cycle TEXT PRIMARY KEY,"
	"  path TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  rows INTEGER NOT NULL,"
	"  members INTEGER NOT NULL,"
	"  services INTEGER NOT NULL,"
	"  run_id INTEGER REFERENCES validation_run(id),"
	"  at TEXT NOT NULL,"
	"  who TEXT NOT NULL"
	");"
	"CREATE TABLE match_return ("
	"  cycle TEXT NOT NULL,"
	"  personal_id TEXT NOT NULL,"
	"  line INTEGER NOT NULL,"
	"  mcp TEXT NOT NULL DEFAULT '',"
	"  plan TEXT NOT NULL DEFAULT '',"
	"  member_id TEXT NOT NULL DEFAULT '',"
	"  cin TEXT NOT NULL DEFAULT '',"
	"  effective TEXT NOT NULL DEFAULT '',"
	"  termination TEXT NOT NULL DEFAULT '',"
	"  PRIMARY KEY (cycle, personal_id)"
	") WITHOUT ROWID;"
	"CREATE TABLE match_service ("
	"  cycle TEXT NOT NULL,"
	"  personal_id TEXT NOT NULL,"
	"  service TEXT NOT NULL,"
	"  enrolled INTEGER NOT NULL,"
	"  provider TEXT NOT NULL DEFAULT '',"
	"  start_day TEXT NOT NULL DEFAULT '',"
	"  end_day TEXT NOT NULL DEFAULT '',"
	"  PRIMARY KEY (cycle, personal_id, service)"
	") WITHOUT ROWID;"
	"CREATE TABLE match_build ("
	"  cycle TEXT PRIMARY KEY,"
	"  start_day TEXT NOT NULL,"
	"  spec TEXT NOT NULL,"
	"  out_dir TEXT NOT NULL,"
	"  counts TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  who TEXT NOT NULL"
	");"
	"CREATE TABLE match_enrollment ("
	"  enrollment_id TEXT PRIMARY KEY,"
	"  personal_id TEXT NOT NULL,"
	"  entry_day TEXT NOT NULL,"
	"  cycle_in TEXT NOT NULL,"
	"  exit_id TEXT,"
	"  exit_day TEXT,"
	"  destination INTEGER,"
	"  cycle_out TEXT"
	");"
	"CREATE INDEX match_enrollment_pid ON match_enrollment(personal_id);"
	"CREATE TABLE match_snap ("
	"  cycle TEXT NOT NULL,"
	"  personal_id TEXT NOT NULL,"
	"  item TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (cycle, personal_id, item)"
	") WITHOUT ROWID;",
	/* 10 -> 11: rows per file and ProjectID of every file whose rows
	 * belong to an enrollment (core/intake.c, reconciled by
	 * core/reconcile.c, check X06): live rows, their ProjectID read through
	 * EnrollmentID -> Enrollment.ProjectID; '' when the EnrollmentID names
	 * no live enrollment (or one without ProjectID). Enrollment.csv and
	 * Exit.csv stay in file_project. file.file_counts says the file was
	 * counted so (0: taken in before, no file_count rows). Counts only. */
	"ALTER TABLE file ADD COLUMN file_counts INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE file_count ("
	"  file_id INTEGER NOT NULL REFERENCES file(id),"
	"  file TEXT NOT NULL,"
	"  ord INTEGER NOT NULL,"
	"  source_project_id TEXT NOT NULL,"
	"  rows INTEGER NOT NULL,"
	"  PRIMARY KEY (file_id, file, source_project_id)"
	") WITHOUT ROWID;",
};

#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int store_schema_version(void)
{
	return N_MIGRATIONS;
}

enum hmx_rc store_default_path(char *buf, size_t size, struct hmx_err *err)
{
	const char *env = getenv("HMX_DB");
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int n;

	if (env && *env)
		n = snprintf(buf, size, "%s", env);
	else if (xdg && *xdg == '/')
		n = snprintf(buf, size, "%s/hmx/hmx.db", xdg);
	else if (home && *home)
		n = snprintf(buf, size, "%s/.local/share/hmx/hmx.db", home);
	else
		return hmx_err_set(err, HMX_EINVAL,
				   "cannot find a place for the database: set HOME, XDG_DATA_HOME or use --db PATH");
	if (n < 0 || (size_t)n >= size)
		return hmx_err_set(err, HMX_EINVAL, "database path is too long");
	return HMX_OK;
}

/* mkdir -p with mode 0700 for every directory it creates. */
static enum hmx_rc make_dirs(const char *path, struct hmx_err *err)
{
	char buf[4096];
	size_t len = strlen(path);

	if (len >= sizeof buf)
		return hmx_err_set(err, HMX_EINVAL, "path too long: %s", path);
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return hmx_err_set(err, HMX_EIO, "cannot create directory %s: %s", buf,
					   strerror(errno));
		*p = '/';
	}
	if (mkdir(buf, 0700) != 0 && errno != EEXIST)
		return hmx_err_set(err, HMX_EIO, "cannot create directory %s: %s", buf, strerror(errno));
	return HMX_OK;
}

static enum hmx_rc ensure_parent(const char *path, struct hmx_err *err)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t len;

	if (!slash || slash == path)
		return HMX_OK;
	len = (size_t)(slash - path);
	if (len >= sizeof dir)
		return hmx_err_set(err, HMX_EINVAL, "path too long: %s", path);
	memcpy(dir, path, len);
	dir[len] = '\0';
	return make_dirs(dir, err);
}

enum hmx_rc store_fail(struct store *s, struct hmx_err *err, const char *doing)
{
	int code = s && s->db ? sqlite3_extended_errcode(s->db) : SQLITE_ERROR;
	const char *msg = s && s->db ? sqlite3_errmsg(s->db) : "no connection";
	const char *hint = "";

	switch (code & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		hint = " (another hmx is writing; try again in a moment)";
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		hint = " (the file is damaged or not an hmx database; restore a backup)";
		break;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		hint = " (check the permissions of the database file and its directory)";
		break;
	case SQLITE_FULL:
		hint = " (the disk is full)";
		break;
	default:
		break;
	}
	return hmx_err_set(err, HMX_EDB, "%s: %s%s", doing, msg, hint);
}

sqlite3_stmt *store_prepare(struct store *s, const char *sql, struct hmx_err *err)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_fail(s, err, "database query failed");
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

enum hmx_rc store_exec(struct store *s, const char *sql, struct hmx_err *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(s, err, "database update failed");
	return HMX_OK;
}

static int user_version(struct store *s, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, "PRAGMA user_version", err);
	int v = -1;

	if (!st)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	else
		store_fail(s, err, "cannot read the database version");
	sqlite3_finalize(st);
	return v;
}

/* Refuses a database written by a newer hmx. Runs before anything writes
 * to the file (even switching the journal to WAL rewrites its header). */
static enum hmx_rc check_not_newer(struct store *s, struct hmx_err *err)
{
	int v = user_version(s, err);

	if (v < 0)
		return HMX_EDB;
	if (v > N_MIGRATIONS)
		return hmx_err_set(err, HMX_ENEWER,
				   "%s was written by a newer hmx (schema %d, this hmx knows %d): "
				   "upgrade hmx; the database was not touched",
				   s->path, v, N_MIGRATIONS);
	return HMX_OK;
}

static enum hmx_rc migrate(struct store *s, struct hmx_err *err)
{
	int v = user_version(s, err);
	char sql[64], from[32];

	if (v < 0)
		return HMX_EDB;
	while (v < N_MIGRATIONS) {
		if (s->readonly)
			return hmx_err_set(err, HMX_EDB,
					   "%s needs a schema upgrade (%d -> %d) but was opened read-only",
					   s->path, v, N_MIGRATIONS);
		if (store_begin(s, err) != HMX_OK)
			return err ? err->rc : HMX_EDB;
		/* re-read inside the write lock: another process may have migrated */
		v = user_version(s, err);
		if (v < 0 || v >= N_MIGRATIONS) {
			store_rollback(s);
			if (v > N_MIGRATIONS)
				return hmx_err_set(err, HMX_ENEWER,
						   "%s was just upgraded by a newer hmx (schema %d): upgrade hmx",
						   s->path, v);
			return v < 0 ? HMX_EDB : HMX_OK;
		}
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		if (store_exec(s, migrations[v], err) != HMX_OK || store_exec(s, sql, err) != HMX_OK) {
			store_rollback(s);
			return HMX_EDB;
		}
		snprintf(from, sizeof from, "schema %d", v);
		snprintf(sql, sizeof sql, "schema %d", v + 1);
		if (audit_write(s, "store.migrate", "database", v ? from : "empty", sql, err) != HMX_OK ||
		    store_commit(s, err) != HMX_OK) {
			store_rollback(s);
			return HMX_EDB;
		}
		v++;
	}
	return HMX_OK;
}

enum hmx_rc store_open(const char *path, unsigned flags, struct store **out, struct hmx_err *err)
{
	struct store *s;
	struct stat stb;
	bool exists;
	int oflags;
	enum hmx_rc rc;

	*out = NULL;
	exists = stat(path, &stb) == 0;
	if (!exists && !(flags & STORE_CREATE))
		return hmx_err_set(err, HMX_ENOTFOUND,
				   "no database at %s: run 'hmx init' first or give --db PATH", path);
	if (exists && !S_ISREG(stb.st_mode))
		return hmx_err_set(err, HMX_EINVAL, "%s is not a regular file", path);
	if (!exists) {
		int fd;

		if ((rc = ensure_parent(path, err)) != HMX_OK)
			return rc;
		/* create it ourselves so the mode is 0600 from the first byte */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return hmx_err_set(err, HMX_EIO, "cannot create database %s: %s", path,
					   strerror(errno));
		if (fd >= 0)
			close(fd);
	} else if (stb.st_mode & 077) {
		hmx_log(HMX_LOG_WARN,
			"%s is readable by other users (mode %03o): run 'chmod 600 %s'", path,
			(unsigned)(stb.st_mode & 0777), path);
	}

	s = calloc(1, sizeof *s);
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	}
	s->readonly = flags & STORE_READONLY;
	oflags = s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = store_fail(s, err, "cannot open the database");
		store_close(&s);
		return rc;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 5000);
	/* a cheap read that fails on a file that is not a database */
	if (store_exec(s, "SELECT count(*) FROM sqlite_schema", err) != HMX_OK) {
		store_fail(s, err, "cannot read the database");
		store_close(&s);
		return HMX_EDB;
	}
	if ((rc = check_not_newer(s, err)) != HMX_OK) {
		store_close(&s);
		return rc;
	}
	if (!s->readonly && store_exec(s, "PRAGMA journal_mode=WAL", err) != HMX_OK) {
		store_close(&s);
		return HMX_EDB;
	}
	if (store_exec(s, "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL", err) != HMX_OK) {
		store_close(&s);
		return HMX_EDB;
	}
	if ((rc = migrate(s, err)) != HMX_OK) {
		store_close(&s);
		return rc;
	}
	/* WAL side files inherit the database's mode, but make sure */
	if (!s->readonly) {
		char side[4200];
		snprintf(side, sizeof side, "%s-wal", path);
		chmod(side, 0600);
		snprintf(side, sizeof side, "%s-shm", path);
		chmod(side, 0600);
	}
	*out = s;
	return HMX_OK;
}

void store_close(struct store **sp)
{
	struct store *s;

	if (!sp || !*sp)
		return;
	s = *sp;
	if (s->db)
		sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
	*sp = NULL;
}

sqlite3 *store_db(struct store *s)
{
	return s->db;
}

const char *store_path(const struct store *s)
{
	return s->path;
}

enum hmx_rc store_begin(struct store *s, struct hmx_err *err)
{
	if (s->readonly)
		return hmx_err_set(err, HMX_ESTATE, "the database is open read-only: no changes allowed");
	if (s->batch) {
		if (sqlite3_exec(s->db, "SAVEPOINT hmx_change", NULL, NULL, NULL) != SQLITE_OK)
			return store_fail(s, err, "cannot start a change");
		s->depth++;
		return HMX_OK;
	}
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(s, err, "cannot start a change");
	return HMX_OK;
}

enum hmx_rc store_commit(struct store *s, struct hmx_err *err)
{
	if (s->batch) {
		/* the change stays inside the batch until store_batch_commit */
		if (s->depth > 0 &&
		    sqlite3_exec(s->db, "RELEASE hmx_change", NULL, NULL, NULL) != SQLITE_OK) {
			enum hmx_rc rc = store_fail(s, err, "cannot save the change");
			store_rollback(s);
			return rc;
		}
		if (s->depth > 0)
			s->depth--;
		return HMX_OK;
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		enum hmx_rc rc = store_fail(s, err, "cannot save the change");
		store_rollback(s);
		return rc;
	}
	return HMX_OK;
}

void store_rollback(struct store *s)
{
	if (s->batch) {
		/* only the innermost change; a second call after it is a no-op */
		if (s->depth > 0) {
			sqlite3_exec(s->db, "ROLLBACK TO hmx_change", NULL, NULL, NULL);
			sqlite3_exec(s->db, "RELEASE hmx_change", NULL, NULL, NULL);
			s->depth--;
		}
		return;
	}
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

enum hmx_rc store_batch_begin(struct store *s, struct hmx_err *err)
{
	enum hmx_rc rc;

	if (s->batch)
		return hmx_err_set(err, HMX_ESTATE, "a batch of changes is already open");
	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	s->batch = true;
	s->depth = 0;
	return HMX_OK;
}

enum hmx_rc store_batch_commit(struct store *s, struct hmx_err *err)
{
	if (!s->batch)
		return hmx_err_set(err, HMX_ESTATE, "no batch of changes is open");
	while (s->depth > 0) /* a change left open inside: not part of the batch */
		store_rollback(s);
	s->batch = false;
	return store_commit(s, err);
}

void store_batch_rollback(struct store *s)
{
	if (!s->batch)
		return;
	s->batch = false;
	s->depth = 0;
	store_rollback(s);
}

int64_t store_data_version(struct store *s)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA data_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

void store_col_text(sqlite3_stmt *st, int col, char *buf, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	hmx_strlcpy(buf, t ? (const char *)t : "", n);
}

enum hmx_rc store_collect(struct store *s, sqlite3_stmt *st, size_t elem,
			  void (*read)(sqlite3_stmt *st, void *row), void **out, size_t *n,
			  const char *doing, struct hmx_err *err)
{
	char *arr = NULL, *na;
	size_t cap = 0, count = 0;
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!(na = hmx_grow(arr, &cap, count, elem))) {
			free(arr);
			sqlite3_finalize(st);
			return hmx_err_set(err, HMX_ENOMEM, "out of memory");
		}
		arr = na;
		memset(arr + count * elem, 0, elem);
		read(st, arr + count * elem);
		count++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(arr);
		return store_fail(s, err, doing);
	}
	*out = arr;
	*n = count;
	return HMX_OK;
}

enum hmx_rc store_get_one(struct store *s, sqlite3_stmt *st, size_t elem,
			  void (*read)(sqlite3_stmt *st, void *row), void *out, bool *found,
			  const char *doing, struct hmx_err *err)
{
	int rc = sqlite3_step(st);

	*found = rc == SQLITE_ROW;
	if (*found) {
		memset(out, 0, elem);
		read(st, out);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, err, doing);
	return HMX_OK;
}

enum hmx_rc store_exec_text(struct store *s, const char *sql, const char *arg, const char *doing,
			    struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, sql, err);
	int rc;

	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? HMX_OK : store_fail(s, err, doing);
}

int64_t store_lookup_id(struct store *s, const char *sql, const char *arg, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, sql, err);
	int64_t id = 0;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_fail(s, err, "database query failed");
		return -1;
	}
	return id;
}
