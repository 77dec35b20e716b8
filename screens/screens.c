/* screens/screens.c — the entry point main.c calls (tui_run: which screens
 * the shell starts on) and helpers shared by the screens. */
#include "screens/screens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rawrow.h"
#include "tui/tui.h"

enum hmx_rc tui_run(struct store *s, const struct tui_options *opt, struct hmx_err *err)
{
	const struct screen_ops *screens[] = { &dashboard_screen, &checklist_screen, NULL };
	const char *args[] = { NULL, opt->open_cycle, opt->open_cycle };

	if (opt->review_as) {
		/* the restricted session: this one screen and nothing under it */
		char arg[128];
		const struct screen_ops *only[] = { &rreview_screen };
		const char *only_args[] = { arg };

		snprintf(arg, sizeof arg, "%s\t%s", opt->review_as,
			 opt->open_cycle ? opt->open_cycle : "");
		return shell_run(s, opt, only, only_args, 1, err);
	}
	if (opt->open_screen) {
		if (strcmp(opt->open_screen, "audit") == 0) {
			screens[1] = &audit_screen;
			return shell_run(s, opt, screens, args, 2, err);
		}
		if (strcmp(opt->open_screen, "review") == 0) {
			if (!opt->open_cycle)
				return hmx_err_set(err, HMX_EINVAL,
						   "--screen review needs --cycle CYCLE");
			screens[1] = &vreview_screen;
			return shell_run(s, opt, screens, args, 2, err);
		}
		if (strcmp(opt->open_screen, "transfers") == 0) {
			screens[1] = &transfers_screen;
			return shell_run(s, opt, screens, args, 2, err);
		}
		if (strcmp(opt->open_screen, "match") == 0) {
			/* over the cycle's checklist: q goes back to it */
			if (!opt->open_cycle)
				return hmx_err_set(err, HMX_EINVAL,
						   "--screen match needs --cycle C (an mcp-match cycle)");
			screens[2] = &match_screen;
			return shell_run(s, opt, screens, args, 3, err);
		}
		return hmx_err_set(err, HMX_EINVAL,
				   "no screen \"%s\" to open (known: audit, review, match, transfers)",
				   opt->open_screen);
	}
	return shell_run(s, opt, screens, args, opt->open_cycle ? 2 : 1, err);
}

/* The match screen of an mcp-match cycle, or why not. */
bool scr_open_match(struct tui *t, const struct cycle_info *ci)
{
	if (strcmp(ci->kind, "mcp-match") != 0) {
		tui_message(t, ROLE_WARNING, "Match: %s is a %s cycle; the match screen is for mcp-match",
			    ci->code, ci->kind);
		return false;
	}
	tui_push(t, &match_screen, ci->code);
	return true;
}

enum tui_role scr_due_text(cal_day deadline, enum due_status due, cal_day today, char *buf,
			   size_t n)
{
	int days = deadline == CAL_NO_DAY ? 0 : (int)(deadline - today);

	switch (due) {
	case DUE_NONE:
		snprintf(buf, n, "no deadline");
		return ROLE_DIM;
	case DUE_MET:
		snprintf(buf, n, "%s", "");
		return ROLE_DIM;
	case DUE_OVERDUE:
		snprintf(buf, n, "OVERDUE %d day%s", -days, days == -1 ? "" : "s");
		return ROLE_OVERDUE;
	case DUE_TODAY:
		snprintf(buf, n, "due today");
		return ROLE_WARNING;
	case DUE_SOON:
		snprintf(buf, n, "%d day%s left", days, days == 1 ? "" : "s");
		return ROLE_WARNING;
	case DUE_LATER:
		snprintf(buf, n, "%d days left", days);
		return ROLE_NORMAL;
	}
	buf[0] = '\0';
	return ROLE_NORMAL;
}

const struct map_row *scr_map_other(const struct map_view *v, size_t self, const char *project)
{
	for (size_t i = 0; i < v->nrows; i++)
		if (i != self && v->rows[i].state == MAP_MAPPED &&
		    strcmp(v->rows[i].project, project) == 0)
			return &v->rows[i];
	return NULL;
}

