#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "dedupe.h"
#include "util.h"

/* Pairs are kept as 128-bit keyed hashes (BLAKE2b): two different pairs
   taken for one is a 2^-128 chance, and memory does not depend on the
   length of ids. A ring keeps their order; an open-addressing table with
   linear probing finds them, and deletes with backward shift. */
struct key {
	uint64_t a, b;
};

struct dedupe {
	struct key *ring;
	size_t n, next, count;
	uint32_t *table;       /* ring index + 1; 0 is empty */
	size_t mask;
	unsigned char secret[crypto_generichash_KEYBYTES];
};

struct dedupe *
dedupe_new(size_t n)
{
	struct dedupe *d = xcalloc(1, sizeof *d);
	size_t size = 16;

	while (size < 2 * n)
		size *= 2;
	d->n = n;
	d->ring = xcalloc(n, sizeof *d->ring);
	d->table = xcalloc(size, sizeof *d->table);
	d->mask = size - 1;
	randombytes_buf(d->secret, sizeof d->secret);
	return d;
}

void
dedupe_free(struct dedupe *d)
{
	if (d) {
		free(d->ring);
		free(d->table);
		free(d);
	}
}

static size_t
slot_of(const struct dedupe *d, const struct key *k)
{
	return k->a & d->mask;
}

static void
table_delete(struct dedupe *d, size_t ring_index)
{
	size_t i = slot_of(d, &d->ring[ring_index]), j, home;

	while (d->table[i] != ring_index + 1)
		i = (i + 1) & d->mask;
	/* backward shift: move later members of the run into the hole */
	for (j = i;;) {
		j = (j + 1) & d->mask;
		if (!d->table[j])
			break;
		home = slot_of(d, &d->ring[d->table[j] - 1]);
		if (((j - home) & d->mask) >= ((j - i) & d->mask)) {
			d->table[i] = d->table[j];
			i = j;
		}
	}
	d->table[i] = 0;
}

int
dedupe_seen(struct dedupe *d, const char *source, size_t slen, const char *id, size_t idlen)
{
	crypto_generichash_state st;
	unsigned char h[16];
	struct key k;
	size_t i;
	unsigned char sep = 0;

	crypto_generichash_init(&st, d->secret, sizeof d->secret, sizeof h);
	crypto_generichash_update(&st, (const unsigned char *)source, slen);
	crypto_generichash_update(&st, &sep, 1);
	crypto_generichash_update(&st, (const unsigned char *)id, idlen);
	crypto_generichash_final(&st, h, sizeof h);
	memcpy(&k, h, sizeof k);
	for (i = slot_of(d, &k); d->table[i]; i = (i + 1) & d->mask) {
		const struct key *o = &d->ring[d->table[i] - 1];

		if (o->a == k.a && o->b == k.b)
			return 1;
	}
	if (d->count == d->n) {
		table_delete(d, d->next);
		for (i = slot_of(d, &k); d->table[i]; i = (i + 1) & d->mask)
			;
	} else
		d->count++;
	d->ring[d->next] = k;
	d->table[i] = d->next + 1;
	d->next = (d->next + 1) % d->n;
	return 0;
}
