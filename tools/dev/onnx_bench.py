#!/usr/bin/env python3
"""onnx_bench.py — the same X-CLIP model timed on ONNX Runtime (CPU execution provider)
and OpenVINO (CPU), written in clx-profile's JSON schema (docs/PROFILE.md) so
`clx-profile --compare` puts the CPU runtimes a user would pick instead of clx
beside the clx devices and PyTorch (tools/dev/pytorch_profile.py).

Development only. Needs torch, transformers, numpy (already needed by
tools/dev/pytorch_profile.py) and the pip packages onnx, onnxruntime and
openvino (onnxscript too when --exporter dynamo is used):

    pip install onnxruntime openvino onnx onnxscript

Same model, inputs and shapes as tools/dev/pytorch_profile.py, whose functions
this script imports rather than copies: transformers' XCLIPModel (float32,
eval) built from DIR/config.json with the synthetic weights of the generator in
tools/dev/gen_fixtures.py for --seed (1234 for the base fixture, 1 for
tests/fixtures/tiny), and clx-profile's synthetic pixel_values / input_ids /
attention_mask for --batch, --prompts, --tokens (synth_inputs).

The model is exported to ONNX once per (model directory, config, seed, B, K, L,
torch/transformers versions, exporter, opset) with torch.onnx.export — by
default the TorchScript exporter (dynamo=False, opset 17; the dynamo exporter
implements opset 18 and up, so 18 is its default), static shapes,
inputs pixel_values, input_ids, attention_mask, outputs logits_per_video and
logits_per_text — and cached in --onnx-cache (default
$TMPDIR/clx-onnx-bench). If the chosen exporter fails the other one is tried.

Each runtime runs in its own fresh worker process (multiprocessing, spawn;
torch is not imported there), so its start is really cold and its peak RSS
(VmHWM) is its own:
  * ort:cpu — onnxruntime.InferenceSession, CPUExecutionProvider,
    intra_op_num_threads = --threads, inter_op_num_threads = 1, sequential
    execution, ORT_ENABLE_ALL graph optimizations;
  * openvino:cpu — Core().compile_model(the .onnx, "CPU") with
    INFERENCE_NUM_THREADS = --threads, PERFORMANCE_HINT = LATENCY and
    INFERENCE_PRECISION_HINT = f32 (--openvino-precision; OpenVINO's own
    default is bf16 on CPUs with AMX / AVX512_BF16, which would not be the
    float32 model clx runs; `default` leaves OpenVINO's choice).

Per runtime, in the JSON device entry: start.cold_s = session creation (ONNX
parse, graph optimization / compilation) in the fresh process,
start.first_run_s = the first forward, start.first_result_s = the two
together; then --warmup forwards and --runs timed forwards (wall time of one
forward: inputs in, logits_per_video out as numpy), latency min / median / max,
throughput = B / median; work.flops = the closed-form GEMM + attention count of
docs/PROFILE.md; memory.host_peak_rss_bytes = the worker's VmHWM;
agreement.max_abs_logits_diff = max |logits_per_video - PyTorch's| on the same
inputs (reference "torch:cpu"; the first forward's logits), with
agreement.tolerance 1e-3 and agreement.within_tolerance false where it is
exceeded (the runtime is still reported; `--compare` keeps this figure rather
than recomputing it against a clx cpu column). No per-node rows and no op-class
times.

Usage: tools/dev/onnx_bench.py --model DIR --seed N [--batch 1] [--prompts 3]
         [--tokens 7] [--runs 5] [--warmup 1] [--threads N]
         [--runtime ort|openvino|all] [--onnx-cache DIR]
         [--exporter legacy|dynamo] [--opset N]
         [--openvino-precision f32|bf16|default] --json OUT.json

  --threads defaults like pytorch_profile.py's: CLX_THREADS, else every CPU.

Example (then `build/clx-profile --compare clx.json torch.json ort.json`):
  tools/dev/onnx_bench.py --model build/base_model --seed 1234 --threads 2 --json ort.json
"""

import argparse
import json
import multiprocessing
import os
import platform
import socket
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_fixtures  # noqa: E402  the synthetic generator
import pytorch_profile as pp  # noqa: E402  inputs, FLOP count, host facts — not copies of them

TOLERANCE = 1e-3  # max |logits_per_video - PyTorch| a runtime is expected to stay within
INPUT_NAMES = ("pixel_values", "input_ids", "attention_mask")
OUTPUT_NAMES = ("logits_per_video", "logits_per_text")
RUNTIMES = ("ort", "openvino")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


