/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine-private.h"
#include "va-error.h"
#include "va-recovery.h"

/* Batches (1.5 `/api/v1/batches`): jobs sharing a client-chosen
 * `batch_id`. A caller sees and acts on its own jobs of a batch only,
 * every job of it when admin; another user's batch reads as empty, the
 * way another user's job reads as missing. */

static const char *
va_engine_batch_owner (VaCaller *caller)
{
  return va_caller_is_admin (caller) ? NULL : va_caller_get_user_id (caller);
}

void
va_batch_outcome_free (VaBatchOutcome *outcome)
{
  if (outcome == NULL)
    return;
  g_free (outcome->batch_id);
  g_ptr_array_unref (outcome->done);
  g_ptr_array_unref (outcome->skipped);
  g_ptr_array_unref (outcome->reasons);
  g_free (outcome);
}

static VaBatchOutcome *
va_batch_outcome_new (const char *batch_id)
{
  VaBatchOutcome *outcome = g_new0 (VaBatchOutcome, 1);

  outcome->batch_id = g_strdup (batch_id);
  outcome->done = g_ptr_array_new_with_free_func (g_free);
  outcome->skipped = g_ptr_array_new_with_free_func (g_free);
  outcome->reasons = g_ptr_array_new_with_free_func (g_free);
  return outcome;
}

static void
va_batch_outcome_skip (VaBatchOutcome *outcome, const char *job_id, char *reason)
{
  g_ptr_array_add (outcome->skipped, g_strdup (job_id));
  g_ptr_array_add (outcome->reasons, reason);
}

static gboolean
va_engine_check_batch_id (const char *batch_id, GError **error)
{
  return va_batch_check_id (batch_id != NULL ? batch_id : "", "batch_id", error);
}

/* ---- list and summary --------------------------------------------------------- */

static gboolean
va_engine_list_batches_func (VaEngine *self, VaEngineOp *op, GError **error)
{
  if (!va_caller_check_scope (op->caller, VA_SCOPE_READ, error))
    return FALSE;
  op->items = va_store_list_batches (va_engine_get_store (self), va_engine_batch_owner (op->caller),
                                     op->page, op->per_page, &op->total, error);
  return op->items != NULL;
}

/**
 * va_engine_list_batches_async:
 * @page: 1-based page
 * @per_page: 1 … %VA_STORE_MAX_PER_PAGE
 *
 * The batches of the caller's jobs (of every job for an admin), newest
 * first, each counted over the jobs the caller may see.
 */
void
va_engine_list_batches_async (VaEngine *self, VaCaller *caller, guint page, guint per_page,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  VaEngineOp *op;

  g_return_if_fail (VA_IS_ENGINE (self));
  g_return_if_fail (VA_IS_CALLER (caller));

  op = va_engine_op_new (caller, NULL, va_engine_list_batches_func, NULL);
  op->page = page;
  op->per_page = per_page;
  va_engine_op_run_async (self, op, va_engine_list_batches_async, cancellable, callback, user_data);
}

/**
 * va_engine_list_batches_finish:
 * @total: (out) (optional): batches over all pages
 *
 * Returns: (transfer container) (element-type VaBatch) (nullable): the page
 */
GPtrArray *
va_engine_list_batches_finish (VaEngine *self, GAsyncResult *result, guint64 *total, GError **error)
{
  VaEngineOp *op = va_engine_op_finish (self, result, va_engine_list_batches_async, error);

  if (op == NULL)
    return NULL;
  if (total != NULL)
    *total = op->total;
  return g_steal_pointer (&op->items);
}

static gboolean
va_engine_get_batch_func (VaEngine *self, VaEngineOp *op, GError **error)
{
  if (!va_caller_check_scope (op->caller, VA_SCOPE_READ, error)
      || !va_engine_check_batch_id (op->job_id, error))
    return FALSE;
  op->data = va_store_get_batch (va_engine_get_store (self), op->job_id,
                                 va_engine_batch_owner (op->caller), error);
  op->data_free = g_object_unref;
  return op->data != NULL;
}

/**
 * va_engine_get_batch_async:
 *
 * The summary of one batch. A batch no visible job carries is an empty
 * summary (total 0), not an error: a batch is whatever its jobs are now.
 */
