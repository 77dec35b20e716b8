/* core/calendar.c — day numbers, fiscal periods and deadline rules.
 *
 * Day numbers are converted to and from civil dates with the classic
 * era-based algorithm (400-year eras of 146097 days, years counted from
 * March so the leap day falls at the end). A fiscal period is built from
 * (kind, fiscal year, number, start month) by one function, period_make();
 * parsing, "containing", next and prev all go through it, so they agree. */
#include "calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define YEAR_MIN 1900   /* accepted range of years in period names */
#define YEAR_MAX 2999
#define RULE_N_MAX 3660 /* largest N in end+N, end-N, start+N */

/* Days from 0000-03-01 to 1970-01-01. */
#define EPOCH_SHIFT 719468
#define DAYS_PER_ERA 146097 /* 400 Gregorian years */

static const char period_forms[] = "use YYYYQn (n 1-4), YYYYBn (n 1-6) or FYYYYY";
static const char rule_forms[] =
	"use end, end+N, end-N, start, start+N (N 0-3660), date:MM-DD or none";

/* Floor division for a possibly negative numerator and a positive divisor. */
static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

cal_day cal_from_ymd(int y, int m, int d)
{
	int64_t yy = (int64_t)y - (m <= 2); /* the year starts in March */
	int64_t era = floor_div(yy, 400);
	int64_t yoe = yy - era * 400;                              /* 0..399 */
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365 */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;       /* 0..146096 */

	return (cal_day)(era * DAYS_PER_ERA + doe - EPOCH_SHIFT);
}

