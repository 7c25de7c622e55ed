/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-vadiarize
 * @title: vadiarize
 *
 * Speaker diarization: who spoke when. The stream is cut into voice
 * segments (those of an upstream `vavad` when the stream carries
 * #VaVoiceSegmentMeta, otherwise the element's own detector with `vavad`'s
 * defaults). Each segment is split into windows of about
 * #VaDiarize:window seconds, and each window is described by 16 mel
 * cepstral coefficients (c1–c16 from 24 bands between 100 Hz and 4 kHz, so
 * narrow-band and wide-band recordings look alike) of its louder frames.
 * Windows are clustered with a full-covariance Gaussian per cluster and the
 * Bayesian information criterion: neighbouring windows of one segment
 * first, then globally, merging while the BIC (with the model-size term
 * weighted by #VaDiarize:penalty) prefers one speaker. The clusters are
 * then refined on the frames (va-speaker-refiner.c): Viterbi
 * resegmentation with one Gaussian mixture per speaker adapted from a
 * background model of the recording, merging by cross likelihood ratio
 * above #VaDiarize:threshold, and a last resegmentation, so that a speaker
 * who comes back keeps one id. The number of speakers is found
 * automatically, within #VaDiarize:min-speakers and
 * #VaDiarize:max-speakers, or set by #VaDiarize:num-speakers. Overlapping
 * speech and turns under 0.5 s inside a voice segment are not reported.
 *
 * Speakers are only known once the whole stream has been heard: at EOS the
 * element pushes one empty buffer carrying a #VaSpeakerTurnMeta per turn
 * (consecutive frames of a segment with the same speaker), speakers
 * numbered in order of first appearance (`SPEAKER_00`, `SPEAKER_01`, ...).
 *
 * With #VaDiarize:post-messages, it also posts an element message named
 * `vadiarize` per turn, at EOS, with the fields:
 *
 * * `start` (#GstClockTime): stream time where the turn starts
 * * `end` (#GstClockTime): stream time where it ends
 * * `speaker` (#gchararray): the speaker label, e.g. `SPEAKER_00`
 *
 * ## Example
 * |[
 * gst-launch-1.0 filesrc location=dialogue.wav ! decodebin ! audioconvert ! audioresample !
 *     audio/x-raw,rate=16000,channels=1 ! vavad ! vadiarize post-messages=true ! fakesink -m
 * ]|
 */
#include "va-diarize.h"

#include <math.h>

#include "va-mel-analyzer.h"
#include "va-speaker-clusterer.h"
#include "va-speaker-turn-meta.h"
#include "va-annotation-output.h"
#include "va-processing-time.h"
#include "va-utterance-collector.h"
#include "va-voice-segment-meta.h"

GST_DEBUG_CATEGORY_STATIC (va_diarize_debug);
#define GST_CAT_DEFAULT va_diarize_debug

#define N_BANDS 24
#define BAND_FMIN 100.0
#define BAND_FMAX 4000.0
#define N_CEPS 16 /* c1..c16; c0 (loudness) says little about the voice */
#define FRAME_MS 25
#define HOP_MS 10
/* Frames more than this far below the loudest frame of their segment are
 * pauses or breath; they describe the room, not the voice. */
#define FRAME_RANGE_DB 30.0

#define DEFAULT_MIN_SPEAKERS 1
#define DEFAULT_MAX_SPEAKERS 10
#define DEFAULT_PENALTY 1.5
#define DEFAULT_WINDOW 1.5
#define DEFAULT_NUM_SPEAKERS 0

/* A voice segment and where its frames are among the clusterer's. */
typedef struct {
  GstClockTime start;
  GstClockTime end;
  guint first_frame;
  guint n_frames;
} Segment;

struct _VaDiarize {
  GstAudioFilter parent;

  /* properties, under the object lock */
  guint min_speakers;
  guint max_speakers;
  gdouble penalty;
  gdouble window;
  guint num_speakers;
  VaSpeakerRefineParams refine;
  gboolean post_messages;

  /* streaming thread only */
  VaUtteranceCollector *collector;
  gboolean upstream_segments;
  gboolean announced;
  VaProcessingTime processing; /* the "processing-time" property */
  GPtrArray *ready;
  VaMelAnalyzer *analyzer;
  VaSpeakerClusterer *clusterer;
  GArray *segments; /* Segment */
};

enum {
  PROP_0,
  PROP_MIN_SPEAKERS,
  PROP_MAX_SPEAKERS,
  PROP_PENALTY,
  PROP_WINDOW,
  PROP_NUM_SPEAKERS,
  PROP_THRESHOLD,
  PROP_POST_MESSAGES,
  PROP_PROCESSING_TIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define VA_AUDIO_CAPS "audio/x-raw, format=S16LE, rate=16000, channels=1, layout=interleaved"

G_DEFINE_TYPE_WITH_CODE (VaDiarize, va_diarize, GST_TYPE_AUDIO_FILTER,
                         GST_DEBUG_CATEGORY_INIT (va_diarize_debug, "vadiarize", 0,
                                                  "speaker diarization"));
GST_ELEMENT_REGISTER_DEFINE (vadiarize, "vadiarize", GST_RANK_NONE, VA_TYPE_DIARIZE);

static void
va_diarize_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VaDiarize *self = VA_DIARIZE (object);
  gboolean changed = FALSE;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
  case PROP_MIN_SPEAKERS:
    changed = self->min_speakers != g_value_get_uint (value);
    self->min_speakers = g_value_get_uint (value);
    break;
  case PROP_MAX_SPEAKERS:
    changed = self->max_speakers != g_value_get_uint (value);
    self->max_speakers = g_value_get_uint (value);
    break;
  case PROP_PENALTY:
    changed = self->penalty != g_value_get_double (value);
    self->penalty = g_value_get_double (value);
    break;
  case PROP_WINDOW:
    changed = self->window != g_value_get_double (value);
    self->window = g_value_get_double (value);
    break;
  case PROP_NUM_SPEAKERS:
    changed = self->num_speakers != g_value_get_uint (value);
    self->num_speakers = g_value_get_uint (value);
    break;
  case PROP_THRESHOLD:
    changed = self->refine.clr_threshold != g_value_get_double (value);
    self->refine.clr_threshold = g_value_get_double (value);
    break;
  case PROP_POST_MESSAGES:
    changed = self->post_messages != g_value_get_boolean (value);
    self->post_messages = g_value_get_boolean (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK (self);

  if (changed)
    g_object_notify_by_pspec (object, pspec);
}

static void
va_diarize_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VaDiarize *self = VA_DIARIZE (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
  case PROP_MIN_SPEAKERS:
    g_value_set_uint (value, self->min_speakers);
    break;
  case PROP_MAX_SPEAKERS:
    g_value_set_uint (value, self->max_speakers);
    break;
  case PROP_PENALTY:
    g_value_set_double (value, self->penalty);
    break;
  case PROP_WINDOW:
    g_value_set_double (value, self->window);
    break;
  case PROP_NUM_SPEAKERS:
    g_value_set_uint (value, self->num_speakers);
    break;
  case PROP_THRESHOLD:
    g_value_set_double (value, self->refine.clr_threshold);
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
reset_stream (VaDiarize *self)
{
  gdouble penalty;

  GST_OBJECT_LOCK (self);
  penalty = self->penalty;
  GST_OBJECT_UNLOCK (self);

  g_clear_pointer (&self->clusterer, va_speaker_clusterer_free);
  self->clusterer = va_speaker_clusterer_new (N_CEPS, penalty);
  g_array_set_size (self->segments, 0);
}

static gboolean
va_diarize_start (GstBaseTransform *trans)
{
  VaDiarize *self = VA_DIARIZE (trans);

  self->upstream_segments = FALSE;
  self->announced = FALSE;
  va_processing_time_reset (&self->processing, GST_OBJECT (self));
  reset_stream (self);
  return TRUE;
}

static gboolean
va_diarize_stop (GstBaseTransform *trans)
{
  VaDiarize *self = VA_DIARIZE (trans);

  g_clear_pointer (&self->collector, va_utterance_collector_free);
  g_clear_pointer (&self->analyzer, va_mel_analyzer_free);
  g_clear_pointer (&self->clusterer, va_speaker_clusterer_free);
  g_ptr_array_set_size (self->ready, 0);
  g_array_set_size (self->segments, 0);
  return TRUE;
}

/* Cepstra of every frame of one utterance, the louder ones marked as the
 * voice; the clusterer cuts it into windows. */
static void
analyse_utterance (VaDiarize *self, const VaUtterance *utt)
{
  guint rate = GST_AUDIO_FILTER_RATE (self);
  guint frame_len = rate * FRAME_MS / 1000, hop = rate * HOP_MS / 1000;
  guint64 offset = gst_util_uint64_scale_round (utt->start - utt->audio_start, rate, GST_SECOND);
  guint64 length = gst_util_uint64_scale_round (utt->end - utt->start, rate, GST_SECOND);
  guint n_frames;
  g_autofree gdouble *ceps = NULL;
  g_autofree gdouble *level = NULL;
  g_autofree gboolean *loud = NULL;
  gdouble bands[N_BANDS], loudest = -G_MAXDOUBLE, window_s;
  Segment seg;

  GST_OBJECT_LOCK (self);
  window_s = self->window;
  GST_OBJECT_UNLOCK (self);

  if (offset >= utt->n_samples)
    return;
  length = MIN (length, utt->n_samples - offset);
  if (length < frame_len)
    return;
  n_frames = (length - frame_len) / hop + 1;

  ceps = g_new (gdouble, (gsize)n_frames * N_CEPS);
  level = g_new (gdouble, n_frames);
  loud = g_new (gboolean, n_frames);
  for (guint f = 0; f < n_frames; f++) {
    gdouble power;

    va_mel_analyzer_process (self->analyzer, utt->samples + offset + (gsize)f * hop, bands, &power);
    level[f] = 10.0 * log10 (power);
    loudest = MAX (loudest, level[f]);
    /* c0 is skipped: compute c0..c16 and keep c1..c16. */
    {
      gdouble all[N_CEPS + 1];

      va_mel_analyzer_cepstrum (self->analyzer, bands, all, N_CEPS + 1);
      memcpy (ceps + (gsize)f * N_CEPS, all + 1, N_CEPS * sizeof (gdouble));
    }
  }
  for (guint f = 0; f < n_frames; f++)
    loud[f] = level[f] >= loudest - FRAME_RANGE_DB;

  seg.start = utt->start;
  seg.end = utt->end;
  seg.first_frame = va_speaker_clusterer_get_n_frames (self->clusterer);
  seg.n_frames = n_frames;
  va_speaker_clusterer_add_segment (self->clusterer, ceps, loud, n_frames,
                                    MAX (1u, (guint)(window_s * 1000.0 / HOP_MS + 0.5)));
  g_array_append_val (self->segments, seg);
}

static void
analyse_ready (VaDiarize *self)
{
  for (guint i = 0; i < self->ready->len; i++)
    analyse_utterance (self, g_ptr_array_index (self->ready, i));
  g_ptr_array_set_size (self->ready, 0);
}

static void
ensure_collector (VaDiarize *self)
{
  VaVadParams params;
  guint rate = GST_AUDIO_FILTER_RATE (self);

  if (self->collector != NULL)
    return;
  va_vad_params_init (&params);
  self->collector = va_utterance_collector_new (rate, 0, self->upstream_segments ? NULL : &params);
  self->analyzer
      = va_mel_analyzer_new (rate, rate * FRAME_MS / 1000, N_BANDS, BAND_FMIN, BAND_FMAX);
  GST_INFO_OBJECT (self, "segments from %s",
                   self->upstream_segments ? "upstream voice activity" : "own detector");
}

static GstFlowReturn
va_diarize_transform_ip (GstBaseTransform *trans, GstBuffer *buf)
{
  VaDiarize *self = VA_DIARIZE (trans);
  ensure_collector (self);

  if (G_UNLIKELY (!self->announced)) {
    gst_pad_push_event (GST_BASE_TRANSFORM_SRC_PAD (trans),
                        va_annotation_output_new_announce_event ("speaker_diarization"));
    self->announced = TRUE;
  }

  if (!va_utterance_collector_push_buffer (self->collector, buf, self->upstream_segments,
                                           self->ready)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not read an audio buffer."), (NULL));
    return GST_FLOW_ERROR;
  }

  analyse_ready (self);
  return GST_FLOW_OK;
}

/* Where a run of frames starting at @frame begins, in stream time. */
static GstClockTime
frame_time (VaDiarize *self, const Segment *seg, guint frame)
{
  guint rate = GST_AUDIO_FILTER_RATE (self);
  /* a frame stands for the middle of its analysis window */
  guint64 centre = (guint64)frame * (rate * HOP_MS / 1000) + rate * FRAME_MS / 2000;

  if (frame == 0)
    return seg->start;
  if (frame >= seg->n_frames)
    return seg->end;
  return MIN (seg->start + gst_util_uint64_scale (centre, GST_SECOND, rate), seg->end);
}

/* Clusters everything heard and returns a buffer with one meta per turn. */
static GstBuffer *
finish_stream (VaDiarize *self)
{
  guint n = va_speaker_clusterer_get_n_frames (self->clusterer);
  g_autofree guint *labels = NULL;
  g_autoptr (GstBuffer) tail = NULL;
  g_autoptr (GPtrArray) messages
      = g_ptr_array_new_with_free_func ((GDestroyNotify)gst_message_unref);
  guint min_speakers, max_speakers, n_speakers;
  VaSpeakerRefineParams refine;
  gboolean post;

  if (n == 0)
    return NULL;

  GST_OBJECT_LOCK (self);
  min_speakers = self->num_speakers > 0 ? self->num_speakers : self->min_speakers;
  max_speakers
      = self->num_speakers > 0 ? self->num_speakers : MAX (self->max_speakers, self->min_speakers);
  refine = self->refine;
  post = self->post_messages;
  GST_OBJECT_UNLOCK (self);

  labels = g_new (guint, n);
  n_speakers
      = va_speaker_clusterer_run (self->clusterer, min_speakers, max_speakers, &refine, labels);
  GST_INFO_OBJECT (self, "%u speakers in %u frames of %u segments", n_speakers, n,
                   self->segments->len);

  tail = gst_buffer_new ();
  for (guint s = 0; s < self->segments->len; s++) {
    const Segment *seg = &g_array_index (self->segments, Segment, s);
    const guint *l = labels + seg->first_frame;

    for (guint i = 0; i < seg->n_frames;) {
      guint j = i + 1;
      GstClockTime start = frame_time (self, seg, i), end;

      while (j < seg->n_frames && l[j] == l[i])
        j++;
      end = frame_time (self, seg, j);
      va_buffer_add_speaker_turn_meta (tail, start, end, l[i]);
      if (post) {
        g_autofree gchar *label = va_speaker_turn_meta_format_label (l[i]);
        GstStructure *st
            = gst_structure_new ("vadiarize", "start", G_TYPE_UINT64, start, "end", G_TYPE_UINT64,
                                 end, "speaker", G_TYPE_STRING, label, NULL);

        g_ptr_array_add (messages, gst_message_new_element (GST_OBJECT (self), st));
      }
      i = j;
    }
  }

  for (guint i = 0; i < messages->len; i++)
    gst_element_post_message (GST_ELEMENT (self),
                              gst_message_ref (g_ptr_array_index (messages, i)));
  return g_steal_pointer (&tail);
}

static gboolean
va_diarize_sink_event (GstBaseTransform *trans, GstEvent *event)
{
  VaDiarize *self = VA_DIARIZE (trans);

  if (va_event_is_voice_activity (event)) {
    self->upstream_segments = TRUE;
  } else if (GST_EVENT_TYPE (event) == GST_EVENT_STREAM_START) {
    /* A new stream-start may drop stream-scoped sticky events downstream. */
    self->announced = FALSE;
  } else if (GST_EVENT_TYPE (event) == GST_EVENT_EOS && self->collector != NULL) {
    GstClockTime begin = va_processing_time_begin ();
    GstBuffer *tail;

    va_utterance_collector_flush (self->collector, self->ready);
    analyse_ready (self);
    tail = finish_stream (self);
    reset_stream (self);
    /* what the push runs downstream is not this element's time */
    va_processing_time_end (&self->processing, GST_OBJECT (self), begin);
    if (tail != NULL) {
      gst_pad_push (GST_BASE_TRANSFORM_SRC_PAD (trans), tail);
    }
  } else if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP && self->collector != NULL) {
    va_utterance_collector_flush (self->collector, self->ready);
    g_ptr_array_set_size (self->ready, 0);
    reset_stream (self);
  }

  return GST_BASE_TRANSFORM_CLASS (va_diarize_parent_class)->sink_event (trans, event);
}

static void
va_diarize_finalize (GObject *object)
{
  VaDiarize *self = VA_DIARIZE (object);

  g_clear_pointer (&self->collector, va_utterance_collector_free);
  g_clear_pointer (&self->analyzer, va_mel_analyzer_free);
  g_clear_pointer (&self->clusterer, va_speaker_clusterer_free);
  g_ptr_array_unref (self->ready);
  g_array_unref (self->segments);
  G_OBJECT_CLASS (va_diarize_parent_class)->finalize (object);
}

/* The analysis of one buffer, timed for "processing-time". */
static GstFlowReturn
va_diarize_timed_transform_ip (GstBaseTransform *trans, GstBuffer *buf)
{
  VaDiarize *self = VA_DIARIZE (trans);
  GstClockTime begin = va_processing_time_begin ();
  GstFlowReturn ret = va_diarize_transform_ip (trans, buf);

  va_processing_time_end (&self->processing, GST_OBJECT (self), begin);
  return ret;
}

static void
va_diarize_class_init (VaDiarizeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstAudioFilterClass *filter_class = GST_AUDIO_FILTER_CLASS (klass);
  g_autoptr (GstCaps) caps = gst_caps_from_string (VA_AUDIO_CAPS);

  object_class->set_property = va_diarize_set_property;
  object_class->get_property = va_diarize_get_property;
  object_class->finalize = va_diarize_finalize;

  properties[PROP_MIN_SPEAKERS] = g_param_spec_uint (
      "min-speakers", "Minimum speakers", "Fewest speakers to report (when there is speech)", 1,
      100, DEFAULT_MIN_SPEAKERS,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MAX_SPEAKERS] = g_param_spec_uint (
      "max-speakers", "Maximum speakers",
      "Most speakers to report (raised to min-speakers when lower)", 1, 100, DEFAULT_MAX_SPEAKERS,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PENALTY] = g_param_spec_double (
      "penalty", "BIC penalty",
      "Weight of the model-size term of the BIC: higher merges more (fewer speakers)", 0.0, 10.0,
      DEFAULT_PENALTY, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_WINDOW] = g_param_spec_double (
      "window", "Window",
      "Voice segments are split into windows of about this many seconds, the shortest turn "
      "that can be told apart",
      0.5, 10.0, DEFAULT_WINDOW,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_NUM_SPEAKERS] = g_param_spec_uint (
      "num-speakers", "Number of speakers",
      "Exactly this many speakers when known (0: find the number between min-speakers and "
      "max-speakers)",
      0, 100, DEFAULT_NUM_SPEAKERS,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_THRESHOLD] = g_param_spec_double (
      "threshold", "Merge threshold",
      "Speakers whose models explain each other's speech better than the recording's "
      "background model by more than this (log-likelihood per frame) are merged: lower gives "
      "fewer speakers",
      -10.0, 10.0, VA_SPEAKER_REFINE_DEFAULT_THRESHOLD,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_POST_MESSAGES] = g_param_spec_boolean (
      "post-messages", "Post messages", "Post an element message per speaker turn at EOS", FALSE,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PROCESSING_TIME] = va_processing_time_param_spec ();
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gst_element_class_set_static_metadata (
      element_class, "Speaker diarizer", "Filter/Analyzer/Audio",
      "Finds who spoke when: clusters mel cepstra of voice segments with the BIC, refines the "
      "speakers by GMM resegmentation and cross likelihood ratio, counts them itself and "
      "attaches the turns as VaSpeakerTurnMeta at end of stream",
      "VideoAnnotator developers");
  gst_audio_filter_class_add_pad_templates (filter_class, caps);

  trans_class->start = GST_DEBUG_FUNCPTR (va_diarize_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (va_diarize_stop);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (va_diarize_timed_transform_ip);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (va_diarize_sink_event);
  trans_class->passthrough_on_same_caps = FALSE;
  trans_class->transform_ip_on_passthrough = FALSE;
}

static void
va_diarize_init (VaDiarize *self)
{
  self->min_speakers = DEFAULT_MIN_SPEAKERS;
  self->max_speakers = DEFAULT_MAX_SPEAKERS;
  self->penalty = DEFAULT_PENALTY;
  self->window = DEFAULT_WINDOW;
  self->num_speakers = DEFAULT_NUM_SPEAKERS;
  va_speaker_refine_params_init (&self->refine);
  self->ready = g_ptr_array_new_with_free_func ((GDestroyNotify)va_utterance_free);
  self->segments = g_array_new (FALSE, FALSE, sizeof (Segment));
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
}
