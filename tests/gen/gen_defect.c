/* tests/gen/gen_defect.c — seeded defects and the manifest of findings.
 *
 * Each seedable check of checks.md has a row in the table below: how many
 * instances it can take and the functions that plant them, by phase
 * (before headers, with the projects, between households, at the end of
 * the files, in the zip). Every instance is planted on records of its own
 * (a fresh household, project, row or file), so the instances never touch
 * each other and the count of findings is exact. Every planted finding is
 * noted (check, file, line, key, detail); the manifest is those notes
 * counted per check. Where one defect implies another by the rules (a DOB
 * after entry is also a Q13 "issue"), both are noted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <zip.h>

#include "gen.h"

/* ---- notes --------------------------------------------------------------- */

struct note {
	char check[4];
	char file[32];
	uint64_t line;
	char key[48];
	char detail[32];
};

static struct note *notes;
static size_t nnotes, capnotes;

static const char *const fname[F__COUNT] = {
#define X(n) #n ".csv",
	GEN_FILES(X)
#undef X
};

/* Notes one expected finding; keycol NULL for none. */
static void note(const char *check, const char *file, uint64_t line,
	const char *keycol, uint64_t keyval, const char *detail)
{
	if (nnotes == capnotes) {
		capnotes = capnotes ? capnotes * 2 : 256;
		notes = realloc(notes, capnotes * sizeof *notes);
		if (!notes)
			die("out of memory");
	}
	struct note *n = &notes[nnotes++];
	memset(n, 0, sizeof *n);
	snprintf(n->check, sizeof n->check, "%s", check);
	snprintf(n->file, sizeof n->file, "%s", file);
	n->line = line;
	if (keycol)
		snprintf(n->key, sizeof n->key, "%s=%llu", keycol,
			 (unsigned long long)keyval);
	snprintf(n->detail, sizeof n->detail, "%s", detail ? detail : "");
}

/* ---- helpers shared by the seeds ----------------------------------------- */

static const int rel_hoh[1] = { 1 };

/* A fresh one-person household (adult HoH) planned in pr; not emitted. */
static struct enr *single(struct hh *h, struct person *p, struct project *pr,
	int entry, int exit)
{
	struct person *ps[1] = { p };

	if (!p->pid)
		person_new(p, 1, entry);
	hh_plan(h, pr, entry, exit, 1, ps, rel_hoh);
	return &h->m[0];
}

static int some_day(void)
{
	return rnd_range(G.start + 10, G.end - 60);
}

/* A clean, open, one-person household in a non-residential project whose
 * enrollment hosts leaf rows; emitted. */
static struct enr *host(struct hh *h, struct person *p)
{
	struct enr *e = single(h, p, host_project(), some_day(), 0);

	hh_emit(h);
	return e;
}

static struct project *project_at(int type, int day)
{
	return pick_project(type, day);
}

/* Starts a clean Event row of e (id 0: a new one); the caller may change
 * cells before row_end(). */
static uint32_t ev_begin(struct enr *e, uint32_t id, int ev)
{
	int d = e->entry + 1, sec = office_sec();

	if (!id)
		id = next_id(F_Event);
	row_begin(F_Event);
	r_id(C_Event_EventID, id);
	r_id(C_Event_EnrollmentID, e->eid);
	r_id(C_Event_PersonalID, e->p->pid);
	r_date(C_Event_EventDate, d);
	r_int(C_Event_Event, ev);
	if (ev >= 10 && ev <= 18) {
		r_str(C_Event_LocationCrisisOrPHHousing, "Partner project");
		r_int(C_Event_ReferralResult, 1);
		r_date(C_Event_ResultDate, d);
	}
	r_common(d, sec, d, sec, e->user);
	return id;
}

static uint32_t assess_begin(struct enr *e)
{
	uint32_t id = next_id(F_Assessment);
	int d = e->entry, sec = office_sec();

	row_begin(F_Assessment);
	r_id(C_Assessment_AssessmentID, id);
	r_id(C_Assessment_EnrollmentID, e->eid);
	r_id(C_Assessment_PersonalID, e->p->pid);
	r_date(C_Assessment_AssessmentDate, d);
	r_str(C_Assessment_AssessmentLocation, "Access Point");
	r_int(C_Assessment_AssessmentType, 3);
	r_int(C_Assessment_AssessmentLevel, 1);
	r_int(C_Assessment_PrioritizationStatus, 1);
	r_common(d, sec, d, sec, e->user);
	return id;
}

static uint32_t aq_begin(struct enr *e, uint32_t aid)
{
	uint32_t id = next_id(F_AssessmentQuestions);
	int d = e->entry, sec = office_sec();

	row_begin(F_AssessmentQuestions);
	r_id(C_AssessmentQuestions_AssessmentQuestionID, id);
	r_id(C_AssessmentQuestions_AssessmentID, aid);
	r_id(C_AssessmentQuestions_EnrollmentID, e->eid);
	r_id(C_AssessmentQuestions_PersonalID, e->p->pid);
	r_str(C_AssessmentQuestions_AssessmentQuestionGroup, "Housing history");
	r_int(C_AssessmentQuestions_AssessmentQuestionOrder, 1);
	r_str(C_AssessmentQuestions_AssessmentQuestion, "Nights outside");
	r_str(C_AssessmentQuestions_AssessmentAnswer, "12");
	r_common(d, sec, d, sec, e->user);
	return id;
}

static uint32_t svc_begin(struct enr *e, int rt, int type)
{
	uint32_t id = next_id(F_Services);
	int d = e->entry, sec = office_sec();

	row_begin(F_Services);
	r_id(C_Services_ServicesID, id);
	r_id(C_Services_EnrollmentID, e->eid);
	r_id(C_Services_PersonalID, e->p->pid);
	r_date(C_Services_DateProvided, d);
	r_int(C_Services_RecordType, rt);
	r_int(C_Services_TypeProvided, type);
	if (rt == 152) {
		r_money(C_Services_FAAmount, 50000);
		r_date(C_Services_FAStartDate, d);
		r_date(C_Services_FAEndDate, d + 29);
	}
	r_common(d, sec, d, sec, e->user);
	return id;
}

static uint32_t cls_begin(struct enr *e)
{
	uint32_t id = next_id(F_CurrentLivingSituation);
	int d = e->entry, sec = office_sec();

	row_begin(F_CurrentLivingSituation);
	r_id(C_CurrentLivingSituation_CurrentLivingSitID, id);
	r_id(C_CurrentLivingSituation_EnrollmentID, e->eid);
	r_id(C_CurrentLivingSituation_PersonalID, e->p->pid);
	r_date(C_CurrentLivingSituation_InformationDate, d);
	r_int(C_CurrentLivingSituation_CurrentLivingSituation, 116);
	r_common(d, sec, d, sec, e->user);
	return id;
}

/* ---- package ------------------------------------------------------------- */

static char subdir[32];

static void p02_prep(int i)
{
	(void)i;
	snprintf(subdir, sizeof subdir, "export");
	note("P02", "-", 0, NULL, 0, "export");
}

static const enum gfile_id p03_pool[] = { F_AssessmentResults, F_Affiliation,
	F_YouthEducationStatus };

static void p03_prep(int i)
{
	G.f[p03_pool[i]].omit = 1;
	note("P03", fname[p03_pool[i]], 0, NULL, 0, NULL);
}

static const char *const p04_names[] = { "Notes.csv", "Legacy.csv",
	"ScratchPad.csv" };
static int p04_n;

static void p04_prep(int i)
{
	p04_n = i + 1;
	note("P04", p04_names[i], 0, NULL, 0, NULL);
}

static void p06_prep(int i)
{
	(void)i;
	note("P06", "Export.csv", 0, NULL, 0, NULL);
}

static void p07_prep(int i)
{
	(void)i;
	G.hash_status = 4;
	note("P07", "Export.csv", 0, NULL, 0, NULL);
}

static const char *const p08_names[] = { "../Escape.csv", "/tmp/Absolute.csv",
	"Link.csv" };
static int p08_n;

