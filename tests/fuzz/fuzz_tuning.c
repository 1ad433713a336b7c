/* fuzz_tuning.c — libFuzzer target for the tuning file (engine/tuning.c):
 * the input as $CLX_TUNE_FILE for a device. A bad file is a warning and
 * the defaults (never an error, crash, leak or sanitizer report); every
 * entry it keeps has a key and an implementation name. */
#include "clx/backend.h"
#include "engine/tuning.h"
#include "fuzz_input_file.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(void *user, const char *msg)
{
	(void)user;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_input_file(data, size);
	struct clx_ctx *ctx = clx_ctx_create();
	if (!path || !ctx) {
		clx_ctx_free(ctx);
		return 0;
	}
	clx_ctx_set_warning_handler(ctx, quiet, NULL);
	setenv("CLX_TUNE_FILE", path, 1);
	struct clx_device_info d;
	memset(&d, 0, sizeof d);
	strcpy(d.backend, "opencl");
	strcpy(d.id, "cl:0:0");
	/* the device of the seed corpus's real file (corpus/tuning/real.json) */
	strcpy(d.name, "pthread-haswell-AMD EPYC");
	strcpy(d.platform_name, "Portable Computing Language");
	strcpy(d.platform_version, "OpenCL 3.0 PoCL 3.1+debian  Linux, None+Asserts, RELOC, SPIR, "
				   "LLVM 15.0.6, SLEEF, DISTRO, POCL_DEBUG");
	strcpy(d.driver_version, "3.1+debian");
	struct clx_tuning *t = NULL;
	if (clx_tuning_load(ctx, &d, &t) != CLX_OK && t)
		abort(); /* failure leaves nothing behind */
	for (int i = 0; t && i < t->n; i++)
		if (!t->e[i].key[0] || !t->e[i].impl[0])
			abort();
	clx_tuning_free(t);
	clx_ctx_free(ctx);
	return 0;
}
