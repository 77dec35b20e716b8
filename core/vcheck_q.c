/* core/vcheck_q.c — the Q (client and enrollment quality) family: Q01-Q27
 * of checks.md, counted as its Q section and General rules say.
 *
 * Where each check is decided:
 *   - on the row, in one pass: Client.csv (Q10-Q12, Q13 but its
 *     after-entry part, Q14, Q15), Enrollment.csv (Q04, Q07, Q08, Q09, Q17,
 *     Q18, Q19, Q24 of entries), Exit.csv (Q05, Q06, Q21, Q24 of exits),
 *     IncomeBenefits.csv (Q20 "missing" and "conflict" on the record; "no
 *     record" at the end of the file);
 *   - from facts rows leave in the key-table payloads (validate_int.h), in
 *     the cross-file pass: Q02/Q03 (heads per household), Q13 after entry
 *     and Q16 (set by Enrollment.csv on the client), Q22 and Q27 (exits),
 *     Q25 and Q26 (bed nights and contacts set by Services.csv and
 *     CurrentLivingSituation.csv), Q01 and Q23 (enrollments grouped by
 *     client with a counting sort, then each group on its own).
 * No extra dependency edge: K's (Client and Project before Enrollment,
 * Enrollment before Exit, Services and CurrentLivingSituation, Exit
 * before IncomeBenefits) order every read Q makes.
 *
 * Choices where checks.md is silent (for the README's list of choices):
 *   - Q judges a record once: rows without a primary key and repeats of
 *     one (K01) are left out, so a duplicated row is K01 only.
 *   - A cell that is absent (a missing column, S05, or a short row, S09) is
 *     not judged, like a value that failed S10/S18/S11: a missing column
 *     is reported once, not once per row. An empty cell is "missing".
 *   - Ages need a valid DOB and EntryDate; a client whose age is unknown
 *     is not an adult (an HoH is judged anyway). Q09 "over 100" is 101 or
 *     more whole years.
 *   - Q01, Q23 compare IDs exactly, those of K02/K03 orphans included; an
 *     enrollment without PersonalID (S13) is in no group.
 *   - Column: the cell that decided the finding when there is one (Q04
 *     RelationshipToHoH, Q11 FirstName or NameDataQuality, ...), none for
 *     findings about several records (Q01-Q03, Q23, Q25, Q27 by exit).
 *     Q07-Q09 name EntryDate.
 *   - Q11-Q13: a data-quality column that is empty counts as missing.
 *     Q12's pattern test (unhashed export: HashStatus 1 only) applies to
 *     the SSN as written, whatever S14/S15 said of it. Q14/Q15: a race or
 *     gender column that failed S18 makes "no column equal to 1"
 *     undecidable, so no finding unless RaceNone/GenderNone decides.
 *   - Q20: of several records of one enrollment and stage (K11), the first
 *     offending one is reported; a stage-3 record of an enrollment without
 *     exit is not judged. "no-record" needs IncomeBenefits.csv with
 *     EnrollmentID and DataCollectionStage columns. Sources are
 *     HUD's 4.02 income (15), 4.03 benefits (6) and 4.04 insurance (10,
 *     not ADAP or Ryan White).
 *   - Q23: an enrollment with an invalid ExitDate is left out; of two
 *     stays starting the same day the later row is the one flagged.
 *   - Q24: a record created before its entry or exit date counts in bucket
 *     "0"; every judged enrollment and exit counts in the buckets
 *     (validate_result.timeliness), flagged or not.
 *   - Q25: open means no exit or an ExitDate after the report end (APR
 *     6f); the last N days are (report end - N, report end]; judged only
 *     when Exit.csv and Services.csv (type 1) or CurrentLivingSituation.csv
 *     (type 4) have the columns needed (a missing file or column is P03 or
 *     S05 once, not a finding per enrollment). Q26 likewise needs
 *     Services.csv. A file cut short (S04) counts with the records read. */
#include "validate_int.h"

#include <stdlib.h>
#include <string.h>

/* vt_client.q_row (Client.csv) */
#define QC_Q13 1u        /* Q13 decided on the row */
#define QC_VET 2u        /* VeteranStatus missing or 8/9 */
/* vt_client.q_enr (Enrollment.csv) */
#define QE_ADULT 1u      /* an adult at the entry of one of its enrollments */
#define QE_DOB_LATE 2u   /* DOB after one of its EntryDates */
/* vt_enrollment.q_row (Enrollment.csv) */
#define QR_ADULT_HOH 1u  /* an adult or the head of household */
/* vt_enrollment.q_seen (Services.csv for type 1, CurrentLivingSituation.csv
 * for type 4) */
#define QS_BN_ENTRY 1u   /* a bed night on EntryDate */
#define QS_RECENT 2u     /* a bed night or contact in the last inactive_days */
/* vt_enrollment.q_ib (IncomeBenefits.csv): QI_SEEN << shift, QI_HIT << shift
 * with shift 0 for stage 1, 2 for stage 3 */
#define QI_SEEN 1u
#define QI_HIT 2u
/* vt_household.q_hoh (Enrollment.csv): heads counted (0-2) | QH_SEEN */
#define QH_SEEN 4u

