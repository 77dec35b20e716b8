/* core/match_import.c — the MCP member list back: read with the column
 * mapping, matched to the client lists sent, checked (M01-M09), recorded
 * as IDs, codes and dates only. */
#include "match_import.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "audit.h"
#include "cycle.h"
#include "hmiscsv.h"
#include "match.h"
#include "match_int.h"
#include "transfer.h"

/* ---- the client lists sent ----------------------------------------------- */

struct sent {
	char *pid;
	char *first, *last, *dob; /* NULL when the list is not comparable */
};

struct sentset {
	struct sent *v;
	size_t n, cap;
	bool nomem;
};

static int sent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sent *)a)->pid, ((const struct sent *)b)->pid);
}

static struct sent *sent_find(const struct sentset *s, const char *pid)
{
	struct sent key = { .pid = (char *)pid };

	return s->n ? bsearch(&key, s->v, s->n, sizeof *s->v, sent_cmp) : NULL;
}

static void sent_add(struct sentset *s, const char *pid, const char *first, const char *last,
		     const char *dob)
{
	struct sent *e;

	if (s->nomem)
		return;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		struct sent *nv = realloc(s->v, cap * sizeof *nv);
		if (!nv) {
			s->nomem = true;
			return;
		}
		s->v = nv;
		s->cap = cap;
	}
	e = &s->v[s->n];
	e->pid = strdup(pid);
	e->first = first ? strdup(first) : NULL;
	e->last = last ? strdup(last) : NULL;
	e->dob = dob ? strdup(dob) : NULL;
	if (!e->pid) {
		s->nomem = true;
		return;
	}
	s->n++;
}

static void sent_free(struct sentset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].pid);
		free(s->v[i].first);
		free(s->v[i].last);
		free(s->v[i].dob);
	}
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* Sorts s by PersonalID and keeps one entry each, the one with names when
 * any has them. */
static void sent_sort_unique(struct sentset *s)
{
	size_t w = 0;

	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof *s->v, sent_cmp);
	for (size_t i = 0; i < s->n; i++) {
		if (w && strcmp(s->v[w - 1].pid, s->v[i].pid) == 0) {
			struct sent *k = &s->v[w - 1], *d = &s->v[i];
			if (!k->first && !k->last && !k->dob) {
				struct sent t = *k;
				*k = *d;
				*d = t;
			}
			free(d->pid);
			free(d->first);
			free(d->last);
			free(d->dob);
			continue;
		}
		s->v[w++] = s->v[i];
	}
	s->n = w;
}

/* A set of PersonalIDs (open addressing; the returned rows' duplicates). */
struct idset {
	char (*k)[CONSENT_ID_MAX];
	size_t cap, n;
	bool nomem;
};

static size_t id_hash(const char *p)
{
	size_t h = 1469598103934665603ULL & SIZE_MAX;

	for (; *p; p++)
		h = (h ^ (unsigned char)*p) * (1099511628211ULL & SIZE_MAX);
	return h;
}

/* Adds pid; false when it was there already. */
static bool id_add(struct idset *s, const char *pid)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		char (*nk)[CONSENT_ID_MAX] = calloc(cap, sizeof *nk);
		if (!nk) {
			s->nomem = true;
			return true;
		}
		for (size_t j = 0; j < s->cap; j++)
			if (s->k[j][0]) {
				for (i = id_hash(s->k[j]) & (cap - 1); nk[i][0]; i = (i + 1) & (cap - 1))
					;
				memcpy(nk[i], s->k[j], CONSENT_ID_MAX);
			}
		free(s->k);
		s->k = nk;
		s->cap = cap;
	}
	for (i = id_hash(pid) & (s->cap - 1); s->k[i][0]; i = (i + 1) & (s->cap - 1))
		if (strcmp(s->k[i], pid) == 0)
			return false;
	hmx_strlcpy(s->k[i], pid, CONSENT_ID_MAX);
	s->n++;
	return true;
}

/* Reading one client list file back (PII in memory only). */
struct lread {
	int pos[4]; /* id, first, last, dob */
	struct sentset *names;
};

