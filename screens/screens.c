/* screens/screens.c — the entry point main.c calls (tui_run: which screens
 * the shell starts on) and helpers shared by the screens. */
#include "screens/screens.h"

#include <stdio.h>
#include <string.h>

#include "tui/tui.h"

enum hmx_rc tui_run(struct store *s, const struct tui_options *opt, struct hmx_err *err)
{
	const struct screen_ops *screens[] = { &dashboard_screen, &checklist_screen, NULL };
	const char *args[] = { NULL, opt->open_cycle, opt->open_cycle };

	if (opt->open_screen) {
		if (strcmp(opt->open_screen, "audit") == 0) {
			screens[1] = &audit_screen;
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
		return hmx_err_set(err, HMX_EINVAL, "no screen \"%s\" to open (known: audit, match)",
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
