# lib.sh — the harness the CLI tests source: counters, and
#   expect RC NEEDLE -- ARGS...
# runs "$clx ARGS", checks the exit code is RC and, for RC 2 (bad usage or
# input) and 3 (a video failed), that stderr is exactly one line containing
# NEEDLE. Output lands in
# $tmp/out and $tmp/err for further checks. The caller sets $clx.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

expect() {
  local rc=$1 needle=$2; shift 3
  "$clx" "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  [ "$got" -eq "$rc" ] && ok || bad "clx $* -> exit $got, want $rc: $(cat "$tmp/err")"
  if [ "$rc" -eq 2 ] || [ "$rc" -eq 3 ]; then
    [ "$(wc -l <"$tmp/err")" -eq 1 ] && ok || bad "clx $* -> stderr not one line: $(cat "$tmp/err")"
    grep -qF -- "$needle" "$tmp/err" && ok || bad "clx $* -> stderr lacks '$needle': $(cat "$tmp/err")"
  fi
}

# has out|err TEXT: the last command's stdout / stderr contains TEXT
has() { grep -qF -- "$2" "$tmp/$1" && ok || bad "$1 lacks '$2': $(tail -20 "$tmp/$1")"; }
# lacks out|err TEXT: it does not
lacks() { grep -qF -- "$2" "$tmp/$1" && bad "$1 has '$2': $(tail -20 "$tmp/$1")" || ok; }

finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