static void p08_prep(int i)
{
	char name[96];

	p08_n = i + 1;
	snprintf(name, sizeof name, "%s%s%s",
		 subdir[0] && p08_names[i][0] != '/' ? subdir : "",
		 subdir[0] && p08_names[i][0] != '/' ? "/" : "", p08_names[i]);
	note("P08", name, 0, NULL, 0, NULL);
}

/* ---- structure: file level ----------------------------------------------- */

static const enum gfile_id s02_pool[] = { F_Funder, F_ProjectCoC, F_Inventory,
	F_Client };
static const enum gfile_id s03_pool[] = { F_Organization,
	F_HMISParticipation, F_Project, F_User };
static const enum gfile_id s04_pool[] = { F_AssessmentQuestions, F_Event,
	F_CurrentLivingSituation, F_Services };
static const struct { enum gfile_id f; const char *col; } s05_pool[] = {
	{ F_Funder, "OtherFunder" },
	{ F_Organization, "OrganizationCommonName" },
	{ F_Services, "MovingOnOtherType" },
	{ F_Exit, "OtherDestination" } };
static const enum gfile_id s06_pool[] = { F_ProjectCoC, F_User,
	F_CurrentLivingSituation, F_Assessment };
static const struct { enum gfile_id f; const char *col; } s07_pool[] = {
	{ F_Project, "ProjectCommonName" },
	{ F_Inventory, "ESBedType" },
	{ F_HMISParticipation, "HMISParticipationStatusEndDate" },
	{ F_EmploymentEducation, "SchoolStatus" } };
static const enum gfile_id s08_pool[] = { F_CEParticipation, F_HealthAndDV,
	F_Disabilities, F_IncomeBenefits };

static int lay_find(struct gfile *f, const char *col)
{
	for (int j = 0; j < f->nlay; j++)
		if (f->lay[j].spec >= 0 &&
		    !strcmp(f->colname[f->lay[j].spec], col))
			return j;
	die("internal: %s has no column %s", f->name, col);
}

static void s02_prep(int i)
{
	G.f[s02_pool[i]].bom = 1;
	note("S02", fname[s02_pool[i]], 1, NULL, 0, NULL);
}

static void s03_prep(int i)
{
	G.f[s03_pool[i]].crlf_line = 2;
	note("S03", fname[s03_pool[i]], 2, NULL, 0, NULL);
}

static void s05_prep(int i)
{
	struct gfile *f = &G.f[s05_pool[i].f];
	int j = lay_find(f, s05_pool[i].col);

	memmove(&f->lay[j], &f->lay[j + 1],
		(size_t)(f->nlay - j - 1) * sizeof f->lay[0]);
	f->nlay--;
	note("S05", f->name, 0, NULL, 0, s05_pool[i].col);
}

static void s06_prep(int i)
{
	struct gfile *f = &G.f[s06_pool[i]];

	f->lay[f->nlay].spec = -1;
	snprintf(f->lay[f->nlay].hdr, sizeof f->lay[0].hdr, "LegacyNotes");
	f->nlay++;
	note("S06", f->name, 0, NULL, 0, "LegacyNotes");
}

static void s07_prep(int i)
{
	struct gfile *f = &G.f[s07_pool[i].f];
	int j = lay_find(f, s07_pool[i].col);

	for (char *c = f->lay[j].hdr; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	note("S07", f->name, 0, NULL, 0, s07_pool[i].col);
}

static void s08_prep(int i)
{
	struct gfile *f = &G.f[s08_pool[i]];
	int a = lay_find(f, "DateCreated"), b = lay_find(f, "DateUpdated");
	struct glay t = f->lay[a];

	f->lay[a] = f->lay[b];
	f->lay[b] = t;
	note("S08", f->name, 0, NULL, 0, NULL);
}

/* S04: an unterminated quote in the last row of a file: that record is
 * not delivered and nothing follows it. */
static struct hh tail_h;
static struct person tail_p;
static int tail_ready;

static void s04_tail(int i)
{
	enum gfile_id f = s04_pool[i];
	struct enr *e;
	uint32_t id = 0;

	if (!tail_ready) {
		tail_ready = 1;
		host(&tail_h, &tail_p);
	}
	e = &tail_h.m[0];
	switch (f) {
	case F_AssessmentQuestions:
		id = aq_begin(e, 1);
		break;
	case F_Event:
		id = ev_begin(e, 0, 4);
		break;
	case F_CurrentLivingSituation:
		id = cls_begin(e);
		break;
	default:
		id = svc_begin(e, 144, 2);
		break;
	}
	r_unterminated();
	static const char *const pk[] = { "AssessmentQuestionID", "EventID",
		"CurrentLivingSitID", "ServicesID" };
	note("S04", fname[f], row_end(), pk[i], id, NULL);
}

/* ---- structure: rows and cells ------------------------------------------- */

static void s01_hh(int i)
{
	static const char *const bad[] = { "Caf\xE9 Access Point",
		"Shelter \xFF annex", "Center \xC3" };
	struct hh h;
	struct person p = { 0 };
	struct enr *e = host(&h, &p);
	uint32_t id = assess_begin(e);

	r_str(C_Assessment_AssessmentLocation, bad[i % 3]);
	note("S01", "Assessment.csv", row_end(), "AssessmentID", id, NULL);
}

static void s09_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	struct enr *e = host(&h, &p);
	uint32_t id = ev_begin(e, 0, 1 + i % 9);

	r_extra_field();
	note("S09", "Event.csv", row_end(), "EventID", id, NULL);
}

static void s10_hh(int i)
{
	static const char *const bad[] = { "2b", "1.5", "three", "99999999999" };
	struct hh h;
	struct person p = { 0 };
	struct enr *e = host(&h, &p);
	uint32_t aid = assess_begin(e);

	row_end();
	uint32_t id = aq_begin(e, aid);
	r_str(C_AssessmentQuestions_AssessmentQuestionOrder, bad[i % 4]);
	note("S10", "AssessmentQuestions.csv", row_end(),
	     "AssessmentQuestionID", id, "AssessmentQuestionOrder");
}

static void s11_hh(int i)
{
	static const char *const bad[] = { "2024-02-30", "2023-13-01",
		"2024/03/01", "2023-02-29" };
	struct hh h;
	struct person p = { 0 };
	struct enr *e = host(&h, &p);
	uint32_t id = ev_begin(e, 0, 13);

	r_str(C_Event_ResultDate, bad[i % 4]);
	note("S11", "Event.csv", row_end(), "EventID", id, "ResultDate");
}

static void s12_hh(int i)
{
	static const char *const bad[] = { "12.345", "$40.00", "1e3", "12-50" };
	struct hh h;
	struct person p = { 0 };
	struct enr *e = host(&h, &p);
	uint32_t id = svc_begin(e, 152, 1);

	r_str(C_Services_FAAmount, bad[i % 4]);
	note("S12", "Services.csv", row_end(), "ServicesID", id, "FAAmount");
}

static void s13_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	struct enr *e = host(&h, &p);
	uint32_t id = ev_begin(e, 0, 1 + i % 9);

	r_cc_clear(CC_DateUpdated);
	note("S13", "Event.csv", row_end(), "EventID", id, "DateUpdated");
}

static void s14_hh(int i)
{
	char loc[300];
	struct hh h;
	struct person p = { 0 };
	struct enr *e = host(&h, &p);
	uint32_t id = ev_begin(e, 0, 11);

	memset(loc, 'a' + i % 26, 251 + (size_t)i % 40);
	loc[251 + i % 40] = 0;
	r_str(C_Event_LocationCrisisOrPHHousing, loc);
	note("S14", "Event.csv", row_end(), "EventID", id,
	     "LocationCrisisOrPHHousing");
}

static void s15_hh(int i)
{
	static const char *const bad[] = { "Unit <4B>", "Building {C}",
		"Room [12]", "North > South" };
	struct hh h;
	struct person p = { 0 };
	struct enr *e = host(&h, &p);
	uint32_t id = ev_begin(e, 0, 12);

	r_str(C_Event_LocationCrisisOrPHHousing, bad[i % 4]);
	note("S15", "Event.csv", row_end(), "EventID", id,
	     "LocationCrisisOrPHHousing");
}

