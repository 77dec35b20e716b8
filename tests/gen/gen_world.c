/* tests/gen/gen_world.c — the synthetic Continuum of Care hmxgen writes:
 * users, organizations, projects with their project-level rows, and
 * households whose enrollments carry everything HUD hangs off them (exit,
 * income/benefits, health and DV, employment, disabilities, youth education,
 * bed nights, outreach contacts, coordinated-entry assessments and events).
 *
 * Clean by construction: each rule of checks.md holds for what is written
 * here (the comments name the rule where a choice is made for it). A seeded
 * defect (gen_defect.c) plans a household with hh_plan(), turns one knob,
 * and emits it with hh_emit().
 *
 * Everything is synthetic: names are built from syllables, SSNs are random
 * numbers in the valid-looking range, no value comes from real data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

struct project *projects;
int nprojects;
int nclean;
static int cap_projects;
struct org *orgs;
int norgs;
static int cap_orgs;

static const char *const coc_codes[2] = { "XX-501", "XX-502" };

const char *coc_code(int i)
{
	return coc_codes[i & 1];
}

/* ---- IDs ----------------------------------------------------------------- */

static uint32_t id_ctr[F__COUNT + 1];

uint32_t next_id(enum gfile_id f)
{
	return ++id_ctr[f];
}

static uint32_t next_hhid(void)
{
	return ++id_ctr[F__COUNT];
}

/* Days after `day` at which a record about it is created: mostly the same
 * day, never more than 6 (Q24), never after the export date. */
int created_off(int day)
{
	int r = (int)rnd_below(100);
	int o = r < 55 ? 0 : r < 90 ? rnd_range(1, 3) : rnd_range(4, 6);
	int room = G.export_day - day;

	if (o > room)
		o = room > 0 ? room : 0;
	return o;
}

int office_sec(void)
{
	return rnd_range(8 * 3600, 18 * 3600);
}

/* Writes an integer cell unless it is NONE. */
static void ri(enum gcol c, int v)
{
	if (v != NONE)
		r_int(c, v);
}

static int pick(const int *v, int n)
{
	return v[rnd_below((uint32_t)n)];
}

#define PICK(a) pick(a, (int)(sizeof(a) / sizeof((a)[0])))

/* ---- names --------------------------------------------------------------- */

static const char *const syl1[] = { "Ka", "Lo", "Mi", "Da", "Re", "Sa", "To",
	"Ve", "Ni", "Jo", "Ma", "Be", "Ca", "El", "Ar", "Ti", "Ro", "Lu", "Fe",
	"Ha", "Zo", "Qui", "Pe", "Wen" };
static const char *const syl2[] = { "ra", "li", "na", "to", "ven", "del",
	"mar", "sin", "lo", "ria", "ny", "bel", "ron", "ka", "de", "nu", "lis",
	"mo", "ta", "ren" };
static const char *const syl3[] = { "", "", "n", "s", "a", "o", "e", "y",
	"th", "l", "x", "ne" };
static const char *const lastend[] = { "son", "ford", "ley", "wick", "man",
	"ton", "ez", "ski", "berg", "wood", "more", "dale" };

#define NEL(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

static void make_name(char *o, size_t n, int last)
{
	snprintf(o, n, "%s%s%s", syl1[rnd_below(NEL(syl1))],
		 syl2[rnd_below(NEL(syl2))],
		 last ? lastend[rnd_below(NEL(lastend))]
		      : syl3[rnd_below(NEL(syl3))]);
}

static const char *const places[] = { "Harbor", "Northgate", "Riverbend",
	"Cedar", "Lakeside", "Summit", "Maple", "Bridgeway", "Pinecrest",
	"Valley", "Willow", "Granite" };
static const char *const missions[] = { "Housing", "Family", "Community",
	"Outreach", "Shelter", "Hope" };
static const char *const orgkinds[] = { "Services", "Alliance", "Network",
	"Partners", "Center", "Coalition" };
static const char *const streets[] = { "Pine", "Main", "Oak", "Elm",
	"Third", "Lake", "Mill", "Grant" };
static const char *const cities[] = { "Fairview", "Centerville", "Riverton",
	"Milltown", "Oakdale", "Brookfield" };

static const char *type_abbr(int t)
{
	switch (t) {
	case 0: return "ES";
	case 1: return "NbN Shelter";
	case 2: return "TH";
	case 3: return "PSH";
	case 4: return "Street Outreach";
	case 6: return "Services";
	case 12: return "Prevention";
	case 13: return "RRH";
	case 14: return "Coordinated Entry";
	default: return "Program";
	}
}

/* ---- export and users ---------------------------------------------------- */

void write_export(int p06)
{
	row_begin(F_Export);
	r_str(C_Export_ExportID, G.export_id);
	r_int(C_Export_SourceType, 1);
	r_str(C_Export_SourceID, "XX-501");
	r_str(C_Export_SourceName, "Synthetic CoC (hmxgen)");
	r_dt(C_Export_ExportDate, G.export_day, G.export_sec);
	r_date(C_Export_ExportStartDate, G.start);
	r_date(C_Export_ExportEndDate, G.end);
	r_str(C_Export_SoftwareName, "hmxgen");
	r_str(C_Export_SoftwareVersion, "1");
	r_str(C_Export_CSVVersion, p06 ? "2019 v1.0" : G.csv_version);
	r_int(C_Export_ExportPeriodType, 3);
	r_int(C_Export_ExportDirective, 2);
	r_int(C_Export_HashStatus, G.hash_status);
	r_str(C_Export_ImplementationID, "SYNTHETIC-0001");
	row_end();
}

void write_users(void)
{
	char a[32], b[32], t[64];

	for (int u = 1; u <= G.nusers; u++) {
		int c = day_of(2014, 1, 6) + rnd_range(0, 2500);
		row_begin(F_User);
		r_int(C_User_UserID, u);
		make_name(a, sizeof a, 0);
		make_name(b, sizeof b, 1);
		r_str(C_User_UserFirstName, a);
		r_str(C_User_UserLastName, b);
		snprintf(t, sizeof t, "%03d55501%02d", 201 + (int)rnd_below(700),
			 u % 100);
		r_str(C_User_UserPhone, t);
		snprintf(t, sizeof t, "user%d@example.org", u);
		r_str(C_User_UserEmail, t);
		r_common(c, office_sec(), c + rnd_range(0, 300), office_sec(), u);
		row_end();
	}
}

/* ---- organizations and projects ------------------------------------------ */

int org_add(int vsp)
{
	if (norgs == cap_orgs) {
		cap_orgs = cap_orgs ? cap_orgs * 2 : 16;
		orgs = realloc(orgs, (size_t)cap_orgs * sizeof *orgs);
		if (!orgs)
			die("out of memory");
	}
	struct org *o = &orgs[norgs];
	memset(o, 0, sizeof *o);
	o->id = next_id(F_Organization);
	o->vsp = vsp;
	return norgs++;
}

