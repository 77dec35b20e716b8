/* core/vcheck_d.c — the D (project descriptor) family: D01-D09 of
 * checks.md, about Project, ProjectCoC, Inventory and Organization rows.
 *
 * Row hooks (after the S checks, so vrow_bad is known):
 *   Project.csv     D03, D04 on the project's row
 *   ProjectCoC.csv  D02; marks the project (vt_project.has_coc) and keeps
 *                   the row's "ProjectID\x1fCoCCode" pair for D08
 *   Inventory.csv   D06, D07, D08; marks the project (has_inventory)
 *   Enrollment.csv  marks the organization of the enrollment's project
 *                   when it is a victim service provider (vt_org.enrolled)
 * Cross-file pass: D01 and D05 per project (at its Project.csv line), D09
 * per organization (at its Organization.csv line).
 *
 * One edge is added to K's graph: Inventory.csv after ProjectCoC.csv, so
 * the pairs are complete when D08 looks them up.
 *
 * Choices where checks.md is silent (for the README's list of choices):
 *   - "Per project" and "per organization" mean per distinct ID: the
 *     first live row of a ProjectID or OrganizationID (the one K keeps in
 *     its table); rows repeating the key (K01) are not judged again by
 *     D03/D04. Row checks (D02, D06, D07, D08) judge every live row.
 *   - A value with an S finding (vrow_bad, VD_CODE_BAD) is not judged:
 *     an S18 ProjectType makes no project residential, a bad bed count
 *     stops D06/D07 for the row. An empty cell is not a bad value: D02
 *     counts an empty CoCCode although S13 reports it too (HUD's Eva check
 *     5 names CoC code, Geocode and GeographyType).
 *   - D02: missing = empty, and 99 for GeographyType (checks.md: missing
 *     means empty or 99). One finding per row whatever the number of
 *     missing fields; its column is the first missing one in spec order.
 *   - D03/D04 judge an empty cell; 99 is outside both lists (S18).
 *   - A column absent from the header (S05) or a record too short for it
 *     (S09) is not judged: the structure finding is reported once, not
 *     once per row. Likewise D01 needs ProjectCoC.csv, D05 Inventory.csv
 *     and D08 ProjectCoC.csv read completely with their ProjectID (and
 *     for D08 CoCCode) columns — a missing or broken file is P03, S04 or
 *     S05, not a finding per project. A header-only file is complete: it
 *     says there are no rows.
 *   - D06: an empty population column counts as 0; the row is judged
 *     only when BedInventory is a valid integer, the seven population
 *     columns are all in the header and none holds a bad value.
 *   - D07 needs both UnitInventory and BedInventory valid integers.
 *   - D08 compares the (ProjectID, CoCCode) strings exactly, whether or
 *     not the ProjectID is in Project.csv (K06 says that); an Inventory
 *     row with an empty CoCCode is not judged (nothing to look up).
 *   - D09 counts live enrollments whose ProjectID is a live project of the
 *     organization; the finding has no project (it is about the
 *     organization), column VictimServiceProvider. */
#include "validate_int.h"

#include <stdlib.h>
#include <string.h>

static const struct vdep d_deps[] = {
	{ VF_INVENTORY, VF_PROJECTCOC },
};

#define D_PAIRMAX 256 /* longest "ProjectID\x1fCoCCode" kept */

struct dstate {
	int ck[10];              /* ck[1] = D01 ... ck[9] = D09 */
	/* written by ProjectCoC.csv only, read by Inventory.csv and post */
	struct ktab pairs;       /* "ProjectID\x1fCoCCode" of live rows */
	bool coc_pid;            /* its header maps ProjectID */
	bool coc_code;           /* ... and CoCCode */
	/* written by Inventory.csv only, read by post */
	bool inv_pid;            /* its header maps ProjectID */
};

static const char *const pop_cols[7] = {
	"CHVetBedInventory", "YouthVetBedInventory", "VetBedInventory", "CHYouthBedInventory",
	"YouthBedInventory", "CHBedInventory", "OtherBedInventory",
};

struct dfile {
	int ptype, rrh, housing;             /* Project.csv */
	int pid, coc, geocode, geotype;      /* ProjectCoC.csv, Inventory.csv */
	int units, beds, pop[7];             /* Inventory.csv */
	bool d06;                            /* the eight bed columns are mapped */
	bool d08;                            /* the pairs are complete */
	uint32_t last_project;               /* Enrollment.csv: last project seen */
};

/* Whether vf's header maps spec column col. */
static bool mapped(const struct vfile *vf, int col)
{
	return col >= 0 && vf->hdr && vf->hdr->pos_of && vf->hdr->pos_of[col] >= 0;
}

/* Integer of col: 1 and *v when valid, 0 when empty, -1 when absent from
 * the record or bad (S10 or another S finding). */
static int ival(const struct vrow *r, int col, long *v)
{
	const struct hcsv_field *f = vrow_get(r, col);

	if (!f)
		return -1;
	if (!f->len)
		return 0;
	if (vrow_bad(r, col) || !vd_int(f->p, f->len, v))
		return -1;
	return 1;
}