#define NRACE 8
#define NGENDER 7
#define NINC 15
#define NBEN 6
#define NINS 10

static const char *const bucket_name[5] = { "0", "1-3", "4-6", "7-10", "11+" };

struct qstate {
	int ck[28];                /* ck[1] = Q01 ... ck[27] = Q27 */
	unsigned tl_days, inactive;
	uint64_t tl_enr[5];        /* written by Enrollment.csv only */
	uint64_t tl_exit[5];       /* written by Exit.csv only */
	bool bn_ok;                /* written by Services.csv only: its columns
	                            * let bed nights be judged */
	bool cls_ok;               /* the same, CurrentLivingSituation.csv */
	bool exit_ok;              /* the same, Exit.csv: exits can be known */
};

struct qfile {
	struct qstate *qs;
	int32_t export_day, report_end, win_lo; /* Q25 window (win_lo, report_end] */
	int32_t y1915;             /* 1915-01-01 (Q13) */
	bool unhashed;
	bool ib_ok;                /* IncomeBenefits.csv: EnrollmentID and stage mapped */
	/* Client.csv */
	int first, last, namedq, ssn, ssndq, dob, dobdq, veteran;
	int race[NRACE], racenone, gender[NGENDER], gendernone, sex;
	/* Enrollment.csv */
	int rel, coc, livsit, los, dts, times, months, discond, entry;
	/* Exit.csv */
	int exitdate, dest, created;
	/* IncomeBenefits.csv */
	int stage, any[3], src[NINC + NBEN + NINS];
	/* Services.csv, CurrentLivingSituation.csv */
	int rectype, date;
};

/* ---- small helpers ---- */

/* A code of col after the S checks: VD_CODE_NONE when empty, VD_CODE_BAD
 * when the cell is absent (missing column, short row) or failed S10/S18 —
 * not judged. */
static int qcode(const struct vrow *r, int col)
{
	const struct hcsv_field *f = vrow_get(r, col);
	long v;

	if (!f)
		return VD_CODE_BAD;
	if (!f->len)
		return VD_CODE_NONE;
	if (vrow_bad(r, col))
		return VD_CODE_BAD;
	if (f->len == 1 && f->p[0] >= '0' && f->p[0] <= '9')
		return f->p[0] - '0';
	return vd_int(f->p, f->len, &v) ? (int)v : VD_CODE_BAD;
}

/* Whether the cell is there and empty. */
static bool qempty(const struct vrow *r, int col)
{
	const struct hcsv_field *f = vrow_get(r, col);

	return f && f->len == 0;
}

/* "missing" (empty or 99) or dk/refused (8, 9). */
static bool mdk(int c)
{
	return c == VD_CODE_NONE || c == 99 || c == 8 || c == 9;
}

static bool mapped(const struct vfile *vf, int col)
{
	return col >= 0 && vf->hdr && vf->hdr->pos_of && vf->hdr->pos_of[col] >= 0;
}

static int bucket(int32_t days)
{
	return days <= 0 ? 0 : days <= 3 ? 1 : days <= 6 ? 2 : days <= 10 ? 3 : 4;
}

/* Whole years from dob to day (dob <= day). */
static int age_years(int32_t dob, int32_t day)
{
	int y1, m1, d1, y2, m2, d2, a;

	vd_civil(dob, &y1, &m1, &d1);
	vd_civil(day, &y2, &m2, &d2);
	a = y2 - y1;
	if (m2 < m1 || (m2 == m1 && d2 < d1))
		a--;
	return a;
}

static bool residential(const struct vt_project *p)
{
	switch (p->type) {
	case 0: case 1: case 2: case 3: case 8: case 9: case 10:
		return true;
	case 13:
		return p->rrh_subtype == 2;
	default:
		return false;
	}
}

static bool permanent(int type)
{
	return type == 3 || type == 9 || type == 10 || type == 13;
}

static const struct vt_project *project_of(const struct vtabs *t, uint32_t ref)
{
	return ref == VT_NONE || (ref & VT_ORPHAN) ? NULL : ktab_at(&t->projects, ref);
}

/* Day of a fact of Export.csv ("" when absent). */
static int32_t fact_day(const char *s, bool datetime)
{
	int32_t d;
	size_t n = strlen(s);

	if (datetime ? vd_datetime(s, n, &d) : vd_date(s, n, &d))
		return d;
	return VD_NODAY;
}

/* SSN patterns of Q12 "issue" (unhashed exports). */
static bool ssn_bad(const char *p, size_t n)
{
	static const char *const fake[] = { "123456789", "234567890", "345678901", "456789012",
		"567890123", "678901234", "789012345", "890123456", "987654321" };
	bool same = true;

	if (n != 9)
		return true;
	for (size_t i = 0; i < 9; i++) {
		if (p[i] < '0' || p[i] > '9')
			return true;
		same = same && p[i] == p[0];
	}
	if (same || memcmp(p, "000", 3) == 0 || memcmp(p, "666", 3) == 0 || p[0] == '9' ||
	    memcmp(p + 3, "00", 2) == 0 || memcmp(p + 5, "0000", 4) == 0)
		return true;
	for (size_t i = 0; i < sizeof fake / sizeof fake[0]; i++)
		if (memcmp(p, fake[i], 9) == 0)
			return true;
	return false;
}