static int lr_header(void *ctx, const struct hcsv_header *h)
{
	struct lread *l = ctx;
	static const enum match_field f[4] = { MF_CLIENT_ID, MF_FIRST, MF_LAST, MF_DOB };

	for (int k = 0; k < 4; k++) {
		l->pos[k] = -1;
		for (size_t i = 0; i < h->ncols; i++)
			if (h->names[i].len == strlen(match_field_title(f[k])) &&
			    strncasecmp(h->names[i].p, match_field_title(f[k]), h->names[i].len) == 0)
				l->pos[k] = (int)i;
	}
	return 0;
}

static int lr_row(void *ctx, const struct hcsv_header *h, const struct hcsv_row *r)
{
	struct lread *l = ctx;
	char v[4][128];

	(void)h;
	for (int k = 0; k < 4; k++) {
		v[k][0] = '\0';
		if (l->pos[k] >= 0 && (size_t)l->pos[k] < r->nfields) {
			const struct hcsv_field *f = &r->f[l->pos[k]];
			size_t n = f->len < sizeof v[k] ? f->len : sizeof v[k] - 1;
			memcpy(v[k], f->p, n);
			v[k][n] = '\0';
		}
	}
	if (v[0][0])
		sent_add(l->names, v[0], l->pos[1] >= 0 ? v[1] : NULL, l->pos[2] >= 0 ? v[2] : NULL,
			 l->pos[3] >= 0 ? v[3] : NULL);
	return l->names->nomem;
}

/* ---- reading and checking the member list --------------------------------- */

struct ictx {
	const struct match_colmap *map;
	int pos[MC_N];
	int cspos[MATCH_CS_MAX][5];
	struct sentset sent;     /* this cycle's PersonalIDs; names when comparable */
	struct idset seen;       /* returned PersonalIDs (duplicates) */
	struct match_irow *rows; /* kept rows */
	size_t nrows, caprows;
	struct match_finding *f;
	size_t nf, capf;
	struct store *s;
	struct match_import_result *res;
	bool nomem;
};

static void finding(struct ictx *c, uint64_t line, int check, const char *pid, const char *col,
		    const char *detail)
{
	static const char *const sev[10] = { "", "error", "blocking", "error", "error", "warning",
					     "error", "error", "error", "error" };
	struct match_finding *f;

	if (c->nf == c->capf) {
		size_t cap = c->capf ? 2 * c->capf : 64;
		struct match_finding *nv = realloc(c->f, cap * sizeof *nv);
		if (!nv) {
			c->nomem = true;
			return;
		}
		c->f = nv;
		c->capf = cap;
	}
	f = &c->f[c->nf++];
	memset(f, 0, sizeof *f);
	f->line = line;
	snprintf(f->check, sizeof f->check, "M%02d", check);
	hmx_strlcpy(f->severity, sev[check], sizeof f->severity);
	hmx_strlcpy(f->personal_id, pid ? pid : "", sizeof f->personal_id);
	hmx_strlcpy(f->col, col ? col : "", sizeof f->col);
	hmx_strlcpy(f->detail, detail, sizeof f->detail);
	c->res->findings++;
	c->res->by_check[check]++;
	if (sev[check][0] == 'b')
		c->res->blocking++;
	else if (sev[check][0] == 'e')
		c->res->errors++;
	else
		c->res->warnings++;
}

static int ir_header(void *ctx, const struct hcsv_header *h)
{
	struct ictx *c = ctx;
	char t[128];

	for (int k = 0; k < MC_N; k++) {
		c->pos[k] = -1;
		if (k >= MC_CS_NAME)
			continue;
		for (size_t i = 0; i < h->ncols && c->pos[k] < 0; i++)
			if (h->names[i].len == strlen(c->map->title[k]) &&
			    strncasecmp(h->names[i].p, c->map->title[k], h->names[i].len) == 0)
				c->pos[k] = (int)i;
	}
	for (int g = 0; g < MATCH_CS_MAX; g++)
		for (int k = 0; k < 5; k++) {
			const char *want = match_colmap_title(c->map, MC_CS_NAME + k, g + 1, t, sizeof t);
			c->cspos[g][k] = -1;
			for (size_t i = 0; i < h->ncols && c->cspos[g][k] < 0; i++)
				if (h->names[i].len == strlen(want) &&
				    strncasecmp(h->names[i].p, want, h->names[i].len) == 0)
					c->cspos[g][k] = (int)i;
		}
	return 0;
}

