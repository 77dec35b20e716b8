/* core/validate_int.h — inside the validator: what a check family needs to
 * plug into the engine (core/validate.c). Not for use outside core/validate*
 * and core/vcheck_*.c.
 *
 * The engine reads each file of the export once, in a worker thread, and
 * calls every family's hooks; then it runs every family's cross-file pass;
 * then it merges and delivers the findings. A family is a const table of
 * callbacks (struct vfamily below) listed in `families[]` in
 * core/validate.c, in the order their hooks run. The S checks are built
 * into the engine (core/vcheck_s.c); K (core/vcheck_k.c) is the first
 * family and `early`; Q and D come after it. Adding a family is: one
 * core/vcheck_X.c exporting `const struct vfamily vcheck_X`, one line in
 * families[] (and VD_NFAM if needed), its checks in assets/checks.csv, and
 * its check ids looked up once in init with vd_check().
 *
 * Per file (worker thread; different files may run at the same time):
 *   file_begin(vf)   after the header was read and mapped (vf->hdr); put
 *                    the family's per-file state into *fstate; resolve
 *                    columns with vd_fcol()
 *   row(vf, r)       once per live data record (rows with DateDeleted are
 *                    counted by S17 and never reach a family), in file
 *                    order. For one record: K's row (early: it looks the
 *                    record up in the key tables, so r->self,
 *                    r->enrollment, r->person, r->project, r->household
 *                    are resolved), the S cell checks (vrow_bad), K's late
 *                    hook (r->dup of files without a key table), then the
 *                    other families' row hooks in order
 *   file_end(vf)     after the last row (also when the file stopped early:
 *                    vf->st.halted); free *fstate
 * Cross-file (one thread, after every file, in family order):
 *   post(run)        read the key tables, emit findings anywhere
 * A struct vrow and the fields it points to are valid during the hook only
 * (the engine checks a copy of each record while the reader reads the
 * next; families may prefetch for that next one).
 *
 * Threads. File F starts only when every file it depends on is complete
 * (the `deps` of every family: K's are the reference graph) and may then
 * read those files' tables freely; vd_complete(vf, G) says whether G was
 * read whole. While F runs, its hooks may write only: F's own tables, the
 * family's per-file state, and payload fields of other files' tables that
 * F alone writes ("written by Exit.csv" below) — never a bit-field or byte
 * shared with a field another file writes, never a table's keys. Row hooks
 * emit only into their own file (vd_emit* with that vf). Run-wide family
 * state may only be changed in init/post, or by one file. Keep to that and
 * results do not depend on the thread count or timing (tests compare 1, 2
 * and 4 threads byte for byte).
 *
 * Findings. vd_emit_row() is the common case (key = the row's primary key,
 * project = r->project); vd_emit() gives everything. The engine sorts each
 * file's findings by (line, check id, emission order), so hooks need not
 * emit in line order, and the post pass may emit into any file at any
 * line. A finding never carries a value from the data other than the key
 * ID: no names, SSNs, dates of birth, free text; `detail` is a short
 * category ("dk", "missing", "7-10"), at most 15 bytes.
 *
 * Key tables (struct vtabs, run->t) map the IDs of Organization, User,
 * Project, Client, Enrollment, household and Assessment to dense indexes
 * (insertion order = file order) with a compact payload each; live rows
 * only, the first row of a duplicated key wins. Indexes are uint32_t,
 * VT_NONE when absent. An ID referenced by Enrollment but missing from its
 * file (a K02/K03 orphan) is interned in an orphan table and referenced as
 * VT_ORPHAN | index, so IDs can still be compared exactly. ktab_id() gives
 * an index's ID back (for a key in the post pass). Dates are day numbers
 * (days since 1970-01-01, int32_t, VD_NODAY when empty or invalid); codes
 * are int8_t, VD_CODE_NONE when empty, VD_CODE_BAD when not an integer or
 * outside the column's list (S10/S18: checks.md says such a value is not
 * judged again).
 *
 * To carry more data for a later family: add a field to a payload struct
 * below, fill it in that family's row hook of the owning file (or of the
 * one file allowed to write it), and add a dependency edge if the reader
 * runs in another file. Memory counts: a 2 GB export has about a million
 * enrollments; every 4 bytes there is 4 MB. */
