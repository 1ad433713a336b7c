#!/usr/bin/env python3
"""Golden XCLIPConfig and CLIPConfig fixtures for tests/test_config.c
(development only).

For each case this writes tests/fixtures/config/<case>.json (the input) and
<case>.expected: the values transformers itself resolves from that input
(XCLIPConfig.from_dict, or CLIPConfig.from_dict for the clip_* cases), one
`field value` line per clx_model_config field that family has.
`default.json` is XCLIPConfig().to_dict() — the full dump a Hub config.json
looks like. The versions used go to versions.json. clx never needs Python to
build or test; rerun this only to move to another transformers version:

    python3 tools/dev/gen_config_golden.py
"""
import json
import os
import sys

import transformers
from transformers import (CLIPConfig, CLIPTextConfig, CLIPVisionConfig, XCLIPConfig,
                          XCLIPTextConfig, XCLIPVisionConfig)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "fixtures", "config")

# clx field name -> (sub-config attribute or None, transformers attribute)
FIELDS = [
    ("text.vocab_size", "text_config", "vocab_size"),
    ("text.hidden_size", "text_config", "hidden_size"),
    ("text.intermediate_size", "text_config", "intermediate_size"),
    ("text.num_hidden_layers", "text_config", "num_hidden_layers"),
    ("text.num_attention_heads", "text_config", "num_attention_heads"),
    ("text.max_position_embeddings", "text_config", "max_position_embeddings"),
    ("text.layer_norm_eps", "text_config", "layer_norm_eps"),
    ("vision.hidden_size", "vision_config", "hidden_size"),
    ("vision.intermediate_size", "vision_config", "intermediate_size"),
    ("vision.num_hidden_layers", "vision_config", "num_hidden_layers"),
    ("vision.num_attention_heads", "vision_config", "num_attention_heads"),
    ("vision.mit_hidden_size", "vision_config", "mit_hidden_size"),
    ("vision.mit_intermediate_size", "vision_config", "mit_intermediate_size"),
    ("vision.mit_num_hidden_layers", "vision_config", "mit_num_hidden_layers"),
    ("vision.mit_num_attention_heads", "vision_config", "mit_num_attention_heads"),
    ("vision.num_channels", "vision_config", "num_channels"),
    ("vision.image_size", "vision_config", "image_size"),
    ("vision.patch_size", "vision_config", "patch_size"),
    ("vision.num_frames", "vision_config", "num_frames"),
    ("vision.layer_norm_eps", "vision_config", "layer_norm_eps"),
    ("projection_dim", None, "projection_dim"),
    ("prompt_layers", None, "prompt_layers"),
    ("prompt_num_attention_heads", None, "prompt_num_attention_heads"),
    ("prompt_alpha", None, "prompt_alpha"),
    ("logit_scale_init_value", None, "logit_scale_init_value"),
]
XCLIP_ONLY = {"vision.mit_hidden_size", "vision.mit_intermediate_size", "vision.mit_num_hidden_layers",
              "vision.mit_num_attention_heads", "vision.num_frames", "prompt_layers",
              "prompt_num_attention_heads", "prompt_alpha"}
# CLIP's fields: the shared ones, plus the activations (clx's enum clx_act:
# quick_gelu 0, gelu 1) and the EOS id its text pooling uses.
ACTS = {"quick_gelu": 0, "gelu": 1}
CLIP_FIELDS = [f for f in FIELDS if f[0] not in XCLIP_ONLY] + [
    ("text.hidden_act", "text_config", "hidden_act"),
    ("vision.hidden_act", "vision_config", "hidden_act"),
    ("text.eos_token_id", "text_config", "eos_token_id"),
]

# The tiny config of docs/FIXTURES.md (fixture A).
TINY_TEXT = dict(vocab_size=99, hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                 num_attention_heads=4)
TINY_VISION = dict(image_size=30, patch_size=2, hidden_size=32, intermediate_size=37,
                   num_hidden_layers=2, num_attention_heads=4, mit_hidden_size=64,
                   mit_intermediate_size=96)

