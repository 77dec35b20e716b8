/* core/match_build.c — the HMIS import files of an MCP match cycle: the
 * plan (what the member rows change since the builds before) and the
 * files (a HUD HMIS CSV export of the MCP project and mcp_companion.csv). */
#include "match_build.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "config.h"
#include "match.h"
#include "match_int.h"
#include "registry.h"
#include "transfer.h"

/* ---- names for Client.csv, from the member list file ---------------------- */

struct person {
	size_t ord; /* row order: the first row of a PersonalID wins, as the import's */
	char pid[CONSENT_ID_MAX];
	char first[64], middle[64], last[64], suffix[16], dob[11];
};

struct nread {
	const struct match_colmap *map;
	int pos[6];
	struct person *v;
	size_t n, cap;
	bool nomem;
};

static int nr_header(void *ctx, const struct hcsv_header *h)
{
	struct nread *r = ctx;
	static const int keys[6] = { MC_ID, MC_FIRST, MC_MIDDLE, MC_LAST, MC_SUFFIX, MC_DOB };

	for (int k = 0; k < 6; k++) {
		const char *t = r->map->title[keys[k]];
		r->pos[k] = -1;
		for (size_t i = 0; i < h->ncols && r->pos[k] < 0; i++)
			if (h->names[i].len == strlen(t) &&
			    strncasecmp(h->names[i].p, t, h->names[i].len) == 0)
				r->pos[k] = (int)i;
	}
	return 0;
}

static void cpy(char *dst, size_t n, const struct hcsv_row *row, int pos)
{
	size_t l;

	dst[0] = '\0';
	if (pos < 0 || (size_t)pos >= row->nfields)
		return;
	l = row->f[pos].len < n ? row->f[pos].len : n - 1;
	memcpy(dst, row->f[pos].p, l);
	dst[l] = '\0';
	while (l && dst[l - 1] == ' ')
		dst[--l] = '\0';
}

static int nr_row(void *ctx, const struct hcsv_header *h, const struct hcsv_row *row)
{
	struct nread *r = ctx;
	struct person *p;
	char dob[64];
	cal_day d;

	(void)h;
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct person *nv = realloc(r->v, cap * sizeof *nv);
		if (!nv) {
			r->nomem = true;
			return 1;
		}
		r->v = nv;
		r->cap = cap;
	}
	p = &r->v[r->n];
	cpy(p->pid, sizeof p->pid, row, r->pos[0]);
	cpy(p->first, sizeof p->first, row, r->pos[1]);
	cpy(p->middle, sizeof p->middle, row, r->pos[2]);
	cpy(p->last, sizeof p->last, row, r->pos[3]);
	cpy(p->suffix, sizeof p->suffix, row, r->pos[4]);
	cpy(dob, sizeof dob, row, r->pos[5]);
	p->dob[0] = '\0';
	if (match_parse_day(dob, strlen(dob), &d))
		cal_format(d, p->dob);
	p->ord = r->n;
	if (p->pid[0])
		r->n++;
	return 0;
}

static int person_cmp(const void *a, const void *b)
{
	const struct person *x = a, *y = b;
	int c = strcmp(x->pid, y->pid);

	return c ? c : (x->ord > y->ord) - (x->ord < y->ord);
}

static const struct person *person_find(const struct nread *r, const char *pid)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) { /* the first entry not below pid */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(r->v[mid].pid, pid) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->n && strcmp(r->v[lo].pid, pid) == 0 ? &r->v[lo] : NULL;
}

/* ---- writing -------------------------------------------------------------- */

struct out {
	char dir[1024];
	char tmp[1100];
	FILE *f;
	size_t files;
};

static enum hmx_rc out_open(struct out *o, const char *name, struct hmx_err *err)
{
	int fd;

	snprintf(o->tmp, sizeof o->tmp, "%s/.%s.XXXXXX", o->dir, name);
	if ((fd = mkstemp(o->tmp)) < 0)
		return hmx_err_set(err, HMX_EIO, "%s: cannot create a file there: %s", o->dir,
				   strerror(errno));
	if (fchmod(fd, 0600) != 0 || !(o->f = fdopen(fd, "w"))) {
		close(fd);
		unlink(o->tmp);
		return hmx_err_set(err, HMX_EIO, "%s: %s", o->tmp, strerror(errno));
	}
	return HMX_OK;
}

