/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "va-error.h"
#include "va-storage-private.h"

/**
 * VaStorage:
 *
 * The job storage: one directory per job, named by the job's UUID, under
 * a root created mode 0750. Every path the engine builds goes through
 * here, and only from a validated UUID or a relative path without ".."
 * components, so no input can name a file outside the root. Uploads
 * (#VaUpload) are streamed into a fresh job directory under a fixed
 * name, with a size limit and free-space checks.
 */
struct _VaStorage {
  GObject parent_instance;

  char *root;
  guint64 max_upload_size;
  guint64 min_free_space;
  VaStorageUsageFunc usage_func;
  gpointer usage_data;
};

G_DEFINE_FINAL_TYPE (VaStorage, va_storage, G_TYPE_OBJECT)

static gboolean
va_storage_default_usage (const char *root, VaStorageUsage *usage, gpointer user_data,
                          GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (root);
  g_autoptr (GFileInfo) info = NULL;

  info = g_file_query_filesystem_info (file,
                                       G_FILE_ATTRIBUTE_FILESYSTEM_SIZE
                                       "," G_FILE_ATTRIBUTE_FILESYSTEM_FREE
                                       "," G_FILE_ATTRIBUTE_FILESYSTEM_USED,
                                       NULL, error);
  if (info == NULL)
    return FALSE;
  usage->total_bytes = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_SIZE);
  usage->free_bytes = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
  if (g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_FILESYSTEM_USED))
    usage->used_bytes = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_USED);
  else
    usage->used_bytes = usage->total_bytes - MIN (usage->free_bytes, usage->total_bytes);
  return TRUE;
}

static void
va_storage_finalize (GObject *object)
{
  VaStorage *self = VA_STORAGE (object);

  g_free (self->root);
  G_OBJECT_CLASS (va_storage_parent_class)->finalize (object);
}

static void
va_storage_class_init (VaStorageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = va_storage_finalize;
}

static void
va_storage_init (VaStorage *self)
{
  self->max_upload_size = 10 * (guint64)1024 * 1024 * 1024;
  self->min_free_space = 0;
  self->usage_func = va_storage_default_usage;
}

/**
 * va_storage_new:
 * @root: the storage directory; created (with its parents) mode 0750
 * @error: return location for a %VA_ERROR
 *
 * An existing root keeps its mode, except that access for others is
 * removed: job files must never be world-readable.
 *
 * Returns: (transfer full) (nullable): the storage
 */
VaStorage *
va_storage_new (const char *root, GError **error)
{
  g_autoptr (VaStorage) self = NULL;
  g_autofree char *path = NULL;
  GStatBuf st;

  g_return_val_if_fail (root != NULL, NULL);

  if (*root == '\0') {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                         N_ ("No storage directory given"));
    return NULL;
  }
  path = g_canonicalize_filename (root, NULL);
  if (g_mkdir_with_parents (path, VA_STORAGE_DIR_MODE) != 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot create the storage directory %s: %s",
                 path, g_strerror (saved));
    return NULL;
  }
  if (g_stat (path, &st) != 0 || !S_ISDIR (st.st_mode)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "The storage path %s is not a directory",
                 path);
    return NULL;
  }
  if ((st.st_mode & 0007) != 0 && st.st_uid == geteuid ()) {
    if (g_chmod (path, st.st_mode & 0770) != 0) {
      int saved = errno;
      g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL,
                   "The storage directory %s is accessible to others and cannot be fixed: %s", path,
                   g_strerror (saved));
      return NULL;
    }
  }
  if (g_access (path, W_OK | X_OK) != 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "The storage directory %s is not writable: %s",
                 path, g_strerror (saved));
    return NULL;
  }

  self = g_object_new (VA_TYPE_STORAGE, NULL);
  self->root = g_steal_pointer (&path);
  return g_steal_pointer (&self);
}

const char *
va_storage_get_root (VaStorage *self)
{
  g_return_val_if_fail (VA_IS_STORAGE (self), NULL);
  return self->root;
}

/**
 * va_storage_set_max_upload_size:
 * @bytes: largest accepted upload (setting `max-upload-size`)
 */
