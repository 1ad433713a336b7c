#!/usr/bin/env python3
"""gen_fixtures.py — golden fixtures for clx, computed by Hugging Face transformers.

Development only (torch, transformers, safetensors, numpy); clx never needs
Python to build or test. Spec: docs/FIXTURES.md.

  * the synthetic generator (splitmix64 stream per tensor name, mean/scale
    rule table), bit-identical to runtime/model/synth.c;
  * fixture A, tests/fixtures/tiny/ (committed in full);
  * fixture A as an F16 checkpoint, tests/fixtures/tiny_f16/: the same
    weights rounded to half and saved as F16 (as `model.half()` +
    save_pretrained write them), the outputs of transformers running that
    checkpoint in float32, on tiny's inputs;
  * fixture B, tests/fixtures/base/ (xclip-base-patch32 shapes; weights and
    pixels go to tests/fixtures/base/model/, which is not committed — the C
    tool clx-synth regenerates them bit-exactly from synth.json);
  * tests/fixtures/synth_check.json, the first values of a few streams so
    the C generator is tested against this one.

It does not download anything and does not touch the Hub.

Usage: tools/dev/gen_fixtures.py [--out-dir tests/fixtures] [--which tiny|tiny_f16|base|all]
"""

import argparse
import json
import os
import platform
import re
import sys
import time

import numpy as np

# ============================================================ synthetic generator

MASK64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB
UNIFORM_STD02 = 0.034641016151377546  # sqrt(3) * 0.02: uniform with std 0.02

NORM_SUFFIXES = ("norm", "norm1", "norm2", "norm3", "_ln", "layernorm", "layer_norm",
                 "layer_norm1", "layer_norm2", "final_layer_norm")


def fnv1a64(name: str) -> int:
    h = 0xCBF29CE484222325
    for b in name.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & MASK64
    return h


def synth_rule(name: str):
    """(mean, scale) for a tensor name: the first rule of docs/FIXTURES.md that matches."""
    if name == "logit_scale":
        return 2.6592, 0.0
    if name == "prompts_generator.alpha":
        return 0.1, 0.05
    if name == "mit.position_embedding":
        return 0.0, 1.0
    if name.endswith(".class_embedding"):
        return 0.0, 0.5
    module, _, last = name.rpartition(".")
    if module.endswith(NORM_SUFFIXES):
        if last == "weight":
            return 1.0, 0.05
        if last == "bias":
            return 0.0, 0.05
    if name == "pixel_values":
        return 0.0, 2.0
    return 0.0, UNIFORM_STD02


def splitmix64_stream(state0: int, start: int, count: int) -> np.ndarray:
    """Draws start … start+count−1 of splitmix64 seeded with state0 (uint64, wraps mod 2^64)."""
    i = np.arange(start + 1, start + count + 1, dtype=np.uint64)
    z = np.uint64(state0) + i * np.uint64(GOLDEN)  # state after the i-th increment
    z = (z ^ (z >> np.uint64(30))) * np.uint64(MIX1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(MIX2)
    return z ^ (z >> np.uint64(31))


def splitmix64_scalar(state: int, n: int):
    """Plain-Python reference for the vectorised stream (used as a self-test)."""
    out = []
    for _ in range(n):
        state = (state + GOLDEN) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * MIX1) & MASK64
        z = ((z ^ (z >> 27)) * MIX2) & MASK64
        out.append(z ^ (z >> 31))
    return out


def synth_values(name: str, seed: int, n: int, chunk: int = 1 << 22) -> np.ndarray:
    """n float32 values of the stream for `name` (C order)."""
    mean, scale = synth_rule(name)
    state0 = (seed ^ fnv1a64(name)) & MASK64
    out = np.empty(n, dtype=np.float32)
    for s in range(0, n, chunk):
        c = min(chunk, n - s)
        u = splitmix64_stream(state0, s, c)
        r = (u >> np.uint64(11)).astype(np.float64) * (2.0 ** -53)  # exact, [0, 1)
        x = 2.0 * r - 1.0                                           # exact, [-1, 1)
        t = scale * x                                               # one rounding …
        out[s:s + c] = (mean + t).astype(np.float32)                # … one more, then one cast
    return out


