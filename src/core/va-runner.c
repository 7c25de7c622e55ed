/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include <errno.h>
#include <glib/gstdio.h>
#include <gst/pbutils/pbutils.h>

#include "va-error.h"
#include "va-pipeline-builder-private.h"
#include "va-run-result-private.h"
#include "va-runner.h"

/**
 * VaRunner:
 *
 * Runs the pipeline a #VaPipelineBuilder makes, once: GIO-style async
 * (va_runner_run_async() / va_runner_run_finish()) in the thread-default
 * main context of the caller, with a #VaRunner::progress signal. GStreamer
 * errors are turned into %VA_ERROR here, once, with a message that names the
 * input and what is wrong with it. Cancelling sets the pipeline to NULL at
 * once; the annotation sink writes files only at the end of the stream, so
 * a cancelled run leaves none.
 */
struct _VaRunner {
  GObject parent_instance;

  VaPipelineBuilder *builder;
  guint progress_interval;
  GstTaskPool *task_pool; /* nullable: GStreamer's default */

  /* one run at a time; all NULL between runs */
  GTask *task;
  GTask *stopping_task; /* the run's task while its pipeline goes to NULL */
  GError *stopping_error;
  gboolean start_failed;     /* PLAYING failed, with this error message: */
  GstMessage *start_failure; /* nullable */
  GstElement *pipeline;
  VaPipelineGraph *graph;
  GSource *bus_source;
  GSource *progress_source;
  GSource *cancel_source;
  GstPad *probe_pad;
  gulong probe_id;
  GPtrArray *guard_pads; /* the annotation sinks' pads */
  GArray *guard_ids;
  gint stopping; /* atomic: the run is being torn down */
  VaRunResult *result;
  GPtrArray *missing_plugins; /* char*, descriptions from decodebin */
  gint64 start_time;
  gint64 duration;
  gboolean prerolled;
  guint stalled_ticks;

  /* written by the streaming thread that feeds the counted sink */
  GMutex stats_lock;
  guint64 frames;
  gint64 last_end; /* stream time of the end of the last buffer, -1 before any */
  GstSegment segment;
};

enum {
  SIGNAL_PROGRESS,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (VaRunner, va_runner, G_TYPE_OBJECT)

static void va_runner_finish (VaRunner *self, GError *error);

static void
va_runner_dispose (GObject *object)
{
  VaRunner *self = VA_RUNNER (object);

  /* a task holds a ref on us, so a run cannot be in progress here */
  g_clear_object (&self->builder);
  g_clear_object (&self->task_pool);
  G_OBJECT_CLASS (va_runner_parent_class)->dispose (object);
}

static void
va_runner_finalize (GObject *object)
{
  VaRunner *self = VA_RUNNER (object);

  g_mutex_clear (&self->stats_lock);
  g_clear_pointer (&self->guard_pads, g_ptr_array_unref);
  g_clear_pointer (&self->guard_ids, g_array_unref);
  G_OBJECT_CLASS (va_runner_parent_class)->finalize (object);
}

static void
va_runner_class_init (VaRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = va_runner_dispose;
  object_class->finalize = va_runner_finalize;

  /**
   * VaRunner::progress:
   * @fraction: position / duration in [0, 1], or -1 when the duration is unknown
   * @frames: video frames analysed so far
   * @fps: frames analysed per second of wall-clock time since the start
   * @position: stream time reached, in nanoseconds (-1 before the first frame)
   * @duration: media duration in nanoseconds, -1 if unknown
   *
   * Emitted in the run's main context every progress interval while the
   * pipeline runs, and once with @fraction 1 when it completes.
   */
  signals[SIGNAL_PROGRESS] = g_signal_new (
      "progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 5,
      G_TYPE_DOUBLE, G_TYPE_UINT64, G_TYPE_DOUBLE, G_TYPE_INT64, G_TYPE_INT64);
}

static void
va_runner_init (VaRunner *self)
{
  self->progress_interval = 250;
  self->guard_pads = g_ptr_array_new_with_free_func (gst_object_unref);
  self->guard_ids = g_array_new (FALSE, FALSE, sizeof (gulong));
  g_mutex_init (&self->stats_lock);
}

VaRunner *
va_runner_new (VaPipelineBuilder *builder)
{
  VaRunner *self;

  g_return_val_if_fail (VA_IS_PIPELINE_BUILDER (builder), NULL);
  self = g_object_new (VA_TYPE_RUNNER, NULL);
  self->builder = g_object_ref (builder);
  return self;
}

/**
 * va_runner_get_builder:
 *
 * Returns: (transfer none): the builder this runner runs
 */
VaPipelineBuilder *
va_runner_get_builder (VaRunner *self)
{
  g_return_val_if_fail (VA_IS_RUNNER (self), NULL);
  return self->builder;
}

void
va_runner_set_progress_interval (VaRunner *self, guint milliseconds)
{
  g_return_if_fail (VA_IS_RUNNER (self));
  self->progress_interval = MAX (milliseconds, 10);
}

/**
 * va_runner_set_task_pool:
 * @pool: (nullable): where the pipeline's streaming threads come from;
 *   %NULL for GStreamer's default
 *
 * For the runs that follow (e.g. a #VaNiceTaskPool for the job queue).
 */
void
va_runner_set_task_pool (VaRunner *self, GstTaskPool *pool)
{
  g_return_if_fail (VA_IS_RUNNER (self));
  g_return_if_fail (pool == NULL || GST_IS_TASK_POOL (pool));
  g_set_object (&self->task_pool, pool);
}

static GstPadProbeReturn
va_runner_count_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  VaRunner *self = user_data;

