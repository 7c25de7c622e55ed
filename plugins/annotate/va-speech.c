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
 * Utterances are decoded on up to #VaSpeech:threads worker threads, each
 * with its own decoder (loaded when first needed, about 110 MB each). The
 * buffers wait in the element until the utterances that end on them are
 * decoded, so the output — which buffer carries which transcript, in what
 * order — is the same whatever the number of threads; only its timing
 * differs. With `threads=1` the streaming thread decodes each utterance
 * itself. #VaSpeech:search trades word error rate for CPU time.
 *
 * Put a `queue` before the element when other analysers share the
 * pipeline: the streaming thread still waits when more utterances are
 * pending than there are threads.
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

#define DEFAULT_SEARCH VA_SPEECH_SEARCH_FAST
/* 0: one thread per processor, at most MAX_AUTO_THREADS (each decoder
 * holds its own copy of the models) */
#define DEFAULT_THREADS 0
#define MAX_AUTO_THREADS 4
#define MAX_THREADS 16

/* One utterance to decode; @words/@error are written by the worker, then
 * @done is set under the element's lock. */
typedef struct {
  VaUtterance *utterance;
  GArray *words;
  GError *error;
  gboolean done;
} VaSpeechJob;

/* An input buffer held until the utterances that end on it are decoded.
 * @buffer is NULL for the stream's end (the transcripts of the utterances
 * the end of stream closes travel on a new empty buffer). */
typedef struct {
  GstBuffer *buffer;
  GPtrArray *jobs; /* VaSpeechJob, in time order */
} VaSpeechHeld;

struct _VaSpeech {
  GstAudioFilter parent;

  /* properties, under the object lock */
  gchar *hmm;
  gchar *lm;
  gchar *dict;
  gboolean post_messages;
  VaSpeechSearch search;
  guint threads;

  /* streaming thread only (created in start, freed in stop) */
  VaUtteranceCollector *collector;
  gboolean upstream_segments;
  gboolean announced;
  VaProcessingTime processing; /* the "processing-time" property */
  GPtrArray *ready;
  GQueue held;       /* VaSpeechHeld, in stream order */
  GThreadPool *pool; /* NULL: the streaming thread decodes */
  guint n_threads;   /* threads in use */
  gchar *model[3];   /* hmm, lm, dict as started with, for the workers */
  VaSpeechSearch model_search;

  /* under lock */
  GMutex lock;
  GCond done_cond;       /* a job finished */
  GPtrArray *idle;       /* VaSpeechDecoder not in use */
  guint n_decoders;      /* created, idle or not */
  guint n_running;       /* jobs submitted and not done */
  guint n_held;          /* entries of @held (read by the workers) */
  gboolean retry_queued; /* a push retry is in the pool */
};

