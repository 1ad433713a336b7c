/* test_files.h — reading and writing whole files in tests (fixtures,
 * generated bad inputs). Failures to write count as failed checks. */
#ifndef CLX_TEST_FILES_H
#define CLX_TEST_FILES_H

#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A malloc'ed copy of the regular file `path` with a NUL after its last
 * byte (its length in *len when len is not NULL); NULL if it cannot be read. */
static inline void *test_read_file(const char *path, size_t *len)
{
	struct stat sb;
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t n = (size_t)sb.st_size;
	char *buf = malloc(n + 1);
	if (buf && fread(buf, 1, n, f) != n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		if (len)
			*len = n;
	}
	return buf;
}

static inline void test_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL, "cannot create %s", path);
	if (!f)
		return;
	if (len)
		CHECK(fwrite(data, 1, len, f) == len, "short write %s", path);
	fclose(f);
}

static inline void test_write_text(const char *path, const char *text)
{
	test_write_file(path, text, strlen(text));
}

#endif