void cal_to_ymd(cal_day day, int *y, int *m, int *d)
{
	int64_t z = (int64_t)day + EPOCH_SHIFT;
	int64_t era = floor_div(z, DAYS_PER_ERA);
	int64_t doe = z - era * DAYS_PER_ERA;                                   /* 0..146096 */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                  /* 0..365 */
	int64_t mp = (5 * doy + 2) / 153;                                       /* 0 = March */
	int mm = (int)(mp < 10 ? mp + 3 : mp - 9);

	*y = (int)(yoe + era * 400 + (mm <= 2));
	*m = mm;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

bool cal_valid_ymd(int y, int m, int d)
{
	return m >= 1 && m <= 12 && d >= 1 && d <= month_days(y, m);
}

/* Reads exactly n ASCII digits from s into *out; false if any is not one. */
static bool read_digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool cal_parse_date(const char *s, cal_day *out)
{
	int y, m, d;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	if (!read_digits(s, 4, &y) || !read_digits(s + 5, 2, &m) || !read_digits(s + 8, 2, &d))
		return false;
	if (!cal_valid_ymd(y, m, d))
		return false;
	*out = cal_from_ymd(y, m, d);
	return true;
}

char *cal_format(cal_day day, char buf[static 11])
{
	int y, m, d;

	/* Not promised by the header, but a deadline of "none" is the common
	 * case of formatting the sentinel; say so rather than print year
	 * -5877641. Years beyond 0..9999 are cut to fit buf. */
	if (day == CAL_NO_DAY) {
		memcpy(buf, "none", 5);
		return buf;
	}
	cal_to_ymd(day, &y, &m, &d);
	snprintf(buf, 11, "%04d-%02d-%02d", y, m, d);
	return buf;
}

cal_day cal_today(void)
{
	const char *fixed = getenv("HMX_TODAY");
	cal_day day;
	time_t t;
	struct tm tm;

	if (fixed && cal_parse_date(fixed, &day))
		return day;
	t = time(NULL);
	if (!localtime_r(&t, &tm))
		return (cal_day)floor_div((int64_t)t, 86400); /* UTC as a last resort */
	return cal_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Length in months of one period of a kind, and how many make a year. */
static int kind_months(enum cal_period_kind kind)
{
	switch (kind) {
	case CAL_QUARTER: return 3;
	case CAL_BIMONTH: return 2;
	case CAL_YEAR: return 12;
	}
	return 12;
}

static int kind_count(enum cal_period_kind kind)
{
	return 12 / kind_months(kind);
}

/* The start month is validated by the caller (config, cal_period_parse);
 * a value out of range here is taken as January so the result is still a
 * well-formed period rather than garbage. */
static int norm_start(int fy_start_month)
{
	return fy_start_month >= 1 && fy_start_month <= 12 ? fy_start_month : 1;
}

/* Day number of the first day of month index mi, counted from January of
 * year 0 (so mi = 12 * y + m - 1); works for indexes past December. */
static cal_day month_index_start(int64_t mi)
{
	int64_t y = floor_div(mi, 12);

	return cal_from_ymd((int)y, (int)(mi - y * 12) + 1, 1);
}

/* Fills *out for period n of fiscal year fy. A fiscal year starting in
 * month S > 1 begins in calendar year fy - 1; with S = 1 it is year fy. */
static void period_make(enum cal_period_kind kind, int fy, int n, int start_month,
			struct cal_period *out)
{
	int len = kind_months(kind);
	int64_t first = 12 * (int64_t)(start_month == 1 ? fy : fy - 1) + (start_month - 1) +
			(int64_t)(n - 1) * len;

	memset(out, 0, sizeof *out);
	out->kind = kind;
	out->fy = fy;
	out->n = n;
	out->start_month = start_month;
	out->start = month_index_start(first);
	out->end = month_index_start(first + len) - 1;
	switch (kind) {
	case CAL_QUARTER:
		snprintf(out->name, sizeof out->name, "%dQ%d", fy, n);
		break;
	case CAL_BIMONTH:
		snprintf(out->name, sizeof out->name, "%dB%d", fy, n);
		break;
	case CAL_YEAR:
		snprintf(out->name, sizeof out->name, "FY%d", fy);
		break;
	}
}

enum hmx_rc cal_period_parse(const char *name, int fy_start_month, struct cal_period *out,
			     struct hmx_err *err)
{
	enum cal_period_kind kind;
	int fy, n = 1;
	const char *s = name;

	if (fy_start_month < 1 || fy_start_month > 12)
		return hmx_err_set(err, HMX_EINVAL,
				   "bad fiscal-year start month %d: use 1-12", fy_start_month);
	if (!s)
		s = "";
	/* FYyyyy: 6 chars; yyyyQn / yyyyBn: 6 chars. The length check first
	 * makes the fixed-offset reads below safe and rejects trailing junk. */
	if (strlen(s) != 6)
		goto bad;
	if ((s[0] == 'F' || s[0] == 'f') && (s[1] == 'Y' || s[1] == 'y')) {
		if (!read_digits(s + 2, 4, &fy))
			goto bad;
		kind = CAL_YEAR;
	} else {
		if (!read_digits(s, 4, &fy) || !read_digits(s + 5, 1, &n))
			goto bad;
		if (s[4] == 'Q' || s[4] == 'q')
			kind = CAL_QUARTER;
		else if (s[4] == 'B' || s[4] == 'b')
			kind = CAL_BIMONTH;
		else
			goto bad;
		if (n < 1 || n > kind_count(kind))
			goto bad;
	}
	if (fy < YEAR_MIN || fy > YEAR_MAX)
		goto bad;
	period_make(kind, fy, n, fy_start_month, out);
	return HMX_OK;
bad:
	/* %.40s: the name is user input; keep the message one short line */
	return hmx_err_set(err, HMX_EINVAL, "bad period \"%.40s\": %s", s, period_forms);
}

void cal_period_containing(cal_day day, enum cal_period_kind kind, int fy_start_month,
			   struct cal_period *out)
{
	int start = norm_start(fy_start_month);
	int y, m, d, off, fy;

	cal_to_ymd(day, &y, &m, &d);
	off = (m - start + 12) % 12; /* months since the fiscal year began */
	/* months from the start month on belong to the fiscal year that ends
	 * next calendar year, unless the year starts in January */
	fy = (start > 1 && m >= start) ? y + 1 : y;
	period_make(kind, fy, off / kind_months(kind) + 1, start, out);
}

void cal_period_next(const struct cal_period *p, struct cal_period *out)
{
	int count = kind_count(p->kind);
	int n = p->n < 1 || p->n > count ? 1 : p->n; /* tolerate a hand-filled p */

	if (n == count)
		period_make(p->kind, p->fy + 1, 1, norm_start(p->start_month), out);
	else
		period_make(p->kind, p->fy, n + 1, norm_start(p->start_month), out);
}

void cal_period_prev(const struct cal_period *p, struct cal_period *out)
{
	int count = kind_count(p->kind);
	int n = p->n < 1 || p->n > count ? 1 : p->n;

	if (n == 1)
		period_make(p->kind, p->fy - 1, count, norm_start(p->start_month), out);
	else
		period_make(p->kind, p->fy, n - 1, norm_start(p->start_month), out);
}

const char *cal_period_kind_name(enum cal_period_kind kind)
{
	switch (kind) {
	case CAL_QUARTER: return "quarter";
	case CAL_BIMONTH: return "bi-month";
	case CAL_YEAR: return "year";
	}
	return "unknown";
}

/* Reads N of a rule: 1 to 4 digits, nothing after, value 0..RULE_N_MAX. */
static bool read_rule_n(const char *s, int *out)
{
	size_t len = strlen(s);

	if (len < 1 || len > 4 || !read_digits(s, (int)len, out))
		return false;
	return *out <= RULE_N_MAX;
}

/* A parsed rule: day = base + offset, or the first month-day on or after
 * the end (DATE), or no deadline (NONE). */
enum rule_kind { RULE_NONE, RULE_END, RULE_START, RULE_DATE };

struct rule {
	enum rule_kind kind;
	int offset;   /* RULE_END, RULE_START */
	int mon, day; /* RULE_DATE */
};

/* Parses a rule; on failure sets err and returns HMX_EINVAL. Rules are
 * matched exactly (lower case, no spaces): they are stored text, and one
 * spelling keeps them comparable. */
static enum hmx_rc rule_parse(const char *rule, struct rule *r, struct hmx_err *err)
{
	const char *s = rule ? rule : "";

	memset(r, 0, sizeof *r);
	if (strcmp(s, "none") == 0) {
		r->kind = RULE_NONE;
		return HMX_OK;
	}
	if (strcmp(s, "end") == 0 || strcmp(s, "start") == 0) {
		r->kind = s[0] == 'e' ? RULE_END : RULE_START;
		return HMX_OK;
	}
	if (strncmp(s, "end+", 4) == 0 || strncmp(s, "end-", 4) == 0) {
		if (!read_rule_n(s + 4, &r->offset))
			goto bad;
		r->kind = RULE_END;
		if (s[3] == '-')
			r->offset = -r->offset;
		return HMX_OK;
	}
	if (strncmp(s, "start+", 6) == 0) {
		if (!read_rule_n(s + 6, &r->offset))
			goto bad;
		r->kind = RULE_START;
		return HMX_OK;
	}
	if (strncmp(s, "date:", 5) == 0) {
		const char *md = s + 5;

		if (strlen(md) != 5 || md[2] != '-' || !read_digits(md, 2, &r->mon) ||
		    !read_digits(md + 3, 2, &r->day))
			goto bad;
		/* Feb 29 is refused: "the first Feb 29 on or after" could lie up
		 * to eight years ahead, which no one means. 2001 is a common year,
		 * so this accepts exactly the month-days every year has. */
		if (r->mon == 2 && r->day == 29)
			return hmx_err_set(err, HMX_EINVAL,
					   "bad deadline rule \"%s\": Feb 29 is not in every year; "
					   "use date:02-28 or date:03-01", s);
		if (!cal_valid_ymd(2001, r->mon, r->day))
			goto bad;
		r->kind = RULE_DATE;
		return HMX_OK;
	}
bad:
	return hmx_err_set(err, HMX_EINVAL, "bad deadline rule \"%.40s\": %s", s, rule_forms);
}

enum hmx_rc cal_deadline(const char *rule, const struct cal_period *p, cal_day *out,
			 struct hmx_err *err)
{
	struct rule r;
	enum hmx_rc rc = rule_parse(rule, &r, err);
	int y, m, d;
	cal_day day;

	if (rc != HMX_OK)
		return rc;
	switch (r.kind) {
	case RULE_NONE:
		*out = CAL_NO_DAY;
		break;
	case RULE_END:
		*out = p->end + r.offset;
		break;
	case RULE_START:
		*out = p->start + r.offset;
		break;
	case RULE_DATE:
		cal_to_ymd(p->end, &y, &m, &d);
		day = cal_from_ymd(y, r.mon, r.day);
		*out = day >= p->end ? day : cal_from_ymd(y + 1, r.mon, r.day);
		break;
	}
	return HMX_OK;
}

bool cal_rule_valid(const char *rule)
{
	struct rule r;

	return rule_parse(rule, &r, NULL) == HMX_OK;
}
