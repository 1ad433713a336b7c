/* test_video.c — clx_video_* against PyAV and NumPy (tools/dev/gen_video_golden.py).
 *
 * Usage: test_video FIXTURES/video TMPDIR
 *
 *  1. sampling: NumPy's legacy seed + randint + the docs' sample_frame_indices
 *     for 468 (seed, length, T, stride) cases; the uniform formula; --sample
 *     parsing.
 *  2. every test video, every sampling case (u3, u8, c8, c4) and every seek
 *     mode (never, always, auto): N and the indices equal the golden ones,
 *     the frames equal PyAV's to_ndarray(format="rgb24") bit for bit (u3 in
 *     full, the others by a position-weighted checksum); rotation, resolution
 *     change, truncation and in-memory reading.
 *  3. bad input, generated here from an enum of cases (patched copies of the
 *     fixtures in TMPDIR): each gives a clean status and a message naming the
 *     file, never a crash (run under the sanitizer build for leaks).
 *  4. allocation failure at every clx_malloc of a read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc_fail.h"
#include "check.h"
#include "test_files.h"
#include "clx/npy.h"
#include "clx/video.h"

static struct clx_ctx *ctx;
static const char *fixtures, *tmpdir;

static char *path_join(const char *a, const char *b)
{
	static char buf[8][1024];
	static int k;
	char *p = buf[k++ % 8];
	snprintf(p, sizeof buf[0], "%s/%s", a, b);
	return p;
}

static int load_npy(const char *dir, const char *file, struct clx_npy *a)
{
	enum clx_status st = clx_npy_load(ctx, path_join(dir, file), a);
	CHECK(st == CLX_OK, "load %s: %s", file, clx_last_error(ctx));
	return st == CLX_OK;
}

/* sum((i + 1) * byte_i) mod 2^64, as gen_video_golden.py's checksum */
static int64_t checksum(const uint8_t *p, size_t n)
{
	uint64_t s = 0;
	for (size_t i = 0; i < n; i++)
		s += (uint64_t)p[i] * (uint64_t)(i + 1);
	return (int64_t)s;
}

/* ---------------------------------------------------------------- sampling */

