/* tests/gen/gen.h — internals shared by the sources of hmxgen, the
 * deterministic generator of synthetic HUD HMIS CSV exports (see hmxgen.c).
 *
 * Layers, bottom up:
 *   gen_out.c     the spec's column tables (loaded from assets/spec), one
 *                 buffered writer per file, a row builder that fills cells by
 *                 column handle and writes them in spec order, dates, RNG;
 *   gen_world.c   the synthetic CoC: users, organizations, projects and
 *                 households with everything hanging off an enrollment,
 *                 clean by construction, with knobs a defect can turn;
 *   gen_defect.c  the seeded defects and the manifest of findings;
 *   hmxgen.c      command line, run order, zip.
 *
 * Nothing here depends on core/: the generator must build while core moves.
 * All data is synthetic: names come from syllable tables, SSNs are random
 * valid-looking numbers, phone numbers use 555-01xx. */
#ifndef HMXGEN_GEN_H
#define HMXGEN_GEN_H

#include <stddef.h>
#include <stdint.h>

/* ---- files --------------------------------------------------------------- */

#define GEN_FILES(X) \
	X(Export) X(Organization) X(User) X(Project) X(Funder) X(ProjectCoC) \
	X(Inventory) X(Affiliation) X(HMISParticipation) X(CEParticipation) \
	X(Client) X(Enrollment) X(Exit) X(IncomeBenefits) X(HealthAndDV) \
	X(EmploymentEducation) X(Disabilities) X(Services) \
	X(CurrentLivingSituation) X(Assessment) X(AssessmentQuestions) \
	X(AssessmentResults) X(Event) X(YouthEducationStatus)

enum gfile_id {
#define X(n) F_##n,
	GEN_FILES(X)
#undef X
	F__COUNT
};

/* ---- columns the generator fills -------------------------------------
 * Semantic handles, not a layout: header and order come from the spec
 * table; a handle whose column the chosen spec lacks is ignored. Every name
 * is checked at start-up against both spec tables. The five columns common
 * to (almost) every file are handled separately (enum gcommon). */