void
va_storage_set_max_upload_size (VaStorage *self, guint64 bytes)
{
  g_return_if_fail (VA_IS_STORAGE (self));
  self->max_upload_size = bytes;
}

guint64
va_storage_get_max_upload_size (VaStorage *self)
{
  g_return_val_if_fail (VA_IS_STORAGE (self), 0);
  return self->max_upload_size;
}

/**
 * va_storage_set_min_free_space:
 * @bytes: space an upload must leave free on the storage file system
 *   (setting `min-free-space`), so that a full upload never starves the
 *   database, the logs and the annotation outputs
 */
void
va_storage_set_min_free_space (VaStorage *self, guint64 bytes)
{
  g_return_if_fail (VA_IS_STORAGE (self));
  self->min_free_space = bytes;
}

guint64
va_storage_get_min_free_space (VaStorage *self)
{
  g_return_val_if_fail (VA_IS_STORAGE (self), 0);
  return self->min_free_space;
}

void
va_storage_set_usage_func (VaStorage *self, VaStorageUsageFunc func, gpointer user_data)
{
  g_return_if_fail (VA_IS_STORAGE (self));
  self->usage_func = func != NULL ? func : va_storage_default_usage;
  self->usage_data = func != NULL ? user_data : NULL;
}

/**
 * va_storage_check_job_id:
 * @job_id: (nullable): a job id from anywhere
 * @error: return location for a %VA_ERROR_INVALID_ARGUMENT
 *
 * Job ids are lowercase UUIDs (as g_uuid_string_random() makes them).
 * Anything else — "..", a slash, an uppercase twin — is refused before a
 * path is ever built from it.
 */
gboolean
va_storage_check_job_id (const char *job_id, GError **error)
{
  if (job_id != NULL && strlen (job_id) == 36 && g_uuid_string_is_valid (job_id)) {
    gboolean lower = TRUE;
    for (const char *p = job_id; *p != '\0'; p++)
      lower = lower && !g_ascii_isupper (*p);
    if (lower)
      return TRUE;
  }
  g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                       N_ ("A job id must be a lowercase UUID"));
  return FALSE;
}

/**
 * va_storage_dup_job_dir:
 *
 * Returns: (transfer full) (nullable): the absolute path of the job's
 *   directory (which may not exist), or %NULL for an invalid id
 */
char *
va_storage_dup_job_dir (VaStorage *self, const char *job_id, GError **error)
{
  g_return_val_if_fail (VA_IS_STORAGE (self), NULL);

  if (!va_storage_check_job_id (job_id, error))
    return NULL;
  return g_build_filename (self->root, job_id, NULL);
}

/**
 * va_storage_resolve:
 * @relative_path: a path relative to the storage root, as stored in the
 *   database (`video_path`, `output_file`)
 *
 * Returns: (transfer full) (nullable): the absolute path, or %NULL with
 *   %VA_ERROR_INVALID_ARGUMENT if @relative_path is absolute, empty, or
 *   has an empty, "." or ".." component
 */
char *
va_storage_resolve (VaStorage *self, const char *relative_path, GError **error)
{
  g_auto (GStrv) parts = NULL;

  g_return_val_if_fail (VA_IS_STORAGE (self), NULL);

  if (relative_path == NULL || *relative_path == '\0' || g_path_is_absolute (relative_path)) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                         N_ ("A storage path must be relative to the storage directory"));
    return NULL;
  }
  parts = g_strsplit (relative_path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++) {
    if (*parts[i] == '\0' || g_str_equal (parts[i], ".") || g_str_equal (parts[i], "..")) {
      g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                           N_ ("A storage path must not have empty, “.” or “..” components"));
      return NULL;
    }
  }
  return g_build_filename (self->root, relative_path, NULL);
}

/**
 * va_storage_dup_relative:
 * @path: an absolute path inside the storage root
 *
 * Returns: (transfer full) (nullable): @path relative to the root, or
 *   %NULL with %VA_ERROR_INVALID_ARGUMENT if it is not inside it
 */