static enum hmx_rc out_close(struct out *o, const char *name, struct hmx_err *err)
{
	char final[1200];
	bool bad = ferror(o->f) || fflush(o->f) != 0 || fsync(fileno(o->f)) != 0;

	bad |= fclose(o->f) != 0;
	o->f = NULL;
	snprintf(final, sizeof final, "%s/%s", o->dir, name);
	if (bad || rename(o->tmp, final) != 0) {
		unlink(o->tmp);
		return hmx_err_set(err, HMX_EIO, "%s: cannot write: %s", final, strerror(errno));
	}
	o->files++;
	return HMX_OK;
}

/* One CSV value: quoted when it holds a comma, quote or line break. */
static void val(FILE *f, bool first, const char *v)
{
	if (!first)
		fputc(',', f);
	if (!v)
		return;
	if (strpbrk(v, ",\"\r\n")) {
		fputc('"', f);
		for (; *v; v++) {
			if (*v == '"')
				fputc('"', f);
			fputc(*v, f);
		}
		fputc('"', f);
	} else {
		fputs(v, f);
	}
}

/* A row of spec file sf: value of each column by name from kv (NULL-ended
 * name, value pairs), the common columns from cm; others empty. */
static void row(FILE *f, const struct spec_file *sf, const char *const *kv, const char *const *cm)
{
	for (size_t c = 0; c < sf->ncolumns; c++) {
		const char *name = sf->columns[c].name, *v = NULL;
		for (size_t k = 0; kv[k]; k += 2)
			if (strcmp(kv[k], name) == 0)
				v = kv[k + 1];
		for (size_t k = 0; !v && cm[k]; k += 2)
			if (strcmp(cm[k], name) == 0)
				v = cm[k + 1];
		val(f, c == 0, v);
	}
	fputs("\r\n", f);
}

struct bctx {
	struct store *s;
	const struct cycle_info *ci;
	const struct spec *spec;
	struct match_plan plan;
	struct nread names;
	struct reg_project proj;
	char agency_name[128];
	char stamp[20];   /* yyyy-mm-dd hh:mm:ss */
	char pstart[11];  /* OperatingStartDate */
	char dest[8];
	char coc[210];
	struct match_build_result *res;
};

static bool has_client(const struct match_plan *p, size_t upto, const char *pid)
{
	for (size_t i = 0; i < upto; i++)
		if ((p->v[i].kind == MCH_ENROLL || p->v[i].kind == MCH_EXIT) &&
		    strcmp(p->v[i].pid, pid) == 0)
			return true;
	return false;
}