static void emit_key(struct vfile *vf, uint64_t line, int check, int keycol,
	const struct ktab *t, uint32_t i, int col, const char *detail, uint32_t project)
{
	char id[4 * VD_KEYMAX];  /* longer IDs are cut with "..." as on rows */
	size_t len = ktab_id(t, i, id, sizeof id);

	vd_emit(vf, line, check, keycol, id, len < sizeof id ? len : sizeof id - 1, col, detail,
		project);
}

/* ---- family hooks ---- */

static enum hmx_rc q_init(struct vrun *run, void **state, struct hmx_err *err)
{
	struct qstate *qs = calloc(1, sizeof *qs);
	char id[8];

	if (!qs)
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	for (int i = 1; i <= 27; i++) {
		snprintf(id, sizeof id, "Q%02d", i);
		qs->ck[i] = vd_check(run, id);
		if (qs->ck[i] < 0) {
			free(qs);
			return hmx_err_set(err, HMX_EINVAL, "the check catalog lacks %s", id);
		}
	}
	qs->tl_days = run->opts.timeliness_days;
	qs->inactive = run->opts.inactive_days;
	*state = qs;
	return HMX_OK;
}

static void q_fini(struct vrun *run, void *state)
{
	(void)run;
	free(state);
}

static void cols_client(struct vfile *vf, struct qfile *q)
{
	static const char *const race[NRACE] = { "AmIndAKNative", "Asian", "BlackAfAmerican",
		"HispanicLatinaeo", "HispanicLatinao", "MidEastNAfrican", "NativeHIPacific", "White" };
	static const char *const gender[NGENDER] = { "Woman", "Man", "NonBinary",
		"CulturallySpecific", "Transgender", "Questioning", "DifferentIdentity" };

	q->first = vd_fcol(vf, "FirstName");
	q->last = vd_fcol(vf, "LastName");
	q->namedq = vd_fcol(vf, "NameDataQuality");
	q->ssn = vd_fcol(vf, "SSN");
	q->ssndq = vd_fcol(vf, "SSNDataQuality");
	q->dob = vd_fcol(vf, "DOB");
	q->dobdq = vd_fcol(vf, "DOBDataQuality");
	q->veteran = vd_fcol(vf, "VeteranStatus");
	for (int i = 0; i < NRACE; i++)
		q->race[i] = vd_fcol(vf, race[i]);
	q->racenone = vd_fcol(vf, "RaceNone");
	for (int i = 0; i < NGENDER; i++)
		q->gender[i] = vd_fcol(vf, gender[i]);
	q->gendernone = vd_fcol(vf, "GenderNone");
	q->sex = vd_fcol(vf, "Sex");
	q->unhashed = vf->run->hash_status == 1;
}

static void cols_income(struct vfile *vf, struct qfile *q)
{
	static const char *const any[3] = { "IncomeFromAnySource", "BenefitsFromAnySource",
		"InsuranceFromAnySource" };
	static const char *const src[NINC + NBEN + NINS] = {
		"Earned", "Unemployment", "SSI", "SSDI", "VADisabilityService",
		"VADisabilityNonService", "PrivateDisability", "WorkersComp", "TANF", "GA",
		"SocSecRetirement", "Pension", "ChildSupport", "Alimony", "OtherIncomeSource",
		"SNAP", "WIC", "TANFChildCare", "TANFTransportation", "OtherTANF", "OtherBenefitsSource",
		"Medicaid", "Medicare", "SCHIP", "VHAServices", "EmployerProvided", "COBRA",
		"PrivatePay", "StateHealthIns", "IndianHealthServices", "OtherInsurance" };

	q->stage = vd_fcol(vf, "DataCollectionStage");
	for (int i = 0; i < 3; i++)
		q->any[i] = vd_fcol(vf, any[i]);
	for (int i = 0; i < NINC + NBEN + NINS; i++)
		q->src[i] = vd_fcol(vf, src[i]);
	q->ib_ok = mapped(vf, vf->col_enrollment) && mapped(vf, q->stage);
}

static enum hmx_rc q_file_begin(struct vfile *vf, void *state, void **fstate)
{
	struct qstate *qs = state;
	const struct validate_result *res = vf->run->res;
	struct qfile *q;

