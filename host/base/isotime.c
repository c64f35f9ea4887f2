/* isotime.c - see isotime.h. No locale, no timezone database: the
 * proleptic Gregorian calendar in UTC, as X.509 uses (RFC 5280 4.1.2.5). */
#include <string.h>

#include "isotime.h"

static int
digits(const char *s, size_t n, int *out)
{
	size_t i;
	int v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Days from 1970-01-01 to y-m-d (Howard Hinnant's civil algorithm). */
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

static int
month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

int
isotime_parse(const char *s, int64_t *out)
{
	size_t len = strlen(s);
	int y, mo, d, h = 0, mi = 0, se = 0;

	if (s[0] == '@') {
		int64_t v = 0;
		size_t i;

		if (len < 2 || len > 13)
			return 1;
		for (i = 1; i < len; i++) {
			if (s[i] < '0' || s[i] > '9')
				return 1;
			v = v * 10 + (s[i] - '0');
		}
		if (v > ISOTIME_MAX)
			return 1;
		*out = v;
		return 0;
	}
	if (len != 10 && len != 20)
		return 1;
	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d))
		return 1;
	if (len == 20 && (s[10] != 'T' || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
	    digits(s + 17, 2, &se) || s[19] != 'Z'))
		return 1;
	if (y < 1950 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) ||
	    h > 23 || mi > 59 || se > 59)
		return 1;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	return 0;
}
