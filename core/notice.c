/* core/notice.c — notice templates (assets/notices), filling them from a
 * cycle, and keeping edited and sent notices (table notice). */
#include "notice.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asset.h"
#include "audit.h"
#include "cycle.h"
#include "intake.h"
#include "registry.h"

/* ---- templates ------------------------------------------------------------ */

#define MAX_KINDS 16

static struct notice_kind kinds[MAX_KINDS];
static size_t n_kinds;
static bool kinds_loaded;
static struct hmx_err kinds_err;

static void trim_copy(char *dst, size_t n, const char *p, size_t len)
{
	while (len && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
		len--;
	if (len >= n)
		len = n - 1;
	memcpy(dst, p, len);
	dst[len] = '\0';
}

/* Parses one template: header "key: value" lines up to "---". */
static enum hmx_rc parse_kind(const char *name, const char *text, struct notice_kind *k,
			      struct hmx_err *err)
{
	const char *p = text;
	int line = 0;

	memset(k, 0, sizeof *k);
	while (*p) {
		const char *e = strchr(p, '\n'), *colon;
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char key[32], val[128];

		line++;
		if (len >= 3 && strncmp(p, "---", 3) == 0) {
			k->body = e ? e + 1 : p + len;
			break;
		}
		if (len == 0 || p[0] == '#') {
			p = e ? e + 1 : p + len;
			continue;
		}
		colon = memchr(p, ':', len);
		if (!colon)
			return hmx_err_set(err, HMX_EINVAL, "%s:%d: expected \"key: value\" or \"---\"",
					   name, line);
		trim_copy(key, sizeof key, p, (size_t)(colon - p));
		trim_copy(val, sizeof val, colon + 1, len - (size_t)(colon - p) - 1);
		if (strcmp(key, "kind") == 0)
			hmx_strlcpy(k->id, val, sizeof k->id);
		else if (strcmp(key, "title") == 0)
			hmx_strlcpy(k->title, val, sizeof k->title);
		else if (strcmp(key, "to") == 0)
			hmx_strlcpy(k->to, val, sizeof k->to);
		else if (strcmp(key, "cycles") == 0)
			hmx_strlcpy(k->cycles, val, sizeof k->cycles);
		else if (strcmp(key, "step") == 0)
			hmx_strlcpy(k->step, val, sizeof k->step);
		else if (strcmp(key, "source") == 0)
			hmx_strlcpy(k->source, val, sizeof k->source);
		else if (strcmp(key, "recipient") == 0 && (strcmp(val, "agency") == 0 ||
							   strcmp(val, "none") == 0))
			k->per_agency = strcmp(val, "agency") == 0;
		else
			return hmx_err_set(err, HMX_EINVAL, "%s:%d: unknown key or value \"%s\"", name,
					   line, key);
		p = e ? e + 1 : p + len;
	}
	if (!k->body)
		return hmx_err_set(err, HMX_EINVAL, "%s: no \"---\" line before the text", name);
	if (!k->id[0] || !k->title[0] || !k->to[0] || !k->cycles[0])
		return hmx_err_set(err, HMX_EINVAL, "%s: kind, title, to and cycles are required",
				   name);
	return HMX_OK;
}

static int kind_cmp(const void *a, const void *b)
{
	return strcmp(((const struct notice_kind *)a)->id, ((const struct notice_kind *)b)->id);
}

enum hmx_rc notice_kinds(const struct notice_kind **out, size_t *n, struct hmx_err *err)
{
	const char *name;

	if (!kinds_loaded) {
		kinds_loaded = true;
		for (size_t i = 0; (name = asset_name(i)) != NULL; i++) {
			size_t len = strlen(name);

			if (strncmp(name, "notices/", 8) != 0 || strcmp(name, "notices/README.txt") == 0 ||
			    len < 4 || strcmp(name + len - 4, ".txt") != 0)
				continue;
			if (n_kinds == MAX_KINDS) {
				hmx_err_set(&kinds_err, HMX_EINVAL, "too many notice templates");
				break;
			}
			if (parse_kind(name, asset_get(name, NULL), &kinds[n_kinds], &kinds_err) !=
			    HMX_OK)
				break;
			n_kinds++;
		}
		qsort(kinds, n_kinds, sizeof *kinds, kind_cmp);
	}
	if (kinds_err.rc != HMX_OK) {
		if (err)
			*err = kinds_err;
		*out = NULL;
		*n = 0;
		return kinds_err.rc;
	}
	*out = kinds;
	*n = n_kinds;
	return HMX_OK;
}

const struct notice_kind *notice_kind_find(const char *id)
{
	const struct notice_kind *k;
	size_t n;

	if (notice_kinds(&k, &n, NULL) != HMX_OK)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strcmp(k[i].id, id) == 0)
			return &k[i];
	return NULL;
}