enum {
  PROP_0,
  PROP_HMM,
  PROP_LM,
  PROP_DICT,
  PROP_POST_MESSAGES,
  PROP_SEARCH,
  PROP_THREADS,
  PROP_PROCESSING_TIME,
  N_PROPS
};

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
  case PROP_SEARCH: {
    VaSpeechSearch v = g_value_get_enum (value);
    gboolean changed;

    GST_OBJECT_LOCK (self);
    changed = self->search != v;
    self->search = v;
    GST_OBJECT_UNLOCK (self);
    if (changed)
      g_object_notify_by_pspec (object, pspec);
    break;
  }
  case PROP_THREADS: {
    guint v = g_value_get_uint (value);
    gboolean changed;

    GST_OBJECT_LOCK (self);
    changed = self->threads != v;
    self->threads = v;
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
  case PROP_SEARCH:
    g_value_set_enum (value, self->search);
    break;
  case PROP_THREADS:
    g_value_set_uint (value, self->threads);
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
va_speech_job_free (VaSpeechJob *job)
{
  va_utterance_free (job->utterance);
  if (job->words != NULL)
    g_array_unref (job->words);
  g_clear_error (&job->error);
  g_free (job);
}

static void
va_speech_held_free (VaSpeechHeld *held)
{
  if (held->buffer != NULL)
    gst_buffer_unref (held->buffer);
  g_ptr_array_unref (held->jobs);
  g_free (held);
}

/* A decoder for the calling thread: an idle one, or a new one (at most one
 * per thread, so a worker never waits for another's). */
static VaSpeechDecoder *
take_decoder (VaSpeech *self, GError **error)
{
  VaSpeechDecoder *decoder = NULL;

  g_mutex_lock (&self->lock);
  if (self->idle->len > 0)
    decoder = g_ptr_array_steal_index (self->idle, self->idle->len - 1);
  g_mutex_unlock (&self->lock);
  if (decoder != NULL)
    return decoder;

  decoder = va_speech_decoder_new (self->model[0], self->model[1], self->model[2],
                                   self->model_search, error);
  if (decoder != NULL) {
    guint n;

    g_mutex_lock (&self->lock);
    n = ++self->n_decoders;
    g_mutex_unlock (&self->lock);
    GST_DEBUG_OBJECT (self, "decoder %u loaded", n);
  }
  return decoder;
}

static void
give_back_decoder (VaSpeech *self, VaSpeechDecoder *decoder)
{
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->idle, decoder);
  g_mutex_unlock (&self->lock);
}

/* Decodes @job in the calling thread (a worker, or the streaming thread
 * with threads=1). Its time counts as the element's processing time. */
static void
run_job (VaSpeech *self, VaSpeechJob *job)
{
  GstClockTime begin = va_processing_time_begin ();
  VaSpeechDecoder *decoder = take_decoder (self, &job->error);
  VaUtterance *utt = job->utterance;

  if (decoder != NULL) {
    job->words = va_speech_decoder_decode (decoder, utt->samples, utt->n_samples, utt->audio_start,
                                           &job->error);
    give_back_decoder (self, decoder);
  }
  va_processing_time_end (&self->processing, GST_OBJECT (self), begin);

  g_mutex_lock (&self->lock);
  job->done = TRUE;
  self->n_running--;
  g_cond_broadcast (&self->done_cond);
  g_mutex_unlock (&self->lock);
}

static GstFlowReturn pop_held (VaSpeech *self, gboolean wait, GstBuffer **out);

/* The pool's marker for "try pushing again" (see push_decoded()). */
static char push_retry_marker;

/* Pushes the held buffers whose utterances are decoded. The streaming
 * thread does so only when input comes; when upstream waits for this
 * element's output (a preview's overlay waits for the transcript, and the
 * demuxer for the video it holds meanwhile), no more input comes, so the
 * worker that finished a job pushes them, under the sink pad's stream lock
 * to stay in order with the streaming thread.
 *
 * A worker never blocks on that lock: the streaming thread may hold it
 * while it waits for a job still queued behind this worker (at the end of
 * stream, or for the oldest held buffer), and all workers blocking would
 * deadlock. When the lock is taken, a retry marker is queued behind the
 * jobs instead (one at a time), until the lock is free or nothing is held:
 * the streaming thread may release it without having seen this job done. */
static void
push_decoded (VaSpeech *self)
{
  GstPad *sinkpad = GST_BASE_TRANSFORM_SINK_PAD (self);
  GstFlowReturn ret = GST_FLOW_OK;

  if (!GST_PAD_STREAM_TRYLOCK (sinkpad)) {
    /* under the lock, as va_speech_stop() takes the pool away under it */
    g_mutex_lock (&self->lock);
    if (self->n_held > 0 && !self->retry_queued && self->pool != NULL
        && !GST_PAD_IS_FLUSHING (sinkpad)) {
      self->retry_queued = TRUE;
      g_thread_pool_push (self->pool, &push_retry_marker, NULL);
    }
    g_mutex_unlock (&self->lock);
    return;
  }
  while (ret == GST_FLOW_OK && !GST_PAD_IS_FLUSHING (sinkpad)) {
    GstBuffer *out = NULL;

    ret = pop_held (self, FALSE, &out);
    if (ret != GST_FLOW_OK || out == NULL)
      break;
    ret = gst_pad_push (GST_BASE_TRANSFORM_SRC_PAD (self), out);
  }
  GST_PAD_STREAM_UNLOCK (sinkpad);
  if (ret != GST_FLOW_OK)
    GST_DEBUG_OBJECT (self, "pushing decoded buffers: %s", gst_flow_get_name (ret));
}

