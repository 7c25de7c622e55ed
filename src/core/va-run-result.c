/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "va-run-result-private.h"
#include "va-serializable.h"

/**
 * VaRunResult:
 *
 * What one annotation run produced: per pipeline its output file and
 * annotation count (as the annotation sink reported them), plus the time
 * the run took and the frames it analysed. Immutable once returned.
 */
struct _VaRunResult {
  GObject parent_instance;

  char *input;
  char *output_dir;
  char *stem;
  GPtrArray *pipelines;       /* char* */
  GPtrArray *files;           /* char* */
  GArray *counts;             /* guint */
  GHashTable *pipeline_times; /* pipeline → double*, seconds of its own analysers */
  GPtrArray *warnings;        /* char*, distinct, in the order they came */
  double processing_time;
  guint64 frames;
  gint64 duration; /* ns, -1 if unknown */
};

static void va_run_result_serializable_init (VaSerializableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VaRunResult, va_run_result, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VA_TYPE_SERIALIZABLE,
                                                      va_run_result_serializable_init))

static void
va_run_result_finalize (GObject *object)
{
  VaRunResult *self = VA_RUN_RESULT (object);

  g_clear_pointer (&self->input, g_free);
  g_clear_pointer (&self->output_dir, g_free);
  g_clear_pointer (&self->stem, g_free);
  g_clear_pointer (&self->pipelines, g_ptr_array_unref);
  g_clear_pointer (&self->files, g_ptr_array_unref);
  g_clear_pointer (&self->counts, g_array_unref);
  g_clear_pointer (&self->pipeline_times, g_hash_table_unref);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);
  G_OBJECT_CLASS (va_run_result_parent_class)->finalize (object);
}

static void
va_run_result_class_init (VaRunResultClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = va_run_result_finalize;
}

static void
va_run_result_init (VaRunResult *self)
{
  self->pipelines = g_ptr_array_new_with_free_func (g_free);
  self->files = g_ptr_array_new_with_free_func (g_free);
  self->counts = g_array_new (FALSE, FALSE, sizeof (guint));
  self->pipeline_times = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->duration = -1;
  self->warnings = g_ptr_array_new_null_terminated (0, g_free, TRUE);
}

VaRunResult *
va_run_result_new (const char *input, const char *output_dir, const char *stem)
{
  VaRunResult *self = g_object_new (VA_TYPE_RUN_RESULT, NULL);

  self->input = g_strdup (input);
  self->output_dir = g_strdup (output_dir);
  self->stem = g_strdup (stem);
  return self;
}

void
va_run_result_add_output (VaRunResult *self, const char *pipeline, const char *file,
                          guint annotation_count)
{
  g_return_if_fail (VA_IS_RUN_RESULT (self));
  g_ptr_array_add (self->pipelines, g_strdup (pipeline));
  g_ptr_array_add (self->files, g_strdup (file));
  g_array_append_val (self->counts, annotation_count);
}

void
va_run_result_set_stats (VaRunResult *self, double processing_time, guint64 frames, gint64 duration)
{
  g_return_if_fail (VA_IS_RUN_RESULT (self));
  self->processing_time = processing_time;
  self->frames = frames;
  self->duration = duration;
}

/* @seconds < 0: unknown (no analyser of @pipeline measures its time) */
void
va_run_result_set_pipeline_time (VaRunResult *self, const char *pipeline, double seconds)
{
  g_return_if_fail (VA_IS_RUN_RESULT (self));
  g_return_if_fail (pipeline != NULL);
  if (seconds < 0 || isnan (seconds))
    g_hash_table_remove (self->pipeline_times, pipeline);
  else
    g_hash_table_insert (self->pipeline_times, g_strdup (pipeline),
                         g_memdup2 (&seconds, sizeof seconds));
}

const char *
va_run_result_get_input (VaRunResult *self)
{
  g_return_val_if_fail (VA_IS_RUN_RESULT (self), NULL);
  return self->input;
}