#define GEN_COLS(C) \
	C(Export, ExportID) C(Export, SourceType) C(Export, SourceID) \
	C(Export, SourceName) C(Export, ExportDate) C(Export, ExportStartDate) \
	C(Export, ExportEndDate) C(Export, SoftwareName) \
	C(Export, SoftwareVersion) C(Export, CSVVersion) \
	C(Export, ExportPeriodType) C(Export, ExportDirective) \
	C(Export, HashStatus) C(Export, ImplementationID) \
	C(Organization, OrganizationID) C(Organization, OrganizationName) \
	C(Organization, VictimServiceProvider) \
	C(Organization, OrganizationCommonName) \
	C(User, UserID) C(User, UserFirstName) C(User, UserLastName) \
	C(User, UserPhone) C(User, UserEmail) \
	C(Project, ProjectID) C(Project, OrganizationID) C(Project, ProjectName) \
	C(Project, ProjectCommonName) C(Project, OperatingStartDate) \
	C(Project, ContinuumProject) C(Project, ProjectType) \
	C(Project, HousingType) C(Project, RRHSubType) \
	C(Project, ResidentialAffiliation) C(Project, TargetPopulation) \
	C(Funder, FunderID) C(Funder, ProjectID) C(Funder, Funder) \
	C(Funder, OtherFunder) C(Funder, GrantID) C(Funder, StartDate) \
	C(ProjectCoC, ProjectCoCID) C(ProjectCoC, ProjectID) \
	C(ProjectCoC, CoCCode) C(ProjectCoC, Geocode) C(ProjectCoC, Address1) \
	C(ProjectCoC, City) C(ProjectCoC, State) C(ProjectCoC, ZIP) \
	C(ProjectCoC, GeographyType) \
	C(Inventory, InventoryID) C(Inventory, ProjectID) C(Inventory, CoCCode) \
	C(Inventory, HouseholdType) C(Inventory, Availability) \
	C(Inventory, UnitInventory) C(Inventory, BedInventory) \
	C(Inventory, CHVetBedInventory) C(Inventory, YouthVetBedInventory) \
	C(Inventory, VetBedInventory) C(Inventory, CHYouthBedInventory) \
	C(Inventory, YouthBedInventory) C(Inventory, CHBedInventory) \
	C(Inventory, OtherBedInventory) C(Inventory, ESBedType) \
	C(Inventory, InventoryStartDate) \
	C(Affiliation, AffiliationID) C(Affiliation, ProjectID) \
	C(Affiliation, ResProjectID) \
	C(HMISParticipation, HMISParticipationID) \
	C(HMISParticipation, ProjectID) \
	C(HMISParticipation, HMISParticipationType) \
	C(HMISParticipation, HMISParticipationStatusStartDate) \
	C(CEParticipation, CEParticipationID) C(CEParticipation, ProjectID) \
	C(CEParticipation, AccessPoint) \
	C(CEParticipation, PreventionAssessment) \
	C(CEParticipation, CrisisAssessment) \
	C(CEParticipation, HousingAssessment) \
	C(CEParticipation, DirectServices) \
	C(CEParticipation, ReceivesReferrals) \
	C(CEParticipation, CEParticipationStatusStartDate) \
	C(Client, PersonalID) C(Client, FirstName) C(Client, MiddleName) \
	C(Client, LastName) C(Client, NameSuffix) C(Client, NameDataQuality) \
	C(Client, SSN) C(Client, SSNDataQuality) C(Client, DOB) \
	C(Client, DOBDataQuality) C(Client, Sex) \
	C(Client, AmIndAKNative) C(Client, Asian) C(Client, BlackAfAmerican) \
	C(Client, HispanicLatinaeo) C(Client, HispanicLatinao) \
	C(Client, MidEastNAfrican) C(Client, NativeHIPacific) C(Client, White) \
	C(Client, RaceNone) \
	C(Client, Woman) C(Client, Man) C(Client, NonBinary) \
	C(Client, CulturallySpecific) C(Client, Transgender) \
	C(Client, Questioning) C(Client, DifferentIdentity) \
	C(Client, GenderNone) \
	C(Client, VeteranStatus) C(Client, YearEnteredService) \
	C(Client, YearSeparated) C(Client, WorldWarII) C(Client, KoreanWar) \
	C(Client, VietnamWar) C(Client, DesertStorm) \
	C(Client, AfghanistanOEF) C(Client, IraqOIF) C(Client, IraqOND) \
	C(Client, OtherTheater) C(Client, MilitaryBranch) \
	C(Client, DischargeStatus) \
	C(Enrollment, EnrollmentID) C(Enrollment, PersonalID) \
	C(Enrollment, ProjectID) C(Enrollment, EntryDate) \
	C(Enrollment, HouseholdID) C(Enrollment, RelationshipToHoH) \
	C(Enrollment, EnrollmentCoC) C(Enrollment, LivingSituation) \
	C(Enrollment, RentalSubsidyType) C(Enrollment, LengthOfStay) \
	C(Enrollment, LOSUnderThreshold) C(Enrollment, PreviousStreetESSH) \
	C(Enrollment, DateToStreetESSH) \
	C(Enrollment, TimesHomelessPastThreeYears) \
	C(Enrollment, MonthsHomelessPastThreeYears) \
	C(Enrollment, DisablingCondition) C(Enrollment, DateOfEngagement) \
	C(Enrollment, MoveInDate) C(Enrollment, TranslationNeeded) \
	C(Exit, ExitID) C(Exit, EnrollmentID) C(Exit, PersonalID) \
	C(Exit, ExitDate) C(Exit, Destination) \
	C(Exit, DestinationSubsidyType) \
	C(IncomeBenefits, IncomeBenefitsID) C(IncomeBenefits, EnrollmentID) \
	C(IncomeBenefits, PersonalID) C(IncomeBenefits, InformationDate) \
	C(IncomeBenefits, IncomeFromAnySource) \
	C(IncomeBenefits, TotalMonthlyIncome) \
	C(IncomeBenefits, Earned) C(IncomeBenefits, EarnedAmount) \
	C(IncomeBenefits, Unemployment) C(IncomeBenefits, UnemploymentAmount) \
	C(IncomeBenefits, SSI) C(IncomeBenefits, SSIAmount) \
	C(IncomeBenefits, SSDI) C(IncomeBenefits, SSDIAmount) \
	C(IncomeBenefits, VADisabilityService) \
	C(IncomeBenefits, VADisabilityServiceAmount) \
	C(IncomeBenefits, VADisabilityNonService) \
	C(IncomeBenefits, VADisabilityNonServiceAmount) \
	C(IncomeBenefits, PrivateDisability) \
	C(IncomeBenefits, PrivateDisabilityAmount) \
	C(IncomeBenefits, WorkersComp) C(IncomeBenefits, WorkersCompAmount) \
	C(IncomeBenefits, TANF) C(IncomeBenefits, TANFAmount) \
	C(IncomeBenefits, GA) C(IncomeBenefits, GAAmount) \
	C(IncomeBenefits, SocSecRetirement) \
	C(IncomeBenefits, SocSecRetirementAmount) \
	C(IncomeBenefits, Pension) C(IncomeBenefits, PensionAmount) \
	C(IncomeBenefits, ChildSupport) C(IncomeBenefits, ChildSupportAmount) \
	C(IncomeBenefits, Alimony) C(IncomeBenefits, AlimonyAmount) \
	C(IncomeBenefits, OtherIncomeSource) \
	C(IncomeBenefits, OtherIncomeAmount) \
	C(IncomeBenefits, OtherIncomeSourceIdentify) \
	C(IncomeBenefits, BenefitsFromAnySource) C(IncomeBenefits, SNAP) \
	C(IncomeBenefits, WIC) C(IncomeBenefits, TANFChildCare) \
	C(IncomeBenefits, TANFTransportation) C(IncomeBenefits, OtherTANF) \
	C(IncomeBenefits, OtherBenefitsSource) \
	C(IncomeBenefits, InsuranceFromAnySource) C(IncomeBenefits, Medicaid) \
	C(IncomeBenefits, Medicare) C(IncomeBenefits, SCHIP) \
	C(IncomeBenefits, VHAServices) C(IncomeBenefits, EmployerProvided) \
	C(IncomeBenefits, COBRA) C(IncomeBenefits, PrivatePay) \
	C(IncomeBenefits, StateHealthIns) \
	C(IncomeBenefits, IndianHealthServices) \
	C(IncomeBenefits, OtherInsurance) \
	C(IncomeBenefits, OtherInsuranceIdentify) \
	C(IncomeBenefits, DataCollectionStage) \
	C(HealthAndDV, HealthAndDVID) C(HealthAndDV, EnrollmentID) \
	C(HealthAndDV, PersonalID) C(HealthAndDV, InformationDate) \
	C(HealthAndDV, DomesticViolenceSurvivor) C(HealthAndDV, WhenOccurred) \
	C(HealthAndDV, CurrentlyFleeing) C(HealthAndDV, GeneralHealthStatus) \
	C(HealthAndDV, DentalHealthStatus) C(HealthAndDV, MentalHealthStatus) \
	C(HealthAndDV, DataCollectionStage) \
	C(EmploymentEducation, EmploymentEducationID) \
	C(EmploymentEducation, EnrollmentID) \
	C(EmploymentEducation, PersonalID) \
	C(EmploymentEducation, InformationDate) \
	C(EmploymentEducation, LastGradeCompleted) \
	C(EmploymentEducation, Employed) \
	C(EmploymentEducation, EmploymentType) \
	C(EmploymentEducation, NotEmployedReason) \
	C(EmploymentEducation, DataCollectionStage) \
	C(Disabilities, DisabilitiesID) C(Disabilities, EnrollmentID) \
	C(Disabilities, PersonalID) C(Disabilities, InformationDate) \
	C(Disabilities, DisabilityType) C(Disabilities, DisabilityResponse) \
	C(Disabilities, IndefiniteAndImpairs) \
	C(Disabilities, DataCollectionStage) \
	C(Services, ServicesID) C(Services, EnrollmentID) \
	C(Services, PersonalID) C(Services, DateProvided) \
	C(Services, RecordType) C(Services, TypeProvided) \
	C(Services, SubTypeProvided) C(Services, FAAmount) \
	C(Services, FAStartDate) C(Services, FAEndDate) \
	C(Services, ReferralOutcome) \
	C(CurrentLivingSituation, CurrentLivingSitID) \
	C(CurrentLivingSituation, EnrollmentID) \
	C(CurrentLivingSituation, PersonalID) \
	C(CurrentLivingSituation, InformationDate) \
	C(CurrentLivingSituation, CurrentLivingSituation) \
	C(CurrentLivingSituation, CLSSubsidyType) \
	C(CurrentLivingSituation, VerifiedBy) \
	C(Assessment, AssessmentID) C(Assessment, EnrollmentID) \
	C(Assessment, PersonalID) C(Assessment, AssessmentDate) \
	C(Assessment, AssessmentLocation) C(Assessment, AssessmentType) \
	C(Assessment, AssessmentLevel) C(Assessment, PrioritizationStatus) \
	C(AssessmentQuestions, AssessmentQuestionID) \
	C(AssessmentQuestions, AssessmentID) \
	C(AssessmentQuestions, EnrollmentID) \
	C(AssessmentQuestions, PersonalID) \
	C(AssessmentQuestions, AssessmentQuestionGroup) \
	C(AssessmentQuestions, AssessmentQuestionOrder) \
	C(AssessmentQuestions, AssessmentQuestion) \
	C(AssessmentQuestions, AssessmentAnswer) \
	C(AssessmentResults, AssessmentResultID) \
	C(AssessmentResults, AssessmentID) \
	C(AssessmentResults, EnrollmentID) \
	C(AssessmentResults, PersonalID) \
	C(AssessmentResults, AssessmentResultType) \
	C(AssessmentResults, AssessmentResult) \
	C(Event, EventID) C(Event, EnrollmentID) C(Event, PersonalID) \
	C(Event, EventDate) C(Event, Event) C(Event, ProbSolDivRRResult) \
	C(Event, ReferralCaseManageAfter) \
	C(Event, LocationCrisisOrPHHousing) C(Event, ReferralResult) \
	C(Event, ResultDate) \
	C(YouthEducationStatus, YouthEducationStatusID) \
	C(YouthEducationStatus, EnrollmentID) \
	C(YouthEducationStatus, PersonalID) \
	C(YouthEducationStatus, InformationDate) \
	C(YouthEducationStatus, CurrentSchoolAttend) \
	C(YouthEducationStatus, MostRecentEdStatus) \
	C(YouthEducationStatus, CurrentEdStatus) \
	C(YouthEducationStatus, DataCollectionStage)

