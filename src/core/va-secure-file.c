/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "va-error.h"
#include "va-secure-file.h"

static gboolean
va_secure_file_is_read_only_mount (const char *path)
{
  struct statvfs vfs;

  return statvfs (path, &vfs) == 0 && (vfs.f_flag & ST_RDONLY) != 0;
}

/**
 * va_secure_file_check_private:
 * @path: a file or directory holding secrets
 * @is_dir: whether @path must be a directory
 * @error: return location for a %VA_ERROR
 *
 * Refuses secrets that other accounts on the machine can read or
 * modify (except a directory on a read-only mount, see below). The message names the file and the
 * exact command that fixes it, because the operator reading it is usually at a shell.
 *
 * Returns: %FALSE with %VA_ERROR_NOT_FOUND when @path is missing, or
 *   %VA_ERROR_FORBIDDEN when its mode allows group or others access.
 */
gboolean
va_secure_file_check_private (const char *path, gboolean is_dir, GError **error)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, saved == ENOENT ? VA_ERROR_NOT_FOUND : VA_ERROR_INTERNAL,
                 "Cannot read %s: %s", path, g_strerror (saved));
    return FALSE;
  }
  if (is_dir && !S_ISDIR (st.st_mode)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "%s is not a directory", path);
    return FALSE;
  }
  if (!is_dir && !S_ISREG (st.st_mode)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "%s is not a regular file", path);
    return FALSE;
  }
  /* On a read-only mount nobody can plant or swap files, and a listing
   * reveals only names: Kubernetes mounts secret volumes with a 1777
   * directory, which must not be refused. Files are checked regardless. */
  if (is_dir && (st.st_mode & 077) != 0 && va_secure_file_is_read_only_mount (path)) {
    g_debug ("%s is on a read-only mount; its mode %04o is accepted", path,
             (guint)(st.st_mode & 07777));
    return TRUE;
  }
  if ((st.st_mode & 077) != 0) {
    g_autofree char *quoted = g_shell_quote (path);
    g_set_error (error, VA_ERROR, VA_ERROR_FORBIDDEN,
                 "Refusing to use %s: it is %s by group or others (mode %04o); "
                 "fix it with: chmod %s %s",
                 path, (st.st_mode & 022) != 0 ? "writable" : "readable",
                 (guint)(st.st_mode & 07777), is_dir ? "700" : "600", quoted);
    return FALSE;
  }
  return TRUE;
}

/**
 * va_secure_file_check_closed_dir:
 * @path: a directory of private data (the data directory, job storage,
 *   logs)
 * @error: return location for a %VA_ERROR
 *
 * Refuses an existing directory that other accounts can enter, list or
 * change, or that its group can change (the modes the server creates are
 * 0750). It is not re-moded silently: files may already have been read or
 * planted through the open mode, which the operator must know. A missing
 * directory is fine (it is created 0750 later).
 *
 * Returns: %FALSE with %VA_ERROR_FORBIDDEN naming @path, its mode and the
 *   `chmod` that fixes it
 */
gboolean
va_secure_file_check_closed_dir (const char *path, GError **error)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0) {
    int saved = errno;

    if (saved == ENOENT)
      return TRUE;
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot read %s: %s", path,
                 g_strerror (saved));
    return FALSE;
  }
  if (!S_ISDIR (st.st_mode)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "%s is not a directory", path);
    return FALSE;
  }
  if ((st.st_mode & 027) != 0) {
    g_autofree char *quoted = g_shell_quote (path);
    g_set_error (error, VA_ERROR, VA_ERROR_FORBIDDEN,
                 "Refusing to use %s: it is %s (mode %04o), so other accounts could read job "
                 "data or plant files; fix it with: chmod g-w,o-rwx %s",
                 path,
                 (st.st_mode & 002) != 0   ? "writable by others"
                 : (st.st_mode & 020) != 0 ? "writable by its group"
                                           : "open to others",
                 (guint)(st.st_mode & 07777), quoted);
    return FALSE;
  }
  return TRUE;
}

/**
 * va_secure_file_ensure_dir:
 * @path: directory for secrets
 * @error: return location for a %VA_ERROR
 *
 * Creates @path mode 0700 (missing parents 0750) or checks an existing
 * one with va_secure_file_check_private(). An existing directory is
 * never silently re-moded: a wrong mode means someone else could have
 * read the secrets already, which the operator must know.
 */
gboolean
va_secure_file_ensure_dir (const char *path, GError **error)
{
  g_autofree char *parent = g_path_get_dirname (path);

  if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
    if (g_mkdir_with_parents (parent, 0750) != 0) {
      int saved = errno;
      g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot create %s: %s", parent,
                   g_strerror (saved));
      return FALSE;
    }
    if (g_mkdir (path, 0700) != 0 && errno != EEXIST) {
      int saved = errno;
      g_set_error (error, VA_ERROR, saved == EROFS ? VA_ERROR_READ_ONLY : VA_ERROR_INTERNAL,
                   "Cannot create %s: %s", path, g_strerror (saved));
      return FALSE;
    }
    /* mkdir applies the umask; make sure of the exact mode */
    if (g_chmod (path, 0700) != 0) {
      int saved = errno;
      g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "Cannot chmod %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  }
  return va_secure_file_check_private (path, TRUE, error);
}

/**
 * va_secure_file_write:
 * @path: destination
 * @data: contents
 * @length: size of @data
 * @error: return location for a %VA_ERROR
 *
 * Writes @path mode 0600 atomically: a temporary file in the same
 * directory, fsync, rename over @path, then fsync of the directory so the
 * rename itself survives a power cut. Readers see the old or the new
 * contents, never a mix.
 */
gboolean
va_secure_file_write (const char *path, const void *data, gsize length, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int dfd;

  if (!g_file_set_contents_full (path, data, (gssize)length, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 error)) {
    /* a read-only mount (e.g. a Kubernetes secret) deserves its own code */
    if (error != NULL && g_error_matches (*error, G_FILE_ERROR, G_FILE_ERROR_ROFS)) {
      (*error)->domain = VA_ERROR;
      (*error)->code = VA_ERROR_READ_ONLY;
    }
    va_error_convert (error);
    return FALSE;
  }

  dfd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dfd >= 0) {
    /* best effort: some file systems refuse fsync on directories */
    (void)fsync (dfd);
    g_close (dfd, NULL);
  }
  return TRUE;
}
