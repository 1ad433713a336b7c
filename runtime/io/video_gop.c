/* video_gop.c — the seek path that takes a GOP at a time: read the packets
 * from the keyframe before a sampled frame to the next keyframe, order them
 * by timestamp (closed GOP: frame kp + i has the i-th smallest), decode them
 * with non-reference frames skipped except the sampled ones, and pick the
 * sampled frames out by timestamp.
 *
 * Not here: GOPs over video_gop_cap() packets (video_decode.c counts frames
 * for those). Any surprise sets *fallback: decode from the start instead. */
#ifdef CLX_HAVE_FFMPEG
#include "io/video_internal.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------- limits */

/* Largest GOP (packets) video_decode_gops buffers; larger ones use
 * video_decode_seeking. CLX_VIDEO_GOP_CAP in the environment lowers it (tests
 * run both paths). */
#define GOP_MAX_PACKETS 4096
#define GOP_MAX_BYTES ((int64_t)512 << 20)

int64_t video_gop_cap(void)
{
	long long v;
	return clx_parse_int(getenv("CLX_VIDEO_GOP_CAP"), 0, GOP_MAX_PACKETS - 1, &v) ? v
										       : GOP_MAX_PACKETS;
}

/* ----------------------------------------------------------------- GOP pass */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* One received frame of the GOP pass: stored if its timestamp is a target's. */
static enum clx_status gop_output(struct reader *r, const int64_t *tpts, const int64_t *trank,
				  int64_t nt, int *got, int *bad)
{
	int corrupt;
	enum clx_status st = video_count_decoded(r, &corrupt);
	if (st)
		return st;
	*bad |= corrupt;
	int64_t pts = video_frame_pts(r->frame);
	for (int64_t i = 0; i < nt; i++)
		if (tpts[i] == pts && !got[i]) {
			got[i] = 1;
			return video_store_frame(r, r->frame, trank[i]);
		}
	return CLX_OK;
}

/* Seek mode, a GOP at a time: read the packets from the keyframe before a
 * sampled frame to the next keyframe, sort their timestamps (closed GOP:
 * frame kp + i is the i-th smallest), then decode them with non-reference
 * frames skipped except the sampled ones, and pick the sampled frames out by
 * timestamp. Any surprise (open GOP, unknown or repeated timestamps, a packet
 * not where the table says, a decode error, a missing frame) sets *fallback. */
