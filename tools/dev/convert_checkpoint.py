#!/usr/bin/env python3
"""convert_checkpoint.py — a pytorch_model.bin-only model folder to model.safetensors.

Development only (torch, safetensors). clx never unpickles: for a Hugging Face
X-CLIP folder that has only `pytorch_model.bin`, run this once and clx reads
the `model.safetensors` it writes beside it.

  tools/dev/convert_checkpoint.py MODEL_DIR [--dtype f32|f16|bf16]

The pickle is loaded with torch.load(weights_only=True) (no code runs),
`*.position_ids` buffers are dropped (clx ignores them anyway), tensors are
made contiguous and written in the requested dtype (default: as stored).
The file is written to a temporary name and renamed, so an interrupted run
leaves nothing half-written.
"""

import argparse
import os
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir")
    ap.add_argument("--dtype", choices=("f32", "f16", "bf16"), default=None)
    args = ap.parse_args()
    import torch
    from safetensors.torch import save_file

    src = os.path.join(args.model_dir, "pytorch_model.bin")
    dst = os.path.join(args.model_dir, "model.safetensors")
    if not os.path.isfile(src):
        sys.exit(f"{src}: not found")
    sd = torch.load(src, map_location="cpu", weights_only=True)
    if not isinstance(sd, dict):
        sys.exit(f"{src}: not a state dict")
    cast = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}.get(args.dtype)
    out = {}
    for name, t in sd.items():
        if name.endswith("position_ids"):
            continue
        if not torch.is_tensor(t):
            sys.exit(f"{src}: entry {name!r} is not a tensor")
        t = t.detach().contiguous()
        if cast is not None and t.is_floating_point():
            t = t.to(cast)
        out[name] = t
    tmp = dst + ".tmp"
    save_file(out, tmp, metadata={"format": "pt"})
    os.replace(tmp, dst)
    print(f"{dst}: {len(out)} tensors")


if __name__ == "__main__":
    main()
