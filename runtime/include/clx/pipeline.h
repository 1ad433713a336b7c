/* pipeline.h — from a video file and label text to X-CLIP outputs, as the
 * transformers docs example does with PyAV + XCLIPProcessor + XCLIPModel:
 * decode and sample T frames (video.h), preprocess them with the model's
 * preprocessor_config.json (preprocess.h), tokenise the labels with its
 * vocab.json + merges.txt (tokenizer.h), run the graph (xclip.h). For a
 * CLIP model the same with an image file (image.h) and CLIPProcessor: the
 * image is decoded as Pillow's Image.open(f).convert("RGB").
 * Classifying videos against labels: classifier.h, built on these. */
#ifndef CLX_PIPELINE_H
#define CLX_PIPELINE_H

#include "clx/image.h"
#include "clx/preprocess.h"
#include "clx/session.h"
#include "clx/tokenizer.h"
#include "clx/video.h"
#include "clx/xclip.h"

/* Builds the X-CLIP graph of `entry` for `shape` and opens a session on
 * `be` with it (flags: session.h). xg receives the tensor ids; the session
 * owns xg->g. */
enum clx_status clx_pipeline_session(struct clx_ctx *ctx, const struct clx_model *m,
				     struct clx_backend *be, enum clx_xclip_entry entry,
				     const struct clx_xclip_shape *shape, unsigned flags,
				     struct clx_xclip_graph *xg, struct clx_session **out);

/* Sets the inputs xg's graph has: pixel values (B, T, C, S, S), token ids
 * and mask (K, L); a NULL mask means all ones. */
enum clx_status clx_pipeline_set_inputs(struct clx_ctx *ctx, struct clx_session *s,
					const struct clx_xclip_graph *xg, const float *pixel_values,
					const int32_t *input_ids, const int32_t *attention_mask);

/* How videos (a CLIP model: images) become pixel values for `m`: the
 * sampling options, checked against the model (T = opts->n_frames must equal
 * num_frames, 1 for CLIP; RGB), and preprocessor_config.json, read once for
 * any number of inputs (absent: the processor class defaults of the model's
 * family). */
struct clx_video_input {
	struct clx_video_opts opts;
	struct clx_image_opts image; /* CLIP: how images are decoded */
	struct clx_preprocess_config pc;
	bool pc_found;               /* false: absent, transformers' defaults */
};
enum clx_status clx_video_input_init(struct clx_ctx *ctx, const struct clx_model *m,
				     const struct clx_video_opts *opts, struct clx_video_input *in);

/* pixel_values (1, T, C, S, S) of one video — for a CLIP model (1, C, S, S)
 * of one image, decoded with in->image — : the processor's output size
 * must equal image_size (errors name the file and both values). `info`
 * (optional) receives what the video decoder reports (indices, frame count,
 * warning) without the frames; for an image it is zeroed. */
enum clx_status clx_pipeline_pixels(struct clx_ctx *ctx, const struct clx_model *m,
				    const struct clx_video_input *in, const char *video_path,
				    float **pixel_values, struct clx_video *info);

#endif
