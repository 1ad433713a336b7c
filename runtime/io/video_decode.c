/* video_decode.c — decoding frame by frame and counting output frames: from
 * the start (PyAV's enumerate, the reference procedure), or after seeking to
 * the keyframe before each sampled frame, relying on closed GOPs (frame
 * p + j is the j-th output after the keyframe at p). This is the seek path
 * for GOPs longer than video_gop_cap(); the seek itself and the plan's cost
 * live here too.
 *
 * Not here: buffering a GOP (video_gop.c), and choosing between the paths
 * (video.c). Anything inconsistent sets *fallback instead of guessing. */
#ifdef CLX_HAVE_FFMPEG
#include "io/video_internal.h"

#include <errno.h>

/* Gap (in frames) below which a run keeps decoding instead of seeking. */
#define SEEK_GAP 8

/* --------------------------------------------------------------- frames out */

enum clx_status video_count_decoded(struct reader *r, int *corrupt)
{
	if (++r->out->n_decoded > r->max_decoded)
		return clx_fail(r->ctx, CLX_ERR_UNSUPPORTED, "%s: needs more than %lld decoded "
				"frames (the limit)", r->name, (long long)r->max_decoded);
	*corrupt = r->frame->decode_error_flags || (r->frame->flags & AV_FRAME_FLAG_CORRUPT);
	return CLX_OK;
}

int64_t video_frame_pts(const AVFrame *f)
{
	return f->pts != AV_NOPTS_VALUE ? f->pts : f->best_effort_timestamp;
}

/* Next frame of the video stream into r->frame: 1, or 0 at the end of the
 * stream; a status (negative meaning is not used) through *st on failure.
 * In seek mode (track != 0) every packet read must be the next one of the
 * table, else r->inconsistent is set. */
static int next_frame(struct reader *r, int track, enum clx_status *st)
{
	*st = CLX_OK;
	int stuck = 0; /* rounds without a frame or a packet consumed */
	for (;;) {
		if (video_past_deadline(r)) {
			*st = video_timeout_fail(r);
			return 0;
		}
		if (++stuck > 1000) {
			*st = clx_fail(r->ctx, CLX_ERR_FORMAT, "%s: the %s decoder makes no progress",
				       r->name, r->cc->codec->name);
			return 0;
		}
		int ret = avcodec_receive_frame(r->cc, r->frame);
		if (ret >= 0) {
			int corrupt;
			if ((*st = video_count_decoded(r, &corrupt)))
				return 0;
			r->corrupt_frames += corrupt;
			return 1;
		}
		if (ret == AVERROR_EOF)
			return 0;
		if (ret != AVERROR(EAGAIN)) {
			/* a broken frame: count it and feed the next packet */
			r->decode_errors++;
			if (track)
				r->inconsistent = 1;
		}
		if (r->eof_sent)
			return 0; /* draining and nothing more came out */
		if (!r->pending) {
			ret = video_read_packet(r, 0);
			if (ret < 0) {
				if (r->timed_out || ret == AVERROR_EXIT) {
					*st = video_timeout_fail(r);
					return 0;
				}
				avcodec_send_packet(r->cc, NULL);
				r->eof_sent = 1;
				continue;
			}
			if (track && !(r->pkt->flags & AV_PKT_FLAG_DISCARD)) {
				if (video_tab_find(r, r->pkt) != r->next_pos)
					r->inconsistent = 1;
				r->next_pos++;
			}
			r->pending = 1;
		}
		ret = avcodec_send_packet(r->cc, r->pkt);
		if (ret == AVERROR(EAGAIN))
			continue; /* receive first, the packet stays pending */
		av_packet_unref(r->pkt);
		r->pending = 0;
		stuck = 0;
		if (ret < 0) {
			r->decode_errors++;
			if (track)
				r->inconsistent = 1;
		}
	}
}

/* ------------------------------------------------------------------ seeking */

/* Positions the demuxer and decoder so that the next packet sent is the
 * keyframe at decode position kpos. Returns 1 on success, 0 if seeking did
 * not land where the table says (the caller falls back). */