static void s16_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	struct enr *e = host(&h, &p);
	uint32_t id = ev_begin(e, 0, 1 + i % 9);

	r_cc_str(CC_ExportID, "99999");
	note("S16", "Event.csv", row_end(), "EventID", id, NULL);
}

/* S17: deleted rows nothing live refers to. */
static void s17_hh(int i)
{
	struct hh h;
	struct person p = { 0 }, q;
	struct enr *e = host(&h, &p);
	uint32_t id;
	int del = G.export_day - 2;

	switch (i % 4) {
	case 0:
		id = ev_begin(e, 0, 3);
		r_cc_dt(CC_DateDeleted, del, 4000);
		note("S17", "Event.csv", row_end(), "EventID", id, NULL);
		break;
	case 1:
		id = svc_begin(e, 144, 2);
		r_cc_dt(CC_DateDeleted, del, 4000);
		note("S17", "Services.csv", row_end(), "ServicesID", id, NULL);
		break;
	case 2:
		person_new(&q, 1, e->entry);
		q.deleted = 1;
		client_emit(&q);
		note("S17", "Client.csv", q.line, "PersonalID", q.pid, NULL);
		break;
	default:
		id = next_id(F_Enrollment);
		row_begin(F_Enrollment);
		r_id(C_Enrollment_EnrollmentID, id);
		r_id(C_Enrollment_PersonalID, p.pid);
		r_id(C_Enrollment_ProjectID, e->proj->id);
		r_date(C_Enrollment_EntryDate, e->entry - 30);
		r_id(C_Enrollment_HouseholdID, 4100000000u + (uint32_t)i);
		r_int(C_Enrollment_RelationshipToHoH, 1);
		r_int(C_Enrollment_DisablingCondition, 0);
		r_common(e->entry - 30, 40000, e->entry - 30, 40000, e->user);
		r_cc_dt(CC_DateDeleted, del, 4000);
		note("S17", "Enrollment.csv", row_end(), "EnrollmentID", id,
		     NULL);
		break;
	}
}

static void s18_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	struct enr *e = single(&h, &p, host_project(), some_day(), 0);
	static const char *const col[3] = { "GeneralHealthStatus",
		"DentalHealthStatus", "MentalHealthStatus" };

	e->s18_health = 1 + i % 3;
	hh_emit(&h);
	note("S18", "HealthAndDV.csv", e->k_line, "HealthAndDVID", e->k_id,
	     col[i % 3]);
}

/* ---- integrity ----------------------------------------------------------- */

static void k01_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	struct enr *e = host(&h, &p);
	uint32_t id = ev_begin(e, 0, 1 + i % 9);

	row_end();
	ev_begin(e, id, 1 + i % 9);
	note("K01", "Event.csv", row_end(), "EventID", id, NULL);
}

static void k02_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	struct enr *e;

	(void)i;
	person_new(&p, 1, G.start);
	p.no_row = 1;
	e = single(&h, &p, host_project(), some_day(), 0);
	hh_emit(&h);
	note("K02", "Enrollment.csv", e->line, "EnrollmentID", e->eid, NULL);
}

static int k03_proj[8];

static void k03_proj_fn(int i)
{
	struct project *p = project_add(6, 0);

	p->phantom = 1;
	p->opstart = G.start - 1000;
	k03_proj[i] = (int)(p - projects);
}

static void k03_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	struct enr *e = single(&h, &p, &projects[k03_proj[i]], some_day(), 0);

	hh_emit(&h);
	note("K03", "Enrollment.csv", e->line, "EnrollmentID", e->eid, NULL);
}

static void k04_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	struct enr *e = host(&h, &p);
	uint32_t id = ev_begin(e, 0, 1 + i % 9);

	r_id(C_Event_EnrollmentID, 4000000000u + (uint32_t)i);
	note("K04", "Event.csv", row_end(), "EventID", id, NULL);
}

static void k05_hh(int i)
{
	struct hh h;
	struct person a, b, *ps[2] = { &a, &b };
	static const int rels[2] = { 1, 3 };
	int d = some_day();

	person_new(&a, 1, d);
	person_new(&b, 1, d);
	hh_plan(&h, host_project(), d, 0, 2, ps, rels);
	hh_emit(&h);
	uint32_t id = ev_begin(&h.m[0], 0, 1 + i % 9);
	r_id(C_Event_PersonalID, b.pid);
	note("K05", "Event.csv", row_end(), "EventID", id, NULL);
}

static void k06_proj(int i)
{
	uint32_t pid = 3000000000u + (uint32_t)i, id;
	int d = G.start - 200, sec = office_sec();
	uint64_t line;

	switch (i % 3) {
	case 0:
		row_begin(F_Funder);
		r_id(C_Funder_FunderID, id = next_id(F_Funder));
		r_id(C_Funder_ProjectID, pid);
		r_int(C_Funder_Funder, 34);
		r_date(C_Funder_StartDate, d);
		r_common(d, sec, d, sec, 1);
		line = row_end();
		note("K06", "Funder.csv", line, "FunderID", id, NULL);
		break;
	case 1:
		row_begin(F_HMISParticipation);
		r_id(C_HMISParticipation_HMISParticipationID,
		     id = next_id(F_HMISParticipation));
		r_id(C_HMISParticipation_ProjectID, pid);
		r_int(C_HMISParticipation_HMISParticipationType, 1);
		r_date(C_HMISParticipation_HMISParticipationStatusStartDate, d);
		r_common(d, sec, d, sec, 1);
		line = row_end();
		note("K06", "HMISParticipation.csv", line,
		     "HMISParticipationID", id, NULL);
		break;
	default:
		row_begin(F_CEParticipation);
		r_id(C_CEParticipation_CEParticipationID,
		     id = next_id(F_CEParticipation));
		r_id(C_CEParticipation_ProjectID, pid);
		r_int(C_CEParticipation_AccessPoint, 0);
		r_int(C_CEParticipation_ReceivesReferrals, 0);
		r_date(C_CEParticipation_CEParticipationStatusStartDate, d);
		r_common(d, sec, d, sec, 1);
		line = row_end();
		note("K06", "CEParticipation.csv", line, "CEParticipationID",
		     id, NULL);
		break;
	}
}

static void k07_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	struct enr *e = host(&h, &p);
	uint32_t id = ev_begin(e, 0, 1 + i % 9);

	r_cc_str(CC_UserID, "9999");
	note("K07", "Event.csv", row_end(), "EventID", id, NULL);
}

/* K08: HoH in one project, a child of the same household in another;
 * one HoH in the household, so Q02/Q03 stay quiet. */
static void k08_hh(int i)
{
	struct hh h;
	struct person a, b, *ps[2] = { &a, &b };
	static const int rels[2] = { 1, 2 };
	int d = some_day();
	struct project *pa = host_project(), *pb = NULL;

	(void)i;
	for (int k = 0; k < nclean && !pb; k++) {
		struct project *q = &projects[k];
		if (q != pa && !q->phantom && !q->residential &&
		    (q->type == 6 || q->type == 12 || q->type == 14) &&
		    q->opstart <= d && !orgs[q->org].vsp)
			pb = q;
	}
	if (!pb)
		die("K08 needs two non-residential projects (--projects)");
	person_new(&a, 1, d);
	person_new(&b, 0, d);
	hh_plan(&h, pa, d, 0, 2, ps, rels);
	h.m[1].proj = pb;
	hh_emit(&h);
	note("K08", "Enrollment.csv", h.m[1].line, "HouseholdID", h.m[0].hhid,
	     NULL);
}

static void k10_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	struct enr *e = host(&h, &p);
	uint32_t id = aq_begin(e, 3500000000u + (uint32_t)i);

	note("K10", "AssessmentQuestions.csv", row_end(),
	     "AssessmentQuestionID", id, NULL);
}

static const enum gfile_id k_files[3] = { F_HealthAndDV,
	F_EmploymentEducation, F_Disabilities };
static const char *const k_pk[3] = { "HealthAndDVID", "EmploymentEducationID",
	"DisabilitiesID" };