enum gcol {
#define C(f, c) C_##f##_##c,
	GEN_COLS(C)
#undef C
	C__COUNT
};

/* Columns found in nearly every file, resolved per file. */
enum gcommon { CC_DateCreated, CC_DateUpdated, CC_UserID, CC_DateDeleted,
	CC_ExportID, CC__COUNT };

/* Spec data types. */
enum gtype { T_STRING, T_INT, T_DATE, T_DATETIME, T_MONEY };

enum { MAXCOL = 100 };

/* One entry of a file's written layout: a spec column (spec >= 0) or an
 * extra column (spec = -1, for S06), with the header text to write. */
struct glay {
	int spec;
	char hdr[64];
};

/* One output file: the spec's columns, the layout actually written and the
 * buffered writer. */
struct gfile {
	const char *name;            /* "Enrollment.csv" */
	int in_spec;                 /* the chosen spec defines it */
	int ncol;                    /* spec columns */
	char colname[MAXCOL][64];
	uint8_t coltype[MAXCOL];
	uint16_t colmax[MAXCOL];     /* max length of strings, 0 none */
	uint8_t colnull[MAXCOL];     /* nullable */
	int16_t cc[CC__COUNT];       /* common columns, -1 when absent */
	int nlay;
	struct glay lay[MAXCOL + 4];
	/* seeded file-level defects */
	int omit;                    /* P03: the file is not written */
	int bom;                     /* S02 */
	uint64_t crlf_line;          /* S03: this line ends with CRLF */
	/* writer */
	int fd;
	char *buf;
	size_t len;
	uint64_t line;               /* lines written, header included */
	uint64_t rows;
};

