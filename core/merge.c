/* core/merge.c — the reporting group's upload export (see merge.h).
 *
 * A run: open every input and read its Export.csv and each file's header
 * (phase 0: every refusal about the inputs' shape happens here, before
 * anything is written); decide each source project of each Project.csv;
 * pass 1 (Enrollment.csv, and with several inputs every file, for X04);
 * the X03/X04 verdict; pass 2, where a producer thread streams the inputs'
 * rows through the filter into a small ring of buffers while libzip, on
 * the calling thread, takes them through one source callback per output
 * file and compresses; then the temporary zip is sealed and renamed onto
 * the output.
 *
 * What decides a row is the kind of its file, worked out from the spec's
 * keys (struct plan): Project.csv by ProjectID; files with a ProjectID
 * referring to Project.csv by every such column; Organization.csv by the
 * kept projects' OrganizationID; Enrollment.csv by ProjectID; files with an
 * EnrollmentID referring to Enrollment.csv by that EnrollmentID; Client.csv
 * by the kept enrollments' PersonalID; User.csv by the UserID of the rows
 * written. A file the spec may add with none of these keys is left out
 * whole (counted). */
#include "merge.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "audit.h"
#include "cycle.h"
#include "hmiscsv.h"
#include "intake.h"
#include "mapping.h"
#include "merge_int.h"
#include "spec.h"

#define NONE UINT32_MAX
#define OUT_TARGET ((size_t)256 << 10)  /* bytes produced per fill of a source */
#define PROGRESS_STEP ((uint64_t)4 << 20)
#define PROBE_CHUNK ((size_t)64 << 10)   /* read size for headers and Export.csv */
#define EXPORT_MAX ((size_t)1 << 20)     /* Export.csv larger than this is refused */
#define ID_TMP 256                       /* unescaped IDs kept this long */

const char *merge_why_name(enum merge_why why)
{
	switch (why) {
	case MERGE_KEPT: return "kept";
	case MERGE_RDC_DIRECT: return "rdc-direct";
	case MERGE_INACTIVE: return "inactive";
	case MERGE_NOT_OURS: return "not-ours";
	case MERGE_UNMAPPED: return "unmapped";
	case MERGE_UNMATCHED: return "unmatched";
	case MERGE_UNKNOWN: return "unknown-project";
	}
	return "?";
}

enum kind {
	K_EXPORT,
	K_ORG,
	K_USER,
	K_PROJECT,
	K_PROJ_LINKED,
	K_CLIENT,
	K_ENROLLMENT,
	K_ENR_LINKED,
	K_OTHER,
};

/* How one spec file is filtered, and its header (shared by the inputs,
 * which must agree on it). c_*: spec column indexes; p_*: their positions
 * in the header; -1 when absent. */
struct plan {
	const struct spec_file *sf;
	enum kind kind;
	long c_pk, c_key, c_org, c_person, c_user, c_export; /* spec column indexes */
	long c_proj[4];
	size_t nproj;
	int first;            /* input whose header is used; -1: none has the file */
	char *hdr;            /* its header record as read (no BOM, no line ending) */
	size_t hdrlen;
	int eol;              /* MERGE_EOL_* of that header */
	char *names;          /* column names, unescaped, '\n'-joined: to compare */
	size_t nameslen;
	long p_pk, p_key, p_org, p_person, p_user, p_export, p_proj[4];
};

struct inp {
	const struct merge_input *in;
	size_t idx;
	struct hmiscsv *pkg;
	const struct hmiscsv_entry *ent[MERGE_MAX_FILES]; /* NULL: absent or empty */
	uint64_t bytes;
	bool stored;            /* keys go into the collision tables */
	struct merge_ids proj;  /* ProjectID -> index into res->projects */
	struct merge_ids orgs;  /* OrganizationIDs of kept projects */
	struct merge_ids enr;   /* EnrollmentID -> project index (NONE: unknown) */
	struct merge_ids persons; /* PersonalIDs of kept enrollments */
	struct merge_ids users; /* UserIDs of rows written */
	char hash_status[16];
	/* Export.csv's first record */
	char *xrec;
	size_t xlen, xnf;
	uint32_t *xoff;
	long x_id, x_date, x_start, x_end, x_version, x_hash; /* positions */
	bool x_quoted_hdr;      /* the header's first name is quoted */
};

/* The last lookup of an EnrollmentID or UserID, as rows come grouped. */
struct memo {
	char id[64];
	size_t n;
	bool valid;
	uint32_t val;
	bool found;
};

struct merge {
	const struct merge_opts *o;
	struct merge_result *res;
	struct hmx_err *err;
	struct spec *spec;
	size_t nfiles;
	struct plan fp[MERGE_MAX_FILES];
	long f_export, f_user;
	size_t order[MERGE_MAX_FILES]; /* output order: spec order, User.csv last */
	struct inp *in;
	size_t nin;
	bool multi;
	struct merge_keys keys[MERGE_MAX_FILES];
	struct merge_ids rdc_hud; /* HUD ProjectIDs of rdc-direct projects -> registry index */
	char export_id[64];
	char export_date[20];     /* YYYY-MM-DD HH:MM:SS (UTC) */
	zip_uint16_t dos_time, dos_date;
	char *export_csv;         /* the new Export.csv */
	size_t export_len;
	const char *eol_default;
	size_t cap_projects, cap_findings;
	/* pass 2 */
	struct pipe *pipe;
	pthread_t thread;
	struct hmx_err cerr;      /* an error met by a source callback */
	uint64_t total_bytes, done_bytes, last_progress;
	bool failed;              /* the producer failed: m->err says why */
	char tmpdir[4096], tmpzip[4200];
};

static const char *eol_str(int eol, const char *dflt)
{
	switch (eol) {
	case MERGE_EOL_LF: return "\n";
	case MERGE_EOL_CRLF: return "\r\n";
	case MERGE_EOL_CR: return "\r";
	}
	return dflt;
}

/* Printable copy of p[0..n) into buf (size m): IDs for messages. */
static const char *printable(char *buf, size_t m, const char *p, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k + 4 < m; i++) {
		unsigned char c = (unsigned char)p[i];
		buf[k++] = c >= 0x20 && c != 0x7f ? (char)c : '?';
	}
	if (n > 0 && k + 4 >= m && m > 4) {
		memcpy(buf + k, "...", 3);
		k += 3;
	}
	buf[k] = '\0';
	return buf;
}

static const char *in_name(const struct merge *m, size_t i, char *buf, size_t n)
{
	snprintf(buf, n, "input %zu (%s)", i + 1, m->in[i].in->label ? m->in[i].in->label :
		m->in[i].in->path);
	return buf;
}

/* ---- reading a file of an input ---- */

static long long stream_read(void *ctx, void *buf, size_t n, struct hmx_err *err)
{
	return hmiscsv_stream_read(ctx, buf, n, err);
}

struct fin {
	struct hmiscsv_stream *st;
	struct merge_reader rd;
	bool live;
};

static void fin_close(struct fin *f)
{
	if (f->live)
		merge_reader_free(&f->rd);
	hmiscsv_stream_close(&f->st);
	f->live = false;
}

/* Opens file f of input ip for reading its records (the first one read is
 * its header). */
static enum hmx_rc fin_open(struct merge *m, struct inp *ip, size_t f, size_t chunk, struct fin *fi)
{
	char who[160];
	struct hmx_err e2;
	enum hmx_rc rc;

	memset(fi, 0, sizeof *fi);
	if ((rc = hmiscsv_stream_open(ip->pkg, ip->ent[f], &fi->st, &e2)) != HMX_OK)
		return hmx_err_set(m->err, rc, "%s %s: %s", in_name(m, ip->idx, who, sizeof who),
			m->fp[f].sf->name, e2.msg);
	if ((rc = merge_reader_init(&fi->rd, stream_read, fi->st, chunk, 0, m->err)) != HMX_OK) {
		hmiscsv_stream_close(&fi->st);
		return rc;
	}
	fi->live = true;
	return HMX_OK;
}

/* merge_reader_next with the input and file named in the message. */
static int fin_next(struct merge *m, struct inp *ip, size_t f, struct fin *fi, struct merge_rec *rec)
{
	struct hmx_err e2;
	char who[160];
	int k = merge_reader_next(&fi->rd, rec, &e2);

	if (k < 0)
		hmx_err_set(m->err, e2.rc, "%s %s: %s", in_name(m, ip->idx, who, sizeof who),
			m->fp[f].sf->name, e2.msg);
	return k;
}

/* Bytes read so far, for progress. */
static void progress(struct merge *m, const char *what, uint64_t add)
{
	m->done_bytes += add;
	if (m->done_bytes - m->last_progress >= PROGRESS_STEP || m->done_bytes >= m->total_bytes) {
		m->last_progress = m->done_bytes;
		hmx_progress(what, m->done_bytes, m->total_bytes);
	}
}

/* ---- the plan: file kinds from the spec ---- */

static long col_named(const struct spec_file *sf, const char *name)
{
	const struct spec_column *c = spec_column_find(sf, name, strlen(name), NULL);

	return c ? (long)c->index : -1;
}

