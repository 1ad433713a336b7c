/* cmd_devices.c — `clx devices [--json]`: every OpenCL device clx can use,
 * with the ids --device accepts and the one `--device cl` picks.
 *
 * No OpenCL platform at all (or a build without the OpenCL backend) is
 * not an error here: the list is empty, the reason is printed, exit 0.
 * The CPU reference is always available as `--device cpu`. */
#include "cli.h"

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
	"case-insensitive substring of a device name. Also:\n"
	"  vision=SPEC,text=SPEC[,prompt=SPEC]\n"
	"           a placement: the vision tower (with MIT) and the text tower on their\n"
	"           devices at once; prompt (the prompt generator and the logits) defaults\n"
	"           to the vision device. Tensors that cross devices are copied.\n"
	"  auto     the best device for vision and prompt, the next best for text unless\n"
	"           both are CPU devices (they share the host's cores); else one device.\n"
	"  SPEC@f16 an OpenCL device storing weights as half, computing in f32\n"
	"           (--precision f16 does it for every OpenCL device of a spec).\n"
	"  SPEC@f16-math  also the GEMM products in half: needs cl_khr_fp16 (\"fp16 yes\"\n"
	"           below) and a check on first use, else f32 arithmetic.\n"
	"A node a device cannot run (an op it lacks, a kernel its compiler rejects, a\n"
	"tensor it cannot hold) runs on the next device of the placement, else on the\n"
	"CPU reference; clx validate and clx-profile show where each node ran and why.\n";

static void print_json(const struct clx_device_list *l, int best)
{
	printf("{\"opencl\": %s, \"error\": ", l->opencl_built ? "true" : "false");
	if (l->note[0])
		cli_json_string(l->note);
	else
		printf("null");
	printf(", \"best\": ");
	if (best >= 0)
		cli_json_string(l->devs[best].id);
	else
		printf("null");
	printf(", \"devices\": [");
	int shown = 0;
	for (int i = 0; i < l->n; i++) {
		const struct clx_device_info *x = &l->devs[i];
		if (x->reference)
			continue;
		printf("%s\n  {\"id\": ", shown++ ? "," : "");
		cli_json_string(x->id);
		printf(", \"platform\": %d, \"device\": %d, \"name\": ", x->platform, x->device);
		cli_json_string(x->name);
		printf(", \"vendor\": ");
		cli_json_string(x->vendor);
		printf(", \"platform_name\": ");
		cli_json_string(x->platform_name);
		printf(", \"platform_version\": ");
		cli_json_string(x->platform_version);
		printf(", \"device_version\": ");
		cli_json_string(x->device_version);
		printf(", \"opencl_c_version\": ");
		cli_json_string(x->opencl_c_version);
		printf(", \"driver_version\": ");
		cli_json_string(x->driver_version);
		printf(", \"type\": ");
		cli_json_string(x->type);
		printf(", \"compute_units\": %u, \"clock_mhz\": %u, \"global_mem\": %llu, "
		       "\"local_mem\": %llu, \"max_alloc\": %llu, \"max_work_group\": %zu, "
		       "\"base_align_bits\": %u, \"host_unified_memory\": %s, \"fp16\": %s, "
		       "\"fp64\": %s, "
		       "\"preferred_vector_width\": {\"char\": %u, \"short\": %u, \"int\": %u, "
		       "\"long\": %u, \"float\": %u, \"double\": %u, \"half\": %u}}",
		       x->compute_units, x->clock_mhz, (unsigned long long)x->global_mem,
		       (unsigned long long)x->local_mem, (unsigned long long)x->max_alloc,
		       x->max_work_group, x->base_align_bits, x->host_unified ? "true" : "false",
		       x->fp16 ? "true" : "false", x->fp64 ? "true" : "false", x->vec_char,
		       x->vec_short, x->vec_int, x->vec_long, x->vec_float, x->vec_double, x->vec_half);
	}
	printf("%s]}\n", shown ? "\n" : "");
}

static void print_human(const struct clx_device_list *l, int best)
{
	const double gib = 1024.0 * 1024.0 * 1024.0;
	int shown = 0;
	for (int i = 0; i < l->n; i++) {
		const struct clx_device_info *x = &l->devs[i];
		if (x->reference)
			continue;
		shown++;
		printf("%s  %s  [%s]%s\n", x->id, x->name, x->type, i == best ? "  <- --device cl" : "");
		printf("    platform   %s (%s)\n", x->platform_name, x->platform_version);
		printf("    vendor     %s\n", x->vendor);
		printf("    versions   %s; %s; driver %s\n", x->device_version, x->opencl_c_version,
		       x->driver_version);
		printf("    compute    %u units at %u MHz, max work-group %zu\n", x->compute_units,
		       x->clock_mhz, x->max_work_group);
		printf("    memory     %.2f GiB global%s, %.0f KiB local, %.2f GiB max allocation, "
		       "base alignment %u bits\n",
		       (double)x->global_mem / gib, x->host_unified ? " (host memory)" : "",
		       (double)x->local_mem / 1024.0, (double)x->max_alloc / gib, x->base_align_bits);
		printf("    fp16 %s, fp64 %s; preferred vector widths char %u short %u int %u long %u "
		       "float %u double %u half %u\n",
		       x->fp16 ? "yes" : "no", x->fp64 ? "yes" : "no", x->vec_char, x->vec_short,
		       x->vec_int, x->vec_long, x->vec_float, x->vec_double, x->vec_half);
	}
	if (l->note[0])
		printf("%s\n", l->note);
	else if (shown == 0)
		printf("no OpenCL devices (platforms exist but have none; see clinfo)\n");
	printf("cpu  the plain-C reference (--device cpu)\n");
}

int cmd_devices(int argc, char **argv)
{
	struct cli_opt opts[] = {
		{ "json", false, NULL }, { "help", false, NULL }, { NULL, false, NULL },
	};
	int rc0 = cli_start("devices", argc, argv, opts, help);
	if (rc0 >= 0)
		return rc0;
	struct clx_ctx *ctx = clx_ctx_create();
	if (!ctx)
		return cli_usage_error("devices", "out of memory");
	struct clx_device_list l;
	enum clx_status st = clx_backend_list(ctx, &l);
	if (st != CLX_OK) {
		int rc = cli_fail(ctx, st);
		clx_ctx_free(ctx);
		return rc;
	}
	const int best = clx_device_select(ctx, &l, "cl"); /* -1: no OpenCL device */
	if (cli_flag(opts, "json"))
		print_json(&l, best);
	else
		print_human(&l, best);
	clx_device_list_release(&l);
	clx_ctx_free(ctx);
	return CLI_OK;
}
