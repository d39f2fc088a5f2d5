#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowkey.h"
#include "json.h"
#include "keys.h"
#include "util.h"

/* k's PEM block as a string (the caller frees it), or NULL. */
static char *
pem_text(const struct sigkey *k)
{
	char *text = NULL;
	size_t n = 0;
	FILE *mem = open_memstream(&text, &n);
	int bad;

	if (!mem)
		return NULL;
	bad = sigkey_write_pem(k, mem) < 0;
	if (fclose(mem) != 0 || bad) {
		free(text);
		return NULL;
	}
	return text;
}

int
key_print(struct resolver *r, const char *name, int json)
{
	struct sigkey k;
	const char *why;
	char *pem;
	int st;

	if ((st = flowkey_lookup(r, name, &k, &why)) != EX_FLOW_OK) {
		warnmsg("%s: %s", name, why);
		return st;
	}
	pem = pem_text(&k);
	if (!pem) {
		warnmsg("%s: the key cannot be written as PEM", name);
		sigkey_free(&k);
		return EX_FLOW_SOFTWARE;
	}
	if (json) {
		printf("{\"key_id\":");
		json_write_string(stdout, name);
		printf(",\"type\":\"%s\",\"pem\":", sigkey_alg_name(k.alg));
		json_write_string(stdout, pem);
		puts("}");
	} else
		printf("key-id=%s\ntype=%s\n%s", name, sigkey_alg_name(k.alg), pem);
	free(pem);
	sigkey_free(&k);
	return EX_FLOW_OK;
}

int
key_script(enum dnsupdate_op op, const char *keyid, const char *pem, struct dnsupdate_key *u)
{
	char name[DNSNAME_MAX + 1], record[FLOWKEY_RECORD_MAX], why[160];
	const char *bad;
	struct sigkey k;
	long n;

	if (flowkey_id_name(keyid, strlen(keyid), name, &bad) < 0) {
		warnmsg("%s: %s", keyid, bad);
		return EX_FLOW_USAGE;
	}
	if (pem) {
		if (sigkey_load(&k, pem, 0, why, sizeof why) < 0) {
			warnmsg("%s: %s", pem, why);
			return EX_FLOW_CONFIG;
		}
		n = flowkey_record_format(&k, record);
		sigkey_free(&k);
		if (n < 0) {
			warnmsg("%s: the key cannot be written as a record", pem);
			return EX_FLOW_SOFTWARE;
		}
	}
	u->name = name;
	u->record = pem ? record : NULL;
	if (dnsupdate_write_key(stdout, op, u, &bad) < 0) {
		warnmsg("%s: %s", name, bad);
		return EX_FLOW_USAGE;
	}
	return EX_FLOW_OK;
}
