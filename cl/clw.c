/* clw.c — failure injection for the cl* wrapper (clw.h) and error names.
 *
 * Configured by clx_cl_inject_failure() or, for a whole process, by the
 * environment variable CLX_CL_FAIL=fn:nth:code[:count] read on the first
 * wrapped call. Not thread-safe; tests only. */
#include "clw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int clw_code;

static struct {
	bool env_read;
	char fn[64];
	int nth;       /* fail calls nth … nth + count − 1 (1-based) */
	int count;
	int code;
	int seen;      /* calls of fn since configured */
	int fired;
} inj;

struct code_name {
	int code;
	const char *name;
};

#define N(x) { x, #x }
static const struct code_name names[] = {
	N(CL_SUCCESS), N(CL_DEVICE_NOT_FOUND), N(CL_DEVICE_NOT_AVAILABLE),
	N(CL_COMPILER_NOT_AVAILABLE), N(CL_MEM_OBJECT_ALLOCATION_FAILURE),
	N(CL_OUT_OF_RESOURCES), N(CL_OUT_OF_HOST_MEMORY), N(CL_PROFILING_INFO_NOT_AVAILABLE),
	N(CL_MEM_COPY_OVERLAP), N(CL_IMAGE_FORMAT_MISMATCH), N(CL_IMAGE_FORMAT_NOT_SUPPORTED),
	N(CL_BUILD_PROGRAM_FAILURE), N(CL_MAP_FAILURE), N(CL_MISALIGNED_SUB_BUFFER_OFFSET),
	N(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST), N(CL_COMPILE_PROGRAM_FAILURE),
	N(CL_LINKER_NOT_AVAILABLE), N(CL_LINK_PROGRAM_FAILURE), N(CL_DEVICE_PARTITION_FAILED),
	N(CL_KERNEL_ARG_INFO_NOT_AVAILABLE), N(CL_INVALID_VALUE), N(CL_INVALID_DEVICE_TYPE),
	N(CL_INVALID_PLATFORM), N(CL_INVALID_DEVICE), N(CL_INVALID_CONTEXT),
	N(CL_INVALID_QUEUE_PROPERTIES), N(CL_INVALID_COMMAND_QUEUE), N(CL_INVALID_HOST_PTR),
	N(CL_INVALID_MEM_OBJECT), N(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR), N(CL_INVALID_IMAGE_SIZE),
	N(CL_INVALID_SAMPLER), N(CL_INVALID_BINARY), N(CL_INVALID_BUILD_OPTIONS),
	N(CL_INVALID_PROGRAM), N(CL_INVALID_PROGRAM_EXECUTABLE), N(CL_INVALID_KERNEL_NAME),
	N(CL_INVALID_KERNEL_DEFINITION), N(CL_INVALID_KERNEL), N(CL_INVALID_ARG_INDEX),
	N(CL_INVALID_ARG_VALUE), N(CL_INVALID_ARG_SIZE), N(CL_INVALID_KERNEL_ARGS),
	N(CL_INVALID_WORK_DIMENSION), N(CL_INVALID_WORK_GROUP_SIZE), N(CL_INVALID_WORK_ITEM_SIZE),
	N(CL_INVALID_GLOBAL_OFFSET), N(CL_INVALID_EVENT_WAIT_LIST), N(CL_INVALID_EVENT),
	N(CL_INVALID_OPERATION), N(CL_INVALID_GL_OBJECT), N(CL_INVALID_BUFFER_SIZE),
	N(CL_INVALID_MIP_LEVEL), N(CL_INVALID_GLOBAL_WORK_SIZE), N(CL_INVALID_PROPERTY),
	N(CL_INVALID_IMAGE_DESCRIPTOR), N(CL_INVALID_COMPILER_OPTIONS), N(CL_INVALID_LINKER_OPTIONS),
	N(CL_INVALID_DEVICE_PARTITION_COUNT),
	{ -1001, "CL_PLATFORM_NOT_FOUND_KHR" },
	/* CLBlast's own status codes (clblast_c.h) */
	{ -1024, "CLBlastNotImplemented" }, { -1022, "CLBlastInvalidMatrixA" },
	{ -1021, "CLBlastInvalidMatrixB" }, { -1020, "CLBlastInvalidMatrixC" },
	{ -1017, "CLBlastInvalidDimension" }, { -1016, "CLBlastInvalidLeadDimA" },
	{ -1015, "CLBlastInvalidLeadDimB" }, { -1014, "CLBlastInvalidLeadDimC" },
	{ -1011, "CLBlastInsufficientMemoryA" }, { -1010, "CLBlastInsufficientMemoryB" },
	{ -1009, "CLBlastInsufficientMemoryC" }, { -2050, "CLBlastInsufficientMemoryTemp" },
	{ -2049, "CLBlastInvalidBatchCount" }, { -2046, "CLBlastInvalidLocalMemUsage" },
	{ -2041, "CLBlastDatabaseError" }, { -2040, "CLBlastUnknownError" },
	{ -2039, "CLBlastUnexpectedError" },
};
#undef N

const char *clw_error_name(int code)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].code == code)
			return names[i].name;
	return "unknown OpenCL error";
}

const char *clx_cl_error_name(int code)
{
	return clw_error_name(code);
}

/* "CL_OUT_OF_RESOURCES" or "-5" → the code; 0 if neither. */
static int parse_code(const char *s)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i].name, s) == 0)
			return names[i].code;
	return atoi(s);
}

void clx_cl_inject_failure(const char *fn, int nth, int code, int count)
{
	inj.env_read = true; /* an explicit setting overrides the environment */
	inj.fn[0] = '\0';
	inj.seen = inj.fired = 0;
	if (!fn || nth < 1 || code == 0)
		return;
	snprintf(inj.fn, sizeof inj.fn, "%s", fn);
	inj.nth = nth;
	inj.count = count < 1 ? 1 : count;
	inj.code = code;
}

int clx_cl_injected_count(void)
{
	return inj.fired;
}

int clx_cl_calls_seen(void)
{
	return inj.seen;
}

int clw_live_buffers;

int clx_cl_live_buffers(void)
{
	return clw_live_buffers;
}

static void read_env(void)
{
	inj.env_read = true;
	const char *e = getenv("CLX_CL_FAIL");
	if (!e || !*e)
		return;
	char buf[160], *save = NULL;
	snprintf(buf, sizeof buf, "%s", e);
	const char *fn = strtok_r(buf, ":", &save), *nth = strtok_r(NULL, ":", &save);
	const char *code = strtok_r(NULL, ":", &save), *count = strtok_r(NULL, ":", &save);
	if (fn && nth && code)
		clx_cl_inject_failure(fn, atoi(nth), parse_code(code), count ? atoi(count) : 1);
}

int clw_should_fail(const char *fn)
{
	if (!inj.env_read)
		read_env();
	if (!inj.fn[0] || (strcmp(inj.fn, "*") != 0 && strcmp(fn, inj.fn) != 0))
		return 0;
	inj.seen++;
	if (inj.seen < inj.nth || inj.seen >= inj.nth + inj.count)
		return 0;
	inj.fired++;
	clw_code = inj.code;
	return 1;
}