CASES = {
    # The full dump of XCLIPConfig() (what save_pretrained writes).
    "default": XCLIPConfig().to_dict(),
    # Nothing at all: every default.
    "empty": {},
    # Explicit nulls for the sub-configs: defaults too.
    "null_subconfigs": {"text_config": None, "vision_config": None, "model_type": "xclip"},
    # A few keys; the rest default.
    "partial": {
        "projection_dim": 256,
        "prompt_num_attention_heads": 4,
        "prompt_alpha": 0.25,
        "text_config": {"hidden_size": 256, "num_attention_heads": 4, "layer_norm_eps": 1e-6},
        "vision_config": {"mit_hidden_size": 256, "patch_size": 16, "num_frames": 16},
        "some_unknown_key": [1, {"x": None}],
    },
    # Legacy keys: *_dict, expanded with defaults, overrides *_config.
    "legacy_dict": {
        "text_config": {"hidden_size": 128, "vocab_size": 1000, "num_attention_heads": 2},
        "text_config_dict": {"vocab_size": 500, "num_attention_heads": 4},
        "vision_config_dict": {"image_size": 32, "patch_size": 16, "num_frames": 4},
    },
    # Only the legacy key: used as is.
    "legacy_dict_only": {
        "text_config_dict": {"max_position_embeddings": 64},
        "vision_config": {"num_frames": 2},
    },
    # Fixture A's config.
    "tiny": XCLIPConfig(text_config=XCLIPTextConfig(**TINY_TEXT).to_dict(),
                        vision_config=XCLIPVisionConfig(**TINY_VISION).to_dict(),
                        projection_dim=64).to_dict(),
    # CLIPConfig: the full dump, nothing but the type, and the variants.
    "clip_default": CLIPConfig().to_dict(),
    "clip_empty": {"model_type": "clip"},
    "clip_partial": {
        "model_type": "clip",
        "projection_dim": 256,
        "text_config": {"hidden_act": "gelu", "eos_token_id": 2, "projection_dim": 64,
                        "hidden_size": 256, "num_attention_heads": 4},
        "vision_config": {"hidden_act": "gelu", "patch_size": 14, "image_size": 336,
                          "projection_dim": 1024, "num_frames": 8, "mit_hidden_size": 7},
    },
    "clip_legacy_dict": {
        "model_type": "clip",
        "text_config": {"hidden_size": 128, "num_attention_heads": 2},
        "text_config_dict": {"vocab_size": 500, "num_attention_heads": 4, "eos_token_id": 3},
        "vision_config_dict": {"image_size": 32, "patch_size": 16, "hidden_act": "gelu"},
    },
}


def write_expected(path, cfg):
    clip = isinstance(cfg, CLIPConfig)
    with open(path, "w") as f:
        for name, sub, attr in CLIP_FIELDS if clip else FIELDS:
            obj = getattr(cfg, sub) if sub else cfg
            v = getattr(obj, attr)
            if attr == "hidden_act":
                v = ACTS[v]
            assert isinstance(v, (int, float)) and not isinstance(v, bool), (name, v)
            f.write(f"{name} {v!r}\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    for case, d in CASES.items():
        with open(os.path.join(OUT, case + ".json"), "w") as f:
            json.dump(d, f, indent=2, sort_keys=True)
            f.write("\n")
        # Read back what was written, exactly as from_pretrained would.
        with open(os.path.join(OUT, case + ".json")) as f:
            cls = CLIPConfig if case.startswith("clip_") else XCLIPConfig
            cfg = cls.from_dict(json.load(f))
        write_expected(os.path.join(OUT, case + ".expected"), cfg)
    # XCLIPConfig() itself, for clx_config_default.
    write_expected(os.path.join(OUT, "constructor.expected"), XCLIPConfig())
    write_expected(os.path.join(OUT, "clip_constructor.expected"), CLIPConfig())
    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump({"transformers": transformers.__version__,
                   "python": sys.version.split()[0]}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
