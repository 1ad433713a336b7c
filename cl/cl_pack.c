/* cl_pack.c — weights re-packed for the own GEMM (gemm.cl's panel layout),
 * and the on-disk cache of packed weights that makes a warm start cheap.
 *
 * A packed weight whose host data has a stable identity (the model's key:
 * file path, size, mtime, inode and tensor name) is kept in
 * <cache dir>/packed/<hash>.bin and mapped read-only; on a device whose
 * memory is host memory (CL_DEVICE_HOST_UNIFIED_MEMORY, PoCL) the mapping
 * is the device buffer (CL_MEM_USE_HOST_PTR), so a warm start packs,
 * copies and allocates nothing. Entry layout: a 4096-byte header (magic
 * "CLXPACK1", the key text, the data length and a sample fingerprint of the
 * source), then the packed floats, page-aligned. A missing, short, foreign
 * or stale entry (another key, another fingerprint) is rewritten, silently;
 * entries are written to a temporary file and renamed into place, so a
 * reader never sees half of one. Without a key or a cache directory
 * (CLX_NO_CACHE=1), or when writing fails, the weight is packed in memory.
 *
 * Not here: which weights are packed (cl_gemm.c) and residency
 * (cl_buffers.c). */
#define _DEFAULT_SOURCE /* mmap flags beside POSIX */
#include "cl_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum { HEADER = 4096 };
static const char magic[8] = { 'C', 'L', 'X', 'P', 'A', 'C', 'K', '1' };

size_t cl_pack_bytes(const struct cl_pack *p)
{
	const int64_t np = (p->N + p->nr - 1) / p->nr * p->nr;
	return (size_t)(np * p->K) * sizeof(float);
}

/* The packing, for elements of type T (a zero T pads the last panel). */
#define CL_PACK_BODY(T)                                                                      \
	const int64_t nr = p->nr, panels = (p->N + nr - 1) / nr;                               \
	for (int64_t q = 0; q < panels; q++)                                                   \
		for (int64_t k = 0; k < p->K; k++) {                                           \
			T *o = out + (q * p->K + k) * nr;                                      \
			for (int64_t j = 0; j < nr; j++) {                                     \
				const int64_t n = q * nr + j;                                  \
				o[j] = n >= p->N ? (T)0 : p->w_kn ? w[k * p->N + n] : w[n * p->K + k]; \
			}                                                                      \
		}

void cl_pack_host(const struct cl_pack *p, const float *w, float *out)
{
	CL_PACK_BODY(float)
}

void cl_pack_host_half(const struct cl_pack *p, const uint16_t *w, uint16_t *out)
{
	CL_PACK_BODY(uint16_t) /* IEEE half bits: 0 is +0.0 */
}

/* ------------------------------------------------------------------ cache */

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
	const unsigned char *s = data;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ull;
	return h;
}

/* The entry's key text and file path; false without a cache directory. */
static bool entry_of(const struct cl_pack *p, uint64_t key, uint64_t fp, char *text, size_t tcap,
		     char *path, size_t pcap)
{
	char dir[1024];
	if (!clx_cache_dir(dir, sizeof dir, "packed"))
		return false;
	snprintf(text, tcap,
		 "clx packed weight v1\nclx=%s\nkey=%016llx\nsource_fingerprint=%016llx\nnr=%d\n"
		 "w_kn=%d\nN=%lld\nK=%lld\n",
		 CLX_VERSION_STRING, (unsigned long long)key, (unsigned long long)fp, p->nr, p->w_kn,
		 (long long)p->N, (long long)p->K);
	const uint64_t h = fnv1a(0xcbf29ce484222325ull, text, strlen(text));
	return (size_t)snprintf(path, pcap, "%s/%016llx.bin", dir, (unsigned long long)h) < pcap;
}

/* Maps an entry that is valid for `text` and `bytes` of data; NULL otherwise. */
static void *map_entry(const char *path, const char *text, size_t bytes, size_t *len)
{
	const int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat sb;
	void *m = MAP_FAILED;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && (size_t)sb.st_size == HEADER + bytes)
		m = mmap(NULL, HEADER + bytes, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return NULL;
	const char *h = m;
	uint64_t stored = 0;
	memcpy(&stored, h + sizeof magic, sizeof stored);
	if (memcmp(h, magic, sizeof magic) != 0 || stored != bytes ||
	    strncmp(h + 16, text, HEADER - 16) != 0) {
		munmap(m, HEADER + bytes);
		return NULL;
	}
	*len = HEADER + bytes;
	return m;
}

/* Writes header + data to path through a temporary file; false on failure
 * (nothing is left behind). */
static bool write_entry(const char *path, const char *text, const float *data, size_t bytes)
{
	char tmp[1200], header[HEADER];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()) >= sizeof tmp)
		return false;
	memset(header, 0, sizeof header);
	memcpy(header, magic, sizeof magic);
	const uint64_t n = bytes;
	memcpy(header + sizeof magic, &n, sizeof n);
	snprintf(header + 16, HEADER - 16, "%s", text);
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return false;
	bool ok = fwrite(header, 1, HEADER, f) == HEADER && fwrite(data, 1, bytes, f) == bytes;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		remove(tmp);
		return false;
	}
	return true;
}

enum clx_status cl_pack_get(struct cl_backend *b, struct clx_ctx *ctx, const char *name,
			    const struct cl_pack *p, const float *host, uint64_t fp, uint64_t key,
			    struct cl_packed *out)
{
	memset(out, 0, sizeof *out);
	out->bytes = cl_pack_bytes(p);
	char text[512], path[1100];
	const bool cached = key && entry_of(p, key, fp, text, sizeof text, path, sizeof path);
	if (cached && (out->map = map_entry(path, text, out->bytes, &out->map_len)) != NULL) {
		out->data = (const float *)(const void *)((const char *)out->map + HEADER);
		out->from_cache = true;
		return CLX_OK;
	}
	float *packed = clx_malloc(out->bytes ? out->bytes : 1);
	if (!packed)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory packing weight '%s' (%zu bytes)",
				b->label, name, out->bytes);
	cl_pack_host(p, host, packed);
	if (cached && write_entry(path, text, packed, out->bytes) &&
	    (out->map = map_entry(path, text, out->bytes, &out->map_len)) != NULL) {
		clx_free(packed); /* the file's pages serve from now on */
		out->data = (const float *)(const void *)((const char *)out->map + HEADER);
		return CLX_OK;
	}
	out->owned = packed;
	out->data = packed;
	return CLX_OK;
}

void cl_packed_release(struct cl_packed *p)
{
	if (p->map)
		munmap(p->map, p->map_len);
	clx_free(p->owned);
	memset(p, 0, sizeof *p);
}
