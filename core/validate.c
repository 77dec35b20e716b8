/* core/validate.c — the validator's engine (see validate.h for the run and
 * validate_int.h for the family interface): package and version (P
 * checks), the schedule of files over worker threads, the per-row
 * dispatch to the S checks and the families, the cross-file pass, the
 * summary and the ordered delivery of findings.
 *
 * Threads. Export.csv is read first, alone (its ExportID, HashStatus and
 * version govern the rest). Then `threads` workers (the calling thread is
 * one of them), each with its own handle on the package, take the first
 * file in spec order whose dependencies are complete. A file's findings
 * go to its own sink, which sorts them; tables are written by one file
 * and read only by files that start after it. Nothing a worker does
 * depends on what another worker is doing at the time, so the output is
 * the same for any thread count.
 *
 * Package findings are decided on the main thread, from flags the workers
 * leave on their files (read error, limit, empty), in spec order, so they
 * are deterministic too. P09 while streaming stops validation: every file
 * finding is then dropped and only the P findings are delivered.
 *
 * Rows. The reader's record is copied (one memcpy of its field span) and
 * checked when the next record arrives; meanwhile the families' prefetch
 * hooks start loading the table slots the next record will need, so the
 * hash-table cache misses of one record overlap the checks of another.
 * The schedule takes the largest ready file first, so a big file does not
 * start last and leave the other workers idle. */
#include "validate_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* The families, in the order their hooks run (K is `early`). */
static const struct vfamily *const families[] = { &vcheck_k, &vcheck_q, &vcheck_d, &vcheck_x };
#define NFAM (sizeof families / sizeof families[0])

_Static_assert(NFAM <= VD_NFAM, "raise VD_NFAM");

static const char *const file_names[VF_N] = {
#define X(id, name) name,
	VD_FILES(X)
#undef X
};

const char *vd_file_name(enum vfid id)
{
	return id < VF_N ? file_names[id] : "";
}

void validate_opts_default(struct validate_opts *o)
{
	memset(o, 0, sizeof *o);
	o->spec = SPEC_UNKNOWN;
	o->timeliness_days = 6;
	o->inactive_days = 90;
}

const char *validate_severity_name(enum spec_severity s)
{
	return spec_severity_name(s);
}

/* ---- small helpers ---- */

size_t vd_printable(char *dst, size_t cap, const char *s, size_t n, bool utf8)
{
	size_t i = 0, k = 0;

	if (cap == 0)
		return 0;
	while (i < n && k + 1 < cap) {
		unsigned char c = (unsigned char)s[i];
		size_t len = 1;

		if (c >= 0x20 && c < 0x7f) {
			dst[k++] = (char)c;
			i++;
			continue;
		}
		if (utf8 && c >= 0xC2 && c <= 0xF4) {
			unsigned char lo = 0x80, hi = 0xBF;
			len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
			else if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
			bool ok = i + len <= n;
			for (size_t j = 1; ok && j < len; j++) {
				unsigned char d = (unsigned char)s[i + j];
				ok = d >= (j == 1 ? lo : 0x80) && d <= (j == 1 ? hi : 0xBF);
			}
			if (ok) {
				if (k + len + 1 > cap)
					break;
				memcpy(dst + k, s + i, len);
				k += len;
				i += len;
				continue;
			}
		}
		dst[k++] = '?';
		i++;
	}
	if (i < n && cap > 4) {
		/* cut: end with "..." on a character boundary */
		while (k > cap - 4)
			k--;
		while (k > 0 && ((unsigned char)dst[k] & 0xC0) == 0x80)
			k--;
		memcpy(dst + k, "...", 3);
		k += 3;
	}
	dst[k] = '\0';
	return k;
}

void vd_fail(struct vfile *vf, enum hmx_rc rc)
{
	if (vf->rc == HMX_OK)
		vf->rc = rc;
}

int vd_check(const struct vrun *run, const char *id)
{
	for (size_t i = 0; i < run->nchecks; i++)
		if (strcasecmp(spec_checks_at(run->checks, i)->id, id) == 0)
			return (int)i;
	return -1;
}

static int col_of(const struct spec_file *sf, const char *name)
{
	bool exact;
	const struct spec_column *c;

	if (!sf)
		return -1;
	c = spec_column_find(sf, name, strlen(name), &exact);
	return c && exact ? (int)c->index : -1;
}

int vd_col(const struct vrun *run, enum vfid id, const char *name)
{
	return id < VF_N && run->byid[id] ? col_of(run->byid[id]->sf, name) : -1;
}

int vd_fcol(const struct vfile *vf, const char *name)
{
	return col_of(vf->sf, name);
}

int32_t vrow_day(const struct vrow *v, int col)
{
	const struct hcsv_field *f = vrow_get(v, col);
	int32_t d;

	if (!f || !f->len)
		return VD_NODAY;
	switch (v->h->file->columns[col].type) {
	case SPEC_DATE:
		return vd_date(f->p, f->len, &d) ? d : VD_NODAY;
	case SPEC_DATETIME:
		return vd_datetime(f->p, f->len, &d) ? d : VD_NODAY;
	default:
		return VD_NODAY;
	}
}

int vrow_code(const struct vrow *v, int col)
{
	const struct hcsv_field *f = vrow_get(v, col);
	const struct spec_column *c;
	long x;

	if (!f || !f->len)
		return VD_CODE_NONE;
	if (vrow_bad(v, col) || !vd_int(f->p, f->len, &x))
		return VD_CODE_BAD;
	if (v->cols) {
		const struct vcol *vc = &v->cols[col];
		return !vc->coded || vs_code_ok(vc, v, x, f->p, f->len) ? (int)x : VD_CODE_BAD;
	}
	c = &v->h->file->columns[col];
	if (c->nlists) {
		const struct spec_codelist *l = c->nrules ? hcsv_codes_pick(v->r, v->h, c) : NULL;
		if (!spec_code_valid(c, l, f->p, f->len))
			return VD_CODE_BAD;
	}
	return (int)x;
}

/* ---- emitting ---- */

