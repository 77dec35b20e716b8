/* core/match.c — the MCP client list: active, consenting clients of an
 * HMIS export written 0600 via a temporary file; recorded by hash and
 * counts only; purged on demand. */
#include "match.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asset.h"
#include "audit.h"
#include "cycle.h"
#include "hmiscsv.h"
#include "transfer.h"

/* ---- fields -------------------------------------------------------------- */

static const char *const field_keys[MF_N] = {
	"client_id", "member_id", "first_name", "middle_name", "last_name", "suffix",
	"name_dq", "dob", "dob_dq", "gender", "info_date",
};

static const char *const field_titles[MF_N] = {
	"HMIS Client ID", "MCP Member ID", "First Name", "Middle Name", "Last Name", "Suffix",
	"Name Data Quality", "Date of Birth", "DOB Data Quality", "Gender", "Information Date",
};

const char *match_field_key(enum match_field f)
{
	return (unsigned)f < MF_N ? field_keys[f] : "?";
}

const char *match_field_title(enum match_field f)
{
	return (unsigned)f < MF_N ? field_titles[f] : "?";
}

char *match_fields_format(unsigned mask, char *buf, size_t n)
{
	buf[0] = '\0';
	for (int f = 0; f < MF_N; f++)
		if (mask & (1u << f)) {
			strncat(buf, buf[0] ? "," : "", n - strlen(buf) - 1);
			strncat(buf, field_keys[f], n - strlen(buf) - 1);
		}
	return buf;
}

enum hmx_rc match_fields_parse(const char *list, unsigned *mask, struct hmx_err *err)
{
	char tmp[512], *save = NULL, known[256];