void org_write(int i)
{
	char name[160], common[64];
	struct org *o = &orgs[i];
	int p = (int)(o->id % NEL(places));
	int c = day_of(2012, 3, 1) + rnd_range(0, 1500);

	snprintf(name, sizeof name, "%s %s %s", places[p],
		 missions[o->id / NEL(places) % NEL(missions)],
		 orgkinds[o->id % NEL(orgkinds)]);
	snprintf(common, sizeof common, "%s %s", places[p],
		 o->vsp ? "Safe Passage" : "Org");
	row_begin(F_Organization);
	r_id(C_Organization_OrganizationID, o->id);
	r_str(C_Organization_OrganizationName, name);
	r_int(C_Organization_VictimServiceProvider, o->vsp);
	r_str(C_Organization_OrganizationCommonName, common);
	r_common(c, office_sec(), c + rnd_range(0, 400), office_sec(), 1);
	o->line = row_end();
}

/* Residential per checks.md: 0, 1, 2, 3, 8, 9, 10, and 13 with subtype 2. */
static int is_residential(const struct project *p)
{
	switch (p->type) {
	case 0: case 1: case 2: case 3: case 8: case 9: case 10:
		return 1;
	case 13:
		return p->rrh_sub == 2;
	}
	return 0;
}

struct project *project_add(int type, int org)
{
	if (nprojects == cap_projects) {
		cap_projects = cap_projects ? cap_projects * 2 : 64;
		projects = realloc(projects,
				   (size_t)cap_projects * sizeof *projects);
		if (!projects)
			die("out of memory");
	}
	struct project *p = &projects[nprojects++];
	memset(p, 0, sizeof *p);
	p->id = next_id(F_Project);
	p->org = org;
	p->type = type;
	p->continuum = 1;
	p->opstart = day_of(2005, 1, 1) +
		rnd_range(0, G.start - 400 - day_of(2005, 1, 1));
	if (type == 13)
		p->rrh_sub = (nprojects % 3) ? 2 : 1;
	switch (type) {
	case 0: case 1: case 2: case 3: case 8: case 9: case 10: case 13:
		p->housing = rnd_range(1, 3);
	}
	p->families = (type == 0 || type == 2 || type == 3 || type == 12 ||
		       type == 13 || type == 14 || type == 6) &&
		      nprojects % 2 == 0;
	switch (type) {
	case 0: case 1: p->funder = 8; break;
	case 2: p->funder = 5; break;
	case 3: p->funder = 2; break;
	case 4: p->funder = nprojects % 2 ? 21 : 11; break;
	case 6: p->funder = 4; break;
	case 12: p->funder = 9; break;
	case 13: p->funder = nprojects % 2 ? 33 : 3; break;
	default: p->funder = 46; break;
	}
	p->residential = is_residential(p);
	return p;
}

static void write_inventory_row(const struct project *p, int hhtype, int beds,
	int units, int ch)
{
	int c = p->opstart + rnd_range(0, 30);

	row_begin(F_Inventory);
	r_id(C_Inventory_InventoryID, next_id(F_Inventory));
	r_id(C_Inventory_ProjectID, p->id);
	r_str(C_Inventory_CoCCode, coc_codes[p->coc]);
	r_int(C_Inventory_HouseholdType, hhtype);
	if (p->type == 0 || p->type == 1) {
		r_int(C_Inventory_Availability, 1);
		r_int(C_Inventory_ESBedType, 1);
	}
	r_int(C_Inventory_UnitInventory, units);
	r_int(C_Inventory_BedInventory, beds);
	/* D06: the seven population columns sum to BedInventory */
	r_int(C_Inventory_CHVetBedInventory, 0);
	r_int(C_Inventory_YouthVetBedInventory, 0);
	r_int(C_Inventory_VetBedInventory, 0);
	r_int(C_Inventory_CHYouthBedInventory, 0);
	r_int(C_Inventory_YouthBedInventory, 0);
	r_int(C_Inventory_CHBedInventory, ch);
	r_int(C_Inventory_OtherBedInventory, beds - ch);
	r_date(C_Inventory_InventoryStartDate, p->opstart);
	r_common(c, office_sec(), c + rnd_range(0, 200), office_sec(), 1);
	row_end();
}

/* Writes one project's row and its Funder, ProjectCoC, Inventory,
 * Affiliation, HMISParticipation and CEParticipation rows. */
void project_write(struct project *p)
{
	char name[200], common[120];
	int c = p->opstart, sec = office_sec();
	int u = c + rnd_range(0, 500);

	if (p->phantom)
		return;
	snprintf(name, sizeof name, "%s %s %u",
		 places[orgs[p->org].id % NEL(places)], type_abbr(p->type),
		 p->id);
	if (G.only_id && G.only_name)
		snprintf(name, sizeof name, "%s", G.only_name);
	snprintf(common, sizeof common, "%s %u", type_abbr(p->type), p->id);
	row_begin(F_Project);
	r_id(C_Project_ProjectID, p->id);
	r_id(C_Project_OrganizationID, orgs[p->org].id);
	r_str(C_Project_ProjectName, name);
	r_str(C_Project_ProjectCommonName, common);
	r_date(C_Project_OperatingStartDate, p->opstart);
	r_int(C_Project_ContinuumProject, p->continuum);
	r_int(C_Project_ProjectType, p->type);
	if (p->housing && !p->no_housing)
		r_int(C_Project_HousingType, p->housing);
	if (p->rrh_sub && !p->no_rrh_sub)
		r_int(C_Project_RRHSubType, p->rrh_sub);
	if (p->type == 6)
		r_int(C_Project_ResidentialAffiliation, (int)(p->id % 2));
	r_int(C_Project_TargetPopulation, 4);
	r_common(c, sec, u, sec, 1);
	p->line = row_end();

	row_begin(F_Funder);
	r_id(C_Funder_FunderID, next_id(F_Funder));
	r_id(C_Funder_ProjectID, p->id);
	r_int(C_Funder_Funder, p->funder);
	if (p->funder == 46)
		r_str(C_Funder_OtherFunder, "County general fund");
	char grant[32];
	snprintf(grant, sizeof grant, "GX%06u", p->id * 7 % 1000000);
	r_str(C_Funder_GrantID, grant);
	r_date(C_Funder_StartDate, p->opstart);
	r_common(c, sec, u, sec, 1);
	row_end();

	/* D01: continuum projects have a ProjectCoC row; D02: geography set */
	if (!p->no_coc_row) {
		char geo[8], addr[64], zip[8];
		snprintf(geo, sizeof geo, "99%04u", p->id % 10000);
		snprintf(addr, sizeof addr, "%d %s St", rnd_range(10, 999),
			 streets[rnd_below(NEL(streets))]);
		snprintf(zip, sizeof zip, "00%03u", p->id % 1000);
		row_begin(F_ProjectCoC);
		r_id(C_ProjectCoC_ProjectCoCID, p->coc_id = next_id(F_ProjectCoC));
		r_id(C_ProjectCoC_ProjectID, p->id);
		r_str(C_ProjectCoC_CoCCode, coc_codes[p->coc]);
		if (p->coc_geo_empty != 1)
			r_str(C_ProjectCoC_Geocode, geo);
		r_str(C_ProjectCoC_Address1, addr);
		r_str(C_ProjectCoC_City, cities[p->id % NEL(cities)]);
		r_str(C_ProjectCoC_State, "XX");
		r_str(C_ProjectCoC_ZIP, zip);
		if (p->coc_geo_empty != 2)
			r_int(C_ProjectCoC_GeographyType, rnd_range(1, 3));
		r_common(c, sec, u, sec, 1);
		p->coc_line = row_end();
	}

	/* D05: residential projects have inventory; D07: units <= beds;
	 * D08: its CoCCode is the project's ProjectCoC CoCCode */
	if (p->residential && !p->no_inventory) {
		int beds = rnd_range(10, 60);
		write_inventory_row(p, 1, beds, p->type == 3 ? beds : 0,
				    p->type == 3 ? beds / 3 : 0);
		if (p->families) {
			int units = rnd_range(3, 15);
			write_inventory_row(p, 3, units * 3, units, 0);
		}
	}

	if (p->type == 6 && p->id % 2) {
		for (int i = 0; i < nclean; i++) {
			if (!projects[i].residential)
				continue;
			row_begin(F_Affiliation);
			r_id(C_Affiliation_AffiliationID, next_id(F_Affiliation));
			r_id(C_Affiliation_ProjectID, p->id);
			r_id(C_Affiliation_ResProjectID, projects[i].id);
			r_common(c, sec, u, sec, 1);
			row_end();
			break;
		}
	}

	row_begin(F_HMISParticipation);
	r_id(C_HMISParticipation_HMISParticipationID,
	     next_id(F_HMISParticipation));
	r_id(C_HMISParticipation_ProjectID, p->id);
	r_int(C_HMISParticipation_HMISParticipationType, 1);
	r_date(C_HMISParticipation_HMISParticipationStatusStartDate,
	       p->opstart);
	r_common(c, sec, u, sec, 1);
	row_end();

	int access = p->type == 14 || p->type == 4;
	row_begin(F_CEParticipation);
	r_id(C_CEParticipation_CEParticipationID, next_id(F_CEParticipation));
	r_id(C_CEParticipation_ProjectID, p->id);
	r_int(C_CEParticipation_AccessPoint, access);
	if (access) {
		r_int(C_CEParticipation_PreventionAssessment, 0);
		r_int(C_CEParticipation_CrisisAssessment, 1);
		r_int(C_CEParticipation_HousingAssessment, p->type == 14);
		r_int(C_CEParticipation_DirectServices, 0);
	}
	r_int(C_CEParticipation_ReceivesReferrals,
	      p->type == 2 || p->type == 3 || p->type == 13);
	r_date(C_CEParticipation_CEParticipationStatusStartDate, p->opstart);
	r_common(c, sec, u, sec, 1);
	row_end();
}

