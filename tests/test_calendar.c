/* tests/test_calendar.c — unit tests of core/calendar: day numbers against
 * libc's gmtime, date parsing, fiscal periods for several fiscal-year
 * starts (names, boundaries, leap years, year ends), deadline rules with
 * exact expected dates, and rejection of bad period names and rules. */
#include "testutil.h"

#include <time.h>

#include "core/calendar.h"

/* Day number of a "YYYY-MM-DD" literal; the literal must be valid. */
static cal_day D(const char *s)
{
	cal_day day = CAL_NO_DAY;

	assert_true(cal_parse_date(s, &day));
	return day;
}

static void assert_day(cal_day got, const char *want)
{
	char buf[11];

	assert_string_equal(cal_format(got, buf), want);
}

static void assert_period(const struct cal_period *p, enum cal_period_kind kind, int fy, int n,
			  int start_month, const char *name, const char *start, const char *end)
{
	assert_int_equal(p->kind, kind);
	assert_int_equal(p->fy, fy);
	assert_int_equal(p->n, n);
	assert_int_equal(p->start_month, start_month);
	assert_string_equal(p->name, name);
	assert_day(p->start, start);
	assert_day(p->end, end);
}

static void assert_same_period(const struct cal_period *a, const struct cal_period *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->fy, b->fy);
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->start_month, b->start_month);
	assert_int_equal(a->start, b->start);
	assert_int_equal(a->end, b->end);
	assert_string_equal(a->name, b->name);
}

/* Parses name for start month sm and checks every field. */
static void check_period(const char *name, int sm, enum cal_period_kind kind, int fy, int n,
			 const char *canon, const char *start, const char *end)
{
	struct cal_period p;
	struct hmx_err err;

	hmx_err_clear(&err);
	assert_int_equal(cal_period_parse(name, sm, &p, &err), HMX_OK);
	assert_period(&p, kind, fy, n, sm, canon, start, end);
}

/* Deadline of rule for the period name (start month sm), as text. */
static void check_deadline(const char *name, int sm, const char *rule, const char *want)
{
	struct cal_period p;
	struct hmx_err err;
	cal_day day = 0;

	assert_int_equal(cal_period_parse(name, sm, &p, &err), HMX_OK);
	assert_int_equal(cal_deadline(rule, &p, &day, &err), HMX_OK);
	assert_true(cal_rule_valid(rule));
	assert_day(day, want);
}

/* ---- day numbers and dates ---- */

static void test_epoch_and_known_days(void **state)
{
	int y, m, d;

	(void)state;
	assert_int_equal(cal_from_ymd(1970, 1, 1), 0);
	assert_int_equal(cal_from_ymd(1969, 12, 31), -1);
	assert_int_equal(cal_from_ymd(2000, 3, 1), 11017);
	assert_int_equal(cal_from_ymd(2024, 2, 29), 19782);
	assert_int_equal(cal_from_ymd(1900, 1, 1), -25567);
	assert_int_equal(cal_from_ymd(1, 1, 1), -719162);
	assert_int_equal(cal_from_ymd(9999, 12, 31), 2932896);
	cal_to_ymd(-719162, &y, &m, &d);
	assert_int_equal(y, 1);
	assert_int_equal(m, 1);
	assert_int_equal(d, 1);
	cal_to_ymd(19782, &y, &m, &d);
	assert_int_equal(y, 2024);
	assert_int_equal(m, 2);
	assert_int_equal(d, 29);
}

/* Every day from 1696 to 2243 against gmtime_r, and the round trip. */
static void test_days_match_gmtime(void **state)
{
	(void)state;
	for (cal_day day = -100000; day <= 100000; day++) {
		time_t t = (time_t)day * 86400;
		struct tm tm;
		int y, m, d;

		assert_non_null(gmtime_r(&t, &tm));
		cal_to_ymd(day, &y, &m, &d);
		if (y != tm.tm_year + 1900 || m != tm.tm_mon + 1 || d != tm.tm_mday)
			fail_msg("day %d: got %d-%d-%d", (int)day, y, m, d);
		if (cal_from_ymd(y, m, d) != day)
			fail_msg("day %d does not round-trip", (int)day);
	}
}

