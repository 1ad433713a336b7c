/* file.c — opening and reading inputs with a deadline (file.h), whole-file
 * reads with a cap (clx.h), and dropping the pages of a file mapping. */
#define _DEFAULT_SOURCE /* madvise(MADV_DONTNEED): posix_madvise's is a no-op on glibc */
#include "core/file.h"
#include "clx/limits.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

double clx_input_timeout(void)
{
	const char *s = getenv("CLX_INPUT_TIMEOUT");
	char *end;
	double v = s ? strtod(s, &end) : 0.0;
	return s && end != s && !*end && v > 0.0 && isfinite(v) ? v : CLX_INPUT_TIMEOUT_S;
}

static const char *kind_name(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	return "not a file, FIFO or pipe";
}

enum clx_status clx_input_open(struct clx_ctx *ctx, const char *path, bool allow_stream, int *fd,
			       bool *stream, int64_t *size)
{
	bool stream_ = false;
	int64_t size_ = -1;
	if (!stream)
		stream = &stream_;
	if (!size)
		size = &size_;
	*fd = -1;
	*stream = false;
	*size = -1;
	const bool is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "standard input" : path;
	int f = is_stdin ? fcntl(0, F_DUPFD_CLOEXEC, 3)
			 : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (f < 0) {
		int e = errno;
		if (e == ELOOP)
			return clx_fail(ctx, CLX_ERR_IO, "%s: a symbolic link loop (%s)", name, strerror(e));
		return clx_fail(ctx, e == ENOENT ? CLX_ERR_NOT_FOUND : CLX_ERR_IO, "%s: %s", name,
				strerror(e));
	}
	struct stat sb;
	enum clx_status st = CLX_OK;
	if (fstat(f, &sb) != 0) {
		st = clx_fail(ctx, CLX_ERR_IO, "%s: %s", name, strerror(errno));
	} else if (S_ISREG(sb.st_mode)) {
		*size = (int64_t)sb.st_size;
	} else if (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode) || (is_stdin && isatty(f))) {
		*stream = true;
		if (!allow_stream)
			st = clx_fail(ctx, CLX_ERR_IO, "%s: not a regular file (a FIFO or pipe); give the "
					"file itself", name);
	} else {
		st = clx_fail(ctx, CLX_ERR_IO, "%s: not a regular file (%s)", name, kind_name(sb.st_mode));
	}
	/* back to blocking reads: streams wait in poll(), against the deadline */
	int fl = st == CLX_OK ? fcntl(f, F_GETFL) : -1;
	if (st == CLX_OK && (fl < 0 || fcntl(f, F_SETFL, fl & ~O_NONBLOCK) != 0))
		st = clx_fail(ctx, CLX_ERR_IO, "%s: %s", name, strerror(errno));
	if (st != CLX_OK) {
		close(f);
		return st;
	}
	*fd = f;
	return CLX_OK;
}

enum clx_status clx_input_wait(struct clx_ctx *ctx, const char *name, int fd, double timeout_s)
{
	const double deadline = clx_now() + timeout_s;
	for (;;) {
		double left = deadline - clx_now();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = left <= 0 ? 0 : poll(&p, 1, left >= 2e6 ? 2000000000 : (int)ceil(left * 1000.0));
		if (r > 0)
			return CLX_OK; /* data, or the end (POLLHUP): read() tells */
		if (r == 0)
			return clx_fail(ctx, CLX_ERR_IO, "%s: no data for %g s (a FIFO or pipe with no "
					"writer? $CLX_INPUT_TIMEOUT sets the wait)", name, timeout_s);
		if (errno != EINTR)
			return clx_fail(ctx, CLX_ERR_IO, "%s: %s", name, strerror(errno));
	}
}

bool clx_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

enum clx_status clx_input_drain(struct clx_ctx *ctx, const char *name, int fd, uint64_t limit,
				double timeout_s, int out_fd, char **out, uint64_t *len)
{
	enum { CHUNK = 65536 };
	char *buf = NULL, chunk[CHUNK];
	uint64_t n = 0, cap = 0;
	enum clx_status st = CLX_OK;
	*len = 0;
	for (;;) {
		if ((st = clx_input_wait(ctx, name, fd, timeout_s)) != CLX_OK)
			break;
		ssize_t got = read(fd, chunk, CHUNK);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got < 0) {
			st = clx_fail(ctx, CLX_ERR_IO, "%s: read error: %s", name, strerror(errno));
			break;
		}
		if (got == 0)
			break; /* end of stream */
		if (n + (uint64_t)got > limit) {
			st = clx_fail(ctx, CLX_ERR_FORMAT, "%s: more than the %llu-byte limit", name,
				      (unsigned long long)limit);
			break;
		}
		if (out_fd >= 0) {
			if (!clx_write_all(out_fd, chunk, (size_t)got)) {
				st = clx_fail(ctx, CLX_ERR_IO, "%s: cannot spool to a temporary file: %s",
					      name, strerror(errno));
				break;
			}
		} else {
			if (n + (uint64_t)got + 1 > cap) {
				uint64_t nc = cap ? cap * 2 : CHUNK;
				while (nc < n + (uint64_t)got + 1)
					nc *= 2;
				if (nc > limit + 1)
					nc = limit + 1;
				char *nb = clx_realloc(buf, (size_t)nc);
				if (!nb) {
					st = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", name);
					break;
				}
				buf = nb;
				cap = nc;
			}
			memcpy(buf + n, chunk, (size_t)got);
		}
		n += (uint64_t)got;
	}
	if (st != CLX_OK) {
		clx_free(buf);
		return st;
	}
	if (out_fd < 0) {
		if (!buf && !(buf = clx_malloc(1)))
			return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory", name);
		buf[n] = '\0';
		*out = buf;
	}
	*len = n;
	return CLX_OK;
}

enum clx_status clx_file_read(struct clx_ctx *ctx, const char *path, size_t limit, char **out,
			      size_t *len)
{
	*out = NULL;
	*len = 0;
	int fd;
	bool stream;
	int64_t size;
	enum clx_status st = clx_input_open(ctx, path, true, &fd, &stream, &size);
	if (st != CLX_OK)
		return st;
	const char *name = strcmp(path, "-") == 0 ? "standard input" : path;
	if (stream) {
		uint64_t n = 0;
		st = clx_input_drain(ctx, name, fd, limit, clx_input_timeout(), -1, out, &n);
		*len = (size_t)n;
		close(fd);
		return st;
	}
	char *buf = NULL;
	if ((uint64_t)size > limit) {
		st = clx_fail(ctx, CLX_ERR_FORMAT, "%s: %lld bytes is over the %zu-byte limit", name,
			      (long long)size, limit);
		goto done;
	}
	size_t n = (size_t)size, got = 0;
	if (!(buf = clx_malloc(n + 1))) {
		st = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory (%zu bytes)", name, n + 1);
		goto done;
	}
	/* One byte more than expected notices a file that grew. */
	for (;;) {
		ssize_t r = read(fd, buf + got, n + 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			st = clx_fail(ctx, CLX_ERR_IO, "%s: read error: %s", name, strerror(errno));
			goto done;
		}
		if (r == 0 || (got += (size_t)r) == n + 1)
			break;
	}
	if (got != n) {
		st = clx_fail(ctx, CLX_ERR_IO, "%s: file changed size while reading", name);
		goto done;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
done:
	clx_free(buf);
	close(fd);
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
