/* core/review.h — the demo-site validation review (issue 8): each finding of
 * the cycle's demo-site export becomes a review item that goes to the
 * partners of its project, who approve or reject the admin's proposed
 * fix; the live import waits until every blocking item is resolved or
 * waived.
 *
 * Items. One review_item per distinct finding identity of a cycle:
 * check + file + key + column (never the line, which moves when rows are
 * added or removed; the column is part of the identity because one record
 * can fail one check on several columns). Its project is the registered
 * project the finding's ProjectID maps to: a confirmed mapping of one of
 * the cycle's files (file_map), else a remembered alias (project_alias),
 * else a project with that HUD ProjectID; NULL when none (admin only).
 *
 * Syncing. review_sync() applies a finished validation run of the cycle:
 * identities new to the cycle open; identities present again keep their
 * state and history (a resolved one that comes back is reopened); items
 * absent from the run become resolved (open, fix-proposed, approved,
 * rejected) — each automatic change is a decision row by "hmx". Waived
 * items stay waived whatever the run says. A run is synced at most once.
 * A run that stopped early (P01, P06, P08, P09) is refused, and items of a
 * file the run could not read to its end (S04, or missing: P03) are not
 * resolved by it.
 * Who calls it: core/intake.c for a file intaken with source "demo", and
 * `hmx validate --cycle` on a cycle whose kind reviews demo exports
 * (review_cycle_reviews()).
 *
 * Decisions. The state machine is the table review_rules[] (review.c),
 * readable through review_rule_at(): action × from-state → to-state and
 * who may. Every decision is one BEGIN IMMEDIATE transaction that reads
 * the item, checks the rule, the actor's permission and (when given) the
 * version the caller saw, then writes the item, a decision row and its
 * audit row (who = the reviewer's name or the admin's login). A decision
 * whose precondition changed meanwhile is refused (HMX_ESTATE), so it is
 * never lost nor applied twice. Texts (fix, comment, reason) are one line
 * of at most REVIEW_TEXT_MAX bytes and must not hold client data.
 *
 * Ownership: every *out array is malloc'd and freed by the caller with
 * free(); strings inside are fixed-size members. */
#ifndef HMX_CORE_REVIEW_H
#define HMX_CORE_REVIEW_H

#include <stdio.h>

#include "store.h"

#define REVIEW_TEXT_MAX 500

enum review_state {
	RV_OPEN,
	RV_FIX_PROPOSED,
	RV_APPROVED,
	RV_REJECTED,
	RV_RESOLVED,
	RV_WAIVED,
	RV_NSTATES
};

enum review_action {
	RA_PROPOSE,  /* admin proposes a fix (text) */
	RA_APPROVE,  /* a reviewer of the project (or the admin) approves it */
	RA_REJECT,   /* ... or rejects it (comment required) */
	RA_COMMENT,  /* anyone concerned, any state, no change */
	RA_ASSIGN,   /* admin names the reviewer expected to act */
	RA_WAIVE,    /* admin only, reason required */
	RA_RESOLVE,  /* automatic: the finding is gone from a later run */
	RA_REOPEN,   /* automatic: a resolved finding is back */
	RA_NACTIONS
};

/* Who may take an action (bit mask). */
enum review_role { RR_ADMIN = 1, RR_REVIEWER = 2, RR_SYSTEM = 4 };

/* "open", "fix-proposed", "approved", "rejected", "resolved", "waived". */
const char *review_state_name(enum review_state st);
bool review_state_parse(const char *s, enum review_state *out);
/* "propose", "approve", ... "resolve", "reopen". */
const char *review_action_name(enum review_action a);
bool review_action_parse(const char *s, enum review_action *out);

/* One row of the state machine. from is a bit mask of states (1 << st);
 * to is RV_NSTATES for "no change"; needs_text: the text is required. */
struct review_rule {
	enum review_action action;
	unsigned from;
	enum review_state to;
	unsigned who;
	bool needs_text;
	const char *text_name; /* "fix", "comment", "reason", "reviewer" */
};
/* Rule i (0-based) of the table, NULL past the end. Static storage. */
const struct review_rule *review_rule_at(size_t i);
/* The rule of an action. Static storage. */
const struct review_rule *review_rule_of(enum review_action a);

/* Severity counted by the gate conditions (validator severities). */
enum review_sev { RS_WARNING, RS_ERROR, RS_BLOCKING, RS_NSEV };
const char *review_sev_name(enum review_sev s);
bool review_sev_parse(const char *s, enum review_sev *out);

struct review_item {
	int64_t id;
	char cycle[64];
	char check[8];
	char file[64];
	char key[128];          /* "EnrollmentID=e1" or "" */
	char column[64];
	char detail[64];        /* category of the last occurrence */
	char source_project[64]; /* ProjectID in the export, "" */
	char project[48];       /* registered project code, "" when unmapped */
	char agency[32];        /* its agency code, "" */
	enum review_sev severity;
	enum review_state state;
	char reviewer[64];      /* assigned reviewer, "" */
	int64_t first_run, last_run; /* validation runs it was first / last seen in */
	int64_t line;           /* line in last_run (for display only) */
	int64_t occurrences;    /* findings of this identity in last_run */
	int64_t version;        /* bumped by every change; see review_request */
	char fix[REVIEW_TEXT_MAX + 1]; /* the latest proposed fix, "" */
	char updated_at[24];
	char updated_by[64];
};

