/* cl_sanitizer.c — what a sanitizer build (-DCLX_SANITIZE=ON) needs so that
 * LeakSanitizer reports clx's leaks and only clx's, in any process, with no
 * environment set up: ctest, `clx classify`, a user's program. Compiled into
 * libclx only in sanitizer builds (cl/CMakeLists.txt).
 *
 * The OpenCL drivers ocl-icd loads keep one-time allocations from their own
 * initialisers. Suppressing them by library needs each leak's stack to name
 * a library, and one did not: inside clGetDeviceIDs, Mesa's Clover loads
 * its gallium pipe driver (pipe_swrast.so), leaks 128 bytes in it and
 * dlcloses it again, so by LeakSanitizer's exit-time check the leak came
 * from "<unknown module>" and nothing could match it: every ASan run that
 * listed OpenCL devices exited 1. No flag set after the call can keep a
 * library that is already gone; instead dlclose is a no-op in sanitizer
 * builds (below), every library stays mapped until exit, and every driver
 * frame keeps its library's name.
 *
 * __lsan_default_suppressions and __lsan_default_options replace the
 * suppressions file the tests used to pass in LSAN_OPTIONS (an LSAN_OPTIONS
 * the user sets still adds to them). Nothing of clx is suppressed: each
 * entry names a third-party library, and cl_test_leak (below) proves a
 * clx leak still fails the run (tests/cli/test_asan_outside.sh). */
#include "cl_internal.h"

#include <dlfcn.h>
#include <stdlib.h>

/* Libraries stay loaded for the life of the process: this definition
 * interposes glibc's dlclose for every library (an executable's symbols come
 * first in the lookup), so a driver's dlclose unloads nothing. The only
 * cost is address space held until exit. */
int dlclose(void *handle)
{
	(void)handle;
	return 0;
}

/* The test hook: with CLX_TEST_LEAK=1 in a sanitizer build, device
 * discovery leaks one 64-byte block from clx's own code. */
void cl_test_leak(void)
{
	const char *v = getenv("CLX_TEST_LEAK");
	if (v && v[0] == '1') {
		void *volatile block = malloc(64);
		(void)block;
	}
}

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return
		/* the ICDs' one-time allocations (Debian 12: Mesa Clover's LLVM
		 * set-up and its pipe driver, rusticl's screen loading, PoCL),
		 * and ocl-icd's own */
		"leak:libMesaOpenCL.so\n"
		"leak:pipe_swrast.so\n"
		"leak:libRusticlOpenCL.so\n"
		"leak:libpocl.so\n"
		"leak:libOpenCL.so\n"
		/* blocks reachable only from thread-local storage, which is not
		 * scanned (use_tls=0 below): GLib's per-thread data and libsrt's,
		 * both loaded by FFmpeg's libavformat */
		"leak:libglib-2.0.so\n"
		"leak:libsrt-gnutls.so\n"
		/* glibc's record of a thread-local destructor registered by the
		 * drivers' C++/Rust thread_locals (rusticl's worker threads still
		 * run at exit). clx is C11: its _Thread_local variables have no
		 * destructors and never register one. */
		"leak:__cxa_thread_atexit_impl\n";
}

/* use_tls=0: once a kernel is compiled, PoCL's LLVM leaves a dynamic-TLS
 * record that LeakSanitizer's exit-time scan crashes on ("Tracer caught
 * signal 11", GCC 12's libsanitizer). clx keeps no heap pointer in TLS. */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "use_tls=0:print_suppressions=0";
}