	*fstate = NULL;
	switch (vf->id) {
	case VF_CLIENT: case VF_ENROLLMENT: case VF_EXIT: case VF_INCOMEBENEFITS:
	case VF_SERVICES: case VF_CURRENTLIVINGSITUATION:
		break;
	default:
		return HMX_OK;
	}
	q = calloc(1, sizeof *q);
	if (!q)
		return HMX_ENOMEM;
	q->qs = qs;
	/* Export.csv was read before any other file */
	q->export_day = fact_day(res->export_date, true);
	q->report_end = fact_day(res->end_date, false);
	q->win_lo = q->report_end == VD_NODAY ? VD_NODAY :
		q->report_end - (int32_t)(qs->inactive < 100000 ? qs->inactive : 100000);
	q->created = vd_fcol(vf, "DateCreated");
	q->y1915 = vd_days(1915, 1, 1);
	switch (vf->id) {
	case VF_CLIENT:
		cols_client(vf, q);
		break;
	case VF_ENROLLMENT:
		q->rel = vd_fcol(vf, "RelationshipToHoH");
		q->coc = vd_fcol(vf, "EnrollmentCoC");
		q->livsit = vd_fcol(vf, "LivingSituation");
		q->los = vd_fcol(vf, "LengthOfStay");
		q->dts = vd_fcol(vf, "DateToStreetESSH");
		q->times = vd_fcol(vf, "TimesHomelessPastThreeYears");
		q->months = vd_fcol(vf, "MonthsHomelessPastThreeYears");
		q->discond = vd_fcol(vf, "DisablingCondition");
		q->entry = vd_fcol(vf, "EntryDate");
		break;
	case VF_EXIT:
		q->exitdate = vd_fcol(vf, "ExitDate");
		q->dest = vd_fcol(vf, "Destination");
		qs->exit_ok = mapped(vf, vf->col_enrollment) && mapped(vf, q->exitdate);
		break;
	case VF_INCOMEBENEFITS:
		cols_income(vf, q);
		break;
	case VF_SERVICES:
		q->rectype = vd_fcol(vf, "RecordType");
		q->date = vd_fcol(vf, "DateProvided");
		qs->bn_ok = mapped(vf, vf->col_enrollment) && mapped(vf, q->rectype) &&
			    mapped(vf, q->date);
		break;
	default: /* CurrentLivingSituation.csv */
		q->date = vd_fcol(vf, "InformationDate");
		qs->cls_ok = mapped(vf, vf->col_enrollment) && mapped(vf, q->date);
		break;
	}
	*fstate = q;
	return HMX_OK;
}

/* ---- Client.csv ---- */

/* Q11: detail and deciding column. */
static const char *q11(const struct qfile *q, const struct vrow *r, int *col)
{
	int dq = qcode(r, q->namedq);

	*col = q->namedq;
	if (dq == 8 || dq == 9)
		return "dk";
	if (dq == 99 || dq == VD_CODE_NONE)
		return "missing";
	if (qempty(r, q->first) || qempty(r, q->last)) {
		*col = qempty(r, q->first) ? q->first : q->last;
		return "missing";
	}
	return dq == 2 ? "issue" : NULL;
}

static const char *q12(const struct qfile *q, const struct vrow *r, int *col)
{
	int dq = qcode(r, q->ssndq);
	const struct hcsv_field *f;

	*col = q->ssndq;
	if (dq == 8 || dq == 9)
		return "dk";
	if (dq == 99 || dq == VD_CODE_NONE)
		return "missing";
	if (qempty(r, q->ssn)) {
		*col = q->ssn;
		return "missing";
	}
	if (dq == 2)
		return "issue";
	if (q->unhashed && (f = vrow_get(r, q->ssn)) && ssn_bad(f->p, f->len)) {
		*col = q->ssn;
		return "issue";
	}
	return NULL;
}

static const char *q13(const struct qfile *q, const struct vrow *r, const struct vt_client *c,
	int *col)
{
	int dq = qcode(r, q->dobdq);

	*col = q->dobdq;
	if (dq == 8 || dq == 9)
		return "dk";
	if (dq == 99 || dq == VD_CODE_NONE)
		return "missing";
	if (qempty(r, q->dob)) {
		*col = q->dob;
		return "missing";
	}
	if (dq == 2)
		return "issue";
	*col = q->dob;
	if (c->dob != VD_NODAY &&
	    (c->dob < q->y1915 || (c->created != VD_NODAY && c->dob > c->created)))
		return "issue";
	return NULL;
}

/* Q14 (race) and Q15 (gender) of FY2024: a "none" column or none equal to
 * 1 (undecidable when one failed S18). */
static bool none_set(const struct vrow *r, const int *cols, int n, int none, int *col)
{
	int v = qcode(r, none);
	bool bad = false;

	*col = none;
	if (v == 8 || v == 9 || v == 99)
		return true;
	for (int i = 0; i < n; i++) {
		if (cols[i] < 0)
			continue;
		v = qcode(r, cols[i]);
		if (v == 1)
			return false;
		bad = bad || v == VD_CODE_BAD;
	}
	*col = -1;
	return !bad;
}

static void row_client(struct vfile *vf, struct qfile *q, struct vrow *r)
{
	const int *ck = q->qs->ck;
	struct vt_client *c;
	const struct hcsv_field *f;
	const char *det;
	int col, dq;

	if (r->self == VT_NONE)
		return;
	c = ktab_at(&vf->run->t.clients, r->self);
	dq = qcode(r, q->dobdq);
	if ((dq == 1 || dq == 2) && (f = vrow_get(r, q->dob)) && !f->len)
		vd_emit_row(vf, r, ck[10], q->dob, NULL);
	if ((det = q11(q, r, &col)))
		vd_emit_row(vf, r, ck[11], col, det);
	if ((det = q12(q, r, &col)))
		vd_emit_row(vf, r, ck[12], col, det);
	if ((det = q13(q, r, c, &col))) {
		vd_emit_row(vf, r, ck[13], col, det);
		c->q_row |= QC_Q13;
	}
	if (none_set(r, q->race, NRACE, q->racenone, &col))
		vd_emit_row(vf, r, ck[14], col, NULL);
	if (q->sex >= 0) {
		if (mdk(qcode(r, q->sex)))
			vd_emit_row(vf, r, ck[15], q->sex, NULL);
	} else if (none_set(r, q->gender, NGENDER, q->gendernone, &col)) {
		vd_emit_row(vf, r, ck[15], col, NULL);
	}
	if (mdk(qcode(r, q->veteran)))
		c->q_row |= QC_VET;
}

