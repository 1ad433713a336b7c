/* preprocess.h — video frames or images → pixel_values, as transformers'
 * VideoMAEImageProcessor (X-CLIP) or CLIPImageProcessor (CLIP) on its PIL
 * backend (docs/XCLIP.md §4, docs/CLIP.md): both run the same steps, with
 * other class defaults.
 *
 * Per frame, with the config's flags:
 *   resize       shortest_edge S: the short side becomes S, the long one
 *                int(S · long / short) (get_resize_output_image_size);
 *                with longest_edge L too: get_size_with_aspect_ratio (Python
 *                round half to even); or an exact height × width. Resampled
 *                like PIL's Image.resize: resample 2 BILINEAR and 3 BICUBIC
 *                (also 1 LANCZOS, 4 BOX, 5 HAMMING: Pillow 13's separable
 *                ImagingResample, 8-bit intermediate, 22-bit fixed-point
 *                coefficients; horizontal pass first unless the height
 *                shrinks by more than twice as many pixels as the width —
 *                Pillow ≤ 12 always went horizontal first, so tall
 *                downscales can differ from older Pillow by ±1 level) and
 *                0 NEAREST (Pillow's affine nearest).
 *   center crop  top = (h − ch) // 2, left = (w − cw) // 2; a frame smaller
 *                than the crop is zero-padded as transformers' center_crop does.
 *   rescale      float32(double(x) · rescale_factor)
 *   normalize    (x − float32(mean_c)) / float32(std_c), in float32
 * Output layout (T, 3, H, W) float32, H × W = the crop size (or the resized /
 * input size when cropping / resizing is off). With do_rescale and
 * do_normalize both off transformers returns uint8; clx returns the same
 * values as float32. */
#ifndef CLX_PREPROCESS_H
#define CLX_PREPROCESS_H

#include "clx/clx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* PILImageResampling values */
enum clx_resample {
	CLX_RESAMPLE_NEAREST = 0,
	CLX_RESAMPLE_LANCZOS = 1,
	CLX_RESAMPLE_BILINEAR = 2,
	CLX_RESAMPLE_BICUBIC = 3,
	CLX_RESAMPLE_BOX = 4,
	CLX_RESAMPLE_HAMMING = 5,
};

struct clx_preprocess_config {
	bool do_resize;          /* true */
	bool do_center_crop;     /* true */
	bool do_rescale;         /* true */
	bool do_normalize;       /* true */
	int32_t shortest_edge;   /* 224; 0 → resize to resize_height × resize_width */
	int32_t longest_edge;    /* 0 = none (only with shortest_edge) */
	int32_t resize_height;   /* 0 unless size is {height, width} */
	int32_t resize_width;
	int32_t crop_height;     /* 224 */
	int32_t crop_width;      /* 224 */
	int32_t resample;        /* enum clx_resample, 2 */
	double rescale_factor;   /* 1/255 */
	double image_mean[3];    /* transformers' class default IMAGENET_STANDARD 0.5 */
	double image_std[3];     /* 0.5 (microsoft/xclip-base-patch32 sets ImageNet's) */
};

/* VideoMAEImageProcessor's class defaults (what transformers uses for keys a
 * preprocessor_config.json leaves out). */
void clx_preprocess_config_default(struct clx_preprocess_config *cfg);
/* CLIPImageProcessor's: resample 3 BICUBIC, OpenAI CLIP's mean and std. */
void clx_preprocess_config_default_clip(struct clx_preprocess_config *cfg);

/* Parses a preprocessor_config.json text (len bytes, need not be
 * NUL-terminated): size (int, [h, w], {shortest_edge[, longest_edge]} or
 * {height, width}), crop_size (int, [h, w] or {height, width}), resample,
 * do_resize, do_center_crop, do_rescale, rescale_factor, do_normalize,
 * image_mean / image_std (a number or 3 numbers). Absent keys take the
 * defaults of the class the file names, as AutoImageProcessor does:
 * image_processor_type (else feature_extractor_type) starting with "CLIP"
 * gives CLIPImageProcessor's, anything else VideoMAEImageProcessor's.
 * Other keys are ignored; wrong types, out-of-range values and
 * duplicate keys are errors naming the key. */
enum clx_status clx_preprocess_config_parse(struct clx_ctx *ctx, const char *name,
					    const char *json, size_t len,
					    struct clx_preprocess_config *cfg);

/* Reads and parses the file (size capped by CLX_MAX_JSON_FILE). A missing
 * file is CLX_ERR_NOT_FOUND. */
enum clx_status clx_preprocess_config_load(struct clx_ctx *ctx, const char *path,
					   struct clx_preprocess_config *cfg);

/* For a model directory: DIR/preprocessor_config.json if it exists, else
 * VideoMAEImageProcessor's defaults (CLX_OK, *found = false). found may be
 * NULL. */
enum clx_status clx_preprocess_config_load_dir(struct clx_ctx *ctx, const char *dir,
					       struct clx_preprocess_config *cfg, bool *found);

/* Height and width of one output frame for input frames of height × width. */
enum clx_status clx_preprocess_output_size(struct clx_ctx *ctx,
					   const struct clx_preprocess_config *cfg,
					   int32_t height, int32_t width,
					   int32_t *out_height, int32_t *out_width);

/* rgb: (n_frames, height, width, 3) uint8 → out: (n_frames, 3, oh, ow)
 * float32 with (oh, ow) from clx_preprocess_output_size. For the model's
 * pixel_values (B, T, 3, H, W), call once per video at out + b·T·3·H·W. */
enum clx_status clx_preprocess_frames(struct clx_ctx *ctx, const struct clx_preprocess_config *cfg,
				      const uint8_t *rgb, int32_t n_frames, int32_t height,
				      int32_t width, float *out);

/* PIL's Image.resize((dw, dh), resample) of one RGB image, HWC uint8. */
enum clx_status clx_resize_rgb(struct clx_ctx *ctx, const uint8_t *src, int32_t sh, int32_t sw,
			       uint8_t *dst, int32_t dh, int32_t dw, int resample);

#ifdef __cplusplus
}
#endif
#endif