void vd_emit_sev(struct vfile *vf, uint64_t line, int check, int keycol, const char *key,
	size_t keylen, int col, const char *detail, uint32_t project, int sev)
{
	struct vrun *run = vf->run;
	struct vrec rec;

	if (check < 0 || (size_t)check >= run->nchecks)
		return;
	memset(&rec, 0, sizeof rec);
	rec.major = line;
	rec.line = line;
	rec.project = project;
	rec.check = (uint16_t)check;
	rec.rank = run->rank[check];
	rec.col = (int16_t)(col >= 0 && (size_t)col < vf->sf->ncolumns ? col : -1);
	if (sev < 0)
		sev = (int)spec_check_severity(spec_checks_at(run->checks, (size_t)check),
			rec.col >= 0 ? &vf->sf->columns[rec.col] : NULL);
	rec.sev = (uint8_t)sev;
	if (key && keycol >= 0 && (size_t)keycol < vf->sf->ncolumns) {
		rec.keycol = (int16_t)keycol;
		rec.keylen = (uint8_t)vd_printable(rec.key, sizeof rec.key, key, keylen, false);
	} else {
		rec.keycol = -1;
	}
	if (detail)
		rec.detlen = (uint8_t)vd_printable(rec.detail, sizeof rec.detail, detail,
			strlen(detail), false);
	vsink_add(&vf->sink, &rec);
}

void vd_emit(struct vfile *vf, uint64_t line, int check, int keycol, const char *key,
	size_t keylen, int col, const char *detail, uint32_t project)
{
	vd_emit_sev(vf, line, check, keycol, key, keylen, col, detail, project, -1);
}

void vd_emit_row(struct vfile *vf, const struct vrow *r, int check, int col, const char *detail)
{
	vd_emit(vf, r->line, check, vf->col_pk, r->pk ? r->pk->p : NULL, r->pk ? r->pk->len : 0,
		col, detail, r->project);
}

void vd_emit_text(struct vfile *vf, uint64_t line, int check, const char *column,
	const char *detail)
{
	struct vrun *run = vf->run;
	struct vrec rec;

	if (check < 0)
		return;
	memset(&rec, 0, sizeof rec);
	rec.major = line;
	rec.line = line;
	rec.project = VT_NONE;
	rec.check = (uint16_t)check;
	rec.rank = run->rank[check];
	rec.keycol = -1;
	rec.col = -1;
	rec.sev = (uint8_t)spec_check_severity(spec_checks_at(run->checks, (size_t)check), NULL);
	rec.textlen = (uint8_t)vd_printable(rec.text, sizeof rec.text, column, strlen(column), false);
	if (detail)
		rec.detlen = (uint8_t)vd_printable(rec.detail, sizeof rec.detail, detail,
			strlen(detail), false);
	vsink_add(&vf->sink, &rec);
}

/* A P finding: sorted by check, then frank (file order, entry order). */
static void pkg_emit(struct vrun *run, int n, uint64_t frank, const char *file,
	const char *detail)
{
	struct vrec rec;
	int check = run->ck_p[n];

	if (check < 0)
		return;
	memset(&rec, 0, sizeof rec);
	rec.check = (uint16_t)check;
	rec.rank = run->rank[check];
	rec.major = (uint64_t)rec.rank << 32 | (frank & 0xffffffffu);
	rec.project = VT_NONE;
	rec.keycol = -1;
	rec.col = -1;
	rec.sev = (uint8_t)spec_check_severity(spec_checks_at(run->checks, (size_t)check), NULL);
	if (file)
		rec.textlen = (uint8_t)vd_printable(rec.text, sizeof rec.text, file, strlen(file),
			false);
	if (detail)
		rec.detlen = (uint8_t)vd_printable(rec.detail, sizeof rec.detail, detail,
			strlen(detail), false);
	vsink_add(&run->psink, &rec);
}

/* ---- package events (the first open and Export.csv's read) ---- */

static const char *refuse_name(uint64_t why)
{
	switch (why) {
	case HCSV_REFUSE_ABSOLUTE: return "absolute";
	case HCSV_REFUSE_DOTDOT: return "dotdot";
	case HCSV_REFUSE_SYMLINK: return "symlink";
	case HCSV_REFUSE_SPECIAL: return "special";
	default: return NULL;
	}
}

static void pkg_event(void *ctx, const struct hcsv_event *ev)
{
	struct vrun *run = ctx;
	char folder[VD_TEXTMAX];

	switch (ev->kind) {
	case HCSV_EV_UNREADABLE:
		if (!run->unreadable)
			pkg_emit(run, 1, 0, ev->file ? ev->file : "", NULL);
		run->unreadable = true;
		break;
	case HCSV_EV_SUBFOLDER:
		snprintf(folder, sizeof folder, "%s/", ev->name ? ev->name : "");
		pkg_emit(run, 2, 0, folder, NULL);
		break;
	case HCSV_EV_REFUSED:
		pkg_emit(run, 8, run->nrefused++, ev->name ? ev->name : "", refuse_name(ev->count));
		break;
	case HCSV_EV_LIMIT:
		if (!run->p09)
			pkg_emit(run, 9, 0, ev->file ? ev->file : "", ev->file ? "ratio" : "total");
		run->p09 = true;
		break;
	default:
		break;
	}
}

/* ---- reading one file ---- */

struct worker {
	struct vrun *run;
	struct hmiscsv *pkg;
	struct vfile *cur;
	pthread_t th;
	bool started;
};

static void begin_families(struct vfile *vf)
{
	struct vrun *run = vf->run;

	for (size_t i = 0; i < NFAM; i++) {
		enum hmx_rc rc;
		if (!families[i]->file_begin)
			continue;
		rc = families[i]->file_begin(vf, run->fam[i], &vf->fstate[i]);
		if (rc != HMX_OK) {
			vd_fail(vf, rc);
			return;
		}
	}
}

static void end_families(struct vfile *vf)
{
	struct vrun *run = vf->run;

	if (!vf->begun)
		return;
	for (size_t i = 0; i < NFAM; i++) {
		if (families[i]->file_end)
			families[i]->file_end(vf, run->fam[i], vf->fstate[i]);
		vf->fstate[i] = NULL;
	}
	vf->begun = false;
}

/* The header as rows see it, copied so the last held record can be
 * checked after the reader is gone. */
static bool copy_header(struct vfile *vf, const struct hcsv_header *h)
{
	size_t n = vf->sf->ncolumns;

	free(vf->hpos);
	vf->hpos = malloc((n ? n : 1) * sizeof *vf->hpos);
	if (!vf->hpos)
		return false;
	memcpy(vf->hpos, h->pos_of, n * sizeof *vf->hpos);
	vf->hcopy = *h;
	vf->hcopy.names = NULL;
	vf->hcopy.col_of = NULL;
	vf->hcopy.pos_of = vf->hpos;
	return true;
}