static void plan_files(struct merge *m)
{
	const struct spec_file *proj = spec_file_find(m->spec, "Project.csv");
	const struct spec_file *enr = spec_file_find(m->spec, "Enrollment.csv");
	const struct spec_file *user = spec_file_find(m->spec, "User.csv");
	size_t k = 0;

	m->nfiles = spec_nfiles(m->spec);
	if (m->nfiles > MERGE_MAX_FILES)
		m->nfiles = MERGE_MAX_FILES;
	m->f_export = m->f_user = -1;
	for (size_t f = 0; f < m->nfiles; f++) {
		struct plan *p = &m->fp[f];
		const struct spec_file *sf = spec_file_at(m->spec, f);
		const char *pk = sf->pk ? sf->pk->name : "";

		p->sf = sf;
		p->first = -1;
		p->c_pk = sf->pk ? (long)sf->pk->index : -1;
		p->c_key = p->c_org = p->c_person = p->c_user = -1;
		p->c_export = col_named(sf, "ExportID");
		for (size_t c = 0; c < sf->ncolumns; c++)
			if (user && sf->columns[c].fk_file == user)
				p->c_user = (long)c;
		if (strcasecmp(sf->name, "Export.csv") == 0) {
			p->kind = K_EXPORT;
			m->f_export = (long)f;
		} else if (sf == proj) {
			p->kind = K_PROJECT;
			p->c_key = p->c_pk;
			p->c_org = col_named(sf, "OrganizationID");
		} else if (strcmp(pk, "OrganizationID") == 0) {
			p->kind = K_ORG;
			p->c_key = p->c_pk;
		} else if (sf == user) {
			p->kind = K_USER;
			p->c_key = p->c_pk;
			p->c_user = -1;
			m->f_user = (long)f;
		} else if (strcmp(pk, "PersonalID") == 0) {
			p->kind = K_CLIENT;
			p->c_key = p->c_pk;
		} else if (sf == enr) {
			p->kind = K_ENROLLMENT;
			p->c_key = col_named(sf, "ProjectID");
			p->c_person = col_named(sf, "PersonalID");
		} else {
			p->kind = K_OTHER;
			for (size_t c = 0; c < sf->ncolumns; c++) {
				const struct spec_column *col = &sf->columns[c];
				if (enr && col->fk_file == enr && p->c_key < 0) {
					p->kind = K_ENR_LINKED;
					p->c_key = (long)c;
				}
			}
			for (size_t c = 0; p->kind == K_OTHER && c < sf->ncolumns; c++)
				if (proj && sf->columns[c].fk_file == proj && p->nproj < 4)
					p->c_proj[p->nproj++] = (long)c;
			if (p->kind == K_OTHER && p->nproj)
				p->kind = K_PROJ_LINKED;
		}
	}
	for (size_t f = 0; f < m->nfiles; f++)
		if ((long)f != m->f_user)
			m->order[k++] = f;
	if (m->f_user >= 0)
		m->order[k++] = (size_t)m->f_user;
}

/* Header positions of plan p's columns from the header record. */
static enum hmx_rc plan_header(struct merge *m, struct plan *p, const struct merge_rec *h)
{
	const struct spec_file *sf = p->sf;
	long *pos = malloc((sf->ncolumns ? sf->ncolumns : 1) * sizeof *pos);
	char tmp[ID_TMP];
	size_t cap = h->len + h->nf + 1, len = 0;

	p->names = malloc(cap);
	p->hdr = malloc(h->len ? h->len : 1);
	if (!pos || !p->names || !p->hdr) {
		free(pos);
		return hmx_err_set(m->err, HMX_ENOMEM, "out of memory");
	}
	memcpy(p->hdr, h->p, h->len);
	p->hdrlen = h->len;
	p->eol = h->eol;
	for (size_t c = 0; c < sf->ncolumns; c++)
		pos[c] = -1;
	for (size_t i = 0; i < h->nf && i < MERGE_MAX_FIELDS; i++) {
		const char *v;
		size_t n;
		const struct spec_column *c;

		merge_rec_value(h, i, tmp, sizeof tmp, &v, &n);
		if (len + n + 1 <= cap) {
			memcpy(p->names + len, v, n);
			len += n;
			p->names[len++] = '\n';
		}
		c = spec_column_find(sf, v, n, NULL);
		if (c && pos[c->index] < 0)
			pos[c->index] = (long)i;
	}
	p->nameslen = len;
#define POS(c) ((c) >= 0 ? pos[c] : -1)
	p->p_pk = POS(p->c_pk);
	p->p_key = POS(p->c_key);
	p->p_org = POS(p->c_org);
	p->p_person = POS(p->c_person);
	p->p_user = POS(p->c_user);
	p->p_export = POS(p->c_export);
	for (size_t j = 0; j < p->nproj; j++)
		p->p_proj[j] = POS(p->c_proj[j]);
#undef POS
	free(pos);
	return HMX_OK;
}

/* The key columns each kind needs: which one is missing, or NULL. */
static const char *plan_missing(const struct merge *m, const struct plan *p)
{
	const struct spec_file *sf = p->sf;

	switch (p->kind) {
	case K_PROJECT:
		if (p->p_org < 0)
			return "OrganizationID";
		/* fall through */
	case K_ORG:
	case K_USER:
	case K_CLIENT:
	case K_ENR_LINKED:
		if (p->p_key < 0)
			return p->c_key >= 0 ? sf->columns[p->c_key].name : "key";
		break;
	case K_ENROLLMENT:
		if (p->p_pk < 0)
			return "EnrollmentID";
		if (p->p_key < 0)
			return "ProjectID";
		if (p->p_person < 0)
			return "PersonalID";
		break;
	case K_PROJ_LINKED:
		for (size_t j = 0; j < p->nproj; j++)
			if (p->p_proj[j] < 0)
				return sf->columns[p->c_proj[j]].name;
		break;
	case K_EXPORT:
	case K_OTHER:
		break;
	}
	if (m->multi && p->kind != K_EXPORT && p->kind != K_OTHER && p->c_pk >= 0 && p->p_pk < 0)
		return sf->columns[p->c_pk].name;
	return NULL;
}

/* ---- phase 0: the inputs ---- */

/* Export.csv of ip: its first record and the facts hmx needs. */
static enum hmx_rc read_export(struct merge *m, struct inp *ip)
{
	const struct hmiscsv_entry *e = hmiscsv_find(ip->pkg, "Export.csv");
	struct merge_input_info *info = &m->res->inputs[ip->idx];
	struct merge_rec h, r;
	struct fin fi;
	char who[160], tmp[ID_TMP], start[16] = "", end[16] = "";
	const char *v;
	size_t n;
	enum hmx_rc rc;
	int k;

	in_name(m, ip->idx, who, sizeof who);
	if (!e)
		return hmx_err_set(m->err, HMX_EINVAL, "%s: not an HMIS CSV export (no Export.csv)", who);
	if (e->size > EXPORT_MAX)
		return hmx_err_set(m->err, HMX_EINVAL, "%s: Export.csv is %llu bytes: not an HMIS "
			"CSV export", who, (unsigned long long)e->size);
	ip->ent[m->f_export] = e;
	if ((rc = fin_open(m, ip, (size_t)m->f_export, PROBE_CHUNK, &fi)) != HMX_OK)
		return rc;
	fi.rd.max = EXPORT_MAX;
	if ((k = fin_next(m, ip, (size_t)m->f_export, &fi, &h)) <= 0) {
		fin_close(&fi);
		return k < 0 ? m->err->rc : hmx_err_set(m->err, HMX_EINVAL, "%s: Export.csv is empty: "
			"not an HMIS CSV export", who);
	}
	ip->x_id = ip->x_date = ip->x_start = ip->x_end = ip->x_version = ip->x_hash = -1;
	ip->x_quoted_hdr = h.len > 0 && h.p[0] == '"';
	if (ip->idx == 0 && (rc = plan_header(m, &m->fp[m->f_export], &h)) != HMX_OK) {
		fin_close(&fi);
		return rc;
	}
	for (size_t i = 0; i < h.nf && i < MERGE_MAX_FIELDS; i++) {
		static const char *const cols[] = { "ExportID", "ExportDate", "ExportStartDate",
			"ExportEndDate", "CSVVersion", "HashStatus" };
		long *at[] = { &ip->x_id, &ip->x_date, &ip->x_start, &ip->x_end, &ip->x_version,
			&ip->x_hash };

		merge_rec_value(&h, i, tmp, sizeof tmp, &v, &n);
		for (size_t c = 0; c < 6; c++)
			if (*at[c] < 0 && strlen(cols[c]) == n && strncasecmp(cols[c], v, n) == 0)
				*at[c] = (long)i;
	}
	if ((k = fin_next(m, ip, (size_t)m->f_export, &fi, &r)) <= 0) {
		fin_close(&fi);
		return k < 0 ? m->err->rc : hmx_err_set(m->err, HMX_EINVAL, "%s: Export.csv has no "
			"export record: not a usable HMIS CSV export", who);
	}
	if (ip->x_version < 0 || ip->x_id < 0) {
		fin_close(&fi);
		return hmx_err_set(m->err, HMX_EINVAL, "%s: Export.csv has no %s column: not a usable "
			"HMIS CSV export", who, ip->x_id < 0 ? "ExportID" : "CSVVersion");
	}
	ip->xrec = malloc(r.len ? r.len : 1);
	ip->xoff = malloc((r.nf < MERGE_MAX_FIELDS ? r.nf : MERGE_MAX_FIELDS) * sizeof *ip->xoff);
	if (!ip->xrec || !ip->xoff) {
		fin_close(&fi);
		return hmx_err_set(m->err, HMX_ENOMEM, "out of memory");
	}
	memcpy(ip->xrec, r.p, r.len);
	memcpy(ip->xoff, r.off, (r.nf < MERGE_MAX_FIELDS ? r.nf : MERGE_MAX_FIELDS) * sizeof *ip->xoff);
	ip->xlen = r.len;
	ip->xnf = r.nf;
	fin_close(&fi);
	r.p = ip->xrec;
	r.off = ip->xoff;
	merge_rec_value(&r, (size_t)ip->x_id, tmp, sizeof tmp, &v, &n);
	printable(info->export_id, sizeof info->export_id, v, n);
	merge_rec_value(&r, (size_t)ip->x_version, tmp, sizeof tmp, &v, &n);
	printable(info->csv_version, sizeof info->csv_version, v, n);
	if (ip->x_hash >= 0) {
		merge_rec_value(&r, (size_t)ip->x_hash, tmp, sizeof tmp, &v, &n);
		printable(ip->hash_status, sizeof ip->hash_status, v, n);
	}
	if (ip->x_start >= 0) {
		merge_rec_value(&r, (size_t)ip->x_start, tmp, sizeof tmp, &v, &n);
		printable(start, sizeof start, v, n);
	}
	if (ip->x_end >= 0) {
		merge_rec_value(&r, (size_t)ip->x_end, tmp, sizeof tmp, &v, &n);
		printable(end, sizeof end, v, n);
	}
	snprintf(info->period, sizeof info->period, "%.10s..%.10s", start, end);
	return HMX_OK;
}

