/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "va-archive-private.h"
#include "va-backup.h"
#include "va-error.h"

/* `videoannotator backup`: a consistent copy of a data directory that a
 * server may be writing to at the same moment.
 *
 * 1. The database first, with the sqlite online backup API
 *    (va_store_backup()): a snapshot at one instant. Every job
 *    acknowledged (201) before that instant is in it, since its row is
 *    committed after its upload was fsynced.
 * 2. The files of the jobs of the snapshot only. A job still running in
 *    the snapshot contributes its upload alone: its outputs are partial,
 *    and a restored server re-runs it. A job whose files vanished meanwhile
 *    (deleted while the backup ran) or that was being deleted is taken out
 *    of the copy, so erased data never comes back with a restore.
 * 3. The token files (tokens.json, encryption.key).
 * 4. manifest.json last: every file's path, size and sha256.
 *
 * The archive is tar + gzip, written to a temporary file beside @output
 * (mode 0600: it holds the keys' pepper) and renamed into place. */

typedef struct {
  VaEngine *engine; /* the task's source object holds the reference */
  char *output;
  VaBackupFlags flags;
  struct archive *archive;
  JsonBuilder *files; /* the manifest's "files" array */
  GHashTable *dropped;
  gint64 now;
  VaBackupReport report;
} VaBackupOp;

static void
va_backup_op_free (VaBackupOp *op)
{
  if (op->archive != NULL)
    archive_write_free (op->archive);
  g_clear_object (&op->files);
  g_clear_pointer (&op->dropped, g_hash_table_unref);
  g_free (op->output);
  g_free (op);
}

static gboolean
va_backup_archive_error (VaBackupOp *op, GError **error)
{
  return va_archive_error (op->archive, op->output, error);
}

static gboolean
va_backup_add_fd (VaBackupOp *op, int fd, const char *name, GError **error)
{
  guint64 size = 0;

  if (!va_archive_add_fd (op->archive, fd, name, op->files, &size, error))
    return FALSE;
  op->report.files++;
  op->report.bytes += size;
  return TRUE;
}

/* Returns %FALSE with @missing set (and no error) when @path is gone. */
static gboolean
va_backup_add_file (VaBackupOp *op, const char *path, const char *name, gboolean *missing,
                    GError **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
  gboolean ok;

  if (fd < 0) {
    int saved = errno;
    if (saved == ENOENT && missing != NULL) {
      *missing = TRUE;
      return FALSE;
    }
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot open %s: %s", path,
                 g_strerror (saved));
    return FALSE;
  }
  ok = va_backup_add_fd (op, fd, name, error);
  g_close (fd, NULL);
  return ok;
}

typedef struct {
  char *id;
  char *status;
  char *video_path;
  gboolean deleting;
} VaBackupJob;

static void
va_backup_job_free (VaBackupJob *job)
{
  g_free (job->id);
  g_free (job->status);
  g_free (job->video_path);
  g_free (job);
}

static gboolean
va_backup_db_error (sqlite3 *db, const char *what, GError **error)
{
  g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "%s: %s", what, sqlite3_errmsg (db));
  return FALSE;
}

static GPtrArray *
va_backup_list_jobs (sqlite3 *db, GError **error)
{
  g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func ((GDestroyNotify)va_backup_job_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db, "SELECT id, status, video_path, deleting_since FROM jobs", -1, &stmt,
                          NULL)
      != SQLITE_OK) {
    va_backup_db_error (db, "Cannot read the database copy", error);
    return NULL;
  }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
    VaBackupJob *job = g_new0 (VaBackupJob, 1);
    job->id = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
    job->status = g_strdup ((const char *)sqlite3_column_text (stmt, 1));
    job->video_path = g_strdup ((const char *)sqlite3_column_text (stmt, 2));
    job->deleting = sqlite3_column_type (stmt, 3) != SQLITE_NULL;
    g_ptr_array_add (jobs, job);
  }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE) {
    va_backup_db_error (db, "Cannot read the database copy", error);
    return NULL;
  }
  return g_steal_pointer (&jobs);
}