char *
va_storage_dup_relative (VaStorage *self, const char *path, GError **error)
{
  g_autofree char *canonical = NULL;
  gsize n;

  g_return_val_if_fail (VA_IS_STORAGE (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  canonical = g_canonicalize_filename (path, self->root);
  n = strlen (self->root);
  if (strncmp (canonical, self->root, n) != 0 || canonical[n] != G_DIR_SEPARATOR
      || canonical[n + 1] == '\0') {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, "%s is outside the job storage", path);
    return NULL;
  }
  return g_strdup (canonical + n + 1);
}

static gboolean
va_storage_is_display_safe (gunichar c)
{
  /* C0/C1 controls and the bidirectional overrides that make
   * "evil\u202Egpj.exe" display as "evilexe.jpg" */
  if (c < 0x20 || (c >= 0x7f && c < 0xa0))
    return FALSE;
  if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f)
    return FALSE;
  return TRUE;
}

/**
 * va_storage_sanitize_filename:
 * @client_filename: (nullable): the name a client sent with an upload
 *
 * Makes the display name kept with a job: the last path component only
 * (after "/" or "\"), valid UTF-8, no control or bidi-override
 * characters, at most 255 bytes. It is never used to build a path.
 *
 * Returns: (transfer full): a non-empty display name ("upload" when
 *   nothing usable is left)
 */
char *
va_storage_sanitize_filename (const char *client_filename)
{
  g_autofree char *valid = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  const char *base;
  const char *p;

  if (client_filename == NULL)
    return g_strdup ("upload");
  valid = g_utf8_make_valid (client_filename, -1);
  base = valid;
  for (p = valid; *p != '\0'; p++) {
    if (*p == '/' || *p == '\\')
      base = p + 1;
  }
  for (p = base; *p != '\0'; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);
    if (!va_storage_is_display_safe (c))
      continue;
    if (out->len + g_unichar_to_utf8 (c, NULL) > 255)
      break;
    g_string_append_unichar (out, c);
  }
  g_strstrip (out->str);
  out->len = strlen (out->str);
  if (out->len == 0 || g_str_equal (out->str, ".") || g_str_equal (out->str, ".."))
    return g_strdup ("upload");
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * va_storage_make_stem:
 * @display_filename: (nullable): a sanitized display name
 *
 * The stem of the annotation files (`<stem>_scene_detection.json`): the
 * display name without its extension, reduced to ASCII letters, digits,
 * "-" and "_" (anything else becomes "_"), at most 64 characters. A name
 * built only from these characters cannot address another directory.
 *
 * Returns: (transfer full): the stem, "video" when nothing is left
 */
char *
va_storage_make_stem (const char *display_filename)
{
  g_autoptr (GString) stem = g_string_new (NULL);
  const char *end;

  if (display_filename == NULL)
    return g_strdup ("video");
  end = strrchr (display_filename, '.');
  if (end == NULL || end == display_filename)
    end = display_filename + strlen (display_filename);
  for (const char *p = display_filename; p < end && stem->len < 64; p++) {
    char c = *p;
    if (g_ascii_isalnum (c) || c == '-' || c == '_') {
      g_string_append_c (stem, c);
    } else if (stem->len > 0 && stem->str[stem->len - 1] != '_') {
      g_string_append_c (stem, '_');
    }
  }
  while (stem->len > 0 && stem->str[stem->len - 1] == '_')
    g_string_truncate (stem, stem->len - 1);
  if (stem->len == 0)
    return g_strdup ("video");
  return g_string_free (g_steal_pointer (&stem), FALSE);
}

/**
 * va_storage_query_usage:
 * @usage: (out caller-allocates): the file system's numbers
 */
gboolean
va_storage_query_usage (VaStorage *self, VaStorageUsage *usage, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (VA_IS_STORAGE (self), FALSE);
  g_return_val_if_fail (usage != NULL, FALSE);

  memset (usage, 0, sizeof (*usage));
  if (!self->usage_func (self->root, usage, self->usage_data, &local_error)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot measure the job storage: %s",
                 local_error->message);
    return FALSE;
  }
  usage->percent_used
      = usage->total_bytes > 0 ? 100.0 * (double)usage->used_bytes / (double)usage->total_bytes : 0;
  return TRUE;
}

/**
 * va_storage_check_free_space:
 * @incoming: bytes about to be written
 *
 * Returns: %FALSE with %VA_ERROR_STORAGE_FULL when writing @incoming
 *   bytes would leave less than the minimum free space
 */