/* Field at header position p of r, trimmed, into buf ("" when absent). */
static const char *fld(const struct hcsv_row *r, int p, char *buf, size_t n)
{
	size_t a = 0, b;

	buf[0] = '\0';
	if (p < 0 || (size_t)p >= r->nfields)
		return buf;
	b = r->f[p].len;
	while (a < b && (r->f[p].p[a] == ' ' || r->f[p].p[a] == '\t'))
		a++;
	while (b > a && (r->f[p].p[b - 1] == ' ' || r->f[p].p[b - 1] == '\t'))
		b--;
	if (b - a >= n)
		b = a + n - 1;
	memcpy(buf, r->f[p].p + a, b - a);
	buf[b - a] = '\0';
	return buf;
}

/* A date column: CAL_NO_DAY when empty; M07 (false) when not a date. */
static bool date_of(struct ictx *c, const struct hcsv_row *r, int p, const char *title,
		    const char *pid, cal_day *out)
{
	char v[64];

	*out = CAL_NO_DAY;
	fld(r, p, v, sizeof v);
	if (!v[0])
		return true;
	if (match_parse_day(v, strlen(v), out))
		return true;
	finding(c, r->line, 7, pid, title, "not a date");
	return false;
}

static void svc_check(struct ictx *c, const struct hcsv_row *r, const char *pid,
		      struct match_svc *sv, const int pos[5], const char *const titles[5],
		      bool *bad)
{
	char v[128];

	fld(r, pos[1], v, sizeof v);
	sv->enrolled = -1;
	if (v[0]) {
		char code[8];
		if (match_word(c->map->enr_words, v, strlen(v), code, sizeof code))
			sv->enrolled = strcmp(code, "yes") == 0;
		else {
			finding(c, r->line, 9, pid, titles[1], "not an enrolled option");
			*bad = true;
		}
	}
	fld(r, pos[2], sv->provider, sizeof sv->provider);
	if (!date_of(c, r, pos[3], titles[3], pid, &sv->start) ||
	    !date_of(c, r, pos[4], titles[4], pid, &sv->end))
		*bad = true;
	else if (sv->start != CAL_NO_DAY && sv->end != CAL_NO_DAY && sv->end < sv->start) {
		finding(c, r->line, 8, pid, titles[4], "discharge before enrollment");
		*bad = true;
	}
	if (sv->enrolled < 0)
		sv->enrolled = sv->start != CAL_NO_DAY;
}

