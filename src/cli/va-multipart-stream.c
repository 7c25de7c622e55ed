/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "va-error.h"
#include "va-multipart-stream.h"

/**
 * SECTION:va-multipart-stream
 * @title: VaMultipartStream
 *
 * A multipart/form-data body (RFC 7578) read as a stream: small form
 * fields are kept in memory, files are read from disk as the body is
 * consumed, so uploading a video never holds it in memory. The size is
 * known in advance (files are opened and measured when added), so the
 * request carries a Content-Length that the server can check before it
 * reads a byte.
 */

typedef struct {
  GBytes *bytes;      /* a block held in memory, or */
  GInputStream *file; /* a file read as it goes */
  char *display_name;
  goffset size;
} VaMultipartSegment;

struct _VaMultipartStream {
  GInputStream parent_instance;

  char *boundary;
  char *content_type;
  GPtrArray *segments; /* VaMultipartSegment */
  goffset size;
  gboolean sealed; /* the closing delimiter is appended */
  guint current;
  goffset offset; /* in the current segment */
};

G_DEFINE_FINAL_TYPE (VaMultipartStream, va_multipart_stream, G_TYPE_INPUT_STREAM)

static void
va_multipart_segment_free (VaMultipartSegment *segment)
{
  g_clear_pointer (&segment->bytes, g_bytes_unref);
  g_clear_object (&segment->file);
  g_free (segment->display_name);
  g_free (segment);
}

static void
va_multipart_stream_append_bytes (VaMultipartStream *self, GBytes *bytes)
{
  VaMultipartSegment *segment = g_new0 (VaMultipartSegment, 1);

  segment->bytes = bytes;
  segment->size = (goffset)g_bytes_get_size (bytes);
  self->size += segment->size;
  g_ptr_array_add (self->segments, segment);
}

static void
va_multipart_stream_append_text (VaMultipartStream *self, GString *text)
{
  va_multipart_stream_append_bytes (self, g_string_free_to_bytes (text));
}

/* Control characters would end the header line early; the server keeps the
 * name only as a label, so they are replaced rather than refused. */
static char *
va_multipart_stream_clean_name (const char *name)
{
  char *clean = g_strdup (name);

  for (char *p = clean; *p != '\0'; p++) {
    if ((guchar)*p < 0x20 || *p == 0x7f)
      *p = '_';
  }
  return clean;
}

static GString *
va_multipart_stream_part_header (VaMultipartStream *self, const char *name, const char *filename,
                                 const char *content_type)
{
  GString *header = g_string_new (NULL);

  g_return_val_if_fail (!self->sealed, header);

  g_string_append_printf (header, "--%s\r\nContent-Disposition: form-data; ", self->boundary);
  soup_header_g_string_append_param_quoted (header, "name", name);
  if (filename != NULL) {
    g_autofree char *clean = va_multipart_stream_clean_name (filename);

    g_string_append (header, "; ");
    /* quoted UTF-8, as browsers send it (RFC 7578 §4.2), not filename* */
    soup_header_g_string_append_param_quoted (header, "filename", clean);
  }
  g_string_append (header, "\r\n");
  if (content_type != NULL)
    g_string_append_printf (header, "Content-Type: %s\r\n", content_type);
  g_string_append (header, "\r\n");
  return header;
}

/**
 * va_multipart_stream_add_field:
 * @name: the form field name
 * @value: its text value
 */
void
va_multipart_stream_add_field (VaMultipartStream *self, const char *name, const char *value)
{
  GString *part;

  g_return_if_fail (VA_IS_MULTIPART_STREAM (self));
  g_return_if_fail (!self->sealed);

  part = va_multipart_stream_part_header (self, name, NULL, NULL);
  g_string_append (part, value);
  g_string_append (part, "\r\n");
  va_multipart_stream_append_text (self, part);
}

/**
 * va_multipart_stream_add_file:
 * @name: the form field name
 * @file: a regular file
 * @content_type: (nullable): its MIME type; guessed from the name if %NULL
 *
 * Opens @file now and measures it through the open descriptor, so the
 * announced size is that of the file actually sent. A file that changes
 * size while it is sent makes the read fail rather than send a body that
 * disagrees with its Content-Length.
 *
 * Returns: %FALSE with a #G_IO_ERROR if it cannot be opened, or
 *   %VA_ERROR_INVALID_ARGUMENT if it is not a regular file
 */
gboolean
va_multipart_stream_add_file (VaMultipartStream *self, const char *name, GFile *file,
                              const char *content_type, GCancellable *cancellable, GError **error)
{
  g_autoptr (GFileInputStream) stream = NULL;
  g_autoptr (GFileInfo) info = NULL;
  g_autofree char *basename = g_file_get_basename (file);
  g_autofree char *display = g_filename_display_name (basename);
  g_autofree char *guessed = NULL;
  VaMultipartSegment *segment;

  g_return_val_if_fail (VA_IS_MULTIPART_STREAM (self), FALSE);
  g_return_val_if_fail (!self->sealed, FALSE);

  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    return FALSE;
  info = g_file_input_stream_query_info (
      stream, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE, cancellable,
      error);
  if (info == NULL)
    return FALSE;
  /* pipes and devices have no size to announce */
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR) {
    g_set_error (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, _ ("%s is not a regular file"),
                 display);
    return FALSE;
  }
  if (content_type == NULL) {
    g_autofree char *type = g_content_type_guess (basename, NULL, 0, NULL);
    guessed = g_content_type_get_mime_type (type);
    content_type = guessed != NULL ? guessed : "application/octet-stream";
  }

  va_multipart_stream_append_text (
      self, va_multipart_stream_part_header (self, name, display, content_type));
  segment = g_new0 (VaMultipartSegment, 1);
  segment->file = G_INPUT_STREAM (g_steal_pointer (&stream));
  segment->size = g_file_info_get_size (info);
  segment->display_name = g_steal_pointer (&display);
  self->size += segment->size;
  g_ptr_array_add (self->segments, segment);
  va_multipart_stream_append_bytes (self, g_bytes_new_static ("\r\n", 2));
  return TRUE;
}

