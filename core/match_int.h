/* core/match_int.h — shared by core/match_import.c and core/match_build.c
 * only: the column mapping, the kept member rows and the build plan. */
#ifndef HMX_CORE_MATCH_INT_H
#define HMX_CORE_MATCH_INT_H

#include "cycle.h"
#include "hmiscsv.h"
#include "match_import.h"

enum match_col {
	MC_ID, MC_FIRST, MC_MIDDLE, MC_LAST, MC_SUFFIX, MC_DOB, MC_MCP, MC_PLAN, MC_MEMBER_ID,
	MC_CIN, MC_EFFECTIVE, MC_TERMINATION, MC_ECM_ENROLLED, MC_ECM_PROVIDER, MC_ECM_START,
	MC_ECM_END, MC_CS_NAME, MC_CS_ENROLLED, MC_CS_PROVIDER, MC_CS_START, MC_CS_END, MC_N
};

struct match_colmap {
	char title[MC_N][96];  /* CS titles hold "{n}" */
	char plan_words[512];  /* "|word=code|word=code|" */
	char enr_words[512];
};

/* The default mapping (assets/match-columns.ini) overridden by file, or by
 * the workspace's match-columns.ini when file is NULL and it exists. */
enum hmx_rc match_colmap_load(struct store *s, const char *file, struct match_colmap *m,
			      struct hmx_err *err);
/* Title of key with "{n}" replaced by n (into buf when needed). */
const char *match_colmap_title(const struct match_colmap *m, int key, int n, char *buf,
			       size_t len);
/* Code of option word v (case-insensitive) into code. */
bool match_word(const char *words, const char *v, size_t vlen, char *code, size_t n);
/* yyyy-mm-dd (a time may follow) or mm/dd/yyyy. */
bool match_parse_day(const char *p, size_t len, cal_day *out);
/* Column col of st as a day (yyyy-mm-dd), CAL_NO_DAY when empty or bad. */
cal_day match_col_day(sqlite3_stmt *st, int col);
/* PersonalID in any client list, member record or release. */
bool match_known_id(struct store *s, const char *pid);

struct match_svc {
	char name[64];     /* "ECM" or the Community Support's name */
	int enrolled;      /* 0/1 */
	char provider[96];
	cal_day start, end;
};

struct match_irow {
	uint64_t line;
	char pid[CONSENT_ID_MAX];
	char mcp[64], plan[16], member_id[64], cin[32];
	cal_day effective, termination;
	int nsvc;
	struct match_svc svc[1 + MATCH_CS_MAX];
};

/* ---- the build plan: what the cycle's member rows change ---- */

enum match_change {
	MCH_ENROLL, MCH_EXIT, MCH_MEMBER, MCH_SVC_START, MCH_SVC_END, MCH_SVC_UPDATE
};

struct match_pitem {
	enum match_change kind;
	char pid[CONSENT_ID_MAX];
	char enrollment_id[33]; /* the MCP enrollment concerned ("" when none) */
	char exit_id[33];
	cal_day entry, exit;    /* enrollment entry; exit day (MCH_EXIT) */
	char mcp[64], plan[16], member_id[64], cin[32];
	struct match_svc svc;   /* MCH_SVC_* */
};

struct match_plan {
	struct match_pitem *v;
	size_t n, cap;
	size_t n_enroll, n_exit, n_member, n_svc;
	char prior[64];         /* the build compared with ("" when none) */
	bool nomem;
};

enum hmx_rc match_plan_make(struct store *s, const struct cycle_info *ci, struct match_plan *p,
			    struct hmx_err *err);
void match_plan_free(struct match_plan *p);

#endif