/* Run-wide settings and state (gen_out.c owns it). */
struct gstate {
	struct gfile f[F__COUNT];
	int16_t colidx[C__COUNT];    /* spec index of each handle, -1 absent */
	int fy2026;                  /* spec FY2026 (else FY2024) */
	const char *spec_name;       /* "FY2024" */
	char outdir[4096];           /* where the CSV files go (sub-folder incl.) */
	uint64_t bytes;              /* bytes written so far, all files */
	/* export period, as day numbers (days since 1970-01-01) */
	int start, end, export_day, export_sec;
	char export_id[16];
	int hash_status;             /* 1, or 4 when P07 is seeded */
	const char *csv_version;
	int nusers;
	/* --project-id: the export holds one project with this ProjectID
	 * (0: the usual mix), named only_name when set, of type only_type */
	uint32_t only_id;
	const char *only_name;
	int only_type;
};

extern struct gstate G;

/* ---- gen_out.c ----------------------------------------------------------- */

void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void *xmalloc(size_t n);

/* RNG: xoshiro256**, seeded by splitmix64. */
void rng_seed(uint64_t s);
uint64_t rnd(void);
uint32_t rnd_below(uint32_t n);           /* 0 .. n-1 */
int rnd_range(int lo, int hi);            /* lo .. hi inclusive */
int chance(int percent);                  /* true with that probability */