static void k11_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	struct enr *e = single(&h, &p, host_project(), some_day(), 0);

	e->k11_file = (int)k_files[i % 3];
	hh_emit(&h);
	note("K11", fname[k_files[i % 3]], e->k_line, k_pk[i % 3], e->k_id,
	     NULL);
}

static void k12_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	struct enr *e = single(&h, &p, host_project(), some_day(), 0);

	e->k12_file = (int)k_files[i % 3];
	hh_emit(&h);
	note("K12", fname[k_files[i % 3]], e->k_line, k_pk[i % 3], e->k_id,
	     NULL);
}

/* ---- quality ------------------------------------------------------------- */

static void q_enr(const char *check, struct enr *e, const char *detail)
{
	note(check, "Enrollment.csv", e->line, "EnrollmentID", e->eid, detail);
}

static void q_client(const char *check, struct person *p, const char *detail)
{
	note(check, "Client.csv", p->line, "PersonalID", p->pid, detail);
}

static void q01_hh(int i)
{
	struct hh h1, h2;
	struct person p = { 0 }, *ps[1] = { &p };
	struct project *pr = host_project();
	int d = some_day();

	(void)i;
	single(&h1, &p, pr, d, d + 20);
	hh_emit(&h1);
	hh_plan(&h2, pr, d, d + 25, 1, ps, rel_hoh);
	hh_emit(&h2);
	q_enr("Q01", &h2.m[0], NULL);
}

static void q02_hh(int i)
{
	struct hh h;
	struct person a, b, *ps[2] = { &a, &b };
	static const int rels[2][2] = { { 3, 5 }, { 4, 2 } };
	int d = some_day();

	person_new(&a, 1, d);
	person_new(&b, 1, d);
	hh_plan(&h, host_project(), d, 0, 2, ps, rels[i % 2]);
	hh_emit(&h);
	note("Q02", "Enrollment.csv", h.m[0].line, "HouseholdID", h.m[0].hhid,
	     NULL);
}

static void q03_hh(int i)
{
	struct hh h;
	struct person a, b, *ps[2] = { &a, &b };
	static const int rels[2] = { 1, 1 };
	int d = some_day();

	(void)i;
	person_new(&a, 1, d);
	person_new(&b, 1, d);
	hh_plan(&h, host_project(), d, 0, 2, ps, rels);
	hh_emit(&h);
	note("Q03", "Enrollment.csv", h.m[0].line, "HouseholdID", h.m[0].hhid,
	     NULL);
}

static void q04_hh(int i)
{
	struct hh h;
	struct person a, b, *ps[2] = { &a, &b };
	static const int rels[2] = { 1, 99 };
	int d = some_day();

	(void)i;
	person_new(&a, 1, d);
	person_new(&b, 1, d);
	hh_plan(&h, host_project(), d, 0, 2, ps, rels);
	hh_emit(&h);
	q_enr("Q04", &h.m[1], NULL);
}

static void exit_note(const char *check, struct enr *e, const char *detail)
{
	note(check, "Exit.csv", e->exit_line, "ExitID", e->exit_id, detail);
}

static void q05_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	int d = some_day();
	struct enr *e = single(&h, &p, host_project(), d, d - 3 - i % 5);

	hh_emit(&h);
	exit_note("Q05", e, NULL);
}

static void q06_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	struct enr *e = single(&h, &p, host_project(), G.end - 20,
			       G.export_day + 10 + i);

	hh_emit(&h);
	exit_note("Q06", e, NULL);
}

static void q07_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	struct enr *e = single(&h, &p, host_project(), some_day(), 0);

	e->ent_coff = -1 - i % 5;
	hh_emit(&h);
	q_enr("Q07", e, NULL);
}

static void q08_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	int d = some_day();

	person_new(&p, 1, d);
	p.dob = d + 30 + i;
	struct enr *e = single(&h, &p, host_project(), d, 0);
	hh_emit(&h);
	q_enr("Q08", e, NULL);
	q_client("Q13", &p, "issue");   /* DOB after entry: also Q13 */
}

static void q09_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	int d = some_day();

	person_new(&p, 1, d);
	p.dob = d - 104 * 365 - 30 - i;
	struct enr *e = single(&h, &p, host_project(), d, 0);
	hh_emit(&h);
	q_enr("Q09", e, NULL);
}

static void q10_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	int d = some_day();

	person_new(&p, 1, d);
	p.dob = DOB_NONE;
	p.dob_dq = 1 + i % 2;
	single(&h, &p, host_project(), d, 0);
	hh_emit(&h);
	q_client("Q10", &p, NULL);
	q_client("Q13", &p, "missing"); /* empty DOB: also Q13 */
}

static void q11_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	int d = some_day();
	const char *detail;

	person_new(&p, 1, d);
	switch (i % 4) {
	case 0:
		p.name_dq = 8 + (i / 4) % 2;
		p.first[0] = p.last[0] = p.middle[0] = 0;
		detail = "dk";
		break;
	case 1:
		p.name_dq = 2;
		detail = "issue";
		break;
	case 2:
		p.first[0] = 0;
		detail = "missing";
		break;
	default:
		p.name_dq = 99;
		detail = "missing";
		break;
	}
	single(&h, &p, host_project(), d, 0);
	hh_emit(&h);
	q_client("Q11", &p, detail);
}

static void q12_hh(int i)
{
	/* rotation: dk, pattern, missing, partial, missing 99, patterns */
	static const char *const pattern[] = { "666123456", "000123456",
		"912345678", "123004567", "123450000", "555555555", "123456789",
		"12345678" };
	struct hh h;
	struct person p = { 0 };
	int d = some_day();
	const char *detail = "issue";
	int v = i % 12;

	person_new(&p, 1, d);
	if (v == 0) {
		p.ssn_dq = 8 + (i / 12) % 2;
		p.ssn[0] = 0;
		detail = "dk";
	} else if (v == 2) {
		p.ssn[0] = 0;
		detail = "missing";
	} else if (v == 4) {
		p.ssn_dq = 99;
		p.ssn[0] = 0;
		detail = "missing";
	} else if (v == 3 || G.hash_status != 1) {
		/* the SSN-pattern tests apply to unhashed exports only */
		p.ssn_dq = 2;
	} else {
		int k = v == 1 ? 0 : v - 4;
		snprintf(p.ssn, sizeof p.ssn, "%s", pattern[k]);
	}
	single(&h, &p, host_project(), d, 0);
	hh_emit(&h);
	q_client("Q12", &p, detail);
}

static void q13_hh(int i)
{
	struct hh h;
	struct person a, b, *ps[2] = { &a, &b };
	static const int rels[2] = { 1, 2 };
	int d = some_day();

	person_new(&a, 1, d);
	switch (i % 4) {
	case 0:
		a.dob_dq = 8;
		a.dob = DOB_NONE;
		single(&h, &a, host_project(), d, 0);
		hh_emit(&h);
		q_client("Q13", &a, "dk");
		break;
	case 1:
		a.dob_dq = 99;
		a.dob = DOB_NONE;
		single(&h, &a, host_project(), d, 0);
		hh_emit(&h);
		q_client("Q13", &a, "missing");
		break;
	case 2:
		a.dob_dq = 2;
		single(&h, &a, host_project(), d, 0);
		hh_emit(&h);
		q_client("Q13", &a, "issue");
		break;
	default:
		/* a baby whose client record predates the birth */
		person_new(&b, 0, d);
		b.dob = d - 200;
		b.created = d - 400;
		b.created_sec = 36000;
		hh_plan(&h, host_project(), d, 0, 2, ps, rels);
		hh_emit(&h);
		q_client("Q13", &b, "issue");
		break;
	}
}

static void q14_hh(int i)
{
	static const int none[4] = { 8, 9, 99, NONE };
	struct hh h;
	struct person p = { 0 };
	int d = some_day();

	person_new(&p, 1, d);
	memset(p.race, 0, sizeof p.race);
	p.race_none = none[i % 4];
	single(&h, &p, host_project(), d, 0);
	hh_emit(&h);
	q_client("Q14", &p, NULL);
}