static int eng_header(void *ctx, const struct hcsv_header *h)
{
	struct vfile *vf = ctx;
	enum hmx_rc rc;

	vf->hdr = h;
	vf->saw_header = true;
	vf->pk_mapped = vf->col_pk >= 0 && h->pos_of && h->pos_of[vf->col_pk] >= 0;
	if (!copy_header(vf, h)) {
		vd_fail(vf, HMX_ENOMEM);
		return 1;
	}
	if ((rc = vs_plan(vf)) != HMX_OK) {
		vd_fail(vf, rc);
		return 1;
	}
	vf->begun = true;
	begin_families(vf);
	return vf->rc ? 1 : 0;
}

static void fact(char *dst, size_t cap, const struct vrow *v, const char *name)
{
	const struct hcsv_field *f = vrow_get(v, col_of(v->h->file, name));

	if (f)
		vd_printable(dst, cap, f->p, f->len, false);
	else
		dst[0] = '\0';
}

static void capture_facts(struct vrun *run, struct vfile *vf, const struct vrow *v)
{
	struct validate_result *res = run->res;
	const struct hcsv_field *f;
	long hs;

	fact(res->version, sizeof res->version, v, "CSVVersion");
	fact(res->export_id, sizeof res->export_id, v, "ExportID");
	fact(res->source_name, sizeof res->source_name, v, "SourceName");
	fact(res->software, sizeof res->software, v, "SoftwareName");
	fact(res->export_date, sizeof res->export_date, v, "ExportDate");
	fact(res->start_date, sizeof res->start_date, v, "ExportStartDate");
	fact(res->end_date, sizeof res->end_date, v, "ExportEndDate");
	f = vrow_get(v, col_of(vf->sf, "HashStatus"));
	if (f && vd_int(f->p, f->len, &hs))
		run->hash_status = res->hash_status = (int)hs;
	f = vrow_get(v, vf->col_export);
	if (f && f->len && f->len < sizeof run->export_id) {
		memcpy(run->export_id, f->p, f->len);
		run->export_id[f->len] = '\0';
		run->export_id_len = f->len;
		run->have_export_id = true;
	}
}

static bool all_hex(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return false;
	}
	return true;
}

/* P07 on one of the first 1,000 Client rows: names and SSN against
 * HashStatus 4 (64 hex digits; an SSN may keep up to 4 digits after them)
 * or 1 (nothing that looks like a digest: 32 or more hex digits). */
static void judge_p07(struct vrun *run, struct vfile *vf, const struct vrow *v)
{
	static const char *const cols[] = { "FirstName", "LastName", "SSN" };

	for (size_t i = 0; i < 3 && !run->p07; i++) {
		const struct hcsv_field *f = vrow_get(v, col_of(vf->sf, cols[i]));
		if (!f || !f->len)
			continue;
		if (run->hash_status == 4) {
			bool ok = f->len >= 64 && all_hex(f->p, 64);
			if (ok && f->len > 64) {
				ok = i == 2 && f->len <= 68;
				for (size_t k = 64; ok && k < f->len; k++)
					ok = f->p[k] >= '0' && f->p[k] <= '9';
			}
			if (!ok)
				run->p07 = "not-sha256";
		} else if (f->len >= 32 && all_hex(f->p, f->len)) {
			run->p07 = "hashed";
		}
	}
}

/* Checks one record (a held copy): facts, P07, deleted rows, then the
 * early families (K), the S checks, the late hooks, the other families. */
static void check_row(struct vfile *vf, struct vheld *hd)
{
	struct vrun *run = vf->run;
	const struct hcsv_row *row = &hd->row;
	const struct hcsv_header *h = &vf->hcopy;
	const struct hcsv_field *f;
	struct vrow v;

	memset(v.bad, 0, sizeof v.bad);
	v.r = row;
	v.h = h;
	v.cols = vf->cols;
	v.line = row->line;
	v.pk = vf->col_pk >= 0 ? hcsv_get(row, h, (size_t)vf->col_pk) : NULL;
	v.self = v.enrollment = v.person = v.project = v.household = VT_NONE;
	v.dup = false;
	if (hd->s09)
		vf->pending_s09_line = row->line; /* for vs_flush_s09 below */
	if (vf->id == VF_EXPORT && row->index == 0)
		capture_facts(run, vf, &v);
	if (vf->id == VF_CLIENT && row->index < 1000 &&
	    (run->hash_status == 1 || run->hash_status == 4))
		judge_p07(run, vf, &v);
	f = vrow_get(&v, vf->col_deleted);
	if (f && f->len) {
		vs_flush_s09(vf, &v);
		vs_export(vf, &v);
		vf->deleted++;
		vd_emit_row(vf, &v, run->ck_s[17], vf->col_deleted, NULL);
		return;
	}
	for (size_t i = 0; i < NFAM && !vf->rc; i++)
		if (families[i]->early && families[i]->row)
			families[i]->row(vf, run->fam[i], vf->fstate[i], &v);
	vs_flush_s09(vf, &v);
	vs_export(vf, &v);
	vs_row(vf, &v);
	for (size_t i = 0; i < NFAM && !vf->rc; i++)
		if (families[i]->early && families[i]->late)
			families[i]->late(vf, run->fam[i], vf->fstate[i], &v);
	for (size_t i = 0; i < NFAM && !vf->rc; i++)
		if (!families[i]->early && families[i]->row)
			families[i]->row(vf, run->fam[i], vf->fstate[i], &v);
	if (vf->sink.rc)
		vd_fail(vf, vf->sink.rc);
}

/* Copies the reader's record into hd (fields valid only in the callback).
 * The reader keeps a record's fields one after the other in one buffer:
 * then one copy of that span and rebased pointers do; else field by field. */
static bool hold(struct vheld *hd, const struct hcsv_row *row)
{
	size_t n = row->nfields, bytes = 0, span = 0;
	const char *lo = n ? row->f[0].p : NULL;
	bool one = n > 0;
	char *b;

	for (size_t i = 0; i < n; i++) {
		bytes += row->f[i].len + 1;
		one = one && row->f[i].p >= lo;
	}
	if (one) {
		span = (size_t)(row->f[n - 1].p - lo) + row->f[n - 1].len + 1;
		for (size_t i = 0; one && i < n; i++)
			one = (size_t)(row->f[i].p - lo) + row->f[i].len < span;
		if (span > 2 * bytes + 64)
			one = false;
	}
	if (one)
		bytes = span;
	if (n > hd->fcap) {
		size_t cap = n + 16;
		struct hcsv_field *nf = realloc(hd->fields, cap * sizeof *nf);
		if (!nf)
			return false;
		hd->fields = nf;
		hd->fcap = cap;
	}
	if (bytes > hd->bcap) {
		size_t cap = bytes + bytes / 2 + 256;
		char *nb = realloc(hd->bytes, cap);
		if (!nb)
			return false;
		hd->bytes = nb;
		hd->bcap = cap;
	}
	b = hd->bytes;
	if (one) {
		memcpy(b, lo, span);
		for (size_t i = 0; i < n; i++) {
			hd->fields[i].p = b + (row->f[i].p - lo);
			hd->fields[i].len = row->f[i].len;
		}
	} else {
		for (size_t i = 0; i < n; i++) {
			memcpy(b, row->f[i].p, row->f[i].len);
			b[row->f[i].len] = '\0';
			hd->fields[i].p = b;
			hd->fields[i].len = row->f[i].len;
			b += row->f[i].len + 1;
		}
	}
	hd->row = *row;
	hd->row.f = hd->fields;
	hd->full = true;
	return true;
}

