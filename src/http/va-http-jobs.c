/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>

#include "va-engine.h"
#include "va-error.h"
#include "va-serializable.h"
#include "va-http-private.h"

/* /api/v1/jobs routes other than submission: parse → engine → serialize.
 * Every engine call is asynchronous: the message is paused and answered
 * from the callback. */

#define VA_HTTP_JOB_HINT N_ ("Check job ID or use GET /api/v1/jobs to list all jobs")

static VaEngine *
va_http_engine (VaHttpRequest *req)
{
  return va_http_server_get_engine (req->server);
}

static JsonNode *
va_http_job_id_detail (const char *job_id, const char *status)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr (JsonObject) o = json_object_new ();

  json_object_set_string_member (o, "job_id", job_id);
  if (status != NULL)
    json_object_set_string_member (o, "status", status);
  json_node_set_object (node, o);
  return node;
}

/* Errors about one job: 404 carries JOB_NOT_FOUND + {job_id}, 409 the
 * terminal state the job is in. */
void
va_http_respond_job_error (VaHttpRequest *req, const GError *error, const char *job_id)
{
  if (g_error_matches (error, VA_ERROR, VA_ERROR_NOT_FOUND)) {
    g_autoptr (JsonNode) detail = va_http_job_id_detail (job_id, NULL);
    g_autofree char *message = g_strdup_printf ("Job %s not found", job_id);

    va_http_respond_error (req, 404, "JOB_NOT_FOUND", message, VA_HTTP_JOB_HINT, detail);
    return;
  }
  if (g_error_matches (error, VA_ERROR, VA_ERROR_CONFLICT)) {
    g_autoptr (VaJob) job = va_engine_get_job (va_http_engine (req), req->caller, job_id, NULL);
    const char *status = job != NULL ? va_job_status_to_string (va_job_get_status (job)) : NULL;
    g_autoptr (JsonNode) detail = va_http_job_id_detail (job_id, status);
    g_autofree char *hint
        = g_strdup_printf ("Job already in terminal state: %s", status != NULL ? status : "?");

    va_http_respond_error (req, 409, "JOB_ALREADY_COMPLETED", error->message, hint, detail);
    return;
  }
  va_http_respond_gerror (req, error, "JOB_NOT_FOUND", NULL);
}

void
va_http_respond_job (VaHttpRequest *req, guint status, VaJob *job)
{
  gsize length = 0;
  char *text = va_codec_to_json_text (VA_SERIALIZABLE (job), &length);

  va_http_respond_json_text (req, status, text, length);
}

/* ---- GET /api/v1/jobs ------------------------------------------------------ */

typedef struct {
  guint page;
  guint per_page;
} VaHttpListArgs;

static void
va_http_list_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHttpRequest *req = user_data;
  g_autoptr (GError) error = NULL;
  guint64 total = 0;
  g_autoptr (GPtrArray) jobs
      = va_engine_list_jobs_finish (VA_ENGINE (source), result, &total, &error);
  VaHttpListArgs *args = req->handler_data;

  if (jobs == NULL) {
    va_http_respond_gerror (req, error, NULL, NULL);
  } else {
    g_autoptr (JsonBuilder) b = json_builder_new ();

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "jobs");
    json_builder_add_value (b, va_codec_list_to_json (jobs));
    json_builder_set_member_name (b, "total");
    json_builder_add_int_value (b, (gint64)total);
    json_builder_set_member_name (b, "page");
    json_builder_add_int_value (b, args->page);
    json_builder_set_member_name (b, "per_page");
    json_builder_add_int_value (b, args->per_page);
    json_builder_end_object (b);
    va_http_respond_builder (req, 200, b);
  }
  va_http_request_unpause (req);
}

