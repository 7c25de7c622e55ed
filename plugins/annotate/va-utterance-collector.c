/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "va-utterance-collector.h"

#include "va-voice-segment-meta.h"

/* Upstream segments are announced after the detector's hangover and are at
 * most its max-segment-length long; audio older than this cannot belong to
 * a segment still to come, whatever vavad's settings within their ranges. */
#define MAX_HISTORY_S 130
/* A timestamp this far from the expected one is a real discontinuity rather
 * than rounding in the upstream timestamps. */
#define DISCONT_TOLERANCE (20 * GST_MSECOND)

struct _VaUtteranceCollector {
  guint rate;
  guint64 pad;
  VaVadDetector *vad; /* NULL when segments come from upstream metas */

  gboolean have_base;
  GstClockTime base;  /* stream time of sample index 0 */
  guint64 n_received; /* samples since base */

  GArray *history; /* gint16 samples from history_first on */
  guint64 history_first;

  GArray *vad_segments; /* scratch for the internal detector */
};

void
va_utterance_free (VaUtterance *utterance)
{
  if (utterance == NULL)
    return;
  g_free (utterance->samples);
  g_free (utterance);
}

/**
 * va_utterance_collector_new:
 * @pad_ms: audio kept before and after each segment in the utterance
 * @internal_vad: (nullable): settings for the collector's own detector; NULL
 *   to take segments only from va_utterance_collector_add_segment()
 */
VaUtteranceCollector *
va_utterance_collector_new (guint rate, guint pad_ms, const VaVadParams *internal_vad)
{
  VaUtteranceCollector *self = g_new0 (VaUtteranceCollector, 1);

  self->rate = rate;
  self->pad = (guint64)pad_ms * rate / 1000;
  if (internal_vad != NULL)
    self->vad = va_vad_detector_new (rate, internal_vad);
  self->history = g_array_new (FALSE, FALSE, sizeof (gint16));
  self->vad_segments = g_array_new (FALSE, FALSE, sizeof (VaVadSegment));
  return self;
}

void
va_utterance_collector_free (VaUtteranceCollector *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->vad, va_vad_detector_free);
  g_array_unref (self->history);
  g_array_unref (self->vad_segments);
  g_free (self);
}

static GstClockTime
index_to_time (VaUtteranceCollector *self, guint64 index)
{
  return self->base + gst_util_uint64_scale (index, GST_SECOND, self->rate);
}

static guint64
time_to_index (VaUtteranceCollector *self, GstClockTime time)
{
  if (time <= self->base)
    return 0;
  return gst_util_uint64_scale_round (time - self->base, self->rate, GST_SECOND);
}

static void
drop_before (VaUtteranceCollector *self, guint64 index)
{
  guint64 n;

  if (index <= self->history_first)
    return;
  n = MIN (index - self->history_first, (guint64)self->history->len);
  g_array_remove_range (self->history, 0, n);
  self->history_first += n;
}

/* Cuts [first, last) plus padding out of the history. */
static VaUtterance *
cut (VaUtteranceCollector *self, guint64 first, guint64 last)
{
  guint64 history_end = self->history_first + self->history->len;
  guint64 from = first > self->pad ? first - self->pad : 0;
  guint64 to = MIN (last + self->pad, history_end);
  VaUtterance *utt;

  from = MAX (from, self->history_first);
  if (to <= from)
    return NULL;

  utt = g_new0 (VaUtterance, 1);
  utt->start = index_to_time (self, MAX (first, self->history_first));
  utt->end = index_to_time (self, MIN (last, history_end));
  utt->audio_start = index_to_time (self, from);
  utt->n_samples = to - from;
  utt->samples = g_memdup2 (&g_array_index (self->history, gint16, from - self->history_first),
                            utt->n_samples * sizeof (gint16));
  return utt;
}

static void
take_vad_segments (VaUtteranceCollector *self, GPtrArray *ready)
{
  for (guint i = 0; i < self->vad_segments->len; i++) {
    VaVadSegment *seg = &g_array_index (self->vad_segments, VaVadSegment, i);
    VaUtterance *utt = cut (self, seg->start, seg->end);

    if (utt != NULL)
      g_ptr_array_add (ready, utt);
  }
  g_array_set_size (self->vad_segments, 0);
}