/* The project mix, repeated: every common type, RRH of both subtypes. */
static const int type_cycle[] = { 0, 1, 2, 3, 4, 13, 6, 12, 14, 13, 3, 0, 2,
	4, 1, 3, 13, 0, 6, 14 };

void world_init(int nproj)
{
	int no = nproj / 4 < 2 ? 2 : nproj / 4;

	if (G.only_id) {
		/* one organization, one project, for a per-project export */
		struct project *p = project_add(G.only_type, org_add(0));
		p->id = G.only_id;
		nclean = nprojects;
		return;
	}

	for (int i = 0; i < no; i++)
		org_add(0);
	for (int i = 0; i < nproj; i++) {
		struct project *p = project_add(type_cycle[i % NEL(type_cycle)],
						i % no);
		p->coc = i % 5 == 4;
		/* one project launched during the period (Q27 seeds use it) */
		if (i == 6)
			p->opstart = G.start + 45;
	}
	nclean = nprojects;
}

void write_projects(void)
{
	for (int i = 0; i < norgs; i++)
		org_write(i);
	for (int i = 0; i < nprojects; i++)
		project_write(&projects[i]);
}

struct project *pick_project(int type, int day)
{
	int start = (int)rnd_below((uint32_t)nclean);

	for (int k = 0; k < nclean; k++) {
		struct project *p = &projects[(start + k) % nclean];
		if (p->type == type && p->opstart <= day)
			return p;
	}
	for (int k = 0; k < nclean; k++)
		if (projects[k].opstart <= day)
			return &projects[k];
	die("no project operating on the chosen day");
}

struct project *host_project(void)
{
	static const int types[] = { 6, 12, 14 };

	for (int k = 0; k < 3; k++)
		for (int i = 0; i < nclean; i++)
			if (projects[i].type == types[k] &&
			    projects[i].opstart <= G.start - 400)
				return &projects[i];
	return &projects[0];
}

/* ---- persons ------------------------------------------------------------- */

static const char *const ssn_placeholders[] = { "123456789", "234567890",
	"345678901", "456789012", "567890123", "678901234", "789012345",
	"890123456", "987654321" };

/* A random SSN that passes every Q12 test of an unhashed export. */
static void make_ssn(char *o)
{
	for (;;) {
		int area = rnd_range(1, 899), group = rnd_range(1, 99);
		int serial = rnd_range(1, 9999);
		if (area == 666)
			continue;
		snprintf(o, 16, "%03d%02d%04d", area, group, serial);
		int same = 1;
		for (int i = 1; i < 9; i++)
			same &= o[i] == o[0];
		int ph = 0;
		for (uint32_t i = 0; i < NEL(ssn_placeholders); i++)
			ph |= !strcmp(o, ssn_placeholders[i]);
		if (!same && !ph)
			return;
	}
}

void person_new(struct person *p, int adult, int day)
{
	static const int race_w[7] = { 3, 4, 35, 15, 2, 1, 40 };

	memset(p, 0, sizeof *p);
	p->pid = next_id(F_Client);
	make_name(p->first, sizeof p->first, 0);
	make_name(p->last, sizeof p->last, 1);
	if (chance(30))
		make_name(p->middle, sizeof p->middle, 0);
	if (adult && chance(3))
		snprintf(p->suffix, sizeof p->suffix, "%s",
			 chance(50) ? "Jr" : "III");
	p->name_dq = p->ssn_dq = p->dob_dq = 1;
	make_ssn(p->ssn);
	/* adults 20-80, children 0-14: far from the 18 and 100 edges
	 * (Q08, Q09, Q16, Q17) */
	if (adult)
		p->dob = day - 7320 - rnd_range(0, 21900);
	else
		p->dob = day - rnd_range(0, 14 * 365);
	p->sex = (int)rnd_below(2);
	/* Q14: at least one race; Q15: at least one gender, sex 0/1 */
	int r = (int)rnd_below(100), acc = 0, k = 0;
	for (k = 0; k < 6; k++) {
		acc += race_w[k];
		if (r < acc)
			break;
	}
	p->race[k] = 1;
	if (k != 3 && chance(10))
		p->race[3] = 1;
	p->race_none = NONE;
	p->gender[p->sex ? 1 : 0] = 1;
	if (chance(2))
		p->gender[4] = 1;
	p->gender_none = NONE;
	p->vet = adult && chance(7);
	p->user = rnd_range(1, G.nusers);
	p->created = NONE;
}

