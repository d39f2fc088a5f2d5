#include "config.h"

#include <string.h>
#include <strings.h>

#include "cesql_lex.h"

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Names, numbers and keywords are runs of these; the parser sorts them out
   (an attribute is letters and digits, a function may have '_', a data
   path has dots). */
static int
is_word_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '.';
}

static void
word(const char *p, struct token *t)
{
	static const struct { const char *text; enum token_kind kind; } keywords[] = {
		{ "AND", T_AND }, { "OR", T_OR }, { "XOR", T_XOR }, { "NOT", T_NOT }, { "LIKE", T_LIKE },
		{ "IN", T_IN }, { "EXISTS", T_EXISTS }, { "TRUE", T_TRUE }, { "FALSE", T_FALSE },
	};
	size_t i, digits = 0, dots = 0;

	for (t->len = 0; is_word_char(p[t->len]); t->len++) {
		digits += is_digit(p[t->len]);
		dots += p[t->len] == '.';
	}
	if (digits == t->len) {
		/* an integer; a word that starts with a digit is a name (3d) */
		t->kind = T_INT;
		for (t->value = 0, i = 0; i < t->len; i++)
			if ((t->value = t->value * 10 + (p[i] - '0')) > 2147483648LL)
				t->value = 2147483649LL;
		return;
	}
	if (digits + dots == t->len && is_digit(p[0])) {
		t->kind = T_ERROR;
		t->why = "CESQL has integers only, no decimal point";
		return;
	}
	t->kind = T_WORD;
	for (i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
		if (strlen(keywords[i].text) == t->len && strncasecmp(p, keywords[i].text, t->len) == 0)
			t->kind = keywords[i].kind;
}

void
lex_next(const char *p, struct token *t)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	t->p = p;
	t->len = 1;
	switch (*p) {
	case '\0': t->kind = T_END; t->len = 0; return;
	case '(': t->kind = T_LPAREN; return;
	case ')': t->kind = T_RPAREN; return;
	case ',': t->kind = T_COMMA; return;
	case '+': t->kind = T_PLUS; return;
	case '-': t->kind = T_MINUS; return;
	case '*': t->kind = T_STAR; return;
	case '/': t->kind = T_SLASH; return;
	case '%': t->kind = T_PERCENT; return;
	case '=': t->kind = T_EQ; return;
	case '!':
		t->kind = p[1] == '=' ? T_NE : T_ERROR;
		t->len = 2;
		t->why = "'!' is only part of '!='";
		return;
	case '<':
		t->kind = p[1] == '=' ? T_LE : p[1] == '>' ? T_NE : T_LT;
		t->len = t->kind == T_LT ? 1 : 2;
		return;
	case '>':
		t->kind = p[1] == '=' ? T_GE : T_GT;
		t->len = t->kind == T_GE ? 2 : 1;
		return;
	case '\'':
	case '"': {
		/* a backslash takes the next character with it, so \' does not end
		   the string */
		const char *s = p + 1;

		while (*s && *s != *p)
			s += s[0] == '\\' && s[1] ? 2 : 1;
		if (!*s) {
			t->kind = T_ERROR;
			t->why = "unterminated string";
			return;
		}
		t->kind = T_STRING;
		t->len = s + 1 - p;
		return;
	}
	default:
		if (is_word_char(*p) && *p != '.') {
			word(p, t);
			return;
		}
		t->kind = T_ERROR;
		t->why = "unexpected character";
	}
}

size_t
lex_string(const struct token *t, char *out)
{
	const char *p = t->p + 1, *end = t->p + t->len - 1;
	char quote = t->p[0], *o = out;

	while (p < end) {
		if (p[0] == '\\' && p + 1 < end) {
			/* \' in '...', \" in "..."; any other pair stays as written */
			if (p[1] != quote)
				*o++ = *p;
			p++;
		}
		*o++ = *p++;
	}
	return o - out;
}
