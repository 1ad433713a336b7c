#!/usr/bin/env bash
# test_cli_help.sh CLX — every command's --help and every option it lists:
#   - `clx CMD --help` exits 0 and starts with "usage: clx CMD";
#   - each --option in the help is known to the parser: without a value it
#     is "needs a value" (it takes one) or runs on to another error (a
#     flag); a flag given a value is "takes no value"; an option given twice
#     is "given twice", unless it is one of the repeatable ones;
#   - `--` ends options: after it, "--help" is an argument, not an option;
#   - numeric options take only plain decimal integers in range.
set -u
clx=$1 model=$2 video=$3
. "$(dirname "$0")/lib.sh"
commands=(classify embed preprocess run profile tokenize tune devices validate)

for c in "${commands[@]}"; do
  "$clx" "$c" --help >"$tmp/help" 2>"$tmp/err"
  rc=$?
  [ "$rc" -eq 0 ] && ok || bad "clx $c --help: exit $rc"
  head -1 "$tmp/help" | grep -q "^usage: clx $c" && ok || bad "clx $c --help: first line $(head -1 "$tmp/help")"
  # the options of the usage block (up to the first blank line) and of the
  # option list (lines that start with one); prose may name other commands'
  repeatable=" "
  case $c in classify | embed) repeatable=" --video --image --manifest " ;; esac
  opts=$( (sed '/^$/q' "$tmp/help"; grep -E '^ +--[a-z]' "$tmp/help" | sed -E 's/^ +(--[a-z0-9-]+).*/\1/') |
    grep -o -- '--[a-z][a-z0-9-]*' | sort -u | grep -vx -- '--help')
  [ -n "$opts" ] && ok || bad "clx $c --help lists no options"
  for o in $opts; do
    "$clx" "$c" "$o" </dev/null >"$tmp/out" 2>"$tmp/err"
    grep -q "unknown option" "$tmp/err" && { bad "clx $c: $o is in --help but unknown: $(cat "$tmp/err")"; continue; }
    ok
    if grep -q "option $o needs a value" "$tmp/err"; then
      case "$repeatable" in
        *" $o "*) "$clx" "$c" "$o=x" "$o=y" --bogus </dev/null >"$tmp/out" 2>"$tmp/err"
                  grep -q "given twice" "$tmp/err" && bad "clx $c: $o is repeatable" || ok ;;
        *) "$clx" "$c" "$o=1" "$o=1" </dev/null >"$tmp/out" 2>"$tmp/err"
           grep -q "option ${o#--} given twice\|option $o given twice" "$tmp/err" && ok \
             || bad "clx $c $o=1 $o=1: not refused as given twice: $(cat "$tmp/err")" ;;
      esac
    else
      "$clx" "$c" "$o=1" </dev/null >"$tmp/out" 2>"$tmp/err"
      grep -q "takes no value" "$tmp/err" && ok || bad "clx $c $o=1 (a flag): $(cat "$tmp/err")"
      "$clx" "$c" "$o" "$o" </dev/null >"$tmp/out" 2>"$tmp/err"
      grep -q "given twice" "$tmp/err" && ok || bad "clx $c $o $o: not refused as given twice: $(cat "$tmp/err")"
    fi
  done
  # after --, "--help" is an argument
  "$clx" "$c" -- --help </dev/null >"$tmp/out" 2>"$tmp/err"
  rc=$?
  grep -q "^usage:" "$tmp/out" && bad "clx $c -- --help printed the help" || ok
  [ "$rc" -ne 0 ] || [ "$c" = tokenize ] && ok || bad "clx $c -- --help: exit 0"
done

# numbers: only plain decimal integers, in range, in otherwise complete commands
num() { # OPTION GOOD CMD ARGS...: each bad spelling of GOOD is refused naming the option
  local o=$1 good=$2
  shift 2
  for v in "${good}x" " $good" "+$good" "0x1$good" "" "99999999999999999999" "1e3" "-$good"; do
    "$clx" "$@" "$o" "$v" </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 2 ] && grep -q -- "$o" "$tmp/err" && ok || bad "clx $1 $o '$v': exit $rc: $(cat "$tmp/err")"
  done
}
for o in --batch --decode-threads --frames --shards; do
  num "$o" 2 classify --model "$model" --video "$video" --labels a
done
num --seed 1 classify --model "$model" --video "$video" --labels a --sample consecutive
for o in --batch --prompts --tokens --runs --warmup --top; do num "$o" 2 profile --model "$model" --device cpu; done
for o in --batch --prompts --tokens --runs --budget; do num "$o" 2 tune --model "$model"; done
num --max-length 8 tokenize --model "$model" "a text"
num --frames 8 preprocess --model "$model" --video "$video" --out "$tmp/p.npy"
finish