/* ---- Enrollment.csv ---- */

/* Q17: the first column that fails, -1 when none. */
static int q17(const struct qfile *q, const struct vrow *r, const struct vt_project *p)
{
	int ls = qcode(r, q->livsit);

	if (mdk(ls))
		return q->livsit;
	if (mdk(qcode(r, q->los)))
		return q->los;
	if (ls == 101 || ls == 116 || ls == 118 ||
	    (p && (p->type == 0 || p->type == 1 || p->type == 4 || p->type == 8))) {
		if (qempty(r, q->dts))
			return q->dts;
		if (mdk(qcode(r, q->times)))
			return q->times;
		if (mdk(qcode(r, q->months)))
			return q->months;
	}
	return -1;
}

static void row_enrollment(struct vfile *vf, struct qfile *q, struct vrow *r)
{
	struct vtabs *t = &vf->run->t;
	struct qstate *qs = q->qs;
	const int *ck = qs->ck;
	struct vt_enrollment *e;
	struct vt_client *c = NULL;
	const struct vt_project *p = project_of(t, r->project);
	int rel, age = -1, col;
	bool hoh, adult;

	if (r->self == VT_NONE)
		return;
	e = ktab_at(&t->enrollments, r->self);
	if (r->person != VT_NONE && !(r->person & VT_ORPHAN))
		c = ktab_at(&t->clients, r->person);
	rel = qcode(r, q->rel);
	hoh = rel == 1;
	if (rel == VD_CODE_NONE || rel == 99)
		vd_emit_row(vf, r, ck[4], q->rel, NULL);
	if (r->household != VT_NONE) {
		struct vt_household *h = ktab_at(&t->households, r->household);
		unsigned n = h->q_hoh & 3u;
		if (hoh && n < 2)
			n++;
		h->q_hoh = (uint8_t)(QH_SEEN | n);
	}
	if (e->entry != VD_NODAY && e->created != VD_NODAY && e->entry > e->created)
		vd_emit_row(vf, r, ck[7], q->entry, NULL);
	if (c && c->dob != VD_NODAY && e->entry != VD_NODAY) {
		if (c->dob > e->entry) {
			vd_emit_row(vf, r, ck[8], q->entry, NULL);
			c->q_enr |= QE_DOB_LATE;
		} else {
			age = age_years(c->dob, e->entry);
			if (age > 100)
				vd_emit_row(vf, r, ck[9], q->entry, NULL);
		}
	}
	adult = age >= 18;
	if (adult)
		c->q_enr |= QE_ADULT;
	if ((adult || hoh) && (col = q17(q, r, p)) >= 0)
		vd_emit_row(vf, r, ck[17], col, NULL);
	if (hoh && qempty(r, q->coc))
		vd_emit_row(vf, r, ck[18], q->coc, NULL);
	if (mdk(qcode(r, q->discond)))
		vd_emit_row(vf, r, ck[19], q->discond, NULL);
	if (e->entry != VD_NODAY && e->created != VD_NODAY) {
		int32_t days = e->created - e->entry;
		int b = bucket(days);
		qs->tl_enr[b]++;
		if (days > (int64_t)qs->tl_days)
			vd_emit_row(vf, r, ck[24], q->created, bucket_name[b]);
	}
	e->q_row = adult || hoh ? QR_ADULT_HOH : 0;
}

/* ---- Exit.csv ---- */

static void row_exit(struct vfile *vf, struct qfile *q, struct vrow *r)
{
	struct qstate *qs = q->qs;
	const int *ck = qs->ck;
	int32_t ex = vrow_day(r, q->exitdate), cr;
	int dest;

	if (!r->pk || !r->pk->len || r->dup)
		return;
	if (ex != VD_NODAY && r->enrollment != VT_NONE) {
		const struct vt_enrollment *e = ktab_at(&vf->run->t.enrollments, r->enrollment);
		if (e->entry != VD_NODAY && ex < e->entry)
			vd_emit_row(vf, r, ck[5], q->exitdate, NULL);
	}
	if (ex != VD_NODAY && q->export_day != VD_NODAY && ex > q->export_day)
		vd_emit_row(vf, r, ck[6], q->exitdate, NULL);
	dest = qcode(r, q->dest);
	if (mdk(dest) || dest == 30)
		vd_emit_row(vf, r, ck[21], q->dest, NULL);
	if (ex != VD_NODAY && (cr = vrow_day(r, q->created)) != VD_NODAY) {
		int32_t days = cr - ex;
		int b = bucket(days);
		qs->tl_exit[b]++;
		if (days > (int64_t)qs->tl_days)
			vd_emit_row(vf, r, ck[24], q->created, bucket_name[b]);
	}
}

/* ---- IncomeBenefits.csv ---- */

