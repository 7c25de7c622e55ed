/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "va-engine-private.h"
#include "va-error.h"
#include "va-ingest.h"
#include "va-upload-private.h"

/* Server-side folder ingest (1.5 `POST /api/v1/ingest`): every video in a
 * folder on the server becomes a job, in one batch, without an upload.
 * Gated three ways, each on its own: an admin caller, a caller on this
 * machine (the transport says how the request arrived), and a folder
 * inside the configured `ingest-roots` after resolving symlinks; no roots
 * configured means the feature is off. Each job gets its own name for the
 * video in its folder (a hard link, or a copy across file systems), so
 * deleting a job never touches the original. */

typedef struct {
  /* in */
  gboolean local_caller;
  char *path;
  gboolean recursive;
  char *batch_id;
  char *batch_name;
  /* out */
  VaIngestOutcome *outcome;
  VaIngestRefusal refusal;
  GPtrArray *jobs; /* VaJob, for the main context */
} VaEngineIngest;

void
va_ingest_outcome_free (VaIngestOutcome *outcome)
{
  if (outcome == NULL)
    return;
  g_free (outcome->batch_id);
  g_free (outcome->batch_name);
  g_free (outcome->path);
  g_ptr_array_unref (outcome->created);
  g_ptr_array_unref (outcome->skipped);
  g_ptr_array_unref (outcome->reasons);
  g_free (outcome);
}

static void
va_engine_ingest_free (gpointer data)
{
  VaEngineIngest *in = data;

  g_free (in->path);
  g_free (in->batch_id);
  g_free (in->batch_name);
  va_ingest_outcome_free (in->outcome);
  g_clear_pointer (&in->jobs, g_ptr_array_unref);
  g_free (in);
}

/* One video → one job, through the submission path (validation, audit). */
static VaJob *
va_engine_ingest_one (VaEngine *self, VaEngineOp *op, VaEngineIngest *in, const char *video,
                      GError **error)
{
  g_autoptr (VaEngineOp) sub = NULL;
  g_autofree char *name = g_path_get_basename (video);
  GStatBuf st;

  if (g_stat (video, &st) != 0 || st.st_size == 0) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, N_ ("file is empty"));
    return NULL;
  }
  sub = va_engine_op_new (op->caller, NULL, NULL, NULL);
  sub->upload = va_engine_create_upload (self, op->caller, name, st.st_size, error);
  if (sub->upload == NULL || !va_upload_link_from (sub->upload, video, NULL, error))
    return NULL;
  va_upload_set_batch (sub->upload, in->outcome->batch_id, in->outcome->batch_name);
  sub->config = op->config != NULL ? json_object_ref (op->config) : NULL;
  sub->pipelines = g_strdupv (op->pipelines);
  if (!va_engine_submit_func (self, sub, error))
    return NULL;
  return g_steal_pointer (&sub->job);
}