#ifndef HMX_CORE_VALIDATE_INT_H
#define HMX_CORE_VALIDATE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "validate.h"

#define VT_NONE UINT32_MAX
#define VT_ORPHAN 0x80000000u
#define VD_NODAY INT32_MIN
#define VD_CODE_NONE (-1)
#define VD_CODE_BAD (-2)
#define VD_MAXCOLS 256 /* spec columns per file the bad-cell set covers */
#define VD_SAMPLE 1024 /* rows sampled to estimate a file's row count */

/* ---- the files, by identity (spec order comes from the spec) ---- */

#define VD_FILES(X) \
	X(EXPORT, "Export.csv") X(ORGANIZATION, "Organization.csv") X(USER, "User.csv") \
	X(PROJECT, "Project.csv") X(FUNDER, "Funder.csv") X(PROJECTCOC, "ProjectCoC.csv") \
	X(INVENTORY, "Inventory.csv") X(AFFILIATION, "Affiliation.csv") \
	X(HMISPARTICIPATION, "HMISParticipation.csv") X(CEPARTICIPATION, "CEParticipation.csv") \
	X(CLIENT, "Client.csv") X(ENROLLMENT, "Enrollment.csv") X(EXIT, "Exit.csv") \
	X(INCOMEBENEFITS, "IncomeBenefits.csv") X(HEALTHANDDV, "HealthAndDV.csv") \
	X(EMPLOYMENTEDUCATION, "EmploymentEducation.csv") X(DISABILITIES, "Disabilities.csv") \
	X(SERVICES, "Services.csv") X(CURRENTLIVINGSITUATION, "CurrentLivingSituation.csv") \
	X(ASSESSMENT, "Assessment.csv") X(ASSESSMENTQUESTIONS, "AssessmentQuestions.csv") \
	X(ASSESSMENTRESULTS, "AssessmentResults.csv") X(EVENT, "Event.csv") \
	X(YOUTHEDUCATIONSTATUS, "YouthEducationStatus.csv")

enum vfid {
#define X(id, name) VF_##id,
	VD_FILES(X)
#undef X
	VF_N
};

/* "Client.csv" for VF_CLIENT. */
const char *vd_file_name(enum vfid id);

/* A dependency edge: file `file` starts only after `needs` is complete. */
struct vdep {
	enum vfid file, needs;
};

/* ---- key tables ---- */

/* Map from an ID string to a dense index with a payload of esize bytes
 * (zeroed when added). IDs are compared exactly: all-digit IDs of up to 18
 * digits without a leading zero are stored as numbers, IDs of up to 10
 * characters of [0-9A-Za-z_-] packed in one word, others in an arena, so
 * nothing is lost and nothing collides (core/validate_keys.c). */
struct ktab {
	uint64_t *slots;    /* 0 empty, else hash-low-32 << 32 | (index + 1) */
	size_t nslots;
	uint64_t *kw;       /* [n] key words (see validate_keys.c) */
	unsigned char *pay; /* [n * esize] */
	size_t esize, n, cap;
	char *arena;
	size_t alen, acap;
};

/* Set of IDs (or of small numbers): 8 bytes per slot, no index. */
struct kset {
	uint64_t *slots;
	size_t nslots, n;
	char *arena;
	size_t alen, acap;
};

/* An empty table with payloads of esize bytes (no allocation yet). */
void ktab_init(struct ktab *t, size_t esize);
/* Frees what t holds; t is empty (and reusable) afterwards. */
void ktab_free(struct ktab *t);
/* Index of id[0..len), VT_NONE when absent. */
uint32_t ktab_get(const struct ktab *t, const char *id, size_t len);
/* Index of id, added (payload zeroed, *added true) when absent; VT_NONE
 * when out of memory. */
