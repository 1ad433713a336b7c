/* file.c — whole-file reads with a cap (file.h), and dropping the pages of
 * a file mapping (clx.h). */
#define _DEFAULT_SOURCE /* madvise(MADV_DONTNEED): posix_madvise's is a no-op on glibc */
#include "core/file.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum clx_status clx_file_read(struct clx_ctx *ctx, const char *path, size_t limit, char **out,
			      size_t *len)
{
	*out = NULL;
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return clx_fail(ctx, errno == ENOENT ? CLX_ERR_NOT_FOUND : CLX_ERR_IO, "%s: %s", path,
				strerror(errno));
	enum clx_status st;
	char *buf = NULL;
	struct stat sb;
	if (fstat(fileno(f), &sb) != 0) {
		st = clx_fail(ctx, CLX_ERR_IO, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (!S_ISREG(sb.st_mode)) {
		st = clx_fail(ctx, CLX_ERR_IO, "%s: not a regular file", path);
		goto done;
	}
	if (sb.st_size < 0 || (uintmax_t)sb.st_size > limit) {
		st = clx_fail(ctx, CLX_ERR_FORMAT, "%s: %jd bytes is over the %zu-byte limit", path,
			      (intmax_t)sb.st_size, limit);
		goto done;
	}
	size_t n = (size_t)sb.st_size;
	if (!(buf = clx_malloc(n + 1))) {
		st = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory (%zu bytes)", path, n + 1);
		goto done;
	}
	/* One byte more than expected notices a file that grew. */
	size_t got = fread(buf, 1, n + 1, f);
	if (ferror(f)) {
		st = clx_fail(ctx, CLX_ERR_IO, "%s: read error", path);
		goto done;
	}
	if (got != n) {
		st = clx_fail(ctx, CLX_ERR_IO, "%s: file changed size while reading", path);
		goto done;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
	st = CLX_OK;
done:
	clx_free(buf);
	fclose(f);
	return st;
}

void clx_drop_mapped_pages(const void *p, size_t n)
{
	const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t begin = ((uintptr_t)p + page - 1) / page * page;
	uintptr_t end = ((uintptr_t)p + n) / page * page;
	if (end > begin)
		madvise((void *)begin, end - begin, MADV_DONTNEED); /* advice: failure is harmless */
}