	*mask = 0;
	if (!list || !*list || strcmp(list, "all") == 0) {
		*mask = MATCH_FIELDS_ALL;
		return HMX_OK;
	}
	hmx_strlcpy(tmp, list, sizeof tmp);
	for (char *t = strtok_r(tmp, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		int f;

		for (f = 0; f < MF_N && strcmp(field_keys[f], t) != 0; f++)
			;
		if (f == MF_N)
			return hmx_err_set(err, HMX_EINVAL,
					   "unknown field \"%.40s\"; known: all, %s", t,
					   match_fields_format(MATCH_FIELDS_ALL, known, sizeof known));
		*mask |= 1u << f;
	}
	*mask |= 1u << MF_CLIENT_ID;
	return HMX_OK;
}

/* ---- option words (assets/match_words.csv) ------------------------------- */

/* The word of (column, code), or NULL. The table is small: a linear scan
 * of the embedded text, cached per call site by the caller's arrays. */
static const char *word_of(const char *column, const char *code, size_t codelen, char *buf,
			   size_t n)
{
	const char *p = asset_get("match_words.csv", NULL);
	size_t cl = strlen(column);

	if (!p || codelen == 0)
		return NULL;
	p = strchr(p, '\n'); /* header */
	while (p && *++p) {
		const char *c1 = strchr(p, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
		const char *eol = c2 ? strchr(c2, '\n') : NULL;

		if (!c2)
			return NULL;
		if (!eol)
			eol = c2 + strlen(c2);
		if ((size_t)(c1 - p) == cl && strncmp(p, column, cl) == 0 &&
		    (size_t)(c2 - c1 - 1) == codelen && strncmp(c1 + 1, code, codelen) == 0) {
			size_t wl = (size_t)(eol - c2 - 1);
			if (wl && c2[wl] == '\r')
				wl--;
			if (wl >= n)
				wl = n - 1;
			memcpy(buf, c2 + 1, wl);
			buf[wl] = '\0';
			return buf;
		}
		p = eol;
	}
	return NULL;
}

/* ---- reading export files raw, by column name ---------------------------- */

#define XR_MAX 20

struct xread {
	const char *const *cols; /* wanted column names */
	int ncols;
	int pos[XR_MAX];
	int (*row)(void *ctx, const struct hcsv_field *const *f, uint64_t line);
	void *ctx;
	bool header;
};

static int xr_header(void *ctx, const struct hcsv_header *h)
{
	struct xread *x = ctx;

	x->header = true;
	for (int k = 0; k < x->ncols; k++) {
		x->pos[k] = -1;
		for (size_t i = 0; i < h->ncols && x->pos[k] < 0; i++)
			if (strlen(x->cols[k]) == h->names[i].len &&
			    strncasecmp(x->cols[k], h->names[i].p, h->names[i].len) == 0)
				x->pos[k] = (int)i;
	}
	return 0;
}

static int xr_row(void *ctx, const struct hcsv_header *h, const struct hcsv_row *r)
{
	static const struct hcsv_field empty = { "", 0 };
	struct xread *x = ctx;
	const struct hcsv_field *f[XR_MAX];

	(void)h;
	for (int k = 0; k < x->ncols; k++)
		f[k] = x->pos[k] >= 0 && (size_t)x->pos[k] < r->nfields ? &r->f[x->pos[k]] : &empty;
	return x->row(x->ctx, f, r->line);
}

/* Streams in-base entry name of pkg through x. *found says whether the
 * file exists. Structural problems of the file are the validator's
 * business: the records that can be read are used. */
static enum hmx_rc xr_read(struct hmiscsv *pkg, const char *name, struct xread *x, bool *found,
			   struct hmx_err *err)
{
	const struct hmiscsv_entry *e = hmiscsv_find(pkg, name);
	struct hcsv_handler h = { .on_header = xr_header, .on_row = xr_row, .ctx = x };
	enum hmx_rc rc;

	*found = e != NULL;
	if (!e)
		return HMX_OK;
	rc = hmiscsv_read(pkg, e, NULL, &h, NULL, err);
	if (rc == HMX_OK && !x->header)
		*found = false;
	return rc;
}

/* First 10 bytes of f as a day (dates and datetimes); CAL_NO_DAY else. */
static cal_day fday(const struct hcsv_field *f)
{
	char buf[11];
	cal_day d;

	if (f->len < 10 || (f->len > 10 && f->p[10] != ' ' && f->p[10] != 'T'))
		return CAL_NO_DAY;
	memcpy(buf, f->p, 10);
	buf[10] = '\0';
	return cal_parse_date(buf, &d) ? d : CAL_NO_DAY;
}

/* ---- string sets (sorted arrays) ----------------------------------------- */

struct kv {
	char *key;
	char *val;   /* member ID; NULL in the active set */
	cal_day day; /* exit day (exits) */
	bool used;   /* active set: written or counted already */
	bool sent;   /* active set: written to the list */
};

struct kvset {
	struct kv *v;
	size_t n, cap;
	bool nomem;
};

static void kv_add(struct kvset *s, const char *key, size_t len, const char *val, cal_day day)
{
	struct kv *k;

	if (s->nomem)
		return;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		struct kv *nv = realloc(s->v, cap * sizeof *nv);
		if (!nv) {
			s->nomem = true;
			return;
		}
		s->v = nv;
		s->cap = cap;
	}
	k = &s->v[s->n];
	memset(k, 0, sizeof *k);
	k->key = strndup(key, len);
	k->val = val ? strdup(val) : NULL;
	k->day = day;
	if (!k->key || (val && !k->val)) {
		free(k->key);
		free(k->val);
		s->nomem = true;
		return;
	}
	s->n++;
}

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->key, ((const struct kv *)b)->key);
}

/* Sorts; when unique, drops repeated keys (keeping the first). */
static void kv_sort(struct kvset *s, bool unique)
{
	size_t w = 0;

	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof *s->v, kv_cmp);
	if (!unique)
		return;
	for (size_t i = 0; i < s->n; i++) {
		if (w && strcmp(s->v[w - 1].key, s->v[i].key) == 0) {
			free(s->v[i].key);
			free(s->v[i].val);
			continue;
		}
		s->v[w++] = s->v[i];
	}
	s->n = w;
}

static struct kv *kv_find(const struct kvset *s, const char *key, size_t len)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(s->v[mid].key, key, len);

		if (c == 0 && s->v[mid].key[len] != '\0')
			c = 1;
		if (c < 0)
			lo = mid + 1;
		else if (c > 0)
			hi = mid;
		else
			return &s->v[mid];
	}
	return NULL;
}

static void kv_free(struct kvset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].key);
		free(s->v[i].val);
	}
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* ---- the list ------------------------------------------------------------ */

struct mctx {
	cal_day day, since;          /* export date; window start */
	struct kvset exits;          /* EnrollmentID -> exit day */
	struct kvset active;         /* PersonalID */
	struct kvset members;        /* PersonalID -> member ID */
	struct consent_set *cs;
	struct consent_manifest *m;
	unsigned mask;
	FILE *out;
	bool write_error;
};

static const char *const exit_cols[] = { "EnrollmentID", "ExitDate", "DateDeleted" };