void scr_map_done(struct tui *t, const char *what, const struct map_tick *ticks, size_t n)
{
	if (n == 1)
		tui_message(t, ROLE_OK, "%s; %s: %s %s %s", what, ticks[0].step,
			    step_state_name(ticks[0].from), theme_glyph(GLYPH_ARROW),
			    step_state_name(ticks[0].to));
	else if (n > 1)
		tui_message(t, ROLE_OK, "%s; %zu checklist sub-items updated", what, n);
	else
		tui_message(t, ROLE_OK, "%s", what);
}

enum tui_role scr_review_role(enum review_state st)
{
	switch (st) {
	case RV_OPEN:
	case RV_REJECTED:
		return ROLE_WARNING;
	case RV_FIX_PROPOSED:
		return ROLE_HEADER;
	case RV_APPROVED:
	case RV_RESOLVED:
		return ROLE_OK;
	default:
		return ROLE_DIM;
	}
}

#define SCR_RD_LINES 400

void scr_review_detail(struct tui *t, const struct review_item *it)
{
	struct review_decision *d = NULL;
	size_t nd = 0, n = 0;
	struct hmx_err err;
	struct rawrow row;
	char (*text)[640] = calloc(SCR_RD_LINES, sizeof *text);
	const char **lines = calloc(SCR_RD_LINES, sizeof *lines);
	char title[96];

	hmx_err_clear(&err);
	if (!text || !lines) {
		tui_message(t, ROLE_BLOCKING, "Out of memory");
		goto out;
	}
	if (review_history(tui_store(t), it->id, &d, &nd, &err) != HMX_OK) {
		tui_error(t, "History", &err);
		goto out;
	}
#define L(...)                                                                   \
	do {                                                                     \
		if (n < SCR_RD_LINES) {                                          \
			snprintf(text[n], sizeof text[n], __VA_ARGS__);          \
			lines[n] = text[n];                                      \
			n++;                                                     \
		}                                                                \
	} while (0)
	L("Cycle:    %s", it->cycle);
	L("Check:    %s (%s)%s%s", it->check, review_sev_name(it->severity),
	  it->detail[0] ? ", " : "", it->detail);
	L("File:     %s, line %lld (%lld occurrence%s in run %lld)", it->file, (long long)it->line,
	  (long long)it->occurrences, it->occurrences == 1 ? "" : "s", (long long)it->last_run);
	L("Key:      %s", it->key[0] ? it->key : "-");
	L("Column:   %s", it->column[0] ? it->column : "-");
	L("Project:  %s%s%s (ProjectID %s)", it->project[0] ? it->project : "none",
	  it->agency[0] ? ", agency " : "", it->agency,
	  it->source_project[0] ? it->source_project : "-");
	L("State:    %s%s%s (version %lld)", review_state_name(it->state),
	  it->reviewer[0] ? ", assigned to " : "", it->reviewer, (long long)it->version);
	L("Fix:      %s", it->fix[0] ? it->fix : "(none proposed)");
	L("%s", "");
	L("History (oldest first):");
	if (!nd)
		L("  (no decision yet)");
	for (size_t i = 0; i < nd; i++)
		L("  %.16s %-10s %-8s %-8s %s %s %s%s%s", d[i].at, d[i].who, d[i].role,
		  review_action_name(d[i].action), review_state_name(d[i].from),
		  theme_glyph(GLYPH_ARROW), review_state_name(d[i].to), d[i].text[0] ? ": " : "",
		  d[i].text);
	L("%s", "");
	if (rawrow_of_item(tui_store(t), it->id, &row, &err) == HMX_OK) {
		L("Record at line %lld of %s (IDs, codes, dates; %zu column%s hidden: client data, "
		  "free text; empty ones left out):", (long long)row.line, row.file, row.hidden,
		  row.hidden == 1 ? "" : "s");
		for (size_t i = 0; i < row.nfields; i++)
			L("  %-28s %s", row.fields[i].name, row.fields[i].value);
		rawrow_free(&row);
	} else {
		L("Record: %s", err.msg);
	}
	hmx_err_clear(&err);
#undef L
	snprintf(title, sizeof title, "Finding #%lld", (long long)it->id);
	tui_pager(t, title, lines, n);
out:
	free(d);
	free(lines);
	free(text);
}