static void test_sampling(void)
{
	struct clx_npy rng = { 0 };
	if (!load_npy(path_join(fixtures, "golden"), "rng.npy", &rng))
		return;
	const int64_t *r = rng.data;
	int64_t rows = rng.shape[0], cols = rng.shape[1], bad = 0;
	for (int64_t i = 0; i < rows; i++, r += cols) {
		struct clx_video_opts o;
		clx_video_opts_default(&o);
		o.sample = CLX_SAMPLE_CONSECUTIVE;
		o.seed = (uint32_t)r[0];
		o.n_frames = (int32_t)r[2];
		o.stride = (int32_t)r[3];
		int64_t idx[16];
		enum clx_status st = clx_video_sample_indices(ctx, &o, r[1], idx);
		int ok = st == CLX_OK;
		for (int t = 0; ok && t < o.n_frames; t++)
			ok = idx[t] == r[4 + t];
		if (!ok && bad++ < 5)
			CHECK(0, "consecutive seed %lld seg_len %lld T %lld stride %lld: got %lld %lld ..., "
			      "NumPy %lld %lld ...", (long long)r[0], (long long)r[1], (long long)r[2],
			      (long long)r[3], (long long)idx[0], (long long)idx[1], (long long)r[4],
			      (long long)r[5]);
	}
	CHECK(bad == 0, "%lld of %lld NumPy sampling cases differ", (long long)bad, (long long)rows);
	printf("sampling: %lld NumPy np.random.seed + sample_frame_indices cases, %lld differ\n",
	       (long long)rows, (long long)bad);
	clx_npy_release(&rng);

	/* uniform: floor((2t + 1) N / 2T), including N < T (repeats) */
	static const int64_t cases[][2] = { { 30, 8 }, { 1, 8 }, { 5, 8 }, { 7, 3 }, { 1999999, 1024 },
					    { 8, 8 }, { 1, 1 } };
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		struct clx_video_opts o;
		clx_video_opts_default(&o);
		o.n_frames = (int32_t)cases[c][1];
		int64_t idx[1024];
		CHECK(clx_video_sample_indices(ctx, &o, cases[c][0], idx) == CLX_OK, "uniform");
		int ok = 1;
		for (int64_t t = 0; t < cases[c][1]; t++)
			ok &= idx[t] == (2 * t + 1) * cases[c][0] / (2 * cases[c][1]) &&
			      idx[t] < cases[c][0];
		CHECK(ok, "uniform N=%lld T=%lld", (long long)cases[c][0], (long long)cases[c][1]);
	}
	struct clx_video_opts o;
	clx_video_opts_default(&o);
	int64_t idx[8];
	CHECK(clx_video_sample_indices(ctx, &o, 0, idx) == CLX_ERR_INVALID_ARG, "N = 0 must fail");
	o.n_frames = 0;
	CHECK(clx_video_sample_indices(ctx, &o, 10, idx) == CLX_ERR_INVALID_ARG, "T = 0 must fail");
	o.n_frames = CLX_MAX_VIDEO_SAMPLES + 1;
	CHECK(clx_video_sample_indices(ctx, &o, 10, idx) == CLX_ERR_INVALID_ARG, "T too big");

	/* --sample */
	clx_video_opts_default(&o);
	CHECK(clx_video_parse_sample(ctx, "consecutive:4", &o) == CLX_OK &&
	      o.sample == CLX_SAMPLE_CONSECUTIVE && o.stride == 4, "consecutive:4");
	CHECK(clx_video_parse_sample(ctx, "uniform", &o) == CLX_OK && o.sample == CLX_SAMPLE_UNIFORM,
	      "uniform");
	CHECK(clx_video_parse_sample(ctx, "consecutive", &o) == CLX_OK && o.stride == 1, "consecutive");
	static const char *const bad_specs[] = { "", "Uniform", "consecutive:", "consecutive:0",
						 "consecutive:-1", "consecutive:1x",
						 "consecutive:99999999999999999999", "random" };
	for (size_t i = 0; i < sizeof bad_specs / sizeof *bad_specs; i++) {
		enum clx_status st = clx_video_parse_sample(ctx, bad_specs[i], &o);
		CHECK(st == CLX_ERR_INVALID_ARG && strstr(clx_last_error(ctx), "frame sampling") &&
			      !strstr(clx_last_error(ctx), "--sample"),
		      "sampling '%s' must fail with a message naming it (not the CLI flag): %s",
		      bad_specs[i], clx_last_error(ctx));
	}
}

/* ------------------------------------------------------------ golden videos */

static const char *const videos[] = {
	"h264.mp4", "bt709.mov", "fullrange.mp4", "vp9.webm", "mjpeg.avi", "anim.gif",
	"portrait.mkv", "odd444.mkv", "vfr.mp4", "interlaced.mp4", "rotated.mp4", "truncated.mkv",
	/* high bit depths, chroma layouts and sitings */
	"p10.mp4", "p10full.mp4", "p10center.mkv", "p10il.mp4", "p422p10.mkv", "p444p10.mkv",
	"hevc10.mkv", "hevc12.mkv", "hevc422p12.mkv", "hevc444p12.mkv", "vp9p10odd.webm",
	"vp9p10oddw.webm", "vp9p440.webm", "vp9p440p10.webm", "vp9oddodd.webm",
};

struct sampling {
	const char *tag;
	enum clx_sample_mode mode;
	int32_t t, stride;
	uint32_t seed;
	int full; /* compare whole frames (else checksums) */
};

static const struct sampling samplings[] = {
	{ "u3", CLX_SAMPLE_UNIFORM, 3, 1, 0, 1 },
	{ "u8", CLX_SAMPLE_UNIFORM, 8, 1, 0, 0 },
	{ "c8", CLX_SAMPLE_CONSECUTIVE, 8, 1, 0, 0 },
	{ "c4", CLX_SAMPLE_CONSECUTIVE, 4, 3, 12345, 0 },
};

static const char *const seek_names[] = { "auto", "always", "never" };

static void stem_of(const char *file, char *stem, size_t cap)
{
	snprintf(stem, cap, "%s", file);
	char *dot = strrchr(stem, '.');
	if (dot)
		*dot = '\0';
}

