/* core/match_plan.c — what an MCP match cycle's member rows change since
 * the builds of earlier cycles (new enrollments, exits, member and service
 * changes), for hmx match build and the match screen's counts. IDs, codes
 * and dates only. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cycle.h"
#include "match_int.h"

/* ---- the plan ------------------------------------------------------------- */

static struct match_pitem *padd(struct match_plan *p, enum match_change k, const char *pid)
{
	struct match_pitem *it;

	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;
		struct match_pitem *nv = realloc(p->v, cap * sizeof *nv);
		if (!nv) {
			p->nomem = true;
			return NULL;
		}
		p->v = nv;
		p->cap = cap;
	}
	it = &p->v[p->n++];
	memset(it, 0, sizeof *it);
	it->kind = k;
	hmx_strlcpy(it->pid, pid, sizeof it->pid);
	it->entry = it->exit = CAL_NO_DAY;
	return it;
}

void match_plan_free(struct match_plan *p)
{
	free(p->v);
	memset(p, 0, sizeof *p);
}

/* "E"/"X"/"H" + 24 hex of SHA-256(kind|cycle|pid): the same inputs, the
 * same IDs. */
static void make_id(char out[33], char kind, const char *cycle, const char *pid)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	char in[160];
	int n = snprintf(in, sizeof in, "%c|%s|%s", kind, cycle, pid);

	EVP_Digest(in, (size_t)n, md, &mdlen, EVP_sha256(), NULL);
	out[0] = kind;
	hmx_hex(md, 12, out + 1);
}

cal_day match_col_day(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	cal_day d;

	return t && cal_parse_date(t, &d) ? d : CAL_NO_DAY;
}

static void svc_value(const struct match_svc *v, char *buf, size_t n)
{
	char a[11] = "", b[11] = "";

	if (v->start != CAL_NO_DAY)
		cal_format(v->start, a);
	if (v->end != CAL_NO_DAY)
		cal_format(v->end, b);
	snprintf(buf, n, "%d|%s|%s|%s", v->enrolled, v->provider, a, b);
}

/* The prior snapshot's value of (pid, item) into buf; false when none. */
static bool prior_value(struct store *s, const char *prior, const char *pid, const char *item,
			char *buf, size_t n)
{
	sqlite3_stmt *st = store_prepare(
		s, "SELECT value FROM match_snap WHERE cycle = ?1 AND personal_id = ?2 AND item = ?3",
		NULL);
	bool found;

	if (!st)
		return false;
	sqlite3_bind_text(st, 1, prior, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, item, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	if (found)
		store_col_text(st, 0, buf, n);
	sqlite3_finalize(st);
	return found;
}

/* The MCP enrollment of pid open before cycle ci (created by an earlier
 * build and not exited by one): its ID and entry day. */
static bool open_before(struct store *s, const struct cycle_info *ci, const char *pid,
			char id[33], cal_day *entry)
{
	char start[11];
	sqlite3_stmt *st = store_prepare(
		s,
		"SELECT e.enrollment_id, e.entry_day FROM match_enrollment e"
		" JOIN match_build b ON b.cycle = e.cycle_in"
		" WHERE e.personal_id = ?1 AND b.start_day < ?2 AND (e.cycle_out IS NULL OR"
		"  (SELECT start_day FROM match_build WHERE cycle = e.cycle_out) >= ?2)"
		" ORDER BY e.entry_day DESC LIMIT 1",
		NULL);
	bool found;

	if (!st)
		return false;
	sqlite3_bind_text(st, 1, pid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cal_format(ci->start, start), -1, SQLITE_TRANSIENT);
	found = sqlite3_step(st) == SQLITE_ROW;
	if (found) {
		store_col_text(st, 0, id, 33);
		*entry = match_col_day(st, 1);
	}
	sqlite3_finalize(st);
	return found;
}

static enum hmx_rc plan_services(struct store *s, const struct cycle_info *ci,
				 struct match_plan *p, const struct match_pitem *m,
				 struct hmx_err *err)
{
	sqlite3_stmt *st = store_prepare(s,
					 "SELECT service, enrolled, provider, start_day, end_day FROM"
					 " match_service WHERE cycle = ?1 AND personal_id = ?2"
					 " ORDER BY service",
					 err);

	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, ci->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, m->pid, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct match_svc v = { 0 };
		char item[80], now[200], before[200], oend[16] = "";
		enum match_change k;
		struct match_pitem *it;
		bool had;

		store_col_text(st, 0, v.name, sizeof v.name);
		v.enrolled = sqlite3_column_int(st, 1);
		store_col_text(st, 2, v.provider, sizeof v.provider);
		v.start = match_col_day(st, 3);
		v.end = match_col_day(st, 4);
		snprintf(item, sizeof item, "svc:%s", v.name);
		svc_value(&v, now, sizeof now);
		had = p->prior[0] && prior_value(s, p->prior, m->pid, item, before, sizeof before);
		if (had && strcmp(before, now) == 0)
			continue;
		if (had) {
			const char *e = strrchr(before, '|');
			hmx_strlcpy(oend, e ? e + 1 : "", sizeof oend);
		}
		if (!had && !v.enrolled && v.start == CAL_NO_DAY)
			continue; /* "not enrolled", never was: nothing to record */
		if (v.end != CAL_NO_DAY && (!had || !oend[0]))
			k = had ? MCH_SVC_END : (v.start != CAL_NO_DAY ? MCH_SVC_START : MCH_SVC_END);
		else
			k = had ? MCH_SVC_UPDATE : MCH_SVC_START;
		if (!(it = padd(p, k, m->pid)))
			break;
		hmx_strlcpy(it->enrollment_id, m->enrollment_id, sizeof it->enrollment_id);
		it->svc = v;
		p->n_svc++;
	}
	sqlite3_finalize(st);
	return p->nomem ? hmx_err_set(err, HMX_ENOMEM, "out of memory") : HMX_OK;
}

