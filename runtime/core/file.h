/* file.h — reading a whole small file (JSON configs, tokenizer files) with
 * a size cap checked before anything is allocated. Internal. */
#ifndef CLX_CORE_FILE_H
#define CLX_CORE_FILE_H

#include "clx/clx.h"

/* Reads the regular file `path` (at most `limit` bytes) into a new
 * clx_malloc'ed buffer with a NUL after the last byte. Errors name the path:
 * missing → CLX_ERR_NOT_FOUND "PATH: No such file or directory"; not a
 * regular file, unreadable, or changed size while read → CLX_ERR_IO; over
 * the limit → CLX_ERR_FORMAT "PATH: N bytes is over the LIMIT-byte limit". */
enum clx_status clx_file_read(struct clx_ctx *ctx, const char *path, size_t limit, char **out,
			      size_t *len);

#endif