static void q15_hh(int i)
{
	static const int none[4] = { 8, 9, 99, NONE };
	struct hh h;
	struct person p = { 0 };
	int d = some_day();

	person_new(&p, 1, d);
	if (G.fy2026) {
		p.sex = none[i % 4];
	} else {
		memset(p.gender, 0, sizeof p.gender);
		p.gender_none = none[i % 4];
	}
	single(&h, &p, host_project(), d, 0);
	hh_emit(&h);
	q_client("Q15", &p, NULL);
}

static void q16_hh(int i)
{
	static const int vet[3] = { 8, 9, 99 };
	struct hh h;
	struct person p = { 0 };
	int d = some_day();

	person_new(&p, 1, d);
	p.vet = vet[i % 3];
	single(&h, &p, host_project(), d, 0);
	hh_emit(&h);
	q_client("Q16", &p, NULL);
}

static void q17_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	int d = some_day(), v = i % 5;
	struct project *pr = v >= 2 && v <= 3 ? project_at(0, d)
					      : host_project();
	struct enr *e = single(&h, &p, pr, d, v >= 2 ? d + 10 : 0);

	switch (v) {
	case 0:
		e->livsit = 99;
		e->rentsub = e->losunder = e->prevstreet = NONE;
		break;
	case 1:
		e->los = 8;
		break;
	case 2:     /* entry-exit shelter: homeless history always asked */
		e->dts = NONE;
		break;
	case 3:
		e->times = 99;
		break;
	default:    /* literally homeless before entry */
		e->livsit = 116;
		e->rentsub = e->losunder = e->prevstreet = NONE;
		e->dts = e->entry - 40;
		e->times = 1;
		e->months = 9;
		break;
	}
	hh_emit(&h);
	q_enr("Q17", e, NULL);
}

static void q18_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	struct enr *e = single(&h, &p, host_project(), some_day(), 0);

	(void)i;
	e->coc_empty = 1;
	hh_emit(&h);
	q_enr("Q18", e, NULL);
}

static void q19_hh(int i)
{
	static const int v[3] = { 8, 9, 99 };
	struct hh h;
	struct person p = { 0 };
	struct enr *e = single(&h, &p, host_project(), some_day(), 0);

	e->discond = v[i % 3];
	hh_emit(&h);
	q_enr("Q19", e, NULL);
}

static void q20_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	static const int order[6] = { 0, 3, 1, 5, 4, 2 };
	int d = some_day(), v = order[i % 6];
	struct enr *e = single(&h, &p, host_project(), d, v == 5 ? d + 30 : 0);
	struct income *in = &e->ib[0];
	const char *detail = "missing";

	switch (v) {
	case 0:
		e->ib_mode[0] = IB_NONE;
		break;
	case 1:
		in->any_income = 99;
		break;
	case 2:
		in->any_benefit = 8;
		break;
	case 3:     /* no income, yet earned income */
		in->any_income = 0;
		in->inc[0] = 1;
		in->amt[0] = 90000;
		detail = "conflict";
		break;
	case 4:     /* insured, yet no insurance source */
		in->any_insur = 1;
		memset(in->ins, 0, sizeof in->ins);
		detail = "conflict";
		break;
	default:
		e->ib_mode[1] = IB_NONE;
		break;
	}
	hh_emit(&h);
	if (v == 0 || v == 5)
		note("Q20", "IncomeBenefits.csv", 0, "EnrollmentID", e->eid,
		     "no-record");
	else
		note("Q20", "IncomeBenefits.csv", e->ib_line[0],
		     "IncomeBenefitsID", e->ib_id[0], detail);
}

static void q21_hh(int i)
{
	static const int dest[4] = { 30, 8, 9, 99 };
	struct hh h;
	struct person p = { 0 };
	int d = some_day();
	struct enr *e = single(&h, &p, host_project(), d, d + 15);

	e->dest = dest[i % 4];
	e->destsub = NONE;
	hh_emit(&h);
	exit_note("Q21", e, NULL);
}

static void q22_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	int d = some_day();
	struct enr *e;

	if (i % 2 == 0) {
		e = single(&h, &p, project_at(3, d), d, 0);
		e->movein = d - 5;
	} else {
		e = single(&h, &p, project_at(13, d), d, d + 40);
		e->movein = d + 45;
		e->dest = 116;
		e->destsub = NONE;
	}
	hh_emit(&h);
	q_enr("Q22", e, NULL);
}

static void q23_hh(int i)
{
	struct hh h1, h2;
	struct person p = { 0 }, *ps[1] = { &p };
	int d = rnd_range(G.start + 10, G.end - 100);

	(void)i;
	single(&h1, &p, project_at(2, d), d, d + 60);
	hh_emit(&h1);
	hh_plan(&h2, project_at(0, d + 30), d + 30, d + 80, 1, ps, rel_hoh);
	hh_emit(&h2);
	q_enr("Q23", &h2.m[0], NULL);
}

static void q24_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	int d = rnd_range(G.start + 10, G.end - 80), v = i % 4;
	struct enr *e = single(&h, &p, host_project(), d,
			       v % 2 ? d + 20 : 0);

	switch (v) {
	case 0:
		e->ent_coff = 9;
		hh_emit(&h);
		q_enr("Q24", e, "7-10");
		break;
	case 1:
		e->ex_coff = 15;
		hh_emit(&h);
		exit_note("Q24", e, "11+");
		break;
	case 2:
		e->ent_coff = 20;
		hh_emit(&h);
		q_enr("Q24", e, "11+");
		break;
	default:
		e->ex_coff = 8;
		hh_emit(&h);
		exit_note("Q24", e, "7-10");
		break;
	}
}

static void q25_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	int d = G.end - 150 - i;
	struct enr *e;

	if (i % 2 == 0) {
		e = single(&h, &p, project_at(1, d), d, 0);
		e->bn_stop = 10;
	} else {
		e = single(&h, &p, project_at(4, d), d, 0);
		e->cls_stop = 20;
	}
	hh_emit(&h);
	q_enr("Q25", e, NULL);
}

static void q26_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	int d = some_day();
	struct enr *e = single(&h, &p, project_at(1, d), d, d + 20);

	(void)i;
	e->bn_skip_entry = 1;
	hh_emit(&h);
	q_enr("Q26", e, NULL);
}

static void q27_hh(int i)
{
	struct hh h;
	struct person p = { 0 };
	struct project *pr = &projects[0];

	for (int k = 0; k < nclean; k++)
		if (!projects[k].phantom && !orgs[projects[k].org].vsp &&
		    !projects[k].residential &&
		    projects[k].opstart > pr->opstart && projects[k].type == 6)
			pr = &projects[k];
	int d = pr->opstart - 10 - i;
	struct enr *e = single(&h, &p, pr, d, pr->opstart + 20);
	hh_emit(&h);
	q_enr("Q27", e, NULL);
}

/* ---- project descriptors ------------------------------------------------- */

static void d01_proj(int i)
{
	struct project *p = project_add(6, 0);

	(void)i;
	p->no_coc_row = 1;
	project_write(p);
	note("D01", "Project.csv", p->line, "ProjectID", p->id, NULL);
}

static void d02_proj(int i)
{
	struct project *p = project_add(6, 0);

	p->coc_geo_empty = 1 + i % 2;
	project_write(p);
	note("D02", "ProjectCoC.csv", p->coc_line, "ProjectCoCID", p->coc_id,
	     i % 2 ? "GeographyType" : "Geocode");
}

static void d03_proj(int i)
{
	struct project *p = project_add(2, 0);

	(void)i;
	p->no_housing = 1;
	project_write(p);
	note("D03", "Project.csv", p->line, "ProjectID", p->id, NULL);
}

static void d04_proj(int i)
{
	struct project *p = project_add(13, 0);

	(void)i;
	p->rrh_sub = 1;          /* not residential without a subtype */
	p->residential = 0;
	p->no_rrh_sub = 1;
	project_write(p);
	note("D04", "Project.csv", p->line, "ProjectID", p->id, NULL);
}