uint32_t ktab_put(struct ktab *t, const char *id, size_t len, bool *added);
/* Makes room for n entries without growing again (a hint: false when out
 * of memory, the table still usable). */
bool ktab_reserve(struct ktab *t, size_t n);
/* Starts loading the slot of id into the cache (no effect otherwise). */
void ktab_prefetch(const struct ktab *t, const char *id, size_t len);
/* Payload of index i (< ktab_count); moves when the table grows. */
static inline void *ktab_at(const struct ktab *t, uint32_t i)
{
	return t->pay + (size_t)i * t->esize;
}
/* Number of IDs in t. */
static inline size_t ktab_count(const struct ktab *t)
{
	return t->n;
}
/* Writes the ID of index i into buf (size n, NUL-terminated, truncated);
 * returns its full length. */
size_t ktab_id(const struct ktab *t, uint32_t i, char *buf, size_t n);
/* Bytes of memory the table holds. */
size_t ktab_bytes(const struct ktab *t);

/* An empty set (no allocation yet); kset_free frees it, empty again. */
void kset_init(struct kset *s);
void kset_free(struct kset *s);
/* 1 added, 0 already present, -1 out of memory. */
int kset_add(struct kset *s, const char *id, size_t len);
/* The same for a number v < 2^60 (composite keys). */
int kset_add_num(struct kset *s, uint64_t v);
/* An ID's key word and hash, computed once for a prefetch and the add. */
struct khash {
	uint64_t w, h;
};
/* Fills kh for id[0..len). */
void kset_hash(const char *id, size_t len, struct khash *kh);
/* Starts loading the slot where the ID of kh would go into the cache (no
 * effect on the set): a while before kset_add_hashed of the same ID. */
void kset_prefetch(const struct kset *s, const struct khash *kh);
/* kset_add with kh = kset_hash(id, len). */
int kset_add_hashed(struct kset *s, const char *id, size_t len, const struct khash *kh);
/* Makes room for n members (a hint, as ktab_reserve). */
bool kset_reserve(struct kset *s, size_t n);
/* Bytes of memory the set holds. */
size_t kset_bytes(const struct kset *s);

/* ---- payloads ---- */

struct vt_org {
	uint32_t line;
	int8_t vsp;              /* VictimServiceProvider */
	bool enrolled;           /* written by Enrollment.csv (D09): a live enrollment
	                          * in one of its projects; set for VSPs only */
};

struct vt_project {
	uint32_t line;
	uint32_t org;            /* Organization index, VT_NONE */
	int32_t op_start, op_end;
	int8_t type;             /* ProjectType */
	int8_t rrh_subtype;
	int8_t housing_type;
	int8_t continuum;        /* ContinuumProject */
	uint32_t name;           /* offset of the name in run->names */
	bool has_coc;            /* written by ProjectCoC.csv (D01): a live row names it */
	bool has_inventory;      /* written by Inventory.csv (D05): a live row names it */
};

struct vt_client {
	uint32_t line;
	int32_t dob;
	int32_t created;         /* date of DateCreated */
	int8_t dob_dq;           /* DOBDataQuality */
	int8_t veteran;          /* VeteranStatus */
	uint8_t q_row;           /* Q: flags of its row (QC_*, core/vcheck_q.c) */
	uint8_t q_enr;           /* written by Enrollment.csv: Q flags (QE_*) */
};

struct vt_household {
	uint32_t line;           /* line of its first enrollment */
	uint32_t project;        /* ProjectID of that enrollment (orphans included) */
	bool mixed;              /* K08 reported */
	uint8_t q_hoh;           /* Q02/Q03: heads counted (0-2) + 4 once judged */
};