static void
va_multipart_stream_seal (VaMultipartStream *self)
{
  GString *end;

  if (self->sealed)
    return;
  end = g_string_new (NULL);
  g_string_append_printf (end, "--%s--\r\n", self->boundary);
  va_multipart_stream_append_text (self, end);
  self->sealed = TRUE;
}

/**
 * va_multipart_stream_get_content_type:
 *
 * Returns: `multipart/form-data; boundary=…`, for the Content-Type header
 */
const char *
va_multipart_stream_get_content_type (VaMultipartStream *self)
{
  g_return_val_if_fail (VA_IS_MULTIPART_STREAM (self), NULL);
  return self->content_type;
}

/**
 * va_multipart_stream_get_size:
 *
 * Ends the body (no part can be added after this) and returns its length
 * in bytes, for the Content-Length header.
 */
goffset
va_multipart_stream_get_size (VaMultipartStream *self)
{
  g_return_val_if_fail (VA_IS_MULTIPART_STREAM (self), -1);
  va_multipart_stream_seal (self);
  return self->size;
}

/* After the announced bytes of a file: one more byte means it grew. */
static gboolean
va_multipart_stream_check_end (VaMultipartSegment *segment, GCancellable *cancellable,
                               GError **error)
{
  guint8 extra;
  gssize n = g_input_stream_read (segment->file, &extra, 1, cancellable, error);

  if (n < 0)
    return FALSE;
  if (n > 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _ ("%s grew while it was being sent"),
                 segment->display_name);
    return FALSE;
  }
  return TRUE;
}

/* Runs in a worker thread when read asynchronously (GInputStream's default
 * read_async); GInputStream allows one pending operation at a time, so the
 * state needs no lock. */
static gssize
va_multipart_stream_read (GInputStream *stream, void *buffer, gsize count,
                          GCancellable *cancellable, GError **error)
{
  VaMultipartStream *self = VA_MULTIPART_STREAM (stream);

  va_multipart_stream_seal (self);
  while (self->current < self->segments->len) {
    VaMultipartSegment *segment = self->segments->pdata[self->current];
    goffset remaining = segment->size - self->offset;
    gssize n;

    if (remaining == 0) {
      if (segment->file != NULL && !va_multipart_stream_check_end (segment, cancellable, error))
        return -1;
      self->current++;
      self->offset = 0;
      continue;
    }
    n = (gssize)MIN ((goffset)count, remaining);
    if (segment->bytes != NULL) {
      memcpy (buffer, (const guint8 *)g_bytes_get_data (segment->bytes, NULL) + self->offset,
              (gsize)n);
    } else {
      n = g_input_stream_read (segment->file, buffer, (gsize)n, cancellable, error);
      if (n < 0)
        return -1;
      if (n == 0) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                     _ ("%s shrank while it was being sent"), segment->display_name);
        return -1;
      }
    }
    self->offset += n;
    return n;
  }
  return 0;
}

static gboolean
va_multipart_stream_close (GInputStream *stream, GCancellable *cancellable, GError **error)
{
  VaMultipartStream *self = VA_MULTIPART_STREAM (stream);
  gboolean ok = TRUE;

  for (guint i = 0; i < self->segments->len; i++) {
    VaMultipartSegment *segment = self->segments->pdata[i];

    if (segment->file != NULL && !g_input_stream_is_closed (segment->file))
      ok = g_input_stream_close (segment->file, cancellable, ok ? error : NULL) && ok;
  }
  return ok;
}

static void
va_multipart_stream_finalize (GObject *object)
{
  VaMultipartStream *self = VA_MULTIPART_STREAM (object);

  g_ptr_array_unref (self->segments);
  g_free (self->boundary);
  g_free (self->content_type);
  G_OBJECT_CLASS (va_multipart_stream_parent_class)->finalize (object);
}

static void
va_multipart_stream_class_init (VaMultipartStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = va_multipart_stream_finalize;
  stream_class->read_fn = va_multipart_stream_read;
  stream_class->close_fn = va_multipart_stream_close;
}

static void
va_multipart_stream_init (VaMultipartStream *self)
{
  g_autofree char *uuid = g_uuid_string_random ();
  GString *boundary = g_string_new ("VideoAnnotator-");

  /* 122 random bits: a boundary that occurs in a video by chance is not a
   * concern, and nothing needs to scan the file for it */
  for (const char *p = uuid; *p != '\0'; p++) {
    if (*p != '-')
      g_string_append_c (boundary, *p);
  }
  self->boundary = g_string_free (boundary, FALSE);
  self->content_type = g_strdup_printf ("multipart/form-data; boundary=%s", self->boundary);
  self->segments = g_ptr_array_new_with_free_func ((GDestroyNotify)va_multipart_segment_free);
}

VaMultipartStream *
va_multipart_stream_new (void)
{
  return g_object_new (VA_TYPE_MULTIPART_STREAM, NULL);
}