/* The reader's record callback: hold this record, let the families
 * prefetch for it, and check the one held before. */
static int eng_row(void *ctx, const struct hcsv_header *h, const struct hcsv_row *row)
{
	struct vfile *vf = ctx;
	struct vrun *run = vf->run;
	struct vheld *next = &vf->held[vf->hi ^ 1u];

	(void)h;
	if (vf->rc || atomic_load(&run->brake))
		return 1;
	if (row->index < VD_SAMPLE) {
		for (size_t i = 0; i < row->nfields; i++)
			vf->sample_bytes += row->f[i].len + 1;
		if (row->index == VD_SAMPLE - 1) {
			uint64_t cap = vf->size / 16, est;
			est = vf->sample_bytes ? vf->size * VD_SAMPLE / vf->sample_bytes : 0;
			vf->est_rows = est < cap ? est : cap;
		}
	}
	if (!hold(next, row)) {
		vd_fail(vf, HMX_ENOMEM);
		return 1;
	}
	next->s09 = vf->pending_s09_line == row->line;
	if (next->s09)
		vf->pending_s09_line = 0;
	{
		struct vrow v;
		memset(&v, 0, sizeof v);
		v.r = &next->row;
		v.h = &vf->hcopy;
		v.cols = vf->cols;
		v.line = row->line;
		v.pk = vf->col_pk >= 0 ? hcsv_get(&next->row, &vf->hcopy, (size_t)vf->col_pk) : NULL;
		for (size_t i = 0; i < NFAM; i++)
			if (families[i]->prefetch)
				families[i]->prefetch(vf, run->fam[i], vf->fstate[i], &v);
	}
	if (vf->held[vf->hi].full) {
		check_row(vf, &vf->held[vf->hi]);
		vf->held[vf->hi].full = false;
	}
	vf->hi ^= 1u;
	return vf->rc ? 1 : 0;
}

static void eng_event(void *ctx, const struct hcsv_event *ev)
{
	vs_event(ctx, ev);
}

static void eng_progress(void *ctx, const char *file, uint64_t done, uint64_t total)
{
	struct vfile *vf = ctx;
	struct vrun *run = vf->run;
	uint64_t delta = done > vf->last_done ? done - vf->last_done : 0;
	uint64_t all, prod;

	(void)total;
	vf->last_done = done;
	all = atomic_fetch_add(&run->done_bytes, delta) + delta;
	prod = atomic_fetch_add(&run->produced, delta) + delta;
	if (hmiscsv_is_zip(run->pkg) && run->opts.limits.max_total &&
	    prod > run->opts.limits.max_total)
		atomic_store(&run->brake, true);
	pthread_mutex_lock(&run->progress_mu);
	hmx_progress(file, all, run->total_bytes);
	pthread_mutex_unlock(&run->progress_mu);
}

/* Package events of a worker's own handle: only a limit matters. */
static void worker_event(void *ctx, const struct hcsv_event *ev)
{
	struct worker *w = ctx;

	if (ev->kind != HCSV_EV_LIMIT || !w->cur)
		return;
	if (ev->count > w->run->opts.limits.max_total)
		atomic_store(&w->run->brake, true);
	else
		w->cur->limit = true;
}

static void free_held(struct vfile *vf)
{
	for (int i = 0; i < 2; i++) {
		free(vf->held[i].fields);
		free(vf->held[i].bytes);
		memset(&vf->held[i], 0, sizeof vf->held[i]);
	}
	free(vf->hpos);
	vf->hpos = NULL;
}

static void read_file(struct hmiscsv *pkg, struct vfile *vf)
{
	struct hcsv_handler h = { eng_header, eng_row, eng_event, eng_progress, vf };
	const struct hmiscsv_entry *e;
	struct hmx_err err;
	enum hmx_rc rc;

	if (vf->entry == SIZE_MAX || !(e = hmiscsv_entry(pkg, vf->entry)))
		return;
	rc = hmiscsv_read(pkg, e, vf->sf, &h, &vf->st, &err);
	if (rc == HMX_ESTATE && !atomic_load(&vf->run->brake))
		vf->limit = true;
	else if (rc == HMX_EIO)
		vf->read_error = true;
	else if (rc == HMX_ENOMEM)
		vd_fail(vf, HMX_ENOMEM);
	if (vf->held[vf->hi].full && !vf->rc && !atomic_load(&vf->run->brake))
		check_row(vf, &vf->held[vf->hi]);
	vs_flush_s09(vf, NULL);
	end_families(vf);
	free_held(vf);
	vs_unplan(vf);
	vf->hdr = NULL;
	if (vf->sink.rc)
		vd_fail(vf, vf->sink.rc);
	vsink_settle(&vf->sink);
	if (vf->sink.rc)
		vd_fail(vf, vf->sink.rc);
}

/* ---- the schedule ---- */

static bool ready(const struct vrun *run, const struct vfile *vf)
{
	if (vf->id >= VF_N)
		return true;
	for (size_t i = 0; i < NFAM; i++) {
		const struct vfamily *fm = families[i];
		for (size_t k = 0; k < fm->ndeps; k++) {
			const struct vfile *need;
			if (fm->deps[k].file != vf->id)
				continue;
			need = run->byid[fm->deps[k].needs];
			if (need && need->state != VFS_DONE)
				return false;
		}
	}
	return true;
}

/* Whether file `id` starts only after `need` is done (transitively). */
static bool depends(enum vfid id, enum vfid need, int depth)
{
	if (id == need)
		return true;
	if (depth > VF_N)
		return false;
	for (size_t i = 0; i < NFAM; i++)
		for (size_t k = 0; k < families[i]->ndeps; k++)
			if (families[i]->deps[k].file == id &&
			    depends(families[i]->deps[k].needs, need, depth + 1))
				return true;
	return false;
}