static enum hmx_rc open_input(struct merge *m, struct inp *ip)
{
	struct merge_input_info *info = &m->res->inputs[ip->idx];
	char who[160];
	struct hmx_err e2;
	enum spec_version v;
	enum hmx_rc rc;

	in_name(m, ip->idx, who, sizeof who);
	hmx_strlcpy(info->label, ip->in->label ? ip->in->label : ip->in->path, sizeof info->label);
	hmx_strlcpy(info->source, ip->in->source ? ip->in->source : "", sizeof info->source);
	if ((rc = hmiscsv_open(ip->in->path, NULL, NULL, NULL, &ip->pkg, &e2)) != HMX_OK) {
		if (rc == HMX_ENOTFOUND)
			return hmx_err_set(m->err, rc, "%s: no such file or folder", who);
		return hmx_err_set(m->err, rc == HMX_ESTATE ? HMX_EINVAL : rc, "%s: %s", who, e2.msg);
	}
	ip->bytes = info->bytes = hmiscsv_total(ip->pkg);
	if (ip->idx == 0) {
		/* the spec is known once input 1's Export.csv is read: read it
		 * against a provisional plan (Export.csv is first in every
		 * version) */
		if ((rc = spec_load(SPEC_FY2024, &m->spec, m->err)) != HMX_OK)
			return rc;
		plan_files(m);
	}
	if ((rc = read_export(m, ip)) != HMX_OK)
		return rc;
	v = spec_detect(info->csv_version, strlen(info->csv_version));
	if (v == SPEC_UNKNOWN)
		return hmx_err_set(m->err, HMX_EINVAL, "%s: Export.csv names CSVVersion \"%s\", which "
			"hmx does not know (P06)", who, info->csv_version);
	if (ip->idx == 0 && v != spec_get_version(m->spec)) {
		struct plan ex = m->fp[m->f_export];

		spec_free(&m->spec);
		if ((rc = spec_load(v, &m->spec, m->err)) != HMX_OK) {
			free(ex.hdr);
			free(ex.names);
			return rc;
		}
		memset(m->fp, 0, sizeof m->fp);
		plan_files(m);
		m->fp[m->f_export].hdr = ex.hdr;
		m->fp[m->f_export].hdrlen = ex.hdrlen;
		m->fp[m->f_export].eol = ex.eol;
		m->fp[m->f_export].names = ex.names;
		m->fp[m->f_export].nameslen = ex.nameslen;
		ip->ent[m->f_export] = hmiscsv_find(ip->pkg, "Export.csv");
	}
	if (ip->idx > 0) {
		const struct inp *a = &m->in[0];
		if (v != spec_get_version(m->spec))
			return hmx_err_set(m->err, HMX_EINVAL, "%s is a %s export, input 1 a %s one: "
				"exports of different CSV versions cannot be merged", who,
				spec_version_name(v), spec_version_name(spec_get_version(m->spec)));
		if (strcmp(a->hash_status, ip->hash_status) != 0)
			return hmx_err_set(m->err, HMX_EINVAL, "%s has HashStatus %s, input 1 %s: hashed "
				"and unhashed exports cannot be merged", who,
				ip->hash_status[0] ? ip->hash_status : "(none)",
				a->hash_status[0] ? a->hash_status : "(none)");
		if ((m->o->flags & MERGE_KEEP_EXPORT_ID) &&
		    strcmp(m->res->inputs[0].export_id, info->export_id) != 0)
			return hmx_err_set(m->err, HMX_EINVAL, "%s has ExportID %s, input 1 %s: keeping "
				"the ExportID needs inputs of one export", who, info->export_id,
				m->res->inputs[0].export_id);
	}
	return HMX_OK;
}

/* Reads the header of every file of ip; checks columns and agreement. */
static enum hmx_rc probe_headers(struct merge *m, struct inp *ip)
{
	char who[160];

	in_name(m, ip->idx, who, sizeof who);
	for (size_t f = 0; f < m->nfiles; f++) {
		struct plan *p = &m->fp[f];
		const struct hmiscsv_entry *e;
		struct merge_rec h;
		struct fin fi;
		enum hmx_rc rc;
		const char *miss;
		int k;

		if ((long)f == m->f_export)
			continue;
		if (!(e = hmiscsv_find(ip->pkg, p->sf->name)))
			continue;
		ip->ent[f] = e;
		if ((rc = fin_open(m, ip, f, PROBE_CHUNK, &fi)) != HMX_OK)
			return rc;
		k = fin_next(m, ip, f, &fi, &h);
		if (k < 0) {
			fin_close(&fi);
			return m->err->rc;
		}
		if (k == 0) {
			/* an empty file: as if absent */
			ip->ent[f] = NULL;
			fin_close(&fi);
			continue;
		}
		if (p->first < 0) {
			p->first = (int)ip->idx;
			rc = plan_header(m, p, &h);
			fin_close(&fi);
			if (rc != HMX_OK)
				return rc;
			if ((miss = plan_missing(m, p)))
				return hmx_err_set(m->err, HMX_EINVAL, "%s %s has no %s column: its rows "
					"cannot be sorted by project", who, p->sf->name, miss);
			continue;
		}
		{
			char tmp[ID_TMP];
			size_t len = 0;
			bool same = true;

			for (size_t i = 0; i < h.nf && i < MERGE_MAX_FIELDS && same; i++) {
				const char *v;
				size_t n;

				merge_rec_value(&h, i, tmp, sizeof tmp, &v, &n);
				if (len + n + 1 > p->nameslen || memcmp(p->names + len, v, n) != 0 ||
				    p->names[len + n] != '\n')
					same = false;
				len += n + 1;
			}
			fin_close(&fi);
			if (!same || len != p->nameslen)
				return hmx_err_set(m->err, HMX_EINVAL, "%s %s: its columns differ from "
					"input %d's: exports with the same columns in the same order are "
					"needed", who, p->sf->name, p->first + 1);
		}
	}
	if (!ip->ent[spec_file_find(m->spec, "Project.csv")->order])
		return hmx_err_set(m->err, HMX_EINVAL, "%s: no Project.csv: not a usable HMIS CSV "
			"export", who);
	return HMX_OK;
}

/* ---- project decisions ---- */

static const struct reg_project *reg_by_code(const struct merge *m, const char *code)
{
	for (size_t i = 0; i < m->o->nreg; i++)
		if (strcmp(m->o->reg[i].code, code) == 0)
			return &m->o->reg[i];
	return NULL;
}

static void judge(const struct reg_project *rp, struct merge_project *mp)
{
	hmx_strlcpy(mp->project, rp->code, sizeof mp->project);
	if (rp->source == REG_SRC_RDC_DIRECT)
		mp->why = MERGE_RDC_DIRECT;
	else if (!rp->active)
		mp->why = MERGE_INACTIVE;
	else
		mp->why = MERGE_KEPT;
}

static void decide(const struct merge *m, const struct inp *ip, const char *id, size_t n,
	struct merge_project *mp)
{
	const struct merge_input *in = ip->in;

	if (in->by_map) {
		mp->why = MERGE_UNMAPPED;
		for (size_t i = 0; i < in->ndec; i++) {
			const struct merge_decision *d = &in->dec[i];
			const struct reg_project *rp;

			if (strlen(d->src_id) != n || memcmp(d->src_id, id, n) != 0)
				continue;
			if (d->why != MERGE_KEPT) {
				mp->why = d->why;
			} else if (!(rp = reg_by_code(m, d->project ? d->project : ""))) {
				mp->why = MERGE_UNKNOWN;
				hmx_strlcpy(mp->project, d->project ? d->project : "", sizeof mp->project);
			} else {
				judge(rp, mp);
			}
			return;
		}
		return;
	}
	mp->why = MERGE_UNMATCHED;
	for (size_t i = 0; i < m->o->nreg; i++) {
		const struct reg_project *rp = &m->o->reg[i];

		if (!rp->hud_project_id[0] || strlen(rp->hud_project_id) != n ||
		    memcmp(rp->hud_project_id, id, n) != 0)
			continue;
		/* an rdc-direct project with this HUD ProjectID wins: never upload it */
		if (mp->why == MERGE_UNMATCHED || rp->source == REG_SRC_RDC_DIRECT ||
		    (mp->why == MERGE_INACTIVE && rp->active))
			judge(rp, mp);
	}
}

static struct merge_project *new_project(struct merge *m)
{
	struct merge_result *r = m->res;

	if (r->nprojects == m->cap_projects) {
		size_t cap = m->cap_projects ? 2 * m->cap_projects : 32;
		struct merge_project *np = realloc(r->projects, cap * sizeof *np);
		if (!np)
			return NULL;
		r->projects = np;
		m->cap_projects = cap;
	}
	memset(&r->projects[r->nprojects], 0, sizeof r->projects[0]);
	return &r->projects[r->nprojects++];
}

static struct merge_finding *new_finding(struct merge *m)
{
	struct merge_result *r = m->res;

	if (r->nfindings == m->cap_findings) {
		size_t cap = m->cap_findings ? 2 * m->cap_findings : 16;
		struct merge_finding *nf = realloc(r->findings, cap * sizeof *nf);
		if (!nf)
			return NULL;
		r->findings = nf;
		m->cap_findings = cap;
	}
	memset(&r->findings[r->nfindings], 0, sizeof r->findings[0]);
	return &r->findings[r->nfindings++];
}

static enum hmx_rc oom(struct merge *m)
{
	return hmx_err_set(m->err, HMX_ENOMEM, "out of memory");
}