static int ir_row(void *ctx, const struct hcsv_header *h, const struct hcsv_row *r)
{
	struct ictx *c = ctx;
	const struct match_colmap *m = c->map;
	struct match_irow row;
	struct sent *sn;
	char pid[128], v[128], t[5][128];
	bool bad = false;

	(void)h;
	c->res->rows++;
	memset(&row, 0, sizeof row);
	row.line = r->line;
	fld(r, c->pos[MC_ID], pid, sizeof pid);
	if (!pid[0] || strlen(pid) >= CONSENT_ID_MAX) {
		finding(c, r->line, 1, "", m->title[MC_ID], pid[0] ? "ID too long" : "no ID");
		return c->nomem;
	}
	hmx_strlcpy(row.pid, pid, sizeof row.pid);
	if (!id_add(&c->seen, pid)) {
		finding(c, r->line, 6, pid, m->title[MC_ID], "duplicate row");
		return c->nomem;
	}
	if (!(sn = sent_find(&c->sent, pid))) {
		bool known = match_known_id(c->s, pid);
		finding(c, r->line, known ? 2 : 1, pid, m->title[MC_ID],
			known ? "never sent in this cycle" : "unknown client");
		return c->nomem;
	}
	/* names and DOB: compared, never kept */
	if (sn->first && c->pos[MC_FIRST] >= 0 && fld(r, c->pos[MC_FIRST], v, sizeof v)[0] &&
	    sn->first[0] && strcasecmp(v, sn->first) != 0) {
		finding(c, r->line, 3, pid, m->title[MC_FIRST], "differs from the list sent");
		bad = true;
	}
	if (sn->last && c->pos[MC_LAST] >= 0 && fld(r, c->pos[MC_LAST], v, sizeof v)[0] &&
	    sn->last[0] && strcasecmp(v, sn->last) != 0) {
		finding(c, r->line, 3, pid, m->title[MC_LAST], "differs from the list sent");
		bad = true;
	}
	if (c->pos[MC_DOB] >= 0) {
		cal_day dob, sd;
		if (!date_of(c, r, c->pos[MC_DOB], m->title[MC_DOB], pid, &dob))
			bad = true;
		else if (dob != CAL_NO_DAY && sn->dob && sn->dob[0] &&
			 (!match_parse_day(sn->dob, strlen(sn->dob), &sd) || sd != dob)) {
			finding(c, r->line, 4, pid, m->title[MC_DOB], "differs from the list sent");
			bad = true;
		}
	}
	fld(r, c->pos[MC_MCP], row.mcp, sizeof row.mcp);
	fld(r, c->pos[MC_MEMBER_ID], row.member_id, sizeof row.member_id);
	fld(r, c->pos[MC_CIN], row.cin, sizeof row.cin);
	fld(r, c->pos[MC_PLAN], v, sizeof v);
	if (!v[0] || !match_word(m->plan_words, v, strlen(v), row.plan, sizeof row.plan)) {
		finding(c, r->line, 9, pid, m->title[MC_PLAN],
			v[0] ? "not a plan type option" : "no plan type");
		bad = true;
	}
	if (!date_of(c, r, c->pos[MC_EFFECTIVE], m->title[MC_EFFECTIVE], pid, &row.effective) ||
	    !date_of(c, r, c->pos[MC_TERMINATION], m->title[MC_TERMINATION], pid, &row.termination))
		bad = true;
	else if (row.effective == CAL_NO_DAY) {
		finding(c, r->line, 9, pid, m->title[MC_EFFECTIVE], "no effective date");
		bad = true;
	} else if (row.termination != CAL_NO_DAY && row.termination < row.effective) {
		finding(c, r->line, 8, pid, m->title[MC_TERMINATION], "termination before effective");
		bad = true;
	}
	/* ECM, then the CS groups */
	fld(r, c->pos[MC_ECM_ENROLLED], v, sizeof v);
	if (v[0] || (c->pos[MC_ECM_START] >= 0 && fld(r, c->pos[MC_ECM_START], t[0], 64)[0])) {
		const char *titles[5] = { "", m->title[MC_ECM_ENROLLED], m->title[MC_ECM_PROVIDER],
					  m->title[MC_ECM_START], m->title[MC_ECM_END] };
		int pos[5] = { -1, c->pos[MC_ECM_ENROLLED], c->pos[MC_ECM_PROVIDER],
			       c->pos[MC_ECM_START], c->pos[MC_ECM_END] };
		struct match_svc *sv = &row.svc[row.nsvc++];
		hmx_strlcpy(sv->name, "ECM", sizeof sv->name);
		svc_check(c, r, pid, sv, pos, titles, &bad);
	}
	for (int g = 0; g < MATCH_CS_MAX; g++) {
		const char *titles[5];
		struct match_svc *sv;

		if (c->cspos[g][0] < 0 || !fld(r, c->cspos[g][0], v, sizeof v)[0])
			continue;
		for (int k = 0; k < 5; k++)
			titles[k] = match_colmap_title(m, MC_CS_NAME + k, g + 1, t[k], sizeof t[k]);
		sv = &row.svc[row.nsvc++];
		hmx_strlcpy(sv->name, v, sizeof sv->name);
		svc_check(c, r, pid, sv, c->cspos[g], titles, &bad);
	}
	if (bad)
		return c->nomem;
	if (c->nrows == c->caprows) {
		size_t cap = c->caprows ? 2 * c->caprows : 64;
		struct match_irow *nv = realloc(c->rows, cap * sizeof *nv);
		if (!nv) {
			c->nomem = true;
			return 1;
		}
		c->rows = nv;
		c->caprows = cap;
	}
	c->rows[c->nrows++] = row;
	return c->nomem;
}

