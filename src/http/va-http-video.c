/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-error.h"
#include "va-http-private.h"

/* GET /api/v1/jobs/{job_id}/video: the job's video, with single byte
 * ranges so that a browser's <video> element can seek. The engine opens
 * the file, resolves the Range header and audits the read; this file
 * writes the status, the range headers and the bytes, from disk, one chunk
 * at a time. */

#define VA_HTTP_VIDEO_CHUNK (64 * 1024)

typedef struct {
  GInputStream *in;
  guint64 remaining;
} VaHttpVideoBody;

static void
va_http_video_body_free (VaHttpVideoBody *body)
{
  g_object_unref (body->in);
  g_free (body);
}

static gssize
va_http_video_produce (gpointer data, SoupMessageBody *out, GError **error)
{
  VaHttpVideoBody *body = data;
  gsize want = MIN (body->remaining, VA_HTTP_VIDEO_CHUNK);
  guint8 *buffer;
  gssize n;

  if (want == 0)
    return 0;
  buffer = g_malloc (want);
  n = g_input_stream_read (body->in, buffer, want, NULL, error);
  if (n <= 0) {
    g_free (buffer);
    /* the file shrank under us: the length promised can no longer be met */
    if (n == 0)
      g_set_error (error, VA_ERROR, VA_ERROR_INTERNAL, "The video ended early");
    return -1;
  }
  body->remaining -= (guint64)n;
  soup_message_body_append_take (out, buffer, n);
  return n;
}

static void
va_http_video_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHttpRequest *req = user_data;
  SoupMessageHeaders *h = soup_server_message_get_response_headers (req->msg);
  g_autoptr (GError) error = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *filename = NULL;
  VaByteRange range;
  g_autoptr (GInputStream) in = va_engine_open_video_finish (VA_ENGINE (source), result, &range,
                                                             &content_type, &filename, &error);
  VaHttpVideoBody *body;

  if (in == NULL) {
    if (g_error_matches (error, VA_ERROR, VA_ERROR_INTERNAL))
      va_http_respond_error (req, 500, "VIDEO_FILE_MISSING", error->message,
                             N_ ("Check server logs; the video is gone from storage"), NULL);
    else
      va_http_respond_job_error (req, error, va_http_request_get_param (req, "job_id"));
    va_http_request_unpause (req);
    return;
  }

  soup_message_headers_replace (h, "Accept-Ranges", "bytes");
  if (range.result == VA_BYTE_RANGE_UNSATISFIABLE) {
    g_autofree char *unsatisfied = g_strdup_printf ("bytes */%" G_GUINT64_FORMAT, range.size);
    g_autofree char *message = g_strdup_printf (
        "The requested range is outside the video (%" G_GUINT64_FORMAT " bytes)", range.size);

    soup_message_headers_replace (h, "Content-Range", unsatisfied);
    va_http_respond_error (req, 416, "RANGE_NOT_SATISFIABLE", message,
                           N_ ("Ask for bytes=first-last within the video's size"), NULL);
    va_http_request_unpause (req);
    return;
  }
  if (range.result == VA_BYTE_RANGE_PARTIAL) {
    g_autofree char *content_range
        = g_strdup_printf ("bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
                           range.start, range.start + range.length - 1, range.size);

    soup_message_headers_replace (h, "Content-Range", content_range);
    soup_server_message_set_status (req->msg, 206, NULL);
  } else {
    soup_server_message_set_status (req->msg, 200, NULL);
  }
  soup_message_headers_set_content_type (h, content_type, NULL);
  if (filename != NULL) {
    g_autoptr (GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);

    g_hash_table_insert (params, "filename", filename);
    soup_message_headers_set_content_disposition (h, "inline", params);
  }
  body = g_new0 (VaHttpVideoBody, 1);
  body->in = g_steal_pointer (&in);
  body->remaining = range.length;
  va_http_stream_start (req, (gint64)range.length, va_http_video_produce, body,
                        (GDestroyNotify)va_http_video_body_free);
  va_http_request_unpause (req);
}

void
va_http_jobs_video (VaHttpRequest *req)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (req->msg);
  /* If-Range names a validator this server does not issue: a range that
   * depends on one is answered with the whole video (RFC 9110 §13.1.5) */
  const char *range = soup_message_headers_get_one (h, "If-Range") == NULL
                          ? soup_message_headers_get_one (h, "Range")
                          : NULL;

  va_http_request_pause (req);
  va_engine_open_video_async (va_http_server_get_engine (req->server), req->caller,
                              va_http_request_get_param (req, "job_id"), range, req->cancellable,
                              va_http_video_done, req);
}