static int exit_row(void *ctx, const struct hcsv_field *const *f, uint64_t line)
{
	struct mctx *c = ctx;

	(void)line;
	if (f[2]->len == 0 && f[0]->len)
		kv_add(&c->exits, f[0]->p, f[0]->len, NULL, fday(f[1]));
	return c->exits.nomem;
}

static const char *const enr_cols[] = { "EnrollmentID", "PersonalID", "EntryDate", "DateDeleted" };

static int enr_row(void *ctx, const struct hcsv_field *const *f, uint64_t line)
{
	struct mctx *c = ctx;
	cal_day entry = fday(f[2]);
	const struct kv *x;

	(void)line;
	if (f[3]->len || !f[1]->len || entry == CAL_NO_DAY || entry > c->day)
		return 0;
	x = kv_find(&c->exits, f[0]->p, f[0]->len);
	/* an exit without a usable date still closes the enrollment */
	if (!x || (x->day != CAL_NO_DAY && x->day >= c->since))
		kv_add(&c->active, f[1]->p, f[1]->len, NULL, 0);
	return c->active.nomem;
}

static const char *const svc_cols[] = { "PersonalID", "DateProvided", "DateDeleted" };

static int svc_row(void *ctx, const struct hcsv_field *const *f, uint64_t line)
{
	struct mctx *c = ctx;
	cal_day d = fday(f[1]);

	(void)line;
	if (!f[2]->len && f[0]->len && d != CAL_NO_DAY && d >= c->since && d <= c->day)
		kv_add(&c->active, f[0]->p, f[0]->len, NULL, 0);
	return c->active.nomem;
}

enum {
	C_ID, C_FIRST, C_MIDDLE, C_LAST, C_SUFFIX, C_NDQ, C_DOB, C_DDQ,
	C_WOMAN, C_MAN, C_NONBINARY, C_CULT, C_TRANS, C_QUEST, C_DIFF, C_GNONE,
	C_UPDATED, C_DELETED, C_N
};

static const char *const client_cols[C_N] = {
	"PersonalID", "FirstName", "MiddleName", "LastName", "NameSuffix", "NameDataQuality",
	"DOB", "DOBDataQuality", "Woman", "Man", "NonBinary", "CulturallySpecific",
	"Transgender", "Questioning", "DifferentIdentity", "GenderNone", "DateUpdated",
	"DateDeleted",
};

/* Writes one CSV field, always quoted (quotes doubled). */
static void put(FILE *o, bool *first, const char *p, size_t len)
{
	if (!*first)
		fputc(',', o);
	*first = false;
	fputc('"', o);
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '"')
			fputc('"', o);
		fputc(p[i], o);
	}
	fputc('"', o);
}

static void puts0(FILE *o, bool *first, const char *s)
{
	put(o, first, s ? s : "", s ? strlen(s) : 0);
}

static void put_word(FILE *o, bool *first, const char *column, const struct hcsv_field *f)
{
	char w[96];

	puts0(o, first, word_of(column, f->p, f->len, w, sizeof w));
}

static void put_gender(FILE *o, bool *first, const struct hcsv_field *const *f)
{
	char out[512] = "", w[96];

	for (int k = C_WOMAN; k <= C_DIFF; k++)
		if (f[k]->len == 1 && f[k]->p[0] == '1' &&
		    word_of(client_cols[k], "1", 1, w, sizeof w)) {
			strncat(out, out[0] ? "; " : "", sizeof out - strlen(out) - 1);
			strncat(out, w, sizeof out - strlen(out) - 1);
		}
	if (!out[0] && word_of("GenderNone", f[C_GNONE]->p, f[C_GNONE]->len, w, sizeof w))
		hmx_strlcpy(out, w, sizeof out);
	puts0(o, first, out);
}