static void d05_proj(int i)
{
	struct project *p = project_add(2, 0);

	(void)i;
	p->no_inventory = 1;
	project_write(p);
	note("D05", "Project.csv", p->line, "ProjectID", p->id, NULL);
}

/* An extra Inventory row on the first clean residential project. */
static void bad_inventory(const char *check, int units, int beds, int other,
	const char *coc)
{
	struct project *p = NULL;
	uint32_t id = next_id(F_Inventory);

	for (int k = 0; k < nprojects && !p; k++)
		if (projects[k].residential && !projects[k].no_inventory &&
		    !projects[k].no_coc_row && !projects[k].phantom)
			p = &projects[k];
	if (!p)
		die("%s needs a residential project", check);
	int c = p->opstart + 40, sec = office_sec();
	row_begin(F_Inventory);
	r_id(C_Inventory_InventoryID, id);
	r_id(C_Inventory_ProjectID, p->id);
	r_str(C_Inventory_CoCCode, coc ? coc : coc_code(p->coc));
	r_int(C_Inventory_HouseholdType, 1);
	if (p->type == 0 || p->type == 1) {
		r_int(C_Inventory_Availability, 2);
		r_int(C_Inventory_ESBedType, 1);
	}
	r_int(C_Inventory_UnitInventory, units);
	r_int(C_Inventory_BedInventory, beds);
	r_int(C_Inventory_CHVetBedInventory, 0);
	r_int(C_Inventory_YouthVetBedInventory, 0);
	r_int(C_Inventory_VetBedInventory, 0);
	r_int(C_Inventory_CHYouthBedInventory, 0);
	r_int(C_Inventory_YouthBedInventory, 0);
	r_int(C_Inventory_CHBedInventory, 0);
	r_int(C_Inventory_OtherBedInventory, other);
	r_date(C_Inventory_InventoryStartDate, p->opstart + 30);
	r_common(c, sec, c, sec, 1);
	note(check, "Inventory.csv", row_end(), "InventoryID", id, NULL);
}

static void d06_proj(int i)
{
	bad_inventory("D06", 4, 20 + i, 18 + i, NULL);
}

static void d07_proj(int i)
{
	bad_inventory("D07", 25 + i, 20 + i, 20 + i, NULL);
}

static void d08_proj(int i)
{
	static const char *const coc[] = { "XX-599", "XX-598", "XX-597",
		"XX-596" };

	bad_inventory("D08", 4, 12, 12, coc[i % 4]);
}

static int d09_proj_idx[8];

static void d09_proj(int i)
{
	int o = org_add(1);

	org_write(o);
	struct project *p = project_add(6, o);
	project_write(p);
	d09_proj_idx[i] = (int)(p - projects);
	note("D09", "Organization.csv", orgs[o].line, "OrganizationID",
	     orgs[o].id, NULL);
}

static void d09_hh(int i)
{
	struct hh h;
	struct person p = { 0 };

	single(&h, &p, &projects[d09_proj_idx[i]], some_day(), 0);
	hh_emit(&h);
}

/* ---- the table ----------------------------------------------------------- */

typedef void (*seed_fn)(int);

enum { DF_ZIP = 1, DF_ALONE = 2 };

struct dspec {
	const char *id;
	int max;            /* most instances, 0: no limit */
	int flags;
	seed_fn prep, proj, hh, tail;
	const char *how;
};