bool vd_complete(const struct vfile *vf, enum vfid need)
{
	return vf->id < VF_N && need < VF_N && vf->id != need && depends(vf->id, need, 0) &&
	       vf->run->t.complete[need];
}

/* The next file a worker should read, or NULL when none is left (or the
 * run failed or braked). Blocks while every pending file waits for one
 * being read. */
static struct vfile *claim_next(struct vrun *run)
{
	struct vfile *got = NULL;

	pthread_mutex_lock(&run->mu);
	for (;;) {
		bool pending = false;

		if (run->rc != HMX_OK || atomic_load(&run->brake))
			break;
		/* the largest ready file first (ties: spec order): big files
		 * left for the end would leave the other workers idle */
		for (size_t i = 0; i < run->nfiles; i++) {
			struct vfile *vf = &run->files[i];
			if (vf->state != VFS_PENDING)
				continue;
			pending = true;
			if ((!got || vf->size > got->size) && ready(run, vf))
				got = vf;
		}
		if (got)
			got->state = VFS_RUNNING;
		if (got || !pending)
			break;
		pthread_cond_wait(&run->cv, &run->mu);
	}
	pthread_mutex_unlock(&run->mu);
	return got;
}

static void finish_file(struct vrun *run, struct vfile *vf)
{
	pthread_mutex_lock(&run->mu);
	if (vf->id < VF_N)
		run->t.complete[vf->id] = vf->entry != SIZE_MAX && vf->saw_header &&
					  vf->pk_mapped && !vf->st.halted && !vf->st.cancelled &&
					  !vf->read_error && !vf->limit && vf->rc == HMX_OK;
	vf->state = VFS_DONE;
	if (vf->rc != HMX_OK && run->rc == HMX_OK) {
		run->rc = vf->rc;
		hmx_err_set(&run->err, vf->rc, "%s: %s", vf->sf->name,
			vf->rc == HMX_ENOMEM ? "out of memory" :
			"cannot spill findings to the temporary directory");
	}
	pthread_cond_broadcast(&run->cv);
	pthread_mutex_unlock(&run->mu);
}

static void fail_run(struct vrun *run, enum hmx_rc rc, const char *msg)
{
	pthread_mutex_lock(&run->mu);
	if (run->rc == HMX_OK) {
		run->rc = rc;
		hmx_err_set(&run->err, rc, "%s", msg);
	}
	pthread_cond_broadcast(&run->cv);
	pthread_mutex_unlock(&run->mu);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct vrun *run = w->run;
	struct vfile *vf;

	while ((vf = claim_next(run))) {
		w->cur = vf;
		read_file(w->pkg, vf);


		if (vf->limit) {
			/* a limit closes the handle to further reads: open afresh */
			struct hmx_err err;
			hmiscsv_close(&w->pkg);
			if (hmiscsv_open(run->path, &run->opts.limits, worker_event, w, &w->pkg,
				&err) != HMX_OK)
				fail_run(run, HMX_EIO, "the export changed while it was read");
		}
		w->cur = NULL;
		finish_file(run, vf);
		if (!w->pkg)
			break;
	}
	return NULL;
}

static unsigned thread_count(const struct vrun *run, size_t nfiles)
{
	unsigned n = run->opts.threads;

	if (!n) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		n = c > 0 ? (unsigned)c : 1;
		if (n > 4)
			n = 4;
	}
	if (n > 64)
		n = 64;
	if (n > nfiles)
		n = nfiles ? (unsigned)nfiles : 1;
	return n;
}

/* Opens the worker's own handle and checks it lists what the first did. */
static bool worker_open(struct worker *w)
{
	struct vrun *run = w->run;
	struct hmx_err err;

	if (hmiscsv_open(run->path, &run->opts.limits, worker_event, w, &w->pkg, &err) != HMX_OK)
		return false;
	if (hmiscsv_count(w->pkg) != hmiscsv_count(run->pkg))
		return false;
	for (size_t i = 0; i < hmiscsv_count(w->pkg); i++)
		if (strcmp(hmiscsv_entry(w->pkg, i)->path, hmiscsv_entry(run->pkg, i)->path) != 0)
			return false;
	return true;
}

static void read_all(struct vrun *run)
{
	size_t todo = 0;
	unsigned n;
	struct worker *ws;

	for (size_t i = 0; i < run->nfiles; i++)
		if (run->files[i].state == VFS_PENDING)
			todo++;
	n = thread_count(run, todo);
	ws = calloc(n, sizeof *ws);
	if (!ws) {
		fail_run(run, HMX_ENOMEM, "out of memory");
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		ws[i].run = run;
		if (!worker_open(&ws[i])) {
			fail_run(run, HMX_EIO, "the export changed while it was read");
			break;
		}
	}
	for (unsigned i = 1; i < n && run->rc == HMX_OK; i++)
		ws[i].started = pthread_create(&ws[i].th, NULL, worker_main, &ws[i]) == 0;
	if (run->rc == HMX_OK)
		worker_main(&ws[0]);
	for (unsigned i = 1; i < n; i++)
		if (ws[i].started)
			pthread_join(ws[i].th, NULL);
	for (unsigned i = 0; i < n; i++)
		hmiscsv_close(&ws[i].pkg);
	free(ws);
}

/* ---- set-up ---- */

static enum hmx_rc load_catalog(struct vrun *run, struct hmx_err *err)
{
	enum hmx_rc rc = spec_checks_load(&run->checks, err);
	size_t *idx;
	char id[8];

	if (rc != HMX_OK)
		return rc;
	run->nchecks = spec_checks_count(run->checks);
	run->rank = calloc(run->nchecks ? run->nchecks : 1, sizeof *run->rank);
	idx = calloc(run->nchecks ? run->nchecks : 1, sizeof *idx);
	if (!run->rank || !idx) {
		free(idx);
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	}
	/* rank = position of the id in string order (insertion sort: ~70) */
	for (size_t i = 0; i < run->nchecks; i++) {
		size_t k = i;
		while (k > 0 && strcmp(spec_checks_at(run->checks, idx[k - 1])->id,
				      spec_checks_at(run->checks, i)->id) > 0) {
			idx[k] = idx[k - 1];
			k--;
		}
		idx[k] = i;
	}
	for (size_t i = 0; i < run->nchecks; i++)
		run->rank[idx[i]] = (uint16_t)i;
	free(idx);
	for (int i = 1; i <= 9; i++) {
		snprintf(id, sizeof id, "P%02d", i);
		run->ck_p[i] = vd_check(run, id);
	}
	for (int i = 1; i <= 18; i++) {
		snprintf(id, sizeof id, "S%02d", i);
		run->ck_s[i] = vd_check(run, id);
	}
	for (int i = 1; i <= 12; i++) {
		snprintf(id, sizeof id, "K%02d", i);
		run->ck_k[i] = vd_check(run, id);
	}
	for (int i = 1; i <= 18; i++)
		if ((i <= 9 && run->ck_p[i] < 0) || run->ck_s[i] < 0 || (i <= 12 && run->ck_k[i] < 0))
			return hmx_err_set(err, HMX_EINVAL, "the check catalog lacks a P, S or K check");
	return HMX_OK;
}

