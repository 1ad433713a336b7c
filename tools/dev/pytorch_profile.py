#!/usr/bin/env python3
"""pytorch_profile.py — transformers' XCLIPModel timed the way clx-profile times clx,
written in clx-profile's JSON schema (docs/PROFILE.md) so `clx-profile --compare`
puts PyTorch beside the clx devices.

Development only (torch, transformers, numpy). Same weights: the synthetic
generator of tools/dev/gen_fixtures.py (imported, docs/FIXTURES.md) with the seed
the model directory was made with (clx-synth --seed; 1234 for the base fixture,
1 for tests/fixtures/tiny). Same inputs: the pixel stream with seed 1235 and the
token ids of clx-profile (tools/profile/measure.c, prof_synth_inputs). Same
shapes (--batch, --prompts, --tokens), float32, eval, torch.inference_mode, the
same thread count (torch.set_num_threads; default CLX_THREADS, else every CPU),
and CUDA too when it is present.

Per device: the first forward (cold: lazy init, CUDA context, cuBLAS), warm
latency over --runs after --warmup (inputs already on the device; logits copied
back), throughput, time by op class from torch.profiler (self times of aten ops,
mapped to clx's classes), host peak RSS (VmHWM, reset after the weights are
built) and, on CUDA, peak device memory. FLOPs are the closed-form GEMM +
attention count of docs/PROFILE.md. No per-node rows: PyTorch's ops are not
clx's nodes.

Usage: tools/dev/pytorch_profile.py --model DIR --seed N [--device cpu|cuda|all]
         [--batch 1] [--prompts 3] [--tokens 7] [--runs 5] [--warmup 1]
         [--threads N] --json OUT.json
"""

import argparse
import datetime
import json
import math
import os
import platform
import socket
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_fixtures  # noqa: E402  the synthetic generator, not a copy of it

PIXEL_SEED = 1235  # tools/profile/measure.c


# ---------------------------------------------------------------- inputs

def prompt_len(k, L):
    """Real length of prompt k: L, L-3, L-1, ... (at least 2), as prof_synth_inputs."""
    n = L - (0, 3, 1)[k % 3]
    return n if n >= 2 else min(L, 2)


def synth_inputs(cfg, B, K, L):
    """pixel_values (B, T, C, S, S) f32, input_ids and attention_mask (K, L) i64 — the same
    values clx-profile feeds clx."""
    v = cfg["vision_config"]
    T, C, S = v.get("num_frames", 8), v.get("num_channels", 3), v.get("image_size", 224)
    vocab = cfg["text_config"].get("vocab_size", 49408)
    pixels = gen_fixtures.synth_tensor("pixel_values", PIXEL_SEED, (B, T, C, S, S))
    eos, bos = vocab - 1, (vocab - 2 if vocab >= 3 else 0)
    lens = [prompt_len(k, L) for k in range(K)]
    n_body = sum(max(n - 2, 0) for n in lens)
    state0 = (PIXEL_SEED ^ gen_fixtures.fnv1a64("input_ids")) & gen_fixtures.MASK64
    draws = [int(u) for u in gen_fixtures.splitmix64_stream(state0, 0, n_body)] if n_body else []
    ids = np.full((K, L), eos, dtype=np.int64)
    mask = np.zeros((K, L), dtype=np.int64)
    d = 0
    for k, n in enumerate(lens):
        for j in range(n):
            if j == n - 1:
                ids[k, j] = eos
            elif j == 0:
                ids[k, j] = bos
            else:
                ids[k, j] = 1 + draws[d] % (vocab - 3) if vocab > 4 else 0
                d += 1
            mask[k, j] = 1
    return pixels, ids, mask


# ---------------------------------------------------------------- the hand count

def lin(M, K, N, bias=True):
    return 2 * M * K * N + (M * N if bias else 0)


def attn(n, H, Sq, Sk, D):
    dh = D / H
    return 4 * n * H * Sq * Sk * dh + 5 * n * H * Sq * Sk + n * Sq * D