void client_emit(struct person *p)
{
	static const enum gcol race_col[7] = { C_Client_AmIndAKNative,
		C_Client_Asian, C_Client_BlackAfAmerican,
		C_Client_HispanicLatinaeo, C_Client_MidEastNAfrican,
		C_Client_NativeHIPacific, C_Client_White };
	static const enum gcol gender_col[7] = { C_Client_Woman, C_Client_Man,
		C_Client_NonBinary, C_Client_CulturallySpecific,
		C_Client_Transgender, C_Client_Questioning,
		C_Client_DifferentIdentity };

	if (p->emitted || p->no_row)
		return;
	p->emitted = 1;
	row_begin(F_Client);
	r_id(C_Client_PersonalID, p->pid);
	if (p->first[0])
		r_str(C_Client_FirstName, p->first);
	if (p->middle[0])
		r_str(C_Client_MiddleName, p->middle);
	if (p->last[0])
		r_str(C_Client_LastName, p->last);
	if (p->suffix[0])
		r_str(C_Client_NameSuffix, p->suffix);
	r_int(C_Client_NameDataQuality, p->name_dq);
	if (p->ssn[0])
		r_str(C_Client_SSN, p->ssn);
	r_int(C_Client_SSNDataQuality, p->ssn_dq);
	if (p->dob != DOB_NONE)
		r_date(C_Client_DOB, p->dob);
	r_int(C_Client_DOBDataQuality, p->dob_dq);
	ri(C_Client_Sex, p->sex);
	for (int i = 0; i < 7; i++)
		r_int(race_col[i], p->race[i]);
	ri(C_Client_HispanicLatinao, p->race[3]);
	ri(C_Client_RaceNone, p->race_none);
	for (int i = 0; i < 7; i++)
		r_int(gender_col[i], p->gender[i]);
	ri(C_Client_GenderNone, p->gender_none);
	r_int(C_Client_VeteranStatus, p->vet);
	if (p->vet == 1 && p->dob != DOB_NONE) {
		int y, m, d;
		civil(p->dob, &y, &m, &d);
		int in = y + 18 + rnd_range(0, 6);
		int out = in + rnd_range(2, 8);
		r_int(C_Client_YearEnteredService, in);
		r_int(C_Client_YearSeparated, out);
		r_int(C_Client_WorldWarII, 0);
		r_int(C_Client_KoreanWar, 0);
		r_int(C_Client_VietnamWar, in >= 1961 && in <= 1973);
		r_int(C_Client_DesertStorm, in >= 1986 && in <= 1991);
		r_int(C_Client_AfghanistanOEF, in >= 2001);
		r_int(C_Client_IraqOIF, in >= 2003 && in <= 2010);
		r_int(C_Client_IraqOND, 0);
		r_int(C_Client_OtherTheater, 0);
		r_int(C_Client_MilitaryBranch, rnd_range(1, 4));
		r_int(C_Client_DischargeStatus, chance(85) ? 1 : 2);
	}
	int cday = p->created == NONE ? G.start : p->created;
	int sec = p->created_sec ? p->created_sec : office_sec();
	r_common(cday, sec, cday, sec, p->user);
	if (p->deleted)
		r_cc_dt(CC_DateDeleted, G.export_day - 1, 3600);
	p->line = row_end();
}

/* ---- planning a household episode ---------------------------------------- */

static const int literally_homeless[] = { 116, 116, 116, 101, 101, 118 };
static const int institutional[] = { 204, 205, 206, 207, 215, 225 };
static const int housed_before[] = { 302, 314, 329, 332, 335, 336, 410, 435,
	411, 421 };
static const int at_risk[] = { 410, 435, 335, 336, 421, 411, 314 };
static const int subsidies[] = { 419, 420, 428, 431, 433, 434, 436, 437, 438,
	439, 440 };

static int lit_homeless(int ls)
{
	return ls == 101 || ls == 116 || ls == 118;
}

/* Prior living situation block (3.917) for an adult or HoH: complete, so
 * Q17 holds whatever the project type. */
static void plan_3917(struct enr *e)
{
	int t = e->proj->type, r = (int)rnd_below(100);

	if (t == 12)
		e->livsit = PICK(at_risk);
	else if (r < 70)
		e->livsit = PICK(literally_homeless);
	else if (r < 82)
		e->livsit = PICK(institutional);
	else
		e->livsit = PICK(housed_before);
	e->rentsub = e->livsit == 435 ? PICK(subsidies) : NONE;
	static const int los_any[] = { 2, 3, 4, 5, 10, 11 };
	e->los = PICK(los_any);
	e->losunder = e->prevstreet = NONE;
	if (!lit_homeless(e->livsit)) {
		int inst = e->livsit / 100 == 2;
		/* institutional: under 90 days; other: under 7 nights */
		e->losunder = inst ? (e->los == 10 || e->los == 11 ||
				      e->los == 2 || e->los == 3)
				   : (e->los == 10 || e->los == 11);
		if (e->losunder)
			e->prevstreet = (int)rnd_below(2);
	}
	e->dts = e->times = e->months = NONE;
	if (lit_homeless(e->livsit) || t == 0 || t == 1 || t == 4 || t == 8 ||
	    e->prevstreet == 1) {
		e->dts = e->entry - rnd_range(0, 900);
		e->times = rnd_range(1, 4);
		e->months = rnd_range(101, 113);
	}
}

static void plan_income(struct enr *e, int age)
{
	static const int inc_w[15] = { 34, 4, 18, 18, 2, 1, 1, 1, 7, 5, 4, 1,
		2, 0, 2 };
	static const long inc_amt[15] = { 1400, 450, 943, 1250, 900, 600, 700,
		800, 450, 300, 1300, 700, 250, 200, 150 };
	struct income *in = &e->ib[0];

	memset(in, 0, sizeof *in);
	int adult = e->p->dob == DOB_NONE || age >= 18;
	in->any_income = adult && chance(45);
	if (in->any_income) {
		int n = chance(80) ? 1 : 2;
		for (int k = 0; k < n; k++) {
			int r = (int)rnd_below(100), acc = 0, s = 0;
			for (s = 0; s < 14; s++) {
				acc += inc_w[s];
				if (r < acc)
					break;
			}
			if (s == 4 || s == 5)      /* VA disability: veterans */
				s = e->p->vet == 1 ? s : 0;
			in->inc[s] = 1;
			in->amt[s] = (inc_amt[s] + rnd_range(-100, 300)) * 100 +
				(chance(30) ? rnd_range(1, 99) : 0);
		}
	}
	in->any_benefit = chance(50);
	if (in->any_benefit) {
		in->ben[0] = 1;
		if (!adult && age < 5 && chance(50))
			in->ben[1] = 1;
	}
	in->any_insur = chance(82);
	if (in->any_insur) {
		if (!adult)
			in->ins[chance(80) ? 0 : 2] = 1;
		else if (age >= 65)
			in->ins[1] = 1;
		else if (e->p->vet == 1)
			in->ins[3] = 1;
		else if (in->inc[0] && chance(40))
			in->ins[4] = 1;
		else
			in->ins[chance(90) ? 0 : 6] = 1;
	}
	e->ib[1] = e->ib[0];
}