static enum hmx_rc setup_files(struct vrun *run, struct hmx_err *err)
{
	run->nfiles = spec_nfiles(run->spec);
	run->files = calloc(run->nfiles ? run->nfiles : 1, sizeof *run->files);
	if (!run->files)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	for (size_t i = 0; i < run->nfiles; i++) {
		struct vfile *vf = &run->files[i];
		const struct spec_file *sf = spec_file_at(run->spec, i);
		int uc;

		vf->run = run;
		vf->sf = sf;
		vf->order = i;
		vf->entry = SIZE_MAX;
		vf->id = VF_N;
		for (int k = 0; k < VF_N; k++)
			if (strcmp(sf->name, file_names[k]) == 0)
				vf->id = (enum vfid)k;
		if (vf->id < VF_N)
			run->byid[vf->id] = vf;
		if (vsink_init(&vf->sink, run->nchecks, false, run->opts.tmpdir) != HMX_OK)
			return hmx_err_set(err, HMX_ENOMEM, "out of memory");
		vf->col_pk = sf->pk ? (int)sf->pk->index : -1;
		vf->col_deleted = col_of(sf, "DateDeleted");
		vf->col_export = col_of(sf, "ExportID");
		uc = col_of(sf, "UserID");
		vf->col_user = uc >= 0 && sf->columns[uc].fk_file &&
			       strcmp(sf->columns[uc].fk_file->name, "User.csv") == 0 ? uc : -1;
		vf->col_enrollment = col_of(sf, "EnrollmentID");
		vf->col_personal = col_of(sf, "PersonalID");
		vf->col_project = col_of(sf, "ProjectID");
	}
	return HMX_OK;
}

/* Matches package entries to spec files; P04 for the rest. */
static void map_entries(struct vrun *run)
{
	size_t n = hmiscsv_count(run->pkg);

	for (size_t i = 0; i < n; i++) {
		const struct hmiscsv_entry *e = hmiscsv_entry(run->pkg, i);
		const struct spec_file *sf = e->in_base && !e->duplicate ?
			spec_file_find(run->spec, e->name) : NULL;

		if (sf && run->files[sf->order].entry == SIZE_MAX) {
			run->files[sf->order].entry = i;
			run->files[sf->order].size = e->size;
			continue;
		}
		pkg_emit(run, 4, 1000 + i, e->path,
			e->duplicate ? "duplicate" : !e->in_base ? "outside" : NULL);
	}
}

static void free_run(struct vrun *run)
{
	for (size_t i = 0; i < NFAM; i++)
		if (families[i]->fini && run->fam[i])
			families[i]->fini(run, run->fam[i]);
	for (size_t i = 0; run->files && i < run->nfiles; i++) {
		end_families(&run->files[i]);
		vs_unplan(&run->files[i]);
		free_held(&run->files[i]);
		vsink_free(&run->files[i].sink);
	}
	free(run->files);
	vsink_free(&run->psink);
	ktab_free(&run->t.users);
	ktab_free(&run->t.orgs);
	ktab_free(&run->t.projects);
	ktab_free(&run->t.clients);
	ktab_free(&run->t.enrollments);
	ktab_free(&run->t.households);
	ktab_free(&run->t.assessments);
	ktab_free(&run->t.orphan_persons);
	ktab_free(&run->t.orphan_projects);
	free(run->names);
	free(run->rank);
	hmiscsv_close(&run->pkg);
	spec_free(&run->spec);
	spec_checks_free(&run->checks);
	pthread_mutex_destroy(&run->mu);
	pthread_cond_destroy(&run->cv);
	pthread_mutex_destroy(&run->progress_mu);
}

/* ---- the result ---- */

struct priv {
	struct spec *spec;
	struct spec_checks *checks;
};

static enum hmx_rc build_result(struct vrun *run, struct validate_result *res,
	struct hmx_err *err)
{
	struct priv *pv = res->priv;
	size_t np = ktab_count(&run->t.projects);

	res->nchecks = run->nchecks;
	res->checks = calloc(run->nchecks ? run->nchecks : 1, sizeof *res->checks);
	res->nfiles = run->nfiles;
	res->files = calloc(run->nfiles ? run->nfiles : 1, sizeof *res->files);
	res->nprojects = np;
	res->projects = calloc(np ? np : 1, sizeof *res->projects);
	if (!res->checks || !res->files || !res->projects)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	for (size_t i = 0; i < run->nchecks; i++)
		res->checks[i].check = spec_checks_at(run->checks, i);
	for (size_t i = 0; i < np; i++) {
		const struct vt_project *p = ktab_at(&run->t.projects, (uint32_t)i);
		char id[VD_KEYMAX], *pid;
		size_t len = ktab_id(&run->t.projects, (uint32_t)i, id, sizeof id);
		char shown[VD_KEYMAX];

		vd_printable(shown, sizeof shown, id, len < sizeof id ? len : sizeof id - 1, false);
		pid = strdup(shown);
		res->projects[i].id = pid;
		res->projects[i].name = strdup(run->names && p->name < run->nlen ?
			run->names + p->name : "");
		if (!pid || !res->projects[i].name)
			return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	}
	for (size_t f = 0; f <= run->nfiles; f++) {
		struct vsink *s = f < run->nfiles ? &run->files[f].sink : &run->psink;
		for (size_t i = 0; i < run->nchecks; i++) {
			for (int v = 0; v < VALIDATE_NSEV; v++) {
				uint64_t c = s->cnt[i * VALIDATE_NSEV + (size_t)v];
				res->checks[i].by_sev[v] += c;
				res->checks[i].total += c;
				res->by_sev[v] += c;
				res->total += c;
			}
		}
		for (size_t p = 0; p < s->nproj && p < np; p++)
			for (int v = 0; v < VALIDATE_NSEV; v++)
				res->projects[p].by_sev[v] += s->proj[p][v];
		for (int v = 0; v < VALIDATE_NSEV; v++)
			res->no_project[v] += s->noproj[v];
	}
	for (size_t i = 0; i < run->nfiles; i++) {
		const struct vfile *vf = &run->files[i];
		struct validate_file_info *fi = &res->files[i];
		fi->name = vf->sf->name;
		fi->present = vf->entry != SIZE_MAX;
		fi->header = vf->saw_header;
		fi->halted = vf->st.halted || vf->read_error || vf->limit;
		fi->rows = vf->st.rows;
		fi->deleted = vf->deleted;
		fi->bytes = vf->st.bytes;
		res->bytes += vf->st.bytes;
	}
	/* the spec and catalog move to the result: names point into them */
	pv->spec = run->spec;
	pv->checks = run->checks;
	run->spec = NULL;
	run->checks = NULL;
	return HMX_OK;
}