int video_seek_to(struct reader *r, int64_t kpos, enum clx_status *st)
{
	*st = CLX_OK;
	r->fresh = 0;
	avcodec_flush_buffers(r->cc);
	r->eof_sent = 0;
	if (r->pending)
		av_packet_unref(r->pkt);
	r->pending = 0;
	/* try the keyframe's own time, then earlier keyframes, then the start */
	int64_t target = kpos;
	for (int attempt = 0; attempt < 4; attempt++) {
		const struct entry *k = &r->tab[target];
		int64_t ts = k->dts != AV_NOPTS_VALUE ? k->dts : k->pts;
		if (k->pts != AV_NOPTS_VALUE && k->pts < ts)
			ts = k->pts;
		if (attempt == 3)
			ts = r->tab[0].dts != AV_NOPTS_VALUE ? r->tab[0].dts : r->tab[0].pts;
		int ret = av_seek_frame(r->ic, r->si, ts, AVSEEK_FLAG_BACKWARD);
		r->out->n_seeks++;
		if (ret < 0) {
			if (r->timed_out) {
				*st = video_timeout_fail(r);
				return 0;
			}
			return 0;
		}
		/* read until the keyframe; packets before it are not needed */
		int64_t landed = -1;
		for (;;) {
			ret = video_read_packet(r, 1);
			if (ret < 0)
				break;
			int64_t pos = video_tab_find(r, r->pkt);
			if (landed < 0)
				landed = pos;
			if (pos < 0 || pos > kpos || (landed >= 0 && pos < landed))
				break; /* unknown packet, or past the keyframe */
			if (pos == kpos) {
				r->pending = 1;
				r->next_pos = kpos + 1;
				return 1;
			}
			av_packet_unref(r->pkt);
			if (video_past_deadline(r)) {
				*st = video_timeout_fail(r);
				return 0;
			}
		}
		if (ret >= 0)
			av_packet_unref(r->pkt);
		if (r->timed_out) {
			*st = video_timeout_fail(r);
			return 0;
		}
		if (landed < 0)
			return 0;
		/* overshot: aim at the keyframe before */
		target = target > 0 ? video_key_before(r, target - 1) : 0;
	}
	return 0;
}

/* Whether to seek to keyframe kp when the next frame out would be cur
 * (cur < 0: nothing decoded yet). seek=always seeks whenever the keyframe is
 * ahead; otherwise only when that skips more than SEEK_GAP frames. */
static int should_seek(const struct reader *r, int64_t kp, int64_t cur)
{
	int64_t gap = r->opts->seek == CLX_SEEK_ALWAYS ? 0 : SEEK_GAP;
	return cur < 0 || (kp > cur && kp - cur > gap);
}

/* Frames decoded by the seek plan (the same rule video_decode_seeking follows). */
int64_t video_seek_plan_cost(const struct reader *r, int64_t *n_seeks)
{
	int64_t cost = 0, cur = -1;
	*n_seeks = 0;
	for (int64_t j = 0; j < r->n_ranks; j++) {
		int64_t k = r->ranks[j], kp = video_key_before(r, k);
		if (should_seek(r, kp, cur)) {
			cur = kp;
			(*n_seeks)++;
		}
		cost += k + 1 - cur;
		cur = k + 1;
	}
	return cost;
}

/* Seek mode. Relies on closed GOPs: after seeking to the keyframe at decode
 * position p, the decoder's j-th output frame is frame p + j. Checked as it
 * goes (packets must follow the table, output timestamps must increase and the
 * first output must be the keyframe); any surprise sets *fallback. */
enum clx_status video_decode_seeking(struct reader *r, int *fallback)
{
	enum clx_status st;
	int64_t cur = -1, last_pts = AV_NOPTS_VALUE, key_pts = AV_NOPTS_VALUE;
	int first_of_run = 0;
	*fallback = 0;
	for (int64_t j = 0; j < r->n_ranks; j++) {
		int64_t k = r->ranks[j], kp = video_key_before(r, k);
		if (should_seek(r, kp, cur)) {
			if (!video_seek_to(r, kp, &st)) {
				if (st)
					return st;
				*fallback = 1;
				return CLX_OK;
			}
			cur = kp;
			key_pts = r->pkt->pts;
			last_pts = AV_NOPTS_VALUE;
			first_of_run = 1;
		}
		while (cur <= k) {
			int got = next_frame(r, 1, &st);
			if (st)
				return st;
			if (!got || r->inconsistent) {
				*fallback = 1;
				return CLX_OK;
			}
			int64_t pts = video_frame_pts(r->frame);
			if ((first_of_run && key_pts != AV_NOPTS_VALUE && pts != key_pts) ||
			    (last_pts != AV_NOPTS_VALUE && pts != AV_NOPTS_VALUE && pts <= last_pts)) {
				*fallback = 1; /* open GOP or reordering we cannot map */
				av_frame_unref(r->frame);
				return CLX_OK;
			}
			first_of_run = 0;
			last_pts = pts;
			if (cur == k)
				st = video_store_frame(r, r->frame, k);
			av_frame_unref(r->frame);
			if (st)
				return st;
			cur++;
		}
	}
	return CLX_OK;
}

/* ----------------------------------------------------------- from the start */

/* From the start: the i-th output frame is frame i (PyAV's enumerate). Stores
 * the sampled ones; *seen = frames decoded (all of them if the stream ended
 * before the last sampled index). */
enum clx_status video_decode_sequential(struct reader *r, int64_t *seen, int *ended)
{
	enum clx_status st;
	int64_t rank = 0, j = 0;
	*ended = 0;
	while (j < r->n_ranks) {
		int got = next_frame(r, 0, &st);
		if (st)
			return st;
		if (!got) {
			*ended = 1;
			break;
		}
		if (rank == r->ranks[j]) {
			st = video_store_frame(r, r->frame, rank);
			j++;
		}
		av_frame_unref(r->frame);
		if (st)
			return st;
		rank++;
	}
	*seen = rank;
	return CLX_OK;
}

#endif /* CLX_HAVE_FFMPEG */