void
va_engine_get_batch_async (VaEngine *self, VaCaller *caller, const char *batch_id,
                           GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_return_if_fail (VA_IS_ENGINE (self));
  g_return_if_fail (VA_IS_CALLER (caller));

  va_engine_op_run_async (self, va_engine_op_new (caller, batch_id, va_engine_get_batch_func, NULL),
                          va_engine_get_batch_async, cancellable, callback, user_data);
}

/**
 * va_engine_get_batch_finish:
 *
 * Returns: (transfer full) (nullable): the summary, or %NULL with
 *   %VA_ERROR_INVALID_ARGUMENT for an id no batch can have
 */
VaBatch *
va_engine_get_batch_finish (VaEngine *self, GAsyncResult *result, GError **error)
{
  VaEngineOp *op = va_engine_op_finish (self, result, va_engine_get_batch_async, error);

  if (op == NULL)
    return NULL;
  op->data_free = NULL;
  return g_steal_pointer (&op->data);
}

/* ---- cancel and retry ------------------------------------------------------------ */

/* In the worker thread: the batch's jobs the caller may change. The
 * changes themselves are made in the main context, where the queue can
 * tell whether a job's run is still stopping. */
static gboolean
va_engine_batch_jobs_func (VaEngine *self, VaEngineOp *op, GError **error)
{
  if (!va_engine_check_writable (self, op->caller, error)
      || !va_engine_check_batch_id (op->job_id, error))
    return FALSE;
  op->items = va_store_list_batch_jobs (va_engine_get_store (self), op->job_id,
                                        va_engine_batch_owner (op->caller), error);
  if (op->items == NULL)
    return FALSE;
  op->data = va_batch_outcome_new (op->job_id);
  op->data_free = (GDestroyNotify)va_batch_outcome_free;
  return TRUE;
}

static void
va_engine_cancel_batch_main (VaEngine *self, VaEngineOp *op)
{
  VaBatchOutcome *outcome = op->data;
  g_autoptr (JsonObject) detail = json_object_new ();

  for (guint i = 0; i < op->items->len; i++) {
    VaJob *job = g_ptr_array_index (op->items, i);
    const char *id = va_job_get_id (job);
    VaJobStatus status = va_job_get_status (job);
    g_autoptr (GError) error = NULL;
    g_autoptr (VaJob) cancelled = NULL;

    if (status == VA_JOB_STATUS_COMPLETED || status == VA_JOB_STATUS_FAILED) {
      va_batch_outcome_skip (outcome, id,
                             g_strdup_printf ("Cannot cancel job %s in %s state", id,
                                              va_job_status_to_string (status)));
      continue;
    }
    if (status == VA_JOB_STATUS_CANCELLED) {
      /* idempotent, as for one job */
      g_ptr_array_add (outcome->done, g_strdup (id));
      continue;
    }
    if (!va_store_set_job_status (va_engine_get_store (self), id, VA_JOB_STATUS_CANCELLED,
                                  "Job cancelled by user request", &error)) {
      /* it ended (or went away) since it was read */
      va_batch_outcome_skip (outcome, id, g_strdup (error->message));
      continue;
    }
    g_ptr_array_add (outcome->done, g_strdup (id));
    cancelled = va_store_get_job (va_engine_get_store (self), id, NULL);
    if (cancelled != NULL)
      va_engine_emit_job_cancelled (self, cancelled);
  }
  json_object_set_string_member (detail, "batch_id", outcome->batch_id);
  json_object_set_int_member (detail, "cancelled", outcome->done->len);
  json_object_set_int_member (detail, "skipped", outcome->skipped->len);
  va_engine_audit (self, op->caller, "batch.cancel", outcome->batch_id, detail);
}

/**
 * va_engine_cancel_batch_async:
 *
 * Cancels every pending or running job of the batch the caller may
 * change; completed and failed jobs are reported as skipped, cancelled
 * ones as cancelled (idempotent). Finish with
 * va_engine_batch_outcome_finish().
 */
void
va_engine_cancel_batch_async (VaEngine *self, VaCaller *caller, const char *batch_id,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_return_if_fail (VA_IS_ENGINE (self));
  g_return_if_fail (VA_IS_CALLER (caller));

  va_engine_op_run_async (
      self,
      va_engine_op_new (caller, batch_id, va_engine_batch_jobs_func, va_engine_cancel_batch_main),
      va_engine_batch_outcome_finish, cancellable, callback, user_data);
}