/* Whether col is present in the record and empty. */
static bool empty(const struct vrow *r, int col)
{
	const struct hcsv_field *f = vrow_get(r, col);

	return f && !f->len;
}

static bool residential(int type, int rrh)
{
	switch (type) {
	case 0: case 1: case 2: case 3: case 8: case 9: case 10:
		return true;
	case 13:
		return rrh == 2;
	default:
		return false;
	}
}

/* "ProjectID\x1fCoCCode" of the row into buf; 0 when either is missing
 * or bad, or the pair is too long. */
static size_t pair_of(const struct vrow *r, int pid, int coc, char *buf)
{
	const struct hcsv_field *fp = vrow_ok(r, pid), *fc = vrow_ok(r, coc);

	if (!fp || !fc || fp->len + 1 + fc->len > D_PAIRMAX)
		return 0;
	memcpy(buf, fp->p, fp->len);
	buf[fp->len] = '\x1f';
	memcpy(buf + fp->len + 1, fc->p, fc->len);
	return fp->len + 1 + fc->len;
}

static enum hmx_rc d_init(struct vrun *run, void **state, struct hmx_err *err)
{
	struct dstate *ds = calloc(1, sizeof *ds);
	char id[8];

	if (!ds)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	ktab_init(&ds->pairs, 0);
	*state = ds;
	for (int i = 1; i <= 9; i++) {
		snprintf(id, sizeof id, "D%02d", i);
		if ((ds->ck[i] = vd_check(run, id)) < 0)
			return hmx_err_set(err, HMX_EINVAL, "the check catalog lacks %s", id);
	}
	return HMX_OK;
}

static void d_fini(struct vrun *run, void *state)
{
	struct dstate *ds = state;

	(void)run;
	if (!ds)
		return;
	ktab_free(&ds->pairs);
	free(ds);
}

static enum hmx_rc d_file_begin(struct vfile *vf, void *state, void **fstate)
{
	struct dstate *ds = state;
	struct dfile *d;

	switch (vf->id) {
	case VF_PROJECT: case VF_PROJECTCOC: case VF_INVENTORY: case VF_ENROLLMENT:
		break;
	default:
		*fstate = NULL;
		return HMX_OK;
	}
	if (!(d = calloc(1, sizeof *d)))
		return HMX_ENOMEM;
	d->ptype = vd_fcol(vf, "ProjectType");
	d->rrh = vd_fcol(vf, "RRHSubType");
	d->housing = vd_fcol(vf, "HousingType");
	d->pid = vf->col_project;
	d->coc = vd_fcol(vf, "CoCCode");
	d->geocode = vd_fcol(vf, "Geocode");
	d->geotype = vd_fcol(vf, "GeographyType");
	d->units = vd_fcol(vf, "UnitInventory");
	d->beds = vd_fcol(vf, "BedInventory");
	d->last_project = VT_NONE;
	if (vf->id == VF_PROJECTCOC) {
		ds->coc_pid = mapped(vf, d->pid);
		ds->coc_code = mapped(vf, d->coc);
	} else if (vf->id == VF_INVENTORY) {
		ds->inv_pid = mapped(vf, d->pid);
		d->d06 = mapped(vf, d->beds);
		for (int i = 0; i < 7; i++) {
			d->pop[i] = vd_fcol(vf, pop_cols[i]);
			d->d06 = d->d06 && mapped(vf, d->pop[i]);
		}
		d->d08 = vd_complete(vf, VF_PROJECTCOC) && ds->coc_pid && ds->coc_code;
	}
	*fstate = d;
	return HMX_OK;
}

static void d_file_end(struct vfile *vf, void *state, void *fstate)
{
	(void)vf;
	(void)state;
	free(fstate);
}

static void row_project(struct vfile *vf, struct dstate *ds, struct dfile *d, struct vrow *r)
{
	long type, rrh;
	int ht = ival(r, d->ptype, &type), hr = ival(r, d->rrh, &rrh);

	if (r->self == VT_NONE || ht != 1)
		return;
	if (type == 13 && empty(r, d->rrh))
		vd_emit_row(vf, r, ds->ck[4], d->rrh, NULL);
	if (residential((int)type, hr == 1 ? (int)rrh : VD_CODE_NONE) && empty(r, d->housing))
		vd_emit_row(vf, r, ds->ck[3], d->housing, NULL);
}

