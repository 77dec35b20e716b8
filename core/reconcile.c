/* core/reconcile.c — rows per project and file in the files sent for
 * import versus the demo-site export, from the counts intake keeps
 * (file_project, file_count), stored as X06 findings of a validation_run
 * of its own. */
#include "reconcile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "spec.h"

/* The files file_project counts, and the column holding each count; they
 * come first, in this order. */
static const struct {
	const char *file;
	const char *col;
} counted[] = {
	{ "Enrollment.csv", "enrollments" },
	{ "Exit.csv", "exits" },
	{ "Client.csv", "clients" },
};
#define NCOUNTED (sizeof counted / sizeof counted[0])

/* How a source ProjectID of intake i is named (see reconcile.h); ID is
 * the column holding it. A ProjectID mapped to "not ours" in its file is
 * left out by MAP_WHERE. */
#define MAP_JOIN(ID)                                                                            \
	"LEFT JOIN file_map fm ON fm.intake_id = i.id AND fm.source_project_id = " ID " "       \
	"LEFT JOIN project p ON p.id = fm.project_id "                                          \
	"LEFT JOIN project p2 ON fm.id IS NULL AND p2.hud_project_id <> '' "                    \
	"  AND p2.hud_project_id = " ID " "
#define MAP_NAME(ID) "coalesce(p.code, p2.code, 'ProjectID=' || " ID ")"
#define MAP_WHERE "AND (fm.state IS NULL OR fm.state = 'mapped') "

/* Per project and side (0 sent, 1 demo): the file_project counts. */
#define COUNTS_SQL                                                                              \
	"SELECT " MAP_NAME("fp.source_project_id") " AS proj, "                                 \
	"  i.source = 'demo' AS side, sum(fp.enrollments), sum(fp.exits), sum(fp.clients) "     \
	"FROM intake i JOIN file_project fp ON fp.file_id = i.file_id "                         \
	MAP_JOIN("fp.source_project_id")                                                        \
	"WHERE i.cycle_id = ?1 AND (i.source <> 'demo' OR i.id = ?2) " MAP_WHERE                \
	"GROUP BY proj, side"

/* Per project, side and file: the file_count rows ('' for the bucket of
 * unknown enrollments, named by C). */
#define FILE_COUNTS_SQL                                                                         \
	"SELECT CASE WHEN fc.source_project_id = '' THEN '' "                                   \
	"  ELSE " MAP_NAME("fc.source_project_id") " END AS proj, "                             \
	"  i.source = 'demo' AS side, fc.file, min(fc.ord), sum(fc.rows) "                      \
	"FROM intake i JOIN file_count fc ON fc.file_id = i.file_id "                           \
	MAP_JOIN("fc.source_project_id")                                                        \
	"WHERE i.cycle_id = ?1 AND (i.source <> 'demo' OR i.id = ?2) " MAP_WHERE                \
	"GROUP BY proj, side, fc.file"

/* One count: a project's rows in one file on one side. */
struct count {
	char project[64];
	char file[32];
	long ord;     /* NCOUNTED files first (negative), then spec order */
	int side;
	uint64_t n;
};

struct counts {
	struct count *v;
	size_t n, cap;
};

static struct count *count_add(struct counts *c)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		struct count *v = realloc(c->v, cap * sizeof *v);

		if (!v)
			return NULL;
		c->v = v;
		c->cap = cap;
	}
	memset(&c->v[c->n], 0, sizeof c->v[c->n]);
	return &c->v[c->n++];
}

/* Reads the rows of st (bound, stepped here) into c: per_file selects the
 * FILE_COUNTS_SQL shape, else COUNTS_SQL's (one count per counted file). */
static enum hmx_rc read_counts(struct store *s, sqlite3_stmt *st, bool per_file,
			       struct counts *c, struct hmx_err *err)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char proj[64];
		int side = sqlite3_column_int(st, 1);

		store_col_text(st, 0, proj, sizeof proj);
		for (size_t k = 0; k < (per_file ? 1 : NCOUNTED); k++) {
			struct count *x = count_add(c);

			if (!x) {
				sqlite3_finalize(st);
				return hmx_err_set(err, HMX_ENOMEM, "out of memory");
			}
			hmx_strlcpy(x->project, proj[0] ? proj : RECONCILE_UNKNOWN,
				    sizeof x->project);
			x->side = side;
			if (per_file) {
				store_col_text(st, 2, x->file, sizeof x->file);
				x->ord = (long)sqlite3_column_int64(st, 3);
				x->n = (uint64_t)sqlite3_column_int64(st, 4);
			} else {
				hmx_strlcpy(x->file, counted[k].file, sizeof x->file);
				x->ord = (long)k - (long)NCOUNTED;
				x->n = (uint64_t)sqlite3_column_int64(st, 2 + (int)k);
			}
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? HMX_OK : store_fail(s, err, "cannot read the files' counts");
}

/* Projects in name order, the bucket of unknown enrollments last; then
 * files; then sides. */