def synth_tensor(name: str, seed: int, shape) -> np.ndarray:
    n = int(np.prod(shape, dtype=np.int64)) if len(shape) else 1
    return synth_values(name, seed, n).reshape(shape)


# ============================================================ helpers

def log(msg):
    print(msg, flush=True)


def save_npy(path, arr):
    arr = np.ascontiguousarray(arr)
    assert arr.dtype in (np.float32, np.int64), (path, arr.dtype)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, arr)


def tnp(t):
    return t.detach().cpu().contiguous().numpy()


def versions():
    import safetensors
    import torch
    import transformers
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "numpy": np.__version__,
        "safetensors": safetensors.__version__,
        "torch_num_threads": torch.get_num_threads(),
        "platform": platform.platform(),
    }


def build_model(cfg_kwargs, seed):
    """XCLIPModel in f32 eval mode with every parameter from the generator."""
    import torch
    from transformers import XCLIPConfig, XCLIPModel

    config = XCLIPConfig(**cfg_kwargs)
    torch.manual_seed(0)  # init values are all overwritten; this only keeps init quiet and fixed
    model = XCLIPModel(config).to(torch.float32).eval()
    sd = model.state_dict()
    params = dict(model.named_parameters())
    weights = {}
    for name, t in sd.items():
        if name.endswith("position_ids"):
            continue
        assert t.dtype == torch.float32, (name, t.dtype)
        weights[name] = torch.from_numpy(synth_tensor(name, seed, tuple(t.shape)))
    # every parameter covered, nothing else in the state_dict
    assert set(weights) == set(params), (set(params) ^ set(weights))
    missing, unexpected = model.load_state_dict(weights, strict=False)
    assert not unexpected and all(k.endswith("position_ids") for k in missing), (missing, unexpected)
    for name, p in model.named_parameters():
        assert torch.equal(p.detach(), weights[name]), name
    return config, model, weights


def write_config(config, model, out_dir, dtype="float32"):
    """config.json exactly as model.save_pretrained writes it (dtype + architectures set)."""
    config.dtype = dtype
    config.architectures = [model.__class__.__name__]
    config.save_pretrained(out_dir)


def write_model_folder(out, config, model, weights, preprocessor):
    """A fixture's config.json and preprocessor_config.json in `out`, and in
    out/model (not committed) the complete model folder the generator itself
    runs: those two, the CLIP tokenizer files and the weights."""
    import shutil
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    write_config(config, model, out)
    write_json(os.path.join(out, "preprocessor_config.json"), preprocessor)
    model_dir = os.path.join(out, "model")
    tok_dir = os.path.join(root, "tests", "fixtures", "clip_tokenizer")
    os.makedirs(model_dir, exist_ok=True)
    for fn in ("vocab.json", "merges.txt"):
        shutil.copy(os.path.join(tok_dir, fn), model_dir)
    for fn in ("preprocessor_config.json", "config.json"):
        shutil.copy(os.path.join(out, fn), model_dir)
    save_weights(weights, os.path.join(model_dir, "model.safetensors"))
    return tok_dir