static void
worker (gpointer data, gpointer user_data)
{
  VaSpeech *self = VA_SPEECH (user_data);

  if (data == &push_retry_marker) {
    g_mutex_lock (&self->lock);
    self->retry_queued = FALSE;
    g_mutex_unlock (&self->lock);
    /* let the streaming thread finish what it holds the lock for */
    g_usleep (2 * G_TIME_SPAN_MILLISECOND);
  } else {
    run_job (self, data);
  }
  push_decoded (self);
}

static guint
threads_to_use (guint threads)
{
  if (threads != 0)
    return threads;
  return CLAMP (g_get_num_processors (), 1, MAX_AUTO_THREADS);
}

static gboolean
va_speech_start (GstBaseTransform *trans)
{
  VaSpeech *self = VA_SPEECH (trans);
  g_autoptr (GError) error = NULL;
  VaSpeechDecoder *first;
  guint threads;

  GST_OBJECT_LOCK (self);
  for (guint i = 0; i < G_N_ELEMENTS (self->model); i++)
    g_free (self->model[i]);
  self->model[0] = g_strdup (self->hmm);
  self->model[1] = g_strdup (self->lm);
  self->model[2] = g_strdup (self->dict);
  self->model_search = self->search;
  threads = self->threads;
  GST_OBJECT_UNLOCK (self);

  /* The first decoder is loaded here, so that missing models fail the
   * state change; the workers load more when they need them. */
  first = va_speech_decoder_new (self->model[0], self->model[1], self->model[2], self->model_search,
                                 &error);
  if (first == NULL) {
    if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("%s", error->message),
                         ("hmm=%s lm=%s dict=%s", self->model[0], self->model[1], self->model[2]));
    else
      GST_ELEMENT_ERROR (self, LIBRARY, INIT, ("%s", error->message), (NULL));
    return FALSE;
  }
  g_ptr_array_add (self->idle, first);
  self->n_decoders = 1;
  self->n_running = 0;

  self->n_threads = threads_to_use (threads);
  if (self->n_threads > 1) {
    self->pool = g_thread_pool_new (worker, self, self->n_threads, FALSE, &error);
    if (self->pool == NULL) {
      GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("%s", error->message), (NULL));
      return FALSE;
    }
  }
  GST_INFO_OBJECT (self, "decoding on %u thread(s)", self->n_threads);
  self->upstream_segments = FALSE;
  self->announced = FALSE;
  va_processing_time_reset (&self->processing, GST_OBJECT (self));
  return TRUE;
}