# ---------------------------------------------------------------- model and ONNX export

def load_config(model_dir):
    cfg_path = os.path.join(model_dir, "config.json")
    with open(cfg_path) as f:
        cfg = json.load(f)
    return cfg_path, cfg


def build_model(cfg, seed):
    """XCLIPModel f32 eval with the generator's weights of seed, as pytorch_profile.py builds it."""
    kwargs = {k: v for k, v in cfg.items()
              if k not in ("architectures", "dtype", "torch_dtype", "transformers_version", "model_type")}
    _, model, weights = gen_fixtures.build_model(kwargs, seed)
    del weights
    return model


def logits_module(model):
    """forward(pixel_values, input_ids, attention_mask) -> (logits_per_video, logits_per_text)."""
    import torch

    class XCLIPLogits(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, pixel_values, input_ids, attention_mask):
            out = self.m(input_ids=input_ids, pixel_values=pixel_values, attention_mask=attention_mask)
            return out.logits_per_video, out.logits_per_text

    return XCLIPLogits(model).eval()


def opset_of(args):
    """--opset, else 17 for the TorchScript exporter and 18 for dynamo (its lowest)."""
    return args.opset or (17 if args.exporter == "legacy" else 18)


def onnx_cache_path(args, cfg_hash):
    import torch
    import transformers
    ident = "|".join(str(x) for x in (
        "onnx_bench/1", os.path.realpath(args.model), cfg_hash, args.seed, args.batch, args.prompts,
        args.tokens, torch.__version__, transformers.__version__, args.exporter, opset_of(args)))
    key = f"{gen_fixtures.fnv1a64(ident):016x}"
    base = os.path.basename(os.path.normpath(os.path.realpath(args.model))) or "model"
    name = f"xclip-{base}-s{args.seed}-B{args.batch}K{args.prompts}L{args.tokens}-{args.exporter}-{key}.onnx"
    return os.path.join(args.onnx_cache, name)


def export_onnx(module, inputs, path, exporter, opset):
    """torch.onnx.export into a fresh folder next to path, then moved in place (the .onnx last, so
    a half-written export is never taken for a cached one). Returns the seconds it took."""
    import torch
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".export-", dir=folder)
    out = os.path.join(tmp, os.path.basename(path))
    t0 = time.perf_counter()
    try:
        kw = dict(input_names=list(INPUT_NAMES), output_names=list(OUTPUT_NAMES), opset_version=opset)
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # TracerWarnings: shapes are static here on purpose
            if exporter == "legacy":
                torch.onnx.export(module, inputs, out, dynamo=False, do_constant_folding=True, **kw)
            else:
                torch.onnx.export(module, inputs, out, dynamo=True, external_data=True, **kw)
        secs = time.perf_counter() - t0
        files = sorted(os.listdir(tmp), key=lambda n: n == os.path.basename(path))
        for n in files:  # external data (dynamo) first, the .onnx itself last
            os.replace(os.path.join(tmp, n), os.path.join(folder, n))
        return secs
    finally:
        for n in os.listdir(tmp):
            os.unlink(os.path.join(tmp, n))
        os.rmdir(tmp)


