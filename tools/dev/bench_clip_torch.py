#!/usr/bin/env python3
"""bench_clip_torch.py — the PyTorch side of tools/dev/bench_clip.sh: image
embeddings (CLIPModel.get_image_features) of a folder of images, the way the
transformers docs do it: Pillow opens and converts each image, CLIPProcessor
(its PIL image processor) prepares a batch, the model runs under
torch.inference_mode. Same weights as clx (the model folder), float32,
--threads threads. Development only.

Prints one JSON object: per batch size, wall seconds for all images
(decode + preprocess + compute), images/s, the compute seconds alone and the
compute-only images/s, and the first image's embedding (to check against clx).

Usage: bench_clip_torch.py --model DIR --images DIR [--batches 1,32] [--threads N]
"""

import argparse
import json
import os
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--images", required=True)
    ap.add_argument("--batches", default="1,32")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    a = ap.parse_args()
    import torch
    from PIL import Image
    from transformers import CLIPImageProcessorPil, CLIPModel

    torch.set_num_threads(a.threads)
    t0 = time.time()
    model = CLIPModel.from_pretrained(a.model, dtype=torch.float32).eval()
    proc = CLIPImageProcessorPil.from_pretrained(a.model)
    load_s = time.time() - t0
    files = sorted(os.path.join(a.images, f) for f in os.listdir(a.images))
    out = {"torch": torch.__version__, "threads": a.threads, "images": len(files),
           "load_s": load_s, "forms": {}}
    for B in (int(b) for b in a.batches.split(",")):
        with torch.inference_mode():
            # one warm-up batch: first-call allocations are not the steady state
            x = proc(images=[Image.open(files[0]).convert("RGB")] * B, return_tensors="pt")
            model.get_image_features(pixel_values=x["pixel_values"])
            t0 = time.time()
            compute = 0.0
            first = None
            for i in range(0, len(files), B):
                ims = [Image.open(f).convert("RGB") for f in files[i:i + B]]
                x = proc(images=ims, return_tensors="pt")
                c0 = time.time()
                e = model.get_image_features(pixel_values=x["pixel_values"])
                e = getattr(e, "pooler_output", e)
                compute += time.time() - c0
                if first is None:
                    first = e[0].tolist()
            wall = time.time() - t0
        out["forms"][f"b{B}"] = {"batch": B, "wall_s": wall, "images_per_s": len(files) / wall,
                                 "compute_s": compute, "compute_images_per_s": len(files) / compute,
                                 "first_embedding": first}
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