static const struct dspec specs[] = {
	{ "P02", 1, 0, p02_prep, NULL, NULL, NULL,
	  "all files in the sub-folder export/ (folder and zip); 1" },
	{ "P03", 3, 0, p03_prep, NULL, NULL, NULL,
	  "a leaf file left out (AssessmentResults, Affiliation, "
	  "YouthEducationStatus); 1 per file" },
	{ "P04", 3, 0, p04_prep, NULL, NULL, NULL,
	  "an extra Notes.csv/Legacy.csv/ScratchPad.csv; 1 per file" },
	{ "P06", 1, DF_ALONE, p06_prep, NULL, NULL, NULL,
	  "CSVVersion 2019 v1.0 (validation stops: seeded alone); 1" },
	{ "P07", 1, 0, p07_prep, NULL, NULL, NULL,
	  "HashStatus 4 over plain names and SSNs; 1" },
	{ "P08", 3, DF_ZIP, p08_prep, NULL, NULL, NULL,
	  "zip entries ../Escape.csv, /tmp/Absolute.csv, symlink Link.csv "
	  "(--zip only); 1 per entry" },
	{ "S01", 0, 0, NULL, NULL, s01_hh, NULL,
	  "Latin-1 or broken bytes in Assessment.AssessmentLocation; "
	  "1 per row" },
	{ "S02", 4, 0, s02_prep, NULL, NULL, NULL,
	  "UTF-8 BOM on Funder/ProjectCoC/Inventory/Client; 1 per file" },
	{ "S03", 4, 0, s03_prep, NULL, NULL, NULL,
	  "line 2 ends with CRLF in Organization/HMISParticipation/Project/"
	  "User; 1 per file" },
	{ "S04", 4, 0, NULL, NULL, NULL, s04_tail,
	  "last row of AssessmentQuestions/Event/CurrentLivingSituation/"
	  "Services opens a quote never closed; 1 per file" },
	{ "S05", 4, 0, s05_prep, NULL, NULL, NULL,
	  "a nullable column dropped (Funder.OtherFunder, ...); "
	  "1 per column" },
	{ "S06", 4, 0, s06_prep, NULL, NULL, NULL,
	  "column LegacyNotes appended to ProjectCoC/User/"
	  "CurrentLivingSituation/Assessment; 1 per column" },
	{ "S07", 4, 0, s07_prep, NULL, NULL, NULL,
	  "a header name in lower case (Project.ProjectCommonName, ...); "
	  "1 per column" },
	{ "S08", 4, 0, s08_prep, NULL, NULL, NULL,
	  "DateCreated and DateUpdated swapped in CEParticipation/HealthAndDV/"
	  "Disabilities/IncomeBenefits; 1 per file" },
	{ "S09", 0, 0, NULL, NULL, s09_hh, NULL,
	  "an Event row with one field too many; 1 per row" },
	{ "S10", 0, 0, NULL, NULL, s10_hh, NULL,
	  "AssessmentQuestionOrder not an integer; 1 per cell" },
	{ "S11", 0, 0, NULL, NULL, s11_hh, NULL,
	  "Event.ResultDate not a real date; 1 per cell" },
	{ "S12", 0, 0, NULL, NULL, s12_hh, NULL,
	  "Services.FAAmount not a decimal amount; 1 per cell" },
	{ "S13", 0, 0, NULL, NULL, s13_hh, NULL,
	  "Event.DateUpdated empty; 1 per cell" },
	{ "S14", 0, 0, NULL, NULL, s14_hh, NULL,
	  "Event.LocationCrisisOrPHHousing over 250 characters; 1 per cell" },
	{ "S15", 0, 0, NULL, NULL, s15_hh, NULL,
	  "Event.LocationCrisisOrPHHousing with < > { } [ ]; 1 per cell" },
	{ "S16", 0, 0, NULL, NULL, s16_hh, NULL,
	  "an Event row with ExportID 99999; 1 per row" },
	{ "S17", 0, 0, NULL, NULL, s17_hh, NULL,
	  "deleted Event/Services/Client/Enrollment rows nothing live refers "
	  "to; 1 per row" },
	{ "S18", 0, 0, NULL, NULL, s18_hh, NULL,
	  "HealthAndDV General/Dental/MentalHealthStatus 6 or 7; 1 per cell" },
	{ "K01", 0, 0, NULL, NULL, k01_hh, NULL,
	  "an Event row written twice; 1 per repeat" },
	{ "K02", 0, 0, NULL, NULL, k02_hh, NULL,
	  "an enrollment of a PersonalID with no Client row; 1 per row" },
	{ "K03", 8, 0, NULL, k03_proj_fn, k03_hh, NULL,
	  "an enrollment in a ProjectID with no Project row; 1 per row" },
	{ "K04", 0, 0, NULL, NULL, k04_hh, NULL,
	  "an Event row of an unknown EnrollmentID; 1 per row" },
	{ "K05", 0, 0, NULL, NULL, k05_hh, NULL,
	  "an Event row with the PersonalID of another household member; "
	  "1 per row" },
	{ "K06", 0, 0, NULL, k06_proj, NULL, NULL,
	  "Funder/HMISParticipation/CEParticipation rows of an unknown "
	  "ProjectID; 1 per row" },
	{ "K07", 0, 0, NULL, NULL, k07_hh, NULL,
	  "an Event row with UserID 9999; 1 per row" },
	{ "K08", 0, 0, NULL, NULL, k08_hh, NULL,
	  "a household whose child is enrolled in another project; "
	  "1 per HouseholdID" },
	{ "K09", 1, DF_ALONE, NULL, NULL, NULL, NULL,
	  "no enrollment at all (seeded alone); 1" },
	{ "K10", 0, 0, NULL, NULL, k10_hh, NULL,
	  "an AssessmentQuestions row of an unknown AssessmentID; 1 per row" },
	{ "K11", 0, 0, NULL, NULL, k11_hh, NULL,
	  "a second stage-1 HealthAndDV/EmploymentEducation/Disabilities "
	  "record; 1 per repeat" },
	{ "K12", 0, 0, NULL, NULL, k12_hh, NULL,
	  "a stage-1 record dated after the entry date; 1 per record" },
	{ "Q01", 0, 0, NULL, NULL, q01_hh, NULL,
	  "a second enrollment with the same client, project and entry date; "
	  "1 per repeat" },
	{ "Q02", 0, 0, NULL, NULL, q02_hh, NULL,
	  "a two-adult household without a head; 1 per household" },
	{ "Q03", 0, 0, NULL, NULL, q03_hh, NULL,
	  "a two-adult household with two heads; 1 per household" },
	{ "Q04", 0, 0, NULL, NULL, q04_hh, NULL,
	  "a member with RelationshipToHoH 99; 1 per enrollment" },
	{ "Q05", 0, 0, NULL, NULL, q05_hh, NULL,
	  "exit 3-7 days before entry; 1 per exit" },
	{ "Q06", 0, 0, NULL, NULL, q06_hh, NULL,
	  "exit after the export date; 1 per exit" },
	{ "Q07", 0, 0, NULL, NULL, q07_hh, NULL,
	  "enrollment created 1-5 days before its entry date; "
	  "1 per enrollment" },
	{ "Q08", 0, 0, NULL, NULL, q08_hh, NULL,
	  "DOB after entry (also one Q13 issue per client); "
	  "1 per enrollment" },
	{ "Q09", 0, 0, NULL, NULL, q09_hh, NULL,
	  "age 104 at entry (DOB after 1915); 1 per enrollment" },
	{ "Q10", 0, 0, NULL, NULL, q10_hh, NULL,
	  "DOB empty with DOBDataQuality 1/2 (also one Q13 missing); "
	  "1 per client" },
	{ "Q11", 0, 0, NULL, NULL, q11_hh, NULL,
	  "name dk / missing / partial, rotating; 1 per client" },
	{ "Q12", 0, 0, NULL, NULL, q12_hh, NULL,
	  "SSN dk / missing / partial / invalid patterns, rotating; "
	  "1 per client" },
	{ "Q13", 0, 0, NULL, NULL, q13_hh, NULL,
	  "DOB dk / missing / approximate / before the client record, "
	  "rotating; 1 per client" },
	{ "Q14", 0, 0, NULL, NULL, q14_hh, NULL,
	  "no race, RaceNone 8/9/99/empty; 1 per client" },
	{ "Q15", 0, 0, NULL, NULL, q15_hh, NULL,
	  "no gender with GenderNone 8/9/99/empty (FY2026: Sex 8/9/99/empty);"
	  " 1 per client" },
	{ "Q16", 0, 0, NULL, NULL, q16_hh, NULL,
	  "adult with VeteranStatus 8/9/99; 1 per client" },
	{ "Q17", 0, 0, NULL, NULL, q17_hh, NULL,
	  "LivingSituation 99, LengthOfStay 8, DateToStreetESSH empty, Times "
	  "99 or Months 9, rotating; 1 per enrollment" },
	{ "Q18", 0, 0, NULL, NULL, q18_hh, NULL,
	  "HoH without EnrollmentCoC; 1 per enrollment" },
	{ "Q19", 0, 0, NULL, NULL, q19_hh, NULL,
	  "DisablingCondition 8/9/99; 1 per enrollment" },
	{ "Q20", 0, 0, NULL, NULL, q20_hh, NULL,
	  "no stage-1/3 record, any-source 99/8, any-source conflicts, "
	  "rotating; 1 per enrollment and stage" },
	{ "Q21", 0, 0, NULL, NULL, q21_hh, NULL,
	  "Destination 30/8/9/99; 1 per exit" },
	{ "Q22", 0, 0, NULL, NULL, q22_hh, NULL,
	  "PSH move-in before entry / RRH move-in after exit; "
	  "1 per enrollment" },
	{ "Q23", 0, 0, NULL, NULL, q23_hh, NULL,
	  "an ES stay starting inside the client's TH stay; "
	  "1 per later enrollment" },
	{ "Q24", 0, 0, NULL, NULL, q24_hh, NULL,
	  "enrollment/exit created 8-20 days late (limit 6); "
	  "1 per enrollment or exit" },
	{ "Q25", 0, 0, NULL, NULL, q25_hh, NULL,
	  "open NbN/outreach stay without bed night/contact in 90 days; "
	  "1 per enrollment" },
	{ "Q26", 0, 0, NULL, NULL, q26_hh, NULL,
	  "NbN stay without a bed night on its entry date; 1 per enrollment" },
	{ "Q27", 0, 0, NULL, NULL, q27_hh, NULL,
	  "entry before the project's OperatingStartDate; 1 per enrollment" },
	{ "D01", 0, 0, NULL, d01_proj, NULL, NULL,
	  "a continuum project without ProjectCoC; 1 per project" },
	{ "D02", 0, 0, NULL, d02_proj, NULL, NULL,
	  "ProjectCoC without Geocode or GeographyType; 1 per row" },
	{ "D03", 0, 0, NULL, d03_proj, NULL, NULL,
	  "a TH project without HousingType; 1 per project" },
	{ "D04", 0, 0, NULL, d04_proj, NULL, NULL,
	  "an RRH project without RRHSubType; 1 per project" },
	{ "D05", 0, 0, NULL, d05_proj, NULL, NULL,
	  "a TH project without Inventory; 1 per project" },
	{ "D06", 0, 0, NULL, d06_proj, NULL, NULL,
	  "an Inventory row whose population beds miss 2; 1 per row" },
	{ "D07", 0, 0, NULL, d07_proj, NULL, NULL,
	  "an Inventory row with more units than beds; 1 per row" },
	{ "D08", 0, 0, NULL, d08_proj, NULL, NULL,
	  "an Inventory row in a CoC the project has no ProjectCoC for; "
	  "1 per row" },
	{ "D09", 8, 0, NULL, d09_proj, d09_hh, NULL,
	  "a victim service provider with one enrolled household; "
	  "1 per organization" },
};

enum { NSPECS = (int)(sizeof specs / sizeof specs[0]) };

static const struct { const char *id, *why; } unseedable[] = {
	{ "P01", "the whole input must be unreadable: nothing else can be "
	  "checked (a unit fixture writes a non-zip file)" },
	{ "P05", "0 or 2 Export rows leave the ExportID undefined (S16 on every "
	  "row, or K01 in Export.csv): no exact count (unit fixture)" },
	{ "P09", "a zip bomb stops validation (unit fixture: small archive, "
	  "huge entry)" },
	{ "X01-X07", "exchange checks are not run by the validator" },
};

static int want[NSPECS];
static int alone_p06, alone_k09;
static struct { int spec, inst; } *queue;
static int nqueue, qpos;

static int spec_index(const char *id)
{
	for (int i = 0; i < NSPECS; i++)
		if (!strcasecmp(specs[i].id, id))
			return i;
	return -1;
}