const char *notice_state_name(enum notice_state st)
{
	return st == NOTICE_SENT ? "sent" : st == NOTICE_DRAFT ? "draft" : "new";
}

/* Whether word is one of the space-separated words of list. */
static bool has_word(const char *list, const char *word)
{
	size_t wl = strlen(word);

	for (const char *p = list; *p;) {
		const char *e = strchr(p, ' ');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == wl && strncmp(p, word, wl) == 0)
			return true;
		if (!e)
			break;
		p = e + 1;
	}
	return false;
}

/* ---- the text being built -------------------------------------------------- */

struct sb {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *np;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(np = realloc(b->p, cap))) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_printf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sb *b, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_add(b, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* ---- what a notice is filled from -------------------------------------------- */

struct ctx {
	struct store *s;
	const struct notice_kind *k;
	struct cycle_info c;
	cal_day deadline;
	struct reg_agency agency;   /* code "" when none */
	struct reg_project *projects;
	size_t nprojects;
};

static enum hmx_rc find_agency(struct store *s, const char *code, struct reg_agency *out,
			       struct hmx_err *err)
{
	struct reg_agency *a;
	size_t n;
	bool found = false;
	enum hmx_rc rc;

	if ((rc = reg_agency_list(s, &a, &n, err)) != HMX_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(a[i].code, code) == 0) {
			*out = a[i];
			found = true;
		}
	}
	free(a);
	if (!found)
		return hmx_err_set(err, HMX_ENOTFOUND, "no agency \"%s\" (see 'hmx project agencies')",
				   code);
	return HMX_OK;
}

/* Checks the kind against the cycle and the recipient, and loads what the
 * notice needs. */
static enum hmx_rc ctx_load(struct store *s, const char *cycle, const char *kind, const char *to,
			    struct ctx *x, struct hmx_err *err)
{
	const struct notice_kind *all;
	struct step_info st;
	struct reg_project *ps;
	size_t n, np;
	enum hmx_rc rc;

	memset(x, 0, sizeof *x);
	x->s = s;
	if ((rc = notice_kinds(&all, &n, err)) != HMX_OK)
		return rc;
	if ((rc = cycle_get(s, cycle, cal_today(), &x->c, err)) != HMX_OK)
		return rc;
	x->k = notice_kind_find(kind);
	if (!x->k || !has_word(x->k->cycles, x->c.kind)) {
		char list[256] = "";

		for (size_t i = 0; i < n; i++)
			if (has_word(all[i].cycles, x->c.kind))
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
					 list[0] ? ", " : "", all[i].id);
		return hmx_err_set(err, HMX_EINVAL, "%s notice \"%s\" for a %s cycle; its notices: %s",
				   x->k ? "no" : "unknown", kind, x->c.kind, list[0] ? list : "none");
	}
	if (x->k->per_agency && (!to || !*to))
		return hmx_err_set(err, HMX_EINVAL, "notice %s goes to an agency: say which with --to "
				   "AGENCY (see 'hmx project agencies')", kind);
	if (!x->k->per_agency && to && *to)
		return hmx_err_set(err, HMX_EINVAL, "notice %s goes to %s: --to is not wanted", kind,
				   x->k->to);
	if (x->k->per_agency && (rc = find_agency(s, to, &x->agency, err)) != HMX_OK)
		return rc;
	/* the step's deadline, else seven days after the period's end */
	x->deadline = x->c.end + 7;
	if (x->k->step[0] && step_get(s, cycle, x->k->step, &st, NULL) == HMX_OK &&
	    st.deadline != CAL_NO_DAY)
		x->deadline = st.deadline;
	if ((rc = reg_project_list(s, NULL, &ps, &np, err)) != HMX_OK)
		return rc;
	x->projects = ps;
	for (size_t i = 0; i < np; i++) {
		bool want = ps[i].active && (x->agency.code[0] ?
			    strcmp(ps[i].agency_code, x->agency.code) == 0 : ps[i].in_upload_group);

		if (want)
			ps[x->nprojects++] = ps[i];
	}
	return HMX_OK;
}

