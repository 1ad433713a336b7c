/* replay.c — runs a libFuzzer target over files, without libFuzzer.
 *
 * Link with any file that defines LLVMFuzzerTestOneInput. Each argument is
 * a file or a folder (walked recursively, entries in sorted order); every
 * file is read whole and fed to the target once. A crash or sanitizer
 * report fails the test; otherwise it prints what it replayed and
 * "N passed, 0 failed". Zero inputs is a failure (a missing corpus must
 * not pass silently). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replayed, errors;

static void replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	if (!f) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		errors++;
		return;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			uint8_t *p = realloc(buf, cap);
			if (!p) {
				fprintf(stderr, "replay: out of memory reading %s\n", path);
				errors++;
				free(buf);
				fclose(f);
				return;
			}
			buf = p;
		}
		size_t r = fread(buf + len, 1, cap - len, f);
		len += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		errors++;
	} else {
		/* an exact-size copy, so ASan catches a read one past the end */
		uint8_t *exact = malloc(len ? len : 1);
		if (exact) {
			if (len)
				memcpy(exact, buf, len);
			LLVMFuzzerTestOneInput(exact, len);
			free(exact);
			replayed++;
		} else {
			errors++;
		}
	}
	free(buf);
	fclose(f);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void replay_path(const char *path)
{
	struct stat sb;
	if (stat(path, &sb) != 0) {
		fprintf(stderr, "replay: no such file or folder: %s\n", path);
		errors++;
		return;
	}
	if (!S_ISDIR(sb.st_mode)) {
		replay_file(path);
		return;
	}
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "replay: cannot open folder %s\n", path);
		errors++;
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue; /* ., .., and hidden files such as .gitignore */
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **p = realloc(names, cap * sizeof *names);
			if (!p)
				break;
			names = p;
		}
		size_t len = strlen(path) + strlen(e->d_name) + 2;
		if (!(names[n] = malloc(len)))
			break;
		snprintf(names[n], len, "%s/%s", path, e->d_name);
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n; i++) {
		replay_path(names[i]);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE_OR_FOLDER...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		replay_path(argv[i]);
	printf("replayed %d inputs from %d paths\n", replayed, argc - 1);
	printf("%d passed, %d failed\n", replayed, errors);
	if (replayed == 0)
		fprintf(stderr, "replay: no inputs found\n");
	return errors || replayed == 0 ? 1 : 0;
}