static int count_cmp(const void *a, const void *b)
{
	const struct count *x = a, *y = b;
	bool ux = strcmp(x->project, RECONCILE_UNKNOWN) == 0;
	bool uy = strcmp(y->project, RECONCILE_UNKNOWN) == 0;
	int d;

	if (ux != uy)
		return ux ? 1 : -1;
	if ((d = strcmp(x->project, y->project)) != 0)
		return d;
	if (x->ord != y->ord)
		return x->ord < y->ord ? -1 : 1;
	if ((d = strcmp(x->file, y->file)) != 0)
		return d;
	return x->side - y->side;
}

/* Whether every file compared was counted per file, and whether every
 * count is whole (no file stopped early). */
static enum hmx_rc read_state(struct store *s, int64_t cid, int64_t demo, bool *per_file,
			      bool *complete, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(
		s,
		"SELECT coalesce(min(f.file_counts), 1), coalesce(min(f.counts_complete), 1) "
		"FROM intake i JOIN file f ON f.id = i.file_id "
		"WHERE i.cycle_id = ?1 AND (i.source <> 'demo' OR i.id = ?2)",
		err);
	int rc;

	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_int64(st, 2, demo);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*per_file = sqlite3_column_int(st, 0) != 0;
		*complete = sqlite3_column_int(st, 1) != 0;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? HMX_OK : store_fail(s, err, "cannot read the files' counts");
}

/* The cycle's id, its latest demo-site intake (0 when none) with the
 * file's SHA-256, and how many other intakes it has. */
static enum hmx_rc find_intakes(struct store *s, const char *cycle, int64_t *cid, int64_t *demo,
				char sha[65], size_t *nsent, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(
		s,
		"SELECT c.id, "
		"  (SELECT i.id FROM intake i WHERE i.cycle_id = c.id AND i.source = 'demo' "
		"   ORDER BY i.id DESC LIMIT 1), "
		"  (SELECT f.sha256 FROM intake i JOIN file f ON f.id = i.file_id "
		"   WHERE i.cycle_id = c.id AND i.source = 'demo' ORDER BY i.id DESC LIMIT 1), "
		"  (SELECT count(*) FROM intake i WHERE i.cycle_id = c.id AND i.source <> 'demo') "
		"FROM cycle c WHERE c.code = ?1",
		err);
	int rc;

	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, cycle, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*cid = sqlite3_column_int64(st, 0);
		*demo = sqlite3_column_int64(st, 1);
		store_col_text(st, 2, sha, 65);
		*nsent = (size_t)sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return hmx_err_set(err, HMX_ENOTFOUND, "no cycle \"%s\" (see 'hmx cycle list --all')",
				   cycle);
	if (rc != SQLITE_ROW)
		return store_fail(s, err, "cannot read the cycle's files");
	if (!*demo)
		return hmx_err_set(err, HMX_ESTATE,
				   "cycle %s has no demo-site export to reconcile: record it with "
				   "'hmx intake %s PATH --source demo'",
				   cycle, cycle);
	if (*nsent == 0)
		return hmx_err_set(err, HMX_ESTATE,
				   "cycle %s has no file sent for import to reconcile against: record "
				   "them with 'hmx intake %s PATH --source rdc|agency:CODE|hmis'",
				   cycle, cycle);
	return HMX_OK;
}

/* Turns the sorted counts into rows: one per project and file, sent
 * against demo. */
static enum hmx_rc build_rows(const struct count *c, size_t nc, struct reconcile_result *out,
			      struct hmx_err *err)
{
	out->rows = calloc(nc + 1, sizeof *out->rows);
	if (!out->rows)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	for (size_t i = 0; i < nc;) {
		uint64_t by[2] = { 0, 0 };
		size_t j = i;
		struct reconcile_row *r = &out->rows[out->nrows];

		for (; j < nc && strcmp(c[j].project, c[i].project) == 0 &&
		       strcmp(c[j].file, c[i].file) == 0;
		     j++)
			by[c[j].side ? 1 : 0] += c[j].n;
		if (by[0] || by[1]) {
			hmx_strlcpy(r->project, c[i].project, sizeof r->project);
			hmx_strlcpy(r->file, c[i].file, sizeof r->file);
			r->sent = by[0];
			r->demo = by[1];
			r->mismatch = r->sent != r->demo;
			out->mismatches += r->mismatch;
			out->nrows++;
		}
		i = j;
	}
	return HMX_OK;
}

static enum hmx_rc step_done(struct store *s, sqlite3_stmt *st, const char *doing,
			     struct hmx_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? HMX_OK : store_fail(s, err, doing);
}

/* The run and its X06 rows, with the audit row; inside a transaction. */
static enum hmx_rc save_run(struct store *s, int64_t cid, struct reconcile_result *out,
			    struct hmx_err *err)
{
	char now[21], counts[48], after[96];
	bool blocking = strcmp(out->severity, "blocking") == 0;
	bool error = strcmp(out->severity, "error") == 0;
	sqlite3_stmt *st;
	enum hmx_rc rc;
	size_t seq = 0;

