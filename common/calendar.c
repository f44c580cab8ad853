/*
 * calendar.c: the one calendar of lnob (calendar.h): day numbers, leap
 * years, dates, UTC offsets, ISO 8601 times and campaign deadlines, all in
 * integers.
 */
#include "calendar.h"

#include <stddef.h>
#include <string.h>

#include "lnob_err.h"
#include "util.h"

bool lnob_time_valid(int64_t t)
{
	return t >= LNOB_TIME_MIN && t <= LNOB_TIME_MAX;
}

bool lnob_date_valid(const char *s)
{
	return calendar_parse_date(s, 2000, 2100, NULL, NULL, NULL);
}

int64_t calendar_days(int y, int m, int d)
{
	int64_t era, yoe, doy, doe, yy = y - (m <= 2);

	era = (yy >= 0 ? yy : yy - 399) / 400;
	yoe = yy - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void calendar_civil(int64_t days, int *ret_y, int *ret_m, int *ret_d)
{
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;

	if (ret_y)
		*ret_y = (int)(yoe + era * 400 + (m <= 2));
	if (ret_m)
		*ret_m = (int)m;
	if (ret_d)
		*ret_d = (int)d;
}

bool calendar_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int calendar_month_days(int y, int m)
{
	static const int md[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && calendar_leap(y) ? 29 : md[m - 1];
}

bool calendar_digits(const char **p, int n, int *ret)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char ch = (*p)[i];

		if (ch < '0' || ch > '9')
			return false;
		v = v * 10 + (ch - '0');
	}
	*p += n;
	*ret = v;
	return true;
}

/* Reads "MM-DD" at *p (a month and a day of it in year y) and moves *p. */
static bool s_month_day(const char **p, int y, int *ret_m, int *ret_d)
{
	const char *q = *p;
	int m, d;

	if (!calendar_digits(&q, 2, &m) || *q++ != '-' || !calendar_digits(&q, 2, &d))
		return false;
	if (m < 1 || m > 12 || d < 1 || d > calendar_month_days(y, m))
		return false;
	*p = q;
	*ret_m = m;
	*ret_d = d;
	return true;
}

/* Reads "HH:MM" at *p (00:00..23:59) and moves *p. */
static bool s_hour_minute(const char **p, int *ret_h, int *ret_mi)
{
	const char *q = *p;
	int h, mi;

	if (!calendar_digits(&q, 2, &h) || *q++ != ':' || !calendar_digits(&q, 2, &mi))
		return false;
	if (h > 23 || mi > 59)
		return false;
	*p = q;
	*ret_h = h;
	*ret_mi = mi;
	return true;
}

bool calendar_parse_date(const char *s, int min_year, int max_year, int *ret_y, int *ret_m,
			 int *ret_d)
{
	int y, m, d;

	if (!s || !calendar_digits(&s, 4, &y) || *s++ != '-' || y < min_year || y > max_year ||
	    !s_month_day(&s, y, &m, &d) || *s)
		return false;
	if (ret_y)
		*ret_y = y;
	if (ret_m)
		*ret_m = m;
	if (ret_d)
		*ret_d = d;
	return true;
}

bool calendar_parse_offset(const char *s, int *ret_seconds)
{
	int sign, h, m;

	if (*s != '+' && *s != '-')
		return false;
	sign = *s++ == '-' ? -1 : 1;
	if (!calendar_digits(&s, 2, &h) || *s++ != ':' || !calendar_digits(&s, 2, &m) || *s)
		return false;
	if (m > 59 || h * 60 + m > 14 * 60)
		return false;
	*ret_seconds = sign * (h * 3600 + m * 60);
	return true;
}

/* ---- ISO 8601 and Unix seconds ----------------------------------------- */

/* Reads ":SS[.frac]" (or nothing) at *p into *ret_sec (0..60: a leap
 * second is taken); the fraction is dropped. */
static bool s_seconds(const char **p, int *ret_sec)
{
	const char *q = *p;

	*ret_sec = 0;
	if (*q != ':')
		return true;
	q++;
	if (!calendar_digits(&q, 2, ret_sec) || *ret_sec > 60)
		return false;
	if (*q == '.' || *q == ',') {
		q++;
		if (*q < '0' || *q > '9')
			return false;
		while (*q >= '0' && *q <= '9')
			q++;
	}
	*p = q;
	return true;
}

/* Reads "Z" or an offset "+HH:MM", "+HHMM", "+HH" at *p (hours at most 23)
 * into seconds east of UTC, and moves *p. */
static bool s_zone(const char **p, int64_t *ret)
{
	const char *q = *p;
	int sign, oh, om = 0;

	if (*q == 'Z' || *q == 'z') {
		*p = q + 1;
		*ret = 0;
		return true;
	}
	if (*q != '+' && *q != '-')
		return false;   /* no offset: the local time is unknowable */
	sign = *q++ == '+' ? 1 : -1;
	if (!calendar_digits(&q, 2, &oh))
		return false;
	if (*q == ':' || (*q >= '0' && *q <= '9')) {
		if (*q == ':')
			q++;
		if (!calendar_digits(&q, 2, &om))
			return false;
	}
	if (oh > 23 || om > 59)
		return false;
	*p = q;
	*ret = (int64_t)sign * ((int64_t)oh * 3600 + (int64_t)om * 60);
	return true;
}

int calendar_parse_time(const char *s, int64_t *ret)
{
	const char *p = s;
	int y, mo, d, h, mi, sec;
	int64_t off, t;

	if (lnob_parse_digits(s, INT64_MAX / 2, &t)) {
		*ret = t;
		return 0;
	}
	if (!calendar_digits(&p, 4, &y) || *p++ != '-' || !s_month_day(&p, y, &mo, &d))
		return LNOB_E_INVALID;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return LNOB_E_INVALID;
	p++;
	if (!s_hour_minute(&p, &h, &mi) || !s_seconds(&p, &sec) || !s_zone(&p, &off) || *p)
		return LNOB_E_INVALID;
	t = calendar_days(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + sec - off;
	if (t < 0)
		return LNOB_E_INVALID;
	*ret = t;
	return 0;
}

/* ---- deadlines ---------------------------------------------------------- */

static const char *s_skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

bool calendar_parse_deadline(const char *s, bool with_year, calendar_deadline_t *ret)
{
	calendar_deadline_t r = { 0 };

	if (strncmp(s, "before ", 7) == 0) {
		s += 7;
	} else if (strncmp(s, "by ", 3) == 0) {
		r.by = true;
		s += 3;
	} else {
		return false;
	}
	s = s_skip_blanks(s);
	if (with_year && (!calendar_digits(&s, 4, &r.year) || *s++ != '-' || r.year < 1900))
		return false;
	/* An annual date must be in every year: month lengths of 2001. */
	if (!s_month_day(&s, with_year ? r.year : 2001, &r.month, &r.day))
		return false;
	if (*s) {
		if (*s != ' ' && *s != '\t')
			return false;
		s = s_skip_blanks(s);
		if (!s_hour_minute(&s, &r.hour, &r.minute) || *s)
			return false;
		r.has_time = true;
	}
	*ret = r;
	return true;
}

int64_t calendar_deadline_late_from(const calendar_deadline_t *d, int year, int utc_offset)
{
	int64_t t = calendar_days(year, d->month, d->day) * 86400 + (int64_t)d->hour * 3600 +
		    (int64_t)d->minute * 60;

	if (d->by)
		t += d->has_time ? 60 : 86400;
	return t - utc_offset;
}