  if (GST_PAD_PROBE_INFO_TYPE (info) & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
    GstClockTime pts = GST_BUFFER_PTS (buffer);

    g_mutex_lock (&self->stats_lock);
    self->frames++;
    if (GST_CLOCK_TIME_IS_VALID (pts)) {
      GstClockTime end = pts;
      guint64 stream_time;
      if (GST_BUFFER_DURATION_IS_VALID (buffer))
        end += GST_BUFFER_DURATION (buffer);
      stream_time = gst_segment_to_stream_time (&self->segment, GST_FORMAT_TIME, end);
      if (GST_CLOCK_TIME_IS_VALID (stream_time))
        self->last_end = MAX (self->last_end, (gint64)stream_time);
    }
    g_mutex_unlock (&self->stats_lock);
  } else if (GST_PAD_PROBE_INFO_TYPE (info) & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
    if (GST_EVENT_TYPE (event) == GST_EVENT_SEGMENT) {
      const GstSegment *segment;
      gst_event_parse_segment (event, &segment);
      if (segment->format == GST_FORMAT_TIME) {
        g_mutex_lock (&self->stats_lock);
        gst_segment_copy_into (segment, &self->segment);
        g_mutex_unlock (&self->stats_lock);
      }
    }
  }
  return GST_PAD_PROBE_OK;
}

/* Files are written when end-of-stream reaches an annotation sink. A run
 * that is being stopped (cancelled, failed) must not write any: its EOS is
 * dropped on the way, e.g. the one a blocked source sends as it unblocks
 * while the pipeline goes to NULL. */
static GstPadProbeReturn
va_runner_guard_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  VaRunner *self = user_data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS && g_atomic_int_get (&self->stopping))
    return GST_PAD_PROBE_DROP;
  return GST_PAD_PROBE_OK;
}

static void
va_runner_get_stats (VaRunner *self, guint64 *frames, gint64 *position)
{
  g_mutex_lock (&self->stats_lock);
  *frames = self->frames;
  *position = self->last_end;
  g_mutex_unlock (&self->stats_lock);
}

static void
va_runner_update_duration (VaRunner *self)
{
  gint64 duration = -1;

  if (self->duration < 0 && self->pipeline != NULL
      && gst_element_query_duration (self->pipeline, GST_FORMAT_TIME, &duration) && duration > 0)
    self->duration = duration;
}

static void
va_runner_emit_progress (VaRunner *self, gboolean done)
{
  guint64 frames;
  gint64 position;
  double elapsed = (g_get_monotonic_time () - self->start_time) / (double)G_USEC_PER_SEC;
  double fraction = -1.0;

  va_runner_get_stats (self, &frames, &position);
  if (done)
    fraction = 1.0;
  else if (self->duration > 0 && position >= 0)
    fraction = CLAMP ((double)position / self->duration, 0.0, 1.0);
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, fraction, frames,
                 elapsed > 0 ? frames / elapsed : 0.0, position, self->duration);
}

static void
va_count_pad_task (const GValue *item, gpointer user_data)
{
  GstPad *pad = g_value_get_object (item);
  guint *counts = user_data;
  GstTask *task;

  GST_OBJECT_LOCK (pad);
  task = GST_PAD_TASK (pad) != NULL ? gst_object_ref (GST_PAD_TASK (pad)) : NULL;
  GST_OBJECT_UNLOCK (pad);
  if (task != NULL) {
    counts[0]++;
    if (gst_task_get_state (task) == GST_TASK_STARTED)
      counts[1]++;
    gst_object_unref (task);
  }
}