static void test_valid_ymd(void **state)
{
	(void)state;
	assert_true(cal_valid_ymd(2024, 2, 29));
	assert_true(cal_valid_ymd(2000, 2, 29));
	assert_false(cal_valid_ymd(2023, 2, 29));
	assert_false(cal_valid_ymd(1900, 2, 29));
	assert_false(cal_valid_ymd(2100, 2, 29));
	assert_true(cal_valid_ymd(2026, 12, 31));
	assert_false(cal_valid_ymd(2026, 4, 31));
	assert_false(cal_valid_ymd(2026, 0, 1));
	assert_false(cal_valid_ymd(2026, 13, 1));
	assert_false(cal_valid_ymd(2026, 1, 0));
	assert_false(cal_valid_ymd(2026, 1, 32));
}

static void test_parse_date(void **state)
{
	static const char *bad[] = {
		"2023-02-29", "1900-02-29", "2100-02-29", "2026-02-30", "2026-04-31",
		"2026-13-01", "2026-00-10", "2026-01-00", "2026-01-32", "2026-4-01",
		"2026-04-1", "26-04-01", "20260401", "2026/04/01", "2026-04-01 ",
		" 2026-04-01", "2026-04-01x", "2026-04-0x", "+026-04-01", "2026-0a-01",
		"", "2026-04-01T00:00",
	};
	cal_day day = 12345;

	(void)state;
	assert_true(cal_parse_date("2024-02-29", &day));
	assert_int_equal(day, 19782);
	assert_true(cal_parse_date("2000-02-29", &day));
	assert_int_equal(day, 11016);
	assert_true(cal_parse_date("1970-01-01", &day));
	assert_int_equal(day, 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		day = 12345;
		if (cal_parse_date(bad[i], &day))
			fail_msg("accepted bad date \"%s\"", bad[i]);
		assert_int_equal(day, 12345); /* untouched on failure */
	}
	assert_false(cal_parse_date(NULL, &day));
}

static void test_format(void **state)
{
	char buf[11];

	(void)state;
	assert_string_equal(cal_format(0, buf), "1970-01-01");
	assert_string_equal(cal_format(-1, buf), "1969-12-31");
	assert_string_equal(cal_format(19782, buf), "2024-02-29");
	assert_string_equal(cal_format(cal_from_ymd(1, 1, 1), buf), "0001-01-01");
	assert_string_equal(cal_format(CAL_NO_DAY, buf), "none");
	/* out-of-range years must not overflow buf */
	assert_true(strlen(cal_format(cal_from_ymd(12345, 6, 7), buf)) <= 10);
	assert_true(strlen(cal_format(INT32_MAX, buf)) <= 10);
	assert_true(strlen(cal_format(INT32_MIN + 1, buf)) <= 10);
}

static void test_today(void **state)
{
	cal_day before, got, after;
	time_t t;
	struct tm tm;

	(void)state;
	assert_int_equal(setenv("HMX_TODAY", "2026-04-07", 1), 0);
	assert_day(cal_today(), "2026-04-07");

	/* invalid override: falls back to the local date */
	assert_int_equal(setenv("HMX_TODAY", "2026-02-30", 1), 0);
	t = time(NULL);
	assert_non_null(localtime_r(&t, &tm));
	before = cal_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	got = cal_today();
	t = time(NULL);
	assert_non_null(localtime_r(&t, &tm));
	after = cal_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	assert_true(got == before || got == after); /* midnight may pass */

	assert_int_equal(unsetenv("HMX_TODAY"), 0);
	got = cal_today();
	assert_true(got >= before && got <= after + 1);
}

/* ---- periods ---- */

