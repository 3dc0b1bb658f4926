/*
 * csvparse — the floor for CSV import speed: parse a CSV file with libcsv
 * and do nothing with it but count rows, fields and field bytes.  bench/run
 * times it next to `crm-customer add -` on the same file; DESIGN.md wants
 * the import within 4x of this.
 *
 * Usage: csvparse [FILE]   (stdin when no FILE, as the import reads it)
 * Prints "rows R fields F bytes B" (the header counts as a row); exit 65 on
 * a CSV syntax error, 66 when FILE cannot be opened, 74 on a read error.
 *
 * Build: cc -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE \
 *            -o csvparse csvparse.c -lcsv
 */
#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

struct counts {
	unsigned long long rows, fields, bytes;
};

static void on_field(void *s, size_t len, void *data)
{
	struct counts *c = data;
	(void)s;
	c->fields++;
	c->bytes += len;
}

static void on_row(int term, void *data)
{
	struct counts *c = data;
	(void)term;
	c->rows++;
}

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	struct csv_parser p;
	struct counts c = { 0, 0, 0 };
	FILE *f = stdin;
	const char *name = "<stdin>";
	size_t n;

	if (argc > 2) {
		fprintf(stderr, "usage: csvparse [FILE]\n");
		return EX_USAGE;
	}
	if (argc == 2 && strcmp(argv[1], "-") != 0) {
		name = argv[1];
		if (!(f = fopen(name, "rb"))) {
			fprintf(stderr, "csvparse: %s: %s\n", name,
			    strerror(errno));
			return EX_NOINPUT;
		}
	}
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		fprintf(stderr, "csvparse: out of memory\n");
		return EX_OSERR;
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		if (csv_parse(&p, buf, n, on_field, on_row, &c) != n) {
			fprintf(stderr, "csvparse: %s: row %llu: %s\n", name,
			    c.rows + 1, csv_strerror(csv_error(&p)));
			return EX_DATAERR;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "csvparse: %s: %s\n", name, strerror(errno));
		return EX_IOERR;
	}
	if (csv_fini(&p, on_field, on_row, &c) != 0) {
		fprintf(stderr, "csvparse: %s: row %llu: %s\n", name,
		    c.rows + 1, csv_strerror(csv_error(&p)));
		return EX_DATAERR;
	}
	csv_free(&p);
	printf("rows %llu fields %llu bytes %llu\n", c.rows, c.fields, c.bytes);
	return 0;
}
