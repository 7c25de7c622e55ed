/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-vavad
 * @title: vavad
 *
 * Voice activity detection. Every 10 ms the element compares the spectrum
 * (24 mel bands, 25 ms window) with an adaptive per-band noise estimate
 * (minimum statistics over 2 s, refined on non-speech frames); a frame is
 * speech when its mean band level exceeds the noise by #VaVad:threshold dB
 * and its level is above #VaVad:min-level. A segment opens after
 * #VaVad:onset seconds of speech and closes after #VaVad:hangover seconds
 * without; segments shorter than #VaVad:min-segment-length are dropped and
 * longer than #VaVad:max-segment-length are cut.
 *
 * The element announces the `voice_activity` pipeline to
 * `vaannotationsink`, which writes the segments to
 * `<stem>_voice_activity.csv`.
 *
 * Each segment is attached as #VaVoiceSegmentMeta to the buffer on which it
 * closed (about one hangover after its end). A segment still open at end of
 * stream travels on an empty buffer pushed just before EOS. Before its first
 * buffer the element sends the sticky custom event named
 * `va-voice-activity`, so that `vaspeech` and `vadiarize` downstream use
 * these segments instead of their own detector.
 *
 * With #VaVad:post-messages, it also posts an element message named `vavad`
 * per segment with the fields:
 *
 * * `start` (#GstClockTime): stream time of the first speech sample
 * * `end` (#GstClockTime): stream time just after the last speech sample
 * * `duration` (#GstClockTime): end - start
 *
 * Properties are read when the stream starts.
 *
 * ## Example
 * |[
 * gst-launch-1.0 filesrc location=talk.wav ! decodebin ! audioconvert ! audioresample !
 *     audio/x-raw,rate=16000,channels=1 ! vavad post-messages=true ! fakesink -m
 * ]|
 */
#include "va-vad.h"

#include "va-annotation-output.h"
#include "va-processing-time.h"
#include "va-voice-segment-meta.h"
#include "va-vad-detector.h"

GST_DEBUG_CATEGORY_STATIC (va_vad_debug);
#define GST_CAT_DEFAULT va_vad_debug

/* Upper bound of max-segment-length; VaUtteranceCollector keeps enough
 * history for segments of this length. */
#define MAX_SEGMENT_LENGTH_LIMIT 120.0

struct _VaVad {
  GstAudioFilter parent;

  /* properties, under the object lock */
  gdouble threshold;
  gdouble min_level;
  gdouble onset;
  gdouble hangover;
  gdouble min_segment_length;
  gdouble max_segment_length;
  gboolean post_messages;

  /* streaming thread only */
  VaVadDetector *detector;
  GArray *segments;
  gboolean have_base;
  GstClockTime base;
  guint64 n_samples;
  gboolean announced;
  VaProcessingTime processing; /* the "processing-time" property */
};

enum {
  PROP_0,
  PROP_THRESHOLD,
  PROP_MIN_LEVEL,
  PROP_ONSET,
  PROP_HANGOVER,
  PROP_MIN_SEGMENT_LENGTH,
  PROP_MAX_SEGMENT_LENGTH,
  PROP_POST_MESSAGES,
  PROP_PROCESSING_TIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define VA_AUDIO_CAPS "audio/x-raw, format=S16LE, rate=16000, channels=1, layout=interleaved"

G_DEFINE_TYPE_WITH_CODE (VaVad, va_vad, GST_TYPE_AUDIO_FILTER,
                         GST_DEBUG_CATEGORY_INIT (va_vad_debug, "vavad", 0,
                                                  "voice activity detection"));
GST_ELEMENT_REGISTER_DEFINE (vavad, "vavad", GST_RANK_NONE, VA_TYPE_VAD);

static void
va_vad_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VaVad *self = VA_VAD (object);
  gdouble *target = NULL;

  switch (prop_id) {
  case PROP_THRESHOLD:
    target = &self->threshold;
    break;
  case PROP_MIN_LEVEL:
    target = &self->min_level;
    break;
  case PROP_ONSET:
    target = &self->onset;
    break;
  case PROP_HANGOVER:
    target = &self->hangover;
    break;
  case PROP_MIN_SEGMENT_LENGTH:
    target = &self->min_segment_length;
    break;
  case PROP_MAX_SEGMENT_LENGTH:
    target = &self->max_segment_length;
    break;
  case PROP_POST_MESSAGES: {
    gboolean v = g_value_get_boolean (value);

    GST_OBJECT_LOCK (self);
    if (self->post_messages == v) {
      GST_OBJECT_UNLOCK (self);
      return;
    }
    self->post_messages = v;
    GST_OBJECT_UNLOCK (self);
    g_object_notify_by_pspec (object, pspec);
    return;
  }
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    return;
  }

  GST_OBJECT_LOCK (self);
  if (*target == g_value_get_double (value)) {
    GST_OBJECT_UNLOCK (self);
    return;
  }
  *target = g_value_get_double (value);
  GST_OBJECT_UNLOCK (self);
  g_object_notify_by_pspec (object, pspec);
}

static void
va_vad_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VaVad *self = VA_VAD (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
  case PROP_THRESHOLD:
    g_value_set_double (value, self->threshold);
    break;
  case PROP_MIN_LEVEL:
    g_value_set_double (value, self->min_level);
    break;
  case PROP_ONSET:
    g_value_set_double (value, self->onset);
    break;
  case PROP_HANGOVER:
    g_value_set_double (value, self->hangover);
    break;
  case PROP_MIN_SEGMENT_LENGTH:
    g_value_set_double (value, self->min_segment_length);
    break;
  case PROP_MAX_SEGMENT_LENGTH:
    g_value_set_double (value, self->max_segment_length);
    break;
  case PROP_POST_MESSAGES:
    g_value_set_boolean (value, self->post_messages);
    break;
  case PROP_PROCESSING_TIME:
    g_value_set_uint64 (value, self->processing.total);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
reset_stream (VaVad *self, guint rate)
{
  VaVadParams params;

  va_vad_params_init (&params);
  GST_OBJECT_LOCK (self);
  params.threshold_db = self->threshold;
  params.min_level_db = self->min_level;
  params.onset_ms = (guint)(self->onset * 1000.0 + 0.5);
  params.hangover_ms = (guint)(self->hangover * 1000.0 + 0.5);
  params.min_segment_ms = (guint)(self->min_segment_length * 1000.0 + 0.5);
  params.max_segment_ms = (guint)(self->max_segment_length * 1000.0 + 0.5);
  GST_OBJECT_UNLOCK (self);

  g_clear_pointer (&self->detector, va_vad_detector_free);
  self->detector = va_vad_detector_new (rate, &params);
  g_array_set_size (self->segments, 0);
  self->have_base = FALSE;
  self->n_samples = 0;
}

static gboolean
va_vad_setup (GstAudioFilter *filter, const GstAudioInfo *info)
{
  /* filter->info is only updated after setup() succeeds. */
  reset_stream (VA_VAD (filter), GST_AUDIO_INFO_RATE (info));
  return TRUE;
}

static gboolean
va_vad_start (GstBaseTransform *trans)
{
  VaVad *self = VA_VAD (trans);

  self->announced = FALSE;
  va_processing_time_reset (&self->processing, GST_OBJECT (self));
  return TRUE;
}

static gboolean
va_vad_stop (GstBaseTransform *trans)
{
  VaVad *self = VA_VAD (trans);

  g_clear_pointer (&self->detector, va_vad_detector_free);
  g_array_set_size (self->segments, 0);
  return TRUE;
}

static GstClockTime
sample_to_time (VaVad *self, guint64 index)
{
  return self->base + gst_util_uint64_scale (index, GST_SECOND, GST_AUDIO_FILTER_RATE (self));
}

/* Turns the detector's completed segments into metas on @buf and, when
 * enabled, messages (posted after the object lock is released). */
static void
publish_segments (VaVad *self, GstBuffer *buf)
{
  gboolean post;

  if (self->segments->len == 0)
    return;

  GST_OBJECT_LOCK (self);
  post = self->post_messages;
  GST_OBJECT_UNLOCK (self);

  for (guint i = 0; i < self->segments->len; i++) {
    VaVadSegment *seg = &g_array_index (self->segments, VaVadSegment, i);
    GstClockTime start = sample_to_time (self, seg->start);
    GstClockTime end = sample_to_time (self, seg->end);

    GST_DEBUG_OBJECT (self, "voice %" GST_TIME_FORMAT " - %" GST_TIME_FORMAT, GST_TIME_ARGS (start),
                      GST_TIME_ARGS (end));
    va_buffer_add_voice_segment_meta (buf, start, end);
    if (post) {
      GstStructure *s
          = gst_structure_new ("vavad", "start", G_TYPE_UINT64, start, "end", G_TYPE_UINT64, end,
                               "duration", G_TYPE_UINT64, end - start, NULL);

      gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
    }
  }
  g_array_set_size (self->segments, 0);
}

static GstFlowReturn
va_vad_transform_ip (GstBaseTransform *trans, GstBuffer *buf)
{
  VaVad *self = VA_VAD (trans);
  GstClockTime pts = GST_BUFFER_PTS (buf);
  GstMapInfo map;

  if (G_UNLIKELY (!self->announced)) {
    gst_pad_push_event (GST_BASE_TRANSFORM_SRC_PAD (trans), va_voice_activity_event_new ());
    gst_pad_push_event (GST_BASE_TRANSFORM_SRC_PAD (trans),
                        va_annotation_output_new_announce_event ("voice_activity"));
    self->announced = TRUE;
  }

  if (self->have_base && GST_CLOCK_TIME_IS_VALID (pts) && GST_BUFFER_IS_DISCONT (buf)) {
    GstClockTime expected = sample_to_time (self, self->n_samples);
    GstClockTimeDiff drift = GST_CLOCK_DIFF (expected, pts);

    /* A real gap (not rounding): close what is open on the old timeline
     * (times computed before the base moves), then restart it. */
    if (ABS (drift) > 20 * GST_MSECOND) {
      va_vad_detector_flush (self->detector, self->segments);
      publish_segments (self, buf);
      self->have_base = FALSE;
    }
  }
  if (!self->have_base) {
    self->base = GST_CLOCK_TIME_IS_VALID (pts) ? pts : 0;
    self->n_samples = 0;
    self->have_base = TRUE;
  }

  if (!gst_buffer_map (buf, &map, GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not read an audio buffer."), (NULL));
    return GST_FLOW_ERROR;
  }
  va_vad_detector_push (self->detector, (const gint16 *)map.data, map.size / sizeof (gint16),
                        self->segments);
  self->n_samples += map.size / sizeof (gint16);
  gst_buffer_unmap (buf, &map);

  publish_segments (self, buf);
  return GST_FLOW_OK;
}

static gboolean
va_vad_sink_event (GstBaseTransform *trans, GstEvent *event)
{
  VaVad *self = VA_VAD (trans);

  switch (GST_EVENT_TYPE (event)) {
  case GST_EVENT_STREAM_START:
    /* A new stream-start may drop stream-scoped sticky events downstream. */
    self->announced = FALSE;
    break;
  case GST_EVENT_EOS:
    if (self->detector != NULL && self->have_base) {
      GstClockTime begin = va_processing_time_begin ();
      g_autoptr (GstBuffer) tail = NULL;

      va_vad_detector_flush (self->detector, self->segments);
      if (self->segments->len > 0) {
        /* The segment still open at the end has no buffer of its own left;
         * carry it on an empty one stamped at the end of the stream. */
        tail = gst_buffer_new ();
        GST_BUFFER_PTS (tail) = sample_to_time (self, self->n_samples);
        GST_BUFFER_DURATION (tail) = 0;
        publish_segments (self, tail);
      }
      self->have_base = FALSE;
      /* what the push runs downstream is not this element's time */
      va_processing_time_end (&self->processing, GST_OBJECT (self), begin);
      if (tail != NULL)
        gst_pad_push (GST_BASE_TRANSFORM_SRC_PAD (trans), g_steal_pointer (&tail));
    }
    break;
  case GST_EVENT_FLUSH_STOP:
    /* After a seek the timeline restarts; an open segment belongs to the
     * old position and is dropped. */
    if (self->detector != NULL)
      va_vad_detector_reset (self->detector);
    g_array_set_size (self->segments, 0);
    self->have_base = FALSE;
    break;
  default:
    break;
  }

  return GST_BASE_TRANSFORM_CLASS (va_vad_parent_class)->sink_event (trans, event);
}

static void
va_vad_finalize (GObject *object)
{
  VaVad *self = VA_VAD (object);

  g_clear_pointer (&self->detector, va_vad_detector_free);
  g_array_unref (self->segments);
  G_OBJECT_CLASS (va_vad_parent_class)->finalize (object);
}

/* The analysis of one buffer, timed for "processing-time". */
static GstFlowReturn
va_vad_timed_transform_ip (GstBaseTransform *trans, GstBuffer *buf)
{
  VaVad *self = VA_VAD (trans);
  GstClockTime begin = va_processing_time_begin ();
  GstFlowReturn ret = va_vad_transform_ip (trans, buf);

  va_processing_time_end (&self->processing, GST_OBJECT (self), begin);
  return ret;
}

static void
va_vad_class_init (VaVadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstAudioFilterClass *filter_class = GST_AUDIO_FILTER_CLASS (klass);
  g_autoptr (GstCaps) caps = gst_caps_from_string (VA_AUDIO_CAPS);

  object_class->set_property = va_vad_set_property;
  object_class->get_property = va_vad_get_property;
  object_class->finalize = va_vad_finalize;

  properties[PROP_THRESHOLD] = g_param_spec_double (
      "threshold", "Threshold",
      "Mean level above the noise estimate (dB) that makes a 10 ms frame speech", 0.5, 30.0,
      VA_VAD_DEFAULT_THRESHOLD_DB,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MIN_LEVEL] = g_param_spec_double (
      "min-level", "Minimum level", "Frames quieter than this (dBFS) are never speech", -120.0, 0.0,
      VA_VAD_DEFAULT_MIN_LEVEL_DB,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ONSET]
      = g_param_spec_double ("onset", "Onset", "Seconds of speech needed to open a segment", 0.01,
                             1.0, VA_VAD_DEFAULT_ONSET_MS / 1000.0,
                             G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_HANGOVER] = g_param_spec_double (
      "hangover", "Hangover",
      "Seconds without speech that close a segment (shorter pauses stay inside it)", 0.01, 5.0,
      VA_VAD_DEFAULT_HANGOVER_MS / 1000.0,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MIN_SEGMENT_LENGTH] = g_param_spec_double (
      "min-segment-length", "Minimum segment length", "Shorter segments are dropped (seconds)", 0.0,
      10.0, VA_VAD_DEFAULT_MIN_SEGMENT_MS / 1000.0,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MAX_SEGMENT_LENGTH]
      = g_param_spec_double ("max-segment-length", "Maximum segment length",
                             "Longer segments are cut into pieces of this length (seconds)", 1.0,
                             MAX_SEGMENT_LENGTH_LIMIT, VA_VAD_DEFAULT_MAX_SEGMENT_MS / 1000.0,
                             G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_POST_MESSAGES] = g_param_spec_boolean (
      "post-messages", "Post messages", "Post an element message per voice segment", FALSE,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PROCESSING_TIME] = va_processing_time_param_spec ();
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gst_element_class_set_static_metadata (
      element_class, "Voice activity detector", "Filter/Analyzer/Audio",
      "Finds speech in 16 kHz mono audio from per-band levels over an adaptive noise estimate, "
      "with onset and hangover smoothing, and attaches each segment as VaVoiceSegmentMeta",
      "VideoAnnotator developers");
  gst_audio_filter_class_add_pad_templates (filter_class, caps);

  trans_class->start = GST_DEBUG_FUNCPTR (va_vad_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (va_vad_stop);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (va_vad_timed_transform_ip);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (va_vad_sink_event);
  trans_class->passthrough_on_same_caps = FALSE;
  trans_class->transform_ip_on_passthrough = FALSE;
  filter_class->setup = GST_DEBUG_FUNCPTR (va_vad_setup);
}

static void
va_vad_init (VaVad *self)
{
  self->threshold = VA_VAD_DEFAULT_THRESHOLD_DB;
  self->min_level = VA_VAD_DEFAULT_MIN_LEVEL_DB;
  self->onset = VA_VAD_DEFAULT_ONSET_MS / 1000.0;
  self->hangover = VA_VAD_DEFAULT_HANGOVER_MS / 1000.0;
  self->min_segment_length = VA_VAD_DEFAULT_MIN_SEGMENT_MS / 1000.0;
  self->max_segment_length = VA_VAD_DEFAULT_MAX_SEGMENT_MS / 1000.0;
  self->segments = g_array_new (FALSE, FALSE, sizeof (VaVadSegment));
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
}
