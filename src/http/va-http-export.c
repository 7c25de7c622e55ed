/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-export.h"
#include "va-http-private.h"

/* GET /api/v1/jobs/{job_id}/export (the job's owner or an admin) and
 * GET /api/v1/users/{user_id}/export (admin): the export ZIP of
 * `videoannotator export` (src/core/va-export.c), streamed. The engine
 * prepares it (who may, which rows and files) and writes it step by step
 * into the response body, one 64 KiB block at a time, so the body never
 * holds more than a block whatever the size of the videos. */

typedef struct {
  VaExport *export;
  SoupMessageBody *body; /* the body being filled during one produce call */
  gsize appended;
} VaHttpExport;

static void
va_http_export_free (VaHttpExport *e)
{
  va_export_free (e->export);
  g_free (e);
}

static gboolean
va_http_export_write (gpointer data, const void *buffer, gsize length, GError **error)
{
  VaHttpExport *e = data;

  /* outside a produce call (an export abandoned midway being freed) the
   * bytes go nowhere */
  if (e->body == NULL)
    return TRUE;
  soup_message_body_append (e->body, SOUP_MEMORY_COPY, buffer, length);
  e->appended += length;
  return TRUE;
}

static gssize
va_http_export_produce (gpointer data, SoupMessageBody *body, GError **error)
{
  VaHttpExport *e = data;

  e->body = body;
  e->appended = 0;
  /* steps that write nothing (a header the deflater keeps) are followed
   * by more, until a chunk or the end */
  while (e->appended == 0 && !va_export_is_done (e->export)) {
    if (!va_export_step (e->export, error)) {
      e->body = NULL;
      return -1;
    }
  }
  e->body = NULL;
  return (gssize)e->appended;
}

static void
va_http_export_prepared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHttpRequest *req = user_data;
  const char *job_id = va_http_request_get_param (req, "job_id");
  SoupMessageHeaders *h = soup_server_message_get_response_headers (req->msg);
  g_autoptr (GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GError) error = NULL;
  g_autoptr (VaExport) export = va_export_prepare_finish (VA_ENGINE (source), result, &error);
  VaHttpExport *e;

  if (export == NULL) {
    if (job_id != NULL)
      va_http_respond_job_error (req, error, job_id);
    else
      va_http_respond_gerror (req, error, "USER_NOT_FOUND", NULL);
    va_http_request_unpause (req);
    return;
  }
  e = g_new0 (VaHttpExport, 1);
  e->export = g_steal_pointer (&export);
  if (!va_export_start (e->export, va_http_export_write, e, &error)) {
    va_http_export_free (e);
    va_http_respond_gerror (req, error, NULL, "Check server logs for details");
    va_http_request_unpause (req);
    return;
  }
  soup_server_message_set_status (req->msg, 200, NULL);
  soup_message_headers_set_content_type (h, "application/zip", NULL);
  g_hash_table_insert (params, "filename", (gpointer)va_export_get_filename (e->export));
  soup_message_headers_set_content_disposition (h, "attachment", params);
  va_http_stream_start (req, -1, va_http_export_produce, e, (GDestroyNotify)va_http_export_free);
  va_http_request_unpause (req);
}

static void
va_http_export (VaHttpRequest *req, const char *job_id, const char *user_id)
{
  const char *with_media = va_http_request_get_query (req, "with_media");
  gboolean media = FALSE;

  if (with_media != NULL && !va_http_parse_boolean (with_media, &media)) {
    va_http_respond_error (req, 400, "INVALID_REQUEST", "with_media must be true or false", NULL,
                           NULL);
    return;
  }
  va_http_request_pause (req);
  va_export_prepare_async (va_http_server_get_engine (req->server), req->caller, job_id, user_id,
                           media ? VA_EXPORT_FLAGS_WITH_MEDIA : VA_EXPORT_FLAGS_NONE,
                           req->cancellable, va_http_export_prepared, req);
}

void
va_http_export_job (VaHttpRequest *req)
{
  va_http_export (req, va_http_request_get_param (req, "job_id"), NULL);
}

void
va_http_export_user (VaHttpRequest *req)
{
  va_http_export (req, NULL, va_http_request_get_param (req, "user_id"));
}