/* The files of one job, or FALSE with *dropped when they vanished. */
static gboolean
va_backup_add_job (VaBackupOp *op, VaBackupJob *job, gboolean *dropped, GError **error)
{
  VaStorage *storage = va_engine_get_storage (op->engine);
  g_autoptr (GPtrArray) files = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *dir = va_storage_dup_job_dir (storage, job->id, error);
  g_autofree char *upload = NULL;

  if (dir == NULL)
    return FALSE;
  files = va_storage_list_job_files (storage, job->id, &local_error);
  if (files == NULL) {
    if (!g_error_matches (local_error, VA_ERROR, VA_ERROR_NOT_FOUND)) {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
    *dropped = TRUE;
    return FALSE;
  }
  /* the upload, relative to the job directory */
  if (job->video_path != NULL && g_str_has_prefix (job->video_path, job->id)
      && job->video_path[strlen (job->id)] == '/')
    upload = g_strdup (job->video_path + strlen (job->id) + 1);
  for (guint i = 0; i < files->len; i++) {
    const char *relative = g_ptr_array_index (files, i);
    gboolean is_upload = g_strcmp0 (relative, upload) == 0;
    g_autofree char *path = NULL;
    g_autofree char *name = NULL;

    if (is_upload && (op->flags & VA_BACKUP_FLAGS_NO_MEDIA))
      continue;
    /* a running job's outputs are partial; the restored server re-runs it */
    if (!is_upload && g_strcmp0 (job->status, "running") == 0)
      continue;
    path = g_build_filename (dir, relative, NULL);
    name = g_build_path ("/", VA_BACKUP_STORAGE, job->id, relative, NULL);
    if (!va_backup_add_file (op, path, name, is_upload ? dropped : NULL, error)) {
      /* an output that vanished is a failure; the upload only goes with
       * its whole job */
      return FALSE;
    }
  }
  return TRUE;
}

/* Removes from the database copy the jobs that are not in the archive. */
static gboolean
va_backup_drop_jobs (VaBackupOp *op, sqlite3 *db, GError **error)
{
  GHashTableIter iter;
  gpointer id;
  sqlite3_stmt *stmt = NULL;

  if (g_hash_table_size (op->dropped) == 0)
    return TRUE;
  if (sqlite3_exec (db, "PRAGMA secure_delete = ON; PRAGMA foreign_keys = ON; BEGIN", NULL, NULL,
                    NULL)
          != SQLITE_OK
      || sqlite3_prepare_v2 (db, "DELETE FROM jobs WHERE id = ?1", -1, &stmt, NULL) != SQLITE_OK)
    return va_backup_db_error (db, "Cannot update the database copy", error);
  g_hash_table_iter_init (&iter, op->dropped);
  while (g_hash_table_iter_next (&iter, &id, NULL)) {
    sqlite3_reset (stmt);
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
    if (sqlite3_step (stmt) != SQLITE_DONE) {
      sqlite3_finalize (stmt);
      return va_backup_db_error (db, "Cannot update the database copy", error);
    }
  }
  sqlite3_finalize (stmt);
  if (sqlite3_exec (db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK)
    return va_backup_db_error (db, "Cannot update the database copy", error);
  return TRUE;
}

static gboolean
va_backup_add_storage (VaBackupOp *op, const char *db_copy, GError **error)
{
  g_autoptr (GPtrArray) jobs = NULL;
  sqlite3 *db = NULL;
  gboolean ok = FALSE;

  if (sqlite3_open_v2 (db_copy, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
    va_backup_db_error (db, "Cannot open the database copy", error);
    goto out;
  }
  jobs = va_backup_list_jobs (db, error);
  if (jobs == NULL)
    goto out;
  for (guint i = 0; i < jobs->len; i++) {
    VaBackupJob *job = g_ptr_array_index (jobs, i);
    gboolean dropped = job->deleting;

    if (!dropped && !va_backup_add_job (op, job, &dropped, error) && !dropped)
      goto out;
    if (dropped)
      g_hash_table_add (op->dropped, g_strdup (job->id));
    else
      op->report.jobs++;
  }
  op->report.jobs_dropped = g_hash_table_size (op->dropped);
  ok = va_backup_drop_jobs (op, db, error);
out:
  sqlite3_close (db);
  return ok;
}

static gboolean
va_backup_add_tokens (VaBackupOp *op, GError **error)
{
  const char *dir = va_token_store_get_token_dir (va_engine_get_token_store (op->engine));
  static const char *const names[] = { "tokens.json", "encryption.key" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    g_autofree char *path = g_build_filename (dir, names[i], NULL);
    g_autofree char *name = g_build_path ("/", VA_BACKUP_TOKENS, names[i], NULL);
    gboolean missing = FALSE;

    if (!va_backup_add_file (op, path, name, &missing, error) && !missing)
      return FALSE;
  }
  return TRUE;
}

static gboolean
va_backup_add_manifest (VaBackupOp *op, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) files = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_from_unix_utc (op->now);
  g_autofree char *created = g_date_time_format_iso8601 (now);
  g_autofree char *text = NULL;
  gsize length;

  json_builder_end_array (op->files);
  files = json_builder_get_root (op->files);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, VA_BACKUP_FORMAT);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, VA_BACKUP_FORMAT_VERSION);
  json_builder_set_member_name (b, "created");
  json_builder_add_string_value (b, created);
  json_builder_set_member_name (b, "producer");
  json_builder_add_string_value (b, "videoannotator " PACKAGE_VERSION);
  json_builder_set_member_name (b, "schema_version");
  json_builder_add_int_value (b, VA_STORE_SCHEMA_VERSION);
  json_builder_set_member_name (b, "secret_backend");
  json_builder_add_string_value (
      b, va_token_store_get_secret_backend (va_engine_get_token_store (op->engine)));
  json_builder_set_member_name (b, "media");
  json_builder_add_boolean_value (b, !(op->flags & VA_BACKUP_FLAGS_NO_MEDIA));
  json_builder_set_member_name (b, "jobs");
  json_builder_add_int_value (b, op->report.jobs);
  json_builder_set_member_name (b, "files");
  json_builder_add_value (b, g_steal_pointer (&files));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, TRUE);
  length = strlen (text);

  return va_archive_add_bytes (op->archive, VA_BACKUP_MANIFEST, text, length, NULL, error);
}