/* Value of header position pos in rec ("" when absent). */
static void val(const struct merge_rec *rec, long pos, char *tmp, const char **p, size_t *n)
{
	if (pos < 0) {
		*p = "";
		*n = 0;
		return;
	}
	merge_rec_value(rec, (size_t)pos, tmp, ID_TMP, p, n);
}

/* Project.csv of ip: one merge_project per ProjectID, decided; the kept
 * ones' OrganizationIDs. */
static enum hmx_rc read_projects(struct merge *m, struct inp *ip)
{
	size_t f = spec_file_find(m->spec, "Project.csv")->order;
	struct plan *p = &m->fp[f];
	struct merge_input_info *info = &m->res->inputs[ip->idx];
	struct merge_rec r;
	struct fin fi;
	enum hmx_rc rc;
	int k;

	if ((rc = fin_open(m, ip, f, 0, &fi)) != HMX_OK)
		return rc;
	k = fin_next(m, ip, f, &fi, &r); /* header */
	while (k > 0 && (k = fin_next(m, ip, f, &fi, &r)) > 0) {
		char tmp[ID_TMP];
		const char *v;
		size_t n;
		uint32_t idx;
		struct merge_project *mp;
		int put;

		val(&r, p->p_key, tmp, &v, &n);
		put = merge_ids_put(&ip->proj, v, n, (uint32_t)m->res->nprojects, &idx);
		if (put < 0) {
			fin_close(&fi);
			return oom(m);
		}
		if (put == 0) {
			if (!(mp = new_project(m))) {
				fin_close(&fi);
				return oom(m);
			}
			mp->input = ip->idx;
			printable(mp->src_id, sizeof mp->src_id, v, n);
			decide(m, ip, v, n, mp);
			idx = (uint32_t)(m->res->nprojects - 1);
			info->projects++;
			info->kept += mp->why == MERGE_KEPT;
		}
		if (m->res->projects[idx].why == MERGE_KEPT) {
			val(&r, p->p_org, tmp, &v, &n);
			if (merge_ids_put(&ip->orgs, v, n, 0, NULL) < 0) {
				fin_close(&fi);
				return oom(m);
			}
		}
	}
	fin_close(&fi);
	return k < 0 ? m->err->rc : HMX_OK;
}

/* ---- rows: which are kept ---- */

static bool project_kept(const struct merge *m, uint32_t idx)
{
	return idx != NONE && m->res->projects[idx].why == MERGE_KEPT;
}

/* Looks up id in t through a one-entry memo. */
static bool memo_get(struct memo *mo, const struct merge_ids *t, const char *p, size_t n,
	uint32_t *v)
{
	if (mo->valid && mo->n == n && memcmp(mo->id, p, n) == 0) {
		*v = mo->val;
		return mo->found;
	}
	mo->found = merge_ids_get(t, p, n, &mo->val);
	*v = mo->val;
	mo->valid = n <= sizeof mo->id;
	if (mo->valid) {
		memcpy(mo->id, p, n);
		mo->n = n;
	}
	return mo->found;
}

/* Whether the reporting group keeps rec (file f of ip); *pidx: the project
 * it belongs to (NONE for none or a file without projects); *orphan: it
 * should belong to one but its project or enrollment is unknown. */
static bool row_keep(const struct merge *m, struct inp *ip, const struct plan *p,
	const struct merge_rec *rec, struct memo *mo, uint32_t *pidx, bool *orphan)
{
	char tmp[ID_TMP];
	const char *v;
	size_t n;
	uint32_t idx = NONE;
	bool keep = false;

	*orphan = false;
	switch (p->kind) {
	case K_PROJECT:
	case K_ENROLLMENT:
		val(rec, p->p_key, tmp, &v, &n);
		if (!merge_ids_get(&ip->proj, v, n, &idx))
			idx = NONE;
		keep = project_kept(m, idx);
		*orphan = idx == NONE;
		break;
	case K_PROJ_LINKED:
		keep = true;
		for (size_t j = 0; j < p->nproj; j++) {
			uint32_t x;

			val(rec, p->p_proj[j], tmp, &v, &n);
			if (!merge_ids_get(&ip->proj, v, n, &x))
				x = NONE;
			if (j == 0)
				idx = x;
			keep = keep && project_kept(m, x);
		}
		*orphan = idx == NONE;
		break;
	case K_ENR_LINKED:
		val(rec, p->p_key, tmp, &v, &n);
		if (!memo_get(mo, &ip->enr, v, n, &idx))
			idx = NONE;
		keep = project_kept(m, idx);
		*orphan = idx == NONE;
		break;
	case K_ORG:
		val(rec, p->p_key, tmp, &v, &n);
		keep = merge_ids_get(&ip->orgs, v, n, NULL);
		break;
	case K_CLIENT:
		val(rec, p->p_key, tmp, &v, &n);
		keep = merge_ids_get(&ip->persons, v, n, NULL);
		break;
	case K_USER:
		val(rec, p->p_key, tmp, &v, &n);
		keep = merge_ids_get(&ip->users, v, n, NULL);
		break;
	case K_EXPORT:
	case K_OTHER:
		break;
	}
	*pidx = idx;
	return keep;
}

/* Notes the UserID of a kept row. */
static enum hmx_rc note_user(struct merge *m, struct inp *ip, const struct plan *p,
	const struct merge_rec *rec, struct memo *mo)
{
	char tmp[ID_TMP];
	const char *v;
	size_t n;
	uint32_t x;

	if (p->p_user < 0)
		return HMX_OK;
	val(rec, p->p_user, tmp, &v, &n);
	if (n == 0 || memo_get(mo, &ip->users, v, n, &x))
		return HMX_OK;
	if (merge_ids_put(&ip->users, v, n, 0, NULL) < 0)
		return oom(m);
	mo->valid = false;
	return HMX_OK;
}

/* Hash of the record without its ExportID cell. */
static uint64_t rec_hash(const struct plan *p, const struct merge_rec *rec)
{
	const char *xp;
	size_t xn;
	uint64_t h;

	if (p->p_export < 0 || (size_t)p->p_export >= rec->nf)
		return merge_hash(rec->p, rec->len, 7);
	merge_rec_raw(rec, (size_t)p->p_export, &xp, &xn);
	h = merge_hash(rec->p, (size_t)(xp - rec->p), 7);
	return merge_hash(xp + xn, rec->len - (size_t)(xp + xn - rec->p), h);
}

static uint64_t key_hash(const struct plan *p, const struct merge_rec *rec, char *tmp,
	const char **v, size_t *n)
{
	uint64_t h;

	val(rec, p->p_pk, tmp, v, n);
	h = merge_hash(*v, *n, 0x4B);
	return h ? h : 1;
}

/* Pass 1 with several inputs: the key of a kept row against the others. */
static enum hmx_rc collide(struct merge *m, struct inp *ip, size_t f, const struct merge_rec *rec)
{
	const struct plan *p = &m->fp[f];
	char tmp[ID_TMP], kv[96];
	const char *v;
	size_t n;
	uint64_t kh, rh;
	struct merge_key *e;
	struct merge_finding *fd;

	if (p->p_pk < 0)
		return HMX_OK;
	kh = key_hash(p, rec, tmp, &v, &n);
	rh = rec_hash(p, rec);
	e = merge_keys_get(&m->keys[f], kh);
	if (ip->stored) {
		if (!e)
			return merge_keys_add(&m->keys[f], kh, rh, (uint16_t)ip->idx) ? HMX_OK : oom(m);
		if (e->owner == ip->idx || e->rec == rh)
			return HMX_OK;
	} else if (!e || e->rec == rh) {
		return HMX_OK;
	}
	if (e->flags & MERGE_KEY_REPORTED)
		return HMX_OK;
	e->flags |= MERGE_KEY_REPORTED;
	if (!(fd = new_finding(m)))
		return oom(m);
	memcpy(fd->check, "X04", 4);
	hmx_strlcpy(fd->file, p->sf->name, sizeof fd->file);
	snprintf(fd->key, sizeof fd->key, "%s=%s", p->sf->columns[p->c_pk].name,
		printable(kv, sizeof kv, v, n));
	fd->input_a = e->owner < ip->idx ? e->owner : ip->idx;
	fd->input_b = e->owner < ip->idx ? ip->idx : e->owner;
	m->res->n_x04++;
	return HMX_OK;
}

/* Pass 2 with several inputs: is rec the same record as one written from
 * another input? */
static bool duplicate(struct merge *m, struct inp *ip, size_t f, const struct merge_rec *rec)
{
	const struct plan *p = &m->fp[f];
	char tmp[ID_TMP];
	const char *v;
	size_t n;
	struct merge_key *e;

	if (!m->multi || p->p_pk < 0)
		return false;
	e = merge_keys_get(&m->keys[f], key_hash(p, rec, tmp, &v, &n));
	if (!e || (ip->stored && e->owner == ip->idx))
		return false;
	return e->rec == rec_hash(p, rec);
}

/* ---- pass 1 ---- */

/* Enrollment.csv: EnrollmentID -> project, kept clients, counts. */
static enum hmx_rc enroll_row(struct merge *m, struct inp *ip, const struct plan *p,
	const struct merge_rec *rec)
{
	char tmp[ID_TMP];
	const char *v;
	size_t n;
	uint32_t idx, old;
	int put;

	val(rec, p->p_key, tmp, &v, &n);
	if (!merge_ids_get(&ip->proj, v, n, &idx))
		idx = NONE;
	if (idx != NONE)
		m->res->projects[idx].enrollments++;
	val(rec, p->p_pk, tmp, &v, &n);
	put = merge_ids_put(&ip->enr, v, n, idx, &old);
	if (put < 0)
		return oom(m);
	/* a repeated EnrollmentID (K01): kept when any of its rows is */
	if (put == 1 && !project_kept(m, old) && project_kept(m, idx))
		merge_ids_set(&ip->enr, v, n, idx);
	if (project_kept(m, idx)) {
		val(rec, p->p_person, tmp, &v, &n);
		if (merge_ids_put(&ip->persons, v, n, 0, NULL) < 0)
			return oom(m);
	}
	return HMX_OK;
}

