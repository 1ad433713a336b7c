/* cache.c — where clx keeps what it can rebuild: program binaries (cl/),
 * measured device peaks (clx-profile) and, with them, anything else that
 * is keyed by device and version.
 *
 * $CLX_CACHE_DIR, else $XDG_CACHE_HOME/clx, else $HOME/.cache/clx; each
 * level is created when missing. CLX_NO_CACHE=1 turns every cache off. */
#include "clx/clx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool env_true(const char *name)
{
	const char *v = getenv(name);
	return v && *v && strcmp(v, "0") != 0;
}

static bool ensure_dir(const char *path)
{
	struct stat sb;
	if (stat(path, &sb) == 0)
		return S_ISDIR(sb.st_mode);
	return mkdir(path, 0755) == 0 || errno == EEXIST;
}

/* buf = fmt(a, b), true when it fits and the directory exists or was made. */
static bool join_dir(char *buf, size_t cap, const char *a, const char *b)
{
	return (size_t)snprintf(buf, cap, "%s/%s", a, b) < cap && ensure_dir(buf);
}

bool clx_cache_dir(char *buf, size_t cap, const char *sub)
{
	char base[1024];
	if (cap == 0)
		return false;
	buf[0] = '\0';
	if (env_true("CLX_NO_CACHE"))
		return false;
	const char *d = getenv("CLX_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	bool ok;
	if (d && *d)
		ok = (size_t)snprintf(base, sizeof base, "%s", d) < sizeof base && ensure_dir(base);
	else if (xdg && *xdg)
		ok = ensure_dir(xdg) && join_dir(base, sizeof base, xdg, "clx");
	else if (home && *home) {
		char dot[1024];
		ok = join_dir(dot, sizeof dot, home, ".cache") && join_dir(base, sizeof base, dot, "clx");
	} else
		ok = false;
	if (ok)
		ok = sub ? join_dir(buf, cap, base, sub) : (size_t)snprintf(buf, cap, "%s", base) < cap;
	if (!ok)
		buf[0] = '\0';
	return ok;
}

bool clx_cache_store(const char *path, const void *data, size_t n)
{
	char tmp[1200];
	static unsigned counter;
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld.%u", path, (long)getpid(), counter++) >=
	    sizeof tmp)
		return false;
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return false;
	bool ok = fwrite(data, 1, n, f) == n;
	ok = fflush(f) == 0 && ok;
	ok = fsync(fileno(f)) == 0 && ok;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		remove(tmp);
		return false;
	}
	return true;
}