static void
va_count_element_tasks (const GValue *item, gpointer user_data)
{
  g_autoptr (GstIterator) pads = gst_element_iterate_pads (g_value_get_object (item));

  while (gst_iterator_foreach (pads, va_count_pad_task, user_data) == GST_ITERATOR_RESYNC)
    gst_iterator_resync (pads);
}

/* decodebin drops an error that a demuxer posts while it is still being
 * tried out (qtdemux on an MP4 without its index does so when the timing is
 * unlucky): the demuxer's thread stops and nothing ever prerolls. Before
 * preroll, every thread inside decodebin paused means nothing will come. */
static gboolean
va_runner_decoder_stalled (VaRunner *self)
{
  g_autoptr (GstElement) decodebin = gst_bin_get_by_name (GST_BIN (self->pipeline), "decode");
  g_autoptr (GstIterator) it = NULL;
  guint counts[2] = { 0, 0 }; /* tasks, running tasks */

  if (decodebin == NULL)
    return FALSE;
  it = gst_bin_iterate_recurse (GST_BIN (decodebin));
  while (gst_iterator_foreach (it, va_count_element_tasks, counts) == GST_ITERATOR_RESYNC)
    gst_iterator_resync (it);
  return counts[0] > 0 && counts[1] == 0;
}

static gboolean
va_runner_on_progress_tick (gpointer user_data)
{
  VaRunner *self = user_data;
  guint64 frames;
  gint64 position;

  va_runner_get_stats (self, &frames, &position);
  if (!self->prerolled && frames == 0 && va_runner_decoder_stalled (self)) {
    /* two ticks in a row: a task between two states is not a stall */
    if (++self->stalled_ticks >= 2) {
      g_autofree char *base = g_path_get_basename (self->graph->input);
      va_runner_finish (self, g_error_new (VA_ERROR, VA_ERROR_PIPELINE,
                                           "%s is truncated or corrupt: its demuxer stopped "
                                           "before finding a playable stream",
                                           base));
      return G_SOURCE_REMOVE;
    }
  } else {
    self->stalled_ticks = 0;
  }

  va_runner_update_duration (self);
  va_runner_emit_progress (self, FALSE);
  return G_SOURCE_CONTINUE;
}

static gboolean
va_runner_on_cancelled (GCancellable *cancellable, gpointer user_data)
{
  VaRunner *self = user_data;

  va_runner_finish (self, g_error_new_literal (VA_ERROR, VA_ERROR_CANCELLED, "Cancelled"));
  return G_SOURCE_REMOVE;
}

/* Called in the sink's streaming thread (see va_runner_sync_message()). */
static void
va_runner_take_outputs (VaRunner *self, const GstStructure *s)
{
  const GValue *pipelines = gst_structure_get_value (s, "pipelines");
  const GValue *files = gst_structure_get_value (s, "files");
  const GValue *counts = gst_structure_get_value (s, "annotation-counts");
  guint n;

  if (pipelines == NULL || files == NULL || !GST_VALUE_HOLDS_ARRAY (pipelines)
      || !GST_VALUE_HOLDS_ARRAY (files)) {
    g_warning ("malformed videoannotator-outputs message: %" GST_PTR_FORMAT, s);
    return;
  }
  n = MIN (gst_value_array_get_size (pipelines), gst_value_array_get_size (files));
  for (guint i = 0; i < n; i++) {
    const GValue *p = gst_value_array_get_value (pipelines, i);
    const GValue *f = gst_value_array_get_value (files, i);
    guint count = 0;

    if (!G_VALUE_HOLDS_STRING (p) || !G_VALUE_HOLDS_STRING (f))
      continue;
    if (counts != NULL && GST_VALUE_HOLDS_ARRAY (counts) && i < gst_value_array_get_size (counts)) {
      const GValue *c = gst_value_array_get_value (counts, i);
      if (G_VALUE_HOLDS_UINT (c))
        count = g_value_get_uint (c);
      else if (G_VALUE_HOLDS_INT (c))
        count = (guint)MAX (g_value_get_int (c), 0);
    }
    g_mutex_lock (&self->stats_lock);
    va_run_result_add_output (self->result, g_value_get_string (p), g_value_get_string (f), count);
    g_mutex_unlock (&self->stats_lock);
  }
}

/* The sink's list of written files is taken as it is posted, not when the
 * main context gets to it: a run cancelled at that moment must still know
 * which files to remove. */
