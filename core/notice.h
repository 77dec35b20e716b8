/* core/notice.h — drafts of the notices seed 000 calls for, filled from a
 * cycle: to the vendor ("files ready for import", "may go live"), to the
 * RDC Sys Admin ("upload done"), to an outside agency ("request files for
 * the period") and to a data partner ("findings waiting for you").
 *
 * The templates are data (assets/notices/KIND.txt, compiled in): a header
 * (kind, title, recipient, the cycle kinds and the checklist step it goes
 * with) and a text with placeholders filled from the cycle (code, period,
 * dates, the step's deadline: core/cycle.h), the registry (agency, its
 * projects: core/registry.h), the cycle's files (core/intake.h) and, for
 * the partner notice, per project of the agency, the review items of the
 * cycle that wait on the partner (core/review.h: open or rejected, waiting
 * for the partner; fix-proposed, waiting for its approval) by check and
 * severity; when the cycle has no review, counts of findings by check and
 * severity of the latest validation run of each project (the finding
 * table). No client data, counts only.
 *
 * A notice is rendered fresh until it is edited or recorded as sent; then
 * its text is kept in the notice table (one row per cycle, kind and
 * recipient) and shown as kept. Editing and recording as sent are each one
 * transaction with an audit row on "CYCLE/notice/KIND[/AGENCY]". No mail
 * is ever sent. */
#ifndef HMX_CORE_NOTICE_H
#define HMX_CORE_NOTICE_H

#include "calendar.h"
#include "store.h"

struct notice_kind {
	char id[32];          /* "vendor-ready" */
	char title[96];       /* one line for lists */
	char to[64];          /* recipient line, may hold {agency_name} */
	char cycles[96];      /* cycle kinds it belongs to, space-separated */
	char step[32];        /* checklist step it goes with, "" none */
	char source[48];      /* seed section */
	bool per_agency;      /* needs an agency (--to AGENCY) */
	const char *body;     /* template text (static) */
};

/* The kinds of assets/notices, by id. Static storage (parsed once).
 * HMX_EINVAL when a template is malformed. */
enum hmx_rc notice_kinds(const struct notice_kind **out, size_t *n, struct hmx_err *err);
/* One kind by id; NULL when unknown (or the templates are malformed). */
const struct notice_kind *notice_kind_find(const char *id);

enum notice_state { NOTICE_NEW, NOTICE_DRAFT, NOTICE_SENT };
/* "new" (never edited: rendered fresh), "draft" (edited), "sent". */
const char *notice_state_name(enum notice_state st);

struct notice {
	char cycle[64];
	char kind[32];
	char to[32];          /* agency code, "" when the kind has none */
	char title[96];
	enum notice_state state;
	cal_day sent_on;      /* CAL_NO_DAY unless sent */
	char updated_at[24];  /* "" when new */
	char updated_by[64];
	char *text;           /* malloc'd by notice_get; NULL in lists */
};

/* The notice kind of cycle for agency to (NULL or "" for kinds without a
 * recipient): the kept text when edited or sent, else a fresh draft.
 * out->text is malloc'd: free with notice_free. HMX_ENOTFOUND (cycle,
 * agency), HMX_EINVAL (unknown kind, kind not of this cycle's kind, --to
 * missing or not wanted: the message lists what is accepted), HMX_EDB,
 * HMX_ENOMEM. */
enum hmx_rc notice_get(struct store *s, const char *cycle, const char *kind, const char *to,
		       struct notice *out, struct hmx_err *err);

/* Keeps text as the edited draft. HMX_ESTATE once the notice is sent;
 * HMX_EINVAL when text is empty; else as notice_get. Audited. */
enum hmx_rc notice_save(struct store *s, const char *cycle, const char *kind, const char *to,
			const char *text, struct hmx_err *err);

/* Records the notice as sent on day on (CAL_NO_DAY: today), keeping the
 * text that was sent (the edited draft, else a fresh one). HMX_ESTATE when
 * already sent (the message names the day). Audited. */
enum hmx_rc notice_mark_sent(struct store *s, const char *cycle, const char *kind, const char *to,
			     cal_day on, struct hmx_err *err);

/* The notices of a cycle: every kind of its cycle kind without a recipient
 * (new when never kept) and every kept one, by kind then recipient; text
 * is NULL. *out malloc'd (free()). HMX_ENOTFOUND for an unknown cycle. */
enum hmx_rc notice_list(struct store *s, const char *cycle, struct notice **out, size_t *n,
			struct hmx_err *err);

/* Frees n->text; NULL-safe. */
void notice_free(struct notice *n);

#endif