static enum hmx_rc pass1_file(struct merge *m, struct inp *ip, size_t f)
{
	const struct plan *p = &m->fp[f];
	struct merge_rec r;
	struct memo mk = { 0 }, mu = { 0 };
	struct fin fi;
	enum hmx_rc rc;
	uint64_t taken = 0;
	char what[64];
	int k;

	if (!ip->ent[f])
		return HMX_OK;
	snprintf(what, sizeof what, "scan %s", p->sf->name);
	if ((rc = fin_open(m, ip, f, 0, &fi)) != HMX_OK)
		return rc;
	k = fin_next(m, ip, f, &fi, &r); /* header */
	while (k > 0 && (k = fin_next(m, ip, f, &fi, &r)) > 0) {
		uint32_t idx;
		bool orphan;

		if (p->kind == K_ENROLLMENT && (rc = enroll_row(m, ip, p, &r)) != HMX_OK)
			break;
		if (m->multi && row_keep(m, ip, p, &r, &mk, &idx, &orphan)) {
			if ((rc = collide(m, ip, f, &r)) != HMX_OK ||
			    (rc = note_user(m, ip, p, &r, &mu)) != HMX_OK)
				break;
		}
		if (fi.rd.taken - taken >= PROGRESS_STEP) {
			progress(m, what, fi.rd.taken - taken);
			taken = fi.rd.taken;
		}
	}
	progress(m, what, fi.rd.taken - taken);
	fin_close(&fi);
	if (rc != HMX_OK)
		return rc;
	return k < 0 ? m->err->rc : HMX_OK;
}

static enum hmx_rc pass1(struct merge *m)
{
	size_t f_enr = spec_file_find(m->spec, "Enrollment.csv")->order;
	size_t largest = 0, *seq = malloc(m->nin * sizeof *seq), k = 0;
	enum hmx_rc rc = HMX_OK;

	if (!seq)
		return oom(m);
	for (size_t i = 1; i < m->nin; i++)
		if (m->in[i].bytes > m->in[largest].bytes)
			largest = i;
	/* every input but the largest puts its keys; the largest comes last
	 * and only looks them up */
	for (size_t i = 0; i < m->nin; i++) {
		m->in[i].stored = m->multi && i != largest;
		if (i != largest)
			seq[k++] = i;
	}
	seq[k++] = largest;
	m->total_bytes = 0;
	for (size_t j = 0; j < m->nin; j++) {
		struct inp *ip = &m->in[j];
		m->total_bytes += ip->ent[f_enr] ? ip->ent[f_enr]->size : 0;
		for (size_t f = 0; m->multi && f < m->nfiles; f++)
			if (f != f_enr && (long)f != m->f_export && ip->ent[f])
				m->total_bytes += ip->ent[f]->size;
	}
	m->done_bytes = m->last_progress = 0;
	for (size_t j = 0; rc == HMX_OK && j < m->nin; j++) {
		struct inp *ip = &m->in[seq[j]];

		rc = pass1_file(m, ip, f_enr);
		for (size_t o = 0; rc == HMX_OK && m->multi && o < m->nfiles; o++) {
			size_t f = m->order[o];
			if (f != f_enr && (long)f != m->f_export)
				rc = pass1_file(m, ip, f);
		}
	}
	free(seq);
	return rc;
}

/* ---- verdict ---- */

static enum hmx_rc verdict(struct merge *m)
{
	struct merge_result *r = m->res;
	uint64_t enrollments = 0;
	size_t x04 = r->nfindings;

	/* X03: a ProjectID to be written that the RDC knows as rdc-direct */
	for (size_t i = 0; i < r->nprojects; i++) {
		struct merge_project *mp = &r->projects[i];
		uint32_t ri;
		struct merge_finding *fd;

		if (mp->why != MERGE_KEPT)
			continue;
		enrollments += mp->enrollments;
		if (!merge_ids_get(&m->rdc_hud, mp->src_id, strlen(mp->src_id), &ri))
			continue;
		if (!(fd = new_finding(m)))
			return oom(m);
		memcpy(fd->check, "X03", 4);
		hmx_strlcpy(fd->file, "Project.csv", sizeof fd->file);
		snprintf(fd->key, sizeof fd->key, "ProjectID=%s", mp->src_id);
		fd->input_a = fd->input_b = mp->input;
		hmx_strlcpy(fd->project, m->o->reg[ri].code, sizeof fd->project);
		r->n_x03++;
	}
	/* X03 first, then X04 in the order found */
	if (r->n_x03 && x04) {
		struct merge_finding *tmp = malloc(r->nfindings * sizeof *tmp);
		if (!tmp)
			return oom(m);
		memcpy(tmp, r->findings + x04, (r->nfindings - x04) * sizeof *tmp);
		memcpy(tmp + (r->nfindings - x04), r->findings, x04 * sizeof *tmp);
		memcpy(r->findings, tmp, r->nfindings * sizeof *tmp);
		free(tmp);
	}
	/* registered projects of the reporting group that no input brings */
	for (size_t i = 0; i < m->o->nreg; i++) {
		const struct reg_project *rp = &m->o->reg[i];
		bool found = false;

		if (rp->source == REG_SRC_RDC_DIRECT || !rp->active)
			continue;
		for (size_t j = 0; j < r->nprojects && !found; j++)
			found = r->projects[j].why == MERGE_KEPT &&
				strcmp(r->projects[j].project, rp->code) == 0;
		if (!found) {
			char (*nm)[48] = realloc(r->missing, (r->nmissing + 1) * sizeof *nm);
			if (!nm)
				return oom(m);
			r->missing = nm;
			hmx_strlcpy(r->missing[r->nmissing++], rp->code, sizeof r->missing[0]);
		}
	}
	if (r->n_x03) {
		r->refused = true;
		return hmx_err_set(m->err, HMX_ESTATE, "export not written: %zu project%s of the "
			"inputs %s the HUD ProjectID of an rdc-direct project (X03): the RDC would "
			"count %s twice", r->n_x03, r->n_x03 == 1 ? "" : "s",
			r->n_x03 == 1 ? "has" : "have", r->n_x03 == 1 ? "it" : "them");
	}
	if (r->n_x04 && !(m->o->flags & MERGE_ALLOW_COLLISIONS)) {
		r->refused = true;
		return hmx_err_set(m->err, HMX_ESTATE, "export not written: %zu ID%s used by two "
			"inputs for different records (X04); resolve them, or write it anyway with "
			"--allow-collisions", r->n_x04, r->n_x04 == 1 ? "" : "s");
	}
	if (enrollments == 0)
		return hmx_err_set(m->err, HMX_ESTATE, "nothing to upload: the inputs hold no "
			"enrollment of a project in the reporting group (%zu source project%s, none "
			"kept with enrollments; see 'hmx map')", r->nprojects,
			r->nprojects == 1 ? "" : "s");
	return HMX_OK;
}

/* ---- the new Export.csv ---- */

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *np;
		while (cap < b->len + n)
			cap *= 2;
		if (!(np = realloc(b->p, cap))) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static enum hmx_rc build_export_csv(struct merge *m)
{
	const struct inp *ip = &m->in[0];
	const struct plan *p = &m->fp[m->f_export];
	const char *eol = eol_str(p->eol, m->eol_default);
	struct merge_rec r = { ip->xrec, ip->xlen, 1, MERGE_EOL_NONE, ip->xnf, ip->xoff };
	char start[11], end[11];
	struct buf b = { 0 };

	buf_add(&b, p->hdr, p->hdrlen);
	buf_str(&b, eol);
	for (size_t i = 0; i < ip->xnf; i++) {
		const char *raw, *nv = NULL;
		size_t n;

		merge_rec_raw(&r, i, &raw, &n);
		if ((long)i == ip->x_id && !(m->o->flags & MERGE_KEEP_EXPORT_ID))
			nv = m->export_id;
		else if ((long)i == ip->x_date)
			nv = m->export_date;
		else if ((long)i == ip->x_start)
			nv = cal_format(m->o->start, start);
		else if ((long)i == ip->x_end)
			nv = cal_format(m->o->end, end);
		if (i)
			buf_add(&b, ",", 1);
		if (!nv) {
			buf_add(&b, raw, n);
		} else {
			bool q = n > 0 && raw[0] == '"';
			if (q)
				buf_add(&b, "\"", 1);
			buf_str(&b, nv);
			if (q)
				buf_add(&b, "\"", 1);
		}
	}
	buf_str(&b, eol);
	if (b.oom) {
		free(b.p);
		return oom(m);
	}
	m->export_csv = b.p;
	m->export_len = b.len;
	return HMX_OK;
}

/* ---- pass 2: a producer thread filters, libzip's sources take its output ----
 * Rows are filtered and copied by a thread of their own into a ring of NQ
 * buffers, file after file in the order libzip writes the entries
 * (m->order); each entry's source callback, called by zip_close on the
 * calling thread while it compresses, takes the buffers of its file. So
 * filtering and compression overlap on two cores, and memory stays at NQ
 * buffers. Only the producer touches the inputs, the ID tables and the
 * counts until it is joined; the ring's mutex orders the rest. */

#define NQ 4

struct chunk {
	struct buf b;
	size_t f;           /* file it belongs to */
	bool last;          /* the file's last chunk */
	bool error;         /* the producer failed: m->err says why */
	uint64_t done;      /* input bytes read when it was made, for progress */
};

struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct chunk q[NQ];
	size_t head, count; /* chunks ready: q[head .. head + count) */
	bool cancel;        /* the consumer gives up */
	bool exited;        /* the producer is done */
};

/* The producer's place in one file. */
struct prod {
	size_t f;
	int state;            /* 0 header, 1 rows, 2 done */
	size_t i;             /* input being copied */
	bool open_in;         /* fi is open on input i */
	struct fin fi;
	uint64_t taken;
	struct memo mk, mu;
};

