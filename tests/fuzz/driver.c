/*
 * driver.c: replay fuzz inputs without libFuzzer.  Runs the target over
 * every file named on the command line (the first MiB of each), so a
 * plain gcc build, and make check, can rerun the corpus and any crash a
 * fuzzer found.  Exits 1 if a file cannot be read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
main(int argc, char *argv[])
{
	static uint8_t	 buf[1 << 20];
	FILE		*fp;
	size_t		 n;
	int		 i, ret = 0;

	for (i = 1; i < argc; i++) {
		if ((fp = fopen(argv[i], "rb")) == NULL) {
			perror(argv[i]);
			ret = 1;
			continue;
		}
		n = fread(buf, 1, sizeof(buf), fp);
		if (ferror(fp)) {
			perror(argv[i]);
			ret = 1;
		} else
			LLVMFuzzerTestOneInput(buf, n);
		fclose(fp);
	}
	printf("%d inputs replayed\n", argc - 1);
	return ret;
}
