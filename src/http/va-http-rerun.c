/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "va-error.h"
#include "va-http-private.h"

/* POST /api/v1/jobs/{job_id}/rerun (1.6): an optional JSON body
 * `{"config": {...}, "selected_pipelines": [...] | "a,b"}` replaces the
 * original job's; an empty body runs it again unchanged. */

static void
va_http_rerun_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VaHttpRequest *req = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (VaJob) job = va_engine_rerun_job_finish (VA_ENGINE (source), result, &error);

  if (job != NULL)
    va_http_respond_job (req, 201, job);
  else if (g_error_matches (error, VA_ERROR, VA_ERROR_CONFLICT))
    va_http_respond_error (req, 409, "JOB_NOT_FINISHED", error->message,
                           N_ ("Wait for the job to end, or cancel it first"), NULL);
  else if (g_error_matches (error, VA_ERROR, VA_ERROR_INVALID_ARGUMENT))
    va_http_respond_error (req, 400, "INVALID_CONFIG", error->message, NULL, NULL);
  else
    va_http_respond_job_error (req, error, va_http_request_get_param (req, "job_id"));
  va_http_request_unpause (req);
}

/* selected_pipelines as an array of names or one comma-separated string */
GStrv
va_http_rerun_pipelines (JsonNode *node)
{
  g_autoptr (GStrvBuilder) names = g_strv_builder_new ();

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING) {
    g_auto (GStrv) parts = g_strsplit (json_node_get_string (node), ",", -1);
    for (guint i = 0; parts[i] != NULL; i++) {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        g_strv_builder_add (names, parts[i]);
    }
    return g_strv_builder_end (names);
  }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++) {
    JsonNode *e = json_array_get_element (json_node_get_array (node), i);
    if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
      return NULL;
    g_strv_builder_add (names, json_node_get_string (e));
  }
  return g_strv_builder_end (names);
}

void
va_http_jobs_rerun (VaHttpRequest *req)
{
  g_autoptr (GBytes) body
      = soup_message_body_flatten (soup_server_message_get_request_body (req->msg));
  g_autoptr (JsonObject) request = NULL;
  g_auto (GStrv) pipelines = NULL;
  JsonObject *config = NULL;

  if (g_bytes_get_size (body) > 0) {
    request = va_http_validate_body (req);
    if (request == NULL)
      return;
    if (json_object_has_member (request, "config")
        && !json_object_get_null_member (request, "config")) {
      if (!JSON_NODE_HOLDS_OBJECT (json_object_get_member (request, "config"))) {
        va_http_respond_error (req, 422, "VALIDATION_ERROR", "config must be a JSON object", NULL,
                               NULL);
        return;
      }
      config = json_object_get_object_member (request, "config");
    }
    if (json_object_has_member (request, "selected_pipelines")
        && !json_object_get_null_member (request, "selected_pipelines")) {
      pipelines = va_http_rerun_pipelines (json_object_get_member (request, "selected_pipelines"));
      if (pipelines == NULL) {
        va_http_respond_error (req, 422, "VALIDATION_ERROR",
                               "selected_pipelines must be a list of pipeline names", NULL, NULL);
        return;
      }
    }
  }
  va_http_request_pause (req);
  va_engine_rerun_job_async (va_http_server_get_engine (req->server), req->caller,
                             va_http_request_get_param (req, "job_id"), config,
                             (const char *const *)pipelines, NULL, va_http_rerun_done, req);
}