/* The header of file f when no input has it: the spec's names, quoted as
 * input 1's Export.csv header is. */
static void spec_header(struct merge *m, const struct plan *p, struct buf *b)
{
	bool q = m->in[0].x_quoted_hdr;

	for (size_t c = 0; c < p->sf->ncolumns; c++) {
		if (c)
			buf_add(b, ",", 1);
		if (q)
			buf_add(b, "\"", 1);
		buf_str(b, p->sf->columns[c].name);
		if (q)
			buf_add(b, "\"", 1);
	}
}

/* Appends rec to out, its ExportID cell set to the new ExportID. */
static void put_row(const struct merge *m, struct buf *out, const struct plan *p,
	const struct merge_rec *rec, const char *eol)
{
	const char *xp;
	size_t xn;

	if (p->p_export >= 0 && (size_t)p->p_export < rec->nf &&
	    !(m->o->flags & MERGE_KEEP_EXPORT_ID)) {
		merge_rec_raw(rec, (size_t)p->p_export, &xp, &xn);
		if (xn > 0 && !(xn == 2 && xp[0] == '"')) {
			bool q = xp[0] == '"';
			buf_add(out, rec->p, (size_t)(xp - rec->p));
			if (q)
				buf_add(out, "\"", 1);
			buf_str(out, m->export_id);
			if (q)
				buf_add(out, "\"", 1);
			buf_add(out, xp + xn, rec->len - (size_t)(xp + xn - rec->p));
			buf_str(out, eol);
			return;
		}
	}
	buf_add(out, rec->p, rec->len);
	buf_str(out, eol);
}

/* Appends the next part of file ps->f to out (about OUT_TARGET bytes);
 * false on error (m->err). ps->state is 2 once the file is complete. */
static bool produce(struct merge *m, struct prod *ps, struct buf *out)
{
	struct plan *p = &m->fp[ps->f];
	struct merge_result *res = m->res;
	const char *eol = eol_str(p->eol, m->eol_default);

	if (ps->state == 0) {
		if ((long)ps->f == m->f_export) {
			buf_add(out, m->export_csv, m->export_len);
			res->totals[ps->f].kept = 1;
			ps->state = 2;
		} else {
			if (p->first >= 0)
				buf_add(out, p->hdr, p->hdrlen);
			else
				spec_header(m, p, out);
			buf_str(out, eol);
			ps->state = 1;
		}
	}
	while (ps->state == 1 && out->len < OUT_TARGET && !out->oom) {
		struct inp *ip;
		struct merge_rec r;
		uint32_t idx;
		bool orphan, keep;
		int k;

		if (ps->i >= m->nin) {
			ps->state = 2;
			break;
		}
		ip = &m->in[ps->i];
		if (!ps->open_in) {
			if (!ip->ent[ps->f]) {
				ps->i++;
				continue;
			}
			if (fin_open(m, ip, ps->f, 0, &ps->fi) != HMX_OK)
				return false;
			ps->open_in = true;
			ps->taken = 0;
			ps->mk.valid = ps->mu.valid = false;
			if (fin_next(m, ip, ps->f, &ps->fi, &r) < 0) /* header */
				return false;
		}
		k = fin_next(m, ip, ps->f, &ps->fi, &r);
		if (k < 0)
			return false;
		if (ps->fi.rd.taken - ps->taken >= PROGRESS_STEP || k == 0) {
			m->done_bytes += ps->fi.rd.taken - ps->taken;
			ps->taken = ps->fi.rd.taken;
		}
		if (k == 0) {
			fin_close(&ps->fi);
			ps->open_in = false;
			ps->i++;
			continue;
		}
		keep = row_keep(m, ip, p, &r, &ps->mk, &idx, &orphan);
		if (!keep) {
			res->totals[ps->f].left++;
			if (idx != NONE)
				res->projects[idx].rows[ps->f].left++;
			else if (orphan)
				res->inputs[ip->idx].orphans++;
			continue;
		}
		if (duplicate(m, ip, ps->f, &r)) {
			res->totals[ps->f].dup++;
			if (idx != NONE)
				res->projects[idx].rows[ps->f].dup++;
			continue;
		}
		if (p->kind == K_PROJECT) {
			/* X03 was judged before writing; this only guards that verdict */
			char tmp[ID_TMP];
			const char *v;
			size_t n;

			val(&r, p->p_key, tmp, &v, &n);
			if (merge_ids_get(&m->rdc_hud, v, n, NULL)) {
				hmx_err_set(m->err, HMX_ESTATE, "refused: an rdc-direct project's "
					"ProjectID was about to be written (X03)");
				return false;
			}
		}
		if (note_user(m, ip, p, &r, &ps->mu) != HMX_OK)
			return false;
		put_row(m, out, p, &r, eol);
		res->totals[ps->f].kept++;
		if (idx != NONE)
			res->projects[idx].rows[ps->f].kept++;
	}
	if (out->oom) {
		oom(m);
		return false;
	}
	return true;
}

static void *producer(void *arg)
{
	struct merge *m = arg;
	struct pipe *pp = m->pipe;
	struct prod ps;

	memset(&ps, 0, sizeof ps);
	for (size_t o = 0; o < m->nfiles; o++) {
		memset(&ps, 0, sizeof ps);
		ps.f = m->order[o];
		while (ps.state != 2) {
			struct chunk *c;
			bool ok;

			pthread_mutex_lock(&pp->mu);
			while (pp->count == NQ && !pp->cancel)
				pthread_cond_wait(&pp->cv, &pp->mu);
			if (pp->cancel) {
				pthread_mutex_unlock(&pp->mu);
				goto out;
			}
			/* the slot after the ready ones is the producer's alone */
			c = &pp->q[(pp->head + pp->count) % NQ];
			pthread_mutex_unlock(&pp->mu);
			c->b.len = 0;
			ok = produce(m, &ps, &c->b);
			c->f = ps.f;
			c->last = ps.state == 2;
			c->error = !ok;
			c->done = m->done_bytes;
			if (!ok)
				m->failed = true;
			pthread_mutex_lock(&pp->mu);
			pp->count++;
			pthread_cond_broadcast(&pp->cv);
			pthread_mutex_unlock(&pp->mu);
			if (!ok)
				goto out;
		}
	}
out:
	if (ps.open_in)
		fin_close(&ps.fi);
	pthread_mutex_lock(&pp->mu);
	pp->exited = true;
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->mu);
	return NULL;
}

/* One entry's source: takes its file's chunks from the ring. */
struct fsrc {
	struct merge *m;
	size_t f;
	struct chunk *cur;    /* being copied out */
	size_t cpos;
	bool opened, ended;
	zip_error_t zerr;
};

static zip_int64_t src_fail(struct fsrc *fs)
{
	zip_error_set(&fs->zerr, ZIP_ER_READ, EIO);
	return -1;
}

/* The next chunk of the ring, waiting for it; NULL (m->err set) when the
 * producer failed or stopped. */
static struct chunk *take(struct fsrc *fs)
{
	struct merge *m = fs->m;
	struct pipe *pp = m->pipe;
	struct chunk *c = NULL;

	pthread_mutex_lock(&pp->mu);
	while (pp->count == 0 && !pp->exited)
		pthread_cond_wait(&pp->cv, &pp->mu);
	if (pp->count)
		c = &pp->q[pp->head];
	pthread_mutex_unlock(&pp->mu);
	if (!c) {
		hmx_err_set(&m->cerr, HMX_EINVAL, "internal error: %s ended early",
			m->fp[fs->f].sf->name);
		return NULL;
	}
	if (c->error)
		return NULL;
	if (c->f != fs->f) {
		hmx_err_set(&m->cerr, HMX_EINVAL, "internal error: %s written out of order",
			m->fp[fs->f].sf->name);
		return NULL;
	}
	if (c->done - m->last_progress >= PROGRESS_STEP || c->last) {
		m->last_progress = c->done;
		hmx_progress(m->fp[fs->f].sf->name, c->done, m->total_bytes);
	}
	return c;
}

static void give_back(struct merge *m)
{
	struct pipe *pp = m->pipe;

	pthread_mutex_lock(&pp->mu);
	pp->head = (pp->head + 1) % NQ;
	pp->count--;
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->mu);
}

static zip_int64_t src_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct fsrc *fs = ud;

	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		if (fs->opened) {
			hmx_err_set(&fs->m->cerr, HMX_EINVAL, "internal error: %s read twice",
				fs->m->fp[fs->f].sf->name);
			return src_fail(fs);
		}
		fs->opened = true;
		return 0;
	case ZIP_SOURCE_READ: {
		zip_uint64_t got = 0;
		char *d = data;

		while (got < len) {
			size_t k;

			if (!fs->cur) {
				if (fs->ended)
					break;
				if (!(fs->cur = take(fs)))
					return src_fail(fs);
				fs->cpos = 0;
			}
			k = fs->cur->b.len - fs->cpos;
			if (k > len - got)
				k = (size_t)(len - got);
			memcpy(d + got, fs->cur->b.p + fs->cpos, k);
			fs->cpos += k;
			got += k;
			if (fs->cpos == fs->cur->b.len) {
				fs->ended = fs->cur->last;
				fs->cur = NULL;
				give_back(fs->m);
			}
		}
		return (zip_int64_t)got;
	}
	case ZIP_SOURCE_CLOSE:
		return 0;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = data;

		if (len < sizeof *st) {
			zip_error_set(&fs->zerr, ZIP_ER_INVAL, 0);
			return -1;
		}
		zip_stat_init(st);
		return sizeof *st;
	}
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&fs->zerr, data, len);
	case ZIP_SOURCE_FREE:
		zip_error_fini(&fs->zerr);
		free(fs);
		return 0;
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ,
			ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
	default:
		zip_error_set(&fs->zerr, ZIP_ER_OPNOTSUPP, 0);
		return -1;
	}
}

/* ---- the output file ---- */

