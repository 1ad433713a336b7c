/* file.h — opening and reading inputs without ever blocking past a
 * deadline. Internal; clx_file_read is public (clx.h).
 *
 * Every input path of clx is opened through clx_input_open: with O_NONBLOCK,
 * so a FIFO with no writer cannot hang open(). Regular files are read as
 * files. FIFOs, pipes and sockets (and "-", standard input) are streams:
 * read to their end with poll(), each wait bounded by the input deadline
 * (clx_input_timeout). Directories and device nodes are refused. */
#ifndef CLX_CORE_FILE_H
#define CLX_CORE_FILE_H

#include "clx/clx.h"

#include <stdbool.h>
#include <stdint.h>

/* Opens path for reading ("-": a duplicate of standard input) into *fd
 * (close it), in blocking mode, with *stream set for a FIFO, pipe, socket
 * or terminal, and *size the byte count of a regular file (-1 for a
 * stream); either may be NULL. With allow_stream false a stream is refused ("PATH: not a
 * regular file (a FIFO or pipe); give the file itself"). Errors name the
 * path: missing → CLX_ERR_NOT_FOUND; a symbolic link loop, a directory, a
 * device node → CLX_ERR_IO with what it is. */
enum clx_status clx_input_open(struct clx_ctx *ctx, const char *path, bool allow_stream, int *fd,
			       bool *stream, int64_t *size);

/* Waits until stream fd has data or its end, at most timeout_s seconds
 * ("NAME: no data for N s" on the deadline); EINTR is retried. */
enum clx_status clx_input_wait(struct clx_ctx *ctx, const char *name, int fd, double timeout_s);

/* Reads stream fd to its end: at most `limit` bytes, no wait for data
 * longer than timeout_s seconds. Into a new clx_malloc'ed buffer with a NUL
 * after the last byte (*out, *len) when out_fd < 0, else appended to out_fd
 * (*out untouched, *len the byte count). Over the limit → CLX_ERR_FORMAT;
 * the deadline → CLX_ERR_IO "NAME: no data for N s (a FIFO without a
 * writer?)". */
enum clx_status clx_input_drain(struct clx_ctx *ctx, const char *name, int fd, uint64_t limit,
				double timeout_s, int out_fd, char **out, uint64_t *len);

/* The longest wait for input data, in seconds: $CLX_INPUT_TIMEOUT when it
 * is a number > 0, else CLX_INPUT_TIMEOUT_S (limits.h). */
double clx_input_timeout(void);

#endif