gboolean
va_storage_check_free_space (VaStorage *self, guint64 incoming, GError **error)
{
  VaStorageUsage usage;

  g_return_val_if_fail (VA_IS_STORAGE (self), FALSE);

  if (!va_storage_query_usage (self, &usage, error))
    return FALSE;
  if (usage.free_bytes < self->min_free_space
      || usage.free_bytes - self->min_free_space < incoming) {
    g_autofree char *free_text = g_format_size (usage.free_bytes);
    g_autofree char *reserve_text = g_format_size (self->min_free_space);
    g_set_error (error, VA_ERROR, VA_ERROR_STORAGE_FULL,
                 "Not enough free space in the job storage (%s free, %s must stay free)", free_text,
                 reserve_text);
    return FALSE;
  }
  return TRUE;
}

/**
 * va_storage_create_job_dir:
 * @expected_size: the announced size in bytes, or -1 when unknown
 * @error: return location for a %VA_ERROR
 *
 * Creates a new, empty job directory named by a fresh job id, after the
 * checks an upload must pass before storing any byte (va_upload_create()).
 *
 * Returns: (transfer full) (nullable): the new job id, or %NULL with
 *   %VA_ERROR_PAYLOAD_TOO_LARGE (@expected_size over the limit) or
 *   %VA_ERROR_STORAGE_FULL
 */
char *
va_storage_create_job_dir (VaStorage *self, gint64 expected_size, GError **error)
{
  g_return_val_if_fail (VA_IS_STORAGE (self), NULL);

  if (expected_size > 0 && (guint64)expected_size > self->max_upload_size) {
    g_autofree char *limit = g_format_size (self->max_upload_size);
    g_set_error (error, VA_ERROR, VA_ERROR_PAYLOAD_TOO_LARGE,
                 "The upload is larger than the limit of %s", limit);
    return NULL;
  }
  if (!va_storage_check_free_space (self, expected_size > 0 ? (guint64)expected_size : 0, error))
    return NULL;

  for (guint attempt = 0; attempt < 8; attempt++) {
    g_autofree char *job_id = g_uuid_string_random ();
    g_autofree char *dir = g_build_filename (self->root, job_id, NULL);

    if (g_mkdir (dir, VA_STORAGE_DIR_MODE) != 0) {
      int saved = errno;
      if (saved == EEXIST)
        continue;
      g_set_error (error, VA_ERROR, saved == ENOSPC ? VA_ERROR_STORAGE_FULL : VA_ERROR_INTERNAL,
                   "Cannot create a job directory: %s", g_strerror (saved));
      return NULL;
    }
    /* the umask may have removed bits, never added any; make it exact */
    g_chmod (dir, VA_STORAGE_DIR_MODE);
    return g_steal_pointer (&job_id);
  }
  g_set_error_literal (error, VA_ERROR, VA_ERROR_INTERNAL, N_ ("Cannot find a free job id"));
  return NULL;
}

gboolean
va_storage_job_dir_exists (VaStorage *self, const char *job_id)
{
  g_autofree char *dir = NULL;
  GStatBuf st;

  g_return_val_if_fail (VA_IS_STORAGE (self), FALSE);
  dir = va_storage_dup_job_dir (self, job_id, NULL);
  return dir != NULL && g_lstat (dir, &st) == 0 && S_ISDIR (st.st_mode);
}

/* Never follows symbolic links: a link planted in a job directory is
 * removed, not what it points to. */
gboolean
va_storage_remove_tree (const char *path, guint64 *bytes, gboolean *not_empty, GError **error)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0) {
    int saved = errno;
    if (saved == ENOENT)
      return TRUE;
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot remove %s: %s", path,
                 g_strerror (saved));
    return FALSE;
  }
  if (S_ISDIR (st.st_mode)) {
    g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (!va_storage_remove_tree (child, bytes, not_empty, error))
        return FALSE;
    }
    if (g_rmdir (path) != 0) {
      int saved = errno;
      g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot remove %s: %s", path,
                   g_strerror (saved));
      if (saved == ENOTEMPTY && not_empty != NULL)
        *not_empty = TRUE;
      return FALSE;
    }
    return TRUE;
  }
  if (g_unlink (path) != 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot remove %s: %s", path,
                 g_strerror (saved));
    return FALSE;
  }
  if (S_ISREG (st.st_mode) && bytes != NULL)
    *bytes += (guint64)st.st_size;
  return TRUE;
}