/* Loads this cycle's sent IDs, with names from each list file still there
 * unchanged; M05 for each list that cannot be compared. */
static enum hmx_rc load_sent(struct ictx *c, const char *cycle, struct hmx_err *err)
{
	struct match_list_rec *l = NULL;
	size_t n;
	enum hmx_rc rc = match_lists(c->s, cycle, &l, &n, err);

	if (rc != HMX_OK)
		return rc;
	if (!n) {
		free(l);
		return hmx_err_set(err, HMX_EINVAL,
				   "%s has no client list: nothing was sent, nothing can come back"
				   " (hmx match list)",
				   cycle);
	}
	for (size_t i = 0; i < n && rc == HMX_OK; i++) {
		struct sentset names = { 0 };
		char hex[65], key[32];
		bool ok = !l[i].purged_at[0] &&
			  hmx_sha256_file(l[i].path, hex, NULL) == HMX_OK &&
			  strcmp(hex, l[i].sha256) == 0;
		sqlite3_stmt *st;

		if (ok) {
			struct lread lr = { .names = &names };
			struct hcsv_handler h = { .on_header = lr_header, .on_row = lr_row, .ctx = &lr };
			ok = hcsv_read_file(l[i].path, "clients", &h, NULL, NULL) == HMX_OK && !names.nomem;
			if (names.n)
				qsort(names.v, names.n, sizeof *names.v, sent_cmp);
		}
		snprintf(key, sizeof key, "list %lld", (long long)l[i].id);
		if (!ok) {
			finding(c, 0, 5, "", "",
				l[i].purged_at[0] ? "comparison skipped: client list purged"
						  : "comparison skipped: client list gone or changed");
			c->res->lists_skipped++;
		} else {
			c->res->lists_compared++;
		}
		st = store_prepare(c->s, "SELECT personal_id FROM match_sent WHERE list_id = ?1", err);
		if (!st) {
			rc = HMX_EDB;
		} else {
			sqlite3_bind_int64(st, 1, l[i].id);
			while (sqlite3_step(st) == SQLITE_ROW) {
				const char *pid = (const char *)sqlite3_column_text(st, 0);
				struct sent *nm = ok ? sent_find(&names, pid) : NULL;
				sent_add(&c->sent, pid, nm ? nm->first : NULL, nm ? nm->last : NULL,
					 nm ? nm->dob : NULL);
			}
			sqlite3_finalize(st);
		}
		sent_free(&names);
	}
	free(l);
	sent_sort_unique(&c->sent);
	if (rc == HMX_OK && (c->sent.nomem || c->nomem))
		rc = hmx_err_set(err, HMX_ENOMEM, "out of memory");
	return rc;
}

/* ---- recording ------------------------------------------------------------ */