static void test_periods_july(void **state)
{
	(void)state;
	check_period("FY2026", 7, CAL_YEAR, 2026, 1, "FY2026", "2025-07-01", "2026-06-30");
	check_period("2026Q1", 7, CAL_QUARTER, 2026, 1, "2026Q1", "2025-07-01", "2025-09-30");
	check_period("2026Q2", 7, CAL_QUARTER, 2026, 2, "2026Q2", "2025-10-01", "2025-12-31");
	check_period("2026Q3", 7, CAL_QUARTER, 2026, 3, "2026Q3", "2026-01-01", "2026-03-31");
	check_period("2026Q4", 7, CAL_QUARTER, 2026, 4, "2026Q4", "2026-04-01", "2026-06-30");
	check_period("2026B1", 7, CAL_BIMONTH, 2026, 1, "2026B1", "2025-07-01", "2025-08-31");
	check_period("2026B2", 7, CAL_BIMONTH, 2026, 2, "2026B2", "2025-09-01", "2025-10-31");
	check_period("2026B3", 7, CAL_BIMONTH, 2026, 3, "2026B3", "2025-11-01", "2025-12-31");
	check_period("2026B4", 7, CAL_BIMONTH, 2026, 4, "2026B4", "2026-01-01", "2026-02-28");
	check_period("2026B5", 7, CAL_BIMONTH, 2026, 5, "2026B5", "2026-03-01", "2026-04-30");
	check_period("2026B6", 7, CAL_BIMONTH, 2026, 6, "2026B6", "2026-05-01", "2026-06-30");
	/* leap years */
	check_period("2024B4", 7, CAL_BIMONTH, 2024, 4, "2024B4", "2024-01-01", "2024-02-29");
	check_period("2000B4", 7, CAL_BIMONTH, 2000, 4, "2000B4", "2000-01-01", "2000-02-29");
	check_period("1900B4", 7, CAL_BIMONTH, 1900, 4, "1900B4", "1900-01-01", "1900-02-28");
	check_period("FY2024", 7, CAL_YEAR, 2024, 1, "FY2024", "2023-07-01", "2024-06-30");
}

static void test_periods_october(void **state)
{
	(void)state;
	check_period("FY2026", 10, CAL_YEAR, 2026, 1, "FY2026", "2025-10-01", "2026-09-30");
	check_period("2026Q1", 10, CAL_QUARTER, 2026, 1, "2026Q1", "2025-10-01", "2025-12-31");
	check_period("2026Q2", 10, CAL_QUARTER, 2026, 2, "2026Q2", "2026-01-01", "2026-03-31");
	check_period("2026Q3", 10, CAL_QUARTER, 2026, 3, "2026Q3", "2026-04-01", "2026-06-30");
	check_period("2026Q4", 10, CAL_QUARTER, 2026, 4, "2026Q4", "2026-07-01", "2026-09-30");
	check_period("2026B1", 10, CAL_BIMONTH, 2026, 1, "2026B1", "2025-10-01", "2025-11-30");
	/* a bi-month that straddles the calendar year end */
	check_period("2026B2", 10, CAL_BIMONTH, 2026, 2, "2026B2", "2025-12-01", "2026-01-31");
	check_period("2026B3", 10, CAL_BIMONTH, 2026, 3, "2026B3", "2026-02-01", "2026-03-31");
	check_period("2026B4", 10, CAL_BIMONTH, 2026, 4, "2026B4", "2026-04-01", "2026-05-31");
	check_period("2026B5", 10, CAL_BIMONTH, 2026, 5, "2026B5", "2026-06-01", "2026-07-31");
	check_period("2026B6", 10, CAL_BIMONTH, 2026, 6, "2026B6", "2026-08-01", "2026-09-30");
	check_period("2024B3", 10, CAL_BIMONTH, 2024, 3, "2024B3", "2024-02-01", "2024-03-31");
	check_period("2024Q2", 10, CAL_QUARTER, 2024, 2, "2024Q2", "2024-01-01", "2024-03-31");
}

