#include "config.h"

#include <stdio.h>
#include <string.h>

#include "rfc3339.h"

static int
digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The date of a day from 1970-01-01, the inverse of days_from_civil: by
   arithmetic, as gmtime_r would read /etc/localtime once per process when
   TZ is unset (a cost on every session of the agent). */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* The fields of an RFC 3339 date-time, as written. */
struct rfc3339_fields {
	int y, mo, d, h, mi, sec, oh, om, sign;
	int64_t frac;  /* nanoseconds */
};

/* 0 and *f if s[0..len) is an RFC 3339 date-time, else -1. */
static int
parse_fields(const char *s, size_t len, struct rfc3339_fields *f)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int nd;
	size_t i = 19;

	if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	if ((f->y = digits(s, 4)) < 0 || (f->mo = digits(s + 5, 2)) < 1 || f->mo > 12 ||
	    (f->d = digits(s + 8, 2)) < 1 || (f->h = digits(s + 11, 2)) < 0 || f->h > 23 ||
	    (f->mi = digits(s + 14, 2)) < 0 || f->mi > 59 || (f->sec = digits(s + 17, 2)) < 0 || f->sec > 60)
		return -1;
	if (f->d > mdays[f->mo - 1] + (f->mo == 2 && leap(f->y)))
		return -1;
	f->frac = 0;
	if (s[i] == '.') {
		for (i++, nd = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++, nd++)
			if (nd < 9)
				f->frac = f->frac * 10 + (s[i] - '0');
		if (nd == 0)
			return -1;
		for (; nd < 9; nd++)
			f->frac *= 10;
	}
	if (i >= len)
		return -1;
	if (s[i] == 'Z' || s[i] == 'z') {
		f->oh = f->om = 0;
		f->sign = 1;
		i++;
	} else if (s[i] == '+' || s[i] == '-') {
		f->sign = s[i] == '-' ? -1 : 1;
		if (len - i < 6 || s[i + 3] != ':' || (f->oh = digits(s + i + 1, 2)) < 0 || f->oh > 23 ||
		    (f->om = digits(s + i + 4, 2)) < 0 || f->om > 59)
			return -1;
		i += 6;
	} else
		return -1;
	return i == len ? 0 : -1;
}

int
rfc3339_valid(const char *s, size_t len)
{
	struct rfc3339_fields f;

	return parse_fields(s, len, &f) == 0;
}

int
rfc3339_parse(const char *s, size_t len, int64_t *ns)
{
	struct rfc3339_fields f;
	int64_t t;

	if (parse_fields(s, len, &f) < 0)
		return -1;
	t = days_from_civil(f.y, f.mo, f.d) * 86400 + f.h * 3600 + f.mi * 60 + (f.sec == 60 ? 59 : f.sec);
	t -= f.sign * (f.oh * 3600 + f.om * 60);
	/* nanoseconds since 1970 reach from 1677 to 2262: saturate beyond */
	if (t >= INT64_MAX / 1000000000)
		*ns = INT64_MAX;
	else if (t <= INT64_MIN / 1000000000)
		*ns = INT64_MIN;
	else
		*ns = t * 1000000000 + f.frac;
	return 0;
}

size_t
rfc3339_format(int64_t ns, char out[RFC3339_MAX])
{
	/* floor division: before 1970 the second is the one below and the
	   fraction counts up from it, never negative (the remainder is taken
	   first, as secs * 10^9 overflows near INT64_MIN) */
	int64_t frac = ns % 1000000000, secs = ns / 1000000000, days, y;
	int sod, m, d;

	if (frac < 0) {
		frac += 1000000000;
		secs--;
	}
	days = (secs >= 0 ? secs : secs - 86399) / 86400;
	sod = (int)(secs - days * 86400);
	civil_from_days(days, &y, &m, &d);
	return snprintf(out, RFC3339_MAX, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long)y, m, d,
	    sod / 3600, sod / 60 % 60, sod % 60, (int)(frac / 1000000));
}

int
duration_parse(const char *s, int64_t *ns)
{
	static const char units[] = "smhd";
	static const int64_t seconds[] = { 1, 60, 3600, 86400 };
	const int64_t century = 100LL * 366 * 86400;
	size_t digits = strspn(s, "0123456789");
	const char *u;
	int64_t n = 0, unit = 1;
	size_t i;

	if (digits == 0 || digits > 12)
		return -1;
	if (s[digits]) {
		if (s[digits + 1] || !(u = strchr(units, s[digits])))
			return -1;
		unit = seconds[u - units];
	}
	for (i = 0; i < digits; i++)
		n = n * 10 + (s[i] - '0');
	if (n > century / unit)
		return -1;
	*ns = n * unit * 1000000000LL;
	return 0;
}

int
time_parse(const char *s, int64_t now, int64_t *ns)
{
	size_t len = strlen(s);
	int64_t ago;

	if (s[0] != '-')
		return rfc3339_parse(s, len, ns);
	/* duration_parse takes a bare N as seconds: here the unit is required */
	if (len < 3 || !strchr("smhd", s[len - 1]) || duration_parse(s + 1, &ago) < 0)
		return -1;
	*ns = now - ago;
	return 0;
}

void
time_resolved_text(const char *s, int64_t ns, char *out, size_t size)
{
	char t[RFC3339_MAX];

	if (s[0] == '-') {
		rfc3339_format(ns, t);
		s = t;
	}
	snprintf(out, size, "%s", s);
}
