/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "va-archive-private.h"
#include "va-codec.h"
#include "va-error.h"
#include "va-export.h"

/* Data portability: `videoannotator export --job ID | --user USER -o
 * FILE.zip [--with-media]`. Layout (docs/operations.md, "Export"):
 *
 *   jobs/<id>/job.json        the job as the REST API shows it (config,
 *                             consent, state, times)
 *   jobs/<id>/results.json    its per-pipeline results
 *   jobs/<id>/files/<name>    every annotation file of the job
 *   jobs/<id>/media/<name>    the uploaded video (--with-media)
 *   keys.json                 (--user) the user's API keys, metadata only
 *   manifest.json             last: every other member's path, size, sha256
 *
 * Members are streamed into the zip one by one; the file appears whole
 * (temporary file, renamed) with mode 0600. Admin only; audited as
 * job.export / user.export. */

typedef struct {
  VaEngine *engine; /* the task's source object holds the reference */
  VaCaller *caller;
  char *job_id;
  char *user_id;
  char *output;
  VaExportFlags flags;
  struct archive *archive;
  JsonBuilder *manifest;
  guint jobs;
} VaExportOp;

static void
va_export_op_free (VaExportOp *op)
{
  if (op->archive != NULL)
    archive_write_free (op->archive);
  g_clear_object (&op->manifest);
  g_clear_object (&op->caller);
  g_free (op->job_id);
  g_free (op->user_id);
  g_free (op->output);
  g_free (op);
}

static gboolean
va_export_add_json (VaExportOp *op, const char *name, JsonNode *node, GError **error)
{
  g_autofree char *text = json_to_string (node, TRUE);
  return va_archive_add_bytes (op->archive, name, text, strlen (text), op->manifest, error);
}

static gboolean
va_export_add_job (VaExportOp *op, const char *job_id, GError **error)
{
  VaStore *store = va_engine_get_store (op->engine);
  VaStorage *storage = va_engine_get_storage (op->engine);
  g_autoptr (VaJob) job = va_store_get_job (store, job_id, error);
  g_autoptr (GPtrArray) results = NULL;
  g_autoptr (GPtrArray) files = NULL;
  g_autoptr (JsonNode) job_json = NULL;
  g_autoptr (JsonNode) results_json = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *prefix = g_strconcat ("jobs/", job_id, "/", NULL);
  g_autofree char *job_name = g_strconcat (prefix, "job.json", NULL);
  g_autofree char *results_name = g_strconcat (prefix, "results.json", NULL);
  const char *video = NULL;

  if (job == NULL)
    return FALSE;
  results = va_store_list_results (store, job_id, error);
  if (results == NULL)
    return FALSE;
  job_json = va_codec_to_json ((VaSerializable *)job);
  results_json = va_codec_list_to_json (results);
  if (!va_export_add_json (op, job_name, job_json, error)
      || !va_export_add_json (op, results_name, results_json, error))
    return FALSE;

  dir = va_storage_dup_job_dir (storage, job_id, error);
  if (dir == NULL)
    return FALSE;
  files = va_storage_list_job_files (storage, job_id, &local_error);
  if (files == NULL) {
    if (g_error_matches (local_error, VA_ERROR, VA_ERROR_NOT_FOUND))
      return TRUE; /* an upload that never completed has no files */
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }
  /* the upload's path relative to the job directory */
  if (va_job_get_video_path (job) != NULL && g_str_has_prefix (va_job_get_video_path (job), job_id))
    video = va_job_get_video_path (job) + strlen (job_id) + 1;
  for (guint i = 0; i < files->len; i++) {
    const char *relative = g_ptr_array_index (files, i);
    gboolean is_video = g_strcmp0 (relative, video) == 0;
    g_autofree char *path = g_build_filename (dir, relative, NULL);
    g_autofree char *name = NULL;
    gboolean ok;
    int fd;

    if (is_video && !(op->flags & VA_EXPORT_FLAGS_WITH_MEDIA))
      continue;
    name = g_strconcat (prefix, is_video ? "media/" : "files/", relative, NULL);
    fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
    if (fd < 0) {
      int saved = errno;
      g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot open %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
    ok = va_archive_add_fd (op->archive, fd, name, op->manifest, NULL, error);
    g_close (fd, NULL);
    if (!ok)
      return FALSE;
  }
  op->jobs++;
  return TRUE;
}

static gboolean
va_export_add_keys (VaExportOp *op, GError **error)
{
  g_autoptr (GPtrArray) keys
      = va_token_store_list_keys (va_engine_get_token_store (op->engine), error);
  g_autoptr (GPtrArray) mine = g_ptr_array_new ();
  g_autoptr (JsonNode) node = NULL;

  if (keys == NULL)
    return FALSE;
  for (guint i = 0; i < keys->len; i++) {
    VaApiKey *key = g_ptr_array_index (keys, i);
    if (g_strcmp0 (va_api_key_get_user_id (key), op->user_id) == 0)
      g_ptr_array_add (mine, key);
  }
  /* the codec never serializes digests or secrets */
  node = va_codec_list_to_json (mine);
  return va_export_add_json (op, "keys.json", node, error);
}

static gboolean
va_export_write (VaExportOp *op, int fd, GError **error)
{
  g_autoptr (GPtrArray) ids = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = g_date_time_format_iso8601 (now);
  g_autofree char *text = NULL;

  op->archive = archive_write_new ();
  if (archive_write_set_format_zip (op->archive) != ARCHIVE_OK
      || archive_write_open_fd (op->archive, fd) != ARCHIVE_OK)
    return va_archive_error (op->archive, op->output, error);
  op->manifest = json_builder_new ();
  json_builder_begin_array (op->manifest);

  if (op->job_id != NULL) {
    ids = g_ptr_array_new_with_free_func (g_free);
    g_ptr_array_add (ids, g_strdup (op->job_id));
  } else {
    ids = va_store_list_user_job_ids (va_engine_get_store (op->engine), op->user_id, error);
    if (ids == NULL || !va_export_add_keys (op, error))
      return FALSE;
  }
  for (guint i = 0; i < ids->len; i++) {
    g_autoptr (GError) local_error = NULL;
    if (!va_export_add_job (op, g_ptr_array_index (ids, i), &local_error)) {
      /* a user's job deleted meanwhile (or being deleted) is not theirs
       * any more; a job asked for by id must exist */
      if (op->user_id != NULL && g_error_matches (local_error, VA_ERROR, VA_ERROR_NOT_FOUND))
        continue;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  }

  json_builder_end_array (op->manifest);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "videoannotator-export");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "created");
  json_builder_add_string_value (b, created);
  json_builder_set_member_name (b, op->job_id != NULL ? "job_id" : "user_id");
  json_builder_add_string_value (b, op->job_id != NULL ? op->job_id : op->user_id);
  json_builder_set_member_name (b, "media");
  json_builder_add_boolean_value (b, (op->flags & VA_EXPORT_FLAGS_WITH_MEDIA) != 0);
  json_builder_set_member_name (b, "files");
  json_builder_add_value (b, json_builder_get_root (op->manifest));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, TRUE);
  if (!va_archive_add_bytes (op->archive, "manifest.json", text, strlen (text), NULL, error))
    return FALSE;
  if (archive_write_close (op->archive) != ARCHIVE_OK)
    return va_archive_error (op->archive, op->output, error);
  if (fsync (fd) != 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, saved == ENOSPC ? VA_ERROR_STORAGE_FULL : VA_ERROR_INTERNAL,
                 "Cannot write %s: %s", op->output, g_strerror (saved));
    return FALSE;
  }
  return TRUE;
}

