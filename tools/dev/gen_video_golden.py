#!/usr/bin/env python3
"""gen_video_golden.py — golden data for tests/test_video.c and tests/test_preprocess.c.

Development only (PyAV, NumPy, Pillow, transformers; no torchvision, so
transformers' VideoMAE image processor runs on its PIL backend — the script
checks that). Inputs are the committed videos made by tools/dev/gen_test_videos.sh.

Writes under tests/fixtures/video/golden/ (per video STEM):
  STEM.n.npy          int64 [frames PyAV decodes, stream.frames, frame.rotation]
  STEM.u3.idx.npy     uniform T=3 indices; STEM.u3.rgb.npy the RGB24 frames
                      (PyAV to_ndarray(format="rgb24")), uint8 (3, H, W, 3)
  STEM.u8.idx.npy / .sum.npy, STEM.c8.* (consecutive T=8 stride 1 seed 0, the
                      docs example), STEM.c4.* (consecutive T=4 stride 3 seed
                      12345): indices and a position-weighted checksum per
                      frame, sum((i + 1) * byte_i) mod 2^64 as int64
  STEM.pv.npy         transformers pixel_values of the u3 frames with
                      PV_CONFIG (bilinear, 28 → crop 24), float32 (3, 3, 24, 24)
  h264.pv224.npy      the hub preprocessor_config (224, bilinear) on u3 frame 1
  {h264,mjpeg,portrait}.pvbicubic.npy  the u3 frames with PV_BICUBIC
  rng.npy             np.random.seed + sample_frame_indices for many seeds,
                      lengths and (T, stride): rows [seed, seg_len, T, stride,
                      idx0 … idx15] (-1 padded), including clx's rule when
                      seg_len ≤ T·stride (NumPy would raise)
and under tests/fixtures/preprocess/:
  img_NAME.npy, resize_NAME_HxW_fF.npy   PIL Image.resize on random images
  cfg_input.npy       two random 37x53 frames; cfg_K.json a preprocessor
                      config; cfg_K.resolved.json what transformers made of it
                      (or its error); cfg_K.pv.npy its pixel_values
plus versions.json in both folders.

Usage: tools/dev/gen_video_golden.py
"""

import json
import os
import platform
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VIDEO_DIR = os.path.join(ROOT, "tests", "fixtures", "video")
GOLDEN = os.path.join(VIDEO_DIR, "golden")
PRE = os.path.join(ROOT, "tests", "fixtures", "preprocess")

VIDEOS = ["h264.mp4", "bt709.mov", "fullrange.mp4", "vp9.webm", "mjpeg.avi", "anim.gif",
          "portrait.mkv", "odd444.mkv", "vfr.mp4", "interlaced.mp4", "rotated.mp4",
          "truncated.mkv",
          # high bit depths, chroma layouts and sitings (tools/dev/gen_test_videos.sh)
          "p10.mp4", "p10full.mp4", "p10center.mkv", "p10il.mp4",
          "p422p10.mkv", "p444p10.mkv", "hevc10.mkv", "hevc12.mkv",
          "hevc422p12.mkv", "hevc444p12.mkv", "vp9p10odd.webm", "vp9p10oddw.webm",
          "vp9p440.webm", "vp9p440p10.webm", "vp9oddodd.webm"]

HUB = {"do_center_crop": True, "do_normalize": True, "do_resize": True,
       "feature_extractor_type": "VideoMAEFeatureExtractor",
       "image_mean": [0.485, 0.456, 0.406], "image_std": [0.229, 0.224, 0.225],
       "processor_class": "XCLIPProcessor", "resample": 2, "size": 224}
PV_CONFIG = dict(HUB, size=28, crop_size=24)
PV_BICUBIC = dict(HUB, size={"height": 30, "width": 44},
                  crop_size={"height": 24, "width": 36}, resample=3)

# preprocessor_config.json cases: (json, write pixel_values?)
CONFIGS = [
    ({}, False),
    (HUB, False),
    (PV_CONFIG, True),
    ({"size": {"shortest_edge": 30}, "crop_size": {"height": 20, "width": 36}, "resample": 3}, True),
    ({"size": [30, 44], "crop_size": 24, "resample": 1}, True),
    ({"size": {"height": 31, "width": 45}, "do_center_crop": False, "resample": 4}, True),
    ({"size": {"shortest_edge": 40, "longest_edge": 50}, "crop_size": 40, "resample": 5}, True),
    ({"size": 40, "crop_size": 64}, True),
    ({"do_resize": False, "crop_size": 24, "image_mean": 0.5, "image_std": 0.25}, True),
    ({"size": 40, "crop_size": 32, "do_rescale": False}, True),
    ({"size": 40, "crop_size": 32, "do_normalize": False, "rescale_factor": 0.5}, True),
    ({"size": 40, "crop_size": 32, "resample": 0}, True),
    ({"size": 40, "crop_size": 32, "do_rescale": False, "do_normalize": False}, True),
    ({"size": 53, "crop_size": {"height": 53, "width": 37}, "resample": 2}, True),
    ({"image_mean": [0.1, 0.2]}, False),
    ({"size": {"longest_edge": 40}}, False),
]