void
va_http_jobs_list (VaHttpRequest *req)
{
  const char *page = va_http_request_get_query (req, "page");
  const char *per_page = va_http_request_get_query (req, "per_page");
  const char *status_filter = va_http_request_get_query (req, "status_filter");
  const char *batch_id = va_http_request_get_query (req, "batch_id");
  gboolean unbatched_only
      = va_http_query_parse_flag (va_http_request_get_query (req, "unbatched_only"));
  VaHttpListArgs *args = g_new0 (VaHttpListArgs, 1);
  VaJobStatus status;

  req->handler_data = args;
  req->handler_data_free = g_free;
  args->page = 1;
  args->per_page = 10;
  if (page != NULL && !va_http_query_parse_uint (page, 1, G_MAXINT32, &args->page)) {
    va_http_respond_error (req, 400, "INVALID_REQUEST", "page must be an integer ≥ 1",
                           N_ ("Pages are numbered from 1"), NULL);
    return;
  }
  if (per_page != NULL
      && !va_http_query_parse_uint (per_page, 1, VA_STORE_MAX_PER_PAGE, &args->per_page)) {
    g_autofree char *message
        = g_strdup_printf ("per_page must be an integer from 1 to %u", VA_STORE_MAX_PER_PAGE);
    va_http_respond_error (req, 400, "INVALID_REQUEST", message, NULL, NULL);
    return;
  }
  if (status_filter != NULL && *status_filter != '\0'
      && !va_job_status_from_string (status_filter, &status)) {
    va_http_respond_error (req, 400, "INVALID_REQUEST", "Unknown status_filter",
                           N_ ("Use one of pending, running, completed, failed, cancelled"), NULL);
    return;
  }
  if (batch_id != NULL && *batch_id == '\0')
    batch_id = NULL;
  if (batch_id != NULL && unbatched_only) {
    va_http_respond_error (req, 400, "INVALID_REQUEST",
                           "batch_id and unbatched_only=true exclude each other",
                           N_ ("Ask for one batch's jobs or for the jobs of no batch"), NULL);
    return;
  }
  va_http_request_pause (req);
  va_engine_list_batch_jobs_async (
      va_http_engine (req), req->caller, args->page, args->per_page,
      status_filter != NULL && *status_filter != '\0' ? status_filter : NULL, batch_id,
      unbatched_only, req->cancellable, va_http_list_done, req);
}

/* ---- GET/DELETE /api/v1/jobs/{job_id}, POST .../cancel ---------------------- */

static void
va_http_get_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHttpRequest *req = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (VaJob) job = va_engine_get_job_finish (VA_ENGINE (source), result, &error);

  if (job == NULL)
    va_http_respond_job_error (req, error, va_http_request_get_param (req, "job_id"));
  else
    va_http_respond_job (req, 200, job);
  va_http_request_unpause (req);
}

void
va_http_jobs_get (VaHttpRequest *req)
{
  va_http_request_pause (req);
  va_engine_get_job_async (va_http_engine (req), req->caller,
                           va_http_request_get_param (req, "job_id"), req->cancellable,
                           va_http_get_done, req);
}

static void
va_http_delete_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHttpRequest *req = user_data;
  g_autoptr (GError) error = NULL;

  if (!va_engine_delete_job_finish (VA_ENGINE (source), result, &error))
    va_http_respond_job_error (req, error, va_http_request_get_param (req, "job_id"));
  else
    va_http_respond_empty (req, 204);
  va_http_request_unpause (req);
}

void
va_http_jobs_delete (VaHttpRequest *req)
{
  va_http_request_pause (req);
  /* no cancellable: a delete that started completes even if the client
   * hangs up, so storage and database never disagree */
  va_engine_delete_job_async (va_http_engine (req), req->caller,
                              va_http_request_get_param (req, "job_id"), NULL, va_http_delete_done,
                              req);
}

static void
va_http_cancel_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHttpRequest *req = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (VaJob) job = va_engine_cancel_job_finish (VA_ENGINE (source), result, &error);

  if (job == NULL)
    va_http_respond_job_error (req, error, va_http_request_get_param (req, "job_id"));
  else
    va_http_respond_job (req, 200, job);
  va_http_request_unpause (req);
}

void
va_http_jobs_cancel (VaHttpRequest *req)
{
  va_http_request_pause (req);
  va_engine_cancel_job_async (va_http_engine (req), req->caller,
                              va_http_request_get_param (req, "job_id"), NULL, va_http_cancel_done,
                              req);
}

/* ---- GET /api/v1/jobs/{job_id}/results ------------------------------------ */