static GstBusSyncReply
va_runner_sync_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  VaRunner *self = user_data;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ELEMENT
      && gst_message_has_name (message, "videoannotator-outputs")) {
    va_runner_take_outputs (self, gst_message_get_structure (message));
    gst_message_unref (message);
    return GST_BUS_DROP;
  }
  /* a new streaming task: it must get its pool before it starts, that is
   * now, in the thread that creates it (GStreamer's documented way) */
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_STREAM_STATUS && self->task_pool != NULL) {
    GstStreamStatusType type;
    const GValue *value;

    gst_message_parse_stream_status (message, &type, NULL);
    value = gst_message_get_stream_status_object (message);
    if (type == GST_STREAM_STATUS_TYPE_CREATE && value != NULL
        && G_VALUE_HOLDS (value, GST_TYPE_TASK))
      gst_task_set_pool (g_value_get_object (value), self->task_pool);
  }
  return GST_BUS_PASS;
}

/* Our elements come from the plugins videoannotator, videoannotatoropencv,
 * videoannotatorspeech and videoannotatoroverlay. */
static gboolean
va_is_our_element (GstObject *object)
{
  GstElementFactory *factory;
  const char *plugin;

  if (object == NULL || !GST_IS_ELEMENT (object)
      || (factory = gst_element_get_factory (GST_ELEMENT (object))) == NULL)
    return FALSE;
  plugin = gst_plugin_feature_get_plugin_name (GST_PLUGIN_FEATURE (factory));
  return plugin != NULL && g_str_has_prefix (plugin, "videoannotator");
}

/* The one place GStreamer errors become VA_ERROR: classify by domain and by
 * whether typefinding recognised the file, and say it in terms of the input. */
static GError *
va_runner_convert_error (VaRunner *self, GstMessage *message)
{
  g_autoptr (GError) gst_error = NULL;
  g_autofree char *debug = NULL;
  g_autofree char *base = NULL;
  g_autofree char *container = NULL;
  GstObject *src = GST_MESSAGE_SRC (message);
  gboolean from_sink = FALSE;

  gst_message_parse_error (message, &gst_error, &debug);
  if (debug != NULL)
    g_debug ("pipeline error from %s: %s (%s)", src != NULL ? GST_OBJECT_NAME (src) : "?",
             gst_error->message, debug);
  if (gst_error->domain == VA_ERROR)
    return g_steal_pointer (&gst_error);

  base = g_path_get_basename (self->graph->input);
  container = va_pipeline_graph_dup_container_caps (self->graph);
  for (GstObject *o = src; o != NULL && !from_sink; o = GST_OBJECT_PARENT (o))
    from_sink
        = (GstElement *)o == self->graph->video_sink || (GstElement *)o == self->graph->audio_sink;

  /* the preview branch's elements are named "preview-…" by the builder */
  if (src != NULL && self->graph->preview_sink != NULL
      && g_str_has_prefix (GST_OBJECT_NAME (src), "preview-")) {
    g_autofree char *msg
        = g_strdup_printf ("Cannot write the preview video: %s", gst_error->message);
    va_error_convert (&gst_error);
    return g_error_new_literal (VA_ERROR, gst_error->code, msg);
  }
  if (from_sink) {
    g_autofree char *msg
        = g_strdup_printf ("Cannot write the annotation files: %s", gst_error->message);
    va_error_convert (&gst_error);
    return g_error_new_literal (VA_ERROR, gst_error->code, msg);
  }

  /* An analyser's own failure (a missing model file, say) is not a fault of
   * the input: say which pipeline failed, in its words. */
  if (va_is_our_element (src)) {
    g_autofree char *pipeline = g_strdup (GST_OBJECT_NAME (src));
    char *cut = strchr (pipeline, '-');
    g_autofree char *msg = NULL;

    /* analysers are named PIPELINE-N-FACTORY by the builder */
    if (cut != NULL)
      *cut = '\0';
    msg = g_strdup_printf ("%s cannot run: %s", pipeline, gst_error->message);
    va_error_convert (&gst_error);
    return g_error_new_literal (VA_ERROR, gst_error->code, msg);
  }

  if (gst_error->domain == GST_STREAM_ERROR) {
    switch (gst_error->code) {
    case GST_STREAM_ERROR_TYPE_NOT_FOUND:
    case GST_STREAM_ERROR_WRONG_TYPE:
      return g_error_new (VA_ERROR, VA_ERROR_UNSUPPORTED_MEDIA,
                          "%s is not a video or audio file GStreamer can read (%s)", base,
                          gst_error->message);
    case GST_STREAM_ERROR_CODEC_NOT_FOUND:
      if (self->missing_plugins->len > 0) {
        g_ptr_array_add (self->missing_plugins, NULL);
        g_autofree char *missing = g_strjoinv (", ", (char **)self->missing_plugins->pdata);
        g_ptr_array_remove_index (self->missing_plugins, self->missing_plugins->len - 1);
        return g_error_new (VA_ERROR, VA_ERROR_UNSUPPORTED_MEDIA,
                            "%s needs a decoder that is not installed: %s", base, missing);
      }
      return g_error_new (VA_ERROR, VA_ERROR_UNSUPPORTED_MEDIA,
                          "%s uses a format no installed decoder handles (%s)", base,
                          gst_error->message);
    case GST_STREAM_ERROR_DEMUX:
    case GST_STREAM_ERROR_DECODE:
    case GST_STREAM_ERROR_FORMAT:
    case GST_STREAM_ERROR_FAILED:
      /* a recognised container whose content does not parse: damaged, not foreign */
      if (container != NULL)
        return g_error_new (VA_ERROR, VA_ERROR_PIPELINE, "%s is truncated or corrupt: %s", base,
                            gst_error->message);
      return g_error_new (VA_ERROR, VA_ERROR_UNSUPPORTED_MEDIA,
                          "%s is not a video or audio file GStreamer can read (%s)", base,
                          gst_error->message);
    default:
      break;
    }
  } else if (gst_error->domain == GST_RESOURCE_ERROR) {
    switch (gst_error->code) {
    case GST_RESOURCE_ERROR_NOT_FOUND:
      return g_error_new (VA_ERROR, VA_ERROR_NOT_FOUND, "No such file: %s", self->graph->input);
    case GST_RESOURCE_ERROR_OPEN_READ:
    case GST_RESOURCE_ERROR_READ:
      return g_error_new (VA_ERROR, VA_ERROR_FORBIDDEN, "Cannot read %s: %s", base,
                          gst_error->message);
    default:
      break;
    }
  }

  {
    g_autofree char *msg = g_strdup_printf ("Processing %s failed: %s", base, gst_error->message);
    va_error_convert (&gst_error);
    return g_error_new_literal (VA_ERROR, gst_error->code, msg);
  }
}

