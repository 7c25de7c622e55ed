/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gunixinputstream.h>
#include <sys/types.h>
#include <unistd.h>

#include "va-engine-private.h"
#include "va-error.h"

/* The job's own video, for players that seek: the stored upload, opened
 * like any other file of the job (inside its directory, no links), with
 * the requested byte range resolved here so that what is served and what
 * is audited agree. */

typedef struct {
  char *range_header;
  VaByteRange range;
  char *content_type;
} VaEngineVideoOp;

static void
va_engine_video_op_free (VaEngineVideoOp *v)
{
  g_free (v->range_header);
  g_free (v->content_type);
  g_free (v);
}

static char *
va_engine_video_content_type (VaJob *job)
{
  const char *name = va_job_get_video_filename (job);
  g_autofree char *guessed = NULL;
  g_autofree char *mime = NULL;

  if (name == NULL)
    name = va_job_get_video_path (job);
  guessed = g_content_type_guess (name, NULL, 0, NULL);
  mime = guessed != NULL ? g_content_type_get_mime_type (guessed) : NULL;
  if (mime == NULL || !(g_str_has_prefix (mime, "video/") || g_str_has_prefix (mime, "audio/")))
    return g_strdup ("application/octet-stream");
  return g_steal_pointer (&mime);
}

static gboolean
va_engine_video_func (VaEngine *self, VaEngineOp *op, GError **error)
{
  VaEngineVideoOp *v = op->data;
  g_autoptr (JsonObject) detail = NULL;
  const char *video;

  op->job = va_engine_lookup_job (self, op->caller, op->job_id, VA_SCOPE_READ, error);
  if (op->job == NULL)
    return FALSE;
  video = va_job_get_video_path (op->job);
  if (video == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, "Job %s has no stored video", op->job_id);
    return FALSE;
  }
  op->stream = va_engine_open_job_file (self, op->job_id, video, &op->size, error);
  if (op->stream == NULL)
    return FALSE;
  va_byte_range_parse (v->range_header, op->size, &v->range);
  if (v->range.result == VA_BYTE_RANGE_PARTIAL
      && lseek (g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (op->stream)),
                (off_t)v->range.start, SEEK_SET)
             < 0) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot seek in the video of job %s",
                 op->job_id);
    return FALSE;
  }
  v->content_type = va_engine_video_content_type (op->job);
  op->basename = g_strdup (va_job_get_video_filename (op->job));

  detail = va_engine_owner_detail (op->caller, op->job);
  json_object_set_int_member (detail, "size", (gint64)op->size);
  if (v->range.result == VA_BYTE_RANGE_PARTIAL) {
    json_object_set_int_member (detail, "range_start", (gint64)v->range.start);
    json_object_set_int_member (detail, "range_length", (gint64)v->range.length);
  } else if (v->range.result == VA_BYTE_RANGE_UNSATISFIABLE) {
    json_object_set_boolean_member (detail, "unsatisfiable", TRUE);
  }
  va_engine_audit (self, op->caller, "job.video.read", op->job_id, detail);
  return TRUE;
}

/**
 * va_engine_open_video_async:
 * @range: (nullable): the client's `Range` header, as sent
 *
 * Opens the job's stored video for playback (audited as a read of the
 * job's data), positioned at the start of the requested range.
 */
void
va_engine_open_video_async (VaEngine *self, VaCaller *caller, const char *job_id, const char *range,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  VaEngineOp *op;
  VaEngineVideoOp *v;

  g_return_if_fail (VA_IS_ENGINE (self));
  g_return_if_fail (VA_IS_CALLER (caller));

  op = va_engine_op_new (caller, job_id, va_engine_video_func, NULL);
  v = g_new0 (VaEngineVideoOp, 1);
  v->range_header = g_strdup (range);
  op->data = v;
  op->data_free = (GDestroyNotify)va_engine_video_op_free;
  va_engine_op_run_async (self, op, va_engine_open_video_async, cancellable, callback, user_data);
}

/**
 * va_engine_open_video_finish:
 * @range: (out): what to send (whole, one range, or unsatisfiable)
 * @content_type: (out) (transfer full): the video's media type
 * @filename: (out) (optional) (transfer full) (nullable): the name it was
 *   uploaded under
 *
 * Returns: (transfer full) (nullable): a stream positioned at
 *   @range->start, or %NULL with %VA_ERROR_NOT_FOUND (job or video) or
 *   %VA_ERROR_INTERNAL (the file is missing on disk)
 */
GInputStream *
va_engine_open_video_finish (VaEngine *self, GAsyncResult *result, VaByteRange *range,
                             char **content_type, char **filename, GError **error)
{
  VaEngineOp *op = va_engine_op_finish (self, result, va_engine_open_video_async, error);
  VaEngineVideoOp *v;

  if (op == NULL)
    return NULL;
  v = op->data;
  *range = v->range;
  *content_type = g_steal_pointer (&v->content_type);
  if (filename != NULL)
    *filename = g_steal_pointer (&op->basename);
  return g_steal_pointer (&op->stream);
}
