/* cl_device.c — OpenCL platform and device discovery: what the registry
 * lists (selection by spec is the registry's, runtime/engine/backend.c).
 *
 * Platforms with zero devices (Mesa's Clover here) are skipped, keeping
 * their index so ids match clinfo's numbering. A platform whose device
 * query fails for another reason is skipped too: one broken ICD must not
 * hide the others. Not here: contexts and queues (cl_backend.c). */
#include "cl_internal.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------ info queries */

/* The end of a string query into buf (pre-set to ""): "?" when it failed,
 * NUL-terminated in any case, trailing characters of `trim` removed (the
 * spaces, and for device strings newlines, some drivers leave). */
static void info_str_done(cl_int err, char *buf, size_t cap, const char *trim)
{
	if (err != CL_SUCCESS)
		snprintf(buf, cap, "?");
	buf[cap - 1] = '\0';
	size_t n = strlen(buf);
	while (n > 0 && strchr(trim, buf[n - 1]))
		buf[--n] = '\0';
}

static void dev_str(cl_device_id d, cl_device_info what, char *buf, size_t cap)
{
	buf[0] = '\0';
	info_str_done(CLW(clGetDeviceInfo, d, what, cap - 1, buf, NULL), buf, cap, " \n");
}

static void plat_str(cl_platform_id p, cl_platform_info what, char *buf, size_t cap)
{
	buf[0] = '\0';
	info_str_done(CLW(clGetPlatformInfo, p, what, cap - 1, buf, NULL), buf, cap, " ");
}

static cl_uint dev_uint(cl_device_id d, cl_device_info what)
{
	cl_uint v = 0;
	if (CLW(clGetDeviceInfo, d, what, sizeof v, &v, NULL) != CL_SUCCESS)
		return 0;
	return v;
}

static cl_ulong dev_ulong(cl_device_id d, cl_device_info what)
{
	cl_ulong v = 0;
	if (CLW(clGetDeviceInfo, d, what, sizeof v, &v, NULL) != CL_SUCCESS)
		return 0;
	return v;
}

static bool has_extension(cl_device_id d, const char *ext)
{
	size_t n = 0;
	if (CLW(clGetDeviceInfo, d, CL_DEVICE_EXTENSIONS, 0, NULL, &n) != CL_SUCCESS || n == 0)
		return false;
	char *s = clx_malloc(n + 1);
	if (!s)
		return false;
	bool found = false;
	if (CLW(clGetDeviceInfo, d, CL_DEVICE_EXTENSIONS, n, s, NULL) == CL_SUCCESS) {
		s[n] = '\0';
		size_t el = strlen(ext);
		for (const char *p = s; (p = strstr(p, ext)) != NULL; p += el)
			if ((p == s || p[-1] == ' ') && (p[el] == ' ' || p[el] == '\0')) {
				found = true;
				break;
			}
	}
	clx_free(s);
	return found;
}

