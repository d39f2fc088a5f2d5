#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "broker.h"
#include "fnap_feed.h"
#include "fnap_queue.h"
#include "processor.h"
#include "rfc3339.h"
#include "util.h"

int
feed_from(const char *word, struct feed_terms *t)
{
	struct offset_spec o;

	if (!word || strlen(word) >= sizeof t->from)
		return -1;
	if (strcasecmp(word, "BEGINNING") == 0)
		t->from[0] = '\0';
	else if (strcasecmp(word, "END") == 0)
		strcpy(t->from, "end");
	else if (offset_parse(word, &o) < 0 || o.resume || o.kind == OFFSET_STORED ||
	    o.kind == OFFSET_BEGINNING || o.kind == OFFSET_END)
		return -1;
	else if (o.kind == OFFSET_TIME) {
		/* a relative time resolved now (RFC 3339 kept as given): a
		   processor started later, or again, and another agent for
		   LOCAL, all get the same absolute time */
		t->from[0] = '@';
		time_resolved_text(word + 1, o.value, t->from + 1, sizeof t->from - 1);
	} else
		strcpy(t->from, word);
	return 0;
}

/* The consumer group of the processor feeding flow: a name of its own,
   of a length any broker (and STREAM's GROUP) takes. Read from another
   agent by an anonymous session, whose groups are every anonymous
   session's, it is made of the subscription's secret token too, so that
   nobody else can move it. */
static void
group_of(const struct flow_meta *dst, char out[32])
{
	unsigned char h[8];
	char hex[2 * sizeof h + 1];
	crypto_generichash_state g;

	crypto_generichash_init(&g, NULL, 0, sizeof h);
	crypto_generichash_update(&g, (const unsigned char *)dst->flow, strlen(dst->flow));
	if (dst->source_token[0]) {
		crypto_generichash_update(&g, (const unsigned char *)"\n", 1);
		crypto_generichash_update(&g, (const unsigned char *)dst->source_token,
		    strlen(dst->source_token));
	}
	crypto_generichash_final(&g, h, sizeof h);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	snprintf(out, 32, "fnap-%s", hex);
}

int
feed_start(const struct fnap_conf *conf, const struct flow_meta *dst, const char *src_url,
    const struct flow_meta *src, const struct feed_terms *t, char *const env[], struct result *r)
{
	const struct fnap_namespace *ns[2] = {
		src ? fnap_conf_namespace(conf, src->flow) : NULL,
		fnap_conf_namespace(conf, dst->flow),
	};
	char group[32], start[FEED_FROM_MAX + 8], dst_url[QUEUE_URL_MAX], rejects[FLOWSTATE_FILE_MAX];
	char *argv[24];
	const char *why;
	int n = 0, i;

	queue_url(dst, dst_url, sizeof dst_url);
	group_of(dst, group);
	/* where the group stands, else (its first start) where it is to begin */
	snprintf(start, sizeof start, "stored%s%s", t->from[0] ? ":" : "", t->from);
	argv[n++] = "flow-bridge";
	argv[n++] = "-g";
	argv[n++] = group;
	argv[n++] = "-o";
	argv[n++] = start;
	if (processor_rejects(conf->state, dst->flow, rejects, sizeof rejects) < 0) {
		warnmsg("processor %s: its rejects file: path too long", dst->flow);
		return result_set(r, REPLY_RETRY, "cannot start the processor, retry");
	}
	argv[n++] = "-r";
	argv[n++] = rejects;
	if (dst->verify[0]) {
		argv[n++] = "--verify";
		argv[n++] = (char *)dst->verify;
	}
	if (t->where) {
		argv[n++] = "--where";
		argv[n++] = (char *)t->where;
	}
	for (i = 0; i < 2; i++)
		if (ns[i] && ns[i]->space.properties && (i == 0 || !ns[0] || ns[0]->space.properties != ns[1]->space.properties)) {
			argv[n++] = "-F";
			argv[n++] = ns[i]->space.properties;
		}
	argv[n++] = (char *)src_url;
	argv[n++] = dst_url;
	argv[n] = NULL;
	if (processor_create(conf->state, conf->scan_dir, dst->flow, argv, env, &why) < 0) {
		warnmsg("processor %s: %s", dst->flow, why);
		return result_set(r, REPLY_RETRY, "cannot start the processor, retry");
	}
	return 0;
}

int
feed_stop(const struct fnap_conf *conf, const struct flow_meta *m, struct result *r)
{
	const char *why = "no supervisor configured";

	if (!m->feed[0] || (conf->scan_dir && processor_remove(conf->state, conf->scan_dir, m->flow, &why) == 0))
		return 0;
	warnmsg("processor %s: %s", m->flow, why);
	return result_set(r, REPLY_RETRY, "cannot stop the processor, retry");
}
