#!/usr/bin/env python3
"""gen_clip_fixtures.py — golden fixtures for clx's CLIPModel, from transformers.

Development only (torch, transformers, safetensors, numpy); clx never needs
Python to build or test. Weights come from the synthetic generator of
docs/FIXTURES.md (imported from gen_fixtures.py, not copied). Writes, under
tests/fixtures/clip/:

  tiny/   a tiny CLIPConfig (quick_gelu, eos_token_id = 98: the first-match
          EOS pooling), weights committed, B = 2 images, K = 3 prompts;
  gelu/   the same towers with hidden_act gelu in both and eos_token_id = 2
          (the legacy argmax pooling), projection_dim 24 at the top level and
          other values in the sub-configs (CLIPModel uses the top level);
  base/   the exact openai/clip-vit-base-patch32 shapes (CLIPConfig()
          defaults); its 605 MB of weights and the pixel values are NOT
          committed: clx-synth regenerates them bit-exactly from synth.json.

Each holds config.json, the inputs (pixel_values only for tiny/gelu, input_ids,
attention_mask), the outputs of CLIPModel.forward (logits_per_image,
logits_per_text, image_embeds, text_embeds) and ref/ intermediates: vision
hidden_states (all rows for tiny/gelu, the CLS rows for base), the pooled
CLS after post_layernorm, get_image_features, text hidden_states, the final
layer norm, get_text_features. Versions go to versions.json.

Usage: tools/dev/gen_clip_fixtures.py [--out-dir tests/fixtures/clip] [--which tiny|gelu|base|all]
"""

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_fixtures as gf  # noqa: E402  (the generator and helpers)

TINY_TEXT = dict(vocab_size=99, hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                 num_attention_heads=4, max_position_embeddings=16, eos_token_id=98)
TINY_VISION = dict(image_size=30, patch_size=6, hidden_size=32, intermediate_size=37,
                   num_hidden_layers=2, num_attention_heads=4)
CASES = {
    "tiny": dict(config=dict(text_config=TINY_TEXT, vision_config=TINY_VISION, projection_dim=16),
                 seed=11, pixel_seed=12, B=2),
    "gelu": dict(config=dict(text_config=dict(TINY_TEXT, hidden_act="gelu", eos_token_id=2,
                                              projection_dim=7),
                             vision_config=dict(TINY_VISION, hidden_act="gelu", projection_dim=9),
                             projection_dim=24),
                 seed=13, pixel_seed=14, B=2),
    "base": dict(config=dict(), seed=4321, pixel_seed=4322, B=1),
}
# K = 3 prompts, right-padded: bos … eos then padding. tiny/gelu use ids in
# [0, 99) with eos 98 (the padding repeats it, as CLIP's tokenizer pads with
# <|endoftext|>); base uses the real CLIP ids of "a photo of a cat" etc.
TINY_IDS = [[97, 5, 17, 98], [97, 44, 98], [97, 3, 90, 61, 12, 98]]
BASE_IDS = [[49406, 320, 1125, 539, 320, 2368, 49407],   # a photo of a cat
            [49406, 320, 1125, 539, 320, 1929, 49407],   # a photo of a dog
            [49406, 320, 4826, 49407]]                   # a diagram


def build_model(cfg_kwargs, seed):
    import torch
    from transformers import CLIPConfig, CLIPModel

    config = CLIPConfig(**cfg_kwargs)
    torch.manual_seed(0)
    model = CLIPModel(config).to(torch.float32).eval()
    params = dict(model.named_parameters())
    weights = {}
    for name, t in model.state_dict().items():
        if name.endswith("position_ids"):
            continue
        weights[name] = torch.from_numpy(gf.synth_tensor(name, seed, tuple(t.shape)))
    assert set(weights) == set(params), set(params) ^ set(weights)
    missing, unexpected = model.load_state_dict(weights, strict=False)
    assert not unexpected and all(k.endswith("position_ids") for k in missing)
    return config, model, weights


def ids_and_mask(rows, pad):
    L = max(len(r) for r in rows)
    ids = np.full((len(rows), L), pad, dtype=np.int64)
    mask = np.zeros_like(ids)
    for k, r in enumerate(rows):
        ids[k, :len(r)] = r
        mask[k, :len(r)] = 1
    return ids, mask