static enum hmx_rc save_findings(struct ictx *c, int64_t cycle_id, const char *now,
				 const char *base, struct hmx_err *err)
{
	struct match_import_result *res = c->res;
	char counts[256] = "{";
	sqlite3_stmt *st;

	for (int k = 1; k <= 9; k++)
		if (res->by_check[k])
			snprintf(counts + strlen(counts), sizeof counts - strlen(counts),
				 "%s\"M%02d\":%llu", counts[1] ? "," : "", k,
				 (unsigned long long)res->by_check[k]);
	strcat(counts, "}");
	st = store_prepare(c->s,
			   "INSERT INTO validation_run(cycle_id, path, sha256, spec, version, export_id,"
			   " started_at, finished_at, status, blocking, errors, warnings, counts,"
			   " created_by) VALUES (?1,?2,?3,'match','','',?4,?4,'done',?5,?6,?7,?8,?9)",
			   err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, cycle_id);
	sqlite3_bind_text(st, 2, res->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, res->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)res->blocking);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)res->errors);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)res->warnings);
	sqlite3_bind_text(st, 8, counts, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, hmx_actor(), -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return store_fail(c->s, err, "recording the member list checks");
	}
	sqlite3_finalize(st);
	res->run_id = sqlite3_last_insert_rowid(store_db(c->s));
	st = store_prepare(c->s,
			   "INSERT INTO finding(run_id, seq, check_id, severity, file, line, key, col,"
			   " detail, project) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,'')",
			   err);
	if (!st)
		return HMX_EDB;
	for (size_t i = 0; i < c->nf; i++) {
		char key[96] = "";
		if (c->f[i].personal_id[0])
			snprintf(key, sizeof key, "PersonalID=%s", c->f[i].personal_id);
		sqlite3_bind_int64(st, 1, res->run_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_text(st, 3, c->f[i].check, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, c->f[i].severity, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, base, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, (sqlite3_int64)c->f[i].line);
		sqlite3_bind_text(st, 7, key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 8, c->f[i].col, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 9, c->f[i].detail, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return store_fail(c->s, err, "recording the member list findings");
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return HMX_OK;
}

static enum hmx_rc save_rows(struct ictx *c, const char *cycle, const char *now,
			     struct hmx_err *err)
{
	sqlite3_stmt *r = store_prepare(c->s,
					"INSERT INTO match_return(cycle, personal_id, line, mcp, plan,"
					" member_id, cin, effective, termination)"
					" VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
					err);
	sqlite3_stmt *sv = r ? store_prepare(c->s,
					     "INSERT OR REPLACE INTO match_service(cycle, personal_id,"
					     " service, enrolled, provider, start_day, end_day)"
					     " VALUES (?1,?2,?3,?4,?5,?6,?7)",
					     err)
			     : NULL;
	sqlite3_stmt *mm = sv ? store_prepare(c->s,
					      "INSERT INTO match_member(personal_id, member_id, cycle,"
					      " updated_at) VALUES (?1,?2,?3,?4) ON CONFLICT(personal_id)"
					      " DO UPDATE SET member_id = excluded.member_id,"
					      " cycle = excluded.cycle, updated_at = excluded.updated_at",
					      err)
			      : NULL;
	enum hmx_rc rc = HMX_OK;
	char d1[11], d2[11];

	if (!mm) {
		sqlite3_finalize(r);
		sqlite3_finalize(sv);
		return HMX_EDB;
	}
	for (size_t i = 0; i < c->nrows && rc == HMX_OK; i++) {
		const struct match_irow *w = &c->rows[i];

		sqlite3_bind_text(r, 1, cycle, -1, SQLITE_STATIC);
		sqlite3_bind_text(r, 2, w->pid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(r, 3, (sqlite3_int64)w->line);
		sqlite3_bind_text(r, 4, w->mcp, -1, SQLITE_STATIC);
		sqlite3_bind_text(r, 5, w->plan, -1, SQLITE_STATIC);
		sqlite3_bind_text(r, 6, w->member_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(r, 7, w->cin, -1, SQLITE_STATIC);
		sqlite3_bind_text(r, 8, cal_format(w->effective, d1), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(r, 9, w->termination == CAL_NO_DAY ? "" : cal_format(w->termination, d2),
				  -1, SQLITE_TRANSIENT);
		if (sqlite3_step(r) != SQLITE_DONE)
			rc = store_fail(c->s, err, "recording a member row");
		sqlite3_reset(r);
		for (int k = 0; k < w->nsvc && rc == HMX_OK; k++) {
			const struct match_svc *x = &w->svc[k];
			sqlite3_bind_text(sv, 1, cycle, -1, SQLITE_STATIC);
			sqlite3_bind_text(sv, 2, w->pid, -1, SQLITE_STATIC);
			sqlite3_bind_text(sv, 3, x->name, -1, SQLITE_STATIC);
			sqlite3_bind_int(sv, 4, x->enrolled);
			sqlite3_bind_text(sv, 5, x->provider, -1, SQLITE_STATIC);
			sqlite3_bind_text(sv, 6, x->start == CAL_NO_DAY ? "" : cal_format(x->start, d1), -1,
					  SQLITE_TRANSIENT);
			sqlite3_bind_text(sv, 7, x->end == CAL_NO_DAY ? "" : cal_format(x->end, d2), -1,
					  SQLITE_TRANSIENT);
			if (sqlite3_step(sv) != SQLITE_DONE)
				rc = store_fail(c->s, err, "recording a service row");
			sqlite3_reset(sv);
			c->res->services++;
		}
		if (rc == HMX_OK && w->member_id[0]) {
			sqlite3_bind_text(mm, 1, w->pid, -1, SQLITE_STATIC);
			sqlite3_bind_text(mm, 2, w->member_id, -1, SQLITE_STATIC);
			sqlite3_bind_text(mm, 3, cycle, -1, SQLITE_STATIC);
			sqlite3_bind_text(mm, 4, now, -1, SQLITE_STATIC);
			if (sqlite3_step(mm) != SQLITE_DONE)
				rc = store_fail(c->s, err, "recording a member ID");
			sqlite3_reset(mm);
		}
	}
	sqlite3_finalize(r);
	sqlite3_finalize(sv);
	sqlite3_finalize(mm);
	return rc;
}

static enum hmx_rc record(struct ictx *c, const struct cycle_info *ci, struct hmx_err *err)
{
	struct match_import_result *res = c->res;
	const char *base = strrchr(res->path, '/') ? strrchr(res->path, '/') + 1 : res->path;
	char now[21], after[272];
	sqlite3_stmt *st;
	enum hmx_rc rc;

	hmx_now_utc(now);
	if ((rc = store_begin(c->s, err)) != HMX_OK)
		return rc;
	st = store_prepare(c->s, "SELECT 1 FROM match_import WHERE cycle = ?1", err);
	if (!st) {
		rc = HMX_EDB;
		goto fail;
	}
	sqlite3_bind_text(st, 1, ci->code, -1, SQLITE_STATIC);
	res->replaced = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if ((rc = store_exec_text(c->s, "DELETE FROM match_import WHERE cycle = ?1", ci->code,
				  "recording the member list", err)) ||
	    (rc = store_exec_text(c->s, "DELETE FROM match_return WHERE cycle = ?1", ci->code,
				  "recording the member list", err)) ||
	    (rc = store_exec_text(c->s, "DELETE FROM match_service WHERE cycle = ?1", ci->code,
				  "recording the member list", err)) ||
	    (rc = save_findings(c, ci->id, now, base, err)) ||
	    (rc = save_rows(c, ci->code, now, err)))
		goto fail;
	st = store_prepare(c->s,
			   "INSERT INTO match_import(cycle, path, sha256, rows, members, services,"
			   " run_id, at, who) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
			   err);
	if (!st) {
		rc = HMX_EDB;
		goto fail;
	}
	sqlite3_bind_text(st, 1, ci->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, res->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, res->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)res->rows);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)res->matched);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)res->services);
	sqlite3_bind_int64(st, 7, res->run_id);
	sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, hmx_actor(), -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		rc = store_fail(c->s, err, "recording the member list");
		goto fail;
	}
	sqlite3_finalize(st);
	snprintf(after, sizeof after,
		 "rows=%llu matched=%llu services=%llu findings=%llu blocking=%llu run=%lld"
		 " replaced=%s sha256=%.16s",
		 (unsigned long long)res->rows, (unsigned long long)res->matched,
		 (unsigned long long)res->services, (unsigned long long)res->findings,
		 (unsigned long long)res->blocking, (long long)res->run_id,
		 res->replaced ? "yes" : "no", res->sha256);
	if ((rc = audit_write(c->s, "match.import", ci->code, NULL, after, err)) != HMX_OK)
		goto fail;
	return store_commit(c->s, err);