static void test_periods_january(void **state)
{
	(void)state;
	check_period("FY2026", 1, CAL_YEAR, 2026, 1, "FY2026", "2026-01-01", "2026-12-31");
	check_period("2026Q1", 1, CAL_QUARTER, 2026, 1, "2026Q1", "2026-01-01", "2026-03-31");
	check_period("2026Q2", 1, CAL_QUARTER, 2026, 2, "2026Q2", "2026-04-01", "2026-06-30");
	check_period("2026Q3", 1, CAL_QUARTER, 2026, 3, "2026Q3", "2026-07-01", "2026-09-30");
	check_period("2026Q4", 1, CAL_QUARTER, 2026, 4, "2026Q4", "2026-10-01", "2026-12-31");
	check_period("2026B1", 1, CAL_BIMONTH, 2026, 1, "2026B1", "2026-01-01", "2026-02-28");
	check_period("2026B6", 1, CAL_BIMONTH, 2026, 6, "2026B6", "2026-11-01", "2026-12-31");
	check_period("2024B1", 1, CAL_BIMONTH, 2024, 1, "2024B1", "2024-01-01", "2024-02-29");
	check_period("FY2024", 1, CAL_YEAR, 2024, 1, "FY2024", "2024-01-01", "2024-12-31");
}

static void test_periods_other_starts(void **state)
{
	(void)state;
	check_period("FY2026", 12, CAL_YEAR, 2026, 1, "FY2026", "2025-12-01", "2026-11-30");
	check_period("2026Q1", 12, CAL_QUARTER, 2026, 1, "2026Q1", "2025-12-01", "2026-02-28");
	check_period("2024Q1", 12, CAL_QUARTER, 2024, 1, "2024Q1", "2023-12-01", "2024-02-29");
	check_period("2026B6", 12, CAL_BIMONTH, 2026, 6, "2026B6", "2026-10-01", "2026-11-30");
	check_period("FY2026", 2, CAL_YEAR, 2026, 1, "FY2026", "2025-02-01", "2026-01-31");
	check_period("2026Q4", 2, CAL_QUARTER, 2026, 4, "2026Q4", "2025-11-01", "2026-01-31");
	check_period("2026B1", 2, CAL_BIMONTH, 2026, 1, "2026B1", "2025-02-01", "2025-03-31");
	check_period("2026Q2", 4, CAL_QUARTER, 2026, 2, "2026Q2", "2025-07-01", "2025-09-30");
}

static void test_period_names(void **state)
{
	(void)state;
	/* case-insensitive input, canonical output */
	check_period("2026q3", 7, CAL_QUARTER, 2026, 3, "2026Q3", "2026-01-01", "2026-03-31");
	check_period("2026b4", 7, CAL_BIMONTH, 2026, 4, "2026B4", "2026-01-01", "2026-02-28");
	check_period("fy2026", 7, CAL_YEAR, 2026, 1, "FY2026", "2025-07-01", "2026-06-30");
	check_period("Fy2026", 7, CAL_YEAR, 2026, 1, "FY2026", "2025-07-01", "2026-06-30");
	/* the ends of the accepted year range */
	check_period("1900Q1", 1, CAL_QUARTER, 1900, 1, "1900Q1", "1900-01-01", "1900-03-31");
	check_period("FY1900", 7, CAL_YEAR, 1900, 1, "FY1900", "1899-07-01", "1900-06-30");
	check_period("2999B6", 7, CAL_BIMONTH, 2999, 6, "2999B6", "2999-05-01", "2999-06-30");
	check_period("FY2999", 10, CAL_YEAR, 2999, 1, "FY2999", "2998-10-01", "2999-09-30");

	assert_string_equal(cal_period_kind_name(CAL_QUARTER), "quarter");
	assert_string_equal(cal_period_kind_name(CAL_BIMONTH), "bi-month");
	assert_string_equal(cal_period_kind_name(CAL_YEAR), "year");
}