static void
va_export_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  VaExportOp *op = task_data;
  g_autofree char *tmp = g_strconcat (op->output, ".XXXXXX", NULL);
  g_autoptr (JsonObject) detail = json_object_new ();
  g_autoptr (GError) audit_error = NULL;
  GError *error = NULL;
  gboolean ok;
  int fd;

  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    int saved = errno;
    g_task_return_new_error (task, VA_ERROR,
                             saved == ENOSPC ? VA_ERROR_STORAGE_FULL : VA_ERROR_INTERNAL,
                             "Cannot create %s: %s", tmp, g_strerror (saved));
    return;
  }
  ok = va_export_write (op, fd, &error);
  g_close (fd, NULL);
  if (ok && g_rename (tmp, op->output) != 0) {
    int saved = errno;
    g_set_error (&error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot rename %s to %s: %s", tmp, op->output,
                 g_strerror (saved));
    ok = FALSE;
  }
  if (!ok) {
    g_unlink (tmp);
    g_task_return_error (task, error);
    return;
  }
  json_object_set_int_member (detail, "jobs", op->jobs);
  json_object_set_boolean_member (detail, "media", (op->flags & VA_EXPORT_FLAGS_WITH_MEDIA) != 0);
  if (!va_audit_record (va_engine_get_audit (op->engine), op->caller,
                        op->job_id != NULL ? "job.export" : "user.export",
                        op->job_id != NULL ? op->job_id : op->user_id, detail, &audit_error))
    g_warning ("Cannot record the export: %s", audit_error->message);
  g_task_return_boolean (task, TRUE);
}

/**
 * va_export_write_async:
 * @caller: needs the admin scope
 * @job_id: (nullable): one job, or
 * @user_id: (nullable): every job of this user (exactly one of the two)
 * @output: the zip file to write (replaced atomically)
 *
 * Writes the export described at the top of va-export.c.
 */
void
va_export_write_async (VaEngine *engine, VaCaller *caller, const char *job_id, const char *user_id,
                       const char *output, VaExportFlags flags, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  GError *error = NULL;
  VaExportOp *op;

  g_return_if_fail (VA_IS_ENGINE (engine));
  g_return_if_fail (VA_IS_CALLER (caller));
  g_return_if_fail (output != NULL);

  task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, va_export_write_async);
  if (!va_caller_check_scope (caller, VA_SCOPE_ADMIN, &error)) {
    g_task_return_error (task, error);
    return;
  }
  if ((job_id == NULL) == (user_id == NULL) || (user_id != NULL && *user_id == '\0')) {
    g_task_return_new_error (task, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                             "Export one job or one user's jobs");
    return;
  }
  if (job_id != NULL && !va_storage_check_job_id (job_id, NULL)) {
    g_task_return_new_error (task, VA_ERROR, VA_ERROR_NOT_FOUND, "Job %s not found", job_id);
    return;
  }
  op = g_new0 (VaExportOp, 1);
  op->engine = engine;
  op->caller = g_object_ref (caller);
  op->job_id = g_strdup (job_id);
  op->user_id = g_strdup (user_id);
  op->output = g_canonicalize_filename (output, NULL);
  op->flags = flags;
  g_task_set_task_data (task, op, (GDestroyNotify)va_export_op_free);
  g_task_run_in_thread (task, va_export_thread);
}

/**
 * va_export_write_finish:
 * @n_jobs: (out) (optional): jobs in the export
 */
gboolean
va_export_write_finish (VaEngine *engine, GAsyncResult *result, guint *n_jobs, GError **error)
{
  VaExportOp *op;

  g_return_val_if_fail (g_task_is_valid (result, engine), FALSE);
  op = g_task_get_task_data (G_TASK (result));
  if (n_jobs != NULL && op != NULL)
    *n_jobs = op->jobs;
  return g_task_propagate_boolean (G_TASK (result), error);
}
