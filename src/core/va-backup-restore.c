/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "va-archive-private.h"
#include "va-backup.h"
#include "va-error.h"
#include "va-secure-file.h"
#include "va-storage.h"
#include "va-sqlite-store.h"

/* `videoannotator restore FILE`: a backup (va-backup.c) into an empty
 * data directory. The archive is untrusted input: only regular files and
 * directories, only under the names a backup writes, never outside the
 * destination; every file's sha256 and size must match the manifest and
 * every manifest entry must be there; the database must pass
 * `PRAGMA integrity_check` and be ours (application_id). On any failure
 * everything written is removed again. */

#define VA_RESTORE_MAX_MANIFEST (64 * 1024 * 1024)
#define VA_RESTORE_BUFFER (64 * 1024)

typedef struct {
  char *archive;
  char *database;
  char *tokens;
  char *storage;
  GPtrArray *created; /* paths to remove on failure, parents first */
  GHashTable *sums;   /* archive name → "size:sha256" as restored */
  VaBackupReport report;
} VaRestoreOp;

static void
va_restore_op_free (VaRestoreOp *op)
{
  g_free (op->archive);
  g_free (op->database);
  g_free (op->tokens);
  g_free (op->storage);
  g_clear_pointer (&op->created, g_ptr_array_unref);
  g_clear_pointer (&op->sums, g_hash_table_unref);
  g_free (op);
}

static gboolean va_restore_invalid (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
va_restore_invalid (GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, "Not a valid backup: %s", message);
  return FALSE;
}

/* The destination must be absent or empty: a restore never merges. */
static gboolean
va_restore_check_empty (const char *path, GError **error)
{
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GError) local_error = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  if (!g_file_test (path, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, VA_ERROR, VA_ERROR_CONFLICT,
                 "%s exists: restore only into an empty data "
                 "directory",
                 path);
    return FALSE;
  }
  dir = g_dir_open (path, 0, &local_error);
  if (dir == NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "%s", local_error->message);
    return FALSE;
  }
  if (g_dir_read_name (dir) != NULL) {
    g_set_error (error, VA_ERROR, VA_ERROR_CONFLICT,
                 "%s is not empty: restore only into an empty data directory", path);
    return FALSE;
  }
  return TRUE;
}

static gboolean
va_restore_mkdir (VaRestoreOp *op, const char *path, int mode, GError **error)
{
  g_autofree char *parent = g_path_get_dirname (path);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return TRUE;
  if (!g_str_equal (parent, path) && !va_restore_mkdir (op, parent, 0700, error))
    return FALSE;
  if (g_mkdir (path, mode) != 0 && errno != EEXIST) {
    int saved = errno;
    g_set_error (error, VA_ERROR, saved == ENOSPC ? VA_ERROR_STORAGE_FULL : VA_ERROR_INTERNAL,
                 "Cannot create %s: %s", path, g_strerror (saved));
    return FALSE;
  }
  g_ptr_array_add (op->created, g_strdup (path));
  return TRUE;
}

/* Where archive member @name goes, or NULL when a backup never writes
 * such a name. @is_token is set for the token files (mode 0600). */
static char *
va_restore_destination (VaRestoreOp *op, const char *name, int *mode)
{
  g_auto (GStrv) parts = g_strsplit (name, "/", -1);
  guint n = g_strv_length (parts);

  for (guint i = 0; i < n; i++) {
    if (*parts[i] == '\0' || g_str_equal (parts[i], ".") || g_str_equal (parts[i], ".."))
      return NULL;
  }
  if (n == 1 && g_str_equal (name, VA_BACKUP_DATABASE)) {
    *mode = 0600;
    return g_strdup (op->database);
  }
  if (n == 2 && g_str_equal (parts[0], VA_BACKUP_TOKENS)
      && (g_str_equal (parts[1], "tokens.json") || g_str_equal (parts[1], "encryption.key"))) {
    *mode = 0600;
    return g_build_filename (op->tokens, parts[1], NULL);
  }
  if (n >= 3 && g_str_equal (parts[0], VA_BACKUP_STORAGE)
      && va_storage_check_job_id (parts[1], NULL)) {
    *mode = 0640;
    return g_build_filename (op->storage, name + strlen (VA_BACKUP_STORAGE) + 1, NULL);
  }
  return NULL;
}