fail:
	store_rollback(c->s);
	return rc;
}

enum hmx_rc match_import(struct store *s, const struct match_import_opts *o,
			 struct match_import_result *res, struct hmx_err *err)
{
	struct match_colmap map;
	struct ictx c = { .map = &map, .s = s, .res = res };
	struct hcsv_handler h = { .on_header = ir_header, .on_row = ir_row, .ctx = &c };
	struct cycle_info ci;
	enum hmx_rc rc;
	bool header = false;

	memset(res, 0, sizeof *res);
	if ((rc = cycle_get(s, o->cycle, cal_today(), &ci, err)) != HMX_OK)
		return rc;
	if (strcmp(ci.kind, MATCH_KIND) != 0)
		return hmx_err_set(err, HMX_EINVAL, "%s is a %s cycle, not %s", o->cycle, ci.kind,
				   MATCH_KIND);
	if ((rc = match_colmap_load(s, o->columns, &map, err)) != HMX_OK)
		return rc;
	if (!realpath(o->path, res->path))
		return hmx_err_set(err, errno == ENOENT ? HMX_ENOTFOUND : HMX_EIO, "%s: %s",
				   o->path, strerror(errno));
	if ((rc = hmx_sha256_file(res->path, res->sha256, err)) != HMX_OK)
		return rc;
	if ((rc = load_sent(&c, o->cycle, err)) != HMX_OK)
		goto done;
	if ((rc = hcsv_read_file(res->path, "members", &h, &header, err)) != HMX_OK)
		goto done;
	if (c.nomem || c.seen.nomem) {
		rc = hmx_err_set(err, HMX_ENOMEM, "out of memory");
		goto done;
	}
	if (!header || c.pos[MC_ID] < 0) {
		rc = hmx_err_set(err, HMX_EINVAL,
				 "%s: no \"%s\" column in the header (see match-columns.ini)",
				 o->path, map.title[MC_ID]);
		goto done;
	}
	res->matched = c.nrows;
	rc = record(&c, &ci, err);
	if (rc == HMX_OK) {
		char note[128];
		snprintf(note, sizeof note, "hmx match import: %llu row(s), %llu matched, %llu finding(s)",
			 (unsigned long long)res->rows, (unsigned long long)res->matched,
			 (unsigned long long)res->findings);
		match_step_tick(s, o->cycle, "receive-members", note, &res->step_ticked,
				res->step_note, sizeof res->step_note);
	}
done:
	sent_free(&c.sent);
	free(c.seen.k);
	free(c.rows);
	free(c.f);
	return rc;
}