const char *
va_run_result_get_output_dir (VaRunResult *self)
{
  g_return_val_if_fail (VA_IS_RUN_RESULT (self), NULL);
  return self->output_dir;
}

const char *
va_run_result_get_stem (VaRunResult *self)
{
  g_return_val_if_fail (VA_IS_RUN_RESULT (self), NULL);
  return self->stem;
}

guint
va_run_result_get_n_outputs (VaRunResult *self)
{
  g_return_val_if_fail (VA_IS_RUN_RESULT (self), 0);
  return self->pipelines->len;
}

const char *
va_run_result_get_output_pipeline (VaRunResult *self, guint index)
{
  g_return_val_if_fail (VA_IS_RUN_RESULT (self), NULL);
  g_return_val_if_fail (index < self->pipelines->len, NULL);
  return g_ptr_array_index (self->pipelines, index);
}

const char *
va_run_result_get_output_file (VaRunResult *self, guint index)
{
  g_return_val_if_fail (VA_IS_RUN_RESULT (self), NULL);
  g_return_val_if_fail (index < self->files->len, NULL);
  return g_ptr_array_index (self->files, index);
}

guint
va_run_result_get_output_annotation_count (VaRunResult *self, guint index)
{
  g_return_val_if_fail (VA_IS_RUN_RESULT (self), 0);
  g_return_val_if_fail (index < self->counts->len, 0);
  return g_array_index (self->counts, guint, index);
}

/**
 * va_run_result_lookup_output:
 * @pipeline: a registry name
 * @file: (out) (optional) (transfer none): its output file
 * @annotation_count: (out) (optional): how many annotations it holds
 *
 * Returns: %TRUE if @pipeline produced an output in this run
 */
gboolean
va_run_result_lookup_output (VaRunResult *self, const char *pipeline, const char **file,
                             guint *annotation_count)
{
  g_return_val_if_fail (VA_IS_RUN_RESULT (self), FALSE);
  for (guint i = 0; i < self->pipelines->len; i++) {
    if (g_strcmp0 (g_ptr_array_index (self->pipelines, i), pipeline) == 0) {
      if (file != NULL)
        *file = g_ptr_array_index (self->files, i);
      if (annotation_count != NULL)
        *annotation_count = g_array_index (self->counts, guint, i);
      return TRUE;
    }
  }
  return FALSE;
}

/**
 * va_run_result_get_processing_time:
 *
 * Returns: wall-clock seconds from the start of decoding to the last file written
 */
double
va_run_result_get_processing_time (VaRunResult *self)
{
  g_return_val_if_fail (VA_IS_RUN_RESULT (self), 0.0);
  return self->processing_time;
}

/**
 * va_run_result_get_pipeline_time:
 * @pipeline: a registry name
 *
 * All pipelines of a run share one decode and run concurrently, so the
 * run's wall-clock time says nothing about one of them; this is the time
 * its own analysers spent on the stream (their `processing-time`
 * property, summed; an analyser shared with another pipeline counts for
 * both).
 *
 * Returns: seconds, or -1 if unknown (the run failed, or none of the
 *   pipeline's elements measures its time)
 */
double
va_run_result_get_pipeline_time (VaRunResult *self, const char *pipeline)
{
  const double *seconds;

  g_return_val_if_fail (VA_IS_RUN_RESULT (self), -1);
  seconds = pipeline != NULL ? g_hash_table_lookup (self->pipeline_times, pipeline) : NULL;
  return seconds != NULL ? *seconds : -1;
}

guint64
va_run_result_get_frames (VaRunResult *self)
{
  g_return_val_if_fail (VA_IS_RUN_RESULT (self), 0);
  return self->frames;
}

/**
 * va_run_result_get_duration:
 *
 * Returns: the media duration in nanoseconds, or -1 if the container did not say
 */
gint64
va_run_result_get_duration (VaRunResult *self)
{
  g_return_val_if_fail (VA_IS_RUN_RESULT (self), -1);
  return self->duration;
}