static void write_rows(struct bctx *b, const struct spec_file *sf, FILE *f)
{
	const char *const cm[] = { "DateCreated", b->stamp, "DateUpdated", b->stamp,
				   "UserID", "hmx", "ExportID", b->ci->code, NULL };
	char s1[11], s2[11], csvv[16];
	const char *n = sf->name;

	if (strcmp(n, "Export.csv") == 0) {
		snprintf(csvv, sizeof csvv, "%s", spec_get_version(b->spec) == SPEC_FY2026 ?
						     "2026 v1" : "2024 v1.3");
		const char *const kv[] = {
			"ExportID", b->ci->code, "SourceType", "1", "SourceID", "hmx",
			"SourceName", b->coc, "ExportDate", b->stamp,
			"ExportStartDate", cal_format(b->ci->start, s1),
			"ExportEndDate", cal_format(b->ci->end, s2), "SoftwareName", "hmx",
			"SoftwareVersion", HMX_VERSION, "CSVVersion", csvv, "ExportPeriodType", "3",
			"ExportDirective", "1", "HashStatus", "1",
			"ImplementationID", "hmx", NULL };
		row(f, sf, kv, cm);
	} else if (strcmp(n, "Organization.csv") == 0) {
		const char *const kv[] = { "OrganizationID", b->proj.agency_code,
					   "OrganizationName", b->agency_name,
					   "VictimServiceProvider", "0", NULL };
		row(f, sf, kv, cm);
	} else if (strcmp(n, "Project.csv") == 0) {
		const char *const kv[] = { "ProjectID", b->proj.hud_project_id,
					   "OrganizationID", b->proj.agency_code,
					   "ProjectName", b->proj.name, "OperatingStartDate", b->pstart,
					   "ContinuumProject", "0", "ProjectType", "6",
					   "ResidentialAffiliation", "0", "TargetPopulation", "4", NULL };
		row(f, sf, kv, cm);
	} else if (strcmp(n, "User.csv") == 0) {
		const char *const kv[] = { "UserID", "hmx", "UserFirstName", "hmx",
					   "UserLastName", "import", NULL };
		row(f, sf, kv, cm);
	} else if (strcmp(n, "Client.csv") == 0) {
		for (size_t i = 0; i < b->plan.n; i++) {
			const struct match_pitem *it = &b->plan.v[i];
			const struct person *p;
			if ((it->kind != MCH_ENROLL && it->kind != MCH_EXIT) ||
			    has_client(&b->plan, i, it->pid))
				continue;
			p = person_find(&b->names, it->pid);
			bool full = p && p->first[0] && p->last[0];
			const char *const kv[] = {
				"PersonalID", it->pid, "FirstName", p ? p->first : "",
				"MiddleName", p ? p->middle : "", "LastName", p ? p->last : "",
				"NameSuffix", p ? p->suffix : "", "NameDataQuality", full ? "1" : "99",
				"SSNDataQuality", "99", "DOB", p ? p->dob : "",
				"DOBDataQuality", p && p->dob[0] ? "1" : "99",
				"AmIndAKNative", "0", "Asian", "0", "BlackAfAmerican", "0",
				"HispanicLatinaeo", "0", "HispanicLatinao", "0", "MidEastNAfrican", "0",
				"NativeHIPacific", "0",
				"White", "0", "RaceNone", "99", "Woman", "0", "Man", "0",
				"NonBinary", "0", "CulturallySpecific", "0", "Transgender", "0",
				"Questioning", "0", "DifferentIdentity", "0", "GenderNone", "99",
				"VeteranStatus", "99", "Sex", "99", NULL };
			row(f, sf, kv, cm);
			b->res->clients++;
		}
	} else if (strcmp(n, "Enrollment.csv") == 0) {
		for (size_t i = 0; i < b->plan.n; i++) {
			const struct match_pitem *it = &b->plan.v[i];
			char hh[33];
			if (it->kind != MCH_ENROLL && it->kind != MCH_EXIT)
				continue;
			hmx_strlcpy(hh, it->enrollment_id, sizeof hh);
			hh[0] = 'H';
			const char *const kv[] = {
				"EnrollmentID", it->enrollment_id, "PersonalID", it->pid,
				"ProjectID", b->proj.hud_project_id,
				"EntryDate", cal_format(it->entry, s1), "HouseholdID", hh,
				"RelationshipToHoH", "1", "LivingSituation", "99",
				"LengthOfStay", "99", "DisablingCondition", "99", NULL };
			row(f, sf, kv, cm);
			b->res->enrollments += it->kind == MCH_ENROLL;
		}
	} else if (strcmp(n, "Exit.csv") == 0) {
		for (size_t i = 0; i < b->plan.n; i++) {
			const struct match_pitem *it = &b->plan.v[i];
			if (it->kind != MCH_EXIT)
				continue;
			const char *const kv[] = { "ExitID", it->exit_id, "EnrollmentID",
						   it->enrollment_id, "PersonalID", it->pid,
						   "ExitDate", cal_format(it->exit, s1),
						   "Destination", b->dest, NULL };
			row(f, sf, kv, cm);
			b->res->exits++;
			b->res->follow_up += strcmp(b->dest, "99") == 0;
		}
	}
}

static const char *const change_names[] = { "enroll", "exit", "member-update", "service-start",
					    "service-end", "service-update" };

static enum hmx_rc write_companion(struct bctx *b, struct out *o, struct hmx_err *err)
{
	enum hmx_rc rc = out_open(o, MATCH_COMPANION, err);
	char d1[11], d2[11];