/* Whether source column col is 1; *bad when it is not judged. */
static bool src_one(const struct vrow *r, int col, bool *bad)
{
	const struct hcsv_field *f;
	int v;

	if (col < 0)
		return false;
	f = vrow_get(r, col);
	if (f && f->len == 1 && !vrow_bad(r, col))
		return f->p[0] == '1';
	v = qcode(r, col);
	*bad = *bad || v == VD_CODE_BAD;
	return v == 1;
}

/* Q20 on one record: detail, deciding column. */
static const char *q20(const struct qfile *q, const struct vrow *r, int *col)
{
	static const int from[3] = { 0, NINC, NINC + NBEN }, to[3] = { NINC, NINC + NBEN,
		NINC + NBEN + NINS };
	int any[3];

	for (int g = 0; g < 3; g++) {
		any[g] = qcode(r, q->any[g]);
		if (mdk(any[g])) {
			*col = q->any[g];
			return "missing";
		}
	}
	for (int g = 0; g < 3; g++) {
		bool one = false, bad = false;
		if (any[g] != 0 && any[g] != 1)
			continue;
		for (int i = from[g]; i < to[g] && !one; i++)
			one = src_one(r, q->src[i], &bad);
		if ((any[g] == 0 && one) || (any[g] == 1 && !one && !bad)) {
			*col = q->any[g];
			return "conflict";
		}
	}
	return NULL;
}

static void row_income(struct vfile *vf, struct qfile *q, struct vrow *r)
{
	struct vt_enrollment *e;
	const char *det;
	int stage, col;
	unsigned sh;

	if (!r->pk || !r->pk->len || r->dup || r->enrollment == VT_NONE)
		return;
	stage = qcode(r, q->stage);
	if (stage != 1 && stage != 3)
		return;
	e = ktab_at(&vf->run->t.enrollments, r->enrollment);
	if (!(e->q_row & QR_ADULT_HOH) || (stage == 3 && !e->exit_line))
		return;
	sh = stage == 3 ? 2u : 0u;
	e->q_ib |= (uint8_t)(QI_SEEN << sh);
	if (e->q_ib & (QI_HIT << sh))
		return;
	if ((det = q20(q, r, &col))) {
		vd_emit_row(vf, r, q->qs->ck[20], col, det);
		e->q_ib |= (uint8_t)(QI_HIT << sh);
	}
}

/* Q20 "no-record": every adult or HoH enrollment without a stage-1
 * record, or exited without a stage-3 one. */
static void income_end(struct vfile *vf, struct qfile *q)
{
	const struct vtabs *t = &vf->run->t;
	size_t n = ktab_count(&t->enrollments);

	if (!q->ib_ok || vf->rc)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct vt_enrollment *e = ktab_at(&t->enrollments, (uint32_t)i);
		uint32_t proj = e->project & VT_ORPHAN ? VT_NONE : e->project;
		if (!(e->q_row & QR_ADULT_HOH))
			continue;
		if (!(e->q_ib & QI_SEEN))
			emit_key(vf, 0, q->qs->ck[20], vf->col_enrollment, &t->enrollments, (uint32_t)i,
				-1, "no-record", proj);
		if (e->exit_line && !(e->q_ib & (QI_SEEN << 2)))
			emit_key(vf, 0, q->qs->ck[20], vf->col_enrollment, &t->enrollments, (uint32_t)i,
				-1, "no-record", proj);
	}
}

/* ---- Services.csv, CurrentLivingSituation.csv ---- */

static void row_contact(struct vfile *vf, struct qfile *q, struct vrow *r)
{
	const struct vtabs *t = &vf->run->t;
	const struct vt_project *p;
	struct vt_enrollment *e;
	int want = vf->id == VF_SERVICES ? 1 : 4;
	int32_t d;

	if (!r->pk || !r->pk->len || r->dup || r->enrollment == VT_NONE)
		return;
	if (want == 1 && qcode(r, q->rectype) != 200)
		return;
	p = project_of(t, r->project);
	if (!p || p->type != want || (d = vrow_day(r, q->date)) == VD_NODAY)
		return;
	/* type 1 only here, type 4 only in the other file: the byte is never
	 * written by both */
	e = ktab_at(&t->enrollments, r->enrollment);
	if (want == 1 && d == e->entry)
		e->q_seen |= QS_BN_ENTRY;
	if (q->report_end != VD_NODAY && d > q->win_lo && d <= q->report_end)
		e->q_seen |= QS_RECENT;
}

static void q_row(struct vfile *vf, void *state, void *fstate, struct vrow *r)
{
	struct qfile *q = fstate;

	(void)state;
	if (!q)
		return;
	switch (vf->id) {
	case VF_CLIENT: row_client(vf, q, r); break;
	case VF_ENROLLMENT: row_enrollment(vf, q, r); break;
	case VF_EXIT: row_exit(vf, q, r); break;
	case VF_INCOMEBENEFITS: row_income(vf, q, r); break;
	default: row_contact(vf, q, r); break;
	}
}

static void q_file_end(struct vfile *vf, void *state, void *fstate)
{
	struct qfile *q = fstate;

	(void)state;
	if (!q)
		return;
	if (vf->id == VF_INCOMEBENEFITS)
		income_end(vf, q);
	free(q);
}

