/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-http-connection.h"
#include "va-http-private.h"

/* Streamed response bodies (result files, artifact archives, large
 * downloads): one chunk is produced, written, dropped (the body does not
 * accumulate), and only then is the next one produced, so memory stays at
 * one chunk whatever the size and however slow the client. */

#define VA_HTTP_STREAM_CHUNK (64 * 1024)

typedef struct {
  SoupServerMessage *msg;
  VaHttpProduceFunc produce;
  gpointer data;
  GDestroyNotify data_free;
  gulong wrote_id;
  gulong finished_id;
  gboolean done;
} VaHttpStreamer;

static void
va_http_streamer_free (VaHttpStreamer *s)
{
  g_clear_signal_handler (&s->wrote_id, s->msg);
  g_clear_signal_handler (&s->finished_id, s->msg);
  if (s->data_free != NULL)
    s->data_free (s->data);
  g_object_unref (s->msg);
  g_free (s);
}

static void
va_http_streamer_next (VaHttpStreamer *s)
{
  SoupMessageBody *body = soup_server_message_get_response_body (s->msg);
  g_autoptr (GError) error = NULL;
  gssize n;

  if (s->done)
    return;
  n = s->produce (s->data, body, &error);
  if (n < 0) {
    /* the status line is gone already: all that is left is to cut the
     * connection so the client sees a short body, not a complete one */
    g_warning ("Streaming a response failed: %s", error != NULL ? error->message : "?");
    s->done = TRUE;
    va_http_connection_abort (s->msg);
    return;
  }
  if (n == 0) {
    s->done = TRUE;
    soup_message_body_complete (body);
  }
  soup_server_message_unpause (s->msg);
}

static void
va_http_streamer_wrote_chunk (SoupServerMessage *msg, VaHttpStreamer *s)
{
  va_http_streamer_next (s);
}

static void
va_http_streamer_finished (SoupServerMessage *msg, VaHttpStreamer *s)
{
  va_http_streamer_free (s);
}

/**
 * va_http_stream_start:
 * @length: the body length, or -1 for chunked encoding
 * @produce: appends the next chunk to the body; returns its size, 0 at the
 *   end, -1 on error
 *
 * Sets @req's response headers for a streamed body and writes the first
 * chunk. The status and content type must be set by the caller.
 */
void
va_http_stream_start (VaHttpRequest *req, gint64 length, VaHttpProduceFunc produce, gpointer data,
                      GDestroyNotify data_free)
{
  VaHttpStreamer *s = g_new0 (VaHttpStreamer, 1);
  SoupMessageHeaders *h = soup_server_message_get_response_headers (req->msg);

  s->msg = g_object_ref (req->msg);
  s->produce = produce;
  s->data = data;
  s->data_free = data_free;
  if (length >= 0)
    soup_message_headers_set_content_length (h, length);
  else
    soup_message_headers_set_encoding (h, SOUP_ENCODING_CHUNKED);
  soup_message_body_set_accumulate (soup_server_message_get_response_body (req->msg), FALSE);
  s->wrote_id
      = g_signal_connect (req->msg, "wrote-chunk", G_CALLBACK (va_http_streamer_wrote_chunk), s);
  s->finished_id
      = g_signal_connect (req->msg, "finished", G_CALLBACK (va_http_streamer_finished), s);
  va_http_streamer_next (s);
}

/* ---- a GInputStream as the body --------------------------------------------- */

static gssize
va_http_produce_from_input (gpointer data, SoupMessageBody *body, GError **error)
{
  GInputStream *in = data;
  guint8 *buffer = g_malloc (VA_HTTP_STREAM_CHUNK);
  gssize n = g_input_stream_read (in, buffer, VA_HTTP_STREAM_CHUNK, NULL, error);

  if (n > 0)
    soup_message_body_append_take (body, buffer, n);
  else
    g_free (buffer);
  return n;
}

/**
 * va_http_stream_input:
 * @filename: (nullable): offered as the attachment's file name
 * @size: the stream's length, or -1
 *
 * Answers 200 with @in as the body.
 */
void
va_http_stream_input (VaHttpRequest *req, const char *content_type, const char *filename,
                      GInputStream *in, gint64 size)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (req->msg);

  soup_server_message_set_status (req->msg, 200, NULL);
  soup_message_headers_set_content_type (h, content_type, NULL);
  if (filename != NULL) {
    g_autoptr (GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);

    g_hash_table_insert (params, "filename", (gpointer)filename);
    soup_message_headers_set_content_disposition (h, "attachment", params);
  }
  va_http_stream_start (req, size, va_http_produce_from_input, g_object_ref (in), g_object_unref);
}