static void ctx_free(struct ctx *x)
{
	free(x->projects);
	x->projects = NULL;
}

static void fill_projects(struct ctx *x, struct sb *b)
{
	if (x->nprojects == 0)
		sb_printf(b, "  (no active project registered%s%s)", x->agency.code[0] ? " for " : "",
			  x->agency.code);
	for (size_t i = 0; i < x->nprojects; i++)
		sb_printf(b, "%s  - %s (%s)", i ? "\n" : "", x->projects[i].name, x->projects[i].code);
}

static void fill_files(struct ctx *x, struct sb *b)
{
	struct intake_info *in = NULL;
	size_t n = 0, shown = 0;

	if (intake_list(x->s, x->c.code, &in, &n, NULL) != HMX_OK)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		char d[11];

		if (strcmp(in[i].source, "demo") == 0)
			continue;
		sb_printf(b, "%s  - %.12s from %s, received %s: %llu project%s, %llu enrollments",
			  shown ? "\n" : "", in[i].sha256, in[i].source, cal_format(in[i].received, d),
			  (unsigned long long)in[i].projects, in[i].projects == 1 ? "" : "s",
			  (unsigned long long)in[i].enrollments);
		shown++;
	}
	if (!shown)
		sb_printf(b, "  (no file recorded in %s yet: see 'hmx intake')", x->c.code);
	free(in);
}

/* Counts of findings by check and severity of the latest validation run
 * that holds project p's file in this cycle (a cycle without review).
 * Returns the total. */
static uint64_t fill_project_findings(struct ctx *x, const struct reg_project *p, struct sb *b)
{
	sqlite3_stmt *st;
	int64_t run = 0;
	char spid[64] = "";
	uint64_t total = 0;
	bool any = false;

	st = store_prepare(x->s,
			   "SELECT i.validation_run_id, fp.source_project_id FROM intake i "
			   "JOIN file_project fp ON fp.file_id = i.file_id "
			   "LEFT JOIN file_map fm ON fm.intake_id = i.id "
			   "  AND fm.source_project_id = fp.source_project_id "
			   "WHERE i.cycle_id = ?1 AND i.validation_run_id IS NOT NULL "
			   "  AND (fm.project_id = ?2 OR (fm.id IS NULL AND ?3 <> '' "
			   "       AND fp.source_project_id = ?3)) "
			   "ORDER BY i.validation_run_id DESC LIMIT 1",
			   NULL);
	if (st) {
		sqlite3_bind_int64(st, 1, x->c.id);
		sqlite3_bind_int64(st, 2, p->id);
		sqlite3_bind_text(st, 3, p->hud_project_id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			run = sqlite3_column_int64(st, 0);
			store_col_text(st, 1, spid, sizeof spid);
		}
		sqlite3_finalize(st);
	}
	sb_printf(b, "\n  - %s (%s): ", p->name, p->code);
	if (!run) {
		sb_printf(b, "not validated yet");
		return 0;
	}
	st = store_prepare(x->s,
			   "SELECT check_id, severity, count(*) FROM finding "
			   "WHERE run_id = ?1 AND project = ?2 GROUP BY check_id, severity "
			   "ORDER BY CASE severity WHEN 'blocking' THEN 0 WHEN 'error' THEN 1 ELSE 2 END, "
			   "check_id",
			   NULL);
	if (!st)
		return 0;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_text(st, 2, spid, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		uint64_t c = (uint64_t)sqlite3_column_int64(st, 2);

		sb_printf(b, "%s%s %s %llu", any ? ", " : "", (const char *)sqlite3_column_text(st, 0),
			  (const char *)sqlite3_column_text(st, 1), (unsigned long long)c);
		total += c;
		any = true;
	}
	sqlite3_finalize(st);
	if (!any)
		sb_printf(b, "no findings");
	return total;
}