def run_reference(model, pixel_values, input_ids, attention_mask):
    """Forward with hidden states and the intermediates clx compares against.

    hidden_states in transformers 5.x come from `capture_outputs` hooks on
    every XCLIPVisionEncoderLayer / XCLIPEncoderLayer: [0] is the first layer's
    input (vision: after pre_layernorm; text: token + position embeddings),
    [i] is the output of layer i−1 (tie_last_hidden_states=False, so the text
    [-1] is before final_layer_norm). Checked numerically below."""
    import torch

    cap = {}
    hooks = [
        model.prompts_generator.register_forward_pre_hook(
            lambda m, args: cap.__setitem__("img_features", args[1].clone())),
        model.prompts_generator.register_forward_hook(
            lambda m, args, out: cap.__setitem__("prompts_out", out.clone())),
        model.vision_model.pre_layernorm.register_forward_hook(
            lambda m, args, out: cap.__setitem__("pre_ln", out.clone())),
        model.text_model.embeddings.register_forward_hook(
            lambda m, args, out: cap.__setitem__("text_emb", out.clone())),
    ]
    with torch.no_grad():
        t0 = time.time()
        out = model(input_ids=input_ids, pixel_values=pixel_values, attention_mask=attention_mask,
                    output_hidden_states=True, return_dict=True)
        t_fwd = time.time() - t0
        for h in hooks:
            h.remove()
        text_features = model.get_text_features(input_ids=input_ids,
                                                attention_mask=attention_mask).pooler_output
        video_features = model.get_video_features(pixel_values=pixel_values).pooler_output

    vis = out.vision_model_output
    txt = out.text_model_output
    mit = out.mit_output
    nv = model.config.vision_config.num_hidden_layers
    nt = model.config.text_config.num_hidden_layers
    assert len(vis.hidden_states) == nv + 1 and len(txt.hidden_states) == nt + 1
    # the meaning of hidden_states[0] / [-1], verified
    assert torch.equal(vis.hidden_states[0], cap["pre_ln"])
    assert torch.equal(vis.hidden_states[-1], vis.last_hidden_state)
    assert torch.equal(txt.hidden_states[0], cap["text_emb"])
    with torch.no_grad():
        assert torch.equal(model.text_model.final_layer_norm(txt.hidden_states[-1]), txt.last_hidden_state)
        assert torch.equal(model.vision_model.post_layernorm(vis.last_hidden_state[:, 0, :]), vis.pooler_output)
    # mit pooled = get_video_features = video_embeds before normalisation
    assert torch.equal(mit.pooler_output, video_features), "mit pooler vs get_video_features"
    assert torch.equal(mit.last_hidden_state.mean(dim=1), video_features)

    return {
        "out": out, "t_fwd": t_fwd,
        "text_features": text_features, "video_features": video_features,
        "img_features": cap["img_features"], "prompts_out": cap["prompts_out"],
    }


def write_outputs(res, out_dir):
    out = res["out"]
    save_npy(os.path.join(out_dir, "logits_per_video.npy"), tnp(out.logits_per_video))
    save_npy(os.path.join(out_dir, "logits_per_text.npy"), tnp(out.logits_per_text))
    save_npy(os.path.join(out_dir, "text_embeds.npy"), tnp(out.text_embeds))
    save_npy(os.path.join(out_dir, "video_embeds.npy"), tnp(out.video_embeds))


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def save_weights(weights, path):
    from safetensors.torch import save_file
    os.makedirs(os.path.dirname(path), exist_ok=True)
    save_file({k: v.contiguous() for k, v in weights.items()}, path)


def file_table(folder):
    rows = []
    for root, _, files in os.walk(folder):
        for fn in sorted(files):
            p = os.path.join(root, fn)
            rel = os.path.relpath(p, folder)
            if fn.endswith(".npy"):
                a = np.load(p)
                rows.append((rel, f"{a.dtype} {list(a.shape)}"))
    natural = lambda r: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", r[0])]
    return sorted(rows, key=natural)


def write_readme(out_dir, head, rows, meaning):
    """README.md: the `head` lines, then one table row per .npy file (rows: rel → dtype, shape)."""
    lines = head + ["| file | dtype, shape | meaning |", "|---|---|---|"]
    for rel, shape in rows.items():
        lines.append(f"| `{rel}` | {shape} | {meaning.get(rel, '')} |")
    lines.append("")
    with open(os.path.join(out_dir, "README.md"), "w") as f:
        f.write("\n".join(lines))


