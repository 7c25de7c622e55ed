/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE /* memmem */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "va-error.h"
#include "va-http-multipart.h"

/* RFC 7578 / RFC 2046 body: [preamble] "--B" CRLF headers CRLF CRLF data
 * (CRLF "--B" CRLF headers CRLF CRLF data)* CRLF "--B--" [epilogue].
 * The delimiter search keeps back at most strlen("\r\n--B") - 1 bytes
 * between chunks. */

#define VA_HTTP_MULTIPART_MAX_HEADERS (8 * 1024)
#define VA_HTTP_MULTIPART_MAX_PARTS 16
#define VA_HTTP_MULTIPART_MAX_BOUNDARY 70 /* RFC 2046 */

typedef enum {
  STATE_PREAMBLE,
  STATE_AFTER_DELIMITER,
  STATE_HEADERS,
  STATE_BODY,
  STATE_EPILOGUE,
  STATE_ERROR,
} VaHttpMultipartState;

struct _VaHttpMultipart {
  VaHttpMultipartCallbacks cb;
  gpointer user_data;
  char *delimiter; /* "\r\n--boundary" */
  gsize delimiter_len;
  GByteArray *buf;
  VaHttpMultipartState state;
  guint n_parts;
};

VaHttpMultipart *
va_http_multipart_new (const char *boundary, const VaHttpMultipartCallbacks *callbacks,
                       gpointer user_data)
{
  VaHttpMultipart *mp;

  if (boundary == NULL || *boundary == '\0' || strlen (boundary) > VA_HTTP_MULTIPART_MAX_BOUNDARY)
    return NULL;
  mp = g_new0 (VaHttpMultipart, 1);
  mp->cb = *callbacks;
  mp->user_data = user_data;
  mp->delimiter = g_strconcat ("\r\n--", boundary, NULL);
  mp->delimiter_len = strlen (mp->delimiter);
  mp->buf = g_byte_array_new ();
  /* the first delimiter may start the body, without the CRLF: pretend one */
  g_byte_array_append (mp->buf, (const guint8 *)"\r\n", 2);
  return mp;
}

void
va_http_multipart_free (VaHttpMultipart *mp)
{
  if (mp == NULL)
    return;
  g_byte_array_unref (mp->buf);
  g_free (mp->delimiter);
  g_free (mp);
}

static gboolean
va_http_multipart_fail (VaHttpMultipart *mp, GError **error, const char *message)
{
  mp->state = STATE_ERROR;
  g_set_error_literal (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT, message);
  return FALSE;
}

static gboolean
va_http_multipart_headers (VaHttpMultipart *mp, const char *block, gsize len, GError **error)
{
  g_autoptr (SoupMessageHeaders) headers
      = soup_message_headers_new (SOUP_MESSAGE_HEADERS_MULTIPART);
  g_autoptr (GHashTable) params = NULL;
  g_autofree char *disposition = NULL;
  g_autofree char *text = NULL;
  const char *name, *filename, *content_type;

  if (++mp->n_parts > VA_HTTP_MULTIPART_MAX_PARTS)
    return va_http_multipart_fail (mp, error, "Too many parts in the multipart body");
  /* soup_headers_parse() wants a start line; give it an empty one */
  text = g_strdup_printf ("\r\n%.*s\r\n", (int)len, block);
  if (len > 0 && !soup_headers_parse (text, strlen (text), headers))
    return va_http_multipart_fail (mp, error, "Malformed headers in a multipart part");
  /* libsoup may report success without a disposition type (e.g. a header
   * value that starts with ';') */
  if (!soup_message_headers_get_content_disposition (headers, &disposition, &params)
      || disposition == NULL || g_ascii_strcasecmp (disposition, "form-data") != 0)
    return va_http_multipart_fail (mp, error,
                                   "A multipart part has no Content-Disposition: form-data");
  name = g_hash_table_lookup (params, "name");
  if (name == NULL || *name == '\0')
    return va_http_multipart_fail (mp, error, "A multipart part has no name");
  filename = g_hash_table_lookup (params, "filename");
  content_type = soup_message_headers_get_one (headers, "Content-Type");
  if (mp->cb.part_begin != NULL
      && !mp->cb.part_begin (mp->user_data, name, filename, content_type, error)) {
    mp->state = STATE_ERROR;
    return FALSE;
  }
  return TRUE;
}

