#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytescan.h"
#include "unit.h"

#define UNIT_FIELD_MAX (4 * 1024 * 1024)  /* a decoded field, repetitions included */
#define SHOWN_MAX 72                  /* bytes of a field shown in a TAP line */

struct bytes {
	char *p;
	size_t len, cap;
};

static int
put(struct bytes *b, const char *s, size_t n)
{
	if (n > UNIT_FIELD_MAX - b->len)
		return -1;
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		if (!(b->p = realloc(b->p, b->cap))) {
			perror("unit");
			exit(99);
		}
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The ')' that closes the repetition whose text starts at p, past any
   repetition nested in it; NULL if there is none. */
static const char *
repeat_close(const char *p, const char *end)
{
	const char *q;
	int depth = 0;

	for (; p < end; p++)
		if (*p == ')' && depth-- == 0)
			return p;
		else if (*p == '\\' && end - p > 2 && p[1] == '*') {
			for (q = p + 2; q < end && *q >= '0' && *q <= '9'; q++)
				;
			if (q < end && *q == '(' && q > p + 2) {
				depth++;
				p = q;
			}
		}
	return NULL;
}

/* Append s[0..len) to b with its escapes (unit.h) decoded; -1 if malformed. */
static int
decode(struct bytes *b, const char *s, size_t len)
{
	const char *p = s, *end = s + len, *text, *close;
	long n;
	char c;

	while (p < end) {
		if (*p != '\\' || end - p < 2 || (p[1] != 'x' && p[1] != '*')) {
			if (put(b, p++, 1) < 0)
				return -1;
		} else if (p[1] == 'x') {
			if (end - p < 4 || hexval(p[2]) < 0 || hexval(p[3]) < 0)
				return -1;
			c = (char)(hexval(p[2]) << 4 | hexval(p[3]));
			if (put(b, &c, 1) < 0)
				return -1;
			p += 4;
		} else {
			for (n = 0, text = p + 2; text < end && *text >= '0' && *text <= '9' && n < UNIT_FIELD_MAX;
			    text++)
				n = n * 10 + (*text - '0');
			if (text == p + 2 || text >= end || *text != '(' || !(close = repeat_close(text + 1, end)))
				return -1;
			while (n-- > 0)
				if (decode(b, text + 1, close - text - 1) < 0)
					return -1;
			p = close + 1;
		}
	}
	return put(b, "", 0);  /* an empty field is an empty string, not NULL */
}

/* Split line at tabs into c, decoding each field; -1 if malformed. */
static int
parse_case(char *line, struct unit_case *c)
{
	char *p = line, *tab;
	struct bytes b;

	for (c->nfields = 0; p; c->nfields++) {
		if (c->nfields == UNIT_FIELDS_MAX)
			return -1;
		if ((tab = strchr(p, '\t')))
			*tab = '\0';
		memset(&b, 0, sizeof b);
		c->field[c->nfields] = NULL;
		if (decode(&b, p, strlen(p)) < 0) {
			free(b.p);
			return -1;
		}
		c->field[c->nfields] = b.p;
		c->len[c->nfields] = b.len;
		p = tab ? tab + 1 : NULL;
	}
	return c->nfields < 2 ? -1 : 0;
}

static void
free_case(struct unit_case *c)
{
	int i;

	for (i = 0; i < c->nfields; i++)
		free(c->field[i]);
	c->nfields = 0;
}

/* Print s on one TAP line: bytes outside printable ASCII as \xHH, cut after SHOWN_MAX. */
static void
show(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < SHOWN_MAX; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			printf("\\x%02x", (unsigned char)s[i]);
		else
			putchar(s[i]);
	if (len > SHOWN_MAX)
		printf("...(%zu bytes)", len);
}

void
unit_put(struct unit_out *out, const char *s, size_t len)
{
	size_t room = sizeof out->buf - out->len;

	if (len > room)
		len = room;
	memcpy(out->buf + out->len, s, len);
	out->len += len;
}

void
unit_printf(struct unit_out *out, const char *fmt, ...)
{
	size_t room = sizeof out->buf - out->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out->buf + out->len, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		out->len += (size_t)n < room ? (size_t)n : room - 1;
}

int
unit_number(const struct unit_case *c, int i, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(c->field[i], &end, 10);
	return errno || end == c->field[i] || *end ? -1 : 0;
}

char *
unit_exact(const struct unit_case *c, int i)
{
	char *p = malloc(c->len[i]);

	if (!p && c->len[i]) {
		perror("unit");
		exit(99);
	}
	if (c->len[i])
		memcpy(p, c->field[i], c->len[i]);
	return p;
}

static int every_path;

/* Run the case on every path of bytescan this CPU has: what the others
   give must be what the first gave, or the case fails saying which path
   gave what. Returns what check returned on the first. */
static int
run_paths(const struct unit_case *c, struct unit_out *out,
    int (*check)(const struct unit_case *c, struct unit_out *out))
{
	static struct unit_out other;
	enum bytescan_path path, best = bytescan_path();
	int r = -1, first = 1;

	if (!every_path)
		return check(c, out);
	for (path = 0; path < BYTESCAN_PATHS; path++) {
		if (bytescan_use(path) < 0)
			continue;
		other.len = 0;
		if (first) {
			r = check(c, out);
			first = 0;
		} else if (check(c, &other) != r || other.len != out->len ||
		    memcmp(other.buf, out->buf, out->len) != 0) {
			unit_printf(out, " (but %s gave ", bytescan_path_name(path));
			unit_put(out, other.buf, other.len);
			unit_printf(out, ")");
		}
	}
	bytescan_use(best);
	return r;
}

/* One case: run it, print its TAP line; 0 passed, -1 failed. */
static int
run_case(const struct unit_case *c, int n, int lineno,
    int (*check)(const struct unit_case *c, struct unit_out *out))
{
	static struct unit_out out;
	const char *want = c->field[c->nfields - 1];
	size_t wantlen = c->len[c->nfields - 1];
	int i, r;

	out.len = 0;
	r = run_paths(c, &out, check);
	if (r == 0 && out.len == wantlen && memcmp(out.buf, want, wantlen) == 0)
		printf("ok %d - line %d:", n, lineno);
	else
		printf("not ok %d - line %d:", n, lineno);
	for (i = 0; i < c->nfields - 1; i++) {
		putchar(' ');
		show(c->field[i], c->len[i]);
	}
	if (r < 0)
		printf(": cannot run this case (its operation, its fields, or the system)");
	else if (out.len != wantlen || memcmp(out.buf, want, wantlen) != 0) {
		printf(": expected ");
		show(want, wantlen);
		printf(", got ");
		show(out.buf, out.len);
	} else {
		putchar('\n');
		return 0;
	}
	putchar('\n');
	return -1;
}

int
unit_main(int argc, char **argv,
    int (*check)(const struct unit_case *c, struct unit_out *out))
{
	const char *path = argv[1];
	char *line = NULL;
	struct unit_case c = { 0 };
	size_t cap = 0;
	ssize_t len;
	int n = 0, failed = 0, lineno = 0;
	FILE *f;

	if (argc != 2) {
		printf("Bail out! usage: %s FILE (the cases, tests/unit/README)\n", argv[0]);
		return 99;
	}
	if (!(f = fopen(path, "r"))) {
		printf("Bail out! %s: %s\n", path, strerror(errno));
		return 99;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (parse_case(line, &c) < 0) {
			printf("Bail out! %s:%d: malformed case (unit.h says how one is written)\n", path, lineno);
			free_case(&c);
			failed = -1;
			break;
		}
		if (run_case(&c, ++n, lineno, check) < 0)
			failed = 1;
		free_case(&c);
		fflush(stdout);
	}
	free(line);
	fclose(f);
	if (failed < 0)
		return 99;
	printf("1..%d\n", n);
	return failed;
}

int
unit_main_paths(int argc, char **argv,
    int (*check)(const struct unit_case *c, struct unit_out *out))
{
	every_path = 1;
	return unit_main(argc, argv, check);
}