static void test_period_bad_names(void **state)
{
	static const char *bad[] = {
		"2026Q0", "2026Q5", "2026Q9", "2026B0", "2026B7", "2026B9", "Q3", "B4", "2026",
		"FY", "FY26", "FY20266", "2026Q3x", "2026Q3 ", " 2026Q3", "2026Q", "2026B",
		"2026X3", "2026Y1", "1899Q1", "3000Q1", "FY1899", "FY3000", "0000Q1", "",
		"26Q3", "02026Q3", "2026-Q3", "FY 2026", "Y2026", "F2026", "FX2026", "2026QQ",
		"2026Q-1", "2026Q+1", "+026Q1", "202aQ1", "FY202a", "Q32026", "2026FY",
	};
	struct cal_period p;
	struct hmx_err err;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		hmx_err_clear(&err);
		if (cal_period_parse(bad[i], 7, &p, &err) != HMX_EINVAL)
			fail_msg("accepted bad period \"%s\"", bad[i]);
		assert_int_equal(err.rc, HMX_EINVAL);
		assert_non_null(strstr(err.msg, "YYYYQn (n 1-4), YYYYBn (n 1-6) or FYYYYY"));
		assert_null(strchr(err.msg, '\n'));
	}
	assert_int_equal(cal_period_parse("2026Q5", 7, &p, &err), HMX_EINVAL);
	assert_string_equal(err.msg,
			    "bad period \"2026Q5\": use YYYYQn (n 1-4), YYYYBn (n 1-6) or FYYYYY");
	assert_int_equal(cal_period_parse(NULL, 7, &p, &err), HMX_EINVAL);
	/* a bad start month is refused even with a good name */
	assert_int_equal(cal_period_parse("2026Q3", 0, &p, &err), HMX_EINVAL);
	assert_string_equal(err.msg, "bad fiscal-year start month 0: use 1-12");
	assert_int_equal(cal_period_parse("2026Q3", 13, &p, &err), HMX_EINVAL);
	/* err may be NULL */
	assert_int_equal(cal_period_parse("2026Q5", 7, &p, NULL), HMX_EINVAL);
}

static void test_containing_year_ends(void **state)
{
	struct cal_period p;

	(void)state;
	/* July start: the fiscal year turns over between June 30 and July 1 */
	cal_period_containing(D("2026-06-30"), CAL_QUARTER, 7, &p);
	assert_period(&p, CAL_QUARTER, 2026, 4, 7, "2026Q4", "2026-04-01", "2026-06-30");
	cal_period_containing(D("2026-07-01"), CAL_QUARTER, 7, &p);
	assert_period(&p, CAL_QUARTER, 2027, 1, 7, "2027Q1", "2026-07-01", "2026-09-30");
	cal_period_containing(D("2026-07-01"), CAL_YEAR, 7, &p);
	assert_period(&p, CAL_YEAR, 2027, 1, 7, "FY2027", "2026-07-01", "2027-06-30");
	cal_period_containing(D("2025-12-31"), CAL_BIMONTH, 7, &p);
	assert_period(&p, CAL_BIMONTH, 2026, 3, 7, "2026B3", "2025-11-01", "2025-12-31");
	cal_period_containing(D("2024-02-29"), CAL_BIMONTH, 7, &p);
	assert_period(&p, CAL_BIMONTH, 2024, 4, 7, "2024B4", "2024-01-01", "2024-02-29");
	/* October start */
	cal_period_containing(D("2025-09-30"), CAL_QUARTER, 10, &p);
	assert_period(&p, CAL_QUARTER, 2025, 4, 10, "2025Q4", "2025-07-01", "2025-09-30");
	cal_period_containing(D("2025-10-01"), CAL_QUARTER, 10, &p);
	assert_period(&p, CAL_QUARTER, 2026, 1, 10, "2026Q1", "2025-10-01", "2025-12-31");
	cal_period_containing(D("2026-01-15"), CAL_BIMONTH, 10, &p);
	assert_period(&p, CAL_BIMONTH, 2026, 2, 10, "2026B2", "2025-12-01", "2026-01-31");
	cal_period_containing(D("2025-12-01"), CAL_YEAR, 10, &p);
	assert_period(&p, CAL_YEAR, 2026, 1, 10, "FY2026", "2025-10-01", "2026-09-30");
	/* January start: fiscal year is the calendar year */
	cal_period_containing(D("2025-12-31"), CAL_QUARTER, 1, &p);
	assert_period(&p, CAL_QUARTER, 2025, 4, 1, "2025Q4", "2025-10-01", "2025-12-31");
	cal_period_containing(D("2026-01-01"), CAL_QUARTER, 1, &p);
	assert_period(&p, CAL_QUARTER, 2026, 1, 1, "2026Q1", "2026-01-01", "2026-03-31");
	cal_period_containing(D("2026-01-01"), CAL_YEAR, 1, &p);
	assert_period(&p, CAL_YEAR, 2026, 1, 1, "FY2026", "2026-01-01", "2026-12-31");
	/* December start */
	cal_period_containing(D("2025-12-01"), CAL_YEAR, 12, &p);
	assert_period(&p, CAL_YEAR, 2026, 1, 12, "FY2026", "2025-12-01", "2026-11-30");
	cal_period_containing(D("2025-11-30"), CAL_BIMONTH, 12, &p);
	assert_period(&p, CAL_BIMONTH, 2025, 6, 12, "2025B6", "2025-10-01", "2025-11-30");
}