/* Plans everything one member's enrollment will write. */
static void plan_member(struct enr *e, struct project *pr, struct person *p,
	int rel, int entry, int exit, int movein, uint32_t hhid, int user)
{
	memset(e, 0, sizeof *e);
	e->p = p;
	e->proj = pr;
	e->rel = rel;
	e->entry = entry;
	e->exit = exit;
	e->movein = movein;
	e->hhid = hhid;
	e->eid = next_id(F_Enrollment);
	e->exit_id = exit ? next_id(F_Exit) : 0;
	e->user = user;
	int age = p->dob == DOB_NONE ? 40 : age_at(p->dob, entry);
	e->adult = age >= 18 || rel == 1 || p->dob == DOB_NONE;
	if (e->adult) {
		plan_3917(e);
	} else {
		e->livsit = e->rentsub = e->los = e->losunder = NONE;
		e->prevstreet = e->dts = e->times = e->months = NONE;
	}
	/* Q24: created 0-6 days after entry/exit; Q07: never before entry */
	e->ent_coff = created_off(entry);
	e->ent_csec = office_sec();
	e->ex_coff = exit ? created_off(exit) : 0;
	e->ex_csec = office_sec();
	if (exit) {
		static const int permanent[] = { 410, 435, 435, 421, 422, 411 };
		static const int other[] = { 101, 116, 302, 312, 313, 314, 17,
			204, 205, 206, 207, 215, 225, 329, 332, 410, 422, 423,
			435 };
		e->dest = movein ? PICK(permanent) : PICK(other);
		if (!movein && chance(1))
			e->dest = 24;
		e->destsub = e->dest == 435 ? PICK(subsidies) : NONE;
	}
	e->engage = 0;
	if (pr->type == 4 && rel == 1) {
		int d = entry + rnd_range(0, 20);
		if (d <= (exit ? exit : G.end))
			e->engage = d;
	}
	plan_income(e, age);
	static const int pct[6] = { 12, 4, 12, 1, 25, 20 };
	int disabling = 0;
	for (int k = 0; k < 6; k++) {
		e->disab[k] = chance(pct[k]);
		if (k == 5 && e->disab[k])
			e->disab[k] = rnd_range(1, 3);
		e->indef[k] = NONE;
		if (e->disab[k] && k != 1 && k != 3)
			e->indef[k] = chance(60);
		disabling |= e->indef[k] == 1 ||
			((k == 1 || k == 3) && e->disab[k]);
	}
	e->discond = disabling;
	e->dv = e->when = e->fleeing = NONE;
	if (e->adult) {
		e->dv = chance(12);
		if (e->dv) {
			e->when = rnd_range(1, 4);
			e->fleeing = (int)rnd_below(2);
		}
	}
	static const int grades[] = { 2, 3, 4, 5, 5, 6, 7, 10, 11, 12, 13, 14 };
	e->grade = PICK(grades);
	e->employed = chance(25);
	e->emptype = e->employed ? rnd_range(1, 3) : NONE;
	e->notemp = e->employed ? NONE : rnd_range(1, 3);
	e->youth = age >= 12 && age <= 24;
	e->attend = (int)rnd_below(3);
	e->recent = e->attend == 0 ? rnd_range(0, 7) : NONE;
	e->cured = e->attend ? rnd_range(0, 4) : NONE;
	e->k11_file = e->k12_file = -1;
	e->cls_stop = e->bn_stop = 0;
}

void hh_plan(struct hh *h, struct project *pr, int entry, int exit, int n,
	struct person **ps, const int *rels)
{
	int movein = 0;

	/* Q22: PH move-in between entry and exit */
	if (pr->type == 3 || pr->type == 9 || pr->type == 10 ||
	    pr->type == 13) {
		int m = pr->type == 3 ? entry + rnd_range(0, 45)
				      : entry + rnd_range(7, 150);
		if (m <= (exit ? exit : G.end))
			movein = m;
	}
	uint32_t hhid = next_hhid();
	int user = rnd_range(1, G.nusers);
	h->n = n;
	for (int i = 0; i < n; i++) {
		plan_member(&h->m[i], pr, ps[i], rels[i], entry, exit, movein,
			    hhid, user);
		struct person *p = ps[i];
		if (p->created == NONE) {
			/* Q13: created on the first entry, after the DOB */
			p->created = entry + h->m[i].ent_coff;
			p->created_sec = h->m[i].ent_csec;
		}
	}
}

/* ---- emitting ------------------------------------------------------------ */

static void emit_enrollment(struct enr *e)
{
	int c = e->entry + e->ent_coff;

	row_begin(F_Enrollment);
	r_id(C_Enrollment_EnrollmentID, e->eid);
	r_id(C_Enrollment_PersonalID, e->p->pid);
	r_id(C_Enrollment_ProjectID, e->proj->id);
	r_date(C_Enrollment_EntryDate, e->entry);
	r_id(C_Enrollment_HouseholdID, e->hhid);
	r_int(C_Enrollment_RelationshipToHoH, e->rel);
	if (e->rel == 1 && !e->coc_empty)
		r_str(C_Enrollment_EnrollmentCoC, coc_codes[e->proj->coc]);
	ri(C_Enrollment_LivingSituation, e->livsit);
	ri(C_Enrollment_RentalSubsidyType, e->rentsub);
	ri(C_Enrollment_LengthOfStay, e->los);
	ri(C_Enrollment_LOSUnderThreshold, e->losunder);
	ri(C_Enrollment_PreviousStreetESSH, e->prevstreet);
	if (e->dts != NONE)
		r_date(C_Enrollment_DateToStreetESSH, e->dts);
	ri(C_Enrollment_TimesHomelessPastThreeYears, e->times);
	ri(C_Enrollment_MonthsHomelessPastThreeYears, e->months);
	r_int(C_Enrollment_DisablingCondition, e->discond);
	if (e->engage)
		r_date(C_Enrollment_DateOfEngagement, e->engage);
	if (e->movein)
		r_date(C_Enrollment_MoveInDate, e->movein);
	if (e->rel == 1)
		r_int(C_Enrollment_TranslationNeeded, 0);
	r_common(c, e->ent_csec, c, e->ent_csec, e->user);
	e->line = row_end();
}

static void emit_exit(struct enr *e)
{
	int c = e->exit + e->ex_coff;

	row_begin(F_Exit);
	r_id(C_Exit_ExitID, e->exit_id);
	r_id(C_Exit_EnrollmentID, e->eid);
	r_id(C_Exit_PersonalID, e->p->pid);
	r_date(C_Exit_ExitDate, e->exit);
	r_int(C_Exit_Destination, e->dest);
	ri(C_Exit_DestinationSubsidyType, e->destsub);
	r_common(c, e->ex_csec, c, e->ex_csec, e->user);
	e->exit_line = row_end();
}

static const enum gcol inc_col[15] = { C_IncomeBenefits_Earned,
	C_IncomeBenefits_Unemployment, C_IncomeBenefits_SSI,
	C_IncomeBenefits_SSDI, C_IncomeBenefits_VADisabilityService,
	C_IncomeBenefits_VADisabilityNonService,
	C_IncomeBenefits_PrivateDisability, C_IncomeBenefits_WorkersComp,
	C_IncomeBenefits_TANF, C_IncomeBenefits_GA,
	C_IncomeBenefits_SocSecRetirement, C_IncomeBenefits_Pension,
	C_IncomeBenefits_ChildSupport, C_IncomeBenefits_Alimony,
	C_IncomeBenefits_OtherIncomeSource };