/* Days since 1970-01-01 <-> civil date. */
int day_of(int y, int m, int d);
void civil(int day, int *y, int *m, int *d);
int age_at(int dob, int day);             /* whole years */

/* Loads the spec tables from ASSETS/spec for spec "FY2024"/"FY2026", checks
 * every handle name against both tables and that every non-nullable column
 * has a producer. Dies with a message on any mismatch. */
void spec_load(const char *assets, const char *spec);

/* Opens every file of the spec in G.outdir and writes the headers. */
void out_open(void);
/* Flushes and closes every file. */
void out_close(void);

/* Row builder: one row at a time. row_begin() starts a row of a file;
 * setters fill cells by handle (ignored when the spec lacks the column);
 * row_end() writes it and returns its line number (header = 1). */
void row_begin(enum gfile_id f);
void r_int(enum gcol c, long v);
void r_id(enum gcol c, uint64_t id);                /* an ID as a string */
void r_str(enum gcol c, const char *s);
void r_strn(enum gcol c, const char *s, size_t n);
void r_date(enum gcol c, int day);
void r_dt(enum gcol c, int day, int sec);
void r_money(enum gcol c, long cents);
void r_clear(enum gcol c);
/* the same by spec index, for common columns */
void r_cc_dt(enum gcommon c, int day, int sec);
void r_cc_str(enum gcommon c, const char *s);
void r_cc_clear(enum gcommon c);
/* Sets DateCreated/DateUpdated/UserID/ExportID. */
void r_common(int cday, int csec, int uday, int usec, int user);
/* Row-level structural defects for the next row_end(). */
void r_extra_field(void);                          /* S09 */
void r_unterminated(void);                         /* S04 */
uint64_t row_end(void);

/* ---- gen_world.c --------------------------------------------------------- */

enum { MAXM = 8 };

struct project {
	uint32_t id;
	int org;                 /* index into the organization table */
	int type;                /* list 2.02.6 */
	int rrh_sub;             /* 0 when not set */
	int housing;             /* 0 when not set */
	int opstart;
	int continuum;
	int coc;                 /* 0 or 1: XX-501 / XX-502 */
	int families;
	int funder;              /* list 2.06.1 */
	int residential;
	int phantom;             /* never written (K03) */
	/* D-family knobs */
	int no_coc_row, coc_geo_empty, no_inventory, no_housing, no_rrh_sub;
	uint64_t line;           /* its Project.csv line */
	uint64_t coc_line;       /* its first ProjectCoC.csv line */
	uint32_t coc_id;         /* and that row's ProjectCoCID */
};

struct org {
	uint32_t id;
	int vsp;
	uint64_t line;
};

struct person {
	uint32_t pid;
	int dob;                 /* DOB_NONE when empty */
	int name_dq, ssn_dq, dob_dq;
	char first[24], middle[24], last[24], suffix[8];
	char ssn[16];
	int sex;                 /* FY2026 list 4.21, -1 empty */
	int race[7];             /* AmIndAKNative .. White */
	int race_none;           /* -1 empty */
	int gender[7];           /* Woman .. DifferentIdentity (FY2024) */
	int gender_none;
	int vet;                 /* list 1.8 */
	int created, created_sec;
	int user;
	int emitted, no_row, deleted;
	uint64_t line;
};

#define DOB_NONE (-1000000)
#define NONE (-1)