/* End of stream: the files are written; check that every pipeline
 * reported one and that the stream did not stop short of its duration. */
static GError *
va_runner_check_complete (VaRunner *self)
{
  GPtrArray *pipelines = va_pipeline_builder_get_pipelines (self->builder);
  g_autofree char *base = g_path_get_basename (self->graph->input);
  guint64 frames;
  gint64 position;

  va_runner_update_duration (self);
  va_runner_get_stats (self, &frames, &position);

  /* qtdemux and others end quietly when the data runs out; the container
   * still announces the full duration. The margin (5 %, at least 0.5 s)
   * leaves room for audio and video tracks of slightly different lengths. */
  if (self->duration > 0 && self->graph->video_sink != NULL
      && (position < 0 || position + MAX (GST_SECOND / 2, self->duration / 20) < self->duration))
    return g_error_new (VA_ERROR, VA_ERROR_PIPELINE,
                        "%s is truncated or corrupt: its video stops at %.1f s of %.1f s", base,
                        MAX (position, 0) / 1e9, self->duration / 1e9);

  for (guint i = 0; i < pipelines->len; i++) {
    const char *name = va_pipeline_info_get_name (g_ptr_array_index (pipelines, i));
    gboolean found;

    g_mutex_lock (&self->stats_lock);
    found = va_run_result_lookup_output (self->result, name, NULL, NULL);
    g_mutex_unlock (&self->stats_lock);
    if (!found)
      return g_error_new (VA_ERROR, VA_ERROR_INTERNAL,
                          "The annotation sink reported no output file for %s", name);
  }
  return NULL;
}

static gboolean
va_runner_on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  VaRunner *self = user_data;

  switch (GST_MESSAGE_TYPE (message)) {
  case GST_MESSAGE_ERROR:
    va_runner_finish (self, va_runner_convert_error (self, message));
    return G_SOURCE_REMOVE;
  case GST_MESSAGE_EOS:
    va_runner_finish (self, va_runner_check_complete (self));
    return G_SOURCE_REMOVE;
  case GST_MESSAGE_ASYNC_DONE:
    if (GST_MESSAGE_SRC (message) == GST_OBJECT (self->pipeline))
      self->prerolled = TRUE;
    break;
  case GST_MESSAGE_ELEMENT:
    if (gst_is_missing_plugin_message (message))
      g_ptr_array_add (self->missing_plugins, gst_missing_plugin_message_get_description (message));
    break;
  case GST_MESSAGE_WARNING: {
    g_autoptr (GError) warning = NULL;
    gst_message_parse_warning (message, &warning, NULL);
    g_debug ("pipeline warning from %s: %s", GST_MESSAGE_SRC_NAME (message), warning->message);
    if (self->result != NULL)
      va_run_result_add_warning (self->result, warning->message);
    break;
  }
  default:
    break;
  }
  return G_SOURCE_CONTINUE;
}

