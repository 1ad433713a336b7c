/* limits.h — every cap clx puts on untrusted input, in one place. */
#ifndef CLX_LIMITS_H
#define CLX_LIMITS_H

#define CLX_MAX_DIMS 8                          /* tensor rank */
#define CLX_MAX_NAME 128                        /* tensor / node name bytes incl. NUL */
#define CLX_MAX_SAFETENSORS_HEADER 100000000ull /* bytes, as the reference loader */
#define CLX_MAX_SAFETENSORS_DIM ((1ull << 48) - 1)
#define CLX_MAX_SAFETENSORS_TENSORS 10000000
#define CLX_MAX_JSON_FILE (16u << 20)           /* config.json & friends, labels files */
#define CLX_INPUT_TIMEOUT_S 120.0               /* longest wait for data from a pipe or FIFO */
#define CLX_MAX_JSON_DEPTH 64
#define CLX_MAX_NPY_HEADER 65536
#define CLX_MAX_CONFIG_DIM 65536                /* hidden sizes, vocab per dim … */
#define CLX_MAX_CONFIG_VOCAB 1000000
#define CLX_MAX_CONFIG_LAYERS 256
#define CLX_MAX_TOKENS 4096                     /* max_position_embeddings cap */
#define CLX_MAX_IMAGE_SIZE 4096
#define CLX_MAX_CONFIG_CHANNELS 64              /* vision num_channels */
#define CLX_MAX_CONFIG_FRAMES 1024              /* vision num_frames */

/* CLIP tokenizer (runtime/io/tokenizer.c). Real CLIP: vocab.json 0.9 MB with
 * 49,408 entries, merges.txt 0.5 MB with 48,894 merges, longest entry 64 bytes. */
#define CLX_MAX_TOKENIZER_FILE (64u << 20)      /* vocab.json / merges.txt bytes */
#define CLX_MAX_TOKENIZER_VOCAB 1000000         /* entries, and largest id + 1 */
#define CLX_MAX_TOKENIZER_MERGES 1000000        /* merges.txt lines */
#define CLX_MAX_TOKENIZER_TOKEN 1024            /* bytes of one vocab entry */
#define CLX_MAX_TOKENIZER_TEXT (1u << 20)       /* bytes of one text / label */
#define CLX_MAX_TOKENIZER_BATCH 65536           /* labels per batch */

/* Video input (runtime/io/video.c, docs/SECURITY.md §8). */
#define CLX_MAX_VIDEO_STREAMS 64                /* streams in one container */
#define CLX_MAX_VIDEO_DIM 16384                 /* frame width or height */
#define CLX_MAX_VIDEO_PIXELS (8192 * 4352)      /* frame width × height (8K DCI) */
#define CLX_MAX_VIDEO_FRAMES 2000000            /* frames counted (18.5 h at 30 fps) */
#define CLX_MAX_VIDEO_DECODED_FRAMES 200000     /* frames decoded by one read (default) */
#define CLX_MAX_VIDEO_SAMPLES 1024              /* T, frames sampled */
#define CLX_MAX_VIDEO_OUTPUT ((size_t)1 << 31)  /* bytes of the T RGB24 frames */
#define CLX_VIDEO_TIMEOUT_S 120.0               /* deadline of one read (default) */
#define CLX_MAX_VIDEO_SPOOL (4ull << 30)        /* bytes of a video from a pipe or FIFO, spooled */

/* Image input (runtime/io/image.c, docs/IMAGES.md). The pixel cap is
 * Pillow's Image.MAX_IMAGE_PIXELS (1024 · 1024 · 1024 / 4 / 3, a quarter GiB
 * of RGB): Pillow only warns above it and refuses above twice it; clx refuses
 * above it. Both are checked from the header, before any allocation. */
#define CLX_MAX_IMAGE_FILE (256u << 20)         /* bytes of one image file */
#define CLX_MAX_IMAGE_DIM 16384                 /* width or height */
#define CLX_MAX_IMAGE_PIXELS 89478485           /* width × height */
#define CLX_MAX_IMAGE_JPEG_SCANS 1000           /* progressive JPEG scans (real files: ~10) */

/* Tuning files (runtime/engine/tuning.c): a base model at several batch
 * sizes has a few dozen shapes. */
#define CLX_MAX_TUNE_FILE (4u << 20)            /* bytes */
#define CLX_MAX_TUNE_ENTRIES 4096               /* shapes */

#endif
