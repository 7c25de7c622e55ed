/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "va-job-result.h"
#include "va-serializable.h"

/**
 * VaJobResult:
 *
 * What one pipeline produced for one job (a row of `pipeline_results`).
 * `processing_time` is in seconds, as the REST API reports it.
 */
struct _VaJobResult {
  GObject parent_instance;

  char *job_id;
  char *pipeline_name;
  VaJobStatus status;
  GDateTime *start_time;
  GDateTime *end_time;
  double processing_time; /* seconds; < 0: unknown */
  gint64 annotation_count;
  char *output_file; /* relative to the job's storage directory */
  char *error_message;
  GStrv files; /* names of every file the pipeline wrote, when listed */
};

static void va_job_result_serializable_init (VaSerializableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VaJobResult, va_job_result, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VA_TYPE_SERIALIZABLE,
                                                      va_job_result_serializable_init))

static void
va_job_result_serialize (VaSerializable *serializable, VaCodec *codec)
{
  VaJobResult *self = VA_JOB_RESULT (serializable);

  va_codec_add_string (codec, "job_id", self->job_id);
  va_codec_add_string (codec, "pipeline_name", self->pipeline_name);
  va_codec_add_string (codec, "status", va_job_status_to_string (self->status));
  va_codec_add_datetime (codec, "start_time", self->start_time);
  va_codec_add_datetime (codec, "end_time", self->end_time);
  if (self->processing_time >= 0)
    va_codec_add_double (codec, "processing_time", self->processing_time);
  else
    va_codec_add_null (codec, "processing_time");
  va_codec_add_int (codec, "annotation_count", self->annotation_count);
  va_codec_add_string (codec, "output_file", self->output_file);
  va_codec_add_string (codec, "error_message", self->error_message);
  va_codec_add_strv (codec, "files",
                     self->files != NULL ? (const char *const *)self->files
                                         : (const char *const[]){ NULL });
}

static void
va_job_result_serializable_init (VaSerializableInterface *iface)
{
  iface->serialize = va_job_result_serialize;
}

static void
va_job_result_finalize (GObject *object)
{
  VaJobResult *self = VA_JOB_RESULT (object);

  g_free (self->job_id);
  g_free (self->pipeline_name);
  g_clear_pointer (&self->start_time, g_date_time_unref);
  g_clear_pointer (&self->end_time, g_date_time_unref);
  g_free (self->output_file);
  g_free (self->error_message);
  g_strfreev (self->files);

  G_OBJECT_CLASS (va_job_result_parent_class)->finalize (object);
}

static void
va_job_result_class_init (VaJobResultClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = va_job_result_finalize;
}

static void
va_job_result_init (VaJobResult *self)
{
  self->status = VA_JOB_STATUS_PENDING;
  self->processing_time = -1;
}

/**
 * va_job_result_new:
 * @job_id: the job
 * @pipeline_name: a registry pipeline name, e.g. "scene_detection"
 *
 * Returns: (transfer full): a pending result with no output yet
 */
VaJobResult *
va_job_result_new (const char *job_id, const char *pipeline_name)
{
  VaJobResult *self;

  g_return_val_if_fail (job_id != NULL, NULL);
  g_return_val_if_fail (pipeline_name != NULL, NULL);

  self = g_object_new (VA_TYPE_JOB_RESULT, NULL);
  self->job_id = g_strdup (job_id);
  self->pipeline_name = g_strdup (pipeline_name);
  return self;
}

const char *
va_job_result_get_job_id (VaJobResult *self)
{
  g_return_val_if_fail (VA_IS_JOB_RESULT (self), NULL);
  return self->job_id;
}

const char *
va_job_result_get_pipeline_name (VaJobResult *self)
{
  g_return_val_if_fail (VA_IS_JOB_RESULT (self), NULL);
  return self->pipeline_name;
}

VaJobStatus
va_job_result_get_status (VaJobResult *self)
{
  g_return_val_if_fail (VA_IS_JOB_RESULT (self), VA_JOB_STATUS_PENDING);
  return self->status;
}

void
va_job_result_set_status (VaJobResult *self, VaJobStatus status)
{
  g_return_if_fail (VA_IS_JOB_RESULT (self));
  g_return_if_fail ((guint)status < VA_JOB_N_STATUSES);
  self->status = status;
}

GDateTime *
va_job_result_get_start_time (VaJobResult *self)
{
  g_return_val_if_fail (VA_IS_JOB_RESULT (self), NULL);
  return self->start_time;
}

void
va_job_result_set_start_time (VaJobResult *self, GDateTime *when)
{
  g_return_if_fail (VA_IS_JOB_RESULT (self));
  g_clear_pointer (&self->start_time, g_date_time_unref);
  if (when != NULL)
    self->start_time = g_date_time_ref (when);
}

GDateTime *
va_job_result_get_end_time (VaJobResult *self)
{
  g_return_val_if_fail (VA_IS_JOB_RESULT (self), NULL);
  return self->end_time;
}

void
va_job_result_set_end_time (VaJobResult *self, GDateTime *when)
{
  g_return_if_fail (VA_IS_JOB_RESULT (self));
  g_clear_pointer (&self->end_time, g_date_time_unref);
  if (when != NULL)
    self->end_time = g_date_time_ref (when);
}

double
va_job_result_get_processing_time (VaJobResult *self)
{
  g_return_val_if_fail (VA_IS_JOB_RESULT (self), -1);
  return self->processing_time;
}

/* seconds; negative for unknown */
void
va_job_result_set_processing_time (VaJobResult *self, double seconds)
{
  g_return_if_fail (VA_IS_JOB_RESULT (self));
  self->processing_time = (seconds < 0 || isnan (seconds)) ? -1 : seconds;
}

gint64
va_job_result_get_annotation_count (VaJobResult *self)
{
  g_return_val_if_fail (VA_IS_JOB_RESULT (self), 0);
  return self->annotation_count;
}

void
va_job_result_set_annotation_count (VaJobResult *self, gint64 count)
{
  g_return_if_fail (VA_IS_JOB_RESULT (self));
  self->annotation_count = MAX (count, 0);
}

const char *
va_job_result_get_output_file (VaJobResult *self)
{
  g_return_val_if_fail (VA_IS_JOB_RESULT (self), NULL);
  return self->output_file;
}

void
va_job_result_set_output_file (VaJobResult *self, const char *path)
{
  g_return_if_fail (VA_IS_JOB_RESULT (self));
  g_free (self->output_file);
  self->output_file = g_strdup (path);
}

const char *
va_job_result_get_error_message (VaJobResult *self)
{
  g_return_val_if_fail (VA_IS_JOB_RESULT (self), NULL);
  return self->error_message;
}

void
va_job_result_set_error_message (VaJobResult *self, const char *message)
{
  g_return_if_fail (VA_IS_JOB_RESULT (self));
  g_free (self->error_message);
  self->error_message = g_strdup (message);
}

/**
 * va_job_result_get_files:
 *
 * Returns: (nullable) (array zero-terminated=1): the names of every file
 *   the pipeline wrote that is still there (beside output_file), as the
 *   engine lists them for a reader; %NULL when not listed
 */
const char *const *
va_job_result_get_files (VaJobResult *self)
{
  g_return_val_if_fail (VA_IS_JOB_RESULT (self), NULL);
  return (const char *const *)self->files;
}

void
va_job_result_set_files (VaJobResult *self, const char *const *files)
{
  g_return_if_fail (VA_IS_JOB_RESULT (self));
  g_strfreev (self->files);
  self->files = g_strdupv ((char **)files);
}