static gboolean
va_restore_read_error (struct archive *a, GError **error)
{
  return va_restore_invalid (error, "%s",
                             archive_error_string (a) != NULL ? archive_error_string (a)
                                                              : "unreadable archive");
}

/* Writes the current member to @path, hashing it. */
static gboolean
va_restore_write_member (VaRestoreOp *op, struct archive *a, const char *name, const char *path,
                         int mode, GError **error)
{
  g_autoptr (GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buffer = g_malloc (VA_RESTORE_BUFFER);
  g_autofree char *dir = g_path_get_dirname (path);
  guint64 size = 0;
  la_ssize_t n;
  int fd;

  if (!va_restore_mkdir (op, dir, mode == 0600 ? 0700 : 0750, error))
    return FALSE;
  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) {
    int saved = errno;
    if (saved == EEXIST)
      return va_restore_invalid (error, "%s appears twice", name);
    g_set_error (error, VA_ERROR, saved == ENOSPC ? VA_ERROR_STORAGE_FULL : VA_ERROR_INTERNAL,
                 "Cannot create %s: %s", path, g_strerror (saved));
    return FALSE;
  }
  g_ptr_array_add (op->created, g_strdup (path));
  while ((n = archive_read_data (a, buffer, VA_RESTORE_BUFFER)) > 0) {
    for (la_ssize_t done = 0; done < n;) {
      gssize w = write (fd, buffer + done, n - done);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0) {
        int saved = errno;
        g_close (fd, NULL);
        g_set_error (error, VA_ERROR, saved == ENOSPC ? VA_ERROR_STORAGE_FULL : VA_ERROR_INTERNAL,
                     "Cannot write %s: %s", path, g_strerror (saved));
        return FALSE;
      }
      done += w;
    }
    g_checksum_update (sha, buffer, n);
    size += n;
  }
  if (n < 0 || fsync (fd) != 0) {
    g_close (fd, NULL);
    return n < 0 ? va_restore_read_error (a, error)
                 : va_restore_invalid (error, "cannot sync %s", path);
  }
  g_close (fd, NULL);
  g_hash_table_insert (
      op->sums, g_strdup (name),
      g_strdup_printf ("%" G_GUINT64_FORMAT ":%s", size, g_checksum_get_string (sha)));
  op->report.files++;
  op->report.bytes += size;
  return TRUE;
}

static char *
va_restore_read_manifest (struct archive *a, GError **error)
{
  GString *text = g_string_new (NULL);
  char buffer[8192];
  la_ssize_t n;

  while ((n = archive_read_data (a, buffer, sizeof buffer)) > 0) {
    if (text->len + n > VA_RESTORE_MAX_MANIFEST) {
      g_string_free (text, TRUE);
      va_restore_invalid (error, "the manifest is larger than %d MiB",
                          VA_RESTORE_MAX_MANIFEST >> 20);
      return NULL;
    }
    g_string_append_len (text, buffer, n);
  }
  if (n < 0) {
    g_string_free (text, TRUE);
    va_restore_read_error (a, error);
    return NULL;
  }
  return g_string_free (text, FALSE);
}

/* Every file of the manifest restored with its size and sum, and nothing
 * else restored. */
