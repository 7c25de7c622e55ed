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
 *
 * A buffered file (va_log_file_set_buffer_size(), for the access log: a
 * line per request) collects whole lines in memory and writes them with
 * one write(2) when the buffer is full, on va_log_file_flush() (its owner
 * calls it on a short timer and when it stops) and when it is finalized.
 */

struct _VaLogFile {
  GObject parent_instance;

  char *path;
  guint64 max_size;
  guint max_files;

  GMutex lock;
  int fd;
  guint64 size;      /* on disk, plus what the buffer holds */
  gsize buffer_size; /* 0: unbuffered */
  GString *buffer;
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

static gboolean va_log_file_flush_locked (VaLogFile *self, GError **error);

static void
va_log_file_finalize (GObject *object)
{
  VaLogFile *self = VA_LOG_FILE (object);
  g_autoptr (GError) error = NULL;

  if (!va_log_file_flush_locked (self, &error))
    g_printerr ("videoannotator: %s\n", error->message);
  if (self->buffer != NULL)
    g_string_free (self->buffer, TRUE);
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

static gboolean
va_log_file_write_locked (VaLogFile *self, const char *buf, gsize total, GError **error)
{
  gsize done = 0;

  if (self->fd < 0 && !va_log_file_open_locked (self, error))
    return FALSE;
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
  return TRUE;
}

/* Writes the buffered lines; they are dropped even if that fails, so a
 * full disk cannot make the buffer grow without bound. */
static gboolean
va_log_file_flush_locked (VaLogFile *self, GError **error)
{
  gboolean ok;

  if (self->buffer == NULL || self->buffer->len == 0)
    return TRUE;
  ok = va_log_file_write_locked (self, self->buffer->str, self->buffer->len, error);
  g_string_truncate (self->buffer, 0);
  return ok;
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
  gsize total;

  g_return_val_if_fail (VA_IS_LOG_FILE (self), FALSE);
  g_return_val_if_fail (line != NULL, FALSE);

  if (len < 0)
    len = strlen (line);
  total = (gsize)len + 1;

  locker = g_mutex_locker_new (&self->lock);
  if (self->fd < 0 && !va_log_file_open_locked (self, error))
    return FALSE;
  if (self->size > 0 && self->size + total > self->max_size) {
    /* the buffered lines belong to the file being rotated */
    if (!va_log_file_flush_locked (self, error))
      return FALSE;
    va_log_file_rotate_locked (self);
    if (!va_log_file_open_locked (self, error))
      return FALSE;
  }

  if (self->buffer_size > 0) {
    if (self->buffer->len + total > self->buffer_size && !va_log_file_flush_locked (self, error))
      return FALSE;
    g_string_append_len (self->buffer, line, len);
    g_string_append_c (self->buffer, '\n');
    self->size += total;
    if (self->buffer->len >= self->buffer_size)
      return va_log_file_flush_locked (self, error);
    return TRUE;
  }

  buf = g_malloc (total);
  memcpy (buf, line, len);
  buf[len] = '\n';
  if (!va_log_file_write_locked (self, buf, total, error))
    return FALSE;
  self->size += total;
  return TRUE;
}

/**
 * va_log_file_set_buffer_size:
 * @self: a log file
 * @size: bytes of whole lines kept in memory before they are written; 0
 *   writes each line at once (the default)
 *
 * Lines in the buffer are lost if the process is killed before the next
 * va_log_file_flush(): buffer only logs that are written often and flushed
 * on a short timer. Thread-safe.
 */
void
va_log_file_set_buffer_size (VaLogFile *self, gsize size)
{
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (VA_IS_LOG_FILE (self));

  locker = g_mutex_locker_new (&self->lock);
  if (!va_log_file_flush_locked (self, &error))
    g_printerr ("videoannotator: %s\n", error->message);
  self->buffer_size = size;
  if (size > 0 && self->buffer == NULL)
    self->buffer = g_string_sized_new (size + 1024);
}

/**
 * va_log_file_flush:
 * @self: a log file
 * @error: return location for a #GError
 *
 * Writes the lines a buffered file holds. Thread-safe.
 */
gboolean
va_log_file_flush (VaLogFile *self, GError **error)
{
  g_autoptr (GMutexLocker) locker = NULL;

  g_return_val_if_fail (VA_IS_LOG_FILE (self), FALSE);
  locker = g_mutex_locker_new (&self->lock);
  return va_log_file_flush_locked (self, error);
}