struct vt_enrollment {
	uint32_t line;
	uint32_t person;         /* Client index, VT_ORPHAN | orphan index, VT_NONE */
	uint32_t project;        /* Project index, VT_ORPHAN | orphan index, VT_NONE */
	uint32_t household;      /* household index, VT_NONE */
	int32_t entry;
	int32_t movein;
	int32_t created;         /* date of DateCreated */
	int8_t rel;              /* RelationshipToHoH */
	uint8_t q_row;           /* Q: flags of its row (QR_*, core/vcheck_q.c) */
	/* Q, in the padding: bed nights (written by Services.csv) of type-1
	 * enrollments and contacts (by CurrentLivingSituation.csv) of type-4
	 * ones, never of the same enrollment; stage records (by
	 * IncomeBenefits.csv) */
	uint8_t q_seen;
	uint8_t q_ib;
	/* written by Exit.csv: its first live row for this enrollment */
	uint32_t exit_line;      /* 0: no exit */
	int32_t exit;            /* ExitDate */
};

struct vtabs {
	struct ktab users;       /* UserID, no payload */
	struct ktab orgs;        /* struct vt_org */
	struct ktab projects;    /* struct vt_project */
	struct ktab clients;     /* struct vt_client */
	struct ktab enrollments; /* struct vt_enrollment */
	struct ktab households;  /* struct vt_household */
	struct ktab assessments; /* AssessmentID, no payload */
	struct ktab orphan_persons;  /* PersonalIDs of enrollments not in Client.csv */
	struct ktab orphan_projects; /* ProjectIDs of enrollments not in Project.csv */
	/* complete[f]: file f was read to its end with its primary key column,
	 * so a key missing from its table is really missing */
	bool complete[VF_N];
};

/* ---- findings in flight ---- */

#define VD_KEYMAX 64
#define VD_TEXTMAX 64
#define VD_DETAILMAX 16

struct vrec {
	uint64_t major;          /* sort: line (files) or check rank + file (package) */
	uint64_t seq;            /* emission order within the sink */
	uint64_t line;
	uint32_t project;        /* Project index or VT_NONE */
	uint16_t check;          /* catalog index */
	uint16_t rank;           /* position of the check id in string order */
	int16_t keycol;          /* spec column naming the key, -1 none */
	int16_t col;             /* spec column concerned, -1: text or none */
	uint8_t sev;
	uint8_t keylen, textlen, detlen;
	char key[VD_KEYMAX];     /* key value, printable ASCII */
	char text[VD_TEXTMAX];   /* column as written in the header (col -1), or
	                          * for P findings the entry or folder */
	char detail[VD_DETAILMAX];
};

/* Findings of one file (or of the package), in bounded memory: sorted
 * batches spill to an unlinked temporary file and are merged at the end.
 * Counts per check, severity and project are kept as findings arrive. */
struct vsink {
	struct vrec *buf;
	size_t n, cap;
	FILE *spool;
	struct vseg { long long off; size_t n; } *segs;
	size_t nsegs, scap;
	uint64_t seq;
	bool package;            /* major = rank << 32 | file rank */
	size_t nchecks;
	uint64_t *cnt;           /* [nchecks * VALIDATE_NSEV] */
	uint64_t (*proj)[VALIDATE_NSEV];
	size_t nproj;
	uint64_t noproj[VALIDATE_NSEV];
	const char *tmpdir;
	enum hmx_rc rc;          /* first failure (HMX_ENOMEM, HMX_EIO) */
};

enum hmx_rc vsink_init(struct vsink *s, size_t nchecks, bool package, const char *tmpdir);
void vsink_free(struct vsink *s);
/* Appends a copy of r (seq assigned here). Failures land in s->rc. */
void vsink_add(struct vsink *s, const struct vrec *r);
/* The file is done: spill the buffer unless it is small. */
void vsink_settle(struct vsink *s);
/* Delivers every record in order; a nonzero return from fn stops it and
 * is returned. Failures land in s->rc (returned as -1). */
int vsink_merge(struct vsink *s, int (*fn)(void *ctx, const struct vrec *r), void *ctx);
/* Drops every record (and the counts): validation stopped. */
void vsink_clear(struct vsink *s);

/* ---- the run and its files ---- */