# PIL resize cases: name, (h, w) in, list of (h, w) out
RESIZE = [
    ("a", (61, 97), [(23, 40), (90, 140), (61, 40), (20, 97), (61, 97)]),
    ("b", (13, 17), [(45, 38), (5, 3), (1, 1), (13, 50)]),
    ("c", (120, 90), [(7, 9), (41, 60), (17, 91)]),
    ("d", (1, 1), [(3, 5)]),
]


def fixture_processor(cfg):
    from transformers.models.videomae.image_processing_pil_videomae import VideoMAEImageProcessorPil
    return VideoMAEImageProcessorPil(**cfg)


def check_pil_backend():
    from transformers import AutoImageProcessor
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "preprocessor_config.json"), "w") as f:
            json.dump(HUB, f)
        p = AutoImageProcessor.from_pretrained(d)
    name = type(p).__name__
    if name != "VideoMAEImageProcessorPil":
        sys.exit(f"transformers picked {name}, not the PIL backend (is torchvision installed?)")
    return name


def uniform(n, t):
    return [(2 * i + 1) * n // (2 * t) for i in range(t)]


def sample_frame_indices(clip_len, frame_sample_rate, seg_len):
    """The transformers X-CLIP docs example, verbatim."""
    converted_len = int(clip_len * frame_sample_rate)
    end_idx = np.random.randint(converted_len, seg_len)
    start_idx = end_idx - converted_len
    indices = np.linspace(start_idx, end_idx, num=clip_len)
    indices = np.clip(indices, start_idx, end_idx - 1).astype(np.int64)
    return indices


def consecutive(n, t, stride, seed):
    """clx's consecutive sampling: the docs example, and its rule when NumPy would raise."""
    conv = t * stride
    if n > conv:
        np.random.seed(seed)
        return [int(x) for x in sample_frame_indices(t, stride, n)]
    idx = np.linspace(0, conv, num=t)
    return [int(x) for x in np.clip(idx, 0, n - 1).astype(np.int64)]


def checksum(frame):
    a = frame.reshape(-1).astype(np.uint64)
    w = np.arange(1, a.size + 1, dtype=np.uint64)
    return int(np.sum(a * w, dtype=np.uint64).astype(np.uint64).view(np.int64))


def decode_all(path):
    import av
    frames = []
    with av.open(path) as c:
        s = c.streams.video[0]
        declared = s.frames
        rotation = 0
        try:
            for i, fr in enumerate(c.decode(video=0)):
                if i == 0:
                    rotation = int(fr.rotation)
                frames.append(fr.to_ndarray(format="rgb24"))
        except Exception as e:  # truncated or corrupt: keep what decoded
            print(f"  {os.path.basename(path)}: PyAV stopped after {len(frames)} frames: {e}")
    return frames, declared, rotation


def pixel_values(cfg, frames):
    out = fixture_processor(cfg)(list(frames), return_tensors="np")["pixel_values"]
    return np.asarray(out[0], dtype=np.float32)


def save(path, arr):
    np.save(path, arr, allow_pickle=False)


def gen_videos():
    os.makedirs(GOLDEN, exist_ok=True)
    for name in VIDEOS:
        stem = os.path.splitext(name)[0]
        frames, declared, rotation = decode_all(os.path.join(VIDEO_DIR, name))
        n = len(frames)
        save(os.path.join(GOLDEN, f"{stem}.n.npy"), np.array([n, declared, rotation], np.int64))
        u3 = uniform(n, 3)
        save(os.path.join(GOLDEN, f"{stem}.u3.idx.npy"), np.array(u3, np.int64))
        save(os.path.join(GOLDEN, f"{stem}.u3.rgb.npy"), np.stack([frames[i] for i in u3]))
        for tag, idx in (("u8", uniform(n, 8)), ("c8", consecutive(n, 8, 1, 0)),
                         ("c4", consecutive(n, 4, 3, 12345))):
            save(os.path.join(GOLDEN, f"{stem}.{tag}.idx.npy"), np.array(idx, np.int64))
            save(os.path.join(GOLDEN, f"{stem}.{tag}.sum.npy"),
                 np.array([checksum(frames[i]) for i in idx], np.int64))
        save(os.path.join(GOLDEN, f"{stem}.pv.npy"), pixel_values(PV_CONFIG, [frames[i] for i in u3]))
        if stem in ("h264", "mjpeg", "portrait"):
            save(os.path.join(GOLDEN, f"{stem}.pvbicubic.npy"),
                 pixel_values(PV_BICUBIC, [frames[i] for i in u3]))
        if stem == "h264":
            save(os.path.join(GOLDEN, f"{stem}.pv224.npy"), pixel_values(HUB, [frames[u3[1]]]))
        print(f"  {name}: {n} frames (stream.frames {declared}), {frames[0].shape}, rotation {rotation}")


def gen_rng():
    rows = []
    for seed in (0, 1, 42, 12345, 2**31 - 1, 2**32 - 1):
        for seg_len in (1, 8, 9, 10, 17, 64, 100, 300, 1000, 12345, 65537, 2**20 + 3, 1999999):
            for t, stride in ((8, 1), (8, 2), (16, 4), (1, 1), (2, 3), (4, 5)):
                idx = consecutive(seg_len, t, stride, seed)
                rows.append([seed, seg_len, t, stride] + idx + [-1] * (16 - t))
    save(os.path.join(GOLDEN, "rng.npy"), np.array(rows, np.int64))
    print(f"  rng.npy: {len(rows)} cases")


def gen_preprocess():
    from PIL import Image
    os.makedirs(PRE, exist_ok=True)
    rs = np.random.RandomState(2024)
    for name, (h, w), outs in RESIZE:
        img = rs.randint(0, 256, (h, w, 3), dtype=np.uint8)
        save(os.path.join(PRE, f"img_{name}.npy"), img)
        for (oh, ow) in outs:
            for f in range(6):
                out = np.asarray(Image.fromarray(img).resize((ow, oh), resample=f))
                save(os.path.join(PRE, f"resize_{name}_{oh}x{ow}_f{f}.npy"), out)
    video = rs.randint(0, 256, (2, 37, 53, 3), dtype=np.uint8)
    save(os.path.join(PRE, "cfg_input.npy"), video)
    for k, (cfg, want_pv) in enumerate(CONFIGS):
        with open(os.path.join(PRE, f"cfg_{k}.json"), "w") as f:
            json.dump(cfg, f, indent=1)
        try:
            p = fixture_processor(cfg)
            s, c = p.size, p.crop_size
            mean = p.image_mean if isinstance(p.image_mean, (list, tuple)) else [p.image_mean] * 3
            std = p.image_std if isinstance(p.image_std, (list, tuple)) else [p.image_std] * 3
            resolved = {
                "shortest_edge": s.shortest_edge or 0, "longest_edge": s.longest_edge or 0,
                "height": s.height or 0, "width": s.width or 0,
                "crop_height": c.height or 0, "crop_width": c.width or 0,
                "resample": int(p.resample), "rescale_factor": float(p.rescale_factor),
                "image_mean": [float(x) for x in mean], "image_std": [float(x) for x in std],
                "do_resize": bool(p.do_resize), "do_center_crop": bool(p.do_center_crop),
                "do_rescale": bool(p.do_rescale), "do_normalize": bool(p.do_normalize),
            }
            pv = pixel_values(cfg, list(video))  # raises for configs transformers rejects late
            if want_pv:
                save(os.path.join(PRE, f"cfg_{k}.pv.npy"), pv.astype(np.float32))
                resolved["output_shape"] = list(pv.shape)
        except Exception as e:
            resolved = {"error": f"{type(e).__name__}: {e}"}
        with open(os.path.join(PRE, f"cfg_{k}.resolved.json"), "w") as f:
            json.dump(resolved, f, indent=1)
        print(f"  cfg_{k}: {json.dumps(cfg)[:70]} -> {json.dumps(resolved)[:90]}")


def versions(backend):
    import av
    import PIL
    import transformers
    return {
        "python": platform.python_version(), "numpy": np.__version__, "pillow": PIL.__version__,
        "av": av.__version__,
        "av_ffmpeg": {k: ".".join(map(str, v)) for k, v in av.library_versions.items()},
        "transformers": transformers.__version__, "image_processor": backend,
        "generator": "tools/dev/gen_video_golden.py",
    }


def main():
    backend = check_pil_backend()
    print("videos:")
    gen_videos()
    gen_rng()
    print("preprocess:")
    gen_preprocess()
    v = versions(backend)
    for d in (GOLDEN, PRE):
        with open(os.path.join(d, "versions.json"), "w") as f:
            json.dump(v, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