/**
 * va_storage_delete_job:
 * @bytes_freed: (out) (optional): size of the regular files removed
 *
 * Removes the job's directory and everything in it.
 *
 * Returns: %FALSE with %VA_ERROR_NOT_FOUND if there is no such directory,
 *   %VA_ERROR_INVALID_ARGUMENT for an invalid id
 */
gboolean
va_storage_delete_job (VaStorage *self, const char *job_id, guint64 *bytes_freed, GError **error)
{
  g_autofree char *dir = NULL;
  guint64 bytes = 0;
  GStatBuf st;

  g_return_val_if_fail (VA_IS_STORAGE (self), FALSE);

  dir = va_storage_dup_job_dir (self, job_id, error);
  if (dir == NULL)
    return FALSE;
  if (g_lstat (dir, &st) != 0 || !S_ISDIR (st.st_mode)) {
    g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, "Job %s has no storage directory", job_id);
    return FALSE;
  }
  /* a pipeline still stopping may write its last file while the tree is
   * removed: go over it again rather than leave half a job behind */
  for (guint attempt = 0;; attempt++) {
    g_autoptr (GError) local_error = NULL;
    gboolean not_empty = FALSE;

    if (va_storage_remove_tree (dir, &bytes, &not_empty, &local_error))
      break;
    if (not_empty && attempt < 3)
      continue;
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }
  if (bytes_freed != NULL)
    *bytes_freed = bytes;
  return TRUE;
}

static void
va_storage_delete_job_thread (GTask *task, gpointer source, gpointer task_data,
                              GCancellable *cancellable)
{
  GError *error = NULL;
  guint64 bytes = 0;

  if (!va_storage_delete_job (VA_STORAGE (source), task_data, &bytes, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
va_storage_delete_job_async (VaStorage *self, const char *job_id, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (VA_IS_STORAGE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, va_storage_delete_job_async);
  g_task_set_task_data (task, g_strdup (job_id), g_free);
  g_task_run_in_thread (task, va_storage_delete_job_thread);
}

gboolean
va_storage_delete_job_finish (VaStorage *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
va_storage_collect_files (const char *base, const char *relative, GPtrArray *files)
{
  g_autofree char *path
      = relative != NULL ? g_build_filename (base, relative, NULL) : g_strdup (base);
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child_rel
        = relative != NULL ? g_build_filename (relative, name, NULL) : g_strdup (name);
    g_autofree char *child = g_build_filename (base, child_rel, NULL);
    GStatBuf st;

    /* partial uploads are not artifacts */
    if (g_str_has_prefix (name, ".upload"))
      continue;
    if (g_lstat (child, &st) != 0)
      continue;
    if (S_ISDIR (st.st_mode))
      va_storage_collect_files (base, child_rel, files);
    else if (S_ISREG (st.st_mode))
      g_ptr_array_add (files, g_steal_pointer (&child_rel));
  }
}

static int
va_storage_compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *)a, *(const char *const *)b);
}

/**
 * va_storage_list_job_files:
 *
 * Every regular file under the job directory (symbolic links are
 * skipped, never followed), sorted.
 *
 * Returns: (transfer container) (element-type utf8): paths relative to the
 *   job directory, or %NULL with %VA_ERROR_NOT_FOUND
 */
GPtrArray *
va_storage_list_job_files (VaStorage *self, const char *job_id, GError **error)
{
  g_autofree char *dir = NULL;
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  GStatBuf st;

  g_return_val_if_fail (VA_IS_STORAGE (self), NULL);

  dir = va_storage_dup_job_dir (self, job_id, error);
  if (dir == NULL)
    return NULL;
  if (g_lstat (dir, &st) != 0 || !S_ISDIR (st.st_mode)) {
    g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, "Job %s has no storage directory", job_id);
    return NULL;
  }
  va_storage_collect_files (dir, NULL, files);
  g_ptr_array_sort (files, va_storage_compare_strings);
  return g_steal_pointer (&files);
}