def run_and_save(model, out_dir, ref_dir, pixel_values, input_ids, attention_mask):
    """Saves the token inputs, runs transformers, writes its outputs and the ref/
    intermediates both fixtures carry (text hidden states, the pooled vision output,
    the MIT output, video and text features, the prompt generator's output)."""
    import torch
    save_npy(os.path.join(out_dir, "input_ids.npy"), input_ids)
    save_npy(os.path.join(out_dir, "attention_mask.npy"), attention_mask)
    res = run_reference(model, torch.from_numpy(pixel_values), torch.from_numpy(input_ids),
                        torch.from_numpy(attention_mask))
    write_outputs(res, out_dir)
    out = res["out"]
    for i, h in enumerate(out.text_model_output.hidden_states):
        save_npy(os.path.join(ref_dir, f"text.hidden.{i}.npy"), tnp(h))
    save_npy(os.path.join(ref_dir, "vision.pooled.npy"), tnp(out.vision_model_output.pooler_output))
    save_npy(os.path.join(ref_dir, "mit.out.npy"), tnp(out.mit_output.last_hidden_state))
    save_npy(os.path.join(ref_dir, "video_features.npy"), tnp(res["video_features"]))
    save_npy(os.path.join(ref_dir, "text_features.npy"), tnp(res["text_features"]))
    save_npy(os.path.join(ref_dir, "prompts.out.npy"), tnp(res["prompts_out"]))
    return res


def write_versions(out_dir, model):
    v = versions()
    v["attn_implementation"] = model.config._attn_implementation
    write_json(os.path.join(out_dir, "versions.json"), v)


# ============================================================ fixture A: tiny

TINY_CONFIG = dict(
    text_config=dict(vocab_size=99, hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                     num_attention_heads=4),
    vision_config=dict(image_size=30, patch_size=2, hidden_size=32, intermediate_size=37,
                       num_hidden_layers=2, num_attention_heads=4, mit_hidden_size=64,
                       mit_intermediate_size=96),
    projection_dim=64,
)
TINY_SEED = 1
TINY_PIXEL_SEED = 2
TINY_PIXEL_SHAPE = (2, 8, 3, 30, 30)
# K = 3 prompts, L = 7. Ordinary tokens in [0, 97]; 98 (= vocab−1, the largest id) is the
# "eos", also used as padding, so argmax pooling picks the first 98. Real lengths 7, 4, 2.
TINY_EOS = 98
TINY_IDS = [
    [41, 7, 93, 12, 0, 55, 98],
    [96, 23, 64, 98, 98, 98, 98],
    [3, 98, 98, 98, 98, 98, 98],
]
TINY_REAL_LEN = [7, 4, 2]