void defects_list(void)
{
	printf("seedable (id, most instances, how and how counted):\n");
	for (int i = 0; i < NSPECS; i++) {
		char max[16];
		snprintf(max, sizeof max, "%d", specs[i].max);
		printf("  %s  %-4s %s%s\n", specs[i].id,
		       specs[i].max ? max : "-", specs[i].how,
		       specs[i].flags & DF_ALONE ? " [alone, not in all]" : "");
	}
	printf("not seedable:\n");
	for (size_t i = 0; i < sizeof unseedable / sizeof unseedable[0]; i++)
		printf("  %s  %s\n", unseedable[i].id, unseedable[i].why);
}

void defects_parse(const char *list, int count, int have_zip)
{
	char buf[4096];
	int alone = 0, others = 0;

	if (!list || !*list)
		return;
	snprintf(buf, sizeof buf, "%s", list);
	char *save = NULL;
	for (char *t = strtok_r(buf, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ')
			t++;
		char *colon = strchr(t, ':');
		int n = count, explicit_n = 0;
		if (colon) {
			*colon = 0;
			n = atoi(colon + 1);
			explicit_n = 1;
			if (n < 1)
				die("bad count in --defects: %s", colon + 1);
		}
		if (!strcasecmp(t, "all")) {
			for (int i = 0; i < NSPECS; i++) {
				if (specs[i].flags & DF_ALONE)
					continue;
				if ((specs[i].flags & DF_ZIP) && !have_zip) {
					fprintf(stderr, "hmxgen: %s skipped "
						"(needs --zip)\n", specs[i].id);
					continue;
				}
				int m = specs[i].max && n > specs[i].max
					? specs[i].max : n;
				want[i] = m;
				others = 1;
			}
			continue;
		}
		int i = spec_index(t);
		if (i < 0) {
			for (size_t k = 0;
			     k < sizeof unseedable / sizeof unseedable[0]; k++)
				if (!strcasecmp(unseedable[k].id, t))
					die("%s cannot be seeded: %s", t,
					    unseedable[k].why);
			die("unknown check id in --defects: %s", t);
		}
		if ((specs[i].flags & DF_ZIP) && !have_zip)
			die("%s needs --zip", specs[i].id);
		if (specs[i].max && n > specs[i].max) {
			if (explicit_n)
				die("%s takes at most %d instances",
				    specs[i].id, specs[i].max);
			n = specs[i].max;
		}
		want[i] = n;
		if (specs[i].flags & DF_ALONE)
			alone++;
		else
			others = 1;
	}
	if (alone && (others || alone > 1))
		die("P06 and K09 change the whole export: seed them alone");
	alone_p06 = want[spec_index("P06")] > 0;
	alone_k09 = want[spec_index("K09")] > 0;
	if (alone_k09)
		note("K09", "Enrollment.csv", 0, NULL, 0, NULL);
	/* household-phase instances, interleaved across checks */
	int total = 0, most = 0;
	for (int i = 0; i < NSPECS; i++)
		if (specs[i].hh) {
			total += want[i];
			most = want[i] > most ? want[i] : most;
		}
	queue = xmalloc((size_t)(total + 1) * sizeof *queue);
	for (int k = 0; k < most; k++)
		for (int i = 0; i < NSPECS; i++)
			if (specs[i].hh && k < want[i]) {
				queue[nqueue].spec = i;
				queue[nqueue++].inst = k;
			}
}

int defects_alone(const char *id)
{
	return !strcmp(id, "P06") ? alone_p06 : !strcmp(id, "K09") ? alone_k09
									 : 0;
}

int defects_has(const char *id)
{
	int i = spec_index(id);

	return i >= 0 && want[i] > 0;
}

void defects_prep(void)
{
	for (int i = 0; i < NSPECS; i++)
		for (int k = 0; k < want[i] && specs[i].prep; k++)
			specs[i].prep(k);
}

void defects_projects(void)
{
	for (int i = 0; i < NSPECS; i++)
		for (int k = 0; k < want[i] && specs[i].proj; k++)
			specs[i].proj(k);
}

int defects_pending(void)
{
	return qpos < nqueue;
}

void defects_next(void)
{
	if (qpos < nqueue) {
		specs[queue[qpos].spec].hh(queue[qpos].inst);
		qpos++;
	}
}

void defects_tail(void)
{
	for (int i = 0; i < NSPECS; i++)
		for (int k = 0; k < want[i] && specs[i].tail; k++)
			specs[i].tail(k);
}

const char *defects_subdir(void)
{
	return subdir[0] ? subdir : NULL;
}

void defects_extra_files(const char *dir)
{
	char path[4200];

	for (int i = 0; i < p04_n; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, p04_names[i]);
		FILE *fp = fopen(path, "wb");
		if (!fp)
			die("cannot create %s", path);
		fputs("\"Note\",\"Author\"\n\"Left over from a migration\","
		      "\"staff\"\n", fp);
		if (fclose(fp))
			die("cannot write %s", path);
	}
}

/* P04 files are added by the caller with the CSVs; P08 entries here. */
void defects_zip(struct zip *za)
{
	static const char body[] = "\"Note\"\n\"outside\"\n";
	static const char target[] = "Client.csv";

	for (int i = 0; i < p08_n; i++) {
		int link = !strcmp(p08_names[i], "Link.csv");
		char name[96];
		/* inside the P02 sub-folder when there is one, so that refused
		 * entries cannot bear on the sub-folder judgement */
		snprintf(name, sizeof name, "%s%s%s",
			 subdir[0] && p08_names[i][0] != '/' ? subdir : "",
			 subdir[0] && p08_names[i][0] != '/' ? "/" : "",
			 p08_names[i]);
		zip_source_t *src = link
			? zip_source_buffer(za, target, sizeof target - 1, 0)
			: zip_source_buffer(za, body, sizeof body - 1, 0);
		zip_int64_t idx = src ? zip_file_add(za, name, src,
						     ZIP_FL_ENC_UTF_8) : -1;
		if (idx < 0)
			die("zip: cannot add %s: %s", name, zip_strerror(za));
		zip_file_set_mtime(za, (zip_uint64_t)idx, 1700000000, 0);
		if (link &&
		    zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0,
			ZIP_OPSYS_UNIX, (zip_uint32_t)(S_IFLNK | 0777) << 16))
			die("zip: %s", zip_strerror(za));
	}
}

/* Family order of checks.md (P, S, K, Q, D), then the number. */
static int check_rank(const char *c)
{
	static const char fam[] = "PSKQD";
	const char *f = strchr(fam, c[0]);

	return (f ? (int)(f - fam) : 9) * 100 + atoi(c + 1);
}

static int note_cmp(const void *a, const void *b)
{
	const struct note *x = a, *y = b;
	int d = check_rank(x->check) - check_rank(y->check);

	if (d)
		return d;
	d = strcmp(x->file, y->file);
	if (d)
		return d;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Writes check,count (every check expected to fire) and, when asked, one
 * line per planted finding. */
void manifest_write(const char *path, const char *instances)
{
	if (nnotes)
		qsort(notes, nnotes, sizeof *notes, note_cmp);
	if (path) {
		FILE *fp = !strcmp(path, "-") ? stdout : fopen(path, "wb");
		if (!fp)
			die("cannot create %s", path);
		fputs("check,count\n", fp);
		for (size_t i = 0; i < nnotes;) {
			size_t j = i;
			while (j < nnotes && !strcmp(notes[j].check,
						     notes[i].check))
				j++;
			fprintf(fp, "%s,%zu\n", notes[i].check, j - i);
			i = j;
		}
		if (fp != stdout && fclose(fp))
			die("cannot write %s", path);
	}
	if (instances) {
		FILE *fp = fopen(instances, "wb");
		if (!fp)
			die("cannot create %s", instances);
		fputs("check,file,line,key,detail\n", fp);
		for (size_t i = 0; i < nnotes; i++)
			fprintf(fp, "%s,%s,%llu,%s,%s\n", notes[i].check,
				notes[i].file,
				(unsigned long long)notes[i].line, notes[i].key,
				notes[i].detail);
		if (fclose(fp))
			die("cannot write %s", instances);
	}
}
