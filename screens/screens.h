/* screens/screens.h — the screens of hmx (one file each) and the few
 * helpers they share. Screens talk to core/ headers and to the shell
 * (tui/shell.h) only. */
#ifndef HMX_SCREENS_SCREENS_H
#define HMX_SCREENS_SCREENS_H

#include "core/cycle.h"
#include "tui/shell.h"

/* Open cycles with their next step and deadline, upcoming periods. */
extern const struct screen_ops dashboard_screen;
/* The steps of one cycle; open() takes the cycle code. */
extern const struct screen_ops checklist_screen;

/* Writes how a deadline stands today into buf: "3 days left",
 * "1 day left", "due today", "OVERDUE 12 days", "no deadline", or "" for
 * a closed step (DUE_MET). Returns the role to show it in; the words carry
 * the meaning without colour. */
enum tui_role scr_due_text(cal_day deadline, enum due_status due, cal_day today, char *buf,
			   size_t n);

#endif