def gen_tiny(out_root, half=False):
    """Fixture A; with half, as an F16 checkpoint (tiny_f16): every weight
    rounded to IEEE half (torch's round to nearest even) and saved as F16,
    the model run in float32 on exactly those values, as transformers runs
    an F16 checkpoint loaded with dtype=torch.float32."""
    import torch
    name = "tiny_f16" if half else "tiny"
    out_dir = os.path.join(out_root, name)
    ref_dir = os.path.join(out_dir, "ref")
    os.makedirs(ref_dir, exist_ok=True)
    t0 = time.time()
    config, model, weights = build_model(TINY_CONFIG, TINY_SEED)
    if half:
        weights = {k: v.to(torch.float16) for k, v in weights.items()}
        missing, unexpected = model.load_state_dict({k: v.float() for k, v in weights.items()},
                                                    strict=False)
        assert not unexpected and all(k.endswith("position_ids") for k in missing)
    t_build = time.time() - t0
    write_config(config, model, out_dir, "float16" if half else "float32")
    save_weights(weights, os.path.join(out_dir, "model.safetensors"))

    pixel_values = synth_tensor("pixel_values", TINY_PIXEL_SEED, TINY_PIXEL_SHAPE)
    input_ids = np.array(TINY_IDS, dtype=np.int64)
    attention_mask = np.zeros_like(input_ids)
    for k, n in enumerate(TINY_REAL_LEN):
        attention_mask[k, :n] = 1
        assert input_ids[k, n - 1] == TINY_EOS and (input_ids[k, :n - 1] < TINY_EOS).all()
        assert (input_ids[k, n:] == TINY_EOS).all()
    save_npy(os.path.join(out_dir, "pixel_values.npy"), pixel_values)

    res = run_and_save(model, out_dir, ref_dir, pixel_values, input_ids, attention_mask)
    out = res["out"]
    for i, h in enumerate(out.vision_model_output.hidden_states):
        save_npy(os.path.join(ref_dir, f"vision.hidden.{i}.npy"), tnp(h))
    save_npy(os.path.join(ref_dir, "img_features.npy"), tnp(res["img_features"]))
    save_npy(os.path.join(ref_dir, "text.last.npy"), tnp(out.text_model_output.last_hidden_state))

    write_versions(out_dir, model)
    write_readme_tiny(out_dir, config, half)
    log(f"{name}: build+fill {t_build:.2f}s, forward {res['t_fwd']:.2f}s, total {time.time() - t0:.2f}s")
    log(f"{name}: logits_per_video = {tnp(out.logits_per_video).tolist()}")


def write_readme_tiny(out_dir, config, half):
    nv = config.vision_config.num_hidden_layers
    nt = config.text_config.num_hidden_layers
    rows = dict(file_table(out_dir))
    meaning = {
        "pixel_values.npy": "input: generator stream \"pixel_values\", seed 2 (uniform [-2, 2)), (B, T, 3, 30, 30)",
        "input_ids.npy": "input: K = 3 prompts, L = 7; real lengths 7, 4, 2 (bos … eos=98), right-padded with 98",
        "attention_mask.npy": "input: 1 for real tokens (incl. bos/eos), 0 for padding",
        "logits_per_video.npy": "output logits_per_video (B, K)",
        "logits_per_text.npy": "output logits_per_text (K, B)",
        "text_embeds.npy": "output text_embeds (B, K, P): video-conditioned, L2-normalised",
        "video_embeds.npy": "output video_embeds (B, P): L2-normalised",
        "ref/vision.pooled.npy": "vision pooler_output = post_layernorm(last_hidden_state[:, 0]) (B·T, D_v)",
        "ref/mit.out.npy": "mit_output.last_hidden_state (B, T, P): MIT encoder output + cls_features residual",
        "ref/video_features.npy": "get_video_features(...).pooler_output (B, P): MIT mean over T, before normalisation",
        "ref/img_features.npy": "the visual input of prompts_generator (B, N, P): mean_T(prompts_visual_layernorm(patch tokens) @ prompts_visual_projection), before prompts_generator.layernorm (forward pre-hook)",
        "ref/text.last.npy": "text last_hidden_state (K, L, D_t), after final_layer_norm",
        "ref/text_features.npy": "get_text_features(...).pooler_output (K, P): text_projection(pooled EOS row), unnormalised, no prompt generator",
        "ref/prompts.out.npy": "prompts_generator output (B, K, P) = alpha ⊙ x (forward hook); text_embeds before normalisation = text + this",
    }
    for i in range(nv + 1):
        meaning[f"ref/vision.hidden.{i}.npy"] = (
            "vision_model_output.hidden_states[0]: input of encoder layer 0 = pre_layernorm(embeddings) (B·T, S, D_v)"
            if i == 0 else
            f"vision_model_output.hidden_states[{i}]: output of vision encoder layer {i - 1} (B·T, S, D_v)"
            + (" = last_hidden_state (no post_layernorm)" if i == nv else ""))
    for i in range(nt + 1):
        meaning[f"ref/text.hidden.{i}.npy"] = (
            "text_model_output.hidden_states[0]: token + position embeddings = input of layer 0 (K, L, D_t)"
            if i == 0 else
            f"text_model_output.hidden_states[{i}]: output of text encoder layer {i - 1} (K, L, D_t)"
            + (", before final_layer_norm" if i == nt else ""))
    lines = [
        ("# Fixture A as an F16 checkpoint (generated by tools/dev/gen_fixtures.py --which tiny_f16)"
         if half else "# Fixture A — tiny X-CLIP (generated by tools/dev/gen_fixtures.py --which tiny)"),
        "",
        "Do not edit: regenerate. Spec: docs/FIXTURES.md. Versions: versions.json.",
        "",
    ] + ([
        "The tiny fixture's weights rounded to IEEE half (round to nearest even) and saved as F16",
        "(`config.json` says `\"dtype\": \"float16\"`); every output computed by transformers in",
        "float32 on exactly those values. Inputs as tiny's.",
        "",
    ] if half else []) + [
        "- `config.json`: XCLIPConfig as `save_pretrained` writes it (text: vocab 99, hidden 32,",
        "  intermediate 37, 2 layers, 4 heads, max_position 77; vision: image 30, patch 2 (225 patches,",
        "  S = 226), hidden 32, intermediate 37, 2 layers, 4 heads, mit_hidden 64, mit_intermediate 96,",
        "  mit 1 layer / 8 heads; projection 64; prompt generator 2 layers, 8 heads).",
        "- `model.safetensors`: every parameter from the synthetic generator, seed 1, "
        + ("F16" if half else "f32"),
        "  (no `position_ids`).",
        "- B = 2 videos, T = 8 frames, K = 3 prompts, L = 7, D_v = D_t = 32, P = 64, N = 225, S = 226.",
        "- Computed on CPU, float32, eval mode, torch single-threaded, attention implementation as in",
        "  versions.json (transformers' default).",
        "",
    ]
    write_readme(out_dir, lines, rows, meaning)


