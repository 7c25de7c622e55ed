/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "va-error.h"
#include "va-recovery.h"
#include "va-storage-private.h"
#include "va-upload-private.h"

/* Start-up recovery: what a kill -9 or a power cut can leave behind, put
 * right before the job queue runs (docs/engine.md, "Crash safety").
 *
 * 1. Deletions that were marked but not finished: files, then the row.
 * 2. Jobs left `running`: whatever their run wrote is partial, so every
 *    file but the uploaded video goes (the queue then re-runs or fails
 *    them, va_store_recover_running()).
 * 3. Job directories without a job row: an upload in progress (partial
 *    file) or complete but not yet submitted; nobody can reach them.
 *
 * Each removal is audited, by the service itself. All of it assumes that
 * no other process runs or uploads into the storage, which the lock taken
 * by va_recovery_lock_storage() guarantees among servers. */

/**
 * va_recovery_lock_storage:
 *
 * Takes an exclusive lock (flock) on the storage directory for as long as
 * the returned descriptor stays open: a second server on the same storage
 * must not sweep the first one's uploads in progress.
 *
 * Returns: the descriptor to keep, or -1 with %VA_ERROR_CONFLICT when
 *   another process holds the lock (or %VA_ERROR_INTERNAL)
 */
int
va_recovery_lock_storage (VaStorage *storage, GError **error)
{
  const char *root = va_storage_get_root (storage);
  int fd = g_open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd < 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot open %s: %s", root,
                 g_strerror (saved));
    return -1;
  }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, saved == EWOULDBLOCK ? VA_ERROR_CONFLICT : VA_ERROR_INTERNAL,
                 "Cannot lock the job storage %s: %s", root,
                 saved == EWOULDBLOCK ? "another server uses it" : g_strerror (saved));
    g_close (fd, NULL);
    return -1;
  }
  return fd;
}

static void
va_recovery_audit (VaAudit *audit, const char *action, const char *target, const char *reason,
                   guint64 bytes, const GError *failure)
{
  g_autoptr (JsonObject) detail = json_object_new ();
  g_autoptr (GError) error = NULL;

  json_object_set_string_member (detail, "reason", reason);
  json_object_set_int_member (detail, "bytes_freed", (gint64)bytes);
  if (failure != NULL)
    json_object_set_string_member (detail, "error", failure->message);
  if (!va_audit_record (audit, NULL, action, target, detail, &error))
    g_warning ("Cannot record audit entry %s: %s", action, error->message);
}

/* Files, then the row, as va_engine_delete_job_async() would have. */
static gboolean
va_recovery_finish_deletion (VaStore *store, VaStorage *storage, const char *id, guint64 *bytes,
                             GError **error)
{
  g_autoptr (GError) local_error = NULL;

  if (!va_storage_delete_job (storage, id, bytes, &local_error)
      && !g_error_matches (local_error, VA_ERROR, VA_ERROR_NOT_FOUND)) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }
  return va_store_delete_job (store, id, error);
}

static gboolean
va_recovery_finish_deletions (VaStore *store, VaStorage *storage, VaAudit *audit,
                              VaRecoveryReport *report, GError **error)
{
  g_autoptr (GPtrArray) ids = va_store_list_deleting_jobs (store, error);

  if (ids == NULL)
    return FALSE;
  for (guint i = 0; i < ids->len; i++) {
    const char *id = g_ptr_array_index (ids, i);
    g_autoptr (GError) local_error = NULL;
    guint64 bytes = 0;

    if (!va_recovery_finish_deletion (store, storage, id, &bytes, &local_error)) {
      /* stays marked: the next start tries again */
      g_warning ("Cannot finish the deletion of job %s: %s", id, local_error->message);
      va_recovery_audit (audit, "job.delete", id, "interrupted deletion", bytes, local_error);
      continue;
    }
    va_recovery_audit (audit, "job.delete", id, "interrupted deletion", bytes, NULL);
    report->deletions_finished++;
    report->bytes_freed += bytes;
  }
  return TRUE;
}

/**
 * va_recovery_clear_run:
 * @bytes: (inout): incremented by the bytes removed
 *
 * Removes every entry of the job directory but the one holding the
 * uploaded video: what a run wrote, before the job runs again.
 */
