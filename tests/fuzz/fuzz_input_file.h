/* fuzz_input_file.h — for targets whose entry point reads a path: the
 * input written to one scratch file per process (in /dev/shm when there
 * is one), rewritten for every input. */
#ifndef CLX_FUZZ_INPUT_FILE_H
#define CLX_FUZZ_INPUT_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The scratch file's path with the input in it, or NULL. */
static const char *fuzz_input_file(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0])
		snprintf(path, sizeof path, "%s/clx-fuzz-%ld",
			 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (long)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return NULL;
	const bool ok = fwrite(data, 1, size, f) == size;
	return fclose(f) == 0 && ok ? path : NULL;
}

#endif
