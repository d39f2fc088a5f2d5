/* The table of broker kinds. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "broker_http.h"
#include "brokers.h"

static const struct broker_kind *const kinds[] = { &broker_file, &broker_kafka, &broker_fnap, &broker_http };

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

/* A kind without a name (http) is not a word anyone gives: only its schemes are listed. */
void
broker_kinds_text(char *buf, size_t size, int schemes)
{
	size_t i, n = 0, named = 0, listed = 0;

	for (i = 0; i < NKINDS; i++)
		named += kinds[i]->name != NULL;
	buf[0] = '\0';
	for (i = 0; i < NKINDS && n < size; i++) {
		if (schemes)
			n += snprintf(buf + n, size - n, "%s%s%s%s", i ? ", " : "", kinds[i]->scheme,
			    kinds[i]->tls_scheme ? ", " : "", kinds[i]->tls_scheme ? kinds[i]->tls_scheme : "");
		else if (kinds[i]->name) {
			n += snprintf(buf + n, size - n, "%s%s", listed == 0 ? "" : listed + 1 < named ? ", " : " or ",
			    kinds[i]->name);
			listed++;
		}
	}
}