/* Compares one read with the golden data; returns frames compared. */
static int compare_read(const char *file, const struct sampling *s, enum clx_seek_mode seek,
			const struct clx_video *v, int64_t n_pyav, const struct clx_npy *gidx,
			const struct clx_npy *gref)
{
	char what[128];
	snprintf(what, sizeof what, "%s %s seek=%s", file, s->tag, seek_names[seek]);
	CHECK(v->n_total == n_pyav, "%s: N = %lld, PyAV decodes %lld", what, (long long)v->n_total,
	      (long long)n_pyav);
	int ok = v->n_frames == s->t;
	for (int t = 0; ok && t < s->t; t++)
		ok = v->indices[t] == ((const int64_t *)gidx->data)[t];
	CHECK(ok, "%s: indices differ from the golden ones (first %lld vs %lld)", what,
	      (long long)v->indices[0], (long long)((const int64_t *)gidx->data)[0]);
	if (!ok)
		return 0;
	size_t fb = (size_t)v->width * v->height * 3;
	if (s->full) {
		CHECK(gref->n_dims == 4 && gref->shape[1] == v->height && gref->shape[2] == v->width,
		      "%s: frame size %dx%d, PyAV %lldx%lld", what, v->width, v->height,
		      (long long)gref->shape[2], (long long)gref->shape[1]);
		if (gref->shape[1] != v->height || gref->shape[2] != v->width)
			return 0;
		const int32_t *ref = gref->data;
		int64_t ndiff = 0, maxd = 0, first = -1;
		for (size_t i = 0; i < fb * (size_t)s->t; i++) {
			int64_t d = (int64_t)v->rgb[i] - ref[i];
			if (d < 0)
				d = -d;
			if (d) {
				ndiff++;
				if (first < 0)
					first = (int64_t)i;
			}
			if (d > maxd)
				maxd = d;
		}
		CHECK(ndiff == 0, "%s: %lld bytes differ from PyAV (max %lld, first at %lld)", what,
		      (long long)ndiff, (long long)maxd, (long long)first);
	} else {
		const int64_t *sums = gref->data;
		for (int t = 0; t < s->t; t++)
			CHECK(checksum(v->rgb + t * fb, fb) == sums[t],
			      "%s: frame %d (index %lld) differs from PyAV", what, t,
			      (long long)v->indices[t]);
	}
	return s->t;
}

static void test_golden(void)
{
	char gdir[1024];
	snprintf(gdir, sizeof gdir, "%s/golden", fixtures);
	int64_t frames = 0, reads = 0, seeks_always = 0;
	for (size_t vi = 0; vi < sizeof videos / sizeof *videos; vi++) {
		char stem[64], name[128];
		stem_of(videos[vi], stem, sizeof stem);
		struct clx_npy n = { 0 };
		snprintf(name, sizeof name, "%s.n.npy", stem);
		if (!load_npy(gdir, name, &n))
			continue;
		int64_t n_pyav = ((int64_t *)n.data)[0], rotation = ((int64_t *)n.data)[2];
		clx_npy_release(&n);
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", fixtures, videos[vi]);
		for (size_t si = 0; si < sizeof samplings / sizeof *samplings; si++) {
			const struct sampling *s = &samplings[si];
			struct clx_npy gidx = { 0 }, gref = { 0 };
			snprintf(name, sizeof name, "%s.%s.idx.npy", stem, s->tag);
			if (!load_npy(gdir, name, &gidx))
				continue;
			snprintf(name, sizeof name, "%s.%s.%s.npy", stem, s->tag, s->full ? "rgb" : "sum");
			if (!load_npy(gdir, name, &gref)) {
				clx_npy_release(&gidx);
				continue;
			}
			for (int seek = 0; seek < 3; seek++) {
				struct clx_video_opts o;
				clx_video_opts_default(&o);
				o.n_frames = s->t;
				o.sample = s->mode;
				o.stride = s->stride;
				o.seed = s->seed;
				o.seek = (enum clx_seek_mode)seek;
				struct clx_video v;
				enum clx_status st = clx_video_read(ctx, path, &o, &v);
				CHECK(st == CLX_OK, "%s %s: %s", videos[vi], s->tag, clx_last_error(ctx));
				if (st == CLX_OK) {
					frames += compare_read(videos[vi], s, (enum clx_seek_mode)seek, &v,
							       n_pyav, &gidx, &gref);
					reads++;
					CHECK(v.rotation == rotation, "%s: rotation %d, PyAV %lld", videos[vi],
					      v.rotation, (long long)rotation);
					if (seek == CLX_SEEK_NEVER)
						CHECK(v.n_seeks == 0, "%s: seeked with seek=never", videos[vi]);
					if (seek == CLX_SEEK_ALWAYS)
						seeks_always += v.n_seeks;
					if (strcmp(stem, "truncated") == 0)
						CHECK(strstr(v.warning, "truncated file") != NULL,
						      "truncated.mkv: no truncation warning ('%s')", v.warning);
					else
						CHECK(v.warning[0] == '\0', "%s %s: unexpected warning '%s'",
						      videos[vi], s->tag, v.warning);
				}
				clx_video_release(&v);
			}
			clx_npy_release(&gidx);
			clx_npy_release(&gref);
		}
	}
	CHECK(seeks_always > 0, "seek=always never seeked");
	printf("golden: %lld reads of %zu videos, %lld frames compared with PyAV, %lld seeks in "
	       "seek=always\n", (long long)reads, sizeof videos / sizeof *videos, (long long)frames,
	       (long long)seeks_always);

	/* h264.mp4 (keyframe every 10 frames) with uniform T=2 samples frames 7
	 * and 22, in GOPs that are not adjacent: seek=always seeks twice */
	struct clx_video_opts o;
	clx_video_opts_default(&o);
	o.n_frames = 2;
	o.seek = CLX_SEEK_ALWAYS;
	struct clx_video v;
	CHECK(clx_video_read(ctx, path_join(fixtures, "h264.mp4"), &o, &v) == CLX_OK && v.n_seeks >= 2,
	      "h264.mp4: %d seeks for frames in 2 GOPs apart", v.n_seeks);
	clx_video_release(&v);
}