gboolean
va_recovery_clear_run (VaStorage *storage, VaJob *job, guint64 *bytes, GError **error)
{
  const char *id = va_job_get_id (job);
  const char *video = va_job_get_video_path (job);
  g_autofree char *dir = va_storage_dup_job_dir (storage, id, error);
  g_autofree char *keep = NULL;
  g_autoptr (GDir) entries = NULL;
  const char *name;

  if (dir == NULL)
    return FALSE;
  /* video_path is "<id>/<name>" */
  if (video != NULL && g_str_has_prefix (video, id) && video[strlen (id)] == '/') {
    const char *rest = video + strlen (id) + 1;
    const char *slash = strchr (rest, '/');
    keep = slash != NULL ? g_strndup (rest, slash - rest) : g_strdup (rest);
  }
  entries = g_dir_open (dir, 0, NULL);
  while (entries != NULL && (name = g_dir_read_name (entries)) != NULL) {
    g_autofree char *path = NULL;

    if (g_strcmp0 (name, keep) == 0)
      continue;
    path = g_build_filename (dir, name, NULL);
    if (!va_storage_remove_tree (path, bytes, NULL, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
va_recovery_clear_runs (VaStore *store, VaStorage *storage, VaAudit *audit,
                        VaRecoveryReport *report, GError **error)
{
  for (guint page = 1;; page++) {
    g_autoptr (GPtrArray) jobs
        = va_store_list_jobs (store, page, VA_STORE_MAX_PER_PAGE,
                              VA_JOB_STATUS_MASK (VA_JOB_STATUS_RUNNING), NULL, NULL, error);
    if (jobs == NULL)
      return FALSE;
    for (guint i = 0; i < jobs->len; i++) {
      VaJob *job = g_ptr_array_index (jobs, i);
      g_autoptr (GError) local_error = NULL;
      guint64 bytes = 0;

      if (!va_recovery_clear_run (storage, job, &bytes, &local_error)) {
        g_warning ("Cannot remove the partial outputs of job %s: %s", va_job_get_id (job),
                   local_error->message);
        va_recovery_audit (audit, "job.recover", va_job_get_id (job), "interrupted run", bytes,
                           local_error);
      } else if (bytes > 0) {
        va_recovery_audit (audit, "job.recover", va_job_get_id (job), "interrupted run", bytes,
                           NULL);
        report->runs_cleared++;
      }
      report->bytes_freed += bytes;
    }
    if (jobs->len < VA_STORE_MAX_PER_PAGE)
      return TRUE;
  }
}

static gboolean
va_recovery_sweep (VaStore *store, VaStorage *storage, VaAudit *audit, VaRecoveryReport *report,
                   GError **error)
{
  g_autoptr (GHashTable) ids = va_store_dup_job_ids (store, error);
  g_autoptr (GDir) root = NULL;
  g_autoptr (GError) dir_error = NULL;
  const char *name;

  if (ids == NULL)
    return FALSE;
  root = g_dir_open (va_storage_get_root (storage), 0, &dir_error);
  if (root == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot read the job storage: %s",
                 dir_error->message);
    return FALSE;
  }
  while ((name = g_dir_read_name (root)) != NULL) {
    g_autofree char *dir = NULL;
    g_autofree char *part = NULL;
    g_autoptr (GError) local_error = NULL;
    const char *reason;
    guint64 bytes = 0;
    GStatBuf st;

    /* only what this program creates: anything else is the operator's */
    if (!va_storage_check_job_id (name, NULL) || g_hash_table_contains (ids, name))
      continue;
    dir = g_build_filename (va_storage_get_root (storage), name, NULL);
    if (g_lstat (dir, &st) != 0 || !S_ISDIR (st.st_mode))
      continue;
    part = g_build_filename (dir, VA_UPLOAD_PART_NAME, NULL);
    reason = g_file_test (part, G_FILE_TEST_EXISTS) ? "partial upload" : "no job";
    if (!va_storage_delete_job (storage, name, &bytes, &local_error)) {
      g_warning ("Cannot remove the leftover job directory %s: %s", dir, local_error->message);
      va_recovery_audit (audit, "storage.sweep", name, reason, bytes, local_error);
      continue;
    }
    va_recovery_audit (audit, "storage.sweep", name, reason, bytes, NULL);
    report->directories_swept++;
    report->bytes_freed += bytes;
  }
  return TRUE;
}

/**
 * va_recovery_run:
 * @locked: whether the caller holds va_recovery_lock_storage(); without
 *   it nothing is touched (another server is at work on the storage)
 * @report: (out caller-allocates): what was done
 *
 * Call once at start, before the job queue recovers and runs jobs.
 *
 * Returns: %FALSE only when the database or the storage root cannot be
 *   read; a file that cannot be removed is logged, audited, and left for
 *   the next start
 */
gboolean
va_recovery_run (VaStore *store, VaStorage *storage, VaAudit *audit, gboolean locked,
                 VaRecoveryReport *report, GError **error)
{
  g_return_val_if_fail (VA_IS_STORE (store), FALSE);
  g_return_val_if_fail (VA_IS_STORAGE (storage), FALSE);
  g_return_val_if_fail (VA_IS_AUDIT (audit), FALSE);
  g_return_val_if_fail (report != NULL, FALSE);

  memset (report, 0, sizeof (*report));
  report->storage_locked = locked;
  if (!locked)
    return TRUE;
  return va_recovery_finish_deletions (store, storage, audit, report, error)
         && va_recovery_clear_runs (store, storage, audit, report, error)
         && va_recovery_sweep (store, storage, audit, report, error);
}

/**
 * va_recovery_start:
 * @lock_fd: (out): the storage lock (va_recovery_lock_storage()) to keep
 *   open while the server runs, or -1 when another process holds it
 *
 * The server's start: takes the storage lock, runs the recovery and logs
 * what it did.
 *
 * Returns: as va_recovery_run()
 */
gboolean
va_recovery_start (VaStore *store, VaStorage *storage, VaAudit *audit, int *lock_fd, GError **error)
{
  g_autoptr (GError) lock_error = NULL;
  VaRecoveryReport report;

  g_return_val_if_fail (lock_fd != NULL, FALSE);

  *lock_fd = va_recovery_lock_storage (storage, &lock_error);
  if (*lock_fd < 0)
    g_message ("No start-up recovery of the job storage: %s", lock_error->message);
  if (!va_recovery_run (store, storage, audit, *lock_fd >= 0, &report, error))
    return FALSE;
  if (report.deletions_finished + report.runs_cleared + report.directories_swept > 0) {
    g_autofree char *size = g_format_size (report.bytes_freed);
    g_message ("Recovered from the previous stop: %u interrupted deletion(s) finished, partial "
               "outputs of %u interrupted run(s) and %u leftover upload folder(s) removed (%s)",
               report.deletions_finished, report.runs_cleared, report.directories_swept, size);
  }
  return TRUE;
}