static void fill_info(struct cl_dev *d, int pi, int di)
{
	struct clx_device_info *x = &d->info;
	cl_device_id id = d->device;
	memset(x, 0, sizeof *x);
	snprintf(x->backend, sizeof x->backend, "opencl");
	snprintf(x->id, sizeof x->id, "cl:%d:%d", pi, di);
	x->platform = pi;
	x->device = di;
	dev_str(id, CL_DEVICE_NAME, x->name, sizeof x->name);
	dev_str(id, CL_DEVICE_VENDOR, x->vendor, sizeof x->vendor);
	dev_str(id, CL_DEVICE_VERSION, x->device_version, sizeof x->device_version);
	dev_str(id, CL_DEVICE_OPENCL_C_VERSION, x->opencl_c_version, sizeof x->opencl_c_version);
	dev_str(id, CL_DRIVER_VERSION, x->driver_version, sizeof x->driver_version);
	plat_str(d->platform, CL_PLATFORM_NAME, x->platform_name, sizeof x->platform_name);
	plat_str(d->platform, CL_PLATFORM_VERSION, x->platform_version, sizeof x->platform_version);
	cl_device_type t = 0;
	if (CLW(clGetDeviceInfo, id, CL_DEVICE_TYPE, sizeof t, &t, NULL) != CL_SUCCESS)
		t = 0;
	if (t & CL_DEVICE_TYPE_GPU)
		x->type = "GPU", x->type_rank = 3;
	else if (t & CL_DEVICE_TYPE_ACCELERATOR)
		x->type = "ACCELERATOR", x->type_rank = 2;
	else if (t & CL_DEVICE_TYPE_CPU)
		x->type = "CPU", x->type_rank = 1;
	else if (t & CL_DEVICE_TYPE_CUSTOM)
		x->type = "CUSTOM", x->type_rank = 0;
	else
		x->type = "DEFAULT", x->type_rank = 0;
	x->compute_units = dev_uint(id, CL_DEVICE_MAX_COMPUTE_UNITS);
	x->clock_mhz = dev_uint(id, CL_DEVICE_MAX_CLOCK_FREQUENCY);
	x->global_mem = dev_ulong(id, CL_DEVICE_GLOBAL_MEM_SIZE);
	x->local_mem = dev_ulong(id, CL_DEVICE_LOCAL_MEM_SIZE);
	x->max_alloc = dev_ulong(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE);
	size_t wg = 0;
	if (CLW(clGetDeviceInfo, id, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof wg, &wg, NULL) != CL_SUCCESS)
		wg = 1;
	x->max_work_group = wg;
	x->base_align_bits = dev_uint(id, CL_DEVICE_MEM_BASE_ADDR_ALIGN);
	cl_bool unified = CL_FALSE;
	if (CLW(clGetDeviceInfo, id, CL_DEVICE_HOST_UNIFIED_MEMORY, sizeof unified, &unified, NULL) !=
	    CL_SUCCESS)
		unified = CL_FALSE;
	x->host_unified = unified == CL_TRUE;
	x->fp16 = has_extension(id, "cl_khr_fp16");
	cl_device_fp_config dfp = 0;
	if (CLW(clGetDeviceInfo, id, CL_DEVICE_DOUBLE_FP_CONFIG, sizeof dfp, &dfp, NULL) != CL_SUCCESS)
		dfp = 0;
	x->fp64 = dfp != 0 || has_extension(id, "cl_khr_fp64");
	x->vec_char = dev_uint(id, CL_DEVICE_PREFERRED_VECTOR_WIDTH_CHAR);
	x->vec_short = dev_uint(id, CL_DEVICE_PREFERRED_VECTOR_WIDTH_SHORT);
	x->vec_int = dev_uint(id, CL_DEVICE_PREFERRED_VECTOR_WIDTH_INT);
	x->vec_long = dev_uint(id, CL_DEVICE_PREFERRED_VECTOR_WIDTH_LONG);
	x->vec_float = dev_uint(id, CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT);
	x->vec_double = dev_uint(id, CL_DEVICE_PREFERRED_VECTOR_WIDTH_DOUBLE);
	x->vec_half = dev_uint(id, CL_DEVICE_PREFERRED_VECTOR_WIDTH_HALF);
}

/* ------------------------------------------------------------ enumeration */

enum { MAX_PLATFORMS = 64, MAX_DEVICES = 64 };

enum clx_status cl_enumerate(struct clx_ctx *ctx, struct cl_dev **out, int *n)
{
	*out = NULL;
	*n = 0;
	cl_platform_id plats[MAX_PLATFORMS];
	cl_uint np = 0;
	cl_int err = CLW(clGetPlatformIDs, MAX_PLATFORMS, plats, &np);
	if (err == -1001 /* CL_PLATFORM_NOT_FOUND_KHR */ || (err == CL_SUCCESS && np == 0))
		return clx_fail(ctx, CLX_ERR_NOT_FOUND,
				"no OpenCL platform found (is an ICD installed? see clinfo)");
	if (err != CL_SUCCESS)
		return clx_fail(ctx, CLX_ERR_DEVICE, "clGetPlatformIDs failed: %s (%d)",
				clw_error_name(err), err);
	if (np > MAX_PLATFORMS)
		np = MAX_PLATFORMS;