static void row_projectcoc(struct vfile *vf, struct dstate *ds, struct dfile *d, struct vrow *r)
{
	const int geo[3] = { d->coc, d->geocode, d->geotype };
	int missing = -1;
	char key[D_PAIRMAX];
	size_t n;
	long v;

	if (r->project != VT_NONE)
		((struct vt_project *)ktab_at(&vf->run->t.projects, r->project))->has_coc = true;
	for (int i = 0; i < 3 && missing < 0; i++)
		if (empty(r, geo[i]) || (geo[i] == d->geotype && ival(r, geo[i], &v) == 1 && v == 99))
			missing = geo[i];
	if (missing >= 0)
		vd_emit_row(vf, r, ds->ck[2], missing, NULL);
	if ((n = pair_of(r, d->pid, d->coc, key))) {
		bool added;
		if (ktab_put(&ds->pairs, key, n, &added) == VT_NONE)
			vd_fail(vf, HMX_ENOMEM);
	}
}

static void row_inventory(struct vfile *vf, struct dstate *ds, struct dfile *d, struct vrow *r)
{
	long beds, units, v;
	int hb = ival(r, d->beds, &beds);
	char key[D_PAIRMAX];
	size_t n;

	if (r->project != VT_NONE)
		((struct vt_project *)ktab_at(&vf->run->t.projects, r->project))->has_inventory = true;
	if (d->d06 && hb == 1) {
		long long sum = 0;
		bool ok = true;
		for (int i = 0; i < 7 && ok; i++) {
			int h = ival(r, d->pop[i], &v);
			ok = h >= 0;
			if (h == 1)
				sum += v;
		}
		if (ok && sum != beds)
			vd_emit_row(vf, r, ds->ck[6], d->beds, NULL);
	}
	if (hb == 1 && ival(r, d->units, &units) == 1 && units > beds)
		vd_emit_row(vf, r, ds->ck[7], d->units, NULL);
	if (d->d08 && (n = pair_of(r, d->pid, d->coc, key)) &&
	    ktab_get(&ds->pairs, key, n) == VT_NONE)
		vd_emit_row(vf, r, ds->ck[8], d->coc, NULL);
}

static void row_enrollment(struct vfile *vf, struct dfile *d, const struct vrow *r)
{
	const struct vtabs *t = &vf->run->t;
	const struct vt_project *p;

	/* enrollments of one project often come in runs */
	if (r->project == VT_NONE || r->project == d->last_project)
		return;
	d->last_project = r->project;
	p = ktab_at(&t->projects, r->project);
	if (p->org != VT_NONE) {
		struct vt_org *o = ktab_at(&t->orgs, p->org);
		if (o->vsp == 1)
			o->enrolled = true;
	}
}

static void d_row(struct vfile *vf, void *state, void *fstate, struct vrow *r)
{
	struct dfile *d = fstate;

	if (!d)
		return;
	switch (vf->id) {
	case VF_PROJECT: row_project(vf, state, d, r); break;
	case VF_PROJECTCOC: row_projectcoc(vf, state, d, r); break;
	case VF_INVENTORY: row_inventory(vf, state, d, r); break;
	case VF_ENROLLMENT: row_enrollment(vf, d, r); break;
	default: break;
	}
}

static enum hmx_rc d_post(struct vrun *run, void *state, struct hmx_err *err)
{
	struct dstate *ds = state;
	const struct vtabs *t = &run->t;
	struct vfile *pf = run->byid[VF_PROJECT], *of = run->byid[VF_ORGANIZATION];
	bool d01 = t->complete[VF_PROJECTCOC] && ds->coc_pid;
	bool d05 = t->complete[VF_INVENTORY] && ds->inv_pid;
	char id[VD_KEYMAX];
	size_t len;

	(void)err;
	for (uint32_t i = 0; pf && i < ktab_count(&t->projects); i++) {
		const struct vt_project *p = ktab_at(&t->projects, i);
		int kc = pf->col_pk;
		bool c1 = d01 && p->continuum == 1 && !p->has_coc;
		bool c5 = d05 && residential(p->type, p->rrh_subtype) && !p->has_inventory;

		if (!c1 && !c5)
			continue;
		len = ktab_id(&t->projects, i, id, sizeof id);
		if (len >= sizeof id)
			len = sizeof id - 1;
		if (c1)
			vd_emit(pf, p->line, ds->ck[1], kc, id, len, -1, NULL, i);
		if (c5)
			vd_emit(pf, p->line, ds->ck[5], kc, id, len, -1, NULL, i);
	}
	for (uint32_t i = 0; of && i < ktab_count(&t->orgs); i++) {
		const struct vt_org *o = ktab_at(&t->orgs, i);

		if (o->vsp != 1 || !o->enrolled)
			continue;
		len = ktab_id(&t->orgs, i, id, sizeof id);
		if (len >= sizeof id)
			len = sizeof id - 1;
		vd_emit(of, o->line, ds->ck[9], of->col_pk, id, len,
			vd_col(run, VF_ORGANIZATION, "VictimServiceProvider"), NULL, VT_NONE);
	}
	return HMX_OK;
}

const struct vfamily vcheck_d = {
	.name = "D",
	.deps = d_deps,
	.ndeps = sizeof d_deps / sizeof d_deps[0],
	.init = d_init,
	.fini = d_fini,
	.file_begin = d_file_begin,
	.row = d_row,
	.file_end = d_file_end,
	.post = d_post,
};