void validate_result_free(struct validate_result *res)
{
	struct priv *pv;

	if (!res)
		return;
	pv = res->priv;
	for (size_t i = 0; res->projects && i < res->nprojects; i++) {
		free((char *)res->projects[i].id);
		free((char *)res->projects[i].name);
	}
	free(res->projects);
	free(res->files);
	free(res->checks);
	if (pv) {
		spec_free(&pv->spec);
		spec_checks_free(&pv->checks);
		free(pv);
	}
	memset(res, 0, sizeof *res);
	res->hash_status = -1;
}

bool validate_blocking(const struct validate_result *res)
{
	return res->by_sev[SPEC_SEV_BLOCKING] > 0;
}

uint64_t validate_count(const struct validate_result *res, const char *check)
{
	for (size_t i = 0; i < res->nchecks; i++)
		if (strcasecmp(res->checks[i].check->id, check) == 0)
			return res->checks[i].total;
	return 0;
}

/* ---- delivery ---- */

struct deliver {
	struct vrun *run;
	const struct validate_result *res;
	struct vfile *vf;          /* NULL: the package sink */
	validate_finding_fn cb;
	void *ctx;
	const struct spec_checks *checks;
};

static int deliver_one(void *ctx, const struct vrec *r)
{
	struct deliver *d = ctx;
	const struct spec_check *k = spec_checks_at(d->checks, r->check);
	const struct spec_file *sf = d->vf ? d->vf->sf : NULL;
	char key[VD_KEYMAX + 80], text[VD_TEXTMAX], det[VD_DETAILMAX];
	struct validate_finding f;

	memcpy(text, r->text, r->textlen);
	text[r->textlen] = '\0';
	memcpy(det, r->detail, r->detlen);
	det[r->detlen] = '\0';
	key[0] = '\0';
	if (sf && r->keycol >= 0)
		snprintf(key, sizeof key, "%s=%.*s", sf->columns[r->keycol].name, (int)r->keylen,
			r->key);
	f.check = k->id;
	f.severity = (enum spec_severity)r->sev;
	f.file = sf ? sf->name : text;
	f.line = r->line;
	f.key = key;
	f.column = sf && r->col >= 0 ? sf->columns[r->col].name : sf ? text : "";
	f.detail = det;
	f.project = r->project != VT_NONE && r->project < d->res->nprojects ?
		d->res->projects[r->project].id : "";
	return d->cb ? d->cb(d->ctx, &f) : 0;
}

static enum hmx_rc deliver_all(struct vrun *run, const struct validate_result *res,
	validate_finding_fn cb, void *ctx, struct hmx_err *err)
{
	struct deliver d = { run, res, NULL, cb, ctx, ((struct priv *)res->priv)->checks };
	int ret;

	ret = vsink_merge(&run->psink, deliver_one, &d);
	for (size_t i = 0; ret == 0 && i < run->nfiles; i++) {
		d.vf = &run->files[i];
		ret = vsink_merge(&run->files[i].sink, deliver_one, &d);
		if (ret < 0 && run->files[i].sink.rc)
			return hmx_err_set(err, run->files[i].sink.rc,
				"cannot read back the findings of %s", run->files[i].sf->name);
	}
	if (ret < 0 && run->psink.rc)
		return hmx_err_set(err, run->psink.rc, "cannot read back the package findings");
	if (ret != 0)
		return hmx_err_set(err, HMX_ESTATE, "cancelled");
	return HMX_OK;
}

/* ---- the run ---- */

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Version: forced, else Export.csv's CSVVersion. */
static enum spec_version detect_version(struct vrun *run)
{
	const struct hmiscsv_entry *e = hmiscsv_find(run->pkg, "Export.csv");
	char buf[128];
	struct hmx_err err;

	if (run->opts.spec != SPEC_UNKNOWN)
		return run->opts.spec;
	if (!e || hmiscsv_peek(run->pkg, e, "CSVVersion", buf, sizeof buf, &err) != HMX_OK)
		return SPEC_UNKNOWN;
	return spec_detect(buf, strlen(buf));
}

/* Everything after the package opened. Returns HMX_OK with findings in
 * the sinks, or an error. */
static enum hmx_rc validate_package(struct vrun *run, struct validate_result *res,
	struct hmx_err *err)
{
	enum spec_version v = detect_version(run);
	enum hmx_rc rc;
	struct vfile *ex;

	res->spec = v;
	res->spec_forced = run->opts.spec != SPEC_UNKNOWN;
	rc = spec_load(v != SPEC_UNKNOWN ? v : SPEC_FY2026, &run->spec, err);
	if (rc != HMX_OK)
		return rc;
	if ((rc = setup_files(run, err)) != HMX_OK)
		return rc;
	for (size_t i = 0; i < NFAM; i++)
		if (families[i]->init && (rc = families[i]->init(run, &run->fam[i], err)) != HMX_OK)
			return rc;
	map_entries(run);
	run->total_bytes = hmiscsv_total(run->pkg);

	/* Export.csv first, alone */
	ex = run->byid[VF_EXPORT];
	if (ex) {
		ex->state = VFS_RUNNING;
		read_file(run->pkg, ex);
		finish_file(run, ex);
		if (run->rc != HMX_OK)
			return hmx_err_set(err, run->rc, "%s", run->err.msg);
		if (ex->saw_header && !ex->empty && ex->st.rows != 1)
			pkg_emit(run, 5, 0, "Export.csv", NULL);
	}
	if (v == SPEC_UNKNOWN) {
		if (ex && ex->entry == SIZE_MAX)
			pkg_emit(run, 3, ex->order, ex->sf->name, NULL);
		else if (ex && ex->empty)
			pkg_emit(run, 3, ex->order, ex->sf->name, "empty");
		pkg_emit(run, 6, 0, "Export.csv", NULL);
		res->stopped = true;
		return HMX_OK;
	}
	if (run->p09 || (ex && ex->limit)) {
		if (!run->p09)
			pkg_emit(run, 9, ex->order, ex->sf->name, "ratio");
		res->stopped = true;
		return HMX_OK;
	}
	for (size_t i = 0; i < run->nfiles; i++) {
		struct vfile *vf = &run->files[i];
		if (vf->sf->required && vf->entry == SIZE_MAX)
			pkg_emit(run, 3, vf->order, vf->sf->name, NULL);
		if (vf->entry == SIZE_MAX)
			finish_file(run, vf);
	}

