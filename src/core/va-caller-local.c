/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "va-caller-local.h"
#include "va-error.h"

/* Local Unix users, as a transport that knows the peer's uid (D-Bus)
 * reports them. The rules:
 *
 * - the job owner is "uid:N": the numeric uid, never the name, so that a
 *   renamed or recreated account cannot take over or lose jobs, and so
 *   that it cannot collide with an API key's free-form user id unless an
 *   administrator creates a key with --user-id uid:N on purpose;
 * - root and the owner of the data directory are administrators: they
 *   can read every job's files on disk anyway (the local CLI is admin for
 *   the same reason); every other user gets read and write on its own
 *   jobs, like an API key with those scopes;
 * - the service opens paths with its own rights, which are not the
 *   caller's: only root and the service's own user may name a path,
 *   everyone else hands over an open descriptor (a confused deputy
 *   otherwise reads files for people who may not). */

static gboolean
va_caller_local_is_admin (VaEngine *self, guint32 uid)
{
  const char *data_dir = va_settings_get_data_dir (va_engine_get_settings (self));
  GStatBuf st;

  if (uid == 0)
    return TRUE;
  return data_dir != NULL && g_stat (data_dir, &st) == 0 && st.st_uid == uid;
}

static char *
va_caller_local_dup_username (guint32 uid)
{
  struct passwd pwd, *found = NULL;
  char buffer[4096];

  if (getpwuid_r ((uid_t)uid, &pwd, buffer, sizeof buffer, &found) != 0 || found == NULL)
    return NULL;
  return g_strdup (found->pw_name);
}

/**
 * va_engine_authenticate_uid:
 * @uid: the peer's uid, as the transport established it (never as the
 *   peer claims it)
 *
 * Returns: (transfer full): the caller for a local user
 */
VaCaller *
va_engine_authenticate_uid (VaEngine *self, guint32 uid, GError **error)
{
  g_autofree char *user_id = g_strdup_printf (VA_CALLER_UID_PREFIX "%u", uid);
  g_autofree char *username = va_caller_local_dup_username (uid);
  VaScopes scopes = VA_SCOPE_READ | VA_SCOPE_WRITE;
  VaCaller *caller;

  g_return_val_if_fail (VA_IS_ENGINE (self), NULL);

  if (va_caller_local_is_admin (self, uid))
    scopes |= VA_SCOPE_ADMIN;
  caller = va_caller_new (user_id, scopes);
  va_caller_set_username (caller, username != NULL ? username : user_id);
  return caller;
}

/**
 * va_engine_authenticate_uid_authorized:
 * @uid: as for va_engine_authenticate_uid()
 *
 * The caller for a local user whom the system's authorization service
 * (polkit, on the system bus) allowed to administer the service: an
 * administrator whatever the uid rule says. The engine's other rules
 * (read-only mode, auditing) still apply.
 *
 * Returns: (transfer full): the caller
 */
VaCaller *
va_engine_authenticate_uid_authorized (VaEngine *self, guint32 uid, GError **error)
{
  g_autoptr (VaCaller) local = va_engine_authenticate_uid (self, uid, error);
  VaCaller *caller;

  if (local == NULL)
    return NULL;
  caller = va_caller_new (va_caller_get_user_id (local),
                          va_caller_get_scopes (local) | VA_SCOPE_ADMIN);
  va_caller_set_username (caller, va_caller_get_username (local));
  return caller;
}

static gboolean
va_caller_local_check_fd (int fd, const char *field, guint64 *size, GError **error)
{
  struct stat st;
  int flags = fcntl (fd, F_GETFL);

  if (fd < 0 || flags < 0 || fstat (fd, &st) != 0) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, "%s: not an open file descriptor",
                 field);
    return FALSE;
  }
  if (!S_ISREG (st.st_mode)) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "%s: not a regular file (a video file is needed, not a pipe, socket, "
                 "device or directory)",
                 field);
    return FALSE;
  }
#ifdef O_PATH
  if ((flags & O_PATH) != 0) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "%s: opened with O_PATH; open the file for reading", field);
    return FALSE;
  }
#endif
  if ((flags & O_ACCMODE) == O_WRONLY) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                 "%s: open for writing only; open the file for reading", field);
    return FALSE;
  }
  if (lseek (fd, 0, SEEK_SET) != 0) {
    int saved = errno;
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, "%s: cannot seek to the start: %s",
                 field, g_strerror (saved));
    return FALSE;
  }
  *size = (guint64)st.st_size;
  return TRUE;
}

/**
 * va_engine_check_descriptor:
 * @fd: a descriptor a local user handed over
 * @size: (out): the file's size
 *
 * A submission reads a regular file from its start; pipes, sockets,
 * devices, directories, `O_PATH` and write-only descriptors are refused.
 * The descriptor's offset is moved to the start.
 *
 * Returns: %FALSE with %VA_ERROR_INVALID_ARGUMENT
 */
gboolean
va_engine_check_descriptor (VaEngine *self, int fd, guint64 *size, GError **error)
{
  g_return_val_if_fail (VA_IS_ENGINE (self), FALSE);
  return va_caller_local_check_fd (fd, "fd", size, error);
}

/**
 * va_engine_open_path_for_uid:
 * @uid: the caller's uid (see va_engine_authenticate_uid())
 * @path: an absolute path
 *
 * Opens a local file a user names for submission, if that user may name
 * paths (root and the user the service runs as).
 *
 * Returns: an open descriptor, or -1 with %VA_ERROR_FORBIDDEN (another
 *   user), %VA_ERROR_INVALID_ARGUMENT (relative path, not a regular file)
 *   or %VA_ERROR_NOT_FOUND
 */
int
va_engine_open_path_for_uid (VaEngine *self, guint32 uid, const char *path, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  guint64 size;
  int fd;

  g_return_val_if_fail (VA_IS_ENGINE (self), -1);

  if (uid != 0 && uid != (guint32)geteuid ()) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_FORBIDDEN,
                         N_ ("path: the service runs as another user and would read the file with "
                             "its rights, not yours; pass an open file descriptor instead"));
    return -1;
  }
  if (path == NULL || !g_path_is_absolute (path)) {
    g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT,
                         N_ ("path: must be absolute (the service has its own working directory)"));
    return -1;
  }
  /* O_NONBLOCK: opening a FIFO must not hang the service */
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd < 0) {
    int saved = errno;
    g_set_error (&local_error, G_FILE_ERROR, g_file_error_from_errno (saved), "path: %s: %s", path,
                 g_strerror (saved));
    va_error_convert (&local_error);
    g_propagate_error (error, g_steal_pointer (&local_error));
    return -1;
  }
  if (!va_caller_local_check_fd (fd, "path", &size, error)) {
    g_close (fd, NULL);
    return -1;
  }
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}
