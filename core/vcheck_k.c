/* core/vcheck_k.c — the K (integrity) family: builds the cross-file key
 * tables (struct vtabs) while each file streams by, and checks K01-K12 of
 * checks.md against them. K's row hook runs before the S cell checks of a
 * row (`early`), so every finding of the row knows its project.
 *
 * Every reference points to a file earlier in the schedule (k_deps
 * below: User.csv before everything for K07, Project before the
 * project-level files, Client and Project before Enrollment, Exit before
 * the files K12 compares with exit dates, Assessment before its questions
 * and results), so each check is made inline, on the row, in one pass.
 *
 * Choices where checks.md is silent (for the README's list of choices):
 *   - An empty key or reference is S13's business: K01 and the reference
 *     checks skip empty values.
 *   - A reference check is made only when its target file was read
 *     completely with its key column (vtabs.complete): a missing,
 *     header-less or broken target file is reported once (P03, S05, S04),
 *     not once per referencing row. K09 still fires when Enrollment.csv
 *     is missing or empty.
 *   - K08's finding is on the first row that puts its household under a
 *     second ProjectID; key HouseholdID. K11/K12 need DataCollectionStage
 *     1 or 3; an unparseable stage, date or DisabilityType is S10/S11's
 *     business (DisabilityType then groups as "unknown").
 *   - Rows repeating a primary key (K01) are checked like any other row
 *     but never replace the first row in a table. */
#include "validate_int.h"

#include <stdlib.h>
#include <string.h>

static const struct vdep k_deps[] = {
	{ VF_ORGANIZATION, VF_USER },
	{ VF_PROJECT, VF_USER }, { VF_PROJECT, VF_ORGANIZATION },
	{ VF_FUNDER, VF_PROJECT }, { VF_PROJECTCOC, VF_PROJECT }, { VF_INVENTORY, VF_PROJECT },
	{ VF_AFFILIATION, VF_PROJECT }, { VF_HMISPARTICIPATION, VF_PROJECT },
	{ VF_CEPARTICIPATION, VF_PROJECT },
	{ VF_CLIENT, VF_USER },
	{ VF_ENROLLMENT, VF_CLIENT }, { VF_ENROLLMENT, VF_PROJECT },
	{ VF_EXIT, VF_ENROLLMENT },
	{ VF_INCOMEBENEFITS, VF_EXIT }, { VF_HEALTHANDDV, VF_EXIT },
	{ VF_EMPLOYMENTEDUCATION, VF_EXIT }, { VF_DISABILITIES, VF_EXIT },
	{ VF_YOUTHEDUCATIONSTATUS, VF_EXIT },
	{ VF_SERVICES, VF_ENROLLMENT }, { VF_CURRENTLIVINGSITUATION, VF_ENROLLMENT },
	{ VF_EVENT, VF_ENROLLMENT }, { VF_ASSESSMENT, VF_ENROLLMENT },
	{ VF_ASSESSMENTQUESTIONS, VF_ASSESSMENT }, { VF_ASSESSMENTRESULTS, VF_ASSESSMENT },
};

struct kstate {
	uint64_t live_enrollments; /* written by Enrollment.csv only */
};

struct kfile {
	struct ktab *tab;        /* this file's table, or NULL */
	struct kset pks;         /* K01 for files without a table */
	uint16_t *k11;           /* K11 per known enrollment: bit stage/type seen */
	size_t nk11;
	struct kset groups;      /* K11 of EnrollmentIDs not in Enrollment.csv */
	struct ktab orphan_enr;  /* ... interned here */
	char last_user[VD_KEYMAX]; /* K07: the last UserID and its verdict */
	size_t last_user_len;
	bool last_user_known;
	/* rows of one enrollment or person come in runs: the last lookups */
	char last_enr[VD_KEYMAX];
	size_t last_enr_len;
	uint32_t last_enr_idx;
	char last_per[VD_KEYMAX];
	size_t last_per_len;
	uint32_t last_per_ref;
	/* K01 of files without a table: the key hashed by k_prefetch, by line
	 * (the engine prefetches the record after the one it checks) */
	struct khash pk_hash[2];
	uint64_t pk_line[2];
	int user, enrollment, personal, project, resproject, org, household, assessment;
	int stage, info, dtype;
	int entry, movein, created, rel, exitdate;
	int vsp, ptype, rrh, housing, continuum, opstart, opend, pname;
	int dob, dobdq, veteran;
	bool enrollment_level, project_level, stage_file;
	bool chk_users, chk_orgs, chk_projects, chk_clients, chk_enr, chk_assess;
};

