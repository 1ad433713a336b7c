/* video_index.c — the frame table: one entry per packet of the video stream
 * in decode order, which is how clx counts frames (clx/video.h: from the
 * MP4/MOV sample index checked against the file size, else by reading every
 * packet header without decoding), and how seeking identifies the packet it
 * landed on (a unique dts, else pts) and finds keyframes.
 *
 * Not here: deciding whether to seek (video.c) or decoding. Never a frame
 * count from a header or duration × rate. */
#ifdef CLX_HAVE_FFMPEG
#include "io/video_internal.h"
#include "clx/limits.h"

#include <stdlib.h>
#include <string.h>

/* -------------------------------------------------------------- frame table */

static int is_mov(const AVFormatContext *ic)
{
	return strstr(ic->iformat->name, "mov") != NULL;
}

static enum clx_status tab_push(struct reader *r, int64_t dts, int64_t pts, int key)
{
	if (r->n_tab >= CLX_MAX_VIDEO_FRAMES)
		return clx_fail(r->ctx, CLX_ERR_UNSUPPORTED, "%s: more than %d video frames",
				r->name, CLX_MAX_VIDEO_FRAMES);
	if (r->n_tab == r->cap_tab) {
		int64_t cap = r->cap_tab ? r->cap_tab * 2 : 1024;
		size_t bytes;
		if (!clx_mul_ok((size_t)cap, sizeof *r->tab, &bytes))
			return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
		struct entry *t = clx_realloc(r->tab, bytes);
		if (!t)
			return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
		r->tab = t;
		r->cap_tab = cap;
	}
	r->tab[r->n_tab++] = (struct entry){ dts, pts, key };
	return CLX_OK;
}

static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* Whether the table supports seeking: every packet identifiable by a unique
 * timestamp (dts, else pts) and the first packet a keyframe. */
static enum clx_status tab_index(struct reader *r)
{
	r->seekable = 0;
	if (r->n_tab == 0 || !r->tab[0].key)
		return CLX_OK;
	int dts_ok = 1, pts_ok = 1;
	for (int64_t i = 0; i < r->n_tab; i++) {
		if (r->tab[i].dts == AV_NOPTS_VALUE || (i && r->tab[i].dts <= r->tab[i - 1].dts))
			dts_ok = 0;
		if (r->tab[i].pts == AV_NOPTS_VALUE)
			pts_ok = 0;
	}
	if (!dts_ok && !pts_ok)
		return CLX_OK;
	r->use_dts = dts_ok;
	size_t bytes;
	if (!clx_mul_ok((size_t)r->n_tab, sizeof *r->ids, &bytes))
		return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
	r->ids = clx_malloc(bytes);
	if (!r->ids)
		return clx_fail(r->ctx, CLX_ERR_NOMEM, "%s: out of memory", r->name);
	for (int64_t i = 0; i < r->n_tab; i++)
		r->ids[i] = (struct keyed){ r->use_dts ? r->tab[i].dts : r->tab[i].pts, i };
	if (!r->use_dts)
		qsort(r->ids, (size_t)r->n_tab, sizeof *r->ids, keyed_cmp);
	for (int64_t i = 1; i < r->n_tab; i++)
		if (r->ids[i].ts == r->ids[i - 1].ts)
			return CLX_OK; /* duplicate pts: cannot tell packets apart */
	r->seekable = 1;
	return CLX_OK;
}

/* Decode position of a packet, or -1. */
int64_t video_tab_find(const struct reader *r, const AVPacket *pkt)
{
	int64_t ts = r->use_dts ? pkt->dts : pkt->pts;
	if (ts == AV_NOPTS_VALUE)
		return -1;
	int64_t lo = 0, hi = r->n_tab;
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		if (r->ids[mid].ts < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->n_tab && r->ids[lo].ts == ts ? r->ids[lo].pos : -1;
}

/* ----------------------------------------------------------------- counting */

/* Counts the frames. MP4/MOV: the sample index, minus samples whose bytes lie
 * beyond the end of the file. Others: every packet of the stream, read but not
 * decoded. Leaves the demuxer wherever it stopped. */
enum clx_status video_build_table(struct reader *r)
{
	enum clx_status st;
	int n_index = avformat_index_get_entries_count(r->st);
	if (is_mov(r->ic) && n_index > 0) {
		int64_t beyond = 0, listed = 0;
		for (int i = 0; i < n_index; i++) {
			const AVIndexEntry *e = avformat_index_get_entry(r->st, i);
			if (!e || (e->flags & AVINDEX_DISCARD_FRAME))
				continue;
			listed++;
			if (r->file_size >= 0 && (e->pos < 0 || e->size < 0 ||
						  e->pos > r->file_size - e->size)) {
				beyond++;
				continue;
			}
			if ((st = tab_push(r, e->timestamp, AV_NOPTS_VALUE,
					   (e->flags & AVINDEX_KEYFRAME) != 0)))
				return st;
		}
		if (beyond)
			video_warn(r->out, "truncated file: the container lists %lld frames, the file "
				   "holds %lld", (long long)listed, (long long)(listed - beyond));
		return tab_index(r);
	}

	int ret;
	int64_t last_end = AV_NOPTS_VALUE;
	r->fresh = 0;
	for (;;) {
		ret = av_read_frame(r->ic, r->pkt);
		if (ret < 0)
			break;
		if (r->pkt->stream_index == r->si && !(r->pkt->flags & AV_PKT_FLAG_DISCARD)) {
			st = tab_push(r, r->pkt->dts, r->pkt->pts, (r->pkt->flags & AV_PKT_FLAG_KEY) != 0);
			if (r->pkt->pts != AV_NOPTS_VALUE && r->pkt->duration > 0 &&
			    r->pkt->pts <= INT64_MAX - r->pkt->duration &&
			    (last_end == AV_NOPTS_VALUE || r->pkt->pts + r->pkt->duration > last_end))
				last_end = r->pkt->pts + r->pkt->duration;
		} else {
			st = CLX_OK;
		}
		av_packet_unref(r->pkt);
		if (st)
			return st;
		if (video_past_deadline(r))
			return video_timeout_fail(r);
	}
	if (r->timed_out || ret == AVERROR_EXIT)
		return video_timeout_fail(r);
	if (ret != AVERROR_EOF)
		video_warn(r->out, "stopped reading after %lld frames: %s", (long long)r->n_tab,
			   AVERR(ret));
	/* A header duration well past the last packet: the file was cut short. */
	if (r->ic->duration > 0 && last_end != AV_NOPTS_VALUE) {
		double have = (double)(last_end - (r->st->start_time != AV_NOPTS_VALUE ?
						    r->st->start_time : 0)) * av_q2d(r->st->time_base);
		double said = (double)r->ic->duration / AV_TIME_BASE;
		if (said - have > 0.5 && said > have * 1.05)
			video_warn(r->out, "the header says %.2f s but the video stream ends at "
				   "%.2f s (truncated file?)", said, have);
	}
	return tab_index(r);
}

/* ---------------------------------------------------------------- keyframes */

/* The keyframe at or before decode position p. */
int64_t video_key_before(const struct reader *r, int64_t p)
{
	while (p > 0 && !r->tab[p].key)
		p--;
	return p;
}

/* The next keyframe after decode position p, or n_tab. */
int64_t video_key_after(const struct reader *r, int64_t p)
{
	for (p++; p < r->n_tab && !r->tab[p].key; p++)
		;
	return p;
}

#endif /* CLX_HAVE_FFMPEG */