static int client_row(void *ctx, const struct hcsv_field *const *f, uint64_t line)
{
	struct mctx *c = ctx;
	struct kv *a, *mem;
	enum consent_verdict v;
	char id[CONSENT_ID_MAX], d[11];
	bool first = true;
	cal_day day;

	(void)line;
	if (f[C_DELETED]->len || !f[C_ID]->len)
		return 0;
	a = kv_find(&c->active, f[C_ID]->p, f[C_ID]->len);
	if (a && a->used)
		return 0; /* the same client twice: counted once */
	c->m->clients++;
	if (!a) {
		c->m->inactive++;
		return 0;
	}
	a->used = true;
	if (f[C_ID]->len >= sizeof id) {
		consent_manifest_add(c->m, CONSENT_NO_RELEASE); /* no release can name it */
		return 0;
	}
	memcpy(id, f[C_ID]->p, f[C_ID]->len);
	id[f[C_ID]->len] = '\0';
	v = consent_check(c->cs, id, MATCH_SCOPE, c->day);
	consent_manifest_add(c->m, v);
	if (v != CONSENT_OK)
		return 0;
	a->sent = true;
	for (int k = 0; k < MF_N; k++) {
		if (!(c->mask & (1u << k)))
			continue;
		switch ((enum match_field)k) {
		case MF_CLIENT_ID:
			puts0(c->out, &first, id);
			break;
		case MF_MEMBER_ID:
			mem = kv_find(&c->members, id, strlen(id));
			puts0(c->out, &first, mem ? mem->val : "");
			break;
		case MF_FIRST:
			put(c->out, &first, f[C_FIRST]->p, f[C_FIRST]->len);
			break;
		case MF_MIDDLE:
			put(c->out, &first, f[C_MIDDLE]->p, f[C_MIDDLE]->len);
			break;
		case MF_LAST:
			put(c->out, &first, f[C_LAST]->p, f[C_LAST]->len);
			break;
		case MF_SUFFIX:
			put(c->out, &first, f[C_SUFFIX]->p, f[C_SUFFIX]->len);
			break;
		case MF_NAME_DQ:
			put_word(c->out, &first, "NameDataQuality", f[C_NDQ]);
			break;
		case MF_DOB:
			day = fday(f[C_DOB]);
			puts0(c->out, &first, day == CAL_NO_DAY ? "" : cal_format(day, d));
			break;
		case MF_DOB_DQ:
			put_word(c->out, &first, "DOBDataQuality", f[C_DDQ]);
			break;
		case MF_GENDER:
			put_gender(c->out, &first, f);
			break;
		case MF_INFO_DATE:
			day = fday(f[C_UPDATED]);
			puts0(c->out, &first, day == CAL_NO_DAY ? "" : cal_format(day, d));
			break;
		case MF_N:
			break;
		}
	}
	if (fputs("\r\n", c->out) == EOF)
		c->write_error = true;
	return c->write_error;
}

static enum hmx_rc load_members(struct store *s, struct kvset *ks, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT personal_id, member_id FROM match_member", err);
	int rc;

	if (!st)
		return HMX_EDB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		const char *v = (const char *)sqlite3_column_text(st, 1);
		kv_add(ks, k ? k : "", k ? strlen(k) : 0, v ? v : "", 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, err, "reading member IDs");
	if (ks->nomem)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	kv_sort(ks, true);
	return HMX_OK;
}

/* Reads the export into the open stream c->out (the temporary file). */
static enum hmx_rc read_export(struct store *s, const struct match_list_opts *o,
			       const struct cycle_info *ci, struct mctx *c, struct hmx_err *err)
{
	struct hmiscsv *pkg = NULL;
	const struct hmiscsv_entry *e;
	struct xread x = { 0 };
	char buf[64];
	enum hmx_rc rc;
	bool found;

	if ((rc = hmiscsv_open(o->from, NULL, NULL, NULL, &pkg, err)) != HMX_OK)
		return rc == HMX_ENOTFOUND
			       ? rc
			       : hmx_err_set(err, rc, "%s cannot be read as an export", o->from);
	e = hmiscsv_find(pkg, "Export.csv");
	if (!e || hmiscsv_peek(pkg, e, "ExportDate", buf, sizeof buf, NULL) != HMX_OK ||
	    (c->day = fday(&(struct hcsv_field){ buf, strlen(buf) })) == CAL_NO_DAY) {
		rc = hmx_err_set(err, HMX_EINVAL,
				 "%s: no export date (Export.csv ExportDate): "
				 "not a usable HMIS export",
				 o->from);
		goto done;
	}
	c->since = o->active_since != CAL_NO_DAY ? o->active_since : ci->start;
	c->m->active_since = c->since;
	c->m->day = c->day;

	x = (struct xread){ .cols = exit_cols, .ncols = 3, .row = exit_row, .ctx = c };
	if ((rc = xr_read(pkg, "Exit.csv", &x, &found, err)) != HMX_OK)
		goto done;
	kv_sort(&c->exits, false);
	x = (struct xread){ .cols = enr_cols, .ncols = 4, .row = enr_row, .ctx = c };
	if ((rc = xr_read(pkg, "Enrollment.csv", &x, &found, err)) != HMX_OK)
		goto done;
	if (!found) {
		rc = hmx_err_set(err, HMX_EINVAL, "%s has no Enrollment.csv", o->from);
		goto done;
	}
	x = (struct xread){ .cols = svc_cols, .ncols = 3, .row = svc_row, .ctx = c };
	if ((rc = xr_read(pkg, "Services.csv", &x, &found, err)) != HMX_OK)
		goto done;
	if (c->exits.nomem || c->active.nomem) {
		rc = hmx_err_set(err, HMX_ENOMEM, "out of memory");
		goto done;
	}
	kv_sort(&c->active, true);
	if (c->mask & (1u << MF_MEMBER_ID) && (rc = load_members(s, &c->members, err)) != HMX_OK)
		goto done;
	if ((rc = consent_set_load(s, MATCH_SCOPE, &c->cs, err)) != HMX_OK)
		goto done;
	for (int f = 0, first = 1; f < MF_N; f++)
		if (c->mask & (1u << f)) {
			if (!first)
				fputc(',', c->out);
			first = 0;
			fputs(field_titles[f], c->out);
		}
	fputs("\r\n", c->out);
	x = (struct xread){ .cols = client_cols, .ncols = C_N, .row = client_row, .ctx = c };
	if ((rc = xr_read(pkg, "Client.csv", &x, &found, err)) != HMX_OK)
		goto done;
	if (!found)
		rc = hmx_err_set(err, HMX_EINVAL, "%s has no Client.csv", o->from);
	else if (c->write_error)
		rc = hmx_err_set(err, HMX_EIO, "cannot write the client list: %s", strerror(errno));
done:
	hmiscsv_close(&pkg);
	return rc;
}