static const enum gcol amt_col[15] = { C_IncomeBenefits_EarnedAmount,
	C_IncomeBenefits_UnemploymentAmount, C_IncomeBenefits_SSIAmount,
	C_IncomeBenefits_SSDIAmount,
	C_IncomeBenefits_VADisabilityServiceAmount,
	C_IncomeBenefits_VADisabilityNonServiceAmount,
	C_IncomeBenefits_PrivateDisabilityAmount,
	C_IncomeBenefits_WorkersCompAmount, C_IncomeBenefits_TANFAmount,
	C_IncomeBenefits_GAAmount, C_IncomeBenefits_SocSecRetirementAmount,
	C_IncomeBenefits_PensionAmount, C_IncomeBenefits_ChildSupportAmount,
	C_IncomeBenefits_AlimonyAmount, C_IncomeBenefits_OtherIncomeAmount };
static const enum gcol ben_col[6] = { C_IncomeBenefits_SNAP,
	C_IncomeBenefits_WIC, C_IncomeBenefits_TANFChildCare,
	C_IncomeBenefits_TANFTransportation, C_IncomeBenefits_OtherTANF,
	C_IncomeBenefits_OtherBenefitsSource };
static const enum gcol ins_col[10] = { C_IncomeBenefits_Medicaid,
	C_IncomeBenefits_Medicare, C_IncomeBenefits_SCHIP,
	C_IncomeBenefits_VHAServices, C_IncomeBenefits_EmployerProvided,
	C_IncomeBenefits_COBRA, C_IncomeBenefits_PrivatePay,
	C_IncomeBenefits_StateHealthIns, C_IncomeBenefits_IndianHealthServices,
	C_IncomeBenefits_OtherInsurance };

/* Q20: sources are written only under a 0/1 any-source answer and agree
 * with it (0: all sources 0; 1: at least one source 1). */
static void emit_income(struct enr *e, int s, int day, int cday, int csec)
{
	struct income *in = &e->ib[s];

	row_begin(F_IncomeBenefits);
	r_id(C_IncomeBenefits_IncomeBenefitsID,
	     e->ib_id[s] = next_id(F_IncomeBenefits));
	r_id(C_IncomeBenefits_EnrollmentID, e->eid);
	r_id(C_IncomeBenefits_PersonalID, e->p->pid);
	r_date(C_IncomeBenefits_InformationDate, day);
	r_int(C_IncomeBenefits_IncomeFromAnySource, in->any_income);
	if (in->any_income == 0 || in->any_income == 1) {
		long total = 0;
		for (int k = 0; k < 15; k++) {
			r_int(inc_col[k], in->inc[k]);
			if (in->inc[k]) {
				r_money(amt_col[k], in->amt[k]);
				total += in->amt[k];
			}
		}
		if (in->any_income == 1)
			r_money(C_IncomeBenefits_TotalMonthlyIncome, total);
		if (in->inc[14])
			r_str(C_IncomeBenefits_OtherIncomeSourceIdentify,
			      "Odd jobs");
	}
	r_int(C_IncomeBenefits_BenefitsFromAnySource, in->any_benefit);
	if (in->any_benefit == 0 || in->any_benefit == 1)
		for (int k = 0; k < 6; k++)
			r_int(ben_col[k], in->ben[k]);
	r_int(C_IncomeBenefits_InsuranceFromAnySource, in->any_insur);
	if (in->any_insur == 0 || in->any_insur == 1) {
		for (int k = 0; k < 10; k++)
			r_int(ins_col[k], in->ins[k]);
		if (in->ins[9])
			r_str(C_IncomeBenefits_OtherInsuranceIdentify,
			      "Clinic plan");
	}
	r_int(C_IncomeBenefits_DataCollectionStage, s ? 3 : 1);
	r_common(cday, csec, cday, csec, e->user);
	e->ib_line[s] = row_end();
}

/* Writes a stage-1 or stage-3 record of one file; returns its line. The
 * K11/K12 knobs act on stage 1 only. */
static uint64_t emit_health(struct enr *e, int stage, int day, int cday,
	int csec, uint32_t *id)
{
	row_begin(F_HealthAndDV);
	r_id(C_HealthAndDV_HealthAndDVID, *id = next_id(F_HealthAndDV));
	r_id(C_HealthAndDV_EnrollmentID, e->eid);
	r_id(C_HealthAndDV_PersonalID, e->p->pid);
	r_date(C_HealthAndDV_InformationDate, day);
	ri(C_HealthAndDV_DomesticViolenceSurvivor, e->dv);
	ri(C_HealthAndDV_WhenOccurred, e->when);
	ri(C_HealthAndDV_CurrentlyFleeing, e->fleeing);
	if (stage == 1 && e->s18_health) {
		/* S18: 6 and 7 are in no version of list R7.1 */
		static const enum gcol hc[3] = {
			C_HealthAndDV_GeneralHealthStatus,
			C_HealthAndDV_DentalHealthStatus,
			C_HealthAndDV_MentalHealthStatus };
		r_int(hc[(e->s18_health - 1) % 3], 6 + e->s18_health % 2);
	}
	r_int(C_HealthAndDV_DataCollectionStage, stage);
	r_common(cday, csec, cday, csec, e->user);
	return row_end();
}

static uint64_t emit_employment(struct enr *e, int stage, int day, int cday,
	int csec, uint32_t *id)
{
	row_begin(F_EmploymentEducation);
	r_id(C_EmploymentEducation_EmploymentEducationID,
	     *id = next_id(F_EmploymentEducation));
	r_id(C_EmploymentEducation_EnrollmentID, e->eid);
	r_id(C_EmploymentEducation_PersonalID, e->p->pid);
	r_date(C_EmploymentEducation_InformationDate, day);
	r_int(C_EmploymentEducation_LastGradeCompleted, e->grade);
	r_int(C_EmploymentEducation_Employed, e->employed);
	ri(C_EmploymentEducation_EmploymentType, e->emptype);
	ri(C_EmploymentEducation_NotEmployedReason, e->notemp);
	r_int(C_EmploymentEducation_DataCollectionStage, stage);
	r_common(cday, csec, cday, csec, e->user);
	return row_end();
}

static uint64_t emit_disability(struct enr *e, int stage, int k, int day,
	int cday, int csec, uint32_t *id)
{
	row_begin(F_Disabilities);
	r_id(C_Disabilities_DisabilitiesID, *id = next_id(F_Disabilities));
	r_id(C_Disabilities_EnrollmentID, e->eid);
	r_id(C_Disabilities_PersonalID, e->p->pid);
	r_date(C_Disabilities_InformationDate, day);
	r_int(C_Disabilities_DisabilityType, 5 + k);
	/* type 10 uses list 4.10.2 (0-3), the others 1.8 (0/1) */
	r_int(C_Disabilities_DisabilityResponse, e->disab[k]);
	ri(C_Disabilities_IndefiniteAndImpairs, e->indef[k]);
	r_int(C_Disabilities_DataCollectionStage, stage);
	r_common(cday, csec, cday, csec, e->user);
	return row_end();
}