static gboolean
va_backup_fsync_rename (const char *tmp, const char *output, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (output);
  int fd;

  if (g_rename (tmp, output) != 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot rename %s to %s: %s", tmp, output,
                 g_strerror (saved));
    return FALSE;
  }
  fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd >= 0) {
    (void)fsync (fd);
    g_close (fd, NULL);
  }
  return TRUE;
}

static gboolean
va_backup_write (VaBackupOp *op, int fd, const char *db_copy, GError **error)
{
  op->archive = archive_write_new ();
  if (archive_write_add_filter_gzip (op->archive) != ARCHIVE_OK
      || archive_write_set_format_pax_restricted (op->archive) != ARCHIVE_OK
      || archive_write_open_fd (op->archive, fd) != ARCHIVE_OK)
    return va_backup_archive_error (op, error);
  op->files = json_builder_new ();
  json_builder_begin_array (op->files);

  /* storage first: jobs whose files vanished leave the database copy
   * before it is archived */
  if (!va_backup_add_storage (op, db_copy, error)
      || !va_backup_add_file (op, db_copy, VA_BACKUP_DATABASE, NULL, error)
      || !va_backup_add_tokens (op, error) || !va_backup_add_manifest (op, error))
    return FALSE;
  if (archive_write_close (op->archive) != ARCHIVE_OK)
    return va_backup_archive_error (op, error);
  if (fsync (fd) != 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, saved == ENOSPC ? VA_ERROR_STORAGE_FULL : VA_ERROR_INTERNAL,
                 "Cannot write the backup %s: %s", op->output, g_strerror (saved));
    return FALSE;
  }
  return TRUE;
}

static void
va_backup_unlink_database (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
}

static void
va_backup_create_thread (GTask *task, gpointer source, gpointer task_data,
                         GCancellable *cancellable)
{
  VaBackupOp *op = task_data;
  g_autofree char *db_copy = g_strconcat (op->output, ".db-snapshot", NULL);
  g_autofree char *tmp = g_strconcat (op->output, ".XXXXXX", NULL);
  GError *error = NULL;
  gboolean ok;
  int fd;

  if (!va_store_backup (va_engine_get_store (op->engine), db_copy, &error)) {
    g_task_return_error (task, error);
    return;
  }
  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    int saved = errno;
    g_unlink (db_copy);
    g_task_return_new_error (task, VA_ERROR,
                             saved == ENOSPC ? VA_ERROR_STORAGE_FULL : VA_ERROR_INTERNAL,
                             "Cannot create %s: %s", tmp, g_strerror (saved));
    return;
  }
  ok = va_backup_write (op, fd, db_copy, &error);
  g_close (fd, NULL);
  va_backup_unlink_database (db_copy);
  if (ok)
    ok = va_backup_fsync_rename (tmp, op->output, &error);
  if (!ok) {
    g_unlink (tmp);
    g_task_return_error (task, error);
    return;
  }
  g_task_return_boolean (task, TRUE);
}

/**
 * va_backup_create_async:
 * @engine: an engine on the data directory to back up (it need not be
 *   started; a server may be running on the same directory)
 * @output: the archive to write (`.tar.gz`), replaced atomically
 *
 * Writes a consistent backup of the database, the token files and the
 * job storage (see the top of va-backup.c), with a manifest of sha256
 * sums. %VA_BACKUP_FLAGS_NO_MEDIA leaves the uploaded videos out.
 */
void
va_backup_create_async (VaEngine *engine, const char *output, VaBackupFlags flags,
                        GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  VaBackupOp *op;

  g_return_if_fail (VA_IS_ENGINE (engine));
  g_return_if_fail (output != NULL);

  task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, va_backup_create_async);
  op = g_new0 (VaBackupOp, 1);
  op->engine = engine;
  op->output = g_canonicalize_filename (output, NULL);
  op->flags = flags;
  op->dropped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  op->now = g_get_real_time () / G_USEC_PER_SEC;
  g_task_set_task_data (task, op, (GDestroyNotify)va_backup_op_free);
  g_task_run_in_thread (task, va_backup_create_thread);
}

/**
 * va_backup_create_finish:
 * @report: (out caller-allocates) (optional): what the archive holds
 */
gboolean
va_backup_create_finish (VaEngine *engine, GAsyncResult *result, VaBackupReport *report,
                         GError **error)
{
  VaBackupOp *op;

  g_return_val_if_fail (g_task_is_valid (result, engine), FALSE);
  op = g_task_get_task_data (G_TASK (result));
  if (report != NULL)
    *report = op->report;
  return g_task_propagate_boolean (G_TASK (result), error);
}