def run(model, pixel_values, input_ids, attention_mask):
    import torch
    cap = {}
    hook = model.vision_model.post_layernorm.register_forward_hook(
        lambda m, a, out: cap.__setitem__("pooled", out.clone()))
    hook2 = model.text_model.final_layer_norm.register_forward_hook(
        lambda m, a, out: cap.__setitem__("text_last", out.clone()))
    px, ii, am = (torch.from_numpy(x) for x in (pixel_values, input_ids, attention_mask))
    with torch.no_grad():
        t0 = time.time()
        out = model(input_ids=ii, pixel_values=px, attention_mask=am, output_hidden_states=True,
                    return_dict=True)
        t_fwd = time.time() - t0
        img = model.get_image_features(pixel_values=px)
        txt = model.get_text_features(input_ids=ii, attention_mask=am)
    hook.remove()
    hook2.remove()
    # transformers 5 returns the projected pooler output in a model output
    img = getattr(img, "pooler_output", img)
    txt = getattr(txt, "pooler_output", txt)
    return out, cap, img, txt, t_fwd


def gen(name, out_root):
    case = CASES[name]
    out_dir = os.path.join(out_root, name)
    ref_dir = os.path.join(out_dir, "ref")
    model_dir = os.path.join(out_dir, "model")  # base: not committed
    os.makedirs(ref_dir, exist_ok=True)
    config, model, weights = build_model(case["config"], case["seed"])
    gf.write_config(config, model, out_dir)
    S, C = config.vision_config.image_size, config.vision_config.num_channels
    shape = (case["B"], C, S, S)
    pixel_values = gf.synth_tensor("pixel_values", case["pixel_seed"], shape)
    if name == "base":
        gf.write_config(config, model, model_dir)
        gf.save_weights(weights, os.path.join(model_dir, "model.safetensors"))
        gf.save_npy(os.path.join(model_dir, "pixel_values.npy"), pixel_values)
        gf.write_json(os.path.join(out_dir, "synth.json"),
                      {"seed": case["seed"], "pixel_seed": case["pixel_seed"], "pixel_shape": list(shape)})
        ids, mask = ids_and_mask(BASE_IDS, 49407)
    else:
        gf.save_weights(weights, os.path.join(out_dir, "model.safetensors"))
        gf.save_npy(os.path.join(out_dir, "pixel_values.npy"), pixel_values)
        ids, mask = ids_and_mask(TINY_IDS, 98)
    gf.save_npy(os.path.join(out_dir, "input_ids.npy"), ids)
    gf.save_npy(os.path.join(out_dir, "attention_mask.npy"), mask)

    out, cap, img, txt, t_fwd = run(model, pixel_values, ids, mask)
    for k in ("logits_per_image", "logits_per_text", "image_embeds", "text_embeds"):
        gf.save_npy(os.path.join(out_dir, k + ".npy"), gf.tnp(getattr(out, k)))
    for i, h in enumerate(out.vision_model_output.hidden_states):
        if name == "base":
            gf.save_npy(os.path.join(ref_dir, f"vision.hidden_cls.{i}.npy"), gf.tnp(h[:, 0, :]))
        else:
            gf.save_npy(os.path.join(ref_dir, f"vision.hidden.{i}.npy"), gf.tnp(h))
    for i, h in enumerate(out.text_model_output.hidden_states):
        if name != "base" or i in (0, len(out.text_model_output.hidden_states) - 1):
            gf.save_npy(os.path.join(ref_dir, f"text.hidden.{i}.npy"), gf.tnp(h))
    gf.save_npy(os.path.join(ref_dir, "vision.pooled.npy"), gf.tnp(cap["pooled"]))
    gf.save_npy(os.path.join(ref_dir, "text.last.npy"), gf.tnp(cap["text_last"]))
    gf.save_npy(os.path.join(ref_dir, "image_features.npy"), gf.tnp(img))
    gf.save_npy(os.path.join(ref_dir, "text_features.npy"), gf.tnp(txt))
    v = gf.versions()
    v["attn_implementation"] = model.config._attn_implementation
    gf.write_json(os.path.join(out_dir, "versions.json"), v)
    gf.log(f"{name}: forward {t_fwd:.2f}s, logits_per_image {gf.tnp(out.logits_per_image).tolist()}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                      "..", "..", "tests", "fixtures", "clip"))
    ap.add_argument("--which", choices=("tiny", "gelu", "base", "all"), default="all")
    args = ap.parse_args()
    import torch
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    out_root = os.path.abspath(args.out_dir)
    for name in CASES:
        if args.which in (name, "all"):
            gen(name, out_root)


if __name__ == "__main__":
    sys.exit(main())
