#include "config.h"

#include <string.h>

#include "dnsname.h"

int
dnsname_check(const char *s, size_t len, const char **why)
{
	size_t i, label = 0;
	unsigned char c, prev = '.';

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0) {
		*why = "empty name";
		return -1;
	}
	if (len > DNSNAME_MAX) {
		*why = "name longer than 253 characters";
		return -1;
	}
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '.') {
			if (label == 0) {
				*why = "empty label";
				return -1;
			}
			if (prev == '-') {
				*why = "label ends with '-'";
				return -1;
			}
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-') {
			if (c == '-' && label == 0) {
				*why = "label starts with '-'";
				return -1;
			}
			if (++label > 63) {
				*why = "label longer than 63 characters";
				return -1;
			}
		} else {
			*why = "characters other than a-z, 0-9, '-' and '.'";
			return -1;
		}
		prev = c;
	}
	if (prev == '-') {
		*why = "label ends with '-'";
		return -1;
	}
	return 0;
}

void
dnsname_normalize(const char *s, size_t len, char *out)
{
	size_t i;

	if (len > 0 && s[len - 1] == '.')
		len--;
	for (i = 0; i < len && i < DNSNAME_MAX; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i];
	out[i] = '\0';
}

int
dnsname_parse(const char *s, size_t len, char out[DNSNAME_MAX + 1], const char **why)
{
	if (dnsname_check(s, len, why) < 0)
		return -1;
	dnsname_normalize(s, len, out);
	return 0;
}