def hand_flops(cfg, B, K, L):
    """GEMM + attention FLOPs of one forward (docs/PROFILE.md; tests/profile_hand.h)."""
    v, t = cfg["vision_config"], cfg["text_config"]
    T = v.get("num_frames", 8)
    N, D, I = B * T, v.get("hidden_size", 768), v.get("intermediate_size", 3072)
    G = v.get("image_size", 224) // v.get("patch_size", 32)
    npatch, S = G * G, G * G + 1
    P = cfg.get("projection_dim", 512)
    Hv = v.get("num_attention_heads", 12)
    Cp = v.get("num_channels", 3) * v.get("patch_size", 32) ** 2
    f = lin(N * npatch, Cp, D, False)
    for _ in range(v.get("num_hidden_layers", 12)):
        f += lin(N, D, D) + 4 * lin(N, D, D) + attn(B, Hv, T, T, D)
        f += 4 * lin(N * (S + 1), D, D) + attn(N, Hv, S + 1, S + 1, D)
        f += lin(N * S, D, I) + lin(N * S, I, D)
    f += lin(N, D, P, False)
    Dm, Im = v.get("mit_hidden_size", 512), v.get("mit_intermediate_size", 2048)
    for _ in range(v.get("mit_num_hidden_layers", 1)):
        f += 4 * lin(N, Dm, Dm) + attn(B, v.get("mit_num_attention_heads", 8), T, T, Dm)
        f += lin(N, Dm, Im) + lin(N, Im, Dm)
    f += lin(N * npatch, D, P, False)
    Dt, It, Ht = t.get("hidden_size", 512), t.get("intermediate_size", 2048), t.get("num_attention_heads", 8)
    for _ in range(t.get("num_hidden_layers", 12)):
        f += 4 * lin(K * L, Dt, Dt) + attn(K, Ht, L, L, Dt) + lin(K * L, Dt, It) + lin(K * L, It, Dt)
    f += lin(K, Dt, P, False)
    for _ in range(cfg.get("prompt_layers", 2)):
        f += lin(B * K, P, P, False) + 2 * lin(B * npatch, P, P, False)
        f += attn(B, cfg.get("prompt_num_attention_heads", 8), K, npatch, P)
        f += lin(B * K, P, P) + lin(B * K, P, 4 * P) + lin(B * K, 4 * P, P)
    f += 2 * B * K * P
    return float(f)


# ---------------------------------------------------------------- op classes

def op_class(name):
    """clx's op class of an aten op (self time)."""
    n = name.lower()
    if any(s in n for s in ("addmm", "::mm", "bmm", "matmul", "linear", "conv", "einsum", "baddbmm")):
        return "gemm"
    if "attention" in n or "softmax" in n:
        return "attention"
    if "layer_norm" in n or "norm" in n:
        return "layer_norm"
    if any(s in n for s in ("add", "mul", "sub", "div", "exp", "sigmoid", "mean", "sum", "gelu", "pow",
                            "sqrt", "rsqrt", "neg", "where", "masked_fill", "clamp", "max", "min", "argmax")):
        return "elementwise"
    return "data_movement"


CLASSES = ("gemm", "attention", "layer_norm", "elementwise", "data_movement")


# ---------------------------------------------------------------- host facts

