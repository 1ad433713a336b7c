#!/usr/bin/env bash
# perf_report.sh — regenerates docs/PERFORMANCE.md (and docs/profile.png) on
# this machine: a benchmark, never a test.
#
#   1. builds clx-profile and clx-synth ($BUILD, default build-perf);
#   2. synthesises the base-patch32 model with clx-synth (seed 1234, the
#      base fixture's weights; 786 MB, not committed);
#   3. clx-profile on the base model: the CPU reference and PoCL ($RUNS timed
#      runs, default 5), and Mesa rusticl on llvmpipe ($RUSTICL_RUNS, default
#      1: about 1.5 min per forward there);
#   4. tools/dev/pytorch_profile.py on the same weights (its generator, seed
#      1234), same inputs and shapes, same threads (needs torch, transformers);
#   5. clx-profile --compare of all of them → $OUT/base.{json,html,txt}, and
#      the same for the tiny fixture with every device (seconds);
#   6. headless Chromium screenshot of the base page → docs/profile.png;
#   7. docs/PERFORMANCE.md from the JSON documents and lscpu.
#
# Environment: BUILD, OUT (default $BUILD/perf), RUNS, RUSTICL_RUNS,
# CLX_THREADS (default: every CPU; PyTorch gets the same), SKIP_RUSTICL=1,
# SKIP_PYTORCH=1, SKIP_BASE=1 (tiny only), CHROMIUM (default chromium).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
B=${BUILD:-build-perf}
OUT=${OUT:-$B/perf}
RUNS=${RUNS:-5}
RUSTICL_RUNS=${RUSTICL_RUNS:-1}
export CLX_THREADS=${CLX_THREADS:-$(nproc)}
CHROMIUM=${CHROMIUM:-chromium}

echo "== build ($B)"
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$B" -j"$(nproc)" --target clx_profile clx_synth >/dev/null
mkdir -p "$OUT"
prof="$B/clx-profile"

# clx-profile writes JSON even when a device fails (exit 1): keep going
run_profile() { "$prof" "$@" || [ $? -eq 1 ]; }
# the machine's load around each step goes into the report
: > "$OUT/load.txt"
load() { echo "$(date -u +%H:%M:%S) $1: load average $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/load.txt"; }

docs=()
if [ "${SKIP_BASE:-0}" = 0 ]; then
  echo "== base-patch32 model (clx-synth, seed 1234)"
  if [ ! -f "$B/base_model/model.safetensors" ]; then
    "$B/clx-synth" --config tests/fixtures/base/config.json --seed 1234 --out "$B/base_model"
  fi
  echo "== clx-profile: CPU reference + PoCL, base, $RUNS runs"
  load "start, CPU reference + PoCL (base)"
  run_profile --model "$B/base_model" --device cpu,pthread --runs "$RUNS" \
    --json "$OUT/base-clx.json" --csv "$OUT/base-clx.csv" --trace "$OUT/base-clx.trace.json" \
    > "$OUT/base-clx.txt"
  docs+=("$OUT/base-clx.json")
  if [ "${SKIP_RUSTICL:-0}" = 0 ]; then
    echo "== clx-profile: rusticl (llvmpipe), base, $RUSTICL_RUNS run(s)"
    load "rusticl (base)"
    RUSTICL_ENABLE=llvmpipe run_profile --model "$B/base_model" --device llvmpipe \
      --runs "$RUSTICL_RUNS" --json "$OUT/base-rusticl.json" > "$OUT/base-rusticl.txt"
    docs+=("$OUT/base-rusticl.json")
  fi
  if [ "${SKIP_PYTORCH:-0}" = 0 ]; then
    echo "== PyTorch (transformers XCLIPModel), base, $RUNS runs, $CLX_THREADS threads"
    load "PyTorch (base)"
    python3 tools/dev/pytorch_profile.py --model "$B/base_model" --seed 1234 --runs "$RUNS" \
      --threads "$CLX_THREADS" --json "$OUT/base-pytorch.json"
    docs+=("$OUT/base-pytorch.json")
  fi
  echo "== compare (base)"
  "$prof" --compare "${docs[@]}" --json "$OUT/base.json" --csv "$OUT/base.csv" \
    --html "$OUT/base.html" --trace "$OUT/base.trace.json" > "$OUT/base.txt" || true
  cat "$OUT/base.txt"
