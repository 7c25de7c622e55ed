/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "va-error.h"
#include "va-ingest.h"

/* The path rules of server-side folder ingest: a folder is used only once
 * its real location (every symlink and `..` resolved by the kernel) is
 * inside one of the configured roots, themselves resolved the same way.
 * The string the client sent is never compared. */

/* the container extensions 1.5 ingests; anything else in a folder is left */
static const char *const va_ingest_extensions[]
    = { ".mp4", ".avi", ".mov", ".mkv", ".wmv", ".flv", ".webm", NULL };

#define VA_INGEST_MAX_VIDEOS 10000

static gboolean
va_ingest_is_inside (const char *root, const char *path)
{
  gsize n = strlen (root);

  if (g_str_equal (root, "/"))
    return TRUE;
  return strncmp (root, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/**
 * va_ingest_resolve_folder:
 * @roots: the allowed roots (`ingest-roots`); empty: the feature is off
 * @path: the client's path, absolute
 * @refusal: (out): why it was refused
 *
 * Returns: (transfer full) (nullable): the real path of the folder, or
 *   %NULL with @refusal and %VA_ERROR_FORBIDDEN (outside the roots, off),
 *   %VA_ERROR_NOT_FOUND or %VA_ERROR_INVALID_ARGUMENT
 */
char *
va_ingest_resolve_folder (const char *const *roots, const char *path, VaIngestRefusal *refusal,
                          GError **error)
{
  g_autofree char *real = NULL;
  gboolean allowed = FALSE;
  GStatBuf st;

  *refusal = VA_INGEST_OK;
  if (roots == NULL || roots[0] == NULL) {
    *refusal = VA_INGEST_DISABLED;
    g_set_error_literal (error, VA_ERROR, VA_ERROR_FORBIDDEN,
                         N_ ("Folder ingest is off: no folder is allowed (ingest-roots is empty)"));
    return NULL;
  }
  while (path != NULL && g_ascii_isspace (*path))
    path++;
  if (path == NULL || *path == '\0') {
    *refusal = VA_INGEST_PATH_REQUIRED;
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                         N_ ("A folder path is required"));
    return NULL;
  }
  if (!g_path_is_absolute (path) || !g_utf8_validate (path, -1, NULL)) {
    *refusal = VA_INGEST_PATH_INVALID;
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "Could not resolve path: %s (an absolute path on the server is needed)", path);
    return NULL;
  }
  real = realpath (path, NULL);
  if (real == NULL) {
    int saved = errno;
    /* a missing path is only reported as such inside a root, so that the
     * answer says nothing about the rest of the file system */
    g_autofree char *parent = g_path_get_dirname (path);
    g_autofree char *real_parent = realpath (parent, NULL);

    for (guint i = 0; real_parent != NULL && roots[i] != NULL; i++) {
      g_autofree char *root = realpath (roots[i], NULL);
      allowed = allowed || (root != NULL && va_ingest_is_inside (root, real_parent));
    }
    if (saved == ENOENT && allowed) {
      *refusal = VA_INGEST_PATH_NOT_FOUND;
      g_set_error (error, VA_ERROR, VA_ERROR_NOT_FOUND, "No such folder on the server: %s", path);
    } else if (saved == ENOENT || saved == ENOTDIR || saved == EACCES) {
      *refusal = VA_INGEST_PATH_NOT_ALLOWED;
      g_set_error (error, VA_ERROR, VA_ERROR_FORBIDDEN,
                   "Path is outside the folders this server may read from: %s", path);
    } else {
      *refusal = VA_INGEST_PATH_INVALID;
      g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, "Could not resolve path: %s (%s)",
                   path, g_strerror (saved));
    }
    return NULL;
  }
  for (guint i = 0; roots[i] != NULL && !allowed; i++) {
    g_autofree char *root = realpath (roots[i], NULL);
    allowed = root != NULL && va_ingest_is_inside (root, real);
  }
  if (!allowed) {
    *refusal = VA_INGEST_PATH_NOT_ALLOWED;
    g_set_error (error, VA_ERROR, VA_ERROR_FORBIDDEN,
                 "Path is outside the folders this server may read from: %s", path);
    return NULL;
  }
  if (g_stat (real, &st) != 0 || !S_ISDIR (st.st_mode)) {
    *refusal = VA_INGEST_NOT_A_FOLDER;
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, "Not a folder: %s", path);
    return NULL;
  }
  return g_steal_pointer (&real);
}

static gboolean
va_ingest_has_video_extension (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; va_ingest_extensions[i] != NULL; i++) {
    if (g_str_has_suffix (lower, va_ingest_extensions[i]))
      return TRUE;
  }
  return FALSE;
}

static gboolean
va_ingest_scan (const char *folder, gboolean recursive, GPtrArray *videos, GError **error)
{
  g_autoptr (GDir) dir = g_dir_open (folder, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL && videos->len < VA_INGEST_MAX_VIDEOS) {
    g_autofree char *path = g_build_filename (folder, name, NULL);
    GStatBuf st;

    /* lstat: a symlink in the folder is not followed (it could lead out
     * of the root); its target can be ingested from where it is */
    if (g_lstat (path, &st) != 0)
      continue;
    if (S_ISDIR (st.st_mode) && recursive) {
      if (!va_ingest_scan (path, TRUE, videos, NULL))
        continue;
    } else if (S_ISREG (st.st_mode) && va_ingest_has_video_extension (name)) {
      g_ptr_array_add (videos, g_steal_pointer (&path));
    }
  }
  return TRUE;
}

static int
va_ingest_compare (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *)a, *(const char *const *)b);
}

/**
 * va_ingest_list_videos:
 * @folder: a folder va_ingest_resolve_folder() returned
 * @recursive: also look in subfolders
 * @refusal: (out): %VA_INGEST_UNREADABLE or %VA_INGEST_NO_VIDEOS on failure
 *
 * The regular files with a video extension (symlinks are not followed),
 * sorted by path.
 *
 * Returns: (transfer container) (element-type filename) (nullable): paths
 */
GPtrArray *
va_ingest_list_videos (const char *folder, gboolean recursive, VaIngestRefusal *refusal,
                       GError **error)
{
  g_autoptr (GPtrArray) videos = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) local_error = NULL;

  *refusal = VA_INGEST_OK;
  if (!va_ingest_scan (folder, recursive, videos, &local_error)) {
    *refusal = VA_INGEST_UNREADABLE;
    g_set_error (error, VA_ERROR, VA_ERROR_FORBIDDEN, "Could not read folder: %s",
                 local_error->message);
    return NULL;
  }
  if (videos->len == 0) {
    *refusal = VA_INGEST_NO_VIDEOS;
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "No videos found in the folder (extensions: .mp4, .avi, .mov, .mkv, .wmv, .flv, "
                 ".webm%s)",
                 recursive ? "" : "; set recursive to search subfolders");
    return NULL;
  }
  g_ptr_array_sort (videos, va_ingest_compare);
  return g_steal_pointer (&videos);
}
