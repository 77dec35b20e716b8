/* core/consent.c — releases of information: roster import, listing, the
 * in-memory consent set and its check, and the outgoing-file manifest. */
#include "consent.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "audit.h"
#include "hmiscsv.h"
#include "json.h"

#define MAX_KEPT_PROBLEMS 100

static const char *const verdict_names[CONSENT_N_VERDICTS] = {
	"ok", "no-release", "expired", "not-yet", "revoked",
};

const char *consent_verdict_name(enum consent_verdict v)
{
	return (unsigned)v < CONSENT_N_VERDICTS ? verdict_names[v] : "?";
}

bool consent_scope_valid(const char *scope)
{
	size_t n = strlen(scope);

	if (n == 0 || n >= CONSENT_SCOPE_MAX || scope[0] < 'a' || scope[0] > 'z')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = scope[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return true;
}

/* A PersonalID as stored: 1-32 printable ASCII bytes, no blanks or quotes. */
static bool id_valid(const char *p, size_t n)
{
	if (n == 0 || n >= CONSENT_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] <= ' ' || p[i] > '~' || p[i] == '"' || p[i] == ',')
			return false;
	return true;
}

/* ---- roster reading ------------------------------------------------------ */

static const char *const roster_cols[5] = { "PersonalID", "scope", "start", "end", "revoked" };

struct roster {
	int pos[5];
	bool header_ok;
	struct consent_row *rows;
	uint64_t *lines;
	size_t n, cap;
	struct consent_import_result *res;
	bool nomem;
};

