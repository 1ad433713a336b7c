/* main.c — clx-profile, the cross-device profiler (profile.h). `clx profile`
 * runs the same code from the clx command line. */
#include "profile.h"

int main(int argc, char **argv)
{
	return prof_main("clx-profile", false, argc - 1, argv + 1);
}