	if (rc != HMX_OK)
		return rc;
	fputs("Change,HMIS Client ID,EnrollmentID,MCP,Plan Type,Member ID,CIN,Service,Enrolled,"
	      "Provider,Start,End,Follow-up\r\n",
	      o->f);
	for (size_t i = 0; i < b->plan.n; i++) {
		const struct match_pitem *it = &b->plan.v[i];
		bool svc = it->kind >= MCH_SVC_START;
		cal_day st = svc ? it->svc.start : it->entry, en = svc ? it->svc.end : it->exit;

		val(o->f, true, change_names[it->kind]);
		val(o->f, false, it->pid);
		val(o->f, false, it->enrollment_id);
		val(o->f, false, svc ? "" : it->mcp);
		val(o->f, false, svc ? "" : it->plan);
		val(o->f, false, svc ? "" : it->member_id);
		val(o->f, false, svc ? "" : it->cin);
		val(o->f, false, svc ? it->svc.name : "");
		val(o->f, false, svc ? (it->svc.enrolled ? "enrolled" : "not enrolled") : "");
		val(o->f, false, svc ? it->svc.provider : "");
		val(o->f, false, st == CAL_NO_DAY ? "" : cal_format(st, d1));
		val(o->f, false, en == CAL_NO_DAY ? "" : cal_format(en, d2));
		val(o->f, false,
		    it->kind == MCH_EXIT && strcmp(b->dest, "99") == 0 ? "destination 99: ask" : "");
		fputs("\r\n", o->f);
		if (it->kind == MCH_MEMBER)
			b->res->member_changes++;
		else if (svc)
			b->res->service_changes++;
	}
	return out_close(o, MATCH_COMPANION, err);
}

/* ---- recording ------------------------------------------------------------ */

static enum hmx_rc record(struct bctx *b, const char *spec, struct hmx_err *err)
{
	const char *cy = b->ci->code;
	char now[21], start[11], counts[256], d1[11], d2[11];
	sqlite3_stmt *st;
	enum hmx_rc rc;

