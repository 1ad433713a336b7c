#!/usr/bin/env bash
# test_install.sh BUILD_DIR [CFLAGS...] — `cmake --install` into a temp
# prefix, then examples/classify_videos.c built only from what is installed,
# and one program built the same way twice: with
# clx.pc (pkg-config --static) and with find_package(clx CONFIG) in a CMake
# project linking clx::clx (extra CFLAGS: the sanitizer flags of a
# sanitizer build).
set -u
build=$1
shift
extra=("$@")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { if eval "$1"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $2" >&2; fi; }

check 'cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/log" 2>&1' "cmake --install: $(cat "$tmp/log" 2>/dev/null)"
pc=$(find "$tmp/prefix" -name clx.pc | head -1)
check '[ -n "$pc" ]' "clx.pc installed"
check '[ -x "$tmp/prefix/bin/clx" ]' "clx installed"
check '[ -f "$tmp/prefix/include/clx/xclip.h" ]' "headers installed"
cat >"$tmp/use.c" <<'C'
#include <clx/clx.h>
#include <clx/backend.h>
#include <stdio.h>
int main(void)
{
	struct clx_ctx *ctx = clx_ctx_create();
	struct clx_backend *be = NULL;
	if (clx_backend_open(ctx, "cpu", &be) != CLX_OK)
		return 1;
	printf("%s %s\n", CLX_VERSION_STRING, clx_backend_name(be));
	clx_backend_free(be);
	clx_ctx_free(ctx);
	return 0;
}
C
export PKG_CONFIG_PATH=$(dirname "$pc")
check 'cc -std=c11 "${extra[@]}" "$tmp/use.c" $(pkg-config --cflags clx) $(pkg-config --libs --static clx) -o "$tmp/use" 2>"$tmp/cc"' \
  "compile against installed clx (pkg-config --static)"
[ -s "$tmp/cc" ] && cat "$tmp/cc" >&2
check '"$tmp/use" | grep -q " cpu$"' "program runs"
# the C API example (run by test_example_classify_*) needs only what is installed
example=$(dirname "$0")/../../examples/classify_videos.c
check 'cc -std=c11 "${extra[@]}" "$example" $(pkg-config --cflags clx) $(pkg-config --libs --static clx) -o "$tmp/example" 2>"$tmp/cc"' \
  "compile examples/classify_videos.c against installed clx: $(cat "$tmp/cc")"
check '"$tmp/example" 2>&1 | grep -q "^usage:"' "the installed-built example runs"
check '[ -f "$tmp/prefix/lib/cmake/clx/clxConfig.cmake" ] || [ -f "$tmp/prefix/lib64/cmake/clx/clxConfig.cmake" ]' "clxConfig.cmake installed"
mkdir -p "$tmp/proj"
cp "$tmp/use.c" "$tmp/proj/"
cat >"$tmp/proj/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.16)
project(use_clx C)
find_package(clx 0.1 CONFIG REQUIRED)
add_executable(use use.c)
target_link_libraries(use PRIVATE clx::clx)
CM
check 'cmake -S "$tmp/proj" -B "$tmp/proj/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_C_FLAGS="${extra[*]}" -DCMAKE_EXE_LINKER_FLAGS="${extra[*]}" >"$tmp/cm" 2>&1 && cmake --build "$tmp/proj/build" >>"$tmp/cm" 2>&1' \
  "a CMake project with find_package(clx CONFIG) builds: $(tail -20 "$tmp/cm" 2>/dev/null)"
check '"$tmp/proj/build/use" | grep -q " cpu$"' "the CMake-built program runs"
check '"$tmp/prefix/bin/clx" --version | grep -q "^clx "' "installed clx runs"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
