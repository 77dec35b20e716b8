/* screens/screens.h — the screens of hmx (one file each) and the few
 * helpers they share. Screens talk to core/ headers and to the shell
 * (tui/shell.h) only. */
#ifndef HMX_SCREENS_SCREENS_H
#define HMX_SCREENS_SCREENS_H

#include "core/cycle.h"
#include "core/mapping.h"
#include "core/review.h"
#include "tui/shell.h"

/* Open cycles with their next step and deadline, upcoming periods. */
extern const struct screen_ops dashboard_screen;
/* The steps of one cycle; open() takes the cycle code. */
extern const struct screen_ops checklist_screen;
/* The files of one cycle and their projects' mapping; open() takes the
 * cycle code. */
extern const struct screen_ops mapping_screen;
/* The registry's projects to map one source project onto; open() takes
 * "CYCLE\tFILE\tPROJECTID" (FILE: a SHA-256 prefix of 6+ hex digits). */
extern const struct screen_ops picker_screen;
/* The audit log, newest first, with filters; open() takes a cycle code to
 * filter by (may be NULL). */
extern const struct screen_ops audit_screen;
/* The validation review of one cycle (admin): findings by project and
 * check, filters, chart, reconciliation; open() takes the cycle code. */
extern const struct screen_ops vreview_screen;
/* The review screen of one reviewer (`hmx review --as NAME`), the only
 * screen of a restricted session; open() takes "NAME\tCYCLE" (CYCLE may
 * be empty: every open cycle). */
extern const struct screen_ops rreview_screen;
/* The client match of one mcp-match cycle: lists, findings, transfers;
 * open() takes the cycle code. */
extern const struct screen_ops match_screen;
/* Agencies and projects: source, HUD ProjectID, aliases, reporting group. */
extern const struct screen_ops projects_screen;
/* SFTP sites, the remote folder of one, the transfer jobs; open() takes a
 * cycle code (may be NULL) that pulled exports are taken into. */
extern const struct screen_ops transfers_screen;
/* A local file to push; open() takes the folder to start in (may be
 * NULL: the current one). The file picked goes to scr_fpick_done(). */
extern const struct screen_ops fpick_screen;

/* Hands the path the local file picker chose to the transfers screen,
 * which takes it on its next tick (main thread only). */
void scr_fpick_done(const char *path);

/* Opens the match screen on ci when it is an mcp-match cycle; else says
 * why on the message line and returns false. */
bool scr_open_match(struct tui *t, const struct cycle_info *ci);

/* Writes how a deadline stands today into buf: "3 days left",
 * "1 day left", "due today", "OVERDUE 12 days", "no deadline", or "" for
 * a closed step (DUE_MET). Returns the role to show it in; the words carry
 * the meaning without colour. */
enum tui_role scr_due_text(cal_day deadline, enum due_status due, cal_day today, char *buf,
			   size_t n);

/* Another row of v mapped onto project than row self: the one that makes
 * mapping self onto project a duplicate. NULL when there is none. */
const struct map_row *scr_map_other(const struct map_view *v, size_t self, const char *project);

/* Shows what a mapping decision did on the message line: what (e.g.
 * "ProjectID 501 -> hac-cataumet: mapped"), then the checklist sub-items
 * it ticked ("; download/hac-cataumet: todo -> done" or "; 3 sub-items
 * updated"). */
void scr_map_done(struct tui *t, const char *what, const struct map_tick *ticks, size_t n);

/* Shows a review item whole (file, line, key, column, detail, project,
 * state, fix) and its history in the pager. */
void scr_review_detail(struct tui *t, const struct review_item *it);

/* Role a review state is shown in: open/rejected warn, resolved/approved
 * ok, waived dim. */
enum tui_role scr_review_role(enum review_state st);

#endif