/* Consumes as much of mp->buf as the state machine can; returns FALSE on
 * error. Leaves in the buffer only what may be the start of a delimiter or
 * an incomplete header block. */
static gboolean
va_http_multipart_run (VaHttpMultipart *mp, GError **error)
{
  for (;;) {
    guint8 *data = mp->buf->data;
    gsize len = mp->buf->len;

    switch (mp->state) {
    case STATE_PREAMBLE:
    case STATE_BODY: {
      guint8 *hit = memmem (data, len, mp->delimiter, mp->delimiter_len);
      gsize emit = hit != NULL                ? (gsize)(hit - data)
                   : len >= mp->delimiter_len ? len - (mp->delimiter_len - 1)
                                              : 0;

      if (mp->state == STATE_BODY && emit > 0 && mp->cb.part_data != NULL
          && !mp->cb.part_data (mp->user_data, data, emit, error)) {
        mp->state = STATE_ERROR;
        return FALSE;
      }
      if (hit == NULL) {
        g_byte_array_remove_range (mp->buf, 0, emit);
        return TRUE;
      }
      if (mp->state == STATE_BODY && mp->cb.part_end != NULL
          && !mp->cb.part_end (mp->user_data, error)) {
        mp->state = STATE_ERROR;
        return FALSE;
      }
      g_byte_array_remove_range (mp->buf, 0, emit + mp->delimiter_len);
      mp->state = STATE_AFTER_DELIMITER;
      break;
    }
    case STATE_AFTER_DELIMITER:
      if (len < 2)
        return TRUE;
      if (data[0] == '-' && data[1] == '-') {
        mp->state = STATE_EPILOGUE;
        g_byte_array_set_size (mp->buf, 0);
        return TRUE;
      }
      if (data[0] != '\r' || data[1] != '\n')
        return va_http_multipart_fail (mp, error, "Malformed multipart delimiter");
      g_byte_array_remove_range (mp->buf, 0, 2);
      mp->state = STATE_HEADERS;
      break;
    case STATE_HEADERS: {
      guint8 *end;

      /* a part without headers starts its data right away */
      if (len >= 2 && data[0] == '\r' && data[1] == '\n')
        end = data;
      else
        end = memmem (data, len, "\r\n\r\n", 4);
      if ((end == NULL && len > VA_HTTP_MULTIPART_MAX_HEADERS)
          || (end != NULL && (gsize)(end - data) > VA_HTTP_MULTIPART_MAX_HEADERS))
        return va_http_multipart_fail (mp, error, "Multipart part headers are too large");
      if (end == NULL)
        return TRUE;
      if (!va_http_multipart_headers (mp, (const char *)data, end - data, error))
        return FALSE;
      g_byte_array_remove_range (mp->buf, 0, (end - data) + (end == data ? 2 : 4));
      /* the CRLF before the next delimiter belongs to the delimiter */
      mp->state = STATE_BODY;
      break;
    }
    case STATE_EPILOGUE:
      g_byte_array_set_size (mp->buf, 0);
      return TRUE;
    case STATE_ERROR:
    default:
      return va_http_multipart_fail (mp, error, "Multipart parser is in an error state");
    }
  }
}

gboolean
va_http_multipart_feed (VaHttpMultipart *mp, const guint8 *data, gsize length, GError **error)
{
  if (mp->state == STATE_ERROR)
    return va_http_multipart_fail (mp, error, "Multipart parser is in an error state");
  if (mp->state == STATE_EPILOGUE)
    return TRUE;
  g_byte_array_append (mp->buf, data, length);
  return va_http_multipart_run (mp, error);
}

/* The body has ended: it must have ended with the closing delimiter. */
gboolean
va_http_multipart_finish (VaHttpMultipart *mp, GError **error)
{
  if (mp->state == STATE_EPILOGUE)
    return TRUE;
  if (mp->state == STATE_ERROR)
    return va_http_multipart_fail (mp, error, "Malformed multipart body");
  return va_http_multipart_fail (mp, error, "Multipart body is truncated (no closing boundary)");
}