enum hmx_rc match_plan_make(struct store *s, const struct cycle_info *ci, struct match_plan *p,
			    struct hmx_err *err)
{
	char start[11];
	sqlite3_stmt *st;
	enum hmx_rc rc = HMX_OK;

	memset(p, 0, sizeof *p);
	st = store_prepare(s,
			   "SELECT cycle FROM match_build WHERE start_day < ?1"
			   " ORDER BY start_day DESC LIMIT 1",
			   err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, cal_format(ci->start, start), -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		store_col_text(st, 0, p->prior, sizeof p->prior);
	sqlite3_finalize(st);
	st = store_prepare(s,
			   "SELECT personal_id, mcp, plan, member_id, cin, effective, termination"
			   " FROM match_return WHERE cycle = ?1 ORDER BY personal_id",
			   err);
	if (!st)
		return HMX_EDB;
	sqlite3_bind_text(st, 1, ci->code, -1, SQLITE_STATIC);
	while (rc == HMX_OK && sqlite3_step(st) == SQLITE_ROW) {
		struct match_pitem m = { 0 }, *it;
		char eid[33] = "", now[256], before[256];
		cal_day entry = CAL_NO_DAY, term = match_col_day(st, 6);
		/* a termination after the period's end: still a member this period */
		bool open = false, closed = term != CAL_NO_DAY && term <= ci->end;

		store_col_text(st, 0, m.pid, sizeof m.pid);
		store_col_text(st, 1, m.mcp, sizeof m.mcp);
		store_col_text(st, 2, m.plan, sizeof m.plan);
		store_col_text(st, 3, m.member_id, sizeof m.member_id);
		store_col_text(st, 4, m.cin, sizeof m.cin);
		open = open_before(s, ci, m.pid, eid, &entry);
		if (!closed && !open) {
			if (!(it = padd(p, MCH_ENROLL, m.pid)))
				break;
			make_id(it->enrollment_id, 'E', ci->code, m.pid);
			it->entry = match_col_day(st, 5);
			hmx_strlcpy(it->mcp, m.mcp, sizeof it->mcp);
			hmx_strlcpy(it->plan, m.plan, sizeof it->plan);
			hmx_strlcpy(it->member_id, m.member_id, sizeof it->member_id);
			hmx_strlcpy(it->cin, m.cin, sizeof it->cin);
			hmx_strlcpy(m.enrollment_id, it->enrollment_id, sizeof m.enrollment_id);
			p->n_enroll++;
		} else if (closed && open) {
			if (!(it = padd(p, MCH_EXIT, m.pid)))
				break;
			hmx_strlcpy(it->enrollment_id, eid, sizeof it->enrollment_id);
			make_id(it->exit_id, 'X', ci->code, m.pid);
			it->entry = entry;
			it->exit = term < entry ? entry : term;
			hmx_strlcpy(it->mcp, m.mcp, sizeof it->mcp);
			hmx_strlcpy(it->plan, m.plan, sizeof it->plan);
			hmx_strlcpy(it->member_id, m.member_id, sizeof it->member_id);
			hmx_strlcpy(it->cin, m.cin, sizeof it->cin);
			hmx_strlcpy(m.enrollment_id, eid, sizeof m.enrollment_id);
			p->n_exit++;
		} else if (open) {
			hmx_strlcpy(m.enrollment_id, eid, sizeof m.enrollment_id);
			snprintf(now, sizeof now, "%s|%s|%s|%s", m.mcp, m.plan, m.member_id, m.cin);
			if (p->prior[0] &&
			    (!prior_value(s, p->prior, m.pid, "member", before, sizeof before) ||
			     strcmp(before, now) != 0)) {
				if (!(it = padd(p, MCH_MEMBER, m.pid)))
					break;
				*it = (struct match_pitem){ .kind = MCH_MEMBER, .entry = entry,
							    .exit = CAL_NO_DAY };
				hmx_strlcpy(it->pid, m.pid, sizeof it->pid);
				hmx_strlcpy(it->enrollment_id, eid, sizeof it->enrollment_id);
				hmx_strlcpy(it->mcp, m.mcp, sizeof it->mcp);
				hmx_strlcpy(it->plan, m.plan, sizeof it->plan);
				hmx_strlcpy(it->member_id, m.member_id, sizeof it->member_id);
				hmx_strlcpy(it->cin, m.cin, sizeof it->cin);
				p->n_member++;
			}
		}
		rc = plan_services(s, ci, p, &m, err);
	}
	sqlite3_finalize(st);
	if (rc == HMX_OK && p->nomem)
		rc = hmx_err_set(err, HMX_ENOMEM, "out of memory");
	if (rc != HMX_OK)
		match_plan_free(p);
	return rc;
}

/* ---- the counts at a glance ---------------------------------------------- */

enum hmx_rc match_summary_get(struct store *s, const char *cycle, struct match_summary *out,
			      struct hmx_err *err)
{
	static const char *const q =
		"SELECT json_extract(manifest, '$.eligible'), json_extract(manifest, '$.sent'),"
		" json_extract(manifest, '$.left_out.inactive'),"
		" json_extract(manifest, '$.left_out.\"no-release\"'),"
		" json_extract(manifest, '$.left_out.expired'),"
		" json_extract(manifest, '$.left_out.\"not-yet\"'),"
		" json_extract(manifest, '$.left_out.revoked')"
		" FROM match_list WHERE cycle = ?1 ORDER BY id DESC LIMIT 1";
	struct cycle_info ci;
	struct match_plan plan;
	sqlite3_stmt *st;
	enum hmx_rc rc;