/* Whether the cycle has a review (core/review.h): any review item. */
static bool has_review(struct ctx *x)
{
	sqlite3_stmt *st = store_prepare(
		x->s, "SELECT EXISTS (SELECT 1 FROM review_item WHERE cycle_id = ?1)", NULL);
	bool any = false;

	if (!st)
		return false;
	sqlite3_bind_int64(st, 1, x->c.id);
	if (sqlite3_step(st) == SQLITE_ROW)
		any = sqlite3_column_int(st, 0) != 0;
	sqlite3_finalize(st);
	return any;
}

/* The review items of project p that wait on its partner: open or
 * rejected (waiting for the partner), fix-proposed (waiting for the
 * partner's approval), each with counts by check and severity. Returns
 * both counts together. */
static uint64_t fill_project_review(struct ctx *x, const struct reg_project *p, struct sb *b)
{
	sqlite3_stmt *st;
	uint64_t n[2] = { 0, 0 };
	struct sb by[2] = { { 0 }, { 0 } };

	sb_printf(b, "\n  - %s (%s): ", p->name, p->code);
	st = store_prepare(x->s,
			   "SELECT state = 'fix-proposed', check_id, severity, count(*) "
			   "FROM review_item WHERE cycle_id = ?1 AND project_id = ?2 "
			   "  AND state IN ('open', 'rejected', 'fix-proposed') "
			   "GROUP BY 1, check_id, severity "
			   "ORDER BY 1, CASE severity WHEN 'blocking' THEN 0 WHEN 'error' THEN 1 "
			   "  ELSE 2 END, check_id",
			   NULL);
	if (!st)
		return 0;
	sqlite3_bind_int64(st, 1, x->c.id);
	sqlite3_bind_int64(st, 2, p->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int k = sqlite3_column_int(st, 0) ? 1 : 0;
		uint64_t c = (uint64_t)sqlite3_column_int64(st, 3);

		sb_printf(&by[k], "%s%s %s %llu", n[k] ? ", " : "",
			  (const char *)sqlite3_column_text(st, 1),
			  (const char *)sqlite3_column_text(st, 2), (unsigned long long)c);
		n[k] += c;
	}
	sqlite3_finalize(st);
	if (by[0].oom || by[1].oom)
		b->oom = true;
	if (n[0])
		sb_printf(b, "%llu waiting for you (%s)", (unsigned long long)n[0],
			  by[0].p ? by[0].p : "");
	if (n[1])
		sb_printf(b, "%s%llu proposed fix%s waiting for your approval (%s)",
			  n[0] ? "; " : "", (unsigned long long)n[1], n[1] == 1 ? "" : "es",
			  by[1].p ? by[1].p : "");
	if (!n[0] && !n[1])
		sb_printf(b, "nothing waiting for you");
	free(by[0].p);
	free(by[1].p);
	return n[0] + n[1];
}

/* {findings} into b (without its leading newline), the total into *total:
 * from the cycle's review items when it has a review, else from the
 * latest validation run of each project. */
static void fill_findings(struct ctx *x, struct sb *b, uint64_t *total)
{
	struct sb t = { 0 };
	bool review = has_review(x);

	*total = 0;
	for (size_t i = 0; i < x->nprojects; i++)
		*total += review ? fill_project_review(x, &x->projects[i], &t) :
				   fill_project_findings(x, &x->projects[i], &t);
	if (t.oom)
		b->oom = true;
	else if (t.len)
		sb_add(b, t.p + 1, t.len - 1);
	else
		sb_printf(b, "  (no active project registered for %s)", x->agency.code);
	free(t.p);
}

/* Appends the value of placeholder name (without braces); false when the
 * name is unknown. */