/* rotation applied: np.rot90(frame, rotation / 90) of the PyAV frames */
static void test_rotation(void)
{
	struct clx_npy ref = { 0 };
	if (!load_npy(path_join(fixtures, "golden"), "rotated.u3.rgb.npy", &ref))
		return;
	struct clx_video_opts o;
	clx_video_opts_default(&o);
	o.n_frames = 3;
	o.apply_rotation = true;
	struct clx_video v;
	enum clx_status st = clx_video_read(ctx, path_join(fixtures, "rotated.mp4"), &o, &v);
	CHECK(st == CLX_OK, "rotated.mp4: %s", clx_last_error(ctx));
	if (st == CLX_OK) {
		int h = (int)ref.shape[1], w = (int)ref.shape[2];
		CHECK(v.rotation == 90 && v.width == h && v.height == w,
		      "rotated.mp4: rotation %d, %dx%d (coded %dx%d)", v.rotation, v.width, v.height, w, h);
		const int32_t *r = ref.data;
		int64_t bad = 0;
		for (int t = 0; t < 3; t++)
			for (int i = 0; i < w; i++)      /* out row i of W */
				for (int j = 0; j < h; j++)  /* out column j of H */
					for (int c = 0; c < 3; c++) {
						/* np.rot90(m, 1)[i, j] = m[j, W-1-i] */
						int64_t got = v.rgb[(((size_t)t * w + i) * h + j) * 3 + c];
						int64_t want = r[(((size_t)t * h + j) * w + (w - 1 - i)) * 3 + c];
						bad += got != want;
					}
		CHECK(bad == 0, "rotated.mp4: %lld bytes differ from np.rot90(PyAV frame, 1)",
		      (long long)bad);
	}
	clx_video_release(&v);
	clx_npy_release(&ref);
}