def vm_hwm():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def reset_hwm():
    """Linux: writing 5 to clear_refs resets VmHWM (peak RSS) to the current RSS."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def git_revision():
    try:
        return subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "rev-parse",
                               "--short=12", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def fnv1a64_file(path):
    h = 0xCBF29CE484222325
    with open(path, "rb") as f:
        for b in f.read():
            h = ((h ^ b) * 0x100000001B3) & gen_fixtures.MASK64
    return f"{h:016x}"


# ---------------------------------------------------------------- measuring

def nan_to_none(x):
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else x


def measure(model, dev_name, pixels, ids, mask, args, flops, weights_bytes):
    import torch
    import transformers
    cuda = dev_name.startswith("cuda")
    dev = torch.device(dev_name)
    sync = (lambda: torch.cuda.synchronize(dev)) if cuda else (lambda: None)
    t0 = time.perf_counter()
    model = model.to(dev)
    px, ii, am = (torch.from_numpy(pixels).to(dev), torch.from_numpy(ids).to(dev), torch.from_numpy(mask).to(dev))
    sync()
    to_device_s = time.perf_counter() - t0
    if cuda:
        torch.cuda.reset_peak_memory_stats(dev)
    reset_hwm()

    def forward():
        with torch.inference_mode():
            out = model(input_ids=ii, pixel_values=px, attention_mask=am)
            return out.logits_per_video.float().cpu().numpy()

    t0 = time.perf_counter()
    logits = forward()
    sync()
    first = time.perf_counter() - t0
    for _ in range(max(args.warmup - 1, 0)):
        forward()
    runs = []
    for r in range(args.runs):
        print(f"\r  torch:{dev_name}: run {r + 1}/{args.runs}", end="", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        forward()
        sync()
        runs.append(time.perf_counter() - t0)
    print(file=sys.stderr)
    srt = sorted(runs)
    med = srt[len(srt) // 2] if len(srt) % 2 else 0.5 * (srt[len(srt) // 2 - 1] + srt[len(srt) // 2])

    # time by op class: self times of aten ops over one profiled forward
    from torch.profiler import ProfilerActivity, profile
    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if cuda else [])
    t0 = time.perf_counter()
    with profile(activities=acts) as prof:
        forward()
        sync()
    wall = time.perf_counter() - t0
    by = {c: 0.0 for c in CLASSES}
    for e in prof.key_averages():
        if cuda:
            us = getattr(e, "self_device_time_total", getattr(e, "self_cuda_time_total", 0))
        else:
            us = e.self_cpu_time_total
        by[op_class(e.key)] += us * 1e-6
    node_sum = sum(by.values())

    props = torch.cuda.get_device_properties(dev) if cuda else None
    return {
        "id": f"torch:{dev_name}",
        "backend": "pytorch",
        "name": props.name if cuda else cpu_name(),
        "vendor": "NVIDIA" if cuda else "",
        "type": "GPU" if cuda else "CPU",
        "platform": f"PyTorch {torch.__version__}, transformers {transformers.__version__}",
        "platform_version": f"Python {platform.python_version()}",
        "device_version": f"attn_implementation={model.config._attn_implementation}",
        "driver_version": (f"CUDA {torch.version.cuda}" if cuda else
                           f"torch CPU, {torch.get_num_threads()} threads"),
        "host": socket.gethostname(),
        "compute_units": props.multi_processor_count if cuda else torch.get_num_threads(),
        "clock_mhz": 0,
        "threads": torch.get_num_threads(),
        "ok": True,
        "error": None,
        "shape": {"batch": args.batch, "frames": int(pixels.shape[1]), "prompts": args.prompts,
                  "tokens": args.tokens},
        "start": {"model_load_s": nan_to_none(to_device_s), "cold_s": first, "warm_s": None,
                  "first_result_s": first, "program_from_cache": None},
        "latency": {"runs_s": runs, "min_s": srt[0] if runs else None, "median_s": med if runs else None,
                    "max_s": srt[-1] if runs else None},
        "throughput_videos_per_s": args.batch / med if runs else None,
        "time": {"wall_s": wall, "device_s": node_sum, "node_sum_s": node_sum,
                 "host_overhead_s": wall - node_sum,
                 "node_timing": "torch.profiler self time" + (" (CUDA kernels)" if cuda else ""),
                 "node_timing_note": None,
                 "by_class": {c: {"time_s": by[c], "flops": None, "bytes": None} for c in CLASSES}},
        "work": {"flops": flops, "bytes": None, "achieved_gflops": flops / node_sum * 1e-9 if node_sum else None},
        "peak": {"gflops": None, "gbps": None, "source": ""},
        "memory": {"weights_bytes": weights_bytes if cuda else 0,
                   "activations_bytes": (torch.cuda.max_memory_allocated(dev) - weights_bytes) if cuda else None,
                   "other_bytes": None, "host_peak_rss_bytes": vm_hwm()},
        "agreement": {"reference": "cpu", "max_abs_logits_diff": None,
                      "logits_per_video": [float(x) for x in logits.reshape(-1)]},
        "nodes": [],
    }


def profile_document(args, version, config_hash, n_params, build_s, pixels, results):
    """A clx-profile/1 document (docs/PROFILE.md) of results, for clx-profile --compare."""
    st_path = os.path.join(args.model, "model.safetensors")
    return {
        "schema": "clx-profile/1",
        "clx": {"version": version, "git_revision": git_revision()},
        "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "host": {"name": socket.gethostname(), "os": " ".join(platform.uname()[i] for i in (0, 2, 4)),
                 "cpu": cpu_name(), "cores": os.cpu_count()},
        "model": {"path": args.model, "config_hash": config_hash,
                  "weights_file_bytes": os.path.getsize(st_path) if os.path.exists(st_path) else None,
                  "parameters": n_params, "build_s": build_s, "seed": args.seed},
        "shape": {"batch": args.batch, "frames": int(pixels.shape[1]), "prompts": args.prompts,
                  "tokens": args.tokens, "image_size": int(pixels.shape[-1])},
        "settings": {"runs": args.runs, "warmup": args.warmup, "threads": args.threads},
        "devices": results,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="model directory (config.json; the weights come "
                                                   "from the generator with --seed)")
    ap.add_argument("--seed", type=int, required=True, help="generator seed the model was made with")
    ap.add_argument("--device", default="all", choices=("cpu", "cuda", "all"))
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--prompts", type=int, default=3)
    ap.add_argument("--tokens", type=int, default=7)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=int(os.environ.get("CLX_THREADS", "0") or 0) or os.cpu_count())
    ap.add_argument("--json", required=True)
    args = ap.parse_args()

    import torch
    torch.set_num_threads(args.threads)
    cfg_path = os.path.join(args.model, "config.json")
    with open(cfg_path) as f:
        cfg = json.load(f)
    kwargs = {k: v for k, v in cfg.items()
              if k not in ("architectures", "dtype", "torch_dtype", "transformers_version", "model_type")}
    print(f"building XCLIPModel with generator seed {args.seed} ...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    config, model, weights = gen_fixtures.build_model(kwargs, args.seed)
    build_s = time.perf_counter() - t0
    del weights
    n_params = sum(p.numel() for p in model.parameters())
    weights_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
    pixels, ids, mask = synth_inputs(cfg, args.batch, args.prompts, args.tokens)
    flops = hand_flops(cfg, args.batch, args.prompts, args.tokens)

    devices = []
    if args.device in ("cpu", "all"):
        devices.append("cpu")
    if args.device in ("cuda", "all") and torch.cuda.is_available():
        devices.append("cuda:0")
    elif args.device == "cuda":
        sys.exit("pytorch_profile.py: --device cuda: CUDA is not available")
    results = []
    for d in devices:
        print(f"torch:{d}", file=sys.stderr, flush=True)
        results.append(measure(model, d, pixels, ids, mask, args, flops, weights_bytes))
        model = model.to("cpu")

    doc = profile_document(args, f"pytorch_profile.py (torch {torch.__version__})", fnv1a64_file(cfg_path),
                           n_params, build_s, pixels, results)
    with open(args.json, "w") as f:
        json.dump(doc, f, indent=1)
    for r in results:
        print(f"{r['id']}: median {r['latency']['median_s']:.4f} s over {args.runs} runs, "
              f"logits {r['agreement']['logits_per_video']}", file=sys.stderr)


if __name__ == "__main__":
    main()
