/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "va-error.h"
#include "va-export.h"

/* `videoannotator export -o FILE.zip`: the export (va-export.c) written
 * into a file that appears whole (temporary file, fsync, rename), mode
 * 0600. */

typedef struct {
  char *output;
  int fd;
  VaExport *export;
  guint jobs;
} VaExportFileOp;

static void
va_export_file_op_free (VaExportFileOp *op)
{
  g_free (op->output);
  g_clear_pointer (&op->export, va_export_free);
  g_free (op);
}

static gboolean
va_export_file_write (gpointer data, const void *buffer, gsize length, GError **error)
{
  VaExportFileOp *op = data;
  const guint8 *p = buffer;

  while (length > 0) {
    gssize n = write (op->fd, p, length);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int saved = errno;
      g_set_error (error, VA_ERROR, saved == ENOSPC ? VA_ERROR_STORAGE_FULL : VA_ERROR_INTERNAL,
                   "Cannot write %s: %s", op->output, g_strerror (saved));
      return FALSE;
    }
    p += n;
    length -= n;
  }
  return TRUE;
}

static gboolean
va_export_file_fill (VaExportFileOp *op, GError **error)
{
  if (!va_export_start (op->export, va_export_file_write, op, error))
    return FALSE;
  while (!va_export_is_done (op->export)) {
    if (!va_export_step (op->export, error))
      return FALSE;
  }
  if (fsync (op->fd) != 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, saved == ENOSPC ? VA_ERROR_STORAGE_FULL : VA_ERROR_INTERNAL,
                 "Cannot write %s: %s", op->output, g_strerror (saved));
    return FALSE;
  }
  return TRUE;
}

static void
va_export_file_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  VaExportFileOp *op = task_data;
  g_autofree char *tmp = g_strconcat (op->output, ".XXXXXX", NULL);
  GError *error = NULL;
  gboolean ok;

  op->fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);
  if (op->fd < 0) {
    int saved = errno;
    g_task_return_new_error (task, VA_ERROR,
                             saved == ENOSPC ? VA_ERROR_STORAGE_FULL : VA_ERROR_INTERNAL,
                             "Cannot create %s: %s", tmp, g_strerror (saved));
    return;
  }
  ok = va_export_file_fill (op, &error);
  g_close (op->fd, NULL);
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
  op->jobs = va_export_get_n_jobs (op->export);
  g_task_return_boolean (task, TRUE);
}

static void
va_export_file_prepared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  VaExportFileOp *op = g_task_get_task_data (task);
  GError *error = NULL;

  op->export = va_export_prepare_finish (VA_ENGINE (source), result, &error);
  if (op->export == NULL) {
    g_task_return_error (task, error);
    return;
  }
  g_task_run_in_thread (task, va_export_file_thread);
}

/**
 * va_export_write_async:
 * @caller: as for va_export_prepare_async()
 * @output: the zip file to write (replaced atomically)
 *
 * Writes the export of one job or of one user's jobs into @output; no
 * file is made when the export is refused.
 */
void
va_export_write_async (VaEngine *engine, VaCaller *caller, const char *job_id, const char *user_id,
                       const char *output, VaExportFlags flags, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;
  VaExportFileOp *op;

  g_return_if_fail (VA_IS_ENGINE (engine));
  g_return_if_fail (output != NULL);

  task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, va_export_write_async);
  op = g_new0 (VaExportFileOp, 1);
  op->output = g_canonicalize_filename (output, NULL);
  op->fd = -1;
  g_task_set_task_data (task, op, (GDestroyNotify)va_export_file_op_free);
  va_export_prepare_async (engine, caller, job_id, user_id, flags, cancellable,
                           va_export_file_prepared, task);
}

/**
 * va_export_write_finish:
 * @n_jobs: (out) (optional): jobs in the export
 */
gboolean
va_export_write_finish (VaEngine *engine, GAsyncResult *result, guint *n_jobs, GError **error)
{
  VaExportFileOp *op;

  g_return_val_if_fail (g_task_is_valid (result, engine), FALSE);
  op = g_task_get_task_data (G_TASK (result));
  if (n_jobs != NULL)
    *n_jobs = op->jobs;
  return g_task_propagate_boolean (G_TASK (result), error);
}