static void
restart (VaUtteranceCollector *self, GstClockTime pts, GPtrArray *ready)
{
  if (self->vad != NULL) {
    va_vad_detector_flush (self->vad, self->vad_segments);
    take_vad_segments (self, ready);
  }
  g_array_set_size (self->history, 0);
  self->history_first = 0;
  self->n_received = 0;
  self->base = GST_CLOCK_TIME_IS_VALID (pts) ? pts : 0;
  self->have_base = TRUE;
}

/**
 * va_utterance_collector_push:
 * @pts: timestamp of the first sample, or GST_CLOCK_TIME_NONE to continue
 *   the previous buffer
 * @ready: (element-type VaUtterance): utterances the internal detector
 *   completed are appended
 */
void
va_utterance_collector_push (VaUtteranceCollector *self, GstClockTime pts, const gint16 *samples,
                             gsize n_samples, GPtrArray *ready)
{
  guint64 keep_from;

  if (!self->have_base) {
    restart (self, pts, ready);
  } else if (GST_CLOCK_TIME_IS_VALID (pts)) {
    GstClockTime expected = index_to_time (self, self->n_received);

    if (pts > expected + DISCONT_TOLERANCE || pts + DISCONT_TOLERANCE < expected)
      restart (self, pts, ready);
  }

  g_array_append_vals (self->history, samples, n_samples);
  self->n_received += n_samples;

  if (self->vad != NULL) {
    va_vad_detector_push (self->vad, samples, n_samples, self->vad_segments);
    take_vad_segments (self, ready);
    keep_from = va_vad_detector_get_pending_start (self->vad);
  } else {
    keep_from = self->n_received > (guint64)MAX_HISTORY_S * self->rate
                    ? self->n_received - (guint64)MAX_HISTORY_S * self->rate
                    : 0;
  }
  drop_before (self, keep_from > self->pad ? keep_from - self->pad : 0);
}

/**
 * va_utterance_collector_add_segment:
 * @ready: (element-type VaUtterance): the utterance is appended, unless
 *   none of its audio is still held
 *
 * Takes one segment announced upstream. Segments must come in time order;
 * audio before the end of this one is released.
 */
void
va_utterance_collector_add_segment (VaUtteranceCollector *self, GstClockTime start,
                                    GstClockTime end, GPtrArray *ready)
{
  guint64 first, last;
  VaUtterance *utt;

  if (!self->have_base || end <= start)
    return;

  first = time_to_index (self, start);
  last = time_to_index (self, end);
  utt = cut (self, first, last);
  if (utt != NULL)
    g_ptr_array_add (ready, utt);
  drop_before (self, last > self->pad ? last - self->pad : 0);
}

/**
 * va_utterance_collector_flush:
 *
 * Closes the internal detector's open segment (if any) at end of stream and
 * forgets the stream.
 */
void
va_utterance_collector_flush (VaUtteranceCollector *self, GPtrArray *ready)
{
  if (self->vad != NULL && self->have_base) {
    va_vad_detector_flush (self->vad, self->vad_segments);
    take_vad_segments (self, ready);
  }
  g_array_set_size (self->history, 0);
  self->history_first = 0;
  self->n_received = 0;
  self->have_base = FALSE;
}

/**
 * va_utterance_collector_push_buffer:
 * @buf: a buffer of S16 mono audio at the collector's rate
 * @upstream_segments: take the voice segments from the buffer's
 *   #VaVoiceSegmentMeta (a vavad upstream) rather than the own detector
 * @ready: (element-type VaUtterance): receives the utterances completed
 *
 * What vaspeech and vadiarize do with every buffer: its samples, then the
 * segments upstream found in it.
 *
 * Returns: %FALSE if @buf cannot be read
 */
gboolean
va_utterance_collector_push_buffer (VaUtteranceCollector *self, GstBuffer *buf,
                                    gboolean upstream_segments, GPtrArray *ready)
{
  GstMapInfo map;
  gpointer state = NULL;
  GstMeta *meta;

  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return FALSE;
  if (map.size > 0)
    va_utterance_collector_push (self, GST_BUFFER_PTS (buf), (const gint16 *)map.data,
                                 map.size / sizeof (gint16), ready);
  gst_buffer_unmap (buf, &map);

  if (!upstream_segments)
    return TRUE;
  while ((meta = gst_buffer_iterate_meta_filtered (buf, &state, VA_VOICE_SEGMENT_META_API_TYPE))) {
    VaVoiceSegmentMeta *seg = (VaVoiceSegmentMeta *)meta;

    va_utterance_collector_add_segment (self, seg->start, seg->end, ready);
  }
  return TRUE;
}