	struct cl_dev *devs = NULL;
	int count = 0, cap = 0;
	for (cl_uint p = 0; p < np; p++) {
		cl_device_id ids[MAX_DEVICES];
		cl_uint nd = 0;
		err = CLW(clGetDeviceIDs, plats[p], CL_DEVICE_TYPE_ALL, MAX_DEVICES, ids, &nd);
		if (err != CL_SUCCESS || nd == 0)
			continue; /* CL_DEVICE_NOT_FOUND: a platform without devices */
		if (nd > MAX_DEVICES)
			nd = MAX_DEVICES;
		for (cl_uint d = 0; d < nd; d++) {
			if (count == cap) {
				int nc = cap ? 2 * cap : 8;
				struct cl_dev *nv = clx_realloc(devs, (size_t)nc * sizeof *nv);
				if (!nv) {
					clx_free(devs);
					return clx_fail(ctx, CLX_ERR_NOMEM,
							"out of memory listing OpenCL devices");
				}
				devs = nv;
				cap = nc;
			}
			devs[count].platform = plats[p];
			devs[count].device = ids[d];
			fill_info(&devs[count], (int)p, (int)d);
			count++;
		}
	}
	cl_test_leak();
	*out = devs;
	*n = count;
	return CLX_OK;
}

enum clx_status cl_find(struct clx_ctx *ctx, int platform, int device, struct cl_dev *out)
{
	cl_platform_id plats[MAX_PLATFORMS];
	cl_device_id ids[MAX_DEVICES];
	cl_uint np = 0, nd = 0;
	cl_int err = CLW(clGetPlatformIDs, MAX_PLATFORMS, plats, &np);
	if (err == CL_SUCCESS && platform >= 0 && (cl_uint)platform < np && platform < MAX_PLATFORMS)
		err = CLW(clGetDeviceIDs, plats[platform], CL_DEVICE_TYPE_ALL, MAX_DEVICES, ids, &nd);
	if (err != CL_SUCCESS || platform < 0 || (cl_uint)platform >= np || device < 0 ||
	    (cl_uint)device >= nd || device >= MAX_DEVICES)
		return clx_fail(ctx, CLX_ERR_NOT_FOUND, "device cl:%d:%d: no longer present (%s)", platform,
				device, err == CL_SUCCESS ? "not listed" : clw_error_name(err));
	out->platform = plats[platform];
	out->device = ids[device];
	fill_info(out, platform, device);
	return CLX_OK;
}

enum clx_status cl_list(struct clx_ctx *ctx, struct clx_device_info **out, int *n, char *note,
			size_t cap)
{
	*out = NULL;
	*n = 0;
	struct cl_dev *devs = NULL;
	int nd = 0;
	enum clx_status st = cl_enumerate(ctx, &devs, &nd);
	if (st == CLX_ERR_NOT_FOUND) { /* no platform: not an error for a listing */
		snprintf(note, cap, "%s", clx_last_error(ctx));
		clx_clear_error(ctx);
		return CLX_OK;
	}
	if (st != CLX_OK)
		return st;
	struct clx_device_info *info = clx_calloc((size_t)nd + 1, sizeof *info);
	if (!info) {
		clx_free(devs);
		return clx_fail(ctx, CLX_ERR_NOMEM, "out of memory listing OpenCL devices");
	}
	for (int i = 0; i < nd; i++)
		info[i] = devs[i].info;
	clx_free(devs);
	if (nd == 0)
		snprintf(note, cap, "OpenCL platforms exist but none has a device (see clinfo)");
	*out = info;
	*n = nd;
	return CLX_OK;
}
