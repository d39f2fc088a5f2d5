/* The table of broker kinds. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "brokers.h"

static const struct broker_kind *const kinds[] = { &broker_file, &broker_kafka, &broker_fnap };

#define NKINDS (sizeof kinds / sizeof *kinds)

static int
word_is(const char *s, size_t len, const char *word)
{
	return word && strlen(word) == len && memcmp(s, word, len) == 0;
}

const struct broker_kind *
broker_kind_by_scheme(const char *s, size_t len, int *tls)
{
	size_t i;

	for (i = 0; i < NKINDS; i++)
		if (word_is(s, len, kinds[i]->scheme) || word_is(s, len, kinds[i]->tls_scheme)) {
			*tls = word_is(s, len, kinds[i]->tls_scheme);
			return kinds[i];
		}
	return NULL;
}

const struct broker_kind *
broker_kind_at(size_t i)
{
	return i < NKINDS ? kinds[i] : NULL;
}

const struct broker_kind *
broker_kind_by_name(const char *word, size_t len)
{
	size_t i;

	for (i = 0; i < NKINDS; i++)
		if (word_is(word, len, kinds[i]->name))
			return kinds[i];
	return NULL;
}

void
broker_kinds_text(char *buf, size_t size, int schemes)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < NKINDS && n < size; i++) {
		if (schemes)
			n += snprintf(buf + n, size - n, "%s%s%s%s", i ? ", " : "", kinds[i]->scheme,
			    kinds[i]->tls_scheme ? ", " : "", kinds[i]->tls_scheme ? kinds[i]->tls_scheme : "");
		else
			n += snprintf(buf + n, size - n, "%s%s", i == 0 ? "" : i + 1 < NKINDS ? ", " : " or ",
			    kinds[i]->name);
	}
}