static void test_resize_and_memory(void)
{
	struct clx_video_opts o;
	clx_video_opts_default(&o);
	struct clx_video v;
	/* resolution change 96x64 → 64x48 mid-stream: scaled to the first size */
	enum clx_status st = clx_video_read(ctx, path_join(fixtures, "resize.mkv"), &o, &v);
	CHECK(st == CLX_OK && v.width == 96 && v.height == 64 &&
	      strstr(v.warning, "resolution changes") != NULL,
	      "resize.mkv: %s %dx%d warning '%s'", clx_last_error(ctx), v.width, v.height, v.warning);
	clx_video_release(&v);

	/* the same bytes from memory give the same frames as the file */
	size_t size;
	uint8_t *data = test_read_file(path_join(fixtures, "vp9.webm"), &size);
	CHECK(data != NULL, "read vp9.webm");
	if (!data)
		return;
	struct clx_video a, b;
	for (int seek = 0; seek < 3; seek++) {
		o.seek = (enum clx_seek_mode)seek;
		enum clx_status s1 = clx_video_read(ctx, path_join(fixtures, "vp9.webm"), &o, &a);
		enum clx_status s2 = clx_video_read_memory(ctx, "vp9.webm", data, size, &o, &b);
		CHECK(s1 == CLX_OK && s2 == CLX_OK && a.width == b.width && a.height == b.height &&
		      memcmp(a.rgb, b.rgb, (size_t)a.n_frames * a.width * a.height * 3) == 0 &&
		      memcmp(a.indices, b.indices, sizeof *a.indices * (size_t)a.n_frames) == 0,
		      "vp9.webm: memory read differs from file read (seek=%s)", seek_names[seek]);
		clx_video_release(&a);
		clx_video_release(&b);
	}
	free(data);

	/* fewer frames than requested: 16 from the 12 of anim.gif */
	clx_video_opts_default(&o);
	o.n_frames = 16;
	st = clx_video_read(ctx, path_join(fixtures, "anim.gif"), &o, &v);
	CHECK(st == CLX_OK && v.n_total == 12, "anim.gif T=16: %s", clx_last_error(ctx));
	if (st == CLX_OK) {
		size_t fb = (size_t)v.width * v.height * 3;
		int repeats = 0;
		for (int t = 1; t < 16; t++)
			if (v.indices[t] == v.indices[t - 1]) {
				repeats++;
				CHECK(memcmp(v.rgb + t * fb, v.rgb + (t - 1) * fb, fb) == 0,
				      "repeated index, different frame");
			}
		CHECK(repeats == 4 && v.indices[15] == 11, "anim.gif T=16: %d repeats, last %lld",
		      repeats, (long long)v.indices[15]);
	}
	clx_video_release(&v);
	o.sample = CLX_SAMPLE_CONSECUTIVE;
	st = clx_video_read(ctx, path_join(fixtures, "anim.gif"), &o, &v);
	CHECK(st == CLX_OK && v.indices[0] == 0 && v.indices[15] == 11,
	      "anim.gif consecutive T=16: %s", clx_last_error(ctx));
	clx_video_release(&v);
}

/* --------------------------------------------------------------- bad input */

enum bad_case {
	BAD_MISSING,
	BAD_DIRECTORY,
	BAD_EMPTY,
	BAD_TEXT_MP4,
	BAD_AUDIO_ONLY,
	BAD_ZERO_FRAMES,
	BAD_GIF_30000,
	BAD_AVI_30000,
	BAD_JPEG_30000,
	BAD_AVI_FRAME_COUNT,
	BAD_MP4_SAMPLE_COUNT,
	BAD_CORRUPT_H264,
	BAD_CORRUPT_VP9,
	BAD_TRUNCATED_MP4,
	BAD_TRUNCATED_WEBM,
	BAD_TRUNCATED_AVI,
	BAD_CONCAT,
	BAD_HLS,
	BAD_TIMEOUT,
	BAD_DECODE_CAP,
	BAD_T_ZERO,
	BAD_COUNT
};

static const char *const bad_names[] = {
	"missing file", "directory", "empty file", "text file named .mp4", "audio-only m4a",
	"GIF without frames", "GIF header 30000x30000", "AVI header 30000x30000",
	"MJPEG frames 30000x30000", "AVI frame count 2^31-1", "MP4 stsz count 2^31-1",
	"H.264 corrupt packets", "VP9 corrupt packets", "MP4 truncated (no moov)",
	"WebM truncated at 55%", "AVI truncated at 50%", "ffconcat playlist", "HLS playlist",
	"deadline of 1 ns", "decode cap of 2 frames", "T = 0",
};