# ============================================================ fixture B: base shapes

BASE_CONFIG = dict(vision_config=dict(patch_size=32, num_frames=8))
BASE_SEED = 1234
BASE_PIXEL_SEED = 1235
BASE_PIXEL_SHAPE = (1, 8, 3, 224, 224)
BASE_PROMPTS = [  # docs/XCLIP.md §5.5
    ("playing sports", [49406, 1629, 2054, 49407]),
    ("eating spaghetti", [49406, 4371, 18440, 49407]),
    ("what's in the video", [49406, 768, 568, 530, 518, 1455, 49407]),
]
BASE_L = 7
BASE_PAD = 49407


def gen_base(out_root):
    out_dir = os.path.join(out_root, "base")
    ref_dir = os.path.join(out_dir, "ref")
    model_dir = os.path.join(out_dir, "model")  # not committed (.gitignore)
    os.makedirs(ref_dir, exist_ok=True)
    t0 = time.time()
    config, model, weights = build_model(BASE_CONFIG, BASE_SEED)
    t_build = time.time() - t0
    write_config(config, model, out_dir)
    write_config(config, model, model_dir)
    t1 = time.time()
    save_weights(weights, os.path.join(model_dir, "model.safetensors"))
    t_save = time.time() - t1
    write_json(os.path.join(out_dir, "synth.json"),
               {"seed": BASE_SEED, "pixel_seed": BASE_PIXEL_SEED, "pixel_shape": list(BASE_PIXEL_SHAPE)})

    pixel_values = synth_tensor("pixel_values", BASE_PIXEL_SEED, BASE_PIXEL_SHAPE)
    save_npy(os.path.join(model_dir, "pixel_values.npy"), pixel_values)
    input_ids = np.full((len(BASE_PROMPTS), BASE_L), BASE_PAD, dtype=np.int64)
    attention_mask = np.zeros_like(input_ids)
    for k, (_, ids) in enumerate(BASE_PROMPTS):
        input_ids[k, :len(ids)] = ids
        attention_mask[k, :len(ids)] = 1

    res = run_and_save(model, out_dir, ref_dir, pixel_values, input_ids, attention_mask)
    out = res["out"]
    for i, h in enumerate(out.vision_model_output.hidden_states):
        save_npy(os.path.join(ref_dir, f"vision.hidden_cls.{i}.npy"), tnp(h[:, 0, :]))

    write_versions(out_dir, model)
    write_readme_base(out_dir, config)
    log(f"base: build+fill {t_build:.2f}s, save weights {t_save:.2f}s, forward {res['t_fwd']:.2f}s, "
        f"total {time.time() - t0:.2f}s")
    log(f"base: logits_per_video = {tnp(out.logits_per_video).tolist()}")