static const char *space_hint(int e)
{
	return e == ENOSPC || e == EFBIG || e == EDQUOT ?
		" (disk full or file-size limit: nothing was kept)" : "";
}

/* Removes the temporary folder and whatever is in it. */
static void drop_tmp(struct merge *m)
{
	DIR *d;
	struct dirent *de;

	if (!m->tmpdir[0])
		return;
	if ((d = opendir(m->tmpdir))) {
		while ((de = readdir(d))) {
			char p[8400];
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			if ((size_t)snprintf(p, sizeof p, "%s/%s", m->tmpdir, de->d_name) < sizeof p)
				unlink(p);
		}
		closedir(d);
	}
	rmdir(m->tmpdir);
	m->tmpdir[0] = '\0';
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/* The folder of path (".", when none) into buf. */
static void dir_of(const char *path, char *buf, size_t n)
{
	const char *s = strrchr(path, '/');

	if (!s)
		hmx_strlcpy(buf, ".", n);
	else if (s == path)
		hmx_strlcpy(buf, "/", n);
	else
		snprintf(buf, n, "%.*s", (int)(s - path), path);
}

static enum hmx_rc add_entry(struct merge *m, zip_t *za, size_t f)
{
	struct fsrc *fs = calloc(1, sizeof *fs);
	zip_source_t *src;
	zip_int64_t idx;

	if (!fs)
		return oom(m);
	fs->m = m;
	fs->f = f;
	zip_error_init(&fs->zerr);
	if (!(src = zip_source_function(za, src_cb, fs))) {
		zip_error_fini(&fs->zerr);
		free(fs);
		return hmx_err_set(m->err, HMX_ENOMEM, "cannot start the archive: %s", zip_strerror(za));
	}
	if ((idx = zip_file_add(za, m->fp[f].sf->name, src, ZIP_FL_ENC_UTF_8)) < 0) {
		zip_source_free(src);
		return hmx_err_set(m->err, HMX_EIO, "cannot start the archive: %s", zip_strerror(za));
	}
	if (zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 1) != 0 ||
	    zip_file_set_dostime(za, (zip_uint64_t)idx, m->dos_time, m->dos_date, 0) != 0 ||
	    zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
		(zip_uint32_t)0100600 << 16) != 0)
		return hmx_err_set(m->err, HMX_EIO, "cannot start the archive: %s", zip_strerror(za));
	return HMX_OK;
}

static enum hmx_rc pipe_start(struct merge *m)
{
	struct pipe *pp = calloc(1, sizeof *pp);

	if (!pp)
		return oom(m);
	pthread_mutex_init(&pp->mu, NULL);
	pthread_cond_init(&pp->cv, NULL);
	m->pipe = pp;
	if (pthread_create(&m->thread, NULL, producer, m) != 0) {
		pthread_cond_destroy(&pp->cv);
		pthread_mutex_destroy(&pp->mu);
		free(pp);
		m->pipe = NULL;
		return hmx_err_set(m->err, HMX_ENOMEM, "cannot start a thread");
	}
	return HMX_OK;
}

/* Stops the producer (when still running) and frees the ring. */
static void pipe_stop(struct merge *m)
{
	struct pipe *pp = m->pipe;

	if (!pp)
		return;
	pthread_mutex_lock(&pp->mu);
	pp->cancel = true;
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->mu);
	pthread_join(m->thread, NULL);
	for (size_t i = 0; i < NQ; i++)
		free(pp->q[i].b.p);
	pthread_cond_destroy(&pp->cv);
	pthread_mutex_destroy(&pp->mu);
	free(pp);
	m->pipe = NULL;
}

static enum hmx_rc write_zip(struct merge *m)
{
	const char *out = m->o->out;
	char dir[4096];
	zip_t *za;
	int zerr = 0, fd;
	enum hmx_rc rc = HMX_OK;
	struct stat st;

	dir_of(out, dir, sizeof dir);
	if ((size_t)snprintf(m->tmpdir, sizeof m->tmpdir, "%s/.hmx-export-XXXXXX", dir) >=
	    sizeof m->tmpdir) {
		m->tmpdir[0] = '\0';
		return hmx_err_set(m->err, HMX_EINVAL, "output path too long");
	}
	if (!mkdtemp(m->tmpdir)) {
		int e = errno;
		m->tmpdir[0] = '\0';
		return hmx_err_set(m->err, HMX_EIO, "cannot write %s: %s: %s", out,
			e == ENOENT ? "no such folder" : "cannot create a file in its folder",
			strerror(e));
	}
	snprintf(m->tmpzip, sizeof m->tmpzip, "%s/upload.zip", m->tmpdir);
	if (!(za = zip_open(m->tmpzip, ZIP_CREATE | ZIP_EXCL, &zerr))) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		rc = hmx_err_set(m->err, HMX_EIO, "cannot write %s: %s", out, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		drop_tmp(m);
		return rc;
	}
	for (size_t o = 0; rc == HMX_OK && o < m->nfiles; o++)
		rc = add_entry(m, za, m->order[o]);
	m->total_bytes = 0;
	for (size_t i = 0; i < m->nin; i++)
		for (size_t f = 0; f < m->nfiles; f++)
			if (m->in[i].ent[f] && (long)f != m->f_export)
				m->total_bytes += m->in[i].ent[f]->size;
	m->done_bytes = m->last_progress = 0;
	if (rc == HMX_OK)
		rc = pipe_start(m);
	if (rc == HMX_OK) {
		char zmsg[256] = "";
		int se = 0;

		if (zip_close(za) != 0) {
			zip_error_t *ze = zip_get_error(za);

			se = zip_error_system_type(ze) == ZIP_ET_SYS ? zip_error_code_system(ze) : 0;
			hmx_strlcpy(zmsg, zip_strerror(za), sizeof zmsg);
		}
		pipe_stop(m); /* joined: m->failed and m->err are settled */
		if (zmsg[0]) {
			if (m->failed)
				rc = m->err->rc;
			else if (m->cerr.rc != HMX_OK)
				rc = hmx_err_set(m->err, m->cerr.rc, "%s", m->cerr.msg);
			else
				rc = hmx_err_set(m->err, HMX_EIO, "cannot write %s: %s%s", out, zmsg,
					space_hint(se));
			zip_discard(za);
		}
	} else {
		zip_discard(za);
	}
	if (rc != HMX_OK) {
		drop_tmp(m);
		return rc;
	}
	/* sealed: private, on disk, then in place */
	fd = open(m->tmpzip, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fchmod(fd, 0600) != 0 || fsync(fd) != 0 || fstat(fd, &st) != 0) {
		int e = errno;
		rc = hmx_err_set(m->err, HMX_EIO, "cannot write %s: %s%s", out, strerror(e),
			space_hint(e));
	}
	if (fd >= 0)
		close(fd);
	if (rc == HMX_OK && rename(m->tmpzip, out) != 0) {
		int e = errno;
		rc = hmx_err_set(m->err, HMX_EIO, "cannot write %s: %s", out, strerror(e));
	}
	if (rc == HMX_OK) {
		fsync_dir(dir);
		m->res->out_bytes = (uint64_t)st.st_size;
		m->res->written = true;
	}
	drop_tmp(m);
	return rc;
}

/* ---- the run ---- */

static enum hmx_rc setup(struct merge *m)
{
	char now[21];
	const char *id = m->o->export_id;

	hmx_now_utc(now);
	snprintf(m->export_date, sizeof m->export_date, "%.10s %.8s", now, now + 11);
	if (id) {
		size_t n = strlen(id);
		if (n == 0 || n > 32)
			return hmx_err_set(m->err, HMX_EINVAL, "an ExportID has 1 to 32 characters");
		for (size_t i = 0; i < n; i++)
			if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'A' && id[i] <= 'Z') ||
			      (id[i] >= 'a' && id[i] <= 'z') || id[i] == '-' || id[i] == '_' ||
			      id[i] == '.'))
				return hmx_err_set(m->err, HMX_EINVAL, "an ExportID is made of letters, "
					"digits, '-', '_' and '.'");
		hmx_strlcpy(m->export_id, id, sizeof m->export_id);
	} else {
		snprintf(m->export_id, sizeof m->export_id, "HMX%.4s%.2s%.2s%.2s%.2s%.2s", now,
			now + 5, now + 8, now + 11, now + 14, now + 17);
	}
	{
		int y = atoi(now), mo = atoi(now + 5), d = atoi(now + 8);
		int h = atoi(now + 11), mi = atoi(now + 14), s = atoi(now + 17);
		m->dos_date = (zip_uint16_t)(((y - 1980) << 9) | (mo << 5) | d);
		m->dos_time = (zip_uint16_t)((h << 11) | (mi << 5) | (s / 2));
	}
	for (size_t i = 0; i < m->o->nreg; i++) {
		const struct reg_project *rp = &m->o->reg[i];
		if (rp->source == REG_SRC_RDC_DIRECT && rp->hud_project_id[0] &&
		    merge_ids_put(&m->rdc_hud, rp->hud_project_id, strlen(rp->hud_project_id),
			(uint32_t)i, NULL) < 0)
			return oom(m);
	}
	return HMX_OK;
}

static void merge_free(struct merge *m)
{
	for (size_t i = 0; m->in && i < m->nin; i++) {
		struct inp *ip = &m->in[i];
		hmiscsv_close(&ip->pkg);
		merge_ids_free(&ip->proj);
		merge_ids_free(&ip->orgs);
		merge_ids_free(&ip->enr);
		merge_ids_free(&ip->persons);
		merge_ids_free(&ip->users);
		free(ip->xrec);
		free(ip->xoff);
	}
	free(m->in);
	for (size_t f = 0; f < MERGE_MAX_FILES; f++) {
		free(m->fp[f].hdr);
		free(m->fp[f].names);
		merge_keys_free(&m->keys[f]);
	}
	merge_ids_free(&m->rdc_hud);
	free(m->export_csv);
	spec_free(&m->spec);
}

