/* cesql-tck FILE.yaml...: run the CESQL Test Compatibility Kit, reading its
   YAML files as they are, and print a TAP-like line per case and a closing
   "N passed, N failed". Exit 1 if any case failed. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "cesql.h"

#define MAX_ATTRS 32

struct attr {
	const char *name;
	struct cesql_value v;
};

struct event {
	struct attr a[MAX_ATTRS];
	int n;
};

static yaml_node_t *
get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key);

		if (k->type == YAML_SCALAR_NODE && strcmp((char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(d, p->value);
	}
	return NULL;
}

static const char *
text(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A YAML scalar as a CESQL value: plain true/false and integers are typed,
   everything else (quoted, or a plain timestamp) is a string. */
static struct cesql_value
scalar_value(yaml_node_t *n)
{
	struct cesql_value v = { .type = CESQL_STRING };
	const char *s = text(n);
	char *end;
	long i;

	v.s = s ? s : "";
	v.len = strlen(v.s);
	if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return v;
	if (strcasecmp(s, "true") == 0 || strcasecmp(s, "false") == 0) {
		v.type = CESQL_BOOL;
		v.i = strcasecmp(s, "true") == 0;
		return v;
	}
	i = strtol(s, &end, 10);
	if (*s && !*end) {
		v.type = CESQL_INT;
		v.i = (int32_t)i;
	}
	return v;
}

static void
event_set(struct event *e, const char *name, struct cesql_value v)
{
	int i;

	for (i = 0; i < e->n; i++)
		if (strcmp(e->a[i].name, name) == 0)
			break;
	if (i == MAX_ATTRS)
		return;
	e->a[i].name = name;
	e->a[i].v = v;
	if (i == e->n)
		e->n++;
}

static void
event_merge(struct event *e, yaml_document_t *d, yaml_node_t *map)
{
	yaml_node_pair_t *p;

	if (!map || map->type != YAML_MAPPING_NODE)
		return;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
		event_set(e, text(yaml_document_get_node(d, p->key)),
		    scalar_value(yaml_document_get_node(d, p->value)));
}

static int
lookup(void *ctx, const char *name, size_t len, struct cesql_value *out)
{
	struct event *e = ctx;
	int i;

	for (i = 0; i < e->n; i++)
		if (strlen(e->a[i].name) == len && strncmp(e->a[i].name, name, len) == 0) {
			*out = e->a[i].v;
			return 0;
		}
	return -1;
}

static int
same(const struct cesql_value *a, const struct cesql_value *b)
{
	if (a->type != b->type)
		return 0;
	if (a->type == CESQL_STRING)
		return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
	return a->i == b->i;
}

static int
run_case(yaml_document_t *d, yaml_node_t *t, char *why, size_t whylen)
{
	static const struct cesql_value defaults[] = {
		{ CESQL_STRING, 0, "1.0", 3 }, { CESQL_STRING, 0, "myId", 4 },
		{ CESQL_STRING, 0, "localhost.localdomain", 21 }, { CESQL_STRING, 0, "myType", 6 },
	};
	const char *expr = text(get(d, t, "expression")), *want_err = text(get(d, t, "error")), *msg;
	yaml_node_t *want = get(d, t, "result");
	struct cesql_parse_error perr;
	struct cesql_value got, expected;
	struct event e = { .n = 0 };
	enum cesql_error err;
	struct cesql *q;
	char buf[512];

	if (!expr) {
		snprintf(why, whylen, "no expression");
		return 0;
	}
	if (!(q = cesql_compile(expr, &perr))) {
		if (want_err && strcmp(want_err, "parse") == 0)
			return 1;
		snprintf(why, whylen, "parse error at column %zu: %s", perr.column, perr.msg);
		return 0;
	}
	if (get(d, t, "event")) {
		event_merge(&e, d, get(d, t, "event"));
	} else {
		event_set(&e, "specversion", defaults[0]);
		event_set(&e, "id", defaults[1]);
		event_set(&e, "source", defaults[2]);
		event_set(&e, "type", defaults[3]);
		event_merge(&e, d, get(d, t, "eventOverrides"));
	}
	err = cesql_eval(q, lookup, &e, &got, &msg);
	cesql_value_json(&got, buf);
	if ((want_err ? strcmp(want_err, cesql_error_name(err)) != 0 : err != CESQL_OK)) {
		snprintf(why, whylen, "error %s (%s), expected %s; value %s", cesql_error_name(err), msg,
		    want_err ? want_err : "none", buf);
		cesql_free(q);
		return 0;
	}
	if (want) {
		expected = scalar_value(want);
		if (!same(&got, &expected)) {
			snprintf(why, whylen, "got %s, expected %s", buf, text(want));
			cesql_free(q);
			return 0;
		}
	}
	cesql_free(q);
	return 1;
}

int
main(int argc, char **argv)
{
	int passed = 0, failed = 0, i;
	char why[600];

	for (i = 1; i < argc; i++) {
		yaml_parser_t parser;
		yaml_document_t doc;
		yaml_node_t *tests, *t;
		yaml_node_item_t *it;
		FILE *f = fopen(argv[i], "rb");

		if (!f) {
			perror(argv[i]);
			return 2;
		}
		yaml_parser_initialize(&parser);
		yaml_parser_set_input_file(&parser, f);
		if (!yaml_parser_load(&parser, &doc)) {
			fprintf(stderr, "%s: YAML error: %s\n", argv[i], parser.problem);
			return 2;
		}
		tests = get(&doc, yaml_document_get_root_node(&doc), "tests");
		if (!tests || tests->type != YAML_SEQUENCE_NODE) {
			fprintf(stderr, "%s: no tests\n", argv[i]);
			return 2;
		}
		for (it = tests->data.sequence.items.start; it < tests->data.sequence.items.top; it++) {
			t = yaml_document_get_node(&doc, *it);
			why[0] = '\0';
			if (run_case(&doc, t, why, sizeof why)) {
				passed++;
				printf("ok %d %s: %s\n", passed + failed, argv[i], text(get(&doc, t, "name")));
			} else {
				failed++;
				printf("not ok %d %s: %s: %s (%s)\n", passed + failed, argv[i],
				    text(get(&doc, t, "name")), text(get(&doc, t, "expression")), why);
			}
		}
		yaml_document_delete(&doc);
		yaml_parser_delete(&parser);
		fclose(f);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
