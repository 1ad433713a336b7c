/* pipeline.c — video (CLIP: image) file + labels → probabilities, with no
 * Python: the composition of decoding, preprocessing, tokenisation (done by
 * the caller, who owns the label list) and the model's graph. Classifying many
 * videos through one session is classifier.c. */
#include "clx/pipeline.h"

#include <string.h>

enum clx_status clx_pipeline_session(struct clx_ctx *ctx, const struct clx_model *m,
				     struct clx_backend *be, enum clx_xclip_entry entry,
				     const struct clx_xclip_shape *shape, unsigned flags,
				     struct clx_xclip_graph *xg, struct clx_session **out)
{
	*out = NULL;
	enum clx_status st = clx_xclip_build(ctx, m, entry, shape, xg);
	if (st != CLX_OK)
		return st;
	st = clx_session_create(ctx, xg->g, be, flags, out);
	if (st != CLX_OK)
		xg->g = NULL; /* freed by the session */
	return st;
}

enum clx_status clx_pipeline_set_inputs(struct clx_ctx *ctx, struct clx_session *s,
					const struct clx_xclip_graph *xg, const float *pixel_values,
					const int32_t *input_ids, const int32_t *attention_mask)
{
	enum clx_status st = CLX_OK;
	if (xg->pixel_values >= 0 && (st = clx_session_set_input(ctx, s, xg->pixel_values,
								 pixel_values)) != CLX_OK)
		return st;
	if (xg->input_ids < 0)
		return CLX_OK;
	if ((st = clx_session_set_input(ctx, s, xg->input_ids, input_ids)) != CLX_OK)
		return st;
	int32_t *ones = NULL;
	if (!attention_mask) {
		const size_t n = (size_t)clx_tensor_nelems(&clx_session_graph(s)->tensors[xg->input_ids]);
		if (!(ones = clx_malloc(n * sizeof *ones + 1)))
			return clx_fail(ctx, CLX_ERR_NOMEM, "session: out of memory");
		for (size_t i = 0; i < n; i++)
			ones[i] = 1;
		attention_mask = ones;
	}
	st = clx_session_set_input(ctx, s, xg->attention_mask, attention_mask);
	clx_free(ones);
	return st;
}

enum clx_status clx_video_input_init(struct clx_ctx *ctx, const struct clx_model *m,
				     const struct clx_video_opts *opts, struct clx_video_input *in)
{
	const struct clx_vision_config *v = &m->cfg.vision;
	in->opts = *opts;
	memset(&in->image, 0, sizeof in->image);
	const bool clip = m->kind == CLX_MODEL_CLIP;
	if (!clip && opts->n_frames != v->num_frames)
		return clx_fail(ctx, CLX_ERR_INVALID_ARG,
				"%d frames per video requested; this model takes exactly num_frames = %d",
				opts->n_frames, v->num_frames);
	if (v->num_channels != 3)
		return clx_fail(ctx, CLX_ERR_UNSUPPORTED, "%s/config.json: num_channels %d; %s input is RGB (3)",
				m->dir, v->num_channels, clip ? "image" : "video");
	enum clx_status st = clx_preprocess_config_load_dir(ctx, m->dir, &in->pc, &in->pc_found);
	if (st == CLX_OK && clip && !in->pc_found)
		clx_preprocess_config_default_clip(&in->pc);
	return st;
}

/* Preprocesses each sampled frame as it is decoded into its slot of the
 * pixel values: the read keeps one source frame, whatever its size. */
struct pixel_sink {
	const struct clx_model *m;
	const struct clx_video_input *in;
	const char *path;
	float *px;
	size_t frame_floats;
};

static enum clx_status sink_frame(void *user, struct clx_ctx *ctx, int32_t t, const uint8_t *rgb,
				  int32_t height, int32_t width)
{
	const struct pixel_sink *k = user;
	const int32_t S = k->m->cfg.vision.image_size;
	int32_t oh, ow;
	enum clx_status st = clx_preprocess_output_size(ctx, &k->in->pc, height, width, &oh, &ow);
	if (st != CLX_OK)
		return st;
	if (oh != S || ow != S)
		return clx_fail(ctx, CLX_ERR_SHAPE,
				"%s/preprocessor_config.json%s: %s come out %dx%d but the model's image_size is %d",
				k->m->dir, k->in->pc_found ? "" : " (absent: transformers' defaults)",
				k->m->kind == CLX_MODEL_CLIP ? "images" : "frames", ow, oh, S);
	return clx_preprocess_frames(ctx, &k->in->pc, rgb, 1, height, width,
				     k->px + (size_t)t * k->frame_floats);
}

/* A CLIP model's pixel values (1, C, S, S) of one image. */
static enum clx_status image_pixels(struct clx_ctx *ctx, const struct clx_model *m,
				    const struct clx_video_input *in, const char *path, float **out)
{
	const int32_t S = m->cfg.vision.image_size;
	struct clx_image img = { 0 };
	enum clx_status st = clx_image_read(ctx, path, &in->image, &img);
	if (st != CLX_OK)
		return st;
	float *px = clx_malloc((size_t)3 * (size_t)S * (size_t)S * sizeof *px);
	struct pixel_sink sink = { m, in, path, px, 0 };
	if (!px)
		st = clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory for pixel values", path);
	else
		st = sink_frame(&sink, ctx, 0, img.rgb, img.height, img.width);
	clx_image_release(&img);
	if (st != CLX_OK) {
		clx_free(px);
		return st;
	}
	*out = px;
	return CLX_OK;
}

enum clx_status clx_pipeline_pixels(struct clx_ctx *ctx, const struct clx_model *m,
				    const struct clx_video_input *in, const char *video_path,
				    float **pixel_values, struct clx_video *info)
{
	const struct clx_vision_config *v = &m->cfg.vision;
	*pixel_values = NULL;
	if (m->kind == CLX_MODEL_CLIP) {
		if (info)
			memset(info, 0, sizeof *info);
		return image_pixels(ctx, m, in, video_path, pixel_values);
	}
	const size_t frame_floats = (size_t)3 * (size_t)v->image_size * (size_t)v->image_size;
	float *px = clx_malloc((size_t)in->opts.n_frames * frame_floats * sizeof *px);
	if (!px)
		return clx_fail(ctx, CLX_ERR_NOMEM, "%s: out of memory for pixel values", video_path);
	struct pixel_sink sink = { m, in, video_path, px, frame_floats };
	struct clx_video_opts o = in->opts;
	o.on_frame = sink_frame;
	o.on_frame_user = &sink;
	struct clx_video vid = { 0 };
	enum clx_status st = clx_video_read(ctx, video_path, &o, &vid);
	if (st != CLX_OK) {
		clx_free(px);
		clx_video_release(&vid);
		return st;
	}
	*pixel_values = px;
	if (info)
		*info = vid;
	else
		clx_video_release(&vid);
	return CLX_OK;
}