static inline uint32_t line32(uint64_t l)
{
	return l > UINT32_MAX ? UINT32_MAX : (uint32_t)l;
}

static inline uint32_t real_ref(uint32_t ref)
{
	return ref & VT_ORPHAN ? VT_NONE : ref;
}

static inline int8_t code8(int c)
{
	return c >= -2 && c <= 127 ? (int8_t)c : (int8_t)VD_CODE_BAD;
}

static inline const struct hcsv_field *val(const struct vrow *r, int col)
{
	const struct hcsv_field *f = vrow_get(r, col);
	return f && f->len ? f : NULL;
}

static enum hmx_rc k_init(struct vrun *run, void **state, struct hmx_err *err)
{
	(void)run;
	*state = calloc(1, sizeof(struct kstate));
	if (!*state)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	return HMX_OK;
}

static void k_fini(struct vrun *run, void *state)
{
	(void)run;
	free(state);
}

static enum hmx_rc k_file_begin(struct vfile *vf, void *state, void **fstate)
{
	struct vrun *run = vf->run;
	struct vtabs *t = &run->t;
	struct kfile *k = calloc(1, sizeof *k);

	(void)state;
	if (!k)
		return HMX_ENOMEM;
	kset_init(&k->pks);
	kset_init(&k->groups);
	ktab_init(&k->orphan_enr, 0);
	switch (vf->id) {
	case VF_USER: k->tab = &t->users; break;
	case VF_ORGANIZATION: k->tab = &t->orgs; break;
	case VF_PROJECT: k->tab = &t->projects; break;
	case VF_CLIENT: k->tab = &t->clients; break;
	case VF_ENROLLMENT: k->tab = &t->enrollments; break;
	case VF_ASSESSMENT: k->tab = &t->assessments; break;
	default: break;
	}
	k->user = vf->col_user;
	k->enrollment = vf->id == VF_ENROLLMENT ? -1 : vf->col_enrollment;
	k->personal = vf->col_personal;
	k->project = vf->col_project;
	k->resproject = vd_fcol(vf, "ResProjectID");
	k->org = vd_fcol(vf, "OrganizationID");
	k->household = vd_fcol(vf, "HouseholdID");
	k->assessment = vf->id == VF_ASSESSMENT ? -1 : vd_fcol(vf, "AssessmentID");
	k->stage = vd_fcol(vf, "DataCollectionStage");
	k->info = vd_fcol(vf, "InformationDate");
	k->dtype = vf->id == VF_DISABILITIES ? vd_fcol(vf, "DisabilityType") : -1;
	k->entry = vd_fcol(vf, "EntryDate");
	k->movein = vd_fcol(vf, "MoveInDate");
	k->created = vd_fcol(vf, "DateCreated");
	k->rel = vd_fcol(vf, "RelationshipToHoH");
	k->exitdate = vd_fcol(vf, "ExitDate");
	k->vsp = vd_fcol(vf, "VictimServiceProvider");
	k->ptype = vd_fcol(vf, "ProjectType");
	k->rrh = vd_fcol(vf, "RRHSubType");
	k->housing = vd_fcol(vf, "HousingType");
	k->continuum = vd_fcol(vf, "ContinuumProject");
	k->opstart = vd_fcol(vf, "OperatingStartDate");
	k->opend = vd_fcol(vf, "OperatingEndDate");
	k->pname = vd_fcol(vf, "ProjectName");
	k->dob = vd_fcol(vf, "DOB");
	k->dobdq = vd_fcol(vf, "DOBDataQuality");
	k->veteran = vd_fcol(vf, "VeteranStatus");
	k->enrollment_level = k->enrollment >= 0;
	k->project_level = vf->id == VF_FUNDER || vf->id == VF_PROJECTCOC ||
			   vf->id == VF_INVENTORY || vf->id == VF_AFFILIATION ||
			   vf->id == VF_HMISPARTICIPATION || vf->id == VF_CEPARTICIPATION;
	k->stage_file = vf->id == VF_INCOMEBENEFITS || vf->id == VF_HEALTHANDDV ||
			vf->id == VF_EMPLOYMENTEDUCATION || vf->id == VF_DISABILITIES ||
			vf->id == VF_YOUTHEDUCATIONSTATUS;
	k->chk_users = vd_complete(vf, VF_USER);
	k->chk_orgs = vd_complete(vf, VF_ORGANIZATION);
	k->chk_projects = vd_complete(vf, VF_PROJECT);
	k->chk_clients = vd_complete(vf, VF_CLIENT);
	k->chk_enr = vd_complete(vf, VF_ENROLLMENT);
	k->chk_assess = vd_complete(vf, VF_ASSESSMENT);
	if (k->stage_file && ktab_count(&t->enrollments)) {
		k->nk11 = ktab_count(&t->enrollments);
		k->k11 = calloc(k->nk11, sizeof *k->k11);
		if (!k->k11) {
			free(k);
			return HMX_ENOMEM;
		}
	}
	*fstate = k;
	return HMX_OK;
}