static void emit_youth(struct enr *e, int stage, int day, int cday, int csec)
{
	row_begin(F_YouthEducationStatus);
	r_id(C_YouthEducationStatus_YouthEducationStatusID,
	     next_id(F_YouthEducationStatus));
	r_id(C_YouthEducationStatus_EnrollmentID, e->eid);
	r_id(C_YouthEducationStatus_PersonalID, e->p->pid);
	r_date(C_YouthEducationStatus_InformationDate, day);
	r_int(C_YouthEducationStatus_CurrentSchoolAttend, e->attend);
	ri(C_YouthEducationStatus_MostRecentEdStatus, e->recent);
	ri(C_YouthEducationStatus_CurrentEdStatus, e->cured);
	r_int(C_YouthEducationStatus_DataCollectionStage, stage);
	r_common(cday, csec, cday, csec, e->user);
	row_end();
}

/* K11: one record per (enrollment, stage[, type]); K12: InformationDate is
 * the entry date at stage 1 and the exit date at stage 3. */
static void emit_stage(struct enr *e, int stage)
{
	int s = stage == 3;
	int day = s ? e->exit : e->entry;
	int cday = s ? e->exit + e->ex_coff : e->entry + e->ent_coff;
	int csec = s ? e->ex_csec : e->ent_csec;
	int k11 = s ? -1 : e->k11_file, k12 = s ? -1 : e->k12_file;
	uint32_t id;

	if (e->ib_mode[s] != IB_NONE)
		emit_income(e, s, day, cday, csec);

	uint64_t l = emit_health(e, stage, k12 == F_HealthAndDV ? day + 2 : day,
				 cday, csec, &id);
	if (k12 == F_HealthAndDV) {
		e->k_line = l;
		e->k_id = id;
	}
	if (stage == 1 && e->s18_health) {
		e->k_line = l;
		e->k_id = id;
	}
	if (k11 == F_HealthAndDV) {
		e->k_line = emit_health(e, stage, day, cday, csec, &id);
		e->k_id = id;
	}
	if (e->adult) {
		l = emit_employment(e, stage,
				    k12 == F_EmploymentEducation ? day + 3 : day,
				    cday, csec, &id);
		if (k12 == F_EmploymentEducation) {
			e->k_line = l;
			e->k_id = id;
		}
		if (k11 == F_EmploymentEducation) {
			e->k_line = emit_employment(e, stage, day, cday, csec,
						    &id);
			e->k_id = id;
		}
	}
	for (int k = 0; k < 6; k++) {
		int shift = k12 == F_Disabilities && k == 0;
		l = emit_disability(e, stage, k, shift ? day + 1 : day, cday,
				    csec, &id);
		if (shift) {
			e->k_line = l;
			e->k_id = id;
		}
		if (k11 == F_Disabilities && k == 4) {
			e->k_line = emit_disability(e, stage, k, day, cday,
						    csec, &id);
			e->k_id = id;
		}
	}
	if (e->youth)
		emit_youth(e, stage, day, cday, csec);
}

static void service_row(struct enr *e, int day, int rt, int type, int sub)
{
	int c = day + (day < G.export_day && chance(20) ? 1 : 0);
	int sec = office_sec();

	row_begin(F_Services);
	r_id(C_Services_ServicesID, next_id(F_Services));
	r_id(C_Services_EnrollmentID, e->eid);
	r_id(C_Services_PersonalID, e->p->pid);
	r_date(C_Services_DateProvided, day);
	r_int(C_Services_RecordType, rt);
	r_int(C_Services_TypeProvided, type);
	ri(C_Services_SubTypeProvided, sub);
	if (rt == 152) {
		r_money(C_Services_FAAmount, rnd_range(600, 1400) * 100L);
		r_date(C_Services_FAStartDate, day);
		r_date(C_Services_FAEndDate, day + 29);
	}
	if (rt == 161)
		r_int(C_Services_ReferralOutcome, rnd_range(1, 3));
	r_common(c, sec, c, sec, e->user);
	row_end();
}

/* Q26: a bed night on the entry date; Q25: an open stay has one within the
 * last 3 days of the period (never more than 2 nights skipped). */
static void emit_bed_nights(struct enr *e)
{
	int last = e->exit ? (e->exit > e->entry ? e->exit - 1 : e->entry)
			   : G.end;
	int d = e->entry + (e->bn_skip_entry ? 1 : 0);

	while (d <= last) {
		if (e->bn_stop && d > e->entry + e->bn_stop)
			break;
		service_row(e, d, 200, 200, NONE);
		int r = (int)rnd_below(100);
		d += r < 70 ? 1 : r < 90 ? 2 : 3;
	}
}

static void cls_row(struct enr *e, int day, int code)
{
	int c = day + (day < G.export_day && chance(30) ? 1 : 0);
	int sec = office_sec();

	row_begin(F_CurrentLivingSituation);
	r_id(C_CurrentLivingSituation_CurrentLivingSitID,
	     next_id(F_CurrentLivingSituation));
	r_id(C_CurrentLivingSituation_EnrollmentID, e->eid);
	r_id(C_CurrentLivingSituation_PersonalID, e->p->pid);
	r_date(C_CurrentLivingSituation_InformationDate, day);
	r_int(C_CurrentLivingSituation_CurrentLivingSituation, code);
	r_str(C_CurrentLivingSituation_VerifiedBy,
	      e->proj->type == 4 ? "Outreach team" : "Access point staff");
	r_common(c, sec, c, sec, e->user);
	row_end();
}

/* Q25: an open outreach stay has a contact within the last 30 days. */
static void emit_contacts(struct enr *e)
{
	static const int where[] = { 116, 116, 116, 101, 118, 314 };
	int last = e->exit ? e->exit : G.end;

	for (int d = e->entry; d <= last; d += rnd_range(7, 30)) {
		if (e->cls_stop && d > e->entry + e->cls_stop)
			break;
		cls_row(e, d, d == e->entry ? 116 : PICK(where));
	}
}