static bool fill(struct ctx *x, const char *name, struct sb *b)
{
	char d[11];

	if (strcmp(name, "to") == 0) {
		if (strcmp(x->k->to, "{agency_name}") == 0)
			sb_printf(b, "%s (%s)", x->agency.name, x->agency.code);
		else
			sb_printf(b, "%s", x->k->to);
	} else if (strcmp(name, "cycle") == 0) {
		sb_printf(b, "%s", x->c.code);
	} else if (strcmp(name, "cycle_title") == 0) {
		sb_printf(b, "%s", x->c.kind_title);
	} else if (strcmp(name, "period") == 0) {
		sb_printf(b, "%s", x->c.period);
	} else if (strcmp(name, "start") == 0) {
		sb_printf(b, "%s", cal_format(x->c.start, d));
	} else if (strcmp(name, "end") == 0) {
		sb_printf(b, "%s", cal_format(x->c.end, d));
	} else if (strcmp(name, "deadline") == 0) {
		sb_printf(b, "%s", cal_format(x->deadline, d));
	} else if (strcmp(name, "today") == 0) {
		sb_printf(b, "%s", cal_format(cal_today(), d));
	} else if (strcmp(name, "sender") == 0) {
		sb_printf(b, "%s", hmx_actor());
	} else if (strcmp(name, "agency") == 0) {
		sb_printf(b, "%s", x->agency.code);
	} else if (strcmp(name, "agency_name") == 0) {
		sb_printf(b, "%s", x->agency.name);
	} else if (strcmp(name, "projects") == 0) {
		fill_projects(x, b);
	} else if (strcmp(name, "files") == 0) {
		fill_files(x, b);
	} else if (strcmp(name, "findings") == 0) {
		uint64_t total;

		fill_findings(x, b, &total);
	} else if (strcmp(name, "findings_total") == 0) {
		struct sb t = { 0 };
		uint64_t total;

		fill_findings(x, &t, &total);
		free(t.p);
		sb_printf(b, "%llu", (unsigned long long)total);
	} else {
		return false;
	}
	return true;
}

static enum hmx_rc render(struct ctx *x, char **out, struct hmx_err *err)
{
	struct sb b = { 0 };
	const char *p = x->k->body;

	while (*p) {
		const char *open = strchr(p, '{'), *close;
		char name[32];

		if (!open) {
			sb_add(&b, p, strlen(p));
			break;
		}
		sb_add(&b, p, (size_t)(open - p));
		close = strchr(open, '}');
		if (close && (size_t)(close - open - 1) < sizeof name) {
			memcpy(name, open + 1, (size_t)(close - open - 1));
			name[close - open - 1] = '\0';
			if (fill(x, name, &b)) {
				p = close + 1;
				continue;
			}
		}
		sb_add(&b, "{", 1);
		p = open + 1;
	}
	if (!b.oom && !b.p)
		sb_add(&b, "", 0); /* an empty template gives an empty text */
	if (b.oom || !b.p) {
		free(b.p);
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	}
	*out = b.p;
	return HMX_OK;
}

/* ---- kept notices ------------------------------------------------------------ */

static void object_of(char *buf, size_t n, const char *cycle, const char *kind, const char *to)
{
	snprintf(buf, n, "%s/notice/%s%s%s", cycle, kind, to && *to ? "/" : "", to ? to : "");
}

/* The kept row of (cycle, kind, to) into out (state, dates, text when
 * text is not NULL). False when none. */
static bool load_kept(struct store *s, int64_t cid, const char *kind, const char *to,
		      struct notice *out, char **text)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT state, body, sent_on, updated_at, updated_by "
					 "FROM notice WHERE cycle_id = ?1 AND kind = ?2 AND recipient = ?3",
					 NULL);
	bool found = false;

	if (!st)
		return false;
	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, to ? to : "", -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		char d[16];

		found = true;
		out->state = strcmp((const char *)sqlite3_column_text(st, 0), "sent") == 0 ?
				     NOTICE_SENT : NOTICE_DRAFT;
		store_col_text(st, 2, d, sizeof d);
		if (!d[0] || !cal_parse_date(d, &out->sent_on))
			out->sent_on = CAL_NO_DAY;
		store_col_text(st, 3, out->updated_at, sizeof out->updated_at);
		store_col_text(st, 4, out->updated_by, sizeof out->updated_by);
		if (text) {
			const char *t = (const char *)sqlite3_column_text(st, 1);
			*text = strdup(t ? t : "");
		}
	}
	sqlite3_finalize(st);
	return found;
}

static void notice_init(struct notice *out, const struct ctx *x)
{
	memset(out, 0, sizeof *out);
	hmx_strlcpy(out->cycle, x->c.code, sizeof out->cycle);
	hmx_strlcpy(out->kind, x->k->id, sizeof out->kind);
	hmx_strlcpy(out->to, x->agency.code, sizeof out->to);
	hmx_strlcpy(out->title, x->k->title, sizeof out->title);
	out->state = NOTICE_NEW;
	out->sent_on = CAL_NO_DAY;
}