fi

echo "== tiny fixture: every device"
load "tiny fixture"
RUSTICL_ENABLE=llvmpipe run_profile --model tests/fixtures/tiny --device all --runs 10 \
  --json "$OUT/tiny-clx.json" > "$OUT/tiny-clx.txt"
tiny_docs=("$OUT/tiny-clx.json")
if [ "${SKIP_PYTORCH:-0}" = 0 ]; then
  python3 tools/dev/pytorch_profile.py --model tests/fixtures/tiny --seed 1 --runs 10 \
    --threads "$CLX_THREADS" --json "$OUT/tiny-pytorch.json"
  tiny_docs+=("$OUT/tiny-pytorch.json")
fi
"$prof" --compare "${tiny_docs[@]}" --json "$OUT/tiny.json" --html "$OUT/tiny.html" \
  > "$OUT/tiny.txt" || true
cat "$OUT/tiny.txt"

load "end"
page="$OUT/base.html"
[ -f "$page" ] || page="$OUT/tiny.html"
echo "== screenshot of $page → docs/profile.png"
"$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --screenshot="$root/docs/profile.png" --window-size=1400,1800 "file://$root/$page" 2>/dev/null

echo "== docs/PERFORMANCE.md"
OUT="$OUT" RUNS="$RUNS" RUSTICL_RUNS="$RUSTICL_RUNS" python3 - <<'PY'
import json, os, re, subprocess

out = os.environ["OUT"]
runs, rruns = os.environ["RUNS"], os.environ["RUSTICL_RUNS"]

def load(name):
    p = os.path.join(out, name)
    return json.load(open(p)) if os.path.exists(p) else None

def table(name):
    p = os.path.join(out, name)
    return open(p).read().strip("\n") if os.path.exists(p) else "(not run)"

