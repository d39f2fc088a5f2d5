/* unit: the harness of the table-driven unit tests (tests/unit/README).
   A data file holds one case a line: tab-separated fields, the first the
   operation, the last the expected result; '#' starts a comment line, blank
   lines are skipped. In a field "\xHH" is the byte HH and "\*N(TEXT)" is
   TEXT repeated N times (TEXT holds no ')' but those closing repetitions
   inside it); nothing else is an escape, so JSON's own backslashes are
   written as they are. unit_main reads the file named on the command line
   (NAME-test NAME.test), calls the program's check for each case, compares
   what it wrote with the expected field and prints TAP: "ok N - ..." or
   "not ok N - ... expected X, got Y", then the plan. unit_main_paths
   runs each case on every path of bytescan the CPU has (portable, SSE2,
   AVX2) and fails it when they do not all give the same, for the modules
   built on bytescan (json, ce), whose checks keep no state. Its exit status is 0 when every case passed,
   1 when one failed, 99 (a hard error to automake) when the file cannot
   be read or a line is malformed. */
#ifndef FLOW_UNIT_H
#define FLOW_UNIT_H

#include <stddef.h>

#define UNIT_FIELDS_MAX 8
#define UNIT_OUT_MAX (64 * 1024)

struct unit_case {
	int nfields;                     /* the operation and the expected result included */
	char *field[UNIT_FIELDS_MAX];    /* decoded, NUL-terminated (a \x00 inside is kept) */
	size_t len[UNIT_FIELDS_MAX];
};

/* What a check found, compared as bytes with the expected field. */
struct unit_out {
	char buf[UNIT_OUT_MAX];
	size_t len;
};

/* Append to out; what does not fit is cut (and then differs from any expectation). */
void unit_printf(struct unit_out *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void unit_put(struct unit_out *out, const char *s, size_t len);

/* Run the cases of the data file argv[1]; check writes the result of one
   case, or returns -1 for a case it cannot run (an unknown operation, the
   wrong number of fields, a system call that failed), which fails it. Returns the exit status. */
int unit_main(int argc, char **argv,
    int (*check)(const struct unit_case *c, struct unit_out *out));

int unit_main_paths(int argc, char **argv,
    int (*check)(const struct unit_case *c, struct unit_out *out));

/* The field i as a decimal number into *v: 0, or -1 when it is not one
   (the check then returns -1). */
int unit_number(const struct unit_case *c, int i, long long *v);

/* A copy of field i in a block of exactly its length, no NUL: under
   AddressSanitizer a read past the end of the input is then caught. */
char *unit_exact(const struct unit_case *c, int i);

#endif