/* Filters of review_list; NULL or empty members match everything. */
struct review_filter {
	const char *project;   /* project code; "-" for items without a project */
	const char *agency;    /* agency code */
	const char *check;     /* "K01" */
	const char *reviewer;  /* assigned reviewer name */
	const char *as;        /* only the items this reviewer may act on */
	int state;             /* -1 any, else enum review_state */
	int severity;          /* -1 any, else enum review_sev */
	bool pending;          /* only open, fix-proposed, approved, rejected */
};
void review_filter_init(struct review_filter *f);

/* Items of a cycle, ordered by project, check, file, key. HMX_ENOTFOUND
 * (cycle, project, agency or reviewer named in the filter). */
enum hmx_rc review_list(struct store *s, const char *cycle, const struct review_filter *f,
			struct review_item **out, size_t *n, struct hmx_err *err);
/* One item by id. HMX_ENOTFOUND. */
enum hmx_rc review_get(struct store *s, int64_t id, struct review_item *out, struct hmx_err *err);

/* Items per project × severity × state of a cycle, restricted to what
 * `as` may see when not NULL. One row per project (code "" for items
 * without a project), ordered by code. */
struct review_count {
	char project[48];
	int64_t n[RS_NSEV][RV_NSTATES];
	int64_t pending[RS_NSEV]; /* open + fix-proposed + approved + rejected */
	int64_t total;
};
enum hmx_rc review_counts(struct store *s, const char *cycle, const char *as,
			  struct review_count **out, size_t *n, struct hmx_err *err);

/* History of an item, oldest first. */
struct review_decision {
	int64_t id;
	char at[24];
	char who[64];
	char role[12];          /* "admin", "reviewer", "hmx" */
	enum review_action action;
	enum review_state from, to;
	char text[REVIEW_TEXT_MAX + 1];
	int64_t run;            /* validation run of an automatic change, 0 */
};
enum hmx_rc review_history(struct store *s, int64_t id, struct review_decision **out, size_t *n,
			   struct hmx_err *err);

/* A decision. as: NULL for the admin (who = hmx_actor()), else the name of
 * a reviewer (who = that name) who must review the item's project.
 * expect_version: 0, or the item's version the caller saw (refused with
 * HMX_ESTATE when it changed). text: the fix, comment or reason; for
 * RA_ASSIGN the reviewer's name ("" unassigns). RA_RESOLVE and RA_REOPEN
 * are not requests (HMX_EINVAL). Errors: HMX_ENOTFOUND (item, reviewer),
 * HMX_EINVAL (missing or bad text), HMX_ESTATE (the rule refuses the
 * action in the item's state, "not your project", changed meanwhile, read-
 * only database), HMX_EDB. On success *out (may be NULL) is the item after. */
struct review_request {
	int64_t item;
	enum review_action action;
	const char *as;
	const char *text;
	int64_t expect_version;
};
enum hmx_rc review_decide(struct store *s, const struct review_request *rq,
			  struct review_item *out, struct hmx_err *err);

/* Whether cycles of this kind review their demo-site export (the kind's
 * intake rule expects source "demo"). */
bool review_cycle_reviews(const char *kind);

struct review_sync_result {
	int64_t run;
	int64_t opened, reopened, persisted, resolved, waived_kept, findings;
	bool already;           /* this run was synced before: nothing changed */
};
/* Applies validation run `run` (finished, of cycle) to the cycle's review,
 * as described at the top, in one transaction with its audit row.
 * HMX_ENOTFOUND (cycle, run), HMX_EINVAL (run of another cycle, not
 * finished, stopped early, or older than a run already applied). */
enum hmx_rc review_sync(struct store *s, const char *cycle, int64_t run,
			struct review_sync_result *out, struct hmx_err *err);

/* Items of the cycle that hold the live import: severity >= min, state
 * open, fix-proposed, approved (the fix is not yet confirmed by a run)
 * or rejected. */
enum hmx_rc review_blockers(struct store *s, int64_t cycle_id, enum review_sev min, int64_t *n,
			    struct hmx_err *err);

/* Per-partner report of a cycle: every item of the project (or of the
 * agency's projects, or all when both NULL) with its state, fix and whole
 * history; waived ones with their reason. IDs, codes and texts the admin
 * and reviewers wrote: no client data. format "csv" or "md". Writes to f.
 * HMX_EINVAL (format), HMX_ENOTFOUND, HMX_EIO (write failed). */
enum hmx_rc review_report(struct store *s, const char *cycle, const char *project,
			  const char *agency, const char *format, FILE *f, struct hmx_err *err);

#endif