	memset(out, 0, sizeof *out);
	if ((rc = cycle_get(s, cycle, cal_today(), &ci, err)) != HMX_OK)
		return rc;
	if (!(st = store_prepare(s, q, err)))
		return HMX_EDB;
	sqlite3_bind_text(st, 1, cycle, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->listed = true;
		out->eligible = (uint64_t)sqlite3_column_int64(st, 0);
		out->sent = (uint64_t)sqlite3_column_int64(st, 1);
		out->inactive = (uint64_t)sqlite3_column_int64(st, 2);
		for (int v = CONSENT_NO_RELEASE; v <= CONSENT_REVOKED; v++)
			out->left_out[v] = (uint64_t)sqlite3_column_int64(st, 2 + v);
	}
	sqlite3_finalize(st);
	if (!(st = store_prepare(s,
				 "SELECT i.rows, i.members, r.blocking + r.errors + r.warnings,"
				 " r.blocking FROM match_import i LEFT JOIN validation_run r"
				 " ON r.id = i.run_id WHERE i.cycle = ?1",
				 err)))
		return HMX_EDB;
	sqlite3_bind_text(st, 1, cycle, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->imported = true;
		out->returned = (uint64_t)sqlite3_column_int64(st, 0);
		out->matched = (uint64_t)sqlite3_column_int64(st, 1);
		out->findings = (uint64_t)sqlite3_column_int64(st, 2);
		out->blocking = (uint64_t)sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (!(st = store_prepare(s, "SELECT 1 FROM match_build WHERE cycle = ?1", err)))
		return HMX_EDB;
	sqlite3_bind_text(st, 1, cycle, -1, SQLITE_TRANSIENT);
	out->built = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (!out->imported)
		return HMX_OK;
	if ((rc = match_plan_make(s, &ci, &plan, err)) != HMX_OK)
		return rc;
	out->to_enroll = plan.n_enroll;
	out->to_exit = plan.n_exit;
	out->service_changes = plan.n_svc;
	out->member_changes = plan.n_member;
	match_plan_free(&plan);
	return HMX_OK;
}