def prepare(args, cfg, cfg_hash, pixels, ids, mask):
    """The cached .onnx (exported now if absent) and PyTorch's logits_per_video on the inputs."""
    import torch
    torch.set_num_threads(args.threads)
    log(f"building XCLIPModel with generator seed {args.seed} ...")
    t0 = time.perf_counter()
    model = build_model(cfg, args.seed)
    build_s = time.perf_counter() - t0
    n_params = sum(p.numel() for p in model.parameters())
    module = logits_module(model)
    tin = tuple(torch.from_numpy(a) for a in (pixels, ids, mask))
    with torch.inference_mode():
        ref = module(*tin)[0].float().numpy().copy()

    export = {"exporter": args.exporter, "opset": opset_of(args), "from_cache": True, "export_s": None,
              "note": None}
    path = onnx_cache_path(args, cfg_hash)
    if os.path.exists(path):
        log(f"ONNX: cached {path}")
    else:
        order = [args.exporter] + [e for e in ("legacy", "dynamo") if e != args.exporter]
        errors = []
        for exporter in order:
            a = argparse.Namespace(**vars(args))
            a.exporter = exporter
            path = onnx_cache_path(a, cfg_hash)
            if os.path.exists(path):
                log(f"ONNX: cached {path}")
                export.update(exporter=exporter, opset=opset_of(a))
                break
            log(f"ONNX: exporting with torch.onnx.export ({exporter}, opset {opset_of(a)}) -> {path}")
            try:
                secs = export_onnx(module, tin, path, exporter, opset_of(a))
            except Exception as e:  # noqa: BLE001  reported, then the other exporter is tried
                errors.append(f"{exporter}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
                log(f"ONNX: {errors[-1]}")
                continue
            export.update(exporter=exporter, opset=opset_of(a), from_cache=False, export_s=secs)
            log(f"ONNX: exported in {secs:.1f} s")
            break
        else:
            sys.exit("onnx_bench.py: no exporter produced an ONNX file:\n  " + "\n  ".join(errors))
        if errors:
            export["note"] = "; ".join(errors)
    del module, model
    return path, ref, export, build_s, n_params


# ---------------------------------------------------------------- runtimes (worker processes)

def open_ort(onnx_path, threads):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(onnx_path, sess_options=so, providers=["CPUExecutionProvider"])

    def forward(feed):
        return sess.run(["logits_per_video"], feed)[0]

    info = {
        "backend": "onnxruntime",
        "platform": f"ONNX Runtime {ort.__version__}",
        "device_version": f"{','.join(sess.get_providers())}; ORT_ENABLE_ALL, ORT_SEQUENTIAL",
        "driver_version": f"CPUExecutionProvider, intra_op {threads} threads, inter_op 1",
        "settings": {"providers": sess.get_providers(), "intra_op_num_threads": threads,
                     "inter_op_num_threads": 1, "graph_optimization_level": "ORT_ENABLE_ALL",
                     "execution_mode": "ORT_SEQUENTIAL"},
    }
    return forward, info, sess


def open_openvino(onnx_path, threads, precision):
    import openvino as ov
    import openvino.properties as props
    import openvino.properties.hint as hints
    core = ov.Core()
    config = {props.inference_num_threads: threads,
              hints.performance_mode: hints.PerformanceMode.LATENCY}
    if precision != "default":
        config[hints.inference_precision] = {"f32": ov.Type.f32, "bf16": ov.Type.bf16}[precision]
    compiled = core.compile_model(onnx_path, "CPU", config)
    req = compiled.create_infer_request()
    out_port = compiled.output("logits_per_video")
    in_ports = {n: compiled.input(n) for n in INPUT_NAMES}

    def forward(feed):
        req.infer({in_ports[n]: v for n, v in feed.items()})
        return req.get_tensor(out_port).data.copy()

    got = {}
    for k in ("INFERENCE_NUM_THREADS", "PERFORMANCE_HINT", "INFERENCE_PRECISION_HINT", "NUM_STREAMS",
              "EXECUTION_MODE_HINT", "ENABLE_CPU_PINNING", "ENABLE_HYPER_THREADING"):
        try:
            v = compiled.get_property(k)
            got[k] = v.to_string() if hasattr(v, "to_string") else str(v)  # ov.Type: "f32"
        except Exception:  # noqa: BLE001  a property this version does not report
            pass
    info = {
        "backend": "openvino",
        "platform": f"OpenVINO {ov.__version__.split('-')[0]}",
        "device_version": (f"CPU plugin; PERFORMANCE_HINT {got.get('PERFORMANCE_HINT', '?')}, "
                           f"INFERENCE_PRECISION_HINT {got.get('INFERENCE_PRECISION_HINT', '?')}, "
                           f"NUM_STREAMS {got.get('NUM_STREAMS', '?')}"),
        "driver_version": f"OpenVINO CPU, {got.get('INFERENCE_NUM_THREADS', threads)} threads",
        "name": core.get_property("CPU", props.device.full_name),
        "settings": {"version": ov.get_version(),
                     "requested": {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY",
                                   "INFERENCE_PRECISION_HINT": precision},
                     "compiled": got},
    }
    return forward, info, (compiled, req)


def worker(runtime, onnx_path, feed, args):
    """One runtime, in a fresh process: session, cold first run, warm-up, timed runs."""
    pp.reset_hwm()
    t0 = time.perf_counter()
    if runtime == "ort":
        forward, info, keep = open_ort(onnx_path, args.threads)
    else:
        forward, info, keep = open_openvino(onnx_path, args.threads, args.openvino_precision)
    create_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    first = np.asarray(forward(feed), dtype=np.float32).copy()
    first_s = time.perf_counter() - t0
    for _ in range(max(args.warmup, 0)):
        forward(feed)
    runs, last = [], first
    for r in range(args.runs):
        print(f"\r  {runtime}: run {r + 1}/{args.runs}", end="", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        last = forward(feed)
        runs.append(time.perf_counter() - t0)
    if args.runs:
        print(file=sys.stderr, flush=True)
    del keep
    return {"info": info, "create_s": create_s, "first_s": first_s, "runs": runs,
            "logits": first.reshape(-1).tolist(),
            "run_to_run": float(np.max(np.abs(np.asarray(last, dtype=np.float32) - first))),
            "peak_rss": pp.vm_hwm()}


def run_worker(runtime, onnx_path, feed, args):
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(worker, (runtime, onnx_path, feed, args))


# ---------------------------------------------------------------- the document

def device_entry(runtime, res, ref, args, frames, flops, export, onnx_path):
    info = res["info"]
    runs = res["runs"]
    srt = sorted(runs)
    med = median(runs) if runs else None
    logits = np.asarray(res["logits"], dtype=np.float64)
    diff = float(np.max(np.abs(logits - ref.reshape(-1).astype(np.float64)))) if logits.size == ref.size else None
    within = diff is not None and diff <= TOLERANCE
    return {
        "id": f"{runtime}:cpu",
        "backend": info["backend"],
        "name": info.get("name") or pp.cpu_name(),
        "vendor": "",
        "type": "CPU",
        "platform": info["platform"],
        "platform_version": f"Python {platform.python_version()}",
        "device_version": info["device_version"],
        "driver_version": info["driver_version"],
        "host": socket.gethostname(),
        "compute_units": args.threads,
        "clock_mhz": 0,
        "threads": args.threads,
        "ok": True,
        "error": None,
        "shape": {"batch": args.batch, "frames": frames, "prompts": args.prompts, "tokens": args.tokens},
        "start": {"model_load_s": None, "cold_s": res["create_s"], "warm_s": None,
                  "first_result_s": res["create_s"] + res["first_s"], "program_s": None,
                  "program_from_cache": None, "first_run_s": res["first_s"],
                  "note": "cold_s: session creation (ONNX parse + optimization/compilation) in a fresh "
                          "process; first_result_s: that plus the first forward"},
        "latency": {"runs_s": runs, "min_s": srt[0] if runs else None, "median_s": med,
                    "max_s": srt[-1] if runs else None},
        "throughput_videos_per_s": args.batch / med if med else None,
        "time": {"wall_s": None, "device_s": None, "node_sum_s": None, "host_overhead_s": None,
                 "node_timing": "", "node_timing_note": None,
                 "by_class": {c: {"time_s": None, "flops": None, "bytes": None} for c in pp.CLASSES}},
        "work": {"flops": flops, "bytes": None, "achieved_gflops": None},
        "peak": {"gflops": None, "gbps": None, "source": ""},
        "memory": {"weights_bytes": None, "activations_bytes": None, "other_bytes": None,
                   "host_peak_rss_bytes": res["peak_rss"]},
        "agreement": {"reference": "torch:cpu", "max_abs_logits_diff": diff, "tolerance": TOLERANCE,
                      "within_tolerance": within, "run_to_run_max_abs_diff": res["run_to_run"],
                      "logits_per_video": res["logits"],
                      "reference_logits_per_video": [float(x) for x in ref.reshape(-1)]},
        "onnx": {"path": onnx_path, "file_bytes": os.path.getsize(onnx_path), **export},
        "runtime_settings": info["settings"],
        "nodes": [],
    }


def failed_entry(runtime, error, args, frames):
    """The device entry of a runtime whose worker raised: ok false, the reason, nothing measured."""
    return {"id": f"{runtime}:cpu", "backend": {"ort": "onnxruntime"}.get(runtime, runtime),
            "name": pp.cpu_name(), "vendor": "", "type": "CPU", "platform": "", "platform_version": "",
            "device_version": "", "driver_version": "", "host": socket.gethostname(),
            "compute_units": args.threads, "clock_mhz": 0, "threads": args.threads, "ok": False,
            "error": error[:400],
            "shape": {"batch": args.batch, "frames": frames, "prompts": args.prompts, "tokens": args.tokens},
            "agreement": {"reference": "torch:cpu", "max_abs_logits_diff": None, "tolerance": TOLERANCE,
                          "within_tolerance": False, "logits_per_video": []},
            "nodes": []}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="model directory (config.json; the weights come "
                                                   "from the generator with --seed)")
    ap.add_argument("--seed", type=int, required=True, help="generator seed the model was made with")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--prompts", type=int, default=3)
    ap.add_argument("--tokens", type=int, default=7)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=int(os.environ.get("CLX_THREADS", "0") or 0) or os.cpu_count())
    ap.add_argument("--runtime", default="all", choices=("ort", "openvino", "all"))
    ap.add_argument("--onnx-cache", default=os.path.join(tempfile.gettempdir(), "clx-onnx-bench"),
                    help="folder of the exported .onnx files (default $TMPDIR/clx-onnx-bench)")
    ap.add_argument("--exporter", default="legacy", choices=("legacy", "dynamo"),
                    help="torch.onnx.export with dynamo=False (TorchScript, default) or dynamo=True")
    ap.add_argument("--opset", type=int, default=0, help="ONNX opset (default 17 legacy, 18 dynamo)")
    ap.add_argument("--openvino-precision", default="f32", choices=("f32", "bf16", "default"),
                    help="OpenVINO INFERENCE_PRECISION_HINT (default f32, the model's precision)")
    ap.add_argument("--json", required=True)
    args = ap.parse_args()
    if args.batch < 1 or args.prompts < 1 or args.tokens < 2 or args.runs < 0 or args.threads < 1:
        ap.error("--batch, --prompts, --threads must be >= 1, --tokens >= 2, --runs >= 0")

    cfg_path, cfg = load_config(args.model)
    cfg_hash = pp.fnv1a64_file(cfg_path)
    pixels, ids, mask = pp.synth_inputs(cfg, args.batch, args.prompts, args.tokens)
    flops = pp.hand_flops(cfg, args.batch, args.prompts, args.tokens)
    onnx_path, ref, export, build_s, n_params = prepare(args, cfg, cfg_hash, pixels, ids, mask)
    log(f"torch:cpu logits_per_video {[round(float(x), 6) for x in ref.reshape(-1)]}")

    feed = {"pixel_values": pixels, "input_ids": ids, "attention_mask": mask}
    runtimes = RUNTIMES if args.runtime == "all" else (args.runtime,)
    results, versions = [], {}
    for rt in runtimes:
        log(f"{rt}:cpu ({args.threads} threads)")
        try:
            res = run_worker(rt, onnx_path, feed, args)
        except Exception as e:  # noqa: BLE001  reported as a failed device, the others still run
            msg = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
            log(f"{rt}:cpu: FAILED: {msg}")
            results.append(failed_entry(rt, msg, args, int(pixels.shape[1])))
            continue
        results.append(device_entry(rt, res, ref, args, int(pixels.shape[1]), flops, export, onnx_path))
        versions[rt] = res["info"]["platform"]

    import torch
    import transformers
    doc = pp.profile_document(args, f"onnx_bench.py ({', '.join(versions.values())}; torch {torch.__version__}, "
                                    f"transformers {transformers.__version__})", cfg_hash, n_params, build_s,
                              pixels, results)
    with open(args.json, "w") as f:
        json.dump(doc, f, indent=1)
    failed = 0
    for r in results:
        if not r["ok"]:
            failed += 1
            log(f"{r['id']}: FAILED: {r['error']}")
            continue
        lat, ag = r["latency"], r["agreement"]
        med = f"{lat['median_s']:.4f} s" if lat["median_s"] is not None else "-"
        rng = f" (min {lat['min_s']:.4f}, max {lat['max_s']:.4f})" if lat["median_s"] is not None else ""
        thr = f"{r['throughput_videos_per_s']:.2f} videos/s" if r["throughput_videos_per_s"] else "-"
        d = ag["max_abs_logits_diff"]
        agree = (f"{d:.2e} ({'ok' if ag['within_tolerance'] else f'EXCEEDS {TOLERANCE:g}'})"
                 if d is not None else "- (no logits of that shape)")
        log(f"{r['id']}: {r['platform']}, {args.threads} threads: median {med} over {args.runs} runs{rng}, "
            f"{thr}, cold {r['start']['cold_s']:.2f} s, "
            f"peak RSS {r['memory']['host_peak_rss_bytes'] / 1048576:.0f} MiB, max |logits - torch| {agree}")
    log(f"wrote {args.json}")
    return 1 if failed else 0  # like clx-profile: 1 when a runtime failed; disagreement is only marked


if __name__ == "__main__":
    sys.exit(main())