/* Offset of the first occurrence of a 4-byte tag, or -1. */
static long find_tag(const uint8_t *d, size_t n, const char *tag, size_t from)
{
	for (size_t i = from; i + 4 <= n; i++)
		if (memcmp(d + i, tag, 4) == 0)
			return (long)i;
	return -1;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Makes the input for a case; returns the path (and the expected outcome). */
static const char *make_bad(enum bad_case c, struct clx_video_opts *o, int *may_succeed)
{
	static char path[1024];
	size_t n = 0;
	uint8_t *d = NULL;
	*may_succeed = 0;
	clx_video_opts_default(o);
	snprintf(path, sizeof path, "%s/bad_%d", tmpdir, (int)c);
	switch (c) {
	case BAD_MISSING:
		snprintf(path, sizeof path, "%s/does_not_exist.mp4", tmpdir);
		return path;
	case BAD_DIRECTORY:
		return tmpdir;
	case BAD_EMPTY:
		strcat(path, ".mp4");
		test_write_file(path, "", 0);
		return path;
	case BAD_TEXT_MP4: {
		const char *t = "This is not a video.\nJust some text in a file named .mp4\n";
		strcat(path, ".mp4");
		test_write_file(path, t, strlen(t));
		return path;
	}
	case BAD_AUDIO_ONLY:
		return path_join(fixtures, "audio.m4a");
	case BAD_ZERO_FRAMES: {
		/* GIF89a, 16x16, no colour table, then the trailer: a video stream
		 * with no frame */
		static const uint8_t gif[] = { 'G', 'I', 'F', '8', '9', 'a', 16, 0, 16, 0, 0, 0, 0, 0x3b };
		strcat(path, ".gif");
		test_write_file(path, gif, sizeof gif);
		return path;
	}
	case BAD_GIF_30000:
		d = test_read_file(path_join(fixtures, "anim.gif"), &n);
		d[6] = 0x30, d[7] = 0x75, d[8] = 0x30, d[9] = 0x75; /* 30000 = 0x7530 */
		strcat(path, ".gif");
		break;
	case BAD_AVI_30000: {
		/* the JPEG frames still say 97x61, and FFmpeg believes them */
		*may_succeed = 1;
		d = test_read_file(path_join(fixtures, "mjpeg.avi"), &n);
		long avih = find_tag(d, n, "avih", 0), strf = find_tag(d, n, "strf", 0);
		if (avih >= 0) { /* MainAVIHeader: dwWidth at +32, dwHeight at +36 after the size */
			put_le32(d + avih + 8 + 32, 30000);
			put_le32(d + avih + 8 + 36, 30000);
		}
		if (strf >= 0) { /* BITMAPINFOHEADER: biWidth at +4, biHeight at +8 */
			put_le32(d + strf + 8 + 4, 30000);
			put_le32(d + strf + 8 + 8, 30000);
		}
		strcat(path, ".avi");
		break;
	}
	case BAD_JPEG_30000:
		/* every JPEG SOF0 in the stream claims 30000x30000 */
		d = test_read_file(path_join(fixtures, "mjpeg.avi"), &n);
		for (size_t i = 0; i + 9 < n; i++)
			if (d[i] == 0xff && d[i + 1] == 0xc0) {
				d[i + 5] = 0x75, d[i + 6] = 0x30, d[i + 7] = 0x75, d[i + 8] = 0x30;
			}
		strcat(path, ".avi");
		break;
	case BAD_AVI_FRAME_COUNT: {
		d = test_read_file(path_join(fixtures, "mjpeg.avi"), &n);
		long avih = find_tag(d, n, "avih", 0), strh = find_tag(d, n, "strh", 0);
		if (avih >= 0) /* dwTotalFrames at +16 */
			put_le32(d + avih + 8 + 16, 0x7fffffff);
		if (strh >= 0) /* AVIStreamHeader dwLength at +32 */
			put_le32(d + strh + 8 + 32, 0x7fffffff);
		strcat(path, ".avi");
		*may_succeed = 1; /* frames are counted from packets, not the header */
		break;
	}
	case BAD_MP4_SAMPLE_COUNT: {
		d = test_read_file(path_join(fixtures, "h264.mp4"), &n);
		long stsz = find_tag(d, n, "stsz", 0);
		if (stsz >= 0) /* version/flags, sample_size, sample_count */
			put_le32(d + stsz + 12, 0xffffff7f);
		strcat(path, ".mp4");
		*may_succeed = 1;
		break;
	}
	case BAD_CORRUPT_H264:
	case BAD_CORRUPT_VP9: {
		const char *src = c == BAD_CORRUPT_H264 ? "h264.mp4" : "vp9.webm";
		d = test_read_file(path_join(fixtures, src), &n);
		/* flip bytes in the middle of the file: packet payloads */
		for (size_t i = n * 3 / 10; i < n * 7 / 10; i += 97)
			d[i] ^= 0x5a;
		strcat(path, c == BAD_CORRUPT_H264 ? ".mp4" : ".webm");
		*may_succeed = 1;
		break;
	}
	case BAD_TRUNCATED_MP4:
		d = test_read_file(path_join(fixtures, "h264.mp4"), &n);
		n /= 2; /* the moov atom is at the end: gone */
		strcat(path, ".mp4");
		break;
	case BAD_TRUNCATED_WEBM:
		d = test_read_file(path_join(fixtures, "vp9.webm"), &n);
		n = n * 55 / 100;
		strcat(path, ".webm");
		*may_succeed = 1;
		break;
	case BAD_TRUNCATED_AVI:
		d = test_read_file(path_join(fixtures, "mjpeg.avi"), &n);
		n /= 2;
		strcat(path, ".avi");
		*may_succeed = 1;
		break;
	case BAD_CONCAT: {
		char t[1200];
		snprintf(t, sizeof t, "ffconcat version 1.0\nfile '%s'\n",
			 path_join(fixtures, "h264.mp4"));
		strcat(path, ".mp4");
		test_write_file(path, t, strlen(t));
		return path;
	}
	case BAD_HLS: {
		char t[1200];
		snprintf(t, sizeof t, "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:%s\n"
			 "#EXT-X-ENDLIST\n", path_join(fixtures, "h264.mp4"));
		strcat(path, ".m3u8");
		test_write_file(path, t, strlen(t));
		return path;
	}
	case BAD_TIMEOUT:
		o->timeout_s = 1e-9;
		return path_join(fixtures, "h264.mp4");
	case BAD_DECODE_CAP:
		o->max_decoded_frames = 2;
		o->seek = CLX_SEEK_NEVER;
		return path_join(fixtures, "h264.mp4");
	case BAD_T_ZERO:
		o->n_frames = 0;
		return path_join(fixtures, "h264.mp4");
	case BAD_COUNT:
		break;
	}
	if (d)
		test_write_file(path, d, n);
	free(d);
	return path;
}

static void test_bad_input(void)
{
	for (int c = 0; c < BAD_COUNT; c++) {
		struct clx_video_opts o;
		int may_succeed;
		char path[1024];
		snprintf(path, sizeof path, "%s", make_bad((enum bad_case)c, &o, &may_succeed));
		enum clx_seek_mode only = o.seek;
		for (int seek = 0; seek < 3; seek++) {
			if (only != CLX_SEEK_AUTO && seek != (int)only)
				continue;
			o.seek = (enum clx_seek_mode)seek;
			struct clx_video v;
			clx_clear_error(ctx);
			enum clx_status st = clx_video_read(ctx, path, &o, &v);
			const char *msg = clx_last_error(ctx);
			if (st == CLX_OK) {
				CHECK(may_succeed, "%s: succeeded", bad_names[c]);
				CHECK(v.rgb && v.width > 0 && v.height > 0 && v.n_total > 0,
				      "%s: succeeded without frames", bad_names[c]);
				printf("bad input %-26s seek=%-6s OK, N=%lld%s%s\n", bad_names[c],
				       seek_names[seek], (long long)v.n_total, v.warning[0] ? ", warning: " : "",
				       v.warning);
			} else {
				const char *base = strrchr(path, '/');
				CHECK(msg[0] && (strstr(msg, path) || (base && strstr(msg, base + 1)) ||
						 c == BAD_T_ZERO),
				      "%s: message '%s' does not name the file", bad_names[c], msg);
				CHECK(!strchr(msg, '\n'), "%s: message has a newline", bad_names[c]);
				CHECK(v.rgb == NULL && v.indices == NULL, "%s: output not released",
				      bad_names[c]);
				printf("bad input %-26s seek=%-6s %s: %s\n", bad_names[c], seek_names[seek],
				       clx_status_name(st), msg);
			}
			if (c == BAD_MISSING)
				CHECK(st == CLX_ERR_NOT_FOUND, "missing file: %s", clx_status_name(st));
			if (c == BAD_AUDIO_ONLY)
				CHECK(st == CLX_ERR_FORMAT && strstr(msg, "no video stream"), "audio-only");
			if (c == BAD_ZERO_FRAMES || c == BAD_EMPTY || c == BAD_TEXT_MP4)
				CHECK(st == CLX_ERR_FORMAT, "%s: %s", bad_names[c], clx_status_name(st));
			if (c == BAD_GIF_30000 || c == BAD_JPEG_30000)
				CHECK(st != CLX_OK && strstr(msg, "30000x30000"), "%s: %s", bad_names[c], msg);
			if (c == BAD_AVI_30000)
				CHECK(st == CLX_OK && v.width == 97 && v.height == 61, "%s: %s", bad_names[c],
				      msg);
			if (c == BAD_CONCAT || c == BAD_HLS)
				CHECK(st == CLX_ERR_UNSUPPORTED && strstr(msg, "not accepted"), "%s", msg);
			if (c == BAD_TIMEOUT)
				CHECK(st == CLX_ERR_IO && strstr(msg, "timeout"), "%s", msg);
			if (c == BAD_DECODE_CAP)
				CHECK(st == CLX_ERR_UNSUPPORTED && strstr(msg, "decoded frames"), "%s", msg);
			if (c == BAD_AVI_FRAME_COUNT)
				CHECK(st == CLX_OK && v.n_total == 20, "AVI frame count: N=%lld",
				      (long long)v.n_total);
			if (c == BAD_T_ZERO)
				CHECK(st == CLX_ERR_INVALID_ARG, "T = 0");
			clx_video_release(&v);
			/* the same bytes through the memory reader */
			size_t n;
			uint8_t *data = test_read_file(path, &n);
			if (data) {
				st = clx_video_read_memory(ctx, "memory", data, n, &o, &v);
				CHECK(st == CLX_OK || clx_last_error(ctx)[0], "%s from memory: no message",
				      bad_names[c]);
				clx_video_release(&v);
				free(data);
			}
		}
	}
}

/* ------------------------------------------------------ allocation failure */

static void test_alloc_fail(void)
{
	struct clx_video_opts o;
	clx_video_opts_default(&o);
	o.n_frames = 4;
	int n, failures = 0;
	for (int seek = 1; seek < 3; seek++) {
		o.seek = (enum clx_seek_mode)seek;
		for (n = 1; n < 200; n++) {
			struct clx_video v;
			alloc_fail_arm(n);
			enum clx_status st = clx_video_read(ctx, path_join(fixtures, "vp9.webm"), &o, &v);
			int hit = alloc_fail_hit();
			alloc_fail_arm(0);
			clx_video_release(&v);
			if (!hit) {
				CHECK(st == CLX_OK, "no failure injected but %s", clx_last_error(ctx));
				break;
			}
			failures++;
			CHECK(st == CLX_ERR_NOMEM, "allocation %d failed: got %s (%s)", n,
			      clx_status_name(st), clx_last_error(ctx));
		}
		CHECK(n < 200, "allocation-failure loop did not finish");
	}
	printf("allocation failure: %d injected failures, each a clean CLX_ERR_NOMEM\n", failures);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s FIXTURES/video TMPDIR\n", argv[0]);
		return 2;
	}
	fixtures = argv[1];
	tmpdir = argv[2];
	mkdir(tmpdir, 0755);
	ctx = clx_ctx_create();
	test_sampling();
	if (!clx_video_available()) {
		struct clx_video v;
		CHECK(clx_video_read(ctx, path_join(fixtures, "h264.mp4"), NULL, &v) ==
		      CLX_ERR_UNSUPPORTED, "without FFmpeg the reader must say unsupported");
		printf("built without FFmpeg: decoding tests skipped\n");
		clx_ctx_free(ctx);
		return check_summary();
	}
	test_golden();
	test_rotation();
	test_resize_and_memory();
	test_bad_input();
	test_alloc_fail();
	clx_ctx_free(ctx);
	return check_summary();
}