	read_all(run);
	if (run->rc != HMX_OK)
		return hmx_err_set(err, run->rc, "%s", run->err.msg);

	/* package findings from what the files met, in spec order; a broken
	 * entry is P01 (once) but not an unreadable input (exit 1, not 3) */
	for (size_t i = 0, p01 = 0; i < run->nfiles; i++) {
		struct vfile *vf = &run->files[i];
		if (vf->read_error && !p01++)
			pkg_emit(run, 1, vf->order, vf->sf->name, "read-error");
		if (vf->sf->required && vf->empty && vf->entry != SIZE_MAX && !vf->limit)
			pkg_emit(run, 3, vf->order, vf->sf->name, "empty");
	}
	if (run->p07)
		pkg_emit(run, 7, 0, "Client.csv", run->p07);
	if (atomic_load(&run->brake)) {
		pkg_emit(run, 9, 0, "", "total");
		res->stopped = true;
	} else {
		for (size_t i = 0; i < run->nfiles; i++) {
			if (run->files[i].limit) {
				pkg_emit(run, 9, run->files[i].order, run->files[i].sf->name, "ratio");
				res->stopped = true;
				break;
			}
		}
	}
	if (res->stopped) {
		for (size_t i = 0; i < run->nfiles; i++)
			vsink_clear(&run->files[i].sink);
		return HMX_OK;
	}
	for (size_t i = 0; i < NFAM; i++)
		if (families[i]->post && (rc = families[i]->post(run, run->fam[i], err)) != HMX_OK)
			return rc;
	for (size_t i = 0; i < run->nfiles; i++)
		if (run->files[i].sink.rc)
			return hmx_err_set(err, run->files[i].sink.rc, "%s: cannot keep the findings",
				run->files[i].sf->name);
	return HMX_OK;
}

enum hmx_rc validate_run(const char *path, const struct validate_opts *opts,
	validate_finding_fn cb, void *ctx, struct validate_result *res, struct hmx_err *err)
{
	struct vrun *run;
	struct priv *pv;
	enum hmx_rc rc;
	double t0 = now_sec();

	memset(res, 0, sizeof *res);
	res->hash_status = -1;
	hmx_now_utc(res->started);
	pv = calloc(1, sizeof *pv);
	run = calloc(1, sizeof *run);
	if (!pv || !run) {
		free(pv);
		free(run);
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	}
	res->priv = pv;
	if (opts)
		run->opts = *opts;
	else
		validate_opts_default(&run->opts);
	{
		/* the limits as hmiscsv will apply them, for the shared total */
		struct hmiscsv_limits d;
		hmiscsv_limits_default(&d);
		if (!run->opts.limits.max_total)
			run->opts.limits.max_total = d.max_total;
	}
	run->path = path;
	run->res = res;
	run->hash_status = -1;
	pthread_mutex_init(&run->mu, NULL);
	pthread_cond_init(&run->cv, NULL);
	pthread_mutex_init(&run->progress_mu, NULL);
	atomic_init(&run->done_bytes, 0);
	atomic_init(&run->produced, 0);
	atomic_init(&run->brake, false);
	ktab_init(&run->t.users, 0);
	ktab_init(&run->t.orgs, sizeof(struct vt_org));
	ktab_init(&run->t.projects, sizeof(struct vt_project));
	ktab_init(&run->t.clients, sizeof(struct vt_client));
	ktab_init(&run->t.enrollments, sizeof(struct vt_enrollment));
	ktab_init(&run->t.households, sizeof(struct vt_household));
	ktab_init(&run->t.assessments, 0);
	ktab_init(&run->t.orphan_persons, 0);
	ktab_init(&run->t.orphan_projects, 0);

	rc = load_catalog(run, err);
	if (rc == HMX_OK && vsink_init(&run->psink, run->nchecks, true, run->opts.tmpdir) != HMX_OK)
		rc = hmx_err_set(err, HMX_ENOMEM, "out of memory");
	if (rc == HMX_OK) {
		struct hmx_err oerr;
		enum hmx_rc orc = hmiscsv_open(path, &run->opts.limits, pkg_event, run, &run->pkg,
			&oerr);
		if (orc == HMX_ENOMEM) {
			rc = hmx_err_set(err, HMX_ENOMEM, "out of memory");
		} else if (orc != HMX_OK) {
			/* P01 or P09 already emitted by the events */
			res->unreadable = run->unreadable;
			res->stopped = true;
			if (!run->unreadable && !run->p09) {
				pkg_emit(run, 1, 0, "", NULL);
				res->unreadable = true;
			}
		} else {
			rc = validate_package(run, res, err);
		}
	}
	if (rc == HMX_OK && run->psink.rc)
		rc = hmx_err_set(err, run->psink.rc, "cannot keep the package findings");
	if (rc == HMX_OK) {
		if (!run->spec && !run->files) {
			/* nothing past the package: a spec-less result */
			pv->checks = run->checks;
			run->checks = NULL;
			res->checks = calloc(run->nchecks ? run->nchecks : 1, sizeof *res->checks);
			if (!res->checks) {
				rc = hmx_err_set(err, HMX_ENOMEM, "out of memory");
			} else {
				res->nchecks = run->nchecks;
				for (size_t i = 0; i < run->nchecks; i++) {
					res->checks[i].check = spec_checks_at(pv->checks, i);
					for (int v = 0; v < VALIDATE_NSEV; v++) {
						uint64_t c = run->psink.cnt[i * VALIDATE_NSEV + (size_t)v];
						res->checks[i].by_sev[v] += c;
						res->checks[i].total += c;
						res->by_sev[v] += c;
						res->total += c;
						res->no_project[v] += c;
					}
				}
			}
		} else {
			rc = build_result(run, res, err);
		}
	}
	res->seconds = now_sec() - t0;
	hmx_now_utc(res->finished);
	if (rc == HMX_OK && opts && opts->on_summary)
		opts->on_summary(ctx, res);
	if (rc == HMX_OK)
		rc = deliver_all(run, res, cb, ctx, err);
	free_run(run);
	free(run);
	return rc;
}