static void test_next_prev(void **state)
{
	struct cal_period p, q;

	(void)state;
	assert_int_equal(cal_period_parse("2026Q4", 7, &p, NULL), HMX_OK);
	cal_period_next(&p, &q);
	assert_period(&q, CAL_QUARTER, 2027, 1, 7, "2027Q1", "2026-07-01", "2026-09-30");
	cal_period_prev(&q, &p);
	assert_period(&p, CAL_QUARTER, 2026, 4, 7, "2026Q4", "2026-04-01", "2026-06-30");

	assert_int_equal(cal_period_parse("2026B1", 7, &p, NULL), HMX_OK);
	cal_period_prev(&p, &q);
	assert_period(&q, CAL_BIMONTH, 2025, 6, 7, "2025B6", "2025-05-01", "2025-06-30");

	assert_int_equal(cal_period_parse("2026B1", 10, &p, NULL), HMX_OK);
	cal_period_next(&p, &q);
	assert_period(&q, CAL_BIMONTH, 2026, 2, 10, "2026B2", "2025-12-01", "2026-01-31");

	assert_int_equal(cal_period_parse("FY2026", 10, &p, NULL), HMX_OK);
	cal_period_next(&p, &q);
	assert_period(&q, CAL_YEAR, 2027, 1, 10, "FY2027", "2026-10-01", "2027-09-30");
	cal_period_prev(&p, &q);
	assert_period(&q, CAL_YEAR, 2025, 1, 10, "FY2025", "2024-10-01", "2025-09-30");

	assert_int_equal(cal_period_parse("2026Q4", 1, &p, NULL), HMX_OK);
	cal_period_next(&p, &q);
	assert_period(&q, CAL_QUARTER, 2027, 1, 1, "2027Q1", "2027-01-01", "2027-03-31");
}

/* Every day of 1999-2031, every start month, every kind: the containing
 * period holds the day, periods tile the timeline (the day after a period's
 * end is in next()), next/prev invert each other, and the name parses back
 * to the same period. */
