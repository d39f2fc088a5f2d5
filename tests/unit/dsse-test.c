/* dsse-test: the cases of dsse.test through lib/common/dsse's base64 and
   PAE and cedigest's canonical time (unit.h, README). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cedigest.h"
#include "dsse.h"
#include "unit.h"

#define DECODE_MAX 96
#define INPUT_MAX 200   /* of encode, pae and canon */

/* The bytes of a decoding in hex, as the expected field writes them. */
static void
put_hex(struct unit_out *out, const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		unit_printf(out, "%02x", b[i]);
}

/* decode TEXT, decodeto N TEXT: the bytes in hex ("" for none), or
   invalid (room for DECODE_MAX or N bytes); encode TEXT: its base64; pae
   TEXT: the PAE of its bytes; canon TIME: ce_time_canonical's text, or
   invalid */
static int
check(const struct unit_case *c, struct unit_out *out)
{
	unsigned char bin[DECODE_MAX];
	char text[2 * INPUT_MAX + 80], canon[CE_TIME_CANONICAL_LEN + 1], *s;
	long long max = DECODE_MAX;
	size_t n;
	int i = 1, r;

	if ((c->nfields == 3 && strcmp(c->field[0], "decode") == 0) ||
	    (c->nfields == 4 && strcmp(c->field[0], "decodeto") == 0 && unit_number(c, i++, &max) == 0 &&
	    max >= 0 && max <= DECODE_MAX)) {
		s = unit_exact(c, i);
		r = dsse_b64_decode(bin, (size_t)max, s, c->len[i], &n);
		free(s);
		if (r < 0)
			unit_printf(out, "invalid");
		else
			put_hex(out, bin, n);
		return 0;
	}
	if (c->nfields != 3 || c->len[1] > INPUT_MAX)
		return -1;
	s = unit_exact(c, 1);
	r = 0;
	if (strcmp(c->field[0], "encode") == 0)
		unit_put(out, text, dsse_b64_encode(text, s, c->len[1]));
	else if (strcmp(c->field[0], "pae") == 0)
		unit_put(out, text, dsse_pae(text, s, c->len[1]));
	else if (strcmp(c->field[0], "canon") == 0 && ce_time_canonical(s, c->len[1], canon) == 0)
		unit_printf(out, "%s", canon);
	else if (strcmp(c->field[0], "canon") == 0)
		unit_printf(out, "invalid");
	else
		r = -1;
	free(s);
	return r;
}

int
main(int argc, char **argv)
{
	return unit_main(argc, argv, check);
}