static gboolean
va_restore_verify_manifest (VaRestoreOp *op, const char *text, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonObject *root;
  JsonArray *files;

  if (text == NULL)
    return va_restore_invalid (error, "no %s in the archive", VA_BACKUP_MANIFEST);
  if (!json_parser_load_from_data (parser, text, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return va_restore_invalid (error, "%s is not a JSON object", VA_BACKUP_MANIFEST);
  root = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (json_object_get_string_member_with_default (root, "format", NULL),
                 VA_BACKUP_FORMAT)
      != 0)
    return va_restore_invalid (error, "%s does not describe a VideoAnnotator backup",
                               VA_BACKUP_MANIFEST);
  if (json_object_get_int_member_with_default (root, "version", 0) > VA_BACKUP_FORMAT_VERSION)
    return va_restore_invalid (error,
                               "format version %" G_GINT64_FORMAT " is newer than this "
                               "program (%d)",
                               json_object_get_int_member_with_default (root, "version", 0),
                               VA_BACKUP_FORMAT_VERSION);
  if (!json_object_has_member (root, "files")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "files")))
    return va_restore_invalid (error, "%s lists no files", VA_BACKUP_MANIFEST);
  files = json_object_get_array_member (root, "files");
  for (guint i = 0; i < json_array_get_length (files); i++) {
    JsonNode *node = json_array_get_element (files, i);
    JsonObject *file = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
    const char *path
        = file != NULL ? json_object_get_string_member_with_default (file, "path", NULL) : NULL;
    const char *sum
        = file != NULL ? json_object_get_string_member_with_default (file, "sha256", NULL) : NULL;
    g_autofree char *expected = NULL;
    const char *restored;

    if (path == NULL || sum == NULL)
      return va_restore_invalid (error, "entry %u of %s has no path or sha256", i,
                                 VA_BACKUP_MANIFEST);
    expected = g_strdup_printf ("%" G_GINT64_FORMAT ":%s",
                                json_object_get_int_member_with_default (file, "size", -1), sum);
    restored = g_hash_table_lookup (op->sums, path);
    if (restored == NULL)
      return va_restore_invalid (error, "%s is in the manifest but not in the archive", path);
    if (!g_str_equal (restored, expected))
      return va_restore_invalid (error, "%s does not match its size and sha256 in the manifest",
                                 path);
    g_hash_table_add (seen, (gpointer)path);
  }
  if (g_hash_table_size (seen) != g_hash_table_size (op->sums)) {
    GHashTableIter iter;
    gpointer name;
    g_hash_table_iter_init (&iter, op->sums);
    while (g_hash_table_iter_next (&iter, &name, NULL)) {
      if (!g_hash_table_contains (seen, name))
        return va_restore_invalid (error, "%s is in the archive but not in the manifest",
                                   (const char *)name);
    }
  }
  op->report.jobs = json_object_get_int_member_with_default (root, "jobs", 0);
  return TRUE;
}

