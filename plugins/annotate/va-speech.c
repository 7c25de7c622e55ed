/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * SECTION:element-vaspeech
 * @title: vaspeech
 *
 * Speech recognition with pocketsphinx (the Debian `pocketsphinx-en-us`
 * models by default). The stream is cut into utterances at the voice
 * segments of an upstream `vavad` (#VaVoiceSegmentMeta) when the stream
 * carries them, otherwise by the element's own detector with `vavad`'s
 * default settings. Each utterance is decoded as a whole, and the words with
 * their times (from the decoder's word segmentation, 10 ms frames) are
 * attached as #VaTranscriptMeta to the buffer on which the utterance ended;
 * utterances without any word get no meta. The last utterance of the stream
 * travels on the empty buffer that `vavad` (or, without it, this element)
 * pushes before EOS.
 *
 * The models are loaded when the element goes to PAUSED; a missing model
 * file fails that state change with a RESOURCE/NOT_FOUND error naming the
 * path.
 *
 * With #VaSpeech:post-messages, it posts an element message named
 * `vaspeech` per utterance with the fields:
 *
 * * `start` (#GstClockTime): stream time where the utterance starts
 * * `end` (#GstClockTime): stream time where it ends
 * * `text` (#gchararray): the recognized words joined by spaces
 *
 * Decoding runs in the streaming thread at about real time on one core; put
 * a `queue` before the element when other analysers share the pipeline.
 *
 * ## Example
 * |[
 * gst-launch-1.0 filesrc location=talk.wav ! decodebin ! audioconvert ! audioresample !
 *     audio/x-raw,rate=16000,channels=1 ! vavad ! vaspeech post-messages=true ! fakesink -m
 * ]|
 */
#include "va-speech.h"

#include "va-speech-decoder.h"
#include "va-transcript-meta.h"
#include "va-annotation-output.h"
#include "va-processing-time.h"
#include "va-utterance-collector.h"
#include "va-voice-segment-meta.h"

GST_DEBUG_CATEGORY_STATIC (va_speech_debug);
#define GST_CAT_DEFAULT va_speech_debug

/* Audio kept around each voice segment: the recognizer needs a little
 * silence to settle before the first word and after the last. */
#define UTTERANCE_PAD_MS 200

struct _VaSpeech {
  GstAudioFilter parent;

  /* properties, under the object lock */
  gchar *hmm;
  gchar *lm;
  gchar *dict;
  gboolean post_messages;

  /* streaming thread only (created in start, freed in stop) */
  VaSpeechDecoder *decoder;
  VaUtteranceCollector *collector;
  gboolean upstream_segments;
  gboolean announced;
  VaProcessingTime processing; /* the "processing-time" property */
  GPtrArray *ready;
};

enum { PROP_0, PROP_HMM, PROP_LM, PROP_DICT, PROP_POST_MESSAGES, PROP_PROCESSING_TIME, N_PROPS };

static GParamSpec *properties[N_PROPS];

#define VA_AUDIO_CAPS "audio/x-raw, format=S16LE, rate=16000, channels=1, layout=interleaved"

G_DEFINE_TYPE_WITH_CODE (VaSpeech, va_speech, GST_TYPE_AUDIO_FILTER,
                         GST_DEBUG_CATEGORY_INIT (va_speech_debug, "vaspeech", 0,
                                                  "speech recognition"));
GST_ELEMENT_REGISTER_DEFINE (vaspeech, "vaspeech", GST_RANK_NONE, VA_TYPE_SPEECH);

static void
set_string (VaSpeech *self, gchar **field, const GValue *value, GParamSpec *pspec)
{
  const gchar *v = g_value_get_string (value);
  gboolean changed;

  GST_OBJECT_LOCK (self);
  changed = g_strcmp0 (*field, v) != 0;
  if (changed) {
    g_free (*field);
    *field = g_strdup (v);
  }
  GST_OBJECT_UNLOCK (self);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
va_speech_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VaSpeech *self = VA_SPEECH (object);

  switch (prop_id) {
  case PROP_HMM:
    set_string (self, &self->hmm, value, pspec);
    break;
  case PROP_LM:
    set_string (self, &self->lm, value, pspec);
    break;
  case PROP_DICT:
    set_string (self, &self->dict, value, pspec);
    break;
  case PROP_POST_MESSAGES: {
    gboolean v = g_value_get_boolean (value), changed;

    GST_OBJECT_LOCK (self);
    changed = self->post_messages != v;
    self->post_messages = v;
    GST_OBJECT_UNLOCK (self);
    if (changed)
      g_object_notify_by_pspec (object, pspec);
    break;
  }
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    break;
  }
}

static void
va_speech_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VaSpeech *self = VA_SPEECH (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
  case PROP_HMM:
    g_value_set_string (value, self->hmm);
    break;
  case PROP_LM:
    g_value_set_string (value, self->lm);
    break;
  case PROP_DICT:
    g_value_set_string (value, self->dict);
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

static gboolean
va_speech_start (GstBaseTransform *trans)
{
  VaSpeech *self = VA_SPEECH (trans);
  g_autofree gchar *hmm = NULL, *lm = NULL, *dict = NULL;
  g_autoptr (GError) error = NULL;

  GST_OBJECT_LOCK (self);
  hmm = g_strdup (self->hmm);
  lm = g_strdup (self->lm);
  dict = g_strdup (self->dict);
  GST_OBJECT_UNLOCK (self);

  self->decoder = va_speech_decoder_new (hmm, lm, dict, &error);
  if (self->decoder == NULL) {
    if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("%s", error->message),
                         ("hmm=%s lm=%s dict=%s", hmm, lm, dict));
    else
      GST_ELEMENT_ERROR (self, LIBRARY, INIT, ("%s", error->message), (NULL));
    return FALSE;
  }
  self->upstream_segments = FALSE;
  self->announced = FALSE;
  va_processing_time_reset (&self->processing, GST_OBJECT (self));
  return TRUE;
}

static gboolean
va_speech_stop (GstBaseTransform *trans)
{
  VaSpeech *self = VA_SPEECH (trans);

  g_clear_pointer (&self->decoder, va_speech_decoder_free);
  g_clear_pointer (&self->collector, va_utterance_collector_free);
  g_ptr_array_set_size (self->ready, 0);
  return TRUE;
}

/* Decodes the utterances in self->ready and attaches their transcripts. */
static GstFlowReturn
decode_ready (VaSpeech *self, GstBuffer *buf)
{
  gboolean post;

  GST_OBJECT_LOCK (self);
  post = self->post_messages;
  GST_OBJECT_UNLOCK (self);

  for (guint i = 0; i < self->ready->len; i++) {
    VaUtterance *utt = g_ptr_array_index (self->ready, i);
    g_autoptr (GError) error = NULL;
    g_autoptr (GArray) words = NULL;
    VaTranscriptMeta *meta;

    words = va_speech_decoder_decode (self->decoder, utt->samples, utt->n_samples, utt->audio_start,
                                      &error);
    if (words == NULL) {
      g_ptr_array_set_size (self->ready, 0);
      GST_ELEMENT_ERROR (self, LIBRARY, FAILED, ("%s", error->message), (NULL));
      return GST_FLOW_ERROR;
    }
    if (words->len == 0) {
      GST_DEBUG_OBJECT (self, "nothing recognized in %" GST_TIME_FORMAT " - %" GST_TIME_FORMAT,
                        GST_TIME_ARGS (utt->start), GST_TIME_ARGS (utt->end));
      continue;
    }

    meta = va_buffer_add_transcript_meta (buf, utt->start, utt->end, words);
    GST_DEBUG_OBJECT (self, "%" GST_TIME_FORMAT " - %" GST_TIME_FORMAT ": %s",
                      GST_TIME_ARGS (utt->start), GST_TIME_ARGS (utt->end), meta->text);
    if (post) {
      GstStructure *s
          = gst_structure_new ("vaspeech", "start", G_TYPE_UINT64, utt->start, "end", G_TYPE_UINT64,
                               utt->end, "text", G_TYPE_STRING, meta->text, NULL);

      gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
    }
  }
  g_ptr_array_set_size (self->ready, 0);
  return GST_FLOW_OK;
}

static void
ensure_collector (VaSpeech *self)
{
  VaVadParams params;

  if (self->collector != NULL)
    return;
  va_vad_params_init (&params);
  self->collector = va_utterance_collector_new (GST_AUDIO_FILTER_RATE (self), UTTERANCE_PAD_MS,
                                                self->upstream_segments ? NULL : &params);
  GST_INFO_OBJECT (self, "utterances from %s",
                   self->upstream_segments ? "upstream voice segments" : "own detector");
}

static GstFlowReturn
va_speech_transform_ip (GstBaseTransform *trans, GstBuffer *buf)
{
  VaSpeech *self = VA_SPEECH (trans);
  ensure_collector (self);

  if (G_UNLIKELY (!self->announced)) {
    gst_pad_push_event (GST_BASE_TRANSFORM_SRC_PAD (trans),
                        va_annotation_output_new_announce_event ("speech_recognition"));
    self->announced = TRUE;
  }

  if (!va_utterance_collector_push_buffer (self->collector, buf, self->upstream_segments,
                                           self->ready)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not read an audio buffer."), (NULL));
    return GST_FLOW_ERROR;
  }

  return decode_ready (self, buf);
}

static gboolean
va_speech_sink_event (GstBaseTransform *trans, GstEvent *event)
{
  VaSpeech *self = VA_SPEECH (trans);

  if (va_event_is_voice_activity (event)) {
    self->upstream_segments = TRUE;
  } else if (GST_EVENT_TYPE (event) == GST_EVENT_STREAM_START) {
    /* A new stream-start may drop stream-scoped sticky events downstream. */
    self->announced = FALSE;
  } else if (GST_EVENT_TYPE (event) == GST_EVENT_EOS && self->collector != NULL) {
    GstClockTime begin = va_processing_time_begin ();
    g_autoptr (GstBuffer) tail = NULL;

    va_utterance_collector_flush (self->collector, self->ready);
    if (self->ready->len > 0) {
      tail = gst_buffer_new ();
      if (decode_ready (self, tail) != GST_FLOW_OK
          || gst_buffer_get_n_meta (tail, VA_TRANSCRIPT_META_API_TYPE) == 0)
        g_clear_pointer (&tail, gst_buffer_unref);
    }
    /* what the push runs downstream is not this element's time */
    va_processing_time_end (&self->processing, GST_OBJECT (self), begin);
    if (tail != NULL)
      gst_pad_push (GST_BASE_TRANSFORM_SRC_PAD (trans), g_steal_pointer (&tail));
  } else if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP && self->collector != NULL) {
    g_ptr_array_set_size (self->ready, 0);
    va_utterance_collector_flush (self->collector, self->ready);
    g_ptr_array_set_size (self->ready, 0);
  }

  return GST_BASE_TRANSFORM_CLASS (va_speech_parent_class)->sink_event (trans, event);
}

static void
va_speech_finalize (GObject *object)
{
  VaSpeech *self = VA_SPEECH (object);

  g_free (self->hmm);
  g_free (self->lm);
  g_free (self->dict);
  g_clear_pointer (&self->decoder, va_speech_decoder_free);
  g_clear_pointer (&self->collector, va_utterance_collector_free);
  g_ptr_array_unref (self->ready);
  G_OBJECT_CLASS (va_speech_parent_class)->finalize (object);
}

/* The analysis of one buffer, timed for "processing-time". */
static GstFlowReturn
va_speech_timed_transform_ip (GstBaseTransform *trans, GstBuffer *buf)
{
  VaSpeech *self = VA_SPEECH (trans);
  GstClockTime begin = va_processing_time_begin ();
  GstFlowReturn ret = va_speech_transform_ip (trans, buf);

  va_processing_time_end (&self->processing, GST_OBJECT (self), begin);
  return ret;
}

static void
va_speech_class_init (VaSpeechClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstAudioFilterClass *filter_class = GST_AUDIO_FILTER_CLASS (klass);
  g_autoptr (GstCaps) caps = gst_caps_from_string (VA_AUDIO_CAPS);

  object_class->set_property = va_speech_set_property;
  object_class->get_property = va_speech_get_property;
  object_class->finalize = va_speech_finalize;

  properties[PROP_HMM]
      = g_param_spec_string ("hmm", "Acoustic model",
                             "Directory of the pocketsphinx acoustic model", VA_SPEECH_DEFAULT_HMM,
                             G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY
                                 | GST_PARAM_MUTABLE_READY);
  properties[PROP_LM] = g_param_spec_string (
      "lm", "Language model", "N-gram language model file (ARPA or binary)", VA_SPEECH_DEFAULT_LM,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY
          | GST_PARAM_MUTABLE_READY);
  properties[PROP_DICT] = g_param_spec_string (
      "dict", "Dictionary", "Pronunciation dictionary file", VA_SPEECH_DEFAULT_DICT,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY
          | GST_PARAM_MUTABLE_READY);
  properties[PROP_POST_MESSAGES] = g_param_spec_boolean (
      "post-messages", "Post messages", "Post an element message per recognized utterance", FALSE,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PROCESSING_TIME] = va_processing_time_param_spec ();
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gst_element_class_set_static_metadata (
      element_class, "Speech recognizer", "Filter/Analyzer/Audio",
      "Transcribes speech with pocketsphinx, one utterance per voice segment (from vavad or its "
      "own detector), and attaches the words with their times as VaTranscriptMeta",
      "VideoAnnotator developers");
  gst_audio_filter_class_add_pad_templates (filter_class, caps);

  trans_class->start = GST_DEBUG_FUNCPTR (va_speech_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (va_speech_stop);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (va_speech_timed_transform_ip);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (va_speech_sink_event);
  trans_class->passthrough_on_same_caps = FALSE;
  trans_class->transform_ip_on_passthrough = FALSE;
}

static void
va_speech_init (VaSpeech *self)
{
  self->hmm = g_strdup (VA_SPEECH_DEFAULT_HMM);
  self->lm = g_strdup (VA_SPEECH_DEFAULT_LM);
  self->dict = g_strdup (VA_SPEECH_DEFAULT_DICT);
  self->ready = g_ptr_array_new_with_free_func ((GDestroyNotify)va_utterance_free);
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
}