/* Puts one failed or cancelled job back in the queue; NULL or why not. */
static char *
va_engine_retry_one (VaEngine *self, VaJob *job)
{
  const char *id = va_job_get_id (job);
  VaJobStatus status = va_job_get_status (job);
  const char *video = va_job_get_video_path (job);
  g_autoptr (GError) error = NULL;
  g_autofree char *source = NULL;
  g_autoptr (VaJob) requeued = NULL;
  guint64 bytes = 0;

  if (status != VA_JOB_STATUS_FAILED && status != VA_JOB_STATUS_CANCELLED)
    return g_strdup_printf ("Job %s is %s; only failed or cancelled jobs are retried", id,
                            va_job_status_to_string (status));
  if (va_job_queue_has_job (va_engine_get_queue (self), id))
    return g_strdup_printf ("Job %s is still stopping; retry it in a moment", id);
  if (video == NULL
      || (source = va_storage_resolve (va_engine_get_storage (self), video, NULL)) == NULL
      || !g_file_test (source, G_FILE_TEST_IS_REGULAR))
    return g_strdup_printf ("Job %s has no stored video", id);
  if (!va_recovery_clear_run (va_engine_get_storage (self), job, &bytes, &error))
    return g_strdup_printf ("Cannot remove the previous run's outputs: %s", error->message);
  if (!va_store_requeue_job (va_engine_get_store (self), id, &error))
    return g_strdup (error->message);
  requeued = va_store_get_job (va_engine_get_store (self), id, NULL);
  if (requeued != NULL) {
    va_engine_queue_job_added (self, requeued);
    va_engine_emit_job_updated (self, requeued);
  }
  return NULL;
}

static void
va_engine_retry_batch_main (VaEngine *self, VaEngineOp *op)
{
  VaBatchOutcome *outcome = op->data;
  g_autoptr (JsonObject) detail = json_object_new ();

  for (guint i = 0; i < op->items->len; i++) {
    VaJob *job = g_ptr_array_index (op->items, i);
    char *reason = va_engine_retry_one (self, job);

    if (reason == NULL)
      g_ptr_array_add (outcome->done, g_strdup (va_job_get_id (job)));
    else
      va_batch_outcome_skip (outcome, va_job_get_id (job), reason);
  }
  json_object_set_string_member (detail, "batch_id", outcome->batch_id);
  json_object_set_int_member (detail, "retried", outcome->done->len);
  json_object_set_int_member (detail, "skipped", outcome->skipped->len);
  va_engine_audit (self, op->caller, "batch.retry", outcome->batch_id, detail);
}

/**
 * va_engine_retry_batch_async:
 *
 * Runs every failed or cancelled job of the batch the caller may change
 * again, in place: same job id, previous outputs and results removed,
 * back to `pending`. Other jobs are reported as skipped with the reason.
 * Finish with va_engine_batch_outcome_finish().
 */
void
va_engine_retry_batch_async (VaEngine *self, VaCaller *caller, const char *batch_id,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_return_if_fail (VA_IS_ENGINE (self));
  g_return_if_fail (VA_IS_CALLER (caller));

  va_engine_op_run_async (
      self,
      va_engine_op_new (caller, batch_id, va_engine_batch_jobs_func, va_engine_retry_batch_main),
      va_engine_batch_outcome_finish, cancellable, callback, user_data);
}

/**
 * va_engine_batch_outcome_finish:
 *
 * Returns: (transfer full) (nullable): which jobs were cancelled (or
 *   retried) and which were skipped, or %NULL with %VA_ERROR_FORBIDDEN,
 *   %VA_ERROR_READ_ONLY or %VA_ERROR_INVALID_ARGUMENT
 */
VaBatchOutcome *
va_engine_batch_outcome_finish (VaEngine *self, GAsyncResult *result, GError **error)
{
  VaEngineOp *op = va_engine_op_finish (self, result, va_engine_batch_outcome_finish, error);

  if (op == NULL)
    return NULL;
  op->data_free = NULL;
  return g_steal_pointer (&op->data);
}
