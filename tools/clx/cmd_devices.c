/* cmd_devices.c — `clx devices [--json]`: every OpenCL device clx can use,
 * with the ids --device accepts and the one `--device cl` picks.
 *
 * No OpenCL platform at all (or a build without the OpenCL backend) is
 * not an error here: the list is empty, the reason is printed, exit 0.
 * The CPU reference is always available as `--device cpu`. */
#include "cli.h"

#ifdef CLX_HAVE_OPENCL
#include "clx/cl.h"
#endif

#include <stdio.h>
#include <string.h>

static const char help[] =
	"usage: clx devices [--json]\n"
	"\n"
	"Lists OpenCL platforms and devices (platforms without devices are skipped).\n"
	"  --json   one JSON document on stdout\n"
	"\n"
	"--device accepts: cpu (the reference), cl (the best device: GPU over accelerator\n"
	"over CPU, then most compute units x clock), cl:P:D (an id below), or a\n"
	"case-insensitive substring of a device name.\n";

/* A JSON string literal of s. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

#ifdef CLX_HAVE_OPENCL
static void print_json(const struct clx_cl_device_info *d, int n, int best, const char *error)
{
	printf("{\"opencl\": true, \"error\": ");
	if (error)
		json_str(error);
	else
		printf("null");
	printf(", \"best\": ");
	if (best >= 0)
		json_str(d[best].id);
	else
		printf("null");
	printf(", \"devices\": [");
	for (int i = 0; i < n; i++) {
		const struct clx_cl_device_info *x = &d[i];
		printf("%s\n  {\"id\": ", i ? "," : "");
		json_str(x->id);
		printf(", \"platform\": %d, \"device\": %d, \"name\": ", x->platform, x->device);
		json_str(x->name);
		printf(", \"vendor\": ");
		json_str(x->vendor);
		printf(", \"platform_name\": ");
		json_str(x->platform_name);
		printf(", \"platform_version\": ");
		json_str(x->platform_version);
		printf(", \"device_version\": ");
		json_str(x->device_version);
		printf(", \"opencl_c_version\": ");
		json_str(x->opencl_c_version);
		printf(", \"driver_version\": ");
		json_str(x->driver_version);
		printf(", \"type\": ");
		json_str(x->type);
		printf(", \"compute_units\": %u, \"clock_mhz\": %u, \"global_mem\": %llu, "
		       "\"local_mem\": %llu, \"max_alloc\": %llu, \"max_work_group\": %zu, "
		       "\"base_align_bits\": %u, \"fp16\": %s, \"fp64\": %s, "
		       "\"preferred_vector_width\": {\"char\": %u, \"short\": %u, \"int\": %u, "
		       "\"long\": %u, \"float\": %u, \"double\": %u, \"half\": %u}}",
		       x->compute_units, x->clock_mhz, (unsigned long long)x->global_mem,
		       (unsigned long long)x->local_mem, (unsigned long long)x->max_alloc,
		       x->max_work_group, x->base_align_bits, x->fp16 ? "true" : "false",
		       x->fp64 ? "true" : "false", x->vec_char, x->vec_short, x->vec_int, x->vec_long,
		       x->vec_float, x->vec_double, x->vec_half);
	}
	printf("%s]}\n", n ? "\n" : "");
}

static void print_human(const struct clx_cl_device_info *d, int n, int best)
{
	const double gib = 1024.0 * 1024.0 * 1024.0;
	for (int i = 0; i < n; i++) {
		const struct clx_cl_device_info *x = &d[i];
		printf("%s  %s  [%s]%s\n", x->id, x->name, x->type, i == best ? "  <- --device cl" : "");
		printf("    platform   %s (%s)\n", x->platform_name, x->platform_version);
		printf("    vendor     %s\n", x->vendor);
		printf("    versions   %s; %s; driver %s\n", x->device_version, x->opencl_c_version,
		       x->driver_version);
		printf("    compute    %u units at %u MHz, max work-group %zu\n", x->compute_units,
		       x->clock_mhz, x->max_work_group);
		printf("    memory     %.2f GiB global, %.0f KiB local, %.2f GiB max allocation, "
		       "base alignment %u bits\n",
		       (double)x->global_mem / gib, (double)x->local_mem / 1024.0,
		       (double)x->max_alloc / gib, x->base_align_bits);
		printf("    fp16 %s, fp64 %s; preferred vector widths char %u short %u int %u long %u "
		       "float %u double %u half %u\n",
		       x->fp16 ? "yes" : "no", x->fp64 ? "yes" : "no", x->vec_char, x->vec_short,
		       x->vec_int, x->vec_long, x->vec_float, x->vec_double, x->vec_half);
	}
	if (n == 0)
		printf("no OpenCL devices (platforms exist but have none; see clinfo)\n");
	printf("cpu  the plain-C reference (--device cpu)\n");
}
#endif

int cmd_devices(int argc, char **argv)
{
	struct cli_opt opts[] = {
		{ "json", false, NULL }, { "help", false, NULL }, { NULL, false, NULL },
	};
	int rc0 = cli_start("devices", argc, argv, opts, help);
	if (rc0 >= 0)
		return rc0;
	const bool json = cli_flag(opts, "json");
#ifdef CLX_HAVE_OPENCL
	struct clx_ctx *ctx = clx_ctx_create();
	if (!ctx)
		return cli_usage_error("devices", "out of memory");
	struct clx_cl_device_info *devs = NULL;
	int n = 0;
	enum clx_status st = clx_cl_list_devices(ctx, &devs, &n);
	if (st != CLX_OK && st != CLX_ERR_NOT_FOUND) {
		int rc = cli_fail(ctx, st);
		clx_ctx_free(ctx);
		return rc;
	}
	const char *error = st == CLX_OK ? NULL : clx_last_error(ctx);
	const int best = n > 0 ? clx_cl_select(ctx, devs, n, "cl") : -1;
	if (json)
		print_json(devs, n, best, error);
	else if (error)
		printf("%s\ncpu  the plain-C reference (--device cpu)\n", error);
	else
		print_human(devs, n, best);
	clx_cl_devices_free(devs);
	clx_ctx_free(ctx);
#else
	const char *msg = "this clx was built without the OpenCL backend";
	if (json) {
		printf("{\"opencl\": false, \"error\": ");
		json_str(msg);
		printf(", \"best\": null, \"devices\": []}\n");
	} else {
		printf("%s\ncpu  the plain-C reference (--device cpu)\n", msg);
	}
#endif
	return CLI_OK;
}