struct vrun;
struct vfamily;

enum vfile_state { VFS_PENDING, VFS_RUNNING, VFS_DONE };

/* A copy of one record: the engine checks each record while the reader
 * is already on the next one, so the families' prefetch hook can start
 * loading the table slots the next record will need. */
struct vheld {
	struct hcsv_row row;               /* f points into fields, fields into bytes */
	struct hcsv_field *fields;
	size_t fcap;
	char *bytes;
	size_t bcap;
	bool s09;                          /* the reader reported S09 for it */
	bool full;
};

#define VD_NFAM 4

struct vfile {
	struct vrun *run;
	enum vfid id;
	size_t order;                      /* spec order */
	const struct spec_file *sf;
	size_t entry;                      /* package entry index, SIZE_MAX: absent */
	uint64_t size;                     /* its declared size (schedule: largest first) */
	struct vsink sink;
	enum vfile_state state;

	/* during the read */
	const struct hcsv_header *hdr;     /* the reader's (events) */
	struct hcsv_header hcopy;          /* a copy that outlives the reader (rows) */
	int *hpos;                         /* its pos_of */
	struct vheld held[2];              /* the record being checked, the next one */
	unsigned hi;                       /* held[hi] waits to be checked */
	struct vcol *cols;                 /* [sf->ncolumns], S check plan */
	int col_pk, col_deleted, col_export, col_user;
	int col_enrollment, col_personal, col_project;
	void *fstate[VD_NFAM];
	uint64_t pending_s09_line;         /* S09 seen for a record not yet delivered */
	uint64_t s01_line;                 /* last line given S01 */
	uint64_t last_done;                /* progress: bytes of this file reported */
	uint64_t sample_bytes;             /* bytes of the first VD_SAMPLE rows */
	uint64_t est_rows;                 /* rows expected, set at row VD_SAMPLE - 1
	                                    * (families may pre-size tables then) */
	bool saw_header, pk_mapped;
	bool begun;                        /* families' file_begin ran */

	/* outcome */
	struct hcsv_stats st;
	uint64_t deleted;
	bool empty;                        /* no record at all: P03 */
	bool read_error;                   /* P01 */
	bool limit;                        /* P09 while streaming */
	enum hmx_rc rc;                    /* HMX_ENOMEM, HMX_EIO: the run fails */
};

struct vrun {
	struct validate_opts opts;
	const char *path;
	struct spec *spec;
	struct spec_checks *checks;
	size_t nchecks;
	uint16_t *rank;                    /* [nchecks] */
	size_t nfiles;
	struct vfile *files;               /* [nfiles], spec order */
	struct vfile *byid[VF_N];          /* NULL when the spec lacks it */
	struct vtabs t;
	struct vsink psink;                /* P findings */
	void *fam[VD_NFAM];                /* families' run state */
	const struct vfamily *const *families;
	size_t nfam;

	struct hmiscsv *pkg;               /* the package as first opened */

	/* facts of Export.csv */
	char export_id[VD_KEYMAX];
	size_t export_id_len;
	bool have_export_id;
	int hash_status;
	struct validate_result *res;       /* facts land here */

	/* package-level outcomes */
	bool unreadable;                   /* P01 at open */
	bool p09;                          /* P09 reported at open or Export */
	unsigned nrefused;                 /* P08 so far (their order) */
	const char *p07;                   /* P07 detail once judged bad (Client.csv) */

	/* project names (printable copies, NUL-separated) for the report;
	 * written by Project.csv only */
	char *names;
	size_t nlen, ncap;

	/* check indexes the engine uses */
	int ck_p[10], ck_s[19], ck_k[13]; /* ck_p[1] = P01 ... ck_k[12] = K12 */

	/* scheduling and progress */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	atomic_uint_fast64_t done_bytes;
	atomic_uint_fast64_t produced;     /* decompressed bytes, all workers */
	atomic_bool brake;                 /* P09 total limit: stop everything */
	uint64_t total_bytes;
	pthread_mutex_t progress_mu;
	enum hmx_rc rc;
	struct hmx_err err;
};