/* ---- the cross-file pass ---- */

/* One enrollment of a client's group: Q01 sorts by (a = ProjectID, b =
 * EntryDate), Q23 by (b = start of the stay); then by index. */
struct qitem {
	uint32_t a;
	int32_t b, c;
	uint32_t i;
};

struct qpost {
	struct vrun *run;
	struct qstate *qs;
	struct vfile *ve;          /* Enrollment.csv */
	int32_t report_end;
	struct qitem *it;          /* scratch for one client's enrollments */
	size_t cap;
};

static int item_cmp(const void *x, const void *y)
{
	const struct qitem *a = x, *b = y;

	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	if (a->b != b->b)
		return a->b < b->b ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* A finding of check n about enrollment i, in Enrollment.csv. */
static void emit_enr(struct qpost *qp, uint32_t i, int n, int col)
{
	const struct vtabs *t = &qp->run->t;
	const struct vt_enrollment *e = ktab_at(&t->enrollments, i);

	emit_key(qp->ve, e->line, qp->qs->ck[n], qp->ve->col_pk, &t->enrollments, i, col, NULL,
		e->project & VT_ORPHAN ? VT_NONE : e->project);
}

static bool grow(struct qpost *qp, size_t k)
{
	struct qitem *ni;

	if (k <= qp->cap)
		return true;
	ni = realloc(qp->it, k * sizeof *ni);
	if (!ni)
		return false;
	qp->it = ni;
	qp->cap = k;
	return true;
}

/* Q01 and Q23 over the enrollments ord[0..k) of one client (index order). */
static bool client_group(struct qpost *qp, const uint32_t *ord, size_t k)
{
	const struct vtabs *t = &qp->run->t;
	int32_t open_end = qp->report_end != VD_NODAY ? qp->report_end : INT32_MAX;
	int32_t reach = INT32_MIN;
	size_t m = 0;

	if (!grow(qp, k))
		return false;
	/* Q01: the same (ProjectID, EntryDate) after its first row */
	for (size_t j = 0; j < k; j++) {
		const struct vt_enrollment *e = ktab_at(&t->enrollments, ord[j]);
		if (e->project != VT_NONE && e->entry != VD_NODAY)
			qp->it[m++] = (struct qitem){ e->project, e->entry, 0, ord[j] };
	}
	if (m > 1)
		qsort(qp->it, m, sizeof *qp->it, item_cmp);
	for (size_t j = 1; j < m; j++)
		if (qp->it[j].a == qp->it[j - 1].a && qp->it[j].b == qp->it[j - 1].b)
			emit_enr(qp, qp->it[j].i, 1, -1);
	/* Q23: residential stays [start, end) by (start, index); one starting
	 * before the latest end of the stays before it overlaps one of them */
	m = 0;
	for (size_t j = 0; j < k; j++) {
		const struct vt_enrollment *e = ktab_at(&t->enrollments, ord[j]);
		const struct vt_project *p = project_of(t, e->project);
		int32_t start, end;
		if (!p || !residential(p))
			continue;
		start = permanent(p->type) ? e->movein : e->entry;
		end = e->exit_line ? e->exit : open_end;
		if (start != VD_NODAY && end != VD_NODAY)
			qp->it[m++] = (struct qitem){ 0, start, end, ord[j] };
	}
	if (m < 2)
		return true;
	qsort(qp->it, m, sizeof *qp->it, item_cmp);
	for (size_t j = 0; j < m; j++) {
		if (reach > qp->it[j].b)
			emit_enr(qp, qp->it[j].i, 23, -1);
		if (qp->it[j].c > reach)
			reach = qp->it[j].c;
	}
	return true;
}

/* Groups the enrollments by client (counting sort, index order kept) and
 * runs client_group on every group of two or more. */
static bool by_client(struct qpost *qp)
{
	const struct vtabs *t = &qp->run->t;
	size_t ne = ktab_count(&t->enrollments), nc = ktab_count(&t->clients);
	size_t np = nc + ktab_count(&t->orphan_persons);
	uint32_t *first = calloc(np + 2, sizeof *first), *ord = malloc((ne ? ne : 1) * sizeof *ord);
	bool ok = first && ord;

	for (size_t i = 0; ok && i < ne; i++) {
		uint32_t p = ((const struct vt_enrollment *)ktab_at(&t->enrollments, (uint32_t)i))->person;
		if (p != VT_NONE)
			first[(p & VT_ORPHAN ? nc + (p & ~VT_ORPHAN) : p) + 2]++;
	}
	for (size_t k = 2; ok && k < np + 2; k++)
		first[k] += first[k - 1];
	/* first[p + 1]: where p's enrollments go next; then first[p]..first[p+1] */
	for (size_t i = 0; ok && i < ne; i++) {
		uint32_t p = ((const struct vt_enrollment *)ktab_at(&t->enrollments, (uint32_t)i))->person;
		if (p != VT_NONE)
			ord[first[(p & VT_ORPHAN ? nc + (p & ~VT_ORPHAN) : p) + 1]++] = (uint32_t)i;
	}
	for (size_t p = 0; ok && p < np; p++)
		if (first[p + 1] - first[p] > 1)
			ok = client_group(qp, ord + first[p], first[p + 1] - first[p]);
	free(first);
	free(ord);
	return ok;
}

/* Q02, Q03: heads per household. */
static void households(struct qpost *qp)
{
	const struct vtabs *t = &qp->run->t;
	int col = vd_fcol(qp->ve, "HouseholdID");

	for (size_t i = 0; i < ktab_count(&t->households); i++) {
		const struct vt_household *h = ktab_at(&t->households, (uint32_t)i);
		unsigned n = h->q_hoh & 3u;
		if (!(h->q_hoh & QH_SEEN) || n == 1)
			continue;
		emit_key(qp->ve, h->line, qp->qs->ck[n ? 3 : 2], col, &t->households, (uint32_t)i, -1,
			NULL, h->project & VT_ORPHAN ? VT_NONE : h->project);
	}
}

/* Q13 (DOB after an entry) and Q16: facts Enrollment.csv left on clients. */
static void clients(struct qpost *qp, struct vfile *vc)
{
	const struct vtabs *t = &qp->run->t;
	int dob = vd_fcol(vc, "DOB"), vet = vd_fcol(vc, "VeteranStatus");

	for (size_t i = 0; i < ktab_count(&t->clients); i++) {
		const struct vt_client *c = ktab_at(&t->clients, (uint32_t)i);
		if ((c->q_enr & QE_DOB_LATE) && !(c->q_row & QC_Q13))
			emit_key(vc, c->line, qp->qs->ck[13], vc->col_pk, &t->clients, (uint32_t)i, dob,
				"issue", VT_NONE);
		if ((c->q_enr & QE_ADULT) && (c->q_row & QC_VET))
			emit_key(vc, c->line, qp->qs->ck[16], vc->col_pk, &t->clients, (uint32_t)i, vet,
				NULL, VT_NONE);
	}
}

/* Q22, Q25, Q26, Q27: one enrollment against its project, exit and the
 * bed nights or contacts seen. */
static void enrollments(struct qpost *qp)
{
	const struct vtabs *t = &qp->run->t;
	const struct qstate *qs = qp->qs;
	int32_t end = qp->report_end;
	bool exits = qs->exit_ok, bn = qs->bn_ok, cls = qs->cls_ok;
	int c_movein = vd_fcol(qp->ve, "MoveInDate"), c_entry = vd_fcol(qp->ve, "EntryDate");

	for (size_t i = 0; i < ktab_count(&t->enrollments); i++) {
		const struct vt_enrollment *e = ktab_at(&t->enrollments, (uint32_t)i);
		const struct vt_project *p = project_of(t, e->project);
		int32_t ex = e->exit_line ? e->exit : VD_NODAY;
		if (!p)
			continue;
		if (permanent(p->type) && e->movein != VD_NODAY &&
		    ((e->entry != VD_NODAY && e->movein < e->entry) || (ex != VD_NODAY && e->movein > ex)))
			emit_enr(qp, (uint32_t)i, 22, c_movein);
		if (e->entry != VD_NODAY && end != VD_NODAY && exits &&
		    ((p->type == 1 && bn) || (p->type == 4 && cls)) &&
		    (!e->exit_line || (ex != VD_NODAY && ex > end)) &&
		    (int64_t)end - e->entry > (int64_t)qs->inactive && !(e->q_seen & QS_RECENT))
			emit_enr(qp, (uint32_t)i, 25, -1);
		if (p->type == 1 && bn && e->entry != VD_NODAY && !(e->q_seen & QS_BN_ENTRY))
			emit_enr(qp, (uint32_t)i, 26, c_entry);
		if (e->entry != VD_NODAY) {
			if ((p->op_start != VD_NODAY && e->entry < p->op_start) ||
			    (p->op_end != VD_NODAY && e->entry > p->op_end))
				emit_enr(qp, (uint32_t)i, 27, c_entry);
			else if (p->op_end != VD_NODAY && ex != VD_NODAY && ex > p->op_end)
				emit_enr(qp, (uint32_t)i, 27, -1);
		}
	}
}

static enum hmx_rc q_post(struct vrun *run, void *state, struct hmx_err *err)
{
	struct qstate *qs = state;
	struct qpost qp = { run, qs, run->byid[VF_ENROLLMENT], fact_day(run->res->end_date, false),
		NULL, 0 };
	struct vfile *vc = run->byid[VF_CLIENT];

	for (int b = 0; b < 5; b++) {
		run->res->timeliness[0][b] = qs->tl_enr[b];
		run->res->timeliness[1][b] = qs->tl_exit[b];
	}
	run->res->timeliness_days = qs->tl_days;
	if (vc)
		clients(&qp, vc);
	if (!qp.ve)
		return HMX_OK;
	households(&qp);
	enrollments(&qp);
	if (!by_client(&qp)) {
		free(qp.it);
		return hmx_err_set(err, HMX_ENOMEM, "out of memory");
	}
	free(qp.it);
	return HMX_OK;
}

const struct vfamily vcheck_q = {
	.name = "Q",
	.init = q_init,
	.fini = q_fini,
	.file_begin = q_file_begin,
	.row = q_row,
	.file_end = q_file_end,
	.post = q_post,
};