static void emit_ce(struct enr *e)
{
	static const char *const questions[3] = {
		"Months homeless in the last three years",
		"Emergency room visits in the last six months",
		"Household has a safe place to stay tonight" };
	static const char *const answers[3] = { "7", "2", "No" };
	int last = e->exit ? e->exit : G.end;
	int ad = e->entry + rnd_range(0, 7);
	if (ad > last)
		ad = e->entry;
	int c = ad + (ad < G.export_day ? rnd_range(0, 1) : 0);
	int sec = office_sec();
	char loc[32];
	uint32_t aid = next_id(F_Assessment);

	cls_row(e, e->entry, PICK(literally_homeless));
	row_begin(F_Assessment);
	r_id(C_Assessment_AssessmentID, aid);
	r_id(C_Assessment_EnrollmentID, e->eid);
	r_id(C_Assessment_PersonalID, e->p->pid);
	r_date(C_Assessment_AssessmentDate, ad);
	snprintf(loc, sizeof loc, "Access Point %u", e->proj->id);
	r_str(C_Assessment_AssessmentLocation, loc);
	r_int(C_Assessment_AssessmentType, rnd_range(1, 3));
	r_int(C_Assessment_AssessmentLevel, rnd_range(1, 2));
	r_int(C_Assessment_PrioritizationStatus, rnd_range(1, 2));
	r_common(c, sec, c, sec, e->user);
	row_end();
	for (int q = 0; q < 3; q++) {
		row_begin(F_AssessmentQuestions);
		r_id(C_AssessmentQuestions_AssessmentQuestionID,
		     next_id(F_AssessmentQuestions));
		r_id(C_AssessmentQuestions_AssessmentID, aid);
		r_id(C_AssessmentQuestions_EnrollmentID, e->eid);
		r_id(C_AssessmentQuestions_PersonalID, e->p->pid);
		r_str(C_AssessmentQuestions_AssessmentQuestionGroup,
		      "Housing history");
		r_int(C_AssessmentQuestions_AssessmentQuestionOrder, q + 1);
		r_str(C_AssessmentQuestions_AssessmentQuestion, questions[q]);
		r_str(C_AssessmentQuestions_AssessmentAnswer, answers[q]);
		r_common(c, sec, c, sec, e->user);
		row_end();
	}
	char score[8];
	snprintf(score, sizeof score, "%d", rnd_range(2, 17));
	row_begin(F_AssessmentResults);
	r_id(C_AssessmentResults_AssessmentResultID,
	     next_id(F_AssessmentResults));
	r_id(C_AssessmentResults_AssessmentID, aid);
	r_id(C_AssessmentResults_EnrollmentID, e->eid);
	r_id(C_AssessmentResults_PersonalID, e->p->pid);
	r_str(C_AssessmentResults_AssessmentResultType, "Vulnerability score");
	r_str(C_AssessmentResults_AssessmentResult, score);
	r_common(c, sec, c, sec, e->user);
	row_end();

	int ed = ad + rnd_range(0, 14);
	if (ed > last)
		ed = ad;
	int ev = rnd_range(1, 18);
	int ce = ed + (ed < G.export_day ? rnd_range(0, 1) : 0);
	row_begin(F_Event);
	r_id(C_Event_EventID, next_id(F_Event));
	r_id(C_Event_EnrollmentID, e->eid);
	r_id(C_Event_PersonalID, e->p->pid);
	r_date(C_Event_EventDate, ed);
	r_int(C_Event_Event, ev);
	if (ev == 2) {
		r_int(C_Event_ProbSolDivRRResult, (int)rnd_below(2));
		r_int(C_Event_ReferralCaseManageAfter, (int)rnd_below(2));
	}
	if (ev >= 10 && ev <= 18) {
		r_str(C_Event_LocationCrisisOrPHHousing, "Partner project");
		r_int(C_Event_ReferralResult, rnd_range(1, 3));
		r_date(C_Event_ResultDate, ed);
	}
	r_common(ce, sec, ce, sec, e->user);
	row_end();
}

static void emit_services(struct enr *e)
{
	const struct project *pr = e->proj;
	int last = e->exit ? e->exit : G.end;

	if (pr->type == 13 && pr->funder == 33 && e->rel == 1) {
		/* SSVF: case management monthly, rent from move-in */
		for (int d = e->entry, k = 0; d <= last && k < 12;
		     d += 30, k++) {
			if (k == 1)
				service_row(e, d, 144, 3, rnd_range(1, 4));
			else
				service_row(e, d, 144, 2, NONE);
		}
		for (int d = e->movein, k = 0; e->movein && d <= last && k < 6;
		     d += 30, k++)
			service_row(e, d, 152, 1, NONE);
	}
	if (pr->type == 4 && pr->funder == 21 && e->rel == 1) {
		static const int path[] = { 1, 2, 4, 6 };
		service_row(e, e->entry, 141, PICK(path), NONE);
		int d = e->entry + rnd_range(1, 20);
		if (d <= last)
			service_row(e, d, 161, rnd_range(1, 11), NONE);
	}
}

static void emit_member(struct enr *e)
{
	emit_enrollment(e);
	if (e->exit)
		emit_exit(e);
	emit_stage(e, 1);
	if (e->exit)
		emit_stage(e, 3);
	switch (e->proj->type) {
	case 1:
		emit_bed_nights(e);
		break;
	case 4:
		if (e->adult)
			emit_contacts(e);
		break;
	case 14:
		if (e->rel == 1)
			emit_ce(e);
		break;
	}
	emit_services(e);
}

void hh_emit(struct hh *h)
{
	for (int i = 0; i < h->n; i++)
		client_emit(h->m[i].p);
	for (int i = 0; i < h->n; i++)
		emit_member(&h->m[i]);
}

/* ---- clean households ---------------------------------------------------- */

static int pick_type(void)
{
	static const int w[][2] = { { 0, 22 }, { 1, 8 }, { 2, 8 }, { 3, 10 },
		{ 4, 12 }, { 6, 6 }, { 12, 6 }, { 13, 18 }, { 14, 10 } };
	int r = (int)rnd_below(100), acc = 0;

	for (uint32_t i = 0; i < NEL(w); i++) {
		acc += w[i][1];
		if (r < acc)
			return w[i][0];
	}
	return 0;
}

static int stay_length(int type)
{
	switch (type) {
	case 0: return rnd_range(1, 120);
	case 1: return rnd_range(1, 45);
	case 2: return rnd_range(30, 540);
	case 3: return rnd_range(60, 1800);
	case 4: return rnd_range(1, 300);
	case 12: return rnd_range(30, 180);
	case 13: return rnd_range(30, 400);
	default: return rnd_range(1, 200);
	}
}

static int next_type(int type)
{
	static const int after_street[] = { 0, 2, 13, 3, 0, 1 };
	static const int after_other[] = { 0, 13, 4, 12, 6 };

	if (type == 0 || type == 1 || type == 4 || type == 14)
		return PICK(after_street);
	return PICK(after_other);
}

/* One household: members, then 1-3 episodes one after the other (never
 * overlapping: Q23), each in a project operating by then (Q27). */
int gen_household(void)
{
	struct person P[MAXM], *ps[MAXM];
	int rels[MAXM], n = 1;
	struct hh h;
	int entry = rnd_range(G.start - 120, G.end - 5);
	int type = pick_type();
	struct project *pr = pick_project(type, entry);

	person_new(&P[0], 1, entry);
	rels[0] = 1;
	if (pr->families && chance(45)) {
		if (chance(50)) {
			person_new(&P[n], 1, entry);
			rels[n++] = 3;
		}
		int kids = rnd_range(1, 3);
		for (int k = 0; k < kids; k++) {
			person_new(&P[n], 0, entry);
			rels[n++] = 2;
		}
		if (chance(5)) {
			person_new(&P[n], 1, entry);
			rels[n++] = 4;
		}
	}
	for (int i = 0; i < n; i++)
		ps[i] = &P[i];
	int made = n;
	for (int ep = 0; ep < 3; ep++) {
		int exit = entry + stay_length(pr->type);
		if (exit > G.end)
			exit = 0;
		hh_plan(&h, pr, entry, exit, n, ps, rels);
		hh_emit(&h);
		if (!exit || !chance(35))
			break;
		entry = exit + rnd_range(15, 200);
		if (entry > G.end - 5)
			break;
		pr = pick_project(next_type(pr->type), entry);
		if (!pr->families)
			n = 1;
	}
	return made;
}

/* K09 mode: clients without any enrollment. */
int gen_clients_only(void)
{
	struct person p;
	int n = rnd_range(1, 3);

	for (int i = 0; i < n; i++) {
		person_new(&p, 1, G.start);
		p.created = G.start - rnd_range(0, 300);
		client_emit(&p);
	}
	return n;
}