/* ---- findings and summary for the screen --------------------------------- */

static void read_finding(sqlite3_stmt *st, void *p)
{
	struct match_finding *f = p;
	char key[96];

	f->line = (uint64_t)sqlite3_column_int64(st, 0);
	store_col_text(st, 1, f->check, sizeof f->check);
	store_col_text(st, 2, f->severity, sizeof f->severity);
	store_col_text(st, 3, key, sizeof key);
	hmx_strlcpy(f->personal_id, strncmp(key, "PersonalID=", 11) == 0 ? key + 11 : "",
		    sizeof f->personal_id);
	store_col_text(st, 4, f->col, sizeof f->col);
	store_col_text(st, 5, f->detail, sizeof f->detail);
}

enum hmx_rc match_findings(struct store *s, const char *cycle, struct match_finding **out,
			   size_t *n, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(
		s,
		"SELECT f.line, f.check_id, f.severity, f.key, f.col, f.detail FROM finding f"
		" JOIN match_import i ON i.run_id = f.run_id WHERE i.cycle = ?1"
		" ORDER BY f.line, f.seq",
		err);
	void *rows = NULL;
	enum hmx_rc rc;

	*out = NULL;
	*n = 0;
	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, cycle, -1, SQLITE_TRANSIENT);
	rc = store_collect(s, st, sizeof(struct match_finding), read_finding, &rows, n,
			   "listing the match findings", err);
	*out = rows;
	return rc;
}