/* `{input, output_dir, stem, outputs: {pipeline: {file, files,
 * annotation_count, processing_time}}, processing_time, frames, duration,
 * fps}`; times in seconds (a pipeline's own, the run's wall-clock), null
 * when unknown. A pipeline with several files (person_tracking,
 * audio_processing) is one member: `file` is its main file (the sink
 * writes it first, as the registry lists it), `files` all of them. */
static void
va_run_result_serialize (VaSerializable *serializable, VaCodec *codec)
{
  VaRunResult *self = VA_RUN_RESULT (serializable);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) outputs = NULL;

  va_codec_add_string (codec, "input", self->input);
  va_codec_add_string (codec, "output_dir", self->output_dir);
  va_codec_add_string (codec, "stem", self->stem);

  json_builder_begin_object (builder);
  for (guint i = 0; i < self->pipelines->len; i++) {
    const char *pipeline = g_ptr_array_index (self->pipelines, i);
    double seconds = va_run_result_get_pipeline_time (self, pipeline);
    gboolean seen = FALSE;

    for (guint j = 0; j < i && !seen; j++)
      seen = g_str_equal (g_ptr_array_index (self->pipelines, j), pipeline);
    if (seen)
      continue;
    json_builder_set_member_name (builder, pipeline);
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "file");
    json_builder_add_string_value (builder, g_ptr_array_index (self->files, i));
    json_builder_set_member_name (builder, "files");
    json_builder_begin_array (builder);
    for (guint j = i; j < self->pipelines->len; j++) {
      if (g_str_equal (g_ptr_array_index (self->pipelines, j), pipeline))
        json_builder_add_string_value (builder, g_ptr_array_index (self->files, j));
    }
    json_builder_end_array (builder);
    json_builder_set_member_name (builder, "annotation_count");
    json_builder_add_int_value (builder, g_array_index (self->counts, guint, i));
    json_builder_set_member_name (builder, "processing_time");
    if (seconds >= 0)
      json_builder_add_double_value (builder, seconds);
    else
      json_builder_add_null_value (builder);
    json_builder_end_object (builder);
  }
  json_builder_end_object (builder);
  outputs = json_builder_get_root (builder);
  va_codec_add_json (codec, "outputs", outputs);

  va_codec_add_double (codec, "processing_time", self->processing_time);
  va_codec_add_int (codec, "frames", (gint64)self->frames);
  if (self->duration >= 0)
    va_codec_add_double (codec, "duration", self->duration / 1e9);
  else
    va_codec_add_null (codec, "duration");
  va_codec_add_double (codec, "fps",
                       self->processing_time > 0 ? self->frames / self->processing_time : 0.0);
}

static void
va_run_result_serializable_init (VaSerializableInterface *iface)
{
  iface->serialize = va_run_result_serialize;
}

/**
 * va_run_result_to_json:
 *
 * Returns: (transfer full): the result as a JSON object (see va_run_result_serialize())
 */
JsonNode *
va_run_result_to_json (VaRunResult *self)
{
  g_return_val_if_fail (VA_IS_RUN_RESULT (self), NULL);
  return va_codec_to_json (VA_SERIALIZABLE (self));
}

/* An element's warning (e.g. a detector that fell back to a weaker model),
 * once however often it is posted. */
void
va_run_result_add_warning (VaRunResult *self, const char *message)
{
  g_return_if_fail (VA_IS_RUN_RESULT (self));
  g_return_if_fail (message != NULL);
  if (!g_ptr_array_find_with_equal_func (self->warnings, message, g_str_equal, NULL))
    g_ptr_array_add (self->warnings, g_strdup (message));
}

/**
 * va_run_result_get_warnings:
 *
 * Returns: (array zero-terminated=1) (transfer none): the warnings the
 *   run's elements posted, each once
 */
const char *const *
va_run_result_get_warnings (VaRunResult *self)
{
  static const char *const none[] = { NULL };

  g_return_val_if_fail (VA_IS_RUN_RESULT (self), NULL);
  /* an empty array may not have allocated its terminator yet */
  return self->warnings->len > 0 ? (const char *const *)self->warnings->pdata : none;
}