def write_readme_base(out_dir, config):
    rows = {k: v for k, v in file_table(out_dir) if not k.startswith("model/")}
    nv = config.vision_config.num_hidden_layers
    nt = config.text_config.num_hidden_layers
    meaning = {
        "input_ids.npy": "input: K = 3 prompts (docs/XCLIP.md §5.5: \"playing sports\", \"eating spaghetti\", \"what's in the video\"), right-padded to L = 7 with 49407",
        "attention_mask.npy": "input: 1 for real tokens (incl. bos/eos), 0 for padding",
        "logits_per_video.npy": "output logits_per_video (B, K)",
        "logits_per_text.npy": "output logits_per_text (K, B)",
        "text_embeds.npy": "output text_embeds (B, K, 512): video-conditioned, L2-normalised",
        "video_embeds.npy": "output video_embeds (B, 512): L2-normalised",
        "ref/vision.pooled.npy": "vision pooler_output = post_layernorm(last_hidden_state[:, 0]) (B·T, 768)",
        "ref/mit.out.npy": "mit_output.last_hidden_state (B, T, 512)",
        "ref/video_features.npy": "get_video_features(...).pooler_output (B, 512): MIT mean, before normalisation",
        "ref/text_features.npy": "get_text_features(...).pooler_output (K, 512): projected pooled EOS, unnormalised",
        "ref/prompts.out.npy": "prompts_generator output (B, K, 512) = alpha ⊙ x",
    }
    for i in range(nv + 1):
        meaning[f"ref/vision.hidden_cls.{i}.npy"] = (
            "CLS row [:, 0, :] of vision hidden_states[0] = pre_layernorm(embeddings) (B·T, 768)" if i == 0 else
            f"CLS row [:, 0, :] of vision hidden_states[{i}] = output of layer {i - 1} (B·T, 768)")
    for i in range(nt + 1):
        meaning[f"ref/text.hidden.{i}.npy"] = (
            "text hidden_states[0]: token + position embeddings (K, L, 512)" if i == 0 else
            f"text hidden_states[{i}]: output of text layer {i - 1} (K, L, 512)"
            + (", before final_layer_norm" if i == nt else ""))
    lines = [
        "# Fixture B — xclip-base-patch32 shapes (generated by tools/dev/gen_fixtures.py --which base)",
        "",
        "Do not edit: regenerate. Spec: docs/FIXTURES.md. Versions: versions.json.",
        "",
        "- `config.json`: transformers' XCLIPConfig defaults + vision patch_size 32, num_frames 8",
        "  (12 + 12 layers, 768 / 512, image 224, vocab 49408), as `save_pretrained` writes it.",
        "- `synth.json`: the generator seeds. The weights (786 MB, seed 1234) and pixel values",
        "  (stream \"pixel_values\", seed 1235, shape (1, 8, 3, 224, 224)) are NOT committed;",
        "  regenerate them bit-exactly with",
        "  `clx-synth --config tests/fixtures/base/config.json --seed 1234 --out tests/fixtures/base/model",
        "  --pixels tests/fixtures/base/model/pixel_values.npy --pixel-seed 1235 --pixel-shape 1,8,3,224,224`",
        "  (tools/dev/gen_fixtures.py --which base writes the same files there).",
        "- B = 1, T = 8, K = 3, L = 7. CPU, float32, eval, torch single-threaded, attention",
        "  implementation as in versions.json (transformers' default).",
        "",
    ]
    write_readme(out_dir, lines, rows, meaning)