static void
va_http_results_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHttpRequest *req = user_data;
  const char *job_id = va_http_request_get_param (req, "job_id");
  g_autoptr (GError) error = NULL;
  g_autoptr (VaJob) job = NULL;
  g_autoptr (GPtrArray) results
      = va_engine_get_results_finish (VA_ENGINE (source), result, &job, &error);

  if (results == NULL) {
    va_http_respond_job_error (req, error, job_id);
  } else {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonNode) job_json = va_codec_to_json (VA_SERIALIZABLE (job));
    JsonObject *jo = json_node_get_object (job_json);

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "job_id");
    json_builder_add_string_value (b, job_id);
    json_builder_set_member_name (b, "status");
    json_builder_add_string_value (b, va_job_status_to_string (va_job_get_status (job)));
    json_builder_set_member_name (b, "pipeline_results");
    json_builder_begin_object (b);
    for (guint i = 0; i < results->len; i++) {
      g_autoptr (JsonNode) node = va_codec_to_json (results->pdata[i]);
      JsonObject *o = json_node_get_object (node);
      const char *name = json_object_get_string_member (o, "pipeline_name");

      JsonArray *names = json_object_get_array_member (o, "files");
      g_autoptr (JsonArray) files = json_array_new ();

      if (!json_object_get_null_member (o, "output_file")) {
        g_autofree char *url = g_strdup_printf ("/api/v1/jobs/%s/results/files/%s", job_id, name);
        json_object_set_string_member (o, "download_url", url);
      } else {
        json_object_set_null_member (o, "download_url");
      }
      /* 1.6: every file the pipeline wrote, each downloadable by name */
      for (guint j = 0; names != NULL && j < json_array_get_length (names); j++) {
        const char *file = json_array_get_string_element (names, j);
        g_autofree char *escaped = g_uri_escape_string (file, NULL, FALSE);
        g_autofree char *url
            = g_strdup_printf ("/api/v1/jobs/%s/results/files/%s?name=%s", job_id, name, escaped);
        JsonObject *entry = json_object_new ();

        json_object_set_string_member (entry, "name", file);
        json_object_set_string_member (entry, "download_url", url);
        json_array_add_object_element (files, entry);
      }
      json_object_set_array_member (o, "files", g_steal_pointer (&files));
      json_builder_set_member_name (b, name);
      json_builder_add_value (b, json_node_copy (node));
    }
    json_builder_end_object (b);
    for (const char *const *k = (const char *const[]){ "created_at", "completed_at", "result_path",
                                                       "error_message", NULL };
         *k != NULL; k++) {
      json_builder_set_member_name (b, *k);
      json_builder_add_value (b, json_node_copy (json_object_get_member (jo, *k)));
    }
    json_builder_end_object (b);
    va_http_respond_builder (req, 200, b);
  }
  va_http_request_unpause (req);
}

void
va_http_jobs_results (VaHttpRequest *req)
{
  va_http_request_pause (req);
  va_engine_get_results_async (va_http_engine (req), req->caller,
                               va_http_request_get_param (req, "job_id"), req->cancellable,
                               va_http_results_done, req);
}

/* ---- GET /api/v1/jobs/{job_id}/results/files/{pipeline} -------------------- */

static void
va_http_file_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHttpRequest *req = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *basename = NULL;
  guint64 size = 0;
  g_autoptr (GInputStream) in
      = va_engine_open_result_file_finish (VA_ENGINE (source), result, &basename, &size, &error);

  if (in == NULL) {
    const char *job_id = va_http_request_get_param (req, "job_id");
    g_autoptr (VaJob) job = NULL;

    if (g_error_matches (error, VA_ERROR, VA_ERROR_INTERNAL))
      va_http_respond_error (req, 500, "OUTPUT_FILE_MISSING", error->message,
                             N_ ("Check server logs; the output file is gone from storage"), NULL);
    else if (g_error_matches (error, VA_ERROR, VA_ERROR_NOT_FOUND)
             && va_http_request_get_query (req, "name") != NULL
             && (job = va_engine_get_job (va_http_engine (req), req->caller, job_id, NULL))
                    != NULL) {
      g_autofree char *hint
          = g_strdup_printf ("See the pipeline's files in GET /api/v1/jobs/%s/results, or download "
                             "GET /api/v1/jobs/%s/artifacts",
                             job_id, job_id);
      va_http_respond_error (req, 404, "FILE_NOT_FOUND", error->message, hint, NULL);
    } else
      va_http_respond_job_error (req, error, job_id);
    va_http_request_unpause (req);
    return;
  }
  va_http_stream_input (req, "application/octet-stream", basename, in, (gint64)size);
  va_http_request_unpause (req);
}

void
va_http_jobs_result_file (VaHttpRequest *req)
{
  va_http_request_pause (req);
  va_engine_open_result_named_file_async (
      va_http_engine (req), req->caller, va_http_request_get_param (req, "job_id"),
      va_http_request_get_param (req, "pipeline"), va_http_request_get_query (req, "name"),
      req->cancellable, va_http_file_done, req);
}
