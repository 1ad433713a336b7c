/* collection.h — which videos a batch run processes: files, directories
 * walked recursively, and manifests; a stable shard of them; and the ones
 * a previous run already recorded (resume).
 *
 * A manifest has one video per line: a path, or a JSON object with "path"
 * (a string) and optionally "id" (a string). Blank lines and lines starting
 * with '#' are skipped. Relative paths are relative to the manifest's
 * folder (to the working directory for "-", standard input). A video's id
 * is the manifest's "id", else the path as given.
 *
 * Shards: video `id` belongs to shard fnv1a64(id) mod n, so the partition
 * does not depend on the order of the input or on which other videos are
 * in it (docs/SCALE_OUT.md).
 *
 * Resume: a JSON Lines file of earlier records ("path", "size",
 * "mtime_ns" in each); a video whose path, size and modification time
 * match a record is skipped. */
#ifndef CLX_COLLECTION_H
#define CLX_COLLECTION_H

#include "clx/clx.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct clx_collection;

struct clx_collection_item {
	const char *id;
	const char *path;            /* as opened: a manifest's relative path joined to its folder */
	int64_t size;                /* bytes, -1 when the file cannot be stat'ed */
	int64_t mtime_ns;            /* modification time, ns since the epoch */
};

/* The file name suffixes a directory walk takes by default (lowercase):
 * mp4 m4v mov mkv webm avi gif mpg mpeg ts mts flv wmv ogv 3gp. */
extern const char *const clx_video_extensions[];
/* For image collections (a CLIP model): jpg jpeg jpe png webp bmp dib gif. */
extern const char *const clx_image_extensions[];

enum clx_status clx_collection_create(struct clx_ctx *ctx, struct clx_collection **out);
void clx_collection_free(struct clx_collection *c);

/* From now on directory walks take images by clx_image_extensions. */
void clx_collection_take_images(struct clx_collection *c);

/* A video file, or a directory: every regular file below it whose name
 * matches `glob` (fnmatch, on the name; NULL: the default extensions),
 * in byte order of the paths. Errors name the path. */
enum clx_status clx_collection_add_path(struct clx_ctx *ctx, struct clx_collection *c,
					const char *path, const char *glob);
/* A manifest file (read now; errors name file:line), or "-": standard
 * input, read line by line as the run asks for videos. */
enum clx_status clx_collection_add_manifest(struct clx_ctx *ctx, struct clx_collection *c,
					    const char *path);

/* Keeps only shard i of n (0 ≤ i < n). The shard and resume filters are
 * set before the first clx_collection_next or clx_collection_todo. */
enum clx_status clx_collection_set_shard(struct clx_ctx *ctx, struct clx_collection *c, int i,
					 int n);
/* True for the video ids shard i of n holds. */
bool clx_shard_holds(const char *id, int i, int n);

/* The shard the environment names, for a run started by a scheduler:
 *   Slurm job arrays: SLURM_ARRAY_TASK_ID, with n = SLURM_ARRAY_TASK_COUNT
 *     and i = (ID − SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP;
 *   Kubernetes Indexed Jobs: JOB_COMPLETION_INDEX, with n = CLX_SHARDS.
 * n_fixed > 0 (or CLX_SHARDS) fixes n, and then i is the index itself
 * (arrays 0..n−1), so one task can be rerun alone. *n = 0 when none
 * applies; `from` names the variable. Errors name the variable and value. */
enum clx_status clx_shard_from_env(struct clx_ctx *ctx, int n_fixed, int *i, int *n,
				   char *from, size_t from_cap);

/* Reads the records of `path` (JSON Lines) and skips their videos from
 * now on. A missing file is an empty one. A last line without its newline
 * (a run killed while writing) is cut off the file, with a warning; so is
 * nothing else: another line that is not a record is a warning. *n_records
 * gets the count read. */
enum clx_status clx_collection_resume(struct clx_ctx *ctx, struct clx_collection *c,
				      const char *path, size_t *n_records);

/* The next video to process (after the shard and resume filters), or
 * false at the end — or on a bad line of a streamed manifest, when
 * clx_collection_error is then non-empty. *out is valid until the next
 * call; the strings it points to, until the collection is freed. */
bool clx_collection_next(struct clx_collection *c, const struct clx_collection_item **out);
const char *clx_collection_error(const struct clx_collection *c);

/* Videos listed (before filters), or -1 while a streamed manifest is
 * unread; and the ones the filters skipped (counted when first filtered:
 * by clx_collection_todo for every listed video). */
int64_t clx_collection_listed(const struct clx_collection *c);
int64_t clx_collection_skipped_shard(const struct clx_collection *c);
int64_t clx_collection_skipped_done(const struct clx_collection *c);
/* Videos the filters will pass, counting ahead (-1 with a stream). */
int64_t clx_collection_todo(struct clx_collection *c);

#ifdef __cplusplus
}
#endif
#endif
