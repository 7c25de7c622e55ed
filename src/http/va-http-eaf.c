/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-engine.h"
#include "va-error.h"
#include "va-http-private.h"

/* GET /api/v1/jobs/{job_id}/results/eaf: the job's results as one ELAN
 * document (the engine builds it). */

static void
va_http_eaf_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHttpRequest *req = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *filename = NULL;
  g_autoptr (GBytes) document
      = va_engine_export_eaf_finish (VA_ENGINE (source), result, &filename, &error);

  if (document == NULL) {
    if (g_error_matches (error, VA_ERROR, VA_ERROR_CONFLICT))
      va_http_respond_error (req, 409, "JOB_NOT_COMPLETED", error->message,
                             N_ ("Wait for the job to complete"), NULL);
    else if (g_error_matches (error, VA_ERROR, VA_ERROR_NOT_FOUND)
             && strstr (error->message, "to export") != NULL)
      va_http_respond_error (req, 404, "NO_EXPORTABLE_RESULTS", error->message,
                             N_ ("Run speech, speaker, voice activity or scene pipelines"), NULL);
    else
      va_http_respond_job_error (req, error, va_http_request_get_param (req, "job_id"));
  } else {
    SoupMessageHeaders *h = soup_server_message_get_response_headers (req->msg);
    g_autoptr (GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);
    gsize length = 0;
    const char *data = g_bytes_get_data (document, &length);

    g_hash_table_insert (params, (gpointer) "filename", filename);
    soup_message_headers_set_content_disposition (h, "attachment", params);
    soup_server_message_set_status (req->msg, 200, NULL);
    soup_server_message_set_response (req->msg, "application/xml", SOUP_MEMORY_COPY, data, length);
  }
  va_http_request_unpause (req);
}

void
va_http_jobs_eaf (VaHttpRequest *req)
{
  va_http_request_pause (req);
  va_engine_export_eaf_async (va_http_server_get_engine (req->server), req->caller,
                              va_http_request_get_param (req, "job_id"), req->cancellable,
                              va_http_eaf_done, req);
}