def lscpu():
    keep = ("Model name", "CPU(s)", "Thread(s) per core", "Core(s) per socket", "Socket(s)",
            "L1d cache", "L2 cache", "L3 cache", "Hypervisor vendor", "Flags")
    rows = []
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        k, _, v = line.partition(":")
        if k.strip() in keep:
            v = v.strip()
            if k.strip() == "Flags":
                v = " ".join(f for f in v.split() if f in ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni"))
            rows.append(f"| {k.strip()} | {v} |")
    return "\n".join(rows)

def mem():
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal"):
            return f"{int(line.split()[1]) / 1048576:.1f} GiB"
    return "?"

base, tiny = load("base.json"), load("tiny.json")

def dev(doc, pred):
    for d in (doc or {}).get("devices", []):
        if pred(d):
            return d
    return None

def med(d):
    return (d or {}).get("latency", {}).get("median_s")

def fmt_s(x):
    return "-" if x is None else (f"{x:.2f} s" if x >= 1 else f"{x * 1e3:.1f} ms")

lines = []
if base:
    cpu = dev(base, lambda d: d["id"] == "cpu")
    pocl = dev(base, lambda d: "Portable Computing" in d.get("platform", ""))
    rust = dev(base, lambda d: d.get("platform", "") == "rusticl")
    torch = dev(base, lambda d: d["id"] == "torch:cpu")
    wfile = base["model"].get("weights_file_bytes") or 0
    if pocl and torch and med(pocl) and med(torch):
        r = med(pocl) / med(torch)
        verdict = ("meets the bar (at most PyTorch's)" if r <= 1 else
                   "within the intermediate 2x bar, not yet at PyTorch" if r <= 2 else
                   "misses even the intermediate 2x bar")
        lines.append(f"- **PoCL vs PyTorch CPU** (same threads): {fmt_s(med(pocl))} vs {fmt_s(med(torch))} "
                     f"median, **{r:.2f}x** PyTorch's latency: {verdict}.")
    if cpu and torch and med(cpu) and med(torch):
        lines.append(f"- **CPU reference** (plain C, f64 accumulation; clarity first): {fmt_s(med(cpu))}, "
                     f"{med(cpu) / med(torch):.1f}x PyTorch — the yardstick for correctness, not speed.")
    if rust and med(rust):
        lines.append(f"- **rusticl (llvmpipe)**: {fmt_s(med(rust))} per forward ({rruns} timed run(s)), "
                     f"{med(rust) / med(pocl):.1f}x PoCL; its node times are host-synchronized because its "
                     f"profiling timestamps do not advance." if pocl and med(pocl) else
                     f"- **rusticl (llvmpipe)**: {fmt_s(med(rust))} per forward.")
    for d in (pocl,):
        if not d:
            continue
        st = d["start"]
        if st.get("warm_s") is not None:
            prog = st.get("program_s")
            lines.append(f"- **Warm start on PoCL** (program binary cached): {fmt_s(st['warm_s'])} for backend + "
                         f"session, of which the program load is {fmt_s(prog)} and the rest is graph, plan and "
                         f"copying 750 MB of weights into PoCL's buffers — which reads the mmap'd file, so the bar's "
                         f"\"excluding weight read\" is not separable here; bar 0.5 s. Cold start (empty cache) "
                         f"{fmt_s(st.get('cold_s'))}; warm start to first result {fmt_s(st.get('first_result_s'))}.")
        bc = d["time"]["by_class"]
        tot = d["time"].get("node_sum_s") or 0
        wall = d["time"].get("wall_s") or 0
        if tot:
            g = bc["gemm"]["time_s"] or 0
            lines.append(f"- **Where PoCL's time goes** (profiled run): GEMM {100 * g / tot:.1f} %, non-GEMM kernels "
                         f"{100 * (tot - g) / tot:.1f} % of device time (bar 25 %); host/dispatch "
                         f"{100 * (wall - tot) / wall:.1f} % of the profiled run's wall (bar 10 %).")
            gf = (bc["gemm"]["flops"] or 0) / g * 1e-9 if g else 0
            pk = d["peak"].get("gflops")
            lines.append(f"- **GEMM efficiency on PoCL**: {gf:.1f} GFLOP/s over all GEMMs"
                         + (f", {100 * gf / pk:.0f} % of the measured {pk:.1f} GFLOP/s FMA peak." if pk else "."))
    for d in (cpu, pocl, rust, torch):
        if d and wfile and d["memory"].get("host_peak_rss_bytes"):
            rss = d["memory"]["host_peak_rss_bytes"]
            lines.append(f"- Peak host RSS, {d['id']}: {rss / 2**20:.0f} MiB = {rss / wfile:.2f}x the "
                         f"{wfile / 1e6:.0f} MB weight file (bar 1.3x).")
    for d in (pocl, rust, torch):
        if d and d["agreement"].get("max_abs_logits_diff") is not None:
            lines.append(f"- max |logits − CPU reference|, {d['id']}: {d['agreement']['max_abs_logits_diff']:.2e}.")

why = []
if base and pocl and torch and med(pocl) and med(torch):
    tg = (torch["time"]["by_class"]["gemm"]["time_s"] or 0)
    tgf = (torch["work"]["flops"] or 0) * 0.99 / tg * 1e-9 if tg else 0
    pg = pocl["time"]["by_class"]["gemm"]
    pgf = (pg["flops"] or 0) / pg["time_s"] * 1e-9 if pg["time_s"] else 0
    why.append(f"- **GEMM is the whole story on CPU-class devices.** GEMMs are {100 * (pg['time_s'] or 0) / (pocl['time']['node_sum_s'] or 1):.0f} % "
               f"of PoCL's device time. CLBlast's kernels, compiled by PoCL for these cores, run at {pgf:.1f} GFLOP/s; "
               f"PyTorch's oneDNN GEMMs reach about {tgf:.0f} GFLOP/s on the same two cores (GEMM self time in "
               f"torch.profiler). Attention, layer norm, elementwise and data movement together are a few percent, "
               f"and host dispatch is negligible at this size. Closing the gap to PyTorch needs a GEMM made for "
               f"CPU-class OpenCL devices (CLBlast tuned for PoCL, or an own kernel chosen per device "
               f"and shape), not work on the other kernels.")
    wfile = base["model"].get("weights_file_bytes") or 1
    r = (pocl["memory"].get("host_peak_rss_bytes") or 0) / wfile
    if r > 1.6:
        why.append(f"- **Peak memory ({r:.2f}x on PoCL).** PoCL's buffers live in host memory: the upload copies "
                   "the weights into them while the mmap'd file pages it read stay resident, so RSS is about the "
                   "file plus its copy. Dropping the file pages after the upload would bring it near 1x.")
    else:
        why.append(f"- **Peak memory ({r:.2f}x on PoCL).** PoCL's buffers live in host memory, so the device's "
                   "copy of the weights is host RSS; the backend drops the mmap'd file pages once the device holds "
                   "its copy, which leaves about one copy of the weights plus PoCL's runtime.")
    why.append("- The CPU reference uses the weights in place from the mmap; PyTorch holds its own copy plus the "
               "Python/torch runtime (and the generator's arrays it was built from).")
    if rust and med(rust):
        note = ""
        if rust["start"].get("program_from_cache") is False:
            note = (" Its warm start builds the program again: clx does not use the binary cache on rusticl "
                    "22.x, which aborts the process on a binary it cannot read.")
        why.append(f"- **rusticl** (Mesa 22.3, llvmpipe) computes correctly but CLBlast's kernels run far slower "
                   f"there than on PoCL ({fmt_s(med(rust))} per forward), and its profiling events report START = "
                   f"END, so clx-profile times its nodes on the host with a synchronize after each (node_timing "
                   f"\"host-synchronized\"): its per-node figures include dispatch and synchronisation.{note}")
    why.append("- **The CPU reference** is plain C with f64 accumulation and no intrinsics by design (docs/NUMERICS.md): "
               "it is the oracle, and its figures only say what portable C does here.")

rev = (base or tiny or {}).get("clx", {}).get("git_revision", "?")
rust_fwd = fmt_s(med(dev(base, lambda d: d.get("platform", "") == "rusticl"))) if base else "-"
created = (base or tiny or {}).get("created", "?")
doc = f"""# Performance

Generated by `tools/dev/perf_report.sh` (clx {rev}, {created}); do not edit by hand —
change the script and run it again. Formulas, definitions and the JSON schema:
docs/PROFILE.md. Everything below was measured side by side on one machine in
one sitting, on the same weights (the base fixture's synthetic weights, seed
1234, regenerated by clx-synth) and the same synthetic inputs (B = 1 video of
T = 8 frames, K = 3 prompts of L = 7 tokens).

## Machine

| | |
|---|---|
{lscpu()}
| Memory | {mem()} |
| Threads used | CLX_THREADS = {os.environ.get('CLX_THREADS', '?')} for the CPU reference, the same for PyTorch (torch.set_num_threads); PoCL uses its own pthread pool over every CPU |

A shared virtual machine with 2 cores: other engineers' builds and tests ran
beside the benchmark, so figures move between sittings (by 2–3× for the CPU
reference and PoCL at the worst); medians of {runs} runs are what the text
uses, and the load average around each step was:

```
{table('load.txt')}
```

## Where each stands (base-patch32 shapes)

{chr(10).join(lines) if lines else '(base model not run)'}

## What limits each

{chr(10).join(why) if why else '(base model not run)'}

## Base-patch32: CPU reference, PoCL, rusticl, PyTorch CPU

rusticl ran {rruns} timed run(s) on the base model ({rust_fwd} per forward on llvmpipe
here, so a few runs take minutes); PoCL, the CPU reference and PyTorch ran {runs}.

```
{table('base.txt')}
```

![clx-profile HTML report, base shapes](profile.png)

## Tiny fixture: every device

```
{table('tiny.txt')}
```

## Reproduce

```
tools/dev/perf_report.sh            # BUILD=build-perf RUNS=5 RUSTICL_RUNS=1
clx-profile --model build-perf/base_model --device all --html report.html --json report.json
```
"""
open("docs/PERFORMANCE.md", "w").write(doc)
print("wrote docs/PERFORMANCE.md")
PY
