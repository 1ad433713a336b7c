/* batch.h — `clx classify` / `clx embed` over many videos (batch.c). */
#ifndef CLX_TOOLS_BATCH_H
#define CLX_TOOLS_BATCH_H

#include "cli.h"

#include "clx/video.h"

/* The options every batch command takes, and their help. */
#define BATCH_OPTS                                                                          \
	{ "video", true, NULL, true }, { "image", true, NULL, true },                       \
	{ "manifest", true, NULL, true }, { "apply-exif", false, NULL },                    \
	{ "glob", true, NULL }, { "batch", true, NULL }, { "decode-threads", true, NULL },  \
	{ "out", true, NULL }, { "resume", false, NULL }, { "shard", true, NULL },          \
	{ "shards", true, NULL }, { "quiet", false, NULL }, { "no-label-cache", false, NULL }

#define BATCH_HELP                                                                          \
	"Videos (an X-CLIP model) or images (a CLIP model), any mix, repeatable:\n"       \
	"  --video PATH         a video file, or a directory walked recursively for files\n"  \
	"                       with a video extension (.mp4 .mkv .webm .avi .mov .gif ...);\n" \
	"                       a pipe, FIFO or '-' (standard input) is spooled to $TMPDIR\n" \
	"  --image PATH         an image file (JPEG, PNG, WebP, BMP, GIF: its first frame),\n" \
	"                       decoded as Pillow's Image.open(f).convert(\"RGB\"), or a\n"    \
	"                       directory walked for .jpg .jpeg .png .webp .bmp .gif files\n"  \
	"  --apply-exif         turn images by their EXIF orientation (default: as stored,\n" \
	"                       as CLIPProcessor sees them)\n"                                  \
	"  --glob PATTERN       in directories, take the file names matching PATTERN instead\n" \
	"  --manifest F         one input per line: a path, or {\"id\": ..., \"path\": ...};\n"  \
	"                       '-', a pipe or a FIFO is read as the run goes (each wait for\n" \
	"                       a line at most $CLX_INPUT_TIMEOUT s, default 120)\n"          \
	"Running:\n"                                                                         \
	"  --batch B            videos or images per forward (default: 1 on cpu, 8 on OpenCL)\n" \
	"  --decode-threads N   decode + preprocess workers (default: CPUs, at most 4)\n"     \
	"  --no-label-cache     do not read or write the labels' cached text features\n"     \
	"Output:\n"                                                                          \
	"  --out F              append JSON Lines records to F (fsync'ed per forward)\n"     \
	"  --resume             skip the videos F already has (same path, size, mtime)\n"    \
	"  --quiet              no progress line and no summary on stderr\n"                  \
	"Sharding (docs/SCALE_OUT.md):\n"                                                   \
	"  --shard i/n          process shard i of n (a stable partition by video id)\n"      \
	"  --shards N           the shard count for an index from the environment:\n"         \
	"                       SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX (or CLX_SHARDS=N);\n" \
	"                       without it a Slurm array's own size is used\n"               \
	"Exit status: 0 every input done, 2 bad usage or input, 3 some inputs failed\n"     \
	"(each has a record with its error, and a line on stderr).\n"

struct batch_args {
	const char *cmd;                  /* "classify" or "embed" */
	const struct clx_model *m;
	struct clx_backend *be;
	const struct cli_labels *labels;  /* NULL: embed */
	const struct clx_tokenizer_batch *tokens;
	const struct clx_video_opts *video;
	const char *const *videos, *const *images, *const *manifests;
	int n_videos, n_images, n_manifests;
	bool apply_exif;                  /* --apply-exif */
	const char *glob, *out, *shard;
	int shards;                       /* --shards, 0 if absent */
	int64_t batch;                    /* 0: the device's default */
	int decode_threads;               /* 0: the default */
	bool json, resume, quiet, no_label_cache;
	bool normalize;                   /* embed: each embedding divided by its L2 norm */
};

/* Reads the batch options of opts into a (besides m, be, labels, tokens,
 * video, cmd); false after a usage error. */
bool cli_batch_args(const char *cmd, const struct cli_opt *opts, struct batch_args *a);

/* Runs it; returns the exit status. */
int cli_batch_run(struct clx_ctx *ctx, const struct batch_args *a);

#endif