	hmx_now_utc(now);
	snprintf(counts, sizeof counts, out->mismatches ? "{\"X06\":%zu}" : "{}", out->mismatches);
	st = store_prepare(s,
			   "INSERT INTO validation_run(cycle_id, path, sha256, started_at, finished_at, "
			   "status, blocking, errors, warnings, counts, created_by) "
			   "VALUES (?1, 'reconcile', ?2, ?3, ?3, 'done', ?4, ?5, ?6, ?7, ?8)",
			   err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_text(st, 2, out->demo_sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, blocking ? (sqlite3_int64)out->mismatches : 0);
	sqlite3_bind_int64(st, 5, error ? (sqlite3_int64)out->mismatches : 0);
	sqlite3_bind_int64(st, 6, !blocking && !error ? (sqlite3_int64)out->mismatches : 0);
	sqlite3_bind_text(st, 7, counts, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, hmx_actor(), -1, SQLITE_STATIC);
	if ((rc = step_done(s, st, "cannot record the reconciliation", err)) != HMX_OK)
		return rc;
	out->run_id = sqlite3_last_insert_rowid(store_db(s));
	for (size_t i = 0; i < out->nrows; i++) {
		const struct reconcile_row *r = &out->rows[i];
		char key[96], detail[96];

		if (!r->mismatch)
			continue;
		snprintf(key, sizeof key, "project=%s", r->project);
		snprintf(detail, sizeof detail, "%s: %llu rows sent for import, %llu in the demo site",
			 r->sent > r->demo ? "missing" : "extra", (unsigned long long)r->sent,
			 (unsigned long long)r->demo);
		st = store_prepare(s,
				   "INSERT INTO finding(run_id, seq, check_id, severity, file, line, key, "
				   "col, detail, project) VALUES (?1, ?2, 'X06', ?3, ?4, 0, ?5, '', ?6, ?7)",
				   err);
		if (!st)
			return HMX_EDB;
		sqlite3_bind_int64(st, 1, out->run_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)seq++);
		sqlite3_bind_text(st, 3, out->severity, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, r->file, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, detail, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 7, r->project, -1, SQLITE_STATIC);
		if ((rc = step_done(s, st, "cannot record the reconciliation findings", err)) != HMX_OK)
			return rc;
	}
	snprintf(after, sizeof after, "run %lld: %zu X06 (demo %.12s, %zu files sent)",
		 (long long)out->run_id, out->mismatches, out->demo_sha256, out->nsent);
	return audit_write(s, "reconcile.run", out->cycle, NULL, after, err);
}

enum hmx_rc reconcile_cycle(struct store *s, const char *cycle, struct reconcile_result *out,
			    struct hmx_err *err)
{
	struct spec_checks *cat = NULL;
	const struct spec_check *k;
	struct counts c = { 0 };
	int64_t cid = 0, demo = 0;
	bool complete = true;
	sqlite3_stmt *st;
	enum hmx_rc rc;

	memset(out, 0, sizeof *out);
	hmx_strlcpy(out->cycle, cycle, sizeof out->cycle);
	if ((rc = find_intakes(s, cycle, &cid, &demo, out->demo_sha256, &out->nsent, err)) != HMX_OK)
		return rc;
	if ((rc = spec_checks_load(&cat, err)) != HMX_OK)
		return rc;
	k = spec_check_find(cat, "X06");
	hmx_strlcpy(out->severity, k ? spec_severity_name(k->severity) : "error",
		    sizeof out->severity);
	spec_checks_free(&cat);
	if ((rc = read_state(s, cid, demo, &out->per_file, &complete, err)) != HMX_OK)
		return rc;
	out->counts_complete = complete && out->per_file;
	for (int pass = 0; pass < (out->per_file ? 2 : 1); pass++) {
		if (!(st = store_prepare(s, pass ? FILE_COUNTS_SQL : COUNTS_SQL, err))) {
			rc = HMX_EDB;
			goto fail;
		}
		sqlite3_bind_int64(st, 1, cid);
		sqlite3_bind_int64(st, 2, demo);
		if ((rc = read_counts(s, st, pass == 1, &c, err)) != HMX_OK)
			goto fail;
	}
	if (c.n)
		qsort(c.v, c.n, sizeof *c.v, count_cmp);
	rc = build_rows(c.v, c.n, out, err);
	free(c.v);
	c.v = NULL;
	if (rc != HMX_OK)
		goto fail;
	if ((rc = store_begin(s, err)) != HMX_OK)
		goto fail;
	if ((rc = save_run(s, cid, out, err)) != HMX_OK) {
		store_rollback(s);
		goto fail;
	}
	if ((rc = store_commit(s, err)) != HMX_OK)
		goto fail;
	return HMX_OK;
fail:
	free(c.v);
	reconcile_free(out);
	return rc;
}

void reconcile_free(struct reconcile_result *out)
{
	if (!out)
		return;
	free(out->rows);
	out->rows = NULL;
	out->nrows = 0;
}