/* Splits path into its directory (".", when none) and base name. */
static void split_path(const char *path, char *dir, size_t dn, const char **base)
{
	const char *sl = strrchr(path, '/');

	if (!sl) {
		hmx_strlcpy(dir, ".", dn);
		*base = path;
	} else if (sl == path) {
		hmx_strlcpy(dir, "/", dn);
		*base = sl + 1;
	} else {
		size_t l = (size_t)(sl - path);
		if (l >= dn)
			l = dn - 1;
		memcpy(dir, path, l);
		dir[l] = '\0';
		*base = sl + 1;
	}
}

/* Records the list, its sent PersonalIDs (IDs only: the member list is
 * matched back against them) and the audit row in one transaction. */
static enum hmx_rc record(struct store *s, const char *cycle, const struct kvset *active,
			  struct match_list_result *res, struct hmx_err *err)
{
	char now[21], after[272], *json = NULL;
	size_t jlen = 0;
	sqlite3_stmt *st;
	enum hmx_rc rc;
	FILE *mf = open_memstream(&json, &jlen);

	if (!mf)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	consent_manifest_json(mf, &res->manifest);
	fclose(mf);
	hmx_now_utc(now);
	if ((rc = store_begin(s, err)) != HMX_OK) {
		free(json);
		return rc;
	}
	st = store_prepare(s,
			   "INSERT INTO match_list(cycle, path, sha256, rows, manifest, at, who)"
			   " VALUES (?1,?2,?3,?4,?5,?6,?7)",
			   err);
	if (!st) {
		rc = HMX_EDB;
		goto fail;
	}
	sqlite3_bind_text(st, 1, cycle, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, res->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, res->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)res->rows);
	sqlite3_bind_text(st, 5, json, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, hmx_actor(), -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		rc = store_fail(s, err, "recording the client list");
		goto fail;
	}
	sqlite3_finalize(st);
	res->id = sqlite3_last_insert_rowid(store_db(s));
	st = store_prepare(s, "INSERT OR IGNORE INTO match_sent(list_id, personal_id) VALUES (?1,?2)",
			   err);
	if (!st) {
		rc = HMX_EDB;
		goto fail;
	}
	for (size_t i = 0; i < active->n; i++) {
		if (!active->v[i].sent)
			continue;
		sqlite3_bind_int64(st, 1, res->id);
		sqlite3_bind_text(st, 2, active->v[i].key, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			rc = store_fail(s, err, "recording who was sent");
			goto fail;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	snprintf(after, sizeof after,
		 "list %lld: rows=%llu eligible=%llu inactive=%llu no-release=%llu expired=%llu "
		 "not-yet=%llu revoked=%llu sha256=%.16s",
		 (long long)res->id, (unsigned long long)res->rows,
		 (unsigned long long)res->manifest.eligible,
		 (unsigned long long)res->manifest.inactive,
		 (unsigned long long)res->manifest.left_out[CONSENT_NO_RELEASE],
		 (unsigned long long)res->manifest.left_out[CONSENT_EXPIRED],
		 (unsigned long long)res->manifest.left_out[CONSENT_NOT_YET],
		 (unsigned long long)res->manifest.left_out[CONSENT_REVOKED], res->sha256);
	if ((rc = audit_write(s, "match.list", cycle, NULL, after, err)) != HMX_OK)
		goto fail;
	free(json);
	return store_commit(s, err);
fail:
	free(json);
	store_rollback(s);
	return rc;
}

enum hmx_rc match_list(struct store *s, const struct match_list_opts *o,
		       struct match_list_result *res, struct hmx_err *err)
{
	struct mctx c = { 0 };
	struct cycle_info ci;
	char dir[1024], tmp[1100], sitef[256] = "";
	const char *base;
	struct stat sb;
	enum hmx_rc rc;
	int fd = -1;

	memset(res, 0, sizeof *res);
	consent_manifest_init(&res->manifest, MATCH_SCOPE, CAL_NO_DAY);
	if ((rc = cycle_get(s, o->cycle, cal_today(), &ci, err)) != HMX_OK)
		return rc;
	if (strcmp(ci.kind, MATCH_KIND) != 0)
		return hmx_err_set(err, HMX_EINVAL, "%s is a %s cycle, not %s", o->cycle, ci.kind,
				   MATCH_KIND);
	if (!o->fields && o->site &&
	    (rc = match_site_fields_get(s, o->site, sitef, sizeof sitef, err)) != HMX_OK)
		return rc;
	if ((rc = match_fields_parse(o->fields ? o->fields : sitef, &c.mask, err)) != HMX_OK)
		return rc;
	match_fields_format(c.mask, res->manifest.fields, sizeof res->manifest.fields);
	if (!o->output || !*o->output)
		return hmx_err_set(err, HMX_EINVAL, "no output file (-o FILE)");
	if (lstat(o->output, &sb) == 0)
		return hmx_err_set(err, HMX_EEXIST,
				   "%s exists: the client list is never overwritten"
				   " (purge or remove it)",
				   o->output);
	split_path(o->output, dir, sizeof dir, &base);
	if (!*base)
		return hmx_err_set(err, HMX_EINVAL, "%s: not a file name", o->output);
	snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", dir, base);
	if ((fd = mkstemp(tmp)) < 0)
		return hmx_err_set(err, HMX_EIO, "%s: cannot create a file there: %s", dir,
				   strerror(errno));
	if (fchmod(fd, 0600) != 0 || !(c.out = fdopen(fd, "w"))) {
		rc = hmx_err_set(err, HMX_EIO, "%s: %s", tmp, strerror(errno));
		close(fd);
		goto fail;
	}
	c.m = &res->manifest;
	if ((rc = read_export(s, o, &ci, &c, err)) != HMX_OK)
		goto fail;
	if (fflush(c.out) != 0 || fsync(fileno(c.out)) != 0) {
		rc = hmx_err_set(err, HMX_EIO, "cannot write the client list: %s", strerror(errno));
		goto fail;
	}
	if (fclose(c.out) != 0) {
		c.out = NULL;
		rc = hmx_err_set(err, HMX_EIO, "cannot write the client list: %s", strerror(errno));
		goto fail;
	}
	c.out = NULL;
	if (lstat(o->output, &sb) == 0) {
		rc = hmx_err_set(err, HMX_EEXIST, "%s appeared meanwhile: not overwritten",
				 o->output);
		goto fail;
	}
	if (rename(tmp, o->output) != 0) {
		rc = hmx_err_set(err, HMX_EIO, "%s: cannot rename into place: %s", o->output,
				 strerror(errno));
		goto fail;
	}
	tmp[0] = '\0';
	if (!realpath(o->output, res->path))
		hmx_strlcpy(res->path, o->output, sizeof res->path);
	res->rows = res->manifest.sent;
	if ((rc = hmx_sha256_file(res->path, res->sha256, err)) != HMX_OK ||
	    (rc = record(s, o->cycle, &c.active, res, err)) != HMX_OK) {
		unlink(res->path); /* an unrecorded copy would never be purged */
		goto fail;
	}
	{
		char note[128];
		snprintf(note, sizeof note, "hmx match list: %llu client(s), list %lld",
			 (unsigned long long)res->rows, (long long)res->id);
		match_step_tick(s, o->cycle, "build-list", note, &res->step_ticked, res->step_note,
				sizeof res->step_note);
	}
	kv_free(&c.exits);
	kv_free(&c.active);
	kv_free(&c.members);
	consent_set_free(&c.cs);
	return HMX_OK;
fail:
	if (c.out)
		fclose(c.out);
	if (tmp[0])
		unlink(tmp);
	kv_free(&c.exits);
	kv_free(&c.active);
	kv_free(&c.members);
	consent_set_free(&c.cs);
	res->path[0] = '\0';
	return rc;
}

/* ---- records and purge --------------------------------------------------- */

static void read_rec(sqlite3_stmt *st, void *p)
{
	struct match_list_rec *r = p;

	r->id = sqlite3_column_int64(st, 0);
	store_col_text(st, 1, r->cycle, sizeof r->cycle);
	store_col_text(st, 2, r->path, sizeof r->path);
	store_col_text(st, 3, r->sha256, sizeof r->sha256);
	r->rows = (uint64_t)sqlite3_column_int64(st, 4);
	store_col_text(st, 5, r->manifest, sizeof r->manifest);
	store_col_text(st, 6, r->at, sizeof r->at);
	store_col_text(st, 7, r->who, sizeof r->who);
	store_col_text(st, 8, r->purged_at, sizeof r->purged_at);
}

enum hmx_rc match_lists(struct store *s, const char *cycle, struct match_list_rec **out,
			size_t *n, struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(
		s,
		"SELECT id, cycle, path, sha256, rows, manifest, at, who, purged_at FROM match_list"
		" WHERE ?1 IS NULL OR cycle = ?1 ORDER BY id",
		err);
	void *rows = NULL;
	enum hmx_rc rc;

	*out = NULL;
	*n = 0;
	if (!st)
		return HMX_EDB;
	if (cycle)
		sqlite3_bind_text(st, 1, cycle, -1, SQLITE_TRANSIENT);
	rc = store_collect(s, st, sizeof(struct match_list_rec), read_rec, &rows, n,
			   "listing client lists", err);
	*out = rows;
	return rc;
}

enum hmx_rc match_unpurged(struct store *s, const char *cycle, size_t *n, struct hmx_err *err)
{
	struct match_list_rec *r;
	size_t k;
	enum hmx_rc rc = match_lists(s, cycle, &r, &k, err);

	*n = 0;
	for (size_t i = 0; rc == HMX_OK && i < k; i++)
		*n += !r[i].purged_at[0];
	free(r);
	return rc;
}

enum hmx_rc match_purge(struct store *s, const char *cycle, struct match_purge_result *res,
			struct hmx_err *err)
{
	struct match_list_rec *r = NULL;
	struct cycle_info ci;
	char now[21], after[272];
	sqlite3_stmt *st = NULL;
	enum hmx_rc rc;
	size_t n;

	memset(res, 0, sizeof *res);
	if ((rc = cycle_get(s, cycle, cal_today(), &ci, err)) != HMX_OK)
		return rc;
	if ((rc = match_lists(s, cycle, &r, &n, err)) != HMX_OK)
		return rc;
	/* remove the files first: a file that cannot go stays recorded */
	for (size_t i = 0; i < n; i++) {
		char hex[65];

		if (r[i].purged_at[0])
			continue;
		if (hmx_sha256_file(r[i].path, hex, NULL) == HMX_OK && strcmp(hex, r[i].sha256))
			res->changed++;
		if (unlink(r[i].path) == 0) {
			res->purged++;
		} else if (errno == ENOENT) {
			res->missing++;
		} else {
			rc = hmx_err_set(err, HMX_EIO, "%s: cannot remove: %s", r[i].path,
					 strerror(errno));
			free(r);
			return rc;
		}
	}
	free(r);
	hmx_now_utc(now);
	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	st = store_prepare(s,
			   "UPDATE match_list SET purged_at = ?2"
			   " WHERE cycle = ?1 AND purged_at IS NULL",
			   err);
	if (!st) {
		rc = HMX_EDB;
		goto fail;
	}
	sqlite3_bind_text(st, 1, cycle, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		rc = store_fail(s, err, "recording the purge");
		goto fail;
	}
	sqlite3_finalize(st);
	snprintf(after, sizeof after, "purged=%zu missing=%zu changed=%zu", res->purged,
		 res->missing, res->changed);
	if ((rc = audit_write(s, "match.purge", cycle, NULL, after, err)) != HMX_OK)
		goto fail;
	if ((rc = store_commit(s, err)) != HMX_OK)
		return rc;
	/* the checklist's purge step */
	{
		char note[128];
		snprintf(note, sizeof note, "hmx match purge: %zu removed, %zu already gone",
			 res->purged, res->missing);
		match_step_tick(s, cycle, "purge", note, &res->step_ticked, res->step_note,
				sizeof res->step_note);
	}
	return HMX_OK;
fail:
	store_rollback(s);
	return rc;
}

void match_step_tick(struct store *s, const char *cycle, const char *step, const char *note,
		     bool *ticked, char *why, size_t n)
{
	struct hmx_err e2 = { 0 };
	struct step_info si;

	*ticked = false;
	why[0] = '\0';
	if (step_get(s, cycle, step, &si, &e2) != HMX_OK)
		snprintf(why, n, "no %s step in %s", step, cycle);
	else if (step_state_closed(si.state))
		snprintf(why, n, "step %s already %s", step, step_state_name(si.state));
	else if (step_set(s, cycle, step, STEP_DONE, note, &e2) == HMX_OK)
		*ticked = true;
	else
		snprintf(why, n, "step %s not set: %.150s", step, e2.msg);
}

/* ---- member IDs and site fields ------------------------------------------ */

enum hmx_rc match_member_set(struct store *s, const char *personal_id, const char *member_id,
			     const char *cycle, struct hmx_err *err)
{
	sqlite3_stmt *st;
	char now[21];
	enum hmx_rc rc;

	if (!personal_id || !*personal_id || strlen(personal_id) >= CONSENT_ID_MAX || !member_id ||
	    strlen(member_id) > 64)
		return hmx_err_set(err, HMX_EINVAL, "bad PersonalID or member ID");
	hmx_now_utc(now);
	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	st = store_prepare(s,
			   "INSERT INTO match_member(personal_id, member_id, cycle, updated_at)"
			   " VALUES (?1,?2,?3,?4) ON CONFLICT(personal_id) DO UPDATE SET"
			   " member_id = excluded.member_id, cycle = excluded.cycle,"
			   " updated_at = excluded.updated_at",
			   err);
	if (!st) {
		store_rollback(s);
		return HMX_EDB;
	}
	sqlite3_bind_text(st, 1, personal_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, member_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, cycle ? cycle : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		rc = store_fail(s, err, "recording a member ID");
		store_rollback(s);
		return rc;
	}
	sqlite3_finalize(st);
	if ((rc = audit_write(s, "match.member", personal_id, NULL, cycle ? cycle : "", err)) !=
	    HMX_OK) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, err);
}

