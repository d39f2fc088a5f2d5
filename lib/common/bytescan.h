/* bytescan: the JSON scanner's inner loops over bytes, many at a time.
   Each function looks at the n bytes at p and nothing past them, and
   gives the same answer on every path: 16 bytes a step with SSE2 (always
   there on x86-64), 32 with AVX2 when the CPU has it (chosen once, at
   start-up), eight with word arithmetic elsewhere. The environment
   variable FLOW_SIMD (portable, sse2 or avx2), read once before main,
   forces a path for a whole run, and bytescan_use for the rest of one,
   so that tests and fuzz targets can compare them on every input;
   nothing else should call it. The AVX2 UTF-8 check follows the lookup
   method of Keiser and Lemire ("Validating UTF-8 in less than one
   instruction per byte", 2021): three nibble tables and the bytes one,
   two and three back; SSE2, which has no byte shuffle, compares the same
   bytes with the bounds of RFC 3629 instead. Either says only whether the
   bytes are well formed: the place of an error is found one sequence at a
   time, as the portable path does. */
#ifndef FLOW_BYTESCAN_H
#define FLOW_BYTESCAN_H

#include <stddef.h>

enum bytescan_path { BYTESCAN_PORTABLE, BYTESCAN_SSE2, BYTESCAN_AVX2, BYTESCAN_PATHS };

/* How many bytes from p come before the first '"', '\\' or control
   character (below 0x20), or n if there is none: the run of a JSON
   string's text that needs no decoding. bytescan_plain also stops at the
   first byte from 0x80 up, which starts UTF-8 to check. */
static inline size_t bytescan_text(const char *p, size_t n);
static inline size_t bytescan_plain(const char *p, size_t n);

/* The same as bytescan_plain, also stopping at DEL (0x7f): the printable
   ASCII prefix of a string, which needs no further check. */
static inline size_t bytescan_printable(const char *p, size_t n);

/* How many bytes from p are a-z or 0-9, or n: the characters of a
   CloudEvents attribute name. */
static inline size_t bytescan_name(const char *p, size_t n);

/* How many of the n bytes at p are well-formed UTF-8 (RFC 3629: no
   overlong forms, no surrogates, nothing above U+10FFFF, no sequence cut
   short): n, or the offset where the first ill-formed sequence begins. */
size_t bytescan_utf8(const char *p, size_t n);

/* Use path from now on: 0, or -1 if this CPU or build does not have it. */
int bytescan_use(enum bytescan_path path);
/* The path in use, and its name ("portable", "sse2", "avx2"). */
enum bytescan_path bytescan_path(void);
const char *bytescan_path_name(enum bytescan_path path);
/* The path of that name, or BYTESCAN_PATHS if there is none. */
enum bytescan_path bytescan_path_named(const char *name);

/* The rest is how: most strings of an event are short, so their first 32
   bytes are looked at here, inline, 16 at a time, and only a longer run
   costs a call. */
enum bytescan_stop { BYTESCAN_STOP_TEXT, BYTESCAN_STOP_PLAIN, BYTESCAN_STOP_PRINTABLE,
	BYTESCAN_STOP_NONASCII, BYTESCAN_STOP_UNNAMED };
extern enum bytescan_path bytescan_in_use;
size_t bytescan_run(const char *p, size_t n, enum bytescan_stop kind);

#if defined(__x86_64__) && defined(__GNUC__)
#include <emmintrin.h>

/* SSE2: a lane stops the run when it is below 0x20 (min(x, 0x1f) == x,
   unsigned), a quote or a backslash; the sign bit of x itself marks the
   bytes from 0x80 up. */
static inline unsigned
bytescan_lanes16(__m128i x, enum bytescan_stop kind)
{
	__m128i m;

	if (kind == BYTESCAN_STOP_NONASCII)
		return (unsigned)_mm_movemask_epi8(x);
	if (kind == BYTESCAN_STOP_UNNAMED)  /* signed: 0x80 and up are neither */
		return ~(unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8('z' + 1))),
		    _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1))))) & 0xffff;
	m = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x),
	    _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));
	if (kind != BYTESCAN_STOP_TEXT)
		m = _mm_or_si128(m, x);
	if (kind == BYTESCAN_STOP_PRINTABLE)
		m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)));
	return (unsigned)_mm_movemask_epi8(m);
}

static inline size_t
bytescan_first32(const char *p, size_t n, enum bytescan_stop kind)
{
	unsigned m;

	if (n >= 16 && bytescan_in_use != BYTESCAN_PORTABLE) {
		if ((m = bytescan_lanes16(_mm_loadu_si128((const __m128i *)p), kind)))
			return (size_t)__builtin_ctz(m);
		if (n < 32)
			return 16 + bytescan_run(p + 16, n - 16, kind);
		if ((m = bytescan_lanes16(_mm_loadu_si128((const __m128i *)(p + 16)), kind)))
			return 16 + (size_t)__builtin_ctz(m);
		return 32 + bytescan_run(p + 32, n - 32, kind);
	}
	return bytescan_run(p, n, kind);
}
#else
static inline size_t
bytescan_first32(const char *p, size_t n, enum bytescan_stop kind)
{
	return bytescan_run(p, n, kind);
}
#endif

static inline size_t
bytescan_text(const char *p, size_t n)
{
	return bytescan_first32(p, n, BYTESCAN_STOP_TEXT);
}

static inline size_t
bytescan_plain(const char *p, size_t n)
{
	return bytescan_first32(p, n, BYTESCAN_STOP_PLAIN);
}

static inline size_t
bytescan_printable(const char *p, size_t n)
{
	return bytescan_first32(p, n, BYTESCAN_STOP_PRINTABLE);
}

static inline size_t
bytescan_name(const char *p, size_t n)
{
	return bytescan_first32(p, n, BYTESCAN_STOP_UNNAMED);
}

#endif
