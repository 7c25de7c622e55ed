/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "va-log-file.h"

/**
 * SECTION:va-log-file
 * @title: VaLogFile
 *
 * One append-only log file rotated by size: before a line would take it past
 * max-size, NAME.log becomes NAME.log.1, NAME.log.1 becomes NAME.log.2 and
 * so on up to max-files; the oldest is dropped. Lines are written whole with
 * one write(2) on an O_APPEND descriptor, under a lock, so records from
 * different threads never interleave.
 */

struct _VaLogFile {
  GObject parent_instance;

  char *path;
  guint64 max_size;
  guint max_files;

  GMutex lock;
  int fd;
  guint64 size;
};

enum {
  PROP_0,
  PROP_PATH,
  PROP_MAX_SIZE,
  PROP_MAX_FILES,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_TYPE (VaLogFile, va_log_file, G_TYPE_OBJECT)

static void
va_log_file_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VaLogFile *self = VA_LOG_FILE (object);

  switch (prop_id) {
  case PROP_PATH:
    g_value_set_string (value, self->path);
    break;
  case PROP_MAX_SIZE:
    g_value_set_uint64 (value, self->max_size);
    break;
  case PROP_MAX_FILES:
    g_value_set_uint (value, self->max_files);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
va_log_file_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VaLogFile *self = VA_LOG_FILE (object);

  switch (prop_id) {
  case PROP_PATH:
    self->path = g_value_dup_string (value);
    break;
  case PROP_MAX_SIZE:
    self->max_size = g_value_get_uint64 (value);
    break;
  case PROP_MAX_FILES:
    self->max_files = g_value_get_uint (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
va_log_file_finalize (GObject *object)
{
  VaLogFile *self = VA_LOG_FILE (object);

  if (self->fd >= 0)
    close (self->fd);
  g_mutex_clear (&self->lock);
  g_free (self->path);
  G_OBJECT_CLASS (va_log_file_parent_class)->finalize (object);
}

static void
va_log_file_class_init (VaLogFileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = va_log_file_get_property;
  object_class->set_property = va_log_file_set_property;
  object_class->finalize = va_log_file_finalize;

  properties[PROP_PATH]
      = g_param_spec_string ("path", NULL, NULL, NULL,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_SIZE]
      = g_param_spec_uint64 ("max-size", NULL, NULL, 1, G_MAXUINT64, 10 * 1024 * 1024,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_FILES]
      = g_param_spec_uint ("max-files", NULL, NULL, 1, 1000, 5,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
va_log_file_init (VaLogFile *self)
{
  g_mutex_init (&self->lock);
  self->fd = -1;
}

/**
 * va_log_file_new:
 * @path: the current file, e.g. `<log-dir>/audit.log`
 * @max_size: size in bytes at which it is rotated
 * @max_files: rotated files kept (`.1` … `.N`)
 *
 * Nothing is opened until the first line is appended.
 *
 * Returns: (transfer full): a new log file
 */
VaLogFile *
va_log_file_new (const char *path, guint64 max_size, guint max_files)
{
  return g_object_new (VA_TYPE_LOG_FILE, "path", path, "max-size", max_size, "max-files", max_files,
                       NULL);
}

const char *
va_log_file_get_path (VaLogFile *self)
{
  g_return_val_if_fail (VA_IS_LOG_FILE (self), NULL);
  return self->path;
}

static gboolean
va_log_file_open_locked (VaLogFile *self, GError **error)
{
  struct stat st;
  int saved;

  /* 0640: logs name users and jobs; the group may read, others not */
  self->fd = g_open (self->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (self->fd < 0) {
    saved = errno;
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _ ("Cannot open log %s: %s"),
                 self->path, g_strerror (saved));
    return FALSE;
  }
  self->size = fstat (self->fd, &st) == 0 ? (guint64)st.st_size : 0;
  return TRUE;
}

static void
va_log_file_rotate_locked (VaLogFile *self)
{
  close (self->fd);
  self->fd = -1;
  for (guint i = self->max_files; i > 1; i--) {
    g_autofree char *from = g_strdup_printf ("%s.%u", self->path, i - 1);
    g_autofree char *to = g_strdup_printf ("%s.%u", self->path, i);
    g_rename (from, to); /* a missing one is fine */
  }
  {
    g_autofree char *first = g_strdup_printf ("%s.1", self->path);
    g_rename (self->path, first);
  }
}

/**
 * va_log_file_append_line:
 * @self: a log file
 * @line: one record, without the newline
 * @len: length of @line, or -1
 * @error: return location for a #GError
 *
 * Appends @line and a newline, rotating first when the file would grow past
 * its maximum size. A line longer than the maximum goes whole into a fresh
 * file. Thread-safe.
 */
gboolean
va_log_file_append_line (VaLogFile *self, const char *line, gssize len, GError **error)
{
  g_autoptr (GMutexLocker) locker = NULL;
  g_autofree char *buf = NULL;
  gsize total, done = 0;

  g_return_val_if_fail (VA_IS_LOG_FILE (self), FALSE);
  g_return_val_if_fail (line != NULL, FALSE);

  if (len < 0)
    len = strlen (line);
  total = (gsize)len + 1;
  buf = g_malloc (total);
  memcpy (buf, line, len);
  buf[len] = '\n';

  locker = g_mutex_locker_new (&self->lock);
  if (self->fd < 0 && !va_log_file_open_locked (self, error))
    return FALSE;
  if (self->size > 0 && self->size + total > self->max_size) {
    va_log_file_rotate_locked (self);
    if (!va_log_file_open_locked (self, error))
      return FALSE;
  }

  while (done < total) {
    gssize n = write (self->fd, buf + done, total - done);
    if (n < 0) {
      int saved = errno;
      if (saved == EINTR)
        continue;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _ ("Cannot write log %s: %s"),
                   self->path, g_strerror (saved));
      return FALSE;
    }
    done += n;
  }
  self->size += total;
  return TRUE;
}