static void k_file_end(struct vfile *vf, void *state, void *fstate)
{
	struct kfile *k = fstate;

	(void)vf;
	(void)state;
	if (!k)
		return;
	kset_free(&k->pks);
	kset_free(&k->groups);
	ktab_free(&k->orphan_enr);
	free(k->k11);
	free(k);
}

static void ref_finding(struct vfile *vf, const struct vrow *r, int ck, int col)
{
	vd_emit_row(vf, r, ck, col, NULL);
}

/* Client index of a PersonalID, VT_ORPHAN | i when Enrollment.csv named
 * it without Client.csv having it, VT_NONE when neither. */
static uint32_t person_of(const struct vtabs *t, const struct hcsv_field *f)
{
	uint32_t i = ktab_get(&t->clients, f->p, f->len);

	if (i != VT_NONE)
		return i;
	i = ktab_get(&t->orphan_persons, f->p, f->len);
	return i == VT_NONE ? VT_NONE : VT_ORPHAN | i;
}

/* Copies a printable form of f into run->names; returns its offset. */
static uint32_t keep_name(struct vfile *vf, const struct hcsv_field *f)
{
	struct vrun *run = vf->run;
	size_t n = f ? (f->len < 200 ? f->len : 200) : 0;
	size_t off = run->nlen;

	if (run->nlen + n + 1 > run->ncap) {
		size_t cap = run->ncap ? 2 * run->ncap : 4096;
		char *nn;
		while (cap < run->nlen + n + 1)
			cap *= 2;
		nn = realloc(run->names, cap);
		if (!nn) {
			vd_fail(vf, HMX_ENOMEM);
			return 0;
		}
		run->names = nn;
		run->ncap = cap;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)f->p[i];
		run->names[run->nlen++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	run->names[run->nlen++] = '\0';
	return (uint32_t)off;
}

static void row_project(struct vfile *vf, struct kfile *k, struct vrow *r, uint32_t own)
{
	struct vtabs *t = &vf->run->t;
	const struct hcsv_field *f = val(r, k->org);
	uint32_t oi = VT_NONE;

	r->project = own;
	if (f) {
		oi = ktab_get(&t->orgs, f->p, f->len);
		if (oi == VT_NONE && k->chk_orgs)
			ref_finding(vf, r, vf->run->ck_k[6], k->org);
	}
	if (r->self != VT_NONE) {
		struct vt_project *p = ktab_at(&t->projects, r->self);
		p->line = line32(r->line);
		p->org = oi;
		p->op_start = vrow_day(r, k->opstart);
		p->op_end = vrow_day(r, k->opend);
		p->type = code8(vrow_code(r, k->ptype));
		p->rrh_subtype = code8(vrow_code(r, k->rrh));
		p->housing_type = code8(vrow_code(r, k->housing));
		p->continuum = code8(vrow_code(r, k->continuum));
		p->name = keep_name(vf, vrow_get(r, k->pname));
	}
}

static void row_enrollment(struct vfile *vf, struct kstate *ks, struct kfile *k,
	struct vrow *r, uint32_t own)
{
	struct vrun *run = vf->run;
	struct vtabs *t = &run->t;
	const struct hcsv_field *f;
	uint32_t person = VT_NONE, pref = VT_NONE, hi = VT_NONE;
	bool added;

	ks->live_enrollments++;
	r->enrollment = own;
	if ((f = val(r, k->personal))) {
		person = ktab_get(&t->clients, f->p, f->len);
		if (person == VT_NONE) {
			uint32_t oi;
			if (k->chk_clients)
				ref_finding(vf, r, run->ck_k[2], k->personal);
			oi = ktab_put(&t->orphan_persons, f->p, f->len, &added);
			if (oi == VT_NONE) {
				vd_fail(vf, HMX_ENOMEM);
				return;
			}
			person = VT_ORPHAN | oi;
		}
	}
	r->person = person;
	if ((f = val(r, k->project))) {
		pref = ktab_get(&t->projects, f->p, f->len);
		if (pref == VT_NONE) {
			uint32_t oi;
			if (k->chk_projects)
				ref_finding(vf, r, run->ck_k[3], k->project);
			oi = ktab_put(&t->orphan_projects, f->p, f->len, &added);
			if (oi == VT_NONE) {
				vd_fail(vf, HMX_ENOMEM);
				return;
			}
			pref = VT_ORPHAN | oi;
		}
	}
	r->project = real_ref(pref);
	if ((f = val(r, k->household))) {
		hi = ktab_put(&t->households, f->p, f->len, &added);
		if (hi == VT_NONE) {
			vd_fail(vf, HMX_ENOMEM);
			return;
		}
		struct vt_household *h = ktab_at(&t->households, hi);
		if (added) {
			h->line = line32(r->line);
			h->project = pref;
		} else if (!h->mixed && pref != VT_NONE) {
			if (h->project == VT_NONE) {
				h->project = pref;
			} else if (h->project != pref) {
				h->mixed = true;
				vd_emit(vf, r->line, run->ck_k[8], k->household, f->p, f->len, -1, NULL,
					r->project);
			}
		}
	}
	r->household = hi;
	if (r->self != VT_NONE) {
		struct vt_enrollment *e = ktab_at(&t->enrollments, r->self);
		e->line = line32(r->line);
		e->person = person;
		e->project = pref;
		e->household = hi;
		e->entry = vrow_day(r, k->entry);
		e->movein = vrow_day(r, k->movein);
		e->created = vrow_day(r, k->created);
		e->rel = code8(vrow_code(r, k->rel));
		e->exit_line = 0;
		e->exit = VD_NODAY;
	}
}

/* ktab_get through a one-entry cache (id, len) -> index. */
static uint32_t cached_get(const struct ktab *t, const struct hcsv_field *f, char *last,
	size_t *last_len, uint32_t *last_idx)
{
	if (f->len && f->len == *last_len && memcmp(f->p, last, f->len) == 0)
		return *last_idx;
	*last_idx = ktab_get(t, f->p, f->len);
	*last_len = f->len < VD_KEYMAX ? f->len : 0;
	memcpy(last, f->p, *last_len);
	return *last_idx;
}

/* person_of through the same kind of cache. */
static uint32_t cached_person(const struct vtabs *t, struct kfile *k, const struct hcsv_field *f)
{
	if (f->len && f->len == k->last_per_len && memcmp(f->p, k->last_per, f->len) == 0)
		return k->last_per_ref;
	k->last_per_ref = person_of(t, f);
	k->last_per_len = f->len < VD_KEYMAX ? f->len : 0;
	memcpy(k->last_per, f->p, k->last_per_len);
	return k->last_per_ref;
}

/* Files with an EnrollmentID: K04, K05, K10, K11, K12, and Exit's dates. */
static void row_enrollment_level(struct vfile *vf, struct kfile *k, struct vrow *r)
{
	struct vrun *run = vf->run;
	struct vtabs *t = &run->t;
	const struct hcsv_field *fe = val(r, k->enrollment), *fp = val(r, k->personal), *f;
	struct vt_enrollment *e = NULL;
	uint32_t ei = VT_NONE;

	if (fp)
		r->person = cached_person(t, k, fp);
	if (fe) {
		ei = cached_get(&t->enrollments, fe, k->last_enr, &k->last_enr_len, &k->last_enr_idx);
		if (ei == VT_NONE) {
			if (k->chk_enr)
				ref_finding(vf, r, run->ck_k[4], k->enrollment);
		} else {
			e = ktab_at(&t->enrollments, ei);
			r->enrollment = ei;
			r->project = real_ref(e->project);
			if (fp && e->person != VT_NONE && r->person != e->person)
				ref_finding(vf, r, run->ck_k[5], k->personal);
		}
	}
	if (k->assessment >= 0 && (f = val(r, k->assessment)) && k->chk_assess &&
	    ktab_get(&t->assessments, f->p, f->len) == VT_NONE)
		ref_finding(vf, r, run->ck_k[10], k->assessment);
	if (k->stage_file) {
		int stage = vrow_code(r, k->stage);
		uint64_t num, dt = 0;
		int32_t info;

		if (stage != 1 && stage != 3)
			return;
		if (k->dtype >= 0) {
			int c = vrow_code(r, k->dtype);
			dt = c >= 0 && c < 255 ? (uint64_t)c : 255;
		}
		if (fe && ei != VT_NONE && ei < k->nk11) {
			/* bits 0-7 stage 1, 8-15 stage 3; DisabilityType 5-10 -> 0-5,
			 * any other value 6 */
			unsigned bit = (stage == 3 ? 8u : 0u) + (dt >= 5 && dt <= 10 ? (unsigned)dt - 5 : 6u);
			if (k->k11[ei] >> bit & 1)
				ref_finding(vf, r, run->ck_k[11], k->stage);
			k->k11[ei] |= (uint16_t)(1u << bit);
		} else if (fe) {
			bool added;
			uint32_t oi = ktab_put(&k->orphan_enr, fe->p, fe->len, &added);
			int a;

			if (oi == VT_NONE) {
				vd_fail(vf, HMX_ENOMEM);
				return;
			}
			num = (uint64_t)oi << 16 | (uint64_t)stage << 8 | dt;
			a = kset_add_num(&k->groups, num);
			if (a < 0) {
				vd_fail(vf, HMX_ENOMEM);
				return;
			}
			if (a == 0)
				ref_finding(vf, r, run->ck_k[11], k->stage);
		}
		if (!e || (info = vrow_day(r, k->info)) == VD_NODAY)
			return;
		if (stage == 1 && e->entry != VD_NODAY && info != e->entry)
			ref_finding(vf, r, run->ck_k[12], k->info);
		else if (stage == 3 && e->exit_line && e->exit != VD_NODAY && info != e->exit)
			ref_finding(vf, r, run->ck_k[12], k->info);
	}
}

static void k_row(struct vfile *vf, void *state, void *fstate, struct vrow *r)
{
	struct kfile *k = fstate;
	struct vrun *run = vf->run;
	struct vtabs *t = &run->t;
	const struct hcsv_field *f;
	uint32_t own = VT_NONE;

	if (r->r->index == VD_SAMPLE - 1 && vf->est_rows > VD_SAMPLE) {
		/* size the tables once for the whole file (a hint) */
		if (k->tab)
			ktab_reserve(k->tab, (size_t)vf->est_rows);
		else if (r->pk)
			kset_reserve(&k->pks, (size_t)vf->est_rows);
		if (vf->id == VF_ENROLLMENT)
			ktab_reserve(&t->households, (size_t)vf->est_rows);
	}

	if (r->pk && r->pk->len) {
		if (k->tab) {
			bool added;
			own = ktab_put(k->tab, r->pk->p, r->pk->len, &added);
			if (own == VT_NONE) {
				vd_fail(vf, HMX_ENOMEM);
				return;
			}
			if (added)
				r->self = own;
			else
				r->dup = true;
		}
		/* without a table, K01 is decided in k_late */
	}
	switch (vf->id) {
	case VF_ORGANIZATION:
		if (r->self != VT_NONE) {
			struct vt_org *o = ktab_at(&t->orgs, r->self);
			o->line = line32(r->line);
			o->vsp = code8(vrow_code(r, k->vsp));
		}
		break;
	case VF_PROJECT:
		row_project(vf, k, r, own);
		break;
	case VF_CLIENT:
		r->person = own;
		if (r->self != VT_NONE) {
			struct vt_client *c = ktab_at(&t->clients, r->self);
			c->line = line32(r->line);
			c->dob = vrow_day(r, k->dob);
			c->created = vrow_day(r, k->created);
			c->dob_dq = code8(vrow_code(r, k->dobdq));
			c->veteran = code8(vrow_code(r, k->veteran));
		}
		break;
	case VF_ENROLLMENT:
		row_enrollment(vf, state, k, r, own);
		break;
	default:
		if (k->project_level) {
			int bad = -1;
			if ((f = val(r, k->project))) {
				r->project = ktab_get(&t->projects, f->p, f->len);
				if (r->project == VT_NONE)
					bad = k->project;
			}
			if ((f = val(r, k->resproject)) && ktab_get(&t->projects, f->p, f->len) == VT_NONE &&
			    bad < 0)
				bad = k->resproject;
			if (bad >= 0 && k->chk_projects)
				ref_finding(vf, r, run->ck_k[6], bad);
		}
		if (k->enrollment_level)
			row_enrollment_level(vf, k, r);
		break;
	}
	if (r->dup)
		ref_finding(vf, r, run->ck_k[1], -1);
	if (k->chk_users && (f = val(r, k->user))) {
		/* rows by one user come in runs: remember the last verdict */
		if (f->len != k->last_user_len || memcmp(f->p, k->last_user, f->len) != 0) {
			k->last_user_known = ktab_get(&t->users, f->p, f->len) != VT_NONE;
			k->last_user_len = f->len < sizeof k->last_user ? f->len : 0;
			memcpy(k->last_user, f->p, k->last_user_len);
		}
		if (!k->last_user_known)
			ref_finding(vf, r, run->ck_k[7], k->user);
	}
}

/* The slots the next row will touch: its key, its enrollment, person,
 * household (unless the same as the last row's). */
static void k_prefetch(struct vfile *vf, void *state, void *fstate, const struct vrow *r)
{
	struct kfile *k = fstate;
	const struct vtabs *t = &vf->run->t;
	const struct hcsv_field *f;

	(void)state;
	if (!k)
		return;
	if (r->pk && r->pk->len) {
		if (k->tab) {
			ktab_prefetch(k->tab, r->pk->p, r->pk->len);
		} else {
			unsigned i = (unsigned)(r->line & 1);
			kset_hash(r->pk->p, r->pk->len, &k->pk_hash[i]);
			k->pk_line[i] = r->line;
			kset_prefetch(&k->pks, &k->pk_hash[i]);
		}
	}
	if (k->enrollment_level && (f = val(r, k->enrollment)) &&
	    !(f->len == k->last_enr_len && memcmp(f->p, k->last_enr, f->len) == 0))
		ktab_prefetch(&t->enrollments, f->p, f->len);
	if ((k->enrollment_level || vf->id == VF_ENROLLMENT) && (f = val(r, k->personal)) &&
	    !(f->len == k->last_per_len && memcmp(f->p, k->last_per, f->len) == 0))
		ktab_prefetch(&t->clients, f->p, f->len);
	if (vf->id == VF_ENROLLMENT && (f = val(r, k->household)))
		ktab_prefetch(&t->households, f->p, f->len);
}

/* K01 of files without a key table: the set insert, after the S checks
 * of the row. */
static void k_late(struct vfile *vf, void *state, void *fstate, struct vrow *r)
{
	struct kfile *k = fstate;
	int a;

	(void)state;
	if (k->tab || !r->pk || !r->pk->len) {
		if (vf->id == VF_EXIT && r->enrollment != VT_NONE) {
			struct vt_enrollment *e = ktab_at(&vf->run->t.enrollments, r->enrollment);
			if (e->exit_line == 0) {
				e->exit_line = line32(r->line);
				e->exit = vrow_day(r, k->exitdate);
			}
		}
		return;
	}
	if (k->pk_line[r->line & 1] == r->line)
		a = kset_add_hashed(&k->pks, r->pk->p, r->pk->len, &k->pk_hash[r->line & 1]);
	else
		a = kset_add(&k->pks, r->pk->p, r->pk->len);
	if (a < 0) {
		vd_fail(vf, HMX_ENOMEM);
		return;
	}
	r->dup = a == 0;
	if (r->dup)
		ref_finding(vf, r, vf->run->ck_k[1], -1);
	if (vf->id == VF_EXIT && !r->dup && r->enrollment != VT_NONE) {
		/* the enrollment's exit: its first live, non-repeated Exit row */
		struct vt_enrollment *e = ktab_at(&vf->run->t.enrollments, r->enrollment);
		if (e->exit_line == 0) {
			e->exit_line = line32(r->line);
			e->exit = vrow_day(r, k->exitdate);
		}
	}
}

static enum hmx_rc k_post(struct vrun *run, void *state, struct hmx_err *err)
{
	struct kstate *ks = state;
	struct vfile *vf = run->byid[VF_ENROLLMENT];

	(void)err;
	if (vf && ks->live_enrollments == 0)
		vd_emit(vf, 0, run->ck_k[9], -1, NULL, 0, -1, NULL, VT_NONE);
	return HMX_OK;
}

const struct vfamily vcheck_k = {
	.name = "K",
	.early = true,
	.deps = k_deps,
	.ndeps = sizeof k_deps / sizeof k_deps[0],
	.init = k_init,
	.fini = k_fini,
	.file_begin = k_file_begin,
	.row = k_row,
	.late = k_late,
	.prefetch = k_prefetch,
	.file_end = k_file_end,
	.post = k_post,
};
