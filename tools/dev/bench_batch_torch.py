#!/usr/bin/env python3
"""bench_batch_torch.py — the PyTorch side of tools/dev/bench_batch.sh: a
collection of videos classified against one label set with transformers'
XCLIPModel, the way its documentation does it (PyAV decode, XCLIPProcessor,
model forward), in three forms:

  per-call   processor(text=labels, videos=clip) + model(**inputs) per video:
             the text tower runs again for every video (the docs' example);
  text-once  the labels' text_projection(text_model(...)) once, then per video
             the vision tower, MIT, prompt generator and logits (XCLIPModel.forward
             with the text half hoisted out);
  text-once-b8  the same, 8 videos per forward.

Frames: the uniform indices clx uses by default, floor((i + 0.5) * n / T), decoded
with PyAV until the last one is reached (as the docs' read_video_pyav). Same
weights as clx (the model folder's model.safetensors), float32, eval,
torch.inference_mode, --threads threads. Development only.

Prints one JSON object: per form, wall seconds (model load excluded; reported
apart), videos/s, decode+preprocess and compute seconds, and the probabilities
of the first video (to check the forms agree with each other and with clx).

Usage: bench_batch_torch.py --model DIR --manifest F --labels-file F
         [--forms per-call,text-once,text-once-b8] [--threads N]
"""

import argparse
import json
import os
import sys
import time


def uniform_indices(n, t):
    return [int((i + 0.5) * n / t) for i in range(t)]


def read_clip(path, t):
    import av
    import numpy as np
    with av.open(path) as c:
        n = c.streams.video[0].frames
        if n <= 0:  # no count in the container: decode once to count
            n = sum(1 for _ in c.decode(video=0))
            c.seek(0)
        idx = uniform_indices(n, t)
        want, frames = set(idx), {}
        for i, f in enumerate(c.decode(video=0)):
            if i > idx[-1]:
                break
            if i in want:
                frames[i] = f.to_ndarray(format="rgb24")
    return [frames[i] for i in idx]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--labels-file", required=True)
    ap.add_argument("--forms", default="per-call,text-once,text-once-b8")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("CLX_THREADS", os.cpu_count())))
    args = ap.parse_args()

    import torch
    from safetensors.torch import load_file
    from transformers import (CLIPTokenizer, VideoMAEImageProcessor, XCLIPConfig, XCLIPModel,
                              XCLIPProcessor)

    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    config = XCLIPConfig.from_json_file(os.path.join(args.model, "config.json"))
    model = XCLIPModel(config).eval()
    missing, unexpected = model.load_state_dict(load_file(os.path.join(args.model, "model.safetensors")),
                                                strict=False)
    assert not unexpected and all(k.endswith("position_ids") for k in missing), (missing, unexpected)
    with open(os.path.join(args.model, "preprocessor_config.json")) as f:
        pp = {k: v for k, v in json.load(f).items() if k not in ("feature_extractor_type", "processor_class")}
    processor = XCLIPProcessor(image_processor=VideoMAEImageProcessor(**pp),
                               tokenizer=CLIPTokenizer.from_pretrained(args.model))
    load_s = time.perf_counter() - t0

    base = os.path.dirname(os.path.abspath(args.manifest))
    with open(args.manifest) as f:
        videos = [os.path.join(base, l.strip()) for l in f if l.strip() and not l.startswith("#")]
    with open(args.labels_file) as f:
        labels = [l.rstrip("\n") for l in f if l.strip()]
    T = config.vision_config.num_frames

    def pixels(path):
        return processor(videos=read_clip(path, T), return_tensors="pt")["pixel_values"]

    def video_logits(pv, text_embeds):
        """XCLIPModel.forward from pixel_values, the text features given."""
        B, F, C, H, W = pv.shape
        vo = model.vision_model(pixel_values=pv.reshape(-1, C, H, W))
        ve = model.visual_projection(vo[1])
        ve = model.mit(ve.view(B, F, -1))[1]
        img = model.prompts_visual_layernorm(vo[0][:, 1:, :]) @ model.prompts_visual_projection
        img = img.view(B, F, -1, ve.shape[-1]).mean(dim=1, keepdim=False)
        te = text_embeds.unsqueeze(0).expand(B, -1, -1)
        te = te + model.prompts_generator(te, img)
        ve = ve / ve.norm(p=2, dim=-1, keepdim=True)
        te = te / te.norm(p=2, dim=-1, keepdim=True)
        return torch.einsum("bd,bkd->bk", ve, model.logit_scale.exp() * te)

    result = {"threads": args.threads, "videos": len(videos), "labels": len(labels), "load_s": load_s,
              "torch": torch.__version__, "forms": {}}
    for form in args.forms.split(","):
        dec = comp = 0.0
        first = None
        t_start = time.perf_counter()
        with torch.inference_mode():
            if form == "per-call":
                for v in videos:
                    t = time.perf_counter()
                    inputs = processor(text=labels, videos=read_clip(v, T), return_tensors="pt", padding=True)
                    t2 = time.perf_counter()
                    probs = model(**inputs).logits_per_video.softmax(dim=1)
                    comp += time.perf_counter() - t2
                    dec += t2 - t
                    first = probs[0].tolist() if first is None else first
            elif form.startswith("text-once"):
                b = int(form[len("text-once-b"):]) if form.startswith("text-once-b") else 1
                t = time.perf_counter()
                tok = processor.tokenizer(labels, return_tensors="pt", padding=True)
                text_embeds = model.text_projection(model.text_model(**tok)[1])
                comp += time.perf_counter() - t
                for s in range(0, len(videos), b):
                    t = time.perf_counter()
                    pv = torch.cat([pixels(v) for v in videos[s:s + b]])
                    t2 = time.perf_counter()
                    probs = video_logits(pv, text_embeds).softmax(dim=1)
                    comp += time.perf_counter() - t2
                    dec += t2 - t
                    first = probs[0].tolist() if first is None else first
            else:
                sys.exit(f"unknown form {form}")
        wall = time.perf_counter() - t_start
        result["forms"][form] = {"wall_s": wall, "videos_per_s": len(videos) / wall, "decode_s": dec,
                                 "compute_s": comp, "first_probs": first}
        print(f"{form}: {len(videos)} videos in {wall:.1f} s ({len(videos) / wall:.2f} videos/s), "
              f"decode {dec:.1f} s, compute {comp:.1f} s", file=sys.stderr, flush=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