/* Waits until no job is running. */
static void
wait_all_done (VaSpeech *self)
{
  g_mutex_lock (&self->lock);
  while (self->n_running > 0)
    g_cond_wait (&self->done_cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

static void
drop_held (VaSpeech *self)
{
  wait_all_done (self);
  g_queue_clear_full (&self->held, (GDestroyNotify)va_speech_held_free);
  g_mutex_lock (&self->lock);
  self->n_held = 0;
  g_mutex_unlock (&self->lock);
}

static gboolean
va_speech_stop (GstBaseTransform *trans)
{
  VaSpeech *self = VA_SPEECH (trans);
  GThreadPool *pool;

  g_mutex_lock (&self->lock);
  pool = g_steal_pointer (&self->pool);
  g_mutex_unlock (&self->lock);
  /* the queued jobs are run, so that every job ends done */
  if (pool != NULL)
    g_thread_pool_free (pool, FALSE, TRUE);
  drop_held (self);
  g_ptr_array_set_size (self->idle, 0);
  self->n_decoders = 0;
  g_clear_pointer (&self->collector, va_utterance_collector_free);
  g_ptr_array_set_size (self->ready, 0);
  return TRUE;
}

/* Starts decoding the utterances in self->ready, which end on @buffer
 * (NULL: the end of stream), and holds the buffer until they are done. */
static void
submit_ready (VaSpeech *self, GstBuffer *buffer)
{
  VaSpeechHeld *held = g_new0 (VaSpeechHeld, 1);

  held->buffer = buffer;
  held->jobs = g_ptr_array_new_full (self->ready->len, (GDestroyNotify)va_speech_job_free);
  for (guint i = 0; i < self->ready->len; i++) {
    VaSpeechJob *job = g_new0 (VaSpeechJob, 1);

    job->utterance = g_ptr_array_index (self->ready, i);
    self->ready->pdata[i] = NULL; /* the job owns it now */
    g_ptr_array_add (held->jobs, job);
    g_mutex_lock (&self->lock);
    self->n_running++;
    g_mutex_unlock (&self->lock);
    if (self->pool != NULL)
      g_thread_pool_push (self->pool, job, NULL);
    else
      run_job (self, job);
  }
  g_ptr_array_set_size (self->ready, 0);
  g_queue_push_tail (&self->held, held);
  g_mutex_lock (&self->lock);
  self->n_held++;
  g_mutex_unlock (&self->lock);
}

static gboolean
held_is_done (VaSpeech *self, VaSpeechHeld *held)
{
  gboolean done = TRUE;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < held->jobs->len && done; i++)
    done = ((VaSpeechJob *)g_ptr_array_index (held->jobs, i))->done;
  g_mutex_unlock (&self->lock);
  return done;
}

/* Attaches the transcripts of @held's decoded utterances to @buf. */
static GstFlowReturn
attach_transcripts (VaSpeech *self, VaSpeechHeld *held, GstBuffer *buf)
{
  gboolean post;

  GST_OBJECT_LOCK (self);
  post = self->post_messages;
  GST_OBJECT_UNLOCK (self);

  for (guint i = 0; i < held->jobs->len; i++) {
    VaSpeechJob *job = g_ptr_array_index (held->jobs, i);
    VaUtterance *utt = job->utterance;
    VaTranscriptMeta *meta;

    if (job->words == NULL) {
      GST_ELEMENT_ERROR (self, LIBRARY, FAILED, ("%s", job->error->message), (NULL));
      return GST_FLOW_ERROR;
    }
    if (job->words->len == 0) {
      GST_DEBUG_OBJECT (self, "nothing recognized in %" GST_TIME_FORMAT " - %" GST_TIME_FORMAT,
                        GST_TIME_ARGS (utt->start), GST_TIME_ARGS (utt->end));
      continue;
    }

    meta = va_buffer_add_transcript_meta (buf, utt->start, utt->end, job->words);
    GST_DEBUG_OBJECT (self, "%" GST_TIME_FORMAT " - %" GST_TIME_FORMAT ": %s",
                      GST_TIME_ARGS (utt->start), GST_TIME_ARGS (utt->end), meta->text);
    if (post) {
      GstStructure *s
          = gst_structure_new ("vaspeech", "start", G_TYPE_UINT64, utt->start, "end", G_TYPE_UINT64,
                               utt->end, "text", G_TYPE_STRING, meta->text, NULL);

      gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
    }
  }
  return GST_FLOW_OK;
}

/* Takes the oldest held buffer if its utterances are decoded (waiting for
 * them when @wait), with its transcripts attached. *@out is NULL when
 * nothing is ready or the buffer was the end of stream's and got no
 * transcript. */
static GstFlowReturn
pop_held (VaSpeech *self, gboolean wait, GstBuffer **out)
{
  g_autoptr (GstBuffer) buf = NULL;
  VaSpeechHeld *held = g_queue_peek_head (&self->held);
  gboolean own_buffer;
  GstFlowReturn ret;

  *out = NULL;
  if (held == NULL)
    return GST_FLOW_OK;
  if (!held_is_done (self, held)) {
    if (!wait)
      return GST_FLOW_OK;
    g_mutex_lock (&self->lock);
    for (guint i = 0; i < held->jobs->len; i++) {
      while (!((VaSpeechJob *)g_ptr_array_index (held->jobs, i))->done)
        g_cond_wait (&self->done_cond, &self->lock);
    }
    g_mutex_unlock (&self->lock);
  }
  g_queue_pop_head (&self->held);
  g_mutex_lock (&self->lock);
  self->n_held--;
  g_mutex_unlock (&self->lock);

  own_buffer = held->buffer == NULL;
  buf = held->buffer != NULL ? gst_buffer_make_writable (g_steal_pointer (&held->buffer))
                             : gst_buffer_new ();
  ret = attach_transcripts (self, held, buf);
  va_speech_held_free (held);
  if (ret != GST_FLOW_OK)
    return ret;
  /* Only the buffer made here for the end of stream may be dropped: an
   * empty buffer from upstream carries other analysers' results (the last
   * voice segment of vavad, the speaker turns of vadiarize). */
  if (own_buffer && gst_buffer_get_n_meta (buf, VA_TRANSCRIPT_META_API_TYPE) == 0)
    return GST_FLOW_OK;
  *out = g_steal_pointer (&buf);
  return GST_FLOW_OK;
}

/* Pushes every held buffer downstream, in order, once decoded. */
static GstFlowReturn
drain (VaSpeech *self)
{
  GstFlowReturn ret = GST_FLOW_OK;

  while (ret == GST_FLOW_OK && !g_queue_is_empty (&self->held)) {
    GstBuffer *out = NULL;

    ret = pop_held (self, TRUE, &out);
    if (ret == GST_FLOW_OK && out != NULL)
      ret = gst_pad_push (GST_BASE_TRANSFORM_SRC_PAD (self), out);
  }
  if (ret != GST_FLOW_OK)
    drop_held (self);
  return ret;
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
va_speech_submit_input_buffer (GstBaseTransform *trans, gboolean is_discont, GstBuffer *input)
{
  VaSpeech *self = VA_SPEECH (trans);
  GstClockTime begin;
  GstBuffer *buf;
  GstFlowReturn ret;

  /* the base class does its bookkeeping and leaves the buffer in queued_buf */
  ret = GST_BASE_TRANSFORM_CLASS (va_speech_parent_class)
            ->submit_input_buffer (trans, is_discont, input);
  if (ret != GST_FLOW_OK || trans->queued_buf == NULL)
    return ret;
  buf = g_steal_pointer (&trans->queued_buf);

  begin = va_processing_time_begin ();
  ensure_collector (self);
  if (G_UNLIKELY (!self->announced)) {
    gst_pad_push_event (GST_BASE_TRANSFORM_SRC_PAD (trans),
                        va_annotation_output_new_announce_event ("speech_recognition"));
    self->announced = TRUE;
  }

  if (!va_utterance_collector_push_buffer (self->collector, buf, self->upstream_segments,
                                           self->ready)) {
    gst_buffer_unref (buf);
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not read an audio buffer."), (NULL));
    return GST_FLOW_ERROR;
  }
  va_processing_time_end (&self->processing, GST_OBJECT (self), begin);
  submit_ready (self, buf); /* the decoding times itself */

  /* Bound the audio and utterances waiting here: beyond one queued job per
   * thread, let upstream (the queue before this element) hold the rest. */
  g_mutex_lock (&self->lock);
  while (self->n_running > 2 * self->n_threads)
    g_cond_wait (&self->done_cond, &self->lock);
  g_mutex_unlock (&self->lock);
  return GST_FLOW_OK;
}

static GstFlowReturn
va_speech_generate_output (GstBaseTransform *trans, GstBuffer **outbuf)
{
  return pop_held (VA_SPEECH (trans), FALSE, outbuf);
}

static gboolean
va_speech_sink_event (GstBaseTransform *trans, GstEvent *event)
{
  VaSpeech *self = VA_SPEECH (trans);

  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP) {
    /* running jobs cannot be interrupted; wait, then forget them */
    drop_held (self);
    if (self->collector != NULL) {
      va_utterance_collector_flush (self->collector, self->ready);
      g_ptr_array_set_size (self->ready, 0);
    }
  } else if (GST_EVENT_IS_SERIALIZED (event)) {
    if (GST_EVENT_TYPE (event) == GST_EVENT_EOS && self->collector != NULL) {
      GstClockTime begin = va_processing_time_begin ();

      va_utterance_collector_flush (self->collector, self->ready);
      va_processing_time_end (&self->processing, GST_OBJECT (self), begin);
      if (self->ready->len > 0)
        submit_ready (self, NULL);
    }
    /* what was held goes out before the event, as it came in */
    drain (self);
  }

  if (va_event_is_voice_activity (event)) {
    self->upstream_segments = TRUE;
  } else if (GST_EVENT_TYPE (event) == GST_EVENT_STREAM_START) {
    /* A new stream-start may drop stream-scoped sticky events downstream. */
    self->announced = FALSE;
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
  for (guint i = 0; i < G_N_ELEMENTS (self->model); i++)
    g_free (self->model[i]);
  g_clear_pointer (&self->collector, va_utterance_collector_free);
  g_ptr_array_unref (self->ready);
  g_ptr_array_unref (self->idle);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->done_cond);
  G_OBJECT_CLASS (va_speech_parent_class)->finalize (object);
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
  properties[PROP_SEARCH] = g_param_spec_enum (
      "search", "Search", "How widely the recognizer searches: fast (less CPU time) or accurate",
      VA_TYPE_SPEECH_SEARCH, DEFAULT_SEARCH,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY
          | GST_PARAM_MUTABLE_READY);
  properties[PROP_THREADS] = g_param_spec_uint (
      "threads", "Threads",
      "Utterances decoded at the same time, each thread with its own decoder (0: one per "
      "processor, at most 4; 1: in the streaming thread)",
      0, MAX_THREADS, DEFAULT_THREADS,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY
          | GST_PARAM_MUTABLE_READY);
  properties[PROP_PROCESSING_TIME] = va_processing_time_param_spec ();
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gst_element_class_set_static_metadata (
      element_class, "Speech recognizer", "Filter/Analyzer/Audio",
      "Transcribes speech with pocketsphinx, one utterance per voice segment (from vavad or its "
      "own detector), and attaches the words with their times as VaTranscriptMeta",
      "VideoAnnotator developers");
  gst_audio_filter_class_add_pad_templates (filter_class, caps);
  gst_type_mark_as_plugin_api (VA_TYPE_SPEECH_SEARCH, 0);

  trans_class->start = GST_DEBUG_FUNCPTR (va_speech_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (va_speech_stop);
  trans_class->submit_input_buffer = GST_DEBUG_FUNCPTR (va_speech_submit_input_buffer);
  trans_class->generate_output = GST_DEBUG_FUNCPTR (va_speech_generate_output);
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
  self->search = DEFAULT_SEARCH;
  self->threads = DEFAULT_THREADS;
  self->ready = g_ptr_array_new_with_free_func ((GDestroyNotify)va_utterance_free);
  self->idle = g_ptr_array_new_with_free_func ((GDestroyNotify)va_speech_decoder_free);
  g_queue_init (&self->held);
  g_mutex_init (&self->lock);
  g_cond_init (&self->done_cond);
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
}