static gboolean
va_restore_check_database (VaRestoreOp *op, GError **error)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *result = NULL;
  gint64 application_id = 0;

  if (!g_hash_table_contains (op->sums, VA_BACKUP_DATABASE))
    return va_restore_invalid (error, "no database in the archive");
  if (sqlite3_open_v2 (op->database, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK
      && sqlite3_prepare_v2 (db, "PRAGMA application_id", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    application_id = sqlite3_column_int64 (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    result = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  if (application_id != VA_SQLITE_STORE_APPLICATION_ID)
    return va_restore_invalid (error, "%s is not a VideoAnnotator database", VA_BACKUP_DATABASE);
  if (g_strcmp0 (result, "ok") != 0)
    return va_restore_invalid (error, "the database fails its integrity check: %s",
                               result != NULL ? result : "unreadable");
  return TRUE;
}

static gboolean
va_restore_extract (VaRestoreOp *op, GError **error)
{
  g_autoptr (VaArchiveReader) a = archive_read_new ();
  g_autofree char *manifest = NULL;
  struct archive_entry *entry;
  int rc;

  archive_read_support_filter_gzip (a);
  archive_read_support_format_tar (a);
  if (archive_read_open_filename (a, op->archive, VA_RESTORE_BUFFER) != ARCHIVE_OK) {
    if (!g_file_test (op->archive, G_FILE_TEST_EXISTS)) {
      g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, "No backup %s", op->archive);
      return FALSE;
    }
    return va_restore_read_error (a, error);
  }
  while ((rc = archive_read_next_header (a, &entry)) == ARCHIVE_OK) {
    const char *name = archive_entry_pathname (entry);
    g_autofree char *path = NULL;
    int mode = 0;

    if (name == NULL)
      return va_restore_invalid (error, "a member without a name");
    if (archive_entry_filetype (entry) == AE_IFDIR)
      continue;
    if (archive_entry_filetype (entry) != AE_IFREG)
      return va_restore_invalid (error, "%s is not a regular file", name);
    if (g_str_equal (name, VA_BACKUP_MANIFEST)) {
      if (manifest != NULL)
        return va_restore_invalid (error, "two manifests");
      manifest = va_restore_read_manifest (a, error);
      if (manifest == NULL)
        return FALSE;
      continue;
    }
    path = va_restore_destination (op, name, &mode);
    if (path == NULL)
      return va_restore_invalid (error, "unexpected member %s", name);
    if (!va_restore_write_member (op, a, name, path, mode, error))
      return FALSE;
  }
  if (rc != ARCHIVE_EOF)
    return va_restore_read_error (a, error);
  return va_restore_verify_manifest (op, manifest, error) && va_restore_check_database (op, error);
}

static void
va_restore_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  VaRestoreOp *op = task_data;
  GError *error = NULL;

  if (!va_restore_check_empty (op->tokens, &error) || !va_restore_check_empty (op->storage, &error)
      || (g_file_test (op->database, G_FILE_TEST_EXISTS)
          && (g_set_error (&error, VA_ERROR, VA_ERROR_CONFLICT,
                           "%s exists: restore only into an empty data directory", op->database),
              TRUE))
      || !va_restore_extract (op, &error) || !va_restore_mkdir (op, op->storage, 0750, &error)) {
    /* undo, newest first: files, then the directories made for them */
    for (guint i = op->created->len; i > 0; i--)
      g_remove (g_ptr_array_index (op->created, i - 1));
    g_task_return_error (task, error);
    return;
  }
  g_task_return_boolean (task, TRUE);
}

/**
 * va_backup_restore_async:
 * @settings: loaded settings naming the destination (database-path,
 *   token-dir, storage-dir: absent or empty)
 * @archive: a file va_backup_create_async() wrote
 *
 * Restores a backup, verified (see the top of va-backup-restore.c).
 */
void
va_backup_restore_async (VaSettings *settings, const char *archive, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  VaRestoreOp *op;

  g_return_if_fail (VA_IS_SETTINGS (settings));
  g_return_if_fail (archive != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, va_backup_restore_async);
  op = g_new0 (VaRestoreOp, 1);
  op->archive = g_strdup (archive);
  op->database = g_strdup (va_settings_get_database_path (settings));
  op->tokens = g_strdup (va_settings_get_token_dir (settings));
  op->storage = g_strdup (va_settings_get_storage_dir (settings));
  op->created = g_ptr_array_new_with_free_func (g_free);
  op->sums = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_task_set_task_data (task, op, (GDestroyNotify)va_restore_op_free);
  g_task_run_in_thread (task, va_restore_thread);
}

/**
 * va_backup_restore_finish:
 * @report: (out caller-allocates) (optional): what was restored
 *
 * Returns: %FALSE with %VA_ERROR_INVALID_ARGUMENT (not a valid or intact
 *   backup), %VA_ERROR_CONFLICT (the destination is not empty),
 *   %VA_ERROR_NOT_FOUND (no such archive), %VA_ERROR_STORAGE_FULL
 */
gboolean
va_backup_restore_finish (GAsyncResult *result, VaBackupReport *report, GError **error)
{
  VaRestoreOp *op;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  op = g_task_get_task_data (G_TASK (result));
  if (report != NULL)
    *report = op->report;
  return g_task_propagate_boolean (G_TASK (result), error);
}