/* All pipelines of a run share one decode and run concurrently: each one's
 * time is what its own analysers measured (their read-only
 * `processing-time`, in ns). Read at the end of the stream, when every
 * analyser has finished with it. An element without the property (not one
 * of ours) adds nothing; a pipeline with none of them has no time. */
static void
va_runner_collect_pipeline_times (VaRunner *self, VaRunResult *result)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->graph->analysers);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    GPtrArray *names = value;
    guint64 total = 0;
    gboolean measured = FALSE;

    for (guint i = 0; i < names->len; i++) {
      g_autoptr (GstElement) element
          = gst_bin_get_by_name (GST_BIN (self->pipeline), g_ptr_array_index (names, i));
      GParamSpec *pspec;
      guint64 ns = 0;

      if (element == NULL)
        continue;
      pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (element), "processing-time");
      if (pspec == NULL || pspec->value_type != G_TYPE_UINT64)
        continue;
      g_object_get (element, "processing-time", &ns, NULL);
      total += ns;
      measured = TRUE;
    }
    va_run_result_set_pipeline_time (result, key, measured ? total / (double)GST_SECOND : -1);
  }
}

/* The sink may have written its files just before a cancellation was
 * handled: a cancelled run leaves none, whatever the order things arrived
 * in. Only the files the sink reported are removed. */
static void
va_runner_remove_outputs (VaRunResult *result)
{
  for (guint i = 0; i < va_run_result_get_n_outputs (result); i++) {
    const char *file = va_run_result_get_output_file (result, i);

    if (g_unlink (file) != 0 && errno != ENOENT)
      g_warning ("Cannot remove %s of a cancelled run: %s", file, g_strerror (errno));
  }
}

/* Called on the run's context once the pipeline is in NULL. */
static void
va_runner_stopped (GObject *source, GAsyncResult *res, gpointer user_data)
{
  VaRunner *self = user_data;
  g_autoptr (GTask) task = g_steal_pointer (&self->stopping_task);
  GError *error = g_steal_pointer (&self->stopping_error);
  g_autoptr (VaRunResult) result = NULL;

  if (self->pipeline != NULL) {
    g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
    gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  }
  if (self->probe_pad != NULL)
    gst_pad_remove_probe (self->probe_pad, self->probe_id);
  g_clear_object (&self->probe_pad);
  for (guint i = 0; i < self->guard_pads->len; i++)
    gst_pad_remove_probe (g_ptr_array_index (self->guard_pads, i),
                          g_array_index (self->guard_ids, gulong, i));
  g_ptr_array_set_size (self->guard_pads, 0);
  g_array_set_size (self->guard_ids, 0);
  self->graph = NULL;
  g_clear_object (&self->pipeline);
  g_clear_pointer (&self->missing_plugins, g_ptr_array_unref);

  /* only now: the sink may report files until its thread is joined */
  result = g_steal_pointer (&self->result);
  if (g_error_matches (error, VA_ERROR, VA_ERROR_CANCELLED))
    va_runner_remove_outputs (result);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&result), g_object_unref);
}

static void
va_runner_stop_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  /* NULL joins the streaming threads: nothing touches the runner after
   * this */
  gst_element_set_state (GST_ELEMENT (task_data), GST_STATE_NULL);
  g_task_return_boolean (task, TRUE);
}

/* Ends the run's sources now and its pipeline in a worker thread, then
 * returns @task with @error (taken) or the result. Going to NULL joins
 * every streaming thread, which takes milliseconds — longer when they run
 * at a low priority on busy cores — and the run's context is usually the
 * server's main loop: it must not wait for that. */
static void
va_runner_teardown (VaRunner *self, GTask *task, GError *error)
{
  g_autoptr (GTask) stop = NULL;

  if (self->bus_source != NULL) {
    g_source_destroy (self->bus_source);
    g_clear_pointer (&self->bus_source, g_source_unref);
  }
  if (self->progress_source != NULL) {
    g_source_destroy (self->progress_source);
    g_clear_pointer (&self->progress_source, g_source_unref);
  }
  if (self->cancel_source != NULL) {
    g_source_destroy (self->cancel_source);
    g_clear_pointer (&self->cancel_source, g_source_unref);
  }

  g_atomic_int_set (&self->stopping, TRUE);
  self->stopping_task = task;
  self->stopping_error = error;
  /* the run's task keeps the runner alive until va_runner_stopped(), and
   * the runner keeps the pipeline: the worker thread holds no reference
   * whose release could finalize either there */
  if (self->pipeline == NULL) {
    va_runner_stopped (NULL, NULL, self);
    return;
  }
  stop = g_task_new (NULL, NULL, va_runner_stopped, self);
  g_task_set_task_data (stop, self->pipeline, NULL);
  g_task_run_in_thread (stop, va_runner_stop_thread);
}

