/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine-private.h"
#include "va-error.h"
#include "va-upload-private.h"

/* Run a finished job again (1.6 `POST /api/v1/jobs/{id}/rerun`): a new job
 * of the same owner on the same video, with the same or new pipelines and
 * configuration. The new job gets its own copy of the video in its own
 * folder — a hard link where the file system allows, so nothing is copied
 * — and goes through the same path as an upload (typefinding, validation,
 * the queue, the audit), so deleting either job leaves the other whole. */

static gboolean
va_engine_rerun_func (VaEngine *self, VaEngineOp *op, GError **error)
{
  g_autoptr (VaJob) original = NULL;
  g_autofree char *source = NULL;
  const char *video;

  original = va_engine_lookup_job (self, op->caller, op->job_id, VA_SCOPE_WRITE, error);
  if (original == NULL)
    return FALSE;
  if (!va_job_status_is_terminal (va_job_get_status (original))) {
    g_set_error (error, VA_ERROR, VA_ERROR_CONFLICT,
                 "Job %s is still %s; it can run again once it has ended", op->job_id,
                 va_job_status_to_string (va_job_get_status (original)));
    return FALSE;
  }
  video = va_job_get_video_path (original);
  if (video == NULL
      || (source = va_storage_resolve (va_engine_get_storage (self), video, NULL)) == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, "Job %s has no stored video", op->job_id);
    return FALSE;
  }
  op->upload = va_engine_create_upload (self, op->caller, va_job_get_video_filename (original),
                                        va_job_get_video_size_bytes (original), error);
  if (op->upload == NULL)
    return FALSE;
  if (!va_upload_link_from (op->upload, source, va_job_get_input_sha256 (original), error))
    return FALSE;
  va_upload_set_rerun_of (op->upload, op->job_id);
  /* what the client did not replace is the original's */
  if (op->config == NULL)
    op->config = json_object_ref (va_job_get_config (original));
  if (op->pipelines == NULL)
    op->pipelines = g_strdupv ((char **)va_job_get_selected_pipelines (original));
  if (va_job_get_consent (original) != NULL)
    op->consent = json_object_ref (va_job_get_consent (original));
  return va_engine_submit_func (self, op, error);
}

/**
 * va_engine_rerun_job_async:
 * @job_id: a completed, failed or cancelled job the caller may change
 * @config: (nullable): the new job's configuration; %NULL: the original's
 * @pipelines: (nullable): its pipelines; %NULL: the original's
 *
 * Creates a pending job on the same video (`rerun_of` names the
 * original). Fails with %VA_ERROR_NOT_FOUND (job, or its video),
 * %VA_ERROR_CONFLICT (still pending or running), or as a submission does.
 */
void
va_engine_rerun_job_async (VaEngine *self, VaCaller *caller, const char *job_id, JsonObject *config,
                           const char *const *pipelines, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  VaEngineOp *op;

  g_return_if_fail (VA_IS_ENGINE (self));
  g_return_if_fail (VA_IS_CALLER (caller));

  op = va_engine_op_new (caller, job_id, va_engine_rerun_func, va_engine_submit_main);
  op->config = config != NULL ? json_object_ref (config) : NULL;
  op->pipelines = g_strdupv ((char **)pipelines);
  va_engine_op_run_async (self, op, va_engine_rerun_job_async, cancellable, callback, user_data);
}

/**
 * va_engine_rerun_job_finish:
 *
 * Returns: (transfer full) (nullable): the new job
 */
VaJob *
va_engine_rerun_job_finish (VaEngine *self, GAsyncResult *result, GError **error)
{
  VaEngineOp *op = va_engine_op_finish (self, result, va_engine_rerun_job_async, error);

  return op != NULL ? g_steal_pointer (&op->job) : NULL;
}