/* ---- the row view ---- */

struct vrow {
	const struct hcsv_row *r;
	const struct hcsv_header *h;
	const struct vcol *cols;           /* the file's S plan (fast code checks) */
	uint64_t line;
	const struct hcsv_field *pk;       /* primary key field, NULL when absent */
	uint64_t bad[VD_MAXCOLS / 64];     /* spec columns that failed an S check */
	/* resolved by K; VT_NONE when unknown or not applicable */
	uint32_t self;                     /* this row's index in its file's table */
	uint32_t enrollment;               /* Enrollment index (files with EnrollmentID) */
	uint32_t person;                   /* Client index (VT_ORPHAN | i possible) */
	uint32_t project;                  /* Project index */
	uint32_t household;                /* household index (Enrollment.csv) */
	bool dup;                          /* a repeat of an earlier primary key (K01) */
};

/* Field of spec column col, NULL when the header or the record lacks it. */
static inline const struct hcsv_field *vrow_get(const struct vrow *v, int col)
{
	return col < 0 ? NULL : hcsv_get(v->r, v->h, (size_t)col);
}

/* Whether spec column col failed an S check (S10-S15, S18) in this row. */
static inline bool vrow_bad(const struct vrow *v, int col)
{
	return col >= 0 && col < VD_MAXCOLS && (v->bad[col / 64] >> (col % 64) & 1);
}

/* The cell of col when present, non-empty and without an S finding. */
static inline const struct hcsv_field *vrow_ok(const struct vrow *v, int col)
{
	const struct hcsv_field *f = vrow_get(v, col);
	return f && f->len && !vrow_bad(v, col) ? f : NULL;
}

/* Day number of a date or datetime column; VD_NODAY when empty or bad. */
int32_t vrow_day(const struct vrow *v, int col);
/* Code of an integer column: VD_CODE_NONE when empty or absent,
 * VD_CODE_BAD when not an integer or outside its list. */
int vrow_code(const struct vrow *v, int col);

/* ---- families ---- */

struct vfamily {
	const char *name;
	/* K only: the row hook runs before the S cell checks, so that every
	 * finding of the row knows its project; it must not rely on vrow_bad.
	 * An early family may also have `late`, run right after the S checks
	 * and before the other families' row hooks. */
	bool early;
	const struct vdep *deps;           /* extra edges, may be NULL */
	size_t ndeps;
	enum hmx_rc (*init)(struct vrun *run, void **state, struct hmx_err *err);
	void (*fini)(struct vrun *run, void *state);
	enum hmx_rc (*file_begin)(struct vfile *vf, void *state, void **fstate);
	void (*row)(struct vfile *vf, void *state, void *fstate, struct vrow *r);
	void (*late)(struct vfile *vf, void *state, void *fstate, struct vrow *r);
	/* May start loading what row() will need for r (which comes next);
	 * nothing else: r's refs are not resolved yet. May be NULL. */
	void (*prefetch)(struct vfile *vf, void *state, void *fstate, const struct vrow *r);
	void (*file_end)(struct vfile *vf, void *state, void *fstate);
	enum hmx_rc (*post)(struct vrun *run, void *state, struct hmx_err *err);
};

extern const struct vfamily vcheck_k;
extern const struct vfamily vcheck_q;
extern const struct vfamily vcheck_d;
extern const struct vfamily vcheck_x;

/* ---- helpers for families ---- */

/* Catalog index of check id; -1 when unknown (a family checks this in
 * init and fails with HMX_EINVAL). */
int vd_check(const struct vrun *run, const char *id);
/* Whether file `need` was read completely with its key column, so a key
 * missing from its table is really missing (vtabs.complete) — false unless
 * vf depends on `need` (only then is the answer settled and safe to read
 * from vf's thread). */