# ============================================================ generator self-check

SYNTH_CHECK = [
    ("pixel_values", 2),
    ("pixel_values", 1235),
    ("text_model.encoder.layers.0.layer_norm1.weight", 1),
    ("vision_model.encoder.layers.1.message_ln.bias", 1),
    ("text_model.final_layer_norm.weight", 1234),
    ("vision_model.pre_layernorm.bias", 1234),
    ("prompts_generator.decoder.0.norm3.weight", 1),
    ("prompts_visual_layernorm.weight", 1234),
    ("logit_scale", 1),
    ("prompts_generator.alpha", 1234),
    ("vision_model.embeddings.class_embedding", 1),
    ("mit.position_embedding", 1234),
    ("vision_model.encoder.layers.0.mlp.fc1.weight", 1),
    ("text_model.embeddings.token_embedding.weight", 1234),
    ("prompts_visual_projection", 1),
    ("prompts_generator.decoder.1.cross_attn.q_proj.weight", 0xFFFFFFFFFFFFFFFF),
    ("", 0),
]
SYNTH_CHECK_N = 16


def gen_synth_check(out_root):
    entries = []
    for name, seed in SYNTH_CHECK:
        mean, scale = synth_rule(name)
        state0 = (seed ^ fnv1a64(name)) & MASK64
        vals = synth_values(name, seed, SYNTH_CHECK_N)
        ref_u = splitmix64_scalar(state0, SYNTH_CHECK_N)
        assert [int(u) for u in splitmix64_stream(state0, 0, SYNTH_CHECK_N)] == ref_u, name
        ref_v = [float(mean + scale * (2.0 * ((u >> 11) * 2.0 ** -53) - 1.0)) for u in ref_u]
        assert vals.tolist() == np.array(ref_v, dtype=np.float64).astype(np.float32).tolist(), name
        # chunked and unchunked streams agree
        assert np.array_equal(synth_values(name, seed, 100, chunk=7)[:SYNTH_CHECK_N], vals), name
        entries.append({
            "name": name,
            "seed": str(seed),  # decimal string: JSON numbers lose precision above 2^53
            "mean": mean,
            "scale": scale,
            "fnv1a64": f"0x{fnv1a64(name):016x}",
            "u64": [f"0x{int(u):016x}" for u in splitmix64_stream(state0, 0, 4)],
            "bits": [f"0x{int(b):08x}" for b in vals.view(np.uint32)],
            "values": [float(v) for v in vals],
        })
    write_json(os.path.join(out_root, "synth_check.json"),
               {"comment": "first values of the synthetic generator (docs/FIXTURES.md), from "
                           "tools/dev/gen_fixtures.py; 'bits' are the float32 bit patterns, 'u64' the "
                           "first raw splitmix64 draws",
                "n": SYNTH_CHECK_N, "entries": entries})


# ============================================================ main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                      "..", "..", "tests", "fixtures"))
    ap.add_argument("--which", choices=("tiny", "tiny_f16", "base", "all"), default="all")
    args = ap.parse_args()

    import torch
    torch.set_num_threads(1)  # a fixed reduction order: the script must be deterministic
    torch.use_deterministic_algorithms(True)
    out_root = os.path.abspath(args.out_dir)
    os.makedirs(out_root, exist_ok=True)
    t0 = time.time()
    gen_synth_check(out_root)
    if args.which in ("tiny", "all"):
        gen_tiny(out_root)
    if args.which in ("tiny_f16", "all"):
        gen_tiny(out_root, half=True)
    if args.which in ("base", "all"):
        gen_base(out_root)
    log(f"done in {time.time() - t0:.2f}s; versions: {json.dumps(versions())}")


if __name__ == "__main__":
    sys.exit(main())