	hmx_now_utc(now);
	snprintf(counts, sizeof counts,
		 "{\"clients\":%llu,\"enrollments\":%llu,\"exits\":%llu,\"member_changes\":%llu,"
		 "\"service_changes\":%llu,\"follow_up\":%llu}",
		 (unsigned long long)b->res->clients, (unsigned long long)b->res->enrollments,
		 (unsigned long long)b->res->exits, (unsigned long long)b->res->member_changes,
		 (unsigned long long)b->res->service_changes, (unsigned long long)b->res->follow_up);
	if ((rc = store_begin(b->s, err)) != HMX_OK)
		return rc;
	if ((rc = store_exec_text(b->s, "DELETE FROM match_enrollment WHERE cycle_in = ?1", cy,
				  "recording the build", err)) ||
	    (rc = store_exec_text(b->s,
			"UPDATE match_enrollment SET exit_id = NULL, exit_day = NULL,"
			" destination = NULL, cycle_out = NULL WHERE cycle_out = ?1",
			cy, "recording the build", err)) ||
	    (rc = store_exec_text(b->s, "DELETE FROM match_snap WHERE cycle = ?1", cy,
				  "recording the build", err)) ||
	    (rc = store_exec_text(b->s, "DELETE FROM match_build WHERE cycle = ?1", cy,
				  "recording the build", err)))
		goto fail;
	for (size_t i = 0; i < b->plan.n && rc == HMX_OK; i++) {
		const struct match_pitem *it = &b->plan.v[i];
		if (it->kind == MCH_ENROLL) {
			st = store_prepare(b->s,
					   "INSERT INTO match_enrollment(enrollment_id, personal_id,"
					   " entry_day, cycle_in) VALUES (?1,?2,?3,?4)",
					   err);
			if (!st) {
				rc = HMX_EDB;
				break;
			}
			sqlite3_bind_text(st, 1, it->enrollment_id, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, it->pid, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, cal_format(it->entry, d1), -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 4, cy, -1, SQLITE_STATIC);
		} else if (it->kind == MCH_EXIT) {
			st = store_prepare(b->s,
					   "UPDATE match_enrollment SET exit_id = ?2, exit_day = ?3,"
					   " destination = ?4, cycle_out = ?5 WHERE enrollment_id = ?1",
					   err);
			if (!st) {
				rc = HMX_EDB;
				break;
			}
			sqlite3_bind_text(st, 1, it->enrollment_id, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, it->exit_id, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, cal_format(it->exit, d2), -1, SQLITE_TRANSIENT);
			sqlite3_bind_int(st, 4, atoi(b->dest));
			sqlite3_bind_text(st, 5, cy, -1, SQLITE_STATIC);
		} else {
			continue;
		}
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = store_fail(b->s, err, "recording an MCP enrollment");
		sqlite3_finalize(st);
	}
	if (rc != HMX_OK)
		goto fail;
	/* the state this build leaves: the prior one, overridden by the rows back */
	st = store_prepare(b->s,
			   "INSERT INTO match_snap(cycle, personal_id, item, value)"
			   " SELECT ?1, personal_id, item, value FROM match_snap WHERE cycle = ?2"
			   " AND personal_id NOT IN (SELECT personal_id FROM match_return"
			   " WHERE cycle = ?1);"
			   ,
			   err);
	if (!st)
		goto dbfail;
	sqlite3_bind_text(st, 1, cy, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, b->plan.prior, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? HMX_OK : store_fail(b->s, err, "recording the state");
	sqlite3_finalize(st);
	if (rc != HMX_OK ||
	    (rc = store_exec_text(b->s,
			"INSERT INTO match_snap(cycle, personal_id, item, value)"
			" SELECT cycle, personal_id, 'member', mcp || '|' || plan || '|' ||"
			" member_id || '|' || cin FROM match_return WHERE cycle = ?1",
			cy, "recording the build", err)) ||
	    (rc = store_exec_text(b->s,
			"INSERT INTO match_snap(cycle, personal_id, item, value)"
			" SELECT cycle, personal_id, 'svc:' || service, enrolled || '|' || provider"
			" || '|' || start_day || '|' || end_day FROM match_service WHERE cycle = ?1",
			cy, "recording the build", err)))
		goto fail;
	st = store_prepare(b->s,
			   "INSERT INTO match_build(cycle, start_day, spec, out_dir, counts, at, who)"
			   " VALUES (?1,?2,?3,?4,?5,?6,?7)",
			   err);
	if (!st)
		goto dbfail;
	sqlite3_bind_text(st, 1, cy, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cal_format(b->ci->start, start), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, spec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, b->res->dir, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, counts, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, hmx_actor(), -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st) == SQLITE_DONE ? HMX_OK : store_fail(b->s, err, "recording the build");
	sqlite3_finalize(st);
	if (rc != HMX_OK || (rc = audit_write(b->s, "match.build", cy, NULL, counts, err)) != HMX_OK)
		goto fail;
	return store_commit(b->s, err);
dbfail:
	rc = HMX_EDB;
fail:
	store_rollback(b->s);
	return rc;
}

/* ---- checks before building ---------------------------------------------- */

static enum hmx_rc preflight(struct bctx *b, const struct match_build_opts *o, char *mpath,
			     size_t mlen, struct hmx_err *err)
{
	char code[64], start[11], sha[65], hex[65], later[64] = "";
	struct reg_agency *ag = NULL;
	int64_t run = 0, blocking = 0;
	sqlite3_stmt *st;
	enum hmx_rc rc;
	size_t n;

	if (!(st = store_prepare(b->s,
				 "SELECT i.path, i.sha256, i.at, i.run_id, coalesce(r.blocking, 0)"
				 " FROM match_import i LEFT JOIN validation_run r ON r.id = i.run_id"
				 " WHERE i.cycle = ?1",
				 err)))
		return HMX_EDB;
	sqlite3_bind_text(st, 1, b->ci->code, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		char at[24];
		store_col_text(st, 0, mpath, mlen);
		store_col_text(st, 1, sha, sizeof sha);
		store_col_text(st, 2, at, sizeof at);
		run = sqlite3_column_int64(st, 3);
		blocking = sqlite3_column_int64(st, 4);
		snprintf(b->stamp, sizeof b->stamp, "%.10s %.8s", at, at + 11);
	}
	sqlite3_finalize(st);
	if (!run)
		return hmx_err_set(err, HMX_EINVAL,
				   "%s has no member list yet (hmx match import %s FILE)",
				   b->ci->code, b->ci->code);
	if (blocking)
		return hmx_err_set(err, HMX_EINVAL,
				   "the member list of %s has %lld blocking finding(s) (M02: clients "
				   "never sent); report them and import a corrected list first",
				   b->ci->code, (long long)blocking);
	if (hmx_sha256_file(mpath, hex, NULL) != HMX_OK || strcmp(hex, sha) != 0)
		return hmx_err_set(err, HMX_EINVAL,
				   "%s: the member list imported is gone or changed; Client.csv needs"
				   " its names: import it again",
				   mpath);
	if (!(st = store_prepare(b->s,
				 "SELECT cycle FROM match_build WHERE start_day > ?1 LIMIT 1", err)))
		return HMX_EDB;
	sqlite3_bind_text(st, 1, cal_format(b->ci->start, start), -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		store_col_text(st, 0, later, sizeof later);
	sqlite3_finalize(st);
	if (later[0])
		return hmx_err_set(err, HMX_EINVAL,
				   "%s was built already from a later period: %s cannot be rebuilt",
				   later, b->ci->code);
	if (o->project)
		hmx_strlcpy(code, o->project, sizeof code);
	else if ((rc = config_get(b->s, "match.project", code, sizeof code, err)) != HMX_OK)
		return rc;
	if (!code[0])
		return hmx_err_set(err, HMX_EINVAL,
				   "no MCP project: hmx config set match.project CODE (a registered "
				   "project with its HUD ProjectID), or --project CODE");
	if ((rc = reg_project_get(b->s, code, &b->proj, err)) != HMX_OK)
		return rc;
	if (!b->proj.hud_project_id[0])
		return hmx_err_set(err, HMX_EINVAL,
				   "project %s has no HUD ProjectID (hmx project set %s hud-id ID)",
				   code, code);
	if ((rc = reg_agency_list(b->s, &ag, &n, err)) != HMX_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (strcmp(ag[i].code, b->proj.agency_code) == 0)
			hmx_strlcpy(b->agency_name, ag[i].name, sizeof b->agency_name);
	free(ag);
	if ((rc = config_get(b->s, "match.destination", b->dest, sizeof b->dest, err)) ||
	    (rc = config_get(b->s, "coc_name", b->coc, sizeof b->coc, err)) ||
	    (rc = config_get(b->s, "match.project_start", b->pstart, sizeof b->pstart, err)))
		return rc;
	return HMX_OK;
}

/* OperatingStartDate when not configured: the earliest entry built or to
 * build (deterministic for the same inputs). */
static void project_start(struct bctx *b)
{
	cal_day d = CAL_NO_DAY, x;
	sqlite3_stmt *st;
	char start[11];

	if (b->pstart[0] && cal_parse_date(b->pstart, &x))
		return;
	st = store_prepare(b->s,
			   "SELECT min(e.entry_day) FROM match_enrollment e JOIN match_build m"
			   " ON m.cycle = e.cycle_in WHERE m.start_day < ?1",
			   NULL);
	if (st) {
		sqlite3_bind_text(st, 1, cal_format(b->ci->start, start), -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_ROW)
			d = match_col_day(st, 0);
		sqlite3_finalize(st);
	}
	for (size_t i = 0; i < b->plan.n; i++)
		if (b->plan.v[i].entry != CAL_NO_DAY && (d == CAL_NO_DAY || b->plan.v[i].entry < d))
			d = b->plan.v[i].entry;
	cal_format(d == CAL_NO_DAY ? b->ci->start : d, b->pstart);
}

enum hmx_rc match_build(struct store *s, const struct match_build_opts *o,
			struct match_build_result *res, struct hmx_err *err)
{
	struct cycle_info ci;
	struct match_colmap map;
	struct bctx b = { .s = s, .ci = &ci, .res = res };
	struct hcsv_handler h = { .on_header = nr_header, .on_row = nr_row, .ctx = &b.names };
	struct spec *spec = NULL;
	struct out out = { 0 }, hud = { 0 };
	char mpath[1024];
	enum spec_version v = o->spec == SPEC_UNKNOWN ? SPEC_FY2024 : o->spec;
	enum hmx_rc rc;

	memset(res, 0, sizeof *res);
	if ((rc = cycle_get(s, o->cycle, cal_today(), &ci, err)) != HMX_OK)
		return rc;
	if (strcmp(ci.kind, MATCH_KIND) != 0)
		return hmx_err_set(err, HMX_EINVAL, "%s is a %s cycle, not %s", o->cycle, ci.kind,
				   MATCH_KIND);
	if (!o->dir || !*o->dir)
		return hmx_err_set(err, HMX_EINVAL, "no output folder (-o DIR)");
	if ((rc = preflight(&b, o, mpath, sizeof mpath, err)) != HMX_OK)
		return rc;
	if ((rc = match_colmap_load(s, NULL, &map, err)) != HMX_OK)
		return rc;
	b.names.map = &map;
	if ((rc = hcsv_read_file(mpath, "members", &h, NULL, err)) != HMX_OK)
		goto done;
	if (b.names.nomem) {
		rc = hmx_err_set(err, HMX_ENOMEM, "out of memory");
		goto done;
	}
	if (b.names.n)
		qsort(b.names.v, b.names.n, sizeof *b.names.v, person_cmp);
	if ((rc = match_plan_make(s, &ci, &b.plan, err)) != HMX_OK)
		goto done;
	project_start(&b);
	if ((rc = spec_load(v, &spec, err)) != HMX_OK)
		goto done;
	b.spec = spec;
	if (mkdir(o->dir, 0700) != 0 && errno != EEXIST) {
		rc = hmx_err_set(err, HMX_EIO, "%s: %s", o->dir, strerror(errno));
		goto done;
	}
	if (!realpath(o->dir, out.dir)) {
		rc = hmx_err_set(err, HMX_EIO, "%s: %s", o->dir, strerror(errno));
		goto done;
	}
	hmx_strlcpy(res->dir, out.dir, sizeof res->dir);
	/* the HUD export in its own folder: the import tool takes it whole */
	snprintf(hud.dir, sizeof hud.dir, "%.1000s/%s", out.dir, MATCH_HUD_DIR);
	if (mkdir(hud.dir, 0700) != 0 && errno != EEXIST) {
		rc = hmx_err_set(err, HMX_EIO, "%s: %s", hud.dir, strerror(errno));
		goto done;
	}
	for (size_t i = 0; i < spec_nfiles(spec); i++) {
		const struct spec_file *sf = spec_file_at(spec, i);
		if ((rc = out_open(&hud, sf->name, err)) != HMX_OK)
			goto done;
		for (size_t c = 0; c < sf->ncolumns; c++)
			val(hud.f, c == 0, sf->columns[c].name);
		fputs("\r\n", hud.f);
		write_rows(&b, sf, hud.f);
		if ((rc = out_close(&hud, sf->name, err)) != HMX_OK)
			goto done;
	}
	if ((rc = write_companion(&b, &out, err)) != HMX_OK)
		goto done;
	res->files = out.files + hud.files;
	rc = record(&b, spec_version_name(v), err);
	if (rc == HMX_OK) {
		char note[160];
		snprintf(note, sizeof note,
			 "hmx match build: %llu enrollment(s), %llu exit(s), %llu service change(s)",
			 (unsigned long long)res->enrollments, (unsigned long long)res->exits,
			 (unsigned long long)res->service_changes);
		match_step_tick(s, o->cycle, "build-import", note, &res->step_ticked,
				res->step_note, sizeof res->step_note);
	}
done:
	if (b.names.v)
		memset(b.names.v, 0, b.names.cap * sizeof *b.names.v); /* PII: wiped */
	free(b.names.v);
	match_plan_free(&b.plan);
	spec_free(&spec);
	return rc;
}