enum hmx_rc notice_get(struct store *s, const char *cycle, const char *kind, const char *to,
		       struct notice *out, struct hmx_err *err)
{
	struct ctx x;
	enum hmx_rc rc;

	memset(out, 0, sizeof *out);
	if ((rc = ctx_load(s, cycle, kind, to, &x, err)) != HMX_OK)
		goto done;
	notice_init(out, &x);
	if (load_kept(s, x.c.id, kind, x.agency.code, out, &out->text)) {
		if (!out->text)
			rc = hmx_err_set(err, HMX_ENOMEM, "out of memory");
	} else {
		rc = render(&x, &out->text, err);
	}
done:
	ctx_free(&x);
	return rc;
}

/* Writes the row (insert or update) and its audit row in one transaction. */
static enum hmx_rc keep(struct store *s, const struct ctx *x, bool exists, const char *state,
			const char *text, bool edited, const char *sent_on, const char *action,
			const char *before, const char *after, struct hmx_err *err)
{
	sqlite3_stmt *st;
	char now[21], obj[160];
	enum hmx_rc rc;
	int r;

	hmx_now_utc(now);
	object_of(obj, sizeof obj, x->c.code, x->k->id, x->agency.code);
	if ((rc = store_begin(s, err)) != HMX_OK)
		return rc;
	st = store_prepare(s,
			   exists ? "UPDATE notice SET state = ?4, body = ?5, edited = max(edited, ?6), "
				    "sent_on = ?7, updated_at = ?8, updated_by = ?9 "
				    "WHERE cycle_id = ?1 AND kind = ?2 AND recipient = ?3" :
				    "INSERT INTO notice(cycle_id, kind, recipient, state, body, edited, "
				    "sent_on, updated_at, updated_by) "
				    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			   err);
	if (!st) {
		store_rollback(s);
		return HMX_EDB;
	}
	sqlite3_bind_int64(st, 1, x->c.id);
	sqlite3_bind_text(st, 2, x->k->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, x->agency.code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, text, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, edited);
	if (sent_on)
		sqlite3_bind_text(st, 7, sent_on, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, hmx_actor(), -1, SQLITE_TRANSIENT);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		rc = store_fail(s, err, "cannot keep the notice");
		store_rollback(s);
		return rc;
	}
	if ((rc = audit_write(s, action, obj, before, after, err)) != HMX_OK ||
	    (rc = store_commit(s, err)) != HMX_OK) {
		store_rollback(s);
		return rc;
	}
	return HMX_OK;
}

enum hmx_rc notice_save(struct store *s, const char *cycle, const char *kind, const char *to,
			const char *text, struct hmx_err *err)
{
	struct notice cur;
	struct ctx x;
	char after[64];
	bool exists;
	enum hmx_rc rc;

	if ((rc = ctx_load(s, cycle, kind, to, &x, err)) != HMX_OK)
		goto done;
	notice_init(&cur, &x);
	exists = load_kept(s, x.c.id, kind, x.agency.code, &cur, NULL);
	if (cur.state == NOTICE_SENT) {
		char d[11];

		rc = hmx_err_set(err, HMX_ESTATE, "notice %s of %s was sent on %s: it is kept as sent",
				 kind, cycle, cal_format(cur.sent_on, d));
		goto done;
	}
	if (!text || !text[strspn(text, " \t\r\n")]) {
		rc = hmx_err_set(err, HMX_EINVAL, "the notice's text is empty: nothing kept");
		goto done;
	}
	snprintf(after, sizeof after, "draft, %zu bytes", strlen(text));
	rc = keep(s, &x, exists, "draft", text, true, NULL, "notice.edit",
		  exists ? "draft" : "new", after, err);
done:
	ctx_free(&x);
	return rc;
}