static void problem(struct roster *r, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void problem(struct roster *r, uint64_t line, const char *fmt, ...)
{
	struct consent_import_result *res = r->res;
	va_list ap;

	res->n_problems++;
	if (res->n_kept >= MAX_KEPT_PROBLEMS)
		return;
	if (!res->problems) {
		res->problems = calloc(MAX_KEPT_PROBLEMS, sizeof *res->problems);
		if (!res->problems) {
			r->nomem = true;
			return;
		}
	}
	res->problems[res->n_kept].line = line;
	va_start(ap, fmt);
	vsnprintf(res->problems[res->n_kept].reason, sizeof res->problems[0].reason, fmt, ap);
	va_end(ap);
	res->n_kept++;
}

static int roster_header(void *ctx, const struct hcsv_header *h)
{
	struct roster *r = ctx;

	for (int k = 0; k < 5; k++)
		r->pos[k] = -1;
	for (size_t i = 0; i < h->ncols; i++)
		for (int k = 0; k < 5; k++)
			if (strlen(roster_cols[k]) == h->names[i].len &&
			    strncasecmp(roster_cols[k], h->names[i].p, h->names[i].len) == 0 &&
			    r->pos[k] < 0)
				r->pos[k] = (int)i;
	r->header_ok = true;
	for (int k = 0; k < 5; k++)
		r->header_ok = r->header_ok && r->pos[k] >= 0;
	if (!r->header_ok || h->ncols != 5) {
		problem(r, h->line, "the header must be PersonalID,scope,start,end,revoked");
		r->header_ok = false;
		return 1; /* the first record may be data: read no further */
	}
	return 0;
}

/* Parses an optional date field into *out (CAL_NO_DAY when empty). */
static bool opt_date(const struct hcsv_field *f, cal_day *out)
{
	char buf[16];

	*out = CAL_NO_DAY;
	if (!f || f->len == 0)
		return true;
	if (f->len >= sizeof buf)
		return false;
	memcpy(buf, f->p, f->len);
	buf[f->len] = '\0';
	return cal_parse_date(buf, out);
}

static int roster_row(void *ctx, const struct hcsv_header *h, const struct hcsv_row *row)
{
	struct roster *r = ctx;
	const struct hcsv_field *f[5];
	struct consent_row c = { 0 };
	char a[11], b[11];

	(void)h;
	for (int k = 0; k < 5; k++)
		f[k] = (size_t)r->pos[k] < row->nfields ? &row->f[r->pos[k]] : NULL;
	r->res->rows++;
	if (row->ntotal != 5) {
		problem(r, row->line, "%zu fields, the header has 5", row->ntotal);
		return 0;
	}
	if (!id_valid(f[0]->p, f[0]->len)) {
		problem(r, row->line, "PersonalID empty, too long or not plain text");
		return 0;
	}
	memcpy(c.personal_id, f[0]->p, f[0]->len);
	if (f[1]->len >= sizeof c.scope) {
		problem(r, row->line, "PersonalID %s: scope too long", c.personal_id);
		return 0;
	}
	memcpy(c.scope, f[1]->p, f[1]->len);
	if (!consent_scope_valid(c.scope)) {
		problem(r, row->line, "PersonalID %s: bad scope (lower-case letters, digits, '-')",
			c.personal_id);
		return 0;
	}
	if (f[2]->len == 0 || !opt_date(f[2], &c.start)) {
		problem(r, row->line, "PersonalID %s: start is not a yyyy-mm-dd date", c.personal_id);
		return 0;
	}
	if (!opt_date(f[3], &c.end)) {
		problem(r, row->line, "PersonalID %s: end is not empty nor a yyyy-mm-dd date",
			c.personal_id);
		return 0;
	}
	if (!opt_date(f[4], &c.revoked)) {
		problem(r, row->line, "PersonalID %s: revoked is not empty nor a yyyy-mm-dd date",
			c.personal_id);
		return 0;
	}
	if (c.end != CAL_NO_DAY && c.end < c.start) {
		problem(r, row->line, "PersonalID %s: end %s before start %s", c.personal_id,
			cal_format(c.end, a), cal_format(c.start, b));
		return 0;
	}
	if (c.revoked != CAL_NO_DAY && c.revoked < c.start) {
		problem(r, row->line, "PersonalID %s: revoked %s before start %s", c.personal_id,
			cal_format(c.revoked, a), cal_format(c.start, b));
		return 0;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		struct consent_row *nr = realloc(r->rows, cap * sizeof *nr);
		uint64_t *nl = nr ? realloc(r->lines, cap * sizeof *nl) : NULL;

		if (nr)
			r->rows = nr;
		if (!nr || !nl) {
			r->nomem = true;
			return 1;
		}
		r->lines = nl;
		r->cap = cap;
	}
	r->lines[r->n] = row->line;
	r->rows[r->n++] = c;
	return 0;
}

static void roster_event(void *ctx, const struct hcsv_event *ev)
{
	struct roster *r = ctx;

	switch (ev->kind) {
	case HCSV_EV_BOM:
	case HCSV_EV_MIXED_EOL:
	case HCSV_EV_FIELD_COUNT: /* reported by roster_row with the count */
		break;
	case HCSV_EV_EMPTY:
		problem(r, 0, "the file is empty: the header PersonalID,scope,start,end,revoked"
			" is needed");
		break;
	case HCSV_EV_BAD_QUOTE:
	case HCSV_EV_UNTERMINATED:
		problem(r, ev->line, "bad quoting (%s); the rest of the file is not read",
			hcsv_event_name(ev->kind));
		break;
	default:
		problem(r, ev->line, "%s", hcsv_event_name(ev->kind));
		break;
	}
}

static int row_cmp(const void *a, const void *b)
{
	const struct consent_row *x = a, *y = b;
	int c = strcmp(x->personal_id, y->personal_id);

	if (c)
		return c;
	if ((c = strcmp(x->scope, y->scope)) != 0)
		return c;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Reads the whole roster file through the row reader into r. */
static enum hmx_rc roster_read(const char *path, struct roster *r, struct hmx_err *err)
{
	struct hcsv_handler h = {
		.on_header = roster_header, .on_row = roster_row, .on_event = roster_event, .ctx = r,
	};
	bool header = false;
	enum hmx_rc rc;

	if ((rc = hcsv_read_file(path, "roster", &h, &header, err)) != HMX_OK)
		return rc;
	if (r->nomem)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory reading %s", path);
	if (!header && r->res->n_problems == 0)
		problem(r, 0, "no header: PersonalID,scope,start,end,revoked is needed");
	return HMX_OK;
}

/* Adds scope to the sorted comma list out (size n) unless present. */
static void scope_add(char *out, size_t n, const char *scope)
{
	char tmp[256], *save = NULL;
	char merged[256] = "";
	bool done = false;

	hmx_strlcpy(tmp, out, sizeof tmp);
	for (char *t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int c = strcmp(scope, t);
		if (c == 0)
			return;
		if (c < 0 && !done) {
			strncat(merged, merged[0] ? "," : "", sizeof merged - strlen(merged) - 1);
			strncat(merged, scope, sizeof merged - strlen(merged) - 1);
			done = true;
		}
		strncat(merged, merged[0] ? "," : "", sizeof merged - strlen(merged) - 1);
		strncat(merged, t, sizeof merged - strlen(merged) - 1);
	}
	if (!done) {
		strncat(merged, merged[0] ? "," : "", sizeof merged - strlen(merged) - 1);
		strncat(merged, scope, sizeof merged - strlen(merged) - 1);
	}
	hmx_strlcpy(out, merged, n);
}

static enum hmx_rc roster_store(struct store *s, struct roster *r, struct hmx_err *err)
{
	struct consent_import_result *res = r->res;
	sqlite3_stmt *del = NULL, *ins = NULL;
	char now[21], after[272], a[11], b[11], c[11], tmp[256], *save = NULL;
	enum hmx_rc rc;

	hmx_now_utc(now);
	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	del = store_prepare(s, "DELETE FROM consent WHERE scope = ?1", err);
	if (del)
		ins = store_prepare(s,
				    "INSERT INTO consent(personal_id, scope, start_day, end_day,"
				    " revoked_day, line, imported_at, imported_by)"
				    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
				    err);
	if (!ins) {
		rc = HMX_EDB;
		goto fail;
	}
	hmx_strlcpy(tmp, res->scopes, sizeof tmp);
	for (char *t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		sqlite3_bind_text(del, 1, t, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(del) != SQLITE_DONE) {
			rc = store_fail(s, err, "replacing releases");
			goto fail;
		}
		res->replaced += (uint64_t)sqlite3_changes(store_db(s));
		sqlite3_reset(del);
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct consent_row *x = &r->rows[i];

		sqlite3_bind_text(ins, 1, x->personal_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, x->scope, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, cal_format(x->start, a), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 4, x->end == CAL_NO_DAY ? "" : cal_format(x->end, b), -1,
				  SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 5,
				  x->revoked == CAL_NO_DAY ? "" : cal_format(x->revoked, c), -1,
				  SQLITE_TRANSIENT);
		sqlite3_bind_int64(ins, 6, (sqlite3_int64)r->lines[i]);
		sqlite3_bind_text(ins, 7, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 8, hmx_actor(), -1, SQLITE_TRANSIENT);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			rc = store_fail(s, err, "storing releases");
			goto fail;
		}
		sqlite3_reset(ins);
	}
	res->loaded = r->n;
	snprintf(after, sizeof after, "rows=%llu replaced=%llu scopes=%.200s",
		 (unsigned long long)res->loaded, (unsigned long long)res->replaced, res->scopes);
	if ((rc = audit_write(s, "consent.import", "consent", NULL, after, err)) != HMX_OK)
		goto fail;
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	return store_commit(s, err);
fail:
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	store_rollback(s);
	res->loaded = 0;
	res->replaced = 0;
	return rc;
}

enum hmx_rc consent_import(struct store *s, const char *path, struct consent_import_result *res,
			   struct hmx_err *err)
{
	struct roster r = { .res = res };
	enum hmx_rc rc;

	memset(res, 0, sizeof *res);
	if ((rc = roster_read(path, &r, err)) != HMX_OK)
		goto done;
	/* the same release twice (PersonalID, scope, start) is a mistake */
	if (r.n > 1) {
		struct consent_row *sorted = malloc(r.n * sizeof *sorted);

		if (!sorted) {
			rc = hmx_err_set(err, HMX_ENOMEM, "out of memory");
			goto done;
		}
		memcpy(sorted, r.rows, r.n * sizeof *sorted);
		qsort(sorted, r.n, sizeof *sorted, row_cmp);
		for (size_t i = 1; i < r.n; i++)
			if (row_cmp(&sorted[i - 1], &sorted[i]) == 0) {
				char a[11];
				/* the line of the later copy */
				uint64_t line = 0;
				for (size_t k = 0; k < r.n; k++)
					if (row_cmp(&r.rows[k], &sorted[i]) == 0)
						line = r.lines[k];
				problem(&r, line, "PersonalID %s: %s release starting %s listed twice",
					sorted[i].personal_id, sorted[i].scope,
					cal_format(sorted[i].start, a));
			}
		free(sorted);
	}
	for (size_t i = 0; i < r.n; i++)
		scope_add(res->scopes, sizeof res->scopes, r.rows[i].scope);
	if (res->n_problems) {
		const struct consent_problem *p = res->n_kept ? &res->problems[0] : NULL;

		rc = hmx_err_set(err, HMX_EINVAL,
				 "%s: %llu bad row(s), nothing loaded; first: line %llu: %s", path,
				 (unsigned long long)res->n_problems,
				 (unsigned long long)(p ? p->line : 0), p ? p->reason : "?");
		goto done;
	}
	if (r.n == 0) {
		rc = hmx_err_set(err, HMX_EINVAL, "%s: no release rows, nothing loaded", path);
		goto done;
	}
	rc = roster_store(s, &r, err);
done:
	free(r.rows);
	free(r.lines);
	return rc;
}

void consent_import_result_free(struct consent_import_result *res)
{
	if (!res)
		return;
	free(res->problems);
	res->problems = NULL;
	res->n_kept = 0;
}

/* ---- listing ------------------------------------------------------------- */

static cal_day col_day(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	cal_day d;

	return t && cal_parse_date(t, &d) ? d : CAL_NO_DAY;
}

static void read_row(sqlite3_stmt *st, void *p)
{
	struct consent_row *r = p;

	store_col_text(st, 0, r->personal_id, sizeof r->personal_id);
	store_col_text(st, 1, r->scope, sizeof r->scope);
	r->start = col_day(st, 2);
	r->end = col_day(st, 3);
	r->revoked = col_day(st, 4);
}

enum hmx_rc consent_list(struct store *s, const char *scope, const char *personal_id,
			 struct consent_row **out, size_t *n, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(
		s,
		"SELECT personal_id, scope, start_day, end_day, revoked_day FROM consent"
		" WHERE (?1 IS NULL OR scope = ?1) AND (?2 IS NULL OR personal_id = ?2)"
		" ORDER BY personal_id, scope, start_day, id",
		err);
	void *rows = NULL;
	enum hmx_rc rc;

	*out = NULL;
	*n = 0;
	if (!st)
		return HMX_EDB;
	if (scope)
		sqlite3_bind_text(st, 1, scope, -1, SQLITE_TRANSIENT);
	if (personal_id)
		sqlite3_bind_text(st, 2, personal_id, -1, SQLITE_TRANSIENT);
	rc = store_collect(s, st, sizeof(struct consent_row), read_row, &rows, n, "listing releases",
			   err);
	*out = rows;
	return rc;
}

/* ---- the set and the check ----------------------------------------------- */

struct consent_set {
	struct consent_row *rows; /* sorted by row_cmp */
	size_t n;
};

enum hmx_rc consent_set_from_rows(const struct consent_row *rows, size_t n,
				  struct consent_set **out, struct hmx_err *err)
{
	struct consent_set *cs = calloc(1, sizeof *cs);

	*out = NULL;
	if (!cs || (n && !(cs->rows = malloc(n * sizeof *cs->rows)))) {
		free(cs);
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	}
	if (n)
		memcpy(cs->rows, rows, n * sizeof *cs->rows);
	cs->n = n;
	if (n)
		qsort(cs->rows, n, sizeof *cs->rows, row_cmp);
	*out = cs;
	return HMX_OK;
}

enum hmx_rc consent_set_load(struct store *s, const char *scope, struct consent_set **out,
			     struct hmx_err *err)
{
	struct consent_row *rows;
	enum hmx_rc rc;
	size_t n;

	*out = NULL;
	if ((rc = consent_list(s, scope, NULL, &rows, &n, err)) != HMX_OK)
		return rc;
	rc = consent_set_from_rows(rows, n, out, err);
	free(rows);
	return rc;
}

void consent_set_free(struct consent_set **cs)
{
	if (!cs || !*cs)
		return;
	free((*cs)->rows);
	free(*cs);
	*cs = NULL;
}

size_t consent_set_size(const struct consent_set *cs)
{
	return cs ? cs->n : 0;
}

/* Index of the first row of (personal_id, scope), or cs->n. */
static size_t first_of(const struct consent_set *cs, const char *personal_id, const char *scope)
{
	size_t lo = 0, hi = cs->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(cs->rows[mid].personal_id, personal_id);

		if (c == 0)
			c = strcmp(cs->rows[mid].scope, scope);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

enum consent_verdict consent_check_row(const struct consent_row *r, cal_day day)
{
	if (r->start > day)
		return CONSENT_NOT_YET;
	if (r->end != CAL_NO_DAY && r->end < day)
		return CONSENT_EXPIRED;
	if (r->revoked != CAL_NO_DAY)
		return CONSENT_REVOKED;
	return CONSENT_OK;
}

enum consent_verdict consent_check(const struct consent_set *cs, const char *personal_id,
				   const char *scope, cal_day day)
{
	bool revoked = false, not_yet = false, expired = false;

	if (!cs || !personal_id || !scope)
		return CONSENT_NO_RELEASE;
	for (size_t i = first_of(cs, personal_id, scope); i < cs->n; i++) {
		const struct consent_row *r = &cs->rows[i];

		if (strcmp(r->personal_id, personal_id) != 0 || strcmp(r->scope, scope) != 0)
			break;
		switch (consent_check_row(r, day)) {
		case CONSENT_OK:
			return CONSENT_OK;
		case CONSENT_NOT_YET:
			not_yet = true;
			break;
		case CONSENT_EXPIRED:
			expired = true;
			break;
		default:
			revoked = true;
			break;
		}
	}
	if (revoked)
		return CONSENT_REVOKED;
	if (not_yet)
		return CONSENT_NOT_YET;
	if (expired)
		return CONSENT_EXPIRED;
	return CONSENT_NO_RELEASE;
}

/* ---- manifest ------------------------------------------------------------ */

void consent_manifest_init(struct consent_manifest *m, const char *scope, cal_day day)
{
	memset(m, 0, sizeof *m);
	hmx_strlcpy(m->scope, scope, sizeof m->scope);
	m->day = day;
	m->active_since = CAL_NO_DAY;
}

void consent_manifest_add(struct consent_manifest *m, enum consent_verdict v)
{
	m->eligible++;
	if (v == CONSENT_OK)
		m->sent++;
	else if ((unsigned)v < CONSENT_N_VERDICTS)
		m->left_out[v]++;
}

void consent_manifest_json(FILE *f, const struct consent_manifest *m)
{
	bool first = true, inner = true;
	char d[11];

	fputc('{', f);
	json_kv(f, &first, "scope", m->scope);
	json_kv(f, &first, "day", m->day == CAL_NO_DAY ? "" : cal_format(m->day, d));
	json_kv(f, &first, "active_since",
		m->active_since == CAL_NO_DAY ? "" : cal_format(m->active_since, d));
	json_ku(f, &first, "clients", m->clients);
	json_ku(f, &first, "eligible", m->eligible);
	json_ku(f, &first, "sent", m->sent);
	json_key(f, &first, "left_out");
	fputc('{', f);
	for (int v = CONSENT_NO_RELEASE; v < CONSENT_N_VERDICTS; v++)
		json_ku(f, &inner, verdict_names[v], m->left_out[v]);
	json_ku(f, &inner, "inactive", m->inactive);
	fputc('}', f);
	json_kv(f, &first, "fields", m->fields);
	fputc('}', f);
}

void consent_manifest_text(FILE *f, const struct consent_manifest *m)
{
	char d[11], a[11];

	fprintf(f, "consent scope %s judged on %s", m->scope,
		m->day == CAL_NO_DAY ? "-" : cal_format(m->day, d));
	if (m->active_since != CAL_NO_DAY)
		fprintf(f, ", active since %s", cal_format(m->active_since, a));
	fprintf(f, "\n");
	fprintf(f, "  clients   %llu\n", (unsigned long long)m->clients);
	fprintf(f, "  inactive  %llu (left out)\n", (unsigned long long)m->inactive);
	fprintf(f, "  eligible  %llu\n", (unsigned long long)m->eligible);
	fprintf(f, "  sent      %llu\n", (unsigned long long)m->sent);
	for (int v = CONSENT_NO_RELEASE; v < CONSENT_N_VERDICTS; v++)
		fprintf(f, "  left out  %llu %s\n", (unsigned long long)m->left_out[v],
			verdict_names[v]);
	if (m->fields[0])
		fprintf(f, "  fields    %s\n", m->fields);
}