enum hmx_rc merge_run(const struct merge_input *inputs, size_t n, const struct merge_opts *o,
	struct merge_result *res, struct hmx_err *err)
{
	struct merge m;
	enum hmx_rc rc;

	memset(res, 0, sizeof *res);
	memset(&m, 0, sizeof m);
	hmx_err_clear(err);
	if (!o || !o->out || !o->out[0] || n == 0 || !inputs)
		return hmx_err_set(err, HMX_EINVAL, "an output path and at least one input are needed");
	{
		/* the zip is renamed into place: never over a device, pipe or folder */
		struct stat ost;

		if (stat(o->out, &ost) == 0 && !S_ISREG(ost.st_mode))
			return hmx_err_set(err, HMX_EINVAL,
					   "%s is not a regular file: give a file name for the export zip",
					   o->out);
	}
	if (n > 0xFFFF)
		return hmx_err_set(err, HMX_EINVAL, "too many inputs");
	if (o->start == CAL_NO_DAY || o->end == CAL_NO_DAY || o->end < o->start)
		return hmx_err_set(err, HMX_EINVAL, "the export period is not set");
	m.o = o;
	m.res = res;
	m.err = err;
	m.nin = n;
	m.multi = n > 1;
	hmx_strlcpy(res->out, o->out, sizeof res->out);
	hmx_strlcpy(res->cycle, o->cycle ? o->cycle : "", sizeof res->cycle);
	res->start = o->start;
	res->end = o->end;
	if (!(m.in = calloc(n, sizeof *m.in)) || !(res->inputs = calloc(n, sizeof *res->inputs))) {
		free(m.in);
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	}
	res->ninputs = n;
	for (size_t i = 0; i < n; i++) {
		m.in[i].in = &inputs[i];
		m.in[i].idx = i;
	}
	if ((rc = setup(&m)) != HMX_OK)
		goto done;
	for (size_t i = 0; i < n && rc == HMX_OK; i++)
		rc = open_input(&m, &m.in[i]);
	if (rc != HMX_OK)
		goto done;
	m.eol_default = eol_str(m.fp[m.f_export].eol, "\n");
	for (size_t i = 0; i < n && rc == HMX_OK; i++)
		rc = probe_headers(&m, &m.in[i]);
	res->nfiles = m.nfiles;
	for (size_t f = 0; f < m.nfiles; f++)
		hmx_strlcpy(res->files[f], m.fp[f].sf->name, sizeof res->files[f]);
	hmx_strlcpy(res->export_id, (o->flags & MERGE_KEEP_EXPORT_ID) ? res->inputs[0].export_id :
		m.export_id, sizeof res->export_id);
	if (o->flags & MERGE_KEEP_EXPORT_ID)
		hmx_strlcpy(m.export_id, res->inputs[0].export_id, sizeof m.export_id);
	hmx_strlcpy(res->csv_version, res->inputs[0].csv_version, sizeof res->csv_version);
	for (size_t i = 0; i < n && rc == HMX_OK; i++)
		rc = read_projects(&m, &m.in[i]);
	if (rc == HMX_OK)
		rc = pass1(&m);
	if (rc == HMX_OK)
		rc = verdict(&m);
	if (rc == HMX_OK)
		rc = build_export_csv(&m);
	if (rc == HMX_OK)
		rc = write_zip(&m);
	if (rc == HMX_OK) {
		size_t kept = 0;
		for (size_t i = 0; i < res->nprojects; i++)
			kept += res->projects[i].why == MERGE_KEPT;
		hmx_log(HMX_LOG_INFO, "export %s written: %zu of %zu source projects kept, %llu "
			"enrollments, %llu bytes", res->export_id, kept, res->nprojects,
			(unsigned long long)res->totals[spec_file_find(m.spec, "Enrollment.csv")->order]
				.kept, (unsigned long long)res->out_bytes);
	}
done:
	merge_free(&m);
	return rc;
}

void merge_result_free(struct merge_result *res)
{
	if (!res)
		return;
	free(res->inputs);
	free(res->projects);
	free(res->missing);
	free(res->findings);
	memset(res, 0, sizeof *res);
}

/* ---- merge_build: a cycle of the store ---- */

static bool is_hex_ref(const char *s)
{
	size_t n = strlen(s);

	if (n < 6 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

struct built_input {
	char path[4200];
	char label[80];
	char source[48];
	struct merge_decision *dec;
	size_t ndec;
};

static enum hmx_rc resolve(struct store *s, const char *cycle, const char *ref,
	const struct map_view *v, struct built_input *bi, bool *by_map, struct hmx_err *err)
{
	struct intake_info info;
	struct stat st;
	enum hmx_rc rc = HMX_ENOTFOUND;

	*by_map = false;
	if (is_hex_ref(ref)) {
		rc = intake_get(s, cycle, ref, &info, err);
		if (rc == HMX_OK) {
			size_t k = 0;

			if ((rc = intake_blob_path(s, info.sha256, bi->path, sizeof bi->path, err)))
				return rc;
			snprintf(bi->label, sizeof bi->label, "%.12s", info.sha256);
			hmx_strlcpy(bi->source, info.source, sizeof bi->source);
			for (size_t j = 0; j < v->nrows; j++)
				k += strcmp(v->files[v->rows[j].file].sha256, info.sha256) == 0;
			bi->dec = calloc(k ? k : 1, sizeof *bi->dec);
			if (!bi->dec)
				return hmx_err_set(err, HMX_ENOMEM, "out of memory");
			for (size_t j = 0; j < v->nrows; j++) {
				const struct map_row *r = &v->rows[j];
				struct merge_decision *d;

				if (strcmp(v->files[r->file].sha256, info.sha256) != 0)
					continue;
				d = &bi->dec[bi->ndec++];
				d->src_id = r->src_id;
				d->project = r->project;
				d->why = r->state == MAP_MAPPED ? MERGE_KEPT :
					r->state == MAP_NOT_OURS ? MERGE_NOT_OURS : MERGE_UNMAPPED;
			}
			*by_map = true;
			return HMX_OK;
		}
		if (rc != HMX_ENOTFOUND)
			return rc;
	}
	if (stat(ref, &st) == 0) {
		hmx_strlcpy(bi->path, ref, sizeof bi->path);
		hmx_strlcpy(bi->label, ref, sizeof bi->label);
		return HMX_OK;
	}
	if (rc == HMX_ENOTFOUND && is_hex_ref(ref))
		return rc; /* intake_get's message names how to list the files */
	return hmx_err_set(err, HMX_ENOTFOUND, "%s: no such file or folder, nor a file of %s "
		"(see 'hmx files %s')", ref, cycle, cycle);
}

enum hmx_rc merge_build(struct store *s, const char *cycle, const char *const *refs, size_t nrefs,
	const struct merge_build_opts *bo, struct merge_result *res, struct hmx_err *err)
{
	struct cycle_info ci;
	struct map_view v;
	struct reg_project *reg = NULL;
	struct built_input *bi = NULL;
	struct merge_input *in = NULL;
	struct merge_opts o;
	size_t nreg = 0;
	enum hmx_rc rc;

	memset(res, 0, sizeof *res);
	memset(&v, 0, sizeof v);
	if (!bo || !bo->out || nrefs == 0)
		return hmx_err_set(err, HMX_EINVAL, "an output path and at least one input are needed");
	if ((rc = cycle_get(s, cycle, cal_today(), &ci, err)) != HMX_OK)
		return rc;
	if ((rc = mapping_view(s, cycle, &v, err)) != HMX_OK)
		goto out;
	if ((rc = reg_project_list(s, NULL, &reg, &nreg, err)) != HMX_OK)
		goto out;
	bi = calloc(nrefs, sizeof *bi);
	in = calloc(nrefs, sizeof *in);
	if (!bi || !in) {
		rc = hmx_err_set(err, HMX_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nrefs; i++) {
		bool by_map;

		if ((rc = resolve(s, ci.code, refs[i], &v, &bi[i], &by_map, err)) != HMX_OK)
			goto out;
		in[i].path = bi[i].path;
		in[i].label = bi[i].label;
		in[i].source = bi[i].source[0] ? bi[i].source : NULL;
		in[i].by_map = by_map;
		in[i].dec = bi[i].dec;
		in[i].ndec = bi[i].ndec;
	}
	memset(&o, 0, sizeof o);
	o.out = bo->out;
	o.cycle = ci.code;
	o.start = ci.start;
	o.end = ci.end;
	o.export_id = bo->export_id;
	o.flags = bo->flags;
	o.reg = reg;
	o.nreg = nreg;
	rc = merge_run(in, nrefs, &o, res, err);
	if (rc == HMX_OK && !sqlite3_db_readonly(store_db(s), "main")) {
		char object[128], after[272];
		struct hmx_err e2;
		size_t kept = 0;
		const char *base = strrchr(res->out, '/');

		for (size_t i = 0; i < res->nprojects; i++)
			kept += res->projects[i].why == MERGE_KEPT;
		snprintf(object, sizeof object, "%.63s/export/%.40s", ci.code, res->export_id);
		snprintf(after, sizeof after, "file=%.80s; size=%llu; inputs=%zu; projects kept=%zu "
			"of %zu; X04=%zu%s", base ? base + 1 : res->out,
			(unsigned long long)res->out_bytes, res->ninputs, kept, res->nprojects,
			res->n_x04, res->n_x04 ? " (allowed)" : "");
		if (store_begin(s, &e2) != HMX_OK || audit_write(s, "export.build", object, NULL, after,
			&e2) != HMX_OK || store_commit(s, &e2) != HMX_OK) {
			store_rollback(s);
			hmx_log(HMX_LOG_WARN, "the export was written but not recorded in the audit "
				"log: %s", e2.msg);
		}
	}
out:
	for (size_t i = 0; bi && i < nrefs; i++)
		free(bi[i].dec);
	free(bi);
	free(in);
	free(reg);
	mapping_view_free(&v);
	return rc;
}