enum hmx_rc notice_mark_sent(struct store *s, const char *cycle, const char *kind, const char *to,
			     cal_day on, struct hmx_err *err)
{
	struct notice cur;
	struct ctx x;
	char *text = NULL, d[11], after[64];
	bool exists;
	enum hmx_rc rc;

	if ((rc = ctx_load(s, cycle, kind, to, &x, err)) != HMX_OK)
		goto done;
	notice_init(&cur, &x);
	exists = load_kept(s, x.c.id, kind, x.agency.code, &cur, &text);
	if (cur.state == NOTICE_SENT) {
		rc = hmx_err_set(err, HMX_ESTATE, "notice %s of %s was already sent on %s", kind,
				 cycle, cal_format(cur.sent_on, d));
		goto done;
	}
	if (!exists && (rc = render(&x, &text, err)) != HMX_OK)
		goto done;
	if (!text) {
		rc = hmx_err_set(err, HMX_ENOMEM, "out of memory");
		goto done;
	}
	if (on == CAL_NO_DAY)
		on = cal_today();
	cal_format(on, d);
	snprintf(after, sizeof after, "sent %s", d);
	rc = keep(s, &x, exists, "sent", text, false, d, "notice.sent",
		  notice_state_name(cur.state), after, err);
done:
	free(text);
	ctx_free(&x);
	return rc;
}

static void read_kept(sqlite3_stmt *st, void *row)
{
	struct notice *n = row;
	const struct notice_kind *k;
	char d[16];

	store_col_text(st, 0, n->kind, sizeof n->kind);
	store_col_text(st, 1, n->to, sizeof n->to);
	n->state = strcmp((const char *)sqlite3_column_text(st, 2), "sent") == 0 ? NOTICE_SENT :
										    NOTICE_DRAFT;
	store_col_text(st, 3, d, sizeof d);
	if (!d[0] || !cal_parse_date(d, &n->sent_on))
		n->sent_on = CAL_NO_DAY;
	store_col_text(st, 4, n->updated_at, sizeof n->updated_at);
	store_col_text(st, 5, n->updated_by, sizeof n->updated_by);
	k = notice_kind_find(n->kind);
	hmx_strlcpy(n->title, k ? k->title : n->kind, sizeof n->title);
}

static int notice_cmp(const void *a, const void *b)
{
	const struct notice *x = a, *y = b;
	int c = strcmp(x->kind, y->kind);

	return c ? c : strcmp(x->to, y->to);
}

enum hmx_rc notice_list(struct store *s, const char *cycle, struct notice **out, size_t *n,
			struct hmx_err *err)
{
	const struct notice_kind *k;
	struct cycle_info c;
	struct notice *rows, *nr;
	size_t nk, count = 0, cap;
	sqlite3_stmt *st;
	enum hmx_rc rc;
	void *v;

	*out = NULL;
	*n = 0;
	if ((rc = notice_kinds(&k, &nk, err)) != HMX_OK ||
	    (rc = cycle_get(s, cycle, cal_today(), &c, err)) != HMX_OK)
		return rc;
	st = store_prepare(s,
			   "SELECT kind, recipient, state, coalesce(sent_on, ''), updated_at, updated_by "
			   "FROM notice WHERE cycle_id = ?1",
			   err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_int64(st, 1, c.id);
	if ((rc = store_collect(s, st, sizeof *rows, read_kept, &v, &count, "cannot read the notices",
				err)) != HMX_OK)
		return rc;
	rows = v;
	cap = count;
	for (size_t i = 0; i < nk; i++) {
		bool kept = false;

		if (k[i].per_agency || !has_word(k[i].cycles, c.kind))
			continue;
		for (size_t j = 0; j < count && !kept; j++)
			kept = strcmp(rows[j].kind, k[i].id) == 0;
		if (kept)
			continue;
		if (!(nr = hmx_grow(rows, &cap, count, sizeof *rows))) {
			free(rows);
			return hmx_err_set(err, HMX_ENOMEM, "out of memory");
		}
		rows = nr;
		memset(&rows[count], 0, sizeof *rows);
		hmx_strlcpy(rows[count].kind, k[i].id, sizeof rows[count].kind);
		hmx_strlcpy(rows[count].title, k[i].title, sizeof rows[count].title);
		rows[count].state = NOTICE_NEW;
		rows[count].sent_on = CAL_NO_DAY;
		count++;
	}
	for (size_t i = 0; i < count; i++)
		hmx_strlcpy(rows[i].cycle, c.code, sizeof rows[i].cycle);
	if (count)
		qsort(rows, count, sizeof *rows, notice_cmp);
	*out = rows;
	*n = count;
	return HMX_OK;
}

void notice_free(struct notice *n)
{
	if (!n)
		return;
	free(n->text);
	n->text = NULL;
}
