#!/usr/bin/env bash
# test_install.sh BUILD_DIR [CFLAGS...] — `cmake --install` into a temp
# prefix, then a program built only from the installed headers, library and
# clx.pc (extra CFLAGS: the sanitizer flags of a sanitizer build).
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
check '"$tmp/prefix/bin/clx" --version | grep -q "^clx "' "installed clx runs"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