/* Income/benefit/insurance answers of one IncomeBenefits record. */
struct income {
	int any_income, any_benefit, any_insur;
	int inc[15];             /* Earned .. OtherIncomeSource: 0/1 */
	long amt[15];            /* cents */
	int ben[6];              /* SNAP .. OtherBenefitsSource */
	int ins[10];             /* Medicaid .. OtherInsurance */
};

/* One client's enrollment in a household, everything hung off it. */
struct enr {
	struct person *p;
	struct project *proj;
	int rel;
	int entry, exit, movein;         /* exit/movein 0 when none */
	uint32_t eid, hhid, exit_id;
	int adult;                       /* adult or HoH: 3.917 collected */
	int livsit, rentsub, los, losunder, prevstreet, dts, times, months;
	int discond, engage;
	int coc_empty;
	int dest, destsub;
	int ent_coff, ent_csec, ex_coff, ex_csec;  /* DateCreated offsets */
	struct income ib[2];             /* stage 1 and 3 answers */
	int ib_mode[2];                  /* stage 1/3: IB_OK or IB_NONE */
	int disab[6], indef[6];          /* DisabilityType 5..10 */
	int dv, when, fleeing;
	int grade, employed, emptype, notemp;
	int youth, attend, recent, cured;
	int user;
	/* knobs */
	int k11_file;                    /* duplicate this stage-1 record */
	int k12_file;                    /* shift this stage-1 InformationDate */
	int s18_health;                  /* bad GeneralHealthStatus etc., 1..3 */
	int bn_skip_entry, bn_stop;      /* bed nights: none on entry / stop */
	int cls_stop;                    /* CLS: stop after this many days */
	/* where it went */
	uint64_t line, exit_line, ib_line[2], k_line;
	uint32_t ib_id[2], k_id;
};

enum { IB_OK, IB_NONE };

struct hh {
	int n;
	struct enr m[MAXM];
};

extern struct project *projects;
extern int nprojects;
extern int nclean;                       /* [0, nclean) take clean data */
extern struct org *orgs;
extern int norgs;

/* ID counters, one per kind of record. */
uint32_t next_id(enum gfile_id f);

void world_init(int nproj);
void write_export(int p06);
void write_users(void);
/* Writes organizations, projects and their project-level rows. */
void write_projects(void);
struct project *project_add(int type, int org);
int org_add(int vsp);
void project_write(struct project *p);
void org_write(int i);

/* A fresh synthetic person, adult (age 20-80) or child (0-14) at day. */
void person_new(struct person *p, int adult, int day);
/* Plans a household episode in a project: members ps[0..n-1] with rels,
 * clean by construction. Knobs may be changed before hh_emit(). */
void hh_plan(struct hh *h, struct project *pr, int entry, int exit, int n,
	struct person **ps, const int *rels);
void hh_emit(struct hh *h);
void client_emit(struct person *p);
/* Picks a clean project of that type with OperatingStartDate <= day. */
struct project *pick_project(int type, int day);
/* A project type for a non-residential host of leaf-row defects. */
struct project *host_project(void);
/* Generates one clean household with its episodes; returns persons made. */
int gen_household(void);
/* Writes Client rows only (K09: no enrollments). */
int gen_clients_only(void);
int created_off(int day);                /* 0..6 days, capped at export */
const char *coc_code(int i);             /* "XX-501", "XX-502" */
int office_sec(void);                    /* a time of day in office hours */

/* ---- gen_defect.c -------------------------------------------------------- */

/* Parses "--defects" and the default count; dies on unknown ids. */
void defects_parse(const char *list, int count, int have_zip);
void defects_list(void);                 /* --list-defects */
void defects_prep(void);                 /* before headers */
void defects_projects(void);             /* project phase */
int defects_pending(void);               /* household instances left */
void defects_next(void);                 /* seeds one household instance */
void defects_tail(void);                 /* end rows (S04) */
int defects_alone(const char *id);       /* seeded alone: P06, K09 */
int defects_has(const char *id);
const char *defects_subdir(void);        /* P02 sub-folder or NULL */
void defects_extra_files(const char *dir);        /* P04 */
struct zip;
void defects_zip(struct zip *za);                  /* P08 */
void manifest_write(const char *path, const char *instances);

#endif