static gboolean
va_engine_ingest_func (VaEngine *self, VaEngineOp *op, GError **error)
{
  VaEngineIngest *in = op->data;
  g_autofree char *folder = NULL;
  g_autoptr (GPtrArray) videos = NULL;
  g_autoptr (JsonObject) detail = json_object_new ();

  if (!va_engine_check_writable (self, op->caller, error))
    return FALSE;
  if (!va_caller_is_admin (op->caller)) {
    in->refusal = VA_INGEST_NOT_ADMIN;
    g_set_error_literal (error, VA_ERROR, VA_ERROR_FORBIDDEN,
                         N_ ("Administrator privileges required: only an admin key may read "
                             "folders on the server"));
    return FALSE;
  }
  if (!in->local_caller) {
    in->refusal = VA_INGEST_REMOTE_CALLER;
    g_set_error_literal (
        error, VA_ERROR, VA_ERROR_FORBIDDEN,
        N_ ("Folder ingest is only available to clients running on the same machine "
            "as the server"));
    return FALSE;
  }
  folder = va_ingest_resolve_folder (
      va_settings_get_strv (va_engine_get_settings (self), "ingest-roots"), in->path, &in->refusal,
      error);
  if (folder == NULL)
    return FALSE;
  /* the same checks an upload gets, before anything is created */
  if (!va_engine_check_submission (self, op->caller, op->config, (const char *const *)op->pipelines,
                                   NULL, error))
    return FALSE;
  if ((in->batch_id != NULL && !va_batch_check_id (in->batch_id, "batch_id", error))
      || (in->batch_name != NULL && !va_batch_check_id (in->batch_name, "batch_name", error)))
    return FALSE;
  videos = va_ingest_list_videos (folder, in->recursive, &in->refusal, error);
  if (videos == NULL)
    return FALSE;

  in->outcome = g_new0 (VaIngestOutcome, 1);
  in->outcome->batch_id = in->batch_id != NULL ? g_strdup (in->batch_id) : g_uuid_string_random ();
  in->outcome->batch_name
      = g_strdup (in->batch_name != NULL ? in->batch_name : strrchr (folder, '/') + 1);
  if (*in->outcome->batch_name == '\0')
    g_clear_pointer (&in->outcome->batch_name, g_free);
  in->outcome->path = g_strdup (folder);
  in->outcome->created = g_ptr_array_new_with_free_func (g_free);
  in->outcome->skipped = g_ptr_array_new_with_free_func (g_free);
  in->outcome->reasons = g_ptr_array_new_with_free_func (g_free);
  in->jobs = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < videos->len; i++) {
    const char *video = g_ptr_array_index (videos, i);
    g_autoptr (GError) local_error = NULL;
    VaJob *job = va_engine_ingest_one (self, op, in, video, &local_error);

    if (job == NULL) {
      /* one bad file does not sink the others (as in 1.5) */
      g_ptr_array_add (in->outcome->skipped, g_path_get_basename (video));
      g_ptr_array_add (in->outcome->reasons, g_strdup (local_error->message));
      continue;
    }
    g_ptr_array_add (in->outcome->created, g_strdup (va_job_get_id (job)));
    g_ptr_array_add (in->jobs, job);
  }
  json_object_set_string_member (detail, "batch_id", in->outcome->batch_id);
  json_object_set_string_member (detail, "path", folder);
  json_object_set_int_member (detail, "created", in->outcome->created->len);
  json_object_set_int_member (detail, "skipped", in->outcome->skipped->len);
  va_engine_audit (self, op->caller, "job.ingest", in->outcome->batch_id, detail);
  return TRUE;
}

static void
va_engine_ingest_main (VaEngine *self, VaEngineOp *op)
{
  VaEngineIngest *in = op->data;

  for (guint i = 0; i < in->jobs->len; i++) {
    op->job = g_ptr_array_index (in->jobs, i);
    va_engine_submit_main (self, op);
  }
  op->job = NULL;
}

/**
 * va_engine_ingest_folder_async:
 * @local_caller: the request came from this machine (loopback), as the
 *   transport saw it
 * @path: an absolute folder path on the server
 * @config: (nullable): every job's configuration
 * @pipelines: (nullable): every job's pipelines
 * @batch_id: (nullable): the batch; a new UUID when %NULL
 * @batch_name: (nullable): its name; the folder's name when %NULL
 */
void
va_engine_ingest_folder_async (VaEngine *self, VaCaller *caller, gboolean local_caller,
                               const char *path, gboolean recursive, JsonObject *config,
                               const char *const *pipelines, const char *batch_id,
                               const char *batch_name, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  VaEngineOp *op;
  VaEngineIngest *in;

  g_return_if_fail (VA_IS_ENGINE (self));
  g_return_if_fail (VA_IS_CALLER (caller));

  op = va_engine_op_new (caller, NULL, va_engine_ingest_func, va_engine_ingest_main);
  op->config = config != NULL ? json_object_ref (config) : NULL;
  op->pipelines = g_strdupv ((char **)pipelines);
  in = g_new0 (VaEngineIngest, 1);
  in->local_caller = local_caller;
  in->path = g_strdup (path);
  in->recursive = recursive;
  in->batch_id = g_strdup (batch_id);
  in->batch_name = g_strdup (batch_name);
  op->data = in;
  op->data_free = va_engine_ingest_free;
  va_engine_op_run_async (self, op, va_engine_ingest_folder_async, cancellable, callback,
                          user_data);
}

/**
 * va_engine_ingest_folder_finish:
 * @refusal: (out) (optional): why it was refused, %VA_INGEST_OK otherwise
 *
 * Returns: (transfer full) (nullable): the jobs created and the files
 *   skipped, or %NULL with the error
 */
VaIngestOutcome *
va_engine_ingest_folder_finish (VaEngine *self, GAsyncResult *result, VaIngestRefusal *refusal,
                                GError **error)
{
  VaEngineOp *op;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  op = g_task_get_task_data (G_TASK (result));
  if (refusal != NULL)
    *refusal = ((VaEngineIngest *)op->data)->refusal;
  op = va_engine_op_finish (self, result, va_engine_ingest_folder_async, error);
  if (op == NULL)
    return NULL;
  return g_steal_pointer (&((VaEngineIngest *)op->data)->outcome);
}