/* Ends the run with @error (taken) or, if NULL, with the result. */
static void
va_runner_finish (VaRunner *self, GError *error)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->task);
  GCancellable *cancellable;

  if (task == NULL) {
    g_clear_error (&error);
    return;
  }
  /* A cancellation requested before the end was handled wins over that
   * end (EOS, an error, a stall): it was asked for first, and a caller
   * that cancelled must never see a completion (or a failure caused by
   * the input being cut off to stop it) afterwards. */
  cancellable = g_task_get_cancellable (task);
  if (g_cancellable_is_cancelled (cancellable)
      && !g_error_matches (error, VA_ERROR, VA_ERROR_CANCELLED)) {
    g_clear_error (&error);
    error = g_error_new_literal (VA_ERROR, VA_ERROR_CANCELLED, "Cancelled");
  }
  if (error == NULL) {
    guint64 frames;
    gint64 position;
    double elapsed = (g_get_monotonic_time () - self->start_time) / (double)G_USEC_PER_SEC;

    /* the sink has posted its files (before EOS), so the streaming
     * threads no longer touch the fields written here */
    va_runner_get_stats (self, &frames, &position);
    va_run_result_set_stats (self->result, elapsed, frames, self->duration);
    va_runner_collect_pipeline_times (self, self->result);
    va_runner_emit_progress (self, TRUE);
  }
  va_runner_teardown (self, g_steal_pointer (&task), error);
}

static gboolean
va_runner_make_output_dir (const char *dir, GError **error)
{
  if (g_file_test (dir, G_FILE_TEST_EXISTS) && !g_file_test (dir, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "The output directory %s exists and is not a directory", dir);
    return FALSE;
  }
  if (g_mkdir_with_parents (dir, 0755) != 0) {
    int saved = errno;
    g_autoptr (GError) local
        = g_error_new (G_FILE_ERROR, g_file_error_from_errno (saved),
                       "Cannot create the output directory %s: %s", dir, g_strerror (saved));
    va_error_convert (&local);
    g_propagate_error (error, g_steal_pointer (&local));
    return FALSE;
  }
  return TRUE;
}

/* In a worker thread: builds the pipeline and sets it to PLAYING. The run's
 * context sees nothing of the run until va_runner_started(). */
static void
va_runner_start_thread (GTask *start, gpointer source, gpointer task_data,
                        GCancellable *cancellable)
{
  VaRunner *self = task_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autofree char *output_dir = NULL;

  self->pipeline = va_pipeline_builder_build (self->builder, &error);
  if (self->pipeline == NULL) {
    g_task_return_error (start, g_steal_pointer (&error));
    return;
  }
  self->graph = va_pipeline_builder_get_graph (self->pipeline);
  output_dir = g_canonicalize_filename (va_pipeline_builder_get_output_dir (self->builder), NULL);
  if (!va_runner_make_output_dir (output_dir, &error)) {
    g_clear_object (&self->pipeline);
    self->graph = NULL;
    g_task_return_error (start, g_steal_pointer (&error));
    return;
  }

  self->result = va_run_result_new (self->graph->input, output_dir,
                                    va_pipeline_builder_get_stem (self->builder));
  self->missing_plugins = g_ptr_array_new_with_free_func (g_free);
  self->duration = -1;
  self->prerolled = FALSE;
  self->stalled_ticks = 0;
  self->frames = 0;
  self->last_end = -1;
  gst_segment_init (&self->segment, GST_FORMAT_TIME);

  g_atomic_int_set (&self->stopping, FALSE);
  for (guint i = 0; i < 2; i++) {
    GstElement *sink = i == 0 ? self->graph->video_sink : self->graph->audio_sink;
    GstPad *pad;
    gulong id;

    if (sink == NULL)
      continue;
    pad = gst_element_get_static_pad (sink, "sink");
    id = gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, va_runner_guard_probe, self,
                            NULL);
    g_ptr_array_add (self->guard_pads, pad);
    g_array_append_val (self->guard_ids, id);
  }

  /* count frames where they are done: at the sink, after every analyser */
  if (self->graph->video_sink != NULL || self->graph->audio_sink != NULL) {
    GstElement *counted
        = self->graph->video_sink != NULL ? self->graph->video_sink : self->graph->audio_sink;
    self->probe_pad = gst_element_get_static_pad (counted, "sink");
    self->probe_id = gst_pad_add_probe (
        self->probe_pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
        va_runner_count_probe, self, NULL);
  }

  /* messages wait in the bus until the run's context watches it */
  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  gst_bus_set_sync_handler (bus, va_runner_sync_message, self, NULL);

  self->start_time = g_get_monotonic_time ();
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    /* the element that failed posted why; take it now rather than wait */
    self->start_failure = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    self->start_failed = TRUE;
  }
  g_task_return_boolean (start, TRUE);
}

