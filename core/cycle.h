/* core/cycle.h — cycle kinds, their checklist templates, cycles and steps.
 *
 * A cycle kind is a template in assets/templates/KIND.ini: its steps, each
 * with the seed section it comes from, who acts, a deadline rule
 * (core/calendar.h), optional per-project expansion and gates. Creating a
 * cycle copies the template into step rows, so later template changes do
 * not alter past cycles. Steps move between states; every change is one
 * transaction with its audit row and a step_change row (for undo).
 * Overdue and due-soon are computed from deadlines and today, never stored. */
#ifndef HMX_CORE_CYCLE_H
#define HMX_CORE_CYCLE_H

#include "calendar.h"
#include "store.h"

enum step_state { STEP_TODO, STEP_IN_PROGRESS, STEP_DONE, STEP_SKIPPED, STEP_BLOCKED };

/* "todo", "in-progress", "done", "skipped", "blocked". */
const char *step_state_name(enum step_state st);
/* Accepts the names above (and "in_progress", "doing", "start"). */
bool step_state_parse(const char *s, enum step_state *out);
/* True for done and skipped: the step no longer needs work. */
bool step_state_closed(enum step_state st);

enum due_status { DUE_NONE, DUE_LATER, DUE_SOON, DUE_TODAY, DUE_OVERDUE, DUE_MET };
/* Due status of a step with this deadline and state, seen on day today.
 * DUE_SOON is within soon_days (inclusive); closed steps are DUE_MET. */
enum due_status cycle_due(cal_day deadline, enum step_state st, cal_day today, int soon_days);
const char *cycle_due_name(enum due_status d);

struct cycle_kind {
	char id[32];       /* "rdc-upload" */
	char title[96];    /* "Quarterly RDC upload" */
	char periods[64];  /* allowed period kinds: "quarter", "quarter bimonth", "year" */
	char source[128];  /* seed section */
};

/* Kinds known from assets/templates, in a fixed order. n gets the count.
 * Static storage (parsed once). HMX_EINVAL if a template is malformed. */
enum hmx_rc cycle_kinds(const struct cycle_kind **out, size_t *n, struct hmx_err *err);

struct cycle_info {
	int64_t id;
	char code[64];        /* "rdc-upload-2026Q3" */
	char kind[32];
	char kind_title[96];
	char period[16];
	cal_day start, end;
	bool closed;          /* every step done or skipped */
	int n_steps, n_closed; /* top-level and sub-items alike */
	/* the first open step in order (empty when none) */
	char next_code[64];
	char next_title[160];
	cal_day next_deadline; /* CAL_NO_DAY when none */
	enum step_state next_state;
	/* earliest deadline among open steps, and its status today */
	cal_day due;
	enum due_status due_status;
};

/* Creates the cycle KIND-PERIOD with its steps from the template, expanding
 * per-project steps from the registry. Audited. HMX_EINVAL (unknown kind,
 * bad or wrong-kind period: message names what is accepted), HMX_EEXIST.
 * code_out (may be NULL, at least 64 bytes) gets the new cycle's code. */
enum hmx_rc cycle_new(struct store *s, const char *kind, const char *period,
		      char *code_out, struct hmx_err *err);
/* Open cycles (all when include_closed), overdue first, then by earliest
 * due date, then code. today is used for due status. *out malloc'd. */
enum hmx_rc cycle_list(struct store *s, bool include_closed, cal_day today,
		       struct cycle_info **out, size_t *n, struct hmx_err *err);
enum hmx_rc cycle_get(struct store *s, const char *code, cal_day today,
		      struct cycle_info *out, struct hmx_err *err);

struct step_info {
	int64_t id;
	char code[64];        /* "upload", or "download/hac-carriage-house" */
	char parent[64];      /* parent step code, "" for a top-level step */
	int depth;            /* 0 top level, 1 sub-item */
	char title[160];
	char source[128];     /* seed section, e.g. "000 [4] Data Quality" */
	char actor[32];       /* "hmis-admin", "rdc-admin", "vendor", "agency" */
	char actor_label[48]; /* "HMIS Sys Admin" ... */
	char project[48];     /* project code for a sub-item, else "" */
	char gates[128];      /* space-separated step codes that must close first */
	char requires[32];    /* a condition besides the gates ("review-clear"), "" */
	char rule[32];        /* deadline rule */
	cal_day deadline;     /* CAL_NO_DAY when none */
	enum step_state state;
	char note[256];       /* note or reason of the last change */
	char updated_at[24];
	char updated_by[64];
	int n_children, n_children_closed;
};

/* Steps of a cycle in checklist order (each step followed by its
 * sub-items). HMX_ENOTFOUND for an unknown cycle. *out malloc'd. */
enum hmx_rc step_list(struct store *s, const char *cycle, struct step_info **out, size_t *n,
		      struct hmx_err *err);
enum hmx_rc step_get(struct store *s, const char *cycle, const char *step,
		     struct step_info *out, struct hmx_err *err);

/* Moves a step to state with a note, in one transaction with its audit and
 * history rows. Skipped and blocked need a non-empty note (the reason).
 * Done is refused (HMX_ESTATE, message names the open gate or sub-items)
 * while a gate step or a sub-item is not closed, or while the step's
 * condition (template key "requires", e.g. review-clear: no blocking
 * finding of the demo-site review pending) does not hold. Setting the current state
 * again only updates the note. HMX_ENOTFOUND, HMX_EINVAL. */
enum hmx_rc step_set(struct store *s, const char *cycle, const char *step,
		     enum step_state state, const char *note, struct hmx_err *err);
/* Reverts the last change of a step (itself recorded as a change and
 * audited). HMX_ESTATE when there is nothing to undo. */
enum hmx_rc step_undo(struct store *s, const char *cycle, const char *step,
		      struct hmx_err *err);

struct step_change {
	int64_t id;
	char at[24];
	char who[64];
	enum step_state from, to;
	char note[256];
	bool is_undo;
};
/* History of one step, oldest first. *out malloc'd. */
enum hmx_rc step_history(struct store *s, const char *cycle, const char *step,
			 struct step_change **out, size_t *n, struct hmx_err *err);

#endif