static void test_consistency_sweep(void **state)
{
	static const enum cal_period_kind kinds[] = { CAL_QUARTER, CAL_BIMONTH, CAL_YEAR };
	cal_day first = D("1999-01-01"), last = D("2031-12-31");

	(void)state;
	for (int sm = 1; sm <= 12; sm++) {
		for (size_t k = 0; k < 3; k++) {
			struct cal_period p, q, r;
			int periods = 0;

			cal_period_containing(first, kinds[k], sm, &p);
			for (cal_day day = first; day <= last; day++) {
				if (day > p.end) {
					cal_period_next(&p, &q);
					p = q;
					periods++;
				}
				if (day < p.start || day > p.end)
					fail_msg("sm %d %s: day %d outside %s", sm, p.name, (int)day,
						 p.name);
				cal_period_containing(day, kinds[k], sm, &q);
				assert_same_period(&q, &p);
				if (day != p.start)
					continue;
				/* once per period */
				assert_true(p.end - p.start + 1 >= (kinds[k] == CAL_YEAR ? 365 :
								   kinds[k] == CAL_QUARTER ? 89 : 59));
				assert_true(p.end - p.start + 1 <= (kinds[k] == CAL_YEAR ? 366 :
								   kinds[k] == CAL_QUARTER ? 92 : 62));
				cal_period_prev(&p, &q);
				assert_int_equal(q.end, p.start - 1);
				cal_period_next(&q, &r);
				assert_same_period(&r, &p);
				cal_period_next(&p, &q);
				assert_int_equal(q.start, p.end + 1);
				cal_period_prev(&q, &r);
				assert_same_period(&r, &p);
				assert_int_equal(cal_period_parse(p.name, sm, &q, NULL), HMX_OK);
				assert_same_period(&q, &p);
			}
			/* 33 calendar years hold 132 quarters, 198 bi-months, 33
			 * years; one more is touched when periods do not start on
			 * January 1 (periods counts the steps between them) */
			if (kinds[k] == CAL_QUARTER)
				assert_int_equal(periods, 131 + ((sm - 1) % 3 != 0));
			else if (kinds[k] == CAL_BIMONTH)
				assert_int_equal(periods, 197 + ((sm - 1) % 2 != 0));
			else
				assert_int_equal(periods, 32 + (sm != 1));
		}
	}
}

/* ---- deadlines ---- */

/* The examples: end+7 of a quarter, a bi-month and a year, for
 * July and October starts. */
static void test_deadline_end_plus_7(void **state)
{
	(void)state;
	check_deadline("2026Q3", 7, "end+7", "2026-04-07");
	check_deadline("2026B4", 7, "end+7", "2026-03-07");
	check_deadline("FY2026", 7, "end+7", "2026-07-07");
	check_deadline("2026Q2", 7, "end+7", "2026-01-07");
	check_deadline("2024B4", 7, "end+7", "2024-03-07");

	check_deadline("2026Q1", 10, "end+7", "2026-01-07");
	check_deadline("2026B2", 10, "end+7", "2026-02-07");
	check_deadline("2026B3", 10, "end+7", "2026-04-07");
	check_deadline("FY2026", 10, "end+7", "2026-10-07");
	check_deadline("2026Q4", 10, "end+7", "2026-10-07");
}

static void test_deadline_rules(void **state)
{
	struct cal_period p;
	struct hmx_err err;
	cal_day day = 0;

	(void)state;
	/* July start, 2026Q3 = 2026-01-01 .. 2026-03-31 */
	check_deadline("2026Q3", 7, "end", "2026-03-31");
	check_deadline("2026Q3", 7, "end+0", "2026-03-31");
	check_deadline("2026Q3", 7, "end-0", "2026-03-31");
	check_deadline("2026Q3", 7, "end-10", "2026-03-21");
	check_deadline("2026Q3", 7, "end-31", "2026-02-28");
	check_deadline("2026Q3", 7, "end+30", "2026-04-30");
	check_deadline("2026Q3", 7, "end+007", "2026-04-07");
	check_deadline("2026Q3", 7, "end+3660", "2036-04-07");
	check_deadline("2026Q3", 7, "start", "2026-01-01");
	check_deadline("2026Q3", 7, "start+14", "2026-01-15");
	check_deadline("2026Q3", 7, "start+0", "2026-01-01");
	/* date:MM-DD: first such day on or after the last day */
	check_deadline("2026Q3", 7, "date:04-15", "2026-04-15");
	check_deadline("2026Q3", 7, "date:03-31", "2026-03-31");
	check_deadline("2026Q3", 7, "date:03-30", "2027-03-30");
	check_deadline("2026Q3", 7, "date:01-31", "2027-01-31");
	check_deadline("2026Q3", 7, "date:12-31", "2026-12-31");
	check_deadline("FY2026", 7, "date:10-31", "2026-10-31");
	check_deadline("2026Q1", 10, "date:01-15", "2026-01-15");
	check_deadline("2026Q1", 10, "date:12-31", "2025-12-31");
	check_deadline("2026B4", 7, "date:02-28", "2026-02-28");
	/* leap year: 2024B4 ends Feb 29, so Feb 28 is next year's */
	check_deadline("2024B4", 7, "date:02-28", "2025-02-28");
	check_deadline("2024B4", 7, "date:03-01", "2024-03-01");
	check_deadline("2024B4", 7, "end+1", "2024-03-01");

	assert_int_equal(cal_period_parse("2026Q3", 7, &p, NULL), HMX_OK);
	assert_int_equal(cal_deadline("none", &p, &day, &err), HMX_OK);
	assert_int_equal(day, CAL_NO_DAY);
	assert_true(cal_rule_valid("none"));
}