/* Back on the run's context: watch the running pipeline. */
static void
va_runner_started (GObject *source, GAsyncResult *res, gpointer user_data)
{
  VaRunner *self = user_data;
  GMainContext *context = g_task_get_context (self->task);
  GCancellable *cancellable = g_task_get_cancellable (self->task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstMessage) failure = NULL;

  if (!g_task_propagate_boolean (G_TASK (res), &error)) {
    g_autoptr (GTask) task = g_steal_pointer (&self->task);
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }

  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  self->bus_source = gst_bus_create_watch (bus);
  g_source_set_callback (self->bus_source, (GSourceFunc)(GCallback)va_runner_on_bus_message, self,
                         NULL);
  g_source_attach (self->bus_source, context);

  self->progress_source = g_timeout_source_new (self->progress_interval);
  g_source_set_callback (self->progress_source, va_runner_on_progress_tick, self, NULL);
  g_source_attach (self->progress_source, context);

  /* fires at once if the run was cancelled while it started */
  if (cancellable != NULL) {
    self->cancel_source = g_cancellable_source_new (cancellable);
    g_source_set_callback (self->cancel_source, (GSourceFunc)(GCallback)va_runner_on_cancelled,
                           self, NULL);
    g_source_attach (self->cancel_source, context);
  }

  if (self->start_failed) {
    self->start_failed = FALSE;
    failure = g_steal_pointer (&self->start_failure);
    if (failure != NULL)
      va_runner_finish (self, va_runner_convert_error (self, failure));
    else
      va_runner_finish (
          self, g_error_new_literal (VA_ERROR, VA_ERROR_PIPELINE, "The pipeline failed to start"));
  }
}

/**
 * va_runner_run_async:
 * @cancellable: (nullable): cancels the run: the pipeline goes to NULL and
 *   the run fails with %VA_ERROR_CANCELLED
 *
 * Builds the pipeline and runs it to the end of the input, in the
 * thread-default main context of the caller (which must be iterated). One
 * run at a time per runner. Building the pipeline, starting it and
 * stopping it happen in worker threads: element creation and state changes
 * take milliseconds, and the caller's context is usually the server's main
 * loop.
 */
void
va_runner_run_async (VaRunner *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                     gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GTask) start = NULL;

  g_return_if_fail (VA_IS_RUNNER (self));
  g_return_if_fail (self->task == NULL && self->stopping_task == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, va_runner_run_async);
  /* report cancellation in VA_ERROR like every other failure */
  g_task_set_check_cancellable (task, FALSE);

  if (g_cancellable_is_cancelled (cancellable)) {
    g_task_return_new_error (task, VA_ERROR, VA_ERROR_CANCELLED, "Cancelled");
    return;
  }

  /* the run's task keeps the runner alive until va_runner_started(): the
   * worker thread holds no reference whose release could finalize it
   * there */
  self->task = g_steal_pointer (&task);
  start = g_task_new (NULL, NULL, va_runner_started, self);
  g_task_set_task_data (start, self, NULL);
  g_task_run_in_thread (start, va_runner_start_thread);
}

/**
 * va_runner_run_finish:
 *
 * Returns: (transfer full): the outputs of the run, or %NULL with a %VA_ERROR:
 *   NOT_FOUND (no input file), FORBIDDEN (unreadable input or output dir),
 *   UNSUPPORTED_MEDIA (not media, no decoder, no stream for the selected
 *   branch), PIPELINE (truncated or corrupt media), CANCELLED, STORAGE_FULL
 *   or INTERNAL
 */
VaRunResult *
va_runner_run_finish (VaRunner *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
va_runner_run_sync_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

/**
 * va_runner_run:
 *
 * Runs synchronously in a private main context (for worker threads and tests).
 *
 * Returns: (transfer full): as va_runner_run_finish()
 */
VaRunResult *
va_runner_run (VaRunner *self, GCancellable *cancellable, GError **error)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GAsyncResult) result = NULL;
  VaRunResult *ret;

  g_main_context_push_thread_default (context);
  va_runner_run_async (self, cancellable, va_runner_run_sync_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  ret = va_runner_run_finish (self, result, error);
  g_main_context_pop_thread_default (context);
  return ret;
}
