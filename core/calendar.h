/* core/calendar.h — dates, fiscal periods and deadline rules.
 *
 * A date is a day number (days since 1970-01-01, proleptic Gregorian), so
 * arithmetic is plain integer arithmetic. Periods are named by fiscal year,
 * where a fiscal year is named after the calendar year in which it ENDS
 * (with a July start, FY2026 runs 2025-07-01 .. 2026-06-30):
 *   2026Q3  third fiscal quarter of FY2026        (Jan-Mar 2026, July start)
 *   2026B4  fourth bi-monthly period of FY2026    (Jan-Feb 2026, July start)
 *   FY2026  the whole fiscal year
 * With a January start fiscal and calendar years coincide.
 * Deadline rules are strings:
 *   end+N / end-N / end   N days after (before) the period's last day
 *   start+N / start        N days after the period's first day
 *   date:MM-DD             the first MM-DD on or after the period's last day
 *   none                   no deadline
 * Nothing here touches the database or prints. */
#ifndef HMX_CORE_CALENDAR_H
#define HMX_CORE_CALENDAR_H

#include "hmx.h"

typedef int32_t cal_day;

#define CAL_NO_DAY INT32_MIN

/* Day number of a civil date; month 1-12, day 1-31 (not range-checked). */
cal_day cal_from_ymd(int y, int m, int d);
void cal_to_ymd(cal_day day, int *y, int *m, int *d);
/* True when y-m-d is a real calendar day. */
bool cal_valid_ymd(int y, int m, int d);
/* Parses exactly "YYYY-MM-DD" (a real day); false otherwise. */
bool cal_parse_date(const char *s, cal_day *out);
/* Writes "YYYY-MM-DD" into buf (at least 11 bytes); returns buf. */
char *cal_format(cal_day day, char buf[static 11]);
/* Today: HMX_TODAY=YYYY-MM-DD when set and valid, else the local date. */
cal_day cal_today(void);

enum cal_period_kind { CAL_QUARTER, CAL_BIMONTH, CAL_YEAR };

struct cal_period {
	enum cal_period_kind kind;
	int fy;           /* fiscal year, named by the year it ends in */
	int n;            /* 1-4 quarters, 1-6 bi-months, 1 for a year */
	int start_month;  /* fiscal-year start month used, 1-12 */
	cal_day start;    /* first day */
	cal_day end;      /* last day, inclusive */
	char name[16];    /* canonical name: 2026Q3, 2026B4, FY2026 */
};

/* Parses a period name (case-insensitive: 2026Q3, 2026b4, FY2026, fy2026)
 * for the given fiscal-year start month (1-12). HMX_EINVAL with a message
 * naming the accepted forms on bad input. */
enum hmx_rc cal_period_parse(const char *name, int fy_start_month, struct cal_period *out,
			     struct hmx_err *err);
/* The period of the given kind that contains day. */
void cal_period_containing(cal_day day, enum cal_period_kind kind, int fy_start_month,
			   struct cal_period *out);
/* The period right after / before p (same kind and start month). */
void cal_period_next(const struct cal_period *p, struct cal_period *out);
void cal_period_prev(const struct cal_period *p, struct cal_period *out);
/* Name of a kind: "quarter", "bi-month", "year". */
const char *cal_period_kind_name(enum cal_period_kind kind);

/* Evaluates a deadline rule (see top of file) for period p. Sets *out to the
 * deadline day, or CAL_NO_DAY for "none". HMX_EINVAL on a malformed rule. */
enum hmx_rc cal_deadline(const char *rule, const struct cal_period *p, cal_day *out,
			 struct hmx_err *err);
/* True when rule is well formed. */
bool cal_rule_valid(const char *rule);

#endif