static void test_deadline_bad_rules(void **state)
{
	static const char *bad[] = {
		"", "END+7", "End", "NONE", "end+", "end-", "end+3661", "end-3661", "end+12345",
		"end+-1", "end-+1", "end++7", "end +7", " end", "end ", "end+7 ", "end+7x",
		"end+0x7", "end+00007", "endx", "end7", "start-1", "start-", "start+", "start+3661", "starts",
		"date:02-29", "date:2-28", "date:02-8", "date:13-01", "date:00-10", "date:04-31",
		"date:02-30", "date:06-00", "date:", "date:03-01x", "date:03/01", "date:0301",
		"date: 03-01", "DATE:03-01", "none ", "nothing", "later", "+7", "7",
	};
	struct cal_period p;
	struct hmx_err err;
	cal_day day;

	(void)state;
	assert_int_equal(cal_period_parse("2026Q3", 7, &p, NULL), HMX_OK);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		hmx_err_clear(&err);
		day = 42;
		if (cal_deadline(bad[i], &p, &day, &err) != HMX_EINVAL)
			fail_msg("accepted bad rule \"%s\"", bad[i]);
		assert_int_equal(err.rc, HMX_EINVAL);
		assert_int_equal(day, 42); /* untouched on failure */
		assert_null(strchr(err.msg, '\n'));
		if (cal_rule_valid(bad[i]))
			fail_msg("cal_rule_valid accepted \"%s\"", bad[i]);
	}
	assert_int_equal(cal_deadline("end+3661", &p, &day, &err), HMX_EINVAL);
	assert_string_equal(err.msg, "bad deadline rule \"end+3661\": use end, end+N, end-N, "
				     "start, start+N (N 0-3660), date:MM-DD or none");
	assert_int_equal(cal_deadline("date:02-29", &p, &day, &err), HMX_EINVAL);
	assert_string_equal(err.msg, "bad deadline rule \"date:02-29\": Feb 29 is not in every "
				     "year; use date:02-28 or date:03-01");
	assert_int_equal(cal_deadline(NULL, &p, &day, NULL), HMX_EINVAL);
	assert_false(cal_rule_valid(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epoch_and_known_days),
		cmocka_unit_test(test_days_match_gmtime),
		cmocka_unit_test(test_valid_ymd),
		cmocka_unit_test(test_parse_date),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_today),
		cmocka_unit_test(test_periods_july),
		cmocka_unit_test(test_periods_october),
		cmocka_unit_test(test_periods_january),
		cmocka_unit_test(test_periods_other_starts),
		cmocka_unit_test(test_period_names),
		cmocka_unit_test(test_period_bad_names),
		cmocka_unit_test(test_containing_year_ends),
		cmocka_unit_test(test_next_prev),
		cmocka_unit_test(test_consistency_sweep),
		cmocka_unit_test(test_deadline_end_plus_7),
		cmocka_unit_test(test_deadline_rules),
		cmocka_unit_test(test_deadline_bad_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