bool vd_complete(const struct vfile *vf, enum vfid need);
/* Spec column index of name in file id, -1 when absent. */
int vd_col(const struct vrun *run, enum vfid id, const char *name);
/* Spec column index of name in vf, -1 when absent. */
int vd_fcol(const struct vfile *vf, const char *name);

/* One finding about row r of vf: key = the row's primary key, project =
 * r->project, severity from the catalog (blocking|error resolved by col). */
void vd_emit_row(struct vfile *vf, const struct vrow *r, int check, int col,
	const char *detail);
/* One finding of check in vf at line: key names spec column keycol with
 * value key[0..keylen) (keycol -1: no key), col the column concerned (-1
 * none), detail may be NULL, project a Project index or VT_NONE. */
void vd_emit(struct vfile *vf, uint64_t line, int check, int keycol, const char *key,
	size_t keylen, int col, const char *detail, uint32_t project);
/* vd_emit with a resolved severity sev (enum spec_severity), or -1 for
 * the catalog's. */
void vd_emit_sev(struct vfile *vf, uint64_t line, int check, int keycol, const char *key,
	size_t keylen, int col, const char *detail, uint32_t project, int sev);
/* A finding about a header column as written in the file (S06, S07): no
 * key, the column text copied (printable). */
void vd_emit_text(struct vfile *vf, uint64_t line, int check, const char *column,
	const char *detail);
/* Marks vf failed (HMX_ENOMEM): the run ends with that error. */
void vd_fail(struct vfile *vf, enum hmx_rc rc);
/* Copies s[0..n) into dst (size cap, NUL-terminated): printable ASCII kept,
 * valid UTF-8 kept too when utf8, everything else '?'; cut with "..."
 * when it does not fit. Returns the length written. */
size_t vd_printable(char *dst, size_t cap, const char *s, size_t n, bool utf8);

/* Strict value syntax of checks.md. */
bool vd_int(const char *p, size_t n, long *v);     /* sign, digits, 32 bits */
bool vd_date(const char *p, size_t n, int32_t *day); /* yyyy-mm-dd, real day */
bool vd_datetime(const char *p, size_t n, int32_t *day); /* + " hh:mm:ss" */
bool vd_money(const char *p, size_t n);
/* Day number of y-m-d (proleptic Gregorian); and back. */
int32_t vd_days(int y, int m, int d);
void vd_civil(int32_t day, int *y, int *m, int *d);

/* ---- the S family (core/vcheck_s.c), called by the engine ---- */

/* Per spec column: what the S checks do with its cells. */
struct vcol {
	const struct spec_column *c;
	uint8_t type;                      /* enum spec_type */
	bool nullable, coded, rules;
	uint8_t sev10, sev11, sev13;       /* resolved severities */
	bool fast;                         /* integer codes all in 0..511: ok[] decides */
	bool rulefast;                     /* rules on one selector: rule_of[] picks */
	int sel;                           /* rulefast: the selector's spec column */
	size_t max_len;
	uint64_t ok[8];                    /* bit v set when code v is valid (any list) */
	uint8_t *rule_of;                  /* rulefast: [512] selector value -> rule + 1 */
	uint64_t (*rl)[8];                 /* rulefast: codes of each rule's list */
};

/* Whether integer v is a valid code of vc (vc->coded). */
bool vs_code_ok(const struct vcol *vc, const struct vrow *r, long v, const char *p, size_t n);

/* Builds vf->cols for vf's header; HMX_ENOMEM. */
enum hmx_rc vs_plan(struct vfile *vf);
/* Frees vf->cols. */
void vs_unplan(struct vfile *vf);
/* Maps one reader event of vf to S findings (or to vf flags for P). */
void vs_event(struct vfile *vf, const struct hcsv_event *ev);
/* S10-S16, S18 on one live row (S16 also on deleted ones: vs_export). */
void vs_row(struct vfile *vf, struct vrow *r);
void vs_export(struct vfile *vf, struct vrow *r);
/* Pending S09 of vf for the record at line, with its key (NULL: none). */
void vs_flush_s09(struct vfile *vf, const struct vrow *r);

#endif