enum clx_status video_decode_gops(struct reader *r, int *fallback)
{
	enum clx_status st = CLX_OK;
	AVPacket **buf = NULL;
	int64_t *pts = NULL, *sorted = NULL, *tpts = NULL, *trank = NULL;
	int *got = NULL;
	int64_t n_buf = 0, pending_pos = -1, j = 0;
	size_t cap = 0;
	*fallback = 0;
	tpts = clx_malloc(sizeof *tpts * (size_t)r->n_ranks);
	trank = clx_malloc(sizeof *trank * (size_t)r->n_ranks);
	got = clx_malloc(sizeof *got * (size_t)r->n_ranks);
	if (!tpts || !trank || !got) {
		st = clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
		goto done;
	}
	while (j < r->n_ranks) {
		int64_t k = r->ranks[j], kp = video_key_before(r, k), kn = video_key_after(r, kp);
		int64_t n = kn - kp, j2 = j, bytes = 0;
		while (j2 < r->n_ranks && r->ranks[j2] < kn)
			j2++;
		/* position the demuxer at kp (already there after the previous GOP?) */
		if (!(r->pending && pending_pos == kp)) {
			if (!video_seek_to(r, kp, &st)) {
				*fallback = !st;
				goto done;
			}
		}
		r->fresh = 0;
		/* buffer packets kp … kn−1, then read packet kn (kept pending) */
		if ((size_t)n > cap) {
			size_t nb;
			if (!clx_mul_ok((size_t)n, sizeof *buf, &nb)) {
				*fallback = 1;
				goto done;
			}
			AVPacket **nbuf = clx_realloc(buf, nb);
			int64_t *npts = nbuf ? clx_realloc(pts, (size_t)n * sizeof *pts) : NULL;
			if (npts)
				pts = npts;
			int64_t *nsorted = npts ? clx_realloc(sorted, (size_t)n * sizeof *sorted) : NULL;
			if (nbuf)
				buf = nbuf;
			if (nsorted)
				sorted = nsorted;
			if (!nbuf || !npts || !nsorted) {
				st = clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
				goto done;
			}
			cap = (size_t)n;
		}
		n_buf = 0;
		pending_pos = -1;
		for (int64_t pos = kp; pos <= kn && pos < r->n_tab; pos++) {
			if (pos > kp || !r->pending) {
				int ret = video_read_packet(r, 1);
				if (ret < 0) {
					if (r->timed_out || ret == AVERROR_EXIT) {
						st = video_timeout_fail(r);
						goto done;
					}
					*fallback = 1; /* the table promised more packets */
					goto done;
				}
				r->pending = 1;
			}
			if (video_tab_find(r, r->pkt) != pos) {
				*fallback = 1;
				goto done;
			}
			if (pos == kn) { /* the next GOP's keyframe: stays pending */
				pending_pos = kn;
				break;
			}
			buf[n_buf] = av_packet_alloc();
			if (!buf[n_buf]) {
				st = clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
				goto done;
			}
			av_packet_move_ref(buf[n_buf], r->pkt);
			r->pending = 0;
			pts[n_buf] = buf[n_buf]->pts;
			bytes += buf[n_buf]->size;
			n_buf++;
			if (bytes > GOP_MAX_BYTES || video_past_deadline(r)) {
				if (r->timed_out) {
					st = video_timeout_fail(r);
					goto done;
				}
				*fallback = 1;
				goto done;
			}
		}
		/* presentation order within the GOP */
		memcpy(sorted, pts, sizeof *pts * (size_t)n_buf);
		qsort(sorted, (size_t)n_buf, sizeof *sorted, cmp_i64);
		if (n_buf != n || sorted[0] == AV_NOPTS_VALUE || sorted[0] != pts[0] ||
		    (pending_pos >= 0 && r->pkt->pts != AV_NOPTS_VALUE && r->pkt->pts <= sorted[n - 1])) {
			*fallback = 1; /* open GOP or timestamps we cannot order */
			goto done;
		}
		for (int64_t i = 1; i < n; i++)
			if (sorted[i] == sorted[i - 1]) {
				*fallback = 1;
				goto done;
			}
		int64_t nt = j2 - j;
		for (int64_t i = 0; i < nt; i++) {
			trank[i] = r->ranks[j + i];
			tpts[i] = sorted[trank[i] - kp];
			got[i] = 0;
		}
		/* decode: every reference frame, and the sampled frames */
		avcodec_flush_buffers(r->cc);
		r->eof_sent = 0;
		int bad = 0, n_got = 0;
		for (int64_t i = 0; i <= n_buf && n_got < nt; i++) {
			AVPacket *pk = i < n_buf ? buf[i] : NULL;
			int wanted = 0;
			for (int64_t t = 0; pk && t < nt; t++)
				wanted |= tpts[t] == pk->pts;
			r->cc->skip_frame = (pk && !wanted) ? AVDISCARD_NONREF : AVDISCARD_DEFAULT;
			int ret;
			for (;;) {
				ret = avcodec_send_packet(r->cc, pk);
				if (ret != AVERROR(EAGAIN))
					break;
				ret = avcodec_receive_frame(r->cc, r->frame);
				if (ret < 0) {
					bad = 1;
					break;
				}
				st = gop_output(r, tpts, trank, nt, got, &bad);
				av_frame_unref(r->frame);
				if (st)
					goto done;
			}
			if (ret < 0 && ret != AVERROR_EOF)
				bad = 1;
			for (;;) {
				ret = avcodec_receive_frame(r->cc, r->frame);
				if (ret < 0)
					break;
				st = gop_output(r, tpts, trank, nt, got, &bad);
				av_frame_unref(r->frame);
				if (st)
					goto done;
			}
			if (ret != AVERROR(EAGAIN) && ret != AVERROR_EOF)
				bad = 1;
			if (video_past_deadline(r)) {
				st = video_timeout_fail(r);
				goto done;
			}
			n_got = 0; /* stop once every sampled frame of the GOP is out */
			for (int64_t t = 0; t < nt; t++)
				n_got += got[t];
		}
		r->cc->skip_frame = AVDISCARD_DEFAULT;
		r->eof_sent = 1;
		for (int64_t i = 0; i < nt; i++)
			bad |= !got[i];
		if (bad) {
			*fallback = 1;
			goto done;
		}
		for (int64_t i = 0; i < n_buf; i++)
			av_packet_free(&buf[i]);
		n_buf = 0;
		j = j2;
	}
done:
	if (r->cc)
		r->cc->skip_frame = AVDISCARD_DEFAULT;
	for (int64_t i = 0; i < n_buf; i++)
		av_packet_free(&buf[i]);
	clx_free(buf);
	clx_free(pts);
	clx_free(sorted);
	clx_free(tpts);
	clx_free(trank);
	clx_free(got);
	return st;
}

#endif /* CLX_HAVE_FFMPEG */