enum hmx_rc match_site_fields_get(struct store *s, const char *site, char *buf, size_t n,
				  struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT match_fields FROM site WHERE name = ?1", err);
	int rc;

	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, site, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		store_col_text(st, 0, buf, n);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return hmx_err_set(err, HMX_ENOTFOUND, "no site \"%s\" (see hmx site list)", site);
	if (rc != SQLITE_ROW)
		return store_fail(s, err, "reading the site");
	return HMX_OK;
}

enum hmx_rc match_site_fields_set(struct store *s, const char *site, const char *fields,
				  struct hmx_err *err)
{
	char before[256], canon[256] = "";
	sqlite3_stmt *st;
	unsigned mask;
	enum hmx_rc rc;

	if ((rc = match_site_fields_get(s, site, before, sizeof before, err)) != HMX_OK)
		return rc;
	if (fields && *fields && strcmp(fields, "all") != 0) {
		if ((rc = match_fields_parse(fields, &mask, err)) != HMX_OK)
			return rc;
		match_fields_format(mask, canon, sizeof canon);
	}
	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	st = store_prepare(s, "UPDATE site SET match_fields = ?2 WHERE name = ?1", err);
	if (!st) {
		store_rollback(s);
		return HMX_EDB;
	}
	sqlite3_bind_text(st, 1, site, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, canon, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		rc = store_fail(s, err, "setting the site's fields");
		store_rollback(s);
		return rc;
	}
	sqlite3_finalize(st);
	if ((rc = audit_write(s, "site.match_fields", site, before[0] ? before : "all",
			      canon[0] ? canon : "all", err)) != HMX_OK) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, err);
}
